/* Methods that wait for an event another invocation signals
 * (synod_call_wait_begin/_end): the worker pool must run other threads in
 * their place, or the invocation that would wake them never runs. */
#include "config.h"

#include <synod.h>

#include "broker-test.h"

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean released;
  guint entered;
  guint timed_out;
  gboolean use_wait;
} Gate;

static Gate gate;

/* Test.Parallel.sleep: waits at the gate (at most 10 s). */
static gboolean
gate_wait (gpointer self, SynodCall *call, guint32 ms, GError **error)
{
  SynodCallWait wait;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (gate.use_wait && !synod_call_wait_begin (&wait, error))
    return FALSE;
  g_mutex_lock (&gate.lock);
  gate.entered++;
  g_cond_broadcast (&gate.cond);
  while (!gate.released)
    if (!g_cond_wait_until (&gate.cond, &gate.lock, deadline))
      {
        gate.timed_out++;
        break;
      }
  g_mutex_unlock (&gate.lock);
  if (gate.use_wait)
    synod_call_wait_end (&wait);
  return TRUE;
}

/* Test.Counter.bump: opens the gate. */
static gboolean
gate_open (gpointer self, SynodCall *call, GError **error)
{
  g_mutex_lock (&gate.lock);
  gate.released = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  return TRUE;
}

static const TestParallelIface parallel_vtable = { .sleep = gate_wait };
static const TestCounterIface counter_vtable = { .bump = gate_open };

typedef struct
{
  guint done;
  guint limited; /* refused with SYNOD_ORB_ERROR_LIMIT */
} Outcome;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *o = user_data;
  g_autoptr (GError) error = NULL;

  if (!test_parallel_sleep_finish ((SynodRef *)source, result, &error))
    {
      g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT);
      o->limited++;
    }
  o->done++;
}

static void
gate_reset (gboolean use_wait)
{
  g_mutex_lock (&gate.lock);
  gate.released = FALSE;
  gate.entered = gate.timed_out = 0;
  gate.use_wait = use_wait;
  g_mutex_unlock (&gate.lock);
}

/* A waiter class, an opener class and one object of each. */
typedef struct
{
  SynodBroker *broker;
  SynodRef *waiter;
  SynodRef *opener;
  GMainContext *context;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodClass) waiter_class = synod_class_new ("Test.Waiter", 1, 8, SYNOD_CLASS_NONE);
  g_autoptr (SynodClass) opener_class = synod_class_new ("Test.Opener", 1, 8, SYNOD_CLASS_NONE);
  g_autoptr (SynodObject) waiter = NULL, opener = NULL;

  f->broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_class_add_interface (waiter_class, &test_parallel_interface, &parallel_vtable);
  synod_class_add_interface (opener_class, &test_counter_interface, &counter_vtable);
  g_assert_true (synod_broker_register_class (f->broker, waiter_class, &error));
  g_assert_true (synod_broker_register_class (f->broker, opener_class, &error));
  waiter = synod_broker_create_object_of_class (f->broker, waiter_class, NULL, &error);
  opener = synod_broker_create_object_of_class (f->broker, opener_class, NULL, &error);
  g_assert_no_error (error);
  f->waiter = synod_ref_new_for_object (waiter);
  f->opener = synod_ref_new_for_object (opener);
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
  synod_ref_unref (f->waiter);
  synod_ref_unref (f->opener);
  synod_broker_unref (f->broker);
}

static void
wait_entered (guint n, gint64 timeout)
{
  gint64 deadline = g_get_monotonic_time () + timeout;

  g_mutex_lock (&gate.lock);
  while (gate.entered < n)
    if (!g_cond_wait_until (&gate.cond, &gate.lock, deadline))
      break;
  g_mutex_unlock (&gate.lock);
}

static void
run_until (Fixture *f, Outcome *o, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (o->done < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (f->context, FALSE) || (g_usleep (1000), TRUE);
}

static void
test_wait_lets_others_run (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint n = 4 * g_get_num_processors () + 2;
  Outcome o = { 0 };

  g_test_summary ("More waiting methods than cores, each woken only by a later invocation: "
                  "with synod_call_wait_begin() every one of them gets a thread and the "
                  "waking invocation runs; without it they would starve the pool.");
  gate_reset (TRUE);
  for (guint i = 0; i < n; i++)
    test_parallel_sleep_async (f->waiter, 0, NULL, on_done, &o);
  /* Every waiter enters its wait: each found a thread. */
  wait_entered (n, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (gate.entered, ==, n);

  g_assert_true (test_counter_bump (f->opener, &error));
  g_assert_no_error (error);
  run_until (f, &o, n);
  g_assert_cmpuint (o.done, ==, n);
  g_assert_cmpuint (o.limited, ==, 0);
  g_assert_cmpuint (gate.timed_out, ==, 0);
}

static void
test_wait_without_starves (Fixture *f, gconstpointer data)
{
  guint cores = g_get_num_processors ();
  guint n = cores + 2;
  Outcome o = { 0 };

  g_test_summary ("The control: waiting methods that do not call synod_call_wait_begin() "
                  "hold every worker, so no more than one per core ever enters its wait.");
  gate_reset (FALSE);
  for (guint i = 0; i < n; i++)
    test_parallel_sleep_async (f->waiter, 0, NULL, on_done, &o);
  wait_entered (n, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (gate.entered, <=, cores);
  /* Let them all finish before the broker goes. */
  g_mutex_lock (&gate.lock);
  gate.released = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  run_until (f, &o, n);
  g_assert_cmpuint (o.done, ==, n);
}

static void
test_wait_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint n = g_get_num_processors () + 3;
  Outcome o = { 0 };

  g_test_summary ("At the broker's thread limit a wait is refused with a LIMIT error "
                  "instead of risking a deadlock.");
  gate_reset (TRUE);
  synod_broker_set_max_workers (f->broker, 1); /* raised to cores + 1 */
  for (guint i = 0; i < n; i++)
    test_parallel_sleep_async (f->waiter, 0, NULL, on_done, &o);
  wait_entered (n, G_USEC_PER_SEC / 2); /* the admitted ones enter */
  run_until (f, &o, n - gate.entered);  /* the refused ones return */
  g_assert_cmpuint (o.limited, >, 0);
  g_assert_true (test_counter_bump (f->opener, &error));
  run_until (f, &o, n);
  g_assert_cmpuint (o.done, ==, n);
  g_assert_cmpuint (o.limited + gate.entered, ==, n);
}

static void
test_wait_outside_method (void)
{
  SynodCallWait wait;
  g_autoptr (GError) error = NULL;

  g_test_summary ("Outside a method the calls do nothing and succeed.");
  g_assert_true (synod_call_wait_begin (&wait, &error));
  g_assert_no_error (error);
  synod_call_wait_end (&wait);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  g_test_add ("/broker/call-wait/lets-others-run", Fixture, NULL, fixture_set_up,
              test_wait_lets_others_run, fixture_tear_down);
  g_test_add ("/broker/call-wait/control-without", Fixture, NULL, fixture_set_up,
              test_wait_without_starves, fixture_tear_down);
  g_test_add ("/broker/call-wait/limit", Fixture, NULL, fixture_set_up, test_wait_limit,
              fixture_tear_down);
  g_test_add_func ("/broker/call-wait/outside-method", test_wait_outside_method);
  return g_test_run ();
}
