/* synod-error.h — the broker layer's error domain.
 *
 * One domain per layer (SYNOD_ORB_ERROR here; SYNOD_HTTP_ERROR and
 * SYNOD_BFT_ERROR in theirs), with codes a caller can switch on. Codes are
 * part of the wire protocol (a remote error travels as domain + code +
 * message), so new codes are only ever appended.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SYNOD_ORB_ERROR (synod_orb_error_quark ())
GQuark synod_orb_error_quark (void);

/**
 * SynodOrbError:
 * @SYNOD_ORB_ERROR_FAILED: unspecified failure
 * @SYNOD_ORB_ERROR_DECODE: malformed, truncated or out-of-bounds XDR data
 * @SYNOD_ORB_ERROR_ENCODE: a value does not fit its type (string too long,
 *   unknown enum value, bad union discriminant...)
 * @SYNOD_ORB_ERROR_TYPE_MISMATCH: a GVariant does not have the type's form
 * @SYNOD_ORB_ERROR_LIMIT: a configured limit was hit (nesting depth,
 *   message size, connections...)
 * @SYNOD_ORB_ERROR_NO_SUCH_OBJECT: no object has that Id, alias or name
 * @SYNOD_ORB_ERROR_NO_SUCH_INTERFACE: the object does not answer that
 *   interface (neither declared nor allomorphic)
 * @SYNOD_ORB_ERROR_NO_SUCH_METHOD: the interface has no such method, or
 *   the class leaves it unimplemented
 * @SYNOD_ORB_ERROR_INVALID_ARGS: arguments do not match the method
 * @SYNOD_ORB_ERROR_NOT_AUTHORIZED: access control denied the invocation
 * @SYNOD_ORB_ERROR_QUEUE_FULL: the object's invocation queue is full
 * @SYNOD_ORB_ERROR_OBJECT_DELETED: the object was deleted before or while
 *   the invocation was pending
 * @SYNOD_ORB_ERROR_EXISTS: an Id, alias, service name or class is taken
 * @SYNOD_ORB_ERROR_NO_SUCH_CLASS: no class of that name and version
 * @SYNOD_ORB_ERROR_PLUGIN: a class plugin could not be loaded
 * @SYNOD_ORB_ERROR_TIMEOUT: no answer within the deadline
 * @SYNOD_ORB_ERROR_UNREACHABLE: the peer could not be reached
 * @SYNOD_ORB_ERROR_DISCONNECTED: the connection closed with the call in flight
 * @SYNOD_ORB_ERROR_PROTOCOL: the peer broke the wire protocol
 * @SYNOD_ORB_ERROR_REMOTE: the remote implementation failed with an error
 *   of a domain this peer does not know
 */
typedef enum
{
  SYNOD_ORB_ERROR_FAILED,
  SYNOD_ORB_ERROR_DECODE,
  SYNOD_ORB_ERROR_ENCODE,
  SYNOD_ORB_ERROR_TYPE_MISMATCH,
  SYNOD_ORB_ERROR_LIMIT,
  SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
  SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
  SYNOD_ORB_ERROR_NO_SUCH_METHOD,
  SYNOD_ORB_ERROR_INVALID_ARGS,
  SYNOD_ORB_ERROR_NOT_AUTHORIZED,
  SYNOD_ORB_ERROR_QUEUE_FULL,
  SYNOD_ORB_ERROR_OBJECT_DELETED,
  SYNOD_ORB_ERROR_EXISTS,
  SYNOD_ORB_ERROR_NO_SUCH_CLASS,
  SYNOD_ORB_ERROR_PLUGIN,
  SYNOD_ORB_ERROR_TIMEOUT,
  SYNOD_ORB_ERROR_UNREACHABLE,
  SYNOD_ORB_ERROR_DISCONNECTED,
  SYNOD_ORB_ERROR_PROTOCOL,
  SYNOD_ORB_ERROR_REMOTE,
} SynodOrbError;

G_END_DECLS
