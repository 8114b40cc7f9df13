/* synod-plugin.c — loading class plugins from the class path. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>
#include <string.h>

#include "broker-private.h"
#include "synod-error.h"
#include "synod-plugin.h"

static __thread const gchar *tls_loading;

const gchar *
_synod_plugin_loading_path (void)
{
  return tls_loading;
}

/**
 * synod_plugin_file_name:
 * @class_name: a class name ("Shop.Cart")
 * @version: its version
 *
 * Returns: (transfer full): the file name the class's plugin has on the
 *   class path: the name in lower case with `.` turned into `-`, then `-`
 *   and the version ("shop-cart-2.so")
 */
gchar *
synod_plugin_file_name (const gchar *class_name, guint32 version)
{
  g_autofree gchar *lower = g_ascii_strdown (class_name, -1);

  g_strdelimit (lower, ".", '-');
  return g_strdup_printf ("%s-%u.%s", lower, version, G_MODULE_SUFFIX);
}

/**
 * synod_broker_set_class_path:
 * @broker: a broker
 * @dirs: (nullable) (array zero-terminated=1): directories searched for
 *   class plugins, in order
 */
void
synod_broker_set_class_path (SynodBroker *broker, const gchar *const *dirs)
{
  g_return_if_fail (broker != NULL);
  g_rec_mutex_lock (&broker->plugin_lock);
  g_strfreev (broker->class_path);
  broker->class_path = g_strdupv ((gchar **)dirs);
  g_rec_mutex_unlock (&broker->plugin_lock);
}

/**
 * synod_broker_get_class_path:
 * @broker: a broker
 *
 * Returns: (transfer full): the class path (maybe empty)
 */
GStrv
synod_broker_get_class_path (SynodBroker *broker)
{
  GStrv copy;

  g_rec_mutex_lock (&broker->plugin_lock);
  copy = broker->class_path ? g_strdupv (broker->class_path) : g_new0 (gchar *, 1);
  g_rec_mutex_unlock (&broker->plugin_lock);
  return copy;
}

static void
unregister_plugin_classes (SynodBroker *broker, const gchar *path)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&broker->class_lock);
  g_hash_table_iter_init (&iter, broker->classes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SynodClass *k = value;

      if (g_strcmp0 (k->plugin_path, path) == 0)
        g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&broker->class_lock);
}

/**
 * synod_broker_load_plugin:
 * @broker: a broker
 * @path: a plugin file
 * @error: return location for a %SYNOD_ORB_ERROR_PLUGIN error
 *
 * Loads a class plugin and runs its registration. Loading a file that this
 * broker already loaded does nothing.
 *
 * Returns: %TRUE on success; on failure the error names the file and the
 *   reason (missing file, not loadable, missing entry point, other plugin
 *   ABI, or the registration's own error, such as a class and version that
 *   is already registered)
 */
gboolean
synod_broker_load_plugin (SynodBroker *broker, const gchar *path, GError **error)
{
  g_autofree gchar *canonical = NULL;
  g_autoptr (GError) local_error = NULL;
  SynodPluginRegisterFunc reg = NULL;
  const guint32 *abi = NULL;
  GModule *module;
  const gchar *outer;
  gboolean ok;

  g_return_val_if_fail (broker != NULL && path != NULL, FALSE);
  canonical = g_canonicalize_filename (path, NULL);

  g_rec_mutex_lock (&broker->plugin_lock);
  if (g_hash_table_contains (broker->plugins, canonical))
    {
      g_rec_mutex_unlock (&broker->plugin_lock);
      return TRUE;
    }
  if (!g_file_test (canonical, G_FILE_TEST_IS_REGULAR))
    {
      g_rec_mutex_unlock (&broker->plugin_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN,
                   _ ("Class plugin “%s” does not exist"), canonical);
      return FALSE;
    }
  module = g_module_open_full (canonical, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY, &local_error);
  if (module == NULL)
    {
      g_rec_mutex_unlock (&broker->plugin_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN,
                   _ ("Class plugin “%s” cannot be loaded: %s"), canonical, local_error->message);
      return FALSE;
    }
  if (!g_module_symbol (module, SYNOD_PLUGIN_ABI_SYMBOL, (gpointer *)&abi) || abi == NULL
      || !g_module_symbol (module, SYNOD_PLUGIN_REGISTER_SYMBOL, (gpointer *)&reg) || reg == NULL)
    {
      g_module_close (module);
      g_rec_mutex_unlock (&broker->plugin_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN,
                   _ ("“%s” is not a class plugin: it does not export %s"), canonical,
                   abi == NULL ? SYNOD_PLUGIN_ABI_SYMBOL : SYNOD_PLUGIN_REGISTER_SYMBOL);
      return FALSE;
    }
  if (*abi != SYNOD_PLUGIN_ABI_VERSION)
    {
      guint32 found = *abi;

      g_module_close (module);
      g_rec_mutex_unlock (&broker->plugin_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN,
                   _ ("Class plugin “%s” was built for plugin ABI %u; this library has %u"),
                   canonical, found, SYNOD_PLUGIN_ABI_VERSION);
      return FALSE;
    }

  outer = tls_loading;
  tls_loading = canonical;
  ok = reg (broker, &local_error);
  tls_loading = outer;
  if (!ok)
    {
      unregister_plugin_classes (broker, canonical);
      /* Not closed: the broker's interface table may already point into it. */
      g_module_make_resident (module);
      g_rec_mutex_unlock (&broker->plugin_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN,
                   _ ("Class plugin “%s” failed to register: %s"), canonical,
                   local_error ? local_error->message : _ ("no reason given"));
      return FALSE;
    }
  g_module_make_resident (module);
  g_hash_table_insert (broker->plugins, g_steal_pointer (&canonical), module);
  g_rec_mutex_unlock (&broker->plugin_lock);
  return TRUE;
}

static gboolean
is_plugin_file_for (const gchar *file, const gchar *prefix)
{
  gsize plen = strlen (prefix);
  const gchar *p;

  if (strncmp (file, prefix, plen) != 0)
    return FALSE;
  p = file + plen;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  return *p == '.' && strcmp (p + 1, G_MODULE_SUFFIX) == 0;
}

static gboolean
load_matching (SynodBroker *broker, const gchar *prefix, GError **error)
{
  g_auto (GStrv) dirs = synod_broker_get_class_path (broker);

  for (guint i = 0; dirs[i]; i++)
    {
      g_autoptr (GDir) dir = g_dir_open (dirs[i], 0, NULL);
      const gchar *file;

      while (dir && (file = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *path = NULL;

          if (prefix ? !is_plugin_file_for (file, prefix)
                     : !g_str_has_suffix (file, "." G_MODULE_SUFFIX))
            continue;
          path = g_build_filename (dirs[i], file, NULL);
          if (!synod_broker_load_plugin (broker, path, error))
            return FALSE;
        }
    }
  return TRUE;
}

/**
 * synod_broker_load_class_path:
 * @broker: a broker
 * @error: return location for the first loading error
 *
 * Loads every plugin (`*.so`) on the class path, as a daemon does at start.
 *
 * Returns: %TRUE when all loaded
 */
gboolean
synod_broker_load_class_path (SynodBroker *broker, GError **error)
{
  gboolean ok;

  g_rec_mutex_lock (&broker->plugin_lock);
  ok = load_matching (broker, NULL, error);
  g_rec_mutex_unlock (&broker->plugin_lock);
  return ok;
}

gboolean
_synod_plugin_load_for_class (SynodBroker *broker, const gchar *name, guint32 version,
                              GError **error)
{
  g_auto (GStrv) dirs = synod_broker_get_class_path (broker);
  gboolean ok = TRUE;

  g_rec_mutex_lock (&broker->plugin_lock);
  if (version != 0)
    {
      g_autofree gchar *file = synod_plugin_file_name (name, version);

      for (guint i = 0; dirs[i]; i++)
        {
          g_autofree gchar *path = g_build_filename (dirs[i], file, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            {
              ok = synod_broker_load_plugin (broker, path, error);
              break;
            }
        }
    }
  else
    {
      g_autofree gchar *lower = g_ascii_strdown (name, -1);
      g_autofree gchar *prefix = NULL;

      g_strdelimit (lower, ".", '-');
      prefix = g_strconcat (lower, "-", NULL);
      ok = load_matching (broker, prefix, error);
    }
  g_rec_mutex_unlock (&broker->plugin_lock);
  return ok;
}
