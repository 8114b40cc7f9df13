/* synod-class.h — classes: named, versioned sets of interface implementations.
 *
 * A class is named by namespace, name and version ("Shop.Cart;2"). It lists
 * the interfaces it implements, each with the skeleton vtable that
 * synod-idl generated and the class filled in, the size of its objects'
 * instance data, create and delete hooks, and the interfaces it declares
 * itself allomorphic to. Several versions of one class live side by side in
 * a broker; an object stays bound to the version that created it.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

/**
 * SynodClassFlags:
 * @SYNOD_CLASS_NONE: no flags
 * @SYNOD_CLASS_CONCURRENT: every method of the class may run while another
 *   method of the same object is active (opts out of one active method per
 *   object)
 */
typedef enum
{
  SYNOD_CLASS_NONE = 0,
  SYNOD_CLASS_CONCURRENT = 1 << 0,
} SynodClassFlags;

/**
 * SynodClassCreateFunc:
 * @object: the new object (its Id is assigned, it is not yet reachable)
 * @instance: the object's instance data, zero-filled, of the class's size
 * @params: (nullable): creation parameters given by the creator
 * @class_data: the class's data (see synod_class_set_hooks())
 * @error: return location for an error
 *
 * Initialises a new object. Returning %FALSE abandons the object: its delete
 * hook is not run, and the creator gets @error.
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*SynodClassCreateFunc) (SynodObject *object, gpointer instance, GVariant *params,
                                          gpointer class_data, GError **error);

/**
 * SynodClassDeleteFunc:
 * @object: the object being deleted (no longer reachable)
 * @instance: its instance data
 * @class_data: the class's data
 *
 * Releases what the create hook and the methods acquired. Runs once, after
 * the object's last active method has returned; the instance memory itself
 * is freed by the broker when the last reference to the object goes.
 */
typedef void (*SynodClassDeleteFunc) (SynodObject *object, gpointer instance, gpointer class_data);

SynodClass *synod_class_new (const gchar *name, guint32 version, gsize instance_size,
                             SynodClassFlags flags);
SynodClass *synod_class_ref (SynodClass *klass);
void synod_class_unref (SynodClass *klass);

void synod_class_add_interface (SynodClass *klass, const SynodInterfaceDesc *iface,
                                gconstpointer vtable);
void synod_class_inherit (SynodClass *klass, SynodClass *parent);
void synod_class_add_allomorphic (SynodClass *klass, const gchar *iface_name, guint32 version);
void synod_class_set_hooks (SynodClass *klass, SynodClassCreateFunc create,
                            SynodClassDeleteFunc delete_, gpointer class_data,
                            GDestroyNotify class_data_destroy);

const gchar *synod_class_get_name (SynodClass *klass);
guint32 synod_class_get_version (SynodClass *klass);
const gchar *synod_class_get_full_name (SynodClass *klass);
SynodClassFlags synod_class_get_flags (SynodClass *klass);
gsize synod_class_get_instance_size (SynodClass *klass);
const gchar *synod_class_get_plugin_path (SynodClass *klass);
GPtrArray *synod_class_list_interfaces (SynodClass *klass);
gboolean synod_class_answers (SynodClass *klass, const SynodInterfaceDesc *iface, GError **error);

gboolean synod_class_name_is_valid (const gchar *name);
gboolean synod_class_parse_full_name (const gchar *text, gchar **ret_name, guint32 *ret_version,
                                      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodClass, synod_class_unref)

G_END_DECLS
