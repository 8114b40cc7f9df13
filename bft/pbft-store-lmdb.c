/* pbft-store-lmdb.c — the durable store: one LMDB environment per replica,
 * one named database per table, one write transaction per replica step.
 *
 * LMDB's copy-on-write B-tree never leaves a half-written transaction
 * behind, so a replica killed with SIGKILL restarts from its last commit.
 * With @sync the commit also survives power loss (fsync); without it, the
 * commit is in the OS page cache when the step's outputs leave, which is
 * enough for a process crash but not for a machine crash. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <lmdb.h>

#include "pbft-store-private.h"
#include "synod-bft-error.h"

typedef struct
{
  SynodPbftStore parent;
  MDB_env *env;
  MDB_dbi dbi[SYNOD_PBFT_N_TABLES];
  MDB_txn *txn; /* the open write transaction, or NULL */
} LmdbStore;

static const gchar *const table_names[SYNOD_PBFT_N_TABLES] = {
  "meta",
  "entry",
  "batch",
  "checkpoint",
};

static gboolean
lmdb_fail (int rc, const gchar *what, GError **error)
{
  gint code = (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID
               || rc == MDB_VERSION_MISMATCH || rc == MDB_BAD_TXN)
                  ? SYNOD_BFT_ERROR_STORE_CORRUPT
                  : SYNOD_BFT_ERROR_STORE;

  g_set_error (error, SYNOD_BFT_ERROR, code, _ ("Replica store: %s: %s"), what, mdb_strerror (rc));
  return FALSE;
}

static gboolean
lmdb_txn (LmdbStore *s, GError **error)
{
  int rc;

  if (s->txn != NULL)
    return TRUE;
  rc = mdb_txn_begin (s->env, NULL, 0, &s->txn);
  if (rc != 0)
    {
      s->txn = NULL;
      return lmdb_fail (rc, "begin", error);
    }
  return TRUE;
}

static MDB_val
val_of (GBytes *b)
{
  gsize len;
  MDB_val v;

  v.mv_data = (void *)g_bytes_get_data (b, &len);
  v.mv_size = len;
  return v;
}

static gboolean
lmdb_put (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes *value, GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  MDB_val k = val_of (key), v = val_of (value);
  int rc;

  if (!lmdb_txn (s, error))
    return FALSE;
  rc = mdb_put (s->txn, s->dbi[table], &k, &v, 0);
  return rc == 0 || lmdb_fail (rc, "put", error);
}

static gboolean
lmdb_get (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes **ret_value,
          GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  MDB_val k = val_of (key), v;
  int rc;

  if (!lmdb_txn (s, error))
    return FALSE;
  rc = mdb_get (s->txn, s->dbi[table], &k, &v);
  if (rc == MDB_NOTFOUND)
    return FALSE;
  if (rc != 0)
    return lmdb_fail (rc, "get", error);
  *ret_value = g_bytes_new (v.mv_data, v.mv_size);
  return TRUE;
}

static gboolean
lmdb_delete (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  MDB_val k = val_of (key);
  int rc;

  if (!lmdb_txn (s, error))
    return FALSE;
  rc = mdb_del (s->txn, s->dbi[table], &k, NULL);
  return rc == 0 || rc == MDB_NOTFOUND || lmdb_fail (rc, "delete", error);
}

static gboolean
lmdb_delete_below (SynodPbftStore *store, SynodPbftTable table, GBytes *limit, GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  MDB_cursor *cur;
  MDB_val k, v, lim = val_of (limit);
  int rc;

  if (!lmdb_txn (s, error))
    return FALSE;
  rc = mdb_cursor_open (s->txn, s->dbi[table], &cur);
  if (rc != 0)
    return lmdb_fail (rc, "cursor", error);
  while ((rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST)) == 0)
    {
      if (mdb_cmp (s->txn, s->dbi[table], &k, &lim) >= 0)
        break;
      rc = mdb_cursor_del (cur, 0);
      if (rc != 0)
        break;
    }
  mdb_cursor_close (cur);
  return rc == 0 || rc == MDB_NOTFOUND || lmdb_fail (rc, "delete", error);
}

static gboolean
lmdb_foreach (SynodPbftStore *store, SynodPbftTable table, SynodPbftStoreFunc func,
              gpointer user_data, GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  MDB_cursor *cur;
  MDB_val k, v;
  int rc;

  if (!lmdb_txn (s, error))
    return FALSE;
  rc = mdb_cursor_open (s->txn, s->dbi[table], &cur);
  if (rc != 0)
    return lmdb_fail (rc, "cursor", error);
  for (rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT))
    {
      g_autoptr (GBytes) key = g_bytes_new (k.mv_data, k.mv_size);
      g_autoptr (GBytes) value = g_bytes_new (v.mv_data, v.mv_size);

      if (!func (key, value, user_data))
        break;
    }
  mdb_cursor_close (cur);
  return rc == 0 || rc == MDB_NOTFOUND || lmdb_fail (rc, "read", error);
}

static gboolean
lmdb_commit (SynodPbftStore *store, GError **error)
{
  LmdbStore *s = (LmdbStore *)store;
  int rc;

  if (s->txn == NULL)
    return TRUE;
  rc = mdb_txn_commit (s->txn);
  s->txn = NULL;
  return rc == 0 || lmdb_fail (rc, "commit", error);
}

static void
lmdb_abort (SynodPbftStore *store)
{
  LmdbStore *s = (LmdbStore *)store;

  if (s->txn != NULL)
    mdb_txn_abort (s->txn);
  s->txn = NULL;
}

static void
lmdb_finalize (SynodPbftStore *store)
{
  LmdbStore *s = (LmdbStore *)store;

  if (s->env != NULL)
    mdb_env_close (s->env);
  g_free (s);
}

static const SynodPbftStoreClass lmdb_class = {
  lmdb_put,     lmdb_get,    lmdb_delete, lmdb_delete_below,
  lmdb_foreach, lmdb_commit, lmdb_abort,  lmdb_finalize,
};

/**
 * synod_pbft_store_open_lmdb:
 * @path: a directory, created when missing (a missing store is an empty one)
 * @map_size: the most bytes the store may grow to (0: 1 GiB)
 * @sync: fsync every commit (survives power loss, not only kill -9)
 *
 * A damaged environment (bad meta pages, wrong version) gives
 * %SYNOD_BFT_ERROR_STORE_CORRUPT: the caller may move the directory aside
 * and open a fresh one, which state transfer then fills.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
static void
lmdb_store_destroy (LmdbStore *s)
{
  lmdb_finalize (&s->parent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmdbStore, lmdb_store_destroy)

SynodPbftStore *
synod_pbft_store_open_lmdb (const gchar *path, gsize map_size, gboolean sync, GError **error)
{
  g_autoptr (LmdbStore) s = NULL;
  MDB_txn *txn;
  int rc;

  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int e = errno;

      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE,
                   _ ("Cannot create the replica store directory %s: %s"), path, g_strerror (e));
      return NULL;
    }
  s = g_new0 (LmdbStore, 1);
  s->parent.klass = &lmdb_class;
  g_atomic_ref_count_init (&s->parent.ref);
  if ((rc = mdb_env_create (&s->env)) != 0)
    {
      s->env = NULL;
      lmdb_fail (rc, "create", error);
      return NULL;
    }
  mdb_env_set_maxdbs (s->env, SYNOD_PBFT_N_TABLES);
  mdb_env_set_mapsize (s->env, map_size ? map_size : (gsize)1 << 30);
  rc = mdb_env_open (s->env, path, MDB_NOTLS | (sync ? 0 : MDB_NOSYNC), 0600);
  if (rc == 0)
    rc = mdb_txn_begin (s->env, NULL, 0, &txn);
  if (rc != 0)
    {
      lmdb_fail (rc, path, error);
      return NULL;
    }
  for (guint t = 0; t < SYNOD_PBFT_N_TABLES && rc == 0; t++)
    rc = mdb_dbi_open (txn, table_names[t], MDB_CREATE, &s->dbi[t]);
  if (rc != 0)
    {
      mdb_txn_abort (txn);
      lmdb_fail (rc, path, error);
      return NULL;
    }
  if ((rc = mdb_txn_commit (txn)) != 0)
    {
      lmdb_fail (rc, path, error);
      return NULL;
    }
  return &g_steal_pointer (&s)->parent;
}

/**
 * synod_pbft_store_open_lmdb_or_reset:
 * @ret_was_reset: (out) (optional): set when a damaged store was moved aside
 *
 * Opens the store at @path; when LMDB finds it damaged, renames the
 * directory to PATH.damaged-N (kept for inspection) and opens a fresh one.
 * A replica on a fresh store is amnesic until state transfer has brought
 * it back: it counts against f until then (docs/pbft.md).
 *
 * Returns: (transfer full): the store, or %NULL when even a fresh store
 *   cannot be opened
 */
SynodPbftStore *
synod_pbft_store_open_lmdb_or_reset (const gchar *path, gsize map_size, gboolean sync,
                                     gboolean *ret_was_reset, GError **error)
{
  g_autoptr (GError) local = NULL;
  SynodPbftStore *store = synod_pbft_store_open_lmdb (path, map_size, sync, &local);

  if (ret_was_reset)
    *ret_was_reset = FALSE;
  if (store != NULL)
    return store;
  if (!g_error_matches (local, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree gchar *aside = g_strdup_printf ("%s.damaged-%u", path, i);

      if (g_file_test (aside, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (path, aside) != 0)
        {
          int e = errno;

          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE,
                       _ ("Cannot move the damaged replica store %s aside: %s"), path,
                       g_strerror (e));
          return NULL;
        }
      g_info ("replica store %s is damaged (%s); moved to %s", path, local->message, aside);
      if (ret_was_reset)
        *ret_was_reset = TRUE;
      return synod_pbft_store_open_lmdb (path, map_size, sync, error);
    }
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE,
               _ ("Too many damaged copies of the replica store %s"), path);
  return NULL;
}
