/* keyvalue-generated.h — C types and descriptors of bft/keyvalue.idl,
 * written by hand exactly as idl/README.md's C mapping says synod-idl
 * generates them, until synod-idl compiles bft/keyvalue.idl; then the
 * generated bft/keyvalue.h replaces this file and keyvalue-generated.c. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

#define SYNOD_KEY_VALUE_MAX_KEY 256
#define SYNOD_KEY_VALUE_MAX_VALUE 16384
#define SYNOD_KEY_VALUE_MAX_ENTRIES 1048576

typedef gchar *SynodKeyValueKey;
typedef struct
{
  guint32 len;
  guint8 *val;
} SynodKeyValueValue;

typedef enum
{
  SYNOD_KEY_VALUE_KV_GET = 1,
  SYNOD_KEY_VALUE_KV_PUT = 2,
  SYNOD_KEY_VALUE_KV_DELETE = 3,
  SYNOD_KEY_VALUE_KV_CAS = 4,
} SynodKeyValueOpKind;

typedef struct _SynodKeyValuePutArgs SynodKeyValuePutArgs;
struct _SynodKeyValuePutArgs
{
  SynodKeyValueKey key;
  SynodKeyValueValue value;
};

typedef struct _SynodKeyValueCasArgs SynodKeyValueCasArgs;
struct _SynodKeyValueCasArgs
{
  SynodKeyValueKey key;
  SynodKeyValueValue *expected;
  SynodKeyValueValue value;
};

typedef struct _SynodKeyValueOp SynodKeyValueOp;
struct _SynodKeyValueOp
{
  SynodKeyValueOpKind kind;
  union
  {
    SynodKeyValueKey key;
    SynodKeyValuePutArgs put;
    SynodKeyValueCasArgs cas;
  } u;
};

typedef enum
{
  SYNOD_KEY_VALUE_KV_OK = 0,
  SYNOD_KEY_VALUE_KV_NOT_FOUND = 1,
  SYNOD_KEY_VALUE_KV_CAS_FAILED = 2,
  SYNOD_KEY_VALUE_KV_READ_ONLY = 3,
  SYNOD_KEY_VALUE_KV_BAD_OP = 4,
} SynodKeyValueStatus;

typedef struct _SynodKeyValueResult SynodKeyValueResult;
struct _SynodKeyValueResult
{
  SynodKeyValueStatus status;
  SynodKeyValueValue *value;
};

typedef struct _SynodKeyValueEntry SynodKeyValueEntry;
struct _SynodKeyValueEntry
{
  SynodKeyValueKey key;
  SynodKeyValueValue value;
};

typedef struct _SynodKeyValueSnapshot SynodKeyValueSnapshot;
struct _SynodKeyValueSnapshot
{
  struct
  {
    guint32 len;
    SynodKeyValueEntry *val;
  } entries;
};

typedef enum
{
  SYNOD_KEY_VALUE_COUNTER_GET = 1,
  SYNOD_KEY_VALUE_COUNTER_ADD = 2,
} SynodKeyValueCounterOpKind;

typedef struct _SynodKeyValueCounterOp SynodKeyValueCounterOp;
struct _SynodKeyValueCounterOp
{
  SynodKeyValueCounterOpKind kind;
  union
  {
    gint64 delta;
  } u;
};

typedef struct _SynodKeyValueCounterResult SynodKeyValueCounterResult;
struct _SynodKeyValueCounterResult
{
  gint64 value;
  guint64 timestamp;
  guint64 random;
  gboolean refused;
};

extern const SynodTypeDesc synod_key_value_key_desc;
extern const SynodTypeDesc synod_key_value_value_desc;
extern const SynodTypeDesc synod_key_value_op_kind_desc;
extern const SynodTypeDesc synod_key_value_put_args_desc;
extern const SynodTypeDesc synod_key_value_cas_args_desc;
extern const SynodTypeDesc synod_key_value_op_desc;
extern const SynodTypeDesc synod_key_value_status_desc;
extern const SynodTypeDesc synod_key_value_result_desc;
extern const SynodTypeDesc synod_key_value_entry_desc;
extern const SynodTypeDesc synod_key_value_snapshot_desc;
extern const SynodTypeDesc synod_key_value_counter_op_kind_desc;
extern const SynodTypeDesc synod_key_value_counter_op_desc;
extern const SynodTypeDesc synod_key_value_counter_result_desc;

void synod_key_value_op_clear (SynodKeyValueOp *value);
void synod_key_value_op_free (SynodKeyValueOp *value);
void synod_key_value_op_copy (const SynodKeyValueOp *src, SynodKeyValueOp *dest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SynodKeyValueOp, synod_key_value_op_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodKeyValueOp, synod_key_value_op_free)

void synod_key_value_result_clear (SynodKeyValueResult *value);
void synod_key_value_result_free (SynodKeyValueResult *value);
void synod_key_value_result_copy (const SynodKeyValueResult *src, SynodKeyValueResult *dest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SynodKeyValueResult, synod_key_value_result_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodKeyValueResult, synod_key_value_result_free)

void synod_key_value_snapshot_clear (SynodKeyValueSnapshot *value);
void synod_key_value_snapshot_free (SynodKeyValueSnapshot *value);
void synod_key_value_snapshot_copy (const SynodKeyValueSnapshot *src, SynodKeyValueSnapshot *dest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SynodKeyValueSnapshot, synod_key_value_snapshot_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodKeyValueSnapshot, synod_key_value_snapshot_free)

G_END_DECLS
