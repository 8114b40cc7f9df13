/* fuzz-xdr-decode.c — libFuzzer harness for the XDR decoder.
 *
 * The first byte of an input picks a type; the rest is decoded as that type.
 * Whatever decodes must be canonical: it re-encodes to exactly the input,
 * the stream-mode decoder (xdr_* primitives over unaligned memory) agrees
 * with the memory-mode one, and the value survives a trip through GVariant.
 * Whatever does not decode must fail with SYNOD_ORB_ERROR_DECODE. Any other
 * outcome aborts, which libFuzzer (or the replay test) reports.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-xdr-decode.h"
#include "interop-types.h"

/* Append only: the corpus names types by their index here. */
const SynodTypeDesc *const fuzz_xdr_types[] = {
  &interop_message_desc, &interop_item_desc,        &interop_list_desc,  &interop_result_desc,
  &interop_shape_desc,   &interop_maybe_point_desc, &interop_reply_desc, &interop_extras_desc,
  &interop_header_desc,  &interop_node_desc,        &interop_tag_desc,   &interop_point_desc,
  &interop_color_desc,   &synod_type_string,        &synod_type_opaque,  &synod_type_quadruple,
  &synod_type_object_id, &synod_type_bool,          &synod_type_double,  &synod_type_float,
};
const gsize fuzz_xdr_n_types = G_N_ELEMENTS (fuzz_xdr_types);

#define FUZZ_CHECK(cond)                                                                           \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (G_UNLIKELY (!(cond)))                                                                      \
      {                                                                                            \
        fprintf (stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);             \
        abort ();                                                                                  \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

/* The stream-mode decoder over an unaligned copy (xdrmem then cannot
 * inline, so every read goes through libtirpc's primitives). Returns how
 * many bytes the value took, or -1. */
static gint64
decode_in_stream_mode (const SynodTypeDesc *type, const guint8 *data, gsize size, gpointer out)
{
  g_autofree guint8 *mem = g_malloc (size + 1);
  g_autoptr (GError) error = NULL;
  gint64 used = -1;
  XDR xdrs;

  if (size > 0)
    memcpy (mem + 1, data, size);
  xdrmem_create (&xdrs, (char *)mem + 1, (u_int)size, XDR_DECODE);
  if (synod_value_decode_xdr (type, &xdrs, (guint)size, out, &error))
    used = xdr_getpos (&xdrs);
  else
    FUZZ_CHECK (g_error_matches (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DECODE));
  xdr_destroy (&xdrs);
  return used;
}

gboolean
fuzz_xdr_decode_one (const guint8 *data, gsize size)
{
  const SynodTypeDesc *type;
  g_autoptr (GError) error = NULL;
  g_autofree gpointer value = NULL;
  g_autofree gpointer again = NULL;
  gboolean decoded;
  gint64 used;

  if (size < 1 || size > G_MAXUINT32 / 2)
    return FALSE;
  type = fuzz_xdr_types[data[0] % fuzz_xdr_n_types];
  data++;
  size--;
  value = g_malloc0 (MAX (type->c_size, 1));
  again = g_malloc0 (MAX (type->c_size, 1));

  decoded = synod_value_decode (type, data, size, value, &error);
  used = decode_in_stream_mode (type, data, size, again);
  if (!decoded)
    {
      FUZZ_CHECK (g_error_matches (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DECODE));
      FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
      /* The stream decoder may only succeed by leaving trailing bytes. */
      if (used >= 0)
        {
          g_autoptr (GBytes) prefix = synod_value_encode (type, again, NULL);

          FUZZ_CHECK (used < (gint64)size);
          FUZZ_CHECK (prefix != NULL && g_bytes_get_size (prefix) == (gsize)used);
          FUZZ_CHECK (memcmp (g_bytes_get_data (prefix, NULL), data, (gsize)used) == 0);
          synod_value_clear (type, again);
        }
      return FALSE;
    }

  /* Canonical: the bytes come back exactly. */
  {
    g_autoptr (GBytes) bytes = synod_value_encode (type, value, &error);

    FUZZ_CHECK (bytes != NULL);
    FUZZ_CHECK (g_bytes_get_size (bytes) == size);
    FUZZ_CHECK (size == 0 || memcmp (g_bytes_get_data (bytes, NULL), data, size) == 0);
    FUZZ_CHECK (synod_value_encoded_size (type, value) == size);
  }

  /* Both decoders agree. */
  FUZZ_CHECK (used == (gint64)size);
  FUZZ_CHECK (synod_value_equal (type, value, again));
  synod_value_clear (type, again);

  /* A copy is equal; GVariant gives the value back. */
  {
    g_autoptr (GVariant) v = synod_value_to_variant (type, value, &error);

    if (v == NULL)
      {
        /* Only nesting GVariant cannot hold: the XDR depth limit applies
         * to structs and unions, GVariant's to its containers. */
        FUZZ_CHECK (g_error_matches (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_LIMIT));
        g_clear_error (&error);
      }
    else
      {
        FUZZ_CHECK (g_variant_is_of_type (v, synod_type_get_variant_type (type)));
        FUZZ_CHECK (synod_value_from_variant (type, v, again, &error));
        if (!synod_value_equal (type, value, again))
          {
            g_autofree gchar *text = g_variant_print (v, TRUE);
            fprintf (stderr, "GVariant trip changed %s: %s\n", type->name, text);
          }
        FUZZ_CHECK (synod_value_equal (type, value, again));
        synod_value_clear (type, again);
      }
    synod_value_copy (type, value, again);
    FUZZ_CHECK (synod_value_equal (type, value, again));
    synod_value_clear (type, again);
  }

  synod_value_clear (type, value);
  return TRUE;
}

#ifdef SYNOD_FUZZ_LIBFUZZER
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_xdr_decode_one (data, size);
  return 0;
}
#endif
