/* synod-key-value.c — the key-value and counter state variables.
 *
 * Both are deterministic: the key-value store keeps its keys sorted (a
 * GTree), so its snapshot, and so its digest, depend only on its contents;
 * the counter reports the agreed timestamp and the first 8 bytes of the
 * agreed seed in every result, so matching replies prove that replicas
 * agreed on those too. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-bft-error.h"
#include "synod-key-value.h"

/* ---- key-value store ---- */

struct _SynodKeyValue
{
  GObject parent_instance;
  GTree *entries; /* gchar * key -> GBytes * value */
};

static void synod_key_value_iface_init (SynodStateVariableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SynodKeyValue, synod_key_value, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SYNOD_TYPE_STATE_VARIABLE,
                                                      synod_key_value_iface_init))

static gint
key_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

static GTree *
entries_new (void)
{
  return g_tree_new_full (key_compare, NULL, g_free, (GDestroyNotify)g_bytes_unref);
}

static GBytes *
encode_result (SynodKeyValueStatus status, GBytes *value)
{
  SynodKeyValueValue v = { 0 };
  SynodKeyValueResult r = { .status = status, .value = NULL };

  if (value != NULL)
    {
      gsize len;

      v.val = (guint8 *)g_bytes_get_data (value, &len);
      v.len = len;
      r.value = &v;
    }
  return synod_value_encode (&synod_key_value_result_desc, &r, NULL);
}

static gboolean
value_equal (const SynodKeyValueValue *a, GBytes *b)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);

  return a->len == len && (len == 0 || memcmp (a->val, data, len) == 0);
}

static GBytes *
kv_execute (SynodStateVariable *sv, const SynodStateVariableContext *context, GBytes *op_bytes)
{
  SynodKeyValue *self = SYNOD_KEY_VALUE (sv);
  g_auto (SynodKeyValueOp) op = { 0 };
  GBytes *current;
  g_autoptr (GBytes) previous = NULL;

  if (!synod_key_value_op_parse (op_bytes, &op, NULL))
    return encode_result (SYNOD_KEY_VALUE_KV_BAD_OP, NULL);

  switch (op.kind)
    {
      case SYNOD_KEY_VALUE_KV_GET:
        current = g_tree_lookup (self->entries, op.u.key ? op.u.key : "");
        return encode_result (current ? SYNOD_KEY_VALUE_KV_OK : SYNOD_KEY_VALUE_KV_NOT_FOUND,
                              current);

      case SYNOD_KEY_VALUE_KV_PUT:
        if (context->read_only)
          return encode_result (SYNOD_KEY_VALUE_KV_READ_ONLY, NULL);
        {
          const gchar *key = op.u.put.key ? op.u.put.key : "";

          current = g_tree_lookup (self->entries, key);
          if (current == NULL
              && (guint)g_tree_nnodes (self->entries) >= SYNOD_KEY_VALUE_MAX_ENTRIES)
            return encode_result (SYNOD_KEY_VALUE_KV_BAD_OP, NULL);
          previous = current ? g_bytes_ref (current) : NULL;
          g_tree_replace (self->entries, g_strdup (key),
                          g_bytes_new (op.u.put.value.val, op.u.put.value.len));
          return encode_result (SYNOD_KEY_VALUE_KV_OK, previous);
        }

      case SYNOD_KEY_VALUE_KV_DELETE:
        if (context->read_only)
          return encode_result (SYNOD_KEY_VALUE_KV_READ_ONLY, NULL);
        {
          const gchar *key = op.u.key ? op.u.key : "";

          current = g_tree_lookup (self->entries, key);
          if (current == NULL)
            return encode_result (SYNOD_KEY_VALUE_KV_NOT_FOUND, NULL);
          previous = g_bytes_ref (current);
          g_tree_remove (self->entries, key);
          return encode_result (SYNOD_KEY_VALUE_KV_OK, previous);
        }

      case SYNOD_KEY_VALUE_KV_CAS:
        if (context->read_only)
          return encode_result (SYNOD_KEY_VALUE_KV_READ_ONLY, NULL);
        {
          const gchar *key = op.u.cas.key ? op.u.cas.key : "";
          gboolean match;

          current = g_tree_lookup (self->entries, key);
          if (op.u.cas.expected == NULL)
            match = current == NULL;
          else
            match = current != NULL && value_equal (op.u.cas.expected, current);
          if (!match)
            return encode_result (SYNOD_KEY_VALUE_KV_CAS_FAILED, current);
          if (current == NULL
              && (guint)g_tree_nnodes (self->entries) >= SYNOD_KEY_VALUE_MAX_ENTRIES)
            return encode_result (SYNOD_KEY_VALUE_KV_BAD_OP, NULL);
          g_tree_replace (self->entries, g_strdup (key),
                          g_bytes_new (op.u.cas.value.val, op.u.cas.value.len));
          return encode_result (SYNOD_KEY_VALUE_KV_OK, g_tree_lookup (self->entries, key));
        }

      default:
        return encode_result (SYNOD_KEY_VALUE_KV_BAD_OP, NULL);
    }
}

typedef struct
{
  SynodKeyValueEntry *entries;
  guint i;
} SnapshotBuilder;

static gboolean
snapshot_add (gpointer key, gpointer value, gpointer user_data)
{
  SnapshotBuilder *b = user_data;
  SynodKeyValueEntry *e = &b->entries[b->i++];
  gsize len;

  /* Borrowed: the snapshot is only encoded. */
  e->key = key;
  e->value.val = (guint8 *)g_bytes_get_data (value, &len);
  e->value.len = len;
  return FALSE;
}

static GBytes *
kv_snapshot (SynodStateVariable *sv)
{
  SynodKeyValue *self = SYNOD_KEY_VALUE (sv);
  guint n = g_tree_nnodes (self->entries);
  g_autofree SynodKeyValueEntry *entries = g_new0 (SynodKeyValueEntry, MAX (n, 1));
  SnapshotBuilder b = { entries, 0 };
  SynodKeyValueSnapshot snap = { .entries = { n, entries } };
  g_autoptr (GError) error = NULL;
  GBytes *out;

  g_tree_foreach (self->entries, snapshot_add, &b);
  out = synod_value_encode (&synod_key_value_snapshot_desc, &snap, &error);
  if (out == NULL)
    g_error ("cannot encode a key-value snapshot: %s", error->message);
  return out;
}

static gboolean
kv_restore (SynodStateVariable *sv, GBytes *snapshot, GError **error)
{
  SynodKeyValue *self = SYNOD_KEY_VALUE (sv);
  g_auto (SynodKeyValueSnapshot) snap = { 0 };
  g_autoptr (GTree) entries = entries_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (snapshot, &len);

  if (!synod_value_decode (&synod_key_value_snapshot_desc, data, len, &snap, error))
    return FALSE;
  for (guint i = 0; i < snap.entries.len; i++)
    {
      const gchar *key = snap.entries.val[i].key ? snap.entries.val[i].key : "";

      if (i > 0
          && strcmp (snap.entries.val[i - 1].key ? snap.entries.val[i - 1].key : "", key) >= 0)
        {
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STATE,
                       _ ("Key-value snapshot keys are not strictly sorted"));
          return FALSE;
        }
      g_tree_insert (entries, g_strdup (key),
                     g_bytes_new (snap.entries.val[i].value.val, snap.entries.val[i].value.len));
    }
  g_tree_unref (self->entries);
  self->entries = g_steal_pointer (&entries);
  return TRUE;
}

static void
synod_key_value_iface_init (SynodStateVariableInterface *iface)
{
  iface->execute = kv_execute;
  iface->snapshot = kv_snapshot;
  iface->restore = kv_restore;
}

static void
synod_key_value_finalize (GObject *object)
{
  SynodKeyValue *self = SYNOD_KEY_VALUE (object);

  g_tree_unref (self->entries);
  G_OBJECT_CLASS (synod_key_value_parent_class)->finalize (object);
}

static void
synod_key_value_class_init (SynodKeyValueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = synod_key_value_finalize;
}

static void
synod_key_value_init (SynodKeyValue *self)
{
  self->entries = entries_new ();
}

/**
 * synod_key_value_new:
 *
 * Returns: (transfer full): an empty key-value store
 */
SynodKeyValue *
synod_key_value_new (void)
{
  return g_object_new (SYNOD_TYPE_KEY_VALUE, NULL);
}

guint
synod_key_value_get_size (SynodKeyValue *self)
{
  g_return_val_if_fail (SYNOD_IS_KEY_VALUE (self), 0);
  return g_tree_nnodes (self->entries);
}

static GBytes *
encode_op (const SynodKeyValueOp *op)
{
  g_autoptr (GError) error = NULL;
  GBytes *b = synod_value_encode (&synod_key_value_op_desc, op, &error);

  if (b == NULL)
    g_debug ("key-value operation does not encode: %s", error->message);
  return b;
}

/* Returns: (transfer full) (nullable): the operation, or NULL when the key
 * or value breaks the limits of keyvalue.idl. */
GBytes *
synod_key_value_op_get (const gchar *key)
{
  SynodKeyValueOp op = { .kind = SYNOD_KEY_VALUE_KV_GET, .u.key = (gchar *)key };

  return encode_op (&op);
}

GBytes *
synod_key_value_op_delete (const gchar *key)
{
  SynodKeyValueOp op = { .kind = SYNOD_KEY_VALUE_KV_DELETE, .u.key = (gchar *)key };

  return encode_op (&op);
}

GBytes *
synod_key_value_op_put (const gchar *key, const guint8 *value, gsize value_len)
{
  SynodKeyValueOp op = { .kind = SYNOD_KEY_VALUE_KV_PUT };

  op.u.put.key = (gchar *)key;
  op.u.put.value.val = (guint8 *)value;
  op.u.put.value.len = value_len;
  return encode_op (&op);
}

GBytes *
synod_key_value_op_cas (const gchar *key, const guint8 *expected, gsize expected_len,
                        const guint8 *value, gsize value_len)
{
  SynodKeyValueValue exp = { .len = expected_len, .val = (guint8 *)expected };
  SynodKeyValueOp op = { .kind = SYNOD_KEY_VALUE_KV_CAS };

  op.u.cas.key = (gchar *)key;
  op.u.cas.expected = expected != NULL ? &exp : NULL;
  op.u.cas.value.val = (guint8 *)value;
  op.u.cas.value.len = value_len;
  return encode_op (&op);
}

gboolean
synod_key_value_op_parse (GBytes *op, SynodKeyValueOp *ret_op, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (op, &len);

  return synod_value_decode (&synod_key_value_op_desc, data, len, ret_op, error);
}

gboolean
synod_key_value_result_parse (GBytes *result, SynodKeyValueResult *ret_result, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (result, &len);

  return synod_value_decode (&synod_key_value_result_desc, data, len, ret_result, error);
}

/* ---- counter ---- */

struct _SynodCounter
{
  GObject parent_instance;
  gint64 value;
};

static void synod_counter_iface_init (SynodStateVariableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SynodCounter, synod_counter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SYNOD_TYPE_STATE_VARIABLE,
                                                      synod_counter_iface_init))

static GBytes *
counter_execute (SynodStateVariable *sv, const SynodStateVariableContext *context, GBytes *op_bytes)
{
  SynodCounter *self = SYNOD_COUNTER (sv);
  SynodKeyValueCounterOp op = { 0 };
  SynodKeyValueCounterResult r = { .timestamp = context->timestamp };
  gsize len;
  const guint8 *data = g_bytes_get_data (op_bytes, &len);

  for (guint i = 0; i < 8; i++)
    r.random = (r.random << 8) | context->seed[i];
  if (!synod_value_decode (&synod_key_value_counter_op_desc, data, len, &op, NULL))
    r.refused = TRUE;
  else if (op.kind == SYNOD_KEY_VALUE_COUNTER_ADD)
    {
      if (context->read_only)
        r.refused = TRUE;
      else
        self->value = (gint64)((guint64)self->value + (guint64)op.u.delta);
    }
  r.value = self->value;
  return synod_value_encode (&synod_key_value_counter_result_desc, &r, NULL);
}

static GBytes *
counter_snapshot (SynodStateVariable *sv)
{
  gint64 v = SYNOD_COUNTER (sv)->value;

  return synod_value_encode (&synod_type_hyper, &v, NULL);
}

static gboolean
counter_restore (SynodStateVariable *sv, GBytes *snapshot, GError **error)
{
  gint64 v = 0;
  gsize len;
  const guint8 *data = g_bytes_get_data (snapshot, &len);

  if (!synod_value_decode (&synod_type_hyper, data, len, &v, error))
    return FALSE;
  SYNOD_COUNTER (sv)->value = v;
  return TRUE;
}

static void
synod_counter_iface_init (SynodStateVariableInterface *iface)
{
  iface->execute = counter_execute;
  iface->snapshot = counter_snapshot;
  iface->restore = counter_restore;
}

static void
synod_counter_class_init (SynodCounterClass *klass)
{
}

static void
synod_counter_init (SynodCounter *self)
{
}

/**
 * synod_counter_new:
 *
 * Returns: (transfer full): a counter at 0
 */
SynodCounter *
synod_counter_new (void)
{
  return g_object_new (SYNOD_TYPE_COUNTER, NULL);
}

gint64
synod_counter_get_value (SynodCounter *self)
{
  g_return_val_if_fail (SYNOD_IS_COUNTER (self), 0);
  return self->value;
}

GBytes *
synod_counter_op_get (void)
{
  SynodKeyValueCounterOp op = { .kind = SYNOD_KEY_VALUE_COUNTER_GET };

  return synod_value_encode (&synod_key_value_counter_op_desc, &op, NULL);
}

GBytes *
synod_counter_op_add (gint64 delta)
{
  SynodKeyValueCounterOp op = { .kind = SYNOD_KEY_VALUE_COUNTER_ADD, .u.delta = delta };

  return synod_value_encode (&synod_key_value_counter_op_desc, &op, NULL);
}

gboolean
synod_counter_result_parse (GBytes *result, SynodKeyValueCounterResult *ret_result, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (result, &len);

  return synod_value_decode (&synod_key_value_counter_result_desc, data, len, ret_result, error);
}
