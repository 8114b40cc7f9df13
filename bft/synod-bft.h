/* synod-bft.h — BFT services on the broker: the ReplicaServer, Coordinator
 * and Unreplicated classes, the service names their objects register, and
 * the state variables they can host.
 *
 * The classes live in the class plugin synod-bft (load it with synodd's
 * `plugins=` or `--plugin`); a program that links the BFT library may also
 * register them itself with synod_bft_register_classes(). docs/bft.md
 * describes their creation parameters and how a request travels. */
#pragma once

#include <synod.h>

#include "bft.h"
#include "pbft-faults.h"
#include "synod-bft-error.h"
#include "synod-bft-keys.h"
#include "synod-bft-proof.h"
#include "synod-state-variable.h"

G_BEGIN_DECLS

#define SYNOD_BFT_REPLICA_SERVER_CLASS "Synod.Bft.ReplicaServer"
#define SYNOD_BFT_COORDINATOR_CLASS "Synod.Bft.Coordinator"
#define SYNOD_BFT_UNREPLICATED_CLASS "Synod.Bft.Unreplicated"
#define SYNOD_BFT_CLASS_VERSION 1

gchar *synod_bft_replica_name (const gchar *service, guint replica);
gchar *synod_bft_coordinator_name (const gchar *service);
gchar *synod_bft_client_name (const gchar *service, guint client);

gboolean synod_bft_register_classes (SynodBroker *broker, GError **error);

const gchar *const *synod_bft_list_state_variables (void);
SynodStateVariable *synod_bft_state_variable_new (const gchar *name, GError **error);

G_END_DECLS
