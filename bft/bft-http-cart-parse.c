/* bft-http-cart-parse.c — from an HTTP request to a shopping cart call.
 *
 * Everything a client sends is checked here, before anything is issued:
 * an operation that reaches the replicas takes a sequence number on every
 * one of them, so garbage never gets that far. Refusals are 4xx with a
 * message that says what to send instead. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bft-http-cart-private.h"
#include "synod-bft-error.h"
#include "synod-shopping-cart.h"

void
bft_http_call_clear (BftHttpCall *call)
{
  g_clear_pointer (&call->item, g_free);
  g_clear_pointer (&call->order, g_free);
  g_clear_pointer (&call->last_tag, g_free);
  g_clear_pointer (&call->notice, g_free);
  g_clear_pointer (&call->user, g_free);
}

/* ---- values ---- */

gchar *
bft_http_client_to_string (guint64 client)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", client);
}

/* Exactly 16 hex digits, not 0, not a reserved id. */
gboolean
bft_http_client_parse (const gchar *text, guint64 *ret_client)
{
  guint64 v = 0;

  if (text == NULL || strlen (text) != 16)
    return FALSE;
  for (guint i = 0; i < 16; i++)
    {
      gint d = g_ascii_xdigit_value (text[i]);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint)d;
    }
  if (v == 0 || v >= BFT_HTTP_RESERVED_CLIENTS)
    return FALSE;
  *ret_client = v;
  return TRUE;
}

/* Decimal digits only (no sign, space or leading zero), 1 .. 2^53-1. */
gboolean
bft_http_number_parse (const gchar *text, guint64 *ret_number)
{
  guint64 v = 0;
  gsize len = text ? strlen (text) : 0;

  if (len == 0 || len > 16 || text[0] == '0')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      v = v * 10 + (guint64)(text[i] - '0');
    }
  if (v > BFT_HTTP_MAX_NUMBER)
    return FALSE;
  *ret_number = v;
  return TRUE;
}

/* The cart's owner in the state variable: the client id's text form. */
gchar *
bft_http_user_of (guint64 client)
{
  return bft_http_client_to_string (client);
}

/* The cart owner a call's principal makes: a logged-in web user
 * ("web:NAME") owns a cart of that name wherever and with whatever client
 * id it shops; anyone else (web:anonymous, a peer, the local user) has the
 * cart of its client id: NULL. */
gchar *
bft_http_user_of_principal (const gchar *principal)
{
  if (principal == NULL || !g_str_has_prefix (principal, BFT_HTTP_WEB_PRINCIPAL_PREFIX)
      || strcmp (principal, BFT_HTTP_WEB_ANONYMOUS) == 0
      || strlen (principal) > SYNOD_SHOPPING_CART_MAX_USER)
    return NULL;
  return g_strdup (principal);
}

/* Item ids are tokens: what a URL, a form and a cookie carry unescaped. */
gboolean
bft_http_item_is_valid (const gchar *item)
{
  gsize len = item ? strlen (item) : 0;

  if (len == 0 || len > SYNOD_SHOPPING_CART_MAX_ITEM)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (item[i]) && item[i] != '-' && item[i] != '_' && item[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
order_is_valid (const gchar *order)
{
  gsize len = order ? strlen (order) : 0;

  if (len == 0 || len > SYNOD_SHOPPING_CART_MAX_ORDER_NUMBER)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (order[i]) && order[i] != '-')
      return FALSE;
  return TRUE;
}

gchar *
bft_http_op_tag (GBytes *op)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len;
  const guint8 *data = g_bytes_get_data (op, &len);

  g_checksum_update (sum, data, (gssize)len);
  return g_strndup (g_checksum_get_string (sum), BFT_HTTP_TAG_LEN);
}

gboolean
bft_http_route_is_read_only (BftHttpRoute route)
{
  switch (route)
    {
      case BFT_HTTP_ROUTE_ITEMS:
      case BFT_HTTP_ROUTE_CART:
      case BFT_HTTP_ROUTE_ORDER:
      case BFT_HTTP_ROUTE_PAGE:
      case BFT_HTTP_ROUTE_PAGE_ORDER:
        return TRUE;
      default:
        return FALSE;
    }
}

GBytes *
bft_http_call_build_op (const BftHttpCall *call)
{
  g_autofree gchar *user = call->user     ? g_strdup (call->user)
                           : call->client ? bft_http_user_of (call->client)
                                          : NULL;

  switch (call->route)
    {
      case BFT_HTTP_ROUTE_ITEMS:
        return synod_shopping_cart_op_catalog ();
      case BFT_HTTP_ROUTE_CART:
      case BFT_HTTP_ROUTE_PAGE:
        return user ? synod_shopping_cart_op_list (user) : NULL;
      case BFT_HTTP_ROUTE_ORDER:
      case BFT_HTTP_ROUTE_PAGE_ORDER:
        return synod_shopping_cart_op_order (call->order);
      case BFT_HTTP_ROUTE_ADD:
      case BFT_HTTP_ROUTE_FORM_ADD:
        return user ? synod_shopping_cart_op_add (user, call->item, call->quantity) : NULL;
      case BFT_HTTP_ROUTE_REMOVE:
      case BFT_HTTP_ROUTE_FORM_REMOVE:
        return user ? synod_shopping_cart_op_remove (user, call->item, call->quantity) : NULL;
      case BFT_HTTP_ROUTE_CHECKOUT:
      case BFT_HTTP_ROUTE_FORM_CHECKOUT:
        return user ? synod_shopping_cart_op_checkout (user) : NULL;
      default:
        return NULL;
    }
}

/* ---- the request's fields ---- */

const gchar *
bft_http_request_field (const StandardHTTPRequest *request, const gchar *name)
{
  for (guint i = 0; i < request->fields.len; i++)
    if (g_ascii_strcasecmp (request->fields.val[i].name, name) == 0)
      return request->fields.val[i].value;
  return NULL;
}

/* The value of cookie @name in the Cookie fields (RFC 6265 §5.4: pairs
 * separated by ";"), or NULL. */
gchar *
bft_http_cookie (const StandardHTTPRequest *request, const gchar *name)
{
  gsize name_len = strlen (name);

  for (guint i = 0; i < request->fields.len; i++)
    {
      const gchar *p;

      if (g_ascii_strcasecmp (request->fields.val[i].name, "cookie") != 0)
        continue;
      p = request->fields.val[i].value;
      while (p && *p)
        {
          const gchar *end = strchr (p, ';');
          gsize len = end ? (gsize)(end - p) : strlen (p);

          while (len > 0 && (*p == ' ' || *p == '\t'))
            p++, len--;
          if (len > name_len && strncmp (p, name, name_len) == 0 && p[name_len] == '=')
            {
              gchar *value = g_strndup (p + name_len + 1, len - name_len - 1);

              return g_strstrip (value);
            }
          p = end ? end + 1 : NULL;
        }
    }
  return NULL;
}

/* Content-Type without parameters, lowercased; NULL when absent. */
static gchar *
media_type (const StandardHTTPRequest *request)
{
  const gchar *ct = bft_http_request_field (request, "content-type");
  const gchar *semi;
  g_autofree gchar *t = NULL;

  if (ct == NULL)
    return NULL;
  semi = strchr (ct, ';');
  t = semi ? g_strndup (ct, (gsize)(semi - ct)) : g_strdup (ct);
  return g_ascii_strdown (g_strstrip (t), -1);
}

/* ---- errors ---- */

static guint refuse (GError **error, guint status, const gchar *format, ...) G_GNUC_PRINTF (3, 4);

static guint
refuse (GError **error, guint status, const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *message = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED, message);
  return status;
}

/* ---- bodies ---- */

static guint
check_quantity (gint64 q, gboolean zero_ok, guint32 *ret, GError **error)
{
  if (q < (zero_ok ? 0 : 1) || q > SYNOD_SHOPPING_CART_MAX_QUANTITY)
    return refuse (error, 400, _ ("The quantity is a whole number from %d to %d"), zero_ok ? 0 : 1,
                   SYNOD_SHOPPING_CART_MAX_QUANTITY);
  *ret = (guint32)q;
  return 0;
}

/* {"item": "ID", "quantity": N} for add and remove; {} (or nothing) for
 * checkout. Anything else is refused: a client that sends a member we
 * ignore would think it meant something. */
static guint
parse_json (const StandardHTTPRequest *request, BftHttpCall *call, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree gchar *type = media_type (request);
  g_autoptr (GList) members = NULL;
  gboolean wants_item = call->route != BFT_HTTP_ROUTE_CHECKOUT;
  gboolean have_item = FALSE, have_quantity = FALSE;
  JsonObject *object;
  JsonNode *root;

  if (request->body.len == 0 && !wants_item)
    return 0;
  if (request->body.len == 0)
    return refuse (error, 400, _ ("Send a JSON object {\"item\": \"ID\", \"quantity\": N}"));
  if (type == NULL || strcmp (type, "application/json") != 0)
    return refuse (error, 415, _ ("The body is JSON: send Content-Type: application/json"));
  if (!g_utf8_validate ((const gchar *)request->body.val, request->body.len, NULL)
      || memchr (request->body.val, 0, request->body.len) != NULL)
    return refuse (error, 400, _ ("The body is not UTF-8 text"));
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const gchar *)request->body.val,
                                   (gssize)request->body.len, &local))
    return refuse (error, 400, _ ("The body is not JSON: %s"), local->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return refuse (error, 400, _ ("The body is a JSON object"));
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l; l = l->next)
    {
      const gchar *name = l->data;
      JsonNode *v = json_object_get_member (object, name);

      if (wants_item && strcmp (name, "item") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING
              || !bft_http_item_is_valid (json_node_get_string (v)))
            return refuse (error, 400,
                           _ ("\"item\" is an item id: 1 to %d letters, digits, “-”, “_” or “.”"),
                           SYNOD_SHOPPING_CART_MAX_ITEM);
          g_free (call->item);
          call->item = g_strdup (json_node_get_string (v));
          have_item = TRUE;
        }
      else if (wants_item && strcmp (name, "quantity") == 0)
        {
          guint status;

          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64)
            return refuse (error, 400, _ ("\"quantity\" is a whole number"));
          status = check_quantity (json_node_get_int (v), call->route == BFT_HTTP_ROUTE_REMOVE,
                                   &call->quantity, error);
          if (status)
            return status;
          have_quantity = TRUE;
        }
      else
        {
          g_autofree gchar *shown = g_utf8_make_valid (name, MIN (strlen (name), 64));

          return refuse (error, 400, _ ("Unknown member “%s” in the request"), shown);
        }
    }
  if (wants_item && !have_item)
    return refuse (error, 400, _ ("The request names no \"item\""));
  if (call->route == BFT_HTTP_ROUTE_ADD && !have_quantity)
    call->quantity = 1;
  return 0;
}

static guint
parse_form (const StandardHTTPRequest *request, BftHttpCall *call, GError **error)
{
  g_autofree gchar *type = media_type (request);
  g_autoptr (GHashTable) fields = NULL;
  g_autoptr (GError) local = NULL;
  const gchar *n, *item, *quantity;

  if (type == NULL || strcmp (type, "application/x-www-form-urlencoded") != 0)
    return refuse (error, 415, _ ("Forms are sent as application/x-www-form-urlencoded"));
  if (memchr (request->body.val, 0, request->body.len) != NULL)
    return refuse (error, 400, _ ("The form is not text"));
  fields = g_uri_parse_params ((const gchar *)request->body.val, request->body.len, "&",
                               G_URI_PARAMS_WWW_FORM, &local);
  if (fields == NULL)
    return refuse (error, 400, _ ("The form does not decode: %s"), local->message);
  n = g_hash_table_lookup (fields, "n");
  if (n == NULL || !bft_http_number_parse (n, &call->number))
    return refuse (error, 400, _ ("The form has no valid request number: reload the page"));
  if (call->route == BFT_HTTP_ROUTE_FORM_CHECKOUT)
    return 0;
  item = g_hash_table_lookup (fields, "item");
  if (!bft_http_item_is_valid (item))
    return refuse (error, 400, _ ("The form names no valid item"));
  call->item = g_strdup (item);
  quantity = g_hash_table_lookup (fields, "quantity");
  call->quantity = call->route == BFT_HTTP_ROUTE_FORM_ADD ? 1 : 0;
  if (quantity != NULL)
    {
      guint64 q = 0;

      if (strcmp (quantity, "0") != 0 && !bft_http_number_parse (quantity, &q))
        return refuse (error, 400, _ ("The quantity is a whole number"));
      return check_quantity ((gint64)MIN (q, (guint64)G_MAXINT64),
                             call->route == BFT_HTTP_ROUTE_FORM_REMOVE, &call->quantity, error);
    }
  return 0;
}

/* ---- routes ---- */

typedef struct
{
  const gchar *path; /* relative to the prefix; a trailing "/" takes an argument */
  BftHttpRoute route;
  gboolean post;
  gboolean html;
} Route;

static const Route routes[] = {
  { "", BFT_HTTP_ROUTE_PAGE, FALSE, TRUE },
  { "order/", BFT_HTTP_ROUTE_PAGE_ORDER, FALSE, TRUE },
  { "form/add", BFT_HTTP_ROUTE_FORM_ADD, TRUE, TRUE },
  { "form/remove", BFT_HTTP_ROUTE_FORM_REMOVE, TRUE, TRUE },
  { "form/checkout", BFT_HTTP_ROUTE_FORM_CHECKOUT, TRUE, TRUE },
  { "api/service", BFT_HTTP_ROUTE_SERVICE, FALSE, FALSE },
  { "api/items", BFT_HTTP_ROUTE_ITEMS, FALSE, FALSE },
  { "api/cart", BFT_HTTP_ROUTE_CART, FALSE, FALSE },
  { "api/order/", BFT_HTTP_ROUTE_ORDER, FALSE, FALSE },
  { "api/add", BFT_HTTP_ROUTE_ADD, TRUE, FALSE },
  { "api/remove", BFT_HTTP_ROUTE_REMOVE, TRUE, FALSE },
  { "api/checkout", BFT_HTTP_ROUTE_CHECKOUT, TRUE, FALSE },
};

static const gchar *const notices[]
    = { "added", "removed", "missing", "stale", "empty", "unknown", NULL };

static void
parse_notice (const StandardHTTPRequest *request, BftHttpCall *call)
{
  g_autoptr (GHashTable) q = NULL;
  const gchar *msg;

  if (request->query == NULL || request->query[0] == '\0')
    return;
  q = g_uri_parse_params (request->query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  msg = q ? g_hash_table_lookup (q, "msg") : NULL;
  if (msg && g_strv_contains (notices, msg))
    call->notice = g_strdup (msg);
  if (q && bft_http_item_is_valid (g_hash_table_lookup (q, "item")))
    call->item = g_strdup (g_hash_table_lookup (q, "item"));
}

static void
parse_last (const StandardHTTPRequest *request, BftHttpCall *call)
{
  g_autofree gchar *last = bft_http_cookie (request, SYNOD_BFT_LAST_COOKIE);
  g_auto (GStrv) parts = NULL;

  /* "NUMBER.TAG"; anything else is as good as no cookie. */
  if (last == NULL)
    return;
  parts = g_strsplit (last, ".", 2);
  if (parts[0] && parts[1] && strlen (parts[1]) == BFT_HTTP_TAG_LEN
      && bft_http_number_parse (parts[0], &call->last_number))
    call->last_tag = g_strdup (parts[1]);
  else
    call->last_number = 0;
}

guint
bft_http_cart_parse (const StandardHTTPRequest *request, BftHttpCall *call, GError **error)
{
  const gchar *method = request->method;
  gboolean get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
  gboolean post = strcmp (method, "POST") == 0;
  gboolean options = strcmp (method, "OPTIONS") == 0;
  g_autofree gchar *base = g_strdup (request->prefix ? request->prefix : "");
  gsize base_len;
  const gchar *rel, *header_client, *header_number;
  const Route *route = NULL;
  const gchar *arg = NULL;
  guint status;

  /* The mount point without its slash ("/cart"); the path is below it. */
  base_len = strlen (base);
  while (base_len > 0 && base[base_len - 1] == '/')
    base[--base_len] = '\0';
  if (strcmp (request->path, base_len ? base : "/") == 0 && base_len > 0)
    {
      call->route = BFT_HTTP_ROUTE_SLASH;
      call->html = TRUE;
      return 0;
    }
  if (strncmp (request->path, base, base_len) != 0 || request->path[base_len] != '/')
    {
      call->html = TRUE;
      return refuse (error, 404, _ ("Nothing here"));
    }
  rel = request->path + base_len + 1;
  for (guint i = 0; i < G_N_ELEMENTS (routes) && route == NULL; i++)
    {
      gsize len = strlen (routes[i].path);

      if (len > 0 && routes[i].path[len - 1] == '/')
        {
          if (strncmp (rel, routes[i].path, len) == 0)
            route = &routes[i], arg = rel + len;
        }
      else if (strcmp (rel, routes[i].path) == 0)
        route = &routes[i];
    }
  if (route == NULL)
    {
      call->html = !g_str_has_prefix (rel, "api/");
      return refuse (error, 404, _ ("No such page or API call"));
    }
  call->route = route->route;
  call->html = route->html;
  call->allow = route->post ? (route->html ? "POST" : "POST, OPTIONS")
                            : (route->html ? "GET, HEAD" : "GET, HEAD, OPTIONS");
  if (options && !route->html)
    {
      call->route = BFT_HTTP_ROUTE_PREFLIGHT;
      return 0;
    }
  if ((route->post && !post) || (!route->post && !get))
    return refuse (error, 405, _ ("Method %s is not allowed here (allowed: %s)"),
                   g_utf8_validate (method, -1, NULL) ? method : "?", call->allow);
  if (arg != NULL)
    {
      if (!order_is_valid (arg))
        return refuse (error, 404, _ ("No such order"));
      call->order = g_strdup (arg);
    }

  /* Who: the header wins over the cookie (a script retrying at another
   * replica's site sends the header; cookies do not cross origins). */
  header_client = bft_http_request_field (request, "synod-client");
  if (header_client != NULL)
    {
      if (!bft_http_client_parse (header_client, &call->client))
        return refuse (error, 400, _ ("Synod-Client is a client id: 16 hex digits"));
    }
  else
    {
      g_autofree gchar *cookie = bft_http_cookie (request, SYNOD_BFT_CLIENT_COOKIE);

      if (cookie != NULL && !bft_http_client_parse (cookie, &call->client) && post)
        return refuse (error, 400,
                       _ ("The synod-client cookie is not a client id: delete it and reload"));
    }
  parse_last (request, call);

  /* Which request. */
  header_number = bft_http_request_field (request, "synod-request");
  if (header_number == NULL)
    header_number = bft_http_request_field (request, "idempotency-key");
  if (header_number != NULL && !bft_http_number_parse (header_number, &call->number))
    return refuse (error, 400,
                   _ ("Synod-Request is a request number: decimal, from 1 to 2^53-1, increasing "
                      "per client"));
  if (call->number != 0 && call->client == 0 && !post)
    return refuse (error, 400, _ ("A request number needs a client id (Synod-Client)"));

  if (route->html && !post)
    {
      parse_notice (request, call);
      return 0;
    }
  if (!post)
    return 0;
  if (request->body.len > BFT_HTTP_MAX_BODY)
    return refuse (error, 413, _ ("The body is over %d bytes"), BFT_HTTP_MAX_BODY);
  if (call->client == 0)
    return refuse (error, 400,
                   _ ("No client id: load the shop's page first (it sets the synod-client "
                      "cookie), or send Synod-Client"));
  if (route->html)
    {
      call->number = 0; /* the form's own n counts, never a header */
      return parse_form (request, call, error);
    }
  if (call->number == 0)
    return refuse (error, 428,
                   _ ("An order-changing request needs a Synod-Request number (a retry repeats "
                      "it): it is what makes the request happen once"));
  status = parse_json (request, call, error);
  return status;
}
