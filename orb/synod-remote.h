/* synod-remote.h — the seam between the broker and a remote transport.
 *
 * The broker knows only its own objects. A send whose target is not local
 * (an Id created elsewhere and not an alias here, or a service name with no
 * local provider) goes to the remote handler, if one is installed; without
 * one it fails with %SYNOD_ORB_ERROR_NO_SUCH_OBJECT. The handler sees
 * encoded arguments and returns encoded results (the XDR encoding of the
 * method's argument struct and result type), so it needs nothing from the
 * broker but the method descriptor. In the other direction, a transport
 * hands calls that arrive from other peers to synod_broker_dispatch(), with
 * the principal it authenticated.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

/**
 * SynodRemoteReplyFunc:
 * @result: (nullable): the encoded result on success, %NULL on failure
 * @error: (nullable): the failure, %NULL on success
 * @reply_data: the data given with the request
 *
 * Completes a remote invocation. A handler calls it exactly once per
 * non-oneway request, from any thread, and may not call it from within
 * #SynodRemoteHandler.invoke itself only if that would deadlock the
 * transport: the broker accepts both.
 */
typedef void (*SynodRemoteReplyFunc) (GBytes *result, const GError *error, gpointer reply_data);

/**
 * SynodRemoteHandler:
 * @invoke: sends @method with the encoded @args to @target on @peer; for a
 *   oneway send @reply is %NULL and nothing is reported back, otherwise
 *   @reply must be called exactly once, also on failure and cancellation
 * @resolve_name: finds a remote provider of a service name (used when no
 *   local object provides it); may block, may cache; %FALSE with
 *   %SYNOD_ORB_ERROR_NO_SUCH_OBJECT when there is none
 * @list_providers: (nullable): lists remote providers of a service name, as
 *   a #GArray of #SynodProvider (transfer full); %NULL without error means
 *   none
 * @invoke_sync: (nullable): sends @method and waits for its outcome on the
 *   calling thread, returning the encoded result in @ret_result (transfer
 *   full); used for synchronous sends when set, so that a transport can
 *   write the call and wait for the reply without handing either to another
 *   thread; the broker tells its scheduler the thread blocks around it
 *
 * The functions a remote transport supplies. Each receives the
 * handler_data given to synod_broker_set_remote_handler().
 */
typedef struct
{
  void (*invoke) (gpointer handler_data, guint64 peer, const SynodObjectId *target,
                  const SynodMethodDesc *method, GBytes *args, GCancellable *cancellable,
                  SynodRemoteReplyFunc reply, gpointer reply_data);
  gboolean (*resolve_name) (gpointer handler_data, const gchar *name, SynodProvider *ret_provider,
                            GError **error);
  GArray *(*list_providers) (gpointer handler_data, const gchar *name, GError **error);
  gboolean (*invoke_sync) (gpointer handler_data, guint64 peer, const SynodObjectId *target,
                           const SynodMethodDesc *method, GBytes *args, GCancellable *cancellable,
                           GBytes **ret_result, GError **error);
} SynodRemoteHandler;

void synod_broker_set_remote_handler (SynodBroker *broker, const SynodRemoteHandler *handler,
                                      gpointer handler_data, GDestroyNotify handler_data_destroy);

/**
 * SynodDispatchReplyFunc:
 * @method: the method that ran
 * @result: (nullable): on success, the result (of @method's result type;
 *   transfer none: valid only during the callback, the broker clears it)
 * @error: (nullable): the failure
 * @reply_data: the data given to synod_broker_dispatch()
 *
 * Reports the outcome of a dispatched invocation, from a worker thread.
 */
typedef void (*SynodDispatchReplyFunc) (const SynodMethodDesc *method, gconstpointer result,
                                        const GError *error, gpointer reply_data);

void synod_broker_dispatch (SynodBroker *broker, const SynodObjectId *target,
                            const SynodMethodDesc *method, gpointer args, const gchar *principal,
                            SynodDispatchReplyFunc reply, gpointer reply_data);

G_END_DECLS
