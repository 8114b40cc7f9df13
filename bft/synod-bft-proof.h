/* synod-bft-proof.h — proofs of a BFT service's results.
 *
 * A Coordinator returns each result with a SynodBftProof (bft.idl): the
 * Ed25519 signatures of f+1 replicas (2f+1 for a read-only request) over
 * the 64-byte ReplyStatement of Synod.Pbft {service, replica, client,
 * number, read_only, SHA-256 of the result}. These helpers build one from
 * the replies the client side gathered, check one (what the synod tool
 * does, and what a browser's script does with WebCrypto), and carry one in
 * an HTTP header as base64 of its XDR encoding. */
#pragma once

#include <glib.h>

#include "bft.h"
#include "synod-bft-keys.h"

G_BEGIN_DECLS

/* The HTTP header that carries a proof. */
#define SYNOD_BFT_PROOF_HEADER "Synod-Proof"

gboolean synod_bft_proof_build (guint64 service, guint64 client, guint64 number, gboolean read_only,
                                GBytes *value, GPtrArray *replies, SynodBftProof *ret_proof,
                                GError **error);
gboolean synod_bft_proof_verify (SynodBftKeys *keys, const SynodBftProof *proof, guint64 client,
                                 guint64 number, const guint8 *value, gsize value_len,
                                 GError **error);
gchar *synod_bft_proof_to_header (const SynodBftProof *proof);
gboolean synod_bft_proof_from_header (const gchar *text, SynodBftProof *ret_proof, GError **error);

G_END_DECLS
