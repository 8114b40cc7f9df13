/* synodd-config.h — synodd's command line and configuration file. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

typedef struct
{
  gchar *listen;
  gchar **peers;
  gchar *cluster;
  gboolean discovery;
  gchar *instance_name;
  gchar *state_dir;
  gchar **class_path;
  gboolean load_class_path;
  gchar **plugins;
  gboolean rpcbind;
  guint call_timeout_ms;
  guint connect_timeout_ms;
  guint probe_interval_ms;
  guint max_connections;
  guint max_record;
  SynodTlsMode tls_mode;
  gchar *tls_cert;
  gchar *tls_key;
  gchar *tls_ca;
  guint tls_handshake_timeout_ms;
  gint ready_fd;
  gboolean show_version;
  GKeyFile *file; /* the configuration file, for the [object ...] groups */
  gchar *file_name;
} SynoddConfig;

SynoddConfig *synodd_config_parse (int argc, char **argv, GError **error);
void synodd_config_free (SynoddConfig *config);
GPtrArray *synodd_config_create_objects (SynoddConfig *config, SynodBroker *broker, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynoddConfig, synodd_config_free)

G_END_DECLS
