/* bench-bft-service — a BFT service on four synodd daemons, side by side
 * with the same state variable served unreplicated by a fifth daemon.
 *
 * Both are reached the same way: this process's broker and network call
 * Synod.Bft.Coordinator.issueRequest on a daemon over loopback (the BFT
 * requests spread over the four Coordinators, as an HTTP front end on each
 * replica peer would spread them). Each client thread issues key-value
 * PUTs of 64 bytes one after the other with its own client id; for each
 * number of client threads the run prints requests per second, latency
 * (median and 99th percentile), CPU time per request summed over every
 * process involved (the daemons and this one), and the ratios.
 *
 *   bench-bft-service [--seconds S] [--clients 1,16,64] [--sync] [--no-sign-replies]
 *
 * Without --sync the replicas' LMDB commits are not fsynced (a commit
 * survives kill -9, not a power loss); with it every commit is.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-bft-common.h"
#include "synod-key-value.h"

static gpointer
worker_run (gpointer data)
{
  BenchBftWorker *w = data;
  g_autoptr (SynodRef) target = synod_ref_new_for_name (w->data, w->target);
  guint8 value[64];
  guint64 number = 0;

  memset (value, 'v', sizeof value);
  while (g_get_monotonic_time () < w->deadline)
    {
      g_autofree gchar *key
          = g_strdup_printf ("k%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, w->client, number % 64);
      g_autoptr (GBytes) op = synod_key_value_op_put (key, value, sizeof value);
      SynodBftRequest req = { .client = w->client, .number = ++number };
      g_auto (SynodBftResult) result = { 0 };
      g_autoptr (GError) error = NULL;
      gint64 t0 = g_get_monotonic_time (), dt;

      req.operation.len = g_bytes_get_size (op);
      req.operation.val = (guint8 *)g_bytes_get_data (op, NULL);
      if (!synod_bft_coordinator_issue_request (target, &req, &result, &error))
        {
          bench_bft_worker_fail (w, error->message);
          continue;
        }
      dt = g_get_monotonic_time () - t0;
      g_array_append_val (w->latencies, dt);
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— BFT service vs unreplicated");
  g_autoptr (GError) error = NULL;
  g_autoptr (BftCluster) cluster = NULL;
  g_autoptr (SynodTestDaemon) single = NULL;
  g_autofree gchar *single_conf = NULL, *unreplicated = NULL;
  g_autofree gchar *clients_text = NULL;
  g_auto (GStrv) client_list = NULL;
  gdouble seconds = 5;
  gboolean sync = FALSE, no_sign = FALSE;
  gint max_batch = 0;
  BftClusterOptions o;
  gconstpointer bft_names[BFT_CLUSTER_MAX], one[1];
  g_autofree gchar *names_store[BFT_CLUSTER_MAX] = { 0 };
  GPid bft_pids[BFT_CLUSTER_MAX], single_pid;
  BenchBftLoad load = { .worker_run = worker_run };
  BenchBftSide bft = { "bft", bft_names, 0, bft_pids, 0 };
  BenchBftSide unrep = { "unreplicated", one, 1, &single_pid, 1 };
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per measurement (5)", "S" },
    { "clients", 'c', 0, G_OPTION_ARG_STRING, &clients_text,
      "Client threads, comma-separated (1,16,64)", "LIST" },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &sync, "fsync every LMDB commit", NULL },
    { "no-sign-replies", 0, 0, G_OPTION_ARG_NONE, &no_sign, "Replicas do not sign replies", NULL },
    { "max-batch", 0, 0, G_OPTION_ARG_INT, &max_batch, "Requests per batch (64)", "N" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-bft-service: %s\n", error->message);
      return 2;
    }
  client_list = g_strsplit (clients_text ? clients_text : "1,16,64", ",", 0);

  bft_cluster_options_init (&o);
  o.state_variable = "Synod.KeyValue";
  o.sync = sync;
  o.no_sign_replies = no_sign;
  o.max_batch = max_batch;
  o.checkpoint_interval = 128;
  o.view_change_timeout_ms = 2000;
  cluster = bft_cluster_start (&o, &error);
  if (cluster == NULL)
    {
      g_printerr ("bench-bft-service: %s\n", error->message);
      return 1;
    }
  load.data = cluster->broker;
  bft.n_targets = bft.n_pids = cluster->n;
  for (guint i = 0; i < cluster->n; i++)
    {
      names_store[i] = synod_bft_client_name (o.service, i);
      bft_names[i] = names_store[i];
      bft_pids[i] = synod_test_daemon_get_pid (cluster->daemons[i]);
    }

  /* The fifth daemon: the same state variable, one object, no replication. */
  single_conf = bft_cluster_write_unreplicated_config (cluster, &error);
  if (single_conf != NULL)
    single = bench_bft_start_unreplicated (cluster, single_conf, &error);
  if (single == NULL)
    {
      g_printerr ("bench-bft-service: the unreplicated peer: %s\n",
                  error ? error->message : "did not connect");
      return 1;
    }
  single_pid = synod_test_daemon_get_pid (single);
  unreplicated = g_strdup_printf ("bft.%s.unreplicated", o.service);
  one[0] = unreplicated;

  g_print ("bench-bft-service: %u synodd replicas (f=%u, replies %s, LMDB %s, batches up to %d) "
           "vs 1 synodd serving the state variable unreplicated; Synod.KeyValue PUTs of 64 B; "
           "%.0f s per row; %u cores\n",
           cluster->n, o.f, no_sign ? "MAC only" : "Ed25519-signed",
           sync ? "fsync per commit" : "no fsync", max_batch ? max_batch : 64, seconds,
           g_get_num_processors ());
  bench_bft_compare (&load, &bft, &unrep, (const gchar *const *)client_list, seconds, "system");
  return 0;
}
