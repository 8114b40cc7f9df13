/* synod-ref.h — handles naming an invocation target.
 *
 * A SynodRef names the target of a send: an object Id (which may be an
 * alias) or a service name. The broker resolves it on each send, caching the
 * answer until registrations change, so a ref stays valid when the object
 * behind a name is replaced. Refs are small, immutable and thread-safe;
 * generated stubs take one.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

SynodRef *synod_ref_new_for_id (SynodBroker *broker, const SynodObjectId *id);
SynodRef *synod_ref_new_for_name (SynodBroker *broker, const gchar *service_name);
SynodRef *synod_ref_new_for_object (SynodObject *object);
SynodRef *synod_ref_new_parse (SynodBroker *broker, const gchar *text, GError **error);
SynodRef *synod_ref_ref (SynodRef *ref);
void synod_ref_unref (SynodRef *ref);

SynodBroker *synod_ref_get_broker (SynodRef *ref);
const SynodObjectId *synod_ref_get_id (SynodRef *ref);
const gchar *synod_ref_get_name (SynodRef *ref);
gchar *synod_ref_to_string (SynodRef *ref);
SynodObject *synod_ref_resolve_local (SynodRef *ref, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodRef, synod_ref_unref)

G_END_DECLS
