/* synod-http-plugin.c — the HTTP classes as a class plugin.
 *
 * Installed as standard-httpdaemon-1.so in the class directory, so that a
 * peer daemon whose configuration creates a "Standard.HTTPdaemon;1" object
 * finds the class on its class path like any other, and needs no code of
 * its own to serve web sites. Loading it registers all the HTTP classes
 * (synod_http_register_classes()).
 */
#include "config.h"

#include <synod.h>

#include "synod-http-objects.h"

SYNOD_PLUGIN_DEFINE_ABI;

G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  return synod_http_register_classes (broker, error);
}
