/* synod-codec.h — the one XDR codec, driven by type descriptors.
 *
 * Every value libsynod moves (call arguments, results, PBFT messages) is a C
 * value of a described type (see synod-type.h). This codec encodes and decodes
 * any such value in XDR (RFC 4506) on top of libtirpc's xdr_* primitives,
 * copies, compares and frees it, and converts it to and from GVariant for the
 * dynamic API and the command-line tool.
 *
 * Decoding is for hostile input: every length is checked against the type's
 * bound and against the bytes left, so no input can make the decoder allocate
 * more than a small multiple of its own size; nesting is limited; every
 * failure is a SYNOD_ORB_ERROR_DECODE naming the field path, and leaves the
 * output value untouched.
 */
#pragma once

#include <rpc/types.h>
#include <rpc/xdr.h>

#include "synod-type.h"

G_BEGIN_DECLS

/* Deepest nesting of structs and unions the codec accepts, in XDR and in
 * GVariant alike (a linked list counts one level per node). Arrays and
 * optional data between two structs add no level: without a struct or a
 * union in between they cannot recurse, so the type bounds them. */
#define SYNOD_CODEC_MAX_DEPTH 256

gsize synod_value_encoded_size (const SynodTypeDesc *type, gconstpointer value);

gboolean synod_value_encode_xdr (const SynodTypeDesc *type,
                                 gconstpointer value,
                                 XDR *xdrs,
                                 GError **error);
gboolean synod_value_decode_xdr (const SynodTypeDesc *type,
                                 XDR *xdrs,
                                 guint avail,
                                 gpointer ret_value,
                                 GError **error);

GBytes *synod_value_encode (const SynodTypeDesc *type, gconstpointer value, GError **error);
gboolean synod_value_decode (const SynodTypeDesc *type,
                             const guint8 *data,
                             gsize len,
                             gpointer ret_value,
                             GError **error);

void synod_value_clear (const SynodTypeDesc *type, gpointer value);
void synod_value_copy (const SynodTypeDesc *type, gconstpointer src, gpointer dest);
gboolean synod_value_equal (const SynodTypeDesc *type, gconstpointer a, gconstpointer b);

gpointer synod_value_new (const SynodTypeDesc *type);
void synod_value_free (const SynodTypeDesc *type, gpointer value);

const GVariantType *synod_type_get_variant_type (const SynodTypeDesc *type);
GVariant *synod_value_to_variant (const SynodTypeDesc *type, gconstpointer value, GError **error);
gboolean synod_value_from_variant (const SynodTypeDesc *type,
                                   GVariant *variant,
                                   gpointer ret_value,
                                   GError **error);

G_END_DECLS
