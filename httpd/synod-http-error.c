/* synod-http-error.c — the SYNOD_HTTP_ERROR domain and its status mapping. */
#include "config.h"

#include "synod-http-error.h"

G_DEFINE_QUARK (synod - http - error - quark, synod_http_error)

/**
 * synod_http_error_to_status:
 * @error: an error, of any domain
 *
 * Returns: the HTTP status that answers a request which failed with @error
 *   (500 for errors of other domains)
 */
guint
synod_http_error_to_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, 500);
  if (error->domain != SYNOD_HTTP_ERROR)
    return 500;
  switch ((SynodHttpError)error->code)
    {
      case SYNOD_HTTP_ERROR_BAD_REQUEST:
        return 400;
      case SYNOD_HTTP_ERROR_URI_TOO_LONG:
        return 414;
      case SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE:
        return 431;
      case SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE:
        return 413;
      case SYNOD_HTTP_ERROR_VERSION_NOT_SUPPORTED:
        return 505;
      case SYNOD_HTTP_ERROR_NOT_IMPLEMENTED:
        return 501;
      case SYNOD_HTTP_ERROR_EXPECTATION_FAILED:
        return 417;
      case SYNOD_HTTP_ERROR_NOT_FOUND:
        return 404;
      case SYNOD_HTTP_ERROR_FORBIDDEN:
        return 403;
      case SYNOD_HTTP_ERROR_METHOD_NOT_ALLOWED:
        return 405;
      case SYNOD_HTTP_ERROR_TIMEOUT:
        return 408;
      case SYNOD_HTTP_ERROR_LIMIT:
        return 503;
      case SYNOD_HTTP_ERROR_FAILED:
      case SYNOD_HTTP_ERROR_IO:
      case SYNOD_HTTP_ERROR_CONFIG:
      case SYNOD_HTTP_ERROR_SSI:
      default:
        return 500;
    }
}

/**
 * synod_http_error_must_close:
 * @error: an error from parsing or serving a request
 *
 * Returns: %TRUE when the connection must be closed after the error answer,
 *   because the request's framing can no longer be trusted (RFC 9112 §6.3,
 *   §11.2) or a deadline passed
 */
gboolean
synod_http_error_must_close (const GError *error)
{
  g_return_val_if_fail (error != NULL, TRUE);
  if (error->domain != SYNOD_HTTP_ERROR)
    return FALSE;
  switch ((SynodHttpError)error->code)
    {
      case SYNOD_HTTP_ERROR_BAD_REQUEST:
      case SYNOD_HTTP_ERROR_URI_TOO_LONG:
      case SYNOD_HTTP_ERROR_HEADERS_TOO_LARGE:
      case SYNOD_HTTP_ERROR_PAYLOAD_TOO_LARGE:
      case SYNOD_HTTP_ERROR_VERSION_NOT_SUPPORTED:
      case SYNOD_HTTP_ERROR_NOT_IMPLEMENTED:
      case SYNOD_HTTP_ERROR_EXPECTATION_FAILED:
      case SYNOD_HTTP_ERROR_TIMEOUT:
      case SYNOD_HTTP_ERROR_IO:
        return TRUE;
      default:
        return FALSE;
    }
}
