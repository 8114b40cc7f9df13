/* synod-idl.c — the command line of the IDL compiler.
 *
 *   synod-idl [-I DIR]... [-o OUTDIR] [--xml FILE] [--depfile FILE] FILE.idl
 *
 * Compiles FILE.idl into OUTDIR/FILE.h and OUTDIR/FILE.c (and the
 * introspection XML, and a make depfile). On any error it prints
 * `file:line:column: error: message` lines, writes nothing and exits 1.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "idl-compiler.h"

/* TRANSLATORS: generated code reports this (through the "synod" domain) when
 * a class leaves a method of its interface unimplemented: "Method
 * Shop.Cart.add is not implemented". */
G_GNUC_UNUSED static const gchar *generated_messages[] = {
  N_ ("Method %s.%s is not implemented"),
};

/* A path as make reads it in a rule. */
static void
append_make_path (GString *out, const gchar *path)
{
  for (const gchar *p = path; *p; p++)
    {
      if (*p == ' ' || *p == '#' || *p == '\\' || *p == ':')
        g_string_append_c (out, '\\');
      if (*p == '$')
        g_string_append_c (out, '$');
      g_string_append_c (out, *p);
    }
}

typedef struct
{
  const gchar *path;
  GString *text;
} Output;

/* Writes every output or, on an I/O error, removes those already written. */
static gboolean
write_outputs (Output *outs, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;

      if (outs[i].path == NULL)
        continue;
      if (!g_file_set_contents (outs[i].path, outs[i].text->str, outs[i].text->len, &error))
        {
          g_printerr ("synod-idl: %s: %s\n", _ ("error"), error->message);
          for (guint j = 0; j < i; j++)
            if (outs[j].path != NULL)
              g_unlink (outs[j].path);
          return FALSE;
        }
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_auto (GStrv) includes = NULL;
  g_autofree gchar *outdir = NULL, *xml_path = NULL, *dep_path = NULL;
  gboolean version = FALSE;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IdlCompiler) c = NULL;
  g_autofree gchar *base = NULL, *stem = NULL, *h_name = NULL, *h_path = NULL, *c_path = NULL;
  GString *h, *s, *x, *d;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "include-dir", 'I', 0, G_OPTION_ARG_FILENAME_ARRAY, &includes,
      N_ ("Look for imported files in DIR (after the importing file's directory)"), N_ ("DIR") },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &outdir,
      N_ ("Write FILE.h and FILE.c into DIR (default: the current directory)"), N_ ("DIR") },
    { "xml", 0, 0, G_OPTION_ARG_FILENAME, &xml_path,
      N_ ("Also write the introspection XML of the interfaces to FILE"), N_ ("FILE") },
    { "depfile", 0, 0, G_OPTION_ARG_FILENAME, &dep_path,
      N_ ("Write a make rule listing the imported files to FILE"), N_ ("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL,
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ctx = g_option_context_new (_ ("FILE.idl — compile a Synod interface definition into C"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (
      ctx, _ ("Writes FILE.h (C types, descriptors, stubs, skeleton) and FILE.c into the output\n"
              "directory. Errors are printed as file:line:column: error: message; on any error\n"
              "nothing is written and the exit status is 1."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("synod-idl: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("synod-idl %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc != 2)
    {
      g_printerr ("synod-idl: %s\n", _ ("expected exactly one .idl file (see --help)"));
      return 2;
    }

  c = idl_compiler_new ((const gchar *const *)includes);
  ok = idl_compiler_load (c, argv[1]);
  for (guint i = 0; i < c->errors->len; i++)
    g_printerr ("%s\n", (const gchar *)c->errors->pdata[i]);
  if (!ok)
    {
      if (c->n_errors > c->errors->len)
        g_printerr ("synod-idl: %s\n", _ ("too many errors, giving up"));
      return 1;
    }

  base = g_path_get_basename (argv[1]);
  stem = g_strdup (base);
  if (strrchr (stem, '.') != NULL && strrchr (stem, '.') != stem)
    *strrchr (stem, '.') = '\0';
  h_name = g_strdup_printf ("%s.h", stem);
  if (outdir != NULL && g_mkdir_with_parents (outdir, 0777) != 0)
    {
      g_printerr ("synod-idl: %s: %s: %s\n", _ ("error"), outdir, g_strerror (errno));
      return 1;
    }
  h_path = outdir != NULL ? g_build_filename (outdir, h_name, NULL) : g_strdup (h_name);
  c_path = g_strdup_printf ("%.*s.c", (int)strlen (h_path) - 2, h_path);

  h = g_string_new (NULL);
  s = g_string_new (NULL);
  x = g_string_new (NULL);
  d = g_string_new (NULL);
  idl_generate_c (c, h_name, h, s);
  if (xml_path != NULL)
    idl_generate_xml (c, x);
  if (dep_path != NULL)
    {
      g_autoptr (GPtrArray) deps = idl_compiler_dependencies (c);

      append_make_path (d, h_path);
      g_string_append_c (d, ' ');
      append_make_path (d, c_path);
      if (xml_path != NULL)
        {
          g_string_append_c (d, ' ');
          append_make_path (d, xml_path);
        }
      g_string_append_c (d, ':');
      for (guint i = 0; i < deps->len; i++)
        {
          g_string_append (d, " \\\n  ");
          append_make_path (d, deps->pdata[i]);
        }
      g_string_append_c (d, '\n');
      /* Like gcc -MP: a deleted import must not break the build. */
      for (guint i = 1; i < deps->len; i++)
        {
          g_string_append_c (d, '\n');
          append_make_path (d, deps->pdata[i]);
          g_string_append (d, ":\n");
        }
    }

  {
    Output outs[] = {
      { h_path, h },
      { c_path, s },
      { xml_path, x },
      { dep_path, d },
    };
    ok = write_outputs (outs, G_N_ELEMENTS (outs));
  }
  g_string_free (h, TRUE);
  g_string_free (s, TRUE);
  g_string_free (x, TRUE);
  g_string_free (d, TRUE);
  return ok ? 0 : 1;
}
