/* synod-http-util.h — HTTP dates, media types, and list-valued fields. */
#pragma once

#include "synod-http-parser.h"

G_BEGIN_DECLS

#define SYNOD_HTTP_DATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

void synod_http_date_format (gint64 unix_seconds, gchar buf[SYNOD_HTTP_DATE_LEN + 1]);
gboolean synod_http_date_parse (const gchar *text, gsize len, gint64 *ret_unix_seconds);

const gchar *synod_http_media_type_for_name (const gchar *file_name, gboolean *ret_is_text);
gboolean synod_http_media_type_is_compressible (const gchar *media_type);

gboolean synod_http_accepts_gzip (const SynodHttpSlice *accept_encoding);
gboolean synod_http_etag_list_matches (SynodHttpSlice list, const gchar *etag, gboolean weak);

G_END_DECLS
