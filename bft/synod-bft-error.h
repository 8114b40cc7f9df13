/* synod-bft-error.h — the BFT layer's error domain.
 *
 * Codes a caller can switch on; new codes are only ever appended, since a
 * remote error travels as domain + code + message. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SYNOD_BFT_ERROR (synod_bft_error_quark ())
GQuark synod_bft_error_quark (void);

/**
 * SynodBftError:
 * @SYNOD_BFT_ERROR_FAILED: unspecified failure
 * @SYNOD_BFT_ERROR_INVALID_CONFIG: a configuration value is out of range
 * @SYNOD_BFT_ERROR_MALFORMED: a message did not decode or breaks a limit
 * @SYNOD_BFT_ERROR_AUTH: a MAC or signature did not verify, or a key is missing
 * @SYNOD_BFT_ERROR_STORE: the durable store failed (I/O, map full...)
 * @SYNOD_BFT_ERROR_STORE_CORRUPT: a store record failed its integrity check
 * @SYNOD_BFT_ERROR_BUSY: a client id already has a request in flight
 * @SYNOD_BFT_ERROR_LIMIT: a configured limit was hit
 * @SYNOD_BFT_ERROR_NO_QUORUM: no f+1 (2f+1 for read-only) matching replies
 *   arrived before the client gave up
 * @SYNOD_BFT_ERROR_BAD_PROOF: a reply proof does not prove its result
 * @SYNOD_BFT_ERROR_STATE: a state variable's snapshot or operation is invalid
 * @SYNOD_BFT_ERROR_TIMEOUT: a Coordinator had no proven result within its
 *   request timeout
 * @SYNOD_BFT_ERROR_STALE: f+1 replicas executed a later request of the same
 *   client: this one will never execute (send it again with a higher number)
 */
typedef enum
{
  SYNOD_BFT_ERROR_FAILED,
  SYNOD_BFT_ERROR_INVALID_CONFIG,
  SYNOD_BFT_ERROR_MALFORMED,
  SYNOD_BFT_ERROR_AUTH,
  SYNOD_BFT_ERROR_STORE,
  SYNOD_BFT_ERROR_STORE_CORRUPT,
  SYNOD_BFT_ERROR_BUSY,
  SYNOD_BFT_ERROR_LIMIT,
  SYNOD_BFT_ERROR_NO_QUORUM,
  SYNOD_BFT_ERROR_BAD_PROOF,
  SYNOD_BFT_ERROR_STATE,
  SYNOD_BFT_ERROR_TIMEOUT,
  SYNOD_BFT_ERROR_STALE,
} SynodBftError;

G_END_DECLS
