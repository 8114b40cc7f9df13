/* synod-batch.c — see synod-batch-private.h. */
#include "config.h"

#include "synod-batch-private.h"

typedef struct
{
  GSource source;
  GMutex lock;
  GQueue queue;          /* Item* */
  GMainContext *context; /* not owned: the source is attached to it */
} BatchSource;

typedef struct
{
  SynodBatchFunc func;
  SynodBatchFunc drop;
  gpointer data;
} Item;

static GMutex sources_lock;
static GHashTable *sources; /* GMainContext* -> BatchSource* */

static gboolean
batch_prepare (GSource *source, gint *timeout)
{
  BatchSource *bs = (BatchSource *)source;
  gboolean ready;

  *timeout = -1;
  g_mutex_lock (&bs->lock);
  ready = bs->queue.length > 0;
  g_mutex_unlock (&bs->lock);
  return ready;
}

static gboolean
batch_check (GSource *source)
{
  gint timeout;

  return batch_prepare (source, &timeout);
}

static gboolean
batch_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  BatchSource *bs = (BatchSource *)source;
  GQueue batch = G_QUEUE_INIT;
  Item *item;

  g_mutex_lock (&bs->lock);
  batch = bs->queue;
  g_queue_init (&bs->queue);
  g_mutex_unlock (&bs->lock);
  while ((item = g_queue_pop_head (&batch)) != NULL)
    {
      item->func (item->data);
      g_free (item);
    }
  return G_SOURCE_CONTINUE;
}

static void
batch_finalize (GSource *source)
{
  BatchSource *bs = (BatchSource *)source;
  Item *item;

  g_mutex_lock (&sources_lock);
  if (sources && g_hash_table_lookup (sources, bs->context) == bs)
    g_hash_table_remove (sources, bs->context);
  g_mutex_unlock (&sources_lock);
  /* The context is going away with work still queued: nothing can run it
   * there any more; let its owner drop it. */
  while ((item = g_queue_pop_head (&bs->queue)) != NULL)
    {
      if (item->drop)
        item->drop (item->data);
      g_free (item);
    }
  g_mutex_clear (&bs->lock);
}

static GSourceFuncs batch_funcs = {
  batch_prepare, batch_check, batch_dispatch, batch_finalize, NULL, NULL,
};

/* Returns (a reference to) the batch source of @context. */
static BatchSource *
source_for (GMainContext *context)
{
  BatchSource *bs;

  g_mutex_lock (&sources_lock);
  if (sources == NULL)
    sources = g_hash_table_new (g_direct_hash, g_direct_equal);
  bs = g_hash_table_lookup (sources, context);
  if (bs == NULL)
    {
      bs = (BatchSource *)g_source_new (&batch_funcs, sizeof *bs);
      g_mutex_init (&bs->lock);
      g_queue_init (&bs->queue);
      bs->context = context;
      g_source_set_name ((GSource *)bs, "synod completions");
      g_source_set_priority ((GSource *)bs, G_PRIORITY_DEFAULT);
      g_hash_table_insert (sources, context, bs);
      g_source_attach ((GSource *)bs, context);
      g_source_unref ((GSource *)bs); /* the context holds it */
    }
  g_source_ref ((GSource *)bs);
  g_mutex_unlock (&sources_lock);
  return bs;
}

/**
 * _synod_batch_call:
 * @context: (nullable): where @func must run (NULL: the global default)
 * @func: what to run there
 * @drop: (nullable): run instead, from any thread, if the context goes away
 *   first
 * @data: for @func or @drop
 *
 * Runs @func(@data) in @context, with the other calls queued there
 * meanwhile, at the cost of one wake-up of the context per batch.
 */
void
_synod_batch_call (GMainContext *context, SynodBatchFunc func, SynodBatchFunc drop, gpointer data)
{
  BatchSource *bs;
  Item *item = g_new (Item, 1);
  gboolean was_empty;

  if (context == NULL)
    context = g_main_context_default ();
  bs = source_for (context);
  item->func = func;
  item->drop = drop;
  item->data = data;
  g_mutex_lock (&bs->lock);
  was_empty = bs->queue.length == 0;
  g_queue_push_tail (&bs->queue, item);
  g_mutex_unlock (&bs->lock);
  if (was_empty)
    g_main_context_wakeup (context);
  g_source_unref ((GSource *)bs);
}
