/* RPC-with-TLS between synodd processes: a cluster that requires TLS, the
 * principal of a caller being its certificate's (checked through ACLs in
 * the daemons' configuration), peers that cannot join it (another CA,
 * plaintext), the command-line tool with and without a client
 * certificate, and a capture of the wire (tshark, when it can capture).
 *
 * Daemons a, b, c require TLS with certificates "peer-a", "peer-b",
 * "peer-c" of one CA; b and c have a as their static peer. a's counter
 * lets cert:peer-b, cert:tester and cert:tool call it and nobody else. The
 * test process is a peer too, with certificate "tester".
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <synod.h>

#include "cluster-common.h"
#include "synod-test-certs.h"
#include "synod-test-daemon.h"

#define TLS_PEER_A "a1a1a1a1a1a1a1a1"
#define TLS_PEER_B "b2b2b2b2b2b2b2b2"
#define TLS_PEER_C "c3c3c3c3c3c3c3c3"
#define TLS_PEER_D "d4d4d4d4d4d4d4d4"
#define TLS_PEER_E "e5e5e5e5e5e5e5e5"
#define TLS_COUNTER_A TLS_PEER_A "-0000000000000002"
#define TLS_COUNTER_B TLS_PEER_B "-0000000000000002"
#define TLS_COUNTER_C TLS_PEER_C "-0000000000000002"
#define TLS_COUNTER_D TLS_PEER_D "-0000000000000002"
#define TLS_COUNTER_E TLS_PEER_E "-0000000000000002"
#define SECRET "Kestrel-Quartz-90210-plaintext-marker"

static const gchar *const tool_env[] = { "LC_ALL=C.UTF-8", "SYNOD_PEER=", NULL };

/* The TLS keys of synodd's configuration for certificate @name. */
static gchar *
tls_config (const gchar *name, const gchar *ca)
{
  g_autofree gchar *cert = synod_test_cert_path (cluster.dir, name, "pem");
  g_autofree gchar *key = synod_test_cert_path (cluster.dir, name, "key");
  g_autofree gchar *ca_file = synod_test_cert_path (cluster.dir, ca, "pem");

  return g_strdup_printf ("tls=required\ntls-cert=%s\ntls-key=%s\ntls-ca=%s\n"
                          "tls-handshake-timeout-ms=2000\n",
                          cert, key, ca_file);
}

/* A network of the test process (with its own broker) with certificate
 * @name trusting @ca, or plaintext when @name is NULL. */
typedef struct
{
  SynodBroker *broker;
  SynodNetwork *network;
} Client;

static void
client_start (Client *c, const gchar *name, const gchar *ca)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *cert = name ? synod_test_cert_path (cluster.dir, name, "pem") : NULL;
  g_autofree gchar *key = name ? synod_test_cert_path (cluster.dir, name, "key") : NULL;
  g_autofree gchar *ca_file = name ? synod_test_cert_path (cluster.dir, ca, "pem") : NULL;
  SynodNetworkOptions options;

  c->broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  synod_network_options_init (&options);
  options.cluster = "";
  options.call_timeout_ms = 10000;
  options.tls_cert = cert;
  options.tls_key = key;
  options.tls_ca = ca_file;
  c->network = synod_network_new (c->broker, &options, &error);
  g_assert_no_error (error);
}

static void
client_stop (Client *c)
{
  g_clear_pointer (&c->network, synod_network_free);
  g_clear_pointer (&c->broker, synod_broker_unref);
}

static GVariant *
call (SynodNetwork *network, SynodTestDaemon *daemon, const gchar *target, const gchar *method,
      GVariant *args, GError **error)
{
  return synod_network_invoke_dynamic (network, synod_test_daemon_get_peer_id (daemon), target,
                                       "ClusterTest.Counter", method, args, error);
}

static gchar *
whoami (SynodNetwork *network, SynodTestDaemon *daemon, const gchar *target)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = call (network, daemon, target, "whoami", g_variant_new ("()"), &error);
  gchar *who = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &who);
  return who;
}

static void
test_cluster_and_acl (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *who_a = NULL, *who_b = NULL;
  g_autoptr (GVariant) by_id = NULL, by_name = NULL, denied = NULL;

  g_test_summary ("Three synodd requiring TLS call each other's objects by Id and by service "
                  "name; the callee sees the caller's certificate CN as principal: a's ACL lets "
                  "cert:peer-b add and refuses cert:peer-c with “not authorized”; the test "
                  "process, a peer with certificate “tester”, is cert:tester on a and on b.");
  who_a = whoami (cluster.network, cluster.a, TLS_COUNTER_A);
  g_assert_cmpstr (who_a, ==, "cert:tester");
  who_b = whoami (cluster.network, cluster.b, TLS_COUNTER_B);
  g_assert_cmpstr (who_b, ==, "cert:tester");

  by_id = call (cluster.network, cluster.b, TLS_COUNTER_B, "relay",
                g_variant_new ("(ssu)", TLS_COUNTER_A, "sync-add", 5), &error);
  g_assert_no_error (error);
  by_name = call (cluster.network, cluster.b, TLS_COUNTER_B, "relay",
                  g_variant_new ("(ssu)", "tls.a", "sync-add", 1), &error);
  g_assert_no_error (error);
  {
    guint32 first, second;

    g_variant_get (by_id, "(u)", &first);
    g_variant_get (by_name, "(u)", &second);
    g_assert_cmpuint (second, ==, first + 1);
  }
  /* c reaches a over TLS (b and c are both a's peers) but its principal is
   * not in a's ACL. */
  denied = call (cluster.network, cluster.c, TLS_COUNTER_C, "relay",
                 g_variant_new ("(ssu)", TLS_COUNTER_A, "sync-add", 1), &error);
  g_assert_null (denied);
  g_assert_nonnull (error);
  g_test_message ("c → a: %s", error->message);
  g_assert_nonnull (strstr (error->message, "not authorized"));
  g_assert_nonnull (strstr (error->message, "cert:peer-c"));
  g_clear_error (&error);
  /* c's own calls to b, whose counter has no ACL, go through. */
  {
    g_autoptr (GVariant) ok = call (cluster.network, cluster.c, TLS_COUNTER_C, "relay",
                                    g_variant_new ("(ssu)", TLS_COUNTER_B, "sync-add", 2), &error);

    g_assert_no_error (error);
    g_assert_nonnull (ok);
  }
}

static void
test_refused_peers (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *who = NULL;
  g_autofree gchar *config_d = NULL, *config_e = NULL;
  const gchar *to_a[2] = { synod_test_daemon_get_address (cluster.a), NULL };
  SynodTestDaemon *d, *e;
  Client plain = { 0 }, stranger = { 0 };
  guint64 id = 0;

  g_test_summary ("A plaintext client, a client whose certificate another CA signed, a "
                  "plaintext synodd and a synodd with such a certificate cannot call into the "
                  "TLS cluster (AUTH_TOOWEAK; TLS alerts), and a keeps serving its peers.");
  client_start (&plain, NULL, NULL);
  g_assert_false (synod_network_connect_peer (plain.network, to_a[0], &id, &error));
  g_test_message ("plaintext client: %s", error->message);
  g_assert_nonnull (strstr (error->message, "AUTH_TOOWEAK"));
  g_clear_error (&error);

  client_start (&stranger, "stranger", "other");
  g_assert_false (synod_network_connect_peer (stranger.network, to_a[0], &id, &error));
  g_test_message ("client of another CA: %s", error->message);
  g_assert_nonnull (strstr (error->message, "TLS"));
  g_clear_error (&error);

  /* Daemons: d in plaintext, e with the other CA's certificate, both
   * given a as their peer; the test reaches each its own way. */
  config_d = g_strdup ("[object counter]\nclass=ClusterTest.Counter;1\n");
  d = cluster_start_daemon ("d", TLS_PEER_D, config_d, to_a, NULL);
  {
    g_autofree gchar *tls = tls_config ("stranger-peer", "other");

    config_e = g_strdup_printf ("%s[object counter]\nclass=ClusterTest.Counter;1\n", tls);
  }
  e = cluster_start_daemon ("e", TLS_PEER_E, config_e, to_a, NULL);
  g_assert_true (
      synod_network_connect_peer (plain.network, synod_test_daemon_get_address (d), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (synod_network_connect_peer (stranger.network, synod_test_daemon_get_address (e),
                                             NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GVariant) r = call (plain.network, d, TLS_COUNTER_D, "relay",
                                   g_variant_new ("(ssu)", TLS_COUNTER_A, "sync-add", 1), &error);

    g_assert_null (r);
    g_test_message ("plaintext synodd → a: %s", error->message);
    g_clear_error (&error);
  }
  {
    g_autoptr (GVariant) r = call (stranger.network, e, TLS_COUNTER_E, "relay",
                                   g_variant_new ("(ssu)", TLS_COUNTER_A, "sync-add", 1), &error);

    g_assert_null (r);
    g_test_message ("synodd of another CA → a: %s", error->message);
    g_clear_error (&error);
  }
  who = whoami (cluster.network, cluster.a, TLS_COUNTER_A);
  g_assert_cmpstr (who, ==, "cert:tester");
  {
    g_autoptr (GVariant) r = call (cluster.network, cluster.b, TLS_COUNTER_B, "relay",
                                   g_variant_new ("(ssu)", TLS_COUNTER_A, "sync-add", 1), &error);

    g_assert_no_error (error);
    g_assert_nonnull (r);
  }
  {
    g_autofree gchar *log = synod_test_daemon_get_log (cluster.a);

    g_assert_nonnull (strstr (log, "Closing the connection from"));
  }
  client_stop (&plain);
  client_stop (&stranger);
  synod_test_daemon_free (d);
  synod_test_daemon_free (e);
}

static void
test_tool (void)
{
  g_autofree gchar *cert = synod_test_cert_path (cluster.dir, "tool", "pem");
  g_autofree gchar *key = synod_test_cert_path (cluster.dir, "tool", "key");
  g_autofree gchar *ca = synod_test_cert_path (cluster.dir, "ca", "pem");
  g_autoptr (GError) error = NULL;
  const gchar *with[] = { synod_test_synod_path (),
                          "--peer",
                          synod_test_daemon_get_address (cluster.a),
                          "--tls-cert",
                          cert,
                          "--tls-key",
                          key,
                          "--tls-ca",
                          ca,
                          "call",
                          TLS_COUNTER_A,
                          "ClusterTest.Counter.whoami",
                          NULL };
  const gchar *without[] = { synod_test_synod_path (),
                             "--peer",
                             synod_test_daemon_get_address (cluster.a),
                             "call",
                             TLS_COUNTER_A,
                             "ClusterTest.Counter.whoami",
                             NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  int status = -1;

  g_test_summary ("The synod tool with --tls-cert/--tls-key/--tls-ca calls a TLS-required peer "
                  "and runs there as cert:tool; without them it fails with a message saying "
                  "the peer requires RPC-with-TLS.");
  g_assert_true (synod_test_run (with, tool_env, 30000, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("with: %d %s %s", status, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "cert:tool"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (synod_test_run (without, tool_env, 30000, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("without: %d %s %s", status, out, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "requires RPC-with-TLS"));
}

/* The payloads of the TCP segments of the first connection opened during
 * the capture (others of a's peers talk on the same port meanwhile), in
 * order, as "SRCPORT\tHEX" lines. */
static gchar **
capture_payloads (const gchar *tshark, const gchar *capture, int *ret_stream)
{
  const gchar *syn_argv[]
      = { tshark, "-r",     capture, "-Y",         "tcp.flags.syn == 1 && tcp.flags.ack == 0",
          "-T",   "fields", "-e",    "tcp.stream", NULL };
  g_autofree gchar *streams = NULL;
  g_autofree gchar *filter = NULL;
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_true (synod_test_run (syn_argv, NULL, 30000, &streams, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_ascii_isdigit (streams[0]));
  *ret_stream = atoi (streams);
  filter = g_strdup_printf ("tcp.stream == %d && tcp.len > 0", *ret_stream);
  {
    const gchar *argv[] = { tshark,   "-r", capture,       "-Y", filter,        "-T",
                            "fields", "-e", "tcp.srcport", "-e", "tcp.payload", NULL };

    g_assert_true (synod_test_run (argv, NULL, 30000, &out, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return g_strsplit (g_strstrip (out), "\n", -1);
}

static void
test_capture (void)
{
  g_autofree gchar *tshark = synod_test_find_tool ("tshark");
  g_autofree gchar *capture = g_build_filename (cluster.dir, "tls.pcap", NULL);
  g_autofree gchar *filter
      = g_strdup_printf ("tcp port %u", synod_test_daemon_get_port (cluster.a));
  g_autofree gchar *port_text = g_strdup_printf ("%u", synod_test_daemon_get_port (cluster.a));
  g_autofree gchar *decode_as = g_strdup_printf ("tcp.port==%s,rpc", port_text);
  g_autoptr (SynodTestProcess) capturing = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) payloads = NULL;
  g_autofree gchar *secret_hex = NULL;
  g_autofree gchar *rpc_filter = NULL;
  int stream = -1;
  Client client = { 0 };

  g_test_summary ("A capture on loopback of a new TLS connection to a: the first record is the "
                  "NULL call with credential flavor AUTH_TLS (tshark decodes it as ONC RPC), "
                  "the answer carries STARTTLS, then only TLS records follow (a ClientHello, "
                  "then handshake and application data), and the distinctive argument of the "
                  "call made over it appears nowhere in the capture.");
  if (tshark == NULL || geteuid () != 0)
    {
      g_test_skip (tshark == NULL ? "tshark is not installed" : "capturing needs root");
      return;
    }
  {
    const gchar *argv[] = { "/bin/sh",     "-c",   "exec \"$0\" \"$@\" 2>&1",
                            tshark,        "-i",   "lo",
                            "-f",          filter, "-a",
                            "duration:60", "-w",   capture,
                            NULL };

    capturing = synod_test_process_spawn (argv, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (synod_test_process_wait_for_line (capturing, "Capture started", 30000));
  }
  client_start (&client, "tester", "ca");
  g_assert_true (synod_network_connect_peer (
      client.network, synod_test_daemon_get_address (cluster.a), NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GVariant) r = call (client.network, cluster.a, TLS_COUNTER_A, "describe",
                                   g_variant_new ("(s)", SECRET), &error);
    g_autofree gchar *name = NULL;
    guint32 count;

    g_assert_no_error (error);
    g_variant_get (r, "((su))", &name, &count);
    g_assert_true (g_str_has_prefix (name, SECRET));
  }
  client_stop (&client);
  /* Let the last segments reach the capture, then stop it. */
  g_usleep (500 * 1000);
  g_assert_true (synod_test_process_finish (capturing, SIGINT, 20000, NULL, NULL, NULL));

  payloads = capture_payloads (tshark, capture, &stream);
  rpc_filter = g_strdup_printf ("tcp.stream == %d && rpc.msgtyp == 0", stream);
  g_assert_cmpuint (g_strv_length (payloads), >=, 4);
  {
    /* The probe: record mark 0x80000028, CALL, rpcvers 2, NULL, AUTH_TLS. */
    gchar **first = g_strsplit (payloads[0], "\t", 2);

    g_assert_cmpstr (first[0], !=, port_text);
    g_assert_true (g_str_has_prefix (first[1], "80000028"));
    g_assert_cmpuint (strlen (first[1]), ==, 88);
    g_assert_true (g_str_has_suffix (first[1], "00000000"
                                               "00000002"
                                               "2053594e"
                                               "00000001"
                                               "00000000"
                                               "00000007"
                                               "00000000"
                                               "00000000"
                                               "00000000"));
    g_strfreev (first);
  }
  {
    gchar **second = g_strsplit (payloads[1], "\t", 2);

    g_assert_cmpstr (second[0], ==, port_text);
    g_assert_nonnull (strstr (second[1], "5354415254544c53")); /* STARTTLS */
    g_strfreev (second);
  }
  {
    gchar **third = g_strsplit (payloads[2], "\t", 2);

    /* A TLS handshake record (22) with a ClientHello (1). */
    g_assert_true (g_str_has_prefix (third[1], "1603"));
    g_assert_true (g_str_has_prefix (third[1] + 10, "01"));
    g_strfreev (third);
  }
  {
    GString *hex = g_string_new (NULL);

    for (const gchar *p = SECRET; *p; p++)
      g_string_append_printf (hex, "%02x", (guchar)*p);
    secret_hex = g_string_free (hex, FALSE);
  }
  for (guint i = 2; payloads[i]; i++)
    {
      gchar **fields = g_strsplit (payloads[i], "\t", 2);

      /* Every later segment starts with a TLS record header: handshake,
       * change cipher spec or application data, version 0x0303. */
      g_assert_true (g_str_has_prefix (fields[1], "1603") || g_str_has_prefix (fields[1], "1403")
                     || g_str_has_prefix (fields[1], "1703")
                     || g_str_has_prefix (fields[1], "1503"));
      g_assert_null (strstr (fields[1], secret_hex));
      g_strfreev (fields);
    }
  {
    /* tshark itself decodes the first record as ONC RPC: a call (0) of
     * procedure 0 with credential flavor 7. */
    const gchar *argv[] = { tshark,
                            "-r",
                            capture,
                            "-o",
                            "rpc.dissect_unknown_programs:TRUE",
                            "-d",
                            decode_as,
                            "-Y",
                            rpc_filter,
                            "-T",
                            "fields",
                            "-e",
                            "rpc.msgtyp",
                            "-e",
                            "rpc.procedure",
                            "-e",
                            "rpc.auth.flavor",
                            NULL };
    g_autofree gchar *decoded = NULL;
    int status = -1;

    g_assert_true (synod_test_run (argv, NULL, 30000, &decoded, NULL, &status, &error));
    g_assert_no_error (error);
    g_test_message ("tshark decoded: %s", decoded);
    g_assert_cmpint (status, ==, 0);
    /* Message type CALL; procedure 0; flavors: credential 7 (AUTH_TLS),
     * verifier 0 (AUTH_NONE). */
    {
      g_auto (GStrv) lines = g_strsplit (g_strstrip (decoded), "\n", 2);
      g_auto (GStrv) fields = g_strsplit (lines[0], "\t", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_cmpstr (fields[0], ==, "0");
      g_assert_true (g_str_has_prefix (fields[1], "0"));
      g_assert_cmpstr (fields[2], ==, "7,0");
    }
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *config_a = NULL, *config_b = NULL, *config_c = NULL;
  const gchar *to_a[2] = { NULL, NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  cluster.dir = g_dir_make_tmp ("test-tls-XXXXXX", &error);
  g_assert_no_error (error);
  if (!synod_test_make_ca (cluster.dir, "ca", "Synod test CA", &error)
      || !synod_test_make_ca (cluster.dir, "other", "Another CA", &error))
    g_error ("%s", error->message);
  {
    const gchar *names[] = { "peer-a", "peer-b", "peer-c", "tester", "tool" };

    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      if (!synod_test_make_cert (cluster.dir, names[i], names[i], "ca", -60, 3600, &error))
        g_error ("%s", error->message);
    if (!synod_test_make_cert (cluster.dir, "stranger", "stranger", "other", -60, 3600, &error)
        || !synod_test_make_cert (cluster.dir, "stranger-peer", "peer-b", "other", -60, 3600,
                                  &error))
      g_error ("%s", error->message);
  }
  {
    g_autofree gchar *tls_a = tls_config ("peer-a", "ca");
    g_autofree gchar *tls_b = tls_config ("peer-b", "ca");
    g_autofree gchar *tls_c = tls_config ("peer-c", "ca");

    config_a = g_strdup_printf ("%s[object counter]\nclass=ClusterTest.Counter;1\n"
                                "services=tls.a\nacl-default=deny\n"
                                "acl=cert:peer-b ClusterTest.Counter.* allow;"
                                "cert:tester ClusterTest.Counter.* allow;"
                                "cert:tool ClusterTest.Counter.* allow;"
                                "* Standard.* allow\n",
                                tls_a);
    config_b = g_strdup_printf ("%s[object counter]\nclass=ClusterTest.Counter;1\n"
                                "services=tls.b\n",
                                tls_b);
    config_c = g_strdup_printf ("%s[object counter]\nclass=ClusterTest.Counter;1\n", tls_c);
  }
  cluster.a = cluster_start_daemon ("a", TLS_PEER_A, config_a, NULL, NULL);
  to_a[0] = synod_test_daemon_get_address (cluster.a);
  cluster.b = cluster_start_daemon ("b", TLS_PEER_B, config_b, to_a, NULL);
  cluster.c = cluster_start_daemon ("c", TLS_PEER_C, config_c, to_a, NULL);
  {
    Client tester = { 0 };
    guint64 home = 0;

    client_start (&tester, "tester", "ca");
    cluster.broker = tester.broker;
    cluster.network = tester.network;
    synod_network_connect_peer (cluster.network, to_a[0], &home, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (home, ==, synod_test_daemon_get_peer_id (cluster.a));
  }
  {
    guint64 bc[2]
        = { synod_test_daemon_get_peer_id (cluster.b), synod_test_daemon_get_peer_id (cluster.c) };

    cluster_wait_peer_sees (cluster.a, bc, 2);
  }

  g_test_add_func ("/remote/tls/cluster-and-acl", test_cluster_and_acl);
  g_test_add_func ("/remote/tls/refused-peers", test_refused_peers);
  g_test_add_func ("/remote/tls/tool", test_tool);
  g_test_add_func ("/remote/tls/capture", test_capture);
  status = g_test_run ();
  cluster_stop ();
  synod_test_remove_tree (cluster.dir);
  g_free (cluster.dir);
  return status;
}
