/* The BFT shopping-cart site end to end: four synodd replicas, each with
 * its ReplicaServer, Coordinator, HTTPcart adapter at /cart/ and an
 * HTTPdaemon serving data/site/, talked to over HTTP as a browser would,
 * every answer's proof checked against the service's public keys. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bft-cluster.h"
#include "http.h"
#include "synod-bft-http.h"
#include "synod-shopping-cart.h"

#define HTTP_TIMEOUT_S 30
#define MAX_RESPONSE (1 << 20)

/* ---- a small HTTP/1.1 client (one request per connection) ---- */

typedef struct
{
  guint status;
  GPtrArray *fields; /* "name: value", names lowercased */
  gchar *body;
  gsize body_len;
  JsonNode *json;
} Http;

static void
http_free (Http *h)
{
  if (h == NULL)
    return;
  g_ptr_array_unref (h->fields);
  g_free (h->body);
  g_clear_pointer (&h->json, json_node_unref);
  g_free (h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Http, http_free)

static const gchar *
http_field (Http *h, const gchar *name, guint nth)
{
  gsize len = strlen (name);

  for (guint i = 0; i < h->fields->len; i++)
    {
      const gchar *f = g_ptr_array_index (h->fields, i);

      if (g_ascii_strncasecmp (f, name, len) == 0 && f[len] == ':' && nth-- == 0)
        return f + len + 2;
    }
  return NULL;
}

static Http *
http_request (guint16 port, const gchar *method, const gchar *path, const gchar *const *fields,
              const gchar *body, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GString) req = g_string_new (NULL);
  g_autoptr (GByteArray) in = g_byte_array_new ();
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *head = NULL;
  GInputStream *is;
  Http *h;
  const gchar *end;
  guint8 buf[16384];

  g_socket_client_set_timeout (client, HTTP_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, error);
  if (conn == NULL)
    return NULL;
  g_string_append_printf (req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n",
                          method, path, port);
  for (guint i = 0; fields && fields[i]; i++)
    g_string_append_printf (req, "%s\r\n", fields[i]);
  if (body)
    g_string_append_printf (req, "Content-Length: %zu\r\n", strlen (body));
  g_string_append (req, "\r\n");
  if (body)
    g_string_append (req, body);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req->str,
                                  req->len, NULL, NULL, error))
    return NULL;
  is = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  for (;;)
    {
      gssize n = g_input_stream_read (is, buf, sizeof buf, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (in, buf, (guint)n);
      g_assert_cmpuint (in->len, <, MAX_RESPONSE);
    }
  end = g_strstr_len ((const gchar *)in->data, in->len, "\r\n\r\n");
  if (end == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "no complete response head");
      return NULL;
    }
  head = g_strndup ((const gchar *)in->data, (gsize)(end - (const gchar *)in->data));
  lines = g_strsplit (head, "\r\n", -1);
  h = g_new0 (Http, 1);
  h->fields = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (g_str_has_prefix (lines[0], "HTTP/1.1 "));
  h->status = (guint)g_ascii_strtoull (lines[0] + 9, NULL, 10);
  for (guint i = 1; lines[i]; i++)
    {
      const gchar *colon = strchr (lines[i], ':');
      g_autofree gchar *name = NULL;

      g_assert_nonnull (colon);
      name = g_ascii_strdown (lines[i], colon - lines[i]);
      g_ptr_array_add (h->fields,
                       g_strdup_printf ("%s: %s", name, colon + 1 + strspn (colon + 1, " ")));
    }
  h->body_len = in->len - (gsize)(end + 4 - (const gchar *)in->data);
  h->body = g_strndup (end + 4, h->body_len);
  if (g_strcmp0 (http_field (h, "content-type", 0), "application/json") == 0)
    {
      g_autoptr (JsonParser) p = json_parser_new ();

      g_assert_true (json_parser_load_from_data (p, h->body, (gssize)h->body_len, NULL));
      h->json = json_node_copy (json_parser_get_root (p));
    }
  return h;
}

static Http *
http (guint16 port, const gchar *method, const gchar *path, const gchar *const *fields,
      const gchar *body)
{
  g_autoptr (GError) error = NULL;
  Http *h = http_request (port, method, path, fields, body, &error);

  g_assert_no_error (error);
  return h;
}

static JsonNode *
member (Http *h, const gchar *name)
{
  g_assert_nonnull (h->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (h->json));
  return json_object_get_member (json_node_get_object (h->json), name);
}

static const gchar *
member_str (Http *h, const gchar *name)
{
  JsonNode *n = member (h, name);

  return n ? json_node_get_string (n) : NULL;
}

/* ---- the site ---- */

typedef struct
{
  gint lying_site;                /* the replica whose site lies, -1 for none */
  guint16 ports[BFT_CLUSTER_MAX]; /* the sites' ports, 0: the kernel's choice */
} SiteOptions;

static void
configure_site (GKeyFile *kf, guint replica, gpointer data)
{
  const SiteOptions *so = data;
  g_autofree gchar *classes = g_build_filename (SYNOD_TEST_BUILDDIR, "httpd", ".libs", NULL);
  g_autofree gchar *root = g_build_filename (SYNOD_TEST_SRCDIR, "data", "site", NULL);
  g_autofree gchar *catalog = g_build_filename (root, "catalog.txt", NULL);
  g_autofree gchar *cart = NULL, *www = NULL, *site = NULL;

  g_autoptr (GString) sites = g_string_new (NULL);

  for (guint i = 0; so->ports[0] && i < BFT_CLUSTER_MAX && so->ports[i]; i++)
    g_string_append_printf (sites, "%s'http://127.0.0.1:%u'", i ? ", " : ", 'sites': <[",
                            so->ports[i]);
  if (sites->len)
    g_string_append (sites, "]>");
  cart = g_strdup_printf (
      "{'service': <'shop'>, 'replica': <uint32 %u>, 'catalog': <'%s'>%s%s}", replica, catalog,
      so->lying_site == (gint)replica ? ", 'fault': <'lying'>" : "", sites->str);
  www = g_strdup_printf ("{'listen': <'127.0.0.1:%u'>, 'root': <'%s'>, "
                         "'mounts': <{'/cart': 'shop.web'}>, 'workers': <uint32 1>}",
                         so->ports[replica], root);
  site = g_strdup_printf ("bft.shop.site.%u", replica);
  g_key_file_set_string (kf, "synodd", "class-path", classes);
  g_key_file_set_string (kf, "object cart", "class", "Synod.Bft.HTTPcart;1");
  g_key_file_set_string (kf, "object cart", "params", cart);
  g_key_file_set_string (kf, "object cart", "services", "shop.web");
  g_key_file_set_string (kf, "object www", "class", "Standard.HTTPdaemon;1");
  g_key_file_set_string (kf, "object www", "params", www);
  g_key_file_set_string (kf, "object www", "services", site);
}

typedef struct
{
  BftCluster *cluster;
  guint16 ports[BFT_CLUSTER_MAX];
  guint64 client;
  guint64 number;
  gchar *client_text;
} Site;

static void
site_free (Site *s)
{
  g_clear_pointer (&s->cluster, bft_cluster_free);
  g_free (s->client_text);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Site, site_free)

static Site *
site_start_with (const gchar *replica_fault, guint faulty, gint lying_site, const guint16 *ports)
{
  static SiteOptions so;
  BftClusterOptions o;
  g_autoptr (GError) error = NULL;
  Site *s = g_new0 (Site, 1);

  memset (&so, 0, sizeof so);
  so.lying_site = lying_site;
  for (guint i = 0; ports && ports[i]; i++)
    so.ports[i] = ports[i];
  bft_cluster_options_init (&o);
  o.state_variable = "Synod.ShoppingCart";
  o.configure = configure_site;
  o.configure_data = &so;
  o.request_timeout_ms = 15000;
  if (replica_fault)
    o.faults[faulty] = replica_fault;
  s->cluster = bft_cluster_start (&o, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < s->cluster->n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("bft.shop.site.%u", i);
      g_autoptr (SynodRef) ref = synod_ref_new_for_name (s->cluster->broker, name);
      guint32 port = 0;

      g_assert_true (standard_http_daemon_port (ref, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, >, 0);
      s->ports[i] = (guint16)port;
    }
  s->client = g_test_rand_int_range (1, G_MAXINT32) + (G_GUINT64_CONSTANT (1) << 40);
  s->client_text = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", s->client);
  s->number = (guint64)g_get_real_time ();
  return s;
}

static Site *
site_start (const gchar *replica_fault, guint faulty, gint lying_site)
{
  return site_start_with (replica_fault, faulty, lying_site, NULL);
}

/* The decoded proven value of an API answer. */
typedef struct
{
  GBytes *value;
  SynodBftProof proof;
  SynodShoppingCartResult result;
} Proven;

static void
proven_clear (Proven *p)
{
  g_clear_pointer (&p->value, g_bytes_unref);
  synod_bft_proof_clear (&p->proof);
  synod_shopping_cart_result_clear (&p->result);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Proven, proven_clear)

/* Reads the answer's value and proof; returns whether the proof proves the
 * value for (client, number) against the service's keys. */
static gboolean
check_answer (Site *s, Http *h, guint64 client, guint64 number, Proven *ret, GError **error)
{
  gsize len = 0;
  guchar *value = NULL;
  const gchar *header = http_field (h, "synod-proof", 0);

  g_assert_nonnull (header);
  g_assert_cmpstr (header, ==, member_str (h, "proof"));
  value = g_base64_decode (member_str (h, "value"), &len);
  ret->value = g_bytes_new_take (value, len);
  g_assert_true (synod_bft_proof_from_header (header, &ret->proof, NULL));
  g_assert_true (synod_shopping_cart_result_parse (ret->value, &ret->result, NULL));
  return synod_bft_proof_verify (s->cluster->public_keys, &ret->proof, client, number, value, len,
                                 error);
}

static void
check_proven (Site *s, Http *h, guint64 number, Proven *ret)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (check_answer (s, h, s->client, number, ret, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ret->proof.signatures.len, >=,
                    ret->proof.read_only ? 2 * s->cluster->options.f + 1
                                         : s->cluster->options.f + 1);
}

static Http *
api_call (Site *s, guint site, const gchar *method, const gchar *call, guint64 number,
          const gchar *body)
{
  g_autofree gchar *path = g_strdup_printf ("/cart/api/%s", call);
  g_autofree gchar *c = g_strdup_printf ("Synod-Client: %s", s->client_text);
  g_autofree gchar *n = g_strdup_printf ("Synod-Request: %" G_GUINT64_FORMAT, number);
  const gchar *fields[] = { c, n, body ? "Content-Type: application/json" : NULL, NULL };

  return http (s->ports[site], method, path, fields, body);
}

static guint32
quantity_of (const SynodShoppingCartResult *r, const gchar *item)
{
  g_assert_nonnull (r->cart);
  for (guint i = 0; i < r->cart->lines.len; i++)
    if (strcmp (r->cart->lines.val[i].item, item) == 0)
      return r->cart->lines.val[i].quantity;
  return 0;
}

/* ---- tests ---- */

static void
test_shopping (void)
{
  g_autoptr (Site) s = site_start (NULL, 0, -1);
  g_autoptr (Http) index = NULL, script = NULL, service = NULL, add1 = NULL, add2 = NULL;
  g_autoptr (Http) read = NULL, once = NULL, retry = NULL, after = NULL, unknown = NULL;
  g_auto (Proven) p1 = { 0 }, p2 = { 0 }, pr = { 0 }, po = { 0 }, prt = { 0 }, pa = { 0 };
  g_auto (Proven) pu = { 0 };
  guint64 n1 = ++s->number, n2 = ++s->number, n3 = ++s->number, n4 = ++s->number;
  guint64 n5 = ++s->number, n6 = ++s->number;
  JsonArray *keys;

  g_test_summary ("Four replicas each serve the shop: the pages from the document root, the "
                  "service's public keys, and the cart API. Items added through replica 0's "
                  "and 1's sites are read back from replica 2's, each answer with a proof of "
                  "f+1 signatures (2f+1 for the read) that checks against the keys; the same "
                  "(client, number) sent to two sites is executed once.");
  index = http (s->ports[1], "GET", "/", NULL, NULL);
  g_assert_cmpuint (index->status, ==, 200);
  g_assert_nonnull (strstr (index->body, "synod-proof.js"));
  script = http (s->ports[3], "GET", "/synod-proof.js", NULL, NULL);
  g_assert_cmpuint (script->status, ==, 200);
  g_assert_nonnull (strstr (script->body, "replyStatement"));

  service = http (s->ports[0], "GET", "/cart/api/service", NULL, NULL);
  g_assert_cmpuint (service->status, ==, 200);
  g_assert_cmpint (json_node_get_int (member (service, "f")), ==, 1);
  g_assert_cmpint (json_node_get_int (member (service, "n")), ==, 4);
  keys = json_node_get_array (member (service, "replicaKeys"));
  g_assert_cmpuint (json_array_get_length (keys), ==, 4);
  for (guint r = 0; r < 4; r++)
    {
      guint8 key[32];
      g_autofree gchar *b64 = NULL;

      g_assert_true (synod_bft_keys_get_public_key (s->cluster->public_keys, r, key));
      b64 = g_base64_encode (key, 32);
      g_assert_cmpstr (json_array_get_string_element (keys, r), ==, b64);
    }
  {
    g_autofree gchar *id = g_strdup_printf (
        "%016" G_GINT64_MODIFIER "x", synod_bft_keys_get_service_id (s->cluster->public_keys));

    g_assert_cmpstr (member_str (service, "service"), ==, id);
  }

  add1 = api_call (s, 0, "POST", "add", n1, "{\"item\": \"apple\", \"quantity\": 2}");
  g_assert_cmpuint (add1->status, ==, 200);
  check_proven (s, add1, n1, &p1);
  g_assert_cmpuint (quantity_of (&p1.result, "apple"), ==, 2);
  add2 = api_call (s, 1, "POST", "add", n2, "{\"item\": \"tea\"}");
  g_assert_cmpuint (add2->status, ==, 200);
  check_proven (s, add2, n2, &p2);
  read = api_call (s, 2, "GET", "cart", n3, NULL);
  g_assert_cmpuint (read->status, ==, 200);
  check_proven (s, read, n3, &pr);
  g_assert_true (pr.proof.read_only);
  g_assert_cmpuint (quantity_of (&pr.result, "apple"), ==, 2);
  g_assert_cmpuint (quantity_of (&pr.result, "tea"), ==, 1);
  g_assert_cmpuint (pr.result.cart->total, ==, 2 * 45 + 360);

  /* Exactly once: the same request at another replica's site. */
  once = api_call (s, 3, "POST", "add", n4, "{\"item\": \"honey\"}");
  g_assert_cmpuint (once->status, ==, 200);
  check_proven (s, once, n4, &po);
  retry = api_call (s, 0, "POST", "add", n4, "{\"item\": \"honey\"}");
  g_assert_cmpuint (retry->status, ==, 200);
  check_proven (s, retry, n4, &prt);
  g_assert_true (g_bytes_equal (po.value, prt.value));
  after = api_call (s, 1, "GET", "cart", n5, NULL);
  check_proven (s, after, n5, &pa);
  g_assert_cmpuint (quantity_of (&pa.result, "honey"), ==, 1);

  /* An unknown item is a proven 404: the replicas agreed it is not for sale. */
  unknown = api_call (s, 2, "POST", "add", n6, "{\"item\": \"caviar\"}");
  g_assert_cmpuint (unknown->status, ==, 404);
  check_proven (s, unknown, n6, &pu);
  g_assert_cmpint (pu.result.status, ==, SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM);
}

static gchar *
cookie_pair (Http *h, const gchar *name)
{
  for (guint i = 0; http_field (h, "set-cookie", i); i++)
    {
      const gchar *c = http_field (h, "set-cookie", i);

      if (g_str_has_prefix (c, name))
        return g_strndup (c, strcspn (c, ";"));
    }
  return NULL;
}

static gchar *
token_of (const gchar *page)
{
  const gchar *p = strstr (page, "name=\"n\" value=\"");

  g_assert_nonnull (p);
  p += strlen ("name=\"n\" value=\"");
  return g_strndup (p, strspn (p, "0123456789"));
}

static void
test_forms_and_hostile (void)
{
  g_autoptr (Site) s = site_start (NULL, 0, -1);
  g_autoptr (Http) page = NULL, post = NULL, again = NULL, cart = NULL, bad = NULL, big = NULL;
  g_autoptr (Http) nonum = NULL, method = NULL, slash = NULL;
  g_autofree gchar *client = NULL, *token = NULL, *form = NULL, *last = NULL, *cookies = NULL;
  g_autofree gchar *cookie_field = NULL, *huge = NULL, *client_field = NULL;
  const gchar *json_fields[3] = { NULL };

  g_test_summary ("An ordinary browser without JavaScript: the first page sets the client "
                  "cookie and carries a form number; the POST is answered 303; the same form "
                  "sent again to another replica's site (cookies are shared by the sites of one "
                  "host) executes once. Hostile requests over the wire get clear 4xx answers "
                  "and the site goes on.");
  page = http (s->ports[2], "GET", "/cart/", NULL, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  client = cookie_pair (page, "synod-client=");
  g_assert_nonnull (client);
  g_assert_nonnull (strstr (page->body, "umbrella"));
  token = token_of (page->body);
  form = g_strdup_printf ("n=%s&item=coffee&quantity=2", token);
  cookie_field = g_strdup_printf ("Cookie: %s", client);
  {
    const gchar *fields[]
        = { "Content-Type: application/x-www-form-urlencoded", cookie_field, NULL };

    post = http (s->ports[2], "POST", "/cart/form/add", fields, form);
  }
  g_assert_cmpuint (post->status, ==, 303);
  g_assert_cmpstr (http_field (post, "location", 0), ==, "/cart/?msg=added&item=coffee");
  last = cookie_pair (post, "synod-last=");
  g_assert_nonnull (last);
  cookies = g_strdup_printf ("Cookie: %s; %s", client, last);
  {
    const gchar *fields[] = { "Content-Type: application/x-www-form-urlencoded", cookies, NULL };

    again = http (s->ports[3], "POST", "/cart/form/add", fields, form);
  }
  g_assert_cmpuint (again->status, ==, 303);
  g_assert_cmpstr (http_field (again, "location", 0), ==, "/cart/?msg=added&item=coffee");
  {
    const gchar *fields[] = { cookies, NULL };

    cart = http (s->ports[0], "GET", "/cart/", fields, NULL);
  }
  g_assert_cmpuint (cart->status, ==, 200);
  g_assert_nonnull (strstr (cart->body, "<td>coffee</td><td class=\"num\">2</td>"));

  client_field = g_strdup_printf ("Synod-Client: %s", s->client_text);
  json_fields[0] = "Content-Type: application/json";
  json_fields[1] = client_field;
  {
    const gchar *fields[] = { json_fields[0], json_fields[1], "Synod-Request: 5", NULL };

    bad = http (s->ports[1], "POST", "/cart/api/add", fields, "{\"item\": tea}");
    g_assert_cmpuint (bad->status, ==, 400);
    g_assert_cmpstr (member_str (bad, "error"), ==, "bad-request");
    huge = g_strnfill (8000, ' ');
    big = http (s->ports[1], "POST", "/cart/api/add", fields, huge);
    g_assert_cmpuint (big->status, ==, 413);
  }
  nonum = http (s->ports[1], "POST", "/cart/api/add", json_fields, "{\"item\": \"tea\"}");
  g_assert_cmpuint (nonum->status, ==, 428);
  method = http (s->ports[1], "DELETE", "/cart/api/cart", NULL, NULL);
  g_assert_cmpuint (method->status, ==, 405);
  g_assert_nonnull (http_field (method, "allow", 0));
  slash = http (s->ports[1], "GET", "/cart", NULL, NULL);
  g_assert_cmpuint (slash->status, ==, 308);
  {
    g_autoptr (Http) ok = api_call (s, 1, "POST", "add", ++s->number, "{\"item\": \"tea\"}");
    g_auto (Proven) p = { 0 };

    g_assert_cmpuint (ok->status, ==, 200);
    check_proven (s, ok, s->number, &p);
  }
  {
    /* A number below the last executed one, without the cookie that lets
     * the site refuse it itself: the replicas say so (409, not a 504 after
     * the request timeout), and nothing is done. */
    g_autoptr (Http) old = api_call (s, 2, "POST", "add", s->number - 1, "{\"item\": \"tea\"}");
    g_autoptr (Http) now = api_call (s, 3, "GET", "cart", ++s->number, NULL);
    g_auto (Proven) p = { 0 };

    g_assert_cmpuint (old->status, ==, 409);
    g_assert_cmpstr (member_str (old, "error"), ==, "stale-number");
    g_assert_cmpuint (now->status, ==, 200);
    check_proven (s, now, s->number, &p);
    g_assert_cmpuint (quantity_of (&p.result, "tea"), ==, 1);
  }
}

static void
test_kill_replica (void)
{
  g_autoptr (Site) s = site_start (NULL, 0, -1);
  g_autoptr (Http) first = NULL, later = NULL, retried = NULL, read = NULL;
  g_auto (Proven) pf = { 0 }, pl = { 0 }, pr = { 0 }, pd = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (Http) dead = NULL;
  guint64 n;

  g_test_summary ("SIGKILL of the primary's peer (its replica, coordinator and site): its "
                  "site no longer answers, and a browser retrying the same request at the "
                  "next replica's site gets it done once, with a valid proof, after the view "
                  "change; shopping goes on at the other three sites.");
  first = api_call (s, 0, "POST", "add", ++s->number, "{\"item\": \"bread\"}");
  g_assert_cmpuint (first->status, ==, 200);
  check_proven (s, first, s->number, &pf);
  g_assert_true (bft_cluster_kill (s->cluster, 0, SIGKILL));

  n = ++s->number;
  {
    g_autofree gchar *c = g_strdup_printf ("Synod-Client: %s", s->client_text);
    g_autofree gchar *num = g_strdup_printf ("Synod-Request: %" G_GUINT64_FORMAT, n);
    const gchar *fields[] = { c, num, "Content-Type: application/json", NULL };

    dead = http_request (s->ports[0], "POST", "/cart/api/add", fields, "{\"item\": \"tea\"}",
                         &error);
    g_assert_null (dead);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
  later = api_call (s, 1, "POST", "add", n, "{\"item\": \"tea\"}");
  g_assert_cmpuint (later->status, ==, 200);
  check_proven (s, later, n, &pl);
  retried = api_call (s, 2, "POST", "add", n, "{\"item\": \"tea\"}");
  g_assert_cmpuint (retried->status, ==, 200);
  check_proven (s, retried, n, &pd);
  g_assert_true (g_bytes_equal (pl.value, pd.value));
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr (Http) more
          = api_call (s, 1 + k, "POST", "add", ++s->number, "{\"item\": \"tea\"}");
      g_auto (Proven) pm = { 0 };

      g_assert_cmpuint (more->status, ==, 200);
      check_proven (s, more, s->number, &pm);
      for (guint i = 0; i < pm.proof.signatures.len; i++)
        g_assert_cmpuint (pm.proof.signatures.val[i].replica, !=, 0);
    }
  read = api_call (s, 3, "GET", "cart", ++s->number, NULL);
  check_proven (s, read, s->number, &pr);
  g_assert_cmpuint (quantity_of (&pr.result, "bread"), ==, 1);
  g_assert_cmpuint (quantity_of (&pr.result, "tea"), ==, 4);
}

static void
test_byzantine (void)
{
  g_autoptr (Site) s = site_start ("lying", 1, 1);
  g_autoptr (GError) error = NULL;

  g_test_summary ("Replica 1 is Byzantine: its replica signs wrong results and its site "
                  "alters the agreed answers while keeping their proof. Through the correct "
                  "replicas' sites every answer is right, proven without replica 1's "
                  "signature; the lying site's answers fail the proof check (what the page's "
                  "script does), so a checking client is never misled and retries elsewhere.");
  {
    g_auto (SynodBftReplicaStatus) st = { 0 };

    g_assert_true (bft_cluster_status (s->cluster, 1, &st, &error));
    g_assert_cmpstr (st.fault, ==, "lying");
  }
  for (guint k = 0; k < 4; k++)
    {
      guint site = k % 2 == 0 ? 0 : 2;
      g_autoptr (Http) h = api_call (s, site, "POST", "add", ++s->number, "{\"item\": \"cheese\"}");
      g_auto (Proven) p = { 0 };

      g_assert_cmpuint (h->status, ==, 200);
      check_proven (s, h, s->number, &p);
      g_assert_cmpuint (quantity_of (&p.result, "cheese"), ==, k + 1);
      for (guint i = 0; i < p.proof.signatures.len; i++)
        g_assert_cmpuint (p.proof.signatures.val[i].replica, !=, 1);
    }
  {
    guint64 n = ++s->number;
    g_autoptr (Http) lie = api_call (s, 1, "GET", "cart", n, NULL);
    g_autoptr (Http) truth = NULL;
    g_auto (Proven) pl = { 0 }, pt = { 0 };

    g_assert_cmpuint (lie->status, ==, 200);
    g_assert_false (check_answer (s, lie, s->client, n, &pl, &error));
    g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_BAD_PROOF);
    g_clear_error (&error);
    g_assert_cmpuint (quantity_of (&pl.result, "cheese"), ==, 5); /* what it claims */
    truth = api_call (s, 3, "GET", "cart", n, NULL);
    check_proven (s, truth, n, &pt);
    g_assert_cmpuint (quantity_of (&pt.result, "cheese"), ==, 4);
  }
  {
    guint64 n = ++s->number;
    g_autoptr (Http) lie = api_call (s, 1, "POST", "add", n, "{\"item\": \"tea\"}");
    g_autoptr (Http) retry = NULL;
    g_auto (Proven) pl = { 0 }, pr = { 0 };

    g_assert_false (check_answer (s, lie, s->client, n, &pl, &error));
    g_clear_error (&error);
    /* The client retries the same request at another site: executed once. */
    retry = api_call (s, 2, "POST", "add", n, "{\"item\": \"tea\"}");
    check_proven (s, retry, n, &pr);
    g_assert_cmpuint (quantity_of (&pr.result, "tea"), ==, 1);
    g_assert_cmpuint (quantity_of (&pr.result, "cheese"), ==, 4);
  }
}

/* ---- a real browser, when one is installed ---- */

static gchar *
find_browser (void)
{
  static const gchar *const names[] = { "chromium", "chromium-browser", "google-chrome", NULL };

  for (guint i = 0; names[i]; i++)
    {
      gchar *path = g_find_program_in_path (names[i]);

      if (path)
        return path;
    }
  return NULL;
}

/* The page as the browser's DOM has it once its scripts ran. The browser
 * may reach loopback only: every other name fails to resolve and every
 * other address goes to a proxy that is not there. */
static gchar *
browser_dump (const gchar *browser, const gchar *profile, guint16 port, const gchar *path)
{
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autofree gchar *dir = g_strdup_printf ("--user-data-dir=%s", profile);
  const gchar *argv[] = {
    "timeout",
    "120",
    browser,
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    dir,
    "--dump-dom",
    "--virtual-time-budget=30000",
    url,
    NULL,
  };
  g_autoptr (GError) error = NULL;
  gchar *out = NULL;
  gint status = -1;

  g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static guint16
free_port (void)
{
  g_autoptr (GSocket) sock
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The option that gives this node a WebSocket client, or NULL when it has
 * none. */
static const gchar *
node_websocket_option (const gchar *node)
{
  static const gchar *const options[] = { "--no-warnings", "--experimental-websocket" };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const gchar *argv[] = { node, options[i], "-e",
                              "process.exit(typeof WebSocket === 'function' ? 0 : 3)", NULL };
      gint status = -1;

      if (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                        NULL, &status, NULL)
          && g_spawn_check_wait_status (status, NULL))
        return options[i];
    }
  return NULL;
}

/* Clicks through the shop in the browser (tests/bft/browser-shop.js over
 * the DevTools protocol, when Node.js can speak it). */
static void
shop_in_browser (const gchar *browser, const gchar *profile, guint16 site)
{
  g_autofree gchar *node = g_find_program_in_path ("node");
  g_autofree gchar *runner
      = g_build_filename (SYNOD_TEST_SRCDIR, "tests", "bft", "browser-shop.js", NULL);
  g_autofree gchar *debug = NULL, *port_text = NULL, *url = NULL, *dir = NULL, *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GSubprocess) chromium = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  const gchar *option = node ? node_websocket_option (node) : NULL;
  JsonObject *o, *adds, *order;
  JsonArray *proofs;
  guint16 port;
  gint status = -1;

  if (option == NULL)
    {
      g_test_message ("no Node.js with a WebSocket client: the shop is not clicked through");
      return;
    }
  port = free_port ();
  debug = g_strdup_printf ("--remote-debugging-port=%u", port);
  dir = g_strdup_printf ("--user-data-dir=%s", profile);
  chromium = g_subprocess_new (
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, browser,
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
      "--proxy-server=http://127.0.0.1:9",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", dir, debug, "about:blank", NULL);
  g_assert_no_error (error);
  port_text = g_strdup_printf ("%u", port);
  url = g_strdup_printf ("http://127.0.0.1:%u/", site);
  {
    const gchar *argv[] = { "timeout", "120", node, option, runner, port_text, url, NULL };

    g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                                 &err, &status, &error));
  }
  /* SIGTERM lets the browser close its own helper processes, which a
   * SIGKILL would leave writing into the profile for a while. */
  g_subprocess_send_signal (chromium, SIGTERM);
  for (guint i = 0; i < 100 && g_subprocess_get_identifier (chromium) != NULL; i++)
    g_usleep (100 * 1000);
  g_subprocess_force_exit (chromium);
  g_subprocess_wait (chromium, NULL, NULL);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", runner, err);
  g_test_message ("the page showed: %s", out);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  adds = json_object_get_object_member (o, "afterAdds");
  g_assert_cmpstr (json_object_get_string_member (adds, "summary"), ==, "3 items, total 7.65");
  g_assert_true (
      g_str_has_prefix (json_object_get_string_member (adds, "badge"), "verified by replicas "));
  g_assert_cmpstr (json_object_get_string_member (o, "cart"), ==, "apple 1, tea 2");
  g_assert_cmpstr (json_object_get_string_member (o, "afterRemove"), ==, "tea 2");
  order = json_object_get_object_member (o, "order");
  g_assert_cmpstr (json_object_get_string_member (order, "total"), ==, "7.20");
  g_assert_nonnull (strstr (json_object_get_string_member (order, "notice"),
                            json_object_get_string_member (order, "number")));
  proofs = json_object_get_array_member (o, "proofs");
  g_assert_cmpuint (json_array_get_length (proofs), ==,
                    3); /* the cart page: read, remove, check out */
  for (guint i = 0; i < json_array_get_length (proofs); i++)
    g_assert_nonnull (strstr (json_array_get_string_element (proofs, i), "verified by replicas "));
}

static void
test_browser (void)
{
  g_autofree gchar *browser = find_browser ();
  g_autofree gchar *profile = NULL, *vectors = NULL, *shop = NULL, *liar = NULL;
  g_autoptr (Site) s = NULL;
  g_autoptr (GError) error = NULL;
  guint16 ports[BFT_CLUSTER_MAX + 1] = { 0 };

  g_test_summary ("A real browser (headless Chromium, when installed): the proof test page "
                  "agrees with the C checker on every vector; the shop's page shows the "
                  "catalog and the cart, each verified by replicas, and a click-through (add, "
                  "remove, check out) sees every answer verified; loaded from a lying "
                  "replica's site, the page rejects that site's answers and gets proven ones "
                  "from another replica's site.");
  if (browser == NULL)
    {
      g_test_skip ("no chromium installed (the browser test is optional)");
      return;
    }
  /* The page retries at the sites it is told of: their ports are chosen
   * (by the kernel) before the daemons start. */
  for (guint i = 0; i < 4; i++)
    ports[i] = free_port ();
  s = site_start_with (NULL, 0, 1, ports);
  profile = g_dir_make_tmp ("synod-browser-XXXXXX", &error);
  g_assert_no_error (error);

  vectors = browser_dump (browser, profile, s->ports[0], "/proof-test.html");
  g_assert_nonnull (strstr (vectors, "PASS: all "));

  shop = browser_dump (browser, profile, s->ports[0], "/");
  g_assert_nonnull (strstr (shop, "<td>umbrella</td>"));
  g_assert_nonnull (strstr (shop, "verified by replicas "));
  g_assert_null (strstr (shop, "NOT verified"));

  liar = browser_dump (browser, profile, s->ports[1], "/");
  g_assert_nonnull (strstr (liar, "NOT verified (the proof is for another result)"));
  g_assert_nonnull (strstr (liar, "<td>umbrella</td><td>Folding umbrella, survives one Byzantine "
                                  "storm</td><td class=\"num\">14.00</td>"));
  {
    g_autofree gchar *retried
        = g_strdup_printf ("at http://127.0.0.1:%u: <strong>verified by", s->ports[2]);

    g_assert_nonnull (strstr (liar, retried));
  }
  shop_in_browser (browser, profile, s->ports[0]);
  /* A helper process of the last browser may still be finishing a write. */
  for (guint i = 0; i < 50 && g_file_test (profile, G_FILE_TEST_EXISTS); i++)
    {
      synod_test_remove_tree (profile);
      if (g_file_test (profile, G_FILE_TEST_EXISTS))
        g_usleep (100 * 1000);
    }
  g_assert_false (g_file_test (profile, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  synod_bft_error_quark ();
  g_test_add_func ("/bft/site/shopping", test_shopping);
  g_test_add_func ("/bft/site/forms-and-hostile", test_forms_and_hostile);
  g_test_add_func ("/bft/site/kill-primary", test_kill_replica);
  g_test_add_func ("/bft/site/byzantine", test_byzantine);
  g_test_add_func ("/bft/site/browser", test_browser);
  return g_test_run ();
}
