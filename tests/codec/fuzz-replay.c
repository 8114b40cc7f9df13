/* fuzz-replay.c — the decoder's fuzz harness as a plain test: replays the
 * seed corpus (tests/codec/corpus/) and seeded mutations of it, so every
 * build checks the harness and the invariants it asserts, with or without
 * libFuzzer.
 *
 *   test-fuzz-xdr-decode --write-corpus DIR   regenerates the seeds
 */
#include "config.h"

#include <string.h>

#include "codec-test-util.h"
#include "fuzz-xdr-decode.h"

static gchar *
corpus_dir (void)
{
  const gchar *top = g_getenv ("SYNOD_TOP_SRCDIR");

  if (top != NULL)
    return g_build_filename (top, "tests", "codec", "corpus", NULL);
  return g_test_build_filename (G_TEST_DIST, "corpus", NULL);
}

typedef struct
{
  gchar *name;
  GBytes *bytes;
} Seed;

static void
seed_free (gpointer p)
{
  Seed *seed = p;

  g_free (seed->name);
  g_bytes_unref (seed->bytes);
  g_free (seed);
}

static GPtrArray *
load_corpus (void)
{
  g_autofree gchar *dir_name = corpus_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_name, 0, &error);
  GPtrArray *seeds = g_ptr_array_new_with_free_func (seed_free);
  const gchar *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_name, name, NULL);
      gchar *contents;
      gsize len;
      Seed *seed = g_new0 (Seed, 1);

      g_assert_true (g_file_get_contents (path, &contents, &len, &error));
      g_assert_no_error (error);
      seed->name = g_strdup (name);
      seed->bytes = g_bytes_new_take (contents, len);
      g_ptr_array_add (seeds, seed);
    }
  return seeds;
}

static void
test_corpus (void)
{
  g_autoptr (GPtrArray) seeds = load_corpus ();
  guint valid = 0, invalid = 0;

  g_test_summary ("Seeds named valid-* decode (canonically, in both stream modes, through "
                  "GVariant); seeds named invalid-* are refused with a DECODE error");
  for (guint i = 0; i < seeds->len; i++)
    {
      Seed *seed = seeds->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (seed->bytes, &len);
      gboolean decoded = fuzz_xdr_decode_one (data, len);

      if (g_str_has_prefix (seed->name, "valid-"))
        {
          if (!decoded)
            g_error ("seed %s does not decode", seed->name);
          valid++;
        }
      else if (g_str_has_prefix (seed->name, "invalid-"))
        {
          if (decoded)
            g_error ("seed %s decodes", seed->name);
          invalid++;
        }
    }
  /* Every type of the harness has seeds. */
  g_assert_cmpuint (valid, >=, fuzz_xdr_n_types * 3);
  g_assert_cmpuint (invalid, >=, 5);
}

/* Mutations of the kinds a fuzzer finds first: bit flips, cuts, big
 * lengths, inserted and deleted words. */
static GBytes *
mutate (GBytes *seed, GRand *rand)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);
  GByteArray *out = g_byte_array_sized_new ((guint)len + 8);
  guint pos;

  g_byte_array_append (out, data, (guint)len);
  if (out->len < 2)
    return g_byte_array_free_to_bytes (out);
  pos = (guint)g_rand_int_range (rand, 1, (gint32)out->len);
  switch (g_rand_int_range (rand, 0, 6))
    {
      case 0:
        out->data[pos] ^= (guint8)(1u << g_rand_int_range (rand, 0, 8));
        break;
      case 1:
        g_byte_array_set_size (out, pos);
        break;
      case 2:
        {
          static const guint32 big[] = { 0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 2, 257 };
          guint32 v = GUINT32_TO_BE (big[g_rand_int_range (rand, 0, G_N_ELEMENTS (big))]);
          guint at = 1 + ((pos - 1) & ~3u);

          if (at + 4 <= out->len)
            memcpy (out->data + at, &v, 4);
        }
        break;
      case 3:
        g_byte_array_remove_range (out, pos, MIN (4, out->len - pos));
        break;
      case 4:
        {
          guint8 word[4] = { 0, 0, 0, (guint8)g_rand_int_range (rand, 0, 3) };
          guint old_len = out->len;

          g_byte_array_set_size (out, old_len + 4);
          memmove (out->data + pos + 4, out->data + pos, old_len - pos);
          memcpy (out->data + pos, word, 4);
        }
        break;
      default:
        out->data[0] = (guint8)g_rand_int (rand);
        break;
    }
  return g_byte_array_free_to_bytes (out);
}

static void
test_mutations (void)
{
  g_autoptr (GPtrArray) seeds = load_corpus ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240501);
  guint decoded = 0, refused = 0;

  g_test_summary ("Seeded mutations of the corpus keep every invariant of the harness");
  for (guint i = 0; i < seeds->len; i++)
    {
      Seed *seed = seeds->pdata[i];

      for (guint round = 0; round < 60; round++)
        {
          g_autoptr (GBytes) m = mutate (seed->bytes, rand);
          gsize len;
          const guint8 *data = g_bytes_get_data (m, &len);

          if (fuzz_xdr_decode_one (data, len))
            decoded++;
          else
            refused++;
        }
    }
  /* Both outcomes are exercised. */
  g_assert_cmpuint (decoded, >, 0);
  g_assert_cmpuint (refused, >, 0);
}

static int
write_corpus (const gchar *dir)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4506);
  static const struct
  {
    const gchar *name;
    guint type;
    const guint8 bytes[16];
    gsize len;
  } invalid[] = {
    { "bool-two", 17, { 0, 0, 0, 2 }, 4 },
    { "string-padding", 13, { 0, 0, 0, 1, 'a', 0, 0, 1 }, 8 },
    { "string-nul", 13, { 0, 0, 0, 2, 'a', 0, 0, 0 }, 8 },
    { "opaque-huge", 14, { 0xff, 0xff, 0xff, 0xff }, 4 },
    { "list-flag", 2, { 0, 0, 0, 7 }, 4 },
    { "reply-discriminant", 6, { 0, 0, 0, 9, 0, 0, 0, 0 }, 8 },
    { "color-value", 12, { 0, 0, 0, 3 }, 4 },
    { "point-trailing", 11, { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 }, 12 },
  };

  g_mkdir_with_parents (dir, 0755);
  for (guint t = 0; t < fuzz_xdr_n_types; t++)
    {
      const SynodTypeDesc *type = fuzz_xdr_types[t];

      for (guint n = 0; n < 3; n++)
        {
          g_autofree gpointer value = g_malloc0 (MAX (type->c_size, 1));
          g_autoptr (GBytes) bytes = NULL;
          g_autoptr (GByteArray) file = g_byte_array_new ();
          g_autofree gchar *path = NULL;
          guint8 tag = (guint8)t;
          g_autoptr (GError) error = NULL;

          codec_test_random_value (type, value, rand, n + 1);
          bytes = synod_value_encode (type, value, &error);
          g_assert_no_error (error);
          g_byte_array_append (file, &tag, 1);
          g_byte_array_append (file, g_bytes_get_data (bytes, NULL),
                               (guint)g_bytes_get_size (bytes));
          path = g_strdup_printf ("%s/valid-%02u-%s-%u", dir, t,
                                  type->name != NULL ? type->name : "anon", n);
          g_assert_true (g_file_set_contents (path, (const gchar *)file->data, file->len, &error));
          synod_value_clear (type, value);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr (GByteArray) file = g_byte_array_new ();
      g_autofree gchar *path = g_strdup_printf ("%s/invalid-%s", dir, invalid[i].name);
      guint8 tag = (guint8)invalid[i].type;

      g_byte_array_append (file, &tag, 1);
      g_byte_array_append (file, invalid[i].bytes, (guint)invalid[i].len);
      g_assert_true (g_file_set_contents (path, (const gchar *)file->data, file->len, NULL));
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--write-corpus") == 0)
    return write_corpus (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/orb/codec/fuzz/corpus", test_corpus);
  g_test_add_func ("/orb/codec/fuzz/mutations", test_mutations);
  return g_test_run ();
}
