/* ONC RPC connections: calls, pipelining and out-of-order replies, the
 * RFC 5531 rejections, hostile records, timeouts, dead peers, limits. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <synod.h>

#include "synod-rpc-private.h"

#define TEST_PROG 0x20999999u

enum
{
  PROC_NULL,
  PROC_ECHO,    /* replies with its arguments */
  PROC_NOTE,    /* oneway: records its arguments */
  PROC_DELAYED, /* replies after the number of ms in its first byte */
  PROC_SILENT,  /* never replies */
  PROC_GARBAGE, /* answers GARBAGE_ARGS */
  N_PROCS
};

typedef struct
{
  SynodRpcListener *listener;
  gchar *address;
  GMutex lock;
  GCond cond;
  GPtrArray *notes;
  GPtrArray *silent; /* (conn, xid) of calls never answered */
} Server;

typedef struct
{
  SynodRpcConnection *conn;
  guint32 xid;
  guint delay_ms;
  GBytes *args;
} Delayed;

static gpointer
delayed_reply (gpointer data)
{
  Delayed *d = data;

  g_usleep (d->delay_ms * 1000);
  synod_rpc_connection_reply (d->conn, d->xid, SYNOD_RPC_SUCCESS, d->args, NULL);
  synod_rpc_connection_unref (d->conn);
  g_bytes_unref (d->args);
  g_free (d);
  return NULL;
}

static void
dispatch (SynodRpcConnection *conn, const SynodRpcCallInfo *info, GBytes *args, gpointer user_data)
{
  Server *server = user_data;

  switch (info->proc)
    {
      case PROC_ECHO:
        synod_rpc_connection_reply (conn, info->xid, SYNOD_RPC_SUCCESS, args, NULL);
        break;
      case PROC_NOTE:
        g_mutex_lock (&server->lock);
        g_ptr_array_add (server->notes, g_bytes_ref (args));
        g_cond_broadcast (&server->cond);
        g_mutex_unlock (&server->lock);
        break;
      case PROC_DELAYED:
        {
          Delayed *d = g_new0 (Delayed, 1);
          gsize len;
          const guint8 *p = g_bytes_get_data (args, &len);

          d->conn = synod_rpc_connection_ref (conn);
          d->xid = info->xid;
          d->delay_ms = len > 0 ? p[0] : 0;
          d->args = g_bytes_ref (args);
          g_thread_unref (g_thread_new ("delayed", delayed_reply, d));
        }
        break;
      case PROC_SILENT:
        g_mutex_lock (&server->lock);
        g_ptr_array_add (server->silent, synod_rpc_connection_ref (conn));
        g_mutex_unlock (&server->lock);
        break;
      case PROC_GARBAGE:
        synod_rpc_connection_reply (conn, info->xid, SYNOD_RPC_GARBAGE_ARGS, NULL, NULL);
        break;
      default:
        g_assert_not_reached ();
    }
}

static void
server_start (Server *server, guint max_connections, const SynodRpcOptions *options)
{
  SynodRpcProgram program = {
    .prog = TEST_PROG,
    .low_version = 3,
    .high_version = 4,
    .n_procs = N_PROCS,
    .oneway_procs = 1u << PROC_NOTE,
    .dispatch = dispatch,
    .user_data = server,
  };
  g_autoptr (GError) error = NULL;

  memset (server, 0, sizeof *server);
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->notes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  server->silent = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);
  server->listener
      = synod_rpc_listener_new ("127.0.0.1:0", max_connections, options, &program, &error);
  g_assert_no_error (error);
  server->address
      = g_strdup_printf ("127.0.0.1:%u", synod_rpc_listener_get_port (server->listener));
}

static void
server_stop (Server *server)
{
  g_clear_pointer (&server->listener, synod_rpc_listener_free);
  g_ptr_array_unref (server->notes);
  g_ptr_array_unref (server->silent);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server->address);
}

static SynodRpcConnection *
client_connect (Server *server)
{
  g_autoptr (GError) error = NULL;
  SynodRpcConnection *conn
      = synod_rpc_connection_connect (server->address, 5000, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

static void
test_sync_calls (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) args = g_bytes_new_static ("hello, peer!", 12);
  g_autoptr (GBytes) empty = NULL;
  g_autoptr (GBytes) echoed = NULL;

  server_start (&server, 0, NULL);
  conn = client_connect (&server);

  empty = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_NULL, NULL, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);

  echoed = synod_rpc_connection_call_sync (conn, TEST_PROG, 4, PROC_ECHO, args, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (args, echoed));
  g_assert_cmpuint (synod_rpc_connection_get_pending_count (conn), ==, 0);

  synod_rpc_connection_close (conn);
  server_stop (&server);
}

typedef struct
{
  guint remaining;
  guint mismatches;
  guint errors;
  GPtrArray *order; /* indices in completion order */
} AsyncState;

typedef struct
{
  AsyncState *state;
  SynodRpcConnection *conn;
  GBytes *expected;
  guint index;
} AsyncCall;

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = synod_rpc_connection_call_finish (call->conn, result, &error);

  if (reply == NULL)
    call->state->errors++;
  else if (!g_bytes_equal (reply, call->expected))
    call->state->mismatches++;
  g_ptr_array_add (call->state->order, GUINT_TO_POINTER (call->index));
  call->state->remaining--;
  g_bytes_unref (call->expected);
  g_free (call);
}

static void
wait_remaining (guint *remaining, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (*remaining > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_pipelined_out_of_order (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) conn = NULL;
  AsyncState state = { 0 };
  const guint n = 200;
  gboolean in_order = TRUE;

  g_test_summary ("Many calls in flight on one connection, answered after random delays "
                  "(so out of order): every reply reaches the call that made it.");
  server_start (&server, 0, NULL);
  conn = client_connect (&server);
  state.remaining = n;
  state.order = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      guint8 payload[5] = { (guint8)g_random_int_range (0, 40), i & 0xff, i >> 8, 0xAB, 0xCD };
      AsyncCall *call = g_new0 (AsyncCall, 1);

      call->state = &state;
      call->conn = conn;
      call->index = i;
      call->expected = g_bytes_new (payload, sizeof payload);
      synod_rpc_connection_call_async (conn, TEST_PROG, 3, PROC_DELAYED, call->expected, 10000,
                                       NULL, async_done, call);
    }
  /* All were sent before any reply was awaited: they are in flight together. */
  g_assert_cmpuint (synod_rpc_connection_get_pending_count (conn), >, n / 2);
  wait_remaining (&state.remaining, 30);
  g_assert_cmpuint (state.remaining, ==, 0);
  g_assert_cmpuint (state.errors, ==, 0);
  g_assert_cmpuint (state.mismatches, ==, 0);
  for (guint i = 0; i < state.order->len; i++)
    if (GPOINTER_TO_UINT (state.order->pdata[i]) != i)
      in_order = FALSE;
  g_assert_false (in_order);
  g_ptr_array_unref (state.order);
  synod_rpc_connection_close (conn);
  server_stop (&server);
}

static void
test_oneway (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline;

  server_start (&server, 0, NULL);
  conn = client_connect (&server);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GBytes) args = g_bytes_new (&i, sizeof i);

      g_assert_true (
          synod_rpc_connection_send_oneway (conn, TEST_PROG, 3, PROC_NOTE, args, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (synod_rpc_connection_get_pending_count (conn), ==, 0);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_mutex_lock (&server.lock);
  while (server.notes->len < 10)
    if (!g_cond_wait_until (&server.cond, &server.lock, deadline))
      break;
  g_assert_cmpuint (server.notes->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GBytes) expected = g_bytes_new (&i, sizeof i);
      g_assert_true (g_bytes_equal (server.notes->pdata[i], expected));
    }
  g_mutex_unlock (&server.lock);
  synod_rpc_connection_close (conn);
  server_stop (&server);
}

static void
test_rejections (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autoptr (GBytes) ok = NULL;
  struct
  {
    guint32 prog, vers, proc;
    gint code;
    const gchar *message_part;
  } cases[] = {
    { TEST_PROG + 1, 3, PROC_ECHO, SYNOD_ORB_ERROR_PROTOCOL, "does not serve the program" },
    { TEST_PROG, 2, PROC_ECHO, SYNOD_ORB_ERROR_PROTOCOL, "versions 3 to 4" },
    { TEST_PROG, 5, PROC_ECHO, SYNOD_ORB_ERROR_PROTOCOL, "versions 3 to 4" },
    { TEST_PROG, 3, N_PROCS, SYNOD_ORB_ERROR_PROTOCOL, "does not know the procedure" },
    { TEST_PROG, 3, 1000, SYNOD_ORB_ERROR_PROTOCOL, "does not know the procedure" },
    { TEST_PROG, 3, PROC_GARBAGE, SYNOD_ORB_ERROR_INVALID_ARGS, "could not decode" },
  };

  g_test_summary ("Wrong program, version or procedure get PROG_UNAVAIL, PROG_MISMATCH (with "
                  "the range) and PROC_UNAVAIL, and the connection stays usable.");
  server_start (&server, 0, NULL);
  conn = client_connect (&server);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) reply = synod_rpc_connection_call_sync (
          conn, cases[i].prog, cases[i].vers, cases[i].proc, NULL, 5000, NULL, &error);

      g_assert_null (reply);
      g_assert_error (error, SYNOD_ORB_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
  ok = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_NULL, NULL, 5000, NULL, NULL);
  g_assert_nonnull (ok);
  synod_rpc_connection_close (conn);
  server_stop (&server);
}

static void
test_timeout_and_late_reply (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  guint8 delay = 200;
  g_autoptr (GBytes) args = g_bytes_new (&delay, 1);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GBytes) again = NULL;

  server_start (&server, 0, NULL);
  conn = client_connect (&server);
  reply = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_DELAYED, args, 50, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT);
  g_assert_cmpuint (synod_rpc_connection_get_pending_count (conn), ==, 0);
  /* The late reply arrives and is dropped; the connection keeps working. */
  g_usleep (300 * 1000);
  again = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_ECHO, args, 5000, NULL, NULL);
  g_assert_nonnull (again);
  g_assert_true (g_bytes_equal (again, args));
  synod_rpc_connection_close (conn);
  server_stop (&server);
}

typedef struct
{
  SynodRpcConnection *conn;
  GError *error;
  gboolean done;
  gint64 finished_at;
} BlockedCall;

static gpointer
blocked_call_thread (gpointer data)
{
  BlockedCall *call = data;
  GBytes *reply = synod_rpc_connection_call_sync (call->conn, TEST_PROG, 3, PROC_SILENT, NULL, 0,
                                                  NULL, &call->error);

  g_assert_null (reply);
  call->finished_at = g_get_monotonic_time ();
  g_atomic_int_set (&call->done, TRUE);
  return NULL;
}

static void
test_peer_dies_mid_call (void)
{
  Server server;
  BlockedCall call = { 0 };
  GThread *thread;
  gint64 killed_at;

  g_test_summary ("A call with no timeout, in flight when the peer goes away, fails promptly "
                  "with DISCONNECTED instead of hanging.");
  server_start (&server, 0, NULL);
  call.conn = client_connect (&server);
  thread = g_thread_new ("caller", blocked_call_thread, &call);
  /* Wait until the server holds the call. */
  for (guint i = 0; i < 500; i++)
    {
      gboolean held;

      g_mutex_lock (&server.lock);
      held = server.silent->len > 0;
      g_mutex_unlock (&server.lock);
      if (held)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_false (g_atomic_int_get (&call.done));
  killed_at = g_get_monotonic_time ();
  g_clear_pointer (&server.listener, synod_rpc_listener_free);
  g_thread_join (thread);
  g_assert_error (call.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED);
  g_assert_cmpint (call.finished_at - killed_at, <, 5 * G_USEC_PER_SEC);
  g_assert_true (synod_rpc_connection_is_closed (call.conn));
  g_clear_error (&call.error);
  synod_rpc_connection_unref (call.conn);
  server_stop (&server);
}

static void
test_unreachable (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree gchar *address = NULL;
  SynodRpcConnection *conn;

  /* A port that is bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  address = g_strdup_printf ("127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  conn = synod_rpc_connection_connect (address, 2000, NULL, NULL, NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, address));
}

static void
test_inbound_limit (void)
{
  Server server;
  SynodRpcOptions options;
  g_autoptr (SynodRpcConnection) conn = NULL;
  AsyncState state = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) refused = NULL;

  g_test_summary ("Calls beyond the peer's limit of calls in progress are refused with a clear "
                  "error instead of queueing without bound.");
  synod_rpc_options_init (&options);
  options.max_inbound = 3;
  server_start (&server, 0, &options);
  conn = client_connect (&server);
  state.order = g_ptr_array_new ();
  for (guint i = 0; i < 3; i++)
    {
      AsyncCall *call = g_new0 (AsyncCall, 1);

      call->state = &state;
      call->conn = conn;
      call->expected = g_bytes_new (NULL, 0);
      state.remaining++;
      synod_rpc_connection_call_async (conn, TEST_PROG, 3, PROC_SILENT, NULL, 0, NULL, async_done,
                                       call);
    }
  refused
      = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_ECHO, NULL, 5000, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_REMOTE);
  synod_rpc_connection_close (conn);
  /* Closing fails the three silent calls. */
  wait_remaining (&state.remaining, 10);
  g_assert_cmpuint (state.errors, ==, 3);
  g_ptr_array_unref (state.order);
  server_stop (&server);
}

/* ---- hostile bytes on a raw socket ---- */

static GSocket *
raw_connect (Server *server)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr
      = g_inet_socket_address_new (lo, synod_rpc_listener_get_port (server->listener));
  GSocket *socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_assert_true (g_socket_connect (socket, addr, NULL, &error));
  g_assert_no_error (error);
  return socket;
}

static void
raw_send (GSocket *socket, const guint32 *words, gsize n_words, gboolean with_mark)
{
  GByteArray *buf = g_byte_array_new ();

  if (with_mark)
    {
      guint32 mark = g_htonl (0x80000000u | (guint32)(n_words * 4));
      g_byte_array_append (buf, (guint8 *)&mark, 4);
    }
  for (gsize i = 0; i < n_words; i++)
    {
      guint32 w = g_htonl (words[i]);
      g_byte_array_append (buf, (guint8 *)&w, 4);
    }
  g_assert_cmpint (g_socket_send (socket, (gchar *)buf->data, buf->len, NULL, NULL), ==, buf->len);
  g_byte_array_unref (buf);
}

static guint32
read_be32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return g_ntohl (v);
}

/* Reads one reply record and returns its words (host order), or NULL at EOF. */
static GArray *
raw_read_record (GSocket *socket)
{
  guint8 buf[4096];
  gsize have = 0;
  guint32 len;
  GArray *words;

  while (have < 4)
    {
      gssize n = g_socket_receive (socket, (gchar *)buf + have, 4 - have, NULL, NULL);
      if (n <= 0)
        return NULL;
      have += n;
    }
  len = read_be32 (buf) & 0x7fffffffu;
  g_assert_cmpuint (len, <=, sizeof buf);
  have = 0;
  while (have < len)
    {
      gssize n = g_socket_receive (socket, (gchar *)buf + have, len - have, NULL, NULL);
      if (n <= 0)
        return NULL;
      have += n;
    }
  words = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (gsize i = 0; i + 4 <= len; i += 4)
    {
      guint32 w = read_be32 (buf + i);
      g_array_append_val (words, w);
    }
  return words;
}

static gboolean
raw_closed_by_peer (GSocket *socket)
{
  gchar c;
  gssize n = g_socket_receive (socket, &c, 1, NULL, NULL);

  return n == 0 || n < 0;
}

static void
test_hostile_rejections (void)
{
  Server server;
  g_autoptr (GSocket) socket = NULL;
  GArray *reply;
  /* xid, CALL, rpcvers, prog, vers, proc, cred (flavor, len), verf (flavor, len) */
  const guint32 bad_rpcvers[] = { 7, 0, 3, TEST_PROG, 3, 1, 0, 0, 0, 0 };
  const guint32 truncated_header[] = { 8, 0, 2, TEST_PROG, 3 };
  const guint32 big_cred[] = { 9, 0, 2, TEST_PROG, 3, 1, 1, 100000, 0, 0 };
  const guint32 null_call[] = { 10, 0, 2, TEST_PROG, 3, 0, 0, 0, 0, 0 };

  g_test_summary ("Raw records: an RPC version other than 2 gets RPC_MISMATCH (2..2), a "
                  "truncated header GARBAGE_ARGS, an oversized credential AUTH_ERROR, and the "
                  "connection stays up for a NULL call afterwards.");
  server_start (&server, 0, NULL);
  socket = raw_connect (&server);

  raw_send (socket, bad_rpcvers, G_N_ELEMENTS (bad_rpcvers), TRUE);
  reply = raw_read_record (socket);
  g_assert_nonnull (reply);
  /* xid, REPLY, MSG_DENIED, RPC_MISMATCH, low, high */
  g_assert_cmpuint (reply->len, ==, 6);
  g_assert_cmpuint (g_array_index (reply, guint32, 0), ==, 7);
  g_assert_cmpuint (g_array_index (reply, guint32, 1), ==, 1);
  g_assert_cmpuint (g_array_index (reply, guint32, 2), ==, 1);
  g_assert_cmpuint (g_array_index (reply, guint32, 3), ==, 0);
  g_assert_cmpuint (g_array_index (reply, guint32, 4), ==, 2);
  g_assert_cmpuint (g_array_index (reply, guint32, 5), ==, 2);
  g_array_unref (reply);

  raw_send (socket, truncated_header, G_N_ELEMENTS (truncated_header), TRUE);
  reply = raw_read_record (socket);
  g_assert_nonnull (reply);
  /* xid, REPLY, MSG_ACCEPTED, verf (0, 0), GARBAGE_ARGS */
  g_assert_cmpuint (reply->len, ==, 6);
  g_assert_cmpuint (g_array_index (reply, guint32, 0), ==, 8);
  g_assert_cmpuint (g_array_index (reply, guint32, 2), ==, 0);
  g_assert_cmpuint (g_array_index (reply, guint32, 5), ==, 4);
  g_array_unref (reply);

  raw_send (socket, big_cred, G_N_ELEMENTS (big_cred), TRUE);
  reply = raw_read_record (socket);
  g_assert_nonnull (reply);
  /* xid, REPLY, MSG_DENIED, AUTH_ERROR, auth_stat */
  g_assert_cmpuint (g_array_index (reply, guint32, 0), ==, 9);
  g_assert_cmpuint (g_array_index (reply, guint32, 2), ==, 1);
  g_assert_cmpuint (g_array_index (reply, guint32, 3), ==, 1);
  g_array_unref (reply);

  raw_send (socket, null_call, G_N_ELEMENTS (null_call), TRUE);
  reply = raw_read_record (socket);
  g_assert_nonnull (reply);
  g_assert_cmpuint (g_array_index (reply, guint32, 0), ==, 10);
  g_assert_cmpuint (g_array_index (reply, guint32, 5), ==, 0); /* SUCCESS */
  g_array_unref (reply);
  server_stop (&server);
}

static void
test_hostile_closes (void)
{
  Server server;
  SynodRpcOptions options;
  const guint32 unknown_type[] = { 1, 7, 2, TEST_PROG, 3, 1, 0, 0, 0, 0 };
  const guint32 too_short[] = { 1 };

  g_test_summary ("Records that cannot be answered close the connection: an unknown message "
                  "type, a record too short for a header, a fragment over the size limit, a "
                  "multi-fragment record that grows over it. Other connections are unaffected.");
  synod_rpc_options_init (&options);
  options.max_record = 4096;
  server_start (&server, 0, &options);

  {
    g_autoptr (GSocket) s = raw_connect (&server);
    raw_send (s, unknown_type, G_N_ELEMENTS (unknown_type), TRUE);
    g_assert_true (raw_closed_by_peer (s));
  }
  {
    g_autoptr (GSocket) s = raw_connect (&server);
    raw_send (s, too_short, G_N_ELEMENTS (too_short), TRUE);
    g_assert_true (raw_closed_by_peer (s));
  }
  {
    g_autoptr (GSocket) s = raw_connect (&server);
    guint32 mark = g_htonl (0x80000000u | 5000u);
    g_socket_send (s, (gchar *)&mark, 4, NULL, NULL);
    g_assert_true (raw_closed_by_peer (s));
  }
  {
    /* 3 non-final fragments of 2000 bytes: the third crosses 4096. */
    g_autoptr (GSocket) s = raw_connect (&server);
    guint8 frag[2004] = { 0 };
    guint32 mark = g_htonl (2000u);
    memcpy (frag, &mark, 4);
    for (guint i = 0; i < 3; i++)
      g_socket_send (s, (gchar *)frag, sizeof frag, NULL, NULL);
    g_assert_true (raw_closed_by_peer (s));
  }
  {
    /* Garbage that happens to announce a huge record. */
    g_autoptr (GSocket) s = raw_connect (&server);
    g_socket_send (s, "GET / HTTP/1.1\r\n\r\n", 18, NULL, NULL);
    g_assert_true (raw_closed_by_peer (s));
  }
  {
    g_autoptr (SynodRpcConnection) conn = client_connect (&server);
    g_autoptr (GBytes) ok
        = synod_rpc_connection_call_sync (conn, TEST_PROG, 3, PROC_NULL, NULL, 5000, NULL, NULL);
    g_assert_nonnull (ok);
    synod_rpc_connection_close (conn);
  }
  server_stop (&server);
}

static void
test_fragmented_record (void)
{
  Server server;
  g_autoptr (GSocket) socket = NULL;
  const guint32 call[] = { 42, 0, 2, TEST_PROG, 3, PROC_ECHO, 0, 0, 0, 0, 0xdeadbeef, 0x01020304 };
  GByteArray *bytes = g_byte_array_new ();
  GArray *reply;

  g_test_summary ("A call split over three fragments, sent a byte at a time, is reassembled.");
  server_start (&server, 0, NULL);
  socket = raw_connect (&server);
  /* fragments of 5, 5 and 2 words */
  for (guint f = 0, w = 0; f < 3; f++)
    {
      guint n = f < 2 ? 5 : 2;
      guint32 mark = g_htonl ((f == 2 ? 0x80000000u : 0) | n * 4);

      g_byte_array_append (bytes, (guint8 *)&mark, 4);
      for (guint i = 0; i < n; i++, w++)
        {
          guint32 v = g_htonl (call[w]);
          g_byte_array_append (bytes, (guint8 *)&v, 4);
        }
    }
  for (guint i = 0; i < bytes->len; i++)
    g_assert_cmpint (g_socket_send (socket, (gchar *)bytes->data + i, 1, NULL, NULL), ==, 1);
  reply = raw_read_record (socket);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->len, ==, 8);
  g_assert_cmpuint (g_array_index (reply, guint32, 0), ==, 42);
  g_assert_cmpuint (g_array_index (reply, guint32, 5), ==, 0);
  g_assert_cmpuint (g_array_index (reply, guint32, 6), ==, 0xdeadbeef);
  g_assert_cmpuint (g_array_index (reply, guint32, 7), ==, 0x01020304);
  g_array_unref (reply);
  g_byte_array_unref (bytes);
  server_stop (&server);
}

static void
test_connection_cap (void)
{
  Server server;
  g_autoptr (SynodRpcConnection) a = NULL;
  g_autoptr (SynodRpcConnection) b = NULL;
  g_autoptr (GSocket) c = NULL;

  g_test_summary ("Connections beyond the listener's cap are closed at once.");
  server_start (&server, 2, NULL);
  a = client_connect (&server);
  b = client_connect (&server);
  /* Wait until both are accepted. */
  for (guint i = 0; i < 500 && synod_rpc_listener_get_connection_count (server.listener) < 2; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (synod_rpc_listener_get_connection_count (server.listener), ==, 2);
  c = raw_connect (&server);
  g_assert_true (raw_closed_by_peer (c));
  g_assert_cmpuint (synod_rpc_listener_get_connection_count (server.listener), ==, 2);
  synod_rpc_connection_close (a);
  synod_rpc_connection_close (b);
  server_stop (&server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote/rpc/sync-calls", test_sync_calls);
  g_test_add_func ("/remote/rpc/pipelined-out-of-order", test_pipelined_out_of_order);
  g_test_add_func ("/remote/rpc/oneway", test_oneway);
  g_test_add_func ("/remote/rpc/rejections", test_rejections);
  g_test_add_func ("/remote/rpc/timeout-and-late-reply", test_timeout_and_late_reply);
  g_test_add_func ("/remote/rpc/peer-dies-mid-call", test_peer_dies_mid_call);
  g_test_add_func ("/remote/rpc/unreachable", test_unreachable);
  g_test_add_func ("/remote/rpc/inbound-limit", test_inbound_limit);
  g_test_add_func ("/remote/rpc/hostile-rejections", test_hostile_rejections);
  g_test_add_func ("/remote/rpc/hostile-closes", test_hostile_closes);
  g_test_add_func ("/remote/rpc/fragmented-record", test_fragmented_record);
  g_test_add_func ("/remote/rpc/connection-cap", test_connection_cap);
  return g_test_run ();
}
