/* synod-ref.c — targets of sends: an Id (or alias) or a service name.
 *
 * Resolving costs a table lookup under the broker's read lock, so a ref
 * caches the local object it found together with the broker's generation
 * counter at the time; any registration change that could alter an answer
 * (a deletion, an alias or service removed, a provider added) moves the
 * counter and the next send resolves afresh. Remote answers are not cached
 * here: the remote handler keeps its own cache.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "broker-private.h"
#include "synod-error.h"
#include "synod-object-id.h"

struct _SynodRef
{
  gint ref_count;
  SynodBroker *broker;
  SynodObjectId id;
  gchar *name; /* NULL: the ref names @id */
  GMutex lock;
  gint generation;
  SynodObject *cached;
};

static SynodRef *
ref_alloc (SynodBroker *broker)
{
  SynodRef *ref = g_new0 (SynodRef, 1);

  ref->ref_count = 1;
  ref->broker = synod_broker_ref (broker ? broker : synod_broker_get_default ());
  g_mutex_init (&ref->lock);
  return ref;
}

/**
 * synod_ref_new_for_id:
 * @broker: (nullable): the broker that sends, %NULL for the default one
 * @id: an object Id or alias
 *
 * Returns: (transfer full): a ref naming @id
 */
SynodRef *
synod_ref_new_for_id (SynodBroker *broker, const SynodObjectId *id)
{
  SynodRef *ref;

  g_return_val_if_fail (id != NULL, NULL);
  ref = ref_alloc (broker);
  ref->id = *id;
  return ref;
}

/**
 * synod_ref_new_for_name:
 * @broker: (nullable): the broker that sends, %NULL for the default one
 * @service_name: a valid service name
 *
 * Returns: (transfer full): a ref naming whichever object provides
 *   @service_name when a send is made: the local provider, else a remote one
 */
SynodRef *
synod_ref_new_for_name (SynodBroker *broker, const gchar *service_name)
{
  SynodRef *ref;

  g_return_val_if_fail (synod_broker_is_valid_service_name (service_name), NULL);
  ref = ref_alloc (broker);
  ref->name = g_strdup (service_name);
  return ref;
}

/**
 * synod_ref_new_for_object:
 * @object: a local object
 *
 * Returns: (transfer full): a ref naming @object by its Id
 */
SynodRef *
synod_ref_new_for_object (SynodObject *object)
{
  SynodRef *ref;

  g_return_val_if_fail (object != NULL, NULL);
  ref = synod_ref_new_for_id (object->broker, &object->id);
  ref->generation = g_atomic_int_get (&object->broker->generation);
  ref->cached = synod_object_ref (object);
  return ref;
}

/**
 * synod_ref_new_parse:
 * @broker: (nullable): the broker that sends, %NULL for the default one
 * @text: an Id in its text form, or a service name
 * @error: return location for a %SYNOD_ORB_ERROR_INVALID_ARGS error
 *
 * Parses what a user typed: the text form of an Id never is a valid
 * service name, so there is no ambiguity.
 *
 * Returns: (transfer full): a ref, or %NULL when @text is neither
 */
SynodRef *
synod_ref_new_parse (SynodBroker *broker, const gchar *text, GError **error)
{
  SynodObjectId id;

  g_return_val_if_fail (text != NULL, NULL);
  if (synod_object_id_parse (text, &id, NULL))
    return synod_ref_new_for_id (broker, &id);
  if (synod_broker_is_valid_service_name (text))
    return synod_ref_new_for_name (broker, text);
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
               _ ("“%s” is neither an object Id nor a valid service name"), text);
  return NULL;
}

/**
 * synod_ref_ref:
 * @ref: a ref
 *
 * Returns: (transfer full): @ref
 */
SynodRef *
synod_ref_ref (SynodRef *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  g_atomic_int_inc (&ref->ref_count);
  return ref;
}

/**
 * synod_ref_unref:
 * @ref: (nullable) (transfer full): a ref
 */
void
synod_ref_unref (SynodRef *ref)
{
  if (ref == NULL || !g_atomic_int_dec_and_test (&ref->ref_count))
    return;
  g_clear_pointer (&ref->cached, synod_object_unref);
  g_mutex_clear (&ref->lock);
  g_free (ref->name);
  synod_broker_unref (ref->broker);
  g_free (ref);
}

/**
 * synod_ref_get_broker:
 * @ref: a ref
 *
 * Returns: (transfer none): the broker that sends through @ref
 */
SynodBroker *
synod_ref_get_broker (SynodRef *ref)
{
  return ref->broker;
}

/**
 * synod_ref_get_id:
 * @ref: a ref
 *
 * Returns: (transfer none) (nullable): the Id @ref names, or %NULL for a
 *   service name
 */
const SynodObjectId *
synod_ref_get_id (SynodRef *ref)
{
  return ref->name ? NULL : &ref->id;
}

/**
 * synod_ref_get_name:
 * @ref: a ref
 *
 * Returns: (transfer none) (nullable): the service name @ref names, or
 *   %NULL for an Id
 */
const gchar *
synod_ref_get_name (SynodRef *ref)
{
  return ref->name;
}

/**
 * synod_ref_to_string:
 * @ref: a ref
 *
 * Returns: (transfer full): the Id's text form or the service name, which
 *   synod_ref_new_parse() reads back
 */
gchar *
synod_ref_to_string (SynodRef *ref)
{
  return ref->name ? g_strdup (ref->name) : synod_object_id_to_string (&ref->id);
}

void
_synod_resolved_clear (SynodResolved *resolved)
{
  g_clear_pointer (&resolved->object, synod_object_unref);
  resolved->kind = SYNOD_RESOLVED_NONE;
}

static gboolean
resolve_remote (SynodRef *ref, SynodResolved *ret, GError **error)
{
  g_autoptr (SynodRemoteSlot) remote = NULL;
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  if (ref->name == NULL)
    {
      synod_object_id_format (&ref->id, idbuf);
      if (ref->id.peer != ref->broker->peer_id && !synod_object_id_is_null (&ref->id)
          && _synod_broker_has_remote (ref->broker))
        {
          ret->kind = SYNOD_RESOLVED_REMOTE;
          ret->peer = ref->id.peer;
          ret->id = ref->id;
          return TRUE;
        }
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("No object %s is known"), idbuf);
      return FALSE;
    }
  remote = _synod_broker_get_remote (ref->broker);
  if (remote && remote->handler->resolve_name)
    {
      SynodProvider provider;
      gboolean ok;
      gboolean counted = _synod_scheduler_block_begin (ref->broker->scheduler, NULL);

      /* The handler may ask other peers: blocking, so accounted as such. */
      ok = remote->handler->resolve_name (remote->data, ref->name, &provider, error);
      if (counted)
        _synod_scheduler_block_end (ref->broker->scheduler);
      if (!ok)
        return FALSE;
      ret->kind = SYNOD_RESOLVED_REMOTE;
      ret->peer = provider.peer;
      ret->id = provider.id;
      return TRUE;
    }
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
               _ ("No object provides service “%s”"), ref->name);
  return FALSE;
}

/**
 * _synod_ref_resolve:
 * @ref: a ref
 * @ret: (out): where the target is (clear it with _synod_resolved_clear())
 * @error: %SYNOD_ORB_ERROR_NO_SUCH_OBJECT
 */
gboolean
_synod_ref_resolve (SynodRef *ref, SynodResolved *ret, GError **error)
{
  gint generation = g_atomic_int_get (&ref->broker->generation);
  SynodObject *object;

  ret->kind = SYNOD_RESOLVED_NONE;
  ret->object = NULL;
  g_mutex_lock (&ref->lock);
  if (ref->cached != NULL && ref->generation == generation)
    {
      ret->kind = SYNOD_RESOLVED_LOCAL;
      ret->object = synod_object_ref (ref->cached);
      g_mutex_unlock (&ref->lock);
      return TRUE;
    }
  g_mutex_unlock (&ref->lock);

  if (ref->name)
    object = _synod_broker_lookup_service_local (ref->broker, ref->name);
  else
    object = _synod_broker_lookup_local (ref->broker, &ref->id);
  if (object == NULL)
    {
      g_mutex_lock (&ref->lock);
      g_clear_pointer (&ref->cached, synod_object_unref);
      g_mutex_unlock (&ref->lock);
      return resolve_remote (ref, ret, error);
    }

  g_mutex_lock (&ref->lock);
  g_clear_pointer (&ref->cached, synod_object_unref);
  ref->cached = synod_object_ref (object);
  ref->generation = generation;
  g_mutex_unlock (&ref->lock);
  ret->kind = SYNOD_RESOLVED_LOCAL;
  ret->object = object;
  return TRUE;
}

/**
 * synod_ref_resolve_local:
 * @ref: a ref
 * @error: return location for a %SYNOD_ORB_ERROR_NO_SUCH_OBJECT error
 *
 * Returns: (transfer full): the local object @ref names now, or %NULL when
 *   it names none (it may still name a remote one)
 */
SynodObject *
synod_ref_resolve_local (SynodRef *ref, GError **error)
{
  SynodResolved r = { 0 };
  SynodObject *object;

  g_return_val_if_fail (ref != NULL, NULL);
  if (!_synod_ref_resolve (ref, &r, error))
    return NULL;
  if (r.kind != SYNOD_RESOLVED_LOCAL)
    {
      g_autofree gchar *text = synod_ref_to_string (ref);

      _synod_resolved_clear (&r);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("%s is not a local object"), text);
      return NULL;
    }
  object = g_steal_pointer (&r.object);
  return object;
}
