/* The HTTP server as objects: sites made through the classes, objects that
 * serve URIs (implemented, allomorphic, on another peer), the automatic
 * cache of document objects, failures turned into 502/503/504, server-side
 * includes of objects, introspection. Raw HTTP over loopback, in process. */
#define _GNU_SOURCE 1 /* pthread_getname_np */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "http.h"
#include "httpd-test-util.h"
#include "httpd-test.h"
#include "synod-http-error.h"
#include "synod-http-objects.h"

#define TEST_ERROR (test_error_quark ())
static GQuark test_error_quark (void);
G_DEFINE_QUARK (httpd - objects - test - error - quark, test_error)

static gchar *root;

/* ---- a handler class: HttpTest.Echo implements Standard.HTTPhandler ---- */

typedef struct
{
  guint hits;
} Echo;

static void
add_field (StandardHTTPResponse *r, const gchar *name, const gchar *value)
{
  r->fields.val = g_renew (StandardHTTPField, r->fields.val, r->fields.len + 1);
  r->fields.val[r->fields.len].name = g_strdup (name);
  r->fields.val[r->fields.len].value = g_strdup (value);
  r->fields.len++;
}

static const gchar *
field (const StandardHTTPRequest *r, const gchar *name)
{
  for (guint i = 0; i < r->fields.len; i++)
    if (strcmp (r->fields.val[i].name, name) == 0)
      return r->fields.val[i].value;
  return NULL;
}

static gboolean
echo_answer (guint *hits, SynodCall *call, const StandardHTTPRequest *req,
             StandardHTTPResponse *ret, GError **error)
{
  g_autofree gchar *text = NULL;

  (*hits)++;
  if (g_str_has_suffix (req->path, "/fail"))
    {
      g_set_error (error, TEST_ERROR, 7, "failing on purpose");
      return FALSE;
    }
  if (g_str_has_suffix (req->path, "/notfound"))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_NOT_FOUND, "nothing here");
      return FALSE;
    }
  if (g_str_has_suffix (req->path, "/slow"))
    g_usleep (1500 * 1000);
  if (g_str_has_suffix (req->path, "/thread"))
    {
      /* Which thread ran the method: the connection's worker or the broker's. */
      gchar name[32] = "";

      pthread_getname_np (pthread_self (), name, sizeof name);
      ret->status = 200;
      ret->body.len = (guint32)strlen (name);
      ret->body.val = (guint8 *)g_strdup (name);
      return TRUE;
    }
  if (g_str_has_suffix (req->path, "/too-many-fields"))
    for (guint i = 0; i <= STANDARD_HTTP_FIELDS_MAX; i++)
      add_field (ret, "X-Many", "yes");
  ret->status = g_str_has_suffix (req->path, "/bad-status") ? 42 : 200;
  add_field (ret, "Content-Type", "text/plain");
  add_field (ret, "X-Handler",
             g_str_has_suffix (req->path, "/bad-field") ? "a\r\nInjected: yes" : "echo");
  /* The engine owns these: they must not reach the client. */
  add_field (ret, "Server", "evil");
  add_field (ret, "Content-Length", "9999");
  text = g_strdup_printf (
      "peer=%016" G_GINT64_MODIFIER "x method=%s path=%s query=%s prefix=%s host=%s depth=%u "
      "x-test=%s body=%.*s",
      synod_broker_get_peer_id (synod_call_get_broker (call)), req->method, req->path, req->query,
      req->prefix, req->host, req->depth, field (req, "x-test") ? field (req, "x-test") : "-",
      (int)req->body.len, (const gchar *)req->body.val);
  ret->body.len = (guint32)strlen (text);
  ret->body.val = (guint8 *)g_steal_pointer (&text);
  return TRUE;
}

static gboolean
echo_handle (gpointer self, SynodCall *call, const StandardHTTPRequest *req,
             StandardHTTPResponse *ret, GError **error)
{
  return echo_answer (&((Echo *)self)->hits, call, req, ret, error);
}

static const StandardHTTPHandlerIface echo_vtable = { .handle = echo_handle };

/* HttpTest.Page: the same method under another interface. */
static gboolean
page_hits (gpointer self, SynodCall *call, guint32 *ret, GError **error)
{
  *ret = ((Echo *)self)->hits;
  return TRUE;
}

static const HttpTestPageIface page_vtable = { .handle = echo_handle, .hits = page_hits };

/* HttpTest.Generator: a loader (by allomorphism) that makes an Echo object
 * for every URI it is asked for and registers it in the directory. */
typedef struct
{
  guint loads;
  SynodObjectId directory;
} Generator;

static gboolean
generator_load (gpointer self, SynodCall *call, const gchar *uri, StandardURLEntry *ret,
                GError **error)
{
  Generator *g = self;
  SynodBroker *broker = synod_call_get_broker (call);
  g_autoptr (SynodObject) echo = NULL;
  g_autoptr (SynodRef) dir = synod_ref_new_for_id (broker, &g->directory);

  g->loads++;
  if (g_str_has_suffix (uri, "/missing"))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_NOT_FOUND, "no such page");
      return FALSE;
    }
  echo = synod_broker_create_object (broker, "HttpTest.Echo", 1, NULL, error);
  if (echo == NULL
      || !standard_url_directory_register (dir, uri, STANDARD_URL_MATCH_EXACT,
                                           synod_object_get_id (echo), error))
    return FALSE;
  ret->path = g_strdup (uri);
  ret->match = STANDARD_URL_MATCH_EXACT;
  ret->role = STANDARD_URL_ROLE_HANDLER;
  ret->target = *synod_object_get_id (echo);
  ret->service = g_strdup ("");
  return TRUE;
}

static gboolean
generator_info (gpointer self, SynodCall *call, StandardURLFileLoaderInfo *ret, GError **error)
{
  ret->prefix = g_strdup ("/gen/");
  ret->root = g_strdup ("");
  ret->directory = ((Generator *)self)->directory;
  ret->loads = ((Generator *)self)->loads;
  return TRUE;
}

static gboolean
generator_flush (gpointer self, SynodCall *call, guint32 *ret, GError **error)
{
  *ret = 0;
  return TRUE;
}

static const HttpTestGeneratorIface generator_vtable
    = { .load = generator_load, .info = generator_info, .flush = generator_flush };

static gboolean
generator_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                  GError **error)
{
  const gchar *dir = NULL;

  g_assert_true (g_variant_lookup (params, "directory", "&s", &dir));
  return synod_object_id_parse (dir, &((Generator *)instance)->directory, error);
}

/* ---- brokers ---- */

static SynodBroker *
broker_new (void)
{
  g_autoptr (GError) error = NULL;
  SynodBroker *broker = synod_broker_new (NULL, &error);
  g_autoptr (SynodClass) echo = synod_class_new ("HttpTest.Echo", 1, sizeof (Echo), 0);
  g_autoptr (SynodClass) page = synod_class_new ("HttpTest.Page", 1, sizeof (Echo), 0);
  g_autoptr (SynodClass) gen = synod_class_new ("HttpTest.Generator", 1, sizeof (Generator), 0);

  g_assert_no_error (error);
  g_assert_true (synod_http_register_classes (broker, &error));
  g_assert_no_error (error);
  synod_class_add_interface (echo, &standard_http_handler_interface, &echo_vtable);
  g_assert_true (synod_broker_register_class (broker, echo, &error));
  synod_class_add_interface (page, &http_test_page_interface, &page_vtable);
  g_assert_true (synod_broker_register_class (broker, page, &error));
  synod_class_add_interface (gen, &http_test_generator_interface, &generator_vtable);
  synod_class_set_hooks (gen, generator_create, NULL, NULL, NULL);
  g_assert_true (synod_broker_register_class (broker, gen, &error));
  g_assert_no_error (error);
  return broker;
}

static SynodNetwork *
network_new (SynodBroker *broker, const gchar *peer)
{
  SynodNetworkOptions options;
  const gchar *peers[2] = { peer, NULL };
  g_autoptr (GError) error = NULL;
  SynodNetwork *network;

  synod_network_options_init (&options);
  options.listen = "127.0.0.1:0";
  options.peers = peer != NULL ? peers : NULL;
  options.cluster = "httpd-objects-test";
  options.probe_interval_ms = 200;
  options.call_timeout_ms = 10000;
  network = synod_network_new (broker, &options, &error);
  g_assert_no_error (error);
  return network;
}

/* A site made through the class; @extra adds parameters (a{sv} entries). */
static SynodObject *
site_new (SynodBroker *broker, const gchar *extra, guint16 *ret_port)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text
      = g_strdup_printf ("{'listen': <'127.0.0.1:0'>, 'root': <'%s'>, 'workers': <uint32 2>%s%s}",
                         root, extra != NULL ? ", " : "", extra != NULL ? extra : "");
  g_autoptr (GVariant) params = g_variant_parse (NULL, text, NULL, NULL, &error);
  SynodObject *daemon;
  g_autoptr (SynodRef) ref = NULL;
  guint32 port = 0;

  g_assert_no_error (error);
  daemon = synod_broker_create_object (broker, "Standard.HTTPdaemon", 1, params, &error);
  g_assert_no_error (error);
  ref = synod_ref_new_for_object (daemon);
  g_assert_true (standard_http_daemon_port (ref, &port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);
  *ret_port = (guint16)port;
  return daemon;
}

static void
site_free (SynodObject *daemon)
{
  synod_object_delete (daemon, NULL);
  synod_object_unref (daemon);
}

static SynodRef *
directory_of (SynodObject *daemon, const gchar *host)
{
  g_autoptr (SynodRef) d = synod_ref_new_for_object (daemon);
  g_autoptr (GError) error = NULL;
  SynodObjectId id;

  g_assert_true (standard_http_daemon_directory (d, host, &id, &error));
  g_assert_no_error (error);
  return synod_ref_new_for_id (synod_object_get_broker (daemon), &id);
}

static SynodObject *
echo_new (SynodBroker *broker, const gchar *class_name)
{
  g_autoptr (GError) error = NULL;
  SynodObject *o = synod_broker_create_object (broker, class_name, 1, NULL, &error);

  g_assert_no_error (error);
  return o;
}

static gchar *
body_of (TestResponse *r)
{
  return g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
}

static TestResponse *
get (guint16 port, const gchar *path)
{
  g_autofree gchar *req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: a\r\n\r\n", path);
  TestResponse *r = test_request (port, req);

  g_assert_nonnull (r);
  return r;
}

/* ---- tests ---- */

static void
test_static_site (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, NULL, &port);
  g_autoptr (TestResponse) r = get (port, "/digits.txt");
  g_autoptr (TestResponse) index = get (port, "/");
  g_autoptr (TestResponse) redirect = get (port, "/sub");
  g_autoptr (TestResponse) missing = get (port, "/nope.txt");
  g_autoptr (TestResponse) ssi = get (port, "/page.shtml?x=1");
  g_autoptr (TestResponse) range
      = test_request (port, "GET /digits.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=10-14\r\n\r\n");
  g_autoptr (TestResponse) not_modified = NULL;
  g_autofree gchar *conditional = NULL;
  g_autofree gchar *ssi_body = NULL;

  g_test_summary ("A site created through Standard.HTTPdaemon with a document root serves "
                  "files, directory indexes and redirects, ranges, conditionals and SSI.");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (r->body), ==, 100);
  g_assert_cmpstr (test_response_header (r, "content-type"), ==, "text/plain; charset=utf-8");
  g_assert_cmpuint (index->status, ==, 200);
  g_assert_cmpuint (redirect->status, ==, 301);
  g_assert_cmpstr (test_response_header (redirect, "location"), ==, "/sub/");
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (range->status, ==, 206);
  g_assert_cmpstr (test_response_header (range, "content-range"), ==, "bytes 10-14/100");
  conditional = g_strdup_printf ("GET /digits.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: %s\r\n\r\n",
                                 test_response_header (r, "etag"));
  not_modified = test_request (port, conditional);
  g_assert_cmpuint (not_modified->status, ==, 304);
  ssi_body = body_of (ssi);
  g_assert_cmpstr (ssi_body, ==, "uri=/page.shtml q=x=1\n");
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_custom_handler (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, NULL, &port);
  g_autoptr (SynodRef) dir = directory_of (daemon, "");
  g_autoptr (SynodObject) echo = echo_new (broker, "HttpTest.Echo");
  g_autoptr (GError) error = NULL;
  g_autoptr (TestResponse) r = NULL;
  g_autoptr (TestResponse) post = NULL;
  g_autoptr (TestResponse) head = NULL;
  g_autoptr (TestResponse) gone = NULL;
  g_autoptr (TestResponse) file = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *expected = NULL;
  g_auto (StandardURLLookup) found = { 0 };
  gboolean forgotten = FALSE;

  g_test_summary ("An object registered in the site's URLdirectory serves its prefix: it "
                  "gets the request's method, path, query, prefix, fields and body, and its "
                  "answer reaches the client without the fields the engine owns.");
  g_assert_true (standard_url_directory_register (dir, "/app/", STANDARD_URL_MATCH_PREFIX,
                                                  synod_object_get_id (echo), &error));
  g_assert_no_error (error);
  r = test_request (port,
                    "GET /app/a%20b?x=1 HTTP/1.1\r\nHost: Example.ORG:81\r\nX-Test: yes\r\n\r\n");
  g_assert_cmpuint (r->status, ==, 200);
  body = body_of (r);
  expected = g_strdup_printf ("peer=%016" G_GINT64_MODIFIER "x method=GET path=/app/a b query=x=1 "
                              "prefix=/app/ host=example.org depth=0 x-test=yes body=",
                              synod_broker_get_peer_id (broker));
  g_assert_cmpstr (body, ==, expected);
  g_assert_cmpstr (test_response_header (r, "x-handler"), ==, "echo");
  g_assert_cmpstr (test_response_header (r, "server"), ==, "Synod");
  g_assert_cmpuint (g_bytes_get_size (r->body), ==,
                    g_ascii_strtoull (test_response_header (r, "content-length"), NULL, 10));

  post = test_request (port, "POST /app/form HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                             "\r\n5\r\nhello\r\n0\r\n\r\n");
  g_clear_pointer (&body, g_free);
  body = body_of (post);
  g_assert_true (g_str_has_suffix (body, "method=POST path=/app/form query= prefix=/app/ host=a "
                                         "depth=0 x-test=- body=hello"));
  head = test_request (port, "HEAD /app/x HTTP/1.1\r\nHost: a\r\n\r\n");
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
  g_assert_cmpuint (((Echo *)synod_object_get_instance (echo))->hits, ==, 3);

  /* The directory says who serves what. */
  g_assert_true (standard_url_directory_lookup (dir, "/app/deep/er?q", &found, &error));
  g_assert_true (found.found);
  g_assert_cmpstr (found.u.entry.path, ==, "/app/");
  g_assert_cmpint (found.u.entry.match, ==, STANDARD_URL_MATCH_PREFIX);
  g_assert_cmpint (found.u.entry.role, ==, STANDARD_URL_ROLE_HANDLER);
  g_assert_true (synod_object_id_equal (&found.u.entry.target, synod_object_get_id (echo)));

  /* Forgotten: the document root's loader answers again (404). */
  g_assert_true (
      standard_url_directory_forget (dir, "/app/", STANDARD_URL_MATCH_PREFIX, &forgotten, &error));
  g_assert_true (forgotten);
  gone = get (port, "/app/x");
  g_assert_cmpuint (gone->status, ==, 404);
  file = get (port, "/digits.txt");
  g_assert_cmpuint (file->status, ==, 200);
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_service_and_mounts (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) echo = echo_new (broker, "HttpTest.Echo");
  g_autoptr (SynodObject) page = echo_new (broker, "HttpTest.Page");
  g_autofree gchar *extra = NULL;
  g_autofree gchar *page_id = synod_object_id_to_string (synod_object_get_id (page));
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) page_ref = synod_ref_new_for_object (page);
  guint16 port;
  SynodObject *daemon;
  guint32 hits = 0;

  g_test_summary ("Objects named by service name and by Id serve the prefixes given as the "
                  "daemon's mounts; an object only allomorphic to Standard.HTTPhandler (its "
                  "class implements another interface with the same method) serves too.");
  g_assert_true (synod_broker_register_service (broker, "test.echo", echo, &error));
  extra = g_strdup_printf ("'mounts': <{'/svc/': 'test.echo', '/page': '%s'}>", page_id);
  daemon = site_new (broker, extra, &port);
  {
    g_autoptr (TestResponse) by_name = get (port, "/svc/one");
    g_autoptr (TestResponse) by_id = get (port, "/page/two");
    g_autoptr (TestResponse) exact = get (port, "/page");
    g_autoptr (TestResponse) not_it = get (port, "/pages");

    g_assert_cmpuint (by_name->status, ==, 200);
    g_assert_cmpuint (by_id->status, ==, 200);
    g_assert_cmpuint (exact->status, ==, 200);
    g_assert_cmpuint (not_it->status, ==, 404);
  }
  g_assert_cmpuint (((Echo *)synod_object_get_instance (echo))->hits, ==, 1);
  g_assert_true (http_test_page_hits (page_ref, &hits, &error));
  g_assert_cmpuint (hits, ==, 2);
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_failures (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, "'handler-timeout-ms': <uint32 300>", &port);
  g_autoptr (SynodRef) dir = directory_of (daemon, "");
  SynodObject *echo = echo_new (broker, "HttpTest.Echo");
  g_autoptr (GError) error = NULL;
  const struct
  {
    const gchar *path;
    guint status;
  } cases[] = {
    { "/app/fail", 502 },      { "/app/notfound", 404 },        { "/app/bad-status", 502 },
    { "/app/bad-field", 502 }, { "/app/too-many-fields", 502 }, { "/nobody/x", 503 },
    { "/app/ok", 200 },
  };
  SynodObjectId elsewhere = { 0x0123456789abcdefu, 7 };

  g_test_summary ("What an object does wrong becomes a status: its own error 502, an HTTP "
                  "layer error its status, an invalid answer 502, a service nobody provides "
                  "503, an object on an unknown peer 503, a deleted object 503, an object "
                  "slower than the handler timeout 504 in bounded time; the connection goes "
                  "on serving.");
  g_assert_true (standard_url_directory_register (dir, "/app/", STANDARD_URL_MATCH_PREFIX,
                                                  synod_object_get_id (echo), &error));
  g_assert_true (standard_url_directory_register_service (
      dir, "/nobody/", STANDARD_URL_MATCH_PREFIX, "no.such.service", &error));
  g_assert_true (standard_url_directory_register (dir, "/far/", STANDARD_URL_MATCH_PREFIX,
                                                  &elsewhere, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TestResponse) r = get (port, cases[i].path);

      g_test_message ("%s", cases[i].path);
      g_assert_cmpuint (r->status, ==, cases[i].status);
      g_assert_null (test_response_header (r, "injected"));
    }
  {
    g_autoptr (TestResponse) far = get (port, "/far/x");

    g_assert_cmpuint (far->status, ==, 503);
  }
  /* Slow: 504 after about the deadline, and the same connection serves on. */
  {
    gint fd = test_connect (port);
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr (TestResponse) slow = NULL;
    g_autoptr (TestResponse) next = NULL;

    test_send_str (fd, "GET /app/slow HTTP/1.1\r\nHost: a\r\n\r\n"
                       "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    slow = test_read_response (fd, FALSE);
    g_assert_nonnull (slow);
    g_assert_cmpuint (slow->status, ==, 504);
    g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250 * 1000);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 1200 * 1000);
    next = test_read_response (fd, FALSE);
    g_assert_nonnull (next);
    g_assert_cmpuint (next->status, ==, 200);
    test_close (fd);
  }
  /* Deleted: its entry stays, and answers 503. */
  synod_object_delete (echo, NULL);
  synod_object_unref (echo);
  {
    g_autoptr (TestResponse) r = get (port, "/app/ok");

    g_assert_cmpuint (r->status, ==, 503);
  }
  {
    g_autoptr (SynodRef) d = synod_ref_new_for_object (daemon);
    StandardHTTPStatistics st = { 0 };

    g_assert_true (standard_http_daemon_statistics (d, &st, &error));
    g_assert_cmpuint (st.invocation_timeouts, ==, 1);
    g_assert_cmpuint (st.invocations, >=, 9);
    g_assert_cmpuint (st.invocation_failures, >=, 5);
    g_assert_cmpuint (st.status_classes[4], >=, 7);
  }
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_document_objects (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, "'revalidate-ms': <uint32 0>", &port);
  g_autoptr (SynodRef) dir = directory_of (daemon, "");
  g_autoptr (GError) error = NULL;
  g_auto (StandardURLLookup) before = { 0 };
  g_auto (StandardURLLookup) loaded = { 0 };
  g_auto (StandardURLLookup) after = { 0 };
  g_autoptr (SynodRef) doc = NULL;
  g_autoptr (SynodRef) old_doc = NULL;
  g_autoptr (SynodRef) loader = NULL;
  g_autofree gchar *class_name = NULL;
  g_auto (StandardHTTPDocumentInfo) info = { 0 };
  g_auto (StandardURLFileLoaderInfo) linfo = { 0 };
  g_auto (StandardHTTPResponse) direct = { 0 };
  g_auto (StandardURLEntry) entry = { 0 };
  StandardHTTPRequest req = { 0 };
  guint32 flushed = 0;

  g_test_summary ("A miss makes the URLfileLoader load the document, create its "
                  "Standard.HTTPdocument object and register it at its exact path; the "
                  "object answers Standard.HTTPhandler itself; a changed file gets a new "
                  "object and the old one is deleted; URLfileLoader.load and flush work "
                  "without a request.");
  test_write_file (root, "cached.txt", "first version\n", -1);
  g_assert_true (standard_url_directory_lookup (dir, "/cached.txt", &before, &error));
  g_assert_true (before.found);
  g_assert_cmpint (before.u.entry.role, ==, STANDARD_URL_ROLE_LOADER);
  g_assert_cmpstr (before.u.entry.path, ==, "/");
  loader = synod_ref_new_for_id (broker, &before.u.entry.target);
  g_assert_true (standard_object_class_name (loader, &class_name, &error));
  g_assert_cmpstr (class_name, ==, "Standard.URLfileLoader;1");
  g_clear_pointer (&class_name, g_free);

  {
    g_autoptr (TestResponse) r = get (port, "/cached.txt");

    g_assert_cmpuint (r->status, ==, 200);
  }
  g_assert_true (standard_url_directory_lookup (dir, "/cached.txt", &loaded, &error));
  g_assert_cmpint (loaded.u.entry.role, ==, STANDARD_URL_ROLE_HANDLER);
  g_assert_cmpint (loaded.u.entry.match, ==, STANDARD_URL_MATCH_EXACT);
  g_assert_cmpstr (loaded.u.entry.path, ==, "/cached.txt");
  doc = synod_ref_new_for_id (broker, &loaded.u.entry.target);
  g_assert_true (standard_object_class_name (doc, &class_name, &error));
  g_assert_cmpstr (class_name, ==, "Standard.HTTPdocument;1");
  g_assert_true (standard_http_document_info (doc, &info, &error));
  g_assert_cmpstr (info.path, ==, "/cached.txt");
  g_assert_cmpuint (info.size, ==, 14);
  g_assert_cmpstr (info.media_type, ==, "text/plain; charset=utf-8");

  /* The document object answers a request made as an invocation. */
  req.method = (gchar *)"GET";
  req.path = (gchar *)"/cached.txt";
  req.target = (gchar *)"/cached.txt";
  req.version = 11;
  g_assert_true (standard_http_handler_handle (doc, &req, &direct, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (direct.status, ==, 200);
  g_assert_cmpmem (direct.body.val, direct.body.len, "first version\n", 14);

  /* The file changes: the next request reloads it into a new object. */
  test_write_file (root, "cached.txt", "second version\n", -1);
  {
    g_autoptr (TestResponse) r = get (port, "/cached.txt");
    g_autofree gchar *body = body_of (r);

    g_assert_cmpstr (body, ==, "second version\n");
  }
  g_assert_true (standard_url_directory_lookup (dir, "/cached.txt", &after, &error));
  g_assert_false (synod_object_id_equal (&after.u.entry.target, &loaded.u.entry.target));
  old_doc = g_steal_pointer (&doc);
  g_assert_false (standard_object_ping (old_doc, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);

  /* Loading without a request; the loader's account. */
  test_write_file (root, "preload.txt", "preloaded\n", -1);
  g_assert_true (standard_url_file_loader_load (loader, "/preload.txt", &entry, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (entry.path, ==, "/preload.txt");
  g_assert_false (standard_url_file_loader_load (loader, "/none.txt", NULL, &error));
  g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (standard_url_file_loader_info (loader, &linfo, &error));
  g_assert_cmpuint (linfo.documents, ==, 2);
  g_assert_cmpuint (linfo.loads, ==, 3);
  g_assert_true (synod_object_id_equal (&linfo.directory, synod_ref_get_id (dir)));
  g_assert_true (standard_url_file_loader_flush (loader, &flushed, &error));
  g_assert_cmpuint (flushed, ==, 2);
  g_clear_pointer (&doc, synod_ref_unref);
  doc = synod_ref_new_for_id (broker, &entry.target);
  g_assert_false (standard_object_ping (doc, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  g_clear_error (&error);
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_foreign_loader (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, NULL, &port);
  g_autoptr (SynodRef) dir = directory_of (daemon, "");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir_id = synod_object_id_to_string (synod_ref_get_id (dir));
  g_autofree gchar *params = g_strdup_printf ("{'directory': <'%s'>}", dir_id);
  g_autoptr (SynodObject) gen = synod_broker_create_object (broker, "HttpTest.Generator", 1,
                                                            g_variant_new_parsed (params), &error);

  g_test_summary ("An object allomorphic to Standard.URLfileLoader, registered as a loader, "
                  "is asked on each miss under its prefix; it registers an object for the "
                  "URI, which answers this request and the next ones without a load.");
  g_assert_no_error (error);
  g_assert_true (
      standard_url_directory_register_loader (dir, "/gen/", synod_object_get_id (gen), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TestResponse) r = get (port, "/gen/thing");
      g_autofree gchar *body = body_of (r);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_nonnull (strstr (body, "path=/gen/thing "));
    }
  {
    g_autoptr (TestResponse) r = get (port, "/gen/missing");

    g_assert_cmpuint (r->status, ==, 404);
  }
  g_assert_cmpuint (((Generator *)synod_object_get_instance (gen))->loads, ==, 2);
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_ssi_includes_object (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) echo = echo_new (broker, "HttpTest.Echo");
  g_autofree gchar *echo_id = synod_object_id_to_string (synod_object_get_id (echo));
  g_autofree gchar *extra = g_strdup_printf ("'mounts': <{'/obj/': '%s'}>", echo_id);
  guint16 port;
  SynodObject *daemon = site_new (broker, extra, &port);
  g_autoptr (TestResponse) r = get (port, "/includes-object.shtml");
  g_autofree gchar *body = body_of (r);

  g_test_summary ("An SSI include virtual of a URI an object serves includes the object's "
                  "answer (a sub-request one level deep).");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (body, "[before]"));
  g_assert_nonnull (strstr (body, "path=/obj/part query=k=v prefix=/obj/ host=a depth=1"));
  g_assert_true (g_str_has_suffix (body, "[after]\n"));
  site_free (daemon);
  synod_broker_unref (broker);
}

typedef struct
{
  SynodBroker *broker;
  SynodNetwork *network;
} Peer;

static void
test_remote_handoff (void)
{
  Peer a = { broker_new () }, b = { broker_new () };
  g_autoptr (SynodObject) far_echo = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;
  SynodObject *daemon;
  g_autoptr (SynodRef) dir = NULL;
  g_autofree gchar *expected = NULL;

  g_test_summary ("A handler object on another broker, reached over the network, serves a "
                  "prefix of this broker's site, by Id and by service name, also through an "
                  "SSI include; when its peer leaves, requests get 503 promptly.");
  a.network = network_new (a.broker, NULL);
  b.network = network_new (b.broker, synod_network_get_listen_address (a.network));
  g_assert_true (synod_network_wait_peers (a.network, 1, 10000));
  g_assert_true (synod_network_wait_peers (b.network, 1, 10000));
  far_echo = echo_new (b.broker, "HttpTest.Echo");
  g_assert_true (synod_broker_register_service (b.broker, "far.echo", far_echo, &error));

  daemon = site_new (a.broker, "'handler-timeout-ms': <uint32 5000>", &port);
  dir = directory_of (daemon, "");
  g_assert_true (standard_url_directory_register (dir, "/remote/", STANDARD_URL_MATCH_PREFIX,
                                                  synod_object_get_id (far_echo), &error));
  g_assert_true (standard_url_directory_register_service (dir, "/named/", STANDARD_URL_MATCH_PREFIX,
                                                          "far.echo", &error));
  g_assert_no_error (error);
  expected = g_strdup_printf ("peer=%016" G_GINT64_MODIFIER "x method=",
                              synod_broker_get_peer_id (b.broker));
  {
    g_autoptr (TestResponse) by_id = get (port, "/remote/x");
    g_autoptr (TestResponse) by_name = get (port, "/named/y");
    g_autoptr (TestResponse) post = test_request (
        port, "POST /remote/p HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody");
    g_autoptr (TestResponse) ssi = get (port, "/includes-remote.shtml");
    g_autofree gchar *b1 = body_of (by_id);
    g_autofree gchar *b2 = body_of (by_name);
    g_autofree gchar *b3 = body_of (post);
    g_autofree gchar *b4 = body_of (ssi);

    g_assert_cmpuint (by_id->status, ==, 200);
    g_assert_true (g_str_has_prefix (b1, expected));
    g_assert_cmpuint (by_name->status, ==, 200);
    g_assert_true (g_str_has_prefix (b2, expected));
    g_assert_true (g_str_has_suffix (b3, "body=body"));
    g_assert_nonnull (strstr (b4, expected));
    g_assert_nonnull (strstr (b4, "path=/remote/inc "));
  }
  g_assert_cmpuint (((Echo *)synod_object_get_instance (far_echo))->hits, ==, 4);

  /* b leaves the network: unreachable, not a hang. */
  g_clear_pointer (&b.network, synod_network_free);
  {
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr (TestResponse) r = get (port, "/remote/x");

    g_assert_cmpuint (r->status, ==, 503);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  }
  site_free (daemon);
  synod_network_free (a.network);
  synod_broker_unref (a.broker);
  synod_broker_unref (b.broker);
}

static gboolean
validate_xml (const gchar *xml)
{
  const gchar *xmllint = g_getenv ("XMLLINT");
  const gchar *dtd = g_getenv ("DBUS_INTROSPECT_DTD");
  g_autofree gchar *file = NULL;
  g_autoptr (GError) error = NULL;
  gint fd, status = -1;
  g_autofree gchar *err = NULL;

  if (xmllint == NULL || g_strcmp0 (xmllint, "no") == 0 || dtd == NULL
      || !g_file_test (dtd, G_FILE_TEST_EXISTS))
    return FALSE;
  fd = g_file_open_tmp ("synod-introspect-XXXXXX.xml", &file, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (file, xml, -1, &error));
  {
    const gchar *argv[] = { xmllint, "--noout", "--dtdvalid", dtd, file, NULL };

    g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                 &err, &status, &error));
  }
  g_unlink (file);
  if (status != 0)
    g_test_message ("xmllint: %s", err);
  g_assert_cmpint (status, ==, 0);
  return TRUE;
}

static void
test_introspection (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, NULL, &port);
  g_autoptr (SynodRef) dir = directory_of (daemon, "");
  g_autoptr (GError) error = NULL;
  g_auto (StandardURLLookup) doc = { 0 };
  g_auto (StandardURLLookup) loader = { 0 };
  g_autoptr (TestResponse) r = get (port, "/digits.txt");
  const struct
  {
    const SynodObjectId *id;
    const gchar *iface;
  } objects[] = {
    { synod_object_get_id (daemon), "Standard.HTTPdaemon" },
    { synod_ref_get_id (dir), "Standard.URLdirectory" },
    { &loader.u.entry.target, "Standard.URLfileLoader" },
    { &doc.u.entry.target, "Standard.HTTPhandler" },
  };
  gboolean validated = FALSE;

  g_test_summary ("Every HTTP object answers Standard.Introspectable with XML naming its "
                  "interfaces, valid against the D-Bus introspection DTD.");
  g_assert_cmpuint (r->status, ==, 200); /* the document object exists now */
  g_assert_true (standard_url_directory_lookup (dir, "/digits.txt", &doc, &error));
  g_assert_true (standard_url_directory_lookup (dir, "/nothing-here", &loader, &error));
  g_assert_cmpint (doc.u.entry.role, ==, STANDARD_URL_ROLE_HANDLER);
  for (gsize i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_autoptr (SynodRef) ref = synod_ref_new_for_id (broker, objects[i].id);
      g_autofree gchar *xml = NULL;
      g_autofree gchar *needle = g_strdup_printf ("<interface name=\"%s\">", objects[i].iface);

      g_assert_true (standard_introspectable_introspect (ref, &xml, &error));
      g_assert_no_error (error);
      g_assert_nonnull (strstr (xml, needle));
      g_assert_nonnull (strstr (xml, "<interface name=\"Standard.Object\">"));
      validated = validate_xml (xml) || validated;
    }
  if (!validated)
    g_test_incomplete ("xmllint or the D-Bus DTD is missing: the XML was not validated");
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_bad_parameters (void)
{
  SynodBroker *broker = broker_new ();
  const struct
  {
    const gchar *params;
    const gchar *message;
  } cases[] = {
    { "{'nonsense': <1>}", "“nonsense”: unknown parameter" },
    { "{'workers': <'two'>}", "“workers”: not a number" },
    { "{'workers': <-1>}", "“workers”: negative" },
    { "{'max-headers': <uint32 100000>}", "“max-headers”: 100000 is out of range" },
    { "{'listen': <'localhost'>}", "“listen”: give ADDRESS:PORT" },
    { "{'listen': <'nowhere:80'>}", "“listen”: not an IP address" },
    { "{'listen': <'127.0.0.1:99999'>}", "“listen”: invalid port" },
    { "{'listen': <'127.0.0.1:0'>, 'root': <'/no/such/dir'>}", "is not a directory" },
    { "{'listen': <'127.0.0.1:0'>, 'mounts': <{'/x/': 'not a name!'}>}", "neither an object Id" },
    { "{'listen': <'127.0.0.1:0'>, 'mounts': <{'x/': 'a.b'}>}", "does not start with" },
    { "{'virtual-hosts': <['a']>}", "“virtual-hosts”: not a dictionary" },
    { "{'directory-service': <'bad name'>}", "not a valid service name" },
    { "{'listen': <'127.0.0.1:0'>, 'tls-cert': <'/x.pem'>}", "“tls-key”: missing" },
    { "{'listen': <'127.0.0.1:0'>, 'tls-key': <'/x.pem'>}", "“tls-cert”: missing" },
    { "{'listen': <'127.0.0.1:0'>, 'tls-cert': <'/no/cert.pem'>, 'tls-key': <'/no/key.pem'>}",
      "cannot read certificate file “/no/cert.pem”" },
  };

  g_test_summary ("Creation parameters that are unknown, of the wrong type or out of range "
                  "fail the creation with an error naming the parameter; nothing is left "
                  "listening.");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      GVariant *params
          = g_variant_parse (G_VARIANT_TYPE_VARDICT, cases[i].params, NULL, NULL, &error);
      g_autoptr (SynodObject) o = NULL;

      g_assert_no_error (error);
      g_test_message ("%s", cases[i].params);
      o = synod_broker_create_object (broker, "Standard.HTTPdaemon", 1, params, &error);
      g_assert_null (o);
      g_assert_nonnull (error);
      g_test_message ("-> %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SynodObject) o
        = synod_broker_create_object (broker, "Standard.HTTPdocument", 1, NULL, &error);

    g_assert_null (o);
    g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG);
  }
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (synod_http_register_classes (broker, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS);
  }
  synod_broker_unref (broker);
}

static void
test_several_sites (void)
{
  SynodBroker *broker = broker_new ();
  g_autofree gchar *other = g_build_filename (root, "sub", NULL);
  g_autofree gchar *extra = g_strdup_printf ("'virtual-hosts': <{'Other.Example': '%s'}>", other);
  guint16 p1, p2;
  SynodObject *d1 = site_new (broker, extra, &p1);
  SynodObject *d2 = site_new (broker, NULL, &p2);
  g_autoptr (SynodRef) r1 = synod_ref_new_for_object (d1);
  g_autoptr (GError) error = NULL;
  g_auto (StandardHTTPVirtualHosts) vhosts = { 0 };
  g_autoptr (SynodRef) vdir = directory_of (d1, "OTHER.example:80");
  g_autoptr (SynodRef) ddir = directory_of (d1, "unknown.example");

  g_test_summary ("Two daemons in one broker serve independently; a name-based virtual host "
                  "has its own URLdirectory; deleting one daemon closes its port and leaves "
                  "the other serving.");
  {
    g_autoptr (TestResponse) vh
        = test_request (p1, "GET /x.txt HTTP/1.1\r\nHost: other.example\r\n\r\n");
    g_autoptr (TestResponse) def = get (p1, "/x.txt");
    g_autoptr (TestResponse) second = get (p2, "/digits.txt");
    g_autofree gchar *body = body_of (vh);

    g_assert_cmpstr (body, ==, "sub x\n");
    g_assert_cmpuint (def->status, ==, 404);
    g_assert_cmpuint (second->status, ==, 200);
  }
  g_assert_true (standard_http_daemon_virtual_hosts (r1, &vhosts, &error));
  g_assert_cmpuint (vhosts.len, ==, 1);
  g_assert_cmpstr (vhosts.val[0].host, ==, "other.example");
  g_assert_true (synod_object_id_equal (&vhosts.val[0].directory, synod_ref_get_id (vdir)));
  g_assert_false (synod_object_id_equal (synod_ref_get_id (ddir), synod_ref_get_id (vdir)));
  {
    g_autofree gchar *address = NULL;
    g_autofree gchar *want = g_strdup_printf ("127.0.0.1:%u", p1);

    g_assert_true (standard_http_daemon_address (r1, &address, &error));
    g_assert_cmpstr (address, ==, want);
  }
  site_free (d1);
  {
    g_autoptr (GSocketClient) client = g_socket_client_new ();
    g_autoptr (GSocketConnection) conn
        = g_socket_client_connect_to_host (client, "127.0.0.1", p1, NULL, &error);

    g_assert_null (conn);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    g_clear_error (&error);
  }
  {
    g_autoptr (TestResponse) still = get (p2, "/digits.txt");

    g_assert_cmpuint (still->status, ==, 200);
  }
  site_free (d2);
  synod_broker_unref (broker);
}

typedef struct
{
  guint16 port;
  TestResponse *response;
  gint64 finished_at;
} SlowClient;

static gpointer
slow_client (gpointer data)
{
  SlowClient *c = data;

  c->response = test_request (c->port, "GET /app/slow HTTP/1.1\r\nHost: a\r\n\r\n");
  c->finished_at = g_get_monotonic_time ();
  return NULL;
}

static void
test_stop_answers_pending (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) echo = echo_new (broker, "HttpTest.Echo");
  g_autofree gchar *echo_id = synod_object_id_to_string (synod_object_get_id (echo));
  g_autofree gchar *extra = g_strdup_printf ("'mounts': <{'/app/': '%s'}>", echo_id);
  SlowClient c = { 0 };
  SynodObject *daemon = site_new (broker, extra, &c.port);
  GThread *thread;
  gint64 stopped_at;

  g_test_summary ("Deleting a daemon while an object still works on a request answers the "
                  "client 503 at once instead of waiting for the object.");
  thread = g_thread_new ("slow-client", slow_client, &c);
  for (guint i = 0; i < 200 && ((Echo *)synod_object_get_instance (echo))->hits == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (((Echo *)synod_object_get_instance (echo))->hits, ==, 1);
  stopped_at = g_get_monotonic_time ();
  site_free (daemon);
  g_thread_join (thread);
  g_assert_nonnull (c.response);
  g_assert_cmpuint (c.response->status, ==, 503);
  g_assert_cmpint (c.finished_at - stopped_at, <, 1000 * 1000);
  test_response_free (c.response);
  synod_broker_unref (broker);
}

static void
test_inline_objects (void)
{
  SynodBroker *broker = broker_new ();
  /* One object per site: a method handed to a broker worker keeps the
   * object busy until its reply is out, and an inline send to a busy object
   * waits for it on a worker instead. */
  g_autoptr (SynodObject) echo = echo_new (broker, "HttpTest.Echo");
  g_autoptr (SynodObject) echo2 = echo_new (broker, "HttpTest.Echo");
  g_autofree gchar *echo_id = synod_object_id_to_string (synod_object_get_id (echo));
  g_autofree gchar *echo2_id = synod_object_id_to_string (synod_object_get_id (echo2));
  g_autofree gchar *mounts = g_strdup_printf ("'mounts': <{'/app/': '%s'}>", echo_id);
  g_autofree gchar *inline_mounts
      = g_strdup_printf ("'mounts': <{'/app/': '%s'}>, 'inline-objects': <true>", echo2_id);
  guint16 dispatched_port, inline_port;
  SynodObject *dispatched = site_new (broker, mounts, &dispatched_port);
  SynodObject *inlined = site_new (broker, inline_mounts, &inline_port);

  g_test_summary ("A local object's method runs on a broker worker (the request is handed "
                  "over and back), or, when the site has inline-objects, on the connection's "
                  "own worker thread; both answer the same, failures included.");
  {
    g_autoptr (TestResponse) d = get (dispatched_port, "/app/thread");
    g_autoptr (TestResponse) i = get (inline_port, "/app/thread");
    g_autofree gchar *dname = body_of (d);
    g_autofree gchar *iname = body_of (i);

    g_assert_true (g_str_has_prefix (iname, "http-worker-"));
    g_assert_false (g_str_has_prefix (dname, "http-worker-"));
  }
  for (guint k = 0; k < 2; k++)
    {
      guint16 port = k == 0 ? dispatched_port : inline_port;
      g_autoptr (TestResponse) ok = get (port, "/app/ok?q=1");
      g_autoptr (TestResponse) fail = get (port, "/app/fail");
      g_autoptr (TestResponse) notfound = get (port, "/app/notfound");
      g_autoptr (TestResponse) bad = get (port, "/app/bad-field");
      g_autofree gchar *body = body_of (ok);

      g_assert_cmpuint (ok->status, ==, 200);
      g_assert_nonnull (strstr (body, "path=/app/ok query=q=1 prefix=/app/"));
      g_assert_cmpuint (fail->status, ==, 502);
      g_assert_cmpuint (notfound->status, ==, 404);
      g_assert_cmpuint (bad->status, ==, 502);
    }
  site_free (dispatched);
  site_free (inlined);
  synod_broker_unref (broker);
}

static guint
count_connections (SynodRef *daemon, StandardHTTPIds *ret)
{
  g_autoptr (GError) error = NULL;

  standard_http_ids_clear (ret);
  g_assert_true (standard_http_daemon_connections (daemon, 0, 100, ret, &error));
  g_assert_no_error (error);
  return ret->len;
}

static void
test_connection_objects (void)
{
  SynodBroker *broker = broker_new ();
  guint16 port;
  SynodObject *daemon = site_new (broker, "'connection-objects': <true>", &port);
  g_autoptr (SynodRef) d = synod_ref_new_for_object (daemon);
  g_auto (StandardHTTPIds) ids = { 0 };
  g_auto (StandardHTTPConnection) info = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRef) first = NULL;
  gint fds[2];
  guint n = 0;

  g_test_summary ("With connection-objects, each open connection is a Standard.HTTPfastReceive "
                  "object the daemon lists, saying who is connected; it is deleted when the "
                  "connection closes.");
  g_assert_cmpuint (count_connections (d, &ids), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (TestResponse) r = NULL;

      fds[i] = test_connect (port);
      test_send_str (fds[i], "GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\n");
      r = test_read_response (fds[i], FALSE);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->status, ==, 200);
    }
  g_assert_cmpuint (count_connections (d, &ids), ==, 2);
  first = synod_ref_new_for_id (broker, &ids.val[0]);
  g_assert_true (standard_http_fast_receive_info (first, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.peer, ==, "127.0.0.1");
  g_assert_true (synod_object_id_equal (&info.daemon, synod_object_get_id (daemon)));
  g_assert_cmpint (info.opened, <=, g_get_real_time ());
  g_assert_cmpint (info.opened, >, g_get_real_time () - 60 * G_USEC_PER_SEC);
  test_close (fds[0]);
  test_close (fds[1]);
  /* The server notices the closes asynchronously: bounded polling. */
  for (guint i = 0; i < 200 && (n = count_connections (d, &ids)) > 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (standard_object_ping (first, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT);
  site_free (daemon);
  synod_broker_unref (broker);
}

static void
test_synodd_site (void)
{
  const gchar *build = g_getenv ("SYNOD_TOP_BUILDDIR");
  g_autofree gchar *synodd = g_build_filename (build ? build : ".", "services", "synodd", NULL);
  g_autofree gchar *classes = g_build_filename (build ? build : ".", "httpd", ".libs", NULL);
  g_autofree gchar *dir = test_make_root ();
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_autofree gchar *conf = g_build_filename (dir, "synodd.conf", NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GInputStream) ready_in = NULL;
  g_autoptr (GDataInputStream) ready = NULL;
  g_autofree gchar *line = NULL;
  g_auto (GStrv) words = NULL;
  SynodBroker *broker;
  SynodNetwork *network;
  guint64 peer;
  g_autoptr (GVariant) port = NULL;
  g_autoptr (GVariant) directory = NULL;
  g_autoptr (GVariant) registered = NULL;
  g_autoptr (SynodObject) echo = NULL;
  g_autofree gchar *echo_id = NULL;
  gint fds[2];

  g_test_summary ("synodd creates a site from its configuration file as an object to create "
                  "at start with a service name, loading the HTTP classes from the class "
                  "path as a plugin; another peer finds the site's port and directory by "
                  "invocation, registers an object of its own there, and both serve.");
  if (!g_file_test (synodd, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("synodd is not built");
      return;
    }
  text = g_strdup_printf ("[synodd]\nlisten=127.0.0.1:0\ndiscovery=false\nrpcbind=false\n"
                          "cluster=httpd-objects-test\nstate-dir=%s\nclass-path=%s\n\n"
                          "[object www]\nclass=Standard.HTTPdaemon;1\n"
                          "params={'listen': <'127.0.0.1:0'>, 'root': <'%s'>, 'workers': <2>}\n"
                          "services=www\n",
                          state, classes, root);
  g_assert_true (g_file_set_contents (conf, text, -1, &error));
  g_assert_cmpint (pipe (fds), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  proc = g_subprocess_launcher_spawn (launcher, &error, synodd, "--config", conf, "--ready-fd", "3",
                                      NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher); /* closes our copy of the write end */
  ready_in = g_unix_input_stream_new (fds[0], TRUE);
  ready = g_data_input_stream_new (ready_in);
  line = g_data_input_stream_read_line (ready, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line); /* synodd failed before it was ready */
  words = g_strsplit (line, " ", 3);
  g_assert_cmpstr (words[0], ==, "READY");
  peer = g_ascii_strtoull (words[1], NULL, 16);

  broker = broker_new ();
  network = network_new (broker, words[2]);
  g_assert_true (synod_network_wait_peers (network, 1, 10000));
  port = synod_network_invoke_dynamic (network, peer, "www", "Standard.HTTPdaemon", "port",
                                       g_variant_new ("()"), &error);
  g_assert_no_error (error);
  directory = synod_network_invoke_dynamic (network, peer, "www", "Standard.HTTPdaemon",
                                            "directory", g_variant_new ("(s)", ""), &error);
  g_assert_no_error (error);
  echo = echo_new (broker, "HttpTest.Echo");
  echo_id = synod_object_id_to_string (synod_object_get_id (echo));
  {
    const gchar *dir_id = NULL;

    g_variant_get (directory, "(&s)", &dir_id);
    registered = synod_network_invoke_dynamic (
        network, peer, dir_id, "Standard.URLdirectory", "register",
        g_variant_new ("(sss)", "/here/", "URL_MATCH_PREFIX", echo_id), &error);
    g_assert_no_error (error);
  }
  {
    guint32 p = 0;
    g_autoptr (TestResponse) file = NULL;
    g_autoptr (TestResponse) object = NULL;
    g_autofree gchar *body = NULL;
    g_autofree gchar *expected = NULL;

    g_variant_get (port, "(u)", &p);
    file = get ((guint16)p, "/digits.txt");
    g_assert_cmpuint (file->status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (file->body), ==, 100);
    object = get ((guint16)p, "/here/x");
    g_assert_cmpuint (object->status, ==, 200);
    body = body_of (object);
    expected = g_strdup_printf ("peer=%016" G_GINT64_MODIFIER "x method=GET path=/here/x ",
                                synod_broker_get_peer_id (broker));
    g_assert_true (g_str_has_prefix (body, expected));
  }
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  synod_network_free (network);
  synod_broker_unref (broker);
  test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GString) digits = g_string_new (NULL);
  gchar *top;
  int ret;

  g_test_init (&argc, &argv, NULL);
  top = test_make_root ();
  root = g_build_filename (top, "root", NULL);
  for (guint i = 0; i < 100; i++)
    g_string_append_c (digits, (gchar)('0' + i % 10));
  test_write_file (root, "digits.txt", digits->str, 100);
  test_write_file (root, "index.html", "<html>index</html>\n", -1);
  test_write_file (root, "sub/index.html", "<p>sub</p>\n", -1);
  test_write_file (root, "sub/x.txt", "sub x\n", -1);
  test_write_file (root, "page.shtml",
                   "uri=<!--#echo var=\"DOCUMENT_URI\" --> q=<!--#echo var=\"QUERY_STRING\" -->\n",
                   -1);
  test_write_file (root, "includes-object.shtml",
                   "[before]<!--#include virtual=\"/obj/part?k=v\" -->[after]\n", -1);
  test_write_file (root, "includes-remote.shtml", "<!--#include virtual=\"/remote/inc\" -->\n", -1);

  g_test_add_func ("/httpd/objects/static-site", test_static_site);
  g_test_add_func ("/httpd/objects/custom-handler", test_custom_handler);
  g_test_add_func ("/httpd/objects/service-and-mounts", test_service_and_mounts);
  g_test_add_func ("/httpd/objects/failures", test_failures);
  g_test_add_func ("/httpd/objects/document-objects", test_document_objects);
  g_test_add_func ("/httpd/objects/foreign-loader", test_foreign_loader);
  g_test_add_func ("/httpd/objects/ssi-includes-object", test_ssi_includes_object);
  g_test_add_func ("/httpd/objects/remote-handoff", test_remote_handoff);
  g_test_add_func ("/httpd/objects/introspection", test_introspection);
  g_test_add_func ("/httpd/objects/bad-parameters", test_bad_parameters);
  g_test_add_func ("/httpd/objects/several-sites", test_several_sites);
  g_test_add_func ("/httpd/objects/stop-answers-pending", test_stop_answers_pending);
  g_test_add_func ("/httpd/objects/connection-objects", test_connection_objects);
  g_test_add_func ("/httpd/objects/inline-objects", test_inline_objects);
  g_test_add_func ("/httpd/objects/synodd-site", test_synodd_site);
  ret = g_test_run ();
  test_remove_tree (top);
  g_free (top);
  g_free (root);
  return ret;
}
