/* synod-httpd — serve document trees with Synod's HTTP/1.1 server.
 *
 * One daemon per --root (the first on --port, the others each on a port of
 * their own), name-based virtual hosts with --vhost HOST=DIR. Prints one
 * line "listening ADDRESS PORT" per daemon on stdout once it accepts
 * connections, so scripts and tests can wait for readiness, and runs until
 * SIGINT or SIGTERM.
 *
 * By default each site is a Standard.HTTPdaemon object on a broker of the
 * program's own, so it serves exactly as a site that synodd creates; with
 * --network it joins other peers, and --mount PREFIX=TARGET lets an object
 * (by Id or service name, on any peer) serve a prefix. --engine-only
 * builds the sites from the engine's C modules without a broker: the
 * benchmark measures what the object layer costs against it.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "synod-http-objects.h"
#include "synod-http-server.h"
#include "synod-http-static.h"

#include "http.h"

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* SIGHUP: HTTPS daemons read their certificate and key again (a renewed
 * certificate) for new connections, as nginx does on a reload; one that
 * fails says why and keeps what it had. @data: the SynodHttpDaemons. */
static gboolean
reload_daemons (gpointer data)
{
  GPtrArray *daemons = data;

  for (guint i = 0; i < daemons->len; i++)
    {
      SynodHttpDaemon *d = daemons->pdata[i];
      g_autoptr (GError) error = NULL;

      if (!synod_http_daemon_is_tls (d))
        continue;
      if (synod_http_daemon_reload_tls (d, &error))
        g_message (_ ("%s: certificate and key read again"), synod_http_daemon_get_address (d));
      else
        g_message (_ ("%s: certificate not reloaded: %s"), synod_http_daemon_get_address (d),
                   error->message);
    }
  return G_SOURCE_CONTINUE;
}

/* The same for Standard.HTTPdaemon objects (their reloadTls method, which
 * logs the result). @data: the SynodObjects. */
static gboolean
reload_objects (gpointer data)
{
  GPtrArray *daemons = data;

  for (guint i = 0; i < daemons->len; i++)
    {
      g_autoptr (SynodRef) ref = synod_ref_new_for_object (daemons->pdata[i]);
      g_autoptr (GError) error = NULL;

      if (!standard_http_daemon_reload_tls (ref, &error))
        g_message (_ ("certificate not reloaded: %s"), error->message);
    }
  return G_SOURCE_CONTINUE;
}

static SynodUrlDirectory *
make_site (const gchar *root, SynodHttpDocumentCache *cache, const SynodHttpFileLoaderConfig *lc,
           GError **error)
{
  g_autoptr (SynodUrlDirectory) dir = synod_url_directory_new (0);
  g_autoptr (SynodHttpHandler) loader
      = synod_http_file_loader_new (dir, "/", root, cache, lc, error);

  if (loader == NULL
      || !synod_url_directory_register (dir, "/", SYNOD_URL_MATCH_PREFIX, loader, error))
    return NULL;
  return g_steal_pointer (&dir);
}

typedef struct
{
  const gchar *address;
  gint port, workers, max_connections, header_ms, body_ms, idle_ms, send_ms, handler_ms,
      revalidate_ms;
  gint64 cache_bytes, cache_document, max_body;
  gboolean gzip;
  gboolean connection_objects;
  const gchar *access_log;
  const gchar *tls_cert, *tls_key;
  const gchar *users, *realm;
  gchar **protect;
  gboolean auth_plain_http;
  gint auth_cache_ms;
  gchar **vhosts;
  gchar **mounts;
} SiteOptions;

/* The creation parameters of the HTTPdaemon serving @root (see
 * synod-http-objects.h): what synodd would give from its configuration. */
static GVariant *
site_params (const gchar *root, const SiteOptions *o, gboolean first, GError **error)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree gchar *listen = NULL;

  listen = strchr (o->address, ':') != NULL
               ? g_strdup_printf ("[%s]:%d", o->address, first ? o->port : 0)
               : g_strdup_printf ("%s:%d", o->address, first ? o->port : 0);
  g_variant_builder_add (&b, "{sv}", "listen", g_variant_new_string (listen));
  g_variant_builder_add (&b, "{sv}", "root", g_variant_new_string (root));
  g_variant_builder_add (&b, "{sv}", "workers", g_variant_new_uint32 ((guint32)o->workers));
  g_variant_builder_add (&b, "{sv}", "max-connections",
                         g_variant_new_uint32 ((guint32)o->max_connections));
  g_variant_builder_add (&b, "{sv}", "header-timeout-ms",
                         g_variant_new_uint32 ((guint32)o->header_ms));
  g_variant_builder_add (&b, "{sv}", "body-timeout-ms", g_variant_new_uint32 ((guint32)o->body_ms));
  g_variant_builder_add (&b, "{sv}", "keepalive-timeout-ms",
                         g_variant_new_uint32 ((guint32)o->idle_ms));
  g_variant_builder_add (&b, "{sv}", "send-timeout-ms", g_variant_new_uint32 ((guint32)o->send_ms));
  g_variant_builder_add (&b, "{sv}", "handler-timeout-ms",
                         g_variant_new_uint32 ((guint32)o->handler_ms));
  g_variant_builder_add (&b, "{sv}", "revalidate-ms",
                         g_variant_new_uint32 ((guint32)o->revalidate_ms));
  g_variant_builder_add (&b, "{sv}", "cache-bytes", g_variant_new_uint64 ((guint64)o->cache_bytes));
  g_variant_builder_add (&b, "{sv}", "cache-document",
                         g_variant_new_uint64 ((guint64)o->cache_document));
  g_variant_builder_add (&b, "{sv}", "max-body", g_variant_new_uint64 ((guint64)o->max_body));
  g_variant_builder_add (&b, "{sv}", "gzip", g_variant_new_boolean (o->gzip));
  g_variant_builder_add (&b, "{sv}", "connection-objects",
                         g_variant_new_boolean (o->connection_objects));
  if (o->tls_cert != NULL)
    {
      g_variant_builder_add (&b, "{sv}", "tls-cert", g_variant_new_string (o->tls_cert));
      g_variant_builder_add (&b, "{sv}", "tls-key", g_variant_new_string (o->tls_key));
    }
  if (o->users != NULL)
    {
      g_variant_builder_add (&b, "{sv}", "users", g_variant_new_string (o->users));
      if (o->realm != NULL)
        g_variant_builder_add (&b, "{sv}", "realm", g_variant_new_string (o->realm));
      if (o->protect != NULL)
        g_variant_builder_add (&b, "{sv}", "protect",
                               g_variant_new_strv ((const gchar *const *)o->protect, -1));
      g_variant_builder_add (&b, "{sv}", "auth-plain-http",
                             g_variant_new_boolean (o->auth_plain_http));
      if (o->auth_cache_ms > 0)
        g_variant_builder_add (&b, "{sv}", "auth-cache-ms",
                               g_variant_new_uint32 ((guint32)o->auth_cache_ms));
    }
  if (first && o->access_log != NULL)
    g_variant_builder_add (&b, "{sv}", "access-log", g_variant_new_string (o->access_log));
  if (first && o->vhosts != NULL)
    {
      g_auto (GVariantBuilder) v = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

      for (guint i = 0; o->vhosts[i] != NULL; i++)
        {
          g_auto (GStrv) kv = g_strsplit (o->vhosts[i], "=", 2);

          if (kv[0] == NULL || kv[1] == NULL)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                   _ ("--vhost wants HOST=DIR"));
              return NULL;
            }
          g_variant_builder_add (&v, "{ss}", kv[0], kv[1]);
        }
      g_variant_builder_add (&b, "{sv}", "virtual-hosts", g_variant_builder_end (&v));
    }
  if (o->mounts != NULL)
    {
      g_auto (GVariantBuilder) m = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

      for (guint i = 0; o->mounts[i] != NULL; i++)
        {
          g_auto (GStrv) kv = g_strsplit (o->mounts[i], "=", 2);

          if (kv[0] == NULL || kv[1] == NULL)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                   _ ("--mount wants PREFIX=TARGET"));
              return NULL;
            }
          g_variant_builder_add (&m, "{ss}", kv[0], kv[1]);
        }
      g_variant_builder_add (&b, "{sv}", "mounts", g_variant_builder_end (&m));
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* Each --root a Standard.HTTPdaemon object on a broker of our own. */
static int
run_objects (gchar **roots, const SiteOptions *o, const gchar *network_listen, gchar **peers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) broker = synod_broker_new (NULL, &error);
  g_autoptr (SynodNetwork) network = NULL;
  g_autoptr (GPtrArray) daemons
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  g_autoptr (GMainLoop) loop = NULL;
  guint hup = 0;

  if (broker == NULL || !synod_http_register_classes (broker, &error))
    {
      g_printerr ("synod-httpd: %s\n", error->message);
      return 1;
    }
  if (network_listen != NULL)
    {
      SynodNetworkOptions no;

      synod_network_options_init (&no);
      no.listen = network_listen;
      no.peers = (const gchar *const *)peers;
      network = synod_network_new (broker, &no, &error);
      if (network == NULL)
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 1;
        }
      if (peers != NULL)
        synod_network_wait_peers (network, g_strv_length (peers), 10000);
    }
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  for (guint i = 0; roots[i] != NULL; i++)
    {
      g_autoptr (GVariant) params = site_params (roots[i], o, i == 0, &error);
      SynodObject *daemon;

      if (params == NULL)
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 2;
        }
      daemon = synod_broker_create_object (broker, "Standard.HTTPdaemon", 1, params, &error);
      if (daemon == NULL)
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (daemons, daemon);
    }
  if (o->tls_cert != NULL)
    hup = g_unix_signal_add (SIGHUP, reload_objects, daemons);
  for (guint i = 0; i < daemons->len; i++)
    {
      g_autoptr (SynodRef) ref = synod_ref_new_for_object (daemons->pdata[i]);
      guint32 port = 0;

      standard_http_daemon_port (ref, &port, NULL);
      printf ("listening %s %u\n", o->address, port);
    }
  if (network != NULL)
    printf ("network %s\n", synod_network_get_listen_address (network));
  fflush (stdout);

  g_main_loop_run (loop);
  if (hup != 0)
    g_source_remove (hup);
  for (guint i = 0; i < daemons->len; i++)
    synod_object_delete (daemons->pdata[i], NULL);
  g_clear_pointer (&daemons, g_ptr_array_unref);
  g_clear_pointer (&network, synod_network_free);
  return 0;
}

int
main (int argc, char **argv)
{
  g_auto (GStrv) roots = NULL;
  g_auto (GStrv) vhosts = NULL;
  g_autofree gchar *address = g_strdup ("127.0.0.1");
  g_autofree gchar *access_log = NULL;
  g_autofree gchar *tls_cert = NULL;
  g_autofree gchar *tls_key = NULL;
  g_autofree gchar *users = NULL;
  g_autofree gchar *realm = NULL;
  g_auto (GStrv) protect = NULL;
  gboolean auth_plain_http = FALSE;
  gint auth_cache_ms = 0;
  gint port = 0, workers = 0, max_connections = SYNOD_HTTP_DEFAULT_MAX_CONNECTIONS;
  gint header_ms = SYNOD_HTTP_DEFAULT_HEADER_TIMEOUT_MS,
       body_ms = SYNOD_HTTP_DEFAULT_BODY_TIMEOUT_MS;
  gint idle_ms = SYNOD_HTTP_DEFAULT_KEEPALIVE_TIMEOUT_MS,
       send_ms = SYNOD_HTTP_DEFAULT_SEND_TIMEOUT_MS;
  gint revalidate_ms = SYNOD_HTTP_DEFAULT_REVALIDATE_MS;
  gint64 cache_bytes = SYNOD_HTTP_DEFAULT_CACHE_BYTES,
         cache_document = SYNOD_HTTP_DEFAULT_CACHE_DOCUMENT;
  gint64 max_body = SYNOD_HTTP_DEFAULT_MAX_BODY;
  gboolean no_gzip = FALSE;
  gboolean engine_only = FALSE;
  gboolean connection_objects = FALSE;
  gint handler_ms = SYNOD_HTTP_DEFAULT_HANDLER_TIMEOUT_MS;
  g_autofree gchar *network_listen = NULL;
  g_auto (GStrv) peers = NULL;
  g_auto (GStrv) mounts = NULL;
  const GOptionEntry entries[]
      = { { "root", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &roots,
            N_ ("Document root; repeat for more sites (daemons)"), N_ ("DIR") },
          { "vhost", 0, 0, G_OPTION_ARG_STRING_ARRAY, &vhosts,
            N_ ("Name-based virtual host of the first daemon"), N_ ("HOST=DIR") },
          { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
            N_ ("Address to listen on (default 127.0.0.1)"), N_ ("ADDRESS") },
          { "port", 'p', 0, G_OPTION_ARG_INT, &port,
            N_ ("Port of the first daemon (0: chosen by the kernel)"), N_ ("PORT") },
          { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, N_ ("Worker threads (0: one per CPU)"),
            N_ ("N") },
          { "access-log", 0, 0, G_OPTION_ARG_FILENAME, &access_log,
            N_ ("Common log format access log of the first daemon"), N_ ("FILE") },
          { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
            N_ ("Serve HTTPS: PEM certificate chain (every site of this program)"), N_ ("FILE") },
          { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
            N_ ("Private key (PEM) of --tls-cert"), N_ ("FILE") },
          { "users", 0, 0, G_OPTION_ARG_FILENAME, &users,
            N_ ("Authenticate web users (HTTP Basic) against this file of NAME:HASH lines"),
            N_ ("FILE") },
          { "realm", 0, 0, G_OPTION_ARG_STRING, &realm, N_ ("Realm of the login (with --users)"),
            N_ ("TEXT") },
          { "protect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &protect,
            N_ ("A URL prefix that requires a login (default: every URL)"), N_ ("PREFIX") },
          { "auth-plain-http", 0, 0, G_OPTION_ARG_NONE, &auth_plain_http,
            N_ ("Accept credentials over plain HTTP (loopback tests only)"), NULL },
          { "auth-cache-ms", 0, 0, G_OPTION_ARG_INT, &auth_cache_ms,
            N_ ("How long a verified login is trusted without hashing again"), N_ ("MS") },
          { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
            N_ ("Most open connections"), N_ ("N") },
          { "header-timeout-ms", 0, 0, G_OPTION_ARG_INT, &header_ms,
            N_ ("Time allowed for a request head"), N_ ("MS") },
          { "body-timeout-ms", 0, 0, G_OPTION_ARG_INT, &body_ms,
            N_ ("Longest pause in a request body"), N_ ("MS") },
          { "keepalive-timeout-ms", 0, 0, G_OPTION_ARG_INT, &idle_ms,
            N_ ("Longest idle time between requests"), N_ ("MS") },
          { "send-timeout-ms", 0, 0, G_OPTION_ARG_INT, &send_ms, N_ ("Longest stall while sending"),
            N_ ("MS") },
          { "max-body", 0, 0, G_OPTION_ARG_INT64, &max_body, N_ ("Largest request body"),
            N_ ("BYTES") },
          { "cache-bytes", 0, 0, G_OPTION_ARG_INT64, &cache_bytes,
            N_ ("Memory for cached documents"), N_ ("BYTES") },
          { "cache-document", 0, 0, G_OPTION_ARG_INT64, &cache_document,
            N_ ("Largest cached document"), N_ ("BYTES") },
          { "revalidate-ms", 0, 0, G_OPTION_ARG_INT, &revalidate_ms,
            N_ ("How often a cached document is checked against its file"), N_ ("MS") },
          { "no-gzip", 0, 0, G_OPTION_ARG_NONE, &no_gzip, N_ ("Do not offer gzip variants"), NULL },
          { "handler-timeout-ms", 0, 0, G_OPTION_ARG_INT, &handler_ms,
            N_ ("How long an object may take to answer (504 beyond)"), N_ ("MS") },
          { "mount", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mounts,
            N_ ("An object (Id or service name) serving a URL prefix of every site"),
            N_ ("PREFIX=TARGET") },
          { "network", 0, 0, G_OPTION_ARG_STRING, &network_listen,
            N_ ("Join other Synod peers, accepting them on this address"), N_ ("ADDRESS:PORT") },
          { "peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &peers,
            N_ ("A peer to connect to (with --network)"), N_ ("HOST:PORT") },
          { "connection-objects", 0, 0, G_OPTION_ARG_NONE, &connection_objects,
            N_ ("Make each connection a Standard.HTTPfastReceive object"), NULL },
          { "engine-only", 0, 0, G_OPTION_ARG_NONE, &engine_only,
            N_ ("Serve from the engine's C modules, without the broker objects"), NULL },
          { NULL } };
  g_autoptr (GOptionContext) oc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodHttpServer) server = NULL;
  g_autoptr (SynodHttpDocumentCache) cache = NULL;
  g_autoptr (GPtrArray) daemons
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_http_daemon_unref);
  g_autoptr (GMainLoop) loop = NULL;
  SynodHttpServerConfig config;
  SynodHttpFileLoaderConfig lc;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  oc = g_option_context_new (NULL);
  g_option_context_set_summary (oc, _ ("Serve document trees over HTTP/1.1."));
  g_option_context_add_main_entries (oc, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    {
      g_printerr ("synod-httpd: %s\n", error->message);
      return 2;
    }
  if (roots == NULL || roots[0] == NULL)
    {
      g_printerr ("synod-httpd: %s\n", _ ("give at least one --root DIR"));
      return 2;
    }
  if (port < 0 || port > 65535 || workers < 0 || max_connections <= 0 || header_ms <= 0
      || body_ms <= 0 || idle_ms <= 0 || send_ms <= 0 || max_body < 0 || cache_bytes <= 0
      || cache_document <= 0 || revalidate_ms < 0 || handler_ms <= 0)
    {
      g_printerr ("synod-httpd: %s\n", _ ("a numeric option is out of range"));
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("synod-httpd: %s\n", _ ("--tls-cert and --tls-key go together"));
      return 2;
    }
  if (engine_only
      && (mounts != NULL || network_listen != NULL || connection_objects || users != NULL))
    {
      g_printerr ("synod-httpd: %s\n", _ ("--mount, --network, --connection-objects and --users "
                                          "need the broker objects"));
      return 2;
    }
  if (!engine_only)
    {
      SiteOptions so = { .address = address,
                         .port = port,
                         .workers = workers,
                         .max_connections = max_connections,
                         .header_ms = header_ms,
                         .body_ms = body_ms,
                         .idle_ms = idle_ms,
                         .send_ms = send_ms,
                         .handler_ms = handler_ms,
                         .revalidate_ms = revalidate_ms,
                         .cache_bytes = cache_bytes,
                         .cache_document = cache_document,
                         .max_body = max_body,
                         .gzip = !no_gzip,
                         .connection_objects = connection_objects,
                         .access_log = access_log,
                         .tls_cert = tls_cert,
                         .tls_key = tls_key,
                         .users = users,
                         .realm = realm,
                         .protect = protect,
                         .auth_plain_http = auth_plain_http,
                         .auth_cache_ms = auth_cache_ms,
                         .vhosts = vhosts,
                         .mounts = mounts };

      return run_objects (roots, &so, network_listen, peers);
    }

  synod_http_server_config_init (&config);
  config.n_workers = (guint)workers;
  config.max_connections = (guint)max_connections;
  config.header_timeout_ms = (guint)header_ms;
  config.body_timeout_ms = (guint)body_ms;
  config.keepalive_timeout_ms = (guint)idle_ms;
  config.send_timeout_ms = (guint)send_ms;
  config.limits.max_body = (guint64)max_body;
  server = synod_http_server_new (&config);
  cache = synod_http_document_cache_new ((guint64)cache_bytes, (guint64)cache_document);
  synod_http_file_loader_config_init (&lc);
  lc.revalidate_ms = (guint)revalidate_ms;
  lc.gzip = !no_gzip;

  for (guint i = 0; roots[i] != NULL; i++)
    {
      g_autoptr (SynodUrlDirectory) site = make_site (roots[i], cache, &lc, &error);
      SynodHttpDaemon *daemon;

      if (site == NULL)
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 1;
        }
      daemon = synod_http_daemon_new (site);
      g_ptr_array_add (daemons, daemon);
      if (tls_cert != NULL && !synod_http_daemon_set_tls (daemon, tls_cert, tls_key, &error))
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 1;
        }
      if (i == 0)
        {
          for (guint v = 0; vhosts != NULL && vhosts[v] != NULL; v++)
            {
              g_auto (GStrv) kv = g_strsplit (vhosts[v], "=", 2);
              g_autoptr (SynodUrlDirectory) vsite = NULL;

              if (kv[0] == NULL || kv[1] == NULL)
                {
                  g_printerr ("synod-httpd: %s\n", _ ("--vhost wants HOST=DIR"));
                  return 2;
                }
              vsite = make_site (kv[1], cache, &lc, &error);
              if (vsite == NULL)
                {
                  g_printerr ("synod-httpd: %s\n", error->message);
                  return 1;
                }
              synod_http_daemon_add_virtual_host (daemon, kv[0], vsite);
            }
          if (access_log != NULL && !synod_http_daemon_set_access_log (daemon, access_log, &error))
            {
              g_printerr ("synod-httpd: %s\n", error->message);
              return 1;
            }
        }
      if (!synod_http_server_add_daemon (server, daemon, address, i == 0 ? (guint16)port : 0,
                                         &error))
        {
          g_printerr ("synod-httpd: %s\n", error->message);
          return 1;
        }
    }
  /* Signals are handled before readiness is announced. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGHUP, reload_daemons, daemons);
  if (!synod_http_server_start (server, &error))
    {
      g_printerr ("synod-httpd: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < daemons->len; i++)
    printf ("listening %s %u\n", address,
            synod_http_daemon_get_port (g_ptr_array_index (daemons, i)));
  fflush (stdout);

  g_main_loop_run (loop);
  synod_http_server_stop (server);
  return 0;
}
