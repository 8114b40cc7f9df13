/* pbft-store.c — record framing shared by the stores, and the memory store.
 *
 * Every value is stored as 8 check bytes (SHA-256 of table, key and payload,
 * truncated) followed by the payload, so a record damaged on disk, or moved
 * under another key, is reported as SYNOD_BFT_ERROR_STORE_CORRUPT instead
 * of being trusted. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pbft-keyring.h"
#include "pbft-store-private.h"
#include "synod-bft-error.h"

#define CHECK_SIZE 8

static void
record_check (SynodPbftTable table, GBytes *key, const guint8 *payload, gsize len, guint8 out[8])
{
  g_autoptr (GChecksum) c = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 t = table, k_len[4], digest[32];
  gsize klen, dlen = sizeof digest;
  const guint8 *k = g_bytes_get_data (key, &klen);

  k_len[0] = klen >> 24, k_len[1] = klen >> 16, k_len[2] = klen >> 8, k_len[3] = klen;
  g_checksum_update (c, &t, 1);
  g_checksum_update (c, k_len, 4);
  g_checksum_update (c, k, klen);
  g_checksum_update (c, payload, len);
  g_checksum_get_digest (c, digest, &dlen);
  memcpy (out, digest, CHECK_SIZE);
}

static GBytes *
frame (SynodPbftTable table, GBytes *key, GBytes *value)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  guint8 *out = g_malloc (len + CHECK_SIZE);

  record_check (table, key, data, len, out);
  if (len > 0)
    memcpy (out + CHECK_SIZE, data, len);
  return g_bytes_new_take (out, len + CHECK_SIZE);
}

static GBytes *
unframe (SynodPbftTable table, GBytes *key, GBytes *framed, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (framed, &len);
  guint8 check[CHECK_SIZE];

  if (len >= CHECK_SIZE)
    {
      record_check (table, key, data + CHECK_SIZE, len - CHECK_SIZE, check);
      if (memcmp (check, data, CHECK_SIZE) == 0)
        return g_bytes_new_from_bytes (framed, CHECK_SIZE, len - CHECK_SIZE);
    }
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT,
               _ ("A record of table %d of the replica store is damaged"), (int)table);
  return NULL;
}

SynodPbftStore *
synod_pbft_store_ref (SynodPbftStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_atomic_ref_count_inc (&store->ref);
  return store;
}

void
synod_pbft_store_unref (SynodPbftStore *store)
{
  if (store == NULL || !g_atomic_ref_count_dec (&store->ref))
    return;
  store->klass->abort (store);
  store->klass->finalize (store);
}

gboolean
synod_pbft_store_put (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes *value,
                      GError **error)
{
  g_autoptr (GBytes) framed = frame (table, key, value);

  return store->klass->put (store, table, key, framed, error);
}

gboolean
synod_pbft_store_get (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes **ret_value,
                      GError **error)
{
  g_autoptr (GBytes) framed = NULL;
  GBytes *value;

  if (!store->klass->get (store, table, key, &framed, error))
    return FALSE;
  value = unframe (table, key, framed, error);
  if (value == NULL)
    return FALSE;
  *ret_value = value;
  return TRUE;
}

gboolean
synod_pbft_store_delete (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GError **error)
{
  return store->klass->delete (store, table, key, error);
}

gboolean
synod_pbft_store_delete_below (SynodPbftStore *store, SynodPbftTable table, GBytes *limit,
                               GError **error)
{
  return store->klass->delete_below (store, table, limit, error);
}

typedef struct
{
  SynodPbftTable table;
  SynodPbftStoreFunc func;
  gpointer user_data;
  GError *error;
} ForeachData;

static gboolean
foreach_unframe (GBytes *key, GBytes *framed, gpointer user_data)
{
  ForeachData *d = user_data;
  g_autoptr (GBytes) value = unframe (d->table, key, framed, &d->error);

  if (value == NULL)
    return FALSE;
  return d->func (key, value, d->user_data);
}

gboolean
synod_pbft_store_foreach (SynodPbftStore *store, SynodPbftTable table, SynodPbftStoreFunc func,
                          gpointer user_data, GError **error)
{
  ForeachData d = { table, func, user_data, NULL };

  if (!store->klass->foreach (store, table, foreach_unframe, &d, error))
    {
      g_clear_error (&d.error);
      return FALSE;
    }
  if (d.error != NULL)
    {
      g_propagate_error (error, d.error);
      return FALSE;
    }
  return TRUE;
}

gboolean
synod_pbft_store_wipe (SynodPbftStore *store, GError **error)
{
  for (guint t = 0; t < SYNOD_PBFT_N_TABLES; t++)
    {
      /* Every key sorts below one byte 0xff... repeated past any real key. */
      static const guint8 top[64] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      };
      g_autoptr (GBytes) limit = g_bytes_new_static (top, sizeof top);

      if (!store->klass->delete_below (store, t, limit, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
synod_pbft_store_commit (SynodPbftStore *store, GError **error)
{
  return store->klass->commit (store, error);
}

void
synod_pbft_store_abort (SynodPbftStore *store)
{
  store->klass->abort (store);
}

/* ---- memory store ---- */

typedef struct
{
  SynodPbftTable table;
  GBytes *key;
  GBytes *old_value; /* NULL: the key was absent */
} Undo;

typedef struct
{
  SynodPbftStore parent;
  GTree *tables[SYNOD_PBFT_N_TABLES];
  GArray *undo; /* of Undo, the open transaction */
} MemoryStore;

static gint
bytes_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_bytes_compare (a, b);
}

static void
undo_clear (gpointer data)
{
  Undo *u = data;

  g_bytes_unref (u->key);
  if (u->old_value)
    g_bytes_unref (u->old_value);
}

static void
memory_remember (MemoryStore *m, SynodPbftTable table, GBytes *key)
{
  GBytes *old = g_tree_lookup (m->tables[table], key);
  Undo u = { table, g_bytes_ref (key), old ? g_bytes_ref (old) : NULL };

  g_array_append_val (m->undo, u);
}

static gboolean
memory_put (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes *value, GError **error)
{
  MemoryStore *m = (MemoryStore *)store;

  memory_remember (m, table, key);
  g_tree_replace (m->tables[table], g_bytes_ref (key), g_bytes_ref (value));
  return TRUE;
}

static gboolean
memory_get (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes **ret_value,
            GError **error)
{
  MemoryStore *m = (MemoryStore *)store;
  GBytes *v = g_tree_lookup (m->tables[table], key);

  if (v == NULL)
    return FALSE;
  *ret_value = g_bytes_ref (v);
  return TRUE;
}

static gboolean
memory_delete (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GError **error)
{
  MemoryStore *m = (MemoryStore *)store;

  if (g_tree_lookup (m->tables[table], key) == NULL)
    return TRUE;
  memory_remember (m, table, key);
  g_tree_remove (m->tables[table], key);
  return TRUE;
}

static gboolean
collect_below (gpointer key, gpointer value, gpointer user_data)
{
  GPtrArray *keys = user_data;
  GBytes *limit = g_ptr_array_index (keys, 0);

  if (g_bytes_compare (key, limit) >= 0)
    return TRUE;
  g_ptr_array_add (keys, g_bytes_ref (key));
  return FALSE;
}

static gboolean
memory_delete_below (SynodPbftStore *store, SynodPbftTable table, GBytes *limit, GError **error)
{
  MemoryStore *m = (MemoryStore *)store;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  g_ptr_array_add (keys, g_bytes_ref (limit));
  g_tree_foreach (m->tables[table], collect_below, keys);
  for (guint i = 1; i < keys->len; i++)
    memory_delete (store, table, g_ptr_array_index (keys, i), NULL);
  return TRUE;
}

typedef struct
{
  SynodPbftStoreFunc func;
  gpointer user_data;
} MemoryForeach;

static gboolean
memory_foreach_one (gpointer key, gpointer value, gpointer user_data)
{
  MemoryForeach *f = user_data;

  return !f->func (key, value, f->user_data);
}

static gboolean
memory_foreach (SynodPbftStore *store, SynodPbftTable table, SynodPbftStoreFunc func,
                gpointer user_data, GError **error)
{
  MemoryStore *m = (MemoryStore *)store;
  MemoryForeach f = { func, user_data };

  g_tree_foreach (m->tables[table], memory_foreach_one, &f);
  return TRUE;
}

static gboolean
memory_commit (SynodPbftStore *store, GError **error)
{
  MemoryStore *m = (MemoryStore *)store;

  g_array_set_size (m->undo, 0);
  return TRUE;
}

static void
memory_abort (SynodPbftStore *store)
{
  MemoryStore *m = (MemoryStore *)store;

  for (guint i = m->undo->len; i > 0; i--)
    {
      Undo *u = &g_array_index (m->undo, Undo, i - 1);

      if (u->old_value)
        g_tree_replace (m->tables[u->table], g_bytes_ref (u->key), g_bytes_ref (u->old_value));
      else
        g_tree_remove (m->tables[u->table], u->key);
    }
  g_array_set_size (m->undo, 0);
}

static void
memory_finalize (SynodPbftStore *store)
{
  MemoryStore *m = (MemoryStore *)store;

  for (guint t = 0; t < SYNOD_PBFT_N_TABLES; t++)
    g_tree_unref (m->tables[t]);
  g_array_unref (m->undo);
  g_free (m);
}

static const SynodPbftStoreClass memory_class = {
  memory_put,     memory_get,    memory_delete, memory_delete_below,
  memory_foreach, memory_commit, memory_abort,  memory_finalize,
};

/**
 * synod_pbft_store_new_memory:
 *
 * A store in memory: transactional like the LMDB one (uncommitted writes
 * vanish when the replica using it is destroyed), but not durable beyond the
 * process.
 *
 * Returns: (transfer full): the store
 */
SynodPbftStore *
synod_pbft_store_new_memory (void)
{
  MemoryStore *m = g_new0 (MemoryStore, 1);

  m->parent.klass = &memory_class;
  g_atomic_ref_count_init (&m->parent.ref);
  for (guint t = 0; t < SYNOD_PBFT_N_TABLES; t++)
    m->tables[t] = g_tree_new_full (bytes_compare, NULL, (GDestroyNotify)g_bytes_unref,
                                    (GDestroyNotify)g_bytes_unref);
  m->undo = g_array_new (FALSE, FALSE, sizeof (Undo));
  g_array_set_clear_func (m->undo, undo_clear);
  return &m->parent;
}
