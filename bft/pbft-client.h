/* pbft-client.h — the client side of PBFT, as a Coordinator uses it.
 *
 * One SynodPbftClient is one client node (a Coordinator, the synod tool)
 * with its own keys. It issues requests for any number of logical clients
 * (a browser's client id), one request in flight per client id, and
 * decides: a result is returned only when f+1 replicas (2f+1 for a
 * read-only request) sent matching replies, each signed by its replica when
 * the service signs replies; those replies are the proof the Coordinator
 * hands on to the browser. A read-only request that cannot gather 2f+1
 * matching replies in time is retried as an ordered request. Like the
 * replica, the client is a deterministic state machine driven by the
 * caller (see pbft-replica.h for the output conventions). */
#pragma once

#include "pbft-replica.h"

G_BEGIN_DECLS

typedef struct _SynodPbftClient SynodPbftClient;

SynodPbftClient *synod_pbft_client_new (const SynodPbftConfig *config, SynodPbftKeyring *keys,
                                        GError **error);
void synod_pbft_client_free (SynodPbftClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodPbftClient, synod_pbft_client_free)

gboolean synod_pbft_client_submit (SynodPbftClient *client, gint64 now, guint64 client_id,
                                   guint64 number, GBytes *op, gboolean read_only, GError **error);
gboolean synod_pbft_client_cancel (SynodPbftClient *client, guint64 client_id);
void synod_pbft_client_receive (SynodPbftClient *client, gint64 now, const guint8 *data, gsize len);
void synod_pbft_client_timer_expired (SynodPbftClient *client, gint64 now);
gboolean synod_pbft_client_pop_output (SynodPbftClient *client, SynodPbftOutput *ret_output);
guint synod_pbft_client_get_in_flight (SynodPbftClient *client);
guint64 synod_pbft_client_get_view (SynodPbftClient *client);

gboolean synod_pbft_reply_proof_check (SynodPbftKeyring *keys, const SynodPbftConfig *config,
                                       guint64 client_id, guint64 number, GBytes *result,
                                       GPtrArray *replies, GError **error);

G_END_DECLS
