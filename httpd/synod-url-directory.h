/* synod-url-directory.h — URLdirectory: which handler serves a URI.
 *
 * A longest-prefix map from URI paths to handlers. A prefix registration at
 * "/a/b" serves "/a/b" and everything under "/a/b/"; one at "/a/" serves
 * everything under "/a/"; an exact registration serves its path only. An
 * exact match wins, then the longest prefix. The paper's
 * automatic cache falls out of that rule: a URLfileLoader registered at a
 * prefix is asked for every path under it that nothing more specific claims,
 * loads the document, and registers the document's own handler at its exact
 * path, so the next request goes straight to the document.
 *
 * Lookups take a reader lock and allocate nothing; the directory is shared
 * by every worker thread.
 */
#pragma once

#include "synod-http-handler.h"

G_BEGIN_DECLS

/* Default cap on registrations (each cached document is one). */
#define SYNOD_URL_DIRECTORY_DEFAULT_MAX_ENTRIES 100000

SynodUrlDirectory *synod_url_directory_new (guint max_entries);
SynodUrlDirectory *synod_url_directory_ref (SynodUrlDirectory *directory);
void synod_url_directory_unref (SynodUrlDirectory *directory);

/**
 * SynodUrlMatch:
 * @SYNOD_URL_MATCH_PREFIX: the registration serves its path and its subtree
 * @SYNOD_URL_MATCH_EXACT: the registration serves its path only (a document)
 */
typedef enum
{
  SYNOD_URL_MATCH_PREFIX,
  SYNOD_URL_MATCH_EXACT,
} SynodUrlMatch;

gboolean synod_url_directory_register (SynodUrlDirectory *directory, const gchar *path,
                                       SynodUrlMatch match, SynodHttpHandler *handler,
                                       GError **error);
gboolean synod_url_directory_forget (SynodUrlDirectory *directory, const gchar *path,
                                     SynodUrlMatch match, SynodHttpHandler *only_if);
SynodHttpHandler *synod_url_directory_lookup (SynodUrlDirectory *directory, const gchar *path,
                                              gsize path_len, gchar **ret_prefix);
SynodHttpHandler *synod_url_directory_lookup_full (SynodUrlDirectory *directory, const gchar *path,
                                                   gsize path_len, gchar **ret_prefix,
                                                   SynodUrlMatch *ret_match);
guint synod_url_directory_get_size (SynodUrlDirectory *directory);

/**
 * SynodUrlEntry:
 * @path: the registered path
 * @match: its kind
 * @handler: who serves it (a reference)
 */
typedef struct
{
  gchar *path;
  SynodUrlMatch match;
  SynodHttpHandler *handler;
} SynodUrlEntry;

GPtrArray *synod_url_directory_list (SynodUrlDirectory *directory);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodUrlDirectory, synod_url_directory_unref)

G_END_DECLS
