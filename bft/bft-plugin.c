/* bft-plugin.c — the synod-bft class plugin: ReplicaServer, Coordinator
 * and Unreplicated for synodd (`plugins=.../synod-bft.so`). */
#include "config.h"

#include <gmodule.h>

#include "synod-bft.h"

SYNOD_PLUGIN_DEFINE_ABI;

G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  return synod_bft_register_classes (broker, error);
}
