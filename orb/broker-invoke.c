/* broker-invoke.c — sending: synchronous, async and oneway invocations,
 * suspension of methods blocked in synchronous sends, and the remote seam.
 *
 * Every invocation is a SynodInvocation record. Async and oneway records
 * live on the heap with a copy of the arguments (one allocation holds the
 * record, the argument copy and the result); synchronous ones live on the
 * sender's stack and borrow the sender's arguments and result storage.
 *
 * A synchronous send to an idle local object runs the method on the
 * sender's own thread (no queue, no thread switch); otherwise the record
 * joins the object's mailbox and the sender waits. Either way, a sender
 * that is itself a method holding its object's slot first releases it (its
 * object may serve other invocations meanwhile: the method is suspended),
 * and takes it back before it resumes. That is what makes two objects
 * calling each other synchronously work instead of deadlocking.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "broker-private.h"
#include "synod-codec.h"
#include "synod-error.h"
#include "synod-invoke.h"
#include "synod-object-id.h"
#include "synod-batch-private.h"
#include "synod-remote.h"

static __thread SynodInvocation *tls_current;
static __thread SynodWaiter tls_waiter; /* zero-filled: a valid GMutex and GCond */

/* Argument structs of methods without parameters have size 0; generated
 * stubs may pass NULL for them, while the codec wants an address. */
static const guint8 empty_args[16];

#define ALIGN16(n) (((n) + 15) & ~(gsize)15)

SynodInvocation *
_synod_current_invocation (void)
{
  return tls_current;
}

/* ---------------------------------------------------------------------- */
/* SynodCall                                                               */

/**
 * synod_call_get_principal:
 * @call: the current call
 *
 * Returns: (transfer none): who invoked the method: the local principal
 *   for sends made in this process, the authenticated identity of the
 *   calling peer for remote ones
 */
const gchar *
synod_call_get_principal (SynodCall *call)
{
  return call->principal;
}

/**
 * synod_call_get_object:
 * @call: the current call
 *
 * Returns: (transfer none): the object whose method runs
 */
SynodObject *
synod_call_get_object (SynodCall *call)
{
  return call->object;
}

/**
 * synod_call_get_broker:
 * @call: the current call
 *
 * Returns: (transfer none): the broker running the call
 */
SynodBroker *
synod_call_get_broker (SynodCall *call)
{
  return call->broker;
}

/**
 * synod_call_get_interface:
 * @call: the current call
 *
 * Returns: (transfer none): the interface the caller invoked, which is not
 *   one the class implements when the object answers it by allomorphism
 */
const SynodInterfaceDesc *
synod_call_get_interface (SynodCall *call)
{
  return call->interface;
}

/**
 * synod_call_get_method:
 * @call: the current call
 *
 * Returns: (transfer none): the method the caller invoked
 */
const SynodMethodDesc *
synod_call_get_method (SynodCall *call)
{
  return call->method;
}

/**
 * synod_call_is_oneway:
 * @call: the current call
 *
 * Returns: whether the caller waits for no reply
 */
gboolean
synod_call_is_oneway (SynodCall *call)
{
  return call->oneway;
}

/**
 * synod_call_get_current:
 *
 * Returns: (transfer none) (nullable): the call of the method running on
 *   this thread, or %NULL outside methods
 */
SynodCall *
synod_call_get_current (void)
{
  return tls_current ? &tls_current->call : NULL;
}

/* ---------------------------------------------------------------------- */
/* Records                                                                 */

/* The local principal is never freed before its broker (see
 * synod_broker_set_local_principal()), so local sends borrow it: no
 * reference count shared between senders and workers. */
static GRefString *
current_principal (SynodBroker *broker)
{
  return g_atomic_pointer_get (&broker->local_principal);
}

/* ---------------------------------------------------------------------- */
/* Records: most fit in one small block, recycled through per-thread
 * magazines (records are made by senders and freed by workers, and
 * cross-thread malloc/free contends on the allocator's arena locks). The
 * sanitizer build uses plain malloc so that every misuse shows. */

#define RECORD_BLOCK 256
#define MAGAZINE 64
#define DEPOT_MAX 128 /* magazines kept in reserve, at most */

typedef struct _FreeBlock FreeBlock;
struct _FreeBlock
{
  FreeBlock *next;     /* within a magazine */
  FreeBlock *next_mag; /* between magazines in the depot */
};

#ifndef SYNOD_SANITIZERS
static __thread FreeBlock *tls_blocks;
static __thread guint tls_n_blocks;
static GMutex depot_lock;
static FreeBlock *depot;
static guint depot_len;

static void
flush_blocks (gpointer data)
{
  while (tls_blocks)
    {
      FreeBlock *b = tls_blocks;

      tls_blocks = b->next;
      g_free (b);
    }
  tls_n_blocks = 0;
}

static GPrivate blocks_owner = G_PRIVATE_INIT (flush_blocks);
#endif

static gpointer
record_alloc (gsize size)
{
#ifndef SYNOD_SANITIZERS
  if (size <= RECORD_BLOCK)
    {
      FreeBlock *b;

      if (tls_blocks == NULL)
        {
          g_mutex_lock (&depot_lock);
          if (depot)
            {
              tls_blocks = depot;
              depot = depot->next_mag;
              depot_len--;
              tls_n_blocks = MAGAZINE;
            }
          g_mutex_unlock (&depot_lock);
          if (tls_blocks)
            g_private_set (&blocks_owner, &tls_blocks);
        }
      b = tls_blocks;
      if (b)
        {
          tls_blocks = b->next;
          tls_n_blocks--;
          memset (b, 0, size);
          return b;
        }
      return g_malloc0 (RECORD_BLOCK);
    }
#endif
  return g_malloc0 (size);
}

static void
record_free (gpointer p, gsize size)
{
#ifndef SYNOD_SANITIZERS
  if (size <= RECORD_BLOCK)
    {
      FreeBlock *b = p;

      if (tls_blocks == NULL)
        g_private_set (&blocks_owner, &tls_blocks);
      b->next = tls_blocks;
      tls_blocks = b;
      if (++tls_n_blocks >= 2 * MAGAZINE)
        {
          /* Hand one magazine to the depot; keep the rest. */
          FreeBlock *mag = tls_blocks, *last = tls_blocks;

          for (guint i = 1; i < MAGAZINE; i++)
            last = last->next;
          tls_blocks = last->next;
          last->next = NULL;
          tls_n_blocks -= MAGAZINE;
          g_mutex_lock (&depot_lock);
          if (depot_len < DEPOT_MAX)
            {
              mag->next_mag = depot;
              depot = mag;
              depot_len++;
              mag = NULL;
            }
          g_mutex_unlock (&depot_lock);
          while (mag)
            {
              FreeBlock *n = mag->next;

              g_free (mag);
              mag = n;
            }
        }
      return;
    }
#endif
  g_free (p);
}

static gboolean
is_concurrent (SynodObject *object, const SynodMethodDesc *impl)
{
  return (impl->flags & SYNOD_METHOD_CONCURRENT)
         || (impl->interface->flags & SYNOD_INTERFACE_CONCURRENT)
         || (object->klass->flags & SYNOD_CLASS_CONCURRENT);
}

/* Fills @call for @method on @object. */
static gboolean
prepare_call (SynodCall *call, SynodBroker *broker, SynodObject *object,
              const SynodMethodDesc *method, gboolean *ret_concurrent, GError **error)
{
  call->broker = broker;
  call->object = object;
  call->interface = method->interface;
  call->method = method;
  call->oneway = (method->flags & SYNOD_METHOD_ONEWAY) != 0;
  if (object == NULL)
    return TRUE;
  if (!_synod_class_bind_method (object->klass, method, &call->impl, &call->vtable, error))
    return FALSE;
  *ret_concurrent = is_concurrent (object, call->impl);
  return TRUE;
}

/**
 * _synod_invocation_new:
 * @broker: the sending broker
 * @target: where it goes (a local object or a remote peer)
 * @method: the method
 * @args: (nullable): the arguments, copied for a local target
 * @kind: QUEUED or ONEWAY
 * @error: %SYNOD_ORB_ERROR_NO_SUCH_INTERFACE or _NO_SUCH_METHOD
 *
 * Returns: (transfer full): a heap record, or %NULL
 */
SynodInvocation *
_synod_invocation_new (SynodBroker *broker, const SynodResolved *target,
                       const SynodMethodDesc *method, gconstpointer args, SynodInvocationKind kind,
                       GError **error)
{
  SynodObject *object = target->kind == SYNOD_RESOLVED_LOCAL ? target->object : NULL;
  gsize args_size = object ? method->args->c_size : 0;
  gsize off_args = ALIGN16 (sizeof (SynodInvocation));
  gsize off_ret = ALIGN16 (off_args + args_size);
  SynodInvocation *inv;
  SynodCall call = { 0 };
  gboolean concurrent = FALSE;

  if (!prepare_call (&call, broker, object, method, &concurrent, error))
    return NULL;
  inv = record_alloc (off_ret + method->result->c_size);
  inv->size = off_ret + method->result->c_size;
  inv->node.kind = SYNOD_SCHED_NODE_INVOCATION;
  inv->call = call;
  if (object)
    synod_object_ref (object);
  inv->call.principal = current_principal (broker);
  inv->call.oneway = kind == SYNOD_INVOCATION_ONEWAY || call.oneway;
  inv->kind = kind;
  inv->concurrent = concurrent;
  inv->args = (guint8 *)inv + off_args;
  inv->ret = (guint8 *)inv + off_ret;
  if (object && args_size > 0 && args != NULL)
    {
      synod_value_copy (method->args, args, inv->args);
      inv->args_owned = TRUE;
    }
  return inv;
}

/**
 * _synod_invocation_free:
 * @inv: a heap record
 */
void
_synod_invocation_free (SynodInvocation *inv)
{
  if (inv->ret_valid)
    synod_value_clear (inv->call.method->result, inv->ret);
  if (inv->args_owned)
    synod_value_clear (inv->call.method->args, inv->args);
  g_clear_error (&inv->error);
  g_clear_object (&inv->cancellable);
  if (inv->principal_owned)
    g_ref_string_release (inv->call.principal);
  if (inv->call.object)
    synod_object_unref (inv->call.object);
  record_free (inv, inv->size);
}

/**
 * _synod_invocation_finish:
 * @inv: a record whose outcome (success and ret, or error) is set
 *
 * Reports the outcome: wakes a synchronous sender, calls the completion
 * of a queued one (which takes the record over), or drops a oneway one.
 */
void
_synod_invocation_finish (SynodInvocation *inv)
{
  switch (inv->kind)
    {
      case SYNOD_INVOCATION_SYNC:
        {
          SynodWaiter *w = inv->waiter;

          g_mutex_lock (&w->lock);
          inv->finished = TRUE;
          g_cond_broadcast (&w->cond);
          g_mutex_unlock (&w->lock);
          /* @inv may be gone now (it lives on the sender's stack). */
        }
        break;
      case SYNOD_INVOCATION_QUEUED:
        inv->done (inv, inv->done_data);
        break;
      case SYNOD_INVOCATION_ONEWAY:
        if (inv->error)
          g_debug ("oneway %s.%s failed: %s", inv->call.interface->name, inv->call.method->name,
                   inv->error->message);
        _synod_invocation_free (inv);
        break;
    }
}

/**
 * _synod_invocation_fail:
 * @inv: a record that will not run
 * @error: (transfer full): why
 */
void
_synod_invocation_fail (SynodInvocation *inv, GError *error)
{
  inv->success = FALSE;
  g_clear_error (&inv->error);
  inv->error = error;
  _synod_invocation_finish (inv);
}

/* Runs the method of @inv on this thread. */
static void
run_method (SynodInvocation *inv)
{
  SynodInvocation *outer = tls_current;
  SynodObject *object = inv->call.object;
  gboolean ok;

  if (inv->cancellable && g_cancellable_set_error_if_cancelled (inv->cancellable, &inv->error))
    {
      inv->success = FALSE;
      return;
    }
  tls_current = inv;
  ok = inv->call.impl->invoke (inv->call.vtable, object->instance, &inv->call, inv->args, inv->ret,
                               &inv->error);
  tls_current = outer;
  inv->success = ok;
  if (ok)
    {
      g_clear_error (&inv->error); /* an implementation that set one anyway */
      inv->ret_valid = inv->kind != SYNOD_INVOCATION_SYNC;
    }
  else if (inv->error == NULL)
    g_set_error (&inv->error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_FAILED,
                 _ ("%s.%s failed without saying why"), inv->call.interface->name,
                 inv->call.method->name);
}

/* The concurrent invocation @inv has ended on @object. */
static void
concurrent_done (SynodObject *object)
{
  gboolean run_hook = FALSE;

  g_mutex_lock (&object->lock);
  object->n_concurrent--;
  if (object->deleted && object->n_concurrent == 0 && object->n_suspended == 0 && !object->held
      && object->created && !object->delete_hook_done)
    {
      object->delete_hook_done = TRUE;
      run_hook = TRUE;
    }
  g_mutex_unlock (&object->lock);
  if (run_hook)
    _synod_object_run_delete_hook (object);
}

static GError *
deleted_error (SynodObject *object, const SynodCall *call)
{
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  synod_object_id_format (&object->id, idbuf);
  return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_OBJECT_DELETED,
                      _ ("Object %s was deleted before %s.%s could run"), idbuf,
                      call->interface->name, call->method->name);
}

/**
 * _synod_invocation_execute:
 * @inv: a queued record taken off a mailbox (the caller holds the object's
 *   slot) or, for a concurrent one, off the run queue
 *
 * Runs it and reports the outcome.
 */
void
_synod_invocation_execute (SynodInvocation *inv)
{
  SynodObject *object = inv->call.object;

  if (inv->concurrent)
    {
      gboolean deleted;

      synod_object_ref (object);
      g_mutex_lock (&object->lock);
      object->n_queued--;
      deleted = object->deleted;
      g_mutex_unlock (&object->lock);
      if (deleted)
        _synod_invocation_fail (inv, deleted_error (object, &inv->call));
      else
        {
          run_method (inv);
          _synod_invocation_finish (inv);
        }
      concurrent_done (object);
      synod_object_unref (object);
      return;
    }
  inv->holds_slot = TRUE;
  run_method (inv);
  inv->holds_slot = FALSE;
  _synod_invocation_finish (inv);
}

/* ---------------------------------------------------------------------- */
/* Suspension                                                              */

/* If this thread runs a method that holds its object's slot, lets the slot
 * go. Returns the suspended invocation, for resume(). */
SynodInvocation *
_synod_suspend_current (void)
{
  SynodInvocation *cur = tls_current;
  SynodObject *object;
  gboolean run_hook = FALSE;

  if (cur == NULL || !cur->holds_slot)
    return NULL;
  object = cur->call.object;
  g_mutex_lock (&object->lock);
  object->n_suspended++;
  _synod_object_release_slot_locked (object, &run_hook);
  g_mutex_unlock (&object->lock);
  g_assert (!run_hook); /* a suspended method keeps the hook away */
  cur->holds_slot = FALSE;
  return cur;
}

/* Takes the slot back for a suspended method, waiting behind the method
 * that holds it now (resuming methods go before queued invocations). */
void
_synod_resume (SynodInvocation *cur)
{
  SynodObject *object;

  if (cur == NULL)
    return;
  object = cur->call.object;
  g_mutex_lock (&object->lock);
  if (!object->held && object->resumers_head == NULL)
    object->held = TRUE;
  else
    {
      SynodResumer r = { 0 };
      gboolean counted;

      g_cond_init (&r.cond);
      if (object->resumers_tail)
        object->resumers_tail->next = &r;
      else
        object->resumers_head = &r;
      object->resumers_tail = &r;
      counted = _synod_scheduler_block_begin (object->broker->scheduler, NULL);
      while (!r.granted)
        g_cond_wait (&r.cond, &object->lock);
      if (counted)
        _synod_scheduler_block_end (object->broker->scheduler);
      g_cond_clear (&r.cond);
    }
  object->n_suspended--;
  g_mutex_unlock (&object->lock);
  cur->holds_slot = TRUE;
}

/* ---------------------------------------------------------------------- */
/* Local sends                                                             */

static void
report_to_monitor (SynodObject *object, SynodInvocation *inv)
{
  SynodBroker *broker = object->broker;
  SynodInvocationInfo info = {
    .target = &object->id,
    .interface = inv->call.interface,
    .method = inv->call.method,
    .principal = inv->call.principal,
    .oneway = inv->kind == SYNOD_INVOCATION_ONEWAY,
  };

  /* The lock makes replacing the monitor wait for calls to the old one. */
  g_mutex_lock (&broker->monitor_lock);
  if (broker->monitor)
    broker->monitor (broker, &info, broker->monitor_data);
  g_mutex_unlock (&broker->monitor_lock);
}

static gboolean
admit_locked (SynodObject *object, SynodInvocation *inv, GError **error)
{
  guint limit;

  if (object->deleted)
    {
      g_propagate_error (error, deleted_error (object, &inv->call));
      return FALSE;
    }
  if (!_synod_object_check_access_locked (object, inv->call.principal, inv->call.interface,
                                          inv->call.method, error))
    return FALSE;
  if (G_UNLIKELY (g_atomic_pointer_get (&object->broker->monitor) != NULL) && !inv->monitored)
    {
      inv->monitored = TRUE;
      report_to_monitor (object, inv);
    }
  limit = (guint)g_atomic_int_get (&object->broker->queue_limit);
  if (object->n_queued >= limit)
    {
      gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

      synod_object_id_format (&object->id, idbuf);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_QUEUE_FULL,
                   _ ("Object %s already has %u invocations waiting (the limit)"), idbuf, limit);
      return FALSE;
    }
  return TRUE;
}

/* Queues @inv on its object (locked); the caller unlocks. */
static void
enqueue_locked (SynodObject *object, SynodInvocation *inv)
{
  object->n_queued++;
  inv->next = NULL;
  if (object->tail)
    object->tail->next = inv;
  else
    object->head = inv;
  object->tail = inv;
  if (!object->held)
    {
      object->held = TRUE;
      synod_object_ref (object);
      _synod_scheduler_push_full (object->broker->scheduler, &object->node,
                                  inv->kind == SYNOD_INVOCATION_SYNC);
    }
}

/* Hands a heap record to its local object. On failure @inv is untouched. */
static gboolean
submit_local (SynodInvocation *inv, GError **error)
{
  SynodObject *object = inv->call.object;

  g_mutex_lock (&object->lock);
  if (!admit_locked (object, inv, error))
    {
      g_mutex_unlock (&object->lock);
      return FALSE;
    }
  if (inv->concurrent)
    {
      object->n_queued++;
      object->n_concurrent++;
      g_mutex_unlock (&object->lock);
      _synod_scheduler_push (object->broker->scheduler, &inv->node);
      return TRUE;
    }
  enqueue_locked (object, inv);
  g_mutex_unlock (&object->lock);
  return TRUE;
}

/* Like submit_local(), but when @claim allows it and @inv could run at once
 * (its object idle with an empty mailbox, or a concurrent method), admits
 * it without queueing and takes the object's slot (or counts it as
 * concurrent): *ret_claimed is then TRUE, and the caller runs it with
 * run_claimed(). */
static gboolean
submit_local_or_claim (SynodInvocation *inv, gboolean claim, gboolean *ret_claimed, GError **error)
{
  SynodObject *object = inv->call.object;

  *ret_claimed = FALSE;
  if (!claim)
    return submit_local (inv, error);
  g_mutex_lock (&object->lock);
  if (!admit_locked (object, inv, error))
    {
      g_mutex_unlock (&object->lock);
      return FALSE;
    }
  if (inv->concurrent)
    {
      object->n_concurrent++;
      *ret_claimed = TRUE;
    }
  else if (!object->held && object->head == NULL && g_atomic_int_get (&object->broker->inline_sync))
    {
      object->held = TRUE;
      *ret_claimed = TRUE;
    }
  else
    enqueue_locked (object, inv);
  g_mutex_unlock (&object->lock);
  return TRUE;
}

/* Runs a record claimed by submit_local_or_claim() on this thread, reports
 * its outcome, and lets the object's slot go (to its next invocation). */
static void
run_claimed (SynodInvocation *inv)
{
  g_autoptr (SynodObject) object = synod_object_ref (inv->call.object);
  gboolean run_hook = FALSE;

  if (inv->concurrent)
    {
      run_method (inv);
      _synod_invocation_finish (inv);
      concurrent_done (object);
      return;
    }
  inv->holds_slot = TRUE;
  run_method (inv);
  inv->holds_slot = FALSE;
  _synod_invocation_finish (inv);
  g_mutex_lock (&object->lock);
  _synod_object_release_slot_locked (object, &run_hook);
  g_mutex_unlock (&object->lock);
  if (run_hook)
    _synod_object_run_delete_hook (object);
}

static void wait_finished (SynodInvocation *inv);

/* Runs a synchronous invocation (on the stack) on a local object. */
static gboolean
sync_local (SynodInvocation *inv, GError **error)
{
  SynodObject *object = inv->call.object;
  SynodBroker *broker = object->broker;
  gboolean run_hook = FALSE;

  g_mutex_lock (&object->lock);
  if (!admit_locked (object, inv, error))
    {
      g_mutex_unlock (&object->lock);
      return FALSE;
    }
  if (inv->concurrent)
    {
      object->n_concurrent++;
      g_mutex_unlock (&object->lock);
      run_method (inv);
      concurrent_done (object);
    }
  else if (!object->held && object->head == NULL && g_atomic_int_get (&broker->inline_sync))
    {
      object->held = TRUE;
      g_mutex_unlock (&object->lock);
      inv->holds_slot = TRUE;
      run_method (inv);
      inv->holds_slot = FALSE;
      g_mutex_lock (&object->lock);
      _synod_object_release_slot_locked (object, &run_hook);
      g_mutex_unlock (&object->lock);
      if (run_hook)
        _synod_object_run_delete_hook (object);
    }
  else
    {
      gboolean counted;

      g_mutex_unlock (&object->lock);
      /* Account for the wait before queueing: if it is refused, nothing
       * has been queued yet. */
      counted = _synod_scheduler_block_begin (broker->scheduler, error);
      if (!counted)
        return FALSE;
      g_mutex_lock (&object->lock);
      if (!admit_locked (object, inv, error))
        {
          g_mutex_unlock (&object->lock);
          _synod_scheduler_block_end (broker->scheduler);
          return FALSE;
        }
      inv->waiter = &tls_waiter;
      enqueue_locked (object, inv);
      g_mutex_unlock (&object->lock);
      wait_finished (inv);
      _synod_scheduler_block_end (broker->scheduler);
    }
  if (!inv->success)
    {
      g_propagate_error (error, g_steal_pointer (&inv->error));
      return FALSE;
    }
  return TRUE;
}

static void
wait_finished (SynodInvocation *inv)
{
  SynodWaiter *w = &tls_waiter;

  g_mutex_lock (&w->lock);
  while (!inv->finished)
    g_cond_wait (&w->cond, &w->lock);
  g_mutex_unlock (&w->lock);
}

/* ---------------------------------------------------------------------- */
/* Remote sends                                                            */

static void
remote_reply (GBytes *result, const GError *error, gpointer reply_data)
{
  SynodInvocation *inv = reply_data;
  const SynodTypeDesc *rtype = inv->call.method->result;

  if (error != NULL)
    {
      inv->success = FALSE;
      inv->error = g_error_copy (error);
    }
  else if (result == NULL)
    {
      inv->success = FALSE;
      inv->error
          = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                         _ ("The remote handler answered %s.%s with neither result nor error"),
                         inv->call.interface->name, inv->call.method->name);
    }
  else
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (result, &len);

      inv->success = synod_value_decode (rtype, data, len, inv->ret, &inv->error);
      inv->ret_valid = inv->success && inv->kind != SYNOD_INVOCATION_SYNC;
    }
  _synod_invocation_finish (inv);
}

/* Sends @inv to a remote peer; @reply NULL for oneway. */
static gboolean
send_remote (SynodBroker *broker, const SynodResolved *target, const SynodMethodDesc *method,
             gconstpointer args, GCancellable *cancellable, SynodInvocation *inv, GError **error)
{
  g_autoptr (SynodRemoteSlot) remote = _synod_broker_get_remote (broker);
  g_autoptr (GBytes) encoded = NULL;

  if (remote == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("The target is on another peer and no remote transport is installed"));
      return FALSE;
    }
  encoded = synod_value_encode (method->args, args ? args : (gconstpointer)empty_args, error);
  if (encoded == NULL)
    return FALSE;
  remote->handler->invoke (remote->data, target->peer, &target->id, method, encoded, cancellable,
                           inv ? remote_reply : NULL, inv);
  return TRUE;
}

/* Sends @inv (a synchronous record on the caller's stack) through the
 * handler's blocking path, when it has one: the transport then writes the
 * call and waits for the reply on this thread, with no hand-over to another.
 * Returns FALSE, touching nothing, when the handler has no such path;
 * otherwise TRUE with the outcome in @inv. */
static gboolean
send_remote_sync (SynodBroker *broker, const SynodResolved *target, const SynodMethodDesc *method,
                  gconstpointer args, SynodInvocation *inv)
{
  g_autoptr (SynodRemoteSlot) remote = _synod_broker_get_remote (broker);
  g_autoptr (GBytes) encoded = NULL;
  g_autoptr (GBytes) result = NULL;

  if (remote == NULL || remote->handler->invoke_sync == NULL)
    return FALSE;
  encoded = synod_value_encode (method->args, args ? args : (gconstpointer)empty_args, &inv->error);
  if (encoded != NULL
      && remote->handler->invoke_sync (remote->data, target->peer, &target->id, method, encoded,
                                       NULL, &result, &inv->error))
    {
      gsize len = 0;
      const guint8 *bytes = g_bytes_get_data (result, &len);

      inv->success = synod_value_decode (method->result, bytes, len, inv->ret, &inv->error);
    }
  else
    inv->success = FALSE;
  return TRUE;
}

/**
 * _synod_invocation_send:
 * @inv: a heap record (QUEUED or ONEWAY) made for @target
 * @target: where it goes
 * @error: why it could not be sent
 *
 * Sends @inv. On success the record belongs to the broker (it will be
 * finished); on failure it is still the caller's.
 */
gboolean
_synod_invocation_send (SynodInvocation *inv, const SynodResolved *target, GError **error)
{
  if (target->kind == SYNOD_RESOLVED_LOCAL)
    return submit_local (inv, error);
  if (inv->kind == SYNOD_INVOCATION_ONEWAY)
    {
      gboolean ok
          = send_remote (inv->call.broker, target, inv->call.method, inv->args, NULL, NULL, error);

      if (ok)
        _synod_invocation_free (inv);
      return ok;
    }
  return send_remote (inv->call.broker, target, inv->call.method, inv->args, inv->cancellable, inv,
                      error);
}

/* ---------------------------------------------------------------------- */
/* The public sends                                                        */

/**
 * synod_invoke_sync:
 * @target: what to invoke
 * @method: the method's descriptor
 * @args: (nullable): the method's argument struct (transfer none); %NULL
 *   for a method without parameters
 * @ret: (out caller-allocates) (nullable): storage of the method's result
 *   type, filled on success (transfer full); %NULL drops the result
 * @error: return location for an error
 *
 * Invokes @method on @target and waits for the outcome. When called from a
 * method, that method is suspended while it waits: its object may run its
 * next queued invocation, and the method resumes once the reply is in and
 * its object is free again.
 *
 * Returns: %TRUE on success, with @ret filled; %FALSE with @error set and
 *   @ret untouched
 */
gboolean
synod_invoke_sync (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                   gpointer ret, GError **error)
{
  SynodResolved resolved = { 0 };
  SynodBroker *broker;
  SynodInvocation inv = { 0 };
  SynodInvocation *suspended;
  gsize rsize;
  guint8 stack_ret[64];
  gpointer tmp = NULL;
  gboolean concurrent = FALSE;
  gboolean ok;

  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (args != NULL || method->args->n_fields == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  broker = synod_ref_get_broker (target);
  if (!_synod_ref_resolve (target, &resolved, error))
    return FALSE;

  rsize = method->result->c_size;
  if (ret == NULL && rsize > 0)
    {
      tmp = rsize <= sizeof stack_ret ? (gpointer)stack_ret : g_malloc (rsize);
      memset (tmp, 0, rsize);
    }

  inv.kind = SYNOD_INVOCATION_SYNC;
  inv.ret = ret ? ret : tmp;
  inv.args = (gpointer)(args ? args : (gconstpointer)empty_args);
  if (!prepare_call (&inv.call, broker,
                     resolved.kind == SYNOD_RESOLVED_LOCAL ? resolved.object : NULL, method,
                     &concurrent, error))
    {
      _synod_resolved_clear (&resolved);
      if (tmp != stack_ret)
        g_free (tmp);
      return FALSE;
    }
  inv.concurrent = concurrent;
  inv.call.principal = current_principal (broker);

  suspended = _synod_suspend_current ();
  if (resolved.kind == SYNOD_RESOLVED_LOCAL)
    ok = sync_local (&inv, error);
  else
    {
      ok = _synod_scheduler_block_begin (broker->scheduler, error);
      if (ok && send_remote_sync (broker, &resolved, method, args, &inv))
        _synod_scheduler_block_end (broker->scheduler);
      else if (ok)
        {
          inv.waiter = &tls_waiter;
          ok = send_remote (broker, &resolved, method, args, NULL, &inv, error);
          if (ok)
            wait_finished (&inv);
          _synod_scheduler_block_end (broker->scheduler);
        }
      if (ok && !inv.success)
        {
          g_propagate_error (error, g_steal_pointer (&inv.error));
          ok = FALSE;
        }
    }
  _synod_resume (suspended);

  if (ok && tmp != NULL)
    synod_value_clear (method->result, tmp);
  if (tmp != stack_ret)
    g_free (tmp);
  _synod_resolved_clear (&resolved);
  return ok;
}

static void
return_invocation (gpointer data)
{
  SynodInvocation *inv = data;
  GTask *task = inv->done_data;

  if (inv->success)
    g_task_return_pointer (task, inv, (GDestroyNotify)_synod_invocation_free);
  else
    {
      g_task_return_error (task, g_steal_pointer (&inv->error));
      _synod_invocation_free (inv);
    }
  g_object_unref (task);
}

static void
drop_invocation (gpointer data)
{
  SynodInvocation *inv = data;

  g_object_unref (inv->done_data);
  _synod_invocation_free (inv);
}

/* An async send is over. Completions from other threads (workers, the
 * transport) reach the caller's context in batches, one wake-up for many
 * (synod-batch-private.h). */
static void
task_done (SynodInvocation *inv, gpointer user_data)
{
  GTask *task = user_data;
  GMainContext *context = g_task_get_context (task);

  if (g_main_context_is_owner (context))
    return_invocation (inv);
  else
    _synod_batch_call (context, return_invocation, drop_invocation, inv);
}

/**
 * synod_invoke_async:
 * @target: what to invoke
 * @method: the method's descriptor
 * @args: (nullable): the argument struct (transfer none: copied before
 *   this returns)
 * @cancellable: (nullable): cancels the invocation if it has not started
 * @callback: called in the thread-default main context of the caller with
 *   the outcome
 * @user_data: for @callback
 *
 * Invokes @method on @target without waiting. Call synod_invoke_finish()
 * from @callback.
 */
void
synod_invoke_async (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SynodResolved resolved = { 0 };
  SynodInvocation *inv;
  GTask *task;

  g_return_if_fail (target != NULL && method != NULL);
  g_return_if_fail (args != NULL || method->args->n_fields == 0);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, synod_invoke_async);
  g_task_set_name (task, method->name);
  if (!_synod_ref_resolve (target, &resolved, &error))
    goto fail;
  inv = _synod_invocation_new (synod_ref_get_broker (target), &resolved, method,
                               args ? args : (gconstpointer)empty_args, SYNOD_INVOCATION_QUEUED,
                               &error);
  if (inv == NULL)
    goto fail;
  inv->done = task_done;
  inv->done_data = task;
  if (cancellable)
    inv->cancellable = g_object_ref (cancellable);
  if (resolved.kind == SYNOD_RESOLVED_REMOTE)
    {
      /* Remote records are encoded from the caller's arguments directly. */
      if (!_synod_broker_has_remote (inv->call.broker))
        {
          _synod_invocation_free (inv);
          g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                       _ ("The target is on another peer and no remote transport is installed"));
          goto fail;
        }
      if (!send_remote (inv->call.broker, &resolved, method, args, cancellable, inv, &error))
        {
          _synod_invocation_free (inv);
          goto fail;
        }
    }
  else if (!submit_local (inv, &error))
    {
      _synod_invocation_free (inv);
      goto fail;
    }
  _synod_resolved_clear (&resolved);
  return;

fail:
  _synod_resolved_clear (&resolved);
  g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);
}

/**
 * synod_invoke_finish:
 * @target: the target given to synod_invoke_async()
 * @result: the #GAsyncResult passed to the callback
 * @ret: (out caller-allocates) (nullable): storage of the method's result
 *   type, filled on success (transfer full); %NULL drops the result
 * @error: return location for an error
 *
 * Returns: %TRUE on success; %FALSE with @error set and @ret untouched
 */
gboolean
synod_invoke_finish (SynodRef *target, GAsyncResult *result, gpointer ret, GError **error)
{
  SynodInvocation *inv;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == synod_invoke_async, FALSE);

  inv = g_task_propagate_pointer (G_TASK (result), error);
  if (inv == NULL)
    return FALSE;
  if (ret != NULL && inv->ret_valid)
    {
      memcpy (ret, inv->ret, inv->call.method->result->c_size);
      inv->ret_valid = FALSE;
    }
  _synod_invocation_free (inv);
  return TRUE;
}

/**
 * synod_invoke_oneway:
 * @target: what to invoke
 * @method: the method's descriptor
 * @args: (nullable): the argument struct (transfer none: copied before
 *   this returns)
 * @error: return location for an error
 *
 * Sends @method to @target and returns at once; the result, if the method
 * has one, is dropped, and a failure of the method is only logged (at
 * debug level). Failures to send — no such object, access denied, a full
 * queue — are reported here.
 *
 * Returns: %TRUE when the invocation was queued
 */
gboolean
synod_invoke_oneway (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                     GError **error)
{
  SynodResolved resolved = { 0 };
  SynodInvocation *inv;
  gboolean ok;

  g_return_val_if_fail (target != NULL && method != NULL, FALSE);
  g_return_val_if_fail (args != NULL || method->args->n_fields == 0, FALSE);
  if (!_synod_ref_resolve (target, &resolved, error))
    return FALSE;
  if (resolved.kind == SYNOD_RESOLVED_REMOTE)
    {
      ok = send_remote (synod_ref_get_broker (target), &resolved, method, args, NULL, NULL, error);
      _synod_resolved_clear (&resolved);
      return ok;
    }
  inv = _synod_invocation_new (synod_ref_get_broker (target), &resolved, method,
                               args ? args : (gconstpointer)empty_args, SYNOD_INVOCATION_ONEWAY,
                               error);
  if (inv == NULL)
    ok = FALSE;
  else if (!(ok = submit_local (inv, error)))
    _synod_invocation_free (inv);
  _synod_resolved_clear (&resolved);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Calls arriving from other peers                                         */

typedef struct
{
  SynodDispatchReplyFunc reply;
  gpointer reply_data;
} DispatchState;

static void
dispatch_done (SynodInvocation *inv, gpointer user_data)
{
  DispatchState *st = user_data;

  st->reply (inv->call.method, inv->success ? inv->ret : NULL, inv->error, st->reply_data);
  g_free (st);
  _synod_invocation_free (inv);
}

/**
 * synod_broker_dispatch:
 * @broker: a broker
 * @target: the Id (or alias) of a local object
 * @method: the method to run
 * @args: (transfer full): the argument struct, allocated with
 *   synod_value_new() (the broker takes it over and frees it)
 * @principal: the authenticated identity of the caller, checked by the
 *   object's access control list
 * @reply: (nullable): reports the outcome, from a worker thread (also for
 *   oneway methods, so the transport can release what it holds; it sends
 *   nothing back for those)
 * @reply_data: for @reply
 *
 * Runs an invocation that arrived from another peer, exactly as a local
 * send would run, under the caller's principal.
 */
void
synod_broker_dispatch (SynodBroker *broker, const SynodObjectId *target,
                       const SynodMethodDesc *method, gpointer args, const gchar *principal,
                       SynodDispatchReplyFunc reply, gpointer reply_data)
{
  g_return_if_fail (broker != NULL && target != NULL && method != NULL && principal != NULL);
  _synod_broker_dispatch_claim (broker, target, method, args, principal, reply, reply_data, FALSE);
}

/**
 * _synod_broker_dispatch_claim:
 * @claim: whether the invocation may be handed back to run on the calling
 *   thread (which must then be free to block in it)
 *
 * synod_broker_dispatch(), for a transport whose reading thread can run
 * calls itself (after handing the reading on): when @claim is set and the
 * object could run the invocation at once, the invocation is admitted
 * (access control, monitor, slot) and returned instead of queued, and the
 * caller runs it with _synod_invocation_run_claimed(), which reports to
 * @reply. Otherwise it is queued (or fails, reported to @reply) and NULL is
 * returned. Either way the ordering of invocations per object holds: the
 * slot is taken here, in the order the calls arrive.
 *
 * Returns: (nullable): the claimed invocation
 */
SynodInvocation *
_synod_broker_dispatch_claim (SynodBroker *broker, const SynodObjectId *target,
                              const SynodMethodDesc *method, gpointer args, const gchar *principal,
                              SynodDispatchReplyFunc reply, gpointer reply_data, gboolean claim)
{
  g_autoptr (GError) error = NULL;
  SynodResolved resolved = { 0 };
  SynodInvocation *inv = NULL;
  gboolean claimed = FALSE;

  resolved.object = _synod_broker_lookup_local (broker, target);
  if (resolved.object == NULL)
    {
      gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

      synod_object_id_format (target, idbuf);
      g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("No object %s on this peer"), idbuf);
    }
  else
    {
      resolved.kind = SYNOD_RESOLVED_LOCAL;
      /* The record takes over the arguments' contents; only the shell is
       * freed here. */
      inv = _synod_invocation_new (broker, &resolved, method, NULL, SYNOD_INVOCATION_QUEUED,
                                   &error);
    }
  if (inv != NULL)
    {
      DispatchState *st = g_new0 (DispatchState, 1);

      if (method->args->c_size > 0 && args != NULL)
        {
          memcpy (inv->args, args, method->args->c_size);
          inv->args_owned = TRUE;
        }
      inv->call.principal = g_ref_string_new (principal);
      inv->principal_owned = TRUE;
      if (reply != NULL)
        {
          st->reply = reply;
          st->reply_data = reply_data;
          inv->done = dispatch_done;
          inv->done_data = st;
        }
      else
        {
          inv->kind = SYNOD_INVOCATION_ONEWAY;
          g_clear_pointer (&st, g_free);
        }
      if (!submit_local_or_claim (inv, claim, &claimed, &error))
        {
          g_free (st);
          _synod_invocation_free (inv);
          inv = NULL;
        }
    }
  g_free (args);
  _synod_resolved_clear (&resolved);
  if (inv == NULL && reply != NULL)
    reply (method, NULL, error, reply_data);
  return claimed ? inv : NULL;
}

/**
 * _synod_invocation_run_claimed:
 * @inv: an invocation _synod_broker_dispatch_claim() returned
 *
 * Runs it on this thread and reports its outcome.
 */
void
_synod_invocation_run_claimed (SynodInvocation *inv)
{
  run_claimed (inv);
}
