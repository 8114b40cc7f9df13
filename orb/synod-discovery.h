/* synod-discovery.h — finding peers on the LAN with mDNS/DNS-SD (Avahi).
 *
 * Each peer publishes a `_synod._tcp` service on its listen port, whose TXT
 * record carries its peer id, the protocol version and its cluster name, and
 * browses the same type. SynodDiscovery reports the peers of its cluster as
 * they appear and go; what to do with them (connect, probe liveness, resolve
 * service names) is the peer table's business.
 *
 * Avahi does the mDNS work (its client library with the GLib poll adapter);
 * when avahi-daemon is absent or restarts, discovery says so once in the log,
 * keeps what it knew, and picks up again when the daemon returns.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The DNS-SD service type Synod peers publish and browse. */
#define SYNOD_DISCOVERY_SERVICE_TYPE "_synod._tcp"
/* The protocol version a peer announces in its TXT record ("proto="). */
#define SYNOD_DISCOVERY_PROTOCOL_VERSION 1
/* Longest cluster name (a TXT value must fit in 255 bytes with its key). */
#define SYNOD_DISCOVERY_MAX_CLUSTER 63

typedef struct _SynodDiscovery SynodDiscovery;

/**
 * SynodDiscoveredPeer:
 * @peer_id: the peer's 64-bit id
 * @name: the DNS-SD instance name it published
 * @host: its mDNS host name ("host.local")
 * @address: "IP:PORT" to connect to (the first of @addresses)
 * @addresses: every "IP:PORT" it was seen at (one per interface and
 *   protocol), NULL-terminated
 * @cluster: its cluster name
 * @protocol_version: the protocol version it announced
 *
 * A peer seen through mDNS. Immutable; a peer that changes address is
 * reported again with the new one.
 */
typedef struct
{
  guint64 peer_id;
  gchar *name;
  gchar *host;
  gchar *address;
  gchar **addresses;
  gchar *cluster;
  guint protocol_version;
} SynodDiscoveredPeer;

SynodDiscoveredPeer *synod_discovered_peer_copy (const SynodDiscoveredPeer *peer);
void synod_discovered_peer_free (SynodDiscoveredPeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodDiscoveredPeer, synod_discovered_peer_free)

/**
 * SynodDiscoveryPeerFunc:
 * @discovery: the discovery
 * @peer: (transfer none): the peer
 * @user_data: user data
 *
 * Called in the discovery's main context when a peer appears (or changes
 * address) and when it goes away.
 */
typedef void (*SynodDiscoveryPeerFunc) (SynodDiscovery *discovery, const SynodDiscoveredPeer *peer,
                                        gpointer user_data);

/**
 * SynodDiscoveryOptions:
 * @peer_id: this peer's id (peers with this id are never reported)
 * @port: the port to publish, or 0 to browse only (the command-line tool)
 * @cluster: the cluster to publish and browse; peers of other clusters are
 *   ignored
 * @instance_name: (nullable): the DNS-SD instance name to publish, or NULL
 *   for "synod-" and the peer id in hex; on a collision Avahi's alternative
 *   name is taken
 * @use_ipv6: resolve IPv6 addresses too (IPv4 only by default)
 */
typedef struct
{
  guint64 peer_id;
  guint16 port;
  const gchar *cluster;
  const gchar *instance_name;
  gboolean use_ipv6;
} SynodDiscoveryOptions;

SynodDiscovery *synod_discovery_new (const SynodDiscoveryOptions *options, GMainContext *context,
                                     GError **error);
void synod_discovery_set_peer_funcs (SynodDiscovery *discovery, SynodDiscoveryPeerFunc added,
                                     SynodDiscoveryPeerFunc removed, gpointer user_data);
gboolean synod_discovery_is_running (SynodDiscovery *discovery);
const gchar *synod_discovery_get_instance_name (SynodDiscovery *discovery);
GPtrArray *synod_discovery_list_peers (SynodDiscovery *discovery);
void synod_discovery_free (SynodDiscovery *discovery);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodDiscovery, synod_discovery_free)

G_END_DECLS
