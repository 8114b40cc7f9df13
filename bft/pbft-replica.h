/* pbft-replica.h — the PBFT replication core: one replica, and the client
 * side that issues requests and decides on replies.
 *
 * Both are deterministic state machines. They never read a clock, never
 * touch the network and run no threads: the caller feeds in what arrived
 * (message bytes, timer expiries, the current time `now` in microseconds
 * since the Unix epoch) and carries out what comes out, in order, with
 * synod_pbft_replica_pop_output() / synod_pbft_client_pop_output(): bytes
 * to send to a node, timers to arm, and notifications (a request executed,
 * a batch committed, a view installed; for clients a request answered with
 * its proof, or given up). Every output of one input is released only after
 * the replica's store has committed what that input changed, so a replica
 * killed at any point restarts without having said anything it forgot.
 *
 * A ReplicaServer object owns one SynodPbftReplica, feeds it what its peers
 * send and sends what it produces; a Coordinator owns one SynodPbftClient.
 * docs/pbft.md describes the protocol, the messages and these APIs. */
#pragma once

#include "pbft-config.h"
#include "pbft-keyring.h"
#include "pbft-store.h"
#include "synod-state-variable.h"

G_BEGIN_DECLS

/* SynodPbftOutput.to for "every replica but the sender". */
#define SYNOD_PBFT_TO_REPLICAS G_MAXUINT32

/**
 * SynodPbftTimer:
 * @SYNOD_PBFT_TIMER_VIEW_CHANGE: a backup's suspicion of the primary
 * @SYNOD_PBFT_TIMER_STATUS: periodic status and retransmission
 * @SYNOD_PBFT_TIMER_CLIENT: a client's next retransmission or give-up
 */
typedef enum
{
  SYNOD_PBFT_TIMER_VIEW_CHANGE,
  SYNOD_PBFT_TIMER_STATUS,
  SYNOD_PBFT_TIMER_CLIENT,
  SYNOD_PBFT_N_TIMERS,
} SynodPbftTimer;

/**
 * SynodPbftOutputKind:
 * @SYNOD_PBFT_OUTPUT_SEND: send @data to node @to (%SYNOD_PBFT_TO_REPLICAS:
 *   to every replica except this one)
 * @SYNOD_PBFT_OUTPUT_TIMER: arm @timer to expire at @deadline, replacing
 *   its previous deadline; a @deadline of 0 disarms it
 * @SYNOD_PBFT_OUTPUT_EXECUTED: (replica) the request @client/@number
 *   executed at sequence number @seq with @result
 * @SYNOD_PBFT_OUTPUT_COMMITTED: (replica) batch @seq, of digest @digest,
 *   executed; sequence numbers come out in order, except after a state
 *   transfer, which skips to a checkpoint
 * @SYNOD_PBFT_OUTPUT_VIEW: (replica) view @view is installed and active
 * @SYNOD_PBFT_OUTPUT_STATE_TRANSFERRED: (replica) the state jumped to the
 *   checkpoint at @seq
 * @SYNOD_PBFT_OUTPUT_DONE: (client) request @client/@number has its
 *   @result, proven by @proof; @read_only tells which path answered
 * @SYNOD_PBFT_OUTPUT_FAILED: (client) request @client/@number was given up
 *   (@error says why); the client never returns an unproven result
 */
typedef enum
{
  SYNOD_PBFT_OUTPUT_SEND,
  SYNOD_PBFT_OUTPUT_TIMER,
  SYNOD_PBFT_OUTPUT_EXECUTED,
  SYNOD_PBFT_OUTPUT_COMMITTED,
  SYNOD_PBFT_OUTPUT_VIEW,
  SYNOD_PBFT_OUTPUT_STATE_TRANSFERRED,
  SYNOD_PBFT_OUTPUT_DONE,
  SYNOD_PBFT_OUTPUT_FAILED,
} SynodPbftOutputKind;

/**
 * SynodPbftOutput:
 * @proof: (element-type SynodPbftReply): for DONE, the matching replies
 *   (f+1, or 2f+1 for read-only), each signed when the service signs replies
 *
 * One output; fields not listed for its kind are zero. Clear it with
 * synod_pbft_output_clear().
 */
typedef struct
{
  SynodPbftOutputKind kind;
  guint32 to;
  GBytes *data;
  SynodPbftTimer timer;
  gint64 deadline;
  guint64 seq;
  guint64 view;
  guint64 client;
  guint64 number;
  GBytes *result;
  gboolean read_only;
  guint8 digest[32];
  GPtrArray *proof;
  GError *error;
} SynodPbftOutput;

void synod_pbft_output_clear (SynodPbftOutput *output);

/**
 * SynodPbftReplicaStats:
 *
 * Counters of what a replica saw; hostile input shows up here (it is
 * dropped, never fatal).
 */
typedef struct
{
  guint64 messages;
  guint64 malformed;
  guint64 auth_failures;
  guint64 stale;
  guint64 duplicates;
  guint64 equivocations;
  guint64 rejected_pre_prepares;
  guint64 dropped_requests;
  guint64 requests_executed;
  guint64 read_only_executed;
  guint64 batches_executed;
  guint64 checkpoints_stable;
  guint64 view_changes;
  guint64 state_transfers;
  guint64 store_resets;
} SynodPbftReplicaStats;

typedef struct _SynodPbftReplica SynodPbftReplica;

SynodPbftReplica *synod_pbft_replica_new (const SynodPbftConfig *config, SynodPbftKeyring *keys,
                                          SynodStateVariable *state, SynodPbftStore *store,
                                          GError **error);
void synod_pbft_replica_free (SynodPbftReplica *replica);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodPbftReplica, synod_pbft_replica_free)

void synod_pbft_replica_start (SynodPbftReplica *replica, gint64 now);
void synod_pbft_replica_receive (SynodPbftReplica *replica, gint64 now, const guint8 *data,
                                 gsize len);
void synod_pbft_replica_timer_expired (SynodPbftReplica *replica, gint64 now, SynodPbftTimer timer);
gboolean synod_pbft_replica_pop_output (SynodPbftReplica *replica, SynodPbftOutput *ret_output);

guint32 synod_pbft_replica_get_id (SynodPbftReplica *replica);
guint64 synod_pbft_replica_get_view (SynodPbftReplica *replica);
gboolean synod_pbft_replica_is_view_active (SynodPbftReplica *replica);
guint64 synod_pbft_replica_get_last_executed (SynodPbftReplica *replica);
guint64 synod_pbft_replica_get_stable_seq (SynodPbftReplica *replica);
gboolean synod_pbft_replica_is_halted (SynodPbftReplica *replica);
const SynodPbftReplicaStats *synod_pbft_replica_get_stats (SynodPbftReplica *replica);

G_END_DECLS
