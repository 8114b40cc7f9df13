/* synod-url-directory.c — the longest-prefix map of URLdirectory. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "synod-url-directory.h"

typedef struct
{
  const gchar *ptr;
  gsize len;
} Key;

typedef struct
{
  Key key; /* points into @prefix */
  gchar *prefix;
  SynodHttpHandler *handler;
} Entry;

struct _SynodUrlDirectory
{
  gint ref_count;
  GRWLock lock;
  GHashTable *tables[2]; /* by SynodUrlMatch: Key* -> Entry* (the key lives in the entry) */
  guint max_entries;
};

static guint
key_hash (gconstpointer p)
{
  const Key *k = p;
  guint32 h = 2166136261u; /* FNV-1a */

  for (gsize i = 0; i < k->len; i++)
    h = (h ^ (guchar)k->ptr[i]) * 16777619u;
  return h;
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;

  return x->len == y->len && memcmp (x->ptr, y->ptr, x->len) == 0;
}

static void
entry_free (gpointer p)
{
  Entry *e = p;

  synod_http_handler_unref (e->handler);
  g_free (e->prefix);
  g_free (e);
}

/* An entry that left the directory: its handler hears of it (outside the
 * directory's lock, since the handler may take others), then it is freed. */
static void
entry_release (Entry *e)
{
  if (e == NULL)
    return;
  synod_http_handler_notify_unregistered (e->handler);
  entry_free (e);
}

/**
 * synod_url_directory_new:
 * @max_entries: most registrations (0 for the default)
 *
 * Returns: (transfer full): an empty directory
 */
SynodUrlDirectory *
synod_url_directory_new (guint max_entries)
{
  SynodUrlDirectory *d = g_new0 (SynodUrlDirectory, 1);

  d->ref_count = 1;
  g_rw_lock_init (&d->lock);
  for (guint i = 0; i < 2; i++)
    d->tables[i] = g_hash_table_new (key_hash, key_equal);
  d->max_entries = max_entries != 0 ? max_entries : SYNOD_URL_DIRECTORY_DEFAULT_MAX_ENTRIES;
  return d;
}

SynodUrlDirectory *
synod_url_directory_ref (SynodUrlDirectory *d)
{
  g_return_val_if_fail (d != NULL, NULL);
  g_atomic_int_inc (&d->ref_count);
  return d;
}

void
synod_url_directory_unref (SynodUrlDirectory *d)
{
  if (d == NULL || !g_atomic_int_dec_and_test (&d->ref_count))
    return;
  for (guint i = 0; i < 2; i++)
    {
      GHashTableIter it;
      gpointer value;

      g_hash_table_iter_init (&it, d->tables[i]);
      while (g_hash_table_iter_next (&it, NULL, &value))
        {
          g_hash_table_iter_steal (&it);
          entry_release (value);
        }
    }
  g_hash_table_unref (d->tables[0]);
  g_hash_table_unref (d->tables[1]);
  g_rw_lock_clear (&d->lock);
  g_free (d);
}

/**
 * synod_url_directory_register:
 * @path: a path starting with '/'
 * @match: a prefix (subtree) or exact registration
 * @handler: (transfer none): who serves it (the directory takes a reference)
 *
 * Registers @handler at @path, replacing an earlier registration of the
 * same kind there.
 *
 * Returns: %FALSE (SYNOD_HTTP_ERROR_LIMIT) when the directory is full, or
 *   (SYNOD_HTTP_ERROR_CONFIG) when @prefix is not a path
 */
gboolean
synod_url_directory_register (SynodUrlDirectory *d, const gchar *prefix, SynodUrlMatch match,
                              SynodHttpHandler *handler, GError **error)
{
  GHashTable *t;
  Entry *e;
  Entry *old;

  g_return_val_if_fail (d != NULL && prefix != NULL && handler != NULL, FALSE);
  if (prefix[0] != '/')
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("URL directory prefix “%s” does not start with “/”"), prefix);
      return FALSE;
    }
  e = g_new0 (Entry, 1);
  e->prefix = g_strdup (prefix);
  e->key.ptr = e->prefix;
  e->key.len = strlen (prefix);
  e->handler = synod_http_handler_ref (handler);

  t = d->tables[match == SYNOD_URL_MATCH_EXACT];
  g_rw_lock_writer_lock (&d->lock);
  if (g_hash_table_size (d->tables[0]) + g_hash_table_size (d->tables[1]) >= d->max_entries
      && !g_hash_table_contains (t, &e->key))
    {
      g_rw_lock_writer_unlock (&d->lock);
      entry_free (e);
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_LIMIT,
                   _ ("URL directory full (%u entries)"), d->max_entries);
      return FALSE;
    }
  old = g_hash_table_lookup (t, &e->key);
  if (old != NULL)
    g_hash_table_steal (t, &old->key);
  g_hash_table_insert (t, &e->key, e);
  g_rw_lock_writer_unlock (&d->lock);
  entry_release (old);
  return TRUE;
}

/**
 * synod_url_directory_forget:
 * @path: a registered path
 * @match: which kind of registration
 * @only_if: (nullable): forget only while this handler is the one registered
 *   (a cache evicting its document must not remove a newer registration)
 *
 * Returns: whether a registration was removed
 */
gboolean
synod_url_directory_forget (SynodUrlDirectory *d, const gchar *prefix, SynodUrlMatch match,
                            SynodHttpHandler *only_if)
{
  GHashTable *t = d->tables[match == SYNOD_URL_MATCH_EXACT];
  Key k = { prefix, strlen (prefix) };
  Entry *e;

  g_rw_lock_writer_lock (&d->lock);
  e = g_hash_table_lookup (t, &k);
  if (e != NULL && (only_if == NULL || e->handler == only_if))
    g_hash_table_steal (t, &k);
  else
    e = NULL;
  g_rw_lock_writer_unlock (&d->lock);
  entry_release (e);
  return e != NULL;
}

static Entry *
lookup_locked (SynodUrlDirectory *d, const gchar *path, gsize len, gboolean *ret_exact)
{
  Key k = { path, len };
  GHashTable *prefixes = d->tables[SYNOD_URL_MATCH_PREFIX];
  Entry *e = g_hash_table_lookup (d->tables[SYNOD_URL_MATCH_EXACT], &k);

  *ret_exact = e != NULL;
  if (e != NULL || (e = g_hash_table_lookup (prefixes, &k)) != NULL)
    return e;
  /* Shorter candidates, longest first: "/a/b" -> "/a/", "/a", "/". */
  for (gsize i = len; i > 0; i--)
    {
      if (path[i - 1] != '/')
        continue;
      if (i < len || i == len)
        {
          k.len = i; /* with the slash */
          if (k.len != len && (e = g_hash_table_lookup (prefixes, &k)) != NULL)
            return e;
        }
      if (i > 1)
        {
          k.len = i - 1; /* without it */
          if ((e = g_hash_table_lookup (prefixes, &k)) != NULL)
            return e;
        }
    }
  return NULL;
}

/**
 * synod_url_directory_lookup_full:
 * @path: a normalized path
 * @path_len: its length
 * @ret_prefix: (out) (optional) (transfer full): the registration that matched
 * @ret_match: (out) (optional): its kind
 *
 * Returns: (transfer full) (nullable): the handler of the longest
 *   registration matching @path
 */
SynodHttpHandler *
synod_url_directory_lookup_full (SynodUrlDirectory *d, const gchar *path, gsize path_len,
                                 gchar **ret_prefix, SynodUrlMatch *ret_match)
{
  SynodHttpHandler *h = NULL;
  gboolean exact = FALSE;
  Entry *e;

  g_rw_lock_reader_lock (&d->lock);
  e = lookup_locked (d, path, path_len, &exact);
  if (e != NULL)
    {
      h = synod_http_handler_ref (e->handler);
      if (ret_prefix != NULL)
        *ret_prefix = g_strdup (e->prefix);
      if (ret_match != NULL)
        *ret_match = exact ? SYNOD_URL_MATCH_EXACT : SYNOD_URL_MATCH_PREFIX;
    }
  g_rw_lock_reader_unlock (&d->lock);
  return h;
}

/**
 * synod_url_directory_lookup:
 * @path: a normalized path
 * @path_len: its length
 * @ret_prefix: (out) (optional) (transfer full): the registration that matched
 *
 * Returns: (transfer full) (nullable): the handler of the longest
 *   registration matching @path
 */
SynodHttpHandler *
synod_url_directory_lookup (SynodUrlDirectory *d, const gchar *path, gsize path_len,
                            gchar **ret_prefix)
{
  return synod_url_directory_lookup_full (d, path, path_len, ret_prefix, NULL);
}

guint
synod_url_directory_get_size (SynodUrlDirectory *d)
{
  guint n;

  g_rw_lock_reader_lock (&d->lock);
  n = g_hash_table_size (d->tables[0]) + g_hash_table_size (d->tables[1]);
  g_rw_lock_reader_unlock (&d->lock);
  return n;
}

static void
url_entry_free (gpointer p)
{
  SynodUrlEntry *e = p;

  g_free (e->path);
  synod_http_handler_unref (e->handler);
  g_free (e);
}

static gint
url_entry_compare (gconstpointer a, gconstpointer b)
{
  const SynodUrlEntry *x = *(SynodUrlEntry *const *)a, *y = *(SynodUrlEntry *const *)b;
  gint c = strcmp (x->path, y->path);

  return c != 0 ? c : (gint)x->match - (gint)y->match;
}

/**
 * synod_url_directory_list:
 *
 * Returns: (transfer full) (element-type SynodUrlEntry): every registration,
 *   sorted by path then kind (prefix first)
 */
GPtrArray *
synod_url_directory_list (SynodUrlDirectory *d)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (url_entry_free);

  g_rw_lock_reader_lock (&d->lock);
  for (guint i = 0; i < 2; i++)
    {
      GHashTableIter it;
      gpointer value;

      g_hash_table_iter_init (&it, d->tables[i]);
      while (g_hash_table_iter_next (&it, NULL, &value))
        {
          Entry *e = value;
          SynodUrlEntry *u = g_new0 (SynodUrlEntry, 1);

          u->path = g_strdup (e->prefix);
          u->match = i == 1 ? SYNOD_URL_MATCH_EXACT : SYNOD_URL_MATCH_PREFIX;
          u->handler = synod_http_handler_ref (e->handler);
          g_ptr_array_add (out, u);
        }
    }
  g_rw_lock_reader_unlock (&d->lock);
  g_ptr_array_sort (out, url_entry_compare);
  return out;
}
