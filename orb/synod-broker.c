/* synod-broker.c — the broker: peer id, object table, aliases, named
 * services, the class registry, limits and the remote seam.
 *
 * The tables sit under one reader-writer lock: sends only read them (and
 * most sends do not even do that, because a SynodRef caches what it resolved
 * until the broker's generation counter moves), while registrations write.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>

#include "broker-private.h"
#include "synod-error.h"
#include "synod-object-id.h"
#include "synod-plugin.h"

static guint64
random_peer_id (void)
{
  guint64 v = 0;

  while (v == 0)
    {
      if (getrandom (&v, sizeof v, 0) != (gssize)sizeof v)
        v = ((guint64)g_random_int () << 32) | g_random_int ();
    }
  return v;
}

static gboolean
load_peer_id (const gchar *state_dir, guint64 *ret_peer, GError **error)
{
  g_autofree gchar *path = g_build_filename (state_dir, SYNOD_BROKER_PEER_ID_FILE, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len = 0;

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Cannot create the state directory “%s”: %s"), state_dir, g_strerror (saved));
      return FALSE;
    }
  if (g_file_get_contents (path, &contents, &len, &local_error))
    {
      SynodObjectId probe;
      g_autofree gchar *text = g_strstrip (g_strndup (contents, len));
      g_autofree gchar *as_id = g_strconcat (text, "-0000000000000000", NULL);

      if (!synod_object_id_parse (as_id, &probe, NULL) || probe.peer == 0)
        {
          g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                       _ ("The peer id file “%s” is corrupt (expected 16 hex digits, not zero)"),
                       path);
          return FALSE;
        }
      *ret_peer = probe.peer;
      return TRUE;
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _ ("Cannot read the peer id: "));
      return FALSE;
    }
  {
    guint64 peer = random_peer_id ();
    g_autofree gchar *text = g_strdup_printf ("%016" G_GINT64_MODIFIER "x\n", peer);

    if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
      return FALSE;
    *ret_peer = peer;
  }
  return TRUE;
}

/* GLib 2.74 lacks g_hash_table_get_values_as_ptr_array(). */
static GPtrArray *
hash_values (GHashTable *table, GCallback ref, GDestroyNotify unref)
{
  GPtrArray *list = g_ptr_array_new_full (g_hash_table_size (table), unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, ((gpointer (*) (gpointer))ref) (value));
  return list;
}

static SynodBroker *
broker_alloc (void)
{
  SynodBroker *broker = g_new0 (SynodBroker, 1);

  broker->ref_count = 1;
  broker->next_serial = 1;
  g_rw_lock_init (&broker->table_lock);
  broker->objects = g_hash_table_new (synod_object_id_hash, synod_object_id_equal);
  broker->aliases
      = g_hash_table_new_full (synod_object_id_hash, synod_object_id_equal, g_free, NULL);
  broker->services
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  g_mutex_init (&broker->class_lock);
  broker->classes
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)synod_class_unref);
  broker->interfaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  broker->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_rec_mutex_init (&broker->plugin_lock);
  broker->local_principal = g_ref_string_new (g_get_user_name ());
  broker->old_principals = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ref_string_release);
  broker->queue_limit = SYNOD_BROKER_DEFAULT_QUEUE_LIMIT;
  broker->inline_sync = TRUE;
  g_mutex_init (&broker->remote_lock);
  g_mutex_init (&broker->watch_lock);
  broker->watches = g_array_new (FALSE, FALSE, sizeof (BrokerWatch));
  broker->next_watch_id = 1;
  g_mutex_init (&broker->monitor_lock);
  broker->scheduler = _synod_scheduler_new (
      g_get_num_processors (), SYNOD_BROKER_DEFAULT_MAX_WORKERS, _synod_broker_run_node, broker);
  return broker;
}

/**
 * synod_broker_new:
 * @state_dir: (nullable): a directory for the peer's persistent state, created
 *   if missing; %NULL keeps everything in memory
 * @error: return location for an error
 *
 * Creates a broker. Its peer id is read from @state_dir (file
 * %SYNOD_BROKER_PEER_ID_FILE), or chosen at random and written there on
 * first use; without @state_dir it is random for the broker's lifetime.
 *
 * Returns: (transfer full): a new broker, or %NULL when the state directory
 *   cannot be used
 */
SynodBroker *
synod_broker_new (const gchar *state_dir, GError **error)
{
  guint64 peer;
  SynodBroker *broker;

  if (state_dir != NULL)
    {
      if (!load_peer_id (state_dir, &peer, error))
        return NULL;
    }
  else
    peer = random_peer_id ();
  broker = broker_alloc ();
  broker->peer_id = peer;
  broker->state_dir = g_strdup (state_dir);
  g_debug ("broker %016" G_GINT64_MODIFIER "x created (state: %s)", peer,
           state_dir ? state_dir : "in memory");
  return broker;
}

/**
 * synod_broker_get_default:
 *
 * The process's broker, created on first use. Its state directory is
 * `$SYNOD_STATE_DIR` when that is set (else its peer id is random), and its
 * class path is `$SYNOD_CLASS_PATH` (directories separated by `:`). If the
 * state directory cannot be used the broker falls back to memory and logs a
 * warning.
 *
 * Returns: (transfer none): the default broker
 */
SynodBroker *
synod_broker_get_default (void)
{
  static SynodBroker *default_broker;

  if (g_once_init_enter (&default_broker))
    {
      g_autoptr (GError) error = NULL;
      const gchar *dir = g_getenv ("SYNOD_STATE_DIR");
      const gchar *path = g_getenv ("SYNOD_CLASS_PATH");
      SynodBroker *b = synod_broker_new (dir && *dir ? dir : NULL, &error);

      if (b == NULL)
        {
          g_warning ("%s", error->message);
          b = synod_broker_new (NULL, NULL);
        }
      if (path != NULL && *path)
        {
          g_auto (GStrv) dirs = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);

          synod_broker_set_class_path (b, (const gchar *const *)dirs);
        }
      g_once_init_leave (&default_broker, b);
    }
  return default_broker;
}

/**
 * synod_broker_ref:
 * @broker: a broker
 *
 * Returns: (transfer full): @broker
 */
SynodBroker *
synod_broker_ref (SynodBroker *broker)
{
  g_return_val_if_fail (broker != NULL, NULL);
  g_atomic_int_inc (&broker->ref_count);
  return broker;
}

/**
 * synod_broker_unref:
 * @broker: (nullable) (transfer full): a broker
 *
 * Drops a reference. The last one deletes every object (their queued
 * invocations fail with %SYNOD_ORB_ERROR_OBJECT_DELETED), waits for running
 * methods to return and stops the workers (when the last reference goes
 * inside a method of the broker's own, that happens on another thread).
 */
static void broker_finalize (SynodBroker *broker);

static gpointer
finalize_thread (gpointer data)
{
  broker_finalize (data);
  return NULL;
}

void
synod_broker_unref (SynodBroker *broker)
{
  if (broker == NULL || !g_atomic_int_dec_and_test (&broker->ref_count))
    return;
  /* A method may drop the last reference (through a SynodRef it made);
   * its worker cannot wait for itself to stop, so another thread does. */
  if (_synod_scheduler_in_worker (broker->scheduler))
    g_thread_unref (g_thread_new ("synod-broker-free", finalize_thread, broker));
  else
    broker_finalize (broker);
}

static void
broker_finalize (SynodBroker *broker)
{
  g_autoptr (GPtrArray) objects = NULL;

  g_rw_lock_reader_lock (&broker->table_lock);
  objects = hash_values (broker->objects, G_CALLBACK (synod_object_ref),
                         (GDestroyNotify)synod_object_unref);
  g_rw_lock_reader_unlock (&broker->table_lock);
  for (guint i = 0; i < objects->len; i++)
    synod_object_delete (objects->pdata[i], NULL);
  g_clear_pointer (&objects, g_ptr_array_unref);

  _synod_scheduler_free (broker->scheduler);

  g_clear_pointer (&broker->remote, _synod_remote_slot_unref);
  g_mutex_clear (&broker->remote_lock);

  for (guint i = 0; i < broker->watches->len; i++)
    {
      BrokerWatch *w = &g_array_index (broker->watches, BrokerWatch, i);
      if (w->destroy)
        w->destroy (w->user_data);
    }
  g_array_unref (broker->watches);
  g_mutex_clear (&broker->watch_lock);
  if (broker->monitor_destroy)
    broker->monitor_destroy (broker->monitor_data);
  g_mutex_clear (&broker->monitor_lock);

  g_hash_table_unref (broker->objects);
  g_hash_table_unref (broker->aliases);
  g_hash_table_unref (broker->services);
  g_rw_lock_clear (&broker->table_lock);
  g_hash_table_unref (broker->classes);
  g_hash_table_unref (broker->interfaces);
  g_hash_table_unref (broker->plugins); /* modules stay resident */
  g_rec_mutex_clear (&broker->plugin_lock);
  g_mutex_clear (&broker->class_lock);
  g_strfreev (broker->class_path);
  g_ref_string_release (broker->local_principal);
  g_ptr_array_unref (broker->old_principals);
  g_free (broker->state_dir);
  g_free (broker);
}

/**
 * synod_broker_get_peer_id:
 * @broker: a broker
 *
 * Returns: the broker's 64-bit peer id, the first half of every Id it assigns
 */
guint64
synod_broker_get_peer_id (SynodBroker *broker)
{
  return broker->peer_id;
}

/**
 * synod_broker_get_state_dir:
 * @broker: a broker
 *
 * Returns: (transfer none) (nullable): the state directory, or %NULL
 */
const gchar *
synod_broker_get_state_dir (SynodBroker *broker)
{
  return broker->state_dir;
}

/**
 * synod_broker_set_queue_limit:
 * @broker: a broker
 * @limit: the most invocations that may wait for one object, at least 1
 *
 * Sets the per-object bound on pending invocations (default
 * %SYNOD_BROKER_DEFAULT_QUEUE_LIMIT). A send beyond it fails at once with
 * %SYNOD_ORB_ERROR_QUEUE_FULL, so a flood of sends cannot grow memory
 * without bound.
 */
void
synod_broker_set_queue_limit (SynodBroker *broker, guint limit)
{
  g_return_if_fail (limit > 0);
  g_atomic_int_set (&broker->queue_limit, limit);
}

/**
 * synod_broker_get_queue_limit:
 * @broker: a broker
 *
 * Returns: the per-object bound on pending invocations
 */
guint
synod_broker_get_queue_limit (SynodBroker *broker)
{
  return (guint)g_atomic_int_get (&broker->queue_limit);
}

/**
 * synod_broker_set_max_workers:
 * @broker: a broker
 * @max_workers: the most worker threads, blocked ones included
 *
 * Bounds the threads the broker may run (default
 * %SYNOD_BROKER_DEFAULT_MAX_WORKERS). Workers blocked in synchronous sends
 * are replaced by new ones up to this bound; a synchronous send from a
 * method that would block the last allowed thread fails with
 * %SYNOD_ORB_ERROR_LIMIT instead of risking a deadlock.
 */
void
synod_broker_set_max_workers (SynodBroker *broker, guint max_workers)
{
  _synod_scheduler_set_max_threads (broker->scheduler, max_workers);
}

/**
 * synod_broker_get_max_workers:
 * @broker: a broker
 *
 * Returns: the bound on worker threads
 */
guint
synod_broker_get_max_workers (SynodBroker *broker)
{
  return _synod_scheduler_get_max_threads (broker->scheduler);
}

/**
 * synod_broker_set_inline_sync:
 * @broker: a broker
 * @allow: whether synchronous sends may run on the caller's thread
 *
 * By default a synchronous send to a local object that is idle runs the
 * method on the sender's thread, which saves two thread switches; the
 * semantics (one active method, suspension) are the same. %FALSE makes
 * every invocation go through the worker pool (for measurements, or for
 * methods that must not run on the caller's thread).
 */
void
synod_broker_set_inline_sync (SynodBroker *broker, gboolean allow)
{
  g_atomic_int_set (&broker->inline_sync, allow ? 1 : 0);
}

/**
 * synod_broker_set_local_principal:
 * @broker: a broker
 * @principal: the principal of sends made in this process
 *
 * Sets the principal that local sends carry, checked by the objects' access
 * control lists (default: the user's login name). Calls arriving from
 * other peers carry the principal the transport authenticated instead.
 */
void
synod_broker_set_local_principal (SynodBroker *broker, const gchar *principal)
{
  GRefString *old;

  g_return_if_fail (principal != NULL);
  g_mutex_lock (&broker->remote_lock);
  old = g_atomic_pointer_exchange (&broker->local_principal, g_ref_string_new (principal));
  /* Senders read the pointer without a lock: the old string stays alive
   * until the broker goes (principals change rarely). */
  g_ptr_array_add (broker->old_principals, old);
  g_mutex_unlock (&broker->remote_lock);
}

/**
 * synod_broker_get_local_principal:
 * @broker: a broker
 *
 * Returns: (transfer none): the principal of local sends
 */
const gchar *
synod_broker_get_local_principal (SynodBroker *broker)
{
  return g_atomic_pointer_get (&broker->local_principal);
}

void
_synod_broker_bump_generation (SynodBroker *broker)
{
  g_atomic_int_inc (&broker->generation);
}

/* ---------------------------------------------------------------------- */
/* Classes                                                                 */

/**
 * synod_broker_register_class:
 * @broker: a broker
 * @klass: (transfer none): a class
 * @error: return location for an error
 *
 * Registers @klass under its name and version, after checking it (every
 * base of every interface implemented, descriptors consistent). The class
 * is frozen from then on. Several versions of one class may be registered;
 * one (name, version) only once.
 *
 * Returns: %TRUE on success; %SYNOD_ORB_ERROR_EXISTS when the name and
 *   version are taken
 */
gboolean
synod_broker_register_class (SynodBroker *broker, SynodClass *klass, GError **error)
{
  g_return_val_if_fail (broker != NULL && klass != NULL, FALSE);

  g_mutex_lock (&broker->class_lock);
  if (g_hash_table_contains (broker->classes, klass->full_name))
    {
      SynodClass *other = g_hash_table_lookup (broker->classes, klass->full_name);

      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS,
                   _ ("Class %s is already registered%s%s"), klass->full_name,
                   other->plugin_path ? _ (" by plugin ") : "",
                   other->plugin_path ? other->plugin_path : "");
      g_mutex_unlock (&broker->class_lock);
      return FALSE;
    }
  if (!_synod_class_seal (klass, error))
    {
      g_mutex_unlock (&broker->class_lock);
      return FALSE;
    }
  if (klass->plugin_path == NULL && _synod_plugin_loading_path () != NULL)
    klass->plugin_path = g_strdup (_synod_plugin_loading_path ());
  g_hash_table_insert (broker->classes, g_strdup (klass->full_name), synod_class_ref (klass));
  for (guint i = 0; i < klass->ifaces->len; i++)
    {
      const SynodInterfaceDesc *d = g_array_index (klass->ifaces, SynodClassIface, i).iface;
      gchar *key = g_strdup_printf ("%s;%u", d->name, d->version);

      if (!g_hash_table_contains (broker->interfaces, key))
        g_hash_table_insert (broker->interfaces, key, (gpointer)d);
      else
        g_free (key);
    }
  g_mutex_unlock (&broker->class_lock);
  g_debug ("class %s registered", klass->full_name);
  return TRUE;
}

static SynodClass *
find_class_locked (SynodBroker *broker, const gchar *name, guint32 version)
{
  GHashTableIter iter;
  gpointer value;
  SynodClass *best = NULL;

  if (version != 0)
    {
      g_autofree gchar *key = g_strdup_printf ("%s;%u", name, version);

      return g_hash_table_lookup (broker->classes, key);
    }
  g_hash_table_iter_init (&iter, broker->classes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SynodClass *k = value;

      if (strcmp (k->name, name) == 0 && (best == NULL || k->version > best->version))
        best = k;
    }
  return best;
}

/**
 * synod_broker_lookup_class:
 * @broker: a broker
 * @name: a class name ("Shop.Cart"), or a name with version ("Shop.Cart;2")
 * @version: the version, or 0 for the one in @name, or else the highest
 * @error: return location for an error
 *
 * Finds a registered class; when none matches, looks for a plugin providing
 * it on the class path (see synod_broker_set_class_path()) and loads it.
 *
 * Returns: (transfer full): the class, or %NULL with
 *   %SYNOD_ORB_ERROR_NO_SUCH_CLASS (or the plugin's loading error)
 */
SynodClass *
synod_broker_lookup_class (SynodBroker *broker, const gchar *name, guint32 version, GError **error)
{
  g_autofree gchar *base = NULL;
  guint32 v = 0;
  SynodClass *klass;

  g_return_val_if_fail (broker != NULL && name != NULL, NULL);
  if (!synod_class_parse_full_name (name, &base, &v, error))
    return NULL;
  if (version == 0)
    version = v;

  g_mutex_lock (&broker->class_lock);
  klass = find_class_locked (broker, base, version);
  if (klass)
    synod_class_ref (klass);
  g_mutex_unlock (&broker->class_lock);
  if (klass)
    return klass;

  if (!_synod_plugin_load_for_class (broker, base, version, error))
    return NULL;

  g_mutex_lock (&broker->class_lock);
  klass = find_class_locked (broker, base, version);
  if (klass)
    synod_class_ref (klass);
  g_mutex_unlock (&broker->class_lock);
  if (klass == NULL)
    {
      if (version)
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_CLASS,
                     _ ("No class %s;%u is registered or on the class path"), base, version);
      else
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_CLASS,
                     _ ("No class %s is registered or on the class path"), base);
    }
  return klass;
}

/**
 * synod_broker_list_classes:
 * @broker: a broker
 *
 * Returns: (transfer full) (element-type SynodClass): the registered classes
 */
GPtrArray *
synod_broker_list_classes (SynodBroker *broker)
{
  GPtrArray *list;

  g_mutex_lock (&broker->class_lock);
  list = hash_values (broker->classes, G_CALLBACK (synod_class_ref),
                      (GDestroyNotify)synod_class_unref);
  g_mutex_unlock (&broker->class_lock);
  return list;
}

/**
 * synod_broker_lookup_interface:
 * @broker: a broker
 * @name: an interface name
 * @version: its version, or 0 for the highest known
 *
 * Finds the descriptor of an interface implemented by a registered class
 * (or a built-in one), for the dynamic API.
 *
 * Returns: (transfer none) (nullable): the descriptor, or %NULL
 */
const SynodInterfaceDesc *
synod_broker_lookup_interface (SynodBroker *broker, const gchar *name, guint32 version)
{
  const SynodInterfaceDesc *found = NULL;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&broker->class_lock);
  g_hash_table_iter_init (&iter, broker->interfaces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const SynodInterfaceDesc *d = value;

      if (strcmp (d->name, name) == 0
          && (d->version == version
              || (version == 0 && (found == NULL || d->version > found->version))))
        found = d;
    }
  g_mutex_unlock (&broker->class_lock);
  if (found == NULL)
    found = _synod_standard_lookup (name, version);
  return found;
}

/* ---------------------------------------------------------------------- */
/* Objects                                                                 */

static void
collect_chain (SynodClass *klass, GPtrArray *chain)
{
  for (guint i = 0; i < klass->parents->len; i++)
    collect_chain (klass->parents->pdata[i], chain);
  g_ptr_array_add (chain, klass);
}

/**
 * synod_broker_create_object_of_class:
 * @broker: a broker
 * @klass: a class registered with @broker
 * @params: (nullable): creation parameters for the create hooks; a floating
 *   reference is sunk
 * @error: return location for an error
 *
 * Creates an object: assigns its Id, allocates its instance data, runs the
 * create hooks (parents first) and makes it reachable.
 *
 * Returns: (transfer full): the object, or %NULL when a create hook failed
 */
SynodObject *
synod_broker_create_object_of_class (SynodBroker *broker, SynodClass *klass, GVariant *params,
                                     GError **error)
{
  g_autoptr (GVariant) sunk = params ? g_variant_ref_sink (params) : NULL;
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  SynodObjectId id;
  SynodObject *object;

  g_return_val_if_fail (broker != NULL && klass != NULL, NULL);
  g_return_val_if_fail (klass->sealed, NULL);

  id.peer = broker->peer_id;
  id.serial = __atomic_fetch_add (&broker->next_serial, 1, __ATOMIC_RELAXED);
  object = _synod_object_new (broker, klass, &id);

  collect_chain (klass, chain);
  for (guint i = 0; i < chain->len; i++)
    {
      SynodClass *k = chain->pdata[i];

      if (k->create && !k->create (object, object->instance, sunk, k->class_data, error))
        {
          /* Undo the hooks that ran, newest first. */
          for (guint j = i; j-- > 0;)
            {
              SynodClass *u = chain->pdata[j];

              if (u->delete_)
                u->delete_ (object, object->instance, u->class_data);
            }
          object->deleted = TRUE;
          object->delete_hook_done = TRUE;
          synod_object_unref (object);
          return NULL;
        }
    }
  object->created = TRUE;

  g_rw_lock_writer_lock (&broker->table_lock);
  g_hash_table_insert (broker->objects, &object->id, synod_object_ref (object));
  g_rw_lock_writer_unlock (&broker->table_lock);
  _synod_broker_emit (broker, SYNOD_BROKER_EVENT_OBJECT_CREATED, &object->id, NULL);
  return object;
}

/**
 * synod_broker_create_object:
 * @broker: a broker
 * @class_name: the class name, optionally with ";VERSION"
 * @version: the version, or 0 for the one in @class_name, or else the highest
 * @params: (nullable): creation parameters; a floating reference is sunk
 * @error: return location for an error
 *
 * Looks the class up (loading its plugin if needed) and creates an object.
 *
 * Returns: (transfer full): the object, or %NULL
 */
SynodObject *
synod_broker_create_object (SynodBroker *broker, const gchar *class_name, guint32 version,
                            GVariant *params, GError **error)
{
  g_autoptr (GVariant) sunk = params ? g_variant_ref_sink (params) : NULL;
  g_autoptr (SynodClass) klass = synod_broker_lookup_class (broker, class_name, version, error);

  if (klass == NULL)
    return NULL;
  return synod_broker_create_object_of_class (broker, klass, sunk, error);
}

SynodObject *
_synod_broker_lookup_local (SynodBroker *broker, const SynodObjectId *id)
{
  SynodObject *object;

  g_rw_lock_reader_lock (&broker->table_lock);
  object = g_hash_table_lookup (broker->objects, id);
  if (object == NULL)
    object = g_hash_table_lookup (broker->aliases, id);
  if (object)
    synod_object_ref (object);
  g_rw_lock_reader_unlock (&broker->table_lock);
  return object;
}

/**
 * synod_broker_lookup_object:
 * @broker: a broker
 * @id: an object Id or alias
 *
 * Returns: (transfer full) (nullable): the local object with that Id or
 *   alias, or %NULL
 */
SynodObject *
synod_broker_lookup_object (SynodBroker *broker, const SynodObjectId *id)
{
  g_return_val_if_fail (broker != NULL && id != NULL, NULL);
  return _synod_broker_lookup_local (broker, id);
}

/**
 * synod_broker_lookup_service:
 * @broker: a broker
 * @name: a service name
 *
 * The local provider of @name, as a send to the name would pick it
 * (the first registered). Never asks other peers, so it does not block.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL when no local
 *   object provides @name
 */
SynodObject *
synod_broker_lookup_service (SynodBroker *broker, const gchar *name)
{
  g_return_val_if_fail (broker != NULL && name != NULL, NULL);
  return _synod_broker_lookup_service_local (broker, name);
}

/**
 * synod_broker_get_n_objects:
 * @broker: a broker
 *
 * Returns: how many live objects the broker holds
 */
guint
synod_broker_get_n_objects (SynodBroker *broker)
{
  guint n;

  g_rw_lock_reader_lock (&broker->table_lock);
  n = g_hash_table_size (broker->objects);
  g_rw_lock_reader_unlock (&broker->table_lock);
  return n;
}

/* Called by synod_object_delete(): makes the object unreachable. */
void
_synod_broker_remove_object (SynodBroker *broker, SynodObject *object)
{
  gboolean removed;
  g_autoptr (GPtrArray) services = g_ptr_array_new_with_free_func (g_free);

  g_rw_lock_writer_lock (&broker->table_lock);
  for (guint i = 0; i < object->services->len; i++)
    g_ptr_array_add (services, g_strdup (object->services->pdata[i]));
  for (guint i = 0; i < object->aliases->len; i++)
    g_hash_table_remove (broker->aliases, &g_array_index (object->aliases, SynodObjectId, i));
  for (guint i = 0; i < object->services->len; i++)
    {
      GPtrArray *providers = g_hash_table_lookup (broker->services, object->services->pdata[i]);

      if (providers)
        {
          g_ptr_array_remove (providers, object);
          if (providers->len == 0)
            g_hash_table_remove (broker->services, object->services->pdata[i]);
        }
    }
  g_ptr_array_set_size (object->services, 0);
  removed = g_hash_table_remove (broker->objects, &object->id);
  g_rw_lock_writer_unlock (&broker->table_lock);
  _synod_broker_bump_generation (broker);
  for (guint i = 0; i < services->len; i++)
    _synod_broker_emit (broker, SYNOD_BROKER_EVENT_SERVICE_REMOVED, &object->id,
                        services->pdata[i]);
  if (removed)
    {
      _synod_broker_emit (broker, SYNOD_BROKER_EVENT_OBJECT_DELETED, &object->id, NULL);
      synod_object_unref (object);
    }
}

/* ---------------------------------------------------------------------- */
/* Named services                                                          */

/**
 * synod_broker_is_valid_service_name:
 * @name: a string
 *
 * A service name is 1 to 255 characters of letters, digits, `_`, `-` and
 * `.`, starting with a letter or `_`, with no empty element between dots
 * ("shop.cart"), and never the text form of an object Id — so any string
 * names either an Id or a service.
 *
 * Returns: whether @name is a valid service name
 */
gboolean
synod_broker_is_valid_service_name (const gchar *name)
{
  gsize len;

  if (name == NULL || synod_object_id_is_valid_text (name))
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > 255 || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      gchar c = name[i];

      if (c == '.')
        {
          if (i + 1 == len || name[i + 1] == '.')
            return FALSE;
        }
      else if (!(g_ascii_isalnum (c) || c == '_' || c == '-'))
        return FALSE;
    }
  return TRUE;
}

/**
 * synod_broker_register_service:
 * @broker: a broker
 * @name: a service name (see synod_broker_is_valid_service_name())
 * @object: a live object of @broker
 * @error: return location for an error
 *
 * Makes @object a provider of @name. A name may have several local
 * providers (a group send reaches them all); a send to the name reaches the
 * first one registered that is still alive.
 *
 * Returns: %TRUE on success; %SYNOD_ORB_ERROR_EXISTS when @object already
 *   provides @name
 */
gboolean
synod_broker_register_service (SynodBroker *broker, const gchar *name, SynodObject *object,
                               GError **error)
{
  GPtrArray *providers;

  g_return_val_if_fail (broker != NULL && name != NULL && object != NULL, FALSE);
  g_return_val_if_fail (object->broker == broker, FALSE);

  if (!synod_broker_is_valid_service_name (name))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("“%s” is not a valid service name"), name);
      return FALSE;
    }
  g_rw_lock_writer_lock (&broker->table_lock);
  if (object->deleted)
    {
      g_rw_lock_writer_unlock (&broker->table_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_OBJECT_DELETED,
                   _ ("The object was deleted"));
      return FALSE;
    }
  providers = g_hash_table_lookup (broker->services, name);
  if (providers == NULL)
    {
      providers = g_ptr_array_new ();
      g_hash_table_insert (broker->services, g_strdup (name), providers);
    }
  else if (g_ptr_array_find (providers, object, NULL))
    {
      g_rw_lock_writer_unlock (&broker->table_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS,
                   _ ("The object already provides service “%s”"), name);
      return FALSE;
    }
  g_ptr_array_add (providers, object);
  g_ptr_array_add (object->services, g_strdup (name));
  g_rw_lock_writer_unlock (&broker->table_lock);
  _synod_broker_bump_generation (broker);
  _synod_broker_emit (broker, SYNOD_BROKER_EVENT_SERVICE_ADDED, &object->id, name);
  return TRUE;
}

/**
 * synod_broker_unregister_service:
 * @broker: a broker
 * @name: a service name
 * @object: one of its providers
 * @error: return location for an error
 *
 * Returns: %TRUE on success; %SYNOD_ORB_ERROR_NO_SUCH_OBJECT when @object
 *   does not provide @name
 */
gboolean
synod_broker_unregister_service (SynodBroker *broker, const gchar *name, SynodObject *object,
                                 GError **error)
{
  GPtrArray *providers;
  gboolean found = FALSE;

  g_return_val_if_fail (broker != NULL && name != NULL && object != NULL, FALSE);
  g_rw_lock_writer_lock (&broker->table_lock);
  providers = g_hash_table_lookup (broker->services, name);
  if (providers && g_ptr_array_remove (providers, object))
    {
      found = TRUE;
      if (providers->len == 0)
        g_hash_table_remove (broker->services, name);
      for (guint i = 0; i < object->services->len; i++)
        if (strcmp (object->services->pdata[i], name) == 0)
          {
            g_free (g_ptr_array_steal_index (object->services, i));
            break;
          }
    }
  g_rw_lock_writer_unlock (&broker->table_lock);
  if (!found)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("The object does not provide service “%s”"), name);
      return FALSE;
    }
  _synod_broker_bump_generation (broker);
  _synod_broker_emit (broker, SYNOD_BROKER_EVENT_SERVICE_REMOVED, &object->id, name);
  return TRUE;
}

SynodObject *
_synod_broker_lookup_service_local (SynodBroker *broker, const gchar *name)
{
  SynodObject *object = NULL;
  GPtrArray *providers;

  g_rw_lock_reader_lock (&broker->table_lock);
  providers = g_hash_table_lookup (broker->services, name);
  if (providers && providers->len > 0)
    object = synod_object_ref (providers->pdata[0]);
  g_rw_lock_reader_unlock (&broker->table_lock);
  return object;
}

/**
 * synod_broker_list_providers:
 * @broker: a broker
 * @name: a service name
 * @error: return location for an error from the remote handler
 *
 * Lists every provider of @name: the local ones first, in registration
 * order, then those the remote handler knows.
 *
 * Returns: (transfer full) (element-type SynodProvider): the providers
 *   (maybe none), or %NULL on error
 */
GArray *
synod_broker_list_providers (SynodBroker *broker, const gchar *name, GError **error)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (SynodProvider));
  g_autoptr (SynodRemoteSlot) remote_slot = NULL;
  GPtrArray *providers;

  g_return_val_if_fail (broker != NULL && name != NULL, NULL);
  if (!synod_broker_is_valid_service_name (name))
    {
      g_array_unref (list);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("“%s” is not a valid service name"), name);
      return NULL;
    }
  g_rw_lock_reader_lock (&broker->table_lock);
  providers = g_hash_table_lookup (broker->services, name);
  for (guint i = 0; providers && i < providers->len; i++)
    {
      SynodObject *o = providers->pdata[i];

      g_array_append_val (list, ((SynodProvider){ broker->peer_id, o->id }));
    }
  g_rw_lock_reader_unlock (&broker->table_lock);

  remote_slot = _synod_broker_get_remote (broker);
  if (remote_slot && remote_slot->handler->list_providers)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GArray) remote
          = remote_slot->handler->list_providers (remote_slot->data, name, &local_error);

      if (local_error)
        {
          g_array_unref (list);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (remote)
        g_array_append_vals (list, remote->data, remote->len);
    }
  return list;
}

/* ---------------------------------------------------------------------- */
/* The remote seam                                                         */

/**
 * synod_broker_set_remote_handler:
 * @broker: a broker
 * @handler: (nullable): the transport's functions (static), or %NULL to
 *   remove the handler
 * @handler_data: (nullable): passed to each function
 * @handler_data_destroy: (nullable): frees @handler_data when the handler
 *   is replaced or the broker goes
 *
 * Installs the transport that carries sends to objects on other peers.
 * Install it before sending. Sends already inside the old handler finish
 * with it: @handler_data_destroy of the old data runs once the last of them
 * has returned from the handler (on its thread); the transport decides what
 * its calls in flight become.
 */
void
synod_broker_set_remote_handler (SynodBroker *broker, const SynodRemoteHandler *handler,
                                 gpointer handler_data, GDestroyNotify handler_data_destroy)
{
  SynodRemoteSlot *slot = NULL, *old;

  g_return_if_fail (broker != NULL);
  g_return_if_fail (handler == NULL || handler->invoke != NULL);
  if (handler != NULL)
    {
      slot = g_new0 (SynodRemoteSlot, 1);
      slot->refs = 1;
      slot->handler = handler;
      slot->data = handler_data;
      slot->destroy = handler_data_destroy;
    }
  g_mutex_lock (&broker->remote_lock);
  old = broker->remote;
  broker->remote = slot;
  g_mutex_unlock (&broker->remote_lock);
  _synod_broker_bump_generation (broker);
  if (old)
    _synod_remote_slot_unref (old);
  else if (handler == NULL && handler_data_destroy)
    handler_data_destroy (handler_data);
}

/* The installed transport with a reference, or NULL. */
SynodRemoteSlot *
_synod_broker_get_remote (SynodBroker *broker)
{
  SynodRemoteSlot *slot;

  g_mutex_lock (&broker->remote_lock);
  slot = broker->remote;
  if (slot)
    g_atomic_int_inc (&slot->refs);
  g_mutex_unlock (&broker->remote_lock);
  return slot;
}

gboolean
_synod_broker_has_remote (SynodBroker *broker)
{
  gboolean ok;

  g_mutex_lock (&broker->remote_lock);
  ok = broker->remote != NULL;
  g_mutex_unlock (&broker->remote_lock);
  return ok;
}

void
_synod_remote_slot_unref (SynodRemoteSlot *slot)
{
  if (!g_atomic_int_dec_and_test (&slot->refs))
    return;
  if (slot->destroy)
    slot->destroy (slot->data);
  g_free (slot);
}

void
_synod_broker_run_node (SynodSchedNode *node, gpointer user_data)
{
  if (node->kind == SYNOD_SCHED_NODE_OBJECT)
    _synod_object_run_turn ((SynodObject *)node);
  else
    _synod_invocation_execute ((SynodInvocation *)node);
}

/* ---------------------------------------------------------------------- */
/* Listings, watches, monitor                                              */

static gint
compare_objects_by_id (gconstpointer a, gconstpointer b)
{
  return synod_object_id_compare (&(*(SynodObject *const *)a)->id, &(*(SynodObject *const *)b)->id);
}

/**
 * synod_broker_list_objects:
 * @broker: a broker
 *
 * Returns: (transfer full) (element-type SynodObject): the broker's live
 *   objects, sorted by Id
 */
GPtrArray *
synod_broker_list_objects (SynodBroker *broker)
{
  GPtrArray *objects;

  g_return_val_if_fail (broker != NULL, NULL);
  g_rw_lock_reader_lock (&broker->table_lock);
  objects = hash_values (broker->objects, G_CALLBACK (synod_object_ref),
                         (GDestroyNotify)synod_object_unref);
  g_rw_lock_reader_unlock (&broker->table_lock);
  g_ptr_array_sort (objects, compare_objects_by_id);
  return objects;
}

void
synod_service_entry_free (SynodServiceEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static gint
compare_services (gconstpointer a, gconstpointer b)
{
  const SynodServiceEntry *x = *(SynodServiceEntry *const *)a;
  const SynodServiceEntry *y = *(SynodServiceEntry *const *)b;
  gint c = strcmp (x->name, y->name);

  return c != 0 ? c : synod_object_id_compare (&x->id, &y->id);
}

/**
 * synod_broker_list_services:
 * @broker: a broker
 *
 * Returns: (transfer full) (element-type SynodServiceEntry): every (service
 *   name, local provider) pair, sorted by name
 */
GPtrArray *
synod_broker_list_services (SynodBroker *broker)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)synod_service_entry_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (broker != NULL, NULL);
  g_rw_lock_reader_lock (&broker->table_lock);
  g_hash_table_iter_init (&iter, broker->services);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *providers = value;

      for (guint i = 0; i < providers->len; i++)
        {
          SynodServiceEntry *e = g_new0 (SynodServiceEntry, 1);

          e->name = g_strdup (key);
          e->id = ((SynodObject *)providers->pdata[i])->id;
          g_ptr_array_add (list, e);
        }
    }
  g_rw_lock_reader_unlock (&broker->table_lock);
  g_ptr_array_sort (list, compare_services);
  return list;
}

/**
 * synod_broker_add_watch:
 * @broker: a broker
 * @func: called for each creation, deletion and service (un)registration
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when the watch is removed
 *
 * Returns: the watch's id, for synod_broker_remove_watch()
 */
guint
synod_broker_add_watch (SynodBroker *broker, SynodBrokerWatchFunc func, gpointer user_data,
                        GDestroyNotify destroy)
{
  BrokerWatch w = { 0 };

  g_return_val_if_fail (broker != NULL && func != NULL, 0);
  g_mutex_lock (&broker->watch_lock);
  w.id = broker->next_watch_id++;
  w.func = func;
  w.user_data = user_data;
  w.destroy = destroy;
  g_array_append_val (broker->watches, w);
  g_mutex_unlock (&broker->watch_lock);
  return w.id;
}

/**
 * synod_broker_remove_watch:
 * @broker: a broker
 * @watch_id: a watch's id
 *
 * Removes a watch; its function is not called after this returns.
 */
void
synod_broker_remove_watch (SynodBroker *broker, guint watch_id)
{
  BrokerWatch found = { 0 };

  g_mutex_lock (&broker->watch_lock);
  for (guint i = 0; i < broker->watches->len; i++)
    if (g_array_index (broker->watches, BrokerWatch, i).id == watch_id)
      {
        found = g_array_index (broker->watches, BrokerWatch, i);
        g_array_remove_index (broker->watches, i);
        break;
      }
  g_mutex_unlock (&broker->watch_lock);
  if (found.destroy)
    found.destroy (found.user_data);
}

void
_synod_broker_emit (SynodBroker *broker, SynodBrokerEvent event, const SynodObjectId *id,
                    const gchar *service_name)
{
  /* Watches run under the watch lock, so a removed watch is never called
   * after synod_broker_remove_watch() returns. */
  g_mutex_lock (&broker->watch_lock);
  for (guint i = 0; i < broker->watches->len; i++)
    {
      BrokerWatch *w = &g_array_index (broker->watches, BrokerWatch, i);
      w->func (broker, event, id, service_name, w->user_data);
    }
  g_mutex_unlock (&broker->watch_lock);
}

/**
 * synod_broker_set_monitor:
 * @broker: a broker
 * @func: (nullable): called for every invocation admitted on a local object,
 *   or %NULL to stop monitoring
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when the monitor is replaced
 *
 * One monitor per broker (the peer daemon fans it out to its watchers).
 * Replacing the monitor waits for calls to the old one to finish.
 */
void
synod_broker_set_monitor (SynodBroker *broker, SynodBrokerMonitorFunc func, gpointer user_data,
                          GDestroyNotify destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_mutex_lock (&broker->monitor_lock);
  old_destroy = broker->monitor_destroy;
  old_data = broker->monitor_data;
  g_atomic_pointer_set (&broker->monitor, NULL);
  broker->monitor_data = user_data;
  broker->monitor_destroy = destroy;
  g_atomic_pointer_set (&broker->monitor, func);
  g_mutex_unlock (&broker->monitor_lock);
  if (old_destroy)
    old_destroy (old_data);
}
