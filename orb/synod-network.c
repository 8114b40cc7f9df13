/* synod-network.c — the peer table, the broker's remote handler, and the
 * server side of Synod's ONC RPC program.
 *
 * Threads: the network thread runs a private main context (mDNS, probes,
 * reconnections, call timeouts); connection readers dispatch inbound calls
 * without blocking (an invocation is queued on the broker, whose worker
 * sends the reply); senders (broker workers or any thread) dial a peer
 * themselves when no connection is up, bounded by the connect timeout.
 *
 * Locking: one mutex guards the peer table, the connection map and the name
 * cache. Nothing blocks while holding it.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "broker-private.h"
#include "synod-broker.h"
#include "synod-codec.h"
#include "synod-discovery.h"
#include "synod-dynamic.h"
#include "synod-error.h"
#include "synod-network.h"
#include "synod-network-private.h"
#include "synod-object.h"
#include "synod-object-id.h"
#include "synod-ref.h"
#include "synod-remote.h"
#include "synod-standard.h"
#include "synod-rpc-private.h"
#include "synod-rpc-tls-private.h"
#include "synod-wire.h"

/* The error domain a peer answers an INVOKE with when it holds no object
 * of the target Id (before anything runs): the sender may then look for
 * the object on other peers and send again. A method's own errors never
 * carry it, so a method never runs twice. */
#define SYNOD_WIRE_NO_TARGET_DOMAIN "synod-wire-no-target"

#define BACKOFF_MIN_MS 500
#define GOSSIP_EVERY_TICKS 5
#define BACKOFF_MAX_MS 30000
/* Back-off limit for peers mDNS announces, in probe intervals. */
#define MDNS_BACKOFF_MAX_PROBES 2
/* How long a resolved remote provider of a name is trusted without being
 * told otherwise (notices and failures invalidate it earlier). */
#define NAME_CACHE_TTL_US (30 * G_USEC_PER_SEC)

typedef struct
{
  gatomicrefcount ref_count;
  gboolean removed; /* no longer in the table */
  guint64 id;       /* 0 until a hello tells */
  SynodPeerSource sources;
  SynodPeerState state;
  gchar *dial_address;  /* where to connect, or NULL (inbound only) */
  GPtrArray *addresses; /* gchar*, from mDNS */
  gchar *cluster;
  gchar *last_error;
  SynodRpcConnection *conn; /* the connection used to reach it */
  gboolean connecting;
  gboolean probing;
  gboolean mdns_withdrawn; /* mDNS said it left while a connection was up */
  gint64 next_attempt;
  guint backoff_ms;
} Peer;

/* What the network knows of each connection (inbound or outbound). */
typedef struct
{
  SynodNetwork *network;
  SynodRpcConnection *conn;
  guint64 peer_id;  /* from its hello, 0 before */
  gchar *principal; /* the principal its calls run under */
  gboolean foreign; /* another cluster: serves nothing */
} ConnData;

typedef struct
{
  SynodProvider provider;
  gint64 expires;
} CachedName;

typedef struct
{
  SynodObjectId id; /* the key */
  guint64 peer;
  gint64 expires;
} CachedLocation;

/* What callbacks from other threads (connection readers, closes, the
 * broker's remote handler, background connects) hold instead of the network
 * itself: once the network is being freed they find it gone, and freeing
 * waits for the ones inside. */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex lock;
  GCond cond;
  SynodNetwork *net;
  guint active;
} NetHandle;

struct _SynodNetwork
{
  NetHandle *handle;
  SynodBroker *broker;
  guint64 self_id;
  gchar *cluster;
  gchar *instance_name;
  gboolean discovery_enabled;
  guint call_timeout_ms;
  guint connect_timeout_ms;
  guint probe_interval_ms;
  SynodRpcOptions rpc_options;
  SynodRpcProgram program;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSource *probe_source;
  guint ticks;
  SynodDiscovery *discovery;

  SynodRpcListener *listener;
  gchar *listen_address;

  GMutex lock;
  GCond cond;
  GPtrArray *peers;           /* Peer*, owned */
  GHashTable *conns;          /* SynodRpcConnection* -> ConnData* (owned) */
  GHashTable *name_cache;     /* name -> CachedName* */
  GHashTable *location_cache; /* SynodObjectId* -> CachedLocation*: where
                               * objects not on their Id's peer live */
  gboolean closing;

  guint watch_id;
  SynodObject *peer_object; /* the exported "synod.peer", if any */
};

/* Set while serving a peer's RESOLVE or INVOKE_DYNAMIC: the broker must
 * then look at local providers only, or two peers could ask each other
 * forever. */
static GPrivate local_only_key;

static gboolean
local_only (void)
{
  return g_private_get (&local_only_key) != NULL;
}

static void
set_local_only (gboolean on)
{
  g_private_set (&local_only_key, on ? GINT_TO_POINTER (1) : NULL);
}

static void connection_closed (SynodRpcConnection *conn, const GError *reason, gpointer user_data);
static void ask_peers (SynodNetwork *net, SynodRpcConnection *conn);

static NetHandle *
handle_ref (NetHandle *h)
{
  g_atomic_ref_count_inc (&h->ref_count);
  return h;
}

static void
handle_unref (gpointer data)
{
  NetHandle *h = data;

  if (!g_atomic_ref_count_dec (&h->ref_count))
    return;
  g_mutex_clear (&h->lock);
  g_cond_clear (&h->cond);
  g_free (h);
}

/* Returns the network, or NULL once it is being freed; pair with
 * net_leave() when not NULL. */
static SynodNetwork *
net_enter (NetHandle *h)
{
  SynodNetwork *net;

  g_mutex_lock (&h->lock);
  net = h->net;
  if (net)
    h->active++;
  g_mutex_unlock (&h->lock);
  return net;
}

static void
net_leave (NetHandle *h)
{
  g_mutex_lock (&h->lock);
  /* Only synod_network_free() waits (once it has cleared h->net): no
   * futex call per send otherwise. */
  if (--h->active == 0 && h->net == NULL)
    g_cond_broadcast (&h->cond);
  g_mutex_unlock (&h->lock);
}

/* ------------------------------------------------------------------------ */
/* Small helpers */

void
synod_network_options_init (SynodNetworkOptions *options)
{
  memset (options, 0, sizeof *options);
  options->cluster = SYNOD_NETWORK_DEFAULT_CLUSTER;
  options->call_timeout_ms = SYNOD_NETWORK_DEFAULT_CALL_TIMEOUT_MS;
  options->connect_timeout_ms = SYNOD_NETWORK_DEFAULT_CONNECT_TIMEOUT_MS;
  options->probe_interval_ms = SYNOD_NETWORK_DEFAULT_PROBE_INTERVAL_MS;
  options->max_connections = SYNOD_RPC_DEFAULT_MAX_CONNECTIONS;
  options->max_record = SYNOD_RPC_DEFAULT_MAX_RECORD;
}

void
synod_peer_info_free (SynodPeerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->address);
  g_strfreev (info->addresses);
  g_free (info->cluster);
  g_free (info->last_error);
  g_free (info);
}

/**
 * synod_peer_source_to_string:
 * @sources: how a peer was found
 *
 * Returns: a short text, "static", "mdns", "inbound", "indirect",
 *   "client" or a combination ("static+mdns")
 */
const gchar *
synod_peer_source_to_string (SynodPeerSource sources)
{
  static const gchar *const names[] = {
    "-",       "static",         "mdns",         "static+mdns",
    "inbound", "static+inbound", "mdns+inbound", "static+mdns+inbound",
  };

  /* A client only ever connects to us; a peer learned from another is only
   * ever that, until it connects to us or is configured. */
  if (sources & SYNOD_PEER_CLIENT)
    return "client";
  if ((sources & 7) == 0 && (sources & SYNOD_PEER_INDIRECT))
    return "indirect";
  return names[sources & 7];
}

const gchar *
synod_peer_state_to_string (SynodPeerState state)
{
  switch (state)
    {
      case SYNOD_PEER_STATE_CONNECTED:
        return "connected";
      case SYNOD_PEER_STATE_UNREACHABLE:
        return "unreachable";
      case SYNOD_PEER_STATE_UNKNOWN:
      default:
        return "unknown";
    }
}

static Peer *
peer_ref (Peer *p)
{
  g_atomic_ref_count_inc (&p->ref_count);
  return p;
}

static void
peer_unref (gpointer data)
{
  Peer *p = data;

  if (!g_atomic_ref_count_dec (&p->ref_count))
    return;
  if (p->conn)
    synod_rpc_connection_unref (p->conn);
  g_free (p->dial_address);
  g_ptr_array_unref (p->addresses);
  g_free (p->cluster);
  g_free (p->last_error);
  g_free (p);
}

static Peer *
peer_new (void)
{
  Peer *p = g_new0 (Peer, 1);

  g_atomic_ref_count_init (&p->ref_count);
  p->addresses = g_ptr_array_new_with_free_func (g_free);
  p->backoff_ms = BACKOFF_MIN_MS;
  return p;
}

static void
conn_data_free (gpointer data)
{
  ConnData *cd = data;

  g_free (cd->principal);
  g_free (cd);
}

/* Takes @p out of the table (with the lock held); holders of a reference
 * see p->removed. */
static void
remove_peer (SynodNetwork *net, Peer *p)
{
  p->removed = TRUE;
  g_ptr_array_remove (net->peers, p);
}

static Peer *
find_peer_by_id (SynodNetwork *net, guint64 id)
{
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (id != 0 && p->id == id)
        return p;
    }
  return NULL;
}

static Peer *
find_peer_by_dial_address (SynodNetwork *net, const gchar *address)
{
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->dial_address && strcmp (p->dial_address, address) == 0)
        return p;
    }
  return NULL;
}

static GBytes *
encode_or_die (const SynodTypeDesc *type, gconstpointer value)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = synod_value_encode (type, value, &error);

  /* Our own messages always fit their types: a failure is a bug here. */
  if (bytes == NULL)
    g_error ("encoding a %s: %s", type->name, error->message);
  return bytes;
}

static void
error_to_wire (const GError *error, SynodWireRemoteError *wire)
{
  wire->domain = g_strdup (g_quark_to_string (error->domain));
  wire->code = error->code;
  /* Messages are bounded on the wire and must be UTF-8. */
  if (g_utf8_validate (error->message, -1, NULL)
      && strlen (error->message) <= SYNOD_WIRE_MAX_MESSAGE)
    wire->message = g_strdup (error->message);
  else
    wire->message = g_utf8_make_valid (error->message,
                                       MIN (strlen (error->message), SYNOD_WIRE_MAX_MESSAGE / 4));
}

/* Rebuilds a remote GError. Only domains this process already knows are
 * kept (quarks are never freed: a peer must not make us create them). */
static GError *
error_from_wire (const SynodWireRemoteError *wire, const gchar *peer)
{
  GQuark domain;

  /* A domain this process has not used yet has no quark yet: register the
   * library's own (and GIO's) before looking the name up. */
  (void)SYNOD_ORB_ERROR;
  (void)G_IO_ERROR;
  domain = g_quark_try_string (wire->domain);

  if (domain != 0)
    return g_error_new_literal (domain, wire->code, wire->message);
  return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_REMOTE, _ ("%s (%s error %d on peer %s)"),
                      wire->message, wire->domain, wire->code, peer);
}

static gchar *
peer_text (guint64 id)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", id);
}

/* ------------------------------------------------------------------------ */
/* Connections */

/* Called without net->lock, which it takes for the listen address: the
 * listener may answer a hello while synod_network_new() still sets it. */
static void
fill_hello (SynodNetwork *net, SynodWireHello *hello)
{
  hello->peer = net->self_id;
  hello->protocol = SYNOD_WIRE_PROTOCOL_VERSION;
  hello->cluster = g_strdup (net->cluster);
  g_mutex_lock (&net->lock);
  hello->listen = g_strdup (net->listen_address ? net->listen_address : "");
  g_mutex_unlock (&net->lock);
}

/* Registers a connection's data; the network's closed function removes it. */
static ConnData *
track_connection (SynodNetwork *net, SynodRpcConnection *conn)
{
  ConnData *cd = g_new0 (ConnData, 1);

  cd->network = net;
  cd->conn = conn;
  /* Over TLS the principal is the peer certificate's (verified against the
   * CA, see synod-rpc-tls.c); otherwise nothing vouches for the peer. */
  if (synod_rpc_connection_get_tls_principal (conn))
    cd->principal = g_strdup (synod_rpc_connection_get_tls_principal (conn));
  else
    cd->principal
        = g_strdup_printf ("unauthenticated@%s", synod_rpc_connection_get_peer_address (conn));
  g_mutex_lock (&net->lock);
  /* The table holds a reference: an entry may outlive the network's
   * closed function (once the network is being freed, it removes nothing). */
  g_hash_table_insert (net->conns, synod_rpc_connection_ref (conn), cd);
  g_mutex_unlock (&net->lock);
  synod_rpc_connection_set_closed_func (conn, connection_closed, handle_ref (net->handle),
                                        handle_unref);
  return cd;
}

/* Records what a hello told about the peer at the other end of @conn, with
 * the lock held. Returns the peer, or NULL when the connection is foreign. */
static Peer *
learn_peer (SynodNetwork *net, SynodRpcConnection *conn, const SynodWireHello *hello, Peer *dialled,
            gboolean inbound)
{
  ConnData *cd = g_hash_table_lookup (net->conns, conn);
  Peer *p;

  /* An empty cluster name on either side (a tool that joins whichever
   * cluster its peer is in) matches any. */
  if (hello->cluster[0] != '\0' && net->cluster[0] != '\0'
      && strcmp (hello->cluster, net->cluster) != 0)
    {
      if (cd)
        cd->foreign = TRUE;
      return NULL;
    }
  if (cd)
    {
      cd->peer_id = hello->peer;
      /* Without TLS, the principal is the id the peer claims, marked as
       * such; with TLS it stays the certificate's. */
      if (synod_rpc_connection_get_tls_principal (conn) == NULL)
        {
          g_free (cd->principal);
          cd->principal = g_strdup_printf ("peer:%016" G_GINT64_MODIFIER "x", hello->peer);
        }
    }
  p = find_peer_by_id (net, hello->peer);
  if (dialled != NULL && p != NULL && p != dialled)
    {
      /* The dialled address turned out to be a peer known otherwise (mDNS,
       * or it connected first): merge the two entries. */
      p->sources |= dialled->sources;
      if (p->dial_address == NULL)
        p->dial_address = g_strdup (dialled->dial_address);
      remove_peer (net, dialled);
    }
  else if (p == NULL)
    p = dialled;
  if (p == NULL)
    {
      p = peer_new ();
      g_ptr_array_add (net->peers, p);
    }
  p->id = hello->peer;
  if (inbound)
    p->sources |= SYNOD_PEER_INBOUND;
  if (inbound && hello->listen[0] == '\0' && p->dial_address == NULL && p->addresses->len == 0)
    p->sources |= SYNOD_PEER_CLIENT;
  if (hello->listen[0] != '\0' && g_strcmp0 (p->dial_address, hello->listen) != 0
      && (p->dial_address == NULL || !(p->sources & (SYNOD_PEER_STATIC | SYNOD_PEER_MDNS))))
    {
      /* Where the peer says it listens now: it may have restarted on
       * another port. An operator's static address stays as given, and
       * mDNS's resolution (an address of the link) as resolved. */
      g_free (p->dial_address);
      p->dial_address = g_strdup (hello->listen);
    }
  g_free (p->cluster);
  p->cluster = g_strdup (hello->cluster);
  if (p->conn == NULL || synod_rpc_connection_is_closed (p->conn))
    {
      g_clear_pointer (&p->conn, synod_rpc_connection_unref);
      p->conn = synod_rpc_connection_ref (conn);
    }
  p->state = SYNOD_PEER_STATE_CONNECTED;
  g_clear_pointer (&p->last_error, g_free);
  p->backoff_ms = BACKOFF_MIN_MS;
  g_cond_broadcast (&net->cond);
  return p;
}

/* How long retries of @p may wait at most. A peer that mDNS still
 * announces is most likely alive behind a link that failed for a while (its
 * records stay in every cache until their TTL runs out, so no fresh
 * announcement need come when the link returns): it is retried every few
 * probe intervals rather than every BACKOFF_MAX_MS. */
static guint
backoff_max (SynodNetwork *net, Peer *p)
{
  if ((p->sources & SYNOD_PEER_MDNS) && !p->mdns_withdrawn)
    return CLAMP (net->probe_interval_ms * MDNS_BACKOFF_MAX_PROBES, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
  return BACKOFF_MAX_MS;
}

/* Dials @address and exchanges hellos. Blocking (connect timeout + one
 * round trip). Returns the connection with its hello in @ret_hello. */
static SynodRpcConnection *
dial (SynodNetwork *net, const gchar *address, SynodWireHello *ret_hello, GError **error)
{
  g_autoptr (SynodRpcConnection) conn = NULL;
  g_auto (SynodWireHello) mine = { 0 };
  g_autoptr (GBytes) args = NULL;
  g_autoptr (GBytes) reply = NULL;

  conn = synod_rpc_connection_connect (address, net->connect_timeout_ms, &net->rpc_options,
                                       &net->program, NULL, error);
  if (conn == NULL)
    return NULL;
  track_connection (net, conn);
  fill_hello (net, &mine);
  args = encode_or_die (&synod_wire_hello_desc, &mine);
  reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                          SYNOD_WIRE_PROC_HELLO, args, net->connect_timeout_ms,
                                          NULL, error);
  if (reply == NULL
      || !synod_value_decode (&synod_wire_hello_desc, g_bytes_get_data (reply, NULL),
                              g_bytes_get_size (reply), ret_hello, error))
    {
      synod_rpc_connection_close (conn);
      return NULL;
    }
  if (ret_hello->protocol != SYNOD_WIRE_PROTOCOL_VERSION)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("%s speaks Synod protocol %u, this peer %u"), address, ret_hello->protocol,
                   SYNOD_WIRE_PROTOCOL_VERSION);
      synod_value_clear (&synod_wire_hello_desc, ret_hello);
      synod_rpc_connection_close (conn);
      return NULL;
    }
  if (ret_hello->cluster[0] != '\0' && net->cluster[0] != '\0'
      && strcmp (ret_hello->cluster, net->cluster) != 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("%s belongs to cluster “%s”, not “%s”"), address, ret_hello->cluster,
                   net->cluster);
      synod_value_clear (&synod_wire_hello_desc, ret_hello);
      synod_rpc_connection_close (conn);
      return NULL;
    }
  return g_steal_pointer (&conn);
}

/* Connects to @p unless a connection is up or being made (then waits for
 * it). Called without the lock, with a reference to @p; blocking. */
static SynodRpcConnection *
connect_peer (SynodNetwork *net, Peer *p, GError **error)
{
  g_autofree gchar *address = NULL;
  g_auto (SynodWireHello) hello = { 0 };
  g_autoptr (GError) local_error = NULL;
  SynodRpcConnection *conn;
  gint64 deadline = g_get_monotonic_time () + (gint64)net->connect_timeout_ms * 2000;
  guint64 id = p->id;

  g_mutex_lock (&net->lock);
  while (p->connecting && !net->closing)
    if (!g_cond_wait_until (&net->cond, &net->lock, deadline))
      break;
  /* The entry may have been merged into another one meanwhile. */
  if (p->removed && id != 0 && find_peer_by_id (net, id) != NULL)
    p = find_peer_by_id (net, id);
  if (p->conn && !synod_rpc_connection_is_closed (p->conn))
    {
      conn = synod_rpc_connection_ref (p->conn);
      g_mutex_unlock (&net->lock);
      return conn;
    }
  if (net->closing || p->connecting || p->removed)
    {
      g_mutex_unlock (&net->lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("Peer %016" PRIx64 " is not reachable now"), id);
      return NULL;
    }
  address = g_strdup (p->dial_address         ? p->dial_address
                      : p->addresses->len > 0 ? p->addresses->pdata[0]
                                              : NULL);
  if (address == NULL)
    {
      g_mutex_unlock (&net->lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("No address is known for peer %016" PRIx64), id);
      return NULL;
    }
  p->connecting = TRUE;
  peer_ref (p);
  g_mutex_unlock (&net->lock);

  conn = dial (net, address, &hello, &local_error);

  g_mutex_lock (&net->lock);
  p->connecting = FALSE;
  if (conn == NULL)
    {
      p->state = SYNOD_PEER_STATE_UNREACHABLE;
      /* A peer refused on security grounds (TLS required, a certificate
       * refused, a handshake that failed) is worth the operator's eye; once
       * per distinct reason, not at every retry. */
      if ((local_error->code == SYNOD_ORB_ERROR_NOT_AUTHORIZED
           || local_error->code == SYNOD_ORB_ERROR_PROTOCOL)
          && g_strcmp0 (p->last_error, local_error->message) != 0)
        g_message ("Cannot use the peer at %s: %s", address, local_error->message);
      g_free (p->last_error);
      p->last_error = g_strdup (local_error->message);
      p->next_attempt = g_get_monotonic_time () + (gint64)p->backoff_ms * 1000;
      p->backoff_ms = MIN (p->backoff_ms * 2, backoff_max (net, p));
    }
  else
    {
      if (p->id != 0 && hello.peer != p->id)
        g_info ("the peer at %s is now %016" G_GINT64_MODIFIER "x (was %016" G_GINT64_MODIFIER "x)",
                address, hello.peer, p->id);
      learn_peer (net, conn, &hello, p->removed ? NULL : p, FALSE);
    }
  g_cond_broadcast (&net->cond);
  g_mutex_unlock (&net->lock);
  peer_unref (p);
  if (conn == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    ask_peers (net, conn);
  return conn;
}

/* Adds the peers another peer reported (with the lock held). */
static void
add_reported_peers (SynodNetwork *net, const SynodWirePeerList *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      const SynodWirePeerEntry *e = &list->val[i];
      Peer *p;

      if (e->peer == 0 || e->peer == net->self_id || e->address[0] == '\0'
          || find_peer_by_id (net, e->peer) != NULL
          || find_peer_by_dial_address (net, e->address) != NULL)
        continue;
      p = peer_new ();
      p->id = e->peer;
      p->sources = SYNOD_PEER_INDIRECT;
      p->dial_address = g_strdup (e->address);
      g_ptr_array_add (net->peers, p);
    }
}

static void
gossip_reply (GBytes *result, const GError *error, gpointer user_data)
{
  NetHandle *h = user_data;
  SynodNetwork *net = net_enter (h);
  g_auto (SynodWirePeerList) list = { 0 };

  if (net != NULL)
    {
      if (result != NULL
          && synod_value_decode (&synod_wire_peer_list_desc, g_bytes_get_data (result, NULL),
                                 g_bytes_get_size (result), &list, NULL))
        {
          g_mutex_lock (&net->lock);
          add_reported_peers (net, &list);
          g_mutex_unlock (&net->lock);
        }
      net_leave (h);
    }
  handle_unref (h);
}

/* Asks the peer at the other end of @conn which peers it knows, so that a
 * cluster joined through one peer becomes a full mesh. */
static void
ask_peers (SynodNetwork *net, SynodRpcConnection *conn)
{
  synod_rpc_connection_call_full (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION, SYNOD_WIRE_PROC_PEERS,
                                  NULL, net->connect_timeout_ms, net->context, gossip_reply,
                                  handle_ref (net->handle));
}

/* One procedure sent to every connected peer at once, the replies gathered
 * by @on_reply (under the fan-out's lock) until all have answered, it says
 * it has enough, or the time is up. Replies arriving after that still reach
 * @on_reply: @data lives until the last of them (@destroy frees it). */
typedef gboolean (*FanoutReplyFunc) (GBytes *result, gpointer data);

typedef struct
{
  GMutex lock;
  GCond cond;
  guint refs;
  guint remaining;
  gboolean enough;
  FanoutReplyFunc on_reply;
  gpointer data;
  GDestroyNotify destroy;
} Fanout;

static void
fanout_unref (Fanout *f)
{
  gboolean last;

  g_mutex_lock (&f->lock);
  last = --f->refs == 0;
  g_mutex_unlock (&f->lock);
  if (!last)
    return;
  f->destroy (f->data);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_free (f);
}

static void
fanout_reply (GBytes *result, const GError *error, gpointer user_data)
{
  Fanout *f = user_data;

  g_mutex_lock (&f->lock);
  if (result != NULL && f->on_reply (result, f->data))
    f->enough = TRUE;
  f->remaining--;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  fanout_unref (f);
}

/* Returns what @collect makes of @data (under the lock) once done. */
static gpointer
fanout_run (SynodNetwork *net, guint32 proc, GBytes *args, guint timeout_ms,
            FanoutReplyFunc on_reply, GCopyFunc collect, gpointer data, GDestroyNotify destroy)
{
  g_autoptr (GPtrArray) conns
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);
  Fanout *f = g_new0 (Fanout, 1);
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gpointer result;

  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *q = net->peers->pdata[i];

      if (q->id != 0 && q->conn && !synod_rpc_connection_is_closed (q->conn))
        g_ptr_array_add (conns, synod_rpc_connection_ref (q->conn));
    }
  g_mutex_unlock (&net->lock);

  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->on_reply = on_reply;
  f->data = data;
  f->destroy = destroy;
  f->refs = 1 + conns->len;
  f->remaining = conns->len;
  for (guint i = 0; i < conns->len; i++)
    synod_rpc_connection_call_full (conns->pdata[i], SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION, proc,
                                    args, timeout_ms, net->context, fanout_reply, f);
  g_mutex_lock (&f->lock);
  while (f->remaining > 0 && !f->enough)
    if (!g_cond_wait_until (&f->cond, &f->lock, deadline))
      break;
  result = collect (f->data, NULL);
  g_mutex_unlock (&f->lock);
  fanout_unref (f);
  return result;
}

typedef struct
{
  guint64 wanted;
  gchar *address;
} PeerSearch;

static void
peer_search_free (gpointer data)
{
  PeerSearch *ps = data;

  g_free (ps->address);
  g_free (ps);
}

static gboolean
peer_search_reply (GBytes *result, gpointer data)
{
  PeerSearch *ps = data;
  g_auto (SynodWirePeerList) list = { 0 };

  if (synod_value_decode (&synod_wire_peer_list_desc, g_bytes_get_data (result, NULL),
                          g_bytes_get_size (result), &list, NULL))
    for (guint i = 0; i < list.len && ps->address == NULL; i++)
      if (list.val[i].peer == ps->wanted)
        ps->address = g_strdup (list.val[i].address);
  return ps->address != NULL;
}

static gpointer
peer_search_collect (gconstpointer data, gpointer unused)
{
  return g_strdup (((const PeerSearch *)data)->address);
}

/* Asks the connected peers where peer @id is; on an answer, adds it to the
 * table (as an indirect peer) and returns it, with a reference. */
static Peer *
find_indirect (SynodNetwork *net, guint64 id)
{
  PeerSearch *ps = g_new0 (PeerSearch, 1);
  g_autofree gchar *address = NULL;
  Peer *p;

  ps->wanted = id;
  address = fanout_run (net, SYNOD_WIRE_PROC_PEERS, NULL, net->connect_timeout_ms,
                        peer_search_reply, peer_search_collect, ps, peer_search_free);
  if (address == NULL)
    return NULL;

  g_mutex_lock (&net->lock);
  p = find_peer_by_id (net, id);
  if (p == NULL)
    {
      p = peer_new ();
      p->id = id;
      p->sources = SYNOD_PEER_INDIRECT;
      p->dial_address = g_steal_pointer (&address);
      g_ptr_array_add (net->peers, p);
    }
  peer_ref (p);
  g_mutex_unlock (&net->lock);
  return p;
}

/* The connection to reach peer @id. */
static SynodRpcConnection *
connection_for (SynodNetwork *net, guint64 id, GError **error)
{
  SynodRpcConnection *conn;
  Peer *p;

  g_mutex_lock (&net->lock);
  p = find_peer_by_id (net, id);
  if (p && p->conn && !synod_rpc_connection_is_closed (p->conn))
    {
      conn = synod_rpc_connection_ref (p->conn);
      g_mutex_unlock (&net->lock);
      return conn;
    }
  if (p)
    peer_ref (p);
  g_mutex_unlock (&net->lock);
  if (p == NULL)
    p = find_indirect (net, id);
  if (p == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("Peer %016" PRIx64 " is not known to this peer or its peers"), id);
      return NULL;
    }
  conn = connect_peer (net, p, error);
  peer_unref (p);
  return conn;
}

static void
connection_closed (SynodRpcConnection *conn, const GError *reason, gpointer user_data)
{
  NetHandle *h = user_data;
  SynodNetwork *net = net_enter (h);

  if (net == NULL)
    return;
  g_mutex_lock (&net->lock);
  g_hash_table_remove (net->conns, conn);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->conn != conn)
        continue;
      g_clear_pointer (&p->conn, synod_rpc_connection_unref);
      if ((p->dial_address == NULL && p->addresses->len == 0)
          || (p->mdns_withdrawn && !(p->sources & SYNOD_PEER_STATIC)))
        {
          /* Known only because it connected to us, or mDNS no longer
           * announces it: forget it. */
          if (p->mdns_withdrawn)
            g_info ("peer %016" G_GINT64_MODIFIER "x, no longer announced by mDNS, closed its "
                    "connection: dropped from the table",
                    p->id);
          remove_peer (net, p);
          i--;
          continue;
        }
      p->state = SYNOD_PEER_STATE_UNREACHABLE;
      g_free (p->last_error);
      p->last_error = g_strdup (reason->message);
    }
  /* Names resolved, and objects located, on a peer that went away are
   * resolved again. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, net->name_cache);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      if (find_peer_by_id (net, ((CachedName *)value)->provider.peer) == NULL
          || find_peer_by_id (net, ((CachedName *)value)->provider.peer)->conn == NULL)
        g_hash_table_iter_remove (&iter);
    g_hash_table_iter_init (&iter, net->location_cache);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      if (find_peer_by_id (net, ((CachedLocation *)value)->peer) == NULL
          || find_peer_by_id (net, ((CachedLocation *)value)->peer)->conn == NULL)
        g_hash_table_iter_remove (&iter);
  }
  g_cond_broadcast (&net->cond);
  g_mutex_unlock (&net->lock);
  net_leave (h);
}

static void
accepted (SynodRpcConnection *conn, gpointer user_data)
{
  NetHandle *h = user_data;
  SynodNetwork *net = net_enter (h);

  if (net == NULL)
    {
      /* Accepted while the network is being freed: nothing will track it,
       * so refuse it now rather than leave the peer waiting for a hello
       * answer. (Its dispatch function may still run on what it sent; the
       * listener's reference keeps @h alive for that.) */
      synod_rpc_connection_close (conn);
      return;
    }
  track_connection (net, conn);
  net_leave (h);
}

/* ------------------------------------------------------------------------ */
/* Serving calls from other peers */

static void
reply_bytes (SynodRpcConnection *conn, guint32 xid, const SynodTypeDesc *type, gconstpointer value)
{
  g_autoptr (GBytes) bytes = encode_or_die (type, value);
  g_autoptr (GError) error = NULL;

  if (!synod_rpc_connection_reply (conn, xid, SYNOD_RPC_SUCCESS, bytes, &error))
    g_debug ("replying to %s: %s", synod_rpc_connection_get_peer_address (conn), error->message);
}

static void
reply_garbage (SynodRpcConnection *conn, guint32 xid)
{
  synod_rpc_connection_reply (conn, xid, SYNOD_RPC_GARBAGE_ARGS, NULL, NULL);
}

static void
reply_invoke_error (SynodRpcConnection *conn, guint32 xid, const GError *error)
{
  g_auto (SynodWireInvokeResult) result = { .ok = FALSE };

  error_to_wire (error, &result.u.error);
  reply_bytes (conn, xid, &synod_wire_invoke_result_desc, &result);
}

typedef struct
{
  SynodRpcConnection *conn;
  guint32 xid;
} InboundCall;

static void
invoke_done (const SynodMethodDesc *method, gconstpointer result, const GError *error,
             gpointer reply_data)
{
  InboundCall *call = reply_data;

  if (call->xid != 0)
    {
      if (error)
        reply_invoke_error (call->conn, call->xid, error);
      else
        {
          g_autoptr (GError) encode_error = NULL;
          g_autoptr (GBytes) bytes = synod_value_encode (method->result, result, &encode_error);

          if (bytes == NULL)
            reply_invoke_error (call->conn, call->xid, encode_error);
          else
            {
              g_auto (SynodWireInvokeResult) wire = { .ok = TRUE };

              wire.u.result.len = g_bytes_get_size (bytes);
              wire.u.result.val = g_memdup2 (g_bytes_get_data (bytes, NULL), wire.u.result.len);
              reply_bytes (call->conn, call->xid, &synod_wire_invoke_result_desc, &wire);
            }
        }
    }
  else if (error)
    g_debug ("a oneway %s.%s from %s failed: %s", method->interface->name, method->name,
             synod_rpc_connection_get_peer_address (call->conn), error->message);
  synod_rpc_connection_unref (call->conn);
  g_free (call);
}

static gchar *
principal_of (SynodNetwork *net, SynodRpcConnection *conn, gboolean *ret_foreign)
{
  ConnData *cd;
  gchar *principal;

  g_mutex_lock (&net->lock);
  cd = g_hash_table_lookup (net->conns, conn);
  principal = g_strdup (cd ? cd->principal : "unauthenticated");
  *ret_foreign = cd ? cd->foreign : FALSE;
  g_mutex_unlock (&net->lock);
  return principal;
}

static gboolean
has_object (SynodBroker *broker, const SynodObjectId *id)
{
  g_autoptr (SynodObject) object = synod_broker_lookup_object (broker, id);

  return object != NULL;
}

static void
serve_invoke (SynodNetwork *net, SynodRpcConnection *conn, const SynodRpcCallInfo *info,
              GBytes *args, gboolean oneway)
{
  g_auto (SynodWireInvoke) wire = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *principal = NULL;
  const SynodInterfaceDesc *iface;
  const SynodMethodDesc *method;
  gpointer method_args;
  InboundCall *call = NULL;
  SynodInvocation *claimed;
  gboolean foreign;

  if (!synod_value_decode (&synod_wire_invoke_desc, g_bytes_get_data (args, NULL),
                           g_bytes_get_size (args), &wire, &error))
    {
      g_debug ("undecodable invocation from %s: %s", synod_rpc_connection_get_peer_address (conn),
               error->message);
      if (!oneway)
        reply_garbage (conn, info->xid);
      return;
    }
  principal = principal_of (net, conn, &foreign);
  iface = synod_broker_lookup_interface (net->broker, wire.interface, wire.version);
  if (foreign)
    g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                 _ ("This peer serves its own cluster only"));
  else if (iface == NULL)
    g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                 _ ("No interface %s version %u on this peer"), wire.interface, wire.version);
  else if (wire.method >= iface->n_methods)
    g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                 _ ("Interface %s version %u has no method %u"), wire.interface, wire.version,
                 wire.method);
  if (error)
    {
      if (!oneway)
        reply_invoke_error (conn, info->xid, error);
      return;
    }
  method = &iface->methods[wire.method];
  if (!has_object (net->broker, &wire.target))
    {
      if (!oneway)
        {
          g_auto (SynodWireInvokeResult) result = { .ok = FALSE };
          gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

          synod_object_id_format (&wire.target, idbuf);
          result.u.error.domain = g_strdup (SYNOD_WIRE_NO_TARGET_DOMAIN);
          result.u.error.code = SYNOD_ORB_ERROR_NO_SUCH_OBJECT;
          result.u.error.message = g_strdup_printf (_ ("No object %s on this peer"), idbuf);
          reply_bytes (conn, info->xid, &synod_wire_invoke_result_desc, &result);
        }
      return;
    }
  method_args = synod_value_new (method->args);
  if (!synod_value_decode (method->args, wire.args.val, wire.args.len, method_args, &error))
    {
      g_prefix_error (&error, _ ("Arguments of %s.%s: "), iface->name, method->name);
      g_free (method_args);
      if (!oneway)
        reply_invoke_error (conn, info->xid, error);
      return;
    }
  if (!oneway)
    {
      call = g_new0 (InboundCall, 1);
      call->conn = synod_rpc_connection_ref (conn);
      call->xid = info->xid;
    }
  /* Oneway: no reply func, the broker runs it as a oneway send (and logs a
   * failure itself). When the object is free, the call runs on this very
   * thread once the transport has handed the reading on: no hand-over to
   * a worker. */
  claimed
      = _synod_broker_dispatch_claim (net->broker, &wire.target, method, method_args, principal,
                                      oneway ? NULL : invoke_done, call, synod_rpc_can_defer ());
  if (claimed)
    synod_rpc_defer ((void (*) (gpointer))_synod_invocation_run_claimed, claimed);
}

static void
reply_dynamic_error (SynodRpcConnection *conn, guint32 xid, const GError *error)
{
  g_auto (SynodWireDynamicResult) result = { .ok = FALSE };

  error_to_wire (error, &result.u.error);
  reply_bytes (conn, xid, &synod_wire_dynamic_result_desc, &result);
}

typedef struct
{
  SynodRpcConnection *conn;
  guint32 xid;
} DynamicCall;

static void
dynamic_done (const SynodMethodDesc *method, gconstpointer result, const GError *error,
              gpointer reply_data)
{
  DynamicCall *call = reply_data;

  if (error)
    reply_dynamic_error (call->conn, call->xid, error);
  else
    {
      g_autoptr (GError) convert_error = NULL;
      g_autoptr (GVariant) value = NULL;
      g_autoptr (GVariant) tuple = NULL;

      if (method->result->kind == SYNOD_TYPE_VOID)
        tuple = g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
      else if ((value = synod_value_to_variant (method->result, result, &convert_error)) != NULL)
        tuple = g_variant_ref_sink (g_variant_new_tuple (&value, 1));
      if (tuple == NULL)
        reply_dynamic_error (call->conn, call->xid, convert_error);
      else
        {
          g_auto (SynodWireDynamicResult) wire = { .ok = TRUE };

          wire.u.value.signature = g_strdup (g_variant_get_type_string (tuple));
          wire.u.value.data.len = g_variant_get_size (tuple);
          wire.u.value.data.val = g_malloc (MAX (wire.u.value.data.len, 1));
          g_variant_store (tuple, wire.u.value.data.val);
          reply_bytes (call->conn, call->xid, &synod_wire_dynamic_result_desc, &wire);
        }
    }
  synod_rpc_connection_unref (call->conn);
  g_free (call);
}

/* Finds the local object a dynamic call names (an Id, or a service name with
 * a provider on this peer). */
static gboolean
resolve_local_target (SynodNetwork *net, const gchar *target, SynodObjectId *ret_id, GError **error)
{
  if (synod_object_id_is_valid_text (target))
    return synod_object_id_parse (target, ret_id, error);
  if (synod_broker_is_valid_service_name (target))
    {
      g_autoptr (GArray) providers = NULL;

      set_local_only (TRUE);
      providers = synod_broker_list_providers (net->broker, target, NULL);
      set_local_only (FALSE);
      for (guint i = 0; providers && i < providers->len; i++)
        {
          SynodProvider *pr = &g_array_index (providers, SynodProvider, i);

          if (pr->peer == net->self_id)
            {
              *ret_id = pr->id;
              return TRUE;
            }
        }
    }
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
               _ ("No object or service “%s” on this peer"), target);
  return FALSE;
}

static void
serve_invoke_dynamic (SynodNetwork *net, SynodRpcConnection *conn, const SynodRpcCallInfo *info,
                      GBytes *args)
{
  g_auto (SynodWireInvokeDynamic) wire = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *principal = NULL;
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (SynodRef) ref = NULL;
  SynodObjectId id;
  const SynodMethodDesc *method = NULL;
  gpointer method_args = NULL;
  gboolean foreign;
  DynamicCall *call;

  if (!synod_value_decode (&synod_wire_invoke_dynamic_desc, g_bytes_get_data (args, NULL),
                           g_bytes_get_size (args), &wire, &error))
    {
      reply_garbage (conn, info->xid);
      return;
    }
  principal = principal_of (net, conn, &foreign);
  if (foreign)
    g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
                 _ ("This peer serves its own cluster only"));
  else if (!g_variant_type_string_is_valid (wire.signature)
           || !g_variant_type_is_tuple (G_VARIANT_TYPE (wire.signature)))
    g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                 _ ("“%s” is not the signature of an argument tuple"), wire.signature);
  else
    {
      g_autoptr (GBytes) data = g_bytes_new (wire.args.val, wire.args.len);

      /* GVariant reads untrusted serialized data safely; a value that is not
       * in normal form is refused rather than silently normalised. */
      variant = g_variant_ref_sink (
          g_variant_new_from_bytes (G_VARIANT_TYPE (wire.signature), data, FALSE));
      if (!g_variant_is_normal_form (variant))
        g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                     _ ("The arguments are not a GVariant of type %s in normal form"),
                     wire.signature);
    }
  if (error == NULL && resolve_local_target (net, wire.target, &id, &error))
    {
      ref = synod_ref_new_for_id (net->broker, &id);
      method = synod_ref_lookup_method (ref, wire.interface, wire.method, &error);
    }
  if (method != NULL)
    {
      method_args = synod_value_new (method->args);
      if (!synod_value_from_variant (method->args, variant, method_args, &error))
        {
          g_prefix_error (&error, _ ("Arguments of %s.%s: "), wire.interface, wire.method);
          g_clear_pointer (&method_args, g_free);
        }
    }
  if (error)
    {
      reply_dynamic_error (conn, info->xid, error);
      return;
    }
  call = g_new0 (DynamicCall, 1);
  call->conn = synod_rpc_connection_ref (conn);
  call->xid = info->xid;
  synod_broker_dispatch (net->broker, &id, method, method_args, principal, dynamic_done, call);
}

static void
serve_resolve (SynodNetwork *net, SynodRpcConnection *conn, const SynodRpcCallInfo *info,
               GBytes *args)
{
  g_auto (SynodWireResolve) wire = { 0 };
  g_auto (SynodWireProviderList) list = { 0 };
  g_autoptr (GArray) providers = NULL;
  GArray *mine = g_array_new (FALSE, FALSE, sizeof (SynodWireProvider));

  if (!synod_value_decode (&synod_wire_resolve_desc, g_bytes_get_data (args, NULL),
                           g_bytes_get_size (args), &wire, NULL))
    {
      g_array_unref (mine);
      reply_garbage (conn, info->xid);
      return;
    }
  if (synod_broker_is_valid_service_name (wire.name))
    {
      set_local_only (TRUE);
      providers = synod_broker_list_providers (net->broker, wire.name, NULL);
      set_local_only (FALSE);
    }
  for (guint i = 0; providers && i < providers->len; i++)
    {
      SynodProvider *pr = &g_array_index (providers, SynodProvider, i);

      if (pr->peer == net->self_id)
        {
          SynodWireProvider wp = { .peer = pr->peer, .id = pr->id };
          g_array_append_val (mine, wp);
        }
    }
  list.len = mine->len;
  list.val = (SynodWireProvider *)(gpointer)g_array_free (mine, FALSE);
  reply_bytes (conn, info->xid, &synod_wire_provider_list_desc, &list);
}

static void
serve_notice (SynodNetwork *net, GBytes *args)
{
  g_auto (SynodWireNotice) wire = { 0 };

  if (!synod_value_decode (&synod_wire_notice_desc, g_bytes_get_data (args, NULL),
                           g_bytes_get_size (args), &wire, NULL))
    return;
  g_mutex_lock (&net->lock);
  g_hash_table_remove (net->name_cache, wire.name);
  g_mutex_unlock (&net->lock);
}

static void
serve_peers (SynodNetwork *net, SynodRpcConnection *conn, const SynodRpcCallInfo *info)
{
  g_auto (SynodWirePeerList) list = { 0 };
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (SynodWirePeerEntry));

  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];
      SynodWirePeerEntry e;

      if (p->id == 0 || p->dial_address == NULL || p->conn == NULL
          || strlen (p->dial_address) > SYNOD_WIRE_MAX_ADDRESS)
        continue;
      e.peer = p->id;
      e.address = g_strdup (p->dial_address);
      g_array_append_val (entries, e);
    }
  g_mutex_unlock (&net->lock);
  list.len = entries->len;
  list.val = (SynodWirePeerEntry *)(gpointer)g_array_free (entries, FALSE);
  reply_bytes (conn, info->xid, &synod_wire_peer_list_desc, &list);
}

static void
serve_hello (SynodNetwork *net, SynodRpcConnection *conn, const SynodRpcCallInfo *info,
             GBytes *args)
{
  g_auto (SynodWireHello) theirs = { 0 };
  g_auto (SynodWireHello) mine = { 0 };

  if (!synod_value_decode (&synod_wire_hello_desc, g_bytes_get_data (args, NULL),
                           g_bytes_get_size (args), &theirs, NULL))
    {
      reply_garbage (conn, info->xid);
      return;
    }
  g_mutex_lock (&net->lock);
  if (theirs.protocol == SYNOD_WIRE_PROTOCOL_VERSION && theirs.peer != net->self_id)
    learn_peer (net, conn, &theirs, NULL, TRUE);
  g_mutex_unlock (&net->lock);
  fill_hello (net, &mine);
  reply_bytes (conn, info->xid, &synod_wire_hello_desc, &mine);
}

/* The program's dispatch function: on a connection's reader thread, never
 * blocking. */
static void
dispatch (SynodRpcConnection *conn, const SynodRpcCallInfo *info, GBytes *args, gpointer user_data)
{
  NetHandle *h = user_data;
  SynodNetwork *net = net_enter (h);

  /* A network being freed closes its connections: the call fails there. */
  if (net == NULL)
    return;
  switch (info->proc)
    {
      case SYNOD_WIRE_PROC_HELLO:
        serve_hello (net, conn, info, args);
        break;
      case SYNOD_WIRE_PROC_INVOKE:
        serve_invoke (net, conn, info, args, FALSE);
        break;
      case SYNOD_WIRE_PROC_INVOKE_ONEWAY:
        serve_invoke (net, conn, info, args, TRUE);
        break;
      case SYNOD_WIRE_PROC_INVOKE_DYNAMIC:
        serve_invoke_dynamic (net, conn, info, args);
        break;
      case SYNOD_WIRE_PROC_RESOLVE:
        serve_resolve (net, conn, info, args);
        break;
      case SYNOD_WIRE_PROC_NOTICE:
        serve_notice (net, args);
        break;
      case SYNOD_WIRE_PROC_PEERS:
        serve_peers (net, conn, info);
        break;
      default:
        /* The transport refuses procedures beyond N_PROCS. */
        reply_garbage (conn, info->xid);
        break;
    }
  net_leave (h);
}

/* ------------------------------------------------------------------------ */
/* The broker's remote handler */

/* ---- Finding objects that do not live on their Id's peer ----
 *
 * An Id names its creating peer, and sends go there. An alias may name
 * another peer (a duplicate imported from elsewhere keeps the original's Id),
 * and then that peer answers "no such target": the sender asks its other
 * peers which one holds the Id (Standard.Object.id, in parallel), caches the
 * answer, and sends there. Only that marker triggers a search, never a
 * method's own NO_SUCH_OBJECT error, so a method never runs twice. */

typedef struct
{
  GMutex lock;
  GCond cond;
  guint refs;
  guint remaining;
  guint64 found;
} Locate;

typedef struct
{
  Locate *locate;
  guint64 peer;
} LocateProbe;

static void
locate_unref (Locate *l)
{
  gboolean last;

  g_mutex_lock (&l->lock);
  last = --l->refs == 0;
  g_mutex_unlock (&l->lock);
  if (!last)
    return;
  g_mutex_clear (&l->lock);
  g_cond_clear (&l->cond);
  g_free (l);
}

static void
locate_reply (GBytes *result, const GError *error, gpointer user_data)
{
  LocateProbe *probe = user_data;
  Locate *l = probe->locate;
  g_auto (SynodWireInvokeResult) wire = { 0 };

  g_mutex_lock (&l->lock);
  if (result != NULL
      && synod_value_decode (&synod_wire_invoke_result_desc, g_bytes_get_data (result, NULL),
                             g_bytes_get_size (result), &wire, NULL)
      && wire.ok && l->found == 0)
    l->found = probe->peer;
  l->remaining--;
  g_cond_broadcast (&l->cond);
  g_mutex_unlock (&l->lock);
  locate_unref (l);
  g_free (probe);
}

static gboolean
cached_location (SynodNetwork *net, const SynodObjectId *id, guint64 *ret_peer)
{
  CachedLocation *cached;
  gboolean found = FALSE;

  g_mutex_lock (&net->lock);
  if (g_hash_table_size (net->location_cache) > 0
      && (cached = g_hash_table_lookup (net->location_cache, id)) != NULL)
    {
      if (cached->expires > g_get_monotonic_time ())
        {
          *ret_peer = cached->peer;
          found = TRUE;
        }
      else
        g_hash_table_remove (net->location_cache, id);
    }
  g_mutex_unlock (&net->lock);
  return found;
}

static void
forget_location (SynodNetwork *net, const SynodObjectId *id)
{
  g_mutex_lock (&net->lock);
  g_hash_table_remove (net->location_cache, id);
  g_mutex_unlock (&net->lock);
}

/* Asks every connected peer but @skip whether it holds @id. Blocking, at
 * most the call timeout. */
static gboolean
locate_object (SynodNetwork *net, const SynodObjectId *id, guint64 skip, guint64 *ret_peer)
{
  g_auto (SynodWireInvoke) wire = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) conns
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  gint64 deadline = g_get_monotonic_time () + (gint64)net->call_timeout_ms * 1000;
  Locate *l;
  guint64 found;

  if (cached_location (net, id, ret_peer))
    return TRUE;
  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->id != 0 && p->id != skip && !(p->sources & SYNOD_PEER_CLIENT) && p->conn
          && !synod_rpc_connection_is_closed (p->conn))
        {
          g_ptr_array_add (conns, synod_rpc_connection_ref (p->conn));
          g_array_append_val (ids, p->id);
        }
    }
  g_mutex_unlock (&net->lock);
  if (conns->len == 0)
    return FALSE;

  wire.target = *id;
  wire.interface = g_strdup (standard_object_interface.name);
  wire.version = standard_object_interface.version;
  wire.method = STANDARD_OBJECT_METHOD_ID->index;
  bytes = encode_or_die (&synod_wire_invoke_desc, &wire);

  l = g_new0 (Locate, 1);
  g_mutex_init (&l->lock);
  g_cond_init (&l->cond);
  l->refs = 1 + conns->len;
  l->remaining = conns->len;
  for (guint i = 0; i < conns->len; i++)
    {
      LocateProbe *probe = g_new (LocateProbe, 1);

      probe->locate = l;
      probe->peer = g_array_index (ids, guint64, i);
      synod_rpc_connection_call_full (conns->pdata[i], SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                      SYNOD_WIRE_PROC_INVOKE, bytes, net->call_timeout_ms,
                                      net->context, locate_reply, probe);
    }
  g_mutex_lock (&l->lock);
  while (l->remaining > 0 && l->found == 0)
    if (!g_cond_wait_until (&l->cond, &l->lock, deadline))
      break;
  found = l->found;
  g_mutex_unlock (&l->lock);
  locate_unref (l);
  if (found == 0)
    return FALSE;

  {
    CachedLocation *cached = g_new (CachedLocation, 1);

    cached->id = *id;
    cached->peer = found;
    cached->expires = g_get_monotonic_time () + NAME_CACHE_TTL_US;
    g_mutex_lock (&net->lock);
    g_hash_table_replace (net->location_cache, &cached->id, cached);
    g_mutex_unlock (&net->lock);
  }
  *ret_peer = found;
  return TRUE;
}

static gboolean
peer_is_known (SynodNetwork *net, guint64 id)
{
  gboolean known;

  g_mutex_lock (&net->lock);
  known = find_peer_by_id (net, id) != NULL;
  g_mutex_unlock (&net->lock);
  return known;
}

/* ---- The broker's outgoing sends ---- */

typedef struct
{
  NetHandle *handle;
  SynodRemoteReplyFunc reply;
  gpointer reply_data;
  guint64 peer;
  SynodObjectId target;
  const SynodMethodDesc *method;
  GBytes *bytes;    /* the encoded SynodWireInvoke, kept for a second try */
  gboolean located; /* sent where a search found it: no second search */
} OutboundCall;

static void outbound_send (SynodNetwork *net, OutboundCall *call);

static void
outbound_free (OutboundCall *call)
{
  g_bytes_unref (call->bytes);
  handle_unref (call->handle);
  g_free (call);
}

static void
outbound_fail (OutboundCall *call, const GError *error)
{
  call->reply (NULL, error, call->reply_data);
  outbound_free (call);
}

static GError *
no_target_error (const SynodObjectId *target, guint64 peer)
{
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  synod_object_id_format (target, idbuf);
  return g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                      _ ("No object %s on peer %016" PRIx64 " or its peers"), idbuf, peer);
}

/* On a thread of its own (a reply arrives on a connection's reader, which
 * must not block): finds where the target lives and sends again. */
static gpointer
relocate_thread (gpointer data)
{
  OutboundCall *call = data;
  NetHandle *h = handle_ref (call->handle); /* @call may be freed below */
  SynodNetwork *net = net_enter (h);
  guint64 peer = 0;

  if (net == NULL)
    {
      g_autoptr (GError) error = g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                                              _ ("This peer is leaving the network"));
      outbound_fail (call, error);
      handle_unref (h);
      return NULL;
    }
  if (locate_object (net, &call->target, call->peer, &peer))
    {
      call->peer = peer;
      call->located = TRUE;
      outbound_send (net, call);
    }
  else
    {
      g_autoptr (GError) error = no_target_error (&call->target, call->peer);

      outbound_fail (call, error);
    }
  net_leave (h);
  handle_unref (h);
  return NULL;
}

static void
remote_invoke_done (GBytes *result, const GError *error, gpointer user_data)
{
  OutboundCall *call = user_data;
  g_auto (SynodWireInvokeResult) wire = { 0 };
  g_autoptr (GError) decode_error = NULL;
  g_autofree gchar *peer_name = NULL;

  if (error)
    call->reply (NULL, error, call->reply_data);
  else if (!synod_value_decode (&synod_wire_invoke_result_desc, g_bytes_get_data (result, NULL),
                                g_bytes_get_size (result), &wire, &decode_error))
    {
      peer_name = peer_text (call->peer);
      g_prefix_error (&decode_error, _ ("Reply from peer %s: "), peer_name);
      call->reply (NULL, decode_error, call->reply_data);
    }
  else if (wire.ok)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_take (wire.u.result.val, wire.u.result.len);

      wire.u.result.val = NULL;
      wire.u.result.len = 0;
      call->reply (bytes, NULL, call->reply_data);
    }
  else if (strcmp (wire.u.error.domain, SYNOD_WIRE_NO_TARGET_DOMAIN) == 0)
    {
      if (call->located)
        {
          /* Where a search found it, it is no more: search again next time. */
          SynodNetwork *net = net_enter (call->handle);

          if (net)
            {
              forget_location (net, &call->target);
              net_leave (call->handle);
            }
        }
      else
        {
          g_thread_unref (g_thread_new ("synod-locate", relocate_thread, call));
          return;
        }
      {
        g_autoptr (GError) missing = no_target_error (&call->target, call->peer);

        call->reply (NULL, missing, call->reply_data);
      }
    }
  else
    {
      g_autoptr (GError) remote = NULL;

      peer_name = peer_text (call->peer);
      remote = error_from_wire (&wire.u.error, peer_name);
      call->reply (NULL, remote, call->reply_data);
    }
  outbound_free (call);
}

/* Sends @call to call->peer (its reply completes it). */
static void
outbound_send (SynodNetwork *net, OutboundCall *call)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodRpcConnection) conn = connection_for (net, call->peer, &error);

  if (conn == NULL)
    {
      outbound_fail (call, error);
      return;
    }
  synod_rpc_connection_call_full (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                  SYNOD_WIRE_PROC_INVOKE, call->bytes, net->call_timeout_ms,
                                  net->context, remote_invoke_done, call);
}

static void
remote_invoke (gpointer handler_data, guint64 peer, const SynodObjectId *target,
               const SynodMethodDesc *method, GBytes *args, GCancellable *cancellable,
               SynodRemoteReplyFunc reply, gpointer reply_data)
{
  NetHandle *h = handler_data;
  SynodNetwork *net = net_enter (h);
  g_autoptr (GError) error = NULL;
  g_auto (SynodWireInvoke) wire = { 0 };
  GBytes *bytes;
  gboolean located = FALSE;

  if (net == NULL)
    {
      g_set_error (&error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   _ ("This peer is leaving the network"));
      if (reply)
        reply (NULL, error, reply_data);
      return;
    }
  /* An object found elsewhere than on its Id's peer; or an Id of a peer
   * nobody knows, which another peer may hold under an alias. */
  if (cached_location (net, target, &peer))
    located = TRUE;
  else if (!peer_is_known (net, peer) && locate_object (net, target, 0, &peer))
    located = TRUE;

  wire.target = *target;
  wire.interface = g_strdup (method->interface->name);
  wire.version = method->interface->version;
  wire.method = method->index;
  wire.args.len = g_bytes_get_size (args);
  wire.args.val = (guint8 *)g_bytes_get_data (args, NULL);
  bytes = encode_or_die (&synod_wire_invoke_desc, &wire);
  /* Borrowed from @args, not to be freed with the wire struct. */
  wire.args.val = NULL;
  wire.args.len = 0;

  if (reply == NULL)
    {
      g_autoptr (SynodRpcConnection) conn = connection_for (net, peer, &error);

      if (conn == NULL
          || !synod_rpc_connection_send_oneway (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                                SYNOD_WIRE_PROC_INVOKE_ONEWAY, bytes, &error))
        g_debug ("oneway %s.%s to %016" G_GINT64_MODIFIER "x: %s", method->interface->name,
                 method->name, peer, error->message);
      g_bytes_unref (bytes);
      net_leave (h);
      return;
    }
  {
    OutboundCall *call = g_new0 (OutboundCall, 1);

    call->handle = handle_ref (h);
    call->reply = reply;
    call->reply_data = reply_data;
    call->peer = peer;
    call->target = *target;
    call->method = method;
    call->bytes = bytes;
    call->located = located;
    outbound_send (net, call);
  }
  net_leave (h);
}

/* The broker's synchronous sends: the call is written, and its reply
 * waited for, on the sender's own thread (no OutboundCall, no hand-over to
 * the connection's writer or back from its reader but the wake-up). The
 * network is not held while waiting, so that freeing it (which closes the
 * connections, failing the call) never waits for a reply. */
static gboolean
remote_invoke_sync (gpointer handler_data, guint64 peer, const SynodObjectId *target,
                    const SynodMethodDesc *method, GBytes *args, GCancellable *cancellable,
                    GBytes **ret_result, GError **error)
{
  NetHandle *h = handler_data;
  g_auto (SynodWireInvoke) wire = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  gboolean located = FALSE;
  guint call_timeout_ms;

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (SynodRpcConnection) conn = NULL;
      g_autoptr (GBytes) reply = NULL;
      g_auto (SynodWireInvokeResult) result = { 0 };
      SynodNetwork *net = net_enter (h);

      if (net == NULL)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                       _ ("This peer is leaving the network"));
          return FALSE;
        }
      if (attempt == 0)
        {
          if (cached_location (net, target, &peer))
            located = TRUE;
          else if (!peer_is_known (net, peer) && locate_object (net, target, 0, &peer))
            located = TRUE;
          wire.target = *target;
          wire.interface = (gchar *)method->interface->name;
          wire.version = method->interface->version;
          wire.method = method->index;
          wire.args.len = g_bytes_get_size (args);
          wire.args.val = (guint8 *)g_bytes_get_data (args, NULL);
          bytes = encode_or_die (&synod_wire_invoke_desc, &wire);
          /* Borrowed, not to be freed with the wire struct. */
          memset (&wire, 0, sizeof wire);
        }
      else if (located || !locate_object (net, target, peer, &peer))
        {
          /* Not where a search found it, or nowhere at all. */
          if (located)
            forget_location (net, target);
          g_propagate_error (error, no_target_error (target, peer));
          net_leave (h);
          return FALSE;
        }
      else
        located = TRUE;
      conn = connection_for (net, peer, error);
      call_timeout_ms = net->call_timeout_ms;
      net_leave (h);
      if (conn == NULL)
        return FALSE;

      reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                              SYNOD_WIRE_PROC_INVOKE, bytes, call_timeout_ms,
                                              cancellable, error);
      if (reply == NULL)
        return FALSE;
      if (!synod_value_decode (&synod_wire_invoke_result_desc, g_bytes_get_data (reply, NULL),
                               g_bytes_get_size (reply), &result, error))
        {
          g_autofree gchar *peer_name = peer_text (peer);

          g_prefix_error (error, _ ("Reply from peer %s: "), peer_name);
          return FALSE;
        }
      if (result.ok)
        {
          *ret_result = g_bytes_new_take (result.u.result.val, result.u.result.len);
          result.u.result.val = NULL;
          result.u.result.len = 0;
          return TRUE;
        }
      if (strcmp (result.u.error.domain, SYNOD_WIRE_NO_TARGET_DOMAIN) != 0 || attempt > 0)
        {
          g_autofree gchar *peer_name = peer_text (peer);

          if (strcmp (result.u.error.domain, SYNOD_WIRE_NO_TARGET_DOMAIN) == 0)
            g_propagate_error (error, no_target_error (target, peer));
          else
            g_propagate_error (error, error_from_wire (&result.u.error, peer_name));
          return FALSE;
        }
      /* No such target there: look elsewhere, once. */
    }
}

/* Asks every connected peer for its providers of a name, in parallel. */
typedef struct
{
  gboolean want_all;
  GArray *found; /* SynodProvider */
} Gather;

static void
gather_free (gpointer data)
{
  Gather *g = data;

  g_array_unref (g->found);
  g_free (g);
}

static gboolean
gather_reply (GBytes *result, gpointer data)
{
  Gather *g = data;
  g_auto (SynodWireProviderList) list = { 0 };

  if (synod_value_decode (&synod_wire_provider_list_desc, g_bytes_get_data (result, NULL),
                          g_bytes_get_size (result), &list, NULL))
    for (guint i = 0; i < list.len; i++)
      {
        SynodProvider pr = { .peer = list.val[i].peer, .id = list.val[i].id };
        g_array_append_val (g->found, pr);
      }
  return !g->want_all && g->found->len > 0;
}

static gpointer
gather_collect (gconstpointer data, gpointer unused)
{
  return g_array_copy (((const Gather *)data)->found);
}

static GArray *
gather_providers (SynodNetwork *net, const gchar *name, gboolean want_all)
{
  g_auto (SynodWireResolve) wire = { .name = g_strdup (name) };
  g_autoptr (GBytes) bytes = encode_or_die (&synod_wire_resolve_desc, &wire);
  Gather *g = g_new0 (Gather, 1);

  g->found = g_array_new (FALSE, FALSE, sizeof (SynodProvider));
  g->want_all = want_all;
  return fanout_run (net, SYNOD_WIRE_PROC_RESOLVE, bytes, net->call_timeout_ms, gather_reply,
                     gather_collect, g, gather_free);
}

static gboolean resolve_name (SynodNetwork *net, const gchar *name, SynodProvider *ret_provider,
                              GError **error);

static gboolean
remote_resolve_name (gpointer handler_data, const gchar *name, SynodProvider *ret_provider,
                     GError **error)
{
  NetHandle *h = handler_data;
  SynodNetwork *net = local_only () ? NULL : net_enter (h);
  gboolean ok;

  if (net == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("No peer provides the service “%s”"), name);
      return FALSE;
    }
  ok = resolve_name (net, name, ret_provider, error);
  net_leave (h);
  return ok;
}

static gboolean
resolve_name (SynodNetwork *net, const gchar *name, SynodProvider *ret_provider, GError **error)
{
  g_autoptr (GArray) found = NULL;
  CachedName *cached;

  g_mutex_lock (&net->lock);
  cached = g_hash_table_lookup (net->name_cache, name);
  if (cached && cached->expires > g_get_monotonic_time ())
    {
      *ret_provider = cached->provider;
      g_mutex_unlock (&net->lock);
      return TRUE;
    }
  g_mutex_unlock (&net->lock);
  found = gather_providers (net, name, FALSE);
  if (found->len == 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("No peer provides the service “%s”"), name);
      return FALSE;
    }
  cached = g_new (CachedName, 1);
  cached->provider = g_array_index (found, SynodProvider, 0);
  cached->expires = g_get_monotonic_time () + NAME_CACHE_TTL_US;
  g_mutex_lock (&net->lock);
  g_hash_table_replace (net->name_cache, g_strdup (name), cached);
  g_mutex_unlock (&net->lock);
  *ret_provider = cached->provider;
  return TRUE;
}

static GArray *
remote_list_providers (gpointer handler_data, const gchar *name, GError **error)
{
  NetHandle *h = handler_data;
  SynodNetwork *net = local_only () ? NULL : net_enter (h);
  GArray *found;

  if (net == NULL)
    return NULL;
  found = gather_providers (net, name, TRUE);
  net_leave (h);
  return found;
}

static const SynodRemoteHandler remote_handler = {
  .invoke = remote_invoke,
  .resolve_name = remote_resolve_name,
  .list_providers = remote_list_providers,
  .invoke_sync = remote_invoke_sync,
};

/* ------------------------------------------------------------------------ */
/* The network thread: discovery, probes, reconnection */

static gpointer connect_in_background (gpointer data);

static void
discovered (SynodDiscovery *d, const SynodDiscoveredPeer *dp, gpointer user_data)
{
  SynodNetwork *net = user_data;
  gboolean dial_now;
  Peer *p;

  g_mutex_lock (&net->lock);
  p = find_peer_by_id (net, dp->peer_id);
  if (p == NULL)
    {
      p = peer_new ();
      p->id = dp->peer_id;
      g_ptr_array_add (net->peers, p);
    }
  p->sources |= SYNOD_PEER_MDNS;
  p->mdns_withdrawn = FALSE;
  g_ptr_array_set_size (p->addresses, 0);
  for (gchar **a = dp->addresses; *a; a++)
    g_ptr_array_add (p->addresses, g_strdup (*a));
  if (!(p->sources & SYNOD_PEER_STATIC))
    {
      g_free (p->dial_address);
      p->dial_address = g_strdup (dp->address);
    }
  g_free (p->cluster);
  p->cluster = g_strdup (dp->cluster);
  p->next_attempt = 0;
  p->backoff_ms = BACKOFF_MIN_MS;
  /* Usable at once rather than at the next probe tick. */
  dial_now = !p->connecting && (p->conn == NULL || synod_rpc_connection_is_closed (p->conn));
  if (dial_now)
    peer_ref (p);
  g_mutex_unlock (&net->lock);
  if (dial_now)
    {
      gpointer *pair = g_new (gpointer, 2);

      pair[0] = handle_ref (net->handle);
      pair[1] = p;
      g_thread_unref (g_thread_new ("synod-connect", connect_in_background, pair));
    }
}

static void
vanished (SynodDiscovery *d, const SynodDiscoveredPeer *dp, gpointer user_data)
{
  SynodNetwork *net = user_data;
  Peer *p;
  SynodRpcConnection *conn = NULL;

  g_mutex_lock (&net->lock);
  p = find_peer_by_id (net, dp->peer_id);
  if (p && (p->sources & SYNOD_PEER_STATIC))
    {
      p->sources &= ~SYNOD_PEER_MDNS;
      g_ptr_array_set_size (p->addresses, 0);
    }
  else if (p && p->conn && !synod_rpc_connection_is_closed (p->conn))
    {
      /* mDNS says it left, but its connection is up: an avahi-daemon
       * restarting (here or there) withdraws every record without the peer
       * going anywhere. Keep it while the connection lives and answers
       * probes; it is dropped when the connection closes, unless mDNS
       * announces it again first. */
      g_info ("mDNS withdrew peer %016" G_GINT64_MODIFIER "x but its connection is up: kept "
              "while it answers",
              p->id);
      p->mdns_withdrawn = TRUE;
    }
  else if (p)
    {
      /* mDNS says it left: stop using it. */
      g_info ("mDNS: peer %016" G_GINT64_MODIFIER "x left: dropped from the table", p->id);
      if (p->conn)
        conn = synod_rpc_connection_ref (p->conn);
      remove_peer (net, p);
    }
  g_mutex_unlock (&net->lock);
  if (conn)
    {
      synod_rpc_connection_close (conn);
      synod_rpc_connection_unref (conn);
    }
}

static gpointer
connect_in_background (gpointer data)
{
  gpointer *pair = data;
  NetHandle *h = pair[0];
  Peer *p = pair[1];
  SynodNetwork *net = net_enter (h);

  if (net)
    {
      SynodRpcConnection *conn = connect_peer (net, p, NULL);

      g_clear_pointer (&conn, synod_rpc_connection_unref);
      net_leave (h);
    }
  peer_unref (p);
  handle_unref (h);
  g_free (pair);
  return NULL;
}

typedef struct
{
  NetHandle *handle;
  SynodRpcConnection *conn;
} Probe;

static void
probe_done (GBytes *result, const GError *error, gpointer user_data)
{
  Probe *probe = user_data;
  SynodNetwork *net = net_enter (probe->handle);

  if (net)
    {
      g_mutex_lock (&net->lock);
      for (guint i = 0; i < net->peers->len; i++)
        {
          Peer *p = net->peers->pdata[i];

          if (p->conn == probe->conn)
            p->probing = FALSE;
        }
      g_mutex_unlock (&net->lock);
      net_leave (probe->handle);
    }
  if (error && !g_error_matches (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED))
    {
      g_info ("peer at %s does not answer (%s): closing the connection",
              synod_rpc_connection_get_peer_address (probe->conn), error->message);
      synod_rpc_connection_close (probe->conn);
    }
  synod_rpc_connection_unref (probe->conn);
  handle_unref (probe->handle);
  g_free (probe);
}

/* Every probe interval: ping connected peers (a dead link shows within two
 * intervals) and retry the ones without a connection, with back-off. */
static gboolean
probe_tick (gpointer user_data)
{
  SynodNetwork *net = user_data;
  gint64 now = g_get_monotonic_time ();
  GPtrArray *to_probe = g_ptr_array_new ();
  GPtrArray *to_connect = g_ptr_array_new ();

  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->conn && !synod_rpc_connection_is_closed (p->conn))
        {
          if (!p->probing)
            {
              p->probing = TRUE;
              g_ptr_array_add (to_probe, synod_rpc_connection_ref (p->conn));
            }
        }
      else if (!p->connecting && (p->dial_address || p->addresses->len > 0)
               && now >= p->next_attempt)
        g_ptr_array_add (to_connect, peer_ref (p));
    }
  g_mutex_unlock (&net->lock);

  /* Every few probes, also ask each connected peer which peers it knows. */
  if (++net->ticks % GOSSIP_EVERY_TICKS == 0)
    for (guint i = 0; i < to_probe->len; i++)
      ask_peers (net, to_probe->pdata[i]);
  for (guint i = 0; i < to_probe->len; i++)
    {
      Probe *probe = g_new0 (Probe, 1);

      probe->handle = handle_ref (net->handle);
      probe->conn = to_probe->pdata[i];
      synod_rpc_connection_call_full (probe->conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                      SYNOD_WIRE_PROC_NULL, NULL, net->probe_interval_ms * 2,
                                      net->context, probe_done, probe);
    }
  for (guint i = 0; i < to_connect->len; i++)
    {
      gpointer *pair = g_new (gpointer, 2);

      pair[0] = handle_ref (net->handle);
      pair[1] = to_connect->pdata[i];
      g_thread_unref (g_thread_new ("synod-connect", connect_in_background, pair));
    }
  g_ptr_array_unref (to_probe);
  g_ptr_array_unref (to_connect);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  SynodNetwork *net;
  gboolean started;
  GMutex lock;
  GCond cond;
} ThreadStart;

static gpointer
network_thread (gpointer data)
{
  ThreadStart *start = data;
  SynodNetwork *net = start->net;

  g_main_context_push_thread_default (net->context);
  if (net->discovery_enabled)
    {
      SynodDiscoveryOptions dopts = {
        .peer_id = net->self_id,
        .port = net->listener ? synod_rpc_listener_get_port (net->listener) : 0,
        .cluster = net->cluster,
        .instance_name = net->instance_name,
      };
      g_autoptr (GError) error = NULL;

      net->discovery = synod_discovery_new (&dopts, net->context, &error);
      if (net->discovery)
        synod_discovery_set_peer_funcs (net->discovery, discovered, vanished, net);
      else
        g_warning ("mDNS discovery: %s", error->message);
    }
  net->probe_source = g_timeout_source_new (net->probe_interval_ms);
  g_source_set_callback (net->probe_source, probe_tick, net, NULL);
  g_source_attach (net->probe_source, net->context);
  /* Connect to static peers at once rather than at the first tick. */
  probe_tick (net);

  g_mutex_lock (&start->lock);
  start->started = TRUE;
  g_cond_signal (&start->cond);
  g_mutex_unlock (&start->lock);

  g_main_loop_run (net->loop);

  g_clear_pointer (&net->discovery, synod_discovery_free);
  g_source_destroy (net->probe_source);
  g_clear_pointer (&net->probe_source, g_source_unref);
  g_main_context_pop_thread_default (net->context);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Telling other peers when our services change */

/* A broker watch: when a local object starts or stops providing a service,
 * every connected peer drops what it cached for the name. Oneway sends are
 * queued, never blocking, so this is safe under the broker's watch lock. */
static void
services_changed (SynodBroker *broker, SynodBrokerEvent event, const SynodObjectId *id,
                  const gchar *service_name, gpointer user_data)
{
  NetHandle *h = user_data;
  SynodNetwork *net;
  g_auto (SynodWireNotice) notice = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) conns = NULL;

  if (event != SYNOD_BROKER_EVENT_SERVICE_ADDED && event != SYNOD_BROKER_EVENT_SERVICE_REMOVED)
    return;
  net = net_enter (h);
  if (net == NULL)
    return;
  notice.kind = event == SYNOD_BROKER_EVENT_SERVICE_ADDED ? SYNOD_WIRE_SERVICE_ADDED
                                                          : SYNOD_WIRE_SERVICE_REMOVED;
  notice.name = g_strdup (service_name);
  notice.id = *id;
  bytes = encode_or_die (&synod_wire_notice_desc, &notice);
  conns = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);
  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->id != 0 && p->conn && !synod_rpc_connection_is_closed (p->conn))
        g_ptr_array_add (conns, synod_rpc_connection_ref (p->conn));
    }
  g_mutex_unlock (&net->lock);
  for (guint i = 0; i < conns->len; i++)
    synod_rpc_connection_send_oneway (conns->pdata[i], SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                      SYNOD_WIRE_PROC_NOTICE, bytes, NULL);
  net_leave (h);
}

/* ------------------------------------------------------------------------ */
/* Public API */

/**
 * synod_network_new:
 * @broker: the broker whose objects the network serves and whose sends it
 *   carries
 * @options: listener, static peers, discovery, limits
 * @error: return location for an error
 *
 * Starts listening (when @options says so), connects to the static peers,
 * starts mDNS discovery (when enabled) and installs itself as the broker's
 * remote handler.
 *
 * Returns: (transfer full): the network, or NULL
 */
SynodNetwork *
synod_network_new (SynodBroker *broker, const SynodNetworkOptions *options, GError **error)
{
  g_autoptr (SynodNetwork) net = g_new0 (SynodNetwork, 1);
  ThreadStart start = { 0 };

  g_return_val_if_fail (broker != NULL && options != NULL, NULL);
  net->handle = g_new0 (NetHandle, 1);
  g_atomic_ref_count_init (&net->handle->ref_count);
  g_mutex_init (&net->handle->lock);
  g_cond_init (&net->handle->cond);
  net->handle->net = net;
  net->broker = synod_broker_ref (broker);
  net->self_id = synod_broker_get_peer_id (broker);
  net->cluster = g_strdup (options->cluster ? options->cluster : SYNOD_NETWORK_DEFAULT_CLUSTER);
  net->instance_name = g_strdup (options->instance_name);
  net->discovery_enabled = options->discovery;
  net->call_timeout_ms = options->call_timeout_ms;
  net->connect_timeout_ms = options->connect_timeout_ms ? options->connect_timeout_ms
                                                        : SYNOD_NETWORK_DEFAULT_CONNECT_TIMEOUT_MS;
  net->probe_interval_ms = options->probe_interval_ms ? options->probe_interval_ms
                                                      : SYNOD_NETWORK_DEFAULT_PROBE_INTERVAL_MS;
  synod_rpc_options_init (&net->rpc_options);
  if (options->max_record)
    net->rpc_options.max_record = options->max_record;
  net->program = (SynodRpcProgram){
    .prog = SYNOD_RPC_PROGRAM,
    .low_version = SYNOD_RPC_VERSION,
    .high_version = SYNOD_RPC_VERSION,
    .n_procs = SYNOD_WIRE_N_PROCS,
    .oneway_procs = (1u << SYNOD_WIRE_PROC_INVOKE_ONEWAY) | (1u << SYNOD_WIRE_PROC_NOTICE),
    .dispatch = dispatch,
    .user_data = net->handle,
  };
  g_mutex_init (&net->lock);
  g_cond_init (&net->cond);
  net->peers = g_ptr_array_new_with_free_func (peer_unref);
  net->conns = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                      (GDestroyNotify)synod_rpc_connection_unref, conn_data_free);
  net->name_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  net->location_cache
      = g_hash_table_new_full (synod_object_id_hash, synod_object_id_equal, NULL, g_free);
  net->context = g_main_context_new ();
  net->loop = g_main_loop_new (net->context, FALSE);

  if (strlen (net->cluster) > 63)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("The cluster name “%s” is longer than 63 bytes"), net->cluster);
      return NULL;
    }
  {
    SynodTlsMode mode = options->tls_mode;

    if (mode == SYNOD_TLS_AUTO)
      mode = options->tls_cert ? SYNOD_TLS_REQUIRED : SYNOD_TLS_OFF;
    if (mode != SYNOD_TLS_OFF)
      {
        net->rpc_options.tls
            = _synod_rpc_tls_new (mode, options->tls_cert, options->tls_key, options->tls_ca,
                                  options->tls_handshake_timeout_ms, error);
        if (net->rpc_options.tls == NULL)
          return NULL;
      }
  }
  if (options->listen)
    {
      /* The accept function is in place before the first accept (peers
       * may be redialling this address already), and the listener holds
       * the handle: accepted connections dispatch to it (program.user_data
       * is borrowed) and may outlive the network. */
      net->listener = synod_rpc_listener_new_full (options->listen, options->max_connections,
                                                   &net->rpc_options, &net->program, accepted,
                                                   handle_ref (net->handle), handle_unref, error);
      if (net->listener == NULL)
        return NULL;
      /* What others dial: the listen host with the port actually bound. */
      {
        g_autofree gchar *host = NULL;
        const gchar *colon = strrchr (options->listen, ':');

        host = colon ? g_strndup (options->listen, colon - options->listen)
                     : g_strdup (options->listen);
        if (g_strcmp0 (host, "0.0.0.0") == 0 || g_strcmp0 (host, "") == 0)
          {
            g_free (host);
            host = g_strdup (g_get_host_name ());
          }
        g_mutex_lock (&net->lock);
        net->listen_address
            = g_strdup_printf ("%s:%u", host, synod_rpc_listener_get_port (net->listener));
        g_mutex_unlock (&net->lock);
      }
    }
  for (guint i = 0; options->peers && options->peers[i]; i++)
    if (!synod_network_add_peer (net, options->peers[i], error))
      return NULL;

  synod_broker_set_remote_handler (broker, &remote_handler, handle_ref (net->handle), handle_unref);
  net->watch_id
      = synod_broker_add_watch (broker, services_changed, handle_ref (net->handle), handle_unref);

  start.net = net;
  g_mutex_init (&start.lock);
  g_cond_init (&start.cond);
  net->thread = g_thread_new ("synod-network", network_thread, &start);
  g_mutex_lock (&start.lock);
  while (!start.started)
    g_cond_wait (&start.cond, &start.lock);
  g_mutex_unlock (&start.lock);
  g_mutex_clear (&start.lock);
  g_cond_clear (&start.cond);
  return g_steal_pointer (&net);
}

/**
 * synod_network_add_peer:
 * @network: a network
 * @address: "HOST:PORT" of a peer
 * @error: return location for an error
 *
 * Adds a static peer; it is connected to in the background.
 */
gboolean
synod_network_add_peer (SynodNetwork *network, const gchar *address, GError **error)
{
  g_autoptr (GSocketConnectable) parsed = g_network_address_parse (address, 0, NULL);
  Peer *p;

  if (parsed == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (parsed)) == 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("“%s” is not a peer address (HOST:PORT)"), address);
      return FALSE;
    }
  g_mutex_lock (&network->lock);
  p = find_peer_by_dial_address (network, address);
  if (p == NULL)
    {
      p = peer_new ();
      p->dial_address = g_strdup (address);
      g_ptr_array_add (network->peers, p);
    }
  p->sources |= SYNOD_PEER_STATIC;
  p->next_attempt = 0;
  g_mutex_unlock (&network->lock);
  return TRUE;
}

/**
 * synod_network_connect_peer:
 * @network: a network
 * @address: "HOST:PORT" of a peer
 * @ret_peer_id: (out) (optional): the peer's id
 * @error: return location for an error (cannot connect, other cluster,
 *   other protocol)
 *
 * Adds @address as a static peer, like synod_network_add_peer(), and
 * connects to it now, blocking for at most the connect timeout (twice, when
 * a background attempt is already under way): what a program that talks to
 * one given peer (the command-line tool) does first.
 *
 * Returns: whether the peer is connected
 */
gboolean
synod_network_connect_peer (SynodNetwork *network, const gchar *address, guint64 *ret_peer_id,
                            GError **error)
{
  g_autoptr (SynodRpcConnection) conn = NULL;
  Peer *p;
  guint64 id = 0;

  if (!synod_network_add_peer (network, address, error))
    return FALSE;
  g_mutex_lock (&network->lock);
  p = find_peer_by_dial_address (network, address);
  if (p)
    peer_ref (p);
  g_mutex_unlock (&network->lock);
  if (p == NULL)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE, _ ("Peer %s went away"),
                   address);
      return FALSE;
    }
  conn = connect_peer (network, p, error);
  if (conn == NULL && error && *error
      && g_error_matches (*error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE))
    {
      /* A background attempt failed meanwhile: its reason says more. */
      g_mutex_lock (&network->lock);
      if (p->last_error)
        {
          g_clear_error (error);
          g_set_error_literal (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE, p->last_error);
        }
      g_mutex_unlock (&network->lock);
    }
  peer_unref (p);
  if (conn == NULL)
    return FALSE;
  g_mutex_lock (&network->lock);
  {
    ConnData *cd = g_hash_table_lookup (network->conns, conn);

    if (cd)
      id = cd->peer_id;
  }
  g_mutex_unlock (&network->lock);
  if (id == 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("Peer %s did not say who it is"), address);
      return FALSE;
    }
  if (ret_peer_id)
    *ret_peer_id = id;
  return TRUE;
}

/* Asks every connected peer which peers it knows, and waits for the
 * answers (at most the connect timeout each): a search that must not miss a
 * peer of the cluster. */
static void
refresh_peers (SynodNetwork *net)
{
  g_autoptr (GPtrArray) conns
      = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);

  g_mutex_lock (&net->lock);
  for (guint i = 0; i < net->peers->len; i++)
    {
      Peer *p = net->peers->pdata[i];

      if (p->id != 0 && !(p->sources & SYNOD_PEER_CLIENT) && p->conn
          && !synod_rpc_connection_is_closed (p->conn))
        g_ptr_array_add (conns, synod_rpc_connection_ref (p->conn));
    }
  g_mutex_unlock (&net->lock);
  for (guint i = 0; i < conns->len; i++)
    {
      g_autoptr (GBytes) reply = synod_rpc_connection_call_sync (
          conns->pdata[i], SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION, SYNOD_WIRE_PROC_PEERS, NULL,
          net->connect_timeout_ms, NULL, NULL);
      g_auto (SynodWirePeerList) list = { 0 };

      if (reply != NULL
          && synod_value_decode (&synod_wire_peer_list_desc, g_bytes_get_data (reply, NULL),
                                 g_bytes_get_size (reply), &list, NULL))
        {
          g_mutex_lock (&net->lock);
          add_reported_peers (net, &list);
          g_mutex_unlock (&net->lock);
        }
    }
}

/* Whether @conn's peer holds @id (Standard.Object.id answers). */
static gboolean
probe_object (SynodNetwork *net, SynodRpcConnection *conn, const SynodObjectId *id)
{
  g_auto (SynodWireInvoke) wire = { 0 };
  g_auto (SynodWireInvokeResult) result = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) reply = NULL;

  wire.target = *id;
  wire.interface = g_strdup (standard_object_interface.name);
  wire.version = standard_object_interface.version;
  wire.method = STANDARD_OBJECT_METHOD_ID->index;
  bytes = encode_or_die (&synod_wire_invoke_desc, &wire);
  reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                          SYNOD_WIRE_PROC_INVOKE, bytes, net->call_timeout_ms, NULL,
                                          NULL);
  return reply != NULL
         && synod_value_decode (&synod_wire_invoke_result_desc, g_bytes_get_data (reply, NULL),
                                g_bytes_get_size (reply), &result, NULL)
         && result.ok;
}

/**
 * synod_network_locate:
 * @network: a network
 * @id: an object Id or alias
 * @ret_peer: (out): the peer that holds it
 * @error: return location for a %SYNOD_ORB_ERROR_NO_SUCH_OBJECT error
 *
 * Finds the peer holding the object named by @id: this peer, the peer
 * named by the Id (when it holds it), another connected peer (an alias of
 * an object imported from elsewhere), or, last, any other peer the
 * connected ones know (connecting to each in turn). Blocking.
 *
 * Returns: whether some peer holds it
 */
gboolean
synod_network_locate (SynodNetwork *network, const SynodObjectId *id, guint64 *ret_peer,
                      GError **error)
{
  g_autoptr (SynodRpcConnection) conn = NULL;
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  g_return_val_if_fail (network != NULL && id != NULL && ret_peer != NULL, FALSE);
  if (has_object (network->broker, id))
    {
      *ret_peer = network->self_id;
      return TRUE;
    }
  if (cached_location (network, id, ret_peer))
    return TRUE;
  if (id->peer != network->self_id && id->peer != 0
      && (conn = connection_for (network, id->peer, NULL)) != NULL
      && probe_object (network, conn, id))
    {
      *ret_peer = id->peer;
      return TRUE;
    }
  if (locate_object (network, id, id->peer, ret_peer))
    return TRUE;
  /* Then the peers we are not connected to: those our peers know. */
  refresh_peers (network);
  {
    g_autoptr (GArray) others = g_array_new (FALSE, FALSE, sizeof (guint64));

    g_mutex_lock (&network->lock);
    for (guint i = 0; i < network->peers->len; i++)
      {
        Peer *p = network->peers->pdata[i];

        if (p->id != 0 && p->id != id->peer && !(p->sources & SYNOD_PEER_CLIENT)
            && (p->conn == NULL || synod_rpc_connection_is_closed (p->conn)))
          g_array_append_val (others, p->id);
      }
    g_mutex_unlock (&network->lock);
    for (guint i = 0; i < others->len; i++)
      {
        guint64 peer = g_array_index (others, guint64, i);
        g_autoptr (SynodRpcConnection) other = connection_for (network, peer, NULL);

        if (other != NULL && probe_object (network, other, id))
          {
            *ret_peer = peer;
            return TRUE;
          }
      }
  }
  synod_object_id_format (id, idbuf);
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
               _ ("No peer holds an object %s"), idbuf);
  return FALSE;
}

SynodBroker *
synod_network_get_broker (SynodNetwork *network)
{
  return network->broker;
}

const gchar *
synod_network_get_cluster (SynodNetwork *network)
{
  return network->cluster;
}

/**
 * synod_network_is_discovery_running:
 * @network: a network
 *
 * Returns: whether mDNS discovery is enabled and an avahi-daemon answers
 */
gboolean
synod_network_is_discovery_running (SynodNetwork *network)
{
  gboolean running;

  /* The discovery lives on the network thread; its state is a read of the
   * Avahi client's state, safe enough for a report. */
  g_mutex_lock (&network->lock);
  running = network->discovery != NULL && synod_discovery_is_running (network->discovery);
  g_mutex_unlock (&network->lock);
  return running;
}

void
_synod_network_set_peer_object (SynodNetwork *network, SynodObject *object)
{
  g_mutex_lock (&network->lock);
  g_clear_pointer (&network->peer_object, synod_object_unref);
  network->peer_object = synod_object_ref (object);
  g_mutex_unlock (&network->lock);
}

guint16
synod_network_get_port (SynodNetwork *network)
{
  return network->listener ? synod_rpc_listener_get_port (network->listener) : 0;
}

/**
 * synod_network_get_listen_address:
 * @network: a network
 *
 * Returns: (nullable): "HOST:PORT" other peers use to reach this one
 */
const gchar *
synod_network_get_listen_address (SynodNetwork *network)
{
  return network->listen_address;
}

/**
 * synod_network_list_peers:
 * @network: a network
 *
 * Returns: (transfer full) (element-type SynodPeerInfo): the peer table
 */
GPtrArray *
synod_network_list_peers (SynodNetwork *network)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_peer_info_free);

  g_mutex_lock (&network->lock);
  for (guint i = 0; i < network->peers->len; i++)
    {
      Peer *p = network->peers->pdata[i];
      SynodPeerInfo *info = g_new0 (SynodPeerInfo, 1);
      GPtrArray *all = g_ptr_array_new ();

      info->peer_id = p->id;
      info->sources = p->sources;
      info->state = p->conn && !synod_rpc_connection_is_closed (p->conn)
                        ? SYNOD_PEER_STATE_CONNECTED
                    : p->state == SYNOD_PEER_STATE_CONNECTED ? SYNOD_PEER_STATE_UNREACHABLE
                                                             : p->state;
      info->address = g_strdup (p->dial_address ? p->dial_address
                                : p->conn       ? synod_rpc_connection_get_peer_address (p->conn)
                                                : NULL);
      if (p->dial_address)
        g_ptr_array_add (all, g_strdup (p->dial_address));
      for (guint j = 0; j < p->addresses->len; j++)
        if (g_strcmp0 (p->addresses->pdata[j], p->dial_address) != 0)
          g_ptr_array_add (all, g_strdup (p->addresses->pdata[j]));
      g_ptr_array_add (all, NULL);
      info->addresses = (gchar **)g_ptr_array_free (all, FALSE);
      info->cluster = g_strdup (p->cluster);
      info->last_error = g_strdup (p->last_error);
      g_ptr_array_add (list, info);
    }
  g_mutex_unlock (&network->lock);
  return list;
}

/**
 * synod_network_wait_peers:
 * @network: a network
 * @n_connected: how many connected peers to wait for
 * @timeout_ms: the longest wait
 *
 * Returns: whether at least @n_connected peers with known ids are connected
 */
gboolean
synod_network_wait_peers (SynodNetwork *network, guint n_connected, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gboolean ok = FALSE;

  g_mutex_lock (&network->lock);
  for (;;)
    {
      guint n = 0;

      for (guint i = 0; i < network->peers->len; i++)
        {
          Peer *p = network->peers->pdata[i];

          if (p->id != 0 && p->conn && !synod_rpc_connection_is_closed (p->conn))
            n++;
        }
      if (n >= n_connected)
        {
          ok = TRUE;
          break;
        }
      /* Woken by hellos and closes; re-check at least every 50 ms. */
      if (g_get_monotonic_time () >= deadline)
        break;
      g_cond_wait_until (&network->cond, &network->lock,
                         MIN (deadline, g_get_monotonic_time () + 50 * 1000));
    }
  g_mutex_unlock (&network->lock);
  return ok;
}

/**
 * synod_network_invoke_dynamic:
 * @network: a network
 * @peer: the peer to run the call on
 * @target: an object Id, or a service name with a provider on @peer
 * @interface_name: "Ns.Interface"
 * @method_name: the method
 * @args: (transfer none): the arguments, a tuple in the GVariant forms of
 *   the method's parameters
 * @error: return location for an error
 *
 * Calls a method by name on another peer, which converts the arguments
 * with its own descriptors: what the command-line tool does, knowing
 * methods only from their introspection.
 *
 * Returns: (transfer full): the result tuple ("()" for void methods)
 */
GVariant *
synod_network_invoke_dynamic (SynodNetwork *network, guint64 peer, const gchar *target,
                              const gchar *interface_name, const gchar *method_name, GVariant *args,
                              GError **error)
{
  g_autoptr (SynodRpcConnection) conn = connection_for (network, peer, error);
  g_auto (SynodWireInvokeDynamic) wire = { 0 };
  g_auto (SynodWireDynamicResult) result = { 0 };
  g_autoptr (GVariant) normal = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autofree gchar *peer_name = peer_text (peer);

  if (conn == NULL)
    return NULL;
  g_variant_ref_sink (args);
  normal = g_variant_get_normal_form (args);
  g_variant_unref (args);
  wire.target = g_strdup (target);
  wire.interface = g_strdup (interface_name);
  wire.method = g_strdup (method_name);
  wire.signature = g_strdup (g_variant_get_type_string (normal));
  wire.args.len = g_variant_get_size (normal);
  wire.args.val = g_malloc (MAX (wire.args.len, 1));
  g_variant_store (normal, wire.args.val);
  bytes = synod_value_encode (&synod_wire_invoke_dynamic_desc, &wire, error);
  if (bytes == NULL)
    return NULL;
  reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                          SYNOD_WIRE_PROC_INVOKE_DYNAMIC, bytes,
                                          network->call_timeout_ms, NULL, error);
  if (reply == NULL
      || !synod_value_decode (&synod_wire_dynamic_result_desc, g_bytes_get_data (reply, NULL),
                              g_bytes_get_size (reply), &result, error))
    return NULL;
  if (!result.ok)
    {
      g_propagate_error (error, error_from_wire (&result.u.error, peer_name));
      return NULL;
    }
  if (!g_variant_type_string_is_valid (result.u.value.signature))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("Peer %s answered a value of invalid type “%s”"), peer_name,
                   result.u.value.signature);
      return NULL;
    }
  {
    g_autoptr (GBytes) data = g_bytes_new (result.u.value.data.val, result.u.value.data.len);
    GVariant *value
        = g_variant_new_from_bytes (G_VARIANT_TYPE (result.u.value.signature), data, FALSE);

    return g_variant_ref_sink (value);
  }
}

/**
 * synod_network_resolve_on:
 * @network: a network
 * @peer: the peer to ask
 * @name: a service name
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type SynodProvider): @peer's own
 *   providers of @name (maybe none)
 */
GArray *
synod_network_resolve_on (SynodNetwork *network, guint64 peer, const gchar *name, GError **error)
{
  g_autoptr (SynodRpcConnection) conn = connection_for (network, peer, error);
  g_auto (SynodWireResolve) wire = { 0 };
  g_auto (SynodWireProviderList) list = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) reply = NULL;
  GArray *providers;

  if (conn == NULL)
    return NULL;
  wire.name = g_strdup (name);
  bytes = synod_value_encode (&synod_wire_resolve_desc, &wire, error);
  if (bytes == NULL)
    return NULL;
  reply = synod_rpc_connection_call_sync (conn, SYNOD_RPC_PROGRAM, SYNOD_RPC_VERSION,
                                          SYNOD_WIRE_PROC_RESOLVE, bytes, network->call_timeout_ms,
                                          NULL, error);
  if (reply == NULL
      || !synod_value_decode (&synod_wire_provider_list_desc, g_bytes_get_data (reply, NULL),
                              g_bytes_get_size (reply), &list, error))
    return NULL;
  providers = g_array_sized_new (FALSE, FALSE, sizeof (SynodProvider), list.len);
  for (guint i = 0; i < list.len; i++)
    {
      SynodProvider pr = { .peer = list.val[i].peer, .id = list.val[i].id };
      g_array_append_val (providers, pr);
    }
  return providers;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/**
 * synod_network_free:
 * @network: (nullable): a network
 *
 * Uninstalls the remote handler, stops listening and discovery, and closes
 * every connection (calls in flight fail with DISCONNECTED).
 */
void
synod_network_free (SynodNetwork *network)
{
  g_autoptr (GPtrArray) conns = NULL;

  if (network == NULL)
    return;
  if (network->watch_id)
    synod_broker_remove_watch (network->broker, network->watch_id);
  if (network->peer_object)
    {
      synod_object_delete (network->peer_object, NULL);
      g_clear_pointer (&network->peer_object, synod_object_unref);
    }
  if (network->thread)
    {
      synod_broker_set_remote_handler (network->broker, NULL, NULL, NULL);
      /* Through the context, not g_main_loop_quit(): the loop may not be
       * running yet, and a quit before it runs would be lost. */
      g_main_context_invoke (network->context, quit_loop, network->loop);
      g_thread_join (network->thread);
    }
  g_mutex_lock (&network->lock);
  network->closing = TRUE;
  g_cond_broadcast (&network->cond);
  g_mutex_unlock (&network->lock);
  /* From now on callbacks find the network gone; wait for those inside. */
  g_mutex_lock (&network->handle->lock);
  network->handle->net = NULL;
  while (network->handle->active > 0)
    g_cond_wait (&network->handle->cond, &network->handle->lock);
  g_mutex_unlock (&network->handle->lock);
  g_clear_pointer (&network->listener, synod_rpc_listener_free);

  /* Close what is left (outbound connections); each close removes itself. */
  conns = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_rpc_connection_unref);
  g_mutex_lock (&network->lock);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, network->conns);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (conns, synod_rpc_connection_ref (key));
  }
  g_mutex_unlock (&network->lock);
  for (guint i = 0; i < conns->len; i++)
    synod_rpc_connection_close (conns->pdata[i]);

  g_ptr_array_unref (network->peers);
  g_hash_table_unref (network->conns);
  g_hash_table_unref (network->name_cache);
  g_hash_table_unref (network->location_cache);
  g_clear_pointer (&network->loop, g_main_loop_unref);
  g_clear_pointer (&network->context, g_main_context_unref);
  g_mutex_clear (&network->lock);
  g_cond_clear (&network->cond);
  synod_broker_unref (network->broker);
  handle_unref (network->handle);
  g_free (network->cluster);
  g_free (network->instance_name);
  g_free (network->listen_address);
  g_clear_pointer (&network->rpc_options.tls, _synod_rpc_tls_unref);
  g_free (network);
}
