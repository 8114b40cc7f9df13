/* synod-http-static.h — URLfileLoader and the document cache.
 *
 * A file loader serves one document tree under one URL prefix. Registered
 * in a URL directory at that prefix, it is asked for every path nothing more
 * specific claims; it resolves the path inside its root (never outside it,
 * symbolic links included), loads the document, creates the document's own
 * handler and registers it at the exact path: the paper's automatic cache.
 * Documents larger than the cache's per-document limit are streamed from the
 * file (sendfile) instead and never registered.
 *
 * The document cache bounds the memory of all loaded documents (and their
 * gzip variants). A document is checked against its file (stat) at most
 * once per revalidation interval; a change drops it and reloads on the spot.
 * See docs/httpd.md for why stat checks rather than a file monitor.
 */
#pragma once

#include "synod-url-directory.h"

G_BEGIN_DECLS

#define SYNOD_HTTP_DEFAULT_CACHE_BYTES (64 * 1024 * 1024)
#define SYNOD_HTTP_DEFAULT_CACHE_DOCUMENT (4 * 1024 * 1024)
#define SYNOD_HTTP_DEFAULT_REVALIDATE_MS 1000
/* Range requests with more specs than this are served whole (200). */
#define SYNOD_HTTP_MAX_RANGES 32
/* Documents smaller than this are not compressed. */
#define SYNOD_HTTP_GZIP_MIN_SIZE 256

typedef struct _SynodHttpDocumentCache SynodHttpDocumentCache;

SynodHttpDocumentCache *synod_http_document_cache_new (guint64 max_bytes, guint64 max_document);
SynodHttpDocumentCache *synod_http_document_cache_ref (SynodHttpDocumentCache *cache);
void synod_http_document_cache_unref (SynodHttpDocumentCache *cache);
guint64 synod_http_document_cache_get_bytes (SynodHttpDocumentCache *cache);
guint synod_http_document_cache_get_n_documents (SynodHttpDocumentCache *cache);
guint64 synod_http_document_cache_get_loads (SynodHttpDocumentCache *cache);

/**
 * SynodHttpDocumentFunc:
 * @document: a document's handler, just loaded, not yet registered
 * @user_data: the config's hook_data
 *
 * Lets the broker classes make the document's object (and set the
 * handler's object and unregistered function) before it is registered.
 */
typedef void (*SynodHttpDocumentFunc) (SynodHttpHandler *document, gpointer user_data);

/**
 * SynodHttpFileLoaderConfig:
 * @index_names: (array zero-terminated=1) (nullable): names tried for a
 *   directory (NULL: index.html, index.shtml)
 * @ssi_suffixes: (array zero-terminated=1) (nullable): names processed as
 *   server-side includes (NULL: .shtml)
 * @revalidate_ms: a cached document is compared with its file at most this
 *   often (0: on every request)
 * @gzip: offer gzip variants of compressible documents
 * @charset: charset of text types (NULL: utf-8)
 * @ssi_max_depth: include nesting limit
 * @document_loaded: (nullable): called for each document loaded
 * @hook_data: for @document_loaded
 */
typedef struct
{
  const gchar *const *index_names;
  const gchar *const *ssi_suffixes;
  guint revalidate_ms;
  gboolean gzip;
  const gchar *charset;
  guint ssi_max_depth;
  SynodHttpDocumentFunc document_loaded;
  gpointer hook_data;
} SynodHttpFileLoaderConfig;

void synod_http_file_loader_config_init (SynodHttpFileLoaderConfig *config);

SynodHttpHandler *synod_http_file_loader_new (SynodUrlDirectory *directory, const gchar *prefix,
                                              const gchar *root, SynodHttpDocumentCache *cache,
                                              const SynodHttpFileLoaderConfig *config,
                                              GError **error);

gboolean synod_http_handler_is_file_loader (SynodHttpHandler *handler);
gboolean synod_http_handler_is_document (SynodHttpHandler *handler);
gboolean synod_http_file_loader_load (SynodHttpHandler *loader, const gchar *path,
                                      SynodHttpHandler **ret_document, GError **error);
const gchar *synod_http_file_loader_get_prefix (SynodHttpHandler *loader);
const gchar *synod_http_file_loader_get_root (SynodHttpHandler *loader);
SynodHttpDocumentCache *synod_http_file_loader_get_cache (SynodHttpHandler *loader);
guint synod_http_file_loader_count_documents (SynodHttpHandler *loader);
guint synod_http_file_loader_flush (SynodHttpHandler *loader);

/**
 * SynodHttpDocumentInfo:
 *
 * What a loaded document is (Standard.HTTPdocument.info).
 */
typedef struct
{
  const gchar *path;
  const gchar *file;
  const gchar *media_type;
  const gchar *etag;
  guint64 size;
  gint64 modified;
  gboolean ssi;
  gboolean gzip;
  SynodUrlDirectory *directory;
} SynodHttpDocumentInfo;

void synod_http_document_get_info (SynodHttpHandler *document, SynodHttpDocumentInfo *ret_info);
void synod_http_file_loader_hold_directory (SynodHttpHandler *loader);
void synod_http_file_loader_release_directory (SynodHttpHandler *loader);
SynodUrlDirectory *synod_http_document_ref_directory (SynodHttpHandler *document);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodHttpDocumentCache, synod_http_document_cache_unref)

G_END_DECLS
