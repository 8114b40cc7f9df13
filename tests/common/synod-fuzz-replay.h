/* synod-fuzz-replay — the main() of a fuzz target's corpus-replay test:
 * outside of libFuzzer the target's LLVMFuzzerTestOneInput() is run on
 * every file of its seed corpus.
 */
#pragma once

#include <stddef.h>

#include <glib.h>

G_BEGIN_DECLS

/* The fuzz target's body, defined by the target's source. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Replays every file of the corpus directory given as argv[1], by default
 * @default_corpus (relative to $SYNOD_TOP_SRCDIR, or to the current
 * directory), printing TAP. Returns the exit status: 0 when at least one
 * input was replayed. */
int synod_fuzz_replay_main (int argc, char **argv, const gchar *default_corpus);

G_END_DECLS
