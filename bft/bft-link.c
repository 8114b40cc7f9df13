/* bft-link.c — a sender thread per destination (see bft-link.h). */
#include "config.h"

#include "bft-link.h"

/* What one link may hold before it drops new messages. */
#define LINK_MAX_MESSAGES 8192
#define LINK_MAX_BYTES (64 << 20)
/* After a failed send, messages to that peer are dropped for a while
 * (doubling up to the maximum): a peer that is down must not cost a
 * name resolution per message. */
#define BACKOFF_MIN_US (50 * 1000)
/* What one deliverMany carries at most (the transport's records are 16 MiB). */
#define LINK_BATCH_MESSAGES SYNOD_BFT_MAX_ENVELOPES
#define LINK_BATCH_BYTES (4 << 20)
#define BACKOFF_MAX_US (2 * G_USEC_PER_SEC)

typedef struct
{
  GBytes *data;
  gint64 due; /* monotonic */
} Item;

struct _BftLink
{
  SynodRef *target;
  gchar *name;
  BftLinkSendFunc send;
  BftLinkSendManyFunc send_many;
  gint64 delay_us;
  GThread *thread;
  GMutex lock;
  GCond cond;
  GQueue queue; /* Item * */
  gsize bytes;
  gboolean stop;
  guint64 dropped;
  guint64 sent;
};

static void
item_free (gpointer data)
{
  Item *item = data;

  g_bytes_unref (item->data);
  g_free (item);
}

/* Sends @items (Item *) in one invocation, or one by one's worth of
 * invocations when there is only one. */
static gboolean
send_items (BftLink *link, GPtrArray *items, GError **error)
{
  g_autofree SynodBftEnvelope *envs = NULL;

  if (items->len == 1)
    {
      Item *item = items->pdata[0];

      return link->send (link->target, g_bytes_get_size (item->data),
                         g_bytes_get_data (item->data, NULL), error);
    }
  envs = g_new (SynodBftEnvelope, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      gsize len;
      Item *item = items->pdata[i];

      envs[i].val = (guint8 *)g_bytes_get_data (item->data, &len);
      envs[i].len = len;
    }
  return link->send_many (link->target, items->len, envs, error);
}

static gpointer
link_thread (gpointer data)
{
  BftLink *link = data;
  gint64 backoff = 0, quiet_until = 0;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (item_free);

  g_mutex_lock (&link->lock);
  for (;;)
    {
      Item *item;
      gboolean ok;
      g_autoptr (GError) error = NULL;
      gsize bytes = 0;
      gint64 now;

      while (!link->stop && g_queue_is_empty (&link->queue))
        g_cond_wait (&link->cond, &link->lock);
      if (link->stop)
        break;
      item = g_queue_peek_head (&link->queue);
      /* A slow replica holds every message back; the order stays. */
      if (g_get_monotonic_time () < item->due)
        {
          g_cond_wait_until (&link->cond, &link->lock, item->due);
          continue;
        }
      /* Everything due that is queued goes in one invocation. */
      now = g_get_monotonic_time ();
      while ((item = g_queue_peek_head (&link->queue)) != NULL && item->due <= now
             && items->len < LINK_BATCH_MESSAGES
             && (items->len == 0 || bytes + g_bytes_get_size (item->data) <= LINK_BATCH_BYTES))
        {
          g_queue_pop_head (&link->queue);
          bytes += g_bytes_get_size (item->data);
          link->bytes -= g_bytes_get_size (item->data);
          g_ptr_array_add (items, item);
        }
      if (now < quiet_until)
        {
          link->dropped += items->len;
          g_ptr_array_set_size (items, 0);
          continue;
        }
      g_mutex_unlock (&link->lock);
      ok = send_items (link, items, &error);
      if (ok)
        backoff = 0;
      else
        {
          backoff = CLAMP (backoff * 2, BACKOFF_MIN_US, BACKOFF_MAX_US);
          quiet_until = g_get_monotonic_time () + backoff;
          g_debug ("%s: %s (quiet for %" G_GINT64_FORMAT " ms)", link->name, error->message,
                   backoff / 1000);
        }
      g_mutex_lock (&link->lock);
      if (ok)
        link->sent += items->len;
      else
        link->dropped += items->len;
      g_ptr_array_set_size (items, 0);
    }
  g_mutex_unlock (&link->lock);
  return NULL;
}

/**
 * bft_link_new:
 * @broker: the sender's broker
 * @name: the service name of the receiving object
 * @send: the oneway stub to send one envelope with
 * @send_many: the oneway stub to send several with
 * @delay_ms: hold every message back this long (a slow replica), or 0
 *
 * Returns: (transfer full): a link with its thread running
 */
BftLink *
bft_link_new (SynodBroker *broker, const gchar *name, BftLinkSendFunc send,
              BftLinkSendManyFunc send_many, guint delay_ms)
{
  BftLink *link = g_new0 (BftLink, 1);
  link->target = synod_ref_new_for_name (broker, name);
  link->name = g_strdup (name);
  link->send = send;
  link->send_many = send_many;
  link->delay_us = (gint64)delay_ms * 1000;
  g_mutex_init (&link->lock);
  g_cond_init (&link->cond);
  g_queue_init (&link->queue);
  link->thread = g_thread_new ("bft-link", link_thread, link);
  return link;
}

/* Queues @data (transfer none) for sending; drops it when the link is full. */
void
bft_link_send (BftLink *link, GBytes *data)
{
  gsize len = g_bytes_get_size (data);

  g_mutex_lock (&link->lock);
  if (g_queue_get_length (&link->queue) >= LINK_MAX_MESSAGES || link->bytes + len > LINK_MAX_BYTES)
    link->dropped++;
  else
    {
      Item *item = g_new (Item, 1);

      item->data = g_bytes_ref (data);
      item->due = link->delay_us ? g_get_monotonic_time () + link->delay_us : 0;
      g_queue_push_tail (&link->queue, item);
      link->bytes += len;
      if (g_queue_get_length (&link->queue) == 1)
        g_cond_signal (&link->cond);
    }
  g_mutex_unlock (&link->lock);
}

guint64
bft_link_get_dropped (BftLink *link)
{
  guint64 n;

  g_mutex_lock (&link->lock);
  n = link->dropped;
  g_mutex_unlock (&link->lock);
  return n;
}

guint64
bft_link_get_sent (BftLink *link)
{
  guint64 n;

  g_mutex_lock (&link->lock);
  n = link->sent;
  g_mutex_unlock (&link->lock);
  return n;
}

/* Stops the thread (after the send in progress, if any) and drops what is
 * still queued. */
void
bft_link_free (BftLink *link)
{
  if (link == NULL)
    return;
  g_mutex_lock (&link->lock);
  link->stop = TRUE;
  g_cond_signal (&link->cond);
  g_mutex_unlock (&link->lock);
  g_thread_join (link->thread);
  g_queue_clear_full (&link->queue, item_free);
  synod_ref_unref (link->target);
  g_mutex_clear (&link->lock);
  g_cond_clear (&link->cond);
  g_free (link->name);
  g_free (link);
}
