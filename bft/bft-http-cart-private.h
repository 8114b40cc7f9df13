/* bft-http-cart-private.h — the shopping cart's HTTP adapter (private):
 * how an HTTP request becomes a ShoppingCart operation with a client id
 * and a request number, and how a result becomes JSON or HTML. The class
 * (bft-http-cart.c) and its unit tests use it. docs/bft-site.md describes
 * the API. */
#pragma once

#include <json-glib/json-glib.h>
#include <synod.h>

#include "bft.h"
#include "http.h"
#include "shoppingcart.h"
#include "synod-bft-http.h"

G_BEGIN_DECLS

/* The largest body the API and the forms read: an add is ~60 bytes. */
#define BFT_HTTP_MAX_BODY 4096
/* Request numbers stay below 2^53 so that a script holds them exactly. */
#define BFT_HTTP_MAX_NUMBER ((G_GUINT64_CONSTANT (1) << 53) - 1)
/* Client ids from here up are the site's own (catalog seeding); a
 * browser may not use them. */
#define BFT_HTTP_RESERVED_CLIENTS G_GUINT64_CONSTANT (0xffff000000000000)
/* A tag of the last operation in the synod-last cookie: hex digits of
 * SHA-256 of the operation. */
#define BFT_HTTP_TAG_LEN 16

typedef enum
{
  BFT_HTTP_ROUTE_SERVICE,       /* GET api/service: name, id, f, n, keys, sites */
  BFT_HTTP_ROUTE_ITEMS,         /* GET api/items: the catalog (read-only) */
  BFT_HTTP_ROUTE_CART,          /* GET api/cart: the client's cart (read-only) */
  BFT_HTTP_ROUTE_ORDER,         /* GET api/order/NUMBER (read-only) */
  BFT_HTTP_ROUTE_ADD,           /* POST api/add {"item", "quantity"} */
  BFT_HTTP_ROUTE_REMOVE,        /* POST api/remove {"item", "quantity"?} */
  BFT_HTTP_ROUTE_CHECKOUT,      /* POST api/checkout */
  BFT_HTTP_ROUTE_PREFLIGHT,     /* OPTIONS api/...: CORS */
  BFT_HTTP_ROUTE_PAGE,          /* GET (the prefix itself): the cart page, HTML */
  BFT_HTTP_ROUTE_PAGE_ORDER,    /* GET order/NUMBER: an order, HTML */
  BFT_HTTP_ROUTE_FORM_ADD,      /* POST form/add: item, quantity, n */
  BFT_HTTP_ROUTE_FORM_REMOVE,   /* POST form/remove: item, n */
  BFT_HTTP_ROUTE_FORM_CHECKOUT, /* POST form/checkout: n */
  BFT_HTTP_ROUTE_SLASH,         /* the prefix without its slash: redirect */
} BftHttpRoute;

/**
 * BftHttpCall:
 * @route: what was asked
 * @html: answer in HTML (pages and forms) rather than JSON
 * @client: the client id (Synod-Client header, else the synod-client
 *   cookie); 0 when the request has none
 * @number: the request number (Synod-Request or Idempotency-Key header, or
 *   the form's n); 0 when none was given
 * @item, @quantity: of add and remove (quantity 0 removes the whole line)
 * @order: of the order routes
 * @last_number, @last_tag: the synod-last cookie (0, NULL when absent)
 * @notice: what the page should say (from its query), or NULL
 * @allow: for a 405, the methods the route allows
 * @user: the cart's owner when a web user is logged in ("web:NAME", from
 *   the call's principal, never from the request); NULL: the client's cart
 */
typedef struct
{
  BftHttpRoute route;
  gboolean html;
  guint64 client;
  guint64 number;
  gchar *item;
  guint32 quantity;
  gchar *order;
  guint64 last_number;
  gchar *last_tag;
  gchar *notice;
  const gchar *allow;
  gchar *user;
} BftHttpCall;

void bft_http_call_clear (BftHttpCall *call);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BftHttpCall, bft_http_call_clear)

/* Returns 0 when @request is understood, else the HTTP status that
 * refuses it (400, 404, 405, 411, 413, 415, 428) with @error saying why.
 * @call is filled as far as parsing went (its route even on a 405). */
guint bft_http_cart_parse (const StandardHTTPRequest *request, BftHttpCall *call, GError **error);

/* The route's operation for @call->user, else @call->client (one of them
 * must be set when the operation names the user); NULL for routes
 * without one. */
GBytes *bft_http_call_build_op (const BftHttpCall *call);
gboolean bft_http_route_is_read_only (BftHttpRoute route);
gchar *bft_http_op_tag (GBytes *op);

/* Web principals as an HTTPdaemon with users gives them to the objects it
 * invokes (docs/httpd.md "Web users"): part of the wire contract, like
 * the request fields, so the adapter does not link the HTTP server. */
#define BFT_HTTP_WEB_PRINCIPAL_PREFIX "web:"
#define BFT_HTTP_WEB_ANONYMOUS "web:anonymous"

/* Names and values on the wire. */
gchar *bft_http_client_to_string (guint64 client);
gboolean bft_http_client_parse (const gchar *text, guint64 *ret_client);
gboolean bft_http_number_parse (const gchar *text, guint64 *ret_number);
gchar *bft_http_user_of (guint64 client);
gchar *bft_http_user_of_principal (const gchar *principal);
gboolean bft_http_item_is_valid (const gchar *item);

const gchar *bft_http_request_field (const StandardHTTPRequest *request, const gchar *name);
gchar *bft_http_cookie (const StandardHTTPRequest *request, const gchar *name);

/* What a result says, as the JSON API gives it. */
const gchar *bft_http_status_name (SynodShoppingCartStatus status);
guint bft_http_status_code (SynodShoppingCartStatus status);

/* ---- rendering (bft-http-cart-render.c) ---- */

/**
 * BftHttpPage:
 * @title: the shop's name
 * @service: the BFT service's name
 * @replica: the replica whose site this is, -1 when not known
 * @base: the prefix without its trailing slash ("/cart")
 * @sites: (nullable): every replica's site, "http://HOST:PORT", in order
 * @token: the request number the page's forms carry
 * @catalog, @cart: (nullable): results of the catalog and cart reads
 * @cart_proof: (nullable): the cart's proof (whose signers the page shows)
 * @notice, @item: what the page says first (from its query)
 * @error: (nullable): why a read failed
 */
typedef struct
{
  const gchar *title;
  const gchar *service;
  gint replica;
  const gchar *base;
  const gchar *const *sites;
  guint64 token;
  const SynodShoppingCartResult *catalog;
  const SynodShoppingCartResult *cart;
  const SynodBftProof *cart_proof;
  const gchar *notice;
  const gchar *item;
  const gchar *error;
} BftHttpPage;

void bft_http_result_to_json (JsonBuilder *builder, const SynodShoppingCartResult *result);
gchar *bft_http_json_to_string (JsonBuilder *builder);
gchar *bft_http_json_error (const gchar *code, const gchar *message);
gchar *bft_http_money (guint64 cents);
gchar *bft_http_render_page (const BftHttpPage *page);
gchar *bft_http_render_order_page (const BftHttpPage *page, const SynodShoppingCartResult *result,
                                   const SynodBftProof *proof);
gchar *bft_http_render_message_page (const BftHttpPage *page, const gchar *title,
                                     const gchar *message);

G_END_DECLS
