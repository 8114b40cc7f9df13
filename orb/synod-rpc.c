/* synod-rpc.c — ONC RPC v2 connections: record marking, xid multiplexing,
 * call/reply headers through libtirpc, the listener.
 *
 * See synod-rpc-private.h for the model. Every inbound byte is hostile: a
 * record over the limit, a header libtirpc cannot decode or a message type
 * that is neither CALL nor REPLY closes the connection; a call to the wrong
 * program, version or procedure gets the RFC 5531 rejection and the
 * connection stays up.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <rpc/rpc.h>

#include <glib/gi18n-lib.h>

#include "synod-batch-private.h"
#include "synod-error.h"
#include "synod-rpc-private.h"
#include "synod-rpc-tls-private.h"

/* Largest header we encode: xid, type, reply/call fields, and two empty
 * opaque_auth; 32 words is ample. */
#define HEADER_MAX 128
#define READ_CHUNK (64u * 1024u)
#define SPARE_BUFFER_MAX (256u * 1024u)
/* How long a synchronous caller's recv() waits at most before it looks at
 * its deadline again (the socket's receive timeout). */
#define READ_WAIT_SLICE_MS 100

typedef struct
{
  guint32 xid;
  /* Synchronous waiters wait on @cond under the connection's lock (and say
   * so in @waiting, so that a completion costs no futex call otherwise). */
  GCond cond;
  gboolean waiting;
  gboolean done;
  GBytes *result;
  GError *error;
  /* Asynchronous calls complete @task, or call @func. */
  GTask *task;
  SynodRpcReplyFunc func;
  gpointer func_data;
  SynodRpcConnection *conn; /* a reference, for asynchronous calls */
  gint64 deadline;          /* monotonic; 0: none (asynchronous calls) */
} Pending;

#define PENDING_IS_SYNC(p) ((p)->task == NULL && (p)->func == NULL)

struct _SynodRpcConnection
{
  gatomicrefcount ref_count;
  GSocketConnection *stream;
  int fd;
  gchar *peer_address;
  SynodRpcOptions options;
  SynodRpcProgram program;

  /* Outgoing records wait in @out until one thread writes them all. */
  GMutex out_lock;
  GCond out_cond;
  GByteArray *out;
  GByteArray *out_spare;
  gboolean flushing;
  gboolean out_closed;
  gboolean writer_idle;
  gboolean writer_signalled;
  GThread *writer;

  /* Reading. Whoever holds @read_lock reads the socket and handles its
   * records, in order: a thread of the I/O pool woken by epoll, or a
   * synchronous caller waiting for its own reply. */
  GMutex read_lock;
  guint8 *rbuf;
  gsize rcap, rlen;
  GByteArray *record; /* a record of several fragments, being assembled */
  guint64 io_key;     /* its key in the I/O pool; 0 when not registered */
  gint missed;        /* an event came while another thread was reading */

  GMutex lock;         /* guards everything below */
  GHashTable *pending; /* xid -> Pending* */
  guint32 next_xid;
  guint inbound;
  gboolean closed;
  GError *close_reason; /* why it closed, once it has */
  gboolean started;
  SynodRpcClosedFunc closed_func;
  gpointer closed_data;
  GDestroyNotify closed_destroy;
  /* The listener that accepted the connection keeps its own hook, so that
   * the owner's closed function (set after accepting) does not replace it:
   * the listener must learn of every close to keep its count right. */
  SynodRpcListener *listener;
  /* In the timer's set of connections with timed asynchronous calls
   * (guarded by @lock). */
  gboolean timed;

  /* RPC-with-TLS, set up before the connection starts and fixed after.
   * @tls_raw is the reader's ciphertext buffer (under @read_lock),
   * @tls_out the flusher's (while @flushing). A plaintext connection of a
   * peer that requires TLS refuses every call but NULL. */
  SynodTlsSession *tls;
  guint8 *tls_raw;
  GByteArray *tls_out;
  gboolean refuse_plaintext;
};

static void listener_connection_closed (SynodRpcConnection *conn, SynodRpcListener *listener);
static void listener_unref (gpointer data);

/* While a thread works through the records of one read of @conn, its
 * replies to it wait and leave together at the end (one send). */
static __thread SynodRpcConnection *tls_corked;

/* Work the program's dispatch function deferred, to run on this thread
 * once the reading of the connection has been handed on (NULL where
 * nothing may be deferred). */
typedef struct
{
  void (*func) (gpointer data);
  gpointer data;
} Deferred;
static __thread GArray *tls_deferred;

void
synod_rpc_options_init (SynodRpcOptions *options)
{
  options->max_record = SYNOD_RPC_DEFAULT_MAX_RECORD;
  options->max_inbound = SYNOD_RPC_DEFAULT_MAX_INBOUND;
  options->send_timeout_ms = SYNOD_RPC_DEFAULT_SEND_TIMEOUT_MS;
  options->tls = NULL;
}

static gchar *
describe_address (GSocketAddress *address)
{
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (g_inet_socket_address_get_address (inet) != NULL
          && g_inet_address_get_family (g_inet_socket_address_get_address (inet))
                 == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, port);
      return g_strdup_printf ("%s:%u", host, port);
    }
  return g_strdup ("(unknown)");
}

/**
 * synod_rpc_connection_new:
 * @stream: a connected TCP stream (the connection takes a reference)
 * @options: (nullable): limits, or NULL for the defaults
 * @program: (nullable): the program served to the peer, or NULL to serve
 *   nothing (every inbound call then gets PROG_UNAVAIL)
 *
 * Wraps a connected stream. Call synod_rpc_connection_start() to begin
 * reading.
 *
 * Returns: (transfer full): a new connection
 */
SynodRpcConnection *
synod_rpc_connection_new (GSocketConnection *stream, const SynodRpcOptions *options,
                          const SynodRpcProgram *program)
{
  SynodRpcConnection *conn = g_new0 (SynodRpcConnection, 1);
  GSocket *socket = g_socket_connection_get_socket (stream);
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  int one = 1;

  g_atomic_ref_count_init (&conn->ref_count);
  conn->stream = g_object_ref (stream);
  conn->fd = g_socket_get_fd (socket);
  conn->peer_address = remote ? describe_address (remote) : g_strdup ("(unknown)");
  if (options)
    conn->options = *options;
  else
    synod_rpc_options_init (&conn->options);
  /* The TLS configuration serves whoever sets the connection up (the
   * dialler, the listener), which keeps its own; not the connection. */
  conn->options.tls = NULL;
  if (program)
    conn->program = *program;
  g_mutex_init (&conn->out_lock);
  g_cond_init (&conn->out_cond);
  conn->out = g_byte_array_new ();
  g_mutex_init (&conn->lock);
  g_mutex_init (&conn->read_lock);
  conn->rcap = READ_CHUNK;
  conn->rbuf = g_malloc (conn->rcap);
  conn->record = g_byte_array_new ();
  conn->pending = g_hash_table_new (g_direct_hash, g_direct_equal);
  conn->next_xid = g_random_int ();

  /* Writers block in send() at most send_timeout_ms (GSocket's own timeout
   * would apply to reads too); readers use MSG_DONTWAIT and wait in
   * epoll or poll. GSocket keeps its fd non-blocking and emulates blocking
   * with poll(); this code uses the fd directly. */
  g_socket_set_blocking (socket, TRUE);
  fcntl (conn->fd, F_SETFL, fcntl (conn->fd, F_GETFL) & ~O_NONBLOCK);
  setsockopt (conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (conn->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  {
    struct timeval tv = { .tv_sec = 0, .tv_usec = READ_WAIT_SLICE_MS * 1000 };

    setsockopt (conn->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  if (conn->options.send_timeout_ms > 0)
    {
      struct timeval tv = {
        .tv_sec = conn->options.send_timeout_ms / 1000,
        .tv_usec = (conn->options.send_timeout_ms % 1000) * 1000,
      };
      setsockopt (conn->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
  return conn;
}

SynodRpcConnection *
synod_rpc_connection_ref (SynodRpcConnection *conn)
{
  g_return_val_if_fail (conn != NULL, NULL);
  g_atomic_ref_count_inc (&conn->ref_count);
  return conn;
}

void
synod_rpc_connection_unref (SynodRpcConnection *conn)
{
  if (conn == NULL || !g_atomic_ref_count_dec (&conn->ref_count))
    return;
  /* The I/O pool holds a reference while the connection is registered, and
   * pending calls are failed on close, so nothing is left to complete here. */
  g_assert (g_hash_table_size (conn->pending) == 0);
  if (conn->closed_destroy)
    conn->closed_destroy (conn->closed_data);
  g_clear_pointer (&conn->listener, listener_unref);
  g_io_stream_close (G_IO_STREAM (conn->stream), NULL, NULL);
  g_object_unref (conn->stream);
  g_hash_table_unref (conn->pending);
  g_mutex_clear (&conn->out_lock);
  g_cond_clear (&conn->out_cond);
  g_byte_array_unref (conn->out);
  g_clear_pointer (&conn->out_spare, g_byte_array_unref);
  g_clear_pointer (&conn->writer, g_thread_unref);
  g_mutex_clear (&conn->read_lock);
  g_free (conn->rbuf);
  g_byte_array_unref (conn->record);
  g_mutex_clear (&conn->lock);
  g_free (conn->peer_address);
  g_clear_error (&conn->close_reason);
  _synod_tls_session_free (conn->tls);
  g_free (conn->tls_raw);
  g_clear_pointer (&conn->tls_out, g_byte_array_unref);
  g_free (conn);
}

/**
 * synod_rpc_connection_set_closed_func:
 * @conn: a connection
 * @func: called once, on whichever thread closes the connection (the reader
 *   on EOF or error, or the caller of synod_rpc_connection_close())
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when the connection is freed
 */
void
synod_rpc_connection_set_closed_func (SynodRpcConnection *conn, SynodRpcClosedFunc func,
                                      gpointer user_data, GDestroyNotify destroy)
{
  g_mutex_lock (&conn->lock);
  conn->closed_func = func;
  conn->closed_data = user_data;
  conn->closed_destroy = destroy;
  g_mutex_unlock (&conn->lock);
}

const gchar *
synod_rpc_connection_get_peer_address (SynodRpcConnection *conn)
{
  return conn->peer_address;
}

/**
 * synod_rpc_connection_get_tls_principal:
 * @conn: a connection
 *
 * Returns: (nullable): the principal of the peer's verified certificate
 *   ("cert:" and its common name) when the connection runs TLS, else NULL
 */
const gchar *
synod_rpc_connection_get_tls_principal (SynodRpcConnection *conn)
{
  return conn->tls ? _synod_tls_session_get_principal (conn->tls) : NULL;
}

guint
synod_rpc_connection_get_pending_count (SynodRpcConnection *conn)
{
  guint n;

  g_mutex_lock (&conn->lock);
  n = g_hash_table_size (conn->pending);
  g_mutex_unlock (&conn->lock);
  return n;
}

gboolean
synod_rpc_connection_is_closed (SynodRpcConnection *conn)
{
  gboolean closed;

  g_mutex_lock (&conn->lock);
  closed = conn->closed;
  g_mutex_unlock (&conn->lock);
  return closed;
}

/* ---- Delivering async completions in batches (synod-batch-private.h) */

typedef struct
{
  GTask *task;
  GBytes *result;
  GError *error;
} Completion;

static void
return_task (gpointer data)
{
  Completion *c = data;

  if (c->error)
    g_task_return_error (c->task, c->error);
  else
    g_task_return_pointer (c->task, c->result, (GDestroyNotify)g_bytes_unref);
  g_object_unref (c->task);
  g_free (c);
}

static void
drop_task (gpointer data)
{
  Completion *c = data;

  /* The context went away: the task can no longer call back. */
  g_clear_pointer (&c->result, g_bytes_unref);
  g_clear_error (&c->error);
  g_object_unref (c->task);
  g_free (c);
}

/* Completes @p (already removed from the table) with @result or @error;
 * takes both. Called without the connection's lock held. */
static void
complete_async (Pending *p, GBytes *result, GError *error)
{
  Completion *c;

  g_clear_pointer (&p->conn, synod_rpc_connection_unref);
  if (p->func)
    {
      p->func (result, error, p->func_data);
      g_clear_pointer (&result, g_bytes_unref);
      g_clear_error (&error);
      g_free (p);
      return;
    }
  c = g_new (Completion, 1);
  c->task = p->task;
  c->result = result;
  c->error = error;
  g_free (p);
  _synod_batch_call (g_task_get_context (c->task), return_task, drop_task, c);
}

/* Removes @xid's pending entry and completes it. Returns whether one was
 * found (a late reply after a timeout finds none). */
static gboolean
complete_pending (SynodRpcConnection *conn, guint32 xid, GBytes *result, GError *error)
{
  Pending *p;

  g_mutex_lock (&conn->lock);
  p = g_hash_table_lookup (conn->pending, GUINT_TO_POINTER (xid));
  if (p == NULL)
    {
      g_mutex_unlock (&conn->lock);
      g_clear_pointer (&result, g_bytes_unref);
      g_clear_error (&error);
      return FALSE;
    }
  g_hash_table_remove (conn->pending, GUINT_TO_POINTER (xid));
  if (PENDING_IS_SYNC (p))
    {
      p->done = TRUE;
      p->result = result;
      p->error = error;
      if (p->waiting)
        g_cond_broadcast (&p->cond);
      g_mutex_unlock (&conn->lock);
      return TRUE;
    }
  g_mutex_unlock (&conn->lock);
  complete_async (p, result, error);
  return TRUE;
}

/* Marks the connection closed (once) and fails every pending call. */
static void
mark_closed (SynodRpcConnection *conn, const GError *reason)
{
  GHashTableIter iter;
  gpointer value;
  GSList *async_calls = NULL;
  SynodRpcClosedFunc func;
  gpointer data;

  g_mutex_lock (&conn->lock);
  if (conn->closed)
    {
      g_mutex_unlock (&conn->lock);
      return;
    }
  conn->closed = TRUE;
  conn->close_reason = g_error_copy (reason);
  g_hash_table_iter_init (&iter, conn->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Pending *p = value;

      if (PENDING_IS_SYNC (p))
        {
          p->done = TRUE;
          p->error = g_error_copy (reason);
          if (p->waiting)
            g_cond_broadcast (&p->cond);
        }
      else
        async_calls = g_slist_prepend (async_calls, p);
      g_hash_table_iter_remove (&iter);
    }
  func = conn->closed_func;
  data = conn->closed_data;
  g_mutex_unlock (&conn->lock);

  g_mutex_lock (&conn->out_lock);
  conn->out_closed = TRUE;
  g_cond_broadcast (&conn->out_cond);
  g_mutex_unlock (&conn->out_lock);

  for (GSList *l = async_calls; l; l = l->next)
    complete_async (l->data, NULL, g_error_copy (reason));
  g_slist_free (async_calls);

  shutdown (conn->fd, SHUT_RDWR);
  g_debug ("connection to %s closed: %s", conn->peer_address, reason->message);
  if (func)
    func (conn, reason, data);
  if (conn->listener)
    listener_connection_closed (conn, conn->listener);
}

/* The error of a call on a closed connection: why it closed. */
static void
set_closed_error (SynodRpcConnection *conn, GError **error)
{
  g_autofree gchar *why = NULL;

  g_mutex_lock (&conn->lock);
  why = conn->close_reason ? g_strdup (conn->close_reason->message) : NULL;
  g_mutex_unlock (&conn->lock);
  if (why)
    g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                 _ ("Connection to %s is closed: %s"), conn->peer_address, why);
  else
    g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                 _ ("Connection to %s is closed"), conn->peer_address);
}

/**
 * synod_rpc_connection_close:
 * @conn: a connection
 *
 * Closes the connection: pending calls fail at once with
 * SYNOD_ORB_ERROR_DISCONNECTED and the reader thread ends.
 */
void
synod_rpc_connection_close (SynodRpcConnection *conn)
{
  g_autoptr (GError) reason = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                                           _ ("Connection to %s closed"), conn->peer_address);

  mark_closed (conn, reason);
}

/* Writes all of @data, blocking at most send_timeout_ms per write. */
static gboolean
write_all (SynodRpcConnection *conn, const guint8 *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t sent = send (conn->fd, data, len, MSG_NOSIGNAL);

      if (sent < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       saved == EAGAIN || saved == EWOULDBLOCK ? _ ("Sending to %s timed out")
                                                               : _ ("Sending to %s failed: %s"),
                       conn->peer_address, g_strerror (saved));
          return FALSE;
        }
      data += sent;
      len -= sent;
    }
  return TRUE;
}

/* Writes out what is queued, until the queue stays empty. Called with
 * out_lock held and returns with it held; at most one thread flushes at a
 * time, and records queued meanwhile by others go out in the same pass. */
/* Encrypts @batch and writes the ciphertext (the flusher's, only one at a
 * time: ciphertext leaves in the order it was made). */
static gboolean
write_tls (SynodRpcConnection *conn, GByteArray *batch, GError **error)
{
  gboolean ok;

  g_byte_array_set_size (conn->tls_out, 0);
  ok = _synod_tls_session_encrypt (conn->tls, batch->data, batch->len, conn->tls_out, error)
       && write_all (conn, conn->tls_out->data, conn->tls_out->len, error);
  if (conn->tls_out->len > SPARE_BUFFER_MAX)
    {
      g_byte_array_unref (conn->tls_out);
      conn->tls_out = g_byte_array_new ();
    }
  return ok;
}

static inline gboolean
has_output (SynodRpcConnection *conn)
{
  return conn->out->len > 0 || (conn->tls && _synod_tls_session_has_output (conn->tls));
}

static gboolean
flush_locked (SynodRpcConnection *conn, GError **error)
{
  while (!conn->flushing && has_output (conn))
    {
      GByteArray *batch = conn->out;
      gboolean ok;

      conn->out = conn->out_spare ? conn->out_spare : g_byte_array_new ();
      conn->out_spare = NULL;
      conn->flushing = TRUE;
      g_mutex_unlock (&conn->out_lock);
      if (conn->tls)
        ok = write_tls (conn, batch, error);
      else
        ok = write_all (conn, batch->data, batch->len, error);
      g_mutex_lock (&conn->out_lock);
      conn->flushing = FALSE;
      /* No wake-up for the writer thread: what was queued meanwhile goes
       * out in this loop. */
      /* Keep the buffer for the next batch unless a burst made it large. */
      if (conn->out_spare == NULL && batch->len <= SPARE_BUFFER_MAX)
        {
          g_byte_array_set_size (batch, 0);
          conn->out_spare = batch;
        }
      else
        g_byte_array_unref (batch);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static void
fail_connection (SynodRpcConnection *conn, const GError *error)
{
  /* A half-written record desynchronises the stream: the connection is
   * unusable. */
  mark_closed (conn, error);
}

typedef enum
{
  SEND_NOW,      /* write before returning (sync calls, replies) */
  SEND_DEFERRED, /* the connection's writer thread writes it, batched */
} SendMode;

static gpointer writer_thread (gpointer data);

/* Queues one record (a single last fragment): @header then @payload, and
 * writes it as @mode says. Records queued by several threads, or by the
 * reader while it works through a batch of input, leave in one write. */
static gboolean
send_record (SynodRpcConnection *conn, const guint8 *header, gsize header_len, GBytes *payload,
             SendMode mode, GError **error)
{
  gsize payload_len = payload ? g_bytes_get_size (payload) : 0;
  gsize total = header_len + payload_len;
  guint32 mark;
  gboolean ok = TRUE;
  g_autoptr (GError) local_error = NULL;

  if (total > conn->options.max_record)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("Message of %zu bytes exceeds the limit of %u bytes"), total,
                   conn->options.max_record);
      return FALSE;
    }
  mark = g_htonl (0x80000000u | (guint32)total);

  g_mutex_lock (&conn->out_lock);
  if (conn->out_closed)
    {
      g_mutex_unlock (&conn->out_lock);
      set_closed_error (conn, error);
      return FALSE;
    }
  if (conn->out->len + 4 + total > SYNOD_RPC_MAX_SEND_QUEUE && conn->out->len > 0)
    {
      g_mutex_unlock (&conn->out_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("The send queue to %s is full"), conn->peer_address);
      return FALSE;
    }
  g_byte_array_append (conn->out, (const guint8 *)&mark, 4);
  g_byte_array_append (conn->out, header, header_len);
  if (payload_len > 0)
    g_byte_array_append (conn->out, g_bytes_get_data (payload, NULL), payload_len);

  if (mode == SEND_DEFERRED)
    {
      if (conn->writer == NULL)
        conn->writer
            = g_thread_new ("synod-rpc-write", writer_thread, synod_rpc_connection_ref (conn));
      /* One wake-up per batch: records queued before the writer runs go
       * out with this one. */
      if (conn->writer_idle && !conn->writer_signalled)
        {
          conn->writer_signalled = TRUE;
          g_cond_signal (&conn->out_cond);
        }
    }
  else if (tls_corked != conn)
    ok = flush_locked (conn, &local_error);
  g_mutex_unlock (&conn->out_lock);

  if (!ok)
    {
      fail_connection (conn, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return ok;
}

static gpointer
writer_thread (gpointer data)
{
  SynodRpcConnection *conn = data;
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&conn->out_lock);
  while (!conn->out_closed)
    {
      if (conn->flushing || !has_output (conn))
        {
          conn->writer_idle = TRUE;
          g_cond_wait (&conn->out_cond, &conn->out_lock);
          conn->writer_idle = FALSE;
          conn->writer_signalled = FALSE;
          continue;
        }
      if (!flush_locked (conn, &error))
        break;
    }
  g_mutex_unlock (&conn->out_lock);
  if (error)
    fail_connection (conn, error);
  synod_rpc_connection_unref (conn);
  return NULL;
}

static inline guint32
read_be32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_BE (v);
}

/* Stands for the results in a reply header: Synod encodes and decodes them
 * itself after the header, so libtirpc only handles the header. */
static bool_t
xdr_results_follow (XDR *xdrs, ...)
{
  return TRUE;
}

static gsize
encode_call_header (guint8 *buf, guint32 xid, guint32 prog, guint32 vers, guint32 proc)
{
  struct rpc_msg msg = { 0 };
  XDR xdrs;
  gsize len;

  msg.rm_xid = xid;
  msg.rm_direction = CALL;
  msg.rm_call.cb_rpcvers = RPC_MSG_VERSION;
  msg.rm_call.cb_prog = prog;
  msg.rm_call.cb_vers = vers;
  msg.rm_call.cb_proc = proc;
  msg.rm_call.cb_cred.oa_flavor = AUTH_NONE;
  msg.rm_call.cb_verf.oa_flavor = AUTH_NONE;
  xdrmem_create (&xdrs, (char *)buf, HEADER_MAX, XDR_ENCODE);
  if (!xdr_callmsg (&xdrs, &msg))
    g_error ("xdr_callmsg failed on a fixed-size header");
  len = xdr_getpos (&xdrs);
  xdr_destroy (&xdrs);
  return len;
}

static gsize
encode_reply_header (guint8 *buf, guint32 xid, gboolean denied, guint32 stat, guint32 low,
                     guint32 high)
{
  struct rpc_msg msg = { 0 };
  XDR xdrs;
  gsize len;

  msg.rm_xid = xid;
  msg.rm_direction = REPLY;
  if (!denied)
    {
      msg.rm_reply.rp_stat = MSG_ACCEPTED;
      msg.acpted_rply.ar_verf.oa_flavor = AUTH_NONE;
      msg.acpted_rply.ar_stat = stat;
      if (stat == PROG_MISMATCH)
        {
          msg.acpted_rply.ar_vers.low = low;
          msg.acpted_rply.ar_vers.high = high;
        }
      else
        {
          msg.acpted_rply.ar_results.where = NULL;
          msg.acpted_rply.ar_results.proc = xdr_results_follow;
        }
    }
  else
    {
      msg.rm_reply.rp_stat = MSG_DENIED;
      msg.rjcted_rply.rj_stat = stat;
      if (stat == RPC_MISMATCH)
        {
          msg.rjcted_rply.rj_vers.low = low;
          msg.rjcted_rply.rj_vers.high = high;
        }
      else
        msg.rjcted_rply.rj_why = low ? (enum auth_stat)low : AUTH_BADCRED;
    }
  xdrmem_create (&xdrs, (char *)buf, HEADER_MAX, XDR_ENCODE);
  if (!xdr_replymsg (&xdrs, &msg))
    g_error ("xdr_replymsg failed on a fixed-size header");
  len = xdr_getpos (&xdrs);
  xdr_destroy (&xdrs);
  return len;
}

static void wait_reply (SynodRpcConnection *conn, Pending *p, gint64 deadline, guint timeout_ms);

/* Allocates an xid not in use and registers @p under it. */
static gboolean
register_pending (SynodRpcConnection *conn, Pending *p, guint32 *ret_xid, GError **error)
{
  g_mutex_lock (&conn->lock);
  if (conn->closed)
    {
      g_mutex_unlock (&conn->lock);
      set_closed_error (conn, error);
      return FALSE;
    }
  do
    p->xid = conn->next_xid++;
  while (g_hash_table_contains (conn->pending, GUINT_TO_POINTER (p->xid)));
  g_hash_table_insert (conn->pending, GUINT_TO_POINTER (p->xid), p);
  /* Read here: once the lock is released, a reply or a close may complete
   * (and free) an asynchronous @p at any moment. */
  if (ret_xid)
    *ret_xid = p->xid;
  g_mutex_unlock (&conn->lock);
  return TRUE;
}

/* Removes @p if still registered; returns whether it was. */
static gboolean
unregister_pending (SynodRpcConnection *conn, Pending *p)
{
  gboolean found = FALSE;

  if (g_hash_table_lookup (conn->pending, GUINT_TO_POINTER (p->xid)) == p)
    found = g_hash_table_remove (conn->pending, GUINT_TO_POINTER (p->xid));
  return found;
}

static void
cancel_sync_call (GCancellable *cancellable, gpointer user_data)
{
  gpointer *pair = user_data;
  SynodRpcConnection *conn = pair[0];
  Pending *p = pair[1];

  g_mutex_lock (&conn->lock);
  if (!p->done && unregister_pending (conn, p))
    {
      p->done = TRUE;
      p->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("Call cancelled"));
      if (p->waiting)
        g_cond_broadcast (&p->cond);
    }
  g_mutex_unlock (&conn->lock);
}

/**
 * synod_rpc_connection_call_sync:
 * @conn: a connection
 * @prog: program
 * @vers: version
 * @proc: procedure
 * @args: (nullable): the encoded arguments
 * @timeout_ms: how long to wait for the reply (0: no limit)
 * @cancellable: (nullable): cancels the wait
 * @error: return location for an error
 *
 * Sends a call and blocks the calling thread until its reply, a timeout, a
 * cancellation or the connection's end. Other calls proceed meanwhile.
 *
 * Returns: (transfer full): the reply's result bytes
 */
GBytes *
synod_rpc_connection_call_sync (SynodRpcConnection *conn, guint32 prog, guint32 vers, guint32 proc,
                                GBytes *args, guint timeout_ms, GCancellable *cancellable,
                                GError **error)
{
  Pending p = { 0 };
  guint8 header[HEADER_MAX];
  gsize header_len;
  gint64 deadline = timeout_ms ? g_get_monotonic_time () + (gint64)timeout_ms * 1000 : 0;
  gpointer pair[2] = { conn, &p };
  gulong cancel_id = 0;
  GBytes *result;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  g_cond_init (&p.cond);
  if (!register_pending (conn, &p, NULL, error))
    {
      g_cond_clear (&p.cond);
      return NULL;
    }
  header_len = encode_call_header (header, p.xid, prog, vers, proc);
  if (!send_record (conn, header, header_len, args, SEND_NOW, error))
    {
      g_mutex_lock (&conn->lock);
      unregister_pending (conn, &p);
      g_mutex_unlock (&conn->lock);
      g_clear_error (&p.error);
      g_cond_clear (&p.cond);
      return NULL;
    }
  if (cancellable)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_sync_call), pair, NULL);

  if (cancellable == NULL && conn->io_key != 0)
    wait_reply (conn, &p, deadline, timeout_ms);
  else
    {
      g_mutex_lock (&conn->lock);
      p.waiting = TRUE;
      while (!p.done)
        {
          if (deadline == 0)
            g_cond_wait (&p.cond, &conn->lock);
          else if (!g_cond_wait_until (&p.cond, &conn->lock, deadline) && !p.done)
            {
              unregister_pending (conn, &p);
              p.done = TRUE;
              p.error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                                     _ ("No reply from %s within %u ms"), conn->peer_address,
                                     timeout_ms);
            }
        }
      g_mutex_unlock (&conn->lock);
    }

  if (cancel_id)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_cond_clear (&p.cond);
  if (p.error)
    {
      g_propagate_error (error, p.error);
      return NULL;
    }
  result = p.result;
  return result;
}

/* ---- Timeouts of asynchronous calls ----
 *
 * One timer thread per process serves every connection: a call only
 * records its deadline, and the thread, awake only while some connection
 * has timed calls in flight, fails the expired ones every TIMER_TICK_MS.
 * A timeout source per call would cost two wake-ups of some main context
 * per call (attach, destroy); this costs nothing per call. */

#define TIMER_TICK_MS 50

static GMutex timer_lock;
static GCond timer_cond;
static GPtrArray *timer_conns; /* SynodRpcConnection* (references) */
static GThread *timer_thread;

static gpointer
timer_main (gpointer data)
{
  g_mutex_lock (&timer_lock);
  for (;;)
    {
      g_autoptr (GPtrArray) expired = NULL;
      gint64 now;

      while (timer_conns->len == 0)
        g_cond_wait (&timer_cond, &timer_lock);
      g_cond_wait_until (&timer_cond, &timer_lock, g_get_monotonic_time () + TIMER_TICK_MS * 1000);
      now = g_get_monotonic_time ();
      expired = g_ptr_array_new ();
      for (guint i = 0; i < timer_conns->len; i++)
        {
          SynodRpcConnection *conn = timer_conns->pdata[i];
          GHashTableIter iter;
          gpointer value;
          gboolean any = FALSE;

          g_mutex_lock (&conn->lock);
          g_hash_table_iter_init (&iter, conn->pending);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            {
              Pending *p = value;

              if (PENDING_IS_SYNC (p) || p->deadline == 0)
                continue;
              if (p->deadline <= now)
                {
                  g_hash_table_iter_remove (&iter);
                  g_ptr_array_add (expired, p);
                }
              else
                any = TRUE;
            }
          if (!any)
            conn->timed = FALSE;
          g_mutex_unlock (&conn->lock);
          if (!any)
            {
              /* Its calls hold references: it outlives this. */
              g_ptr_array_remove_index_fast (timer_conns, i--);
              synod_rpc_connection_unref (conn);
            }
        }
      g_mutex_unlock (&timer_lock);
      for (guint i = 0; i < expired->len; i++)
        {
          Pending *p = expired->pdata[i];
          GError *error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                                       _ ("No reply from %s in time"), p->conn->peer_address);

          complete_async (p, NULL, error);
        }
      g_mutex_lock (&timer_lock);
    }
  return NULL;
}

/* Makes sure the timer watches @conn (which has a timed call, registered
 * under its lock with conn->timed set by the caller). */
static void
timer_watch (SynodRpcConnection *conn)
{
  g_mutex_lock (&timer_lock);
  if (timer_conns == NULL)
    {
      timer_conns = g_ptr_array_new ();
      timer_thread = g_thread_new ("synod-rpc-timer", timer_main, NULL);
    }
  g_ptr_array_add (timer_conns, synod_rpc_connection_ref (conn));
  g_cond_signal (&timer_cond);
  g_mutex_unlock (&timer_lock);
}

/* Registers and sends an asynchronous call (@p has its task or func set). */
static void
start_async_call (SynodRpcConnection *conn, Pending *p, guint32 prog, guint32 vers, guint32 proc,
                  GBytes *args, guint timeout_ms)
{
  guint8 header[HEADER_MAX];
  gsize header_len;
  GError *error = NULL;
  guint32 xid;

  p->conn = synod_rpc_connection_ref (conn);
  /* From registration on, @p belongs to whoever completes it (a reply, a
   * close, the timer): it is only touched again under the lock, found by
   * its xid. */
  if (!register_pending (conn, p, &xid, &error))
    {
      complete_async (p, NULL, error);
      return;
    }
  if (timeout_ms > 0)
    {
      gboolean watch = FALSE;

      /* Under the lock, so a reply racing in cannot complete @p before its
       * deadline is recorded. */
      g_mutex_lock (&conn->lock);
      if (g_hash_table_lookup (conn->pending, GUINT_TO_POINTER (xid)) == p)
        {
          p->deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
          watch = !conn->timed;
          conn->timed = TRUE;
        }
      g_mutex_unlock (&conn->lock);
      if (watch)
        timer_watch (conn);
    }
  header_len = encode_call_header (header, xid, prog, vers, proc);
  if (!send_record (conn, header, header_len, args, SEND_DEFERRED, &error))
    {
      gboolean found = FALSE;

      g_mutex_lock (&conn->lock);
      if (g_hash_table_lookup (conn->pending, GUINT_TO_POINTER (xid)) == p)
        found = g_hash_table_remove (conn->pending, GUINT_TO_POINTER (xid));
      g_mutex_unlock (&conn->lock);
      if (found)
        complete_async (p, NULL, error);
      else
        g_error_free (error);
    }
}

/**
 * synod_rpc_connection_call_async:
 * @conn: a connection
 * @prog: program
 * @vers: version
 * @proc: procedure
 * @args: (nullable): the encoded arguments
 * @timeout_ms: how long to wait for the reply (0: no limit)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the thread-default main context of the caller
 * @user_data: for @callback
 *
 * Sends a call without waiting; any number may be in flight.
 */
void
synod_rpc_connection_call_async (SynodRpcConnection *conn, guint32 prog, guint32 vers, guint32 proc,
                                 GBytes *args, guint timeout_ms, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Pending *p = g_new0 (Pending, 1);

  g_task_set_source_tag (task, synod_rpc_connection_call_async);
  g_task_set_check_cancellable (task, TRUE);
  p->task = task;
  start_async_call (conn, p, prog, vers, proc, args, timeout_ms);
}

/**
 * synod_rpc_connection_call_full:
 * @conn: a connection
 * @prog: program
 * @vers: version
 * @proc: procedure
 * @args: (nullable): the encoded arguments
 * @timeout_ms: how long to wait for the reply (0: no limit)
 * @timer_context: (nullable): unused (timeouts are the transport's own
 *   timer thread's business); kept for callers written against it
 * @func: called exactly once with the result or the error, on whichever
 *   thread completes the call (the reader, the transport's timer thread, or
 *   the caller when the send fails)
 * @user_data: for @func
 *
 * Sends a call without waiting and without a main context on the caller's
 * side: for callers such as the broker's workers, which run no main loop.
 */
void
synod_rpc_connection_call_full (SynodRpcConnection *conn, guint32 prog, guint32 vers, guint32 proc,
                                GBytes *args, guint timeout_ms, GMainContext *timer_context,
                                SynodRpcReplyFunc func, gpointer user_data)
{
  Pending *p = g_new0 (Pending, 1);

  p->func = func;
  p->func_data = user_data;
  start_async_call (conn, p, prog, vers, proc, args, timeout_ms);
}

/**
 * synod_rpc_connection_call_finish:
 * @conn: a connection
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the reply's result bytes
 */
GBytes *
synod_rpc_connection_call_finish (SynodRpcConnection *conn, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * synod_rpc_connection_send_oneway:
 * @conn: a connection
 * @prog: program
 * @vers: version
 * @proc: a procedure the peer's program declares oneway (no reply)
 * @args: (nullable): the encoded arguments
 * @error: return location for an error
 *
 * Sends a call record for which no reply is expected.
 */
gboolean
synod_rpc_connection_send_oneway (SynodRpcConnection *conn, guint32 prog, guint32 vers,
                                  guint32 proc, GBytes *args, GError **error)
{
  guint8 header[HEADER_MAX];
  gsize header_len;
  guint32 xid;

  g_mutex_lock (&conn->lock);
  if (conn->closed)
    {
      g_mutex_unlock (&conn->lock);
      set_closed_error (conn, error);
      return FALSE;
    }
  xid = conn->next_xid++;
  g_mutex_unlock (&conn->lock);
  header_len = encode_call_header (header, xid, prog, vers, proc);
  return send_record (conn, header, header_len, args, SEND_DEFERRED, error);
}

static void
inbound_done (SynodRpcConnection *conn)
{
  g_mutex_lock (&conn->lock);
  if (conn->inbound > 0)
    conn->inbound--;
  g_mutex_unlock (&conn->lock);
}

/**
 * synod_rpc_connection_reply:
 * @conn: the connection the call came in on
 * @xid: the call's xid
 * @stat: SUCCESS, or GARBAGE_ARGS / SYSTEM_ERR
 * @results: (nullable): the encoded results (SUCCESS only)
 * @error: return location for an error
 *
 * Answers an inbound call handed to the program's dispatch function. Every
 * such call must be answered exactly once (except oneway procedures).
 */
gboolean
synod_rpc_connection_reply (SynodRpcConnection *conn, guint32 xid, SynodRpcAcceptStat stat,
                            GBytes *results, GError **error)
{
  guint8 header[HEADER_MAX];
  gsize header_len = encode_reply_header (header, xid, FALSE, stat, 0, 0);
  gboolean more;
  gboolean ok;

  /* With other calls of this connection in progress, more replies follow
   * soon: let the writer send them together (one send per batch). A lone
   * call's reply leaves at once. */
  g_mutex_lock (&conn->lock);
  more = conn->inbound > 1;
  g_mutex_unlock (&conn->lock);
  ok = send_record (conn, header, header_len, stat == SYNOD_RPC_SUCCESS ? results : NULL,
                    more ? SEND_DEFERRED : SEND_NOW, error);
  inbound_done (conn);
  return ok;
}

static void
send_reject (SynodRpcConnection *conn, guint32 xid, gboolean denied, guint32 stat, guint32 low,
             guint32 high)
{
  guint8 header[HEADER_MAX];
  gsize header_len = encode_reply_header (header, xid, denied, stat, low, high);
  g_autoptr (GError) error = NULL;

  if (!send_record (conn, header, header_len, NULL, SEND_NOW, &error))
    g_debug ("rejecting a call from %s: %s", conn->peer_address, error->message);
}

static GError *
reply_error (SynodRpcConnection *conn, struct rpc_msg *msg)
{
  if (msg->rm_reply.rp_stat == MSG_DENIED)
    {
      if (msg->rjcted_rply.rj_stat == RPC_MISMATCH)
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                            _ ("%s does not speak ONC RPC version 2 (it speaks %u to %u)"),
                            conn->peer_address, (guint)msg->rjcted_rply.rj_vers.low,
                            (guint)msg->rjcted_rply.rj_vers.high);
      if (msg->rjcted_rply.rj_why == SYNOD_RPC_AUTH_TOOWEAK)
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                            _ ("%s requires RPC-with-TLS and refuses plaintext calls "
                               "(AUTH_TOOWEAK)"),
                            conn->peer_address);
      return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                          _ ("%s rejected the call's credentials (auth_stat %d)"),
                          conn->peer_address, (int)msg->rjcted_rply.rj_why);
    }
  switch (msg->acpted_rply.ar_stat)
    {
      case PROG_UNAVAIL:
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                            _ ("%s does not serve the program"), conn->peer_address);
      case PROG_MISMATCH:
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                            _ ("%s serves versions %u to %u of the program only"),
                            conn->peer_address, (guint)msg->acpted_rply.ar_vers.low,
                            (guint)msg->acpted_rply.ar_vers.high);
      case PROC_UNAVAIL:
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                            _ ("%s does not know the procedure"), conn->peer_address);
      case GARBAGE_ARGS:
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                            _ ("%s could not decode the call's arguments"), conn->peer_address);
      default:
        return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_REMOTE,
                            _ ("%s failed to carry out the call (accept_stat %d)"),
                            conn->peer_address, (int)msg->acpted_rply.ar_stat);
    }
}

/* Handles one complete record. Returns FALSE (with @error) when the
 * connection must close. */
static gboolean
handle_record (SynodRpcConnection *conn, const guint8 *data, gsize len, GError **error)
{
  struct rpc_msg msg = { 0 };
  char cred_body[MAX_AUTH_BYTES], verf_body[MAX_AUTH_BYTES];
  XDR xdrs;
  guint32 xid, type;
  gsize offset;

  if (len < 8)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("%s sent a record of %zu bytes, too short for a message"), conn->peer_address,
                   len);
      return FALSE;
    }
  xid = read_be32 (data);
  type = read_be32 (data + 4);

  if (type == REPLY)
    {
      GBytes *result = NULL;
      GError *call_error = NULL;

      msg.acpted_rply.ar_verf.oa_base = verf_body;
      msg.acpted_rply.ar_results.where = NULL;
      msg.acpted_rply.ar_results.proc = xdr_results_follow;
      xdrmem_create (&xdrs, (char *)data, len, XDR_DECODE);
      if (!xdr_replymsg (&xdrs, &msg))
        {
          xdr_destroy (&xdrs);
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                       _ ("%s sent a reply header that does not decode"), conn->peer_address);
          return FALSE;
        }
      offset = xdr_getpos (&xdrs);
      xdr_destroy (&xdrs);
      if (msg.rm_reply.rp_stat == MSG_ACCEPTED && msg.acpted_rply.ar_stat == SUCCESS)
        result = g_bytes_new (data + offset, len - offset);
      else
        call_error = reply_error (conn, &msg);
      if (!complete_pending (conn, xid, result, call_error))
        g_debug ("dropping a reply from %s to unknown xid %08x (late, after a timeout?)",
                 conn->peer_address, xid);
      return TRUE;
    }

  if (type != CALL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("%s sent a message of unknown type %u"), conn->peer_address, type);
      return FALSE;
    }

  /* libtirpc's decoder refuses an rpcvers other than 2 without saying why;
   * RFC 5531 wants RPC_MISMATCH with the range we speak. */
  if (len >= 12 && read_be32 (data + 8) != 2)
    {
      send_reject (conn, xid, TRUE, RPC_MISMATCH, 2, 2);
      return TRUE;
    }
  /* An oversized credential or verifier is an authentication error, not a
   * reason to drop the connection. */
  if (len >= 32)
    {
      guint32 cred_len = read_be32 (data + 28);

      if (cred_len > MAX_AUTH_BYTES)
        {
          send_reject (conn, xid, TRUE, AUTH_ERROR, 0, 0);
          return TRUE;
        }
    }
  msg.rm_call.cb_cred.oa_base = cred_body;
  msg.rm_call.cb_verf.oa_base = verf_body;
  xdrmem_create (&xdrs, (char *)data, len, XDR_DECODE);
  if (!xdr_callmsg (&xdrs, &msg))
    {
      xdr_destroy (&xdrs);
      /* The header itself is broken (truncated, or a verifier over the
       * limit): answer what we can, GARBAGE_ARGS, and keep going. */
      send_reject (conn, xid, FALSE, GARBAGE_ARGS, 0, 0);
      return TRUE;
    }
  offset = xdr_getpos (&xdrs);
  xdr_destroy (&xdrs);

  if (conn->program.dispatch == NULL || msg.rm_call.cb_prog != conn->program.prog)
    {
      send_reject (conn, xid, FALSE, PROG_UNAVAIL, 0, 0);
      return TRUE;
    }
  if (msg.rm_call.cb_vers < conn->program.low_version
      || msg.rm_call.cb_vers > conn->program.high_version)
    {
      send_reject (conn, xid, FALSE, PROG_MISMATCH, conn->program.low_version,
                   conn->program.high_version);
      return TRUE;
    }
  if (msg.rm_call.cb_proc >= conn->program.n_procs)
    {
      send_reject (conn, xid, FALSE, PROC_UNAVAIL, 0, 0);
      return TRUE;
    }
  if (msg.rm_call.cb_proc == 0 && msg.rm_call.cb_cred.oa_flavor == SYNOD_RPC_AUTH_TLS)
    {
      /* A probe anywhere but first on a connection of a peer offering TLS:
       * TLS is not offered here (RFC 9289, section 4.1). */
      send_reject (conn, xid, TRUE, AUTH_ERROR, AUTH_BADCRED, 0);
      return TRUE;
    }
  if (conn->refuse_plaintext && msg.rm_call.cb_proc != 0)
    {
      g_debug ("refusing a plaintext call from %s: RPC-with-TLS is required", conn->peer_address);
      send_reject (conn, xid, TRUE, AUTH_ERROR, SYNOD_RPC_AUTH_TOOWEAK, 0);
      return TRUE;
    }
  if (msg.rm_call.cb_proc == 0)
    {
      guint8 header[HEADER_MAX];
      gsize header_len = encode_reply_header (header, xid, FALSE, SUCCESS, 0, 0);
      g_autoptr (GError) send_error = NULL;

      if (!send_record (conn, header, header_len, NULL, SEND_NOW, &send_error))
        g_debug ("answering NULL from %s: %s", conn->peer_address, send_error->message);
      return TRUE;
    }

  {
    SynodRpcCallInfo info = {
      .xid = xid,
      .prog = msg.rm_call.cb_prog,
      .vers = msg.rm_call.cb_vers,
      .proc = msg.rm_call.cb_proc,
      .cred_flavor = msg.rm_call.cb_cred.oa_flavor,
    };
    gboolean oneway
        = info.proc < 64 && (conn->program.oneway_procs & (G_GUINT64_CONSTANT (1) << info.proc));
    g_autoptr (GBytes) args = g_bytes_new (data + offset, len - offset);

    if (!oneway)
      {
        /* Calls beyond the limit are refused at once (SYSTEM_ERR) rather than
         * by blocking this reader: it also reads the replies that the calls
         * in progress may be waiting for. */
        gboolean overloaded;

        g_mutex_lock (&conn->lock);
        overloaded = conn->inbound >= conn->options.max_inbound;
        if (!overloaded)
          conn->inbound++;
        g_mutex_unlock (&conn->lock);
        if (overloaded)
          {
            g_debug ("%s has %u calls in progress: refusing more", conn->peer_address,
                     conn->options.max_inbound);
            send_reject (conn, xid, FALSE, SYSTEM_ERR, 0, 0);
            return TRUE;
          }
      }
    conn->program.dispatch (conn, &info, args, conn->program.user_data);
  }
  return TRUE;
}

/* ---- Reading: the I/O pool, and synchronous callers reading their reply
 *
 * No thread per connection: one epoll set per process watches every
 * connection (EPOLLONESHOT), and a small pool of threads waits on it. The
 * thread woken for a connection takes its read lock, reads what is there,
 * handles the complete records in order (replies complete their calls;
 * inbound calls go to the program's dispatch function, which may defer the
 * work to this very thread), re-arms the connection for the next thread,
 * and then runs what was deferred: an inbound call runs on the thread that
 * read it, while another thread of the pool reads on (leader/follower). The
 * pool keeps one thread waiting while others run calls, up to its limit;
 * at the limit nothing is deferred (the program queues the work instead).
 *
 * A synchronous caller with nothing else to wait for reads its own reply:
 * it takes the read lock, disarms the connection in epoll, and reads until
 * its reply is in, so the reply costs no wake-up of another thread. */

#define IO_MAX_THREADS 64
#define READ_TURN_MAX (256u * 1024u)

static GMutex io_lock;
static int io_epfd = -1;
static GHashTable *io_conns; /* guint64* key -> SynodRpcConnection* (a reference) */
static guint64 io_next_key = 1;
static guint io_threads, io_idle;

static gpointer io_main (gpointer data);

static void
io_spawn_locked (void)
{
  io_threads++;
  g_thread_unref (g_thread_new ("synod-rpc-io", io_main, NULL));
}

/* Arms the connection in epoll for one event, or disarms it. Only the
 * holder of its read lock (or the thread that just released it) does. */
static void
io_arm (SynodRpcConnection *conn, gboolean on)
{
  struct epoll_event ev = {
    .events = on ? EPOLLIN | EPOLLRDHUP | EPOLLET : EPOLLET,
    .data.u64 = conn->io_key,
  };

  if (conn->io_key != 0)
    epoll_ctl (io_epfd, EPOLL_CTL_MOD, conn->fd, &ev);
}

static void
io_register (SynodRpcConnection *conn)
{
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET };

  g_mutex_lock (&io_lock);
  if (io_epfd < 0)
    {
      io_epfd = epoll_create1 (EPOLL_CLOEXEC);
      if (io_epfd < 0)
        g_error ("epoll_create1: %s", g_strerror (errno));
      io_conns = g_hash_table_new (g_int64_hash, g_int64_equal);
    }
  conn->io_key = io_next_key++;
  g_hash_table_insert (io_conns, &conn->io_key, synod_rpc_connection_ref (conn));
  if (io_threads == 0 || (io_idle == 0 && io_threads < IO_MAX_THREADS))
    io_spawn_locked ();
  ev.data.u64 = conn->io_key;
  if (epoll_ctl (io_epfd, EPOLL_CTL_ADD, conn->fd, &ev) < 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  g_mutex_unlock (&io_lock);
}

/* Called once reading has ended (end of stream, error, protocol fault). */
static void
io_unregister (SynodRpcConnection *conn)
{
  SynodRpcConnection *registered = NULL;

  g_mutex_lock (&io_lock);
  if (conn->io_key != 0)
    {
      epoll_ctl (io_epfd, EPOLL_CTL_DEL, conn->fd, NULL);
      registered = g_hash_table_lookup (io_conns, &conn->io_key);
      g_hash_table_remove (io_conns, &conn->io_key);
      conn->io_key = 0;
    }
  g_mutex_unlock (&io_lock);
  if (registered)
    synod_rpc_connection_unref (registered);
}

/* Handles every complete record in the read buffer. */
static gboolean
handle_buffered (SynodRpcConnection *conn, GError **reason)
{
  gsize pos = 0;
  gboolean ok = TRUE;

  while (conn->rlen - pos >= 4)
    {
      guint32 mark = read_be32 (conn->rbuf + pos);
      gboolean last = (mark & 0x80000000u) != 0;
      gsize frag = mark & 0x7fffffffu;

      if (frag > conn->options.max_record || conn->record->len + frag > conn->options.max_record)
        {
          g_set_error (reason, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                       _ ("%s sent a record over the limit of %u bytes"), conn->peer_address,
                       conn->options.max_record);
          ok = FALSE;
          break;
        }
      /* An incomplete fragment waits for more bytes; the buffer grows as
       * they arrive (never ahead of them), so a peer announcing a large
       * record costs nothing until it sends it. */
      if (conn->rlen - pos - 4 < frag)
        break;
      if (last && conn->record->len == 0)
        ok = handle_record (conn, conn->rbuf + pos + 4, frag, reason);
      else
        {
          g_byte_array_append (conn->record, conn->rbuf + pos + 4, frag);
          if (last)
            {
              ok = handle_record (conn, conn->record->data, conn->record->len, reason);
              g_byte_array_set_size (conn->record, 0);
            }
        }
      pos += 4 + frag;
      if (!ok)
        break;
    }
  if (pos > 0)
    {
      memmove (conn->rbuf, conn->rbuf + pos, conn->rlen - pos);
      conn->rlen -= pos;
    }
  if (conn->rcap > READ_CHUNK && conn->rlen <= READ_CHUNK)
    {
      conn->rcap = READ_CHUNK;
      conn->rbuf = g_realloc (conn->rbuf, conn->rcap);
    }
  return ok;
}

/* Ends a reading turn: the replies held back while it handled its records
 * leave together. Returns @ok, or FALSE with @reason when that send failed. */
static gboolean
uncork (SynodRpcConnection *conn, gboolean ok, GError **reason)
{
  g_autoptr (GError) flush_error = NULL;

  tls_corked = NULL;
  g_mutex_lock (&conn->out_lock);
  if (!flush_locked (conn, &flush_error) && ok)
    {
      g_propagate_error (reason, g_steal_pointer (&flush_error));
      ok = FALSE;
    }
  g_mutex_unlock (&conn->out_lock);
  return ok;
}

/* read_turn() on a TLS connection: ciphertext from the socket goes through
 * the session into the read buffer. What the session holds already (bytes
 * that came with the end of the handshake) is handled first. */
static gboolean
read_turn_tls (SynodRpcConnection *conn, gboolean wait, gboolean *ret_more, GError **reason)
{
  gsize total = 0, before = conn->rlen;
  gboolean ok;

  tls_corked = conn;
  ok = _synod_tls_session_decrypt (conn->tls, NULL, 0, &conn->rbuf, &conn->rcap, &conn->rlen,
                                   reason);
  if (ok && conn->rlen > before)
    {
      /* Something to handle: no waiting in recv() this turn. */
      wait = FALSE;
      ok = handle_buffered (conn, reason);
    }
  while (ok)
    {
      ssize_t n = recv (conn->fd, conn->tls_raw, READ_CHUNK, wait && total == 0 ? 0 : MSG_DONTWAIT);

      if (n == 0)
        {
          g_set_error (reason, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("%s closed the connection"), conn->peer_address);
          ok = FALSE;
          break;
        }
      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == EAGAIN || saved == EWOULDBLOCK)
            break;
          g_set_error (reason, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("Reading from %s failed: %s"), conn->peer_address, g_strerror (saved));
          ok = FALSE;
          break;
        }
      total += n;
      ok = _synod_tls_session_decrypt (conn->tls, conn->tls_raw, n, &conn->rbuf, &conn->rcap,
                                       &conn->rlen, reason)
           && handle_buffered (conn, reason);
      if ((gsize)n < READ_CHUNK)
        break;
      if (total >= READ_TURN_MAX)
        {
          if (ret_more)
            *ret_more = TRUE;
          break;
        }
    }
  return uncork (conn, ok, reason);
}

/* With the read lock held: reads what the socket has, without waiting,
 * and handles the complete records, replies held back until the end.
 * Returns FALSE with @reason when the connection must close. */
static gboolean
read_turn (SynodRpcConnection *conn, gboolean wait, gboolean *ret_more, GError **reason)
{
  gsize total = 0;
  gboolean ok = TRUE;

  if (conn->tls)
    return read_turn_tls (conn, wait, ret_more, reason);
  tls_corked = conn;
  while (ok)
    {
      ssize_t n;
      int flags = MSG_DONTWAIT;

      /* A synchronous caller waits in its first recv(), which the socket's
       * receive timeout (READ_WAIT_SLICE_MS) bounds: one system call where
       * poll() and recv() would be two. */
      if (wait && total == 0)
        flags = 0;

      if (conn->rlen == conn->rcap)
        {
          /* Only an incomplete fragment fills the buffer; its size was
           * checked against the limit when its mark was read. */
          conn->rcap *= 2;
          conn->rbuf = g_realloc (conn->rbuf, conn->rcap);
        }
      n = recv (conn->fd, conn->rbuf + conn->rlen, conn->rcap - conn->rlen, flags);
      if (n == 0)
        {
          g_set_error (reason, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("%s closed the connection"), conn->peer_address);
          ok = FALSE;
          break;
        }
      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == EAGAIN || saved == EWOULDBLOCK)
            break; /* drained, or the wait's slice is over */
          g_set_error (reason, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("Reading from %s failed: %s"), conn->peer_address, g_strerror (saved));
          ok = FALSE;
          break;
        }
      conn->rlen += n;
      total += n;
      ok = handle_buffered (conn, reason);
      /* A read that did not fill the buffer took all there was: no second
       * recv() just to hear EAGAIN (what comes later wakes the re-armed
       * connection). Enough for one turn: the next thread goes on
       * (level-triggered, the re-armed connection fires again at once). */
      if (conn->rlen < conn->rcap)
        break;
      if (total >= READ_TURN_MAX)
        {
          if (ret_more)
            *ret_more = TRUE;
          break;
        }
    }
  return uncork (conn, ok, reason);
}

/* Ends reading: out of the pool, the connection closed. */
static void
read_failed (SynodRpcConnection *conn, GError *reason)
{
  io_unregister (conn);
  mark_closed (conn, reason);
  g_error_free (reason);
}

/* A thread of the pool, woken for @conn (a reference it holds). Events
 * are edge-triggered: every arrival of bytes wakes one thread, no re-arming
 * needed; a thread that finds another reading leaves a mark, and the reader
 * looks again after it lets go, so no arrival goes unread. */
static void
io_service (SynodRpcConnection *conn)
{
  g_autoptr (GArray) deferred = NULL;
  gboolean may_defer;

  if (!g_mutex_trylock (&conn->read_lock))
    {
      g_atomic_int_set (&conn->missed, 1);
      if (!g_mutex_trylock (&conn->read_lock))
        return; /* whoever reads will see the mark */
    }
  g_mutex_lock (&io_lock);
  may_defer = io_idle > 0 || io_threads < IO_MAX_THREADS;
  g_mutex_unlock (&io_lock);
  if (may_defer)
    deferred = g_array_new (FALSE, FALSE, sizeof (Deferred));
  for (;;)
    {
      GError *reason = NULL;
      gboolean more = FALSE, ok;

      g_atomic_int_set (&conn->missed, 0);
      tls_deferred = deferred;
      ok = read_turn (conn, FALSE, &more, &reason);
      tls_deferred = NULL;
      g_mutex_unlock (&conn->read_lock);
      if (!ok)
        {
          read_failed (conn, reason);
          break;
        }
      /* Bytes left for fairness: the next turn is another thread's (a
       * modification re-arms the edge, the bytes being there). */
      if (more)
        io_arm (conn, TRUE);
      if (!g_atomic_int_get (&conn->missed) || !g_mutex_trylock (&conn->read_lock))
        break;
    }
  if (deferred == NULL || deferred->len == 0)
    return;
  /* This thread goes on with the calls it read: another must wait in
   * epoll meanwhile. */
  g_mutex_lock (&io_lock);
  if (io_idle == 0 && io_threads < IO_MAX_THREADS)
    io_spawn_locked ();
  g_mutex_unlock (&io_lock);
  for (guint i = 0; i < deferred->len; i++)
    {
      Deferred *d = &g_array_index (deferred, Deferred, i);

      d->func (d->data);
    }
}

static gpointer
io_main (gpointer data)
{
  for (;;)
    {
      struct epoll_event ev;
      SynodRpcConnection *conn = NULL;
      int n;

      g_mutex_lock (&io_lock);
      io_idle++;
      g_mutex_unlock (&io_lock);
      n = epoll_wait (io_epfd, &ev, 1, -1);
      g_mutex_lock (&io_lock);
      io_idle--;
      if (n == 1 && (conn = g_hash_table_lookup (io_conns, &ev.data.u64)) != NULL)
        synod_rpc_connection_ref (conn);
      g_mutex_unlock (&io_lock);
      if (conn)
        {
          io_service (conn);
          synod_rpc_connection_unref (conn);
        }
    }
  return NULL;
}

/**
 * synod_rpc_defer:
 * @func: what to run
 * @data: for @func
 *
 * From a program's dispatch function: runs @func(@data) on the current
 * thread once it has handed the reading of the connection on to another
 * thread, so that @func may block (run the call it was given, then reply).
 * Deferred work runs in the order it was deferred.
 *
 * Returns: %FALSE when nothing can be deferred here (the dispatch function
 *   must then hand the work to another thread, without blocking)
 */
/**
 * synod_rpc_can_defer:
 *
 * Returns: whether synod_rpc_defer() would take work now
 */
gboolean
synod_rpc_can_defer (void)
{
  return tls_deferred != NULL;
}

gboolean
synod_rpc_defer (void (*func) (gpointer data), gpointer data)
{
  Deferred d = { func, data };

  if (tls_deferred == NULL)
    return FALSE;
  g_array_append_val (tls_deferred, d);
  return TRUE;
}

/* A synchronous call's wait: read the reply ourselves when nobody else
 * reads the connection, else wait for whoever does. */
static void
wait_reply (SynodRpcConnection *conn, Pending *p, gint64 deadline, guint timeout_ms)
{
  for (;;)
    {
      gboolean done;

      g_mutex_lock (&conn->lock);
      done = p->done;
      g_mutex_unlock (&conn->lock);
      if (done)
        return;
      if (g_mutex_trylock (&conn->read_lock))
        {
          GError *reason = NULL;
          gboolean ok = TRUE;

          /* Disarmed, so that our reply wakes no thread of the pool. */
          io_arm (conn, FALSE);
          while (ok)
            {
              g_mutex_lock (&conn->lock);
              done = p->done;
              g_mutex_unlock (&conn->lock);
              if (done || (deadline && g_get_monotonic_time () >= deadline))
                break;
              ok = read_turn (conn, TRUE, NULL, &reason);
            }
          g_mutex_unlock (&conn->read_lock);
          /* Re-armed: bytes already there (an arrival while we read) make
           * the edge fire at once. */
          if (ok)
            io_arm (conn, TRUE);
          else
            read_failed (conn, reason);
        }
      else
        {
          g_mutex_lock (&conn->lock);
          if (!p->done)
            {
              p->waiting = TRUE;
              if (deadline == 0)
                g_cond_wait (&p->cond, &conn->lock);
              else
                g_cond_wait_until (&p->cond, &conn->lock, deadline);
              p->waiting = FALSE;
            }
          g_mutex_unlock (&conn->lock);
        }
      g_mutex_lock (&conn->lock);
      if (!p->done && deadline && g_get_monotonic_time () >= deadline)
        {
          unregister_pending (conn, p);
          p->done = TRUE;
          p->error
              = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                             _ ("No reply from %s within %u ms"), conn->peer_address, timeout_ms);
        }
      g_mutex_unlock (&conn->lock);
    }
}

/* Before the connection starts, with nobody else reading: handles what its
 * setup left in the buffers (bytes read with the probe, or that came with
 * the end of the TLS handshake), so that none waits for an epoll event that
 * will not come. */
static gboolean
handle_setup_leftover (SynodRpcConnection *conn, GError **reason)
{
  gboolean ok = TRUE;

  if (conn->tls ? !_synod_tls_session_has_input (conn->tls) : conn->rlen == 0)
    return TRUE;
  g_mutex_lock (&conn->read_lock);
  tls_corked = conn;
  if (conn->tls)
    ok = _synod_tls_session_decrypt (conn->tls, NULL, 0, &conn->rbuf, &conn->rcap, &conn->rlen,
                                     reason);
  if (ok)
    ok = handle_buffered (conn, reason);
  ok = uncork (conn, ok, reason);
  g_mutex_unlock (&conn->read_lock);
  return ok;
}

static void
tls_session_started (SynodRpcConnection *conn)
{
  conn->tls_raw = g_malloc (READ_CHUNK);
  conn->tls_out = g_byte_array_new ();
  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      g_autofree gchar *what = _synod_tls_session_describe (conn->tls);

      g_debug ("RPC-with-TLS with %s (%s): %s", conn->peer_address, what,
               _synod_tls_session_get_principal (conn->tls));
    }
}

/* The dialling side of RFC 9289: probe, then the handshake if the peer
 * offers TLS; a peer that does not is used in plaintext unless TLS is
 * required. */
static gboolean
setup_tls_client (SynodRpcConnection *conn, SynodRpcTls *tls, GError **error)
{
  gint64 deadline
      = g_get_monotonic_time () + (gint64)_synod_rpc_tls_get_handshake_timeout_ms (tls) * 1000;
  guint32 prog = conn->program.prog ? conn->program.prog : SYNOD_RPC_PROGRAM;
  guint32 vers = conn->program.prog ? conn->program.high_version : SYNOD_RPC_VERSION;
  gboolean offered = FALSE;

  if (!_synod_tls_client_probe (conn->fd, conn->peer_address, prog, vers, deadline, &offered,
                                error))
    return FALSE;
  if (!offered)
    {
      if (_synod_rpc_tls_get_mode (tls) == SYNOD_TLS_REQUIRED)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                       _ ("%s does not offer RPC-with-TLS, which this peer requires"),
                       conn->peer_address);
          return FALSE;
        }
      g_debug ("%s does not offer RPC-with-TLS: going on in plaintext", conn->peer_address);
      return TRUE;
    }
  conn->tls
      = _synod_tls_session_handshake (tls, FALSE, conn->fd, conn->peer_address, deadline, error);
  if (conn->tls == NULL)
    return FALSE;
  tls_session_started (conn);
  return TRUE;
}

/**
 * synod_rpc_connection_start:
 * @conn: a connection
 *
 * Starts reading it (the process's I/O pool watches it). Call once.
 */
void
synod_rpc_connection_start (SynodRpcConnection *conn)
{
  g_mutex_lock (&conn->lock);
  g_return_if_fail (!conn->started);
  conn->started = TRUE;
  g_mutex_unlock (&conn->lock);
  io_register (conn);
}

static GSocketAddress *
first_address (const gchar *address, GCancellable *cancellable, GError **error)
{
  g_autoptr (GSocketConnectable) connectable = NULL;
  g_autoptr (GSocketAddressEnumerator) enumerator = NULL;
  GSocketAddress *sockaddr;

  connectable = g_network_address_parse (address, 0, error);
  if (connectable == NULL)
    return NULL;
  enumerator = g_socket_connectable_enumerate (connectable);
  sockaddr = g_socket_address_enumerator_next (enumerator, cancellable, error);
  if (sockaddr == NULL && error && *error == NULL)
    g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE, _ ("“%s” has no address"),
                 address);
  return sockaddr;
}

/**
 * synod_rpc_connection_connect:
 * @address: "HOST:PORT"
 * @timeout_ms: connect timeout (0: the system's)
 * @options: (nullable): limits
 * @program: (nullable): the program served to the peer over this connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a SYNOD_ORB_ERROR_UNREACHABLE error
 *
 * Connects to a peer and starts the connection.
 *
 * Returns: (transfer full): the started connection, or NULL
 */
static GSocketConnection *
connect_stream (const gchar *address, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) local_error = NULL;

  sockaddr = first_address (address, cancellable, error);
  if (sockaddr == NULL)
    return NULL;
  socket = g_socket_new (g_socket_address_get_family (sockaddr), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  if (!g_socket_connect (socket, sockaddr, cancellable, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!g_socket_condition_timed_wait (
              socket, G_IO_OUT, timeout_ms ? (gint64)timeout_ms * 1000 : -1, cancellable, error)
          || !g_socket_check_connect_result (socket, error))
        return NULL;
    }
  return g_socket_connection_factory_create_connection (socket);
}

/**
 * synod_rpc_connection_connect:
 * @address: "HOST:PORT"
 * @timeout_ms: connect timeout (0: the system's)
 * @options: (nullable): limits
 * @program: (nullable): the program served to the peer over this connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a SYNOD_ORB_ERROR_UNREACHABLE or
 *   SYNOD_ORB_ERROR_TIMEOUT error
 *
 * Connects to a peer and starts the connection.
 *
 * Returns: (transfer full): the started connection, or NULL
 */
SynodRpcConnection *
synod_rpc_connection_connect (const gchar *address, guint timeout_ms,
                              const SynodRpcOptions *options, const SynodRpcProgram *program,
                              GCancellable *cancellable, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GSocketConnection) stream
      = connect_stream (address, timeout_ms, cancellable, &local_error);
  SynodRpcConnection *conn;

  if (stream == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                       ? SYNOD_ORB_ERROR_TIMEOUT
                       : SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("Cannot connect to %s: %s"), address, local_error->message);
      return NULL;
    }
  conn = synod_rpc_connection_new (stream, options, program);
  if (options && options->tls
      && (!setup_tls_client (conn, options->tls, &local_error)
          || !handle_setup_leftover (conn, &local_error)))
    {
      g_set_error (error, SYNOD_ORB_ERROR, local_error->code, _ ("Cannot connect to %s: %s"),
                   address, local_error->message);
      synod_rpc_connection_close (conn);
      synod_rpc_connection_unref (conn);
      return NULL;
    }
  synod_rpc_connection_start (conn);
  return conn;
}

/* ------------------------------------------------------------------------ */
/* The listener */

struct _SynodRpcListener
{
  gatomicrefcount ref_count;
  GSocket *socket;
  guint16 port;
  guint max_connections;
  SynodRpcOptions options;
  SynodRpcProgram program;
  GThread *thread;
  GMutex lock;
  GHashTable *connections; /* SynodRpcConnection* set */
  gboolean stopping;
  /* Fixed before the accept thread starts: connections accepted and the
   * setup threads of TLS connections use them without a lock, and may
   * outlive synod_rpc_listener_free() (they hold the listener), so the
   * listener owns @accept_data. */
  SynodRpcAcceptFunc accept_func;
  gpointer accept_data;
  GDestroyNotify accept_destroy;
  guint refused;
};

static SynodRpcListener *
listener_ref (SynodRpcListener *listener)
{
  g_atomic_ref_count_inc (&listener->ref_count);
  return listener;
}

static void
listener_unref (gpointer data)
{
  SynodRpcListener *listener = data;

  if (!g_atomic_ref_count_dec (&listener->ref_count))
    return;
  if (listener->accept_destroy)
    listener->accept_destroy (listener->accept_data);
  g_hash_table_unref (listener->connections);
  g_mutex_clear (&listener->lock);
  g_clear_pointer (&listener->options.tls, _synod_rpc_tls_unref);
  g_object_unref (listener->socket);
  g_free (listener);
}

static void
listener_connection_closed (SynodRpcConnection *conn, SynodRpcListener *listener)
{
  gboolean found;

  g_mutex_lock (&listener->lock);
  found = g_hash_table_remove (listener->connections, conn);
  g_mutex_unlock (&listener->lock);
  if (found)
    synod_rpc_connection_unref (conn);
}

typedef struct
{
  SynodRpcListener *listener;
  SynodRpcConnection *conn;
} TlsSetup;

/* The accepting side of RFC 9289, on a thread of its own per connection
 * (the accept thread must not wait for one client), bounded by the
 * handshake timeout: a first record that is the AUTH_TLS probe is answered
 * STARTTLS and the handshake follows; any other first bytes are kept for
 * the reader, and a peer that requires TLS refuses the calls they carry. */
static gpointer
accept_tls_thread (gpointer data)
{
  TlsSetup *setup = data;
  SynodRpcListener *listener = setup->listener;
  SynodRpcConnection *conn = setup->conn;
  SynodRpcTls *tls = listener->options.tls;
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) consumed = g_byte_array_new ();
  gint64 deadline
      = g_get_monotonic_time () + (gint64)_synod_rpc_tls_get_handshake_timeout_ms (tls) * 1000;
  gboolean probe = FALSE;
  gboolean ok = _synod_tls_server_probe (conn->fd, conn->peer_address, listener->program.prog,
                                         deadline, &probe, consumed, &error);

  if (ok && probe)
    {
      conn->tls = _synod_tls_session_handshake (tls, TRUE, conn->fd, conn->peer_address, deadline,
                                                &error);
      ok = conn->tls != NULL;
      if (ok)
        tls_session_started (conn);
    }
  else if (ok)
    {
      conn->refuse_plaintext = _synod_rpc_tls_get_mode (tls) == SYNOD_TLS_REQUIRED;
      g_assert (consumed->len <= conn->rcap);
      memcpy (conn->rbuf, consumed->data, consumed->len);
      conn->rlen = consumed->len;
    }
  if (ok && !synod_rpc_connection_is_closed (conn))
    {
      if (listener->accept_func)
        listener->accept_func (conn, listener->accept_data);
      ok = handle_setup_leftover (conn, &error);
      if (ok)
        synod_rpc_connection_start (conn);
    }
  if (!ok)
    {
      g_message ("Closing the connection from %s: %s", conn->peer_address, error->message);
      mark_closed (conn, error);
    }
  synod_rpc_connection_unref (conn);
  listener_unref (listener);
  g_free (setup);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  SynodRpcListener *listener = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (listener->socket, NULL, &error);
      g_autoptr (GSocketConnection) stream = NULL;
      SynodRpcConnection *conn;
      gboolean refuse;

      if (socket == NULL)
        {
          gboolean stopping;

          g_mutex_lock (&listener->lock);
          stopping = listener->stopping;
          g_mutex_unlock (&listener->lock);
          if (stopping)
            break;
          /* EMFILE and friends: back off briefly rather than spin. */
          g_debug ("accept failed: %s", error->message);
          g_usleep (10 * 1000);
          continue;
        }
      g_mutex_lock (&listener->lock);
      refuse = listener->stopping
               || g_hash_table_size (listener->connections) >= listener->max_connections;
      if (refuse && listener->refused++ == 0)
        g_info ("refusing connections beyond the limit of %u", listener->max_connections);
      g_mutex_unlock (&listener->lock);
      if (refuse)
        {
          g_socket_close (socket, NULL);
          continue;
        }
      stream = g_socket_connection_factory_create_connection (socket);
      conn = synod_rpc_connection_new (stream, &listener->options, &listener->program);
      conn->listener = listener_ref (listener);
      g_mutex_lock (&listener->lock);
      g_hash_table_add (listener->connections, conn); /* the set's reference */
      g_mutex_unlock (&listener->lock);
      if (listener->options.tls)
        {
          TlsSetup *setup = g_new (TlsSetup, 1);
          GThread *thread;

          setup->listener = listener_ref (listener);
          setup->conn = synod_rpc_connection_ref (conn);
          thread = g_thread_try_new ("synod-rpc-tls", accept_tls_thread, setup, &error);
          if (thread)
            g_thread_unref (thread);
          else
            {
              g_message ("Closing the connection from %s: %s", conn->peer_address, error->message);
              synod_rpc_connection_close (conn);
              synod_rpc_connection_unref (setup->conn);
              listener_unref (setup->listener);
              g_free (setup);
            }
          continue;
        }
      if (listener->accept_func)
        listener->accept_func (conn, listener->accept_data);
      synod_rpc_connection_start (conn);
    }
  return NULL;
}

/**
 * synod_rpc_listener_new:
 * @address: "HOST:PORT" to listen on; port 0 lets the kernel choose
 * @max_connections: connections accepted at once; more are closed at once
 * @options: (nullable): limits for accepted connections
 * @program: the program served on accepted connections
 * @error: return location for an error
 *
 * Like synod_rpc_listener_new_full() without an accept function.
 *
 * Returns: (transfer full): a listening, accepting listener
 */
SynodRpcListener *
synod_rpc_listener_new (const gchar *address, guint max_connections, const SynodRpcOptions *options,
                        const SynodRpcProgram *program, GError **error)
{
  return synod_rpc_listener_new_full (address, max_connections, options, program, NULL, NULL, NULL,
                                      error);
}

/**
 * synod_rpc_listener_new_full:
 * @address: "HOST:PORT" to listen on; port 0 lets the kernel choose
 * @max_connections: connections accepted at once; more are closed at once
 * @options: (nullable): limits for accepted connections
 * @program: the program served on accepted connections
 * @accept_func: (nullable): called on the accept thread for each accepted
 *   connection (on the connection's setup thread, once TLS is set up, when
 *   the listener offers TLS), before it starts reading (the connection is
 *   borrowed; take a reference to keep it)
 * @user_data: for @accept_func
 * @destroy: (nullable): frees @user_data once the listener and every
 *   connection it accepted are gone (accepted connections may still be
 *   read, and their setup threads still run, after
 *   synod_rpc_listener_free())
 * @error: return location for an error
 *
 * The accept function is set before the first connection can be accepted:
 * a peer dialling the address while it is being set up (a restart on a
 * known address) is never served without it.
 *
 * Returns: (transfer full): a listening, accepting listener
 */
SynodRpcListener *
synod_rpc_listener_new_full (const gchar *address, guint max_connections,
                             const SynodRpcOptions *options, const SynodRpcProgram *program,
                             SynodRpcAcceptFunc accept_func, gpointer user_data,
                             GDestroyNotify destroy, GError **error)
{
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) local_error = NULL;
  SynodRpcListener *listener;
  GSocket *socket;

  sockaddr = first_address (address, NULL, &local_error);
  if (sockaddr == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_FAILED, _ ("Cannot listen on %s: %s"),
                   address, local_error->message);
      if (destroy)
        destroy (user_data);
      return NULL;
    }
  socket = g_socket_new (g_socket_address_get_family (sockaddr), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL || !g_socket_bind (socket, sockaddr, TRUE, &local_error)
      || (g_socket_set_listen_backlog (socket, 128), !g_socket_listen (socket, &local_error))
      || (bound = g_socket_get_local_address (socket, &local_error)) == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_FAILED, _ ("Cannot listen on %s: %s"),
                   address, local_error->message);
      g_clear_object (&socket);
      if (destroy)
        destroy (user_data);
      return NULL;
    }
  g_socket_set_blocking (socket, TRUE);

  listener = g_new0 (SynodRpcListener, 1);
  g_atomic_ref_count_init (&listener->ref_count);
  listener->socket = socket;
  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  listener->max_connections = max_connections ? max_connections : SYNOD_RPC_DEFAULT_MAX_CONNECTIONS;
  if (options)
    listener->options = *options;
  else
    synod_rpc_options_init (&listener->options);
  if (listener->options.tls)
    _synod_rpc_tls_ref (listener->options.tls);
  if (program)
    listener->program = *program;
  g_mutex_init (&listener->lock);
  listener->connections = g_hash_table_new (g_direct_hash, g_direct_equal);
  listener->accept_func = accept_func;
  listener->accept_data = user_data;
  listener->accept_destroy = destroy;
  listener->thread = g_thread_new ("synod-rpc-accept", accept_thread, listener);
  return listener;
}

guint16
synod_rpc_listener_get_port (SynodRpcListener *listener)
{
  return listener->port;
}

guint
synod_rpc_listener_get_connection_count (SynodRpcListener *listener)
{
  guint n;

  g_mutex_lock (&listener->lock);
  n = g_hash_table_size (listener->connections);
  g_mutex_unlock (&listener->lock);
  return n;
}

/**
 * synod_rpc_listener_free:
 * @listener: (nullable): a listener
 *
 * Stops accepting and closes every accepted connection.
 */
void
synod_rpc_listener_free (SynodRpcListener *listener)
{
  GList *conns;

  if (listener == NULL)
    return;
  g_mutex_lock (&listener->lock);
  listener->stopping = TRUE;
  g_mutex_unlock (&listener->lock);
  shutdown (g_socket_get_fd (listener->socket), SHUT_RDWR);
  g_thread_join (listener->thread);

  g_mutex_lock (&listener->lock);
  conns = g_hash_table_get_keys (listener->connections);
  for (GList *l = conns; l; l = l->next)
    synod_rpc_connection_ref (l->data);
  g_mutex_unlock (&listener->lock);
  for (GList *l = conns; l; l = l->next)
    {
      synod_rpc_connection_close (l->data);
      synod_rpc_connection_unref (l->data);
    }
  g_list_free (conns);
  listener_unref (listener);
}
