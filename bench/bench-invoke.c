/* bench-invoke — local invocations through the broker, side by side with a
 * bare GThreadPool doing the same trivial work and with GDBus peer-to-peer
 * calls in one process.
 *
 * Every "work item" is the same trivial thing: add an int to a counter.
 *   oneway, one object / many objects: a sender thread makes N sends, the
 *     clock stops when the last one has run;
 *   sync round trip, one object / many objects: N sends one after another,
 *     each waiting for its reply (inline runs allowed, then forced through
 *     the worker pool);
 *   GThreadPool: the same N items pushed (heap record, push, run, free) and,
 *     for the round trip, push one item and wait for it to signal back;
 *   GDBus: a method call over a socketpair connection to a server thread,
 *     sync round trips and no-reply sends.
 * Usage: bench-invoke [N_ONEWAY]
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include <synod.h>

#include "broker-test.h"

#define N_OBJECTS 1000

static gint remaining; /* items still to run in the current measure */
static GMutex done_lock;
static GCond done_cond;
static gboolean all_done;

static void
item_ran (void)
{
  if (g_atomic_int_dec_and_test (&remaining))
    {
      g_mutex_lock (&done_lock);
      all_done = TRUE;
      g_cond_signal (&done_cond);
      g_mutex_unlock (&done_lock);
    }
}

static void
expect_items (gint n)
{
  all_done = FALSE;
  g_atomic_int_set (&remaining, n);
}

static void
wait_items (void)
{
  g_mutex_lock (&done_lock);
  while (!all_done)
    g_cond_wait (&done_cond, &done_lock);
  g_mutex_unlock (&done_lock);
}

static gdouble
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* ---- the Synod object ---- */

typedef struct
{
  gint total;
} Acc;

static gboolean
acc_add (gpointer self, SynodCall *call, gint32 delta, gint32 *ret_result, GError **error)
{
  Acc *a = self;

  a->total += delta;
  *ret_result = a->total;
  item_ran ();
  return TRUE;
}

static const TestCounterIface acc_vtable = { .add = acc_add };

static gdouble
synod_oneway (SynodRef **refs, guint n_refs, gint n)
{
  g_autoptr (GError) error = NULL;
  gdouble t0 = now ();

  expect_items (n);
  for (gint i = 0; i < n; i++)
    if (!test_counter_add_oneway (refs[i % n_refs], 1, &error))
      g_error ("oneway: %s", error->message);
  wait_items ();
  return n / (now () - t0);
}

static gdouble
synod_sync (SynodRef **refs, guint n_refs, gint n)
{
  g_autoptr (GError) error = NULL;
  gdouble t0 = now ();
  gint32 v;

  expect_items (n);
  for (gint i = 0; i < n; i++)
    if (!test_counter_add (refs[i % n_refs], 1, &v, &error))
      g_error ("sync: %s", error->message);
  return n / (now () - t0);
}

/* ---- bare GThreadPool ---- */

typedef struct
{
  gint delta;
  gboolean signal_back;
} PoolItem;

static gint pool_total;
static GMutex rt_lock;
static GCond rt_cond;
static gboolean rt_done;

static void
pool_run (gpointer data, gpointer user_data)
{
  PoolItem *item = data;

  g_atomic_int_add (&pool_total, item->delta);
  if (item->signal_back)
    {
      g_mutex_lock (&rt_lock);
      rt_done = TRUE;
      g_cond_signal (&rt_cond);
      g_mutex_unlock (&rt_lock);
    }
  else
    item_ran ();
  g_free (item);
}

static gdouble
pool_oneway (GThreadPool *pool, gint n)
{
  gdouble t0 = now ();

  expect_items (n);
  for (gint i = 0; i < n; i++)
    {
      PoolItem *item = g_new0 (PoolItem, 1);

      item->delta = 1;
      g_thread_pool_push (pool, item, NULL);
    }
  wait_items ();
  return n / (now () - t0);
}

static gdouble
pool_sync (GThreadPool *pool, gint n)
{
  gdouble t0 = now ();

  for (gint i = 0; i < n; i++)
    {
      PoolItem *item = g_new0 (PoolItem, 1);

      item->delta = 1;
      item->signal_back = TRUE;
      g_mutex_lock (&rt_lock);
      rt_done = FALSE;
      g_mutex_unlock (&rt_lock);
      g_thread_pool_push (pool, item, NULL);
      g_mutex_lock (&rt_lock);
      while (!rt_done)
        g_cond_wait (&rt_cond, &rt_lock);
      g_mutex_unlock (&rt_lock);
    }
  return n / (now () - t0);
}

/* ---- GDBus peer to peer ---- */

static const gchar dbus_xml[] = "<node><interface name='org.synod.Bench'>"
                                "<method name='Add'><arg type='i' direction='in'/>"
                                "<arg type='i' direction='out'/></method>"
                                "</interface></node>";
static gint dbus_total;

static void
dbus_method (GDBusConnection *conn, const gchar *sender, const gchar *path, const gchar *iface,
             const gchar *method, GVariant *params, GDBusMethodInvocation *invocation,
             gpointer user_data)
{
  gint32 delta;

  g_variant_get (params, "(i)", &delta);
  dbus_total += delta;
  if (g_dbus_message_get_flags (g_dbus_method_invocation_get_message (invocation))
      & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    {
      item_ran ();
      g_object_unref (invocation);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(i)", dbus_total));
}

static const GDBusInterfaceVTable dbus_vtable = { dbus_method, NULL, NULL, { 0 } };

typedef struct
{
  GSocket *socket;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;
} DBusServer;

static gpointer
dbus_server_thread (gpointer data)
{
  DBusServer *s = data;
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) stream = NULL;
  g_autoptr (GDBusConnection) conn = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (dbus_xml, NULL);
  g_autofree gchar *guid = g_dbus_generate_guid ();

  g_main_context_push_thread_default (ctx);
  stream = g_socket_connection_factory_create_connection (s->socket);
  conn = g_dbus_connection_new_sync (G_IO_STREAM (stream), guid,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER
                                         | G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS,
                                     NULL, NULL, &error);
  if (conn == NULL)
    g_error ("dbus server: %s", error->message);
  g_dbus_connection_register_object (conn, "/bench", info->interfaces[0], &dbus_vtable, NULL, NULL,
                                     &error);
  s->loop = g_main_loop_new (ctx, FALSE);
  g_mutex_lock (&s->lock);
  s->ready = TRUE;
  g_cond_signal (&s->cond);
  g_mutex_unlock (&s->lock);
  g_main_loop_run (s->loop);
  g_dbus_connection_close_sync (conn, NULL, NULL);
  g_main_context_pop_thread_default (ctx);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
bench_dbus (gint n_sync, gint n_oneway, gdouble *ret_sync, gdouble *ret_oneway)
{
  int fds[2];
  DBusServer server = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) client_socket = NULL;
  g_autoptr (GSocketConnection) stream = NULL;
  g_autoptr (GDBusConnection) conn = NULL;
  GThread *thread;
  gdouble t0;

  if (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) != 0)
    g_error ("socketpair failed");
  server.socket = g_socket_new_from_fd (fds[0], &error);
  client_socket = g_socket_new_from_fd (fds[1], &error);
  g_mutex_init (&server.lock);
  g_cond_init (&server.cond);
  thread = g_thread_new ("dbus-server", dbus_server_thread, &server);
  stream = g_socket_connection_factory_create_connection (client_socket);
  conn = g_dbus_connection_new_sync (G_IO_STREAM (stream), NULL,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL,
                                     &error);
  if (conn == NULL)
    g_error ("dbus client: %s", error->message);
  g_mutex_lock (&server.lock);
  while (!server.ready)
    g_cond_wait (&server.cond, &server.lock);
  g_mutex_unlock (&server.lock);

  t0 = now ();
  for (gint i = 0; i < n_sync; i++)
    {
      g_autoptr (GVariant) r = g_dbus_connection_call_sync (
          conn, NULL, "/bench", "org.synod.Bench", "Add", g_variant_new ("(i)", 1),
          G_VARIANT_TYPE ("(i)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

      if (r == NULL)
        g_error ("dbus call: %s", error->message);
    }
  *ret_sync = n_sync / (now () - t0);

  expect_items (n_oneway);
  t0 = now ();
  for (gint i = 0; i < n_oneway; i++)
    {
      g_autoptr (GDBusMessage) m
          = g_dbus_message_new_method_call (NULL, "/bench", "org.synod.Bench", "Add");

      g_dbus_message_set_body (m, g_variant_new ("(i)", 1));
      g_dbus_message_set_flags (m, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
      if (!g_dbus_connection_send_message (conn, m, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, &error))
        g_error ("dbus send: %s", error->message);
    }
  wait_items ();
  *ret_oneway = n_oneway / (now () - t0);

  g_main_context_invoke (g_main_loop_get_context (server.loop), quit_loop, server.loop);
  g_thread_join (thread);
  g_main_loop_unref (server.loop);
  g_object_unref (server.socket);
  g_mutex_clear (&server.lock);
  g_cond_clear (&server.cond);
}

/* ---- main ---- */

static gdouble
best_of (gdouble (*fn) (SynodRef **, guint, gint), SynodRef **refs, guint n_refs, gint n)
{
  gdouble best = 0;

  for (gint i = 0; i < 3; i++)
    best = MAX (best, fn (refs, n_refs, n));
  return best;
}

int
main (int argc, char **argv)
{
  gint n = argc > 1 ? atoi (argv[1]) : 500000;
  gint n_sync = n / 5;
  g_autoptr (SynodBroker) broker = synod_broker_new (NULL, NULL);
  g_autoptr (SynodClass) klass = synod_class_new ("Bench.Acc", 1, sizeof (Acc), 0);
  g_autoptr (GPtrArray) objects
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  SynodRef *refs[N_OBJECTS];
  GThreadPool *pool;
  gdouble s_one_ow, s_many_ow, s_one_sync, s_many_sync, s_one_sync_q, s_many_sync_q;
  gdouble p_ow = 0, p_sync = 0, d_sync, d_ow;
  g_autoptr (GError) error = NULL;

  if (n < 1000)
    n = 1000;
  synod_class_add_interface (klass, &test_counter_interface, &acc_vtable);
  if (!synod_broker_register_class (broker, klass, &error))
    g_error ("%s", error->message);
  /* The bench floods one object faster than it drains: let the queue hold
   * the whole run instead of refusing sends. */
  synod_broker_set_queue_limit (broker, (guint)n + 1);
  for (guint i = 0; i < N_OBJECTS; i++)
    {
      SynodObject *o = synod_broker_create_object_of_class (broker, klass, NULL, &error);

      g_ptr_array_add (objects, o);
      refs[i] = synod_ref_new_for_object (o);
    }

  if (g_strcmp0 (g_getenv ("BENCH_ONLY"), "oneway-many") == 0)
    {
      g_print ("synod oneway, 1000 objects: %.0f/s\n", best_of (synod_oneway, refs, N_OBJECTS, n));
      return 0;
    }
  g_print ("bench-invoke: %d oneway / %d sync invocations per measure, %u cores, best of 3\n", n,
           n_sync, g_get_num_processors ());

  s_one_ow = best_of (synod_oneway, refs, 1, n);
  s_many_ow = best_of (synod_oneway, refs, N_OBJECTS, n);
  s_one_sync = best_of (synod_sync, refs, 1, n_sync);
  s_many_sync = best_of (synod_sync, refs, N_OBJECTS, n_sync);
  synod_broker_set_inline_sync (broker, FALSE);
  s_one_sync_q = best_of (synod_sync, refs, 1, n_sync / 4);
  s_many_sync_q = best_of (synod_sync, refs, N_OBJECTS, n_sync / 4);

  pool = g_thread_pool_new (pool_run, NULL, (gint)g_get_num_processors (), FALSE, NULL);
  for (gint i = 0; i < 3; i++)
    {
      p_ow = MAX (p_ow, pool_oneway (pool, n));
      p_sync = MAX (p_sync, pool_sync (pool, n_sync / 4));
    }
  g_thread_pool_free (pool, FALSE, TRUE);

  bench_dbus (n_sync / 10, n / 10, &d_sync, &d_ow);

  g_print ("\n%-44s %14s %12s %12s\n", "measure", "calls/s", "vs pool", "vs GDBus");
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod oneway, one object", s_one_ow, s_one_ow / p_ow,
           s_one_ow / d_ow);
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod oneway, 1000 objects", s_many_ow,
           s_many_ow / p_ow, s_many_ow / d_ow);
  g_print ("%-44s %14.0f %12s %12s\n", "GThreadPool push/run (oneway peer)", p_ow, "1.00", "");
  g_print ("%-44s %14.0f %12s %12s\n", "GDBus p2p no-reply send", d_ow, "", "1.00");
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod sync, one object (inline)", s_one_sync,
           s_one_sync / p_sync, s_one_sync / d_sync);
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod sync, 1000 objects (inline)", s_many_sync,
           s_many_sync / p_sync, s_many_sync / d_sync);
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod sync, one object (via workers)", s_one_sync_q,
           s_one_sync_q / p_sync, s_one_sync_q / d_sync);
  g_print ("%-44s %14.0f %12.2f %12.2f\n", "synod sync, 1000 objects (via workers)", s_many_sync_q,
           s_many_sync_q / p_sync, s_many_sync_q / d_sync);
  g_print ("%-44s %14.0f %12s %12s\n", "GThreadPool push/run/signal round trip", p_sync, "1.00",
           "");
  g_print ("%-44s %14.0f %12s %12s\n", "GDBus p2p call round trip", d_sync, "", "1.00");

  for (guint i = 0; i < N_OBJECTS; i++)
    synod_ref_unref (refs[i]);
  return 0;
}
