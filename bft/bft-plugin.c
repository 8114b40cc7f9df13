/* bft-plugin.c — the synod-bft class plugin: ReplicaServer, Coordinator
 * and Unreplicated for synodd (`plugins=.../synod-bft.so`), and HTTPcart,
 * the shopping cart's web face. */
#include "config.h"

#include <gmodule.h>

#include "synod-bft.h"
#include "synod-bft-http.h"

SYNOD_PLUGIN_DEFINE_ABI;

G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  return synod_bft_register_classes (broker, error)
         && synod_bft_http_register_classes (broker, error);
}
