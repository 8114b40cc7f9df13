/* fuzz-idl.c — libFuzzer target: any bytes as an .idl file.
 *
 * The input is compiled as fuzz.idl (which may import other.idl, served from
 * memory too) through every pass, generators included. The compiler must
 * never crash, hang or leak, whatever it reads: it either reports errors or
 * writes C and XML.
 */
#include "config.h"

#include "idl-compiler.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static const gchar other_idl[] = "namespace Other;\n"
                                 "const N = 3;\n"
                                 "enum e { A, B };\n"
                                 "struct o { int a; o *next; string s<N>; };\n"
                                 "typedef o os<>;\n"
                                 "interface Base version 2 { os list(e which); };\n";

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  g_autoptr (IdlCompiler) c = idl_compiler_new (NULL);

  idl_compiler_add_memory_file (c, "fuzz.idl", (const gchar *)data, size);
  idl_compiler_add_memory_file (c, "other.idl", other_idl, sizeof other_idl - 1);
  if (idl_compiler_load (c, "fuzz.idl"))
    {
      GString *h = g_string_new (NULL), *s = g_string_new (NULL), *x = g_string_new (NULL);

      idl_generate_c (c, "fuzz.h", h, s);
      idl_generate_xml (c, x);
      g_string_free (h, TRUE);
      g_string_free (s, TRUE);
      g_string_free (x, TRUE);
    }
  return 0;
}
