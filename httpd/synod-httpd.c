/* synod-httpd — serve document trees with Synod's HTTP/1.1 server.
 *
 * One daemon per --root (the first on --port, the others each on a port of
 * their own), name-based virtual hosts with --vhost HOST=DIR. Prints one
 * line "listening ADDRESS PORT" per daemon on stdout once it accepts
 * connections, so scripts and tests can wait for readiness, and runs until
 * SIGINT or SIGTERM.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "synod-http-server.h"
#include "synod-http-static.h"

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
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

int
main (int argc, char **argv)
{
  g_auto (GStrv) roots = NULL;
  g_auto (GStrv) vhosts = NULL;
  g_autofree gchar *address = g_strdup ("127.0.0.1");
  g_autofree gchar *access_log = NULL;
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
      || cache_document <= 0 || revalidate_ms < 0)
    {
      g_printerr ("synod-httpd: %s\n", _ ("a numeric option is out of range"));
      return 2;
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
