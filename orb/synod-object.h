/* synod-object.h — live objects: Id, aliases, access control, deletion.
 *
 * A SynodObject is the broker's record of one object: its Id, its class,
 * its instance data, its aliases and its access control list. Callers hold
 * references to it (synod_object_ref()); sends go through a #SynodRef,
 * which can also name the object by alias or service name.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

/**
 * SynodAclAction:
 * @SYNOD_ACL_ALLOW: the invocation runs
 * @SYNOD_ACL_DENY: the invocation fails with %SYNOD_ORB_ERROR_NOT_AUTHORIZED
 *
 * What an access control rule decides.
 */
typedef enum
{
  SYNOD_ACL_ALLOW = 0,
  SYNOD_ACL_DENY = 1,
} SynodAclAction;

SynodObject *synod_object_ref (SynodObject *object);
void synod_object_unref (SynodObject *object);

const SynodObjectId *synod_object_get_id (SynodObject *object);
SynodClass *synod_object_get_class (SynodObject *object);
SynodBroker *synod_object_get_broker (SynodObject *object);
gpointer synod_object_get_instance (SynodObject *object);

gboolean synod_object_delete (SynodObject *object, GError **error);
gboolean synod_object_is_deleted (SynodObject *object);

gboolean synod_object_add_alias (SynodObject *object, const SynodObjectId *alias, GError **error);
gboolean synod_object_remove_alias (SynodObject *object, const SynodObjectId *alias,
                                    GError **error);
GArray *synod_object_list_aliases (SynodObject *object);
GStrv synod_object_list_services (SynodObject *object);

void synod_object_add_acl_rule (SynodObject *object, const gchar *principal_pattern,
                                const gchar *method_pattern, SynodAclAction action);
void synod_object_clear_acl (SynodObject *object);
void synod_object_set_acl_default (SynodObject *object, SynodAclAction action);
gboolean synod_object_check_access (SynodObject *object, const gchar *principal,
                                    const SynodMethodDesc *method, GError **error);

gchar *synod_object_introspect (SynodObject *object);
guint synod_object_get_n_queued (SynodObject *object);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodObject, synod_object_unref)

G_END_DECLS
