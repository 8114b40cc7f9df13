/* mDNS discovery against a private avahi-daemon limited to loopback: peers of
 * one cluster find each other, ignore other clusters, see departures, survive
 * name collisions and the daemon's absence and restart, and are visible to
 * avahi-browse. */
#include "config.h"

#include <string.h>

#include <synod.h>

#include "synod-discovery.h"
#include "tests/common/synod-test-mdns.h"

static SynodTestMdns *mdns;
static gchar *skip_reason;

typedef struct
{
  SynodDiscovery *discovery;
  GHashTable *seen; /* peer id -> address */
  guint added;
  guint removed;
} Peer;

static void
peer_added (SynodDiscovery *d, const SynodDiscoveredPeer *peer, gpointer user_data)
{
  Peer *p = user_data;

  p->added++;
  g_hash_table_insert (p->seen, g_memdup2 (&peer->peer_id, sizeof peer->peer_id),
                       g_strdup (peer->address));
}

static void
peer_removed (SynodDiscovery *d, const SynodDiscoveredPeer *peer, gpointer user_data)
{
  Peer *p = user_data;

  p->removed++;
  g_hash_table_remove (p->seen, &peer->peer_id);
}

static guint
int64_hash (gconstpointer v)
{
  return g_int64_hash (v);
}

static Peer *
peer_new (guint64 id, guint16 port, const gchar *cluster, const gchar *name)
{
  Peer *p = g_new0 (Peer, 1);
  SynodDiscoveryOptions options = {
    .peer_id = id,
    .port = port,
    .cluster = cluster,
    .instance_name = name,
  };
  g_autoptr (GError) error = NULL;

  p->seen = g_hash_table_new_full (int64_hash, g_int64_equal, g_free, g_free);
  p->discovery = synod_discovery_new (&options, NULL, &error);
  g_assert_no_error (error);
  synod_discovery_set_peer_funcs (p->discovery, peer_added, peer_removed, p);
  return p;
}

static void
peer_free (Peer *p)
{
  synod_discovery_free (p->discovery);
  g_hash_table_unref (p->seen);
  g_free (p);
}

/* Iterates the default context until @done returns TRUE or @seconds pass. */
static gboolean
wait_for (gboolean (*done) (gpointer), gpointer data, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * 1000);
    }
  return TRUE;
}

typedef struct
{
  Peer **peers;
  guint n;
  guint expected;
} SeenAll;

static gboolean
all_see_expected (gpointer data)
{
  SeenAll *s = data;

  for (guint i = 0; i < s->n; i++)
    if (g_hash_table_size (s->peers[i]->seen) != s->expected)
      return FALSE;
  return TRUE;
}

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

static void
test_find_each_other (void)
{
  Peer *peers[3];
  Peer *stranger;
  SeenAll all = { peers, 3, 2 };
  SeenAll two = { peers, 2, 1 };

  g_test_summary ("Three peers of one cluster each see the two others with their addresses; "
                  "a peer of another cluster is seen by none; a peer that leaves disappears "
                  "from the others' tables.");
  if (skip_without_mdns ())
    return;
  peers[0] = peer_new (0x1111, 4001, "alpha", NULL);
  peers[1] = peer_new (0x2222, 4002, "alpha", NULL);
  peers[2] = peer_new (0x3333, 4003, "alpha", NULL);
  stranger = peer_new (0x4444, 4004, "beta", NULL);

  g_assert_true (wait_for (all_see_expected, &all, 20));
  {
    guint64 id = 0x2222;
    g_assert_cmpstr (g_hash_table_lookup (peers[0]->seen, &id), ==, "127.0.0.1:4002");
    id = 0x4444;
    g_assert_false (g_hash_table_contains (peers[0]->seen, &id));
  }
  {
    g_autoptr (GPtrArray) list = synod_discovery_list_peers (peers[2]->discovery);
    SynodDiscoveredPeer *first;

    g_assert_cmpuint (list->len, ==, 2);
    first = list->pdata[0];
    g_assert_cmpuint (first->peer_id, ==, 0x1111);
    g_assert_cmpstr (first->cluster, ==, "alpha");
    g_assert_cmpuint (first->protocol_version, ==, SYNOD_DISCOVERY_PROTOCOL_VERSION);
    g_assert_cmpstr (first->name, ==, "synod-0000000000001111");
    g_assert_nonnull (first->host);
  }
  /* The stranger sees nobody of its own cluster. */
  g_assert_cmpuint (g_hash_table_size (stranger->seen), ==, 0);

  peer_free (peers[2]);
  g_assert_true (wait_for (all_see_expected, &two, 20));
  g_assert_cmpuint (peers[0]->removed, ==, 1);

  peer_free (peers[0]);
  peer_free (peers[1]);
  peer_free (stranger);
}

static gboolean
renamed (gpointer data)
{
  Peer **p = data;

  return g_strcmp0 (synod_discovery_get_instance_name (p[0]->discovery),
                    synod_discovery_get_instance_name (p[1]->discovery))
             != 0
         && g_hash_table_size (p[2]->seen) == 2;
}

static void
test_name_collision (void)
{
  Peer *p[3];

  g_test_summary ("Two peers asking for one instance name: one is renamed as Avahi intends, "
                  "and a third peer sees both.");
  if (skip_without_mdns ())
    return;
  p[0] = peer_new (0xa1, 4101, "gamma", "synod shop");
  p[1] = peer_new (0xa2, 4102, "gamma", "synod shop");
  p[2] = peer_new (0xa3, 4103, "gamma", NULL);
  g_assert_true (wait_for (renamed, p, 20));
  g_assert_true (
      g_str_has_prefix (synod_discovery_get_instance_name (p[1]->discovery), "synod shop")
      || g_str_has_prefix (synod_discovery_get_instance_name (p[0]->discovery), "synod shop"));
  for (guint i = 0; i < 3; i++)
    peer_free (p[i]);
}

static gboolean
is_running (gpointer data)
{
  return synod_discovery_is_running (((Peer *)data)->discovery);
}

static gboolean
is_not_running (gpointer data)
{
  return !synod_discovery_is_running (((Peer *)data)->discovery);
}

static gboolean
sees_one (gpointer data)
{
  return g_hash_table_size (((Peer *)data)->seen) == 1;
}

static void
test_daemon_absent_and_back (void)
{
  Peer *a, *b;
  g_autoptr (GError) error = NULL;

  g_test_summary ("With no avahi-daemon, discovery starts and reports not running; when the "
                  "daemon starts it picks up and finds peers; when the daemon stops it keeps "
                  "what it knew; when the daemon returns it finds them again.");
  if (skip_without_mdns ())
    return;
  synod_test_mdns_stop_avahi (mdns);
  a = peer_new (0xb1, 4201, "delta", NULL);
  b = peer_new (0xb2, 4202, "delta", NULL);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (synod_discovery_is_running (a->discovery));
  g_assert_cmpuint (g_hash_table_size (a->seen), ==, 0);

  g_assert_true (synod_test_mdns_start_avahi (mdns, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, a, 20));
  g_assert_true (wait_for (sees_one, a, 20));
  g_assert_true (wait_for (sees_one, b, 20));

  synod_test_mdns_stop_avahi (mdns);
  g_assert_true (wait_for (is_not_running, a, 20));
  g_assert_cmpuint (g_hash_table_size (a->seen), ==, 1);

  g_assert_true (synod_test_mdns_start_avahi (mdns, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, a, 20));
  g_assert_true (wait_for (is_running, b, 20));
  /* Still exactly one peer, never reported gone. */
  for (guint i = 0; i < 200; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (5000);
  g_assert_true (wait_for (sees_one, a, 20));
  g_assert_cmpuint (a->removed, ==, 0);
  peer_free (a);
  peer_free (b);
}

static void
test_avahi_browse_lists_peer (void)
{
  Peer *a;
  g_autofree gchar *out = NULL;
  g_autofree gchar *browse = g_find_program_in_path ("avahi-browse");
  gint status = 0;
  gboolean found = FALSE;
  /* avahi-browse -t waits for every resolution to finish, which has no
   * deadline of its own: bound it. */
  const gchar *argv[]
      = { "timeout", "10", "avahi-browse", "-rtp", SYNOD_DISCOVERY_SERVICE_TYPE, NULL };

  g_test_summary ("avahi-browse, a client nobody here wrote, resolves a published peer with "
                  "its port and TXT record.");
  if (skip_without_mdns ())
    return;
  if (browse == NULL)
    {
      g_test_skip ("avahi-browse (avahi-utils) is not installed");
      return;
    }
  /* avahi-browse -p escapes spaces (\\032): a name without one. */
  a = peer_new (0xc1, 4301, "epsilon", "synod-browse-me");
  g_assert_true (wait_for (is_running, a, 20));
  for (guint attempt = 0; attempt < 20 && !found; attempt++)
    {
      g_clear_pointer (&out, g_free);
      /* Keep our discovery's callbacks flowing while avahi-browse runs. */
      g_main_context_iteration (NULL, FALSE);
      g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, NULL, &status, NULL));
      found = strstr (out, "=;lo;IPv4;synod-browse-me;_synod._tcp;local;") != NULL;
      if (!found)
        g_usleep (250 * 1000);
    }
  if (!found)
    g_test_message ("avahi-browse printed:\n%s", out);
  g_assert_true (found);
  g_assert_nonnull (strstr (out, ";127.0.0.1;4301;"));
  g_assert_nonnull (strstr (out, "\"peer=00000000000000c1\""));
  g_assert_nonnull (strstr (out, "\"cluster=epsilon\""));
  peer_free (a);
}

static void
test_bad_options (void)
{
  SynodDiscoveryOptions options = { .peer_id = 1, .port = 1, .cluster = "x" };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *long_cluster = g_strnfill (SYNOD_DISCOVERY_MAX_CLUSTER + 1, 'c');

  options.cluster = long_cluster;
  g_assert_null (synod_discovery_new (&options, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  options.cluster = "ok";
  options.instance_name = "";
  g_assert_null (synod_discovery_new (&options, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (synod_test_mdns_can_run (&skip_reason))
    {
      mdns = synod_test_mdns_new ("synodtest-discovery", &error);
      if (mdns == NULL)
        g_error ("cannot start a private avahi-daemon: %s", error->message);
    }
  g_test_add_func ("/discovery/bad-options", test_bad_options);
  g_test_add_func ("/discovery/find-each-other", test_find_each_other);
  g_test_add_func ("/discovery/name-collision", test_name_collision);
  g_test_add_func ("/discovery/daemon-absent-and-back", test_daemon_absent_and_back);
  g_test_add_func ("/discovery/avahi-browse-lists-peer", test_avahi_browse_lists_peer);
  ret = g_test_run ();
  synod_test_mdns_free (mdns);
  g_free (skip_reason);
  return ret;
}
