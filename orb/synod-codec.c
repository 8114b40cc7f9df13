/* synod-codec.c — XDR (RFC 4506) encoding and decoding of described values.
 *
 * One walker per direction serves every type; both produce and accept the
 * bytes rpcgen's routines do.
 *
 * Encoding validates as it writes, into a buffer of the calling thread's
 * that grows as needed, and hands the finished bytes to the XDR stream with
 * one XDR_PUTBYTES: a value that cannot be encoded leaves the stream
 * untouched, and the walk is done once.
 *
 * Decoding reads through a cursor with two modes: a memory mode over the
 * caller's bytes or a region an xdrmem stream lends with XDR_INLINE (words
 * in the IXDR byte order), and a stream mode that calls libtirpc's xdr_*
 * primitives for streams that cannot lend memory (record streams, unaligned
 * buffers). It trusts nothing: see orb/README-codec.md for its rules.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "synod-codec-private.h"

#define PAD4(n) ((((guint64)(n)) + 3) & ~(guint64)3)

/* Values of these kinds are valid whatever their bits and have a fixed
 * encoded size. */
static inline gboolean
kind_is_plain (SynodTypeKind kind)
{
  switch (kind)
    {
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_FLOAT:
      case SYNOD_TYPE_DOUBLE:
      case SYNOD_TYPE_QUADRUPLE:
      case SYNOD_TYPE_BOOL:
      case SYNOD_TYPE_OBJECT_ID:
        return TRUE;
      default:
        return FALSE;
    }
}

static inline guint
plain_size (SynodTypeKind kind)
{
  switch (kind)
    {
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_DOUBLE:
        return 8;
      case SYNOD_TYPE_QUADRUPLE:
      case SYNOD_TYPE_OBJECT_ID:
        return 16;
      default:
        return 4;
    }
}

/* ======================================================================== */
/* Encoding                                                                 */
/* ======================================================================== */

/* Largest encoding XDR positions (32 bits) can address. */
#define ENCODE_MAX G_MAXUINT32

/* A thread's encoding buffer is kept between calls up to this size; a
 * larger one is freed after use. */
#define SCRATCH_KEEP_MAX (1024 * 1024)

typedef struct
{
  guint8 *data;
  gsize size;
} Scratch;

static void
scratch_free (gpointer p)
{
  Scratch *scratch = p;

  g_free (scratch->data);
  g_free (scratch);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

typedef struct
{
  guint8 *start;
  guint8 *cur;
  guint8 *end;
  guint depth;
  gboolean too_large;
  GError **error;
} Encoder;

/* Makes room for @n more bytes. */
static G_GNUC_NO_INLINE gboolean
enc_grow (Encoder *e, guint64 n)
{
  guint64 used = (guint64)(e->cur - e->start);
  guint64 size = (guint64)(e->end - e->start);

  if (used + n > ENCODE_MAX)
    {
      e->too_large = TRUE;
      return FALSE;
    }
  while (size < used + n)
    size = MAX (size * 2, 256);
  size = MIN (size, (guint64)ENCODE_MAX + 8);
  e->start = g_realloc (e->start, size);
  e->cur = e->start + used;
  e->end = e->start + size;
  return TRUE;
}

static inline gboolean
put_u32 (Encoder *e, guint32 v)
{
  if (G_UNLIKELY (e->end - e->cur < 4) && !enc_grow (e, 4))
    return FALSE;
  v = GUINT32_TO_BE (v);
  memcpy (e->cur, &v, 4);
  e->cur += 4;
  return TRUE;
}

static inline gboolean
put_u64 (Encoder *e, guint64 v)
{
  if (G_UNLIKELY (e->end - e->cur < 8) && !enc_grow (e, 8))
    return FALSE;
  v = GUINT64_TO_BE (v);
  memcpy (e->cur, &v, 8);
  e->cur += 8;
  return TRUE;
}

static inline gboolean
put_bytes (Encoder *e, gconstpointer data, guint32 len)
{
  guint64 padded = PAD4 (len);

  if (G_UNLIKELY ((guint64)(e->end - e->cur) < padded) && !enc_grow (e, padded))
    return FALSE;
  if (len > 0)
    memcpy (e->cur, data, len);
  /* Padding is zero, always (RFC 4506 section 3). */
  for (guint64 i = len; i < padded; i++)
    e->cur[i] = 0;
  e->cur += padded;
  return TRUE;
}

static gboolean
enc_deeper (Encoder *e, const SynodCodecPath *path)
{
  if (G_UNLIKELY (++e->depth > SYNOD_CODEC_MAX_DEPTH))
    {
      synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                             _ ("nested deeper than %d levels"), SYNOD_CODEC_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static gboolean enc_value (Encoder *e, const SynodTypeDesc *type, gconstpointer value,
                           const SynodCodecPath *path);

static gboolean
enc_elements (Encoder *e, const SynodTypeDesc *element, gconstpointer val, guint32 len,
              const SynodCodecPath *path)
{
  SynodCodecPath item = { path, NULL, 0 };
  gsize step = element->c_size;

  switch (element->kind)
    {
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_FLOAT:
        /* Every 32-bit pattern is valid: one run, no walk. */
        if (G_UNLIKELY ((guint64)(e->end - e->cur) < (guint64)len * 4)
            && !enc_grow (e, (guint64)len * 4))
          return FALSE;
        for (guint32 i = 0; i < len; i++)
          {
            guint32 v;

            memcpy (&v, (const guint8 *)val + (gsize)i * 4, 4);
            v = GUINT32_TO_BE (v);
            memcpy (e->cur, &v, 4);
            e->cur += 4;
          }
        return TRUE;
      default:
        break;
    }
  for (guint32 i = 0; i < len; i++)
    {
      item.index = i;
      if (!enc_value (e, element, (const guint8 *)val + (gsize)i * step, &item))
        return FALSE;
    }
  return TRUE;
}

static gboolean
enc_value (Encoder *e, const SynodTypeDesc *type, gconstpointer value, const SynodCodecPath *path)
{
  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return TRUE;
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_FLOAT:
        {
          guint32 v;

          memcpy (&v, value, 4);
          return put_u32 (e, v);
        }
      case SYNOD_TYPE_BOOL:
        /* Any true gboolean is 1 on the wire, as rpcgen's xdr_bool makes it. */
        return put_u32 (e, *(const gboolean *)(gconstpointer)value ? 1 : 0);
      case SYNOD_TYPE_ENUM:
        {
          gint32 v = synod_codec_get_i32 (value);

          if (G_UNLIKELY (synod_type_enum_lookup (type, v) == NULL))
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("%i is not a value of enum %s"), v,
                                     type->name != NULL ? type->name : "enum");
              return FALSE;
            }
          return put_u32 (e, (guint32)v);
        }
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_DOUBLE:
        {
          guint64 v;

          memcpy (&v, value, 8);
          return put_u64 (e, v);
        }
      case SYNOD_TYPE_QUADRUPLE:
        return put_bytes (e, value, 16);
      case SYNOD_TYPE_OBJECT_ID:
        {
          const SynodObjectId *id = value;

          return put_u64 (e, id->peer) && put_u64 (e, id->serial);
        }
      case SYNOD_TYPE_STRING:
        {
          const gchar *s = *(gchar *const *)(gconstpointer)value;
          gsize len = s != NULL ? strlen (s) : 0;

          if (G_UNLIKELY (len > type->bound))
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("string of %zu bytes is longer than its bound %u"), len,
                                     type->bound);
              return FALSE;
            }
          if (G_UNLIKELY (!synod_codec_text_is_valid (s, len)))
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("string is not valid UTF-8"));
              return FALSE;
            }
          return put_u32 (e, (guint32)len) && put_bytes (e, s, (guint32)len);
        }
      case SYNOD_TYPE_OPAQUE_FIXED:
        return put_bytes (e, value, type->bound);
      case SYNOD_TYPE_OPAQUE_VAR:
      case SYNOD_TYPE_ARRAY_VAR:
        {
          const SynodArray *array = value;
          gboolean opaque = type->kind == SYNOD_TYPE_OPAQUE_VAR;

          if (G_UNLIKELY (array->len > type->bound))
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     opaque
                                         ? _ ("opaque of %u bytes is longer than its bound %u")
                                         : _ ("array of %u elements is longer than its bound %u"),
                                     array->len, type->bound);
              return FALSE;
            }
          if (G_UNLIKELY (array->len > 0 && array->val == NULL
                          && (opaque || type->element->c_size > 0)))
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path,
                                     _ ("length is %u but there is no data"), array->len);
              return FALSE;
            }
          if (!put_u32 (e, array->len))
            return FALSE;
          if (opaque)
            return put_bytes (e, array->val, array->len);
          return enc_elements (e, type->element, array->val, array->len, path);
        }
      case SYNOD_TYPE_ARRAY_FIXED:
        return enc_elements (e, type->element, value, type->bound, path);
      case SYNOD_TYPE_OPTIONAL:
        {
          gconstpointer target = *(gconstpointer const *)(gconstpointer)value;

          if (target == NULL)
            return put_u32 (e, 0);
          return put_u32 (e, 1) && enc_value (e, type->element, target, path);
        }
      case SYNOD_TYPE_STRUCT:
        {
          SynodCodecPath field = { path, NULL, 0 };

          if (!enc_deeper (e, path))
            return FALSE;
          for (guint i = 0; i < type->n_fields; i++)
            {
              const SynodFieldDesc *f = &type->fields[i];
              gconstpointer member = (const guint8 *)(gconstpointer)value + f->offset;

              /* The common plain fields without a call. */
              switch (f->type->kind)
                {
                  case SYNOD_TYPE_INT:
                  case SYNOD_TYPE_UINT:
                  case SYNOD_TYPE_FLOAT:
                    {
                      guint32 v;

                      memcpy (&v, member, 4);
                      if (!put_u32 (e, v))
                        return FALSE;
                    }
                    continue;
                  case SYNOD_TYPE_HYPER:
                  case SYNOD_TYPE_UHYPER:
                  case SYNOD_TYPE_DOUBLE:
                    {
                      guint64 v;

                      memcpy (&v, member, 8);
                      if (!put_u64 (e, v))
                        return FALSE;
                    }
                    continue;
                  default:
                    break;
                }
              field.name = f->name;
              if (!enc_value (e, f->type, member, &field))
                return FALSE;
            }
          e->depth--;
          return TRUE;
        }
      case SYNOD_TYPE_UNION:
        {
          gint32 d = synod_codec_get_i32 (value);
          const SynodTypeDesc *dtype = type->discriminant;
          const SynodUnionArmDesc *arm;
          SynodCodecPath where = { path, type->discriminant_name, 0 };

          if (!enc_deeper (e, path))
            return FALSE;
          if (dtype->kind == SYNOD_TYPE_BOOL)
            d = d != 0;
          else if (dtype->kind == SYNOD_TYPE_ENUM && synod_type_enum_lookup (dtype, d) == NULL)
            {
              synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, &where,
                                     _ ("%i is not a value of enum %s"), d,
                                     dtype->name != NULL ? dtype->name : "enum");
              return FALSE;
            }
          arm = synod_type_union_arm (type, d);
          if (arm == NULL)
            {
              synod_codec_set_error (
                  e->error, SYNOD_ORB_ERROR_ENCODE, &where,
                  _ ("discriminant %i selects no arm and the union has no default"), d);
              return FALSE;
            }
          where.name = arm->name;
          if (!put_u32 (e, (guint32)d)
              || !enc_value (e, arm->type,
                             (const guint8 *)(gconstpointer)value + type->union_offset, &where))
            return FALSE;
          e->depth--;
          return TRUE;
        }
      default:
        synod_codec_set_error (e->error, SYNOD_ORB_ERROR_ENCODE, path, _ ("unknown type kind %d"),
                               (int)type->kind);
        return FALSE;
    }
}

/* Encodes @value into the thread's buffer. On success *ret_data points to
 * the bytes, valid until encode_finish(). */
static gboolean
encode_start (const SynodTypeDesc *type, gconstpointer value, Encoder *e, GError **error)
{
  Scratch *scratch = g_private_get (&scratch_key);
  SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };

  if (scratch == NULL)
    {
      scratch = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, scratch);
    }
  *e = (Encoder){
    .start = scratch->data,
    .cur = scratch->data,
    .end = scratch->data != NULL ? scratch->data + scratch->size : NULL,
    .error = error,
  };
  /* The buffer is the thread's until encode_finish() gives it back. */
  scratch->data = NULL;
  scratch->size = 0;

  if (enc_value (e, type, value, &root))
    return TRUE;
  if (e->too_large)
    synod_codec_set_error (error, SYNOD_ORB_ERROR_ENCODE, &root,
                           _ ("the encoding is larger than XDR streams allow (4 GiB)"));
  return FALSE;
}

static void
encode_finish (Encoder *e)
{
  Scratch *scratch = g_private_get (&scratch_key);
  gsize size = (gsize)(e->end - e->start);

  if (size <= SCRATCH_KEEP_MAX && scratch->data == NULL)
    {
      scratch->data = e->start;
      scratch->size = size;
    }
  else
    g_free (e->start);
}

/**
 * synod_value_encoded_size:
 * @type: the value's type
 * @value: the value
 *
 * Returns: the number of bytes @value encodes to, or 0 when it cannot be
 *   encoded (a string over its bound, an enum value outside the enum...);
 *   void and empty structs encode to 0 bytes too
 */
gsize
synod_value_encoded_size (const SynodTypeDesc *type, gconstpointer value)
{
  Encoder e;
  gsize size = 0;

  g_return_val_if_fail (type != NULL, 0);
  g_return_val_if_fail (value != NULL || type->c_size == 0, 0);

  if (encode_start (type, value, &e, NULL))
    size = (gsize)(e.cur - e.start);
  encode_finish (&e);
  return size;
}

/**
 * synod_value_encode_xdr:
 * @type: the value's type
 * @value: the value
 * @xdrs: an XDR stream in XDR_ENCODE mode
 * @error: return location for a SYNOD_ORB_ERROR_ENCODE error
 *
 * Appends the XDR encoding of @value to @xdrs. A value that does not fit its
 * type (bounds, enum values, union discriminants, UTF-8, nesting) writes
 * nothing; when the stream has no room for the whole encoding, how much of
 * it the stream took is up to the stream.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_value_encode_xdr (const SynodTypeDesc *type, gconstpointer value, XDR *xdrs, GError **error)
{
  Encoder e;
  gboolean ok;

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (value != NULL || type->c_size == 0, FALSE);
  g_return_val_if_fail (xdrs != NULL && xdrs->x_op == XDR_ENCODE, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = encode_start (type, value, &e, error);
  if (ok && e.cur > e.start && !XDR_PUTBYTES (xdrs, (char *)e.start, (u_int)(e.cur - e.start)))
    {
      SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };

      synod_codec_set_error (error, SYNOD_ORB_ERROR_ENCODE, &root,
                             _ ("no room for %zu bytes in the output stream"),
                             (gsize)(e.cur - e.start));
      ok = FALSE;
    }
  encode_finish (&e);
  return ok;
}

/**
 * synod_value_encode:
 * @type: the value's type
 * @value: the value
 * @error: return location for a SYNOD_ORB_ERROR_ENCODE error
 *
 * Returns: (transfer full): the XDR encoding of @value, or %NULL on error
 */
GBytes *
synod_value_encode (const SynodTypeDesc *type, gconstpointer value, GError **error)
{
  Encoder e;
  GBytes *bytes = NULL;

  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (value != NULL || type->c_size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (encode_start (type, value, &e, error))
    bytes = g_bytes_new (e.start, (gsize)(e.cur - e.start));
  encode_finish (&e);
  return bytes;
}

/* ======================================================================== */
/* Decoding                                                                 */
/* ======================================================================== */

typedef struct
{
  const guint8 *cur;
  const guint8 *end;
  gboolean memory;
  XDR *xdrs;
  guint64 left; /* stream mode: bytes the caller allows us to read */
  guint depth;
  GError **error;
} Decoder;

static inline guint64
dec_left (const Decoder *d)
{
  return d->memory ? (guint64)(d->end - d->cur) : d->left;
}

static gboolean
dec_truncated (Decoder *d, const SynodCodecPath *path, guint64 need)
{
  synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                         _ ("data truncated: %" PRIu64 " more bytes needed, %" PRIu64 " left"),
                         need, dec_left (d));
  return FALSE;
}

static gboolean
dec_u32_stream (Decoder *d, const SynodCodecPath *path, guint32 *ret)
{
  u_int v;

  if (d->memory || d->left < 4)
    return dec_truncated (d, path, 4);
  if (!xdr_u_int (d->xdrs, &v))
    {
      d->left = 0;
      return dec_truncated (d, path, 4);
    }
  d->left -= 4;
  *ret = v;
  return TRUE;
}

static inline gboolean
dec_u32 (Decoder *d, const SynodCodecPath *path, guint32 *ret)
{
  if (G_LIKELY (d->memory && d->end - d->cur >= 4))
    {
      guint32 v;

      memcpy (&v, d->cur, 4);
      d->cur += 4;
      *ret = GUINT32_FROM_BE (v);
      return TRUE;
    }
  return dec_u32_stream (d, path, ret);
}

static inline gboolean
dec_u64 (Decoder *d, const SynodCodecPath *path, guint64 *ret)
{
  guint32 hi, lo;

  if (!dec_u32 (d, path, &hi) || !dec_u32 (d, path, &lo))
    return FALSE;
  *ret = ((guint64)hi << 32) | lo;
  return TRUE;
}

static gboolean
check_padding (Decoder *d, const SynodCodecPath *path, const guint8 *pad, guint n)
{
  for (guint i = 0; i < n; i++)
    if (pad[i] != 0)
      {
        synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                               _ ("padding bytes are not zero"));
        return FALSE;
      }
  return TRUE;
}

/* Reads @len bytes and their padding, which must be zero. */
static gboolean
dec_bytes (Decoder *d, const SynodCodecPath *path, guint8 *dest, guint32 len)
{
  guint64 padded = PAD4 (len);
  guint pad = (guint)(padded - len);

  if (dec_left (d) < padded)
    return dec_truncated (d, path, padded);
  if (G_LIKELY (d->memory))
    {
      if (len > 0)
        memcpy (dest, d->cur, len);
      d->cur += padded;
      return check_padding (d, path, d->cur - pad, pad);
    }
  else
    {
      guint8 crud[4];

      if ((len > 0 && !XDR_GETBYTES (d->xdrs, (char *)(gpointer)dest, len))
          || (pad > 0 && !XDR_GETBYTES (d->xdrs, (char *)crud, pad)))
        {
          d->left = 0;
          return dec_truncated (d, path, padded);
        }
      d->left -= padded;
      return check_padding (d, path, crud, pad);
    }
}

static gboolean decode_value (Decoder *d, const SynodTypeDesc *type, guint8 *out,
                              const SynodCodecPath *path);

static gboolean
decode_string (Decoder *d, const SynodTypeDesc *type, guint8 *out, const SynodCodecPath *path)
{
  guint32 len;
  gchar *s;

  if (!dec_u32 (d, path, &len))
    return FALSE;
  if (len > type->bound)
    {
      synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                             _ ("string of %u bytes is longer than its bound %u"), len,
                             type->bound);
      return FALSE;
    }
  if (PAD4 (len) > dec_left (d))
    {
      synod_codec_set_error (
          d->error, SYNOD_ORB_ERROR_DECODE, path,
          _ ("string of %u bytes runs past the end of the data (%" PRIu64 " bytes left)"), len,
          dec_left (d));
      return FALSE;
    }
  if (G_LIKELY (d->memory))
    {
      /* Check in place, so a bad string costs no allocation. */
      guint pad = (guint)(PAD4 (len) - len);

      if (!check_padding (d, path, d->cur + len, pad))
        return FALSE;
      if (!synod_codec_text_is_valid ((const gchar *)d->cur, len))
        goto bad_text;
      s = g_malloc (len + 1);
      memcpy (s, d->cur, len);
      s[len] = '\0';
      d->cur += len + pad;
    }
  else
    {
      s = g_malloc (len + 1);
      if (!dec_bytes (d, path, (guint8 *)s, len))
        {
          g_free (s);
          return FALSE;
        }
      s[len] = '\0';
      if (!synod_codec_text_is_valid (s, len))
        {
          g_free (s);
          goto bad_text;
        }
    }
  *(gchar **)(gpointer)out = s;
  return TRUE;

bad_text:
  synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                         _ ("string is not valid UTF-8 or contains a NUL byte"));
  return FALSE;
}

static gboolean
decode_elements (Decoder *d, const SynodTypeDesc *element, guint8 *val, guint32 len,
                 const SynodCodecPath *path)
{
  SynodCodecPath item = { path, NULL, 0 };
  gsize step = element->c_size;

  switch (element->kind)
    {
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_FLOAT:
        /* Any 32-bit pattern is a valid value: copy the run in one go. */
        if (d->memory && dec_left (d) >= (guint64)len * 4)
          {
            for (guint32 i = 0; i < len; i++)
              {
                guint32 v;

                memcpy (&v, d->cur, 4);
                v = GUINT32_FROM_BE (v);
                memcpy (val + (gsize)i * 4, &v, 4);
                d->cur += 4;
              }
            return TRUE;
          }
        break;
      default:
        break;
    }

  for (guint32 i = 0; i < len; i++)
    {
      item.index = i;
      if (!decode_value (d, element, val + (gsize)i * step, &item))
        return FALSE;
    }
  return TRUE;
}

static gboolean
decode_deeper (Decoder *d, const SynodCodecPath *path)
{
  if (G_UNLIKELY (++d->depth > SYNOD_CODEC_MAX_DEPTH))
    {
      synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                             _ ("nested deeper than %d levels"), SYNOD_CODEC_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static gboolean
decode_value (Decoder *d, const SynodTypeDesc *type, guint8 *out, const SynodCodecPath *path)
{
  guint32 u;
  guint64 h;

  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        return TRUE;
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
      case SYNOD_TYPE_FLOAT:
        if (!dec_u32 (d, path, &u))
          return FALSE;
        memcpy (out, &u, 4);
        return TRUE;
      case SYNOD_TYPE_BOOL:
        if (!dec_u32 (d, path, &u))
          return FALSE;
        if (u > 1)
          {
            synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                                   _ ("bool is %u, not 0 or 1"), u);
            return FALSE;
          }
        *(gboolean *)(gpointer)out = (gboolean)u;
        return TRUE;
      case SYNOD_TYPE_ENUM:
        if (!dec_u32 (d, path, &u))
          return FALSE;
        if (synod_type_enum_lookup (type, (gint32)u) == NULL)
          {
            synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                                   _ ("%i is not a value of enum %s"), (gint32)u,
                                   type->name != NULL ? type->name : "enum");
            return FALSE;
          }
        memcpy (out, &u, 4);
        return TRUE;
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
      case SYNOD_TYPE_DOUBLE:
        if (!dec_u64 (d, path, &h))
          return FALSE;
        memcpy (out, &h, 8);
        return TRUE;
      case SYNOD_TYPE_QUADRUPLE:
        return dec_bytes (d, path, out, 16);
      case SYNOD_TYPE_OBJECT_ID:
        {
          SynodObjectId *id = (SynodObjectId *)(gpointer)out;

          return dec_u64 (d, path, &id->peer) && dec_u64 (d, path, &id->serial);
        }
      case SYNOD_TYPE_STRING:
        return decode_string (d, type, out, path);
      case SYNOD_TYPE_OPAQUE_FIXED:
        return dec_bytes (d, path, out, type->bound);
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)out;

          if (!dec_u32 (d, path, &u))
            return FALSE;
          if (u > type->bound)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                                     _ ("opaque of %u bytes is longer than its bound %u"), u,
                                     type->bound);
              return FALSE;
            }
          if (PAD4 (u) > dec_left (d))
            {
              synod_codec_set_error (
                  d->error, SYNOD_ORB_ERROR_DECODE, path,
                  _ ("opaque of %u bytes runs past the end of the data (%" PRIu64 " bytes left)"),
                  u, dec_left (d));
              return FALSE;
            }
          if (u == 0)
            return TRUE;
          array->val = g_malloc (u);
          array->len = u;
          return dec_bytes (d, path, array->val, u);
        }
      case SYNOD_TYPE_ARRAY_FIXED:
        return decode_elements (d, type->element, out, type->bound, path);
      case SYNOD_TYPE_ARRAY_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)out;
          guint64 min;

          if (!dec_u32 (d, path, &u))
            return FALSE;
          if (u > type->bound)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                                     _ ("array of %u elements is longer than its bound %u"), u,
                                     type->bound);
              return FALSE;
            }
          /* Allocate nothing the input cannot justify: every element takes
           * at least this many bytes (one, for elements that may take none). */
          min = kind_is_plain (type->element->kind) ? plain_size (type->element->kind)
                                                    : synod_type_min_encoded_size (type->element);
          if ((guint64)u * MAX (min, 1) > dec_left (d))
            {
              synod_codec_set_error (
                  d->error, SYNOD_ORB_ERROR_DECODE, path,
                  _ ("array of %u elements cannot fit in the %" PRIu64 " bytes left"), u,
                  dec_left (d));
              return FALSE;
            }
          if (u == 0)
            return TRUE;
          array->val = type->element->c_size > 0 ? g_malloc0_n (u, type->element->c_size) : NULL;
          array->len = u;
          return decode_elements (d, type->element, array->val, u, path);
        }
      case SYNOD_TYPE_OPTIONAL:
        {
          guint8 *target;

          if (!dec_u32 (d, path, &u))
            return FALSE;
          if (u == 0)
            return TRUE;
          if (u != 1)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path,
                                     _ ("optional-data flag is %u, not 0 or 1"), u);
              return FALSE;
            }
          target = g_malloc0 (MAX (type->element->c_size, 1));
          *(guint8 **)(gpointer)out = target;
          return decode_value (d, type->element, target, path);
        }
      case SYNOD_TYPE_STRUCT:
        {
          SynodCodecPath field = { path, NULL, 0 };

          if (!decode_deeper (d, path))
            return FALSE;
          for (guint i = 0; i < type->n_fields; i++)
            {
              const SynodFieldDesc *f = &type->fields[i];

              /* The common plain fields without a call. */
              if (d->memory && d->end - d->cur >= 8)
                switch (f->type->kind)
                  {
                    case SYNOD_TYPE_INT:
                    case SYNOD_TYPE_UINT:
                    case SYNOD_TYPE_FLOAT:
                      {
                        guint32 v;

                        memcpy (&v, d->cur, 4);
                        v = GUINT32_FROM_BE (v);
                        memcpy (out + f->offset, &v, 4);
                        d->cur += 4;
                      }
                      continue;
                    case SYNOD_TYPE_HYPER:
                    case SYNOD_TYPE_UHYPER:
                    case SYNOD_TYPE_DOUBLE:
                      {
                        guint64 v;

                        memcpy (&v, d->cur, 8);
                        v = GUINT64_FROM_BE (v);
                        memcpy (out + f->offset, &v, 8);
                        d->cur += 8;
                      }
                      continue;
                    default:
                      break;
                  }
              field.name = f->name;
              if (!decode_value (d, f->type, out + f->offset, &field))
                return FALSE;
            }
          d->depth--;
          return TRUE;
        }
      case SYNOD_TYPE_UNION:
        {
          const SynodTypeDesc *dtype = type->discriminant;
          const SynodUnionArmDesc *arm;
          SynodCodecPath where = { path, type->discriminant_name, 0 };
          gint32 v;

          if (!decode_deeper (d, path) || !dec_u32 (d, &where, &u))
            return FALSE;
          v = (gint32)u;
          if (dtype->kind == SYNOD_TYPE_BOOL && u > 1)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, &where,
                                     _ ("bool is %u, not 0 or 1"), u);
              return FALSE;
            }
          if (dtype->kind == SYNOD_TYPE_ENUM && synod_type_enum_lookup (dtype, v) == NULL)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, &where,
                                     _ ("%i is not a value of enum %s"), v,
                                     dtype->name != NULL ? dtype->name : "enum");
              return FALSE;
            }
          arm = synod_type_union_arm (type, v);
          if (arm == NULL)
            {
              synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, &where,
                                     _ ("unknown discriminant %i and the union has no default arm"),
                                     v);
              return FALSE;
            }
          memcpy (out, &v, 4);
          where.name = arm->name;
          if (!decode_value (d, arm->type, out + type->union_offset, &where))
            return FALSE;
          d->depth--;
          return TRUE;
        }
      default:
        synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, path, _ ("unknown type kind %d"),
                               (int)type->kind);
        return FALSE;
    }
}

/* Decodes into zeroed scratch storage and hands the value over only when
 * all went well, so @ret_value is untouched on failure. */
static gboolean
decode_root (Decoder *d, const SynodTypeDesc *type, gpointer ret_value, gboolean whole)
{
  SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };
  /* Aligned for any member a described C type may have. */
  union
  {
    guint8 bytes[256];
    gint64 i;
    gdouble f;
    gpointer p;
    long double ld;
  } small;
  guint8 *scratch = type->c_size <= sizeof small ? small.bytes : g_malloc (type->c_size);
  gboolean ok;

  memset (scratch, 0, type->c_size);
  ok = decode_value (d, type, scratch, &root);
  if (ok && whole && dec_left (d) > 0)
    {
      synod_codec_set_error (d->error, SYNOD_ORB_ERROR_DECODE, &root,
                             _ ("%" PRIu64 " bytes of trailing data after the value"),
                             dec_left (d));
      ok = FALSE;
    }
  if (ok && type->c_size > 0)
    memcpy (ret_value, scratch, type->c_size);
  else
    synod_value_clear (type, scratch);
  if (scratch != small.bytes)
    g_free (scratch);
  return ok;
}

/* The operations of an xdrmem stream over aligned memory (the kind whose
 * XDR_INLINE lends bytes). */
static const struct xdr_ops *
xdrmem_ops (void)
{
  static gsize ops;

  if (g_once_init_enter (&ops))
    {
      static guint32 probe[1];
      XDR xdrs;

      xdrmem_create (&xdrs, (char *)probe, sizeof probe, XDR_DECODE);
      g_once_init_leave (&ops, (gsize)xdrs.x_ops);
    }
  return (const struct xdr_ops *)ops;
}

/**
 * synod_value_decode_xdr:
 * @type: the type to decode
 * @xdrs: an XDR stream in XDR_DECODE mode
 * @avail: the most bytes the value may take from @xdrs (the rest of the
 *   message); no length in the data can make the decoder read or allocate
 *   beyond what this allows
 * @ret_value: (out caller-allocates): storage of @type's C size, treated as
 *   uninitialised; set only on success (free with synod_value_clear())
 * @error: return location for a SYNOD_ORB_ERROR_DECODE error
 *
 * Decodes one value and leaves the stream after it; bytes after the value
 * are the caller's. On failure the stream's position is unspecified.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_value_decode_xdr (const SynodTypeDesc *type, XDR *xdrs, guint avail, gpointer ret_value,
                        GError **error)
{
  Decoder d = { .xdrs = xdrs, .left = avail, .error = error };
  u_int end_pos = 0;
  gboolean ok;

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (xdrs != NULL && xdrs->x_op == XDR_DECODE, FALSE);
  g_return_val_if_fail (ret_value != NULL || type->c_size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Borrow the bytes of an xdrmem stream, then give back what the value
   * did not use. Only xdrmem: other streams' XDR_SETPOS cannot be relied
   * on to move back over bytes they lent. */
  if (avail > 0 && xdrs->x_ops == xdrmem_ops ())
    {
      d.cur = (const guint8 *)XDR_INLINE (xdrs, avail);
      if (d.cur != NULL)
        {
          d.memory = TRUE;
          d.end = d.cur + avail;
          end_pos = XDR_GETPOS (xdrs);
        }
    }
  ok = decode_root (&d, type, ret_value, FALSE);
  if (d.memory && ok && !XDR_SETPOS (xdrs, end_pos - (u_int)(d.end - d.cur)))
    {
      SynodCodecPath root = { NULL, synod_codec_root_name (type), 0 };

      synod_value_clear (type, ret_value);
      synod_codec_set_error (error, SYNOD_ORB_ERROR_DECODE, &root,
                             _ ("the input stream cannot be repositioned"));
      return FALSE;
    }
  return ok;
}

/**
 * synod_value_decode:
 * @type: the type to decode
 * @data: (array length=len): XDR data
 * @len: its length
 * @ret_value: (out caller-allocates): storage of @type's C size, treated as
 *   uninitialised; set only on success (free with synod_value_clear())
 * @error: return location for a SYNOD_ORB_ERROR_DECODE error
 *
 * Decodes exactly one value: bytes left over after it are an error.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_value_decode (const SynodTypeDesc *type, const guint8 *data, gsize len, gpointer ret_value,
                    GError **error)
{
  static const guint8 empty[4];
  Decoder d = { .memory = TRUE, .error = error };

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (ret_value != NULL || type->c_size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  d.cur = data != NULL ? data : empty;
  d.end = d.cur + len;
  return decode_root (&d, type, ret_value, TRUE);
}
