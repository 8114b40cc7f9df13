/* synod-standard.c — descriptors and stubs of Standard.Object and
 * Standard.Introspectable (idl/standard.idl), in the form synod-idl
 * generates them. */
#include "config.h"

#include "synod-standard.h"

const SynodTypeDesc standard_name_desc = {
  .kind = SYNOD_TYPE_STRING,
  .name = "Standard.Name",
  .c_size = sizeof (StandardName),
  .c_align = G_ALIGNOF (StandardName),
  .bound = STANDARD_NAME_MAX,
};

const SynodTypeDesc standard_name_list_desc = {
  .kind = SYNOD_TYPE_ARRAY_VAR,
  .name = "Standard.NameList",
  .c_size = sizeof (StandardNameList),
  .c_align = G_ALIGNOF (StandardNameList),
  .bound = SYNOD_TYPE_UNBOUNDED,
  .element = &standard_name_desc,
};

const SynodTypeDesc standard_id_list_desc = {
  .kind = SYNOD_TYPE_ARRAY_VAR,
  .name = "Standard.IdList",
  .c_size = sizeof (StandardIdList),
  .c_align = G_ALIGNOF (StandardIdList),
  .bound = SYNOD_TYPE_UNBOUNDED,
  .element = &synod_type_object_id,
};

void
standard_name_list_clear (StandardNameList *value)
{
  for (guint32 i = 0; i < value->len; i++)
    g_free (value->val[i]);
  g_clear_pointer (&value->val, g_free);
  value->len = 0;
}

void
standard_id_list_clear (StandardIdList *value)
{
  g_clear_pointer (&value->val, g_free);
  value->len = 0;
}

#define EMPTY_ARGS(sym, nm)                                                                        \
  const SynodTypeDesc sym = { .kind = SYNOD_TYPE_STRUCT, .name = nm, .c_size = 0, .c_align = 1 }

EMPTY_ARGS (standard_object_class_name_args_desc, "Standard.Object.className.args");
EMPTY_ARGS (standard_object_interfaces_args_desc, "Standard.Object.interfaces.args");
EMPTY_ARGS (standard_object_aliases_args_desc, "Standard.Object.aliases.args");
EMPTY_ARGS (standard_object_id_args_desc, "Standard.Object.id.args");
EMPTY_ARGS (standard_object_ping_args_desc, "Standard.Object.ping.args");
EMPTY_ARGS (standard_introspectable_introspect_args_desc,
            "Standard.Introspectable.introspect.args");

static gboolean
standard_object_class_name_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                                   gconstpointer args, gpointer ret, GError **error)
{
  const StandardObjectIface *iface = vtable;

  return iface->class_name (instance, call, ret, error);
}

static gboolean
standard_object_interfaces_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                                   gconstpointer args, gpointer ret, GError **error)
{
  const StandardObjectIface *iface = vtable;

  return iface->interfaces (instance, call, ret, error);
}

static gboolean
standard_object_aliases_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                                gconstpointer args, gpointer ret, GError **error)
{
  const StandardObjectIface *iface = vtable;

  return iface->aliases (instance, call, ret, error);
}

static gboolean
standard_object_id_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                           gconstpointer args, gpointer ret, GError **error)
{
  const StandardObjectIface *iface = vtable;

  return iface->id (instance, call, ret, error);
}

static gboolean
standard_object_ping_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                             gconstpointer args, gpointer ret, GError **error)
{
  const StandardObjectIface *iface = vtable;

  return iface->ping (instance, call, error);
}

static gboolean
standard_introspectable_introspect_invoke (gconstpointer vtable, gpointer instance, SynodCall *call,
                                           gconstpointer args, gpointer ret, GError **error)
{
  const StandardIntrospectableIface *iface = vtable;

  return iface->introspect (instance, call, ret, error);
}

const SynodMethodDesc standard_object_methods[] = {
  { "className", &standard_object_interface, 0, &standard_object_class_name_args_desc,
    &synod_type_string, SYNOD_METHOD_CONCURRENT, standard_object_class_name_invoke,
    G_STRUCT_OFFSET (StandardObjectIface, class_name) },
  { "interfaces", &standard_object_interface, 1, &standard_object_interfaces_args_desc,
    &standard_name_list_desc, SYNOD_METHOD_CONCURRENT, standard_object_interfaces_invoke,
    G_STRUCT_OFFSET (StandardObjectIface, interfaces) },
  { "aliases", &standard_object_interface, 2, &standard_object_aliases_args_desc,
    &standard_id_list_desc, SYNOD_METHOD_CONCURRENT, standard_object_aliases_invoke,
    G_STRUCT_OFFSET (StandardObjectIface, aliases) },
  { "id", &standard_object_interface, 3, &standard_object_id_args_desc, &synod_type_object_id,
    SYNOD_METHOD_CONCURRENT, standard_object_id_invoke, G_STRUCT_OFFSET (StandardObjectIface, id) },
  { "ping", &standard_object_interface, 4, &standard_object_ping_args_desc, &synod_type_void,
    SYNOD_METHOD_CONCURRENT, standard_object_ping_invoke,
    G_STRUCT_OFFSET (StandardObjectIface, ping) },
};

const SynodInterfaceDesc standard_object_interface = {
  .name = "Standard.Object",
  .version = 1,
  .methods = standard_object_methods,
  .n_methods = G_N_ELEMENTS (standard_object_methods),
  .flags = SYNOD_INTERFACE_CONCURRENT,
  .vtable_size = sizeof (StandardObjectIface),
  .introspection_xml = "  <interface name=\"Standard.Object\">\n"
                       "    <method name=\"className\">\n"
                       "      <arg name=\"result\" type=\"s\" direction=\"out\"/>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <method name=\"interfaces\">\n"
                       "      <arg name=\"result\" type=\"as\" direction=\"out\">\n"
                       "        <annotation name=\"org.synod.Xdr\" value=\"Name&lt;&gt;\"/>\n"
                       "      </arg>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <method name=\"aliases\">\n"
                       "      <arg name=\"result\" type=\"as\" direction=\"out\">\n"
                       "        <annotation name=\"org.synod.Xdr\" value=\"ObjectId&lt;&gt;\"/>\n"
                       "      </arg>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <method name=\"id\">\n"
                       "      <arg name=\"result\" type=\"s\" direction=\"out\">\n"
                       "        <annotation name=\"org.synod.Xdr\" value=\"ObjectId\"/>\n"
                       "      </arg>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <method name=\"ping\">\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <annotation name=\"org.synod.Version\" value=\"1\"/>\n"
                       "    <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "  </interface>\n",
};

const SynodMethodDesc standard_introspectable_methods[] = {
  { "introspect", &standard_introspectable_interface, 0,
    &standard_introspectable_introspect_args_desc, &synod_type_string, SYNOD_METHOD_CONCURRENT,
    standard_introspectable_introspect_invoke,
    G_STRUCT_OFFSET (StandardIntrospectableIface, introspect) },
};

const SynodInterfaceDesc standard_introspectable_interface = {
  .name = "Standard.Introspectable",
  .version = 1,
  .methods = standard_introspectable_methods,
  .n_methods = G_N_ELEMENTS (standard_introspectable_methods),
  .flags = SYNOD_INTERFACE_CONCURRENT,
  .vtable_size = sizeof (StandardIntrospectableIface),
  .introspection_xml = "  <interface name=\"Standard.Introspectable\">\n"
                       "    <method name=\"introspect\">\n"
                       "      <arg name=\"result\" type=\"s\" direction=\"out\"/>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <annotation name=\"org.synod.Version\" value=\"1\"/>\n"
                       "    <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "  </interface>\n",
};

gboolean
standard_object_class_name (SynodRef *target, gchar **ret_result, GError **error)
{
  return synod_invoke_sync (target, STANDARD_OBJECT_METHOD_CLASS_NAME, NULL, ret_result, error);
}

gboolean
standard_object_interfaces (SynodRef *target, StandardNameList *ret_result, GError **error)
{
  return synod_invoke_sync (target, STANDARD_OBJECT_METHOD_INTERFACES, NULL, ret_result, error);
}

gboolean
standard_object_aliases (SynodRef *target, StandardIdList *ret_result, GError **error)
{
  return synod_invoke_sync (target, STANDARD_OBJECT_METHOD_ALIASES, NULL, ret_result, error);
}

gboolean
standard_object_id (SynodRef *target, SynodObjectId *ret_result, GError **error)
{
  return synod_invoke_sync (target, STANDARD_OBJECT_METHOD_ID, NULL, ret_result, error);
}

gboolean
standard_object_ping (SynodRef *target, GError **error)
{
  return synod_invoke_sync (target, STANDARD_OBJECT_METHOD_PING, NULL, NULL, error);
}

void
standard_object_ping_async (SynodRef *target, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  synod_invoke_async (target, STANDARD_OBJECT_METHOD_PING, NULL, cancellable, callback, user_data);
}

gboolean
standard_object_ping_finish (SynodRef *target, GAsyncResult *result, GError **error)
{
  return synod_invoke_finish (target, result, NULL, error);
}

gboolean
standard_introspectable_introspect (SynodRef *target, gchar **ret_result, GError **error)
{
  return synod_invoke_sync (target, STANDARD_INTROSPECTABLE_METHOD_INTROSPECT, NULL, ret_result,
                            error);
}
