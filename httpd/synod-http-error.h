/* synod-http-error.h — the HTTP layer's error domain.
 *
 * Every failure of the HTTP layer (a hostile request, a missing document, a
 * hit limit) is a GError in SYNOD_HTTP_ERROR. Codes that come from a client's
 * request map to exactly one HTTP status (synod_http_error_to_status()), and
 * synod_http_error_must_close() says whether the connection can be trusted
 * for another request afterwards: a framing error leaves the byte stream in
 * an unknown state, so the connection is closed after the answer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SYNOD_HTTP_ERROR (synod_http_error_quark ())
GQuark synod_http_error_quark (void);

/**
 * SynodHttpError:
 * @SYNOD_HTTP_ERROR_FAILED: unspecified failure (500)
 * @SYNOD_HTTP_ERROR_BAD_REQUEST: malformed request line, header or body
 *   framing, or an attempt at request smuggling (400, close)
 * @SYNOD_HTTP_ERROR_URI_TOO_LONG: request line longer than the limit (414, close)
 * @SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE: header section too large, or too many
 *   header fields (431, close)
 * @SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE: body larger than the limit (413, close)
 * @SYNOD_HTTP_ERROR_VERSION_NOT_SUPPORTED: HTTP major version other than 1 (505, close)
 * @SYNOD_HTTP_ERROR_NOT_IMPLEMENTED: a transfer coding or method this server
 *   does not implement (501)
 * @SYNOD_HTTP_ERROR_EXPECTATION_FAILED: an Expect other than 100-continue (417)
 * @SYNOD_HTTP_ERROR_NOT_FOUND: no document or handler for the target (404)
 * @SYNOD_HTTP_ERROR_FORBIDDEN: the target exists but may not be served (403)
 * @SYNOD_HTTP_ERROR_METHOD_NOT_ALLOWED: a known method the resource does not
 *   support (405)
 * @SYNOD_HTTP_ERROR_TIMEOUT: a deadline passed (request head, body, send) (408, close)
 * @SYNOD_HTTP_ERROR_IO: a socket or file operation failed
 * @SYNOD_HTTP_ERROR_LIMIT: a configured limit of the server was hit
 *   (connections, cache size, include depth) (503)
 * @SYNOD_HTTP_ERROR_CONFIG: invalid configuration
 * @SYNOD_HTTP_ERROR_SSI: a server-side include directive failed
 */
typedef enum
{
  SYNOD_HTTP_ERROR_FAILED,
  SYNOD_HTTP_ERROR_BAD_REQUEST,
  SYNOD_HTTP_ERROR_URI_TOO_LONG,
  SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE,
  SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE,
  SYNOD_HTTP_ERROR_VERSION_NOT_SUPPORTED,
  SYNOD_HTTP_ERROR_NOT_IMPLEMENTED,
  SYNOD_HTTP_ERROR_EXPECTATION_FAILED,
  SYNOD_HTTP_ERROR_NOT_FOUND,
  SYNOD_HTTP_ERROR_FORBIDDEN,
  SYNOD_HTTP_ERROR_METHOD_NOT_ALLOWED,
  SYNOD_HTTP_ERROR_TIMEOUT,
  SYNOD_HTTP_ERROR_IO,
  SYNOD_HTTP_ERROR_LIMIT,
  SYNOD_HTTP_ERROR_CONFIG,
  SYNOD_HTTP_ERROR_SSI,
} SynodHttpError;

guint synod_http_error_to_status (const GError *error);
gboolean synod_http_error_must_close (const GError *error);

G_END_DECLS
