/* cluster-common.c — see cluster-common.h. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cluster-common.h"

Cluster cluster;

gchar *
cluster_write_file (const gchar *dir, const gchar *name, const gchar *contents)
{
  gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A state directory holding a chosen peer id. */
static gchar *
state_dir_with_id (const gchar *dir, const gchar *name, const gchar *peer_id)
{
  gchar *state = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  g_free (cluster_write_file (state, "peer-id", peer_id));
  return state;
}

SynodTestDaemon *
cluster_start_daemon (const gchar *name, const gchar *peer_id, const gchar *config,
                      const gchar *const *peers, const gchar *const *extra_args)
{
  g_autofree gchar *state = state_dir_with_id (cluster.dir, name, peer_id);
  g_autofree gchar *file_name = g_strdup_printf ("%s.conf", name);
  g_autofree gchar *full = g_strdup_printf ("[synodd]\nclass-path=%s\nprobe-interval-ms=500\n%s",
                                            SYNOD_TEST_PLUGIN_DIR, config);
  g_autofree gchar *config_path = cluster_write_file (cluster.dir, file_name, full);
  SynodTestDaemonOptions options;
  g_autoptr (GError) error = NULL;
  SynodTestDaemon *daemon;

  synod_test_daemon_options_init (&options);
  options.state_dir = state;
  options.config_file = config_path;
  options.peers = peers;
  options.extra_args = extra_args;
  daemon = synod_test_daemon_start (&options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (synod_test_daemon_get_peer_id_text (daemon), ==, peer_id);
  return daemon;
}

GVariant *
cluster_peer_call (guint64 peer, const gchar *method, GError **error)
{
  return synod_network_invoke_dynamic (cluster.network, peer, SYNOD_PEER_SERVICE, "Standard.Peer",
                                       method, g_variant_new ("()"), error);
}

/* Whether @peer's table shows each of @ids connected. */
static gboolean
peer_sees (guint64 peer, const guint64 *ids, guint n)
{
  g_autoptr (GVariant) reply = cluster_peer_call (peer, "peers", NULL);
  guint seen = 0;

  if (reply == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GVariant) table = g_variant_get_child_value (reply, 0);
      GVariantIter iter;
      guint64 id;
      const gchar *state;

      g_variant_iter_init (&iter, table);
      while (g_variant_iter_next (&iter, "(t&s&s&s@as&s&s)", &id, NULL, &state, NULL, NULL, NULL,
                                  NULL))
        if (id == ids[i] && strcmp (state, "connected") == 0)
          {
            seen++;
            break;
          }
    }
  return seen == n;
}

/* Polls (bounded) until @peer's table shows every id in @ids connected. */
void
cluster_wait_peer_sees (SynodTestDaemon *daemon, const guint64 *ids, guint n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  guint64 peer = synod_test_daemon_get_peer_id (daemon);

  while (!peer_sees (peer, ids, n))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

void
cluster_start (void)
{
  g_autoptr (GError) error = NULL;
  SynodNetworkOptions options;
  const gchar *to_a[2] = { NULL, NULL };
  guint64 home = 0;

  cluster.dir = g_dir_make_tmp ("test-cluster-XXXXXX", &error);
  g_assert_no_error (error);
  cluster.a = cluster_start_daemon ("a", PEER_A,
                                    "[object counter]\nclass=ClusterTest.Counter;1\n"
                                    "services=cluster.a;cluster.replicas\n"
                                    "[object helper]\nclass=ClusterTest.Counter;1\n",
                                    NULL, NULL);
  to_a[0] = synod_test_daemon_get_address (cluster.a);
  cluster.b
      = cluster_start_daemon ("b", PEER_B,
                              "[object counter]\nclass=ClusterTest.Counter;1\n"
                              "services=cluster.b;cluster.replicas\n"
                              "aliases=" ALIAS_B_OWN ";" ALIAS_B_FROM_A ";" ALIAS_B_NOWHERE "\n",
                              to_a, NULL);
  cluster.c = cluster_start_daemon ("c", PEER_C,
                                    "[object counter]\nclass=ClusterTest.Counter;1\n"
                                    "params={'start': <uint32 1000>}\n"
                                    "services=cluster.c;cluster.replicas\n",
                                    to_a, NULL);

  cluster.broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  options.cluster = "";
  options.call_timeout_ms = 10000;
  cluster.network = synod_network_new (cluster.broker, &options, &error);
  g_assert_no_error (error);
  synod_network_connect_peer (cluster.network, to_a[0], &home, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (home, ==, synod_test_daemon_get_peer_id (cluster.a));
  {
    guint64 bc[2]
        = { synod_test_daemon_get_peer_id (cluster.b), synod_test_daemon_get_peer_id (cluster.c) };
    cluster_wait_peer_sees (cluster.a, bc, 2);
  }
}

void
cluster_stop (void)
{
  g_clear_pointer (&cluster.network, synod_network_free);
  g_clear_pointer (&cluster.broker, synod_broker_unref);
  g_clear_pointer (&cluster.c, synod_test_daemon_free);
  g_clear_pointer (&cluster.b, synod_test_daemon_free);
  g_clear_pointer (&cluster.a, synod_test_daemon_free);
}
