/* Remote invocation between brokers over loopback: the same generated stubs
 * reach objects on other peers by Id and by service name (sync, async,
 * oneway), errors and principals cross the wire, group sends reach every
 * peer, dead and restarted peers are handled, hostile calls are refused. */
#include "config.h"

#include <string.h>

#include <synod.h>

#include "remote-test.h"
#include "synod-rpc-private.h"
#include "synod-wire.h"

#define TEST_ERROR (test_error_quark ())
static GQuark test_error_quark (void);
G_DEFINE_QUARK (remote - test - error - quark, test_error)

/* ---- the RemoteTest.Counter class ---- */

typedef struct
{
  guint total;
  gint slow_running; /* atomic: a slow call is in its method */
} Counter;

static gboolean
counter_add (gpointer self, SynodCall *call, guint32 n, guint32 *ret_result, GError **error)
{
  Counter *c = self;

  c->total += n;
  *ret_result = c->total;
  return TRUE;
}

static gboolean
counter_total (gpointer self, SynodCall *call, guint32 *ret_result, GError **error)
{
  *ret_result = ((Counter *)self)->total;
  return TRUE;
}

static gboolean
counter_bump (gpointer self, SynodCall *call, guint32 n, GError **error)
{
  ((Counter *)self)->total += n;
  return TRUE;
}

static gboolean
counter_describe (gpointer self, SynodCall *call, const gchar *label, RemoteTestItem *ret_result,
                  GError **error)
{
  ret_result->name = g_strdup_printf ("%s@%016" G_GINT64_MODIFIER "x", label,
                                      synod_broker_get_peer_id (synod_call_get_broker (call)));
  ret_result->count = ((Counter *)self)->total;
  return TRUE;
}

static gboolean
counter_fail (gpointer self, SynodCall *call, gint32 code, GError **error)
{
  g_set_error (error, TEST_ERROR, code, "failing as asked, with code %d", code);
  return FALSE;
}

static gboolean
counter_slow (gpointer self, SynodCall *call, guint32 ms, guint32 *ret_result, GError **error)
{
  g_atomic_int_inc (&((Counter *)self)->slow_running);
  g_usleep ((gulong)ms * 1000);
  g_atomic_int_add (&((Counter *)self)->slow_running, -1);
  *ret_result = ms;
  return TRUE;
}

static gboolean
counter_whoami (gpointer self, SynodCall *call, gchar **ret_result, GError **error)
{
  *ret_result = g_strdup (synod_call_get_principal (call));
  return TRUE;
}

static const RemoteTestCounterIface counter_vtable = {
  .add = counter_add,
  .total = counter_total,
  .bump = counter_bump,
  .describe = counter_describe,
  .fail = counter_fail,
  .slow = counter_slow,
  .whoami = counter_whoami,
};

/* ---- peers in one process ---- */

typedef struct
{
  SynodBroker *broker;
  SynodNetwork *network;
  SynodObject *counter;
  gchar *address;
} Peer;

static SynodNetwork *
start_network (SynodBroker *broker, const gchar *listen, const gchar *const *peers,
               const gchar *cluster)
{
  SynodNetworkOptions options;
  g_autoptr (GError) error = NULL;
  SynodNetwork *network;

  synod_network_options_init (&options);
  options.listen = listen;
  options.peers = peers;
  options.cluster = cluster ? cluster : "test";
  options.probe_interval_ms = 200;
  options.call_timeout_ms = 10000;
  network = synod_network_new (broker, &options, &error);
  g_assert_no_error (error);
  return network;
}

static Peer *
peer_new (const gchar *const *peers, const gchar *cluster)
{
  Peer *p = g_new0 (Peer, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodClass) klass = synod_class_new ("RemoteTest.Counter", 1, sizeof (Counter), 0);

  p->broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_class_add_interface (klass, &remote_test_counter_interface, &counter_vtable);
  g_assert_true (synod_broker_register_class (p->broker, klass, &error));
  p->counter = synod_broker_create_object (p->broker, "RemoteTest.Counter", 1, NULL, &error);
  g_assert_no_error (error);
  p->network = start_network (p->broker, "127.0.0.1:0", peers, cluster);
  p->address = g_strdup (synod_network_get_listen_address (p->network));
  return p;
}

static void
peer_free (Peer *p)
{
  synod_network_free (p->network);
  synod_object_unref (p->counter);
  synod_broker_unref (p->broker);
  g_free (p->address);
  g_free (p);
}

/* Three peers, b and c configured with a as their static peer. */
typedef struct
{
  Peer *a, *b, *c;
} Trio;

static void
trio_setup (Trio *t, gconstpointer data)
{
  const gchar *to_a[2] = { NULL, NULL };

  t->a = peer_new (NULL, NULL);
  to_a[0] = t->a->address;
  t->b = peer_new (to_a, NULL);
  t->c = peer_new (to_a, NULL);
  /* a learns b and c when they connect to it; b and c learn each other
   * from a: the cluster becomes a full mesh. */
  g_assert_true (synod_network_wait_peers (t->a->network, 2, 10000));
  g_assert_true (synod_network_wait_peers (t->b->network, 2, 10000));
  g_assert_true (synod_network_wait_peers (t->c->network, 2, 10000));
}

static void
trio_teardown (Trio *t, gconstpointer data)
{
  if (t->c)
    peer_free (t->c);
  if (t->b)
    peer_free (t->b);
  peer_free (t->a);
}

static SynodRef *
ref_to (Peer *from, Peer *to)
{
  return synod_ref_new_for_id (from->broker, synod_object_get_id (to->counter));
}

static void
test_sync_by_id (Trio *t, gconstpointer data)
{
  g_autoptr (SynodRef) ref = ref_to (t->b, t->a);
  g_autoptr (GError) error = NULL;
  g_auto (RemoteTestItem) item = { 0 };
  g_autofree gchar *expected = NULL;
  guint32 total = 0;

  g_test_summary ("Generated stubs called on one peer run the method on the peer that holds "
                  "the object, with arguments and structured results crossing the wire.");
  g_assert_true (remote_test_counter_add (ref, 5, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 5);
  g_assert_true (remote_test_counter_add (ref, 7, &total, &error));
  g_assert_cmpuint (total, ==, 12);
  /* The object on a is the one that counted. */
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->a->counter))->total, ==, 12);
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->b->counter))->total, ==, 0);

  g_assert_true (remote_test_counter_describe (ref, "basket", &item, &error));
  g_assert_no_error (error);
  expected = g_strdup_printf ("basket@%016" G_GINT64_MODIFIER "x",
                              synod_broker_get_peer_id (t->a->broker));
  g_assert_cmpstr (item.name, ==, expected);
  g_assert_cmpuint (item.count, ==, 12);
}

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gpointer *out = user_data;
  SynodRef *ref = out[0];
  guint32 *total = out[1];
  GError **error = out[2];

  remote_test_counter_add_finish (ref, result, total, error);
  out[3] = GINT_TO_POINTER (1);
}

static void
test_async_and_oneway (Trio *t, gconstpointer data)
{
  g_autoptr (SynodRef) ref = ref_to (t->c, t->b);
  g_autoptr (GError) error = NULL;
  guint32 total = 0;
  gpointer out[4] = { ref, &total, &error, NULL };
  gint64 deadline;

  remote_test_counter_add_async (ref, 3, NULL, async_done, out);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (out[3] == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (out[3]);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);

  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (remote_test_counter_bump (ref, 1, &error));
      g_assert_no_error (error);
    }
  /* Oneway sends do not wait; their effect shows soon after. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    g_assert_true (remote_test_counter_total (ref, &total, &error));
  while (total != 13 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (total, ==, 13);
}

static void
test_service_names (Trio *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) by_name = synod_ref_new_for_name (t->c->broker, "shop.counter");
  g_autoptr (SynodRef) local_name = NULL;
  guint32 total = 0;

  g_test_summary ("A service name registered on one peer is reached from another; a local "
                  "provider is preferred when there is one.");
  g_assert_true (
      synod_broker_register_service (t->b->broker, "shop.counter", t->b->counter, &error));
  g_assert_true (remote_test_counter_add (by_name, 2, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->b->counter))->total, ==, 2);

  /* a also provides it: a's own sends stay local. */
  g_assert_true (
      synod_broker_register_service (t->a->broker, "shop.counter", t->a->counter, &error));
  local_name = synod_ref_new_for_name (t->a->broker, "shop.counter");
  g_assert_true (remote_test_counter_add (local_name, 100, &total, &error));
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->a->counter))->total, ==, 100);
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->b->counter))->total, ==, 2);

  /* A name nobody provides. */
  {
    g_autoptr (SynodRef) none = synod_ref_new_for_name (t->c->broker, "shop.nobody");
    g_assert_false (remote_test_counter_add (none, 1, &total, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  }
}

static void
test_group_send (Trio *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) replies = NULL;
  RemoteTestCounterAddArgs args = { .n = 10 };
  guint64 seen[3] = { 0 };

  g_test_summary ("One identical request to the providers of a name on three peers reaches "
                  "each, and every reply comes back with its provider.");
  g_assert_true (
      synod_broker_register_service (t->a->broker, "shop.replicas", t->a->counter, &error));
  g_assert_true (
      synod_broker_register_service (t->b->broker, "shop.replicas", t->b->counter, &error));
  g_assert_true (
      synod_broker_register_service (t->c->broker, "shop.replicas", t->c->counter, &error));
  replies = synod_invoke_group_sync (t->a->broker, "shop.replicas", REMOTE_TEST_COUNTER_METHOD_ADD,
                                     &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 3);
  for (guint i = 0; i < replies->len; i++)
    {
      SynodGroupReply *r = replies->pdata[i];

      g_assert_no_error (r->error);
      g_assert_cmpuint (*(guint32 *)r->result, ==, 10);
      seen[i] = r->provider.peer;
    }
  g_assert_cmpuint (seen[0], !=, seen[1]);
  g_assert_cmpuint (seen[1], !=, seen[2]);
  g_assert_cmpuint (seen[0], !=, seen[2]);
  g_assert_cmpuint (((Counter *)synod_object_get_instance (t->c->counter))->total, ==, 10);
}

static void
test_errors_and_principal (Trio *t, gconstpointer data)
{
  g_autoptr (SynodRef) ref = ref_to (t->b, t->a);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *who = NULL;
  g_autofree gchar *expected = NULL;
  guint32 total;

  g_test_summary ("A remote method's GError arrives with its domain, code and message; the "
                  "method sees the calling peer as principal, and access control applies.");
  g_assert_false (remote_test_counter_fail (ref, 42, &error));
  g_assert_error (error, TEST_ERROR, 42);
  g_assert_cmpstr (error->message, ==, "failing as asked, with code 42");
  g_clear_error (&error);

  g_assert_true (remote_test_counter_whoami (ref, &who, &error));
  expected = g_strdup_printf ("peer:%016" G_GINT64_MODIFIER "x",
                              synod_broker_get_peer_id (t->b->broker));
  g_assert_cmpstr (who, ==, expected);

  synod_object_add_acl_rule (t->a->counter, expected, "RemoteTest.Counter.add", SYNOD_ACL_DENY);
  g_assert_false (remote_test_counter_add (ref, 1, &total, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  /* Another method is still allowed, and another peer is not denied. */
  g_assert_true (remote_test_counter_total (ref, &total, &error));
  {
    g_autoptr (SynodRef) from_c = ref_to (t->c, t->a);
    g_assert_true (remote_test_counter_add (from_c, 1, &total, &error));
    g_assert_no_error (error);
  }

  /* An object that does not exist on its peer. */
  {
    SynodObjectId gone = *synod_object_get_id (t->a->counter);
    g_autoptr (SynodRef) none = NULL;

    gone.serial += 1000;
    none = synod_ref_new_for_id (t->b->broker, &gone);
    g_assert_false (remote_test_counter_total (none, &total, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
    g_clear_error (&error);
  }
  /* A peer nobody knows. */
  {
    SynodObjectId nowhere = { 0x0123456789abcdefu, 1 };
    g_autoptr (SynodRef) none = synod_ref_new_for_id (t->b->broker, &nowhere);

    g_assert_false (remote_test_counter_total (none, &total, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE);
  }
}

typedef struct
{
  SynodRef *ref;
  GError *error;
  gint64 finished_at;
} SlowCall;

static gpointer
slow_call_thread (gpointer data)
{
  SlowCall *call = data;
  guint32 ms = 0;

  remote_test_counter_slow (call->ref, 20000, &ms, &call->error);
  call->finished_at = g_get_monotonic_time ();
  return NULL;
}

static void
test_peer_dies_mid_call (Trio *t, gconstpointer data)
{
  SlowCall call = { 0 };
  Counter *on_c = synod_object_get_instance (t->c->counter);
  GThread *thread;
  gint64 killed_at;

  g_test_summary ("A call in flight when the peer holding the object leaves the network fails "
                  "promptly with DISCONNECTED instead of waiting for its 20 s method.");
  call.ref = ref_to (t->a, t->c);
  thread = g_thread_new ("slow", slow_call_thread, &call);
  /* Wait until the method runs on c. */
  for (guint i = 0; i < 500 && g_atomic_int_get (&on_c->slow_running) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&on_c->slow_running), ==, 1);
  killed_at = g_get_monotonic_time ();
  synod_network_free (t->c->network);
  t->c->network = NULL;
  g_thread_join (thread);
  g_assert_nonnull (call.error);
  g_assert_true (g_error_matches (call.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED)
                 || g_error_matches (call.error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE));
  g_assert_cmpint (call.finished_at - killed_at, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&call.error);
  synod_ref_unref (call.ref);
  /* c's object is still busy sleeping; let the broker finish with it. */
  t->c->network = start_network (t->c->broker, NULL, NULL, NULL);
}

static void
test_restart_reconnect (Trio *t, gconstpointer data)
{
  g_autoptr (SynodRef) ref = ref_to (t->b, t->a);
  g_autoptr (GError) error = NULL;
  guint32 total = 0;
  guint64 a_id = synod_broker_get_peer_id (t->a->broker);
  gboolean back = FALSE;

  g_test_summary ("A peer that leaves and comes back on its address with the same peer id is "
                  "found again: calls fail while it is away and succeed once it is back.");
  g_assert_true (remote_test_counter_add (ref, 1, &total, &error));
  synod_network_free (t->a->network);
  t->a->network = NULL;
  g_assert_false (remote_test_counter_add (ref, 1, &total, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  t->a->network = start_network (t->a->broker, t->a->address, NULL, NULL);
  g_assert_cmpstr (synod_network_get_listen_address (t->a->network), ==, t->a->address);
  for (guint i = 0; i < 100 && !back; i++)
    {
      back = remote_test_counter_add (ref, 1, &total, NULL);
      if (!back)
        g_usleep (100 * 1000);
    }
  g_assert_true (back);
  g_assert_cmpuint (total, ==, 2);
  g_assert_cmpuint (synod_broker_get_peer_id (t->a->broker), ==, a_id);
}

static void
test_dynamic (Trio *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) result = NULL;
  g_autofree gchar *id = synod_object_id_to_string (synod_object_get_id (t->a->counter));
  guint64 a_id = synod_broker_get_peer_id (t->a->broker);

  g_test_summary ("A call by interface and method names with GVariant arguments runs on the "
                  "peer holding the object, which types the arguments itself: what the "
                  "command-line tool does.");
  result = synod_network_invoke_dynamic (t->b->network, a_id, id, "RemoteTest.Counter", "add",
                                         g_variant_new ("(u)", 9), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (result), ==, "(u)");
  g_assert_cmpuint (g_variant_get_uint32 (g_variant_get_child_value (result, 0)), ==, 9);
  g_clear_pointer (&result, g_variant_unref);

  result = synod_network_invoke_dynamic (t->b->network, a_id, id, "RemoteTest.Counter", "describe",
                                         g_variant_new ("(s)", "x"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (result), ==, "((su))");
  g_clear_pointer (&result, g_variant_unref);

  /* Wrong types, unknown method, unknown target. */
  result = synod_network_invoke_dynamic (t->b->network, a_id, id, "RemoteTest.Counter", "add",
                                         g_variant_new ("(s)", "nine"), &error);
  g_assert_null (result);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  result = synod_network_invoke_dynamic (t->b->network, a_id, id, "RemoteTest.Counter", "nope",
                                         g_variant_new ("()"), &error);
  g_assert_null (result);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD);
  g_clear_error (&error);
  result
      = synod_network_invoke_dynamic (t->b->network, a_id, "no.such.service", "RemoteTest.Counter",
                                      "add", g_variant_new ("(u)", 1), &error);
  g_assert_null (result);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
}

/* Raw INVOKE calls with hostile bodies, on a connection of our own. */
static void
test_hostile_invocations (Trio *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRpcConnection) conn
      = synod_rpc_connection_connect (t->a->address, 5000, NULL, NULL, NULL, &error);
  g_autoptr (GBytes) garbage = g_bytes_new_static ("\x00\x01\x02", 3);
  g_autoptr (GBytes) reply = NULL;
  struct
  {
    const gchar *iface;
    guint32 version, method;
    const guint8 *args;
    gsize args_len;
    gint code;
  } cases[] = {
    { "No.Such", 1, 0, NULL, 0, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE },
    { "RemoteTest.Counter", 2, 0, NULL, 0, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE },
    { "RemoteTest.Counter", 1, 99, NULL, 0, SYNOD_ORB_ERROR_NO_SUCH_METHOD },
    { "RemoteTest.Counter", 1, 0, (const guint8 *)"\x00\x00", 2, SYNOD_ORB_ERROR_DECODE },
    { "RemoteTest.Counter", 1, 0, (const guint8 *)"\x00\x00\x00\x01\x00\x00\x00\x01", 8,
      SYNOD_ORB_ERROR_DECODE },
  };

  g_test_summary ("An invocation whose body does not decode gets GARBAGE_ARGS; one naming an "
                  "unknown interface, version or method, or with undecodable arguments, gets a "
                  "clear error; the peer keeps serving.");
  g_assert_no_error (error);
  reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                          SYNOD_WIRE_PROC_INVOKE, garbage, 5000, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (SynodWireInvoke) inv = { 0 };
      g_auto (SynodWireInvokeResult) result = { 0 };
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GBytes) answer = NULL;

      inv.target = *synod_object_get_id (t->a->counter);
      inv.interface = g_strdup (cases[i].iface);
      inv.version = cases[i].version;
      inv.method = cases[i].method;
      inv.args.len = cases[i].args_len;
      inv.args.val = g_memdup2 (cases[i].args, cases[i].args_len);
      body = synod_value_encode (&synod_wire_invoke_desc, &inv, &error);
      g_assert_no_error (error);
      answer = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                               SYNOD_WIRE_PROC_INVOKE, body, 5000, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (synod_value_decode (&synod_wire_invoke_result_desc,
                                         g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                         &result, &error));
      g_assert_false (result.ok);
      g_assert_cmpstr (result.u.error.domain, ==, "synod-orb-error-quark");
      g_assert_cmpint (result.u.error.code, ==, cases[i].code);
    }
  /* Still serving. */
  {
    g_autoptr (SynodRef) ref = ref_to (t->b, t->a);
    guint32 total;
    g_assert_true (remote_test_counter_total (ref, &total, &error));
  }
  synod_rpc_connection_close (conn);
}

static void
test_other_cluster (void)
{
  Peer *a = peer_new (NULL, "red");
  const gchar *to_a[2] = { a->address, NULL };
  Peer *b = peer_new (to_a, "blue");
  g_autoptr (GPtrArray) peers = NULL;
  g_autoptr (SynodRef) ref = ref_to (b, a);
  g_autoptr (GError) error = NULL;
  guint32 total;

  g_test_summary ("Peers of different clusters do not join: the static peer is marked "
                  "unreachable with the reason, and calls to it fail.");
  g_assert_false (synod_network_wait_peers (b->network, 1, 1000));
  peers = synod_network_list_peers (b->network);
  g_assert_cmpuint (peers->len, ==, 1);
  g_assert_cmpint (((SynodPeerInfo *)peers->pdata[0])->state, ==, SYNOD_PEER_STATE_UNREACHABLE);
  g_assert_nonnull (strstr (((SynodPeerInfo *)peers->pdata[0])->last_error, "cluster"));
  g_assert_false (remote_test_counter_total (ref, &total, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE);
  peer_free (b);
  peer_free (a);
}

static SynodPeerInfo *
find_info (GPtrArray *peers, guint64 id)
{
  for (guint i = 0; i < peers->len; i++)
    if (((SynodPeerInfo *)peers->pdata[i])->peer_id == id)
      return peers->pdata[i];
  g_error ("peer %016" G_GINT64_MODIFIER "x is not in the table", id);
}

static void
test_peer_table (Trio *t, gconstpointer data)
{
  g_autoptr (GPtrArray) peers = synod_network_list_peers (t->b->network);
  SynodPeerInfo *info;

  g_test_summary ("The peer table says how each peer was found, where it is, and that it is "
                  "connected: b was given a, and learned c through a (or c connected to it).");
  g_assert_cmpuint (peers->len, ==, 2);
  info = find_info (peers, synod_broker_get_peer_id (t->a->broker));
  g_assert_cmpint (info->state, ==, SYNOD_PEER_STATE_CONNECTED);
  g_assert_true (info->sources & SYNOD_PEER_STATIC);
  g_assert_cmpstr (info->address, ==, t->a->address);
  g_assert_cmpstr (info->cluster, ==, "test");
  info = find_info (peers, synod_broker_get_peer_id (t->c->broker));
  g_assert_cmpint (info->state, ==, SYNOD_PEER_STATE_CONNECTED);
  g_assert_true (info->sources & (SYNOD_PEER_INDIRECT | SYNOD_PEER_INBOUND));
  g_assert_false (info->sources & SYNOD_PEER_STATIC);
  g_assert_cmpstr (info->address, ==, t->c->address);
  g_clear_pointer (&peers, g_ptr_array_unref);

  peers = synod_network_list_peers (t->a->network);
  g_assert_cmpuint (peers->len, ==, 2);
  for (guint i = 0; i < peers->len; i++)
    {
      info = peers->pdata[i];
      g_assert_cmpstr (synod_peer_source_to_string (info->sources), ==, "inbound");
      g_assert_cmpint (info->state, ==, SYNOD_PEER_STATE_CONNECTED);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define TRIO_TEST(path, func)                                                                      \
  g_test_add ("/remote/network/" path, Trio, NULL, trio_setup, func, trio_teardown)
  TRIO_TEST ("sync-by-id", test_sync_by_id);
  TRIO_TEST ("async-and-oneway", test_async_and_oneway);
  TRIO_TEST ("service-names", test_service_names);
  TRIO_TEST ("group-send", test_group_send);
  TRIO_TEST ("errors-and-principal", test_errors_and_principal);
  TRIO_TEST ("peer-dies-mid-call", test_peer_dies_mid_call);
  TRIO_TEST ("restart-reconnect", test_restart_reconnect);
  TRIO_TEST ("dynamic", test_dynamic);
  TRIO_TEST ("hostile-invocations", test_hostile_invocations);
  TRIO_TEST ("peer-table", test_peer_table);
  g_test_add_func ("/remote/network/other-cluster", test_other_cluster);
  return g_test_run ();
}
