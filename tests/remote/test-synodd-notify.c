/* synodd tells a service manager when it is ready and when it stops, by the
 * sd_notify protocol (what synodd@.service's Type=notify waits for): a
 * datagram "READY=1..." on $NOTIFY_SOCKET once it listens, "STOPPING=1" on
 * SIGTERM; with a path or an abstract socket name; and a socket nobody
 * reads, or none at all, changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "tests/common/synod-test-daemon.h"

/* A datagram socket bound to @name ("/path" or "@abstract"). */
static int
bind_notify_socket (const gchar *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  gsize len = strlen (name);
  int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (len, <, sizeof sa.sun_path);
  memcpy (sa.sun_path, name, len);
  if (sa.sun_path[0] == '@')
    sa.sun_path[0] = '\0';
  g_assert_cmpint (
      bind (fd, (struct sockaddr *)&sa, (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len)),
      ==, 0);
  return fd;
}

/* The next datagram on @fd within @timeout_ms, or NULL. */
static gchar *
receive (int fd, gint timeout_ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  gchar buf[4096];
  gssize n;

  if (poll (&p, 1, timeout_ms) != 1)
    return NULL;
  n = recv (fd, buf, sizeof buf - 1, 0);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return g_strdup (buf);
}

static void
check_notifications (const gchar *socket_name)
{
  SynodTestDaemonOptions options;
  g_autofree gchar *env = g_strdup_printf ("NOTIFY_SOCKET=%s", socket_name);
  const gchar *envp[] = { env, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ready = NULL, *stopping = NULL, *expected_status = NULL;
  SynodTestDaemon *d;
  int fd = bind_notify_socket (socket_name);
  int status = 0;

  synod_test_daemon_options_init (&options);
  options.envp = envp;
  d = synod_test_daemon_start (&options, &error);
  g_assert_no_error (error);
  /* Sent right after the --ready-fd line the start waited for. */
  ready = receive (fd, 10000);
  g_assert_nonnull (ready);
  expected_status
      = g_strdup_printf ("READY=1\nSTATUS=Peer %s listening on %s",
                         synod_test_daemon_get_peer_id_text (d), synod_test_daemon_get_address (d));
  g_assert_cmpstr (ready, ==, expected_status);
  g_assert_true (synod_test_daemon_stop (d, SIGTERM, 10000, &status));
  stopping = receive (fd, 10000);
  g_assert_cmpstr (stopping, ==, "STOPPING=1");
  synod_test_daemon_free (d);
  close (fd);
}

static void
test_path_socket (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-notify-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "notify", NULL);

  g_test_summary ("With $NOTIFY_SOCKET naming a socket file, synodd sends READY=1 with a STATUS "
                  "naming its peer id and address once it listens, and STOPPING=1 on SIGTERM.");
  check_notifications (path);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_abstract_socket (void)
{
  g_autofree gchar *name
      = g_strdup_printf ("@synod-notify-test-%d-%08x", (int)getpid (), g_random_int ());

  g_test_summary ("$NOTIFY_SOCKET starting with '@' names a socket in the abstract namespace, "
                  "as systemd may give it.");
  check_notifications (name);
}

static void
test_nobody_listens (void)
{
  static const gchar *const values[] = { "NOTIFY_SOCKET=/nonexistent/synod-notify",
                                         "NOTIFY_SOCKET=relative-name", "NOTIFY_SOCKET=" };

  g_test_summary ("A notification socket that does not exist, or a value that is not a socket "
                  "name, changes nothing: the peer starts and stops cleanly.");
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      SynodTestDaemonOptions options;
      const gchar *envp[] = { values[i], NULL };
      g_autoptr (GError) error = NULL;
      SynodTestDaemon *d;
      int status = 0;

      g_test_message ("%s", values[i]);
      synod_test_daemon_options_init (&options);
      options.envp = envp;
      d = synod_test_daemon_start (&options, &error);
      g_assert_no_error (error);
      g_assert_true (synod_test_daemon_stop (d, SIGTERM, 10000, &status));
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      synod_test_daemon_free (d);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote/synodd/notify/path", test_path_socket);
  g_test_add_func ("/remote/synodd/notify/abstract", test_abstract_socket);
  g_test_add_func ("/remote/synodd/notify/nobody-listens", test_nobody_listens);
  return g_test_run ();
}
