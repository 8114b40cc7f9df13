/* A BFT service on four real synodd daemons: ReplicaServer and Coordinator
 * objects created from configuration files, requests through every
 * coordinator, faulty replicas of each kind, a killed primary, a restart of
 * every daemon, retries at another coordinator and state transfer. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "bft-cluster.h"
#include "synod-key-value.h"

static gint64
counter_value (const SynodBftResult *r)
{
  g_autoptr (GBytes) b = g_bytes_new (r->value.val, r->value.len);
  SynodKeyValueCounterResult cr = { 0 };

  g_assert_true (synod_counter_result_parse (b, &cr, NULL));
  g_assert_false (cr.refused);
  return cr.value;
}

/* add(delta) through @coordinator; returns the counter after it. */
static gint64
add (BftCluster *c, guint coordinator, guint64 client, guint64 number, gint64 delta)
{
  g_autoptr (GBytes) op = synod_counter_op_add (delta);
  g_auto (SynodBftResult) r = { 0 };
  g_autoptr (GError) error = NULL;

  if (!bft_cluster_issue (c, coordinator, client, number, op, FALSE, &r, &error))
    g_error ("add through coordinator %u, request %" G_GUINT64_FORMAT ": %s", coordinator, number,
             error->message);
  g_assert_cmpuint (r.proof.signatures.len, >=, c->options.f + 1);
  return counter_value (&r);
}

static gint64
get (BftCluster *c, guint coordinator, guint64 client, guint64 number)
{
  g_autoptr (GBytes) op = synod_counter_op_get ();
  g_auto (SynodBftResult) r = { 0 };
  g_autoptr (GError) error = NULL;

  if (!bft_cluster_issue (c, coordinator, client, number, op, TRUE, &r, &error))
    g_error ("get through coordinator %u: %s", coordinator, error->message);
  return counter_value (&r);
}

static BftCluster *
start (const gchar *fault, guint faulty)
{
  BftClusterOptions o;
  g_autoptr (GError) error = NULL;
  BftCluster *c;

  bft_cluster_options_init (&o);
  if (fault)
    o.faults[faulty] = fault;
  c = bft_cluster_start (&o, &error);
  g_assert_no_error (error);
  return c;
}

static void
test_normal_case (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  gint64 last = 0;

  g_test_summary ("Requests through each of the four coordinators commit, in one order, and "
                  "come back with a proof of f+1 replica signatures that checks against the "
                  "service's public keys.");
  for (guint round = 0; round < 3; round++)
    for (guint j = 0; j < c->n; j++)
      {
        gint64 v = add (c, j, 100 + j, round + 1, 1);

        g_assert_cmpint (v, ==, last + 1);
        last = v;
      }
  g_assert_cmpint (get (c, 2, 200, 1), ==, last);
}

/* Waits until every running replica executed the same sequence numbers
 * and holds the same state digest. */
static void
wait_converged (BftCluster *c, const gboolean *skip)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  for (;;)
    {
      SynodBftReplicaStatus st[BFT_CLUSTER_MAX] = { 0 };
      gboolean same = TRUE;
      gint first = -1;

      for (guint i = 0; i < c->n; i++)
        {
          g_autoptr (GError) error = NULL;

          if (skip && skip[i])
            continue;
          g_assert_true (bft_cluster_status (c, i, &st[i], &error));
          g_assert_no_error (error);
          if (first < 0)
            first = i;
          else if (st[i].last_executed != st[first].last_executed
                   || memcmp (st[i].state_digest, st[first].state_digest, 32) != 0)
            same = FALSE;
        }
      for (guint i = 0; i < c->n; i++)
        synod_bft_replica_status_clear (&st[i]);
      if (same)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static void
test_hostile_input (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  g_autoptr (SynodRef) replica = bft_cluster_replica (c, 1);
  g_autoptr (GBytes) op = synod_counter_op_add (1);
  g_auto (SynodBftResult) r = { 0 };
  g_auto (SynodBftReplicaStatus) st = { 0 };
  g_autoptr (GError) error = NULL;
  guint8 junk[512];
  SynodBftProof tampered = { 0 };

  g_test_summary ("Garbage, truncated and forged PBFT messages sent to a ReplicaServer are "
                  "counted and dropped; the service goes on. A proof does not prove another "
                  "value, request or service, nor with a signature too few.");
  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = g_test_rand_int_range (0, 256);
  g_assert_true (bft_cluster_issue (c, 0, 1, 1, op, FALSE, &r, &error));
  g_assert_no_error (error);
  for (guint len = 0; len < sizeof junk; len += 37)
    g_assert_true (synod_bft_replica_server_deliver (replica, len, junk, &error));
  for (guint i = 0; i < c->n; i++)
    add (c, i, 10 + i, 1, 1);
  g_assert_true (bft_cluster_status (c, 1, &st, &error));
  g_assert_cmpuint (st.malformed + st.auth_failures, >, 0);
  g_assert_cmpuint (st.last_executed, >=, 5);

  g_assert_true (
      synod_bft_proof_verify (c->public_keys, &r.proof, 1, 1, r.value.val, r.value.len, &error));
  g_assert_false (
      synod_bft_proof_verify (c->public_keys, &r.proof, 1, 2, r.value.val, r.value.len, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF);
  g_clear_error (&error);
  r.value.val[0] ^= 1;
  g_assert_false (
      synod_bft_proof_verify (c->public_keys, &r.proof, 1, 1, r.value.val, r.value.len, &error));
  g_clear_error (&error);
  r.value.val[0] ^= 1;
  synod_bft_proof_copy (&r.proof, &tampered);
  tampered.signatures.len = c->options.f; /* one short */
  g_assert_false (
      synod_bft_proof_verify (c->public_keys, &tampered, 1, 1, r.value.val, r.value.len, &error));
  g_clear_error (&error);
  tampered.signatures.len = r.proof.signatures.len;
  tampered.signatures.val[0].signature[5] ^= 0x20;
  g_assert_false (
      synod_bft_proof_verify (c->public_keys, &tampered, 1, 1, r.value.val, r.value.len, &error));
  g_clear_error (&error);
  synod_bft_proof_clear (&tampered);
  wait_converged (c, NULL);
}

typedef struct
{
  const gchar *fault;
  guint replica;
  gboolean excluded_from_proofs; /* its replies always differ from the correct ones */
} FaultCase;

/* A corrupt-state replica is not excluded: right after a state transfer its
 * state is correct again until its next execution is damaged, so that one
 * reply is right and may count.  Every proof is verified against the correct
 * value in any case (bft_cluster_issue), so no wrong reply ever counts. */

static const FaultCase fault_cases[] = {
  { "silent", 0, TRUE },        { "slow=150", 1, FALSE },     { "lying", 2, TRUE },
  { "equivocating", 0, FALSE }, { "corrupt-state", 3, FALSE }, { "crash-after=5", 0, FALSE },
};

static void
test_fault (gconstpointer data)
{
  const FaultCase *fc = data;
  g_autoptr (BftCluster) c = start (fc->fault, fc->replica);
  gint64 last = 0;
  guint n_requests = 2 * c->options.checkpoint_interval + 4;

  g_test_summary ("With one replica faulty in each of the ways the service can inject (silent, "
                  "slow, lying, equivocating primary, corrupt state, crashed after a few "
                  "executions), every request still returns the correct result with a valid "
                  "proof, and no proof ever counts a reply that differs from the correct one.");
  for (guint k = 0; k < n_requests; k++)
    {
      guint j = k % c->n;
      g_autoptr (GBytes) op = synod_counter_op_add (1);
      g_auto (SynodBftResult) r = { 0 };
      g_autoptr (GError) error = NULL;

      g_assert_true (bft_cluster_issue (c, j, 500 + j, k + 1, op, FALSE, &r, &error));
      g_assert_no_error (error);
      g_assert_cmpint (counter_value (&r), ==, last + 1);
      last++;
      if (fc->excluded_from_proofs)
        for (guint s = 0; s < r.proof.signatures.len; s++)
          g_assert_cmpuint (r.proof.signatures.val[s].replica, !=, fc->replica);
    }
  g_assert_cmpint (get (c, (fc->replica + 1) % c->n, 900, 1), ==, last);

  if (g_str_has_prefix (fc->fault, "corrupt-state"))
    {
      g_auto (SynodBftReplicaStatus) st = { 0 };
      g_autoptr (GError) error = NULL;

      /* Its checkpoints disagree with the stable ones: state transfer (bounded
       * generously: a loaded machine slows the daemons several times). */
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      do
        {
          synod_bft_replica_status_clear (&st);
          g_assert_true (bft_cluster_status (c, fc->replica, &st, &error));
          g_test_message ("corrupt replica: executed %" G_GUINT64_FORMAT
                          ", stable %" G_GUINT64_FORMAT ", transfers %" G_GUINT64_FORMAT,
                          st.last_executed, st.stable_seq, st.state_transfers);
          if (st.state_transfers > 0)
            break;
          g_usleep (100000);
        }
      while (g_get_monotonic_time () < deadline);
      if (st.state_transfers == 0)
        {
          g_autofree gchar *log = synod_test_daemon_get_log (c->daemons[fc->replica]);

          g_test_message ("corrupt replica's log:\n%s", log);
          for (guint i = 0; i < c->n; i++)
            {
              g_auto (SynodBftReplicaStatus) o = { 0 };

              if (bft_cluster_status (c, i, &o, NULL))
                g_test_message ("replica %u: view %" G_GUINT64_FORMAT " executed %" G_GUINT64_FORMAT
                                " stable %" G_GUINT64_FORMAT " messages %" G_GUINT64_FORMAT
                                " malformed %" G_GUINT64_FORMAT " auth %" G_GUINT64_FORMAT
                                " dropped in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT,
                                i, o.view, o.last_executed, o.stable_seq, o.messages, o.malformed,
                                o.auth_failures, o.dropped_inbound, o.dropped_outbound);
            }
        }
      g_assert_cmpuint (st.state_transfers, >, 0);
    }
  if (g_str_has_prefix (fc->fault, "crash-after"))
    {
      g_auto (SynodBftReplicaStatus) st = { 0 }, other = { 0 };
      g_autoptr (GError) error = NULL;

      g_assert_true (bft_cluster_status (c, fc->replica, &st, &error));
      g_assert_false (st.processing);
      g_assert_cmpuint (st.executions, ==, 5);
      g_assert_true (bft_cluster_status (c, (fc->replica + 1) % c->n, &other, &error));
      g_assert_cmpuint (other.view, >, 0); /* it was the primary */
    }
  if (strcmp (fc->fault, "silent") == 0 || strcmp (fc->fault, "equivocating") == 0)
    {
      g_auto (SynodBftReplicaStatus) st = { 0 };
      g_autoptr (GError) error = NULL;

      g_assert_true (bft_cluster_status (c, 1, &st, &error));
      g_assert_cmpuint (st.view, >, 0);
    }
}

static void
test_kill_primary (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  g_auto (SynodBftReplicaStatus) st = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 last = 0;

  g_test_summary ("SIGKILL of the primary's daemon: the backups change view and the service "
                  "answers through the other coordinators, its history intact.");
  for (guint j = 0; j < c->n; j++)
    g_assert_cmpint (add (c, j, 30 + j, 1, 1), ==, ++last);
  g_assert_true (bft_cluster_status (c, 1, &st, &error));
  g_assert_cmpuint (st.view, ==, 0);
  synod_bft_replica_status_clear (&st);
  g_assert_true (bft_cluster_kill (c, 0, SIGKILL));
  for (guint k = 0; k < 6; k++)
    g_assert_cmpint (add (c, 1 + k % 3, 30 + 1 + k % 3, 2 + k / 3, 1), ==, ++last);
  g_assert_true (bft_cluster_status (c, 1, &st, &error));
  g_assert_cmpuint (st.view, >, 0);
  g_assert_true (st.view_active);
}

static void
test_restart_all (void)
{
  BftClusterOptions o;
  g_autoptr (BftCluster) c = NULL;
  g_autoptr (GError) error = NULL;
  gint64 last = 0;

  g_test_summary ("kill -9 of all four daemons at once and a restart of all four on their "
                  "LMDB stores: every committed request is still there, and the service goes "
                  "on from it.");
  bft_cluster_options_init (&o);
  o.sync = TRUE;
  c = bft_cluster_start (&o, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 2 * c->options.checkpoint_interval + 3; k++)
    g_assert_cmpint (add (c, k % c->n, 40, k + 1, 1), ==, ++last);
  for (guint i = 0; i < c->n; i++)
    g_assert_true (bft_cluster_kill (c, i, SIGKILL));
  for (guint i = 0; i < c->n; i++)
    {
      g_assert_true (bft_cluster_restart (c, i, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bft_cluster_wait_ready (c, 20000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (get (c, 3, 41, 1), ==, last);
  g_assert_cmpint (add (c, 2, 40, 1000, 1), ==, ++last);
  wait_converged (c, NULL);
}

typedef struct
{
  SynodBftResult result;
  GError *error;
  gboolean done;
} Async;

static void
on_issued (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Async *a = user_data;

  synod_bft_coordinator_issue_request_finish ((SynodRef *)source, res, &a->result, &a->error);
  a->done = TRUE;
}

static void
test_retry_elsewhere (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  g_autoptr (GBytes) op5 = synod_counter_op_add (5), op3 = synod_counter_op_add (3);
  g_auto (SynodBftResult) first = { 0 }, again = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  SynodBftRequest req = { .client = 8, .number = 1 };
  Async a[2] = { 0 };
  gint64 v;

  g_test_summary ("A stuck client's retry of the same (client id, number) at another "
                  "replica's coordinator gets the cached result, executed once; the same "
                  "request issued at two coordinators at once is executed once and both get "
                  "its one result.");
  g_assert_true (bft_cluster_issue (c, 0, 7, 1, op5, FALSE, &first, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter_value (&first), ==, 5);
  g_assert_true (bft_cluster_issue (c, 1, 7, 1, op5, FALSE, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (again.value.val, again.value.len, first.value.val, first.value.len);
  g_assert_cmpint (get (c, 2, 70, 1), ==, 5);

  g_main_context_push_thread_default (context);
  req.operation.len = g_bytes_get_size (op3);
  req.operation.val = (guint8 *)g_bytes_get_data (op3, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (SynodRef) co = bft_cluster_coordinator (c, 2 + i);

      synod_bft_coordinator_issue_request_async (co, &req, NULL, on_issued, &a[i]);
    }
  while (!a[0].done || !a[1].done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_no_error (a[i].error);
      g_assert_true (synod_bft_proof_verify (c->public_keys, &a[i].result.proof, 8, 1,
                                             a[i].result.value.val, a[i].result.value.len, &error));
    }
  v = counter_value (&a[0].result);
  g_assert_cmpint (v, ==, 8);
  g_assert_cmpint (counter_value (&a[1].result), ==, v);
  g_assert_cmpint (get (c, 0, 70, 2), ==, 8);
  for (guint i = 0; i < 2; i++)
    synod_bft_result_clear (&a[i].result);
}

static void
test_state_transfer (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  g_autoptr (GError) error = NULL;
  gint64 last = 0, deadline;
  guint64 stable = 0;
  gboolean skip[BFT_CLUSTER_MAX] = { 0 };

  g_test_summary ("A replica killed while the others move several checkpoints ahead (and "
                  "garbage-collect the log it would need) comes back by state transfer; "
                  "then, with another replica down, the service needs it and works.");
  g_assert_true (bft_cluster_kill (c, 3, SIGKILL));
  for (guint k = 0; k < 3 * c->options.checkpoint_interval + 2; k++)
    g_assert_cmpint (add (c, k % 3, 50, k + 1, 1), ==, ++last);
  {
    g_auto (SynodBftReplicaStatus) st = { 0 };

    g_assert_true (bft_cluster_status (c, 0, &st, &error));
    stable = st.stable_seq;
    g_assert_cmpuint (stable, >=, 2 * c->options.checkpoint_interval);
  }
  g_assert_true (bft_cluster_restart (c, 3, &error));
  g_assert_no_error (error);
  g_assert_true (bft_cluster_wait_ready (c, 20000, &error));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_auto (SynodBftReplicaStatus) st = { 0 };

      g_assert_true (bft_cluster_status (c, 3, &st, &error));
      if (st.state_transfers > 0 && st.last_executed >= stable)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  g_assert_true (bft_cluster_kill (c, 1, SIGKILL));
  skip[1] = TRUE;
  for (guint k = 0; k < 4; k++)
    g_assert_cmpint (add (c, k % 2 ? 2 : 3, 51, k + 1, 1), ==, ++last);
  wait_converged (c, skip);
}

static void
test_mac_only_replies (void)
{
  BftClusterOptions o;
  g_autoptr (BftCluster) c = NULL;
  g_autoptr (GError) error = NULL;
  gint64 last = 0;

  g_test_summary ("A service whose keys say replies are not signed (--no-sign-replies) "
                  "answers through every coordinator with the result f+1 replicas gave and a "
                  "proof without signatures, which the checker refuses.");
  bft_cluster_options_init (&o);
  o.no_sign_replies = TRUE;
  c = bft_cluster_start (&o, &error);
  g_assert_no_error (error);
  for (guint j = 0; j < c->n; j++)
    {
      g_autoptr (SynodRef) ref = bft_cluster_coordinator (c, j);
      g_autoptr (GBytes) op = synod_counter_op_add (2);
      SynodBftRequest req = { .client = 60 + j, .number = 1 };
      g_auto (SynodBftResult) r = { 0 };

      req.operation.len = g_bytes_get_size (op);
      req.operation.val = (guint8 *)g_bytes_get_data (op, NULL);
      g_assert_true (synod_bft_coordinator_issue_request (ref, &req, &r, &error));
      g_assert_no_error (error);
      last += 2;
      g_assert_cmpint (counter_value (&r), ==, last);
      g_assert_cmpuint (r.proof.signatures.len, ==, 0);
      g_assert_cmpuint (r.proof.client, ==, req.client);
      g_assert_false (synod_bft_proof_verify (c->public_keys, &r.proof, req.client, req.number,
                                              r.value.val, r.value.len, &error));
      g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF);
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/service/normal-case", test_normal_case);
  g_test_add_func ("/bft/service/hostile-input", test_hostile_input);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_auto (GStrv) name = g_strsplit (fault_cases[i].fault, "=", 2);
      g_autofree gchar *path = NULL;

      path = g_strdup_printf ("/bft/service/fault/%s", name[0]);
      g_test_add_data_func (path, &fault_cases[i], test_fault);
    }
  g_test_add_func ("/bft/service/view-change/kill-primary", test_kill_primary);
  g_test_add_func ("/bft/service/durability/restart-all", test_restart_all);
  g_test_add_func ("/bft/service/exactly-once/retry-elsewhere", test_retry_elsewhere);
  g_test_add_func ("/bft/service/state-transfer", test_state_transfer);
  g_test_add_func ("/bft/service/mac-only-replies", test_mac_only_replies);
  return g_test_run ();
}
