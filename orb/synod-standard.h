/* synod-standard.h — Standard.Object and Standard.Introspectable.
 *
 * The interfaces every object answers (idl/standard.idl). The broker
 * implements them for every class; callers use these descriptors and stubs
 * like any generated interface's. This file has the shape synod-idl gives
 * generated headers (see idl/README.md).
 */
#pragma once

#include "synod-type.h"
#include "synod-invoke.h"

G_BEGIN_DECLS

#define STANDARD_NAME_MAX 1024

typedef gchar *StandardName;
typedef struct
{
  guint32 len;
  StandardName *val;
} StandardNameList;
typedef struct
{
  guint32 len;
  SynodObjectId *val;
} StandardIdList;

extern const SynodTypeDesc standard_name_desc;
extern const SynodTypeDesc standard_name_list_desc;
extern const SynodTypeDesc standard_id_list_desc;

void standard_name_list_clear (StandardNameList *value);
void standard_id_list_clear (StandardIdList *value);

/* interface Standard.Object version 1 */
extern const SynodInterfaceDesc standard_object_interface;
extern const SynodMethodDesc standard_object_methods[];
#define STANDARD_OBJECT_METHOD_CLASS_NAME (&standard_object_methods[0])
#define STANDARD_OBJECT_METHOD_INTERFACES (&standard_object_methods[1])
#define STANDARD_OBJECT_METHOD_ALIASES (&standard_object_methods[2])
#define STANDARD_OBJECT_METHOD_ID (&standard_object_methods[3])
#define STANDARD_OBJECT_METHOD_PING (&standard_object_methods[4])

extern const SynodTypeDesc standard_object_class_name_args_desc;
extern const SynodTypeDesc standard_object_interfaces_args_desc;
extern const SynodTypeDesc standard_object_aliases_args_desc;
extern const SynodTypeDesc standard_object_id_args_desc;
extern const SynodTypeDesc standard_object_ping_args_desc;

typedef struct
{
  gboolean (*class_name) (gpointer self, SynodCall *call, gchar **ret_result, GError **error);
  gboolean (*interfaces) (gpointer self, SynodCall *call, StandardNameList *ret_result,
                          GError **error);
  gboolean (*aliases) (gpointer self, SynodCall *call, StandardIdList *ret_result, GError **error);
  gboolean (*id) (gpointer self, SynodCall *call, SynodObjectId *ret_result, GError **error);
  gboolean (*ping) (gpointer self, SynodCall *call, GError **error);
} StandardObjectIface;

gboolean standard_object_class_name (SynodRef *target, gchar **ret_result, GError **error);
gboolean standard_object_interfaces (SynodRef *target, StandardNameList *ret_result,
                                     GError **error);
gboolean standard_object_aliases (SynodRef *target, StandardIdList *ret_result, GError **error);
gboolean standard_object_id (SynodRef *target, SynodObjectId *ret_result, GError **error);
gboolean standard_object_ping (SynodRef *target, GError **error);
void standard_object_ping_async (SynodRef *target, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean standard_object_ping_finish (SynodRef *target, GAsyncResult *result, GError **error);

/* interface Standard.Introspectable version 1 */
extern const SynodInterfaceDesc standard_introspectable_interface;
extern const SynodMethodDesc standard_introspectable_methods[];
#define STANDARD_INTROSPECTABLE_METHOD_INTROSPECT (&standard_introspectable_methods[0])

extern const SynodTypeDesc standard_introspectable_introspect_args_desc;

typedef struct
{
  gboolean (*introspect) (gpointer self, SynodCall *call, gchar **ret_result, GError **error);
} StandardIntrospectableIface;

gboolean standard_introspectable_introspect (SynodRef *target, gchar **ret_result, GError **error);

G_END_DECLS
