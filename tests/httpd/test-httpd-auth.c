/* Web users as principals: HTTP Basic authentication on an HTTPdaemon
 * (users file of crypt(3) hashes made with `openssl passwd`), the
 * principal reaching handler objects, their access control per web user,
 * the plain-HTTP rule, hostile Authorization fields, the failure limit and
 * bad user files. The daemon runs in process on a broker; the client is
 * curl over loopback, verifying the test CA (certificates made with the
 * openssl command at test time). */
#include "config.h"

#include <string.h>

#include "http.h"
#include "httpd-test-util.h"
#include "synod-http-error.h"
#include "synod-http-objects.h"

static gchar *top, *root, *pki, *work, *users_file, *ca_file, *cert_file, *key_file;

/* ---- a handler that says who called ---- */

typedef struct
{
  guint hits;
} Whoami;

static gboolean
whoami_handle (gpointer self, SynodCall *call, const StandardHTTPRequest *req,
               StandardHTTPResponse *ret, GError **error)
{
  const gchar *field = "-";
  gchar *text;

  ((Whoami *)self)->hits++;
  for (guint i = 0; i < req->fields.len; i++)
    if (strcmp (req->fields.val[i].name, "synod-principal") == 0)
      field = req->fields.val[i].value;
  text = g_strdup_printf ("principal=%s field=%s path=%s", synod_call_get_principal (call), field,
                          req->path);
  ret->status = 200;
  ret->fields.val = g_new0 (StandardHTTPField, 1);
  ret->fields.val[0].name = g_strdup ("Content-Type");
  ret->fields.val[0].value = g_strdup ("text/plain");
  ret->fields.len = 1;
  for (guint i = 0; i < req->fields.len; i++)
    if (strcmp (req->fields.val[i].name, "authorization") == 0)
      {
        ret->fields.val = g_renew (StandardHTTPField, ret->fields.val, 2);
        ret->fields.val[1].name = g_strdup ("X-Saw-Authorization");
        ret->fields.val[1].value = g_strdup ("yes");
        ret->fields.len = 2;
        break;
      }
  ret->body.len = (guint32)strlen (text);
  ret->body.val = (guint8 *)text;
  return TRUE;
}

static const StandardHTTPHandlerIface whoami_vtable = { .handle = whoami_handle };

static SynodBroker *
broker_new (void)
{
  g_autoptr (GError) error = NULL;
  SynodBroker *broker = synod_broker_new (NULL, &error);
  g_autoptr (SynodClass) whoami = synod_class_new ("AuthTest.Whoami", 1, sizeof (Whoami), 0);

  g_assert_no_error (error);
  g_assert_true (synod_http_register_classes (broker, &error));
  synod_class_add_interface (whoami, &standard_http_handler_interface, &whoami_vtable);
  g_assert_true (synod_broker_register_class (broker, whoami, &error));
  g_assert_no_error (error);
  return broker;
}

static SynodObject *
whoami_new (SynodBroker *broker)
{
  g_autoptr (GError) error = NULL;
  SynodObject *o = synod_broker_create_object (broker, "AuthTest.Whoami", 1, NULL, &error);

  g_assert_no_error (error);
  return o;
}

/* A site; @tls: HTTPS; @extra: more a{sv} entries. */
static SynodObject *
site_new (SynodBroker *broker, gboolean tls, const gchar *extra, guint16 *ret_port, GError **error)
{
  g_autofree gchar *tls_params
      = tls ? g_strdup_printf (", 'tls-cert': <'%s'>, 'tls-key': <'%s'>", cert_file, key_file)
            : g_strdup ("");
  g_autofree gchar *text
      = g_strdup_printf ("{'listen': <'127.0.0.1:0'>, 'root': <'%s'>, 'workers': <uint32 2>%s%s%s}",
                         root, tls_params, extra != NULL ? ", " : "", extra != NULL ? extra : "");
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GVariant) params = g_variant_parse (NULL, text, NULL, NULL, &parse_error);
  g_autoptr (SynodRef) ref = NULL;
  SynodObject *daemon;
  guint32 port = 0;

  g_assert_no_error (parse_error);
  daemon = synod_broker_create_object (broker, "Standard.HTTPdaemon", 1, params, error);
  if (daemon == NULL)
    return NULL;
  ref = synod_ref_new_for_object (daemon);
  g_assert_true (standard_http_daemon_port (ref, &port, NULL));
  *ret_port = (guint16)port;
  return daemon;
}

static void
site_free (SynodObject *daemon)
{
  synod_object_delete (daemon, NULL);
  synod_object_unref (daemon);
}

/* ---- curl ---- */

typedef struct
{
  guint status;
  gchar *headers;
  gchar *body;
} Answer;

static void
answer_clear (Answer *a)
{
  g_free (a->headers);
  g_free (a->body);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

/* One curl run (bounded: --max-time); @args: options and URLs. The last
 * URL's answer is returned. */
static void
curl (Answer *a, const gchar *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *hfile = g_build_filename (work, "headers", NULL);
  g_autofree gchar *bfile = g_build_filename (work, "body", NULL);
  gint status = 0;
  const gchar *fixed[]
      = { "curl",  "-sS", "--max-time", "20", "--noproxy", "*",  "--cacert",
          ca_file, "-D",  hfile,        "-o", bfile,       "-w", "%{http_code}\n" };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer)fixed[i]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("curl failed: %s", err);
  {
    /* One code per URL: the last line is the last answer. */
    g_auto (GStrv) codes = g_strsplit (g_strstrip (out), "\n", -1);

    a->status = (guint)g_ascii_strtoull (codes[g_strv_length (codes) - 1], NULL, 10);
  }
  g_assert_true (g_file_get_contents (hfile, &a->headers, NULL, NULL));
  g_assert_true (g_file_get_contents (bfile, &a->body, NULL, NULL));
}

static gchar *
url (gboolean tls, guint16 port, const gchar *path)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", tls ? "https" : "http", port, path);
}

static guint
status_of (gboolean tls, guint16 port, const gchar *path, const gchar *user)
{
  g_auto (Answer) a = { 0 };
  g_autofree gchar *u = url (tls, port, path);
  const gchar *with[] = { "-u", user, u, NULL };
  const gchar *without[] = { u, NULL };

  curl (&a, user != NULL ? with : without);
  return a.status;
}

/* ---- the user file ---- */

static gchar *
hash (const gchar *method, const gchar *password)
{
  const gchar *argv[] = { "openssl", "passwd", method, "-stdin", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autofree gchar *out = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, password, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (g_strstrip (out));
}

static void
make_users (void)
{
  g_autofree gchar *alice = hash ("-6", "wonderland");
  g_autofree gchar *bob = hash ("-6", "builder");
  g_autofree gchar *cleo = hash ("-6", "pässwörd");
  g_autofree gchar *text
      = g_strdup_printf ("# web users\n\nalice:%s\nbob:%s\r\ncléo:%s\n", alice, bob, cleo);

  test_write_file (work, "users", text, -1);
  users_file = g_build_filename (work, "users", NULL);
}

static gchar *
users_param (const gchar *more)
{
  return g_strdup_printf ("'users': <'%s'>%s%s", users_file, more != NULL ? ", " : "",
                          more != NULL ? more : "");
}

/* ---- tests ---- */

static void
test_challenge_and_login (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) who = whoami_new (broker);
  g_autofree gchar *id = synod_object_id_to_string (synod_object_get_id (who));
  g_autofree gchar *mounts = g_strdup_printf ("'mounts': <{'/who/': '%s'}>, 'realm': <'Shop'>", id);
  g_autofree gchar *extra = users_param (mounts);
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  SynodObject *site = site_new (broker, TRUE, extra, &port, &error);
  g_autofree gchar *who_url = NULL, *file_url = NULL;

  g_test_summary ("Without credentials a protected daemon answers 401 with the Basic challenge "
                  "(realm, charset UTF-8); with good ones the handler object runs under "
                  "web:NAME and sees it in synod-principal (a client's own such field is "
                  "dropped), but not the password; documents are protected as objects are, "
                  "also on a keep-alive connection");
  g_assert_no_error (error);
  who_url = url (TRUE, port, "/who/x");
  file_url = url (TRUE, port, "/hello.txt");
  {
    g_auto (Answer) a = { 0 };
    const gchar *args[] = { who_url, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 401);
    g_assert_nonnull (
        strstr (a.headers, "WWW-Authenticate: Basic realm=\"Shop\", charset=\"UTF-8\"\r\n"));
    g_assert_null (strstr (a.body, "principal="));
  }
  {
    g_auto (Answer) a = { 0 };
    const gchar *args[]
        = { "-u", "alice:wonderland", "-H", "Synod-Principal: web:root", who_url, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:alice field=web:alice path=/who/x");
    /* The password does not travel on to the object. */
    g_assert_null (strstr (a.headers, "X-Saw-Authorization"));
  }
  {
    /* UTF-8 name and password (RFC 7617 charset="UTF-8"). */
    g_auto (Answer) a = { 0 };
    const gchar *args[] = { "-u", "cléo:pässwörd", who_url, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:cléo field=web:cléo path=/who/x");
  }
  {
    /* Three requests on one connection: two to the object, a document. */
    g_auto (Answer) a = { 0 };
    g_autofree gchar *third = g_build_filename (work, "third", NULL);
    g_autofree gchar *doc = NULL;
    const gchar *args[]
        = { "-u", "bob:builder", "-o", "/dev/null", "-o", third, who_url, who_url, file_url, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:bob field=web:bob path=/who/x");
    g_assert_true (g_file_get_contents (third, &doc, NULL, NULL));
    g_assert_cmpstr (doc, ==, "hello\n");
  }
  g_assert_cmpuint (status_of (TRUE, port, "/hello.txt", NULL), ==, 401);
  g_assert_cmpuint (status_of (TRUE, port, "/hello.txt", "bob:wrong"), ==, 401);
  site_free (site);
  synod_broker_unref (broker);
}

static void
test_bad_credentials (void)
{
  SynodBroker *broker = broker_new ();
  g_autofree gchar *extra = users_param ("'auth-failures': <uint32 0>");
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  SynodObject *site = site_new (broker, TRUE, extra, &port, &error);
  g_autofree gchar *u = NULL;
  g_autoptr (GString) long_field = g_string_new ("Authorization: Basic ");
  g_autofree gchar *no_colon = g_base64_encode ((const guchar *)"alicewonderland", 15);
  g_autofree gchar *latin1 = g_base64_encode ((const guchar *)"alice:wonderl\xe4nd", 16);
  g_autofree gchar *nul = g_base64_encode ((const guchar *)"alice\0:wonderland", 17);
  g_autofree gchar *ctl = g_base64_encode ((const guchar *)"alice:wonder\nland", 17);
  g_autofree gchar *good = g_base64_encode ((const guchar *)"alice:wonderland", 16);
  g_autofree gchar *f_no_colon = g_strdup_printf ("Authorization: Basic %s", no_colon);
  g_autofree gchar *f_latin1 = g_strdup_printf ("Authorization: Basic %s", latin1);
  g_autofree gchar *f_nul = g_strdup_printf ("Authorization: Basic %s", nul);
  g_autofree gchar *f_ctl = g_strdup_printf ("Authorization: Basic %s", ctl);
  g_autofree gchar *f_bearer = g_strdup_printf ("Authorization: Bearer %s", good);
  g_autofree gchar *f_glued = g_strdup_printf ("Authorization: Basic%s", good);
  g_autofree gchar *f_junk = g_strdup_printf ("Authorization: Basic %s!", good);
  g_autofree gchar *f_good = g_strdup_printf ("Authorization: bAsIc   %s", good);
  const struct
  {
    const gchar *what, *user, *field;
  } cases[] = {
    { "wrong password", "alice:Wonderland", NULL },
    { "unknown user", "mallory:wonderland", NULL },
    { "empty password", "alice:", NULL },
    { "empty user", ":wonderland", NULL },
    { "the anonymous name", "anonymous:x", NULL },
    { "bad base64", NULL, "Authorization: Basic !!!!" },
    { "base64 without padding", NULL, "Authorization: Basic YWxpY2U6d29uZGVybGFuZA" },
    { "padding inside", NULL, "Authorization: Basic YW==Y2U6d29uZGVybGFuZA==" },
    { "trailing junk", NULL, f_junk },
    { "no colon", NULL, f_no_colon },
    { "not UTF-8", NULL, f_latin1 },
    { "NUL", NULL, f_nul },
    { "control character", NULL, f_ctl },
    { "another scheme", NULL, f_bearer },
    { "no space after the scheme", NULL, f_glued },
    { "scheme only", NULL, "Authorization: Basic" },
    { "over-long", NULL, NULL },
  };

  g_test_summary ("Wrong passwords, unknown users and malformed Authorization fields (bad or "
                  "lenient base64, no colon, NUL, controls, non-UTF-8, another scheme, over-long) "
                  "are 401 with the challenge, and the server stays up; the scheme is "
                  "case-insensitive");
  g_assert_no_error (error);
  u = url (TRUE, port, "/hello.txt");
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (long_field, 'A');
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Answer) a = { 0 };
      const gchar *field = cases[i].field != NULL ? cases[i].field : long_field->str;
      const gchar *by_user[] = { "-u", cases[i].user, u, NULL };
      const gchar *by_field[] = { "-H", field, u, NULL };

      g_test_message ("%s", cases[i].what);
      curl (&a, cases[i].user != NULL ? by_user : by_field);
      g_assert_cmpuint (a.status, ==, 401);
      g_assert_nonnull (strstr (a.headers, "WWW-Authenticate: Basic realm=\"Synod\""));
    }
  {
    g_auto (Answer) a = { 0 };
    const gchar *args[] = { "-H", f_good, u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
  }
  site_free (site);
  synod_broker_unref (broker);
}

static void
test_plain_http (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) who = whoami_new (broker);
  g_autofree gchar *id = synod_object_id_to_string (synod_object_get_id (who));
  g_autofree gchar *more
      = g_strdup_printf ("'mounts': <{'/who/': '%s'}>, 'protect': <['/who/']>", id);
  g_autofree gchar *extra = users_param (more);
  g_autofree gchar *more_plain = g_strdup_printf ("%s, 'auth-plain-http': <true>", more);
  g_autofree gchar *extra_plain = users_param (more_plain);
  g_autoptr (GError) error = NULL;
  guint16 port = 0, plain_port = 0;
  SynodObject *site = site_new (broker, FALSE, extra, &port, &error);
  SynodObject *allowed = NULL;

  g_test_summary ("A plain-HTTP daemon with users refuses credentials (403, no challenge, so a "
                  "browser never sends a password in clear) and protected prefixes, and serves the "
                  "rest under web:anonymous; with auth-plain-http it authenticates");
  g_assert_no_error (error);
  allowed = site_new (broker, FALSE, extra_plain, &plain_port, &error);
  g_assert_no_error (error);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (FALSE, port, "/hello.txt");
    const gchar *args[] = { "-u", "alice:wonderland", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 403);
    g_assert_null (strstr (a.headers, "WWW-Authenticate"));
    g_assert_nonnull (strstr (a.body, "plain HTTP"));
  }
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (FALSE, port, "/who/x");
    const gchar *args[] = { u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 403);
    g_assert_null (strstr (a.headers, "WWW-Authenticate"));
  }
  g_assert_cmpuint (status_of (FALSE, port, "/hello.txt", NULL), ==, 200);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (FALSE, plain_port, "/who/y");
    const gchar *args[] = { "-u", "alice:wonderland", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:alice field=web:alice path=/who/y");
  }
  g_assert_cmpuint (status_of (FALSE, plain_port, "/who/y", NULL), ==, 401);
  {
    /* Raw: the same good Authorization field twice is refused. */
    g_autofree gchar *good = g_base64_encode ((const guchar *)"alice:wonderland", 16);
    g_autofree gchar *once = g_strdup_printf (
        "GET /who/y HTTP/1.1\r\nHost: a\r\nAuthorization: Basic %s\r\n\r\n", good);
    g_autofree gchar *twice = g_strdup_printf ("GET /who/y HTTP/1.1\r\nHost: a\r\nAuthorization: "
                                               "Basic %s\r\nauthorization: Basic %s\r\n\r\n",
                                               good, good);
    g_autoptr (TestResponse) r1 = test_request (plain_port, once);
    g_autoptr (TestResponse) r2 = test_request (plain_port, twice);

    g_assert_nonnull (r1);
    g_assert_nonnull (r2);
    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 401);
    g_assert_nonnull (test_response_header (r2, "www-authenticate"));
  }
  site_free (allowed);
  site_free (site);
  synod_broker_unref (broker);
}

static void
test_acl (void)
{
  SynodBroker *broker = broker_new ();
  g_autoptr (SynodObject) priv = whoami_new (broker);
  g_autoptr (SynodObject) open = whoami_new (broker);
  g_autoptr (SynodObject) pub = whoami_new (broker);
  g_autoptr (SynodObject) named = whoami_new (broker);
  g_autofree gchar *priv_id = synod_object_id_to_string (synod_object_get_id (priv));
  g_autofree gchar *open_id = synod_object_id_to_string (synod_object_get_id (open));
  g_autofree gchar *pub_id = synod_object_id_to_string (synod_object_get_id (pub));
  g_autofree gchar *more
      = g_strdup_printf ("'mounts': <{'/private/': '%s', '/open/': '%s', '/public/': '%s', "
                         "'/named/': 'test.auth.named'}>, "
                         "'protect': <['/private', '/secret.txt']>",
                         priv_id, open_id, pub_id);
  g_autofree gchar *extra = users_param (more);
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  SynodObject *site = NULL;

  g_test_summary ("The object's access control decides per web user and method: on /private/ "
                  "alice may call Standard.HTTPhandler.handle (200) and bob may not (403, the "
                  "denial's text not shown); on the unprotected /open/ only alice is allowed, so "
                  "an anonymous request (web:anonymous) gets 403 there; /public/ has no rules; an "
                  "anonymous SSI page cannot include a protected prefix; an object mounted by "
                  "service name is invoked under the web principal as one mounted by Id");
  synod_object_add_acl_rule (priv, "web:alice", "Standard.HTTPhandler.handle", SYNOD_ACL_ALLOW);
  synod_object_add_acl_rule (priv, "web:bob", "Standard.HTTPhandler.*", SYNOD_ACL_DENY);
  synod_object_add_acl_rule (priv, "web:*", "Standard.Object.*", SYNOD_ACL_ALLOW);
  synod_object_set_acl_default (priv, SYNOD_ACL_DENY);
  synod_object_add_acl_rule (open, "web:alice", "*", SYNOD_ACL_ALLOW);
  synod_object_set_acl_default (open, SYNOD_ACL_DENY);
  synod_object_add_acl_rule (named, "web:bob", "Standard.HTTPhandler.*", SYNOD_ACL_DENY);
  g_assert_true (synod_broker_register_service (broker, "test.auth.named", named, &error));
  site = site_new (broker, TRUE, extra, &port, &error);
  g_assert_no_error (error);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/private/doc");
    const gchar *args[] = { "-u", "alice:wonderland", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:alice field=web:alice path=/private/doc");
  }
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/private/doc");
    const gchar *args[] = { "-u", "bob:builder", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 403);
    g_assert_null (strstr (a.body, "web:bob"));
    g_assert_null (strstr (a.body, "Standard.HTTPhandler"));
  }
  /* cléo has no rule: the default (deny). */
  g_assert_cmpuint (status_of (TRUE, port, "/private/doc", "cléo:pässwörd"), ==, 403);
  g_assert_cmpuint (status_of (TRUE, port, "/private/doc", NULL), ==, 401);
  g_assert_cmpuint (status_of (TRUE, port, "/open/x", NULL), ==, 403);
  g_assert_cmpuint (status_of (TRUE, port, "/open/x", "alice:wonderland"), ==, 200);
  g_assert_cmpuint (status_of (TRUE, port, "/open/x", "bob:builder"), ==, 403);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/named/n");
    const gchar *args[] = { "-u", "alice:wonderland", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:alice field=web:alice path=/named/n");
  }
  g_assert_cmpuint (status_of (TRUE, port, "/named/n", "bob:builder"), ==, 403);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/public/p");
    const gchar *args[] = { u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "principal=web:anonymous field=web:anonymous path=/public/p");
  }
  {
    /* An SSI page outside the protected prefix includes one inside: only
     * a logged-in user's page gets it, under that user's principal. */
    g_auto (Answer) anon = { 0 };
    g_auto (Answer) alice = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/incl.shtml");
    const gchar *anon_args[] = { u, NULL };
    const gchar *alice_args[] = { "-u", "alice:wonderland", u, NULL };

    curl (&anon, anon_args);
    curl (&alice, alice_args);
    g_assert_cmpuint (anon.status, ==, 200);
    g_assert_null (strstr (anon.body, "principal="));
    g_assert_null (strstr (anon.body, "top secret"));
    g_assert_nonnull (strstr (anon.body, "[before]"));
    g_assert_cmpuint (alice.status, ==, 200);
    g_assert_nonnull (
        strstr (alice.body, "[before]principal=web:alice field=web:alice path=/private/inc"));
    g_assert_nonnull (strstr (alice.body, "top secret"));
    g_assert_cmpuint (status_of (TRUE, port, "/secret.txt", NULL), ==, 401);
  }
  /* "/private" covers "/private/..." but not "/privateer". */
  g_assert_cmpuint (status_of (TRUE, port, "/privateer.txt", NULL), ==, 200);
  site_free (site);
  synod_broker_unref (broker);
}

static void
test_failure_limit (void)
{
  SynodBroker *broker = broker_new ();
  g_autofree gchar *extra = users_param ("'auth-failures': <uint32 3>");
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  SynodObject *site = site_new (broker, TRUE, extra, &port, &error);

  g_test_summary ("Past auth-failures failed logins from one address in a minute, credentials "
                  "not already verified get 429 with Retry-After and no hashing, even good "
                  "ones; credentials verified before stay usable");
  g_assert_no_error (error);
  g_assert_cmpuint (status_of (TRUE, port, "/hello.txt", "alice:wonderland"), ==, 200);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (status_of (TRUE, port, "/hello.txt", "bob:nope"), ==, 401);
  {
    g_auto (Answer) a = { 0 };
    g_autofree gchar *u = url (TRUE, port, "/hello.txt");
    const gchar *args[] = { "-u", "bob:builder", u, NULL };

    curl (&a, args);
    g_assert_cmpuint (a.status, ==, 429);
    g_assert_nonnull (strstr (a.headers, "Retry-After: 60\r\n"));
  }
  g_assert_cmpuint (status_of (TRUE, port, "/hello.txt", "alice:wonderland"), ==, 200);
  site_free (site);
  synod_broker_unref (broker);
}

static void
test_bad_user_file (void)
{
  SynodBroker *broker = broker_new ();
  g_autofree gchar *good = hash ("-6", "x");
  g_autofree gchar *md5 = hash ("-1", "x");
  const struct
  {
    const gchar *text;
    guint line;
    const gchar *why;
  } cases[] = {
    { "# c\nalice\n", 2, "NAME:HASH" },
    { "a*b:%s\n", 1, "invalid user name" },
    { "ok:%s\nal ice:%s\n", 2, "invalid user name" },
    { "anonymous:%s\n", 1, "invalid user name" },
    { "a:b:%s\n", 1, "':'" },
    { "alice:plaintext\n", 1, "crypt(3)" },
    { "alice:%s\n", 1, "crypt(3)" }, /* md5crypt: legacy */
    { "alice:%s\n\nalice:%s\n", 3, "twice" },
    { "# nobody\n", 0, "no users" },
  };

  g_test_summary ("A user file with a bad line (no colon, a name with '*', a space or ':', the "
                  "reserved name, a hash that is not a supported crypt(3) method, md5crypt, a "
                  "duplicate) or no user: the daemon is not created, and the error names the "
                  "file and the line");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const gchar *h = i == 6 ? md5 : good;
      g_auto (GStrv) parts = g_strsplit (cases[i].text, "%s", -1);
      g_autofree gchar *text = g_strjoinv (h, parts);
      g_autofree gchar *name = g_strdup_printf ("bad-%zu", i);
      g_autofree gchar *path = g_build_filename (work, name, NULL);
      g_autofree gchar *extra = g_strdup_printf ("'users': <'%s'>", path);
      g_autofree gchar *where = g_strdup_printf ("%s, line %u:", path, cases[i].line);
      g_autoptr (GError) error = NULL;
      guint16 port = 0;

      test_write_file (work, name, text, -1);
      g_assert_null (site_new (broker, TRUE, extra, &port, &error));
      g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG);
      g_test_message ("%s", error->message);
      if (cases[i].line > 0)
        g_assert_nonnull (strstr (error->message, where));
      else
        g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].why));
    }
  {
    g_autoptr (GError) error = NULL;
    guint16 port = 0;

    g_assert_null (site_new (broker, TRUE, "'realm': <'x'>", &port, &error));
    g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG);
    g_clear_error (&error);
    g_assert_null (site_new (broker, TRUE, "'users': <'/nonexistent/users'>", &port, &error));
    g_assert_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG);
    g_clear_error (&error);
  }
  synod_broker_unref (broker);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  top = test_make_root ();
  root = g_build_filename (top, "root", NULL);
  pki = g_build_filename (top, "pki", NULL);
  work = g_build_filename (top, "work", NULL);
  g_assert_cmpint (g_mkdir_with_parents (pki, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (work, 0700), ==, 0);
  test_write_file (root, "hello.txt", "hello\n", -1);
  test_write_file (root, "privateer.txt", "x\n", -1);
  test_write_file (root, "secret.txt", "top secret\n", -1);
  test_write_file (root, "incl.shtml",
                   "[before]<!--#include virtual=\"/private/inc\" -->[after]"
                   "<!--#include virtual=\"/secret.txt\" -->\n",
                   -1);
  test_make_pki (pki);
  ca_file = g_build_filename (pki, "ca.pem", NULL);
  cert_file = g_build_filename (pki, "cert.pem", NULL);
  key_file = g_build_filename (pki, "key.pem", NULL);
  make_users ();

  g_test_add_func ("/httpd/auth/challenge-and-login", test_challenge_and_login);
  g_test_add_func ("/httpd/auth/bad-credentials", test_bad_credentials);
  g_test_add_func ("/httpd/auth/plain-http", test_plain_http);
  g_test_add_func ("/httpd/auth/acl", test_acl);
  g_test_add_func ("/httpd/auth/failure-limit", test_failure_limit);
  g_test_add_func ("/httpd/auth/bad-user-file", test_bad_user_file);
  ret = g_test_run ();
  test_remove_tree (top);
  return ret;
}
