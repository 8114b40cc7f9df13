/* synodd — the Synod peer daemon.
 *
 * Runs one peer: a broker with its persistent peer id, its presence on the
 * network (listener, static peers, mDNS discovery), the "synod.peer" object
 * operators query with `synod`, the classes and objects its configuration
 * names, and optional registration with rpcbind. See docs/synodd.md for
 * every option and configuration key.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <rpc/pmap_clnt.h>
#include <rpc/rpc.h>

#include <synod.h>

#include "synod-rpc-private.h"
#include "synodd-config.h"

/* Tells a service manager @state ("READY=1", "STOPPING=1", ...) the way
 * sd_notify(3) documents its protocol: one datagram to the Unix socket
 * named by $NOTIFY_SOCKET ('@' first: the abstract namespace). Without the
 * variable (not run by systemd with Type=notify) it does nothing; a
 * failure is only logged, the peer runs on. */
static void
notify_service_manager (const gchar *state)
{
  const gchar *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  gsize len = path != NULL ? strlen (path) : 0;
  int fd;

  if (len < 2 || len >= sizeof sa.sun_path || (path[0] != '/' && path[0] != '@'))
    return;
  memcpy (sa.sun_path, path, len);
  if (sa.sun_path[0] == '@')
    sa.sun_path[0] = '\0';
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0
      || sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                 (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len))
             < 0)
    g_info ("telling the service manager %s: %s", state, g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

static gboolean
on_signal (gpointer loop)
{
  notify_service_manager ("STOPPING=1");
  g_message (_ ("Shutting down"));
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* SIGHUP (systemctl reload): the peer's HTTPS sites read their certificate
 * and key again: Standard.HTTPdaemon.reloadTls on every local object that
 * answers it. Nothing else is reloaded; a site that fails (or serves plain
 * HTTP) says why and keeps what it had. */
static gboolean
on_reload (gpointer broker)
{
  g_autoptr (GPtrArray) objects = synod_broker_list_objects (broker);

  for (guint i = 0; i < objects->len; i++)
    {
      g_autoptr (SynodRef) ref = synod_ref_new_for_object (objects->pdata[i]);
      g_autoptr (GVariant) result = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree gchar *id = NULL;

      if (synod_ref_lookup_method (ref, "Standard.HTTPdaemon", "reloadTls", NULL) == NULL)
        continue;
      result = synod_invoke_dynamic_sync (ref, "Standard.HTTPdaemon", "reloadTls",
                                          g_variant_new ("()"), &error);
      if (result == NULL)
        {
          id = synod_object_id_to_string (synod_object_get_id (objects->pdata[i]));
          g_message (_ ("Object %s kept its certificate: %s"), id, error->message);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* rpcbind answers on 127.0.0.1:111; without it, pmap_set() would wait for
 * its own (long) timeouts, so look first. */
static gboolean
rpcbind_running (void)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", 111, NULL, NULL);
  return conn != NULL;
}

static gboolean
register_rpcbind (guint16 port)
{
  if (!rpcbind_running ())
    {
      g_info ("rpcbind is not running: the program is not registered with it");
      return FALSE;
    }
  pmap_unset (SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION);
  if (!pmap_set (SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION, IPPROTO_TCP, port))
    {
      g_warning (_ ("Registering with rpcbind failed"));
      return FALSE;
    }
  g_info ("registered program %u version %u on port %u with rpcbind", SYNOD_RPC_PROGRAM,
          SYNOD_RPC_VERSION, port);
  return TRUE;
}

/* Writes the readiness line ("READY PEER-ID ADDRESS\n") to @fd and closes it. */
static void
signal_ready (int fd, SynodBroker *broker, SynodNetwork *network)
{
  g_autofree gchar *line = g_strdup_printf (
      "READY %016" G_GINT64_MODIFIER "x %s\n", synod_broker_get_peer_id (broker),
      synod_network_get_listen_address (network) ? synod_network_get_listen_address (network)
                                                 : "-");
  gsize len = strlen (line), done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  if (fd > 2)
    close (fd);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynoddConfig) config = NULL;
  g_autoptr (SynodBroker) broker = NULL;
  g_autoptr (SynodNetwork) network = NULL;
  g_autoptr (SynodObject) peer_object = NULL;
  g_autoptr (GPtrArray) objects = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  SynodNetworkOptions options;
  gboolean registered = FALSE;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* A peer that vanishes mid-write must not kill us. */
  signal (SIGPIPE, SIG_IGN);

  config = synodd_config_parse (argc, argv, &error);
  if (config == NULL)
    {
      g_printerr ("synodd: %s\n", error->message);
      return 2;
    }
  if (config->show_version)
    {
      g_print ("synodd %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (config->state_dir && g_mkdir_with_parents (config->state_dir, 0700) != 0)
    {
      g_printerr (_ ("synodd: cannot create the state directory %s: %s\n"), config->state_dir,
                  g_strerror (errno));
      return 1;
    }
  broker = synod_broker_new (config->state_dir, &error);
  if (broker == NULL)
    {
      g_printerr ("synodd: %s\n", error->message);
      return 1;
    }
  if (config->class_path)
    synod_broker_set_class_path (broker, (const gchar *const *)config->class_path);
  if (config->load_class_path && !synod_broker_load_class_path (broker, &error))
    {
      g_printerr ("synodd: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; config->plugins && config->plugins[i]; i++)
    if (!synod_broker_load_plugin (broker, config->plugins[i], &error))
      {
        g_printerr ("synodd: %s\n", error->message);
        return 1;
      }

  synod_network_options_init (&options);
  options.listen = config->listen;
  options.peers = (const gchar *const *)config->peers;
  options.discovery = config->discovery;
  options.cluster = config->cluster;
  options.instance_name = config->instance_name;
  options.tls_mode = config->tls_mode;
  options.tls_cert = config->tls_cert;
  options.tls_key = config->tls_key;
  options.tls_ca = config->tls_ca;
  options.tls_handshake_timeout_ms = config->tls_handshake_timeout_ms;
  if (config->call_timeout_ms)
    options.call_timeout_ms = config->call_timeout_ms;
  if (config->connect_timeout_ms)
    options.connect_timeout_ms = config->connect_timeout_ms;
  if (config->probe_interval_ms)
    options.probe_interval_ms = config->probe_interval_ms;
  if (config->max_connections)
    options.max_connections = config->max_connections;
  if (config->max_record)
    options.max_record = config->max_record;
  network = synod_network_new (broker, &options, &error);
  if (network == NULL)
    {
      g_printerr ("synodd: %s\n", error->message);
      return 1;
    }
  peer_object = synod_network_export_peer_object (network, &error);
  if (peer_object == NULL)
    {
      g_printerr ("synodd: %s\n", error->message);
      return 1;
    }
  objects = synodd_config_create_objects (config, broker, &error);
  if (objects == NULL)
    {
      /* The file names an object that cannot be made: a configuration
       * error, like a bad key. */
      g_printerr ("synodd: %s\n", error->message);
      return 2;
    }
  if (config->rpcbind && synod_network_get_port (network) != 0)
    registered = register_rpcbind (synod_network_get_port (network));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGHUP, on_reload, broker);
  g_message (_ ("Peer %016" PRIx64 " listening on %s (cluster “%s”, %u objects)"),
             synod_broker_get_peer_id (broker),
             synod_network_get_listen_address (network) ? synod_network_get_listen_address (network)
                                                        : "nothing",
             config->cluster, synod_broker_get_n_objects (broker));
  if (config->ready_fd >= 0)
    signal_ready (config->ready_fd, broker, network);
  {
    g_autofree gchar *state = g_strdup_printf (
        "READY=1\nSTATUS=Peer %016" PRIx64 " listening on %s", synod_broker_get_peer_id (broker),
        synod_network_get_listen_address (network) ? synod_network_get_listen_address (network)
                                                   : "nothing");

    notify_service_manager (state);
  }
  g_main_loop_run (loop);

  if (registered)
    pmap_unset (SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION);
  /* Leave the network first (peers see us go), then delete the objects. */
  g_clear_pointer (&network, synod_network_free);
  for (guint i = 0; i < objects->len; i++)
    synod_object_delete (objects->pdata[i], NULL);
  return 0;
}
