/* bft-classes.h — what the BFT classes share (private). */
#pragma once

#include "synod-bft.h"

G_BEGIN_DECLS

#define BFT_LOG_DOMAIN "synod-bft"

gboolean bft_replica_server_register (SynodBroker *broker, GError **error);
gboolean bft_coordinator_register (SynodBroker *broker, GError **error);
gboolean bft_unreplicated_register (SynodBroker *broker, GError **error);

/* Creation parameters: an a{sv} (or none). Unknown keys are errors, so a
 * typo in a configuration file does not go unnoticed. */
gboolean bft_params_check (GVariant *params, const gchar *class_name, const gchar *const *known,
                           GError **error);
/* Each leaves @ret alone when @key is absent (and fails if @required). */
gboolean bft_param_string (GVariant *params, const gchar *key, gboolean required, gchar **ret,
                           GError **error);
gboolean bft_param_uint (GVariant *params, const gchar *key, guint64 min, guint64 max, guint64 *ret,
                         GError **error);
gboolean bft_param_bool (GVariant *params, const gchar *key, gboolean *ret, GError **error);

G_END_DECLS
