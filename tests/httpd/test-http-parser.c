/* The strict HTTP/1.1 request parser: heads, bodies, limits, hostile input. */
#include "config.h"

#include <string.h>

#include "synod-http-parser.h"

#include "hostile-requests.h"

static SynodHttpLimits limits;

static SynodHttpParseResult
parse_all (const gchar *req, gsize len, SynodHttpRequestHead *head, GError **error)
{
  SynodHttpParser parser;

  synod_http_parser_reset (&parser);
  return synod_http_parser_parse_head (&parser, &limits, req, len, head, error);
}

static gchar *
slice (SynodHttpSlice s)
{
  return synod_http_slice_dup (s);
}

static void
test_simple_get (void)
{
  const gchar *req = "GET /a/b%20c?x=1&y HTTP/1.1\r\nHost: example.org:8080\r\n"
                     "User-Agent:  curl/7 \r\nAccept: */*\r\n\r\nNEXT";
  SynodHttpRequestHead head;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = NULL, *query = NULL, *host = NULL, *ua = NULL;

  g_assert_cmpint (parse_all (req, strlen (req), &head, &error), ==, SYNOD_HTTP_PARSE_DONE);
  g_assert_no_error (error);
  g_assert_cmpint (head.method, ==, SYNOD_HTTP_METHOD_GET);
  g_assert_cmpuint (head.version, ==, 11);
  path = slice (head.path);
  query = slice (head.query);
  host = slice (head.host);
  g_assert_cmpstr (path, ==, "/a/b%20c");
  g_assert_cmpstr (query, ==, "x=1&y");
  g_assert_cmpstr (host, ==, "example.org:8080");
  g_assert_cmpuint (head.n_headers, ==, 3);
  ua = slice (*synod_http_request_head_get_header (&head, "user-agent"));
  g_assert_cmpstr (ua, ==, "curl/7");
  g_assert_true (head.keep_alive);
  g_assert_cmpint (head.content_length, ==, -1);
  g_assert_cmpuint (head.head_len, ==, strlen (req) - 4);
  /* Zero-copy: the slices point into the buffer. */
  g_assert_true (head.path.ptr == req + 4);
}

static void
test_versions_and_persistence (void)
{
  const struct
  {
    const gchar *req;
    guint version;
    gboolean keep_alive;
  } cases[] = {
    { "GET / HTTP/1.0\r\n\r\n", 10, FALSE },
    { "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 10, TRUE },
    { "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 11, TRUE },
    { "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", 11, FALSE },
    { "GET / HTTP/1.9\r\nHost: a\r\n\r\n", 11, TRUE },
    { "GET / HTTP/1.1\nHost: a\n\n", 11, TRUE }, /* bare LF line ends are accepted */
    { "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 11, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SynodHttpRequestHead head;
      g_autoptr (GError) error = NULL;

      g_test_message ("case %zu", i);
      g_assert_cmpint (parse_all (cases[i].req, strlen (cases[i].req), &head, &error), ==,
                       SYNOD_HTTP_PARSE_DONE);
      g_assert_no_error (error);
      g_assert_cmpuint (head.version, ==, cases[i].version);
      g_assert_cmpint (head.keep_alive, ==, cases[i].keep_alive);
      g_assert_cmpuint (head.head_len, ==, strlen (cases[i].req));
    }
}

static void
test_absolute_form (void)
{
  const gchar *req = "GET http://Other.example/x?q HTTP/1.1\r\nHost: a\r\n\r\n";
  const gchar *bare = "OPTIONS http://h.example HTTP/1.1\r\nHost: h.example\r\n\r\n";
  SynodHttpRequestHead head;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *host = NULL, *path = NULL, *path2 = NULL;

  g_assert_cmpint (parse_all (req, strlen (req), &head, &error), ==, SYNOD_HTTP_PARSE_DONE);
  host = slice (head.host);
  path = slice (head.path);
  g_assert_cmpstr (host, ==, "Other.example");
  g_assert_cmpstr (path, ==, "/x");
  g_assert_cmpint (parse_all (bare, strlen (bare), &head, &error), ==, SYNOD_HTTP_PARSE_DONE);
  path2 = slice (head.path);
  g_assert_cmpstr (path2, ==, "/");
}

/* Feeding a request one byte at a time must give the same head as all at once. */
static void
test_incremental (void)
{
  const gchar *reqs[] = {
    "GET /x HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789abcdef\r\n\r\n",
    "\r\nPOST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    "GET / HTTP/1.0\n\n",
  };

  g_test_summary ("The parser resumes a scan over a growing buffer and reaches "
                  "the same head as a one-shot parse, at every split.");
  for (gsize r = 0; r < G_N_ELEMENTS (reqs); r++)
    {
      gsize len = strlen (reqs[r]);
      SynodHttpRequestHead whole, part;
      SynodHttpParser parser;
      gsize n;

      g_assert_cmpint (parse_all (reqs[r], len, &whole, NULL), ==, SYNOD_HTTP_PARSE_DONE);
      synod_http_parser_reset (&parser);
      for (n = 0; n <= len; n++)
        {
          SynodHttpParseResult res
              = synod_http_parser_parse_head (&parser, &limits, reqs[r], n, &part, NULL);

          if (res == SYNOD_HTTP_PARSE_DONE)
            break;
          g_assert_cmpint (res, ==, SYNOD_HTTP_PARSE_AGAIN);
        }
      g_assert_cmpuint (n, ==, whole.head_len);
      g_assert_cmpuint (part.head_len, ==, whole.head_len);
      g_assert_cmpuint (part.n_headers, ==, whole.n_headers);
      g_assert_true (part.path.ptr == whole.path.ptr && part.path.len == whole.path.len);
      g_assert_cmpint (part.content_length, ==, whole.content_length);
    }
}

static gboolean
decode_body (const gchar *req, gsize len, GByteArray *out, gsize *ret_end, GError **error)
{
  SynodHttpRequestHead head;
  SynodHttpBodyDecoder dec;
  gsize consumed = 0;
  gboolean done = FALSE;

  if (parse_all (req, len, &head, error) != SYNOD_HTTP_PARSE_DONE)
    return FALSE;
  synod_http_body_decoder_init (&dec, &head, &limits);
  if (synod_http_body_decoder_is_done (&dec))
    {
      *ret_end = head.head_len;
      return TRUE;
    }
  if (!synod_http_body_decoder_feed (&dec, (const guint8 *)req + head.head_len, len - head.head_len,
                                     out, &consumed, &done, error))
    return FALSE;
  g_assert_true (done);
  *ret_end = head.head_len + consumed;
  return TRUE;
}

static void
test_chunked (void)
{
  const gchar *req = "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5;name=\"v\"\r\nhello\r\n"
                     "1 ; ext\r\n \r\n"
                     "A\r\n0123456789\r\n"
                     "000\r\nX-Trailer: t\r\nY: u\r\n\r\n"
                     "GET /next HTTP/1.1\r\n";
  gsize len = strlen (req);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  SynodHttpRequestHead head;
  gsize end = 0;

  g_test_summary ("Chunked bodies with extensions and trailers decode to their data; "
                  "the decoder stops exactly at the next request, fed whole or byte by byte.");
  g_assert_true (decode_body (req, len, out, &end, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, out->len, "hello 0123456789", 16);
  g_assert_cmpstr (req + end, ==, "GET /next HTTP/1.1\r\n");

  /* The same, one byte at a time. */
  g_assert_cmpint (parse_all (req, len, &head, NULL), ==, SYNOD_HTTP_PARSE_DONE);
  {
    SynodHttpBodyDecoder dec;
    g_autoptr (GByteArray) out2 = g_byte_array_new ();
    gsize pos = head.head_len;
    gboolean done = FALSE;

    synod_http_body_decoder_init (&dec, &head, &limits);
    while (!done)
      {
        gsize consumed = 0;

        g_assert_cmpuint (pos, <, len);
        g_assert_true (synod_http_body_decoder_feed (&dec, (const guint8 *)req + pos, 1, out2,
                                                     &consumed, &done, NULL));
        pos += consumed;
      }
    g_assert_cmpuint (pos, ==, end);
    g_assert_cmpmem (out2->data, out2->len, out->data, out->len);
  }
}

static void
test_content_length_pipelined (void)
{
  const gchar *req
      = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 000004\r\n\r\nabcdGET / HTTP/1.1\r\n";
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize end = 0;

  g_assert_true (decode_body (req, strlen (req), out, &end, NULL));
  g_assert_cmpmem (out->data, out->len, "abcd", 4);
  g_assert_cmpstr (req + end, ==, "GET / HTTP/1.1\r\n");
}

/* Runs a hostile request through parser and decoder: the status it earns. */
static guint
hostile_status (const HostileRequest *h)
{
  gsize len = h->len != 0 ? h->len : strlen (h->bytes);
  g_autoptr (GError) error = NULL;
  SynodHttpRequestHead head;
  SynodHttpParser parser;
  SynodHttpParseResult res;

  synod_http_parser_reset (&parser);
  res = synod_http_parser_parse_head (&parser, &limits, h->bytes, len, &head, &error);
  if (res == SYNOD_HTTP_PARSE_ERROR)
    {
      g_assert_nonnull (error);
      g_assert_true (synod_http_error_must_close (error));
      return synod_http_error_to_status (error);
    }
  g_assert_cmpint (res, ==, SYNOD_HTTP_PARSE_DONE);
  if (head.expect_unknown)
    return 417;
  {
    SynodHttpBodyDecoder dec;
    gsize consumed;
    gboolean done = FALSE;

    synod_http_body_decoder_init (&dec, &head, &limits);
    if (!synod_http_body_decoder_feed (&dec, (const guint8 *)h->bytes + head.head_len,
                                       len - head.head_len, NULL, &consumed, &done, &error))
      {
        g_assert_true (synod_http_error_must_close (error));
        return synod_http_error_to_status (error);
      }
  }
  return 200;
}

static void
test_hostile (void)
{
  g_test_summary ("Every request-smuggling and malformed-request case of the shared "
                  "table is refused with its status, and the error demands a close.");
  for (gsize i = 0; i < G_N_ELEMENTS (hostile_requests); i++)
    {
      g_test_message ("%s", hostile_requests[i].name);
      g_assert_cmpuint (hostile_status (&hostile_requests[i]), ==, hostile_requests[i].status);
    }
}

static void
test_limits (void)
{
  SynodHttpLimits small
      = { .max_request_line = 32, .max_header_bytes = 128, .max_headers = 3, .max_body = 10 };
  g_autoptr (GString) s = g_string_new ("GET /");
  SynodHttpRequestHead head;
  SynodHttpParser parser;
  g_autoptr (GError) error = NULL;

  g_test_summary ("Each limit is enforced on a complete head and also while the head "
                  "is still arriving, so the server never buffers past it.");
  /* A request line too long, still incomplete: 414 before its end arrives. */
  for (guint i = 0; i < 40; i++)
    g_string_append_c (s, 'a');
  synod_http_parser_reset (&parser);
  g_assert_cmpint (synod_http_parser_parse_head (&parser, &small, s->str, s->len, &head, &error),
                   ==, SYNOD_HTTP_PARSE_ERROR);
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_URI_TOO_LONG);
  g_clear_error (&error);

  /* Exactly at the limit is fine. */
  g_string_assign (s, "GET /aaaaaaaaaaaaaaaaaa HTTP/1.0"); /* 32 bytes */
  g_assert_cmpuint (s->len, ==, 32);
  g_string_append (s, "\r\n\r\n");
  synod_http_parser_reset (&parser);
  g_assert_cmpint (synod_http_parser_parse_head (&parser, &small, s->str, s->len, &head, &error),
                   ==, SYNOD_HTTP_PARSE_DONE);

  /* Too many fields. */
  g_string_assign (s, "GET / HTTP/1.0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
  synod_http_parser_reset (&parser);
  g_assert_cmpint (synod_http_parser_parse_head (&parser, &small, s->str, s->len, &head, &error),
                   ==, SYNOD_HTTP_PARSE_ERROR);
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE);
  g_assert_cmpuint (synod_http_error_to_status (error), ==, 431);
  g_clear_error (&error);

  /* A head too large, still incomplete (no end of line in sight). */
  g_string_assign (s, "GET / HTTP/1.0\r\nA: ");
  for (guint i = 0; i < 200; i++)
    g_string_append_c (s, 'x');
  synod_http_parser_reset (&parser);
  g_assert_cmpint (synod_http_parser_parse_head (&parser, &small, s->str, s->len, &head, &error),
                   ==, SYNOD_HTTP_PARSE_ERROR);
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE);
  g_clear_error (&error);

  /* A chunked body past the limit: 413. */
  g_string_assign (s, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  synod_http_parser_reset (&parser);
  g_assert_cmpint (synod_http_parser_parse_head (&parser, &limits, s->str, s->len, &head, &error),
                   ==, SYNOD_HTTP_PARSE_DONE);
  {
    SynodHttpBodyDecoder dec;
    const gchar *body = "5\r\n12345\r\n6\r\n123456\r\n0\r\n\r\n";
    gsize consumed;
    gboolean done;

    synod_http_body_decoder_init (&dec, &head, &small);
    g_assert_false (synod_http_body_decoder_feed (&dec, (const guint8 *)body, strlen (body), NULL,
                                                  &consumed, &done, &error));
    g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE);
  }
}

static void
test_methods (void)
{
  const struct
  {
    const gchar *req;
    SynodHttpMethod method;
  } cases[] = {
    { "HEAD / HTTP/1.0\r\n\r\n", SYNOD_HTTP_METHOD_HEAD },
    { "BREW / HTTP/1.0\r\n\r\n", SYNOD_HTTP_METHOD_OTHER },
    { "get / HTTP/1.0\r\n\r\n", SYNOD_HTTP_METHOD_OTHER }, /* methods are case-sensitive */
    { "OPTIONS * HTTP/1.0\r\n\r\n", SYNOD_HTTP_METHOD_OPTIONS },
    { "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", SYNOD_HTTP_METHOD_CONNECT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SynodHttpRequestHead head;

      g_assert_cmpint (parse_all (cases[i].req, strlen (cases[i].req), &head, NULL), ==,
                       SYNOD_HTTP_PARSE_DONE);
      g_assert_cmpint (head.method, ==, cases[i].method);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  synod_http_limits_init_default (&limits);
  g_test_add_func ("/httpd/parser/simple-get", test_simple_get);
  g_test_add_func ("/httpd/parser/versions-and-persistence", test_versions_and_persistence);
  g_test_add_func ("/httpd/parser/absolute-form", test_absolute_form);
  g_test_add_func ("/httpd/parser/incremental", test_incremental);
  g_test_add_func ("/httpd/parser/chunked", test_chunked);
  g_test_add_func ("/httpd/parser/content-length-pipelined", test_content_length_pipelined);
  g_test_add_func ("/httpd/parser/hostile", test_hostile);
  g_test_add_func ("/httpd/parser/limits", test_limits);
  g_test_add_func ("/httpd/parser/methods", test_methods);
  return g_test_run ();
}
