/* bft-http-cart-render.c — shopping cart results as JSON (the API) and as
 * HTML pages (the site for browsers without JavaScript).
 *
 * The pages are plain HTML 5 forms: POST, then a 303 to the page again, so
 * that reloading never repeats an order-changing request. Every value is
 * escaped; the pages load /style.css from the site's document root. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bft-http-cart-private.h"

const gchar *
bft_http_status_name (SynodShoppingCartStatus status)
{
  switch (status)
    {
      case SYNOD_SHOPPING_CART_CART_OK:
        return "ok";
      case SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM:
        return "unknown-item";
      case SYNOD_SHOPPING_CART_CART_NOT_IN_CART:
        return "not-in-cart";
      case SYNOD_SHOPPING_CART_CART_EMPTY:
        return "empty-cart";
      case SYNOD_SHOPPING_CART_CART_NO_SUCH_ORDER:
        return "no-such-order";
      case SYNOD_SHOPPING_CART_CART_LIMIT:
        return "limit";
      case SYNOD_SHOPPING_CART_CART_READ_ONLY:
        return "read-only";
      case SYNOD_SHOPPING_CART_CART_BAD_OP:
      default:
        return "bad-operation";
    }
}

/* The result executed (and is proven) whatever it says; the status tells
 * an HTTP client whether it did what was asked. */
guint
bft_http_status_code (SynodShoppingCartStatus status)
{
  switch (status)
    {
      case SYNOD_SHOPPING_CART_CART_OK:
        return 200;
      case SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM:
      case SYNOD_SHOPPING_CART_CART_NOT_IN_CART:
      case SYNOD_SHOPPING_CART_CART_NO_SUCH_ORDER:
        return 404;
      case SYNOD_SHOPPING_CART_CART_EMPTY:
        return 409;
      case SYNOD_SHOPPING_CART_CART_LIMIT:
        return 422;
      case SYNOD_SHOPPING_CART_CART_BAD_OP:
        return 400;
      case SYNOD_SHOPPING_CART_CART_READ_ONLY:
      default:
        return 500;
    }
}

/* ---- JSON ---- */

static void
add_lines (JsonBuilder *b, const SynodShoppingCartLines *lines)
{
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < lines->len; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "item");
      json_builder_add_string_value (b, lines->val[i].item ? lines->val[i].item : "");
      json_builder_set_member_name (b, "quantity");
      json_builder_add_int_value (b, lines->val[i].quantity);
      json_builder_set_member_name (b, "price");
      json_builder_add_int_value (b, (gint64)lines->val[i].price);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* Adds the members "status", "cart", "order" and "catalog" (the last three
 * when the result has them) to the object being built. */
void
bft_http_result_to_json (JsonBuilder *b, const SynodShoppingCartResult *r)
{
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, bft_http_status_name (r->status));
  if (r->cart)
    {
      json_builder_set_member_name (b, "cart");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "user");
      json_builder_add_string_value (b, r->cart->user ? r->cart->user : "");
      add_lines (b, &r->cart->lines);
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, (gint64)r->cart->total);
      json_builder_end_object (b);
    }
  if (r->order)
    {
      json_builder_set_member_name (b, "order");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "number");
      json_builder_add_string_value (b, r->order->number ? r->order->number : "");
      json_builder_set_member_name (b, "user");
      json_builder_add_string_value (b, r->order->user ? r->order->user : "");
      add_lines (b, &r->order->lines);
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, (gint64)r->order->total);
      json_builder_set_member_name (b, "timestamp");
      json_builder_add_int_value (b, (gint64)r->order->timestamp);
      json_builder_end_object (b);
    }
  if (r->catalog.len > 0)
    {
      json_builder_set_member_name (b, "catalog");
      json_builder_begin_array (b);
      for (guint i = 0; i < r->catalog.len; i++)
        {
          const SynodShoppingCartCatalogItem *c = &r->catalog.val[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "item");
          json_builder_add_string_value (b, c->item ? c->item : "");
          json_builder_set_member_name (b, "price");
          json_builder_add_int_value (b, (gint64)c->price);
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, c->description ? c->description : "");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
}

gchar *
bft_http_json_to_string (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) g = json_generator_new ();
  gchar *text;

  json_generator_set_root (g, root);
  text = json_generator_to_data (g, NULL);
  return text;
}

gchar *
bft_http_json_error (const gchar *code, const gchar *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  return bft_http_json_to_string (b);
}

/* ---- HTML ---- */

gchar *
bft_http_money (guint64 cents)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%02u", cents / 100, (guint)(cents % 100));
}

static void
append_escaped (GString *s, const gchar *text)
{
  g_autofree gchar *e = g_markup_escape_text (text ? text : "", -1);

  g_string_append (s, e);
}

static void G_GNUC_PRINTF (2, 3) append_html (GString *s, const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *e = NULL;

  va_start (ap, format);
  e = g_markup_vprintf_escaped (format, ap);
  va_end (ap);
  g_string_append (s, e);
}

static void
page_head (GString *s, const BftHttpPage *p, const gchar *title)
{
  g_string_append (s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  append_html (s, "<title>%s — %s</title>\n", title, p->title);
  g_string_append (s, "<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n<header>\n");
  append_html (s, "<h1><a href=\"%s/\">%s</a></h1>\n", p->base, p->title);
  if (p->replica >= 0)
    append_html (s,
                 "<p class=\"replica\">Served by replica %d of the BFT service “%s”. "
                 "<a href=\"/\">The checked shop</a> verifies every answer in your browser.</p>\n",
                 p->replica, p->service);
  else
    append_html (s, "<p class=\"replica\">Service “%s”.</p>\n", p->service);
  g_string_append (s, "</header>\n<main>\n");
}

static void
page_tail (GString *s, const BftHttpPage *p)
{
  g_string_append (s, "</main>\n<footer>\n");
  if (p->sites && p->sites[0])
    {
      g_string_append (s, "<p>The same shop at every replica:");
      for (guint i = 0; p->sites[i]; i++)
        append_html (s, " <a href=\"%s%s/\">replica %u</a>", p->sites[i], p->base, i);
      g_string_append (s, ". If this one stops answering, use another: your cart is the "
                          "same there.</p>\n");
    }
  g_string_append (s, "</footer>\n</body>\n</html>\n");
}

static void
append_signers (GString *s, const SynodBftProof *proof)
{
  if (proof == NULL || proof->signatures.len == 0)
    {
      g_string_append (s, "<p class=\"proof\">This answer carries no replica signatures "
                          "(an unreplicated service).</p>\n");
      return;
    }
  g_string_append (s, "<p class=\"proof\">Agreed by replicas ");
  for (guint i = 0; i < proof->signatures.len; i++)
    g_string_append_printf (s, "%s%u", i ? ", " : "", proof->signatures.val[i].replica);
  g_string_append (s, " (their signatures were checked by this site's coordinator).</p>\n");
}

static const gchar *
notice_text (const gchar *notice)
{
  if (g_strcmp0 (notice, "added") == 0)
    return N_ ("Added to your cart:");
  if (g_strcmp0 (notice, "removed") == 0)
    return N_ ("Removed from your cart:");
  if (g_strcmp0 (notice, "missing") == 0)
    return N_ ("That item was not in your cart:");
  if (g_strcmp0 (notice, "unknown") == 0)
    return N_ ("There is no such item for sale:");
  if (g_strcmp0 (notice, "empty") == 0)
    return N_ ("Your cart is empty: there is nothing to check out.");
  if (g_strcmp0 (notice, "stale") == 0)
    return N_ ("That form was out of date (it had been sent already, or the cart changed "
               "since): nothing was done. Here is your cart as it is now.");
  return NULL;
}

static void
append_lines_table (GString *s, const SynodShoppingCartLines *lines, guint64 total,
                    const BftHttpPage *p, gboolean forms)
{
  g_string_append (s, "<table>\n<thead><tr><th>Item</th><th>Quantity</th><th>Price</th>"
                      "<th>Subtotal</th>");
  if (forms)
    g_string_append (s, "<th></th>");
  g_string_append (s, "</tr></thead>\n<tbody>\n");
  for (guint i = 0; i < lines->len; i++)
    {
      const SynodShoppingCartLine *l = &lines->val[i];
      g_autofree gchar *price = bft_http_money (l->price);
      g_autofree gchar *sub = bft_http_money (l->price * l->quantity);

      append_html (s,
                   "<tr><td>%s</td><td class=\"num\">%u</td><td class=\"num\">%s</td>"
                   "<td class=\"num\">%s</td>",
                   l->item, l->quantity, price, sub);
      if (forms)
        append_html (s,
                     "<td><form method=\"post\" action=\"%s/form/remove\">"
                     "<input type=\"hidden\" name=\"n\" value=\"%" G_GUINT64_FORMAT "\">"
                     "<input type=\"hidden\" name=\"item\" value=\"%s\">"
                     "<button type=\"submit\">Remove</button></form></td>",
                     p->base, p->token, l->item);
      g_string_append (s, "</tr>\n");
    }
  {
    g_autofree gchar *t = bft_http_money (total);

    append_html (s,
                 "</tbody>\n<tfoot><tr><th colspan=\"3\">Total</th>"
                 "<td class=\"num total\">%s</td>",
                 t);
    g_string_append (s, forms ? "<td></td></tr></tfoot>\n</table>\n" : "</tr></tfoot>\n</table>\n");
  }
}

gchar *
bft_http_render_page (const BftHttpPage *p)
{
  GString *s = g_string_new (NULL);
  const gchar *notice = notice_text (p->notice);

  page_head (s, p, "Your cart");
  if (notice)
    {
      g_string_append (s, "<p class=\"notice\">");
      append_escaped (s, _ (notice));
      if (p->item && strcmp (p->notice, "empty") != 0 && strcmp (p->notice, "stale") != 0)
        append_html (s, " <strong>%s</strong>", p->item);
      g_string_append (s, "</p>\n");
    }
  if (p->error)
    append_html (s, "<p class=\"error\">%s</p>\n", p->error);

  g_string_append (s, "<section>\n<h2>For sale</h2>\n");
  if (p->catalog && p->catalog->catalog.len > 0)
    {
      g_string_append (s, "<table>\n<thead><tr><th>Item</th><th>Description</th>"
                          "<th>Price</th><th></th></tr></thead>\n<tbody>\n");
      for (guint i = 0; i < p->catalog->catalog.len; i++)
        {
          const SynodShoppingCartCatalogItem *c = &p->catalog->catalog.val[i];
          g_autofree gchar *price = bft_http_money (c->price);

          append_html (s,
                       "<tr><td>%s</td><td>%s</td><td class=\"num\">%s</td><td>"
                       "<form method=\"post\" action=\"%s/form/add\">"
                       "<input type=\"hidden\" name=\"n\" value=\"%" G_GUINT64_FORMAT "\">"
                       "<input type=\"hidden\" name=\"item\" value=\"%s\">"
                       "<input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\" "
                       "max=\"99\" aria-label=\"quantity\">"
                       "<button type=\"submit\">Add</button></form></td></tr>\n",
                       c->item, c->description, price, p->base, p->token, c->item);
        }
      g_string_append (s, "</tbody>\n</table>\n");
    }
  else if (p->catalog)
    g_string_append (s, "<p>Nothing is for sale yet.</p>\n");
  g_string_append (s, "</section>\n");

  g_string_append (s, "<section>\n<h2>Your cart</h2>\n");
  if (p->cart && p->cart->cart && p->cart->cart->user
      && g_str_has_prefix (p->cart->cart->user, BFT_HTTP_WEB_PRINCIPAL_PREFIX))
    append_html (s,
                 "<p class=\"user\">Signed in as %s: this cart follows you to every "
                 "replica's site and browser.</p>\n",
                 p->cart->cart->user + strlen (BFT_HTTP_WEB_PRINCIPAL_PREFIX));
  if (p->cart && p->cart->cart && p->cart->cart->lines.len > 0)
    {
      append_lines_table (s, &p->cart->cart->lines, p->cart->cart->total, p, TRUE);
      append_html (s,
                   "<form method=\"post\" action=\"%s/form/checkout\" class=\"checkout\">"
                   "<input type=\"hidden\" name=\"n\" value=\"%" G_GUINT64_FORMAT "\">"
                   "<button type=\"submit\">Check out</button></form>\n",
                   p->base, p->token);
    }
  else if (p->cart)
    g_string_append (s, "<p>Your cart is empty.</p>\n");
  if (p->cart)
    append_signers (s, p->cart_proof);
  g_string_append (s, "</section>\n");
  page_tail (s, p);
  return g_string_free (s, FALSE);
}

gchar *
bft_http_render_order_page (const BftHttpPage *p, const SynodShoppingCartResult *r,
                            const SynodBftProof *proof)
{
  GString *s = g_string_new (NULL);

  page_head (s, p, "Your order");
  if (r->order)
    {
      g_autoptr (GDateTime) when
          = g_date_time_new_from_unix_utc ((gint64)(r->order->timestamp / G_USEC_PER_SEC));
      g_autofree gchar *date = when ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S UTC") : NULL;

      append_html (s, "<section>\n<h2>Order %s</h2>\n<p>Placed %s.</p>\n", r->order->number,
                   date ? date : "");
      append_lines_table (s, &r->order->lines, r->order->total, p, FALSE);
      append_signers (s, proof);
      g_string_append (s, "</section>\n");
    }
  else
    g_string_append (s, "<p class=\"error\">There is no such order.</p>\n");
  append_html (s, "<p><a href=\"%s/\">Back to the shop</a></p>\n", p->base);
  page_tail (s, p);
  return g_string_free (s, FALSE);
}

gchar *
bft_http_render_message_page (const BftHttpPage *p, const gchar *title, const gchar *message)
{
  GString *s = g_string_new (NULL);

  page_head (s, p, title);
  append_html (
      s, "<h2>%s</h2>\n<p class=\"error\">%s</p>\n<p><a href=\"%s/\">Back to the shop</a></p>\n",
      title, message, p->base);
  page_tail (s, p);
  return g_string_free (s, FALSE);
}
