/* synod-type.c — descriptors of the primitive XDR types. */
#include "config.h"

#include "synod-type.h"

#define PRIMITIVE(sym, k, idl_name, ctype, b)                                            \
  const SynodTypeDesc sym = {                                                              \
    .kind = k, .name = idl_name, .c_size = sizeof (ctype), .c_align = G_ALIGNOF (ctype), \
    .bound = b,                                                                            \
  }


const SynodTypeDesc synod_type_void = {
  .kind = SYNOD_TYPE_VOID, .name = "void", .c_size = 0, .c_align = 1,
};
PRIMITIVE (synod_type_int, SYNOD_TYPE_INT, "int", gint32, 0);
PRIMITIVE (synod_type_uint, SYNOD_TYPE_UINT, "unsigned int", guint32, 0);
PRIMITIVE (synod_type_hyper, SYNOD_TYPE_HYPER, "hyper", gint64, 0);
PRIMITIVE (synod_type_uhyper, SYNOD_TYPE_UHYPER, "unsigned hyper", guint64, 0);
PRIMITIVE (synod_type_float, SYNOD_TYPE_FLOAT, "float", gfloat, 0);
PRIMITIVE (synod_type_double, SYNOD_TYPE_DOUBLE, "double", gdouble, 0);
PRIMITIVE (synod_type_quadruple, SYNOD_TYPE_QUADRUPLE, "quadruple", SynodQuadruple, 0);
PRIMITIVE (synod_type_bool, SYNOD_TYPE_BOOL, "bool", gboolean, 0);
PRIMITIVE (synod_type_string, SYNOD_TYPE_STRING, "string", gchar *, SYNOD_TYPE_UNBOUNDED);
PRIMITIVE (synod_type_opaque, SYNOD_TYPE_OPAQUE_VAR, "opaque", SynodArray, SYNOD_TYPE_UNBOUNDED);
PRIMITIVE (synod_type_object_id, SYNOD_TYPE_OBJECT_ID, "ObjectId", SynodObjectId, 0);
