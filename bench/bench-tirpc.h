/* bench-tirpc — the plain libtirpc peer the RPC benchmarks measure Synod
 * against: an svc_run server on loopback TCP in a thread of this process
 * (not registered with rpcbind) and a CLIENT connected to it.
 */
#pragma once

#include <glib.h>

#include <rpc/rpc.h>

G_BEGIN_DECLS

/* Starts the server of program @prog, version @vers, waits until it
 * listens and returns a client connected to it (one call in flight).
 * Aborts if either cannot be set up. The server answers NULLPROC and
 * procedure @proc, whose argument and result are one 32-bit integer coded
 * by @xdr_value (xdr_int or xdr_u_int): @compute, called in the server's
 * thread, turns the decoded argument into the result in place; with
 * @compute NULL the argument is sent back. */
CLIENT *bench_tirpc_start (rpcprog_t prog, rpcvers_t vers, rpcproc_t proc, xdrproc_t xdr_value,
                           void (*compute) (gpointer value));

G_END_DECLS
