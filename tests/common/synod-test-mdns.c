/* synod-test-mdns.c — see synod-test-mdns.h. */
#define _GNU_SOURCE /* unshare() */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "synod-test-mdns.h"

struct _SynodTestMdns
{
  gchar *dir;
  gchar *host_name;
  gchar *bus_address;
  GPid dbus_pid;
  GPid avahi_pid;
};

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

gboolean
synod_test_mdns_can_run (gchar **ret_reason)
{
  const gchar *needed[] = { "dbus-daemon", "avahi-daemon", "unshare" };

  if (geteuid () != 0)
    {
      *ret_reason = g_strdup (
          "needs root (a network namespace, D-Bus bus and avahi-daemon of the test's own)");
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autofree gchar *path = g_find_program_in_path (needed[i]);
      if (path == NULL)
        {
          *ret_reason = g_strdup_printf ("%s is not installed", needed[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * synod_test_mdns_isolate:
 * @error: return location for an error
 *
 * Moves the calling process into a new network namespace whose only
 * interface is a loopback one, up. Call it first in main(), before any
 * thread exists: threads and processes created afterwards inherit it.
 *
 * Returns: whether it worked
 */
gboolean
synod_test_mdns_isolate (GError **error)
{
  struct ifreq ifr = { 0 };
  int fd;

  if (unshare (CLONE_NEWNET) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create a network namespace: %s", g_strerror (saved));
      return FALSE;
    }
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) != 0
      || (ifr.ifr_flags |= IFF_UP, ioctl (fd, SIOCSIFFLAGS, &ifr) != 0))
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot bring the loopback interface up: %s", g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static void
kill_and_reap (GPid *pid)
{
  if (*pid <= 0)
    return;
  kill (*pid, SIGTERM);
  for (guint i = 0; i < 300; i++)
    {
      if (waitpid (*pid, NULL, WNOHANG) == *pid)
        {
          *pid = 0;
          return;
        }
      g_usleep (10 * 1000);
    }
  kill (*pid, SIGKILL);
  waitpid (*pid, NULL, 0);
  *pid = 0;
}

/* Calls org.freedesktop.Avahi.Server.GetState until it answers 2 (running). */
static gboolean
wait_avahi_running (SynodTestMdns *mdns, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
          mdns->bus_address,
          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
              | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
          NULL, NULL, NULL);
      g_autoptr (GVariant) state = NULL;

      if (bus)
        state = g_dbus_connection_call_sync (
            bus, "org.freedesktop.Avahi", "/", "org.freedesktop.Avahi.Server", "GetState", NULL,
            G_VARIANT_TYPE ("(i)"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
      if (state)
        {
          gint32 s;

          g_variant_get (state, "(i)", &s);
          if (s == 2)
            return TRUE;
        }
      if (mdns->avahi_pid > 0 && waitpid (mdns->avahi_pid, NULL, WNOHANG) == mdns->avahi_pid)
        {
          mdns->avahi_pid = 0;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "avahi-daemon exited at start (see %s/avahi.log)", mdns->dir);
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "avahi-daemon did not come up");
  return FALSE;
}

gboolean
synod_test_mdns_start_avahi (SynodTestMdns *mdns, GError **error)
{
  g_autofree gchar *conf = g_build_filename (mdns->dir, "avahi-daemon.conf", NULL);
  g_autofree gchar *log = g_build_filename (mdns->dir, "avahi.log", NULL);
  g_autofree gchar *script = g_strdup_printf (
      "mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && "
      "exec avahi-daemon -f '%s' --no-chroot --no-drop-root --no-rlimits >>'%s' 2>&1",
      conf, log);
  const gchar *argv[] = { "unshare", "-m", "sh", "-c", script, NULL };
  g_auto (GStrv) envp
      = g_environ_setenv (g_get_environ (), "DBUS_SYSTEM_BUS_ADDRESS", mdns->bus_address, TRUE);

  if (!g_spawn_async (NULL, (gchar **)argv, envp,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                          | G_SPAWN_STDERR_TO_DEV_NULL,
                      die_with_parent, NULL, &mdns->avahi_pid, error))
    return FALSE;
  return wait_avahi_running (mdns, error);
}

void
synod_test_mdns_stop_avahi (SynodTestMdns *mdns)
{
  kill_and_reap (&mdns->avahi_pid);
}

/**
 * synod_test_mdns_new:
 * @host_name: the mDNS host name the daemon takes ("synodtest-a")
 * @error: return location for an error
 *
 * Starts a private system bus, points DBUS_SYSTEM_BUS_ADDRESS of this process
 * at it, and starts avahi-daemon on it.
 */
SynodTestMdns *
synod_test_mdns_new (const gchar *host_name, GError **error)
{
  g_autoptr (SynodTestMdns) mdns = g_new0 (SynodTestMdns, 1);
  g_autofree gchar *conf = NULL, *conf_text = NULL, *socket = NULL;
  g_autofree gchar *bus_conf = NULL, *bus_conf_text = NULL, *config_arg = NULL;
  const gchar *dbus_argv[] = { "dbus-daemon", "--nofork", "--nopidfile", NULL, NULL };

  mdns->dir = g_dir_make_tmp ("synod-mdns-XXXXXX", error);
  if (mdns->dir == NULL)
    return NULL;
  mdns->host_name = g_strdup (host_name);
  socket = g_build_filename (mdns->dir, "bus", NULL);
  mdns->bus_address = g_strdup_printf ("unix:path=%s", socket);
  /* A bus of the system type with the test's own policy: the stock system
   * configuration would switch to the messagebus user, which loses the
   * parent-death signal that guarantees clean-up. */
  bus_conf = g_build_filename (mdns->dir, "bus.conf", NULL);
  bus_conf_text = g_strdup_printf (
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig>\n"
      "  <type>system</type>\n"
      "  <listen>%s</listen>\n"
      "  <auth>EXTERNAL</auth>\n"
      "  <policy context=\"default\">\n"
      "    <allow user=\"*\"/>\n"
      "    <allow own=\"*\"/>\n"
      "    <allow send_type=\"method_call\"/>\n"
      "    <allow send_type=\"signal\"/>\n"
      "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
      "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
      "    <allow receive_type=\"method_call\"/>\n"
      "    <allow receive_type=\"method_return\"/>\n"
      "    <allow receive_type=\"error\"/>\n"
      "    <allow receive_type=\"signal\"/>\n"
      "  </policy>\n"
      "</busconfig>\n",
      mdns->bus_address);
  if (!g_file_set_contents (bus_conf, bus_conf_text, -1, error))
    return NULL;
  config_arg = g_strdup_printf ("--config-file=%s", bus_conf);
  dbus_argv[3] = config_arg;

  conf = g_build_filename (mdns->dir, "avahi-daemon.conf", NULL);
  conf_text = g_strdup_printf ("[server]\n"
                               "host-name=%s\n"
                               "use-ipv4=yes\n"
                               "use-ipv6=no\n"
                               "allow-interfaces=lo\n"
                               "enable-dbus=yes\n"
                               "ratelimit-interval-usec=0\n"
                               "[wide-area]\n"
                               "enable-wide-area=no\n"
                               "[publish]\n"
                               "publish-aaaa-on-ipv4=no\n"
                               "publish-workstation=no\n"
                               "publish-hinfo=no\n"
                               "[reflector]\n"
                               "enable-reflector=no\n",
                               host_name);
  if (!g_file_set_contents (conf, conf_text, -1, error))
    return NULL;

  if (!g_spawn_async (NULL, (gchar **)dbus_argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                          | G_SPAWN_STDERR_TO_DEV_NULL,
                      die_with_parent, NULL, &mdns->dbus_pid, error))
    return NULL;
  for (guint i = 0; i < 500 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", mdns->bus_address, TRUE);
  if (!synod_test_mdns_start_avahi (mdns, error))
    return NULL;
  return g_steal_pointer (&mdns);
}

/**
 * synod_test_mdns_setup:
 * @host_name: the mDNS host name the daemon takes
 * @ret_skip_reason: (out): why the tests must skip, when NULL is returned
 *
 * What a test's main() calls before any thread exists: checks that the
 * fixture can run, moves the process into a network namespace of its own
 * and starts the bus and avahi-daemon. Aborts when they fail to start where
 * they should.
 *
 * Returns: (transfer full) (nullable): the fixture, or NULL to skip
 */
SynodTestMdns *
synod_test_mdns_setup (const gchar *host_name, gchar **ret_skip_reason)
{
  g_autoptr (GError) error = NULL;
  SynodTestMdns *mdns;

  if (!synod_test_mdns_can_run (ret_skip_reason))
    return NULL;
  if (!synod_test_mdns_isolate (&error))
    {
      *ret_skip_reason = g_strdup (error->message);
      return NULL;
    }
  mdns = synod_test_mdns_new (host_name, &error);
  if (mdns == NULL)
    g_error ("cannot start a private avahi-daemon: %s", error->message);
  return mdns;
}

const gchar *
synod_test_mdns_get_bus_address (SynodTestMdns *mdns)
{
  return mdns->bus_address;
}

static void
remove_tree (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
synod_test_mdns_free (SynodTestMdns *mdns)
{
  if (mdns == NULL)
    return;
  kill_and_reap (&mdns->avahi_pid);
  kill_and_reap (&mdns->dbus_pid);
  if (mdns->dir)
    remove_tree (mdns->dir);
  g_free (mdns->dir);
  g_free (mdns->host_name);
  g_free (mdns->bus_address);
  g_free (mdns);
}
