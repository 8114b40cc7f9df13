/* synod-shopping-cart.h — the demo site's state variable: a catalog, a cart
 * per user and orders (the XDR types of bft/shoppingcart.idl), with helpers
 * that build its operations and read its results. */
#pragma once

#include <synod.h>

#include "shoppingcart.h"
#include "synod-state-variable.h"

G_BEGIN_DECLS

#define SYNOD_TYPE_SHOPPING_CART (synod_shopping_cart_get_type ())
G_DECLARE_FINAL_TYPE (SynodShoppingCart, synod_shopping_cart, SYNOD, SHOPPING_CART, GObject)

SynodShoppingCart *synod_shopping_cart_new (void);
guint synod_shopping_cart_get_n_carts (SynodShoppingCart *self);
guint synod_shopping_cart_get_n_orders (SynodShoppingCart *self);

GBytes *synod_shopping_cart_op_set_price (const gchar *item, guint64 price,
                                          const gchar *description);
GBytes *synod_shopping_cart_op_add (const gchar *user, const gchar *item, guint32 quantity);
GBytes *synod_shopping_cart_op_remove (const gchar *user, const gchar *item, guint32 quantity);
GBytes *synod_shopping_cart_op_list (const gchar *user);
GBytes *synod_shopping_cart_op_checkout (const gchar *user);
GBytes *synod_shopping_cart_op_order (const gchar *number);
GBytes *synod_shopping_cart_op_catalog (void);
gboolean synod_shopping_cart_result_parse (GBytes *result, SynodShoppingCartResult *ret_result,
                                           GError **error);

G_END_DECLS
