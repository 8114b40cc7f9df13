/* synod-http-parser.h — a strict, incremental, zero-copy HTTP/1.1 request parser.
 *
 * RFC 9112 request heads and message bodies, as a server must read them.
 * The parser never copies: a parsed head points into the caller's buffer,
 * which must stay unchanged while the head is in use. It is incremental: a
 * SynodHttpParser remembers how far it has scanned, so feeding a growing
 * buffer costs O(n) overall, and limits are enforced before the head is
 * complete (a client cannot make the server buffer more than the limits).
 *
 * It is strict where leniency lets two parsers disagree about where a
 * message ends (request smuggling): Content-Length together with
 * Transfer-Encoding, invalid or repeated Content-Length, chunked not the
 * final coding, obs-fold, whitespace before a colon, bare CR, NUL and other
 * control characters, malformed chunk sizes and chunk framing are all
 * rejected with SYNOD_HTTP_ERROR_BAD_REQUEST (400, close the connection).
 * A bare LF is accepted as a line end in the head (RFC 9112 §2.2 allows it,
 * as nginx and lighttpd do) but never in chunk framing.
 */
#pragma once

#include <glib.h>

#include "synod-http-error.h"

G_BEGIN_DECLS

/* Default limits; every one can be changed in SynodHttpLimits. */
#define SYNOD_HTTP_DEFAULT_MAX_REQUEST_LINE 8192  /* bytes, 414 beyond */
#define SYNOD_HTTP_DEFAULT_MAX_HEADER_BYTES 16384 /* whole head, 431 beyond */
#define SYNOD_HTTP_DEFAULT_MAX_HEADERS 100        /* fields, 431 beyond */
#define SYNOD_HTTP_DEFAULT_MAX_BODY (1024 * 1024) /* bytes, 413 beyond */
/* Hard cap on the header count: the parsed head holds a fixed array. */
#define SYNOD_HTTP_MAX_HEADERS_CAP 256
/* Longest method token accepted (no registered method is longer than 17). */
#define SYNOD_HTTP_MAX_METHOD_LEN 32
/* Longest chunk extension, and the most hex digits in a chunk size. */
#define SYNOD_HTTP_MAX_CHUNK_EXT 1024
#define SYNOD_HTTP_MAX_CHUNK_SIZE_DIGITS 16
/* Empty lines tolerated before a request line (RFC 9112 §2.2). */
#define SYNOD_HTTP_MAX_LEADING_EMPTY_LINES 4

/**
 * SynodHttpLimits:
 * @max_request_line: longest request line, CRLF excluded (414 beyond)
 * @max_header_bytes: largest head, request line included (431 beyond);
 *   also bounds a chunked body's trailer section
 * @max_headers: most header fields (431 beyond), at most SYNOD_HTTP_MAX_HEADERS_CAP
 * @max_body: largest request body, decoded (413 beyond)
 */
typedef struct
{
  gsize max_request_line;
  gsize max_header_bytes;
  guint max_headers;
  guint64 max_body;
} SynodHttpLimits;

void synod_http_limits_init_default (SynodHttpLimits *limits);

/**
 * SynodHttpMethod:
 *
 * The methods of RFC 9110 (and PATCH); any other valid token parses as
 * SYNOD_HTTP_METHOD_OTHER (the server answers 501 for it).
 */
typedef enum
{
  SYNOD_HTTP_METHOD_OTHER = 0,
  SYNOD_HTTP_METHOD_GET,
  SYNOD_HTTP_METHOD_HEAD,
  SYNOD_HTTP_METHOD_POST,
  SYNOD_HTTP_METHOD_PUT,
  SYNOD_HTTP_METHOD_DELETE,
  SYNOD_HTTP_METHOD_CONNECT,
  SYNOD_HTTP_METHOD_OPTIONS,
  SYNOD_HTTP_METHOD_TRACE,
  SYNOD_HTTP_METHOD_PATCH,
} SynodHttpMethod;

/* A view into the parsed buffer: not NUL-terminated. */
typedef struct
{
  const gchar *ptr;
  gsize len;
} SynodHttpSlice;

typedef struct
{
  SynodHttpSlice name;
  SynodHttpSlice value; /* leading and trailing whitespace removed */
} SynodHttpHeader;

/**
 * SynodHttpRequestHead:
 * @method: the method, or OTHER
 * @method_name: the method token as sent
 * @target: the request target as sent (origin, absolute, authority or asterisk form)
 * @path: the path part of the target (origin form; for absolute form the path
 *   after the authority, "/" if empty), still percent-encoded
 * @query: the query after '?', without it (len 0 and ptr NULL when absent)
 * @version: 10 for HTTP/1.0, 11 for HTTP/1.1 (and 1.x with x > 1)
 * @headers: the header fields in order
 * @n_headers: number of @headers
 * @host: the authority: from an absolute-form target, else the Host field
 *   (len 0 when there is none)
 * @content_length: the body length, -1 when the body is chunked or absent
 * @chunked: the body is chunked
 * @keep_alive: the connection may carry another request after this one
 * @expect_continue: the client sent Expect: 100-continue
 * @expect_unknown: the client sent another expectation (417)
 * @head_len: bytes of the head in the buffer, empty lines before it and the
 *   final empty line included
 */
typedef struct
{
  SynodHttpMethod method;
  SynodHttpSlice method_name;
  SynodHttpSlice target;
  SynodHttpSlice path;
  SynodHttpSlice query;
  guint version;
  SynodHttpHeader headers[SYNOD_HTTP_MAX_HEADERS_CAP];
  guint n_headers;
  SynodHttpSlice host;
  gint64 content_length;
  gboolean chunked;
  gboolean keep_alive;
  gboolean expect_continue;
  gboolean expect_unknown;
  gsize head_len;
} SynodHttpRequestHead;

typedef enum
{
  SYNOD_HTTP_PARSE_DONE,  /* a complete head was parsed */
  SYNOD_HTTP_PARSE_AGAIN, /* need more bytes */
  SYNOD_HTTP_PARSE_ERROR, /* the request is rejected: see the GError */
} SynodHttpParseResult;

/* Remembers progress over a growing buffer; reset for each request. */
typedef struct
{
  gsize scanned;    /* bytes already searched for the head's end */
  gsize line_start; /* start of the line being scanned */
  gsize start;      /* start of the request line (after empty lines) */
  guint n_lines;    /* lines seen so far (request line included) */
} SynodHttpParser;

void synod_http_parser_reset (SynodHttpParser *parser);

SynodHttpParseResult synod_http_parser_parse_head (SynodHttpParser *parser,
                                                   const SynodHttpLimits *limits, const gchar *buf,
                                                   gsize len, SynodHttpRequestHead *ret_head,
                                                   GError **error);

const SynodHttpSlice *synod_http_request_head_get_header (const SynodHttpRequestHead *head,
                                                          const gchar *name);

SynodHttpMethod synod_http_method_from_token (const gchar *p, gsize n);
gboolean synod_http_is_token (const gchar *text);
gboolean synod_http_is_field_value (const gchar *text);
gboolean synod_http_slice_equal_ci (SynodHttpSlice slice, const gchar *str);
gchar *synod_http_slice_dup (SynodHttpSlice slice);

/* Incremental decoder of a request body (Content-Length or chunked). */
typedef struct
{
  gint state;
  guint64 remaining; /* bytes left in the body or current chunk */
  guint64 total;     /* decoded bytes so far */
  guint64 max_body;
  gsize line_len; /* bytes of the current framing line */
  gsize trailer_bytes;
  guint n_digits;
  guint n_trailers;
  guint max_trailers;
  gsize max_trailer_bytes;
  gboolean saw_cr;
} SynodHttpBodyDecoder;

void synod_http_body_decoder_init (SynodHttpBodyDecoder *decoder, const SynodHttpRequestHead *head,
                                   const SynodHttpLimits *limits);

gboolean synod_http_body_decoder_feed (SynodHttpBodyDecoder *decoder, const guint8 *buf, gsize len,
                                       GByteArray *out, gsize *ret_consumed, gboolean *ret_done,
                                       GError **error);

gboolean synod_http_body_decoder_is_done (const SynodHttpBodyDecoder *decoder);

G_END_DECLS
