/* synodd-config.c — reading synodd's options and configuration file.
 *
 * The command line overrides the file, which overrides the defaults. The
 * file is a GKeyFile: a [synodd] group for the peer, and one [object NAME]
 * group per object to create at start (docs/synodd.md).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "synodd-config.h"

#define GROUP "synodd"
#define OBJECT_PREFIX "object "

void
synodd_config_free (SynoddConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->listen);
  g_strfreev (config->peers);
  g_free (config->cluster);
  g_free (config->instance_name);
  g_free (config->state_dir);
  g_strfreev (config->class_path);
  g_strfreev (config->plugins);
  g_clear_pointer (&config->file, g_key_file_unref);
  g_free (config->file_name);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config->tls_ca);
  g_free (config);
}

static gchar *
default_state_dir (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/lib/synod");
  return g_build_filename (g_get_user_state_dir (), "synod", NULL);
}

/* Reads an optional key; a key of the wrong type is an error naming it. */
static gboolean
file_string (GKeyFile *file, const gchar *key, gchar **value, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gchar *v;

  if (!g_key_file_has_key (file, GROUP, key, NULL))
    return TRUE;
  v = g_key_file_get_string (file, GROUP, key, &local_error);
  if (v == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_free (*value);
  *value = v;
  return TRUE;
}

static gboolean
file_list (GKeyFile *file, const gchar *key, gchar ***value, GError **error)
{
  gchar **v;

  if (!g_key_file_has_key (file, GROUP, key, NULL))
    return TRUE;
  v = g_key_file_get_string_list (file, GROUP, key, NULL, error);
  if (v == NULL)
    return FALSE;
  g_strfreev (*value);
  *value = v;
  return TRUE;
}

static gboolean
file_bool (GKeyFile *file, const gchar *key, gboolean *value, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean v;

  if (!g_key_file_has_key (file, GROUP, key, NULL))
    return TRUE;
  v = g_key_file_get_boolean (file, GROUP, key, &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *value = v;
  return TRUE;
}

static gboolean
file_uint (GKeyFile *file, const gchar *key, guint *value, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint64 v;

  if (!g_key_file_has_key (file, GROUP, key, NULL))
    return TRUE;
  v = g_key_file_get_uint64 (file, GROUP, key, &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (v > G_MAXUINT32)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _ ("Key “%s” is too large"), key);
      return FALSE;
    }
  *value = (guint)v;
  return TRUE;
}

static const gchar *const known_keys[] = {
  "listen",
  "peers",
  "cluster",
  "discovery",
  "name",
  "state-dir",
  "class-path",
  "load-class-path",
  "plugins",
  "rpcbind",
  "call-timeout-ms",
  "connect-timeout-ms",
  "probe-interval-ms",
  "max-connections",
  "max-message-bytes",
  "tls",
  "tls-cert",
  "tls-key",
  "tls-ca",
  "tls-handshake-timeout-ms",
  NULL,
};

static const gchar *const known_object_keys[] = {
  "class", "params", "services", "aliases", "acl-default", "acl", NULL,
};

static gboolean
read_file (SynoddConfig *config, const gchar *path, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_auto (GStrv) groups = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree gchar *tls_mode = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      g_auto (GStrv) keys = NULL;

      if (strcmp (groups[i], GROUP) != 0 && !g_str_has_prefix (groups[i], OBJECT_PREFIX))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       _ ("%s: unknown group [%s] (expected [synodd] or [object NAME])"), path,
                       groups[i]);
          return FALSE;
        }
      if (strcmp (groups[i], GROUP) == 0)
        continue;
      keys = g_key_file_get_keys (file, groups[i], NULL, NULL);
      for (guint j = 0; keys && keys[j]; j++)
        if (!g_strv_contains (known_object_keys, keys[j]))
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                         _ ("%s: unknown key “%s” in [%s] (expected class, params, services, "
                            "aliases, acl-default or acl)"),
                         path, keys[j], groups[i]);
            return FALSE;
          }
    }
  if (g_key_file_has_group (file, GROUP))
    {
      g_auto (GStrv) keys = g_key_file_get_keys (file, GROUP, NULL, NULL);

      for (guint i = 0; keys && keys[i]; i++)
        if (!g_strv_contains (known_keys, keys[i]))
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                         _ ("%s: unknown key “%s” in [synodd]"), path, keys[i]);
            return FALSE;
          }
    }
  if (!file_string (file, "listen", &config->listen, &local_error)
      || !file_list (file, "peers", &config->peers, &local_error)
      || !file_string (file, "cluster", &config->cluster, &local_error)
      || !file_bool (file, "discovery", &config->discovery, &local_error)
      || !file_string (file, "name", &config->instance_name, &local_error)
      || !file_string (file, "state-dir", &config->state_dir, &local_error)
      || !file_list (file, "class-path", &config->class_path, &local_error)
      || !file_bool (file, "load-class-path", &config->load_class_path, &local_error)
      || !file_list (file, "plugins", &config->plugins, &local_error)
      || !file_bool (file, "rpcbind", &config->rpcbind, &local_error)
      || !file_uint (file, "call-timeout-ms", &config->call_timeout_ms, &local_error)
      || !file_uint (file, "connect-timeout-ms", &config->connect_timeout_ms, &local_error)
      || !file_uint (file, "probe-interval-ms", &config->probe_interval_ms, &local_error)
      || !file_uint (file, "max-connections", &config->max_connections, &local_error)
      || !file_uint (file, "max-message-bytes", &config->max_record, &local_error)
      || !file_string (file, "tls", &tls_mode, &local_error)
      || (tls_mode && !synod_tls_mode_parse (tls_mode, &config->tls_mode, &local_error))
      || !file_string (file, "tls-cert", &config->tls_cert, &local_error)
      || !file_string (file, "tls-key", &config->tls_key, &local_error)
      || !file_string (file, "tls-ca", &config->tls_ca, &local_error)
      || !file_uint (file, "tls-handshake-timeout-ms", &config->tls_handshake_timeout_ms,
                     &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: [synodd] %s", path,
                   local_error->message);
      return FALSE;
    }
  config->file = g_steal_pointer (&file);
  config->file_name = g_strdup (path);
  return TRUE;
}

/**
 * synodd_config_parse:
 * @argc: argument count
 * @argv: arguments
 * @error: return location for an error (bad options, unreadable or invalid
 *   configuration file)
 *
 * Returns: (transfer full): the configuration, or NULL
 */
SynoddConfig *
synodd_config_parse (int argc, char **argv, GError **error)
{
  g_autoptr (SynoddConfig) config = g_new0 (SynoddConfig, 1);
  g_autoptr (GOptionContext) context = NULL;
  g_autofree gchar *config_file = NULL, *listen = NULL, *cluster = NULL, *name = NULL,
                   *state_dir = NULL, *tls = NULL, *tls_cert = NULL, *tls_key = NULL,
                   *tls_ca = NULL;
  g_auto (GStrv) peers = NULL, class_path = NULL, plugins = NULL;
  gboolean discovery = FALSE, no_discovery = FALSE, rpcbind = FALSE, no_rpcbind = FALSE;
  gboolean verbose = FALSE, version = FALSE;
  gint ready_fd = -1, max_connections = -1, call_timeout_ms = -1;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
      N_ ("Read the configuration from FILE"), N_ ("FILE") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_ ("Accept peers on ADDRESS:PORT (default 0.0.0.0:8275; port 0: any free port)"),
      N_ ("ADDRESS:PORT") },
    { "peer", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &peers,
      N_ ("Connect to the peer at HOST:PORT (repeatable)"), N_ ("HOST:PORT") },
    { "cluster", 0, 0, G_OPTION_ARG_STRING, &cluster,
      N_ ("Join the cluster NAME (default “default”)"), N_ ("NAME") },
    { "discovery", 0, 0, G_OPTION_ARG_NONE, &discovery, N_ ("Find peers with mDNS (the default)"),
      NULL },
    { "no-discovery", 0, 0, G_OPTION_ARG_NONE, &no_discovery,
      N_ ("Do not use mDNS: static peers only"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_ ("Publish as NAME over mDNS"), N_ ("NAME") },
    { "state-dir", 's', 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_ ("Keep the peer id and other state in DIR"), N_ ("DIR") },
    { "class-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &class_path,
      N_ ("Look for class plugins in DIR (repeatable)"), N_ ("DIR") },
    { "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
      N_ ("Load the class plugin FILE at start (repeatable)"), N_ ("FILE") },
    { "rpcbind", 0, 0, G_OPTION_ARG_NONE, &rpcbind,
      N_ ("Register with rpcbind when it runs (the default)"), NULL },
    { "no-rpcbind", 0, 0, G_OPTION_ARG_NONE, &no_rpcbind, N_ ("Do not register with rpcbind"),
      NULL },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      N_ ("Accept at most N connections at once (default 256)"), N_ ("N") },
    { "call-timeout-ms", 0, 0, G_OPTION_ARG_INT, &call_timeout_ms,
      N_ ("Fail remote calls without a reply after MS milliseconds (default 30000)"), N_ ("MS") },
    { "tls", 0, 0, G_OPTION_ARG_STRING, &tls,
      N_ ("RPC-with-TLS between peers: auto (required with a certificate, else off), off, "
          "preferred or required"),
      N_ ("MODE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_ ("This peer's certificate chain (PEM); its CN is the peer's principal"), N_ ("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_ ("The certificate's private key (PEM)"),
      N_ ("FILE") },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca,
      N_ ("CA certificates that peers' certificates must chain to (PEM)"), N_ ("FILE") },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &ready_fd,
      N_ ("Once ready, write “READY PEER-ID ADDRESS” to file descriptor FD and close it"),
      N_ ("FD") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_ ("Log debugging messages"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("Runs one Synod peer."));
  g_option_context_set_description (
      context, _ ("Options given here override the configuration file (docs/synodd.md).\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return NULL;
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _ ("Unexpected argument “%s” (see --help)"), argv[1]);
      return NULL;
    }
  config->show_version = version;
  config->ready_fd = ready_fd;
  if (max_connections == 0 || max_connections < -1 || call_timeout_ms == 0 || call_timeout_ms < -1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--max-connections and --call-timeout-ms take a positive number"));
      return NULL;
    }

  /* Defaults, then the file, then the command line. */
  config->listen = g_strdup ("0.0.0.0:8275");
  config->cluster = g_strdup (SYNOD_NETWORK_DEFAULT_CLUSTER);
  config->discovery = TRUE;
  config->rpcbind = TRUE;
  if (config_file && !read_file (config, config_file, error))
    return NULL;
  if (listen)
    g_free (config->listen), config->listen = g_steal_pointer (&listen);
  if (peers)
    {
      /* Peers from the command line add to the file's. */
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

      if (config->peers)
        g_strv_builder_addv (b, (const gchar **)config->peers);
      g_strv_builder_addv (b, (const gchar **)peers);
      g_strfreev (config->peers);
      config->peers = g_strv_builder_end (b);
    }
  if (cluster)
    g_free (config->cluster), config->cluster = g_steal_pointer (&cluster);
  if (name)
    g_free (config->instance_name), config->instance_name = g_steal_pointer (&name);
  if (state_dir)
    g_free (config->state_dir), config->state_dir = g_steal_pointer (&state_dir);
  if (class_path)
    g_strfreev (config->class_path), config->class_path = g_steal_pointer (&class_path);
  if (plugins)
    g_strfreev (config->plugins), config->plugins = g_steal_pointer (&plugins);
  if (tls && !synod_tls_mode_parse (tls, &config->tls_mode, error))
    return NULL;
  if (tls_cert)
    g_free (config->tls_cert), config->tls_cert = g_steal_pointer (&tls_cert);
  if (tls_key)
    g_free (config->tls_key), config->tls_key = g_steal_pointer (&tls_key);
  if (tls_ca)
    g_free (config->tls_ca), config->tls_ca = g_steal_pointer (&tls_ca);
  if (max_connections > 0)
    config->max_connections = max_connections;
  if (call_timeout_ms > 0)
    config->call_timeout_ms = call_timeout_ms;
  if (discovery)
    config->discovery = TRUE;
  if (no_discovery)
    config->discovery = FALSE;
  if (rpcbind)
    config->rpcbind = TRUE;
  if (no_rpcbind)
    config->rpcbind = FALSE;
  if (config->state_dir == NULL)
    config->state_dir = default_state_dir ();
  if (verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  if (strcmp (config->listen, "none") == 0)
    g_clear_pointer (&config->listen, g_free);
  return g_steal_pointer (&config);
}

static gboolean
apply_acl (SynodObject *object, const gchar *group, GKeyFile *file, const gchar *path,
           GError **error)
{
  g_auto (GStrv) rules = NULL;
  g_autofree gchar *def = NULL;

  def = g_key_file_get_string (file, group, "acl-default", NULL);
  if (def)
    {
      if (strcmp (def, "allow") == 0)
        synod_object_set_acl_default (object, SYNOD_ACL_ALLOW);
      else if (strcmp (def, "deny") == 0)
        synod_object_set_acl_default (object, SYNOD_ACL_DENY);
      else
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _ ("%s: [%s] acl-default must be “allow” or “deny”, not “%s”"), path, group,
                       def);
          return FALSE;
        }
    }
  rules = g_key_file_get_string_list (file, group, "acl", NULL, NULL);
  for (guint i = 0; rules && rules[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit_set (g_strstrip (rules[i]), " \t", -1);
      g_autoptr (GPtrArray) words = g_ptr_array_new ();

      for (guint j = 0; parts[j]; j++)
        if (parts[j][0] != '\0')
          g_ptr_array_add (words, parts[j]);
      if (words->len != 3
          || (strcmp (words->pdata[2], "allow") != 0 && strcmp (words->pdata[2], "deny") != 0))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _ ("%s: [%s] acl rule “%s” is not “PRINCIPAL METHOD allow|deny”"), path,
                       group, rules[i]);
          return FALSE;
        }
      synod_object_add_acl_rule (object, words->pdata[0], words->pdata[1],
                                 strcmp (words->pdata[2], "allow") == 0 ? SYNOD_ACL_ALLOW
                                                                        : SYNOD_ACL_DENY);
    }
  return TRUE;
}

/**
 * synodd_config_create_objects:
 * @config: the configuration
 * @broker: the peer's broker
 * @error: return location for an error naming the group at fault
 *
 * Creates the objects of the [object NAME] groups, in file order: class,
 * creation parameters, service names, access control.
 *
 * Returns: (transfer full) (element-type SynodObject): the objects created
 */
GPtrArray *
synodd_config_create_objects (SynoddConfig *config, SynodBroker *broker, GError **error)
{
  g_autoptr (GPtrArray) objects
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  g_auto (GStrv) groups = NULL;

  if (config->file == NULL)
    return g_steal_pointer (&objects);
  groups = g_key_file_get_groups (config->file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      const gchar *group = groups[i];
      g_autofree gchar *class_text = NULL, *params_text = NULL, *class_name = NULL;
      g_auto (GStrv) services = NULL;
      g_auto (GStrv) aliases = NULL;
      g_autoptr (GVariant) params = NULL;
      g_autoptr (SynodObject) object = NULL;
      g_autoptr (GError) local_error = NULL;
      guint32 version;

      if (!g_str_has_prefix (group, OBJECT_PREFIX))
        continue;
      class_text = g_key_file_get_string (config->file, group, "class", NULL);
      if (class_text == NULL
          || !synod_class_parse_full_name (class_text, &class_name, &version, &local_error))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _ ("%s: [%s] needs class=NAMESPACE.NAME;VERSION%s%s"), config->file_name,
                       group, local_error ? ": " : "", local_error ? local_error->message : "");
          return NULL;
        }
      params_text = g_key_file_get_string (config->file, group, "params", NULL);
      if (params_text)
        {
          params = g_variant_parse (NULL, params_text, NULL, NULL, &local_error);
          if (params == NULL)
            {
              g_autofree gchar *where
                  = g_variant_parse_error_print_context (local_error, params_text);
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           _ ("%s: [%s] params is not a GVariant: %s"), config->file_name, group,
                           where);
              return NULL;
            }
        }
      object = synod_broker_create_object (broker, class_name, version, params, &local_error);
      if (object == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code, "%s: [%s] %s",
                       config->file_name, group, local_error->message);
          return NULL;
        }
      if (!apply_acl (object, group, config->file, config->file_name, error))
        return NULL;
      aliases = g_key_file_get_string_list (config->file, group, "aliases", NULL, NULL);
      for (guint j = 0; aliases && aliases[j]; j++)
        {
          SynodObjectId alias;

          if (!synod_object_id_parse (g_strstrip (aliases[j]), &alias, &local_error)
              || !synod_object_add_alias (object, &alias, &local_error))
            {
              g_set_error (error, local_error->domain, local_error->code, _ ("%s: [%s] alias: %s"),
                           config->file_name, group, local_error->message);
              return NULL;
            }
        }
      services = g_key_file_get_string_list (config->file, group, "services", NULL, NULL);
      for (guint j = 0; services && services[j]; j++)
        if (!synod_broker_register_service (broker, services[j], object, &local_error))
          {
            g_set_error (error, local_error->domain, local_error->code, "%s: [%s] %s",
                         config->file_name, group, local_error->message);
            return NULL;
          }
      g_info ("created %s (%s)", group + strlen (OBJECT_PREFIX), class_text);
      g_ptr_array_add (objects, g_steal_pointer (&object));
    }
  return g_steal_pointer (&objects);
}
