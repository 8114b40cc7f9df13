/* pbft-faults.h — injected faults: how a faulty replica misbehaves.
 *
 * For tests of the real service (ReplicaServer objects on synodd peers)
 * and for the simulator alike: a replica runs the correct code and its
 * misbehaviour is applied to what it sends (re-authenticated with its own
 * keys, as an attacker holding them would) or to its own state. */
#pragma once

#include <glib.h>

#include "pbft-config.h"
#include "pbft-keyring.h"
#include "synod-state-variable.h"

G_BEGIN_DECLS

/**
 * SynodBftFaultKind:
 * @SYNOD_BFT_FAULT_NONE: a correct replica
 * @SYNOD_BFT_FAULT_CRASH_AFTER: stops processing (receives, sends and
 *   times nothing) after @count executions, as a hung process
 * @SYNOD_BFT_FAULT_SILENT: runs but sends nothing
 * @SYNOD_BFT_FAULT_SLOW: delays every message it sends by @delay_ms
 * @SYNOD_BFT_FAULT_LYING: replies with wrong results, validly signed
 * @SYNOD_BFT_FAULT_EQUIVOCATING: as primary, sends different pre-prepares
 *   to different backups
 * @SYNOD_BFT_FAULT_CORRUPT_STATE: damages its own state variable after
 *   every @count executions
 */
typedef enum
{
  SYNOD_BFT_FAULT_NONE,
  SYNOD_BFT_FAULT_CRASH_AFTER,
  SYNOD_BFT_FAULT_SILENT,
  SYNOD_BFT_FAULT_SLOW,
  SYNOD_BFT_FAULT_LYING,
  SYNOD_BFT_FAULT_EQUIVOCATING,
  SYNOD_BFT_FAULT_CORRUPT_STATE,
} SynodBftFaultKind;

typedef struct
{
  SynodBftFaultKind kind;
  guint64 count;
  guint delay_ms;
} SynodBftFault;

gboolean synod_bft_fault_parse (const gchar *text, SynodBftFault *ret_fault, GError **error);
gchar *synod_bft_fault_to_string (const SynodBftFault *fault);

/* A REPLY envelope with the result changed (every liar tells the same
 * lie), re-signed and re-sealed for @to; NULL when @data is no reply. */
GBytes *pbft_fault_lie (SynodPbftKeyring *keys, const SynodPbftConfig *config, GBytes *data,
                        guint32 to);
/* Another valid PRE-PREPARE for the same view and sequence number (its
 * timestamp moved by 1 µs, so its digest differs); NULL when @data is no
 * pre-prepare. */
GBytes *pbft_fault_equivocate (SynodPbftKeyring *keys, const SynodPbftConfig *config, GBytes *data);
/* Changes the state outside the protocol: a key-value store gets a key,
 * a counter jumps, a shopping cart gets an item on sale; any other state
 * variable executes its last operation a second time. */
void pbft_fault_corrupt_state (SynodStateVariable *state, GBytes *last_op);

G_END_DECLS
