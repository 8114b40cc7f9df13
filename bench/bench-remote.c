/* bench-remote — a remote invocation through the whole Synod path, side by
 * side with plain libtirpc doing the same call.
 *
 * The call: an unsigned int in, the counter's new total back, over loopback
 * TCP, between two peers in one process (as libtirpc's client and server
 * are here):
 *   1. libtirpc: svc_run server, CLIENT (one call in flight), sync round trips;
 *   2. Synod: the generated stub of ClusterTest.Counter.add on one broker,
 *      through its network to another broker's object and back, synchronous;
 *   3. Synod: the same stub's asynchronous form, a window of calls in flight.
 * Prints the latency of 1 and 2, the throughput of 1 and 3, and the ratios.
 *
 * The machine is shared and its load moves a lot within seconds, so the
 * measures are interleaved in short slices (1 and 2 alternate every 64
 * calls, 3 runs between them in slices of 50 ms) and summed: each side sees
 * the same load. Besides wall time, the process's CPU time (user + system,
 * both peers of each side live in this process) per call is reported: it
 * moves less with the load.
 *
 * Then the same Synod calls over RPC-with-TLS (TLS 1.3, certificates made
 * at run time) side by side with plaintext, interleaved the same way: sync
 * round trips alternating every 64 calls, pipelined slices alternating,
 * with the ratios TLS/plaintext.
 * Usage: bench-remote [SECONDS_TOTAL [ROUNDS]]
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <glib/gstdio.h>
#include <rpc/rpc.h>

#include <synod.h>

#include "bench-tirpc.h"
#include "synod-test-certs.h"

#include "cluster-test.h"

#define BENCH_PROG 0x20999997u
#define BENCH_VERS 1u
#define PROC_ADD 1u
#define WINDOW 128

/* ---- libtirpc: the same call, the way bench-rpc measures it ---- */

static guint32 tirpc_total;

static void
tirpc_add (gpointer value)
{
  u_int *arg = value;

  tirpc_total += *arg;
  *arg = tirpc_total;
}

/* Process CPU time (user + system) in microseconds. */
static gint64
cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC + ru.ru_utime.tv_usec
         + ru.ru_stime.tv_usec;
}

/* Voluntary context switches of the whole process (every thread): a
 * thread that blocks and is woken again counts one. What a design costs in
 * hand-overs between threads, whatever the load. */
static gint64
switches (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_nvcsw;
}

/* What a measure adds up over its slices. */
typedef struct
{
  guint64 calls;
  gint64 wall_us;
  gint64 cpu_us;
  gint64 switches;
} Tally;

static u_int tirpc_last;

static void
tirpc_slice (CLIENT *cl, guint n, Tally *tally)
{
  struct timeval tv = { 10, 0 };
  gint64 start = g_get_monotonic_time (), cpu = cpu_us (), sw = switches ();
  u_int arg = 1, res = 0;

  for (guint i = 0; i < n; i++)
    {
      if (clnt_call (cl, PROC_ADD, (xdrproc_t)xdr_u_int, (char *)&arg, (xdrproc_t)xdr_u_int,
                     (char *)&res, tv)
              != RPC_SUCCESS
          || res != tirpc_last + 1)
        g_error ("libtirpc call failed");
      tirpc_last = res;
    }
  tally->calls += n;
  tally->wall_us += g_get_monotonic_time () - start;
  tally->cpu_us += cpu_us () - cpu;
  tally->switches += switches () - sw;
}

/* ---- Synod: two brokers, each with its network ---- */

typedef struct
{
  guint32 total;
} Counter;

static gboolean
counter_add (gpointer self, SynodCall *call, guint32 n, guint32 *ret_result, GError **error)
{
  Counter *c = self;

  c->total += n;
  *ret_result = c->total;
  return TRUE;
}

static const ClusterTestCounterIface counter_vtable = { .add = counter_add };

static guint32 synod_last;

static void
synod_sync_slice_last (SynodRef *ref, guint n, Tally *tally, guint32 *last)
{
  gint64 start = g_get_monotonic_time (), cpu = cpu_us (), sw = switches ();
  guint32 total = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!cluster_test_counter_add (ref, 1, &total, &error) || total <= *last)
        g_error ("Synod call failed: %s", error ? error->message : "wrong total");
      *last = total;
    }
  tally->calls += n;
  tally->wall_us += g_get_monotonic_time () - start;
  tally->cpu_us += cpu_us () - cpu;
  tally->switches += switches () - sw;
}

typedef struct
{
  SynodRef *ref;
  guint64 sent, done;
  gint64 end;
  gboolean failed;
} Pipeline;

static void pipeline_send (Pipeline *p);

static void
pipeline_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipeline *p = user_data;
  guint32 total = 0;

  if (!cluster_test_counter_add_finish (p->ref, result, &total, NULL))
    p->failed = TRUE;
  p->done++;
  if (g_get_monotonic_time () < p->end)
    pipeline_send (p);
}

static void
pipeline_send (Pipeline *p)
{
  p->sent++;
  cluster_test_counter_add_async (p->ref, 1, NULL, pipeline_done, p);
}

/* Keeps @window calls in flight for @us microseconds, then drains. */
static void
synod_pipelined_slice (SynodRef *ref, guint window, gint64 us, Tally *tally)
{
  Pipeline p = { .ref = ref };
  gint64 start = g_get_monotonic_time (), cpu = cpu_us (), sw = switches ();

  p.end = start + us;
  for (guint i = 0; i < window; i++)
    pipeline_send (&p);
  while (p.done < p.sent)
    g_main_context_iteration (NULL, TRUE);
  if (p.failed)
    g_error ("pipelined calls failed");
  tally->calls += p.done;
  tally->wall_us += g_get_monotonic_time () - start;
  tally->cpu_us += cpu_us () - cpu;
  tally->switches += switches () - sw;
}

static void
synod_sync_slice (SynodRef *ref, guint n, Tally *tally)
{
  synod_sync_slice_last (ref, n, tally, &synod_last);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  double tirpc_us, sync_us, pipe_rate;
  double tirpc_cpu, sync_cpu, pipe_cpu;
  double tirpc_sw, sync_sw, pipe_sw;
} Round;

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

/* One round: @seconds in all, tirpc and sync alternating every 64 calls
 * for two thirds of it, pipelined slices and tirpc slices alternating for
 * the last third. */
static void
run_round (CLIENT *cl, SynodRef *ref, double seconds, Round *ret)
{
  Tally tirpc = { 0 }, sync = { 0 }, tirpc2 = { 0 }, pipe = { 0 };
  gint64 end = g_get_monotonic_time () + (gint64)(seconds * 2 / 3 * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      tirpc_slice (cl, 64, &tirpc);
      synod_sync_slice (ref, 64, &sync);
    }
  end = g_get_monotonic_time () + (gint64)(seconds / 3 * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      gint64 slice_start = g_get_monotonic_time ();

      synod_pipelined_slice (ref, WINDOW, 50 * 1000, &pipe);
      /* As long a slice of one-in-flight libtirpc. */
      while (g_get_monotonic_time () - slice_start < 100 * 1000)
        tirpc_slice (cl, 16, &tirpc2);
    }
  ret->tirpc_us = (double)tirpc.wall_us / tirpc.calls;
  ret->sync_us = (double)sync.wall_us / sync.calls;
  ret->pipe_rate = pipe.calls * 1e6 / pipe.wall_us;
  ret->tirpc_cpu = (double)tirpc.cpu_us / tirpc.calls;
  ret->sync_cpu = (double)sync.cpu_us / sync.calls;
  ret->pipe_cpu = (double)pipe.cpu_us / pipe.calls;
  ret->tirpc_sw = (double)tirpc.switches / tirpc.calls;
  ret->sync_sw = (double)sync.switches / sync.calls;
  ret->pipe_sw = (double)pipe.switches / pipe.calls;
  /* The pipelined ratio is against libtirpc's rate in the same slices. */
  ret->tirpc_us
      = (ret->tirpc_us * tirpc.calls + (double)tirpc2.wall_us) / (tirpc.calls + tirpc2.calls);
}

/* ---- RPC-with-TLS against plaintext ---- */

typedef struct
{
  SynodBroker *server, *client;
  SynodClass *klass;
  SynodObject *counter;
  SynodNetwork *server_net, *client_net;
  SynodRef *ref;
  guint32 last;
} TlsPair;

static void
tls_pair_start (TlsPair *t, const gchar *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ca = synod_test_cert_path (dir, "ca", "pem");
  g_autofree gchar *server_cert = synod_test_cert_path (dir, "server", "pem");
  g_autofree gchar *server_key = synod_test_cert_path (dir, "server", "key");
  g_autofree gchar *client_cert = synod_test_cert_path (dir, "client", "pem");
  g_autofree gchar *client_key = synod_test_cert_path (dir, "client", "key");
  SynodNetworkOptions options;

  t->server = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  t->klass = synod_class_new ("ClusterTest.Counter", 1, sizeof (Counter), SYNOD_CLASS_NONE);
  synod_class_add_interface (t->klass, &cluster_test_counter_interface, &counter_vtable);
  g_assert_true (synod_broker_register_class (t->server, t->klass, &error));
  t->counter = synod_broker_create_object_of_class (t->server, t->klass, NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  options.listen = "127.0.0.1:0";
  options.tls_mode = SYNOD_TLS_REQUIRED;
  options.tls_cert = server_cert;
  options.tls_key = server_key;
  options.tls_ca = ca;
  t->server_net = synod_network_new (t->server, &options, &error);
  g_assert_no_error (error);

  t->client = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  options.tls_mode = SYNOD_TLS_REQUIRED;
  options.tls_cert = client_cert;
  options.tls_key = client_key;
  options.tls_ca = ca;
  t->client_net = synod_network_new (t->client, &options, &error);
  g_assert_no_error (error);
  g_assert_true (synod_network_connect_peer (
      t->client_net, synod_network_get_listen_address (t->server_net), NULL, &error));
  g_assert_no_error (error);
  t->ref = synod_ref_new_for_id (t->client, synod_object_get_id (t->counter));
  g_assert_true (cluster_test_counter_add (t->ref, 0, &t->last, &error));
}

static void
tls_pair_stop (TlsPair *t)
{
  g_clear_pointer (&t->ref, synod_ref_unref);
  g_clear_pointer (&t->client_net, synod_network_free);
  g_clear_pointer (&t->server_net, synod_network_free);
  g_clear_pointer (&t->counter, synod_object_unref);
  g_clear_pointer (&t->klass, synod_class_unref);
  g_clear_pointer (&t->client, synod_broker_unref);
  g_clear_pointer (&t->server, synod_broker_unref);
}

/* Plaintext (@plain, the main part's pair) and TLS side by side. */
static void
tls_comparison (SynodRef *plain, double seconds, guint rounds)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("bench-remote-tls-XXXXXX", &error);
  g_autoptr (GArray) sync_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) pipe_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  TlsPair t = { 0 };

  g_assert_no_error (error);
  if (!synod_test_make_ca (dir, "ca", "bench CA", &error)
      || !synod_test_make_cert (dir, "server", "server", "ca", -60, 3600, &error)
      || !synod_test_make_cert (dir, "client", "client", "ca", -60, 3600, &error))
    g_error ("%s", error->message);
  tls_pair_start (&t, dir);

  g_print ("\nThe same Synod calls over RPC-with-TLS (TLS 1.3) against plaintext, %u rounds of "
           "%.1f s, interleaved\n",
           rounds, seconds);
  g_print ("round  sync plain  sync TLS  ratio | async plain     async TLS      ratio | CPU "
           "us/sync call: plain TLS\n");
  for (guint i = 0; i < rounds; i++)
    {
      Tally sp = { 0 }, st = { 0 }, pp = { 0 }, pt = { 0 };
      gint64 end = g_get_monotonic_time () + (gint64)(seconds / 2 * G_USEC_PER_SEC);
      double sync_plain, sync_tls, rate_plain, rate_tls, v;

      while (g_get_monotonic_time () < end)
        {
          synod_sync_slice (plain, 64, &sp);
          synod_sync_slice_last (t.ref, 64, &st, &t.last);
        }
      end = g_get_monotonic_time () + (gint64)(seconds / 2 * G_USEC_PER_SEC);
      while (g_get_monotonic_time () < end)
        {
          synod_pipelined_slice (plain, WINDOW, 50 * 1000, &pp);
          synod_pipelined_slice (t.ref, WINDOW, 50 * 1000, &pt);
        }
      sync_plain = (double)sp.wall_us / sp.calls;
      sync_tls = (double)st.wall_us / st.calls;
      rate_plain = pp.calls * 1e6 / pp.wall_us;
      rate_tls = pt.calls * 1e6 / pt.wall_us;
      v = sync_tls / sync_plain;
      g_array_append_val (sync_ratio, v);
      v = rate_tls / rate_plain;
      g_array_append_val (pipe_ratio, v);
      g_print ("%5u %8.1f us %7.1f us %5.2fx | %8.0f/s %10.0f/s %8.2fx | %20.1f %5.1f\n", i + 1,
               sync_plain, sync_tls, sync_tls / sync_plain, rate_plain, rate_tls,
               rate_tls / rate_plain, (double)sp.cpu_us / sp.calls,
               (double)st.cpu_us / st.calls);
    }
  g_print ("median ratio sync latency TLS/plaintext:   %.2fx\n", median (sync_ratio));
  g_print ("median ratio pipelined rate TLS/plaintext: %.2fx\n", median (pipe_ratio));
  tls_pair_stop (&t);
  {
    const gchar *names[] = { "ca", "server", "client" };

    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree gchar *pem = synod_test_cert_path (dir, names[i], "pem");
        g_autofree gchar *key = synod_test_cert_path (dir, names[i], "key");

        g_remove (pem);
        g_remove (key);
      }
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 3.0;
  guint rounds = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 5;
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) server = NULL, client = NULL;
  g_autoptr (SynodClass) klass = NULL;
  g_autoptr (SynodObject) counter = NULL;
  g_autoptr (SynodRef) ref = NULL;
  SynodNetwork *server_net, *client_net;
  SynodNetworkOptions options;
  CLIENT *cl;
  g_autoptr (GArray) sync_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) pipe_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  Round r;

  rounds = MAX (rounds, 1);
  cl = bench_tirpc_start (BENCH_PROG, BENCH_VERS, PROC_ADD, (xdrproc_t)xdr_u_int, tirpc_add);
  {
    struct timeval tv = { 10, 0 };
    u_int zero = 0;

    if (clnt_call (cl, PROC_ADD, (xdrproc_t)xdr_u_int, (char *)&zero, (xdrproc_t)xdr_u_int,
                   (char *)&tirpc_last, tv)
        != RPC_SUCCESS)
      g_error ("libtirpc call failed");
  }

  /* The serving peer: the object, its broker, a listener. */
  server = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  klass = synod_class_new ("ClusterTest.Counter", 1, sizeof (Counter), SYNOD_CLASS_NONE);
  synod_class_add_interface (klass, &cluster_test_counter_interface, &counter_vtable);
  g_assert_true (synod_broker_register_class (server, klass, &error));
  counter = synod_broker_create_object_of_class (server, klass, NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  options.listen = "127.0.0.1:0";
  server_net = synod_network_new (server, &options, &error);
  g_assert_no_error (error);

  /* The calling peer: a broker and a network that connects to the other. */
  client = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  client_net = synod_network_new (client, &options, &error);
  g_assert_no_error (error);
  g_assert_true (synod_network_connect_peer (
      client_net, synod_network_get_listen_address (server_net), NULL, &error));
  g_assert_no_error (error);
  ref = synod_ref_new_for_id (client, synod_object_get_id (counter));
  g_assert_true (cluster_test_counter_add (ref, 0, &synod_last, &error));

  if (g_getenv ("BENCH_REMOTE_PROFILE"))
    {
      /* One side alone, for a profiler: "sync" or "async". */
      Tally t = { 0 };
      gboolean sync = g_strcmp0 (g_getenv ("BENCH_REMOTE_PROFILE"), "sync") == 0;
      gint64 end = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

      while (g_get_monotonic_time () < end)
        if (sync)
          synod_sync_slice (ref, 64, &t);
        else
          synod_pipelined_slice (ref, WINDOW, 100 * 1000, &t);
      g_print ("%s: %.1f us/call wall, %.1f us/call CPU, %.2f switches/call\n",
               sync ? "sync" : "async", (double)t.wall_us / t.calls, (double)t.cpu_us / t.calls,
               (double)t.switches / t.calls);
      return 0;
    }
  run_round (cl, ref, 0.3, &r); /* warm-up */
  g_print ("Remote invocation, ClusterTest.Counter.add (u) -> u over loopback TCP, %u rounds of "
           "%.1f s, interleaved\n",
           rounds, seconds);
  g_print ("round  libtirpc   Synod sync  ratio  | Synod async window %d  x libtirpc rate | CPU "
           "us/call: libtirpc  sync  async | switches/call: libtirpc sync async\n",
           WINDOW);
  for (guint i = 0; i < rounds; i++)
    {
      double v;

      run_round (cl, ref, seconds, &r);
      v = r.sync_us / r.tirpc_us;
      g_array_append_val (sync_ratio, v);
      v = r.pipe_rate * r.tirpc_us / 1e6;
      g_array_append_val (pipe_ratio, v);
      v = r.sync_cpu / r.tirpc_cpu;
      g_array_append_val (cpu_ratio, v);
      g_print ("%5u %7.1f us %8.1f us  %5.2fx | %12.0f calls/s %8.2fx       | %15.1f %5.1f %6.1f "
               "| %22.2f %4.2f %5.2f\n",
               i + 1, r.tirpc_us, r.sync_us, r.sync_us / r.tirpc_us, r.pipe_rate,
               r.pipe_rate * r.tirpc_us / 1e6, r.tirpc_cpu, r.sync_cpu, r.pipe_cpu, r.tirpc_sw,
               r.sync_sw, r.pipe_sw);
    }
  g_print ("median ratio sync latency Synod/libtirpc:              %.2fx (target <= 1.2x)\n",
           median (sync_ratio));
  g_print ("median ratio pipelined Synod / libtirpc one-in-flight: %.2fx (target >= 5x)\n",
           median (pipe_ratio));
  g_print ("median ratio CPU per sync call Synod/libtirpc:         %.2fx\n", median (cpu_ratio));

  tls_comparison (ref, seconds, rounds);

  g_clear_pointer (&ref, synod_ref_unref);
  synod_network_free (client_net);
  synod_network_free (server_net);
  clnt_destroy (cl);
  return 0;
}
