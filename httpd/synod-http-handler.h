/* synod-http-handler.h — the request-handling seam: handlers and exchanges.
 *
 * A SynodHttpHandler is anything that answers HTTP requests: a cached
 * document, a file loader, an SSI page, later an object reached through the
 * broker. It is a small vtable plus user data. The connection engine hands
 * it one SynodHttpExchange per request: the parsed request (read-only) and a
 * response being built. The handler answers at once or later, from any
 * thread, by calling synod_http_exchange_finish(); until then the engine
 * keeps the request's memory alive and answers later requests of the same
 * connection only after this one (pipelining stays in order).
 *
 * The engine fills in what every response needs (status line, Date, Server,
 * Content-Length, Connection) and leaves out the body of HEAD requests and of
 * 1xx/204/304 answers, so a handler writes the same code for GET and HEAD.
 */
#pragma once

#include <gio/gio.h>

#include <synod-type.h>

#include "synod-http-parser.h"

G_BEGIN_DECLS

typedef struct _SynodHttpExchange SynodHttpExchange;
typedef struct _SynodHttpHandler SynodHttpHandler;
typedef struct _SynodUrlDirectory SynodUrlDirectory;

/**
 * SynodHttpHandlerFuncs:
 * @handle: answers @exchange; must eventually call synod_http_exchange_finish()
 *   exactly once (now or later, from any thread)
 * @destroy: (nullable): frees the user data when the last reference goes
 *
 * Handlers are called concurrently from the server's worker threads.
 */
typedef struct
{
  void (*handle) (SynodHttpExchange *exchange, gpointer user_data);
  void (*destroy) (gpointer user_data);
} SynodHttpHandlerFuncs;

SynodHttpHandler *synod_http_handler_new (const SynodHttpHandlerFuncs *funcs, gpointer user_data);
SynodHttpHandler *synod_http_handler_ref (SynodHttpHandler *handler);
void synod_http_handler_unref (SynodHttpHandler *handler);
gpointer synod_http_handler_get_user_data (SynodHttpHandler *handler);
const SynodHttpHandlerFuncs *synod_http_handler_get_funcs (SynodHttpHandler *handler);
void synod_http_handler_invoke (SynodHttpHandler *handler, SynodHttpExchange *exchange);

/**
 * SynodHttpHandlerRole:
 * @SYNOD_HTTP_HANDLER_ROLE_HANDLER: the object behind the handler serves
 *   the URIs it is registered for (Standard.HTTPhandler)
 * @SYNOD_HTTP_HANDLER_ROLE_LOADER: the object loads documents for its
 *   subtree on a miss (Standard.URLfileLoader)
 *
 * What the broker object a handler stands for does in a URL directory.
 */
typedef enum
{
  SYNOD_HTTP_HANDLER_ROLE_HANDLER,
  SYNOD_HTTP_HANDLER_ROLE_LOADER,
} SynodHttpHandlerRole;

/**
 * SynodHttpHandlerUnregisteredFunc:
 * @handler: the handler
 * @user_data: the data given with the function
 *
 * Called each time a URL directory entry holding @handler is removed
 * (forgotten, replaced, evicted, or the directory freed), outside the
 * directory's lock.
 */
typedef void (*SynodHttpHandlerUnregisteredFunc) (SynodHttpHandler *handler, gpointer user_data);

void synod_http_handler_set_object (SynodHttpHandler *handler, SynodRef *object,
                                    SynodHttpHandlerRole role);
SynodRef *synod_http_handler_get_object (SynodHttpHandler *handler, SynodHttpHandlerRole *ret_role);
void synod_http_handler_set_unregistered_func (SynodHttpHandler *handler,
                                               SynodHttpHandlerUnregisteredFunc func,
                                               gpointer user_data, GDestroyNotify destroy);
void synod_http_handler_notify_unregistered (SynodHttpHandler *handler);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodHttpHandler, synod_http_handler_unref)

/* ---- the request ---- */

SynodHttpMethod synod_http_exchange_get_method (SynodHttpExchange *exchange);
const SynodHttpRequestHead *synod_http_exchange_get_head (SynodHttpExchange *exchange);
const gchar *synod_http_exchange_get_path (SynodHttpExchange *exchange);
const gchar *synod_http_exchange_get_query (SynodHttpExchange *exchange);
const gchar *synod_http_exchange_get_host (SynodHttpExchange *exchange);
const gchar *synod_http_exchange_get_mount_prefix (SynodHttpExchange *exchange);
gchar *synod_http_exchange_dup_header (SynodHttpExchange *exchange, const gchar *name);
const SynodHttpSlice *synod_http_exchange_get_header (SynodHttpExchange *exchange,
                                                      const gchar *name);
GBytes *synod_http_exchange_get_body (SynodHttpExchange *exchange);
const gchar *synod_http_exchange_get_remote_address (SynodHttpExchange *exchange);
gint64 synod_http_exchange_get_time (SynodHttpExchange *exchange);
SynodUrlDirectory *synod_http_exchange_get_directory (SynodHttpExchange *exchange);
guint synod_http_exchange_get_depth (SynodHttpExchange *exchange);

/* ---- the response ---- */

void synod_http_exchange_set_status (SynodHttpExchange *exchange, guint status);
guint synod_http_exchange_get_status (SynodHttpExchange *exchange);
void synod_http_exchange_add_header (SynodHttpExchange *exchange, const gchar *name,
                                     const gchar *value);
void synod_http_exchange_add_header_printf (SynodHttpExchange *exchange, const gchar *name,
                                            const gchar *format, ...) G_GNUC_PRINTF (3, 4);
void synod_http_exchange_add_raw_headers (SynodHttpExchange *exchange, const gchar *lines,
                                          gsize len);
void synod_http_exchange_append_body (SynodHttpExchange *exchange, GBytes *bytes);
void synod_http_exchange_append_body_range (SynodHttpExchange *exchange, GBytes *bytes,
                                            gsize offset, gsize len);
void synod_http_exchange_append_body_text (SynodHttpExchange *exchange, const gchar *text,
                                           gssize len);
void synod_http_exchange_append_body_fd (SynodHttpExchange *exchange, gint fd, goffset offset,
                                         gsize len);
void synod_http_exchange_set_close (SynodHttpExchange *exchange);
void synod_http_exchange_respond_error (SynodHttpExchange *exchange, guint status,
                                        const gchar *detail);
void synod_http_exchange_respond_gerror (SynodHttpExchange *exchange, const GError *error);
void synod_http_exchange_finish (SynodHttpExchange *exchange);

const gchar *synod_http_status_reason (guint status);

G_END_DECLS
