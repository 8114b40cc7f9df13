/* pbft-keyring.c — HMAC-SHA256, Ed25519 and SHA-256 through OpenSSL 3's
 * EVP APIs, and the per-node key store. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "pbft-keyring.h"
#include "synod-bft-error.h"

typedef struct
{
  EVP_PKEY *public_key;
  EVP_MAC_CTX *mac; /* keyed once; re-initialised with the same key per MAC */
} PeerKeys;

struct _SynodPbftKeyring
{
  gatomicrefcount ref;
  guint32 self;
  EVP_PKEY *private_key;
  EVP_MD_CTX *sign_ctx;
  EVP_MD_CTX *verify_ctx;
  GHashTable *peers; /* node id -> PeerKeys */
};

static EVP_MD *sha256_md;
static EVP_MAC *hmac;

static void
crypto_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      sha256_md = EVP_MD_fetch (NULL, "SHA256", NULL);
      hmac = EVP_MAC_fetch (NULL, "HMAC", NULL);
      if (sha256_md == NULL || hmac == NULL)
        g_error ("OpenSSL provides no SHA256 or HMAC");
      g_once_init_leave (&once, 1);
    }
}

void
synod_pbft_sha256 (const guint8 *data, gsize len, guint8 ret_digest[32])
{
  unsigned int out_len = 32;

  crypto_init ();
  if (!EVP_Digest (data, len, ret_digest, &out_len, sha256_md, NULL))
    g_error ("SHA-256 failed");
}

static void
peer_keys_free (gpointer data)
{
  PeerKeys *p = data;

  EVP_PKEY_free (p->public_key);
  EVP_MAC_CTX_free (p->mac);
  g_free (p);
}

SynodPbftKeyring *
synod_pbft_keyring_new (guint32 self)
{
  SynodPbftKeyring *k = g_new0 (SynodPbftKeyring, 1);

  crypto_init ();
  g_atomic_ref_count_init (&k->ref);
  k->self = self;
  k->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, peer_keys_free);
  k->sign_ctx = EVP_MD_CTX_new ();
  k->verify_ctx = EVP_MD_CTX_new ();
  return k;
}

SynodPbftKeyring *
synod_pbft_keyring_ref (SynodPbftKeyring *keyring)
{
  g_return_val_if_fail (keyring != NULL, NULL);
  g_atomic_ref_count_inc (&keyring->ref);
  return keyring;
}

void
synod_pbft_keyring_unref (SynodPbftKeyring *keyring)
{
  if (keyring == NULL || !g_atomic_ref_count_dec (&keyring->ref))
    return;
  EVP_PKEY_free (keyring->private_key);
  EVP_MD_CTX_free (keyring->sign_ctx);
  EVP_MD_CTX_free (keyring->verify_ctx);
  g_hash_table_unref (keyring->peers);
  g_free (keyring);
}

guint32
synod_pbft_keyring_get_self (SynodPbftKeyring *keyring)
{
  return keyring->self;
}

static PeerKeys *
peer_get (SynodPbftKeyring *k, guint32 node, gboolean create)
{
  PeerKeys *p = g_hash_table_lookup (k->peers, GUINT_TO_POINTER (node));

  if (p == NULL && create)
    {
      p = g_new0 (PeerKeys, 1);
      g_hash_table_insert (k->peers, GUINT_TO_POINTER (node), p);
    }
  return p;
}

gboolean
synod_pbft_keyring_set_private_key (SynodPbftKeyring *keyring,
                                    const guint8 seed[SYNOD_PBFT_KEY_SIZE], GError **error)
{
  EVP_PKEY *key = EVP_PKEY_new_raw_private_key_ex (NULL, "ED25519", NULL, seed, 32);
  guint8 pub[32];
  gsize pub_len = sizeof pub;

  if (key == NULL || !EVP_PKEY_get_raw_public_key (key, pub, &pub_len))
    {
      EVP_PKEY_free (key);
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("Could not load an Ed25519 private key"));
      return FALSE;
    }
  EVP_PKEY_free (keyring->private_key);
  keyring->private_key = key;
  /* A node verifies its own signatures too (its own checkpoint and
   * view-change messages end up in proofs it checks). */
  return synod_pbft_keyring_set_public_key (keyring, keyring->self, pub, error);
}

gboolean
synod_pbft_keyring_set_public_key (SynodPbftKeyring *keyring, guint32 node,
                                   const guint8 key[SYNOD_PBFT_KEY_SIZE], GError **error)
{
  EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex (NULL, "ED25519", NULL, key, 32);
  PeerKeys *p;

  if (pkey == NULL)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("Could not load the Ed25519 public key of node %u"), node);
      return FALSE;
    }
  p = peer_get (keyring, node, TRUE);
  EVP_PKEY_free (p->public_key);
  p->public_key = pkey;
  return TRUE;
}

gboolean
synod_pbft_keyring_get_public_key (SynodPbftKeyring *keyring, guint32 node,
                                   guint8 ret_key[SYNOD_PBFT_KEY_SIZE])
{
  PeerKeys *p = peer_get (keyring, node, FALSE);
  gsize len = 32;

  return p != NULL && p->public_key != NULL
         && EVP_PKEY_get_raw_public_key (p->public_key, ret_key, &len) && len == 32;
}

gboolean
synod_pbft_keyring_set_mac_key (SynodPbftKeyring *keyring, guint32 peer,
                                const guint8 key[SYNOD_PBFT_KEY_SIZE], GError **error)
{
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_new (hmac);
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
    OSSL_PARAM_construct_end (),
  };
  PeerKeys *p;

  if (ctx == NULL || !EVP_MAC_init (ctx, key, SYNOD_PBFT_KEY_SIZE, params))
    {
      EVP_MAC_CTX_free (ctx);
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("Could not set up HMAC-SHA256 for node %u"), peer);
      return FALSE;
    }
  p = peer_get (keyring, peer, TRUE);
  EVP_MAC_CTX_free (p->mac);
  p->mac = ctx;
  return TRUE;
}

gboolean
synod_pbft_keyring_mac (SynodPbftKeyring *keyring, guint32 peer, const guint8 digest[32],
                        guint8 ret_mac[32])
{
  PeerKeys *p = peer_get (keyring, peer, FALSE);
  gsize out_len = 0;

  if (p == NULL || p->mac == NULL)
    return FALSE;
  /* EVP_MAC_init with a NULL key keeps the key set before: half the cost
   * of duplicating a keyed context for every MAC. */
  return EVP_MAC_init (p->mac, NULL, 0, NULL) && EVP_MAC_update (p->mac, digest, 32)
         && EVP_MAC_final (p->mac, ret_mac, &out_len, 32) && out_len == 32;
}

gboolean
synod_pbft_keyring_check_mac (SynodPbftKeyring *keyring, guint32 peer, const guint8 digest[32],
                              const guint8 mac[32])
{
  guint8 expected[32];

  return synod_pbft_keyring_mac (keyring, peer, digest, expected)
         && CRYPTO_memcmp (expected, mac, 32) == 0;
}

gboolean
synod_pbft_keyring_sign (SynodPbftKeyring *keyring, const guint8 *data, gsize len,
                         guint8 ret_signature[64])
{
  gsize sig_len = 64;

  if (keyring->private_key == NULL)
    return FALSE;
  /* OpenSSL 3.0 keeps the previous key in a reused context unless reset. */
  EVP_MD_CTX_reset (keyring->sign_ctx);
  return EVP_DigestSignInit_ex (keyring->sign_ctx, NULL, NULL, NULL, NULL, keyring->private_key,
                                NULL)
         && EVP_DigestSign (keyring->sign_ctx, ret_signature, &sig_len, data, len) && sig_len == 64;
}

gboolean
synod_pbft_keyring_verify (SynodPbftKeyring *keyring, guint32 node, const guint8 *data, gsize len,
                           const guint8 signature[64])
{
  PeerKeys *p = peer_get (keyring, node, FALSE);

  if (p == NULL || p->public_key == NULL)
    return FALSE;
  EVP_MD_CTX_reset (keyring->verify_ctx);
  return EVP_DigestVerifyInit_ex (keyring->verify_ctx, NULL, NULL, NULL, NULL, p->public_key, NULL)
         && EVP_DigestVerify (keyring->verify_ctx, signature, 64, data, len) == 1;
}

static void
derive (const guint8 *secret, gsize secret_len, const gchar *label, guint32 a, guint32 b,
        guint8 out[32])
{
  g_autoptr (GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, secret, secret_len);
  guint8 be[8];
  gsize len = 32;

  be[0] = a >> 24, be[1] = a >> 16, be[2] = a >> 8, be[3] = a;
  be[4] = b >> 24, be[5] = b >> 16, be[6] = b >> 8, be[7] = b;
  g_hmac_update (h, (const guchar *)label, strlen (label));
  g_hmac_update (h, be, sizeof be);
  g_hmac_get_digest (h, out, &len);
}

/**
 * synod_pbft_keyring_new_derived:
 * @secret: (array length=secret_len): a secret shared by the whole cluster
 * @self: this node's id
 * @n_nodes: keys are derived for nodes 0..n_nodes-1 (replicas and clients)
 *
 * Derives every node's Ed25519 key pair and every pairwise MAC key from
 * one secret with HMAC-SHA256. Anyone holding the secret can impersonate
 * any node, so this is for tests, simulations and single-host demos only.
 *
 * Returns: (transfer full): the keyring of @self, or %NULL on error
 */
SynodPbftKeyring *
synod_pbft_keyring_new_derived (const guint8 *secret, gsize secret_len, guint32 self,
                                guint32 n_nodes, GError **error)
{
  g_autoptr (SynodPbftKeyring) k = synod_pbft_keyring_new (self);

  for (guint32 node = 0; node < n_nodes; node++)
    {
      guint8 seed[32], pub[32], mac_key[32];
      gsize pub_len = sizeof pub;
      EVP_PKEY *key;

      derive (secret, secret_len, "synod-pbft ed25519", node, 0, seed);
      if (node == self)
        {
          if (!synod_pbft_keyring_set_private_key (k, seed, error))
            return NULL;
        }
      else
        {
          key = EVP_PKEY_new_raw_private_key_ex (NULL, "ED25519", NULL, seed, 32);
          if (key == NULL || !EVP_PKEY_get_raw_public_key (key, pub, &pub_len))
            {
              EVP_PKEY_free (key);
              g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                           _ ("Could not derive the key of node %u"), node);
              return NULL;
            }
          EVP_PKEY_free (key);
          if (!synod_pbft_keyring_set_public_key (k, node, pub, error))
            return NULL;
          derive (secret, secret_len, "synod-pbft hmac", MIN (node, self), MAX (node, self),
                  mac_key);
          if (!synod_pbft_keyring_set_mac_key (k, node, mac_key, error))
            return NULL;
        }
      OPENSSL_cleanse (seed, sizeof seed);
    }
  return g_steal_pointer (&k);
}
