/* synod-error.c — the SYNOD_ORB_ERROR domain. */
#include "config.h"

#include "synod-error.h"

G_DEFINE_QUARK (synod-orb-error-quark, synod_orb_error)
