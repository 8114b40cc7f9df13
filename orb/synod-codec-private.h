/* synod-codec-private.h — what the codec's files share: field paths for
 * error messages, descriptor look-ups, the text checks every string passes.
 */
#pragma once

#include <string.h>

#include "synod-codec.h"
#include "synod-error.h"

G_BEGIN_DECLS

/* A field path, built on the C stack as the codec walks down a value, and
 * formatted ("item.tags[3]") only when an error names it. */
typedef struct _SynodCodecPath SynodCodecPath;
struct _SynodCodecPath
{
  const SynodCodecPath *up;
  const gchar *name; /* a field or arm name; NULL for an array element */
  guint32 index;     /* the element's index when name is NULL */
};

/* The root of a path: the type's short name ("Shop.item" gives "item"). */
const gchar *synod_codec_root_name (const SynodTypeDesc *type);

gchar *synod_codec_path_format (const SynodCodecPath *path);

void synod_codec_set_error (GError **error, gint code, const SynodCodecPath *path,
                            const gchar *format, ...) G_GNUC_PRINTF (4, 5);

/* The symbol of an enum value, or NULL when the value is not in the enum. */
const SynodEnumValueDesc *synod_type_enum_lookup (const SynodTypeDesc *type, gint32 value);

/* The enum value named @name, or NULL. */
const SynodEnumValueDesc *synod_type_enum_lookup_name (const SynodTypeDesc *type,
                                                       const gchar *name);

/* The arm a discriminant selects (the default arm when no case matches), or
 * NULL when none does. Bool discriminants compare as 0/1. */
const SynodUnionArmDesc *synod_type_union_arm (const SynodTypeDesc *type, gint32 discriminant);

/* Whether values of the type own heap memory (so clear and copy must walk
 * them). */
gboolean synod_type_owns_memory (const SynodTypeDesc *type);

/* The fewest bytes any value of the type encodes to, saturating at
 * G_MAXUINT32. */
guint64 synod_type_min_encoded_size (const SynodTypeDesc *type);

/* Strings travel as UTF-8 without NUL bytes (see orb/README-codec.md). */
static inline gboolean
synod_codec_text_is_valid (const gchar *text, gsize len)
{
  const guint8 *p = (const guint8 *)text;
  gsize i = 0;

  /* Most strings are ASCII: test eight bytes at a time for a high bit or a
   * zero byte, and leave the rest to GLib's validator. */
  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, p + i, 8);
      if ((w & G_GUINT64_CONSTANT (0x8080808080808080))
          || ((w - G_GUINT64_CONSTANT (0x0101010101010101)) & ~w
              & G_GUINT64_CONSTANT (0x8080808080808080)))
        return g_utf8_validate_len (text + i, len - i, NULL);
    }
  for (; i < len; i++)
    if (p[i] == 0 || p[i] >= 0x80)
      return g_utf8_validate_len (text + i, len - i, NULL);
  return TRUE;
}

static inline gint32
synod_codec_get_i32 (gconstpointer p)
{
  gint32 v;

  memcpy (&v, p, sizeof v);
  return v;
}

G_END_DECLS
