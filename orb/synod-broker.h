/* synod-broker.h — the object broker of one peer.
 *
 * A broker owns a peer's objects (by Id and alias), its classes (by name and
 * version, built in or loaded from plugins), its named services, the worker
 * pool that runs invocations and the limits on all of these. A process has a
 * default broker; tests and tools may create more, each with its own peer id.
 */
#pragma once

#include "synod-type.h"

G_BEGIN_DECLS

typedef struct _SynodBroker SynodBroker;
typedef struct _SynodObject SynodObject;
typedef struct _SynodClass SynodClass;

/**
 * SynodProvider:
 * @peer: the peer that hosts the provider (the local peer id for a local one)
 * @id: the provider's object Id
 *
 * One provider of a named service (see synod_broker_list_providers()).
 */
typedef struct
{
  guint64 peer;
  SynodObjectId id;
} SynodProvider;

/**
 * SYNOD_BROKER_DEFAULT_QUEUE_LIMIT:
 *
 * How many invocations may wait for one object before sends to it fail with
 * %SYNOD_ORB_ERROR_QUEUE_FULL (see synod_broker_set_queue_limit()).
 */
#define SYNOD_BROKER_DEFAULT_QUEUE_LIMIT 65536

/**
 * SYNOD_BROKER_DEFAULT_MAX_WORKERS:
 *
 * The most worker threads a broker runs, counting those blocked in
 * synchronous sends (see synod_broker_set_max_workers()).
 */
#define SYNOD_BROKER_DEFAULT_MAX_WORKERS 256

/**
 * SYNOD_BROKER_PEER_ID_FILE:
 *
 * The file, in a broker's state directory, that holds its peer id.
 */
#define SYNOD_BROKER_PEER_ID_FILE "peer-id"

SynodBroker *synod_broker_new (const gchar *state_dir, GError **error);
SynodBroker *synod_broker_get_default (void);
SynodBroker *synod_broker_ref (SynodBroker *broker);
void synod_broker_unref (SynodBroker *broker);

guint64 synod_broker_get_peer_id (SynodBroker *broker);
const gchar *synod_broker_get_state_dir (SynodBroker *broker);

void synod_broker_set_queue_limit (SynodBroker *broker, guint limit);
guint synod_broker_get_queue_limit (SynodBroker *broker);
void synod_broker_set_max_workers (SynodBroker *broker, guint max_workers);
guint synod_broker_get_max_workers (SynodBroker *broker);
void synod_broker_set_inline_sync (SynodBroker *broker, gboolean allow);
void synod_broker_set_local_principal (SynodBroker *broker, const gchar *principal);
const gchar *synod_broker_get_local_principal (SynodBroker *broker);

/* Classes */
gboolean synod_broker_register_class (SynodBroker *broker, SynodClass *klass, GError **error);
SynodClass *synod_broker_lookup_class (SynodBroker *broker, const gchar *name, guint32 version,
                                       GError **error);
GPtrArray *synod_broker_list_classes (SynodBroker *broker);
const SynodInterfaceDesc *synod_broker_lookup_interface (SynodBroker *broker, const gchar *name,
                                                         guint32 version);

/* Objects */
SynodObject *synod_broker_create_object (SynodBroker *broker, const gchar *class_name,
                                         guint32 version, GVariant *params, GError **error);
SynodObject *synod_broker_create_object_of_class (SynodBroker *broker, SynodClass *klass,
                                                  GVariant *params, GError **error);
SynodObject *synod_broker_lookup_object (SynodBroker *broker, const SynodObjectId *id);
SynodObject *synod_broker_lookup_service (SynodBroker *broker, const gchar *name);
guint synod_broker_get_n_objects (SynodBroker *broker);

/* Named services */
gboolean synod_broker_is_valid_service_name (const gchar *name);
gboolean synod_broker_register_service (SynodBroker *broker, const gchar *name, SynodObject *object,
                                        GError **error);
gboolean synod_broker_unregister_service (SynodBroker *broker, const gchar *name,
                                          SynodObject *object, GError **error);
GArray *synod_broker_list_providers (SynodBroker *broker, const gchar *name, GError **error);

/* Listings */
GPtrArray *synod_broker_list_objects (SynodBroker *broker);

/**
 * SynodServiceEntry:
 * @name: a service name
 * @id: the Id of a local object providing it
 */
typedef struct
{
  gchar *name;
  SynodObjectId id;
} SynodServiceEntry;

void synod_service_entry_free (SynodServiceEntry *entry);
GPtrArray *synod_broker_list_services (SynodBroker *broker);

/* Watching registrations */

/**
 * SynodBrokerEvent:
 * @SYNOD_BROKER_EVENT_OBJECT_CREATED: an object was created
 * @SYNOD_BROKER_EVENT_OBJECT_DELETED: an object was deleted
 * @SYNOD_BROKER_EVENT_SERVICE_ADDED: an object started providing a service
 * @SYNOD_BROKER_EVENT_SERVICE_REMOVED: an object stopped providing a service
 *   (also when it is deleted)
 */
typedef enum
{
  SYNOD_BROKER_EVENT_OBJECT_CREATED,
  SYNOD_BROKER_EVENT_OBJECT_DELETED,
  SYNOD_BROKER_EVENT_SERVICE_ADDED,
  SYNOD_BROKER_EVENT_SERVICE_REMOVED,
} SynodBrokerEvent;

/**
 * SynodBrokerWatchFunc:
 * @broker: the broker
 * @event: what happened
 * @id: the object concerned
 * @service_name: (nullable): the service name, for service events
 * @user_data: the watch's data
 *
 * Called on the thread that made the change, after it is made, with no
 * broker lock held. It must not add or remove watches.
 */
typedef void (*SynodBrokerWatchFunc) (SynodBroker *broker, SynodBrokerEvent event,
                                      const SynodObjectId *id, const gchar *service_name,
                                      gpointer user_data);

guint synod_broker_add_watch (SynodBroker *broker, SynodBrokerWatchFunc func, gpointer user_data,
                              GDestroyNotify destroy);
void synod_broker_remove_watch (SynodBroker *broker, guint watch_id);

/* Monitoring invocations */

/**
 * SynodInvocationInfo:
 * @target: the object invoked
 * @interface: the interface as invoked
 * @method: the method
 * @principal: who invoked it
 * @oneway: whether no reply is expected
 *
 * What a monitor learns of each invocation admitted on a local object.
 */
typedef struct
{
  const SynodObjectId *target;
  const SynodInterfaceDesc *interface;
  const SynodMethodDesc *method;
  const gchar *principal;
  gboolean oneway;
} SynodInvocationInfo;

/**
 * SynodBrokerMonitorFunc:
 * @broker: the broker
 * @info: the invocation
 * @user_data: the monitor's data
 *
 * Called for every invocation admitted on a local object, on the sending
 * thread, with the object's lock held: it must be quick and must not call
 * into the broker (queue the event and return).
 */
typedef void (*SynodBrokerMonitorFunc) (SynodBroker *broker, const SynodInvocationInfo *info,
                                        gpointer user_data);

void synod_broker_set_monitor (SynodBroker *broker, SynodBrokerMonitorFunc func,
                               gpointer user_data, GDestroyNotify destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodBroker, synod_broker_unref)

G_END_DECLS
