/* bft-loop.c — a state machine's own thread (see bft-loop.h). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bft-loop.h"
#include "synod-bft-error.h"

struct _BftLoop
{
  gchar *name;
  GThread *thread;
  GMainContext *context;
  GMainLoop *main_loop;
  BftLoopMessagesFunc on_messages;
  gpointer owner;
  GMutex lock;
  GQueue inbound; /* GBytes * */
  gsize inbound_bytes;
  gboolean wake_pending;
  guint64 dropped;
};

static gpointer
loop_thread (gpointer data)
{
  BftLoop *loop = data;

  g_main_context_push_thread_default (loop->context);
  g_main_loop_run (loop->main_loop);
  g_main_context_pop_thread_default (loop->context);
  return NULL;
}

/**
 * bft_loop_new:
 * @name: the thread's name
 * @on_messages: what to do with what arrived
 * @owner: passed to @on_messages
 *
 * Returns: (transfer full): a loop; its thread starts with bft_loop_start()
 */
BftLoop *
bft_loop_new (const gchar *name, BftLoopMessagesFunc on_messages, gpointer owner)
{
  BftLoop *loop = g_new0 (BftLoop, 1);

  loop->name = g_strdup (name);
  loop->context = g_main_context_new ();
  loop->main_loop = g_main_loop_new (loop->context, FALSE);
  loop->on_messages = on_messages;
  loop->owner = owner;
  g_mutex_init (&loop->lock);
  g_queue_init (&loop->inbound);
  return loop;
}

/* Starts the thread; @first runs on it before anything else. */
void
bft_loop_start (BftLoop *loop, GSourceFunc first, gpointer first_data)
{
  if (first)
    bft_loop_invoke (loop, first, first_data, NULL);
  loop->thread = g_thread_new (loop->name, loop_thread, loop);
}

GMainContext *
bft_loop_get_context (BftLoop *loop)
{
  return loop->context;
}

static gboolean
deliver_inbound (gpointer data)
{
  BftLoop *loop = data;
  GQueue batch = G_QUEUE_INIT;

  g_mutex_lock (&loop->lock);
  batch = loop->inbound;
  g_queue_init (&loop->inbound);
  loop->inbound_bytes = 0;
  loop->wake_pending = FALSE;
  g_mutex_unlock (&loop->lock);
  loop->on_messages (loop->owner, &batch);
  g_queue_clear_full (&batch, (GDestroyNotify)g_bytes_unref);
  return G_SOURCE_REMOVE;
}

/**
 * bft_loop_push_many:
 * @n: how many messages
 * @data: (array length=n): the messages (copied)
 * @len: (array length=n): their lengths
 *
 * From any thread: queues messages for the loop's thread and wakes it
 * (one wake-up for however many messages arrive meanwhile).
 *
 * Returns: how many were queued; the others were dropped (the queue is
 *   full)
 */
guint
bft_loop_push_many (BftLoop *loop, guint n, const guint8 *const *data, const gsize *len)
{
  gboolean wake = FALSE;
  guint queued = 0;

  g_mutex_lock (&loop->lock);
  for (guint i = 0; i < n; i++)
    {
      if (g_queue_get_length (&loop->inbound) >= BFT_LOOP_MAX_MESSAGES
          || loop->inbound_bytes + len[i] > BFT_LOOP_MAX_BYTES)
        {
          loop->dropped++;
          continue;
        }
      g_queue_push_tail (&loop->inbound, g_bytes_new (data[i], len[i]));
      loop->inbound_bytes += len[i];
      queued++;
    }
  if (queued > 0 && !loop->wake_pending)
    loop->wake_pending = wake = TRUE;
  g_mutex_unlock (&loop->lock);
  if (wake)
    bft_loop_invoke (loop, deliver_inbound, loop, NULL);
  return queued;
}

/**
 * bft_loop_deliver:
 * @max_size: the largest message the state machine takes
 *
 * What a `deliver` method does: queues one envelope (see
 * bft_loop_push_many()), or refuses it when it is over @max_size.
 *
 * Returns: %FALSE with %SYNOD_BFT_ERROR_LIMIT for an oversized envelope
 *   (one dropped because the queue is full is no error: PBFT retransmits)
 */
gboolean
bft_loop_deliver (BftLoop *loop, gsize max_size, guint32 len, const guint8 *data, GError **error)
{
  gsize size = len;

  if (size > max_size)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                   _ ("A PBFT message of %u bytes is over the service's limit"), len);
      return FALSE;
    }
  bft_loop_push_many (loop, 1, &data, &size);
  return TRUE;
}

/**
 * bft_loop_deliver_many:
 *
 * What a `deliverMany` method does: queues the envelopes that are not over
 * @max_size, in order, and drops the others.
 */
void
bft_loop_deliver_many (BftLoop *loop, gsize max_size, guint32 n, const SynodBftEnvelope *envelopes)
{
  g_autofree const guint8 **data = g_new (const guint8 *, MAX (n, 1));
  g_autofree gsize *len = g_new (gsize, MAX (n, 1));
  guint kept = 0;

  for (guint i = 0; i < n; i++)
    if (envelopes[i].len <= max_size)
      {
        data[kept] = envelopes[i].val;
        len[kept++] = envelopes[i].len;
      }
  bft_loop_push_many (loop, kept, data, len);
}

guint64
bft_loop_get_dropped (BftLoop *loop)
{
  guint64 n;

  g_mutex_lock (&loop->lock);
  n = loop->dropped;
  g_mutex_unlock (&loop->lock);
  return n;
}

/* Runs @func once on the loop's thread, soon. */
void
bft_loop_invoke (BftLoop *loop, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, loop->context);
  g_source_unref (source);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gint refs;
  gboolean done;
  GSourceFunc func;
  gpointer data;
} Call;

static void
call_unref (gpointer data)
{
  Call *call = data;

  if (!g_atomic_int_dec_and_test (&call->refs))
    return;
  g_rc_box_release (call->data);
  g_mutex_clear (&call->lock);
  g_cond_clear (&call->cond);
  g_free (call);
}

static gboolean
run_call (gpointer data)
{
  Call *call = data;

  call->func (call->data);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

/**
 * bft_loop_call:
 * @func: runs once on the loop's thread with @data
 * @data: allocated with g_rc_box_new(): the call holds a reference until
 *   @func ran (or never will)
 * @timeout_us: how long to wait for it
 *
 * From a method (any thread but the loop's): runs @func on the loop's
 * thread and waits for it, letting the broker's worker pool know.
 *
 * Returns: %FALSE with %SYNOD_BFT_ERROR_FAILED when it did not run in
 *   time (it may still run later)
 */
gboolean
bft_loop_call (BftLoop *loop, GSourceFunc func, gpointer data, gint64 timeout_us, GError **error)
{
  Call *call = g_new0 (Call, 1);
  SynodCallWait wait;
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean done;

  g_mutex_init (&call->lock);
  g_cond_init (&call->cond);
  call->refs = 2;
  call->func = func;
  call->data = g_rc_box_acquire (data);
  if (!synod_call_wait_begin (&wait, error))
    {
      call_unref (call);
      call_unref (call);
      return FALSE;
    }
  bft_loop_invoke (loop, run_call, call, call_unref);
  g_mutex_lock (&call->lock);
  while (!call->done)
    if (!g_cond_wait_until (&call->cond, &call->lock, deadline))
      break;
  done = call->done;
  g_mutex_unlock (&call->lock);
  synod_call_wait_end (&wait);
  call_unref (call);
  if (!done)
    g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_FAILED,
                 _ ("The %s thread did not answer in time"), loop->name);
  return done;
}

/* Stops the thread (after what it is doing) and frees the loop; messages
 * not yet processed are dropped. */
void
bft_loop_free (BftLoop *loop)
{
  if (loop == NULL)
    return;
  if (loop->thread)
    {
      g_main_loop_quit (loop->main_loop);
      g_main_context_wakeup (loop->context);
      g_thread_join (loop->thread);
    }
  g_queue_clear_full (&loop->inbound, (GDestroyNotify)g_bytes_unref);
  g_main_loop_unref (loop->main_loop);
  g_main_context_unref (loop->context);
  g_mutex_clear (&loop->lock);
  g_free (loop->name);
  g_free (loop);
}
