/* synod-url-directory-class.c — the classes Standard.URLdirectory,
 * Standard.URLfileLoader and Standard.HTTPdocument.
 *
 * Each wraps the engine's C structure of the same role: a URLdirectory
 * object owns a SynodUrlDirectory, a URLfileLoader object a loader handler,
 * an HTTPdocument object a cached document's handler. Serving a request
 * takes no invocation when the directory's entry is one of these (a
 * document, a loader): the engine calls the C handler the entry holds. An
 * entry whose target is any other object holds an object handler
 * (synod-http-gateway.c), which invokes Standard.HTTPhandler on it.
 *
 * Documents: the loader makes a document's object as it loads it and
 * registers the document; when the entry leaves the directory (the file
 * changed, the cache evicted it, the directory went) the object is
 * deleted. So a document's Id names one version of one file, and
 * URLdirectory.lookup tells which object serves a URI now.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-http-objects-private.h"

/* How long Standard.HTTPdocument.handle waits for a document that answers
 * later (an SSI page whose includes are objects). */
#define DOCUMENT_WAIT_MS SYNOD_HTTP_DEFAULT_HANDLER_TIMEOUT_MS

/* ---- paths ---- */

/* A path as the directory stores it: decoded, absolute, without empty,
 * "." or ".." segments and without control characters. */
static gboolean
check_path (const gchar *path, GError **error)
{
  if (path == NULL || path[0] != '/')
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("URL directory path “%s” does not start with “/”"), path ? path : "");
      return FALSE;
    }
  if (strlen (path) > STANDARD_HTTP_PATH_MAX)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("URL directory path longer than %u bytes"), STANDARD_HTTP_PATH_MAX);
      return FALSE;
    }
  for (const gchar *p = path; *p != '\0'; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                     _ ("URL directory path has a control character"));
        return FALSE;
      }
  {
    g_auto (GStrv) segments = g_strsplit (path + 1, "/", -1);
    guint n = g_strv_length (segments);

    for (guint i = 0; i < n; i++)
      {
        const gchar *seg = segments[i];

        if ((seg[0] == '\0' && i + 1 < n) || strcmp (seg, ".") == 0 || strcmp (seg, "..") == 0)
          {
            g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                         _ ("URL directory path “%s” is not normalized (empty, “.” or “..” "
                            "segment)"),
                         path);
            return FALSE;
          }
      }
  }
  return TRUE;
}

/* What the directory's entry says about its target. */
static void
entry_fill (StandardURLEntry *e, const gchar *path, SynodUrlMatch match, SynodHttpHandler *h)
{
  SynodHttpHandlerRole role = SYNOD_HTTP_HANDLER_ROLE_HANDLER;
  SynodRef *ref = synod_http_handler_get_object (h, &role);

  e->path = g_strdup (path);
  e->match = match == SYNOD_URL_MATCH_EXACT ? STANDARD_URL_MATCH_EXACT : STANDARD_URL_MATCH_PREFIX;
  e->role = role == SYNOD_HTTP_HANDLER_ROLE_LOADER ? STANDARD_URL_ROLE_LOADER
                                                   : STANDARD_URL_ROLE_HANDLER;
  e->service
      = g_strdup (ref != NULL && synod_ref_get_name (ref) != NULL ? synod_ref_get_name (ref) : "");
  if (ref != NULL && synod_ref_get_id (ref) != NULL)
    e->target = *synod_ref_get_id (ref);
}

/* ---- Standard.URLdirectory ---- */

typedef SynodHttpDirectoryInstance Directory;

static gboolean
directory_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                  GError **error)
{
  Directory *self = instance;
  SynodHttpInit *init = synod_http_init_get ();
  guint max_entries = 0, timeout_ms = 0;

  self->rt = synod_http_runtime_ref (class_data);
  if (init != NULL && init->directory != NULL)
    {
      self->site = synod_http_site_ref (init->site);
      self->directory = synod_url_directory_ref (init->directory);
      return TRUE;
    }
  /* A directory of its own, attached to no daemon yet. */
  if (params != NULL)
    {
      GVariantIter it;
      const gchar *key;
      GVariant *value;

      if (!g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT))
        {
          g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                       _ ("URLdirectory parameters must be a{sv}, not %s"),
                       g_variant_get_type_string (params));
          goto fail;
        }
      g_variant_iter_init (&it, params);
      while (g_variant_iter_loop (&it, "{&sv}", &key, &value))
        {
          guint *slot = strcmp (key, "max-entries") == 0          ? &max_entries
                        : strcmp (key, "handler-timeout-ms") == 0 ? &timeout_ms
                                                                  : NULL;

          if (slot == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
            {
              g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                           _ ("URLdirectory parameter “%s”: unknown, or not of type u"), key);
              g_variant_unref (value);
              goto fail;
            }
          *slot = g_variant_get_uint32 (value);
        }
    }
  self->site = synod_http_site_new (self->rt, timeout_ms);
  self->directory = synod_url_directory_new (max_entries);
  return TRUE;

fail:
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
  return FALSE;
}

static void
directory_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  Directory *self = instance;

  g_clear_pointer (&self->directory, synod_url_directory_unref);
  g_clear_pointer (&self->site, synod_http_site_unref);
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
}

static gboolean
directory_lookup (gpointer instance, SynodCall *call, const gchar *uri,
                  StandardURLLookup *ret_result, GError **error)
{
  Directory *self = instance;
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (SynodHttpHandler) h = NULL;
  g_autofree gchar *prefix = NULL;
  SynodUrlMatch match = SYNOD_URL_MATCH_PREFIX;
  const gchar *q = strchr (uri, '?');

  if (!synod_http_normalize_path (uri, q != NULL ? (gsize)(q - uri) : strlen (uri), path, error))
    return FALSE;
  h = synod_url_directory_lookup_full (self->directory, path->str, path->len, &prefix, &match);
  ret_result->found = h != NULL;
  if (h != NULL)
    entry_fill (&ret_result->u.entry, prefix, match, h);
  return TRUE;
}

static SynodUrlMatch
match_from_idl (StandardURLMatch match)
{
  return match == STANDARD_URL_MATCH_EXACT ? SYNOD_URL_MATCH_EXACT : SYNOD_URL_MATCH_PREFIX;
}

static gboolean
directory_register_ref (Directory *self, const gchar *path, StandardURLMatch match, SynodRef *ref,
                        SynodHttpHandlerRole role, GError **error)
{
  g_autoptr (SynodHttpHandler) h = NULL;

  if (!check_path (path, error))
    return FALSE;
  h = synod_http_object_handler_new (self->site, ref, role);
  return synod_url_directory_register (self->directory, path, match_from_idl (match), h, error);
}

static gboolean
directory_register (gpointer instance, SynodCall *call, const gchar *path, StandardURLMatch match,
                    const SynodObjectId *target, GError **error)
{
  Directory *self = instance;
  g_autoptr (SynodRef) ref = NULL;

  if (synod_object_id_is_null (target))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("the null Id names no object"));
      return FALSE;
    }
  ref = synod_ref_new_for_id (synod_call_get_broker (call), target);
  return directory_register_ref (self, path, match, ref, SYNOD_HTTP_HANDLER_ROLE_HANDLER, error);
}

static gboolean
directory_register_service (gpointer instance, SynodCall *call, const gchar *path,
                            StandardURLMatch match, const gchar *service, GError **error)
{
  Directory *self = instance;
  g_autoptr (SynodRef) ref = NULL;

  if (!synod_broker_is_valid_service_name (service))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("“%s” is not a valid service name"), service);
      return FALSE;
    }
  ref = synod_ref_new_for_name (synod_call_get_broker (call), service);
  return directory_register_ref (self, path, match, ref, SYNOD_HTTP_HANDLER_ROLE_HANDLER, error);
}

static gboolean
directory_register_loader (gpointer instance, SynodCall *call, const gchar *path,
                           const SynodObjectId *loader, GError **error)
{
  Directory *self = instance;
  SynodBroker *broker = synod_call_get_broker (call);
  g_autoptr (SynodObject) local = synod_broker_lookup_object (broker, loader);
  g_autoptr (SynodRef) ref = NULL;

  if (!check_path (path, error))
    return FALSE;
  /* One of our own loaders, for its own prefix in its own directory: its
   * C handler goes in the entry, and misses cost no invocation. */
  if (local != NULL && synod_object_get_class (local) == self->rt->loader_class)
    {
      SynodHttpLoaderInstance *l = synod_object_get_instance (local);

      if (l->loader != NULL && l->directory == self->directory
          && strcmp (synod_http_file_loader_get_prefix (l->loader), path) == 0)
        return synod_url_directory_register (self->directory, path, SYNOD_URL_MATCH_PREFIX,
                                             l->loader, error);
    }
  if (synod_object_id_is_null (loader))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("the null Id names no object"));
      return FALSE;
    }
  ref = synod_ref_new_for_id (broker, loader);
  return directory_register_ref (self, path, STANDARD_URL_MATCH_PREFIX, ref,
                                 SYNOD_HTTP_HANDLER_ROLE_LOADER, error);
}

static gboolean
directory_forget (gpointer instance, SynodCall *call, const gchar *path, StandardURLMatch match,
                  gboolean *ret_result, GError **error)
{
  Directory *self = instance;

  *ret_result = synod_url_directory_forget (self->directory, path, match_from_idl (match), NULL);
  return TRUE;
}

static gboolean
directory_list (gpointer instance, SynodCall *call, guint32 offset, guint32 count,
                StandardURLEntries *ret_result, GError **error)
{
  Directory *self = instance;
  g_autoptr (GPtrArray) all = synod_url_directory_list (self->directory);
  guint n;

  count = MIN (count, STANDARD_URL_LIST_MAX);
  n = offset < all->len ? MIN (count, all->len - offset) : 0;
  ret_result->len = n;
  ret_result->val = g_new0 (StandardURLEntry, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      SynodUrlEntry *e = all->pdata[offset + i];

      entry_fill (&ret_result->val[i], e->path, e->match, e->handler);
    }
  return TRUE;
}

static gboolean
directory_size (gpointer instance, SynodCall *call, guint32 *ret_result, GError **error)
{
  Directory *self = instance;

  *ret_result = synod_url_directory_get_size (self->directory);
  return TRUE;
}

static const StandardURLDirectoryIface directory_vtable = {
  .lookup = directory_lookup,
  .register_ = directory_register,
  .register_service = directory_register_service,
  .register_loader = directory_register_loader,
  .forget = directory_forget,
  .list = directory_list,
  .size = directory_size,
};

/**
 * synod_http_directory_create:
 * @directory: the C directory the object stands for (referenced)
 *
 * Returns: (transfer full): a Standard.URLdirectory object for @directory
 */
SynodObject *
synod_http_directory_create (SynodHttpRuntime *rt, SynodHttpSite *site,
                             SynodUrlDirectory *directory, GError **error)
{
  SynodHttpInit init = { .site = site, .directory = directory };
  SynodObject *object;

  synod_http_init_set (&init);
  object = synod_broker_create_object_of_class (rt->broker, rt->directory_class, NULL, error);
  synod_http_init_set (NULL);
  return object;
}

/* ---- Standard.HTTPdocument ---- */

typedef struct
{
  SynodHttpRuntime *rt;
  SynodHttpHandler *document;
} Document;

static void
document_unregistered (SynodHttpHandler *handler, gpointer user_data)
{
  synod_object_delete (user_data, NULL);
}

/* The loader's hook: a document was just loaded; make its object. */
static void
document_loaded (SynodHttpHandler *handler, gpointer user_data)
{
  SynodHttpRuntime *rt = user_data;
  SynodHttpInit init = { .handler = handler };
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) ref = NULL;
  SynodObject *object;

  synod_http_init_set (&init);
  object = synod_broker_create_object_of_class (rt->broker, rt->document_class, NULL, &error);
  synod_http_init_set (NULL);
  if (object == NULL)
    {
      g_warning ("no object for a loaded document: %s", error->message);
      return;
    }
  ref = synod_ref_new_for_object (object);
  synod_http_handler_set_object (handler, ref, SYNOD_HTTP_HANDLER_ROLE_HANDLER);
  synod_http_handler_set_unregistered_func (handler, document_unregistered, object,
                                            (GDestroyNotify)synod_object_unref);
}

static gboolean
document_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                 GError **error)
{
  Document *self = instance;
  SynodHttpInit *init = synod_http_init_get ();

  if (init == NULL || init->handler == NULL || !synod_http_handler_is_document (init->handler))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("documents are made by their URLfileLoader, not created directly"));
      return FALSE;
    }
  self->rt = synod_http_runtime_ref (class_data);
  self->document = synod_http_handler_ref (init->handler);
  return TRUE;
}

static void
document_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  Document *self = instance;

  g_clear_pointer (&self->document, synod_http_handler_unref);
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
}

typedef struct
{
  gint refs;
  GMutex lock;
  GCond cond;
  gboolean done;
  SynodHttpExchange *ex;
  SynodUrlDirectory *directory; /* alive as long as the exchange */
} Waiter;

static void
waiter_unref (Waiter *w)
{
  if (!g_atomic_int_dec_and_test (&w->refs))
    return;
  synod_http_exchange_free (w->ex);
  synod_url_directory_unref (w->directory);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

static void
waiter_finished (SynodHttpExchange *ex, gpointer user_data)
{
  Waiter *w = user_data;

  g_mutex_lock (&w->lock);
  w->done = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  waiter_unref (w);
}

/* The response fields the engine collected ("Name: value\r\n" lines). */
static void
fields_from_lines (const GString *lines, StandardHTTPFields *out)
{
  g_auto (GStrv) split = g_strsplit (lines->str, "\r\n", -1);
  guint n = 0;

  out->val = g_new0 (StandardHTTPField, MAX (g_strv_length (split), 1));
  for (guint i = 0; split[i] != NULL && n < STANDARD_HTTP_FIELDS_MAX; i++)
    {
      const gchar *colon = strchr (split[i], ':');

      if (colon == NULL)
        continue;
      out->val[n].name = g_strndup (split[i], (gsize)(colon - split[i]));
      out->val[n].value = g_strdup (colon[1] == ' ' ? colon + 2 : colon + 1);
      n++;
    }
  out->len = n;
}

static gboolean
document_handle (gpointer instance, SynodCall *call, const StandardHTTPRequest *request,
                 StandardHTTPResponse *ret_result, GError **error)
{
  Document *self = instance;
  SynodHttpDocumentInfo info;
  g_autofree const gchar **names = g_new0 (const gchar *, request->fields.len + 1);
  g_autofree const gchar **values = g_new0 (const gchar *, request->fields.len + 1);
  g_autoptr (GBytes) body = g_bytes_new (request->body.val, request->body.len);
  g_autoptr (SynodUrlDirectory) directory = synod_http_document_ref_directory (self->document);
  Waiter *w;
  SynodHttpExchange *ex;
  gint64 until = g_get_monotonic_time () + (gint64)DOCUMENT_WAIT_MS * 1000;
  gboolean done;

  /* The document runs with its directory (revalidation, eviction, SSI
   * includes), which must outlive the call: a site going away has
   * released it. */
  if (directory == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_OBJECT_DELETED,
                   _ ("the document's site is going away"));
      return FALSE;
    }
  w = g_new0 (Waiter, 1);
  synod_http_document_get_info (self->document, &info);
  for (guint i = 0; i < request->fields.len; i++)
    {
      names[i] = request->fields.val[i].name;
      values[i] = request->fields.val[i].value;
    }
  ex = synod_http_exchange_new_detached (request->method, request->path, request->query, names,
                                         values, request->fields.len, body, request->host,
                                         request->peer, request->version, request->depth, directory,
                                         waiter_finished, w, error);
  if (ex == NULL)
    {
      g_free (w);
      return FALSE;
    }
  g_free (ex->mount_prefix);
  ex->mount_prefix = g_strdup (request->prefix);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->refs = 2; /* this method, the finish */
  w->ex = ex;
  w->directory = synod_url_directory_ref (directory);
  synod_http_exchange_dispatch (ex, self->document);
  g_mutex_lock (&w->lock);
  while (!w->done)
    if (!g_cond_wait_until (&w->cond, &w->lock, until))
      break;
  done = w->done;
  g_mutex_unlock (&w->lock);
  if (!done)
    {
      /* The exchange stays with the handler, which frees it when done. */
      waiter_unref (w);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                   _ ("the document did not answer within %u ms"), DOCUMENT_WAIT_MS);
      return FALSE;
    }
  ret_result->status = synod_http_exchange_get_status (ex);
  fields_from_lines (ex->headers, &ret_result->fields);
  if (ex->head.method != SYNOD_HTTP_METHOD_HEAD && ret_result->status != 304
      && ret_result->status != 204)
    {
      g_autoptr (GBytes) out = synod_http_exchange_collect_body (ex, STANDARD_HTTP_BODY_MAX, error);

      if (out == NULL)
        {
          standard_http_response_clear (ret_result);
          waiter_unref (w);
          return FALSE;
        }
      ret_result->body.len = (guint32)g_bytes_get_size (out);
      ret_result->body.val = g_memdup2 (g_bytes_get_data (out, NULL), ret_result->body.len);
    }
  waiter_unref (w);
  return TRUE;
}

static gboolean
document_info (gpointer instance, SynodCall *call, StandardHTTPDocumentInfo *ret_result,
               GError **error)
{
  Document *self = instance;
  SynodHttpDocumentInfo info;

  synod_http_document_get_info (self->document, &info);
  ret_result->path = g_strdup (info.path);
  ret_result->file = g_strdup (info.file);
  ret_result->media_type = g_strdup (info.media_type);
  ret_result->etag = g_strdup (info.etag);
  ret_result->size = info.size;
  ret_result->modified = info.modified;
  ret_result->ssi = info.ssi;
  ret_result->gzip = info.gzip;
  return TRUE;
}

static const StandardHTTPHandlerIface document_handler_vtable = { .handle = document_handle };
static const StandardHTTPDocumentIface document_vtable = { .info = document_info };

/* ---- Standard.URLfileLoader ---- */

typedef SynodHttpLoaderInstance Loader;

static gboolean
loader_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
               GError **error)
{
  Loader *self = instance;
  SynodHttpInit *init = synod_http_init_get ();

  self->rt = synod_http_runtime_ref (class_data);
  if (init != NULL && init->handler != NULL && init->directory != NULL && init->owner != NULL)
    {
      self->loader = synod_http_handler_ref (init->handler);
      synod_http_file_loader_hold_directory (self->loader);
      self->directory = synod_url_directory_ref (init->directory);
      self->directory_id = *synod_object_get_id (init->owner);
      return TRUE;
    }
  /* Created by hand: { "directory": s (a local URLdirectory's Id),
   * "root": s, "prefix": s }, and the loader settings of HTTPdaemon. */
  {
    const gchar *dir_text = NULL, *root = NULL, *prefix = "/";
    g_autoptr (SynodObject) dir_object = NULL;
    SynodObjectId dir_id;
    SynodHttpFileLoaderConfig lc;
    g_autoptr (SynodHttpDocumentCache) cache = NULL;
    g_autoptr (SynodHttpHandler) h = NULL;
    Directory *dir;

    synod_http_file_loader_config_init (&lc);
    if (params == NULL || !g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT)
        || !g_variant_lookup (params, "directory", "&s", &dir_text)
        || !g_variant_lookup (params, "root", "&s", &root))
      {
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                     _ ("a URLfileLoader needs the parameters “directory” (the Id of a "
                        "URLdirectory on this peer) and “root” (a document root), as strings"));
        goto fail;
      }
    g_variant_lookup (params, "prefix", "&s", &prefix);
    if (!synod_object_id_parse (dir_text, &dir_id, error))
      goto fail;
    dir_object = synod_broker_lookup_object (self->rt->broker, &dir_id);
    if (dir_object == NULL || synod_object_get_class (dir_object) != self->rt->directory_class)
      {
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                     _ ("%s is not a URLdirectory on this peer"), dir_text);
        goto fail;
      }
    if (!check_path (prefix, error))
      goto fail;
    dir = synod_object_get_instance (dir_object);
    lc.document_loaded = document_loaded;
    lc.hook_data = self->rt;
    cache = synod_http_document_cache_new (0, 0);
    h = synod_http_file_loader_new (dir->directory, prefix, root, cache, &lc, error);
    if (h == NULL)
      goto fail;
    {
      g_autoptr (SynodRef) ref
          = synod_ref_new_for_id (self->rt->broker, synod_object_get_id (object));

      synod_http_handler_set_object (h, ref, SYNOD_HTTP_HANDLER_ROLE_LOADER);
    }
    if (!synod_url_directory_register (dir->directory, prefix, SYNOD_URL_MATCH_PREFIX, h, error))
      goto fail;
    self->loader = g_steal_pointer (&h);
    synod_http_file_loader_hold_directory (self->loader);
    self->directory = synod_url_directory_ref (dir->directory);
    self->directory_id = dir_id;
    return TRUE;
  }

fail:
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
  return FALSE;
}

static void
loader_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  Loader *self = instance;

  if (self->loader != NULL)
    synod_http_file_loader_release_directory (self->loader);
  g_clear_pointer (&self->loader, synod_http_handler_unref);
  g_clear_pointer (&self->directory, synod_url_directory_unref);
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
}

static gboolean
loader_load (gpointer instance, SynodCall *call, const gchar *uri, StandardURLEntry *ret_result,
             GError **error)
{
  Loader *self = instance;
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (SynodHttpHandler) doc = NULL;
  const gchar *q = strchr (uri, '?');

  if (!synod_http_normalize_path (uri, q != NULL ? (gsize)(q - uri) : strlen (uri), path, error))
    return FALSE;
  if (!g_str_has_prefix (path->str, synod_http_file_loader_get_prefix (self->loader)))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_NOT_FOUND,
                   _ ("“%s” is not under this loader's prefix “%s”"), path->str,
                   synod_http_file_loader_get_prefix (self->loader));
      return FALSE;
    }
  if (!synod_http_file_loader_load (self->loader, path->str, &doc, error))
    return FALSE;
  entry_fill (ret_result, path->str, SYNOD_URL_MATCH_EXACT, doc);
  return TRUE;
}

static gboolean
loader_info (gpointer instance, SynodCall *call, StandardURLFileLoaderInfo *ret_result,
             GError **error)
{
  Loader *self = instance;
  SynodHttpDocumentCache *cache = synod_http_file_loader_get_cache (self->loader);

  ret_result->prefix = g_strdup (synod_http_file_loader_get_prefix (self->loader));
  ret_result->root = g_strdup (synod_http_file_loader_get_root (self->loader));
  ret_result->directory = self->directory_id;
  ret_result->documents = synod_http_file_loader_count_documents (self->loader);
  ret_result->cache_bytes = synod_http_document_cache_get_bytes (cache);
  ret_result->loads = synod_http_document_cache_get_loads (cache);
  return TRUE;
}

static gboolean
loader_flush (gpointer instance, SynodCall *call, guint32 *ret_result, GError **error)
{
  Loader *self = instance;

  *ret_result = synod_http_file_loader_flush (self->loader);
  return TRUE;
}

static const StandardURLFileLoaderIface loader_vtable = {
  .load = loader_load,
  .info = loader_info,
  .flush = loader_flush,
};

/**
 * synod_http_loader_create:
 * @directory: the site's Standard.URLdirectory object
 * @prefix: the URL prefix the loader serves
 * @root: its document root
 * @cache: the document cache
 * @config: loader settings (its hook is set here)
 *
 * Makes a file loader, its Standard.URLfileLoader object, and registers the
 * loader in the directory at @prefix.
 *
 * Returns: (transfer full): the loader object
 */
SynodObject *
synod_http_loader_create (SynodHttpRuntime *rt, SynodObject *directory, const gchar *prefix,
                          const gchar *root, SynodHttpDocumentCache *cache,
                          const SynodHttpFileLoaderConfig *config, GError **error)
{
  Directory *dir = synod_object_get_instance (directory);
  SynodHttpFileLoaderConfig lc = *config;
  g_autoptr (SynodHttpHandler) h = NULL;
  SynodHttpInit init = { .site = dir->site, .directory = dir->directory, .owner = directory };
  SynodObject *object;

  lc.document_loaded = document_loaded;
  lc.hook_data = rt;
  h = synod_http_file_loader_new (dir->directory, prefix, root, cache, &lc, error);
  if (h == NULL)
    return NULL;
  init.handler = h;
  synod_http_init_set (&init);
  object = synod_broker_create_object_of_class (rt->broker, rt->loader_class, NULL, error);
  synod_http_init_set (NULL);
  if (object == NULL)
    return NULL;
  {
    g_autoptr (SynodRef) ref = synod_ref_new_for_id (rt->broker, synod_object_get_id (object));

    synod_http_handler_set_object (h, ref, SYNOD_HTTP_HANDLER_ROLE_LOADER);
  }
  if (!synod_url_directory_register (dir->directory, prefix, SYNOD_URL_MATCH_PREFIX, h, error))
    {
      synod_object_delete (object, NULL);
      synod_object_unref (object);
      return NULL;
    }
  return object;
}

/* ---- registration ---- */

static SynodClass *
register_class (SynodBroker *broker, SynodHttpRuntime *rt, const gchar *name, gsize size,
                SynodClassCreateFunc create, SynodClassDeleteFunc delete_,
                const SynodInterfaceDesc *iface, gconstpointer vtable,
                const SynodInterfaceDesc *iface2, gconstpointer vtable2, GError **error)
{
  g_autoptr (SynodClass) klass = synod_class_new (name, 1, size, SYNOD_CLASS_CONCURRENT);

  synod_class_add_interface (klass, iface, vtable);
  if (iface2 != NULL)
    synod_class_add_interface (klass, iface2, vtable2);
  synod_class_set_hooks (klass, create, delete_, synod_http_runtime_ref (rt),
                         (GDestroyNotify)synod_http_runtime_unref);
  if (!synod_broker_register_class (broker, klass, error))
    return NULL;
  return klass; /* the broker holds it; the runtime keeps a pointer */
}

gboolean
synod_http_register_directory_classes (SynodBroker *broker, SynodHttpRuntime *rt, GError **error)
{
  rt->directory_class = register_class (
      broker, rt, "Standard.URLdirectory", sizeof (Directory), directory_create, directory_delete,
      &standard_url_directory_interface, &directory_vtable, NULL, NULL, error);
  if (rt->directory_class == NULL)
    return FALSE;
  rt->loader_class = register_class (
      broker, rt, "Standard.URLfileLoader", sizeof (Loader), loader_create, loader_delete,
      &standard_url_file_loader_interface, &loader_vtable, NULL, NULL, error);
  if (rt->loader_class == NULL)
    return FALSE;
  rt->document_class
      = register_class (broker, rt, "Standard.HTTPdocument", sizeof (Document), document_create,
                        document_delete, &standard_http_handler_interface, &document_handler_vtable,
                        &standard_http_document_interface, &document_vtable, error);
  return rt->document_class != NULL;
}
