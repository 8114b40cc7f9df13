/* bench-bft-common — the measuring shared by the BFT benchmarks. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-bft-common.h"

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

void
bench_bft_worker_fail (BenchBftWorker *w, const gchar *why)
{
  if (w->failures++ == 0)
    w->first_failure = g_strdup (why);
}

BenchBftFigures
bench_bft_run (const BenchBftLoad *load, const BenchBftSide *side, guint clients, gdouble seconds,
               gboolean count_cpu)
{
  g_autofree BenchBftWorker *workers = g_new0 (BenchBftWorker, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_pids = count_cpu ? side->n_pids : 0;
  gdouble cpu0 = self_cpu_seconds (), cpu1;
  gint64 t0 = g_get_monotonic_time (), t1;
  BenchBftFigures f = { 0 };
  static guint64 next_client = 1;

  for (guint i = 0; i < n_pids; i++)
    cpu0 += proc_cpu_seconds (side->pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      workers[i].target = side->targets[i % side->n_targets];
      workers[i].data = load->data;
      workers[i].client = load->client_base + next_client++;
      workers[i].deadline = t0 + (gint64)(seconds * G_USEC_PER_SEC);
      workers[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("bench", load->worker_run, &workers[i]);
    }
  for (guint i = 0; i < clients; i++)
    g_thread_join (threads[i]);
  t1 = g_get_monotonic_time ();
  cpu1 = self_cpu_seconds ();
  for (guint i = 0; i < n_pids; i++)
    cpu1 += proc_cpu_seconds (side->pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      g_array_append_vals (all, workers[i].latencies->data, workers[i].latencies->len);
      f.failures += workers[i].failures;
      if (workers[i].first_failure)
        g_printerr ("  (client %u: %u failures, first: %s)\n", i, workers[i].failures,
                    workers[i].first_failure);
      g_free (workers[i].first_failure);
      g_array_unref (workers[i].latencies);
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
print_row (guint clients, const gchar *what, const BenchBftFigures *f)
{
  g_print ("%7u  %-13s %9.0f %9.2f %9.2f %11.3f %8" G_GUINT64_FORMAT "%s\n", clients, what, f->rate,
           f->p50_ms, f->p99_ms, f->cpu_ms, f->requests, f->failures ? "  (failures)" : "");
}

void
bench_bft_compare (const BenchBftLoad *load, const BenchBftSide *bft, const BenchBftSide *single,
                   const gchar *const *client_list, gdouble seconds, const gchar *system)
{
  g_print ("%7s  %-13s %9s %9s %9s %11s %8s\n", "clients", system, "req/s", "p50 ms", "p99 ms",
           "CPU ms/req", "requests");
  for (guint k = 0; client_list[k]; k++)
    {
      guint64 clients;
      BenchBftFigures b, u;

      if (!g_ascii_string_to_unsigned (client_list[k], 10, 1, 1024, &clients, NULL))
        continue;
      /* A short warm-up of each, then the measurements. */
      bench_bft_run (load, bft, clients, 0.3, FALSE);
      b = bench_bft_run (load, bft, clients, seconds, TRUE);
      bench_bft_run (load, single, clients, 0.3, FALSE);
      u = bench_bft_run (load, single, clients, seconds, TRUE);
      print_row (clients, bft->label, &b);
      print_row (clients, single->label, &u);
      if (u.rate > 0 && b.rate > 0)
        g_print ("%7s  ratio bft/unreplicated: throughput %.2f, p50 latency %.2fx, CPU per "
                 "request %.2fx\n",
                 "", b.rate / u.rate, b.p50_ms / u.p50_ms, b.cpu_ms / u.cpu_ms);
    }
}

SynodTestDaemon *
bench_bft_start_unreplicated (BftCluster *cluster, const gchar *config_file, GError **error)
{
  g_autofree gchar *state = g_strdup_printf ("%s/peer-unreplicated", cluster->dir);
  g_autoptr (SynodTestDaemon) single = NULL;
  SynodTestDaemonOptions dopt;

  if (g_mkdir_with_parents (state, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", state,
                   g_strerror (errno));
      return NULL;
    }
  synod_test_daemon_options_init (&dopt);
  dopt.state_dir = state;
  dopt.config_file = config_file;
  single = synod_test_daemon_start (&dopt, error);
  if (single == NULL
      || !synod_network_add_peer (cluster->network, synod_test_daemon_get_address (single), error))
    return NULL;
  if (!synod_network_wait_peers (cluster->network, cluster->n + 1, 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "did not connect");
      return NULL;
    }
  return g_steal_pointer (&single);
}
