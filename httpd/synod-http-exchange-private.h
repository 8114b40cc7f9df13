/* synod-http-exchange-private.h — the exchange's layout, for the engine and sub-requests.
 *
 * The connection engine embeds one exchange per connection and reuses it
 * from request to request (no allocation on the fast path); an SSI virtual
 * include creates a free-standing one whose finish delivers the body to the
 * including page instead of a socket.
 */
#pragma once

#include "synod-http-handler.h"

G_BEGIN_DECLS

typedef enum
{
  SEGMENT_MEMORY, /* a slice of a GBytes */
  SEGMENT_FILE,   /* a range of a file (sendfile); the exchange owns the fd */
} SegmentKind;

typedef struct
{
  SegmentKind kind;
  GBytes *bytes;
  const guint8 *data;
  gint fd;
  goffset offset;
  gsize len;
} Segment;

enum
{
  EXCHANGE_IDLE,
  EXCHANGE_IN_HANDLER, /* handle() is running */
  EXCHANGE_FINISHED,   /* finish() was called while handle() was running */
  EXCHANGE_WAITING,    /* handle() returned without finishing */
};

typedef void (*ExchangeFinishFunc) (SynodHttpExchange *exchange, gpointer user_data);

struct _SynodHttpExchange
{
  /* request */
  SynodHttpRequestHead head;
  GString *path;  /* percent-decoded, dot-segments removed */
  GString *query; /* raw query, NUL-terminated */
  GString *host;  /* Host, lowercased, without port */
  GByteArray *body;
  GBytes *body_bytes; /* lazily made view of @body */
  gchar remote[64];
  gchar *mount_prefix;
  SynodUrlDirectory *directory; /* (not owned) */
  gint64 time;
  guint depth;
  gchar *top_path;   /* sub-requests: the path the client asked for */
  gchar *owned_head; /* sub-requests own the bytes their head points into */
  const gchar *principal; /* interned "web:..." on a daemon with users, else NULL */
  /* On a daemon with users: may a sub-request of this one reach @path? */
  gboolean (*guard) (gpointer guard_data, const gchar *principal, const gchar *path);
  gpointer guard_data;

  /* response */
  guint status;
  GString *headers;
  GArray *segments; /* of Segment */
  guint64 body_len;
  gboolean close;

  /* completion */
  gint state;
  ExchangeFinishFunc on_finish;
  gpointer on_finish_data;
};

void synod_http_exchange_init (SynodHttpExchange *exchange);
void synod_http_exchange_clear (SynodHttpExchange *exchange);
void synod_http_exchange_reset_response (SynodHttpExchange *exchange);
void synod_http_exchange_dispatch (SynodHttpExchange *exchange, SynodHttpHandler *handler);
gboolean synod_http_normalize_path (const gchar *raw, gsize len, GString *out, GError **error);

SynodHttpExchange *synod_http_exchange_new_subrequest (SynodHttpExchange *parent, const gchar *uri,
                                                       ExchangeFinishFunc on_finish,
                                                       gpointer user_data, GError **error);
SynodHttpExchange *synod_http_exchange_new_detached (
    const gchar *method, const gchar *path, const gchar *query, const gchar *const *names,
    const gchar *const *values, guint n_fields, GBytes *body, const gchar *host,
    const gchar *remote, guint version, guint depth, SynodUrlDirectory *directory,
    ExchangeFinishFunc on_finish, gpointer user_data, GError **error);
void synod_http_exchange_free (SynodHttpExchange *exchange);
GBytes *synod_http_exchange_collect_body (SynodHttpExchange *exchange, gsize max, GError **error);

G_END_DECLS
