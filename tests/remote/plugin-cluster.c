/* plugin-cluster.c — the ClusterTest.Counter class, as a plugin that the
 * multi-process tests load into synodd (--plugin, or from the class path)
 * and instantiate from [object NAME] groups of a configuration file.
 *
 * Besides counting, its objects send to other objects from inside the
 * daemon (relay, relayGroup), so that the tests see synchronous,
 * asynchronous, oneway and group sends made between daemons. Creation
 * parameters: an optional dictionary {'start': <uint32>}; anything else is
 * refused, so that the tests can check how synodd reports bad params. */
#include "config.h"

#include <gmodule.h>

#include <synod.h>

#include "cluster-test.h"

#define CLUSTER_TEST_ERROR (g_quark_from_static_string ("cluster-test-error-quark"))

typedef struct
{
  gint total; /* atomic: concurrent relays may add while others read */
} Counter;

static gboolean
counter_add (gpointer self, SynodCall *call, guint32 n, guint32 *ret_result, GError **error)
{
  Counter *c = self;

  *ret_result = (guint32)g_atomic_int_add (&c->total, (gint)n) + n;
  return TRUE;
}

static gboolean
counter_total (gpointer self, SynodCall *call, guint32 *ret_result, GError **error)
{
  *ret_result = (guint32)g_atomic_int_get (&((Counter *)self)->total);
  return TRUE;
}

static gboolean
counter_bump (gpointer self, SynodCall *call, guint32 n, GError **error)
{
  g_atomic_int_add (&((Counter *)self)->total, (gint)n);
  return TRUE;
}

static gboolean
counter_describe (gpointer self, SynodCall *call, const gchar *label, ClusterTestItem *ret_result,
                  GError **error)
{
  ret_result->name = g_strdup_printf ("%s@%016" G_GINT64_MODIFIER "x", label,
                                      synod_broker_get_peer_id (synod_call_get_broker (call)));
  ret_result->count = (guint32)g_atomic_int_get (&((Counter *)self)->total);
  return TRUE;
}

static gboolean
counter_fail (gpointer self, SynodCall *call, gint32 code, GError **error)
{
  g_set_error (error, CLUSTER_TEST_ERROR, code, "failing as asked, with code %d", code);
  return FALSE;
}

/* slow() calls in progress in this process, for the tests to know that a
 * call has reached its method. */
static gint slow_running;

static gboolean
counter_slow (gpointer self, SynodCall *call, guint32 ms, guint32 *ret_result, GError **error)
{
  g_atomic_int_inc (&slow_running);
  g_usleep ((gulong)MIN (ms, 60000) * 1000);
  g_atomic_int_add (&slow_running, -1);
  *ret_result = ms;
  return TRUE;
}

static gboolean
counter_running (gpointer self, SynodCall *call, guint32 *ret_result, GError **error)
{
  *ret_result = (guint32)g_atomic_int_get (&slow_running);
  return TRUE;
}

static gboolean
counter_whoami (gpointer self, SynodCall *call, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup (synod_call_get_principal (call));
  return TRUE;
}

static gboolean
counter_peer (gpointer self, SynodCall *call, guint64 *ret_result, GError **error)
{
  *ret_result = synod_broker_get_peer_id (synod_call_get_broker (call));
  return TRUE;
}

static void
relay_async_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (res);
}

static gboolean
counter_relay (gpointer self, SynodCall *call, const gchar *target, const gchar *how, guint32 n,
               guint32 *ret_result, GError **error)
{
  g_autoptr (SynodRef) ref = synod_ref_new_parse (synod_call_get_broker (call), target, error);

  if (ref == NULL)
    return FALSE;
  if (g_strcmp0 (how, "sync-add") == 0)
    return cluster_test_counter_add (ref, n, ret_result, error);
  if (g_strcmp0 (how, "sync-slow") == 0)
    return cluster_test_counter_slow (ref, n, ret_result, error);
  if (g_strcmp0 (how, "oneway-bump") == 0)
    {
      *ret_result = 0;
      return cluster_test_counter_bump (ref, n, error);
    }
  if (g_strcmp0 (how, "async-add") == 0)
    {
      /* A method runs on a worker without a main loop: give the async
       * send a context of its own and iterate it until the reply (the
       * network's call timeout bounds the wait). */
      g_autoptr (GMainContext) context = g_main_context_new ();
      g_autoptr (GAsyncResult) result = NULL;
      gboolean ok;

      g_main_context_push_thread_default (context);
      cluster_test_counter_add_async (ref, n, NULL, relay_async_done, &result);
      while (result == NULL)
        g_main_context_iteration (context, TRUE);
      ok = cluster_test_counter_add_finish (ref, result, ret_result, error);
      g_main_context_pop_thread_default (context);
      return ok;
    }
  g_set_error (error, CLUSTER_TEST_ERROR, 1, "unknown relay “%s”", how);
  return FALSE;
}

static gboolean
counter_relay_group (gpointer self, SynodCall *call, const gchar *name, guint32 n,
                     ClusterTestGroupTotal *ret_result, GError **error)
{
  ClusterTestCounterAddArgs args = { .n = n };
  g_autoptr (GPtrArray) replies = synod_invoke_group_sync (
      synod_call_get_broker (call), name, CLUSTER_TEST_COUNTER_METHOD_ADD, &args, error);

  if (replies == NULL)
    return FALSE;
  for (guint i = 0; i < replies->len; i++)
    {
      SynodGroupReply *r = replies->pdata[i];

      if (r->error)
        ret_result->failures++;
      else
        {
          ret_result->replies++;
          ret_result->sum += *(guint32 *)r->result;
        }
    }
  return TRUE;
}

static const ClusterTestCounterIface counter_vtable = {
  .add = counter_add,
  .total = counter_total,
  .bump = counter_bump,
  .describe = counter_describe,
  .fail = counter_fail,
  .slow = counter_slow,
  .running = counter_running,
  .whoami = counter_whoami,
  .peer = counter_peer,
  .relay = counter_relay,
  .relay_group = counter_relay_group,
};

static gboolean
counter_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                GError **error)
{
  Counter *c = instance;
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  if (params == NULL)
    return TRUE;
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   "ClusterTest.Counter takes a{sv} parameters, not “%s”",
                   g_variant_get_type_string (params));
      return FALSE;
    }
  g_variant_iter_init (&iter, params);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      if (g_strcmp0 (key, "start") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        c->total = (gint)g_variant_get_uint32 (value);
      else
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                       "ClusterTest.Counter has no parameter “%s” of type %s", key,
                       g_variant_get_type_string (value));
          g_variant_unref (value);
          return FALSE;
        }
    }
  return TRUE;
}

SYNOD_PLUGIN_DEFINE_ABI;

G_MODULE_EXPORT gboolean synod_plugin_register (SynodBroker *broker, GError **error);

G_MODULE_EXPORT gboolean
synod_plugin_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new ("ClusterTest.Counter", 1, sizeof (Counter), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &cluster_test_counter_interface, &counter_vtable);
  synod_class_set_hooks (klass, counter_create, NULL, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
