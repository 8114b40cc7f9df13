/* synod-object.c — live objects: the mailbox and its exclusive slot,
 * deletion, aliases, access control and introspection.
 *
 * One active method per object is enforced by an exclusive "slot". Whoever
 * holds it may run the object's methods: a worker draining the mailbox, a
 * sender running a synchronous invocation inline, or a suspended method that
 * has been handed the slot back. Releasing the slot hands it, in order, to a
 * suspended method waiting to resume, else to a worker (the object goes back
 * on the run queue) when invocations are queued, else nobody. Concurrent
 * methods never take the slot.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "broker-private.h"
#include "synod-error.h"
#include "synod-object-id.h"

SynodObject *
_synod_object_new (SynodBroker *broker, SynodClass *klass, const SynodObjectId *id)
{
  SynodObject *object = g_new0 (SynodObject, 1);

  object->node.kind = SYNOD_SCHED_NODE_OBJECT;
  object->ref_count = 1;
  object->broker = broker;
  object->id = *id;
  object->klass = synod_class_ref (klass);
  object->instance = klass->instance_size ? g_malloc0 (klass->instance_size) : NULL;
  g_mutex_init (&object->lock);
  object->aliases = g_array_new (FALSE, FALSE, sizeof (SynodObjectId));
  object->services = g_ptr_array_new_with_free_func (g_free);
  object->acl = g_ptr_array_new ();
  object->acl_default = SYNOD_ACL_ALLOW;
  return object;
}

static void
acl_rule_free (SynodAclRule *rule)
{
  g_pattern_spec_free (rule->principal);
  g_pattern_spec_free (rule->method);
  g_free (rule->principal_text);
  g_free (rule->method_text);
  g_free (rule);
}

/**
 * synod_object_ref:
 * @object: an object
 *
 * Returns: (transfer full): @object
 */
SynodObject *
synod_object_ref (SynodObject *object)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_atomic_int_inc (&object->ref_count);
  return object;
}

/**
 * synod_object_unref:
 * @object: (nullable) (transfer full): an object
 *
 * Drops a reference. A live object is also referenced by its broker, so
 * this never deletes it (see synod_object_delete()); the last reference to
 * a deleted object frees its instance data.
 */
void
synod_object_unref (SynodObject *object)
{
  if (object == NULL || !g_atomic_int_dec_and_test (&object->ref_count))
    return;
  g_ptr_array_foreach (object->acl, (GFunc)(void (*) (void))acl_rule_free, NULL);
  g_ptr_array_unref (object->acl);
  g_ptr_array_unref (object->services);
  g_array_unref (object->aliases);
  g_mutex_clear (&object->lock);
  g_free (object->instance);
  synod_class_unref (object->klass);
  g_free (object);
}

/**
 * synod_object_get_id:
 * @object: an object
 *
 * Returns: (transfer none): the object's Id
 */
const SynodObjectId *
synod_object_get_id (SynodObject *object)
{
  return &object->id;
}

/**
 * synod_object_get_class:
 * @object: an object
 *
 * Returns: (transfer none): the class (and version) that created the object
 */
SynodClass *
synod_object_get_class (SynodObject *object)
{
  return object->klass;
}

/**
 * synod_object_get_broker:
 * @object: an object
 *
 * Returns: (transfer none): the broker that holds the object
 */
SynodBroker *
synod_object_get_broker (SynodObject *object)
{
  return object->broker;
}

/**
 * synod_object_get_instance:
 * @object: an object
 *
 * Returns: (transfer none) (nullable): the object's instance data, of its
 *   class's instance size (%NULL when that is 0)
 */
gpointer
synod_object_get_instance (SynodObject *object)
{
  return object->instance;
}

/**
 * synod_object_is_deleted:
 * @object: an object
 *
 * Returns: whether synod_object_delete() was called on @object
 */
gboolean
synod_object_is_deleted (SynodObject *object)
{
  gboolean deleted;

  g_mutex_lock (&object->lock);
  deleted = object->deleted;
  g_mutex_unlock (&object->lock);
  return deleted;
}

/**
 * synod_object_get_n_queued:
 * @object: an object
 *
 * Returns: how many invocations wait for the object
 */
guint
synod_object_get_n_queued (SynodObject *object)
{
  guint n;

  g_mutex_lock (&object->lock);
  n = object->n_queued;
  g_mutex_unlock (&object->lock);
  return n;
}

static void
collect_chain (SynodClass *klass, GPtrArray *chain)
{
  for (guint i = 0; i < klass->parents->len; i++)
    collect_chain (klass->parents->pdata[i], chain);
  g_ptr_array_add (chain, klass);
}

/* Runs the delete hooks: the class's own first, then its parents'. */
void
_synod_object_run_delete_hook (SynodObject *object)
{
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();

  collect_chain (object->klass, chain);
  for (guint i = chain->len; i-- > 0;)
    {
      SynodClass *k = chain->pdata[i];

      if (k->delete_)
        k->delete_ (object, object->instance, k->class_data);
    }
  g_debug ("object %016" G_GINT64_MODIFIER "x-%016" G_GINT64_MODIFIER "x deleted", object->id.peer,
           object->id.serial);
}

/**
 * _synod_object_release_slot_locked:
 * @object: an object whose slot the caller holds, locked
 * @ret_run_delete_hook: (out): set when the caller must run the delete hook
 *   (after unlocking)
 *
 * Gives the exclusive slot up: to a suspended method waiting to resume,
 * else to a worker when invocations are queued, else to nobody.
 */
void
_synod_object_release_slot_locked (SynodObject *object, gboolean *ret_run_delete_hook)
{
  SynodResumer *r = object->resumers_head;

  if (r != NULL)
    {
      object->resumers_head = r->next;
      if (object->resumers_head == NULL)
        object->resumers_tail = NULL;
      r->granted = TRUE;
      g_cond_signal (&r->cond);
      return;
    }
  if (object->head != NULL)
    {
      synod_object_ref (object);
      _synod_scheduler_push (object->broker->scheduler, &object->node);
      return;
    }
  object->held = FALSE;
  if (object->deleted && object->n_concurrent == 0 && object->n_suspended == 0 && object->created
      && !object->delete_hook_done)
    {
      object->delete_hook_done = TRUE;
      *ret_run_delete_hook = TRUE;
    }
}

/* A worker's turn on an object: it was handed the slot with the node, and
 * the run queue's reference to the object. */
void
_synod_object_run_turn (SynodObject *object)
{
  gboolean run_hook = FALSE;
  guint n = 0;

  g_mutex_lock (&object->lock);
  while (object->head != NULL && n++ < SYNOD_BROKER_DRAIN_BATCH)
    {
      SynodInvocation *inv = object->head;

      object->head = inv->next;
      if (object->head == NULL)
        object->tail = NULL;
      object->n_queued--;
      g_mutex_unlock (&object->lock);
      _synod_invocation_execute (inv);
      g_mutex_lock (&object->lock);
    }
  _synod_object_release_slot_locked (object, &run_hook);
  g_mutex_unlock (&object->lock);
  if (run_hook)
    _synod_object_run_delete_hook (object);
  synod_object_unref (object);
}

/**
 * synod_object_delete:
 * @object: an object
 * @error: return location for an error
 *
 * Deletes @object: it becomes unreachable at once (its Id, aliases and
 * service registrations go), every queued invocation fails with
 * %SYNOD_ORB_ERROR_OBJECT_DELETED, methods already running finish, and then
 * the class's delete hook runs — on this thread when the object is idle,
 * else on the thread whose method returns last. A method may delete its own
 * object. Deleting twice is harmless.
 *
 * Returns: %TRUE
 */
gboolean
synod_object_delete (SynodObject *object, GError **error)
{
  SynodInvocation *stolen;
  gboolean run_hook = FALSE;

  g_return_val_if_fail (object != NULL, FALSE);

  synod_object_ref (object);
  g_mutex_lock (&object->lock);
  if (object->deleted)
    {
      g_mutex_unlock (&object->lock);
      synod_object_unref (object);
      return TRUE;
    }
  object->deleted = TRUE;
  stolen = object->head;
  for (SynodInvocation *i = stolen; i != NULL; i = i->next)
    object->n_queued--;
  object->head = object->tail = NULL;
  if (!object->held && object->n_concurrent == 0 && object->n_suspended == 0 && object->created)
    {
      object->delete_hook_done = TRUE;
      run_hook = TRUE;
    }
  g_mutex_unlock (&object->lock);

  _synod_broker_remove_object (object->broker, object);

  while (stolen != NULL)
    {
      SynodInvocation *next = stolen->next;
      gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

      synod_object_id_format (&object->id, idbuf);
      _synod_invocation_fail (
          stolen, g_error_new (SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_OBJECT_DELETED,
                               _ ("Object %s was deleted before %s.%s could run"), idbuf,
                               stolen->call.interface->name, stolen->call.method->name));
      stolen = next;
    }
  if (run_hook)
    _synod_object_run_delete_hook (object);
  synod_object_unref (object);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Aliases                                                                 */

/**
 * synod_object_add_alias:
 * @object: a live object
 * @alias: an Id that should also name @object
 * @error: return location for an error
 *
 * Makes @alias name @object too: any send to it reaches @object. An Id
 * names at most one object, so @alias must not be any object's Id or
 * another object's alias. Adding an alias the object already has is
 * harmless.
 *
 * Returns: %TRUE on success; %SYNOD_ORB_ERROR_EXISTS when @alias is taken,
 *   %SYNOD_ORB_ERROR_INVALID_ARGS for the null Id
 */
gboolean
synod_object_add_alias (SynodObject *object, const SynodObjectId *alias, GError **error)
{
  SynodBroker *broker;
  SynodObject *holder;
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  g_return_val_if_fail (object != NULL && alias != NULL, FALSE);
  broker = object->broker;
  synod_object_id_format (alias, idbuf);
  if (synod_object_id_is_null (alias))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _ ("The null Id cannot be an alias"));
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
  holder = g_hash_table_lookup (broker->objects, alias);
  if (holder == NULL)
    holder = g_hash_table_lookup (broker->aliases, alias);
  if (holder == object)
    {
      g_rw_lock_writer_unlock (&broker->table_lock);
      return TRUE;
    }
  if (holder != NULL)
    {
      gchar holderbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

      synod_object_id_format (&holder->id, holderbuf);
      g_rw_lock_writer_unlock (&broker->table_lock);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_EXISTS,
                   _ ("Id %s already names object %s"), idbuf, holderbuf);
      return FALSE;
    }
  g_array_append_val (object->aliases, *alias);
  g_hash_table_insert (broker->aliases, g_memdup2 (alias, sizeof *alias), object);
  g_rw_lock_writer_unlock (&broker->table_lock);
  return TRUE;
}

/**
 * synod_object_remove_alias:
 * @object: an object
 * @alias: one of its aliases
 * @error: return location for an error
 *
 * Returns: %TRUE on success; %SYNOD_ORB_ERROR_NO_SUCH_OBJECT when @alias is
 *   not an alias of @object
 */
gboolean
synod_object_remove_alias (SynodObject *object, const SynodObjectId *alias, GError **error)
{
  SynodBroker *broker;
  gboolean found = FALSE;

  g_return_val_if_fail (object != NULL && alias != NULL, FALSE);
  broker = object->broker;
  g_rw_lock_writer_lock (&broker->table_lock);
  for (guint i = 0; i < object->aliases->len; i++)
    if (synod_object_id_equal (&g_array_index (object->aliases, SynodObjectId, i), alias))
      {
        g_array_remove_index (object->aliases, i);
        g_hash_table_remove (broker->aliases, alias);
        found = TRUE;
        break;
      }
  g_rw_lock_writer_unlock (&broker->table_lock);
  if (!found)
    {
      gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

      synod_object_id_format (alias, idbuf);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                   _ ("%s is not an alias of this object"), idbuf);
      return FALSE;
    }
  _synod_broker_bump_generation (broker);
  return TRUE;
}

/**
 * synod_object_list_aliases:
 * @object: an object
 *
 * Returns: (transfer full) (element-type SynodObjectId): the object's
 *   aliases, in the order they were added (its own Id is not included)
 */
GArray *
synod_object_list_aliases (SynodObject *object)
{
  GArray *list;

  g_rw_lock_reader_lock (&object->broker->table_lock);
  list = g_array_sized_new (FALSE, FALSE, sizeof (SynodObjectId), object->aliases->len);
  g_array_append_vals (list, object->aliases->data, object->aliases->len);
  g_rw_lock_reader_unlock (&object->broker->table_lock);
  return list;
}

/**
 * synod_object_list_services:
 * @object: an object
 *
 * Returns: (transfer full): the service names the object provides
 */
GStrv
synod_object_list_services (SynodObject *object)
{
  GStrvBuilder *b = g_strv_builder_new ();
  GStrv result;

  g_rw_lock_reader_lock (&object->broker->table_lock);
  for (guint i = 0; i < object->services->len; i++)
    g_strv_builder_add (b, object->services->pdata[i]);
  g_rw_lock_reader_unlock (&object->broker->table_lock);
  result = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return result;
}

/* ---------------------------------------------------------------------- */
/* Access control                                                          */

/**
 * synod_object_add_acl_rule:
 * @object: an object
 * @principal_pattern: a glob (`*`, `?`) matched against the caller's
 *   principal
 * @method_pattern: a glob matched against "Interface.Name.method" (for
 *   example "Shop.Cart.*" or "*.ping")
 * @action: allow or deny
 *
 * Appends a rule to the object's access control list. Each invocation is
 * checked against the rules in order and the first rule whose patterns both
 * match decides; when none matches the default decides (see
 * synod_object_set_acl_default(); it allows unless changed). Methods of
 * interfaces the object answers by allomorphism are matched under the
 * interface the caller invoked.
 */
void
synod_object_add_acl_rule (SynodObject *object, const gchar *principal_pattern,
                           const gchar *method_pattern, SynodAclAction action)
{
  SynodAclRule *rule;

  g_return_if_fail (object != NULL && principal_pattern != NULL && method_pattern != NULL);
  rule = g_new0 (SynodAclRule, 1);
  rule->principal = g_pattern_spec_new (principal_pattern);
  rule->method = g_pattern_spec_new (method_pattern);
  rule->principal_text = g_strdup (principal_pattern);
  rule->method_text = g_strdup (method_pattern);
  rule->action = action;
  g_mutex_lock (&object->lock);
  g_ptr_array_add (object->acl, rule);
  g_mutex_unlock (&object->lock);
}

/**
 * synod_object_clear_acl:
 * @object: an object
 *
 * Removes every rule; the default then decides alone.
 */
void
synod_object_clear_acl (SynodObject *object)
{
  g_mutex_lock (&object->lock);
  g_ptr_array_foreach (object->acl, (GFunc)(void (*) (void))acl_rule_free, NULL);
  g_ptr_array_set_size (object->acl, 0);
  g_mutex_unlock (&object->lock);
}

/**
 * synod_object_set_acl_default:
 * @object: an object
 * @action: what to do when no rule matches (initially %SYNOD_ACL_ALLOW)
 */
void
synod_object_set_acl_default (SynodObject *object, SynodAclAction action)
{
  g_mutex_lock (&object->lock);
  object->acl_default = action;
  g_mutex_unlock (&object->lock);
}

gboolean
_synod_object_check_access_locked (SynodObject *object, const gchar *principal,
                                   const SynodInterfaceDesc *iface, const SynodMethodDesc *method,
                                   GError **error)
{
  SynodAclAction action = object->acl_default;
  g_autofree gchar *name = NULL;

  if (object->acl->len == 0 && action == SYNOD_ACL_ALLOW)
    return TRUE;
  name = g_strconcat (iface->name, ".", method->name, NULL);
  for (guint i = 0; i < object->acl->len; i++)
    {
      SynodAclRule *rule = object->acl->pdata[i];

      if (g_pattern_spec_match_string (rule->principal, principal)
          && g_pattern_spec_match_string (rule->method, name))
        {
          action = rule->action;
          break;
        }
    }
  if (action == SYNOD_ACL_ALLOW)
    return TRUE;
  g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NOT_AUTHORIZED,
               _ ("Principal “%s” is not authorized to invoke %s"), principal, name);
  return FALSE;
}

/**
 * synod_object_check_access:
 * @object: an object
 * @principal: a principal
 * @method: a method
 * @error: return location for a %SYNOD_ORB_ERROR_NOT_AUTHORIZED error
 *
 * Applies the object's access control list as an invocation would.
 *
 * Returns: %TRUE when @principal may invoke @method on @object
 */
gboolean
synod_object_check_access (SynodObject *object, const gchar *principal,
                           const SynodMethodDesc *method, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (object != NULL && principal != NULL && method != NULL, FALSE);
  g_mutex_lock (&object->lock);
  ok = _synod_object_check_access_locked (object, principal, method->interface, method, error);
  g_mutex_unlock (&object->lock);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Introspection                                                           */

/**
 * synod_object_introspect:
 * @object: an object
 *
 * Builds the D-Bus introspection document of @object: a `<node>` named by
 * the object's Id holding the `<interface>` element of every interface its
 * class implements (Standard.Object and Standard.Introspectable included).
 * It is valid against the D-Bus introspection DTD; argument types are
 * GVariant type strings.
 *
 * Returns: (transfer full): the XML document
 */
gchar *
synod_object_introspect (SynodObject *object)
{
  g_autoptr (GPtrArray) ifaces = NULL;
  GString *xml = g_string_new (NULL);
  gchar idbuf[SYNOD_OBJECT_ID_STRING_LEN + 1];

  g_return_val_if_fail (object != NULL, NULL);
  synod_object_id_format (&object->id, idbuf);
  g_string_append (xml, "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection "
                        "1.0//EN\"\n"
                        " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n");
  g_string_append_printf (xml, "<node name=\"%s\">\n", idbuf);
  ifaces = synod_class_list_interfaces (object->klass);
  for (guint i = 0; i < ifaces->len; i++)
    {
      const SynodInterfaceDesc *d = ifaces->pdata[i];

      if (d->introspection_xml)
        g_string_append (xml, d->introspection_xml);
    }
  g_string_append (xml, "</node>\n");
  return g_string_free (xml, FALSE);
}
