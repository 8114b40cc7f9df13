/* synod-http-server.h — the connection engine (HTTPfastReceive) and listeners (HTTPdaemon).
 *
 * A SynodHttpServer owns the worker threads of a process's web serving.
 * Each worker runs its own epoll loop over its own SO_REUSEPORT listening
 * socket for every daemon, and over the connections it accepted: a
 * connection lives on one thread for its whole life, so its input, parsing,
 * dispatch and output never take a lock (see docs/httpd.md for the choice).
 *
 * A SynodHttpDaemon is one web site as the paper has it: a listening
 * address, a default site (a URL directory) and any number of name-based
 * virtual hosts (Host -> URL directory). Several daemons share one server.
 *
 * Per connection the engine does what the paper's HTTPfastReceive does:
 * strict parsing, keep-alive, pipelining answered in order, request bodies
 * (Content-Length and chunked), Expect: 100-continue, and the deadlines and
 * caps that keep a hostile client from holding the server (header-read
 * deadline against slowloris, body progress, idle keep-alive, send progress,
 * connection cap).
 *
 * A daemon given a certificate (synod_http_daemon_set_tls()) speaks HTTPS
 * on its listener: one SSL object per connection, on the connection's
 * worker, with the same deadlines and caps (docs/httpd.md, "HTTPS").
 */
#pragma once

#include "synod-http-handler.h"
#include "synod-http-auth.h"
#include "synod-url-directory.h"

G_BEGIN_DECLS

#define SYNOD_HTTP_DEFAULT_MAX_CONNECTIONS 4096
#define SYNOD_HTTP_DEFAULT_HEADER_TIMEOUT_MS 10000
#define SYNOD_HTTP_DEFAULT_BODY_TIMEOUT_MS 30000
#define SYNOD_HTTP_DEFAULT_KEEPALIVE_TIMEOUT_MS 15000
#define SYNOD_HTTP_DEFAULT_SEND_TIMEOUT_MS 30000
/* Most worker threads one server may run. */
#define SYNOD_HTTP_MAX_WORKERS 256

typedef struct _SynodHttpDaemon SynodHttpDaemon;

/**
 * SynodHttpServerConfig:
 * @n_workers: worker threads (0: one per CPU)
 * @max_connections: open client connections at once, over all daemons;
 *   beyond it a new connection gets 503 and is closed
 * @header_timeout_ms: time allowed for a whole request head, from its first
 *   byte (or from the connection's start), however slowly it trickles (408)
 * @body_timeout_ms: longest pause while a request body arrives
 * @keepalive_timeout_ms: longest idle time between requests
 * @send_timeout_ms: longest time without progress while sending a response
 * @limits: request line, head, header count and body limits
 * @server_header: value of the Server field (NULL: "Synod")
 * @connection_opened: (nullable): called on the worker that accepted a
 *   connection, with its daemon and client address; what it returns is
 *   given to @connection_closed when the connection is freed
 * @connection_closed: (nullable): see @connection_opened
 * @connection_data: for both
 */
typedef struct
{
  guint n_workers;
  guint max_connections;
  guint header_timeout_ms;
  guint body_timeout_ms;
  guint keepalive_timeout_ms;
  guint send_timeout_ms;
  SynodHttpLimits limits;
  const gchar *server_header;
  gpointer (*connection_opened) (SynodHttpDaemon *daemon, const gchar *remote,
                                 gpointer connection_data);
  void (*connection_closed) (gpointer connection, gpointer connection_data);
  gpointer connection_data;
} SynodHttpServerConfig;

void synod_http_server_config_init (SynodHttpServerConfig *config);

typedef struct _SynodHttpServer SynodHttpServer;

SynodHttpDaemon *synod_http_daemon_new (SynodUrlDirectory *default_site);
SynodHttpDaemon *synod_http_daemon_ref (SynodHttpDaemon *daemon);
void synod_http_daemon_unref (SynodHttpDaemon *daemon);
void synod_http_daemon_add_virtual_host (SynodHttpDaemon *daemon, const gchar *host,
                                         SynodUrlDirectory *site);
gboolean synod_http_daemon_set_access_log (SynodHttpDaemon *daemon, const gchar *path,
                                           GError **error);
gboolean synod_http_daemon_set_tls (SynodHttpDaemon *daemon, const gchar *cert_file,
                                    const gchar *key_file, GError **error);
gboolean synod_http_daemon_reload_tls (SynodHttpDaemon *daemon, GError **error);
gboolean synod_http_daemon_is_tls (SynodHttpDaemon *daemon);
void synod_http_daemon_set_auth (SynodHttpDaemon *daemon, SynodHttpAuth *auth);
SynodHttpAuth *synod_http_daemon_get_auth (SynodHttpDaemon *daemon);
guint16 synod_http_daemon_get_port (SynodHttpDaemon *daemon);
const gchar *synod_http_daemon_get_address (SynodHttpDaemon *daemon);

/**
 * SynodHttpDaemonStats:
 * @requests: responses sent (engine refusals included)
 * @status_classes: responses by class, 1xx at index 0 to 5xx at 4
 * @body_bytes: response body bytes (HEAD and bodiless statuses count 0)
 * @accepted: connections accepted
 * @open: connections open now
 * @refused: connections refused at the cap (503)
 */
typedef struct
{
  guint64 requests;
  guint64 status_classes[5];
  guint64 body_bytes;
  guint64 accepted;
  guint64 open;
  guint64 refused;
} SynodHttpDaemonStats;

void synod_http_daemon_get_stats (SynodHttpDaemon *daemon, SynodHttpDaemonStats *ret_stats);

SynodHttpServer *synod_http_server_new (const SynodHttpServerConfig *config);
gboolean synod_http_server_add_daemon (SynodHttpServer *server, SynodHttpDaemon *daemon,
                                       const gchar *address, guint16 port, GError **error);
gboolean synod_http_server_start (SynodHttpServer *server, GError **error);
void synod_http_server_stop (SynodHttpServer *server);
void synod_http_server_free (SynodHttpServer *server);
guint synod_http_server_get_n_connections (SynodHttpServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodHttpDaemon, synod_http_daemon_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodHttpServer, synod_http_server_free)

G_END_DECLS
