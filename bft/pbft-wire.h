/* pbft-wire.h — encoding, digests and authentication of PBFT messages
 * (private to the library and its tests).
 *
 * All XDR goes through libsynod's descriptor-driven codec, here and only
 * here, so that the protocol code deals in C values. An Envelope on the wire
 * is the XDR encoding of its Message followed by that of its Auth; MACs and
 * signatures cover SHA-256 of the Message's encoding. */
#pragma once

#include <synod.h>

#include "pbft.h"
#include "pbft-keyring.h"

G_BEGIN_DECLS

GBytes *pbft_encode (const SynodTypeDesc *type, gconstpointer value, GError **error);
gboolean pbft_decode (const SynodTypeDesc *type, const guint8 *data, gsize len, gpointer ret_value,
                      GError **error);
gboolean pbft_digest (const SynodTypeDesc *type, gconstpointer value, guint8 ret_digest[32]);

/* The digest of the null batch (no requests, no non-determinism): what a
 * new view proposes for a sequence number nobody may have committed. */
const guint8 *pbft_null_batch_digest (void);

/* Authenticates @message and returns the envelope's bytes. @kind MAC
 * authenticates for @to only, AUTHENTICATOR for replicas 0..n_replicas-1,
 * SIGNATURE for anyone. */
GBytes *pbft_seal (SynodPbftKeyring *keys, const SynodPbftMessage *message, SynodPbftAuthKind kind,
                   guint32 to, guint n_replicas, GError **error);

/* Decodes an envelope (no authentication yet); @ret_digest is SHA-256 of
 * the Message's bytes, which the Auth covers. */
gboolean pbft_open (const guint8 *data, gsize len, gsize max_size, SynodPbftEnvelope *ret_envelope,
                    guint8 ret_digest[32], GError **error);

/* Checks the Auth of an opened envelope as received by node @self. */
gboolean pbft_check_auth (SynodPbftKeyring *keys, const SynodPbftEnvelope *envelope,
                          const guint8 digest[32]);

/* Signature of the Message {service, sender, body} as it would travel:
 * how proofs made of signed messages are checked later. */
gboolean pbft_verify_message_signature (SynodPbftKeyring *keys, guint64 service, guint32 sender,
                                        const SynodPbftBody *body, const guint8 signature[64]);

/* Auth of a client request: an authenticator for replicas 0..n-1 (MACs
 * with the origin's pairwise keys) or a signature, over SHA-256 of the
 * RequestStatement's encoding. */
gboolean pbft_request_authenticate (SynodPbftKeyring *keys, guint64 service, guint n_replicas,
                                    gboolean sign, SynodPbftSignedRequest *request, GError **error);
gboolean pbft_request_check (SynodPbftKeyring *keys, guint64 service, guint32 self,
                             const SynodPbftSignedRequest *request);

/* The reply statement a replica signs (and a verifier rebuilds). */
gboolean pbft_reply_statement_encode (guint64 service, const SynodPbftReply *reply,
                                      GBytes **ret_bytes);

G_END_DECLS
