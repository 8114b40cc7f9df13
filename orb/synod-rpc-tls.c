/* synod-rpc-tls.c — RPC-with-TLS (RFC 9289): the AUTH_TLS probe, the TLS
 * 1.3 handshake with mutual certificates, and the per-connection session on
 * memory BIOs.
 *
 * See synod-rpc-tls-private.h for the model. Everything a peer sends is
 * hostile: a probe answer that is not exactly what RFC 9289 says counts as
 * "TLS not offered", a handshake that fails or does not finish by its
 * deadline fails the connection with a message naming the peer and the
 * reason (OpenSSL's, or the certificate verification's).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <rpc/rpc.h>

#include <glib/gi18n-lib.h>

#include "synod-error.h"
#include "synod-rpc-tls-private.h"

/* A probe is one record of 40 bytes: xid, CALL, rpcvers, prog, vers, proc
 * 0, credential AUTH_TLS with an empty body, verifier AUTH_NONE, empty. */
#define PROBE_BODY_LEN 40u
#define PROBE_LEN (4u + PROBE_BODY_LEN)
#define STARTTLS_TOKEN "STARTTLS"
#define STARTTLS_LEN 8u
/* The answer to the probe is small; a larger record is not an answer. */
#define PROBE_REPLY_MAX 512u
#define DEFAULT_HANDSHAKE_TIMEOUT_MS 5000u
#define IO_CHUNK (16u * 1024u)
#define VERIFY_DEPTH 8
/* ALPN of RFC 9289, section 5.2: "sunrpc", length-prefixed. */
static const unsigned char alpn_sunrpc[] = { 6, 's', 'u', 'n', 'r', 'p', 'c' };

struct _SynodRpcTls
{
  gatomicrefcount ref_count;
  SynodTlsMode mode;
  SSL_CTX *ctx;
  guint handshake_timeout_ms;
};

struct _SynodTlsSession
{
  GMutex lock; /* guards @ssl and its BIOs */
  SSL *ssl;
  BIO *rbio; /* ciphertext in (owned by @ssl) */
  BIO *wbio; /* ciphertext out (owned by @ssl) */
  gchar *peer;
  gchar *principal;
};

gboolean
synod_tls_mode_parse (const gchar *text, SynodTlsMode *ret_mode, GError **error)
{
  static const struct
  {
    const gchar *name;
    SynodTlsMode mode;
  } modes[] = {
    { "auto", SYNOD_TLS_AUTO },
    { "off", SYNOD_TLS_OFF },
    { "preferred", SYNOD_TLS_PREFERRED },
    { "required", SYNOD_TLS_REQUIRED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_strcmp0 (text, modes[i].name) == 0)
      {
        *ret_mode = modes[i].mode;
        return TRUE;
      }
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
               _ ("The TLS mode must be “auto”, “off”, “preferred” or “required”, not “%s”"),
               text ? text : "");
  return FALSE;
}

const gchar *
synod_tls_mode_to_string (SynodTlsMode mode)
{
  switch (mode)
    {
      case SYNOD_TLS_OFF:
        return "off";
      case SYNOD_TLS_PREFERRED:
        return "preferred";
      case SYNOD_TLS_REQUIRED:
        return "required";
      case SYNOD_TLS_AUTO:
      default:
        return "auto";
    }
}

/* OpenSSL's error queue of this thread as one line (and emptied). */
static gchar *
openssl_errors (void)
{
  GString *s = g_string_new (NULL);
  unsigned long e;

  while ((e = ERR_get_error ()) != 0)
    {
      char buf[256];

      ERR_error_string_n (e, buf, sizeof buf);
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append (s, buf);
    }
  if (s->len == 0)
    g_string_append (s, _ ("unknown TLS error"));
  return g_string_free (s, FALSE);
}

static gchar *principal_of_certificate (X509 *cert, const gchar *peer, GError **error);

/* A verified certificate whose common name cannot make a principal is
 * refused during the handshake (so that the peer gets an alert). */
static int
verify_principal (int preverify_ok, X509_STORE_CTX *store)
{
  g_autofree gchar *principal = NULL;

  if (!preverify_ok || X509_STORE_CTX_get_error_depth (store) != 0)
    return preverify_ok;
  principal = principal_of_certificate (X509_STORE_CTX_get_current_cert (store), "", NULL);
  if (principal == NULL)
    {
      X509_STORE_CTX_set_error (store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  return 1;
}

static int
select_alpn (SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
             unsigned int inlen, void *arg)
{
  unsigned char *selected = NULL;

  if (SSL_select_next_proto (&selected, outlen, alpn_sunrpc, sizeof alpn_sunrpc, in, inlen)
      != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

/**
 * _synod_rpc_tls_new:
 * @mode: %SYNOD_TLS_PREFERRED or %SYNOD_TLS_REQUIRED
 * @cert_file: this peer's certificate chain (PEM)
 * @key_file: its private key (PEM)
 * @ca_file: the CA certificates peers must chain to (PEM)
 * @handshake_timeout_ms: bound of the probe and handshake (0: default)
 * @error: return location for an error
 *
 * Returns: (transfer full): the TLS configuration shared by a process's
 *   connections, or NULL when a file cannot be used
 */
SynodRpcTls *
_synod_rpc_tls_new (SynodTlsMode mode, const gchar *cert_file, const gchar *key_file,
                    const gchar *ca_file, guint handshake_timeout_ms, GError **error)
{
  SynodRpcTls *tls;
  SSL_CTX *ctx;
  const gchar *failed = NULL;
  const gchar *file = NULL;

  g_return_val_if_fail (mode == SYNOD_TLS_PREFERRED || mode == SYNOD_TLS_REQUIRED, NULL);
  if (cert_file == NULL || key_file == NULL || ca_file == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("TLS needs a certificate, its key and a CA file (--tls-cert, --tls-key, "
                      "--tls-ca)"));
      return NULL;
    }
  ERR_clear_error ();
  ctx = SSL_CTX_new (TLS_method ());
  if (ctx == NULL)
    failed = _ ("cannot create a TLS context");
  else if (!SSL_CTX_set_min_proto_version (ctx, TLS1_3_VERSION))
    failed = _ ("TLS 1.3 is not available");
  else if (SSL_CTX_use_certificate_chain_file (ctx, cert_file) != 1)
    failed = _ ("cannot load the certificate"), file = cert_file;
  else if (SSL_CTX_use_PrivateKey_file (ctx, key_file, SSL_FILETYPE_PEM) != 1)
    failed = _ ("cannot load the private key"), file = key_file;
  else if (SSL_CTX_check_private_key (ctx) != 1)
    failed = _ ("the private key does not match the certificate"), file = key_file;
  else if (SSL_CTX_load_verify_locations (ctx, ca_file, NULL) != 1)
    failed = _ ("cannot load the CA certificates"), file = ca_file;
  else if (SSL_CTX_set_alpn_protos (ctx, alpn_sunrpc, sizeof alpn_sunrpc) != 0)
    failed = _ ("cannot set ALPN");
  if (failed)
    {
      g_autofree gchar *why = openssl_errors ();

      if (file)
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_FAILED, "%s: %s (%s)", file, failed,
                     why);
      else
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_FAILED, "TLS: %s (%s)", failed, why);
      if (ctx)
        SSL_CTX_free (ctx);
      return NULL;
    }
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_principal);
  SSL_CTX_set_verify_depth (ctx, VERIFY_DEPTH);
  SSL_CTX_set_alpn_select_cb (ctx, select_alpn, NULL);
  /* Connections last; resumption would buy little and tickets are bytes
   * sent after the handshake. */
  SSL_CTX_set_num_tickets (ctx, 0);
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);

  tls = g_new0 (SynodRpcTls, 1);
  g_atomic_ref_count_init (&tls->ref_count);
  tls->mode = mode;
  tls->ctx = ctx;
  tls->handshake_timeout_ms
      = handshake_timeout_ms ? handshake_timeout_ms : DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return tls;
}

SynodRpcTls *
_synod_rpc_tls_ref (SynodRpcTls *tls)
{
  g_atomic_ref_count_inc (&tls->ref_count);
  return tls;
}

void
_synod_rpc_tls_unref (SynodRpcTls *tls)
{
  if (tls == NULL || !g_atomic_ref_count_dec (&tls->ref_count))
    return;
  SSL_CTX_free (tls->ctx);
  g_free (tls);
}

SynodTlsMode
_synod_rpc_tls_get_mode (SynodRpcTls *tls)
{
  return tls->mode;
}

guint
_synod_rpc_tls_get_handshake_timeout_ms (SynodRpcTls *tls)
{
  return tls->handshake_timeout_ms;
}

/* ---- Blocking I/O with a deadline. The socket's receive timeout (a short
 * slice, see synod-rpc.c) bounds each recv(); the deadline bounds the
 * whole. */

static gboolean
send_all (int fd, const guint8 *data, gsize len, const gchar *peer, GError **error)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("Sending to %s failed: %s"), peer, g_strerror (errno));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

/* One recv() of at most @len bytes, waiting until @deadline. Returns the
 * byte count, 0 at the deadline, -1 with @error at the end of the stream or
 * on a failure. */
static gssize
recv_some (int fd, guint8 *buf, gsize len, const gchar *peer, gint64 deadline, GError **error)
{
  for (;;)
    {
      ssize_t n = recv (fd, buf, len, 0);

      if (n > 0)
        return n;
      if (n == 0)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("%s closed the connection"), peer);
          return -1;
        }
      if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("Reading from %s failed: %s"), peer, g_strerror (errno));
          return -1;
        }
      if (g_get_monotonic_time () >= deadline)
        return 0;
    }
}

static gboolean
recv_exact (int fd, guint8 *buf, gsize len, const gchar *peer, gint64 deadline, GError **error)
{
  while (len > 0)
    {
      gssize n = recv_some (fd, buf, len, peer, deadline, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                       _ ("%s did not answer the RPC-with-TLS probe in time"), peer);
          return FALSE;
        }
      buf += n;
      len -= n;
    }
  return TRUE;
}

static inline guint32
get_be32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_BE (v);
}

static inline void
put_be32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_BE (v);
  memcpy (p, &v, sizeof v);
}

/* The NULL procedure has no results. */
static bool_t
no_results (XDR *xdrs, ...)
{
  return TRUE;
}

/**
 * _synod_tls_client_probe:
 * @fd: a connected socket, nothing sent yet
 * @peer: the peer's address, for messages
 * @prog: the program called
 * @vers: its version
 * @deadline: monotonic time by which the answer must be in
 * @ret_offered: (out): whether the server answered STARTTLS
 * @error: return location for an error (the connection failed)
 */
gboolean
_synod_tls_client_probe (int fd, const gchar *peer, guint32 prog, guint32 vers, gint64 deadline,
                         gboolean *ret_offered, GError **error)
{
  guint8 probe[PROBE_LEN] = { 0 };
  guint8 mark[4];
  g_autofree guint8 *reply = NULL;
  guint32 xid = g_random_int (), reply_len;
  struct rpc_msg msg = { 0 };
  char verf_body[MAX_AUTH_BYTES];
  XDR xdrs;
  gboolean decoded;

  *ret_offered = FALSE;
  put_be32 (probe, 0x80000000u | PROBE_BODY_LEN);
  put_be32 (probe + 4, xid);
  put_be32 (probe + 8, CALL);
  put_be32 (probe + 12, RPC_MSG_VERSION);
  put_be32 (probe + 16, prog);
  put_be32 (probe + 20, vers);
  put_be32 (probe + 24, 0); /* NULL */
  put_be32 (probe + 28, SYNOD_RPC_AUTH_TLS);
  /* credential body length, verifier flavor AUTH_NONE and length: 0 */
  if (!send_all (fd, probe, sizeof probe, peer, error)
      || !recv_exact (fd, mark, sizeof mark, peer, deadline, error))
    return FALSE;
  reply_len = get_be32 (mark) & 0x7fffffffu;
  if (!(get_be32 (mark) & 0x80000000u) || reply_len < 12 || reply_len > PROBE_REPLY_MAX)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("%s answered the RPC-with-TLS probe with a record of %u bytes"), peer,
                   reply_len);
      return FALSE;
    }
  reply = g_malloc (reply_len);
  if (!recv_exact (fd, reply, reply_len, peer, deadline, error))
    return FALSE;
  msg.acpted_rply.ar_verf.oa_base = verf_body;
  msg.acpted_rply.ar_results.where = NULL;
  msg.acpted_rply.ar_results.proc = no_results;
  xdrmem_create (&xdrs, (char *)reply, reply_len, XDR_DECODE);
  decoded = xdr_replymsg (&xdrs, &msg);
  xdr_destroy (&xdrs);
  if (!decoded || msg.rm_direction != REPLY || msg.rm_xid != xid)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("%s answered the RPC-with-TLS probe with something that is not its reply"),
                   peer);
      return FALSE;
    }
  *ret_offered = msg.rm_reply.rp_stat == MSG_ACCEPTED && msg.acpted_rply.ar_stat == SUCCESS
                 && msg.acpted_rply.ar_verf.oa_flavor == AUTH_NONE
                 && msg.acpted_rply.ar_verf.oa_length == STARTTLS_LEN
                 && memcmp (verf_body, STARTTLS_TOKEN, STARTTLS_LEN) == 0;
  return TRUE;
}

/**
 * _synod_tls_server_probe:
 * @fd: an accepted socket, nothing read yet
 * @peer: the peer's address, for messages
 * @prog: the program served
 * @deadline: monotonic time by which the first bytes must be in
 * @ret_probe: (out): whether the client sent a probe (answered STARTTLS)
 * @consumed: receives the bytes read when they are not a probe
 * @error: return location for an error (nothing came, or the connection
 *   failed)
 */
gboolean
_synod_tls_server_probe (int fd, const gchar *peer, guint32 prog, gint64 deadline,
                         gboolean *ret_probe, GByteArray *consumed, GError **error)
{
  guint8 buf[PROBE_LEN];
  gsize have = 0, want = 4;
  guint8 answer[4 + 32];

  *ret_probe = FALSE;
  while (have < want)
    {
      gssize n = recv_some (fd, buf + have, want - have, peer, deadline, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          if (have > 0)
            break; /* a short record: the reader will make sense of it */
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                       _ ("%s sent nothing within the TLS handshake timeout"), peer);
          return FALSE;
        }
      have += n;
      if (have >= 4 && want == 4 && get_be32 (buf) == (0x80000000u | PROBE_BODY_LEN))
        want = PROBE_LEN;
    }
  if (have < PROBE_LEN || get_be32 (buf + 8) != CALL || get_be32 (buf + 12) != RPC_MSG_VERSION
      || get_be32 (buf + 16) != prog || get_be32 (buf + 24) != 0
      || get_be32 (buf + 28) != SYNOD_RPC_AUTH_TLS || get_be32 (buf + 32) != 0
      || get_be32 (buf + 40) != 0)
    {
      g_byte_array_append (consumed, buf, have);
      return TRUE;
    }
  /* xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE "STARTTLS", SUCCESS */
  put_be32 (answer, 0x80000000u | 32u);
  memcpy (answer + 4, buf + 4, 4);
  put_be32 (answer + 8, REPLY);
  put_be32 (answer + 12, MSG_ACCEPTED);
  put_be32 (answer + 16, AUTH_NONE);
  put_be32 (answer + 20, STARTTLS_LEN);
  memcpy (answer + 24, STARTTLS_TOKEN, STARTTLS_LEN);
  put_be32 (answer + 32, SUCCESS);
  if (!send_all (fd, answer, sizeof answer, peer, error))
    return FALSE;
  *ret_probe = TRUE;
  return TRUE;
}

/* Sends what the session has for the peer. With the session's lock held
 * or before it is shared. */
static gboolean
send_pending_output (SynodTlsSession *s, int fd, GError **error)
{
  guint8 buf[IO_CHUNK];
  int n;

  while ((n = BIO_read (s->wbio, buf, sizeof buf)) > 0)
    if (!send_all (fd, buf, n, s->peer, error))
      return FALSE;
  return TRUE;
}

/* The principal of the peer's certificate: "cert:" and the subject's
 * common name, which must be written with printable ASCII other than the
 * characters that mean something in access-control rules. */
static gchar *
principal_of_certificate (X509 *cert, const gchar *peer, GError **error)
{
  X509_NAME *subject = X509_get_subject_name (cert);
  int idx = subject ? X509_NAME_get_index_by_NID (subject, NID_commonName, -1) : -1;
  unsigned char *utf8 = NULL;
  int len;
  gchar *principal;

  if (idx < 0 || X509_NAME_get_index_by_NID (subject, NID_commonName, idx) >= 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                   _ ("The certificate of %s must have exactly one common name (CN)"), peer);
      return NULL;
    }
  len = ASN1_STRING_to_UTF8 (&utf8, X509_NAME_ENTRY_get_data (X509_NAME_get_entry (subject, idx)));
  if (len <= 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                   _ ("The common name of %s's certificate does not decode"), peer);
      return NULL;
    }
  for (int i = 0; i < len; i++)
    if (utf8[i] <= 0x20 || utf8[i] >= 0x7f || strchr (";*?\\", utf8[i]) != NULL)
      {
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                     _ ("The common name of %s's certificate has a character that a principal "
                        "cannot have (spaces, “;”, “*”, “?”, “\\” or non-ASCII)"),
                     peer);
        OPENSSL_free (utf8);
        return NULL;
      }
  principal = g_strdup_printf ("cert:%.*s", len, (const char *)utf8);
  OPENSSL_free (utf8);
  return principal;
}

void
_synod_tls_session_free (SynodTlsSession *s)
{
  if (s == NULL)
    return;
  SSL_free (s->ssl); /* and its BIOs */
  g_mutex_clear (&s->lock);
  g_free (s->peer);
  g_free (s->principal);
  g_free (s);
}

/**
 * _synod_tls_session_handshake:
 * @tls: the TLS configuration
 * @server: which side of the handshake this is
 * @fd: the connection's socket, the probe exchanged
 * @peer: the peer's address, for messages
 * @deadline: monotonic time by which the handshake must be over
 * @error: return location for an error
 *
 * Runs the handshake, verifies the peer's certificate against the CA and
 * derives its principal.
 *
 * Returns: (transfer full): the session, or NULL
 */
SynodTlsSession *
_synod_tls_session_handshake (SynodRpcTls *tls, gboolean server, int fd, const gchar *peer,
                              gint64 deadline, GError **error)
{
  SynodTlsSession *s = g_new0 (SynodTlsSession, 1);
  guint8 buf[IO_CHUNK];

  g_mutex_init (&s->lock);
  s->peer = g_strdup (peer);
  ERR_clear_error ();
  s->ssl = SSL_new (tls->ctx);
  s->rbio = BIO_new (BIO_s_mem ());
  s->wbio = BIO_new (BIO_s_mem ());
  if (s->ssl == NULL || s->rbio == NULL || s->wbio == NULL)
    g_error ("out of memory creating a TLS session");
  /* An empty input buffer means "wait for more", not the end. */
  BIO_set_mem_eof_return (s->rbio, -1);
  SSL_set_bio (s->ssl, s->rbio, s->wbio);
  if (server)
    SSL_set_accept_state (s->ssl);
  else
    SSL_set_connect_state (s->ssl);

  for (;;)
    {
      int r = SSL_do_handshake (s->ssl);
      int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error (s->ssl, r);

      /* What the handshake has to say goes out first, even an alert. */
      if (!send_pending_output (s, fd, error))
        goto failed;
      if (r == 1)
        break;
      if (e == SSL_ERROR_WANT_READ)
        {
          g_autoptr (GError) recv_error = NULL;
          gssize n = recv_some (fd, buf, sizeof buf, peer, deadline, &recv_error);

          if (n < 0)
            {
              g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                           _ ("TLS handshake with %s failed: %s"), peer, recv_error->message);
              goto failed;
            }
          if (n == 0)
            {
              g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TIMEOUT,
                           _ ("TLS handshake with %s did not finish in time"), peer);
              goto failed;
            }
          BIO_write (s->rbio, buf, n);
          continue;
        }
      {
        long verify = SSL_get_verify_result (s->ssl);
        g_autofree gchar *why = openssl_errors ();

        if (verify == X509_V_ERR_APPLICATION_VERIFICATION)
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                       _ ("TLS handshake with %s failed: its certificate's common name cannot be "
                          "a principal (it needs exactly one CN, of printable ASCII without "
                          "spaces, “;”, “*”, “?” or “\\”)"),
                       peer);
        else if (verify != X509_V_OK)
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                       _ ("TLS handshake with %s failed: its certificate is refused: %s"), peer,
                       X509_verify_cert_error_string (verify));
        else
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                       _ ("TLS handshake with %s failed: %s"), peer, why);
        goto failed;
      }
    }

  {
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    X509 *cert = SSL_get0_peer_certificate (s->ssl);

    SSL_get0_alpn_selected (s->ssl, &alpn, &alpn_len);
    if (alpn_len != sizeof alpn_sunrpc - 1 || memcmp (alpn, alpn_sunrpc + 1, alpn_len) != 0)
      {
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                     _ ("TLS handshake with %s failed: the ALPN protocol “sunrpc” was not "
                        "agreed"),
                     peer);
        goto failed;
      }
    if (cert == NULL || SSL_get_verify_result (s->ssl) != X509_V_OK)
      {
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                     _ ("TLS handshake with %s failed: no verified certificate"), peer);
        goto failed;
      }
    s->principal = principal_of_certificate (cert, peer, error);
    if (s->principal == NULL)
      goto failed;
  }
  return s;

failed:
  _synod_tls_session_free (s);
  return NULL;
}

const gchar *
_synod_tls_session_get_principal (SynodTlsSession *s)
{
  return s->principal;
}

/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs. */
gchar *
_synod_tls_session_describe (SynodTlsSession *s)
{
  gchar *text;

  g_mutex_lock (&s->lock);
  text = g_strdup_printf ("%s %s", SSL_get_version (s->ssl), SSL_get_cipher_name (s->ssl));
  g_mutex_unlock (&s->lock);
  return text;
}

/* Whether ciphertext is buffered for decryption (bytes that arrived with
 * the end of the handshake). */
gboolean
_synod_tls_session_has_input (SynodTlsSession *s)
{
  gboolean any;

  g_mutex_lock (&s->lock);
  any = BIO_ctrl_pending (s->rbio) > 0 || SSL_pending (s->ssl) > 0;
  g_mutex_unlock (&s->lock);
  return any;
}

/* Whether the session has ciphertext of its own to send (an answer to a
 * key update, an alert). */
gboolean
_synod_tls_session_has_output (SynodTlsSession *s)
{
  gboolean any;

  g_mutex_lock (&s->lock);
  any = BIO_ctrl_pending (s->wbio) > 0;
  g_mutex_unlock (&s->lock);
  return any;
}

static void
drain_output_locked (SynodTlsSession *s, GByteArray *out)
{
  size_t pending = BIO_ctrl_pending (s->wbio);

  if (pending > 0)
    {
      guint old = out->len;
      int n;

      g_byte_array_set_size (out, old + pending);
      n = BIO_read (s->wbio, out->data + old, (int)pending);
      g_byte_array_set_size (out, old + (n > 0 ? n : 0));
    }
}

/**
 * _synod_tls_session_encrypt:
 * @s: a session
 * @data: plaintext (records of the connection)
 * @len: its length (0: only collect what the session has to send)
 * @out: receives the ciphertext to send, appended
 * @error: return location for an error
 */
gboolean
_synod_tls_session_encrypt (SynodTlsSession *s, const guint8 *data, gsize len, GByteArray *out,
                            GError **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&s->lock);
  while (len > 0)
    {
      int chunk = (int)MIN (len, (gsize)G_MAXINT / 2);
      int r;

      ERR_clear_error ();
      r = SSL_write (s->ssl, data, chunk);
      if (r <= 0)
        {
          g_autofree gchar *why = openssl_errors ();

          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                       _ ("TLS with %s failed: %s"), s->peer, why);
          ok = FALSE;
          break;
        }
      data += r;
      len -= r;
    }
  drain_output_locked (s, out);
  g_mutex_unlock (&s->lock);
  return ok;
}

/**
 * _synod_tls_session_decrypt:
 * @s: a session
 * @cipher: ciphertext read from the socket (may be empty)
 * @len: its length
 * @buf: (inout): the plaintext buffer, grown as needed
 * @cap: (inout): its capacity
 * @buf_len: (inout): bytes in it; the plaintext is appended
 * @error: return location for an error (the session is over)
 */
gboolean
_synod_tls_session_decrypt (SynodTlsSession *s, const guint8 *cipher, gsize len, guint8 **buf,
                            gsize *cap, gsize *buf_len, GError **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&s->lock);
  if (len > 0)
    BIO_write (s->rbio, cipher, (int)len);
  for (;;)
    {
      int r, e;

      if (*buf_len == *cap)
        {
          *cap *= 2;
          *buf = g_realloc (*buf, *cap);
        }
      ERR_clear_error ();
      r = SSL_read (s->ssl, *buf + *buf_len, (int)MIN (*cap - *buf_len, (gsize)G_MAXINT));
      if (r > 0)
        {
          *buf_len += r;
          continue;
        }
      e = SSL_get_error (s->ssl, r);
      if (e == SSL_ERROR_WANT_READ)
        break;
      if (e == SSL_ERROR_ZERO_RETURN)
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                     _ ("%s closed the TLS session"), s->peer);
      else
        {
          g_autofree gchar *why = openssl_errors ();

          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                       _ ("TLS with %s failed: %s"), s->peer, why);
        }
      ok = FALSE;
      break;
    }
  g_mutex_unlock (&s->lock);
  return ok;
}
