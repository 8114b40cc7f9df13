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
 * Usage: bench-remote [SECONDS_PER_MEASURE [ROUNDS]]
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rpc/rpc.h>

#include <synod.h>

#include "cluster-test.h"

#define BENCH_PROG 0x20999997u
#define BENCH_VERS 1u
#define PROC_ADD 1u
#define WINDOW 128

/* ---- libtirpc: the same call, the way bench-rpc measures it ---- */

static guint32 tirpc_total;

static void
tirpc_dispatch (struct svc_req *req, SVCXPRT *xprt)
{
  u_int arg = 0;

  switch (req->rq_proc)
    {
      case NULLPROC:
        svc_sendreply (xprt, (xdrproc_t) xdr_void, NULL);
        return;
      case PROC_ADD:
        if (!svc_getargs (xprt, (xdrproc_t) xdr_u_int, (char *) &arg))
          {
            svcerr_decode (xprt);
            return;
          }
        tirpc_total += arg;
        arg = tirpc_total;
        svc_sendreply (xprt, (xdrproc_t) xdr_u_int, (char *) &arg);
        return;
      default:
        svcerr_noproc (xprt);
    }
}

static int tirpc_port;
static GMutex tirpc_lock;
static GCond tirpc_cond;

static gpointer
tirpc_server_thread (gpointer data)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  SVCXPRT *xprt;

  bind (fd, (struct sockaddr *) &sin, sizeof sin);
  listen (fd, 16);
  getsockname (fd, (struct sockaddr *) &sin, &len);
  xprt = svctcp_create (fd, 0, 0);
  /* protocol 0: do not register with rpcbind */
  if (xprt == NULL || !svc_register (xprt, BENCH_PROG, BENCH_VERS, tirpc_dispatch, 0))
    g_error ("libtirpc server set-up failed");
  g_mutex_lock (&tirpc_lock);
  tirpc_port = ntohs (sin.sin_port);
  g_cond_signal (&tirpc_cond);
  g_mutex_unlock (&tirpc_lock);
  svc_run ();
  return NULL;
}

static CLIENT *
tirpc_client (void)
{
  struct sockaddr_in sin = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    .sin_port = htons (tirpc_port),
  };
  int sock = RPC_ANYSOCK;
  CLIENT *cl = clnttcp_create (&sin, BENCH_PROG, BENCH_VERS, &sock, 0, 0);

  if (cl == NULL)
    g_error ("clnttcp_create: %s", clnt_spcreateerror ("bench"));
  return cl;
}

static double
measure_tirpc (CLIENT *cl, double seconds, guint64 *ret_calls)
{
  struct timeval tv = { 10, 0 };
  gint64 start = g_get_monotonic_time (), end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 calls = 0;
  u_int arg = 1, res = 0, last = 0, zero = 0;

  if (clnt_call (cl, PROC_ADD, (xdrproc_t) xdr_u_int, (char *) &zero, (xdrproc_t) xdr_u_int,
                 (char *) &last, tv)
      != RPC_SUCCESS)
    g_error ("libtirpc call failed");
  while (g_get_monotonic_time () < end)
    for (int i = 0; i < 64; i++, calls++)
      {
        if (clnt_call (cl, PROC_ADD, (xdrproc_t) xdr_u_int, (char *) &arg, (xdrproc_t) xdr_u_int,
                       (char *) &res, tv)
                != RPC_SUCCESS
            || res != last + 1)
          g_error ("libtirpc call failed");
        last = res;
      }
  *ret_calls = calls;
  return (g_get_monotonic_time () - start) / 1e6;
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

static double
measure_synod_sync (SynodRef *ref, double seconds, guint64 *ret_calls)
{
  gint64 start = g_get_monotonic_time (), end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 calls = 0;
  guint32 total = 0, last = 0;

  cluster_test_counter_add (ref, 0, &last, NULL);
  while (g_get_monotonic_time () < end)
    for (int i = 0; i < 64; i++, calls++)
      {
        g_autoptr (GError) error = NULL;

        if (!cluster_test_counter_add (ref, 1, &total, &error) || total != last + 1)
          g_error ("Synod call failed: %s", error ? error->message : "wrong total");
        last = total;
      }
  *ret_calls = calls;
  return (g_get_monotonic_time () - start) / 1e6;
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

static double
measure_synod_pipelined (SynodRef *ref, double seconds, guint window, guint64 *ret_calls)
{
  Pipeline p = { .ref = ref };
  gint64 start = g_get_monotonic_time ();

  p.end = start + (gint64) (seconds * G_USEC_PER_SEC);
  for (guint i = 0; i < window; i++)
    pipeline_send (&p);
  while (p.done < p.sent)
    g_main_context_iteration (NULL, TRUE);
  if (p.failed)
    g_error ("pipelined calls failed");
  *ret_calls = p.done;
  return (g_get_monotonic_time () - start) / 1e6;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 2.0;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) server = NULL, client = NULL;
  g_autoptr (SynodClass) klass = NULL;
  g_autoptr (SynodObject) counter = NULL;
  g_autoptr (SynodRef) ref = NULL;
  SynodNetwork *server_net, *client_net;
  SynodNetworkOptions options;
  CLIENT *cl;
  g_autoptr (GArray) lat_tirpc = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) lat_sync = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rate_pipe = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 n;
  double t, mt, ms, mp;

  rounds = MAX (rounds, 1);
  g_thread_unref (g_thread_new ("tirpc-server", tirpc_server_thread, NULL));
  g_mutex_lock (&tirpc_lock);
  while (tirpc_port == 0)
    g_cond_wait (&tirpc_cond, &tirpc_lock);
  g_mutex_unlock (&tirpc_lock);
  cl = tirpc_client ();

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

  /* Warm up both, then alternate so that load on the machine hits both. */
  measure_tirpc (cl, 0.2, &n);
  measure_synod_sync (ref, 0.2, &n);
  measure_synod_pipelined (ref, 0.2, WINDOW, &n);
  for (guint r = 0; r < rounds; r++)
    {
      double v;

      t = measure_tirpc (cl, seconds, &n);
      v = t * 1e6 / n;
      g_array_append_val (lat_tirpc, v);
      t = measure_synod_sync (ref, seconds, &n);
      v = t * 1e6 / n;
      g_array_append_val (lat_sync, v);
      t = measure_synod_pipelined (ref, seconds, WINDOW, &n);
      v = n / t;
      g_array_append_val (rate_pipe, v);
      g_print ("round %u: libtirpc %.1f us, Synod sync %.1f us (%.2fx), Synod pipelined %.0f/s "
               "(%.2fx libtirpc's rate)\n",
               r + 1, g_array_index (lat_tirpc, double, r), g_array_index (lat_sync, double, r),
               g_array_index (lat_sync, double, r) / g_array_index (lat_tirpc, double, r), v,
               v * g_array_index (lat_tirpc, double, r) / 1e6);
    }
  g_array_sort (lat_tirpc, compare_double);
  g_array_sort (lat_sync, compare_double);
  g_array_sort (rate_pipe, compare_double);
  mt = g_array_index (lat_tirpc, double, rounds / 2);
  ms = g_array_index (lat_sync, double, rounds / 2);
  mp = g_array_index (rate_pipe, double, rounds / 2);
  g_print ("Remote invocation, ClusterTest.Counter.add (u) -> u over loopback TCP, "
           "%.1f s per measure, median of %u rounds\n",
           seconds, rounds);
  g_print ("  libtirpc sync round trip              %8.1f us  (%9.0f calls/s)\n", mt, 1e6 / mt);
  g_print ("  Synod stub sync round trip            %8.1f us  (%9.0f calls/s)\n", ms, 1e6 / ms);
  g_print ("  Synod stub async, window %d          %8s     (%9.0f calls/s)\n", WINDOW, "", mp);
  g_print ("  ratio sync latency Synod/libtirpc:              %.2fx (target <= 1.2x)\n", ms / mt);
  g_print ("  ratio pipelined Synod / libtirpc one-in-flight: %.2fx (target >= 5x)\n",
           mp * mt / 1e6);

  g_clear_pointer (&ref, synod_ref_unref);
  synod_network_free (client_net);
  synod_network_free (server_net);
  clnt_destroy (cl);
  return 0;
}
