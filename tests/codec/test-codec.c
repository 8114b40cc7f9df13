/* The XDR codec: the encoding of each kind (bytes written out by hand from
 * RFC 4506), life cycle (clear, copy, equal), both stream modes, encoding
 * errors, and hostile input to the decoder. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "codec-test-util.h"
#include "interop-types.h"

/* ------------------------------------------------------------------------ */
/* Helpers */

static GBytes *
encode_ok (const SynodTypeDesc *type, gconstpointer value)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = synod_value_encode (type, value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (synod_value_encoded_size (type, value), ==, g_bytes_get_size (bytes));
  return bytes;
}

/* Encodes @value, compares with @hex (bytes in hex, spaces ignored), and
 * decodes the bytes back to an equal value. */
static void
check_encoding (const SynodTypeDesc *type, gconstpointer value, const gchar *hex)
{
  g_autoptr (GBytes) bytes = encode_ok (type, value);
  g_autoptr (GByteArray) want = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gpointer back = g_malloc0 (MAX (type->c_size, 1));

  for (const gchar *p = hex; *p != '\0';)
    {
      guint8 b;

      if (*p == ' ' || *p == '|')
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      b = (guint8)(g_ascii_xdigit_value (p[0]) * 16 + g_ascii_xdigit_value (p[1]));
      g_byte_array_append (want, &b, 1);
      p += 2;
    }
  codec_assert_bytes_equal (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), want->data,
                            want->len);
  g_assert_true (synod_value_decode (type, want->data, want->len, back, &error));
  g_assert_no_error (error);
  g_assert_true (synod_value_equal (type, value, back));
  synod_value_clear (type, back);
}

/* Decoding @data must fail with SYNOD_ORB_ERROR_DECODE and a message
 * containing @needle, leaving the output untouched. */
static void
check_rejects (const SynodTypeDesc *type, const guint8 *data, gsize len, const gchar *needle)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *out = g_malloc (MAX (type->c_size, 1));
  g_autofree guint8 *pattern = g_malloc (MAX (type->c_size, 1));

  memset (pattern, 0xa5, type->c_size);
  memcpy (out, pattern, type->c_size);
  g_assert_false (synod_value_decode (type, data, len, out, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DECODE);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("error “%s” does not mention “%s”", error->message, needle);
  g_assert_cmpmem (out, type->c_size, pattern, type->c_size);
}

/* Builds XDR by hand: a list of 32-bit words and raw byte runs. */
typedef struct
{
  GByteArray *bytes;
} Xdr;

static Xdr
xdr_new (void)
{
  return (Xdr){ g_byte_array_new () };
}

static void
xdr_u32 (Xdr *x, guint32 v)
{
  guint32 be = GUINT32_TO_BE (v);

  g_byte_array_append (x->bytes, (const guint8 *)&be, 4);
}

static void
xdr_raw (Xdr *x, const void *data, gsize len)
{
  g_byte_array_append (x->bytes, data, (guint)len);
}

static void
xdr_str (Xdr *x, const gchar *s)
{
  static const guint8 zeros[4];
  gsize len = strlen (s);

  xdr_u32 (x, (guint32)len);
  xdr_raw (x, s, len);
  xdr_raw (x, zeros, (4 - len % 4) % 4);
}

/* ------------------------------------------------------------------------ */
/* The encoding of each kind */

static void
test_primitives (void)
{
  gint32 i = -2;
  guint32 u = 0xdeadbeef;
  gint64 h = -3;
  guint64 uh = G_GUINT64_CONSTANT (0x0102030405060708);
  gfloat f = 1.5f;
  gdouble d = -2.0;
  gboolean b = TRUE;
  gchar *s = (gchar *)"abcde";
  SynodQuadruple q = { { 0x3f, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 } };
  SynodObjectId id = { G_GUINT64_CONSTANT (0x3f2a9c4d5e6f7a8b), 42 };
  guint8 bytes[] = { 1, 2, 3 };
  SynodArray opaque = { 3, bytes };

  g_test_summary ("Each primitive kind encodes to the bytes RFC 4506 prescribes");
  check_encoding (&synod_type_int, &i, "ff ff ff fe");
  check_encoding (&synod_type_uint, &u, "de ad be ef");
  check_encoding (&synod_type_hyper, &h, "ff ff ff ff ff ff ff fd");
  check_encoding (&synod_type_uhyper, &uh, "01 02 03 04 05 06 07 08");
  check_encoding (&synod_type_float, &f, "3f c0 00 00");
  check_encoding (&synod_type_double, &d, "c0 00 00 00 00 00 00 00");
  check_encoding (&synod_type_bool, &b, "00 00 00 01");
  b = FALSE;
  check_encoding (&synod_type_bool, &b, "00 00 00 00");
  check_encoding (&synod_type_string, &s, "00 00 00 05 61 62 63 64 | 65 00 00 00");
  s = (gchar *)"";
  check_encoding (&synod_type_string, &s, "00 00 00 00");
  check_encoding (&synod_type_quadruple, &q, "3f ff 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e");
  check_encoding (&synod_type_object_id, &id, "3f 2a 9c 4d 5e 6f 7a 8b 00 00 00 00 00 00 00 2a");
  check_encoding (&synod_type_opaque, &opaque, "00 00 00 03 01 02 03 00");
  check_encoding (&synod_type_void, NULL, "");
}

static void
test_composites (void)
{
  InteropColor color = INTEROP_BLUE;
  InteropShape shape = { .c = INTEROP_GREEN, .u.corner = { 1, -1 } };
  InteropShape blue = { .c = INTEROP_BLUE };
  InteropMaybePoint none = { .present = FALSE };
  InteropReply reply = { .kind = 2, .u.text = (gchar *)"hi" };
  InteropNode n3 = { 3, (gchar *)"c", NULL }, n2 = { 2, NULL, &n3 };
  InteropList list = &n2;
  InteropList empty = NULL;
  gint32 ints[] = { 7, 8 };
  InteropItem item = {
    .name = (gchar *)"ab",
    .quantity = 3,
    .color = INTEROP_RED,
    .sku = { 1, 2, 3, 4, 5, 6, 7, 8 },
    .tags = { 1, (InteropTag[]){ (gchar *)"t" } },
    .corners = { { 1, 2 }, { 3, 4 } },
    .fragile = TRUE,
    .serial = -1,
    .big = 2,
    .weight = 0.5f,
    .price = 1.0,
    .blob = { 0, NULL },
    .codes = { 2, ints },
  };
  InteropExtras extras = {
    .id = { 1, 2 },
    .odd = { 9, 9, 9, 9, 9 },
    .grid = { -1, 0, 1 },
    .ratios = { 1, (gfloat[]){ -1.0f } },
    .scale = 0.25,
  };

  g_test_summary ("Enums, unions (arm, void default, bool, no default), optional data and "
                  "structs with fixed and variable arrays encode as RFC 4506 says");
  check_encoding (&interop_color_desc, &color, "00 00 00 05");
  check_encoding (&interop_shape_desc, &shape, "00 00 00 01 | 00 00 00 01 | ff ff ff ff");
  check_encoding (&interop_shape_desc, &blue, "00 00 00 05");
  check_encoding (&interop_maybe_point_desc, &none, "00 00 00 00");
  check_encoding (&interop_reply_desc, &reply, "00 00 00 02 | 00 00 00 02 | 68 69 00 00");
  check_encoding (&interop_list_desc, &list,
                  "00 00 00 01 | 00 00 00 02 | 00 00 00 00 | 00 00 00 01 | 00 00 00 03 |"
                  "00 00 00 01 | 63 00 00 00 | 00 00 00 00");
  check_encoding (&interop_list_desc, &empty, "00 00 00 00");
  check_encoding (&interop_item_desc, &item,
                  "00 00 00 02 61 62 00 00"                         /* name */
                  "00 00 00 03"                                     /* quantity */
                  "00 00 00 00"                                     /* color */
                  "01 02 03 04 05 06 07 08"                         /* sku */
                  "00 00 00 01 00 00 00 01 74 00 00 00"             /* tags */
                  "00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04" /* corners */
                  "00 00 00 01"                                     /* fragile */
                  "ff ff ff ff ff ff ff ff"                         /* serial */
                  "00 00 00 00 00 00 00 02"                         /* big */
                  "3f 00 00 00"                                     /* weight */
                  "3f f0 00 00 00 00 00 00"                         /* price */
                  "00 00 00 00"                                     /* blob */
                  "00 00 00 02 00 00 00 07 00 00 00 08");           /* codes */
  check_encoding (&interop_extras_desc, &extras,
                  "00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02" /* id */
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" /* q */
                  "09 09 09 09 09 00 00 00"                         /* odd */
                  "ff ff ff ff 00 00 00 00 00 00 00 01"             /* grid */
                  "00 00 00 01 bf 80 00 00"                         /* ratios */
                  "3f d0 00 00 00 00 00 00");                       /* scale */
}

/* ------------------------------------------------------------------------ */
/* Life cycle */

static void
test_copy_equal_clear (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);

  g_test_summary ("A deep copy equals its original, owns its own memory (changing it changes "
                  "only the copy), and clear frees everything and zeroes the value");
  for (guint round = 0; round < 100; round++)
    {
      g_auto (InteropMessage) m = { 0 };
      g_auto (InteropMessage) copy = { 0 };
      static const InteropMessage zero = { 0 };

      codec_test_random_value (&interop_message_desc, &m, rand, 4);
      interop_message_copy (&m, &copy);
      g_assert_true (synod_value_equal (&interop_message_desc, &m, &copy));
      g_assert_true (m.head.sender == NULL || m.head.sender != copy.head.sender);
      g_assert_true (m.items.len == 0 || m.items.val != copy.items.val);

      g_free (copy.head.subject);
      copy.head.subject = g_strconcat (m.head.subject, "!", NULL);
      g_assert_false (synod_value_equal (&interop_message_desc, &m, &copy));

      interop_message_clear (&copy);
      g_assert_cmpmem (&copy, sizeof copy, &zero, sizeof zero);
      interop_message_clear (&copy); /* twice is harmless */
    }
}

static void
test_equal_rules (void)
{
  gchar *a = NULL, *b = (gchar *)"";
  gfloat z = 0.0f, nz = -0.0f, nan1 = NAN, nan2 = NAN;
  gboolean t1 = TRUE, t2 = 2;
  InteropMaybePoint p1 = { .present = TRUE, .u.p = { 1, 1 } };
  InteropMaybePoint p2 = { .present = 7, .u.p = { 1, 1 } };
  InteropShape s1 = { .c = INTEROP_BLUE, .u.radius = 1 }, s2 = { .c = INTEROP_BLUE, .u.radius = 2 };

  g_test_summary ("Equality is equality of encodings");
  g_assert_true (synod_value_equal (&synod_type_string, &a, &b));
  g_assert_false (synod_value_equal (&synod_type_float, &z, &nz));
  g_assert_true (synod_value_equal (&synod_type_float, &nan1, &nan2));
  g_assert_true (synod_value_equal (&synod_type_bool, &t1, &t2));
  g_assert_true (synod_value_equal (&interop_maybe_point_desc, &p1, &p2));
  /* The void arm hides the bytes behind it. */
  g_assert_true (synod_value_equal (&interop_shape_desc, &s1, &s2));
}

static void
test_new_free (void)
{
  InteropItem *item = synod_value_new (&interop_item_desc);
  g_autoptr (InteropNode) node = synod_value_new (&interop_node_desc);
  InteropItem zero = { 0 };

  g_assert_cmpmem (item, sizeof *item, &zero, sizeof zero);
  item->name = g_strdup ("x");
  item->tags.len = 1;
  item->tags.val = g_new0 (InteropTag, 1);
  item->tags.val[0] = g_strdup ("y");
  synod_value_free (&interop_item_desc, item);
  synod_value_free (&interop_item_desc, NULL);

  /* A long list built in C is freed without deep recursion. */
  for (guint i = 0; i < 100000; i++)
    {
      InteropNode *head = g_new0 (InteropNode, 1);

      head->value = (gint32)i;
      head->next = node->next;
      node->next = head;
    }
}

static void
test_bool_normalised (void)
{
  gboolean b = 42;
  InteropMaybePoint p = { .present = 9, .u.p = { 5, 6 } };
  g_autoptr (GBytes) bb = encode_ok (&synod_type_bool, &b);
  g_autoptr (GBytes) pb = encode_ok (&interop_maybe_point_desc, &p);
  static const guint8 want_b[] = { 0, 0, 0, 1 };
  static const guint8 want_p[] = { 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6 };

  g_test_summary ("A C gboolean that is neither 0 nor 1 is true on the wire, as rpcgen's "
                  "xdr_bool makes it");
  codec_assert_bytes_equal (g_bytes_get_data (bb, NULL), g_bytes_get_size (bb), want_b, 4);
  codec_assert_bytes_equal (g_bytes_get_data (pb, NULL), g_bytes_get_size (pb), want_p, 12);
}

/* ------------------------------------------------------------------------ */
/* Streams */

static void
test_streams (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);

  g_test_summary ("Encoding to and decoding from XDR streams gives the same bytes whether the "
                  "stream lends its memory (XDR_INLINE on aligned xdrmem) or not (unaligned "
                  "xdrmem: xdr_* primitives), leaves the stream after the value, and "
                  "leaves bytes after the value to the caller");
  for (guint round = 0; round < 50; round++)
    {
      g_auto (InteropMessage) m = { 0 };
      g_autoptr (GBytes) ref = NULL;
      gsize len;
      const guint8 *want;

      codec_test_random_value (&interop_message_desc, &m, rand, 3);
      ref = encode_ok (&interop_message_desc, &m);
      want = g_bytes_get_data (ref, &len);

      for (guint misalign = 0; misalign <= 1; misalign++)
        {
          g_autofree guint8 *mem = g_malloc0 (len + 64);
          guint8 *buf = mem + 4 * misalign + misalign; /* 0 or 5: aligned, then not */
          g_auto (InteropMessage) back = { 0 };
          g_autoptr (GError) error = NULL;
          guint32 tail = 0;
          XDR xdrs;

          xdrmem_create (&xdrs, (char *)buf, (u_int)len + 8, XDR_ENCODE);
          g_assert_true (xdr_u_int (&xdrs, &(u_int){ 0xabcd }));
          g_assert_true (synod_value_encode_xdr (&interop_message_desc, &m, &xdrs, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (xdr_getpos (&xdrs), ==, len + 4);
          g_assert_true (xdr_u_int (&xdrs, &(u_int){ 0x1234 }));
          xdr_destroy (&xdrs);
          codec_assert_bytes_equal (buf + 4, len, want, len);

          xdrmem_create (&xdrs, (char *)buf, (u_int)len + 8, XDR_DECODE);
          g_assert_true (xdr_u_int (&xdrs, &tail));
          g_assert_true (
              synod_value_decode_xdr (&interop_message_desc, &xdrs, (u_int)len + 4, &back, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (xdr_getpos (&xdrs), ==, len + 4);
          g_assert_true (xdr_u_int (&xdrs, &tail));
          g_assert_cmpuint (tail, ==, 0x1234);
          xdr_destroy (&xdrs);
          g_assert_true (synod_value_equal (&interop_message_desc, &m, &back));
        }
    }
}

/* A record-marking stream (what TCP transports use), backed by memory. */
typedef struct
{
  GByteArray *bytes;
  guint read_pos;
} Pipe;

static int
pipe_write (void *handle, void *buf, int len)
{
  Pipe *p = handle;

  g_byte_array_append (p->bytes, buf, (guint)len);
  return len;
}

static int
pipe_read (void *handle, void *buf, int len)
{
  Pipe *p = handle;
  guint n = MIN ((guint)len, p->bytes->len - p->read_pos);

  if (n == 0)
    return -1;
  memcpy (buf, p->bytes->data + p->read_pos, n);
  p->read_pos += n;
  return (int)n;
}

static void
test_stream_record (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);

  g_test_summary ("Values go through record-marking streams (xdrrec, small buffers so "
                  "records are fragmented) with the same bytes, and the stream stays usable "
                  "after a value, small or large");
  for (guint round = 0; round < 20; round++)
    {
      g_auto (InteropMessage) m = { 0 };
      g_auto (InteropMessage) back = { 0 };
      InteropPoint p = { 3, -4 }, q = { 0 };
      Pipe pipe = { g_byte_array_new (), 0 };
      g_autoptr (GError) error = NULL;
      guint32 tail = 0;
      XDR xdrs;

      codec_test_random_value (&interop_message_desc, &m, rand, 3);
      xdrrec_create (&xdrs, 256, 256, &pipe, pipe_read, pipe_write);
      xdrs.x_op = XDR_ENCODE;
      g_assert_true (synod_value_encode_xdr (&interop_point_desc, &p, &xdrs, &error));
      g_assert_true (synod_value_encode_xdr (&interop_message_desc, &m, &xdrs, &error));
      g_assert_no_error (error);
      g_assert_true (xdr_u_int (&xdrs, &(u_int){ 0x1234 }));
      g_assert_true (xdrrec_endofrecord (&xdrs, TRUE));
      xdr_destroy (&xdrs);

      xdrrec_create (&xdrs, 256, 256, &pipe, pipe_read, pipe_write);
      xdrs.x_op = XDR_DECODE;
      g_assert_true (xdrrec_skiprecord (&xdrs));
      g_assert_true (synod_value_decode_xdr (&interop_point_desc, &xdrs, 1 << 20, &q, &error));
      g_assert_true (synod_value_decode_xdr (&interop_message_desc, &xdrs, 1 << 20, &back, &error));
      g_assert_no_error (error);
      g_assert_true (xdr_u_int (&xdrs, &tail));
      g_assert_cmpuint (tail, ==, 0x1234);
      xdr_destroy (&xdrs);
      g_assert_true (synod_value_equal (&interop_point_desc, &p, &q));
      g_assert_true (synod_value_equal (&interop_message_desc, &m, &back));
      g_byte_array_unref (pipe.bytes);
    }
}

static void
test_stream_full (void)
{
  InteropHeader h = { .sender = (gchar *)"someone", .subject = (gchar *)"subject" };
  guint8 buf[16];
  g_autoptr (GError) error = NULL;
  XDR xdrs;

  for (guint misalign = 0; misalign <= 1; misalign++)
    {
      xdrmem_create (&xdrs, (char *)buf + misalign, sizeof buf - 1, XDR_ENCODE);
      g_assert_false (synod_value_encode_xdr (&interop_header_desc, &h, &xdrs, &error));
      g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_ENCODE);
      g_clear_error (&error);
      xdr_destroy (&xdrs);
    }
}

/* ------------------------------------------------------------------------ */
/* Encoding errors */

static void
check_encode_fails (const SynodTypeDesc *type, gconstpointer value, const gchar *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = synod_value_encode (type, value, &error);

  g_assert_null (bytes);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_ENCODE);
  if (strstr (error->message, needle) == NULL)
    g_error ("error “%s” does not mention “%s”", error->message, needle);
  g_assert_cmpuint (synod_value_encoded_size (type, value), ==, 0);
}

static void
test_encode_errors (void)
{
  g_autofree gchar *long_name = g_strnfill (65, 'n');
  InteropTag tags[4] = { (gchar *)"a", (gchar *)"b", (gchar *)"c", NULL };
  g_autofree gchar *long_tag = g_strnfill (33, 't');
  InteropItem item = { .name = (gchar *)"ok" };
  InteropMessage m = { 0 };
  InteropShape shape = { .c = 4 };
  InteropReply reply = { .kind = 3 };
  gchar *latin1 = (gchar *)"caf\xe9";
  guint8 bytes[4];
  XDR xdrs;
  g_autoptr (GError) error = NULL;

  g_test_summary ("Values that do not fit their type are refused with SYNOD_ORB_ERROR_ENCODE "
                  "naming the field, and nothing is written");
  item.name = long_name;
  check_encode_fails (&interop_item_desc, &item,
                      "item.name: string of 65 bytes is longer than "
                      "its bound 64");
  item.name = (gchar *)"ok";
  tags[3] = long_tag;
  item.tags.len = 4;
  item.tags.val = tags;
  check_encode_fails (&interop_item_desc, &item,
                      "item.tags[3]: string of 33 bytes is longer "
                      "than its bound 32");
  item.tags.len = 17;
  check_encode_fails (&interop_item_desc, &item,
                      "item.tags: array of 17 elements is longer than "
                      "its bound 16");
  item.tags.len = 0;
  item.color = 2;
  check_encode_fails (&interop_item_desc, &item,
                      "item.color: 2 is not a value of enum "
                      "Interop.color");
  item.color = INTEROP_RED;
  item.codes.len = 2;
  check_encode_fails (&interop_item_desc, &item, "item.codes: length is 2 but there is no data");
  item.codes.len = 0;
  check_encode_fails (&interop_shape_desc, &shape, "shape.c: 4 is not a value of enum");
  check_encode_fails (&interop_reply_desc, &reply,
                      "reply.kind: discriminant 3 selects no arm and the union has no default");
  check_encode_fails (&synod_type_string, &latin1, "string is not valid UTF-8");
  m.items.len = 1;
  m.items.val = &item;
  item.name = long_name;
  check_encode_fails (&interop_message_desc, &m, "message.items[0].name: string of 65 bytes");

  /* Nothing reaches the stream. */
  xdrmem_create (&xdrs, (char *)bytes, sizeof bytes, XDR_ENCODE);
  g_assert_false (synod_value_encode_xdr (&interop_message_desc, &m, &xdrs, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_ENCODE);
  g_assert_cmpuint (xdr_getpos (&xdrs), ==, 0);
  xdr_destroy (&xdrs);
}

static void
test_encode_too_deep (void)
{
  guint n = SYNOD_CODEC_MAX_DEPTH + 1;
  g_autofree InteropNode *nodes = g_new0 (InteropNode, n);
  InteropList list = nodes;

  for (guint i = 0; i + 1 < n; i++)
    nodes[i].next = &nodes[i + 1];
  check_encode_fails (&interop_list_desc, &list, "nested deeper than 256 levels");
  nodes[n - 2].next = NULL;
  {
    g_autoptr (GBytes) ok = encode_ok (&interop_list_desc, &list);

    g_assert_cmpuint (g_bytes_get_size (ok), ==, SYNOD_CODEC_MAX_DEPTH * 12 + 4);
  }

  /* A cycle built by mistake is caught by the same limit. */
  nodes[n - 2].next = &nodes[0];
  check_encode_fails (&interop_list_desc, &list, "nested deeper than 256 levels");
}

/* ------------------------------------------------------------------------ */
/* Hostile input */

static void
test_truncated (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);

  g_test_summary ("Every proper prefix of a valid encoding is refused, untouched output, no "
                  "leak (ASan checks the last)");
  for (guint round = 0; round < 5; round++)
    {
      g_auto (InteropMessage) m = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      const guint8 *data;
      gsize len;

      codec_test_random_value (&interop_message_desc, &m, rand, 3);
      bytes = encode_ok (&interop_message_desc, &m);
      data = g_bytes_get_data (bytes, &len);
      for (gsize cut = 0; cut < len; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, cut);

          check_rejects (&interop_message_desc, copy, cut, NULL);
        }
    }
}

static void
test_hostile (void)
{
  g_test_summary ("Each malformed input gets a DECODE error naming the field path");

  {
    /* A tag longer than its bound, at tags[3]. */
    Xdr x = xdr_new ();
    g_autofree gchar *long_tag = g_strnfill (40, 't');

    xdr_str (&x, "name");
    xdr_u32 (&x, 1);
    xdr_u32 (&x, INTEROP_GREEN);
    xdr_raw (&x, "12345678", 8);
    xdr_u32 (&x, 4);
    xdr_str (&x, "a");
    xdr_str (&x, "b");
    xdr_str (&x, "c");
    xdr_str (&x, long_tag);
    check_rejects (&interop_item_desc, x.bytes->data, x.bytes->len,
                   "item.tags[3]: string of 40 bytes is longer than its bound 32");
    g_byte_array_unref (x.bytes);
  }
  {
    /* A string length beyond the bytes left (within its bound). */
    Xdr x = xdr_new ();

    xdr_u32 (&x, 60);
    xdr_raw (&x, "abcd", 4);
    check_rejects (&interop_item_desc, x.bytes->data, x.bytes->len,
                   "item.name: string of 60 bytes runs past the end of the data (4 bytes left)");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Lengths at the limit of 32 bits. */
    Xdr x = xdr_new ();

    xdr_u32 (&x, G_MAXUINT32);
    check_rejects (&synod_type_string, x.bytes->data, x.bytes->len,
                   "string of 4294967295 bytes runs past the end");
    check_rejects (&synod_type_opaque, x.bytes->data, x.bytes->len,
                   "opaque of 4294967295 bytes runs past the end");
    xdr_raw (&x, "abcd", 4);
    check_rejects (&interop_extras_desc, x.bytes->data, x.bytes->len, "data truncated");
    g_byte_array_unref (x.bytes);
  }
  {
    /* A huge array count: refused before any allocation. */
    Xdr x = xdr_new ();

    xdr_raw (&x, (guint8[52]){ 0 }, 52); /* id, q, odd, grid */
    xdr_u32 (&x, 0x40000000);
    xdr_u32 (&x, 0);
    xdr_u32 (&x, 0);
    check_rejects (&interop_extras_desc, x.bytes->data, x.bytes->len,
                   "extras.ratios: array of 1073741824 elements cannot fit in the 8 bytes left");
    g_byte_array_unref (x.bytes);
  }
  {
    /* An array count over its bound. */
    Xdr x = xdr_new ();

    xdr_u32 (&x, 17);
    check_rejects (interop_item_desc.fields[4].type, x.bytes->data, x.bytes->len,
                   "value: array of 17 elements is longer than its bound 16");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Unknown discriminant, no default arm. */
    Xdr x = xdr_new ();

    xdr_u32 (&x, 3);
    xdr_u32 (&x, 0);
    check_rejects (&interop_reply_desc, x.bytes->data, x.bytes->len,
                   "reply.kind: unknown discriminant 3 and the union has no default arm");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Enum values not in the enum, as a field and as a discriminant. */
    Xdr x = xdr_new ();

    xdr_u32 (&x, 2);
    check_rejects (&interop_color_desc, x.bytes->data, x.bytes->len,
                   "2 is not a value of enum Interop.color");
    check_rejects (&interop_shape_desc, x.bytes->data, x.bytes->len,
                   "shape.c: 2 is not a value of enum Interop.color");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Booleans, optional-data flags and bool discriminants of 2. */
    Xdr x = xdr_new ();

    xdr_u32 (&x, 2);
    xdr_u32 (&x, 0);
    xdr_u32 (&x, 0);
    check_rejects (&synod_type_bool, x.bytes->data, 4, "bool is 2, not 0 or 1");
    check_rejects (&interop_maybe_point_desc, x.bytes->data, x.bytes->len,
                   "maybe_point.present: bool is 2, not 0 or 1");
    check_rejects (&interop_list_desc, x.bytes->data, x.bytes->len,
                   "list: optional-data flag is 2, not 0 or 1");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Non-zero padding after a string, a variable and a fixed opaque. */
    static const guint8 str[] = { 0, 0, 0, 1, 'a', 0, 1, 0 };
    static const guint8 opq[] = { 0, 0, 0, 2, 1, 2, 0, 9 };
    Xdr x = xdr_new ();

    check_rejects (&synod_type_string, str, sizeof str, "padding bytes are not zero");
    check_rejects (&synod_type_opaque, opq, sizeof opq, "padding bytes are not zero");
    xdr_raw (&x, (guint8[32]){ 0 }, 32);
    xdr_raw (&x, "\1\2\3\4\5\0\0\1", 8);
    check_rejects (&interop_extras_desc, x.bytes->data, x.bytes->len,
                   "extras.odd: padding bytes are not zero");
    g_byte_array_unref (x.bytes);
  }
  {
    /* Strings that are not UTF-8, or hide a NUL. */
    static const guint8 latin1[] = { 0, 0, 0, 4, 'c', 'a', 'f', 0xe9 };
    static const guint8 nul[] = { 0, 0, 0, 3, 'a', 0, 'b', 0 };

    check_rejects (&synod_type_string, latin1, sizeof latin1, "not valid UTF-8");
    check_rejects (&synod_type_string, nul, sizeof nul, "contains a NUL byte");
  }
  {
    /* Trailing garbage: refused by synod_value_decode, left to the caller
     * by synod_value_decode_xdr. */
    static const guint8 data[] = { 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff };
    InteropPoint p = { 0 };
    XDR xdrs;
    g_autoptr (GError) error = NULL;

    check_rejects (&interop_point_desc, data, sizeof data,
                   "point: 4 bytes of trailing data after the value");
    xdrmem_create (&xdrs, (char *)data, sizeof data, XDR_DECODE);
    g_assert_true (synod_value_decode_xdr (&interop_point_desc, &xdrs, sizeof data, &p, &error));
    g_assert_no_error (error);
    g_assert_cmpint (p.x, ==, 1);
    g_assert_cmpint (p.y, ==, 2);
    g_assert_cmpuint (xdr_getpos (&xdrs), ==, 8);
    xdr_destroy (&xdrs);
  }
  {
    /* The decode_xdr limit: fewer bytes allowed than the stream holds. */
    static const guint8 data[] = { 0, 0, 0, 1, 0, 0, 0, 2 };
    InteropPoint p = { 7, 7 };
    XDR xdrs;
    g_autoptr (GError) error = NULL;

    xdrmem_create (&xdrs, (char *)data, sizeof data, XDR_DECODE);
    g_assert_false (synod_value_decode_xdr (&interop_point_desc, &xdrs, 6, &p, &error));
    g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DECODE);
    g_assert_nonnull (strstr (error->message, "point.y: data truncated"));
    g_assert_cmpint (p.x, ==, 7);
    xdr_destroy (&xdrs);
  }
}

static void
test_hostile_depth (void)
{
  guint n = SYNOD_CODEC_MAX_DEPTH + 10;
  Xdr x = xdr_new ();
  InteropResult r = { 0 };
  g_autoptr (GError) error = NULL;

  g_test_summary ("Input nested deeper than SYNOD_CODEC_MAX_DEPTH is refused before the "
                  "decoder recurses further");
  for (guint i = 0; i < n; i++)
    {
      xdr_u32 (&x, 1);
      xdr_u32 (&x, (guint32)i);
      xdr_str (&x, "x");
    }
  xdr_u32 (&x, 0);
  check_rejects (&interop_list_desc, x.bytes->data, x.bytes->len, "nested deeper than 256 levels");
  /* The path names where: the 257th node. */
  g_assert_false (synod_value_decode (&interop_list_desc, x.bytes->data, x.bytes->len, &r, &error));
  g_assert_nonnull (strstr (error->message, "list.next.next.next"));
  g_byte_array_unref (x.bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/orb/codec/encoding/primitives", test_primitives);
  g_test_add_func ("/orb/codec/encoding/composites", test_composites);
  g_test_add_func ("/orb/codec/encoding/bool-normalised", test_bool_normalised);
  g_test_add_func ("/orb/codec/value/copy-equal-clear", test_copy_equal_clear);
  g_test_add_func ("/orb/codec/value/equal-rules", test_equal_rules);
  g_test_add_func ("/orb/codec/value/new-free", test_new_free);
  g_test_add_func ("/orb/codec/stream/modes", test_streams);
  g_test_add_func ("/orb/codec/stream/full", test_stream_full);
  g_test_add_func ("/orb/codec/stream/record", test_stream_record);
  g_test_add_func ("/orb/codec/encode/errors", test_encode_errors);
  g_test_add_func ("/orb/codec/encode/too-deep", test_encode_too_deep);
  g_test_add_func ("/orb/codec/decode/truncated", test_truncated);
  g_test_add_func ("/orb/codec/decode/hostile", test_hostile);
  g_test_add_func ("/orb/codec/decode/too-deep", test_hostile_depth);
  return g_test_run ();
}
