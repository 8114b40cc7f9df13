/* synod-bft-error.c — the SYNOD_BFT_ERROR domain. */
#include "config.h"

#include "synod-bft-error.h"

/* clang-format off */
G_DEFINE_QUARK (synod-bft-error-quark, synod_bft_error)
/* clang-format on */
