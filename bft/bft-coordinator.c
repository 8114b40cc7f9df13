/* bft-coordinator.c — the Coordinator class: the client proxy of a BFT
 * service, one on every replica peer (the paper's replicaProxy).
 *
 * issueRequest runs on the broker's workers, one per request; the PBFT
 * client side (a SynodPbftClient with the keys of this Coordinator's client
 * node) runs on the object's own thread (bft-loop.h). A request waits, as
 * a method suspended in a send would (synod_call_wait_begin), until the
 * client side has f+1 matching signed replies (2f+1 for read-only) and
 * returns them as the proof, or until it gives up: then issueRequest fails
 * and never returns an unproven result.
 *
 * Stuck clients: the same (client id, number) issued again — here while
 * the first is in flight (the two wait for one answer), here later, or at
 * another Coordinator — reaches the replicas, which execute a request once
 * and answer a repeated number with the reply they kept. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bft-classes.h"
#include "bft-link.h"
#include "bft-loop.h"
#include "pbft-client.h"
#include "synod-bft-error.h"

#define DEFAULT_REQUEST_TIMEOUT_MS 15000
#define DEFAULT_CLIENT_TIMEOUT_MS 500
#define DEFAULT_MAX_ATTEMPTS 12
/* Requests of distinct clients one Coordinator keeps in flight. */
#define DEFAULT_MAX_IN_FLIGHT 4096

typedef struct
{
  gint refs; /* atomic */
  guint64 client;
  guint64 number;
  gboolean read_only;
  GBytes *op;
  /* under the Coordinator's lock */
  gboolean done;
  GBytes *result;
  SynodBftProof proof;
  GError *error;
} Pending;

typedef struct
{
  SynodBroker *broker;
  SynodObjectId id;
  gchar *service;
  guint client_index;
  guint32 node;
  guint n;
  SynodPbftConfig config;
  SynodBftKeys *keys;
  SynodPbftKeyring *keyring;
  SynodPbftClient *client; /* loop thread only */
  BftLoop *loop;
  GSource *timer;
  BftLink **links; /* one per replica */
  gint64 request_timeout_us;
  guint max_in_flight;
  SynodBftServiceInfo info;
  GMutex lock;
  GCond cond;
  GHashTable *pending; /* client id -> Pending * (waiting for the client side) */
  guint64 completed;
  guint64 failed;
  guint64 view;
} Coordinator;

static const gchar *const known_params[] = {
  "service",           "client",       "keys",          "request-timeout-ms",
  "client-timeout-ms", "max-attempts", "max-in-flight", NULL,
};

static Pending *
pending_ref (Pending *p)
{
  g_atomic_int_inc (&p->refs);
  return p;
}

static void
pending_unref (gpointer data)
{
  Pending *p = data;

  if (!g_atomic_int_dec_and_test (&p->refs))
    return;
  g_bytes_unref (p->op);
  g_clear_pointer (&p->result, g_bytes_unref);
  synod_bft_proof_clear (&p->proof);
  g_clear_error (&p->error);
  g_free (p);
}

/* Under the lock: the request is answered (or given up); wake its waiters. */
static void
finish_locked (Coordinator *self, Pending *p, GBytes *result, const SynodBftProof *proof,
               GError *error)
{
  if (p->done)
    {
      g_clear_error (&error);
      return;
    }
  p->done = TRUE;
  if (result)
    {
      p->result = g_bytes_ref (result);
      p->proof = *proof;
      self->completed++;
    }
  else
    {
      p->error = error;
      self->failed++;
    }
  if (g_hash_table_lookup (self->pending, &p->client) == p)
    g_hash_table_remove (self->pending, &p->client);
  g_cond_broadcast (&self->cond);
}

/* ---- the client side, on the loop's thread ---- */

static gboolean on_timer (gpointer data);

static void
arm_timer (Coordinator *self, gint64 deadline)
{
  gint64 delay_ms;

  if (self->timer)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (deadline == 0)
    return;
  delay_ms = MAX (0, (deadline - g_get_real_time () + 999) / 1000);
  self->timer = g_timeout_source_new ((guint)MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, bft_loop_get_context (self->loop));
}

static void
on_done (Coordinator *self, SynodPbftOutput *o)
{
  Pending *p;
  SynodBftProof proof = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean built;

  /* The proof is built (and each reply checked against the result) before
   * the lock: the replies belong to this thread's output. A service whose
   * replicas do not sign replies (keys made with --no-sign-replies) has
   * only the MACs this side checked: its proofs carry no signature, which
   * no checker accepts, and the result is still the one f+1 replicas gave. */
  g_autoptr (GPtrArray) none = g_ptr_array_new ();

  built
      = synod_bft_proof_build (self->config.service, o->client, o->number, o->read_only, o->result,
                               self->config.sign_replies ? o->proof : none, &proof, &error);
  g_mutex_lock (&self->lock);
  p = g_hash_table_lookup (self->pending, &o->client);
  if (p != NULL && p->number == o->number)
    {
      if (built)
        finish_locked (self, p, o->result, &proof, NULL);
      else
        finish_locked (self, p, NULL, NULL, g_steal_pointer (&error));
    }
  else if (built)
    synod_bft_proof_clear (&proof);
  self->view = synod_pbft_client_get_view (self->client);
  g_mutex_unlock (&self->lock);
}

static void
on_failed (Coordinator *self, SynodPbftOutput *o)
{
  Pending *p;

  g_mutex_lock (&self->lock);
  p = g_hash_table_lookup (self->pending, &o->client);
  if (p != NULL && p->number == o->number)
    finish_locked (self, p, NULL, NULL,
                   o->error ? g_error_copy (o->error)
                            : g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_NO_QUORUM,
                                           _ ("No proven result")));
  g_mutex_unlock (&self->lock);
}

static void
drain (Coordinator *self)
{
  SynodPbftOutput o;

  while (synod_pbft_client_pop_output (self->client, &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            if (o.to == SYNOD_PBFT_TO_REPLICAS)
              for (guint r = 0; r < self->n; r++)
                bft_link_send (self->links[r], o.data);
            else if (o.to < self->n)
              bft_link_send (self->links[o.to], o.data);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            arm_timer (self, o.deadline);
            break;
          case SYNOD_PBFT_OUTPUT_DONE:
            on_done (self, &o);
            break;
          case SYNOD_PBFT_OUTPUT_FAILED:
            on_failed (self, &o);
            break;
          default:
            break;
        }
      synod_pbft_output_clear (&o);
    }
}

static gboolean
on_timer (gpointer data)
{
  Coordinator *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  synod_pbft_client_timer_expired (self->client, g_get_real_time ());
  drain (self);
  return G_SOURCE_REMOVE;
}

static void
on_messages (gpointer owner, GQueue *messages)
{
  Coordinator *self = owner;

  for (GList *l = messages->head; l; l = l->next)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (l->data, &len);

      synod_pbft_client_receive (self->client, g_get_real_time (), data, len);
    }
  drain (self);
}

typedef struct
{
  Coordinator *self;
  Pending *pending;
} Submit;

static void
submit_free (gpointer data)
{
  Submit *s = data;

  pending_unref (s->pending);
  g_free (s);
}

static gboolean
do_submit (gpointer data)
{
  Submit *s = data;
  Coordinator *self = s->self;
  Pending *p = s->pending;
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&self->lock);
  if (p->done)
    {
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }
  g_mutex_unlock (&self->lock);
  if (!synod_pbft_client_submit (self->client, g_get_real_time (), p->client, p->number, p->op,
                                 p->read_only, &error))
    {
      g_mutex_lock (&self->lock);
      finish_locked (self, p, NULL, NULL, g_steal_pointer (&error));
      g_mutex_unlock (&self->lock);
    }
  drain (self);
  return G_SOURCE_REMOVE;
}

static gboolean
do_cancel (gpointer data)
{
  Submit *s = data;

  synod_pbft_client_cancel (s->self->client, s->pending->client);
  drain (s->self);
  return G_SOURCE_REMOVE;
}

static gboolean
begin (gpointer data)
{
  Coordinator *self = data;
  g_autofree gchar *shared = synod_bft_coordinator_name (self->service);
  g_autofree gchar *own = synod_bft_client_name (self->service, self->client_index);
  g_autoptr (SynodObject) object = NULL;
  g_autoptr (GError) error = NULL;

  object = bft_wait_for_object (self->broker, &self->id, 10000);
  if (object == NULL)
    return G_SOURCE_REMOVE;
  if (!synod_broker_register_service (self->broker, own, object, &error)
      || !synod_broker_register_service (self->broker, shared, object, &error))
    g_warning (_ ("BFT service %s, client %u: %s"), self->service, self->client_index,
               error->message);
  g_message (_ ("BFT service %s: coordinator (client node %u) ready"), self->service, self->node);
  return G_SOURCE_REMOVE;
}

/* ---- methods ---- */

static gboolean
co_issue_request (gpointer instance, SynodCall *call, const SynodBftRequest *request,
                  SynodBftResult *ret_result, GError **error)
{
  Coordinator *self = instance;
  Pending *p;
  SynodCallWait wait;
  gint64 deadline;
  gboolean ok;

  g_mutex_lock (&self->lock);
  p = g_hash_table_lookup (self->pending, &request->client);
  if (p != NULL)
    {
      if (p->number != request->number || p->read_only != request->read_only
          || g_bytes_get_size (p->op) != request->operation.len
          || memcmp (g_bytes_get_data (p->op, NULL), request->operation.val, request->operation.len)
                 != 0)
        {
          guint64 number = p->number;

          g_mutex_unlock (&self->lock);
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BUSY,
                       _ ("Client %" PRIu64 " already has request %" PRIu64
                          " in flight at this coordinator"),
                       request->client, number);
          return FALSE;
        }
      /* The same request again (a retry while the first waits): one answer
       * serves both. */
      pending_ref (p);
    }
  else
    {
      Submit *s;

      if (g_hash_table_size (self->pending) >= self->max_in_flight)
        {
          g_mutex_unlock (&self->lock);
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                       _ ("The coordinator has %u requests in flight: try again later"),
                       self->max_in_flight);
          return FALSE;
        }
      p = g_new0 (Pending, 1);
      p->refs = 2; /* the table, this waiter */
      p->client = request->client;
      p->number = request->number;
      p->read_only = request->read_only;
      p->op = g_bytes_new (request->operation.val, request->operation.len);
      g_hash_table_insert (self->pending, &p->client, p);
      s = g_new (Submit, 1);
      s->self = self;
      s->pending = pending_ref (p);
      bft_loop_invoke (self->loop, do_submit, s, submit_free);
    }
  g_mutex_unlock (&self->lock);

  deadline = g_get_monotonic_time () + self->request_timeout_us;
  if (!synod_call_wait_begin (&wait, error))
    {
      pending_unref (p);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  while (!p->done)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  if (!p->done)
    {
      Submit *s = g_new (Submit, 1);

      finish_locked (self, p, NULL, NULL,
                     g_error_new (SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_TIMEOUT,
                                  _ ("No proven result for request %" PRIu64 " of client %" PRIu64
                                     " within %" PRId64 " ms"),
                                  p->number, p->client, self->request_timeout_us / 1000));
      s->self = self;
      s->pending = pending_ref (p);
      bft_loop_invoke (self->loop, do_cancel, s, submit_free);
    }
  ok = p->result != NULL;
  if (ok)
    {
      ret_result->value.len = g_bytes_get_size (p->result);
      ret_result->value.val = g_memdup2 (g_bytes_get_data (p->result, NULL), ret_result->value.len);
      synod_bft_proof_copy (&p->proof, &ret_result->proof);
    }
  else
    g_propagate_error (error, g_error_copy (p->error));
  g_mutex_unlock (&self->lock);
  synod_call_wait_end (&wait);
  pending_unref (p);
  return ok;
}

static gboolean
co_deliver (gpointer instance, SynodCall *call, guint32 envelope_len, const guint8 *envelope_val,
            GError **error)
{
  Coordinator *self = instance;

  return bft_loop_deliver (self->loop, self->config.max_message_size, envelope_len, envelope_val,
                           error);
}

static gboolean
co_deliver_many (gpointer instance, SynodCall *call, guint32 envelopes_len,
                 const SynodBftEnvelope *envelopes_val, GError **error)
{
  Coordinator *self = instance;

  bft_loop_deliver_many (self->loop, self->config.max_message_size, envelopes_len, envelopes_val);
  return TRUE;
}

static gboolean
co_describe (gpointer instance, SynodCall *call, SynodBftServiceInfo *ret_result, GError **error)
{
  Coordinator *self = instance;

  synod_bft_service_info_copy (&self->info, ret_result);
  return TRUE;
}

static gboolean
co_status (gpointer instance, SynodCall *call, SynodBftCoordinatorStatus *ret_result,
           GError **error)
{
  Coordinator *self = instance;

  g_mutex_lock (&self->lock);
  ret_result->service = g_strdup (self->service);
  ret_result->node = self->node;
  ret_result->view = self->view;
  ret_result->in_flight = g_hash_table_size (self->pending);
  ret_result->completed = self->completed;
  ret_result->failed = self->failed;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static const SynodBftCoordinatorIface coordinator_vtable = {
  .issue_request = co_issue_request,
  .deliver = co_deliver,
  .describe = co_describe,
  .status = co_status,
  .deliver_many = co_deliver_many,
};

/* ---- life cycle ---- */

static void
co_free_members (Coordinator *self)
{
  bft_loop_free (self->loop);
  self->loop = NULL;
  if (self->timer)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  for (guint i = 0; self->links && i < self->n; i++)
    bft_link_free (self->links[i]);
  g_clear_pointer (&self->links, g_free);
  g_clear_pointer (&self->client, synod_pbft_client_free);
  g_clear_pointer (&self->keyring, synod_pbft_keyring_unref);
  g_clear_pointer (&self->keys, synod_bft_keys_unref);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  synod_bft_service_info_clear (&self->info);
}

static gboolean
co_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
           GError **error)
{
  Coordinator *self = instance;
  g_autofree gchar *service = NULL, *keys_dir = NULL, *thread_name = NULL;
  guint64 client = G_MAXUINT64, request_ms = DEFAULT_REQUEST_TIMEOUT_MS;
  guint64 client_ms = DEFAULT_CLIENT_TIMEOUT_MS, attempts = DEFAULT_MAX_ATTEMPTS;
  guint64 max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  guint32 node;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  if (!bft_params_check (params, SYNOD_BFT_COORDINATOR_CLASS, known_params, error)
      || !bft_param_string (params, "keys", TRUE, &keys_dir, error)
      || !bft_param_string (params, "service", FALSE, &service, error)
      || !bft_param_uint (params, "client", 0, 1023, &client, error)
      || !bft_param_uint (params, "request-timeout-ms", 10, 3600 * 1000, &request_ms, error)
      || !bft_param_uint (params, "client-timeout-ms", 10, 600 * 1000, &client_ms, error)
      || !bft_param_uint (params, "max-attempts", 1, 1000, &attempts, error)
      || !bft_param_uint (params, "max-in-flight", 1, 1 << 20, &max_in_flight, error))
    goto fail;
  self->keys = synod_bft_keys_load (keys_dir, error);
  if (self->keys == NULL)
    goto fail;
  synod_bft_keys_init_config (self->keys, &self->config);
  self->n = synod_pbft_config_n (&self->config);
  node = synod_bft_keys_get_node (self->keys);
  if (service && strcmp (service, synod_bft_keys_get_name (self->keys)) != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The keys in %s are those of service “%s”, not “%s”"), keys_dir,
                   synod_bft_keys_get_name (self->keys), service);
      goto fail;
    }
  if (node == SYNOD_BFT_NO_NODE || node < self->n
      || (client != G_MAXUINT64 && node != self->n + client))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The keys in %s are not those of a client node%s"), keys_dir,
                   client != G_MAXUINT64 ? _ (" with that number") : "");
      goto fail;
    }
  self->broker = synod_object_get_broker (object);
  self->id = *synod_object_get_id (object);
  self->service = g_strdup (synod_bft_keys_get_name (self->keys));
  self->node = node;
  self->client_index = node - self->n;
  self->request_timeout_us = (gint64)request_ms * 1000;
  self->max_in_flight = max_in_flight;
  self->config.client_timeout = (gint64)client_ms * 1000;
  self->config.client_read_only_timeout = MAX (self->config.client_timeout / 2, 1000);
  self->config.client_max_attempts = attempts;
  self->config.max_message_size = SYNOD_BFT_MAX_ENVELOPE;
  if (!synod_pbft_config_validate (&self->config, error))
    goto fail;
  self->keyring = synod_bft_keys_new_keyring (self->keys, error);
  if (self->keyring == NULL)
    goto fail;
  self->client = synod_pbft_client_new (&self->config, self->keyring, error);
  if (self->client == NULL)
    goto fail;

  self->info.name = g_strdup (self->service);
  self->info.service = self->config.service;
  self->info.f = self->config.f;
  self->info.n = self->n;
  self->info.replica_keys.len = self->n;
  self->info.replica_keys.val = g_new0 (SynodBftPublicKey, self->n);
  for (guint r = 0; r < self->n; r++)
    synod_bft_keys_get_public_key (self->keys, r, self->info.replica_keys.val[r]);

  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, pending_unref);
  self->links = g_new0 (BftLink *, self->n);
  for (guint r = 0; r < self->n; r++)
    {
      g_autofree gchar *name = synod_bft_replica_name (self->service, r);

      self->links[r] = bft_link_new (self->broker, name, synod_bft_replica_server_deliver,
                                     synod_bft_replica_server_deliver_many, 0);
    }
  thread_name = g_strdup_printf ("bft-coordinator-%u", self->client_index);
  self->loop = bft_loop_new (thread_name, on_messages, self);
  bft_loop_start (self->loop, begin, self);
  return TRUE;

fail:
  g_prefix_error (error, "%s: ", SYNOD_BFT_COORDINATOR_CLASS);
  co_free_members (self);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  return FALSE;
}

static void
co_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  Coordinator *self = instance;

  co_free_members (self);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
}

gboolean
bft_coordinator_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass = synod_class_new (
      SYNOD_BFT_COORDINATOR_CLASS, SYNOD_BFT_CLASS_VERSION, sizeof (Coordinator), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &synod_bft_coordinator_interface, &coordinator_vtable);
  synod_class_set_hooks (klass, co_create, co_delete, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
