/* synod-object-id.h — 128-bit object Ids and their one text form.
 *
 * An Id is assigned when an object is created and never changes: the 64-bit
 * id of the creating peer and a 64-bit serial. Its text form, used by the CLI,
 * the logs and URLs alike, is 16 lowercase hex digits, a '-', and 16 lowercase
 * hex digits: "3f2a9c4d5e6f7a8b-000000000000002a". A service name can never
 * have that shape, so a string names either an Id or a service, never both.
 */
#pragma once

#include "synod-type.h"

G_BEGIN_DECLS

/* Length of the text form, without the terminating NUL. */
#define SYNOD_OBJECT_ID_STRING_LEN 33

#define SYNOD_OBJECT_ID_NULL ((SynodObjectId){ 0, 0 })

gchar *synod_object_id_to_string (const SynodObjectId *id);
void synod_object_id_format (const SynodObjectId *id, gchar buf[SYNOD_OBJECT_ID_STRING_LEN + 1]);
gboolean synod_object_id_parse (const gchar *text, SynodObjectId *ret_id, GError **error);
gboolean synod_object_id_is_valid_text (const gchar *text);
gboolean synod_object_id_is_null (const SynodObjectId *id);
gboolean synod_object_id_equal (gconstpointer a, gconstpointer b);
guint synod_object_id_hash (gconstpointer id);
gint synod_object_id_compare (const SynodObjectId *a, const SynodObjectId *b);

G_END_DECLS
