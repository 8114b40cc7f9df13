/* Object Ids: the one text form, parsing of hostile text, equality, order. */
#include "config.h"

#include <synod.h>

static void
test_roundtrip (void)
{
  const SynodObjectId ids[] = {
    { 0, 0 },
    { 1, 2 },
    { G_MAXUINT64, G_MAXUINT64 },
    { G_GUINT64_CONSTANT (0x3f2a9c4d5e6f7a8b), 42 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree gchar *text = synod_object_id_to_string (&ids[i]);
      SynodObjectId back = { 7, 7 };
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (strlen (text), ==, SYNOD_OBJECT_ID_STRING_LEN);
      g_assert_true (synod_object_id_parse (text, &back, &error));
      g_assert_no_error (error);
      g_assert_true (synod_object_id_equal (&ids[i], &back));
      g_assert_cmpuint (synod_object_id_hash (&ids[i]), ==, synod_object_id_hash (&back));
    }
}

static void
test_text_form (void)
{
  SynodObjectId id = { G_GUINT64_CONSTANT (0x3f2a9c4d5e6f7a8b), 42 };
  g_autofree gchar *text = synod_object_id_to_string (&id);

  g_assert_cmpstr (text, ==, "3f2a9c4d5e6f7a8b-000000000000002a");
}

static void
test_parse_rejects (void)
{
  const gchar *bad[] = {
    "",
    "shop.cart",
    "3f2a9c4d5e6f7a8b000000000000002a",
    "3f2a9c4d5e6f7a8b-000000000000002",
    "3f2a9c4d5e6f7a8b-000000000000002a0",
    "3f2a9c4d5e6f7a8g-000000000000002a",
    "3f2a9c4d5e6f7a8b_000000000000002a",
    " 3f2a9c4d5e6f7a8b-000000000000002a",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SynodObjectId id = { 9, 9 };
      g_autoptr (GError) error = NULL;

      g_assert_false (synod_object_id_parse (bad[i], &id, &error));
      g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
      g_assert_cmpuint (id.peer, ==, 9);
      g_assert_cmpuint (id.serial, ==, 9);
    }
}

static void
test_compare (void)
{
  SynodObjectId a = { 1, 5 }, b = { 1, 6 }, c = { 2, 0 };

  g_assert_cmpint (synod_object_id_compare (&a, &b), <, 0);
  g_assert_cmpint (synod_object_id_compare (&b, &c), <, 0);
  g_assert_cmpint (synod_object_id_compare (&c, &a), >, 0);
  g_assert_cmpint (synod_object_id_compare (&a, &a), ==, 0);
  g_assert_false (synod_object_id_equal (&a, &b));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/orb/object-id/roundtrip", test_roundtrip);
  g_test_add_func ("/orb/object-id/text-form", test_text_form);
  g_test_add_func ("/orb/object-id/parse-rejects", test_parse_rejects);
  g_test_add_func ("/orb/object-id/compare", test_compare);
  return g_test_run ();
}
