/* synod-discovery.c — publishing and browsing `_synod._tcp` with Avahi.
 *
 * States: the Avahi client is created with AVAHI_CLIENT_NO_FAIL, so it
 * exists (CONNECTING) while no avahi-daemon answers and comes up RUNNING when
 * one does. When the daemon goes away the client fails; it is then freed and
 * created again a second later. Peers learned before the daemon went away are
 * kept (they are probably still alive) until the browser, running again,
 * finishes its first sweep ("all for now") and a grace period after it
 * (SWEEP_GRACE_MS, for peers publishing again themselves) passes without
 * seeing them.
 *
 * Resolving: each instance the browser reports (one per interface and
 * protocol) keeps its resolver for as long as it is browsed, so a peer whose
 * address or port changes without leaving is reported again. A resolution
 * that fails (no answer within Avahi's timeout, or the records went away) is
 * tried again later, with back-off: the browser will not report the instance
 * again while its record is cached.
 */
#include "config.h"

#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-glib/glib-watch.h>

#include <glib/gi18n-lib.h>

#include "synod-discovery.h"
#include "synod-error.h"

#define RECONNECT_DELAY_MS 1000
#define SWEEP_GRACE_MS 3000
#define RESOLVE_RETRY_MIN_MS 2000
#define RESOLVE_RETRY_MAX_MS 60000

typedef struct _Service Service;

/* One browsed instance of a service: an interface and protocol it is seen
 * on, and the resolver that follows it there. */
typedef struct
{
  SynodDiscovery *discovery;
  Service *service;
  gchar *key; /* "iface/proto" */
  AvahiIfIndex interface;
  AvahiProtocol protocol;
  gchar *type;
  gchar *domain;
  AvahiServiceResolver *resolver;
  GSource *retry;
  guint retry_ms;
} Instance;

/* One peer's service, by instance name. */
struct _Service
{
  gchar *name;
  GHashTable *addresses;     /* "iface/proto" -> "IP:PORT" (resolved instances) */
  GHashTable *instances;     /* "iface/proto" -> Instance*, as browsed now */
  SynodDiscoveredPeer *peer; /* as last reported, or NULL */
  gboolean seen;             /* since the browser (re)started */
};

struct _SynodDiscovery
{
  GMainContext *context;
  AvahiGLibPoll *poll;
  AvahiClient *client;
  AvahiEntryGroup *group;
  AvahiServiceBrowser *browser;
  GSource *reconnect;
  GSource *sweep_timer;

  guint64 peer_id;
  guint16 port;
  gchar *cluster;
  gchar *instance_name;
  gboolean use_ipv6;
  gboolean said_unavailable;
  gboolean sweep_pending;

  GHashTable *services; /* name -> Service */

  SynodDiscoveryPeerFunc added;
  SynodDiscoveryPeerFunc removed;
  gpointer user_data;
};

static void start_client (SynodDiscovery *d);

SynodDiscoveredPeer *
synod_discovered_peer_copy (const SynodDiscoveredPeer *peer)
{
  SynodDiscoveredPeer *copy = g_new0 (SynodDiscoveredPeer, 1);

  copy->peer_id = peer->peer_id;
  copy->name = g_strdup (peer->name);
  copy->host = g_strdup (peer->host);
  copy->address = g_strdup (peer->address);
  copy->addresses = g_strdupv (peer->addresses);
  copy->cluster = g_strdup (peer->cluster);
  copy->protocol_version = peer->protocol_version;
  return copy;
}

void
synod_discovered_peer_free (SynodDiscoveredPeer *peer)
{
  if (peer == NULL)
    return;
  g_free (peer->name);
  g_free (peer->host);
  g_free (peer->address);
  g_strfreev (peer->addresses);
  g_free (peer->cluster);
  g_free (peer);
}

static void
instance_free (gpointer data)
{
  Instance *inst = data;

  if (inst->retry)
    {
      g_source_destroy (inst->retry);
      g_source_unref (inst->retry);
    }
  if (inst->resolver)
    avahi_service_resolver_free (inst->resolver);
  g_free (inst->key);
  g_free (inst->type);
  g_free (inst->domain);
  g_free (inst);
}

static void
service_free (gpointer data)
{
  Service *s = data;

  g_free (s->name);
  g_hash_table_unref (s->instances);
  g_hash_table_unref (s->addresses);
  synod_discovered_peer_free (s->peer);
  g_free (s);
}

static Service *
service_get (SynodDiscovery *d, const gchar *name)
{
  Service *s = g_hash_table_lookup (d->services, name);

  if (s == NULL)
    {
      s = g_new0 (Service, 1);
      s->name = g_strdup (name);
      s->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      s->instances = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, instance_free);
      g_hash_table_insert (d->services, s->name, s);
    }
  return s;
}

/* Forgets @s, telling the owner if it had been reported. */
static void
service_drop (SynodDiscovery *d, Service *s)
{
  SynodDiscoveredPeer *peer = g_steal_pointer (&s->peer);

  g_hash_table_remove (d->services, s->name);
  if (peer)
    {
      g_debug ("mDNS: peer %016" G_GINT64_MODIFIER "x (%s) went away", peer->peer_id, peer->name);
      if (d->removed)
        d->removed (d, peer, d->user_data);
      synod_discovered_peer_free (peer);
    }
}

static gchar *
instance_key (AvahiIfIndex interface, AvahiProtocol protocol)
{
  return g_strdup_printf ("%d/%d", (int)interface, (int)protocol);
}

/* ---- publishing ---- */

static void create_services (SynodDiscovery *d, AvahiClient *client);

static void
entry_group_callback (AvahiEntryGroup *group, AvahiEntryGroupState state, void *user_data)
{
  SynodDiscovery *d = user_data;

  switch (state)
    {
      case AVAHI_ENTRY_GROUP_ESTABLISHED:
        g_info ("mDNS: publishing “%s” (%s) on port %u", d->instance_name,
                SYNOD_DISCOVERY_SERVICE_TYPE, d->port);
        break;
      case AVAHI_ENTRY_GROUP_COLLISION:
        {
          /* Another service on the LAN has our name: take Avahi's
           * alternative ("name #2") and publish again. */
          char *alternative = avahi_alternative_service_name (d->instance_name);

          g_info ("mDNS: the service name “%s” is taken; publishing as “%s”", d->instance_name,
                  alternative);
          g_free (d->instance_name);
          d->instance_name = g_strdup (alternative);
          avahi_free (alternative);
          create_services (d, avahi_entry_group_get_client (group));
        }
        break;
      case AVAHI_ENTRY_GROUP_FAILURE:
        g_warning ("mDNS: publishing failed: %s",
                   avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (group))));
        break;
      case AVAHI_ENTRY_GROUP_UNCOMMITED:
      case AVAHI_ENTRY_GROUP_REGISTERING:
        break;
    }
}

static void
create_services (SynodDiscovery *d, AvahiClient *client)
{
  g_autofree gchar *txt_peer = g_strdup_printf ("peer=%016" G_GINT64_MODIFIER "x", d->peer_id);
  g_autofree gchar *txt_proto = g_strdup_printf ("proto=%d", SYNOD_DISCOVERY_PROTOCOL_VERSION);
  g_autofree gchar *txt_cluster = g_strdup_printf ("cluster=%s", d->cluster);
  int ret;

  if (d->port == 0)
    return;
  if (d->group == NULL)
    {
      d->group = avahi_entry_group_new (client, entry_group_callback, d);
      if (d->group == NULL)
        {
          g_warning ("mDNS: cannot create an entry group: %s",
                     avahi_strerror (avahi_client_errno (client)));
          return;
        }
    }
  else
    avahi_entry_group_reset (d->group);

  for (;;)
    {
      ret = avahi_entry_group_add_service (
          d->group, AVAHI_IF_UNSPEC, d->use_ipv6 ? AVAHI_PROTO_UNSPEC : AVAHI_PROTO_INET, 0,
          d->instance_name, SYNOD_DISCOVERY_SERVICE_TYPE, NULL, NULL, d->port, txt_peer, txt_proto,
          txt_cluster, "txtvers=1", NULL);
      if (ret != AVAHI_ERR_COLLISION)
        break;
      /* A local service already has the name. */
      {
        char *alternative = avahi_alternative_service_name (d->instance_name);

        g_free (d->instance_name);
        d->instance_name = g_strdup (alternative);
        avahi_free (alternative);
        avahi_entry_group_reset (d->group);
      }
    }
  if (ret < 0 || (ret = avahi_entry_group_commit (d->group)) < 0)
    g_warning ("mDNS: cannot publish “%s”: %s", d->instance_name, avahi_strerror (ret));
}

/* ---- browsing ---- */

static gboolean
parse_txt (AvahiStringList *txt, const gchar *key, gchar **ret_value)
{
  AvahiStringList *item = avahi_string_list_find (txt, key);
  char *k = NULL, *v = NULL;

  if (item == NULL || avahi_string_list_get_pair (item, &k, &v, NULL) < 0)
    return FALSE;
  *ret_value = g_strdup (v ? v : "");
  avahi_free (k);
  avahi_free (v);
  return TRUE;
}

static void
report (SynodDiscovery *d, Service *s, const gchar *host, const gchar *cluster, guint64 peer_id,
        guint proto)
{
  SynodDiscoveredPeer *peer = g_new0 (SynodDiscoveredPeer, 1);
  g_autoptr (GPtrArray) addresses = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  gboolean changed;

  g_hash_table_iter_init (&iter, s->addresses);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (addresses, g_strdup (value));
  g_ptr_array_sort (addresses, (GCompareFunc)g_strcmp0);
  g_ptr_array_add (addresses, NULL);

  peer->peer_id = peer_id;
  peer->name = g_strdup (s->name);
  peer->host = g_strdup (host);
  peer->addresses = (gchar **)g_ptr_array_steal (addresses, NULL);
  peer->address = g_strdup (peer->addresses[0]);
  peer->cluster = g_strdup (cluster);
  peer->protocol_version = proto;

  changed = s->peer == NULL || s->peer->peer_id != peer->peer_id
            || !g_strv_equal ((const gchar *const *)s->peer->addresses,
                              (const gchar *const *)peer->addresses);
  synod_discovered_peer_free (s->peer);
  s->peer = peer;
  if (changed)
    {
      g_debug ("mDNS: peer %016" G_GINT64_MODIFIER "x (%s) at %s", peer_id, s->name, peer->address);
      if (d->added)
        d->added (d, peer, d->user_data);
    }
}

static void
handle_resolved (Instance *inst, const char *name, const char *host_name,
                 const AvahiAddress *address, uint16_t port, AvahiStringList *txt)
{
  SynodDiscovery *d = inst->discovery;
  Service *s = inst->service;
  g_autofree gchar *peer_text = NULL, *cluster = NULL, *proto_text = NULL;
  char addr[AVAHI_ADDRESS_STR_MAX];
  guint64 peer_id;
  gchar *end = NULL;

  if (!parse_txt (txt, "peer", &peer_text) || !parse_txt (txt, "cluster", &cluster))
    {
      g_debug ("mDNS: “%s” has no peer id or cluster in its TXT record: ignored", name);
      return;
    }
  peer_id = g_ascii_strtoull (peer_text, &end, 16);
  if (end == peer_text || *end != '\0' || strlen (peer_text) != 16)
    {
      g_debug ("mDNS: “%s” announces a malformed peer id “%s”: ignored", name, peer_text);
      return;
    }
  if (peer_id == d->peer_id || g_strcmp0 (cluster, d->cluster) != 0)
    return; /* ourselves, or another cluster */

  avahi_address_snprint (addr, sizeof addr, address);
  g_hash_table_insert (s->addresses, g_strdup (inst->key),
                       address->proto == AVAHI_PROTO_INET6 ? g_strdup_printf ("[%s]:%u", addr, port)
                                                           : g_strdup_printf ("%s:%u", addr, port));
  parse_txt (txt, "proto", &proto_text);
  report (d, s, host_name, cluster, peer_id,
          proto_text ? (guint)g_ascii_strtoull (proto_text, NULL, 10) : 0);
}

static void start_resolver (Instance *inst);

static gboolean
retry_resolve_cb (gpointer user_data)
{
  Instance *inst = user_data;

  g_clear_pointer (&inst->retry, g_source_unref);
  start_resolver (inst);
  return G_SOURCE_REMOVE;
}

/* Tries @inst's resolution again later, each time waiting twice as long. */
static void
schedule_resolve_retry (Instance *inst)
{
  if (inst->retry)
    return;
  inst->retry_ms
      = inst->retry_ms ? MIN (inst->retry_ms * 2, RESOLVE_RETRY_MAX_MS) : RESOLVE_RETRY_MIN_MS;
  g_debug ("mDNS: resolving “%s” again in %u ms", inst->service->name, inst->retry_ms);
  inst->retry = g_timeout_source_new (inst->retry_ms);
  g_source_set_callback (inst->retry, retry_resolve_cb, inst, NULL);
  g_source_attach (inst->retry, inst->discovery->context);
}

static void
resolve_callback (AvahiServiceResolver *resolver, AvahiIfIndex interface, AvahiProtocol protocol,
                  AvahiResolverEvent event, const char *name, const char *type, const char *domain,
                  const char *host_name, const AvahiAddress *address, uint16_t port,
                  AvahiStringList *txt, AvahiLookupResultFlags flags, void *user_data)
{
  Instance *inst = user_data;

  if (event == AVAHI_RESOLVER_FOUND)
    {
      inst->retry_ms = 0;
      handle_resolved (inst, name, host_name, address, port, txt);
      return;
    }
  g_debug ("mDNS: cannot resolve “%s”: %s", name,
           avahi_strerror (avahi_client_errno (avahi_service_resolver_get_client (resolver))));
  /* A failed resolver is finished: free it, keep what was resolved before
   * (the peer table probes the peer itself), and try again later. */
  avahi_service_resolver_free (resolver);
  inst->resolver = NULL;
  schedule_resolve_retry (inst);
}

static void
start_resolver (Instance *inst)
{
  SynodDiscovery *d = inst->discovery;

  if (inst->resolver || d->client == NULL
      || avahi_client_get_state (d->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  inst->resolver = avahi_service_resolver_new (
      d->client, inst->interface, inst->protocol, inst->service->name, inst->type, inst->domain,
      d->use_ipv6 ? AVAHI_PROTO_UNSPEC : AVAHI_PROTO_INET, 0, resolve_callback, inst);
  if (inst->resolver == NULL)
    {
      g_debug ("mDNS: cannot resolve “%s”: %s", inst->service->name,
               avahi_strerror (avahi_client_errno (d->client)));
      schedule_resolve_retry (inst);
    }
}

static void
sweep (SynodDiscovery *d)
{
  GHashTableIter iter;
  gpointer value;
  GPtrArray *gone = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, d->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((Service *)value)->seen)
      g_ptr_array_add (gone, value);
  g_debug ("mDNS: first sweep since (re)connecting: %u services still there, %u gone",
           g_hash_table_size (d->services) - gone->len, gone->len);
  for (guint i = 0; i < gone->len; i++)
    service_drop (d, gone->pdata[i]);
  g_ptr_array_unref (gone);
}

static gboolean
sweep_cb (gpointer user_data)
{
  SynodDiscovery *d = user_data;

  g_clear_pointer (&d->sweep_timer, g_source_unref);
  sweep (d);
  return G_SOURCE_REMOVE;
}

static void
browse_callback (AvahiServiceBrowser *browser, AvahiIfIndex interface, AvahiProtocol protocol,
                 AvahiBrowserEvent event, const char *name, const char *type, const char *domain,
                 AvahiLookupResultFlags flags, void *user_data)
{
  SynodDiscovery *d = user_data;
  AvahiClient *client = avahi_service_browser_get_client (browser);
  g_autofree gchar *key = instance_key (interface, protocol);
  Instance *inst;
  Service *s;

  switch (event)
    {
      case AVAHI_BROWSER_NEW:
        s = service_get (d, name);
        s->seen = TRUE;
        inst = g_hash_table_lookup (s->instances, key);
        if (inst == NULL)
          {
            inst = g_new0 (Instance, 1);
            inst->discovery = d;
            inst->service = s;
            inst->key = g_steal_pointer (&key);
            inst->interface = interface;
            inst->protocol = protocol;
            inst->type = g_strdup (type);
            inst->domain = g_strdup (domain);
            g_hash_table_insert (s->instances, inst->key, inst);
          }
        start_resolver (inst);
        break;
      case AVAHI_BROWSER_REMOVE:
        s = g_hash_table_lookup (d->services, name);
        if (s == NULL)
          break;
        g_hash_table_remove (s->addresses, key);
        g_hash_table_remove (s->instances, key);
        if (g_hash_table_size (s->instances) == 0)
          service_drop (d, s);
        break;
      case AVAHI_BROWSER_ALL_FOR_NOW:
        if (d->sweep_pending && d->sweep_timer == NULL)
          {
            /* Not at once: the peers' own clients may be publishing again
             * themselves (their avahi-daemon restarted too, or it is this
             * one), a second or so after ours came back. */
            d->sweep_pending = FALSE;
            d->sweep_timer = g_timeout_source_new (SWEEP_GRACE_MS);
            g_source_set_callback (d->sweep_timer, sweep_cb, d, NULL);
            g_source_attach (d->sweep_timer, d->context);
          }
        break;
      case AVAHI_BROWSER_FAILURE:
        g_warning ("mDNS: browsing failed: %s", avahi_strerror (avahi_client_errno (client)));
        break;
      case AVAHI_BROWSER_CACHE_EXHAUSTED:
        break;
    }
}

/* ---- the client ---- */

static gboolean
reconnect_cb (gpointer user_data)
{
  SynodDiscovery *d = user_data;

  g_clear_pointer (&d->reconnect, g_source_unref);
  start_client (d);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (SynodDiscovery *d)
{
  if (d->reconnect)
    return;
  g_debug ("mDNS: connecting to avahi-daemon again in %d ms", RECONNECT_DELAY_MS);
  d->reconnect = g_timeout_source_new (RECONNECT_DELAY_MS);
  g_source_set_callback (d->reconnect, reconnect_cb, d, NULL);
  g_source_attach (d->reconnect, d->context);
}

static void
stop_client (SynodDiscovery *d)
{
  GHashTableIter iter;
  gpointer value;

  /* Resolvers go with their instances, before the client they belong to;
   * the new browser reports every instance afresh. */
  g_hash_table_iter_init (&iter, d->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_remove_all (((Service *)value)->instances);
  if (d->sweep_timer)
    {
      g_source_destroy (d->sweep_timer);
      g_clear_pointer (&d->sweep_timer, g_source_unref);
    }
  /* Freeing the client frees its entry group and browser. */
  g_clear_pointer (&d->client, avahi_client_free);
  d->group = NULL;
  d->browser = NULL;
}

static void
client_callback (AvahiClient *client, AvahiClientState state, void *user_data)
{
  SynodDiscovery *d = user_data;
  GHashTableIter iter;
  gpointer value;

  switch (state)
    {
      case AVAHI_CLIENT_S_RUNNING:
        if (d->said_unavailable)
          g_message (_ ("mDNS discovery is running again"));
        d->said_unavailable = FALSE;
        create_services (d, client);
        if (d->browser == NULL)
          {
            /* Peers known from before are kept until the browser's first
             * sweep says whether they are still there. The new browser
             * reports every instance afresh (stop_client() forgot them, or
             * a service seen before the restart would outlive its removal). */
            g_hash_table_iter_init (&iter, d->services);
            while (g_hash_table_iter_next (&iter, NULL, &value))
              {
                Service *s = value;

                s->seen = FALSE;
                g_hash_table_remove_all (s->instances);
                g_hash_table_remove_all (s->addresses);
              }
            d->sweep_pending = TRUE;
            d->browser = avahi_service_browser_new (
                client, AVAHI_IF_UNSPEC, d->use_ipv6 ? AVAHI_PROTO_UNSPEC : AVAHI_PROTO_INET,
                SYNOD_DISCOVERY_SERVICE_TYPE, NULL, 0, browse_callback, d);
            if (d->browser == NULL)
              g_warning ("mDNS: cannot browse: %s", avahi_strerror (avahi_client_errno (client)));
          }
        break;
      case AVAHI_CLIENT_S_COLLISION:
      case AVAHI_CLIENT_S_REGISTERING:
        /* The host name is being (re)established: withdraw and wait for
         * RUNNING to publish again. */
        if (d->group)
          avahi_entry_group_reset (d->group);
        break;
      case AVAHI_CLIENT_CONNECTING:
        if (!d->said_unavailable)
          g_message (_ ("mDNS discovery is unavailable (no avahi-daemon answers): only static "
                        "peers are used until it returns"));
        d->said_unavailable = TRUE;
        break;
      case AVAHI_CLIENT_FAILURE:
        if (!d->said_unavailable)
          g_message (_ ("mDNS discovery stopped (%s): only static peers are used until "
                        "avahi-daemon returns"),
                     avahi_strerror (avahi_client_errno (client)));
        d->said_unavailable = TRUE;
        /* Called from within the client: free it from the main loop. */
        schedule_reconnect (d);
        break;
    }
}

static void
start_client (SynodDiscovery *d)
{
  int error = 0;

  stop_client (d);
  d->client = avahi_client_new (avahi_glib_poll_get (d->poll), AVAHI_CLIENT_NO_FAIL,
                                client_callback, d, &error);
  if (d->client == NULL)
    {
      if (!d->said_unavailable)
        g_message (_ ("mDNS discovery is unavailable (%s): only static peers are used"),
                   avahi_strerror (error));
      d->said_unavailable = TRUE;
      schedule_reconnect (d);
    }
}

/**
 * synod_discovery_new:
 * @options: what to publish and browse
 * @context: (nullable): the main context to run in (NULL: the default one)
 * @error: return location for an error (bad options only: an absent
 *   avahi-daemon is not an error)
 *
 * Starts publishing and browsing. Peers are reported through the functions
 * set with synod_discovery_set_peer_funcs(), in @context.
 *
 * Returns: (transfer full): the discovery, or NULL
 */
SynodDiscovery *
synod_discovery_new (const SynodDiscoveryOptions *options, GMainContext *context, GError **error)
{
  SynodDiscovery *d;
  const gchar *cluster = options->cluster ? options->cluster : "";

  if (strlen (cluster) > SYNOD_DISCOVERY_MAX_CLUSTER || strchr (cluster, '\n')
      || !g_utf8_validate (cluster, -1, NULL))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("Invalid cluster name “%s”: at most %d bytes of UTF-8"), cluster,
                   SYNOD_DISCOVERY_MAX_CLUSTER);
      return NULL;
    }
  if (options->instance_name
      && (options->instance_name[0] == '\0' || strlen (options->instance_name) > 63
          || !g_utf8_validate (options->instance_name, -1, NULL)))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("Invalid mDNS instance name “%s”: 1 to 63 bytes of UTF-8"),
                   options->instance_name);
      return NULL;
    }

  d = g_new0 (SynodDiscovery, 1);
  d->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  d->poll = avahi_glib_poll_new (d->context, G_PRIORITY_DEFAULT);
  d->peer_id = options->peer_id;
  d->port = options->port;
  d->cluster = g_strdup (cluster);
  d->instance_name = options->instance_name
                         ? g_strdup (options->instance_name)
                         : g_strdup_printf ("synod-%016" G_GINT64_MODIFIER "x", options->peer_id);
  d->use_ipv6 = options->use_ipv6;
  d->services = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, service_free);
  start_client (d);
  return d;
}

/**
 * synod_discovery_set_peer_funcs:
 * @discovery: a discovery
 * @added: (nullable): called when a peer appears or changes address
 * @removed: (nullable): called when a peer goes away
 * @user_data: for both
 */
void
synod_discovery_set_peer_funcs (SynodDiscovery *discovery, SynodDiscoveryPeerFunc added,
                                SynodDiscoveryPeerFunc removed, gpointer user_data)
{
  discovery->added = added;
  discovery->removed = removed;
  discovery->user_data = user_data;
}

/**
 * synod_discovery_is_running:
 * @discovery: a discovery
 *
 * Returns: whether an avahi-daemon answers and browsing is under way
 */
gboolean
synod_discovery_is_running (SynodDiscovery *discovery)
{
  return discovery->client != NULL
         && avahi_client_get_state (discovery->client) == AVAHI_CLIENT_S_RUNNING;
}

/**
 * synod_discovery_get_instance_name:
 * @discovery: a discovery
 *
 * Returns: the DNS-SD instance name published (after any rename on collision)
 */
const gchar *
synod_discovery_get_instance_name (SynodDiscovery *discovery)
{
  return discovery->instance_name;
}

static gint
compare_peers (gconstpointer a, gconstpointer b)
{
  const SynodDiscoveredPeer *x = *(SynodDiscoveredPeer *const *)a;
  const SynodDiscoveredPeer *y = *(SynodDiscoveredPeer *const *)b;

  return x->peer_id < y->peer_id ? -1 : x->peer_id > y->peer_id;
}

/**
 * synod_discovery_list_peers:
 * @discovery: a discovery
 *
 * Returns: (transfer full) (element-type SynodDiscoveredPeer): the peers
 *   known now, sorted by peer id
 */
GPtrArray *
synod_discovery_list_peers (SynodDiscovery *discovery)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_discovered_peer_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, discovery->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Service *)value)->peer)
      g_ptr_array_add (peers, synod_discovered_peer_copy (((Service *)value)->peer));
  g_ptr_array_sort (peers, compare_peers);
  return peers;
}

/**
 * synod_discovery_free:
 * @discovery: (nullable): a discovery
 *
 * Withdraws the published service and stops browsing. Peer functions are not
 * called.
 */
void
synod_discovery_free (SynodDiscovery *discovery)
{
  if (discovery == NULL)
    return;
  if (discovery->reconnect)
    {
      g_source_destroy (discovery->reconnect);
      g_source_unref (discovery->reconnect);
    }
  stop_client (discovery);
  avahi_glib_poll_free (discovery->poll);
  g_hash_table_unref (discovery->services);
  g_main_context_unref (discovery->context);
  g_free (discovery->cluster);
  g_free (discovery->instance_name);
  g_free (discovery);
}
