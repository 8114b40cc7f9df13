/* cart-demo.c — a class implementing Example.Cart, and a client calling it
 * through the generated stubs. Built by data/demo.sh against the generated
 * shop.c and catalog.c.
 *
 * Between the two sits the demo's stand-in for the broker: a loopback that
 * does what a remote call does, in one process. It encodes the stub's
 * argument struct to XDR with the method's descriptor, decodes it on the
 * "receiving side", calls the class through the method's invoker and the
 * skeleton vtable, and sends the result back through XDR the same way.
 */
#include <stdio.h>
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

/* The class fills in the skeleton; a slot left NULL is "not implemented". */
static const ExampleCartIface cart_vtable = {
  .add = cart_add,
};

/* ---- the demo's loopback in place of the broker ------------------------- */

typedef struct
{
  gpointer instance;
  gconstpointer vtable;
} LocalObject;

static void
print_wire (const gchar *what, GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  printf ("    [wire] %s, %zu bytes of XDR:", what, len);
  for (gsize i = 0; i < len; i++)
    printf ("%s%02x", i % 4 == 0 ? " " : "", data[i]);
  printf ("\n");
}

gboolean
synod_invoke_sync (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                   gpointer ret, GError **error)
{
  LocalObject *obj = (LocalObject *)target;
  g_autoptr (GBytes) request = NULL, reply = NULL;
  g_autofree gpointer received = g_malloc0 (method->args->c_size);
  g_autofree gpointer result = g_malloc0 (MAX (method->result->c_size, 1));
  gboolean ok;

  request = synod_value_encode (method->args, args, error);
  if (request == NULL)
    return FALSE;
  print_wire (method->name, request);
  if (!synod_value_decode (method->args, g_bytes_get_data (request, NULL),
                           g_bytes_get_size (request), received, error))
    return FALSE;
  ok = method->invoke (obj->vtable, obj->instance, NULL, received, result, error);
  synod_value_clear (method->args, received);
  if (!ok)
    return FALSE;
  reply = synod_value_encode (method->result, result, error);
  synod_value_clear (method->result, result);
  if (reply == NULL)
    return FALSE;
  print_wire ("result", reply);
  return ret == NULL
         || synod_value_decode (method->result, g_bytes_get_data (reply, NULL),
                                g_bytes_get_size (reply), ret, error);
}

gboolean
synod_invoke_oneway (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                     GError **error)
{
  return synod_invoke_sync (target, method, args, NULL, error);
}

/* The demo makes no asynchronous calls. */
void
synod_invoke_async (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_assert_not_reached ();
}

gboolean
synod_invoke_finish (SynodRef *target, GAsyncResult *result, gpointer ret, GError **error)
{
  g_assert_not_reached ();
  return FALSE;
}

/* ---- the client --------------------------------------------------------- */

int
main (void)
{
  Cart cart = { 0 };
  LocalObject obj = { &cart, &cart_vtable };
  SynodRef *target = (SynodRef *)&obj;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *type = NULL;
  guint32 total = 0;

  type = g_variant_type_dup_string (synod_type_get_variant_type (EXAMPLE_CART_METHOD_ADD->args));
  printf (
      "  example_cart_add (target, \"apple\", 3, &total, &error)  -- arguments as GVariant %s\n",
      type);
  if (!example_cart_add (target, "apple", 3, &total, &error))
    return 1;
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
