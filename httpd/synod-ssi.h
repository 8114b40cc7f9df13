/* synod-ssi.h — server-side includes, as Apache's mod_include defines them.
 *
 * Directives: include (virtual, through the site's URL directory so any
 * handler can be included, and file, relative to the including document),
 * echo (encoding=entity|url|none, entity by default), set, if/elif/else/endif
 * with string comparison, numeric-free Apache expressions and GRegex regular
 * expressions, config (errmsg, timefmt, sizefmt), fsize, flastmod, printenv.
 * exec is refused. Variables: DOCUMENT_URI, DOCUMENT_NAME, DOCUMENT_ROOT,
 * DATE_LOCAL, DATE_GMT, LAST_MODIFIED, QUERY_STRING, QUERY_STRING_UNESCAPED,
 * REQUEST_METHOD, REQUEST_URI, SERVER_PROTOCOL, REMOTE_ADDR, HTTP_HOST,
 * HTTP_USER_AGENT, HTTP_REFERER, USER_NAME, plus those set by the page.
 * A failing directive prints the errmsg and processing goes on, as in Apache.
 */
#pragma once

#include "synod-http-handler.h"

G_BEGIN_DECLS

#define SYNOD_SSI_DEFAULT_MAX_DEPTH 8
#define SYNOD_SSI_DEFAULT_MAX_OUTPUT (8 * 1024 * 1024)
#define SYNOD_SSI_MAX_DIRECTIVE 4096
#define SYNOD_SSI_MAX_NESTING 64

typedef struct
{
  const gchar *doc_root;  /* file includes, fsize and flastmod stay inside it */
  const gchar *file_path; /* the template's file, for relative "file" includes */
  gint64 last_modified;   /* the template's mtime (seconds) */
  guint max_depth;        /* includes within includes */
  gsize max_output;
} SynodSsiContext;

typedef void (*SynodSsiDoneFunc) (GBytes *output, GError *error, gpointer user_data);

void synod_ssi_render (SynodHttpExchange *exchange, GBytes *source, const SynodSsiContext *context,
                       SynodSsiDoneFunc done, gpointer user_data);

G_END_DECLS
