/* keyvalue-generated.c — descriptors and value functions of
 * bft/keyvalue.idl, written by hand as synod-idl generates them. */
#include "config.h"

#include "keyvalue-generated.h"

#define FIELD(T, f, d)                                                                         \
  {                                                                                            \
    #f, d, G_STRUCT_OFFSET (T, f)                                                              \
  }
#define STRUCT_DESC(sym, idl_name, T, field_list)                                                  \
  const SynodTypeDesc sym = {                                                                  \
    .kind = SYNOD_TYPE_STRUCT, .name = idl_name, .c_size = sizeof (T),                         \
    .c_align = G_ALIGNOF (T), .fields = field_list, .n_fields = G_N_ELEMENTS (field_list),             \
  }
#define ARM(case_array, arm_name, d)                                                           \
  {                                                                                            \
    case_array, G_N_ELEMENTS (case_array), arm_name, d                                         \
  }

const SynodTypeDesc synod_key_value_key_desc = {
  .kind = SYNOD_TYPE_STRING, .name = "Synod.KeyValue.Key", .c_size = sizeof (gchar *),
  .c_align = G_ALIGNOF (gchar *), .bound = SYNOD_KEY_VALUE_MAX_KEY,
};
const SynodTypeDesc synod_key_value_value_desc = {
  .kind = SYNOD_TYPE_OPAQUE_VAR, .name = "Synod.KeyValue.Value", .c_size = sizeof (SynodArray),
  .c_align = G_ALIGNOF (SynodArray), .bound = SYNOD_KEY_VALUE_MAX_VALUE,
};
static const SynodTypeDesc anon_optional_value = {
  .kind = SYNOD_TYPE_OPTIONAL, .name = NULL, .c_size = sizeof (gpointer),
  .c_align = G_ALIGNOF (gpointer), .element = &synod_key_value_value_desc,
};
static const SynodTypeDesc anon_entries = {
  .kind = SYNOD_TYPE_ARRAY_VAR, .name = NULL, .c_size = sizeof (SynodArray),
  .c_align = G_ALIGNOF (SynodArray), .bound = SYNOD_KEY_VALUE_MAX_ENTRIES,
  .element = &synod_key_value_entry_desc,
};

static const SynodEnumValueDesc op_kind_values[] = {
  { "KV_GET", 1 }, { "KV_PUT", 2 }, { "KV_DELETE", 3 }, { "KV_CAS", 4 },
};
const SynodTypeDesc synod_key_value_op_kind_desc = {
  .kind = SYNOD_TYPE_ENUM, .name = "Synod.KeyValue.OpKind", .c_size = sizeof (SynodKeyValueOpKind),
  .c_align = G_ALIGNOF (SynodKeyValueOpKind), .values = op_kind_values,
  .n_values = G_N_ELEMENTS (op_kind_values),
};

static const SynodFieldDesc put_args_fields[] = {
  FIELD (SynodKeyValuePutArgs, key, &synod_key_value_key_desc),
  FIELD (SynodKeyValuePutArgs, value, &synod_key_value_value_desc),
};
STRUCT_DESC (synod_key_value_put_args_desc, "Synod.KeyValue.PutArgs", SynodKeyValuePutArgs,
             put_args_fields);

static const SynodFieldDesc cas_args_fields[] = {
  FIELD (SynodKeyValueCasArgs, key, &synod_key_value_key_desc),
  FIELD (SynodKeyValueCasArgs, expected, &anon_optional_value),
  FIELD (SynodKeyValueCasArgs, value, &synod_key_value_value_desc),
};
STRUCT_DESC (synod_key_value_cas_args_desc, "Synod.KeyValue.CasArgs", SynodKeyValueCasArgs,
             cas_args_fields);

static const gint32 op_case_key[] = { 1, 3 };
static const gint32 op_case_put[] = { 2 };
static const gint32 op_case_cas[] = { 4 };
static const SynodUnionArmDesc op_arms[] = {
  ARM (op_case_key, "key", &synod_key_value_key_desc),
  ARM (op_case_put, "put", &synod_key_value_put_args_desc),
  ARM (op_case_cas, "cas", &synod_key_value_cas_args_desc),
};
const SynodTypeDesc synod_key_value_op_desc = {
  .kind = SYNOD_TYPE_UNION, .name = "Synod.KeyValue.Op", .c_size = sizeof (SynodKeyValueOp),
  .c_align = G_ALIGNOF (SynodKeyValueOp), .discriminant = &synod_key_value_op_kind_desc,
  .discriminant_name = "kind", .union_offset = G_STRUCT_OFFSET (SynodKeyValueOp, u),
  .arms = op_arms, .n_arms = G_N_ELEMENTS (op_arms),
};

static const SynodEnumValueDesc status_values[] = {
  { "KV_OK", 0 }, { "KV_NOT_FOUND", 1 }, { "KV_CAS_FAILED", 2 }, { "KV_READ_ONLY", 3 },
  { "KV_BAD_OP", 4 },
};
const SynodTypeDesc synod_key_value_status_desc = {
  .kind = SYNOD_TYPE_ENUM, .name = "Synod.KeyValue.Status", .c_size = sizeof (SynodKeyValueStatus),
  .c_align = G_ALIGNOF (SynodKeyValueStatus), .values = status_values,
  .n_values = G_N_ELEMENTS (status_values),
};

static const SynodFieldDesc result_fields[] = {
  FIELD (SynodKeyValueResult, status, &synod_key_value_status_desc),
  FIELD (SynodKeyValueResult, value, &anon_optional_value),
};
STRUCT_DESC (synod_key_value_result_desc, "Synod.KeyValue.Result", SynodKeyValueResult,
             result_fields);

static const SynodFieldDesc entry_fields[] = {
  FIELD (SynodKeyValueEntry, key, &synod_key_value_key_desc),
  FIELD (SynodKeyValueEntry, value, &synod_key_value_value_desc),
};
STRUCT_DESC (synod_key_value_entry_desc, "Synod.KeyValue.Entry", SynodKeyValueEntry, entry_fields);

static const SynodFieldDesc snapshot_fields[] = {
  FIELD (SynodKeyValueSnapshot, entries, &anon_entries),
};
STRUCT_DESC (synod_key_value_snapshot_desc, "Synod.KeyValue.Snapshot", SynodKeyValueSnapshot,
             snapshot_fields);

static const SynodEnumValueDesc counter_op_kind_values[] = {
  { "COUNTER_GET", 1 },
  { "COUNTER_ADD", 2 },
};
const SynodTypeDesc synod_key_value_counter_op_kind_desc = {
  .kind = SYNOD_TYPE_ENUM, .name = "Synod.KeyValue.CounterOpKind",
  .c_size = sizeof (SynodKeyValueCounterOpKind), .c_align = G_ALIGNOF (SynodKeyValueCounterOpKind),
  .values = counter_op_kind_values, .n_values = G_N_ELEMENTS (counter_op_kind_values),
};
static const gint32 counter_case_get[] = { 1 };
static const gint32 counter_case_add[] = { 2 };
static const SynodUnionArmDesc counter_op_arms[] = {
  ARM (counter_case_get, NULL, &synod_type_void),
  ARM (counter_case_add, "delta", &synod_type_hyper),
};
const SynodTypeDesc synod_key_value_counter_op_desc = {
  .kind = SYNOD_TYPE_UNION, .name = "Synod.KeyValue.CounterOp",
  .c_size = sizeof (SynodKeyValueCounterOp), .c_align = G_ALIGNOF (SynodKeyValueCounterOp),
  .discriminant = &synod_key_value_counter_op_kind_desc, .discriminant_name = "kind",
  .union_offset = G_STRUCT_OFFSET (SynodKeyValueCounterOp, u), .arms = counter_op_arms,
  .n_arms = G_N_ELEMENTS (counter_op_arms),
};

static const SynodFieldDesc counter_result_fields[] = {
  FIELD (SynodKeyValueCounterResult, value, &synod_type_hyper),
  FIELD (SynodKeyValueCounterResult, timestamp, &synod_type_uhyper),
  FIELD (SynodKeyValueCounterResult, random, &synod_type_uhyper),
  FIELD (SynodKeyValueCounterResult, refused, &synod_type_bool),
};
STRUCT_DESC (synod_key_value_counter_result_desc, "Synod.KeyValue.CounterResult",
             SynodKeyValueCounterResult, counter_result_fields);

#define VALUE_FUNCS(Type, prefix, desc)                                                        \
  void prefix##_clear (Type *value) { synod_value_clear (&desc, value); }                      \
  void prefix##_free (Type *value) { synod_value_free (&desc, value); }                        \
  void prefix##_copy (const Type *src, Type *dest) { synod_value_copy (&desc, src, dest); }

VALUE_FUNCS (SynodKeyValueOp, synod_key_value_op, synod_key_value_op_desc)
VALUE_FUNCS (SynodKeyValueResult, synod_key_value_result, synod_key_value_result_desc)
VALUE_FUNCS (SynodKeyValueSnapshot, synod_key_value_snapshot, synod_key_value_snapshot_desc)
