/* synod-codec-variant.c — described values to and from GVariant.
 *
 * The dynamic API, the command-line tool and introspection see every value
 * as a GVariant of one form per type (table in synod-type.h). GVariant types
 * are finite while XDR types may be recursive (a linked list), so a struct
 * met again inside itself takes the form "v" and holds the struct in its own
 * form; a union's arm sits in a "v" in the arm type's own form. The forms of
 * a descriptor are computed once and cached.
 */
#include "config.h"

#include <inttypes.h>

#include <float.h>
#include <math.h>

#include <glib/gi18n-lib.h>

#include "synod-codec-private.h"
#include "synod-object-id.h"

/* The structs being expanded between here and the nearest "v": meeting one
 * of them again means recursion. */
typedef struct _Ancestors Ancestors;
struct _Ancestors
{
  const Ancestors *up;
  const SynodTypeDesc *type;
};

static gboolean
is_ancestor (const Ancestors *ancestors, const SynodTypeDesc *type)
{
  for (const Ancestors *a = ancestors; a != NULL; a = a->up)
    if (a->type == type)
      return TRUE;
  return FALSE;
}

/* GVariant type strings may not nest deeper than this (GLib's own limit on
 * type strings is 128 containers). */
#define TYPE_STRING_MAX_NESTING 120

static void
append_type_string (GString *out, const SynodTypeDesc *type, const Ancestors *ctx, guint nesting)
{
  if (nesting > TYPE_STRING_MAX_NESTING)
    {
      /* Only reachable with descriptors nested absurdly deep (or broken into
       * a cycle without a struct): box the rest rather than fail. */
      g_string_append_c (out, 'v');
      return;
    }
  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        g_string_append (out, "()");
        break;
      case SYNOD_TYPE_INT:
        g_string_append_c (out, 'i');
        break;
      case SYNOD_TYPE_UINT:
        g_string_append_c (out, 'u');
        break;
      case SYNOD_TYPE_HYPER:
        g_string_append_c (out, 'x');
        break;
      case SYNOD_TYPE_UHYPER:
        g_string_append_c (out, 't');
        break;
      case SYNOD_TYPE_FLOAT:
      case SYNOD_TYPE_DOUBLE:
        g_string_append_c (out, 'd');
        break;
      case SYNOD_TYPE_BOOL:
        g_string_append_c (out, 'b');
        break;
      case SYNOD_TYPE_ENUM:
      case SYNOD_TYPE_STRING:
      case SYNOD_TYPE_OBJECT_ID:
        g_string_append_c (out, 's');
        break;
      case SYNOD_TYPE_QUADRUPLE:
      case SYNOD_TYPE_OPAQUE_FIXED:
      case SYNOD_TYPE_OPAQUE_VAR:
        g_string_append (out, "ay");
        break;
      case SYNOD_TYPE_ARRAY_FIXED:
      case SYNOD_TYPE_ARRAY_VAR:
        g_string_append_c (out, 'a');
        append_type_string (out, type->element, ctx, nesting + 1);
        break;
      case SYNOD_TYPE_OPTIONAL:
        g_string_append_c (out, 'm');
        append_type_string (out, type->element, ctx, nesting + 1);
        break;
      case SYNOD_TYPE_STRUCT:
        if (is_ancestor (ctx, type))
          g_string_append_c (out, 'v');
        else
          {
            Ancestors here = { ctx, type };

            g_string_append_c (out, '(');
            for (guint i = 0; i < type->n_fields; i++)
              append_type_string (out, type->fields[i].type, &here, nesting + 1);
            g_string_append_c (out, ')');
          }
        break;
      case SYNOD_TYPE_UNION:
        g_string_append_c (out, '(');
        append_type_string (out, type->discriminant, NULL, nesting + 1);
        g_string_append (out, "v)");
        break;
      default:
        g_string_append_c (out, 'v');
        break;
    }
}

static GMutex variant_type_lock;
static GHashTable *variant_types; /* descriptor → GVariantType, never freed */

/**
 * synod_type_get_variant_type:
 * @type: a type
 *
 * The GVariant form of @type's values (see #SynodTypeKind). Safe to call
 * from any thread; computed once per descriptor.
 *
 * Returns: (transfer none): the GVariant type, owned by libsynod for the
 *   life of the process
 */
const GVariantType *
synod_type_get_variant_type (const SynodTypeDesc *type)
{
  GVariantType *vtype;
  GString *text;

  g_return_val_if_fail (type != NULL, NULL);

  g_mutex_lock (&variant_type_lock);
  if (variant_types == NULL)
    variant_types = g_hash_table_new (NULL, NULL);
  vtype = g_hash_table_lookup (variant_types, type);
  g_mutex_unlock (&variant_type_lock);
  if (vtype != NULL)
    return vtype;

  text = g_string_new (NULL);
  append_type_string (text, type, NULL, 0);
  if (!g_variant_type_string_is_valid (text->str))
    g_string_assign (text, "v");
  vtype = g_variant_type_new (text->str);
  g_string_free (text, TRUE);

  g_mutex_lock (&variant_type_lock);
  {
    GVariantType *raced = g_hash_table_lookup (variant_types, type);

    if (raced != NULL)
      {
        g_variant_type_free (vtype);
        vtype = raced;
      }
    else
      g_hash_table_insert (variant_types, (gpointer)type, vtype);
  }
  g_mutex_unlock (&variant_type_lock);
  return vtype;
}

/* The form of @type where it sits: its own form outside any struct, else
 * computed in context. Free with g_variant_type_free(). */
static GVariantType *
variant_type_in (const SynodTypeDesc *type, const Ancestors *ctx)
{
  GVariantType *vtype;
  GString *text;

  if (ctx == NULL)
    return g_variant_type_copy (synod_type_get_variant_type (type));
  text = g_string_new (NULL);
  append_type_string (text, type, ctx, 0);
  if (!g_variant_type_string_is_valid (text->str))
    g_string_assign (text, "v");
  vtype = g_variant_type_new (text->str);
  g_string_free (text, TRUE);
  return vtype;
}

typedef struct
{
  guint depth;
  GError **error;
} Conv;

/* A float NaN carried in a double keeps its bits: C's conversion would set
 * the quiet bit of a signalling NaN, and a value must come back from its
 * GVariant form unchanged. Other floats convert exactly both ways. */
static gdouble
float_to_double (gfloat f)
{
  guint32 bits;
  guint64 wide;
  gdouble d;

  memcpy (&bits, &f, 4);
  if ((bits & 0x7f800000u) != 0x7f800000u || (bits & 0x007fffffu) == 0)
    return (gdouble)f;
  wide = ((guint64)(bits >> 31) << 63) | (G_GUINT64_CONSTANT (0x7ff) << 52)
         | ((guint64)(bits & 0x007fffffu) << 29);
  memcpy (&d, &wide, 8);
  return d;
}

static gfloat
double_to_float (gdouble d)
{
  guint64 wide;
  guint32 bits, payload;
  gfloat f;

  memcpy (&wide, &d, 8);
  if ((wide & G_GUINT64_CONSTANT (0x7ff0000000000000)) != G_GUINT64_CONSTANT (0x7ff0000000000000)
      || (wide & G_GUINT64_CONSTANT (0x000fffffffffffff)) == 0)
    return (gfloat)d;
  payload = (guint32)((wide >> 29) & 0x007fffffu);
  if (payload == 0)
    payload = 0x00400000u; /* a NaN whose payload a float cannot hold: quiet NaN */
  bits = ((guint32)(wide >> 63) << 31) | 0x7f800000u | payload;
  memcpy (&f, &bits, 4);
  return f;
}

static gboolean
conv_deeper (Conv *c, const SynodCodecPath *path)
{
  if (G_UNLIKELY (++c->depth > SYNOD_CODEC_MAX_DEPTH))
    {
      synod_codec_set_error (c->error, SYNOD_ORB_ERROR_LIMIT, path,
                             _ ("nested deeper than %d levels"), SYNOD_CODEC_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

/* ======================================================================== */
/* To GVariant                                                              */
/* ======================================================================== */

static GVariant *to_variant (Conv *c, const SynodTypeDesc *type, const guint8 *value,
                             const Ancestors *ctx, const SynodCodecPath *path);

static void
drop_children (GVariant **children, guint32 n)
{
  for (guint32 i = 0; i < n; i++)
    g_variant_unref (g_variant_ref_sink (children[i]));
  g_free (children);
}

static GVariant *
elements_to_variant (Conv *c, const SynodTypeDesc *type, const guint8 *val, guint32 len,
                     const Ancestors *ctx, const SynodCodecPath *path)
{
  const SynodTypeDesc *element = type->element;
  SynodCodecPath item = { path, NULL, 0 };
  GVariant **children;
  GVariant *array;

  if (len == 0)
    {
      GVariantType *etype = variant_type_in (element, ctx);

      array = g_variant_new_array (etype, NULL, 0);
      g_variant_type_free (etype);
      return array;
    }
  children = g_new (GVariant *, len);
  for (guint32 i = 0; i < len; i++)
    {
      item.index = i;
      children[i] = to_variant (c, element, val + (gsize)i * element->c_size, ctx, &item);
      if (children[i] == NULL)
        {
          drop_children (children, i);
          return NULL;
        }
    }
  array = g_variant_new_array (NULL, children, len);
  g_free (children);
  return array;
}

static GVariant *
to_variant (Conv *c, const SynodTypeDesc *type, const guint8 *value, const Ancestors *ctx,
            const SynodCodecPath *path)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return g_variant_new_tuple (NULL, 0);
      case SYNOD_TYPE_INT:
        return g_variant_new_int32 (*(const gint32 *)(gconstpointer)value);
      case SYNOD_TYPE_UINT:
        return g_variant_new_uint32 (*(const guint32 *)(gconstpointer)value);
      case SYNOD_TYPE_HYPER:
        return g_variant_new_int64 (*(const gint64 *)(gconstpointer)value);
      case SYNOD_TYPE_UHYPER:
        return g_variant_new_uint64 (*(const guint64 *)(gconstpointer)value);
      case SYNOD_TYPE_FLOAT:
        return g_variant_new_double (float_to_double (*(const gfloat *)(gconstpointer)value));
      case SYNOD_TYPE_DOUBLE:
        return g_variant_new_double (*(const gdouble *)(gconstpointer)value);
      case SYNOD_TYPE_QUADRUPLE:
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, sizeof (SynodQuadruple), 1);
      case SYNOD_TYPE_BOOL:
        return g_variant_new_boolean (*(const gboolean *)(gconstpointer)value != 0);
      case SYNOD_TYPE_ENUM:
        {
          gint32 v = synod_codec_get_i32 (value);
          const SynodEnumValueDesc *symbol = synod_type_enum_lookup (type, v);

          if (symbol == NULL)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("%i is not a value of enum %s"), v,
                                     type->name != NULL ? type->name : "enum");
              return NULL;
            }
          return g_variant_new_string (symbol->name);
        }
      case SYNOD_TYPE_STRING:
        {
          const gchar *s = *(gchar *const *)(gconstpointer)value;
          gsize len = s != NULL ? strlen (s) : 0;

          if (len > type->bound)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("string of %zu bytes is longer than its bound %u"), len,
                                     type->bound);
              return NULL;
            }
          if (!synod_codec_text_is_valid (s, len))
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("string is not valid UTF-8"));
              return NULL;
            }
          return g_variant_new_string (s != NULL ? s : "");
        }
      case SYNOD_TYPE_OPAQUE_FIXED:
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, type->bound, 1);
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          const SynodArray *array = (const SynodArray *)(gconstpointer)value;

          if (array->len > type->bound || (array->len > 0 && array->val == NULL))
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     array->val == NULL
                                         ? _ ("length is %u but there is no data")
                                         : _ ("opaque of %u bytes is longer than its bound"),
                                     array->len);
              return NULL;
            }
          return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, array->val, array->len, 1);
        }
      case SYNOD_TYPE_OBJECT_ID:
        {
          gchar text[SYNOD_OBJECT_ID_STRING_LEN + 1];

          synod_object_id_format ((const SynodObjectId *)(gconstpointer)value, text);
          return g_variant_new_string (text);
        }
      case SYNOD_TYPE_ARRAY_FIXED:
        return elements_to_variant (c, type, value, type->bound, ctx, path);
      case SYNOD_TYPE_ARRAY_VAR:
        {
          const SynodArray *array = (const SynodArray *)(gconstpointer)value;

          if (array->len > type->bound
              || (array->len > 0 && array->val == NULL && type->element->c_size > 0))
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     array->len > type->bound
                                         ? _ ("array of %u elements is longer than its bound")
                                         : _ ("length is %u but there is no data"),
                                     array->len);
              return NULL;
            }
          return elements_to_variant (c, type, array->val, array->len, ctx, path);
        }
      case SYNOD_TYPE_OPTIONAL:
        {
          const guint8 *target = *(guint8 *const *)(gconstpointer)value;
          GVariant *child;

          if (target == NULL)
            {
              GVariantType *etype = variant_type_in (type->element, ctx);
              GVariant *nothing = g_variant_new_maybe (etype, NULL);

              g_variant_type_free (etype);
              return nothing;
            }
          child = to_variant (c, type->element, target, ctx, path);
          return child != NULL ? g_variant_new_maybe (NULL, child) : NULL;
        }
      case SYNOD_TYPE_STRUCT:
        {
          Ancestors here = { ctx, type };
          SynodCodecPath field = { path, NULL, 0 };
          GVariant **children;
          GVariant *tuple;

          if (!conv_deeper (c, path))
            return NULL;
          if (is_ancestor (ctx, type))
            {
              /* Recursion: box the struct, in its own form. */
              GVariant *inner = to_variant (c, type, value, NULL, path);

              c->depth--;
              return inner != NULL ? g_variant_new_variant (inner) : NULL;
            }
          children = g_new (GVariant *, MAX (type->n_fields, 1));
          for (guint i = 0; i < type->n_fields; i++)
            {
              const SynodFieldDesc *f = &type->fields[i];

              field.name = f->name;
              children[i] = to_variant (c, f->type, value + f->offset, &here, &field);
              if (children[i] == NULL)
                {
                  drop_children (children, i);
                  return NULL;
                }
            }
          tuple = g_variant_new_tuple (children, type->n_fields);
          g_free (children);
          c->depth--;
          return tuple;
        }
      case SYNOD_TYPE_UNION:
        {
          const SynodTypeDesc *dtype = type->discriminant;
          gint32 d = synod_codec_get_i32 (value);
          SynodCodecPath where = { path, type->discriminant_name, 0 };
          const SynodUnionArmDesc *arm;
          GVariant *dvalue, *inner;

          if (!conv_deeper (c, path))
            return NULL;
          if (dtype->kind == SYNOD_TYPE_BOOL)
            d = d != 0;
          dvalue = to_variant (c, dtype, (const guint8 *)&d, NULL, &where);
          if (dvalue == NULL)
            return NULL;
          arm = synod_type_union_arm (type, d);
          if (arm == NULL)
            {
              g_variant_unref (g_variant_ref_sink (dvalue));
              synod_codec_set_error (
                  c->error, SYNOD_ORB_ERROR_ENCODE, &where,
                  _ ("discriminant %i selects no arm and the union has no default"), d);
              return NULL;
            }
          where.name = arm->name;
          inner = to_variant (c, arm->type, value + type->union_offset, NULL, &where);
          if (inner == NULL)
            {
              g_variant_unref (g_variant_ref_sink (dvalue));
              return NULL;
            }
          c->depth--;
          {
            GVariant *pair[2] = { dvalue, g_variant_new_variant (inner) };

            return g_variant_new_tuple (pair, 2);
          }
        }
      default:
        synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path, _ ("unknown type kind %d"),
                               (int)type->kind);
        return NULL;
    }
}

/**
 * synod_value_to_variant:
 * @type: the value's type
 * @value: the value
 * @error: return location for a SYNOD_ORB_ERROR_ENCODE error (a value that
 *   does not fit its type has no GVariant form, as it has no XDR encoding)
 *
 * Returns: (transfer full): a new, non-floating GVariant of the type
 *   synod_type_get_variant_type() gives, or %NULL on error
 */
GVariant *
synod_value_to_variant (const SynodTypeDesc *type, gconstpointer value, GError **error)
{
  Conv c = { .error = error };
  SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };
  GVariant *variant;

  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (value != NULL || type->c_size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  variant = to_variant (&c, type, value, NULL, &root);
  return variant != NULL ? g_variant_ref_sink (variant) : NULL;
}

/* ======================================================================== */
/* From GVariant                                                            */
/* ======================================================================== */

static gboolean
mismatch (Conv *c, const SynodTypeDesc *type, GVariant *v, const Ancestors *ctx,
          const SynodCodecPath *path)
{
  GVariantType *expected = variant_type_in (type, ctx);

  synod_codec_set_error (c->error, SYNOD_ORB_ERROR_TYPE_MISMATCH, path,
                         _ ("expected a GVariant of type “%.*s”, got “%s”"),
                         (int)g_variant_type_get_string_length (expected),
                         g_variant_type_peek_string (expected), g_variant_get_type_string (v));
  g_variant_type_free (expected);
  return FALSE;
}

static gboolean from_variant (Conv *c, const SynodTypeDesc *type, GVariant *v, guint8 *out,
                              const Ancestors *ctx, const SynodCodecPath *path, gboolean checked);

/* Starts a new context (the root, a union arm, a recursion box): a
 * variant of the exact form needs no more type checks below; any other
 * is walked with checks, so the error names the deepest wrong part. */
static gboolean
from_variant_root (Conv *c, const SynodTypeDesc *type, GVariant *v, guint8 *out,
                   const SynodCodecPath *path)
{
  gboolean checked = g_variant_is_of_type (v, synod_type_get_variant_type (type));

  return from_variant (c, type, v, out, NULL, path, checked);
}

static gboolean
leaf_is (Conv *c, const SynodTypeDesc *type, GVariant *v, const GVariantType *want,
         const Ancestors *ctx, const SynodCodecPath *path, gboolean checked)
{
  return checked || g_variant_is_of_type (v, want) || mismatch (c, type, v, ctx, path);
}

static gboolean
bytes_from_variant (Conv *c, GVariant *v, guint8 *dest, gsize want, const SynodCodecPath *path)
{
  gsize n;
  gconstpointer data = g_variant_get_fixed_array (v, &n, 1);

  if (n != want)
    {
      synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                             _ ("%zu bytes where exactly %zu are needed"), n, want);
      return FALSE;
    }
  if (n > 0)
    memcpy (dest, data, n);
  return TRUE;
}

static gboolean
elements_from_variant (Conv *c, const SynodTypeDesc *type, GVariant *v, guint8 *val, gsize n,
                       const Ancestors *ctx, const SynodCodecPath *path, gboolean checked)
{
  SynodCodecPath item = { path, NULL, 0 };

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (v, i);

      item.index = (guint32)i;
      if (!from_variant (c, type->element, child, val + i * type->element->c_size, ctx, &item,
                         checked))
        return FALSE;
    }
  /* An empty (or otherwise well-formed) array of the wrong element type. */
  if (!checked)
    {
      GVariantType *want = variant_type_in (type, ctx);
      gboolean ok = g_variant_is_of_type (v, want);

      g_variant_type_free (want);
      if (!ok)
        return mismatch (c, type, v, ctx, path);
    }
  return TRUE;
}

static gboolean
from_variant (Conv *c, const SynodTypeDesc *type, GVariant *v, guint8 *out, const Ancestors *ctx,
              const SynodCodecPath *path, gboolean checked)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return leaf_is (c, type, v, G_VARIANT_TYPE_UNIT, ctx, path, checked);
      case SYNOD_TYPE_INT:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_INT32, ctx, path, checked))
          return FALSE;
        *(gint32 *)(gpointer)out = g_variant_get_int32 (v);
        return TRUE;
      case SYNOD_TYPE_UINT:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_UINT32, ctx, path, checked))
          return FALSE;
        *(guint32 *)(gpointer)out = g_variant_get_uint32 (v);
        return TRUE;
      case SYNOD_TYPE_HYPER:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_INT64, ctx, path, checked))
          return FALSE;
        *(gint64 *)(gpointer)out = g_variant_get_int64 (v);
        return TRUE;
      case SYNOD_TYPE_UHYPER:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_UINT64, ctx, path, checked))
          return FALSE;
        *(guint64 *)(gpointer)out = g_variant_get_uint64 (v);
        return TRUE;
      case SYNOD_TYPE_FLOAT:
        {
          gdouble d;

          if (!leaf_is (c, type, v, G_VARIANT_TYPE_DOUBLE, ctx, path, checked))
            return FALSE;
          d = g_variant_get_double (v);
          if (isfinite (d) && fabs (d) > FLT_MAX)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("%g is out of the range of a float"), d);
              return FALSE;
            }
          *(gfloat *)(gpointer)out = double_to_float (d);
          return TRUE;
        }
      case SYNOD_TYPE_DOUBLE:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_DOUBLE, ctx, path, checked))
          return FALSE;
        *(gdouble *)(gpointer)out = g_variant_get_double (v);
        return TRUE;
      case SYNOD_TYPE_BOOL:
        if (!leaf_is (c, type, v, G_VARIANT_TYPE_BOOLEAN, ctx, path, checked))
          return FALSE;
        *(gboolean *)(gpointer)out = g_variant_get_boolean (v) ? TRUE : FALSE;
        return TRUE;
      case SYNOD_TYPE_QUADRUPLE:
        return leaf_is (c, type, v, G_VARIANT_TYPE_BYTESTRING, ctx, path, checked)
               && bytes_from_variant (c, v, out, sizeof (SynodQuadruple), path);
      case SYNOD_TYPE_OPAQUE_FIXED:
        return leaf_is (c, type, v, G_VARIANT_TYPE_BYTESTRING, ctx, path, checked)
               && bytes_from_variant (c, v, out, type->bound, path);
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)out;
          gconstpointer data;
          gsize n;

          if (!leaf_is (c, type, v, G_VARIANT_TYPE_BYTESTRING, ctx, path, checked))
            return FALSE;
          data = g_variant_get_fixed_array (v, &n, 1);
          if (n > type->bound)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("opaque of %zu bytes is longer than its bound %u"), n,
                                     type->bound);
              return FALSE;
            }
          if (n > 0)
            {
              array->val = g_memdup2 (data, n);
              array->len = (guint32)n;
            }
          return TRUE;
        }
      case SYNOD_TYPE_ENUM:
        {
          const SynodEnumValueDesc *symbol;
          const gchar *name;

          if (!leaf_is (c, type, v, G_VARIANT_TYPE_STRING, ctx, path, checked))
            return FALSE;
          name = g_variant_get_string (v, NULL);
          symbol = synod_type_enum_lookup_name (type, name);
          if (symbol == NULL)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("“%s” is not a symbol of enum %s"), name,
                                     type->name != NULL ? type->name : "enum");
              return FALSE;
            }
          *(gint32 *)(gpointer)out = symbol->value;
          return TRUE;
        }
      case SYNOD_TYPE_STRING:
        {
          const gchar *s;
          gsize len;

          if (!leaf_is (c, type, v, G_VARIANT_TYPE_STRING, ctx, path, checked))
            return FALSE;
          s = g_variant_get_string (v, &len);
          if (len > type->bound)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("string of %zu bytes is longer than its bound %u"), len,
                                     type->bound);
              return FALSE;
            }
          *(gchar **)(gpointer)out = g_strndup (s, len);
          return TRUE;
        }
      case SYNOD_TYPE_OBJECT_ID:
        {
          g_autoptr (GError) local = NULL;

          if (!leaf_is (c, type, v, G_VARIANT_TYPE_STRING, ctx, path, checked))
            return FALSE;
          if (!synod_object_id_parse (g_variant_get_string (v, NULL), (SynodObjectId *)(gpointer)out, &local))
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path, "%s", local->message);
              return FALSE;
            }
          return TRUE;
        }
      case SYNOD_TYPE_ARRAY_FIXED:
        {
          gsize n;

          if (!checked && !g_variant_is_of_type (v, G_VARIANT_TYPE_ARRAY))
            return mismatch (c, type, v, ctx, path);
          n = g_variant_n_children (v);
          if (n != type->bound)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("%zu elements where exactly %u are needed"), n,
                                     type->bound);
              return FALSE;
            }
          return elements_from_variant (c, type, v, out, n, ctx, path, checked);
        }
      case SYNOD_TYPE_ARRAY_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)out;
          gsize n;

          if (!checked && !g_variant_is_of_type (v, G_VARIANT_TYPE_ARRAY))
            return mismatch (c, type, v, ctx, path);
          n = g_variant_n_children (v);
          if (n > type->bound)
            {
              synod_codec_set_error (c->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("array of %zu elements is longer than its bound %u"), n,
                                     type->bound);
              return FALSE;
            }
          if (n > 0 && type->element->c_size > 0)
            array->val = g_malloc0_n (n, type->element->c_size);
          array->len = (guint32)n;
          return elements_from_variant (c, type, v, array->val, n, ctx, path, checked);
        }
      case SYNOD_TYPE_OPTIONAL:
        {
          g_autoptr (GVariant) child = NULL;
          guint8 *target;

          if (!checked && !g_variant_is_of_type (v, G_VARIANT_TYPE_MAYBE))
            return mismatch (c, type, v, ctx, path);
          child = g_variant_get_maybe (v);
          if (child == NULL)
            {
              GVariantType *want = checked ? NULL : variant_type_in (type, ctx);
              gboolean ok = checked || g_variant_is_of_type (v, want);

              if (want != NULL)
                g_variant_type_free (want);
              return ok || mismatch (c, type, v, ctx, path);
            }
          target = g_malloc0 (MAX (type->element->c_size, 1));
          *(guint8 **)(gpointer)out = target;
          return from_variant (c, type->element, child, target, ctx, path, checked);
        }
      case SYNOD_TYPE_STRUCT:
        {
          Ancestors here = { ctx, type };
          SynodCodecPath field = { path, NULL, 0 };

          if (!conv_deeper (c, path))
            return FALSE;
          if (is_ancestor (ctx, type))
            {
              g_autoptr (GVariant) inner = NULL;

              if (!checked && !g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
                return mismatch (c, type, v, ctx, path);
              inner = g_variant_get_variant (v);
              if (!from_variant_root (c, type, inner, out, path))
                return FALSE;
              c->depth--;
              return TRUE;
            }
          if (!checked
              && (!g_variant_is_of_type (v, G_VARIANT_TYPE_TUPLE)
                  || g_variant_n_children (v) != type->n_fields))
            return mismatch (c, type, v, ctx, path);
          for (guint i = 0; i < type->n_fields; i++)
            {
              const SynodFieldDesc *f = &type->fields[i];
              g_autoptr (GVariant) child = g_variant_get_child_value (v, i);

              field.name = f->name;
              if (!from_variant (c, f->type, child, out + f->offset, &here, &field, checked))
                return FALSE;
            }
          c->depth--;
          return TRUE;
        }
      case SYNOD_TYPE_UNION:
        {
          const SynodTypeDesc *dtype = type->discriminant;
          SynodCodecPath where = { path, type->discriminant_name, 0 };
          g_autoptr (GVariant) dvalue = NULL;
          g_autoptr (GVariant) boxed = NULL;
          g_autoptr (GVariant) inner = NULL;
          const SynodUnionArmDesc *arm;
          gint32 d = 0;

          if (!conv_deeper (c, path))
            return FALSE;
          if (!checked
              && (!g_variant_is_of_type (v, G_VARIANT_TYPE_TUPLE) || g_variant_n_children (v) != 2))
            return mismatch (c, type, v, ctx, path);
          dvalue = g_variant_get_child_value (v, 0);
          boxed = g_variant_get_child_value (v, 1);
          if (!from_variant (c, dtype, dvalue, (guint8 *)&d, NULL, &where, checked))
            return FALSE;
          if (!checked && !g_variant_is_of_type (boxed, G_VARIANT_TYPE_VARIANT))
            return mismatch (c, type, v, ctx, path);
          arm = synod_type_union_arm (type, d);
          if (arm == NULL)
            {
              synod_codec_set_error (
                  c->error, SYNOD_ORB_ERROR_ENCODE, &where,
                  _ ("discriminant %i selects no arm and the union has no default"), d);
              return FALSE;
            }
          memcpy (out, &d, 4);
          where.name = arm->name;
          inner = g_variant_get_variant (boxed);
          if (!from_variant_root (c, arm->type, inner, out + type->union_offset, &where))
            return FALSE;
          c->depth--;
          return TRUE;
        }
      default:
        synod_codec_set_error (c->error, SYNOD_ORB_ERROR_TYPE_MISMATCH, path,
                               _ ("unknown type kind %d"), (int)type->kind);
        return FALSE;
    }
}

/**
 * synod_value_from_variant:
 * @type: the type to convert to
 * @variant: a GVariant of @type's form
 * @ret_value: (out caller-allocates): storage of @type's C size, treated as
 *   uninitialised; set only on success (free with synod_value_clear())
 * @error: return location for an error: SYNOD_ORB_ERROR_TYPE_MISMATCH when
 *   @variant is not of the form (naming the path and the expected type),
 *   SYNOD_ORB_ERROR_ENCODE when a value does not fit its type (a string
 *   over its bound, an unknown enum symbol...), SYNOD_ORB_ERROR_LIMIT when
 *   nested too deep
 *
 * Returns: %TRUE on success
 */
gboolean
synod_value_from_variant (const SynodTypeDesc *type, GVariant *variant, gpointer ret_value,
                          GError **error)
{
  Conv c = { .error = error };
  SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };
  guint8 *scratch;
  gboolean ok;

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (variant != NULL, FALSE);
  g_return_val_if_fail (ret_value != NULL || type->c_size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scratch = g_malloc0 (MAX (type->c_size, 1));
  g_variant_ref_sink (variant);
  ok = from_variant_root (&c, type, variant, scratch, &root);
  g_variant_unref (variant);
  if (ok && type->c_size > 0)
    memcpy (ret_value, scratch, type->c_size);
  else if (!ok)
    synod_value_clear (type, scratch);
  g_free (scratch);
  return ok;
}
