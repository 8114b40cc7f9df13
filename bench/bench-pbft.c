/* bench-pbft — the PBFT core's own cost, side by side with the state
 * variable run unreplicated.
 *
 * Four replicas (f=1) and one client node in one process, messages handed
 * over in FIFO order with no delay: what is measured is the protocol
 * (encoding, MAC authenticators, Ed25519 signatures, digests, the store's
 * transactions in memory, the state machine) for the same key-value
 * workload the unreplicated run executes directly on a SynodKeyValue. The
 * client keeps enough requests outstanding (2 x batch size) for the primary
 * to fill its batches; the achieved average batch is printed.
 *
 *   bench-pbft [REQUESTS]
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pbft-private.h"
#include "synod-pbft.h"

#define N 4

typedef struct
{
  guint from, to;
  GBytes *data;
} Msg;

typedef struct
{
  SynodPbftConfig config;
  SynodPbftKeyring *keys[N + 1];
  SynodPbftReplica *replicas[N];
  SynodStateVariable *states[N];
  SynodPbftStore *stores[N];
  SynodPbftClient *client;
  GQueue queue;
  guint64 done;
  guint64 next_number;
  guint outstanding;
} Cluster;

static const guint8 secret[] = "bench";

static gdouble
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
route (Cluster *c, guint from, guint32 to, GBytes *data)
{
  for (guint r = 0; r < N + 1; r++)
    if ((to == SYNOD_PBFT_TO_REPLICAS && r < N && r != from) || to == r)
      {
        Msg *m = g_new (Msg, 1);

        m->from = from;
        m->to = r;
        m->data = g_bytes_ref (data);
        g_queue_push_tail (&c->queue, m);
      }
}

static GBytes *
make_op (guint64 i)
{
  gchar key[32], value[64];

  g_snprintf (key, sizeof key, "key%" G_GUINT64_FORMAT, i % 1000);
  g_snprintf (value, sizeof value, "value-%" G_GUINT64_FORMAT "-padding-to-48-bytes-xxxxxxx", i);
  return synod_key_value_op_put (key, (const guint8 *)value, strlen (value));
}

static void
submit (Cluster *c, guint64 client_id)
{
  g_autoptr (GBytes) op = make_op (c->next_number);

  if (!synod_pbft_client_submit (c->client, g_get_real_time (), client_id, ++c->next_number, op,
                                 FALSE, NULL))
    g_error ("submit failed");
  c->outstanding++;
}

static void
drain_client (Cluster *c, guint64 total)
{
  SynodPbftOutput o;

  while (synod_pbft_client_pop_output (c->client, &o))
    {
      if (o.kind == SYNOD_PBFT_OUTPUT_SEND)
        route (c, N, o.to, o.data);
      else if (o.kind == SYNOD_PBFT_OUTPUT_DONE)
        {
          c->done++;
          c->outstanding--;
          if (c->done + c->outstanding < total)
            submit (c, o.client);
        }
      else if (o.kind == SYNOD_PBFT_OUTPUT_FAILED)
        g_error ("a request failed");
      synod_pbft_output_clear (&o);
    }
}

static void
drain_replica (Cluster *c, guint r)
{
  SynodPbftOutput o;

  while (synod_pbft_replica_pop_output (c->replicas[r], &o))
    {
      if (o.kind == SYNOD_PBFT_OUTPUT_SEND)
        route (c, r, o.to, o.data);
      synod_pbft_output_clear (&o);
    }
}

typedef struct
{
  gdouble ops_per_s;
  gdouble cpu_us;
  gdouble avg_batch;
} Result;

static Result
run_replicated (guint batch, guint64 total, gboolean sign)
{
  Cluster c = { 0 };
  gdouble t0, c0, wall, cpu;
  Msg *m;
  Result res;
  const SynodPbftReplicaStats *st;

  synod_pbft_config_init (&c.config, 1, 1);
  c.config.max_batch = batch;
  c.config.max_inflight = 1;
  c.config.max_clients = 1 << 20;
  c.config.sign_replies = sign;
  c.config.random_seed = sign;
  /* No faults: timers never fire in this run. */
  for (guint i = 0; i <= N; i++)
    c.keys[i] = synod_pbft_keyring_new_derived (secret, sizeof secret, i, N + 1, NULL);
  for (guint r = 0; r < N; r++)
    {
      c.states[r] = SYNOD_STATE_VARIABLE (synod_key_value_new ());
      c.stores[r] = synod_pbft_store_new_memory ();
      c.replicas[r] = synod_pbft_replica_new (&c.config, c.keys[r], c.states[r], c.stores[r], NULL);
      synod_pbft_replica_start (c.replicas[r], g_get_real_time ());
      drain_replica (&c, r);
    }
  c.client = synod_pbft_client_new (&c.config, c.keys[N], NULL);
  /* Status messages of start-up are not part of the measurement. */
  while ((m = g_queue_pop_head (&c.queue)) != NULL)
    {
      g_bytes_unref (m->data);
      g_free (m);
    }

  t0 = g_get_monotonic_time () / 1e6;
  c0 = cpu_seconds ();
  for (guint64 i = 0; i < MIN ((guint64)2 * batch, total); i++)
    submit (&c, i + 1);
  drain_client (&c, total);
  while ((m = g_queue_pop_head (&c.queue)) != NULL)
    {
      gint64 now = g_get_real_time ();

      if (m->to < N)
        {
          synod_pbft_replica_receive (c.replicas[m->to], now, g_bytes_get_data (m->data, NULL),
                                      g_bytes_get_size (m->data));
          drain_replica (&c, m->to);
        }
      else
        {
          synod_pbft_client_receive (c.client, now, g_bytes_get_data (m->data, NULL),
                                     g_bytes_get_size (m->data));
          drain_client (&c, total);
        }
      g_bytes_unref (m->data);
      g_free (m);
    }
  wall = g_get_monotonic_time () / 1e6 - t0;
  cpu = cpu_seconds () - c0;
  if (c.done != total)
    g_error ("only %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " requests completed", c.done,
             total);
  st = synod_pbft_replica_get_stats (c.replicas[0]);
  res.ops_per_s = total / wall;
  res.cpu_us = cpu * 1e6 / total;
  res.avg_batch = (gdouble)st->requests_executed / MAX (st->batches_executed, 1);

  synod_pbft_client_free (c.client);
  for (guint r = 0; r < N; r++)
    {
      synod_pbft_replica_free (c.replicas[r]);
      synod_pbft_store_unref (c.stores[r]);
      g_object_unref (c.states[r]);
    }
  for (guint i = 0; i <= N; i++)
    synod_pbft_keyring_unref (c.keys[i]);
  return res;
}

static Result
run_unreplicated (guint64 total)
{
  g_autoptr (SynodKeyValue) kv = synod_key_value_new ();
  SynodStateVariableContext ctx = { 0 };
  gdouble t0 = g_get_monotonic_time () / 1e6, c0 = cpu_seconds ();
  Result res = { 0 };

  for (guint64 i = 0; i < total; i++)
    {
      /* The same operation bytes the replicated run builds and executes. */
      g_autoptr (GBytes) op = make_op (i);
      g_autoptr (GBytes) result = NULL;

      ctx.seq = i + 1;
      ctx.number = i + 1;
      result = synod_state_variable_execute (SYNOD_STATE_VARIABLE (kv), &ctx, op);
    }
  res.ops_per_s = total / (g_get_monotonic_time () / 1e6 - t0);
  res.cpu_us = (cpu_seconds () - c0) * 1e6 / total;
  res.avg_batch = 1;
  return res;
}

int
main (int argc, char **argv)
{
  guint64 total = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  static const guint batches[] = { 1, 16, 128 };
  Result base = run_unreplicated (MAX (total, 200000));

  g_print ("PBFT core, 4 in-process replicas (f=1), zero network delay, %" G_GUINT64_FORMAT
           " key-value PUTs per run\n\n",
           total);
  g_print ("%-38s %10s %12s %10s %14s\n", "run", "avg batch", "ops/s", "vs unrepl.",
           "CPU us/request");
  g_print ("%-38s %10.1f %12.0f %10s %14.3f\n", "unreplicated state variable", base.avg_batch,
           base.ops_per_s, "1", base.cpu_us);
  for (guint signed_run = 0; signed_run < 2; signed_run++)
    for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
      {
        gboolean sign = signed_run == 0;
        Result r = run_replicated (batches[i], batches[i] == 1 ? MIN (total, 5000) : total, sign);
        g_autofree gchar *label = g_strdup_printf ("PBFT batch %u%s", batches[i],
                                                   sign ? "" : " (no Ed25519 per reply)");

        g_print ("%-38s %10.1f %12.0f %10.4f %14.1f\n", label, r.avg_batch, r.ops_per_s,
                 r.ops_per_s / base.ops_per_s, r.cpu_us);
      }
  g_print ("\nThe first three rows are the product's configuration: every replica signs "
           "every reply (Ed25519) and the primary signs a seed per batch. The last three "
           "switch both off to show what the rest of the protocol costs.\n");
  return 0;
}
