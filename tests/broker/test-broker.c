/* The broker in one process: Ids, aliases, classes and versions,
 * allomorphism, sends, one active method per object, suspension, deletion,
 * limits, named services, group sends, reflection and access control. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-counter.h"

typedef struct
{
  SynodBroker *broker;
  SynodClass *klass;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  f->klass = counter_class_register (f->broker, "Test.CounterImpl", 1, 1);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  synod_class_unref (f->klass);
  synod_broker_unref (f->broker);
}

static SynodObject *
new_counter (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  SynodObject *o = synod_broker_create_object_of_class (f->broker, f->klass, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (o);
  return o;
}

static Counter *
counter_of (SynodObject *o)
{
  return synod_object_get_instance (o);
}

/* Waits (boundedly) until one of the object's methods is running. */
static void
wait_running (SynodObject *o)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&counter_of (o)->active) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpint (g_atomic_int_get (&counter_of (o)->active), ==, 1);
}

/* ---------------------------------------------------------------------- */

static void
test_peer_id_persisted (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("synod-broker-XXXXXX", &error);
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_autofree gchar *file = g_build_filename (state, SYNOD_BROKER_PEER_ID_FILE, NULL);
  guint64 first, second;
  SynodBroker *b;

  g_test_summary ("The peer id is random, written to the state directory, and read back by "
                  "the next broker; a corrupt file is an error, not a silent new id.");
  g_assert_no_error (error);
  b = synod_broker_new (state, &error);
  g_assert_no_error (error);
  first = synod_broker_get_peer_id (b);
  g_assert_cmpuint (first, !=, 0);
  synod_broker_unref (b);

  b = synod_broker_new (state, &error);
  g_assert_no_error (error);
  second = synod_broker_get_peer_id (b);
  g_assert_cmpuint (first, ==, second);
  synod_broker_unref (b);

  g_assert_true (g_file_set_contents (file, "not hex at all\n", -1, NULL));
  b = synod_broker_new (state, &error);
  g_assert_null (b);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, file));

  g_unlink (file);
  g_rmdir (state);
  g_rmdir (dir);
}

static void
test_peer_id_distinct (void)
{
  g_autoptr (SynodBroker) a = synod_broker_new (NULL, NULL);
  g_autoptr (SynodBroker) b = synod_broker_new (NULL, NULL);

  g_assert_cmpuint (synod_broker_get_peer_id (a), !=, synod_broker_get_peer_id (b));
  g_assert_true (synod_broker_get_default () == synod_broker_get_default ());
}

static void
test_create_and_call (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *echo = NULL;
  gint32 v = -1;

  g_assert_true (test_counter_add (ref, 5, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 5);
  g_assert_true (test_counter_add (ref, 7, NULL, &error));
  g_assert_true (test_counter_get (ref, &v, &error));
  g_assert_cmpint (v, ==, 12);
  g_assert_true (test_counter_echo (ref, "hello", &echo, &error));
  g_assert_cmpstr (echo, ==, g_strdup_printf ("hello from %s", g_get_user_name ()));

  g_assert_false (test_counter_fail (ref, "it broke", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "it broke");
}

static void
test_create_params (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodObject) o = NULL;
  gint before = g_atomic_int_get (&counter_deletes);
  gint32 v = 0;

  o = synod_broker_create_object (f->broker, "Test.CounterImpl;1", 0, g_variant_new ("(i)", 40),
                                  &error);
  g_assert_no_error (error);
  {
    g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);

    g_assert_true (test_counter_get (ref, &v, &error));
    g_assert_cmpint (v, ==, 40);
  }
  /* A failing create hook abandons the object and reports the hook's error. */
  g_assert_null (synod_broker_create_object (f->broker, "Test.CounterImpl", 1,
                                             g_variant_new ("(i)", -1), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&counter_deletes), ==, before);
  g_assert_cmpuint (synod_broker_get_n_objects (f->broker), ==, 1);

  g_assert_null (synod_broker_create_object (f->broker, "Test.Nothing", 3, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_CLASS);
}

static void
test_ids_unique (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (synod_object_id_hash, synod_object_id_equal);
  g_autoptr (GPtrArray) objects
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);

  for (guint i = 0; i < 500; i++)
    {
      SynodObject *o = new_counter (f);
      const SynodObjectId *id = synod_object_get_id (o);

      g_assert_cmpuint (id->peer, ==, synod_broker_get_peer_id (f->broker));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer)id);
      g_ptr_array_add (objects, o);
      g_assert_true (synod_broker_lookup_object (f->broker, id) == o);
      synod_object_unref (o); /* the lookup's reference */
    }
  g_assert_cmpuint (synod_broker_get_n_objects (f->broker), ==, 500);
}

static void
test_alias (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) a = new_counter (f);
  g_autoptr (SynodObject) b = new_counter (f);
  SynodObjectId alias = { G_GUINT64_CONSTANT (0x1234567890abcdef), 99 };
  SynodObjectId alias2 = { G_GUINT64_CONSTANT (0x1234567890abcdef), 100 };
  g_autoptr (SynodRef) via_alias = synod_ref_new_for_id (f->broker, &alias);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = NULL;
  gint32 v = 0;

  g_test_summary ("An alias reaches its object; it cannot name two objects, nor be another "
                  "object's Id; removing it makes it name nothing.");
  g_assert_true (synod_object_add_alias (a, &alias, &error));
  g_assert_no_error (error);
  g_assert_true (synod_object_add_alias (a, &alias2, &error));
  g_assert_true (synod_object_add_alias (a, &alias, &error)); /* again: harmless */
  g_assert_true (test_counter_add (via_alias, 3, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter_of (a)->total, ==, 3);
  g_assert_cmpint (counter_of (b)->total, ==, 0);

  list = synod_object_list_aliases (a);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_true (synod_object_id_equal (&g_array_index (list, SynodObjectId, 0), &alias));

  g_assert_false (synod_object_add_alias (b, &alias, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (synod_object_add_alias (b, synod_object_get_id (a), &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (synod_object_add_alias (b, &SYNOD_OBJECT_ID_NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_true (synod_object_remove_alias (a, &alias, &error));
  g_assert_false (synod_object_remove_alias (a, &alias, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  g_assert_false (test_counter_add (via_alias, 3, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  /* Now free, another object may take it. */
  g_assert_true (synod_object_add_alias (b, &alias, &error));
  g_assert_true (test_counter_add (via_alias, 4, &v, &error));
  g_assert_cmpint (counter_of (b)->total, ==, 4);
}

static void
test_class_versions (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodClass) v2 = counter_class_register (f->broker, "Test.CounterImpl", 2, 2);
  g_autoptr (SynodObject) o1 = NULL, o2 = NULL, latest = NULL;
  g_autoptr (SynodClass) found = NULL;
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("Two versions of one class live side by side; each object keeps the "
                  "behaviour of the version that created it; version 0 means the highest.");
  o1 = synod_broker_create_object (f->broker, "Test.CounterImpl", 1, NULL, &error);
  o2 = synod_broker_create_object (f->broker, "Test.CounterImpl;2", 0, NULL, &error);
  latest = synod_broker_create_object (f->broker, "Test.CounterImpl", 0, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (SynodRef) r1 = synod_ref_new_for_object (o1);
    g_autoptr (SynodRef) r2 = synod_ref_new_for_object (o2);
    g_autoptr (SynodRef) r3 = synod_ref_new_for_object (latest);

    g_assert_true (test_counter_add (r1, 10, &v, &error));
    g_assert_cmpint (v, ==, 10);
    g_assert_true (test_counter_add (r2, 10, &v, &error));
    g_assert_cmpint (v, ==, 20);
    g_assert_true (test_counter_add (r3, 1, &v, &error));
    g_assert_cmpint (v, ==, 2);
  }
  g_assert_cmpstr (synod_class_get_full_name (synod_object_get_class (o1)), ==,
                   "Test.CounterImpl;1");
  g_assert_cmpstr (synod_class_get_full_name (synod_object_get_class (o2)), ==,
                   "Test.CounterImpl;2");

  /* One (name, version) once. */
  {
    g_autoptr (SynodClass) dup = counter_class_new ("Test.CounterImpl", 2, 5);

    g_assert_false (synod_broker_register_class (f->broker, dup, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS);
    g_assert_nonnull (strstr (error->message, "Test.CounterImpl;2"));
    g_clear_error (&error);
  }
  found = synod_broker_lookup_class (f->broker, "Test.CounterImpl", 0, &error);
  g_assert_true (found == v2);
}

static void
test_class_missing_base (Fixture *f, gconstpointer data)
{
  static const gpointer child_vtable[1] = { NULL };
  g_autoptr (SynodClass) k = synod_class_new ("Test.Orphan", 1, 0, SYNOD_CLASS_NONE);
  g_autoptr (GError) error = NULL;

  synod_class_add_interface (k, &test_child_interface, child_vtable);
  g_assert_false (synod_broker_register_class (f->broker, k, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE);
  g_assert_nonnull (strstr (error->message, "Test.Counter;1"));
}

static void
test_inheritance (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodClass) child = synod_class_new ("Test.Derived", 1, sizeof (Counter) + 8, 0);
  g_autoptr (SynodObject) o = NULL;
  g_autoptr (GError) error = NULL;
  gint32 v = 0;
  gint before = g_atomic_int_get (&counter_deletes);

  g_test_summary ("A class inherits its parent's interfaces, vtables and hooks.");
  synod_class_inherit (child, f->klass);
  g_assert_true (synod_broker_register_class (f->broker, child, &error));
  g_assert_no_error (error);
  o = synod_broker_create_object_of_class (f->broker, child, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);

    g_assert_true (test_counter_add (ref, 3, &v, &error));
    g_assert_cmpint (v, ==, 3); /* the parent's create hook set multiplier 1 */
  }
  synod_object_delete (o, NULL);
  g_assert_cmpint (g_atomic_int_get (&counter_deletes), ==, before + 1);
}

static void
test_allomorphism (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodClass) k = counter_class_new ("Test.Declared", 1, 1);
  g_autoptr (SynodObject) plain = new_counter (f);
  g_autoptr (SynodObject) declared = NULL;
  g_autoptr (SynodRef) rp = synod_ref_new_for_object (plain);
  g_autoptr (SynodRef) rd = NULL;
  g_autoptr (GError) error = NULL;
  TestCounterAddArgs args = { 6 };
  gint32 v = 0;

  g_test_summary ("A class answers an interface it does not implement when it provides "
                  "methods of the same names and signatures, or declares itself allomorphic; "
                  "a same-named method with another signature does not count.");
  /* Structural: Test.Adder.add has Counter.add's name and signature. */
  g_assert_true (synod_invoke_sync (rp, TEST_ADDER_METHOD_ADD, &args, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 6);
  g_assert_true (synod_class_answers (f->klass, &test_adder_interface, NULL));

  /* Same name, other signature: not answered. */
  {
    TestMismatchAddArgs bad = { (gchar *)"6" };

    g_assert_false (synod_invoke_sync (rp, TEST_MISMATCH_METHOD_ADD, &bad, &v, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE);
    g_clear_error (&error);
  }
  /* Test.Getter has a method the class lacks: not answered structurally... */
  g_assert_false (synod_invoke_sync (rp, TEST_GETTER_METHOD_GET, NULL, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE);
  g_clear_error (&error);

  /* ...but a class declared allomorphic answers what it has. */
  synod_class_add_allomorphic (k, "Test.Getter", 1);
  g_assert_true (synod_broker_register_class (f->broker, k, &error));
  declared = synod_broker_create_object_of_class (f->broker, k, g_variant_new ("(i)", 9), &error);
  g_assert_no_error (error);
  rd = synod_ref_new_for_object (declared);
  g_assert_true (synod_invoke_sync (rd, TEST_GETTER_METHOD_GET, NULL, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 9);
  g_assert_false (synod_invoke_sync (rd, TEST_GETTER_METHOD_MISSING, NULL, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD);
}

/* ---------------------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  GThread *thread;
  gint32 value;
  GError *error;
  gint pending;
} AsyncData;

static void
add_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncData *d = user_data;

  d->thread = g_thread_self ();
  g_clear_error (&d->error);
  test_counter_add_finish (NULL, res, &d->value, &d->error);
  if (--d->pending == 0)
    g_main_loop_quit (d->loop);
}

static void
test_async (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  AsyncData d = { 0 };

  g_test_summary ("Async sends complete in the caller's thread-default main context, in "
                  "order of submission to one object.");
  g_main_context_push_thread_default (ctx);
  d.loop = g_main_loop_new (ctx, FALSE);
  d.pending = 10;
  for (gint i = 1; i <= 10; i++)
    test_counter_add_async (ref, i, NULL, add_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_true (d.thread == g_thread_self ());
  g_assert_cmpint (d.value, ==, 55);

  /* An error travels back too. */
  synod_object_delete (o, NULL);
  d.pending = 1;
  test_counter_add_async (ref, 1, NULL, add_done, &d);
  g_main_loop_run (d.loop);
  g_assert_error (d.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&d.error);
  g_main_loop_unref (d.loop);
  g_main_context_pop_thread_default (ctx);
}

static void
test_oneway (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("Oneway sends return at once; the object runs them in order, before a "
                  "later synchronous send.");
  for (gint i = 0; i < 1000; i++)
    {
      g_assert_true (test_counter_bump (ref, &error));
      g_assert_true (test_counter_add_oneway (ref, 2, &error));
    }
  g_assert_no_error (error);
  g_assert_true (test_counter_get (ref, &v, &error));
  g_assert_cmpint (v, ==, 2000);
  g_assert_cmpint (counter_of (o)->bumps, ==, 1000);
}

typedef struct
{
  SynodRef *ref;
  guint n;
  gboolean parallel;
} Hammer;

static gpointer
hammer_thread (gpointer data)
{
  Hammer *h = data;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < h->n; i++)
    {
      if (h->parallel)
        g_assert_true (test_parallel_sleep (h->ref, 20, &error));
      else if (i % 3 == 0)
        g_assert_true (test_counter_add_oneway (h->ref, 1, &error));
      else
        g_assert_true (test_counter_add (h->ref, 1, NULL, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
run_hammer (SynodRef *ref, guint threads, guint n, gboolean parallel)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  Hammer h = { ref, n, parallel };

  for (guint i = 0; i < threads; i++)
    g_ptr_array_add (list, g_thread_new ("hammer", hammer_thread, &h));
  for (guint i = 0; i < threads; i++)
    g_thread_join (list->pdata[i]);
}

static void
test_one_active (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  gboolean inline_sync = GPOINTER_TO_INT (data);
  gint32 v = 0;

  g_test_summary ("Eight threads hammer one object with sync and oneway sends: no two of "
                  "its methods ever overlap and no update is lost.");
  synod_broker_set_inline_sync (f->broker, inline_sync);
  run_hammer (ref, 8, 600, FALSE);
  g_assert_true (test_counter_get (ref, &v, &error));
  g_assert_cmpint (v, ==, 8 * 600);
  g_assert_cmpint (counter_of (o)->max_active, ==, 1);
}

static void
test_concurrent (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);

  g_test_summary ("Methods of a concurrent interface run in parallel on one object.");
  run_hammer (ref, 4, 3, TRUE);
  g_assert_cmpint (counter_of (o)->max_active, >=, 2);
}

static void
test_suspension (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) a = new_counter (f);
  g_autoptr (SynodObject) b = new_counter (f);
  g_autoptr (SynodRef) ra = synod_ref_new_for_object (a);
  g_autoptr (SynodRef) rb = synod_ref_new_for_object (b);
  g_autofree gchar *bid = synod_object_id_to_string (synod_object_get_id (b));
  g_autoptr (GError) error = NULL;
  TestCounterRelayArgs args = { bid, 1 };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint32 v = 0;

  g_test_summary ("A method blocked in a synchronous send is suspended: its object serves "
                  "another invocation meanwhile, and the method then resumes.");
  synod_broker_set_inline_sync (f->broker, GPOINTER_TO_INT (data));
  /* B sleeps; A.relay then calls B synchronously and waits behind it. */
  g_assert_true (test_counter_sleep_oneway (rb, 600, &error));
  wait_running (b);
  g_assert_true (synod_invoke_oneway (ra, TEST_COUNTER_METHOD_RELAY, &args, &error));
  while (g_atomic_int_get (&counter_of (a)->total) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  /* A's relay has started and waits for B: A answers now, while B sleeps. */
  g_assert_true (test_counter_add (ra, 100, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 101); /* relay counted 1 before its send */
  g_assert_cmpint (g_atomic_int_get (&counter_of (b)->active), ==, 1);

  /* B wakes, answers the relay, which resumes and returns. */
  g_assert_true (test_counter_get (rb, &v, &error));
  g_assert_cmpint (v, ==, 1);
  g_assert_true (test_counter_get (ra, &v, &error));
  g_assert_cmpint (v, ==, 101);
  g_assert_cmpint (counter_of (a)->max_active, ==, 1);
}

static void
test_mutual_recursion (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) a = new_counter (f);
  g_autoptr (SynodObject) b = new_counter (f);
  g_autoptr (SynodRef) ra = synod_ref_new_for_object (a);
  g_autofree gchar *bid = synod_object_id_to_string (synod_object_get_id (b));
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("Two objects calling each other synchronously (A→B→A→…, 40 deep) complete "
                  "instead of deadlocking, with and without inline runs.");
  synod_broker_set_inline_sync (f->broker, GPOINTER_TO_INT (data));
  g_assert_true (test_counter_relay (ra, bid, 40, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 40);
  g_assert_cmpint (counter_of (a)->total, ==, 21);
  g_assert_cmpint (counter_of (b)->total, ==, 20);
}

static void
test_blocked_batches (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) as = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  g_autoptr (GPtrArray) bs = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_test_summary ("Hundreds of methods each blocked in a synchronous send to another object, "
                  "all through the worker pool: whatever a blocked worker had taken off the "
                  "run queue goes back, so every send completes.");
  synod_broker_set_inline_sync (f->broker, FALSE);
  for (guint i = 0; i < 300; i++)
    {
      g_ptr_array_add (as, new_counter (f));
      g_ptr_array_add (bs, new_counter (f));
    }
  for (guint i = 0; i < 300; i++)
    {
      g_autofree gchar *bid = synod_object_id_to_string (synod_object_get_id (bs->pdata[i]));
      g_autoptr (SynodRef) ra = synod_ref_new_for_object (as->pdata[i]);
      g_autoptr (SynodRef) rb = synod_ref_new_for_object (bs->pdata[i]);
      TestCounterRelayArgs args = { bid, 1 };

      /* A's relay, then work for B: a worker taking a batch gets A then B,
       * and A's synchronous send to B finds B scheduled in that batch. */
      g_assert_true (synod_invoke_oneway (ra, TEST_COUNTER_METHOD_RELAY, &args, &error));
      g_assert_true (test_counter_bump (rb, &error));
    }
  for (guint i = 0; i < 300; i++)
    {
      Counter *b = counter_of (bs->pdata[i]);

      while (g_atomic_int_get (&b->total) < 1 && g_get_monotonic_time () < deadline)
        g_usleep (1000);
      g_assert_cmpint (g_atomic_int_get (&b->total), ==, 1);
    }
}

static void
test_worker_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) a = new_counter (f);
  g_autoptr (SynodObject) b = new_counter (f);
  g_autoptr (SynodRef) ra = synod_ref_new_for_object (a);
  g_autofree gchar *bid = synod_object_id_to_string (synod_object_get_id (b));
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("Without inline runs a deep synchronous chain needs a worker per level; "
                  "past the worker limit it fails with a LIMIT error instead of hanging.");
  synod_broker_set_inline_sync (f->broker, FALSE);
  synod_broker_set_max_workers (f->broker, 8);
  g_assert_false (test_counter_relay (ra, bid, 40, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT);
  g_clear_error (&error);
  /* A shorter chain fits. */
  g_assert_true (test_counter_relay (ra, bid, 5, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 5);
}

static void
test_delete_queued (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  gint before = g_atomic_int_get (&counter_deletes);
  AsyncData d = { 0 };

  g_test_summary ("Deleting an object with queued invocations fails each with "
                  "OBJECT_DELETED; the running method finishes first, then the delete hook "
                  "runs once; later sends find no object.");
  g_main_context_push_thread_default (ctx);
  d.loop = g_main_loop_new (ctx, FALSE);
  g_assert_true (test_counter_sleep_oneway (ref, 500, &error));
  wait_running (o);
  d.pending = 5;
  for (gint i = 0; i < 5; i++)
    test_counter_add_async (ref, 1, NULL, add_done, &d);
  g_assert_cmpuint (synod_object_get_n_queued (o), ==, 5);
  g_assert_true (synod_object_delete (o, &error));
  g_assert_true (synod_object_is_deleted (o));
  /* The sleeping method still runs: the hook waits for it. */
  g_assert_cmpint (g_atomic_int_get (&counter_deletes), ==, before);
  g_main_loop_run (d.loop);
  g_assert_error (d.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_OBJECT_DELETED);
  g_clear_error (&d.error);
  g_assert_cmpint (counter_of (o)->total, ==, 0);
  for (gint i = 0; i < 1000 && g_atomic_int_get (&counter_deletes) == before; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&counter_deletes), ==, before + 1);
  g_assert_false (test_counter_get (ref, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_main_loop_unref (d.loop);
  g_main_context_pop_thread_default (ctx);
}

/* Test.Counter.fail, for a class whose objects delete themselves. */
static gboolean
delete_self (gpointer self, SynodCall *call, const gchar *message, GError **error)
{
  SynodObject *me = synod_call_get_object (call);
  Counter *c = self;

  g_assert_true (synod_object_delete (me, error));
  /* Still running: the hook waits for this method. */
  g_usleep (20 * 1000);
  c->total = 42;
  return TRUE;
}

static void
test_delete_self (Fixture *f, gconstpointer data)
{
  static TestCounterIface vtable;
  g_autoptr (SynodClass) k = synod_class_new ("Test.SelfDeleting", 1, sizeof (Counter), 0);
  g_autoptr (SynodObject) o = NULL;
  g_autoptr (SynodRef) ref = NULL;
  g_autoptr (GError) error = NULL;
  gint before = g_atomic_int_get (&counter_deletes);

  g_test_summary ("A method may delete its own object: it finishes, then the hook runs.");
  vtable.fail = delete_self;
  synod_class_add_interface (k, &test_counter_interface, &vtable);
  synod_class_inherit (k, f->klass);
  g_assert_true (synod_broker_register_class (f->broker, k, &error));
  o = synod_broker_create_object_of_class (f->broker, k, NULL, &error);
  ref = synod_ref_new_for_object (o);
  g_assert_true (test_counter_fail (ref, "", &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter_of (o)->total, ==, 42);
  g_assert_cmpint (g_atomic_int_get (&counter_deletes), ==, before + 1);
  g_assert_false (test_counter_get (ref, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

static void
test_queue_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("A full queue refuses further sends with QUEUE_FULL; nothing is lost.");
  synod_broker_set_queue_limit (f->broker, 4);
  g_assert_true (test_counter_sleep_oneway (ref, 500, &error));
  wait_running (o);
  for (gint i = 0; i < 4; i++)
    g_assert_true (test_counter_add_oneway (ref, 1, &error));
  g_assert_false (test_counter_add_oneway (ref, 1, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  g_assert_false (test_counter_add (ref, 1, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  synod_broker_set_queue_limit (f->broker, 100);
  g_assert_true (test_counter_get (ref, &v, &error));
  g_assert_cmpint (v, ==, 4);
}

/* ---------------------------------------------------------------------- */

static void
test_service_names (void)
{
  const gchar *good[] = { "shop.cart", "a", "_x-1.y_2", "Shop" };
  const gchar *bad[] = { "",
                         ".a",
                         "a.",
                         "a..b",
                         "1abc",
                         "a b",
                         "a/b",
                         "3f2a9c4d5e6f7a8b-000000000000002a",
                         "abcdefabcdefabcd-0000000000000001" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (synod_broker_is_valid_service_name (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (synod_broker_is_valid_service_name (bad[i]));
}

static void
test_service_resolve (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) a = new_counter (f);
  g_autoptr (SynodObject) b = new_counter (f);
  g_autoptr (SynodRef) by_name = synod_ref_new_for_name (f->broker, "shop.cart");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) providers = NULL;
  gint32 v = 0;

  g_test_summary ("A name reaches its first live provider; the reference follows when "
                  "providers come and go.");
  g_assert_false (test_counter_add (by_name, 1, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);

  g_assert_true (synod_broker_register_service (f->broker, "shop.cart", a, &error));
  g_assert_true (synod_broker_register_service (f->broker, "shop.cart", b, &error));
  g_assert_false (synod_broker_register_service (f->broker, "shop.cart", b, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (synod_broker_register_service (f->broker, "bad name", b, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_true (test_counter_add (by_name, 1, &v, &error));
  g_assert_cmpint (counter_of (a)->total, ==, 1);
  providers = synod_broker_list_providers (f->broker, "shop.cart", &error);
  g_assert_cmpuint (providers->len, ==, 2);
  g_assert_true (synod_object_id_equal (&g_array_index (providers, SynodProvider, 1).id,
                                        synod_object_get_id (b)));

  g_assert_true (synod_broker_unregister_service (f->broker, "shop.cart", a, &error));
  g_assert_true (test_counter_add (by_name, 1, &v, &error));
  g_assert_cmpint (counter_of (b)->total, ==, 1);
  synod_object_delete (b, NULL);
  g_assert_false (test_counter_add (by_name, 1, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  g_assert_false (synod_broker_unregister_service (f->broker, "shop.cart", b, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

static void
test_ref_parse (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autofree gchar *text = synod_object_id_to_string (synod_object_get_id (o));
  g_autoptr (SynodRef) by_id = synod_ref_new_parse (f->broker, text, NULL);
  g_autoptr (SynodRef) by_name = synod_ref_new_parse (f->broker, "shop.cart", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *back = synod_ref_to_string (by_id);

  g_assert_nonnull (synod_ref_get_id (by_id));
  g_assert_null (synod_ref_get_name (by_id));
  g_assert_cmpstr (back, ==, text);
  g_assert_cmpstr (synod_ref_get_name (by_name), ==, "shop.cart");
  g_assert_null (synod_ref_new_parse (f->broker, "not a name!", &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_assert_true (test_counter_add (by_id, 1, NULL, NULL));
  g_assert_cmpint (counter_of (o)->total, ==, 1);
}

static void
store_result (GObject *source, GAsyncResult *res, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (res);
}

static void
test_group (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) objects
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_object_unref);
  g_autoptr (GPtrArray) replies = NULL;
  g_autoptr (GError) error = NULL;
  TestCounterAddArgs args = { 5 };

  g_test_summary ("A group send delivers one identical request to every provider and "
                  "gathers one reply each, failures included.");
  for (gint i = 0; i < 3; i++)
    {
      SynodObject *o = synod_broker_create_object_of_class (f->broker, f->klass,
                                                            g_variant_new ("(i)", i * 100), NULL);

      g_ptr_array_add (objects, o);
      g_assert_true (synod_broker_register_service (f->broker, "replicas", o, NULL));
    }
  synod_object_add_acl_rule (objects->pdata[2], "*", "*.add", SYNOD_ACL_DENY);
  replies = synod_invoke_group_sync (f->broker, "replicas", TEST_COUNTER_METHOD_ADD, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 3);
  for (gint i = 0; i < 2; i++)
    {
      SynodGroupReply *r = replies->pdata[i];

      g_assert_no_error (r->error);
      g_assert_cmpint (*(gint32 *)r->result, ==, i * 100 + 5);
      g_assert_true (
          synod_object_id_equal (&r->provider.id, synod_object_get_id (objects->pdata[i])));
    }
  g_assert_error (((SynodGroupReply *)replies->pdata[2])->error, SYNOD_ORB_ERROR,
                  SYNOD_ORB_ERROR_NOT_AUTHORIZED);

  /* The async form, completed in this thread's main context. */
  {
    GAsyncResult *res = NULL;
    g_autoptr (GPtrArray) again = NULL;

    synod_invoke_group_async (f->broker, "replicas", TEST_COUNTER_METHOD_ADD, &args, NULL,
                              store_result, &res);
    while (res == NULL)
      g_main_context_iteration (NULL, TRUE);
    again = synod_invoke_group_finish (f->broker, res, &error);
    g_object_unref (res);
    g_assert_no_error (error);
    g_assert_cmpuint (again->len, ==, 3);
    g_assert_cmpint (*(gint32 *)((SynodGroupReply *)again->pdata[1])->result, ==, 110);
  }

  g_clear_pointer (&replies, g_ptr_array_unref);
  replies = synod_invoke_group_sync (f->broker, "nobody", TEST_COUNTER_METHOD_ADD, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 0);
}

/* ---------------------------------------------------------------------- */

static void
test_reflection (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  SynodObjectId alias = { 77, 78 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *klass = NULL;
  StandardNameList names = { 0 };
  StandardIdList ids = { 0 };
  SynodObjectId id = { 0 };
  gboolean found = FALSE;

  g_test_summary ("Every object answers Standard.Object: class with version, interfaces, "
                  "aliases, Id, ping.");
  g_assert_true (synod_object_add_alias (o, &alias, NULL));
  g_assert_true (standard_object_ping (ref, &error));
  g_assert_no_error (error);
  g_assert_true (standard_object_class_name (ref, &klass, &error));
  g_assert_cmpstr (klass, ==, "Test.CounterImpl;1");
  g_assert_true (standard_object_interfaces (ref, &names, &error));
  for (guint i = 0; i < names.len; i++)
    found |= g_strcmp0 (names.val[i], "Test.Counter;1") == 0;
  g_assert_true (found);
  g_assert_cmpuint (names.len, ==, 4);
  standard_name_list_clear (&names);
  g_assert_true (standard_object_aliases (ref, &ids, &error));
  g_assert_cmpuint (ids.len, ==, 1);
  g_assert_true (synod_object_id_equal (&ids.val[0], &alias));
  standard_id_list_clear (&ids);
  {
    g_autoptr (SynodRef) via_alias = synod_ref_new_for_id (f->broker, &alias);

    g_assert_true (standard_object_id (via_alias, &id, &error));
    g_assert_true (synod_object_id_equal (&id, synod_object_get_id (o)));
  }
}

static void
test_introspect (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *xml = NULL;
  const gchar *xmllint = g_getenv ("XMLLINT");
  const gchar *dtd = g_getenv ("DBUS_INTROSPECT_DTD");

  g_test_summary ("Standard.Introspectable returns the D-Bus XML of all the object's "
                  "interfaces, valid against the D-Bus introspection DTD.");
  g_assert_true (standard_introspectable_introspect (ref, &xml, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<interface name=\"Test.Counter\">"));
  g_assert_nonnull (strstr (xml, "<interface name=\"Standard.Object\">"));
  g_assert_nonnull (strstr (xml, "<interface name=\"Standard.Introspectable\">"));

  if (xmllint == NULL || !g_file_test (xmllint, G_FILE_TEST_IS_EXECUTABLE) || dtd == NULL
      || !g_file_test (dtd, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("xmllint or the D-Bus introspection DTD is missing");
      return;
    }
  {
    g_autofree gchar *path = NULL;
    gint fd = g_file_open_tmp ("synod-introspect-XXXXXX.xml", &path, &error);
    const gchar *argv[] = { xmllint, "--noout", "--dtdvalid", dtd, NULL, NULL };
    gint status = -1;
    g_autofree gchar *err_out = NULL;

    g_assert_no_error (error);
    close (fd);
    g_assert_true (g_file_set_contents (path, xml, -1, &error));
    argv[4] = path;
    g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                 &err_out, &status, &error));
    g_unlink (path);
    if (status != 0)
      g_printerr ("%s\n%s\n", xml, err_out);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
}

static void
test_acl (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  gint32 v = 0;

  g_test_summary ("An ordered ACL of (principal, method, allow|deny): first match wins, "
                  "then the default; a denial names principal and method.");
  synod_broker_set_local_principal (f->broker, "alice");
  synod_object_add_acl_rule (o, "alice", "Test.Counter.get", SYNOD_ACL_ALLOW);
  synod_object_add_acl_rule (o, "*", "Test.Counter.*", SYNOD_ACL_DENY);
  g_assert_true (test_counter_get (ref, &v, &error));
  g_assert_false (test_counter_add (ref, 1, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "alice"));
  g_assert_nonnull (strstr (error->message, "Test.Counter.add"));
  g_clear_error (&error);
  /* Oneway and async sends are checked when sent. */
  g_assert_false (test_counter_add_oneway (ref, 1, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  /* Rules not matching: the default decides. */
  g_assert_true (standard_object_ping (ref, &error));
  synod_object_set_acl_default (o, SYNOD_ACL_DENY);
  g_assert_false (standard_object_ping (ref, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  synod_broker_set_local_principal (f->broker, "bob");
  g_assert_false (test_counter_get (ref, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  g_assert_false (synod_object_check_access (o, "bob", TEST_COUNTER_METHOD_GET, NULL));
  g_assert_true (synod_object_check_access (o, "alice", TEST_COUNTER_METHOD_GET, NULL));
  synod_object_clear_acl (o);
  synod_object_set_acl_default (o, SYNOD_ACL_ALLOW);
  g_assert_true (test_counter_add (ref, 1, &v, &error));
  g_assert_cmpint (v, ==, 1);
}

static void
test_remote_without_handler (Fixture *f, gconstpointer data)
{
  SynodObjectId elsewhere = { synod_broker_get_peer_id (f->broker) ^ 1, 5 };
  g_autoptr (SynodRef) ref = synod_ref_new_for_id (f->broker, &elsewhere);
  g_autoptr (GError) error = NULL;

  g_assert_false (test_counter_add (ref, 1, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  g_assert_false (test_counter_add_oneway (ref, 1, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

/* ---------------------------------------------------------------------- */
/* The dynamic API                                                         */

static void
dyn_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GVariant **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = synod_invoke_dynamic_finish (NULL, res, &error);
  g_assert_no_error (error);
}

static void
test_dynamic (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  g_autoptr (SynodRef) ref = synod_ref_new_for_object (o);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = NULL;
  GVariant *async_result = NULL;

  g_test_summary ("Methods are callable by interface and method name with GVariant "
                  "arguments, results come back as a tuple; mistakes give clear errors.");
  r = synod_invoke_dynamic_sync (ref, "Test.Counter", "add", g_variant_new ("(i)", 4), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (r), ==, "(i)");
  g_assert_cmpint (g_variant_get_int32 (g_variant_get_child_value (r, 0)), ==, 4);
  g_clear_pointer (&r, g_variant_unref);

  r = synod_invoke_dynamic_sync (ref, "Test.Counter;1", "echo", g_variant_new ("(s)", "x"), &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *want = g_strdup_printf ("('x from %s',)", g_get_user_name ());
    g_autofree gchar *got = g_variant_print (r, FALSE);

    g_assert_cmpstr (got, ==, want);
  }
  g_clear_pointer (&r, g_variant_unref);

  r = synod_invoke_dynamic_sync (ref, "Test.Counter", "sleep", g_variant_new ("(u)", 1), &error);
  g_assert_cmpstr (g_variant_get_type_string (r), ==, "()");
  g_clear_pointer (&r, g_variant_unref);

  r = synod_invoke_dynamic_sync (ref, "Standard.Object", "className", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (g_variant_get_child_value (r, 0), NULL), ==,
                   "Test.CounterImpl;1");
  g_clear_pointer (&r, g_variant_unref);

  g_assert_true (synod_invoke_dynamic_oneway (ref, "Test.Counter", "bump", NULL, &error));
  g_assert_no_error (error);

  /* Async, completed in this thread's main context. */
  synod_invoke_dynamic_async (ref, "Test.Counter", "add", g_variant_new ("(i)", 1), NULL, dyn_done,
                              &async_result);
  while (async_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_variant_get_int32 (g_variant_get_child_value (async_result, 0)), ==, 5);
  g_variant_unref (async_result);
  g_assert_cmpint (counter_of (o)->bumps, ==, 1);

  g_assert_null (
      synod_invoke_dynamic_sync (ref, "Test.Counter", "add", g_variant_new ("(s)", "4"), &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SYNOD_ORB_ERROR);
  g_clear_error (&error);
  g_assert_null (
      synod_invoke_dynamic_sync (ref, "Test.Counter", "add", g_variant_new_int32 (4), &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_null (synod_invoke_dynamic_sync (ref, "Test.Counter", "nope", NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD);
  g_clear_error (&error);
  g_assert_null (synod_invoke_dynamic_sync (ref, "Test.Nothing", "add", NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE);
  g_clear_error (&error);
  g_assert_null (synod_invoke_dynamic_sync (ref, "bad name!", "add", NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_cmpint (counter_of (o)->total, ==, 5);
}

/* ---------------------------------------------------------------------- */
/* The remote seam, with a fake transport                                  */

#define FAKE_PEER G_GUINT64_CONSTANT (0xfeedfacecafebeef)

typedef struct
{
  GMutex lock;
  guint n_invoke;
  guint n_oneway;
  guint64 last_peer;
  SynodObjectId last_target;
  gchar *last_method;
  gboolean fail;
} FakeTransport;

typedef struct
{
  FakeTransport *ft;
  const SynodMethodDesc *method;
  GBytes *args;
  SynodRemoteReplyFunc reply;
  gpointer reply_data;
} FakeCall;

/* Answers like a remote Test.Counter whose total is always 1000: add
 * returns 1000 + delta. Replies from another thread, as a transport does. */
static gpointer
fake_answer (gpointer data)
{
  FakeCall *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) result = NULL;

  if (c->ft->fail)
    error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE, "peer is gone");
  else if (c->method->args->c_size == sizeof (TestCounterAddArgs)
           && g_strcmp0 (c->method->name, "add") == 0)
    {
      TestCounterAddArgs args = { 0 };
      gint32 v;
      gsize len;
      const guint8 *p = g_bytes_get_data (c->args, &len);

      g_assert_true (synod_value_decode (c->method->args, p, len, &args, &error));
      v = 1000 + args.delta;
      result = synod_value_encode (c->method->result, &v, &error);
    }
  else
    error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD, "fake: %s",
                         c->method->name);
  c->reply (result, result ? NULL : error, c->reply_data);
  g_bytes_unref (c->args);
  g_free (c);
  return NULL;
}

static void
fake_invoke (gpointer handler_data, guint64 peer, const SynodObjectId *target,
             const SynodMethodDesc *method, GBytes *args, GCancellable *cancellable,
             SynodRemoteReplyFunc reply, gpointer reply_data)
{
  FakeTransport *ft = handler_data;
  FakeCall *c;

  g_mutex_lock (&ft->lock);
  ft->n_invoke++;
  ft->last_peer = peer;
  ft->last_target = *target;
  g_free (ft->last_method);
  ft->last_method = g_strdup_printf ("%s.%s", method->interface->name, method->name);
  if (reply == NULL)
    ft->n_oneway++;
  g_mutex_unlock (&ft->lock);
  if (reply == NULL)
    return;
  c = g_new0 (FakeCall, 1);
  c->ft = ft;
  c->method = method;
  c->args = g_bytes_ref (args);
  c->reply = reply;
  c->reply_data = reply_data;
  g_thread_unref (g_thread_new ("fake-peer", fake_answer, c));
}

static gboolean
fake_resolve (gpointer handler_data, const gchar *name, SynodProvider *ret, GError **error)
{
  if (g_strcmp0 (name, "remote.svc") != 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT, "no %s anywhere", name);
      return FALSE;
    }
  ret->peer = FAKE_PEER;
  ret->id = (SynodObjectId){ FAKE_PEER, 7 };
  return TRUE;
}

static GArray *
fake_list (gpointer handler_data, const gchar *name, GError **error)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (SynodProvider));
  SynodProvider p = { FAKE_PEER, { FAKE_PEER, 7 } };

  if (g_strcmp0 (name, "remote.svc") == 0)
    g_array_append_val (list, p);
  return list;
}

static const SynodRemoteHandler fake_handler = {
  .invoke = fake_invoke,
  .resolve_name = fake_resolve,
  .list_providers = fake_list,
};

static void
test_remote_handler (Fixture *f, gconstpointer data)
{
  FakeTransport ft = { 0 };
  SynodObjectId far = { FAKE_PEER, 3 };
  g_autoptr (SynodRef) by_id = synod_ref_new_for_id (f->broker, &far);
  g_autoptr (SynodRef) by_name = synod_ref_new_for_name (f->broker, "remote.svc");
  g_autoptr (SynodObject) local = new_counter (f);
  g_autoptr (GPtrArray) replies = NULL;
  g_autoptr (GError) error = NULL;
  TestCounterAddArgs args = { 5 };
  AsyncData d = { 0 };
  gint32 v = 0;

  g_test_summary ("Sends to objects on other peers go through the remote handler with "
                  "encoded arguments, in all three forms; names resolve locally first.");
  g_mutex_init (&ft.lock);
  synod_broker_set_remote_handler (f->broker, &fake_handler, &ft, NULL);

  g_assert_true (test_counter_add (by_id, 5, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 1005);
  g_assert_cmpuint (ft.last_peer, ==, FAKE_PEER);
  g_assert_true (synod_object_id_equal (&ft.last_target, &far));
  g_assert_cmpstr (ft.last_method, ==, "Test.Counter.add");

  g_assert_true (test_counter_add_oneway (by_id, 1, &error));
  g_assert_cmpuint (ft.n_oneway, ==, 1);

  d.loop = g_main_loop_new (NULL, FALSE);
  d.pending = 1;
  test_counter_add_async (by_name, 2, NULL, add_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_cmpint (d.value, ==, 1002);
  g_assert_cmpuint (ft.last_target.serial, ==, 7);

  /* A local provider of the name wins over the remote one. */
  g_assert_true (synod_broker_register_service (f->broker, "remote.svc", local, NULL));
  g_assert_true (test_counter_add (by_name, 2, &v, &error));
  g_assert_cmpint (v, ==, 2);
  /* A group send reaches both. */
  replies
      = synod_invoke_group_sync (f->broker, "remote.svc", TEST_COUNTER_METHOD_ADD, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 2);
  g_assert_cmpint (*(gint32 *)((SynodGroupReply *)replies->pdata[0])->result, ==, 7);
  g_assert_cmpint (*(gint32 *)((SynodGroupReply *)replies->pdata[1])->result, ==, 1005);
  g_assert_cmpuint (((SynodGroupReply *)replies->pdata[1])->provider.peer, ==, FAKE_PEER);

  /* Transport errors reach the sender. */
  ft.fail = TRUE;
  g_assert_false (test_counter_add (by_id, 5, &v, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE);
  g_clear_error (&error);
  /* Unknown names fail as the handler says. */
  {
    g_autoptr (SynodRef) nowhere = synod_ref_new_for_name (f->broker, "no.where");

    g_assert_false (test_counter_add (nowhere, 1, &v, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
    g_clear_error (&error);
  }
  /* A local Id unknown here is not sent anywhere. */
  {
    SynodObjectId mine = { synod_broker_get_peer_id (f->broker), 999999 };
    g_autoptr (SynodRef) gone = synod_ref_new_for_id (f->broker, &mine);
    guint before = ft.n_invoke;

    g_assert_false (test_counter_add (gone, 1, &v, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
    g_assert_cmpuint (ft.n_invoke, ==, before);
  }
  synod_broker_set_remote_handler (f->broker, NULL, NULL, NULL);
  g_main_loop_unref (d.loop);
  g_free (ft.last_method);
  g_mutex_clear (&ft.lock);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gint32 result;
  GError *error;
} DispatchOutcome;

static void
dispatch_reply (const SynodMethodDesc *method, gconstpointer result, const GError *error,
                gpointer user_data)
{
  DispatchOutcome *out = user_data;

  g_mutex_lock (&out->lock);
  if (result)
    out->result = *(const gint32 *)result;
  out->error = error ? g_error_copy (error) : NULL;
  out->done = TRUE;
  g_cond_signal (&out->cond);
  g_mutex_unlock (&out->lock);
}

static void
dispatch_and_wait (SynodBroker *broker, const SynodObjectId *id, const gchar *principal,
                   gint32 delta, DispatchOutcome *out)
{
  TestCounterAddArgs *args = synod_value_new (TEST_COUNTER_METHOD_ADD->args);

  args->delta = delta;
  g_clear_error (&out->error);
  out->done = FALSE;
  synod_broker_dispatch (broker, id, TEST_COUNTER_METHOD_ADD, args, principal, dispatch_reply, out);
  g_mutex_lock (&out->lock);
  while (!out->done)
    g_cond_wait (&out->cond, &out->lock);
  g_mutex_unlock (&out->lock);
}

static void
test_dispatch (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodObject) o = new_counter (f);
  SynodObjectId nobody = { 1, 2 };
  DispatchOutcome out = { 0 };

  g_test_summary ("Calls arriving from other peers run like local ones, under the "
                  "principal the transport authenticated.");
  g_mutex_init (&out.lock);
  g_cond_init (&out.cond);
  synod_object_add_acl_rule (o, "mallory", "*", SYNOD_ACL_DENY);
  dispatch_and_wait (f->broker, synod_object_get_id (o), "carol", 3, &out);
  g_assert_no_error (out.error);
  g_assert_cmpint (out.result, ==, 3);
  dispatch_and_wait (f->broker, synod_object_get_id (o), "mallory", 3, &out);
  g_assert_error (out.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (out.error->message, "mallory"));
  dispatch_and_wait (f->broker, &nobody, "carol", 3, &out);
  g_assert_error (out.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&out.error);
  g_assert_cmpint (counter_of (o)->total, ==, 3);
  g_mutex_clear (&out.lock);
  g_cond_clear (&out.cond);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define T(path, fn) g_test_add ("/orb/broker/" path, Fixture, NULL, setup, fn, teardown)
#define TD(path, fn, d) g_test_add ("/orb/broker/" path, Fixture, d, setup, fn, teardown)
  g_test_add_func ("/orb/broker/peer-id/persisted", test_peer_id_persisted);
  g_test_add_func ("/orb/broker/peer-id/distinct", test_peer_id_distinct);
  T ("object/create-and-call", test_create_and_call);
  T ("object/create-params", test_create_params);
  T ("object/ids-unique", test_ids_unique);
  T ("alias/reach-and-conflict", test_alias);
  T ("class/versions", test_class_versions);
  T ("class/missing-base", test_class_missing_base);
  T ("class/inheritance", test_inheritance);
  T ("allomorphism/rules", test_allomorphism);
  T ("invoke/async", test_async);
  T ("invoke/oneway", test_oneway);
  TD ("invoke/one-active/inline", test_one_active, GINT_TO_POINTER (TRUE));
  TD ("invoke/one-active/queued", test_one_active, GINT_TO_POINTER (FALSE));
  T ("invoke/concurrent", test_concurrent);
  TD ("invoke/suspension/inline", test_suspension, GINT_TO_POINTER (TRUE));
  TD ("invoke/suspension/queued", test_suspension, GINT_TO_POINTER (FALSE));
  TD ("invoke/mutual-recursion/inline", test_mutual_recursion, GINT_TO_POINTER (TRUE));
  TD ("invoke/mutual-recursion/queued", test_mutual_recursion, GINT_TO_POINTER (FALSE));
  T ("invoke/worker-limit", test_worker_limit);
  T ("invoke/blocked-batches", test_blocked_batches);
  T ("delete/queued-invocations", test_delete_queued);
  T ("delete/self", test_delete_self);
  T ("limits/queue-full", test_queue_limit);
  g_test_add_func ("/orb/broker/service/names", test_service_names);
  T ("service/resolve", test_service_resolve);
  T ("service/group-send", test_group);
  T ("ref/parse", test_ref_parse);
  T ("reflection/object", test_reflection);
  T ("reflection/introspect", test_introspect);
  T ("acl/rules", test_acl);
  T ("remote/no-handler", test_remote_without_handler);
  T ("remote/handler", test_remote_handler);
  T ("remote/dispatch", test_dispatch);
  T ("dynamic/invoke", test_dynamic);
  return g_test_run ();
}
