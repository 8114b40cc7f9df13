/* interop-types.c — descriptors of interop.x's types, as synod-idl emits them. */
#include "config.h"

#include "interop-types.h"

#define N_ELEMENTS(a) G_N_ELEMENTS (a)

/* An anonymous type declared inside a struct or union. */
#define ANON(sym, k, ctype, b, elem)                                                               \
  static const SynodTypeDesc sym = {                                                               \
    .kind = k,                                                                                     \
    .name = NULL,                                                                                  \
    .c_size = sizeof (ctype),                                                                      \
    .c_align = G_ALIGNOF (ctype),                                                                  \
    .bound = b,                                                                                    \
    .element = elem,                                                                               \
  }

#define FIELD(T, f, desc)                                                                          \
  {                                                                                                \
#f, &desc, G_STRUCT_OFFSET(T, f)                                                               \
  }

/* ---- enum color ---- */
static const SynodEnumValueDesc color_values[] = {
  { "RED", INTEROP_RED },
  { "GREEN", INTEROP_GREEN },
  { "BLUE", INTEROP_BLUE },
};
const SynodTypeDesc interop_color_desc = {
  .kind = SYNOD_TYPE_ENUM,
  .name = "Interop.color",
  .c_size = sizeof (InteropColor),
  .c_align = G_ALIGNOF (InteropColor),
  .values = color_values,
  .n_values = N_ELEMENTS (color_values),
};

/* ---- typedef string tag<32> ---- */
const SynodTypeDesc interop_tag_desc = {
  .kind = SYNOD_TYPE_STRING,
  .name = "Interop.tag",
  .c_size = sizeof (InteropTag),
  .c_align = G_ALIGNOF (InteropTag),
  .bound = 32,
};

/* ---- struct point ---- */
static const SynodFieldDesc point_fields[] = {
  FIELD (InteropPoint, x, synod_type_int),
  FIELD (InteropPoint, y, synod_type_int),
};
const SynodTypeDesc interop_point_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.point",
  .c_size = sizeof (InteropPoint),
  .c_align = G_ALIGNOF (InteropPoint),
  .fields = point_fields,
  .n_fields = N_ELEMENTS (point_fields),
};

/* ---- struct item ---- */
ANON (item_name_type, SYNOD_TYPE_STRING, gchar *, 64, NULL);
ANON (item_sku_type, SYNOD_TYPE_OPAQUE_FIXED, guint8[8], 8, NULL);
ANON (item_tags_type, SYNOD_TYPE_ARRAY_VAR, SynodArray, 16, &interop_tag_desc);
ANON (item_corners_type, SYNOD_TYPE_ARRAY_FIXED, InteropPoint[2], 2, &interop_point_desc);
ANON (item_blob_type, SYNOD_TYPE_OPAQUE_VAR, SynodArray, SYNOD_TYPE_UNBOUNDED, NULL);
ANON (item_codes_type, SYNOD_TYPE_ARRAY_VAR, SynodArray, 4, &synod_type_int);
static const SynodFieldDesc item_fields[] = {
  FIELD (InteropItem, name, item_name_type),      FIELD (InteropItem, quantity, synod_type_uint),
  FIELD (InteropItem, color, interop_color_desc), FIELD (InteropItem, sku, item_sku_type),
  FIELD (InteropItem, tags, item_tags_type),      FIELD (InteropItem, corners, item_corners_type),
  FIELD (InteropItem, fragile, synod_type_bool),  FIELD (InteropItem, serial, synod_type_hyper),
  FIELD (InteropItem, big, synod_type_uhyper),    FIELD (InteropItem, weight, synod_type_float),
  FIELD (InteropItem, price, synod_type_double),  FIELD (InteropItem, blob, item_blob_type),
  FIELD (InteropItem, codes, item_codes_type),
};
const SynodTypeDesc interop_item_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.item",
  .c_size = sizeof (InteropItem),
  .c_align = G_ALIGNOF (InteropItem),
  .fields = item_fields,
  .n_fields = N_ELEMENTS (item_fields),
};

/* ---- struct node, typedef node *list ---- */
ANON (node_next_type, SYNOD_TYPE_OPTIONAL, InteropNode *, 0, &interop_node_desc);
static const SynodFieldDesc node_fields[] = {
  FIELD (InteropNode, value, synod_type_int),
  FIELD (InteropNode, label, synod_type_string),
  FIELD (InteropNode, next, node_next_type),
};
const SynodTypeDesc interop_node_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.node",
  .c_size = sizeof (InteropNode),
  .c_align = G_ALIGNOF (InteropNode),
  .fields = node_fields,
  .n_fields = N_ELEMENTS (node_fields),
};
const SynodTypeDesc interop_list_desc = {
  .kind = SYNOD_TYPE_OPTIONAL,
  .name = "Interop.list",
  .c_size = sizeof (InteropList),
  .c_align = G_ALIGNOF (InteropList),
  .element = &interop_node_desc,
};

/* ---- union result ---- */
ANON (result_message_type, SYNOD_TYPE_STRING, gchar *, 128, NULL);
static const gint32 result_cases_value[] = { 0 };
static const gint32 result_cases_message[] = { 1, 2 };
static const gint32 result_cases_void[] = { 3 };
static const SynodUnionArmDesc result_arms[] = {
  { result_cases_value, 1, "value", &interop_item_desc },
  { result_cases_message, 2, "message", &result_message_type },
  { result_cases_void, 1, NULL, &synod_type_void },
};
static const SynodUnionArmDesc result_default = { NULL, 0, "code", &synod_type_int };
const SynodTypeDesc interop_result_desc = {
  .kind = SYNOD_TYPE_UNION,
  .name = "Interop.result",
  .c_size = sizeof (InteropResult),
  .c_align = G_ALIGNOF (InteropResult),
  .discriminant = &synod_type_int,
  .discriminant_name = "status",
  .union_offset = G_STRUCT_OFFSET (InteropResult, u),
  .arms = result_arms,
  .n_arms = N_ELEMENTS (result_arms),
  .default_arm = &result_default,
};

/* ---- union shape ---- */
static const gint32 shape_cases_radius[] = { INTEROP_RED };
static const gint32 shape_cases_corner[] = { INTEROP_GREEN };
static const SynodUnionArmDesc shape_arms[] = {
  { shape_cases_radius, 1, "radius", &synod_type_int },
  { shape_cases_corner, 1, "corner", &interop_point_desc },
};
static const SynodUnionArmDesc shape_default = { NULL, 0, NULL, &synod_type_void };
const SynodTypeDesc interop_shape_desc = {
  .kind = SYNOD_TYPE_UNION,
  .name = "Interop.shape",
  .c_size = sizeof (InteropShape),
  .c_align = G_ALIGNOF (InteropShape),
  .discriminant = &interop_color_desc,
  .discriminant_name = "c",
  .union_offset = G_STRUCT_OFFSET (InteropShape, u),
  .arms = shape_arms,
  .n_arms = N_ELEMENTS (shape_arms),
  .default_arm = &shape_default,
};

/* ---- union maybe_point ---- */
static const gint32 maybe_point_cases_p[] = { TRUE };
static const gint32 maybe_point_cases_void[] = { FALSE };
static const SynodUnionArmDesc maybe_point_arms[] = {
  { maybe_point_cases_p, 1, "p", &interop_point_desc },
  { maybe_point_cases_void, 1, NULL, &synod_type_void },
};
const SynodTypeDesc interop_maybe_point_desc = {
  .kind = SYNOD_TYPE_UNION,
  .name = "Interop.maybe_point",
  .c_size = sizeof (InteropMaybePoint),
  .c_align = G_ALIGNOF (InteropMaybePoint),
  .discriminant = &synod_type_bool,
  .discriminant_name = "present",
  .union_offset = G_STRUCT_OFFSET (InteropMaybePoint, u),
  .arms = maybe_point_arms,
  .n_arms = N_ELEMENTS (maybe_point_arms),
};

/* ---- union reply ---- */
ANON (reply_text_type, SYNOD_TYPE_STRING, gchar *, 16, NULL);
static const gint32 reply_cases_number[] = { 1 };
static const gint32 reply_cases_text[] = { 2 };
static const SynodUnionArmDesc reply_arms[] = {
  { reply_cases_number, 1, "number", &synod_type_int },
  { reply_cases_text, 1, "text", &reply_text_type },
};
const SynodTypeDesc interop_reply_desc = {
  .kind = SYNOD_TYPE_UNION,
  .name = "Interop.reply",
  .c_size = sizeof (InteropReply),
  .c_align = G_ALIGNOF (InteropReply),
  .discriminant = &synod_type_uint,
  .discriminant_name = "kind",
  .union_offset = G_STRUCT_OFFSET (InteropReply, u),
  .arms = reply_arms,
  .n_arms = N_ELEMENTS (reply_arms),
};

/* ---- struct extras ---- */
ANON (extras_odd_type, SYNOD_TYPE_OPAQUE_FIXED, guint8[5], 5, NULL);
ANON (extras_grid_type, SYNOD_TYPE_ARRAY_FIXED, gint32[3], 3, &synod_type_int);
ANON (extras_ratios_type, SYNOD_TYPE_ARRAY_VAR, SynodArray, SYNOD_TYPE_UNBOUNDED,
      &synod_type_float);
static const SynodFieldDesc extras_fields[] = {
  FIELD (InteropExtras, id, synod_type_object_id),
  FIELD (InteropExtras, q, synod_type_quadruple),
  FIELD (InteropExtras, odd, extras_odd_type),
  FIELD (InteropExtras, grid, extras_grid_type),
  FIELD (InteropExtras, ratios, extras_ratios_type),
  FIELD (InteropExtras, scale, synod_type_double),
};
const SynodTypeDesc interop_extras_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.extras",
  .c_size = sizeof (InteropExtras),
  .c_align = G_ALIGNOF (InteropExtras),
  .fields = extras_fields,
  .n_fields = N_ELEMENTS (extras_fields),
};

/* ---- struct header ---- */
ANON (header_sender_type, SYNOD_TYPE_STRING, gchar *, 64, NULL);
ANON (header_subject_type, SYNOD_TYPE_STRING, gchar *, 256, NULL);
ANON (header_labels_type, SYNOD_TYPE_ARRAY_VAR, SynodArray, 8, &interop_tag_desc);
static const SynodFieldDesc header_fields[] = {
  FIELD (InteropHeader, sender, header_sender_type),
  FIELD (InteropHeader, subject, header_subject_type),
  FIELD (InteropHeader, timestamp, synod_type_uhyper),
  FIELD (InteropHeader, origin, interop_point_desc),
  FIELD (InteropHeader, labels, header_labels_type),
};
const SynodTypeDesc interop_header_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.header",
  .c_size = sizeof (InteropHeader),
  .c_align = G_ALIGNOF (InteropHeader),
  .fields = header_fields,
  .n_fields = N_ELEMENTS (header_fields),
};

/* ---- struct message ---- */
ANON (message_items_type, SYNOD_TYPE_ARRAY_VAR, SynodArray, INTEROP_MAX_ITEMS, &interop_item_desc);
ANON (message_payload_type, SYNOD_TYPE_OPAQUE_VAR, SynodArray, INTEROP_PAYLOAD_MAX, NULL);
static const SynodFieldDesc message_fields[] = {
  FIELD (InteropMessage, head, interop_header_desc),
  FIELD (InteropMessage, items, message_items_type),
  FIELD (InteropMessage, payload, message_payload_type),
  FIELD (InteropMessage, trail, interop_list_desc),
  FIELD (InteropMessage, outcome, interop_result_desc),
  FIELD (InteropMessage, outline, interop_shape_desc),
  FIELD (InteropMessage, focus, interop_maybe_point_desc),
  FIELD (InteropMessage, answer, interop_reply_desc),
};
const SynodTypeDesc interop_message_desc = {
  .kind = SYNOD_TYPE_STRUCT,
  .name = "Interop.message",
  .c_size = sizeof (InteropMessage),
  .c_align = G_ALIGNOF (InteropMessage),
  .fields = message_fields,
  .n_fields = N_ELEMENTS (message_fields),
};

/* ---- life cycle ---- */
#define INTEROP_DEFINE_LIFE_CYCLE(T, t)                                                            \
  void t##_clear (T *value) { synod_value_clear (&t##_desc, value); }                              \
  void t##_free (T *value) { synod_value_free (&t##_desc, value); }                                \
  void t##_copy (const T *src, T *dest) { synod_value_copy (&t##_desc, src, dest); }

INTEROP_DEFINE_LIFE_CYCLE (InteropItem, interop_item)
INTEROP_DEFINE_LIFE_CYCLE (InteropNode, interop_node)
INTEROP_DEFINE_LIFE_CYCLE (InteropResult, interop_result)
INTEROP_DEFINE_LIFE_CYCLE (InteropReply, interop_reply)
INTEROP_DEFINE_LIFE_CYCLE (InteropExtras, interop_extras)
INTEROP_DEFINE_LIFE_CYCLE (InteropHeader, interop_header)
INTEROP_DEFINE_LIFE_CYCLE (InteropMessage, interop_message)
