/* synod-dynamic.c — invoking by interface and method name with GVariant
 * arguments, on top of the descriptors and the codec. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "broker-private.h"
#include "synod-codec.h"
#include "synod-dynamic.h"
#include "synod-error.h"
#include "synod-invoke.h"

static const SynodMethodDesc *
find_method (const SynodInterfaceDesc *iface, const gchar *name, guint depth)
{
  if (depth > 64)
    return NULL;
  for (guint i = 0; i < iface->n_methods; i++)
    if (strcmp (iface->methods[i].name, name) == 0)
      return &iface->methods[i];
  for (guint i = 0; i < iface->n_bases; i++)
    {
      const SynodMethodDesc *m = find_method (iface->bases[i], name, depth + 1);

      if (m)
        return m;
    }
  return NULL;
}

/**
 * synod_ref_lookup_method:
 * @target: what will be invoked
 * @interface_name: "Ns.Iface" or "Ns.Iface;VERSION"
 * @method_name: a method of that interface or of one of its bases
 * @error: return location for an error
 *
 * Finds the descriptor of a method by name: on the class of a local
 * target (which must answer the interface, possibly by allomorphism), or
 * among the interfaces the broker knows for a remote one.
 *
 * Returns: (transfer none): the method, or %NULL with
 *   %SYNOD_ORB_ERROR_NO_SUCH_INTERFACE or %SYNOD_ORB_ERROR_NO_SUCH_METHOD
 */
const SynodMethodDesc *
synod_ref_lookup_method (SynodRef *target, const gchar *interface_name, const gchar *method_name,
                         GError **error)
{
  g_autofree gchar *name = NULL;
  guint32 version = 0;
  SynodResolved resolved = { 0 };
  const SynodInterfaceDesc *iface = NULL;
  const SynodMethodDesc *method;
  SynodBroker *broker;

  g_return_val_if_fail (target != NULL && interface_name != NULL && method_name != NULL, NULL);
  if (!synod_class_parse_full_name (interface_name, &name, &version, error))
    return NULL;
  broker = synod_ref_get_broker (target);
  if (!_synod_ref_resolve (target, &resolved, error))
    return NULL;
  if (resolved.kind == SYNOD_RESOLVED_LOCAL)
    iface = _synod_class_find_interface (resolved.object->klass, name, version);
  if (iface == NULL)
    iface = synod_broker_lookup_interface (broker, name, version);
  if (iface == NULL)
    {
      _synod_resolved_clear (&resolved);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                   _ ("Interface %s is unknown"), interface_name);
      return NULL;
    }
  if (resolved.kind == SYNOD_RESOLVED_LOCAL
      && !synod_class_answers (resolved.object->klass, iface, error))
    {
      _synod_resolved_clear (&resolved);
      return NULL;
    }
  _synod_resolved_clear (&resolved);
  method = find_method (iface, method_name, 0);
  if (method == NULL)
    g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                 _ ("Interface %s;%u has no method “%s”"), iface->name, iface->version,
                 method_name);
  return method;
}

/* Converts @args (NULL means "()") into a new argument struct. */
static gpointer
args_from_variant (const SynodMethodDesc *method, GVariant *args, GError **error)
{
  g_autoptr (GVariant) empty = NULL;
  gpointer value;

  if (args == NULL)
    args = empty = g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
  if (!g_variant_is_of_type (args, G_VARIANT_TYPE_TUPLE))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("Arguments of %s.%s must be a tuple, not “%s”"), method->interface->name,
                   method->name, g_variant_get_type_string (args));
      return NULL;
    }
  value = g_malloc0 (MAX (method->args->c_size, 1));
  if (!synod_value_from_variant (method->args, args, value, error))
    {
      g_free (value);
      g_prefix_error (error, _ ("Arguments of %s.%s: "), method->interface->name, method->name);
      return NULL;
    }
  return value;
}

static GVariant *
result_to_variant (const SynodMethodDesc *method, gpointer ret, GError **error)
{
  GVariant *inner;

  if (method->result->kind == SYNOD_TYPE_VOID)
    return g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
  inner = synod_value_to_variant (method->result, ret, error);
  if (inner == NULL)
    {
      g_prefix_error (error, _ ("Result of %s.%s: "), method->interface->name, method->name);
      return NULL;
    }
  return g_variant_ref_sink (g_variant_new_tuple (&inner, 1));
}

static void
free_value (const SynodTypeDesc *type, gpointer value)
{
  if (value == NULL)
    return;
  synod_value_clear (type, value);
  g_free (value);
}

/**
 * synod_invoke_dynamic_sync:
 * @target: what to invoke
 * @interface_name: "Ns.Iface" or "Ns.Iface;VERSION"
 * @method_name: the method's name
 * @args: (nullable): the arguments as a tuple of their GVariant forms
 *   (see #SynodTypeKind); %NULL for none. A floating reference is sunk.
 * @error: return location for an error
 *
 * The dynamic counterpart of synod_invoke_sync().
 *
 * Returns: (transfer full): the result as a tuple: `(r)` with the result's
 *   GVariant form, or `()` for a void method; %NULL on error
 */
GVariant *
synod_invoke_dynamic_sync (SynodRef *target, const gchar *interface_name, const gchar *method_name,
                           GVariant *args, GError **error)
{
  g_autoptr (GVariant) sunk = args ? g_variant_ref_sink (args) : NULL;
  const SynodMethodDesc *method;
  gpointer argv, ret;
  GVariant *result = NULL;

  method = synod_ref_lookup_method (target, interface_name, method_name, error);
  if (method == NULL)
    return NULL;
  argv = args_from_variant (method, sunk, error);
  if (argv == NULL)
    return NULL;
  ret = g_malloc0 (MAX (method->result->c_size, 1));
  if (synod_invoke_sync (target, method, argv, ret, error))
    {
      result = result_to_variant (method, ret, error);
      synod_value_clear (method->result, ret);
    }
  g_free (ret);
  free_value (method->args, argv);
  return result;
}

static void
dynamic_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  const SynodMethodDesc *method = g_task_get_task_data (task);
  SynodRef *target = g_object_get_data (G_OBJECT (task), "synod-target");
  GError *error = NULL;
  gpointer ret = g_malloc0 (MAX (method->result->c_size, 1));

  if (synod_invoke_finish (target, res, ret, &error))
    {
      GVariant *v = result_to_variant (method, ret, &error);

      if (v)
        g_task_return_pointer (task, v, (GDestroyNotify)g_variant_unref);
      else
        g_task_return_error (task, error);
      synod_value_clear (method->result, ret);
    }
  else
    g_task_return_error (task, error);
  g_free (ret);
  g_object_unref (task);
}

/**
 * synod_invoke_dynamic_async:
 * @target: what to invoke
 * @interface_name: "Ns.Iface" or "Ns.Iface;VERSION"
 * @method_name: the method's name
 * @args: (nullable): the argument tuple; a floating reference is sunk
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the caller's thread-default main context
 * @user_data: for @callback
 *
 * The dynamic counterpart of synod_invoke_async(); finish with
 * synod_invoke_dynamic_finish().
 */
void
synod_invoke_dynamic_async (SynodRef *target, const gchar *interface_name, const gchar *method_name,
                            GVariant *args, GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GVariant) sunk = args ? g_variant_ref_sink (args) : NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  const SynodMethodDesc *method;
  gpointer argv;

  g_task_set_source_tag (task, synod_invoke_dynamic_async);
  method = synod_ref_lookup_method (target, interface_name, method_name, &error);
  argv = method ? args_from_variant (method, sunk, &error) : NULL;
  if (argv == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, (gpointer)method, NULL);
  g_object_set_data_full (G_OBJECT (task), "synod-target", synod_ref_ref (target),
                          (GDestroyNotify)synod_ref_unref);
  synod_invoke_async (target, method, argv, cancellable, dynamic_done, task);
  free_value (method->args, argv);
}

/**
 * synod_invoke_dynamic_finish:
 * @target: the target given to synod_invoke_dynamic_async()
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the result tuple, or %NULL on error
 */
GVariant *
synod_invoke_dynamic_finish (SynodRef *target, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * synod_invoke_dynamic_oneway:
 * @target: what to invoke
 * @interface_name: "Ns.Iface" or "Ns.Iface;VERSION"
 * @method_name: the method's name
 * @args: (nullable): the argument tuple; a floating reference is sunk
 * @error: return location for an error
 *
 * The dynamic counterpart of synod_invoke_oneway().
 *
 * Returns: %TRUE when the invocation was sent
 */
gboolean
synod_invoke_dynamic_oneway (SynodRef *target, const gchar *interface_name,
                             const gchar *method_name, GVariant *args, GError **error)
{
  g_autoptr (GVariant) sunk = args ? g_variant_ref_sink (args) : NULL;
  const SynodMethodDesc *method;
  gpointer argv;
  gboolean ok;

  method = synod_ref_lookup_method (target, interface_name, method_name, error);
  if (method == NULL)
    return FALSE;
  argv = args_from_variant (method, sunk, error);
  if (argv == NULL)
    return FALSE;
  ok = synod_invoke_oneway (target, method, argv, error);
  free_value (method->args, argv);
  return ok;
}
