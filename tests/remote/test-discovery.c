/* mDNS discovery against a private avahi-daemon limited to loopback: peers of
 * one cluster find each other, ignore other clusters, see departures, survive
 * name collisions and the daemon's absence and restart, and are visible to
 * avahi-browse. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <synod.h>

#include "synod-discovery.h"
#include "tests/common/synod-test-mdns.h"

static SynodTestMdns *mdns;
static gchar *skip_reason;
/* Other test runs on this machine share the loopback mDNS traffic: ids,
 * clusters and names carry this run's process id. */
static guint64 run_salt;

static guint64
salted (guint64 id)
{
  return run_salt | id;
}

static gchar *
run_name (const gchar *name)
{
  return g_strdup_printf ("%s-%d", name, (int)getpid ());
}

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
  g_autofree gchar *run_cluster = run_name (cluster);
  g_autofree gchar *run_instance = name ? run_name (name) : NULL;
  SynodDiscoveryOptions options = {
    .peer_id = salted (id),
    .port = port,
    .cluster = run_cluster,
    .instance_name = run_instance,
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
    guint64 id = salted (0x2222);
    g_assert_cmpstr (g_hash_table_lookup (peers[0]->seen, &id), ==, "127.0.0.1:4002");
    id = salted (0x4444);
    g_assert_false (g_hash_table_contains (peers[0]->seen, &id));
  }
  {
    g_autoptr (GPtrArray) list = synod_discovery_list_peers (peers[2]->discovery);
    SynodDiscoveredPeer *first;
    g_autofree gchar *cluster = run_name ("alpha");
    g_autofree gchar *name = g_strdup_printf ("synod-%016" G_GINT64_MODIFIER "x", salted (0x1111));

    g_assert_cmpuint (list->len, ==, 2);
    first = list->pdata[0];
    g_assert_cmpuint (first->peer_id, ==, salted (0x1111));
    g_assert_cmpstr (first->cluster, ==, cluster);
    g_assert_cmpuint (first->protocol_version, ==, SYNOD_DISCOVERY_PROTOCOL_VERSION);
    g_assert_cmpstr (first->name, ==, name);
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

static gboolean
sees_none (gpointer data)
{
  return g_hash_table_size (((Peer *)data)->seen) == 0;
}

static void
test_daemon_absent_and_back (void)
{
  Peer *a, *b;
  g_autoptr (GError) error = NULL;

  g_test_summary (
      "With no avahi-daemon, discovery starts and reports not running; when the "
      "daemon starts it picks up and finds peers; when the daemon stops it keeps "
      "what it knew; when the daemon returns it finds them again, and still sees them leave.");
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

  /* After the restart, a peer that leaves is still seen leaving (the new
   * browser's instances are counted afresh). */
  peer_free (b);
  g_assert_true (wait_for (sees_none, a, 20));
  g_assert_cmpuint (a->removed, ==, 1);
  peer_free (a);
}

static void
test_avahi_browse_lists_peer (void)
{
  Peer *a;
  g_autofree gchar *out = NULL;
  g_autofree gchar *browse = g_find_program_in_path ("avahi-browse");
  gint status = 0;
  gboolean found = FALSE;
  /* Bounded: avahi-browse waits as long as a resolution is pending. */
  const gchar *argv[]
      = { "timeout", "10", "avahi-browse", "-rtp", SYNOD_DISCOVERY_SERVICE_TYPE, NULL };
  g_autofree gchar *instance = run_name ("synod-browse-me");
  g_autofree gchar *line = g_strdup_printf ("=;lo;IPv4;%s;_synod._tcp;local;", instance);
  g_autofree gchar *txt_peer
      = g_strdup_printf ("\"peer=%016" G_GINT64_MODIFIER "x\"", salted (0xc1));
  g_autofree gchar *cluster = run_name ("epsilon");
  g_autofree gchar *txt_cluster = g_strdup_printf ("\"cluster=%s\"", cluster);

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
      found = strstr (out, line) != NULL;
      if (!found)
        g_usleep (250 * 1000);
    }
  if (!found)
    g_test_message ("avahi-browse printed:\n%s", out);
  g_assert_true (found);
  g_assert_nonnull (strstr (out, ";127.0.0.1;4301;"));
  g_assert_nonnull (strstr (out, txt_peer));
  g_assert_nonnull (strstr (out, txt_cluster));
  peer_free (a);
}

/* What the library logged at debug level, to see a resolution fail. */
static GString *orb_debug_log;

/* The library logs structured: a writer (set once, in main()) sees its
 * debug messages whether or not G_MESSAGES_DEBUG shows them. */
static GLogWriterOutput
collect_orb_debug (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                   gpointer user_data)
{
  const gchar *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  if (orb_debug_log && (level & G_LOG_LEVEL_DEBUG) && g_strcmp0 (domain, "synod-orb") == 0
      && message)
    g_string_append_printf (orb_debug_log, "%s\n", message);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Runs avahi-publish with @args until stop_publisher(). */
static GPid
start_publisher (const gchar *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  g_ptr_array_add (argv, (gpointer) "avahi-publish");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async (NULL, (gchar **)argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                    | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                die_with_parent, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static void
stop_publisher (GPid pid)
{
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
}

typedef struct
{
  Peer *peer;
  guint64 id;
  const gchar *address;
} SeesAt;

static gboolean
sees_at (gpointer data)
{
  SeesAt *w = data;

  return g_strcmp0 (g_hash_table_lookup (w->peer->seen, &w->id), w->address) == 0;
}

static gboolean
retry_logged (gpointer data)
{
  g_autofree gchar *line = g_strdup_printf ("resolving “%s” again", (const gchar *)data);

  return strstr (orb_debug_log->str, line) != NULL;
}

static void
test_resolve_later_and_follow (void)
{
  g_autofree gchar *host = run_name ("ghost");
  g_autofree gchar *host_local = g_strdup_printf ("%s.local", host);
  g_autofree gchar *instance = run_name ("synod-ghost");
  g_autofree gchar *cluster = run_name ("zeta");
  g_autofree gchar *txt_peer = g_strdup_printf ("peer=%016" G_GINT64_MODIFIER "x", salted (0xd2));
  g_autofree gchar *txt_cluster = g_strdup_printf ("cluster=%s", cluster);
  g_autofree gchar *browse = g_find_program_in_path ("avahi-publish");
  const gchar *service_args[] = { "-s",   "-H",     host_local, instance,    "_synod._tcp",
                                  "4402", txt_peer, "proto=1",  txt_cluster, NULL };
  const gchar *address_1[] = { "-a", "-R", host_local, "127.0.0.1", NULL };
  const gchar *address_2[] = { "-a", "-R", host_local, "127.0.0.2", NULL };
  SeesAt at_1 = { NULL, salted (0xd2), "127.0.0.1:4402" };
  SeesAt at_2 = { NULL, salted (0xd2), "127.0.0.2:4402" };
  GPid service, address;
  Peer *a;

  g_test_summary ("A service whose host has no address yet is resolved again later (the "
                  "browser will not report it twice) and reported once the address appears; "
                  "when its address changes without the service leaving, it is reported again "
                  "at the new one.");
  if (skip_without_mdns ())
    return;
  if (browse == NULL)
    {
      g_test_skip ("avahi-publish (avahi-utils) is not installed");
      return;
    }
  orb_debug_log = g_string_new (NULL);
  a = peer_new (0xd1, 4401, "zeta", NULL);
  at_1.peer = at_2.peer = a;

  /* The service points at a host nobody publishes: the resolution fails
   * (Avahi's timeout) and is scheduled again. */
  service = start_publisher (service_args);
  g_assert_true (wait_for (retry_logged, instance, 20));
  g_assert_cmpuint (g_hash_table_size (a->seen), ==, 0);

  /* The host's address appears: the retry finds it. */
  address = start_publisher (address_1);
  g_assert_true (wait_for (sees_at, &at_1, 30));

  /* The host moves: the resolver, still following the service, reports
   * the new address. */
  stop_publisher (address);
  address = start_publisher (address_2);
  g_assert_true (wait_for (sees_at, &at_2, 30));
  g_assert_cmpuint (a->removed, ==, 0);

  stop_publisher (address);
  stop_publisher (service);
  peer_free (a);
  g_string_free (g_steal_pointer (&orb_debug_log), TRUE);
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
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (collect_orb_debug, NULL, NULL);
  run_salt = (guint64)getpid () << 32;
  {
    /* Before any thread: the fixture moves the test into a network
     * namespace of its own. */
    g_autofree gchar *host = run_name ("synodtest-discovery");

    mdns = synod_test_mdns_setup (host, &skip_reason);
  }
  g_test_add_func ("/discovery/bad-options", test_bad_options);
  g_test_add_func ("/discovery/find-each-other", test_find_each_other);
  g_test_add_func ("/discovery/name-collision", test_name_collision);
  g_test_add_func ("/discovery/daemon-absent-and-back", test_daemon_absent_and_back);
  g_test_add_func ("/discovery/avahi-browse-lists-peer", test_avahi_browse_lists_peer);
  g_test_add_func ("/discovery/resolve-later-and-follow", test_resolve_later_and_follow);
  ret = g_test_run ();
  synod_test_mdns_free (mdns);
  g_free (skip_reason);
  return ret;
}
