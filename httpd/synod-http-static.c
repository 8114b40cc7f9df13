/* synod-http-static.c — URLfileLoader, cached documents, and how they answer.
 *
 * Ownership: the URL directory owns document handlers; a document holds a
 * reference on its loader's state, which holds the cache; the cache only
 * lists documents (no reference), and a document leaves the list when it is
 * freed. So there is no cycle, and evicting a document is forgetting its
 * directory registration.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <glib/gi18n-lib.h>

#include "synod-http-exchange-private.h"
#include "synod-http-static.h"
#include "synod-http-util.h"
#include "synod-ssi.h"

typedef struct _Document Document;

struct _SynodHttpDocumentCache
{
  gint ref_count;
  GMutex lock;
  GHashTable *documents; /* Document* set */
  guint64 bytes;
  guint64 max_bytes;
  guint64 max_document;
  guint64 loads;
};

typedef struct
{
  gint ref_count;
  SynodUrlDirectory *directory; /* not owned: it owns us */
  gchar *prefix;
  gchar *root; /* real path, no trailing slash */
  SynodHttpDocumentCache *cache;
  gchar **index_names;
  gchar **ssi_suffixes;
  gint64 revalidate_us;
  gboolean gzip;
  gchar *charset;
  guint ssi_max_depth;
  SynodHttpHandler *handler; /* weak: the loader's own handler */
  SynodHttpDocumentFunc document_loaded;
  gpointer hook_data;
  /* While its object lives, the loader holds its directory, so that a
   * document invoked through the broker can keep it alive for the call. */
  GMutex hold_lock;
  gboolean held;
} Loader;

typedef struct
{
  GBytes *data;
  gchar etag[80];
  GString *fields;     /* 200/206: type, encoding, validators */
  GString *validators; /* 304: validators and Vary */
} Variant;

struct _Document
{
  Loader *loader;
  SynodHttpHandler *handler; /* weak: compared, never dereferenced */
  gchar *url_path;
  gchar *file;
  gboolean ssi;
  struct stat st;
  gchar *media_type; /* with charset */
  gchar last_modified[SYNOD_HTTP_DATE_LEN + 1];
  gint fd;          /* streamed (too large to keep): the open file; else -1 */
  Variant identity; /* data NULL when streamed */
  Variant gzip;
  gboolean has_gzip;
  guint64 cost;
  gint64 checked_at; /* monotonic µs, atomic */
  gint64 last_used;  /* monotonic µs, atomic; for eviction */
};

/* ---- cache ---- */

/**
 * synod_http_document_cache_new:
 * @max_bytes: memory for all documents (0: the default)
 * @max_document: the largest document kept (0: the default); larger ones
 *   are streamed from their files
 */
SynodHttpDocumentCache *
synod_http_document_cache_new (guint64 max_bytes, guint64 max_document)
{
  SynodHttpDocumentCache *c = g_new0 (SynodHttpDocumentCache, 1);

  c->ref_count = 1;
  g_mutex_init (&c->lock);
  c->documents = g_hash_table_new (NULL, NULL);
  c->max_bytes = max_bytes != 0 ? max_bytes : SYNOD_HTTP_DEFAULT_CACHE_BYTES;
  c->max_document = max_document != 0 ? max_document : SYNOD_HTTP_DEFAULT_CACHE_DOCUMENT;
  c->max_document = MIN (c->max_document, c->max_bytes);
  return c;
}

SynodHttpDocumentCache *
synod_http_document_cache_ref (SynodHttpDocumentCache *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

void
synod_http_document_cache_unref (SynodHttpDocumentCache *c)
{
  if (c == NULL || !g_atomic_int_dec_and_test (&c->ref_count))
    return;
  g_hash_table_unref (c->documents);
  g_mutex_clear (&c->lock);
  g_free (c);
}

guint64
synod_http_document_cache_get_bytes (SynodHttpDocumentCache *c)
{
  guint64 v;

  g_mutex_lock (&c->lock);
  v = c->bytes;
  g_mutex_unlock (&c->lock);
  return v;
}

guint
synod_http_document_cache_get_n_documents (SynodHttpDocumentCache *c)
{
  guint v;

  g_mutex_lock (&c->lock);
  v = g_hash_table_size (c->documents);
  g_mutex_unlock (&c->lock);
  return v;
}

/** Returns: how many documents were loaded from files since the cache was made */
guint64
synod_http_document_cache_get_loads (SynodHttpDocumentCache *c)
{
  guint64 v;

  g_mutex_lock (&c->lock);
  v = c->loads;
  g_mutex_unlock (&c->lock);
  return v;
}

typedef struct
{
  SynodUrlDirectory *directory;
  gchar *path;
  SynodHttpHandler *handler;
} Eviction;

static inline gint64
load64 (gint64 *p)
{
  return __atomic_load_n (p, __ATOMIC_RELAXED);
}

static inline void
store64 (gint64 *p, gint64 v)
{
  __atomic_store_n (p, v, __ATOMIC_RELAXED);
}

/* Adds @doc, then evicts least recently used documents beyond the budget. */
static void
cache_add (SynodHttpDocumentCache *c, Document *doc)
{
  g_autoptr (GArray) evict = g_array_new (FALSE, FALSE, sizeof (Eviction));

  g_mutex_lock (&c->lock);
  g_hash_table_add (c->documents, doc);
  c->bytes += doc->cost;
  c->loads++;
  if (c->bytes > c->max_bytes)
    {
      guint n = 0;
      g_autofree gpointer *all = g_hash_table_get_keys_as_array (c->documents, &n);
      guint64 freed = 0;

      /* Oldest first (a selection over all documents, only when over budget). */
      for (guint i = 0; i < n && c->bytes - freed > c->max_bytes; i++)
        {
          guint at = i;

          for (guint j = i + 1; j < n; j++)
            if (load64 (&((Document *)all[j])->last_used)
                < load64 (&((Document *)all[at])->last_used))
              at = j;
          {
            Document *oldest = all[at];

            all[at] = all[i];
            all[i] = oldest;
            if (oldest != doc)
              {
                Eviction e
                    = { oldest->loader->directory, g_strdup (oldest->url_path), oldest->handler };

                g_array_append_val (evict, e);
                freed += oldest->cost;
              }
          }
        }
    }
  g_mutex_unlock (&c->lock);

  /* Forgetting frees the document, which takes the lock: do it unlocked. */
  for (guint i = 0; i < evict->len; i++)
    {
      Eviction *e = &g_array_index (evict, Eviction, i);

      g_debug ("cache: evicting %s", e->path);
      synod_url_directory_forget (e->directory, e->path, SYNOD_URL_MATCH_EXACT, e->handler);
      g_free (e->path);
    }
}

static void
cache_remove (SynodHttpDocumentCache *c, Document *doc)
{
  g_mutex_lock (&c->lock);
  if (g_hash_table_remove (c->documents, doc))
    c->bytes -= doc->cost;
  g_mutex_unlock (&c->lock);
}

/* ---- loader state ---- */

static Loader *
loader_ref (Loader *l)
{
  g_atomic_int_inc (&l->ref_count);
  return l;
}

static void
loader_unref (gpointer p)
{
  Loader *l = p;

  if (l == NULL || !g_atomic_int_dec_and_test (&l->ref_count))
    return;
  synod_http_document_cache_unref (l->cache);
  g_mutex_clear (&l->hold_lock);
  g_free (l->prefix);
  g_free (l->root);
  g_strfreev (l->index_names);
  g_strfreev (l->ssi_suffixes);
  g_free (l->charset);
  g_free (l);
}

void
synod_http_file_loader_config_init (SynodHttpFileLoaderConfig *config)
{
  memset (config, 0, sizeof *config);
  config->revalidate_ms = SYNOD_HTTP_DEFAULT_REVALIDATE_MS;
  config->gzip = TRUE;
  config->ssi_max_depth = SYNOD_SSI_DEFAULT_MAX_DEPTH;
}

/* ---- answering from a document ---- */

static void
variant_clear (Variant *v)
{
  if (v->data != NULL)
    g_bytes_unref (v->data);
  if (v->fields != NULL)
    g_string_free (v->fields, TRUE);
  if (v->validators != NULL)
    g_string_free (v->validators, TRUE);
}

static void
document_free (gpointer p)
{
  Document *d = p;

  cache_remove (d->loader->cache, d);
  variant_clear (&d->identity);
  variant_clear (&d->gzip);
  if (d->fd >= 0)
    close (d->fd);
  g_free (d->url_path);
  g_free (d->file);
  g_free (d->media_type);
  loader_unref (d->loader);
  g_free (d);
}

static gboolean
method_is_readable (SynodHttpExchange *ex)
{
  SynodHttpMethod m = synod_http_exchange_get_method (ex);

  if (m == SYNOD_HTTP_METHOD_GET || m == SYNOD_HTTP_METHOD_HEAD)
    return TRUE;
  if (m == SYNOD_HTTP_METHOD_OTHER)
    synod_http_exchange_respond_error (ex, 501, NULL);
  else
    {
      synod_http_exchange_respond_error (ex, 405, NULL);
      synod_http_exchange_add_header (ex, "Allow", "GET, HEAD");
    }
  return FALSE;
}

typedef struct
{
  guint64 first, last; /* inclusive */
} Range;

static gint
range_compare (gconstpointer a, gconstpointer b)
{
  const Range *x = a, *y = b;

  return x->first < y->first ? -1 : x->first > y->first;
}

/* Parses a Range value into sorted, merged, satisfiable ranges. Returns
 * -1 to ignore the field (not bytes, malformed, too many specs), else the
 * number of ranges (0: none satisfiable). */
static gint
parse_ranges (SynodHttpSlice value, guint64 size, Range *out)
{
  const gchar *p = value.ptr, *end = value.ptr + value.len;
  guint n = 0, specs = 0;

  if (value.len < 6 || g_ascii_strncasecmp (p, "bytes=", 6) != 0)
    return -1;
  p += 6;
  while (p < end)
    {
      guint64 first = 0, last = G_MAXUINT64;
      gboolean have_first = FALSE, have_last = FALSE;

      while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
        p++;
      if (p == end)
        break;
      if (++specs > SYNOD_HTTP_MAX_RANGES)
        return -1;
      while (p < end && g_ascii_isdigit (*p))
        {
          if (first > G_MAXUINT64 / 10 - 10)
            return -1;
          first = first * 10 + (guint64)(*p++ - '0');
          have_first = TRUE;
        }
      if (p == end || *p != '-')
        return -1;
      p++;
      if (p < end && g_ascii_isdigit (*p))
        {
          last = 0;
          while (p < end && g_ascii_isdigit (*p))
            {
              if (last > G_MAXUINT64 / 10 - 10)
                return -1;
              last = last * 10 + (guint64)(*p++ - '0');
              have_last = TRUE;
            }
        }
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      if (p < end && *p != ',')
        return -1;
      if (!have_first && !have_last)
        return -1;
      if (have_first && have_last && last < first)
        return -1;
      if (!have_first)
        {
          /* suffix: the last N bytes */
          if (last == 0 || size == 0)
            continue;
          first = last >= size ? 0 : size - last;
          last = size - 1;
        }
      else
        {
          if (first >= size)
            continue;
          if (!have_last || last >= size)
            last = size - 1;
        }
      out[n].first = first;
      out[n].last = last;
      n++;
    }
  if (specs == 0)
    return -1;
  if (n > 1)
    {
      guint m = 0;

      qsort (out, n, sizeof (Range), range_compare);
      for (guint i = 1; i < n; i++)
        if (out[i].first <= out[m].last + 1)
          out[m].last = MAX (out[m].last, out[i].last);
        else
          out[++m] = out[i];
      n = m + 1;
    }
  return (gint)n;
}

static gboolean
if_range_allows (SynodHttpExchange *ex, Document *d)
{
  const SynodHttpSlice *ir = synod_http_exchange_get_header (ex, "if-range");
  gint64 date;

  if (ir == NULL)
    return TRUE;
  if (ir->len > 0 && (ir->ptr[0] == '"' || ir->ptr[0] == 'W'))
    return ir->ptr[0] == '"' && synod_http_etag_list_matches (*ir, d->identity.etag, FALSE);
  return synod_http_date_parse (ir->ptr, ir->len, &date) && date == (gint64)d->st.st_mtime;
}

/* Appends bytes @first..@last of the document's identity to the body:
 * from memory, or from its file when it is streamed. */
static void
append_identity (SynodHttpExchange *ex, Document *d, guint64 first, guint64 last)
{
  if (d->identity.data != NULL)
    synod_http_exchange_append_body_range (ex, d->identity.data, first, last - first + 1);
  else
    synod_http_exchange_append_body_fd (ex, d->fd, (goffset)first, last - first + 1);
}

static void
respond_ranges (SynodHttpExchange *ex, Document *d, Range *ranges, guint n)
{
  guint64 size = (guint64)d->st.st_size;

  synod_http_exchange_set_status (ex, 206);
  if (n == 1)
    {
      synod_http_exchange_add_raw_headers (ex, d->identity.fields->str, d->identity.fields->len);
      synod_http_exchange_add_header_printf (ex, "Content-Range",
                                             "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                             "/%" G_GUINT64_FORMAT,
                                             ranges[0].first, ranges[0].last, size);
      append_identity (ex, d, ranges[0].first, ranges[0].last);
      return;
    }
  {
    g_autofree gchar *boundary
        = g_strdup_printf ("synod-%08x%08x", g_random_int (), g_random_int ());
    g_autoptr (GString) part = g_string_new (NULL);

    synod_http_exchange_add_header_printf (ex, "Content-Type", "multipart/byteranges; boundary=%s",
                                           boundary);
    synod_http_exchange_add_raw_headers (ex, d->identity.validators->str,
                                         d->identity.validators->len);
    synod_http_exchange_add_header (ex, "Accept-Ranges", "bytes");
    for (guint i = 0; i < n; i++)
      {
        g_string_printf (part,
                         "%s--%s\r\nContent-Type: %s\r\nContent-Range: bytes %" G_GUINT64_FORMAT
                         "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\r\n\r\n",
                         i == 0 ? "" : "\r\n", boundary, d->media_type, ranges[i].first,
                         ranges[i].last, size);
        synod_http_exchange_append_body_text (ex, part->str, (gssize)part->len);
        append_identity (ex, d, ranges[i].first, ranges[i].last);
      }
    g_string_printf (part, "\r\n--%s--\r\n", boundary);
    synod_http_exchange_append_body_text (ex, part->str, (gssize)part->len);
  }
}

/* The conditional requests of RFC 9110 §13.2.2, in its order. Returns TRUE
 * when it answered (304 or 412). */
static gboolean
answer_preconditions (SynodHttpExchange *ex, Document *d, Variant *v)
{
  const SynodHttpSlice *im = synod_http_exchange_get_header (ex, "if-match");
  const SynodHttpSlice *inm = synod_http_exchange_get_header (ex, "if-none-match");
  gint64 date;

  if (im != NULL)
    {
      if (!synod_http_etag_list_matches (*im, v->etag, FALSE))
        goto failed;
    }
  else
    {
      const SynodHttpSlice *ius = synod_http_exchange_get_header (ex, "if-unmodified-since");

      if (ius != NULL && synod_http_date_parse (ius->ptr, ius->len, &date)
          && (gint64)d->st.st_mtime > date)
        goto failed;
    }
  if (inm != NULL)
    {
      if (synod_http_etag_list_matches (*inm, v->etag, TRUE))
        goto not_modified;
    }
  else
    {
      const SynodHttpSlice *ims = synod_http_exchange_get_header (ex, "if-modified-since");

      if (ims != NULL && synod_http_date_parse (ims->ptr, ims->len, &date)
          && (gint64)d->st.st_mtime <= date)
        goto not_modified;
    }
  return FALSE;

failed:
  synod_http_exchange_respond_error (ex, 412, NULL);
  return TRUE;
not_modified:
  synod_http_exchange_set_status (ex, 304);
  synod_http_exchange_add_raw_headers (ex, v->validators->str, v->validators->len);
  return TRUE;
}

static void
serve_static (SynodHttpExchange *ex, Document *d)
{
  const SynodHttpSlice *range = synod_http_exchange_get_header (ex, "range");
  Variant *v = &d->identity;

  if (d->has_gzip && range == NULL
      && synod_http_accepts_gzip (synod_http_exchange_get_header (ex, "accept-encoding")))
    v = &d->gzip;
  if (answer_preconditions (ex, d, v))
    return;
  if (range != NULL && synod_http_exchange_get_method (ex) == SYNOD_HTTP_METHOD_GET
      && if_range_allows (ex, d))
    {
      Range ranges[SYNOD_HTTP_MAX_RANGES];
      gint n = parse_ranges (*range, (guint64)d->st.st_size, ranges);

      if (n == 0)
        {
          synod_http_exchange_respond_error (ex, 416, NULL);
          synod_http_exchange_add_header_printf (ex, "Content-Range", "bytes */%" G_GUINT64_FORMAT,
                                                 (guint64)d->st.st_size);
          return;
        }
      if (n > 0)
        {
          respond_ranges (ex, d, ranges, (guint)n);
          return;
        }
    }
  synod_http_exchange_add_raw_headers (ex, v->fields->str, v->fields->len);
  if (v->data != NULL)
    synod_http_exchange_append_body (ex, v->data);
  else if (d->st.st_size > 0)
    append_identity (ex, d, 0, (guint64)d->st.st_size - 1);
}

typedef struct
{
  SynodHttpExchange *ex;
  gchar *media_type;
} SsiJob;

static void
ssi_done (GBytes *output, GError *error, gpointer user_data)
{
  SsiJob *job = user_data;

  if (error != NULL)
    synod_http_exchange_respond_gerror (job->ex, error);
  else
    {
      synod_http_exchange_add_header (job->ex, "Content-Type", job->media_type);
      synod_http_exchange_append_body (job->ex, output);
    }
  if (output != NULL)
    g_bytes_unref (output);
  if (error != NULL)
    g_error_free (error);
  synod_http_exchange_finish (job->ex);
  g_free (job->media_type);
  g_free (job);
}

static void
serve_ssi (SynodHttpExchange *ex, Document *d)
{
  SynodSsiContext ctx = { 0 };
  SsiJob *job = g_new0 (SsiJob, 1);

  job->ex = ex;
  job->media_type = g_strdup (d->media_type);
  ctx.doc_root = d->loader->root;
  ctx.file_path = d->file;
  ctx.last_modified = (gint64)d->st.st_mtime;
  ctx.max_depth = d->loader->ssi_max_depth;
  ctx.max_output = SYNOD_SSI_DEFAULT_MAX_OUTPUT;
  synod_ssi_render (ex, d->identity.data, &ctx, ssi_done, job);
}

static void loader_handle (SynodHttpExchange *ex, gpointer user_data);

static gboolean
stat_changed (const struct stat *a, const struct stat *b)
{
  return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size
         || a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

static void
document_handle (SynodHttpExchange *ex, gpointer user_data)
{
  Document *d = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 checked = load64 (&d->checked_at);

  store64 (&d->last_used, now);
  if (now - checked >= d->loader->revalidate_us)
    {
      struct stat st;

      store64 (&d->checked_at, now);
      if (stat (d->file, &st) != 0 || stat_changed (&st, &d->st))
        {
          /* Changed or gone: drop it, and let the loader answer afresh. */
          g_debug ("cache: %s changed on disk", d->file);
          synod_url_directory_forget (d->loader->directory, d->url_path, SYNOD_URL_MATCH_EXACT,
                                      d->handler);
          loader_handle (ex, d->loader);
          return;
        }
    }
  if (!method_is_readable (ex))
    {
      synod_http_exchange_finish (ex);
      return;
    }
  if (d->ssi)
    {
      serve_ssi (ex, d);
      return;
    }
  serve_static (ex, d);
  synod_http_exchange_finish (ex);
}

static const SynodHttpHandlerFuncs document_funcs = { document_handle, document_free };

/* ---- loading ---- */

static GBytes *
gzip_bytes (GBytes *in)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (in, &len);
  z_stream zs = { 0 };
  guint8 *out;
  gsize cap;

  if (deflateInit2 (&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  cap = deflateBound (&zs, (uLong)len);
  out = g_malloc (cap);
  zs.next_in = (Bytef *)data;
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  if (deflate (&zs, Z_FINISH) != Z_STREAM_END)
    {
      deflateEnd (&zs);
      g_free (out);
      return NULL;
    }
  deflateEnd (&zs);
  return g_bytes_new_take (g_realloc (out, zs.total_out), zs.total_out);
}

static void
variant_build (Document *d, Variant *v, const gchar *encoding, gboolean vary)
{
  v->fields = g_string_new (NULL);
  v->validators = g_string_new (NULL);
  g_string_append_printf (v->validators, "Last-Modified: %s\r\nETag: %s\r\n", d->last_modified,
                          v->etag);
  if (vary)
    g_string_append (v->validators, "Vary: Accept-Encoding\r\n");
  g_string_append_printf (v->fields, "Content-Type: %s\r\n", d->media_type);
  if (encoding != NULL)
    g_string_append_printf (v->fields, "Content-Encoding: %s\r\n", encoding);
  else
    g_string_append (v->fields, "Accept-Ranges: bytes\r\n");
  g_string_append_len (v->fields, v->validators->str, (gssize)v->validators->len);
}

static gboolean
has_suffix_in (const gchar *name, gchar **suffixes)
{
  for (guint i = 0; suffixes[i] != NULL; i++)
    if (g_str_has_suffix (name, suffixes[i]))
      return TRUE;
  return FALSE;
}

static gchar *
media_type_with_charset (Loader *l, const gchar *file)
{
  gboolean text = FALSE;
  const gchar *type = synod_http_media_type_for_name (file, &text);

  if (has_suffix_in (file, l->ssi_suffixes))
    type = "text/html", text = TRUE;
  return text ? g_strdup_printf ("%s; charset=%s", type, l->charset) : g_strdup (type);
}

/* A new document for @file, described but without its bytes. */
static Document *
document_new (Loader *l, const gchar *url_path, const gchar *file, const struct stat *st)
{
  Document *d = g_new0 (Document, 1);

  d->loader = loader_ref (l);
  d->url_path = g_strdup (url_path);
  d->file = g_strdup (file);
  d->st = *st;
  d->fd = -1;
  d->ssi = has_suffix_in (file, l->ssi_suffixes);
  d->media_type = media_type_with_charset (l, file);
  synod_http_date_format ((gint64)st->st_mtime, d->last_modified);
  g_snprintf (d->identity.etag, sizeof d->identity.etag,
              "\"%" G_GINT64_MODIFIER "x.%lx-%" G_GINT64_MODIFIER "x-%lx\"",
              (gint64)st->st_mtim.tv_sec, (gulong)st->st_mtim.tv_nsec, (gint64)st->st_size,
              (gulong)st->st_ino);
  return d;
}

/* Reads the open file @fd into a new document. */
static Document *
document_load (Loader *l, const gchar *url_path, const gchar *file, gint fd, const struct stat *st,
               GError **error)
{
  Document *d;
  g_autofree guint8 *buf = g_malloc ((gsize)st->st_size + 1);
  gsize done = 0;
  gboolean vary;

  while (done < (gsize)st->st_size)
    {
      gssize r = read (fd, buf + done, (gsize)st->st_size - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_IO, _ ("cannot read “%s”: %s"),
                       file, r < 0 ? g_strerror (errno) : _ ("file shrank"));
          return NULL;
        }
      done += (gsize)r;
    }
  d = document_new (l, url_path, file, st);
  d->identity.data = g_bytes_new_take (g_steal_pointer (&buf), (gsize)st->st_size);
  d->cost = (guint64)st->st_size + sizeof *d;
  vary = FALSE;
  if (!d->ssi && l->gzip && st->st_size >= SYNOD_HTTP_GZIP_MIN_SIZE
      && synod_http_media_type_is_compressible (d->media_type))
    {
      GBytes *z = gzip_bytes (d->identity.data);

      vary = TRUE; /* the answer depends on Accept-Encoding either way */
      if (z != NULL && g_bytes_get_size (z) < (gsize)st->st_size * 9 / 10)
        {
          d->gzip.data = z;
          d->has_gzip = TRUE;
          d->cost += g_bytes_get_size (z);
          g_snprintf (d->gzip.etag, sizeof d->gzip.etag, "%.*s-gz\"",
                      (int)strlen (d->identity.etag) - 1, d->identity.etag);
          variant_build (d, &d->gzip, "gzip", TRUE);
        }
      else if (z != NULL)
        g_bytes_unref (z);
    }
  variant_build (d, &d->identity, NULL, vary);
  d->checked_at = g_get_monotonic_time ();
  d->last_used = d->checked_at;
  return d;
}

/* Resolves @rel under the root: the real path, refusing anything outside. */
static gchar *
resolve (Loader *l, const gchar *rel, guint *ret_status)
{
  g_autofree gchar *joined = g_build_filename (l->root, rel, NULL);
  gchar real[PATH_MAX];
  gsize root_len = strlen (l->root);

  if (realpath (joined, real) == NULL)
    {
      *ret_status = errno == EACCES ? 403 : 404;
      return NULL;
    }
  if (strncmp (real, l->root, root_len) != 0 || (real[root_len] != '\0' && real[root_len] != '/'))
    {
      g_debug ("refusing %s: it resolves outside the document root", joined);
      *ret_status = 403;
      return NULL;
    }
  return g_strdup (real);
}

static void
redirect_to_directory (SynodHttpExchange *ex)
{
  const SynodHttpRequestHead *h = synod_http_exchange_get_head (ex);
  g_autofree gchar *location = NULL;

  /* The path as the client wrote it (still encoded), plus the slash. */
  location = g_strdup_printf ("%.*s/%s%s", (int)h->path.len, h->path.ptr,
                              h->query.ptr != NULL ? "?" : "", synod_http_exchange_get_query (ex));
  synod_http_exchange_respond_error (ex, 301, NULL);
  synod_http_exchange_add_header (ex, "Location", location);
}

/* Where a request path leads in the tree. */
typedef enum
{
  FOUND_ERROR,    /* *ret_status says which */
  FOUND_REDIRECT, /* a directory asked for without its slash */
  FOUND_FILE,     /* *ret_file is a regular file, opened as *ret_fd */
} Found;

static Found
loader_find (Loader *l, const gchar *path, gchar **ret_file, gint *ret_fd, struct stat *st,
             guint *ret_status)
{
  const gchar *rel = path;
  g_autofree gchar *file = NULL;
  guint status = 404;
  gint fd;

  if (g_str_has_prefix (path, l->prefix))
    rel = path + strlen (l->prefix);
  file = resolve (l, rel, &status);
  if (file == NULL || stat (file, st) != 0)
    {
      *ret_status = status;
      return FOUND_ERROR;
    }
  if (S_ISDIR (st->st_mode))
    {
      if (!g_str_has_suffix (path, "/"))
        return FOUND_REDIRECT;
      for (guint i = 0; l->index_names[i] != NULL; i++)
        {
          g_autofree gchar *index_rel = g_build_filename (rel, l->index_names[i], NULL);
          g_autofree gchar *index = resolve (l, index_rel, &status);

          if (index != NULL && stat (index, st) == 0 && S_ISREG (st->st_mode))
            {
              g_free (file);
              file = g_steal_pointer (&index);
              break;
            }
        }
    }
  /* A directory without an index (no listings), devices, FIFOs, sockets. */
  if (!S_ISREG (st->st_mode))
    {
      *ret_status = 403;
      return FOUND_ERROR;
    }
  fd = open (file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat (fd, st) != 0)
    {
      *ret_status = errno == EACCES ? 403 : 404;
      if (fd >= 0)
        close (fd);
      return FOUND_ERROR;
    }
  *ret_file = g_steal_pointer (&file);
  *ret_fd = fd;
  return FOUND_FILE;
}

/* Loads @file into a document, creates its handler (and, through the hook,
 * its object) and registers it at @path. Returns the handler (a reference)
 * even when the directory had no room for it. */
static SynodHttpHandler *
loader_load_file (Loader *l, const gchar *path, const gchar *file, gint fd, const struct stat *st,
                  GError **error)
{
  g_autoptr (GError) local_error = NULL;
  SynodHttpHandler *h;
  Document *d;

  d = document_load (l, path, file, fd, st, error);
  if (d == NULL)
    return NULL;
  h = synod_http_handler_new (&document_funcs, d);
  d->handler = h;
  if (l->document_loaded != NULL)
    l->document_loaded (h, l->hook_data);
  cache_add (l->cache, d);
  if (!synod_url_directory_register (l->directory, path, SYNOD_URL_MATCH_EXACT, h, &local_error))
    {
      g_debug ("not caching %s: %s", path, local_error->message);
      synod_http_handler_notify_unregistered (h);
    }
  return h;
}

static void
loader_handle (SynodHttpExchange *ex, gpointer user_data)
{
  Loader *l = user_data;
  const gchar *path = synod_http_exchange_get_path (ex);
  g_autofree gchar *file = NULL;
  g_autoptr (GError) error = NULL;
  guint status = 404;
  struct stat st;
  gint fd = -1;
  SynodHttpHandler *h;

  switch (loader_find (l, path, &file, &fd, &st, &status))
    {
      case FOUND_ERROR:
        synod_http_exchange_respond_error (ex, status, NULL);
        synod_http_exchange_finish (ex);
        return;
      case FOUND_REDIRECT:
        if (method_is_readable (ex))
          redirect_to_directory (ex);
        synod_http_exchange_finish (ex);
        return;
      case FOUND_FILE:
        break;
    }

  if ((guint64)st.st_size > l->cache->max_document)
    {
      /* Too large to keep: this request alone gets a document that sends
       * from the file (validators, conditions and ranges as for any other,
       * no gzip variant). Server-side includes need the whole text in
       * memory, so a page with them that large is refused. */
      Document *d = document_new (l, path, file, &st);

      d->fd = fd;
      variant_build (d, &d->identity, NULL, FALSE);
      if (method_is_readable (ex))
        {
          if (d->ssi)
            {
              g_message (_ ("“%s” is too large for server-side includes (%" PRIu64
                            " bytes, the limit is %" PRIu64 ")"),
                         file, (guint64)st.st_size, l->cache->max_document);
              synod_http_exchange_respond_error (ex, 500, NULL);
            }
          else
            serve_static (ex, d);
        }
      document_free (d);
      synod_http_exchange_finish (ex);
      return;
    }

  h = loader_load_file (l, path, file, fd, &st, &error);
  close (fd);
  if (h == NULL)
    {
      synod_http_exchange_respond_gerror (ex, error);
      synod_http_exchange_finish (ex);
      return;
    }
  /* The document answers this request itself, as it will the next ones. */
  document_handle (ex, synod_http_handler_get_user_data (h));
  synod_http_handler_unref (h);
}

static const SynodHttpHandlerFuncs loader_funcs = { loader_handle, loader_unref };

/**
 * synod_http_file_loader_new:
 * @directory: the URL directory the loader registers documents in (not
 *   referenced: register the returned handler in it, which owns it)
 * @prefix: the URL prefix the loader serves ("/" or "/docs/")
 * @root: the document root directory
 * @cache: the document cache (referenced)
 * @config: (nullable): settings (NULL: defaults)
 *
 * Returns: (transfer full): the URLfileLoader's handler, to register at @prefix
 */
SynodHttpHandler *
synod_http_file_loader_new (SynodUrlDirectory *directory, const gchar *prefix, const gchar *root,
                            SynodHttpDocumentCache *cache, const SynodHttpFileLoaderConfig *config,
                            GError **error)
{
  static const gchar *const default_index[] = { "index.html", "index.shtml", NULL };
  static const gchar *const default_ssi[] = { ".shtml", NULL };
  SynodHttpFileLoaderConfig defaults;
  gchar real[PATH_MAX];
  struct stat st;
  Loader *l;
  SynodHttpHandler *h;

  if (config == NULL)
    {
      synod_http_file_loader_config_init (&defaults);
      config = &defaults;
    }
  if (realpath (root, real) == NULL || stat (real, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("document root “%s” is not a directory"), root);
      return NULL;
    }
  l = g_new0 (Loader, 1);
  l->ref_count = 1;
  l->directory = directory;
  l->prefix = g_strdup (prefix);
  l->root = g_strdup (real);
  l->cache = synod_http_document_cache_ref (cache);
  l->index_names
      = g_strdupv ((gchar **)(config->index_names != NULL ? config->index_names : default_index));
  l->ssi_suffixes
      = g_strdupv ((gchar **)(config->ssi_suffixes != NULL ? config->ssi_suffixes : default_ssi));
  l->revalidate_us = (gint64)config->revalidate_ms * 1000;
  l->gzip = config->gzip;
  l->charset = g_strdup (config->charset != NULL ? config->charset : "utf-8");
  l->ssi_max_depth
      = config->ssi_max_depth != 0 ? config->ssi_max_depth : SYNOD_SSI_DEFAULT_MAX_DEPTH;
  g_mutex_init (&l->hold_lock);
  l->document_loaded = config->document_loaded;
  l->hook_data = config->hook_data;
  h = synod_http_handler_new (&loader_funcs, l);
  l->handler = h;
  return h;
}

/* ---- what the broker classes ask ---- */

/**
 * synod_http_handler_is_file_loader:
 *
 * Returns: whether @handler is a URLfileLoader's handler
 */
gboolean
synod_http_handler_is_file_loader (SynodHttpHandler *handler)
{
  return synod_http_handler_get_funcs (handler) == &loader_funcs;
}

/**
 * synod_http_handler_is_document:
 *
 * Returns: whether @handler is a loaded document's handler
 */
gboolean
synod_http_handler_is_document (SynodHttpHandler *handler)
{
  return synod_http_handler_get_funcs (handler) == &document_funcs;
}

/**
 * synod_http_file_loader_load:
 * @loader: a file loader's handler
 * @path: a normalized path under the loader's prefix
 * @ret_document: (out) (transfer full): the document's handler
 *
 * Loads the document for @path and registers it, as a miss does, without a
 * request to answer (Standard.URLfileLoader.load).
 *
 * Returns: %FALSE with SYNOD_HTTP_ERROR_NOT_FOUND, _FORBIDDEN (also for a
 *   directory asked for without its slash) or _LIMIT (a document too large
 *   to keep)
 */
gboolean
synod_http_file_loader_load (SynodHttpHandler *loader, const gchar *path,
                             SynodHttpHandler **ret_document, GError **error)
{
  Loader *l;
  g_autofree gchar *file = NULL;
  guint status = 404;
  struct stat st;
  gint fd = -1;
  SynodHttpHandler *h;

  g_return_val_if_fail (synod_http_handler_is_file_loader (loader), FALSE);
  l = synod_http_handler_get_user_data (loader);
  switch (loader_find (l, path, &file, &fd, &st, &status))
    {
      case FOUND_ERROR:
        g_set_error (error, SYNOD_HTTP_ERROR,
                     status == 403 ? SYNOD_HTTP_ERROR_FORBIDDEN : SYNOD_HTTP_ERROR_NOT_FOUND,
                     _ ("no document for “%s”"), path);
        return FALSE;
      case FOUND_REDIRECT:
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_FORBIDDEN,
                     _ ("“%s” is a directory: its URI ends with “/”"), path);
        return FALSE;
      case FOUND_FILE:
        break;
    }
  if ((guint64)st.st_size > l->cache->max_document)
    {
      close (fd);
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_LIMIT,
                   _ ("“%s” is larger than the largest cached document"), path);
      return FALSE;
    }
  h = loader_load_file (l, path, file, fd, &st, error);
  close (fd);
  if (h == NULL)
    return FALSE;
  *ret_document = h;
  return TRUE;
}

/** Returns: (transfer none): the URL prefix the loader serves */
const gchar *
synod_http_file_loader_get_prefix (SynodHttpHandler *loader)
{
  g_return_val_if_fail (synod_http_handler_is_file_loader (loader), NULL);
  return ((Loader *)synod_http_handler_get_user_data (loader))->prefix;
}

/** Returns: (transfer none): the real path of the loader's document root */
const gchar *
synod_http_file_loader_get_root (SynodHttpHandler *loader)
{
  g_return_val_if_fail (synod_http_handler_is_file_loader (loader), NULL);
  return ((Loader *)synod_http_handler_get_user_data (loader))->root;
}

/** Returns: (transfer none): the loader's document cache */
SynodHttpDocumentCache *
synod_http_file_loader_get_cache (SynodHttpHandler *loader)
{
  g_return_val_if_fail (synod_http_handler_is_file_loader (loader), NULL);
  return ((Loader *)synod_http_handler_get_user_data (loader))->cache;
}

/**
 * synod_http_file_loader_count_documents:
 *
 * Returns: how many of the loader's documents its directory holds
 */
guint
synod_http_file_loader_count_documents (SynodHttpHandler *loader)
{
  Loader *l = synod_http_handler_get_user_data (loader);
  g_autoptr (GPtrArray) entries = synod_url_directory_list (l->directory);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      SynodUrlEntry *e = entries->pdata[i];

      if (synod_http_handler_is_document (e->handler)
          && ((Document *)synod_http_handler_get_user_data (e->handler))->loader == l)
        n++;
    }
  return n;
}

/**
 * synod_http_file_loader_flush:
 *
 * Forgets every document the loader registered.
 *
 * Returns: how many
 */
guint
synod_http_file_loader_flush (SynodHttpHandler *loader)
{
  Loader *l = synod_http_handler_get_user_data (loader);
  g_autoptr (GPtrArray) entries = synod_url_directory_list (l->directory);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      SynodUrlEntry *e = entries->pdata[i];

      if (synod_http_handler_is_document (e->handler)
          && ((Document *)synod_http_handler_get_user_data (e->handler))->loader == l
          && synod_url_directory_forget (l->directory, e->path, e->match, e->handler))
        n++;
    }
  return n;
}

/**
 * synod_http_document_get_info:
 * @document: a document's handler
 * @ret_info: (out): filled with views into the document, valid while
 *   @document is
 */
void
synod_http_document_get_info (SynodHttpHandler *document, SynodHttpDocumentInfo *ret_info)
{
  Document *d;

  g_return_if_fail (synod_http_handler_is_document (document));
  d = synod_http_handler_get_user_data (document);
  ret_info->path = d->url_path;
  ret_info->file = d->file;
  ret_info->media_type = d->media_type;
  ret_info->etag = d->identity.etag;
  ret_info->size = (guint64)d->st.st_size;
  ret_info->modified = (gint64)d->st.st_mtime;
  ret_info->ssi = d->ssi;
  ret_info->gzip = d->has_gzip;
  ret_info->directory = d->loader->directory;
}

/**
 * synod_http_file_loader_hold_directory:
 * @loader: a file loader's handler
 *
 * Makes the loader hold a reference on its directory until
 * synod_http_file_loader_release_directory(). The directory holds the
 * loader too, so the broker class releases it when the loader's object
 * goes; meanwhile synod_http_document_ref_directory() can keep the
 * directory alive for a document answering an invocation.
 */
void
synod_http_file_loader_hold_directory (SynodHttpHandler *loader)
{
  Loader *l = synod_http_handler_get_user_data (loader);

  g_mutex_lock (&l->hold_lock);
  if (!l->held)
    {
      synod_url_directory_ref (l->directory);
      l->held = TRUE;
    }
  g_mutex_unlock (&l->hold_lock);
}

void
synod_http_file_loader_release_directory (SynodHttpHandler *loader)
{
  Loader *l = synod_http_handler_get_user_data (loader);
  gboolean was;

  g_mutex_lock (&l->hold_lock);
  was = l->held;
  l->held = FALSE;
  g_mutex_unlock (&l->hold_lock);
  if (was)
    synod_url_directory_unref (l->directory);
}

/**
 * synod_http_document_ref_directory:
 * @document: a document's handler
 *
 * Returns: (transfer full) (nullable): the document's directory, while its
 *   loader holds it; %NULL once the site is going
 */
SynodUrlDirectory *
synod_http_document_ref_directory (SynodHttpHandler *document)
{
  Loader *l = ((Document *)synod_http_handler_get_user_data (document))->loader;
  SynodUrlDirectory *d = NULL;

  g_mutex_lock (&l->hold_lock);
  if (l->held)
    d = synod_url_directory_ref (l->directory);
  g_mutex_unlock (&l->hold_lock);
  return d;
}
