/* pbft-keyring.h — the keys of one node of a replicated service.
 *
 * A node (replica 0..n-1, or a client node such as a Coordinator) holds its
 * own Ed25519 private key, the Ed25519 public keys of the others, and one
 * HMAC-SHA256 key per peer it exchanges MACs with (pairwise keys: K(i,j) =
 * K(j,i)). Normal-case messages carry MACs; messages that must convince a
 * third party (checkpoints, view changes, new views, reply proofs, seeds)
 * carry signatures. How keys are distributed is the deployment's business
 * (the broker's TLS channels); synod_pbft_keyring_new_derived() derives a
 * whole cluster's keys from one secret, for tests and demos.
 *
 * A keyring is not thread-safe: one thread uses it at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SYNOD_PBFT_KEY_SIZE 32

typedef struct _SynodPbftKeyring SynodPbftKeyring;

SynodPbftKeyring *synod_pbft_keyring_new (guint32 self);
SynodPbftKeyring *synod_pbft_keyring_new_derived (const guint8 *secret, gsize secret_len,
                                                  guint32 self, guint32 n_nodes, GError **error);
SynodPbftKeyring *synod_pbft_keyring_ref (SynodPbftKeyring *keyring);
void synod_pbft_keyring_unref (SynodPbftKeyring *keyring);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodPbftKeyring, synod_pbft_keyring_unref)

guint32 synod_pbft_keyring_get_self (SynodPbftKeyring *keyring);
gboolean synod_pbft_keyring_set_private_key (SynodPbftKeyring *keyring,
                                             const guint8 seed[SYNOD_PBFT_KEY_SIZE],
                                             GError **error);
gboolean synod_pbft_keyring_set_public_key (SynodPbftKeyring *keyring, guint32 node,
                                            const guint8 key[SYNOD_PBFT_KEY_SIZE], GError **error);
gboolean synod_pbft_keyring_get_public_key (SynodPbftKeyring *keyring, guint32 node,
                                            guint8 ret_key[SYNOD_PBFT_KEY_SIZE]);
gboolean synod_pbft_keyring_set_mac_key (SynodPbftKeyring *keyring, guint32 peer,
                                         const guint8 key[SYNOD_PBFT_KEY_SIZE], GError **error);

gboolean synod_pbft_keyring_mac (SynodPbftKeyring *keyring, guint32 peer, const guint8 digest[32],
                                 guint8 ret_mac[32]);
gboolean synod_pbft_keyring_check_mac (SynodPbftKeyring *keyring, guint32 peer,
                                       const guint8 digest[32], const guint8 mac[32]);
gboolean synod_pbft_keyring_sign (SynodPbftKeyring *keyring, const guint8 *data, gsize len,
                                  guint8 ret_signature[64]);
gboolean synod_pbft_keyring_verify (SynodPbftKeyring *keyring, guint32 node, const guint8 *data,
                                    gsize len, const guint8 signature[64]);

void synod_pbft_sha256 (const guint8 *data, gsize len, guint8 ret_digest[32]);

G_END_DECLS
