/* broker-private.h — the broker's internal structures, shared by its files.
 *
 * The broker is split one concept per file (objects, classes, references,
 * the scheduler, invocation); this header holds the structures they all
 * touch so each file stays small. Nothing here is public API.
 */
#pragma once

#include "synod-broker.h"
#include "synod-call.h"
#include "synod-class.h"
#include "synod-object.h"
#include "synod-ref.h"
#include "synod-remote.h"
#include "broker-scheduler-private.h"

G_BEGIN_DECLS

/* A worker drains at most this many invocations of one object per turn
 * before it puts the object back at the end of the run queue, so a busy
 * object cannot starve the others. */
#define SYNOD_BROKER_DRAIN_BATCH 32

/* ---------------------------------------------------------------------- */
/* SynodCall and invocations                                               */

typedef struct _SynodInvocation SynodInvocation;

/* Each thread has one waiter: a thread waits for one thing at a time. */
typedef struct
{
  GMutex lock;
  GCond cond;
} SynodWaiter;
typedef void (*SynodInvocationDone) (SynodInvocation *inv, gpointer user_data);

typedef enum
{
  SYNOD_INVOCATION_SYNC = 0,   /* the caller waits; args and ret are borrowed */
  SYNOD_INVOCATION_QUEUED = 1, /* args copied; @done runs on completion */
  SYNOD_INVOCATION_ONEWAY = 2, /* args copied; nobody waits */
} SynodInvocationKind;

struct _SynodCall
{
  SynodBroker *broker;
  SynodObject *object;
  const SynodInterfaceDesc *interface; /* as invoked (maybe allomorphic) */
  const SynodMethodDesc *method;       /* as invoked */
  const SynodMethodDesc *impl;         /* the class's implementation */
  gconstpointer vtable;
  GRefString *principal;
  gboolean oneway;
};

struct _SynodInvocation
{
  SynodSchedNode node;   /* concurrent invocations go on the run queue alone */
  SynodInvocation *next; /* mailbox link */
  SynodCall call;
  SynodInvocationKind kind;
  gboolean concurrent;
  gpointer args;
  gpointer ret;
  gsize size; /* of the heap record */
  gboolean principal_owned;
  gboolean args_owned; /* args was copied and must be cleared */
  gboolean monitored;  /* already reported to the broker's monitor */
  gboolean ret_valid;  /* ret holds a result that the invocation owns */
  gboolean success;
  GError *error;
  GCancellable *cancellable;
  SynodInvocationDone done;
  gpointer done_data;
  /* Sync invocations that went through the mailbox wait here. */
  SynodWaiter *waiter;
  gboolean finished;
  gboolean holds_slot; /* runs an exclusive method holding the object's slot */
};

/* ---------------------------------------------------------------------- */
/* Objects                                                                 */

typedef struct _SynodResumer SynodResumer;
struct _SynodResumer
{
  SynodResumer *next;
  GCond cond;
  gboolean granted;
};

typedef struct
{
  GPatternSpec *principal;
  GPatternSpec *method;
  gchar *principal_text;
  gchar *method_text;
  SynodAclAction action;
} SynodAclRule;

struct _SynodObject
{
  SynodSchedNode node; /* the object's place on the run queue */
  gint ref_count;
  SynodBroker *broker; /* not a reference: the broker owns its objects */
  SynodObjectId id;
  SynodClass *klass;
  gpointer instance;

  GMutex lock;
  /* The mailbox of exclusive invocations. */
  SynodInvocation *head, *tail;
  guint n_queued;     /* exclusive queued + concurrent not yet started */
  guint n_concurrent; /* concurrent invocations running or queued */
  guint n_suspended;  /* exclusive methods suspended in a synchronous send */
  gboolean held;      /* the exclusive slot is owned (running, scheduled or handed over) */
  SynodResumer *resumers_head, *resumers_tail;
  gboolean deleted;
  gboolean delete_hook_done;
  gboolean created; /* the create hook succeeded */

  GArray *aliases;     /* SynodObjectId, under the broker's table lock */
  GPtrArray *services; /* gchar *, under the broker's table lock */
  GPtrArray *acl;      /* SynodAclRule *, under @lock */
  SynodAclAction acl_default;
};

/* ---------------------------------------------------------------------- */
/* Classes                                                                 */

typedef struct
{
  const SynodInterfaceDesc *iface;
  gconstpointer vtable;
} SynodClassIface;

struct _SynodClass
{
  gint ref_count;
  gchar *name;      /* "Ns.Name" */
  gchar *full_name; /* "Ns.Name;V" */
  guint32 version;
  gsize instance_size;
  SynodClassFlags flags;
  GArray *ifaces;         /* SynodClassIface, the class's own and inherited */
  GPtrArray *allomorphic; /* gchar * "Name;V" */
  GPtrArray *parents;     /* SynodClass * */
  SynodClassCreateFunc create;
  SynodClassDeleteFunc delete_;
  gpointer class_data;
  GDestroyNotify class_data_destroy;
  gboolean sealed;    /* registered: no more changes */
  gchar *plugin_path; /* the plugin file that registered it, if any */

  GMutex bind_lock;
  GHashTable *bindings; /* const SynodInterfaceDesc * -> SynodBinding * */
};

/* How one interface is answered by a class: per method of the interface
 * (and its bases, flattened), the implementation or why there is none. */
typedef struct
{
  const SynodMethodDesc *impl;
  gconstpointer vtable;
} SynodBoundMethod;

typedef struct
{
  const SynodInterfaceDesc *iface;
  GError *error; /* set when the class does not answer the interface */
  guint n_methods;
  SynodBoundMethod *methods; /* by method index of @iface */
} SynodBinding;

gboolean _synod_class_bind_method (SynodClass *klass, const SynodMethodDesc *method,
                                   const SynodMethodDesc **ret_impl, gconstpointer *ret_vtable,
                                   GError **error);
const SynodInterfaceDesc *_synod_class_find_interface (SynodClass *klass, const gchar *name,
                                                       guint32 version);
gboolean _synod_type_equal_structurally (const SynodTypeDesc *a, const SynodTypeDesc *b);

/* ---------------------------------------------------------------------- */
/* The broker                                                              */

/* The installed transport, held by each send that uses it: replacing or
 * removing it frees its data only once the last such send is done. */
typedef struct
{
  gint refs;
  const SynodRemoteHandler *handler;
  gpointer data;
  GDestroyNotify destroy;
} SynodRemoteSlot;

struct _SynodBroker
{
  gint ref_count;
  guint64 peer_id;
  gchar *state_dir;
  guint64 next_serial; /* atomic */
  gint generation;     /* atomic; bumped when a resolution may change */

  GRWLock table_lock;
  GHashTable *objects;  /* SynodObjectId * (in the object) -> SynodObject * */
  GHashTable *aliases;  /* SynodObjectId * (in obj->aliases copy) -> SynodObject * */
  GHashTable *services; /* gchar * name -> GPtrArray of SynodObject * (registration order) */

  GMutex class_lock;
  GHashTable *classes;    /* "Ns.Name;V" -> SynodClass * */
  GHashTable *interfaces; /* "Ns.Name;V" -> const SynodInterfaceDesc * */
  GHashTable *plugins;    /* canonical path -> GModule * */
  GRecMutex plugin_lock;  /* serialises plugin loading */
  gchar **class_path;

  GRefString *local_principal;
  GPtrArray *old_principals; /* replaced ones, kept: sends read the pointer unlocked */
  guint queue_limit;         /* atomic */
  gboolean inline_sync;      /* atomic */

  GMutex remote_lock;
  SynodRemoteSlot *remote; /* NULL: no transport */

  SynodScheduler *scheduler;

  GMutex watch_lock;
  GArray *watches; /* BrokerWatch */
  guint next_watch_id;

  GMutex monitor_lock;
  SynodBrokerMonitorFunc monitor; /* read unlocked (atomic) on the send path */
  gpointer monitor_data;
  GDestroyNotify monitor_destroy;
};

typedef struct
{
  guint id;
  SynodBrokerWatchFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} BrokerWatch;

void _synod_broker_emit (SynodBroker *broker, SynodBrokerEvent event, const SynodObjectId *id,
                         const gchar *service_name);

SynodObject *_synod_broker_lookup_local (SynodBroker *broker, const SynodObjectId *id);
SynodObject *_synod_broker_lookup_service_local (SynodBroker *broker, const gchar *name);
void _synod_broker_bump_generation (SynodBroker *broker);
SynodRemoteSlot *_synod_broker_get_remote (SynodBroker *broker);
gboolean _synod_broker_has_remote (SynodBroker *broker);
void _synod_remote_slot_unref (SynodRemoteSlot *slot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodRemoteSlot, _synod_remote_slot_unref)
void _synod_broker_remove_object (SynodBroker *broker, SynodObject *object);
void _synod_broker_run_node (SynodSchedNode *node, gpointer user_data);

/* Objects */
SynodObject *_synod_object_new (SynodBroker *broker, SynodClass *klass, const SynodObjectId *id);
void _synod_object_run_turn (SynodObject *object);
SynodInvocation *_synod_broker_dispatch_claim (SynodBroker *broker, const SynodObjectId *target,
                                               const SynodMethodDesc *method, gpointer args,
                                               const gchar *principal, SynodDispatchReplyFunc reply,
                                               gpointer reply_data, gboolean claim);
void _synod_invocation_run_claimed (SynodInvocation *inv);
void _synod_object_release_slot_locked (SynodObject *object, gboolean *ret_run_delete_hook);
void _synod_object_run_delete_hook (SynodObject *object);
gboolean _synod_object_check_access_locked (SynodObject *object, const gchar *principal,
                                            const SynodInterfaceDesc *iface,
                                            const SynodMethodDesc *method, GError **error);

/* References */
typedef enum
{
  SYNOD_RESOLVED_NONE = 0,
  SYNOD_RESOLVED_LOCAL,
  SYNOD_RESOLVED_REMOTE,
} SynodResolvedKind;

typedef struct
{
  SynodResolvedKind kind;
  SynodObject *object; /* LOCAL: a reference */
  guint64 peer;        /* REMOTE */
  SynodObjectId id;    /* REMOTE: the target's Id on that peer */
} SynodResolved;

gboolean _synod_ref_resolve (SynodRef *ref, SynodResolved *ret, GError **error);
void _synod_resolved_clear (SynodResolved *resolved);

/* Invocation */
SynodInvocation *_synod_invocation_new (SynodBroker *broker, const SynodResolved *target,
                                        const SynodMethodDesc *method, gconstpointer args,
                                        SynodInvocationKind kind, GError **error);
gboolean _synod_invocation_send (SynodInvocation *inv, const SynodResolved *target, GError **error);
void _synod_invocation_free (SynodInvocation *inv);
void _synod_invocation_execute (SynodInvocation *inv);
void _synod_invocation_fail (SynodInvocation *inv, GError *error);
void _synod_invocation_finish (SynodInvocation *inv);
gboolean _synod_class_seal (SynodClass *klass, GError **error);
const SynodInterfaceDesc *_synod_standard_lookup (const gchar *name, guint32 version);

/* The current invocation of this thread (NULL outside methods). */
SynodInvocation *_synod_current_invocation (void);
/* Around a blocking wait inside a method: let its object's slot go, and
 * take it back. */
SynodInvocation *_synod_suspend_current (void);
void _synod_resume (SynodInvocation *suspended);

/* Built-in Standard.Object and Standard.Introspectable. */
gboolean _synod_standard_is_builtin (const SynodInterfaceDesc *iface);
gconstpointer _synod_standard_vtable_for (const SynodInterfaceDesc *iface);

/* Plugins */
const gchar *_synod_plugin_loading_path (void);
gboolean _synod_plugin_load_for_class (SynodBroker *broker, const gchar *name, guint32 version,
                                       GError **error);

G_END_DECLS
