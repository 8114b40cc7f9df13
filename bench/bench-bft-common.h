/* bench-bft-common — what bench-bft-service and bench-bft-site share: the
 * client threads' driver, the CPU time of the processes involved, the
 * figures of one row and the table they are printed in, and the fifth,
 * unreplicated daemon the BFT cluster is compared with.
 */
#pragma once

#include "bft-cluster.h"

G_BEGIN_DECLS

/* One client thread. The benchmark's worker function (a GThreadFunc given
 * the BenchBftWorker) issues requests to @target until @deadline, appends
 * each request's latency to @latencies and reports failures with
 * bench_bft_worker_fail(). */
typedef struct
{
  gconstpointer target; /* one of BenchBftSide.targets */
  gpointer data;        /* BenchBftLoad.data */
  guint64 client;
  gint64 deadline;
  GArray *latencies; /* gint64 µs */
  guint failures;
  gchar *first_failure;
} BenchBftWorker;

/* What every client thread runs. */
typedef struct
{
  GThreadFunc worker_run;
  gpointer data;
  guint64 client_base; /* client ids are client_base + 1, + 2, ... */
} BenchBftLoad;

/* One system measured: the targets the clients spread over, and the
 * processes whose CPU time is counted with this one's. */
typedef struct
{
  const gchar *label;
  const gconstpointer *targets;
  guint n_targets;
  const GPid *pids;
  guint n_pids;
} BenchBftSide;

typedef struct
{
  gdouble rate;
  gdouble p50_ms;
  gdouble p99_ms;
  gdouble cpu_ms;
  guint64 requests;
  guint failures;
} BenchBftFigures;

void bench_bft_worker_fail (BenchBftWorker *w, const gchar *why);

/* @clients threads for @seconds against @side; with @count_cpu FALSE the
 * daemons' CPU time is left out (a warm-up). */
BenchBftFigures bench_bft_run (const BenchBftLoad *load, const BenchBftSide *side, guint clients,
                               gdouble seconds, gboolean count_cpu);

/* The table's head (@system names its second column), then for each
 * number of clients in @client_list a warm-up and a measurement of @bft,
 * the same of @single, their rows and the ratios. */
void bench_bft_compare (const BenchBftLoad *load, const BenchBftSide *bft,
                        const BenchBftSide *single, const gchar *const *client_list,
                        gdouble seconds, const gchar *system);

/* Starts a daemon on the configuration @config_file (written by
 * bft_cluster_write_unreplicated_config()) in the cluster's directory and
 * waits until the cluster's network reaches it. */
SynodTestDaemon *bench_bft_start_unreplicated (BftCluster *cluster, const gchar *config_file,
                                               GError **error);

G_END_DECLS
