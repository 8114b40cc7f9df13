/* bft-http-cart.c — the HTTPcart class: the shopping cart's web face on a
 * replica peer (the paper's coordinator registered in the URLdirectory).
 *
 * It answers Standard.HTTPhandler for a prefix such as /cart/: a JSON API
 * (reads are read-only requests, changes are ordered requests) and plain
 * HTML pages with forms for browsers without JavaScript. Each request is
 * issued through the local Coordinator of the BFT service, and the answer
 * carries the result's proof in the Synod-Proof field, which the site's
 * script checks against the replicas' public keys.
 *
 * Exactly once: a request is (client id, request number). The API takes
 * both from the client (a retry at another replica's site repeats them);
 * the pages put a number in their forms and keep the last one used, with a
 * tag of its operation, in a cookie, so that a form sent twice is executed
 * once and a stale form is refused rather than mistaken for a retry.
 *
 * Reads without a number of the client's (pages, curl) are issued under
 * client ids of this object's own, one request in flight per id. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/rand.h>

#include "bft-classes.h"
#include "bft-http-cart-private.h"
#include "synod-bft-error.h"
#include "synod-shopping-cart.h"

#define READ_SLOTS 16
#define COOKIE_MAX_AGE 31536000 /* a year */
#define MAX_SITES 64

typedef struct
{
  GMutex lock;
  guint64 client;
  guint64 number;
} ReadSlot;

typedef struct
{
  gchar *item;
  guint64 price;
  gchar *description;
} CatalogLine;

typedef struct
{
  SynodBroker *broker;
  gchar *service;
  gchar *title;
  /* A name, not a SynodRef: a ref holds the broker, and the broker holds
   * this object until its last reference goes. */
  gchar *coordinator;
  gint replica;
  gchar **sites;
  gboolean lying;
  GPtrArray *catalog; /* CatalogLine *, to put on sale if missing */
  GMutex seed_lock;
  gint seeded; /* atomic */
  GMutex info_lock;
  gboolean have_info;
  SynodBftServiceInfo info;
  ReadSlot slots[READ_SLOTS];
  guint next_slot; /* atomic */
} HttpCart;

static const gchar *const known_params[] = {
  "service", "coordinator", "catalog", "sites", "replica", "title", "fault", NULL,
};

static void
catalog_line_free (gpointer data)
{
  CatalogLine *c = data;

  g_free (c->item);
  g_free (c->description);
  g_free (c);
}

/* 64 random bits from OpenSSL's generator: a client id is the key to a
 * cart, so it must not be guessable from others. */
static guint64
random_client (void)
{
  guint64 v = 0;

  do
    {
      if (RAND_bytes ((unsigned char *)&v, sizeof v) != 1)
        g_error ("OpenSSL has no random bytes");
    }
  while (v < (G_GUINT64_CONSTANT (1) << 32) || v >= BFT_HTTP_RESERVED_CLIENTS - READ_SLOTS);
  return v;
}

/* The client id under which every site puts @item on sale: the same on
 * every replica peer, so the four sites' requests execute once. */
static guint64
seed_client (const gchar *item)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 v = 0;

  g_checksum_update (sum, (const guchar *)item, -1);
  g_checksum_get_digest (sum, digest, &len);
  for (guint i = 0; i < 6; i++)
    v = (v << 8) | digest[i];
  return BFT_HTTP_RESERVED_CLIENTS | v;
}

/* ---- the catalog file ---- */

/* Lines "ITEM PRICE DESCRIPTION", PRICE in units with at most two
 * decimals ("1.20"); "#" starts a comment. */
static GPtrArray *
load_catalog (const gchar *path, GError **error)
{
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (catalog_line_free);
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (len > 1 << 20 || !g_utf8_validate (text, (gssize)len, NULL))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("%s: a catalog is UTF-8 text of at most 1 MiB"), path);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree gchar *line = g_strstrip (g_strdup (lines[i]));
      g_auto (GStrv) words = NULL;
      CatalogLine *c;
      guint64 units = 0, cents = 0;
      gchar *end = NULL;
      const gchar *dot;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      words = g_regex_split_simple ("[ \\t]+", line, 0, 0);
      if (g_strv_length (words) < 2 || !bft_http_item_is_valid (words[0]))
        goto bad;
      dot = strchr (words[1], '.');
      if (!g_ascii_isdigit (words[1][0]))
        goto bad;
      units = g_ascii_strtoull (words[1], &end, 10);
      if (dot != NULL)
        {
          if (end != dot || strlen (dot + 1) < 1 || strlen (dot + 1) > 2
              || !g_ascii_isdigit (dot[1]) || (dot[2] && !g_ascii_isdigit (dot[2])))
            goto bad;
          cents = (guint64)(dot[1] - '0') * 10 + (dot[2] ? (guint64)(dot[2] - '0') : 0);
        }
      else if (*end != '\0')
        goto bad;
      if (units > SYNOD_SHOPPING_CART_MAX_PRICE / 100)
        goto bad;
      if (out->len >= SYNOD_SHOPPING_CART_MAX_CATALOG)
        {
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                       _ ("%s: more than %d items"), path, SYNOD_SHOPPING_CART_MAX_CATALOG);
          return NULL;
        }
      c = g_new0 (CatalogLine, 1);
      c->item = g_strdup (words[0]);
      c->price = units * 100 + cents;
      {
        g_autofree gchar *d = g_strjoinv (" ", words + 2);

        c->description = g_utf8_substring (d, 0, MIN (g_utf8_strlen (d, -1), 120));
        /* A description of 120 characters may still be over 120 bytes. */
        while (strlen (c->description) > SYNOD_SHOPPING_CART_MAX_DESCRIPTION)
          {
            gchar *shorter
                = g_utf8_substring (c->description, 0, g_utf8_strlen (c->description, -1) - 1);

            g_free (c->description);
            c->description = shorter;
          }
      }
      g_ptr_array_add (out, c);
      continue;
    bad:
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("%s, line %u: expected “ITEM PRICE DESCRIPTION” (an item id of letters, "
                      "digits, “-”, “_”, “.”; a price such as 12 or 1.20)"),
                   path, i + 1);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- issuing ---- */

static gboolean
issue (HttpCart *self, guint64 client, guint64 number, gboolean read_only, GBytes *op,
       SynodBftResult *ret, GError **error)
{
  SynodBftRequest req = {
    .client = client,
    .number = number,
    .read_only = read_only,
  };
  g_autoptr (SynodRef) target = synod_ref_new_for_name (self->broker, self->coordinator);

  req.operation.len = (guint32)g_bytes_get_size (op);
  req.operation.val = (guint8 *)g_bytes_get_data (op, NULL);
  return synod_bft_coordinator_issue_request (target, &req, ret, error);
}

/* A read under one of this object's own client ids. */
static gboolean
issue_read (HttpCart *self, GBytes *op, guint64 *ret_client, guint64 *ret_number,
            SynodBftResult *ret, GError **error)
{
  guint start = (guint)g_atomic_int_add ((gint *)&self->next_slot, 1);
  ReadSlot *slot = NULL;
  gboolean ok;

  for (guint i = 0; i < READ_SLOTS && slot == NULL; i++)
    if (g_mutex_trylock (&self->slots[(start + i) % READ_SLOTS].lock))
      slot = &self->slots[(start + i) % READ_SLOTS];
  if (slot == NULL)
    {
      SynodCallWait wait;

      /* Every slot has a read in flight: wait for this one, as a method
       * suspended in a send (the pool runs another worker meanwhile, which
       * the replies those reads wait for may need). */
      slot = &self->slots[start % READ_SLOTS];
      if (!synod_call_wait_begin (&wait, error))
        return FALSE;
      g_mutex_lock (&slot->lock);
      synod_call_wait_end (&wait);
    }
  slot->number = MAX (slot->number + 1, (guint64)g_get_real_time ());
  *ret_client = slot->client;
  *ret_number = slot->number;
  ok = issue (self, slot->client, slot->number, TRUE, op, ret, error);
  g_mutex_unlock (&slot->lock);
  return ok;
}

static gboolean
decode_result (const SynodBftResult *raw, SynodShoppingCartResult *ret, GError **error)
{
  g_autoptr (GBytes) b = g_bytes_new_static (raw->value.val, raw->value.len);
  g_autoptr (GError) local = NULL;

  if (!synod_shopping_cart_result_parse (b, ret, &local))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_MALFORMED,
                   _ ("The service's result is not a shopping cart result: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}

/* The "lying" fault (tests): the site changes what the replicas agreed on
 * and keeps their proof, as a compromised site would. */
static void
lie (SynodBftResult *raw)
{
  g_auto (SynodShoppingCartResult) r = { 0 };
  g_autoptr (GBytes) again = NULL;
  gsize len;

  if (!decode_result (raw, &r, NULL))
    return;
  if (r.cart && r.cart->lines.len > 0)
    r.cart->lines.val[0].quantity++, r.cart->total += r.cart->lines.val[0].price;
  else if (r.cart)
    r.cart->total += 100;
  else if (r.order)
    r.order->total += 100;
  else if (r.catalog.len > 0)
    r.catalog.val[0].price += 1;
  else
    r.status = SYNOD_SHOPPING_CART_CART_OK;
  again = synod_value_encode (&synod_shopping_cart_result_desc, &r, NULL);
  if (again == NULL)
    return;
  g_free (raw->value.val);
  raw->value.val = g_bytes_unref_to_data (g_steal_pointer (&again), &len);
  raw->value.len = (guint32)len;
}

/* Puts the configured items on sale where the catalog lacks them, once per
 * object (a failure is tried again with the next request). */
static gboolean
ensure_catalog (HttpCart *self, GError **error)
{
  g_autoptr (GBytes) op = NULL;
  g_auto (SynodBftResult) raw = { 0 };
  g_auto (SynodShoppingCartResult) have = { 0 };
  g_autoptr (GHashTable) present = NULL;
  guint64 client, number;

  if (self->catalog == NULL || g_atomic_int_get (&self->seeded))
    return TRUE;
  if (!g_mutex_trylock (&self->seed_lock))
    {
      SynodCallWait wait;

      /* Another request is putting the catalog on sale: wait as a
       * suspended method, so that the pool keeps workers for the replies. */
      if (!synod_call_wait_begin (&wait, error))
        return FALSE;
      g_mutex_lock (&self->seed_lock);
      synod_call_wait_end (&wait);
    }
  if (g_atomic_int_get (&self->seeded))
    {
      g_mutex_unlock (&self->seed_lock);
      return TRUE;
    }
  op = synod_shopping_cart_op_catalog ();
  if (!issue_read (self, op, &client, &number, &raw, error) || !decode_result (&raw, &have, error))
    {
      g_mutex_unlock (&self->seed_lock);
      return FALSE;
    }
  present = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < have.catalog.len; i++)
    g_hash_table_add (present, have.catalog.val[i].item);
  for (guint i = 0; i < self->catalog->len; i++)
    {
      CatalogLine *c = g_ptr_array_index (self->catalog, i);
      g_autoptr (GBytes) set = NULL;
      g_auto (SynodBftResult) r = { 0 };

      if (g_hash_table_contains (present, c->item))
        continue;
      set = synod_shopping_cart_op_set_price (c->item, c->price, c->description);
      if (set == NULL || !issue (self, seed_client (c->item), 1, FALSE, set, &r, error))
        {
          g_mutex_unlock (&self->seed_lock);
          return FALSE;
        }
      g_info ("BFT service %s: %s put on sale", self->service, c->item);
    }
  g_atomic_int_set (&self->seeded, 1);
  g_mutex_unlock (&self->seed_lock);
  return TRUE;
}

static gboolean
get_info (HttpCart *self, SynodBftServiceInfo *ret, GError **error)
{
  g_auto (SynodBftServiceInfo) info = { 0 };

  g_mutex_lock (&self->info_lock);
  if (self->have_info)
    {
      synod_bft_service_info_copy (&self->info, ret);
      g_mutex_unlock (&self->info_lock);
      return TRUE;
    }
  g_mutex_unlock (&self->info_lock);
  {
    g_autoptr (SynodRef) target = synod_ref_new_for_name (self->broker, self->coordinator);

    if (!synod_bft_coordinator_describe (target, &info, error))
      return FALSE;
  }
  g_mutex_lock (&self->info_lock);
  if (!self->have_info)
    {
      synod_bft_service_info_copy (&info, &self->info);
      self->have_info = TRUE;
    }
  g_mutex_unlock (&self->info_lock);
  synod_bft_service_info_copy (&info, ret);
  return TRUE;
}

/* ---- responses ---- */

static void
add_field (StandardHTTPResponse *r, const gchar *name, const gchar *value)
{
  r->fields.val = g_renew (StandardHTTPField, r->fields.val, r->fields.len + 1);
  r->fields.val[r->fields.len].name = g_strdup (name);
  r->fields.val[r->fields.len].value = g_strdup (value);
  r->fields.len++;
}

static void
set_body (StandardHTTPResponse *r, const gchar *type, gchar *text)
{
  g_free (r->body.val);
  r->body.len = text ? (guint32)strlen (text) : 0;
  r->body.val = (guint8 *)text;
  add_field (r, "Content-Type", type);
  add_field (r, "Cache-Control", "no-store");
}

static void
set_json (StandardHTTPResponse *r, guint status, gchar *text)
{
  r->status = status;
  set_body (r, "application/json", text);
}

static void
set_html (StandardHTTPResponse *r, guint status, gchar *text)
{
  r->status = status;
  set_body (r, "text/html; charset=utf-8", text);
  /* The pages need no script and embed nothing from elsewhere. */
  add_field (r, "Content-Security-Policy",
             "default-src 'self'; script-src 'none'; frame-ancestors 'none'");
}

static void
add_cors (StandardHTTPResponse *r)
{
  /* A page of one replica's site retries at another's: another origin.
   * Identity travels in Synod-Client, never in credentials, so any origin
   * may read the answers; cookies are not sent cross-origin. */
  add_field (r, "Access-Control-Allow-Origin", "*");
  add_field (r, "Access-Control-Expose-Headers",
             "Synod-Proof, Synod-Service, Synod-Replica, Synod-Client, Synod-Request");
}

static void
add_cookie (StandardHTTPResponse *r, const gchar *name, const gchar *value)
{
  g_autofree gchar *c
      = g_strdup_printf ("%s=%s; Path=/; Max-Age=%d; SameSite=Lax", name, value, COOKIE_MAX_AGE);

  add_field (r, "Set-Cookie", c);
}

static void
add_client_cookie (StandardHTTPResponse *r, guint64 client)
{
  g_autofree gchar *text = bft_http_client_to_string (client);

  add_cookie (r, SYNOD_BFT_CLIENT_COOKIE, text);
}

static void
add_last_cookie (StandardHTTPResponse *r, guint64 number, const gchar *tag)
{
  g_autofree gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT ".%s", number, tag);

  add_cookie (r, SYNOD_BFT_LAST_COOKIE, text);
}

static void
add_service_fields (HttpCart *self, StandardHTTPResponse *r)
{
  g_auto (SynodBftServiceInfo) info = { 0 };

  if (get_info (self, &info, NULL))
    {
      g_autofree gchar *v = g_strdup_printf ("%s; id=%016" G_GINT64_MODIFIER "x; f=%u; n=%u",
                                             info.name, info.service, info.f, info.n);

      add_field (r, SYNOD_BFT_SERVICE_HEADER, v);
    }
  if (self->replica >= 0)
    {
      g_autofree gchar *v = g_strdup_printf ("%d", self->replica);

      add_field (r, SYNOD_BFT_REPLICA_HEADER, v);
    }
}

/* How a failure to get a proven result reaches an HTTP client. */
static guint
status_for_error (const GError *error, const gchar **ret_code)
{
  if (error->domain == SYNOD_BFT_ERROR)
    switch (error->code)
      {
        case SYNOD_BFT_ERROR_TIMEOUT:
          *ret_code = "timeout";
          return 504;
        case SYNOD_BFT_ERROR_NO_QUORUM:
          *ret_code = "no-quorum";
          return 503;
        case SYNOD_BFT_ERROR_BUSY:
          *ret_code = "busy";
          return 409;
        case SYNOD_BFT_ERROR_STALE:
          *ret_code = "stale-number";
          return 409;
        case SYNOD_BFT_ERROR_LIMIT:
          *ret_code = "busy";
          return 503;
        default:
          break;
      }
  if (error->domain == SYNOD_ORB_ERROR)
    switch (error->code)
      {
        case SYNOD_ORB_ERROR_TIMEOUT:
          *ret_code = "timeout";
          return 504;
        case SYNOD_ORB_ERROR_NO_SUCH_OBJECT:
        case SYNOD_ORB_ERROR_UNREACHABLE:
        case SYNOD_ORB_ERROR_DISCONNECTED:
        case SYNOD_ORB_ERROR_QUEUE_FULL:
        case SYNOD_ORB_ERROR_LIMIT:
        case SYNOD_ORB_ERROR_OBJECT_DELETED:
          *ret_code = "unavailable";
          return 503;
        default:
          break;
      }
  *ret_code = "failed";
  return 502;
}

static void
answer_failure (HttpCart *self, const BftHttpCall *c, const BftHttpPage *page, const GError *error,
                StandardHTTPResponse *r)
{
  const gchar *code = NULL;
  guint status = status_for_error (error, &code);
  g_autofree gchar *message = NULL;

  g_info ("BFT service %s: %s", self->service, error->message);
  if (status == 409 && strcmp (code, "stale-number") == 0)
    message = g_strdup (_ ("This request number of this client was overtaken by a later one: "
                           "nothing was done; send the request with a higher number"));
  else if (status == 409)
    message = g_strdup (_ ("This client has another request in progress: try again in a moment"));
  else if (status == 504)
    message = g_strdup (_ ("The replicas did not answer in time. Nothing wrong was done: retry "
                           "the same request here or at another replica's site"));
  else
    message = g_strdup (_ ("No proven answer could be had from the replicas now. Retry the same "
                           "request here or at another replica's site"));
  if (status == 503)
    add_field (r, "Retry-After", "1");
  if (c->html)
    set_html (r, status,
              bft_http_render_message_page (page, _ ("The shop cannot answer now"), message));
  else
    set_json (r, status, bft_http_json_error (code, message));
}

/* Whether @c may see @order: an order of a logged-in web user is shown
 * to that user only; an order of a client id, to anyone with its number
 * (as before web users existed). */
static gboolean
order_is_visible (const BftHttpCall *c, const SynodShoppingCartOrder *order)
{
  if (order == NULL
      || !g_str_has_prefix (order->user ? order->user : "", BFT_HTTP_WEB_PRINCIPAL_PREFIX))
    return TRUE;
  return g_strcmp0 (order->user, c->user) == 0;
}

/* A JSON answer: the result as decoded, the raw value it was decoded from
 * (what the proof is about), and the request it answers. */
static void
answer_result (HttpCart *self, const BftHttpCall *c, guint64 client, guint64 number,
               gboolean read_only, const SynodBftResult *raw, StandardHTTPResponse *r)
{
  g_auto (SynodShoppingCartResult) res = { 0 };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *proof = synod_bft_proof_to_header (&raw->proof);
  g_autofree gchar *value = g_base64_encode (raw->value.val, raw->value.len);
  g_autofree gchar *client_text = bft_http_client_to_string (client);
  g_autofree gchar *number_text = g_strdup_printf ("%" G_GUINT64_FORMAT, number);

  if (!decode_result (raw, &res, &error))
    {
      set_json (r, 502, bft_http_json_error ("failed", error->message));
      return;
    }
  if (!order_is_visible (c, res.order))
    {
      set_json (r, 404, bft_http_json_error ("not-found", _ ("No such order of this user")));
      return;
    }
  json_builder_begin_object (b);
  bft_http_result_to_json (b, &res);
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, client_text);
  json_builder_set_member_name (b, "number");
  json_builder_add_string_value (b, number_text);
  json_builder_set_member_name (b, "readOnly");
  json_builder_add_boolean_value (b, read_only);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, value);
  json_builder_set_member_name (b, "proof");
  json_builder_add_string_value (b, proof);
  json_builder_end_object (b);
  set_json (r, bft_http_status_code (res.status), bft_http_json_to_string (b));
  add_field (r, SYNOD_BFT_PROOF_HEADER, proof);
  add_field (r, SYNOD_BFT_CLIENT_HEADER, client_text);
  add_field (r, SYNOD_BFT_REQUEST_HEADER, number_text);
}

static void
answer_service (HttpCart *self, StandardHTTPResponse *r, guint64 client, const gchar *user)
{
  g_auto (SynodBftServiceInfo) info = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree gchar *id = NULL, *client_text = bft_http_client_to_string (client);

  if (!get_info (self, &info, &error))
    {
      const gchar *code = NULL;
      guint status = status_for_error (error, &code);

      set_json (r, status, bft_http_json_error (code, error->message));
      return;
    }
  id = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", info.service);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, info.name);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "f");
  json_builder_add_int_value (b, info.f);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, info.n);
  json_builder_set_member_name (b, "replicaKeys");
  json_builder_begin_array (b);
  for (guint i = 0; i < info.replica_keys.len; i++)
    {
      g_autofree gchar *k = g_base64_encode (info.replica_keys.val[i], 32);

      json_builder_add_string_value (b, k);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "keyFormat");
  json_builder_add_string_value (b, "Ed25519 raw public keys, base64");
  json_builder_set_member_name (b, "replica");
  if (self->replica >= 0)
    json_builder_add_int_value (b, self->replica);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sites");
  json_builder_begin_array (b);
  for (guint i = 0; self->sites && self->sites[i]; i++)
    json_builder_add_string_value (b, self->sites[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, client_text);
  /* The logged-in web user whose cart this client reaches, or null. */
  json_builder_set_member_name (b, "user");
  if (user != NULL)
    json_builder_add_string_value (b, user + strlen (BFT_HTTP_WEB_PRINCIPAL_PREFIX));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  set_json (r, 200, bft_http_json_to_string (b));
}

/* ---- the handler ---- */

/* Refuses a number the cookie shows is used up, unless it is the same
 * operation again (a resubmission, answered from the replicas' cache). */
static gboolean
is_stale (const BftHttpCall *c, const gchar *tag)
{
  if (c->last_number == 0)
    return FALSE;
  if (c->number < c->last_number)
    return TRUE;
  return c->number == c->last_number && g_strcmp0 (c->last_tag, tag) != 0;
}

static void
handle_page (HttpCart *self, BftHttpCall *c, BftHttpPage *page, StandardHTTPResponse *r)
{
  g_autoptr (GBytes) catalog_op = synod_shopping_cart_op_catalog ();
  g_autoptr (GBytes) cart_op = bft_http_call_build_op (c);
  g_auto (SynodBftResult) catalog_raw = { 0 }, cart_raw = { 0 };
  g_auto (SynodShoppingCartResult) catalog = { 0 }, cart = { 0 };
  g_autoptr (GError) error = NULL;
  guint64 client, number;

  if (!ensure_catalog (self, &error)
      || !issue_read (self, catalog_op, &client, &number, &catalog_raw, &error)
      || !issue_read (self, cart_op, &client, &number, &cart_raw, &error))
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  if (self->lying)
    lie (&cart_raw);
  if (!decode_result (&catalog_raw, &catalog, &error) || !decode_result (&cart_raw, &cart, &error))
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  page->catalog = &catalog;
  page->cart = &cart;
  page->cart_proof = &cart_raw.proof;
  page->token = MIN (MAX ((guint64)g_get_real_time (), c->last_number + 1), BFT_HTTP_MAX_NUMBER);
  page->notice = c->notice;
  page->item = c->item;
  set_html (r, 200, bft_http_render_page (page));
}

static void
handle_order_page (HttpCart *self, BftHttpCall *c, BftHttpPage *page, StandardHTTPResponse *r)
{
  g_autoptr (GBytes) op = bft_http_call_build_op (c);
  g_auto (SynodBftResult) raw = { 0 };
  g_auto (SynodShoppingCartResult) res = { 0 };
  g_autoptr (GError) error = NULL;
  guint64 client, number;

  if (!issue_read (self, op, &client, &number, &raw, &error) || !decode_result (&raw, &res, &error))
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  if (!order_is_visible (c, res.order))
    {
      set_html (
          r, 404,
          bft_http_render_message_page (page, _ ("No such order"),
                                        _ ("There is no order of this user by that number.")));
      return;
    }
  set_html (r, res.order ? 200 : 404, bft_http_render_order_page (page, &res, &raw.proof));
}

static void
redirect (StandardHTTPResponse *r, guint status, const gchar *location)
{
  r->status = status;
  add_field (r, "Location", location);
  add_field (r, "Cache-Control", "no-store");
}

static void
handle_form (HttpCart *self, BftHttpCall *c, BftHttpPage *page, StandardHTTPResponse *r)
{
  g_autoptr (GBytes) op = bft_http_call_build_op (c);
  g_autofree gchar *tag = NULL, *location = NULL;
  g_auto (SynodBftResult) raw = { 0 };
  g_auto (SynodShoppingCartResult) res = { 0 };
  g_autoptr (GError) error = NULL;
  const gchar *msg = NULL;

  if (op == NULL)
    {
      set_html (r, 400,
                bft_http_render_message_page (page, _ ("Bad request"),
                                              _ ("The form does not make an operation")));
      return;
    }
  tag = bft_http_op_tag (op);
  if (is_stale (c, tag))
    {
      location = g_strdup_printf ("%s/?msg=stale", page->base);
      redirect (r, 303, location);
      return;
    }
  if (!ensure_catalog (self, &error) || !issue (self, c->client, c->number, FALSE, op, &raw, &error)
      || !decode_result (&raw, &res, &error))
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  add_last_cookie (r, c->number, tag);
  switch (res.status)
    {
      case SYNOD_SHOPPING_CART_CART_OK:
        msg = c->route == BFT_HTTP_ROUTE_FORM_ADD ? "added" : "removed";
        break;
      case SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM:
        msg = "unknown";
        break;
      case SYNOD_SHOPPING_CART_CART_NOT_IN_CART:
        msg = "missing";
        break;
      case SYNOD_SHOPPING_CART_CART_EMPTY:
        msg = "empty";
        break;
      default:
        set_html (
            r, bft_http_status_code (res.status),
            bft_http_render_message_page (page, _ ("Refused"), bft_http_status_name (res.status)));
        return;
    }
  if (c->route == BFT_HTTP_ROUTE_FORM_CHECKOUT && res.order)
    location = g_strdup_printf ("%s/order/%s", page->base, res.order->number);
  else if (c->item)
    location = g_strdup_printf ("%s/?msg=%s&item=%s", page->base, msg, c->item);
  else
    location = g_strdup_printf ("%s/?msg=%s", page->base, msg);
  redirect (r, 303, location);
}

static void
handle_api (HttpCart *self, BftHttpCall *c, BftHttpPage *page, StandardHTTPResponse *r)
{
  gboolean read_only = bft_http_route_is_read_only (c->route);
  g_autoptr (GBytes) op = bft_http_call_build_op (c);
  g_autofree gchar *tag = NULL;
  g_auto (SynodBftResult) raw = { 0 };
  g_autoptr (GError) error = NULL;
  guint64 client = c->client, number = c->number;
  gboolean ok;

  tag = bft_http_op_tag (op);
  if (number != 0 && is_stale (c, tag))
    {
      g_autofree gchar *m = g_strdup_printf (_ ("Request number %" PRIu64
                                                " of this client is used up (the last one was "
                                                "%" PRIu64 "): send a higher one"),
                                             number, c->last_number);

      set_json (r, 409, bft_http_json_error ("stale-number", m));
      return;
    }
  if (!ensure_catalog (self, &error))
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  if (number != 0)
    ok = issue (self, client, number, read_only, op, &raw, &error);
  else
    ok = issue_read (self, op, &client, &number, &raw, &error);
  if (!ok)
    {
      answer_failure (self, c, page, error, r);
      return;
    }
  if (self->lying)
    lie (&raw);
  if (client == c->client)
    add_last_cookie (r, number, tag);
  answer_result (self, c, client, number, read_only, &raw, r);
}

static gboolean
cart_handle (gpointer instance, SynodCall *call, const StandardHTTPRequest *request,
             StandardHTTPResponse *ret, GError **error)
{
  HttpCart *self = instance;
  g_auto (BftHttpCall) c = { 0 };
  g_autoptr (GError) refusal = NULL;
  g_autofree gchar *base = g_strdup (request->prefix ? request->prefix : "");
  BftHttpPage page = {
    .title = self->title,
    .service = self->service,
    .replica = self->replica,
    .sites = (const gchar *const *)self->sites,
  };
  gsize len = strlen (base);
  guint status;

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  page.base = base;
  status = bft_http_cart_parse (request, &c, &refusal);
  if (!c.html)
    {
      add_cors (ret);
      add_service_fields (self, ret);
    }
  if (status != 0)
    {
      if (status == 405)
        add_field (ret, "Allow", c.allow);
      if (c.html)
        set_html (ret, status,
                  bft_http_render_message_page (&page, _ ("Bad request"), refusal->message));
      else
        set_json (ret, status,
                  bft_http_json_error (status == 404   ? "not-found"
                                       : status == 405 ? "method"
                                       : status == 413 ? "too-large"
                                       : status == 415 ? "media-type"
                                       : status == 428 ? "number-required"
                                                       : "bad-request",
                                       refusal->message));
      return TRUE;
    }
  /* A logged-in web user's cart is its own, whichever client id it
   * shops with; the principal is the server's word (the gateway's, or
   * the broker's for a peer), never a request field. */
  c.user = bft_http_user_of_principal (synod_call_get_principal (call));
  /* A visitor without a client id gets one when it reads; a change needs
   * one already (parsing refused it). */
  if (c.client == 0 && c.route != BFT_HTTP_ROUTE_PREFLIGHT && c.route != BFT_HTTP_ROUTE_SLASH
      && c.route != BFT_HTTP_ROUTE_ITEMS && c.route != BFT_HTTP_ROUTE_ORDER
      && c.route != BFT_HTTP_ROUTE_PAGE_ORDER)
    {
      c.client = random_client ();
      add_client_cookie (ret, c.client);
    }
  switch (c.route)
    {
      case BFT_HTTP_ROUTE_SLASH:
        {
          g_autofree gchar *location = g_strdup_printf ("%s/", base);

          redirect (ret, 308, location);
        }
        break;
      case BFT_HTTP_ROUTE_PREFLIGHT:
        ret->status = 204;
        add_field (ret, "Access-Control-Allow-Methods", c.allow);
        add_field (ret, "Access-Control-Allow-Headers",
                   "Content-Type, Synod-Client, Synod-Request, Idempotency-Key");
        add_field (ret, "Access-Control-Max-Age", "600");
        break;
      case BFT_HTTP_ROUTE_SERVICE:
        answer_service (self, ret, c.client, c.user);
        break;
      case BFT_HTTP_ROUTE_PAGE:
        handle_page (self, &c, &page, ret);
        break;
      case BFT_HTTP_ROUTE_PAGE_ORDER:
        handle_order_page (self, &c, &page, ret);
        break;
      case BFT_HTTP_ROUTE_FORM_ADD:
      case BFT_HTTP_ROUTE_FORM_REMOVE:
      case BFT_HTTP_ROUTE_FORM_CHECKOUT:
        handle_form (self, &c, &page, ret);
        break;
      default:
        handle_api (self, &c, &page, ret);
        break;
    }
  return TRUE;
}

static const StandardHTTPHandlerIface handler_vtable = { .handle = cart_handle };

/* ---- life cycle ---- */

static gboolean
param_sites (GVariant *params, gchar ***ret, GError **error)
{
  g_autoptr (GVariant) v = params ? g_variant_lookup_value (params, "sites", NULL) : NULL;
  g_auto (GStrv) sites = NULL;

  if (v == NULL)
    return TRUE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
    sites = g_variant_dup_strv (v, NULL);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    sites = g_strsplit (g_variant_get_string (v, NULL), ",", -1);
  else
    goto bad;
  if (g_strv_length (sites) > MAX_SITES)
    goto bad;
  for (guint i = 0; sites[i]; i++)
    {
      g_strstrip (sites[i]);
      if ((!g_str_has_prefix (sites[i], "http://") && !g_str_has_prefix (sites[i], "https://"))
          || strpbrk (sites[i], "\"'<> \t\\") != NULL || strlen (sites[i]) > 255)
        goto bad;
      if (g_str_has_suffix (sites[i], "/"))
        sites[i][strlen (sites[i]) - 1] = '\0';
    }
  *ret = g_steal_pointer (&sites);
  return TRUE;
bad:
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
               _ ("The parameter “sites” lists every replica's site as http://HOST:PORT "
                  "(at most %d)"),
               MAX_SITES);
  return FALSE;
}

static void
cart_free_members (HttpCart *self)
{
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->coordinator, g_free);
  g_clear_pointer (&self->sites, g_strfreev);
  g_clear_pointer (&self->catalog, g_ptr_array_unref);
  synod_bft_service_info_clear (&self->info);
  g_mutex_clear (&self->seed_lock);
  g_mutex_clear (&self->info_lock);
  for (guint i = 0; i < READ_SLOTS; i++)
    g_mutex_clear (&self->slots[i].lock);
}

static gboolean
cart_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
             GError **error)
{
  HttpCart *self = instance;
  g_autofree gchar *coordinator = NULL, *catalog = NULL, *fault = NULL;
  guint64 replica = G_MAXUINT64;
  guint64 base;

  g_mutex_init (&self->seed_lock);
  g_mutex_init (&self->info_lock);
  for (guint i = 0; i < READ_SLOTS; i++)
    g_mutex_init (&self->slots[i].lock);
  self->replica = -1;
  if (!bft_params_check (params, SYNOD_BFT_HTTP_CART_CLASS, known_params, error)
      || !bft_param_string (params, "service", TRUE, &self->service, error)
      || !bft_param_string (params, "coordinator", FALSE, &coordinator, error)
      || !bft_param_string (params, "catalog", FALSE, &catalog, error)
      || !bft_param_string (params, "title", FALSE, &self->title, error)
      || !bft_param_string (params, "fault", FALSE, &fault, error)
      || !bft_param_uint (params, "replica", 0, 63, &replica, error)
      || !param_sites (params, &self->sites, error))
    goto fail;
  if (fault != NULL && strcmp (fault, "lying") != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The only fault a site can inject is “lying”"));
      goto fail;
    }
  self->lying = fault != NULL;
  if (catalog != NULL)
    {
      self->catalog = load_catalog (catalog, error);
      if (self->catalog == NULL)
        goto fail;
    }
  if (replica != G_MAXUINT64)
    self->replica = (gint)replica;
  if (self->title == NULL)
    self->title = g_strdup (_ ("Synod shop"));
  self->coordinator
      = coordinator ? g_steal_pointer (&coordinator) : synod_bft_coordinator_name (self->service);
  self->broker = synod_object_get_broker (object);
  base = random_client ();
  for (guint i = 0; i < READ_SLOTS; i++)
    self->slots[i].client = base + i;
  return TRUE;

fail:
  g_prefix_error (error, "%s: ", SYNOD_BFT_HTTP_CART_CLASS);
  cart_free_members (self);
  return FALSE;
}

static void
cart_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  cart_free_members (instance);
}

/**
 * synod_bft_http_register_classes:
 * @broker: a broker
 *
 * Registers Synod.Bft.HTTPcart (version 1) with @broker: what the synod-bft
 * plugin does when loaded, besides the BFT classes.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_bft_http_register_classes (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new (SYNOD_BFT_HTTP_CART_CLASS, SYNOD_BFT_CLASS_VERSION, sizeof (HttpCart),
                         SYNOD_CLASS_CONCURRENT);

  synod_bft_error_quark ();
  synod_class_add_interface (klass, &standard_http_handler_interface, &handler_vtable);
  synod_class_set_hooks (klass, cart_create, cart_delete, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
