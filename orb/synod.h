/* synod.h — the one header of libsynod's public API. */
#pragma once

#define __SYNOD_H_INSIDE__

#include "synod-type.h"
#include "synod-error.h"
#include "synod-object-id.h"
#include "synod-codec.h"
#include "synod-invoke.h"

#undef __SYNOD_H_INSIDE__
