/* bft-cluster.c — see bft-cluster.h. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "bft-cluster.h"

void
bft_cluster_options_init (BftClusterOptions *options)
{
  *options = (BftClusterOptions){
    .f = 1,
    .service = "shop",
    .state_variable = "Synod.Counter",
    .checkpoint_interval = 8,
    .sync = FALSE,
    .view_change_timeout_ms = 500,
    .request_timeout_ms = 20000,
  };
}

const gchar *
bft_cluster_plugin_path (void)
{
  static gchar *path;

  if (path == NULL)
    {
      const gchar *env = g_getenv ("SYNOD_TEST_BFT_PLUGIN");

      path = env ? g_strdup (env)
                 : g_build_filename (SYNOD_TEST_BUILDDIR, "bft", ".libs", "synod-bft.so", NULL);
    }
  return path;
}

static gchar *
write_config (BftCluster *c, guint i, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *replica_keys = g_strdup_printf ("%s/replica-%u", c->keys_dir, i);
  g_autofree gchar *client_keys = g_strdup_printf ("%s/client-%u", c->keys_dir, i);
  g_autofree gchar *path = g_strdup_printf ("%s/synodd-%u.conf", c->dir, i);
  g_autofree gchar *text = NULL;
  g_autoptr (GVariant) rp = NULL, cp = NULL;
  g_autofree gchar *rp_text = NULL, *cp_text = NULL;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "replica", g_variant_new_uint32 (i));
  g_variant_builder_add (&b, "{sv}", "keys", g_variant_new_string (replica_keys));
  g_variant_builder_add (&b, "{sv}", "state-variable",
                         g_variant_new_string (c->options.state_variable));
  g_variant_builder_add (&b, "{sv}", "checkpoint-interval",
                         g_variant_new_uint32 (c->options.checkpoint_interval));
  g_variant_builder_add (&b, "{sv}", "sync", g_variant_new_boolean (c->options.sync));
  g_variant_builder_add (&b, "{sv}", "view-change-timeout-ms",
                         g_variant_new_uint32 (c->options.view_change_timeout_ms));
  g_variant_builder_add (&b, "{sv}", "status-interval-ms", g_variant_new_uint32 (100));
  if (c->options.max_batch)
    g_variant_builder_add (&b, "{sv}", "max-batch", g_variant_new_uint32 (c->options.max_batch));
  /* The default, given explicitly: every documented parameter is taken. */
  g_variant_builder_add (&b, "{sv}", "max-inflight", g_variant_new_uint32 (4));
  if (c->options.faults[i])
    g_variant_builder_add (&b, "{sv}", "fault", g_variant_new_string (c->options.faults[i]));
  rp = g_variant_ref_sink (g_variant_builder_end (&b));
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "keys", g_variant_new_string (client_keys));
  g_variant_builder_add (&b, "{sv}", "request-timeout-ms",
                         g_variant_new_uint32 (c->options.request_timeout_ms));
  g_variant_builder_add (&b, "{sv}", "client-timeout-ms", g_variant_new_uint32 (300));
  cp = g_variant_ref_sink (g_variant_builder_end (&b));
  rp_text = g_variant_print (rp, TRUE);
  cp_text = g_variant_print (cp, TRUE);

  g_key_file_set_string (kf, "synodd", "plugins", bft_cluster_plugin_path ());
  g_key_file_set_string (kf, "object replica", "class", "Synod.Bft.ReplicaServer;1");
  g_key_file_set_string (kf, "object replica", "params", rp_text);
  g_key_file_set_string (kf, "object coordinator", "class", "Synod.Bft.Coordinator;1");
  g_key_file_set_string (kf, "object coordinator", "params", cp_text);
  if (c->options.configure)
    c->options.configure (kf, i, c->options.configure_data);
  text = g_key_file_to_data (kf, NULL, NULL);
  if (!g_file_set_contents (path, text, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* A configuration for a peer serving the same state variable unreplicated
 * under the name "bft.SERVICE.unreplicated" (what benchmarks compare to). */
gchar *
bft_cluster_write_unreplicated_config (BftCluster *c, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *path = g_strdup_printf ("%s/synodd-unreplicated.conf", c->dir);
  g_autofree gchar *params = NULL, *text = NULL, *name = NULL;
  g_autoptr (GVariant) p = NULL;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "service", g_variant_new_string (c->options.service));
  g_variant_builder_add (&b, "{sv}", "state-variable",
                         g_variant_new_string (c->options.state_variable));
  p = g_variant_ref_sink (g_variant_builder_end (&b));
  params = g_variant_print (p, TRUE);
  name = g_strdup_printf ("bft.%s.unreplicated", c->options.service);
  g_key_file_set_string (kf, "synodd", "plugins", bft_cluster_plugin_path ());
  g_key_file_set_string (kf, "object state", "class", "Synod.Bft.Unreplicated;1");
  g_key_file_set_string (kf, "object state", "params", params);
  g_key_file_set_string (kf, "object state", "services", name);
  text = g_key_file_to_data (kf, NULL, NULL);
  if (!g_file_set_contents (path, text, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* The addresses of every running daemon but @except. */
static GStrv
peers_of (BftCluster *c, guint except)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < c->n; i++)
    if (i != except && c->daemons[i] && synod_test_daemon_get_address (c->daemons[i]))
      g_strv_builder_add (b, synod_test_daemon_get_address (c->daemons[i]));
  return g_strv_builder_end (b);
}

BftCluster *
bft_cluster_start (const BftClusterOptions *options, GError **error)
{
  g_autoptr (BftCluster) c = g_new0 (BftCluster, 1);
  SynodBftKeygenOptions ko;
  SynodNetworkOptions no;
  g_auto (GStrv) all = NULL;
  g_autofree gchar *public_dir = NULL;

  synod_bft_error_quark (); /* remote errors of this domain are rebuilt as such */
  c->options = *options;
  c->n = 3 * options->f + 1;
  c->dir = g_dir_make_tmp ("synod-bft-XXXXXX", error);
  if (c->dir == NULL)
    return NULL;
  c->keys_dir = g_build_filename (c->dir, "keys", NULL);
  synod_bft_keygen_options_init (&ko);
  ko.name = options->service;
  ko.f = options->f;
  ko.sign_replies = !options->no_sign_replies;
  if (!synod_bft_keygen (&ko, c->keys_dir, FALSE, error))
    return NULL;
  public_dir = g_build_filename (c->keys_dir, "public", NULL);
  c->public_keys = synod_bft_keys_load (public_dir, error);
  if (c->public_keys == NULL)
    return NULL;

  /* Each daemon knows those started before it: every pair connects. */
  for (guint i = 0; i < c->n; i++)
    {
      g_autofree gchar *config = write_config (c, i, error);
      g_autofree gchar *state = g_strdup_printf ("%s/peer-%u", c->dir, i);
      g_auto (GStrv) peers = peers_of (c, i);
      SynodTestDaemonOptions o;

      if (config == NULL)
        return NULL;
      /* Its log goes there, so it must exist first. */
      if (g_mkdir_with_parents (state, 0700) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", state);
          return NULL;
        }
      synod_test_daemon_options_init (&o);
      o.state_dir = state;
      o.config_file = config;
      o.peers = (const gchar *const *)peers;
      c->daemons[i] = synod_test_daemon_start (&o, error);
      if (c->daemons[i] == NULL)
        return NULL;
    }

  c->broker = synod_broker_new (NULL, error);
  if (c->broker == NULL)
    return NULL;
  all = peers_of (c, G_MAXUINT);
  synod_network_options_init (&no);
  no.listen = NULL;
  no.peers = (const gchar *const *)all;
  no.discovery = FALSE;
  no.rpcbind = FALSE;
  no.connect_timeout_ms = 1000;
  no.probe_interval_ms = 200;
  c->network = synod_network_new (c->broker, &no, error);
  if (c->network == NULL)
    return NULL;
  if (!synod_network_wait_peers (c->network, c->n, 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the daemons did not all connect");
      return NULL;
    }
  if (!bft_cluster_wait_ready (c, 20000, error))
    return NULL;
  return g_steal_pointer (&c);
}

void
bft_cluster_free (BftCluster *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->network, synod_network_free);
  g_clear_pointer (&c->broker, synod_broker_unref);
  for (guint i = 0; i < c->n; i++)
    g_clear_pointer (&c->daemons[i], synod_test_daemon_free);
  g_clear_pointer (&c->public_keys, synod_bft_keys_unref);
  if (c->dir && g_getenv ("SYNOD_TEST_KEEP") == NULL)
    synod_test_remove_tree (c->dir);
  g_free (c->dir);
  g_free (c->keys_dir);
  g_free (c);
}

SynodRef *
bft_cluster_coordinator (BftCluster *c, guint client)
{
  g_autofree gchar *name = synod_bft_client_name (c->options.service, client);

  return synod_ref_new_for_name (c->broker, name);
}

SynodRef *
bft_cluster_replica (BftCluster *c, guint replica)
{
  g_autofree gchar *name = synod_bft_replica_name (c->options.service, replica);

  return synod_ref_new_for_name (c->broker, name);
}

gboolean
bft_cluster_status (BftCluster *c, guint replica, SynodBftReplicaStatus *ret, GError **error)
{
  g_autoptr (SynodRef) ref = bft_cluster_replica (c, replica);

  return synod_bft_replica_server_status (ref, ret, error);
}

/* Every replica answers its status and every coordinator describes its
 * service: all objects are up and registered under their names. */
gboolean
bft_cluster_wait_ready (BftCluster *c, guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (guint i = 0; i < c->n; i++)
    {
      if (c->daemons[i] == NULL || !synod_test_daemon_is_running (c->daemons[i]))
        continue;
      for (;;)
        {
          g_auto (SynodBftReplicaStatus) st = { 0 };
          g_auto (SynodBftServiceInfo) info = { 0 };
          g_autoptr (SynodRef) co = bft_cluster_coordinator (c, i);
          g_autoptr (GError) local = NULL;

          if (bft_cluster_status (c, i, &st, &local)
              && synod_bft_coordinator_describe (co, &info, &local))
            break;
          if (g_get_monotonic_time () > deadline)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "peer %u is not ready: %s", i,
                           local->message);
              return FALSE;
            }
          g_usleep (20000);
        }
    }
  return TRUE;
}

/* Issues a request through coordinator @coordinator and checks the proof
 * of what it returns against the service's public keys. */
gboolean
bft_cluster_issue (BftCluster *c, guint coordinator, guint64 client, guint64 number, GBytes *op,
                   gboolean read_only, SynodBftResult *ret_result, GError **error)
{
  g_autoptr (SynodRef) ref = bft_cluster_coordinator (c, coordinator);
  SynodBftRequest req = {
    .client = client,
    .number = number,
    .read_only = read_only,
  };
  SynodBftResult result = { 0 };

  req.operation.len = g_bytes_get_size (op);
  req.operation.val = (guint8 *)g_bytes_get_data (op, NULL);
  if (!synod_bft_coordinator_issue_request (ref, &req, &result, error))
    return FALSE;
  if (!synod_bft_proof_verify (c->public_keys, &result.proof, client, number, result.value.val,
                               result.value.len, error))
    {
      synod_bft_result_clear (&result);
      return FALSE;
    }
  *ret_result = result;
  return TRUE;
}

gboolean
bft_cluster_kill (BftCluster *c, guint replica, int signal_number)
{
  return synod_test_daemon_stop (c->daemons[replica], signal_number, 5000, NULL);
}

gboolean
bft_cluster_restart (BftCluster *c, guint replica, GError **error)
{
  g_auto (GStrv) peers = peers_of (c, replica);

  /* Every other daemon, also those started after this one. */
  synod_test_daemon_set_peers (c->daemons[replica], (const gchar *const *)peers);
  return synod_test_daemon_restart (c->daemons[replica], error);
}
