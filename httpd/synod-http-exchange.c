/* synod-http-exchange.c — handlers, and the request/response of one exchange. */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include <synod-ref.h>

#include "synod-http-exchange-private.h"

struct _SynodHttpHandler
{
  gint ref_count;
  const SynodHttpHandlerFuncs *funcs;
  gpointer user_data;
  /* The broker object the handler stands for (set once, before sharing). */
  SynodRef *object;
  SynodHttpHandlerRole role;
  SynodHttpHandlerUnregisteredFunc unregistered;
  gpointer unregistered_data;
  GDestroyNotify unregistered_destroy;
};

/**
 * synod_http_handler_new:
 * @funcs: (not nullable): the handler's functions, which must outlive it
 * @user_data: passed to them
 *
 * Returns: (transfer full): a new handler
 */
SynodHttpHandler *
synod_http_handler_new (const SynodHttpHandlerFuncs *funcs, gpointer user_data)
{
  SynodHttpHandler *h;

  g_return_val_if_fail (funcs != NULL && funcs->handle != NULL, NULL);
  h = g_new0 (SynodHttpHandler, 1);
  h->ref_count = 1;
  h->funcs = funcs;
  h->user_data = user_data;
  return h;
}

SynodHttpHandler *
synod_http_handler_ref (SynodHttpHandler *handler)
{
  g_return_val_if_fail (handler != NULL, NULL);
  g_atomic_int_inc (&handler->ref_count);
  return handler;
}

void
synod_http_handler_unref (SynodHttpHandler *handler)
{
  if (handler == NULL)
    return;
  if (g_atomic_int_dec_and_test (&handler->ref_count))
    {
      if (handler->funcs->destroy != NULL)
        handler->funcs->destroy (handler->user_data);
      if (handler->unregistered_destroy != NULL)
        handler->unregistered_destroy (handler->unregistered_data);
      g_clear_pointer (&handler->object, synod_ref_unref);
      g_free (handler);
    }
}

gpointer
synod_http_handler_get_user_data (SynodHttpHandler *handler)
{
  g_return_val_if_fail (handler != NULL, NULL);
  return handler->user_data;
}

/** Returns: (transfer none): the functions @handler was made with */
const SynodHttpHandlerFuncs *
synod_http_handler_get_funcs (SynodHttpHandler *handler)
{
  g_return_val_if_fail (handler != NULL, NULL);
  return handler->funcs;
}

/**
 * synod_http_handler_set_object:
 * @object: (transfer none): the broker object the handler stands for
 * @role: what that object does in a URL directory
 *
 * Records which object answers through @handler, so that a URL directory
 * can say which object serves a URI. Call it before the handler is shared.
 */
void
synod_http_handler_set_object (SynodHttpHandler *handler, SynodRef *object,
                               SynodHttpHandlerRole role)
{
  g_return_if_fail (handler != NULL && handler->object == NULL);
  handler->object = object != NULL ? synod_ref_ref (object) : NULL;
  handler->role = role;
}

/**
 * synod_http_handler_get_object:
 * @ret_role: (out) (optional): its role
 *
 * Returns: (transfer none) (nullable): the object @handler stands for
 */
SynodRef *
synod_http_handler_get_object (SynodHttpHandler *handler, SynodHttpHandlerRole *ret_role)
{
  g_return_val_if_fail (handler != NULL, NULL);
  if (ret_role != NULL)
    *ret_role = handler->role;
  return handler->object;
}

/**
 * synod_http_handler_set_unregistered_func:
 * @func: called each time an entry holding the handler leaves a directory
 * @destroy: (nullable): frees @user_data with the handler
 *
 * Call it before the handler is shared.
 */
void
synod_http_handler_set_unregistered_func (SynodHttpHandler *handler,
                                          SynodHttpHandlerUnregisteredFunc func, gpointer user_data,
                                          GDestroyNotify destroy)
{
  g_return_if_fail (handler != NULL && handler->unregistered == NULL);
  handler->unregistered = func;
  handler->unregistered_data = user_data;
  handler->unregistered_destroy = destroy;
}

/**
 * synod_http_handler_notify_unregistered:
 *
 * Tells @handler that an entry holding it left a directory (or that it
 * could not be registered). URL directories call it.
 */
void
synod_http_handler_notify_unregistered (SynodHttpHandler *handler)
{
  if (handler->unregistered != NULL)
    handler->unregistered (handler, handler->unregistered_data);
}

/**
 * synod_http_handler_invoke:
 * @handler: a handler
 * @exchange: the exchange to answer
 *
 * Calls @handler on @exchange directly (a handler that delegates to another,
 * as a file loader does to the document it just loaded).
 */
void
synod_http_handler_invoke (SynodHttpHandler *handler, SynodHttpExchange *exchange)
{
  handler->funcs->handle (exchange, handler->user_data);
}

/* ---- life cycle ---- */

void
synod_http_exchange_init (SynodHttpExchange *ex)
{
  memset (ex, 0, sizeof *ex);
  ex->path = g_string_sized_new (64);
  ex->query = g_string_sized_new (16);
  ex->host = g_string_sized_new (32);
  ex->headers = g_string_sized_new (256);
  ex->segments = g_array_sized_new (FALSE, FALSE, sizeof (Segment), 4);
  ex->status = 200;
}

static void
clear_segments (SynodHttpExchange *ex)
{
  for (guint i = 0; i < ex->segments->len; i++)
    {
      Segment *s = &g_array_index (ex->segments, Segment, i);

      if (s->bytes != NULL)
        g_bytes_unref (s->bytes);
      if (s->kind == SEGMENT_FILE && s->fd >= 0)
        close (s->fd);
    }
  g_array_set_size (ex->segments, 0);
  ex->body_len = 0;
}

/* Forgets the response so far (the request stays). */
void
synod_http_exchange_reset_response (SynodHttpExchange *ex)
{
  clear_segments (ex);
  g_string_truncate (ex->headers, 0);
  ex->status = 200;
  ex->close = FALSE;
}

void
synod_http_exchange_clear (SynodHttpExchange *ex)
{
  clear_segments (ex);
  g_array_unref (ex->segments);
  g_string_free (ex->path, TRUE);
  g_string_free (ex->query, TRUE);
  g_string_free (ex->host, TRUE);
  g_string_free (ex->headers, TRUE);
  if (ex->body != NULL)
    g_byte_array_unref (ex->body);
  if (ex->body_bytes != NULL)
    g_bytes_unref (ex->body_bytes);
  g_free (ex->mount_prefix);
  g_free (ex->owned_head);
  g_free (ex->top_path);
}

void
synod_http_exchange_free (SynodHttpExchange *ex)
{
  if (ex == NULL)
    return;
  synod_http_exchange_clear (ex);
  g_free (ex);
}

/**
 * synod_http_exchange_dispatch:
 * @exchange: a request ready to be answered
 * @handler: who answers it
 *
 * Calls the handler. When it finishes inside handle(), the exchange's
 * on_finish runs before this returns; otherwise it runs when the handler
 * calls synod_http_exchange_finish(), from that thread.
 */
void
synod_http_exchange_dispatch (SynodHttpExchange *ex, SynodHttpHandler *handler)
{
  g_atomic_int_set (&ex->state, EXCHANGE_IN_HANDLER);
  handler->funcs->handle (ex, handler->user_data);
  if (!g_atomic_int_compare_and_exchange (&ex->state, EXCHANGE_IN_HANDLER, EXCHANGE_WAITING))
    {
      g_atomic_int_set (&ex->state, EXCHANGE_IDLE);
      ex->on_finish (ex, ex->on_finish_data);
    }
}

/**
 * synod_http_exchange_finish:
 * @exchange: an exchange whose response is complete
 *
 * Hands the response to the engine. Call exactly once per request, from
 * any thread; the exchange must not be touched afterwards.
 */
void
synod_http_exchange_finish (SynodHttpExchange *ex)
{
  g_return_if_fail (ex != NULL);
  if (g_atomic_int_compare_and_exchange (&ex->state, EXCHANGE_IN_HANDLER, EXCHANGE_FINISHED))
    return;
  if (!g_atomic_int_compare_and_exchange (&ex->state, EXCHANGE_WAITING, EXCHANGE_IDLE))
    {
      g_critical ("synod_http_exchange_finish: the exchange is not being handled");
      return;
    }
  ex->on_finish (ex, ex->on_finish_data);
}

/* ---- request ---- */

SynodHttpMethod
synod_http_exchange_get_method (SynodHttpExchange *ex)
{
  return ex->head.method;
}

const SynodHttpRequestHead *
synod_http_exchange_get_head (SynodHttpExchange *ex)
{
  return &ex->head;
}

/**
 * synod_http_exchange_get_path:
 *
 * Returns: (transfer none): the request's path, percent-decoded once, with
 *   dot-segments removed and repeated slashes merged; always starts with '/'
 */
const gchar *
synod_http_exchange_get_path (SynodHttpExchange *ex)
{
  return ex->path->str;
}

/** Returns: (transfer none): the raw query (without '?'), "" when none */
const gchar *
synod_http_exchange_get_query (SynodHttpExchange *ex)
{
  return ex->query->str;
}

/** Returns: (transfer none): the request's host, lowercased, without port */
const gchar *
synod_http_exchange_get_host (SynodHttpExchange *ex)
{
  return ex->host->str;
}

/** Returns: (transfer none): the URL directory prefix the handler was found under */
const gchar *
synod_http_exchange_get_mount_prefix (SynodHttpExchange *ex)
{
  return ex->mount_prefix != NULL ? ex->mount_prefix : "/";
}

const SynodHttpSlice *
synod_http_exchange_get_header (SynodHttpExchange *ex, const gchar *name)
{
  return synod_http_request_head_get_header (&ex->head, name);
}

/** Returns: (transfer full) (nullable): the first field named @name */
gchar *
synod_http_exchange_dup_header (SynodHttpExchange *ex, const gchar *name)
{
  const SynodHttpSlice *v = synod_http_request_head_get_header (&ex->head, name);

  return v != NULL ? synod_http_slice_dup (*v) : NULL;
}

/** Returns: (transfer none): the decoded request body (empty when none) */
GBytes *
synod_http_exchange_get_body (SynodHttpExchange *ex)
{
  if (ex->body_bytes == NULL)
    ex->body_bytes = ex->body != NULL ? g_bytes_new (ex->body->data, ex->body->len)
                                      : g_bytes_new_static ("", 0);
  return ex->body_bytes;
}

const gchar *
synod_http_exchange_get_remote_address (SynodHttpExchange *ex)
{
  return ex->remote;
}

/** Returns: when the request's head was complete (g_get_real_time()) */
gint64
synod_http_exchange_get_time (SynodHttpExchange *ex)
{
  return ex->time;
}

/**
 * synod_http_exchange_get_directory:
 *
 * Returns: (transfer none) (nullable): the URL directory of the site
 *   (virtual host) the request is for, where sub-requests are looked up
 */
SynodUrlDirectory *
synod_http_exchange_get_directory (SynodHttpExchange *ex)
{
  return ex->directory;
}

/** Returns: 0 for a client's request, n for a sub-request n includes deep */
guint
synod_http_exchange_get_depth (SynodHttpExchange *ex)
{
  return ex->depth;
}

/* ---- response ---- */

void
synod_http_exchange_set_status (SynodHttpExchange *ex, guint status)
{
  g_return_if_fail (status >= 100 && status <= 999);
  ex->status = status;
}

guint
synod_http_exchange_get_status (SynodHttpExchange *ex)
{
  return ex->status;
}

static gboolean
header_text_is_safe (const gchar *s)
{
  for (; *s != '\0'; s++)
    if (*s == '\r' || *s == '\n')
      return FALSE;
  return TRUE;
}

/**
 * synod_http_exchange_add_header:
 *
 * Adds a response field. Names and values with CR or LF are refused
 * (response splitting).
 */
void
synod_http_exchange_add_header (SynodHttpExchange *ex, const gchar *name, const gchar *value)
{
  g_return_if_fail (name != NULL && value != NULL);
  g_return_if_fail (header_text_is_safe (name) && header_text_is_safe (value));
  g_string_append (ex->headers, name);
  g_string_append_len (ex->headers, ": ", 2);
  g_string_append (ex->headers, value);
  g_string_append_len (ex->headers, "\r\n", 2);
}

void
synod_http_exchange_add_header_printf (SynodHttpExchange *ex, const gchar *name,
                                       const gchar *format, ...)
{
  g_autofree gchar *value = NULL;
  va_list ap;

  va_start (ap, format);
  value = g_strdup_vprintf (format, ap);
  va_end (ap);
  synod_http_exchange_add_header (ex, name, value);
}

/**
 * synod_http_exchange_add_raw_headers:
 * @lines: complete field lines, each ended by CRLF (trusted: precomputed by
 *   the handler, e.g. a cached document's fields)
 */
void
synod_http_exchange_add_raw_headers (SynodHttpExchange *ex, const gchar *lines, gsize len)
{
  g_string_append_len (ex->headers, lines, (gssize)len);
}

void
synod_http_exchange_append_body_range (SynodHttpExchange *ex, GBytes *bytes, gsize offset,
                                       gsize len)
{
  Segment s = { SEGMENT_MEMORY, NULL, NULL, -1, 0, len };
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_return_if_fail (offset <= size && len <= size - offset);
  if (len == 0)
    return;
  s.bytes = g_bytes_ref (bytes);
  s.data = data + offset;
  g_array_append_val (ex->segments, s);
  ex->body_len += len;
}

/** @bytes: (transfer none): appended to the body (referenced, not copied) */
void
synod_http_exchange_append_body (SynodHttpExchange *ex, GBytes *bytes)
{
  synod_http_exchange_append_body_range (ex, bytes, 0, g_bytes_get_size (bytes));
}

void
synod_http_exchange_append_body_text (SynodHttpExchange *ex, const gchar *text, gssize len)
{
  g_autoptr (GBytes) b = NULL;

  if (len < 0)
    len = (gssize)strlen (text);
  b = g_bytes_new (text, (gsize)len);
  synod_http_exchange_append_body (ex, b);
}

/**
 * synod_http_exchange_append_body_fd:
 * @fd: an open file (the exchange keeps its own duplicate)
 *
 * Appends @len bytes of @fd from @offset, sent with sendfile().
 */
void
synod_http_exchange_append_body_fd (SynodHttpExchange *ex, gint fd, goffset offset, gsize len)
{
  Segment s = { SEGMENT_FILE, NULL, NULL, -1, offset, len };

  if (len == 0)
    return;
  s.fd = dup (fd);
  if (s.fd < 0)
    {
      synod_http_exchange_respond_error (ex, 500, g_strerror (errno));
      return;
    }
  g_array_append_val (ex->segments, s);
  ex->body_len += len;
}

/* Closes the connection after this response. */
void
synod_http_exchange_set_close (SynodHttpExchange *ex)
{
  ex->close = TRUE;
}

const gchar *
synod_http_status_reason (guint status)
{
  switch (status)
    {
      case 100:
        return "Continue";
      case 200:
        return "OK";
      case 201:
        return "Created";
      case 204:
        return "No Content";
      case 206:
        return "Partial Content";
      case 301:
        return "Moved Permanently";
      case 302:
        return "Found";
      case 303:
        return "See Other";
      case 304:
        return "Not Modified";
      case 307:
        return "Temporary Redirect";
      case 308:
        return "Permanent Redirect";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 409:
        return "Conflict";
      case 411:
        return "Length Required";
      case 412:
        return "Precondition Failed";
      case 413:
        return "Content Too Large";
      case 414:
        return "URI Too Long";
      case 416:
        return "Range Not Satisfiable";
      case 417:
        return "Expectation Failed";
      case 429:
        return "Too Many Requests";
      case 431:
        return "Request Header Fields Too Large";
      case 500:
        return "Internal Server Error";
      case 501:
        return "Not Implemented";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      case 505:
        return "HTTP Version Not Supported";
      default:
        return "Unknown";
    }
}

/**
 * synod_http_exchange_respond_error:
 * @status: an HTTP status
 * @detail: (nullable): one line of explanation, shown HTML-escaped
 *
 * Replaces the response with a small HTML page for @status.
 */
void
synod_http_exchange_respond_error (SynodHttpExchange *ex, guint status, const gchar *detail)
{
  g_autofree gchar *escaped = detail != NULL ? g_markup_escape_text (detail, -1) : NULL;
  g_autofree gchar *page = NULL;
  gboolean close = ex->close;

  synod_http_exchange_reset_response (ex);
  ex->close = close;
  ex->status = status;
  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><title>%u %s</title></head>\n"
                          "<body><h1>%u %s</h1>%s%s%s</body></html>\n",
                          status, synod_http_status_reason (status), status,
                          synod_http_status_reason (status), escaped != NULL ? "<p>" : "",
                          escaped != NULL ? escaped : "", escaped != NULL ? "</p>" : "");
  static const gchar type[] = "Content-Type: text/html; charset=utf-8\r\n";

  synod_http_exchange_add_raw_headers (ex, type, sizeof type - 1);
  synod_http_exchange_append_body_text (ex, page, -1);
}

void
synod_http_exchange_respond_gerror (SynodHttpExchange *ex, const GError *error)
{
  if (synod_http_error_must_close (error))
    ex->close = TRUE;
  synod_http_exchange_respond_error (ex, synod_http_error_to_status (error), error->message);
}

/* ---- paths ---- */

/**
 * synod_http_normalize_path:
 * @raw: a request path, percent-encoded
 * @out: receives the path decoded once, with dot-segments removed (RFC 3986
 *   §5.2.4, never above the root) and empty segments merged
 *
 * Returns: %FALSE for a malformed escape or an encoded NUL
 */
gboolean
synod_http_normalize_path (const gchar *raw, gsize len, GString *out, GError **error)
{
  gchar stack_buf[1024];
  g_autofree gchar *heap_buf = NULL;
  gchar *dec = len < sizeof stack_buf ? stack_buf : (heap_buf = g_malloc (len + 1));
  gsize n = 0;
  gsize i = 0;
  gboolean trailing;

  for (i = 0; i < len; i++)
    {
      gchar c = raw[i];

      if (c == '%')
        {
          gint hi, lo;

          if (i + 2 >= len)
            return g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                                        _ ("malformed percent-encoding in path")),
                   FALSE;
          hi = g_ascii_xdigit_value (raw[i + 1]);
          lo = g_ascii_xdigit_value (raw[i + 2]);
          if (hi < 0 || lo < 0)
            return g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                                        _ ("malformed percent-encoding in path")),
                   FALSE;
          c = (gchar)(hi << 4 | lo);
          if (c == '\0')
            return g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                                        _ ("encoded NUL in path")),
                   FALSE;
          i += 2;
        }
      dec[n++] = c;
    }

  /* Dot-segment removal over the decoded path, segment by segment. */
  g_string_truncate (out, 0);
  g_string_append_c (out, '/');
  trailing = n > 0 && dec[n - 1] == '/';
  i = 0;
  while (i < n)
    {
      gsize s, e;

      while (i < n && dec[i] == '/')
        i++;
      s = i;
      while (i < n && dec[i] != '/')
        i++;
      e = i;
      if (e == s)
        continue;
      if (e - s == 1 && dec[s] == '.')
        {
          trailing = TRUE;
          continue;
        }
      if (e - s == 2 && dec[s] == '.' && dec[s + 1] == '.')
        {
          /* Up one segment: drop back to the previous '/'. */
          if (out->len > 1)
            {
              gsize k = out->len - 1; /* out ends with '/' */

              while (k > 0 && out->str[k - 1] != '/')
                k--;
              g_string_truncate (out, k);
            }
          trailing = TRUE;
          continue;
        }
      g_string_append_len (out, dec + s, (gssize)(e - s));
      g_string_append_c (out, '/');
      trailing = i < n; /* a later '/' follows this segment */
    }
  if (out->len > 1 && !trailing)
    g_string_truncate (out, out->len - 1);
  return TRUE;
}

/* ---- sub-requests (SSI include virtual) ---- */

static gboolean
forwarded_to_subrequest (SynodHttpSlice name)
{
  /* A sub-request asks for the whole identity body: the client's
   * conditionals, ranges and codings are about the including page. */
  static const gchar *const dropped[]
      = { "if-match", "if-none-match",   "if-modified-since", "if-unmodified-since", "if-range",
          "range",    "accept-encoding", "content-length",    "transfer-encoding",   "expect" };

  for (gsize i = 0; i < G_N_ELEMENTS (dropped); i++)
    if (synod_http_slice_equal_ci (name, dropped[i]))
      return FALSE;
  return TRUE;
}

/**
 * synod_http_exchange_new_subrequest:
 * @parent: the exchange being answered (it must stay alive until the
 *   sub-request finishes)
 * @uri: a path with optional query, absolute or relative to @parent's path
 * @on_finish: called with the finished sub-request (which it frees)
 *
 * Returns: (transfer full) (nullable): a GET exchange for @uri, to pass to
 *   synod_http_exchange_dispatch()
 */
SynodHttpExchange *
synod_http_exchange_new_subrequest (SynodHttpExchange *parent, const gchar *uri,
                                    ExchangeFinishFunc on_finish, gpointer user_data,
                                    GError **error)
{
  g_autofree gchar *abs = NULL;
  SynodHttpExchange *ex;
  const gchar *q;
  gsize path_len;

  if (uri[0] == '/')
    abs = g_strdup (uri);
  else
    {
      const gchar *slash = strrchr (parent->path->str, '/');

      abs = g_strdup_printf ("%.*s%s", (int)(slash - parent->path->str + 1), parent->path->str,
                             uri);
    }
  ex = g_new (SynodHttpExchange, 1);
  synod_http_exchange_init (ex);
  q = strchr (abs, '?');
  path_len = q != NULL ? (gsize)(q - abs) : strlen (abs);
  if (!synod_http_normalize_path (abs, path_len, ex->path, error))
    {
      synod_http_exchange_free (ex);
      return NULL;
    }
  /* An include may not reach what the client could not ask for itself. */
  if (parent->guard != NULL
      && !parent->guard (parent->guard_data, parent->principal, ex->path->str))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_FORBIDDEN, _ ("%s requires a login"),
                   ex->path->str);
      synod_http_exchange_free (ex);
      return NULL;
    }
  if (q != NULL)
    g_string_assign (ex->query, q + 1);
  g_string_assign (ex->host, parent->host->str);
  ex->principal = parent->principal;
  ex->guard = parent->guard;
  ex->guard_data = parent->guard_data;
  ex->owned_head = g_steal_pointer (&abs);
  ex->head.method = SYNOD_HTTP_METHOD_GET;
  ex->head.method_name.ptr = "GET";
  ex->head.method_name.len = 3;
  ex->head.target.ptr = ex->owned_head;
  ex->head.target.len = strlen (ex->owned_head);
  ex->head.path.ptr = ex->owned_head;
  ex->head.path.len = path_len;
  if (q != NULL)
    {
      ex->head.query.ptr = ex->owned_head + path_len + 1;
      ex->head.query.len = strlen (q + 1);
    }
  ex->head.version = parent->head.version;
  ex->head.host = parent->head.host;
  ex->head.content_length = -1;
  ex->head.keep_alive = TRUE;
  for (guint i = 0; i < parent->head.n_headers; i++)
    if (forwarded_to_subrequest (parent->head.headers[i].name))
      ex->head.headers[ex->head.n_headers++] = parent->head.headers[i];
  memcpy (ex->remote, parent->remote, sizeof ex->remote);
  ex->directory = parent->directory;
  ex->time = parent->time;
  ex->depth = parent->depth + 1;
  ex->top_path = g_strdup (parent->top_path != NULL ? parent->top_path : parent->path->str);
  ex->on_finish = on_finish;
  ex->on_finish_data = user_data;
  return ex;
}

/**
 * synod_http_exchange_new_detached:
 * @method: the method token
 * @path: a decoded path (it is normalized again)
 * @query: (nullable): the raw query
 * @names: (array length=n_fields): field names (tokens)
 * @values: (array length=n_fields): field values
 * @body: (nullable): the request body
 * @host: (nullable): the host, lowercase, without port
 * @remote: (nullable): the client's address
 * @version: 10 or 11
 * @depth: include depth
 * @directory: (nullable): where sub-requests are looked up (not referenced:
 *   it must outlive the exchange)
 * @on_finish: called with the finished exchange (which it frees)
 *
 * Makes a request that did not come from a connection: one that arrived as
 * an invocation (Standard.HTTPhandler.handle on a document). Fields are
 * checked as the parser checks them.
 *
 * Returns: (transfer full) (nullable): an exchange to dispatch
 */
SynodHttpExchange *
synod_http_exchange_new_detached (const gchar *method, const gchar *path, const gchar *query,
                                  const gchar *const *names, const gchar *const *values,
                                  guint n_fields, GBytes *body, const gchar *host,
                                  const gchar *remote, guint version, guint depth,
                                  SynodUrlDirectory *directory, ExchangeFinishFunc on_finish,
                                  gpointer user_data, GError **error)
{
  g_autofree gchar *escaped = NULL;
  g_autoptr (GString) buf = NULL;
  SynodHttpExchange *ex;
  gsize method_at, target_at, query_at = 0, host_at = 0;
  gsize *name_at, *value_at;

  if (!synod_http_is_token (method) || strlen (method) > SYNOD_HTTP_MAX_METHOD_LEN)
    return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                        _ ("invalid request method")),
           NULL;
  if (path == NULL || path[0] != '/')
    return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                        _ ("the request path does not start with “/”")),
           NULL;
  if (n_fields > SYNOD_HTTP_MAX_HEADERS_CAP)
    return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE,
                        _ ("more than %u header fields"), SYNOD_HTTP_MAX_HEADERS_CAP),
           NULL;
  for (guint i = 0; i < n_fields; i++)
    if (!synod_http_is_token (names[i]) || !synod_http_is_field_value (values[i]))
      return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST,
                          _ ("invalid header field")),
             NULL;
  if (query != NULL && !synod_http_is_field_value (query))
    return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_BAD_REQUEST, _ ("invalid query")),
           NULL;

  /* One buffer holds every byte the head's slices point at. */
  escaped = g_uri_escape_string (path, "/", FALSE);
  buf = g_string_new (NULL);
  method_at = buf->len;
  g_string_append (buf, method);
  g_string_append_c (buf, '\0');
  target_at = buf->len;
  g_string_append (buf, escaped);
  if (query != NULL && *query != '\0')
    {
      g_string_append_c (buf, '?');
      query_at = buf->len;
      g_string_append (buf, query);
    }
  g_string_append_c (buf, '\0');
  if (host != NULL)
    {
      host_at = buf->len;
      g_string_append (buf, host);
      g_string_append_c (buf, '\0');
    }
  name_at = g_newa (gsize, n_fields + 1);
  value_at = g_newa (gsize, n_fields + 1);
  for (guint i = 0; i < n_fields; i++)
    {
      name_at[i] = buf->len;
      g_string_append (buf, names[i]);
      g_string_append_c (buf, '\0');
      value_at[i] = buf->len;
      g_string_append (buf, values[i]);
      g_string_append_c (buf, '\0');
    }

  ex = g_new (SynodHttpExchange, 1);
  synod_http_exchange_init (ex);
  if (!synod_http_normalize_path (escaped, strlen (escaped), ex->path, error))
    {
      synod_http_exchange_free (ex);
      return NULL;
    }
  ex->owned_head = g_string_free (g_steal_pointer (&buf), FALSE);
  ex->head.method_name.ptr = ex->owned_head + method_at;
  ex->head.method_name.len = strlen (method);
  ex->head.method = synod_http_method_from_token (method, ex->head.method_name.len);
  ex->head.target.ptr = ex->owned_head + target_at;
  ex->head.target.len = strlen (ex->head.target.ptr);
  ex->head.path.ptr = ex->head.target.ptr;
  ex->head.path.len = strlen (escaped);
  if (query_at != 0)
    {
      ex->head.query.ptr = ex->owned_head + query_at;
      ex->head.query.len = strlen (query);
      g_string_assign (ex->query, query);
    }
  if (host != NULL)
    {
      ex->head.host.ptr = ex->owned_head + host_at;
      ex->head.host.len = strlen (host);
      g_string_assign (ex->host, host);
    }
  for (guint i = 0; i < n_fields; i++)
    {
      SynodHttpHeader *h = &ex->head.headers[i];

      h->name.ptr = ex->owned_head + name_at[i];
      h->name.len = strlen (h->name.ptr);
      h->value.ptr = ex->owned_head + value_at[i];
      h->value.len = strlen (h->value.ptr);
    }
  ex->head.n_headers = n_fields;
  ex->head.version = version == 10 ? 10 : 11;
  ex->head.content_length = body != NULL ? (gint64)g_bytes_get_size (body) : -1;
  ex->head.keep_alive = TRUE;
  if (body != NULL && g_bytes_get_size (body) > 0)
    ex->body_bytes = g_bytes_ref (body);
  if (remote != NULL)
    g_strlcpy (ex->remote, remote, sizeof ex->remote);
  ex->directory = directory;
  ex->time = g_get_real_time ();
  ex->depth = depth;
  ex->on_finish = on_finish;
  ex->on_finish_data = user_data;
  return ex;
}

/**
 * synod_http_exchange_collect_body:
 * @max: the largest body accepted
 *
 * Returns: (transfer full): the response body as one buffer
 */
GBytes *
synod_http_exchange_collect_body (SynodHttpExchange *ex, gsize max, GError **error)
{
  g_autoptr (GByteArray) out = NULL;

  if (ex->body_len > max)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_LIMIT,
                   _ ("included document larger than %zu bytes"), max);
      return NULL;
    }
  if (ex->segments->len == 1)
    {
      Segment *s = &g_array_index (ex->segments, Segment, 0);

      if (s->kind == SEGMENT_MEMORY)
        return g_bytes_new_from_bytes (
            s->bytes, (gsize)(s->data - (const guint8 *)g_bytes_get_data (s->bytes, NULL)), s->len);
    }
  out = g_byte_array_sized_new ((guint)ex->body_len);
  for (guint i = 0; i < ex->segments->len; i++)
    {
      Segment *s = &g_array_index (ex->segments, Segment, i);

      if (s->kind == SEGMENT_MEMORY)
        g_byte_array_append (out, s->data, (guint)s->len);
      else
        {
          gsize done = 0;
          guint old = out->len;

          g_byte_array_set_size (out, old + (guint)s->len);
          while (done < s->len)
            {
              gssize r
                  = pread (s->fd, out->data + old + done, s->len - done, s->offset + (goffset)done);

              if (r < 0 && errno == EINTR)
                continue;
              if (r <= 0)
                {
                  g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_IO,
                               _ ("could not read an included document: %s"),
                               r < 0 ? g_strerror (errno) : _ ("file shrank"));
                  return NULL;
                }
              done += (gsize)r;
            }
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
