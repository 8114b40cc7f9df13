/* The shopping cart state variable of the demo site. */
#include "config.h"

#include <string.h>

#include "synod-bft-error.h"
#include "synod-shopping-cart.h"

typedef struct
{
  SynodShoppingCart *cart;
  SynodStateVariableContext ctx;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->cart = synod_shopping_cart_new ();
  f->ctx.timestamp = (guint64)1718000000 * G_USEC_PER_SEC; /* 2024-06-10 06:13:20 UTC */
  f->ctx.seed[0] = 0xab;
  f->ctx.seed[1] = 0xcd;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_object_unref (f->cart);
}

/* Runs @op (consumed) and returns its parsed result. */
static SynodShoppingCartResult
run_full (SynodShoppingCart *cart, const SynodStateVariableContext *ctx, GBytes *op,
          gboolean read_only)
{
  SynodStateVariableContext c = *ctx;
  g_autoptr (GBytes) owned G_GNUC_UNUSED = op;
  g_autoptr (GBytes) result = NULL;
  SynodShoppingCartResult r = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (op);
  c.read_only = read_only;
  result = synod_state_variable_execute (SYNOD_STATE_VARIABLE (cart), &c, op);
  g_assert_true (synod_shopping_cart_result_parse (result, &r, &error));
  g_assert_no_error (error);
  return r;
}

static SynodShoppingCartResult
run (Fixture *f, GBytes *op)
{
  return run_full (f->cart, &f->ctx, op, FALSE);
}

static void
stock (Fixture *f)
{
  g_auto (SynodShoppingCartResult) a G_GNUC_UNUSED
      = run (f, synod_shopping_cart_op_set_price ("apple", 120, "A red apple"));
  g_auto (SynodShoppingCartResult) b
      = run (f, synod_shopping_cart_op_set_price ("pear", 250, "A ripe pear"));

  g_assert_cmpint (b.status, ==, SYNOD_SHOPPING_CART_CART_OK);
  g_assert_cmpuint (b.catalog.len, ==, 2);
  g_assert_cmpstr (b.catalog.val[0].item, ==, "apple");
  g_assert_cmpstr (b.catalog.val[1].item, ==, "pear");
}

static void
test_cart_ops (Fixture *f, gconstpointer data)
{
  g_test_summary ("Add, remove and list: carts are per user, lines sorted by item, priced "
                  "from the catalog; unknown items and absent lines are refused.");
  stock (f);
  {
    g_auto (SynodShoppingCartResult) r = run (f, synod_shopping_cart_op_add ("ann", "plum", 1));

    g_assert_cmpint (r.status, ==, SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM);
    g_assert_null (r.cart);
  }
  {
    g_auto (SynodShoppingCartResult) r1 = run (f, synod_shopping_cart_op_add ("ann", "pear", 2));
    g_auto (SynodShoppingCartResult) r2 G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("ann", "apple", 3));
    g_auto (SynodShoppingCartResult) r3 = run (f, synod_shopping_cart_op_add ("ann", "pear", 1));
    g_auto (SynodShoppingCartResult) bob = run (f, synod_shopping_cart_op_add ("bob", "apple", 1));

    g_assert_cmpint (r1.status, ==, SYNOD_SHOPPING_CART_CART_OK);
    g_assert_cmpuint (r3.cart->lines.len, ==, 2);
    g_assert_cmpstr (r3.cart->lines.val[0].item, ==, "apple");
    g_assert_cmpuint (r3.cart->lines.val[0].quantity, ==, 3);
    g_assert_cmpuint (r3.cart->lines.val[1].quantity, ==, 3);
    g_assert_cmpuint (r3.cart->total, ==, 3 * 120 + 3 * 250);
    g_assert_cmpuint (bob.cart->total, ==, 120);
    g_assert_cmpuint (synod_shopping_cart_get_n_carts (f->cart), ==, 2);
  }
  {
    g_auto (SynodShoppingCartResult) r1 = run (f, synod_shopping_cart_op_remove ("ann", "pear", 2));
    g_auto (SynodShoppingCartResult) r2 = run (f, synod_shopping_cart_op_remove ("ann", "plum", 1));
    g_auto (SynodShoppingCartResult) r3
        = run (f, synod_shopping_cart_op_remove ("ann", "apple", 0));
    g_auto (SynodShoppingCartResult) r4
        = run_full (f->cart, &f->ctx, synod_shopping_cart_op_list ("ann"), TRUE);

    g_assert_cmpuint (r1.cart->total, ==, 3 * 120 + 250);
    g_assert_cmpint (r2.status, ==, SYNOD_SHOPPING_CART_CART_NOT_IN_CART);
    g_assert_cmpuint (r3.cart->lines.len, ==, 1);
    g_assert_cmpstr (r4.cart->lines.val[0].item, ==, "pear");
    g_assert_cmpuint (r4.cart->lines.val[0].quantity, ==, 1);
  }
  {
    /* A price change shows in carts at once. */
    g_auto (SynodShoppingCartResult) p G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_set_price ("pear", 300, "A ripe pear"));
    g_auto (SynodShoppingCartResult) l = run (f, synod_shopping_cart_op_list ("ann"));

    g_assert_cmpuint (l.cart->total, ==, 300);
  }
}

static void
test_checkout (Fixture *f, gconstpointer data)
{
  g_autofree gchar *number = NULL;

  g_test_summary ("Checkout turns a cart into an order whose number is made of the agreed "
                  "timestamp, a counter and the agreed seed; the order keeps its prices, can "
                  "be looked up, and the cart is empty after.");
  stock (f);
  {
    g_auto (SynodShoppingCartResult) empty = run (f, synod_shopping_cart_op_checkout ("ann"));

    g_assert_cmpint (empty.status, ==, SYNOD_SHOPPING_CART_CART_EMPTY);
  }
  {
    g_auto (SynodShoppingCartResult) a G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("ann", "pear", 2));
    g_auto (SynodShoppingCartResult) o = run (f, synod_shopping_cart_op_checkout ("ann"));

    g_assert_cmpint (o.status, ==, SYNOD_SHOPPING_CART_CART_OK);
    g_assert_nonnull (o.order);
    g_assert_cmpstr (o.order->number, ==, "20240610-000001-abcd");
    g_assert_cmpstr (o.order->user, ==, "ann");
    g_assert_cmpuint (o.order->total, ==, 500);
    g_assert_cmpuint (o.order->timestamp, ==, f->ctx.timestamp);
    number = g_strdup (o.order->number);
  }
  {
    g_auto (SynodShoppingCartResult) p G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_set_price ("pear", 999, "Dear pear"));
    g_auto (SynodShoppingCartResult) o
        = run_full (f->cart, &f->ctx, synod_shopping_cart_op_order (number), TRUE);
    g_auto (SynodShoppingCartResult) none
        = run (f, synod_shopping_cart_op_order ("20240610-000002-abcd"));
    g_auto (SynodShoppingCartResult) l = run (f, synod_shopping_cart_op_list ("ann"));

    g_assert_cmpuint (o.order->total, ==, 500);
    g_assert_cmpuint (o.order->lines.val[0].price, ==, 250);
    g_assert_cmpint (none.status, ==, SYNOD_SHOPPING_CART_CART_NO_SUCH_ORDER);
    g_assert_cmpuint (l.cart->lines.len, ==, 0);
  }
  {
    g_auto (SynodShoppingCartResult) a G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("ann", "apple", 1));
    g_auto (SynodShoppingCartResult) o = { 0 };

    f->ctx.seed[0] = 0x01;
    f->ctx.seed[1] = 0x02;
    o = run (f, synod_shopping_cart_op_checkout ("ann"));
    g_assert_cmpstr (o.order->number, ==, "20240610-000002-0102");
    g_assert_cmpuint (synod_shopping_cart_get_n_orders (f->cart), ==, 2);
  }
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) garbage = g_bytes_new_static ("\x00\x00\x00\x09junk", 8);
  g_autofree gchar *long_item = g_strnfill (SYNOD_SHOPPING_CART_MAX_ITEM + 1, 'x');

  g_test_summary ("Writes submitted read-only, garbage, out-of-range quantities and prices, "
                  "and a full catalog are refused in the result, changing nothing.");
  stock (f);
  {
    g_auto (SynodShoppingCartResult) ro
        = run_full (f->cart, &f->ctx, synod_shopping_cart_op_add ("ann", "pear", 1), TRUE);
    g_auto (SynodShoppingCartResult) ro2
        = run_full (f->cart, &f->ctx, synod_shopping_cart_op_checkout ("ann"), TRUE);
    g_auto (SynodShoppingCartResult) bad
        = run_full (f->cart, &f->ctx, g_bytes_ref (garbage), FALSE);
    g_auto (SynodShoppingCartResult) zero = run (f, synod_shopping_cart_op_add ("ann", "pear", 0));
    g_auto (SynodShoppingCartResult) huge
        = run (f, synod_shopping_cart_op_add ("ann", "pear", SYNOD_SHOPPING_CART_MAX_QUANTITY + 1));
    g_auto (SynodShoppingCartResult) pricey
        = run (f, synod_shopping_cart_op_set_price ("gold", SYNOD_SHOPPING_CART_MAX_PRICE + 1, ""));
    g_auto (SynodShoppingCartResult) nouser = run (f, synod_shopping_cart_op_add ("", "pear", 1));

    g_assert_cmpint (ro.status, ==, SYNOD_SHOPPING_CART_CART_READ_ONLY);
    g_assert_cmpint (ro2.status, ==, SYNOD_SHOPPING_CART_CART_READ_ONLY);
    g_assert_cmpint (bad.status, ==, SYNOD_SHOPPING_CART_CART_BAD_OP);
    g_assert_cmpint (zero.status, ==, SYNOD_SHOPPING_CART_CART_BAD_OP);
    g_assert_cmpint (huge.status, ==, SYNOD_SHOPPING_CART_CART_BAD_OP);
    g_assert_cmpint (pricey.status, ==, SYNOD_SHOPPING_CART_CART_BAD_OP);
    g_assert_cmpint (nouser.status, ==, SYNOD_SHOPPING_CART_CART_BAD_OP);
    g_assert_cmpuint (synod_shopping_cart_get_n_carts (f->cart), ==, 0);
  }
  g_assert_null (synod_shopping_cart_op_add ("ann", long_item, 1));
  for (guint i = 2; i < SYNOD_SHOPPING_CART_MAX_CATALOG; i++)
    {
      g_autofree gchar *item = g_strdup_printf ("item-%03u", i);
      g_auto (SynodShoppingCartResult) r = run (f, synod_shopping_cart_op_set_price (item, i, ""));

      g_assert_cmpint (r.status, ==, SYNOD_SHOPPING_CART_CART_OK);
    }
  {
    g_auto (SynodShoppingCartResult) full
        = run (f, synod_shopping_cart_op_set_price ("one-too-many", 1, ""));
    g_auto (SynodShoppingCartResult) cat = run (f, synod_shopping_cart_op_catalog ());

    g_assert_cmpint (full.status, ==, SYNOD_SHOPPING_CART_CART_LIMIT);
    g_assert_cmpuint (cat.catalog.len, ==, SYNOD_SHOPPING_CART_MAX_CATALOG);
  }
}

static void
test_snapshot (Fixture *f, gconstpointer data)
{
  g_autoptr (SynodShoppingCart) copy = synod_shopping_cart_new ();
  g_autoptr (GBytes) snap = NULL, again = NULL;
  g_autoptr (GError) error = NULL;
  guint8 d1[32], d2[32];

  g_test_summary ("A snapshot restores to an equal state (equal snapshot, equal digest) that "
                  "goes on to give equal results; damaged or non-canonical snapshots are "
                  "refused.");
  stock (f);
  {
    g_auto (SynodShoppingCartResult) a G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("bob", "pear", 2));
    g_auto (SynodShoppingCartResult) b G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("ann", "apple", 1));
    g_auto (SynodShoppingCartResult) o G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_checkout ("bob"));
    g_auto (SynodShoppingCartResult) c G_GNUC_UNUSED
        = run (f, synod_shopping_cart_op_add ("cy", "pear", 4));
  }
  snap = synod_state_variable_snapshot (SYNOD_STATE_VARIABLE (f->cart));
  g_assert_true (synod_state_variable_restore (SYNOD_STATE_VARIABLE (copy), snap, &error));
  g_assert_no_error (error);
  again = synod_state_variable_snapshot (SYNOD_STATE_VARIABLE (copy));
  g_assert_true (g_bytes_equal (snap, again));
  synod_state_variable_digest (SYNOD_STATE_VARIABLE (f->cart), d1);
  synod_state_variable_digest (SYNOD_STATE_VARIABLE (copy), d2);
  g_assert_cmpmem (d1, 32, d2, 32);
  {
    g_auto (SynodShoppingCartResult) r1 = run (f, synod_shopping_cart_op_checkout ("cy"));
    g_auto (SynodShoppingCartResult) r2
        = run_full (copy, &f->ctx, synod_shopping_cart_op_checkout ("cy"), FALSE);

    g_assert_cmpstr (r1.order->number, ==, r2.order->number);
    g_assert_cmpstr (r1.order->number, ==, "20240610-000002-abcd");
  }

  /* Damaged: truncated, and a cart whose total is not the catalog's. */
  {
    g_autoptr (GBytes) cut = g_bytes_new_from_bytes (snap, 0, g_bytes_get_size (snap) - 4);
    g_auto (SynodShoppingCartSnapshot) s = { 0 };
    g_autoptr (GBytes) forged = NULL;

    g_assert_false (synod_state_variable_restore (SYNOD_STATE_VARIABLE (copy), cut, &error));
    g_clear_error (&error);
    g_assert_true (synod_value_decode (&synod_shopping_cart_snapshot_desc,
                                       g_bytes_get_data (snap, NULL), g_bytes_get_size (snap), &s,
                                       NULL));
    g_assert_cmpuint (s.carts.len, >, 0);
    s.carts.val[0].total += 1;
    forged = synod_value_encode (&synod_shopping_cart_snapshot_desc, &s, NULL);
    g_assert_false (synod_state_variable_restore (SYNOD_STATE_VARIABLE (copy), forged, &error));
    g_assert_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STATE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/bft/cart/operations", Fixture, NULL, fixture_set_up, test_cart_ops,
              fixture_tear_down);
  g_test_add ("/bft/cart/checkout", Fixture, NULL, fixture_set_up, test_checkout,
              fixture_tear_down);
  g_test_add ("/bft/cart/refusals", Fixture, NULL, fixture_set_up, test_refusals,
              fixture_tear_down);
  g_test_add ("/bft/cart/snapshot", Fixture, NULL, fixture_set_up, test_snapshot,
              fixture_tear_down);
  return g_test_run ();
}
