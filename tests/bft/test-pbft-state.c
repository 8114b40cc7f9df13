/* The demo state variables (key-value store, counter) and the
 * linearizability checker the simulator relies on. */
#include "config.h"

#include <string.h>

#include "linearizability.h"
#include "synod-pbft.h"

static SynodKeyValueResult
run (SynodStateVariable *sv, GBytes *op, gboolean read_only)
{
  SynodStateVariableContext ctx = { .read_only = read_only };
  g_autoptr (GBytes) result = synod_state_variable_execute (sv, &ctx, op);
  SynodKeyValueResult r = { 0 };

  g_assert_true (synod_key_value_result_parse (result, &r, NULL));
  return r;
}

static void
assert_value (const SynodKeyValueResult *r, const gchar *expected)
{
  if (expected == NULL)
    {
      g_assert_null (r->value);
      return;
    }
  g_assert_nonnull (r->value);
  g_assert_cmpmem (r->value->val, r->value->len, expected, strlen (expected));
}

static GBytes *
put (const gchar *k, const gchar *v)
{
  return synod_key_value_op_put (k, (const guint8 *)v, strlen (v));
}

static void
test_kv_ops (void)
{
  g_autoptr (SynodKeyValue) kv = synod_key_value_new ();
  SynodStateVariable *sv = SYNOD_STATE_VARIABLE (kv);
  g_autoptr (GBytes) p1 = put ("a", "1"), p2 = put ("a", "2"), get = synod_key_value_op_get ("a");
  g_autoptr (GBytes) del = synod_key_value_op_delete ("a");
  g_autoptr (GBytes) cas_absent = synod_key_value_op_cas ("a", NULL, 0, (const guint8 *)"x", 1);
  g_autoptr (GBytes) cas_x
      = synod_key_value_op_cas ("a", (const guint8 *)"x", 1, (const guint8 *)"y", 1);
  g_autoptr (GBytes) garbage = g_bytes_new_static ("\xff\xff", 2);
  g_autofree gchar *long_key = g_strnfill (SYNOD_KEY_VALUE_MAX_KEY + 1, 'k');
  g_auto (SynodKeyValueResult) r1 = run (sv, p1, FALSE);
  g_auto (SynodKeyValueResult) r2 = run (sv, p2, FALSE);
  g_auto (SynodKeyValueResult) r3 = run (sv, get, TRUE);
  g_auto (SynodKeyValueResult) r4 = run (sv, p1, TRUE);
  g_auto (SynodKeyValueResult) r5 = run (sv, cas_absent, FALSE);
  g_auto (SynodKeyValueResult) r6 = run (sv, del, FALSE);
  g_auto (SynodKeyValueResult) r7 = run (sv, cas_x, FALSE);
  g_auto (SynodKeyValueResult) r8 = run (sv, cas_absent, FALSE);
  g_auto (SynodKeyValueResult) r9 = run (sv, cas_x, FALSE);
  g_auto (SynodKeyValueResult) r10 = run (sv, garbage, FALSE);

  g_test_summary ("Key-value operations: put returns the previous value, CAS on absent and "
                  "present values, delete, writes refused as read-only, garbage refused");
  g_assert_cmpint (r1.status, ==, SYNOD_KEY_VALUE_KV_OK);
  assert_value (&r1, NULL);
  assert_value (&r2, "1");
  assert_value (&r3, "2");
  g_assert_cmpint (r4.status, ==, SYNOD_KEY_VALUE_KV_READ_ONLY);
  g_assert_cmpint (r5.status, ==, SYNOD_KEY_VALUE_KV_CAS_FAILED);
  assert_value (&r5, "2");
  g_assert_cmpint (r6.status, ==, SYNOD_KEY_VALUE_KV_OK);
  assert_value (&r6, "2");
  g_assert_cmpint (r7.status, ==, SYNOD_KEY_VALUE_KV_CAS_FAILED);
  assert_value (&r7, NULL);
  g_assert_cmpint (r8.status, ==, SYNOD_KEY_VALUE_KV_OK);
  assert_value (&r8, "x");
  g_assert_cmpint (r9.status, ==, SYNOD_KEY_VALUE_KV_OK);
  assert_value (&r9, "y");
  g_assert_cmpint (r10.status, ==, SYNOD_KEY_VALUE_KV_BAD_OP);
  g_assert_null (synod_key_value_op_get (long_key));
}

static void
test_kv_snapshot (void)
{
  g_autoptr (SynodKeyValue) a = synod_key_value_new ();
  g_autoptr (SynodKeyValue) b = synod_key_value_new ();
  g_autoptr (GBytes) snap = NULL;
  g_autoptr (GBytes) snap2 = NULL;
  g_autoptr (GError) error = NULL;
  guint8 da[32], db[32];
  static const gchar *const keys[] = { "zeta", "alpha", "mid", "", "alpha2" };

  g_test_summary ("Snapshots depend only on contents (not insertion order), restore exactly, "
                  "and a snapshot with unsorted keys or garbage is refused");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr (GBytes) op = put (keys[i], keys[i]);
      g_autoptr (GBytes) opb
          = put (keys[G_N_ELEMENTS (keys) - 1 - i], keys[G_N_ELEMENTS (keys) - 1 - i]);
      SynodStateVariableContext ctx = { 0 };
      g_bytes_unref (synod_state_variable_execute (SYNOD_STATE_VARIABLE (a), &ctx, op));
      g_bytes_unref (synod_state_variable_execute (SYNOD_STATE_VARIABLE (b), &ctx, opb));
    }
  synod_state_variable_digest (SYNOD_STATE_VARIABLE (a), da);
  synod_state_variable_digest (SYNOD_STATE_VARIABLE (b), db);
  g_assert_cmpmem (da, 32, db, 32);

  snap = synod_state_variable_snapshot (SYNOD_STATE_VARIABLE (a));
  {
    g_autoptr (SynodKeyValue) c = synod_key_value_new ();
    guint8 dc[32];

    g_assert_true (synod_state_variable_restore (SYNOD_STATE_VARIABLE (c), snap, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (synod_key_value_get_size (c), ==, G_N_ELEMENTS (keys));
    synod_state_variable_digest (SYNOD_STATE_VARIABLE (c), dc);
    g_assert_cmpmem (da, 32, dc, 32);
  }
  /* Two entries in the wrong order. */
  {
    SynodKeyValueEntry e[2]
        = { { (gchar *)"b", { 1, (guint8 *)"1" } }, { (gchar *)"a", { 1, (guint8 *)"2" } } };
    SynodKeyValueSnapshot s = { { 2, e } };

    snap2 = synod_value_encode (&synod_key_value_snapshot_desc, &s, NULL);
    g_assert_false (synod_state_variable_restore (SYNOD_STATE_VARIABLE (b), snap2, &error));
    g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STATE);
    g_clear_error (&error);
  }
  {
    g_autoptr (GBytes) junk = g_bytes_new_static ("\x00\x00\x00\x05", 4);

    g_assert_false (synod_state_variable_restore (SYNOD_STATE_VARIABLE (b), junk, &error));
    g_assert_nonnull (error);
  }
}

static void
test_counter (void)
{
  g_autoptr (SynodCounter) c = synod_counter_new ();
  SynodStateVariableContext ctx = { .seq = 1, .timestamp = 1234 };
  g_autoptr (GBytes) add = synod_counter_op_add (5);
  g_autoptr (GBytes) get = synod_counter_op_get ();
  g_autoptr (GBytes) r1 = NULL;
  g_autoptr (GBytes) r2 = NULL;
  g_autoptr (GBytes) snap = NULL;
  g_autoptr (SynodCounter) d = synod_counter_new ();
  SynodKeyValueCounterResult res = { 0 };

  g_test_summary ("The counter adds, refuses adds submitted as read-only, reports the agreed "
                  "timestamp and seed, and snapshots its value");
  ctx.seed[0] = 0x01;
  ctx.seed[7] = 0x02;
  r1 = synod_state_variable_execute (SYNOD_STATE_VARIABLE (c), &ctx, add);
  g_assert_true (synod_counter_result_parse (r1, &res, NULL));
  g_assert_cmpint (res.value, ==, 5);
  g_assert_cmpuint (res.timestamp, ==, 1234);
  g_assert_cmpuint (res.random, ==, G_GUINT64_CONSTANT (0x0100000000000002));
  ctx.read_only = TRUE;
  r2 = synod_state_variable_execute (SYNOD_STATE_VARIABLE (c), &ctx, add);
  g_assert_true (synod_counter_result_parse (r2, &res, NULL));
  g_assert_true (res.refused);
  g_assert_cmpint (res.value, ==, 5);
  snap = synod_state_variable_snapshot (SYNOD_STATE_VARIABLE (c));
  g_assert_true (synod_state_variable_restore (SYNOD_STATE_VARIABLE (d), snap, NULL));
  g_assert_cmpint (synod_counter_get_value (d), ==, 5);
  (void)get;
}

/* ---- the linearizability checker ---- */

static void
test_lin_accepts (void)
{
  g_autoptr (LinHistory) h = lin_history_new ();
  guint w, r1, r2, c;

  g_test_summary ("Concurrent operations may take effect in any order inside their intervals");
  /* put x=1 [0,10]; get -> 1 [5,15] overlaps; get -> NULL [2,4] before. */
  w = lin_history_invoke (h, LIN_PUT, "x", "1", NULL, 0);
  r1 = lin_history_invoke (h, LIN_GET, "x", NULL, NULL, 2);
  r2 = lin_history_invoke (h, LIN_GET, "x", NULL, NULL, 5);
  lin_history_complete (h, r1, 4, TRUE, NULL);
  lin_history_complete (h, w, 10, TRUE, NULL);
  lin_history_complete (h, r2, 15, TRUE, "1");
  /* CAS 1 -> 2 succeeds later; an incomplete put may or may not happen. */
  c = lin_history_invoke (h, LIN_CAS, "x", "2", "1", 20);
  lin_history_complete (h, c, 25, TRUE, "2");
  lin_history_invoke (h, LIN_PUT, "x", "lost", NULL, 30);
  g_assert_true (lin_history_check (h, 100000, NULL, NULL));
}

static void
test_lin_rejects (void)
{
  g_autoptr (LinHistory) stale = lin_history_new ();
  g_autoptr (LinHistory) lost = lin_history_new ();
  g_autoptr (LinHistory) cas = lin_history_new ();
  g_autofree gchar *key = NULL;
  guint a, b;

  g_test_summary ("A stale read after a completed write, a lost write, and a CAS that could "
                  "not have succeeded are all caught");
  a = lin_history_invoke (stale, LIN_PUT, "k", "new", NULL, 0);
  lin_history_complete (stale, a, 10, TRUE, NULL);
  b = lin_history_invoke (stale, LIN_GET, "k", NULL, NULL, 11);
  lin_history_complete (stale, b, 12, TRUE, NULL);
  g_assert_false (lin_history_check (stale, 100000, &key, NULL));
  g_assert_cmpstr (key, ==, "k");

  a = lin_history_invoke (lost, LIN_PUT, "k", "1", NULL, 0);
  lin_history_complete (lost, a, 1, TRUE, NULL);
  b = lin_history_invoke (lost, LIN_PUT, "k", "2", NULL, 2);
  lin_history_complete (lost, b, 3, TRUE, "0");
  g_assert_false (lin_history_check (lost, 100000, NULL, NULL));

  a = lin_history_invoke (cas, LIN_CAS, "k", "2", "1", 0);
  lin_history_complete (cas, a, 1, TRUE, "2");
  g_assert_false (lin_history_check (cas, 100000, NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/state/key-value/operations", test_kv_ops);
  g_test_add_func ("/bft/state/key-value/snapshot", test_kv_snapshot);
  g_test_add_func ("/bft/state/counter", test_counter);
  g_test_add_func ("/bft/state/linearizability/accepts", test_lin_accepts);
  g_test_add_func ("/bft/state/linearizability/rejects", test_lin_rejects);
  return g_test_run ();
}
