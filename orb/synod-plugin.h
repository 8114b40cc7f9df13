/* synod-plugin.h — class implementations loaded at run time.
 *
 * A class plugin is a shared object (a GModule) that exports two symbols:
 *
 * |[<!-- language="C" -->
 * SYNOD_PLUGIN_DEFINE_ABI;     // exports synod_plugin_abi_version
 *
 * G_MODULE_EXPORT gboolean
 * synod_plugin_register (SynodBroker *broker, GError **error)
 * {
 *   g_autoptr (SynodClass) klass = synod_class_new ("Shop.Cart", 2, sizeof (Cart), 0);
 *   synod_class_add_interface (klass, &shop_cart_interface, &cart_vtable);
 *   return synod_broker_register_class (broker, klass, error);
 * }
 * ]|
 *
 * The broker looks for a class it does not have on its class path, in a
 * file named after the class and version: `shop-cart-2.so` for
 * "Shop.Cart;2" (see synod_plugin_file_name()). Modules are opened with
 * local symbol binding, so several versions of one class — built from
 * similar code with the same symbol names — coexist; they are never
 * unloaded, because objects may still run their code.
 */
#pragma once

#include <gmodule.h>

#include "synod-broker.h"

G_BEGIN_DECLS

/**
 * SYNOD_PLUGIN_ABI_VERSION:
 *
 * The plugin interface version this library speaks. A plugin built for
 * another one is refused with %SYNOD_ORB_ERROR_PLUGIN.
 */
#define SYNOD_PLUGIN_ABI_VERSION 1

/**
 * SYNOD_PLUGIN_REGISTER_SYMBOL:
 *
 * The name of the entry point each plugin exports, a
 * #SynodPluginRegisterFunc.
 */
#define SYNOD_PLUGIN_REGISTER_SYMBOL "synod_plugin_register"

/**
 * SYNOD_PLUGIN_ABI_SYMBOL:
 *
 * The name of the `const guint32` each plugin exports with the
 * %SYNOD_PLUGIN_ABI_VERSION it was built for.
 */
#define SYNOD_PLUGIN_ABI_SYMBOL "synod_plugin_abi_version"

/**
 * SYNOD_PLUGIN_DEFINE_ABI:
 *
 * Defines the ABI version symbol in a plugin's source.
 */
#define SYNOD_PLUGIN_DEFINE_ABI                                                                    \
  G_MODULE_EXPORT const guint32 synod_plugin_abi_version = SYNOD_PLUGIN_ABI_VERSION

/**
 * SynodPluginRegisterFunc:
 * @broker: the broker loading the plugin
 * @error: return location for an error
 *
 * A plugin's entry point: registers its classes with @broker. On failure,
 * the classes it registered are removed again.
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*SynodPluginRegisterFunc) (SynodBroker *broker, GError **error);

void synod_broker_set_class_path (SynodBroker *broker, const gchar *const *dirs);
GStrv synod_broker_get_class_path (SynodBroker *broker);
gboolean synod_broker_load_plugin (SynodBroker *broker, const gchar *path, GError **error);
gboolean synod_broker_load_class_path (SynodBroker *broker, GError **error);
gchar *synod_plugin_file_name (const gchar *class_name, guint32 version);

G_END_DECLS
