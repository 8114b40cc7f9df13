/* The shopping cart's HTTP adapter on its own: how requests map to
 * ShoppingCart operations, hostile requests, and the handler (JSON API,
 * forms, cookies, exactly-once numbers) in one process over an
 * Unreplicated service of the same state variable. The replicated site is
 * test-bft-site. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bft-http-cart-private.h"
#include "synod-bft.h"
#include "synod-shopping-cart.h"

#define CLIENT "0000000000abcdef"
#define CLIENT_ID G_GUINT64_CONSTANT (0xabcdef)

/* ---- building requests ---- */

typedef struct
{
  StandardHTTPRequest r;
} Req;

static void
req_clear (Req *q)
{
  standard_http_request_clear (&q->r);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Req, req_clear)

/* @fields: "name: value" strings, NULL-terminated (names are lowercased,
 * as the server delivers them). */
static void
req_init (Req *q, const gchar *method, const gchar *target, const gchar *body, gssize body_len,
          const gchar *const *fields)
{
  const gchar *query = strchr (target, '?');

  memset (q, 0, sizeof *q);
  q->r.method = g_strdup (method);
  q->r.target = g_strdup (target);
  q->r.path = query ? g_strndup (target, (gsize)(query - target)) : g_strdup (target);
  q->r.query = g_strdup (query ? query + 1 : "");
  q->r.prefix = g_strdup ("/cart/");
  q->r.host = g_strdup ("shop.test");
  q->r.peer = g_strdup ("127.0.0.1");
  q->r.version = 11;
  if (body)
    {
      q->r.body.len = (guint32)(body_len < 0 ? strlen (body) : (gsize)body_len);
      q->r.body.val = g_memdup2 (body, q->r.body.len);
    }
  for (guint i = 0; fields && fields[i]; i++)
    {
      const gchar *colon = strchr (fields[i], ':');
      StandardHTTPField *f;

      g_assert_nonnull (colon);
      q->r.fields.val = g_renew (StandardHTTPField, q->r.fields.val, q->r.fields.len + 1);
      f = &q->r.fields.val[q->r.fields.len++];
      f->name = g_ascii_strdown (fields[i], colon - fields[i]);
      f->value = g_strstrip (g_strdup (colon + 1));
    }
}

/* ---- the mapping ---- */

typedef struct
{
  const gchar *method;
  const gchar *target;
  const gchar *fields[4];
  const gchar *body;
  BftHttpRoute route;
  guint64 client;
  guint64 number;
  const gchar *op; /* add:ITEM:Q, remove:ITEM:Q, list, checkout, catalog, order:N, none */
} MapCase;

#define JSON_FIELDS(n)                                                                             \
  "content-type: application/json", "synod-client: " CLIENT, "synod-request: " n

static const MapCase map_cases[] = {
  { "GET", "/cart/api/items", { NULL }, NULL, BFT_HTTP_ROUTE_ITEMS, 0, 0, "catalog" },
  { "HEAD", "/cart/api/items", { NULL }, NULL, BFT_HTTP_ROUTE_ITEMS, 0, 0, "catalog" },
  { "GET",
    "/cart/api/cart",
    { "cookie: a=b; synod-client=" CLIENT "; c=d" },
    NULL,
    BFT_HTTP_ROUTE_CART,
    CLIENT_ID,
    0,
    "list" },
  { "GET",
    "/cart/api/cart",
    { "synod-client: 0000000000ABCDEF", "cookie: synod-client=0000000000000001",
      "synod-request: 12" },
    NULL,
    BFT_HTTP_ROUTE_CART,
    CLIENT_ID,
    12,
    "list" },
  { "POST",
    "/cart/api/add",
    { JSON_FIELDS ("42") },
    "{\"item\": \"tea\", \"quantity\": 3}",
    BFT_HTTP_ROUTE_ADD,
    CLIENT_ID,
    42,
    "add:tea:3" },
  { "POST",
    "/cart/api/add",
    { JSON_FIELDS ("43") },
    "{\"item\": \"tea\"}",
    BFT_HTTP_ROUTE_ADD,
    CLIENT_ID,
    43,
    "add:tea:1" },
  { "POST",
    "/cart/api/remove",
    { JSON_FIELDS ("44") },
    "{\"item\": \"olive-oil\"}",
    BFT_HTTP_ROUTE_REMOVE,
    CLIENT_ID,
    44,
    "remove:olive-oil:0" },
  { "POST",
    "/cart/api/remove",
    { JSON_FIELDS ("45") },
    "{\"quantity\": 2, \"item\": \"tea\"}",
    BFT_HTTP_ROUTE_REMOVE,
    CLIENT_ID,
    45,
    "remove:tea:2" },
  { "POST",
    "/cart/api/checkout",
    { "synod-client: " CLIENT, "synod-request: 9007199254740991" },
    NULL,
    BFT_HTTP_ROUTE_CHECKOUT,
    CLIENT_ID,
    G_GUINT64_CONSTANT (9007199254740991),
    "checkout" },
  { "POST",
    "/cart/api/checkout",
    { JSON_FIELDS ("46") },
    "{}",
    BFT_HTTP_ROUTE_CHECKOUT,
    CLIENT_ID,
    46,
    "checkout" },
  { "POST",
    "/cart/api/add",
    { "content-type: application/json; charset=utf-8", "cookie: synod-client=" CLIENT,
      "idempotency-key: 7" },
    "{\"item\":\"tea\",\"quantity\":1000000}",
    BFT_HTTP_ROUTE_ADD,
    CLIENT_ID,
    7,
    "add:tea:1000000" },
  { "GET",
    "/cart/api/order/20261127-000001-ab12",
    { NULL },
    NULL,
    BFT_HTTP_ROUTE_ORDER,
    0,
    0,
    "order:20261127-000001-ab12" },
  { "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT,
      "synod-request: 5" },
    "n=99&item=tea&quantity=2&go=Add",
    BFT_HTTP_ROUTE_FORM_ADD,
    CLIENT_ID,
    99,
    "add:tea:2" },
  { "POST",
    "/cart/form/remove",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "item=tea&n=100",
    BFT_HTTP_ROUTE_FORM_REMOVE,
    CLIENT_ID,
    100,
    "remove:tea:0" },
  { "POST",
    "/cart/form/checkout",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "n=101",
    BFT_HTTP_ROUTE_FORM_CHECKOUT,
    CLIENT_ID,
    101,
    "checkout" },
  { "GET",
    "/cart/",
    { "cookie: synod-client=" CLIENT },
    NULL,
    BFT_HTTP_ROUTE_PAGE,
    CLIENT_ID,
    0,
    "list" },
  { "GET",
    "/cart/order/20261127-000001-ab12",
    { NULL },
    NULL,
    BFT_HTTP_ROUTE_PAGE_ORDER,
    0,
    0,
    "order:20261127-000001-ab12" },
  { "GET", "/cart", { NULL }, NULL, BFT_HTTP_ROUTE_SLASH, 0, 0, "none" },
  { "OPTIONS", "/cart/api/add", { NULL }, NULL, BFT_HTTP_ROUTE_PREFLIGHT, 0, 0, "none" },
  { "GET", "/cart/api/service", { NULL }, NULL, BFT_HTTP_ROUTE_SERVICE, 0, 0, "none" },
};

static GBytes *
expected_op (const gchar *spec)
{
  g_auto (GStrv) w = g_strsplit (spec, ":", 3);
  g_autofree gchar *user = bft_http_user_of (CLIENT_ID);

  if (strcmp (w[0], "catalog") == 0)
    return synod_shopping_cart_op_catalog ();
  if (strcmp (w[0], "list") == 0)
    return synod_shopping_cart_op_list (user);
  if (strcmp (w[0], "checkout") == 0)
    return synod_shopping_cart_op_checkout (user);
  if (strcmp (w[0], "order") == 0)
    return synod_shopping_cart_op_order (w[1]);
  if (strcmp (w[0], "add") == 0)
    return synod_shopping_cart_op_add (user, w[1], (guint32)g_ascii_strtoull (w[2], NULL, 10));
  if (strcmp (w[0], "remove") == 0)
    return synod_shopping_cart_op_remove (user, w[1], (guint32)g_ascii_strtoull (w[2], NULL, 10));
  return NULL;
}

static void
test_mapping (void)
{
  g_test_summary ("Each API call, page and form maps to the ShoppingCart operation it names, "
                  "byte for byte, with the client id (header before cookie) and request number "
                  "(Synod-Request, Idempotency-Key, or the form's n) it carries; reads are "
                  "read-only requests, changes ordered ones.");
  for (guint i = 0; i < G_N_ELEMENTS (map_cases); i++)
    {
      const MapCase *m = &map_cases[i];
      g_auto (Req) q;
      g_auto (BftHttpCall) c = { 0 };
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) op = NULL, want = NULL;
      guint status;

      req_init (&q, m->method, m->target, m->body, -1, m->fields);
      status = bft_http_cart_parse (&q.r, &c, &error);
      g_test_message ("%s %s -> %u %s", m->method, m->target, status, error ? error->message : "");
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, 0);
      g_assert_cmpint (c.route, ==, m->route);
      g_assert_cmpuint (c.client, ==, m->client);
      g_assert_cmpuint (c.number, ==, m->number);
      if (c.client == 0)
        c.client = CLIENT_ID; /* what the handler does for a first visit */
      op = bft_http_call_build_op (&c);
      want = expected_op (m->op);
      if (want == NULL)
        g_assert_null (op);
      else
        {
          g_assert_nonnull (op);
          g_assert_true (g_bytes_equal (op, want));
        }
      g_assert_cmpint (bft_http_route_is_read_only (c.route), ==,
                       strcmp (m->method, "POST") != 0 && want != NULL);
    }
}

/* ---- hostile requests ---- */

typedef struct
{
  const gchar *name;
  const gchar *method;
  const gchar *target;
  const gchar *fields[4];
  const gchar *body;
  gssize body_len;
  guint status;
} HostileCase;

static const gchar bad_utf8[] = "{\"item\": \"t\xff\xfe\"}";
static const gchar nul_body[] = "{\"item\": \"tea\"}\0{}";

static const HostileCase hostile_cases[] = {
  { "bad json", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "{\"item\": ", -1, 400 },
  { "json array", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "[1, 2]", -1, 400 },
  { "json string", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "\"tea\"", -1, 400 },
  { "item not a string", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "{\"item\": 5}", -1, 400 },
  { "item with markup",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"<script>\"}",
    -1,
    400 },
  { "empty item", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "{\"item\": \"\"}", -1, 400 },
  { "item too long",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    -1,
    400 },
  { "no item", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, "{\"quantity\": 1}", -1, 400 },
  { "negative quantity",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": -1}",
    -1,
    400 },
  { "zero to add",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": 0}",
    -1,
    400 },
  { "huge quantity",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": 1000001}",
    -1,
    400 },
  { "quantity overflow",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": 99999999999999999999999}",
    -1,
    400 },
  { "fractional quantity",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": 1.5}",
    -1,
    400 },
  { "quantity as text",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"quantity\": \"2\"}",
    -1,
    400 },
  { "unknown member",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    "{\"item\": \"tea\", \"price\": 0}",
    -1,
    400 },
  { "checkout with members",
    "POST",
    "/cart/api/checkout",
    { JSON_FIELDS ("1") },
    "{\"user\": \"someone-else\"}",
    -1,
    400 },
  { "invalid utf-8", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, bad_utf8, -1, 400 },
  { "nul in body",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1") },
    nul_body,
    sizeof nul_body - 1,
    400 },
  { "body too large", "POST", "/cart/api/add", { JSON_FIELDS ("1") }, NULL, 5000, 413 },
  { "text/plain body",
    "POST",
    "/cart/api/add",
    { "content-type: text/plain", "synod-client: " CLIENT, "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    415 },
  { "no content type",
    "POST",
    "/cart/api/add",
    { "synod-client: " CLIENT, "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    415 },
  { "no request number",
    "POST",
    "/cart/api/add",
    { "content-type: application/json", "synod-client: " CLIENT },
    "{\"item\": \"tea\"}",
    -1,
    428 },
  { "number zero", "POST", "/cart/api/add", { JSON_FIELDS ("0") }, "{\"item\": \"tea\"}", -1, 400 },
  { "negative number",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("-1") },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "number with exponent",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("1e3") },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "number with leading zero",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("007") },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "number 2^53",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("9007199254740992") },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "number 2^64",
    "POST",
    "/cart/api/add",
    { JSON_FIELDS ("18446744073709551616") },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "client not hex",
    "POST",
    "/cart/api/add",
    { "content-type: application/json", "synod-client: 0000000000abcdeg", "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "client too short",
    "POST",
    "/cart/api/add",
    { "content-type: application/json", "synod-client: abcdef", "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "client zero", "GET", "/cart/api/cart", { "synod-client: 0000000000000000" }, NULL, -1, 400 },
  { "reserved client",
    "GET",
    "/cart/api/cart",
    { "synod-client: ffff000000000001" },
    NULL,
    -1,
    400 },
  { "no client (no cookie)",
    "POST",
    "/cart/api/add",
    { "content-type: application/json", "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "bad client cookie",
    "POST",
    "/cart/api/add",
    { "content-type: application/json", "cookie: synod-client=<x>", "synod-request: 1" },
    "{\"item\": \"tea\"}",
    -1,
    400 },
  { "number without client", "GET", "/cart/api/items", { "synod-request: 5" }, NULL, -1, 400 },
  { "DELETE", "DELETE", "/cart/api/add", { NULL }, NULL, -1, 405 },
  { "GET of a change", "GET", "/cart/api/add", { NULL }, NULL, -1, 405 },
  { "POST of a read", "POST", "/cart/api/items", { JSON_FIELDS ("1") }, "{}", -1, 405 },
  { "PUT of a page", "PUT", "/cart/", { NULL }, NULL, -1, 405 },
  { "unknown call", "GET", "/cart/api/nothing", { NULL }, NULL, -1, 404 },
  { "unknown page", "GET", "/cart/whatever", { NULL }, NULL, -1, 404 },
  { "empty order", "GET", "/cart/api/order/", { NULL }, NULL, -1, 404 },
  { "order with space", "GET", "/cart/api/order/a b", { NULL }, NULL, -1, 404 },
  { "order too long",
    "GET",
    "/cart/api/order/0123456789012345678901234567890123456789",
    { NULL },
    NULL,
    -1,
    404 },
  { "outside the prefix", "GET", "/other", { NULL }, NULL, -1, 404 },
  { "form without n",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "item=tea",
    -1,
    400 },
  { "form n not a number",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "n=abc&item=tea",
    -1,
    400 },
  { "form bad item",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "n=5&item=%3Cb%3E",
    -1,
    400 },
  { "form bad escape",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "n=5&item=te%zz",
    -1,
    400 },
  { "form negative quantity",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded", "cookie: synod-client=" CLIENT },
    "n=5&item=tea&quantity=-3",
    -1,
    400 },
  { "form as json",
    "POST",
    "/cart/form/add",
    { "content-type: application/json", "cookie: synod-client=" CLIENT },
    "{}",
    -1,
    415 },
  { "form without cookie",
    "POST",
    "/cart/form/add",
    { "content-type: application/x-www-form-urlencoded" },
    "n=5&item=tea",
    -1,
    400 },
};

static gchar *
deep_json (void)
{
  GString *s = g_string_new ("{\"item\": ");

  while (s->len < BFT_HTTP_MAX_BODY - 2)
    g_string_append_c (s, '[');
  return g_string_free (s, FALSE);
}

static void
test_hostile_parse (void)
{
  g_test_summary ("Malformed, oversized and out-of-range requests (bad JSON, wrong types, bad "
                  "numbers and client ids, a missing cookie, unknown items' shapes, wrong "
                  "methods, huge bodies, deep nesting) are refused with the 4xx status that "
                  "says why, before anything is issued.");
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      const HostileCase *h = &hostile_cases[i];
      g_auto (Req) q;
      g_auto (BftHttpCall) c = { 0 };
      g_autoptr (GError) error = NULL;
      g_autofree gchar *big = NULL;
      const gchar *body = h->body;
      guint status;

      if (body == NULL && h->body_len > 0)
        body = big = g_strnfill ((gsize)h->body_len, 'x');
      req_init (&q, h->method, h->target, body, h->body_len, h->fields);
      status = bft_http_cart_parse (&q.r, &c, &error);
      g_test_message ("%s: %u %s", h->name, status, error ? error->message : "");
      g_assert_cmpuint (status, ==, h->status);
      g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED);
      if (status == 405)
        g_assert_nonnull (c.allow);
    }
  {
    g_autofree gchar *deep = deep_json ();
    const gchar *fields[] = { JSON_FIELDS ("1"), NULL };
    g_auto (Req) q;
    g_auto (BftHttpCall) c = { 0 };
    g_autoptr (GError) error = NULL;

    req_init (&q, "POST", "/cart/api/add", deep, -1, fields);
    g_assert_cmpuint (bft_http_cart_parse (&q.r, &c, &error), ==, 400);
  }
}

static void
test_values (void)
{
  guint64 v = 0;
  g_autofree gchar *s = bft_http_client_to_string (CLIENT_ID);

  g_test_summary ("Client ids are 16 hex digits outside the site's reserved range; request "
                  "numbers are plain decimals from 1 to 2^53-1.");
  g_assert_cmpstr (s, ==, CLIENT);
  g_assert_true (bft_http_client_parse (CLIENT, &v));
  g_assert_cmpuint (v, ==, CLIENT_ID);
  g_assert_false (bft_http_client_parse ("fffeffffffffffff0", &v));
  g_assert_true (bft_http_client_parse ("fffeffffffffffff", &v));
  g_assert_false (bft_http_client_parse ("ffff000000000000", &v));
  g_assert_false (bft_http_client_parse (NULL, &v));
  g_assert_true (bft_http_number_parse ("9007199254740991", &v));
  g_assert_cmpuint (v, ==, BFT_HTTP_MAX_NUMBER);
  g_assert_false (bft_http_number_parse ("9007199254740992", &v));
  g_assert_false (bft_http_number_parse ("", &v));
  g_assert_false (bft_http_number_parse ("+1", &v));
  g_assert_false (bft_http_number_parse ("1 ", &v));
  g_assert_true (bft_http_item_is_valid ("olive-oil_2.0"));
  g_assert_false (bft_http_item_is_valid ("olive oil"));
  g_assert_false (bft_http_item_is_valid ("tea\xc3\xa9"));
}

/* ---- the handler over an unreplicated service ---- */

typedef struct
{
  gchar *dir;
  SynodBroker *broker;
  SynodObject *state;
  SynodObject *cart;
  SynodRef *ref;
} Fixture;

static const gchar catalog_text[] = "# test catalog\n"
                                    "tea   3.60  Green tea\n"
                                    "\n"
                                    "bread 2     <b>Bread</b> & \"butter\"\n";

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *catalog = NULL, *params_text = NULL;
  g_autoptr (GVariant) params = NULL;
  const gchar *fault = data;

  f->dir = g_dir_make_tmp ("synod-http-cart-XXXXXX", &error);
  g_assert_no_error (error);
  catalog = g_build_filename (f->dir, "catalog.txt", NULL);
  g_assert_true (g_file_set_contents (catalog, catalog_text, -1, &error));
  f->broker = synod_broker_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (synod_bft_register_classes (f->broker, &error));
  g_assert_true (synod_bft_http_register_classes (f->broker, &error));
  g_assert_no_error (error);
  f->state = synod_broker_create_object (
      f->broker, SYNOD_BFT_UNREPLICATED_CLASS, 1,
      g_variant_new_parsed ("{'service': <'shop'>, 'state-variable': <'Synod.ShoppingCart'>}"),
      &error);
  g_assert_no_error (error);
  g_assert_true (
      synod_broker_register_service (f->broker, "bft.shop.unreplicated", f->state, &error));
  params_text = g_strdup_printf (
      "{'service': <'shop'>, 'coordinator': <'bft.shop.unreplicated'>, 'catalog': <'%s'>, "
      "'replica': <uint32 2>, 'sites': <['http://127.0.0.1:1/', 'http://127.0.0.1:2']>%s}",
      catalog, fault ? ", 'fault': <'lying'>" : "");
  params = g_variant_parse (NULL, params_text, NULL, NULL, &error);
  g_assert_no_error (error);
  f->cart = synod_broker_create_object (f->broker, SYNOD_BFT_HTTP_CART_CLASS, 1, params, &error);
  g_assert_no_error (error);
  f->ref = synod_ref_new_for_object (f->cart);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->ref, synod_ref_unref);
  g_clear_pointer (&f->cart, synod_object_unref);
  g_clear_pointer (&f->state, synod_object_unref);
  g_clear_pointer (&f->broker, synod_broker_unref);
  if (f->dir)
    {
      g_autofree gchar *catalog = g_build_filename (f->dir, "catalog.txt", NULL);

      g_remove (catalog);
      g_rmdir (f->dir);
    }
  g_free (f->dir);
}

typedef struct
{
  StandardHTTPResponse r;
  JsonNode *json;
} Resp;

static void
resp_free (Resp *r)
{
  standard_http_response_clear (&r->r);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resp, resp_free)

static const gchar *
resp_field (Resp *r, const gchar *name, guint nth)
{
  for (guint i = 0; i < r->r.fields.len; i++)
    if (g_ascii_strcasecmp (r->r.fields.val[i].name, name) == 0 && nth-- == 0)
      return r->r.fields.val[i].value;
  return NULL;
}

static gchar *
resp_body (Resp *r)
{
  return g_strndup ((const gchar *)r->r.body.val, r->r.body.len);
}

static Resp *
handle (Fixture *f, const gchar *method, const gchar *target, const gchar *body,
        const gchar *const *fields)
{
  g_auto (Req) q;
  g_autoptr (GError) error = NULL;
  Resp *r = g_new0 (Resp, 1);
  const gchar *type;

  req_init (&q, method, target, body, -1, fields);
  g_assert_true (standard_http_handler_handle (f->ref, &q.r, &r->r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->r.status, >=, 200);
  g_assert_cmpuint (r->r.status, <=, 599);
  type = resp_field (r, "content-type", 0);
  if (type && strcmp (type, "application/json") == 0)
    {
      g_autoptr (JsonParser) p = json_parser_new ();

      g_assert_true (json_parser_load_from_data (p, (const gchar *)r->r.body.val,
                                                 (gssize)r->r.body.len, &error));
      g_assert_no_error (error);
      r->json = json_node_copy (json_parser_get_root (p));
    }
  return r;
}

static Resp *
api_post (Fixture *f, const gchar *call, guint64 number, const gchar *body, const gchar *cookie)
{
  g_autofree gchar *target = g_strdup_printf ("/cart/api/%s", call);
  g_autofree gchar *n = g_strdup_printf ("synod-request: %" G_GUINT64_FORMAT, number);
  g_autofree gchar *c = cookie ? g_strdup_printf ("cookie: %s", cookie) : NULL;
  const gchar *fields[] = { "content-type: application/json", "synod-client: " CLIENT, n, c, NULL };

  return handle (f, "POST", target, body, fields);
}

/* The member at @path ("$.cart.lines[0].item"), as text; NULL when absent.
 * (JsonPath is not used: it asserts on an index past an array's end.) */
static const gchar *
json_str (Resp *r, const gchar *path)
{
  g_autofree gchar *norm = NULL;
  g_auto (GStrv) parts = NULL;
  JsonNode *n;
  static gchar buf[256];

  g_assert_nonnull (r->json);
  g_assert_true (g_str_has_prefix (path, "$."));
  norm = g_strdup (path + 2);
  g_strdelimit (norm, "[", '.');
  g_strdelimit (norm, "]", ' ');
  parts = g_strsplit (norm, ".", -1);
  n = r->json;
  for (guint i = 0; parts[i] && n; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        continue;
      if (g_ascii_isdigit (parts[i][0]))
        {
          guint k = (guint)g_ascii_strtoull (parts[i], NULL, 10);

          if (!JSON_NODE_HOLDS_ARRAY (n) || k >= json_array_get_length (json_node_get_array (n)))
            return NULL;
          n = json_array_get_element (json_node_get_array (n), k);
        }
      else
        {
          if (!JSON_NODE_HOLDS_OBJECT (n))
            return NULL;
          n = json_object_get_member (json_node_get_object (n), parts[i]);
        }
    }
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    g_strlcpy (buf, json_node_get_string (n), sizeof buf);
  else
    g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int (n));
  return buf;
}

/* The value in the JSON decodes to what the JSON says, and the proof in
 * the header is the one in the JSON, about that value and this request. */
static void
check_value_and_proof (Resp *r, guint64 client, guint64 number)
{
  gsize len = 0;
  g_autofree guchar *value = g_base64_decode (json_str (r, "$.value"), &len);
  g_autoptr (GBytes) b = g_bytes_new (value, len);
  g_auto (SynodShoppingCartResult) res = { 0 };
  g_auto (SynodBftProof) proof = { 0 };
  g_autoptr (GError) error = NULL;
  const gchar *header = resp_field (r, SYNOD_BFT_PROOF_HEADER, 0);

  g_assert_true (synod_shopping_cart_result_parse (b, &res, &error));
  g_assert_cmpstr (json_str (r, "$.status"), ==, bft_http_status_name (res.status));
  g_assert_nonnull (header);
  g_assert_cmpstr (header, ==, json_str (r, "$.proof"));
  g_assert_true (synod_bft_proof_from_header (header, &proof, &error));
  g_assert_cmpuint (proof.client, ==, client);
  g_assert_cmpuint (proof.number, ==, number);
}

static void
test_api (Fixture *f, gconstpointer data)
{
  g_autoptr (Resp) items = NULL, add = NULL, again = NULL, cart = NULL, unknown = NULL;
  g_autoptr (Resp) removed = NULL, empty = NULL, order = NULL, read_order = NULL, service = NULL;
  g_autoptr (Resp) stale = NULL, after = NULL, preflight = NULL, added = NULL;
  g_autofree gchar *order_path = NULL, *tag_cookie = NULL;
  const gchar *get_fields[] = { "synod-client: " CLIENT, "synod-request: 3", NULL };
  const gchar *cookie;

  g_test_summary ("The JSON API over an unreplicated service: the catalog file is put on sale "
                  "at the first request; add, read, remove and check out return the decoded "
                  "result with its raw value and proof; a retry of the same number returns the "
                  "same answer, executed once; a number the client already used is refused "
                  "(409) without being issued; unknown items and empty checkouts are proven "
                  "4xx answers.");
  items = handle (f, "GET", "/cart/api/items", NULL, NULL);
  g_assert_cmpuint (items->r.status, ==, 200);
  g_assert_cmpstr (json_str (items, "$.catalog[0].item"), ==, "bread");
  g_assert_cmpstr (json_str (items, "$.catalog[0].price"), ==, "200");
  g_assert_cmpstr (json_str (items, "$.catalog[1].item"), ==, "tea");
  g_assert_cmpstr (json_str (items, "$.catalog[1].price"), ==, "360");
  g_assert_cmpstr (resp_field (items, "access-control-allow-origin", 0), ==, "*");
  g_assert_cmpstr (resp_field (items, SYNOD_BFT_REPLICA_HEADER, 0), ==, "2");
  g_assert_true (g_str_has_prefix (resp_field (items, SYNOD_BFT_SERVICE_HEADER, 0), "shop; id="));
  /* The page has no cookie, the adapter read under its own client id. */
  g_assert_null (resp_field (items, "set-cookie", 0));

  add = api_post (f, "add", 1, "{\"item\": \"tea\", \"quantity\": 2}", NULL);
  g_assert_cmpuint (add->r.status, ==, 200);
  g_assert_cmpstr (json_str (add, "$.cart.lines[0].item"), ==, "tea");
  g_assert_cmpstr (json_str (add, "$.cart.lines[0].quantity"), ==, "2");
  g_assert_cmpstr (json_str (add, "$.cart.total"), ==, "720");
  g_assert_cmpstr (json_str (add, "$.cart.user"), ==, CLIENT);
  g_assert_cmpstr (json_str (add, "$.client"), ==, CLIENT);
  g_assert_cmpstr (json_str (add, "$.number"), ==, "1");
  check_value_and_proof (add, CLIENT_ID, 1);
  cookie = resp_field (add, "set-cookie", 0);
  g_assert_nonnull (cookie);
  g_assert_true (g_str_has_prefix (cookie, "synod-last=1."));

  again = api_post (f, "add", 1, "{\"item\": \"tea\", \"quantity\": 2}", NULL);
  g_assert_cmpstr (json_str (again, "$.value"), ==, json_str (add, "$.value"));
  cart = handle (f, "GET", "/cart/api/cart", NULL, get_fields);
  g_assert_cmpuint (cart->r.status, ==, 200);
  g_assert_cmpstr (json_str (cart, "$.cart.lines[0].quantity"), ==, "2");
  g_assert_cmpstr (json_str (cart, "$.readOnly"), ==, "1");
  check_value_and_proof (cart, CLIENT_ID, 3);

  unknown = api_post (f, "add", 4, "{\"item\": \"caviar\"}", NULL);
  g_assert_cmpuint (unknown->r.status, ==, 404);
  g_assert_cmpstr (json_str (unknown, "$.status"), ==, "unknown-item");
  check_value_and_proof (unknown, CLIENT_ID, 4);

  /* The cookie says request 5 was "add bread": 4 is used up, and 5 with
   * another operation is not a retry. Neither reaches the service. */
  added = api_post (f, "add", 5, "{\"item\": \"bread\"}", NULL);
  g_assert_cmpuint (added->r.status, ==, 200);
  tag_cookie = g_strdup (resp_field (added, "set-cookie", 0));
  *strchr (tag_cookie, ';') = '\0';
  stale = api_post (f, "add", 4, "{\"item\": \"tea\"}", tag_cookie);
  g_assert_cmpuint (stale->r.status, ==, 409);
  g_assert_cmpstr (json_str (stale, "$.error"), ==, "stale-number");
  g_clear_pointer (&stale, resp_free);
  stale = api_post (f, "add", 5, "{\"item\": \"tea\"}", tag_cookie);
  g_assert_cmpuint (stale->r.status, ==, 409);
  g_clear_pointer (&stale, resp_free);
  stale = api_post (f, "add", 5, "{\"item\": \"bread\"}", tag_cookie); /* a retry: allowed */
  g_assert_cmpuint (stale->r.status, ==, 200);
  g_assert_cmpstr (json_str (stale, "$.value"), ==, json_str (added, "$.value"));

  removed = api_post (f, "remove", 6, "{\"item\": \"tea\", \"quantity\": 1}", NULL);
  g_assert_cmpstr (json_str (removed, "$.cart.lines[1].item"), ==, "tea");
  g_assert_cmpstr (json_str (removed, "$.cart.lines[1].quantity"), ==, "1");
  g_assert_cmpstr (json_str (removed, "$.cart.total"), ==, "560");
  order = api_post (f, "checkout", 7, NULL, NULL);
  g_assert_cmpuint (order->r.status, ==, 200);
  g_assert_cmpstr (json_str (order, "$.order.total"), ==, "560");
  g_assert_cmpstr (json_str (order, "$.order.lines[0].item"), ==, "bread");
  order_path = g_strdup_printf ("/cart/api/order/%s", json_str (order, "$.order.number"));
  read_order = handle (f, "GET", order_path, NULL, NULL);
  g_assert_cmpuint (read_order->r.status, ==, 200);
  g_assert_cmpstr (json_str (read_order, "$.order.total"), ==, "560");
  empty = api_post (f, "checkout", 8, "{}", NULL);
  g_assert_cmpuint (empty->r.status, ==, 409);
  g_assert_cmpstr (json_str (empty, "$.status"), ==, "empty-cart");
  after = handle (f, "GET", "/cart/api/cart", NULL,
                  (const gchar *[]){ "synod-client: " CLIENT, NULL });
  g_assert_null (json_str (after, "$.cart.lines[0].item"));

  service = handle (f, "GET", "/cart/api/service", NULL, NULL);
  g_assert_cmpuint (service->r.status, ==, 200);
  g_assert_cmpstr (json_str (service, "$.name"), ==, "shop");
  g_assert_cmpstr (json_str (service, "$.sites[0]"), ==, "http://127.0.0.1:1");
  g_assert_cmpstr (json_str (service, "$.replica"), ==, "2");
  /* A first visit gets a client id, in the answer and in a cookie. */
  g_assert_nonnull (resp_field (service, "set-cookie", 0));
  g_assert_true (g_str_has_prefix (resp_field (service, "set-cookie", 0), "synod-client="));
  g_assert_cmpuint (strlen (json_str (service, "$.client")), ==, 16);

  preflight = handle (f, "OPTIONS", "/cart/api/add", NULL, NULL);
  g_assert_cmpuint (preflight->r.status, ==, 204);
  g_assert_nonnull (
      strstr (resp_field (preflight, "access-control-allow-headers", 0), "Synod-Request"));
}

/* As api_post, under @client and with extra fields. */
static Resp *
client_post (Fixture *f, const gchar *client, const gchar *call, guint64 number, const gchar *body,
             const gchar *extra)
{
  g_autofree gchar *target = g_strdup_printf ("/cart/api/%s", call);
  g_autofree gchar *n = g_strdup_printf ("synod-request: %" G_GUINT64_FORMAT, number);
  g_autofree gchar *c = g_strdup_printf ("synod-client: %s", client);
  const gchar *fields[] = { "content-type: application/json", c, n, extra, NULL };

  return handle (f, "POST", target, body, fields);
}

static void
test_web_users (Fixture *f, gconstpointer data)
{
  const gchar *other_client = "0000000000123456";
  const gchar *alice_fields[] = { "synod-client: 0000000000123456", NULL };
  g_autoptr (Resp) add = NULL, elsewhere = NULL, bob = NULL, anon = NULL, forged = NULL;
  g_autoptr (Resp) order = NULL, own = NULL, foreign = NULL, foreign_page = NULL;
  g_autoptr (Resp) anon_order = NULL, anon_read = NULL, own_page = NULL;
  g_autoptr (Resp) service = NULL, anon_service = NULL, shop_page = NULL;
  g_autofree gchar *order_path = NULL, *page_path = NULL, *anon_path = NULL;
  g_autofree gchar *page = NULL;

  g_test_summary ("A logged-in web user (principal web:NAME, given by the daemon) owns the cart "
                  "of that name whichever client id it shops with; other users, anonymous "
                  "visitors and a client that writes a principal field itself have their own "
                  "carts; a web user's order is shown to that user only, a client id's order to "
                  "anyone with its number.");
  synod_broker_set_local_principal (f->broker, "web:alice");
  add = api_post (f, "add", 1, "{\"item\": \"tea\", \"quantity\": 2}", NULL);
  g_assert_cmpuint (add->r.status, ==, 200);
  g_assert_cmpstr (json_str (add, "$.cart.user"), ==, "web:alice");
  check_value_and_proof (add, CLIENT_ID, 1);
  /* Another browser of alice's (another client id): the same cart. */
  elsewhere = handle (f, "GET", "/cart/api/cart", NULL, alice_fields);
  g_assert_cmpuint (elsewhere->r.status, ==, 200);
  g_assert_cmpstr (json_str (elsewhere, "$.cart.user"), ==, "web:alice");
  g_assert_cmpstr (json_str (elsewhere, "$.cart.lines[0].quantity"), ==, "2");

  service = handle (f, "GET", "/cart/api/service", NULL, alice_fields);
  g_assert_cmpstr (json_str (service, "$.user"), ==, "alice");
  shop_page = handle (f, "GET", "/cart/", NULL, alice_fields);
  g_assert_cmpuint (shop_page->r.status, ==, 200);
  page = resp_body (shop_page);
  g_assert_nonnull (strstr (page, "Signed in as alice"));
  g_clear_pointer (&page, g_free);

  synod_broker_set_local_principal (f->broker, "web:bob");
  bob = handle (f, "GET", "/cart/api/cart", NULL, alice_fields);
  g_assert_cmpstr (json_str (bob, "$.cart.user"), ==, "web:bob");
  g_assert_null (json_str (bob, "$.cart.lines[0].item"));

  synod_broker_set_local_principal (f->broker, "web:anonymous");
  anon_service = handle (f, "GET", "/cart/api/service", NULL, alice_fields);
  g_assert_cmpuint (anon_service->r.status, ==, 200);
  g_assert_null (json_str (anon_service, "$.user"));
  anon = client_post (f, other_client, "add", 1, "{\"item\": \"bread\"}", NULL);
  g_assert_cmpstr (json_str (anon, "$.cart.user"), ==, other_client);
  g_assert_null (json_str (anon, "$.cart.lines[1].item"));
  /* A principal written by the client is not the server's word. */
  forged = client_post (f, other_client, "add", 2, "{\"item\": \"bread\"}",
                        "synod-principal: web:alice");
  g_assert_cmpstr (json_str (forged, "$.cart.user"), ==, other_client);
  g_assert_cmpstr (json_str (forged, "$.cart.lines[0].quantity"), ==, "2");
  anon_order = client_post (f, other_client, "checkout", 3, NULL, NULL);
  g_assert_cmpuint (anon_order->r.status, ==, 200);
  anon_path = g_strdup_printf ("/cart/api/order/%s", json_str (anon_order, "$.order.number"));

  synod_broker_set_local_principal (f->broker, "web:alice");
  order = api_post (f, "checkout", 2, NULL, NULL);
  g_assert_cmpuint (order->r.status, ==, 200);
  g_assert_cmpstr (json_str (order, "$.order.user"), ==, "web:alice");
  order_path = g_strdup_printf ("/cart/api/order/%s", json_str (order, "$.order.number"));
  page_path = g_strdup_printf ("/cart/order/%s", json_str (order, "$.order.number"));
  own = handle (f, "GET", order_path, NULL, NULL);
  g_assert_cmpuint (own->r.status, ==, 200);
  g_assert_cmpstr (json_str (own, "$.order.total"), ==, "720");
  own_page = handle (f, "GET", page_path, NULL, NULL);
  g_assert_cmpuint (own_page->r.status, ==, 200);
  /* An order of a client id: anyone with the number, alice too. */
  anon_read = handle (f, "GET", anon_path, NULL, NULL);
  g_assert_cmpuint (anon_read->r.status, ==, 200);

  synod_broker_set_local_principal (f->broker, "web:bob");
  foreign = handle (f, "GET", order_path, NULL, NULL);
  g_assert_cmpuint (foreign->r.status, ==, 404);
  g_assert_cmpstr (json_str (foreign, "$.error"), ==, "not-found");
  g_assert_null (json_str (foreign, "$.order.total"));
  foreign_page = handle (f, "GET", page_path, NULL, NULL);
  g_assert_cmpuint (foreign_page->r.status, ==, 404);
  page = resp_body (foreign_page);
  g_assert_null (strstr (page, "tea"));
}

static gchar *
token_of (const gchar *page)
{
  const gchar *p = strstr (page, "name=\"n\" value=\"");

  g_assert_nonnull (p);
  p += strlen ("name=\"n\" value=\"");
  return g_strndup (p, strspn (p, "0123456789"));
}

static Resp *
form_post (Fixture *f, const gchar *what, const gchar *body, const gchar *last)
{
  g_autofree gchar *target = g_strdup_printf ("/cart/form/%s", what);
  g_autofree gchar *cookie
      = g_strdup_printf ("cookie: synod-client=" CLIENT "%s%s", last ? "; " : "", last ? last : "");
  const gchar *fields[] = { "content-type: application/x-www-form-urlencoded", cookie, NULL };

  return handle (f, "POST", target, body, fields);
}

static gchar *
cookie_pair (Resp *r, const gchar *name)
{
  for (guint i = 0; resp_field (r, "set-cookie", i); i++)
    if (g_str_has_prefix (resp_field (r, "set-cookie", i), name))
      {
        const gchar *c = resp_field (r, "set-cookie", i);

        return g_strndup (c, strcspn (c, ";"));
      }
  return NULL;
}

static void
test_forms (Fixture *f, gconstpointer data)
{
  g_autoptr (Resp) first = NULL, page = NULL, add = NULL, again = NULL, other = NULL;
  g_autoptr (Resp) older = NULL, cart = NULL, checkout = NULL, order = NULL, slash = NULL;
  g_autoptr (Resp) page2 = NULL;
  g_autofree gchar *body = NULL, *token = NULL, *form = NULL, *last = NULL, *client = NULL;
  g_autofree gchar *older_form = NULL, *form2 = NULL, *token2 = NULL, *last2 = NULL;
  g_autofree gchar *body2 = NULL, *order_body = NULL, *other_form = NULL;
  const gchar *page_fields[] = { "cookie: synod-client=" CLIENT, NULL };

  g_test_summary ("The site without JavaScript: the first visit sets the client cookie; the "
                  "page's forms carry a number; a POST answers 303 to the page and records "
                  "the number and its operation in a cookie; sending the same form again "
                  "executes once; a stale form (an older number, or the same number for "
                  "another operation) is refused and nothing is done; every value is escaped.");
  first = handle (f, "GET", "/cart/", NULL, NULL);
  g_assert_cmpuint (first->r.status, ==, 200);
  client = cookie_pair (first, "synod-client=");
  g_assert_nonnull (client);
  g_assert_cmpuint (strlen (client), ==, strlen ("synod-client=") + 16);
  g_assert_cmpstr (resp_field (first, "content-type", 0), ==, "text/html; charset=utf-8");

  page = handle (f, "GET", "/cart/", NULL, page_fields);
  body = resp_body (page);
  g_assert_null (resp_field (page, "set-cookie", 0));
  g_assert_nonnull (strstr (body, "&lt;b&gt;Bread&lt;/b&gt; &amp; &quot;butter&quot;"));
  g_assert_null (strstr (body, "<b>Bread"));
  g_assert_nonnull (strstr (body, "Your cart is empty"));
  g_assert_nonnull (strstr (body, "http://127.0.0.1:2/cart/"));
  token = token_of (body);

  form = g_strdup_printf ("n=%s&item=tea&quantity=3", token);
  add = form_post (f, "add", form, NULL);
  g_assert_cmpuint (add->r.status, ==, 303);
  g_assert_cmpstr (resp_field (add, "location", 0), ==, "/cart/?msg=added&item=tea");
  last = cookie_pair (add, "synod-last=");
  g_assert_nonnull (last);
  g_assert_true (g_str_has_prefix (last + strlen ("synod-last="), token));

  /* The browser sends the form again (a reload, a retry at another site). */
  again = form_post (f, "add", form, last);
  g_assert_cmpuint (again->r.status, ==, 303);
  g_assert_cmpstr (resp_field (again, "location", 0), ==, "/cart/?msg=added&item=tea");
  /* Another form of the same (old) page: refused, not taken for a retry. */
  other_form = g_strdup_printf ("n=%s&item=bread", token);
  other = form_post (f, "add", other_form, last);
  g_assert_cmpuint (other->r.status, ==, 303);
  g_assert_cmpstr (resp_field (other, "location", 0), ==, "/cart/?msg=stale");
  older_form = g_strdup_printf ("n=%" G_GUINT64_FORMAT "&item=tea",
                                g_ascii_strtoull (token, NULL, 10) - 1);
  older = form_post (f, "remove", older_form, last);
  g_assert_cmpstr (resp_field (older, "location", 0), ==, "/cart/?msg=stale");

  cart = handle (f, "GET", "/cart/api/cart", NULL,
                 (const gchar *[]){ "synod-client: " CLIENT, NULL });
  g_assert_cmpstr (json_str (cart, "$.cart.lines[0].item"), ==, "tea");
  g_assert_cmpstr (json_str (cart, "$.cart.lines[0].quantity"), ==, "3");
  g_assert_null (json_str (cart, "$.cart.lines[1].item"));

  {
    g_autofree gchar *c = g_strdup_printf ("cookie: synod-client=" CLIENT "; %s", last);
    const gchar *fields[] = { c, NULL };

    page2 = handle (f, "GET", "/cart/?msg=added&item=tea", NULL, fields);
  }
  body2 = resp_body (page2);
  g_assert_nonnull (strstr (body2, "Added to your cart: <strong>tea</strong>"));
  token2 = token_of (body2);
  g_assert_cmpuint (g_ascii_strtoull (token2, NULL, 10), >, g_ascii_strtoull (token, NULL, 10));
  form2 = g_strdup_printf ("n=%s", token2);
  checkout = form_post (f, "checkout", form2, last);
  g_assert_cmpuint (checkout->r.status, ==, 303);
  g_assert_true (g_str_has_prefix (resp_field (checkout, "location", 0), "/cart/order/"));
  last2 = cookie_pair (checkout, "synod-last=");
  g_assert_nonnull (last2);
  order = handle (f, "GET", resp_field (checkout, "location", 0), NULL, NULL);
  g_assert_cmpuint (order->r.status, ==, 200);
  order_body = resp_body (order);
  g_assert_nonnull (strstr (order_body, "10.80"));
  g_assert_nonnull (
      strstr (order_body, resp_field (checkout, "location", 0) + strlen ("/cart/order/")));

  slash = handle (f, "GET", "/cart", NULL, NULL);
  g_assert_cmpuint (slash->r.status, ==, 308);
  g_assert_cmpstr (resp_field (slash, "location", 0), ==, "/cart/");
}

static void
test_hostile_handler (Fixture *f, gconstpointer data)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  static const gchar *const methods[] = { "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE" };
  static const gchar *const paths[] = {
    "/cart/",
    "/cart/api/add",
    "/cart/api/remove",
    "/cart/api/checkout",
    "/cart/api/cart",
    "/cart/api/items",
    "/cart/api/order/x",
    "/cart/form/add",
    "/cart/form/checkout",
    "/cart/api/service",
    "/cart/../etc",
  };
  static const gchar *const bodies[] = {
    "",
    "{}",
    "{\"item\": \"tea\"}",
    "{\"item\": \"tea\", \"quantity\": 99999999}",
    "n=1&item=tea",
    "{\"item\": [[[[[]]]]]}",
    "\xff\xfe",
    "null",
    "{\"item\": \"bread\", \"quantity\": 1}",
  };
  static const gchar *const headers[] = {
    "content-type: application/json",
    "content-type: application/x-www-form-urlencoded",
    "synod-client: " CLIENT,
    "synod-client: zz",
    "synod-request: 18",
    "synod-request: -5",
    "cookie: synod-client=" CLIENT "; synod-last=17.0123456789abcdef",
    "cookie: synod-last=xx.yy; synod-client=",
    "idempotency-key: 999",
  };

  g_test_summary ("Each hostile request of the table through the handler gets its 4xx as "
                  "JSON (API) or HTML (pages); then a few hundred random combinations of "
                  "methods, paths, bodies and fields each get a status from 200 to 599.");
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      const HostileCase *h = &hostile_cases[i];
      g_autofree gchar *big = NULL;
      g_autoptr (Resp) r = NULL;

      if (h->body != NULL && h->body_len >= 0)
        continue; /* a body with a NUL byte: parse-level only */
      if (h->body == NULL && h->body_len > 0)
        big = g_strnfill ((gsize)h->body_len, 'x');
      r = handle (f, h->method, h->target, big ? big : h->body, h->fields);
      g_test_message ("%s: %u", h->name, r->r.status);
      g_assert_cmpuint (r->r.status, ==, h->status);
      if (g_str_has_prefix (h->target, "/cart/api/"))
        g_assert_nonnull (json_str (r, "$.error"));
      else
        g_assert_cmpstr (resp_field (r, "content-type", 0), ==, "text/html; charset=utf-8");
    }
  for (guint i = 0; i < 300; i++)
    {
      const gchar *fields[5] = { NULL };
      g_autoptr (Resp) r = NULL;

      for (guint k = 0; k < 4; k++)
        if (g_rand_boolean (rand))
          fields[k] = headers[g_rand_int_range (rand, 0, G_N_ELEMENTS (headers))];
      r = handle (f, methods[g_rand_int_range (rand, 0, G_N_ELEMENTS (methods))],
                  paths[g_rand_int_range (rand, 0, G_N_ELEMENTS (paths))],
                  bodies[g_rand_int_range (rand, 0, G_N_ELEMENTS (bodies))], fields);
    }
  g_rand_free (rand);
}

static void
test_bad_parameters (void)
{
  static const struct
  {
    const gchar *params;
    const gchar *catalog;
    const gchar *says;
  } cases[] = {
    { "{'coordinator': <'x'>}", NULL, "“service” is required" },
    { "{'service': <'shop'>, 'colour': <'red'>}", NULL, "no parameter “colour”" },
    { "{'service': <'shop'>, 'sites': <['ftp://x']>}", NULL, "sites" },
    { "{'service': <'shop'>, 'sites': <['http://a\"b']>}", NULL, "sites" },
    { "{'service': <'shop'>, 'fault': <'silent'>}", NULL, "lying" },
    { "{'service': <'shop'>, 'replica': <uint32 64>}", NULL, "replica" },
    { "{'service': <'shop'>, 'catalog': <'CATALOG'>}", "tea 1.2.3 x\n", "line 1" },
    { "{'service': <'shop'>, 'catalog': <'CATALOG'>}", "# ok\ntea 1.20 x\nte@ 1 y\n", "line 3" },
    { "{'service': <'shop'>, 'catalog': <'CATALOG'>}", "tea\n", "line 1" },
    { "{'service': <'shop'>, 'catalog': <'CATALOG'>}", "tea -1 x\n", "line 1" },
    { "{'service': <'shop'>, 'catalog': <'CATALOG'>}", "tea 99999999999 x\n", "line 1" },
    { "{'service': <'shop'>, 'catalog': <'/nonexistent/catalog'>}", NULL, "nonexistent" },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) broker = synod_broker_new (NULL, &error);
  g_autofree gchar *dir = g_dir_make_tmp ("synod-http-cart-XXXXXX", &error);
  g_autofree gchar *catalog = g_build_filename (dir, "catalog.txt", NULL);

  g_test_summary ("Creation parameters are checked: a missing service, an unknown key, a "
                  "site that is not http(s)://HOST:PORT, an unknown fault, and a catalog file "
                  "with a bad line (named by number) or missing each fail the creation with "
                  "an error that says which.");
  g_assert_true (synod_bft_http_register_classes (broker, &error));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *text = NULL;
      g_autoptr (GVariant) params = NULL;
      g_autoptr (SynodObject) o = NULL;
      g_autoptr (GError) local = NULL;
      GString *s = g_string_new (cases[i].params);

      g_string_replace (s, "CATALOG", catalog, 0);
      text = g_string_free (s, FALSE);
      if (cases[i].catalog)
        g_assert_true (g_file_set_contents (catalog, cases[i].catalog, -1, NULL));
      params = g_variant_parse (NULL, text, NULL, NULL, &local);
      g_assert_no_error (local);
      o = synod_broker_create_object (broker, SYNOD_BFT_HTTP_CART_CLASS, 1, params, &local);
      g_test_message ("%s: %s", text, local ? local->message : "(created)");
      g_assert_null (o);
      g_assert_nonnull (local);
      g_assert_nonnull (strstr (local->message, cases[i].says));
    }
  g_remove (catalog);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/http-cart/parse/mapping", test_mapping);
  g_test_add_func ("/bft/http-cart/parse/hostile", test_hostile_parse);
  g_test_add_func ("/bft/http-cart/parse/values", test_values);
  g_test_add ("/bft/http-cart/handler/api", Fixture, NULL, fixture_set_up, test_api,
              fixture_tear_down);
  g_test_add ("/bft/http-cart/handler/forms", Fixture, NULL, fixture_set_up, test_forms,
              fixture_tear_down);
  g_test_add ("/bft/http-cart/handler/hostile", Fixture, NULL, fixture_set_up, test_hostile_handler,
              fixture_tear_down);
  g_test_add ("/bft/http-cart/handler/web-users", Fixture, NULL, fixture_set_up, test_web_users,
              fixture_tear_down);
  g_test_add_func ("/bft/http-cart/create/bad-parameters", test_bad_parameters);
  return g_test_run ();
}
