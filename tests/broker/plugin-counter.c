/* plugin-counter.c — a class plugin for the tests, built several times:
 * PLUGIN_VERSION picks the class version (and its behaviour), and
 * PLUGIN_NO_ENTRY leaves the entry point out. Every build has the same
 * symbol names and its own copy of the interface descriptors, as
 * separately built plugins would. */
#include "config.h"

#include <gmodule.h>

#include <synod.h>

#include "broker-test.h"

typedef struct
{
  gint total;
} Plugged;

/* Per-module state: shows that each loaded version keeps its own. */
static gint created;

static gboolean
plugged_add (gpointer self, SynodCall *call, gint32 delta, gint32 *ret_result, GError **error)
{
  Plugged *p = self;

  p->total += delta * (PLUGIN_VERSION == 1 ? 1 : 10);
  *ret_result = p->total;
  return TRUE;
}

static gboolean
plugged_get (gpointer self, SynodCall *call, gint32 *ret_result, GError **error)
{
  *ret_result = created;
  return TRUE;
}

static gboolean
plugged_echo (gpointer self, SynodCall *call, const gchar *text, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup_printf ("%s from version %d", text, PLUGIN_VERSION);
  return TRUE;
}

static const TestCounterIface plugged_vtable = {
  .add = plugged_add,
  .get = plugged_get,
  .echo = plugged_echo,
};

static gboolean
plugged_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                GError **error)
{
  created++;
  return TRUE;
}

SYNOD_PLUGIN_DEFINE_ABI;

#ifdef PLUGIN_NO_ENTRY
/* Keeps the implementation referenced in the build without an entry point. */
G_MODULE_EXPORT const gpointer plugged_unused[]
    = { (gpointer)&plugged_vtable, (gpointer)plugged_create };
#else
G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new ("Test.Plugged", PLUGIN_VERSION, sizeof (Plugged), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &test_counter_interface, &plugged_vtable);
  synod_class_set_hooks (klass, plugged_create, NULL, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
#endif
