/* pbft-private.h — internals of the PBFT core shared with its tests. */
#pragma once

#include "pbft-config.h"
#include "pbft-wire.h"

G_BEGIN_DECLS

#define PBFT_LOG_DOMAIN "synod-bft"

static inline guint32
pbft_primary (const SynodPbftConfig *config, guint64 view)
{
  return (guint32)(view % (3 * config->f + 1));
}

/* Checks 2f+1 distinct valid signatures over CHECKPOINT(seq, digest); the
 * initial checkpoint (seq 0) needs none and has an all-zero digest. */
gboolean pbft_checkpoint_proof_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                                      const SynodPbftCheckpointProof *proof);

/* Structural checks of a view change for @view (its stable proof, and the
 * P and Q sets within its window and below @view). Signatures are checked
 * by the caller. */
gboolean pbft_view_change_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                                 const SynodPbftViewChange *vc);

typedef struct
{
  guint64 seq;
  SynodPbftDigest digest;
} PbftChoice;

/* The new-view decision of Castro and Liskov (TOCS 2002, section 4.4) over
 * a set of (already checked) view changes from distinct replicas: the
 * checkpoint to start from (the highest proven stable checkpoint, by index
 * into @vcs) and, for each sequence number above it, the batch digest to
 * re-propose, or the null batch's. Returns FALSE when the set does not
 * decide yet (more view changes are needed). */
gboolean pbft_decide_new_view (guint f, const SynodPbftSignedViewChange *vcs, guint n_vcs,
                               guint *ret_checkpoint, GArray **ret_choices);

/* A human-readable dump of a replica's protocol state, for debugging. */
typedef struct _SynodPbftReplica SynodPbftReplica;
gchar *pbft_replica_describe (SynodPbftReplica *replica);

G_END_DECLS
