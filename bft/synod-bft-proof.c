/* synod-bft-proof.c — building, checking and carrying result proofs. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <synod.h>

#include "pbft-wire.h"
#include "synod-bft-error.h"
#include "synod-bft-proof.h"

/* base64 of the largest proof (64 signatures) is about 6 KiB: anything
 * much longer is not a proof. */
#define MAX_HEADER_LEN 16384

/**
 * synod_bft_proof_build:
 * @replies: (element-type SynodPbftReply): the matching replies of the
 *   client side's DONE output, each signed
 * @ret_proof: (out caller-allocates): the proof; clear it with
 *   synod_bft_proof_clear()
 *
 * Returns: %FALSE when a reply is not signed or not about this result
 */
gboolean
synod_bft_proof_build (guint64 service, guint64 client, guint64 number, gboolean read_only,
                       GBytes *value, GPtrArray *replies, SynodBftProof *ret_proof, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  SynodBftProof proof = {
    .service = service,
    .client = client,
    .number = number,
    .read_only = read_only,
  };

  synod_pbft_sha256 (data, len, proof.result_digest);
  proof.signatures.val = g_new0 (SynodBftReplySignature, MAX (replies->len, 1));
  for (guint i = 0; i < replies->len; i++)
    {
      const SynodPbftReply *r = g_ptr_array_index (replies, i);
      SynodBftReplySignature *s = &proof.signatures.val[proof.signatures.len++];

      if (r->signature.len != 64 || r->client != client || r->number != number
          || r->result.len != len || (len > 0 && memcmp (r->result.val, data, len) != 0))
        {
          synod_bft_proof_clear (&proof);
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
                       _ ("A reply of replica %u is unsigned or about another result"), r->replica);
          return FALSE;
        }
      s->replica = r->replica;
      memcpy (s->signature, r->signature.val, 64);
      s->evidence.scheme = SYNOD_BFT_PROOF_REPLY_SIGNATURE;
    }
  *ret_proof = proof;
  return TRUE;
}

/**
 * synod_bft_proof_verify:
 * @keys: the service's keys (its public directory is enough)
 * @proof: the proof
 * @client: the request's client id, as the checker knows it
 * @number: the request's number, as the checker knows it
 * @value: (array length=value_len): the result
 *
 * Checks that @proof proves @value as the result of request @number of
 * @client in this service: the right service, request and result digest,
 * and f+1 (2f+1 when read-only) valid signatures of distinct replicas.
 *
 * Returns: %TRUE when the proof holds, else %FALSE with
 *   %SYNOD_BFT_ERROR_BAD_PROOF saying why
 */
gboolean
synod_bft_proof_verify (SynodBftKeys *keys, const SynodBftProof *proof, guint64 client,
                        guint64 number, const guint8 *value, gsize value_len, GError **error)
{
  g_autoptr (SynodPbftKeyring) ring = NULL;
  guint f = synod_bft_keys_get_f (keys), n = 3 * f + 1, needed;
  guint8 digest[32];
  guint64 seen = 0;
  guint valid = 0;

  synod_pbft_sha256 (value, value_len, digest);
  if (proof->service != synod_bft_keys_get_service_id (keys))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
                   _ ("The proof is for another service"));
      return FALSE;
    }
  if (proof->client != client || proof->number != number)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
                   _ ("The proof is for another request"));
      return FALSE;
    }
  if (memcmp (digest, proof->result_digest, 32) != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
                   _ ("The proof is for another result"));
      return FALSE;
    }
  ring = synod_bft_keys_new_keyring (keys, error);
  if (ring == NULL)
    return FALSE;
  for (guint i = 0; i < proof->signatures.len; i++)
    {
      const SynodBftReplySignature *s = &proof->signatures.val[i];
      SynodPbftReplyStatement st = {
        .service = proof->service,
        .replica = s->replica,
        .client = proof->client,
        .number = proof->number,
        .read_only = proof->read_only,
      };
      g_autoptr (GBytes) bytes = NULL;

      if (s->replica >= n || (seen & (G_GUINT64_CONSTANT (1) << s->replica)) != 0
          || s->evidence.scheme != SYNOD_BFT_PROOF_REPLY_SIGNATURE)
        continue;
      memcpy (st.result_digest, digest, 32);
      bytes = pbft_encode (&synod_pbft_reply_statement_desc, &st, NULL);
      if (bytes == NULL
          || !synod_pbft_keyring_verify (ring, s->replica, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes), s->signature))
        continue;
      seen |= G_GUINT64_CONSTANT (1) << s->replica;
      valid++;
    }
  needed = proof->read_only ? 2 * f + 1 : f + 1;
  if (valid < needed)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF,
                   _ ("The proof has %u valid signatures of distinct replicas; %u are needed"),
                   valid, needed);
      return FALSE;
    }
  return TRUE;
}

/**
 * synod_bft_proof_to_header:
 *
 * Returns: (transfer full): the value of a %SYNOD_BFT_PROOF_HEADER header:
 *   base64 of the proof's XDR encoding
 */
gchar *
synod_bft_proof_to_header (const SynodBftProof *proof)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = synod_value_encode (&synod_bft_proof_desc, proof, &error);

  if (bytes == NULL)
    g_error ("a proof does not encode: %s", error->message);
  return g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/**
 * synod_bft_proof_from_header:
 * @text: a %SYNOD_BFT_PROOF_HEADER value
 * @ret_proof: (out caller-allocates): the proof
 *
 * Returns: %FALSE with %SYNOD_BFT_ERROR_MALFORMED when @text is not base64
 *   of a proof
 */
gboolean
synod_bft_proof_from_header (const gchar *text, SynodBftProof *ret_proof, GError **error)
{
  g_autofree guchar *data = NULL;
  g_autoptr (GError) local = NULL;
  gsize len = strlen (text);

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
      len = 0;
  if (len == 0 || len > MAX_HEADER_LEN || len % 4 != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED,
                   _ ("A proof header is base64 of at most %u characters"), MAX_HEADER_LEN);
      return FALSE;
    }
  data = g_base64_decode (text, &len);
  if (!synod_value_decode (&synod_bft_proof_desc, data, len, ret_proof, &local))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED,
                   _ ("A proof header does not hold a proof: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}
