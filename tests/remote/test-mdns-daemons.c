/* Discovery end to end on one machine: real synodd processes, no --peer, a
 * private avahi-daemon on loopback. They find each other, list each other as
 * found by mDNS with their addresses, call each other's services by name,
 * see each other leave (SIGTERM and SIGKILL), keep clusters apart, publish
 * nothing with discovery off, and show up in avahi-browse. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <synod.h>

#include "tests/common/synod-test-peers.h"
#include "tests/common/synod-test-mdns.h"

#define CONVERGE_TIMEOUT_S 20
#define POLL_INTERVAL_MS 200

static SynodTestMdns *mdns;
static gchar *skip_reason;

static gboolean
skip_without_mdns (void)
{
  if (mdns == NULL)
    {
      g_test_skip (skip_reason);
      return TRUE;
    }
  return FALSE;
}

/* A cluster name of this run's own: tests of other runs on the machine
 * share the loopback mDNS traffic. */
static gchar *
cluster_name (const gchar *tag)
{
  return g_strdup_printf ("t%d-%s", (int)getpid (), tag);
}

static SynodTestDaemon *
start (const gchar *label, const gchar *cluster, gboolean discovery, const gchar *services)
{
  SynodTestPeerOptions options = {
    .cluster = cluster,
    .discovery = discovery,
    .services = services,
    .probe_interval_ms = 500,
  };
  g_autoptr (GError) error = NULL;
  SynodTestDaemon *d = synod_test_peer_start (&options, &error);

  g_assert_no_error (error);
  g_test_message ("synodd %s listens on %s", label, synod_test_daemon_get_address (d));
  return d;
}

/* Waits until every daemon of @mesh lists all the others by mDNS. */
static void
assert_mesh (SynodTestDaemon **mesh, guint n)
{
  g_autoptr (GError) error = NULL;
  gint64 start_time = g_get_monotonic_time ();

  synod_test_wait_mesh (mesh, n, CONVERGE_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_test_message ("%u daemons saw each other by mDNS in %.1f s", n,
                  (g_get_monotonic_time () - start_time) / 1e6);
}

/* `synod peers` on @self shows each of
 * @others on a line of its own as found by mDNS, connected, at its address. */
static void
assert_tool_shows (SynodTestDaemon *self, SynodTestDaemon **others, guint n_others)
{
  const gchar *tool = synod_test_synod_path ();
  g_autofree gchar *peer_arg = g_strdup_printf ("--peer=%s", synod_test_daemon_get_address (self));
  const gchar *argv[] = { tool, peer_arg, "peers", NULL };
  g_autofree gchar *out = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; i < n_others; i++)
    {
      g_autofree gchar *id = g_strdup_printf ("%016" G_GINT64_MODIFIER "x",
                                              synod_test_daemon_get_peer_id (others[i]));
      gboolean found = FALSE;

      for (guint j = 0; lines[j] && !found; j++)
        found = strstr (lines[j], id) && strstr (lines[j], "mdns") && strstr (lines[j], "connected")
                && strstr (lines[j], synod_test_daemon_get_address (others[i]));
      if (!found)
        g_test_message ("synod peers printed:\n%s", out);
      g_assert_true (found);
    }
}

static gboolean
absent_from (SynodTestDaemon *self, guint64 id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries
      = synod_test_query_peers (synod_test_daemon_get_address (self), NULL, &error);

  g_assert_no_error (error);
  return synod_test_find_entry (entries, id) == NULL;
}

static void
test_find_each_other (void)
{
  g_autofree gchar *alpha = cluster_name ("alpha");
  g_autofree gchar *beta = cluster_name ("beta");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL, c = NULL, stranger = NULL, hidden = NULL;
  SynodTestDaemon *mesh[3];
  g_autoptr (GError) error = NULL;

  g_test_summary ("Three synodd with no --peer and a private avahi-daemon find each other: each "
                  "one's table lists the two others as found by mDNS, connected, at the address "
                  "they announced. A daemon of another cluster and one with discovery switched "
                  "off in its configuration stay out of every table, and the latter is not "
                  "published at all.");
  if (skip_without_mdns ())
    return;
  /* First the ones that must stay apart, so that they had every chance to
   * be seen by the time the others have converged. */
  stranger = start ("stranger", beta, TRUE, NULL);
  hidden = start ("hidden", alpha, FALSE, NULL);
  mesh[0] = a = start ("a", alpha, TRUE, NULL);
  mesh[1] = b = start ("b", alpha, TRUE, NULL);
  mesh[2] = c = start ("c", alpha, TRUE, NULL);
  assert_mesh (mesh, 3);
  {
    SynodTestDaemon *others[2] = { b, c };

    assert_tool_shows (a, others, 2);
  }

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (absent_from (mesh[i], synod_test_daemon_get_peer_id (stranger)));
      g_assert_true (absent_from (mesh[i], synod_test_daemon_get_peer_id (hidden)));
    }
  {
    g_autoptr (GPtrArray) entries
        = synod_test_query_peers (synod_test_daemon_get_address (stranger), NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < 3; i++)
      g_assert_null (synod_test_find_entry (entries, synod_test_daemon_get_peer_id (mesh[i])));
  }
  {
    g_autoptr (GVariant) on = synod_test_query_info (synod_test_daemon_get_address (a), &error);
    g_autoptr (GVariant) off = NULL;
    gboolean discovery = FALSE;

    g_assert_no_error (error);
    g_variant_get (on, "((tsssub))", NULL, NULL, NULL, NULL, NULL, &discovery);
    g_assert_true (discovery);
    off = synod_test_query_info (synod_test_daemon_get_address (hidden), &error);
    g_assert_no_error (error);
    g_variant_get (off, "((tsssub))", NULL, NULL, NULL, NULL, NULL, &discovery);
    g_assert_false (discovery);
  }
  g_assert_cmpuint (synod_test_peer_count_in_log (hidden, "mDNS"), ==, 0);
}

/* Runs avahi-browse -rtp until it resolves every id of @ids (bounded).
 * Returns its last output. */
static gchar *
avahi_browse_until (const guint64 *ids, guint n, gboolean *ret_all)
{
  /* Bounded: avahi-browse waits as long as a resolution is pending. */
  const gchar *argv[] = { "timeout", "10", "avahi-browse", "-rtp", "_synod._tcp", NULL };
  gchar *out = NULL;

  *ret_all = FALSE;
  for (guint attempt = 0; attempt < 40 && !*ret_all; attempt++)
    {
      gint status = 0;

      g_clear_pointer (&out, g_free);
      g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, NULL, &status, NULL));
      *ret_all = TRUE;
      for (guint i = 0; i < n; i++)
        {
          g_autofree gchar *txt = g_strdup_printf ("\"peer=%016" G_GINT64_MODIFIER "x\"", ids[i]);

          if (strstr (out, txt) == NULL)
            *ret_all = FALSE;
        }
      if (!*ret_all)
        g_usleep (250 * 1000);
    }
  return out;
}

static void
test_avahi_browse (void)
{
  g_autofree gchar *alpha = cluster_name ("browse");
  g_autofree gchar *other = cluster_name ("browse-other");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL, c = NULL, hidden = NULL;
  g_autofree gchar *browse = g_find_program_in_path ("avahi-browse");
  g_autofree gchar *out = NULL;
  guint64 ids[3];
  gboolean all = FALSE;

  g_test_summary ("avahi-browse -rtp _synod._tcp, a client nobody here wrote, resolves every "
                  "daemon (whatever its cluster) with its address, port and TXT record, and not "
                  "the daemon whose discovery is off.");
  if (skip_without_mdns ())
    return;
  if (browse == NULL)
    {
      g_test_skip ("avahi-browse (avahi-utils) is not installed");
      return;
    }
  hidden = start ("hidden", alpha, FALSE, NULL);
  a = start ("a", alpha, TRUE, NULL);
  b = start ("b", alpha, TRUE, NULL);
  c = start ("c", other, TRUE, NULL);
  ids[0] = synod_test_daemon_get_peer_id (a);
  ids[1] = synod_test_daemon_get_peer_id (b);
  ids[2] = synod_test_daemon_get_peer_id (c);
  out = avahi_browse_until (ids, 3, &all);
  if (!all)
    g_test_message ("avahi-browse printed:\n%s", out);
  g_assert_true (all);
  for (guint i = 0; i < 3; i++)
    {
      SynodTestDaemon *d = i == 0 ? a : i == 1 ? b : c;
      const gchar *address = synod_test_daemon_get_address (d);
      const gchar *port = strrchr (address, ':') + 1;
      g_autofree gchar *line_start = g_strdup_printf (
          "=;lo;IPv4;synod-%016" G_GINT64_MODIFIER "x;_synod._tcp;local;", ids[i]);
      g_autofree gchar *where = g_strdup_printf (";127.0.0.1;%s;", port);
      g_autofree gchar *cluster = g_strdup_printf ("\"cluster=%s\"", i == 2 ? other : alpha);
      g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
      gboolean found = FALSE;

      for (guint j = 0; lines[j]; j++)
        if (g_str_has_prefix (lines[j], line_start))
          {
            found = TRUE;
            g_assert_nonnull (strstr (lines[j], where));
            g_assert_nonnull (strstr (lines[j], cluster));
            g_assert_nonnull (strstr (lines[j], "\"proto=1\""));
          }
      g_assert_true (found);
    }
  {
    g_autofree gchar *txt = g_strdup_printf ("\"peer=%016" G_GINT64_MODIFIER "x\"",
                                             synod_test_daemon_get_peer_id (hidden));

    g_assert_null (strstr (out, txt));
  }
}

static void
test_service_by_name (void)
{
  g_autofree gchar *cluster = cluster_name ("names");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL, c = NULL;
  g_autoptr (GError) error = NULL;
  SynodTestDaemon *mesh[3];
  g_autofree gchar *a_id = NULL;

  g_test_summary ("A service registered on one daemon (an [object] group of its configuration) "
                  "is called by name from the two others, which found it by mDNS only.");
  if (skip_without_mdns ())
    return;
  mesh[0] = a = start ("a", cluster, TRUE, "test.locator;shop.where");
  mesh[1] = b = start ("b", cluster, TRUE, "test.locator");
  mesh[2] = c = start ("c", cluster, TRUE, "test.locator");
  assert_mesh (mesh, 3);
  a_id = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", synod_test_daemon_get_peer_id (a));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *answer
          = synod_test_query_ask (synod_test_daemon_get_address (mesh[i]), "shop.where", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (answer, ==, a_id);
    }
  /* A name nobody provides is a clear error, not a hang. */
  {
    g_autofree gchar *answer
        = synod_test_query_ask (synod_test_daemon_get_address (b), "shop.nowhere", &error);

    g_assert_null (answer);
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  }
}

static void
leaves (int signo)
{
  g_autofree gchar *cluster = cluster_name (signo == SIGKILL ? "kill" : "term");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL, c = NULL;
  g_autoptr (GError) error = NULL;
  SynodTestDaemon *mesh[3];
  guint64 gone;
  gint64 start_time, deadline;
  gboolean ok = FALSE;

  if (skip_without_mdns ())
    return;
  mesh[0] = a = start ("a", cluster, TRUE, NULL);
  mesh[1] = b = start ("b", cluster, TRUE, NULL);
  mesh[2] = c = start ("c", cluster, TRUE, NULL);
  assert_mesh (mesh, 3);

  gone = synod_test_daemon_get_peer_id (c);
  start_time = g_get_monotonic_time ();
  g_assert_true (synod_test_peer_stop (c, signo, &error));
  g_assert_no_error (error);
  deadline = start_time + CONVERGE_TIMEOUT_S * G_USEC_PER_SEC;
  while (!(ok = absent_from (a, gone) && absent_from (b, gone))
         && g_get_monotonic_time () < deadline)
    g_usleep (POLL_INTERVAL_MS * 1000);
  g_assert_true (ok);
  g_test_message ("gone from both tables %.1f s after signal %d",
                  (g_get_monotonic_time () - start_time) / 1e6, signo);
  /* The two that are left still see each other. */
  {
    SynodTestDaemon *rest[2] = { a, b };

    assert_mesh (rest, 2);
  }
}

static void
test_sigterm_leaves (void)
{
  g_test_summary ("A daemon stopped with SIGTERM disappears from the others' tables (mDNS "
                  "withdraws it, its connections close), and the others keep each other.");
  leaves (SIGTERM);
}

static void
test_sigkill_leaves (void)
{
  g_test_summary ("A daemon killed with SIGKILL (no clean exit) disappears from the others' "
                  "tables too: avahi-daemon withdraws what a vanished client published.");
  leaves (SIGKILL);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  {
    /* Before any thread: the fixture moves the test into a network
     * namespace of its own. */
    g_autofree gchar *host = g_strdup_printf ("synodtest-d%d", (int)getpid ());

    mdns = synod_test_mdns_setup (host, &skip_reason);
  }
  g_test_add_func ("/synodd-mdns/find-each-other", test_find_each_other);
  g_test_add_func ("/synodd-mdns/service-by-name", test_service_by_name);
  g_test_add_func ("/synodd-mdns/avahi-browse", test_avahi_browse);
  g_test_add_func ("/synodd-mdns/sigterm-leaves", test_sigterm_leaves);
  g_test_add_func ("/synodd-mdns/sigkill-leaves", test_sigkill_leaves);
  ret = g_test_run ();
  synod_test_mdns_free (mdns);
  g_free (skip_reason);
  return ret;
}
