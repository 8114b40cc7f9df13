/* synod-key-value.h — two demo state variables: a key-value store and a
 * counter, with helpers that build their operations and read their results
 * (the XDR types of bft/keyvalue.idl). */
#pragma once

#include <synod.h>

#include "keyvalue.h"
#include "synod-state-variable.h"

G_BEGIN_DECLS

#define SYNOD_TYPE_KEY_VALUE (synod_key_value_get_type ())
G_DECLARE_FINAL_TYPE (SynodKeyValue, synod_key_value, SYNOD, KEY_VALUE, GObject)

SynodKeyValue *synod_key_value_new (void);
guint synod_key_value_get_size (SynodKeyValue *self);

GBytes *synod_key_value_op_get (const gchar *key);
GBytes *synod_key_value_op_put (const gchar *key, const guint8 *value, gsize value_len);
GBytes *synod_key_value_op_delete (const gchar *key);
GBytes *synod_key_value_op_cas (const gchar *key, const guint8 *expected, gsize expected_len,
                                const guint8 *value, gsize value_len);
gboolean synod_key_value_op_parse (GBytes *op, SynodKeyValueOp *ret_op, GError **error);
gboolean synod_key_value_result_parse (GBytes *result, SynodKeyValueResult *ret_result,
                                       GError **error);

#define SYNOD_TYPE_COUNTER (synod_counter_get_type ())
G_DECLARE_FINAL_TYPE (SynodCounter, synod_counter, SYNOD, COUNTER, GObject)

SynodCounter *synod_counter_new (void);
gint64 synod_counter_get_value (SynodCounter *self);

GBytes *synod_counter_op_get (void);
GBytes *synod_counter_op_add (gint64 delta);
gboolean synod_counter_result_parse (GBytes *result, SynodKeyValueCounterResult *ret_result,
                                     GError **error);

G_END_DECLS
