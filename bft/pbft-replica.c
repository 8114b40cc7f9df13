/* pbft-replica.c — one PBFT replica as a deterministic state machine.
 *
 * The protocol is Castro and Liskov's (OSDI 1999; TOCS 2002) with MAC
 * authenticators in the normal case and signatures where a message has to
 * convince a third party: checkpoints (stable-checkpoint proofs), view
 * changes and new views (which carry their proofs), reply proofs, and the
 * primary's seed. Every input runs as one "step": its effects on the store
 * form one transaction, committed before the step's outputs are released.
 * docs/pbft.md is the reader's guide to this file. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pbft-private.h"
#include "pbft-replica.h"
#include "synod-bft-error.h"

#define MAX_BATCHES_PER_ENTRY (SYNOD_PBFT_MAX_QSET + 2)
#define MAX_ORIGINS 4
/* Entries one STATUS may trigger retransmission of. */
#define MAX_RETRANSMIT 64

typedef struct
{
  gboolean valid;
  guint64 view;
  SynodPbftDigest digest;
} VoteSlot;

typedef struct
{
  SynodPbftDigest digest;
  SynodPbftBatch *batch;
} BatchSlot;

typedef struct
{
  guint64 seq;
  gboolean has_pp; /* a pre-prepare accepted in pp_view (the current view, or an old one) */
  guint64 pp_view;
  SynodPbftDigest pp_digest;
  gboolean prepared; /* in pp_view */
  gboolean commit_sent;
  gboolean committed;
  SynodPbftDigest committed_digest;
  gboolean has_p; /* P set: highest view in which this replica prepared */
  SynodPbftLogClaim p;
  SynodPbftLogClaim q[SYNOD_PBFT_MAX_QSET]; /* Q set */
  guint n_q;
  BatchSlot batches[MAX_BATCHES_PER_ENTRY];
  guint n_batches;
  VoteSlot *prepares;
  VoteSlot *commits;
  gint64 fetch_at;
  gint64 pp_time; /* when the current pre-prepare was accepted */
} Entry;

typedef struct
{
  guint64 number;
  guint64 seq;
  GBytes *result;
} ClientEntry;

typedef struct
{
  SynodPbftSignedRequest req;
  guint32 origins[MAX_ORIGINS];
  guint n_origins;
  guint64 assigned_seq;
  gboolean queued;
} Pending;

typedef struct
{
  gboolean have;
  SynodPbftDigest digest;
  SynodPbftSignature signature;
} CkptVote;

typedef struct
{
  SynodPbftSignedRequest req;
  guint64 barrier;
} DeferredRead;

/* What a peer last reported in STATUS. */
typedef struct
{
  guint64 view;
  gboolean active;
  guint64 executed;
  guint64 stable;
  gint64 served_state_at;
} Peer;

struct _SynodPbftReplica
{
  SynodPbftConfig config;
  guint n, f;
  guint32 id;
  SynodPbftKeyring *keys;
  SynodStateVariable *state;
  SynodPbftStore *store;
  GBytes *genesis; /* the state variable's snapshot before anything ran */
  gint64 now;
  gboolean halted;
  gboolean replaying;
  SynodPbftReplicaStats stats;

  guint64 view;
  gboolean view_active;
  guint vc_failures;

  GHashTable *log; /* guint64 seq -> Entry */
  guint64 low;
  SynodPbftCheckpointProof stable_proof;
  SynodPbftCheckpointProof best_proof;
  guint64 last_executed;
  guint64 last_timestamp;
  guint64 last_proposed_timestamp;
  guint64 next_seq;
  guint64 max_prepared;
  gboolean state_valid;

  GHashTable *clients;    /* guint64 client -> ClientEntry */
  GHashTable *own_ckpts;  /* guint64 seq -> guint8[32] */
  GHashTable *ckpt_votes; /* guint64 seq -> CkptVote[n] */

  GHashTable *pending;  /* guint64 client -> Pending */
  GQueue pending_queue; /* of guint64 * */
  GQueue deferred_reads;

  SynodPbftSignedViewChange **vcs; /* [n]: each replica's latest view change */
  GBytes *new_view_bytes;
  Peer *peers;
  guint64 executed_at_tick;

  gboolean transfer_active;
  guint32 transfer_peer;

  gint64 deadlines[SYNOD_PBFT_N_TIMERS];
  GQueue staged;
  GQueue outputs;
};

static const gchar META_VIEW[] = "view";
static const gchar META_STABLE[] = "stable";
static const gchar META_NEW_VIEW[] = "new-view";

static void try_execute (SynodPbftReplica *r);
static void try_propose (SynodPbftReplica *r);
static void try_new_view (SynodPbftReplica *r);
static void start_view_change (SynodPbftReplica *r, guint64 new_view);
static void start_state_transfer (SynodPbftReplica *r);
static void adopt_proof (SynodPbftReplica *r, const SynodPbftCheckpointProof *proof);

/* ------------------------------------------------------------------ */
/* Outputs, failure, timers                                            */

void
synod_pbft_output_clear (SynodPbftOutput *output)
{
  g_clear_pointer (&output->data, g_bytes_unref);
  g_clear_pointer (&output->result, g_bytes_unref);
  g_clear_pointer (&output->proof, g_ptr_array_unref);
  g_clear_error (&output->error);
  memset (output, 0, sizeof *output);
}

static void
output_free (gpointer data)
{
  synod_pbft_output_clear (data);
  g_free (data);
}

static SynodPbftOutput *
stage (SynodPbftReplica *r, SynodPbftOutputKind kind)
{
  SynodPbftOutput *o = g_new0 (SynodPbftOutput, 1);

  o->kind = kind;
  g_queue_push_tail (&r->staged, o);
  return o;
}

static void
fail (SynodPbftReplica *r, GError *error)
{
  if (!r->halted)
    g_warning ("PBFT replica %u halts: %s", r->id, error ? error->message : "unknown error");
  r->halted = TRUE;
  g_clear_error (&error);
}

static void
arm (SynodPbftReplica *r, SynodPbftTimer timer, gint64 deadline)
{
  SynodPbftOutput *o;

  if (r->deadlines[timer] == deadline)
    return;
  r->deadlines[timer] = deadline;
  o = stage (r, SYNOD_PBFT_OUTPUT_TIMER);
  o->timer = timer;
  o->deadline = deadline;
}

static gint64
view_change_timeout (SynodPbftReplica *r)
{
  gint64 t = r->config.view_change_timeout;

  for (guint i = 0; i < r->vc_failures && t < r->config.max_view_change_timeout; i++)
    t *= 2;
  return MIN (t, r->config.max_view_change_timeout);
}

static gboolean
is_primary (SynodPbftReplica *r)
{
  return pbft_primary (&r->config, r->view) == r->id;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static void
send_bytes (SynodPbftReplica *r, guint32 to, GBytes *bytes)
{
  SynodPbftOutput *o;

  if (r->replaying)
    return;
  o = stage (r, SYNOD_PBFT_OUTPUT_SEND);
  o->to = to;
  o->data = g_bytes_ref (bytes);
}

/* Sends @body (borrowed). to == SYNOD_PBFT_TO_REPLICAS broadcasts with an
 * authenticator, or with a signature when @sign. */
static void
send_body (SynodPbftReplica *r, guint32 to, const SynodPbftBody *body, gboolean sign)
{
  SynodPbftMessage m = { .service = r->config.service, .sender = r->id, .body = *body };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  SynodPbftAuthKind kind;

  if (r->replaying)
    return;
  if (sign)
    kind = SYNOD_PBFT_AUTH_SIGNATURE;
  else if (to == SYNOD_PBFT_TO_REPLICAS)
    kind = SYNOD_PBFT_AUTH_AUTHENTICATOR;
  else
    kind = SYNOD_PBFT_AUTH_MAC;
  bytes = pbft_seal (r->keys, &m, kind, to, r->n, &error);
  if (bytes == NULL)
    {
      g_debug ("replica %u cannot send message type %d: %s", r->id, body->type, error->message);
      return;
    }
  send_bytes (r, to, bytes);
}

static gboolean
sign_body (SynodPbftReplica *r, const SynodPbftBody *body, guint8 signature[64])
{
  SynodPbftMessage m = { .service = r->config.service, .sender = r->id, .body = *body };
  guint8 digest[32];

  return pbft_digest (&synod_pbft_message_desc, &m, digest)
         && synod_pbft_keyring_sign (r->keys, digest, 32, signature);
}

static void
send_vote (SynodPbftReplica *r, guint32 to, SynodPbftMessageType type, guint64 view, guint64 seq,
           const guint8 *digest)
{
  SynodPbftBody body = { .type = type };

  body.u.vote.view = view;
  body.u.vote.seq = seq;
  memcpy (body.u.vote.digest, digest, 32);
  send_body (r, to, &body, FALSE);
}

static void
send_reply (SynodPbftReplica *r, guint32 to, guint64 client, guint64 number, GBytes *result,
            gboolean read_only)
{
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_REPLY };
  SynodPbftReply *rep = &body.u.reply;
  guint8 sig[64];
  gsize len;

  rep->view = r->view;
  rep->client = client;
  rep->number = number;
  rep->replica = r->id;
  rep->read_only = read_only;
  rep->result.val = (guint8 *)g_bytes_get_data (result, &len);
  rep->result.len = len;
  if (r->config.sign_replies && !r->replaying)
    {
      g_autoptr (GBytes) statement = NULL;

      if (!pbft_reply_statement_encode (r->config.service, rep, &statement))
        return;
      if (!synod_pbft_keyring_sign (r->keys, g_bytes_get_data (statement, NULL),
                                    g_bytes_get_size (statement), sig))
        return;
      rep->signature.val = sig;
      rep->signature.len = 64;
    }
  send_body (r, to, &body, FALSE);
}

/* ------------------------------------------------------------------ */
/* Store                                                               */

static GBytes *
seq_key (guint64 seq)
{
  guint64 be = GUINT64_TO_BE (seq);

  return g_bytes_new (&be, sizeof be);
}

static GBytes *
batch_key (guint64 seq, const guint8 *digest)
{
  guint8 k[40];
  guint64 be = GUINT64_TO_BE (seq);

  memcpy (k, &be, 8);
  memcpy (k + 8, digest, 32);
  return g_bytes_new (k, sizeof k);
}

static GBytes *
meta_key (const gchar *name)
{
  return g_bytes_new_static (name, strlen (name));
}

static void
persist (SynodPbftReplica *r, SynodPbftTable table, GBytes *key, const SynodTypeDesc *type,
         gconstpointer value)
{
  GError *error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (r->halted)
    return;
  bytes = pbft_encode (type, value, &error);
  if (bytes == NULL || !synod_pbft_store_put (r->store, table, key, bytes, &error))
    fail (r, error);
}

static void
persist_raw (SynodPbftReplica *r, SynodPbftTable table, GBytes *key, GBytes *bytes)
{
  GError *error = NULL;

  if (!r->halted && !synod_pbft_store_put (r->store, table, key, bytes, &error))
    fail (r, error);
}

static void
persist_view (SynodPbftReplica *r)
{
  SynodPbftViewRecord rec = { .view = r->view, .active = r->view_active };
  g_autoptr (GBytes) key = meta_key (META_VIEW);

  persist (r, SYNOD_PBFT_TABLE_META, key, &synod_pbft_view_record_desc, &rec);
}

/* ------------------------------------------------------------------ */
/* Log entries                                                         */

static Entry *
entry_lookup (SynodPbftReplica *r, guint64 seq)
{
  return g_hash_table_lookup (r->log, &seq);
}

static Entry *
entry_get (SynodPbftReplica *r, guint64 seq)
{
  Entry *e = entry_lookup (r, seq);

  if (e == NULL)
    {
      e = g_new0 (Entry, 1);
      e->seq = seq;
      e->prepares = g_new0 (VoteSlot, r->n);
      e->commits = g_new0 (VoteSlot, r->n);
      g_hash_table_insert (r->log, &e->seq, e);
    }
  return e;
}

static void
entry_free (gpointer data)
{
  Entry *e = data;

  for (guint i = 0; i < e->n_batches; i++)
    synod_pbft_batch_free (e->batches[i].batch);
  g_free (e->prepares);
  g_free (e->commits);
  g_free (e);
}

static const SynodPbftBatch *
entry_batch (Entry *e, const guint8 *digest)
{
  static const SynodPbftBatch null_batch = { 0 };

  if (memcmp (digest, pbft_null_batch_digest (), 32) == 0)
    return &null_batch;
  for (guint i = 0; i < e->n_batches; i++)
    if (memcmp (e->batches[i].digest, digest, 32) == 0)
      return e->batches[i].batch;
  return NULL;
}

static gboolean
entry_references (Entry *e, const guint8 *digest)
{
  if (e->has_pp && memcmp (e->pp_digest, digest, 32) == 0)
    return TRUE;
  if (e->committed && memcmp (e->committed_digest, digest, 32) == 0)
    return TRUE;
  if (e->has_p && memcmp (e->p.digest, digest, 32) == 0)
    return TRUE;
  for (guint i = 0; i < e->n_q; i++)
    if (memcmp (e->q[i].digest, digest, 32) == 0)
      return TRUE;
  return FALSE;
}

/* Takes ownership of @batch. */
static void
entry_add_batch (SynodPbftReplica *r, Entry *e, const guint8 *digest, SynodPbftBatch *batch,
                 gboolean durable)
{
  if (entry_batch (e, digest) != NULL)
    {
      synod_pbft_batch_free (batch);
      return;
    }
  if (e->n_batches == MAX_BATCHES_PER_ENTRY)
    {
      /* Keep what the protocol still refers to; a Byzantine primary that
       * proposes many batches for one number only evicts its own. */
      guint victim = 0;

      while (victim < e->n_batches && entry_references (e, e->batches[victim].digest))
        victim++;
      if (victim == e->n_batches)
        victim = 0;
      if (durable)
        {
          g_autoptr (GBytes) key = batch_key (e->seq, e->batches[victim].digest);
          GError *error = NULL;

          if (!synod_pbft_store_delete (r->store, SYNOD_PBFT_TABLE_BATCH, key, &error))
            fail (r, error);
        }
      synod_pbft_batch_free (e->batches[victim].batch);
      e->batches[victim] = e->batches[--e->n_batches];
    }
  memcpy (e->batches[e->n_batches].digest, digest, 32);
  e->batches[e->n_batches].batch = batch;
  e->n_batches++;
  if (durable)
    {
      g_autoptr (GBytes) key = batch_key (e->seq, digest);

      persist (r, SYNOD_PBFT_TABLE_BATCH, key, &synod_pbft_batch_desc, batch);
    }
}

static void
entry_add_q (Entry *e, const guint8 *digest, guint64 view)
{
  guint lowest = 0;

  for (guint i = 0; i < e->n_q; i++)
    if (memcmp (e->q[i].digest, digest, 32) == 0)
      {
        e->q[i].view = MAX (e->q[i].view, view);
        return;
      }
  if (e->n_q == SYNOD_PBFT_MAX_QSET)
    {
      for (guint i = 1; i < e->n_q; i++)
        if (e->q[i].view < e->q[lowest].view)
          lowest = i;
      e->q[lowest] = e->q[--e->n_q];
    }
  e->q[e->n_q].seq = e->seq;
  memcpy (e->q[e->n_q].digest, digest, 32);
  e->q[e->n_q].view = view;
  e->n_q++;
}

static void
entry_save (SynodPbftReplica *r, Entry *e)
{
  SynodPbftEntryRecord rec = {
    .seq = e->seq,
    .has_pre_prepare = e->has_pp,
    .pre_prepare_view = e->pp_view,
    .has_prepared = e->has_p,
    .prepared = e->p,
    .preprepared = { e->n_q, e->q },
    .committed = e->committed,
  };
  g_autoptr (GBytes) key = seq_key (e->seq);

  memcpy (rec.pre_prepare_digest, e->committed ? e->committed_digest : e->pp_digest, 32);
  if (e->committed)
    rec.has_pre_prepare = TRUE;
  persist (r, SYNOD_PBFT_TABLE_ENTRY, key, &synod_pbft_entry_record_desc, &rec);
}

static gboolean
in_window (SynodPbftReplica *r, guint64 seq)
{
  return seq > r->low && seq <= r->low + r->config.window;
}

static void
fetch_batch (SynodPbftReplica *r, Entry *e, const guint8 *digest)
{
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_FETCH_BATCH };

  if (e->fetch_at != 0 && r->now - e->fetch_at < r->config.status_interval)
    return;
  g_debug ("replica %u fetches batch %" G_GUINT64_FORMAT " %02x%02x", r->id, e->seq, digest[0],
           digest[1]);
  e->fetch_at = r->now;
  body.u.fetch_batch.seq = e->seq;
  memcpy (body.u.fetch_batch.digest, digest, 32);
  send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, FALSE);
}

/* ------------------------------------------------------------------ */
/* Requests waiting for execution                                       */

static void
pending_free (gpointer data)
{
  Pending *p = data;

  synod_pbft_signed_request_clear (&p->req);
  g_free (p);
}

static void
queue_pending (SynodPbftReplica *r, Pending *p)
{
  if (p->queued || p->assigned_seq != 0)
    return;
  p->queued = TRUE;
  g_queue_push_tail (&r->pending_queue, g_memdup2 (&p->req.request.client, sizeof (guint64)));
}

static void
update_request_timer (SynodPbftReplica *r, gboolean restart)
{
  if (!r->view_active)
    return;
  if (is_primary (r) || g_hash_table_size (r->pending) == 0)
    arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, 0);
  else if (r->deadlines[SYNOD_PBFT_TIMER_VIEW_CHANGE] == 0 || restart)
    arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, r->now + view_change_timeout (r));
}

/* ------------------------------------------------------------------ */
/* Execution and checkpoints                                            */

static void
client_entry_free (gpointer data)
{
  ClientEntry *c = data;

  g_bytes_unref (c->result);
  g_free (c);
}

static void
reply_to_origins (SynodPbftReplica *r, const SynodPbftRequest *req, GBytes *result)
{
  Pending *p = g_hash_table_lookup (r->pending, &req->client);

  send_reply (r, req->origin, req->client, req->number, result, FALSE);
  if (p != NULL && p->req.request.number == req->number)
    for (guint i = 0; i < p->n_origins; i++)
      if (p->origins[i] != req->origin)
        send_reply (r, p->origins[i], req->client, req->number, result, FALSE);
}

typedef struct
{
  guint64 client;
  ClientEntry *entry;
} ClientRef;

static gint
client_ref_by_client (gconstpointer a, gconstpointer b)
{
  const ClientRef *x = a, *y = b;

  return x->client < y->client ? -1 : x->client > y->client;
}

static gint
client_ref_by_age (gconstpointer a, gconstpointer b)
{
  const ClientRef *x = a, *y = b;

  if (x->entry->seq != y->entry->seq)
    return x->entry->seq < y->entry->seq ? -1 : 1;
  return client_ref_by_client (a, b);
}

static GArray *
client_refs (SynodPbftReplica *r, GCompareFunc order)
{
  GArray *refs
      = g_array_sized_new (FALSE, FALSE, sizeof (ClientRef), g_hash_table_size (r->clients));
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, r->clients);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      ClientRef ref = { *(guint64 *)k, v };

      g_array_append_val (refs, ref);
    }
  g_array_sort (refs, order);
  return refs;
}

/* Fills @state (borrowing the client table's results). */
static void
checkpoint_state (SynodPbftReplica *r, guint64 seq, SynodPbftCheckpointState *state,
                  GArray **ret_refs)
{
  GArray *refs = client_refs (r, client_ref_by_client);
  SynodPbftClientRecord *recs = g_new0 (SynodPbftClientRecord, MAX (refs->len, 1));

  for (guint i = 0; i < refs->len; i++)
    {
      ClientRef *c = &g_array_index (refs, ClientRef, i);
      gsize len;

      recs[i].client = c->client;
      recs[i].number = c->entry->number;
      recs[i].seq = c->entry->seq;
      recs[i].result.val = (guint8 *)g_bytes_get_data (c->entry->result, &len);
      recs[i].result.len = len;
    }
  memset (state, 0, sizeof *state);
  state->seq = seq;
  state->timestamp = r->last_timestamp;
  synod_state_variable_digest (r->state, state->app_digest);
  state->clients.len = refs->len;
  state->clients.val = recs;
  *ret_refs = refs;
}

static void
record_checkpoint_vote (SynodPbftReplica *r, guint64 seq, guint32 replica, const guint8 *digest,
                        const guint8 *signature)
{
  CkptVote *votes = g_hash_table_lookup (r->ckpt_votes, &seq);

  if (votes == NULL)
    {
      guint64 *key = g_memdup2 (&seq, sizeof seq);

      votes = g_new0 (CkptVote, r->n);
      g_hash_table_insert (r->ckpt_votes, key, votes);
    }
  votes[replica].have = TRUE;
  memcpy (votes[replica].digest, digest, 32);
  memcpy (votes[replica].signature, signature, 64);
}

static void
check_stable (SynodPbftReplica *r, guint64 seq)
{
  CkptVote *votes = g_hash_table_lookup (r->ckpt_votes, &seq);

  if (votes == NULL || seq <= r->low)
    return;
  for (guint i = 0; i < r->n; i++)
    {
      guint count = 0;

      if (!votes[i].have)
        continue;
      for (guint j = 0; j < r->n; j++)
        if (votes[j].have && memcmp (votes[j].digest, votes[i].digest, 32) == 0)
          count++;
      if (count >= 2 * r->f + 1)
        {
          SynodPbftCheckpointSignature sigs[SYNOD_PBFT_MAX_REPLICAS];
          SynodPbftCheckpointProof proof = { .seq = seq };
          guint k = 0;

          memcpy (proof.digest, votes[i].digest, 32);
          for (guint j = 0; j < r->n && k < 2 * r->f + 1; j++)
            if (votes[j].have && memcmp (votes[j].digest, votes[i].digest, 32) == 0)
              {
                sigs[k].replica = j;
                memcpy (sigs[k].signature, votes[j].signature, 64);
                k++;
              }
          proof.signatures.len = k;
          proof.signatures.val = sigs;
          adopt_proof (r, &proof);
          return;
        }
    }
}

static void
take_checkpoint (SynodPbftReplica *r, guint64 seq)
{
  SynodPbftCheckpointRecord rec = { 0 };
  g_autoptr (GArray) refs = NULL;
  g_autoptr (GBytes) snapshot = NULL;
  g_autoptr (GBytes) key = seq_key (seq);
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_CHECKPOINT };
  guint8 digest[32], sig[64];
  gsize len;

  /* Forget the oldest clients first: a deterministic function of the
   * replicated state, so every replica forgets the same ones. */
  if (g_hash_table_size (r->clients) > r->config.max_clients)
    {
      g_autoptr (GArray) by_age = client_refs (r, client_ref_by_age);
      guint excess = by_age->len - r->config.max_clients;

      for (guint i = 0; i < excess; i++)
        g_hash_table_remove (r->clients, &g_array_index (by_age, ClientRef, i).client);
    }

  checkpoint_state (r, seq, &rec.state, &refs);
  if (!pbft_digest (&synod_pbft_checkpoint_state_desc, &rec.state, digest))
    {
      g_free (rec.state.clients.val);
      fail (r, g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                            _ ("The replicated state does not fit a checkpoint")));
      return;
    }
  snapshot = synod_state_variable_snapshot (r->state);
  rec.app_snapshot.val = (guint8 *)g_bytes_get_data (snapshot, &len);
  rec.app_snapshot.len = len;
  persist (r, SYNOD_PBFT_TABLE_CHECKPOINT, key, &synod_pbft_checkpoint_record_desc, &rec);
  g_free (rec.state.clients.val);
  g_hash_table_replace (r->own_ckpts, g_memdup2 (&seq, sizeof seq), g_memdup2 (digest, 32));

  body.u.checkpoint.seq = seq;
  memcpy (body.u.checkpoint.digest, digest, 32);
  if (!sign_body (r, &body, sig))
    return;
  record_checkpoint_vote (r, seq, r->id, digest, sig);
  send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, TRUE);
  check_stable (r, seq);
}

static void
execute_batch (SynodPbftReplica *r, guint64 seq, const SynodPbftBatch *batch, const guint8 *digest)
{
  SynodStateVariableContext ctx = { .seq = seq };
  SynodPbftOutput *o;
  gboolean progress = FALSE;

  if (batch->requests.len > 0)
    r->last_timestamp = MAX (batch->nondet.timestamp, r->last_timestamp);
  ctx.timestamp = r->last_timestamp;
  if (batch->nondet.seed_proof.len > 0)
    synod_pbft_sha256 (batch->nondet.seed_proof.val, batch->nondet.seed_proof.len, ctx.seed);

  for (guint i = 0; i < batch->requests.len; i++)
    {
      const SynodPbftRequest *req = &batch->requests.val[i].request;
      ClientEntry *ce = g_hash_table_lookup (r->clients, &req->client);
      Pending *p;
      g_autoptr (GBytes) op = NULL;
      GBytes *result;

      if (ce != NULL && req->number <= ce->number)
        {
          /* Ordered twice (a retry reached another primary, or a new view
           * re-proposed it): never executed twice. */
          if (req->number == ce->number)
            send_reply (r, req->origin, req->client, req->number, ce->result, FALSE);
          continue;
        }
      ctx.client = req->client;
      ctx.number = req->number;
      op = g_bytes_new (req->op.val, req->op.len);
      result = synod_state_variable_execute (r->state, &ctx, op);
      if (g_bytes_get_size (result) > SYNOD_PBFT_MAX_RESULT_SIZE)
        {
          /* Every replica truncates alike: the result stays deterministic. */
          GBytes *cut = g_bytes_new_from_bytes (result, 0, SYNOD_PBFT_MAX_RESULT_SIZE);

          g_bytes_unref (result);
          result = cut;
        }
      if (ce == NULL)
        {
          ce = g_new0 (ClientEntry, 1);
          g_hash_table_insert (r->clients, g_memdup2 (&req->client, sizeof (guint64)), ce);
        }
      else
        g_bytes_unref (ce->result);
      ce->number = req->number;
      ce->seq = seq;
      ce->result = result;
      r->stats.requests_executed++;
      progress = TRUE;

      o = stage (r, SYNOD_PBFT_OUTPUT_EXECUTED);
      o->seq = seq;
      o->client = req->client;
      o->number = req->number;
      o->result = g_bytes_ref (result);

      reply_to_origins (r, req, result);
      p = g_hash_table_lookup (r->pending, &req->client);
      if (p != NULL && p->req.request.number <= req->number)
        g_hash_table_remove (r->pending, &req->client);
    }

  r->last_executed = seq;
  r->stats.batches_executed++;
  o = stage (r, SYNOD_PBFT_OUTPUT_COMMITTED);
  o->seq = seq;
  o->view = r->view;
  memcpy (o->digest, digest, 32);
  if (progress && r->view_active)
    r->vc_failures = 0;
  if (seq % r->config.checkpoint_interval == 0)
    take_checkpoint (r, seq);
}

static void
execute_read (SynodPbftReplica *r, const SynodPbftSignedRequest *sr)
{
  SynodStateVariableContext ctx = {
    .timestamp = r->last_timestamp,
    .client = sr->request.client,
    .number = sr->request.number,
    .read_only = TRUE,
  };
  g_autoptr (GBytes) op = g_bytes_new (sr->request.op.val, sr->request.op.len);
  g_autoptr (GBytes) result = synod_state_variable_execute (r->state, &ctx, op);

  if (g_bytes_get_size (result) > SYNOD_PBFT_MAX_RESULT_SIZE)
    return;
  r->stats.read_only_executed++;
  send_reply (r, sr->request.origin, sr->request.client, sr->request.number, result, TRUE);
}

static void
deferred_read_free (gpointer data)
{
  DeferredRead *d = data;

  synod_pbft_signed_request_clear (&d->req);
  g_free (d);
}

static void
run_deferred_reads (SynodPbftReplica *r)
{
  DeferredRead *d;

  while ((d = g_queue_peek_head (&r->deferred_reads)) != NULL && d->barrier <= r->last_executed
         && r->view_active && r->state_valid && !r->transfer_active)
    {
      g_queue_pop_head (&r->deferred_reads);
      execute_read (r, &d->req);
      deferred_read_free (d);
    }
}

static void
try_execute (SynodPbftReplica *r)
{
  gboolean executed = FALSE;

  while (r->state_valid && !r->transfer_active && !r->halted)
    {
      Entry *e = entry_lookup (r, r->last_executed + 1);
      const SynodPbftBatch *batch;

      if (e == NULL || !e->committed)
        break;
      batch = entry_batch (e, e->committed_digest);
      if (batch == NULL)
        {
          fetch_batch (r, e, e->committed_digest);
          break;
        }
      execute_batch (r, e->seq, batch, e->committed_digest);
      executed = TRUE;
    }
  if (!executed || r->replaying)
    return;
  update_request_timer (r, TRUE);
  run_deferred_reads (r);
  try_propose (r);
}

/* ------------------------------------------------------------------ */
/* Stable checkpoints, garbage collection, state transfer               */

static void
collect_garbage (SynodPbftReplica *r)
{
  GHashTableIter it;
  gpointer k, v;
  g_autoptr (GBytes) above = seq_key (r->low + 1);
  g_autoptr (GBytes) from = seq_key (r->low);
  GError *error = NULL;

  g_hash_table_iter_init (&it, r->log);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (((Entry *)v)->seq <= r->low)
      g_hash_table_iter_remove (&it);
  g_hash_table_iter_init (&it, r->ckpt_votes);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (*(guint64 *)k <= r->low)
      g_hash_table_iter_remove (&it);
  g_hash_table_iter_init (&it, r->own_ckpts);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (*(guint64 *)k < r->low)
      g_hash_table_iter_remove (&it);
  if (r->halted)
    return;
  if (!synod_pbft_store_delete_below (r->store, SYNOD_PBFT_TABLE_ENTRY, above, &error)
      || !synod_pbft_store_delete_below (r->store, SYNOD_PBFT_TABLE_BATCH, above, &error)
      || !synod_pbft_store_delete_below (r->store, SYNOD_PBFT_TABLE_CHECKPOINT, from, &error))
    fail (r, error);
}

static void
set_proof (SynodPbftCheckpointProof *dest, const SynodPbftCheckpointProof *src)
{
  SynodPbftCheckpointProof copy = { 0 };

  synod_pbft_checkpoint_proof_copy (src, &copy);
  synod_pbft_checkpoint_proof_clear (dest);
  *dest = copy;
}

static void
advance_stable (SynodPbftReplica *r, const SynodPbftCheckpointProof *proof)
{
  g_autoptr (GBytes) key = meta_key (META_STABLE);

  r->low = proof->seq;
  set_proof (&r->stable_proof, proof);
  if (r->best_proof.seq < proof->seq)
    set_proof (&r->best_proof, proof);
  persist (r, SYNOD_PBFT_TABLE_META, key, &synod_pbft_checkpoint_proof_desc, proof);
  r->stats.checkpoints_stable++;
  if (r->next_seq <= r->low)
    r->next_seq = r->low + 1;
  collect_garbage (r);
  try_propose (r);
}

/* @proof is checked: 2f+1 replicas signed (seq, digest). */
static void
adopt_proof (SynodPbftReplica *r, const SynodPbftCheckpointProof *proof)
{
  const guint8 *own;

  if (proof->seq <= r->low)
    return;
  if (proof->seq > r->best_proof.seq)
    set_proof (&r->best_proof, proof);
  own = g_hash_table_lookup (r->own_ckpts, &proof->seq);
  if (own != NULL && r->state_valid)
    {
      if (memcmp (own, proof->digest, 32) == 0)
        advance_stable (r, proof);
      else
        {
          /* 2f+1 replicas, so at least f+1 correct ones, agree on a state
           * this replica does not have: its state is damaged. */
          g_info ("replica %u: state at %" G_GUINT64_FORMAT " disagrees with the stable checkpoint",
                  r->id, proof->seq);
          r->state_valid = FALSE;
          start_state_transfer (r);
        }
    }
  else if (proof->seq > r->last_executed + r->config.window || !r->state_valid)
    start_state_transfer (r);
}

static void
send_fetch_state (SynodPbftReplica *r)
{
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_FETCH_STATE };

  /* A replica with a valid state wants a checkpoint it has not executed; one
   * whose state is damaged takes any stable checkpoint (its log above it is
   * executed again), or a helper that is not ahead of it would never serve it. */
  body.u.fetch_state.seq = r->state_valid ? MAX (r->best_proof.seq, r->last_executed + 1)
                                          : MAX (r->best_proof.seq, 1);
  do
    r->transfer_peer = (r->transfer_peer + 1) % r->n;
  while (r->transfer_peer == r->id);
  send_body (r, r->transfer_peer, &body, FALSE);
}

static void
start_state_transfer (SynodPbftReplica *r)
{
  if (r->transfer_active || r->replaying)
    return;
  g_debug ("replica %u: state transfer (executed %" G_GUINT64_FORMAT
           ", best proof %" G_GUINT64_FORMAT ")",
           r->id, r->last_executed, r->best_proof.seq);
  r->transfer_active = TRUE;
  send_fetch_state (r);
}

static void
handle_fetch_state (SynodPbftReplica *r, guint32 sender, const SynodPbftFetchState *fs)
{
  g_autoptr (GBytes) key = seq_key (r->low);
  g_autoptr (GBytes) bytes = NULL;
  g_auto (SynodPbftCheckpointRecord) rec = { 0 };
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_STATE };
  Peer *peer = &r->peers[sender];
  GError *error = NULL;

  if (r->low == 0 || r->low < fs->seq || !r->state_valid)
    return;
  /* Bounded: one state per peer per status interval. */
  if (peer->served_state_at != 0 && r->now - peer->served_state_at < r->config.status_interval)
    return;
  if (!synod_pbft_store_get (r->store, SYNOD_PBFT_TABLE_CHECKPOINT, key, &bytes, &error))
    {
      if (error != NULL)
        fail (r, error);
      return;
    }
  if (!pbft_decode (&synod_pbft_checkpoint_record_desc, g_bytes_get_data (bytes, NULL),
                    g_bytes_get_size (bytes), &rec, NULL))
    return;
  peer->served_state_at = r->now;
  body.u.state.proof = r->stable_proof;
  body.u.state.state = rec.state;
  body.u.state.app_snapshot.len = rec.app_snapshot.len;
  body.u.state.app_snapshot.val = rec.app_snapshot.val;
  send_body (r, sender, &body, FALSE);
}

static void
handle_stable (SynodPbftReplica *r, const SynodPbftCheckpointProof *proof)
{
  if (proof->seq <= r->low || proof->seq % r->config.checkpoint_interval != 0)
    {
      r->stats.stale++;
      return;
    }
  if (!pbft_checkpoint_proof_check (r->keys, &r->config, proof))
    {
      r->stats.auth_failures++;
      return;
    }
  adopt_proof (r, proof);
}

static gboolean
install_clients (SynodPbftReplica *r, const SynodPbftCheckpointState *state)
{
  for (guint i = 1; i < state->clients.len; i++)
    if (state->clients.val[i - 1].client >= state->clients.val[i].client)
      return FALSE;
  if (state->clients.len > r->config.max_clients)
    return FALSE;
  g_hash_table_remove_all (r->clients);
  for (guint i = 0; i < state->clients.len; i++)
    {
      const SynodPbftClientRecord *c = &state->clients.val[i];
      ClientEntry *ce = g_new0 (ClientEntry, 1);

      ce->number = c->number;
      ce->seq = c->seq;
      ce->result = g_bytes_new (c->result.val, c->result.len);
      g_hash_table_insert (r->clients, g_memdup2 (&c->client, sizeof c->client), ce);
    }
  return TRUE;
}

static void
handle_state (SynodPbftReplica *r, SynodPbftStateData *sd)
{
  guint8 digest[32], app_digest[32];
  g_autoptr (GBytes) snapshot = NULL;
  g_autoptr (GError) error = NULL;
  SynodPbftCheckpointRecord rec;
  SynodPbftOutput *o;
  guint64 seq = sd->proof.seq;

  if (seq == 0 || (r->state_valid && seq <= r->last_executed))
    {
      r->stats.stale++;
      return;
    }
  if (sd->state.seq != seq || !pbft_checkpoint_proof_check (r->keys, &r->config, &sd->proof)
      || !pbft_digest (&synod_pbft_checkpoint_state_desc, &sd->state, digest)
      || memcmp (digest, sd->proof.digest, 32) != 0)
    {
      r->stats.auth_failures++;
      return;
    }
  snapshot = g_bytes_new (sd->app_snapshot.val, sd->app_snapshot.len);
  if (!synod_state_variable_restore (r->state, snapshot, &error))
    {
      g_info ("replica %u: snapshot at %" G_GUINT64_FORMAT " does not restore: %s", r->id, seq,
              error->message);
      r->state_valid = FALSE;
      return;
    }
  synod_state_variable_digest (r->state, app_digest);
  if (memcmp (app_digest, sd->state.app_digest, 32) != 0 || !install_clients (r, &sd->state))
    {
      r->state_valid = FALSE;
      r->stats.auth_failures++;
      return;
    }
  r->last_timestamp = sd->state.timestamp;
  r->last_executed = seq;
  r->executed_at_tick = seq;
  r->state_valid = TRUE;
  r->transfer_active = FALSE;
  r->stats.state_transfers++;
  if (r->next_seq <= seq)
    r->next_seq = seq + 1;

  rec.state = sd->state;
  rec.app_snapshot.len = sd->app_snapshot.len;
  rec.app_snapshot.val = sd->app_snapshot.val;
  {
    g_autoptr (GBytes) key = seq_key (seq);

    persist (r, SYNOD_PBFT_TABLE_CHECKPOINT, key, &synod_pbft_checkpoint_record_desc, &rec);
  }
  g_hash_table_replace (r->own_ckpts, g_memdup2 (&seq, sizeof seq), g_memdup2 (digest, 32));
  o = stage (r, SYNOD_PBFT_OUTPUT_STATE_TRANSFERRED);
  o->seq = seq;
  memcpy (o->digest, digest, 32);
  if (seq > r->low)
    advance_stable (r, &sd->proof);
  /* Requests executed inside the transferred state are no longer pending. */
  {
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init (&it, r->pending);
    while (g_hash_table_iter_next (&it, &k, &v))
      {
        ClientEntry *ce = g_hash_table_lookup (r->clients, k);

        if (ce != NULL && ((Pending *)v)->req.request.number <= ce->number)
          g_hash_table_iter_remove (&it);
      }
  }
  try_execute (r);
  update_request_timer (r, TRUE);
  run_deferred_reads (r);
  try_propose (r);
}

/* ------------------------------------------------------------------ */
/* Normal case                                                          */

static void
try_propose (SynodPbftReplica *r)
{
  while (r->view_active && is_primary (r) && r->state_valid && !r->transfer_active && !r->replaying
         && !r->halted && r->pending_queue.length > 0 && r->next_seq <= r->low + r->config.window
         && r->next_seq - r->last_executed - 1 < r->config.max_inflight)
    {
      g_autoptr (GPtrArray) chosen = g_ptr_array_new ();
      SynodPbftBatch *batch = g_new0 (SynodPbftBatch, 1);
      SynodPbftBody body = { .type = SYNOD_PBFT_MSG_PRE_PREPARE };
      guint64 seq = r->next_seq;
      gsize bytes = 0;
      guint8 digest[32];
      Entry *e;

      while (chosen->len < r->config.max_batch && r->pending_queue.length > 0)
        {
          guint64 *client = g_queue_peek_head (&r->pending_queue);
          Pending *p = g_hash_table_lookup (r->pending, client);

          if (p != NULL && p->queued && chosen->len > 0
              && bytes + p->req.request.op.len > r->config.max_batch_bytes)
            break;
          g_free (g_queue_pop_head (&r->pending_queue));
          if (p == NULL || !p->queued || p->assigned_seq != 0)
            continue;
          p->queued = FALSE;
          bytes += p->req.request.op.len;
          g_ptr_array_add (chosen, p);
        }
      if (chosen->len == 0)
        {
          g_free (batch);
          break;
        }

      batch->nondet.timestamp = MAX ((guint64)MAX (r->now, 0), r->last_proposed_timestamp);
      batch->nondet.proposer_view = r->view;
      r->last_proposed_timestamp = batch->nondet.timestamp;
      if (r->config.random_seed)
        {
          SynodPbftSeedStatement st = { r->config.service, r->view, seq };
          g_autoptr (GBytes) stb = pbft_encode (&synod_pbft_seed_statement_desc, &st, NULL);

          batch->nondet.seed_proof.val = g_malloc (64);
          batch->nondet.seed_proof.len = 64;
          if (stb == NULL
              || !synod_pbft_keyring_sign (r->keys, g_bytes_get_data (stb, NULL),
                                           g_bytes_get_size (stb), batch->nondet.seed_proof.val))
            {
              synod_pbft_batch_free (batch);
              fail (r, g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                                    _ ("Cannot sign the seed of a batch")));
              return;
            }
        }
      batch->requests.len = chosen->len;
      batch->requests.val = g_new0 (SynodPbftSignedRequest, chosen->len);
      for (guint i = 0; i < chosen->len; i++)
        {
          Pending *p = g_ptr_array_index (chosen, i);

          synod_pbft_signed_request_copy (&p->req, &batch->requests.val[i]);
          p->assigned_seq = seq;
        }
      if (!pbft_digest (&synod_pbft_batch_desc, batch, digest))
        {
          synod_pbft_batch_free (batch);
          fail (r, g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                                _ ("A batch does not fit its type")));
          return;
        }

      e = entry_get (r, seq);
      e->has_pp = TRUE;
      e->pp_time = r->now;
      e->pp_view = r->view;
      memcpy (e->pp_digest, digest, 32);
      e->prepared = FALSE;
      e->commit_sent = FALSE;
      entry_add_q (e, digest, r->view);
      entry_add_batch (r, e, digest, batch, TRUE);
      entry_save (r, e);
      r->next_seq++;

      body.u.pre_prepare.view = r->view;
      body.u.pre_prepare.seq = seq;
      body.u.pre_prepare.batch = *entry_batch (e, digest);
      send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, FALSE);
    }
}

static void check_committed (SynodPbftReplica *r, Entry *e);

static void
check_prepared (SynodPbftReplica *r, Entry *e)
{
  guint32 primary = pbft_primary (&r->config, r->view);
  guint count = 0;

  if (!e->has_pp || e->pp_view != r->view || e->prepared || !r->view_active)
    return;
  for (guint i = 0; i < r->n; i++)
    if (i != primary && e->prepares[i].valid && e->prepares[i].view == e->pp_view
        && memcmp (e->prepares[i].digest, e->pp_digest, 32) == 0)
      count++;
  /* A batch this replica committed in an earlier view is the only one a
   * new view can carry at this number: it commits it again at once, since
   * the replicas that lag behind need its COMMIT in this view (with f
   * replicas silent, every correct replica's commit counts). */
  if (count < 2 * r->f && !(e->committed && memcmp (e->committed_digest, e->pp_digest, 32) == 0))
    return;
  e->prepared = TRUE;
  e->has_p = TRUE;
  e->p.seq = e->seq;
  e->p.view = e->pp_view;
  memcpy (e->p.digest, e->pp_digest, 32);
  r->max_prepared = MAX (r->max_prepared, e->seq);
  /* Durable before the COMMIT that announces it. */
  entry_save (r, e);
  e->commit_sent = TRUE;
  e->commits[r->id].valid = TRUE;
  e->commits[r->id].view = e->pp_view;
  memcpy (e->commits[r->id].digest, e->pp_digest, 32);
  send_vote (r, SYNOD_PBFT_TO_REPLICAS, SYNOD_PBFT_MSG_COMMIT, e->pp_view, e->seq, e->pp_digest);
  check_committed (r, e);
}

static void
check_committed (SynodPbftReplica *r, Entry *e)
{
  guint count = 0;

  if (!e->prepared || e->committed)
    return;
  for (guint i = 0; i < r->n; i++)
    if (e->commits[i].valid && e->commits[i].view == e->pp_view
        && memcmp (e->commits[i].digest, e->pp_digest, 32) == 0)
      count++;
  if (count < 2 * r->f + 1)
    return;
  e->committed = TRUE;
  memcpy (e->committed_digest, e->pp_digest, 32);
  entry_save (r, e);
  try_execute (r);
}

static gboolean
batch_acceptable (SynodPbftReplica *r, guint64 view, guint64 seq, const SynodPbftBatch *batch)
{
  gint64 skew = (gint64)batch->nondet.timestamp - r->now;

  if (batch->requests.len == 0 || batch->requests.len > r->config.max_batch)
    return FALSE;
  if (batch->nondet.proposer_view != view || ABS (skew) > r->config.max_clock_skew)
    return FALSE;
  if (r->config.random_seed)
    {
      SynodPbftSeedStatement st = { r->config.service, view, seq };
      g_autoptr (GBytes) stb = pbft_encode (&synod_pbft_seed_statement_desc, &st, NULL);

      if (stb == NULL || batch->nondet.seed_proof.len != 64
          || !synod_pbft_keyring_verify (r->keys, pbft_primary (&r->config, view),
                                         g_bytes_get_data (stb, NULL), g_bytes_get_size (stb),
                                         batch->nondet.seed_proof.val))
        return FALSE;
    }
  else if (batch->nondet.seed_proof.len != 0)
    return FALSE;
  for (guint i = 0; i < batch->requests.len; i++)
    {
      const SynodPbftSignedRequest *sr = &batch->requests.val[i];

      if (sr->request.read_only || !pbft_request_check (r->keys, r->config.service, r->id, sr))
        return FALSE;
    }
  return TRUE;
}

static void
handle_pre_prepare (SynodPbftReplica *r, guint32 sender, SynodPbftPrePrepare *pp)
{
  guint8 digest[32];
  SynodPbftBatch *batch;
  Entry *e;

  if (!r->view_active || pp->view != r->view || !in_window (r, pp->seq))
    {
      r->stats.stale++;
      return;
    }
  if (sender != pbft_primary (&r->config, pp->view))
    {
      r->stats.auth_failures++;
      return;
    }
  if (!pbft_digest (&synod_pbft_batch_desc, &pp->batch, digest))
    return;
  e = entry_get (r, pp->seq);
  if (e->has_pp && e->pp_view == pp->view)
    {
      if (memcmp (e->pp_digest, digest, 32) == 0)
        r->stats.duplicates++;
      else
        r->stats.equivocations++;
      return;
    }
  if (e->committed)
    {
      /* Already committed in an earlier view: only the same batch fits. */
      if (memcmp (e->committed_digest, digest, 32) != 0)
        {
          r->stats.rejected_pre_prepares++;
          return;
        }
    }
  if (!batch_acceptable (r, pp->view, pp->seq, &pp->batch))
    {
      r->stats.rejected_pre_prepares++;
      return;
    }
  batch = g_new0 (SynodPbftBatch, 1);
  *batch = pp->batch;
  memset (&pp->batch, 0, sizeof pp->batch);
  e->has_pp = TRUE;
  e->pp_view = pp->view;
  e->pp_time = r->now;
  memcpy (e->pp_digest, digest, 32);
  e->prepared = FALSE;
  e->commit_sent = FALSE;
  entry_add_q (e, digest, pp->view);
  entry_add_batch (r, e, digest, batch, TRUE);
  entry_save (r, e);
  e->prepares[r->id].valid = TRUE;
  e->prepares[r->id].view = pp->view;
  memcpy (e->prepares[r->id].digest, digest, 32);
  send_vote (r, SYNOD_PBFT_TO_REPLICAS, SYNOD_PBFT_MSG_PREPARE, pp->view, pp->seq, digest);
  check_prepared (r, e);
}

static void
handle_vote (SynodPbftReplica *r, guint32 sender, SynodPbftMessageType type,
             const SynodPbftVote *vote)
{
  VoteSlot *slot;
  Entry *e;

  if (!r->view_active || vote->view != r->view || !in_window (r, vote->seq))
    {
      r->stats.stale++;
      return;
    }
  if (type == SYNOD_PBFT_MSG_PREPARE && sender == pbft_primary (&r->config, vote->view))
    {
      r->stats.auth_failures++;
      return;
    }
  e = entry_get (r, vote->seq);
  slot = type == SYNOD_PBFT_MSG_PREPARE ? &e->prepares[sender] : &e->commits[sender];
  if (slot->valid && slot->view == vote->view)
    {
      if (memcmp (slot->digest, vote->digest, 32) == 0)
        r->stats.duplicates++;
      else
        r->stats.equivocations++;
      return;
    }
  slot->valid = TRUE;
  slot->view = vote->view;
  memcpy (slot->digest, vote->digest, 32);
  if (type == SYNOD_PBFT_MSG_PREPARE)
    check_prepared (r, e);
  else
    check_committed (r, e);
}

static void
handle_checkpoint (SynodPbftReplica *r, guint32 sender, const SynodPbftCheckpoint *cp,
                   const guint8 *signature)
{
  if (cp->seq <= r->low || cp->seq > r->low + r->config.window
      || cp->seq % r->config.checkpoint_interval != 0)
    {
      r->stats.stale++;
      return;
    }
  record_checkpoint_vote (r, cp->seq, sender, cp->digest, signature);
  check_stable (r, cp->seq);
}

/* ------------------------------------------------------------------ */
/* Requests                                                             */

static void
handle_read_only (SynodPbftReplica *r, const SynodPbftSignedRequest *sr)
{
  DeferredRead *d;

  if (!r->view_active || !r->state_valid || r->transfer_active)
    {
      r->stats.dropped_requests++;
      return;
    }
  /* A write that completed was prepared by f+1 correct replicas before the
   * read began; waiting to execute everything this replica has prepared
   * makes every 2f+1 matching read results reflect it (docs/pbft.md). */
  if (r->last_executed >= r->max_prepared && r->deferred_reads.length == 0)
    {
      execute_read (r, sr);
      return;
    }
  if (r->deferred_reads.length >= r->config.max_deferred_reads)
    {
      deferred_read_free (g_queue_pop_head (&r->deferred_reads));
      r->stats.dropped_requests++;
    }
  d = g_new0 (DeferredRead, 1);
  synod_pbft_signed_request_copy (sr, &d->req);
  d->barrier = r->max_prepared;
  g_queue_push_tail (&r->deferred_reads, d);
}

/* A pending request goes into the primary's next batch; a backup forwards
 * it to the primary when it came from its client directly (not relayed). */
static void
route_pending (SynodPbftReplica *r, Pending *p, const SynodPbftSignedRequest *sr, guint32 sender)
{
  if (r->view_active && is_primary (r))
    {
      queue_pending (r, p);
      try_propose (r);
    }
  else if (sender == sr->request.origin && r->view_active)
    {
      SynodPbftBody body = { .type = SYNOD_PBFT_MSG_REQUEST, .u.request = *sr };

      send_body (r, pbft_primary (&r->config, r->view), &body, FALSE);
    }
  update_request_timer (r, FALSE);
}

static void
handle_request (SynodPbftReplica *r, guint32 sender, const SynodPbftSignedRequest *sr)
{
  const SynodPbftRequest *req = &sr->request;
  ClientEntry *ce;
  Pending *p;

  if (!pbft_request_check (r->keys, r->config.service, r->id, sr))
    {
      r->stats.auth_failures++;
      return;
    }
  if (req->read_only)
    {
      handle_read_only (r, sr);
      return;
    }
  ce = g_hash_table_lookup (r->clients, &req->client);
  if (ce != NULL && req->number < ce->number)
    {
      SynodPbftBody body = { .type = SYNOD_PBFT_MSG_STALE };

      /* Said only to an authenticated request of that client: nobody else
       * can make a replica send it. */
      r->stats.stale++;
      body.u.stale = (SynodPbftStale){ req->client, req->number, ce->number, r->id };
      send_body (r, req->origin, &body, FALSE);
      return;
    }
  if (ce != NULL && req->number == ce->number)
    {
      /* Exactly once: a retry gets the cached reply. */
      send_reply (r, req->origin, req->client, req->number, ce->result, FALSE);
      return;
    }
  p = g_hash_table_lookup (r->pending, &req->client);
  if (p != NULL && p->req.request.number == req->number)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < p->n_origins; i++)
        known |= p->origins[i] == req->origin;
      if (!known && p->n_origins < MAX_ORIGINS)
        p->origins[p->n_origins++] = req->origin;
      r->stats.duplicates++;
      route_pending (r, p, sr, sender);
      return;
    }
  if (p != NULL && p->req.request.number > req->number)
    {
      r->stats.stale++;
      return;
    }
  if (p == NULL)
    {
      if (g_hash_table_size (r->pending) >= r->config.max_pending)
        {
          r->stats.dropped_requests++;
          return;
        }
      p = g_new0 (Pending, 1);
      g_hash_table_insert (r->pending, g_memdup2 (&req->client, sizeof (guint64)), p);
    }
  else
    {
      synod_pbft_signed_request_clear (&p->req);
      memset (&p->req, 0, sizeof p->req);
    }
  synod_pbft_signed_request_copy (sr, &p->req);
  p->origins[0] = req->origin;
  p->n_origins = 1;
  p->assigned_seq = 0;
  p->queued = FALSE;

  route_pending (r, p, sr, sender);
}

/* ------------------------------------------------------------------ */
/* View changes                                                         */

static void
send_view_change (SynodPbftReplica *r)
{
  g_autoptr (GArray) p = g_array_new (FALSE, FALSE, sizeof (SynodPbftLogClaim));
  g_autoptr (GArray) q = g_array_new (FALSE, FALSE, sizeof (SynodPbftLogClaim));
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_VIEW_CHANGE };
  SynodPbftViewChange *vc = &body.u.view_change;
  SynodPbftSignedViewChange *own;
  guint8 sig[64];

  for (guint64 seq = r->low + 1; seq <= r->low + r->config.window; seq++)
    {
      Entry *e = entry_lookup (r, seq);

      if (e == NULL)
        continue;
      if (e->has_p)
        g_array_append_val (p, e->p);
      for (guint i = 0; i < e->n_q; i++)
        g_array_append_val (q, e->q[i]);
    }
  vc->view = r->view;
  vc->stable = r->stable_proof;
  vc->prepared.len = p->len;
  vc->prepared.val = (SynodPbftLogClaim *)p->data;
  vc->preprepared.len = q->len;
  vc->preprepared.val = (SynodPbftLogClaim *)q->data;
  if (!sign_body (r, &body, sig))
    return;

  own = g_new0 (SynodPbftSignedViewChange, 1);
  own->replica = r->id;
  synod_pbft_view_change_copy (vc, &own->view_change);
  memcpy (own->signature, sig, 64);
  if (r->vcs[r->id] != NULL)
    synod_pbft_signed_view_change_free (r->vcs[r->id]);
  r->vcs[r->id] = own;
  send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, TRUE);
}

/* Arms the timer that abandons the view being changed to once 2f+1
 * replicas are changing to it or beyond: a view change for a later view
 * shows its sender gave up on this one too. Counting those matters when
 * f correct replicas already moved on and f Byzantine ones stay silent:
 * the other f+1 would otherwise never see 2f+1 view changes for their view
 * and wait forever. (The new view itself still needs 2f+1 view changes for
 * exactly its view.) */
static void
check_view_change_quorum (SynodPbftReplica *r)
{
  guint count = 0;

  if (r->view_active)
    return;
  for (guint i = 0; i < r->n; i++)
    if (r->vcs[i] != NULL && r->vcs[i]->view_change.view >= r->view)
      count++;
  if (count >= 2 * r->f + 1 && r->deadlines[SYNOD_PBFT_TIMER_VIEW_CHANGE] == 0)
    arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, r->now + view_change_timeout (r));
  if (is_primary (r))
    try_new_view (r);
}

static void
start_view_change (SynodPbftReplica *r, guint64 new_view)
{
  GHashTableIter it;
  gpointer k, v;

  g_return_if_fail (new_view > r->view);
  g_debug ("replica %u: view change to %" G_GUINT64_FORMAT, r->id, new_view);
  r->view = new_view;
  r->view_active = FALSE;
  r->stats.view_changes++;
  persist_view (r);
  arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, 0);
  g_queue_clear_full (&r->deferred_reads, deferred_read_free);
  g_queue_clear_full (&r->pending_queue, g_free);
  g_hash_table_iter_init (&it, r->pending);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      ((Pending *)v)->assigned_seq = 0;
      ((Pending *)v)->queued = FALSE;
    }
  send_view_change (r);
  check_view_change_quorum (r);
}

/* Collects the view changes for the current view into @out (shallow). */
static guint
gather_view_changes (SynodPbftReplica *r, SynodPbftSignedViewChange *out)
{
  guint count = 0;

  for (guint i = 0; i < r->n; i++)
    if (r->vcs[i] != NULL && r->vcs[i]->view_change.view == r->view)
      out[count++] = *r->vcs[i];
  return count;
}

static gint
compare_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

  return x < y ? -1 : x > y;
}

static void
install_new_view (SynodPbftReplica *r, const SynodPbftSignedViewChange *vcs, guint checkpoint,
                  GArray *choices)
{
  const SynodPbftCheckpointProof *proof = &vcs[checkpoint].view_change.stable;
  guint64 top = MAX (MAX (r->low, r->last_executed), proof->seq);
  g_autoptr (GHashTable) chosen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter it;
  gpointer k, v;
  SynodPbftOutput *o;

  r->view_active = TRUE;
  persist_view (r);
  arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, 0);
  if (proof->seq > r->low)
    adopt_proof (r, proof);

  for (guint i = 0; i < choices->len; i++)
    {
      PbftChoice *c = &g_array_index (choices, PbftChoice, i);

      g_hash_table_add (chosen, &c->seq);
    }
  /* Pre-prepares of earlier views that the new view does not carry are
   * void; the P and Q claims about them stay until garbage collection. */
  g_hash_table_iter_init (&it, r->log);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      Entry *e = v;

      if (!g_hash_table_contains (chosen, &e->seq))
        {
          e->has_pp = FALSE;
          e->prepared = FALSE;
          e->commit_sent = FALSE;
        }
    }

  for (guint i = 0; i < choices->len; i++)
    {
      PbftChoice *c = &g_array_index (choices, PbftChoice, i);
      Entry *e;

      if (c->seq <= r->low)
        continue;
      top = MAX (top, c->seq);
      e = entry_get (r, c->seq);
      if (e->committed && memcmp (e->committed_digest, c->digest, 32) != 0)
        {
          /* Impossible with at most f faults: this replica's log is wrong. */
          g_warning ("replica %u: new view %" G_GUINT64_FORMAT
                     " contradicts committed %" G_GUINT64_FORMAT,
                     r->id, r->view, c->seq);
          e->committed = FALSE;
          r->state_valid = FALSE;
        }
      e->has_pp = TRUE;
      e->pp_view = r->view;
      e->pp_time = r->now;
      memcpy (e->pp_digest, c->digest, 32);
      e->prepared = FALSE;
      e->commit_sent = FALSE;
      entry_add_q (e, c->digest, r->view);
      if (entry_batch (e, c->digest) == NULL)
        fetch_batch (r, e, c->digest);
      entry_save (r, e);
      if (!is_primary (r))
        {
          e->prepares[r->id].valid = TRUE;
          e->prepares[r->id].view = r->view;
          memcpy (e->prepares[r->id].digest, c->digest, 32);
          send_vote (r, SYNOD_PBFT_TO_REPLICAS, SYNOD_PBFT_MSG_PREPARE, r->view, c->seq, c->digest);
        }
    }
  r->next_seq = top + 1;
  if (!r->state_valid && !r->transfer_active)
    start_state_transfer (r);

  g_queue_clear_full (&r->pending_queue, g_free);
  if (is_primary (r))
    {
      g_autoptr (GList) clients = g_hash_table_get_keys (r->pending);

      clients = g_list_sort (clients, compare_u64);
      for (GList *l = clients; l != NULL; l = l->next)
        queue_pending (r, g_hash_table_lookup (r->pending, l->data));
    }
  o = stage (r, SYNOD_PBFT_OUTPUT_VIEW);
  o->view = r->view;

  for (guint i = 0; i < choices->len; i++)
    {
      Entry *e = entry_lookup (r, g_array_index (choices, PbftChoice, i).seq);

      if (e != NULL)
        check_prepared (r, e);
    }
  update_request_timer (r, TRUE);
  try_execute (r);
  try_propose (r);
}

static void
try_new_view (SynodPbftReplica *r)
{
  SynodPbftSignedViewChange vcs[SYNOD_PBFT_MAX_REPLICAS];
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_NEW_VIEW };
  SynodPbftMessage m = { 0 };
  g_autoptr (GArray) choices = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) key = meta_key (META_NEW_VIEW);
  g_autofree SynodPbftNewViewEntry *entries = NULL;
  gboolean missing = FALSE;
  guint count, checkpoint;

  if (r->view_active || !is_primary (r) || r->halted)
    return;
  count = gather_view_changes (r, vcs);
  if (count < 2 * r->f + 1 || !pbft_decide_new_view (r->f, vcs, count, &checkpoint, &choices))
    return;
  for (guint i = 0; i < choices->len; i++)
    {
      PbftChoice *c = &g_array_index (choices, PbftChoice, i);
      Entry *e;

      if (c->seq <= r->low)
        continue;
      e = entry_get (r, c->seq);
      if (entry_batch (e, c->digest) == NULL)
        {
          missing = TRUE;
          fetch_batch (r, e, c->digest);
        }
    }
  if (missing)
    return;

  entries = g_new0 (SynodPbftNewViewEntry, MAX (choices->len, 1));
  for (guint i = 0; i < choices->len; i++)
    {
      entries[i].seq = g_array_index (choices, PbftChoice, i).seq;
      memcpy (entries[i].digest, g_array_index (choices, PbftChoice, i).digest, 32);
    }
  body.u.new_view.view = r->view;
  body.u.new_view.view_changes.len = count;
  body.u.new_view.view_changes.val = vcs;
  body.u.new_view.entries.len = choices->len;
  body.u.new_view.entries.val = entries;
  m.service = r->config.service;
  m.sender = r->id;
  m.body = body;
  bytes = pbft_seal (r->keys, &m, SYNOD_PBFT_AUTH_SIGNATURE, 0, r->n, &error);
  if (bytes == NULL)
    {
      fail (r, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&r->new_view_bytes, g_bytes_unref);
  r->new_view_bytes = g_bytes_ref (bytes);
  persist_raw (r, SYNOD_PBFT_TABLE_META, key, bytes);
  send_bytes (r, SYNOD_PBFT_TO_REPLICAS, bytes);
  install_new_view (r, vcs, checkpoint, choices);
}

static gboolean
view_change_signature_ok (SynodPbftReplica *r, const SynodPbftSignedViewChange *svc)
{
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_VIEW_CHANGE, .u.view_change = svc->view_change };

  return pbft_verify_message_signature (r->keys, r->config.service, svc->replica, &body,
                                        svc->signature);
}

static void
handle_new_view (SynodPbftReplica *r, guint32 sender, const SynodPbftNewView *nv,
                 const guint8 *data, gsize len)
{
  g_autoptr (GArray) choices = NULL;
  g_autoptr (GBytes) key = meta_key (META_NEW_VIEW);
  g_autoptr (GBytes) bytes = NULL;
  guint64 seen = 0;
  guint checkpoint;

  if (nv->view < r->view || (nv->view == r->view && r->view_active) || nv->view == 0)
    {
      r->stats.stale++;
      return;
    }
  if (sender != pbft_primary (&r->config, nv->view) || nv->view_changes.len < 2 * r->f + 1
      || nv->view_changes.len > r->n)
    {
      r->stats.auth_failures++;
      return;
    }
  for (guint i = 0; i < nv->view_changes.len; i++)
    {
      const SynodPbftSignedViewChange *svc = &nv->view_changes.val[i];

      if (svc->replica >= r->n || (seen & (G_GUINT64_CONSTANT (1) << svc->replica)) != 0
          || svc->view_change.view != nv->view
          || !pbft_view_change_check (r->keys, &r->config, &svc->view_change)
          || !view_change_signature_ok (r, svc))
        {
          r->stats.auth_failures++;
          return;
        }
      seen |= G_GUINT64_CONSTANT (1) << svc->replica;
    }
  if (!pbft_decide_new_view (r->f, nv->view_changes.val, nv->view_changes.len, &checkpoint,
                             &choices)
      || choices->len != nv->entries.len)
    {
      r->stats.auth_failures++;
      return;
    }
  for (guint i = 0; i < choices->len; i++)
    {
      PbftChoice *c = &g_array_index (choices, PbftChoice, i);

      if (c->seq != nv->entries.val[i].seq
          || memcmp (c->digest, nv->entries.val[i].digest, 32) != 0)
        {
          r->stats.auth_failures++;
          return;
        }
    }

  if (nv->view > r->view)
    {
      r->view = nv->view;
      r->stats.view_changes++;
    }
  bytes = g_bytes_new (data, len);
  g_clear_pointer (&r->new_view_bytes, g_bytes_unref);
  r->new_view_bytes = g_bytes_ref (bytes);
  persist_raw (r, SYNOD_PBFT_TABLE_META, key, bytes);
  install_new_view (r, nv->view_changes.val, checkpoint, choices);
}

static void
handle_view_change (SynodPbftReplica *r, guint32 sender, const SynodPbftViewChange *vc,
                    const guint8 *signature)
{
  SynodPbftSignedViewChange *svc;
  guint64 target = G_MAXUINT64;
  guint higher = 0;

  if (!pbft_view_change_check (r->keys, &r->config, vc))
    {
      r->stats.malformed++;
      return;
    }
  if (vc->view < r->view || (vc->view == r->view && r->view_active))
    {
      /* The sender is behind: the new view it missed brings it back. */
      if (r->view_active && r->new_view_bytes != NULL)
        send_bytes (r, sender, r->new_view_bytes);
      r->stats.stale++;
      return;
    }
  if (r->vcs[sender] != NULL && r->vcs[sender]->view_change.view > vc->view)
    {
      r->stats.stale++;
      return;
    }
  svc = g_new0 (SynodPbftSignedViewChange, 1);
  svc->replica = sender;
  synod_pbft_view_change_copy (vc, &svc->view_change);
  memcpy (svc->signature, signature, 64);
  if (r->vcs[sender] != NULL)
    synod_pbft_signed_view_change_free (r->vcs[sender]);
  r->vcs[sender] = svc;
  if (vc->stable.seq > r->best_proof.seq)
    set_proof (&r->best_proof, &vc->stable);

  /* f+1 replicas want a later view: at least one correct replica does, so
   * join the smallest such view rather than wait for a timeout. */
  for (guint i = 0; i < r->n; i++)
    if (r->vcs[i] != NULL && i != r->id && r->vcs[i]->view_change.view > r->view)
      {
        higher++;
        target = MIN (target, r->vcs[i]->view_change.view);
      }
  if (higher >= r->f + 1)
    {
      start_view_change (r, target);
      return;
    }
  check_view_change_quorum (r);
}

/* ------------------------------------------------------------------ */
/* Batches on demand, status, retransmission                           */

static void
handle_fetch_batch (SynodPbftReplica *r, guint32 sender, const SynodPbftFetchBatch *fb)
{
  Entry *e = entry_lookup (r, fb->seq);
  const SynodPbftBatch *batch;
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_BATCH };

  if (e == NULL || memcmp (fb->digest, pbft_null_batch_digest (), 32) == 0
      || (batch = entry_batch (e, fb->digest)) == NULL)
    return;
  body.u.batch.seq = fb->seq;
  body.u.batch.batch = *batch;
  send_body (r, sender, &body, FALSE);
}

static gboolean
batch_wanted (SynodPbftReplica *r, Entry *e, const guint8 *digest)
{
  if (entry_references (e, digest))
    return TRUE;
  for (guint i = 0; i < r->n; i++)
    {
      const SynodPbftViewChange *vc = r->vcs[i] ? &r->vcs[i]->view_change : NULL;

      if (vc == NULL || vc->view != r->view)
        continue;
      for (guint j = 0; j < vc->prepared.len; j++)
        if (vc->prepared.val[j].seq == e->seq
            && memcmp (vc->prepared.val[j].digest, digest, 32) == 0)
          return TRUE;
    }
  return FALSE;
}

static void
handle_batch (SynodPbftReplica *r, SynodPbftBatchData *bd)
{
  guint8 digest[32];
  SynodPbftBatch *batch;
  Entry *e = entry_lookup (r, bd->seq);

  if (e == NULL || !pbft_digest (&synod_pbft_batch_desc, &bd->batch, digest)
      || entry_batch (e, digest) != NULL || !batch_wanted (r, e, digest))
    {
      r->stats.stale++;
      return;
    }
  batch = g_new0 (SynodPbftBatch, 1);
  *batch = bd->batch;
  memset (&bd->batch, 0, sizeof bd->batch);
  entry_add_batch (r, e, digest, batch, TRUE);
  e->fetch_at = 0;
  try_execute (r);
  try_new_view (r);
}

static void
retransmit (SynodPbftReplica *r, guint32 to, guint64 from_seq)
{
  guint sent = 0;
  gboolean primary = is_primary (r);

  for (guint64 seq = MAX (from_seq, r->low) + 1;
       seq <= r->low + r->config.window && sent < MAX_RETRANSMIT; seq++)
    {
      Entry *e = entry_lookup (r, seq);

      /* Only what has been in flight for a while: fresh entries are most
       * likely still on their way. */
      if (e == NULL || !e->has_pp || e->pp_view != r->view
          || r->now - e->pp_time < r->config.status_interval)
        continue;
      sent++;
      if (primary)
        {
          const SynodPbftBatch *batch = entry_batch (e, e->pp_digest);
          SynodPbftBody body = { .type = SYNOD_PBFT_MSG_PRE_PREPARE };

          if (batch == NULL || memcmp (e->pp_digest, pbft_null_batch_digest (), 32) == 0)
            continue;
          body.u.pre_prepare.view = r->view;
          body.u.pre_prepare.seq = seq;
          body.u.pre_prepare.batch = *batch;
          send_body (r, to, &body, FALSE);
        }
      else if (e->prepares[r->id].valid && e->prepares[r->id].view == r->view)
        send_vote (r, to, SYNOD_PBFT_MSG_PREPARE, r->view, seq, e->pp_digest);
      if (e->commit_sent)
        send_vote (r, to, SYNOD_PBFT_MSG_COMMIT, r->view, seq, e->pp_digest);
    }
}

static void
handle_status (SynodPbftReplica *r, guint32 sender, const SynodPbftStatus *st)
{
  Peer *p = &r->peers[sender];

  p->view = st->view;
  p->active = st->view_active;
  p->executed = st->last_executed;
  p->stable = st->stable_seq;
  /* A checkpoint it missed the votes for: the proof, which convinces alone. */
  if (st->stable_seq < r->low)
    {
      SynodPbftBody stable = { .type = SYNOD_PBFT_MSG_STABLE, .u.stable = r->stable_proof };

      send_body (r, sender, &stable, FALSE);
    }
  if (r->view_active && r->new_view_bytes != NULL
      && (st->view < r->view || (st->view == r->view && !st->view_active)))
    send_bytes (r, sender, r->new_view_bytes);
  else if (r->view_active && st->view == r->view && st->view_active)
    retransmit (r, sender, st->last_executed);
  if (!r->view_active && r->vcs[r->id] != NULL && st->view <= r->view)
    {
      /* Help a new primary that lost this replica's view change. */
      if (pbft_primary (&r->config, r->view) == sender)
        {
          SynodPbftBody body
              = { .type = SYNOD_PBFT_MSG_VIEW_CHANGE, .u.view_change = r->vcs[r->id]->view_change };

          send_body (r, sender, &body, TRUE);
        }
    }
}

static gboolean
behind_peers (SynodPbftReplica *r)
{
  guint count = 0;

  for (guint i = 0; i < r->n; i++)
    if (i != r->id && r->peers[i].view == r->view && r->peers[i].active
        && r->peers[i].executed > r->last_executed)
      count++;
  return count >= r->f + 1;
}

static void
status_tick (SynodPbftReplica *r)
{
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_STATUS };
  guint ahead = 0;

  body.u.status.view = r->view;
  body.u.status.view_active = r->view_active;
  body.u.status.stable_seq = r->low;
  body.u.status.last_executed = r->last_executed;
  send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, FALSE);

  if (!r->view_active && r->vcs[r->id] != NULL && r->vcs[r->id]->view_change.view == r->view)
    {
      SynodPbftBody vc
          = { .type = SYNOD_PBFT_MSG_VIEW_CHANGE, .u.view_change = r->vcs[r->id]->view_change };

      send_body (r, SYNOD_PBFT_TO_REPLICAS, &vc, TRUE);
      try_new_view (r);
    }

  /* Batches still missing for committed or accepted entries. */
  for (guint64 seq = r->last_executed + 1; seq <= r->low + r->config.window; seq++)
    {
      Entry *e = entry_lookup (r, seq);

      if (e == NULL)
        continue;
      if (e->committed && entry_batch (e, e->committed_digest) == NULL)
        fetch_batch (r, e, e->committed_digest);
      else if (e->has_pp && e->pp_view == r->view && entry_batch (e, e->pp_digest) == NULL)
        fetch_batch (r, e, e->pp_digest);
    }

  /* Lagging: a proven stable checkpoint, or f+1 replicas claiming one,
   * beyond what this replica executed, and no progress since last tick. */
  for (guint i = 0; i < r->n; i++)
    if (i != r->id && r->peers[i].stable > r->last_executed)
      ahead++;
  if (r->transfer_active)
    send_fetch_state (r);
  else if ((r->best_proof.seq > r->last_executed || ahead >= r->f + 1 || !r->state_valid)
           && r->last_executed == r->executed_at_tick)
    start_state_transfer (r);
  r->executed_at_tick = r->last_executed;
  arm (r, SYNOD_PBFT_TIMER_STATUS, r->now + r->config.status_interval);
}

/* ------------------------------------------------------------------ */
/* Steps                                                                */

static void
step_begin (SynodPbftReplica *r, gint64 now)
{
  r->now = now;
}

static void
step_end (SynodPbftReplica *r)
{
  GError *error = NULL;

  if (!r->halted && !synod_pbft_store_commit (r->store, &error))
    fail (r, error);
  if (r->halted)
    {
      synod_pbft_store_abort (r->store);
      g_queue_clear_full (&r->staged, output_free);
      return;
    }
  while (r->staged.length > 0)
    g_queue_push_tail (&r->outputs, g_queue_pop_head (&r->staged));
}

static gboolean
auth_kind_ok (SynodPbftMessageType type, SynodPbftAuthKind kind)
{
  switch (type)
    {
      case SYNOD_PBFT_MSG_CHECKPOINT:
      case SYNOD_PBFT_MSG_VIEW_CHANGE:
      case SYNOD_PBFT_MSG_NEW_VIEW:
        return kind == SYNOD_PBFT_AUTH_SIGNATURE;
      default:
        return kind == SYNOD_PBFT_AUTH_MAC || kind == SYNOD_PBFT_AUTH_AUTHENTICATOR;
    }
}

void
synod_pbft_replica_receive (SynodPbftReplica *replica, gint64 now, const guint8 *data, gsize len)
{
  SynodPbftReplica *r = replica;
  g_auto (SynodPbftEnvelope) env = { 0 };
  g_autoptr (GError) error = NULL;
  guint8 digest[32];
  SynodPbftBody *body;
  guint32 sender;

  g_return_if_fail (r != NULL);
  if (r->halted)
    return;
  step_begin (r, now);
  r->stats.messages++;
  if (!pbft_open (data, len, r->config.max_message_size, &env, digest, &error))
    {
      g_debug ("replica %u drops a message: %s", r->id, error->message);
      r->stats.malformed++;
      step_end (r);
      return;
    }
  body = &env.message.body;
  sender = env.message.sender;
  if (env.message.service != r->config.service)
    {
      r->stats.auth_failures++;
      step_end (r);
      return;
    }
  if (body->type == SYNOD_PBFT_MSG_REQUEST)
    {
      /* A request carries its own authenticator; the envelope may come
       * from anyone (a client, or a replica forwarding it). */
      handle_request (r, sender, &body->u.request);
      step_end (r);
      return;
    }
  if (sender >= r->n || sender == r->id || !auth_kind_ok (body->type, env.auth.kind)
      || !pbft_check_auth (r->keys, &env, digest))
    {
      r->stats.auth_failures++;
      step_end (r);
      return;
    }

  switch (body->type)
    {
      case SYNOD_PBFT_MSG_PRE_PREPARE:
        handle_pre_prepare (r, sender, &body->u.pre_prepare);
        break;
      case SYNOD_PBFT_MSG_PREPARE:
      case SYNOD_PBFT_MSG_COMMIT:
        handle_vote (r, sender, body->type, &body->u.vote);
        break;
      case SYNOD_PBFT_MSG_CHECKPOINT:
        handle_checkpoint (r, sender, &body->u.checkpoint, env.auth.u.signature);
        break;
      case SYNOD_PBFT_MSG_VIEW_CHANGE:
        handle_view_change (r, sender, &body->u.view_change, env.auth.u.signature);
        break;
      case SYNOD_PBFT_MSG_NEW_VIEW:
        handle_new_view (r, sender, &body->u.new_view, data, len);
        break;
      case SYNOD_PBFT_MSG_STATUS:
        handle_status (r, sender, &body->u.status);
        break;
      case SYNOD_PBFT_MSG_FETCH_BATCH:
        handle_fetch_batch (r, sender, &body->u.fetch_batch);
        break;
      case SYNOD_PBFT_MSG_BATCH:
        handle_batch (r, &body->u.batch);
        break;
      case SYNOD_PBFT_MSG_FETCH_STATE:
        handle_fetch_state (r, sender, &body->u.fetch_state);
        break;
      case SYNOD_PBFT_MSG_STATE:
        handle_state (r, &body->u.state);
        break;
      case SYNOD_PBFT_MSG_STABLE:
        handle_stable (r, &body->u.stable);
        break;
      case SYNOD_PBFT_MSG_REPLY:
      case SYNOD_PBFT_MSG_REQUEST:
      default:
        r->stats.malformed++;
        break;
    }
  step_end (r);
}

void
synod_pbft_replica_timer_expired (SynodPbftReplica *replica, gint64 now, SynodPbftTimer timer)
{
  SynodPbftReplica *r = replica;

  g_return_if_fail (r != NULL && timer < SYNOD_PBFT_N_TIMERS);
  if (r->halted || r->deadlines[timer] == 0)
    return;
  if (now < r->deadlines[timer])
    {
      /* Early (a driver's clock granularity): ask for the timer again
       * rather than lose it. */
      SynodPbftOutput *o;

      step_begin (r, now);
      o = stage (r, SYNOD_PBFT_OUTPUT_TIMER);
      o->timer = timer;
      o->deadline = r->deadlines[timer];
      step_end (r);
      return;
    }
  step_begin (r, now);
  r->deadlines[timer] = 0;
  switch (timer)
    {
      case SYNOD_PBFT_TIMER_STATUS:
        status_tick (r);
        break;
      case SYNOD_PBFT_TIMER_VIEW_CHANGE:
        if (r->view_active && behind_peers (r))
          {
            /* The others are executing and this replica is merely behind:
             * retransmission or state transfer catch it up. */
            arm (r, SYNOD_PBFT_TIMER_VIEW_CHANGE, r->now + view_change_timeout (r));
            break;
          }
        r->vc_failures++;
        start_view_change (r, r->view + 1);
        break;
      default:
        break;
    }
  step_end (r);
}

void
synod_pbft_replica_start (SynodPbftReplica *replica, gint64 now)
{
  SynodPbftReplica *r = replica;
  GHashTableIter it;
  gpointer k, v;

  g_return_if_fail (r != NULL);
  if (r->halted)
    return;
  step_begin (r, now);
  if (!r->view_active)
    {
      send_view_change (r);
      check_view_change_quorum (r);
    }
  /* Re-announce checkpoints above the stable one: the votes of others may
   * have been lost with this replica's memory. */
  g_hash_table_iter_init (&it, r->own_ckpts);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (*(guint64 *)k > r->low)
      {
        SynodPbftBody body = { .type = SYNOD_PBFT_MSG_CHECKPOINT };
        guint8 sig[64];

        body.u.checkpoint.seq = *(guint64 *)k;
        memcpy (body.u.checkpoint.digest, v, 32);
        if (sign_body (r, &body, sig))
          {
            record_checkpoint_vote (r, body.u.checkpoint.seq, r->id, v, sig);
            send_body (r, SYNOD_PBFT_TO_REPLICAS, &body, TRUE);
          }
      }
  status_tick (r);
  step_end (r);
}

gboolean
synod_pbft_replica_pop_output (SynodPbftReplica *replica, SynodPbftOutput *ret_output)
{
  SynodPbftOutput *o;

  g_return_val_if_fail (replica != NULL, FALSE);
  o = g_queue_pop_head (&replica->outputs);
  if (o == NULL)
    return FALSE;
  *ret_output = *o;
  g_free (o);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Recovery from the store                                              */

typedef struct
{
  SynodPbftReplica *r;
  SynodPbftCheckpointRecord latest;
  gboolean have_latest;
  GError *error;
} LoadState;

static gboolean
load_checkpoint (GBytes *key, GBytes *value, gpointer user_data)
{
  LoadState *ls = user_data;
  SynodPbftCheckpointRecord rec = { 0 };
  guint8 digest[32];

  if (!pbft_decode (&synod_pbft_checkpoint_record_desc, g_bytes_get_data (value, NULL),
                    g_bytes_get_size (value), &rec, &ls->error)
      || !pbft_digest (&synod_pbft_checkpoint_state_desc, &rec.state, digest))
    {
      if (ls->error == NULL)
        ls->error = g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
                                 _ ("A stored checkpoint does not encode"));
      synod_pbft_checkpoint_record_clear (&rec);
      return FALSE;
    }
  g_hash_table_replace (ls->r->own_ckpts, g_memdup2 (&rec.state.seq, sizeof (guint64)),
                        g_memdup2 (digest, 32));
  if (!ls->have_latest || rec.state.seq > ls->latest.state.seq)
    {
      if (ls->have_latest)
        synod_pbft_checkpoint_record_clear (&ls->latest);
      ls->latest = rec;
      ls->have_latest = TRUE;
    }
  else
    synod_pbft_checkpoint_record_clear (&rec);
  return TRUE;
}

static gboolean
load_entry (GBytes *key, GBytes *value, gpointer user_data)
{
  LoadState *ls = user_data;
  SynodPbftReplica *r = ls->r;
  g_auto (SynodPbftEntryRecord) rec = { 0 };
  Entry *e;

  if (!pbft_decode (&synod_pbft_entry_record_desc, g_bytes_get_data (value, NULL),
                    g_bytes_get_size (value), &rec, &ls->error))
    return FALSE;
  if (rec.seq <= r->low)
    return TRUE;
  e = entry_get (r, rec.seq);
  e->has_pp = rec.has_pre_prepare;
  e->pp_view = rec.pre_prepare_view;
  memcpy (e->pp_digest, rec.pre_prepare_digest, 32);
  e->has_p = rec.has_prepared;
  e->p = rec.prepared;
  e->n_q = MIN (rec.preprepared.len, SYNOD_PBFT_MAX_QSET);
  memcpy (e->q, rec.preprepared.val, e->n_q * sizeof (SynodPbftLogClaim));
  e->committed = rec.committed;
  if (e->committed)
    memcpy (e->committed_digest, rec.pre_prepare_digest, 32);
  if (e->has_p)
    r->max_prepared = MAX (r->max_prepared, e->seq);
  /* Votes of others are not durable: an entry prepared but not committed
   * before the crash collects them again (retransmission) in this view or
   * the next. This replica's own votes follow from what it recorded. */
  if (e->has_pp && e->pp_view == r->view && pbft_primary (&r->config, r->view) != r->id)
    {
      e->prepares[r->id].valid = TRUE;
      e->prepares[r->id].view = e->pp_view;
      memcpy (e->prepares[r->id].digest, e->pp_digest, 32);
    }
  if (e->has_pp && e->has_p && e->pp_view == r->view && e->p.view == r->view
      && memcmp (e->pp_digest, e->p.digest, 32) == 0)
    {
      e->prepared = TRUE;
      e->commit_sent = TRUE;
      e->commits[r->id].valid = TRUE;
      e->commits[r->id].view = e->pp_view;
      memcpy (e->commits[r->id].digest, e->pp_digest, 32);
    }
  return TRUE;
}

static gboolean
load_batch (GBytes *key, GBytes *value, gpointer user_data)
{
  LoadState *ls = user_data;
  SynodPbftReplica *r = ls->r;
  const guint8 *k = g_bytes_get_data (key, NULL);
  g_autoptr (SynodPbftBatch) batch = NULL;
  guint8 digest[32];
  guint64 seq = 0;

  if (g_bytes_get_size (key) == 40)
    {
      memcpy (&seq, k, 8);
      seq = GUINT64_FROM_BE (seq);
      if (seq <= r->low)
        return TRUE;
      batch = g_new0 (SynodPbftBatch, 1);
      if (pbft_decode (&synod_pbft_batch_desc, g_bytes_get_data (value, NULL),
                       g_bytes_get_size (value), batch, NULL)
          && pbft_digest (&synod_pbft_batch_desc, batch, digest) && memcmp (digest, k + 8, 32) == 0)
        {
          entry_add_batch (r, entry_get (r, seq), digest, g_steal_pointer (&batch), FALSE);
          return TRUE;
        }
    }
  ls->error = g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
                           _ ("A stored batch does not match its digest"));
  return FALSE;
}

static gboolean
load_meta (SynodPbftReplica *r, GError **error)
{
  g_autoptr (GBytes) vkey = meta_key (META_VIEW);
  g_autoptr (GBytes) skey = meta_key (META_STABLE);
  g_autoptr (GBytes) nkey = meta_key (META_NEW_VIEW);
  g_autoptr (GBytes) bytes = NULL;
  GError *local = NULL;

  if (synod_pbft_store_get (r->store, SYNOD_PBFT_TABLE_META, vkey, &bytes, &local))
    {
      SynodPbftViewRecord rec = { 0 };

      if (!pbft_decode (&synod_pbft_view_record_desc, g_bytes_get_data (bytes, NULL),
                        g_bytes_get_size (bytes), &rec, error))
        return FALSE;
      r->view = rec.view;
      r->view_active = rec.active;
      g_clear_pointer (&bytes, g_bytes_unref);
    }
  else if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (synod_pbft_store_get (r->store, SYNOD_PBFT_TABLE_META, skey, &bytes, &local))
    {
      SynodPbftCheckpointProof proof = { 0 };

      if (!pbft_decode (&synod_pbft_checkpoint_proof_desc, g_bytes_get_data (bytes, NULL),
                        g_bytes_get_size (bytes), &proof, error))
        return FALSE;
      if (!pbft_checkpoint_proof_check (r->keys, &r->config, &proof))
        {
          synod_pbft_checkpoint_proof_clear (&proof);
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
                       _ ("The stored stable checkpoint proof does not verify"));
          return FALSE;
        }
      synod_pbft_checkpoint_proof_clear (&r->stable_proof);
      r->stable_proof = proof;
      set_proof (&r->best_proof, &proof);
      r->low = proof.seq;
      g_clear_pointer (&bytes, g_bytes_unref);
    }
  else if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (synod_pbft_store_get (r->store, SYNOD_PBFT_TABLE_META, nkey, &bytes, &local))
    r->new_view_bytes = g_steal_pointer (&bytes);
  else if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static void
load_state_clear (LoadState *ls)
{
  if (ls->have_latest)
    synod_pbft_checkpoint_record_clear (&ls->latest);
  ls->have_latest = FALSE;
  g_clear_error (&ls->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LoadState, load_state_clear)

/* Moves the error a load callback left in @ls into @error. */
static gboolean
load_failed (LoadState *ls, GError **error)
{
  if (ls->error != NULL)
    g_propagate_error (error, g_steal_pointer (&ls->error));
  return FALSE;
}

static gboolean
recover (SynodPbftReplica *r, GError **error)
{
  g_auto (LoadState) ls = { .r = r };
  g_autoptr (GBytes) snapshot = NULL;
  GHashTableIter it;
  gpointer k, v;

  if (!load_meta (r, error))
    return FALSE;
  if (!synod_pbft_store_foreach (r->store, SYNOD_PBFT_TABLE_CHECKPOINT, load_checkpoint, &ls, error)
      || ls.error != NULL)
    return load_failed (&ls, error);
  if (r->low > 0 && (!ls.have_latest || ls.latest.state.seq < r->low))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
                   _ ("The stable checkpoint's state is missing from the store"));
      return FALSE;
    }
  if (!synod_pbft_store_foreach (r->store, SYNOD_PBFT_TABLE_ENTRY, load_entry, &ls, error)
      || ls.error != NULL
      || !synod_pbft_store_foreach (r->store, SYNOD_PBFT_TABLE_BATCH, load_batch, &ls, error)
      || ls.error != NULL)
    return load_failed (&ls, error);

  if (ls.have_latest)
    {
      guint8 app_digest[32];

      snapshot = g_bytes_new (ls.latest.app_snapshot.val, ls.latest.app_snapshot.len);
      if (!synod_state_variable_restore (r->state, snapshot, error))
        return FALSE;
      synod_state_variable_digest (r->state, app_digest);
      if (memcmp (app_digest, ls.latest.state.app_digest, 32) != 0
          || !install_clients (r, &ls.latest.state))
        {
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
                       _ ("A stored snapshot does not match its digest"));
          return FALSE;
        }
      r->last_executed = ls.latest.state.seq;
      r->last_timestamp = ls.latest.state.timestamp;
    }
  g_hash_table_iter_init (&it, r->log);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      Entry *e = v;

      if (e->has_pp && e->pp_view == r->view)
        r->next_seq = MAX (r->next_seq, e->seq + 1);
    }
  r->next_seq = MAX (r->next_seq, MAX (r->low, r->last_executed) + 1);
  r->executed_at_tick = r->last_executed;
  r->replaying = TRUE;
  try_execute (r);
  r->replaying = FALSE;
  return TRUE;
}

static void
reset_memory (SynodPbftReplica *r)
{
  g_hash_table_remove_all (r->log);
  g_hash_table_remove_all (r->clients);
  g_hash_table_remove_all (r->own_ckpts);
  g_hash_table_remove_all (r->ckpt_votes);
  synod_pbft_checkpoint_proof_clear (&r->stable_proof);
  synod_pbft_checkpoint_proof_clear (&r->best_proof);
  memset (&r->stable_proof, 0, sizeof r->stable_proof);
  memset (&r->best_proof, 0, sizeof r->best_proof);
  g_clear_pointer (&r->new_view_bytes, g_bytes_unref);
  r->view = 0;
  r->view_active = TRUE;
  r->low = r->last_executed = r->last_timestamp = r->max_prepared = 0;
  r->next_seq = 1;
}

/**
 * synod_pbft_replica_new:
 * @config: the service's configuration (copied)
 * @keys: this replica's keyring; its node id is the replica id
 * @state: the state variable, in its initial state
 * @store: the replica's store; what it holds is recovered (replayed on
 *   @state); a damaged store is wiped, and state transfer then refills it
 *
 * Returns: (transfer full): the replica, or %NULL when @config is invalid
 *   or the store cannot be read or written at all
 */
SynodPbftReplica *
synod_pbft_replica_new (const SynodPbftConfig *config, SynodPbftKeyring *keys,
                        SynodStateVariable *state, SynodPbftStore *store, GError **error)
{
  g_autoptr (SynodPbftReplica) r = NULL;
  GError *local = NULL;

  g_return_val_if_fail (config != NULL && keys != NULL, NULL);
  g_return_val_if_fail (SYNOD_IS_STATE_VARIABLE (state) && store != NULL, NULL);
  if (!synod_pbft_config_validate (config, error))
    return NULL;
  if (synod_pbft_keyring_get_self (keys) >= synod_pbft_config_n (config))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("Node %u is not a replica of a service of %u replicas"),
                   synod_pbft_keyring_get_self (keys), synod_pbft_config_n (config));
      return NULL;
    }
  r = g_new0 (SynodPbftReplica, 1);
  r->config = *config;
  r->n = synod_pbft_config_n (config);
  r->f = config->f;
  r->id = synod_pbft_keyring_get_self (keys);
  r->keys = synod_pbft_keyring_ref (keys);
  r->state = g_object_ref (state);
  r->store = synod_pbft_store_ref (store);
  r->genesis = synod_state_variable_snapshot (state);
  r->view_active = TRUE;
  r->next_seq = 1;
  r->state_valid = TRUE;
  r->log = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, entry_free);
  r->clients = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, client_entry_free);
  r->own_ckpts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  r->ckpt_votes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  r->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, pending_free);
  r->vcs = g_new0 (SynodPbftSignedViewChange *, r->n);
  r->peers = g_new0 (Peer, r->n);
  r->transfer_peer = r->id;

  if (!recover (r, &local))
    {
      if (!g_error_matches (local, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT)
          && !g_error_matches (local, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STATE)
          && !g_error_matches (local, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DECODE))
        {
          g_propagate_error (error, local);
          return NULL;
        }
      /* A damaged store: start from the initial state and let state
       * transfer bring this replica back. Until then it is amnesic, one of
       * the f faults the service tolerates. */
      g_info ("PBFT replica %u: store damaged (%s); wiping it", r->id, local->message);
      g_clear_error (&local);
      synod_pbft_store_abort (store);
      if (!synod_pbft_store_wipe (store, error) || !synod_pbft_store_commit (store, error))
        return NULL;
      reset_memory (r);
      if (!synod_state_variable_restore (state, r->genesis, error))
        return NULL;
      r->stats.store_resets++;
    }
  if (!synod_pbft_store_commit (store, error))
    return NULL;
  g_queue_clear_full (&r->staged, output_free);
  return g_steal_pointer (&r);
}

void
synod_pbft_replica_free (SynodPbftReplica *replica)
{
  SynodPbftReplica *r = replica;

  if (r == NULL)
    return;
  /* Whatever the current step did not commit is lost, as in a crash. */
  synod_pbft_store_abort (r->store);
  synod_pbft_store_unref (r->store);
  synod_pbft_keyring_unref (r->keys);
  g_object_unref (r->state);
  g_bytes_unref (r->genesis);
  g_hash_table_unref (r->log);
  g_hash_table_unref (r->clients);
  g_hash_table_unref (r->own_ckpts);
  g_hash_table_unref (r->ckpt_votes);
  g_hash_table_unref (r->pending);
  g_queue_clear_full (&r->pending_queue, g_free);
  g_queue_clear_full (&r->deferred_reads, deferred_read_free);
  for (guint i = 0; i < r->n; i++)
    if (r->vcs[i] != NULL)
      synod_pbft_signed_view_change_free (r->vcs[i]);
  g_free (r->vcs);
  g_free (r->peers);
  g_clear_pointer (&r->new_view_bytes, g_bytes_unref);
  synod_pbft_checkpoint_proof_clear (&r->stable_proof);
  synod_pbft_checkpoint_proof_clear (&r->best_proof);
  g_queue_clear_full (&r->staged, output_free);
  g_queue_clear_full (&r->outputs, output_free);
  g_free (r);
}

guint32
synod_pbft_replica_get_id (SynodPbftReplica *replica)
{
  return replica->id;
}

guint64
synod_pbft_replica_get_view (SynodPbftReplica *replica)
{
  return replica->view;
}

gboolean
synod_pbft_replica_is_view_active (SynodPbftReplica *replica)
{
  return replica->view_active;
}

guint64
synod_pbft_replica_get_last_executed (SynodPbftReplica *replica)
{
  return replica->last_executed;
}

guint64
synod_pbft_replica_get_stable_seq (SynodPbftReplica *replica)
{
  return replica->low;
}

gboolean
synod_pbft_replica_is_halted (SynodPbftReplica *replica)
{
  return replica->halted;
}

const SynodPbftReplicaStats *
synod_pbft_replica_get_stats (SynodPbftReplica *replica)
{
  return &replica->stats;
}

gchar *
pbft_replica_describe (SynodPbftReplica *r)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s,
                          "r%u view %" G_GUINT64_FORMAT "%s low %" G_GUINT64_FORMAT
                          " executed %" G_GUINT64_FORMAT " next %" G_GUINT64_FORMAT
                          " max-prepared %" G_GUINT64_FORMAT " pending %u queued %u deferred %u"
                          " valid %d transfer %d vc-timer %" G_GINT64_FORMAT " failures %u\n",
                          r->id, r->view, r->view_active ? "" : " (changing)", r->low,
                          r->last_executed, r->next_seq, r->max_prepared,
                          g_hash_table_size (r->pending), r->pending_queue.length,
                          r->deferred_reads.length, r->state_valid, r->transfer_active,
                          r->deadlines[SYNOD_PBFT_TIMER_VIEW_CHANGE], r->vc_failures);
  for (guint i = 0; i < r->n; i++)
    g_string_append_printf (
        s, "  peer %u: view %" G_GUINT64_FORMAT "%s executed %" G_GUINT64_FORMAT "\n", i,
        r->peers[i].view, r->peers[i].active ? "" : " (changing)", r->peers[i].executed);
  for (guint64 seq = r->low + 1; seq <= r->low + r->config.window; seq++)
    {
      Entry *e = entry_lookup (r, seq);
      guint prep = 0, com = 0;

      if (e == NULL)
        continue;
      for (guint i = 0; i < r->n; i++)
        {
          prep += e->prepares[i].valid && e->prepares[i].view == e->pp_view
                  && memcmp (e->prepares[i].digest, e->pp_digest, 32) == 0;
          com += e->commits[i].valid && e->commits[i].view == e->pp_view
                 && memcmp (e->commits[i].digest, e->pp_digest, 32) == 0;
        }
      g_string_append_printf (s,
                              "  %" G_GUINT64_FORMAT ": pp %d view %" G_GUINT64_FORMAT
                              " %02x%02x batch %d prepares %u commits %u prepared %d committed %d"
                              " P %d Q %u sent %d age %" G_GINT64_FORMAT "\n",
                              seq, e->has_pp, e->pp_view, e->pp_digest[0], e->pp_digest[1],
                              entry_batch (e, e->pp_digest) != NULL, prep, com, e->prepared,
                              e->committed, e->has_p, e->n_q, e->commit_sent, r->now - e->pp_time);
    }
  return g_string_free (s, FALSE);
}
