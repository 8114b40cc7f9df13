/* synod-rpc-tls-private.h — RPC-with-TLS (RFC 9289) for Synod's ONC RPC
 * connections.
 *
 * A client that wants TLS sends, as its first record, a call to the NULL
 * procedure whose credential has the flavor AUTH_TLS (7) and an empty body.
 * A server that offers TLS answers MSG_ACCEPTED/SUCCESS with an AUTH_NONE
 * verifier whose body is the eight bytes "STARTTLS"; both sides then run a
 * TLS 1.3 handshake (ALPN "sunrpc", certificates on both sides, verified
 * against the configured CA) on the same TCP connection, and every later
 * record travels inside TLS. A server that does not offer TLS answers the
 * probe with MSG_DENIED/AUTH_ERROR/AUTH_BADCRED.
 *
 * The probe and the handshake run synchronously, bounded by a deadline,
 * before the connection joins the I/O pool (on the dialling thread, or on a
 * thread of its own for an accepted connection). Afterwards a session works
 * on memory BIOs under its own lock: ciphertext read from the socket is fed
 * to it and decrypted, plaintext to send is encrypted into a buffer that the
 * connection's ordinary write path sends. The SSL object is never used by
 * two threads at once.
 */
#pragma once

#include <glib.h>

#include "synod-network.h"

G_BEGIN_DECLS

#define SYNOD_RPC_AUTH_TLS 7u
#define SYNOD_RPC_AUTH_TOOWEAK 5u

typedef struct _SynodRpcTls SynodRpcTls;
typedef struct _SynodTlsSession SynodTlsSession;

SynodRpcTls *_synod_rpc_tls_new (SynodTlsMode mode, const gchar *cert_file, const gchar *key_file,
                                 const gchar *ca_file, guint handshake_timeout_ms, GError **error);
SynodRpcTls *_synod_rpc_tls_ref (SynodRpcTls *tls);
void _synod_rpc_tls_unref (SynodRpcTls *tls);
SynodTlsMode _synod_rpc_tls_get_mode (SynodRpcTls *tls);
guint _synod_rpc_tls_get_handshake_timeout_ms (SynodRpcTls *tls);

/* The client's probe: sends the AUTH_TLS NULL call on @fd and reads the
 * answer. *@ret_offered tells whether the server offered STARTTLS. */
gboolean _synod_tls_client_probe (int fd, const gchar *peer, guint32 prog, guint32 vers,
                                  gint64 deadline, gboolean *ret_offered, GError **error);

/* The server's side: reads at most the first 44 bytes the client sends. If
 * they are an AUTH_TLS probe to @prog, answers STARTTLS and returns TRUE
 * with *@ret_probe set; otherwise returns the bytes read in @consumed for
 * the ordinary reader. */
gboolean _synod_tls_server_probe (int fd, const gchar *peer, guint32 prog, gint64 deadline,
                                  gboolean *ret_probe, GByteArray *consumed, GError **error);

SynodTlsSession *_synod_tls_session_handshake (SynodRpcTls *tls, gboolean server, int fd,
                                               const gchar *peer, gint64 deadline, GError **error);
void _synod_tls_session_free (SynodTlsSession *session);
const gchar *_synod_tls_session_get_principal (SynodTlsSession *session);
gchar *_synod_tls_session_describe (SynodTlsSession *session);
gboolean _synod_tls_session_has_input (SynodTlsSession *session);
gboolean _synod_tls_session_has_output (SynodTlsSession *session);
gboolean _synod_tls_session_encrypt (SynodTlsSession *session, const guint8 *data, gsize len,
                                     GByteArray *out, GError **error);
gboolean _synod_tls_session_decrypt (SynodTlsSession *session, const guint8 *cipher, gsize len,
                                     guint8 **buf, gsize *cap, gsize *buf_len, GError **error);

G_END_DECLS
