/* test-counter.c — a Test.Counter class that records how many of its
 * methods run at once, so tests can see one-active-method semantics. */
#include "config.h"

#include "test-counter.h"

gint counter_deletes;

static void
enter (Counter *c)
{
  gint now = g_atomic_int_add (&c->active, 1) + 1;
  gint max;

  while ((max = g_atomic_int_get (&c->max_active)) < now
         && !g_atomic_int_compare_and_exchange (&c->max_active, max, now))
    ;
}

static void
leave (Counter *c)
{
  g_atomic_int_add (&c->active, -1);
}

static gboolean
counter_add (gpointer self, SynodCall *call, gint32 delta, gint32 *ret_result, GError **error)
{
  Counter *c = self;
  gint v;

  enter (c);
  /* A read-modify-write with a pause in the middle: lost updates show if
   * two methods ever overlap. */
  v = c->total;
  g_thread_yield ();
  c->total = v + delta * c->multiplier;
  *ret_result = c->total;
  leave (c);
  return TRUE;
}

static gboolean
counter_get (gpointer self, SynodCall *call, gint32 *ret_result, GError **error)
{
  Counter *c = self;

  *ret_result = c->total;
  return TRUE;
}

static gboolean
counter_echo (gpointer self, SynodCall *call, const gchar *text, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup_printf ("%s from %s", text, synod_call_get_principal (call));
  return TRUE;
}

static gboolean
counter_sleep (gpointer self, SynodCall *call, guint32 ms, GError **error)
{
  Counter *c = self;

  enter (c);
  g_usleep (ms * 1000);
  leave (c);
  return TRUE;
}

static gboolean
counter_bump (gpointer self, SynodCall *call, GError **error)
{
  Counter *c = self;

  enter (c);
  c->bumps++;
  leave (c);
  return TRUE;
}

/* Asks @target to relay back to this object, @depth times in all: two
 * objects calling each other synchronously. */
static gboolean
counter_relay (gpointer self, SynodCall *call, const gchar *target, gint32 depth,
               gint32 *ret_result, GError **error)
{
  g_autoptr (SynodRef) ref = NULL;
  g_autofree gchar *me = NULL;
  gint32 sub = 0;
  Counter *c = self;

  enter (c);
  c->total++;
  leave (c);
  if (depth <= 0)
    {
      *ret_result = 0;
      return TRUE;
    }
  ref = synod_ref_new_parse (synod_call_get_broker (call), target, error);
  if (ref == NULL)
    return FALSE;
  me = synod_object_id_to_string (synod_object_get_id (synod_call_get_object (call)));
  if (!test_counter_relay (ref, me, depth - 1, &sub, error))
    return FALSE;
  *ret_result = sub + 1;
  return TRUE;
}

static gboolean
counter_fail (gpointer self, SynodCall *call, const gchar *message, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s", message);
  return FALSE;
}

static const TestCounterIface counter_vtable = {
  .add = counter_add,
  .get = counter_get,
  .echo = counter_echo,
  .sleep = counter_sleep,
  .bump = counter_bump,
  .relay = counter_relay,
  .fail = counter_fail,
};

static gboolean
parallel_sleep (gpointer self, SynodCall *call, guint32 ms, GError **error)
{
  return counter_sleep (self, call, ms, error);
}

static const TestParallelIface parallel_vtable = {
  .sleep = parallel_sleep,
};

static gboolean
counter_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                GError **error)
{
  Counter *c = instance;

  c->multiplier = GPOINTER_TO_INT (class_data);
  if (params && g_variant_is_of_type (params, G_VARIANT_TYPE ("(i)")))
    g_variant_get (params, "(i)", &c->total);
  if (c->total < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "negative start %d", c->total);
      return FALSE;
    }
  return TRUE;
}

static void
counter_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  Counter *c = instance;

  g_assert_cmpint (g_atomic_int_get (&c->active), ==, 0);
  g_atomic_int_inc (&counter_deletes);
}

SynodClass *
counter_class_new (const gchar *name, guint32 version, gint multiplier)
{
  SynodClass *klass = synod_class_new (name, version, sizeof (Counter), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &test_counter_interface, &counter_vtable);
  synod_class_add_interface (klass, &test_parallel_interface, &parallel_vtable);
  synod_class_set_hooks (klass, counter_create, counter_delete, GINT_TO_POINTER (multiplier), NULL);
  return klass;
}

SynodClass *
counter_class_register (SynodBroker *broker, const gchar *name, guint32 version, gint multiplier)
{
  SynodClass *klass = counter_class_new (name, version, multiplier);
  g_autoptr (GError) error = NULL;

  g_assert_true (synod_broker_register_class (broker, klass, &error));
  g_assert_no_error (error);
  return klass;
}
