/* synod-state-variable.c — the SynodStateVariable interface. */
#include "config.h"

#include "pbft-keyring.h"
#include "synod-state-variable.h"

G_DEFINE_INTERFACE (SynodStateVariable, synod_state_variable, G_TYPE_OBJECT)

static void
default_digest (SynodStateVariable *self, guint8 ret_digest[32])
{
  g_autoptr (GBytes) snapshot = synod_state_variable_snapshot (self);
  gsize len;
  const guint8 *data = g_bytes_get_data (snapshot, &len);

  synod_pbft_sha256 (data, len, ret_digest);
}

static void
synod_state_variable_default_init (SynodStateVariableInterface *iface)
{
  iface->digest = default_digest;
}

/**
 * synod_state_variable_execute:
 * @context: the agreed context of this execution
 * @op: the operation's bytes
 *
 * Returns: (transfer full): the result
 */
GBytes *
synod_state_variable_execute (SynodStateVariable *self, const SynodStateVariableContext *context,
                              GBytes *op)
{
  GBytes *result;

  g_return_val_if_fail (SYNOD_IS_STATE_VARIABLE (self), NULL);
  result = SYNOD_STATE_VARIABLE_GET_IFACE (self)->execute (self, context, op);
  g_return_val_if_fail (result != NULL, g_bytes_new (NULL, 0));
  return result;
}

/**
 * synod_state_variable_snapshot:
 *
 * Returns: (transfer full): the state as bytes
 */
GBytes *
synod_state_variable_snapshot (SynodStateVariable *self)
{
  g_return_val_if_fail (SYNOD_IS_STATE_VARIABLE (self), NULL);
  return SYNOD_STATE_VARIABLE_GET_IFACE (self)->snapshot (self);
}

gboolean
synod_state_variable_restore (SynodStateVariable *self, GBytes *snapshot, GError **error)
{
  g_return_val_if_fail (SYNOD_IS_STATE_VARIABLE (self), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);
  return SYNOD_STATE_VARIABLE_GET_IFACE (self)->restore (self, snapshot, error);
}

void
synod_state_variable_digest (SynodStateVariable *self, guint8 ret_digest[32])
{
  g_return_if_fail (SYNOD_IS_STATE_VARIABLE (self));
  SYNOD_STATE_VARIABLE_GET_IFACE (self)->digest (self, ret_digest);
}
