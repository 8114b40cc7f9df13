/* fuzz-pbft.h — the PBFT input harness, shared by the libFuzzer target and
 * the plain test that replays seeded mutations in every build. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Feeds @data to a long-lived replica and client twice: raw, and, when it
 * decodes as a Message, sealed with the keys of the node it claims to come
 * from (what a Byzantine replica holding those keys could send). */
void pbft_fuzz_one (const guint8 *data, gsize len);

G_END_DECLS
