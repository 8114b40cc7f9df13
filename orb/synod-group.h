/* synod-group.h — one request to every provider of a service name.
 *
 * A group send delivers one identical invocation to every provider of a
 * named service (local and remote) and gathers one reply per provider: the
 * building block of replicated services, where a request goes to all
 * replicas and the answers are compared.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

/**
 * SynodGroupReply:
 * @provider: who answered
 * @error: (nullable): the provider's failure, or %NULL
 * @result: (nullable): on success, the result (of the method's result type),
 *   owned by the reply
 *
 * One provider's answer to a group send.
 */
typedef struct
{
  SynodProvider provider;
  GError *error;
  gpointer result;
  /*< private >*/
  const SynodTypeDesc *result_type;
} SynodGroupReply;

void synod_group_reply_free (SynodGroupReply *reply);

/**
 * SYNOD_GROUP_MAX_PROVIDERS:
 *
 * The most providers one group send reaches; more is a
 * %SYNOD_ORB_ERROR_LIMIT error.
 */
#define SYNOD_GROUP_MAX_PROVIDERS 1024

void synod_invoke_group_async (SynodBroker *broker, const gchar *service_name,
                               const SynodMethodDesc *method, gconstpointer args,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
GPtrArray *synod_invoke_group_finish (SynodBroker *broker, GAsyncResult *result, GError **error);
GPtrArray *synod_invoke_group_sync (SynodBroker *broker, const gchar *service_name,
                                    const SynodMethodDesc *method, gconstpointer args,
                                    GError **error);

G_END_DECLS
