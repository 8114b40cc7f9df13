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

/* From an object's own thread, right after its create hook: the object
 * once the broker has made it reachable, or NULL when its creation failed
 * after the hook (or @timeout_ms passed). */
SynodObject *bft_wait_for_object (SynodBroker *broker, const SynodObjectId *id, guint timeout_ms);

G_END_DECLS
