/* RPC-with-TLS (RFC 9289) on ONC RPC connections: the AUTH_TLS probe and
 * its answers, calls inside TLS (large, pipelined, both directions), the
 * principal from the peer's certificate, the modes, refused certificates
 * and hostile bytes on raw sockets. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <synod.h>

#include "synod-rpc-private.h"
#include "synod-rpc-tls-private.h"
#include "synod-test-certs.h"

#define TEST_PROG 0x20999998u
#define HANDSHAKE_TIMEOUT_MS 600

enum
{
  PROC_NULL,
  PROC_ECHO, /* replies with its arguments */
  PROC_WHO,  /* replies with the caller's TLS principal ("" without TLS) */
  N_PROCS
};

static gchar *cert_dir;

typedef struct
{
  SynodRpcListener *listener;
  SynodRpcTls *tls;
  gchar *address;
  guint16 port;
} Server;

static void
dispatch (SynodRpcConnection *conn, const SynodRpcCallInfo *info, GBytes *args, gpointer user_data)
{
  if (info->proc == PROC_ECHO)
    synod_rpc_connection_reply (conn, info->xid, SYNOD_RPC_SUCCESS, args, NULL);
  else
    {
      const gchar *who = synod_rpc_connection_get_tls_principal (conn);
      g_autoptr (GBytes) reply = g_bytes_new (who ? who : "", who ? strlen (who) : 0);

      synod_rpc_connection_reply (conn, info->xid, SYNOD_RPC_SUCCESS, reply, NULL);
    }
}

static const SynodRpcProgram program = {
  .prog = TEST_PROG,
  .low_version = 1,
  .high_version = 1,
  .n_procs = N_PROCS,
  .dispatch = dispatch,
};

/* A TLS configuration from certificate @name of cert_dir, trusting @ca. */
static SynodRpcTls *
tls_new (SynodTlsMode mode, const gchar *name, const gchar *ca)
{
  g_autofree gchar *cert = synod_test_cert_path (cert_dir, name, "pem");
  g_autofree gchar *key = synod_test_cert_path (cert_dir, name, "key");
  g_autofree gchar *ca_file = synod_test_cert_path (cert_dir, ca, "pem");
  g_autoptr (GError) error = NULL;
  SynodRpcTls *tls = _synod_rpc_tls_new (mode, cert, key, ca_file, HANDSHAKE_TIMEOUT_MS, &error);

  g_assert_no_error (error);
  return tls;
}

/* @tls: (transfer full) (nullable) */
static void
server_start (Server *server, SynodRpcTls *tls)
{
  SynodRpcOptions options;
  g_autoptr (GError) error = NULL;

  memset (server, 0, sizeof *server);
  synod_rpc_options_init (&options);
  options.tls = tls;
  server->tls = tls;
  server->listener = synod_rpc_listener_new ("127.0.0.1:0", 0, &options, &program, &error);
  g_assert_no_error (error);
  server->port = synod_rpc_listener_get_port (server->listener);
  server->address = g_strdup_printf ("127.0.0.1:%u", server->port);
}

static void
server_stop (Server *server)
{
  g_clear_pointer (&server->listener, synod_rpc_listener_free);
  g_clear_pointer (&server->tls, _synod_rpc_tls_unref);
  g_free (server->address);
}

static SynodRpcConnection *
client_connect (Server *server, SynodRpcTls *tls, GError **error)
{
  SynodRpcOptions options;

  synod_rpc_options_init (&options);
  options.tls = tls;
  return synod_rpc_connection_connect (server->address, 5000, &options, &program, NULL, error);
}

static gchar *
call_who (SynodRpcConnection *conn, GError **error)
{
  g_autoptr (GBytes) reply
      = synod_rpc_connection_call_sync (conn, TEST_PROG, 1, PROC_WHO, NULL, 5000, NULL, error);

  if (reply == NULL)
    return NULL;
  if (g_bytes_get_size (reply) == 0)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

/* A good client calls @server and sees its certificate's principal. */
static void
assert_serves_good_client (Server *server)
{
  g_autoptr (GError) error = NULL;
  SynodRpcTls *tls = tls_new (SYNOD_TLS_REQUIRED, "client", "ca");
  g_autoptr (SynodRpcConnection) conn = client_connect (server, tls, &error);
  g_autofree gchar *who = NULL;

  g_assert_no_error (error);
  who = call_who (conn, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (who, ==, "cert:client");
  synod_rpc_connection_close (conn);
  _synod_rpc_tls_unref (tls);
}

typedef struct
{
  guint remaining;
  guint mismatches;
  guint errors;
  GMutex lock;
  GCond cond;
} Pipeline;

typedef struct
{
  Pipeline *pipeline;
  GBytes *expected;
} PipelineCall;

static void
pipeline_done (GBytes *result, const GError *error, gpointer user_data)
{
  PipelineCall *call = user_data;
  Pipeline *p = call->pipeline;

  g_mutex_lock (&p->lock);
  if (error)
    p->errors++;
  else if (!g_bytes_equal (result, call->expected))
    p->mismatches++;
  p->remaining--;
  g_cond_signal (&p->cond);
  g_mutex_unlock (&p->lock);
  g_bytes_unref (call->expected);
  g_free (call);
}

static GBytes *
pattern (gsize len, guint seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8)(i * 31 + seed);
  return g_bytes_new_take (data, len);
}

static void
test_calls_inside_tls (void)
{
  Server server;
  g_autoptr (GError) error = NULL;
  SynodRpcTls *client_tls = tls_new (SYNOD_TLS_REQUIRED, "client", "ca");
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_autoptr (GBytes) big = pattern (3 * 1024 * 1024 + 17, 7);
  g_autoptr (GBytes) echoed = NULL;
  g_autoptr (GBytes) empty = NULL;
  g_autofree gchar *who = NULL;
  Pipeline p = { 0 };
  const guint n = 300;

  g_test_summary ("Over a connection set up with the AUTH_TLS probe and a TLS 1.3 handshake with "
                  "certificates on both sides: the NULL call, a 3 MiB echo (many TLS records, "
                  "many reads), 300 pipelined echoes of mixed sizes all matched, and each side "
                  "sees the other's certificate CN as principal.");
  server_start (&server, tls_new (SYNOD_TLS_REQUIRED, "server", "ca"));
  conn = client_connect (&server, client_tls, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (synod_rpc_connection_get_tls_principal (conn), ==, "cert:server");

  empty = synod_rpc_connection_call_sync (conn, TEST_PROG, 1, PROC_NULL, NULL, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  who = call_who (conn, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (who, ==, "cert:client");
  echoed = synod_rpc_connection_call_sync (conn, TEST_PROG, 1, PROC_ECHO, big, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (big, echoed));

  g_mutex_init (&p.lock);
  g_cond_init (&p.cond);
  p.remaining = n;
  for (guint i = 0; i < n; i++)
    {
      PipelineCall *call = g_new0 (PipelineCall, 1);
      g_autoptr (GBytes) args = pattern (i % 7 == 0 ? 40000 + i : 1 + i * 3, i);

      call->pipeline = &p;
      call->expected = g_bytes_ref (args);
      synod_rpc_connection_call_full (conn, TEST_PROG, 1, PROC_ECHO, args, 10000, NULL,
                                      pipeline_done, call);
    }
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    g_mutex_lock (&p.lock);
    while (p.remaining > 0 && g_cond_wait_until (&p.cond, &p.lock, deadline))
      ;
    g_mutex_unlock (&p.lock);
  }
  g_assert_cmpuint (p.remaining, ==, 0);
  g_assert_cmpuint (p.errors, ==, 0);
  g_assert_cmpuint (p.mismatches, ==, 0);
  g_mutex_clear (&p.lock);
  g_cond_clear (&p.cond);

  synod_rpc_connection_close (conn);
  server_stop (&server);
  _synod_rpc_tls_unref (client_tls);
}

static void
test_modes (void)
{
  Server server;
  g_autoptr (GError) error = NULL;
  SynodRpcTls *required = tls_new (SYNOD_TLS_REQUIRED, "client", "ca");
  SynodRpcTls *preferred = tls_new (SYNOD_TLS_PREFERRED, "client", "ca");

  g_test_summary ("A plaintext server answers the probe AUTH_BADCRED: a client preferring TLS "
                  "goes on in plaintext, one requiring it refuses. A server preferring TLS "
                  "serves a plaintext client; one requiring TLS answers its NULL call but "
                  "refuses any other with AUTH_TOOWEAK.");
  server_start (&server, NULL);
  {
    g_autoptr (SynodRpcConnection) conn = client_connect (&server, preferred, &error);
    g_autofree gchar *who = NULL;

    g_assert_no_error (error);
    g_assert_null (synod_rpc_connection_get_tls_principal (conn));
    who = call_who (conn, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (who, ==, "");
    synod_rpc_connection_close (conn);
  }
  {
    g_autoptr (SynodRpcConnection) conn = client_connect (&server, required, &error);

    g_assert_null (conn);
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
    g_assert_nonnull (strstr (error->message, "does not offer RPC-with-TLS"));
    g_clear_error (&error);
  }
  server_stop (&server);

  server_start (&server, tls_new (SYNOD_TLS_PREFERRED, "server", "ca"));
  {
    g_autoptr (SynodRpcConnection) conn = client_connect (&server, NULL, &error);
    g_autofree gchar *who = NULL;

    g_assert_no_error (error);
    who = call_who (conn, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (who, ==, "");
    synod_rpc_connection_close (conn);
  }
  assert_serves_good_client (&server);
  server_stop (&server);

  server_start (&server, tls_new (SYNOD_TLS_REQUIRED, "server", "ca"));
  {
    g_autoptr (SynodRpcConnection) conn = client_connect (&server, NULL, &error);
    g_autoptr (GBytes) empty = NULL;
    g_autofree gchar *who = NULL;

    g_assert_no_error (error);
    empty
        = synod_rpc_connection_call_sync (conn, TEST_PROG, 1, PROC_NULL, NULL, 5000, NULL, &error);
    g_assert_no_error (error);
    who = call_who (conn, &error);
    g_assert_null (who);
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
    g_assert_nonnull (strstr (error->message, "AUTH_TOOWEAK"));
    synod_rpc_connection_close (conn);
  }
  assert_serves_good_client (&server);
  server_stop (&server);
  _synod_rpc_tls_unref (required);
  _synod_rpc_tls_unref (preferred);
}

static void
test_refused_certificates (void)
{
  Server server;
  const gchar *bad[][2] = {
    { "stranger", "ca" },  /* signed by another CA */
    { "expired", "ca" },   /* expired yesterday */
    { "client", "other" }, /* the client does not trust the server's CA */
    { "notyet", "ca" },    /* valid from tomorrow */
    { "spaced", "ca" },    /* a CN no principal can be made of */
  };

  g_test_summary ("A certificate of another CA, an expired one, one not yet valid, a server "
                  "certificate the client's CA does not vouch for, and a CN with a space all "
                  "fail the connection (at connect or at its first call) with a TLS error; the "
                  "server goes on serving a good client.");
  server_start (&server, tls_new (SYNOD_TLS_REQUIRED, "server", "ca"));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      SynodRpcTls *tls = tls_new (SYNOD_TLS_REQUIRED, bad[i][0], bad[i][1]);
      g_autoptr (SynodRpcConnection) conn = client_connect (&server, tls, &error);

      /* In TLS 1.3 the client may finish its handshake before the server
       * has judged its certificate: the refusal then ends the first call. */
      if (conn)
        {
          g_autofree gchar *who = call_who (conn, &error);

          g_assert_null (who);
          synod_rpc_connection_close (conn);
        }
      g_assert_nonnull (error);
      g_test_message ("%s/%s: %s", bad[i][0], bad[i][1], error->message);
      g_assert_true (strstr (error->message, "TLS") != NULL);
      _synod_rpc_tls_unref (tls);
      assert_serves_good_client (&server);
    }
  server_stop (&server);
}

static int
raw_connect (guint16 port)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct timeval tv = { .tv_sec = 10 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *)&sin, sizeof sin), ==, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void
put32 (guint8 *p, guint32 v)
{
  v = htonl (v);
  memcpy (p, &v, 4);
}

static void
send_probe (int fd)
{
  guint8 probe[44] = { 0 };

  put32 (probe, 0x80000000u | 40);
  put32 (probe + 4, 0x1234abcdu);
  put32 (probe + 12, 2);
  put32 (probe + 16, TEST_PROG);
  put32 (probe + 20, 1);
  put32 (probe + 28, 7); /* AUTH_TLS */
  g_assert_cmpint (send (fd, probe, sizeof probe, MSG_NOSIGNAL), ==, sizeof probe);
}

/* Reads one record's bytes (mark included) of at most @max bytes. */
static gsize
read_record (int fd, guint8 *buf, gsize max)
{
  gsize have = 0, want = 4;

  while (have < want)
    {
      ssize_t n = recv (fd, buf + have, want - have, 0);

      g_assert_cmpint (n, >, 0);
      have += n;
      if (have == 4)
        {
          want = 4 + (ntohl (*(guint32 *)buf) & 0x7fffffffu);
          g_assert_cmpuint (want, <=, max);
        }
    }
  return have;
}

/* Waits (bounded by the socket's 10 s receive timeout) for the server to
 * close @fd, reading whatever it sends first; returns the time it took. */
static gdouble
wait_closed (int fd)
{
  gint64 start = g_get_monotonic_time ();
  guint8 buf[4096];
  ssize_t n;

  while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
    ;
  g_assert_true (n == 0 || errno == ECONNRESET);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
test_probe_answers (void)
{
  Server server;
  guint8 buf[256];
  gsize len;
  int fd;
  static const guint8 starttls[]
      = { 0x80, 0, 0, 32, 0x12, 0x34, 0xab, 0xcd, 0,   0,   0,   1,   0,   0,   0, 0, 0, 0,
          0,    0, 0, 0,  0,    8,    'S',  'T',  'A', 'R', 'T', 'T', 'L', 'S', 0, 0, 0, 0 };

  g_test_summary ("The probe's answers on the wire: a server offering TLS answers MSG_ACCEPTED, "
                  "verifier AUTH_NONE “STARTTLS”, SUCCESS; a plaintext server MSG_DENIED, "
                  "AUTH_ERROR, AUTH_BADCRED, and goes on serving.");
  server_start (&server, tls_new (SYNOD_TLS_REQUIRED, "server", "ca"));
  fd = raw_connect (server.port);
  send_probe (fd);
  len = read_record (fd, buf, sizeof buf);
  g_assert_cmpmem (buf, len, starttls, sizeof starttls);
  close (fd);
  server_stop (&server);

  server_start (&server, NULL);
  fd = raw_connect (server.port);
  send_probe (fd);
  len = read_record (fd, buf, sizeof buf);
  g_assert_cmpuint (len, ==, 4 + 20);
  g_assert_cmpuint (ntohl (*(guint32 *)(buf + 8)), ==, 1);  /* REPLY */
  g_assert_cmpuint (ntohl (*(guint32 *)(buf + 12)), ==, 1); /* MSG_DENIED */
  g_assert_cmpuint (ntohl (*(guint32 *)(buf + 16)), ==, 1); /* AUTH_ERROR */
  g_assert_cmpuint (ntohl (*(guint32 *)(buf + 20)), ==, 1); /* AUTH_BADCRED */
  close (fd);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SynodRpcConnection) conn = client_connect (&server, NULL, &error);
    g_autofree gchar *who = NULL;

    g_assert_no_error (error);
    who = call_who (conn, &error);
    g_assert_no_error (error);
    synod_rpc_connection_close (conn);
  }
  server_stop (&server);
}

static void
test_hostile_input (void)
{
  Server server;
  guint8 buf[256];
  static const gchar garbage[] = "GET / HTTP/1.0\r\n\r\nthis is not a TLS ClientHello at all";
  /* A TLS record header announcing a handshake message, then nothing. */
  static const guint8 partial_hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc };
  int fd, idle, stalled;
  gdouble took;

  g_test_summary ("Garbage after STARTTLS closes the connection at once; a client that stops "
                  "in the middle of its handshake, or sends nothing at all, is closed after the "
                  "handshake timeout; meanwhile and afterwards the server serves good clients.");
  server_start (&server, tls_new (SYNOD_TLS_REQUIRED, "server", "ca"));

  fd = raw_connect (server.port);
  send_probe (fd);
  read_record (fd, buf, sizeof buf);
  g_assert_cmpint (send (fd, garbage, sizeof garbage, MSG_NOSIGNAL), ==, sizeof garbage);
  took = wait_closed (fd);
  g_assert_cmpfloat (took, <, 5.0);
  close (fd);

  idle = raw_connect (server.port);
  stalled = raw_connect (server.port);
  send_probe (stalled);
  read_record (stalled, buf, sizeof buf);
  g_assert_cmpint (send (stalled, partial_hello, sizeof partial_hello, MSG_NOSIGNAL), ==,
                   sizeof partial_hello);
  /* Served while those two hang. */
  assert_serves_good_client (&server);
  took = wait_closed (stalled);
  g_test_message ("a stalled handshake closed after %.2f s", took);
  g_assert_cmpfloat (took, <, 5.0);
  took = wait_closed (idle);
  g_assert_cmpfloat (took, <, 5.0);
  close (stalled);
  close (idle);
  assert_serves_good_client (&server);
  server_stop (&server);
}

static void
test_bad_configuration (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *cert = synod_test_cert_path (cert_dir, "client", "pem");
  g_autofree gchar *key = synod_test_cert_path (cert_dir, "client", "key");
  g_autofree gchar *other_key = synod_test_cert_path (cert_dir, "server", "key");
  g_autofree gchar *ca = synod_test_cert_path (cert_dir, "ca", "pem");
  SynodRpcTls *tls;
  SynodTlsMode mode = SYNOD_TLS_AUTO;

  g_test_summary ("Missing files, a key of another certificate and an unknown mode are refused "
                  "with an error naming the problem.");
  tls = _synod_rpc_tls_new (SYNOD_TLS_REQUIRED, cert, key, NULL, 0, &error);
  g_assert_null (tls);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  tls = _synod_rpc_tls_new (SYNOD_TLS_REQUIRED, "/nonexistent.pem", key, ca, 0, &error);
  g_assert_null (tls);
  g_assert_nonnull (strstr (error->message, "/nonexistent.pem"));
  g_clear_error (&error);
  tls = _synod_rpc_tls_new (SYNOD_TLS_REQUIRED, cert, other_key, ca, 0, &error);
  g_assert_null (tls);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, other_key));
  g_clear_error (&error);
  g_assert_false (synod_tls_mode_parse ("sometimes", &mode, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_assert_true (synod_tls_mode_parse ("preferred", &mode, NULL));
  g_assert_cmpint (mode, ==, SYNOD_TLS_PREFERRED);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  cert_dir = g_dir_make_tmp ("test-rpc-tls-XXXXXX", &error);
  g_assert_no_error (error);
  if (!synod_test_make_ca (cert_dir, "ca", "Synod test CA", &error)
      || !synod_test_make_ca (cert_dir, "other", "Another CA", &error)
      || !synod_test_make_cert (cert_dir, "server", "server", "ca", -60, 3600, &error)
      || !synod_test_make_cert (cert_dir, "client", "client", "ca", -60, 3600, &error)
      || !synod_test_make_cert (cert_dir, "stranger", "stranger", "other", -60, 3600, &error)
      || !synod_test_make_cert (cert_dir, "expired", "expired", "ca", -2 * 86400, -86400, &error)
      || !synod_test_make_cert (cert_dir, "notyet", "notyet", "ca", 86400, 2 * 86400, &error)
      || !synod_test_make_cert (cert_dir, "spaced", "two words", "ca", -60, 3600, &error))
    g_error ("%s", error->message);

  g_test_add_func ("/remote/rpc-tls/calls-inside-tls", test_calls_inside_tls);
  g_test_add_func ("/remote/rpc-tls/modes", test_modes);
  g_test_add_func ("/remote/rpc-tls/refused-certificates", test_refused_certificates);
  g_test_add_func ("/remote/rpc-tls/probe-answers", test_probe_answers);
  g_test_add_func ("/remote/rpc-tls/hostile-input", test_hostile_input);
  g_test_add_func ("/remote/rpc-tls/bad-configuration", test_bad_configuration);
  status = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (cert_dir, 0, NULL);
    const gchar *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *path = g_build_filename (cert_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (cert_dir);
  }
  g_free (cert_dir);
  return status;
}
