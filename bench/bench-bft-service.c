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

#include "bft-cluster.h"
#include "synod-key-value.h"

typedef struct
{
  SynodRef *target;
  guint64 client;
  gint64 deadline;
  GArray *latencies; /* gint64 µs */
  guint failures;
  GError *error;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
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
      if (!synod_bft_coordinator_issue_request (w->target, &req, &result, &error))
        {
          if (w->failures++ == 0)
            w->error = g_error_copy (error);
          continue;
        }
      dt = g_get_monotonic_time () - t0;
      g_array_append_val (w->latencies, dt);
    }
  return NULL;
}

static gdouble
proc_cpu_seconds (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) fields = NULL;
  const gchar *end;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  /* Fields after the command name, which is in parentheses. */
  end = strrchr (text, ')');
  if (end == NULL)
    return 0;
  fields = g_strsplit (end + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

static gdouble
self_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  gdouble rate;
  gdouble p50_ms;
  gdouble p99_ms;
  gdouble cpu_ms;
  guint64 requests;
  guint failures;
} Figures;

static Figures
run (SynodBroker *broker, const gchar *const *names, guint n_names, guint clients, gdouble seconds,
     GPid *pids, guint n_pids)
{
  g_autofree Worker *workers = g_new0 (Worker, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  gdouble cpu0 = self_cpu_seconds (), cpu1;
  gint64 t0 = g_get_monotonic_time (), t1;
  Figures f = { 0 };
  static guint64 next_client = 1;

  for (guint i = 0; i < n_pids; i++)
    cpu0 += proc_cpu_seconds (pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      workers[i].target = synod_ref_new_for_name (broker, names[i % n_names]);
      workers[i].client = next_client++;
      workers[i].deadline = t0 + (gint64)(seconds * G_USEC_PER_SEC);
      workers[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("bench", worker_run, &workers[i]);
    }
  for (guint i = 0; i < clients; i++)
    g_thread_join (threads[i]);
  t1 = g_get_monotonic_time ();
  cpu1 = self_cpu_seconds ();
  for (guint i = 0; i < n_pids; i++)
    cpu1 += proc_cpu_seconds (pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      g_array_append_vals (all, workers[i].latencies->data, workers[i].latencies->len);
      f.failures += workers[i].failures;
      if (workers[i].error)
        g_printerr ("  (client %u: %u failures, first: %s)\n", i, workers[i].failures,
                    workers[i].error->message);
      g_clear_error (&workers[i].error);
      g_array_unref (workers[i].latencies);
      synod_ref_unref (workers[i].target);
    }
  g_array_sort (all, cmp_i64);
  f.requests = all->len;
  if (all->len > 0)
    {
      f.rate = all->len / ((t1 - t0) / 1e6);
      f.p50_ms = g_array_index (all, gint64, all->len / 2) / 1000.0;
      f.p99_ms = g_array_index (all, gint64, MIN (all->len - 1, all->len * 99 / 100)) / 1000.0;
      f.cpu_ms = (cpu1 - cpu0) * 1000.0 / all->len;
    }
  return f;
}

static void
print_row (guint clients, const gchar *what, const Figures *f)
{
  g_print ("%7u  %-13s %9.0f %9.2f %9.2f %11.3f %8" G_GUINT64_FORMAT "%s\n", clients, what, f->rate,
           f->p50_ms, f->p99_ms, f->cpu_ms, f->requests, f->failures ? "  (failures)" : "");
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— BFT service vs unreplicated");
  g_autoptr (GError) error = NULL;
  g_autoptr (BftCluster) cluster = NULL;
  g_autoptr (SynodTestDaemon) single = NULL;
  g_autofree gchar *single_conf = NULL, *single_state = NULL, *unreplicated = NULL;
  g_autofree gchar *clients_text = NULL;
  g_auto (GStrv) client_list = NULL;
  gdouble seconds = 5;
  gboolean sync = FALSE, no_sign = FALSE;
  gint max_batch = 0;
  BftClusterOptions o;
  const gchar *bft_names[BFT_CLUSTER_MAX];
  g_autofree gchar *names_store[BFT_CLUSTER_MAX] = { 0 };
  GPid bft_pids[BFT_CLUSTER_MAX + 1], single_pid;
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
  for (guint i = 0; i < cluster->n; i++)
    {
      names_store[i] = synod_bft_client_name (o.service, i);
      bft_names[i] = names_store[i];
      bft_pids[i] = synod_test_daemon_get_pid (cluster->daemons[i]);
    }

  /* The fifth daemon: the same state variable, one object, no replication. */
  single_conf = bft_cluster_write_unreplicated_config (cluster, &error);
  single_state = g_strdup_printf ("%s/peer-unreplicated", cluster->dir);
  if (single_conf != NULL && g_mkdir_with_parents (single_state, 0700) == 0)
    {
      SynodTestDaemonOptions dopt;

      synod_test_daemon_options_init (&dopt);
      dopt.state_dir = single_state;
      dopt.config_file = single_conf;
      single = synod_test_daemon_start (&dopt, &error);
    }
  if (single == NULL
      || !synod_network_add_peer (cluster->network, synod_test_daemon_get_address (single), &error)
      || !synod_network_wait_peers (cluster->network, cluster->n + 1, 10000))
    {
      g_printerr ("bench-bft-service: the unreplicated peer: %s\n",
                  error ? error->message : "did not connect");
      return 1;
    }
  single_pid = synod_test_daemon_get_pid (single);
  unreplicated = g_strdup_printf ("bft.%s.unreplicated", o.service);

  g_print ("bench-bft-service: %u synodd replicas (f=%u, replies %s, LMDB %s, batches up to %d) "
           "vs 1 synodd serving the state variable unreplicated; Synod.KeyValue PUTs of 64 B; "
           "%.0f s per row; %u cores\n",
           cluster->n, o.f, no_sign ? "MAC only" : "Ed25519-signed",
           sync ? "fsync per commit" : "no fsync", max_batch ? max_batch : 64, seconds,
           g_get_num_processors ());
  g_print ("%7s  %-13s %9s %9s %9s %11s %8s\n", "clients", "system", "req/s", "p50 ms", "p99 ms",
           "CPU ms/req", "requests");
  for (guint k = 0; client_list[k]; k++)
    {
      guint64 clients;
      const gchar *one[] = { unreplicated };
      Figures b, u;

      if (!g_ascii_string_to_unsigned (client_list[k], 10, 1, 1024, &clients, NULL))
        continue;
      /* A short warm-up of each, then the measurements. */
      run (cluster->broker, bft_names, cluster->n, clients, 0.3, bft_pids, 0);
      b = run (cluster->broker, bft_names, cluster->n, clients, seconds, bft_pids, cluster->n);
      run (cluster->broker, one, 1, clients, 0.3, &single_pid, 0);
      u = run (cluster->broker, one, 1, clients, seconds, &single_pid, 1);
      print_row (clients, "bft", &b);
      print_row (clients, "unreplicated", &u);
      if (u.rate > 0 && b.rate > 0)
        g_print ("%7s  ratio bft/unreplicated: throughput %.2f, p50 latency %.2fx, CPU per "
                 "request %.2fx\n",
                 "", b.rate / u.rate, b.p50_ms / u.p50_ms, b.cpu_ms / u.cpu_ms);
    }
  return 0;
}
