/* synod-bft-keys.h — a BFT service's description and keys on disk.
 *
 * synod-bft-keygen writes, for one service, a directory per node (each
 * replica, each client node such as a Coordinator) and a public directory
 * for those who only check proofs (browsers, the synod tool):
 *
 *   OUT/replica-I/   service.conf  public-keys.pem  node.key  node.mac
 *   OUT/client-J/    service.conf  public-keys.pem  node.key  node.mac
 *   OUT/public/      service.conf  public-keys.pem  service.json
 *
 * service.conf (GKeyFile) names the service, its 64-bit id, f, the number
 * of client nodes and the agreed protocol parameters, and in a node's
 * directory which node it is; public-keys.pem holds every node's Ed25519
 * public key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block, in node
 * order; node.key is the node's Ed25519 private key as a PEM "PRIVATE KEY"
 * (PKCS#8); node.mac holds its pairwise HMAC-SHA256 keys (hex, one per
 * peer node). Private files are mode 0600 in 0700 directories, and loading
 * refuses private files others can read. docs/bft.md has the formats. */
#pragma once

#include <glib.h>

#include "pbft-config.h"
#include "pbft-keyring.h"

G_BEGIN_DECLS

#define SYNOD_BFT_NO_NODE G_MAXUINT32

/**
 * SynodBftKeygenOptions:
 * @name: the service name (letters, digits, `-`, `_`; at most 64 bytes)
 * @service_id: the 64-bit service id; 0 draws a random one
 * @f: faults tolerated: n = 3f+1 replicas
 * @n_clients: client nodes (ids n .. n+n_clients-1); a Coordinator on every
 *   replica peer needs n of them, the synod tool or a benchmark more
 * @checkpoint_interval: (agreed) 0 for the default
 * @window: (agreed) 0 for the default (twice the checkpoint interval)
 * @sign_replies: (agreed) replicas sign every reply (the proofs)
 * @sign_requests: (agreed) clients sign requests instead of MACs
 * @random_seed: (agreed) batches carry a verifiable random seed
 */
typedef struct
{
  const gchar *name;
  guint64 service_id;
  guint f;
  guint n_clients;
  guint checkpoint_interval;
  guint window;
  gboolean sign_replies;
  gboolean sign_requests;
  gboolean random_seed;
} SynodBftKeygenOptions;

void synod_bft_keygen_options_init (SynodBftKeygenOptions *options);
gboolean synod_bft_keygen (const SynodBftKeygenOptions *options, const gchar *out_dir,
                           gboolean force, GError **error);

typedef struct _SynodBftKeys SynodBftKeys;

SynodBftKeys *synod_bft_keys_load (const gchar *dir, GError **error);
SynodBftKeys *synod_bft_keys_ref (SynodBftKeys *keys);
void synod_bft_keys_unref (SynodBftKeys *keys);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodBftKeys, synod_bft_keys_unref)

const gchar *synod_bft_keys_get_name (SynodBftKeys *keys);
guint64 synod_bft_keys_get_service_id (SynodBftKeys *keys);
guint synod_bft_keys_get_f (SynodBftKeys *keys);
guint synod_bft_keys_get_n_clients (SynodBftKeys *keys);
guint32 synod_bft_keys_get_node (SynodBftKeys *keys);
gboolean synod_bft_keys_get_public_key (SynodBftKeys *keys, guint32 node,
                                        guint8 ret_key[SYNOD_PBFT_KEY_SIZE]);
void synod_bft_keys_init_config (SynodBftKeys *keys, SynodPbftConfig *config);
SynodPbftKeyring *synod_bft_keys_new_keyring (SynodBftKeys *keys, GError **error);

G_END_DECLS
