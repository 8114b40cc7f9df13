/* bft-common.c — service names, creation parameters and state variables
 * of the BFT classes. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bft-classes.h"
#include "synod-bft-error.h"
#include "synod-key-value.h"
#include "synod-shopping-cart.h"

/**
 * synod_bft_replica_name:
 *
 * Returns: (transfer full): "bft.SERVICE.replica.I", the service name of
 *   replica @replica's ReplicaServer
 */
gchar *
synod_bft_replica_name (const gchar *service, guint replica)
{
  return g_strdup_printf ("bft.%s.replica.%u", service, replica);
}

/**
 * synod_bft_coordinator_name:
 *
 * Returns: (transfer full): "bft.SERVICE.coordinator", the name every
 *   Coordinator of the service registers (a peer resolves it to its own)
 */
gchar *
synod_bft_coordinator_name (const gchar *service)
{
  return g_strdup_printf ("bft.%s.coordinator", service);
}

/**
 * synod_bft_client_name:
 *
 * Returns: (transfer full): "bft.SERVICE.client.J", the name of the
 *   Coordinator that holds the keys of client node J (node id n + J),
 *   where replicas send their replies
 */
gchar *
synod_bft_client_name (const gchar *service, guint client)
{
  return g_strdup_printf ("bft.%s.client.%u", service, client);
}

/* ---- state variables ---- */

static const struct
{
  const gchar *name;
  GType (*get_type) (void);
} state_variables[] = {
  { "Synod.KeyValue", synod_key_value_get_type },
  { "Synod.Counter", synod_counter_get_type },
  { "Synod.ShoppingCart", synod_shopping_cart_get_type },
};

/**
 * synod_bft_list_state_variables:
 *
 * Returns: (transfer none): the names a ReplicaServer's `state-variable`
 *   parameter accepts
 */
const gchar *const *
synod_bft_list_state_variables (void)
{
  static const gchar *names[G_N_ELEMENTS (state_variables) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (state_variables); i++)
    names[i] = state_variables[i].name;
  return names;
}

/**
 * synod_bft_state_variable_new:
 * @name: a state variable class ("Synod.KeyValue", "Synod.Counter",
 *   "Synod.ShoppingCart")
 *
 * Returns: (transfer full): a new state variable in its initial state
 */
SynodStateVariable *
synod_bft_state_variable_new (const gchar *name, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_variables); i++)
    if (strcmp (name, state_variables[i].name) == 0)
      return g_object_new (state_variables[i].get_type (), NULL);
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
               _ ("Unknown state variable class “%s” (known: Synod.KeyValue, Synod.Counter, "
                  "Synod.ShoppingCart)"),
               name);
  return NULL;
}

/* ---- parameters ---- */

gboolean
bft_params_check (GVariant *params, const gchar *class_name, const gchar *const *known,
                  GError **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  if (params == NULL)
    return TRUE;
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("%s takes its parameters as a dictionary {'name': <value>, ...}"),
                   class_name);
      return FALSE;
    }
  g_variant_iter_init (&iter, params);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    if (!g_strv_contains (known, key))
      {
        g_autofree gchar *list = g_strjoinv (", ", (gchar **)known);

        g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                     _ ("%s has no parameter “%s” (it has %s)"), class_name, key, list);
        g_variant_unref (value);
        return FALSE;
      }
  return TRUE;
}

static GVariant *
lookup (GVariant *params, const gchar *key)
{
  return params ? g_variant_lookup_value (params, key, NULL) : NULL;
}

gboolean
bft_param_string (GVariant *params, const gchar *key, gboolean required, gchar **ret,
                  GError **error)
{
  g_autoptr (GVariant) v = lookup (params, key);

  if (v == NULL)
    {
      if (required)
        g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                     _ ("The parameter “%s” is required"), key);
      return !required;
    }
  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The parameter “%s” is a string"), key);
      return FALSE;
    }
  g_free (*ret);
  *ret = g_variant_dup_string (v, NULL);
  return TRUE;
}

gboolean
bft_param_uint (GVariant *params, const gchar *key, guint64 min, guint64 max, guint64 *ret,
                GError **error)
{
  g_autoptr (GVariant) v = lookup (params, key);
  gint64 s = 0;
  guint64 u = 0;
  gboolean is_signed = TRUE;

  if (v == NULL)
    return TRUE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    s = g_variant_get_int32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    s = g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT16))
    s = g_variant_get_int16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    u = g_variant_get_uint32 (v), is_signed = FALSE;
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    u = g_variant_get_uint64 (v), is_signed = FALSE;
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    u = g_variant_get_uint16 (v), is_signed = FALSE;
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTE))
    u = g_variant_get_byte (v), is_signed = FALSE;
  else
    goto bad;
  if (is_signed)
    {
      if (s < 0)
        goto bad;
      u = (guint64)s;
    }
  if (u < min || u > max)
    goto bad;
  *ret = u;
  return TRUE;
bad:
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
               _ ("The parameter “%s” is a number from %" PRIu64 " to %" PRIu64), key, min, max);
  return FALSE;
}

gboolean
bft_param_bool (GVariant *params, const gchar *key, gboolean *ret, GError **error)
{
  g_autoptr (GVariant) v = lookup (params, key);

  if (v == NULL)
    return TRUE;
  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The parameter “%s” is true or false"), key);
      return FALSE;
    }
  *ret = g_variant_get_boolean (v);
  return TRUE;
}

SynodObject *
bft_wait_for_object (SynodBroker *broker, const SynodObjectId *id, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  SynodObject *object;

  while ((object = synod_broker_lookup_object (broker, id)) == NULL
         && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  return object;
}

/**
 * synod_bft_register_classes:
 * @broker: a broker
 *
 * Registers Synod.Bft.ReplicaServer, Synod.Bft.Coordinator and
 * Synod.Bft.Unreplicated (version 1) with @broker: what the synod-bft
 * plugin does when loaded.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_bft_register_classes (SynodBroker *broker, GError **error)
{
  return bft_replica_server_register (broker, error) && bft_coordinator_register (broker, error)
         && bft_unreplicated_register (broker, error);
}
