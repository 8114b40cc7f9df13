/* The command-line tool end to end: `synod` run as a process against three
 * synodd daemons (cluster-common.h), every subcommand and its errors, with
 * the exit statuses the tool documents (0 success, 1 the operation failed,
 * 2 the command line is wrong). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <synod.h>

#include "cluster-common.h"
#include "cluster-test.h"
#include "synod-test-daemon.h"

/* The tool's messages contain typographic quotes: read them in UTF-8. */
static const gchar *const tool_env[] = { "LC_ALL=C.UTF-8", "SYNOD_PEER=", NULL };

typedef struct
{
  int status;
  gchar *out;
  gchar *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs synod with --peer @peer (NULL: none) and the NULL-terminated
 * arguments that follow. */
static void
run_synod (Run *r, SynodTestDaemon *peer, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const gchar *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer)synod_test_synod_path ());
  if (peer)
    {
      g_ptr_array_add (argv, (gpointer) "--peer");
      g_ptr_array_add (argv, (gpointer)synod_test_daemon_get_address (peer));
    }
  va_start (ap, peer);
  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  run_clear (r);
  r->out = r->err = NULL;
  g_assert_true (synod_test_run ((const gchar *const *)argv->pdata, tool_env, 30000, &r->out,
                                 &r->err, &r->status, &error));
  g_assert_no_error (error);
  g_test_message ("synod %s → %d\n%s%s", argv->len > 3 ? (gchar *)argv->pdata[3] : "", r->status,
                  r->out, r->err);
}

static void
assert_contains (const gchar *haystack, const gchar *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, haystack);
}

/* The line of @text that starts with @prefix, or NULL. */
static gchar *
line_starting (const gchar *text, const gchar *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);
  return NULL;
}

static guint32
total_of (const gchar *target)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) r = synod_ref_new_parse (cluster.broker, target, &error);
  guint32 total = 0;

  g_assert_true (cluster_test_counter_total (r, &total, &error));
  g_assert_no_error (error);
  return total;
}

static void
test_peers (void)
{
  g_auto (Run) r = { 0 };
  g_autofree gchar *line = NULL;
  g_autofree gchar *header
      = g_strdup_printf ("Peer %s at %s", PEER_A, synod_test_daemon_get_address (cluster.a));

  g_test_summary ("synod peers shows the peer's own summary and its table: how each peer was "
                  "found, its state, address and cluster; the tool itself is not listed.");
  run_synod (&r, cluster.a, "peers", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, header);
  assert_contains (r.out, "cluster “default”");
  line = line_starting (r.out, PEER_B);
  g_assert_nonnull (line);
  assert_contains (line, "inbound");
  assert_contains (line, "connected");
  assert_contains (line, synod_test_daemon_get_address (cluster.b));
  g_clear_pointer (&line, g_free);
  line = line_starting (r.out, PEER_C);
  g_assert_nonnull (line);
  /* From b, a is its static peer. */
  run_synod (&r, cluster.b, "peers", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_pointer (&line, g_free);
  line = line_starting (r.out, PEER_A);
  g_assert_nonnull (line);
  assert_contains (line, "static");
  assert_contains (line, "connected");
  /* Arguments it does not take. */
  run_synod (&r, cluster.a, "peers", "extra", NULL);
  g_assert_cmpint (r.status, ==, 2);
}

static void
test_services (void)
{
  g_auto (Run) r = { 0 };
  const gchar *expected[][3] = {
    { "cluster.a", COUNTER_A, PEER_A },
    { "cluster.b", COUNTER_B, PEER_B },
    { "cluster.c", COUNTER_C, PEER_C },
    { "cluster.replicas", COUNTER_A, PEER_A },
    { "cluster.replicas", COUNTER_B, PEER_B },
    { "cluster.replicas", COUNTER_C, PEER_C },
    { "synod.peer", PEER_A "-0000000000000001", PEER_A },
  };
  g_auto (GStrv) lines = NULL;
  guint n_peer_rows = 0;

  g_test_summary ("synod services lists every service name with its provider and peer, across "
                  "the cluster, sorted by name.");
  run_synod (&r, cluster.c, "services", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  assert_contains (lines[0], "SERVICE");
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean found = FALSE;

      for (guint l = 1; lines[l]; l++)
        {
          g_auto (GStrv) words = g_strsplit_set (lines[l], " ", -1);
          g_autoptr (GPtrArray) cols = g_ptr_array_new ();

          for (guint w = 0; words[w]; w++)
            if (*words[w])
              g_ptr_array_add (cols, words[w]);
          if (cols->len == 3 && strcmp (cols->pdata[0], expected[i][0]) == 0
              && strcmp (cols->pdata[1], expected[i][1]) == 0
              && strcmp (cols->pdata[2], expected[i][2]) == 0)
            found = TRUE;
        }
      if (!found)
        g_error ("no row %s %s %s in:\n%s", expected[i][0], expected[i][1], expected[i][2], r.out);
    }
  for (guint l = 1; lines[l]; l++)
    if (g_str_has_prefix (lines[l], "synod.peer "))
      n_peer_rows++;
  g_assert_cmpuint (n_peer_rows, ==, 3);
}

static void
test_objects (void)
{
  g_auto (Run) r = { 0 };

  g_test_summary ("synod objects prints a tree per peer (or for the peers named): each object's "
                  "Id, class;version, interfaces, aliases and services.");
  run_synod (&r, cluster.a, "objects", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "Peer " PEER_A " (");
  assert_contains (r.out, "Peer " PEER_B " (");
  assert_contains (r.out, "Peer " PEER_C " (");
  assert_contains (r.out, COUNTER_B "  ClusterTest.Counter;1");
  assert_contains (r.out, "interfaces: Standard.Object;1, Standard.Introspectable;1, "
                          "ClusterTest.Counter;1");
  assert_contains (r.out, "aliases:    " ALIAS_B_OWN ", " ALIAS_B_FROM_A ", " ALIAS_B_NOWHERE);
  assert_contains (r.out, "services:   cluster.b, cluster.replicas");
  assert_contains (r.out, PEER_A "-0000000000000001  Synod.Peer;1");
  /* The tree's last branch. */
  assert_contains (r.out, "└─ ");

  run_synod (&r, cluster.a, "objects", PEER_C, NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, COUNTER_C);
  g_assert_null (strstr (r.out, COUNTER_B));

  run_synod (&r, cluster.a, "objects", "c0c0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "not a peer id");
  run_synod (&r, cluster.a, "objects", "0123456789abcdef", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "0123456789abcdef is not connected");
}

static void
test_introspect (void)
{
  g_auto (Run) r = { 0 };

  g_test_summary ("synod introspect prints an object's D-Bus introspection XML or a readable "
                  "listing, for a target given by service name, Id or alias.");
  run_synod (&r, cluster.a, "introspect", "cluster.b", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "<!DOCTYPE node PUBLIC");
  assert_contains (r.out, "<node name=\"" COUNTER_B "\">");
  assert_contains (r.out, "<interface name=\"ClusterTest.Counter\">");
  assert_contains (r.out, "<method name=\"relayGroup\">");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (r.out, &error);

    g_assert_no_error (error);
    g_assert_nonnull (g_dbus_node_info_lookup_interface (node, "ClusterTest.Counter"));
  }
  run_synod (&r, cluster.a, "introspect", "--readable", ALIAS_B_NOWHERE, NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "node " COUNTER_B " {");
  assert_contains (r.out, "interface ClusterTest.Counter;1 {");
  assert_contains (r.out, "add(in u n, out u result);");
  assert_contains (r.out, "oneway bump(in u n);");
  assert_contains (r.out, "describe(in s label, out (su) result /* ClusterTest.Item */);");
  assert_contains (r.out, "interface Standard.Object;1 {  /* concurrent */");

  run_synod (&r, cluster.a, "introspect", "cluster.nobody", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "No peer provides the service “cluster.nobody”");
  run_synod (&r, cluster.a, "introspect", PEER_B "-00000000000000ff", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "No peer holds an object " PEER_B "-00000000000000ff");
  run_synod (&r, cluster.a, "introspect", "Not a target!", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "neither an object Id");
  run_synod (&r, cluster.a, "introspect", NULL);
  g_assert_cmpint (r.status, ==, 2);
}

static void
test_call (void)
{
  g_auto (Run) r = { 0 };
  g_autofree gchar *expected = NULL;
  guint32 before = total_of (COUNTER_B);

  g_test_summary ("synod call types its arguments from the target's introspection data, runs "
                  "the method on the peer holding it, prints the result with g_variant_print, "
                  "and tells badly typed or missing arguments, unknown interfaces and methods, "
                  "and the method's own errors apart by message and exit status.");
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.add", "5", NULL);
  g_assert_cmpint (r.status, ==, 0);
  expected = g_strdup_printf ("(uint32 %u,)\n", before + 5);
  g_assert_cmpstr (r.out, ==, expected);
  g_assert_cmpuint (total_of (COUNTER_B), ==, before + 5);

  /* A string, bare or in GVariant syntax; a struct comes back. */
  run_synod (&r, cluster.a, "call", COUNTER_C, "ClusterTest.Counter.describe", "hello", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "(('hello@" PEER_C "', uint32 ");
  run_synod (&r, cluster.a, "call", COUNTER_C, "ClusterTest.Counter;1.describe", "'quoted'", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "(('quoted@" PEER_C "', uint32 ");
  /* Through an alias that names a peer nobody knows; a void method. */
  run_synod (&r, cluster.a, "call", ALIAS_B_NOWHERE, "Standard.Object.ping", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "()\n");
  /* A oneway method: run, nothing returned. */
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.bump", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "()\n");
  /* A negative number is an argument, not an option. */
  run_synod (&r, cluster.a, "call", "cluster.c", "ClusterTest.Counter.fail", "-3", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "failing as asked, with code -3");
  /* Daemon a makes a group send on the tool's behalf. */
  run_synod (&r, cluster.c, "call", "cluster.a", "ClusterTest.Counter.relayGroup",
             "cluster.replicas", "0", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "((uint32 3, uint32 0, uint32 ");

  /* Errors of the command line: exit status 2, with the signature. */
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.add", "five", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "Argument 1 (n) must be of type u");
  assert_contains (r.err, "Expected: ClusterTest.Counter.add (u n) -> (u)");
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.add", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "add takes 1 argument, 0 given: ClusterTest.Counter.add (u n) -> (u)");
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.relay", "x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "takes 3 arguments, 1 given");
  run_synod (&r, cluster.a, "call", "cluster.b", "add", "1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "is not INTERFACE.METHOD");
  run_synod (&r, cluster.a, "call", "cluster.b", NULL);
  g_assert_cmpint (r.status, ==, 2);
  /* Errors of the target: exit status 1. */
  run_synod (&r, cluster.a, "call", "cluster.b", "ClusterTest.Counter.nope", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "has no method “nope”");
  assert_contains (r.err, "its methods: add, total");
  run_synod (&r, cluster.a, "call", "cluster.b", "No.Such.add", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "has no interface No.Such");
  run_synod (&r, cluster.a, "call", "cluster.nobody", "ClusterTest.Counter.add", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "No peer provides the service “cluster.nobody”");
}

static void
test_ping (void)
{
  g_auto (Run) r = { 0 };
  g_auto (GStrv) lines = NULL;

  g_test_summary ("synod ping answers with the round-trip time of Standard.Object.ping, and "
                  "fails with status 1 for a target nobody holds.");
  run_synod (&r, cluster.b, "ping", "cluster.c", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "pong from " COUNTER_C " on peer " PEER_C ": time=");
  run_synod (&r, cluster.a, "ping", "-c", "3", "-i", "0", COUNTER_A, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5); /* 3 pongs, summary, "" */
  assert_contains (lines[3], "3 pings, 3 answered; round trip min/avg/max = ");
  run_synod (&r, cluster.a, "ping", PEER_C "-0000000000000777", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_synod (&r, cluster.a, "ping", "-c", "0", COUNTER_A, NULL);
  g_assert_cmpint (r.status, ==, 2);
}

/* Reads monitor lines until, for each set of needles, a line contains all
 * of them: events of different peers come in no set order. Bounded. */
static void
expect_events (SynodTestProcess *monitor, const gchar *const *const *sets, guint n_sets)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  g_autofree gboolean *seen = g_new0 (gboolean, n_sets);
  guint n_seen = 0;

  while (n_seen < n_sets)
    {
      g_autofree gchar *line = NULL;
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

      g_assert_cmpint (left, >, 0);
      line = synod_test_process_read_line (monitor, (guint)left);
      g_assert_nonnull (line);
      g_test_message ("monitor: %s", line);
      for (guint s = 0; s < n_sets; s++)
        {
          gboolean all = TRUE;

          for (guint i = 0; sets[s][i]; i++)
            all &= strstr (line, sets[s][i]) != NULL;
          if (all && !seen[s])
            {
              seen[s] = TRUE;
              n_seen++;
            }
        }
    }
}

static void
test_monitor (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodTestProcess) monitor = NULL;
  g_autofree gchar *banner = NULL;
  g_autofree gchar *out = NULL, *err = NULL;
  const gchar *argv[] = { synod_test_synod_path (), "--peer",
                          synod_test_daemon_get_address (cluster.c), "monitor", NULL };
  int status = -1;

  g_test_summary ("synod monitor registers a sink object of its own with every peer and prints "
                  "one line per invocation they run (peer, kind, method, target, caller), "
                  "including calls between daemons, until interrupted.");
  monitor = synod_test_process_spawn (argv, tool_env, &error);
  g_assert_no_error (error);
  banner = synod_test_process_read_line (monitor, WAIT_MS);
  g_assert_nonnull (banner);
  assert_contains (banner, "Monitoring 3 peers (");
  assert_contains (banner, PEER_A);

  /* A call from the test process to b. */
  {
    g_autoptr (SynodRef) b = synod_ref_new_parse (cluster.broker, COUNTER_B, &error);
    guint32 total;
    const gchar *needles[] = { PEER_B, " call ClusterTest.Counter.add " COUNTER_B, NULL };
    const gchar *const *sets[] = { needles };

    g_assert_true (cluster_test_counter_add (b, 1, &total, &error));
    expect_events (monitor, sets, 1);
  }
  /* a relays to c, oneway: both show, c's with a as the caller. */
  {
    g_autoptr (SynodRef) a = synod_ref_new_parse (cluster.broker, COUNTER_A, &error);
    guint32 result;
    const gchar *on_a[] = { PEER_A, "ClusterTest.Counter.relay " COUNTER_A, NULL };
    const gchar *on_c[]
        = { PEER_C, " oneway ClusterTest.Counter.bump " COUNTER_C, "peer:" PEER_A, NULL };
    const gchar *const *sets[] = { on_a, on_c };

    g_assert_true (cluster_test_counter_relay (a, COUNTER_C, "oneway-bump", 1, &result, &error));
    g_assert_no_error (error);

    expect_events (monitor, sets, 2);
  }
  g_assert_true (synod_test_process_finish (monitor, SIGINT, WAIT_MS, &out, &err, &status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* Stopping is quiet: no GLib warning about its own signal sources. */
  g_assert_cmpstr (err, ==, "");

  /* One peer only; and one that is not there. */
  {
    g_auto (Run) r = { 0 };
    const gchar *one[] = { synod_test_synod_path (),
                           "--peer",
                           synod_test_daemon_get_address (cluster.a),
                           "monitor",
                           PEER_B,
                           NULL };
    g_autoptr (SynodTestProcess) m = synod_test_process_spawn (one, tool_env, &error);
    g_autofree gchar *first = synod_test_process_read_line (m, WAIT_MS);
    g_autofree gchar *m_err = NULL;

    g_assert_nonnull (first);
    assert_contains (first, "Monitoring 1 peer (" PEER_B ")");
    g_assert_true (synod_test_process_finish (m, SIGTERM, WAIT_MS, NULL, &m_err, &status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    g_assert_cmpstr (m_err, ==, "");

    run_synod (&r, cluster.a, "monitor", "0123456789abcdef", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_contains (r.err, "None of the peers named is connected");
  }
}

static void
test_errors (void)
{
  g_auto (Run) r = { 0 };
  g_autofree gchar *closed_port = NULL;

  g_test_summary ("The tool reports an unreachable peer, a peer of another cluster, an unknown "
                  "command and bad options clearly, with exit status 1 or 2.");
  /* A port nobody listens on: a's port once a stopped would do, but a
   * port the kernel just handed out and took back is as good. */
  {
    GSocket *s
        = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (s, any, FALSE, NULL));
    bound = g_socket_get_local_address (s, NULL);
    closed_port = g_strdup_printf ("127.0.0.1:%u",
                                   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_object_unref (s);
  }
  run_synod (&r, NULL, "--peer", closed_port, "peers", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "Cannot reach the peer at");
  assert_contains (r.err, closed_port);

  run_synod (&r, cluster.a, "--cluster", "elsewhere", "peers", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "belongs to cluster “default”, not “elsewhere”");
  run_synod (&r, cluster.a, "--cluster", "default", "peers", NULL);
  g_assert_cmpint (r.status, ==, 0);

  run_synod (&r, cluster.a, "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "unknown command “frobnicate”");
  run_synod (&r, cluster.a, NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "Commands:");
  run_synod (&r, cluster.a, "--timeout", "0", "peers", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_synod (&r, cluster.a, "--bogus", "peers", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_synod (&r, cluster.a, "ping", "--bogus", "x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_synod (&r, NULL, "--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "synod " PACKAGE_VERSION);
  run_synod (&r, NULL, "call", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "TARGET INTERFACE.METHOD");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote/cli/peers", test_peers);
  g_test_add_func ("/remote/cli/services", test_services);
  g_test_add_func ("/remote/cli/objects", test_objects);
  g_test_add_func ("/remote/cli/introspect", test_introspect);
  g_test_add_func ("/remote/cli/call", test_call);
  g_test_add_func ("/remote/cli/ping", test_ping);
  g_test_add_func ("/remote/cli/monitor", test_monitor);
  g_test_add_func ("/remote/cli/errors", test_errors);
  cluster_start ();
  status = g_test_run ();
  cluster_stop ();
  synod_test_remove_tree (cluster.dir);
  g_free (cluster.dir);
  return status;
}
