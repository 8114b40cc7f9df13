/* synod-httpd over HTTPS: real clients (curl, an OpenSSL client), hostile
 * TLS input, bad certificates.
 *
 * The certificates are made at test time with the openssl command: a CA,
 * a server certificate for 127.0.0.1 signed by it, and a key that belongs
 * to neither. The in-process client runs OpenSSL in a bridge thread that
 * relays plaintext to one end of a socket pair, so the raw-socket helpers
 * (httpd-test-util.h) read responses, pipelined ones included, exactly as
 * they do for plain HTTP; the bridge closes its end when the server closes.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "httpd-test-util.h"

static gchar *top, *root, *pki;
static gchar *ca_file, *cert_file, *key_file, *other_key_file;
static GBytes *big, *mid;

#define BIG_SIZE (5 * 1024 * 1024 + 12345) /* above the 4 MiB cache limit: read from the file */
#define MID_SIZE (1536 * 1024 + 7)         /* cached: written from memory */

/* A CA, a server certificate for 127.0.0.1 and localhost, another key. */
static void
make_pki (void)
{
  test_make_pki (pki);
  ca_file = g_build_filename (pki, "ca.pem", NULL);
  cert_file = g_build_filename (pki, "cert.pem", NULL);
  key_file = g_build_filename (pki, "key.pem", NULL);
  other_key_file = g_build_filename (pki, "other.key", NULL);
}

static TestServer *
start (const gchar *const *more)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) "--tls-cert");
  g_ptr_array_add (args, cert_file);
  g_ptr_array_add (args, (gpointer) "--tls-key");
  g_ptr_array_add (args, key_file);
  for (guint i = 0; more != NULL && more[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)more[i]);
  g_ptr_array_add (args, NULL);
  return test_server_start (root, (const gchar *const *)args->pdata);
}

/* ---- the OpenSSL client ---- */

static SSL_CTX *
client_ctx (gint max_version)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());
  static const guint8 alpn[] = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

  g_assert_nonnull (ctx);
  g_assert_cmpint (SSL_CTX_load_verify_locations (ctx, ca_file, NULL), ==, 1);
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_min_proto_version (ctx, 0);
  if (max_version != 0)
    SSL_CTX_set_max_proto_version (ctx, max_version);
  if (max_version != 0 && max_version < TLS1_2_VERSION)
    SSL_CTX_set_security_level (ctx, 0); /* let OpenSSL offer TLS 1.0/1.1 */
  SSL_CTX_set_alpn_protos (ctx, alpn, sizeof alpn);
  return ctx;
}

/* A TLS client connected to @port, handshake done (NULL if it failed). */
static SSL *
tls_client (guint16 port, gint max_version, gint *ret_fd)
{
  SSL_CTX *ctx = client_ctx (max_version);
  SSL *ssl = SSL_new (ctx);
  gint fd = test_connect (port);
  struct timeval tv = { 10, 0 };

  SSL_CTX_free (ctx); /* the SSL holds its own reference */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (ssl), "127.0.0.1");
  SSL_set_fd (ssl, fd);
  if (SSL_connect (ssl) != 1)
    {
      ERR_clear_error ();
      SSL_free (ssl);
      close (fd);
      return NULL;
    }
  *ret_fd = fd;
  return ssl;
}

typedef struct
{
  SSL *ssl;
  gint tcp;
  gint local;
} Bridge;

static gboolean
write_all (gint fd, const guint8 *p, gsize n)
{
  while (n > 0)
    {
      gssize r = send (fd, p, n, MSG_NOSIGNAL);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      p += r;
      n -= (gsize)r;
    }
  return TRUE;
}

/* Writes all of @p through TLS on the non-blocking socket (bounded wait). */
static gboolean
tls_write_all (SSL *ssl, gint fd, const guint8 *p, gint n)
{
  for (guint tries = 0; tries < 200; tries++)
    {
      gint r = SSL_write (ssl, p, n);
      gint err;
      struct pollfd pf = { fd, POLLIN | POLLOUT, 0 };

      if (r == n)
        return TRUE;
      err = SSL_get_error (ssl, r);
      if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ)
        return FALSE;
      poll (&pf, 1, 100);
    }
  return FALSE;
}

static gpointer
bridge_main (gpointer data)
{
  Bridge *b = data;
  guint8 buf[16384];

  /* Non-blocking: session tickets after the handshake make the socket
   * readable without any application data. */
  g_unix_set_fd_nonblocking (b->tcp, TRUE, NULL);
  for (;;)
    {
      struct pollfd p[2] = { { b->tcp, POLLIN, 0 }, { b->local, POLLIN, 0 } };

      if (SSL_pending (b->ssl) == 0 && poll (p, 2, 20000) <= 0)
        break;
      if (SSL_pending (b->ssl) > 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          gint r = SSL_read (b->ssl, buf, sizeof buf);

          if (r > 0)
            {
              if (!write_all (b->local, buf, (gsize)r))
                break;
            }
          else if (SSL_get_error (b->ssl, r) != SSL_ERROR_WANT_READ)
            break;
        }
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          gssize r = recv (b->local, buf, sizeof buf, 0);

          if (r <= 0 || !tls_write_all (b->ssl, b->tcp, buf, (gint)r))
            break;
        }
    }
  ERR_clear_error ();
  SSL_free (b->ssl);
  close (b->tcp);
  close (b->local);
  g_free (b);
  return NULL;
}

/* A plaintext descriptor whose bytes travel over TLS to @port. */
static gint
tls_connect (guint16 port)
{
  gint sv[2];
  Bridge *b = g_new0 (Bridge, 1);

  b->ssl = tls_client (port, 0, &b->tcp);
  g_assert_nonnull (b->ssl);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  b->local = sv[1];
  g_thread_unref (g_thread_new ("tls-bridge", bridge_main, b));
  return sv[0];
}

static void
assert_serves (guint16 port)
{
  gint fd = tls_connect (port);
  g_autoptr (TestResponse) r = NULL;

  test_send_str (fd, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  r = test_read_response (fd, FALSE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), "hello\n", 6);
  test_close (fd);
}

/* ---- curl ---- */

static gchar *
curl (const gchar *const *args, gint *ret_status)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  gchar *out = NULL;
  gint status = 0;

  g_ptr_array_add (argv, (gpointer) "curl");
  g_ptr_array_add (argv, (gpointer) "-sS");
  g_ptr_array_add (argv, (gpointer) "--max-time");
  g_ptr_array_add (argv, (gpointer) "20");
  g_ptr_array_add (argv, (gpointer) "--noproxy");
  g_ptr_array_add (argv, (gpointer) "*");
  g_ptr_array_add (argv, (gpointer) "--cacert");
  g_ptr_array_add (argv, ca_file);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  *ret_status = status;
  return out;
}

static void
test_curl (void)
{
  TestServer *s = start (NULL);
  g_autofree gchar *base = g_strdup_printf ("https://127.0.0.1:%u", s->ports[0]);
  g_autofree gchar *hello = g_strconcat (base, "/hello.txt", NULL);
  g_autofree gchar *big_url = g_strconcat (base, "/big.bin", NULL);
  g_autofree gchar *out_file = g_build_filename (top, "curl-big.bin", NULL);
  g_autofree gchar *got = NULL;
  gsize got_len = 0;
  gint status;

  g_test_summary ("curl, verifying the server against the test CA, gets a document, two on one "
                  "TLS connection (keep-alive), and a 5 MiB file read from disk byte for byte; "
                  "ALPN picks http/1.1 although curl offers h2 first.");
  {
    const gchar *args[] = { "-w", "|%{http_code}|%{http_version}", hello, NULL };
    g_autofree gchar *out = curl (args, &status);

    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "hello\n|200|1.1");
  }
  {
    /* Two URLs: the second reuses the first's connection (num_connects 0). */
    const gchar *args[] = { "-w", "[%{http_code} %{num_connects}]", hello, hello, NULL };
    g_autofree gchar *out = curl (args, &status);

    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "hello\n[200 1]hello\n[200 0]");
  }
  {
    const gchar *args[] = { "-o", out_file, "-w", "%{http_code}", big_url, NULL };
    g_autofree gchar *out = curl (args, &status);
    g_autoptr (GError) error = NULL;

    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "200");
    g_file_get_contents (out_file, &got, &got_len, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (got, got_len, g_bytes_get_data (big, NULL), g_bytes_get_size (big));
  }
  {
    /* Without the CA, the certificate is not trusted. */
    g_autoptr (GError) error = NULL;
    const gchar *argv[]
        = { "curl", "-sS", "--max-time", "20", "--noproxy", "*", "-o", "/dev/null", hello, NULL };

    g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
  }
  test_server_stop (s);
}

/* ---- the OpenSSL client ---- */

static void
test_protocol (void)
{
  TestServer *s = start (NULL);
  gint fd = -1;
  SSL *ssl;
  const guint8 *alpn = NULL;
  guint alpn_len = 0;

  g_test_summary ("TLS 1.3 by default, ALPN http/1.1; TLS 1.2 accepted with an AEAD suite; "
                  "TLS 1.1 refused.");
  ssl = tls_client (s->ports[0], 0, &fd);
  g_assert_nonnull (ssl);
  g_assert_cmpstr (SSL_get_version (ssl), ==, "TLSv1.3");
  SSL_get0_alpn_selected (ssl, &alpn, &alpn_len);
  g_assert_cmpmem (alpn, alpn_len, "http/1.1", 8);
  SSL_free (ssl);
  close (fd);

  ssl = tls_client (s->ports[0], TLS1_2_VERSION, &fd);
  g_assert_nonnull (ssl);
  g_assert_cmpstr (SSL_get_version (ssl), ==, "TLSv1.2");
  g_assert_nonnull (strstr (SSL_get_cipher_name (ssl), "GCM"));
  SSL_free (ssl);
  close (fd);

  ssl = tls_client (s->ports[0], TLS1_1_VERSION, &fd);
  g_assert_null (ssl);
  assert_serves (s->ports[0]);
  test_server_stop (s);
}

/* GET @path on the TLS connection @fd: the whole of @file (@last 0), or
 * the range @first-@last of it with its Content-Range. */
static void
expect_body (gint fd, const gchar *path, guint first, guint last, GBytes *file)
{
  guint size = (guint)g_bytes_get_size (file);
  g_autofree gchar *req
      = last == 0 ? g_strdup_printf ("GET %s HTTP/1.1\r\nHost: a\r\n\r\n", path)
                  : g_strdup_printf ("GET %s HTTP/1.1\r\nHost: a\r\nRange: bytes=%u-%u\r\n\r\n",
                                     path, first, last);
  g_autoptr (TestResponse) r = NULL;

  test_send_str (fd, req);
  r = test_read_response (fd, FALSE);
  g_assert_nonnull (r);
  if (last == 0)
    {
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_true (g_bytes_equal (r->body, file));
    }
  else
    {
      g_autoptr (GBytes) want = g_bytes_new_from_bytes (file, first, last - first + 1);
      g_autofree gchar *range = g_strdup_printf ("bytes %u-%u/%u", first, last, size);

      g_assert_cmpuint (r->status, ==, 206);
      g_assert_cmpstr (test_response_header (r, "content-range"), ==, range);
      g_assert_true (g_bytes_equal (r->body, want));
    }
}

static void
test_requests (void)
{
  TestServer *s = start (NULL);
  gint fd = tls_connect (s->ports[0]);
  g_autofree gchar *etag = NULL;

  g_test_summary ("Over one TLS connection: keep-alive, HEAD, 304, a cached 1.5 MiB document, "
                  "a 5 MiB file streamed from disk, a range of each, and pipelined requests "
                  "answered in order around the large file.");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TestResponse) r = NULL;

      test_send_str (fd, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
      r = test_read_response (fd, FALSE);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), "hello\n", 6);
      g_assert_nonnull (test_response_header (r, "etag"));
      g_free (etag);
      etag = g_strdup (test_response_header (r, "etag"));
    }
  {
    g_autoptr (TestResponse) r = NULL;

    test_send_str (fd, "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    r = test_read_response (fd, TRUE);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (test_response_header (r, "content-length"), ==, "6");
    g_assert_cmpuint (g_bytes_get_size (r->body), ==, 0);
  }
  {
    g_autofree gchar *req
        = g_strdup_printf ("GET /hello.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: %s\r\n\r\n", etag);
    g_autoptr (TestResponse) r = NULL;

    test_send_str (fd, req);
    r = test_read_response (fd, FALSE);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->status, ==, 304);
  }
  expect_body (fd, "/mid.bin", 0, 0, mid);
  expect_body (fd, "/big.bin", 0, 0, big);
  expect_body (fd, "/mid.bin", 100001, 1100000, mid);
  /* A range of the file streamed from disk: read at its offset. */
  expect_body (fd, "/big.bin", BIG_SIZE - 70000, BIG_SIZE - 20001, big);
  /* Pipelined: three requests in one write, the large file in the middle. */
  test_send_str (fd, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n");
  {
    g_autoptr (TestResponse) a = test_read_response (fd, FALSE);
    g_autoptr (TestResponse) b = test_read_response (fd, FALSE);
    g_autoptr (TestResponse) c = test_read_response (fd, FALSE);

    g_assert_nonnull (a);
    g_assert_nonnull (b);
    g_assert_nonnull (c);
    g_assert_cmpuint (a->status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (a->body), ==, 6);
    g_assert_cmpuint (b->status, ==, 200);
    g_assert_true (g_bytes_equal (b->body, big));
    g_assert_cmpuint (c->status, ==, 404);
  }
  /* Connection: close is honoured: the server closes after the answer. */
  {
    g_autoptr (TestResponse) r = NULL;

    test_send_str (fd, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    r = test_read_response (fd, FALSE);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (test_wait_closed (fd, 3000));
  }
  test_close (fd);
  test_server_stop (s);
}

/* ---- hostile input ---- */

/* The bytes of a real ClientHello, made by a client over memory BIOs. */
static GBytes *
client_hello (void)
{
  SSL_CTX *ctx = client_ctx (0);
  SSL *ssl = SSL_new (ctx);
  BIO *rbio = BIO_new (BIO_s_mem ());
  BIO *wbio = BIO_new (BIO_s_mem ());
  gchar *data;
  glong n;
  GBytes *hello;

  SSL_set_bio (ssl, rbio, wbio);
  g_assert_cmpint (SSL_connect (ssl), <=, 0);
  n = BIO_get_mem_data (wbio, &data);
  g_assert_cmpint (n, >, 100);
  hello = g_bytes_new (data, (gsize)n);
  SSL_free (ssl);
  SSL_CTX_free (ctx);
  ERR_clear_error ();
  return hello;
}

static void
test_hostile (void)
{
  const gchar *args[] = { "--header-timeout-ms", "600", NULL };
  TestServer *s = start (args);
  guint16 port = s->ports[0];
  g_autoptr (GBytes) hello = client_hello ();
  gsize hello_len = g_bytes_get_size (hello);
  gint keep = tls_connect (port);

  g_test_summary ("Plain HTTP on the HTTPS port, garbage, a ClientHello cut short (then the "
                  "client leaves, or stalls until the head deadline closes it), and a broken "
                  "record after the handshake: each connection is closed, and a connection "
                  "opened before and new ones are served throughout.");
  /* One request first: an idle keep-alive connection waits on the
   * keep-alive deadline, not on the head deadline of a new connection. */
  {
    g_autoptr (TestResponse) r = NULL;

    test_send_str (keep, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    r = test_read_response (keep, FALSE);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    gint fd = test_connect (port);
    gchar buf[256];
    gssize n;

    test_send_str (fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    g_assert_true (test_wait_closed (fd, 3000));
    /* No plain HTTP answer came back. */
    n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
    g_assert_cmpint (n, <=, 0);
    test_close (fd);
  }
  {
    gint fd = test_connect (port);
    guint8 junk[512];

    for (guint i = 0; i < sizeof junk; i++)
      junk[i] = (guint8)(i * 131 + 7);
    junk[0] = 0x16; /* a handshake record header, then nonsense */
    junk[1] = 0x03;
    junk[2] = 0x01;
    test_send (fd, (const gchar *)junk, sizeof junk);
    g_assert_true (test_wait_closed (fd, 3000));
    test_close (fd);
  }
  {
    /* A ClientHello missing its end, and the client leaves. */
    gint fd = test_connect (port);

    test_send (fd, g_bytes_get_data (hello, NULL), hello_len - 20);
    shutdown (fd, SHUT_WR);
    g_assert_true (test_wait_closed (fd, 3000));
    test_close (fd);
  }
  {
    /* Half a ClientHello, then silence: the head deadline (600 ms) closes it. */
    gint fd = test_connect (port);
    gint64 t0 = g_get_monotonic_time ();

    test_send (fd, g_bytes_get_data (hello, NULL), hello_len / 2);
    g_assert_true (test_wait_closed (fd, 5000));
    g_assert_cmpint (g_get_monotonic_time () - t0, >=, 500 * 1000);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 3000 * 1000);
    test_close (fd);
  }
  {
    /* Nothing at all after connecting: closed at the same deadline. */
    gint fd = test_connect (port);
    gint64 t0 = g_get_monotonic_time ();

    g_assert_true (test_wait_closed (fd, 5000));
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 3000 * 1000);
    test_close (fd);
  }
  {
    /* After a good handshake: an application-data record whose length
     * promises more than comes, then the client leaves. */
    gint fd = -1;
    SSL *ssl = tls_client (port, 0, &fd);
    static const guint8 cut[] = { 0x17, 0x03, 0x03, 0x01, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };

    g_assert_nonnull (ssl);
    test_send (fd, (const gchar *)cut, sizeof cut);
    shutdown (fd, SHUT_WR);
    g_assert_true (test_wait_closed (fd, 3000));
    SSL_free (ssl);
    test_close (fd);
  }
  {
    /* ...and a whole record that does not decrypt. */
    gint fd = -1;
    SSL *ssl = tls_client (port, 0, &fd);
    guint8 bad[5 + 64] = { 0x17, 0x03, 0x03, 0x00, 64 };

    g_assert_nonnull (ssl);
    for (guint i = 5; i < sizeof bad; i++)
      bad[i] = (guint8)i;
    test_send (fd, (const gchar *)bad, sizeof bad);
    g_assert_true (test_wait_closed (fd, 3000));
    SSL_free (ssl);
    test_close (fd);
  }
  /* The connection opened before all this still works, and new ones too. */
  {
    g_autoptr (TestResponse) r = NULL;

    test_send_str (keep, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    r = test_read_response (keep, FALSE);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->status, ==, 200);
    test_close (keep);
  }
  assert_serves (port);
  test_server_stop (s);
}

static void
test_head_deadline (void)
{
  const gchar *args[] = { "--header-timeout-ms", "500", NULL };
  TestServer *s = start (args);
  gint fd = tls_connect (s->ports[0]);
  g_autoptr (TestResponse) r = NULL;

  g_test_summary ("After the handshake, a request head that never ends gets 408 over TLS at "
                  "the head deadline, and the connection is closed.");
  test_send_str (fd, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nX-Slow: ");
  r = test_read_response (fd, FALSE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 408);
  g_assert_true (test_wait_closed (fd, 3000));
  test_close (fd);
  test_server_stop (s);
}

/* ---- configuration ---- */

static void
expect_refusal (const gchar *cert, const gchar *key, const gchar *engine_only, const gchar *names)
{
  const gchar *build = g_getenv ("SYNOD_TOP_BUILDDIR");
  g_autofree gchar *program
      = g_build_filename (build != NULL ? build : ".", "httpd", "synod-httpd", NULL);
  const gchar *argv[] = { program, "--root", root, "--tls-cert", cert, "--tls-key",
                          key,     "--port", "0",  engine_only,  NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (out, "listening"));
  g_assert_nonnull (strstr (err, names));
}

/* The serial number of the certificate a new connection to @port gets
 * (verified against the CA), in hex; NULL when the handshake fails. */
static gchar *
serial_of (guint16 port)
{
  gint fd = -1;
  SSL *ssl = tls_client (port, 0, &fd);
  X509 *x;
  BIGNUM *bn;
  gchar *hex, *ret;

  if (ssl == NULL)
    return NULL;
  x = SSL_get1_peer_certificate (ssl);
  g_assert_nonnull (x);
  bn = ASN1_INTEGER_to_BN (X509_get_serialNumber (x), NULL);
  hex = BN_bn2hex (bn);
  ret = g_strdup (hex);
  OPENSSL_free (hex);
  BN_free (bn);
  X509_free (x);
  SSL_free (ssl);
  close (fd);
  return ret;
}

/* A request on an open TLS connection answers 200. */
static void
assert_still_serves (SSL *ssl, gint fd)
{
  static const gchar req[] = "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n";
  gchar buf[256];
  gint n;

  g_assert_true (tls_write_all (ssl, fd, (const guint8 *)req, sizeof req - 1));
  n = SSL_read (ssl, buf, sizeof buf - 1);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 200 "));
}

static void
test_reload (void)
{
  g_autofree gchar *cert = g_build_filename (pki, "reload-cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (pki, "reload-key.pem", NULL);
  g_autofree gchar *renewed = g_build_filename (pki, "renewed.pem", NULL);
  g_autofree gchar *text = NULL, *key_text = NULL, *first = NULL, *now = NULL;
  const gchar *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr (GError) error = NULL;
  TestServer *s;
  gint fd = -1;
  SSL *open_conn;

  g_test_summary ("SIGHUP makes synod-httpd read its certificate and key again: new connections "
                  "get the renewed certificate, one opened before keeps working, and a broken "
                  "file on a later reload leaves the daemon serving the last good one.");
  g_assert_true (g_file_get_contents (cert_file, &text, NULL, &error));
  g_assert_true (g_file_set_contents (cert, text, -1, &error));
  g_assert_true (g_file_get_contents (key_file, &key_text, NULL, &error));
  g_assert_true (g_file_set_contents (key, key_text, -1, &error));
  s = test_server_start (root, args);
  first = serial_of (s->ports[0]);
  g_assert_nonnull (first);
  open_conn = tls_client (s->ports[0], 0, &fd);
  g_assert_nonnull (open_conn);

  test_renew_certificate (pki, "renewed.pem");
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (renewed, &text, NULL, &error));
  g_assert_true (g_file_set_contents (cert, text, -1, &error));
  g_subprocess_send_signal (s->proc, SIGHUP);
  for (guint i = 0; i < 100; i++)
    {
      g_free (now);
      now = serial_of (s->ports[0]);
      g_assert_nonnull (now);
      if (g_strcmp0 (now, first) != 0)
        break;
      g_usleep (50 * 1000);
    }
  g_assert_cmpstr (now, !=, first);
  assert_still_serves (open_conn, fd);

  /* A broken certificate file: the reload fails, the renewed one stays. */
  g_assert_true (g_file_set_contents (cert, "not a certificate\n", -1, &error));
  g_subprocess_send_signal (s->proc, SIGHUP);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree gchar *after = serial_of (s->ports[0]);

      g_assert_cmpstr (after, ==, now);
      g_usleep (50 * 1000);
    }
  assert_still_serves (open_conn, fd);
  SSL_free (open_conn);
  close (fd);
  test_server_stop (s);
}

static void
test_bad_configuration (void)
{
  g_autofree gchar *missing = g_build_filename (pki, "no-such.pem", NULL);
  const gchar *modes[] = { "--engine-only", NULL };

  g_test_summary ("A missing certificate or key file, a file that holds no certificate, and a "
                  "key that does not match the certificate: synod-httpd does not start, and the "
                  "error names the file; with the broker objects (the HTTPdaemon class's "
                  "tls-cert and tls-key) and with the bare engine.");
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      expect_refusal (missing, key_file, modes[m], "no-such.pem");
      expect_refusal (cert_file, missing, modes[m], "no-such.pem");
      expect_refusal (key_file, key_file, modes[m], key_file);
      expect_refusal (cert_file, other_key_file, modes[m], other_key_file);
      expect_refusal (cert_file, other_key_file, modes[m], "does not match the certificate");
      expect_refusal (cert_file, cert_file, modes[m], "no usable PEM private key");
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  top = test_make_root ();
  root = g_build_filename (top, "root", NULL);
  pki = g_build_filename (top, "pki", NULL);
  g_mkdir_with_parents (pki, 0700);
  make_pki ();
  test_write_file (root, "hello.txt", "hello\n", 6);
  {
    guint8 *b = g_malloc (BIG_SIZE);
    guint32 x = 2463534242u;

    for (gsize i = 0; i < BIG_SIZE; i++)
      {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (guint8)x;
      }
    test_write_file (root, "big.bin", (const gchar *)b, BIG_SIZE);
    test_write_file (root, "mid.bin", (const gchar *)b + 77, MID_SIZE);
    big = g_bytes_new_take (b, BIG_SIZE);
    mid = g_bytes_new_from_bytes (big, 77, MID_SIZE);
  }
  g_test_add_func ("/httpd/tls/curl", test_curl);
  g_test_add_func ("/httpd/tls/protocol", test_protocol);
  g_test_add_func ("/httpd/tls/requests", test_requests);
  g_test_add_func ("/httpd/tls/hostile", test_hostile);
  g_test_add_func ("/httpd/tls/head-deadline", test_head_deadline);
  g_test_add_func ("/httpd/tls/bad-configuration", test_bad_configuration);
  g_test_add_func ("/httpd/tls/reload", test_reload);
  ret = g_test_run ();
  test_remove_tree (top);
  return ret;
}
