/* synod-http-parser.c — strict request-head parsing and body decoding (RFC 9112).
 *
 * The head is found first (a scan for the empty line that ends it, resumed
 * where the previous call stopped, with limits checked as bytes arrive),
 * then validated and split in one pass over the complete head. Every
 * rejection names its reason in the GError message; the code gives the
 * status (see synod-http-error.h).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-http-parser.h"

/* tchar of RFC 9110 §5.6.2. */
static const guint8 tchar_table[256] = {
  ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
  ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,  ['~'] = 1, ['0'] = 1,
  ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,  ['7'] = 1, ['8'] = 1,
  ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,  ['F'] = 1, ['G'] = 1,
  ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,  ['N'] = 1, ['O'] = 1,
  ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,  ['V'] = 1, ['W'] = 1,
  ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,  ['d'] = 1, ['e'] = 1,
  ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,  ['l'] = 1, ['m'] = 1,
  ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,  ['t'] = 1, ['u'] = 1,
  ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static inline gboolean
is_tchar (guchar c)
{
  return tchar_table[c] != 0;
}

/* field-vchar / SP / HTAB: everything but controls (NUL, CR, LF...) and DEL. */
static inline gboolean
is_field_char (guchar c)
{
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/**
 * synod_http_is_token:
 * @text: a NUL-terminated string
 *
 * Returns: whether @text is a non-empty RFC 9110 token (a valid field
 *   name or method)
 */
gboolean
synod_http_is_token (const gchar *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!is_tchar ((guchar)*text))
      return FALSE;
  return TRUE;
}

/**
 * synod_http_is_field_value:
 * @text: a NUL-terminated string
 *
 * Returns: whether @text may be sent as a field value (no control
 *   characters but tab, no DEL: nothing that could split a response)
 */
gboolean
synod_http_is_field_value (const gchar *text)
{
  if (text == NULL)
    return FALSE;
  for (; *text != '\0'; text++)
    if (!is_field_char ((guchar)*text))
      return FALSE;
  return TRUE;
}

/* A request target: visible ASCII, and no fragment. */
static inline gboolean
is_target_char (guchar c)
{
  return c > 0x20 && c < 0x7f && c != '#';
}

void
synod_http_limits_init_default (SynodHttpLimits *limits)
{
  g_return_if_fail (limits != NULL);
  limits->max_request_line = SYNOD_HTTP_DEFAULT_MAX_REQUEST_LINE;
  limits->max_header_bytes = SYNOD_HTTP_DEFAULT_MAX_HEADER_BYTES;
  limits->max_headers = SYNOD_HTTP_DEFAULT_MAX_HEADERS;
  limits->max_body = SYNOD_HTTP_DEFAULT_MAX_BODY;
}

void
synod_http_parser_reset (SynodHttpParser *parser)
{
  g_return_if_fail (parser != NULL);
  memset (parser, 0, sizeof *parser);
}

gboolean
synod_http_slice_equal_ci (SynodHttpSlice slice, const gchar *str)
{
  gsize n = strlen (str);

  return slice.len == n && g_ascii_strncasecmp (slice.ptr, str, n) == 0;
}

gchar *
synod_http_slice_dup (SynodHttpSlice slice)
{
  return g_strndup (slice.ptr != NULL ? slice.ptr : "", slice.len);
}

/**
 * synod_http_request_head_get_header:
 * @head: a parsed head
 * @name: a field name (case-insensitive)
 *
 * Returns: (transfer none) (nullable): the value of the first field named
 *   @name, or %NULL
 */
const SynodHttpSlice *
synod_http_request_head_get_header (const SynodHttpRequestHead *head, const gchar *name)
{
  g_return_val_if_fail (head != NULL && name != NULL, NULL);
  for (guint i = 0; i < head->n_headers; i++)
    if (synod_http_slice_equal_ci (head->headers[i].name, name))
      return &head->headers[i].value;
  return NULL;
}

/**
 * synod_http_method_from_token:
 * @p: a method token (not NUL-terminated)
 * @n: its length
 *
 * Returns: the method, or SYNOD_HTTP_METHOD_OTHER for any other token
 */
SynodHttpMethod
synod_http_method_from_token (const gchar *p, gsize n)
{
  static const struct
  {
    const gchar *name;
    SynodHttpMethod method;
  } methods[] = {
    { "GET", SYNOD_HTTP_METHOD_GET },         { "HEAD", SYNOD_HTTP_METHOD_HEAD },
    { "POST", SYNOD_HTTP_METHOD_POST },       { "PUT", SYNOD_HTTP_METHOD_PUT },
    { "DELETE", SYNOD_HTTP_METHOD_DELETE },   { "CONNECT", SYNOD_HTTP_METHOD_CONNECT },
    { "OPTIONS", SYNOD_HTTP_METHOD_OPTIONS }, { "TRACE", SYNOD_HTTP_METHOD_TRACE },
    { "PATCH", SYNOD_HTTP_METHOD_PATCH },
  };

  /* Methods are case-sensitive (RFC 9110 §9.1). */
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    if (strlen (methods[i].name) == n && memcmp (methods[i].name, p, n) == 0)
      return methods[i].method;
  return SYNOD_HTTP_METHOD_OTHER;
}

/* uri-host [ ":" port ] with the characters of reg-name, IPv4 and IP-literal. */
static gboolean
host_is_valid (SynodHttpSlice host)
{
  for (gsize i = 0; i < host.len; i++)
    {
      guchar c = (guchar)host.ptr[i];

      if (!(g_ascii_isalnum (c) || strchr ("-._~%!$&'()*+,;=:[]", c) != NULL) || c == '\0')
        return FALSE;
    }
  return TRUE;
}

static gboolean
bad (GError **error, gint code, const gchar *why)
{
  g_set_error_literal (error, SYNOD_HTTP_ERROR, code, why);
  return FALSE;
}

/* Splits the request line; @line excludes the line end. */
static gboolean
parse_request_line (const gchar *line, gsize n, SynodHttpRequestHead *head, GError **error)
{
  const gchar *end = line + n;
  const gchar *p = line;
  const gchar *sp;

  while (p < end && is_tchar ((guchar)*p))
    p++;
  if (p == line || p == end || *p != ' ')
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed request method"));
  if ((gsize)(p - line) > SYNOD_HTTP_MAX_METHOD_LEN)
    return bad (error, SYNOD_HTTP_ERROR_NOT_IMPLEMENTED, _ ("request method too long"));
  head->method_name.ptr = line;
  head->method_name.len = (gsize)(p - line);
  head->method = synod_http_method_from_token (line, head->method_name.len);

  p++;
  sp = p;
  while (sp < end && is_target_char ((guchar)*sp))
    sp++;
  if (sp == p || sp == end || *sp != ' ')
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed request target"));
  head->target.ptr = p;
  head->target.len = (gsize)(sp - p);

  p = sp + 1;
  if (end - p != 8 || memcmp (p, "HTTP/", 5) != 0 || !g_ascii_isdigit (p[5]) || p[6] != '.'
      || !g_ascii_isdigit (p[7]))
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed HTTP version"));
  if (p[5] != '1')
    return bad (error, SYNOD_HTTP_ERROR_VERSION_NOT_SUPPORTED,
                _ ("unsupported HTTP major version"));
  head->version = p[7] == '0' ? 10 : 11;
  return TRUE;
}

/* Classifies the target's form and finds its path, query and authority. */
static gboolean
split_target (SynodHttpRequestHead *head, GError **error)
{
  const gchar *t = head->target.ptr;
  gsize n = head->target.len;
  const gchar *path;
  const gchar *end = t + n;
  const gchar *q;

  if (t[0] == '/')
    path = t;
  else if (n == 1 && t[0] == '*')
    {
      if (head->method != SYNOD_HTTP_METHOD_OPTIONS)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("asterisk target outside OPTIONS"));
      head->path = head->target;
      return TRUE;
    }
  else if (head->method == SYNOD_HTTP_METHOD_CONNECT)
    {
      /* authority-form: the server answers CONNECT with 501 or 405. */
      head->path = head->target;
      head->host = head->target;
      return TRUE;
    }
  else if ((n > 7 && g_ascii_strncasecmp (t, "http://", 7) == 0)
           || (n > 8 && g_ascii_strncasecmp (t, "https://", 8) == 0))
    {
      /* absolute-form: its authority replaces Host (RFC 9112 §3.2.2). */
      const gchar *a = t + (t[4] == ':' ? 7 : 8);
      const gchar *a_end = a;

      while (a_end < end && *a_end != '/' && *a_end != '?')
        a_end++;
      if (a_end == a || memchr (a, '@', (gsize)(a_end - a)) != NULL)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("malformed authority in request target"));
      head->host.ptr = a;
      head->host.len = (gsize)(a_end - a);
      path = a_end;
    }
  else
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed request target"));

  q = memchr (path, '?', (gsize)(end - path));
  if (path == end || path[0] != '/')
    {
      /* "http://host" or "http://host?q": the path is "/". */
      head->path.ptr = "/";
      head->path.len = 1;
    }
  else
    {
      head->path.ptr = path;
      head->path.len = (gsize)((q != NULL ? q : end) - path);
    }
  if (q != NULL)
    {
      head->query.ptr = q + 1;
      head->query.len = (gsize)(end - q - 1);
    }
  return TRUE;
}

/* Parses a comma-separated list value, calling @each on every non-empty element. */
typedef gboolean (*ListFunc) (SynodHttpSlice element, gpointer user_data, GError **error);

static gboolean
for_each_list_element (SynodHttpSlice value, ListFunc each, gpointer user_data, GError **error)
{
  const gchar *p = value.ptr;
  const gchar *end = value.ptr + value.len;

  while (p < end)
    {
      const gchar *e = memchr (p, ',', (gsize)(end - p));
      const gchar *s;
      const gchar *t;

      if (e == NULL)
        e = end;
      s = p;
      t = e;
      while (s < t && (*s == ' ' || *s == '\t'))
        s++;
      while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
        t--;
      if (t > s && !each ((SynodHttpSlice){ s, (gsize)(t - s) }, user_data, error))
        return FALSE;
      p = e + 1;
    }
  return TRUE;
}

typedef struct
{
  guint n_codings;
  gboolean chunked_seen;
  gboolean chunked_last;
} TransferCodings;

static gboolean
transfer_coding (SynodHttpSlice element, gpointer user_data, GError **error)
{
  TransferCodings *tc = user_data;
  gboolean is_chunked = synod_http_slice_equal_ci (element, "chunked");

  tc->n_codings++;
  if (tc->chunked_seen)
    /* Whatever follows chunked makes it non-final (RFC 9112 §6.3). */
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                _ ("chunked is not the final transfer coding"));
  if (is_chunked)
    tc->chunked_seen = TRUE;
  tc->chunked_last = is_chunked;
  return TRUE;
}

typedef struct
{
  gboolean close;
  gboolean keep_alive;
} ConnectionOptions;

static gboolean
connection_option (SynodHttpSlice element, gpointer user_data, GError **error)
{
  ConnectionOptions *co = user_data;

  if (synod_http_slice_equal_ci (element, "close"))
    co->close = TRUE;
  else if (synod_http_slice_equal_ci (element, "keep-alive"))
    co->keep_alive = TRUE;
  return TRUE;
}

static gboolean
parse_content_length (SynodHttpSlice value, gint64 *ret, GError **error)
{
  guint64 v = 0;

  /* 1*DIGIT only: no sign, no list ("5, 5"), no whitespace inside. */
  if (value.len == 0 || value.len > 18)
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("invalid Content-Length"));
  for (gsize i = 0; i < value.len; i++)
    {
      if (!g_ascii_isdigit (value.ptr[i]))
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("invalid Content-Length"));
      v = v * 10 + (guint64)(value.ptr[i] - '0');
    }
  *ret = (gint64)v;
  return TRUE;
}

/* Validates and records one header line (without its line end). */
static gboolean
parse_field_line (const gchar *line, gsize n, SynodHttpRequestHead *head, GError **error)
{
  const gchar *end = line + n;
  const gchar *p = line;
  const gchar *v;
  const gchar *ve;
  SynodHttpHeader *h;

  if (n > 0 && (line[0] == ' ' || line[0] == '\t'))
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("obsolete line folding in header section"));
  while (p < end && is_tchar ((guchar)*p))
    p++;
  if (p == end || *p != ':')
    {
      if (p < end && (*p == ' ' || *p == '\t'))
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("whitespace between header field name and colon"));
      return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed header field name"));
    }
  if (p == line)
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("empty header field name"));

  v = p + 1;
  for (const gchar *c = v; c < end; c++)
    if (!is_field_char ((guchar)*c))
      return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                  _ ("invalid character in header field value"));
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  ve = end;
  while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
    ve--;

  h = &head->headers[head->n_headers++];
  h->name.ptr = line;
  h->name.len = (gsize)(p - line);
  h->value.ptr = v;
  h->value.len = (gsize)(ve - v);
  return TRUE;
}

/* Derives framing, Host, persistence and expectations from the fields. */
static gboolean
interpret_fields (SynodHttpRequestHead *head, const SynodHttpLimits *limits, GError **error)
{
  TransferCodings tc = { 0 };
  ConnectionOptions co = { 0 };
  gboolean have_cl = FALSE;
  gboolean have_te = FALSE;
  guint n_host = 0;
  SynodHttpSlice field_host = { NULL, 0 };

  for (guint i = 0; i < head->n_headers; i++)
    {
      const SynodHttpHeader *h = &head->headers[i];

      switch (h->name.len)
        {
          case 4:
            if (synod_http_slice_equal_ci (h->name, "host"))
              {
                n_host++;
                field_host = h->value;
              }
            break;
          case 6:
            if (synod_http_slice_equal_ci (h->name, "expect"))
              {
                if (synod_http_slice_equal_ci (h->value, "100-continue"))
                  head->expect_continue = TRUE;
                else
                  head->expect_unknown = TRUE;
              }
            break;
          case 10:
            if (synod_http_slice_equal_ci (h->name, "connection")
                && !for_each_list_element (h->value, connection_option, &co, error))
              return FALSE;
            break;
          case 14:
            if (synod_http_slice_equal_ci (h->name, "content-length"))
              {
                if (have_cl)
                  return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                              _ ("more than one Content-Length"));
                have_cl = TRUE;
                if (!parse_content_length (h->value, &head->content_length, error))
                  return FALSE;
              }
            break;
          case 17:
            if (synod_http_slice_equal_ci (h->name, "transfer-encoding"))
              {
                have_te = TRUE;
                if (!for_each_list_element (h->value, transfer_coding, &tc, error))
                  return FALSE;
              }
            break;
          default:
            break;
        }
    }

  if (have_te)
    {
      if (have_cl)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("both Content-Length and Transfer-Encoding"));
      if (head->version == 10)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("Transfer-Encoding in an HTTP/1.0 request"));
      if (tc.n_codings == 0)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("empty Transfer-Encoding"));
      if (!tc.chunked_last)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("chunked is not the final transfer coding"));
      if (tc.n_codings > 1)
        return bad (error, SYNOD_HTTP_ERROR_NOT_IMPLEMENTED, _ ("unsupported transfer coding"));
      head->chunked = TRUE;
      head->content_length = -1;
    }
  else if (have_cl && (guint64)head->content_length > limits->max_body)
    return bad (error, SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE,
                _ ("request body larger than the limit"));

  if (n_host > 1)
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("more than one Host"));
  if (n_host == 0 && head->version == 11)
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("HTTP/1.1 request without Host"));
  if (n_host == 1 && !host_is_valid (field_host))
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("invalid Host"));
  if (head->host.ptr == NULL)
    head->host = field_host;
  else if (!host_is_valid (head->host))
    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("invalid Host"));

  if (head->version == 11)
    head->keep_alive = !co.close;
  else
    head->keep_alive = co.keep_alive && !co.close;
  return TRUE;
}

/* Validates a complete head: [start, end) holds the request line and fields,
 * each line ended by LF or CRLF, the empty line excluded. */
static gboolean
parse_complete_head (const gchar *buf, gsize start, gsize end, const SynodHttpLimits *limits,
                     SynodHttpRequestHead *head, GError **error)
{
  gsize pos = start;
  gboolean first = TRUE;

  while (pos < end)
    {
      const gchar *nl = memchr (buf + pos, '\n', end - pos);
      gsize line_end;
      gsize n;

      g_assert (nl != NULL);
      line_end = (gsize)(nl - buf);
      n = line_end - pos;
      if (n > 0 && buf[line_end - 1] == '\r')
        n--;
      /* A CR anywhere else is bare (the field check rejects it too, but
       * the request line needs its own check). */
      if (memchr (buf + pos, '\r', n) != NULL)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("bare CR in request head"));
      if (first)
        {
          if (!parse_request_line (buf + pos, n, head, error) || !split_target (head, error))
            return FALSE;
          first = FALSE;
        }
      else
        {
          if (head->n_headers >= limits->max_headers
              || head->n_headers >= SYNOD_HTTP_MAX_HEADERS_CAP)
            return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE, _ ("too many header fields"));
          if (!parse_field_line (buf + pos, n, head, error))
            return FALSE;
        }
      pos = line_end + 1;
    }
  return interpret_fields (head, limits, error);
}

/**
 * synod_http_parser_parse_head:
 * @parser: progress over @buf (reset before each new request)
 * @limits: the limits to enforce
 * @buf: the bytes received so far for this request (the same start each call)
 * @len: their number
 * @ret_head: (out caller-allocates): the parsed head, pointing into @buf;
 *   written only on SYNOD_HTTP_PARSE_DONE
 * @error: set on SYNOD_HTTP_PARSE_ERROR
 *
 * Returns: DONE when @ret_head holds a valid head (head_len bytes of @buf),
 *   AGAIN when more bytes are needed, ERROR when the request is rejected
 */
SynodHttpParseResult
synod_http_parser_parse_head (SynodHttpParser *parser, const SynodHttpLimits *limits,
                              const gchar *buf, gsize len, SynodHttpRequestHead *ret_head,
                              GError **error)
{
  gsize i;

  g_return_val_if_fail (parser != NULL && limits != NULL, SYNOD_HTTP_PARSE_ERROR);
  g_return_val_if_fail (buf != NULL || len == 0, SYNOD_HTTP_PARSE_ERROR);
  g_return_val_if_fail (ret_head != NULL, SYNOD_HTTP_PARSE_ERROR);

  /* Empty lines before the request line are skipped, a few of them. */
  while (parser->n_lines == 0 && parser->start < len)
    {
      gsize s = parser->start;

      if (buf[s] == '\n')
        s += 1;
      else if (buf[s] == '\r')
        {
          if (s + 1 >= len)
            return SYNOD_HTTP_PARSE_AGAIN;
          if (buf[s + 1] != '\n')
            return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("bare CR in request head")),
                   SYNOD_HTTP_PARSE_ERROR;
          s += 2;
        }
      else
        break;
      if (s > 2 * SYNOD_HTTP_MAX_LEADING_EMPTY_LINES)
        return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                    _ ("too many empty lines before the request")),
               SYNOD_HTTP_PARSE_ERROR;
      parser->start = parser->line_start = parser->scanned = s;
    }

  i = MAX (parser->scanned, parser->start);
  while (i < len)
    {
      const gchar *nl = memchr (buf + i, '\n', len - i);
      gsize line_end;
      gsize line_len;

      if (nl == NULL)
        break;
      line_end = (gsize)(nl - buf);
      line_len = line_end - parser->line_start;
      if (line_len > 0 && buf[line_end - 1] == '\r')
        line_len--;
      if (parser->n_lines == 0 && line_len > limits->max_request_line)
        return bad (error, SYNOD_HTTP_ERROR_URI_TOO_LONG, _ ("request line longer than the limit")),
               SYNOD_HTTP_PARSE_ERROR;
      if (line_end + 1 - parser->start > limits->max_header_bytes)
        return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE,
                    _ ("request head larger than the limit")),
               SYNOD_HTTP_PARSE_ERROR;
      if (line_len == 0 && parser->n_lines > 0)
        {
          /* The empty line: the head is complete. */
          memset (ret_head, 0, G_STRUCT_OFFSET (SynodHttpRequestHead, headers));
          ret_head->n_headers = 0;
          ret_head->host.ptr = NULL;
          ret_head->host.len = 0;
          ret_head->content_length = -1;
          ret_head->chunked = FALSE;
          ret_head->keep_alive = FALSE;
          ret_head->expect_continue = FALSE;
          ret_head->expect_unknown = FALSE;
          if (!parse_complete_head (buf, parser->start, parser->line_start, limits, ret_head,
                                    error))
            return SYNOD_HTTP_PARSE_ERROR;
          ret_head->head_len = line_end + 1;
          parser->scanned = line_end + 1;
          return SYNOD_HTTP_PARSE_DONE;
        }
      parser->n_lines++;
      if (parser->n_lines > (guint)limits->max_headers + 1)
        return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE, _ ("too many header fields")),
               SYNOD_HTTP_PARSE_ERROR;
      parser->line_start = line_end + 1;
      i = line_end + 1;
    }
  parser->scanned = len;

  /* Incomplete: enforce the limits on what is buffered already. */
  if (parser->n_lines == 0 && len - parser->start > limits->max_request_line + 1)
    return bad (error, SYNOD_HTTP_ERROR_URI_TOO_LONG, _ ("request line longer than the limit")),
           SYNOD_HTTP_PARSE_ERROR;
  if (len - parser->start > limits->max_header_bytes)
    return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE,
                _ ("request head larger than the limit")),
           SYNOD_HTTP_PARSE_ERROR;
  return SYNOD_HTTP_PARSE_AGAIN;
}

/* ---- bodies ---- */

enum
{
  BODY_LENGTH,     /* Content-Length: @remaining bytes to go */
  BODY_CHUNK_SIZE, /* reading hex digits */
  BODY_CHUNK_EXT,  /* reading a chunk extension up to CRLF */
  BODY_CHUNK_SIZE_LF,
  BODY_CHUNK_DATA,
  BODY_CHUNK_DATA_CR,
  BODY_CHUNK_DATA_LF,
  BODY_TRAILER_START, /* start of a trailer line, or the final CRLF */
  BODY_TRAILER_LINE,
  BODY_TRAILER_LF,
  BODY_FINAL_LF,
  BODY_DONE,
};

/**
 * synod_http_body_decoder_init:
 * @decoder: (out caller-allocates): the decoder
 * @head: the request's head (framing)
 * @limits: the limits (body size, trailer size and count)
 */
void
synod_http_body_decoder_init (SynodHttpBodyDecoder *decoder, const SynodHttpRequestHead *head,
                              const SynodHttpLimits *limits)
{
  g_return_if_fail (decoder != NULL && head != NULL && limits != NULL);
  memset (decoder, 0, sizeof *decoder);
  decoder->max_body = limits->max_body;
  decoder->max_trailers = limits->max_headers;
  decoder->max_trailer_bytes = limits->max_header_bytes;
  if (head->chunked)
    decoder->state = BODY_CHUNK_SIZE;
  else if (head->content_length > 0)
    {
      decoder->state = BODY_LENGTH;
      decoder->remaining = (guint64)head->content_length;
    }
  else
    decoder->state = BODY_DONE;
}

gboolean
synod_http_body_decoder_is_done (const SynodHttpBodyDecoder *decoder)
{
  return decoder->state == BODY_DONE;
}

static gboolean
take_data (SynodHttpBodyDecoder *d, const guint8 *p, gsize n, GByteArray *out)
{
  d->remaining -= n;
  d->total += n;
  if (out != NULL)
    g_byte_array_append (out, p, (guint)n);
  return TRUE;
}

/**
 * synod_http_body_decoder_feed:
 * @decoder: the decoder
 * @buf: bytes that follow what was consumed before
 * @len: their number
 * @out: (nullable): where decoded body bytes are appended (%NULL discards them)
 * @ret_consumed: (out): bytes of @buf consumed (the rest belongs to the next request)
 * @ret_done: (out): whether the body is complete
 * @error: a framing error (400) or the size limit (413)
 *
 * Returns: %FALSE on error
 */
gboolean
synod_http_body_decoder_feed (SynodHttpBodyDecoder *decoder, const guint8 *buf, gsize len,
                              GByteArray *out, gsize *ret_consumed, gboolean *ret_done,
                              GError **error)
{
  SynodHttpBodyDecoder *d = decoder;
  gsize i = 0;

  g_return_val_if_fail (decoder != NULL && (buf != NULL || len == 0), FALSE);
  g_return_val_if_fail (ret_consumed != NULL && ret_done != NULL, FALSE);

  while (i < len && d->state != BODY_DONE)
    {
      guchar c = buf[i];

      switch (d->state)
        {
          case BODY_LENGTH:
          case BODY_CHUNK_DATA:
            {
              gsize n = (gsize)MIN ((guint64)(len - i), d->remaining);

              take_data (d, buf + i, n, out);
              i += n;
              if (d->remaining == 0)
                d->state = d->state == BODY_LENGTH ? BODY_DONE : BODY_CHUNK_DATA_CR;
              continue;
            }
          case BODY_CHUNK_SIZE:
            {
              gint v = g_ascii_xdigit_value ((gchar)c);

              if (v >= 0)
                {
                  if (++d->n_digits > SYNOD_HTTP_MAX_CHUNK_SIZE_DIGITS
                      || d->remaining > (G_MAXUINT64 >> 4))
                    return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("chunk size too large"));
                  d->remaining = (d->remaining << 4) | (guint64)v;
                  if (d->remaining > d->max_body || d->total + d->remaining > d->max_body)
                    return bad (error, SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE,
                                _ ("request body larger than the limit"));
                  break;
                }
              if (d->n_digits == 0)
                return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed chunk size"));
              if (c == ';' || c == ' ' || c == '\t')
                {
                  /* chunk-ext, with BWS before ';' as RFC 9112 §7.1.1 allows. */
                  d->state = BODY_CHUNK_EXT;
                  d->line_len = 1;
                  break;
                }
              if (c == '\r')
                {
                  d->state = BODY_CHUNK_SIZE_LF;
                  break;
                }
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed chunk size"));
            }
          case BODY_CHUNK_EXT:
            if (c == '\r')
              d->state = BODY_CHUNK_SIZE_LF;
            else if (!is_field_char (c))
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                          _ ("invalid character in chunk extension"));
            else if (++d->line_len > SYNOD_HTTP_MAX_CHUNK_EXT)
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("chunk extension too long"));
            break;
          case BODY_CHUNK_SIZE_LF:
            if (c != '\n')
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("bare CR in chunk framing"));
            d->n_digits = 0;
            d->state = d->remaining == 0 ? BODY_TRAILER_START : BODY_CHUNK_DATA;
            break;
          case BODY_CHUNK_DATA_CR:
            if (c != '\r')
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                          _ ("chunk data not followed by CRLF"));
            d->state = BODY_CHUNK_DATA_LF;
            break;
          case BODY_CHUNK_DATA_LF:
            if (c != '\n')
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                          _ ("chunk data not followed by CRLF"));
            d->state = BODY_CHUNK_SIZE;
            break;
          case BODY_TRAILER_START:
            if (c == '\r')
              {
                d->state = BODY_FINAL_LF;
                break;
              }
            if (!is_tchar (c))
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed trailer field"));
            if (++d->n_trailers > d->max_trailers)
              return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE, _ ("too many trailer fields"));
            d->saw_cr = FALSE; /* reused: the colon was seen */
            d->state = BODY_TRAILER_LINE;
            d->trailer_bytes++;
            break;
          case BODY_TRAILER_LINE:
            if (++d->trailer_bytes > d->max_trailer_bytes)
              return bad (error, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE,
                          _ ("trailer section larger than the limit"));
            if (c == '\r')
              {
                if (!d->saw_cr)
                  return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed trailer field"));
                d->state = BODY_TRAILER_LF;
              }
            else if (!d->saw_cr)
              {
                if (c == ':')
                  d->saw_cr = TRUE;
                else if (!is_tchar (c))
                  return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("malformed trailer field"));
              }
            else if (!is_field_char (c))
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST,
                          _ ("invalid character in trailer field"));
            break;
          case BODY_TRAILER_LF:
            if (c != '\n')
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("bare CR in trailer section"));
            d->state = BODY_TRAILER_START;
            break;
          case BODY_FINAL_LF:
            if (c != '\n')
              return bad (error, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("bare CR in chunk framing"));
            d->state = BODY_DONE;
            break;
          default:
            g_assert_not_reached ();
        }
      i++;
    }
  *ret_consumed = i;
  *ret_done = d->state == BODY_DONE;
  return TRUE;
}
