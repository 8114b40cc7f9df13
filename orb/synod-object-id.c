/* synod-object-id.c — printing, parsing, comparing and hashing object Ids. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "synod-error.h"
#include "synod-object-id.h"

/**
 * synod_object_id_format:
 * @id: an Id
 * @buf: (out caller-allocates): room for SYNOD_OBJECT_ID_STRING_LEN + 1 chars
 *
 * Writes the canonical text form of @id into @buf, without allocating.
 */
void
synod_object_id_format (const SynodObjectId *id, gchar buf[SYNOD_OBJECT_ID_STRING_LEN + 1])
{
  static const gchar hex[] = "0123456789abcdef";

  g_return_if_fail (id != NULL);
  for (guint i = 0; i < 16; i++)
    {
      buf[i] = hex[(id->peer >> (60 - 4 * i)) & 0xf];
      buf[17 + i] = hex[(id->serial >> (60 - 4 * i)) & 0xf];
    }
  buf[16] = '-';
  buf[SYNOD_OBJECT_ID_STRING_LEN] = '\0';
}

/**
 * synod_object_id_to_string:
 * @id: an Id
 *
 * Returns: (transfer full): the canonical text form of @id
 */
gchar *
synod_object_id_to_string (const SynodObjectId *id)
{
  gchar *buf = g_malloc (SYNOD_OBJECT_ID_STRING_LEN + 1);

  synod_object_id_format (id, buf);
  return buf;
}

static gboolean
parse_hex64 (const gchar *p, guint64 *ret)
{
  guint64 v = 0;

  for (guint i = 0; i < 16; i++)
    {
      gint d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint64) d;
    }
  *ret = v;
  return TRUE;
}

/**
 * synod_object_id_is_valid_text:
 * @text: a string
 *
 * Returns: whether @text has the shape of an Id's text form (either case of
 *   hex digits is accepted)
 */
gboolean
synod_object_id_is_valid_text (const gchar *text)
{
  guint64 dummy;

  return text != NULL && strlen (text) == SYNOD_OBJECT_ID_STRING_LEN && text[16] == '-'
         && parse_hex64 (text, &dummy) && parse_hex64 (text + 17, &dummy);
}

/**
 * synod_object_id_parse:
 * @text: the text form of an Id
 * @ret_id: (out): the Id, untouched on failure
 * @error: return location for a SYNOD_ORB_ERROR_INVALID_ARGS error
 *
 * Returns: %TRUE when @text is a well-formed Id
 */
gboolean
synod_object_id_parse (const gchar *text, SynodObjectId *ret_id, GError **error)
{
  SynodObjectId id;

  g_return_val_if_fail (ret_id != NULL, FALSE);
  if (!synod_object_id_is_valid_text (text))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS,
                   _("“%s” is not an object Id (expected 16 hex digits, “-”, 16 hex digits)"),
                   text ? text : "(null)");
      return FALSE;
    }
  parse_hex64 (text, &id.peer);
  parse_hex64 (text + 17, &id.serial);
  *ret_id = id;
  return TRUE;
}

/**
 * synod_object_id_is_null:
 * @id: an Id
 *
 * Returns: whether @id is the null Id (all zero), which names no object
 */
gboolean
synod_object_id_is_null (const SynodObjectId *id)
{
  return id->peer == 0 && id->serial == 0;
}

/**
 * synod_object_id_equal:
 * @a: (type SynodObjectId): an Id
 * @b: (type SynodObjectId): another Id
 *
 * A #GEqualFunc for Ids.
 */
gboolean
synod_object_id_equal (gconstpointer a, gconstpointer b)
{
  const SynodObjectId *x = a, *y = b;

  return x->peer == y->peer && x->serial == y->serial;
}

/**
 * synod_object_id_hash:
 * @id: (type SynodObjectId): an Id
 *
 * A #GHashFunc for Ids.
 */
guint
synod_object_id_hash (gconstpointer id)
{
  const SynodObjectId *x = id;
  guint64 h = x->peer * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ x->serial;

  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  return (guint) h;
}

/**
 * synod_object_id_compare:
 * @a: an Id
 * @b: another Id
 *
 * Orders Ids by peer, then serial.
 *
 * Returns: negative, zero or positive as @a sorts before, with or after @b
 */
gint
synod_object_id_compare (const SynodObjectId *a, const SynodObjectId *b)
{
  if (a->peer != b->peer)
    return a->peer < b->peer ? -1 : 1;
  if (a->serial != b->serial)
    return a->serial < b->serial ? -1 : 1;
  return 0;
}
