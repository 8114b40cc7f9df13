/* bench-rpc — Synod's ONC RPC transport side by side with libtirpc.
 *
 * The same small call (an int in, the int back) over loopback TCP:
 *   1. libtirpc: svc_run server, CLIENT (one call in flight), sync round trips;
 *   2. Synod: the same call, synchronous round trips on one connection;
 *   3. Synod: pipelined asynchronous calls (a window of calls in flight).
 * Prints the latency of 1 and 2, the throughput of 1 and 3, and the ratios.
 * Usage: bench-rpc [SECONDS_PER_MEASURE]
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rpc/rpc.h>

#include <synod.h>

#include "bench-tirpc.h"

#include "synod-rpc-private.h"

#define BENCH_PROG 0x20999998u
#define BENCH_VERS 1u
#define PROC_ECHO 1u

/* ---- libtirpc ---- */

static double
measure_tirpc (CLIENT *cl, double seconds, guint64 *ret_calls)
{
  struct timeval tv = { 10, 0 };
  gint64 start = g_get_monotonic_time (), end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 calls = 0;
  int arg = 0, res = 0;

  while (g_get_monotonic_time () < end)
    for (int i = 0; i < 64; i++, calls++)
      {
        arg = (int) calls;
        if (clnt_call (cl, PROC_ECHO, (xdrproc_t) xdr_int, (char *) &arg, (xdrproc_t) xdr_int,
                       (char *) &res, tv)
                != RPC_SUCCESS
            || res != arg)
          g_error ("libtirpc call failed");
      }
  *ret_calls = calls;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* ---- Synod ---- */

static void
synod_dispatch (SynodRpcConnection *conn, const SynodRpcCallInfo *info, GBytes *args, gpointer data)
{
  synod_rpc_connection_reply (conn, info->xid, SYNOD_RPC_SUCCESS, args, NULL);
}

static GBytes *
encode_int (int v)
{
  guint32 be = g_htonl ((guint32) v);
  return g_bytes_new (&be, 4);
}

static double
measure_synod_sync (SynodRpcConnection *conn, double seconds, guint64 *ret_calls)
{
  gint64 start = g_get_monotonic_time (), end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 calls = 0;

  while (g_get_monotonic_time () < end)
    for (int i = 0; i < 64; i++, calls++)
      {
        g_autoptr (GBytes) args = encode_int ((int) calls);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = synod_rpc_connection_call_sync (conn, BENCH_PROG, BENCH_VERS,
                                                                   PROC_ECHO, args, 10000, NULL,
                                                                   &error);
        if (reply == NULL || !g_bytes_equal (reply, args))
          g_error ("Synod call failed: %s", error ? error->message : "wrong reply");
      }
  *ret_calls = calls;
  return (g_get_monotonic_time () - start) / 1e6;
}

typedef struct
{
  SynodRpcConnection *conn;
  guint64 sent, done;
  gint64 end;
  guint window;
  gboolean failed;
} Pipeline;

static void pipeline_send (Pipeline *p);

static void
pipeline_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipeline *p = user_data;
  g_autoptr (GBytes) reply = synod_rpc_connection_call_finish (p->conn, result, NULL);

  if (reply == NULL)
    p->failed = TRUE;
  p->done++;
  if (g_get_monotonic_time () < p->end)
    pipeline_send (p);
}

static void
pipeline_send (Pipeline *p)
{
  g_autoptr (GBytes) args = encode_int ((int) p->sent);

  p->sent++;
  synod_rpc_connection_call_async (p->conn, BENCH_PROG, BENCH_VERS, PROC_ECHO, args, 10000, NULL,
                                   pipeline_done, p);
}

static double
measure_synod_pipelined (SynodRpcConnection *conn, double seconds, guint window, guint64 *ret_calls)
{
  Pipeline p = { .conn = conn, .window = window };
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

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 3.0;
  SynodRpcProgram program = {
    .prog = BENCH_PROG,
    .low_version = BENCH_VERS,
    .high_version = BENCH_VERS,
    .n_procs = 2,
    .dispatch = synod_dispatch,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRpcListener) listener = NULL;
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autofree gchar *address = NULL;
  CLIENT *cl;
  guint64 n_tirpc, n_sync, n_pipe;
  double t_tirpc, t_sync, t_pipe;
  double lat_tirpc, lat_sync, rate_tirpc, rate_pipe;

  cl = bench_tirpc_start (BENCH_PROG, BENCH_VERS, PROC_ECHO, (xdrproc_t)xdr_int, NULL);

  listener = synod_rpc_listener_new ("127.0.0.1:0", 4, NULL, &program, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", synod_rpc_listener_get_port (listener));
  conn = synod_rpc_connection_connect (address, 5000, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Warm up both, then alternate so load on the machine hits both alike. */
  measure_tirpc (cl, 0.2, &n_tirpc);
  measure_synod_sync (conn, 0.2, &n_sync);
  t_tirpc = measure_tirpc (cl, seconds, &n_tirpc);
  t_sync = measure_synod_sync (conn, seconds, &n_sync);
  t_pipe = measure_synod_pipelined (conn, seconds, 128, &n_pipe);

  lat_tirpc = t_tirpc * 1e6 / n_tirpc;
  lat_sync = t_sync * 1e6 / n_sync;
  rate_tirpc = n_tirpc / t_tirpc;
  rate_pipe = n_pipe / t_pipe;
  g_print ("ONC RPC transport, int echo over loopback TCP, %.1f s per measure\n", seconds);
  g_print ("  libtirpc sync round trip     %8.1f us  (%9.0f calls/s)\n", lat_tirpc, rate_tirpc);
  g_print ("  Synod sync round trip        %8.1f us  (%9.0f calls/s)\n", lat_sync, n_sync / t_sync);
  g_print ("  Synod pipelined (window 128) %8s     (%9.0f calls/s)\n", "", rate_pipe);
  g_print ("  ratio sync latency Synod/libtirpc:          %.2fx (target <= 1.2x)\n",
           lat_sync / lat_tirpc);
  g_print ("  ratio pipelined Synod / libtirpc one-in-flight: %.2fx (target >= 5x)\n",
           rate_pipe / rate_tirpc);
  clnt_destroy (cl);
  synod_rpc_connection_close (conn);
  return 0;
}
