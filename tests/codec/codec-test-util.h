/* codec-test-util.h — what the codec's tests, fuzz harness and benchmark
 * share: random values of any described type, and byte comparison. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

/* Fills @out (zeroed storage of @type's C size) with a random value that
 * fits @type: strings within their bounds (ASCII and some multi-byte UTF-8),
 * arrays of a few elements, optional data present while @budget lasts,
 * every union arm, default arms included. Floats are finite or the usual
 * special values, so they survive a trip through text. */
void codec_test_random_value (const SynodTypeDesc *type, gpointer out, GRand *rand, guint budget);

/* Asserts that two byte strings are equal, showing both in hex when not. */
#define codec_assert_bytes_equal(a, alen, b, blen)                                                 \
  codec_test_assert_bytes_equal (__FILE__, __LINE__, #a, a, alen, #b, b, blen)

void codec_test_assert_bytes_equal (const char *file, int line, const char *aname, gconstpointer a,
                                    gsize alen, const char *bname, gconstpointer b, gsize blen);

gchar *codec_test_hex (gconstpointer data, gsize len);

G_END_DECLS
