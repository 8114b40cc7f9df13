/* Class plugins: two versions of one plugin class loaded at once, each
 * object answering with its own version's behaviour, and clear errors for
 * a missing file, a missing entry point and a version clash. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <synod.h>

#include "broker-test.h"

static gchar *plugin_dir;

static SynodBroker *
new_broker (void)
{
  SynodBroker *b = synod_broker_new (NULL, NULL);
  const gchar *path[] = { "/nonexistent-dir", plugin_dir, NULL };

  synod_broker_set_class_path (b, path);
  return b;
}

static gchar *
plugin_path (const gchar *file)
{
  return g_build_filename (plugin_dir, file, NULL);
}

static void
test_two_versions (void)
{
  g_autoptr (SynodBroker) b = new_broker ();
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodObject) o1 = NULL, o2 = NULL, o1b = NULL;
  g_autoptr (SynodClass) k1 = NULL;
  g_autofree gchar *e1 = NULL, *e2 = NULL;
  gint32 v = 0;

  g_test_summary ("Two versions of one plugin class, built from the same source (same "
                  "symbol names), load at once from the class path; each object answers "
                  "with its own version's code and module state.");
  o1 = synod_broker_create_object (b, "Test.Plugged", 1, NULL, &error);
  g_assert_no_error (error);
  o2 = synod_broker_create_object (b, "Test.Plugged;2", 0, NULL, &error);
  g_assert_no_error (error);
  o1b = synod_broker_create_object (b, "Test.Plugged", 1, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (SynodRef) r1 = synod_ref_new_for_object (o1);
    g_autoptr (SynodRef) r2 = synod_ref_new_for_object (o2);

    g_assert_true (test_counter_add (r1, 3, &v, &error));
    g_assert_no_error (error);
    g_assert_cmpint (v, ==, 3);
    g_assert_true (test_counter_add (r2, 3, &v, &error));
    g_assert_cmpint (v, ==, 30);
    g_assert_true (test_counter_echo (r1, "hi", &e1, &error));
    g_assert_true (test_counter_echo (r2, "hi", &e2, &error));
    g_assert_cmpstr (e1, ==, "hi from version 1");
    g_assert_cmpstr (e2, ==, "hi from version 2");
    /* Module state: version 1 created two objects, version 2 one. */
    g_assert_true (test_counter_get (r1, &v, &error));
    g_assert_cmpint (v, ==, 2);
    g_assert_true (test_counter_get (r2, &v, &error));
    g_assert_cmpint (v, ==, 1);
    /* Unimplemented slots answer NO_SUCH_METHOD. */
    g_assert_false (test_counter_sleep (r1, 1, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD);
    g_clear_error (&error);
  }
  k1 = synod_broker_lookup_class (b, "Test.Plugged", 1, &error);
  g_assert_nonnull (synod_class_get_plugin_path (k1));
  g_assert_true (g_str_has_suffix (synod_class_get_plugin_path (k1), "test-plugged-1.so"));

  /* Not on the class path. */
  g_assert_null (synod_broker_lookup_class (b, "Test.Plugged", 3, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_CLASS);
}

static void
test_missing_file (void)
{
  g_autoptr (SynodBroker) b = new_broker ();
  g_autoptr (GError) error = NULL;

  g_assert_false (synod_broker_load_plugin (b, "/nonexistent/shop-cart-1.so", &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "/nonexistent/shop-cart-1.so"));
}

static void
test_missing_symbol (void)
{
  g_autoptr (SynodBroker) b = new_broker ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = plugin_path ("test-noentry-1.so");

  g_assert_false (synod_broker_load_plugin (b, path, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "synod_plugin_register"));
  g_assert_nonnull (strstr (error->message, "test-noentry-1.so"));
}

static void
test_not_a_plugin (void)
{
  g_autoptr (SynodBroker) b = new_broker ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("synod-plugin-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "junk-1.so", NULL);

  g_assert_true (g_file_set_contents (path, "not an ELF file", -1, NULL));
  g_assert_false (synod_broker_load_plugin (b, path, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "junk-1.so"));
  g_remove (path);
  g_rmdir (dir);
}

static void
test_version_clash (void)
{
  g_autoptr (SynodBroker) b = new_broker ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *v1 = plugin_path ("test-plugged-1.so");
  g_autofree gchar *clash = plugin_path ("test-clash-1.so");

  g_test_summary ("A second plugin registering a class and version already loaded fails "
                  "with an error naming both; loading the same file twice is harmless.");
  g_assert_true (synod_broker_load_plugin (b, v1, &error));
  g_assert_no_error (error);
  g_assert_true (synod_broker_load_plugin (b, v1, &error));
  g_assert_false (synod_broker_load_plugin (b, clash, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "test-clash-1.so"));
  g_assert_nonnull (strstr (error->message, "Test.Plugged;1"));
  g_assert_nonnull (strstr (error->message, "test-plugged-1.so"));
}

static void
test_file_name (void)
{
  g_autofree gchar *name = synod_plugin_file_name ("Shop.Cart", 2);

  g_assert_cmpstr (name, ==, "shop-cart-2." G_MODULE_SUFFIX);
}

int
main (int argc, char **argv)
{
  const gchar *top = g_getenv ("SYNOD_TOP_BUILDDIR");

  g_test_init (&argc, &argv, NULL);
  plugin_dir = g_build_filename (top ? top : ".", "tests", "broker", ".libs", NULL);
  g_test_add_func ("/orb/plugin/file-name", test_file_name);
  g_test_add_func ("/orb/plugin/two-versions", test_two_versions);
  g_test_add_func ("/orb/plugin/missing-file", test_missing_file);
  g_test_add_func ("/orb/plugin/missing-symbol", test_missing_symbol);
  g_test_add_func ("/orb/plugin/not-a-plugin", test_not_a_plugin);
  g_test_add_func ("/orb/plugin/version-clash", test_version_clash);
  return g_test_run ();
}
