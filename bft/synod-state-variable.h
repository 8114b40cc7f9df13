/* synod-state-variable.h — the application object a BFT service replicates.
 *
 * In the paper's words the state variable is the object whose state every
 * replica keeps identical. PBFT hands it operations in the agreed order and
 * needs four things from it: execute an operation, take a snapshot of the
 * whole state, restore one, and digest the state. Execution must be a
 * deterministic function of the state, the operation and the context's
 * agreed values (timestamp, seed): no clock, no randomness, no I/O of its
 * own, or replicas diverge (and a checkpoint then repairs the odd one out
 * by state transfer). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SYNOD_TYPE_STATE_VARIABLE (synod_state_variable_get_type ())
G_DECLARE_INTERFACE (SynodStateVariable, synod_state_variable, SYNOD, STATE_VARIABLE, GObject)

/**
 * SynodStateVariableContext:
 * @seq: the sequence number of the batch being executed (0 for a read-only
 *   request, which is not ordered)
 * @timestamp: the agreed time, microseconds since the Unix epoch; never
 *   decreases from one execution to the next
 * @seed: the agreed random seed of the batch (all zero when there is none)
 * @client: the client id of the request
 * @number: the client's request number
 * @read_only: the operation was submitted as read-only: it must not change
 *   the state (refuse, in the result, an operation that would)
 */
typedef struct
{
  guint64 seq;
  guint64 timestamp;
  guint8 seed[32];
  guint64 client;
  guint64 number;
  gboolean read_only;
} SynodStateVariableContext;

/**
 * SynodStateVariableInterface:
 * @execute: runs @op and returns its result (transfer full, never %NULL;
 *   application errors are results too, so they replicate like any other)
 * @snapshot: the whole state as bytes (transfer full)
 * @restore: replaces the state with a snapshot; on error the state is
 *   unspecified (the caller restores another snapshot)
 * @digest: SHA-256 digest of the state; two states with equal snapshots
 *   must have equal digests. The default is SHA-256 of the snapshot.
 */
struct _SynodStateVariableInterface
{
  GTypeInterface parent_iface;

  GBytes *(*execute) (SynodStateVariable *self, const SynodStateVariableContext *context,
                      GBytes *op);
  GBytes *(*snapshot) (SynodStateVariable *self);
  gboolean (*restore) (SynodStateVariable *self, GBytes *snapshot, GError **error);
  void (*digest) (SynodStateVariable *self, guint8 ret_digest[32]);
};

GBytes *synod_state_variable_execute (SynodStateVariable *self,
                                      const SynodStateVariableContext *context, GBytes *op);
GBytes *synod_state_variable_snapshot (SynodStateVariable *self);
gboolean synod_state_variable_restore (SynodStateVariable *self, GBytes *snapshot, GError **error);
void synod_state_variable_digest (SynodStateVariable *self, guint8 ret_digest[32]);

G_END_DECLS
