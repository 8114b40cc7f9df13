/* synod-pbft.h — the PBFT replication core in one include: configuration,
 * keys, stores, the state variable interface and demo state variables, the
 * replica and the client. */
#pragma once

#include "pbft-client.h"
#include "pbft-config.h"
#include "pbft-keyring.h"
#include "pbft-replica.h"
#include "pbft-store.h"
#include "synod-bft-error.h"
#include "synod-key-value.h"
#include "synod-state-variable.h"
