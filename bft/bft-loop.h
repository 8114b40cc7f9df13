/* bft-loop.h — the thread that runs one PBFT state machine.
 *
 * The replica and the client side of PBFT are deterministic state machines
 * that one thread at a time may drive. A ReplicaServer or Coordinator
 * object therefore owns a thread with its own main context: broker
 * invocations (which run on any worker) only queue what arrived and wake
 * it; timers are sources on its context; everything that touches the
 * state machine runs there. Private to the BFT classes. */
#pragma once

#include <synod.h>

#include "bft.h"

G_BEGIN_DECLS

/* What arrives may wait unprocessed up to these limits; beyond, it is
 * dropped (and counted): PBFT retransmits. */
#define BFT_LOOP_MAX_MESSAGES 65536
#define BFT_LOOP_MAX_BYTES (256 << 20)

typedef struct _BftLoop BftLoop;

/* Runs on the loop's thread with the messages that arrived (GBytes *),
 * oldest first; it owns the queue's contents. */
typedef void (*BftLoopMessagesFunc) (gpointer owner, GQueue *messages);

BftLoop *bft_loop_new (const gchar *name, BftLoopMessagesFunc on_messages, gpointer owner);
void bft_loop_start (BftLoop *loop, GSourceFunc first, gpointer first_data);
GMainContext *bft_loop_get_context (BftLoop *loop);
guint bft_loop_push_many (BftLoop *loop, guint n, const guint8 *const *data, const gsize *len);
gboolean bft_loop_deliver (BftLoop *loop, gsize max_size, guint32 len, const guint8 *data,
                           GError **error);
void bft_loop_deliver_many (BftLoop *loop, gsize max_size, guint32 n,
                            const SynodBftEnvelope *envelopes);
guint64 bft_loop_get_dropped (BftLoop *loop);
void bft_loop_invoke (BftLoop *loop, GSourceFunc func, gpointer data, GDestroyNotify destroy);
gboolean bft_loop_call (BftLoop *loop, GSourceFunc func, gpointer data, gint64 timeout_us,
                        GError **error);
void bft_loop_free (BftLoop *loop);

G_END_DECLS
