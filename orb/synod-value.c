/* synod-value.c — life cycle of described values: clear, copy, compare, new
 * and free, and the descriptor look-ups and error paths the codec shares.
 *
 * Every function here walks a value by its descriptor, so generated code
 * needs no per-type free or copy routine of its own.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "synod-codec-private.h"
#include "synod-object-id.h"

/* ------------------------------------------------------------------------ */
/* Paths and errors */

const gchar *
synod_codec_root_name (const SynodTypeDesc *type)
{
  const gchar *dot;

  if (type->name == NULL)
    return "value";
  dot = strrchr (type->name, '.');
  return dot != NULL && dot[1] != '\0' ? dot + 1 : type->name;
}

gchar *
synod_codec_path_format (const SynodCodecPath *path)
{
  const SynodCodecPath *chain[SYNOD_CODEC_MAX_DEPTH * 4];
  guint n = 0;
  GString *text = g_string_new (NULL);

  for (const SynodCodecPath *p = path; p != NULL; p = p->up)
    {
      /* A path longer than this buffer only happens past the depth limit,
       * whose error names the deepest part; keep the innermost levels. */
      if (n == G_N_ELEMENTS (chain))
        {
          memmove (chain, chain + 1, sizeof chain[0] * (n - 1));
          n--;
          chain[n - 1] = NULL;
        }
      chain[n++] = p;
    }

  for (guint i = n; i-- > 0;)
    {
      const SynodCodecPath *p = chain[i];

      if (p == NULL)
        g_string_append (text, "…");
      else if (p->name == NULL)
        g_string_append_printf (text, "[%" G_GUINT32_FORMAT "]", p->index);
      else
        {
          if (text->len > 0)
            g_string_append_c (text, '.');
          g_string_append (text, p->name);
        }
    }
  return g_string_free (text, FALSE);
}

void
synod_codec_set_error (GError **error, gint code, const SynodCodecPath *path, const gchar *format,
                       ...)
{
  g_autofree gchar *where = NULL;
  g_autofree gchar *what = NULL;
  va_list args;

  if (error == NULL)
    return;
  where = synod_codec_path_format (path);
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: "field path: what is wrong", e.g.
   * "item.tags[3]: string longer than its bound 32" */
  g_set_error (error, SYNOD_ORB_ERROR, code, _ ("%s: %s"), where, what);
}

/* ------------------------------------------------------------------------ */
/* Descriptor look-ups */

const SynodEnumValueDesc *
synod_type_enum_lookup (const SynodTypeDesc *type, gint32 value)
{
  for (guint i = 0; i < type->n_values; i++)
    if (type->values[i].value == value)
      return &type->values[i];
  return NULL;
}

const SynodEnumValueDesc *
synod_type_enum_lookup_name (const SynodTypeDesc *type, const gchar *name)
{
  for (guint i = 0; i < type->n_values; i++)
    if (strcmp (type->values[i].name, name) == 0)
      return &type->values[i];
  return NULL;
}

const SynodUnionArmDesc *
synod_type_union_arm (const SynodTypeDesc *type, gint32 discriminant)
{
  if (type->discriminant->kind == SYNOD_TYPE_BOOL)
    discriminant = discriminant != 0;
  for (guint i = 0; i < type->n_arms; i++)
    {
      const SynodUnionArmDesc *arm = &type->arms[i];

      for (guint j = 0; j < arm->n_cases; j++)
        if (arm->cases[j] == discriminant)
          return arm;
    }
  return type->default_arm;
}

gboolean
synod_type_owns_memory (const SynodTypeDesc *type)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_STRING:
      case SYNOD_TYPE_OPAQUE_VAR:
      case SYNOD_TYPE_ARRAY_VAR:
      case SYNOD_TYPE_OPTIONAL:
        return TRUE;
      case SYNOD_TYPE_ARRAY_FIXED:
        return type->bound > 0 && synod_type_owns_memory (type->element);
      case SYNOD_TYPE_STRUCT:
        for (guint i = 0; i < type->n_fields; i++)
          if (synod_type_owns_memory (type->fields[i].type))
            return TRUE;
        return FALSE;
      case SYNOD_TYPE_UNION:
        for (guint i = 0; i < type->n_arms; i++)
          if (synod_type_owns_memory (type->arms[i].type))
            return TRUE;
        return type->default_arm != NULL && synod_type_owns_memory (type->default_arm->type);
      default:
        return FALSE;
    }
}

guint64
synod_type_min_encoded_size (const SynodTypeDesc *type)
{
  guint64 size, arm;

  /* Recursion ends: a type can only contain itself through optional data or
   * a variable array, whose smallest encoding is 4 bytes whatever the
   * element. */
  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return 0;
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_FLOAT:
      case SYNOD_TYPE_BOOL:
      case SYNOD_TYPE_ENUM:
      case SYNOD_TYPE_STRING:
      case SYNOD_TYPE_OPAQUE_VAR:
      case SYNOD_TYPE_ARRAY_VAR:
      case SYNOD_TYPE_OPTIONAL:
        return 4;
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_DOUBLE:
        return 8;
      case SYNOD_TYPE_QUADRUPLE:
      case SYNOD_TYPE_OBJECT_ID:
        return 16;
      case SYNOD_TYPE_OPAQUE_FIXED:
        return ((guint64)type->bound + 3) & ~(guint64)3;
      case SYNOD_TYPE_ARRAY_FIXED:
        size = (guint64)type->bound * synod_type_min_encoded_size (type->element);
        return MIN (size, G_MAXUINT32);
      case SYNOD_TYPE_STRUCT:
        size = 0;
        for (guint i = 0; i < type->n_fields && size < G_MAXUINT32; i++)
          size += synod_type_min_encoded_size (type->fields[i].type);
        return MIN (size, G_MAXUINT32);
      case SYNOD_TYPE_UNION:
        size = G_MAXUINT32;
        for (guint i = 0; i < type->n_arms; i++)
          {
            arm = synod_type_min_encoded_size (type->arms[i].type);
            size = MIN (size, arm);
          }
        if (type->default_arm != NULL)
          {
            arm = synod_type_min_encoded_size (type->default_arm->type);
            size = MIN (size, arm);
          }
        return MIN (size + 4, G_MAXUINT32);
      default:
        g_return_val_if_reached (0);
    }
}

/* ------------------------------------------------------------------------ */
/* Clear */

static void clear_contents (const SynodTypeDesc *type, guint8 *value);

static void
clear_elements (const SynodTypeDesc *element, guint8 *val, guint32 len)
{
  if (val == NULL || !synod_type_owns_memory (element))
    return;
  for (guint32 i = 0; i < len; i++)
    clear_contents (element, val + (gsize)i * element->c_size);
}

/* Frees what @value owns, leaving its own storage as it is (the caller
 * zeroes it). */
static void
clear_contents (const SynodTypeDesc *type, guint8 *value)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_STRING:
        g_free (*(gchar **)(gpointer)value);
        break;
      case SYNOD_TYPE_OPAQUE_VAR:
        g_free (((SynodArray *)(gpointer)value)->val);
        break;
      case SYNOD_TYPE_ARRAY_FIXED:
        clear_elements (type->element, value, type->bound);
        break;
      case SYNOD_TYPE_ARRAY_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)value;

          clear_elements (type->element, array->val, array->len);
          g_free (array->val);
        }
        break;
      case SYNOD_TYPE_OPTIONAL:
        {
          guint8 *target = *(guint8 **)(gpointer)value;

          /* A linked list is freed node by node here rather than by recursion,
           * so a long list built in C cannot exhaust the stack. */
          while (target != NULL)
            {
              const SynodTypeDesc *element = type->element;
              guint8 *next = NULL;

              if (element->kind == SYNOD_TYPE_STRUCT)
                for (guint i = 0; i < element->n_fields; i++)
                  {
                    const SynodFieldDesc *field = &element->fields[i];

                    if (field->type->kind == SYNOD_TYPE_OPTIONAL && field->type->element == element)
                      {
                        next = *(guint8 **)(gpointer)(target + field->offset);
                        *(guint8 **)(gpointer)(target + field->offset) = NULL;
                        break;
                      }
                  }
              clear_contents (element, target);
              g_free (target);
              target = next;
            }
        }
        break;
      case SYNOD_TYPE_STRUCT:
        for (guint i = 0; i < type->n_fields; i++)
          clear_contents (type->fields[i].type, value + type->fields[i].offset);
        break;
      case SYNOD_TYPE_UNION:
        {
          const SynodUnionArmDesc *arm = synod_type_union_arm (type, synod_codec_get_i32 (value));

          if (arm != NULL)
            clear_contents (arm->type, value + type->union_offset);
        }
        break;
      default:
        break;
    }
}

/**
 * synod_value_clear:
 * @type: the value's type
 * @value: (nullable): the value
 *
 * Frees everything @value owns (strings, arrays, optional data, recursively)
 * and zeroes it, so clearing twice is harmless. NULL strings and NULL
 * arrays of length 0 are allowed.
 */
void
synod_value_clear (const SynodTypeDesc *type, gpointer value)
{
  g_return_if_fail (type != NULL);

  if (value == NULL)
    return;
  clear_contents (type, value);
  memset (value, 0, type->c_size);
}

/* ------------------------------------------------------------------------ */
/* Copy */

static void copy_contents (const SynodTypeDesc *type, const guint8 *src, guint8 *dest);

static gpointer
copy_elements (const SynodTypeDesc *element, const guint8 *val, guint32 len)
{
  guint8 *copy;

  if (val == NULL || len == 0 || element->c_size == 0)
    return NULL;
  copy = g_memdup2 (val, (gsize)len * element->c_size);
  if (synod_type_owns_memory (element))
    for (guint32 i = 0; i < len; i++)
      copy_contents (element, val + (gsize)i * element->c_size, copy + (gsize)i * element->c_size);
  return copy;
}

/* Makes the pointers of @dest (a byte copy of @src) point to copies. */
static void
copy_contents (const SynodTypeDesc *type, const guint8 *src, guint8 *dest)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_STRING:
        *(gchar **)(gpointer)dest = g_strdup (*(gchar *const *)(gconstpointer)src);
        break;
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          const SynodArray *from = (const SynodArray *)(gconstpointer)src;
          SynodArray *to = (SynodArray *)(gpointer)dest;

          to->val = from->val != NULL && from->len > 0 ? g_memdup2 (from->val, from->len) : NULL;
          if (to->val == NULL)
            to->len = 0;
        }
        break;
      case SYNOD_TYPE_ARRAY_FIXED:
        if (synod_type_owns_memory (type->element))
          for (guint32 i = 0; i < type->bound; i++)
            copy_contents (type->element, src + (gsize)i * type->element->c_size,
                           dest + (gsize)i * type->element->c_size);
        break;
      case SYNOD_TYPE_ARRAY_VAR:
        {
          const SynodArray *from = (const SynodArray *)(gconstpointer)src;
          SynodArray *to = (SynodArray *)(gpointer)dest;

          to->val = copy_elements (type->element, from->val, from->len);
          if (to->val == NULL && type->element->c_size > 0)
            to->len = 0;
        }
        break;
      case SYNOD_TYPE_OPTIONAL:
        {
          const guint8 *from = *(guint8 *const *)(gconstpointer)src;
          guint8 *to = NULL;

          if (from != NULL)
            {
              to = g_malloc (MAX (type->element->c_size, 1));
              memcpy (to, from, type->element->c_size);
              copy_contents (type->element, from, to);
            }
          *(guint8 **)(gpointer)dest = to;
        }
        break;
      case SYNOD_TYPE_STRUCT:
        for (guint i = 0; i < type->n_fields; i++)
          copy_contents (type->fields[i].type, src + type->fields[i].offset,
                         dest + type->fields[i].offset);
        break;
      case SYNOD_TYPE_UNION:
        {
          const SynodUnionArmDesc *arm = synod_type_union_arm (type, synod_codec_get_i32 (src));

          if (arm != NULL)
            copy_contents (arm->type, src + type->union_offset, dest + type->union_offset);
        }
        break;
      default:
        break;
    }
}

/**
 * synod_value_copy:
 * @type: the values' type
 * @src: the value to copy
 * @dest: (out caller-allocates): storage of @type's C size, treated as
 *   uninitialised (whatever it held is not freed)
 *
 * Deep copy: @dest owns copies of everything @src owns.
 */
void
synod_value_copy (const SynodTypeDesc *type, gconstpointer src, gpointer dest)
{
  g_return_if_fail (type != NULL);
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;
  memcpy (dest, src, type->c_size);
  copy_contents (type, src, dest);
}

/* ------------------------------------------------------------------------ */
/* Equality */

static gboolean
elements_equal (const SynodTypeDesc *element, const guint8 *a, const guint8 *b, guint32 len)
{
  for (guint32 i = 0; i < len; i++)
    if (!synod_value_equal (element, a + (gsize)i * element->c_size,
                            b + (gsize)i * element->c_size))
      return FALSE;
  return TRUE;
}

/**
 * synod_value_equal:
 * @type: the values' type
 * @a: a value
 * @b: another value
 *
 * Whether @a and @b are equal as XDR sees them: equal values have equal
 * encodings. So a NULL string equals "", floating-point numbers compare by
 * their bits (NaN equals the same NaN, 0.0 differs from -0.0), and a bool
 * is only true or false.
 *
 * Returns: %TRUE when equal
 */
gboolean
synod_value_equal (const SynodTypeDesc *type, gconstpointer a, gconstpointer b)
{
  const guint8 *pa = a, *pb = b;

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail ((a != NULL && b != NULL) || type->c_size == 0, FALSE);

  if (a == b)
    return TRUE;

  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return TRUE;
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_ENUM:
      case SYNOD_TYPE_FLOAT:
        return memcmp (pa, pb, 4) == 0;
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_DOUBLE:
        return memcmp (pa, pb, 8) == 0;
      case SYNOD_TYPE_QUADRUPLE:
        return memcmp (pa, pb, sizeof (SynodQuadruple)) == 0;
      case SYNOD_TYPE_OBJECT_ID:
        return synod_object_id_equal (pa, pb);
      case SYNOD_TYPE_BOOL:
        return !*(const gboolean *)(gconstpointer)pa == !*(const gboolean *)(gconstpointer)pb;
      case SYNOD_TYPE_STRING:
        {
          const gchar *sa = *(gchar *const *)(gconstpointer)pa, *sb = *(gchar *const *)(gconstpointer)pb;

          return strcmp (sa != NULL ? sa : "", sb != NULL ? sb : "") == 0;
        }
      case SYNOD_TYPE_OPAQUE_FIXED:
        return memcmp (pa, pb, type->bound) == 0;
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          const SynodArray *x = (const SynodArray *)(gconstpointer)pa, *y = (const SynodArray *)(gconstpointer)pb;

          return x->len == y->len && (x->len == 0 || memcmp (x->val, y->val, x->len) == 0);
        }
      case SYNOD_TYPE_ARRAY_FIXED:
        return elements_equal (type->element, pa, pb, type->bound);
      case SYNOD_TYPE_ARRAY_VAR:
        {
          const SynodArray *x = (const SynodArray *)(gconstpointer)pa, *y = (const SynodArray *)(gconstpointer)pb;

          return x->len == y->len && elements_equal (type->element, x->val, y->val, x->len);
        }
      case SYNOD_TYPE_OPTIONAL:
        {
          gconstpointer x = *(gconstpointer const *)(gconstpointer)pa, y = *(gconstpointer const *)(gconstpointer)pb;

          if (x == NULL || y == NULL)
            return x == y;
          return synod_value_equal (type->element, x, y);
        }
      case SYNOD_TYPE_STRUCT:
        for (guint i = 0; i < type->n_fields; i++)
          if (!synod_value_equal (type->fields[i].type, pa + type->fields[i].offset,
                                  pb + type->fields[i].offset))
            return FALSE;
        return TRUE;
      case SYNOD_TYPE_UNION:
        {
          gint32 da = synod_codec_get_i32 (pa), db = synod_codec_get_i32 (pb);
          const SynodUnionArmDesc *arm;

          if (type->discriminant->kind == SYNOD_TYPE_BOOL)
            {
              da = da != 0;
              db = db != 0;
            }
          if (da != db)
            return FALSE;
          arm = synod_type_union_arm (type, da);
          return arm == NULL
                 || synod_value_equal (arm->type, pa + type->union_offset, pb + type->union_offset);
        }
      default:
        g_return_val_if_reached (FALSE);
    }
}

/* ------------------------------------------------------------------------ */
/* New and free */

/**
 * synod_value_new:
 * @type: a type
 *
 * Returns: (transfer full): a zeroed value of @type on the heap (a zeroed
 *   value is valid: 0, FALSE, "", empty arrays, absent optional data, the
 *   union arm of discriminant 0); free with synod_value_free()
 */
gpointer
synod_value_new (const SynodTypeDesc *type)
{
  g_return_val_if_fail (type != NULL, NULL);

  return g_malloc0 (MAX (type->c_size, 1));
}

/**
 * synod_value_free:
 * @type: the value's type
 * @value: (nullable) (transfer full): a value from synod_value_new() or any
 *   g_malloc'ed storage of the type
 *
 * Clears @value and frees its storage.
 */
void
synod_value_free (const SynodTypeDesc *type, gpointer value)
{
  g_return_if_fail (type != NULL);

  if (value == NULL)
    return;
  clear_contents (type, value);
  g_free (value);
}
