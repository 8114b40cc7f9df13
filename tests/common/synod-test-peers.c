/* synod-test-peers.c — see synod-test-peers.h. */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "synod-test-peers.h"

#define STOP_TIMEOUT_MS 10000
#define QUERY_CONNECT_TIMEOUT_MS 5000
#define QUERY_CALL_TIMEOUT_MS 10000
#define MESH_POLL_INTERVAL_MS 200
#define QUERY_PROBE_INTERVAL_MS 600000

#ifndef SYNOD_TEST_BUILDDIR
#error "SYNOD_TEST_BUILDDIR must name the build tree"
#endif

static gboolean
write_config (const gchar *path, const SynodTestPeerOptions *options, GError **error)
{
  g_autoptr (GString) text = g_string_new ("[synodd]\n");

  if (options->probe_interval_ms)
    g_string_append_printf (text, "probe-interval-ms=%u\n", options->probe_interval_ms);
  /* A dead peer must not hold a test for the default 3 s per attempt. */
  g_string_append (text, "connect-timeout-ms=1000\n");
  if (options->services)
    g_string_append_printf (text,
                            "[object locator]\n"
                            "class=Test.Locator;1\n"
                            "services=%s\n",
                            options->services);
  return g_file_set_contents (path, text->str, -1, error);
}

/**
 * synod_test_peer_start:
 * @options: what the daemon is to be
 * @error: return location for an error (with the daemon's log)
 *
 * Starts a synodd as synod_test_daemon_start() does, configured from
 * @options: its configuration file lives only until the daemon has read it
 * (it is ready).
 *
 * Returns: (transfer full): the daemon, ready
 */
SynodTestDaemon *
synod_test_peer_start (const SynodTestPeerOptions *options, GError **error)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *dir = NULL, *config = NULL;
  SynodTestDaemonOptions daemon_options;
  SynodTestDaemon *daemon;

  dir = g_dir_make_tmp ("synodd-conf-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  config = g_build_filename (dir, "synodd.conf", NULL);
  if (!write_config (config, options, error))
    {
      synod_test_remove_tree (dir);
      return NULL;
    }
  g_ptr_array_add (args, g_strdup ("--verbose"));
  if (options->cluster)
    g_ptr_array_add (args, g_strdup_printf ("--cluster=%s", options->cluster));
  if (options->services)
    g_ptr_array_add (args, g_strdup_printf ("--plugin=%s/tests/remote/.libs/test-locator-1.so",
                                            SYNOD_TEST_BUILDDIR));
  g_ptr_array_add (args, NULL);
  if (options->bus_address)
    g_ptr_array_add (env, g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s", options->bus_address));
  g_ptr_array_add (env, NULL);

  synod_test_daemon_options_init (&daemon_options);
  daemon_options.listen = options->listen;
  daemon_options.peers = options->peers;
  daemon_options.config_file = config;
  daemon_options.extra_args = (const gchar *const *)args->pdata;
  daemon_options.envp = (const gchar *const *)env->pdata;
  daemon_options.discovery = options->discovery;
  daemon = synod_test_daemon_start (&daemon_options, error);
  synod_test_remove_tree (dir);
  return daemon;
}

/**
 * synod_test_peer_stop:
 * @daemon: a daemon
 * @signo: the signal to send (SIGTERM, SIGKILL)
 * @error: return location for an error (the daemon did not exit in time;
 *   it is then killed)
 *
 * Returns: whether it exited (cleanly for SIGTERM: status 0)
 */
gboolean
synod_test_peer_stop (SynodTestDaemon *daemon, int signo, GError **error)
{
  int status = 0;

  if (!synod_test_daemon_stop (daemon, signo, STOP_TIMEOUT_MS, &status))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "synodd %s did not exit within %d ms of signal %d",
                   synod_test_daemon_get_address (daemon), STOP_TIMEOUT_MS, signo);
      return FALSE;
    }
  if (signo == SIGTERM && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "synodd %s did not exit cleanly on SIGTERM (wait status %d)",
                   synod_test_daemon_get_address (daemon), status);
      return FALSE;
    }
  return TRUE;
}

/* How many lines of the log contain @text. */
guint
synod_test_peer_count_in_log (SynodTestDaemon *daemon, const gchar *text)
{
  g_autofree gchar *log = synod_test_daemon_get_log (daemon);
  g_auto (GStrv) lines = g_strsplit (log ? log : "", "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], text))
      n++;
  return n;
}

/* ------------------------------------------------------------------------ */
/* Asking a daemon's synod.peer */

void
synod_test_peer_entry_free (SynodTestPeerEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->sources);
  g_free (entry->state);
  g_free (entry->address);
  g_strfreev (entry->addresses);
  g_free (entry->cluster);
  g_free (entry->last_error);
  g_free (entry);
}

typedef struct
{
  SynodBroker *broker;
  SynodNetwork *network;
  guint64 id;
} Client;

static void
client_free (Client *c)
{
  g_clear_pointer (&c->network, synod_network_free);
  g_clear_pointer (&c->broker, synod_broker_unref);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* A peer of its own (no listener, no discovery, any cluster) connected to
 * the daemon at @address; the daemon's id comes from its hello. */
static Client *
client_new (const gchar *address, GError **error)
{
  g_autoptr (Client) c = g_new0 (Client, 1);
  const gchar *peers[] = { address, NULL };
  SynodNetworkOptions options;
  g_autoptr (GPtrArray) table = NULL;

  c->broker = synod_broker_new (NULL, error);
  if (c->broker == NULL)
    return NULL;
  synod_network_options_init (&options);
  options.peers = peers;
  options.cluster = "";
  options.connect_timeout_ms = QUERY_CONNECT_TIMEOUT_MS;
  options.call_timeout_ms = QUERY_CALL_TIMEOUT_MS;
  /* No probe tick during a query: it would dial the peers the daemon
   * gossips about, some perhaps unreachable, and freeing the client would
   * wait for those attempts. The static peer is dialled at start. */
  options.probe_interval_ms = QUERY_PROBE_INTERVAL_MS;
  c->network = synod_network_new (c->broker, &options, error);
  if (c->network == NULL)
    return NULL;
  if (!synod_network_wait_peers (c->network, 1, QUERY_CONNECT_TIMEOUT_MS + 1000))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   "cannot reach the peer at %s", address);
      return NULL;
    }
  table = synod_network_list_peers (c->network);
  for (guint i = 0; i < table->len; i++)
    {
      SynodPeerInfo *info = table->pdata[i];

      if (info->sources & SYNOD_PEER_STATIC)
        c->id = info->peer_id;
    }
  g_assert (c->id != 0);
  return g_steal_pointer (&c);
}

/**
 * synod_test_query_peers:
 * @address: the daemon
 * @ret_id: (out) (optional): its peer id
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type SynodTestPeerEntry): its peer table
 */
GPtrArray *
synod_test_query_peers (const gchar *address, guint64 *ret_id, GError **error)
{
  g_autoptr (Client) c = client_new (address, error);
  g_autoptr (GVariant) result = NULL;
  g_autoptr (GVariant) list = NULL;
  GPtrArray *entries;

  if (c == NULL)
    return NULL;
  result = synod_network_invoke_dynamic (c->network, c->id, SYNOD_PEER_SERVICE, "Standard.Peer",
                                         "peers", g_variant_new ("()"), error);
  if (result == NULL)
    return NULL;
  if (!g_variant_is_of_type (result, G_VARIANT_TYPE ("(a(tsssasss))")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "peers() answered %s",
                   g_variant_get_type_string (result));
      return NULL;
    }
  list = g_variant_get_child_value (result, 0);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_test_peer_entry_free);
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      SynodTestPeerEntry *e = g_new0 (SynodTestPeerEntry, 1);

      g_variant_get_child (list, i, "(tsss^asss)", &e->id, &e->sources, &e->state, &e->address,
                           &e->addresses, &e->cluster, &e->last_error);
      g_ptr_array_add (entries, e);
    }
  if (ret_id)
    *ret_id = c->id;
  return entries;
}

/**
 * synod_test_query_info:
 * @address: the daemon
 * @error: return location for an error
 *
 * Returns: (transfer full): its Standard.Peer.info() answer, "((tsssub))"
 */
GVariant *
synod_test_query_info (const gchar *address, GError **error)
{
  g_autoptr (Client) c = client_new (address, error);

  if (c == NULL)
    return NULL;
  return synod_network_invoke_dynamic (c->network, c->id, SYNOD_PEER_SERVICE, "Standard.Peer",
                                       "info", g_variant_new ("()"), error);
}

/**
 * synod_test_query_ask:
 * @address: the daemon (its Test.Locator object answers as "test.locator")
 * @service: the service name it should resolve and call
 * @error: return location for an error
 *
 * Returns: (transfer full): the id of the peer that answered, in hex
 */
gchar *
synod_test_query_ask (const gchar *address, const gchar *service, GError **error)
{
  g_autoptr (Client) c = client_new (address, error);
  g_autoptr (GVariant) result = NULL;
  gchar *answer = NULL;

  if (c == NULL)
    return NULL;
  result = synod_network_invoke_dynamic (c->network, c->id, "test.locator", "Test.Locator", "ask",
                                         g_variant_new ("(s)", service), error);
  if (result == NULL)
    return NULL;
  g_variant_get (result, "(s)", &answer);
  return answer;
}

/* The entry of peer @id, or NULL. */
SynodTestPeerEntry *
synod_test_find_entry (GPtrArray *entries, guint64 id)
{
  for (guint i = 0; i < entries->len; i++)
    if (((SynodTestPeerEntry *)entries->pdata[i])->id == id)
      return entries->pdata[i];
  return NULL;
}

/* One line per entry, for failure messages. */
gchar *
synod_test_describe_entries (GPtrArray *entries)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; entries && i < entries->len; i++)
    {
      SynodTestPeerEntry *e = entries->pdata[i];

      g_string_append_printf (s, "  %016" G_GINT64_MODIFIER "x %s %s %s %s%s%s\n", e->id,
                              e->sources, e->state, e->address, e->cluster,
                              e->last_error[0] ? " error: " : "", e->last_error);
    }
  return g_string_free (s, FALSE);
}

/* Whether @self's table lists each of @others as found by mDNS, connected,
 * at the address it announced. */
static gboolean
lists_by_mdns (SynodTestDaemon *self, SynodTestDaemon **others, guint n_others,
               GPtrArray **ret_entries, GError **error)
{
  g_autoptr (GPtrArray) entries
      = synod_test_query_peers (synod_test_daemon_get_address (self), NULL, error);
  gboolean ok = TRUE;

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < n_others; i++)
    {
      SynodTestPeerEntry *e
          = synod_test_find_entry (entries, synod_test_daemon_get_peer_id (others[i]));

      if (e == NULL || strstr (e->sources, "mdns") == NULL || strcmp (e->state, "connected") != 0
          || strcmp (e->address, synod_test_daemon_get_address (others[i])) != 0)
        ok = FALSE;
    }
  *ret_entries = g_steal_pointer (&entries);
  return ok;
}

/**
 * synod_test_wait_mesh:
 * @daemons: daemons
 * @n: how many (at most 16)
 * @timeout_s: the longest wait
 * @error: return location for an error showing the table that was not right
 *
 * Waits until every daemon's table lists all the others as found by mDNS,
 * connected, at their addresses.
 */
gboolean
synod_test_wait_mesh (SynodTestDaemon **daemons, guint n, guint timeout_s, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;

  g_return_val_if_fail (n <= 16, FALSE);
  for (guint i = 0; i < n; i++)
    {
      SynodTestDaemon *others[16];
      guint n_others = 0;

      for (guint j = 0; j < n; j++)
        if (j != i)
          others[n_others++] = daemons[j];
      for (;;)
        {
          g_autoptr (GPtrArray) entries = NULL;
          g_autoptr (GError) local_error = NULL;

          if (lists_by_mdns (daemons[i], others, n_others, &entries, &local_error))
            break;
          if (g_get_monotonic_time () >= deadline)
            {
              g_autofree gchar *table = synod_test_describe_entries (entries);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "after %u s, %s does not list the %u others by mDNS: %s\n%s", timeout_s,
                           synod_test_daemon_get_address (daemons[i]), n_others,
                           local_error ? local_error->message : "its table is", table);
              return FALSE;
            }
          g_usleep (MESH_POLL_INTERVAL_MS * 1000);
        }
    }
  return TRUE;
}

/**
 * synod_test_wait_log:
 * @daemon: a daemon
 * @text: what to look for
 * @count: how many lines must contain it
 * @timeout_s: the longest wait
 *
 * Returns: whether at least @count lines of its log contain @text in time
 */
gboolean
synod_test_wait_log (SynodTestDaemon *daemon, const gchar *text, guint count, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;

  while (synod_test_peer_count_in_log (daemon, text) < count)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
  return TRUE;
}
