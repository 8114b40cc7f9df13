/* cart-demo.c — a class implementing Example.Cart on one peer, and a client
 * on another peer calling it through the generated stubs. Built by
 * data/demo.sh against the generated shop.c and catalog.c.
 *
 * Both peers live in this process for the demo: two brokers, each with its
 * network presence on loopback. The client's stub packs its arguments, the
 * broker finds that the service "shop.cart" is provided by the other peer,
 * and the call travels as ONC RPC with its arguments in XDR; the other
 * peer's broker runs the method through the skeleton vtable and the result
 * comes back the same way.
 */#include <stdio.h>
#include <string.h>

#include <synod.h>

#include "shop.h"

/* ---- the class ---------------------------------------------------------- */

typedef struct
{
  guint32 total;
} Cart;

static gboolean
cart_add (gpointer self, SynodCall *call, const gchar *name, guint32 quantity, guint32 *ret_result,
          GError **error)
{
  Cart *cart = self;

  if (quantity == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot add no %s", name);
      return FALSE;
    }
  cart->total += quantity;
  printf ("    [object] Cart.add (\"%s\", %u): the cart now holds %u\n", name, quantity,
          cart->total);
  *ret_result = cart->total;
  return TRUE;
}

/* The class fills in the skeletons; a slot left NULL is "not implemented".
 * Cart inherits Catalog, so the class implements both. */
static const ExampleCartIface cart_vtable = {
  .add = cart_add,
};
static const ExampleCatalogIface catalog_vtable = { 0 };

static void
print_wire (const gchar *what, const SynodTypeDesc *type, gconstpointer value)
{
  g_autoptr (GBytes) bytes = synod_value_encode (type, value, NULL);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  printf ("    [wire] %s, %zu bytes of XDR:", what, len);
  for (gsize i = 0; i < len; i++)
    printf ("%s%02x", i % 4 == 0 ? " " : "", data[i]);
  printf ("\n");
}

/* ---- two peers ---------------------------------------------------------- */

static SynodNetwork *
join (SynodBroker *broker, const gchar *peer, GError **error)
{
  SynodNetworkOptions options;
  const gchar *peers[2] = { peer, NULL };

  synod_network_options_init (&options);
  options.listen = "127.0.0.1:0";
  options.peers = peer ? peers : NULL;
  options.cluster = "demo";
  return synod_network_new (broker, &options, error);
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) shop = synod_broker_new (NULL, &error);
  g_autoptr (SynodBroker) client = synod_broker_new (NULL, &error);
  g_autoptr (SynodClass) klass = synod_class_new ("Example.ShopCart", 1, sizeof (Cart), 0);
  g_autoptr (SynodObject) cart = NULL;
  g_autoptr (SynodNetwork) shop_net = NULL;
  g_autoptr (SynodNetwork) client_net = NULL;
  g_autoptr (SynodRef) target = NULL;
  g_autofree gchar *type = NULL;
  g_autofree gchar *id = NULL;
  guint32 total = 0;

  /* The shop's peer: the class, one object, a service name. */
  synod_class_add_interface (klass, &example_catalog_interface, &catalog_vtable);
  synod_class_add_interface (klass, &example_cart_interface, &cart_vtable);
  if (!synod_broker_register_class (shop, klass, &error)
      || (cart = synod_broker_create_object (shop, "Example.ShopCart", 1, NULL, &error)) == NULL
      || !synod_broker_register_service (shop, "shop.cart", cart, &error)
      || (shop_net = join (shop, NULL, &error)) == NULL)
    {
      fprintf (stderr, "shop: %s\n", error->message);
      return 1;
    }
  id = synod_object_id_to_string (synod_object_get_id (cart));
  printf ("  peer 1 (%s): object %s of class Example.ShopCart;1, service \"shop.cart\"\n",
          synod_network_get_listen_address (shop_net), id);

  /* The client's peer knows the shop's address and nothing else. */
  client_net = join (client, synod_network_get_listen_address (shop_net), &error);
  if (client_net == NULL || !synod_network_wait_peers (client_net, 1, 5000))
    {
      fprintf (stderr, "client: %s\n", error ? error->message : "the shop is not reachable");
      return 1;
    }
  printf ("  peer 2 (%s): connected to peer 1\n\n", synod_network_get_listen_address (client_net));
  target = synod_ref_new_for_name (client, "shop.cart");

  type = g_variant_type_dup_string (synod_type_get_variant_type (EXAMPLE_CART_METHOD_ADD->args));
  printf ("  example_cart_add (target, \"apple\", 3, &total, &error)  -- arguments as GVariant %s\n",
          type);
  {
    ExampleCartAddArgs args = { .name = (gchar *) "apple", .quantity = 3 };
    print_wire ("add", EXAMPLE_CART_METHOD_ADD->args, &args);
  }
  if (!example_cart_add (target, "apple", 3, &total, &error))
    {
      fprintf (stderr, "  -> FALSE: %s\n", error->message);
      return 1;
    }
  printf ("  -> TRUE, total = %u\n", total);

  printf ("  example_cart_add (target, \"pear\", 0, &total, &error)\n");
  if (!example_cart_add (target, "pear", 0, &total, &error))
    printf ("  -> FALSE: %s\n", error->message);
  g_clear_error (&error);

  printf ("  example_cart_list (target, &items, &error)\n");
  {
    g_auto (ExampleItems) items = { 0 };
    if (!example_cart_list (target, &items, &error))
      printf ("  -> FALSE: %s\n", error->message);
  }
  return 0;
}
