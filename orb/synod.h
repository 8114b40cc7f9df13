/* synod.h — the one header of libsynod's public API. */
#pragma once

#define __SYNOD_H_INSIDE__

#include "synod-type.h"
#include "synod-error.h"
#include "synod-object-id.h"
#include "synod-codec.h"
#include "synod-invoke.h"
#include "synod-broker.h"
#include "synod-call.h"
#include "synod-class.h"
#include "synod-object.h"
#include "synod-ref.h"
#include "synod-plugin.h"
#include "synod-remote.h"
#include "synod-dynamic.h"
#include "synod-group.h"
#include "synod-standard.h"
#include "synod-network.h"

#undef __SYNOD_H_INSIDE__
