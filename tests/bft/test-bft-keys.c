/* Provisioning and loading a BFT service's keys, proofs in HTTP headers,
 * and the fault-injection syntax. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pbft-wire.h"
#include "synod-bft.h"
#include "synod-test-daemon.h"

typedef struct
{
  gchar *dir;
  gchar *keys;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  SynodBftKeygenOptions o;
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("synod-bft-keys-XXXXXX", &error);
  g_assert_no_error (error);
  f->keys = g_build_filename (f->dir, "keys", NULL);
  synod_bft_keygen_options_init (&o);
  o.name = "shop";
  o.f = 1;
  o.n_clients = 5;
  o.checkpoint_interval = 16;
  g_assert_true (synod_bft_keygen (&o, f->keys, FALSE, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  synod_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->keys);
}

static SynodBftKeys *
load (Fixture *f, const gchar *sub, GError **error)
{
  g_autofree gchar *path = g_build_filename (f->keys, sub, NULL);

  return synod_bft_keys_load (path, error);
}

static guint
mode_of (const gchar *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_keygen_layout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBftKeys) pub = load (f, "public", &error);
  SynodPbftConfig config;
  guint8 key[32], key2[32];

  g_test_summary ("synod-bft-keygen writes a private directory per replica and per client "
                  "node (0700, secrets 0600) and a public one; each loads as its node, with "
                  "the service's agreed parameters, and the public keys agree everywhere.");
  g_assert_no_error (error);
  g_assert_cmpstr (synod_bft_keys_get_name (pub), ==, "shop");
  g_assert_cmpuint (synod_bft_keys_get_node (pub), ==, SYNOD_BFT_NO_NODE);
  g_assert_cmpuint (synod_bft_keys_get_n_clients (pub), ==, 5);
  synod_bft_keys_init_config (pub, &config);
  g_assert_cmpuint (config.checkpoint_interval, ==, 16);
  g_assert_cmpuint (config.window, ==, 32);
  g_assert_true (config.sign_replies);
  for (guint node = 0; node < 9; node++)
    {
      g_autofree gchar *sub = node < 4 ? g_strdup_printf ("replica-%u", node)
                                       : g_strdup_printf ("client-%u", node - 4);
      g_autofree gchar *dir = g_build_filename (f->keys, sub, NULL);
      g_autofree gchar *key_file = g_build_filename (dir, "node.key", NULL);
      g_autofree gchar *mac_file = g_build_filename (dir, "node.mac", NULL);
      g_autoptr (SynodBftKeys) k = synod_bft_keys_load (dir, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (synod_bft_keys_get_node (k), ==, node);
      g_assert_cmphex (synod_bft_keys_get_service_id (k), ==, synod_bft_keys_get_service_id (pub));
      g_assert_true (synod_bft_keys_get_public_key (k, 3, key));
      g_assert_true (synod_bft_keys_get_public_key (pub, 3, key2));
      g_assert_cmpmem (key, 32, key2, 32);
      g_assert_cmphex (mode_of (dir), ==, 0700);
      g_assert_cmphex (mode_of (key_file), ==, 0600);
      g_assert_cmphex (mode_of (mac_file), ==, 0600);
    }
  g_assert_false (synod_bft_keys_get_public_key (pub, 9, key));
}

static void
test_keys_work_together (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBftKeys) r1 = load (f, "replica-1", &error);
  g_autoptr (SynodBftKeys) c2 = load (f, "client-2", &error);
  g_autoptr (SynodBftKeys) r3 = load (f, "replica-3", &error);
  g_autoptr (SynodBftKeys) pub = load (f, "public", &error);
  g_autoptr (SynodPbftKeyring) k1 = synod_bft_keys_new_keyring (r1, &error);
  g_autoptr (SynodPbftKeyring) kc = synod_bft_keys_new_keyring (c2, &error);
  g_autoptr (SynodPbftKeyring) k3 = synod_bft_keys_new_keyring (r3, &error);
  g_autoptr (SynodPbftKeyring) kp = synod_bft_keys_new_keyring (pub, &error);
  guint8 digest[32] = { 1, 2, 3 }, mac[32], sig[64];

  g_test_summary ("Pairwise MAC keys match between a replica and a client node (node 6) and "
                  "not between others; a replica's signature verifies with the public keys "
                  "only as that replica's.");
  g_assert_no_error (error);
  g_assert_true (synod_pbft_keyring_mac (k1, 6, digest, mac));
  g_assert_true (synod_pbft_keyring_check_mac (kc, 1, digest, mac));
  g_assert_false (synod_pbft_keyring_check_mac (k3, 6, digest, mac));
  g_assert_false (synod_pbft_keyring_mac (kc, 5, digest, mac)); /* clients share no keys */
  g_assert_true (synod_pbft_keyring_sign (k3, digest, 32, sig));
  g_assert_true (synod_pbft_keyring_verify (kp, 3, digest, 32, sig));
  g_assert_false (synod_pbft_keyring_verify (kp, 2, digest, 32, sig));
  g_assert_false (synod_pbft_keyring_sign (kp, digest, 32, sig));
}

static void
test_keys_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key0 = g_build_filename (f->keys, "replica-0", "node.key", NULL);
  g_autofree gchar *key1 = g_build_filename (f->keys, "replica-1", "node.key", NULL);
  g_autofree gchar *mac2 = g_build_filename (f->keys, "replica-2", "node.mac", NULL);
  g_autofree gchar *pem3 = g_build_filename (f->keys, "replica-3", "public-keys.pem", NULL);
  g_autofree gchar *conf = g_build_filename (f->keys, "client-0", "service.conf", NULL);
  g_autofree gchar *text = NULL;
  gsize len;
  SynodBftKeys *k;

  g_test_summary ("Secret files that others may read, another node's private key, a MAC file "
                  "missing a peer, a truncated public key file and a service file with an "
                  "impossible f are each refused with a clear error.");
  g_assert_cmpint (g_chmod (key0, 0644), ==, 0);
  k = load (f, "replica-0", &error);
  g_assert_null (k);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (key1, &text, &len, NULL));
  g_assert_true (g_file_set_contents_full (key0, text, len, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_cmpint (g_chmod (key0, 0600), ==, 0);
  g_clear_pointer (&text, g_free);
  k = load (f, "replica-0", &error);
  g_assert_null (k);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents_full (mac2, "[mac-keys]\n0=00\n", -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, NULL));
  k = load (f, "replica-2", &error);
  g_assert_null (k);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (pem3, &text, &len, NULL));
  g_assert_true (g_file_set_contents (pem3, text, len / 2, NULL));
  g_clear_pointer (&text, g_free);
  k = load (f, "replica-3", &error);
  g_assert_null (k);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (conf, &text, &len, NULL));
  {
    g_auto (GStrv) parts = g_strsplit (text, "f=1", 2);
    g_autofree gchar *bad = g_strjoinv ("f=99", parts);

    g_assert_true (g_file_set_contents (conf, bad, -1, NULL));
  }
  g_clear_pointer (&text, g_free);
  k = load (f, "client-0", &error);
  g_assert_null (k);
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG);
}

static void
test_keygen_refuses (Fixture *f, gconstpointer data)
{
  SynodBftKeygenOptions o;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *other = g_build_filename (f->dir, "other", NULL);
  const gchar *top = g_getenv ("SYNOD_TOP_BUILDDIR");
  g_autofree gchar *tool = g_build_filename (top ? top : ".", "bft", "synod-bft-keygen", NULL);
  const gchar *argv[] = { tool, "--service", "shop", "--replicas", "5", "--out", other, NULL };
  gint status = 0;

  g_test_summary ("Keygen refuses to overwrite a directory without force, bad service names "
                  "and impossible replica counts.");
  synod_bft_keygen_options_init (&o);
  o.name = "shop";
  g_assert_false (synod_bft_keygen (&o, f->keys, FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
  g_clear_error (&error);
  g_assert_true (synod_bft_keygen (&o, f->keys, TRUE, &error));
  g_assert_no_error (error);
  o.name = "no/slashes";
  g_assert_false (synod_bft_keygen (&o, other, FALSE, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  o.name = "shop";
  o.f = 22;
  g_assert_false (synod_bft_keygen (&o, other, FALSE, &error));
  g_clear_error (&error);
  g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
}

static void
test_proof_header (void)
{
  SynodBftProof proof = { .service = 0x1234, .client = 7, .number = 9, .read_only = TRUE };
  SynodBftProof back = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *header = NULL;
  const gchar *bad[] = { "", "!!!!", "QUJD", "not base64 at all", NULL };

  g_test_summary ("A proof travels in an HTTP header as base64 of its XDR and comes back "
                  "equal; anything else is refused as malformed.");
  memset (proof.result_digest, 0x5a, 32);
  proof.signatures.len = 2;
  proof.signatures.val = g_new0 (SynodBftReplySignature, 2);
  for (guint i = 0; i < 2; i++)
    {
      proof.signatures.val[i].replica = i + 1;
      memset (proof.signatures.val[i].signature, i + 1, 64);
      proof.signatures.val[i].evidence.scheme = SYNOD_BFT_PROOF_REPLY_SIGNATURE;
    }
  header = synod_bft_proof_to_header (&proof);
  g_assert_true (synod_bft_proof_from_header (header, &back, &error));
  g_assert_no_error (error);
  g_assert_true (synod_value_equal (&synod_bft_proof_desc, &proof, &back));
  for (guint i = 0; bad[i]; i++)
    {
      SynodBftProof p = { 0 };

      g_assert_false (synod_bft_proof_from_header (bad[i], &p, &error));
      g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED);
      g_clear_error (&error);
    }
  synod_bft_proof_clear (&proof);
  synod_bft_proof_clear (&back);
}

static void
put_be (guint8 *at, guint64 value, guint bytes)
{
  for (guint i = 0; i < bytes; i++)
    at[i] = (guint8)(value >> (8 * (bytes - 1 - i)));
}

static void
test_proof_layout (Fixture *f, gconstpointer data)
{
  static const guint8 value[] = "a result";
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBftKeys) pub = load (f, "public", &error);
  guint64 service = synod_bft_keys_get_service_id (pub);
  SynodBftProof proof = { .service = service, .client = 0x0102030405060708, .number = 42 };
  g_autoptr (GBytes) encoded = NULL;
  const guint8 *p;
  gsize len;
  guint8 digest[32];

  g_test_summary ("The proof and the signed reply statement are laid out byte for byte as "
                  "docs/bft.md says: a 64-byte big-endian statement that replicas' keys sign "
                  "and the checker accepts, and a proof of 64 + 72 bytes per signature.");
  g_assert_no_error (error);
  synod_pbft_sha256 (value, sizeof value, digest);
  memcpy (proof.result_digest, digest, 32);
  proof.signatures.len = 2;
  proof.signatures.val = g_new0 (SynodBftReplySignature, 2);
  for (guint i = 0; i < 2; i++)
    {
      guint32 replica = 1 + 2 * i; /* replicas 1 and 3 */
      g_autofree gchar *dir = g_strdup_printf ("replica-%u", replica);
      g_autoptr (SynodBftKeys) keys = load (f, dir, &error);
      g_autoptr (SynodPbftKeyring) ring = synod_bft_keys_new_keyring (keys, &error);
      SynodPbftReplyStatement st = {
        .service = service, .replica = replica, .client = proof.client, .number = proof.number
      };
      g_autoptr (GBytes) statement = NULL;
      guint8 hand[64];

      g_assert_no_error (error);
      /* The statement by hand, as a browser's DataView builds it. */
      put_be (hand, service, 8);
      put_be (hand + 8, replica, 4);
      put_be (hand + 12, proof.client, 8);
      put_be (hand + 20, proof.number, 8);
      put_be (hand + 28, 0, 4); /* read_only */
      memcpy (hand + 32, digest, 32);
      memcpy (st.result_digest, digest, 32);
      statement = pbft_encode (&synod_pbft_reply_statement_desc, &st, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (statement, NULL), g_bytes_get_size (statement), hand,
                       sizeof hand);
      g_assert_true (
          synod_pbft_keyring_sign (ring, hand, sizeof hand, proof.signatures.val[i].signature));
      proof.signatures.val[i].replica = replica;
      proof.signatures.val[i].evidence.scheme = SYNOD_BFT_PROOF_REPLY_SIGNATURE;
    }
  g_assert_true (synod_bft_proof_verify (pub, &proof, proof.client, proof.number, value,
                                         sizeof value, &error));
  g_assert_no_error (error);

  encoded = synod_value_encode (&synod_bft_proof_desc, &proof, &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (encoded, &len);
  g_assert_cmpuint (len, ==, 64 + 72 * 2);
  {
    guint8 head[64];

    put_be (head, service, 8);
    put_be (head + 8, proof.client, 8);
    put_be (head + 16, proof.number, 8);
    put_be (head + 24, 0, 4);
    memcpy (head + 28, digest, 32);
    put_be (head + 60, 2, 4);
    g_assert_cmpmem (p, 64, head, 64);
  }
  for (guint i = 0; i < 2; i++)
    {
      const guint8 *sig = p + 64 + 72 * i;
      guint8 replica[4], scheme[4];

      put_be (replica, proof.signatures.val[i].replica, 4);
      put_be (scheme, SYNOD_BFT_PROOF_REPLY_SIGNATURE, 4);
      g_assert_cmpmem (sig, 4, replica, 4);
      g_assert_cmpmem (sig + 4, 64, proof.signatures.val[i].signature, 64);
      g_assert_cmpmem (sig + 68, 4, scheme, 4);
    }
  /* One signature is not enough for f = 1. */
  proof.signatures.len = 1;
  g_assert_false (synod_bft_proof_verify (pub, &proof, proof.client, proof.number, value,
                                          sizeof value, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF);
  proof.signatures.len = 2;
  synod_bft_proof_clear (&proof);
}

static void
test_fault_syntax (void)
{
  static const struct
  {
    const gchar *text;
    gboolean ok;
    SynodBftFaultKind kind;
    guint64 count;
    guint delay;
    const gchar *back;
  } cases[] = {
    { "none", TRUE, SYNOD_BFT_FAULT_NONE, 0, 0, "" },
    { "silent", TRUE, SYNOD_BFT_FAULT_SILENT, 0, 0, "silent" },
    { "slow=250", TRUE, SYNOD_BFT_FAULT_SLOW, 0, 250, "slow=250" },
    { "lying", TRUE, SYNOD_BFT_FAULT_LYING, 0, 0, "lying" },
    { "equivocating", TRUE, SYNOD_BFT_FAULT_EQUIVOCATING, 0, 0, "equivocating" },
    { "crash-after=12", TRUE, SYNOD_BFT_FAULT_CRASH_AFTER, 12, 0, "crash-after=12" },
    { "corrupt-state", TRUE, SYNOD_BFT_FAULT_CORRUPT_STATE, 1, 0, "corrupt-state=1" },
    { "corrupt-state=3", TRUE, SYNOD_BFT_FAULT_CORRUPT_STATE, 3, 0, "corrupt-state=3" },
    { "crash-after", FALSE },
    { "crash-after=0", FALSE },
    { "slow", FALSE },
    { "slow=-1", FALSE },
    { "lying=2", FALSE },
    { "byzantine", FALSE },
    { "", FALSE },
  };

  g_test_summary ("The fault-injection syntax: each fault, its argument, and what is refused.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SynodBftFault fault = { 0 };
      g_autoptr (GError) error = NULL;

      g_assert_cmpint (synod_bft_fault_parse (cases[i].text, &fault, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        {
          g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG);
          continue;
        }
      {
        g_autofree gchar *back = synod_bft_fault_to_string (&fault);

        g_assert_cmpint (fault.kind, ==, cases[i].kind);
        g_assert_cmpuint (fault.count, ==, cases[i].count);
        g_assert_cmpuint (fault.delay_ms, ==, cases[i].delay);
        g_assert_cmpstr (back, ==, cases[i].back);
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/bft/keys/layout", Fixture, NULL, fixture_set_up, test_keygen_layout,
              fixture_tear_down);
  g_test_add ("/bft/keys/work-together", Fixture, NULL, fixture_set_up, test_keys_work_together,
              fixture_tear_down);
  g_test_add ("/bft/keys/refused", Fixture, NULL, fixture_set_up, test_keys_refused,
              fixture_tear_down);
  g_test_add ("/bft/keys/keygen-refuses", Fixture, NULL, fixture_set_up, test_keygen_refuses,
              fixture_tear_down);
  g_test_add_func ("/bft/proof/header", test_proof_header);
  g_test_add ("/bft/proof/layout", Fixture, NULL, fixture_set_up, test_proof_layout,
              fixture_tear_down);
  g_test_add_func ("/bft/fault/syntax", test_fault_syntax);
  return g_test_run ();
}
