/* bench-tirpc — the plain libtirpc server and client of the RPC benchmarks. */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "bench-tirpc.h"

static struct
{
  rpcprog_t prog;
  rpcvers_t vers;
  rpcproc_t proc;
  xdrproc_t xdr_value;
  void (*compute) (gpointer value);
  int port;
  GMutex lock;
  GCond cond;
} server;

static void
dispatch (struct svc_req *req, SVCXPRT *xprt)
{
  union
  {
    int i;
    u_int u;
  } value = { 0 };

  if (req->rq_proc == NULLPROC)
    svc_sendreply (xprt, (xdrproc_t)xdr_void, NULL);
  else if (req->rq_proc != server.proc)
    svcerr_noproc (xprt);
  else if (!svc_getargs (xprt, server.xdr_value, (char *)&value))
    svcerr_decode (xprt);
  else
    {
      if (server.compute != NULL)
        server.compute (&value);
      svc_sendreply (xprt, server.xdr_value, (char *)&value);
    }
}

static gpointer
server_thread (gpointer data)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  SVCXPRT *xprt;

  bind (fd, (struct sockaddr *)&sin, sizeof sin);
  listen (fd, 16);
  getsockname (fd, (struct sockaddr *)&sin, &len);
  xprt = svctcp_create (fd, 0, 0);
  /* protocol 0: do not register with rpcbind */
  if (xprt == NULL || !svc_register (xprt, server.prog, server.vers, dispatch, 0))
    g_error ("libtirpc server set-up failed");
  g_mutex_lock (&server.lock);
  server.port = ntohs (sin.sin_port);
  g_cond_signal (&server.cond);
  g_mutex_unlock (&server.lock);
  svc_run ();
  return NULL;
}

CLIENT *
bench_tirpc_start (rpcprog_t prog, rpcvers_t vers, rpcproc_t proc, xdrproc_t xdr_value,
                   void (*compute) (gpointer value))
{
  struct sockaddr_in sin = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  int sock = RPC_ANYSOCK;
  CLIENT *cl;

  server.prog = prog;
  server.vers = vers;
  server.proc = proc;
  server.xdr_value = xdr_value;
  server.compute = compute;
  g_thread_unref (g_thread_new ("tirpc-server", server_thread, NULL));
  g_mutex_lock (&server.lock);
  while (server.port == 0)
    g_cond_wait (&server.cond, &server.lock);
  sin.sin_port = htons (server.port);
  g_mutex_unlock (&server.lock);
  cl = clnttcp_create (&sin, prog, vers, &sock, 0, 0);
  if (cl == NULL)
    g_error ("clnttcp_create: %s", clnt_spcreateerror ("bench"));
  return cl;
}
