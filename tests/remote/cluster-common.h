/* cluster-common.h — the three-daemon cluster of the multi-process tests.
 *
 * Daemons a, b and c (b and c given a as their static peer) run the
 * ClusterTest.Counter class from its plugin, with objects, service names and
 * aliases made from their configuration files, and fixed peer ids (written
 * to their state directories before they start) so that every Id is known
 * in advance. The test process is a fourth peer: a broker and a network
 * without a listener, connected to a.
 */
#pragma once

#include <synod.h>

#include "synod-test-daemon.h"

G_BEGIN_DECLS

#define PEER_A "a0a0a0a0a0a0a0a1"
#define PEER_B "b0b0b0b0b0b0b0b2"
#define PEER_C "c0c0c0c0c0c0c0c3"
/* Object serials: 1 is the peer's own synod.peer object, then the
 * configuration's objects in file order. */
#define COUNTER_A PEER_A "-0000000000000002"
#define HELPER_A PEER_A "-0000000000000003"
#define COUNTER_B PEER_B "-0000000000000002"
#define COUNTER_C PEER_C "-0000000000000002"
/* b's counter also answers to these: an alias of its own, one minted by a
 * (a duplicate imported from a keeps a's Id), one of a peer nobody knows. */
#define ALIAS_B_OWN PEER_B "-0000000000000100"
#define ALIAS_B_FROM_A PEER_A "-0000000000000200"
#define ALIAS_B_NOWHERE "1234567890abcdef-0000000000000300"

#define WAIT_MS 15000

typedef struct
{
  gchar *dir;
  SynodTestDaemon *a, *b, *c;
  SynodBroker *broker;
  SynodNetwork *network;
} Cluster;

extern Cluster cluster;

gchar *cluster_write_file (const gchar *dir, const gchar *name, const gchar *contents);
SynodTestDaemon *cluster_start_daemon (const gchar *name, const gchar *peer_id, const gchar *config,
                                       const gchar *const *peers, const gchar *const *extra_args);
GVariant *cluster_peer_call (guint64 peer, const gchar *method, GError **error);
void cluster_wait_peer_sees (SynodTestDaemon *daemon, const guint64 *ids, guint n);
void cluster_start (void);
void cluster_stop (void);

G_END_DECLS
