/* broker-scheduler-private.h — the worker pool that runs invocations.
 *
 * Objects with queued work and concurrent invocations wait on one run queue;
 * a small pool of worker threads (one per core) takes them off. A worker
 * that blocks in a synchronous send tells the scheduler, which then lets
 * another thread run in its place, so the number of threads doing work stays
 * at the number of cores however deep chains of synchronous calls go (up to
 * a limit on threads).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SynodSchedNode SynodSchedNode;
typedef struct _SynodScheduler SynodScheduler;

typedef enum
{
  SYNOD_SCHED_NODE_OBJECT = 1,
  SYNOD_SCHED_NODE_INVOCATION = 2,
} SynodSchedNodeKind;

struct _SynodSchedNode
{
  SynodSchedNode *next;
  SynodSchedNodeKind kind;
};

typedef void (*SynodSchedRunFunc) (SynodSchedNode *node, gpointer user_data);

SynodScheduler *_synod_scheduler_new (guint n_running, guint max_threads, SynodSchedRunFunc run,
                                      gpointer user_data);
void _synod_scheduler_free (SynodScheduler *sched);
void _synod_scheduler_push (SynodScheduler *sched, SynodSchedNode *node);
void _synod_scheduler_push_full (SynodScheduler *sched, SynodSchedNode *node, gboolean urgent);
gboolean _synod_scheduler_block_begin (SynodScheduler *sched, GError **error);
void _synod_scheduler_block_end (SynodScheduler *sched);
gboolean _synod_scheduler_in_worker (SynodScheduler *sched);
void _synod_scheduler_set_max_threads (SynodScheduler *sched, guint max_threads);
guint _synod_scheduler_get_max_threads (SynodScheduler *sched);
void _synod_scheduler_get_stats (SynodScheduler *sched, guint *ret_threads, guint *ret_blocked,
                                 guint *ret_peak_threads);

G_END_DECLS
