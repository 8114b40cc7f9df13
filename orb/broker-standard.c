/* broker-standard.c — the broker's own implementation of Standard.Object
 * and Standard.Introspectable, shared by every class.
 *
 * These methods read only what the broker keeps about the object (class,
 * Id, aliases), never the instance data, so they are concurrent: a ping
 * answers even while the object is busy.
 */
#include "config.h"

#include <string.h>

#include "broker-private.h"
#include "synod-standard.h"

static gboolean
object_class_name (gpointer self, SynodCall *call, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup (synod_class_get_full_name (call->object->klass));
  return TRUE;
}

static gboolean
object_interfaces (gpointer self, SynodCall *call, StandardNameList *ret_result, GError **error)
{
  g_autoptr (GPtrArray) list = synod_class_list_interfaces (call->object->klass);

  ret_result->len = list->len;
  ret_result->val = g_new0 (StandardName, MAX (list->len, 1));
  for (guint i = 0; i < list->len; i++)
    {
      const SynodInterfaceDesc *d = list->pdata[i];

      ret_result->val[i] = g_strdup_printf ("%s;%u", d->name, d->version);
    }
  return TRUE;
}

static gboolean
object_aliases (gpointer self, SynodCall *call, StandardIdList *ret_result, GError **error)
{
  g_autoptr (GArray) aliases = synod_object_list_aliases (call->object);

  ret_result->len = aliases->len;
  ret_result->val = (SynodObjectId *)(gpointer)g_array_free (g_steal_pointer (&aliases), FALSE);
  return TRUE;
}

static gboolean
object_id (gpointer self, SynodCall *call, SynodObjectId *ret_result, GError **error)
{
  *ret_result = call->object->id;
  return TRUE;
}

static gboolean
object_ping (gpointer self, SynodCall *call, GError **error)
{
  return TRUE;
}

static gboolean
introspectable_introspect (gpointer self, SynodCall *call, gchar **ret_result, GError **error)
{
  *ret_result = synod_object_introspect (call->object);
  return TRUE;
}

static const StandardObjectIface object_vtable = {
  .class_name = object_class_name,
  .interfaces = object_interfaces,
  .aliases = object_aliases,
  .id = object_id,
  .ping = object_ping,
};

static const StandardIntrospectableIface introspectable_vtable = {
  .introspect = introspectable_introspect,
};

gboolean
_synod_standard_is_builtin (const SynodInterfaceDesc *iface)
{
  return iface == &standard_object_interface || iface == &standard_introspectable_interface
         || strcmp (iface->name, standard_object_interface.name) == 0
         || strcmp (iface->name, standard_introspectable_interface.name) == 0;
}

gconstpointer
_synod_standard_vtable_for (const SynodInterfaceDesc *iface)
{
  if (iface == &standard_object_interface)
    return &object_vtable;
  if (iface == &standard_introspectable_interface)
    return &introspectable_vtable;
  return NULL;
}

/* The built-in interfaces by name, for the dynamic API. */
const SynodInterfaceDesc *
_synod_standard_lookup (const gchar *name, guint32 version)
{
  const SynodInterfaceDesc *all[]
      = { &standard_object_interface, &standard_introspectable_interface };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (strcmp (all[i]->name, name) == 0 && (version == 0 || version == all[i]->version))
      return all[i];
  return NULL;
}
