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

/* The fuzz target's main(): synod_fuzz_replay_main() on @default_corpus
 * in a build without libFuzzer, nothing where libFuzzer brings its own
 * (SYNOD_FUZZING defined). */
#ifdef SYNOD_FUZZING
#define SYNOD_FUZZ_REPLAY_MAIN(default_corpus)
#else
#define SYNOD_FUZZ_REPLAY_MAIN(default_corpus)                                                     \
  int main (int argc, char **argv) { return synod_fuzz_replay_main (argc, argv, default_corpus); }
#endif

G_END_DECLS
