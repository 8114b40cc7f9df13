/* test-idl-compiler.c — synod-idl as a program: outputs, options, errors.
 *
 * Runs the built synod-idl ($SYNOD_IDL) in a fresh temporary directory per
 * test: the files it writes (header, source, introspection XML validated
 * against the D-Bus DTD, depfile), how it finds imports, its usage errors,
 * and a table of bad inputs, each with the exact file:line:column expected
 * and a part of the message, an exit status of 1 and nothing written.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#ifndef SYNOD_IDL_PATH
#error "SYNOD_IDL_PATH must name the built synod-idl"
#endif

typedef struct
{
  gchar *dir;
} Fixture;

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("test-idl-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
rm_rf (const gchar *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  rm_rf (fx->dir);
  g_free (fx->dir);
}

static void
write_file (const gchar *dir, const gchar *name, const gchar *text)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static gchar *
read_file (const gchar *dir, const gchar *name)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  gchar *text = NULL;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static gboolean
exists (const gchar *dir, const gchar *name)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static const gchar *
synod_idl (void)
{
  const gchar *env = g_getenv ("SYNOD_IDL");
  return env != NULL && *env != '\0' ? env : SYNOD_IDL_PATH;
}

/* Runs synod-idl in @cwd with @args (NULL-terminated); returns its exit
 * status. */
static gint
run (const gchar *cwd, gchar **out, gchar **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  va_list ap;
  gint status = -1;
  const gchar *arg;

  g_ptr_array_add (argv, (gpointer)synod_idl ());
  va_start (ap, err);
  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (cwd, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}

static const gchar *
corpus_dir (void)
{
  static gchar *dir;

  if (dir == NULL)
    dir = g_build_filename (g_getenv ("SYNOD_TOP_SRCDIR") ? g_getenv ("SYNOD_TOP_SRCDIR")
                                                          : SYNOD_TOP_SRCDIR,
                            "tests", "idl", "corpus", NULL);
  return dir;
}

/* ------------------------------------------------------------------------- */

static void
test_outputs (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *src = g_build_filename (corpus_dir (), "ifaces.idl", NULL);
  g_autofree gchar *out = NULL, *err = NULL, *h = NULL, *c = NULL, *dep = NULL, *xml = NULL;

  g_test_summary ("synod-idl writes FILE.h and FILE.c into -o, the XML and a depfile listing "
                  "every imported file with a phony rule each.");
  g_assert_cmpint (run (fx->dir, &out, &err, "-o", "gen", "--xml", "ifaces.xml", "--depfile",
                        "ifaces.d", src, NULL),
                   ==, 0);
  g_assert_cmpstr (err, ==, "");
  h = read_file (fx->dir, "gen/ifaces.h");
  c = read_file (fx->dir, "gen/ifaces.c");
  xml = read_file (fx->dir, "ifaces.xml");
  dep = read_file (fx->dir, "ifaces.d");
  g_assert_nonnull (strstr (h, "#include \"types.h\""));
  g_assert_nonnull (strstr (h, "#include \"base.h\""));
  g_assert_nonnull (strstr (h, "extern const SynodInterfaceDesc corpus_everything_interface;"));
  g_assert_nonnull (strstr (c, "#include \"ifaces.h\""));
  g_assert_nonnull (strstr (c, "const SynodInterfaceDesc corpus_everything_interface = {"));
  g_assert_true (g_str_has_prefix (xml, "<!DOCTYPE node PUBLIC"));
  g_assert_nonnull (strstr (xml, "<interface name=\"Corpus.Everything\">"));
  g_assert_nonnull (strstr (xml, "<interface name=\"Corpus.Weird\">"));
  /* only the main file's interfaces */
  g_assert_null (strstr (xml, "Corpus.Base.Root\">"));
  g_assert_true (g_str_has_prefix (dep, "gen/ifaces.h gen/ifaces.c ifaces.xml: \\\n"));
  g_assert_nonnull (strstr (dep, "corpus/ifaces.idl \\\n"));
  g_assert_nonnull (strstr (dep, "corpus/types.idl \\\n"));
  g_assert_nonnull (strstr (dep, "corpus/base.idl\n"));
  g_assert_nonnull (strstr (dep, "corpus/base.idl:\n"));
  g_assert_nonnull (strstr (dep, "corpus/types.idl:\n"));
}

static void
test_deterministic (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *src = g_build_filename (corpus_dir (), "types.idl", NULL);
  g_autofree gchar *a = NULL, *b = NULL;

  g_assert_cmpint (run (fx->dir, NULL, NULL, "-o", "one", src, NULL), ==, 0);
  g_assert_cmpint (run (fx->dir, NULL, NULL, "-o", "two", src, NULL), ==, 0);
  a = read_file (fx->dir, "one/types.c");
  b = read_file (fx->dir, "two/types.c");
  g_assert_cmpstr (a, ==, b);
}

static void
test_xml_valid (Fixture *fx, gconstpointer data)
{
  const gchar *xmllint = g_getenv ("XMLLINT");
  const gchar *dtd = g_getenv ("DBUS_INTROSPECT_DTD");
  const gchar *files[] = { "ifaces", "base", "names", "types" };

  g_test_summary ("The introspection XML of every corpus file is valid against the D-Bus "
                  "introspection DTD.");
  if (xmllint == NULL || *xmllint == '\0' || g_str_equal (xmllint, "no"))
    {
      g_test_skip ("xmllint not found (install libxml2-utils)");
      return;
    }
  if (dtd == NULL || !g_file_test (dtd, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the D-Bus introspection DTD is missing (install libdbus-1-dev)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree gchar *src = g_strdup_printf ("%s/%s.idl", corpus_dir (), files[i]);
      g_autofree gchar *xml = g_strdup_printf ("%s.xml", files[i]);
      g_autofree gchar *err = NULL;
      const gchar *argv[] = { xmllint, "--noout", "--dtdvalid", dtd, xml, NULL };
      gint status = -1;
      g_autoptr (GError) error = NULL;

      g_assert_cmpint (run (fx->dir, NULL, NULL, "-o", "gen", "--xml", xml, src, NULL), ==, 0);
      g_spawn_sync (fx->dir, (gchar **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                    &err, &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("%s is not valid: %s", xml, err);
    }
}

static void
test_usage (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *out = NULL, *err = NULL;

  g_assert_cmpint (run (fx->dir, &out, &err, "--version", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "synod-idl " PACKAGE_VERSION "\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx->dir, &out, &err, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "exactly one"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx->dir, NULL, &err, "a.idl", "b.idl", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx->dir, NULL, &err, "--frobnicate", "a.idl", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx->dir, NULL, &err, "missing.idl", NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "synod-idl: error: cannot read 'missing.idl'"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx->dir, NULL, &err, ".", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not a regular file"));
}

static void
test_include_dirs (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *err = NULL, *h = NULL;

  g_test_summary ("Imports are looked for next to the importing file, then in each -I "
                  "directory in order; a file imported twice is read once.");
  write_file (fx->dir, "src/main.idl",
              "import \"dep.idl\";\nimport \"left.idl\";\nimport \"right.idl\";\n"
              "namespace M;\nstruct m { D.d x; L.l y; R.r z; };\n");
  /* dep.idl in two -I directories: the first wins */
  write_file (fx->dir, "inc1/dep.idl", "namespace D;\nstruct d { int first; };\n");
  write_file (fx->dir, "inc2/dep.idl", "namespace D;\nstruct d { int second; };\n");
  /* a diamond: left and right both import common, next to them */
  write_file (fx->dir, "inc2/left.idl",
              "import \"common.idl\";\nnamespace L;\nstruct l { C.c v; };\n");
  write_file (fx->dir, "inc2/right.idl",
              "import \"common.idl\";\nnamespace R;\nstruct r { C.c v; };\n");
  write_file (fx->dir, "inc2/common.idl", "namespace C;\nstruct c { int v; };\n");
  g_assert_cmpint (
      run (fx->dir, NULL, &err, "-I", "inc1", "-I", "inc2", "-o", "gen", "src/main.idl", NULL), ==,
      0);
  g_assert_cmpstr (err, ==, "");
  h = read_file (fx->dir, "gen/main.h");
  g_assert_nonnull (strstr (h, "#include \"dep.h\""));
  g_clear_pointer (&err, g_free);

  /* next to the importing file wins over -I */
  write_file (fx->dir, "src/dep.idl", "namespace D;\nstruct other { int v; };\n");
  g_assert_cmpint (
      run (fx->dir, NULL, &err, "-I", "inc1", "-I", "inc2", "-o", "gen", "src/main.idl", NULL), ==,
      1);
  g_assert_nonnull (strstr (err, "src/main.idl:5:12: error: 'D.d' is not defined"));
}

/* ------------------------------------------------------------------------- */
/* Bad inputs */

typedef struct
{
  const gchar *name;
  const gchar *main;       /* main.idl */
  const gchar *other_name; /* an extra file, or NULL */
  const gchar *other;
  const gchar *where;      /* the expected "file:line:column" of the first error */
  const gchar *message;    /* part of its message */
  const gchar *third_name; /* a second extra file, or NULL */
  const gchar *third;
} BadInput;

static const BadInput bad_inputs[] = {
  /* lexical and syntax errors */
  { "missing-semicolon", "struct s { int a }", NULL, NULL, "main.idl:1:18",
    "expected ';', found '}'" },
  { "unterminated-comment", "const A = 1;\n/* abc", NULL, NULL, "main.idl:2:1",
    "unterminated comment" },
  { "bad-character", "struct s { int a; } @", NULL, NULL, "main.idl:1:21",
    "unexpected character '@'" },
  { "bad-byte", "struct s\x01 { int a; };", NULL, NULL, "main.idl:1:9", "unexpected byte 0x01" },
  { "invalid-number", "const A = 12ab;", NULL, NULL, "main.idl:1:11", "invalid number '12ab'" },
  { "octal-digit", "const A = 09;", NULL, NULL, "main.idl:1:11", "invalid number '09'" },
  { "number-overflow", "const A = 99999999999999999999;", NULL, NULL, "main.idl:1:11",
    "out of range" },
  { "reserved-word", "struct int { int a; };", NULL, NULL, "main.idl:1:8",
    "'int' is a reserved word" },
  { "unsigned-alone", "struct s { unsigned a; };", NULL, NULL, "main.idl:1:21",
    "'int' or 'hyper' after 'unsigned'" },
  { "string-no-bound", "struct s { string a; };", NULL, NULL, "main.idl:1:19",
    "string a<N> or string a<>" },
  { "opaque-no-bound", "struct s {\n  opaque a;\n};", NULL, NULL, "main.idl:2:10", "opaque a[N]" },
  { "string-array", "struct s { string a[3]; };", NULL, NULL, "main.idl:1:20",
    "for an array of strings use a typedef" },
  { "void-member", "struct s { void; };", NULL, NULL, "main.idl:1:12",
    "'void' is not allowed as a struct member" },
  { "empty-struct", "struct s { };", NULL, NULL, "main.idl:1:12", "at least one member" },
  { "typedef-void", "typedef void;", NULL, NULL, "main.idl:1:9", "declares nothing" },
  { "case-after-default",
    "union u switch (int d) { case 1: int a; default: void; case 2: int b; };", NULL, NULL,
    "main.idl:1:56", "default comes last" },
  { "array-result", "interface I { int f<>(); };", NULL, NULL, "main.idl:1:20",
    "cannot be an array" },
  { "void-param", "interface I { void f(int a, void); };", NULL, NULL, "main.idl:1:29",
    "'void' can only stand alone" },
  { "preprocessor", "#define X 1\n", NULL, NULL, "main.idl:1:1", "only '#include \"FILE\"'" },
  { "not-a-definition", "foo;", NULL, NULL, "main.idl:1:1", "expected a definition" },
  { "interface-semicolon", "interface I { void f(); }", NULL, NULL, "main.idl:1:26",
    "expected ';', found end of file" },
  { "namespace-late", "const A = 1;\nnamespace X;", NULL, NULL, "main.idl:2:1",
    "must come before any definition" },
  { "namespace-twice", "namespace X;\nnamespace Y;", NULL, NULL, "main.idl:2:1",
    "at most one namespace" },
  /* names */
  { "undefined-type", "struct s { foo a; };", NULL, NULL, "main.idl:1:12", "'foo' is not defined" },
  { "undefined-qualified", "struct s { X.foo a; };", NULL, NULL, "main.idl:1:12",
    "'X.foo' is not defined" },
  { "redefinition", "const A = 1;\nconst A = 2;", NULL, NULL, "main.idl:2:7",
    "redefinition of 'A' (first defined at main.idl:1:7)" },
  { "redefinition-kinds", "enum e { X = 1 };\nstruct X { int a; };", NULL, NULL, "main.idl:2:8",
    "redefinition of 'X'" },
  { "object-id-predefined", "struct ObjectId { int a; };", NULL, NULL, "main.idl:1:8",
    "'ObjectId' is a predefined type" },
  { "constant-as-type", "const N = 3;\nstruct s { N a; };", NULL, NULL, "main.idl:2:12",
    "'N' is a constant, not a type" },
  { "type-as-constant", "struct t { int a; };\ntypedef int v<t>;", NULL, NULL, "main.idl:2:15",
    "'t' is a struct, not a constant" },
  { "wrong-tag", "enum e { A };\nstruct s { struct e x; };", NULL, NULL, "main.idl:2:19",
    "'e' is an enum, not a struct" },
  { "duplicate-member", "struct s { int a; int a; };", NULL, NULL, "main.idl:1:23",
    "duplicate member 'a' (first at line 1)" },
  { "duplicate-arm", "union u switch (int d) { case 1: int a; case 2: int a; };", NULL, NULL,
    "main.idl:1:53", "duplicate arm 'a'" },
  { "ambiguous", "import \"a.idl\";\nimport \"b.idl\";\nnamespace M;\nstruct s { t x; };", "a.idl",
    "namespace A;\nstruct t { int a; };\n", "main.idl:4:12",
    "'t' is ambiguous: write one of 'A.t', 'B.t'", "b.idl",
    "namespace B;\nstruct t { int b; };\n" },
  { "not-imported", "import \"a.idl\";\nimport \"b.idl\";\nconst X = 1;", "a.idl",
    "namespace A;\nstruct sa { B.tb x; };\n", "a.idl:2:13",
    "'B.tb' is defined in 'b.idl', which this file does not import", "b.idl",
    "namespace B;\nstruct tb { int v; };\n" },
  { "c-name-clash",
    "namespace Shop;\nstruct lookup_result { int a; };\nstruct lookupResult { int b; };", NULL,
    NULL, "main.idl:3:8",
    "the C name 'ShopLookupResult' of the type of 'Shop.lookupResult' is already that of the type "
    "of 'Shop.lookup_result' (main.idl:2:8)" },
  { "c-name-clash-method", "namespace Shop;\ninterface Cart { void add(); void add_async(); };",
    NULL, NULL, "main.idl:2:35",
    "'shop_cart_add_async' of method 'add_async' of 'Shop.Cart' is already that of method 'add'" },
  { "c-param-clash", "interface I { void f(int x<>, int x_len); };", NULL, NULL, "main.idl:1:35",
    "becomes the C parameter 'x_len'" },
  /* constants and bounds */
  { "fixed-zero", "typedef int v[0];", NULL, NULL, "main.idl:1:15",
    "must be between 1 and 16777216, not 0" },
  { "fixed-huge", "typedef opaque v[0x7fffffff];", NULL, NULL, "main.idl:1:18",
    "must be between 1 and 16777216" },
  { "var-negative", "typedef int v<-1>;", NULL, NULL, "main.idl:1:15",
    "must be between 0 and 4294967295, not -1" },
  { "var-too-large", "typedef string v<4294967296>;", NULL, NULL, "main.idl:1:18",
    "not 4294967296" },
  { "undefined-bound", "typedef int v<N>;", NULL, NULL, "main.idl:1:15", "'N' is not defined" },
  { "const-cycle", "const A = B;\nconst B = A;", NULL, NULL, "main.idl:1:7",
    "'A' is defined in terms of itself" },
  { "enum-duplicate-value", "enum e { A = 1, B = 1 };", NULL, NULL, "main.idl:1:17",
    "enum values must be distinct" },
  { "enum-implicit-duplicate", "enum e { A = 1, B = 0, C };", NULL, NULL, "main.idl:1:24",
    "'C' has the value 1 of 'A'" },
  { "enum-out-of-range", "enum e { A = 2147483648 };", NULL, NULL, "main.idl:1:10",
    "out of range" },
  /* unions */
  { "case-not-in-enum", "enum c { R = 1, G = 2 };\nunion u switch (c x) { case 3: int a; };", NULL,
    NULL, "main.idl:2:29", "case 3 is not a value of enum 'c'" },
  { "case-other-enum",
    "enum c { R = 1 };\nenum d { S = 2 };\nunion u switch (c x) { case S: int a; };", NULL, NULL,
    "main.idl:3:29", "case S is not a value of enum 'c'" },
  { "duplicate-case", "union u switch (int x) { case 1: int a; case 1: int b; };", NULL, NULL,
    "main.idl:1:46", "duplicate case value 1 (first at line 1)" },
  { "duplicate-case-same-arm", "union u switch (int x) { case 1: case 1: int a; };", NULL, NULL,
    "main.idl:1:39", "duplicate case value 1" },
  { "case-not-bool", "union u switch (bool b) { case 2: int a; };", NULL, NULL, "main.idl:1:32",
    "case 2 is not a bool" },
  { "case-int-range", "union u switch (int x) { case 2147483648: int a; };", NULL, NULL,
    "main.idl:1:31", "out of range for int" },
  { "case-uint-negative", "union u switch (unsigned int x) { case -1: int a; };", NULL, NULL,
    "main.idl:1:40", "out of range for unsigned int" },
  { "discriminant-hyper", "union u switch (hyper h) { case 1: int a; };", NULL, NULL,
    "main.idl:1:17", "must be int, unsigned int, bool or an enum" },
  { "discriminant-array", "union u switch (int d<>) { case 1: int a; };", NULL, NULL,
    "main.idl:1:21", "must be a plain" },
  { "discriminant-struct", "struct t { int a; };\nunion u switch (t d) { case 1: int a; };", NULL,
    NULL, "main.idl:2:17", "must be int, unsigned int, bool or an enum" },
  { "contains-itself", "struct s { int a; s b; };", NULL, NULL, "main.idl:1:8",
    "type 's' contains itself" },
  { "contains-itself-fixed", "struct s { int a; s b[2]; };", NULL, NULL, "main.idl:1:8",
    "contains itself" },
  { "typedef-cycle", "typedef a b;\ntypedef b a;", NULL, NULL, "main.idl:1:11", "contains itself" },
  /* interfaces */
  { "oneway-result", "interface I { oneway int f(); };", NULL, NULL, "main.idl:1:22",
    "oneway method 'f' must return void" },
  { "version-zero", "interface I version 0 { };", NULL, NULL, "main.idl:1:21",
    "between 1 and 4294967295, not 0" },
  { "base-not-interface", "struct s { int a; };\ninterface I : s { };", NULL, NULL, "main.idl:2:15",
    "base 's' is a struct, not an interface" },
  { "base-twice", "interface B { };\ninterface I : B, B { };", NULL, NULL, "main.idl:2:18",
    "'B' is listed twice as a base" },
  { "inherits-itself", "interface A : B { };\ninterface B : A { };", NULL, NULL, "main.idl:1:11",
    "inherits from itself" },
  { "duplicate-method", "interface I {\n  void f();\n  void f();\n};", NULL, NULL, "main.idl:3:8",
    "duplicate method 'f' (first at line 2)" },
  { "duplicate-param", "interface I { void f(int a, int a); };", NULL, NULL, "main.idl:1:33",
    "duplicate parameter 'a'" },
  { "interface-as-type", "interface I { };\nstruct s { I a; };", NULL, NULL, "main.idl:2:12",
    "'I' is an interface, not a type" },
  /* annotations */
  { "unknown-annotation", "[frobnicate] interface I { };", NULL, NULL, "main.idl:1:2",
    "unknown annotation 'frobnicate'" },
  { "annotation-on-type", "[concurrent] struct s { int a; };", NULL, NULL, "main.idl:1:2",
    "'concurrent' does not apply to a type definition" },
  { "annotation-on-const", "[deprecated] const A = 1;", NULL, NULL, "main.idl:1:2",
    "'deprecated' does not apply to a constant" },
  { "allomorphic-on-method", "interface I { [allomorphic(X;1)] void f(); };", NULL, NULL,
    "main.idl:1:16", "'allomorphic' does not apply to a method" },
  { "duplicate-annotation", "[concurrent, concurrent] interface I { };", NULL, NULL,
    "main.idl:1:14", "duplicate annotation 'concurrent'" },
  { "duplicate-allomorphic", "[allomorphic(X;1), allomorphic(X;1)] interface I { };", NULL, NULL,
    "main.idl:1:20", "duplicate allomorphic(X;1)" },
  { "allomorphic-version", "[allomorphic(X;0)] interface I { };", NULL, NULL, "main.idl:1:14",
    "between 1 and 4294967295, not 0" },
  { "allomorphic-syntax", "[allomorphic(X)] interface I { };", NULL, NULL, "main.idl:1:15",
    "expected ';', found ')'" },
  { "allomorphic-not-interface", "struct X { int a; };\n[allomorphic(X;1)] interface I { };", NULL,
    NULL, "main.idl:2:14", "'X' is a struct, not an interface" },
  { "c-name-invalid", "[c_name(Bad)] struct s { int a; };", NULL, NULL, "main.idl:1:9",
    "c_name needs a snake-case C name" },
  { "annotation-args", "[concurrent(1)] interface I { };", NULL, NULL, "main.idl:1:12",
    "takes no arguments" },
  /* files */
  { "missing-import", "import \"nope.idl\";", NULL, NULL, "main.idl:1:8",
    "cannot find imported file 'nope.idl'" },
  { "import-cycle", "import \"other.idl\";\nconst A = 1;", "other.idl", "import \"main.idl\";\n",
    "other.idl:1:8", "import cycle: main.idl -> other.idl -> main.idl" },
  { "import-directory", "import \"sub\";", "sub/x.idl", "const A = 1;", "main.idl:1:8",
    "'sub' is not a regular file" },
  { "error-in-import", "import \"other.idl\";", "other.idl", "\nstruct s { foo a; };\n",
    "other.idl:2:12", "'foo' is not defined" },
};

static void
test_bad_input (Fixture *fx, gconstpointer data)
{
  const BadInput *bad = data;
  g_autofree gchar *out = NULL, *err = NULL, *expected = NULL;

  write_file (fx->dir, "main.idl", bad->main);
  if (bad->other_name != NULL)
    write_file (fx->dir, bad->other_name, bad->other);
  if (bad->third_name != NULL)
    write_file (fx->dir, bad->third_name, bad->third);
  g_assert_cmpint (run (fx->dir, &out, &err, "-o", "out", "--xml", "out.xml", "--depfile", "out.d",
                        "main.idl", NULL),
                   ==, 1);
  expected = g_strdup_printf ("%s%s", bad->where, g_str_has_suffix (bad->where, ":") ? "" : ":");
  if (!g_str_has_prefix (err, expected) || strstr (err, " error: ") == NULL
      || strstr (err, bad->message) == NULL)
    g_error ("expected \"%s ... error: ...%s...\", got: %s", expected, bad->message, err);
  /* nothing written */
  g_assert_false (exists (fx->dir, "out"));
  g_assert_false (exists (fx->dir, "out.xml"));
  g_assert_false (exists (fx->dir, "out.d"));
}

static void
test_too_deep (Fixture *fx, gconstpointer data)
{
  GString *text = g_string_new ("struct s ");
  g_autofree gchar *err = NULL;

  g_test_summary ("Inline types nested past the limit are an error, not a stack overflow.");
  for (guint i = 0; i < 70; i++)
    g_string_append (text, "{ struct ");
  g_string_append (text, "{ int x; }");
  for (guint i = 0; i < 70; i++)
    g_string_append (text, " a; }");
  g_string_append (text, ";\n");
  write_file (fx->dir, "main.idl", text->str);
  g_string_free (text, TRUE);
  g_assert_cmpint (run (fx->dir, NULL, &err, "main.idl", NULL), ==, 1);
  /* the 64th inline struct is the 65th level: its keyword at 9 + 63 * 9 + 3 */
  g_assert_cmpstr (err, ==, "main.idl:1:579: error: inline types nested more than 64 deep\n");
}

static void
test_many_errors (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *err = NULL;
  g_auto (GStrv) lines = NULL;

  g_test_summary ("Semantic errors are all reported, each on its own line, in source order.");
  write_file (fx->dir, "main.idl",
              "struct a { foo x; };\nstruct b { bar y; };\ntypedef int c<-1>;\n");
  g_assert_cmpint (run (fx->dir, NULL, &err, "main.idl", NULL), ==, 1);
  lines = g_strsplit (err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "main.idl:1:12: error: 'foo'"));
  g_assert_true (g_str_has_prefix (lines[1], "main.idl:2:12: error: 'bar'"));
  g_assert_true (g_str_has_prefix (lines[2], "main.idl:3:15: error: "));
  g_assert_false (exists (fx->dir, "main.h"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/idl/compiler/outputs", Fixture, NULL, fixture_set_up, test_outputs,
              fixture_tear_down);
  g_test_add ("/idl/compiler/deterministic", Fixture, NULL, fixture_set_up, test_deterministic,
              fixture_tear_down);
  g_test_add ("/idl/compiler/xml-valid", Fixture, NULL, fixture_set_up, test_xml_valid,
              fixture_tear_down);
  g_test_add ("/idl/compiler/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);
  g_test_add ("/idl/compiler/include-dirs", Fixture, NULL, fixture_set_up, test_include_dirs,
              fixture_tear_down);
  g_test_add ("/idl/compiler/too-deep", Fixture, NULL, fixture_set_up, test_too_deep,
              fixture_tear_down);
  g_test_add ("/idl/compiler/many-errors", Fixture, NULL, fixture_set_up, test_many_errors,
              fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/idl/errors/%s", bad_inputs[i].name);
      g_test_add (path, Fixture, &bad_inputs[i], fixture_set_up, test_bad_input, fixture_tear_down);
    }
  return g_test_run ();
}
