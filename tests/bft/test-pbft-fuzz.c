/* The PBFT input harness (fuzz-pbft.c) over seeded mutations of real
 * messages, in every build; with --enable-fuzzing the same harness is a
 * libFuzzer target (tests/bft/fuzz-pbft).
 *
 *   test-pbft-fuzz --write-corpus DIR   writes real messages as seeds */
#include "config.h"

#include "fuzz-pbft.h"
#include "pbft-harness.h"

static GPtrArray *seeds;

static void
run_cluster (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);

  for (guint64 i = 1; i <= 12; i++)
    {
      g_autofree gchar *v = g_strdup_printf ("%" G_GUINT64_FORMAT, i);
      g_autoptr (GBytes) op = synod_key_value_op_put ("k", (const guint8 *)v, 1);

      harness_submit (h, 0, 5, i, op, i % 3 == 0);
      g_assert_true (harness_run_until_done (h, i, G_USEC_PER_SEC));
    }
  /* A view change, for view-change and new-view seeds. */
  harness_crash (h, 0);
  {
    g_autoptr (GBytes) op = synod_key_value_op_put ("k", (const guint8 *)"vc", 2);

    harness_submit (h, 0, 5, 13, op, FALSE);
    g_assert_true (harness_run_until_done (h, 13, 10 * G_USEC_PER_SEC));
  }
}

static gboolean
record (Harness *h, HMsg *m, gpointer user_data)
{
  if (seeds->len < 400)
    g_ptr_array_add (seeds, g_bytes_ref (m->data));
  return TRUE;
}

static HarnessFilter default_filter = record;

static void
test_mutations (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261127);
  guint runs = 0;

  g_test_summary ("Thousands of mutated real messages, raw and re-authenticated with the keys "
                  "of the node they claim to come from: no crash, no halt");
  seeds = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  harness_default_filter = default_filter;
  run_cluster ();
  harness_default_filter = NULL;
  g_assert_cmpuint (seeds->len, >, 100);
  for (guint i = 0; i < seeds->len; i++)
    {
      GBytes *seed = g_ptr_array_index (seeds, i);

      pbft_fuzz_one (g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
      runs++;
    }
  for (guint i = 0; i < 3000; i++)
    {
      GBytes *seed = g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len));
      gsize len = g_bytes_get_size (seed);
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (seed, NULL), len);
      guint flips = g_rand_int_range (rand, 1, 4);

      for (guint f = 0; f < flips && len > 0; f++)
        copy[g_rand_int_range (rand, 0, len)] ^= 1 << g_rand_int_range (rand, 0, 8);
      if (g_rand_int_range (rand, 0, 4) == 0)
        len = g_rand_int_range (rand, 0, len + 1);
      pbft_fuzz_one (copy, len);
      runs++;
    }
  g_assert_cmpuint (runs, ==, seeds->len + 3000);
  g_clear_pointer (&seeds, g_ptr_array_unref);
}

static int
write_corpus (const gchar *dir)
{
  guint per_type[32] = { 0 };

  seeds = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  harness_default_filter = default_filter;
  run_cluster ();
  g_mkdir_with_parents (dir, 0755);
  for (guint i = 0; i < seeds->len; i++)
    {
      GBytes *seed = g_ptr_array_index (seeds, i);
      const guint8 *d = g_bytes_get_data (seed, NULL);
      guint type = g_bytes_get_size (seed) >= 16 ? d[15] % 32 : 0;
      g_autofree gchar *path = NULL;

      if (per_type[type]++ >= 2)
        continue;
      path = g_strdup_printf ("%s/msg-%02u-%u", dir, type, per_type[type]);
      g_assert_true (g_file_set_contents (path, (const gchar *)d, g_bytes_get_size (seed), NULL));
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--write-corpus"))
    return write_corpus (argv[2]);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/fuzz/mutations", test_mutations);
  return g_test_run ();
}
