/* synod-test-daemon.c — see synod-test-daemon.h.
 *
 * Children are spawned from the calling thread with PR_SET_PDEATHSIG and
 * never reaped by GLib (G_SPAWN_DO_NOT_REAP_CHILD): this file waits for
 * them itself, with bounded polls, so a pid is never reused under it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "synod-test-daemon.h"

#ifndef SYNOD_TEST_BUILDDIR
#error "SYNOD_TEST_BUILDDIR must name the build tree"
#endif

#define DEFAULT_READY_TIMEOUT_MS 15000
#define READY_LINE_MAX 512

struct _SynodTestDaemon
{
  /* What to start it with again. */
  GStrv argv_prefix;
  gchar *listen;
  gchar *state_dir;
  gboolean own_state_dir;
  GStrv peers;
  gchar *config_file;
  GStrv extra_args;
  GStrv envp;
  gboolean discovery;
  gboolean rpcbind;
  guint ready_timeout_ms;

  gchar *log_path;
  GPid pid; /* 0 when not running */
  guint64 peer_id;
  gchar *peer_id_text;
  gchar *address;
  guint16 port;
};

struct _SynodTestProcess
{
  GPid pid;
  int out_fd;
  int err_fd;
  GString *out;
  GString *err;
};

/* Children still running, killed at exit whatever path the test takes. */
static GMutex live_lock;
static GArray *live_pids;

static void
kill_live_at_exit (void)
{
  g_mutex_lock (&live_lock);
  for (guint i = 0; live_pids && i < live_pids->len; i++)
    {
      GPid pid = g_array_index (live_pids, GPid, i);

      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  g_mutex_unlock (&live_lock);
}

static void
track_pid (GPid pid)
{
  g_mutex_lock (&live_lock);
  if (live_pids == NULL)
    {
      live_pids = g_array_new (FALSE, FALSE, sizeof (GPid));
      atexit (kill_live_at_exit);
    }
  g_array_append_val (live_pids, pid);
  g_mutex_unlock (&live_lock);
}

static void
untrack_pid (GPid pid)
{
  g_mutex_lock (&live_lock);
  for (guint i = 0; live_pids && i < live_pids->len; i++)
    if (g_array_index (live_pids, GPid, i) == pid)
      {
        g_array_remove_index_fast (live_pids, i);
        break;
      }
  g_mutex_unlock (&live_lock);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The test may block signals in its threads; the daemon must not
   * inherit that. */
  {
    sigset_t none;

    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
}

/* Waits up to @timeout_ms for @pid to exit; reaps it. */
static gboolean
wait_exit (GPid pid, guint timeout_ms, int *ret_status)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  guint delay_us = 1000;

  for (;;)
    {
      int status = 0;
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid || (r < 0 && errno == ECHILD))
        {
          if (ret_status)
            *ret_status = r == pid ? status : 0;
          untrack_pid (pid);
          return TRUE;
        }
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (delay_us);
      delay_us = MIN (delay_us * 2, 20000);
    }
}

const gchar *
synod_test_synodd_path (void)
{
  static gchar *path;

  if (g_once_init_enter (&path))
    {
      const gchar *env = g_getenv ("SYNOD_TEST_SYNODD");

      g_once_init_leave (&path,
                         env ? g_strdup (env)
                             : g_build_filename (SYNOD_TEST_BUILDDIR, "services", "synodd", NULL));
    }
  return path;
}

const gchar *
synod_test_synod_path (void)
{
  static gchar *path;

  if (g_once_init_enter (&path))
    {
      const gchar *env = g_getenv ("SYNOD_TEST_SYNOD");

      g_once_init_leave (&path,
                         env ? g_strdup (env)
                             : g_build_filename (SYNOD_TEST_BUILDDIR, "services", "synod", NULL));
    }
  return path;
}

void
synod_test_daemon_options_init (SynodTestDaemonOptions *options)
{
  memset (options, 0, sizeof *options);
}

static GStrv
merge_env (const gchar *const *extra)
{
  GStrv envp = g_get_environ ();

  for (guint i = 0; extra && extra[i]; i++)
    {
      g_autofree gchar *name = g_strndup (extra[i], strcspn (extra[i], "="));
      const gchar *value = strchr (extra[i], '=');

      envp = g_environ_setenv (envp, name, value ? value + 1 : "", TRUE);
    }
  return envp;
}

static gchar *
read_file_or_empty (const gchar *path)
{
  gchar *text = NULL;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

gchar *
synod_test_daemon_get_log (SynodTestDaemon *daemon)
{
  return read_file_or_empty (daemon->log_path);
}

/* Reads the readiness line from @fd within @timeout_ms. */
static gchar *
read_ready_line (int fd, guint timeout_ms, gboolean *ret_eof)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gchar buf[READY_LINE_MAX];
  gsize len = 0;

  *ret_eof = FALSE;
  while (len < sizeof buf - 1)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      ssize_t n;

      if (left <= 0)
        return NULL;
      if (poll (&pfd, 1, (int)left) <= 0)
        continue;
      n = read (fd, buf + len, sizeof buf - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          *ret_eof = TRUE;
          return NULL;
        }
      len += n;
      if (memchr (buf, '\n', len))
        {
          buf[len] = '\0';
          *strchr (buf, '\n') = '\0';
          return g_strdup (buf);
        }
    }
  return NULL;
}

static gboolean
spawn_daemon (SynodTestDaemon *d, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = merge_env ((const gchar *const *)d->envp);
  g_autofree gchar *line = NULL;
  int pipe_fds[2];
  int log_fd;
  gint source_fds[1], target_fds[1];
  gboolean eof = FALSE;
  gboolean ok;
  GPid pid = 0;

  for (guint i = 0; d->argv_prefix && d->argv_prefix[i]; i++)
    g_ptr_array_add (argv, d->argv_prefix[i]);
  g_ptr_array_add (argv, (gpointer)synod_test_synodd_path ());
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, d->listen);
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, d->state_dir);
  g_ptr_array_add (argv, (gpointer)(d->discovery ? "--discovery" : "--no-discovery"));
  g_ptr_array_add (argv, (gpointer)(d->rpcbind ? "--rpcbind" : "--no-rpcbind"));
  g_ptr_array_add (argv, (gpointer) "--ready-fd");
  g_ptr_array_add (argv, (gpointer) "3");
  for (guint i = 0; d->peers && d->peers[i]; i++)
    {
      g_ptr_array_add (argv, (gpointer) "--peer");
      g_ptr_array_add (argv, d->peers[i]);
    }
  if (d->config_file)
    {
      g_ptr_array_add (argv, (gpointer) "--config");
      g_ptr_array_add (argv, d->config_file);
    }
  for (guint i = 0; d->extra_args && d->extra_args[i]; i++)
    g_ptr_array_add (argv, d->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, error))
    return FALSE;
  log_fd = open (d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", d->log_path,
                   g_strerror (errno));
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      return FALSE;
    }
  source_fds[0] = pipe_fds[1];
  target_fds[0] = 3;
  ok = g_spawn_async_with_pipes_and_fds (
      NULL, (const gchar *const *)argv->pdata, (const gchar *const *)envp,
      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL, die_with_parent, NULL, -1, log_fd,
      log_fd, source_fds, target_fds, 1, &pid, NULL, NULL, NULL, error);
  close (pipe_fds[1]);
  close (log_fd);
  if (!ok)
    {
      close (pipe_fds[0]);
      return FALSE;
    }
  track_pid (pid);
  d->pid = pid;
  line = read_ready_line (pipe_fds[0], d->ready_timeout_ms, &eof);
  close (pipe_fds[0]);
  if (line != NULL)
    {
      g_auto (GStrv) words = g_strsplit (line, " ", 3);
      const gchar *colon;

      if (g_strv_length (words) == 3 && strcmp (words[0], "READY") == 0
          && (colon = strrchr (words[2], ':')) != NULL)
        {
          g_free (d->peer_id_text);
          d->peer_id_text = g_strdup (words[1]);
          d->peer_id = g_ascii_strtoull (words[1], NULL, 16);
          d->port = (guint16)g_ascii_strtoull (colon + 1, NULL, 10);
          g_free (d->address);
          /* Always loopback: the daemon may report its host name. */
          d->address = g_strdup_printf ("127.0.0.1:%u", d->port);
          return TRUE;
        }
    }
  {
    g_autofree gchar *log = NULL;
    int status = 0;

    if (!wait_exit (pid, eof ? 2000 : 0, &status))
      {
        kill (pid, SIGKILL);
        wait_exit (pid, 5000, &status);
      }
    d->pid = 0;
    log = synod_test_daemon_get_log (d);
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                 "synodd did not become ready (%s%s, wait status 0x%x); its log:\n%s",
                 line  ? "bad readiness line: "
                 : eof ? "it closed --ready-fd"
                       : "timed out",
                 line ? line : "", status, log);
    return FALSE;
  }
}

/**
 * synod_test_daemon_start:
 * @options: how to start it
 * @error: return location for an error carrying the daemon's log
 *
 * Returns: (transfer full): a running, ready daemon, or NULL
 */
SynodTestDaemon *
synod_test_daemon_start (const SynodTestDaemonOptions *options, GError **error)
{
  g_autoptr (SynodTestDaemon) d = g_new0 (SynodTestDaemon, 1);

  d->argv_prefix = g_strdupv ((gchar **)options->argv_prefix);
  d->listen = g_strdup (options->listen ? options->listen : "127.0.0.1:0");
  if (options->state_dir)
    d->state_dir = g_strdup (options->state_dir);
  else
    {
      d->state_dir = g_dir_make_tmp ("synodd-test-XXXXXX", error);
      if (d->state_dir == NULL)
        return NULL;
      d->own_state_dir = TRUE;
    }
  d->peers = g_strdupv ((gchar **)options->peers);
  d->config_file = g_strdup (options->config_file);
  d->extra_args = g_strdupv ((gchar **)options->extra_args);
  d->envp = g_strdupv ((gchar **)options->envp);
  d->discovery = options->discovery;
  d->rpcbind = options->rpcbind;
  d->ready_timeout_ms
      = options->ready_timeout_ms ? options->ready_timeout_ms : DEFAULT_READY_TIMEOUT_MS;
  /* The log lives with the daemon's state, so that it goes with it. */
  d->log_path = g_build_filename (d->state_dir, "synodd.log", NULL);
  if (!spawn_daemon (d, error))
    return NULL;
  return g_steal_pointer (&d);
}

/**
 * synod_test_daemon_restart:
 * @daemon: a daemon, running or not
 * @error: return location for an error
 *
 * Stops the daemon if it runs, then starts it again with the same state
 * directory and on the same port (so its peers find it where it was).
 */
gboolean
synod_test_daemon_restart (SynodTestDaemon *daemon, GError **error)
{
  if (daemon->pid != 0)
    synod_test_daemon_stop (daemon, SIGTERM, 10000, NULL);
  if (daemon->port != 0)
    {
      g_free (daemon->listen);
      daemon->listen = g_strdup_printf ("127.0.0.1:%u", daemon->port);
    }
  return spawn_daemon (daemon, error);
}

/**
 * synod_test_daemon_set_peers:
 * @daemon: a daemon
 * @peers: (nullable): static peers ("HOST:PORT")
 *
 * Replaces the static peers it gets at its next (re)start: peers started
 * after it, whose ports were not known then, can be dialled at once.
 */
void
synod_test_daemon_set_peers (SynodTestDaemon *daemon, const gchar *const *peers)
{
  g_strfreev (daemon->peers);
  daemon->peers = g_strdupv ((gchar **)peers);
}

/**
 * synod_test_daemon_restart_elsewhere:
 * @daemon: a daemon (running or not)
 * @error: return location for an error
 *
 * As synod_test_daemon_restart(), with the same state directory (so the
 * same peer id) but on a new port the kernel chooses: a peer that moved.
 *
 * Returns: whether it is ready again
 */
gboolean
synod_test_daemon_restart_elsewhere (SynodTestDaemon *daemon, GError **error)
{
  if (daemon->pid != 0)
    synod_test_daemon_stop (daemon, SIGTERM, 10000, NULL);
  g_free (daemon->listen);
  daemon->listen = g_strdup ("127.0.0.1:0");
  return spawn_daemon (daemon, error);
}

/**
 * synod_test_daemon_stop:
 * @daemon: a daemon
 * @signal_number: the signal to send (SIGTERM for a clean shutdown)
 * @timeout_ms: how long to wait before SIGKILL
 * @ret_wait_status: (out) (optional): its wait status
 *
 * Returns: whether it exited within @timeout_ms (it is gone either way)
 */
gboolean
synod_test_daemon_stop (SynodTestDaemon *daemon, int signal_number, guint timeout_ms,
                        int *ret_wait_status)
{
  gboolean in_time;

  if (daemon->pid == 0)
    return TRUE;
  kill (daemon->pid, signal_number);
  in_time = wait_exit (daemon->pid, timeout_ms, ret_wait_status);
  if (!in_time)
    {
      kill (daemon->pid, SIGKILL);
      wait_exit (daemon->pid, 10000, ret_wait_status);
    }
  daemon->pid = 0;
  return in_time;
}

/* SIGKILL, at once: a crash as far as its peers can tell. */
void
synod_test_daemon_kill (SynodTestDaemon *daemon)
{
  synod_test_daemon_stop (daemon, SIGKILL, 10000, NULL);
}

gboolean
synod_test_daemon_is_running (SynodTestDaemon *daemon)
{
  int status;

  if (daemon->pid == 0)
    return FALSE;
  if (waitpid (daemon->pid, &status, WNOHANG) == daemon->pid)
    {
      untrack_pid (daemon->pid);
      daemon->pid = 0;
      return FALSE;
    }
  return TRUE;
}

/* @name in PATH or an sbin/bin directory (root's tools are in sbin), or NULL. */
gchar *
synod_test_find_tool (const gchar *name)
{
  gchar *path = g_find_program_in_path (name);
  const gchar *dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

  for (gsize i = 0; path == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree gchar *candidate = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = g_steal_pointer (&candidate);
    }
  return path;
}

/* Removes @path and everything below it (symbolic links are not followed). */
void
synod_test_remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        synod_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
synod_test_daemon_free (SynodTestDaemon *daemon)
{
  if (daemon == NULL)
    return;
  synod_test_daemon_stop (daemon, SIGTERM, 10000, NULL);
  if (daemon->own_state_dir)
    synod_test_remove_tree (daemon->state_dir);
  g_strfreev (daemon->argv_prefix);
  g_free (daemon->listen);
  g_free (daemon->state_dir);
  g_strfreev (daemon->peers);
  g_free (daemon->config_file);
  g_strfreev (daemon->extra_args);
  g_strfreev (daemon->envp);
  g_free (daemon->log_path);
  g_free (daemon->peer_id_text);
  g_free (daemon->address);
  g_free (daemon);
}

GPid
synod_test_daemon_get_pid (SynodTestDaemon *daemon)
{
  return daemon->pid;
}

guint64
synod_test_daemon_get_peer_id (SynodTestDaemon *daemon)
{
  return daemon->peer_id;
}

const gchar *
synod_test_daemon_get_peer_id_text (SynodTestDaemon *daemon)
{
  return daemon->peer_id_text;
}

/* "127.0.0.1:PORT" */
const gchar *
synod_test_daemon_get_address (SynodTestDaemon *daemon)
{
  return daemon->address;
}

guint16
synod_test_daemon_get_port (SynodTestDaemon *daemon)
{
  return daemon->port;
}

const gchar *
synod_test_daemon_get_state_dir (SynodTestDaemon *daemon)
{
  return daemon->state_dir;
}

/* ---- other programs ---- */

SynodTestProcess *
synod_test_process_spawn (const gchar *const *argv, const gchar *const *envp, GError **error)
{
  g_auto (GStrv) env = merge_env (envp);
  SynodTestProcess *p = g_new0 (SynodTestProcess, 1);

  p->out_fd = p->err_fd = -1;
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, (const gchar *const *)env,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                         die_with_parent, NULL, -1, -1, -1, NULL, NULL, 0, &p->pid,
                                         NULL, &p->out_fd, &p->err_fd, error))
    {
      g_free (p);
      return NULL;
    }
  track_pid (p->pid);
  p->out = g_string_new (NULL);
  p->err = g_string_new (NULL);
  return p;
}

GPid
synod_test_process_get_pid (SynodTestProcess *process)
{
  return process->pid;
}

/* Reads what is available on both pipes, waiting at most @timeout_ms;
 * returns FALSE once both are at EOF. */
static gboolean
pump (SynodTestProcess *p, gint timeout_ms)
{
  struct pollfd pfds[2];
  int n = 0;

  if (p->out_fd >= 0)
    pfds[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
  if (p->err_fd >= 0)
    pfds[n++] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
  if (n == 0)
    return FALSE;
  if (poll (pfds, n, timeout_ms) <= 0)
    return TRUE;
  for (int i = 0; i < n; i++)
    if (pfds[i].revents)
      {
        gchar buf[4096];
        ssize_t r = read (pfds[i].fd, buf, sizeof buf);
        gboolean is_out = pfds[i].fd == p->out_fd;

        if (r > 0)
          g_string_append_len (is_out ? p->out : p->err, buf, r);
        else if (r == 0 || (errno != EINTR && errno != EAGAIN))
          {
            close (pfds[i].fd);
            if (is_out)
              p->out_fd = -1;
            else
              p->err_fd = -1;
          }
      }
  return TRUE;
}

/**
 * synod_test_process_read_line:
 * @process: a process
 * @timeout_ms: the longest wait
 *
 * Returns: (transfer full) (nullable): the next line of its standard
 *   output without the newline, or NULL on timeout or EOF
 */
gchar *
synod_test_process_read_line (SynodTestProcess *process, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (;;)
    {
      const gchar *nl = memchr (process->out->str, '\n', process->out->len);
      gint64 left;

      if (nl != NULL)
        {
          gchar *line = g_strndup (process->out->str, nl - process->out->str);

          g_string_erase (process->out, 0, nl - process->out->str + 1);
          return line;
        }
      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0 || process->out_fd < 0)
        return NULL;
      pump (process, (gint)left);
    }
}

/**
 * synod_test_process_wait_for_line:
 * @process: a process
 * @needle: what the awaited line contains
 * @timeout_ms: the longest wait in all
 *
 * Reads output lines (each shown with g_test_message()) until one
 * contains @needle.
 *
 * Returns: whether such a line came in time
 */
gboolean
synod_test_process_wait_for_line (SynodTestProcess *process, const gchar *needle, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree gchar *line = synod_test_process_read_line (process, 1000);

      if (line == NULL)
        continue;
      g_test_message ("%s", line);
      if (strstr (line, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/**
 * synod_test_process_finish:
 * @process: a process
 * @signal_number: a signal to send first, or 0 to let it end by itself
 * @timeout_ms: how long to wait for it (then SIGKILL)
 * @ret_stdout: (out) (optional): the rest of its standard output
 * @ret_stderr: (out) (optional): its standard error
 * @ret_wait_status: (out) (optional): its wait status
 *
 * Returns: whether it ended within @timeout_ms
 */
gboolean
synod_test_process_finish (SynodTestProcess *process, int signal_number, guint timeout_ms,
                           gchar **ret_stdout, gchar **ret_stderr, int *ret_wait_status)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gboolean in_time = TRUE;
  int status = 0;

  if (process->pid != 0)
    {
      if (signal_number)
        kill (process->pid, signal_number);
      /* Drain the pipes while waiting, or a chatty child blocks on them. */
      while (pump (process, 20))
        if (g_get_monotonic_time () >= deadline)
          break;
      if (!wait_exit (process->pid, (guint)MAX (0, (deadline - g_get_monotonic_time ()) / 1000),
                      &status))
        {
          in_time = FALSE;
          kill (process->pid, SIGKILL);
          wait_exit (process->pid, 10000, &status);
        }
      process->pid = 0;
      while (pump (process, 0))
        ;
    }
  if (ret_stdout)
    *ret_stdout = g_strdup (process->out->str);
  if (ret_stderr)
    *ret_stderr = g_strdup (process->err->str);
  if (ret_wait_status)
    *ret_wait_status = status;
  return in_time;
}

void
synod_test_process_free (SynodTestProcess *process)
{
  if (process == NULL)
    return;
  if (process->pid != 0)
    {
      kill (process->pid, SIGKILL);
      wait_exit (process->pid, 10000, NULL);
    }
  if (process->out_fd >= 0)
    close (process->out_fd);
  if (process->err_fd >= 0)
    close (process->err_fd);
  g_string_free (process->out, TRUE);
  g_string_free (process->err, TRUE);
  g_free (process);
}

/**
 * synod_test_run:
 * @argv: the command
 * @envp: (nullable): extra environment ("NAME=VALUE")
 * @timeout_ms: the longest it may run (then it is killed and this fails)
 * @ret_stdout: (out) (optional): its standard output
 * @ret_stderr: (out) (optional): its standard error
 * @ret_exit_status: (out) (optional): its exit status (128 + N when killed
 *   by signal N)
 * @error: return location for an error (could not start, or timed out)
 */
gboolean
synod_test_run (const gchar *const *argv, const gchar *const *envp, guint timeout_ms,
                gchar **ret_stdout, gchar **ret_stderr, int *ret_exit_status, GError **error)
{
  g_autoptr (SynodTestProcess) p = synod_test_process_spawn (argv, envp, error);
  int status = 0;

  if (p == NULL)
    return FALSE;
  if (!synod_test_process_finish (p, 0, timeout_ms, ret_stdout, ret_stderr, &status))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s did not finish within %u ms",
                   argv[0], timeout_ms);
      return FALSE;
    }
  if (ret_exit_status)
    *ret_exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return TRUE;
}
