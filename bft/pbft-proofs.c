/* pbft-proofs.c — checks of the transferable proofs: stable checkpoint
 * certificates and view-change messages. */
#include "config.h"

#include <string.h>

#include "pbft-private.h"

gboolean
pbft_checkpoint_proof_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                             const SynodPbftCheckpointProof *proof)
{
  static const guint8 zero[32] = { 0 };
  guint n = synod_pbft_config_n (config);
  guint64 seen = 0;
  SynodPbftBody body = { .type = SYNOD_PBFT_MSG_CHECKPOINT };

  if (proof->seq == 0)
    return proof->signatures.len == 0 && memcmp (proof->digest, zero, 32) == 0;
  if (proof->seq % config->checkpoint_interval != 0 || proof->signatures.len < 2 * config->f + 1
      || proof->signatures.len > n)
    return FALSE;
  body.u.checkpoint.seq = proof->seq;
  memcpy (body.u.checkpoint.digest, proof->digest, 32);
  for (guint i = 0; i < proof->signatures.len; i++)
    {
      const SynodPbftCheckpointSignature *s = &proof->signatures.val[i];

      if (s->replica >= n || (seen & (G_GUINT64_CONSTANT (1) << s->replica)) != 0)
        return FALSE;
      seen |= G_GUINT64_CONSTANT (1) << s->replica;
      if (!pbft_verify_message_signature (keys, config->service, s->replica, &body, s->signature))
        return FALSE;
    }
  return TRUE;
}

gboolean
pbft_view_change_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                        const SynodPbftViewChange *vc)
{
  guint64 h = vc->stable.seq;
  guint64 top = h + config->window;
  guint run = 0;

  if (!pbft_checkpoint_proof_check (keys, config, &vc->stable))
    return FALSE;
  for (guint i = 0; i < vc->prepared.len; i++)
    {
      const SynodPbftLogClaim *p = &vc->prepared.val[i];

      if (p->seq <= h || p->seq > top || p->view >= vc->view
          || (i > 0 && vc->prepared.val[i - 1].seq >= p->seq))
        return FALSE;
    }
  for (guint i = 0; i < vc->preprepared.len; i++)
    {
      const SynodPbftLogClaim *q = &vc->preprepared.val[i];

      if (q->seq <= h || q->seq > top || q->view >= vc->view)
        return FALSE;
      if (i > 0 && vc->preprepared.val[i - 1].seq > q->seq)
        return FALSE;
      run = (i > 0 && vc->preprepared.val[i - 1].seq == q->seq) ? run + 1 : 1;
      if (run > SYNOD_PBFT_MAX_QSET)
        return FALSE;
    }
  return TRUE;
}
