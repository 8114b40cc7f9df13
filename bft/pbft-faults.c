/* pbft-faults.c — the misbehaviours of an injected faulty replica. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pbft-faults.h"
#include "pbft-private.h"
#include "pbft-replica.h"
#include "synod-bft-error.h"
#include "synod-key-value.h"
#include "synod-shopping-cart.h"

static const struct
{
  SynodBftFaultKind kind;
  const gchar *name;
  gboolean has_count;
  gboolean has_delay;
} fault_names[] = {
  { SYNOD_BFT_FAULT_NONE, "none", FALSE, FALSE },
  { SYNOD_BFT_FAULT_CRASH_AFTER, "crash-after", TRUE, FALSE },
  { SYNOD_BFT_FAULT_SILENT, "silent", FALSE, FALSE },
  { SYNOD_BFT_FAULT_SLOW, "slow", FALSE, TRUE },
  { SYNOD_BFT_FAULT_LYING, "lying", FALSE, FALSE },
  { SYNOD_BFT_FAULT_EQUIVOCATING, "equivocating", FALSE, FALSE },
  { SYNOD_BFT_FAULT_CORRUPT_STATE, "corrupt-state", TRUE, FALSE },
};

/**
 * synod_bft_fault_parse:
 * @text: "none", "silent", "lying", "equivocating", "crash-after=N",
 *   "slow=MS" or "corrupt-state[=N]" (every N executions, default 1)
 * @ret_fault: (out caller-allocates): the fault
 *
 * Returns: %FALSE with %SYNOD_BFT_ERROR_INVALID_CONFIG for anything else
 */
gboolean
synod_bft_fault_parse (const gchar *text, SynodBftFault *ret_fault, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", "=", 2);
  SynodBftFault fault = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (fault_names); i++)
    {
      guint64 value = 0;

      if (parts[0] == NULL || strcmp (parts[0], fault_names[i].name) != 0)
        continue;
      fault.kind = fault_names[i].kind;
      if (parts[1] != NULL)
        {
          if ((!fault_names[i].has_count && !fault_names[i].has_delay)
              || !g_ascii_string_to_unsigned (parts[1], 10, fault_names[i].has_count ? 1 : 0,
                                              fault_names[i].has_count ? G_MAXUINT64 : 600000,
                                              &value, NULL))
            break;
        }
      else if (fault.kind == SYNOD_BFT_FAULT_CRASH_AFTER || fault.kind == SYNOD_BFT_FAULT_SLOW)
        break;
      else
        value = 1;
      if (fault_names[i].has_count)
        fault.count = value;
      if (fault_names[i].has_delay)
        fault.delay_ms = value;
      *ret_fault = fault;
      return TRUE;
    }
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
               _ ("Unknown fault “%s”: use none, silent, lying, equivocating, crash-after=N, "
                  "slow=MS or corrupt-state[=N]"),
               text ? text : "");
  return FALSE;
}

gchar *
synod_bft_fault_to_string (const SynodBftFault *fault)
{
  for (guint i = 0; i < G_N_ELEMENTS (fault_names); i++)
    if (fault_names[i].kind == fault->kind)
      {
        if (fault->kind == SYNOD_BFT_FAULT_NONE)
          return g_strdup ("");
        if (fault_names[i].has_count)
          return g_strdup_printf ("%s=%" G_GUINT64_FORMAT, fault_names[i].name, fault->count);
        if (fault_names[i].has_delay)
          return g_strdup_printf ("%s=%u", fault_names[i].name, fault->delay_ms);
        return g_strdup (fault_names[i].name);
      }
  return g_strdup ("?");
}

static GBytes *
reseal (SynodPbftKeyring *keys, const SynodPbftConfig *config, SynodPbftEnvelope *env, guint32 to)
{
  return pbft_seal (keys, &env->message, env->auth.kind, to == SYNOD_PBFT_TO_REPLICAS ? 0 : to,
                    synod_pbft_config_n (config), NULL);
}

GBytes *
pbft_fault_lie (SynodPbftKeyring *keys, const SynodPbftConfig *config, GBytes *data, guint32 to)
{
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];
  SynodPbftReply *rep;
  g_autoptr (GBytes) st = NULL;
  guint8 *v;

  if (!pbft_open (g_bytes_get_data (data, NULL), g_bytes_get_size (data), G_MAXSIZE, &env, digest,
                  NULL)
      || env.message.body.type != SYNOD_PBFT_MSG_REPLY)
    return NULL;
  rep = &env.message.body.u.reply;
  if (rep->result.len >= SYNOD_PBFT_MAX_RESULT_SIZE)
    rep->result.len--;
  /* Every liar tells the same lie, the strongest attack. */
  v = g_malloc (rep->result.len + 1);
  for (guint i = 0; i < rep->result.len; i++)
    v[i] = rep->result.val[i] ^ 0x5a;
  v[rep->result.len] = 0xee;
  g_free (rep->result.val);
  rep->result.val = v;
  rep->result.len++;
  if (rep->signature.len == 64 && pbft_reply_statement_encode (config->service, rep, &st))
    synod_pbft_keyring_sign (keys, g_bytes_get_data (st, NULL), g_bytes_get_size (st),
                             rep->signature.val);
  return reseal (keys, config, &env, to);
}

GBytes *
pbft_fault_equivocate (SynodPbftKeyring *keys, const SynodPbftConfig *config, GBytes *data)
{
  g_auto (SynodPbftEnvelope) env = { 0 };
  guint8 digest[32];

  if (!pbft_open (g_bytes_get_data (data, NULL), g_bytes_get_size (data), G_MAXSIZE, &env, digest,
                  NULL)
      || env.message.body.type != SYNOD_PBFT_MSG_PRE_PREPARE)
    return NULL;
  env.message.body.u.pre_prepare.batch.nondet.timestamp += 1;
  return reseal (keys, config, &env, SYNOD_PBFT_TO_REPLICAS);
}

void
pbft_fault_corrupt_state (SynodStateVariable *state, GBytes *last_op)
{
  SynodStateVariableContext ctx = { 0 };
  g_autoptr (GBytes) op = NULL;
  g_autoptr (GBytes) result = NULL;

  if (SYNOD_IS_KEY_VALUE (state))
    op = synod_key_value_op_put ("k0", (const guint8 *)"corrupt", 7);
  else if (SYNOD_IS_COUNTER (state))
    op = synod_counter_op_add (1000);
  else if (SYNOD_IS_SHOPPING_CART (state))
    op = synod_shopping_cart_op_set_price ("corrupt", 1, "not on sale anywhere else");
  else if (last_op != NULL)
    op = g_bytes_ref (last_op);
  if (op != NULL)
    result = synod_state_variable_execute (state, &ctx, op);
}
