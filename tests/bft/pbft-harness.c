/* pbft-harness.c — see pbft-harness.h. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pbft-harness.h"

static const guint8 secret[] = "synod test cluster";

HarnessFilter harness_default_filter;

static void
hmsg_free (gpointer data)
{
  HMsg *m = data;

  g_bytes_unref (m->data);
  g_free (m);
}

static void
output_free (gpointer data)
{
  synod_pbft_output_clear (data);
  g_free (data);
}

static void
enqueue (Harness *h, guint from, guint to, GBytes *data)
{
  HMsg *m = g_new0 (HMsg, 1);
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];

  m->from = from;
  m->to = to;
  m->data = g_bytes_ref (data);
  if (pbft_open (g_bytes_get_data (data, NULL), g_bytes_get_size (data), G_MAXSIZE, &env, digest,
                 NULL))
    m->type = env.message.body.type;
  g_queue_push_tail (&h->queue, m);
}

static void
route (Harness *h, guint from, guint32 to, GBytes *data)
{
  if (to == SYNOD_PBFT_TO_REPLICAS)
    {
      for (guint r = 0; r < h->n; r++)
        if (r != from)
          enqueue (h, from, r, data);
    }
  else if (to < h->n + h->n_clients)
    enqueue (h, from, to, data);
}

static void
drain_replica (Harness *h, guint id)
{
  SynodPbftOutput o;

  if (h->replicas[id] == NULL)
    return;
  while (synod_pbft_replica_pop_output (h->replicas[id], &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            route (h, id, o.to, o.data);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            h->timers[id][o.timer] = o.deadline;
            break;
          case SYNOD_PBFT_OUTPUT_EXECUTED:
            h->executed[id]++;
            h->last_exec_seq[id] = o.seq;
            break;
          case SYNOD_PBFT_OUTPUT_COMMITTED:
            h->batches[id]++;
            break;
          default:
            break;
        }
      synod_pbft_output_clear (&o);
    }
}

static void
drain_client (Harness *h, guint c)
{
  SynodPbftOutput o;
  guint node = h->n + c;

  while (synod_pbft_client_pop_output (h->clients[c], &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            route (h, node, o.to, o.data);
            synod_pbft_output_clear (&o);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            h->client_timers[c] = o.deadline;
            synod_pbft_output_clear (&o);
            break;
          case SYNOD_PBFT_OUTPUT_DONE:
          case SYNOD_PBFT_OUTPUT_FAILED:
            g_ptr_array_add (h->done, g_memdup2 (&o, sizeof o));
            break;
          default:
            synod_pbft_output_clear (&o);
            break;
        }
    }
}

guint
harness_client_node (Harness *h, guint client)
{
  return h->n + client;
}

static Harness *
harness_create (guint f, guint n_clients, void (*tweak) (SynodPbftConfig *config), gboolean lmdb,
                const gchar *dir)
{
  Harness *h = g_new0 (Harness, 1);
  guint nodes;

  h->f = f;
  h->n = 3 * f + 1;
  h->n_clients = n_clients;
  nodes = h->n + n_clients;
  g_assert_cmpuint (nodes, <=, HARNESS_MAX_NODES);
  h->now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  synod_pbft_config_init (&h->config, 42, f);
  h->config.checkpoint_interval = 4;
  h->config.window = 8;
  h->config.view_change_timeout = 100 * 1000;
  h->config.status_interval = 50 * 1000;
  h->config.client_timeout = 80 * 1000;
  h->config.client_read_only_timeout = 40 * 1000;
  if (tweak)
    tweak (&h->config);
  h->done = g_ptr_array_new_with_free_func (output_free);
  h->filter = harness_default_filter;
  if (dir != NULL)
    {
      h->lmdb_dir = g_strdup (dir);
      h->keep_dir = TRUE;
    }
  else if (lmdb)
    h->lmdb_dir = g_dir_make_tmp ("synod-pbft-test-XXXXXX", NULL);
  for (guint i = 0; i < nodes; i++)
    h->keys[i] = synod_pbft_keyring_new_derived (secret, sizeof secret, i, nodes, NULL);
  for (guint i = 0; i < n_clients; i++)
    h->clients[i] = synod_pbft_client_new (&h->config, h->keys[h->n + i], NULL);
  for (guint i = 0; i < h->n; i++)
    harness_boot (h, i);
  return h;
}

Harness *
harness_new (guint f, guint n_clients, void (*tweak) (SynodPbftConfig *config))
{
  return harness_create (f, n_clients, tweak, FALSE, NULL);
}

Harness *
harness_new_lmdb (guint f, guint n_clients, void (*tweak) (SynodPbftConfig *config))
{
  return harness_create (f, n_clients, tweak, TRUE, NULL);
}

/* Removes @path: a file, a link, or a directory with all it holds (links
 * inside are removed, not followed). For the tests' temporary stores. */
void
harness_remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = NULL;
  const gchar *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      harness_remove_tree (child);
    }
  g_rmdir (path);
}

Harness *
harness_new_lmdb_at (const gchar *dir, guint f, guint n_clients,
                     void (*tweak) (SynodPbftConfig *config))
{
  return harness_create (f, n_clients, tweak, TRUE, dir);
}

void
harness_free (Harness *h)
{
  if (h == NULL)
    return;
  for (guint i = 0; i < h->n; i++)
    {
      g_clear_pointer (&h->replicas[i], synod_pbft_replica_free);
      g_clear_pointer (&h->stores[i], synod_pbft_store_unref);
      g_clear_object (&h->states[i]);
    }
  for (guint i = 0; i < h->n + h->n_clients; i++)
    synod_pbft_keyring_unref (h->keys[i]);
  for (guint i = 0; i < h->n_clients; i++)
    synod_pbft_client_free (h->clients[i]);
  g_queue_clear_full (&h->queue, hmsg_free);
  g_ptr_array_unref (h->done);
  if (h->lmdb_dir && !h->keep_dir)
    harness_remove_tree (h->lmdb_dir);
  g_free (h->lmdb_dir);
  g_free (h);
}

void
harness_boot (Harness *h, guint id)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (h->replicas[id]);
  g_clear_object (&h->states[id]);
  h->states[id] = SYNOD_STATE_VARIABLE (synod_key_value_new ());
  if (h->stores[id] == NULL)
    {
      if (h->lmdb_dir)
        {
          g_autofree gchar *path = g_strdup_printf ("%s/r%u", h->lmdb_dir, id);
          gboolean reset = FALSE;

          h->stores[id]
              = synod_pbft_store_open_lmdb_or_reset (path, 16 << 20, FALSE, &reset, &error);
          g_assert_no_error (error);
          h->store_resets += reset;
        }
      else
        h->stores[id] = synod_pbft_store_new_memory ();
    }
  h->replicas[id]
      = synod_pbft_replica_new (&h->config, h->keys[id], h->states[id], h->stores[id], &error);
  g_assert_no_error (error);
  memset (h->timers[id], 0, sizeof h->timers[id]);
  h->down[id] = FALSE;
  drain_replica (h, id);
  synod_pbft_replica_start (h->replicas[id], h->now + h->clock_offset[id]);
  drain_replica (h, id);
}

void
harness_crash (Harness *h, guint id)
{
  g_clear_pointer (&h->replicas[id], synod_pbft_replica_free);
  if (h->lmdb_dir)
    g_clear_pointer (&h->stores[id], synod_pbft_store_unref);
  memset (h->timers[id], 0, sizeof h->timers[id]);
  h->down[id] = TRUE;
}

void
harness_pump (Harness *h)
{
  HMsg *m;
  guint budget = 2000000;

  while ((m = g_queue_pop_head (&h->queue)) != NULL && budget-- > 0)
    {
      if (h->filter == NULL || h->filter (h, m, h->filter_data))
        {
          if (m->to < h->n)
            {
              if (h->replicas[m->to] != NULL)
                {
                  synod_pbft_replica_receive (h->replicas[m->to], h->now + h->clock_offset[m->to],
                                              g_bytes_get_data (m->data, NULL),
                                              g_bytes_get_size (m->data));
                  drain_replica (h, m->to);
                }
            }
          else
            {
              guint c = m->to - h->n;

              synod_pbft_client_receive (h->clients[c], h->now, g_bytes_get_data (m->data, NULL),
                                         g_bytes_get_size (m->data));
              drain_client (h, c);
            }
        }
      hmsg_free (m);
    }
  g_assert_cmpuint (budget, >, 0);
}

void
harness_inject (Harness *h, guint to, GBytes *data)
{
  enqueue (h, G_MAXUINT, to, data);
}

/* Moves time forward by @delta, firing due timers in deadline order. */
void
harness_advance (Harness *h, gint64 delta)
{
  gint64 end = h->now + delta;

  harness_pump (h);
  for (;;)
    {
      gint64 next = end + 1;
      gint which = -1, timer = -1;

      for (guint i = 0; i < h->n; i++)
        for (guint t = 0; t < SYNOD_PBFT_N_TIMERS; t++)
          if (h->replicas[i] && h->timers[i][t] != 0 && h->timers[i][t] - h->clock_offset[i] < next)
            {
              next = h->timers[i][t] - h->clock_offset[i];
              which = i;
              timer = t;
            }
      for (guint c = 0; c < h->n_clients; c++)
        if (h->client_timers[c] != 0 && h->client_timers[c] < next)
          {
            next = h->client_timers[c];
            which = h->n + c;
            timer = -1;
          }
      if (which < 0)
        break;
      h->now = MAX (h->now, next);
      if ((guint)which < h->n)
        {
          h->timers[which][timer] = 0;
          synod_pbft_replica_timer_expired (h->replicas[which], h->now + h->clock_offset[which],
                                            timer);
          drain_replica (h, which);
        }
      else
        {
          guint c = which - h->n;

          h->client_timers[c] = 0;
          synod_pbft_client_timer_expired (h->clients[c], h->now);
          drain_client (h, c);
        }
      harness_pump (h);
    }
  h->now = end;
}

gboolean
harness_run_until_done (Harness *h, guint n_done, gint64 max_time)
{
  gint64 end = h->now + max_time;

  harness_pump (h);
  while (h->done->len < n_done && h->now < end)
    harness_advance (h, 5 * 1000);
  return h->done->len >= n_done;
}

void
harness_submit (Harness *h, guint client, guint64 client_id, guint64 number, GBytes *op,
                gboolean read_only)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (synod_pbft_client_submit (h->clients[client], h->now, client_id, number, op,
                                           read_only, &error));
  g_assert_no_error (error);
  drain_client (h, client);
}

SynodPbftOutput *
harness_find_done (Harness *h, guint64 client_id, guint64 number)
{
  for (guint i = 0; i < h->done->len; i++)
    {
      SynodPbftOutput *o = g_ptr_array_index (h->done, i);

      if (o->client == client_id && o->number == number)
        return o;
    }
  return NULL;
}
