/* Targeted tests of the PBFT replica and client: the normal case, batching,
 * checkpoints and garbage collection, view changes (prepared requests
 * surviving, new-view proofs checked), state transfer, exactly-once,
 * non-determinism checks, read-only requests, hostile messages, the
 * new-view decision rule, and restart from LMDB. */
#include "config.h"

#include <string.h>

#include "pbft-harness.h"

#define MS 1000

static GBytes *
kv_put (const gchar *key, const gchar *value)
{
  return synod_key_value_op_put (key, (const guint8 *)value, strlen (value));
}

/* The value a replica's state holds for @key (NULL: absent). */
static gchar *
state_get (SynodStateVariable *state, const gchar *key)
{
  SynodStateVariableContext ctx = { .read_only = TRUE };
  g_autoptr (GBytes) op = synod_key_value_op_get (key);
  g_autoptr (GBytes) result = synod_state_variable_execute (state, &ctx, op);
  g_auto (SynodKeyValueResult) r = { 0 };

  g_assert_true (synod_key_value_result_parse (result, &r, NULL));
  return r.value ? g_strndup ((const gchar *)r.value->val, r.value->len) : NULL;
}

static gchar *
result_value (GBytes *result)
{
  g_auto (SynodKeyValueResult) r = { 0 };

  g_assert_true (synod_key_value_result_parse (result, &r, NULL));
  return r.value ? g_strndup ((const gchar *)r.value->val, r.value->len) : NULL;
}

static void
assert_done (Harness *h, guint64 client, guint64 number)
{
  SynodPbftOutput *o = harness_find_done (h, client, number);

  g_assert_nonnull (o);
  g_assert_cmpint (o->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
}

/* Runs @count sequential PUTs of client @client_id from client node 0. */
static void
run_puts (Harness *h, guint64 client_id, guint64 first, guint count)
{
  for (guint64 i = first; i < first + count; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("key%" G_GUINT64_FORMAT, i % 5);
      g_autofree gchar *value = g_strdup_printf ("v%" G_GUINT64_FORMAT, i);
      g_autoptr (GBytes) op = kv_put (key, value);
      guint before = h->done->len;

      harness_submit (h, 0, client_id, i, op, FALSE);
      g_assert_true (harness_run_until_done (h, before + 1, 30 * G_USEC_PER_SEC));
      assert_done (h, client_id, i);
    }
}

static void
test_normal_case (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("a", "1");
  g_autoptr (GError) error = NULL;
  SynodPbftOutput *o;
  SynodPbftReply *r0;

  g_test_summary ("One write through pre-prepare, prepare, commit, execute and reply; "
                  "the client's f+1 signed replies prove the result, and tampering breaks it");
  harness_submit (h, 0, 7, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  o = harness_find_done (h, 7, 1);
  g_assert_nonnull (o);
  g_assert_cmpint (o->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
  g_assert_false (o->read_only);
  g_assert_cmpuint (o->proof->len, ==, h->f + 1);
  for (guint i = 0; i < h->n; i++)
    {
      g_autofree gchar *v = state_get (h->states[i], "a");

      g_assert_cmpuint (h->executed[i], ==, 1);
      g_assert_cmpstr (v, ==, "1");
    }
  g_assert_true (
      synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 7, 1, o->result, o->proof, &error));
  g_assert_no_error (error);

  /* Wrong request number, a tampered result, a duplicated replica, too few. */
  g_assert_false (
      synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 7, 2, o->result, o->proof, NULL));
  r0 = g_ptr_array_index (o->proof, 0);
  r0->result.val[0] ^= 1;
  g_assert_false (
      synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 7, 1, o->result, o->proof, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF);
  g_clear_error (&error);
  r0->result.val[0] ^= 1;
  {
    g_autoptr (GPtrArray) dup = g_ptr_array_new ();

    g_ptr_array_add (dup, r0);
    g_ptr_array_add (dup, r0);
    g_assert_false (
        synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 7, 1, o->result, dup, NULL));
    g_ptr_array_set_size (dup, 1);
    g_assert_false (
        synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 7, 1, o->result, dup, NULL));
  }
}

static void
tweak_batching (SynodPbftConfig *c)
{
  c->max_batch = 16;
  c->max_inflight = 1;
}

static void
test_batching (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_batching);
  const SynodPbftReplicaStats *st;

  g_test_summary ("Requests arriving while a batch is in flight are packed into the next "
                  "pre-prepare, at most max_batch per batch");
  for (guint64 c = 1; c <= 40; c++)
    {
      g_autofree gchar *value = g_strdup_printf ("%" G_GUINT64_FORMAT, c);
      g_autoptr (GBytes) op = kv_put ("counter", value);

      harness_submit (h, 0, c, 1, op, FALSE);
    }
  g_assert_true (harness_run_until_done (h, 40, 5 * G_USEC_PER_SEC));
  st = synod_pbft_replica_get_stats (h->replicas[0]);
  g_assert_cmpuint (st->requests_executed, ==, 40);
  /* First request alone, then the 39 queued behind it in batches of <= 16. */
  g_assert_cmpuint (st->batches_executed, ==, 4);
  for (guint i = 0; i < h->n; i++)
    g_assert_cmpuint (h->batches[i], ==, 4);
}

typedef struct
{
  guint64 min_key;
  guint count;
} KeyScan;

static gboolean
scan_key (GBytes *key, GBytes *value, gpointer user_data)
{
  KeyScan *ks = user_data;
  guint64 seq;

  memcpy (&seq, g_bytes_get_data (key, NULL), 8);
  seq = GUINT64_FROM_BE (seq);
  ks->min_key = MIN (ks->min_key, seq);
  ks->count++;
  return TRUE;
}

static void
tweak_one_per_batch (SynodPbftConfig *c)
{
  c->max_batch = 1;
}

static void
test_checkpoint_gc (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_one_per_batch);

  g_test_summary ("Checkpoints every K sequence numbers become stable at 2f+1 and the log "
                  "and older checkpoints below them are removed from memory and the store");
  run_puts (h, 9, 1, 21);
  /* Status exchanges deliver the last checkpoint votes. */
  harness_advance (h, 200 * MS);
  for (guint i = 0; i < h->n; i++)
    {
      KeyScan entries = { G_MAXUINT64, 0 }, ckpts = { G_MAXUINT64, 0 };
      guint64 stable = synod_pbft_replica_get_stable_seq (h->replicas[i]);

      g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 21);
      g_assert_cmpuint (stable, ==, 20);
      g_assert_true (synod_pbft_store_foreach (h->stores[i], SYNOD_PBFT_TABLE_ENTRY, scan_key,
                                               &entries, NULL));
      g_assert_true (synod_pbft_store_foreach (h->stores[i], SYNOD_PBFT_TABLE_CHECKPOINT, scan_key,
                                               &ckpts, NULL));
      g_assert_cmpuint (entries.count, ==, 1);
      g_assert_cmpuint (entries.min_key, >, stable);
      g_assert_cmpuint (ckpts.count, ==, 1);
      g_assert_cmpuint (ckpts.min_key, ==, stable);
      g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[i])->checkpoints_stable, ==, 5);
    }
}

/* ---- view changes ---- */

/* Commits of view 0 never arrive: the request prepares but cannot commit
 * until a new view carries it. */
static gboolean
drop_commits (Harness *h, HMsg *m, gpointer user_data)
{
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];

  if (m->type != SYNOD_PBFT_MSG_COMMIT)
    return TRUE;
  g_assert_true (pbft_open (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), G_MAXSIZE,
                            &env, digest, NULL));
  return env.message.body.u.vote.view != 0;
}

static void
test_view_change_prepared_survives (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("x", "prepared");
  SynodPbftOutput *o;
  g_autofree gchar *v = NULL;

  g_test_summary ("A request prepared (not committed) in view 0 is carried by the new view "
                  "at the same sequence number after the primary fails, and runs once");
  h->filter = drop_commits;
  harness_submit (h, 0, 3, 1, op, FALSE);
  harness_pump (h);
  for (guint i = 0; i < h->n; i++)
    g_assert_cmpuint (h->executed[i], ==, 0);
  harness_crash (h, 0);
  g_assert_true (harness_run_until_done (h, 1, 10 * G_USEC_PER_SEC));
  o = harness_find_done (h, 3, 1);
  g_assert_cmpint (o->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
  v = result_value (o->result);
  g_assert_null (v);
  for (guint i = 1; i < h->n; i++)
    {
      g_autofree gchar *x = state_get (h->states[i], "x");

      g_assert_cmpuint (synod_pbft_replica_get_view (h->replicas[i]), ==, 1);
      g_assert_true (synod_pbft_replica_is_view_active (h->replicas[i]));
      g_assert_cmpuint (h->executed[i], ==, 1);
      /* Same sequence number as in view 0: the prepared batch survived. */
      g_assert_cmpuint (h->last_exec_seq[i], ==, 1);
      g_assert_cmpstr (x, ==, "prepared");
    }
  /* The old primary comes back, learns the new view and catches up. */
  harness_boot (h, 0);
  run_puts (h, 3, 2, 2);
  harness_advance (h, 300 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_view (h->replicas[0]), ==, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[0]), ==,
                    synod_pbft_replica_get_last_executed (h->replicas[1]));
}

typedef struct
{
  guint tampered;
} NewViewTamper;

/* The primary of view 1 is Byzantine: its NEW-VIEW carries a decision the
 * view changes do not support (validly signed by itself). */
static gboolean
tamper_new_view (Harness *h, HMsg *m, gpointer user_data)
{
  NewViewTamper *t = user_data;
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];
  g_autoptr (GBytes) forged = NULL;
  SynodPbftNewView *nv;

  if (m->type == SYNOD_PBFT_MSG_COMMIT && !drop_commits (h, m, NULL))
    return FALSE;
  if (m->type != SYNOD_PBFT_MSG_NEW_VIEW || m->from != 1)
    return TRUE;
  g_assert_true (pbft_open (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), G_MAXSIZE,
                            &env, digest, NULL));
  nv = &env.message.body.u.new_view;
  if (nv->view != 1)
    return TRUE;
  g_assert_cmpuint (nv->entries.len, >=, 1);
  memset (nv->entries.val[0].digest, 0x77, 32);
  forged = pbft_seal (h->keys[1], &env.message, SYNOD_PBFT_AUTH_SIGNATURE, 0, h->n, NULL);
  g_bytes_unref (m->data);
  m->data = g_steal_pointer (&forged);
  t->tampered++;
  return TRUE;
}

static void
test_new_view_proofs_checked (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("y", "1");
  NewViewTamper t = { 0 };

  g_test_summary ("A new view whose entries do not follow from its view changes is refused; "
                  "the replicas move on to the next view and the request completes");
  h->filter = tamper_new_view;
  h->filter_data = &t;
  harness_submit (h, 0, 4, 1, op, FALSE);
  harness_pump (h);
  harness_crash (h, 0);
  g_assert_true (harness_run_until_done (h, 1, 20 * G_USEC_PER_SEC));
  assert_done (h, 4, 1);
  g_assert_cmpuint (t.tampered, >=, 1);
  for (guint i = 2; i < h->n; i++)
    {
      g_assert_cmpuint (synod_pbft_replica_get_view (h->replicas[i]), >=, 2);
      g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[i])->auth_failures, >=, 1);
      g_assert_cmpuint (h->executed[i], ==, 1);
    }
}

typedef struct
{
  gboolean hold_view0;
} RecommitScenario;

/* Replica 3 is silent; in view 0 replica 2 gets no commits, and while
 * hold_view0 no pre-prepare of view 0 leaves the primary; in later views
 * replicas 0 and 1, which committed sequence number 1 in view 0, never get
 * a prepare for it (and retransmission skips what they executed). */
static gboolean
recommit_filter (Harness *h, HMsg *m, gpointer user_data)
{
  RecommitScenario *rs = user_data;
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];

  if (m->from == 3)
    return FALSE;
  if (m->type != SYNOD_PBFT_MSG_COMMIT && m->type != SYNOD_PBFT_MSG_PRE_PREPARE
      && m->type != SYNOD_PBFT_MSG_PREPARE)
    return TRUE;
  g_assert_true (pbft_open (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), G_MAXSIZE,
                            &env, digest, NULL));
  if (m->type == SYNOD_PBFT_MSG_COMMIT)
    return !(m->to == 2 && env.message.body.u.vote.view == 0);
  if (m->type == SYNOD_PBFT_MSG_PREPARE)
    return !(m->to < 2 && env.message.body.u.vote.view > 0 && env.message.body.u.vote.seq == 1);
  return !(rs->hold_view0 && env.message.body.u.pre_prepare.view == 0);
}

static void
test_committed_recommits (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op1 = kv_put ("c", "1");
  g_autoptr (GBytes) op2 = kv_put ("c", "2");
  RecommitScenario rs = { FALSE };

  g_test_summary ("A replica that committed a batch in an earlier view commits it again when "
                  "a new view carries it, so a replica that missed the commit can catch up "
                  "even when every correct replica's vote is needed");
  h->filter = recommit_filter;
  h->filter_data = &rs;
  harness_submit (h, 0, 6, 1, op1, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[0]), ==, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[1]), ==, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[2]), ==, 0);
  /* The primary stalls: the backups change to view 1. */
  rs.hold_view0 = TRUE;
  harness_submit (h, 0, 6, 2, op2, FALSE);
  g_assert_true (harness_run_until_done (h, 2, 10 * G_USEC_PER_SEC));
  harness_advance (h, 200 * MS);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (synod_pbft_replica_get_view (h->replicas[i]), >=, 1);
      g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 2);
    }
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[2])->state_transfers, ==, 0);
}

/* ---- state transfer ---- */

static gboolean
isolate_3 (Harness *h, HMsg *m, gpointer user_data)
{
  return m->to != 3 && m->from != 3;
}

static void
test_state_transfer (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_one_per_batch);
  guint8 d0[32], d3[32];

  g_test_summary ("A replica cut off while the others move two windows ahead fetches a stable "
                  "checkpoint, checks it against 2f+1 signatures, and ends with the same state");
  h->filter = isolate_3;
  run_puts (h, 8, 1, 22);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[3]), ==, 0);
  h->filter = NULL;
  harness_advance (h, 500 * MS);
  run_puts (h, 8, 23, 2);
  harness_advance (h, 300 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[3])->state_transfers, >=, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[3]), ==, 24);
  synod_state_variable_digest (h->states[0], d0);
  synod_state_variable_digest (h->states[3], d3);
  g_assert_cmpmem (d0, 32, d3, 32);
}

static void
test_stale_number (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("key0", "late");
  SynodPbftOutput *o;
  guint before;

  g_test_summary ("A request numbered below its client's last executed one is answered STALE by "
                  "the replicas, and the client fails it with a STALE error well before its "
                  "retransmission timeout instead of waiting out every attempt; nothing executes");
  run_puts (h, 7, 5, 1);
  before = h->done->len;
  harness_submit (h, 0, 7, 3, op, FALSE);
  g_assert_true (harness_run_until_done (h, before + 1, h->config.client_timeout / 2));
  o = harness_find_done (h, 7, 3);
  g_assert_nonnull (o);
  g_assert_cmpint (o->kind, ==, SYNOD_PBFT_OUTPUT_FAILED);
  g_assert_error (o->error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STALE);
  g_assert_nonnull (strstr (o->error->message, "(5 or later)"));
  for (guint i = 0; i < h->n; i++)
    g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 1);
  run_puts (h, 7, 6, 1); /* a higher number executes */
}

/* Drops every CHECKPOINT vote addressed to one replica while drop is set. */
typedef struct
{
  guint to;
  gboolean drop;
} CheckpointDrop;

static gboolean
drop_checkpoints (Harness *h, HMsg *m, gpointer user_data)
{
  CheckpointDrop *d = user_data;

  return !(d->drop && m->type == SYNOD_PBFT_MSG_CHECKPOINT && m->to == d->to);
}

static void
test_lost_checkpoint_votes (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_one_per_batch);
  CheckpointDrop drop = { 3, TRUE };

  g_test_summary ("A replica that never receives the others' CHECKPOINT votes learns each "
                  "stable checkpoint from a peer's STABLE proof (sent when its STATUS shows it "
                  "behind), so it keeps moving past its window without a state transfer");
  h->filter = drop_checkpoints;
  h->filter_data = &drop;
  /* A status interval between requests, so the proof comes before the
   * others are a checkpoint ahead (then a state transfer is right too). */
  for (guint64 i = 1; i <= 20; i++)
    {
      run_puts (h, 5, i, 1);
      harness_advance (h, h->config.status_interval + MS);
    }
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[3]), ==, 20);
  g_assert_cmpuint (synod_pbft_replica_get_stable_seq (h->replicas[3]), ==, 20);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[3])->state_transfers, ==, 0);
}

static void
test_damage_found_late (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_one_per_batch);
  SynodStateVariableContext ctx = { 0 };
  g_autoptr (GBytes) poison = kv_put ("key1", "poison");
  g_autoptr (GBytes) ignored = NULL;
  CheckpointDrop drop = { 2, TRUE };
  guint8 d0[32], d2[32];

  g_test_summary ("A damaged replica that learns the stable checkpoint only after executing "
                  "past it still repairs itself: it fetches that checkpoint (not one beyond "
                  "what it executed, which nobody has) and executes its log above it again");
  run_puts (h, 5, 1, 3);
  ignored = synod_state_variable_execute (h->states[2], &ctx, poison);
  h->filter = drop_checkpoints;
  h->filter_data = &drop;
  run_puts (h, 5, 4, 3); /* the checkpoint at 4 is stable without replica 2 knowing */
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[2]), ==, 6);
  g_assert_cmpuint (synod_pbft_replica_get_stable_seq (h->replicas[0]), ==, 4);
  g_assert_cmpuint (synod_pbft_replica_get_stable_seq (h->replicas[2]), ==, 0);
  drop.drop = FALSE;
  harness_advance (h, 300 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[2])->state_transfers, >=, 1);
  g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[2]), ==, 6);
  synod_state_variable_digest (h->states[0], d0);
  synod_state_variable_digest (h->states[2], d2);
  g_assert_cmpmem (d0, 32, d2, 32);
  run_puts (h, 5, 7, 3);
  harness_advance (h, 300 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_stable_seq (h->replicas[2]), ==, 8);
  synod_state_variable_digest (h->states[0], d0);
  synod_state_variable_digest (h->states[2], d2);
  g_assert_cmpmem (d0, 32, d2, 32);
}

static void
test_corrupt_state_repaired (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_one_per_batch);
  SynodStateVariableContext ctx = { 0 };
  g_autoptr (GBytes) poison = kv_put ("key1", "poison");
  g_autoptr (GBytes) ignored = NULL;
  guint8 d0[32], d2[32];

  g_test_summary ("A replica whose state was damaged behind the protocol's back finds out at "
                  "the next stable checkpoint and repairs itself by state transfer");
  run_puts (h, 5, 1, 3);
  ignored = synod_state_variable_execute (h->states[2], &ctx, poison);
  run_puts (h, 5, 4, 6);
  harness_advance (h, 300 * MS);
  g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[2])->state_transfers, >=, 1);
  synod_state_variable_digest (h->states[0], d0);
  synod_state_variable_digest (h->states[2], d2);
  g_assert_cmpmem (d0, 32, d2, 32);
  for (guint64 i = 1; i <= 9; i++)
    {
      SynodPbftOutput *o = harness_find_done (h, 5, i);
      g_autofree gchar *prev = result_value (o->result);

      /* key1 was written by request 1 and 6 only: never "poison". */
      g_assert_cmpstr (prev, !=, "poison");
    }
}

/* ---- exactly once ---- */

static void
test_exactly_once (void)
{
  g_autoptr (Harness) h = harness_new (1, 2, NULL);
  g_autoptr (GBytes) op = kv_put ("once", "first");
  g_autoptr (GBytes) other = kv_put ("once", "second");
  SynodPbftOutput *a, *b;

  g_test_summary ("A retry of an executed request, even through another client node and with "
                  "another operation, gets the cached reply and executes nothing");
  harness_submit (h, 0, 77, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  harness_submit (h, 1, 77, 1, other, FALSE);
  g_assert_true (harness_run_until_done (h, 2, 5 * G_USEC_PER_SEC));
  a = g_ptr_array_index (h->done, 0);
  b = g_ptr_array_index (h->done, 1);
  g_assert_cmpint (b->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
  g_assert_true (g_bytes_equal (a->result, b->result));
  for (guint i = 0; i < h->n; i++)
    {
      g_autofree gchar *v = state_get (h->states[i], "once");

      g_assert_cmpuint (h->executed[i], ==, 1);
      g_assert_cmpstr (v, ==, "first");
    }
}

static void
test_client_busy (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("b", "1");
  g_autoptr (GBytes) big
      = g_bytes_new_take (g_malloc0 (SYNOD_PBFT_MAX_OP_SIZE + 1), SYNOD_PBFT_MAX_OP_SIZE + 1);
  g_autoptr (GError) error = NULL;

  g_test_summary ("One request in flight per client id; an oversized operation is refused");
  harness_submit (h, 0, 1, 1, op, FALSE);
  g_assert_false (synod_pbft_client_submit (h->clients[0], h->now, 1, 2, op, FALSE, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (synod_pbft_client_submit (h->clients[0], h->now, 2, 1, big, FALSE, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
}

/* ---- non-determinism ---- */

static void
tweak_skew (SynodPbftConfig *c)
{
  c->max_clock_skew = G_USEC_PER_SEC;
}

static void
test_clock_skew_rejected (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, tweak_skew);
  g_autoptr (GBytes) op = synod_counter_op_add (1);

  g_test_summary ("Backups refuse pre-prepares whose timestamp is beyond the clock-skew bound; "
                  "the primary with the wrong clock is replaced");
  h->clock_offset[0] = 5 * G_USEC_PER_SEC;
  harness_submit (h, 0, 1, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, 20 * G_USEC_PER_SEC));
  assert_done (h, 1, 1);
  for (guint i = 1; i < h->n; i++)
    {
      g_assert_cmpuint (synod_pbft_replica_get_stats (h->replicas[i])->rejected_pre_prepares, >=,
                        1);
      g_assert_cmpuint (synod_pbft_replica_get_view (h->replicas[i]), >=, 1);
    }
}

/* A pre-prepare built by hand, as the primary (replica 0) could send it. */
static GBytes *
craft_pre_prepare (Harness *h, guint64 seq, gboolean good_seed, gint64 timestamp)
{
  SynodPbftMessage m = { .service = h->config.service, .sender = 0 };
  SynodPbftPrePrepare *pp = &m.body.u.pre_prepare;
  SynodPbftSignedRequest sr = { 0 };
  g_autoptr (GBytes) op = kv_put ("crafted", "1");
  guint8 seed[64] = { 0 };
  gsize len;

  m.body.type = SYNOD_PBFT_MSG_PRE_PREPARE;
  sr.request.client = 500;
  sr.request.number = 1;
  sr.request.origin = h->n;
  sr.request.op.val = (guint8 *)g_bytes_get_data (op, &len);
  sr.request.op.len = len;
  g_assert_true (
      pbft_request_authenticate (h->keys[h->n], h->config.service, h->n, FALSE, &sr, NULL));
  pp->view = 0;
  pp->seq = seq;
  pp->batch.nondet.timestamp = timestamp;
  pp->batch.nondet.proposer_view = 0;
  if (good_seed)
    {
      SynodPbftSeedStatement st = { h->config.service, 0, seq };
      g_autoptr (GBytes) stb = synod_value_encode (&synod_pbft_seed_statement_desc, &st, NULL);

      g_assert_true (synod_pbft_keyring_sign (h->keys[0], g_bytes_get_data (stb, NULL),
                                              g_bytes_get_size (stb), seed));
    }
  else
    memset (seed, 0x42, sizeof seed);
  pp->batch.nondet.seed_proof.val = seed;
  pp->batch.nondet.seed_proof.len = 64;
  pp->batch.requests.val = &sr;
  pp->batch.requests.len = 1;
  {
    GBytes *b = pbft_seal (h->keys[0], &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, h->n, NULL);

    synod_pbft_auth_clear (&sr.auth);
    return b;
  }
}

static gboolean
drop_all (Harness *h, HMsg *m, gpointer user_data)
{
  return FALSE;
}

static void
test_seed_checked (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) bad = craft_pre_prepare (h, 1, FALSE, h->now);
  g_autoptr (GBytes) good = craft_pre_prepare (h, 1, TRUE, h->now);
  const SynodPbftReplicaStats *st = synod_pbft_replica_get_stats (h->replicas[1]);

  g_test_summary ("A backup checks the primary's seed proof (an Ed25519 signature over view "
                  "and sequence number) and accepts the pre-prepare only when it verifies");
  h->filter = drop_all;
  synod_pbft_replica_receive (h->replicas[1], h->now, g_bytes_get_data (bad, NULL),
                              g_bytes_get_size (bad));
  g_assert_cmpuint (st->rejected_pre_prepares, ==, 1);
  synod_pbft_replica_receive (h->replicas[1], h->now, g_bytes_get_data (good, NULL),
                              g_bytes_get_size (good));
  g_assert_cmpuint (st->rejected_pre_prepares, ==, 1);
  g_assert_cmpuint (st->equivocations + st->duplicates, ==, 0);
  /* The same pre-prepare again is a duplicate, not a second acceptance. */
  synod_pbft_replica_receive (h->replicas[1], h->now, g_bytes_get_data (good, NULL),
                              g_bytes_get_size (good));
  g_assert_cmpuint (st->duplicates, ==, 1);
}

static void
test_nondet_agreed (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = synod_counter_op_add (2);
  SynodPbftOutput *o;
  SynodKeyValueCounterResult r = { 0 };

  g_test_summary ("The state variable sees the primary's timestamp and seed, identical on "
                  "every replica (matching replies include them)");
  /* The harness runs key-value states; the counter decodes its own ops
   * only, so swap state variables for this test. */
  for (guint i = 0; i < h->n; i++)
    {
      harness_crash (h, i);
      g_clear_pointer (&h->stores[i], synod_pbft_store_unref);
    }
  for (guint i = 0; i < h->n; i++)
    {
      h->stores[i] = synod_pbft_store_new_memory ();
      g_clear_object (&h->states[i]);
    }
  for (guint i = 0; i < h->n; i++)
    {
      g_autoptr (GError) error = NULL;

      h->states[i] = SYNOD_STATE_VARIABLE (synod_counter_new ());
      h->replicas[i]
          = synod_pbft_replica_new (&h->config, h->keys[i], h->states[i], h->stores[i], &error);
      g_assert_no_error (error);
      h->down[i] = FALSE;
      synod_pbft_replica_start (h->replicas[i], h->now);
    }
  harness_submit (h, 0, 1, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  o = harness_find_done (h, 1, 1);
  g_assert_true (synod_counter_result_parse (o->result, &r, NULL));
  g_assert_cmpint (r.value, ==, 2);
  g_assert_cmpuint (r.timestamp, >=, (guint64)h->now - G_USEC_PER_SEC);
  g_assert_cmpuint (r.timestamp, <=, (guint64)h->now);
  g_assert_cmpuint (r.random, !=, 0);
  /* f+1 replies matched byte for byte, timestamp and seed included. */
  g_assert_cmpuint (o->proof->len, ==, 2);
}

/* ---- read-only ---- */

static void
test_read_only (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) put = kv_put ("r", "v");
  g_autoptr (GBytes) get = synod_key_value_op_get ("r");
  g_autoptr (GBytes) bad_put = kv_put ("r", "write");
  SynodPbftOutput *o;
  g_autofree gchar *v = NULL;
  g_auto (SynodKeyValueResult) refused = { 0 };

  g_test_summary ("A read-only request is answered without ordering by 2f+1 matching replies; "
                  "a write submitted as read-only is refused by the state variable");
  harness_submit (h, 0, 1, 1, put, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  harness_submit (h, 0, 1, 2, get, TRUE);
  g_assert_true (harness_run_until_done (h, 2, G_USEC_PER_SEC));
  o = harness_find_done (h, 1, 2);
  g_assert_true (o->read_only);
  g_assert_cmpuint (o->proof->len, ==, 2 * h->f + 1);
  v = result_value (o->result);
  g_assert_cmpstr (v, ==, "v");
  for (guint i = 0; i < h->n; i++)
    {
      g_assert_cmpuint (h->executed[i], ==, 1);
      g_assert_cmpuint (h->batches[i], ==, 1);
    }
  g_assert_true (
      synod_pbft_reply_proof_check (h->keys[h->n], &h->config, 1, 2, o->result, o->proof, NULL));
  harness_submit (h, 0, 1, 3, bad_put, TRUE);
  g_assert_true (harness_run_until_done (h, 3, G_USEC_PER_SEC));
  o = harness_find_done (h, 1, 3);
  g_assert_true (synod_key_value_result_parse (o->result, &refused, NULL));
  g_assert_cmpint (refused.status, ==, SYNOD_KEY_VALUE_KV_READ_ONLY);
}

static gboolean
drop_read_replies_of_3 (Harness *h, HMsg *m, gpointer user_data)
{
  return !(m->from == 3 && m->type == SYNOD_PBFT_MSG_REPLY);
}

static void
test_read_only_fallback (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) put = kv_put ("f", "good");
  g_autoptr (GBytes) get = synod_key_value_op_get ("f");
  g_autoptr (GBytes) poison = kv_put ("f", "bad");
  g_autoptr (GBytes) ignored = NULL;
  SynodStateVariableContext ctx = { 0 };
  SynodPbftOutput *o;
  g_autofree gchar *v = NULL;

  g_test_summary ("Without 2f+1 matching read-only replies the client falls back to the "
                  "ordered path and still gets the right value");
  harness_submit (h, 0, 1, 1, put, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  ignored = synod_state_variable_execute (h->states[2], &ctx, poison);
  h->filter = drop_read_replies_of_3;
  harness_submit (h, 0, 1, 2, get, TRUE);
  g_assert_true (harness_run_until_done (h, 2, 5 * G_USEC_PER_SEC));
  o = harness_find_done (h, 1, 2);
  g_assert_cmpint (o->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
  g_assert_false (o->read_only);
  v = result_value (o->result);
  g_assert_cmpstr (v, ==, "good");
}

typedef struct
{
  gboolean hold_commits;
} ReadScenario;

/* Replica 3 is Byzantine and cut off; replicas 1 and 2 get no commits
 * while @hold_commits, and replica 0 gets no read-only request. */
static gboolean
read_scenario_filter (Harness *h, HMsg *m, gpointer user_data)
{
  ReadScenario *rs = user_data;

  if (m->to == 3 || m->from == 3)
    return FALSE;
  if (rs->hold_commits && m->type == SYNOD_PBFT_MSG_COMMIT && (m->to == 1 || m->to == 2))
    return FALSE;
  if (m->type == SYNOD_PBFT_MSG_REQUEST && m->to == 0 && m->from == harness_client_node (h, 1))
    return FALSE;
  return TRUE;
}

static GBytes *
forge_reply (Harness *h, guint client_node, guint64 client, guint64 number, gboolean read_only,
             GBytes *result)
{
  SynodPbftMessage m = { .service = h->config.service, .sender = 3 };
  SynodPbftReply *rep = &m.body.u.reply;
  g_autoptr (GBytes) st = NULL;
  guint8 sig[64];
  gsize len;

  m.body.type = SYNOD_PBFT_MSG_REPLY;
  rep->client = client;
  rep->number = number;
  rep->replica = 3;
  rep->read_only = read_only;
  rep->result.val = (guint8 *)g_bytes_get_data (result, &len);
  rep->result.len = len;
  g_assert_true (pbft_reply_statement_encode (h->config.service, rep, &st));
  g_assert_true (synod_pbft_keyring_sign (h->keys[3], g_bytes_get_data (st, NULL),
                                          g_bytes_get_size (st), sig));
  rep->signature.val = sig;
  rep->signature.len = 64;
  return pbft_seal (h->keys[3], &m, SYNOD_PBFT_AUTH_MAC, client_node, h->n, NULL);
}

static void
test_read_only_linearizable (void)
{
  g_autoptr (Harness) h = harness_new (1, 2, NULL);
  g_autoptr (GBytes) put = kv_put ("lin", "new");
  g_autoptr (GBytes) get = synod_key_value_op_get ("lin");
  g_autoptr (GBytes) stale = NULL;
  g_autoptr (GBytes) forged_write = NULL;
  g_autoptr (GBytes) forged_read = NULL;
  g_autoptr (SynodKeyValue) empty = synod_key_value_new ();
  SynodStateVariableContext ro = { .read_only = TRUE };
  ReadScenario rs = { TRUE };
  SynodPbftOutput *w, *r;
  g_autofree gchar *v = NULL;

  g_test_summary ("A completed write is seen by every later read-only request, even when a "
                  "Byzantine replica vouched for the write early and serves stale reads: "
                  "replicas answer reads only after executing what they prepared");
  h->filter = read_scenario_filter;
  h->filter_data = &rs;
  /* The write executes at replica 0 only (1 and 2 prepared it, and wait
   * for commits); Byzantine replica 3 vouches for it: f+1, so it completes. */
  harness_submit (h, 0, 10, 1, put, FALSE);
  harness_pump (h);
  g_assert_cmpuint (h->executed[0], ==, 1);
  g_assert_cmpuint (h->executed[1] + h->executed[2], ==, 0);
  w = NULL;
  {
    SynodPbftOutput *pending = harness_find_done (h, 10, 1);

    g_assert_null (pending);
  }
  {
    g_autoptr (SynodKeyValue) ahead = synod_key_value_new ();
    SynodStateVariableContext ctx = { .seq = 1 };
    g_autoptr (GBytes) result
        = synod_state_variable_execute (SYNOD_STATE_VARIABLE (ahead), &ctx, put);

    forged_write = forge_reply (h, harness_client_node (h, 0), 10, 1, FALSE, result);
  }
  harness_inject (h, harness_client_node (h, 0), forged_write);
  harness_pump (h);
  w = harness_find_done (h, 10, 1);
  g_assert_nonnull (w);
  g_assert_cmpint (w->kind, ==, SYNOD_PBFT_OUTPUT_DONE);

  /* A later read from another client: replica 3 answers with the stale
   * value at once; replicas 1 and 2 must not. */
  stale = synod_state_variable_execute (SYNOD_STATE_VARIABLE (empty), &ro, get);
  harness_submit (h, 1, 11, 1, get, TRUE);
  forged_read = forge_reply (h, harness_client_node (h, 1), 11, 1, TRUE, stale);
  harness_inject (h, harness_client_node (h, 1), forged_read);
  harness_pump (h);
  g_assert_null (harness_find_done (h, 11, 1));
  /* Commits flow again (retransmission): the reads are answered fresh. */
  rs.hold_commits = FALSE;
  g_assert_true (harness_run_until_done (h, 2, 5 * G_USEC_PER_SEC));
  r = harness_find_done (h, 11, 1);
  g_assert_cmpint (r->kind, ==, SYNOD_PBFT_OUTPUT_DONE);
  v = result_value (r->result);
  g_assert_cmpstr (v, ==, "new");
}

/* ---- hostile input ---- */

static void
test_hostile_messages (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("h", "1");
  const SynodPbftReplicaStats *st = synod_pbft_replica_get_stats (h->replicas[2]);
  SynodPbftMessage m = { .service = h->config.service, .sender = 1 };
  g_autoptr (GBytes) forged = NULL;
  g_autoptr (GBytes) misaddressed = NULL;
  g_autoptr (GBytes) other_service = NULL;
  g_autoptr (GBytes) reply_to_replica = NULL;
  g_autoptr (GBytes) valid = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  guint8 garbage[512];
  guint64 before;

  g_test_summary ("Garbage, truncated, oversized, forged, misaddressed, foreign and replayed "
                  "messages are dropped and counted; the replica keeps working");
  m.body.type = SYNOD_PBFT_MSG_PREPARE;
  m.body.u.vote.view = 0;
  m.body.u.vote.seq = 1;
  /* Claims to come from replica 1, authenticated with replica 3's keys. */
  forged = pbft_seal (h->keys[3], &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, h->n, NULL);
  /* From replica 1 for real, but MAC'd for replica 3 only. */
  misaddressed = pbft_seal (h->keys[1], &m, SYNOD_PBFT_AUTH_MAC, 3, h->n, NULL);
  valid = pbft_seal (h->keys[1], &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, h->n, NULL);
  m.service++;
  other_service = pbft_seal (h->keys[1], &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, h->n, NULL);
  m.service--;
  m.body.type = SYNOD_PBFT_MSG_REPLY;
  reply_to_replica = pbft_seal (h->keys[1], &m, SYNOD_PBFT_AUTH_MAC, 2, h->n, NULL);

  for (guint i = 0; i < 200; i++)
    {
      guint len = g_rand_int_range (rand, 0, sizeof garbage);

      for (guint j = 0; j < len; j++)
        garbage[j] = g_rand_int_range (rand, 0, 256);
      synod_pbft_replica_receive (h->replicas[2], h->now, garbage, len);
    }
  for (gsize len = 0; len < g_bytes_get_size (valid); len += 3)
    synod_pbft_replica_receive (h->replicas[2], h->now, g_bytes_get_data (valid, NULL), len);
  g_assert_cmpuint (st->malformed, >=, 200);
  before = st->auth_failures;
  synod_pbft_replica_receive (h->replicas[2], h->now, g_bytes_get_data (forged, NULL),
                              g_bytes_get_size (forged));
  synod_pbft_replica_receive (h->replicas[2], h->now, g_bytes_get_data (misaddressed, NULL),
                              g_bytes_get_size (misaddressed));
  synod_pbft_replica_receive (h->replicas[2], h->now, g_bytes_get_data (other_service, NULL),
                              g_bytes_get_size (other_service));
  g_assert_cmpuint (st->auth_failures, ==, before + 3);
  before = st->malformed;
  synod_pbft_replica_receive (h->replicas[2], h->now, g_bytes_get_data (reply_to_replica, NULL),
                              g_bytes_get_size (reply_to_replica));
  {
    gsize big = h->config.max_message_size + 1;
    g_autofree guint8 *huge = g_malloc0 (big);

    synod_pbft_replica_receive (h->replicas[2], h->now, huge, big);
  }
  g_assert_cmpuint (st->malformed, ==, before + 2);
  g_assert_false (synod_pbft_replica_is_halted (h->replicas[2]));

  /* Still works; then every message it saw is replayed: nothing runs twice. */
  harness_submit (h, 0, 1, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  for (guint i = 0; i < h->n; i++)
    g_assert_cmpuint (h->executed[i], ==, 1);
}

static GPtrArray *recorded;

static gboolean
record_all (Harness *h, HMsg *m, gpointer user_data)
{
  HMsg *copy = g_new0 (HMsg, 1);

  *copy = *m;
  copy->data = g_bytes_ref (m->data);
  g_ptr_array_add (recorded, copy);
  return TRUE;
}

static void
hmsg_free (gpointer data)
{
  HMsg *m = data;

  g_bytes_unref (m->data);
  g_free (m);
}

static void
test_replay (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  g_autoptr (GBytes) op = kv_put ("replay", "1");

  g_test_summary ("Replaying every message of a completed request changes nothing: no "
                  "re-execution, same state");
  recorded = g_ptr_array_new_with_free_func (hmsg_free);
  h->filter = record_all;
  harness_submit (h, 0, 1, 1, op, FALSE);
  g_assert_true (harness_run_until_done (h, 1, G_USEC_PER_SEC));
  h->filter = NULL;
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < recorded->len; i++)
      {
        HMsg *m = g_ptr_array_index (recorded, i);

        if (m->to < h->n)
          harness_inject (h, m->to, m->data);
      }
  harness_pump (h);
  harness_advance (h, 200 * MS);
  for (guint i = 0; i < h->n; i++)
    {
      g_assert_cmpuint (h->executed[i], ==, 1);
      g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 1);
    }
  g_clear_pointer (&recorded, g_ptr_array_unref);
}

/* ---- the new-view decision ---- */

static SynodPbftSignedViewChange
vc_make (guint replica, guint64 stable, const SynodPbftLogClaim *p, guint np,
         const SynodPbftLogClaim *q, guint nq)
{
  SynodPbftSignedViewChange svc = { .replica = replica };

  svc.view_change.view = 9;
  svc.view_change.stable.seq = stable;
  svc.view_change.prepared.val = (SynodPbftLogClaim *)p;
  svc.view_change.prepared.len = np;
  svc.view_change.preprepared.val = (SynodPbftLogClaim *)q;
  svc.view_change.preprepared.len = nq;
  return svc;
}

static SynodPbftLogClaim
claim (guint64 seq, guint8 digest_byte, guint64 view)
{
  SynodPbftLogClaim c = { .seq = seq, .view = view };

  memset (c.digest, digest_byte, 32);
  return c;
}

static void
test_decide (void)
{
  SynodPbftLogClaim real = claim (1, 0xaa, 3), fake = claim (1, 0xbd, 8);
  SynodPbftLogClaim lone = claim (2, 0xcc, 3);
  SynodPbftSignedViewChange vcs[4];
  g_autoptr (GArray) choices = NULL;
  guint ckpt = 99;

  g_test_summary ("The new-view rule keeps what f+1 correct replicas prepared, ignores a lone "
                  "(Byzantine) claim even in a later view, chooses null when 2f+1 claim nothing, "
                  "and waits when the set does not decide");
  /* Two replicas prepared (1, aa, view 3); one claims nothing. */
  vcs[0] = vc_make (0, 0, &real, 1, &real, 1);
  vcs[1] = vc_make (1, 0, &real, 1, &real, 1);
  vcs[2] = vc_make (2, 0, NULL, 0, NULL, 0);
  g_assert_true (pbft_decide_new_view (1, vcs, 3, &ckpt, &choices));
  g_assert_cmpuint (choices->len, ==, 1);
  g_assert_cmpuint (g_array_index (choices, PbftChoice, 0).seq, ==, 1);
  g_assert_cmpmem (g_array_index (choices, PbftChoice, 0).digest, 32, real.digest, 32);
  g_clear_pointer (&choices, g_array_unref);

  /* A liar claims (1, bd) prepared in view 8: with only three view changes
   * nothing is decided yet; the fourth one decides for the real batch. */
  vcs[2] = vc_make (2, 0, &fake, 1, &fake, 1);
  g_assert_false (pbft_decide_new_view (1, vcs, 3, &ckpt, &choices));
  vcs[3] = vc_make (3, 0, NULL, 0, NULL, 0);
  g_assert_true (pbft_decide_new_view (1, vcs, 4, &ckpt, &choices));
  g_assert_cmpmem (g_array_index (choices, PbftChoice, 0).digest, 32, real.digest, 32);
  g_clear_pointer (&choices, g_array_unref);

  /* Nobody else backs a lone claim at 2: null at 1 and at 2. */
  vcs[0] = vc_make (0, 0, NULL, 0, NULL, 0);
  vcs[1] = vc_make (1, 0, NULL, 0, NULL, 0);
  vcs[2] = vc_make (2, 0, &lone, 1, &lone, 1);
  vcs[3] = vc_make (3, 0, NULL, 0, NULL, 0);
  g_assert_true (pbft_decide_new_view (1, vcs, 4, &ckpt, &choices));
  g_assert_cmpuint (choices->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpmem (g_array_index (choices, PbftChoice, i).digest, 32, pbft_null_batch_digest (),
                     32);
  g_clear_pointer (&choices, g_array_unref);

  /* The highest stable checkpoint wins; claims at or below it are moot. */
  vcs[1].view_change.stable.seq = 8;
  g_assert_true (pbft_decide_new_view (1, vcs, 4, &ckpt, &choices));
  g_assert_cmpuint (ckpt, ==, 1);
  g_assert_cmpuint (choices->len, ==, 0);
  g_clear_pointer (&choices, g_array_unref);

  g_assert_false (pbft_decide_new_view (1, vcs, 2, &ckpt, &choices));
}

static void
test_early_timer (void)
{
  g_autoptr (Harness) h = harness_new (1, 1, NULL);
  gint64 deadline = h->timers[1][SYNOD_PBFT_TIMER_STATUS];
  SynodPbftOutput o;
  gboolean rearmed = FALSE;

  g_test_summary ("A timer expiry delivered before its deadline is not lost: the replica asks "
                  "for the same deadline again");
  g_assert_cmpint (deadline, >, h->now);
  synod_pbft_replica_timer_expired (h->replicas[1], deadline - 500, SYNOD_PBFT_TIMER_STATUS);
  while (synod_pbft_replica_pop_output (h->replicas[1], &o))
    {
      if (o.kind == SYNOD_PBFT_OUTPUT_TIMER && o.timer == SYNOD_PBFT_TIMER_STATUS)
        {
          g_assert_cmpint (o.deadline, ==, deadline);
          rearmed = TRUE;
        }
      g_assert_cmpint (o.kind, !=, SYNOD_PBFT_OUTPUT_SEND);
      synod_pbft_output_clear (&o);
    }
  g_assert_true (rearmed);
}

/* ---- durability ---- */

static void
test_restart_all_lmdb (void)
{
  g_autoptr (Harness) h = harness_new_lmdb (1, 1, tweak_one_per_batch);

  g_test_summary ("Every replica restarted on its LMDB store (as after kill -9 of all) "
                  "recovers everything committed and carries on");
  run_puts (h, 2, 1, 10);
  for (guint i = 0; i < h->n; i++)
    harness_crash (h, i);
  for (guint i = 0; i < h->n; i++)
    {
      g_autofree gchar *v = NULL;

      harness_boot (h, i);
      g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 10);
      v = state_get (h->states[i], "key4");
      g_assert_cmpstr (v, ==, "v9");
    }
  run_puts (h, 2, 11, 5);
  for (guint i = 0; i < h->n; i++)
    g_assert_cmpuint (synod_pbft_replica_get_last_executed (h->replicas[i]), ==, 15);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/replica/normal-case", test_normal_case);
  g_test_add_func ("/bft/replica/batching", test_batching);
  g_test_add_func ("/bft/replica/checkpoint-gc", test_checkpoint_gc);
  g_test_add_func ("/bft/replica/view-change/prepared-survives",
                   test_view_change_prepared_survives);
  g_test_add_func ("/bft/replica/view-change/new-view-proofs-checked",
                   test_new_view_proofs_checked);
  g_test_add_func ("/bft/replica/view-change/decide", test_decide);
  g_test_add_func ("/bft/replica/view-change/committed-recommits", test_committed_recommits);
  g_test_add_func ("/bft/replica/state-transfer/lagging", test_state_transfer);
  g_test_add_func ("/bft/replica/state-transfer/corrupt-state", test_corrupt_state_repaired);
  g_test_add_func ("/bft/replica/state-transfer/damage-found-late", test_damage_found_late);
  g_test_add_func ("/bft/replica/checkpoint/lost-votes", test_lost_checkpoint_votes);
  g_test_add_func ("/bft/replica/stale-number", test_stale_number);
  g_test_add_func ("/bft/replica/exactly-once", test_exactly_once);
  g_test_add_func ("/bft/replica/client-limits", test_client_busy);
  g_test_add_func ("/bft/replica/nondet/clock-skew", test_clock_skew_rejected);
  g_test_add_func ("/bft/replica/nondet/seed-checked", test_seed_checked);
  g_test_add_func ("/bft/replica/nondet/agreed", test_nondet_agreed);
  g_test_add_func ("/bft/replica/read-only/basic", test_read_only);
  g_test_add_func ("/bft/replica/read-only/fallback", test_read_only_fallback);
  g_test_add_func ("/bft/replica/read-only/linearizable", test_read_only_linearizable);
  g_test_add_func ("/bft/replica/hostile-messages", test_hostile_messages);
  g_test_add_func ("/bft/replica/replay", test_replay);
  g_test_add_func ("/bft/replica/durability/restart-all", test_restart_all_lmdb);
  g_test_add_func ("/bft/replica/early-timer", test_early_timer);
  return g_test_run ();
}
