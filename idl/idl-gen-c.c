/* idl-gen-c.c — the C header and source of an .idl file.
 *
 * The header holds the C types (layouts fixed by orb/synod-type.h), the
 * descriptor declarations, clear/free/copy and their g_auto/g_autoptr
 * cleanups, and per interface the argument structs, the skeleton vtable, the
 * descriptors and the client stubs. The source holds the descriptors, with
 * every size and offset taken by sizeof/offsetof so the codec never guesses,
 * the invoker thunks that unpack argument structs into vtable calls, and the
 * stubs that pack them and call synod_invoke_*().
 *
 * Internal symbols (descriptors of anonymous and inline types, field tables)
 * are static and contain "__", which no name derived from the IDL does.
 */
#include "config.h"

#include <string.h>

#include "idl-compiler.h"

typedef struct
{
  IdlCompiler *c;
  GString *h;
  GString *s;
} Gen;

/* ------------------------------------------------------------------------- */
/* C types */

const gchar *
idl_spec_c_type (const IdlSpec *spec)
{
  switch (spec->kind)
    {
      case IDL_SPEC_VOID:
        return "void";
      case IDL_SPEC_INT:
        return "gint32";
      case IDL_SPEC_UINT:
        return "guint32";
      case IDL_SPEC_HYPER:
        return "gint64";
      case IDL_SPEC_UHYPER:
        return "guint64";
      case IDL_SPEC_FLOAT:
        return "gfloat";
      case IDL_SPEC_DOUBLE:
        return "gdouble";
      case IDL_SPEC_QUADRUPLE:
        return "SynodQuadruple";
      case IDL_SPEC_BOOL:
        return "gboolean";
      case IDL_SPEC_STRING:
        return "gchar *";
      case IDL_SPEC_OPAQUE:
        return "SynodArray";
      case IDL_SPEC_OBJECT_ID:
        return "SynodObjectId";
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
      default:
        return spec->def->c_type;
    }
}

/* "T name" with the pointer star next to the name. */
static gchar *
c_var (const gchar *type, const gchar *name)
{
  if (g_str_has_suffix (type, "*"))
    return g_strdup_printf ("%s%s", type, name);
  return g_strdup_printf ("%s %s", type, name);
}

/* The C declaration of @d named @name: "gchar *name", "guint8 sku[8]",
 * "struct { guint32 len; ShopTag *val; } tags", "ShopItem *next". */
static gchar *
decl_c (const IdlDecl *d, const gchar *name)
{
  const gchar *t = idl_spec_c_type (d->spec);

  switch (d->kind)
    {
      case IDL_DECL_FIXED:
        return g_strdup_printf ("%s %s[%u]", d->spec->kind == IDL_SPEC_OPAQUE ? "guint8" : t, name,
                                d->bound_value);
      case IDL_DECL_VAR:
        if (d->spec->kind == IDL_SPEC_STRING)
          return g_strdup_printf ("gchar *%s", name);
        return g_strdup_printf ("struct { guint32 len; %s *val; } %s",
                                d->spec->kind == IDL_SPEC_OPAQUE ? "guint8" : t, name);
      case IDL_DECL_OPTIONAL:
        return g_strdup_printf ("%s *%s", t, name);
      case IDL_DECL_PLAIN:
      case IDL_DECL_VOID:
      default:
        return c_var (t, name);
    }
}

/* Element type of an anonymous array or opaque. */
static const gchar *
element_c_type (const IdlDecl *d)
{
  return d->spec->kind == IDL_SPEC_OPAQUE ? "guint8" : idl_spec_c_type (d->spec);
}

static gchar *
int32_literal (gint64 v)
{
  if (v == G_MININT32)
    return g_strdup ("(-2147483647 - 1)");
  if (v < 0)
    return g_strdup_printf ("(%" G_GINT64_FORMAT ")", v);
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static gchar *
const_literal (gint64 v)
{
  if (v >= G_MININT32 && v <= G_MAXINT32)
    return int32_literal (v);
  if (v > 0 && v <= G_MAXUINT32)
    return g_strdup_printf ("%" G_GINT64_FORMAT "u", v);
  if (v == G_MININT64)
    return g_strdup ("(-G_GINT64_CONSTANT (9223372036854775807) - 1)");
  if (v < 0)
    return g_strdup_printf ("(-G_GINT64_CONSTANT (%" G_GINT64_FORMAT "))", -v);
  return g_strdup_printf ("G_GINT64_CONSTANT (%" G_GINT64_FORMAT ")", v);
}

/* A C string literal of @text (escaped, one source line per text line). */
static void
append_c_string (GString *out, const gchar *text, const gchar *indent)
{
  const gchar *p = text;

  if (*p == '\0')
    {
      g_string_append (out, "\"\"");
      return;
    }
  while (*p != '\0')
    {
      g_string_append_c (out, '"');
      while (*p != '\0' && *p != '\n')
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          if ((guchar)*p < 0x20 || (guchar)*p >= 0x7f)
            g_string_append_printf (out, "\\%03o", (guchar)*p);
          else
            g_string_append_c (out, *p);
          p++;
        }
      if (*p == '\n')
        {
          g_string_append (out, "\\n");
          p++;
        }
      g_string_append_c (out, '"');
      if (*p != '\0')
        g_string_append_printf (out, "\n%s", indent);
    }
}

static const gchar *
kind_enum (IdlSpecKind k)
{
  switch (k)
    {
      case IDL_SPEC_VOID:
        return "SYNOD_TYPE_VOID";
      case IDL_SPEC_INT:
        return "SYNOD_TYPE_INT";
      case IDL_SPEC_UINT:
        return "SYNOD_TYPE_UINT";
      case IDL_SPEC_HYPER:
        return "SYNOD_TYPE_HYPER";
      case IDL_SPEC_UHYPER:
        return "SYNOD_TYPE_UHYPER";
      case IDL_SPEC_FLOAT:
        return "SYNOD_TYPE_FLOAT";
      case IDL_SPEC_DOUBLE:
        return "SYNOD_TYPE_DOUBLE";
      case IDL_SPEC_QUADRUPLE:
        return "SYNOD_TYPE_QUADRUPLE";
      case IDL_SPEC_BOOL:
        return "SYNOD_TYPE_BOOL";
      case IDL_SPEC_STRING:
        return "SYNOD_TYPE_STRING";
      case IDL_SPEC_OPAQUE:
        return "SYNOD_TYPE_OPAQUE_VAR";
      case IDL_SPEC_OBJECT_ID:
        return "SYNOD_TYPE_OBJECT_ID";
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
      default:
        g_assert_not_reached ();
    }
}

static const gchar *
primitive_desc (IdlSpecKind k)
{
  switch (k)
    {
      case IDL_SPEC_VOID:
        return "&synod_type_void";
      case IDL_SPEC_INT:
        return "&synod_type_int";
      case IDL_SPEC_UINT:
        return "&synod_type_uint";
      case IDL_SPEC_HYPER:
        return "&synod_type_hyper";
      case IDL_SPEC_UHYPER:
        return "&synod_type_uhyper";
      case IDL_SPEC_FLOAT:
        return "&synod_type_float";
      case IDL_SPEC_DOUBLE:
        return "&synod_type_double";
      case IDL_SPEC_QUADRUPLE:
        return "&synod_type_quadruple";
      case IDL_SPEC_BOOL:
        return "&synod_type_bool";
      case IDL_SPEC_STRING:
        return "&synod_type_string";
      case IDL_SPEC_OPAQUE:
        return "&synod_type_opaque";
      case IDL_SPEC_OBJECT_ID:
        return "&synod_type_object_id";
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
      default:
        return NULL;
    }
}

/* ------------------------------------------------------------------------- */
/* Descriptors */

static void emit_def_desc (Gen *g, IdlDef *def, const gchar *stem, gboolean is_static,
                           const gchar *name, const gchar *ctype);

static void
desc_open (Gen *g, const gchar *sym, gboolean is_static, const gchar *kind, const gchar *name,
           const gchar *size, const gchar *align)
{
  g_string_append_printf (g->s, "%sconst SynodTypeDesc %s = {\n", is_static ? "static " : "", sym);
  g_string_append_printf (g->s, "  .kind = %s,\n", kind);
  if (name != NULL)
    g_string_append_printf (g->s, "  .name = \"%s\",\n", name);
  else
    g_string_append (g->s, "  .name = NULL,\n");
  g_string_append_printf (g->s, "  .c_size = %s,\n  .c_align = %s,\n", size, align);
}

/* A reference to the descriptor of the plain type @spec; an inline type is
 * emitted first, as @inline_stem. Returns a string owned by the compiler. */
static const gchar *
spec_ref (Gen *g, const IdlSpec *spec, const gchar *inline_stem)
{
  const gchar *prim = primitive_desc (spec->kind);

  if (prim != NULL)
    return prim;
  if (spec->kind == IDL_SPEC_NAMED)
    return idl_printf (g->c, "&%s_desc", spec->def->c_func);
  emit_def_desc (g, spec->def, inline_stem, TRUE, NULL, spec->def->c_type);
  return idl_printf (g->c, "&%s_desc", inline_stem);
}

/* The descriptor of @d itself (its array, optional or plain type). */
static void
emit_decl_desc (Gen *g, const IdlDecl *d, const gchar *stem, gboolean is_static, const gchar *name,
                const gchar *size, const gchar *align, const gchar *ctype)
{
  const gchar *sym = idl_printf (g->c, "%s_desc", stem);
  const gchar *kind, *element = NULL;

  switch (d->kind)
    {
      case IDL_DECL_PLAIN:
        if (d->spec->kind == IDL_SPEC_NAMED || d->spec->kind == IDL_SPEC_INLINE)
          {
            /* An alias (typedef item other;) describes the same shape under
             * its own name: the body is emitted again, for this C type. A
             * chain of aliases is followed at once, not recursively. */
            emit_def_desc (g, idl_resolve_typedef (d->spec->def), stem, is_static, name, ctype);
            return;
          }
        desc_open (g, sym, is_static, kind_enum (d->spec->kind), name, size, align);
        if (d->spec->kind == IDL_SPEC_STRING || d->spec->kind == IDL_SPEC_OPAQUE)
          g_string_append (g->s, "  .bound = SYNOD_TYPE_UNBOUNDED,\n");
        g_string_append (g->s, "};\n\n");
        return;
      case IDL_DECL_FIXED:
        if (d->spec->kind == IDL_SPEC_OPAQUE)
          kind = "SYNOD_TYPE_OPAQUE_FIXED";
        else
          {
            kind = "SYNOD_TYPE_ARRAY_FIXED";
            element = spec_ref (g, d->spec, idl_printf (g->c, "%st", stem));
          }
        break;
      case IDL_DECL_VAR:
        if (d->spec->kind == IDL_SPEC_STRING)
          kind = "SYNOD_TYPE_STRING";
        else if (d->spec->kind == IDL_SPEC_OPAQUE)
          kind = "SYNOD_TYPE_OPAQUE_VAR";
        else
          {
            kind = "SYNOD_TYPE_ARRAY_VAR";
            element = spec_ref (g, d->spec, idl_printf (g->c, "%st", stem));
          }
        break;
      case IDL_DECL_OPTIONAL:
        kind = "SYNOD_TYPE_OPTIONAL";
        element = spec_ref (g, d->spec, idl_printf (g->c, "%st", stem));
        break;
      case IDL_DECL_VOID:
      default:
        g_assert_not_reached ();
    }
  desc_open (g, sym, is_static, kind, name, size, align);
  if (d->kind == IDL_DECL_VAR && d->bound == NULL)
    g_string_append (g->s, "  .bound = SYNOD_TYPE_UNBOUNDED,\n");
  else if (d->kind != IDL_DECL_OPTIONAL)
    g_string_append_printf (g->s, "  .bound = %u,\n", d->bound_value);
  if (element != NULL)
    g_string_append_printf (g->s, "  .element = %s,\n", element);
  g_string_append (g->s, "};\n\n");
}

static gchar *
decl_align (const IdlDecl *d)
{
  switch (d->kind)
    {
      case IDL_DECL_FIXED:
        return g_strdup_printf ("G_ALIGNOF (%s)", element_c_type (d));
      case IDL_DECL_VAR:
        return g_strdup (d->spec->kind == IDL_SPEC_STRING ? "G_ALIGNOF (gchar *)"
                                                          : "G_ALIGNOF (SynodArray)");
      case IDL_DECL_OPTIONAL:
        return g_strdup ("G_ALIGNOF (gpointer)");
      case IDL_DECL_PLAIN:
      case IDL_DECL_VOID:
      default:
        return g_strdup_printf ("G_ALIGNOF (%s)", idl_spec_c_type (d->spec));
    }
}

/* A reference to the descriptor of member @d (at @path in C type @parent). */
static const gchar *
member_ref (Gen *g, const IdlDecl *d, const gchar *stem, const gchar *parent, const gchar *path)
{
  g_autofree gchar *size = NULL, *align = NULL;

  if (d->kind == IDL_DECL_VOID)
    return "&synod_type_void";
  if (d->kind == IDL_DECL_PLAIN)
    return spec_ref (g, d->spec, idl_printf (g->c, "%st", stem));
  if (d->kind == IDL_DECL_VAR && d->bound == NULL && d->spec->kind == IDL_SPEC_STRING)
    return "&synod_type_string";
  if (d->kind == IDL_DECL_VAR && d->bound == NULL && d->spec->kind == IDL_SPEC_OPAQUE)
    return "&synod_type_opaque";
  size = g_strdup_printf ("sizeof (((%s *) 0)->%s)", parent, path);
  align = decl_align (d);
  emit_decl_desc (g, d, stem, TRUE, NULL, size, align, NULL);
  return idl_printf (g->c, "&%s_desc", stem);
}

static void
emit_arm (Gen *g, const IdlArm *arm, const gchar *stem, const gchar *ctype, const gchar *cases,
          GString *out)
{
  const IdlDecl *d = arm->decl;
  const gchar *ref = member_ref (g, d, stem, ctype,
                                 d->c_name != NULL ? idl_printf (g->c, "u.%s", d->c_name) : "u");

  g_string_append_printf (out, "{ %s, %u, ", cases, arm->values->len);
  if (d->name != NULL)
    g_string_append_printf (out, "\"%s\", %s }", d->name, ref);
  else
    g_string_append_printf (out, "NULL, %s }", ref);
}

/* The descriptor of a struct, union, enum or typedef @def, as symbol
 * @stem_desc, for the C type @ctype (which may be an alias of @def's). */
static void
emit_def_desc (Gen *g, IdlDef *def, const gchar *stem, gboolean is_static, const gchar *name,
               const gchar *ctype)
{
  g_autofree gchar *size = g_strdup_printf ("sizeof (%s)", ctype);
  g_autofree gchar *align = g_strdup_printf ("G_ALIGNOF (%s)", ctype);
  const gchar *sym = idl_printf (g->c, "%s_desc", stem);

  switch (def->kind)
    {
      case IDL_DEF_TYPEDEF:
        emit_decl_desc (g, def->decl, stem, is_static, name, size, align, ctype);
        return;

      case IDL_DEF_ENUM:
        g_string_append_printf (g->s, "static const SynodEnumValueDesc %s__values[] = {\n", stem);
        for (guint i = 0; i < def->values->len; i++)
          {
            IdlDef *v = def->values->pdata[i];
            g_autofree gchar *lit = int32_literal (v->const_value);
            g_string_append_printf (g->s, "  { \"%s\", %s },\n", v->name, lit);
          }
        g_string_append (g->s, "};\n\n");
        desc_open (g, sym, is_static, "SYNOD_TYPE_ENUM", name, size, align);
        g_string_append_printf (g->s,
                                "  .values = %s__values,\n"
                                "  .n_values = G_N_ELEMENTS (%s__values),\n",
                                stem, stem);
        g_string_append (g->s, "};\n\n");
        return;

      case IDL_DEF_STRUCT:
        {
          GString *fields = g_string_new (NULL);

          for (guint i = 0; i < def->fields->len; i++)
            {
              IdlDecl *d = def->fields->pdata[i];
              const gchar *ref
                  = member_ref (g, d, idl_printf (g->c, "%s__f%u", stem, i), ctype, d->c_name);
              g_string_append_printf (fields, "  { \"%s\", %s, G_STRUCT_OFFSET (%s, %s) },\n",
                                      d->name, ref, ctype, d->c_name);
            }
          if (def->fields->len > 0)
            g_string_append_printf (g->s, "static const SynodFieldDesc %s__fields[] = {\n%s};\n\n",
                                    stem, fields->str);
          g_string_free (fields, TRUE);
          desc_open (g, sym, is_static, "SYNOD_TYPE_STRUCT", name, size, align);
          if (def->fields->len > 0)
            g_string_append_printf (g->s,
                                    "  .fields = %s__fields,\n"
                                    "  .n_fields = G_N_ELEMENTS (%s__fields),\n",
                                    stem, stem);
          g_string_append (g->s, "};\n\n");
          return;
        }

      case IDL_DEF_UNION:
        {
          GString *arms = g_string_new (NULL);
          GString *dflt = g_string_new (NULL);
          const gchar *disc = spec_ref (g, def->disc->spec, idl_printf (g->c, "%s__dt", stem));

          for (guint i = 0; i < def->arms->len; i++)
            {
              IdlArm *arm = def->arms->pdata[i];
              const gchar *cases = idl_printf (g->c, "%s__a%u_cases", stem, i);

              g_string_append_printf (g->s, "static const gint32 %s[] = {", cases);
              for (guint j = 0; j < arm->values->len; j++)
                {
                  g_autofree gchar *lit = int32_literal (g_array_index (arm->values, gint32, j));
                  g_string_append_printf (g->s, "%s %s", j > 0 ? "," : "", lit);
                }
              g_string_append (g->s, " };\n");
              g_string_append (arms, "  ");
              emit_arm (g, arm, idl_printf (g->c, "%s__a%u", stem, i), ctype, cases, arms);
              g_string_append (arms, ",\n");
            }
          g_string_append_printf (g->s, "\nstatic const SynodUnionArmDesc %s__arms[] = {\n%s};\n\n",
                                  stem, arms->str);
          if (def->default_arm != NULL)
            {
              emit_arm (g, def->default_arm, idl_printf (g->c, "%s__ad", stem), ctype, "NULL",
                        dflt);
              g_string_append_printf (g->s,
                                      "static const SynodUnionArmDesc %s__default_arm = %s;\n\n",
                                      stem, dflt->str);
            }
          desc_open (g, sym, is_static, "SYNOD_TYPE_UNION", name, size, align);
          g_string_append_printf (g->s,
                                  "  .discriminant = %s,\n"
                                  "  .discriminant_name = \"%s\",\n"
                                  "  .union_offset = G_STRUCT_OFFSET (%s, u),\n"
                                  "  .arms = %s__arms,\n"
                                  "  .n_arms = G_N_ELEMENTS (%s__arms),\n",
                                  disc, def->disc->name, ctype, stem, stem);
          if (def->default_arm != NULL)
            g_string_append_printf (g->s, "  .default_arm = &%s__default_arm,\n", stem);
          g_string_append (g->s, "};\n\n");
          g_string_free (arms, TRUE);
          g_string_free (dflt, TRUE);
          return;
        }

      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------------- */
/* Header: types */

static void
emit_type_body (Gen *g, IdlDef *def)
{
  GString *h = g->h;

  switch (def->kind)
    {
      case IDL_DEF_ENUM:
        g_string_append (h, "typedef enum\n{\n");
        for (guint i = 0; i < def->values->len; i++)
          {
            IdlDef *v = def->values->pdata[i];
            g_autofree gchar *lit = int32_literal (v->const_value);
            g_string_append_printf (h, "  %s = %s,\n", v->c_upper, lit);
          }
        g_string_append_printf (h, "} %s;\n\n", def->c_type);
        break;
      case IDL_DEF_TYPEDEF:
        {
          g_autofree gchar *d = decl_c (def->decl, def->c_type);
          g_string_append_printf (h, "typedef %s;\n\n", d);
          break;
        }
      case IDL_DEF_STRUCT:
        g_string_append_printf (h, "struct _%s\n{\n", def->c_type);
        for (guint i = 0; i < def->fields->len; i++)
          {
            g_autofree gchar *d
                = decl_c (def->fields->pdata[i], ((IdlDecl *)def->fields->pdata[i])->c_name);
            g_string_append_printf (h, "  %s;\n", d);
          }
        if (def->fields->len == 0)
          g_string_append (h, "  gchar _synod_empty; /* C structs cannot be empty */\n");
        g_string_append (h, "};\n\n");
        break;
      case IDL_DEF_UNION:
        {
          g_autofree gchar *disc = decl_c (def->disc, def->disc->c_name);
          guint n = 0;

          g_string_append_printf (h, "struct _%s\n{\n  %s;\n  union\n  {\n", def->c_type, disc);
          for (guint i = 0; i <= def->arms->len; i++)
            {
              IdlArm *arm = i < def->arms->len ? def->arms->pdata[i] : def->default_arm;
              g_autofree gchar *d = NULL;

              if (arm == NULL || arm->decl->kind == IDL_DECL_VOID)
                continue;
              d = decl_c (arm->decl, arm->decl->c_name);
              g_string_append_printf (h, "    %s;\n", d);
              n++;
            }
          if (n == 0)
            g_string_append (h, "    gchar _synod_void; /* every arm is void */\n");
          g_string_append (h, "  } u;\n};\n\n");
          break;
        }
      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        break;
    }
}

static void
emit_type_api (Gen *g, IdlDef *def)
{
  const gchar *t = def->c_type, *f = def->c_func;

  g_string_append_printf (g->h, "extern const SynodTypeDesc %s_desc;\n", f);
  if (!idl_def_owns_memory (def))
    return;
  g_string_append_printf (g->h,
                          "void %s_clear (%s *value);\n"
                          "void %s_free (%s *value);\n"
                          "void %s_copy (const %s *src, %s *dest);\n"
                          "G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (%s, %s_clear)\n"
                          "G_DEFINE_AUTOPTR_CLEANUP_FUNC (%s, %s_free)\n",
                          f, t, f, t, f, t, t, t, f, t, f);

  g_string_append_printf (g->s,
                          "void\n%s_clear (%s *value)\n{\n"
                          "  if (value != NULL)\n"
                          "    synod_value_clear (&%s_desc, value);\n}\n\n",
                          f, t, f);
  g_string_append_printf (g->s,
                          "void\n%s_free (%s *value)\n{\n"
                          "  if (value == NULL)\n    return;\n"
                          "  synod_value_clear (&%s_desc, value);\n"
                          "  g_free (value);\n}\n\n",
                          f, t, f);
  g_string_append_printf (g->s,
                          "void\n%s_copy (const %s *src, %s *dest)\n{\n"
                          "  g_return_if_fail (src != NULL);\n"
                          "  g_return_if_fail (dest != NULL);\n"
                          "  synod_value_copy (&%s_desc, src, dest);\n}\n\n",
                          f, t, t, f);
}

/* ------------------------------------------------------------------------- */
/* Interfaces */

static gboolean
decl_is_c_array (const IdlDecl *d)
{
  const IdlDef *def;

  if (d->kind != IDL_DECL_PLAIN || d->spec->kind != IDL_SPEC_NAMED)
    return FALSE;
  def = idl_resolve_typedef (d->spec->def);
  return def->kind == IDL_DEF_TYPEDEF && def->decl->kind == IDL_DECL_FIXED;
}

/* The C parameters of @m's arguments, each as one string (owned by the
 * compiler). */
static GPtrArray *
param_decls (Gen *g, IdlMethod *m)
{
  GPtrArray *out = g_ptr_array_new ();
  GPtrArray *params = m->args->fields;

  for (guint i = 0; i < params->len; i++)
    {
      IdlDecl *d = params->pdata[i];
      const gchar *n = d->c_name;

      switch (idl_decl_pass (d))
        {
          case IDL_PASS_VALUE:
            g_ptr_array_add (out, idl_printf (g->c, "%s %s", idl_spec_c_type (d->spec), n));
            break;
          case IDL_PASS_STRING:
            g_ptr_array_add (out, idl_printf (g->c, "const gchar *%s", n));
            break;
          case IDL_PASS_POINTER:
          case IDL_PASS_OPTIONAL:
            g_ptr_array_add (out, idl_printf (g->c, "const %s *%s", idl_spec_c_type (d->spec), n));
            break;
          case IDL_PASS_FIXED:
            g_ptr_array_add (out, idl_printf (g->c, "const %s *%s", element_c_type (d), n));
            break;
          case IDL_PASS_VAR:
          default:
            g_ptr_array_add (out, idl_printf (g->c, "guint32 %s_len", n));
            g_ptr_array_add (out, idl_printf (g->c, "const %s *%s_val", element_c_type (d), n));
            break;
        }
    }
  return out;
}

static gboolean
has_result (const IdlMethod *m)
{
  return m->result->spec->kind != IDL_SPEC_VOID;
}

static const gchar *
result_param (Gen *g, const IdlMethod *m, const gchar *name)
{
  const gchar *t = idl_spec_c_type (m->result->spec);
  return idl_printf (g->c, g_str_has_suffix (t, "*") ? "%s*%s" : "%s *%s", t, name);
}

/* "RET NAME (a,\n              b)" with the parameters aligned. */
static void
append_signature (GString *out, const gchar *ret, const gchar *name, GPtrArray *params,
                  gboolean definition)
{
  gsize col;

  if (definition)
    {
      g_string_append_printf (out, "%s\n%s (", ret, name);
      col = strlen (name) + 2;
    }
  else
    {
      g_string_append_printf (out, "%s %s (", ret, name);
      col = strlen (ret) + strlen (name) + 3;
    }
  for (guint i = 0; i < params->len; i++)
    {
      if (i > 0)
        {
          g_string_append (out, ",\n");
          for (gsize k = 0; k < col; k++)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, params->pdata[i]);
    }
  g_string_append_c (out, ')');
}

static GPtrArray *
stub_params (Gen *g, IdlMethod *m, gint form)
{
  g_autoptr (GPtrArray) own = param_decls (g, m);
  GPtrArray *p = g_ptr_array_new ();

  g_ptr_array_add (p, (gpointer) "SynodRef *target");
  if (form == 2) /* finish */
    {
      g_ptr_array_add (p, (gpointer) "GAsyncResult *result");
      if (has_result (m))
        g_ptr_array_add (p, (gpointer)result_param (g, m, "ret_result"));
      g_ptr_array_add (p, (gpointer) "GError **error");
      return p;
    }
  g_ptr_array_extend (p, own, NULL, NULL);
  if (form == 1) /* async */
    {
      g_ptr_array_add (p, (gpointer) "GCancellable *cancellable");
      g_ptr_array_add (p, (gpointer) "GAsyncReadyCallback callback");
      g_ptr_array_add (p, (gpointer) "gpointer user_data");
      return p;
    }
  if (form == 0 && has_result (m)) /* sync */
    g_ptr_array_add (p, (gpointer)result_param (g, m, "ret_result"));
  g_ptr_array_add (p, (gpointer) "GError **error");
  return p;
}

/* Stub bodies: the checks of the caller's pointers and the packing of the
 * argument struct. The argument struct borrows the caller's data (the
 * synod_invoke_* calls take it as transfer none), hence the casts that drop
 * const (through guintptr, so -Wcast-qual stays quiet). */
static void
emit_pack (Gen *g, IdlMethod *m, gboolean returns_void)
{
  GPtrArray *params = m->args->fields;
  const gchar *fail = returns_void ? "g_return_if_fail (" : "g_return_val_if_fail (";
  const gchar *fail_end = returns_void ? ");" : ", FALSE);";

  g_string_append_c (g->s, '\n');
  for (guint i = 0; i < params->len; i++)
    {
      IdlDecl *d = params->pdata[i];
      IdlPass pass = idl_decl_pass (d);

      if (pass == IDL_PASS_POINTER || pass == IDL_PASS_FIXED)
        g_string_append_printf (g->s, "  %s%s != NULL%s\n", fail, d->c_name, fail_end);
      else if (pass == IDL_PASS_VAR)
        g_string_append_printf (g->s, "  %s%s_len == 0 || %s_val != NULL%s\n", fail, d->c_name,
                                d->c_name, fail_end);
    }
  if (!g_str_has_suffix (g->s->str, "\n\n"))
    g_string_append_c (g->s, '\n');
  g_string_append (g->s, "  memset (&_args, 0, sizeof _args);\n");
  for (guint i = 0; i < params->len; i++)
    {
      IdlDecl *d = params->pdata[i];
      const gchar *n = d->c_name;

      switch (idl_decl_pass (d))
        {
          case IDL_PASS_VALUE:
            g_string_append_printf (g->s, "  _args.%s = %s;\n", n, n);
            break;
          case IDL_PASS_STRING:
            g_string_append_printf (g->s, "  _args.%s = (gchar *) (guintptr) %s;\n", n, n);
            break;
          case IDL_PASS_POINTER:
            if (decl_is_c_array (d))
              g_string_append_printf (g->s, "  memcpy (_args.%s, *%s, sizeof _args.%s);\n", n, n,
                                      n);
            else
              g_string_append_printf (g->s, "  _args.%s = *%s;\n", n, n);
            break;
          case IDL_PASS_FIXED:
            g_string_append_printf (g->s, "  memcpy (_args.%s, %s, sizeof _args.%s);\n", n, n, n);
            break;
          case IDL_PASS_OPTIONAL:
            g_string_append_printf (g->s, "  _args.%s = (%s *) (guintptr) %s;\n", n,
                                    idl_spec_c_type (d->spec), n);
            break;
          case IDL_PASS_VAR:
          default:
            g_string_append_printf (
                g->s, "  _args.%s.len = %s_len;\n  _args.%s.val = (%s *) (guintptr) %s_val;\n", n,
                n, n, element_c_type (d), n);
            break;
        }
    }
}

/* The call of synod_invoke_sync or _finish (@pre RET @post) with the result
 * handling: a NULL ret_result gets a temporary, cleared after the call. */
static void
emit_result_call (Gen *g, IdlMethod *m, const gchar *mdesc, const gchar *pre, const gchar *post)
{
  const IdlSpec *rs = m->result->spec;

  if (!has_result (m))
    {
      g_string_append_printf (g->s, "  return %sNULL%s;\n}\n\n", pre, post);
      return;
    }
  g_string_append_printf (g->s,
                          "  if (ret_result != NULL)\n    return %sret_result%s;\n"
                          "  memset (&_result, 0, sizeof _result);\n"
                          "  if (!%s&_result%s)\n    return FALSE;\n",
                          pre, post, pre, post);
  if (idl_spec_owns_memory (rs))
    g_string_append_printf (g->s, "  synod_value_clear (%s->result, &_result);\n", mdesc);
  g_string_append (g->s, "  return TRUE;\n}\n\n");
}

static void
emit_stubs (Gen *g, IdlDef *iface, IdlMethod *m)
{
  gboolean deprecated = m->deprecated || iface->deprecated;
  const gchar *dep = deprecated ? "G_GNUC_DEPRECATED\n" : "";
  const gchar *mdesc = idl_printf (g->c, "%s_METHOD_%s", iface->c_upper, m->c_upper);
  const gchar *rtype = has_result (m) ? idl_spec_c_type (m->result->spec) : NULL;
  const gchar *result_var
      = rtype != NULL ? idl_printf (g->c, "  %s;\n", idl_take (g->c, c_var (rtype, "_result")))
                      : "";
  g_autoptr (GPtrArray) sync = stub_params (g, m, 0);
  g_autoptr (GPtrArray) async = stub_params (g, m, 1);
  g_autoptr (GPtrArray) finish = stub_params (g, m, 2);
  g_autoptr (GPtrArray) oneway = stub_params (g, m, 3);
  const gchar *oneway_name = m->oneway ? m->c_func : idl_printf (g->c, "%s_oneway", m->c_func);

  if (!m->oneway)
    {
      /* sync */
      g_string_append (g->h, dep);
      append_signature (g->h, "gboolean", m->c_func, sync, FALSE);
      g_string_append (g->h, ";\n");
      append_signature (g->s, "gboolean", m->c_func, sync, TRUE);
      g_string_append_printf (g->s, "\n{\n  %s _args;\n%s", m->args->c_type, result_var);
      emit_pack (g, m, FALSE);
      emit_result_call (g, m, mdesc,
                        idl_printf (g->c, "synod_invoke_sync (target, %s, &_args, ", mdesc),
                        ", error)");

      /* async */
      g_string_append (g->h, dep);
      append_signature (g->h, "void", idl_printf (g->c, "%s_async", m->c_func), async, FALSE);
      g_string_append (g->h, ";\n");
      append_signature (g->s, "void", idl_printf (g->c, "%s_async", m->c_func), async, TRUE);
      g_string_append_printf (g->s, "\n{\n  %s _args;\n", m->args->c_type);
      emit_pack (g, m, TRUE);
      g_string_append_printf (g->s,
                              "  synod_invoke_async (target, %s, &_args, cancellable, callback, "
                              "user_data);\n}\n\n",
                              mdesc);

      /* finish */
      g_string_append (g->h, dep);
      append_signature (g->h, "gboolean", idl_printf (g->c, "%s_finish", m->c_func), finish, FALSE);
      g_string_append (g->h, ";\n");
      append_signature (g->s, "gboolean", idl_printf (g->c, "%s_finish", m->c_func), finish, TRUE);
      g_string_append_printf (g->s, "\n{\n%s%s", result_var, *result_var ? "\n" : "");
      emit_result_call (g, m, mdesc, "synod_invoke_finish (target, result, ", ", error)");
    }

  /* oneway: the only stub of a oneway method, a fire-and-forget form of
   * the others */
  g_string_append (g->h, dep);
  append_signature (g->h, "gboolean", oneway_name, oneway, FALSE);
  g_string_append (g->h, ";\n\n");
  append_signature (g->s, "gboolean", oneway_name, oneway, TRUE);
  g_string_append_printf (g->s, "\n{\n  %s _args;\n", m->args->c_type);
  emit_pack (g, m, FALSE);
  g_string_append_printf (g->s, "  return synod_invoke_oneway (target, %s, &_args, error);\n}\n\n",
                          mdesc);
}

static void
emit_invoker (Gen *g, IdlDef *iface, IdlMethod *m)
{
  GPtrArray *params = m->args->fields;
  GString *call = g_string_new (NULL);

  g_string_append_printf (
      g->s,
      "static gboolean\n%s__%s_invoke (gconstpointer vtable, gpointer instance, "
      "SynodCall *call,\n    gconstpointer args, gpointer ret, GError **error)\n{\n",
      iface->c_func, m->c_slot);
  g_string_append_printf (g->s, "  const %sIface *_iface = vtable;\n", iface->c_type);
  if (params->len > 0)
    g_string_append_printf (g->s, "  const %s *_a = args;\n", m->args->c_type);
  g_string_append (g->s, "\n");
  if (params->len == 0)
    g_string_append (g->s, "  (void) args;\n");
  if (!has_result (m))
    g_string_append (g->s, "  (void) ret;\n");
  g_string_append_printf (
      g->s,
      "  if (_iface->%s == NULL)\n    {\n"
      "      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,\n"
      "                   g_dgettext (\"synod\", \"Method %%s.%%s is not "
      "implemented\"), \"%s\", \"%s\");\n"
      "      return FALSE;\n    }\n",
      m->c_slot, iface->qname, m->name);
  g_string_append_printf (call, "_iface->%s (instance, call", m->c_slot);
  for (guint i = 0; i < params->len; i++)
    {
      IdlDecl *d = params->pdata[i];
      const gchar *n = d->c_name;

      switch (idl_decl_pass (d))
        {
          case IDL_PASS_POINTER:
            g_string_append_printf (call, ", &_a->%s", n);
            break;
          case IDL_PASS_VAR:
            g_string_append_printf (call, ", _a->%s.len, _a->%s.val", n, n);
            break;
          case IDL_PASS_VALUE:
          case IDL_PASS_STRING:
          case IDL_PASS_FIXED:
          case IDL_PASS_OPTIONAL:
          default:
            g_string_append_printf (call, ", _a->%s", n);
            break;
        }
    }
  if (has_result (m))
    {
      const gchar *t = idl_spec_c_type (m->result->spec);
      g_string_append_printf (call, g_str_has_suffix (t, "*") ? ", (%s*) ret" : ", (%s *) ret", t);
    }
  g_string_append (call, ", error)");
  g_string_append_printf (g->s, "  return %s;\n}\n\n", call->str);
  g_string_free (call, TRUE);
}

static void
emit_interface (Gen *g, IdlDef *iface)
{
  GString *h = g->h, *s = g->s;
  guint n = iface->methods->len;
  const gchar *f = iface->c_func;

  g_string_append_printf (h, "/* interface %s, version %u */\n\n", iface->qname, iface->version);
  g_string_append_printf (s, "/* interface %s, version %u */\n\n", iface->qname, iface->version);

  /* Argument structs (and the inline types of parameters). */
  for (guint i = 0; i < g->c->type_order->len; i++)
    {
      IdlDef *def = g->c->type_order->pdata[i];
      if (def->owner_method == NULL || def->owner_method->interface != iface)
        continue;
      emit_type_body (g, def);
    }
  for (guint i = 0; i < n; i++)
    {
      IdlMethod *m = iface->methods->pdata[i];
      g_string_append_printf (h, "extern const SynodTypeDesc %s_desc;\n", m->args->c_func);
      emit_def_desc (g, m->args, m->args->c_func, FALSE, m->args->qname, m->args->c_type);
    }
  g_string_append (h, "\n");

  /* The skeleton vtable. */
  g_string_append_printf (h, "typedef struct _%sIface %sIface;\n\nstruct _%sIface\n{\n",
                          iface->c_type, iface->c_type, iface->c_type);
  for (guint i = 0; i < n; i++)
    {
      IdlMethod *m = iface->methods->pdata[i];
      g_autoptr (GPtrArray) params = param_decls (g, m);
      GPtrArray *all = g_ptr_array_new ();
      g_autoptr (GString) sig = g_string_new (NULL);

      g_ptr_array_add (all, (gpointer) "gpointer self");
      g_ptr_array_add (all, (gpointer) "SynodCall *call");
      g_ptr_array_extend (all, params, NULL, NULL);
      if (has_result (m))
        g_ptr_array_add (all, (gpointer)result_param (g, m, "ret_result"));
      g_ptr_array_add (all, (gpointer) "GError **error");
      append_signature (sig, "  gboolean", idl_printf (g->c, "(*%s)", m->c_slot), all, FALSE);
      g_string_append_printf (h, "%s;\n", sig->str);
      g_ptr_array_unref (all);
    }
  if (n == 0)
    g_string_append (h, "  gchar _synod_empty; /* an interface without methods of its own */\n");
  g_string_append (h, "};\n\n");

  g_string_append_printf (h, "extern const SynodInterfaceDesc %s_interface;\n", f);
  g_string_append_printf (h, "#define %s_N_METHODS %u\n", iface->c_upper, n);
  if (n > 0)
    g_string_append_printf (h, "extern const SynodMethodDesc %s_methods[%u];\n", f, n);
  for (guint i = 0; i < n; i++)
    {
      IdlMethod *m = iface->methods->pdata[i];
      g_string_append_printf (h, "#define %s_METHOD_%s (&%s_methods[%u])\n", iface->c_upper,
                              m->c_upper, f, i);
    }
  g_string_append (h, "\n");

  /* Invokers, method table, interface. */
  for (guint i = 0; i < n; i++)
    emit_invoker (g, iface, iface->methods->pdata[i]);
  if (n > 0)
    {
      g_autoptr (GPtrArray) results = g_ptr_array_new ();

      /* Result descriptors first: an inline result type emits its own. */
      for (guint i = 0; i < n; i++)
        {
          IdlMethod *m = iface->methods->pdata[i];
          g_ptr_array_add (results,
                           (gpointer)spec_ref (g, m->result->spec,
                                               idl_printf (g->c, "%s__rt", m->args->c_func)));
        }
      g_string_append_printf (s, "const SynodMethodDesc %s_methods[%u] = {\n", f, n);
      for (guint i = 0; i < n; i++)
        {
          IdlMethod *m = iface->methods->pdata[i];
          g_autofree gchar *flags = NULL;
          GString *fl = g_string_new (NULL);

          if (m->oneway)
            g_string_append (fl, " | SYNOD_METHOD_ONEWAY");
          /* A concurrent interface makes each of its methods concurrent:
           * the method's flag is the one the broker reads. */
          if (m->concurrent || iface->concurrent)
            g_string_append (fl, " | SYNOD_METHOD_CONCURRENT");
          if (m->deprecated)
            g_string_append (fl, " | SYNOD_METHOD_DEPRECATED");
          if (fl->len == 0)
            g_string_append (fl, " | SYNOD_METHOD_NONE");
          flags = g_strdup (fl->str + 3);
          g_string_free (fl, TRUE);
          g_string_append_printf (s,
                                  "  {\n"
                                  "    .name = \"%s\",\n"
                                  "    .interface = &%s_interface,\n"
                                  "    .index = %u,\n"
                                  "    .args = &%s_desc,\n"
                                  "    .result = %s,\n"
                                  "    .flags = %s,\n"
                                  "    .invoke = %s__%s_invoke,\n"
                                  "    .vtable_offset = G_STRUCT_OFFSET (%sIface, %s),\n"
                                  "  },\n",
                                  m->name, f, i, m->args->c_func, (const gchar *)results->pdata[i],
                                  flags, f, m->c_slot, iface->c_type, m->c_slot);
        }
      g_string_append (s, "};\n\n");
    }
  if (iface->bases->len > 0)
    {
      g_string_append_printf (s, "static const SynodInterfaceDesc *const %s__bases[] = {\n", f);
      for (guint i = 0; i < iface->bases->len; i++)
        g_string_append_printf (s, "  &%s_interface,\n",
                                ((IdlDef *)iface->bases->pdata[i])->c_func);
      g_string_append (s, "};\n\n");
    }
  if (iface->allomorphic->len > 0)
    {
      g_string_append_printf (s, "static const gchar *const %s__allomorphic[] = {\n", f);
      for (guint i = 0; i < iface->allomorphic->len; i++)
        g_string_append_printf (s, "  \"%s\",\n", (const gchar *)iface->allomorphic->pdata[i]);
      g_string_append (s, "};\n\n");
    }
  {
    g_autofree gchar *xml = idl_interface_xml (g->c, iface, "");
    GString *flags = g_string_new (NULL);

    if (iface->concurrent)
      g_string_append (flags, " | SYNOD_INTERFACE_CONCURRENT");
    if (iface->deprecated)
      g_string_append (flags, " | SYNOD_INTERFACE_DEPRECATED");
    if (flags->len == 0)
      g_string_append (flags, " | SYNOD_INTERFACE_NONE");
    g_string_append_printf (s,
                            "const SynodInterfaceDesc %s_interface = {\n"
                            "  .name = \"%s\",\n"
                            "  .version = %u,\n",
                            f, iface->qname, iface->version);
    if (iface->bases->len > 0)
      g_string_append_printf (s, "  .bases = %s__bases,\n  .n_bases = G_N_ELEMENTS (%s__bases),\n",
                              f, f);
    if (n > 0)
      g_string_append_printf (s, "  .methods = %s_methods,\n  .n_methods = %u,\n", f, n);
    g_string_append_printf (s, "  .flags = %s,\n", flags->str + 3);
    if (iface->allomorphic->len > 0)
      g_string_append_printf (s,
                              "  .allomorphic = %s__allomorphic,\n"
                              "  .n_allomorphic = G_N_ELEMENTS (%s__allomorphic),\n",
                              f, f);
    g_string_append_printf (s, "  .vtable_size = sizeof (%sIface),\n  .introspection_xml =\n    ",
                            iface->c_type);
    append_c_string (s, xml, "    ");
    g_string_append (s, ",\n};\n\n");
    g_string_free (flags, TRUE);
  }

  /* Stubs. */
  for (guint i = 0; i < n; i++)
    emit_stubs (g, iface, iface->methods->pdata[i]);
}

/* ------------------------------------------------------------------------- */

static gchar *
header_of_import (const gchar *path)
{
  const gchar *slash = strrchr (path, '/');
  const gchar *dot = strrchr (path, '.');

  if (dot != NULL && (slash == NULL || dot > slash))
    return g_strdup_printf ("%.*s.h", (int)(dot - path), path);
  return g_strdup_printf ("%s.h", path);
}

/**
 * idl_generate_c:
 * @header_name: the header's file name, as the source includes it
 *
 * Writes the C of the main file into @header and @source.
 */
void
idl_generate_c (IdlCompiler *c, const gchar *header_name, GString *header, GString *source)
{
  Gen g = { c, header, source };
  IdlFile *f = c->main;
  g_autofree gchar *base = g_path_get_basename (f->path);

  g_string_append_printf (header,
                          "/* %s — generated by synod-idl " PACKAGE_VERSION " from %s.\n"
                          " * Do not edit: edit the .idl file and run synod-idl again. */\n"
                          "#pragma once\n\n"
                          "#include <synod-type.h>\n"
                          "#include <synod-invoke.h>\n",
                          header_name, base);
  for (guint i = 0; i < f->imports->len; i++)
    {
      IdlImport *imp = f->imports->pdata[i];
      g_autofree gchar *inc = header_of_import (imp->path);
      g_string_append_printf (header, "#include \"%s\"\n", inc);
    }
  g_string_append (header, "\nG_BEGIN_DECLS\n\n");

  g_string_append_printf (source,
                          "/* Generated by synod-idl " PACKAGE_VERSION " from %s. Do not edit. */\n"
                          "#include <string.h>\n\n"
                          "#include <synod-codec.h>\n"
                          "#include <synod-error.h>\n\n"
                          "#include \"%s\"\n\n",
                          base, header_name);

  /* Constants. */
  {
    gboolean any = FALSE;
    for (guint i = 0; i < f->defs->len; i++)
      {
        IdlDef *def = f->defs->pdata[i];
        if (def->kind == IDL_DEF_CONST)
          {
            g_autofree gchar *lit = const_literal (def->const_value);
            g_string_append_printf (header, "#define %s %s\n", def->c_upper, lit);
            any = TRUE;
          }
      }
    if (any)
      g_string_append (header, "\n");
  }

  /* Forward declarations of structs and unions, then every type in order. */
  {
    gboolean any = FALSE;
    for (guint i = 0; i < c->type_order->len; i++)
      {
        IdlDef *def = c->type_order->pdata[i];
        if (def->file == f && (def->kind == IDL_DEF_STRUCT || def->kind == IDL_DEF_UNION))
          {
            g_string_append_printf (header, "typedef struct _%s %s;\n", def->c_type, def->c_type);
            any = TRUE;
          }
      }
    if (any)
      g_string_append (header, "\n");
  }
  for (guint i = 0; i < c->type_order->len; i++)
    {
      IdlDef *def = c->type_order->pdata[i];
      if (def->file == f && def->owner_method == NULL)
        emit_type_body (&g, def);
    }

  /* Descriptors and memory functions of the named types. */
  for (guint i = 0; i < f->defs->len; i++)
    {
      IdlDef *def = f->defs->pdata[i];
      if (!idl_is_type_def (def))
        continue;
      emit_def_desc (&g, def, def->c_func, FALSE, def->qname, def->c_type);
      emit_type_api (&g, def);
      g_string_append (header, "\n");
    }

  for (guint i = 0; i < f->defs->len; i++)
    {
      IdlDef *def = f->defs->pdata[i];
      if (def->kind == IDL_DEF_INTERFACE)
        emit_interface (&g, def);
    }
  g_string_append (header, "G_END_DECLS\n");
}
