/* The engine in process: URL directory, paths, HTTP utilities, asynchronous
 * handlers, the document cache's bound, and server-side includes. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <utime.h>

#include "httpd-test-util.h"
#include "synod-http-exchange-private.h"
#include "synod-http-server.h"
#include "synod-http-static.h"
#include "synod-http-util.h"

/* ---- URL directory ---- */

static void
noop_handle (SynodHttpExchange *ex, gpointer user_data)
{
  synod_http_exchange_finish (ex);
}

static const SynodHttpHandlerFuncs noop_funcs = { noop_handle, NULL };

static void
test_directory (void)
{
  g_autoptr (SynodUrlDirectory) d = synod_url_directory_new (5);
  g_autoptr (SynodHttpHandler) root = synod_http_handler_new (&noop_funcs, GINT_TO_POINTER (1));
  g_autoptr (SynodHttpHandler) a = synod_http_handler_new (&noop_funcs, GINT_TO_POINTER (2));
  g_autoptr (SynodHttpHandler) ab = synod_http_handler_new (&noop_funcs, GINT_TO_POINTER (3));
  g_autoptr (SynodHttpHandler) doc = synod_http_handler_new (&noop_funcs, GINT_TO_POINTER (4));
  g_autoptr (GError) error = NULL;
  const struct
  {
    const gchar *path;
    SynodHttpHandler *expect;
    const gchar *prefix;
  } cases[] = {
    { "/", root, "/" },           { "/x", root, "/" },    { "/a", root, "/" },
    { "/a/", a, "/a/" },          { "/a/x/y", a, "/a/" }, { "/a/b", ab, "/a/b" },
    { "/a/b/c/d", ab, "/a/b" },   { "/a/bc", a, "/a/" },  { "/a/b/doc", doc, "/a/b/doc" },
    { "/a/b/doc/x", ab, "/a/b" }, /* an exact registration covers its path only */
  };

  g_test_summary ("Exact registrations win, then the longest prefix on a segment boundary.");
  g_assert_true (synod_url_directory_register (d, "/", SYNOD_URL_MATCH_PREFIX, root, NULL));
  g_assert_true (synod_url_directory_register (d, "/a/", SYNOD_URL_MATCH_PREFIX, a, NULL));
  g_assert_true (synod_url_directory_register (d, "/a/b", SYNOD_URL_MATCH_PREFIX, ab, NULL));
  g_assert_true (synod_url_directory_register (d, "/a/b/doc", SYNOD_URL_MATCH_EXACT, doc, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *prefix = NULL;
      g_autoptr (SynodHttpHandler) h
          = synod_url_directory_lookup (d, cases[i].path, strlen (cases[i].path), &prefix);

      g_test_message ("%s", cases[i].path);
      g_assert_true (h == cases[i].expect);
      g_assert_cmpstr (prefix, ==, cases[i].prefix);
    }
  /* An exact and a prefix registration may share a path. */
  g_assert_true (synod_url_directory_register (d, "/", SYNOD_URL_MATCH_EXACT, doc, NULL));
  {
    g_autoptr (SynodHttpHandler) h1 = synod_url_directory_lookup (d, "/", 1, NULL);
    g_autoptr (SynodHttpHandler) h2 = synod_url_directory_lookup (d, "/zz", 3, NULL);

    g_assert_true (h1 == doc);
    g_assert_true (h2 == root);
  }
  /* forget only_if: a stale owner cannot remove a newer registration. */
  g_assert_false (synod_url_directory_forget (d, "/a/", SYNOD_URL_MATCH_PREFIX, ab));
  g_assert_true (synod_url_directory_forget (d, "/a/", SYNOD_URL_MATCH_PREFIX, a));
  g_assert_cmpuint (synod_url_directory_get_size (d), ==, 4);
  /* The cap. */
  g_assert_true (synod_url_directory_register (d, "/c", SYNOD_URL_MATCH_PREFIX, a, NULL));
  g_assert_false (synod_url_directory_register (d, "/d", SYNOD_URL_MATCH_PREFIX, a, &error));
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_LIMIT);
  g_clear_error (&error);
  g_assert_false (synod_url_directory_register (d, "nope", SYNOD_URL_MATCH_PREFIX, a, &error));
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG);
}

static void
test_normalize (void)
{
  const struct
  {
    const gchar *in;
    const gchar *out;
  } ok[] = {
    { "/", "/" },
    { "/a/b", "/a/b" },
    { "/a/b/", "/a/b/" },
    { "/a/./b", "/a/b" },
    { "/a/../b", "/b" },
    { "/../../x", "/x" },
    { "/a/b/..", "/a/" },
    { "/a/b/.", "/a/b/" },
    { "//a///b", "/a/b" },
    { "/%41%2fb", "/A/b" },
    { "/%2e%2e/%2E%2E/etc", "/etc" },
    { "/%252e", "/%2e" },
    { "/a%20b", "/a b" },
  };
  const gchar *bad[] = { "/%", "/%4", "/%zz", "/a%00b" };

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);

      g_assert_true (synod_http_normalize_path (ok[i].in, strlen (ok[i].in), out, NULL));
      g_assert_cmpstr (out->str, ==, ok[i].out);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      g_autoptr (GError) error = NULL;

      g_assert_false (synod_http_normalize_path (bad[i], strlen (bad[i]), out, &error));
      g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST);
    }
}

static void
test_dates (void)
{
  const gchar *forms[] = { "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994" };
  const gchar *bad[] = { "",
                         "Sun, 06 Nov 1994 08:49:37 UTC",
                         "Sun, 32 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Foo 1994 08:49:37 GMT",
                         "yesterday",
                         "Sun, 06 Nov 1994 25:49:37 GMT" };
  gchar buf[SYNOD_HTTP_DATE_LEN + 1];

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      gint64 t = 0;

      g_assert_true (synod_http_date_parse (forms[i], strlen (forms[i]), &t));
      g_assert_cmpint (t, ==, 784111777);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 t = 0;

      g_assert_false (synod_http_date_parse (bad[i], strlen (bad[i]), &t));
    }
  synod_http_date_format (784111777, buf);
  g_assert_cmpstr (buf, ==, forms[0]);
}

static void
test_negotiation (void)
{
  const struct
  {
    const gchar *value;
    gboolean gzip;
  } ae[] = {
    { "gzip", TRUE },
    { "deflate, gzip;q=1.0", TRUE },
    { "GZIP", TRUE },
    { "gzip;q=0", FALSE },
    { "gzip; q=0.000", FALSE },
    { "*", TRUE },
    { "*;q=0", FALSE },
    { "br", FALSE },
    { "gzip;q=0, *", FALSE },
    { "x-gzip", TRUE },
    { "", FALSE },
  };
  const gchar *etag = "\"abc\"";

  for (gsize i = 0; i < G_N_ELEMENTS (ae); i++)
    {
      SynodHttpSlice s = { ae[i].value, strlen (ae[i].value) };

      g_test_message ("%s", ae[i].value);
      g_assert_cmpint (synod_http_accepts_gzip (&s), ==, ae[i].gzip);
    }
  g_assert_false (synod_http_accepts_gzip (NULL));
#define M(list, weak)                                                                              \
  synod_http_etag_list_matches ((SynodHttpSlice){ list, strlen (list) }, etag, weak)
  g_assert_true (M ("\"abc\"", FALSE));
  g_assert_true (M ("\"x\", \"abc\"", FALSE));
  g_assert_true (M ("*", FALSE));
  g_assert_false (M ("W/\"abc\"", FALSE));
  g_assert_true (M ("W/\"abc\"", TRUE));
  g_assert_false (M ("\"abcd\"", TRUE));
  g_assert_false (M ("abc", TRUE));
#undef M
}

/* ---- an in-process server ---- */

typedef struct
{
  SynodHttpServer *server;
  SynodHttpDaemon *daemon;
  SynodUrlDirectory *dir;
  SynodHttpDocumentCache *cache;
  gchar *root;
  guint16 port;
} Fixture;

/* Finishes from another thread, a little later: the broker's case. */
static gpointer
finish_later (gpointer data)
{
  SynodHttpExchange *ex = data;

  g_usleep (50000);
  synod_http_exchange_add_header (ex, "Content-Type", "text/plain");
  synod_http_exchange_append_body_text (ex, "late answer\n", -1);
  synod_http_exchange_finish (ex);
  return NULL;
}

static void
async_handle (SynodHttpExchange *ex, gpointer user_data)
{
  g_thread_unref (g_thread_new ("late", finish_later, ex));
}

static const SynodHttpHandlerFuncs async_funcs = { async_handle, NULL };

static void
echo_handle (SynodHttpExchange *ex, gpointer user_data)
{
  GBytes *body = synod_http_exchange_get_body (ex);

  synod_http_exchange_add_header_printf (ex, "X-Prefix", "%s",
                                         synod_http_exchange_get_mount_prefix (ex));
  synod_http_exchange_add_header_printf (ex, "X-Path", "%s", synod_http_exchange_get_path (ex));
  synod_http_exchange_append_body (ex, body);
  synod_http_exchange_finish (ex);
}

static const SynodHttpHandlerFuncs echo_funcs = { echo_handle, NULL };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  SynodHttpServerConfig config;
  SynodHttpFileLoaderConfig lc;
  g_autoptr (SynodHttpHandler) loader = NULL;
  g_autoptr (SynodHttpHandler) async = synod_http_handler_new (&async_funcs, NULL);
  g_autoptr (SynodHttpHandler) echo = synod_http_handler_new (&echo_funcs, NULL);
  g_autoptr (GError) error = NULL;

  f->root = test_make_root ();
  synod_http_server_config_init (&config);
  config.n_workers = 2;
  f->server = synod_http_server_new (&config);
  f->dir = synod_url_directory_new (0);
  /* Room for about three 1000-byte documents. */
  f->cache = synod_http_document_cache_new (data != NULL ? GPOINTER_TO_UINT (data) : 0, 0);
  synod_http_file_loader_config_init (&lc);
  lc.revalidate_ms = 60000;
  loader = synod_http_file_loader_new (f->dir, "/", f->root, f->cache, &lc, &error);
  g_assert_no_error (error);
  g_assert_true (synod_url_directory_register (f->dir, "/", SYNOD_URL_MATCH_PREFIX, loader, NULL));
  g_assert_true (
      synod_url_directory_register (f->dir, "/async/", SYNOD_URL_MATCH_PREFIX, async, NULL));
  g_assert_true (
      synod_url_directory_register (f->dir, "/echo", SYNOD_URL_MATCH_PREFIX, echo, NULL));
  f->daemon = synod_http_daemon_new (f->dir);
  g_assert_true (synod_http_server_add_daemon (f->server, f->daemon, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  f->port = synod_http_daemon_get_port (f->daemon);
  g_assert_true (synod_http_server_start (f->server, &error));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  synod_http_server_free (f->server);
  synod_http_daemon_unref (f->daemon);
  synod_url_directory_unref (f->dir);
  synod_http_document_cache_unref (f->cache);
  test_remove_tree (f->root);
  g_free (f->root);
}

static void
test_async_in_order (Fixture *f, gconstpointer data)
{
  gint fd = test_connect (f->port);
  g_autoptr (TestResponse) r1 = NULL;
  g_autoptr (TestResponse) r2 = NULL;
  g_autoptr (TestResponse) r3 = NULL;

  g_test_summary ("A handler that answers later from another thread holds back the "
                  "pipelined requests behind it; all are answered in order.");
  test_send_str (fd, "GET /async/x HTTP/1.1\r\nHost: a\r\n\r\n"
                     "POST /echo/y HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "4\r\nbody\r\n0\r\n\r\n"
                     "GET /async/z HTTP/1.1\r\nHost: a\r\n\r\n");
  r1 = test_read_response (fd, FALSE);
  r2 = test_read_response (fd, FALSE);
  r3 = test_read_response (fd, FALSE);
  g_assert_nonnull (r1);
  g_assert_nonnull (r2);
  g_assert_nonnull (r3);
  g_assert_cmpmem (g_bytes_get_data (r1->body, NULL), g_bytes_get_size (r1->body), "late answer\n",
                   12);
  g_assert_cmpmem (g_bytes_get_data (r2->body, NULL), g_bytes_get_size (r2->body), "body", 4);
  g_assert_cmpstr (test_response_header (r2, "x-prefix"), ==, "/echo");
  g_assert_cmpstr (test_response_header (r2, "x-path"), ==, "/echo/y");
  g_assert_cmpmem (g_bytes_get_data (r3->body, NULL), g_bytes_get_size (r3->body), "late answer\n",
                   12);
  test_close (fd);
}

static void
test_async_client_gone (Fixture *f, gconstpointer data)
{
  gint fd = test_connect (f->port);
  g_autoptr (TestResponse) r = NULL;

  g_test_summary ("A client that leaves while its handler is still working does not "
                  "crash the server; the answer is dropped and others are served.");
  test_send_str (fd, "GET /async/x HTTP/1.1\r\nHost: a\r\n\r\n");
  test_close (fd);
  g_usleep (100000); /* let the late answer arrive on the dead connection */
  r = test_request (f->port, "GET /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok");
  g_assert_nonnull (r);
  g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), "ok", 2);
}

static void
test_cache_bound (Fixture *f, gconstpointer data)
{
  guint64 max = GPOINTER_TO_UINT (data);
  g_autofree gchar *block = g_strnfill (1000, 'x');

  g_test_summary ("The document cache stays within its memory budget, evicting the "
                  "least recently used document, which is loaded again when asked for.");
  for (guint i = 0; i < 6; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("doc%u.bin", i);

      test_write_file (f->root, name, block, 1000);
    }
  for (guint i = 0; i < 6; i++)
    {
      g_autofree gchar *req = g_strdup_printf ("GET /doc%u.bin HTTP/1.1\r\nHost: a\r\n\r\n", i);
      g_autoptr (TestResponse) r = test_request (f->port, req);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, 1000);
      g_assert_cmpuint (synod_http_document_cache_get_bytes (f->cache), <=, max);
    }
  g_assert_cmpuint (synod_http_document_cache_get_loads (f->cache), ==, 6);
  g_assert_cmpuint (synod_http_document_cache_get_n_documents (f->cache), <, 6);
  g_assert_cmpuint (synod_http_document_cache_get_n_documents (f->cache), >=, 1);
  {
    /* The newest is still cached (no load); the oldest was evicted (a load). */
    g_autoptr (TestResponse) newest
        = test_request (f->port, "GET /doc5.bin HTTP/1.1\r\nHost: a\r\n\r\n");
    g_autoptr (TestResponse) oldest = NULL;

    g_assert_cmpuint (newest->status, ==, 200);
    g_assert_cmpuint (synod_http_document_cache_get_loads (f->cache), ==, 6);
    oldest = test_request (f->port, "GET /doc0.bin HTTP/1.1\r\nHost: a\r\n\r\n");
    g_assert_cmpuint (oldest->status, ==, 200);
    g_assert_cmpuint (synod_http_document_cache_get_loads (f->cache), ==, 7);
  }
  /* Evicted documents left the URL directory too: loader + handlers + cached ones. */
  g_assert_cmpuint (synod_url_directory_get_size (f->dir), ==,
                    3 + synod_http_document_cache_get_n_documents (f->cache));
}

static void
test_cache_is_used (Fixture *f, gconstpointer data)
{
  g_autoptr (TestResponse) a = NULL;
  g_autoptr (TestResponse) b = NULL;

  g_test_summary ("Within the revalidation interval a document is served from memory: "
                  "a second request loads nothing, even if the file changed meanwhile.");
  test_write_file (f->root, "c.txt", "one\n", -1);
  a = test_request (f->port, "GET /c.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  test_write_file (f->root, "c.txt", "two, longer\n", -1);
  b = test_request (f->port, "GET /c.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_true (g_bytes_equal (a->body, b->body));
  g_assert_cmpuint (synod_http_document_cache_get_loads (f->cache), ==, 1);
}

/* ---- server-side includes ---- */

static gint
set_mtime (const gchar *path)
{
  struct utimbuf t = { 1000000000, 1000000000 }; /* 2001-09-09 */

  return utime (path, &t);
}

static gchar *
get_body (Fixture *f, const gchar *path)
{
  g_autofree gchar *req
      = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: a\r\nUser-Agent: t<1>\r\n\r\n", path);
  g_autoptr (TestResponse) r = test_request (f->port, req);

  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 200);
  return g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
}

static void
test_ssi_directives (Fixture *f, gconstpointer data)
{
  const struct
  {
    const gchar *page;
    const gchar *expect;
  } cases[] = {
    { "<!--#set var=\"v\" value=\"a<b>&\" --><!--#echo var=\"v\" -->", "a&lt;b&gt;&amp;" },
    { "<!--#set var=\"v\" value=\"a b/c\" --><!--#echo encoding=\"url\" var=\"v\" -->",
      "a%20b%2Fc" },
    { "<!--#set var=\"v\" value=\"<i>\" --><!--#echo encoding=\"none\" var=\"v\" -->", "<i>" },
    { "<!--#echo var=\"HTTP_USER_AGENT\" -->", "t&lt;1&gt;" },
    { "<!--#echo var=\"unset\" -->", "(none)" },
    { "<!--#set var=\"a\" value=\"x\" --><!--#set var=\"b\" value=\"${a}y$a\" --><!--#echo "
      "var=\"b\" -->",
      "xyx" },
    { "<!--#if expr=\"1 = 2\" -->A<!--#elif expr=\"b = b\" -->B<!--#else -->C<!--#endif -->", "B" },
    { "<!--#if expr=\"1 = 2\" -->A<!--#elif expr=\"2 = 3\" -->B<!--#else -->C<!--#endif -->", "C" },
    { "<!--#if expr=\"a = a\" -->A<!--#elif expr=\"b = b\" -->B<!--#else -->C<!--#endif -->", "A" },
    { "<!--#if expr=\"x\" -->1<!--#if expr=\"\" -->2<!--#else -->3<!--#endif -->4<!--#endif -->",
      "134" },
    { "<!--#if expr=\"\" --><!--#if expr=\"x\" -->1<!--#else -->2<!--#endif --><!--#else "
      "-->3<!--#endif -->",
      "3" },
    { "<!--#set var=\"v\" value=\"hello42\" --><!--#if expr=\"$v = /^hel+o[0-9]+$/\" "
      "-->re<!--#endif -->",
      "re" },
    { "<!--#set var=\"v\" value=\"x\" --><!--#if expr=\"$v != /y/ && ($v = x || $v = z)\" "
      "-->ok<!--#endif -->",
      "ok" },
    { "<!--#if expr=\"!(a = b)\" -->not<!--#endif -->", "not" },
    { "<!--#if expr=\"abc < abd\" -->lt<!--#endif --><!--#if expr=\"b >= a\" -->ge<!--#endif -->",
      "ltge" },
    { "<!--#config errmsg=\"[E]\" --><!--#exec cmd=\"id\" -->", "[E]" },
    { "<!--#config errmsg=\"[E]\" --><!--#bogus -->", "[E]" },
    { "<!--#config errmsg=\"[E]\" --><!--#echo var=\"x\"", "[E]<!--#echo var=\"x\"" },
    { "<!--#config errmsg=\"[E]\" --><!--#if expr=\"$x = /(/\" -->1<!--#endif -->", "[E]" },
    { "<!--#config errmsg=\"[E]\" --><!--#endif -->", "[E]" },
    { "<!--#fsize file=\"five.txt\" -->", "5" },
    { "<!--#config sizefmt=\"abbrev\" --><!--#fsize virtual=\"/big.txt\" -->", "2.0K" },
    { "<!--#config errmsg=\"[E]\" --><!--#fsize file=\"../etc/passwd\" -->", "[E]" },
    { "<!--#config timefmt=\"%Y\" --><!--#flastmod file=\"five.txt\" -->", "2001" },
    { "<!--#include file=\"five.txt\" -->", "12345" },
    { "<!--#include virtual=\"/async/thing\" -->", "late answer\n" },
    { "<!--#include virtual=\"/echo?q\" -->|", "|" },
    { "<!--#config errmsg=\"[E]\" --><!--#include virtual=\"/nonexistent.html\" -->", "[E]" },
    { "<!--#config errmsg=\"[E]\" --><!--#include file=\"/etc/passwd\" -->", "[E]" },
    { "<!--#echo var=\"DOCUMENT_NAME\" --> <!--#echo var=\"QUERY_STRING\" -->", "t.shtml " },
    { "<!--#config timefmt=\"%Y\" --><!--#echo var=\"DATE_GMT\" -->", NULL /* current year */ },
  };

  g_test_summary ("Each SSI directive and its attributes, expressions with regexes and "
                  "nesting, errors with the configured errmsg, and includes of any handler.");
  test_write_file (f->root, "five.txt", "12345", 5);
  {
    g_autofree gchar *big = g_strnfill (2048, 'b');
    g_autofree gchar *path = g_build_filename (f->root, "five.txt", NULL);
    test_write_file (f->root, "big.txt", big, 2048);
    /* 2001-09-09T01:46:40Z: a fixed mtime for flastmod. */
    g_assert_cmpint (set_mtime (path), ==, 0);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *name = g_strdup_printf ("case%zu/t.shtml", i);
      g_autofree gchar *url = g_strdup_printf ("/case%zu/t.shtml", i);
      g_autofree gchar *body = NULL;

      test_write_file (f->root, name, cases[i].page, -1);
      if (strstr (cases[i].page, "five.txt") != NULL && strstr (cases[i].page, "file=") != NULL)
        {
          g_autofree gchar *five = g_strdup_printf ("case%zu/five.txt", i);
          g_autofree gchar *path = g_build_filename (f->root, five, NULL);

          test_write_file (f->root, five, "12345", 5);
          g_assert_cmpint (set_mtime (path), ==, 0);
        }
      g_test_message ("%s", cases[i].page);
      body = get_body (f, url);
      if (cases[i].expect != NULL)
        g_assert_cmpstr (body, ==, cases[i].expect);
      else
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
          g_autofree gchar *year = g_date_time_format (now, "%Y");

          g_assert_cmpstr (body, ==, year);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/httpd/directory/longest-prefix", test_directory);
  g_test_add_func ("/httpd/path/normalize", test_normalize);
  g_test_add_func ("/httpd/util/dates", test_dates);
  g_test_add_func ("/httpd/util/negotiation", test_negotiation);
  g_test_add ("/httpd/engine/async-in-order", Fixture, NULL, fixture_set_up, test_async_in_order,
              fixture_tear_down);
  g_test_add ("/httpd/engine/async-client-gone", Fixture, NULL, fixture_set_up,
              test_async_client_gone, fixture_tear_down);
  g_test_add ("/httpd/cache/bounded", Fixture, GUINT_TO_POINTER (3500), fixture_set_up,
              test_cache_bound, fixture_tear_down);
  g_test_add ("/httpd/cache/served-from-memory", Fixture, NULL, fixture_set_up, test_cache_is_used,
              fixture_tear_down);
  g_test_add ("/httpd/ssi/directives", Fixture, NULL, fixture_set_up, test_ssi_directives,
              fixture_tear_down);
  return g_test_run ();
}
