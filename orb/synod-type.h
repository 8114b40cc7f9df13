/* synod-type.h — static descriptors of XDR types, methods and interfaces.
 *
 * synod-idl emits one constant descriptor per type, method and interface of an
 * .idl file. The descriptors are the contract between generated code and
 * libsynod: the generic XDR codec, the GVariant conversion, deep copy and free,
 * the broker's dispatch and the introspection all walk them, so generated code
 * stays small and one codec serves every interface.
 *
 * The C representation of each kind is fixed here; synod-idl generates C types
 * with exactly this layout and records sizes and offsets with sizeof/offsetof,
 * so the codec never guesses.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SynodTypeDesc SynodTypeDesc;
typedef struct _SynodFieldDesc SynodFieldDesc;
typedef struct _SynodEnumValueDesc SynodEnumValueDesc;
typedef struct _SynodUnionArmDesc SynodUnionArmDesc;
typedef struct _SynodMethodDesc SynodMethodDesc;
typedef struct _SynodInterfaceDesc SynodInterfaceDesc;

/* The context of one method invocation (caller principal, target object,
 * broker). Defined by the broker; generated skeletons only pass it on. */
typedef struct _SynodCall SynodCall;

/* A handle on an invocation target: an object Id, an alias or a service
 * name, resolved by the broker. Generated stubs take one. */
typedef struct _SynodRef SynodRef;

/**
 * SynodObjectId:
 * @peer: the 64-bit id of the peer that created the object (random, persisted)
 * @serial: the object's serial number on that peer
 *
 * A 128-bit globally unique object Id. On the wire: two unsigned hypers
 * (peer, then serial). Text form: 16 lowercase hex digits, '-', 16 lowercase
 * hex digits (see synod_object_id_to_string()).
 */
typedef struct
{
  guint64 peer;
  guint64 serial;
} SynodObjectId;

/**
 * SynodQuadruple:
 * @bytes: the 16 octets of an RFC 4506 quadruple-precision float, in XDR
 *   (big-endian IEEE 754 binary128) order
 *
 * C has no portable binary128 type, so a quadruple travels as its 16 octets.
 */
typedef struct
{
  guint8 bytes[16];
} SynodQuadruple;

/**
 * SynodArray:
 * @len: number of elements (octets for opaque)
 * @val: (array length=len): the elements, allocated with g_malloc
 *
 * The generic layout of every variable-length array and variable-length
 * opaque. Generated code declares `struct { guint32 len; T *val; }` per use,
 * which has this layout.
 */
typedef struct
{
  guint32 len;
  gpointer val;
} SynodArray;

/**
 * SynodTypeKind:
 *
 * What an XDR type is, and so how it is laid out in C:
 *
 * | kind                       | C storage                         |
 * |----------------------------|-----------------------------------|
 * | SYNOD_TYPE_VOID            | nothing (size 0)                  |
 * | SYNOD_TYPE_INT             | gint32                            |
 * | SYNOD_TYPE_UINT            | guint32                           |
 * | SYNOD_TYPE_HYPER           | gint64                            |
 * | SYNOD_TYPE_UHYPER          | guint64                           |
 * | SYNOD_TYPE_FLOAT           | gfloat                            |
 * | SYNOD_TYPE_DOUBLE          | gdouble                           |
 * | SYNOD_TYPE_QUADRUPLE       | SynodQuadruple                    |
 * | SYNOD_TYPE_BOOL            | gboolean (FALSE/TRUE only)        |
 * | SYNOD_TYPE_ENUM            | a C enum, int-sized               |
 * | SYNOD_TYPE_STRING          | gchar * (NUL-terminated, or NULL = "") |
 * | SYNOD_TYPE_OPAQUE_FIXED    | guint8[bound]                     |
 * | SYNOD_TYPE_OPAQUE_VAR      | SynodArray of guint8              |
 * | SYNOD_TYPE_ARRAY_FIXED     | element[bound]                    |
 * | SYNOD_TYPE_ARRAY_VAR       | SynodArray of element             |
 * | SYNOD_TYPE_OPTIONAL        | element * (NULL = absent)         |
 * | SYNOD_TYPE_STRUCT          | a C struct, fields at offsets     |
 * | SYNOD_TYPE_UNION           | struct { discriminant; union u; } |
 * | SYNOD_TYPE_OBJECT_ID       | SynodObjectId                     |
 *
 * GVariant forms (the dynamic API, the CLI, introspection signatures):
 * int "i", unsigned int "u", hyper "x", unsigned hyper "t", float and double
 * "d", quadruple "ay" (16 octets), bool "b", enum "s" (the symbol's name),
 * string "s", opaque "ay", arrays "aT", optional "mT", struct "(…)" of its
 * fields in order, union "(Dv)" with D the discriminant's form and the arm's
 * value in the variant, in the arm type's own form ("()" for a void arm),
 * ObjectId "s" (its text form), void "()". A struct met again inside itself
 * (a recursive type: `struct node { int v; node *next; }`) takes the form
 * "v" there, holding the inner struct in its own form: node is "(imv)".
 * Forms are computed from the type down, so each descriptor has one form
 * (synod_type_get_variant_type()). See orb/README-codec.md.
 */
typedef enum
{
  SYNOD_TYPE_VOID = 0,
  SYNOD_TYPE_INT,
  SYNOD_TYPE_UINT,
  SYNOD_TYPE_HYPER,
  SYNOD_TYPE_UHYPER,
  SYNOD_TYPE_FLOAT,
  SYNOD_TYPE_DOUBLE,
  SYNOD_TYPE_QUADRUPLE,
  SYNOD_TYPE_BOOL,
  SYNOD_TYPE_ENUM,
  SYNOD_TYPE_STRING,
  SYNOD_TYPE_OPAQUE_FIXED,
  SYNOD_TYPE_OPAQUE_VAR,
  SYNOD_TYPE_ARRAY_FIXED,
  SYNOD_TYPE_ARRAY_VAR,
  SYNOD_TYPE_OPTIONAL,
  SYNOD_TYPE_STRUCT,
  SYNOD_TYPE_UNION,
  SYNOD_TYPE_OBJECT_ID,
} SynodTypeKind;

/* Bound of a string, variable opaque or variable array declared without a
 * maximum (`string s<>`): XDR allows up to 2^32 - 1. The decoder still never
 * allocates more than the input can justify. */
#define SYNOD_TYPE_UNBOUNDED G_MAXUINT32

/**
 * SynodFieldDesc:
 * @name: the field's IDL name
 * @type: its type
 * @offset: offsetof() the field in the C struct
 */
struct _SynodFieldDesc
{
  const gchar *name;
  const SynodTypeDesc *type;
  gsize offset;
};

/**
 * SynodEnumValueDesc:
 * @name: the symbol as written in the IDL (e.g. "RED")
 * @value: its value
 */
struct _SynodEnumValueDesc
{
  const gchar *name;
  gint32 value;
};

/**
 * SynodUnionArmDesc:
 * @cases: (array length=n_cases): the discriminant values selecting this arm
 *   (empty for the default arm)
 * @n_cases: number of @cases
 * @name: the arm's field name, or NULL for a void arm
 * @type: the arm's type (the VOID descriptor for a void arm)
 *
 * Every arm of a union is stored at the union's @union_offset.
 */
struct _SynodUnionArmDesc
{
  const gint32 *cases;
  guint n_cases;
  const gchar *name;
  const SynodTypeDesc *type;
};

/**
 * SynodTypeDesc:
 * @kind: the kind, which fixes the C layout (see #SynodTypeKind)
 * @name: the fully qualified IDL name ("Shop.Item"), or NULL for an
 *   anonymous type (`int x<10>` inside a struct)
 * @c_size: sizeof the C type
 * @c_align: alignment of the C type
 * @bound: for strings, variable opaque and variable arrays the maximum
 *   length (SYNOD_TYPE_UNBOUNDED when none); for fixed opaque and fixed
 *   arrays the exact length; 0 otherwise
 * @element: element type of arrays and optional data
 * @fields: (array length=n_fields): struct fields in declaration order
 * @n_fields: number of @fields
 * @values: (array length=n_values): enum symbols
 * @n_values: number of @values
 * @discriminant: type of a union's discriminant (INT, UINT, BOOL or ENUM),
 *   stored at offset 0 of the union's C struct
 * @discriminant_name: the discriminant's IDL name
 * @union_offset: offsetof() the C union holding the arms
 * @arms: (array length=n_arms): the union's case arms
 * @n_arms: number of @arms
 * @default_arm: the default arm, or NULL when the union has none
 */
struct _SynodTypeDesc
{
  SynodTypeKind kind;
  const gchar *name;
  gsize c_size;
  gsize c_align;
  guint32 bound;
  const SynodTypeDesc *element;
  const SynodFieldDesc *fields;
  guint n_fields;
  const SynodEnumValueDesc *values;
  guint n_values;
  const SynodTypeDesc *discriminant;
  const gchar *discriminant_name;
  gsize union_offset;
  const SynodUnionArmDesc *arms;
  guint n_arms;
  const SynodUnionArmDesc *default_arm;
};

/* Descriptors of the primitive types, for generated code and for callers of
 * the dynamic API. */
extern const SynodTypeDesc synod_type_void;
extern const SynodTypeDesc synod_type_int;
extern const SynodTypeDesc synod_type_uint;
extern const SynodTypeDesc synod_type_hyper;
extern const SynodTypeDesc synod_type_uhyper;
extern const SynodTypeDesc synod_type_float;
extern const SynodTypeDesc synod_type_double;
extern const SynodTypeDesc synod_type_quadruple;
extern const SynodTypeDesc synod_type_bool;
extern const SynodTypeDesc synod_type_string;   /* string<> */
extern const SynodTypeDesc synod_type_opaque;   /* opaque<> */
extern const SynodTypeDesc synod_type_object_id;

/**
 * SynodMethodFlags:
 * @SYNOD_METHOD_ONEWAY: no reply is sent; the result type is void
 * @SYNOD_METHOD_CONCURRENT: may run while another method of the same object
 *   is active (opts out of one-active-method-per-object)
 * @SYNOD_METHOD_DEPRECATED: marked `[deprecated]` in the IDL
 */
typedef enum
{
  SYNOD_METHOD_NONE = 0,
  SYNOD_METHOD_ONEWAY = 1 << 0,
  SYNOD_METHOD_CONCURRENT = 1 << 1,
  SYNOD_METHOD_DEPRECATED = 1 << 2,
} SynodMethodFlags;

/**
 * SynodMethodInvoker:
 * @vtable: the implementing class's skeleton vtable for the method's interface
 * @instance: the object's instance data, passed to the implementation
 * @call: the invocation context
 * @args: the method's argument struct (see #SynodMethodDesc.args)
 * @ret: storage of the result's C type, filled on success (transfer full)
 * @error: return location for an error
 *
 * Generated per method: unpacks @args and calls the vtable slot.
 *
 * Returns: %TRUE on success; on %FALSE @error is set and @ret untouched.
 */
typedef gboolean (*SynodMethodInvoker) (gconstpointer vtable,
                                        gpointer instance,
                                        SynodCall *call,
                                        gconstpointer args,
                                        gpointer ret,
                                        GError **error);

/**
 * SynodMethodDesc:
 * @name: the method's IDL name ("lookup")
 * @interface: the interface declaring it
 * @index: its position in @interface's methods, from 0; on the wire the
 *   method is named by (interface name, version, index)
 * @args: a STRUCT descriptor whose fields are the method's parameters in order
 *   (no fields for a method without parameters); the XDR encoding of the
 *   arguments is the encoding of this struct
 * @result: the result type (synod_type_void for void)
 * @flags: oneway, concurrent, deprecated
 * @invoke: calls the implementation through the skeleton vtable
 * @vtable_offset: offsetof() the method's slot in the skeleton vtable; the
 *   broker treats a NULL slot as "not implemented"
 */
struct _SynodMethodDesc
{
  const gchar *name;
  const SynodInterfaceDesc *interface;
  guint index;
  const SynodTypeDesc *args;
  const SynodTypeDesc *result;
  SynodMethodFlags flags;
  SynodMethodInvoker invoke;
  gsize vtable_offset;
};

/**
 * SynodInterfaceFlags:
 * @SYNOD_INTERFACE_CONCURRENT: every method is concurrent
 * @SYNOD_INTERFACE_DEPRECATED: marked `[deprecated]`
 */
typedef enum
{
  SYNOD_INTERFACE_NONE = 0,
  SYNOD_INTERFACE_CONCURRENT = 1 << 0,
  SYNOD_INTERFACE_DEPRECATED = 1 << 1,
} SynodInterfaceFlags;

/**
 * SynodInterfaceDesc:
 * @name: fully qualified name ("Standard.URLdirectory")
 * @version: the interface version (`version N`, 1 when not written)
 * @bases: (array length=n_bases): the interfaces it inherits
 * @n_bases: number of @bases
 * @methods: (array length=n_methods): its own methods (not the inherited ones)
 * @n_methods: number of @methods
 * @flags: concurrent, deprecated
 * @allomorphic: (array length=n_allomorphic): "Name;Version" of interfaces
 *   this one is declared allomorphic to (`[allomorphic(Other.Iface;1)]`)
 * @n_allomorphic: number of @allomorphic
 * @vtable_size: sizeof the skeleton vtable
 * @introspection_xml: the interface's `<interface>` element in the D-Bus
 *   introspection format (without the `<node>` around it)
 */
struct _SynodInterfaceDesc
{
  const gchar *name;
  guint32 version;
  const SynodInterfaceDesc *const *bases;
  guint n_bases;
  const SynodMethodDesc *methods;
  guint n_methods;
  SynodInterfaceFlags flags;
  const gchar *const *allomorphic;
  guint n_allomorphic;
  gsize vtable_size;
  const gchar *introspection_xml;
};

G_END_DECLS
