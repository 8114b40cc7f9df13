/* bench-tirpc — the plain libtirpc peer the RPC benchmarks measure Synod
 * against: an svc_run server on loopback TCP in a thread of this process
 * (not registered with rpcbind) and a CLIENT connected to it.
 */
#pragma once

#include <glib.h>

#include <rpc/rpc.h>

G_BEGIN_DECLS

/* Starts the server for program @prog, version @vers, calls handled by
 * @dispatch, waits until it listens and returns a client connected to it
 * (one call in flight). Aborts if either cannot be set up. */
CLIENT *bench_tirpc_start (rpcprog_t prog, rpcvers_t vers,
                           void (*dispatch) (struct svc_req *req, SVCXPRT *xprt));

G_END_DECLS
