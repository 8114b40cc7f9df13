/* synod-batch-private.h — running functions in a main context, in batches.
 *
 * Work finished on another thread (a reply read by the transport) must be
 * reported in its caller's main context. A GTask returned from another
 * thread, or an idle source, costs that context one wake-up each (and a
 * round on its lock); under pipelined load the transport finishes many
 * calls per read, so they go through one queue per context, drained by one
 * source: one wake-up per batch.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*SynodBatchFunc) (gpointer data);

void _synod_batch_call (GMainContext *context, SynodBatchFunc func, SynodBatchFunc drop,
                        gpointer data);

G_END_DECLS
