/* synod-invoke.h — the four ways to send a message, as generated stubs use them.
 *
 * A stub packs its parameters into the method's argument struct (on the
 * caller's stack) and calls one of these. The same calls serve local and
 * remote targets: the broker resolves the SynodRef (Id, alias or service
 * name) and either queues the invocation on the local object or sends it to
 * the peer that holds it. @args is always (transfer none): the async and
 * oneway forms copy what they need before they return.
 */
#pragma once

#include "synod-type.h"

G_BEGIN_DECLS

gboolean synod_invoke_sync (SynodRef *target,
                            const SynodMethodDesc *method,
                            gconstpointer args,
                            gpointer ret,
                            GError **error);

void synod_invoke_async (SynodRef *target,
                         const SynodMethodDesc *method,
                         gconstpointer args,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);

gboolean synod_invoke_finish (SynodRef *target,
                              GAsyncResult *result,
                              gpointer ret,
                              GError **error);

gboolean synod_invoke_oneway (SynodRef *target,
                              const SynodMethodDesc *method,
                              gconstpointer args,
                              GError **error);

G_END_DECLS
