/* synod-http-daemon-class.c — the class Standard.HTTPdaemon, and
 * synod_http_register_classes().
 *
 * An HTTPdaemon object is one web site: its create hook reads the
 * parameters (synod-http-objects.h lists them), makes the site's
 * URLdirectory objects (default and virtual hosts), a URLfileLoader per
 * document root, registers the mounts, and starts its own engine (worker
 * threads and listening sockets); its delete hook answers what objects
 * still owe (503), stops the engine and deletes what it made. Each daemon
 * has its own engine, so sites start, stop and fail independently.
 */
#include "config.h"

#include <inttypes.h>

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-http-objects-private.h"

typedef struct
{
  gchar *host;
  SynodObject *directory;
} VirtualHost;

typedef struct
{
  SynodHttpRuntime *rt;
  SynodHttpSite *site;
  SynodHttpServer *server;
  SynodHttpDaemon *daemon;
  SynodHttpDocumentCache *cache;
  SynodObject *directory;
  GPtrArray *children;   /* SynodObject*: directories and loaders made here */
  GArray *virtual_hosts; /* VirtualHost */
  SynodObjectId id;
  GMutex connections_lock;
  GHashTable *connections; /* SynodObject* of HTTPfastReceive, when made */
} Daemon;

/* ---- Standard.HTTPfastReceive: an object per connection ---- */

typedef struct
{
  gchar peer[64];
  SynodObjectId daemon;
  gint64 opened;
} Receive;

static gboolean
receive_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                GError **error)
{
  Receive *self = instance;
  SynodHttpInit *init = synod_http_init_get ();

  if (init == NULL || init->remote == NULL || init->daemon_id == NULL)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("HTTPfastReceive objects are made by their HTTPdaemon, one per connection"));
      return FALSE;
    }
  g_strlcpy (self->peer, init->remote, sizeof self->peer);
  self->daemon = *init->daemon_id;
  self->opened = g_get_real_time ();
  return TRUE;
}

static gboolean
receive_info (gpointer instance, SynodCall *call, StandardHTTPConnection *ret_result,
              GError **error)
{
  Receive *self = instance;

  ret_result->peer = g_strdup (self->peer);
  ret_result->daemon = self->daemon;
  ret_result->opened = self->opened;
  return TRUE;
}

static const StandardHTTPFastReceiveIface receive_vtable = { .info = receive_info };

/* The engine's hooks: on the worker that accepted or closes the connection. */
static gpointer
connection_opened (SynodHttpDaemon *engine_daemon, const gchar *remote, gpointer data)
{
  Daemon *self = data;
  SynodHttpInit init = { .remote = remote, .daemon_id = &self->id };
  g_autoptr (GError) error = NULL;
  SynodObject *object;

  synod_http_init_set (&init);
  object = synod_broker_create_object_of_class (self->rt->broker, self->rt->receive_class, NULL,
                                                &error);
  synod_http_init_set (NULL);
  if (object == NULL)
    {
      g_debug ("no HTTPfastReceive for a connection from %s: %s", remote, error->message);
      return NULL;
    }
  g_mutex_lock (&self->connections_lock);
  g_hash_table_add (self->connections, synod_object_ref (object));
  g_mutex_unlock (&self->connections_lock);
  return object;
}

static void
connection_closed (gpointer connection, gpointer data)
{
  Daemon *self = data;
  SynodObject *object = connection;

  if (object == NULL)
    return;
  g_mutex_lock (&self->connections_lock);
  g_hash_table_remove (self->connections, object);
  g_mutex_unlock (&self->connections_lock);
  synod_object_delete (object, NULL);
  synod_object_unref (object);
}

/* ---- parameters ---- */

typedef struct
{
  gchar *address;
  guint16 port;
  gchar *root;
  gchar **index;
  gchar **ssi_suffixes;
  GPtrArray *vhosts; /* pairs: host, root */
  GPtrArray *mounts; /* pairs: prefix, target */
  gchar *access_log;
  gchar *charset;
  gchar *server_header;
  gchar *directory_service;
  gchar *tls_cert, *tls_key;
  gchar *users, *realm;
  gchar **protect;
  SynodHttpAuthConfig auth;
  guint handler_timeout_ms;
  guint max_entries;
  guint64 cache_bytes, cache_document;
  gboolean connection_objects;
  gboolean inline_objects;
  SynodHttpServerConfig server;
  SynodHttpFileLoaderConfig loader;
} Params;

static void
params_clear (Params *p)
{
  g_free (p->address);
  g_free (p->root);
  g_strfreev (p->index);
  g_strfreev (p->ssi_suffixes);
  g_clear_pointer (&p->vhosts, g_ptr_array_unref);
  g_clear_pointer (&p->mounts, g_ptr_array_unref);
  g_free (p->access_log);
  g_free (p->charset);
  g_free (p->server_header);
  g_free (p->directory_service);
  g_free (p->tls_cert);
  g_free (p->tls_key);
  g_free (p->users);
  g_free (p->realm);
  g_strfreev (p->protect);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Params, params_clear)

static gboolean
bad_param (GError **error, const gchar *key, const gchar *why)
{
  g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
               _ ("HTTPdaemon parameter “%s”: %s"), key, why);
  return FALSE;
}

/* Any integer type, within [min, max]. */
static gboolean
get_number (GVariant *v, const gchar *key, guint64 min, guint64 max, guint64 *ret, GError **error)
{
  gint64 s = 0;
  guint64 u = 0;
  gboolean is_signed = TRUE;

  switch (g_variant_classify (v))
    {
      case G_VARIANT_CLASS_BYTE:
        u = g_variant_get_byte (v), is_signed = FALSE;
        break;
      case G_VARIANT_CLASS_INT16:
        s = g_variant_get_int16 (v);
        break;
      case G_VARIANT_CLASS_UINT16:
        u = g_variant_get_uint16 (v), is_signed = FALSE;
        break;
      case G_VARIANT_CLASS_INT32:
        s = g_variant_get_int32 (v);
        break;
      case G_VARIANT_CLASS_UINT32:
        u = g_variant_get_uint32 (v), is_signed = FALSE;
        break;
      case G_VARIANT_CLASS_INT64:
        s = g_variant_get_int64 (v);
        break;
      case G_VARIANT_CLASS_UINT64:
        u = g_variant_get_uint64 (v), is_signed = FALSE;
        break;
      default:
        return bad_param (error, key, _ ("not a number"));
    }
  if (is_signed)
    {
      if (s < 0)
        return bad_param (error, key, _ ("negative"));
      u = (guint64)s;
    }
  if (u < min || u > max)
    {
      g_autofree gchar *why = g_strdup_printf (
          _ ("%" PRIu64 " is out of range (%" PRIu64 " to %" PRIu64 ")"), u, min, max);
      return bad_param (error, key, why);
    }
  *ret = u;
  return TRUE;
}

static gboolean
get_string (GVariant *v, const gchar *key, gchar **ret, GError **error)
{
  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    return bad_param (error, key, _ ("not a string (s)"));
  g_free (*ret);
  *ret = g_variant_dup_string (v, NULL);
  return TRUE;
}

static gboolean
get_strv (GVariant *v, const gchar *key, gchar ***ret, GError **error)
{
  g_strfreev (*ret);
  *ret = NULL;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
    *ret = g_variant_dup_strv (v, NULL);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      g_auto (GStrv) parts = g_strsplit (g_variant_get_string (v, NULL), ",", -1);
      g_autoptr (GPtrArray) out = g_ptr_array_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            g_ptr_array_add (out, g_strdup (parts[i]));
        }
      g_ptr_array_add (out, NULL);
      *ret = (gchar **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
    }
  else
    return bad_param (error, key, _ ("not a list of strings (as)"));
  if (g_strv_length (*ret) == 0)
    return bad_param (error, key, _ ("empty list"));
  return TRUE;
}

static gboolean
get_pairs (GVariant *v, const gchar *key, GPtrArray **ret, GError **error)
{
  GVariantIter it;
  const gchar *a, *b;

  if (!g_variant_is_of_type (v, G_VARIANT_TYPE ("a{ss}")))
    return bad_param (error, key, _ ("not a dictionary of strings (a{ss})"));
  if (*ret == NULL)
    *ret = g_ptr_array_new_with_free_func (g_free);
  g_variant_iter_init (&it, v);
  while (g_variant_iter_next (&it, "{&s&s}", &a, &b))
    {
      g_ptr_array_add (*ret, g_strdup (a));
      g_ptr_array_add (*ret, g_strdup (b));
    }
  return TRUE;
}

/* "ADDRESS:PORT" or "[ADDRESS]:PORT". */
static gboolean
parse_listen (const gchar *text, gchar **ret_address, guint16 *ret_port, GError **error)
{
  const gchar *colon = strrchr (text, ':');
  g_autofree gchar *host = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  gchar *end = NULL;
  guint64 port;

  if (colon == NULL)
    return bad_param (error, "listen", _ ("give ADDRESS:PORT"));
  if (text[0] == '[')
    {
      if (colon < text + 2 || colon[-1] != ']')
        return bad_param (error, "listen", _ ("give [ADDRESS]:PORT for IPv6"));
      host = g_strndup (text + 1, (gsize)(colon - text - 2));
    }
  else
    host = g_strndup (text, (gsize)(colon - text));
  port = g_ascii_strtoull (colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || port > 65535)
    return bad_param (error, "listen", _ ("invalid port"));
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    return bad_param (error, "listen", _ ("not an IP address"));
  *ret_address = g_steal_pointer (&host);
  *ret_port = (guint16)port;
  return TRUE;
}

static gboolean
params_parse (GVariant *params, Params *p, GError **error)
{
  GVariantIter it;
  const gchar *key;
  GVariant *v;

  memset (p, 0, sizeof *p);
  synod_http_server_config_init (&p->server);
  synod_http_file_loader_config_init (&p->loader);
  synod_http_auth_config_init (&p->auth);
  if (!parse_listen (SYNOD_HTTP_DEFAULT_LISTEN, &p->address, &p->port, error))
    return FALSE;
  if (params == NULL)
    return TRUE;
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("HTTPdaemon parameters must be a{sv}, not %s"),
                   g_variant_get_type_string (params));
      return FALSE;
    }
  g_variant_iter_init (&it, params);
  while (g_variant_iter_next (&it, "{&sv}", &key, &v))
    {
      g_autoptr (GVariant) value = v;
      guint64 n = 0;
      gboolean ok = TRUE;

#define NUMBER(name, min, max, lvalue)                                                             \
  else if (strcmp (key, name) == 0)                                                                \
  {                                                                                                \
    ok = get_number (value, key, min, max, &n, error);                                             \
    if (ok)                                                                                        \
      lvalue = n;                                                                                  \
  }
      if (strcmp (key, "listen") == 0)
        {
          g_autofree gchar *text = NULL;

          g_clear_pointer (&p->address, g_free);
          ok = get_string (value, key, &text, error)
               && parse_listen (text, &p->address, &p->port, error);
        }
      else if (strcmp (key, "root") == 0)
        ok = get_string (value, key, &p->root, error);
      else if (strcmp (key, "index") == 0)
        ok = get_strv (value, key, &p->index, error);
      else if (strcmp (key, "ssi-suffixes") == 0)
        ok = get_strv (value, key, &p->ssi_suffixes, error);
      else if (strcmp (key, "virtual-hosts") == 0)
        ok = get_pairs (value, key, &p->vhosts, error);
      else if (strcmp (key, "mounts") == 0)
        ok = get_pairs (value, key, &p->mounts, error);
      else if (strcmp (key, "access-log") == 0)
        ok = get_string (value, key, &p->access_log, error);
      else if (strcmp (key, "tls-cert") == 0)
        ok = get_string (value, key, &p->tls_cert, error);
      else if (strcmp (key, "tls-key") == 0)
        ok = get_string (value, key, &p->tls_key, error);
      else if (strcmp (key, "users") == 0)
        ok = get_string (value, key, &p->users, error);
      else if (strcmp (key, "realm") == 0)
        ok = get_string (value, key, &p->realm, error);
      else if (strcmp (key, "protect") == 0)
        ok = get_strv (value, key, &p->protect, error);
      else if (strcmp (key, "auth-plain-http") == 0)
        {
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
            p->auth.allow_plain_http = g_variant_get_boolean (value);
          else
            ok = bad_param (error, key, _ ("not a boolean (b)"));
        }
      else if (strcmp (key, "charset") == 0)
        ok = get_string (value, key, &p->charset, error);
      else if (strcmp (key, "server-header") == 0)
        ok = get_string (value, key, &p->server_header, error)
             && (synod_http_is_field_value (p->server_header)
                 || bad_param (error, key, _ ("not a valid field value")));
      else if (strcmp (key, "directory-service") == 0)
        ok = get_string (value, key, &p->directory_service, error)
             && (synod_broker_is_valid_service_name (p->directory_service)
                 || bad_param (error, key, _ ("not a valid service name")));
      else if (strcmp (key, "gzip") == 0 || strcmp (key, "connection-objects") == 0
               || strcmp (key, "inline-objects") == 0)
        {
          gboolean *slot = key[0] == 'g'   ? &p->loader.gzip
                           : key[0] == 'c' ? &p->connection_objects
                                           : &p->inline_objects;

          if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
            *slot = g_variant_get_boolean (value);
          else
            ok = bad_param (error, key, _ ("not a boolean (b)"));
        }
      NUMBER ("workers", 0, SYNOD_HTTP_MAX_WORKERS, p->server.n_workers)
      NUMBER ("max-connections", 1, 1000000, p->server.max_connections)
      NUMBER ("header-timeout-ms", 1, 3600000, p->server.header_timeout_ms)
      NUMBER ("body-timeout-ms", 1, 3600000, p->server.body_timeout_ms)
      NUMBER ("keepalive-timeout-ms", 1, 3600000, p->server.keepalive_timeout_ms)
      NUMBER ("send-timeout-ms", 1, 3600000, p->server.send_timeout_ms)
      NUMBER ("handler-timeout-ms", 1, 3600000, p->handler_timeout_ms)
      NUMBER ("max-body", 0, G_MAXINT64, p->server.limits.max_body)
      NUMBER ("max-request-line", 64, 1024 * 1024, p->server.limits.max_request_line)
      NUMBER ("max-header-bytes", 256, 1024 * 1024, p->server.limits.max_header_bytes)
      NUMBER ("max-headers", 1, SYNOD_HTTP_MAX_HEADERS_CAP, p->server.limits.max_headers)
      NUMBER ("cache-bytes", 1, G_MAXINT64, p->cache_bytes)
      NUMBER ("cache-document", 1, G_MAXINT64, p->cache_document)
      NUMBER ("revalidate-ms", 0, 86400000, p->loader.revalidate_ms)
      NUMBER ("ssi-max-depth", 1, 64, p->loader.ssi_max_depth)
      NUMBER ("max-entries", 1, 100000000, p->max_entries)
      NUMBER ("auth-cache-ms", 1, 3600000, p->auth.cache_ttl_ms)
      NUMBER ("auth-failures", 0, 1000000, p->auth.max_failures)
      else ok = bad_param (error, key, _ ("unknown parameter"));
#undef NUMBER
      if (!ok)
        return FALSE;
    }
  if (p->tls_cert != NULL && p->tls_key == NULL)
    return bad_param (error, "tls-key", _ ("missing: tls-cert needs its key"));
  if (p->tls_key != NULL && p->tls_cert == NULL)
    return bad_param (error, "tls-cert", _ ("missing: tls-key needs its certificate"));
  if (p->users == NULL && (p->realm != NULL || p->protect != NULL || p->auth.allow_plain_http))
    return bad_param (error, "users", _ ("missing: realm, protect and auth-plain-http need it"));
  return TRUE;
}

/* ---- the class ---- */

static void
daemon_clear (Daemon *self)
{
  if (self->site != NULL)
    synod_http_site_stop (self->site);
  g_clear_pointer (&self->server, synod_http_server_free);
  g_clear_pointer (&self->daemon, synod_http_daemon_unref);
  if (self->children != NULL)
    {
      for (guint i = self->children->len; i-- > 0;)
        synod_object_delete (self->children->pdata[i], NULL);
      g_clear_pointer (&self->children, g_ptr_array_unref);
    }
  if (self->virtual_hosts != NULL)
    {
      for (guint i = 0; i < self->virtual_hosts->len; i++)
        g_free (g_array_index (self->virtual_hosts, VirtualHost, i).host);
      g_clear_pointer (&self->virtual_hosts, g_array_unref);
    }
  self->directory = NULL;
  if (self->connections != NULL)
    {
      /* The engine stopped: every connection was closed and its object
       * deleted; this is only the table. */
      g_clear_pointer (&self->connections, g_hash_table_unref);
      g_mutex_clear (&self->connections_lock);
    }
  g_clear_pointer (&self->cache, synod_http_document_cache_unref);
  g_clear_pointer (&self->site, synod_http_site_unref);
  g_clear_pointer (&self->rt, synod_http_runtime_unref);
}

/* A site (default or virtual host): its directory object, its loader, the
 * mounts. */
static SynodObject *
make_site (Daemon *self, const Params *p, const gchar *root, GError **error)
{
  g_autoptr (SynodUrlDirectory) dir = synod_url_directory_new (p->max_entries);
  SynodObject *dir_object = synod_http_directory_create (self->rt, self->site, dir, error);

  if (dir_object == NULL)
    return NULL;
  g_ptr_array_add (self->children, dir_object);
  if (root != NULL)
    {
      SynodObject *loader = synod_http_loader_create (self->rt, dir_object, "/", root, self->cache,
                                                      &p->loader, error);

      if (loader == NULL)
        return NULL;
      g_ptr_array_add (self->children, loader);
    }
  for (guint i = 0; p->mounts != NULL && i + 1 < p->mounts->len; i += 2)
    {
      const gchar *prefix = p->mounts->pdata[i];
      const gchar *target = p->mounts->pdata[i + 1];
      g_autoptr (SynodRef) ref = synod_ref_new_parse (self->rt->broker, target, error);
      g_autoptr (SynodHttpHandler) h = NULL;

      if (ref == NULL)
        return NULL;
      if (prefix[0] != '/')
        {
          bad_param (error, "mounts", _ ("a prefix does not start with “/”"));
          return NULL;
        }
      h = synod_http_object_handler_new (self->site, ref, SYNOD_HTTP_HANDLER_ROLE_HANDLER);
      if (!synod_url_directory_register (dir, prefix, SYNOD_URL_MATCH_PREFIX, h, error))
        return NULL;
    }
  return dir_object;
}

static gboolean
daemon_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
               GError **error)
{
  Daemon *self = instance;
  g_auto (Params) p = { 0 };
  SynodHttpDirectoryInstance *dir;

  if (!params_parse (params, &p, error))
    return FALSE;
  self->rt = synod_http_runtime_ref (class_data);
  self->id = *synod_object_get_id (object);
  g_mutex_init (&self->connections_lock);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)synod_object_unref, NULL);
  self->site = synod_http_site_new (self->rt, p.handler_timeout_ms);
  self->site->inline_objects = p.inline_objects;
  self->children = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  self->virtual_hosts = g_array_new (FALSE, TRUE, sizeof (VirtualHost));
  self->cache = synod_http_document_cache_new (p.cache_bytes, p.cache_document);
  p.loader.index_names = (const gchar *const *)p.index;
  p.loader.ssi_suffixes = (const gchar *const *)p.ssi_suffixes;
  p.loader.charset = p.charset;
  p.server.server_header = p.server_header;

  self->directory = make_site (self, &p, p.root, error);
  if (self->directory == NULL)
    goto fail;
  dir = synod_object_get_instance (self->directory);
  self->daemon = synod_http_daemon_new (dir->directory);
  for (guint i = 0; p.vhosts != NULL && i + 1 < p.vhosts->len; i += 2)
    {
      VirtualHost vh = { g_ascii_strdown (p.vhosts->pdata[i], -1), NULL };

      vh.directory = make_site (self, &p, p.vhosts->pdata[i + 1], error);
      if (vh.directory == NULL)
        {
          g_free (vh.host);
          goto fail;
        }
      g_array_append_val (self->virtual_hosts, vh);
      synod_http_daemon_add_virtual_host (
          self->daemon, vh.host,
          ((SynodHttpDirectoryInstance *)synod_object_get_instance (vh.directory))->directory);
    }
  if (p.access_log != NULL && !synod_http_daemon_set_access_log (self->daemon, p.access_log, error))
    goto fail;
  if (p.tls_cert != NULL && !synod_http_daemon_set_tls (self->daemon, p.tls_cert, p.tls_key, error))
    goto fail;
  if (p.users != NULL)
    {
      SynodHttpAuth *auth;

      p.auth.users_file = p.users;
      p.auth.realm = p.realm;
      p.auth.protect = (const gchar *const *)p.protect;
      auth = synod_http_auth_new (&p.auth, error);
      if (auth == NULL)
        goto fail;
      synod_http_daemon_set_auth (self->daemon, auth);
    }
  if (p.connection_objects)
    {
      p.server.connection_opened = connection_opened;
      p.server.connection_closed = connection_closed;
      p.server.connection_data = self;
    }
  self->server = synod_http_server_new (&p.server);
  if (!synod_http_server_add_daemon (self->server, self->daemon, p.address, p.port, error)
      || !synod_http_server_start (self->server, error))
    goto fail;
  if (p.directory_service != NULL
      && !synod_broker_register_service (self->rt->broker, p.directory_service, self->directory,
                                         error))
    goto fail;
  g_info ("HTTPdaemon listening on %s (%s)", synod_http_daemon_get_address (self->daemon),
          p.tls_cert != NULL ? "https" : "http");
  return TRUE;

fail:
  daemon_clear (self);
  return FALSE;
}

static void
daemon_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  daemon_clear (instance);
}

static gboolean
daemon_address (gpointer instance, SynodCall *call, gchar **ret_result, GError **error)
{
  Daemon *self = instance;

  *ret_result = g_strdup (synod_http_daemon_get_address (self->daemon));
  return TRUE;
}

static gboolean
daemon_port (gpointer instance, SynodCall *call, guint32 *ret_result, GError **error)
{
  Daemon *self = instance;

  *ret_result = synod_http_daemon_get_port (self->daemon);
  return TRUE;
}

static gboolean
daemon_directory (gpointer instance, SynodCall *call, const gchar *host, SynodObjectId *ret_result,
                  GError **error)
{
  Daemon *self = instance;
  g_autofree gchar *lower = g_ascii_strdown (host, -1);
  gchar *colon = strchr (lower, ':');
  SynodObject *found = self->directory;

  if (colon != NULL && lower[0] != '[')
    *colon = '\0';
  for (guint i = 0; i < self->virtual_hosts->len; i++)
    {
      VirtualHost *vh = &g_array_index (self->virtual_hosts, VirtualHost, i);

      if (strcmp (vh->host, lower) == 0)
        found = vh->directory;
    }
  *ret_result = *synod_object_get_id (found);
  return TRUE;
}

static gboolean
daemon_virtual_hosts (gpointer instance, SynodCall *call, StandardHTTPVirtualHosts *ret_result,
                      GError **error)
{
  Daemon *self = instance;
  guint n = MIN (self->virtual_hosts->len, STANDARD_HTTP_VHOSTS_MAX);

  ret_result->len = n;
  ret_result->val = g_new0 (StandardHTTPVirtualHost, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      VirtualHost *vh = &g_array_index (self->virtual_hosts, VirtualHost, i);

      ret_result->val[i].host = g_strdup (vh->host);
      ret_result->val[i].directory = *synod_object_get_id (vh->directory);
    }
  return TRUE;
}

static gboolean
daemon_statistics (gpointer instance, SynodCall *call, StandardHTTPStatistics *ret_result,
                   GError **error)
{
  Daemon *self = instance;
  SynodHttpDaemonStats st;

  synod_http_daemon_get_stats (self->daemon, &st);
  ret_result->requests = st.requests;
  memcpy (ret_result->status_classes, st.status_classes, sizeof st.status_classes);
  ret_result->body_bytes = st.body_bytes;
  ret_result->connections_accepted = st.accepted;
  ret_result->connections_open = (guint32)MIN (st.open, G_MAXUINT32);
  ret_result->connections_refused = st.refused;
  ret_result->invocations = __atomic_load_n (&self->site->invocations, __ATOMIC_RELAXED);
  ret_result->invocation_failures = __atomic_load_n (&self->site->failures, __ATOMIC_RELAXED);
  ret_result->invocation_timeouts = __atomic_load_n (&self->site->timeouts, __ATOMIC_RELAXED);
  ret_result->cache_documents = synod_http_document_cache_get_n_documents (self->cache);
  ret_result->cache_bytes = synod_http_document_cache_get_bytes (self->cache);
  ret_result->cache_loads = synod_http_document_cache_get_loads (self->cache);
  return TRUE;
}

static gboolean
daemon_connections (gpointer instance, SynodCall *call, guint32 offset, guint32 count,
                    StandardHTTPIds *ret_result, GError **error)
{
  Daemon *self = instance;
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;
  guint n;

  g_mutex_lock (&self->connections_lock);
  g_hash_table_iter_init (&it, self->connections);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (all, (gpointer)synod_object_get_id (key));
  count = MIN (count, STANDARD_HTTP_LIST_MAX);
  n = offset < all->len ? MIN (count, all->len - offset) : 0;
  ret_result->len = n;
  ret_result->val = g_new0 (SynodObjectId, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    ret_result->val[i] = *(const SynodObjectId *)all->pdata[offset + i];
  g_mutex_unlock (&self->connections_lock);
  return TRUE;
}

static gboolean
daemon_reload_tls (gpointer instance, SynodCall *call, GError **error)
{
  Daemon *self = instance;

  if (!synod_http_daemon_reload_tls (self->daemon, error))
    return FALSE;
  g_message (_ ("HTTPdaemon %s: certificate and key read again"),
             synod_http_daemon_get_address (self->daemon));
  return TRUE;
}

static const StandardHTTPDaemonIface daemon_vtable = {
  .address = daemon_address,
  .port = daemon_port,
  .directory = daemon_directory,
  .virtual_hosts = daemon_virtual_hosts,
  .statistics = daemon_statistics,
  .connections = daemon_connections,
  .reload_tls = daemon_reload_tls,
};

/**
 * synod_http_register_classes:
 * @broker: a broker
 * @error: return location for an error
 *
 * Registers Standard.HTTPdaemon;1, Standard.URLdirectory;1,
 * Standard.URLfileLoader;1 and Standard.HTTPdocument;1 in @broker (see
 * synod-http-objects.h for the daemon's creation parameters), and starts
 * the thread where invocations made for HTTP requests complete. The
 * classes stay registered as long as the broker lives.
 *
 * Returns: %TRUE on success; %FALSE with @error set (for example
 *   SYNOD_ORB_ERROR_EXISTS when they are registered already)
 */
gboolean
synod_http_register_classes (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass = NULL;
  SynodHttpRuntime *rt;
  gboolean ok;

  g_return_val_if_fail (broker != NULL, FALSE);
  rt = synod_http_runtime_new (broker, error);
  if (rt == NULL)
    return FALSE;
  klass = synod_class_new ("Standard.HTTPdaemon", 1, sizeof (Daemon), SYNOD_CLASS_CONCURRENT);
  synod_class_add_interface (klass, &standard_http_daemon_interface, &daemon_vtable);
  synod_class_set_hooks (klass, daemon_create, daemon_delete, synod_http_runtime_ref (rt),
                         (GDestroyNotify)synod_http_runtime_unref);
  ok = synod_broker_register_class (broker, klass, error);
  if (ok)
    {
      g_autoptr (SynodClass) receive = synod_class_new ("Standard.HTTPfastReceive", 1,
                                                        sizeof (Receive), SYNOD_CLASS_CONCURRENT);

      rt->daemon_class = klass;
      synod_class_add_interface (receive, &standard_http_fast_receive_interface, &receive_vtable);
      synod_class_set_hooks (receive, receive_create, NULL, NULL, NULL);
      ok = synod_broker_register_class (broker, receive, error);
      if (ok)
        rt->receive_class = receive;
    }
  if (ok)
    ok = synod_http_register_directory_classes (broker, rt, error);
  synod_http_runtime_unref (rt);
  return ok;
}
