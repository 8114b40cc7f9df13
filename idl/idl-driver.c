/* idl-driver.c — a compilation: memory, errors, reading files and imports.
 *
 * A file is looked for next to the file that imports it, then in each -I
 * directory in order; it is read once however often it is imported, and an
 * import cycle is an error. Files can also be served from memory, which the
 * fuzz target uses so that no input ever reaches the disk.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "idl-compiler.h"

enum
{
  FILE_LOADING = 1,
  FILE_LOADED = 2,
};

gpointer
idl_alloc0 (IdlCompiler *c, gsize size)
{
  gpointer p = g_malloc0 (size);
  g_ptr_array_add (c->arena, p);
  return p;
}

gchar *
idl_take (IdlCompiler *c, gchar *s)
{
  if (s != NULL)
    g_ptr_array_add (c->arena, s);
  return s;
}

gchar *
idl_strdup (IdlCompiler *c, const gchar *s)
{
  return idl_take (c, g_strdup (s));
}

gchar *
idl_strndup (IdlCompiler *c, const gchar *s, gsize n)
{
  return idl_take (c, g_strndup (s, n));
}

gchar *
idl_printf (IdlCompiler *c, const gchar *format, ...)
{
  va_list ap;
  gchar *s;

  va_start (ap, format);
  s = g_strdup_vprintf (format, ap);
  va_end (ap);
  return idl_take (c, s);
}

GPtrArray *
idl_ptr_array (IdlCompiler *c)
{
  GPtrArray *a = g_ptr_array_new ();
  g_ptr_array_add (c->arena_arrays, a);
  return a;
}

GArray *
idl_array (IdlCompiler *c, guint element_size)
{
  GArray *a = g_array_new (FALSE, TRUE, element_size);
  g_ptr_array_add (c->arena_tables, a);
  return a;
}

gboolean
idl_error (IdlCompiler *c, const IdlLoc *loc, const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *msg = NULL;

  c->n_errors++;
  if (c->errors->len >= IDL_MAX_ERRORS)
    return FALSE;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (loc != NULL && loc->file != NULL)
    g_ptr_array_add (c->errors, g_strdup_printf ("%s:%u:%u: %s: %s", loc->file, loc->line,
                                                 loc->column, _ ("error"), msg));
  else
    g_ptr_array_add (c->errors, g_strdup_printf ("synod-idl: %s: %s", _ ("error"), msg));
  return FALSE;
}

gboolean
idl_too_many_errors (IdlCompiler *c)
{
  return c->n_errors >= IDL_MAX_ERRORS;
}

IdlCompiler *
idl_compiler_new (const gchar *const *include_dirs)
{
  IdlCompiler *c = g_new0 (IdlCompiler, 1);

  c->arena = g_ptr_array_new_with_free_func (g_free);
  c->arena_arrays = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  c->arena_tables = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  c->include_dirs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; include_dirs != NULL && include_dirs[i] != NULL; i++)
    g_ptr_array_add (c->include_dirs, g_strdup (include_dirs[i]));
  c->files = g_ptr_array_new ();
  c->file_order = g_ptr_array_new ();
  c->by_canonical = g_hash_table_new (g_str_hash, g_str_equal);
  c->symbols = g_hash_table_new (g_str_hash, g_str_equal);
  c->by_short
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
  c->c_names = g_hash_table_new (g_str_hash, g_str_equal);
  c->errors = g_ptr_array_new_with_free_func (g_free);
  return c;
}

void
idl_compiler_free (IdlCompiler *c)
{
  if (c == NULL)
    return;
  for (guint i = 0; i < c->files->len; i++)
    {
      IdlFile *f = c->files->pdata[i];
      g_clear_pointer (&f->visible, g_hash_table_unref);
    }
  g_ptr_array_unref (c->files);
  g_ptr_array_unref (c->file_order);
  g_hash_table_unref (c->by_canonical);
  g_hash_table_unref (c->symbols);
  g_hash_table_unref (c->by_short);
  g_hash_table_unref (c->c_names);
  g_ptr_array_unref (c->errors);
  g_ptr_array_unref (c->include_dirs);
  g_clear_pointer (&c->memory_files, g_hash_table_unref);
  g_ptr_array_unref (c->arena_tables);
  g_ptr_array_unref (c->arena_arrays);
  g_ptr_array_unref (c->arena);
  g_free (c);
}

void
idl_compiler_add_memory_file (IdlCompiler *c, const gchar *path, const gchar *data, gsize len)
{
  if (c->memory_files == NULL)
    c->memory_files
        = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  g_hash_table_replace (c->memory_files, g_strdup (path), g_bytes_new (data, len));
}

static gboolean
file_exists (IdlCompiler *c, const gchar *path)
{
  if (c->memory_files != NULL)
    return g_hash_table_contains (c->memory_files, path);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Reads @path, refusing what is not a regular file or is too large (a path
 * to /dev/zero must not hang the compiler). */
static gboolean
read_file (IdlCompiler *c, const gchar *path, const IdlLoc *from, gchar **ret_text, gsize *ret_len)
{
  GStatBuf st;
  g_autoptr (GError) error = NULL;

  if (c->memory_files != NULL)
    {
      GBytes *bytes = g_hash_table_lookup (c->memory_files, path);
      gsize len;
      gconstpointer data;

      if (bytes == NULL)
        return idl_error (c, from, _ ("cannot read '%s': %s"), path, g_strerror (ENOENT));
      data = g_bytes_get_data (bytes, &len);
      *ret_text = g_malloc (len + 1);
      if (len > 0)
        memcpy (*ret_text, data, len);
      (*ret_text)[len] = '\0';
      *ret_len = len;
      return TRUE;
    }
  if (g_stat (path, &st) != 0)
    return idl_error (c, from, _ ("cannot read '%s': %s"), path, g_strerror (errno));
  if (!S_ISREG (st.st_mode))
    return idl_error (c, from, _ ("'%s' is not a regular file"), path);
  if (st.st_size > IDL_MAX_FILE_SIZE)
    return idl_error (c, from, _ ("'%s' is larger than %d bytes"), path, IDL_MAX_FILE_SIZE);
  if (!g_file_get_contents (path, ret_text, ret_len, &error))
    return idl_error (c, from, _ ("cannot read '%s': %s"), path, error->message);
  if (*ret_len > IDL_MAX_FILE_SIZE)
    {
      g_free (*ret_text);
      return idl_error (c, from, _ ("'%s' is larger than %d bytes"), path, IDL_MAX_FILE_SIZE);
    }
  return TRUE;
}

static gchar *
canonical_path (IdlCompiler *c, const gchar *path)
{
  if (c->memory_files == NULL)
    {
      gchar *real = realpath (path, NULL);
      if (real != NULL)
        {
          gchar *copy = g_strdup (real);
          free (real);
          return copy;
        }
    }
  return g_canonicalize_filename (path, NULL);
}

/* Where an import is looked for: next to the importing file, then -I. */
static gchar *
find_import (IdlCompiler *c, IdlFile *from, IdlImport *imp)
{
  g_autofree gchar *dir = NULL;
  gchar *candidate;

  if (g_path_is_absolute (imp->path))
    return file_exists (c, imp->path) ? g_strdup (imp->path) : NULL;
  dir = g_path_get_dirname (from->path);
  candidate
      = g_str_equal (dir, ".") ? g_strdup (imp->path) : g_build_filename (dir, imp->path, NULL);
  if (file_exists (c, candidate))
    return candidate;
  g_free (candidate);
  for (guint i = 0; i < c->include_dirs->len; i++)
    {
      candidate = g_build_filename (c->include_dirs->pdata[i], imp->path, NULL);
      if (file_exists (c, candidate))
        return candidate;
      g_free (candidate);
    }
  return NULL;
}

static IdlFile *load (IdlCompiler *c, const gchar *path, const IdlLoc *from, GPtrArray *stack);

static gboolean
load_imports (IdlCompiler *c, IdlFile *f, GPtrArray *stack)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < f->imports->len && !idl_too_many_errors (c); i++)
    {
      IdlImport *imp = f->imports->pdata[i];
      g_autofree gchar *path = find_import (c, f, imp);

      if (path == NULL)
        {
          GString *where = g_string_new (NULL);
          g_autofree gchar *dir = g_path_get_dirname (f->path);

          g_string_append (where, dir);
          for (guint j = 0; j < c->include_dirs->len; j++)
            g_string_append_printf (where, ", %s", (const gchar *)c->include_dirs->pdata[j]);
          ok = idl_error (c, &imp->loc, _ ("cannot find imported file '%s' (looked in %s)"),
                          imp->path, where->str);
          g_string_free (where, TRUE);
          return ok;
        }
      /* Stop at the first failed import: its half-read files would make
       * later imports of them look like cycles. */
      imp->file = load (c, path, &imp->loc, stack);
      if (imp->file == NULL)
        return FALSE;
    }
  return ok;
}

static IdlFile *
load (IdlCompiler *c, const gchar *path, const IdlLoc *from, GPtrArray *stack)
{
  g_autofree gchar *canonical = canonical_path (c, path);
  g_autofree gchar *text = NULL;
  gsize len = 0;
  IdlFile *f = g_hash_table_lookup (c->by_canonical, canonical);

  if (f != NULL)
    {
      if (f->state == FILE_LOADING)
        {
          GString *chain = g_string_new (NULL);
          gboolean in_cycle = FALSE;

          for (guint i = 0; i < stack->len; i++)
            {
              IdlFile *s = stack->pdata[i];
              if (s == f)
                in_cycle = TRUE;
              if (in_cycle)
                g_string_append_printf (chain, "%s -> ", s->path);
            }
          g_string_append (chain, f->path);
          idl_error (c, from, _ ("import cycle: %s"), chain->str);
          g_string_free (chain, TRUE);
          return NULL;
        }
      return f;
    }
  if (c->files->len >= IDL_MAX_FILES)
    {
      idl_error (c, from, _ ("more than %d files imported"), IDL_MAX_FILES);
      return NULL;
    }
  if (!read_file (c, path, from, &text, &len))
    return NULL;

  f = idl_new0 (c, IdlFile);
  f->path = idl_strdup (c, path);
  f->canonical = idl_strdup (c, canonical);
  f->defs = idl_ptr_array (c);
  f->imports = idl_ptr_array (c);
  f->state = FILE_LOADING;
  g_ptr_array_add (c->files, f);
  g_hash_table_insert (c->by_canonical, f->canonical, f);

  if (!idl_parse (c, f, text, len))
    return NULL;
  g_ptr_array_add (stack, f);
  if (!load_imports (c, f, stack))
    return NULL;
  g_ptr_array_remove_index (stack, stack->len - 1);
  f->state = FILE_LOADED;
  g_ptr_array_add (c->file_order, f);
  return f;
}

static GHashTable *
compute_visible (IdlFile *f)
{
  if (f->visible != NULL)
    return f->visible;
  f->visible = g_hash_table_new (NULL, NULL);
  g_hash_table_add (f->visible, f);
  for (guint i = 0; i < f->imports->len; i++)
    {
      IdlImport *imp = f->imports->pdata[i];
      GHashTableIter it;
      gpointer key;

      g_hash_table_iter_init (&it, compute_visible (imp->file));
      while (g_hash_table_iter_next (&it, &key, NULL))
        g_hash_table_add (f->visible, key);
    }
  return f->visible;
}

/**
 * idl_compiler_load:
 * @path: the .idl file to compile
 *
 * Reads @path and everything it imports, then checks them all.
 *
 * Returns: %TRUE when there is no error; else the errors are in
 *   compiler->errors.
 */
gboolean
idl_compiler_load (IdlCompiler *c, const gchar *path)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  c->main = load (c, path, NULL, stack);
  if (c->main == NULL || c->n_errors > 0)
    return FALSE;
  for (guint i = 0; i < c->files->len; i++)
    compute_visible (c->files->pdata[i]);
  return idl_check (c);
}

/* Every file the compilation read, the main file first: a depfile's
 * prerequisites. (transfer container) */
GPtrArray *
idl_compiler_dependencies (IdlCompiler *c)
{
  GPtrArray *deps = g_ptr_array_new ();

  for (guint i = 0; i < c->files->len; i++)
    g_ptr_array_add (deps, ((IdlFile *)c->files->pdata[i])->path);
  return deps;
}
