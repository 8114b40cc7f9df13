/* plugin-locator.c — the Test.Locator class (mdns-test.idl), loaded by synodd
 * with --plugin in the discovery tests: whoami() names the peer it runs on,
 * ask() resolves a service name through this peer's broker (local objects,
 * then the peers it found) and calls whoami() there. */
#include "config.h"

#include <gmodule.h>

#include <synod.h>

#include "mdns-test.h"

typedef struct
{
  gchar _unused;
} Locator;

static gboolean
locator_whoami (gpointer self, SynodCall *call, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup_printf ("%016" G_GINT64_MODIFIER "x",
                                 synod_broker_get_peer_id (synod_call_get_broker (call)));
  return TRUE;
}

static gboolean
locator_ask (gpointer self, SynodCall *call, const gchar *service, gchar **ret_result,
             GError **error)
{
  g_autoptr (SynodRef) ref = synod_ref_new_for_name (synod_call_get_broker (call), service);

  return test_locator_whoami (ref, ret_result, error);
}

static const TestLocatorIface locator_vtable = {
  .whoami = locator_whoami,
  .ask = locator_ask,
};

SYNOD_PLUGIN_DEFINE_ABI;

G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new ("Test.Locator", 1, sizeof (Locator), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &test_locator_interface, &locator_vtable);
  return synod_broker_register_class (broker, klass, error);
}
