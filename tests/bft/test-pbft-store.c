/* The replica stores: transactions, damage detection, a replica repairing
 * a damaged or missing store, and a real kill -9 of a process running a
 * whole cluster on LMDB. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pbft-harness.h"

#define MS 1000

static GBytes *
b (const gchar *s)
{
  return g_bytes_new (s, strlen (s));
}

static gboolean
collect (GBytes *key, GBytes *value, gpointer user_data)
{
  GString *out = user_data;

  g_string_append_len (out, g_bytes_get_data (key, NULL), g_bytes_get_size (key));
  g_string_append_c (out, '=');
  g_string_append_len (out, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  g_string_append_c (out, ';');
  return TRUE;
}

static gchar *
dump (SynodPbftStore *s, SynodPbftTable t)
{
  GString *out = g_string_new (NULL);

  g_assert_true (synod_pbft_store_foreach (s, t, collect, out, NULL));
  return g_string_free (out, FALSE);
}

static void
exercise (SynodPbftStore *s)
{
  g_autoptr (GBytes) k1 = b ("a1"), k2 = b ("a2"), k3 = b ("b1"), v1 = b ("one"), v2 = b ("two");
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *d1 = NULL, *d2 = NULL, *d3 = NULL;

  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_ENTRY, k2, v2, &error));
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_ENTRY, k1, v1, &error));
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_ENTRY, k3, v1, &error));
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_META, k1, v2, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  g_assert_no_error (error);
  d1 = dump (s, SYNOD_PBFT_TABLE_ENTRY);
  g_assert_cmpstr (d1, ==, "a1=one;a2=two;b1=one;");
  g_assert_true (synod_pbft_store_get (s, SYNOD_PBFT_TABLE_META, k1, &got, &error));
  g_assert_true (g_bytes_equal (got, v2));
  g_assert_false (synod_pbft_store_get (s, SYNOD_PBFT_TABLE_META, k3, &got, &error));
  g_assert_no_error (error);

  /* An aborted transaction leaves nothing behind. */
  g_assert_true (synod_pbft_store_delete (s, SYNOD_PBFT_TABLE_ENTRY, k1, &error));
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_ENTRY, k2, v1, &error));
  synod_pbft_store_abort (s);
  d2 = dump (s, SYNOD_PBFT_TABLE_ENTRY);
  g_assert_cmpstr (d2, ==, "a1=one;a2=two;b1=one;");

  g_assert_true (synod_pbft_store_delete_below (s, SYNOD_PBFT_TABLE_ENTRY, k3, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  d3 = dump (s, SYNOD_PBFT_TABLE_ENTRY);
  g_assert_cmpstr (d3, ==, "b1=one;");
  g_assert_true (synod_pbft_store_wipe (s, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  g_clear_pointer (&d3, g_free);
  d3 = dump (s, SYNOD_PBFT_TABLE_META);
  g_assert_cmpstr (d3, ==, "");
}

static void
test_memory (void)
{
  g_autoptr (SynodPbftStore) s = synod_pbft_store_new_memory ();

  g_test_summary ("The memory store: ordered tables, transactions that commit or abort");
  exercise (s);
}

static void
test_lmdb (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-store-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "s", NULL);
  g_autoptr (GBytes) k = b ("kept"), lost = b ("lost"), v = b ("v");
  g_autoptr (GError) error = NULL;
  SynodPbftStore *s;

  g_test_summary ("The LMDB store: the same semantics, and only committed data survives "
                  "closing it");
  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_no_error (error);
  exercise (s);
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_BATCH, k, v, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_BATCH, lost, v, &error));
  synod_pbft_store_unref (s);

  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *d = dump (s, SYNOD_PBFT_TABLE_BATCH);

    g_assert_cmpstr (d, ==, "kept=v;");
  }
  synod_pbft_store_unref (s);
  harness_remove_tree (dir);
}

/* Flips one byte in every copy of @marker in @file; returns the copies. */
static guint
damage_file (const gchar *file, const gchar *marker)
{
  g_autofree gchar *data = NULL;
  gsize len, mlen = strlen (marker);
  guint hits = 0;

  g_assert_true (g_file_get_contents (file, &data, &len, NULL));
  for (gsize i = 0; i + mlen <= len; i++)
    if (memcmp (data + i, marker, mlen) == 0)
      {
        data[i + mlen - 1] ^= 0x20;
        hits++;
      }
  g_assert_true (g_file_set_contents (file, data, len, NULL));
  return hits;
}

static void
test_record_damage (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-store-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "s", NULL);
  g_autofree gchar *file = g_build_filename (path, "data.mdb", NULL);
  g_autoptr (GBytes) k = b ("k"), v = b ("MARKER-PAYLOAD-1234");
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GError) error = NULL;
  SynodPbftStore *s;

  g_test_summary ("A record changed on disk is reported as damaged, not returned");
  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_META, k, v, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  synod_pbft_store_unref (s);
  g_assert_cmpuint (damage_file (file, "MARKER-PAYLOAD-1234"), >=, 1);
  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (synod_pbft_store_get (s, SYNOD_PBFT_TABLE_META, k, &got, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT);
  g_assert_null (got);
  synod_pbft_store_unref (s);
  harness_remove_tree (dir);
}

static void
test_damaged_environment (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-store-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "s", NULL);
  g_autofree gchar *file = g_build_filename (path, "data.mdb", NULL);
  g_autofree gchar *aside = g_strdup_printf ("%s.damaged-0", path);
  g_autofree gchar *garbage = g_malloc (16384);
  g_autoptr (GBytes) k = b ("k"), v = b ("v");
  g_autoptr (GError) error = NULL;
  gboolean reset = FALSE;
  SynodPbftStore *s;

  g_test_summary ("A store whose LMDB meta pages are garbage is reported damaged; "
                  "open_or_reset moves it aside and opens an empty one");
  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_true (synod_pbft_store_put (s, SYNOD_PBFT_TABLE_META, k, v, &error));
  g_assert_true (synod_pbft_store_commit (s, &error));
  synod_pbft_store_unref (s);
  memset (garbage, 0x5a, 16384);
  g_assert_true (g_file_set_contents (file, garbage, 16384, NULL));

  s = synod_pbft_store_open_lmdb (path, 0, TRUE, &error);
  g_assert_null (s);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT);
  g_clear_error (&error);
  s = synod_pbft_store_open_lmdb_or_reset (path, 0, TRUE, &reset, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_true (reset);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_DIR));
  {
    g_autofree gchar *d = dump (s, SYNOD_PBFT_TABLE_META);

    g_assert_cmpstr (d, ==, "");
  }
  synod_pbft_store_unref (s);
  harness_remove_tree (dir);
}

static GBytes *
kv_put (const gchar *key, const gchar *value)
{
  return synod_key_value_op_put (key, (const guint8 *)value, strlen (value));
}

static void
tweak (SynodPbftConfig *c)
{
  c->max_batch = 1;
}

static void
puts_until (Harness *h, guint64 client, guint64 first, guint count, const gchar *prefix)
{
  for (guint64 i = first; i < first + count; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("key%" G_GUINT64_FORMAT, i);
      g_autofree gchar *value = g_strdup_printf ("%s%" G_GUINT64_FORMAT, prefix, i);
      g_autoptr (GBytes) op = kv_put (key, value);
      guint before = h->done->len;

      harness_submit (h, 0, client, i, op, FALSE);
      g_assert_true (harness_run_until_done (h, before + 1, 30 * G_USEC_PER_SEC));
    }
}

static void
assert_same_state (Harness *h)
{
  guint8 d0[32];

  synod_state_variable_digest (h->states[0], d0);
  for (guint i = 1; i < h->n; i++)
    {
      guint8 di[32];

      g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==,
                        synod_pbft_replica_get_last_executed (h->replicas[0]));
      synod_state_variable_digest (h->states[i], di);
      g_assert_cmpmem (d0, 32, di, 32);
    }
}

static void
test_replica_repairs_damaged_store (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-repair-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "r2", "data.mdb", NULL);
  g_autoptr (Harness) h = harness_new_lmdb_at (dir, 1, 1, tweak);

  g_test_summary ("A replica restarting on a store with a damaged record wipes it, is "
                  "refilled by state transfer and ends with the same state as the others");
  puts_until (h, 1, 1, 9, "value-");
  puts_until (h, 1, 10, 1, "DAMAGE-ME-");
  harness_crash (h, 2);
  g_assert_cmpuint (damage_file (file, "DAMAGE-ME-10"), >=, 1);
  harness_boot (h, 2);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[2])->store_resets, ==, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[2]), ==, 0);
  puts_until (h, 1, 11, 10, "value-");
  harness_advance (h, 500 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[2])->state_transfers, >=, 1);
  assert_same_state (h);
  g_clear_pointer (&h, harness_free);
  harness_remove_tree (dir);
}

static void
test_replica_missing_store (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-missing-XXXXXX", NULL);
  g_autofree gchar *store = g_build_filename (dir, "r1", NULL);
  g_autoptr (Harness) h = harness_new_lmdb_at (dir, 1, 1, tweak);

  g_test_summary ("A replica whose store vanished restarts empty and catches up");
  puts_until (h, 1, 1, 10, "value-");
  harness_crash (h, 1);
  harness_remove_tree (store);
  harness_boot (h, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[1]), ==, 0);
  puts_until (h, 1, 11, 10, "value-");
  harness_advance (h, 500 * MS);
  assert_same_state (h);
  g_clear_pointer (&h, harness_free);
  harness_remove_tree (dir);
}

/* The child: a whole cluster on LMDB, writing keys round-R-N and reporting
 * each one the client saw answered (f+1 matching replies) on @fd. */
static void G_GNUC_NORETURN
cluster_child (const gchar *dir, guint round, int fd)
{
  Harness *h = harness_new_lmdb_at (dir, 1, 1, tweak);
  guint64 client = 100 + round;

  for (guint64 i = 1; i < 100000; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("round%u-%" G_GUINT64_FORMAT, round, i);
      g_autoptr (GBytes) op = kv_put (key, "committed");
      guint before = h->done->len;
      SynodPbftOutput *o;

      harness_submit (h, 0, client, i, op, FALSE);
      if (!harness_run_until_done (h, before + 1, 30 * G_USEC_PER_SEC))
        _exit (3);
      o = g_ptr_array_index (h->done, before);
      if (o->kind != SYNOD_PBFT_OUTPUT_DONE)
        _exit (4);
      if (write (fd, &i, sizeof i) != sizeof i)
        _exit (5);
    }
  _exit (0);
}

static gboolean
has_key (SynodStateVariable *state, const gchar *key)
{
  SynodStateVariableContext ctx = { .read_only = TRUE };
  g_autoptr (GBytes) op = synod_key_value_op_get (key);
  g_autoptr (GBytes) result = synod_state_variable_execute (state, &ctx, op);
  g_auto (SynodKeyValueResult) r = { 0 };

  g_assert_true (synod_key_value_result_parse (result, &r, NULL));
  return r.status == SYNOD_KEY_VALUE_KV_OK;
}

static void
test_kill_9 (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-kill9-XXXXXX", NULL);
  const guint64 targets[] = { 7, 23, 41 };

  g_test_summary ("kill -9 of a process running all four replicas, at three arbitrary points: "
                  "after restart on their LMDB stores, every request the client saw "
                  "committed is in every replica's state");
  for (guint round = 0; round < G_N_ELEMENTS (targets); round++)
    {
      int fds[2];
      pid_t pid;
      guint64 acked = 0, got;
      int status;
      g_autoptr (Harness) h = NULL;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          cluster_child (dir, round, fds[1]);
        }
      close (fds[1]);
      while (acked < targets[round])
        {
          struct pollfd pfd = { fds[0], POLLIN, 0 };

          g_assert_cmpint (poll (&pfd, 1, 30000), ==, 1);
          g_assert_cmpint (read (fds[0], &got, sizeof got), ==, sizeof got);
          acked = got;
        }
      /* The child is in the middle of its next request. */
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      while (read (fds[0], &got, sizeof got) == sizeof got)
        acked = MAX (acked, got);
      close (fds[0]);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      h = harness_new_lmdb_at (dir, 1, 1, tweak);
      g_assert_cmpuint (h->store_resets, ==, 0);
      /* Some progress, so replicas behind when killed catch up. */
      puts_until (h, 900 + round, 1, 2, "after-");
      harness_advance (h, 500 * MS);
      for (guint r = 0; r < h->n; r++)
        for (guint64 i = 1; i <= acked; i++)
          {
            g_autofree gchar *key = g_strdup_printf ("round%u-%" G_GUINT64_FORMAT, round, i);

            if (!has_key (h->states[r], key))
              g_error ("replica %u lost committed %s after kill -9", r, key);
          }
      assert_same_state (h);
    }
  harness_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/store/memory", test_memory);
  g_test_add_func ("/bft/store/lmdb", test_lmdb);
  g_test_add_func ("/bft/store/record-damage", test_record_damage);
  g_test_add_func ("/bft/store/damaged-environment", test_damaged_environment);
  g_test_add_func ("/bft/store/replica-repairs-damage", test_replica_repairs_damaged_store);
  g_test_add_func ("/bft/store/replica-missing-store", test_replica_missing_store);
  g_test_add_func ("/bft/store/kill-9", test_kill_9);
  return g_test_run ();
}
