/* idl-compiler.h — the syntax tree and the passes of synod-idl.
 *
 * synod-idl reads an .idl file and the files it imports (idl-lexer.c,
 * idl-parser.c, idl-driver.c), resolves and checks every name, bound, case
 * label and annotation (idl-check.c), then writes C (idl-gen-c.c) and the
 * D-Bus introspection XML of the interfaces (idl-gen-xml.c). Everything a
 * compilation allocates lives in its IdlCompiler and is freed with it, so the
 * whole pipeline can run in a fuzzer loop.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits on what an input can make the compiler do. */
#define IDL_MAX_FILE_SIZE (16 * 1024 * 1024) /* bytes per .idl file */
#define IDL_MAX_FILES 256                    /* files per compilation (imports) */
#define IDL_MAX_NESTING 64                   /* nested inline struct/union/enum */
#define IDL_MAX_ERRORS 50                    /* errors reported before giving up */
#define IDL_MAX_FIXED_LEN (1u << 24)         /* elements of a fixed array or opaque */
#define IDL_MAX_DEPTH 512                    /* nesting of constants and types */
#define IDL_MAX_VARIANT_TYPE 65536           /* length of a GVariant type string */

/* Kind values mirror SynodTypeKind (orb/synod-type.h) where they overlap, but
 * the compiler does not link libsynod: it only writes C that does. */

typedef struct _IdlCompiler IdlCompiler;
typedef struct _IdlFile IdlFile;
typedef struct _IdlDef IdlDef;
typedef struct _IdlSpec IdlSpec;
typedef struct _IdlDecl IdlDecl;
typedef struct _IdlValue IdlValue;
typedef struct _IdlArm IdlArm;
typedef struct _IdlMethod IdlMethod;
typedef struct _IdlAnnotation IdlAnnotation;

typedef struct
{
  const gchar *file; /* the path as opened (owned by the IdlFile) */
  guint line;        /* from 1 */
  guint column;      /* from 1, in characters */
} IdlLoc;

typedef enum
{
  IDL_SPEC_VOID,
  IDL_SPEC_INT,
  IDL_SPEC_UINT,
  IDL_SPEC_HYPER,
  IDL_SPEC_UHYPER,
  IDL_SPEC_FLOAT,
  IDL_SPEC_DOUBLE,
  IDL_SPEC_QUADRUPLE,
  IDL_SPEC_BOOL,
  IDL_SPEC_STRING, /* only as a declarator (string x<N>) or a method result */
  IDL_SPEC_OPAQUE, /* only as a declarator (opaque x[N], x<N>) or a method result */
  IDL_SPEC_OBJECT_ID,
  IDL_SPEC_NAMED,  /* a name, resolved to ->def by the check pass */
  IDL_SPEC_INLINE, /* an inline struct, union or enum: ->def */
} IdlSpecKind;

typedef enum
{
  IDL_DEF_CONST,
  IDL_DEF_ENUM_VALUE,
  IDL_DEF_TYPEDEF,
  IDL_DEF_ENUM,
  IDL_DEF_STRUCT,
  IDL_DEF_UNION,
  IDL_DEF_INTERFACE,
} IdlDefKind;

struct _IdlSpec
{
  IdlSpecKind kind;
  IdlLoc loc;
  gchar *ref;   /* NAMED: the name as written, possibly qualified */
  gint ref_tag; /* NAMED: -1, or the IdlDefKind of `struct X`/`union X`/`enum X` */
  IdlDef *def;  /* NAMED (after checking) and INLINE */
};

/* A constant operand: a literal or the name of a constant or enum symbol. */
struct _IdlValue
{
  IdlLoc loc;
  gchar *ident; /* NULL for a literal */
  gint64 value; /* the literal, or the resolved value */
  IdlDef *def;  /* the named constant, once resolved */
};

typedef enum
{
  IDL_DECL_PLAIN,    /* T x */
  IDL_DECL_FIXED,    /* T x[N], opaque x[N] */
  IDL_DECL_VAR,      /* T x<N>, opaque x<N>, string x<N> */
  IDL_DECL_OPTIONAL, /* T *x */
  IDL_DECL_VOID,     /* void */
} IdlDeclKind;

struct _IdlDecl
{
  IdlLoc loc; /* of the declaration's name (its start for void) */
  IdlDeclKind kind;
  IdlSpec *spec;
  gchar *name;         /* NULL for void */
  IdlValue *bound;     /* FIXED: the length; VAR: the maximum, NULL for <> */
  guint32 bound_value; /* resolved; G_MAXUINT32 for <> */
  gchar *c_name;       /* the member or parameter name in C */
  gchar *variant;      /* method parameters and results: the GVariant type */
};

struct _IdlArm
{
  IdlLoc loc;
  GPtrArray *labels; /* IdlValue, empty for the default arm */
  GArray *values;    /* gint32, one per label, after checking */
  IdlDecl *decl;
};

struct _IdlAnnotation
{
  IdlLoc loc;
  gchar *name;
  gchar *target; /* allomorphic: the interface name; c_name: the prefix */
  IdlLoc target_loc;
  gint64 version; /* allomorphic: the version */
};

struct _IdlMethod
{
  IdlLoc loc;
  gchar *name;
  IdlDef *interface;
  guint index;
  gboolean oneway;
  gboolean concurrent; /* annotated */
  gboolean deprecated; /* annotated */
  GPtrArray *annotations;
  IdlDecl *result; /* PLAIN; spec VOID for void */
  IdlDef *args;    /* STRUCT of the parameters (fields may be empty) */
  gchar *c_slot;   /* vtable member */
  gchar *c_func;   /* stub name */
  gchar *c_upper;  /* METHOD_ macro suffix */
};

struct _IdlDef
{
  IdlDefKind kind;
  IdlLoc loc;
  IdlFile *file;
  gchar *name;    /* as written; synthesized for inline types */
  gchar *qname;   /* qualified with the namespace */
  IdlDef *parent; /* inline types: the enclosing definition; enum symbols: their enum */
  gboolean is_inline;
  gboolean is_args;  /* a method's argument struct */
  IdlMethod *method; /* is_args: its method */
  GPtrArray *annotations;
  gchar *c_name_override; /* [c_name(x)] */

  /* CONST, ENUM_VALUE */
  IdlValue *value;  /* NULL for an enum symbol without "= value" */
  guint enum_index; /* ENUM_VALUE: its position in its enum */
  gint64 const_value;

  /* TYPEDEF */
  IdlDecl *decl;

  /* ENUM */
  GPtrArray *values; /* IdlDef ENUM_VALUE */

  /* STRUCT */
  GPtrArray *fields; /* IdlDecl */

  /* UNION */
  IdlDecl *disc;
  GPtrArray *arms; /* IdlArm (case arms, not the default) */
  IdlArm *default_arm;

  /* INTERFACE */
  IdlValue *version_value;
  guint32 version;
  GPtrArray *base_refs; /* IdlSpec NAMED */
  GPtrArray *bases;     /* IdlDef INTERFACE */
  GPtrArray *methods;   /* IdlMethod */
  gboolean concurrent;
  gboolean deprecated;
  GPtrArray *allomorphic; /* gchar * "Name;N" */

  /* Inline types defined in this definition, in the order they must be
   * emitted (innermost first). */
  GPtrArray *inlines;

  /* Derived by the check pass. */
  gint state;                /* constant evaluation, base interface cycles */
  gint sort_state;           /* the order of C definitions */
  IdlMethod *owner_method;   /* argument structs and their inline types */
  IdlDef *shape;             /* TYPEDEF: what an alias chain ends at (idl_resolve_typedef) */
  const IdlSpec *shape_spec; /* TYPEDEF: the spec naming it, NULL for a non-plain typedef */
  gint owns_state;           /* 0 unknown, 1 no, 2 yes */
  gchar *c_type;             /* CamelCase type name ("ShopItem") */
  gchar *c_func;             /* snake-case stem ("shop_item") */
  gchar *c_upper;            /* upper-case stem ("SHOP_ITEM") */
};

typedef struct
{
  IdlLoc loc;
  gchar *path;   /* as written in the import */
  IdlFile *file; /* resolved */
} IdlImport;

struct _IdlFile
{
  gchar *path;      /* as opened */
  gchar *canonical; /* for "read once" */
  gchar *ns;        /* namespace, NULL without one */
  IdlLoc ns_loc;
  gchar *ns_camel, *ns_snake, *ns_upper;
  GPtrArray *defs;     /* IdlDef, top-level, in source order */
  GPtrArray *imports;  /* IdlImport */
  GHashTable *visible; /* IdlFile * set: itself and what it imports, transitively */
  gint state;          /* loading, loaded */
};

struct _IdlCompiler
{
  GPtrArray *include_dirs;  /* gchar * */
  GPtrArray *files;         /* IdlFile, in load order */
  GPtrArray *file_order;    /* IdlFile, each after the files it imports */
  GHashTable *by_canonical; /* canonical path -> IdlFile */
  GHashTable *symbols;      /* qname -> IdlDef (types, constants, interfaces) */
  GHashTable *by_short;     /* short name -> GPtrArray of IdlDef */
  GHashTable *c_names;      /* C identifier -> IdlDef that claimed it */
  GPtrArray *type_order;    /* type IdlDefs of every file, each after what it needs */
  GPtrArray *errors;        /* gchar *, formatted */
  guint n_errors;
  IdlFile *main;
  /* Everything the compilation allocates, freed together. */
  GPtrArray *arena;
  GPtrArray *arena_arrays;
  GPtrArray *arena_tables;
  /* Testing: read files from memory (name -> GBytes) instead of the disk. */
  GHashTable *memory_files;
};

/* idl-driver.c */
IdlCompiler *idl_compiler_new (const gchar *const *include_dirs);
void idl_compiler_free (IdlCompiler *compiler);
void idl_compiler_add_memory_file (IdlCompiler *compiler, const gchar *path, const gchar *data,
                                   gsize len);
gboolean idl_compiler_load (IdlCompiler *compiler, const gchar *path);
GPtrArray *idl_compiler_dependencies (IdlCompiler *compiler);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdlCompiler, idl_compiler_free)

/* Memory owned by the compiler. */
gpointer idl_alloc0 (IdlCompiler *compiler, gsize size);
#define idl_new0(c, T) ((T *)idl_alloc0 ((c), sizeof (T)))
gchar *idl_strdup (IdlCompiler *compiler, const gchar *s);
gchar *idl_strndup (IdlCompiler *compiler, const gchar *s, gsize n);
gchar *idl_take (IdlCompiler *compiler, gchar *s);
gchar *idl_printf (IdlCompiler *compiler, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
GPtrArray *idl_ptr_array (IdlCompiler *compiler);
GArray *idl_array (IdlCompiler *compiler, guint element_size);

/* Reports an error at @loc; returns FALSE so callers can `return idl_error (...)`. */
gboolean idl_error (IdlCompiler *compiler, const IdlLoc *loc, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);
gboolean idl_too_many_errors (IdlCompiler *compiler);

/* idl-parser.c: parses one file's text into @file. */
gboolean idl_parse (IdlCompiler *compiler, IdlFile *file, const gchar *text, gsize len);

/* idl-check.c */
gboolean idl_check (IdlCompiler *compiler);
const gchar *idl_spec_keyword (IdlSpecKind kind);
IdlDef *idl_resolve_typedef (IdlDef *def);
gboolean idl_def_owns_memory (IdlDef *def);
gboolean idl_decl_owns_memory (const IdlDecl *decl);
gboolean idl_spec_owns_memory (const IdlSpec *spec);
gboolean idl_is_type_def (const IdlDef *def);
void idl_name_words (const gchar *name, GPtrArray *words);
gchar *idl_snake (const gchar *name);
gchar *idl_camel (const gchar *name);
gchar *idl_upper (const gchar *name);

/* Storage class of a parameter, shared by the C generator and the checks. */
typedef enum
{
  IDL_PASS_VALUE,    /* numbers, bools, enums: T x */
  IDL_PASS_STRING,   /* const gchar *x */
  IDL_PASS_POINTER,  /* named struct, union, array, optional, ObjectId: const T *x */
  IDL_PASS_FIXED,    /* anonymous fixed array: const E *x */
  IDL_PASS_VAR,      /* anonymous variable array or opaque: guint32 x_len, const E *x_val */
  IDL_PASS_OPTIONAL, /* anonymous optional: const T *x */
} IdlPass;
IdlPass idl_decl_pass (const IdlDecl *decl);

/* idl-gen-c.c */
void idl_generate_c (IdlCompiler *compiler, const gchar *header_name, GString *header,
                     GString *source);
const gchar *idl_spec_c_type (const IdlSpec *spec);

/* idl-gen-xml.c */
gchar *idl_interface_xml (IdlCompiler *compiler, IdlDef *iface, const gchar *indent);
void idl_generate_xml (IdlCompiler *compiler, GString *out);
gchar *idl_decl_variant_type (const IdlDecl *decl, guint nesting);
gchar *idl_decl_xdr_text (const IdlDecl *decl);

G_END_DECLS
