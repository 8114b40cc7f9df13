/* pbft-client.c — issuing requests and deciding on replies.
 *
 * A result is accepted only on f+1 matching replies (2f+1 for read-only)
 * from distinct replicas, each with a valid signature when the service signs
 * replies: at least one of them comes from a correct replica, so the result
 * is the one the service computed. Fewer than that is never returned; the
 * request is retransmitted to every replica, with a doubling timeout, and
 * finally reported failed. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pbft-client.h"
#include "pbft-private.h"
#include "synod-bft-error.h"

typedef struct
{
  guint64 client;
  guint64 number;
  GBytes *op;
  GBytes *sealed;
  gboolean read_only_phase;
  gboolean asked_read_only;
  guint attempts;
  gint64 deadline;
  SynodPbftReply **replies; /* [n]: the latest reply of each replica */
  guint64 *stale_last;      /* [n]: the last number a replica said it executed, 0 if none */
  gboolean stale_asked_all; /* sent to every replica on the first STALE */
} Outstanding;

struct _SynodPbftClient
{
  SynodPbftConfig config;
  guint n, f;
  guint32 id;
  SynodPbftKeyring *keys;
  guint64 view;
  GHashTable *outstanding; /* guint64 client -> Outstanding */
  gint64 timer;
  GQueue outputs;
};

static void
outstanding_free (gpointer data)
{
  Outstanding *o = data;

  g_bytes_unref (o->op);
  g_clear_pointer (&o->sealed, g_bytes_unref);
  g_free (o->replies);
  g_free (o->stale_last);
  g_free (o);
}

static void
replies_clear (SynodPbftClient *c, Outstanding *o)
{
  for (guint i = 0; i < c->n; i++)
    g_clear_pointer (&o->replies[i], synod_pbft_reply_free);
}

static void
outstanding_destroy (SynodPbftClient *c, Outstanding *o)
{
  replies_clear (c, o);
  g_hash_table_remove (c->outstanding, &o->client);
}

static SynodPbftOutput *
emit (SynodPbftClient *c, SynodPbftOutputKind kind)
{
  SynodPbftOutput *out = g_new0 (SynodPbftOutput, 1);

  out->kind = kind;
  g_queue_push_tail (&c->outputs, out);
  return out;
}

static void
client_send (SynodPbftClient *c, guint32 to, GBytes *bytes)
{
  SynodPbftOutput *out = emit (c, SYNOD_PBFT_OUTPUT_SEND);

  out->to = to;
  out->data = g_bytes_ref (bytes);
}

static void
rearm (SynodPbftClient *c)
{
  gint64 next = 0;
  GHashTableIter it;
  gpointer v;
  SynodPbftOutput *out;

  g_hash_table_iter_init (&it, c->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      Outstanding *o = v;

      if (next == 0 || o->deadline < next)
        next = o->deadline;
    }
  if (next == c->timer)
    return;
  c->timer = next;
  out = emit (c, SYNOD_PBFT_OUTPUT_TIMER);
  out->timer = SYNOD_PBFT_TIMER_CLIENT;
  out->deadline = next;
}

static gboolean
seal_request (SynodPbftClient *c, Outstanding *o, gboolean read_only, GError **error)
{
  SynodPbftMessage m = { .service = c->config.service, .sender = c->id };
  SynodPbftSignedRequest *sr = &m.body.u.request;
  gsize len;
  gboolean ok;

  m.body.type = SYNOD_PBFT_MSG_REQUEST;
  sr->request.client = o->client;
  sr->request.number = o->number;
  sr->request.origin = c->id;
  sr->request.read_only = read_only;
  sr->request.op.val = (guint8 *)g_bytes_get_data (o->op, &len);
  sr->request.op.len = len;
  ok = pbft_request_authenticate (c->keys, c->config.service, c->n, c->config.sign_requests, sr,
                                  error);
  if (ok)
    {
      g_clear_pointer (&o->sealed, g_bytes_unref);
      o->sealed = pbft_seal (c->keys, &m, SYNOD_PBFT_AUTH_NONE, 0, c->n, error);
      ok = o->sealed != NULL;
    }
  /* The op is borrowed from o->op: only the auth is ours to free. */
  synod_pbft_auth_clear (&sr->auth);
  return ok;
}

SynodPbftClient *
synod_pbft_client_new (const SynodPbftConfig *config, SynodPbftKeyring *keys, GError **error)
{
  SynodPbftClient *c;

  g_return_val_if_fail (config != NULL && keys != NULL, NULL);
  if (!synod_pbft_config_validate (config, error))
    return NULL;
  c = g_new0 (SynodPbftClient, 1);
  c->config = *config;
  c->n = synod_pbft_config_n (config);
  c->f = config->f;
  c->id = synod_pbft_keyring_get_self (keys);
  c->keys = synod_pbft_keyring_ref (keys);
  c->outstanding = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, outstanding_free);
  return c;
}

void
synod_pbft_client_free (SynodPbftClient *client)
{
  GHashTableIter it;
  gpointer v;

  if (client == NULL)
    return;
  g_hash_table_iter_init (&it, client->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v))
    replies_clear (client, v);
  g_hash_table_unref (client->outstanding);
  synod_pbft_keyring_unref (client->keys);
  while (client->outputs.length > 0)
    {
      SynodPbftOutput *o = g_queue_pop_head (&client->outputs);

      synod_pbft_output_clear (o);
      g_free (o);
    }
  g_free (client);
}

/**
 * synod_pbft_client_submit:
 * @client_id: the logical client (exactly-once is per client id)
 * @number: its request number; must grow from one request to the next of
 *   the same client id, and stay the same for a retry of the same request
 * @op: the operation for the state variable
 * @read_only: try the read-only path first (2f+1 matching replies, no
 *   ordering), falling back to the ordered path
 *
 * Returns: %FALSE with %SYNOD_BFT_ERROR_BUSY when @client_id already has a
 *   request in flight, %SYNOD_BFT_ERROR_LIMIT when @op is too large
 */
gboolean
synod_pbft_client_submit (SynodPbftClient *client, gint64 now, guint64 client_id, guint64 number,
                          GBytes *op, gboolean read_only, GError **error)
{
  SynodPbftClient *c = client;
  Outstanding *o;

  g_return_val_if_fail (c != NULL && op != NULL, FALSE);
  if (g_hash_table_contains (c->outstanding, &client_id))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BUSY,
                   _ ("Client %" PRIu64 " already has a request in flight"), client_id);
      return FALSE;
    }
  if (g_bytes_get_size (op) > SYNOD_PBFT_MAX_OP_SIZE)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                   _ ("Operation of %zu bytes exceeds the limit of %u"), g_bytes_get_size (op),
                   SYNOD_PBFT_MAX_OP_SIZE);
      return FALSE;
    }
  o = g_new0 (Outstanding, 1);
  o->client = client_id;
  o->number = number;
  o->op = g_bytes_ref (op);
  o->read_only_phase = read_only;
  o->asked_read_only = read_only;
  o->attempts = 1;
  o->replies = g_new0 (SynodPbftReply *, c->n);
  o->stale_last = g_new0 (guint64, c->n);
  if (!seal_request (c, o, read_only, error))
    {
      outstanding_free (o);
      return FALSE;
    }
  g_hash_table_insert (c->outstanding, &o->client, o);
  if (read_only)
    {
      client_send (c, SYNOD_PBFT_TO_REPLICAS, o->sealed);
      o->deadline = now + c->config.client_read_only_timeout;
    }
  else
    {
      client_send (c, pbft_primary (&c->config, c->view), o->sealed);
      o->deadline = now + c->config.client_timeout;
    }
  rearm (c);
  return TRUE;
}

gboolean
synod_pbft_client_cancel (SynodPbftClient *client, guint64 client_id)
{
  Outstanding *o = g_hash_table_lookup (client->outstanding, &client_id);

  if (o == NULL)
    return FALSE;
  outstanding_destroy (client, o);
  rearm (client);
  return TRUE;
}

static void
fall_back (SynodPbftClient *c, Outstanding *o, gint64 now)
{
  g_autoptr (GError) error = NULL;

  o->read_only_phase = FALSE;
  o->attempts = 1;
  replies_clear (c, o);
  if (!seal_request (c, o, FALSE, &error))
    {
      g_warning ("cannot reissue a read-only request as ordered: %s", error->message);
      return;
    }
  client_send (c, pbft_primary (&c->config, c->view), o->sealed);
  o->deadline = now + c->config.client_timeout;
}

static gboolean
reply_signature_ok (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                    const SynodPbftReply *reply)
{
  g_autoptr (GBytes) statement = NULL;

  if (!config->sign_replies)
    return TRUE;
  if (reply->signature.len != 64
      || !pbft_reply_statement_encode (config->service, reply, &statement))
    return FALSE;
  return synod_pbft_keyring_verify (keys, reply->replica, g_bytes_get_data (statement, NULL),
                                    g_bytes_get_size (statement), reply->signature.val);
}

static gboolean
same_result (const SynodPbftReply *a, const SynodPbftReply *b)
{
  return a->result.len == b->result.len
         && (a->result.len == 0 || memcmp (a->result.val, b->result.val, a->result.len) == 0);
}

static gint
compare_view_desc (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

  return x > y ? -1 : x < y;
}

/* Decides on @o; returns TRUE when it is done (and removed). */
static gboolean
decide (SynodPbftClient *c, Outstanding *o, gint64 now)
{
  guint need = o->read_only_phase ? 2 * c->f + 1 : c->f + 1;
  guint answered = 0, best = 0;

  for (guint i = 0; i < c->n; i++)
    {
      guint count = 0;

      if (o->replies[i] == NULL)
        continue;
      answered++;
      for (guint j = 0; j < c->n; j++)
        if (o->replies[j] != NULL && same_result (o->replies[i], o->replies[j]))
          count++;
      best = MAX (best, count);
      if (count >= need)
        {
          GPtrArray *proof = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_pbft_reply_free);
          guint64 views[SYNOD_PBFT_MAX_REPLICAS];
          SynodPbftOutput *out;
          const SynodPbftReply *r = o->replies[i];

          for (guint j = 0; j < c->n && proof->len < need; j++)
            if (o->replies[j] != NULL && same_result (r, o->replies[j]))
              {
                views[proof->len] = o->replies[j]->view;
                g_ptr_array_add (proof, o->replies[j]);
                o->replies[j] = NULL;
              }
          /* The (f+1)-th highest view any matching replier reports is one a
           * correct replica has reached. */
          qsort (views, proof->len, sizeof (guint64), compare_view_desc);
          c->view = MAX (c->view, views[c->f]);
          out = emit (c, SYNOD_PBFT_OUTPUT_DONE);
          out->client = o->client;
          out->number = o->number;
          out->read_only = o->read_only_phase;
          r = g_ptr_array_index (proof, 0);
          out->result = g_bytes_new (r->result.val, r->result.len);
          out->proof = proof;
          outstanding_destroy (c, o);
          return TRUE;
        }
    }
  /* Read-only: once 2f+1 matching replies can no longer come, fall back
   * at once rather than wait for the timeout. */
  if (o->read_only_phase && best + (c->n - answered) < need)
    fall_back (c, o, now);
  return FALSE;
}

/* f+1 replicas executed a later request of this client, so at least one
 * correct one did: this request never executes anywhere (or did, and its
 * reply is gone), and waiting for it would only end in a timeout. */
static void
handle_stale (SynodPbftClient *c, guint32 sender, const SynodPbftStale *st)
{
  Outstanding *o = g_hash_table_lookup (c->outstanding, &st->client);
  guint count = 0;
  guint64 last = G_MAXUINT64;
  SynodPbftOutput *out;

  if (o == NULL || o->number != st->number || st->replica != sender || st->last <= st->number
      || o->read_only_phase)
    return;
  o->stale_last[sender] = st->last;
  for (guint i = 0; i < c->n; i++)
    if (o->stale_last[i] != 0)
      {
        count++;
        last = MIN (last, o->stale_last[i]);
      }
  if (count < c->f + 1)
    {
      /* The first one most likely comes from the primary, the only replica
       * a request goes to at first: ask the others now, not at the timeout. */
      if (!o->stale_asked_all)
        {
          o->stale_asked_all = TRUE;
          client_send (c, SYNOD_PBFT_TO_REPLICAS, o->sealed);
        }
      return;
    }
  out = emit (c, SYNOD_PBFT_OUTPUT_FAILED);
  out->client = o->client;
  out->number = o->number;
  out->error = g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STALE,
                            _ ("Request %" PRIu64 " of client %" PRIu64
                               " is older than the last one the replicas executed (%" PRIu64
                               " or later): it will not be executed; send it with a higher number"),
                            o->number, o->client, last);
  outstanding_destroy (c, o);
}

void
synod_pbft_client_receive (SynodPbftClient *client, gint64 now, const guint8 *data, gsize len)
{
  SynodPbftClient *c = client;
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];
  SynodPbftReply *rep;
  Outstanding *o;
  guint32 sender;

  g_return_if_fail (c != NULL);
  if (!pbft_open (data, len, c->config.max_message_size, &env, digest, NULL))
    {
      g_debug ("client %u drops a malformed message", c->id);
      return;
    }
  sender = env.message.sender;
  if (env.message.service != c->config.service
      || (env.message.body.type != SYNOD_PBFT_MSG_REPLY
          && env.message.body.type != SYNOD_PBFT_MSG_STALE)
      || sender >= c->n || !pbft_check_auth (c->keys, &env, digest))
    {
      g_debug ("client %u drops an unauthentic message from %u", c->id, sender);
      return;
    }
  if (env.message.body.type == SYNOD_PBFT_MSG_STALE)
    {
      handle_stale (c, sender, &env.message.body.u.stale);
      rearm (c);
      return;
    }
  rep = &env.message.body.u.reply;
  o = g_hash_table_lookup (c->outstanding, &rep->client);
  if (o == NULL || rep->number != o->number || rep->replica != sender
      || rep->read_only != o->read_only_phase)
    {
      g_debug ("client %u drops a stale reply from %u", c->id, sender);
      return;
    }
  /* A reply whose signature fails is dropped here, so it never ends up in
   * a proof; the replica may still send a good one. */
  if (!reply_signature_ok (c->keys, &c->config, rep))
    {
      g_debug ("client %u drops a reply with a bad signature from %u", c->id, sender);
      return;
    }
  g_clear_pointer (&o->replies[sender], synod_pbft_reply_free);
  o->replies[sender] = g_new0 (SynodPbftReply, 1);
  *o->replies[sender] = *rep;
  memset (rep, 0, sizeof *rep);
  decide (c, o, now);
  rearm (c);
}

void
synod_pbft_client_timer_expired (SynodPbftClient *client, gint64 now)
{
  SynodPbftClient *c = client;
  g_autoptr (GPtrArray) due = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;

  g_return_if_fail (c != NULL);
  c->timer = 0;
  g_hash_table_iter_init (&it, c->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((Outstanding *)v)->deadline <= now)
      g_ptr_array_add (due, v);
  for (guint i = 0; i < due->len; i++)
    {
      Outstanding *o = g_ptr_array_index (due, i);

      if (o->read_only_phase)
        {
          fall_back (c, o, now);
          continue;
        }
      if (o->attempts >= c->config.client_max_attempts)
        {
          SynodPbftOutput *out = emit (c, SYNOD_PBFT_OUTPUT_FAILED);

          out->client = o->client;
          out->number = o->number;
          out->error = g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_NO_QUORUM,
                                    _ ("No %u matching replies to request %" PRIu64
                                       " of client %" PRIu64 " after %u attempts"),
                                    c->f + 1, o->number, o->client, o->attempts);
          outstanding_destroy (c, o);
          continue;
        }
      /* Retransmit to every replica: if the primary is faulty, the backups
       * now suspect it, and a retry reaches the new primary too. */
      client_send (c, SYNOD_PBFT_TO_REPLICAS, o->sealed);
      o->deadline = now + (c->config.client_timeout << MIN (o->attempts, 4));
      o->attempts++;
    }
  rearm (c);
}

gboolean
synod_pbft_client_pop_output (SynodPbftClient *client, SynodPbftOutput *ret_output)
{
  SynodPbftOutput *o = g_queue_pop_head (&client->outputs);

  if (o == NULL)
    return FALSE;
  *ret_output = *o;
  g_free (o);
  return TRUE;
}

guint
synod_pbft_client_get_in_flight (SynodPbftClient *client)
{
  return g_hash_table_size (client->outstanding);
}

guint64
synod_pbft_client_get_view (SynodPbftClient *client)
{
  return client->view;
}

static gboolean
proof_reply_ok (SynodPbftKeyring *keys, const SynodPbftConfig *config, const SynodPbftReply *r,
                guint64 client_id, guint64 number, gboolean read_only, const guint8 *data,
                gsize len)
{
  g_autoptr (GBytes) statement = NULL;

  return r->replica < synod_pbft_config_n (config) && r->client == client_id && r->number == number
         && r->read_only == read_only && r->result.len == len
         && (len == 0 || memcmp (r->result.val, data, len) == 0) && r->signature.len == 64
         && pbft_reply_statement_encode (config->service, r, &statement)
         && synod_pbft_keyring_verify (keys, r->replica, g_bytes_get_data (statement, NULL),
                                       g_bytes_get_size (statement), r->signature.val);
}

/**
 * synod_pbft_reply_proof_check:
 * @replies: (element-type SynodPbftReply): the proof
 *
 * Checks that @replies prove @result for request @number of @client_id:
 * f+1 (2f+1 when they are read-only replies) replies from distinct
 * replicas, all for this request and this result, each with a valid
 * signature of its replica. What a browser's script checks with WebCrypto,
 * and the synod tool checks for its users.
 */
gboolean
synod_pbft_reply_proof_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                              guint64 client_id, guint64 number, GBytes *result, GPtrArray *replies,
                              GError **error)
{
  guint64 seen = 0;
  gboolean read_only = FALSE, ok = replies->len > 0;
  gsize len;
  const guint8 *data = g_bytes_get_data (result, &len);

  if (ok)
    read_only = ((SynodPbftReply *)g_ptr_array_index (replies, 0))->read_only;
  for (guint i = 0; ok && i < replies->len; i++)
    {
      const SynodPbftReply *r = g_ptr_array_index (replies, i);

      ok = proof_reply_ok (keys, config, r, client_id, number, read_only, data, len)
           && (seen & (G_GUINT64_CONSTANT (1) << r->replica)) == 0;
      seen |= G_GUINT64_CONSTANT (1) << (r->replica % 64);
    }
  if (ok && replies->len >= (read_only ? 2 * config->f + 1 : config->f + 1))
    return TRUE;
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
               _ ("The replies do not prove the result of request %" PRIu64 " of client %" PRIu64),
               number, client_id);
  return FALSE;
}
