/* pbft-wire.c — the one place PBFT values meet the XDR codec, and the
 * MACs and signatures that authenticate them. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pbft-wire.h"
#include "synod-bft-error.h"

GBytes *
pbft_encode (const SynodTypeDesc *type, gconstpointer value, GError **error)
{
  return synod_value_encode (type, value, error);
}

gboolean
pbft_decode (const SynodTypeDesc *type, const guint8 *data, gsize len, gpointer ret_value,
             GError **error)
{
  return synod_value_decode (type, data, len, ret_value, error);
}

gboolean
pbft_digest (const SynodTypeDesc *type, gconstpointer value, guint8 ret_digest[32])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = pbft_encode (type, value, &error);
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    {
      g_warning ("cannot encode %s for its digest: %s", type->name, error->message);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  synod_pbft_sha256 (data, len, ret_digest);
  return TRUE;
}

const guint8 *
pbft_null_batch_digest (void)
{
  static guint8 digest[32];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      SynodPbftBatch null_batch = { 0 };

      if (!pbft_digest (&synod_pbft_batch_desc, &null_batch, digest))
        g_error ("cannot encode the null batch");
      g_once_init_leave (&once, 1);
    }
  return digest;
}

GBytes *
pbft_seal (SynodPbftKeyring *keys, const SynodPbftMessage *message, SynodPbftAuthKind kind,
           guint32 to, guint n_replicas, GError **error)
{
  g_autoptr (GBytes) body = pbft_encode (&synod_pbft_message_desc, message, error);
  g_autoptr (GBytes) auth_bytes = NULL;
  g_autofree SynodPbftMac *macs = NULL;
  SynodPbftAuth auth = { .kind = kind };
  guint8 digest[32];
  const guint8 *data;
  gsize len, auth_len;
  GByteArray *out;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  synod_pbft_sha256 (data, len, digest);
  switch (kind)
    {
      case SYNOD_PBFT_AUTH_NONE:
        break;
      case SYNOD_PBFT_AUTH_MAC:
        if (!synod_pbft_keyring_mac (keys, to, digest, auth.u.mac))
          {
            g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH, _ ("No MAC key for node %u"),
                         to);
            return NULL;
          }
        break;
      case SYNOD_PBFT_AUTH_AUTHENTICATOR:
        macs = g_new0 (SynodPbftMac, n_replicas);
        for (guint i = 0; i < n_replicas; i++)
          if (i != synod_pbft_keyring_get_self (keys)
              && !synod_pbft_keyring_mac (keys, i, digest, macs[i]))
            {
              g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                           _ ("No MAC key for node %u"), i);
              return NULL;
            }
        auth.u.macs.len = n_replicas;
        auth.u.macs.val = macs;
        break;
      case SYNOD_PBFT_AUTH_SIGNATURE:
        if (!synod_pbft_keyring_sign (keys, digest, 32, auth.u.signature))
          {
            g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH, _ ("No signing key"));
            return NULL;
          }
        break;
      default:
        g_return_val_if_reached (NULL);
    }
  auth_bytes = pbft_encode (&synod_pbft_auth_desc, &auth, error);
  if (auth_bytes == NULL)
    return NULL;
  g_bytes_get_data (auth_bytes, &auth_len);
  out = g_byte_array_sized_new (len + auth_len);
  g_byte_array_append (out, data, len);
  g_byte_array_append (out, g_bytes_get_data (auth_bytes, NULL), auth_len);
  return g_byte_array_free_to_bytes (out);
}

gboolean
pbft_open (const guint8 *data, gsize len, gsize max_size, SynodPbftEnvelope *ret_envelope,
           guint8 ret_digest[32], GError **error)
{
  SynodPbftEnvelope env = { 0 };
  gsize auth_len;

  if (len > max_size)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_LIMIT,
                   _ ("Message of %zu bytes exceeds the limit of %zu"), len, max_size);
      return FALSE;
    }
  if (!pbft_decode (&synod_pbft_envelope_desc, data, len, &env, error))
    return FALSE;
  auth_len = synod_value_encoded_size (&synod_pbft_auth_desc, &env.auth);
  if (auth_len > len)
    {
      synod_pbft_envelope_clear (&env);
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED, _ ("Truncated envelope"));
      return FALSE;
    }
  synod_pbft_sha256 (data, len - auth_len, ret_digest);
  *ret_envelope = env;
  return TRUE;
}

gboolean
pbft_check_auth (SynodPbftKeyring *keys, const SynodPbftEnvelope *envelope, const guint8 digest[32])
{
  guint32 self = synod_pbft_keyring_get_self (keys);
  guint32 sender = envelope->message.sender;
  const SynodPbftAuth *auth = &envelope->auth;

  if (sender == self)
    return FALSE;
  switch (auth->kind)
    {
      case SYNOD_PBFT_AUTH_MAC:
        return synod_pbft_keyring_check_mac (keys, sender, digest, auth->u.mac);
      case SYNOD_PBFT_AUTH_AUTHENTICATOR:
        return self < auth->u.macs.len
               && synod_pbft_keyring_check_mac (keys, sender, digest, auth->u.macs.val[self]);
      case SYNOD_PBFT_AUTH_SIGNATURE:
        return synod_pbft_keyring_verify (keys, sender, digest, 32, auth->u.signature);
      case SYNOD_PBFT_AUTH_NONE:
      default:
        return FALSE;
    }
}

gboolean
pbft_verify_message_signature (SynodPbftKeyring *keys, guint64 service, guint32 sender,
                               const SynodPbftBody *body, const guint8 signature[64])
{
  SynodPbftMessage m = { .service = service, .sender = sender, .body = *body };
  guint8 digest[32];

  /* m borrows body's storage: it is only encoded, never cleared. */
  return pbft_digest (&synod_pbft_message_desc, &m, digest)
         && synod_pbft_keyring_verify (keys, sender, digest, 32, signature);
}

static gboolean
request_digest (guint64 service, const SynodPbftRequest *request, guint8 digest[32])
{
  SynodPbftRequestStatement st = { .service = service, .request = *request };

  return pbft_digest (&synod_pbft_request_statement_desc, &st, digest);
}

gboolean
pbft_request_authenticate (SynodPbftKeyring *keys, guint64 service, guint n_replicas, gboolean sign,
                           SynodPbftSignedRequest *request, GError **error)
{
  guint8 digest[32];

  synod_pbft_auth_clear (&request->auth);
  memset (&request->auth, 0, sizeof request->auth);
  if (!request_digest (service, &request->request, digest))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED,
                   _ ("The request does not fit its type"));
      return FALSE;
    }
  if (sign)
    {
      request->auth.kind = SYNOD_PBFT_AUTH_SIGNATURE;
      if (!synod_pbft_keyring_sign (keys, digest, 32, request->auth.u.signature))
        {
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH, _ ("No signing key"));
          return FALSE;
        }
      return TRUE;
    }
  request->auth.kind = SYNOD_PBFT_AUTH_AUTHENTICATOR;
  request->auth.u.macs.len = n_replicas;
  request->auth.u.macs.val = g_new0 (SynodPbftMac, n_replicas);
  for (guint i = 0; i < n_replicas; i++)
    if (!synod_pbft_keyring_mac (keys, i, digest, request->auth.u.macs.val[i]))
      {
        g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH, _ ("No MAC key for node %u"), i);
        return FALSE;
      }
  return TRUE;
}

gboolean
pbft_request_check (SynodPbftKeyring *keys, guint64 service, guint32 self,
                    const SynodPbftSignedRequest *request)
{
  guint32 origin = request->request.origin;
  guint8 digest[32];

  if (!request_digest (service, &request->request, digest))
    return FALSE;
  switch (request->auth.kind)
    {
      case SYNOD_PBFT_AUTH_AUTHENTICATOR:
        return self < request->auth.u.macs.len
               && synod_pbft_keyring_check_mac (keys, origin, digest,
                                                request->auth.u.macs.val[self]);
      case SYNOD_PBFT_AUTH_SIGNATURE:
        return synod_pbft_keyring_verify (keys, origin, digest, 32, request->auth.u.signature);
      default:
        return FALSE;
    }
}

gboolean
pbft_reply_statement_encode (guint64 service, const SynodPbftReply *reply, GBytes **ret_bytes)
{
  SynodPbftReplyStatement st = {
    .service = service,
    .replica = reply->replica,
    .client = reply->client,
    .number = reply->number,
    .read_only = reply->read_only,
  };

  synod_pbft_sha256 (reply->result.val, reply->result.len, st.result_digest);
  *ret_bytes = pbft_encode (&synod_pbft_reply_statement_desc, &st, NULL);
  return *ret_bytes != NULL;
}
