/* synod-httpd over raw sockets: exact bytes in, status lines and closes out.
 *
 * Each test starts the real program on kernel-chosen loopback ports, waits
 * for its readiness lines and stops it with SIGTERM at the end.
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "httpd-test-util.h"
#include "hostile-requests.h"

static gchar *top; /* holds root/ and an outside file */
static gchar *root;
static gchar *digits; /* "0123456789" x 10 */

static TestServer *
start (const gchar *const *args)
{
  return test_server_start (root, args);
}

static void
test_hostile_table (void)
{
  TestServer *s = start (NULL);

  g_test_summary ("Every request of the shared hostile table gets its status from the "
                  "live server, and the server closes the connection after it.");
  for (gsize i = 0; i < G_N_ELEMENTS (hostile_requests); i++)
    {
      const HostileRequest *h = &hostile_requests[i];
      gint fd = test_connect (s->ports[0]);
      g_autoptr (TestResponse) r = NULL;

      g_test_message ("%s", h->name);
      test_send (fd, h->bytes, h->len != 0 ? h->len : strlen (h->bytes));
      r = test_read_response (fd, FALSE);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, h->status);
      if (h->close)
        {
          g_assert_cmpstr (test_response_header (r, "connection"), ==, "close");
          g_assert_true (test_wait_closed (fd, 3000));
        }
      test_close (fd);
    }
  test_server_stop (s);
}

static void
test_limits_live (void)
{
  TestServer *s = start (NULL);
  g_autoptr (GString) req = g_string_new ("GET /");
  gint fd;
  g_autoptr (TestResponse) r1 = NULL;
  g_autoptr (TestResponse) r2 = NULL;

  /* A request line past 8 KiB: 414, before the line even ends. */
  for (guint i = 0; i < 9000; i++)
    g_string_append_c (req, 'a');
  fd = test_connect (s->ports[0]);
  test_send (fd, req->str, req->len);
  r1 = test_read_response (fd, FALSE);
  g_assert_nonnull (r1);
  g_assert_cmpuint (r1->status, ==, 414);
  g_assert_true (test_wait_closed (fd, 3000));
  test_close (fd);

  /* A head past 16 KiB in many fields: 431. */
  g_string_assign (req, "GET / HTTP/1.1\r\nHost: a\r\n");
  for (guint i = 0; i < 90; i++)
    g_string_append_printf (req, "X-Filler-%u: %0200u\r\n", i, i);
  g_string_append (req, "\r\n");
  fd = test_connect (s->ports[0]);
  test_send (fd, req->str, req->len);
  r2 = test_read_response (fd, FALSE);
  g_assert_nonnull (r2);
  g_assert_cmpuint (r2->status, ==, 431);
  g_assert_true (test_wait_closed (fd, 3000));
  test_close (fd);
  test_server_stop (s);
}

static void
test_keep_alive (void)
{
  TestServer *s = start (NULL);
  gint fd = test_connect (s->ports[0]);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TestResponse) r = NULL;

      test_send_str (fd, "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
      r = test_read_response (fd, FALSE);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_null (test_response_header (r, "connection"));
      g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), digits, 100);
    }
  {
    g_autoptr (TestResponse) r = NULL;

    test_send_str (fd, "GET /digits.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    r = test_read_response (fd, FALSE);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (test_response_header (r, "connection"), ==, "close");
    g_assert_true (test_wait_closed (fd, 3000));
  }
  test_close (fd);

  /* HTTP/1.0 closes unless it asks for keep-alive. */
  fd = test_connect (s->ports[0]);
  {
    g_autoptr (TestResponse) r1 = NULL;
    g_autoptr (TestResponse) r2 = NULL;

    test_send_str (fd, "GET /digits.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    r1 = test_read_response (fd, FALSE);
    g_assert_nonnull (r1);
    g_assert_cmpstr (test_response_header (r1, "connection"), ==, "keep-alive");
    test_send_str (fd, "GET /digits.txt HTTP/1.0\r\n\r\n");
    r2 = test_read_response (fd, FALSE);
    g_assert_cmpuint (r2->status, ==, 200);
    g_assert_true (test_wait_closed (fd, 3000));
  }
  test_close (fd);
  test_server_stop (s);
}

static void
test_pipelining (void)
{
  TestServer *s = start (NULL);
  gint fd = test_connect (s->ports[0]);
  const gchar *reqs = "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                      "HEAD /a.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                      "POST /digits.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n0\r\n\r\n"
                      "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n"
                      "GET /sub/x.txt HTTP/1.1\r\nHost: a\r\n\r\n";
  const guint expect[] = { 200, 200, 405, 404, 200 };

  g_test_summary ("Five pipelined requests in one write, one with a chunked body, are "
                  "answered in order on the same connection.");
  test_send_str (fd, reqs);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autoptr (TestResponse) r = test_read_response (fd, i == 1);

      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, expect[i]);
      if (i == 4)
        g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), "sub x\n",
                         6);
    }
  test_close (fd);
  test_server_stop (s);
}

typedef struct
{
  gint fd;
  guint n;
} Flood;

static gpointer
flood_send (gpointer data)
{
  Flood *f = data;
  const gchar *req = "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n";
  g_autoptr (GString) batch = g_string_new (NULL);

  for (guint i = 0; i < 100; i++)
    g_string_append (batch, req);
  for (guint i = 0; i < f->n / 100; i++)
    test_send (f->fd, batch->str, batch->len);
  return NULL;
}

static void
test_pipeline_backpressure (void)
{
  TestServer *s = start (NULL);
  Flood f = { test_connect (s->ports[0]), 20000 };
  GThread *sender;

  g_test_summary ("20000 pipelined requests sent without waiting (about 7 MB of answers): "
                  "the server stops reading while its output is queued, and every "
                  "answer still arrives, in order.");
  sender = g_thread_new ("flood", flood_send, &f);
  for (guint i = 0; i < f.n; i++)
    {
      g_autoptr (TestResponse) r = test_read_response (f.fd, FALSE);

      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, 100);
    }
  g_thread_join (sender);
  test_close (f.fd);
  test_server_stop (s);
}

static void
test_half_close (void)
{
  TestServer *s = start (NULL);
  gint fd = test_connect (s->ports[0]);

  g_test_summary ("A client that sends its requests and shuts down its sending side "
                  "still gets every answer before the server closes.");
  test_send_str (fd, "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /a.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_cmpint (shutdown (fd, SHUT_WR), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (TestResponse) r = test_read_response (fd, FALSE);

      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, 200);
    }
  g_assert_true (test_wait_closed (fd, 3000));
  test_close (fd);
  test_server_stop (s);
}

static void
test_expect_continue (void)
{
  TestServer *s = start (NULL);
  gint fd = test_connect (s->ports[0]);
  g_autoptr (TestResponse) cont = NULL;
  g_autoptr (TestResponse) r = NULL;
  g_autoptr (TestResponse) big = NULL;

  test_send_str (fd, "PUT /digits.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                     "Content-Length: 5\r\n\r\n");
  cont = test_read_response (fd, FALSE);
  g_assert_nonnull (cont);
  g_assert_cmpuint (cont->status, ==, 100);
  test_send_str (fd, "hello");
  r = test_read_response (fd, FALSE);
  g_assert_cmpuint (r->status, ==, 405);
  g_assert_cmpstr (test_response_header (r, "allow"), ==, "GET, HEAD");
  test_close (fd);

  /* Too large: refused before the client sends the body, no 100. */
  fd = test_connect (s->ports[0]);
  test_send_str (fd, "PUT /digits.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                     "Content-Length: 100000000\r\n\r\n");
  big = test_read_response (fd, FALSE);
  g_assert_cmpuint (big->status, ==, 413);
  g_assert_true (test_wait_closed (fd, 3000));
  test_close (fd);
  test_server_stop (s);
}

static void
test_slowloris (void)
{
  const gchar *args[] = { "--header-timeout-ms", "400", NULL };
  TestServer *s = start (args);
  gint fd = test_connect (s->ports[0]);
  gint64 start_time = g_get_monotonic_time ();
  const gchar *head = "GET /digits.txt HTTP/1.1\r\nHost: a\r\nX-Slow: ";
  g_autoptr (TestResponse) r = NULL;
  gboolean closed_early = FALSE;

  g_test_summary ("A head trickling in a byte at a time still has to be complete within "
                  "the header deadline: progress does not extend it (slowloris).");
  test_send_str (fd, head);
  /* Keep trickling one byte every 50 ms (waiting on the socket, which also
   * notices the server's answer) for up to 3 s. */
  for (guint i = 0; i < 60; i++)
    {
      gchar c;
      struct timeval tv = { 0, 50000 };
      fd_set set;

      FD_ZERO (&set);
      FD_SET (fd, &set);
      if (select (fd + 1, &set, NULL, NULL, &tv) > 0)
        {
          closed_early = TRUE;
          break;
        }
      c = 'x';
      if (send (fd, &c, 1, MSG_NOSIGNAL) != 1)
        break;
    }
  g_assert_true (closed_early);
  r = test_read_response (fd, FALSE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 408);
  g_assert_true (test_wait_closed (fd, 3000));
  g_assert_cmpint (g_get_monotonic_time () - start_time, >=, 350 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start_time, <, 3000 * 1000);
  test_close (fd);
  test_server_stop (s);
}

static void
test_idle_timeout (void)
{
  const gchar *args[] = { "--keepalive-timeout-ms", "300", NULL };
  TestServer *s = start (args);
  gint fd = test_connect (s->ports[0]);
  g_autoptr (TestResponse) r = NULL;
  gint64 t0;

  test_send_str (fd, "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  r = test_read_response (fd, FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  t0 = g_get_monotonic_time ();
  g_assert_true (test_wait_closed (fd, 3000));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250 * 1000);
  test_close (fd);
  test_server_stop (s);
}

static void
test_body_timeout (void)
{
  const gchar *args[] = { "--body-timeout-ms", "300", NULL };
  TestServer *s = start (args);
  gint fd = test_connect (s->ports[0]);
  gint64 t0 = g_get_monotonic_time ();

  test_send_str (fd, "POST /digits.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab");
  g_assert_true (test_wait_closed (fd, 3000));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250 * 1000);
  test_close (fd);
  test_server_stop (s);
}

static void
test_send_timeout (void)
{
  const gchar *args[] = { "--send-timeout-ms", "300", NULL };
  TestServer *s = start (args);
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = { 0 };
  struct timeval tv = { 5, 0 };
  gint rcvbuf = 4096;
  gsize received = 0;
  gchar buf[65536];
  g_autofree gchar *big = g_strnfill (8 * 1024 * 1024, 'z');

  g_test_summary ("A client that stops reading a large response is dropped after the "
                  "send timeout: it gets a truncated body, then end of file.");
  test_write_file (root, "big.bin", big, 8 * 1024 * 1024);
  /* A small receive window, set before connecting, so the kernel's buffers
   * cannot swallow the whole response; reads give up after 5 s. */
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf), ==, 0);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), ==, 0);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (s->ports[0]);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  test_send_str (fd, "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n");
  /* Stall on purpose (the behaviour under test), well past the timeout. */
  g_usleep (1200 * 1000);
  for (;;)
    {
      gssize n = recv (fd, buf, sizeof buf, 0);

      g_assert_cmpint (n, >=, 0); /* EOF, not a 5 s timeout */
      if (n == 0)
        break;
      received += (gsize)n;
    }
  g_assert_cmpuint (received, >, 0);
  g_assert_cmpuint (received, <, 8 * 1024 * 1024);
  test_close (fd);
  test_server_stop (s);
}

static void
test_connection_cap (void)
{
  const gchar *args[] = { "--max-connections", "2", NULL };
  TestServer *s = start (args);
  gint fds[2];
  gint extra;
  g_autoptr (TestResponse) busy = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (TestResponse) r = NULL;

      fds[i] = test_connect (s->ports[0]);
      test_send_str (fds[i], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
      r = test_read_response (fds[i], FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  extra = test_connect (s->ports[0]);
  busy = test_read_response (extra, FALSE);
  g_assert_nonnull (busy);
  g_assert_cmpuint (busy->status, ==, 503);
  g_assert_true (test_wait_closed (extra, 3000));
  test_close (extra);
  /* Once one closes, a new connection is served again. */
  test_close (fds[0]);
  {
    g_autoptr (TestResponse) again = NULL;

    for (guint tries = 0; tries < 50; tries++)
      {
        gint fd = test_connect (s->ports[0]);

        test_send_str (fd, "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
        again = test_read_response (fd, FALSE);
        test_close (fd);
        if (again != NULL && again->status == 200)
          break;
        g_clear_pointer (&again, test_response_free);
        g_usleep (20000); /* the server notices the close asynchronously */
      }
    g_assert_nonnull (again);
    g_assert_cmpuint (again->status, ==, 200);
  }
  test_close (fds[1]);
  test_server_stop (s);
}

static void
test_static_headers (void)
{
  TestServer *s = start (NULL);
  g_autoptr (TestResponse) r
      = test_request (s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) h
      = test_request (s->ports[0], "HEAD /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) png
      = test_request (s->ports[0], "GET /x.png HTTP/1.1\r\nHost: a\r\n\r\n");
  GDateTime *now = g_date_time_new_now_utc ();

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (test_response_header (r, "content-type"), ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (test_response_header (r, "content-length"), ==, "100");
  g_assert_cmpstr (test_response_header (r, "accept-ranges"), ==, "bytes");
  g_assert_nonnull (test_response_header (r, "etag"));
  g_assert_true (g_str_has_suffix (test_response_header (r, "date"), " GMT"));
  g_assert_true (g_str_has_suffix (test_response_header (r, "last-modified"), " GMT"));
  g_assert_cmpstr (test_response_header (png, "content-type"), ==, "image/png");
  /* HEAD: the same fields, no body. */
  g_assert_cmpuint (h->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (h->body), ==, 0);
  g_assert_cmpstr (test_response_header (h, "content-length"), ==, "100");
  g_assert_cmpstr (test_response_header (h, "etag"), ==, test_response_header (r, "etag"));
  g_date_time_unref (now);
  test_server_stop (s);
}

/* Server arguments for the tests that run twice: documents from the cache,
 * and (with this cache limit) every document streamed from its file. */
static const gchar *const streamed_args[] = { "--cache-document", "64", NULL };

static void
test_conditionals (gconstpointer data)
{
  TestServer *s = start (data);
  g_autoptr (TestResponse) r
      = test_request (s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  const gchar *etag = test_response_header (r, "etag");
  const gchar *lm = test_response_header (r, "last-modified");
  const struct
  {
    const gchar *fields;
    guint status;
  } cases[] = {
    { "If-None-Match: %s", 304 },
    { "If-None-Match: \"other\", %s", 304 },
    { "If-None-Match: W/%s", 304 }, /* weak comparison */
    { "If-None-Match: \"other\"", 200 },
    { "If-None-Match: *", 304 },
    { "If-Modified-Since: %s", 304 },
    { "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", 200 },
    { "If-Modified-Since: garbage", 200 },
    { "If-Match: %s", 200 },
    { "If-Match: \"other\"", 412 },
    { "If-Match: W/%s", 412 }, /* strong comparison */
    { "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT", 412 },
    { "If-Unmodified-Since: %s", 200 },
    { "If-None-Match: \"other\"\r\nIf-Modified-Since: %s", 200 }, /* INM wins over IMS */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const gchar *arg = strstr (cases[i].fields, "Since: %s") != NULL ? lm : etag;
      g_autofree gchar *fields = NULL;
      g_autofree gchar *req = NULL;
      g_autoptr (TestResponse) c = NULL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      fields = g_strdup_printf (cases[i].fields, arg);
#pragma GCC diagnostic pop
      req = g_strdup_printf ("GET /digits.txt HTTP/1.1\r\nHost: a\r\n%s\r\n\r\n", fields);
      g_test_message ("%s", fields);
      c = test_request (s->ports[0], req);
      g_assert_cmpuint (c->status, ==, cases[i].status);
      if (c->status == 304)
        {
          g_assert_cmpuint (g_bytes_get_size (c->body), ==, 0);
          g_assert_null (test_response_header (c, "content-length"));
          g_assert_cmpstr (test_response_header (c, "etag"), ==, etag);
        }
    }
  test_server_stop (s);
}

static void
test_ranges (gconstpointer data)
{
  TestServer *s = start (data);
  g_autoptr (TestResponse) one = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=10-19\r\n\r\n");
  g_autoptr (TestResponse) suffix = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n");
  g_autoptr (TestResponse) open_end = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=95-\r\n\r\n");
  g_autoptr (TestResponse) merged = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-4,3-9,10-12\r\n\r\n");
  g_autoptr (TestResponse) multi = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1,50-51\r\n\r\n");
  g_autoptr (TestResponse) unsat = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=100-200\r\n\r\n");
  g_autoptr (TestResponse) bad_unit = test_request (
      s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: items=0-1\r\n\r\n");
  g_autoptr (TestResponse) stale = test_request (
      s->ports[0],
      "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: \"old\"\r\n\r\n");
  g_autoptr (GString) many
      = g_string_new ("GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0");
  g_autoptr (TestResponse) excessive = NULL;
  const gchar *body;

  g_assert_cmpuint (one->status, ==, 206);
  g_assert_cmpstr (test_response_header (one, "content-range"), ==, "bytes 10-19/100");
  g_assert_cmpmem (g_bytes_get_data (one->body, NULL), g_bytes_get_size (one->body), "0123456789",
                   10);
  g_assert_cmpstr (test_response_header (suffix, "content-range"), ==, "bytes 95-99/100");
  g_assert_cmpstr (test_response_header (open_end, "content-range"), ==, "bytes 95-99/100");
  /* Overlapping and adjacent ranges merge into one. */
  g_assert_cmpuint (merged->status, ==, 206);
  g_assert_cmpstr (test_response_header (merged, "content-range"), ==, "bytes 0-12/100");
  /* Two distinct ranges: multipart/byteranges. */
  g_assert_cmpuint (multi->status, ==, 206);
  g_assert_true (g_str_has_prefix (test_response_header (multi, "content-type"),
                                   "multipart/byteranges; boundary="));
  body = g_bytes_get_data (multi->body, NULL);
  g_assert_nonnull (g_strstr_len (body, (gssize)g_bytes_get_size (multi->body),
                                  "Content-Range: bytes 0-1/100\r\n\r\n01\r\n"));
  g_assert_nonnull (g_strstr_len (body, (gssize)g_bytes_get_size (multi->body),
                                  "Content-Range: bytes 50-51/100\r\n\r\n01\r\n"));
  g_assert_cmpuint (unsat->status, ==, 416);
  g_assert_cmpstr (test_response_header (unsat, "content-range"), ==, "bytes */100");
  g_assert_cmpuint (bad_unit->status, ==, 200);
  g_assert_cmpuint (stale->status, ==, 200);
  /* More range specs than the limit: served whole. */
  for (guint i = 1; i <= 40; i++)
    g_string_append_printf (many, ",%u-%u", i * 2, i * 2);
  g_string_append (many, "\r\n\r\n");
  excessive = test_request (s->ports[0], many->str);
  g_assert_cmpuint (excessive->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (excessive->body), ==, 100);
  test_server_stop (s);
}

static void
test_streamed (void)
{
  TestServer *s = start (streamed_args);
  g_autoptr (TestResponse) get = test_request (
      s->ports[0], "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
  g_autoptr (TestResponse) head
      = test_request (s->ports[0], "HEAD /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) post
      = test_request (s->ports[0], "POST /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) ssi
      = test_request (s->ports[0], "GET /page.shtml HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autofree gchar *if_range = NULL;
  g_autoptr (TestResponse) ranged = NULL;

  g_test_summary ("A document above the cache limit is sent from its file with the same "
                  "validators and answers as a cached one, without a gzip variant; a page with "
                  "server-side includes that large is refused, never sent as source.");
  g_assert_cmpuint (get->status, ==, 200);
  g_assert_null (test_response_header (get, "content-encoding"));
  g_assert_null (test_response_header (get, "vary"));
  g_assert_cmpstr (test_response_header (get, "accept-ranges"), ==, "bytes");
  g_assert_nonnull (test_response_header (get, "etag"));
  g_assert_nonnull (test_response_header (get, "last-modified"));
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpstr (test_response_header (head, "content-length"), ==, "100");
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
  g_assert_cmpuint (post->status, ==, 405);
  g_assert_cmpstr (test_response_header (post, "allow"), ==, "GET, HEAD");
  g_assert_cmpuint (ssi->status, ==, 500);
  g_assert_null (g_strstr_len (g_bytes_get_data (ssi->body, NULL),
                               (gssize)g_bytes_get_size (ssi->body), "<!--#"));
  /* A resumed download: If-Range with the validator it got first. */
  if_range = g_strdup_printf (
      "GET /a.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=5-\r\nIf-Range: %s\r\n\r\n",
      test_response_header (get, "etag"));
  ranged = test_request (s->ports[0], if_range);
  g_assert_cmpuint (ranged->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (ranged->body, NULL), g_bytes_get_size (ranged->body),
                   (const gchar *)g_bytes_get_data (get->body, NULL) + 5,
                   g_bytes_get_size (get->body) - 5);
  test_server_stop (s);
}

static GBytes *
gunzip (GBytes *in)
{
  z_stream zs = { 0 };
  guint8 out[65536];
  gsize len;

  zs.next_in = (Bytef *)g_bytes_get_data (in, &len);
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = sizeof out;
  g_assert_cmpint (inflateInit2 (&zs, 15 + 16), ==, Z_OK);
  g_assert_cmpint (inflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  inflateEnd (&zs);
  return g_bytes_new (out, zs.total_out);
}

static void
test_gzip (void)
{
  TestServer *s = start (NULL);
  g_autoptr (TestResponse) plain
      = test_request (s->ports[0], "GET /a.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) gz = test_request (
      s->ports[0], "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br, gzip;q=0.5\r\n\r\n");
  g_autoptr (TestResponse) refused = test_request (
      s->ports[0], "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0, *\r\n\r\n");
  g_autoptr (TestResponse) star
      = test_request (s->ports[0], "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: *\r\n\r\n");
  g_autoptr (TestResponse) ranged = test_request (
      s->ports[0],
      "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nRange: bytes=0-9\r\n\r\n");
  g_autoptr (GBytes) unzipped = NULL;
  g_autofree gchar *inm = NULL;
  g_autoptr (TestResponse) gz304 = NULL;

  g_assert_null (test_response_header (plain, "content-encoding"));
  g_assert_cmpstr (test_response_header (plain, "vary"), ==, "Accept-Encoding");
  g_assert_cmpstr (test_response_header (gz, "content-encoding"), ==, "gzip");
  g_assert_cmpstr (test_response_header (gz, "vary"), ==, "Accept-Encoding");
  g_assert_cmpstr (test_response_header (gz, "etag"), !=, test_response_header (plain, "etag"));
  g_assert_cmpuint (g_bytes_get_size (gz->body), <, g_bytes_get_size (plain->body));
  unzipped = gunzip (gz->body);
  g_assert_true (g_bytes_equal (unzipped, plain->body));
  g_assert_null (test_response_header (refused, "content-encoding"));
  g_assert_cmpstr (test_response_header (star, "content-encoding"), ==, "gzip");
  g_assert_cmpuint (ranged->status, ==, 206);
  g_assert_null (test_response_header (ranged, "content-encoding"));
  /* The gzip variant's ETag validates the gzip variant. */
  inm = g_strdup_printf (
      "GET /a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
      test_response_header (gz, "etag"));
  gz304 = test_request (s->ports[0], inm);
  g_assert_cmpuint (gz304->status, ==, 304);
  test_server_stop (s);
}

static void
test_methods_and_paths (void)
{
  TestServer *s = start (NULL);
  const struct
  {
    const gchar *req;
    guint status;
    const gchar *header;
    const gchar *value;
  } cases[] = {
    { "POST /digits.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 405, "allow",
      "GET, HEAD" },
    { "DELETE /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 405, "allow", "GET, HEAD" },
    { "OPTIONS /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 405, "allow", "GET, HEAD" },
    { "BREW /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 501, NULL, NULL },
    { "GET /sub HTTP/1.1\r\nHost: a\r\n\r\n", 301, "location", "/sub/" },
    { "GET /sub?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", 301, "location", "/sub/?q=1" },
    { "GET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-type", "text/html; charset=utf-8" },
    { "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length", "19" },
    { "GET /nodir/ HTTP/1.1\r\nHost: a\r\n\r\n", 403, NULL, NULL },
    { "GET /missing.html HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /digits.txt/ HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /escape HTTP/1.1\r\nHost: a\r\n\r\n", 403, NULL, NULL },
    { "GET /inside-link HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length", "100" },
    { "GET /../secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /sub/../../secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /sub/%2e%2e%2f%2e%2e%2fsecret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL },
    { "GET /sub/./../digits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length", "100" },
    { "GET //sub//x.txt HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length", "6" },
    { "GET /%64igits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length", "100" },
    { "GET /%2564igits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, NULL, NULL }, /* decoded once */
    { "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "connection", "close" },
    { "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, NULL, NULL },
    { "GET http://other.example/digits.txt HTTP/1.1\r\nHost: a\r\n\r\n", 200, "content-length",
      "100" },
    { "GET /digits.txt HTTP/1.0\r\n\r\n", 200, NULL, NULL }, /* 1.0 needs no Host */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TestResponse) r = NULL;

      g_test_message ("%s", cases[i].req);
      r = test_request (s->ports[0], cases[i].req);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, cases[i].status);
      if (cases[i].header != NULL)
        g_assert_cmpstr (test_response_header (r, cases[i].header), ==, cases[i].value);
    }
  test_server_stop (s);
}

static void
test_virtual_hosts_and_sites (void)
{
  g_autofree gchar *other = g_build_filename (top, "other", NULL);
  g_autofree gchar *vhost = g_strdup_printf ("Site.Example=%s", other);
  const gchar *args[] = { "--vhost", vhost, "--root", other, NULL };
  TestServer *s;

  test_write_file (other, "digits.txt", "other site\n", -1);
  s = start (args);
  g_assert_cmpuint (s->n_ports, ==, 2);
  {
    g_autoptr (TestResponse) def
        = test_request (s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    g_autoptr (TestResponse) vh
        = test_request (s->ports[0], "GET /digits.txt HTTP/1.1\r\nHost: site.example:8080\r\n\r\n");
    g_autoptr (TestResponse) abs = test_request (
        s->ports[0], "GET http://SITE.example./digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    g_autoptr (TestResponse) second
        = test_request (s->ports[1], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");

    g_assert_cmpuint (g_bytes_get_size (def->body), ==, 100);
    g_assert_cmpmem (g_bytes_get_data (vh->body, NULL), g_bytes_get_size (vh->body), "other site\n",
                     11);
    g_assert_cmpmem (g_bytes_get_data (abs->body, NULL), g_bytes_get_size (abs->body),
                     "other site\n", 11);
    g_assert_cmpmem (g_bytes_get_data (second->body, NULL), g_bytes_get_size (second->body),
                     "other site\n", 11);
  }
  test_server_stop (s);
}

static void
test_cache_invalidation (void)
{
  const gchar *args[] = { "--revalidate-ms", "0", NULL };
  TestServer *s = start (args);
  g_autoptr (TestResponse) before = NULL;
  g_autoptr (TestResponse) after = NULL;
  g_autoptr (TestResponse) gone = NULL;
  g_autofree gchar *path = g_build_filename (root, "changing.txt", NULL);

  g_test_summary ("A cached document is checked against its file: a rewrite is served "
                  "at once (revalidation interval 0), a removal gives 404.");
  test_write_file (root, "changing.txt", "version one\n", -1);
  before = test_request (s->ports[0], "GET /changing.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_cmpmem (g_bytes_get_data (before->body, NULL), g_bytes_get_size (before->body),
                   "version one\n", 12);
  test_write_file (root, "changing.txt", "version two!\n", -1);
  after = test_request (s->ports[0], "GET /changing.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_cmpmem (g_bytes_get_data (after->body, NULL), g_bytes_get_size (after->body),
                   "version two!\n", 13);
  g_assert_cmpstr (test_response_header (after, "etag"), !=, test_response_header (before, "etag"));
  g_assert_cmpint (unlink (path), ==, 0);
  gone = test_request (s->ports[0], "GET /changing.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_cmpuint (gone->status, ==, 404);
  test_server_stop (s);
}

static void
test_access_log (void)
{
  g_autofree gchar *log = g_build_filename (top, "access.log", NULL);
  const gchar *args[] = { "--access-log", log, NULL };
  TestServer *s = start (args);
  g_autoptr (TestResponse) r
      = test_request (s->ports[0], "GET /digits.txt?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) nf = test_request (s->ports[0], "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autofree gchar *text = NULL;
  g_autoptr (GRegex) re = g_regex_new (
      "^127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z][a-z]/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "
      "\"GET /digits.txt\\?x=1 HTTP/1.1\" 200 100$",
      G_REGEX_MULTILINE, 0, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (nf->status, ==, 404);
  test_server_stop (s); /* flushes the log */
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_true (g_regex_match (re, text, 0, NULL));
  g_assert_nonnull (strstr (text, "\"GET /nope HTTP/1.1\" 404 "));
}

static void
test_ssi_live (void)
{
  TestServer *s = start (NULL);
  g_autoptr (TestResponse) r
      = test_request (s->ports[0], "GET /page.shtml?name=a%20b HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autoptr (TestResponse) self
      = test_request (s->ports[0], "GET /self.shtml HTTP/1.1\r\nHost: a\r\n\r\n");
  g_autofree gchar *body = NULL;
  g_autofree gchar *self_body = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (test_response_header (r, "content-type"), ==, "text/html; charset=utf-8");
  body = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
  /* DOCUMENT_URI stays the page the client asked for, in includes too (Apache). */
  g_assert_cmpstr (body, ==,
                   "uri=/page.shtml q=name=a b\n[part of /page.shtml; matched (none)]\nsub x\n\n");
  /* A page including itself stops at the depth limit with an error message. */
  g_assert_cmpuint (self->status, ==, 200);
  self_body = g_strndup (g_bytes_get_data (self->body, NULL), g_bytes_get_size (self->body));
  g_assert_nonnull (strstr (self_body, "[an error occurred while processing this directive]"));
  test_server_stop (s);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *secret = NULL;
  g_autofree gchar *link = NULL;
  g_autofree gchar *inside = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  int ret;

  g_test_init (&argc, &argv, NULL);
  top = test_make_root ();
  root = g_build_filename (top, "root", NULL);
  digits = g_strnfill (100, '0');
  for (guint i = 0; i < 100; i++)
    digits[i] = (gchar)('0' + i % 10);
  test_write_file (root, "digits.txt", digits, 100);
  for (guint i = 0; i < 64; i++)
    g_string_append_printf (text, "line %u of a compressible text document\n", i);
  test_write_file (root, "a.txt", text->str, (gssize)text->len);
  test_write_file (root, "index.html", "<html>index</html>\n", -1);
  test_write_file (root, "x.png", "\x89PNG", 4);
  test_write_file (root, "sub/index.html", "<p>sub</p>\n", -1);
  test_write_file (root, "sub/x.txt", "sub x\n", -1);
  test_write_file (root, "nodir/readme.txt", "no index here\n", -1);
  test_write_file (top, "secret.txt", "secret\n", -1);
  test_write_file (
      root, "page.shtml",
      "uri=<!--#echo var=\"DOCUMENT_URI\" --> q=<!--#echo var=\"QUERY_STRING_UNESCAPED\" -->\n"
      "<!--#include virtual=\"/inc/part.shtml\" -->\n",
      -1);
  test_write_file (root, "inc/part.shtml",
                   "[part of <!--#echo var=\"DOCUMENT_URI\" -->; "
                   "<!--#if expr=\"$DOCUMENT_URI = /page/\" -->matched<!--#else -->no<!--#endif -->"
                   " <!--#echo var=\"NOT_SET\" -->]\n"
                   "<!--#include virtual=\"../sub/x.txt\" -->",
                   -1);
  test_write_file (root, "self.shtml", "<!--#include virtual=\"/self.shtml\" -->", -1);
  secret = g_build_filename (top, "secret.txt", NULL);
  link = g_build_filename (root, "escape", NULL);
  inside = g_build_filename (root, "inside-link", NULL);
  g_assert_cmpint (symlink (secret, link), ==, 0);
  g_assert_cmpint (symlink ("digits.txt", inside), ==, 0);

  g_test_add_func ("/httpd/raw/hostile-table", test_hostile_table);
  g_test_add_func ("/httpd/raw/limits", test_limits_live);
  g_test_add_func ("/httpd/raw/keep-alive", test_keep_alive);
  g_test_add_func ("/httpd/raw/pipelining", test_pipelining);
  g_test_add_func ("/httpd/raw/pipeline-backpressure", test_pipeline_backpressure);
  g_test_add_func ("/httpd/raw/half-close", test_half_close);
  g_test_add_func ("/httpd/raw/expect-continue", test_expect_continue);
  g_test_add_func ("/httpd/raw/slowloris", test_slowloris);
  g_test_add_func ("/httpd/raw/idle-timeout", test_idle_timeout);
  g_test_add_func ("/httpd/raw/body-timeout", test_body_timeout);
  g_test_add_func ("/httpd/raw/send-timeout", test_send_timeout);
  g_test_add_func ("/httpd/raw/connection-cap", test_connection_cap);
  g_test_add_func ("/httpd/raw/static-headers", test_static_headers);
  g_test_add_data_func ("/httpd/raw/conditionals", NULL, test_conditionals);
  g_test_add_data_func ("/httpd/raw/conditionals/streamed", streamed_args, test_conditionals);
  g_test_add_data_func ("/httpd/raw/ranges", NULL, test_ranges);
  g_test_add_data_func ("/httpd/raw/ranges/streamed", streamed_args, test_ranges);
  g_test_add_func ("/httpd/raw/streamed", test_streamed);
  g_test_add_func ("/httpd/raw/gzip", test_gzip);
  g_test_add_func ("/httpd/raw/methods-and-paths", test_methods_and_paths);
  g_test_add_func ("/httpd/raw/virtual-hosts-and-sites", test_virtual_hosts_and_sites);
  g_test_add_func ("/httpd/raw/cache-invalidation", test_cache_invalidation);
  g_test_add_func ("/httpd/raw/access-log", test_access_log);
  g_test_add_func ("/httpd/raw/ssi", test_ssi_live);
  ret = g_test_run ();
  test_remove_tree (top);
  g_free (top);
  g_free (root);
  g_free (digits);
  return ret;
}
