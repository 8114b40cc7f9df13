/* synodd without an avahi-daemon, end to end: it starts, says once in its
 * log that mDNS is unavailable and static peers are used, works with --peer,
 * and picks discovery up when avahi-daemon starts later; an avahi-daemon
 * restart costs no peer its place in the table. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <synod.h>

#include "tests/common/synod-test-peers.h"
#include "tests/common/synod-test-mdns.h"

#define TIMEOUT_S 20

#define SAID_UNAVAILABLE "mDNS discovery is unavailable"
#define SAID_STOPPED "mDNS discovery stopped"
#define SAID_RUNNING "mDNS discovery is running again"
#define SAID_RETRYING "connecting to avahi-daemon again"
#define SAID_DROPPED "dropped from the table"
#define SAID_PUBLISHED "mDNS: publishing"
#define SAID_SWEPT "mDNS: first sweep since"

static SynodTestMdns *mdns;
static gchar *skip_reason;

static gchar *
cluster_name (const gchar *tag)
{
  return g_strdup_printf ("t%d-%s", (int)getpid (), tag);
}

static SynodTestDaemon *
start (const gchar *label, const gchar *cluster, const gchar *peer, const gchar *services,
       const gchar *bus)
{
  const gchar *peers[] = { peer, NULL };
  SynodTestPeerOptions options = {
    .cluster = cluster,
    .discovery = TRUE,
    .peers = peer ? peers : NULL,
    .services = services,
    .probe_interval_ms = 500,
    .bus_address = bus,
  };
  g_autoptr (GError) error = NULL;
  SynodTestDaemon *d = synod_test_peer_start (&options, &error);

  g_assert_no_error (error);
  g_test_message ("synodd %s listens on %s", label, synod_test_daemon_get_address (d));
  return d;
}

static gchar *
hex (SynodTestDaemon *d)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", synod_test_daemon_get_peer_id (d));
}

/* Asserts that @self's table has @other, connected, found as @sources. */
static void
assert_entry (SynodTestDaemon *self, SynodTestDaemon *other, const gchar *sources)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  SynodTestPeerEntry *e = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  /* A static peer is dialled at once, but the hello takes a moment. */
  for (;;)
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      entries = synod_test_query_peers (synod_test_daemon_get_address (self), NULL, &error);
      g_assert_no_error (error);
      e = synod_test_find_entry (entries, synod_test_daemon_get_peer_id (other));
      if ((e && strcmp (e->state, "connected") == 0 && g_str_has_prefix (e->sources, sources))
          || g_get_monotonic_time () >= deadline)
        break;
      g_usleep (100 * 1000);
    }
  if (e == NULL || !g_str_has_prefix (e->sources, sources))
    {
      g_autofree gchar *table = synod_test_describe_entries (entries);

      g_test_message ("%s's table:\n%s", synod_test_daemon_get_address (self), table);
    }
  g_assert_nonnull (e);
  g_assert_cmpstr (e->state, ==, "connected");
  g_assert_true (g_str_has_prefix (e->sources, sources));
  g_assert_cmpstr (e->address, ==, synod_test_daemon_get_address (other));
}

static gboolean
discovery_running (SynodTestDaemon *d)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) info = synod_test_query_info (synod_test_daemon_get_address (d), &error);
  gboolean running = FALSE;

  g_assert_no_error (error);
  g_variant_get (info, "((tsssub))", NULL, NULL, NULL, NULL, NULL, &running);
  return running;
}

static void
test_no_bus (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("synod-nobus-XXXXXX", NULL);
  g_autofree gchar *bus = g_strdup_printf ("unix:path=%s/no-bus", dir);
  g_autofree gchar *cluster = cluster_name ("nobus");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = NULL, *a_id = NULL;

  g_test_summary ("With no D-Bus system bus at all, synodd starts, says once that mDNS is "
                  "unavailable and static peers are used (however often it tries again), and "
                  "works with --peer: the peers connect and a service is called by name.");
  a = start ("a", cluster, NULL, "test.locator;shop.where", bus);
  b = start ("b", cluster, synod_test_daemon_get_address (a), "test.locator", bus);
  a_id = hex (a);

  assert_entry (b, a, "static");
  answer = synod_test_query_ask (synod_test_daemon_get_address (b), "shop.where", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer, ==, a_id);
  g_assert_false (discovery_running (a));

  /* It keeps trying (at least three times), and says so only once. */
  g_assert_true (synod_test_wait_log (a, SAID_RETRYING, 3, TIMEOUT_S));
  g_assert_true (synod_test_wait_log (b, SAID_RETRYING, 3, TIMEOUT_S));
  g_assert_cmpuint (synod_test_peer_count_in_log (a, SAID_UNAVAILABLE), ==, 1);
  g_assert_cmpuint (synod_test_peer_count_in_log (b, SAID_UNAVAILABLE), ==, 1);
  {
    g_autofree gchar *log = synod_test_daemon_get_log (b);

    g_assert_nonnull (strstr (log, "only static peers are used"));
  }
  g_rmdir (dir);
}

static void
test_avahi_later (void)
{
  g_autofree gchar *cluster = cluster_name ("later");
  g_autoptr (SynodTestDaemon) a = NULL, b = NULL, c = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *a_id = NULL;
  SynodTestDaemon *all[3];

  g_test_summary ("With a system bus but no avahi-daemon, synodd says once that mDNS is "
                  "unavailable and works with its static peers; when avahi-daemon starts, every "
                  "daemon picks discovery up and a daemon with no --peer finds the others and "
                  "calls their services; when avahi-daemon restarts, no peer leaves any table.");
  if (mdns == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  synod_test_mdns_stop_avahi (mdns);
  all[0] = a = start ("a", cluster, NULL, "test.locator;shop.where", NULL);
  all[1] = b = start ("b", cluster, synod_test_daemon_get_address (a), "test.locator", NULL);
  all[2] = c = start ("c", cluster, NULL, "test.locator", NULL);
  a_id = hex (a);

  assert_entry (b, a, "static");
  {
    g_autofree gchar *answer
        = synod_test_query_ask (synod_test_daemon_get_address (b), "shop.where", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (answer, ==, a_id);
  }
  /* c knows nobody: its call by name fails cleanly. */
  {
    g_autofree gchar *answer
        = synod_test_query_ask (synod_test_daemon_get_address (c), "shop.where", &error);

    g_assert_null (answer);
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
    g_clear_error (&error);
  }
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (synod_test_wait_log (all[i], SAID_UNAVAILABLE, 1, TIMEOUT_S));
      g_assert_false (discovery_running (all[i]));
    }

  g_assert_true (synod_test_mdns_start_avahi (mdns, &error));
  g_assert_no_error (error);
  /* Running, published, and the browser's first sweep done. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (synod_test_wait_log (all[i], SAID_RUNNING, 1, TIMEOUT_S));
      g_assert_true (synod_test_wait_log (all[i], SAID_PUBLISHED, 1, TIMEOUT_S));
      g_assert_true (synod_test_wait_log (all[i], SAID_SWEPT, 1, TIMEOUT_S));
    }
  synod_test_wait_mesh (all, 3, TIMEOUT_S, &error);
  g_assert_no_error (error);
  assert_entry (b, a, "static+mdns");
  {
    g_autofree gchar *answer
        = synod_test_query_ask (synod_test_daemon_get_address (c), "shop.where", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (answer, ==, a_id);
  }
  for (guint i = 0; i < 3; i++)
    g_assert_true (discovery_running (all[i]));

  /* avahi-daemon restarts: every daemon notices, keeps its peers, and
   * picks up again. */
  synod_test_mdns_stop_avahi (mdns);
  for (guint i = 0; i < 3; i++)
    g_assert_true (synod_test_wait_log (all[i], SAID_STOPPED, 1, TIMEOUT_S));
  synod_test_wait_mesh (all, 3, TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_true (synod_test_mdns_start_avahi (mdns, &error));
  g_assert_no_error (error);
  /* Running again, published again, and the browser's first sweep done
   * (where peers not seen again would be dropped). */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (synod_test_wait_log (all[i], SAID_RUNNING, 2, TIMEOUT_S));
      g_assert_true (synod_test_wait_log (all[i], SAID_PUBLISHED, 2, TIMEOUT_S));
      g_assert_true (synod_test_wait_log (all[i], SAID_SWEPT, 2, TIMEOUT_S));
    }
  synod_test_wait_mesh (all, 3, TIMEOUT_S, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (synod_test_peer_count_in_log (all[i], SAID_UNAVAILABLE), ==, 1);
      g_assert_cmpuint (synod_test_peer_count_in_log (all[i], SAID_STOPPED), ==, 1);
      g_assert_cmpuint (synod_test_peer_count_in_log (all[i], SAID_DROPPED), ==, 0);
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  {
    /* Before any thread: the fixture moves the test into a network
     * namespace of its own. */
    g_autofree gchar *host = g_strdup_printf ("synodtest-n%d", (int)getpid ());

    mdns = synod_test_mdns_setup (host, &skip_reason);
  }
  g_test_add_func ("/synodd-no-avahi/no-bus", test_no_bus);
  g_test_add_func ("/synodd-no-avahi/avahi-later", test_avahi_later);
  ret = g_test_run ();
  synod_test_mdns_free (mdns);
  g_free (skip_reason);
  return ret;
}
