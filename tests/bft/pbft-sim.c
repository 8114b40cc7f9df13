/* pbft-sim.c — the deterministic PBFT simulator (see pbft-sim.h).
 *
 * Everything random comes from one GRand seeded with the run's seed, and
 * events are ordered by (time, insertion order), so a seed replays exactly.
 * Byzantine replicas run the correct code; their misbehaviour is applied to
 * what they send (re-authenticated with their own keys, as a real attacker
 * holding that replica's keys would) or to their state variable. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "linearizability.h"
#include "pbft-harness.h"
#include "pbft-sim.h"
#include "pbft-faults.h"

#define MAX_RECORDED 256

typedef enum
{
  EV_DELIVER,
  EV_REPLICA_TIMER,
  EV_CLIENT_TIMER,
  EV_CLIENT_NEXT,
  EV_SCRIPT,
  EV_CORRUPT,
} EvKind;

typedef struct
{
  gint64 time;
  guint64 order;
  EvKind kind;
  guint node;
  SynodPbftTimer timer;
  gint64 deadline;
  GBytes *data;
  SimEvent script;
} Ev;

typedef struct
{
  SynodPbftReplica *replica;
  SynodStateVariable *state;
  SynodPbftStore *store;
  gchar *store_path;
  SynodPbftKeyring *keys;
  gint64 timers[SYNOD_PBFT_N_TIMERS];
  SimBehaviour behaviour;
  GPtrArray *recorded;
  GHashTable *committed;  /* seq -> digest (32 bytes) */
  GHashTable *executions; /* "client:number" -> seq (guint64 *) */
  gboolean store_lost;
} SimReplica;

typedef struct
{
  SynodPbftClient *client;
  SynodPbftKeyring *keys;
  guint node;
  guint64 id;
  guint64 number;
  guint done;
  guint done_after_stable;
  gint64 timer;
  gboolean busy;
  /* the operation in flight */
  LinOpKind kind;
  gchar *key;
  gchar *value;
  gchar *expected;
  gboolean read_only;
  guint lin;
  gint64 submitted;
  GHashTable *seen; /* key -> last value seen (NULL: absent) */
} SimClient;

struct _Sim
{
  SimParams p;
  guint n;
  GRand *rand;
  gint64 now;
  guint64 order;
  GPtrArray *heap; /* of Ev *, a binary min-heap */
  SimReplica *replicas;
  SimClient *clients;
  gboolean *isolated; /* per node */
  gchar *tmpdir;
  LinHistory *history;
  GHashTable *results; /* "client:number" -> result GBytes, as executed by correct replicas */
  GString *violations;
  guint completed;
  guint failed;
  guint late_failures;
  guint read_only_done;
  guint bad_proofs;
  guint64 delivered;
};

const gchar *
sim_behaviour_name (SimBehaviour b)
{
  static const gchar *const names[] = {
    "honest",   "silent", "liar",      "wrong-digests", "equivocator",
    "replayer", "forger", "corrupter", "vc-liar",
  };

  return b < SIM_N_BEHAVIOURS ? names[b] : "?";
}

/* ------------------------------------------------------------------ */
/* Parameters                                                          */

void
sim_params_init (SimParams *p, guint64 seed, guint f)
{
  memset (p, 0, sizeof *p);
  p->seed = seed;
  p->f = f;
  p->n_clients = 4;
  p->ops_per_client = 20;
  p->workload = SIM_WORKLOAD_KV;
  p->n_keys = 3;
  p->read_only_ratio = 0.2;
  p->min_delay = 100;
  p->max_delay = 3000;
  p->stable_at = 0;
  p->deadline = 120 * G_USEC_PER_SEC;
  p->events = g_array_new (FALSE, FALSE, sizeof (SimEvent));
  synod_pbft_config_init (&p->config, 0x5157 + seed, f);
  p->config.checkpoint_interval = 8;
  p->config.window = 16;
  p->config.max_batch = 8;
  p->config.max_inflight = 2;
  p->config.max_clients = 64;
  p->config.view_change_timeout = 60 * 1000;
  p->config.max_view_change_timeout = 2 * G_USEC_PER_SEC;
  p->config.status_interval = 25 * 1000;
  p->config.max_clock_skew = G_USEC_PER_SEC;
  p->config.client_timeout = 50 * 1000;
  p->config.client_read_only_timeout = 25 * 1000;
  p->config.client_max_attempts = 10;
}

void
sim_params_clear (SimParams *p)
{
  g_clear_pointer (&p->events, g_array_unref);
}

void
sim_params_add_event (SimParams *p, gint64 time, SimEventKind kind, guint node)
{
  SimEvent e = { time, kind, node };

  g_array_append_val (p->events, e);
}

void
sim_params_randomize (SimParams *p, guint64 seed, guint f)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32)(seed ^ (seed >> 32)) * 2654435761u);
  guint n = 3 * f + 1;
  guint byzantine, crashes, isolations;
  gboolean wiped = FALSE;

  sim_params_init (p, seed, f);
  p->stable_at = g_rand_int_range (rand, 500, 2500) * 1000;
  p->drop_rate = g_rand_double_range (rand, 0, 0.08);
  p->dup_rate = g_rand_double_range (rand, 0, 0.05);
  p->max_delay = g_rand_int_range (rand, 500, 8000);
  p->read_only_ratio = g_rand_double_range (rand, 0, 0.5);
  p->config.max_batch = 1u << g_rand_int_range (rand, 0, 4);
  p->config.sign_requests = g_rand_int_range (rand, 0, 4) == 0;
  p->lmdb = g_rand_int_range (rand, 0, 8) == 0;
  p->random_faults = TRUE;
  if (g_rand_int_range (rand, 0, 6) == 0)
    p->workload = SIM_WORKLOAD_COUNTER;

  /* Up to f Byzantine replicas, each with one behaviour. */
  byzantine = g_rand_int_range (rand, 0, f + 1);
  for (guint i = 0; i < byzantine; i++)
    {
      guint r = g_rand_int_range (rand, 0, n);

      p->behaviour[r] = g_rand_int_range (rand, 1, SIM_N_BEHAVIOURS);
    }
  crashes = g_rand_int_range (rand, 0, 4);
  for (guint i = 0; i < crashes; i++)
    {
      guint r = g_rand_int_range (rand, 0, n);
      gint64 at = g_rand_int_range (rand, 0, (gint32)(p->stable_at / 1000)) * 1000;
      gint64 back = at + g_rand_int_range (rand, 10, 600) * 1000;

      sim_params_add_event (p, at, SIM_EVENT_CRASH, r);
      /* A replica that loses its store forgets what it promised: it counts
       * against f until it caught up, so only when a fault is to spare. */
      if (!wiped && byzantine < f && p->behaviour[r] == SIM_HONEST
          && g_rand_int_range (rand, 0, 5) == 0)
        {
          sim_params_add_event (p, at + 1, SIM_EVENT_WIPE_STORE, r);
          wiped = TRUE;
        }
      sim_params_add_event (p, back, SIM_EVENT_RESTART, r);
    }
  if (g_rand_int_range (rand, 0, 8) == 0)
    {
      gint64 at = g_rand_int_range (rand, 100, (gint32)(p->stable_at / 1000)) * 1000;

      sim_params_add_event (p, at, SIM_EVENT_CRASH_ALL, 0);
      for (guint r = 0; r < n; r++)
        sim_params_add_event (p, at + g_rand_int_range (rand, 1, 300) * 1000, SIM_EVENT_RESTART, r);
    }
  isolations = g_rand_int_range (rand, 0, 4);
  for (guint i = 0; i < isolations; i++)
    {
      guint node = g_rand_int_range (rand, 0, n + p->n_clients);
      gint64 at = g_rand_int_range (rand, 0, (gint32)(p->stable_at / 1000)) * 1000;

      sim_params_add_event (p, at, SIM_EVENT_ISOLATE, node);
      sim_params_add_event (p, at + g_rand_int_range (rand, 10, 800) * 1000, SIM_EVENT_HEAL, node);
    }
}

gchar *
sim_params_describe (const SimParams *p)
{
  GString *s = g_string_new (NULL);
  guint n = 3 * p->f + 1;

  g_string_append_printf (
      s,
      "seed=%" G_GUINT64_FORMAT " f=%u clients=%u ops=%u workload=%s "
      "stable_at=%" G_GINT64_FORMAT "ms drop=%.3f dup=%.3f delay=%" G_GINT64_FORMAT
      "..%" G_GINT64_FORMAT "us batch=%u store=%s signed-requests=%d",
      p->seed, p->f, p->n_clients, p->ops_per_client,
      p->workload == SIM_WORKLOAD_KV ? "kv" : "counter", p->stable_at / 1000, p->drop_rate,
      p->dup_rate, p->min_delay, p->max_delay, p->config.max_batch, p->lmdb ? "lmdb" : "memory",
      p->config.sign_requests);
  for (guint i = 0; i < n; i++)
    if (p->behaviour[i] != SIM_HONEST)
      g_string_append_printf (s, " r%u=%s", i, sim_behaviour_name (p->behaviour[i]));
  for (guint i = 0; p->events && i < p->events->len; i++)
    {
      const SimEvent *e = &g_array_index (p->events, SimEvent, i);
      static const gchar *const kinds[]
          = { "crash", "restart", "isolate", "heal", "crash-all", "wipe" };

      g_string_append_printf (s, " %s(%u)@%" G_GINT64_FORMAT "ms", kinds[e->kind], e->node,
                              e->time / 1000);
    }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Event heap                                                           */

static gboolean
ev_before (const Ev *a, const Ev *b)
{
  return a->time < b->time || (a->time == b->time && a->order < b->order);
}

static void
push (Sim *s, Ev *ev)
{
  GPtrArray *h = s->heap;
  guint i;

  ev->order = s->order++;
  g_ptr_array_add (h, ev);
  for (i = h->len - 1; i > 0;)
    {
      guint parent = (i - 1) / 2;

      if (!ev_before (h->pdata[i], h->pdata[parent]))
        break;
      h->pdata[i] = h->pdata[parent];
      h->pdata[parent] = ev;
      i = parent;
    }
}

static Ev *
pop (Sim *s)
{
  GPtrArray *h = s->heap;
  Ev *top, *last;
  guint i = 0;

  if (h->len == 0)
    return NULL;
  top = h->pdata[0];
  last = g_ptr_array_steal_index (h, h->len - 1);
  if (h->len == 0)
    return top;
  h->pdata[0] = last;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;

      if (l < h->len && ev_before (h->pdata[l], h->pdata[m]))
        m = l;
      if (r < h->len && ev_before (h->pdata[r], h->pdata[m]))
        m = r;
      if (m == i)
        break;
      h->pdata[i] = h->pdata[m];
      h->pdata[m] = last;
      i = m;
    }
  return top;
}

static void
ev_free (Ev *ev)
{
  g_clear_pointer (&ev->data, g_bytes_unref);
  g_free (ev);
}

static Ev *
ev_new (gint64 time, EvKind kind, guint node)
{
  Ev *ev = g_new0 (Ev, 1);

  ev->time = time;
  ev->kind = kind;
  ev->node = node;
  return ev;
}

/* ------------------------------------------------------------------ */
/* Network                                                              */

static gboolean
chaos (Sim *s)
{
  return s->now < s->p.stable_at;
}

static void
net_deliver_later (Sim *s, guint from, guint to, GBytes *data)
{
  guint copies = 1;

  if (s->isolated[from] || s->isolated[to])
    return;
  if (chaos (s) && g_rand_double (s->rand) < s->p.drop_rate)
    return;
  if (chaos (s) && g_rand_double (s->rand) < s->p.dup_rate)
    copies = 2;
  for (guint i = 0; i < copies; i++)
    {
      gint64 delay
          = s->p.min_delay
            + (s->p.max_delay > s->p.min_delay
                   ? g_rand_int_range (s->rand, 0, (gint32)(s->p.max_delay - s->p.min_delay))
                   : 0);
      Ev *ev = ev_new (s->now + delay, EV_DELIVER, to);

      ev->data = g_bytes_ref (data);
      push (s, ev);
    }
}

static void
net_send (Sim *s, guint from, guint32 to, GBytes *data)
{
  if (to == SYNOD_PBFT_TO_REPLICAS)
    {
      for (guint r = 0; r < s->n; r++)
        if (r != from)
          net_deliver_later (s, from, r, data);
    }
  else if (to < s->n + s->p.n_clients)
    net_deliver_later (s, from, to, data);
}

/* ------------------------------------------------------------------ */
/* Byzantine behaviours                                                 */

static GBytes *
reseal (Sim *s, SimReplica *sr, SynodPbftEnvelope *env, guint32 to)
{
  return pbft_seal (sr->keys, &env->message, env->auth.kind, to == SYNOD_PBFT_TO_REPLICAS ? 0 : to,
                    s->n, NULL);
}

static void
byzantine_send (Sim *s, guint id, guint32 to, GBytes *data)
{
  SimReplica *sr = &s->replicas[id];
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];
  SynodPbftBody *body;

  if (sr->behaviour == SIM_SILENT)
    return;
  if (!pbft_open (g_bytes_get_data (data, NULL), g_bytes_get_size (data), G_MAXSIZE, &env, digest,
                  NULL))
    return;
  body = &env.message.body;

  switch (sr->behaviour)
    {
      case SIM_LIAR:
        if (body->type == SYNOD_PBFT_MSG_REPLY)
          {
            g_autoptr (GBytes) lie = pbft_fault_lie (sr->keys, &s->p.config, data, to);

            if (lie != NULL)
              net_send (s, id, to, lie);
            return;
          }
        break;

      case SIM_WRONG_DIGESTS:
        if (body->type == SYNOD_PBFT_MSG_PREPARE || body->type == SYNOD_PBFT_MSG_COMMIT
            || body->type == SYNOD_PBFT_MSG_CHECKPOINT)
          {
            g_autoptr (GBytes) bad = NULL;

            if (body->type == SYNOD_PBFT_MSG_CHECKPOINT)
              body->u.checkpoint.digest[0] ^= 0xff;
            else
              body->u.vote.digest[0] ^= 0xff;
            bad = reseal (s, sr, &env, to);
            if (bad != NULL)
              net_send (s, id, to, bad);
            return;
          }
        break;

      case SIM_EQUIVOCATOR:
        if (body->type == SYNOD_PBFT_MSG_PRE_PREPARE && to == SYNOD_PBFT_TO_REPLICAS)
          {
            g_autoptr (GBytes) other = pbft_fault_equivocate (sr->keys, &s->p.config, data);
            guint split = g_rand_int_range (s->rand, 0, s->n);

            for (guint r = 0; r < s->n; r++)
              if (r != id)
                net_deliver_later (s, id, r, (r + split) % 2 && other ? other : data);
            return;
          }
        break;

      case SIM_VC_LIAR:
        if (body->type == SYNOD_PBFT_MSG_VIEW_CHANGE)
          {
            SynodPbftViewChange *vc = &body->u.view_change;
            g_autoptr (GBytes) lie = NULL;
            guint64 h = vc->stable.seq;
            guint count = MIN (s->p.config.window, 4u);

            /* Claim prepared and pre-prepared batches of a made-up digest, in
             * the latest view possible, for the first numbers of the window:
             * alone it must not be able to get them chosen. */
            g_free (vc->prepared.val);
            g_free (vc->preprepared.val);
            vc->prepared.val = g_new0 (SynodPbftLogClaim, count);
            vc->preprepared.val = g_new0 (SynodPbftLogClaim, count);
            vc->prepared.len = vc->preprepared.len = count;
            for (guint i = 0; i < count; i++)
              {
                SynodPbftLogClaim *c = &vc->prepared.val[i];

                c->seq = h + 1 + i;
                c->view = vc->view - 1;
                memset (c->digest, 0xbd, 32);
                vc->preprepared.val[i] = *c;
              }
            lie = reseal (s, sr, &env, to);
            if (lie != NULL)
              net_send (s, id, to, lie);
            return;
          }
        break;

      case SIM_REPLAYER:
        if (sr->recorded->len > 0 && g_rand_double (s->rand) < 0.3)
          {
            GBytes *old = g_ptr_array_index (sr->recorded,
                                             g_rand_int_range (s->rand, 0, sr->recorded->len));

            net_send (s, id, g_rand_int_range (s->rand, 0, s->n), old);
          }
        break;

      case SIM_FORGER:
        if (g_rand_double (s->rand) < 0.3)
          {
            g_autoptr (GBytes) forged = NULL;
            guint victim = (id + 1 + g_rand_int_range (s->rand, 0, s->n - 1)) % s->n;

            env.message.sender = victim;
            forged = reseal (s, sr, &env, to);
            if (forged != NULL)
              net_send (s, id, to, forged);
          }
        break;

      default:
        break;
    }
  net_send (s, id, to, data);
}

static void
corrupt_state (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];

  if (sr->replica == NULL)
    return;
  pbft_fault_corrupt_state (sr->state, NULL);
}

/* ------------------------------------------------------------------ */
/* Replicas                                                             */

static void
record_committed (Sim *s, guint id, const SynodPbftOutput *o)
{
  SimReplica *sr = &s->replicas[id];
  const guint8 *prev = g_hash_table_lookup (sr->committed, &o->seq);

  if (prev != NULL && memcmp (prev, o->digest, 32) != 0)
    g_string_append_printf (
        s->violations, "replica %u committed two batches at %" G_GUINT64_FORMAT "\n", id, o->seq);
  if (prev == NULL)
    g_hash_table_insert (sr->committed, g_memdup2 (&o->seq, 8), g_memdup2 (o->digest, 32));
}

static void
record_execution (Sim *s, guint id, const SynodPbftOutput *o)
{
  SimReplica *sr = &s->replicas[id];
  g_autofree gchar *key
      = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, o->client, o->number);
  guint64 *prev = g_hash_table_lookup (sr->executions, key);
  GBytes *known;

  if (prev != NULL && *prev != o->seq && sr->behaviour == SIM_HONEST)
    g_string_append_printf (s->violations,
                            "replica %u executed request %s twice (at %" G_GUINT64_FORMAT
                            " and %" G_GUINT64_FORMAT ")\n",
                            id, key, *prev, o->seq);
  if (prev == NULL)
    g_hash_table_insert (sr->executions, g_strdup (key), g_memdup2 (&o->seq, 8));
  if (sr->behaviour != SIM_HONEST)
    return;
  known = g_hash_table_lookup (s->results, key);
  if (known != NULL && !g_bytes_equal (known, o->result))
    g_string_append_printf (s->violations,
                            "correct replicas disagree on the result of request %s\n", key);
  else if (known == NULL)
    g_hash_table_insert (s->results, g_steal_pointer (&key), g_bytes_ref (o->result));
}

static void
drain_replica (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];
  SynodPbftOutput o;

  if (sr->replica == NULL)
    return;
  while (synod_pbft_replica_pop_output (sr->replica, &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            if (sr->behaviour == SIM_HONEST || sr->behaviour == SIM_CORRUPTER)
              net_send (s, id, o.to, o.data);
            else
              byzantine_send (s, id, o.to, o.data);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            sr->timers[o.timer] = o.deadline;
            if (o.deadline != 0)
              {
                Ev *ev = ev_new (MAX (o.deadline, s->now), EV_REPLICA_TIMER, id);

                ev->timer = o.timer;
                ev->deadline = o.deadline;
                push (s, ev);
              }
            break;
          case SYNOD_PBFT_OUTPUT_EXECUTED:
            record_execution (s, id, &o);
            break;
          case SYNOD_PBFT_OUTPUT_COMMITTED:
            record_committed (s, id, &o);
            break;
          case SYNOD_PBFT_OUTPUT_VIEW:
            if (s->p.trace)
              g_printerr ("%8.3f r%u view %" G_GUINT64_FORMAT "\n", s->now / 1e3, id, o.view);
            break;
          case SYNOD_PBFT_OUTPUT_STATE_TRANSFERRED:
            if (s->p.trace)
              g_printerr ("%8.3f r%u state transfer to %" G_GUINT64_FORMAT "\n", s->now / 1e3, id,
                          o.seq);
            break;
          default:
            break;
        }
      synod_pbft_output_clear (&o);
    }
}

static SynodStateVariable *
new_state (Sim *s)
{
  if (s->p.workload == SIM_WORKLOAD_KV)
    return SYNOD_STATE_VARIABLE (synod_key_value_new ());
  return SYNOD_STATE_VARIABLE (synod_counter_new ());
}

static void
replica_open_store (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];
  g_autoptr (GError) error = NULL;

  if (!s->p.lmdb)
    {
      if (sr->store == NULL)
        sr->store = synod_pbft_store_new_memory ();
      return;
    }
  if (sr->store_path == NULL)
    sr->store_path = g_strdup_printf ("%s/replica-%u", s->tmpdir, id);
  sr->store = synod_pbft_store_open_lmdb (sr->store_path, 64 << 20, FALSE, &error);
  if (sr->store == NULL)
    g_error ("cannot open the store of replica %u: %s", id, error->message);
}

static void
replica_boot (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];
  g_autoptr (GError) error = NULL;

  g_clear_object (&sr->state);
  sr->state = new_state (s);
  if (sr->store == NULL)
    replica_open_store (s, id);
  sr->replica = synod_pbft_replica_new (&s->p.config, sr->keys, sr->state, sr->store, &error);
  if (sr->replica == NULL)
    g_error ("replica %u does not start: %s", id, error->message);
  memset (sr->timers, 0, sizeof sr->timers);
  /* Outputs of recovery (replayed executions) are checked like any other. */
  drain_replica (s, id);
  synod_pbft_replica_start (sr->replica, s->now);
  drain_replica (s, id);
}

static void
replica_crash (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];

  if (sr->replica == NULL)
    return;
  g_clear_pointer (&sr->replica, synod_pbft_replica_free);
  if (s->p.lmdb)
    g_clear_pointer (&sr->store, synod_pbft_store_unref);
  memset (sr->timers, 0, sizeof sr->timers);
}

static void
replica_wipe_store (Sim *s, guint id)
{
  SimReplica *sr = &s->replicas[id];

  if (sr->replica != NULL)
    return;
  sr->store_lost = TRUE;
  if (s->p.lmdb)
    harness_remove_tree (sr->store_path);
  else
    g_clear_pointer (&sr->store, synod_pbft_store_unref);
}

/* ------------------------------------------------------------------ */
/* Clients                                                              */

static void client_next (Sim *s, SimClient *c);

/* Think time spreads each client's operations over the chaos phase, so the
 * faults scheduled in it meet a working system. */
static void
client_schedule_next (Sim *s, SimClient *c)
{
  gint64 spread = 2 * s->p.stable_at / MAX (s->p.ops_per_client, 1);

  push (s, ev_new (s->now + g_rand_int_range (s->rand, 0, (gint32)MAX (spread, 2000)),
                   EV_CLIENT_NEXT, c->node));
}

/* A client is finished after its operations, and after at least
 * SIM_OPS_AFTER_STABLE completed once the network was stable: evidence of
 * liveness. */
#define SIM_OPS_AFTER_STABLE 3

static gboolean
client_finished (Sim *s, SimClient *c)
{
  return c->done >= s->p.ops_per_client && c->done_after_stable >= SIM_OPS_AFTER_STABLE;
}

static gchar *
value_string (const SynodKeyValueValue *v)
{
  return v ? g_strndup ((const gchar *)v->val, v->len) : NULL;
}

static void
client_done (Sim *s, SimClient *c, SynodPbftOutput *o)
{
  g_autoptr (GError) error = NULL;

  c->busy = FALSE;
  c->done++;
  if (o->kind == SYNOD_PBFT_OUTPUT_DONE && c->submitted >= s->p.stable_at)
    c->done_after_stable++;
  if (o->kind == SYNOD_PBFT_OUTPUT_FAILED)
    {
      s->failed++;
      if (c->submitted >= s->p.stable_at + 2 * s->p.config.max_view_change_timeout)
        s->late_failures++;
      if (s->p.trace)
        g_printerr ("%8.3f c%u request %" G_GUINT64_FORMAT " failed\n", s->now / 1e3, c->node,
                    o->number);
      client_schedule_next (s, c);
      return;
    }
  s->completed++;
  if (o->read_only)
    s->read_only_done++;
  if (s->p.config.sign_replies
      && !synod_pbft_reply_proof_check (c->keys, &s->p.config, o->client, o->number, o->result,
                                        o->proof, &error))
    {
      s->bad_proofs++;
      g_string_append_printf (s->violations, "client %u accepted an unproven result: %s\n", c->node,
                              error->message);
    }
  if (!o->read_only)
    {
      /* An ordered result must be what correct replicas executed. */
      g_autofree gchar *key
          = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, o->client, o->number);
      GBytes *truth = g_hash_table_lookup (s->results, key);

      if (truth == NULL)
        g_string_append_printf (s->violations,
                                "client %u accepted a result of %s no correct replica executed\n",
                                c->node, key);
      else if (!g_bytes_equal (truth, o->result))
        g_string_append_printf (s->violations, "client %u accepted a wrong result for %s\n",
                                c->node, key);
    }
  if (s->p.workload == SIM_WORKLOAD_KV)
    {
      g_auto (SynodKeyValueResult) r = { 0 };
      g_autofree gchar *value = NULL;

      if (!synod_key_value_result_parse (o->result, &r, NULL))
        g_string_append_printf (s->violations, "client %u got an undecodable result\n", c->node);
      value = value_string (r.value);
      lin_history_complete (s->history, c->lin, s->now, r.status == SYNOD_KEY_VALUE_KV_OK, value);
      if (c->kind != LIN_DELETE)
        g_hash_table_replace (c->seen, g_strdup (c->key),
                              g_strdup (c->kind == LIN_PUT ? c->value : value));
      else
        g_hash_table_replace (c->seen, g_strdup (c->key), NULL);
    }
  client_schedule_next (s, c);
}

static void
drain_client (Sim *s, SimClient *c)
{
  SynodPbftOutput o;

  while (synod_pbft_client_pop_output (c->client, &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            net_send (s, c->node, o.to, o.data);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            c->timer = o.deadline;
            if (o.deadline != 0)
              {
                Ev *ev = ev_new (MAX (o.deadline, s->now), EV_CLIENT_TIMER, c->node);

                ev->deadline = o.deadline;
                push (s, ev);
              }
            break;
          case SYNOD_PBFT_OUTPUT_DONE:
          case SYNOD_PBFT_OUTPUT_FAILED:
            client_done (s, c, &o);
            break;
          default:
            break;
        }
      synod_pbft_output_clear (&o);
    }
}

static void
client_next (Sim *s, SimClient *c)
{
  g_autoptr (GBytes) op = NULL;
  g_autoptr (GError) error = NULL;
  gdouble dice;

  if (c->busy || client_finished (s, c))
    return;
  c->number++;
  g_clear_pointer (&c->key, g_free);
  g_clear_pointer (&c->value, g_free);
  g_clear_pointer (&c->expected, g_free);
  c->read_only = g_rand_double (s->rand) < s->p.read_only_ratio;
  dice = g_rand_double (s->rand);
  if (s->p.workload == SIM_WORKLOAD_COUNTER)
    {
      op = c->read_only || dice < 0.2 ? synod_counter_op_get () : synod_counter_op_add (1);
    }
  else
    {
      c->key = g_strdup_printf ("k%u", g_rand_int_range (s->rand, 0, s->p.n_keys));
      c->value = g_strdup_printf ("c%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT, c->id, c->number);
      if (c->read_only || dice < 0.15)
        {
          c->kind = LIN_GET;
          op = synod_key_value_op_get (c->key);
        }
      else if (dice < 0.55)
        {
          c->kind = LIN_PUT;
          op = synod_key_value_op_put (c->key, (const guint8 *)c->value, strlen (c->value));
        }
      else if (dice < 0.9)
        {
          const gchar *exp = g_hash_table_lookup (c->seen, c->key);

          c->kind = LIN_CAS;
          c->expected = g_strdup (exp);
          op = synod_key_value_op_cas (c->key, (const guint8 *)exp, exp ? strlen (exp) : 0,
                                       (const guint8 *)c->value, strlen (c->value));
        }
      else
        {
          c->kind = LIN_DELETE;
          op = synod_key_value_op_delete (c->key);
        }
      c->lin = lin_history_invoke (s->history, c->kind, c->key, c->value, c->expected, s->now);
    }
  c->submitted = s->now;
  if (!synod_pbft_client_submit (c->client, s->now, c->id, c->number, op, c->read_only, &error))
    g_error ("client %u cannot submit: %s", c->node, error->message);
  c->busy = TRUE;
  drain_client (s, c);
}

/* ------------------------------------------------------------------ */
/* Running                                                              */

Sim *
sim_new (const SimParams *params)
{
  Sim *s = g_new0 (Sim, 1);
  static const guint8 secret[] = "synod simulated cluster";
  guint nodes;

  s->p = *params;
  s->p.events = params->events ? g_array_ref (params->events) : NULL;
  s->n = 3 * params->f + 1;
  nodes = s->n + params->n_clients;
  s->rand = g_rand_new_with_seed ((guint32)(params->seed ^ (params->seed >> 32)));
  s->heap = g_ptr_array_new ();
  s->isolated = g_new0 (gboolean, nodes);
  s->history = lin_history_new ();
  s->results
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  s->violations = g_string_new (NULL);
  if (params->lmdb)
    {
      g_autoptr (GError) error = NULL;

      s->tmpdir = g_dir_make_tmp ("synod-pbft-sim-XXXXXX", &error);
      if (s->tmpdir == NULL)
        g_error ("no temporary directory: %s", error->message);
    }

  s->replicas = g_new0 (SimReplica, s->n);
  for (guint i = 0; i < s->n; i++)
    {
      SimReplica *sr = &s->replicas[i];

      sr->keys = synod_pbft_keyring_new_derived (secret, sizeof secret, i, nodes, NULL);
      sr->behaviour = params->behaviour[i];
      sr->recorded = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      sr->committed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      sr->executions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  s->clients = g_new0 (SimClient, params->n_clients);
  for (guint i = 0; i < params->n_clients; i++)
    {
      SimClient *c = &s->clients[i];

      c->node = s->n + i;
      c->id = 1000 + i;
      c->keys = synod_pbft_keyring_new_derived (secret, sizeof secret, c->node, nodes, NULL);
      c->client = synod_pbft_client_new (&params->config, c->keys, NULL);
      c->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_assert (c->client != NULL);
    }
  return s;
}

void
sim_free (Sim *s)
{
  Ev *ev;

  if (s == NULL)
    return;
  while ((ev = pop (s)) != NULL)
    ev_free (ev);
  g_ptr_array_unref (s->heap);
  for (guint i = 0; i < s->n; i++)
    {
      SimReplica *sr = &s->replicas[i];

      g_clear_pointer (&sr->replica, synod_pbft_replica_free);
      g_clear_pointer (&sr->store, synod_pbft_store_unref);
      g_clear_object (&sr->state);
      g_free (sr->store_path);
      synod_pbft_keyring_unref (sr->keys);
      g_ptr_array_unref (sr->recorded);
      g_hash_table_unref (sr->committed);
      g_hash_table_unref (sr->executions);
    }
  g_free (s->replicas);
  for (guint i = 0; i < s->p.n_clients; i++)
    {
      SimClient *c = &s->clients[i];

      synod_pbft_client_free (c->client);
      synod_pbft_keyring_unref (c->keys);
      g_hash_table_unref (c->seen);
      g_free (c->key);
      g_free (c->value);
      g_free (c->expected);
    }
  g_free (s->clients);
  if (s->tmpdir != NULL)
    {
      harness_remove_tree (s->tmpdir);
      g_free (s->tmpdir);
    }
  g_free (s->isolated);
  g_rand_free (s->rand);
  lin_history_free (s->history);
  g_hash_table_unref (s->results);
  g_string_free (s->violations, TRUE);
  g_clear_pointer (&s->p.events, g_array_unref);
  g_free (s);
}

static gboolean
all_done (Sim *s)
{
  for (guint i = 0; i < s->p.n_clients; i++)
    if (!client_finished (s, &s->clients[i]))
      return FALSE;
  return TRUE;
}

static void
stabilise (Sim *s)
{
  /* From stable_at on, every link works and every replica runs. */
  for (guint i = 0; i < s->n + s->p.n_clients; i++)
    s->isolated[i] = FALSE;
  for (guint i = 0; i < s->n; i++)
    if (s->replicas[i].replica == NULL)
      replica_boot (s, i);
}

static void
run_script (Sim *s, const SimEvent *e)
{
  if (s->p.trace)
    g_printerr ("%8.3f script %d node %u\n", s->now / 1e3, e->kind, e->node);
  switch (e->kind)
    {
      case SIM_EVENT_CRASH:
        if (e->node < s->n)
          replica_crash (s, e->node);
        break;
      case SIM_EVENT_CRASH_ALL:
        for (guint i = 0; i < s->n; i++)
          replica_crash (s, i);
        break;
      case SIM_EVENT_RESTART:
        if (e->node < s->n && s->replicas[e->node].replica == NULL)
          replica_boot (s, e->node);
        break;
      case SIM_EVENT_WIPE_STORE:
        if (e->node < s->n)
          replica_wipe_store (s, e->node);
        break;
      case SIM_EVENT_ISOLATE:
        s->isolated[e->node] = TRUE;
        break;
      case SIM_EVENT_HEAL:
        s->isolated[e->node] = FALSE;
        break;
    }
}

void
sim_run (Sim *s)
{
  gboolean stabilised = FALSE;
  Ev *ev;

  for (guint i = 0; i < s->n; i++)
    replica_boot (s, i);
  for (guint i = 0; s->p.events && i < s->p.events->len; i++)
    {
      const SimEvent *e = &g_array_index (s->p.events, SimEvent, i);
      Ev *sev = ev_new (e->time, EV_SCRIPT, e->node);

      sev->script = *e;
      push (s, sev);
    }
  for (guint i = 0; i < s->n; i++)
    if (s->replicas[i].behaviour == SIM_CORRUPTER)
      push (s, ev_new (g_rand_int_range (s->rand, 50, 400) * 1000, EV_CORRUPT, i));
  for (guint i = 0; i < s->p.n_clients; i++)
    client_schedule_next (s, &s->clients[i]);

  while (!all_done (s) && (ev = pop (s)) != NULL)
    {
      if (ev->time > s->p.deadline)
        {
          ev_free (ev);
          break;
        }
      s->now = MAX (s->now, ev->time);
      if (!stabilised && s->now >= s->p.stable_at)
        {
          stabilised = TRUE;
          stabilise (s);
        }
      switch (ev->kind)
        {
          case EV_DELIVER:
            s->delivered++;
            if (ev->node < s->n)
              {
                SimReplica *sr = &s->replicas[ev->node];

                if (sr->replica == NULL)
                  break;
                if (sr->behaviour == SIM_REPLAYER && sr->recorded->len < MAX_RECORDED)
                  g_ptr_array_add (sr->recorded, g_bytes_ref (ev->data));
                synod_pbft_replica_receive (sr->replica, s->now, g_bytes_get_data (ev->data, NULL),
                                            g_bytes_get_size (ev->data));
                drain_replica (s, ev->node);
              }
            else
              {
                SimClient *c = &s->clients[ev->node - s->n];

                synod_pbft_client_receive (c->client, s->now, g_bytes_get_data (ev->data, NULL),
                                           g_bytes_get_size (ev->data));
                drain_client (s, c);
              }
            break;
          case EV_REPLICA_TIMER:
            {
              SimReplica *sr = &s->replicas[ev->node];

              if (sr->replica != NULL && sr->timers[ev->timer] == ev->deadline)
                {
                  sr->timers[ev->timer] = 0;
                  synod_pbft_replica_timer_expired (sr->replica, s->now, ev->timer);
                  drain_replica (s, ev->node);
                }
            }
            break;
          case EV_CLIENT_TIMER:
            {
              SimClient *c = &s->clients[ev->node - s->n];

              if (c->timer == ev->deadline)
                {
                  c->timer = 0;
                  synod_pbft_client_timer_expired (c->client, s->now);
                  drain_client (s, c);
                }
            }
            break;
          case EV_CLIENT_NEXT:
            client_next (s, &s->clients[ev->node - s->n]);
            break;
          case EV_SCRIPT:
            run_script (s, &ev->script);
            break;
          case EV_CORRUPT:
            corrupt_state (s, ev->node);
            push (s, ev_new (s->now + g_rand_int_range (s->rand, 100, 600) * 1000, EV_CORRUPT,
                             ev->node));
            break;
        }
      ev_free (ev);
    }
}

static gboolean
correct (Sim *s, guint id)
{
  return s->replicas[id].behaviour == SIM_HONEST;
}

gboolean
sim_check (Sim *s, GString *report)
{
  gboolean ok = TRUE;
  g_autofree gchar *bad_key = NULL;
  gboolean gave_up = FALSE;

  if (s->violations->len > 0)
    {
      g_string_append (report, s->violations->str);
      ok = FALSE;
    }
  /* Agreement: correct replicas committed the same batch at every number. */
  for (guint i = 0; i < s->n; i++)
    for (guint j = i + 1; j < s->n; j++)
      {
        GHashTableIter it;
        gpointer k, v;

        if (!correct (s, i) || !correct (s, j))
          continue;
        g_hash_table_iter_init (&it, s->replicas[i].committed);
        while (g_hash_table_iter_next (&it, &k, &v))
          {
            const guint8 *other = g_hash_table_lookup (s->replicas[j].committed, k);

            if (other != NULL && memcmp (other, v, 32) != 0)
              {
                g_string_append_printf (
                    report,
                    "replicas %u and %u committed different batches at %" G_GUINT64_FORMAT "\n", i,
                    j, *(guint64 *)k);
                ok = FALSE;
              }
          }
      }
  /* Liveness: once the network was stable, every client finished. */
  if (!all_done (s))
    {
      g_string_append_printf (report,
                              "liveness: clients did not finish by %" G_GINT64_FORMAT
                              " ms (%u done, %u failed)\n",
                              s->p.deadline / 1000, s->completed, s->failed);
      ok = FALSE;
    }
  if (!all_done (s) || s->late_failures > 0)
    for (guint i = 0; i < s->n; i++)
      {
        SynodPbftReplica *r = s->replicas[i].replica;
        const SynodPbftReplicaStats *st;

        if (r == NULL)
          {
            g_string_append_printf (report, "  r%u down\n", i);
            continue;
          }
        st = synod_pbft_replica_get_stats (r);
        g_string_append_printf (
            report,
            "  r%u %s view %" G_GUINT64_FORMAT "%s executed %" G_GUINT64_FORMAT
            " stable %" G_GUINT64_FORMAT "%s msgs %" G_GUINT64_FORMAT " auth %" G_GUINT64_FORMAT
            " stale %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT
            " transfers %" G_GUINT64_FORMAT "\n",
            i, sim_behaviour_name (s->replicas[i].behaviour), synod_pbft_replica_get_view (r),
            synod_pbft_replica_is_view_active (r) ? "" : " (changing)",
            synod_pbft_replica_get_last_executed (r), synod_pbft_replica_get_stable_seq (r),
            synod_pbft_replica_is_halted (r) ? " HALTED" : "", st->messages, st->auth_failures,
            st->stale, st->rejected_pre_prepares, st->dropped_requests, st->state_transfers);
      }
  if (s->late_failures > 0)
    {
      g_string_append_printf (report, "liveness: %u requests failed after the network stabilised\n",
                              s->late_failures);
      ok = FALSE;
    }
  if (s->p.workload == SIM_WORKLOAD_KV
      && !lin_history_check (s->history, 2000000, &bad_key, &gave_up))
    {
      g_string_append_printf (report, "the key-value history of %s is not linearizable\n", bad_key);
      ok = FALSE;
    }
  if (gave_up)
    g_string_append (report, "note: linearizability search gave up on a key\n");
  return ok;
}

guint
sim_completed (Sim *s)
{
  return s->completed;
}

guint
sim_failed_requests (Sim *s)
{
  return s->failed;
}

gint64
sim_now (Sim *s)
{
  return s->now;
}

SynodPbftReplica *
sim_replica (Sim *s, guint id)
{
  return s->replicas[id].replica;
}

SynodStateVariable *
sim_state (Sim *s, guint id)
{
  return s->replicas[id].state;
}

guint64
sim_max_view (Sim *s)
{
  guint64 v = 0;

  for (guint i = 0; i < s->n; i++)
    if (s->replicas[i].replica != NULL)
      v = MAX (v, synod_pbft_replica_get_view (s->replicas[i].replica));
  return v;
}

guint64
sim_total_state_transfers (Sim *s)
{
  guint64 t = 0;

  for (guint i = 0; i < s->n; i++)
    if (s->replicas[i].replica != NULL)
      t += synod_pbft_replica_get_stats (s->replicas[i].replica)->state_transfers;
  return t;
}

guint64
sim_messages_delivered (Sim *s)
{
  return s->delivered;
}
