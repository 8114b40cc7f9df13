/* synod-class.c — classes, and how a class answers an interface.
 *
 * Dispatch must find, for a method descriptor the caller holds, the slot of
 * the class's vtable that implements it. The common case is the very
 * descriptor the class registered (a pointer comparison). The others are
 * resolved once per (class, interface) and cached: the same interface
 * described by another copy of the generated code (a plugin), and
 * allomorphism — an interface the class declares itself allomorphic to, or
 * one whose every method it provides under the same name and signature.
 * Signatures are compared structurally, down to C layout, because the
 * implementation will read the caller's argument struct as its own.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "broker-private.h"
#include "synod-error.h"
#include "synod-standard.h"

#define CLASS_NAME_MAX 255

static void
binding_free (gpointer data)
{
  SynodBinding *b = data;

  g_clear_error (&b->error);
  g_free (b->methods);
  g_free (b);
}

static gboolean
identifier_ok (const gchar *p, gsize len)
{
  if (len == 0 || !(g_ascii_isalpha (p[0]) || p[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (p[i]) || p[i] == '_'))
      return FALSE;
  return TRUE;
}

/**
 * synod_class_name_is_valid:
 * @name: a class or interface name
 *
 * A valid name is one or more identifiers (a letter or `_`, then letters,
 * digits, `_`) joined by `.`, at most 255 characters: "Shop.Cart".
 *
 * Returns: whether @name is valid
 */
gboolean
synod_class_name_is_valid (const gchar *name)
{
  const gchar *p, *dot;
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > CLASS_NAME_MAX)
    return FALSE;
  for (p = name; (dot = strchr (p, '.')) != NULL; p = dot + 1)
    if (!identifier_ok (p, dot - p))
      return FALSE;
  return identifier_ok (p, strlen (p));
}

/**
 * synod_class_parse_full_name:
 * @text: "Ns.Name;V" or "Ns.Name"
 * @ret_name: (out) (transfer full) (optional): the name
 * @ret_version: (out) (optional): the version, 0 when @text has none
 * @error: return location for a %SYNOD_ORB_ERROR_INVALID_ARGS error
 *
 * Parses the text form of a class or interface name with its version.
 *
 * Returns: %TRUE when @text is well formed
 */
gboolean
synod_class_parse_full_name (const gchar *text, gchar **ret_name, guint32 *ret_version,
                             GError **error)
{
  g_autofree gchar *name = NULL;
  const gchar *semi;
  guint64 version = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  semi = strchr (text, ';');
  name = semi ? g_strndup (text, semi - text) : g_strdup (text);
  if (semi != NULL)
    {
      gchar *end = NULL;

      if (!g_ascii_isdigit (semi[1])
          || (version = g_ascii_strtoull (semi + 1, &end, 10), *end != '\0') || version == 0
          || version > G_MAXUINT32)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                       _ ("“%s” has no valid version after “;” (expected 1 to %u)"), text,
                       G_MAXUINT32);
          return FALSE;
        }
    }
  if (!synod_class_name_is_valid (name))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("“%s” is not a valid name (dot-separated identifiers)"), name);
      return FALSE;
    }
  if (ret_name)
    *ret_name = g_steal_pointer (&name);
  if (ret_version)
    *ret_version = (guint32)version;
  return TRUE;
}

static void
add_entry (SynodClass *klass, const SynodInterfaceDesc *iface, gconstpointer vtable,
           gboolean replace)
{
  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      SynodClassIface *e = &g_array_index (klass->ifaces, SynodClassIface, i);

      if (e->iface == iface
          || (g_strcmp0 (e->iface->name, iface->name) == 0 && e->iface->version == iface->version))
        {
          if (replace)
            {
              e->iface = iface;
              e->vtable = vtable;
            }
          return;
        }
    }
  g_array_append_val (klass->ifaces, ((SynodClassIface){ iface, vtable }));
}

/**
 * synod_class_new:
 * @name: the class name with its namespace ("Shop.Cart")
 * @version: the class version, 1 or more
 * @instance_size: the size of each object's instance data (may be 0)
 * @flags: class flags
 *
 * Creates an unregistered class. Add interfaces and hooks, then register it
 * with synod_broker_register_class(); once registered it cannot change.
 * Every class answers Standard.Object and Standard.Introspectable: the
 * broker implements them.
 *
 * Returns: (transfer full): a new class
 */
SynodClass *
synod_class_new (const gchar *name, guint32 version, gsize instance_size, SynodClassFlags flags)
{
  SynodClass *klass;

  g_return_val_if_fail (synod_class_name_is_valid (name), NULL);
  g_return_val_if_fail (version > 0, NULL);

  klass = g_new0 (SynodClass, 1);
  klass->ref_count = 1;
  klass->name = g_strdup (name);
  klass->version = version;
  klass->full_name = g_strdup_printf ("%s;%u", name, version);
  klass->instance_size = instance_size;
  klass->flags = flags;
  klass->ifaces = g_array_new (FALSE, FALSE, sizeof (SynodClassIface));
  klass->allomorphic = g_ptr_array_new_with_free_func (g_free);
  klass->parents = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_class_unref);
  g_mutex_init (&klass->bind_lock);
  klass->bindings = g_hash_table_new_full (NULL, NULL, NULL, binding_free);
  add_entry (klass, &standard_object_interface,
             _synod_standard_vtable_for (&standard_object_interface), FALSE);
  add_entry (klass, &standard_introspectable_interface,
             _synod_standard_vtable_for (&standard_introspectable_interface), FALSE);
  return klass;
}

/**
 * synod_class_ref:
 * @klass: a class
 *
 * Returns: (transfer full): @klass
 */
SynodClass *
synod_class_ref (SynodClass *klass)
{
  g_return_val_if_fail (klass != NULL, NULL);
  g_atomic_int_inc (&klass->ref_count);
  return klass;
}

/**
 * synod_class_unref:
 * @klass: (nullable) (transfer full): a class
 */
void
synod_class_unref (SynodClass *klass)
{
  if (klass == NULL || !g_atomic_int_dec_and_test (&klass->ref_count))
    return;
  if (klass->class_data_destroy)
    klass->class_data_destroy (klass->class_data);
  g_hash_table_unref (klass->bindings);
  g_mutex_clear (&klass->bind_lock);
  g_ptr_array_unref (klass->parents);
  g_ptr_array_unref (klass->allomorphic);
  g_array_unref (klass->ifaces);
  g_free (klass->plugin_path);
  g_free (klass->full_name);
  g_free (klass->name);
  g_free (klass);
}

/**
 * synod_class_add_interface:
 * @klass: an unregistered class
 * @iface: an interface descriptor (generated by synod-idl)
 * @vtable: (transfer none): the interface's skeleton vtable, filled with the
 *   class's implementations; it must outlive the class (generated code and
 *   plugins keep it static). A NULL slot makes that method answer
 *   %SYNOD_ORB_ERROR_NO_SUCH_METHOD.
 *
 * Declares that the class implements @iface. The class must also implement
 * every base of @iface (Standard.Object and Standard.Introspectable are
 * built in), which synod_broker_register_class() checks. Adding an
 * interface a parent class already provided overrides the parent's vtable.
 */
void
synod_class_add_interface (SynodClass *klass, const SynodInterfaceDesc *iface, gconstpointer vtable)
{
  g_return_if_fail (klass != NULL);
  g_return_if_fail (!klass->sealed);
  g_return_if_fail (iface != NULL && vtable != NULL);
  g_return_if_fail (!_synod_standard_is_builtin (iface));
  add_entry (klass, iface, vtable, TRUE);
}

/**
 * synod_class_inherit:
 * @klass: an unregistered class
 * @parent: a class to inherit from
 *
 * Makes @klass inherit every interface (with its vtable), the allomorphism
 * declarations and the create and delete hooks of @parent; call it once per
 * parent for multiple inheritance, before adding the class's own
 * interfaces. The parent's methods receive the child's instance data, so a
 * child's instance struct must begin with its parent's (as GObject
 * structures do), and with several parents only the first may have instance
 * data. On creation the parents' create hooks run first, in order; on
 * deletion the class's own delete hook runs first, then the parents'.
 */
void
synod_class_inherit (SynodClass *klass, SynodClass *parent)
{
  g_return_if_fail (klass != NULL && parent != NULL);
  g_return_if_fail (!klass->sealed);
  g_return_if_fail (klass != parent);

  for (guint i = 0; i < parent->ifaces->len; i++)
    {
      SynodClassIface *e = &g_array_index (parent->ifaces, SynodClassIface, i);

      add_entry (klass, e->iface, e->vtable, FALSE);
    }
  for (guint i = 0; i < parent->allomorphic->len; i++)
    g_ptr_array_add (klass->allomorphic, g_strdup (parent->allomorphic->pdata[i]));
  g_ptr_array_add (klass->parents, synod_class_ref (parent));
}

/**
 * synod_class_add_allomorphic:
 * @klass: an unregistered class
 * @iface_name: an interface name ("Other.Iface")
 * @version: its version
 *
 * Declares that objects of @klass answer invocations of @iface_name even
 * though the class does not implement it: each of its methods is served by
 * the class's method of the same name, which must have the same signature.
 */
void
synod_class_add_allomorphic (SynodClass *klass, const gchar *iface_name, guint32 version)
{
  g_return_if_fail (klass != NULL);
  g_return_if_fail (!klass->sealed);
  g_return_if_fail (synod_class_name_is_valid (iface_name));
  g_ptr_array_add (klass->allomorphic, g_strdup_printf ("%s;%u", iface_name, version));
}

/**
 * synod_class_set_hooks:
 * @klass: an unregistered class
 * @create: (nullable): runs when an object is created
 * @delete_: (nullable): runs when an object is deleted
 * @class_data: (nullable): passed to both hooks
 * @class_data_destroy: (nullable): frees @class_data with the class
 */
void
synod_class_set_hooks (SynodClass *klass, SynodClassCreateFunc create, SynodClassDeleteFunc delete_,
                       gpointer class_data, GDestroyNotify class_data_destroy)
{
  g_return_if_fail (klass != NULL);
  g_return_if_fail (!klass->sealed);
  if (klass->class_data_destroy)
    klass->class_data_destroy (klass->class_data);
  klass->create = create;
  klass->delete_ = delete_;
  klass->class_data = class_data;
  klass->class_data_destroy = class_data_destroy;
}

/**
 * synod_class_get_name:
 * @klass: a class
 *
 * Returns: (transfer none): the class name without version ("Shop.Cart")
 */
const gchar *
synod_class_get_name (SynodClass *klass)
{
  return klass->name;
}

/**
 * synod_class_get_version:
 * @klass: a class
 *
 * Returns: the class version
 */
guint32
synod_class_get_version (SynodClass *klass)
{
  return klass->version;
}

/**
 * synod_class_get_full_name:
 * @klass: a class
 *
 * Returns: (transfer none): the name with the version ("Shop.Cart;2")
 */
const gchar *
synod_class_get_full_name (SynodClass *klass)
{
  return klass->full_name;
}

/**
 * synod_class_get_flags:
 * @klass: a class
 *
 * Returns: the class flags
 */
SynodClassFlags
synod_class_get_flags (SynodClass *klass)
{
  return klass->flags;
}

/**
 * synod_class_get_instance_size:
 * @klass: a class
 *
 * Returns: the size of each object's instance data
 */
gsize
synod_class_get_instance_size (SynodClass *klass)
{
  return klass->instance_size;
}

/**
 * synod_class_get_plugin_path:
 * @klass: a class
 *
 * Returns: (transfer none) (nullable): the plugin file the class came from,
 *   or %NULL for a class registered by the program itself
 */
const gchar *
synod_class_get_plugin_path (SynodClass *klass)
{
  return klass->plugin_path;
}

/**
 * synod_class_list_interfaces:
 * @klass: a class
 *
 * Returns: (transfer container) (element-type SynodInterfaceDesc): the
 *   interfaces the class implements, Standard.Object and
 *   Standard.Introspectable included (interfaces it is only allomorphic to
 *   are not listed)
 */
GPtrArray *
synod_class_list_interfaces (SynodClass *klass)
{
  GPtrArray *list = g_ptr_array_sized_new (klass->ifaces->len);

  for (guint i = 0; i < klass->ifaces->len; i++)
    g_ptr_array_add (list, (gpointer)g_array_index (klass->ifaces, SynodClassIface, i).iface);
  return list;
}

const SynodInterfaceDesc *
_synod_class_find_interface (SynodClass *klass, const gchar *name, guint32 version)
{
  const SynodInterfaceDesc *best = NULL;

  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      const SynodInterfaceDesc *d = g_array_index (klass->ifaces, SynodClassIface, i).iface;

      if (strcmp (d->name, name) != 0)
        continue;
      if (d->version == version)
        return d;
      if (version == 0 && (best == NULL || d->version > best->version))
        best = d;
    }
  return best;
}

/* ---------------------------------------------------------------------- */
/* Structural comparison of descriptors                                    */

typedef struct
{
  const SynodTypeDesc *a, *b;
} TypePair;

static gboolean
type_equal (const SynodTypeDesc *a, const SynodTypeDesc *b, GArray *in_progress)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (a->kind != b->kind || a->c_size != b->c_size || a->bound != b->bound)
    return FALSE;
  /* Recursive types (lists through optional data): a pair already being
   * compared further up is assumed equal; any difference shows elsewhere. */
  for (guint i = 0; i < in_progress->len; i++)
    {
      TypePair *p = &g_array_index (in_progress, TypePair, i);

      if (p->a == a && p->b == b)
        return TRUE;
    }
  if (in_progress->len >= 256)
    return FALSE;

  switch (a->kind)
    {
      case SYNOD_TYPE_ENUM:
        if (a->n_values != b->n_values)
          return FALSE;
        for (guint i = 0; i < a->n_values; i++)
          if (a->values[i].value != b->values[i].value
              || g_strcmp0 (a->values[i].name, b->values[i].name) != 0)
            return FALSE;
        return TRUE;

      case SYNOD_TYPE_ARRAY_FIXED:
      case SYNOD_TYPE_ARRAY_VAR:
      case SYNOD_TYPE_OPTIONAL:
      case SYNOD_TYPE_STRUCT:
      case SYNOD_TYPE_UNION:
        {
          gboolean ok = TRUE;

          g_array_append_val (in_progress, ((TypePair){ a, b }));
          if (a->kind == SYNOD_TYPE_STRUCT)
            {
              ok = a->n_fields == b->n_fields;
              for (guint i = 0; ok && i < a->n_fields; i++)
                ok = a->fields[i].offset == b->fields[i].offset
                     && type_equal (a->fields[i].type, b->fields[i].type, in_progress);
            }
          else if (a->kind == SYNOD_TYPE_UNION)
            {
              ok = a->n_arms == b->n_arms && a->union_offset == b->union_offset
                   && (a->default_arm == NULL) == (b->default_arm == NULL)
                   && type_equal (a->discriminant, b->discriminant, in_progress);
              for (guint i = 0; ok && i < a->n_arms; i++)
                {
                  const SynodUnionArmDesc *x = &a->arms[i], *y = &b->arms[i];

                  ok = x->n_cases == y->n_cases
                       && (x->n_cases == 0
                           || memcmp (x->cases, y->cases, x->n_cases * sizeof (gint32)) == 0)
                       && type_equal (x->type, y->type, in_progress);
                }
              if (ok && a->default_arm != NULL)
                ok = type_equal (a->default_arm->type, b->default_arm->type, in_progress);
            }
          else
            ok = type_equal (a->element, b->element, in_progress);
          g_array_set_size (in_progress, in_progress->len - 1);
          return ok;
        }

      default:
        return TRUE;
    }
}

/**
 * _synod_type_equal_structurally:
 *
 * Whether two descriptors describe the same XDR type with the same C layout
 * (names of fields and of named types aside; enum symbols count, because
 * the GVariant form carries them).
 */
gboolean
_synod_type_equal_structurally (const SynodTypeDesc *a, const SynodTypeDesc *b)
{
  g_autoptr (GArray) in_progress = g_array_new (FALSE, FALSE, sizeof (TypePair));

  return type_equal (a, b, in_progress);
}

static gboolean
same_signature (const SynodMethodDesc *a, const SynodMethodDesc *b)
{
  return (a->flags & SYNOD_METHOD_ONEWAY) == (b->flags & SYNOD_METHOD_ONEWAY)
         && _synod_type_equal_structurally (a->args, b->args)
         && _synod_type_equal_structurally (a->result, b->result);
}

static gboolean
slot_filled (gconstpointer vtable, const SynodMethodDesc *m)
{
  gpointer slot;

  memcpy (&slot, (const guint8 *)vtable + m->vtable_offset, sizeof slot);
  return slot != NULL;
}

static gboolean
declared_allomorphic (SynodClass *klass, const SynodInterfaceDesc *iface)
{
  g_autofree gchar *key = g_strdup_printf ("%s;%u", iface->name, iface->version);

  for (guint i = 0; i < klass->allomorphic->len; i++)
    if (strcmp (klass->allomorphic->pdata[i], key) == 0)
      return TRUE;
  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      const SynodInterfaceDesc *d = g_array_index (klass->ifaces, SynodClassIface, i).iface;

      for (guint j = 0; j < d->n_allomorphic; j++)
        if (strcmp (d->allomorphic[j], key) == 0)
          return TRUE;
    }
  return FALSE;
}

/* The class's method with @m's name and signature, in any interface. */
static gboolean
find_by_name (SynodClass *klass, const SynodMethodDesc *m, SynodBoundMethod *ret)
{
  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      SynodClassIface *e = &g_array_index (klass->ifaces, SynodClassIface, i);

      for (guint j = 0; j < e->iface->n_methods; j++)
        {
          const SynodMethodDesc *c = &e->iface->methods[j];

          if (strcmp (c->name, m->name) == 0 && same_signature (c, m))
            {
              ret->impl = c;
              ret->vtable = e->vtable;
              return TRUE;
            }
        }
    }
  return FALSE;
}

static SynodBinding *
compute_binding (SynodClass *klass, const SynodInterfaceDesc *iface)
{
  SynodBinding *b = g_new0 (SynodBinding, 1);
  const SynodInterfaceDesc *same = NULL;

  b->iface = iface;
  b->n_methods = iface->n_methods;
  b->methods = g_new0 (SynodBoundMethod, MAX (iface->n_methods, 1));

  /* The same interface, described by another copy of the generated code. */
  for (guint i = 0; i < klass->ifaces->len && same == NULL; i++)
    {
      SynodClassIface *e = &g_array_index (klass->ifaces, SynodClassIface, i);

      if (strcmp (e->iface->name, iface->name) == 0 && e->iface->version == iface->version)
        {
          same = e->iface;
          for (guint j = 0; j < iface->n_methods; j++)
            {
              const SynodMethodDesc *m = &iface->methods[j];

              if (j >= same->n_methods || strcmp (same->methods[j].name, m->name) != 0
                  || !same_signature (&same->methods[j], m))
                {
                  g_set_error (&b->error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                               _ ("Class %s implements a different %s;%u (method “%s” differs)"),
                               klass->full_name, iface->name, iface->version, m->name);
                  return b;
                }
              b->methods[j].impl = &same->methods[j];
              b->methods[j].vtable = e->vtable;
            }
        }
    }
  if (same != NULL)
    return b;

  if (declared_allomorphic (klass, iface))
    {
      /* Declared: methods the class lacks fail one by one at call time. */
      for (guint j = 0; j < iface->n_methods; j++)
        find_by_name (klass, &iface->methods[j], &b->methods[j]);
      return b;
    }

  /* Structural allomorphism: every method present with its signature. */
  for (guint j = 0; j < iface->n_methods; j++)
    {
      if (!find_by_name (klass, &iface->methods[j], &b->methods[j]))
        {
          g_set_error (&b->error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                       _ ("Objects of class %s do not answer %s;%u: it is neither implemented "
                          "nor declared allomorphic, and the class has no method “%s” with "
                          "that signature"),
                       klass->full_name, iface->name, iface->version, iface->methods[j].name);
          return b;
        }
    }
  if (iface->n_methods == 0)
    g_set_error (&b->error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                 _ ("Objects of class %s do not answer %s;%u"), klass->full_name, iface->name,
                 iface->version);
  return b;
}

static SynodBinding *
get_binding (SynodClass *klass, const SynodInterfaceDesc *iface)
{
  SynodBinding *b;

  g_mutex_lock (&klass->bind_lock);
  b = g_hash_table_lookup (klass->bindings, iface);
  if (b == NULL)
    {
      b = compute_binding (klass, iface);
      g_hash_table_insert (klass->bindings, (gpointer)iface, b);
    }
  g_mutex_unlock (&klass->bind_lock);
  return b;
}

/**
 * _synod_class_bind_method:
 * @klass: a class
 * @method: the method a caller invokes
 * @ret_impl: (out): the class's descriptor of the implementing method
 * @ret_vtable: (out): the vtable that holds its slot
 * @error: %SYNOD_ORB_ERROR_NO_SUCH_INTERFACE or %SYNOD_ORB_ERROR_NO_SUCH_METHOD
 *
 * Finds how objects of @klass serve @method.
 */
gboolean
_synod_class_bind_method (SynodClass *klass, const SynodMethodDesc *method,
                          const SynodMethodDesc **ret_impl, gconstpointer *ret_vtable,
                          GError **error)
{
  const SynodInterfaceDesc *iface = method->interface;
  SynodBinding *b;
  const SynodBoundMethod *bm;

  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      SynodClassIface *e = &g_array_index (klass->ifaces, SynodClassIface, i);

      if (e->iface == iface)
        {
          if (!slot_filled (e->vtable, method))
            {
              g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                           _ ("Class %s does not implement %s.%s"), klass->full_name, iface->name,
                           method->name);
              return FALSE;
            }
          *ret_impl = method;
          *ret_vtable = e->vtable;
          return TRUE;
        }
    }

  b = get_binding (klass, iface);
  if (b->error != NULL)
    {
      g_propagate_error (error, g_error_copy (b->error));
      return FALSE;
    }
  if (method->index >= b->n_methods || &iface->methods[method->index] != method)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                   _ ("Method “%s” is not method %u of %s"), method->name, method->index,
                   iface->name);
      return FALSE;
    }
  bm = &b->methods[method->index];
  if (bm->impl == NULL || !slot_filled (bm->vtable, bm->impl))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                   _ ("Class %s has no method “%s” with the signature of %s.%s"), klass->full_name,
                   method->name, iface->name, method->name);
      return FALSE;
    }
  *ret_impl = bm->impl;
  *ret_vtable = bm->vtable;
  return TRUE;
}

/**
 * synod_class_answers:
 * @klass: a class
 * @iface: an interface
 * @error: return location for a %SYNOD_ORB_ERROR_NO_SUCH_INTERFACE error
 *
 * Whether objects of @klass answer @iface and its bases: implemented,
 * declared allomorphic, or providing every method by name and signature.
 *
 * Returns: %TRUE when they do
 */
gboolean
synod_class_answers (SynodClass *klass, const SynodInterfaceDesc *iface, GError **error)
{
  SynodBinding *b;

  g_return_val_if_fail (klass != NULL && iface != NULL, FALSE);
  for (guint i = 0; i < klass->ifaces->len; i++)
    if (g_array_index (klass->ifaces, SynodClassIface, i).iface == iface)
      return TRUE;
  b = get_binding (klass, iface);
  if (b->error != NULL)
    {
      g_propagate_error (error, g_error_copy (b->error));
      return FALSE;
    }
  for (guint i = 0; i < iface->n_bases; i++)
    if (!synod_class_answers (klass, iface->bases[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
check_bases (SynodClass *klass, const SynodInterfaceDesc *top, const SynodInterfaceDesc *iface,
             guint depth, GError **error)
{
  if (depth > 64)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("Interface %s inherits more than 64 levels deep"), top->name);
      return FALSE;
    }
  for (guint i = 0; i < iface->n_bases; i++)
    {
      const SynodInterfaceDesc *base = iface->bases[i];

      if (_synod_class_find_interface (klass, base->name, base->version) == NULL)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                       _ ("Class %s implements %s but not its base %s;%u"), klass->full_name,
                       top->name, base->name, base->version);
          return FALSE;
        }
      if (!check_bases (klass, top, base, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

/* Checks a class before registration and freezes it. */
gboolean
_synod_class_seal (SynodClass *klass, GError **error)
{
  if (klass->sealed)
    return TRUE;
  for (guint i = 0; i < klass->parents->len; i++)
    {
      SynodClass *parent = klass->parents->pdata[i];

      if (parent->instance_size > klass->instance_size)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                       _ ("Class %s has smaller instance data (%zu bytes) than its parent %s "
                          "(%zu bytes)"),
                       klass->full_name, klass->instance_size, parent->full_name,
                       parent->instance_size);
          return FALSE;
        }
    }
  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      const SynodInterfaceDesc *d = g_array_index (klass->ifaces, SynodClassIface, i).iface;

      for (guint j = 0; j < d->n_methods; j++)
        if (d->methods[j].vtable_offset + sizeof (gpointer) > d->vtable_size
            || d->methods[j].interface != d || d->methods[j].invoke == NULL)
          {
            g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                         _ ("Descriptor of %s.%s is inconsistent"), d->name, d->methods[j].name);
            return FALSE;
          }
      if (!check_bases (klass, d, d, 0, error))
        return FALSE;
    }
  klass->sealed = TRUE;
  return TRUE;
}
