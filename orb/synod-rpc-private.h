/* synod-rpc-private.h — ONC RPC version 2 (RFC 5531) over TCP, multiplexed.
 *
 * libtirpc's CLIENT allows one call in flight and svc_run is single-threaded,
 * so Synod carries ONC RPC itself: one connection per pair of peers, used in
 * both directions (either side may call), calls multiplexed by xid, pipelined,
 * replies matched out of order. Call and reply headers are encoded and decoded
 * with libtirpc's xdr_callmsg()/xdr_replymsg(); records use RFC 5531's record
 * marking, and a record larger than the configured limit closes the
 * connection.
 *
 * Threads: one I/O pool per process reads every connection (epoll, one
 * thread at a time per connection), completes pending calls and hands
 * inbound calls to the dispatcher, which may defer the call to run on that
 * very thread once another has taken over the reading (synod_rpc_defer);
 * a synchronous caller reads its own reply when nobody else reads. Writers
 * are the calling threads themselves (one send per record, under a lock),
 * asynchronous calls and oneway sends go through a writer thread that
 * batches them.
 */
#pragma once

#include <gio/gio.h>

#include "synod-type.h"

G_BEGIN_DECLS

/* The broker's ONC RPC program: "SYN" after 0x20 (the user-defined range of
 * RFC 5531 section 8.3 starts at 0x20000000). */
#define SYNOD_RPC_PROGRAM 0x2053594Eu
#define SYNOD_RPC_VERSION 1u

/* Defaults of the limits a peer can make us allocate. */
#define SYNOD_RPC_DEFAULT_MAX_RECORD (16u * 1024u * 1024u)
#define SYNOD_RPC_DEFAULT_MAX_INBOUND 1024u
#define SYNOD_RPC_DEFAULT_MAX_CONNECTIONS 256u
#define SYNOD_RPC_DEFAULT_SEND_TIMEOUT_MS 10000u
/* Bytes queued for sending on one connection before sends fail. */
#define SYNOD_RPC_MAX_SEND_QUEUE (64u * 1024u * 1024u)

/* accept_stat of RFC 5531, section 9. */
typedef enum
{
  SYNOD_RPC_SUCCESS = 0,
  SYNOD_RPC_PROG_UNAVAIL = 1,
  SYNOD_RPC_PROG_MISMATCH = 2,
  SYNOD_RPC_PROC_UNAVAIL = 3,
  SYNOD_RPC_GARBAGE_ARGS = 4,
  SYNOD_RPC_SYSTEM_ERR = 5,
} SynodRpcAcceptStat;

typedef struct _SynodRpcConnection SynodRpcConnection;
typedef struct _SynodRpcListener SynodRpcListener;
typedef struct _SynodRpcTls SynodRpcTls;

/**
 * SynodRpcCallInfo:
 * @xid: the call's transaction id, to be passed back to the reply
 * @prog: program number
 * @vers: program version
 * @proc: procedure number
 * @cred_flavor: the credential's flavor (AUTH_NONE, AUTH_SYS...)
 *
 * What the dispatcher learns of an inbound call besides its arguments.
 */
typedef struct
{
  guint32 xid;
  guint32 prog;
  guint32 vers;
  guint32 proc;
  guint32 cred_flavor;
} SynodRpcCallInfo;

/**
 * SynodRpcProgram:
 * @prog: program number
 * @low_version: lowest version served
 * @high_version: highest version served
 * @n_procs: procedures are numbered 0 .. @n_procs - 1; 0 is the NULL
 *   procedure, answered by the transport itself
 * @oneway_procs: a bit per procedure (bit N = procedure N) whose calls get
 *   no reply
 * @dispatch: called, in the order the calls arrived, by the thread reading
 *   the connection for every other call; it must not block, and answers
 *   later with synod_rpc_connection_reply() (unless the procedure is
 *   oneway), possibly from work it deferred with synod_rpc_defer(). @args
 *   is the call's argument bytes.
 * @user_data: for @dispatch
 *
 * A program a connection serves. Calls to other programs get PROG_UNAVAIL,
 * to other versions PROG_MISMATCH (with the range), to procedures beyond
 * @n_procs PROC_UNAVAIL.
 */
typedef struct
{
  guint32 prog;
  guint32 low_version;
  guint32 high_version;
  guint32 n_procs;
  guint64 oneway_procs;
  void (*dispatch) (SynodRpcConnection *conn, const SynodRpcCallInfo *info, GBytes *args,
                    gpointer user_data);
  gpointer user_data;
} SynodRpcProgram;

/**
 * SynodRpcOptions:
 * @max_record: largest record accepted (bytes); larger ones close the
 *   connection
 * @max_inbound: inbound calls in progress at once; more are refused with
 *   SYSTEM_ERR
 * @send_timeout_ms: how long a send may block on a full socket before the
 *   connection is declared dead
 * @tls: (nullable): RPC-with-TLS (synod-rpc-tls-private.h): dialled
 *   connections probe for it and listeners offer it; NULL: plaintext only.
 *   Not owned: it must outlive the dials that use it (a listener takes a
 *   reference)
 */
typedef struct
{
  guint32 max_record;
  guint32 max_inbound;
  guint32 send_timeout_ms;
  SynodRpcTls *tls;
} SynodRpcOptions;

void synod_rpc_options_init (SynodRpcOptions *options);

typedef void (*SynodRpcClosedFunc) (SynodRpcConnection *conn, const GError *reason,
                                    gpointer user_data);

SynodRpcConnection *synod_rpc_connection_new (GSocketConnection *stream,
                                              const SynodRpcOptions *options,
                                              const SynodRpcProgram *program);
SynodRpcConnection *synod_rpc_connection_connect (const gchar *address, guint timeout_ms,
                                                  const SynodRpcOptions *options,
                                                  const SynodRpcProgram *program,
                                                  GCancellable *cancellable, GError **error);
void synod_rpc_connection_set_closed_func (SynodRpcConnection *conn, SynodRpcClosedFunc func,
                                           gpointer user_data, GDestroyNotify destroy);
void synod_rpc_connection_start (SynodRpcConnection *conn);
SynodRpcConnection *synod_rpc_connection_ref (SynodRpcConnection *conn);
void synod_rpc_connection_unref (SynodRpcConnection *conn);
void synod_rpc_connection_close (SynodRpcConnection *conn);
gboolean synod_rpc_connection_is_closed (SynodRpcConnection *conn);
const gchar *synod_rpc_connection_get_peer_address (SynodRpcConnection *conn);
const gchar *synod_rpc_connection_get_tls_principal (SynodRpcConnection *conn);
guint synod_rpc_connection_get_pending_count (SynodRpcConnection *conn);

GBytes *synod_rpc_connection_call_sync (SynodRpcConnection *conn, guint32 prog, guint32 vers,
                                        guint32 proc, GBytes *args, guint timeout_ms,
                                        GCancellable *cancellable, GError **error);
void synod_rpc_connection_call_async (SynodRpcConnection *conn, guint32 prog, guint32 vers,
                                      guint32 proc, GBytes *args, guint timeout_ms,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
typedef void (*SynodRpcReplyFunc) (GBytes *result, const GError *error, gpointer user_data);
void synod_rpc_connection_call_full (SynodRpcConnection *conn, guint32 prog, guint32 vers,
                                     guint32 proc, GBytes *args, guint timeout_ms,
                                     GMainContext *timer_context, SynodRpcReplyFunc func,
                                     gpointer user_data);
GBytes *synod_rpc_connection_call_finish (SynodRpcConnection *conn, GAsyncResult *result,
                                          GError **error);
gboolean synod_rpc_connection_send_oneway (SynodRpcConnection *conn, guint32 prog, guint32 vers,
                                           guint32 proc, GBytes *args, GError **error);
gboolean synod_rpc_can_defer (void);
gboolean synod_rpc_defer (void (*func) (gpointer data), gpointer data);
gboolean synod_rpc_connection_reply (SynodRpcConnection *conn, guint32 xid, SynodRpcAcceptStat stat,
                                     GBytes *results, GError **error);

typedef void (*SynodRpcAcceptFunc) (SynodRpcConnection *conn, gpointer user_data);

SynodRpcListener *synod_rpc_listener_new (const gchar *address, guint max_connections,
                                          const SynodRpcOptions *options,
                                          const SynodRpcProgram *program, GError **error);
SynodRpcListener *synod_rpc_listener_new_full (const gchar *address, guint max_connections,
                                               const SynodRpcOptions *options,
                                               const SynodRpcProgram *program,
                                               SynodRpcAcceptFunc accept_func, gpointer user_data,
                                               GDestroyNotify destroy, GError **error);
guint16 synod_rpc_listener_get_port (SynodRpcListener *listener);
guint synod_rpc_listener_get_connection_count (SynodRpcListener *listener);
void synod_rpc_listener_free (SynodRpcListener *listener);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodRpcConnection, synod_rpc_connection_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodRpcListener, synod_rpc_listener_free)

G_END_DECLS
