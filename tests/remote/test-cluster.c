/* Multi-process tests: real synodd daemons on loopback calling each other.
 *
 * Three daemons (a, b, c; b and c given a as their static peer) run the
 * ClusterTest.Counter class from a plugin, with objects, service names and
 * aliases made from their configuration files, and fixed peer ids (written
 * to their state directories first) so the tests know every Id in advance.
 * The test process is a fourth peer: a broker and a network without a
 * listener, which calls the daemons with generated stubs and makes them
 * call each other (relay methods). Other daemons come and go for the
 * destructive tests: killed mid-call, restarted, flooded, fed garbage.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <rpc/rpc.h>

#include <synod.h>

#include "cluster-test.h"
#include "cluster-common.h"
#include "synod-test-daemon.h"

#define PROGRAM 542333262u /* 0x2053594E */
static SynodRef *
ref (const gchar *target)
{
  g_autoptr (GError) error = NULL;
  SynodRef *r = synod_ref_new_parse (cluster.broker, target, &error);

  g_assert_no_error (error);
  return r;
}

static guint32
total_of (const gchar *target)
{
  g_autoptr (SynodRef) r = ref (target);
  g_autoptr (GError) error = NULL;
  guint32 total = 0;

  g_assert_true (cluster_test_counter_total (r, &total, &error));
  g_assert_no_error (error);
  return total;
}

static guint64
peer_of (const gchar *target)
{
  g_autoptr (SynodRef) r = ref (target);
  g_autoptr (GError) error = NULL;
  guint64 peer = 0;

  g_assert_true (cluster_test_counter_peer (r, &peer, &error));
  g_assert_no_error (error);
  return peer;
}

static guint32
relay (const gchar *from, const gchar *target, const gchar *how, guint32 n, GError **error)
{
  g_autoptr (SynodRef) r = ref (from);
  guint32 result = G_MAXUINT32;

  cluster_test_counter_relay (r, target, how, n, &result, error);
  return result;
}

/* ---- calls between daemons ---- */

static void
test_sync_async_oneway (void)
{
  g_autoptr (GError) error = NULL;
  guint32 before = total_of (COUNTER_B);

  g_test_summary ("Daemon a sends to an object on daemon b synchronously, asynchronously and "
                  "oneway (relay runs inside a); results come back through a to the test, and "
                  "b's object counted each.");
  g_assert_cmpuint (relay (COUNTER_A, COUNTER_B, "sync-add", 5, &error), ==, before + 5);
  g_assert_no_error (error);
  g_assert_cmpuint (relay (COUNTER_A, COUNTER_B, "async-add", 3, &error), ==, before + 8);
  g_assert_no_error (error);
  g_assert_cmpuint (relay (COUNTER_A, COUNTER_B, "oneway-bump", 2, &error), ==, 0);
  g_assert_no_error (error);
  /* A oneway send returns before it runs: wait (bounded) for its effect. */
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

    while (total_of (COUNTER_B) != before + 10)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
      }
  }
  /* The test process's own sends, in the three forms, to daemon c. */
  {
    g_autoptr (SynodRef) c = ref (COUNTER_C);
    guint32 start = total_of (COUNTER_C), total = 0;

    g_assert_true (cluster_test_counter_add (c, 1, &total, &error));
    g_assert_cmpuint (total, ==, start + 1);
    g_assert_true (cluster_test_counter_bump (c, 1, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (relay (COUNTER_A, COUNTER_C, "sync-add", 0, &error), >=, start + 1);
  }
  /* The method's own error crosses two hops with its domain and code. */
  {
    g_autoptr (SynodRef) b = ref (COUNTER_B);

    g_assert_false (cluster_test_counter_fail (b, 7, &error));
    g_assert_true (
        g_error_matches (error, g_quark_from_static_string ("cluster-test-error-quark"), 7)
        || g_error_matches (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_REMOTE));
    g_assert_nonnull (strstr (error->message, "failing as asked, with code 7"));
  }
}

static void
test_service_names (void)
{
  g_autoptr (GError) error = NULL;
  guint32 a_before = total_of (COUNTER_A), b_before = total_of (COUNTER_B);

  g_test_summary ("Service names registered from configuration files resolve across daemons; "
                  "a daemon with a local provider of a name uses it.");
  g_assert_cmpuint (peer_of ("cluster.b"), ==, synod_test_daemon_get_peer_id (cluster.b));
  g_assert_cmpuint (peer_of ("cluster.c"), ==, synod_test_daemon_get_peer_id (cluster.c));
  /* From a, by name, to b. */
  g_assert_cmpuint (relay (COUNTER_A, "cluster.b", "sync-add", 4, &error), ==, b_before + 4);
  g_assert_no_error (error);
  /* a provides cluster.replicas itself: its own send stays local. */
  g_assert_cmpuint (relay (HELPER_A, "cluster.replicas", "sync-add", 6, &error), ==, a_before + 6);
  g_assert_cmpuint (total_of (COUNTER_B), ==, b_before + 4);
  /* A name nobody provides. */
  relay (COUNTER_A, "cluster.nobody", "sync-add", 1, &error);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

static void
test_aliases (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) b = ref (COUNTER_B);
  g_auto (StandardIdList) aliases = { 0 };
  const gchar *names[] = { ALIAS_B_OWN, ALIAS_B_FROM_A, ALIAS_B_NOWHERE };
  guint64 b_id = synod_test_daemon_get_peer_id (cluster.b);

  g_test_summary ("An object's aliases reach it from other peers: one with its own peer's "
                  "half, one with another peer's half (a duplicate imported from there) and one "
                  "naming a peer nobody knows: the sender finds where the object lives.");
  g_assert_true (standard_object_aliases (b, &aliases, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (aliases.len, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint32 before = total_of (COUNTER_B);
      g_autoptr (SynodRef) alias = ref (names[i]);
      guint32 total = 0;
      SynodObjectId id;

      /* From the test process. */
      g_assert_cmpuint (peer_of (names[i]), ==, b_id);
      g_assert_true (cluster_test_counter_add (alias, 1, &total, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (total, ==, before + 1);
      /* Standard.Object.id tells the canonical Id. */
      g_assert_true (standard_object_id (alias, &id, &error));
      g_assert_no_error (error);
      {
        g_autofree gchar *text = synod_object_id_to_string (&id);
        g_assert_cmpstr (text, ==, COUNTER_B);
      }
      /* From daemon c, which has never heard of the alias. */
      g_assert_cmpuint (relay (COUNTER_C, names[i], "sync-add", 1, &error), ==, before + 2);
      g_assert_no_error (error);
    }
  /* An Id with a's half that a does not hold is, for a itself, nothing
   * (a never asks others about its own Ids: it made them). */
  relay (COUNTER_A, ALIAS_B_FROM_A, "sync-add", 1, &error);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  /* An Id no peer holds. */
  relay (COUNTER_C, PEER_B "-00000000000009ff", "sync-add", 1, &error);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

static void
test_group_send (void)
{
  g_autoptr (GError) error = NULL;
  ClusterTestGroupTotal group = { 0 };
  g_autoptr (SynodRef) a = ref (COUNTER_A);
  guint32 expected = total_of (COUNTER_A) + total_of (COUNTER_B) + total_of (COUNTER_C) + 3 * 7;
  g_autoptr (GPtrArray) replies = NULL;
  ClusterTestCounterAddArgs args = { .n = 1 };
  guint64 seen[3];

  g_test_summary ("A group send from daemon a reaches the providers of cluster.replicas on the "
                  "three daemons (its own and two remote); so does one from the test process.");
  g_assert_true (cluster_test_counter_relay_group (a, "cluster.replicas", 7, &group, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (group.replies, ==, 3);
  g_assert_cmpuint (group.failures, ==, 0);
  g_assert_cmpuint (group.sum, ==, expected);

  replies = synod_invoke_group_sync (cluster.broker, "cluster.replicas",
                                     CLUSTER_TEST_COUNTER_METHOD_ADD, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SynodGroupReply *r = replies->pdata[i];

      g_assert_no_error (r->error);
      seen[i] = r->provider.peer;
    }
  g_assert_cmpuint (seen[0], !=, seen[1]);
  g_assert_cmpuint (seen[1], !=, seen[2]);
  g_assert_cmpuint (seen[0], !=, seen[2]);
}

/* ---- a daemon killed mid-call, then restarted ---- */

typedef struct
{
  const gchar *from;
  gchar *target;
  guint32 result;
  GError *error;
  gint64 finished_at;
} SlowRelay;

static gpointer
slow_relay_thread (gpointer data)
{
  SlowRelay *r = data;

  r->result = relay (r->from, r->target, "sync-slow", 30000, &r->error);
  r->finished_at = g_get_monotonic_time ();
  return NULL;
}

static gpointer
slow_direct_thread (gpointer data)
{
  SlowRelay *r = data;
  g_autoptr (SynodRef) target = ref (r->target);

  cluster_test_counter_slow (target, 30000, &r->result, &r->error);
  r->finished_at = g_get_monotonic_time ();
  return NULL;
}

static void
wait_running (const gchar *watcher, guint32 n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  g_autoptr (SynodRef) r = ref (watcher);
  guint32 running = 0;

  for (;;)
    {
      g_autoptr (GError) error = NULL;

      cluster_test_counter_running (r, &running, &error);
      g_assert_no_error (error);
      if (running >= n)
        return;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5 * 1000);
    }
}

/* Polls @peer's synod.peer until @object has @n invocations queued. */
static void
wait_queued (guint64 peer, const gchar *object, guint32 n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) reply = cluster_peer_call (peer, "objects", &error);
      g_autoptr (GVariant) list = NULL;
      GVariantIter iter;
      const gchar *id;
      guint32 queued;

      g_assert_no_error (error);
      list = g_variant_get_child_value (reply, 0);
      g_variant_iter_init (&iter, list);
      while (g_variant_iter_next (&iter, "(&s&s@as@as@asu)", &id, NULL, NULL, NULL, NULL, &queued))
        if (strcmp (id, object) == 0 && queued >= n)
          return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5 * 1000);
    }
}

static void
test_killed_mid_call_and_restart (void)
{
  const gchar *to_a[2] = { synod_test_daemon_get_address (cluster.a), NULL };
  g_autoptr (SynodTestDaemon) d = NULL;
  SlowRelay via_a = { .from = COUNTER_A }, direct = { 0 };
  GThread *t1, *t2;
  gint64 killed_at;
  guint16 port;
  const gchar *peer_d = "d0d0d0d0d0d0d0d4";
  g_autofree gchar *sleeper = g_strdup_printf ("%s-0000000000000002", peer_d);
  g_autofree gchar *watcher = g_strdup_printf ("%s-0000000000000003", peer_d);

  g_test_summary ("Calls in flight to a daemon killed with SIGKILL fail promptly, both for the "
                  "test process and for a daemon relaying the call; the daemon restarted with "
                  "the same state directory has the same peer id and is reached again.");
  d = cluster_start_daemon ("d", peer_d,
                            "[object sleeper]\nclass=ClusterTest.Counter;1\n"
                            "[object watcher]\nclass=ClusterTest.Counter;1\n",
                            to_a, NULL);
  port = synod_test_daemon_get_port (d);
  /* Ready means listening: wait until a has heard from d too. */
  {
    guint64 d_id = synod_test_daemon_get_peer_id (d);

    cluster_wait_peer_sees (cluster.a, &d_id, 1);
  }
  via_a.target = g_strdup (sleeper);
  direct.target = g_strdup (sleeper);
  t1 = g_thread_new ("via-a", slow_relay_thread, &via_a);
  wait_running (watcher, 1);
  /* The second waits behind the first (one active method per object; and
   * a method blocked in a sleep holds its worker, of which a daemon runs one
   * per core, so the wait is for it to be queued). */
  t2 = g_thread_new ("direct", slow_direct_thread, &direct);
  wait_queued (synod_test_daemon_get_peer_id (d), sleeper, 1);

  killed_at = g_get_monotonic_time ();
  synod_test_daemon_kill (d);
  g_thread_join (t1);
  g_thread_join (t2);
  g_assert_nonnull (via_a.error);
  g_assert_nonnull (direct.error);
  g_test_message ("via a: %s; direct: %s", via_a.error->message, direct.error->message);
  g_assert_true (g_error_matches (direct.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED));
  g_assert_true (g_error_matches (via_a.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED));
  g_assert_cmpint (via_a.finished_at - killed_at, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (direct.finished_at - killed_at, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&via_a.error);
  g_clear_error (&direct.error);

  /* While it is down, calls fail (and do not hang). */
  {
    g_autoptr (GError) error = NULL;

    relay (COUNTER_A, watcher, "sync-add", 1, &error);
    g_assert_nonnull (error);
  }

  /* Back, with the same state directory, on the same port. */
  {
    g_autoptr (GError) error = NULL;
    gint64 deadline;
    guint32 total = 0;

    g_assert_true (synod_test_daemon_restart (d, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (synod_test_daemon_get_peer_id_text (d), ==, peer_d);
    g_assert_cmpuint (synod_test_daemon_get_port (d), ==, port);
    /* a reconnects (it dials on demand); the test process too. */
    deadline = g_get_monotonic_time () + WAIT_MS * 1000;
    while ((total = relay (COUNTER_A, watcher, "sync-add", 5, &error)) == G_MAXUINT32)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_clear_error (&error);
        g_usleep (50 * 1000);
      }
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 5); /* a fresh object: the state is the peer id, not data */
    deadline = g_get_monotonic_time () + WAIT_MS * 1000;
    for (;;)
      {
        g_autoptr (SynodRef) w = ref (watcher);

        if (cluster_test_counter_total (w, &total, &error))
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_clear_error (&error);
        g_usleep (50 * 1000);
      }
    g_assert_cmpuint (total, ==, 5);
  }

  /* Killed again, and back on another port: a (which d dials) and b (which
   * learned d from a) reach it at its new address. */
  {
    g_autoptr (GError) error = NULL;
    gint64 deadline;
    guint32 total = 0;

    synod_test_daemon_kill (d);
    g_assert_true (synod_test_daemon_restart_elsewhere (d, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (synod_test_daemon_get_peer_id_text (d), ==, peer_d);
    g_assert_cmpuint (synod_test_daemon_get_port (d), !=, port);
    for (guint i = 0; i < 2; i++)
      {
        const gchar *from = i == 0 ? COUNTER_A : COUNTER_B;

        deadline = g_get_monotonic_time () + WAIT_MS * 1000;
        while ((total = relay (from, watcher, "sync-add", 1, &error)) == G_MAXUINT32)
          {
            if (g_get_monotonic_time () >= deadline)
              g_error ("%s cannot reach the moved daemon: %s", from, error->message);
            g_clear_error (&error);
            g_usleep (50 * 1000);
          }
        g_assert_no_error (error);
        g_assert_cmpuint (total, ==, i + 1);
      }
    /* A newcomer learning d from a's table (the tool, here) is told the
     * new address, not the one d left. */
    {
      g_autofree gchar *peer_arg
          = g_strdup_printf ("--peer=%s", synod_test_daemon_get_address (cluster.a));
      const gchar *argv[]
          = { synod_test_synod_path (), peer_arg, "--timeout=10", "ping", watcher, NULL };
      g_autofree gchar *out = NULL, *err = NULL;
      int status = -1;

      g_assert_true (synod_test_run (argv, NULL, 30000, &out, &err, &status, &error));
      g_assert_no_error (error);
      if (status != 0)
        g_error ("synod ping of the moved daemon through a: status %d: %s%s", status, out, err);
    }
  }
  g_free (via_a.target);
  g_free (direct.target);
}

/* ---- configuration errors ---- */

static void
expect_config_error (const gchar *config, const gchar *expected_text, int expected_status)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = cluster_write_file (cluster.dir, "bad.conf", config);
  g_autofree gchar *state = g_build_filename (cluster.dir, "bad-state", NULL);
  g_autofree gchar *out = NULL, *err = NULL;
  int status = -1;
  const gchar *argv[] = { synod_test_synodd_path (),
                          "--config",
                          path,
                          "--listen",
                          "127.0.0.1:0",
                          "--state-dir",
                          state,
                          "--no-discovery",
                          "--no-rpcbind",
                          NULL };

  g_assert_true (synod_test_run (argv, NULL, 20000, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s → status %d: %s", expected_text, status, err);
  g_assert_cmpint (status, ==, expected_status);
  g_assert_nonnull (strstr (err, expected_text));
  g_assert_nonnull (strstr (err, "bad.conf"));
}

static void
test_config_errors (void)
{
  g_autofree gchar *plugin_path
      = g_strdup_printf ("[synodd]\nclass-path=%s\n", SYNOD_TEST_PLUGIN_DIR);
  struct
  {
    const gchar *body;
    const gchar *text;
  } cases[] = {
    { "[synodd]\nlisten=127.0.0.1:0\nbogus=1\n", "unknown key “bogus” in [synodd]" },
    { "[nonsense]\nx=1\n", "unknown group [nonsense]" },
    { "[synodd]\nmax-connections=lots\n", "max-connections" },
    { "[object x]\nclass=ClusterTest.Counter;1\ncolour=red\n",
      "unknown key “colour” in [object x]" },
    { "[object x]\nclass=No.Such;1\n", "No.Such" },
    { "[object x]\nclass=not a class\n", "needs class=NAMESPACE.NAME;VERSION" },
    { "[object x]\nparams={'start': <uint32 1>}\n", "needs class=NAMESPACE.NAME;VERSION" },
    { "[object x]\nclass=ClusterTest.Counter;1\nparams={'start': <\n", "params is not a GVariant" },
    { "[object x]\nclass=ClusterTest.Counter;1\nparams={'colour': <'red'>}\n",
      "no parameter “colour”" },
    { "[object x]\nclass=ClusterTest.Counter;1\nparams=42\n", "takes a{sv} parameters" },
    { "[object x]\nclass=ClusterTest.Counter;1\nacl-default=maybe\n", "acl-default" },
    { "[object x]\nclass=ClusterTest.Counter;1\nacl=* *\n", "acl rule" },
    { "[object x]\nclass=ClusterTest.Counter;1\naliases=not-an-id\n", "alias" },
    { "[object x]\nclass=ClusterTest.Counter;1\nservices=bad name!\n", "[object x]" },
  };

  g_test_summary ("A configuration file with an unknown group or key, a class that does not "
                  "exist, or parameters the class refuses stops synodd at start with exit "
                  "status 2 and a message naming the file, the group and the fault.");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *body = NULL;

      /* The object cases need the plugin's class path. */
      body = g_str_has_prefix (cases[i].body, "[object")
                 ? g_strconcat (plugin_path, cases[i].body, NULL)
                 : g_strdup (cases[i].body);
      expect_config_error (body, cases[i].text, 2);
    }
  /* A file that does not exist. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *err = NULL;
    int status = -1;
    const gchar *argv[]
        = { synod_test_synodd_path (), "--config", "/nonexistent/synodd.conf", NULL };

    g_assert_true (synod_test_run (argv, NULL, 20000, NULL, &err, &status, &error));
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "/nonexistent/synodd.conf"));
  }
  /* Bad options. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *err = NULL;
    int status = -1;
    const gchar *argv[] = { synod_test_synodd_path (), "--max-connections", "0", NULL };

    g_assert_true (synod_test_run (argv, NULL, 20000, NULL, &err, &status, &error));
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "max-connections"));
  }
}

/* ---- hostile input on raw sockets ---- */

static int
raw_connect (guint16 port)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct timeval tv = { 5, 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *)&sin, sizeof sin), ==, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void
send_all (int fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; /* the daemon may close on us: that is what some cases expect */
      p += n;
      len -= n;
    }
}

static void
send_record (int fd, const guint8 *body, gsize len)
{
  guint32 mark = htonl (0x80000000u | (guint32)len);

  send_all (fd, &mark, 4);
  send_all (fd, body, len);
}

/* Reads one record (a single fragment); NULL on EOF or timeout. */
static GBytes *
read_record (int fd)
{
  guint32 mark;
  gsize got = 0, len;
  guint8 *body;

  while (got < 4)
    {
      ssize_t n = recv (fd, (guint8 *)&mark + got, 4 - got, 0);

      if (n <= 0)
        return NULL;
      got += n;
    }
  len = ntohl (mark) & 0x7fffffffu;
  g_assert_cmpuint (len, <, 1 << 20);
  body = g_malloc (len);
  for (got = 0; got < len;)
    {
      ssize_t n = recv (fd, body + got, len - got, 0);

      if (n <= 0)
        {
          g_free (body);
          return NULL;
        }
      got += n;
    }
  return g_bytes_new_take (body, len);
}

/* Whether the daemon closed @fd (EOF or reset) within the receive timeout. */
static gboolean
closed_by_peer (int fd)
{
  guint8 buf[256];

  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, 0);

      if (n == 0 || (n < 0 && errno == ECONNRESET))
        return TRUE;
      if (n < 0)
        return FALSE; /* timed out: still open */
    }
}

static gsize
call_header (guint8 *buf, guint32 xid, guint32 rpcvers, guint32 prog, guint32 vers, guint32 proc)
{
  struct rpc_msg msg = { 0 };
  XDR xdrs;
  gsize len;

  msg.rm_xid = xid;
  msg.rm_direction = CALL;
  msg.rm_call.cb_rpcvers = 2; /* libtirpc encodes nothing else: patched below */
  msg.rm_call.cb_prog = prog;
  msg.rm_call.cb_vers = vers;
  msg.rm_call.cb_proc = proc;
  msg.rm_call.cb_cred.oa_flavor = AUTH_NONE;
  msg.rm_call.cb_verf.oa_flavor = AUTH_NONE;
  xdrmem_create (&xdrs, (char *)buf, 256, XDR_ENCODE);
  g_assert_true (xdr_callmsg (&xdrs, &msg));
  len = xdr_getpos (&xdrs);
  xdr_destroy (&xdrs);
  {
    guint32 be = htonl (rpcvers);

    memcpy (buf + 8, &be, 4);
  }
  return len;
}

typedef struct
{
  gboolean accepted;
  guint32 stat; /* accept_stat, or reject_stat */
  guint32 low, high;
} Reply;

/* Stands for the results after a reply header (their decoding is not the
 * point here). */
static bool_t
results_follow (XDR *xdrs, ...)
{
  return TRUE;
}

static void
decode_reply (GBytes *record, guint32 xid, Reply *ret)
{
  struct rpc_msg msg = { 0 };
  XDR xdrs;

  msg.acpted_rply.ar_results.where = NULL;
  msg.acpted_rply.ar_results.proc = results_follow;
  xdrmem_create (&xdrs, (char *)g_bytes_get_data (record, NULL), g_bytes_get_size (record),
                 XDR_DECODE);
  g_assert_true (xdr_replymsg (&xdrs, &msg));
  xdr_destroy (&xdrs);
  g_assert_cmpuint (msg.rm_xid, ==, xid);
  ret->accepted = msg.rm_reply.rp_stat == MSG_ACCEPTED;
  if (ret->accepted)
    {
      ret->stat = msg.acpted_rply.ar_stat;
      ret->low = msg.acpted_rply.ar_vers.low;
      ret->high = msg.acpted_rply.ar_vers.high;
    }
  else
    {
      ret->stat = msg.rjcted_rply.rj_stat;
      ret->low = msg.rjcted_rply.rj_vers.low;
      ret->high = msg.rjcted_rply.rj_vers.high;
    }
}

static void
call_raw (int fd, guint32 xid, guint32 rpcvers, guint32 prog, guint32 vers, guint32 proc,
          const guint8 *args, gsize args_len, Reply *ret)
{
  guint8 buf[512];
  gsize len = call_header (buf, xid, rpcvers, prog, vers, proc);
  g_autoptr (GBytes) reply = NULL;

  g_assert_cmpuint (len + args_len, <=, sizeof buf);
  if (args_len > 0)
    memcpy (buf + len, args, args_len);
  send_record (fd, buf, len + args_len);
  reply = read_record (fd);
  g_assert_nonnull (reply);
  decode_reply (reply, xid, ret);
}

/* The daemon answers a NULL call on a fresh connection. */
static void
assert_serving (SynodTestDaemon *daemon)
{
  int fd = raw_connect (synod_test_daemon_get_port (daemon));
  Reply r;

  g_assert_true (synod_test_daemon_is_running (daemon));
  call_raw (fd, 42, 2, PROGRAM, 1, 0, NULL, 0, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, SUCCESS);
  close (fd);
}

/* Waits (bounded) until a fresh connection gets its NULL call answered:
 * once the daemon has seen the closes of earlier connections, their slots
 * under --max-connections are free again. */
static void
wait_serving (SynodTestDaemon *daemon)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;)
    {
      int probe = raw_connect (synod_test_daemon_get_port (daemon));
      struct timeval tv = { 1, 0 };
      guint8 buf[512];
      gsize len = call_header (buf, 9, 2, PROGRAM, 1, 0);
      g_autoptr (GBytes) reply = NULL;

      setsockopt (probe, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      send_record (probe, buf, len);
      reply = read_record (probe);
      close (probe);
      if (reply != NULL)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
test_hostile_input (void)
{
  g_autoptr (SynodTestDaemon) e = NULL;
  const gchar *extra[] = { "--max-connections", "8", NULL };
  guint16 port;
  Reply r;
  int fd;

  g_test_summary ("A live synodd fed garbage, truncated records, an oversized fragment, calls "
                  "to the wrong program, version or procedure, undecodable arguments and a "
                  "flood of connections beyond --max-connections answers each with the RFC "
                  "5531 rejection or a close, and keeps serving.");
  e = cluster_start_daemon ("e", "e0e0e0e0e0e0e0e5",
                            "max-message-bytes=65536\n"
                            "[object counter]\nclass=ClusterTest.Counter;1\n",
                            NULL, extra);
  port = synod_test_daemon_get_port (e);

  /* Rejections on one connection, which stays up through all of them. */
  fd = raw_connect (port);
  call_raw (fd, 1, 2, PROGRAM + 1, 1, 0, NULL, 0, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, PROG_UNAVAIL);
  call_raw (fd, 2, 2, PROGRAM, 7, 0, NULL, 0, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, PROG_MISMATCH);
  g_assert_cmpuint (r.low, ==, 1);
  g_assert_cmpuint (r.high, ==, 1);
  call_raw (fd, 3, 2, PROGRAM, 1, 999, NULL, 0, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, PROC_UNAVAIL);
  call_raw (fd, 4, 2, PROGRAM, 1, 2 /* INVOKE */, (const guint8 *)"\x00\x00\x00\x01", 4, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, GARBAGE_ARGS);
  call_raw (fd, 5, 3, PROGRAM, 1, 0, NULL, 0, &r);
  g_assert_false (r.accepted);
  g_assert_cmpuint (r.stat, ==, RPC_MISMATCH);
  g_assert_cmpuint (r.low, ==, 2);
  g_assert_cmpuint (r.high, ==, 2);
  call_raw (fd, 6, 2, PROGRAM, 1, 0, NULL, 0, &r);
  g_assert_true (r.accepted);
  g_assert_cmpuint (r.stat, ==, SUCCESS);
  close (fd);

  /* Garbage: random bytes make a fragment length over the limit, or a
   * header that does not decode. */
  for (guint round = 0; round < 8; round++)
    {
      guint8 junk[1024];

      for (gsize i = 0; i < sizeof junk; i++)
        junk[i] = (guint8)g_random_int ();
      junk[0] |= 0x80; /* a last fragment of 2 GiB or so */
      fd = raw_connect (port);
      send_all (fd, junk, sizeof junk);
      g_assert_true (closed_by_peer (fd));
      close (fd);
    }
  assert_serving (e);

  /* An oversized fragment is refused at its mark, long before its bytes. */
  {
    guint32 mark = htonl (0x80000000u | (1u << 20));

    fd = raw_connect (port);
    send_all (fd, &mark, 4);
    g_assert_true (closed_by_peer (fd));
    close (fd);
  }
  /* A record too short for a message, and a truncated one cut off. */
  fd = raw_connect (port);
  send_record (fd, (const guint8 *)"\x00\x00\x00\x01", 4);
  g_assert_true (closed_by_peer (fd));
  close (fd);
  {
    guint32 mark = htonl (0x80000000u | 200);

    fd = raw_connect (port);
    send_all (fd, &mark, 4);
    send_all (fd, "only a part of the record", 25);
    close (fd);
  }
  assert_serving (e);

  /* A flood: twice the cap. Those beyond it are closed at once; the
   * daemon keeps serving the others and, once they go, new ones. */
  {
    int flood[16];
    guint closed = 0;

    for (guint i = 0; i < G_N_ELEMENTS (flood); i++)
      flood[i] = raw_connect (port);
    for (guint i = 0; i < G_N_ELEMENTS (flood); i++)
      {
        struct timeval tv = { 0, 300 * 1000 };

        setsockopt (flood[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (closed_by_peer (flood[i]))
          closed++;
      }
    g_test_message ("%u of %zu flood connections closed by the daemon", closed,
                    G_N_ELEMENTS (flood));
    g_assert_cmpuint (closed, >=, G_N_ELEMENTS (flood) - 8);
    /* The first ones were accepted: they are served. */
    {
      struct timeval tv = { 5, 0 };

      setsockopt (flood[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      call_raw (flood[0], 77, 2, PROGRAM, 1, 0, NULL, 0, &r);
      g_assert_cmpuint (r.stat, ==, SUCCESS);
    }
    for (guint i = 0; i < G_N_ELEMENTS (flood); i++)
      close (flood[i]);
  }
  /* Their slots come back (bounded wait: the daemon sees the closes). */
  wait_serving (e);
  /* Many more connections made and closed than the cap: nothing leaks. */
  for (guint i = 0; i < 40; i++)
    close (raw_connect (port));
  wait_serving (e);
  assert_serving (e);
  {
    int status = 0;

    g_assert_true (synod_test_daemon_stop (e, SIGTERM, 10000, &status));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote/cluster/sync-async-oneway", test_sync_async_oneway);
  g_test_add_func ("/remote/cluster/service-names", test_service_names);
  g_test_add_func ("/remote/cluster/aliases", test_aliases);
  g_test_add_func ("/remote/cluster/group-send", test_group_send);
  g_test_add_func ("/remote/cluster/killed-mid-call-and-restart", test_killed_mid_call_and_restart);
  g_test_add_func ("/remote/cluster/config-errors", test_config_errors);
  g_test_add_func ("/remote/cluster/hostile-input", test_hostile_input);
  cluster_start ();
  status = g_test_run ();
  cluster_stop ();
  synod_test_remove_tree (cluster.dir);
  g_free (cluster.dir);
  return status;
}
