/* synod-http-server.c — worker threads, epoll loops, connections, daemons.
 *
 * One epoll loop per worker thread; each worker has its own SO_REUSEPORT
 * listening socket per daemon, so the kernel spreads new connections over
 * the workers and a connection never leaves the thread that accepted it.
 * Sockets are edge-triggered. A request is parsed in place in the
 * connection's input buffer, dispatched to its handler through the URL
 * directory, and its response is queued (header bytes in one buffer, body
 * segments by reference); the queue is written with one writev() (sendfile()
 * for file ranges) when no further complete request is buffered, so
 * pipelined requests are answered in order with few system calls.
 *
 * Deadlines: a connection waits in at most one of four lists (head, body,
 * idle, send). Each list has one fixed duration, so appending at the tail
 * keeps it sorted and expiry only looks at list heads.
 */
#define _GNU_SOURCE 1 /* accept4 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "synod-http-exchange-private.h"
#include "synod-http-server.h"

#define INPUT_INITIAL 4096
#define IOV_BATCH 64
#define ACCEPT_BATCH 64
#define ACCESS_LOG_FLUSH 32768
/* Queued output beyond which a connection's further pipelined requests wait
 * (a client that sends without reading cannot make the server buffer). */
#define OUT_HIGH_WATER (1024 * 1024)
/* Most bytes given to one SSL_write(): one full TLS record, so a file range
 * is read and encrypted in bounded pieces (sendfile() cannot go through TLS). */
#define TLS_CHUNK 16384

enum
{
  KIND_LISTENER,
  KIND_CONN,
  KIND_WAKE,
};

enum
{
  LIST_NONE = -1,
  LIST_HEAD,
  LIST_BODY,
  LIST_IDLE,
  LIST_SEND,
  N_LISTS,
};

enum
{
  ST_HEAD,
  ST_BODY,
  ST_HANDLER,
  ST_CLOSING,
};

typedef struct _Worker Worker;
typedef struct _Conn Conn;

typedef struct
{
  GMutex lock;
  gint fd;
  GString *buf;
} AccessLog;

/* Counters of one daemon on one worker: only that worker writes them, so
 * counting costs no atomic operation; readers add the workers' up. */
typedef struct
{
  guint64 requests;
  guint64 status_classes[5];
  guint64 body_bytes;
  guint64 accepted;
  guint64 closed;
  guint64 refused;
} WorkerStats;

struct _SynodHttpDaemon
{
  gint ref_count;
  SynodUrlDirectory *default_site;
  GHashTable *vhosts; /* lowercased host -> SynodUrlDirectory */
  AccessLog *log;
  guint16 port;
  gchar *address;        /* "ADDRESS:PORT" once added */
  GPtrArray *listen_fds; /* one per worker, as gint stored in pointers */
  GPtrArray *stats;      /* WorkerStats*, one per worker */
  SSL_CTX *tls;          /* HTTPS: every connection speaks TLS; tls_lock */
  GMutex tls_lock;       /* the swap of @tls by a reload against SSL_new() */
  gchar *tls_cert_file;  /* HTTPS: the files @tls was made from (fixed) */
  gchar *tls_key_file;
  SynodHttpAuth *auth; /* web users (synod_http_daemon_set_auth()) */
};

typedef struct
{
  gint kind;
  gint fd;
  SynodHttpDaemon *daemon;
  WorkerStats *stats;
} Listener;

typedef struct
{
  gint kind;
  guint8 type;
  gint fd;
  GBytes *bytes;
  const guint8 *data;
  gsize off; /* into the connection's header buffer */
  goffset file_off;
  gsize len;
} OutSeg;

struct _Conn
{
  gint kind;
  gint fd;
  Worker *w;
  SynodHttpDaemon *daemon;
  WorkerStats *stats;
  gint state;
  gboolean dispatching;
  gboolean dead;
  gboolean want_write;
  gboolean need_read; /* input was left unread (backpressure) */
  guint64 out_bytes;  /* queued output not yet written */
  gboolean ready;     /* in the worker's ready list */
  gboolean freed;     /* in the graveyard: only its memory is left */
  gpointer hook;      /* what config->connection_opened returned */
  SSL *ssl;           /* HTTPS only */
  gboolean handshaking;
  gboolean tls_failed; /* a fatal TLS error: no more TLS I/O, no close_notify */
  gsize tls_retry;     /* length of an SSL_write() to repeat (WANT_WRITE) */

  gchar *in;
  gsize in_cap, in_start, in_end;
  gsize body_pos; /* next undecoded body byte */
  SynodHttpParser parser;
  SynodHttpBodyDecoder dec;
  SynodHttpExchange ex;
  guint requests;

  GString *out;
  GArray *outq; /* of OutSeg */
  guint outq_pos;

  gint list;
  gint64 deadline;
  Conn *tprev, *tnext;
};

typedef struct
{
  Conn *first, *last;
  gint64 duration;
} TimerList;

struct _Worker
{
  SynodHttpServer *server;
  guint index;
  GThread *thread;
  gint epfd;
  struct
  {
    gint kind;
    gint fd;
  } wake;
  GMutex lock;
  GPtrArray *completed; /* Conn* finished from other threads */
  GPtrArray *listeners; /* Listener* */
  GHashTable *conns;    /* Conn* set, to close them at stop */
  GPtrArray *ready;     /* Conn* with input left unread and room to go on */
  GPtrArray *graveyard; /* Conn* freed during this round of events */
  TimerList lists[N_LISTS];
  gint64 now;     /* monotonic, µs */
  gint64 date_at; /* real time second of @date */
  gchar date[40]; /* "Date: ...\r\n" */
  gint64 last_tick;
  guint8 *tls_buf; /* TLS_CHUNK bytes: gathered output of one SSL_write() */
};

struct _SynodHttpServer
{
  SynodHttpServerConfig config;
  gchar *server_line; /* "Server: ...\r\n" */
  Worker *workers;
  guint n_workers;
  GPtrArray *daemons;
  gint n_connections;
  gint stopping;
  gboolean started;
};

static __thread Worker *current_worker;

/* ---- configuration ---- */

void
synod_http_server_config_init (SynodHttpServerConfig *config)
{
  g_return_if_fail (config != NULL);
  memset (config, 0, sizeof *config);
  config->max_connections = SYNOD_HTTP_DEFAULT_MAX_CONNECTIONS;
  config->header_timeout_ms = SYNOD_HTTP_DEFAULT_HEADER_TIMEOUT_MS;
  config->body_timeout_ms = SYNOD_HTTP_DEFAULT_BODY_TIMEOUT_MS;
  config->keepalive_timeout_ms = SYNOD_HTTP_DEFAULT_KEEPALIVE_TIMEOUT_MS;
  config->send_timeout_ms = SYNOD_HTTP_DEFAULT_SEND_TIMEOUT_MS;
  synod_http_limits_init_default (&config->limits);
}

/* ---- TLS context of an HTTPS daemon ----
 *
 * One SSL_CTX per daemon, made once from a PEM certificate chain and a PEM
 * private key, shared read-only by the worker threads (OpenSSL allows it);
 * each connection gets its own SSL object on its worker. TLS 1.2 is the
 * minimum; 1.3 is negotiated whenever the client has it. TLS 1.2 is limited
 * to forward-secret AEAD suites; TLS 1.3 keeps OpenSSL's suites. ALPN
 * selects "http/1.1", the only protocol served. */

/* Mozilla's "intermediate" TLS 1.2 list: ECDHE or DHE, AEAD only. */
#define TLS12_CIPHERS                                                                              \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                                     \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                                     \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                                     \
  "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"

static const guint8 alpn_http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

/* The client's ALPN list must name http/1.1 for it to be selected; a client
 * offering only other protocols (h2 alone) goes on without ALPN, as an
 * HTTP/1.1 client that did not ask. */
static int
select_alpn (SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
             unsigned int inlen, void *arg)
{
  unsigned char *selected = NULL;

  if (SSL_select_next_proto (&selected, outlen, alpn_http11, sizeof alpn_http11, in, inlen)
      != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

/* The last OpenSSL error of this thread as text (the queue is emptied). */
static gchar *
openssl_reason (void)
{
  gulong e = ERR_peek_last_error ();
  gchar buf[256];

  ERR_clear_error ();
  if (e == 0)
    return g_strdup (_ ("unknown error"));
  ERR_error_string_n (e, buf, sizeof buf);
  return g_strdup (buf);
}

static gboolean
readable_file (const gchar *what, const gchar *path, GError **error)
{
  FILE *f = fopen (path, "r");

  if (f == NULL)
    {
      gint saved = errno;

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG, _ ("cannot read %s “%s”: %s"),
                   what, path, g_strerror (saved));
      return FALSE;
    }
  fclose (f);
  return TRUE;
}

/* synod_http_tls_context_new:
 * @cert_file: PEM file: the server certificate first, then its chain
 * @key_file: PEM file: the certificate's private key (unencrypted)
 *
 * Returns: (transfer full) (nullable): an SSL_CTX, or NULL with @error
 *   naming the file that is missing, unreadable, invalid, or (for the key)
 *   does not match the certificate
 */
static SSL_CTX *
tls_context_new (const gchar *cert_file, const gchar *key_file, GError **error)
{
  SSL_CTX *ctx;

  if (!readable_file (_ ("certificate file"), cert_file, error)
      || !readable_file (_ ("key file"), key_file, error))
    return NULL;
  ERR_clear_error ();
  ctx = SSL_CTX_new (TLS_server_method ());
  if (ctx == NULL)
    {
      g_autofree gchar *why = openssl_reason ();

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("cannot make a TLS context: %s"), why);
      return NULL;
    }
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  /* Output is written from the connection's queue in bounded chunks, and
   * a retried write may come from a rebuilt buffer. */
  SSL_CTX_set_mode (ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_alpn_select_cb (ctx, select_alpn, NULL);
  SSL_CTX_set_dh_auto (ctx, 1); /* the DHE suites, for RSA keys with old clients */
  if (SSL_CTX_set_cipher_list (ctx, TLS12_CIPHERS) != 1)
    {
      g_autofree gchar *why = openssl_reason ();

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("cannot set the TLS cipher list: %s"), why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  if (SSL_CTX_use_certificate_chain_file (ctx, cert_file) != 1)
    {
      g_autofree gchar *why = openssl_reason ();

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("certificate file “%s” holds no usable PEM certificate: %s"), cert_file, why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  if (SSL_CTX_use_PrivateKey_file (ctx, key_file, SSL_FILETYPE_PEM) != 1)
    {
      gulong e = ERR_peek_last_error ();
      g_autofree gchar *why = openssl_reason ();

      if (ERR_GET_LIB (e) == ERR_LIB_X509 && ERR_GET_REASON (e) == X509_R_KEY_VALUES_MISMATCH)
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                     _ ("key file “%s” does not match the certificate in “%s”"), key_file,
                     cert_file);
      else
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                     _ ("key file “%s” holds no usable PEM private key: %s"), key_file, why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  if (SSL_CTX_check_private_key (ctx) != 1)
    {
      g_autofree gchar *why = openssl_reason ();

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("key file “%s” does not match the certificate in “%s”: %s"), key_file,
                   cert_file, why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

/* ---- daemons ---- */

/**
 * synod_http_daemon_new:
 * @default_site: the URL directory for requests whose Host names no
 *   virtual host (the daemon takes a reference)
 *
 * Returns: (transfer full): an HTTPdaemon, to add to a server
 */
SynodHttpDaemon *
synod_http_daemon_new (SynodUrlDirectory *default_site)
{
  SynodHttpDaemon *d = g_new0 (SynodHttpDaemon, 1);

  g_return_val_if_fail (default_site != NULL, NULL);
  d->ref_count = 1;
  d->default_site = synod_url_directory_ref (default_site);
  d->vhosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)synod_url_directory_unref);
  d->listen_fds = g_ptr_array_new ();
  d->stats = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&d->tls_lock);
  return d;
}

SynodHttpDaemon *
synod_http_daemon_ref (SynodHttpDaemon *d)
{
  g_atomic_int_inc (&d->ref_count);
  return d;
}

static void
access_log_flush (AccessLog *log)
{
  gsize done = 0;

  while (done < log->buf->len)
    {
      gssize r = write (log->fd, log->buf->str + done, log->buf->len - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          g_warning ("access log: %s", g_strerror (errno));
          break;
        }
      done += (gsize)r;
    }
  g_string_truncate (log->buf, 0);
}

void
synod_http_daemon_unref (SynodHttpDaemon *d)
{
  if (d == NULL || !g_atomic_int_dec_and_test (&d->ref_count))
    return;
  if (d->log != NULL)
    {
      access_log_flush (d->log);
      close (d->log->fd);
      g_string_free (d->log->buf, TRUE);
      g_mutex_clear (&d->log->lock);
      g_free (d->log);
    }
  g_hash_table_unref (d->vhosts);
  synod_url_directory_unref (d->default_site);
  g_ptr_array_unref (d->listen_fds);
  g_ptr_array_unref (d->stats);
  if (d->tls != NULL)
    SSL_CTX_free (d->tls);
  g_mutex_clear (&d->tls_lock);
  g_free (d->tls_cert_file);
  g_free (d->tls_key_file);
  synod_http_auth_free (d->auth);
  g_free (d->address);
  g_free (d);
}

/* Lowercases a Host value and strips its port and a final dot, into @out. */
static void
normalize_host (const gchar *p, gsize n, GString *out)
{
  gsize end = n;

  g_string_truncate (out, 0);
  if (n == 0)
    return;
  if (p[0] == '[')
    {
      const gchar *rb = memchr (p, ']', n);

      end = rb != NULL ? (gsize)(rb - p) + 1 : n;
    }
  else
    {
      const gchar *colon = memchr (p, ':', n);

      if (colon != NULL)
        end = (gsize)(colon - p);
    }
  if (end > 0 && p[end - 1] == '.')
    end--;
  for (gsize i = 0; i < end; i++)
    g_string_append_c (out, g_ascii_tolower (p[i]));
}

/**
 * synod_http_daemon_add_virtual_host:
 * @host: a host name (case-insensitive; a port is ignored)
 * @site: the URL directory serving it
 *
 * Requests whose Host (or absolute-form authority) is @host go to @site.
 * Add virtual hosts before the daemon is added to a server.
 */
void
synod_http_daemon_add_virtual_host (SynodHttpDaemon *d, const gchar *host, SynodUrlDirectory *site)
{
  g_autoptr (GString) key = g_string_new (NULL);

  normalize_host (host, strlen (host), key);
  g_hash_table_replace (d->vhosts, g_string_free (g_steal_pointer (&key), FALSE),
                        synod_url_directory_ref (site));
}

/**
 * synod_http_daemon_set_access_log:
 * @path: a file, opened for appending
 *
 * Logs every request in the common log format, buffered and written at
 * least once a second.
 */
gboolean
synod_http_daemon_set_access_log (SynodHttpDaemon *d, const gchar *path, GError **error)
{
  gint fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      gint saved = errno;

      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_IO,
                   _ ("cannot open access log “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  g_return_val_if_fail (d->log == NULL, FALSE);
  d->log = g_new0 (AccessLog, 1);
  g_mutex_init (&d->log->lock);
  d->log->fd = fd;
  d->log->buf = g_string_sized_new (ACCESS_LOG_FLUSH + 1024);
  return TRUE;
}

/**
 * synod_http_daemon_set_tls:
 * @cert_file: PEM file: the server certificate, then its chain
 * @key_file: PEM file: its private key (unencrypted)
 *
 * Makes the daemon an HTTPS site: every connection it accepts speaks TLS
 * (1.2 or 1.3, ALPN "http/1.1"), none plain HTTP. Call it before the daemon
 * is added to a server. The files are read now: a new certificate takes a
 * new daemon (a restart).
 *
 * Returns: FALSE with @error naming the file when a file is missing or
 *   unreadable, holds no PEM certificate or key, or the key does not match
 *   the certificate
 */
gboolean
synod_http_daemon_set_tls (SynodHttpDaemon *d, const gchar *cert_file, const gchar *key_file,
                           GError **error)
{
  SSL_CTX *ctx;

  g_return_val_if_fail (d->listen_fds->len == 0, FALSE);
  g_return_val_if_fail (d->tls == NULL, FALSE);
  ctx = tls_context_new (cert_file, key_file, error);
  if (ctx == NULL)
    return FALSE;
  d->tls = ctx;
  d->tls_cert_file = g_strdup (cert_file);
  d->tls_key_file = g_strdup (key_file);
  return TRUE;
}

/**
 * synod_http_daemon_reload_tls:
 * @daemon: a daemon serving HTTPS
 * @error: return location for an error
 *
 * Reads the certificate chain and key again from the files given to
 * synod_http_daemon_set_tls() (a renewed certificate), and makes new
 * connections use them; connections already open keep the one they
 * started with. On any error (a file missing or unreadable, a key that
 * does not match) the daemon keeps what it had.
 *
 * Returns: TRUE when the files were read and are in use
 */
gboolean
synod_http_daemon_reload_tls (SynodHttpDaemon *d, GError **error)
{
  SSL_CTX *ctx, *old;

  if (d->tls_cert_file == NULL)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("the daemon does not serve HTTPS: there is no certificate to reload"));
      return FALSE;
    }
  ctx = tls_context_new (d->tls_cert_file, d->tls_key_file, error);
  if (ctx == NULL)
    return FALSE;
  g_mutex_lock (&d->tls_lock);
  old = d->tls;
  d->tls = ctx;
  g_mutex_unlock (&d->tls_lock);
  /* Open connections hold their own reference to the old context. */
  SSL_CTX_free (old);
  return TRUE;
}

/**
 * synod_http_daemon_set_auth:
 * @auth: (transfer full): the daemon's web users
 *
 * Makes the daemon authenticate every request before dispatch (see
 * synod_http_auth_check()). Call it before the daemon is added to a server.
 */
void
synod_http_daemon_set_auth (SynodHttpDaemon *d, SynodHttpAuth *auth)
{
  g_return_if_fail (d->listen_fds->len == 0);
  synod_http_auth_free (d->auth);
  d->auth = auth;
}

/** Returns: (nullable): the daemon's web users (synod_http_daemon_set_auth()) */
SynodHttpAuth *
synod_http_daemon_get_auth (SynodHttpDaemon *d)
{
  return d->auth;
}

/** Returns: whether the daemon serves HTTPS (synod_http_daemon_set_tls()) */
gboolean
synod_http_daemon_is_tls (SynodHttpDaemon *d)
{
  return d->tls_cert_file != NULL;
}

/** Returns: the TCP port the daemon listens on (known once added) */
guint16
synod_http_daemon_get_port (SynodHttpDaemon *d)
{
  return d->port;
}

/**
 * synod_http_daemon_get_address:
 *
 * Returns: (transfer none) (nullable): "ADDRESS:PORT" ("[ADDRESS]:PORT"
 *   for IPv6) once the daemon listens
 */
const gchar *
synod_http_daemon_get_address (SynodHttpDaemon *d)
{
  return d->address;
}

/**
 * synod_http_daemon_get_stats:
 * @ret_stats: (out): the counters, summed over the workers
 *
 * The counters are read without stopping the workers: each is exact, the
 * set is not a snapshot of one instant.
 */
void
synod_http_daemon_get_stats (SynodHttpDaemon *d, SynodHttpDaemonStats *ret_stats)
{
  guint64 closed = 0;

  memset (ret_stats, 0, sizeof *ret_stats);
  for (guint i = 0; i < d->stats->len; i++)
    {
      WorkerStats *w = d->stats->pdata[i];

      ret_stats->requests += __atomic_load_n (&w->requests, __ATOMIC_RELAXED);
      for (guint c = 0; c < 5; c++)
        ret_stats->status_classes[c] += __atomic_load_n (&w->status_classes[c], __ATOMIC_RELAXED);
      ret_stats->body_bytes += __atomic_load_n (&w->body_bytes, __ATOMIC_RELAXED);
      ret_stats->accepted += __atomic_load_n (&w->accepted, __ATOMIC_RELAXED);
      closed += __atomic_load_n (&w->closed, __ATOMIC_RELAXED);
      ret_stats->refused += __atomic_load_n (&w->refused, __ATOMIC_RELAXED);
    }
  ret_stats->open = ret_stats->accepted >= closed ? ret_stats->accepted - closed : 0;
}

/* ---- server ---- */

/**
 * synod_http_server_new:
 * @config: (nullable): settings (NULL: defaults)
 *
 * Returns: (transfer full): a server with no daemon yet
 */
SynodHttpServer *
synod_http_server_new (const SynodHttpServerConfig *config)
{
  SynodHttpServer *s = g_new0 (SynodHttpServer, 1);

  if (config != NULL)
    s->config = *config;
  else
    synod_http_server_config_init (&s->config);
  if (s->config.n_workers == 0)
    s->config.n_workers = g_get_num_processors ();
  s->config.n_workers = MIN (s->config.n_workers, SYNOD_HTTP_MAX_WORKERS);
  s->config.limits.max_headers = MIN (s->config.limits.max_headers, SYNOD_HTTP_MAX_HEADERS_CAP);
  s->server_line = g_strdup_printf (
      "Server: %s\r\n", s->config.server_header != NULL ? s->config.server_header : "Synod");
  s->n_workers = s->config.n_workers;
  s->daemons = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_http_daemon_unref);
  s->workers = g_new0 (Worker, s->n_workers);
  for (guint i = 0; i < s->n_workers; i++)
    {
      Worker *w = &s->workers[i];
      const guint ms[N_LISTS] = { s->config.header_timeout_ms, s->config.body_timeout_ms,
                                  s->config.keepalive_timeout_ms, s->config.send_timeout_ms };

      w->server = s;
      w->index = i;
      w->epfd = epoll_create1 (EPOLL_CLOEXEC);
      w->wake.kind = KIND_WAKE;
      w->wake.fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
      g_mutex_init (&w->lock);
      w->completed = g_ptr_array_new ();
      w->listeners = g_ptr_array_new_with_free_func (g_free);
      w->conns = g_hash_table_new (NULL, NULL);
      w->ready = g_ptr_array_new ();
      w->graveyard = g_ptr_array_new ();
      for (guint l = 0; l < N_LISTS; l++)
        w->lists[l].duration = (gint64)ms[l] * 1000;
      {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->wake };

        epoll_ctl (w->epfd, EPOLL_CTL_ADD, w->wake.fd, &ev);
      }
    }
  return s;
}

static gint
listen_socket (const gchar *address, guint16 port, GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) sa = NULL;
  struct sockaddr_storage ss;
  gint one = 1;
  gint fd;

  if (inet == NULL)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("“%s” is not an IP address"), address);
      return -1;
    }
  sa = g_inet_socket_address_new (inet, port);
  if (!g_socket_address_to_native (sa, &ss, sizeof ss, error))
    return -1;
  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0
      || bind (fd, (struct sockaddr *)&ss, (socklen_t)g_socket_address_get_native_size (sa)) < 0
      || listen (fd, 1024) < 0)
    {
      gint saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_IO,
                   _ ("cannot listen on %s port %u: %s"), address, port, g_strerror (saved));
      return -1;
    }
  return fd;
}

/**
 * synod_http_server_add_daemon:
 * @address: an IP address to listen on ("127.0.0.1", "::")
 * @port: a TCP port, or 0 for one the kernel chooses (see
 *   synod_http_daemon_get_port())
 *
 * Opens one listening socket per worker (SO_REUSEPORT) for @daemon.
 */
gboolean
synod_http_server_add_daemon (SynodHttpServer *s, SynodHttpDaemon *d, const gchar *address,
                              guint16 port, GError **error)
{
  g_autofree gint *fds = g_new0 (gint, s->n_workers);

  g_return_val_if_fail (d->listen_fds->len == 0, FALSE);
  for (guint i = 0; i < s->n_workers; i++)
    {
      fds[i] = listen_socket (address, port, error);
      if (fds[i] < 0)
        {
          for (guint j = 0; j < i; j++)
            close (fds[j]);
          return FALSE;
        }
      if (port == 0)
        {
          struct sockaddr_storage ss;
          socklen_t len = sizeof ss;

          getsockname (fds[i], (struct sockaddr *)&ss, &len);
          port = ntohs (ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
        }
    }
  d->port = port;
  d->address = strchr (address, ':') != NULL ? g_strdup_printf ("[%s]:%u", address, port)
                                             : g_strdup_printf ("%s:%u", address, port);
  for (guint i = 0; i < s->n_workers; i++)
    {
      Worker *w = &s->workers[i];
      Listener *l = g_new0 (Listener, 1);
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

      l->kind = KIND_LISTENER;
      l->fd = fds[i];
      l->daemon = d;
      l->stats = g_new0 (WorkerStats, 1);
      g_ptr_array_add (d->stats, l->stats);
      g_ptr_array_add (d->listen_fds, GINT_TO_POINTER (fds[i]));
      g_ptr_array_add (w->listeners, l);
      epoll_ctl (w->epfd, EPOLL_CTL_ADD, fds[i], &ev);
    }
  g_ptr_array_add (s->daemons, synod_http_daemon_ref (d));
  g_info ("daemon listening on %s port %u with %u workers", address, port, s->n_workers);
  return TRUE;
}

guint
synod_http_server_get_n_connections (SynodHttpServer *s)
{
  return (guint)g_atomic_int_get (&s->n_connections);
}

/* ---- timers ---- */

static void
timer_unlink (Conn *c)
{
  TimerList *l;

  if (c->list == LIST_NONE)
    return;
  l = &c->w->lists[c->list];
  if (c->tprev != NULL)
    c->tprev->tnext = c->tnext;
  else
    l->first = c->tnext;
  if (c->tnext != NULL)
    c->tnext->tprev = c->tprev;
  else
    l->last = c->tprev;
  c->tprev = c->tnext = NULL;
  c->list = LIST_NONE;
}

/* Moves @c to the tail of @list with a fresh deadline. */
static void
timer_set (Conn *c, gint list)
{
  TimerList *l;

  timer_unlink (c);
  if (list == LIST_NONE)
    return;
  l = &c->w->lists[list];
  c->list = list;
  c->deadline = c->w->now + l->duration;
  c->tprev = l->last;
  c->tnext = NULL;
  if (l->last != NULL)
    l->last->tnext = c;
  else
    l->first = c;
  l->last = c;
}

/* ---- connections ---- */

static void conn_process (Conn *c);
static gboolean conn_flush (Conn *c);
static void conn_on_finish (SynodHttpExchange *ex, gpointer user_data);

static void
update_date (Worker *w)
{
  gint64 real = g_get_real_time () / G_USEC_PER_SEC;

  if (real != w->date_at)
    {
      struct tm tm;
      time_t t = (time_t)real;

      gmtime_r (&t, &tm);
      strftime (w->date, sizeof w->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
      w->date_at = real;
    }
}

/* Takes the socket out of the epoll set before closing it: a child forked
 * meanwhile (a program that spawns one) may hold a copy of the descriptor,
 * and epoll would go on reporting the open file for a freed connection. */
static void
conn_close_fd (Conn *c)
{
  epoll_ctl (c->w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->fd = -1;
}

static void
conn_free (Conn *c)
{
  Worker *w = c->w;

  timer_unlink (c);
  g_hash_table_remove (w->conns, c);
  if (c->ready)
    g_ptr_array_remove_fast (w->ready, c);
  if (c->fd >= 0)
    conn_close_fd (c);
  if (c->ssl != NULL)
    SSL_free (c->ssl);
  c->ssl = NULL;
  for (guint i = c->outq_pos; i < c->outq->len; i++)
    {
      OutSeg *s = &g_array_index (c->outq, OutSeg, i);

      if (s->bytes != NULL)
        g_bytes_unref (s->bytes);
      if (s->fd >= 0)
        close (s->fd);
    }
  g_array_unref (c->outq);
  g_string_free (c->out, TRUE);
  synod_http_exchange_clear (&c->ex);
  g_free (c->in);
  __atomic_store_n (&c->stats->closed, c->stats->closed + 1, __ATOMIC_RELAXED);
  g_atomic_int_add (&w->server->n_connections, -1);
  if (w->server->config.connection_closed != NULL)
    w->server->config.connection_closed (c->hook, w->server->config.connection_data);
  /* The memory goes after this round of events: a later event of the same
   * epoll_wait() batch may still name it (a finish from another thread
   * can close a connection whose socket also reported an event). */
  c->dead = TRUE;
  c->freed = TRUE;
  g_ptr_array_add (w->graveyard, c);
}

static void
bury (Worker *w)
{
  for (guint i = 0; i < w->graveyard->len; i++)
    g_free (w->graveyard->pdata[i]);
  g_ptr_array_set_size (w->graveyard, 0);
}

/* Closes now, or as soon as the handler working on it finishes. */
static void
conn_close (Conn *c)
{
  if (c->state == ST_HANDLER)
    {
      c->dead = TRUE;
      timer_unlink (c);
      if (c->fd >= 0)
        conn_close_fd (c);
      return;
    }
  conn_free (c);
}

static void
accept_connections (Worker *w, Listener *l)
{
  SynodHttpServer *s = w->server;

  for (guint n = 0; n < ACCEPT_BATCH; n++)
    {
      struct sockaddr_storage ss;
      socklen_t len = sizeof ss;
      gint fd = accept4 (l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      gint one = 1;
      Conn *c;
      struct epoll_event ev;

      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            g_debug ("accept: %s", g_strerror (errno));
          return;
        }
      if ((guint)g_atomic_int_add (&s->n_connections, 1) >= s->config.max_connections)
        {
          static const gchar busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                      "Connection: close\r\nRetry-After: 1\r\n\r\n";

          g_atomic_int_add (&s->n_connections, -1);
          __atomic_store_n (&l->stats->refused, l->stats->refused + 1, __ATOMIC_RELAXED);
          /* An HTTPS client would read plain bytes as a broken record:
           * it only sees the close. */
          if (l->daemon->tls_cert_file == NULL
              && send (fd, busy, sizeof busy - 1, MSG_NOSIGNAL) < 0)
            g_debug ("connection cap: %s", g_strerror (errno));
          close (fd);
          continue;
        }
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c = g_new0 (Conn, 1);
      if (l->daemon->tls_cert_file != NULL)
        {
          /* The handshake runs in the connection's loop, bounded by the
           * head deadline like a request head. */
          g_mutex_lock (&l->daemon->tls_lock);
          c->ssl = SSL_new (l->daemon->tls);
          g_mutex_unlock (&l->daemon->tls_lock);
          if (c->ssl == NULL || SSL_set_fd (c->ssl, fd) != 1)
            {
              g_debug ("cannot make a TLS connection");
              ERR_clear_error ();
              g_atomic_int_add (&s->n_connections, -1);
              if (c->ssl != NULL)
                SSL_free (c->ssl);
              g_free (c);
              close (fd);
              continue;
            }
          SSL_set_accept_state (c->ssl);
          c->handshaking = TRUE;
        }
      c->kind = KIND_CONN;
      c->fd = fd;
      c->w = w;
      c->daemon = l->daemon;
      c->stats = l->stats;
      __atomic_store_n (&l->stats->accepted, l->stats->accepted + 1, __ATOMIC_RELAXED);
      c->list = LIST_NONE;
      c->in_cap = INPUT_INITIAL;
      c->in = g_malloc (c->in_cap);
      c->out = g_string_sized_new (512);
      c->outq = g_array_sized_new (FALSE, FALSE, sizeof (OutSeg), 8);
      synod_http_exchange_init (&c->ex);
      c->ex.on_finish = conn_on_finish;
      c->ex.on_finish_data = c;
      {
        g_autoptr (GSocketAddress) sa = g_socket_address_new_from_native (&ss, len);

        if (sa != NULL && G_IS_INET_SOCKET_ADDRESS (sa))
          {
            g_autofree gchar *text = g_inet_address_to_string (
                g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa)));

            g_strlcpy (c->ex.remote, text, sizeof c->ex.remote);
          }
      }
      if (s->config.connection_opened != NULL)
        c->hook = s->config.connection_opened (l->daemon, c->ex.remote, s->config.connection_data);
      synod_http_parser_reset (&c->parser);
      g_hash_table_add (w->conns, c);
      timer_set (c, LIST_HEAD);
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = c;
      epoll_ctl (w->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void
out_append_buf (Conn *c, const gchar *p, gsize n)
{
  OutSeg *last
      = c->outq->len > c->outq_pos ? &g_array_index (c->outq, OutSeg, c->outq->len - 1) : NULL;
  gsize off = c->out->len;

  c->out_bytes += n;
  g_string_append_len (c->out, p, (gssize)n);
  if (last != NULL && last->type == SEGMENT_MEMORY && last->bytes == NULL
      && last->off + last->len == off)
    last->len += n;
  else
    {
      OutSeg s = { 0 };

      s.type = SEGMENT_MEMORY;
      s.fd = -1;
      s.off = off;
      s.len = n;
      g_array_append_val (c->outq, s);
    }
}

static void
append_uint (GString *out, guint64 v)
{
  gchar buf[24];
  gint i = sizeof buf;

  do
    {
      buf[--i] = (gchar)('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  g_string_append_len (out, buf + i, (gssize)(sizeof buf - (gsize)i));
}

static void
access_log_request (Conn *c)
{
  AccessLog *log = c->daemon->log;
  SynodHttpExchange *ex = &c->ex;
  gchar when[64];
  struct tm tm;
  time_t t = (time_t)(ex->time / G_USEC_PER_SEC);

  if (log == NULL)
    return;
  gmtime_r (&t, &tm);
  strftime (when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  g_mutex_lock (&log->lock);
  g_string_append_printf (log->buf, "%s - - [%s] \"", ex->remote[0] ? ex->remote : "-", when);
  if (ex->head.method_name.len > 0)
    {
      /* The request line as sent (it holds visible ASCII only). */
      g_string_append_len (log->buf, ex->head.method_name.ptr, (gssize)ex->head.method_name.len);
      g_string_append_c (log->buf, ' ');
      g_string_append_len (log->buf, ex->head.target.ptr, (gssize)ex->head.target.len);
      g_string_append (log->buf, ex->head.version == 10 ? " HTTP/1.0" : " HTTP/1.1");
    }
  else
    g_string_append_c (log->buf, '-');
  g_string_append_printf (log->buf, "\" %u ", ex->status);
  if (ex->body_len > 0)
    g_string_append_printf (log->buf, "%" G_GUINT64_FORMAT "\n", ex->body_len);
  else
    g_string_append (log->buf, "-\n");
  if (log->buf->len >= ACCESS_LOG_FLUSH)
    access_log_flush (log);
  g_mutex_unlock (&log->lock);
}

/* Serializes the finished response of c->ex onto the output queue and
 * readies the connection for its next request. */
static void
conn_complete (Conn *c, gboolean framing_ok)
{
  SynodHttpExchange *ex = &c->ex;
  guint status = ex->status;
  gboolean no_body = status < 200 || status == 204 || status == 304;
  gboolean close = ex->close || !ex->head.keep_alive || !framing_ok
                   || g_atomic_int_get (&c->w->server->stopping);
  GString *o = c->out;
  gsize start = o->len;
  OutSeg hs = { 0 };

  update_date (c->w);
  g_string_append_len (o, "HTTP/1.1 ", 9);
  append_uint (o, status);
  g_string_append_c (o, ' ');
  g_string_append (o, synod_http_status_reason (status));
  g_string_append_len (o, "\r\n", 2);
  g_string_append (o, c->w->date);
  g_string_append (o, c->w->server->server_line);
  g_string_append_len (o, ex->headers->str, (gssize)ex->headers->len);
  if (!no_body)
    {
      g_string_append_len (o, "Content-Length: ", 16);
      append_uint (o, ex->body_len);
      g_string_append_len (o, "\r\n", 2);
    }
  if (close)
    g_string_append_len (o, "Connection: close\r\n\r\n", 21);
  else if (ex->head.version == 10)
    g_string_append_len (o, "Connection: keep-alive\r\n\r\n", 26);
  else
    g_string_append_len (o, "\r\n", 2);

  c->out_bytes += o->len - start;
  /* Header bytes: merge with a preceding header segment when adjacent. */
  {
    OutSeg *last
        = c->outq->len > c->outq_pos ? &g_array_index (c->outq, OutSeg, c->outq->len - 1) : NULL;

    if (last != NULL && last->type == SEGMENT_MEMORY && last->bytes == NULL
        && last->off + last->len == start)
      last->len += o->len - start;
    else
      {
        hs.type = SEGMENT_MEMORY;
        hs.fd = -1;
        hs.off = start;
        hs.len = o->len - start;
        g_array_append_val (c->outq, hs);
      }
  }

  access_log_request (c);
  {
    WorkerStats *st = c->stats;
    guint cls = status >= 100 && status < 600 ? status / 100 - 1 : 4;

    __atomic_store_n (&st->requests, st->requests + 1, __ATOMIC_RELAXED);
    __atomic_store_n (&st->status_classes[cls], st->status_classes[cls] + 1, __ATOMIC_RELAXED);
    if (!no_body && ex->head.method != SYNOD_HTTP_METHOD_HEAD)
      __atomic_store_n (&st->body_bytes, st->body_bytes + ex->body_len, __ATOMIC_RELAXED);
  }
  if (no_body || ex->head.method == SYNOD_HTTP_METHOD_HEAD)
    {
      guint64 len = ex->body_len;

      synod_http_exchange_reset_response (ex);
      ex->body_len = len;
    }
  else
    {
      /* Body segments move to the output queue with their references. */
      for (guint i = 0; i < ex->segments->len; i++)
        {
          Segment *s = &g_array_index (ex->segments, Segment, i);
          OutSeg os = { 0 };

          os.type = (guint8)s->kind;
          os.bytes = s->bytes;
          os.data = s->data;
          os.fd = s->kind == SEGMENT_FILE ? s->fd : -1;
          os.file_off = s->offset;
          os.len = s->len;
          c->out_bytes += s->len;
          g_array_append_val (c->outq, os);
        }
      g_array_set_size (ex->segments, 0);
    }
  g_string_truncate (ex->headers, 0);
  ex->status = 200;
  ex->close = FALSE;
  ex->body_len = 0;
  if (ex->body != NULL)
    g_byte_array_set_size (ex->body, 0);
  g_clear_pointer (&ex->body_bytes, g_bytes_unref);
  g_clear_pointer (&ex->mount_prefix, g_free);

  c->requests++;
  c->in_start = c->body_pos;
  synod_http_parser_reset (&c->parser);
  c->state = close ? ST_CLOSING : ST_HEAD;
}

/* Answers a request the engine itself refuses (parse errors, timeouts). */
static void
conn_fail (Conn *c, const GError *error)
{
  g_debug ("refusing request from %s: %s", c->ex.remote, error->message);
  if (c->ex.time == 0)
    c->ex.time = g_get_real_time ();
  c->ex.close = TRUE;
  synod_http_exchange_respond_gerror (&c->ex, error);
  conn_complete (c, FALSE);
}

static SynodUrlDirectory *
site_for (Conn *c)
{
  SynodHttpDaemon *d = c->daemon;

  if (g_hash_table_size (d->vhosts) > 0 && c->ex.host->len > 0)
    {
      SynodUrlDirectory *site = g_hash_table_lookup (d->vhosts, c->ex.host->str);

      if (site != NULL)
        return site;
    }
  return d->default_site;
}

static void
conn_dispatch (Conn *c)
{
  SynodHttpExchange *ex = &c->ex;
  SynodHttpHandler *h;

  ex->directory = site_for (c);
  c->state = ST_HANDLER;
  if (c->daemon->auth != NULL && !synod_http_auth_check (c->daemon->auth, ex, c->ssl != NULL))
    {
      timer_unlink (c);
      conn_complete (c, TRUE);
      return;
    }
  h = synod_url_directory_lookup (ex->directory, ex->path->str, ex->path->len, &ex->mount_prefix);
  c->state = ST_HANDLER;
  timer_unlink (c);
  if (h == NULL)
    {
      synod_http_exchange_respond_error (ex, 404, NULL);
      conn_complete (c, TRUE);
      return;
    }
  c->dispatching = TRUE;
  synod_http_exchange_dispatch (ex, h);
  c->dispatching = FALSE;
  synod_http_handler_unref (h);
}

static void
conn_on_finish (SynodHttpExchange *ex, gpointer user_data)
{
  Conn *c = user_data;
  Worker *w = c->w;

  if (current_worker == w && c->dispatching)
    {
      conn_complete (c, TRUE);
      return;
    }
  /* Finished later, maybe on another thread: the worker takes it from here.
   * Only the first completion after the worker emptied the list wakes it:
   * it takes the whole list at once, so later ones ride along. */
  {
    gboolean first;

    g_mutex_lock (&w->lock);
    first = w->completed->len == 0;
    g_ptr_array_add (w->completed, c);
    g_mutex_unlock (&w->lock);
    if (first)
      {
        guint64 one = 1;

        if (write (w->wake.fd, &one, sizeof one) < 0)
          g_debug ("wake: %s", g_strerror (errno));
      }
  }
}

/* Moves the parsed head's slices that point into @old_base to @new_base. */
static void
rebase_head (SynodHttpRequestHead *h, const gchar *old_base, gsize old_len, gchar *new_base)
{
  SynodHttpSlice *slices[] = { &h->method_name, &h->target, &h->path, &h->query, &h->host };

  for (gsize i = 0; i < G_N_ELEMENTS (slices); i++)
    if (slices[i]->ptr >= old_base && slices[i]->ptr < old_base + old_len)
      slices[i]->ptr = new_base + (slices[i]->ptr - old_base);
  for (guint i = 0; i < h->n_headers; i++)
    {
      SynodHttpSlice *pair[] = { &h->headers[i].name, &h->headers[i].value };

      for (guint j = 0; j < 2; j++)
        if (pair[j]->ptr >= old_base && pair[j]->ptr <= old_base + old_len)
          pair[j]->ptr = new_base + (pair[j]->ptr - old_base);
    }
}

/* Makes room in the input buffer; a parsed head (body state) moves with
 * its bytes. Returns FALSE when the buffer is at its largest and full. */
static gboolean
conn_make_room (Conn *c)
{
  SynodHttpServerConfig *cfg = &c->w->server->config;
  gsize cap_max = cfg->limits.max_header_bytes + 2 * INPUT_INITIAL;

  if (c->in_end == c->in_cap && c->in_start > 0 && (c->state == ST_HEAD || c->state == ST_BODY))
    {
      gsize shift = c->in_start;

      memmove (c->in, c->in + shift, c->in_end - shift);
      if (c->state == ST_BODY)
        rebase_head (&c->ex.head, c->in + shift, c->in_end - shift, c->in);
      c->in_end -= shift;
      c->body_pos -= MIN (c->body_pos, shift);
      c->in_start = 0;
    }
  else if (c->state == ST_HEAD && c->in_start == c->in_end)
    {
      c->in_start = c->in_end = c->body_pos = 0;
    }
  if (c->in_end < c->in_cap)
    return TRUE;
  if (c->in_cap >= cap_max)
    return FALSE;
  {
    gchar *old = c->in;
    gsize old_cap = c->in_cap;

    c->in_cap = MIN (c->in_cap * 2, cap_max);
    c->in = g_realloc (c->in, c->in_cap);
    if (c->in != old && c->state == ST_BODY)
      rebase_head (&c->ex.head, old, old_cap, c->in);
  }
  return TRUE;
}

/* ---- TLS (HTTPS daemons only; the plain path never comes here) ---- */

/* Logs why a TLS connection failed (debug: hostile or broken clients are
 * routine); no TLS call is made on it any more. */
static void
tls_fail (Conn *c, const gchar *what, gint err)
{
  gint saved = errno;
  gulong e = ERR_peek_last_error ();
  gchar reason[256];

  if (e != 0)
    ERR_error_string_n (e, reason, sizeof reason);
  else if (err == SSL_ERROR_SYSCALL && saved != 0)
    g_strlcpy (reason, g_strerror (saved), sizeof reason);
  else
    g_strlcpy (reason, "connection closed", sizeof reason);
  ERR_clear_error ();
  c->tls_failed = TRUE;
  g_debug ("closing connection from %s: TLS %s failed: %s", c->ex.remote, what, reason);
}

/* Runs the handshake as far as the socket allows. Returns 1 when it is
 * done, 0 when it waits for the socket (any event runs it again), -1 when
 * it failed (plain HTTP, garbage, a protocol or version the server refuses). */
static gint
conn_tls_handshake (Conn *c)
{
  gint r, err;

  ERR_clear_error ();
  r = SSL_do_handshake (c->ssl);
  if (r == 1)
    {
      c->handshaking = FALSE;
      return 1;
    }
  err = SSL_get_error (c->ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return 0;
  tls_fail (c, "handshake", err);
  return -1;
}

/* Reads until OpenSSL wants the socket: a short read says nothing here, as
 * a record may hold less than the socket has, and bytes decrypted but
 * not taken would wake no epoll. */
static gboolean
conn_tls_read (Conn *c, gboolean *ret_progress)
{
  for (;;)
    {
      gint r, err;

      if (!conn_make_room (c))
        {
          c->need_read = TRUE;
          return TRUE;
        }
      ERR_clear_error ();
      r = SSL_read (c->ssl, c->in + c->in_end, (gint)MIN (c->in_cap - c->in_end, G_MAXINT));
      if (r > 0)
        {
          c->in_end += (gsize)r;
          *ret_progress = TRUE;
          continue;
        }
      err = SSL_get_error (c->ssl, r);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return TRUE; /* every event of a TLS connection reads again */
      if (err == SSL_ERROR_ZERO_RETURN)
        return FALSE; /* close_notify, or the end of the stream */
      tls_fail (c, "read", err);
      return FALSE;
    }
}

/* Drops @n written bytes from the head of the output queue. */
static void
outq_consume (Conn *c, gsize n)
{
  c->out_bytes -= n;
  while (n > 0)
    {
      OutSeg *t = &g_array_index (c->outq, OutSeg, c->outq_pos);
      gsize k = MIN (n, t->len);

      n -= k;
      t->len -= k;
      if (t->type == SEGMENT_FILE)
        t->file_off += (goffset)k;
      else if (t->bytes != NULL)
        t->data += k;
      else
        t->off += k;
      if (t->len == 0)
        {
          if (t->bytes != NULL)
            g_bytes_unref (t->bytes);
          t->bytes = NULL;
          if (t->fd >= 0)
            close (t->fd);
          t->fd = -1;
          c->outq_pos++;
        }
    }
}

/* Everything queued is written: the queue starts empty again. */
static void
outq_sent (Conn *c)
{
  c->want_write = FALSE;
  c->out_bytes = 0;
  g_array_set_size (c->outq, 0);
  c->outq_pos = 0;
  g_string_truncate (c->out, 0);
}

/* Writes queued output through TLS in pieces of at most TLS_CHUNK bytes:
 * small segments (a head and a small body) are gathered into one record,
 * a large memory segment is written in place, a file range is read into
 * the worker's buffer (sendfile() cannot encrypt). A write OpenSSL could
 * not finish is repeated with the same bytes and length. */
static gboolean
conn_tls_flush (Conn *c)
{
  Worker *w = c->w;

  if (c->tls_failed || c->handshaking)
    return !c->tls_failed;
  if (w->tls_buf == NULL)
    w->tls_buf = g_malloc (TLS_CHUNK);
  while (c->outq_pos < c->outq->len)
    {
      OutSeg *s = &g_array_index (c->outq, OutSeg, c->outq_pos);
      gsize want = c->tls_retry > 0 ? c->tls_retry : TLS_CHUNK;
      const guint8 *p;
      gsize n;
      gint r, err;

      if (s->type == SEGMENT_FILE)
        {
          gssize got = pread (s->fd, w->tls_buf, MIN (s->len, want), (off_t)s->file_off);

          if (got < 0 && errno == EINTR)
            continue;
          if (got <= 0)
            {
              g_debug ("closing connection from %s: file read failed while sending", c->ex.remote);
              return FALSE;
            }
          p = w->tls_buf;
          n = (gsize)got;
        }
      else if (s->len >= want)
        {
          p = s->bytes != NULL ? s->data : (const guint8 *)c->out->str + s->off;
          n = want;
        }
      else
        {
          n = 0;
          for (guint i = c->outq_pos; i < c->outq->len && n < want; i++)
            {
              OutSeg *t = &g_array_index (c->outq, OutSeg, i);
              gsize k = MIN (t->len, want - n);

              if (t->type == SEGMENT_FILE)
                break;
              memcpy (w->tls_buf + n, t->bytes != NULL ? t->data : (guint8 *)c->out->str + t->off,
                      k);
              n += k;
            }
          p = w->tls_buf;
        }
      ERR_clear_error ();
      r = SSL_write (c->ssl, p, (gint)n);
      if (r > 0)
        {
          c->tls_retry = 0;
          outq_consume (c, (gsize)r);
          continue;
        }
      err = SSL_get_error (c->ssl, r);
      if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
        {
          c->tls_retry = n;
          c->want_write = TRUE;
          return TRUE;
        }
      tls_fail (c, "write", err);
      return FALSE;
    }
  outq_sent (c);
  return TRUE;
}

/* Reads what the socket has. Returns FALSE when the connection is gone. */
static gboolean
conn_read (Conn *c, gboolean drain, gboolean *ret_progress)
{
  *ret_progress = FALSE;
  if (c->ssl != NULL)
    return conn_tls_read (c, ret_progress);
  for (;;)
    {
      gssize r;

      if (!conn_make_room (c))
        {
          /* Full of requests not yet answered: read on once they are. */
          c->need_read = TRUE;
          return TRUE;
        }
      r = read (c->fd, c->in + c->in_end, c->in_cap - c->in_end);
      if (r > 0)
        {
          gsize asked = c->in_cap - c->in_end;

          c->in_end += (gsize)r;
          *ret_progress = TRUE;
          if ((gsize)r < asked && !drain)
            return TRUE; /* drained (edge-triggered: a new edge will come) */
          continue;
        }
      if (r == 0)
        return FALSE;
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        return TRUE;
      return FALSE;
    }
}

/* Parses and answers every complete request in the buffer. */
static void
conn_process (Conn *c)
{
  SynodHttpServerConfig *cfg = &c->w->server->config;

  while (c->state == ST_HEAD || c->state == ST_BODY)
    {
      g_autoptr (GError) error = NULL;

      if (c->state == ST_HEAD)
        {
          SynodHttpExchange *ex = &c->ex;
          SynodHttpParseResult r;

          if (c->in_end == c->in_start || c->out_bytes > OUT_HIGH_WATER)
            return;
          r = synod_http_parser_parse_head (&c->parser, &cfg->limits, c->in + c->in_start,
                                            c->in_end - c->in_start, &ex->head, &error);
          if (r == SYNOD_HTTP_PARSE_AGAIN)
            return;
          ex->time = g_get_real_time ();
          if (r == SYNOD_HTTP_PARSE_ERROR)
            {
              memset (&ex->head, 0, G_STRUCT_OFFSET (SynodHttpRequestHead, headers));
              ex->head.n_headers = 0;
              c->body_pos = c->in_end;
              conn_fail (c, error);
              return;
            }
          c->body_pos = c->in_start + ex->head.head_len;
          normalize_host (ex->head.host.ptr, ex->head.host.len, ex->host);
          g_string_truncate (ex->query, 0);
          if (ex->head.query.len > 0)
            g_string_append_len (ex->query, ex->head.query.ptr, (gssize)ex->head.query.len);
          if (ex->head.expect_unknown)
            {
              g_set_error_literal (&error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_EXPECTATION_FAILED,
                                   _ ("unsupported expectation"));
              conn_fail (c, error);
              return;
            }
          if (!synod_http_normalize_path (ex->head.path.ptr, ex->head.path.len, ex->path, &error))
            {
              conn_fail (c, error);
              return;
            }
          synod_http_body_decoder_init (&c->dec, &ex->head, &cfg->limits);
          if (!synod_http_body_decoder_is_done (&c->dec))
            {
              c->state = ST_BODY;
              if (ex->body == NULL)
                ex->body = g_byte_array_new ();
              if (ex->head.expect_continue && ex->head.version == 11 && c->body_pos == c->in_end)
                {
                  static const gchar cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

                  out_append_buf (c, cont, sizeof cont - 1);
                  conn_flush (c);
                }
              timer_set (c, LIST_BODY);
              continue;
            }
          conn_dispatch (c);
        }
      else
        {
          gsize consumed = 0;
          gboolean done = FALSE;
          gsize region = c->in_start + c->ex.head.head_len;

          if (!synod_http_body_decoder_feed (&c->dec, (const guint8 *)c->in + c->body_pos,
                                             c->in_end - c->body_pos, c->ex.body, &consumed, &done,
                                             &error))
            {
              c->body_pos = c->in_end;
              conn_fail (c, error);
              return;
            }
          c->body_pos += consumed;
          if (!done)
            {
              /* Drop the decoded bytes; keep the head where it is. */
              memmove (c->in + region, c->in + c->body_pos, c->in_end - c->body_pos);
              c->in_end -= c->body_pos - region;
              c->body_pos = region;
              return;
            }
          conn_dispatch (c);
        }
    }
}

/* Writes queued output. Returns FALSE when the connection failed. */
static gboolean
conn_flush (Conn *c)
{
  if (c->ssl != NULL)
    return conn_tls_flush (c);
  while (c->outq_pos < c->outq->len)
    {
      OutSeg *s = &g_array_index (c->outq, OutSeg, c->outq_pos);
      gssize r;

      if (s->type == SEGMENT_FILE)
        {
          off_t off = (off_t)s->file_off;

          r = sendfile (c->fd, s->fd, &off, s->len);
          if (r > 0)
            {
              c->out_bytes -= (guint64)r;
              s->file_off += r;
              s->len -= (gsize)r;
              if (s->len == 0)
                {
                  close (s->fd);
                  s->fd = -1;
                  c->outq_pos++;
                }
              continue;
            }
        }
      else
        {
          struct iovec iov[IOV_BATCH];
          guint n = 0;

          for (guint i = c->outq_pos; i < c->outq->len && n < IOV_BATCH; i++)
            {
              OutSeg *t = &g_array_index (c->outq, OutSeg, i);

              if (t->type == SEGMENT_FILE)
                break;
              iov[n].iov_base = t->bytes != NULL ? (gpointer)t->data : c->out->str + t->off;
              iov[n].iov_len = t->len;
              n++;
            }
          {
            /* sendmsg for MSG_NOSIGNAL: a vanished client is EPIPE, not SIGPIPE. */
            struct msghdr msg = { 0 };

            msg.msg_iov = iov;
            msg.msg_iovlen = n;
            r = sendmsg (c->fd, &msg, MSG_NOSIGNAL);
          }
          if (r > 0)
            {
              gsize left = (gsize)r;

              c->out_bytes -= (guint64)r;

              while (left > 0)
                {
                  OutSeg *t = &g_array_index (c->outq, OutSeg, c->outq_pos);

                  if (left >= t->len)
                    {
                      left -= t->len;
                      if (t->bytes != NULL)
                        g_bytes_unref (t->bytes);
                      t->bytes = NULL;
                      c->outq_pos++;
                    }
                  else
                    {
                      if (t->bytes != NULL)
                        t->data += left;
                      else
                        t->off += left;
                      t->len -= left;
                      left = 0;
                    }
                }
              continue;
            }
        }
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        {
          c->want_write = TRUE;
          return TRUE;
        }
      return FALSE;
    }
  outq_sent (c);
  return TRUE;
}

/* Chooses the deadline list for @c's present state. */
static void
conn_schedule (Conn *c, gboolean progress)
{
  gint want;

  if (c->want_write)
    want = LIST_SEND;
  else if (c->state == ST_HANDLER)
    want = LIST_NONE;
  else if (c->state == ST_BODY)
    want = LIST_BODY;
  else if (c->in_end == c->in_start && c->requests > 0)
    want = LIST_IDLE;
  else
    want = LIST_HEAD;
  /* The head deadline runs from the head's first byte, however slowly the
   * rest comes (slowloris); the others restart on progress. */
  if (want != c->list || (progress && want != LIST_HEAD && want != LIST_IDLE))
    timer_set (c, want);
}

/* Runs after input, completion or writability: read, process, write, schedule. */
static void
conn_run (Conn *c, gboolean readable, gboolean hangup, gboolean writable)
{
  gboolean progress = FALSE;
  gboolean open = TRUE;

  if (c->handshaking)
    {
      gint hs = conn_tls_handshake (c);

      if (hs < 0)
        {
          conn_close (c);
          return;
        }
      if (hs == 0)
        {
          conn_schedule (c, FALSE); /* stays on the head deadline */
          return;
        }
      readable = TRUE; /* the first request may have come with the Finished */
    }
  /* A few rounds: writing may lift backpressure and let buffered or unread
   * requests go on (edge-triggered: no new event would come for them). */
  for (guint round = 0; round < 4; round++)
    {
      gboolean wrote = FALSE;

      if (c->state == ST_HEAD || c->state == ST_BODY)
        {
          if ((readable || c->need_read) && c->out_bytes > OUT_HIGH_WATER)
            c->need_read = TRUE;
          else if (readable || c->need_read)
            {
              gboolean got = FALSE;

              c->need_read = FALSE;
              readable = FALSE;
              open = conn_read (c, hangup, &got) && open;
              progress = progress || got;
            }
          conn_process (c);
        }
      if (c->outq_pos < c->outq->len && (writable || !c->want_write))
        {
          guint64 before = c->out_bytes;

          if (!conn_flush (c))
            {
              conn_close (c);
              return;
            }
          wrote = c->out_bytes != before;
          progress = progress || wrote;
        }
      if (!wrote || !(c->need_read || (c->state == ST_HEAD && c->in_end > c->in_start)))
        break;
    }
  if (!open && (c->state == ST_HEAD || c->state == ST_BODY))
    {
      /* The client closed its side: every complete request it sent has been
       * answered; send what is queued, then close. */
      c->state = ST_CLOSING;
    }
  if (c->state == ST_CLOSING && c->outq_pos >= c->outq->len)
    {
      if (c->ssl != NULL && !c->tls_failed && !c->handshaking)
        {
          ERR_clear_error ();
          SSL_shutdown (c->ssl); /* close_notify, once; no wait for the peer's */
          ERR_clear_error ();
        }
      shutdown (c->fd, SHUT_WR);
      conn_close (c);
      return;
    }
  if (c->need_read && !c->ready && c->out_bytes <= OUT_HIGH_WATER
      && (c->state == ST_HEAD || c->state == ST_BODY))
    {
      /* Unread input and room again: run once more after this round of
       * events (other connections get their turn first). */
      c->ready = TRUE;
      g_ptr_array_add (c->w->ready, c);
    }
  conn_schedule (c, progress);
}

static void
expire_timers (Worker *w)
{
  for (guint l = 0; l < N_LISTS; l++)
    while (w->lists[l].first != NULL && w->lists[l].first->deadline <= w->now)
      {
        Conn *c = w->lists[l].first;

        timer_unlink (c);
        if (l == LIST_HEAD && c->in_end > c->in_start && c->outq_pos >= c->outq->len)
          {
            g_autoptr (GError) error
                = g_error_new_literal (SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_TIMEOUT,
                                       _ ("request head not received in time"));

            c->body_pos = c->in_end;
            conn_fail (c, error);
            conn_flush (c);
          }
        g_debug ("closing connection from %s: timeout (%s)", c->ex.remote,
                 (const gchar *[]){ "head", "body", "idle", "send" }[l]);
        conn_close (c);
      }
}

static gint
next_timeout_ms (Worker *w)
{
  gint64 next = w->now + G_USEC_PER_SEC; /* at least once a second: logs, stop */

  for (guint l = 0; l < N_LISTS; l++)
    if (w->lists[l].first != NULL)
      next = MIN (next, w->lists[l].first->deadline);
  return (gint)MAX (0, (next - w->now + 999) / 1000);
}

static void
flush_logs (SynodHttpServer *s)
{
  for (guint i = 0; i < s->daemons->len; i++)
    {
      SynodHttpDaemon *d = g_ptr_array_index (s->daemons, i);

      if (d->log != NULL)
        {
          g_mutex_lock (&d->log->lock);
          access_log_flush (d->log);
          g_mutex_unlock (&d->log->lock);
        }
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  SynodHttpServer *s = w->server;
  struct epoll_event events[128];

  current_worker = w;
  w->now = g_get_monotonic_time ();
  w->last_tick = w->now;
  while (!g_atomic_int_get (&s->stopping))
    {
      gint n = epoll_wait (w->epfd, events, G_N_ELEMENTS (events),
                           w->ready->len > 0 ? 0 : next_timeout_ms (w));

      w->now = g_get_monotonic_time ();
      for (gint i = 0; i < n; i++)
        {
          gint kind = *(gint *)events[i].data.ptr;

          if (kind == KIND_LISTENER)
            accept_connections (w, events[i].data.ptr);
          else if (kind == KIND_WAKE)
            {
              guint64 v;
              g_autoptr (GPtrArray) done = NULL;

              if (read (w->wake.fd, &v, sizeof v) < 0 && errno != EAGAIN)
                g_debug ("wake: %s", g_strerror (errno));
              g_mutex_lock (&w->lock);
              done = g_steal_pointer (&w->completed);
              w->completed = g_ptr_array_new ();
              g_mutex_unlock (&w->lock);
              for (guint j = 0; j < done->len; j++)
                {
                  Conn *c = g_ptr_array_index (done, j);

                  conn_complete (c, TRUE);
                  if (c->dead)
                    {
                      conn_free (c);
                      continue;
                    }
                  conn_run (c, TRUE, TRUE, TRUE);
                }
            }
          else
            {
              Conn *c = events[i].data.ptr;
              guint32 e = events[i].events;

              if (c->dead)
                continue;
              if ((e & (EPOLLERR | EPOLLHUP)) && c->state != ST_HANDLER)
                {
                  conn_close (c);
                  continue;
                }
              /* A TLS connection reads on any event: OpenSSL may want the
               * socket for a write in its read, or the reverse. */
              conn_run (c, (e & (EPOLLIN | EPOLLRDHUP)) != 0 || c->ssl != NULL,
                        (e & EPOLLRDHUP) != 0, (e & EPOLLOUT) != 0);
            }
        }
      if (w->ready->len > 0)
        {
          g_autoptr (GPtrArray) ready = g_steal_pointer (&w->ready);

          w->ready = g_ptr_array_new ();
          for (guint j = 0; j < ready->len; j++)
            ((Conn *)g_ptr_array_index (ready, j))->ready = FALSE;
          for (guint j = 0; j < ready->len; j++)
            {
              Conn *c = g_ptr_array_index (ready, j);

              /* Only this connection's own run can free it; check anyway. */
              if (g_hash_table_contains (w->conns, c) && !c->dead)
                conn_run (c, FALSE, FALSE, FALSE);
            }
        }
      expire_timers (w);
      bury (w);
      if (w->now - w->last_tick >= G_USEC_PER_SEC)
        {
          w->last_tick = w->now;
          if (w->index == 0)
            flush_logs (s);
        }
    }

  /* Stopping: wait a little for handlers still working, then close all. */
  {
    gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
    GHashTableIter it;
    gpointer key;

    for (;;)
      {
        gboolean pending = FALSE;
        g_autoptr (GPtrArray) done = NULL;

        g_mutex_lock (&w->lock);
        done = g_steal_pointer (&w->completed);
        w->completed = g_ptr_array_new ();
        g_mutex_unlock (&w->lock);
        for (guint j = 0; j < done->len; j++)
          {
            Conn *c = g_ptr_array_index (done, j);

            c->state = ST_CLOSING;
            conn_free (c);
          }
        g_hash_table_iter_init (&it, w->conns);
        while (g_hash_table_iter_next (&it, &key, NULL))
          if (((Conn *)key)->state == ST_HANDLER)
            pending = TRUE;
        if (!pending || g_get_monotonic_time () > until)
          break;
        g_usleep (10000);
      }
    {
      g_autoptr (GList) all = g_hash_table_get_keys (w->conns);

      for (GList *l = all; l != NULL; l = l->next)
        {
          Conn *c = l->data;

          if (c->state == ST_HANDLER)
            g_warning ("a handler did not finish before the server stopped");
          else
            conn_free (c);
        }
    }
    bury (w);
  }
  return NULL;
}

/**
 * synod_http_server_start:
 *
 * Starts the worker threads; daemons added before are served at once.
 */
gboolean
synod_http_server_start (SynodHttpServer *s, GError **error)
{
  g_return_val_if_fail (!s->started, FALSE);
  /* sendfile() has no MSG_NOSIGNAL: a client that vanishes mid-file must
   * give EPIPE, not kill the process (GLib's GSocket makes the same call). */
  signal (SIGPIPE, SIG_IGN);
  for (guint i = 0; i < s->n_workers; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("http-worker-%u", i);

      s->workers[i].thread = g_thread_try_new (name, worker_main, &s->workers[i], error);
      if (s->workers[i].thread == NULL)
        {
          synod_http_server_stop (s);
          return FALSE;
        }
    }
  s->started = TRUE;
  return TRUE;
}

/**
 * synod_http_server_stop:
 *
 * Stops accepting, closes every connection and joins the workers.
 */
void
synod_http_server_stop (SynodHttpServer *s)
{
  g_atomic_int_set (&s->stopping, 1);
  for (guint i = 0; i < s->n_workers; i++)
    {
      guint64 one = 1;

      if (write (s->workers[i].wake.fd, &one, sizeof one) < 0)
        g_debug ("wake: %s", g_strerror (errno));
    }
  for (guint i = 0; i < s->n_workers; i++)
    if (s->workers[i].thread != NULL)
      {
        g_thread_join (s->workers[i].thread);
        s->workers[i].thread = NULL;
      }
  flush_logs (s);
}

void
synod_http_server_free (SynodHttpServer *s)
{
  if (s == NULL)
    return;
  synod_http_server_stop (s);
  for (guint i = 0; i < s->n_workers; i++)
    {
      Worker *w = &s->workers[i];

      for (guint j = 0; j < w->listeners->len; j++)
        close (((Listener *)g_ptr_array_index (w->listeners, j))->fd);
      g_ptr_array_unref (w->listeners);
      g_ptr_array_unref (w->completed);
      g_hash_table_unref (w->conns);
      g_ptr_array_unref (w->ready);
      g_ptr_array_unref (w->graveyard);
      g_free (w->tls_buf);
      close (w->epfd);
      close (w->wake.fd);
      g_mutex_clear (&w->lock);
    }
  g_free (s->workers);
  g_ptr_array_unref (s->daemons);
  g_free (s->server_line);
  g_free (s);
}
