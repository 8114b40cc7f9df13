/* synod-network.h — a peer's presence on the network: its listener, its
 * connections to other peers, and how it finds them.
 *
 * A SynodNetwork makes the sends of one broker reach objects on other peers
 * and serves the other peers' sends to this broker's objects, over Synod's
 * ONC RPC program (idl/synod-wire.idl). It keeps the peer table: peers given
 * statically ("HOST:PORT"), peers found by mDNS (synod-discovery.h) and
 * peers that connected to us; it probes them, reconnects with back-off, and
 * resolves service names across them. It runs its own thread and main
 * context, so any process (a daemon, the command-line tool, a test) can have
 * one without running a main loop.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

/* The port synodd listens on unless told otherwise. */
#define SYNOD_NETWORK_DEFAULT_PORT 8275
#define SYNOD_NETWORK_DEFAULT_CALL_TIMEOUT_MS 30000
#define SYNOD_NETWORK_DEFAULT_CONNECT_TIMEOUT_MS 3000
#define SYNOD_NETWORK_DEFAULT_PROBE_INTERVAL_MS 2000
#define SYNOD_NETWORK_DEFAULT_CLUSTER "default"

/* The service name and class of the object every peer daemon exports to
 * answer Standard.Peer (idl/peer.idl). */
#define SYNOD_PEER_SERVICE "synod.peer"
#define SYNOD_PEER_CLASS "Synod.Peer"

typedef struct _SynodNetwork SynodNetwork;

/**
 * SynodPeerSource:
 * @SYNOD_PEER_STATIC: given in the configuration or with --peer
 * @SYNOD_PEER_MDNS: found by mDNS
 * @SYNOD_PEER_INBOUND: it connected to us
 * @SYNOD_PEER_INDIRECT: another peer told us where it is (when a send
 *   needed it)
 * @SYNOD_PEER_CLIENT: it connected to us and accepts no connections itself
 *   (the command-line tool, a program with a network but no listener); it
 *   is reachable only while its connection lasts, and serves no peer object
 *
 * How a peer came to be known (several may apply).
 */
typedef enum
{
  SYNOD_PEER_STATIC = 1 << 0,
  SYNOD_PEER_MDNS = 1 << 1,
  SYNOD_PEER_INBOUND = 1 << 2,
  SYNOD_PEER_INDIRECT = 1 << 3,
  SYNOD_PEER_CLIENT = 1 << 4,
} SynodPeerSource;

/**
 * SynodPeerState:
 * @SYNOD_PEER_STATE_UNKNOWN: not tried yet
 * @SYNOD_PEER_STATE_CONNECTED: a connection is up and answers probes
 * @SYNOD_PEER_STATE_UNREACHABLE: the last attempt or probe failed
 */
typedef enum
{
  SYNOD_PEER_STATE_UNKNOWN,
  SYNOD_PEER_STATE_CONNECTED,
  SYNOD_PEER_STATE_UNREACHABLE,
} SynodPeerState;

/**
 * SynodPeerInfo:
 * @peer_id: the peer's id, 0 while unknown (a static peer never reached)
 * @sources: how it was found
 * @state: whether it is reachable
 * @address: the address used to reach it (or it came from)
 * @addresses: (array zero-terminated=1): every address known for it
 * @cluster: its cluster, when known
 * @last_error: (nullable): why the last attempt failed
 */
typedef struct
{
  guint64 peer_id;
  SynodPeerSource sources;
  SynodPeerState state;
  gchar *address;
  gchar **addresses;
  gchar *cluster;
  gchar *last_error;
} SynodPeerInfo;

void synod_peer_info_free (SynodPeerInfo *info);
const gchar *synod_peer_source_to_string (SynodPeerSource sources);
const gchar *synod_peer_state_to_string (SynodPeerState state);

/**
 * SynodTlsMode:
 * @SYNOD_TLS_AUTO: %SYNOD_TLS_REQUIRED when a certificate is configured,
 *   else %SYNOD_TLS_OFF
 * @SYNOD_TLS_OFF: plaintext only; an RPC-with-TLS probe is answered
 *   AUTH_BADCRED (TLS not offered)
 * @SYNOD_TLS_PREFERRED: TLS offered and tried, plaintext accepted from and
 *   used with peers that do not speak it
 * @SYNOD_TLS_REQUIRED: TLS only: plaintext calls other than NULL are
 *   refused with AUTH_TOOWEAK, peers that do not offer STARTTLS are not used
 *
 * RPC-with-TLS (RFC 9289) between peers; see docs/security.md.
 */
typedef enum
{
  SYNOD_TLS_AUTO,
  SYNOD_TLS_OFF,
  SYNOD_TLS_PREFERRED,
  SYNOD_TLS_REQUIRED,
} SynodTlsMode;

gboolean synod_tls_mode_parse (const gchar *text, SynodTlsMode *ret_mode, GError **error);
const gchar *synod_tls_mode_to_string (SynodTlsMode mode);

/**
 * SynodNetworkOptions:
 * @listen: (nullable): "ADDRESS:PORT" to accept peers on (port 0: chosen by
 *   the kernel), or NULL for none (the command-line tool)
 * @peers: (nullable) (array zero-terminated=1): static peers, "HOST:PORT"
 * @discovery: publish and browse `_synod._tcp` with mDNS
 * @cluster: the cluster name (mDNS and hellos: peers of other clusters are
 *   refused)
 * @instance_name: (nullable): the mDNS instance name
 * @call_timeout_ms: how long a remote call may wait for its reply
 * @connect_timeout_ms: how long connecting to a peer may take
 * @probe_interval_ms: how often idle connections are probed and missing
 *   ones retried
 * @max_connections: connections accepted at once
 * @max_record: largest message accepted (bytes)
 * @rpcbind: register the program with rpcbind when it runs
 * @tls_mode: RPC-with-TLS between peers (#SynodTlsMode)
 * @tls_cert: (nullable): this peer's certificate chain (PEM file)
 * @tls_key: (nullable): its private key (PEM file)
 * @tls_ca: (nullable): the CA certificates that peers' certificates must
 *   chain to (PEM file)
 * @tls_handshake_timeout_ms: how long the probe and the TLS handshake of a
 *   new connection may take (0: 5000)
 */
typedef struct
{
  const gchar *listen;
  const gchar *const *peers;
  gboolean discovery;
  const gchar *cluster;
  const gchar *instance_name;
  guint call_timeout_ms;
  guint connect_timeout_ms;
  guint probe_interval_ms;
  guint max_connections;
  guint32 max_record;
  gboolean rpcbind;
  SynodTlsMode tls_mode;
  const gchar *tls_cert;
  const gchar *tls_key;
  const gchar *tls_ca;
  guint tls_handshake_timeout_ms;
} SynodNetworkOptions;

void synod_network_options_init (SynodNetworkOptions *options);

SynodNetwork *synod_network_new (SynodBroker *broker,
                                 const SynodNetworkOptions *options,
                                 GError **error);
void synod_network_free (SynodNetwork *network);

SynodBroker *synod_network_get_broker (SynodNetwork *network);
const gchar *synod_network_get_cluster (SynodNetwork *network);
gboolean synod_network_is_discovery_running (SynodNetwork *network);
SynodObject *synod_network_export_peer_object (SynodNetwork *network, GError **error);
guint16 synod_network_get_port (SynodNetwork *network);
const gchar *synod_network_get_listen_address (SynodNetwork *network);

GPtrArray *synod_network_list_peers (SynodNetwork *network);
gboolean synod_network_add_peer (SynodNetwork *network, const gchar *address, GError **error);
gboolean synod_network_connect_peer (SynodNetwork *network, const gchar *address,
                                     guint64 *ret_peer_id, GError **error);
gboolean synod_network_locate (SynodNetwork *network, const SynodObjectId *id, guint64 *ret_peer,
                               GError **error);
gboolean synod_network_wait_peers (SynodNetwork *network, guint n_connected, guint timeout_ms);

GVariant *synod_network_invoke_dynamic (SynodNetwork *network,
                                        guint64 peer,
                                        const gchar *target,
                                        const gchar *interface_name,
                                        const gchar *method_name,
                                        GVariant *args,
                                        GError **error);
GArray *synod_network_resolve_on (SynodNetwork *network,
                                  guint64 peer,
                                  const gchar *name,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodNetwork, synod_network_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodPeerInfo, synod_peer_info_free)

G_END_DECLS
