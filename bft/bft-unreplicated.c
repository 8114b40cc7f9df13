/* bft-unreplicated.c — the Unreplicated class: a state variable served by
 * one object, with the Coordinator's interface and no replication.
 *
 * What a BFT service is measured against (bench/bench-bft-service: the
 * same state variable, reached over the same broker and network path), and
 * a stand-in while a site is developed. Its results carry an empty proof
 * (no signatures: describe() says f=0, n=1), which no checker accepts as
 * a BFT proof. It keeps the last reply per client, so a retry is answered
 * from it exactly as the replicas would. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bft-classes.h"
#include "synod-bft-error.h"

#define MAX_CLIENTS 65536

typedef struct
{
  guint64 number;
  GBytes *result;
} LastReply;

typedef struct
{
  gchar *service;
  SynodStateVariable *state;
  GMutex lock;
  guint64 timestamp;
  guint64 executed;
  GHashTable *last; /* client id -> LastReply * */
  GQueue order;     /* client ids (guint64 *), oldest first: eviction */
} Unreplicated;

static const gchar *const known_params[] = { "service", "state-variable", NULL };

static void
last_reply_free (gpointer data)
{
  LastReply *l = data;

  g_bytes_unref (l->result);
  g_free (l);
}

static gboolean
un_issue_request (gpointer instance, SynodCall *call, const SynodBftRequest *request,
                  SynodBftResult *ret_result, GError **error)
{
  Unreplicated *self = instance;
  g_autoptr (GBytes) op = g_bytes_new (request->operation.val, request->operation.len);
  g_autoptr (GBytes) result = NULL;
  SynodStateVariableContext ctx = {
    .client = request->client,
    .number = request->number,
    .read_only = request->read_only,
  };
  LastReply *last;
  gsize len;

  g_mutex_lock (&self->lock);
  last = g_hash_table_lookup (self->last, &request->client);
  if (last != NULL && !request->read_only && request->number <= last->number)
    {
      if (request->number < last->number)
        {
          g_mutex_unlock (&self->lock);
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BUSY,
                       _ ("Request %" PRIu64 " of client %" PRIu64 " is older than its last one"),
                       request->number, request->client);
          return FALSE;
        }
      result = g_bytes_ref (last->result);
    }
  else
    {
      /* Time never runs backwards for the state variable; the seed is
       * fresh randomness (nobody needs to agree on it here). */
      self->timestamp = MAX (self->timestamp + 1, (guint64)g_get_real_time ());
      ctx.timestamp = self->timestamp;
      ctx.seq = request->read_only ? 0 : ++self->executed;
      for (guint i = 0; i < sizeof ctx.seed; i += 4)
        {
          guint32 r = g_random_int ();

          memcpy (ctx.seed + i, &r, 4);
        }
      result = synod_state_variable_execute (self->state, &ctx, op);
      if (!request->read_only)
        {
          if (last == NULL)
            {
              guint64 *key = g_memdup2 (&request->client, sizeof (guint64));

              if (g_hash_table_size (self->last) >= MAX_CLIENTS)
                {
                  guint64 *old = g_queue_pop_head (&self->order);

                  g_hash_table_remove (self->last, old);
                  g_free (old);
                }
              last = g_new0 (LastReply, 1);
              g_hash_table_insert (self->last, key, last);
              g_queue_push_tail (&self->order, g_memdup2 (key, sizeof (guint64)));
            }
          else
            g_bytes_unref (last->result);
          last->number = request->number;
          last->result = g_bytes_ref (result);
        }
    }
  g_mutex_unlock (&self->lock);

  len = g_bytes_get_size (result);
  ret_result->value.len = len;
  ret_result->value.val = g_memdup2 (g_bytes_get_data (result, NULL), len);
  ret_result->proof.client = request->client;
  ret_result->proof.number = request->number;
  ret_result->proof.read_only = request->read_only;
  return TRUE;
}

static gboolean
un_deliver (gpointer instance, SynodCall *call, guint32 envelope_len, const guint8 *envelope_val,
            GError **error)
{
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_FAILED,
               _ ("An unreplicated service takes no PBFT messages"));
  return FALSE;
}

static gboolean
un_deliver_many (gpointer instance, SynodCall *call, guint32 envelopes_len,
                 const SynodBftEnvelope *envelopes_val, GError **error)
{
  return un_deliver (instance, call, 0, NULL, error);
}

static gboolean
un_describe (gpointer instance, SynodCall *call, SynodBftServiceInfo *ret_result, GError **error)
{
  Unreplicated *self = instance;

  ret_result->name = g_strdup (self->service);
  ret_result->n = 1;
  return TRUE;
}

static gboolean
un_status (gpointer instance, SynodCall *call, SynodBftCoordinatorStatus *ret_result,
           GError **error)
{
  Unreplicated *self = instance;

  g_mutex_lock (&self->lock);
  ret_result->service = g_strdup (self->service);
  ret_result->completed = self->executed;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static const SynodBftCoordinatorIface unreplicated_vtable = {
  .issue_request = un_issue_request,
  .deliver = un_deliver,
  .describe = un_describe,
  .status = un_status,
  .deliver_many = un_deliver_many,
};

static void
un_free_members (Unreplicated *self)
{
  g_clear_object (&self->state);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->last, g_hash_table_unref);
  g_queue_clear_full (&self->order, g_free);
  g_mutex_clear (&self->lock);
}

static gboolean
un_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
           GError **error)
{
  Unreplicated *self = instance;
  g_autofree gchar *sv_name = NULL;

  g_mutex_init (&self->lock);
  g_queue_init (&self->order);
  self->last = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, last_reply_free);
  if (!bft_params_check (params, SYNOD_BFT_UNREPLICATED_CLASS, known_params, error)
      || !bft_param_string (params, "service", TRUE, &self->service, error)
      || !bft_param_string (params, "state-variable", FALSE, &sv_name, error)
      || (self->state = synod_bft_state_variable_new (sv_name ? sv_name : "Synod.KeyValue", error))
             == NULL)
    {
      g_prefix_error (error, "%s: ", SYNOD_BFT_UNREPLICATED_CLASS);
      un_free_members (self);
      return FALSE;
    }
  return TRUE;
}

static void
un_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  un_free_members (instance);
}

gboolean
bft_unreplicated_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new (SYNOD_BFT_UNREPLICATED_CLASS, SYNOD_BFT_CLASS_VERSION,
                         sizeof (Unreplicated), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &synod_bft_coordinator_interface, &unreplicated_vtable);
  synod_class_set_hooks (klass, un_create, un_delete, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
