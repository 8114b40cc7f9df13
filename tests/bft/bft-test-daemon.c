/* bft-test-daemon.c — see bft-test-daemon.h. Children are not reaped by
 * GLib: this file waits for them itself, in bounded polls. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bft-test-daemon.h"

#define DEFAULT_READY_TIMEOUT_MS 15000

struct _BftTestDaemon
{
  gchar *state_dir;
  GStrv peers;
  gchar *config_file;
  gchar *log_file;
  guint ready_timeout_ms;
  gchar *listen;  /* what to start with */
  gchar *address; /* where it listens */
  GPid pid;       /* 0 when not running */
};

static GMutex live_lock;
static GArray *live; /* GPid */

static void
kill_live (void)
{
  g_mutex_lock (&live_lock);
  for (guint i = 0; live && i < live->len; i++)
    {
      kill (g_array_index (live, GPid, i), SIGKILL);
      waitpid (g_array_index (live, GPid, i), NULL, 0);
    }
  g_mutex_unlock (&live_lock);
}

static void
track (GPid pid, gboolean add)
{
  g_mutex_lock (&live_lock);
  if (live == NULL)
    {
      live = g_array_new (FALSE, FALSE, sizeof (GPid));
      atexit (kill_live);
    }
  if (add)
    g_array_append_val (live, pid);
  else
    for (guint i = 0; i < live->len; i++)
      if (g_array_index (live, GPid, i) == pid)
        {
          g_array_remove_index_fast (live, i);
          break;
        }
  g_mutex_unlock (&live_lock);
}

typedef struct
{
  int ready_fd;
  int log_fd;
} ChildSetup;

static void
child_setup (gpointer data)
{
  ChildSetup *cs = data;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  dup2 (cs->log_fd, 1);
  dup2 (cs->log_fd, 2);
  /* Keep the readiness pipe across exec. */
  fcntl (cs->ready_fd, F_SETFD, 0);
}

const gchar *
bft_test_synodd_path (void)
{
  static gchar *path;

  if (path == NULL)
    {
      const gchar *env = g_getenv ("SYNOD_TEST_SYNODD");
      const gchar *top = g_getenv ("SYNOD_TOP_BUILDDIR");

      path = env ? g_strdup (env) : g_build_filename (top ? top : ".", "services", "synodd", NULL);
    }
  return path;
}

/* Waits up to @timeout_ms for the child to exit. */
static gboolean
wait_exit (GPid pid, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (;;)
    {
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid || (r < 0 && errno == ECHILD))
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (2000);
    }
}

static gboolean
spawn (BftTestDaemon *d, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *fd_text = NULL;
  GString *line = g_string_new (NULL);
  g_auto (GStrv) words = NULL;
  gint64 deadline;
  ChildSetup cs;
  int pipe_fds[2];
  gboolean ok = FALSE;

  if (pipe (pipe_fds) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "pipe: %s",
                   g_strerror (errno));
      return FALSE;
    }
  cs.ready_fd = pipe_fds[1];
  cs.log_fd = g_open (d->log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  fd_text = g_strdup_printf ("%d", pipe_fds[1]);
  g_ptr_array_add (argv, g_strdup (bft_test_synodd_path ()));
  if (d->config_file)
    {
      g_ptr_array_add (argv, g_strdup ("--config"));
      g_ptr_array_add (argv, g_strdup (d->config_file));
    }
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup (d->listen));
  for (guint i = 0; d->peers && d->peers[i]; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--peer"));
      g_ptr_array_add (argv, g_strdup (d->peers[i]));
    }
  g_ptr_array_add (argv, g_strdup ("--no-discovery"));
  g_ptr_array_add (argv, g_strdup ("--no-rpcbind"));
  g_ptr_array_add (argv, g_strdup ("--state-dir"));
  g_ptr_array_add (argv, g_strdup (d->state_dir));
  g_ptr_array_add (argv, g_strdup ("--ready-fd"));
  g_ptr_array_add (argv, g_strdup (fd_text));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup,
                      &cs, &d->pid, error))
    {
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      close (cs.log_fd);
      d->pid = 0;
      return FALSE;
    }
  track (d->pid, TRUE);
  close (pipe_fds[1]);
  close (cs.log_fd);

  /* READY PEER-ID ADDRESS */
  deadline = g_get_monotonic_time () + (gint64)d->ready_timeout_ms * 1000;
  for (;;)
    {
      struct pollfd pfd = { pipe_fds[0], POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char c;

      if (left <= 0 || poll (&pfd, 1, (int)left) <= 0)
        break;
      if (read (pipe_fds[0], &c, 1) != 1)
        break;
      if (c == '\n')
        {
          ok = TRUE;
          break;
        }
      if (line->len < 512)
        g_string_append_c (line, c);
    }
  close (pipe_fds[0]);
  words = g_strsplit (line->str, " ", 3);
  g_string_free (line, TRUE);
  if (!ok || g_strv_length (words) != 3 || strcmp (words[0], "READY") != 0)
    {
      g_autofree gchar *log = bft_test_daemon_get_log (d);

      kill (d->pid, SIGKILL);
      wait_exit (d->pid, 5000);
      track (d->pid, FALSE);
      d->pid = 0;
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "synodd did not become ready; its log:\n%s", log);
      return FALSE;
    }
  g_free (d->address);
  d->address = g_strdup (words[2]);
  /* A restart listens where this one did, so the others find it. */
  g_free (d->listen);
  d->listen = g_strdup (d->address);
  return TRUE;
}

BftTestDaemon *
bft_test_daemon_start (const BftTestDaemonOptions *options, GError **error)
{
  g_autoptr (BftTestDaemon) d = g_new0 (BftTestDaemon, 1);

  d->state_dir = g_strdup (options->state_dir);
  d->peers = g_strdupv ((gchar **)options->peers);
  d->config_file = g_strdup (options->config_file);
  d->log_file = options->log_file ? g_strdup (options->log_file)
                                  : g_strconcat (options->state_dir, ".log", NULL);
  d->ready_timeout_ms
      = options->ready_timeout_ms ? options->ready_timeout_ms : DEFAULT_READY_TIMEOUT_MS;
  d->listen = g_strdup (options->listen ? options->listen : "127.0.0.1:0");
  if (!spawn (d, error))
    return NULL;
  return g_steal_pointer (&d);
}

/* Starts a stopped daemon again, on the same address and state; @peers,
 * when given, replace its static peers. */
gboolean
bft_test_daemon_restart (BftTestDaemon *daemon, const gchar *const *peers, GError **error)
{
  g_return_val_if_fail (daemon->pid == 0, FALSE);
  if (peers)
    {
      g_strfreev (daemon->peers);
      daemon->peers = g_strdupv ((gchar **)peers);
    }
  return spawn (daemon, error);
}

/* Sends @signal_number and waits for the exit (SIGKILL after @timeout_ms). */
gboolean
bft_test_daemon_stop (BftTestDaemon *daemon, int signal_number, guint timeout_ms)
{
  gboolean clean;

  if (daemon->pid == 0)
    return TRUE;
  kill (daemon->pid, signal_number);
  clean = wait_exit (daemon->pid, timeout_ms);
  if (!clean)
    {
      kill (daemon->pid, SIGKILL);
      wait_exit (daemon->pid, 10000);
    }
  track (daemon->pid, FALSE);
  daemon->pid = 0;
  return clean;
}

gboolean
bft_test_daemon_is_running (BftTestDaemon *daemon)
{
  return daemon->pid != 0 && waitpid (daemon->pid, NULL, WNOHANG) == 0;
}

void
bft_test_daemon_free (BftTestDaemon *daemon)
{
  if (daemon == NULL)
    return;
  bft_test_daemon_stop (daemon, SIGTERM, 5000);
  g_free (daemon->state_dir);
  g_strfreev (daemon->peers);
  g_free (daemon->config_file);
  g_free (daemon->log_file);
  g_free (daemon->listen);
  g_free (daemon->address);
  g_free (daemon);
}

const gchar *
bft_test_daemon_get_address (BftTestDaemon *daemon)
{
  return daemon->address;
}

GPid
bft_test_daemon_get_pid (BftTestDaemon *daemon)
{
  return daemon->pid;
}

gchar *
bft_test_daemon_get_log (BftTestDaemon *daemon)
{
  gchar *text = NULL;

  if (!g_file_get_contents (daemon->log_file, &text, NULL, NULL))
    return g_strdup ("(no log)");
  return text;
}

static int
remove_entry (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_entry (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path);
}

void
bft_test_remove_tree (const gchar *path)
{
  if (path && g_file_test (path, G_FILE_TEST_IS_DIR))
    remove_entry (path);
}
