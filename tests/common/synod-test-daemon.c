/* synod-test-daemon.c — see synod-test-daemon.h. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "synod-test-daemon.h"

#define READY_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 10000
#define QUERY_CONNECT_TIMEOUT_MS 5000
#define QUERY_CALL_TIMEOUT_MS 10000
#define MESH_POLL_INTERVAL_MS 200
#define QUERY_PROBE_INTERVAL_MS 600000

struct _SynodTestDaemon
{
  gchar *label;
  gchar *dir;
  gchar *log_path;
  GSubprocess *process;
  guint64 id;
  gchar *address;
};

gchar *
synod_test_build_path (const gchar *relative)
{
  const gchar *top = g_getenv ("SYNOD_TOP_BUILDDIR");

  return g_build_filename (top ? top : SYNOD_TEST_BUILDDIR, relative, NULL);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
write_config (SynodTestDaemon *d, const SynodTestDaemonOptions *options, gchar **ret_path,
              GError **error)
{
  g_autoptr (GString) text = g_string_new ("[synodd]\n");
  g_autofree gchar *path = g_build_filename (d->dir, "synodd.conf", NULL);

  g_string_append_printf (text, "discovery=%s\n", options->discovery ? "true" : "false");
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
  if (!g_file_set_contents (path, text->str, -1, error))
    return FALSE;
  *ret_path = g_steal_pointer (&path);
  return TRUE;
}

/* Reads the readiness line ("READY PEERID ADDRESS") from @fd. */
static gboolean
read_ready (SynodTestDaemon *d, int fd, GError **error)
{
  gchar buf[512];
  gsize len = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64)READY_TIMEOUT_MS * 1000;
  g_auto (GStrv) words = NULL;

  while (len < sizeof buf - 1 && memchr (buf, '\n', len) == NULL)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      ssize_t n;

      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "synodd %s did not say READY within %d ms (log: %s)", d->label,
                       READY_TIMEOUT_MS, d->log_path);
          return FALSE;
        }
      if (poll (&pfd, 1, (int)left) < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s",
                       g_strerror (errno));
          return FALSE;
        }
      if (pfd.revents == 0)
        continue;
      n = read (fd, buf + len, sizeof buf - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "synodd %s exited before it was ready (log: %s)", d->label, d->log_path);
          return FALSE;
        }
      len += n;
    }
  buf[len] = '\0';
  g_strchomp (buf);
  words = g_strsplit (buf, " ", -1);
  if (g_strv_length (words) != 3 || strcmp (words[0], "READY") != 0 || strlen (words[1]) != 16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "synodd %s said “%s”, not READY PEERID ADDRESS", d->label, buf);
      return FALSE;
    }
  d->id = g_ascii_strtoull (words[1], NULL, 16);
  d->address = g_strdup (words[2]);
  return TRUE;
}

/**
 * synod_test_daemon_start:
 * @options: what to run
 * @error: return location for an error
 *
 * Starts synodd and waits until it is ready.
 *
 * Returns: (transfer full): the daemon, or NULL
 */
SynodTestDaemon *
synod_test_daemon_start (const SynodTestDaemonOptions *options, GError **error)
{
  g_autoptr (SynodTestDaemon) d = g_new0 (SynodTestDaemon, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *config = NULL, *state = NULL;
  int fds[2];
  gboolean ok;

  d->label = g_strdup (options->label ? options->label : "synodd");
  d->dir = g_dir_make_tmp ("synodd-test-XXXXXX", error);
  if (d->dir == NULL)
    return NULL;
  d->log_path = g_build_filename (d->dir, "synodd.log", NULL);
  state = g_build_filename (d->dir, "state", NULL);
  if (!write_config (d, options, &config, error))
    return NULL;

  g_ptr_array_add (argv, synod_test_build_path ("services/synodd"));
  g_ptr_array_add (argv, g_strdup_printf ("--config=%s", config));
  g_ptr_array_add (
      argv, g_strdup_printf ("--listen=%s", options->listen ? options->listen : "127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state));
  g_ptr_array_add (argv, g_strdup ("--no-rpcbind"));
  g_ptr_array_add (argv, g_strdup ("--ready-fd=3"));
  g_ptr_array_add (argv, g_strdup ("--verbose"));
  if (options->cluster)
    g_ptr_array_add (argv, g_strdup_printf ("--cluster=%s", options->cluster));
  for (guint i = 0; options->peers && options->peers[i]; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--peer=%s", options->peers[i]));
  if (options->services)
    {
      g_autofree gchar *plugin = synod_test_build_path ("tests/remote/.libs/test-locator-1.so");

      g_ptr_array_add (argv, g_strdup_printf ("--plugin=%s", plugin));
    }
  g_ptr_array_add (argv, NULL);

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return NULL;
  /* One file for both streams (GLib logs debug and info to stdout). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, d->log_path);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (options->bus_address)
    g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", options->bus_address, TRUE);
  d->process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, error);
  /* The launcher holds the write end until it is freed: drop it now, or
   * a daemon dying early would not show as end of file. */
  g_clear_object (&launcher);
  if (d->process == NULL)
    {
      close (fds[0]);
      return NULL;
    }
  ok = read_ready (d, fds[0], error);
  close (fds[0]);
  if (!ok)
    return NULL;
  return g_steal_pointer (&d);
}

guint64
synod_test_daemon_get_id (SynodTestDaemon *daemon)
{
  return daemon->id;
}

const gchar *
synod_test_daemon_get_address (SynodTestDaemon *daemon)
{
  return daemon->address;
}

const gchar *
synod_test_daemon_get_label (SynodTestDaemon *daemon)
{
  return daemon->label;
}

gboolean
synod_test_daemon_is_running (SynodTestDaemon *daemon)
{
  return daemon->process != NULL && g_subprocess_get_identifier (daemon->process) != NULL;
}

static gboolean
on_timeout (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/**
 * synod_test_daemon_stop:
 * @daemon: a daemon
 * @signo: the signal to send (SIGTERM, SIGKILL)
 * @error: return location for an error (the daemon did not exit in time;
 *   it is then killed)
 *
 * Returns: whether it exited (cleanly for SIGTERM: status 0)
 */
gboolean
synod_test_daemon_stop (SynodTestDaemon *daemon, int signo, GError **error)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) timeout = g_timeout_source_new (STOP_TIMEOUT_MS);

  if (!synod_test_daemon_is_running (daemon))
    return TRUE;
  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, on_timeout, cancellable, NULL);
  g_source_attach (timeout, context);
  g_subprocess_send_signal (daemon->process, signo);
  if (!g_subprocess_wait (daemon->process, cancellable, NULL))
    {
      g_subprocess_force_exit (daemon->process);
      g_subprocess_wait (daemon->process, NULL, NULL);
      g_source_destroy (timeout);
      g_main_context_pop_thread_default (context);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "synodd %s did not exit within %d ms of signal %d (log: %s)", daemon->label,
                   STOP_TIMEOUT_MS, signo, daemon->log_path);
      return FALSE;
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  if (signo == SIGTERM
      && !(g_subprocess_get_if_exited (daemon->process)
           && g_subprocess_get_exit_status (daemon->process) == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "synodd %s did not exit cleanly on SIGTERM (log: %s)", daemon->label,
                   daemon->log_path);
      return FALSE;
    }
  return TRUE;
}

gchar *
synod_test_daemon_get_log (SynodTestDaemon *daemon)
{
  gchar *text = NULL;

  if (!g_file_get_contents (daemon->log_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* How many lines of the log contain @text. */
guint
synod_test_daemon_count_in_log (SynodTestDaemon *daemon, const gchar *text)
{
  g_autofree gchar *log = synod_test_daemon_get_log (daemon);
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], text))
      n++;
  return n;
}

static void
remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/**
 * synod_test_daemon_free:
 * @daemon: (nullable): a daemon
 *
 * Stops it (SIGTERM, then SIGKILL) if it runs, and removes its directory
 * unless SYNOD_TEST_KEEP is set (for looking at logs).
 */
void
synod_test_daemon_free (SynodTestDaemon *daemon)
{
  if (daemon == NULL)
    return;
  if (daemon->process)
    {
      synod_test_daemon_stop (daemon, SIGTERM, NULL);
      g_object_unref (daemon->process);
    }
  if (daemon->dir && g_getenv ("SYNOD_TEST_KEEP") == NULL)
    remove_tree (daemon->dir);
  g_free (daemon->label);
  g_free (daemon->dir);
  g_free (daemon->log_path);
  g_free (daemon->address);
  g_free (daemon);
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
      SynodTestPeerEntry *e = synod_test_find_entry (entries, synod_test_daemon_get_id (others[i]));

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
                           daemons[i]->label, n_others,
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

  while (synod_test_daemon_count_in_log (daemon, text) < count)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
  return TRUE;
}
