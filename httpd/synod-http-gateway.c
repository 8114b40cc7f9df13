/* synod-http-gateway.c — handing HTTP requests to objects through the broker.
 *
 * A URL directory entry whose target is an object (by Id or service name,
 * local or on another peer) holds an object handler: it turns the exchange
 * into a Standard.HTTPrequest, invokes Standard.HTTPhandler.handle with
 * synod_invoke_async(), and when the reply comes turns the
 * Standard.HTTPresponse back into the exchange's response and finishes it.
 *
 * Threads. The engine calls handlers on its epoll workers, which must never
 * block. A send to a local object by Id cannot block, so it is made there;
 * a send that may (a target on another peer: connecting to it; a service
 * name: resolving it across peers) is made from a small pool of sender
 * threads. Every reply completes on one thread of the runtime that runs a
 * GMainContext (the sends push it as their thread-default context, so
 * GTask delivers there): it fills the response and calls
 * synod_http_exchange_finish(), which hands the exchange back to the
 * connection's worker. That thread also runs the deadline tick: a request
 * whose object has not answered within the site's handler timeout gets 504
 * (the late reply is dropped), and a stopping site answers what it still
 * waits for with 503, so no connection ever hangs on an object.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-http-objects-private.h"

/* How often the runtime checks deadlines (a timeout fires at most this late). */
#define TICK_MS 50
/* Sender threads for sends that may block. */
#define MAX_SENDERS 8

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
  StandardHTTPRequest request; /* for the sender pool: an owned copy */
  gchar *load_path;
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
  r->fields.val = g_new0 (StandardHTTPField, MAX (h->n_headers, 1));
  for (guint i = 0; i < h->n_headers; i++)
    {
      const SynodHttpHeader *f = &h->headers[i];

      if (is_framing_field (f->name.ptr, f->name.len))
        continue;
      r->fields.val[n].name = g_ascii_strdown (f->name.ptr, (gssize)f->name.len);
      r->fields.val[n].value = g_strndup (f->value.ptr, f->value.len);
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
static void
response_apply (SynodHttpExchange *ex, StandardHTTPResponse *resp, const gchar *who)
{
  if (resp->status < 200 || resp->status > 599)
    {
      g_info ("%s answered status %u", who, resp->status);
      respond_failure (ex, 502, _ ("the object serving this URI gave an invalid answer"));
      return;
    }
  for (guint i = 0; i < resp->fields.len; i++)
    if (!synod_http_is_token (resp->fields.val[i].name)
        || !synod_http_is_field_value (resp->fields.val[i].value))
      {
        g_info ("%s answered an invalid header field", who);
        respond_failure (ex, 502, _ ("the object serving this URI gave an invalid answer"));
        return;
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

/* Takes @p out of its site's wait list. Runs on the completion thread only,
 * so whoever claims first (reply, deadline, stop) answers, once. */
static gboolean
pending_claim (Pending *p)
{
  SynodHttpSite *site = p->site;

  if (g_atomic_int_get (&p->answered))
    return FALSE;
  g_atomic_int_set (&p->answered, 1);
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

/* Makes the invocation. The reply (or its failure) comes to the runtime's
 * completion context, pushed here as the thread-default one. */
static void
pending_send (Pending *p, const StandardHTTPRequest *request)
{
  GMainContext *context = p->site->rt->context;

  g_main_context_push_thread_default (context);
  if (p->kind == PENDING_HANDLE)
    standard_http_handler_handle_async (p->ref, request, p->cancellable, handle_done,
                                        pending_ref (p));
  else
    standard_url_file_loader_load_async (p->ref, p->load_path, p->cancellable, load_done,
                                         pending_ref (p));
  g_main_context_pop_thread_default (context);
}

static void
sender_run (gpointer data, gpointer pool_data)
{
  Pending *p = data;

  /* Answered meanwhile (deadline or stop): nothing left to ask. */
  if (!g_atomic_int_get (&p->answered))
    pending_send (p, &p->request);
  standard_http_request_clear (&p->request);
  pending_unref (p);
}

/* Whether a send to @ref is certain not to block: a local object by Id. */
static gboolean
send_cannot_block (SynodRef *ref)
{
  const SynodObjectId *id = synod_ref_get_id (ref);
  g_autoptr (SynodObject) local = NULL;

  if (id == NULL)
    return FALSE;
  local = synod_broker_lookup_object (synod_ref_get_broker (ref), id);
  return local != NULL;
}

static void
pending_start (SynodHttpSite *site, SynodRef *ref, PendingKind kind, SynodHttpExchange *ex)
{
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
  p->cancellable = g_cancellable_new ();
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

  if (send_cannot_block (ref))
    {
      /* Sent from this thread: the broker copies the arguments, so the
       * body can be borrowed. */
      StandardHTTPRequest request;

      if (kind == PENDING_HANDLE)
        {
          request_fill (&request, ex, FALSE);
          pending_send (p, &request);
          request.body.val = NULL;
          standard_http_request_clear (&request);
        }
      else
        pending_send (p, NULL);
      pending_unref (p);
      return;
    }
  /* The exchange may be answered (deadline, stop) before a sender thread
   * gets to it: copy what the send needs now. */
  if (kind == PENDING_HANDLE)
    request_fill (&p->request, ex, TRUE);
  g_thread_pool_push (site->rt->senders, p, NULL);
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

          response_apply (p->ex, &resp, who);
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
 * @all), on the completion thread. */
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
      g_atomic_int_set (&p->answered, 1);
      g_queue_push_tail (&expired, pending_ref (p));
    }
  g_mutex_unlock (&site->lock);
  while (!g_queue_is_empty (&expired))
    {
      Pending *p = g_queue_pop_head (&expired);
      g_autofree gchar *who = describe (p);

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

typedef struct
{
  SynodHttpSite *site;
  GMutex lock;
  GCond cond;
  gboolean done;
} StopJob;

static gboolean
stop_in_context (gpointer data)
{
  StopJob *job = data;

  site_expire (job->site, 0, TRUE);
  g_mutex_lock (&job->lock);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
  return G_SOURCE_REMOVE;
}

/**
 * synod_http_site_stop:
 *
 * Refuses further invocations (503) and answers those still waiting with
 * 503, so that the engine can stop without a handler outstanding. Returns
 * once they are answered.
 */
void
synod_http_site_stop (SynodHttpSite *site)
{
  StopJob job = { site };

  g_mutex_lock (&site->lock);
  site->stopping = TRUE;
  g_mutex_unlock (&site->lock);
  if (g_main_context_is_owner (site->rt->context))
    {
      site_expire (site, 0, TRUE);
      return;
    }
  g_mutex_init (&job.lock);
  g_cond_init (&job.cond);
  g_main_context_invoke (site->rt->context, stop_in_context, &job);
  g_mutex_lock (&job.lock);
  while (!job.done)
    g_cond_wait (&job.cond, &job.lock);
  g_mutex_unlock (&job.lock);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.cond);
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

static gpointer
completion_main (gpointer data)
{
  SynodHttpRuntime *rt = data;

  g_main_context_push_thread_default (rt->context);
  g_main_loop_run (rt->loop);
  g_main_context_pop_thread_default (rt->context);
  return NULL;
}

SynodHttpRuntime *
synod_http_runtime_new (SynodBroker *broker, GError **error)
{
  SynodHttpRuntime *rt = g_new0 (SynodHttpRuntime, 1);

  rt->ref_count = 1;
  rt->broker = broker;
  g_mutex_init (&rt->lock);
  rt->sites = g_ptr_array_new ();
  rt->context = g_main_context_new ();
  rt->loop = g_main_loop_new (rt->context, FALSE);
  rt->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (rt->tick, tick, rt, NULL);
  g_source_attach (rt->tick, rt->context);
  rt->senders = g_thread_pool_new (sender_run, rt, MAX_SENDERS, FALSE, error);
  if (rt->senders == NULL)
    {
      synod_http_runtime_unref (rt);
      return NULL;
    }
  rt->thread = g_thread_try_new ("http-completion", completion_main, rt, error);
  if (rt->thread == NULL)
    {
      synod_http_runtime_unref (rt);
      return NULL;
    }
  return rt;
}

SynodHttpRuntime *
synod_http_runtime_ref (SynodHttpRuntime *rt)
{
  g_atomic_int_inc (&rt->ref_count);
  return rt;
}

void
synod_http_runtime_unref (SynodHttpRuntime *rt)
{
  if (rt == NULL || !g_atomic_int_dec_and_test (&rt->ref_count))
    return;
  /* Sends still queued go out (their replies are dropped with the context). */
  if (rt->senders != NULL)
    g_thread_pool_free (rt->senders, FALSE, TRUE);
  if (rt->thread != NULL)
    {
      g_main_loop_quit (rt->loop);
      g_thread_join (rt->thread);
    }
  g_source_destroy (rt->tick);
  g_source_unref (rt->tick);
  g_main_loop_unref (rt->loop);
  g_main_context_unref (rt->context);
  g_ptr_array_unref (rt->sites);
  g_mutex_clear (&rt->lock);
  g_free (rt);
}
