/* pbft-decide.c — which requests survive a view change.
 *
 * With MAC-authenticated normal-case messages no replica can prove to a
 * third party that a request prepared, so the new primary cannot just
 * collect prepared certificates. Castro and Liskov's rule instead weighs
 * the signed claims of 2f+1 replicas, knowing at most f of them lie. For
 * each sequence number n above the chosen checkpoint, digest d is chosen
 * when some replica claims it prepared (n, d) in view v and
 *   A1: 2f+1 replicas claim nothing prepared at n, or something prepared
 *       in a lower view, or (d, v) itself; and
 *   A2: f+1 replicas claim they pre-prepared (n, d) in view v or later;
 * the null batch is chosen when 2f+1 replicas claim nothing prepared at n.
 * A request committed anywhere prepared at f+1 correct replicas, which A1
 * and A2 then cannot miss; a liar cannot reach f+1 on its own. */
#include "config.h"

#include <string.h>

#include "pbft-private.h"

static const SynodPbftLogClaim *
find_prepared (const SynodPbftViewChange *vc, guint64 seq)
{
  guint lo = 0, hi = vc->prepared.len;

  /* P sets are sorted by sequence number (checked on receipt). */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (vc->prepared.val[mid].seq < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < vc->prepared.len && vc->prepared.val[lo].seq == seq)
    return &vc->prepared.val[lo];
  return NULL;
}

static gboolean
has_preprepared (const SynodPbftViewChange *vc, guint64 seq, const guint8 *digest, guint64 view)
{
  for (guint i = 0; i < vc->preprepared.len; i++)
    {
      const SynodPbftLogClaim *q = &vc->preprepared.val[i];

      if (q->seq == seq && q->view >= view && memcmp (q->digest, digest, 32) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
pbft_decide_new_view (guint f, const SynodPbftSignedViewChange *vcs, guint n_vcs,
                      guint *ret_checkpoint, GArray **ret_choices)
{
  guint best = 0;
  guint64 h, max_seq;
  g_autoptr (GArray) choices = g_array_new (FALSE, TRUE, sizeof (PbftChoice));

  if (n_vcs < 2 * f + 1)
    return FALSE;
  for (guint i = 1; i < n_vcs; i++)
    if (vcs[i].view_change.stable.seq > vcs[best].view_change.stable.seq)
      best = i;
  h = vcs[best].view_change.stable.seq;
  max_seq = h;
  for (guint i = 0; i < n_vcs; i++)
    {
      const SynodPbftViewChange *vc = &vcs[i].view_change;

      if (vc->prepared.len > 0 && vc->prepared.val[vc->prepared.len - 1].seq > max_seq)
        max_seq = vc->prepared.val[vc->prepared.len - 1].seq;
    }

  for (guint64 n = h + 1; n <= max_seq; n++)
    {
      const SynodPbftLogClaim *chosen = NULL;
      guint empty = 0;

      for (guint i = 0; i < n_vcs; i++)
        {
          const SynodPbftLogClaim *p = find_prepared (&vcs[i].view_change, n);
          guint a1 = 0, a2 = 0;

          if (p == NULL)
            {
              empty++;
              continue;
            }
          if (chosen != NULL && chosen->view == p->view
              && memcmp (chosen->digest, p->digest, 32) == 0)
            continue;
          for (guint j = 0; j < n_vcs; j++)
            {
              const SynodPbftLogClaim *pj = find_prepared (&vcs[j].view_change, n);

              if (pj == NULL || pj->view < p->view
                  || (pj->view == p->view && memcmp (pj->digest, p->digest, 32) == 0))
                a1++;
              if (has_preprepared (&vcs[j].view_change, n, p->digest, p->view))
                a2++;
            }
          if (a1 >= 2 * f + 1 && a2 >= f + 1)
            {
              /* Two candidates cannot both satisfy A1 and A2 among honest
               * quorums; prefer the higher view, then the lower digest,
               * so every replica decides alike whatever the order. */
              if (chosen == NULL || p->view > chosen->view
                  || (p->view == chosen->view && memcmp (p->digest, chosen->digest, 32) < 0))
                chosen = p;
            }
        }

      if (chosen != NULL)
        {
          PbftChoice c = { .seq = n };

          memcpy (c.digest, chosen->digest, 32);
          g_array_append_val (choices, c);
        }
      else if (empty >= 2 * f + 1)
        {
          PbftChoice c = { .seq = n };

          memcpy (c.digest, pbft_null_batch_digest (), 32);
          g_array_append_val (choices, c);
        }
      else
        return FALSE;
    }

  *ret_checkpoint = best;
  *ret_choices = g_steal_pointer (&choices);
  return TRUE;
}
