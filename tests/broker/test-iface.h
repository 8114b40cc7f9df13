/* test-iface.h — the test interfaces (tests/broker/test.idl), in the
 * form synod-idl generates (idl/README.md). */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

/* interface Test.Counter version 1 */
typedef struct
{
  gint32 delta;
} TestCounterAddArgs;
typedef struct
{
  gchar *text;
} TestCounterEchoArgs;
typedef struct
{
  guint32 ms;
} TestCounterSleepArgs;
typedef struct
{
  gchar *target;
  gint32 depth;
} TestCounterRelayArgs;
typedef struct
{
  gchar *message;
} TestCounterFailArgs;

extern const SynodInterfaceDesc test_counter_interface;
extern const SynodMethodDesc test_counter_methods[];
#define TEST_COUNTER_METHOD_ADD (&test_counter_methods[0])
#define TEST_COUNTER_METHOD_GET (&test_counter_methods[1])
#define TEST_COUNTER_METHOD_ECHO (&test_counter_methods[2])
#define TEST_COUNTER_METHOD_SLEEP (&test_counter_methods[3])
#define TEST_COUNTER_METHOD_BUMP (&test_counter_methods[4])
#define TEST_COUNTER_METHOD_RELAY (&test_counter_methods[5])
#define TEST_COUNTER_METHOD_FAIL (&test_counter_methods[6])

typedef struct
{
  gboolean (*add) (gpointer self, SynodCall *call, gint32 delta, gint32 *ret_result,
                   GError **error);
  gboolean (*get) (gpointer self, SynodCall *call, gint32 *ret_result, GError **error);
  gboolean (*echo) (gpointer self, SynodCall *call, const gchar *text, gchar **ret_result,
                    GError **error);
  gboolean (*sleep) (gpointer self, SynodCall *call, guint32 ms, GError **error);
  gboolean (*bump) (gpointer self, SynodCall *call, GError **error);
  gboolean (*relay) (gpointer self, SynodCall *call, const gchar *target, gint32 depth,
                     gint32 *ret_result, GError **error);
  gboolean (*fail) (gpointer self, SynodCall *call, const gchar *message, GError **error);
} TestCounterIface;

gboolean test_counter_add (SynodRef *target, gint32 delta, gint32 *ret_result, GError **error);
void test_counter_add_async (SynodRef *target, gint32 delta, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean test_counter_add_finish (SynodRef *target, GAsyncResult *result, gint32 *ret_result,
                                  GError **error);
gboolean test_counter_add_oneway (SynodRef *target, gint32 delta, GError **error);
gboolean test_counter_get (SynodRef *target, gint32 *ret_result, GError **error);
gboolean test_counter_echo (SynodRef *target, const gchar *text, gchar **ret_result,
                            GError **error);
gboolean test_counter_sleep (SynodRef *target, guint32 ms, GError **error);
gboolean test_counter_sleep_oneway (SynodRef *target, guint32 ms, GError **error);
gboolean test_counter_bump (SynodRef *target, GError **error);
gboolean test_counter_relay (SynodRef *target, const gchar *to, gint32 depth, gint32 *ret_result,
                             GError **error);
gboolean test_counter_fail (SynodRef *target, const gchar *message, GError **error);

/* [concurrent] interface Test.Parallel version 1 */
extern const SynodInterfaceDesc test_parallel_interface;
extern const SynodMethodDesc test_parallel_methods[];
#define TEST_PARALLEL_METHOD_SLEEP (&test_parallel_methods[0])
typedef struct
{
  gboolean (*sleep) (gpointer self, SynodCall *call, guint32 ms, GError **error);
} TestParallelIface;
gboolean test_parallel_sleep (SynodRef *target, guint32 ms, GError **error);

/* interface Test.Adder version 1: Counter.add's name and signature */
extern const SynodInterfaceDesc test_adder_interface;
extern const SynodMethodDesc test_adder_methods[];
#define TEST_ADDER_METHOD_ADD (&test_adder_methods[0])

/* interface Test.Getter version 1 { int get(); int missing(); } */
extern const SynodInterfaceDesc test_getter_interface;
extern const SynodMethodDesc test_getter_methods[];
#define TEST_GETTER_METHOD_GET (&test_getter_methods[0])
#define TEST_GETTER_METHOD_MISSING (&test_getter_methods[1])

/* interface Test.Mismatch version 1 { int add(string delta<>); } */
extern const SynodInterfaceDesc test_mismatch_interface;
extern const SynodMethodDesc test_mismatch_methods[];
#define TEST_MISMATCH_METHOD_ADD (&test_mismatch_methods[0])
typedef struct
{
  gchar *delta;
} TestMismatchAddArgs;

/* interface Test.Child version 1 : Test.Counter { int twice(int v); } */
extern const SynodInterfaceDesc test_child_interface;

G_END_DECLS
