/* synod-group.c — group sends: one request to every provider of a name.
 *
 * The providers are listed once (local ones, then remote ones), and one
 * queued invocation is made per provider from the same arguments; each
 * completion fills its slot of the reply array and the last one completes
 * the group. Completions arrive on worker threads; the async form hands the
 * array to the caller's main context through GTask, the sync form wakes the
 * waiting thread.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "broker-private.h"
#include "synod-codec.h"
#include "synod-error.h"
#include "synod-group.h"
#include "synod-object-id.h"

/**
 * synod_group_reply_free:
 * @reply: (transfer full): a reply
 */
void
synod_group_reply_free (SynodGroupReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_error (&reply->error);
  if (reply->result)
    {
      synod_value_clear (reply->result_type, reply->result);
      g_free (reply->result);
    }
  g_free (reply);
}

typedef struct
{
  gint pending;
  GPtrArray *replies;
  GTask *task;         /* async form */
  SynodWaiter *waiter; /* sync form */
  gboolean finished;
} GroupState;

typedef struct
{
  GroupState *state;
  SynodGroupReply *reply;
} GroupSlot;

static void
group_complete (GroupState *st)
{
  if (st->task)
    {
      g_task_return_pointer (st->task, st->replies, (GDestroyNotify)g_ptr_array_unref);
      g_object_unref (st->task);
      g_free (st);
    }
  else
    {
      g_mutex_lock (&st->waiter->lock);
      st->finished = TRUE;
      g_cond_broadcast (&st->waiter->cond);
      g_mutex_unlock (&st->waiter->lock);
    }
}

static void
slot_done (SynodInvocation *inv, gpointer user_data)
{
  GroupSlot *slot = user_data;
  GroupState *st = slot->state;

  if (inv->success)
    {
      gsize size = inv->call.method->result->c_size;

      slot->reply->result = g_malloc0 (MAX (size, 1));
      memcpy (slot->reply->result, inv->ret, size);
      inv->ret_valid = FALSE;
    }
  else
    slot->reply->error = g_steal_pointer (&inv->error);
  _synod_invocation_free (inv);
  g_free (slot);
  if (g_atomic_int_dec_and_test (&st->pending))
    group_complete (st);
}

/* Starts one invocation per provider. Returns FALSE (and completes
 * nothing) only when the providers cannot be listed. */
static gboolean
group_start (SynodBroker *broker, const gchar *service_name, const SynodMethodDesc *method,
             gconstpointer args, GCancellable *cancellable, GroupState *st, GError **error)
{
  g_autoptr (GArray) providers = synod_broker_list_providers (broker, service_name, error);

  if (providers == NULL)
    return FALSE;
  if (providers->len > SYNOD_GROUP_MAX_PROVIDERS)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("Service “%s” has %u providers; a group send reaches at most %u"),
                   service_name, providers->len, SYNOD_GROUP_MAX_PROVIDERS);
      return FALSE;
    }
  st->replies = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_group_reply_free);
  /* One extra count keeps the group open until every send is made. */
  st->pending = (gint)providers->len + 1;
  for (guint i = 0; i < providers->len; i++)
    {
      SynodProvider *p = &g_array_index (providers, SynodProvider, i);
      SynodGroupReply *reply = g_new0 (SynodGroupReply, 1);
      SynodResolved target = { 0 };
      SynodInvocation *inv = NULL;
      GError *local_error = NULL;

      reply->provider = *p;
      reply->result_type = method->result;
      g_ptr_array_add (st->replies, reply);

      if (p->peer == broker->peer_id)
        {
          target.object = _synod_broker_lookup_local (broker, &p->id);
          target.kind = target.object ? SYNOD_RESOLVED_LOCAL : SYNOD_RESOLVED_NONE;
        }
      else
        {
          target.kind = SYNOD_RESOLVED_REMOTE;
          target.peer = p->peer;
          target.id = p->id;
        }
      if (target.kind == SYNOD_RESOLVED_NONE)
        {
          gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

          synod_object_id_format (&p->id, idbuf);
          local_error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                                     _ ("Provider %s went away"), idbuf);
        }
      else
        inv = _synod_invocation_new (broker, &target, method, args, SYNOD_INVOCATION_QUEUED,
                                     &local_error);
      if (inv != NULL)
        {
          GroupSlot *slot = g_new0 (GroupSlot, 1);

          slot->state = st;
          slot->reply = reply;
          inv->done = slot_done;
          inv->done_data = slot;
          if (cancellable)
            inv->cancellable = g_object_ref (cancellable);
          if (target.kind == SYNOD_RESOLVED_REMOTE)
            inv->args = (gpointer)args; /* encoded at once, not kept */
          if (!_synod_invocation_send (inv, &target, &local_error))
            {
              g_free (slot);
              if (target.kind == SYNOD_RESOLVED_REMOTE)
                inv->args = NULL;
              _synod_invocation_free (inv);
              inv = NULL;
            }
        }
      _synod_resolved_clear (&target);
      if (inv == NULL)
        {
          reply->error = local_error;
          g_atomic_int_add (&st->pending, -1);
        }
    }
  return TRUE;
}

static const guint8 no_args[16];

/**
 * synod_invoke_group_async:
 * @broker: the sending broker
 * @service_name: a service name
 * @method: the method
 * @args: (nullable): the argument struct (transfer none: copied)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the caller's thread-default main context once
 *   every provider has answered
 * @user_data: for @callback
 *
 * Sends one identical invocation to every provider of @service_name.
 */
void
synod_invoke_group_async (SynodBroker *broker, const gchar *service_name,
                          const SynodMethodDesc *method, gconstpointer args,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GroupState *st = g_new0 (GroupState, 1);
  GError *error = NULL;

  g_return_if_fail (broker != NULL && service_name != NULL && method != NULL);
  g_return_if_fail (args != NULL || method->args->n_fields == 0);
  st->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (st->task, synod_invoke_group_async);
  if (!group_start (broker, service_name, method, args ? args : (gconstpointer)no_args, cancellable,
                    st, &error))
    {
      g_task_return_error (st->task, error);
      g_object_unref (st->task);
      g_free (st);
      return;
    }
  if (g_atomic_int_dec_and_test (&st->pending))
    group_complete (st);
}

/**
 * synod_invoke_group_finish:
 * @broker: the broker given to synod_invoke_group_async()
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type SynodGroupReply): one reply per
 *   provider, in the order of synod_broker_list_providers(); %NULL only
 *   when the providers could not be listed
 */
GPtrArray *
synod_invoke_group_finish (SynodBroker *broker, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * synod_invoke_group_sync:
 * @broker: the sending broker
 * @service_name: a service name
 * @method: the method
 * @args: (nullable): the argument struct (transfer none)
 * @error: return location for an error
 *
 * Sends one identical invocation to every provider of @service_name and
 * waits for every reply. Like synod_invoke_sync(), a calling method is
 * suspended while it waits.
 *
 * Returns: (transfer full) (element-type SynodGroupReply): one reply per
 *   provider; %NULL only when the providers could not be listed
 */
GPtrArray *
synod_invoke_group_sync (SynodBroker *broker, const gchar *service_name,
                         const SynodMethodDesc *method, gconstpointer args, GError **error)
{
  static __thread SynodWaiter waiter;
  GroupState st = { 0 };
  SynodInvocation *suspended;
  gboolean counted;

  g_return_val_if_fail (broker != NULL && service_name != NULL && method != NULL, NULL);
  g_return_val_if_fail (args != NULL || method->args->n_fields == 0, NULL);
  st.waiter = &waiter;
  counted = _synod_scheduler_block_begin (broker->scheduler, error);
  if (!counted)
    return NULL;
  suspended = _synod_suspend_current ();
  if (!group_start (broker, service_name, method, args ? args : (gconstpointer)no_args, NULL, &st,
                    error))
    {
      _synod_scheduler_block_end (broker->scheduler);
      _synod_resume (suspended);
      return NULL;
    }
  if (g_atomic_int_dec_and_test (&st.pending))
    st.finished = TRUE;
  g_mutex_lock (&waiter.lock);
  while (!st.finished)
    g_cond_wait (&waiter.cond, &waiter.lock);
  g_mutex_unlock (&waiter.lock);
  _synod_scheduler_block_end (broker->scheduler);
  _synod_resume (suspended);
  return st.replies;
}
