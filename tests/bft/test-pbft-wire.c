/* PBFT messages on the wire: XDR through the descriptors synod-idl
 * generated from bft/pbft.idl, pinned byte layouts (what other
 * implementations, and browsers checking reply proofs, rebuild), hostile
 * input, MAC authenticators, signatures and checkpoint proofs. */
#include "config.h"

#include <string.h>

#include "pbft-private.h"
#include "synod-pbft.h"

static const guint8 secret[] = "wire test";

static GBytes *
enc (const SynodTypeDesc *type, gconstpointer value)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = synod_value_encode (type, value, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
test_pinned_layout (void)
{
  SynodPbftMessage m = { .service = G_GUINT64_CONSTANT (0x0102030405060708), .sender = 3 };
  SynodPbftReplyStatement st = {
    .service = 9,
    .replica = 2,
    .client = 0x1122,
    .number = 5,
    .read_only = TRUE,
  };
  static const guint8 expected_prepare[] = {
    1, 2, 3, 4, 5, 6, 7, 8, /* service */
    0, 0, 0, 3,             /* sender */
    0, 0, 0, 3,             /* MSG_PREPARE */
    0, 0, 0, 0, 0, 0, 0, 1, /* view */
    0, 0, 0, 0, 0, 0, 0, 2, /* seq */
  };
  static const guint8 expected_statement[] = {
    0, 0, 0, 0, 0, 0, 0,    9,    /* service */
    0, 0, 0, 2,                   /* replica */
    0, 0, 0, 0, 0, 0, 0x11, 0x22, /* client */
    0, 0, 0, 0, 0, 0, 0,    5,    /* number */
    0, 0, 0, 1,                   /* read_only */
  };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) sb = NULL;
  const guint8 *data;
  gsize len;

  g_test_summary ("The XDR layout of a PREPARE and of the reply statement browsers rebuild "
                  "to check signatures is exactly RFC 4506's");
  m.body.type = SYNOD_PBFT_MSG_PREPARE;
  m.body.u.vote.view = 1;
  m.body.u.vote.seq = 2;
  memset (m.body.u.vote.digest, 0xaa, 32);
  bytes = enc (&synod_pbft_message_desc, &m);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, ==, sizeof expected_prepare + 32);
  g_assert_cmpmem (data, sizeof expected_prepare, expected_prepare, sizeof expected_prepare);
  for (guint i = 0; i < 32; i++)
    g_assert_cmpuint (data[sizeof expected_prepare + i], ==, 0xaa);

  memset (st.result_digest, 0x33, 32);
  sb = enc (&synod_pbft_reply_statement_desc, &st);
  data = g_bytes_get_data (sb, &len);
  g_assert_cmpuint (len, ==, sizeof expected_statement + 32);
  g_assert_cmpmem (data, sizeof expected_statement, expected_statement, sizeof expected_statement);
}

static void
test_null_batch_digest (void)
{
  guint8 zeros[24] = { 0 }, digest[32];

  g_test_summary ("The null batch is 24 zero bytes (timestamp, view, empty seed, no requests): "
                  "its digest is SHA-256 of those");
  synod_pbft_sha256 (zeros, sizeof zeros, digest);
  g_assert_cmpmem (pbft_null_batch_digest (), 32, digest, 32);
}

/* One value of every body type. */
static void
fill_body (SynodPbftBody *body, SynodPbftMessageType type, gpointer *owned)
{
  static guint8 op[5] = { 1, 2, 3, 4, 5 };
  static guint8 sig[64] = { 7 };
  static SynodPbftSignedRequest req;
  static SynodPbftMac macs[4];
  static SynodPbftLogClaim claims[2] = { { 3, { 1 }, 0 }, { 4, { 2 }, 1 } };
  static SynodPbftCheckpointSignature csigs[1] = { { 2, { 9 } } };
  static SynodPbftSignedViewChange vcs[1];
  static SynodPbftNewViewEntry entries[1] = { { 3, { 5 } } };
  static SynodPbftClientRecord clients[1] = { { 42, 7, 3, { 5, op } } };

  memset (body, 0, sizeof *body);
  body->type = type;
  req.request = (SynodPbftRequest){ 10, 11, 5, FALSE, { 5, op } };
  req.auth.kind = SYNOD_PBFT_AUTH_AUTHENTICATOR;
  req.auth.u.macs.len = 4;
  req.auth.u.macs.val = macs;
  switch (type)
    {
      case SYNOD_PBFT_MSG_REQUEST:
        body->u.request = req;
        break;
      case SYNOD_PBFT_MSG_PRE_PREPARE:
        body->u.pre_prepare.view = 2;
        body->u.pre_prepare.seq = 3;
        body->u.pre_prepare.batch.nondet.timestamp = 1234;
        body->u.pre_prepare.batch.nondet.seed_proof.len = 64;
        body->u.pre_prepare.batch.nondet.seed_proof.val = sig;
        body->u.pre_prepare.batch.requests.len = 1;
        body->u.pre_prepare.batch.requests.val = &req;
        break;
      case SYNOD_PBFT_MSG_PREPARE:
      case SYNOD_PBFT_MSG_COMMIT:
        body->u.vote.view = 1;
        body->u.vote.seq = 2;
        break;
      case SYNOD_PBFT_MSG_REPLY:
        body->u.reply = (SynodPbftReply){ 1, 10, 11, 2, TRUE, { 5, op }, { 64, sig } };
        break;
      case SYNOD_PBFT_MSG_CHECKPOINT:
        body->u.checkpoint.seq = 128;
        break;
      case SYNOD_PBFT_MSG_VIEW_CHANGE:
        body->u.view_change.view = 5;
        body->u.view_change.stable.seq = 128;
        body->u.view_change.stable.signatures.len = 1;
        body->u.view_change.stable.signatures.val = csigs;
        body->u.view_change.prepared.len = 2;
        body->u.view_change.prepared.val = claims;
        body->u.view_change.preprepared.len = 1;
        body->u.view_change.preprepared.val = claims;
        break;
      case SYNOD_PBFT_MSG_NEW_VIEW:
        fill_body (body, SYNOD_PBFT_MSG_VIEW_CHANGE, owned);
        vcs[0].replica = 1;
        vcs[0].view_change = body->u.view_change;
        memset (body, 0, sizeof *body);
        body->type = type;
        body->u.new_view.view = 5;
        body->u.new_view.view_changes.len = 1;
        body->u.new_view.view_changes.val = vcs;
        body->u.new_view.entries.len = 1;
        body->u.new_view.entries.val = entries;
        break;
      case SYNOD_PBFT_MSG_STATUS:
        body->u.status = (SynodPbftStatus){ 3, TRUE, 128, 130 };
        break;
      case SYNOD_PBFT_MSG_FETCH_BATCH:
        body->u.fetch_batch.seq = 9;
        break;
      case SYNOD_PBFT_MSG_BATCH:
        body->u.batch.seq = 9;
        body->u.batch.batch.requests.len = 1;
        body->u.batch.batch.requests.val = &req;
        break;
      case SYNOD_PBFT_MSG_FETCH_STATE:
        body->u.fetch_state.seq = 256;
        break;
      case SYNOD_PBFT_MSG_STATE:
        body->u.state.proof.seq = 128;
        body->u.state.state.seq = 128;
        body->u.state.state.clients.len = 1;
        body->u.state.state.clients.val = clients;
        body->u.state.app_snapshot.len = 5;
        body->u.state.app_snapshot.val = op;
        break;
      case SYNOD_PBFT_MSG_STALE:
        body->u.stale = (SynodPbftStale){ 42, 7, 9, 2 };
        break;
      case SYNOD_PBFT_MSG_STABLE:
        body->u.stable.seq = 128;
        body->u.stable.signatures.len = 1;
        body->u.stable.signatures.val = csigs;
        break;
    }
}

static void
test_roundtrip_all (void)
{
  g_test_summary ("Every message type encodes, decodes to an equal value and re-encodes to "
                  "the same bytes");
  for (gint type = SYNOD_PBFT_MSG_REQUEST; type <= SYNOD_PBFT_MSG_STALE; type++)
    {
      SynodPbftMessage m = { .service = 77, .sender = 1 };
      g_auto (SynodPbftMessage) back = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GBytes) again = NULL;
      g_autoptr (GError) error = NULL;
      gpointer owned = NULL;

      fill_body (&m.body, type, &owned);
      bytes = enc (&synod_pbft_message_desc, &m);
      g_assert_true (synod_value_decode (&synod_pbft_message_desc, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes), &back, &error));
      g_assert_no_error (error);
      g_assert_true (synod_value_equal (&synod_pbft_message_desc, &m, &back));
      again = enc (&synod_pbft_message_desc, &back);
      g_assert_true (g_bytes_equal (bytes, again));
    }
}

static void
test_hostile_decoding (void)
{
  SynodPbftMessage m = { .service = 77, .sender = 1 };
  g_autoptr (GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  gpointer owned = NULL;
  const guint8 *data;
  gsize len;
  guint rejected = 0;

  g_test_summary ("Truncated, extended, oversized and corrupted envelopes fail with an error, "
                  "never a crash");
  fill_body (&m.body, SYNOD_PBFT_MSG_PRE_PREPARE, &owned);
  bytes = enc (&synod_pbft_message_desc, &m);
  data = g_bytes_get_data (bytes, &len);
  copy = g_malloc (len + 8);
  for (gsize cut = 0; cut < len; cut++)
    {
      SynodPbftEnvelope env = { 0 };
      guint8 digest[32];
      g_autoptr (GError) error = NULL;

      g_assert_false (pbft_open (data, cut, 1 << 20, &env, digest, &error));
      g_assert_nonnull (error);
      rejected++;
    }
  /* Oversized message. */
  {
    SynodPbftEnvelope env = { 0 };
    guint8 digest[32];
    g_autoptr (GError) error = NULL;

    g_assert_false (pbft_open (data, len, len - 1, &env, digest, &error));
    g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT);
  }
  /* Every single-byte corruption of the header area: decodes or fails
   * cleanly (lengths, discriminants, booleans, padding are all checked). */
  for (gsize i = 0; i < MIN (len, 160); i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        SynodPbftMessage back = { 0 };
        g_autoptr (GError) error = NULL;

        memcpy (copy, data, len);
        copy[i] ^= 1 << bit;
        if (synod_value_decode (&synod_pbft_message_desc, copy, len, &back, &error))
          synod_pbft_message_clear (&back);
        else
          {
            g_assert_nonnull (error);
            rejected++;
          }
      }
  /* A length field claiming more than MAX_OP_SIZE. */
  {
    SynodPbftRequest r = { .client = 1, .number = 1 };
    g_autoptr (GBytes) rb = enc (&synod_pbft_request_desc, &r);
    guint8 big[32];
    SynodPbftRequest back = { 0 };
    g_autoptr (GError) error = NULL;

    memcpy (big, g_bytes_get_data (rb, NULL), g_bytes_get_size (rb));
    big[24] = 0x00, big[25] = 0x01, big[26] = 0x00, big[27] = 0x01; /* 65537 */
    g_assert_false (
        synod_value_decode (&synod_pbft_request_desc, big, g_bytes_get_size (rb), &back, &error));
    g_assert_nonnull (error);
  }
  g_assert_cmpuint (rejected, >, len);
}

static void
test_authenticator (void)
{
  g_autoptr (SynodPbftKeyring) k0
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 0, 5, NULL);
  g_autoptr (SynodPbftKeyring) k1
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 1, 5, NULL);
  g_autoptr (SynodPbftKeyring) k2
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 2, 5, NULL);
  g_autoptr (SynodPbftKeyring) k3
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 3, 5, NULL);
  g_autoptr (SynodPbftKeyring) other
      = synod_pbft_keyring_new_derived ((const guint8 *)"x", 1, 1, 5, NULL);
  SynodPbftKeyring *all[] = { k0, k1, k2, k3 };
  SynodPbftMessage m = { .service = 5, .sender = 1 };
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GBytes) foreign = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len;

  g_test_summary ("An authenticator (one HMAC-SHA256 per replica, pairwise keys) convinces "
                  "each replica but the sender, and nothing else: any changed byte or any "
                  "other key fails");
  m.body.type = SYNOD_PBFT_MSG_COMMIT;
  m.body.u.vote.seq = 3;
  sealed = pbft_seal (k1, &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, 4, NULL);
  foreign = pbft_seal (other, &m, SYNOD_PBFT_AUTH_AUTHENTICATOR, 0, 4, NULL);
  copy = g_bytes_unref_to_data (g_bytes_ref (sealed), &len);
  for (guint r = 0; r < 4; r++)
    {
      g_auto (SynodPbftEnvelope) env = { 0 };
      g_auto (SynodPbftEnvelope) fenv = { 0 };
      guint8 d[32], fd[32];

      g_assert_true (pbft_open (g_bytes_get_data (sealed, NULL), len, 1 << 20, &env, d, NULL));
      g_assert_cmpint (env.auth.kind, ==, SYNOD_PBFT_AUTH_AUTHENTICATOR);
      g_assert_cmpuint (env.auth.u.macs.len, ==, 4);
      /* The sender does not accept its own messages. */
      g_assert_cmpint (pbft_check_auth (all[r], &env, d), ==, r != 1);
      g_assert_true (pbft_open (g_bytes_get_data (foreign, NULL), g_bytes_get_size (foreign),
                                1 << 20, &fenv, fd, NULL));
      g_assert_false (pbft_check_auth (all[r], &fenv, fd));
    }
  /* Flip each byte of the message part: it still decodes, never checks. */
  for (gsize i = 0; i < len - 4 - 4 * 32 - 4; i++)
    {
      g_auto (SynodPbftEnvelope) env = { 0 };
      guint8 d[32];

      copy[i] ^= 0x01;
      if (pbft_open (copy, len, 1 << 20, &env, d, NULL))
        g_assert_false (pbft_check_auth (k2, &env, d));
      copy[i] ^= 0x01;
    }
}

static void
test_signatures (void)
{
  g_autoptr (SynodPbftKeyring) k2
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 2, 6, NULL);
  g_autoptr (SynodPbftKeyring) client
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 5, 6, NULL);
  SynodPbftMessage m = { .service = 5, .sender = 2 };
  g_autoptr (GBytes) sealed = NULL;
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 d[32];

  g_test_summary ("A signed message convinces any node holding the public keys, including a "
                  "client; its signature can be checked again from its fields alone");
  m.body.type = SYNOD_PBFT_MSG_CHECKPOINT;
  m.body.u.checkpoint.seq = 128;
  memset (m.body.u.checkpoint.digest, 0x44, 32);
  sealed = pbft_seal (k2, &m, SYNOD_PBFT_AUTH_SIGNATURE, 0, 4, NULL);
  g_assert_true (pbft_open (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), 1 << 20,
                            &env, d, NULL));
  g_assert_true (pbft_check_auth (client, &env, d));
  g_assert_true (
      pbft_verify_message_signature (client, 5, 2, &env.message.body, env.auth.u.signature));
  g_assert_false (
      pbft_verify_message_signature (client, 6, 2, &env.message.body, env.auth.u.signature));
  g_assert_false (
      pbft_verify_message_signature (client, 5, 1, &env.message.body, env.auth.u.signature));
  env.message.body.u.checkpoint.digest[0] ^= 1;
  g_assert_false (
      pbft_verify_message_signature (client, 5, 2, &env.message.body, env.auth.u.signature));
}

static void
test_request_auth (void)
{
  g_autoptr (SynodPbftKeyring) c
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 4, 5, NULL);
  g_autoptr (SynodPbftKeyring) r0
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 0, 5, NULL);
  g_autoptr (SynodPbftKeyring) r3
      = synod_pbft_keyring_new_derived (secret, sizeof secret, 3, 5, NULL);
  guint8 op[] = "op";

  g_test_summary ("Client requests carry an authenticator or a signature over the service and "
                  "the request; a changed field or another origin fails");
  for (guint sign = 0; sign < 2; sign++)
    {
      g_auto (SynodPbftSignedRequest) sr = { 0 };
      SynodPbftSignedRequest copy;

      sr.request = (SynodPbftRequest){ 1, 2, 4, FALSE, { 2, op } };
      sr.request.op.val = g_memdup2 (op, 2);
      g_assert_true (pbft_request_authenticate (c, 9, 4, sign, &sr, NULL));
      g_assert_true (pbft_request_check (r0, 9, 0, &sr));
      g_assert_true (pbft_request_check (r3, 9, 3, &sr));
      g_assert_false (pbft_request_check (r0, 8, 0, &sr));
      copy = sr;
      copy.request.number = 3;
      g_assert_false (pbft_request_check (r0, 9, 0, &copy));
      copy = sr;
      copy.request.origin = 1;
      g_assert_false (pbft_request_check (r0, 9, 0, &copy));
    }
}

static void
test_checkpoint_proof (void)
{
  SynodPbftConfig cfg;
  SynodPbftKeyring *k[4];
  SynodPbftCheckpointSignature sigs[4];
  SynodPbftCheckpointProof proof = { .seq = 256 };
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_CHECKPOINT };

  g_test_summary ("A stable-checkpoint proof needs 2f+1 valid signatures of distinct replicas "
                  "on (seq, digest); the initial checkpoint needs none");
  synod_pbft_config_init (&cfg, 5, 1);
  body.u.checkpoint.seq = 256;
  memset (body.u.checkpoint.digest, 0x21, 32);
  memcpy (proof.digest, body.u.checkpoint.digest, 32);
  for (guint i = 0; i < 4; i++)
    {
      SynodPbftMessage m = { .service = 5, .sender = i, .body = body };
      guint8 d[32];

      k[i] = synod_pbft_keyring_new_derived (secret, sizeof secret, i, 4, NULL);
      g_assert_true (pbft_digest (&synod_pbft_message_desc, &m, d));
      g_assert_true (synod_pbft_keyring_sign (k[i], d, 32, sigs[i].signature));
      sigs[i].replica = i;
    }
  proof.signatures.val = sigs;
  proof.signatures.len = 3;
  g_assert_true (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  proof.signatures.len = 2;
  g_assert_false (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  proof.signatures.len = 3;
  sigs[2].replica = 1;
  g_assert_false (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  sigs[2].replica = 2;
  proof.digest[0] ^= 1;
  g_assert_false (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  proof.digest[0] ^= 1;
  proof.seq = 255;
  g_assert_false (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  proof.seq = 0;
  proof.signatures.len = 0;
  memset (proof.digest, 0, 32);
  g_assert_true (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  proof.digest[5] = 1;
  g_assert_false (pbft_checkpoint_proof_check (k[0], &cfg, &proof));
  for (guint i = 0; i < 4; i++)
    synod_pbft_keyring_unref (k[i]);
}

static void
test_config (void)
{
  SynodPbftConfig c;
  g_autoptr (GError) error = NULL;

  g_test_summary ("Configurations out of range are refused with a clear error");
  synod_pbft_config_init (&c, 1, 1);
  g_assert_true (synod_pbft_config_validate (&c, NULL));
  c.f = 0;
  g_assert_false (synod_pbft_config_validate (&c, &error));
  g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  synod_pbft_config_init (&c, 1, 22);
  g_assert_false (synod_pbft_config_validate (&c, NULL));
  synod_pbft_config_init (&c, 1, 1);
  c.window = c.checkpoint_interval;
  g_assert_false (synod_pbft_config_validate (&c, NULL));
  synod_pbft_config_init (&c, 1, 1);
  c.max_batch = SYNOD_PBFT_MAX_BATCH + 1;
  g_assert_false (synod_pbft_config_validate (&c, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/wire/pinned-layout", test_pinned_layout);
  g_test_add_func ("/bft/wire/null-batch", test_null_batch_digest);
  g_test_add_func ("/bft/wire/roundtrip", test_roundtrip_all);
  g_test_add_func ("/bft/wire/hostile", test_hostile_decoding);
  g_test_add_func ("/bft/wire/authenticator", test_authenticator);
  g_test_add_func ("/bft/wire/signatures", test_signatures);
  g_test_add_func ("/bft/wire/request-auth", test_request_auth);
  g_test_add_func ("/bft/wire/checkpoint-proof", test_checkpoint_proof);
  g_test_add_func ("/bft/wire/config", test_config);
  return g_test_run ();
}
