/* Interoperability with the ONC RPC tools of the system: rpcbind and
 * rpcinfo see synodd as an ordinary RPC server.
 *
 * Everything runs in a network and mount namespace of its own, made by
 * unshare(1) for an rpcbind that has a tmpfs over /run: no system state is
 * touched (not the host's rpcbind, not its /run) and no packet leaves the
 * namespace's loopback. The namespace belongs to that rpcbind process, which
 * dies with the test (PR_SET_PDEATHSIG), so nothing can outlive it; synodd
 * and rpcinfo join it with nsenter(1). Needs root and util-linux, iproute2
 * and rpcbind; skips with the reason otherwise. When tshark is installed, a
 * capture of the traffic is decoded as ONC RPC too.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "synod-test-daemon.h"

#define PROGRAM_TEXT "542333262"
#define WAIT_MS 15000

static const gchar *const needed[] = { "unshare", "nsenter", "ip", "rpcbind", "rpcinfo", NULL };

static gboolean
can_run (gchar **ret_reason)
{
  if (geteuid () != 0)
    {
      *ret_reason = g_strdup ("needs root (network and mount namespaces of its own)");
      return FALSE;
    }
  for (guint i = 0; needed[i]; i++)
    {
      g_autofree gchar *path = synod_test_find_tool (needed[i]);

      if (path == NULL)
        {
          *ret_reason = g_strdup_printf ("%s is not installed", needed[i]);
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  SynodTestProcess *rpcbind;
  gchar *pid_text;
} Namespace;

/* Runs rpcinfo (or any program) inside the namespace. */
static gint
in_namespace (Namespace *ns, gchar **ret_out, const gchar *program, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL, *err = NULL;
  const gchar *arg;
  va_list ap;
  gint status = -1;

  g_ptr_array_add (argv, synod_test_find_tool ("nsenter"));
  g_ptr_array_add (argv, g_strdup ("--target"));
  g_ptr_array_add (argv, g_strdup (ns->pid_text));
  g_ptr_array_add (argv, g_strdup ("--net"));
  g_ptr_array_add (argv, g_strdup ("--mount"));
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, synod_test_find_tool (program));
  va_start (ap, program);
  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (
      synod_test_run ((const gchar *const *)argv->pdata, NULL, 20000, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s → %d: %s%s", program, status, out, err);
  if (ret_out)
    *ret_out = g_strconcat (out, err, NULL);
  return status;
}

static void
namespace_start (Namespace *ns)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *unshare = synod_test_find_tool ("unshare");
  g_autofree gchar *script = NULL;
  g_autofree gchar *ip = synod_test_find_tool ("ip");
  g_autofree gchar *rpcbind = synod_test_find_tool ("rpcbind");
  const gchar *argv[]
      = { unshare, "--net", "--mount", "--propagation", "private", "/bin/sh", "-c", NULL, NULL };
  gint64 deadline;

  /* The shell execs rpcbind: its pid is the namespace's holder. */
  script = g_strdup_printf ("'%s' link set lo up && mount -t tmpfs synod-test /run && exec '%s' "
                            "-f -w",
                            ip, rpcbind);
  argv[7] = script;
  ns->rpcbind = synod_test_process_spawn (argv, NULL, &error);
  g_assert_no_error (error);
  ns->pid_text = g_strdup_printf ("%d", (int)synod_test_process_get_pid (ns->rpcbind));
  /* Ready when it answers (bounded; it takes a few milliseconds). */
  deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  while (in_namespace (ns, NULL, "rpcinfo", "-p", "127.0.0.1", NULL) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
namespace_stop (Namespace *ns)
{
  if (ns->rpcbind)
    synod_test_process_finish (ns->rpcbind, SIGTERM, 10000, NULL, NULL, NULL);
  g_clear_pointer (&ns->rpcbind, synod_test_process_free);
  g_clear_pointer (&ns->pid_text, g_free);
}

/* Decodes a capture of a NULL call with tshark, told that the port speaks
 * ONC RPC; checks the program number shows. */
static void
check_tshark (Namespace *ns, guint16 port)
{
  g_autofree gchar *tshark = synod_test_find_tool ("tshark");
  g_autofree gchar *dir = NULL;
  g_autofree gchar *capture = NULL;
  g_autofree gchar *decoded = NULL;
  g_autofree gchar *filter = NULL;
  g_autofree gchar *port_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodTestProcess) capturing = NULL;

  if (tshark == NULL)
    {
      g_test_message ("tshark is not installed: the capture is not decoded");
      return;
    }
  dir = g_dir_make_tmp ("test-rpcbind-XXXXXX", &error);
  g_assert_no_error (error);
  capture = g_build_filename (dir, "synod.pcap", NULL);
  port_text = g_strdup_printf ("tcp.port==%u,rpc", port);
  filter = g_strdup_printf ("tcp port %u", port);
  {
    g_autofree gchar *nsenter = synod_test_find_tool ("nsenter");
    /* tshark reports on standard error (merged here into the output the
     * test reads) when its capture has started: a few seconds after it
     * starts, dissectors loaded. It stops by itself after 6 packets (a
     * connection's handshake, the call and its reply): interrupted at once
     * after the call, it could lose packets not yet read from the kernel. */
    const gchar *argv[] = { nsenter,       "--target", ns->pid_text,
                            "--net",       "--mount",  "--",
                            "sh",          "-c",       "exec \"$0\" \"$@\" 2>&1",
                            tshark,        "-i",       "lo",
                            "-f",          filter,     "-a",
                            "duration:60", "-c",       "6",
                            "-w",          capture,    NULL };

    capturing = synod_test_process_spawn (argv, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (synod_test_process_wait_for_line (capturing, "Capture started", 30000));
  }
  g_assert_cmpint (
      in_namespace (ns, NULL, "rpcinfo", "-T", "tcp", "127.0.0.1", PROGRAM_TEXT, "1", NULL), ==, 0);
  {
    g_autofree gchar *rest = NULL;
    int wait_status = 0;

    g_assert_true (synod_test_process_finish (capturing, 0, 20000, &rest, NULL, &wait_status));
    g_test_message ("tshark ended (wait status %d): %s", wait_status, rest);
  }
  {
    /* tshark dissects only the programs it knows unless told otherwise;
     * the call and its reply (message type 0 then 1, accepted) show. */
    const gchar *argv[]
        = { tshark,   "-r",         capture,       "-o",  "rpc.dissect_unknown_programs:TRUE",
            "-d",     port_text,    "-Y",          "rpc", "-T",
            "fields", "-E",         "separator=,", "-e",  "rpc.program",
            "-e",     "rpc.msgtyp", NULL };
    gint status = -1;

    g_assert_true (synod_test_run (argv, NULL, 30000, &decoded, NULL, &status, &error));
    g_assert_no_error (error);
    g_test_message ("tshark decoded: %s", decoded);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (decoded, PROGRAM_TEXT ",0\n"));
    g_assert_nonnull (strstr (decoded, PROGRAM_TEXT ",1\n"));
  }
  synod_test_remove_tree (dir);
}

static void
test_rpcbind (void)
{
  g_autofree gchar *reason = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *port_line = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodTestDaemon) daemon = NULL;
  g_autofree gchar *nsenter = NULL;
  Namespace ns = { 0 };
  SynodTestDaemonOptions options;
  int status = -1;

  g_test_summary ("With rpcbind running, synodd registers program 542333262 version 1: rpcinfo "
                  "-p lists it on its port, rpcinfo -t gets “ready and waiting” from its NULL "
                  "procedure and the served version range from a call to another version; on "
                  "SIGTERM it unregisters. All in a namespace of the test's own.");
  if (!can_run (&reason))
    {
      g_test_skip (reason);
      return;
    }
  namespace_start (&ns);

  nsenter = synod_test_find_tool ("nsenter");
  {
    const gchar *prefix[] = { nsenter, "--target", ns.pid_text, "--net", "--mount", "--", NULL };

    synod_test_daemon_options_init (&options);
    options.argv_prefix = prefix;
    options.rpcbind = TRUE;
    daemon = synod_test_daemon_start (&options, &error);
  }
  g_assert_no_error (error);

  g_assert_cmpint (in_namespace (&ns, &out, "rpcinfo", "-p", "127.0.0.1", NULL), ==, 0);
  port_line
      = g_strdup_printf (" " PROGRAM_TEXT "    1   tcp  %u", synod_test_daemon_get_port (daemon));
  g_assert_nonnull (strstr (out, port_line));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (in_namespace (&ns, &out, "rpcinfo", "-t", "127.0.0.1", PROGRAM_TEXT, "1", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "program " PROGRAM_TEXT " version 1 ready and waiting"));
  g_clear_pointer (&out, g_free);
  /* Without a version, rpcinfo pings every version registered. */
  g_assert_cmpint (
      in_namespace (&ns, &out, "rpcinfo", "-T", "tcp", "127.0.0.1", PROGRAM_TEXT, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "program " PROGRAM_TEXT " version 1 ready and waiting"));
  g_clear_pointer (&out, g_free);
  /* Another version: the call reaches synodd, whose PROG_MISMATCH reply
   * carries the range it serves. */
  g_assert_cmpint (in_namespace (&ns, &out, "rpcinfo", "-t", "127.0.0.1", PROGRAM_TEXT, "2", NULL),
                   !=, 0);
  g_assert_nonnull (strstr (out, "program " PROGRAM_TEXT " version 2 is not available"));
  g_assert_nonnull (strstr (out, "low version = 1, high version = 1"));
  g_clear_pointer (&out, g_free);

  check_tshark (&ns, synod_test_daemon_get_port (daemon));

  g_assert_true (synod_test_daemon_stop (daemon, SIGTERM, 10000, &status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (in_namespace (&ns, &out, "rpcinfo", "-p", "127.0.0.1", NULL), ==, 0);
  g_assert_null (strstr (out, PROGRAM_TEXT));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (in_namespace (&ns, &out, "rpcinfo", "-t", "127.0.0.1", PROGRAM_TEXT, "1", NULL),
                   !=, 0);
  g_assert_nonnull (strstr (out, "not registered"));
  namespace_stop (&ns);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote/rpcbind/register-and-rpcinfo", test_rpcbind);
  return g_test_run ();
}
