/* bft-link.h — one direction of a BFT service's traffic: the PBFT
 * envelopes one node sends another, carried as oneway broker invocations
 * on the object that answers the peer's service name
 * ("bft.SERVICE.replica.I", "bft.SERVICE.client.J").
 *
 * Each link has a thread of its own, so a peer that is down or slow to
 * resolve never stalls the protocol thread that sends, and a bounded FIFO:
 * PBFT tolerates lost messages (it retransmits), not a sender blocked on
 * a dead peer. Private to the BFT classes. */
#pragma once

#include <synod.h>

#include "bft.h"

G_BEGIN_DECLS

/* Sends one envelope; a generated oneway stub of bft.idl. */
typedef gboolean (*BftLinkSendFunc) (SynodRef *target, guint32 envelope_len,
                                     const guint8 *envelope_val, GError **error);

/* Sends several envelopes in one invocation (deliverMany). */
typedef gboolean (*BftLinkSendManyFunc) (SynodRef *target, guint32 envelopes_len,
                                         const SynodBftEnvelope *envelopes_val, GError **error);

typedef struct _BftLink BftLink;

BftLink *bft_link_new (SynodBroker *broker, const gchar *name, BftLinkSendFunc send,
                       BftLinkSendManyFunc send_many, guint delay_ms);
void bft_link_send (BftLink *link, GBytes *data);
guint64 bft_link_get_dropped (BftLink *link);
guint64 bft_link_get_sent (BftLink *link);
void bft_link_free (BftLink *link);

G_END_DECLS
