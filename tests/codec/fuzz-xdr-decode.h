/* fuzz-xdr-decode.h — the decoder's fuzz harness, callable from a test. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

extern const SynodTypeDesc *const fuzz_xdr_types[];
extern const gsize fuzz_xdr_n_types;

/* Runs one input through the harness (aborting on any broken invariant).
 * Returns whether the input decoded. */
gboolean fuzz_xdr_decode_one (const guint8 *data, gsize size);

G_END_DECLS
