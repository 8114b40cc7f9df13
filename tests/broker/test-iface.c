/* test-iface.c — descriptors and stubs of tests/broker/test.idl, in the
 * form synod-idl generates. */
#include "config.h"

#include "test-iface.h"

static const SynodTypeDesc empty_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.empty.args",
  .c_size = 0,
  .c_align = 1,
};

static const SynodFieldDesc add_fields[] = {
  { "delta", &synod_type_int, G_STRUCT_OFFSET (TestCounterAddArgs, delta) },
};
static const SynodTypeDesc add_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Counter.add.args",
  .c_size = sizeof (TestCounterAddArgs),
  .c_align = G_ALIGNOF (TestCounterAddArgs),
  .fields = add_fields,
  .n_fields = G_N_ELEMENTS (add_fields),
};
static const SynodFieldDesc echo_fields[] = {
  { "text", &synod_type_string, G_STRUCT_OFFSET (TestCounterEchoArgs, text) },
};
static const SynodTypeDesc echo_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Counter.echo.args",
  .c_size = sizeof (TestCounterEchoArgs),
  .c_align = G_ALIGNOF (TestCounterEchoArgs),
  .fields = echo_fields,
  .n_fields = G_N_ELEMENTS (echo_fields),
};
static const SynodFieldDesc sleep_fields[] = {
  { "ms", &synod_type_uint, G_STRUCT_OFFSET (TestCounterSleepArgs, ms) },
};
static const SynodTypeDesc sleep_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Counter.sleep.args",
  .c_size = sizeof (TestCounterSleepArgs),
  .c_align = G_ALIGNOF (TestCounterSleepArgs),
  .fields = sleep_fields,
  .n_fields = G_N_ELEMENTS (sleep_fields),
};
static const SynodFieldDesc relay_fields[] = {
  { "target", &synod_type_string, G_STRUCT_OFFSET (TestCounterRelayArgs, target) },
  { "depth", &synod_type_int, G_STRUCT_OFFSET (TestCounterRelayArgs, depth) },
};
static const SynodTypeDesc relay_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Counter.relay.args",
  .c_size = sizeof (TestCounterRelayArgs),
  .c_align = G_ALIGNOF (TestCounterRelayArgs),
  .fields = relay_fields,
  .n_fields = G_N_ELEMENTS (relay_fields),
};
static const SynodFieldDesc fail_fields[] = {
  { "message", &synod_type_string, G_STRUCT_OFFSET (TestCounterFailArgs, message) },
};
static const SynodTypeDesc fail_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Counter.fail.args",
  .c_size = sizeof (TestCounterFailArgs),
  .c_align = G_ALIGNOF (TestCounterFailArgs),
  .fields = fail_fields,
  .n_fields = G_N_ELEMENTS (fail_fields),
};
static const SynodFieldDesc mismatch_fields[] = {
  { "delta", &synod_type_string, G_STRUCT_OFFSET (TestMismatchAddArgs, delta) },
};
static const SynodTypeDesc mismatch_args_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Test.Mismatch.add.args",
  .c_size = sizeof (TestMismatchAddArgs),
  .c_align = G_ALIGNOF (TestMismatchAddArgs),
  .fields = mismatch_fields,
  .n_fields = G_N_ELEMENTS (mismatch_fields),
};

#define IFACE(v) ((const TestCounterIface *)(v))

static gboolean
add_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
            GError **error)
{
  return IFACE (vt)->add (self, call, ((const TestCounterAddArgs *)args)->delta, ret, error);
}

static gboolean
get_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
            GError **error)
{
  return IFACE (vt)->get (self, call, ret, error);
}

static gboolean
echo_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
             GError **error)
{
  return IFACE (vt)->echo (self, call, ((const TestCounterEchoArgs *)args)->text, ret, error);
}

static gboolean
sleep_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
              GError **error)
{
  return IFACE (vt)->sleep (self, call, ((const TestCounterSleepArgs *)args)->ms, error);
}

static gboolean
bump_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
             GError **error)
{
  return IFACE (vt)->bump (self, call, error);
}

static gboolean
relay_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
              GError **error)
{
  const TestCounterRelayArgs *a = args;

  return IFACE (vt)->relay (self, call, a->target, a->depth, ret, error);
}

static gboolean
fail_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
             GError **error)
{
  return IFACE (vt)->fail (self, call, ((const TestCounterFailArgs *)args)->message, error);
}

const SynodMethodDesc test_counter_methods[] = {
  { "add", &test_counter_interface, 0, &add_args_desc, &synod_type_int, 0, add_invoke,
    G_STRUCT_OFFSET (TestCounterIface, add) },
  { "get", &test_counter_interface, 1, &empty_args_desc, &synod_type_int, 0, get_invoke,
    G_STRUCT_OFFSET (TestCounterIface, get) },
  { "echo", &test_counter_interface, 2, &echo_args_desc, &synod_type_string, 0, echo_invoke,
    G_STRUCT_OFFSET (TestCounterIface, echo) },
  { "sleep", &test_counter_interface, 3, &sleep_args_desc, &synod_type_void, 0, sleep_invoke,
    G_STRUCT_OFFSET (TestCounterIface, sleep) },
  { "bump", &test_counter_interface, 4, &empty_args_desc, &synod_type_void, SYNOD_METHOD_ONEWAY,
    bump_invoke, G_STRUCT_OFFSET (TestCounterIface, bump) },
  { "relay", &test_counter_interface, 5, &relay_args_desc, &synod_type_int, 0, relay_invoke,
    G_STRUCT_OFFSET (TestCounterIface, relay) },
  { "fail", &test_counter_interface, 6, &fail_args_desc, &synod_type_void, 0, fail_invoke,
    G_STRUCT_OFFSET (TestCounterIface, fail) },
};

const SynodInterfaceDesc test_counter_interface = {
  .name = "Test.Counter",
  .version = 1,
  .methods = test_counter_methods,
  .n_methods = G_N_ELEMENTS (test_counter_methods),
  .vtable_size = sizeof (TestCounterIface),
  .introspection_xml
  = "  <interface name=\"Test.Counter\">\n"
    "    <method name=\"add\">\n"
    "      <arg name=\"delta\" type=\"i\" direction=\"in\"/>\n"
    "      <arg name=\"result\" type=\"i\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"get\">\n"
    "      <arg name=\"result\" type=\"i\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"echo\">\n"
    "      <arg name=\"text\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"result\" type=\"s\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"sleep\">\n"
    "      <arg name=\"ms\" type=\"u\" direction=\"in\"/>\n"
    "    </method>\n"
    "    <method name=\"bump\">\n"
    "      <annotation name=\"org.freedesktop.DBus.Method.NoReply\" value=\"true\"/>\n"
    "    </method>\n"
    "    <method name=\"relay\">\n"
    "      <arg name=\"target\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"depth\" type=\"i\" direction=\"in\"/>\n"
    "      <arg name=\"result\" type=\"i\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"fail\">\n"
    "      <arg name=\"message\" type=\"s\" direction=\"in\"/>\n"
    "    </method>\n"
    "    <annotation name=\"org.synod.Version\" value=\"1\"/>\n"
    "  </interface>\n",
};

static gboolean
parallel_sleep_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args,
                       gpointer ret, GError **error)
{
  return ((const TestParallelIface *)vt)
      ->sleep (self, call, ((const TestCounterSleepArgs *)args)->ms, error);
}

const SynodMethodDesc test_parallel_methods[] = {
  { "sleep", &test_parallel_interface, 0, &sleep_args_desc, &synod_type_void,
    SYNOD_METHOD_CONCURRENT, parallel_sleep_invoke, G_STRUCT_OFFSET (TestParallelIface, sleep) },
};

const SynodInterfaceDesc test_parallel_interface = {
  .name = "Test.Parallel",
  .version = 1,
  .methods = test_parallel_methods,
  .n_methods = G_N_ELEMENTS (test_parallel_methods),
  .flags = SYNOD_INTERFACE_CONCURRENT,
  .vtable_size = sizeof (TestParallelIface),
  .introspection_xml = "  <interface name=\"Test.Parallel\">\n"
                       "    <method name=\"sleep\">\n"
                       "      <arg name=\"ms\" type=\"u\" direction=\"in\"/>\n"
                       "      <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "    </method>\n"
                       "    <annotation name=\"org.synod.Version\" value=\"1\"/>\n"
                       "    <annotation name=\"org.synod.Concurrent\" value=\"true\"/>\n"
                       "  </interface>\n",
};

/* Interfaces only ever invoked, never implemented: their invokers are never
 * called through their own vtables. */
static gboolean
never_invoke (gconstpointer vt, gpointer self, SynodCall *call, gconstpointer args, gpointer ret,
              GError **error)
{
  g_assert_not_reached ();
  return FALSE;
}

const SynodMethodDesc test_adder_methods[] = {
  { "add", &test_adder_interface, 0, &add_args_desc, &synod_type_int, 0, never_invoke, 0 },
};
const SynodInterfaceDesc test_adder_interface = {
  .name = "Test.Adder",
  .version = 1,
  .methods = test_adder_methods,
  .n_methods = 1,
  .vtable_size = sizeof (gpointer),
};

const SynodMethodDesc test_getter_methods[] = {
  { "get", &test_getter_interface, 0, &empty_args_desc, &synod_type_int, 0, never_invoke, 0 },
  { "missing", &test_getter_interface, 1, &empty_args_desc, &synod_type_int, 0, never_invoke,
    sizeof (gpointer) },
};
const SynodInterfaceDesc test_getter_interface = {
  .name = "Test.Getter",
  .version = 1,
  .methods = test_getter_methods,
  .n_methods = 2,
  .vtable_size = 2 * sizeof (gpointer),
};

const SynodMethodDesc test_mismatch_methods[] = {
  { "add", &test_mismatch_interface, 0, &mismatch_args_desc, &synod_type_int, 0, never_invoke, 0 },
};
const SynodInterfaceDesc test_mismatch_interface = {
  .name = "Test.Mismatch",
  .version = 1,
  .methods = test_mismatch_methods,
  .n_methods = 1,
  .vtable_size = sizeof (gpointer),
};

static const SynodInterfaceDesc *const child_bases[] = { &test_counter_interface };
static const SynodMethodDesc test_child_methods[] = {
  { "twice", &test_child_interface, 0, &add_args_desc, &synod_type_int, 0, never_invoke, 0 },
};
const SynodInterfaceDesc test_child_interface = {
  .name = "Test.Child",
  .version = 1,
  .bases = child_bases,
  .n_bases = 1,
  .methods = test_child_methods,
  .n_methods = 1,
  .vtable_size = sizeof (gpointer),
};

/* Stubs */

gboolean
test_counter_add (SynodRef *target, gint32 delta, gint32 *ret_result, GError **error)
{
  TestCounterAddArgs args = { delta };

  return synod_invoke_sync (target, TEST_COUNTER_METHOD_ADD, &args, ret_result, error);
}

void
test_counter_add_async (SynodRef *target, gint32 delta, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  TestCounterAddArgs args = { delta };

  synod_invoke_async (target, TEST_COUNTER_METHOD_ADD, &args, cancellable, callback, user_data);
}

gboolean
test_counter_add_finish (SynodRef *target, GAsyncResult *result, gint32 *ret_result, GError **error)
{
  return synod_invoke_finish (target, result, ret_result, error);
}

gboolean
test_counter_add_oneway (SynodRef *target, gint32 delta, GError **error)
{
  TestCounterAddArgs args = { delta };

  return synod_invoke_oneway (target, TEST_COUNTER_METHOD_ADD, &args, error);
}

gboolean
test_counter_get (SynodRef *target, gint32 *ret_result, GError **error)
{
  return synod_invoke_sync (target, TEST_COUNTER_METHOD_GET, NULL, ret_result, error);
}

gboolean
test_counter_echo (SynodRef *target, const gchar *text, gchar **ret_result, GError **error)
{
  TestCounterEchoArgs args = { (gchar *)text };

  return synod_invoke_sync (target, TEST_COUNTER_METHOD_ECHO, &args, ret_result, error);
}

gboolean
test_counter_sleep (SynodRef *target, guint32 ms, GError **error)
{
  TestCounterSleepArgs args = { ms };

  return synod_invoke_sync (target, TEST_COUNTER_METHOD_SLEEP, &args, NULL, error);
}

gboolean
test_counter_sleep_oneway (SynodRef *target, guint32 ms, GError **error)
{
  TestCounterSleepArgs args = { ms };

  return synod_invoke_oneway (target, TEST_COUNTER_METHOD_SLEEP, &args, error);
}

gboolean
test_counter_bump (SynodRef *target, GError **error)
{
  return synod_invoke_oneway (target, TEST_COUNTER_METHOD_BUMP, NULL, error);
}

gboolean
test_counter_relay (SynodRef *target, const gchar *to, gint32 depth, gint32 *ret_result,
                    GError **error)
{
  TestCounterRelayArgs args = { (gchar *)to, depth };

  return synod_invoke_sync (target, TEST_COUNTER_METHOD_RELAY, &args, ret_result, error);
}

gboolean
test_counter_fail (SynodRef *target, const gchar *message, GError **error)
{
  TestCounterFailArgs args = { (gchar *)message };

  return synod_invoke_sync (target, TEST_COUNTER_METHOD_FAIL, &args, NULL, error);
}

gboolean
test_parallel_sleep (SynodRef *target, guint32 ms, GError **error)
{
  TestCounterSleepArgs args = { ms };

  return synod_invoke_sync (target, TEST_PARALLEL_METHOD_SLEEP, &args, NULL, error);
}
