/* broker-scheduler.c — the worker pool under every broker.
 *
 * One run queue (an intrusive list: pushing allocates nothing) and worker
 * threads created on demand up to the number of cores. Waking a sleeping
 * thread costs a system call, so a push signals only when a worker sleeps
 * and no earlier signal is still on its way. A worker about to block in a
 * synchronous send calls _synod_scheduler_block_begin(): it no longer counts
 * as running, and if work is waiting another thread is woken or created in
 * its place. Threads above the running target leave when they find no work,
 * so the pool shrinks back once the blocked ones return.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "broker-scheduler-private.h"
#include "synod-error.h"

struct _SynodScheduler
{
  GMutex lock;
  GCond work_cond;
  GCond exit_cond;
  SynodSchedNode *head, *tail;
  guint n_items;
  guint n_running; /* the target: threads doing work at once */
  guint max_threads;
  guint n_threads;
  guint n_idle;
  guint n_wake; /* signals sent, not yet taken by a waking worker */
  guint n_blocked;
  guint peak_threads;
  gboolean shutdown;
  GPtrArray *threads; /* GThread *, live */
  GPtrArray *exited;  /* GThread *, finished, to be joined */
  SynodSchedRunFunc run;
  gpointer user_data;
};

/* Most nodes a worker takes off the queue in one go. */
#define SCHED_BATCH 16

static __thread SynodScheduler *tls_sched;
/* The rest of the batch this worker took: given back to the queue if the
 * worker blocks, since what it waits for may be among them. */
static __thread SynodSchedNode *tls_batch;

static gpointer worker_main (gpointer data);

/* Called with the lock held. */
static void
reap_exited_locked (SynodScheduler *sched)
{
  while (sched->exited->len > 0)
    {
      GThread *t = g_ptr_array_steal_index_fast (sched->exited, sched->exited->len - 1);

      /* The thread has dropped the lock for good and only returns now. */
      g_mutex_unlock (&sched->lock);
      g_thread_join (t);
      g_mutex_lock (&sched->lock);
    }
}

/* Called with the lock held. */
static void
spawn_locked (SynodScheduler *sched)
{
  g_autoptr (GError) error = NULL;
  GThread *t;

  sched->n_threads++;
  if (sched->n_threads > sched->peak_threads)
    sched->peak_threads = sched->n_threads;
  t = g_thread_try_new ("synod-worker", worker_main, sched, &error);
  if (t == NULL)
    {
      sched->n_threads--;
      g_debug ("could not start a worker thread: %s", error->message);
      return;
    }
  g_ptr_array_add (sched->threads, t);
}

static gpointer
worker_main (gpointer data)
{
  SynodScheduler *sched = data;

  tls_sched = sched;
  g_mutex_lock (&sched->lock);
  for (;;)
    {
      SynodSchedNode *node = sched->head;

      if (node != NULL)
        {
          /* Take a share of the queue at once (one lock round trip for
           * several nodes), leaving the rest to the other workers. */
          guint take = CLAMP (sched->n_items / (sched->n_running + 1), 1, SCHED_BATCH);
          SynodSchedNode *last = node;

          for (guint i = 1; i < take && last->next; i++)
            last = last->next;
          sched->head = last->next;
          if (sched->head == NULL)
            sched->tail = NULL;
          last->next = NULL;
          for (SynodSchedNode *n = node; n; n = n->next)
            sched->n_items--;
          g_mutex_unlock (&sched->lock);
          while (node)
            {
              tls_batch = node->next;
              node->next = NULL;
              sched->run (node, sched->user_data);
              node = tls_batch;
            }
          g_mutex_lock (&sched->lock);
          continue;
        }
      if (sched->shutdown)
        break;
      /* Surplus threads (started while others were blocked) leave. */
      if (sched->n_threads - sched->n_blocked > sched->n_running)
        break;
      sched->n_idle++;
      g_cond_wait (&sched->work_cond, &sched->lock);
      sched->n_idle--;
      if (sched->n_wake > 0)
        sched->n_wake--;
    }
  sched->n_threads--;
  g_ptr_array_remove_fast (sched->threads, g_thread_self ());
  g_ptr_array_add (sched->exited, g_thread_self ());
  g_cond_broadcast (&sched->exit_cond);
  g_mutex_unlock (&sched->lock);
  tls_sched = NULL;
  return NULL;
}

/**
 * _synod_scheduler_new:
 * @n_running: how many threads should do work at once (the core count)
 * @max_threads: the most threads, blocked ones included
 * @run: runs one node taken off the queue
 * @user_data: for @run
 *
 * Returns: (transfer full): a scheduler; threads start on the first push
 */
SynodScheduler *
_synod_scheduler_new (guint n_running, guint max_threads, SynodSchedRunFunc run, gpointer user_data)
{
  SynodScheduler *sched = g_new0 (SynodScheduler, 1);

  g_mutex_init (&sched->lock);
  g_cond_init (&sched->work_cond);
  g_cond_init (&sched->exit_cond);
  sched->n_running = MAX (n_running, 1);
  sched->max_threads = MAX (max_threads, sched->n_running + 1);
  sched->threads = g_ptr_array_new ();
  sched->exited = g_ptr_array_new ();
  sched->run = run;
  sched->user_data = user_data;
  return sched;
}

/**
 * _synod_scheduler_free:
 * @sched: a scheduler
 *
 * Runs what is still queued, then stops and joins every thread. Must not be
 * called from one of the scheduler's own workers.
 */
void
_synod_scheduler_free (SynodScheduler *sched)
{
  if (sched == NULL)
    return;
  g_return_if_fail (tls_sched != sched);
  g_mutex_lock (&sched->lock);
  sched->shutdown = TRUE;
  g_cond_broadcast (&sched->work_cond);
  while (sched->n_threads > 0)
    g_cond_wait (&sched->exit_cond, &sched->lock);
  reap_exited_locked (sched);
  g_mutex_unlock (&sched->lock);
  g_ptr_array_unref (sched->threads);
  g_ptr_array_unref (sched->exited);
  g_cond_clear (&sched->work_cond);
  g_cond_clear (&sched->exit_cond);
  g_mutex_clear (&sched->lock);
  g_free (sched);
}

/**
 * _synod_scheduler_push:
 * @sched: a scheduler
 * @node: an object or invocation to run, not on any queue
 *
 * Appends @node to the run queue and makes sure a thread will take it.
 */
void
_synod_scheduler_push (SynodScheduler *sched, SynodSchedNode *node)
{
  _synod_scheduler_push_full (sched, node, FALSE);
}

/**
 * _synod_scheduler_push_full:
 * @sched: a scheduler
 * @node: an object or invocation to run, not on any queue
 * @urgent: put @node first: a thread is blocked waiting for it
 *
 * Like _synod_scheduler_push(). Urgent nodes go to the head of the queue:
 * a synchronous sender waits for them, and if it is a worker, every node
 * ahead of its target could be another method about to block the same way,
 * each costing a thread.
 */
void
_synod_scheduler_push_full (SynodScheduler *sched, SynodSchedNode *node, gboolean urgent)
{
  node->next = NULL;
  g_mutex_lock (&sched->lock);
  if (urgent)
    {
      node->next = sched->head;
      sched->head = node;
      if (sched->tail == NULL)
        sched->tail = node;
    }
  else
    {
      if (sched->tail != NULL)
        sched->tail->next = node;
      else
        sched->head = node;
      sched->tail = node;
    }
  sched->n_items++;

  if (sched->n_idle > sched->n_wake)
    {
      sched->n_wake++;
      g_cond_signal (&sched->work_cond);
    }
  else if (sched->n_threads - sched->n_blocked - sched->n_idle < sched->n_running
           && sched->n_threads < sched->max_threads)
    {
      if (sched->exited->len > 0)
        reap_exited_locked (sched);
      spawn_locked (sched);
    }
  g_mutex_unlock (&sched->lock);
}

/**
 * _synod_scheduler_in_worker:
 * @sched: a scheduler
 *
 * Returns: whether the calling thread is one of @sched's workers
 */
gboolean
_synod_scheduler_in_worker (SynodScheduler *sched)
{
  return tls_sched == sched;
}

/**
 * _synod_scheduler_block_begin:
 * @sched: a scheduler
 * @error: return location for a SYNOD_ORB_ERROR_LIMIT error
 *
 * Says that the calling thread is about to wait (for a reply, or for its
 * object). From a worker, another thread takes over its share of the work.
 * Pair with _synod_scheduler_block_end() when this returns %TRUE.
 *
 * Returns: %FALSE when every thread the scheduler may have would be
 *   blocked: waiting would risk a deadlock, so the send fails instead
 */
gboolean
_synod_scheduler_block_begin (SynodScheduler *sched, GError **error)
{
  if (tls_sched != sched)
    return TRUE;
  g_mutex_lock (&sched->lock);
  if (sched->n_blocked + 1 >= sched->max_threads)
    {
      guint max = sched->max_threads;

      g_mutex_unlock (&sched->lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("Too many workers blocked in synchronous sends (limit %u threads)"), max);
      return FALSE;
    }
  sched->n_blocked++;
  if (tls_batch != NULL)
    {
      SynodSchedNode *last = tls_batch;
      guint n = 1;

      while (last->next)
        last = last->next, n++;
      last->next = sched->head;
      if (sched->head == NULL)
        sched->tail = last;
      sched->head = tls_batch;
      sched->n_items += n;
      tls_batch = NULL;
    }
  if (sched->head != NULL)
    {
      if (sched->n_idle > sched->n_wake)
        {
          sched->n_wake++;
          g_cond_signal (&sched->work_cond);
        }
      else if (sched->n_threads < sched->max_threads)
        {
          if (sched->exited->len > 0)
            reap_exited_locked (sched);
          spawn_locked (sched);
        }
    }
  g_mutex_unlock (&sched->lock);
  return TRUE;
}

/**
 * _synod_scheduler_block_end:
 * @sched: a scheduler
 *
 * The calling thread runs again (after a %TRUE _synod_scheduler_block_begin()).
 */
void
_synod_scheduler_block_end (SynodScheduler *sched)
{
  if (tls_sched != sched)
    return;
  g_mutex_lock (&sched->lock);
  sched->n_blocked--;
  g_mutex_unlock (&sched->lock);
}

void
_synod_scheduler_set_max_threads (SynodScheduler *sched, guint max_threads)
{
  g_mutex_lock (&sched->lock);
  sched->max_threads = MAX (max_threads, sched->n_running + 1);
  g_mutex_unlock (&sched->lock);
}

guint
_synod_scheduler_get_max_threads (SynodScheduler *sched)
{
  guint max;

  g_mutex_lock (&sched->lock);
  max = sched->max_threads;
  g_mutex_unlock (&sched->lock);
  return max;
}

void
_synod_scheduler_get_stats (SynodScheduler *sched, guint *ret_threads, guint *ret_blocked,
                            guint *ret_peak_threads)
{
  g_mutex_lock (&sched->lock);
  if (ret_threads)
    *ret_threads = sched->n_threads;
  if (ret_blocked)
    *ret_blocked = sched->n_blocked;
  if (ret_peak_threads)
    *ret_peak_threads = sched->peak_threads;
  g_mutex_unlock (&sched->lock);
}
