/* synod-http-gateway.c — handing HTTP requests to objects through the broker.
 *
 * A URL directory entry whose target is an object (by Id or service name,
 * local or on another peer) holds an object handler: it turns the exchange
 * into a Standard.HTTPrequest, invokes Standard.HTTPhandler.handle with
 * synod_invoke_async(), and when the reply comes turns the
 * Standard.HTTPresponse back into the exchange's response and finishes it.
 *
 * Threads. The engine calls handlers on its epoll workers, which must never
 * block, and a reply may come on any thread. Two paths:
 *
 * - A local object named by Id (an object of this peer registered by Id)
 *   gets the invocation with synod_broker_dispatch(): queued on the object
 *   like any send (one active method, access control, queue limit), and
 *   its reply callback runs on the broker worker that ran the method, which
 *   fills the response and calls synod_http_exchange_finish() there. Two
 *   thread hand-offs in all: worker to broker, broker back to the
 *   connection's worker. No main context is involved.
 * - Anything else (an object on another peer, a service name) may block
 *   while it is sent (connecting to the peer, resolving the name across
 *   peers), so it is posted to one of the runtime's gateway threads. Each
 *   runs a GMainContext of its own and makes the send there with
 *   synod_invoke_async(), so the GTask completes on that same thread.
 *
 * Deadlines: gateway 0 also runs a tick that answers 504 for every request
 * whose object has not answered within the site's handler timeout (the late
 * reply is dropped), and a stopping site answers what it still waits for
 * with 503, so no connection ever hangs on an object. The reply, the
 * deadline and the stop may race from different threads: whoever claims a
 * request first answers it, once.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-http-objects-private.h"

/* How often the runtime checks deadlines (a timeout fires at most this late). */
#define TICK_MS 50

typedef enum
{
  PENDING_HANDLE, /* Standard.HTTPhandler.handle */
  PENDING_LOAD,   /* Standard.URLfileLoader.load, then the entry it made */
} PendingKind;

typedef struct
{
  SynodHttpSite *site;
  SynodRef *ref;
  SynodHttpHandlerRole role;
} ObjectTarget;

typedef struct
{
  gint refs;
  PendingKind kind;
  gint answered; /* claimed: by the reply, the deadline or the site's stop */
  SynodHttpSite *site;
  SynodRef *ref;
  SynodHttpExchange *ex;
  GList *link; /* in site->pending, under site->lock */
  gint64 deadline;
  GCancellable *cancellable;
  StandardHTTPRequest request; /* for a gateway thread: an owned copy */
  gchar *load_path;
  const gchar *principal; /* the web principal (interned), or NULL */
} Pending;

static __thread SynodHttpInit *current_init;

SynodHttpInit *
synod_http_init_get (void)
{
  return current_init;
}

void
synod_http_init_set (SynodHttpInit *init)
{
  current_init = init;
}

/* ---- errors ---- */

/**
 * synod_http_status_for_error:
 * @error: why an object did not answer a request
 *
 * The HTTP layer's own errors keep their status (a handler may fail with
 * SYNOD_HTTP_ERROR_NOT_FOUND to say 404); a deadline is 504 Gateway
 * Timeout; a target that is gone, unknown, unreachable or overloaded is 503
 * Service Unavailable; an access denial is 403; anything else (the object
 * failed, or does not answer the interface) is 502 Bad Gateway.
 *
 * Returns: the status to answer
 */
guint
synod_http_status_for_error (const GError *error)
{
  if (error->domain == SYNOD_HTTP_ERROR)
    return synod_http_error_to_status (error);
  if (error->domain == SYNOD_ORB_ERROR)
    switch ((SynodOrbError)error->code)
      {
        case SYNOD_ORB_ERROR_TIMEOUT:
          return 504;
        case SYNOD_ORB_ERROR_NO_SUCH_OBJECT:
        case SYNOD_ORB_ERROR_OBJECT_DELETED:
        case SYNOD_ORB_ERROR_UNREACHABLE:
        case SYNOD_ORB_ERROR_DISCONNECTED:
        case SYNOD_ORB_ERROR_QUEUE_FULL:
        case SYNOD_ORB_ERROR_LIMIT:
          return 503;
        case SYNOD_ORB_ERROR_NOT_AUTHORIZED:
          return 403;
        default:
          return 502;
      }
  return 502;
}

static void
respond_failure (SynodHttpExchange *ex, guint status, const gchar *why)
{
  synod_http_exchange_respond_error (ex, status, why);
  if (status == 503)
    synod_http_exchange_add_header (ex, "Retry-After", "1");
}

/* ---- requests and responses ---- */

/* Fields that frame the message on this hop: they say nothing to an object,
 * which gets the decoded body and whose answer the engine frames itself. */
static gboolean
is_framing_field (const gchar *name, gsize len)
{
  static const gchar *const names[]
      = { "content-length", "transfer-encoding", "connection", "keep-alive", "te", "upgrade",
          "expect",         "proxy-connection" };
  SynodHttpSlice s = { name, len };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (synod_http_slice_equal_ci (s, names[i]))
      return TRUE;
  return FALSE;
}

/* Fills @r from @ex. Strings are copies; the body is borrowed unless
 * @copy_body (then it is a copy too). */
static void
request_fill (StandardHTTPRequest *r, SynodHttpExchange *ex, gboolean copy_body)
{
  const SynodHttpRequestHead *h = synod_http_exchange_get_head (ex);
  GBytes *body = synod_http_exchange_get_body (ex);
  gsize body_len = 0;
  const guint8 *body_data = g_bytes_get_data (body, &body_len);
  guint n = 0;

  memset (r, 0, sizeof *r);
  r->method = g_strndup (h->method_name.ptr, h->method_name.len);
  r->target = g_strndup (h->target.ptr, h->target.len);
  r->path = g_strdup (synod_http_exchange_get_path (ex));
  r->query = g_strdup (synod_http_exchange_get_query (ex));
  r->prefix = g_strdup (synod_http_exchange_get_mount_prefix (ex));
  r->fields.val = g_new0 (StandardHTTPField, h->n_headers + 1);
  for (guint i = 0; i < h->n_headers; i++)
    {
      const SynodHttpHeader *f = &h->headers[i];

      /* The principal field is the server's word, never the client's; on
       * a daemon that authenticated the request, the password stays here
       * (objects get the principal, as a CGI script gets REMOTE_USER). */
      if (is_framing_field (f->name.ptr, f->name.len)
          || synod_http_slice_equal_ci (f->name, SYNOD_HTTP_PRINCIPAL_FIELD)
          || (ex->principal != NULL && synod_http_slice_equal_ci (f->name, "authorization")))
        continue;
      r->fields.val[n].name = g_ascii_strdown (f->name.ptr, (gssize)f->name.len);
      r->fields.val[n].value = g_strndup (f->value.ptr, f->value.len);
      n++;
    }
  if (ex->principal != NULL && n < STANDARD_HTTP_FIELDS_MAX)
    {
      r->fields.val[n].name = g_strdup (SYNOD_HTTP_PRINCIPAL_FIELD);
      r->fields.val[n].value = g_strdup (ex->principal);
      n++;
    }
  r->fields.len = n;
  r->body.len = (guint32)body_len;
  r->body.val = copy_body ? g_memdup2 (body_data, body_len) : (guint8 *)body_data;
  r->host = g_strdup (synod_http_exchange_get_host (ex));
  r->peer = g_strdup (synod_http_exchange_get_remote_address (ex));
  r->version = h->version == 10 ? 10 : 11;
  r->depth = synod_http_exchange_get_depth (ex);
}

/* Fields the engine writes itself. */
static gboolean
is_engine_field (const gchar *name)
{
  static const gchar *const names[]
      = { "content-length", "transfer-encoding", "connection", "keep-alive", "date", "server" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Makes @resp the exchange's response; an answer the server cannot send
 * (a status outside 200–599, a field that is not a token or a value that
 * could split the response) is a 502. Takes the body over. */
static gboolean
response_apply (SynodHttpExchange *ex, StandardHTTPResponse *resp, const gchar *who)
{
  if (resp->status < 200 || resp->status > 599)
    {
      g_info ("%s answered status %u", who, resp->status);
      respond_failure (ex, 502, _ ("the object serving this URI gave an invalid answer"));
      return FALSE;
    }
  /* A local object's answer is not encoded, so the interface's bounds are
   * checked here as the codec checks them for a remote one. */
  if (resp->fields.len > STANDARD_HTTP_FIELDS_MAX || resp->body.len > STANDARD_HTTP_BODY_MAX)
    {
      g_info ("%s answered more than the interface allows", who);
      respond_failure (ex, 502, _ ("the object serving this URI gave an invalid answer"));
      return FALSE;
    }
  for (guint i = 0; i < resp->fields.len; i++)
    if (!synod_http_is_token (resp->fields.val[i].name)
        || !synod_http_is_field_value (resp->fields.val[i].value)
        || strlen (resp->fields.val[i].name) > STANDARD_HTTP_FIELD_NAME_MAX
        || strlen (resp->fields.val[i].value) > STANDARD_HTTP_FIELD_VALUE_MAX)
      {
        g_info ("%s answered an invalid header field", who);
        respond_failure (ex, 502, _ ("the object serving this URI gave an invalid answer"));
        return FALSE;
      }
  synod_http_exchange_set_status (ex, resp->status);
  for (guint i = 0; i < resp->fields.len; i++)
    if (!is_engine_field (resp->fields.val[i].name))
      synod_http_exchange_add_header (ex, resp->fields.val[i].name, resp->fields.val[i].value);
  if (resp->body.len > 0)
    {
      g_autoptr (GBytes) body = g_bytes_new_take (resp->body.val, resp->body.len);

      resp->body.val = NULL;
      resp->body.len = 0;
      synod_http_exchange_append_body (ex, body);
    }
  return TRUE;
}

/* ---- pending invocations ---- */

static Pending *
pending_ref (Pending *p)
{
  g_atomic_int_inc (&p->refs);
  return p;
}

static void
pending_unref (Pending *p)
{
  if (!g_atomic_int_dec_and_test (&p->refs))
    return;
  standard_http_request_clear (&p->request);
  g_clear_object (&p->cancellable);
  synod_ref_unref (p->ref);
  synod_http_site_unref (p->site);
  g_free (p->load_path);
  g_free (p);
}

/* Claims @p: the reply, the deadline and the site's stop may race from
 * different threads; whoever claims first answers, once. */
static gboolean
pending_claim (Pending *p)
{
  SynodHttpSite *site = p->site;

  if (!g_atomic_int_compare_and_exchange (&p->answered, 0, 1))
    return FALSE;
  g_mutex_lock (&site->lock);
  if (p->link != NULL)
    {
      g_queue_delete_link (&site->pending, p->link);
      p->link = NULL;
    }
  g_mutex_unlock (&site->lock);
  return TRUE;
}

static gchar *
describe (Pending *p)
{
  return synod_ref_to_string (p->ref);
}

static void
finish_with_error (Pending *p, const GError *error)
{
  g_autofree gchar *who = describe (p);
  guint status = synod_http_status_for_error (error);

  g_info ("%s did not serve %s: %s", who, synod_http_exchange_get_path (p->ex), error->message);
  __atomic_fetch_add (&p->site->failures, 1, __ATOMIC_RELAXED);
  if (error->domain == SYNOD_HTTP_ERROR)
    synod_http_exchange_respond_error (p->ex, status, NULL);
  else
    respond_failure (p->ex, status,
                     status == 503   ? _ ("the object serving this URI is not available")
                     : status == 504 ? _ ("the object serving this URI did not answer in time")
                     : status == 403 ? _ ("the object serving this URI refused the request")
                                     : _ ("the object serving this URI failed"));
  synod_http_exchange_finish (p->ex);
}

static void handle_done (GObject *source, GAsyncResult *result, gpointer user_data);
static void load_done (GObject *source, GAsyncResult *result, gpointer user_data);

/* On a gateway thread, whose context is the thread-default one: the reply
 * (or the failure) comes back to this same thread. */
static gboolean
gateway_send (gpointer data)
{
  Pending *p = data;

  /* Answered meanwhile (deadline or stop): nothing left to ask. */
  if (!g_atomic_int_get (&p->answered))
    {
      if (p->kind == PENDING_HANDLE)
        standard_http_handler_handle_async (p->ref, &p->request, p->cancellable, handle_done,
                                            pending_ref (p));
      else
        standard_url_file_loader_load_async (p->ref, p->load_path, p->cancellable, load_done,
                                             pending_ref (p));
    }
  standard_http_request_clear (&p->request);
  pending_unref (p);
  return G_SOURCE_REMOVE;
}

/* The reply of a local object, on the broker worker that ran the method. */
static void
dispatch_handle_done (const SynodMethodDesc *method, gconstpointer result, const GError *error,
                      gpointer reply_data)
{
  Pending *p = reply_data;

  if (pending_claim (p))
    {
      if (error != NULL)
        finish_with_error (p, error);
      else
        {
          g_auto (StandardHTTPResponse) resp = { 0 };
          g_autofree gchar *who = describe (p);

          /* The result stays the broker's: answer from a copy. */
          standard_http_response_copy (result, &resp);
          if (!response_apply (p->ex, &resp, who))
            __atomic_fetch_add (&p->site->failures, 1, __ATOMIC_RELAXED);
          synod_http_exchange_finish (p->ex);
        }
    }
  pending_unref (p);
}

static void
pending_start (SynodHttpSite *site, SynodRef *ref, PendingKind kind, SynodHttpExchange *ex)
{
  SynodHttpRuntime *rt = site->rt;
  Pending *p;
  gboolean stopping;

  if (kind == PENDING_HANDLE
      && g_bytes_get_size (synod_http_exchange_get_body (ex)) > STANDARD_HTTP_BODY_MAX)
    {
      synod_http_exchange_respond_error (ex, 413, NULL);
      synod_http_exchange_finish (ex);
      return;
    }
  p = g_new0 (Pending, 1);
  p->refs = 1;
  p->kind = kind;
  p->site = synod_http_site_ref (site);
  p->ref = synod_ref_ref (ref);
  p->ex = ex;
  p->principal = ex->principal;
  if (kind == PENDING_LOAD)
    p->load_path = g_strdup (synod_http_exchange_get_path (ex));
  p->deadline = g_get_monotonic_time () + (gint64)site->handler_timeout_ms * 1000;

  g_mutex_lock (&site->lock);
  stopping = site->stopping;
  if (!stopping)
    {
      g_queue_push_tail (&site->pending, p);
      p->link = site->pending.tail;
    }
  g_mutex_unlock (&site->lock);
  if (stopping)
    {
      respond_failure (ex, 503, _ ("the site is stopping"));
      synod_http_exchange_finish (ex);
      pending_unref (p);
      return;
    }
  __atomic_fetch_add (&site->invocations, 1, __ATOMIC_RELAXED);

  if (kind == PENDING_HANDLE && !rt->gateway_all)
    {
      SynodBroker *broker = synod_ref_get_broker (ref);
      /* Mounted by Id: a local object is invoked here. Mounted by service
       * name, a web user's request goes to the local provider here too, so
       * that it runs under the web principal (the lookup never asks other
       * peers); other requests take the stubs' way, as a send would. */
      g_autoptr (SynodObject) local = NULL;

      if (synod_ref_get_id (ref) != NULL)
        local = synod_broker_lookup_object (broker, synod_ref_get_id (ref));
      else if (p->principal != NULL)
        local = synod_broker_lookup_service (broker, synod_ref_get_name (ref));

      /* A web user's request goes through the queue under its principal. */
      if (local != NULL && site->inline_objects && p->principal == NULL)
        {
          /* The site trusts its local objects to answer at once: a
           * synchronous send, which the broker runs on this thread when the
           * object is idle (no hand-off at all), or waits for it. */
          StandardHTTPRequest request;
          g_auto (StandardHTTPResponse) resp = { 0 };
          g_autoptr (GError) local_error = NULL;
          gboolean ok;

          request_fill (&request, ex, FALSE);
          ok = standard_http_handler_handle (ref, &request, &resp, &local_error);
          request.body.val = NULL;
          standard_http_request_clear (&request);
          if (pending_claim (p))
            {
              if (!ok)
                finish_with_error (p, local_error);
              else
                {
                  g_autofree gchar *who = describe (p);

                  if (!response_apply (ex, &resp, who))
                    __atomic_fetch_add (&site->failures, 1, __ATOMIC_RELAXED);
                  synod_http_exchange_finish (ex);
                }
            }
          pending_unref (p);
          return;
        }
      if (local != NULL)
        {
          StandardHTTPHandlerHandleArgs *args
              = synod_value_new (STANDARD_HTTP_HANDLER_METHOD_HANDLE->args);

          request_fill (&args->request, ex, TRUE);
          synod_broker_dispatch (
              broker, synod_object_get_id (local), STANDARD_HTTP_HANDLER_METHOD_HANDLE, args,
              p->principal != NULL ? p->principal : synod_broker_get_local_principal (broker),
              dispatch_handle_done, pending_ref (p));
          pending_unref (p);
          return;
        }
    }
  /* The exchange may be answered (deadline, stop) before the gateway gets
   * to it: copy what the send needs now. */
  p->cancellable = g_cancellable_new ();
  if (kind == PENDING_HANDLE)
    request_fill (&p->request, ex, TRUE);
  g_main_context_invoke (
      rt->gateways[(guint)g_atomic_int_add (&rt->next_gateway, 1) % SYNOD_HTTP_GATEWAYS].context,
      gateway_send, p);
}

static void
handle_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *p = user_data;
  g_auto (StandardHTTPResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok = standard_http_handler_handle_finish (p->ref, result, &resp, &error);

  if (pending_claim (p))
    {
      if (!ok)
        finish_with_error (p, error);
      else
        {
          g_autofree gchar *who = describe (p);

          if (!response_apply (p->ex, &resp, who))
            __atomic_fetch_add (&p->site->failures, 1, __ATOMIC_RELAXED);
          synod_http_exchange_finish (p->ex);
        }
    }
  pending_unref (p);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *p = user_data;
  g_auto (StandardURLEntry) entry = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok = standard_url_file_loader_load_finish (p->ref, result, &entry, &error);
  SynodHttpExchange *ex = p->ex;
  SynodUrlDirectory *dir;
  g_autoptr (SynodHttpHandler) h = NULL;
  g_autofree gchar *prefix = NULL;

  if (!pending_claim (p))
    {
      pending_unref (p);
      return;
    }
  if (!ok)
    {
      finish_with_error (p, error);
      pending_unref (p);
      return;
    }
  /* The loader registered the document: whatever now serves the path
   * answers this request (the next ones go there directly), unless it is
   * a loader again (nothing more specific was registered). */
  dir = synod_http_exchange_get_directory (ex);
  if (dir != NULL)
    h = synod_url_directory_lookup (dir, synod_http_exchange_get_path (ex),
                                    strlen (synod_http_exchange_get_path (ex)), &prefix);
  if (h != NULL)
    {
      SynodHttpHandlerRole role = SYNOD_HTTP_HANDLER_ROLE_HANDLER;

      synod_http_handler_get_object (h, &role);
      if (role != SYNOD_HTTP_HANDLER_ROLE_LOADER)
        {
          g_free (ex->mount_prefix);
          ex->mount_prefix = g_steal_pointer (&prefix);
          synod_http_handler_invoke (h, ex);
          pending_unref (p);
          return;
        }
    }
  /* It registered nothing more specific: follow the entry it returned. */
  {
    g_autoptr (SynodRef) target = NULL;
    SynodBroker *broker = synod_ref_get_broker (p->ref);

    if (entry.service != NULL && *entry.service != '\0')
      target = synod_ref_new_for_name (broker, entry.service);
    else if (!synod_object_id_is_null (&entry.target))
      target = synod_ref_new_for_id (broker, &entry.target);
    if (target == NULL)
      {
        synod_http_exchange_respond_error (ex, 404, NULL);
        synod_http_exchange_finish (ex);
      }
    else
      pending_start (p->site, target, PENDING_HANDLE, ex);
  }
  pending_unref (p);
}

/* ---- the handler registered in URL directories ---- */

static void
object_handle (SynodHttpExchange *ex, gpointer user_data)
{
  ObjectTarget *t = user_data;

  pending_start (t->site, t->ref,
                 t->role == SYNOD_HTTP_HANDLER_ROLE_LOADER ? PENDING_LOAD : PENDING_HANDLE, ex);
}

static void
object_target_free (gpointer user_data)
{
  ObjectTarget *t = user_data;

  synod_ref_unref (t->ref);
  synod_http_site_unref (t->site);
  g_free (t);
}

static const SynodHttpHandlerFuncs object_funcs = { object_handle, object_target_free };

/**
 * synod_http_object_handler_new:
 * @site: the site whose deadline and counters apply
 * @target: the object (Id, alias or service name; local or remote)
 * @role: HANDLER: it answers Standard.HTTPhandler for the URIs it is
 *   registered at; LOADER: it answers Standard.URLfileLoader, asked to load
 *   each URI under its prefix that nothing more specific serves
 *
 * Returns: (transfer full): a handler to register in a URL directory
 */
SynodHttpHandler *
synod_http_object_handler_new (SynodHttpSite *site, SynodRef *target, SynodHttpHandlerRole role)
{
  ObjectTarget *t = g_new0 (ObjectTarget, 1);
  SynodHttpHandler *h;

  t->site = synod_http_site_ref (site);
  t->ref = synod_ref_ref (target);
  t->role = role;
  h = synod_http_handler_new (&object_funcs, t);
  synod_http_handler_set_object (h, target, role);
  return h;
}

/* ---- sites ---- */

SynodHttpSite *
synod_http_site_new (SynodHttpRuntime *rt, guint handler_timeout_ms)
{
  SynodHttpSite *site = g_new0 (SynodHttpSite, 1);

  site->ref_count = 1;
  site->rt = synod_http_runtime_ref (rt);
  site->handler_timeout_ms
      = handler_timeout_ms != 0 ? handler_timeout_ms : SYNOD_HTTP_DEFAULT_HANDLER_TIMEOUT_MS;
  g_mutex_init (&site->lock);
  g_queue_init (&site->pending);
  g_mutex_lock (&rt->lock);
  g_ptr_array_add (rt->sites, site);
  g_mutex_unlock (&rt->lock);
  return site;
}

SynodHttpSite *
synod_http_site_ref (SynodHttpSite *site)
{
  g_atomic_int_inc (&site->ref_count);
  return site;
}

void
synod_http_site_unref (SynodHttpSite *site)
{
  SynodHttpRuntime *rt;

  if (site == NULL || !g_atomic_int_dec_and_test (&site->ref_count))
    return;
  /* The tick finds sites through the runtime's list and takes a reference
   * only while the count is above zero (site_try_ref), under this lock. */
  rt = site->rt;
  g_mutex_lock (&rt->lock);
  g_ptr_array_remove_fast (rt->sites, site);
  g_mutex_unlock (&rt->lock);
  g_mutex_clear (&site->lock);
  g_free (site);
  synod_http_runtime_unref (rt);
}

static gboolean
site_try_ref (SynodHttpSite *site)
{
  gint old;

  do
    {
      old = g_atomic_int_get (&site->ref_count);
      if (old == 0)
        return FALSE;
    }
  while (!g_atomic_int_compare_and_exchange (&site->ref_count, old, old + 1));
  return TRUE;
}

/* Answers every request of @site whose deadline passed (all of them when
 * @all): 504, or 503 for a stopping site. */
static void
site_expire (SynodHttpSite *site, gint64 now, gboolean all)
{
  GQueue expired = G_QUEUE_INIT;

  g_mutex_lock (&site->lock);
  while (!g_queue_is_empty (&site->pending))
    {
      Pending *p = g_queue_peek_head (&site->pending);

      if (!all && p->deadline > now)
        break;
      g_queue_pop_head (&site->pending);
      p->link = NULL;
      /* Lost to a reply on its way in: that one answers. */
      if (g_atomic_int_compare_and_exchange (&p->answered, 0, 1))
        g_queue_push_tail (&expired, pending_ref (p));
    }
  g_mutex_unlock (&site->lock);
  while (!g_queue_is_empty (&expired))
    {
      Pending *p = g_queue_pop_head (&expired);
      g_autofree gchar *who = describe (p);

      if (p->cancellable != NULL)
        g_cancellable_cancel (p->cancellable);
      if (all)
        {
          g_info ("%s: the site stops before it answered %s", who,
                  synod_http_exchange_get_path (p->ex));
          respond_failure (p->ex, 503, _ ("the site is stopping"));
        }
      else
        {
          g_info ("%s did not answer %s within %u ms", who, synod_http_exchange_get_path (p->ex),
                  site->handler_timeout_ms);
          __atomic_fetch_add (&site->timeouts, 1, __ATOMIC_RELAXED);
          respond_failure (p->ex, 504, _ ("the object serving this URI did not answer in time"));
        }
      synod_http_exchange_finish (p->ex);
      pending_unref (p);
    }
}

/**
 * synod_http_site_stop:
 *
 * Refuses further invocations (503) and answers those still waiting with
 * 503, so that the engine can stop without a handler outstanding. Late
 * replies are dropped.
 */
void
synod_http_site_stop (SynodHttpSite *site)
{
  g_mutex_lock (&site->lock);
  site->stopping = TRUE;
  g_mutex_unlock (&site->lock);
  site_expire (site, 0, TRUE);
}

/* ---- the runtime ---- */

static gboolean
tick (gpointer data)
{
  SynodHttpRuntime *rt = data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GPtrArray) sites
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_http_site_unref);

  g_mutex_lock (&rt->lock);
  for (guint i = 0; i < rt->sites->len; i++)
    {
      SynodHttpSite *site = rt->sites->pdata[i];

      /* A site whose last reference is going (count 0) is skipped. */
      if (site_try_ref (site))
        g_ptr_array_add (sites, site);
    }
  g_mutex_unlock (&rt->lock);
  for (guint i = 0; i < sites->len; i++)
    site_expire (sites->pdata[i], now, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
gateway_quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gpointer
gateway_main (gpointer data)
{
  SynodHttpGateway *gw = data;

  g_main_context_push_thread_default (gw->context);
  g_main_loop_run (gw->loop);
  g_main_context_pop_thread_default (gw->context);
  return NULL;
}

SynodHttpRuntime *
synod_http_runtime_new (SynodBroker *broker, GError **error)
{
  SynodHttpRuntime *rt = g_new0 (SynodHttpRuntime, 1);

  rt->ref_count = 1;
  rt->broker = broker;
  /* A benchmark knob: every send through a gateway and synod_invoke_async(),
   * local objects too, to measure what the dispatch path saves. */
  rt->gateway_all = g_strcmp0 (g_getenv ("SYNOD_HTTP_GATEWAY_ALL"), "1") == 0;
  g_mutex_init (&rt->lock);
  rt->sites = g_ptr_array_new ();
  for (guint i = 0; i < SYNOD_HTTP_GATEWAYS; i++)
    {
      SynodHttpGateway *gw = &rt->gateways[i];

      gw->context = g_main_context_new ();
      gw->loop = g_main_loop_new (gw->context, FALSE);
    }
  rt->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (rt->tick, tick, rt, NULL);
  g_source_attach (rt->tick, rt->gateways[0].context);
  for (guint i = 0; i < SYNOD_HTTP_GATEWAYS; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("http-gateway-%u", i);
      SynodHttpGateway *gw = &rt->gateways[i];

      gw->thread = g_thread_try_new (name, gateway_main, gw, error);
      if (gw->thread == NULL)
        {
          synod_http_runtime_unref (rt);
          return NULL;
        }
    }
  return rt;
}

SynodHttpRuntime *
synod_http_runtime_ref (SynodHttpRuntime *rt)
{
  g_atomic_int_inc (&rt->ref_count);
  return rt;
}

static void
runtime_free (SynodHttpRuntime *rt)
{
  g_source_destroy (rt->tick);
  g_source_unref (rt->tick);
  /* Sends still queued are dropped with their contexts. */
  for (guint i = 0; i < SYNOD_HTTP_GATEWAYS; i++)
    {
      SynodHttpGateway *gw = &rt->gateways[i];

      if (gw->thread != NULL)
        {
          /* Quit from inside the loop: a quit made before the thread
           * entered g_main_loop_run() would be lost. */
          g_main_context_invoke (gw->context, gateway_quit, gw->loop);
          g_thread_join (gw->thread);
        }
      g_main_loop_unref (gw->loop);
      g_main_context_unref (gw->context);
    }
  g_ptr_array_unref (rt->sites);
  g_mutex_clear (&rt->lock);
  g_free (rt);
}

static gpointer
runtime_free_thread (gpointer rt)
{
  runtime_free (rt);
  return NULL;
}

void
synod_http_runtime_unref (SynodHttpRuntime *rt)
{
  if (rt == NULL || !g_atomic_int_dec_and_test (&rt->ref_count))
    return;
  /* The last reference may go on a gateway (with the last reply it sent):
   * a thread cannot join itself, so another one finishes. */
  for (guint i = 0; i < SYNOD_HTTP_GATEWAYS; i++)
    if (rt->gateways[i].thread == g_thread_self ())
      {
        g_thread_unref (g_thread_new ("http-runtime-free", runtime_free_thread, rt));
        return;
      }
  runtime_free (rt);
}
