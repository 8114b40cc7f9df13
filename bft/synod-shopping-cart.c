/* synod-shopping-cart.c — the shopping cart state variable.
 *
 * Deterministic like the others: catalog, carts and cart lines live in
 * sorted trees, orders in a queue (oldest first), so the snapshot depends
 * only on the contents. A cart keeps quantities only; its prices and total
 * are the catalog's at the time of asking, and an order freezes them. The
 * order number is built from the agreed timestamp, an order counter and the
 * agreed seed: every replica computes the same. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-bft-error.h"
#include "synod-shopping-cart.h"

typedef struct
{
  guint64 price;
  gchar *description;
} CatalogEntry;

struct _SynodShoppingCart
{
  GObject parent_instance;
  GTree *catalog;               /* gchar *item -> CatalogEntry * */
  GTree *carts;                 /* gchar *user -> GTree * (gchar *item -> quantity as pointer) */
  GQueue orders;                /* SynodShoppingCartOrder *, oldest first */
  GHashTable *orders_by_number; /* number -> order (borrowed from the queue) */
  guint64 next_order;
};

static void synod_shopping_cart_iface_init (SynodStateVariableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SynodShoppingCart, synod_shopping_cart, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SYNOD_TYPE_STATE_VARIABLE,
                                                      synod_shopping_cart_iface_init))

static gint
str_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

static void
catalog_entry_free (gpointer data)
{
  CatalogEntry *e = data;

  g_free (e->description);
  g_free (e);
}

static GTree *
catalog_new (void)
{
  return g_tree_new_full (str_compare, NULL, g_free, catalog_entry_free);
}

static GTree *
lines_new (void)
{
  return g_tree_new_full (str_compare, NULL, g_free, NULL);
}

static GTree *
carts_new (void)
{
  return g_tree_new_full (str_compare, NULL, g_free, (GDestroyNotify)g_tree_unref);
}

static void
orders_clear (SynodShoppingCart *self)
{
  g_hash_table_remove_all (self->orders_by_number);
  g_queue_clear_full (&self->orders, (GDestroyNotify)synod_shopping_cart_order_free);
}

static const gchar *
nz (const gchar *s)
{
  return s ? s : "";
}

/* ---- results ---- */

typedef struct
{
  SynodShoppingCart *self;
  SynodShoppingCartLine *lines;
  guint n;
  guint64 total;
} LineBuilder;

static gboolean
add_line (gpointer key, gpointer value, gpointer user_data)
{
  LineBuilder *b = user_data;
  CatalogEntry *e = g_tree_lookup (b->self->catalog, key);
  SynodShoppingCartLine *l = &b->lines[b->n++];

  l->item = g_strdup (key);
  l->quantity = GPOINTER_TO_UINT (value);
  l->price = e ? e->price : 0;
  b->total += l->price * l->quantity;
  return FALSE;
}

/* Fills @cart (owned values) with @user's lines at today's prices. */
static void
cart_fill (SynodShoppingCart *self, const gchar *user, GTree *lines, SynodShoppingCartCart *cart)
{
  guint n = lines ? g_tree_nnodes (lines) : 0;
  LineBuilder b = { self, g_new0 (SynodShoppingCartLine, MAX (n, 1)), 0, 0 };

  if (lines)
    g_tree_foreach (lines, add_line, &b);
  cart->user = g_strdup (user);
  cart->lines.len = b.n;
  cart->lines.val = b.lines;
  cart->total = b.total;
}

static gboolean
add_catalog_item (gpointer key, gpointer value, gpointer user_data)
{
  SynodShoppingCartCatalogItem **next = user_data;
  CatalogEntry *e = value;

  (*next)->item = g_strdup (key);
  (*next)->price = e->price;
  (*next)->description = g_strdup (e->description);
  (*next)++;
  return FALSE;
}

static void
catalog_fill (SynodShoppingCart *self, SynodShoppingCartResult *r)
{
  guint n = g_tree_nnodes (self->catalog);
  SynodShoppingCartCatalogItem *next;

  r->catalog.val = g_new0 (SynodShoppingCartCatalogItem, MAX (n, 1));
  r->catalog.len = n;
  next = r->catalog.val;
  g_tree_foreach (self->catalog, add_catalog_item, &next);
}

static GBytes *
encode_result (SynodShoppingCartResult *r)
{
  g_autoptr (GError) error = NULL;
  GBytes *out = synod_value_encode (&synod_shopping_cart_result_desc, r, &error);

  if (out == NULL)
    g_error ("a shopping cart result does not encode: %s", error->message);
  synod_shopping_cart_result_clear (r);
  return out;
}

static GBytes *
status_only (SynodShoppingCartStatus status)
{
  SynodShoppingCartResult r = { .status = status };

  return encode_result (&r);
}

static GBytes *
cart_result (SynodShoppingCart *self, const gchar *user)
{
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK };

  r.cart = g_new0 (SynodShoppingCartCart, 1);
  cart_fill (self, user, g_tree_lookup (self->carts, user), r.cart);
  return encode_result (&r);
}

static GBytes *
order_result (const SynodShoppingCartOrder *order)
{
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK };

  r.order = g_new0 (SynodShoppingCartOrder, 1);
  synod_shopping_cart_order_copy (order, r.order);
  return encode_result (&r);
}

/* ---- operations ---- */

static gboolean
item_is_valid (const gchar *item)
{
  return item != NULL && item[0] != '\0';
}

static GBytes *
do_set_price (SynodShoppingCart *self, const SynodShoppingCartPriceArgs *a)
{
  CatalogEntry *e;
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK };

  if (!item_is_valid (a->item) || a->price > SYNOD_SHOPPING_CART_MAX_PRICE)
    return status_only (SYNOD_SHOPPING_CART_CART_BAD_OP);
  e = g_tree_lookup (self->catalog, a->item);
  if (e == NULL)
    {
      if ((guint)g_tree_nnodes (self->catalog) >= SYNOD_SHOPPING_CART_MAX_CATALOG)
        return status_only (SYNOD_SHOPPING_CART_CART_LIMIT);
      e = g_new0 (CatalogEntry, 1);
      g_tree_insert (self->catalog, g_strdup (a->item), e);
    }
  e->price = a->price;
  g_free (e->description);
  e->description = g_strdup (nz (a->description));
  catalog_fill (self, &r);
  return encode_result (&r);
}

static GBytes *
do_add (SynodShoppingCart *self, const SynodShoppingCartAddArgs *a)
{
  GTree *lines;
  guint have;

  if (!item_is_valid (a->item) || !item_is_valid (a->user) || a->quantity == 0
      || a->quantity > SYNOD_SHOPPING_CART_MAX_QUANTITY)
    return status_only (SYNOD_SHOPPING_CART_CART_BAD_OP);
  if (g_tree_lookup (self->catalog, a->item) == NULL)
    return status_only (SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM);
  lines = g_tree_lookup (self->carts, nz (a->user));
  if (lines == NULL)
    {
      if ((guint)g_tree_nnodes (self->carts) >= SYNOD_SHOPPING_CART_MAX_CARTS)
        return status_only (SYNOD_SHOPPING_CART_CART_LIMIT);
      lines = lines_new ();
      g_tree_insert (self->carts, g_strdup (nz (a->user)), lines);
    }
  have = GPOINTER_TO_UINT (g_tree_lookup (lines, a->item));
  if ((have == 0 && (guint)g_tree_nnodes (lines) >= SYNOD_SHOPPING_CART_MAX_LINES)
      || have + a->quantity > SYNOD_SHOPPING_CART_MAX_QUANTITY)
    {
      if (g_tree_nnodes (lines) == 0)
        g_tree_remove (self->carts, nz (a->user));
      return status_only (SYNOD_SHOPPING_CART_CART_LIMIT);
    }
  g_tree_replace (lines, g_strdup (a->item), GUINT_TO_POINTER (have + a->quantity));
  return cart_result (self, nz (a->user));
}

static GBytes *
do_remove (SynodShoppingCart *self, const SynodShoppingCartRemoveArgs *a)
{
  GTree *lines = g_tree_lookup (self->carts, nz (a->user));
  guint have = lines && a->item ? GPOINTER_TO_UINT (g_tree_lookup (lines, a->item)) : 0;

  if (have == 0)
    return status_only (SYNOD_SHOPPING_CART_CART_NOT_IN_CART);
  if (a->quantity == 0 || a->quantity >= have)
    g_tree_remove (lines, a->item);
  else
    g_tree_replace (lines, g_strdup (a->item), GUINT_TO_POINTER (have - a->quantity));
  if (g_tree_nnodes (lines) == 0)
    g_tree_remove (self->carts, nz (a->user));
  return cart_result (self, nz (a->user));
}

static GBytes *
do_checkout (SynodShoppingCart *self, const gchar *user, const SynodStateVariableContext *context)
{
  GTree *lines = g_tree_lookup (self->carts, user);
  SynodShoppingCartCart cart = { 0 };
  SynodShoppingCartOrder *order;
  g_autoptr (GDateTime) when = NULL;
  g_autofree gchar *date = NULL;
  guint64 n;

  if (lines == NULL || g_tree_nnodes (lines) == 0)
    return status_only (SYNOD_SHOPPING_CART_CART_EMPTY);
  cart_fill (self, user, lines, &cart);
  /* The agreed time, a counter that never repeats, and two bytes of the
   * agreed seed that no client could predict. */
  n = ++self->next_order;
  when = g_date_time_new_from_unix_utc (
      (gint64)MIN (context->timestamp / G_USEC_PER_SEC, (guint64)253402300799)); /* 9999-12-31 */
  date = when ? g_date_time_format (when, "%Y%m%d") : g_strdup ("00000000");
  order = g_new0 (SynodShoppingCartOrder, 1);
  order->number = g_strdup_printf ("%s-%06" G_GUINT64_FORMAT "-%02x%02x", date, n % 1000000,
                                   context->seed[0], context->seed[1]);
  order->user = g_steal_pointer (&cart.user);
  order->lines = cart.lines;
  order->total = cart.total;
  order->timestamp = context->timestamp;
  g_tree_remove (self->carts, user);
  /* A number collides only after a million orders on one day with the
   * same seed bytes; the older order then gives way. */
  if (g_hash_table_lookup (self->orders_by_number, order->number) != NULL
      || g_queue_get_length (&self->orders) >= SYNOD_SHOPPING_CART_MAX_ORDERS)
    {
      SynodShoppingCartOrder *old = g_hash_table_lookup (self->orders_by_number, order->number);

      if (old == NULL)
        old = g_queue_peek_head (&self->orders);
      g_hash_table_remove (self->orders_by_number, old->number);
      g_queue_remove (&self->orders, old);
      synod_shopping_cart_order_free (old);
    }
  g_queue_push_tail (&self->orders, order);
  g_hash_table_insert (self->orders_by_number, order->number, order);
  return order_result (order);
}

static GBytes *
cart_execute (SynodStateVariable *sv, const SynodStateVariableContext *context, GBytes *op_bytes)
{
  SynodShoppingCart *self = SYNOD_SHOPPING_CART (sv);
  g_auto (SynodShoppingCartOp) op = { 0 };
  gboolean writes;

  if (!synod_value_decode (&synod_shopping_cart_op_desc, g_bytes_get_data (op_bytes, NULL),
                           g_bytes_get_size (op_bytes), &op, NULL))
    return status_only (SYNOD_SHOPPING_CART_CART_BAD_OP);
  writes = op.kind == SYNOD_SHOPPING_CART_CART_SET_PRICE || op.kind == SYNOD_SHOPPING_CART_CART_ADD
           || op.kind == SYNOD_SHOPPING_CART_CART_REMOVE
           || op.kind == SYNOD_SHOPPING_CART_CART_CHECKOUT;
  if (writes && context->read_only)
    return status_only (SYNOD_SHOPPING_CART_CART_READ_ONLY);

  switch (op.kind)
    {
      case SYNOD_SHOPPING_CART_CART_SET_PRICE:
        return do_set_price (self, &op.u.price);
      case SYNOD_SHOPPING_CART_CART_ADD:
        return do_add (self, &op.u.add);
      case SYNOD_SHOPPING_CART_CART_REMOVE:
        return do_remove (self, &op.u.remove);
      case SYNOD_SHOPPING_CART_CART_LIST:
        return cart_result (self, nz (op.u.user));
      case SYNOD_SHOPPING_CART_CART_CHECKOUT:
        return do_checkout (self, nz (op.u.user), context);
      case SYNOD_SHOPPING_CART_CART_ORDER:
        {
          SynodShoppingCartOrder *order
              = g_hash_table_lookup (self->orders_by_number, nz (op.u.order));

          return order ? order_result (order)
                       : status_only (SYNOD_SHOPPING_CART_CART_NO_SUCH_ORDER);
        }
      case SYNOD_SHOPPING_CART_CART_CATALOG:
        {
          SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK };

          catalog_fill (self, &r);
          return encode_result (&r);
        }
      default:
        return status_only (SYNOD_SHOPPING_CART_CART_BAD_OP);
    }
}

/* ---- snapshots ---- */

typedef struct
{
  SynodShoppingCart *self;
  SynodShoppingCartCart *next;
} CartsBuilder;

static gboolean
add_cart (gpointer key, gpointer value, gpointer user_data)
{
  CartsBuilder *b = user_data;

  cart_fill (b->self, key, value, b->next++);
  return FALSE;
}

static GBytes *
cart_snapshot (SynodStateVariable *sv)
{
  SynodShoppingCart *self = SYNOD_SHOPPING_CART (sv);
  g_auto (SynodShoppingCartSnapshot) snap = { .next_order = self->next_order };
  SynodShoppingCartResult catalog = { 0 };
  guint n_carts = g_tree_nnodes (self->carts), n_orders = g_queue_get_length (&self->orders), i = 0;
  CartsBuilder cb;
  g_autoptr (GError) error = NULL;
  GBytes *out;

  catalog_fill (self, &catalog);
  snap.catalog = catalog.catalog;
  snap.carts.val = g_new0 (SynodShoppingCartCart, MAX (n_carts, 1));
  snap.carts.len = n_carts;
  cb = (CartsBuilder){ self, snap.carts.val };
  g_tree_foreach (self->carts, add_cart, &cb);
  snap.orders.val = g_new0 (SynodShoppingCartOrder, MAX (n_orders, 1));
  snap.orders.len = n_orders;
  for (GList *l = self->orders.head; l; l = l->next)
    synod_shopping_cart_order_copy (l->data, &snap.orders.val[i++]);
  out = synod_value_encode (&synod_shopping_cart_snapshot_desc, &snap, &error);
  if (out == NULL)
    g_error ("a shopping cart snapshot does not encode: %s", error->message);
  return out;
}

static gboolean
bad_snapshot (GError **error, const gchar *why)
{
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STATE, _ ("Shopping cart snapshot: %s"),
               why);
  return FALSE;
}

static gboolean
cart_restore (SynodStateVariable *sv, GBytes *snapshot, GError **error)
{
  SynodShoppingCart *self = SYNOD_SHOPPING_CART (sv);
  g_auto (SynodShoppingCartSnapshot) snap = { 0 };
  g_autoptr (GTree) catalog = catalog_new ();
  g_autoptr (GTree) carts = carts_new ();
  g_autoptr (GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);

  if (!synod_value_decode (&synod_shopping_cart_snapshot_desc, g_bytes_get_data (snapshot, NULL),
                           g_bytes_get_size (snapshot), &snap, error))
    return FALSE;
  for (guint i = 0; i < snap.catalog.len; i++)
    {
      SynodShoppingCartCatalogItem *c = &snap.catalog.val[i];
      CatalogEntry *e;

      if (!item_is_valid (c->item) || c->price > SYNOD_SHOPPING_CART_MAX_PRICE
          || (i > 0 && strcmp (snap.catalog.val[i - 1].item, c->item) >= 0))
        return bad_snapshot (error, _ ("the catalog is not sorted or out of range"));
      e = g_new0 (CatalogEntry, 1);
      e->price = c->price;
      e->description = g_strdup (nz (c->description));
      g_tree_insert (catalog, g_strdup (c->item), e);
    }
  for (guint i = 0; i < snap.carts.len; i++)
    {
      SynodShoppingCartCart *c = &snap.carts.val[i];
      GTree *lines = lines_new ();

      g_tree_insert (carts, g_strdup (nz (c->user)), lines);
      if ((i > 0 && strcmp (nz (snap.carts.val[i - 1].user), nz (c->user)) >= 0)
          || c->lines.len == 0)
        return bad_snapshot (error, _ ("the carts are not sorted, or one is empty"));
      for (guint j = 0; j < c->lines.len; j++)
        {
          SynodShoppingCartLine *l = &c->lines.val[j];

          if (!item_is_valid (l->item) || l->quantity == 0
              || l->quantity > SYNOD_SHOPPING_CART_MAX_QUANTITY
              || g_tree_lookup (catalog, l->item) == NULL
              || (j > 0 && strcmp (c->lines.val[j - 1].item, l->item) >= 0))
            return bad_snapshot (error, _ ("a cart's lines are not sorted or out of range"));
          g_tree_insert (lines, g_strdup (l->item), GUINT_TO_POINTER (l->quantity));
        }
    }
  for (guint i = 0; i < snap.orders.len; i++)
    if (snap.orders.val[i].number == NULL || !g_hash_table_add (numbers, snap.orders.val[i].number))
      return bad_snapshot (error, _ ("two orders have one number"));

  g_tree_unref (self->catalog);
  self->catalog = g_steal_pointer (&catalog);
  g_tree_unref (self->carts);
  self->carts = g_steal_pointer (&carts);
  orders_clear (self);
  for (guint i = 0; i < snap.orders.len; i++)
    {
      SynodShoppingCartOrder *o = g_new0 (SynodShoppingCartOrder, 1);

      synod_shopping_cart_order_copy (&snap.orders.val[i], o);
      g_queue_push_tail (&self->orders, o);
      g_hash_table_insert (self->orders_by_number, o->number, o);
    }
  self->next_order = snap.next_order;
  /* Prices and totals in a cart are derived: a snapshot whose carts say
   * otherwise was not made by this code. */
  {
    g_autoptr (GBytes) again = cart_snapshot (sv);

    if (!g_bytes_equal (again, snapshot))
      return bad_snapshot (error, _ ("it is not in canonical form"));
  }
  return TRUE;
}

static void
synod_shopping_cart_iface_init (SynodStateVariableInterface *iface)
{
  iface->execute = cart_execute;
  iface->snapshot = cart_snapshot;
  iface->restore = cart_restore;
}

static void
synod_shopping_cart_finalize (GObject *object)
{
  SynodShoppingCart *self = SYNOD_SHOPPING_CART (object);

  g_tree_unref (self->catalog);
  g_tree_unref (self->carts);
  orders_clear (self);
  g_hash_table_unref (self->orders_by_number);
  G_OBJECT_CLASS (synod_shopping_cart_parent_class)->finalize (object);
}

static void
synod_shopping_cart_class_init (SynodShoppingCartClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = synod_shopping_cart_finalize;
}

static void
synod_shopping_cart_init (SynodShoppingCart *self)
{
  self->catalog = catalog_new ();
  self->carts = carts_new ();
  g_queue_init (&self->orders);
  self->orders_by_number = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * synod_shopping_cart_new:
 *
 * Returns: (transfer full): an empty shop: no catalog, no carts, no orders
 */
SynodShoppingCart *
synod_shopping_cart_new (void)
{
  return g_object_new (SYNOD_TYPE_SHOPPING_CART, NULL);
}

guint
synod_shopping_cart_get_n_carts (SynodShoppingCart *self)
{
  g_return_val_if_fail (SYNOD_IS_SHOPPING_CART (self), 0);
  return g_tree_nnodes (self->carts);
}

guint
synod_shopping_cart_get_n_orders (SynodShoppingCart *self)
{
  g_return_val_if_fail (SYNOD_IS_SHOPPING_CART (self), 0);
  return g_queue_get_length (&self->orders);
}

/* ---- operations for clients ---- */

static GBytes *
encode_op (const SynodShoppingCartOp *op)
{
  g_autoptr (GError) error = NULL;
  GBytes *b = synod_value_encode (&synod_shopping_cart_op_desc, op, &error);

  if (b == NULL)
    g_debug ("shopping cart operation does not encode: %s", error->message);
  return b;
}

/* Each returns: (transfer full) (nullable): the operation, or %NULL when an
 * argument breaks the limits of shoppingcart.idl. */
GBytes *
synod_shopping_cart_op_set_price (const gchar *item, guint64 price, const gchar *description)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_SET_PRICE };

  op.u.price.item = (gchar *)item;
  op.u.price.price = price;
  op.u.price.description = (gchar *)description;
  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_add (const gchar *user, const gchar *item, guint32 quantity)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_ADD };

  op.u.add.user = (gchar *)user;
  op.u.add.item = (gchar *)item;
  op.u.add.quantity = quantity;
  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_remove (const gchar *user, const gchar *item, guint32 quantity)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_REMOVE };

  op.u.remove.user = (gchar *)user;
  op.u.remove.item = (gchar *)item;
  op.u.remove.quantity = quantity;
  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_list (const gchar *user)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_LIST, .u.user = (gchar *)user };

  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_checkout (const gchar *user)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_CHECKOUT, .u.user = (gchar *)user };

  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_order (const gchar *number)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_ORDER, .u.order = (gchar *)number };

  return encode_op (&op);
}

GBytes *
synod_shopping_cart_op_catalog (void)
{
  SynodShoppingCartOp op = { .kind = SYNOD_SHOPPING_CART_CART_CATALOG };

  return encode_op (&op);
}

gboolean
synod_shopping_cart_result_parse (GBytes *result, SynodShoppingCartResult *ret_result,
                                  GError **error)
{
  return synod_value_decode (&synod_shopping_cart_result_desc, g_bytes_get_data (result, NULL),
                             g_bytes_get_size (result), ret_result, error);
}
