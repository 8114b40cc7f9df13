/* synod-peer-object.c — the object every peer daemon exports as "synod.peer".
 *
 * It answers Standard.Peer (idl/peer.idl): what the peer is, which peers it
 * knows, its services and objects, and a live stream of the invocations it
 * runs for operators (`synod monitor`). The stream is fed by the broker's
 * monitor hook, which only queues (it runs under an object's lock); a sender
 * thread delivers the queue to the sinks with oneway sends, and drops events
 * when the queue is full rather than grow without bound.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "peer.h"
#include "synod-broker.h"
#include "synod-class.h"
#include "synod-error.h"
#include "synod-network.h"
#include "synod-network-private.h"
#include "synod-object-id.h"
#include "synod-object.h"
#include "synod-ref.h"

#define MONITOR_QUEUE_MAX 4096
#define MONITOR_MAX_SINKS 64

typedef struct
{
  SynodNetwork *network; /* not owned: the network owns this object */
  SynodBroker *broker;

  GMutex lock;
  GCond cond;
  GArray *sinks; /* SynodObjectId */
  GQueue events; /* StandardMonitorEvent* */
  guint dropped;
  GThread *sender;
  gboolean stopping;
} PeerObject;

static gchar *
interface_full_name (const SynodInterfaceDesc *iface)
{
  return g_strdup_printf ("%s;%u", iface->name, iface->version);
}

static gboolean
peer_info (gpointer self, SynodCall *call, StandardPeerSummary *ret, GError **error)
{
  PeerObject *po = self;

  ret->id = synod_broker_get_peer_id (po->broker);
  ret->version = g_strdup (PACKAGE_VERSION);
  ret->cluster = g_strdup (synod_network_get_cluster (po->network));
  ret->listen = g_strdup (synod_network_get_listen_address (po->network)
                              ? synod_network_get_listen_address (po->network)
                              : "");
  ret->objects = synod_broker_get_n_objects (po->broker);
  ret->discovery = synod_network_is_discovery_running (po->network);
  return TRUE;
}

static gboolean
peer_peers (gpointer self, SynodCall *call, StandardPeerList *ret, GError **error)
{
  PeerObject *po = self;
  g_autoptr (GPtrArray) peers = synod_network_list_peers (po->network);

  ret->len = peers->len;
  ret->val = g_new0 (StandardPeerEntry, MAX (peers->len, 1));
  for (guint i = 0; i < peers->len; i++)
    {
      SynodPeerInfo *info = peers->pdata[i];
      StandardPeerEntry *e = &ret->val[i];
      guint n = info->addresses ? g_strv_length (info->addresses) : 0;

      e->id = info->peer_id;
      e->sources = g_strdup (synod_peer_source_to_string (info->sources));
      e->state = g_strdup (synod_peer_state_to_string (info->state));
      e->address = g_strdup (info->address ? info->address : "");
      n = MIN (n, 64);
      e->addresses.len = n;
      e->addresses.val = g_new0 (StandardAddress, MAX (n, 1));
      for (guint j = 0; j < n; j++)
        e->addresses.val[j] = g_strdup (info->addresses[j]);
      e->cluster = g_strdup (info->cluster ? info->cluster : "");
      e->lastError = g_strdup (info->last_error ? info->last_error : "");
    }
  return TRUE;
}

static gboolean
peer_services (gpointer self, SynodCall *call, StandardServiceList *ret, GError **error)
{
  PeerObject *po = self;
  g_autoptr (GPtrArray) services = synod_broker_list_services (po->broker);

  ret->len = services->len;
  ret->val = g_new0 (StandardServiceEntry, MAX (services->len, 1));
  for (guint i = 0; i < services->len; i++)
    {
      SynodServiceEntry *s = services->pdata[i];

      ret->val[i].name = g_strdup (s->name);
      ret->val[i].provider = s->id;
    }
  return TRUE;
}

static gboolean
peer_objects (gpointer self, SynodCall *call, StandardObjectList *ret, GError **error)
{
  PeerObject *po = self;
  g_autoptr (GPtrArray) objects = synod_broker_list_objects (po->broker);

  ret->len = objects->len;
  ret->val = g_new0 (StandardObjectEntry, MAX (objects->len, 1));
  for (guint i = 0; i < objects->len; i++)
    {
      SynodObject *obj = objects->pdata[i];
      StandardObjectEntry *e = &ret->val[i];
      g_autoptr (GPtrArray) ifaces = synod_class_list_interfaces (synod_object_get_class (obj));
      g_autoptr (GArray) aliases = synod_object_list_aliases (obj);
      g_auto (GStrv) services = synod_object_list_services (obj);
      guint n_services = services ? g_strv_length (services) : 0;

      e->id = *synod_object_get_id (obj);
      e->className = g_strdup (synod_class_get_full_name (synod_object_get_class (obj)));
      e->interfaces.len = ifaces->len;
      e->interfaces.val = g_new0 (StandardName, MAX (ifaces->len, 1));
      for (guint j = 0; j < ifaces->len; j++)
        e->interfaces.val[j] = interface_full_name (ifaces->pdata[j]);
      e->aliases.len = aliases->len;
      e->aliases.val = g_memdup2 (aliases->data, MAX (aliases->len, 1) * sizeof (SynodObjectId));
      e->services.len = n_services;
      e->services.val = g_new0 (StandardName, MAX (n_services, 1));
      for (guint j = 0; j < n_services; j++)
        e->services.val[j] = g_strdup (services[j]);
      e->queued = synod_object_get_n_queued (obj);
    }
  return TRUE;
}

/* ---- monitoring ---- */

/* The broker's monitor hook: runs under an object's lock, so it only
 * copies the event into the queue. */
static void
on_invocation (SynodBroker *broker, const SynodInvocationInfo *info, gpointer user_data)
{
  PeerObject *po = user_data;
  StandardMonitorEvent *ev;

  /* The monitor's own traffic is not news. */
  if (info->interface == &standard_peer_interface)
    return;
  g_mutex_lock (&po->lock);
  if (po->sinks->len == 0 || po->events.length >= MONITOR_QUEUE_MAX)
    {
      if (po->sinks->len > 0)
        po->dropped++;
      g_mutex_unlock (&po->lock);
      return;
    }
  ev = g_new0 (StandardMonitorEvent, 1);
  ev->peer = synod_broker_get_peer_id (broker);
  ev->time = g_get_real_time ();
  ev->target = *info->target;
  ev->interface = interface_full_name (info->interface);
  ev->method = g_strdup (info->method->name);
  ev->principal = g_strdup (info->principal ? info->principal : "");
  ev->oneway = info->oneway;
  g_queue_push_tail (&po->events, ev);
  g_cond_signal (&po->cond);
  g_mutex_unlock (&po->lock);
}

static gpointer
monitor_sender (gpointer data)
{
  PeerObject *po = data;

  g_mutex_lock (&po->lock);
  while (!po->stopping)
    {
      g_autoptr (GArray) sinks = NULL;
      StandardMonitorEvent *ev;

      if (po->events.length == 0)
        {
          g_cond_wait (&po->cond, &po->lock);
          continue;
        }
      ev = g_queue_pop_head (&po->events);
      sinks = g_array_copy (po->sinks);
      g_mutex_unlock (&po->lock);

      for (guint i = 0; i < sinks->len; i++)
        {
          SynodObjectId *sink = &g_array_index (sinks, SynodObjectId, i);
          g_autoptr (SynodRef) ref = synod_ref_new_for_id (po->broker, sink);
          g_autoptr (GError) error = NULL;

          if (!standard_monitor_sink_event (ref, ev, &error))
            {
              /* An unreachable sink stops being fed. */
              g_debug ("monitor sink gone (%s): removed", error->message);
              g_mutex_lock (&po->lock);
              for (guint j = 0; j < po->sinks->len; j++)
                if (synod_object_id_equal (&g_array_index (po->sinks, SynodObjectId, j), sink))
                  {
                    g_array_remove_index (po->sinks, j);
                    break;
                  }
              g_mutex_unlock (&po->lock);
            }
        }
      standard_monitor_event_free (ev);
      g_mutex_lock (&po->lock);
    }
  g_mutex_unlock (&po->lock);
  return NULL;
}

static gboolean
peer_monitor (gpointer self, SynodCall *call, const SynodObjectId *sink, GError **error)
{
  PeerObject *po = self;

  g_mutex_lock (&po->lock);
  for (guint i = 0; i < po->sinks->len; i++)
    if (synod_object_id_equal (&g_array_index (po->sinks, SynodObjectId, i), sink))
      {
        g_mutex_unlock (&po->lock);
        return TRUE;
      }
  if (po->sinks->len >= MONITOR_MAX_SINKS)
    {
      g_mutex_unlock (&po->lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT,
                   _ ("This peer already feeds %d monitors"), MONITOR_MAX_SINKS);
      return FALSE;
    }
  g_array_append_val (po->sinks, *sink);
  if (po->sender == NULL)
    po->sender = g_thread_new ("synod-monitor", monitor_sender, po);
  g_mutex_unlock (&po->lock);
  return TRUE;
}

static gboolean
peer_unmonitor (gpointer self, SynodCall *call, const SynodObjectId *sink, GError **error)
{
  PeerObject *po = self;

  g_mutex_lock (&po->lock);
  for (guint i = 0; i < po->sinks->len; i++)
    if (synod_object_id_equal (&g_array_index (po->sinks, SynodObjectId, i), sink))
      {
        g_array_remove_index (po->sinks, i);
        break;
      }
  g_mutex_unlock (&po->lock);
  return TRUE;
}

static const StandardPeerIface peer_vtable = {
  .info = peer_info,
  .peers = peer_peers,
  .services = peer_services,
  .objects = peer_objects,
  .monitor = peer_monitor,
  .unmonitor = peer_unmonitor,
};

static gboolean
peer_object_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
                    GError **error)
{
  PeerObject *po = instance;

  /* The network passes itself as the creation parameter: the class is
   * registered once per broker, networks may come and go. */
  po->network = (SynodNetwork *)(guintptr)g_variant_get_uint64 (params);
  po->broker = synod_object_get_broker (object);
  g_mutex_init (&po->lock);
  g_cond_init (&po->cond);
  po->sinks = g_array_new (FALSE, FALSE, sizeof (SynodObjectId));
  g_queue_init (&po->events);
  synod_broker_set_monitor (po->broker, on_invocation, po, NULL);
  return TRUE;
}

static void
peer_object_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  PeerObject *po = instance;

  synod_broker_set_monitor (po->broker, NULL, NULL, NULL);
  g_mutex_lock (&po->lock);
  po->stopping = TRUE;
  g_cond_broadcast (&po->cond);
  g_mutex_unlock (&po->lock);
  if (po->sender)
    g_thread_join (po->sender);
  g_queue_clear_full (&po->events, (GDestroyNotify)standard_monitor_event_free);
  g_array_unref (po->sinks);
  g_mutex_clear (&po->lock);
  g_cond_clear (&po->cond);
}

/**
 * synod_network_export_peer_object:
 * @network: a network
 * @error: return location for an error
 *
 * Creates the object that answers Standard.Peer for this peer and registers
 * it as the service "synod.peer" (SYNOD_PEER_SERVICE). Deleting it (or the
 * broker) stops it.
 *
 * Returns: (transfer full): the object, or NULL
 */
SynodObject *
synod_network_export_peer_object (SynodNetwork *network, GError **error)
{
  SynodBroker *broker = synod_network_get_broker (network);
  g_autoptr (SynodClass) klass = NULL;
  g_autoptr (SynodObject) object = NULL;

  klass = synod_broker_lookup_class (broker, SYNOD_PEER_CLASS, 1, NULL);
  if (klass == NULL)
    {
      klass = synod_class_new (SYNOD_PEER_CLASS, 1, sizeof (PeerObject), SYNOD_CLASS_CONCURRENT);
      synod_class_add_interface (klass, &standard_peer_interface, &peer_vtable);
      synod_class_set_hooks (klass, peer_object_create, peer_object_delete, NULL, NULL);
      if (!synod_broker_register_class (broker, klass, error))
        return NULL;
    }
  object = synod_broker_create_object_of_class (
      broker, klass, g_variant_new_uint64 ((guint64)(guintptr)network), error);
  if (object == NULL)
    return NULL;
  if (!synod_broker_register_service (broker, SYNOD_PEER_SERVICE, object, error))
    {
      synod_object_delete (object, NULL);
      return NULL;
    }
  _synod_network_set_peer_object (network, object);
  return g_steal_pointer (&object);
}
