/* idl-check.c — names, constants, bounds, unions, interfaces and C names.
 *
 * The check pass runs over every file of a compilation once all are parsed:
 * it gives each definition its qualified IDL name and its C names, resolves
 * every reference, evaluates constants, checks bounds, case labels,
 * annotations and interfaces, and orders the type definitions so that each
 * comes after what it needs (rejecting types that contain themselves). The
 * generators then never meet an error: whatever passes here compiles.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "idl-compiler.h"

enum
{
  STATE_NONE = 0,
  STATE_ACTIVE = 1,
  STATE_DONE = 2,
};

/* ------------------------------------------------------------------------- */
/* C names */

static const gchar *const c_keywords[] = {
  "auto",
  "break",
  "case",
  "char",
  "const",
  "continue",
  "default",
  "do",
  "double",
  "else",
  "enum",
  "extern",
  "float",
  "for",
  "goto",
  "if",
  "inline",
  "int",
  "long",
  "register",
  "restrict",
  "return",
  "short",
  "signed",
  "sizeof",
  "static",
  "struct",
  "switch",
  "typedef",
  "union",
  "unsigned",
  "void",
  "volatile",
  "while",
  "_Bool",
  "_Complex",
  "_Imaginary",
  "_Alignas",
  "_Alignof",
  "_Atomic",
  "_Generic",
  "_Noreturn",
  "_Static_assert",
  "_Thread_local",
  "asm",
  "typeof",
  "bool",
  "true",
  "false",
  "alignas",
  "alignof",
  "static_assert",
  "thread_local",
  "nullptr",
  NULL,
};

/* Names a stub or a vtable slot already uses for its own parameters. */
static const gchar *const stub_words[] = {
  "target", "cancellable", "callback", "user_data", "ret_result", "error", "self", "call", NULL,
};

static gboolean
in_list (const gchar *const *list, const gchar *s)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (list[i], s))
      return TRUE;
  return FALSE;
}

static gchar *
c_escape (IdlCompiler *c, const gchar *name)
{
  if (in_list (c_keywords, name))
    return idl_printf (c, "%s_", name);
  return idl_strdup (c, name);
}

/**
 * idl_name_words:
 *
 * Splits an IDL name into words: at underscores, before a capital that
 * follows a lowercase letter or digit, and after a run of capitals, which
 * stays one word ("URLdirectory" is URL + directory, "HTTPfastReceive" is
 * HTTP + fast + Receive, "lookup_result" is lookup + result).
 */
void
idl_name_words (const gchar *name, GPtrArray *words)
{
  const gchar *s = name;

  while (*s != '\0')
    {
      const gchar *start;

      if (*s == '_')
        {
          s++;
          continue;
        }
      start = s;
      if (g_ascii_isupper (*s))
        {
          const gchar *run = s;
          while (g_ascii_isupper (*s))
            s++;
          if (s - run == 1)
            while (g_ascii_islower (*s) || g_ascii_isdigit (*s))
              s++;
          else
            while (g_ascii_isdigit (*s))
              s++;
        }
      else
        while (g_ascii_islower (*s) || g_ascii_isdigit (*s))
          s++;
      g_ptr_array_add (words, g_strndup (start, s - start));
    }
}

static gchar *
join_words (const gchar *name, gint style)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  idl_name_words (name, words);
  for (guint i = 0; i < words->len; i++)
    {
      const gchar *w = words->pdata[i];
      if (style == 0) /* snake */
        {
          if (i > 0)
            g_string_append_c (out, '_');
          for (const gchar *p = w; *p; p++)
            g_string_append_c (out, g_ascii_tolower (*p));
        }
      else if (style == 1) /* Camel */
        {
          g_string_append_c (out, g_ascii_toupper (w[0]));
          g_string_append (out, w + 1);
        }
      else /* UPPER */
        {
          if (i > 0)
            g_string_append_c (out, '_');
          for (const gchar *p = w; *p; p++)
            g_string_append_c (out, g_ascii_toupper (*p));
        }
    }
  return g_string_free (out, FALSE);
}

gchar *
idl_snake (const gchar *name)
{
  return join_words (name, 0);
}

gchar *
idl_camel (const gchar *name)
{
  return join_words (name, 1);
}

gchar *
idl_upper (const gchar *name)
{
  return join_words (name, 2);
}

/* Who claimed a C identifier. */
typedef struct
{
  IdlDef *def;
  const gchar *what;
  IdlLoc loc;
} CName;

/* Claims a C identifier for @what of @def; no two may share one. */
static void
claim_c_name (IdlCompiler *c, const gchar *cname, IdlDef *def, const IdlLoc *loc, const gchar *what)
{
  CName *other = g_hash_table_lookup (c->c_names, cname);
  CName *mine;

  if (other == NULL)
    {
      mine = idl_new0 (c, CName);
      mine->def = def;
      mine->what = what;
      mine->loc = *loc;
      g_hash_table_insert (c->c_names, (gpointer)cname, mine);
      return;
    }
  idl_error (c, loc,
             _ ("the C name '%s' of %s of '%s' is already that of %s of '%s' (%s:%u:%u); rename "
                "one or use [c_name(...)]"),
             cname, what, def->qname != NULL ? def->qname : def->name, other->what,
             other->def->qname != NULL ? other->def->qname : other->def->name, other->loc.file,
             other->loc.line, other->loc.column);
}

gboolean
idl_is_type_def (const IdlDef *def)
{
  return def->kind == IDL_DEF_TYPEDEF || def->kind == IDL_DEF_ENUM || def->kind == IDL_DEF_STRUCT
         || def->kind == IDL_DEF_UNION;
}

static const gchar *
kind_name (const IdlDef *def)
{
  switch (def->kind)
    {
      case IDL_DEF_CONST:
        return _ ("a constant");
      case IDL_DEF_ENUM_VALUE:
        return _ ("an enum symbol");
      case IDL_DEF_TYPEDEF:
        return _ ("a typedef");
      case IDL_DEF_ENUM:
        return _ ("an enum");
      case IDL_DEF_STRUCT:
        return _ ("a struct");
      case IDL_DEF_UNION:
        return _ ("a union");
      case IDL_DEF_INTERFACE:
      default:
        return _ ("an interface");
    }
}

/* ------------------------------------------------------------------------- */
/* Pass 1: qualified names, C names, the symbol table */

static void
declare_symbol (IdlCompiler *c, IdlDef *def)
{
  IdlDef *other = g_hash_table_lookup (c->symbols, def->qname);
  GPtrArray *same;

  if (other != NULL)
    {
      idl_error (c, &def->loc, _ ("redefinition of '%s' (first defined at %s:%u:%u)"), def->qname,
                 other->loc.file, other->loc.line, other->loc.column);
      return;
    }
  if (g_str_equal (def->name, "ObjectId"))
    {
      idl_error (c, &def->loc, _ ("'ObjectId' is a predefined type and cannot be redefined"));
      return;
    }
  g_hash_table_insert (c->symbols, def->qname, def);
  same = g_hash_table_lookup (c->by_short, def->name);
  if (same == NULL)
    {
      same = g_ptr_array_new ();
      g_hash_table_insert (c->by_short, def->name, same);
    }
  g_ptr_array_add (same, def);
}

static gchar *
qualify (IdlCompiler *c, IdlFile *f, const gchar *name)
{
  return f->ns != NULL ? idl_printf (c, "%s.%s", f->ns, name) : idl_strdup (c, name);
}

/* Sets the C names of a named (top-level) definition. */
static void
name_top_level (IdlCompiler *c, IdlDef *def)
{
  IdlFile *f = def->file;
  const gchar *base = def->c_name_override != NULL ? def->c_name_override : def->name;
  g_autofree gchar *snake = idl_snake (base);
  g_autofree gchar *camel = idl_camel (base);
  g_autofree gchar *upper = idl_upper (base);

  if (f->ns != NULL)
    {
      def->c_type = idl_printf (c, "%s%s", f->ns_camel, camel);
      def->c_func = idl_printf (c, "%s_%s", f->ns_snake, snake);
      def->c_upper = idl_printf (c, "%s_%s", f->ns_upper, upper);
    }
  else
    {
      /* Without a namespace, types and constants keep their IDL names, as
       * rpcgen writes them; functions are snake case. */
      def->c_type = def->c_name_override != NULL ? idl_strdup (c, camel) : c_escape (c, def->name);
      def->c_func = idl_strdup (c, snake);
      def->c_upper = c_escape (c, def->name);
    }
}

static void name_inlines_of_decl (IdlCompiler *c, IdlDef *parent, IdlDecl *d, const gchar *suffix,
                                  IdlMethod *owner);

/* Names the inline types defined inside @def and declares their enum symbols. */
static void
name_inner (IdlCompiler *c, IdlDef *def, IdlMethod *owner)
{
  def->owner_method = owner;
  switch (def->kind)
    {
      case IDL_DEF_ENUM:
        for (guint i = 0; i < def->values->len; i++)
          {
            IdlDef *v = def->values->pdata[i];
            IdlFile *f = def->file;
            g_autofree gchar *upper = idl_upper (v->name);

            v->qname = qualify (c, f, v->name);
            v->c_upper = f->ns != NULL ? idl_printf (c, "%s_%s", f->ns_upper, upper)
                                       : c_escape (c, v->name);
            declare_symbol (c, v);
          }
        break;
      case IDL_DEF_STRUCT:
        for (guint i = 0; i < def->fields->len; i++)
          {
            IdlDecl *d = def->fields->pdata[i];
            name_inlines_of_decl (c, def, d, d->name, owner);
          }
        break;
      case IDL_DEF_UNION:
        name_inlines_of_decl (c, def, def->disc, def->disc->name, owner);
        for (guint i = 0; i < def->arms->len; i++)
          {
            IdlArm *arm = def->arms->pdata[i];
            if (arm->decl->name != NULL)
              name_inlines_of_decl (c, def, arm->decl, arm->decl->name, owner);
          }
        if (def->default_arm != NULL && def->default_arm->decl->name != NULL)
          name_inlines_of_decl (c, def, def->default_arm->decl, def->default_arm->decl->name,
                                owner);
        break;
      case IDL_DEF_TYPEDEF:
        name_inlines_of_decl (c, def, def->decl, "element", owner);
        break;
      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        break;
    }
}

static void
name_inlines_of_decl (IdlCompiler *c, IdlDef *parent, IdlDecl *d, const gchar *suffix,
                      IdlMethod *owner)
{
  IdlDef *inl;
  g_autofree gchar *camel = NULL;

  if (d->spec == NULL || d->spec->kind != IDL_SPEC_INLINE)
    return;
  inl = d->spec->def;
  camel = idl_camel (suffix);
  inl->parent = parent;
  inl->file = parent->file;
  inl->name = idl_printf (c, "%s.%s", parent->name, d->name != NULL ? d->name : suffix);
  inl->c_type = idl_printf (c, "%s%s", parent->c_type, camel);
  g_ptr_array_add (parent->inlines, inl);
  name_inner (c, inl, owner);
}

static gboolean
valid_c_name_override (const gchar *s)
{
  if (!g_ascii_islower (s[0]))
    return FALSE;
  for (const gchar *p = s; *p; p++)
    {
      if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
        return FALSE;
      if (*p == '_' && (p[1] == '_' || p[1] == '\0'))
        return FALSE;
    }
  return TRUE;
}

/* Checks where each annotation may appear; records c_name and the flags. */
static void
apply_annotations (IdlCompiler *c, GPtrArray *annotations, IdlDef *def, IdlMethod *method)
{
  GHashTable *seen;

  if (annotations == NULL)
    return;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < annotations->len; i++)
    {
      IdlAnnotation *a = annotations->pdata[i];
      const gchar *where = method != NULL                   ? _ ("a method")
                           : def->kind == IDL_DEF_INTERFACE ? _ ("an interface")
                           : def->kind == IDL_DEF_CONST     ? _ ("a constant")
                                                            : _ ("a type definition");
      gboolean on_iface = method == NULL && def->kind == IDL_DEF_INTERFACE;
      gboolean on_type = method == NULL && idl_is_type_def (def);
      gboolean ok;

      if (g_str_equal (a->name, "concurrent") || g_str_equal (a->name, "deprecated"))
        ok = method != NULL || on_iface;
      else if (g_str_equal (a->name, "allomorphic"))
        ok = on_iface;
      else
        ok = on_iface || on_type;
      if (!ok)
        {
          idl_error (c, &a->loc, _ ("annotation '%s' does not apply to %s"), a->name, where);
          continue;
        }
      if (!g_str_equal (a->name, "allomorphic") && g_hash_table_contains (seen, a->name))
        {
          idl_error (c, &a->loc, _ ("duplicate annotation '%s'"), a->name);
          continue;
        }
      g_hash_table_add (seen, a->name);
      if (g_str_equal (a->name, "concurrent"))
        {
          if (method != NULL)
            method->concurrent = TRUE;
          else
            def->concurrent = TRUE;
        }
      else if (g_str_equal (a->name, "deprecated"))
        {
          if (method != NULL)
            method->deprecated = TRUE;
          else
            def->deprecated = TRUE;
        }
      else if (g_str_equal (a->name, "c_name"))
        {
          if (!valid_c_name_override (a->target))
            idl_error (c, &a->target_loc,
                       _ ("c_name needs a snake-case C name (lowercase letters, digits and single "
                          "underscores), not '%s'"),
                       a->target);
          else
            def->c_name_override = a->target;
        }
    }
  g_hash_table_unref (seen);
}

static void
declare_file (IdlCompiler *c, IdlFile *f)
{
  if (f->ns != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (f->ns, ".", -1);
      GString *camel = g_string_new (NULL), *snake = g_string_new (NULL),
              *upper = g_string_new (NULL);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree gchar *cm = idl_camel (parts[i]);
          g_autofree gchar *sn = idl_snake (parts[i]);
          g_autofree gchar *up = idl_upper (parts[i]);

          g_string_append (camel, cm);
          g_string_append_printf (snake, "%s%s", i > 0 ? "_" : "", sn);
          g_string_append_printf (upper, "%s%s", i > 0 ? "_" : "", up);
        }
      f->ns_camel = idl_take (c, g_string_free (camel, FALSE));
      f->ns_snake = idl_take (c, g_string_free (snake, FALSE));
      f->ns_upper = idl_take (c, g_string_free (upper, FALSE));
    }

  for (guint i = 0; i < f->defs->len && !idl_too_many_errors (c); i++)
    {
      IdlDef *def = f->defs->pdata[i];

      def->qname = qualify (c, f, def->name);
      apply_annotations (c, def->annotations, def, NULL);
      declare_symbol (c, def);
      if (def->kind == IDL_DEF_CONST)
        {
          g_autofree gchar *upper = idl_upper (def->name);
          def->c_upper = f->ns != NULL ? idl_printf (c, "%s_%s", f->ns_upper, upper)
                                       : c_escape (c, def->name);
          continue;
        }
      name_top_level (c, def);
      if (def->kind != IDL_DEF_INTERFACE)
        {
          name_inner (c, def, NULL);
          continue;
        }
      for (guint j = 0; j < def->methods->len; j++)
        {
          IdlMethod *m = def->methods->pdata[j];
          IdlDef *args = m->args;
          g_autofree gchar *snake = idl_snake (m->name);
          g_autofree gchar *camel = idl_camel (m->name);
          g_autofree gchar *upper = idl_upper (m->name);

          apply_annotations (c, m->annotations, def, m);
          m->c_slot = c_escape (c, snake);
          m->c_func = idl_printf (c, "%s_%s", def->c_func, snake);
          m->c_upper = idl_strdup (c, upper);
          args->file = f;
          args->name = idl_printf (c, "%s.%s", def->name, m->name);
          args->qname = idl_printf (c, "%s.%s", def->qname, m->name);
          args->c_func = idl_printf (c, "%s_args", m->c_func);
          args->owner_method = m;
          /* Inline types of parameters and results are named after the
           * method (ShopCartAddItem), its arguments ShopCartAddArgs. */
          args->c_type = idl_printf (c, "%s%s", def->c_type, camel);
          name_inner (c, args, m);
          name_inlines_of_decl (c, args, m->result, "result", m);
          args->c_type = idl_printf (c, "%s%sArgs", def->c_type, camel);
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Name lookup */

static IdlDef *
lookup (IdlCompiler *c, IdlFile *f, const gchar *name, const IdlLoc *loc, gboolean quiet)
{
  IdlDef *def;
  GPtrArray *same;
  IdlDef *found = NULL;
  guint n_found = 0;

  if (strchr (name, '.') != NULL)
    {
      def = g_hash_table_lookup (c->symbols, name);
      if (def == NULL)
        {
          if (!quiet)
            idl_error (c, loc, _ ("'%s' is not defined"), name);
          return NULL;
        }
      if (!g_hash_table_contains (f->visible, def->file))
        {
          if (!quiet)
            idl_error (c, loc, _ ("'%s' is defined in '%s', which this file does not import"), name,
                       def->file->path);
          return NULL;
        }
      return def;
    }
  if (f->ns != NULL)
    {
      g_autofree gchar *q = g_strdup_printf ("%s.%s", f->ns, name);
      def = g_hash_table_lookup (c->symbols, q);
      if (def != NULL && def->file->ns != NULL && g_str_equal (def->file->ns, f->ns)
          && g_hash_table_contains (f->visible, def->file))
        return def;
    }
  same = g_hash_table_lookup (c->by_short, name);
  for (guint i = 0; same != NULL && i < same->len; i++)
    {
      IdlDef *d = same->pdata[i];
      if (g_hash_table_contains (f->visible, d->file))
        {
          /* A global (namespace-less) name wins over other namespaces. */
          if (d->file->ns == NULL)
            return d;
          found = d;
          n_found++;
        }
    }
  if (n_found == 1)
    return found;
  if (quiet)
    return NULL;
  if (n_found > 1)
    {
      GString *list = g_string_new (NULL);
      for (guint i = 0; i < same->len; i++)
        {
          IdlDef *d = same->pdata[i];
          if (g_hash_table_contains (f->visible, d->file))
            g_string_append_printf (list, "%s'%s'", list->len > 0 ? ", " : "", d->qname);
        }
      idl_error (c, loc, _ ("'%s' is ambiguous: write one of %s"), name, list->str);
      g_string_free (list, TRUE);
      return NULL;
    }
  if (same != NULL && same->len > 0)
    idl_error (c, loc, _ ("'%s' is defined in '%s', which this file does not import"), name,
               ((IdlDef *)same->pdata[0])->file->path);
  else
    idl_error (c, loc, _ ("'%s' is not defined"), name);
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* Constants */

static gboolean eval_value (IdlCompiler *c, IdlFile *f, IdlValue *v);
static gboolean eval_enum_value (IdlCompiler *c, IdlDef *v);

static gboolean
eval_const (IdlCompiler *c, IdlDef *def)
{
  gboolean ok;

  if (def->state == STATE_DONE)
    return TRUE;
  if (def->state == STATE_ACTIVE)
    return idl_error (c, &def->loc, _ ("constant '%s' is defined in terms of itself"), def->name);
  def->state = STATE_ACTIVE;
  ok = eval_value (c, def->file, def->value);
  def->const_value = def->value->value;
  def->state = STATE_DONE;
  return ok;
}

static guint eval_depth;

static gboolean
eval_value (IdlCompiler *c, IdlFile *f, IdlValue *v)
{
  IdlDef *def;
  gboolean ok;

  if (v->ident == NULL || v->def != NULL)
    return TRUE;
  def = lookup (c, f, v->ident, &v->loc, FALSE);
  if (def == NULL)
    return FALSE;
  if (def->kind != IDL_DEF_CONST && def->kind != IDL_DEF_ENUM_VALUE)
    return idl_error (c, &v->loc, _ ("'%s' is %s, not a constant"), v->ident, kind_name (def));
  if (eval_depth >= IDL_MAX_DEPTH)
    return idl_error (c, &v->loc, _ ("constants defined in terms of others more than %d deep"),
                      IDL_MAX_DEPTH);
  eval_depth++;
  ok = def->kind == IDL_DEF_CONST ? eval_const (c, def) : eval_enum_value (c, def);
  eval_depth--;
  if (!ok)
    return FALSE;
  v->def = def;
  v->value = def->const_value;
  return TRUE;
}

/* An enum symbol without a value is the previous symbol's value plus one
 * (the first is 0), as in C. Walks back iteratively: enums may be long. */
static gboolean
eval_enum_value (IdlCompiler *c, IdlDef *v)
{
  GPtrArray *values = v->parent->values;
  guint i, j;

  if (v->state == STATE_DONE)
    return TRUE;
  if (v->state == STATE_ACTIVE)
    return idl_error (c, &v->loc, _ ("enum symbol '%s' is defined in terms of itself"), v->name);
  i = v->enum_index;
  g_assert (i < values->len && values->pdata[i] == v);
  j = i;
  while (j > 0 && ((IdlDef *)values->pdata[j])->value == NULL
         && ((IdlDef *)values->pdata[j])->state != STATE_DONE)
    j--;
  for (guint k = j; k <= i; k++)
    {
      IdlDef *e = values->pdata[k];

      if (e->state == STATE_DONE)
        continue;
      if (e->state == STATE_ACTIVE)
        return idl_error (c, &e->loc, _ ("enum symbol '%s' is defined in terms of itself"),
                          e->name);
      e->state = STATE_ACTIVE;
      if (e->value != NULL)
        {
          if (!eval_value (c, e->file, e->value))
            {
              e->state = STATE_DONE;
              return FALSE;
            }
          e->const_value = e->value->value;
        }
      else if (k == 0)
        e->const_value = 0;
      else
        {
          IdlDef *prev = values->pdata[k - 1];
          if (prev->const_value >= G_MAXINT32)
            {
              e->state = STATE_DONE;
              return idl_error (c, &e->loc, _ ("enum value of '%s' is out of range (%s)"), e->name,
                                "-2147483648..2147483647");
            }
          e->const_value = prev->const_value + 1;
        }
      e->state = STATE_DONE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Types */

/* Follows typedefs declared plainly (typedef T name;) to what they name:
 * returns the spec at the end of the chain, or sets @ret_decl when the chain
 * ends at a typedef of an array, string, opaque or optional. Uses the
 * shapes set once the types are ordered; before that, walks the chain. */
static const IdlSpec *
underlying (const IdlSpec *spec, const IdlDecl **ret_decl)
{
  *ret_decl = NULL;
  for (guint guard = 0; guard < 100000; guard++)
    {
      const IdlDef *def = spec->def;
      const IdlDecl *d;

      if (spec->kind != IDL_SPEC_NAMED || def == NULL || def->kind != IDL_DEF_TYPEDEF)
        return spec;
      if (def->shape != NULL)
        {
          if (def->shape_spec == NULL)
            *ret_decl = def->shape->decl;
          return def->shape_spec != NULL ? def->shape_spec : spec;
        }
      d = def->decl;
      if (d->kind != IDL_DECL_PLAIN)
        {
          *ret_decl = d;
          return spec;
        }
      spec = d->spec;
    }
  return spec;
}

/* What a typedef alias (typedef T name;) describes in the end: a struct,
 * union or enum, or a typedef of a primitive, array, string, opaque or
 * optional. */
IdlDef *
idl_resolve_typedef (IdlDef *def)
{
  for (guint guard = 0; guard < 100000 && def->kind == IDL_DEF_TYPEDEF; guard++)
    {
      if (def->shape != NULL)
        return def->shape;
      if (def->decl->kind != IDL_DECL_PLAIN || def->decl->spec->def == NULL
          || def->decl->spec->kind != IDL_SPEC_NAMED)
        return def;
      def = def->decl->spec->def;
    }
  return def;
}

/* Sets the shapes of @def, whose dependencies come first in type_order. */
static void
set_shape (IdlDef *def)
{
  const IdlDecl *d = def->decl;

  if (def->kind != IDL_DEF_TYPEDEF)
    return;
  if (d->kind != IDL_DECL_PLAIN)
    {
      def->shape = def;
      def->shape_spec = NULL;
    }
  else if (d->spec->kind == IDL_SPEC_NAMED && d->spec->def->kind == IDL_DEF_TYPEDEF
           && d->spec->def->shape != NULL)
    {
      def->shape = d->spec->def->shape;
      def->shape_spec = d->spec->def->shape_spec;
    }
  else if (d->spec->kind == IDL_SPEC_NAMED && d->spec->def->kind != IDL_DEF_TYPEDEF)
    {
      def->shape = d->spec->def;
      def->shape_spec = d->spec;
    }
  else
    {
      def->shape = def;
      def->shape_spec = d->spec;
    }
}

IdlPass
idl_decl_pass (const IdlDecl *decl)
{
  const IdlDecl *d;
  const IdlSpec *s;

  switch (decl->kind)
    {
      case IDL_DECL_FIXED:
        return IDL_PASS_FIXED;
      case IDL_DECL_VAR:
        return decl->spec->kind == IDL_SPEC_STRING ? IDL_PASS_STRING : IDL_PASS_VAR;
      case IDL_DECL_OPTIONAL:
        return IDL_PASS_OPTIONAL;
      case IDL_DECL_PLAIN:
      case IDL_DECL_VOID:
      default:
        break;
    }
  s = underlying (decl->spec, &d);
  if (d != NULL)
    return d->kind == IDL_DECL_VAR && d->spec->kind == IDL_SPEC_STRING ? IDL_PASS_STRING
                                                                       : IDL_PASS_POINTER;
  switch (s->kind)
    {
      case IDL_SPEC_STRING:
        return IDL_PASS_STRING;
      case IDL_SPEC_OPAQUE:
      case IDL_SPEC_OBJECT_ID:
        return IDL_PASS_POINTER;
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
        return s->def->kind == IDL_DEF_ENUM ? IDL_PASS_VALUE : IDL_PASS_POINTER;
      case IDL_SPEC_VOID:
      case IDL_SPEC_INT:
      case IDL_SPEC_UINT:
      case IDL_SPEC_HYPER:
      case IDL_SPEC_UHYPER:
      case IDL_SPEC_FLOAT:
      case IDL_SPEC_DOUBLE:
      case IDL_SPEC_QUADRUPLE:
      case IDL_SPEC_BOOL:
      default:
        return IDL_PASS_VALUE;
    }
}

static gboolean check_def (IdlCompiler *c, IdlDef *def);

static gboolean
resolve_spec (IdlCompiler *c, IdlFile *f, IdlSpec *spec)
{
  IdlDef *def;

  if (spec->kind == IDL_SPEC_INLINE)
    return check_def (c, spec->def);
  if (spec->kind != IDL_SPEC_NAMED)
    return TRUE;
  def = lookup (c, f, spec->ref, &spec->loc, FALSE);
  if (def == NULL)
    return FALSE;
  if (!idl_is_type_def (def))
    return idl_error (c, &spec->loc, _ ("'%s' is %s, not a type"), spec->ref, kind_name (def));
  if (spec->ref_tag >= 0 && (gint)def->kind != spec->ref_tag)
    return idl_error (c, &spec->loc, _ ("'%s' is %s, not %s"), spec->ref, kind_name (def),
                      spec->ref_tag == IDL_DEF_STRUCT  ? _ ("a struct")
                      : spec->ref_tag == IDL_DEF_UNION ? _ ("a union")
                                                       : _ ("an enum"));
  spec->def = def;
  return TRUE;
}

static gboolean
resolve_decl (IdlCompiler *c, IdlFile *f, IdlDecl *d)
{
  gboolean ok;

  if (d->kind == IDL_DECL_VOID)
    return TRUE;
  d->c_name = c_escape (c, d->name);
  ok = resolve_spec (c, f, d->spec);
  if (d->kind == IDL_DECL_FIXED)
    {
      if (!eval_value (c, f, d->bound))
        return FALSE;
      if (d->bound->value < 1 || d->bound->value > IDL_MAX_FIXED_LEN)
        return idl_error (
            c, &d->bound->loc,
            _ ("the length of fixed array '%s' must be between 1 and %u, not %" PRId64), d->name,
            IDL_MAX_FIXED_LEN, d->bound->value);
      d->bound_value = (guint32)d->bound->value;
    }
  else if (d->kind == IDL_DECL_VAR)
    {
      if (d->bound == NULL)
        d->bound_value = G_MAXUINT32;
      else
        {
          if (!eval_value (c, f, d->bound))
            return FALSE;
          if (d->bound->value < 0 || d->bound->value > G_MAXUINT32)
            return idl_error (
                c, &d->bound->loc,
                _ ("the maximum length of '%s' must be between 0 and %u, not %" PRId64), d->name,
                G_MAXUINT32, d->bound->value);
          d->bound_value = (guint32)d->bound->value;
        }
    }
  return ok;
}

/* Struct members, union arms and parameters: unique names. */
static gboolean
check_unique (IdlCompiler *c, GHashTable *seen, IdlDecl *d, const gchar *what)
{
  IdlDecl *other;

  if (d->name == NULL)
    return TRUE;
  other = g_hash_table_lookup (seen, d->name);
  if (other != NULL)
    return idl_error (c, &d->loc, _ ("duplicate %s '%s' (first at line %u)"), what, d->name,
                      other->loc.line);
  g_hash_table_insert (seen, d->name, d);
  return TRUE;
}

static gboolean
check_union (IdlCompiler *c, IdlDef *def)
{
  IdlFile *f = def->file;
  gboolean ok = TRUE;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  if (def->disc->kind != IDL_DECL_PLAIN)
    return idl_error (c, &def->disc->loc,
                      _ ("the discriminant of union '%s' must be a plain int, unsigned int, bool "
                         "or enum declaration"),
                      def->name);
  if (!resolve_decl (c, f, def->disc))
    return FALSE;
  if (g_str_equal (def->disc->c_name, "u"))
    def->disc->c_name = idl_strdup (c, "u_"); /* the arms live in the C member `u` */
  for (guint i = 0; i <= def->arms->len; i++)
    {
      IdlArm *arm = i < def->arms->len ? def->arms->pdata[i] : def->default_arm;

      if (arm == NULL)
        break;
      if (!resolve_decl (c, f, arm->decl) || !check_unique (c, names, arm->decl, _ ("arm")))
        ok = FALSE;
    }
  return ok;
}

/* The discriminant's type and the case labels, once every type is resolved
 * and ordered (a discriminant may be a typedef defined further down). */
static gboolean
check_union_labels (IdlCompiler *c, IdlDef *def)
{
  IdlFile *f = def->file;
  const IdlDecl *through;
  const IdlSpec *ds;
  IdlDef *enum_def = NULL;
  gboolean ok = TRUE;
  g_autoptr (GHashTable) seen_values = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GHashTable) enum_values = NULL;

  ds = underlying (def->disc->spec, &through);
  if (through == NULL && (ds->kind == IDL_SPEC_NAMED || ds->kind == IDL_SPEC_INLINE)
      && ds->def->kind == IDL_DEF_ENUM)
    enum_def = ds->def;
  if (through != NULL
      || !(ds->kind == IDL_SPEC_INT || ds->kind == IDL_SPEC_UINT || ds->kind == IDL_SPEC_BOOL
           || enum_def != NULL))
    return idl_error (c, &def->disc->spec->loc,
                      _ ("the discriminant of union '%s' must be int, unsigned int, bool or an "
                         "enum"),
                      def->name);

  for (guint i = 0; i <= def->arms->len; i++)
    {
      IdlArm *arm = i < def->arms->len ? def->arms->pdata[i] : def->default_arm;

      if (arm == NULL)
        break;
      arm->values = idl_array (c, sizeof (gint32));
      for (guint j = 0; j < arm->labels->len; j++)
        {
          IdlValue *v = arm->labels->pdata[j];
          gint64 x;
          gint32 stored;
          IdlValue *prev;

          if (!eval_value (c, f, v))
            {
              ok = FALSE;
              continue;
            }
          x = v->value;
          if (enum_def != NULL)
            {
              if (enum_values == NULL)
                {
                  enum_values = g_hash_table_new (g_int64_hash, g_int64_equal);
                  for (guint k = 0; k < enum_def->values->len; k++)
                    {
                      IdlDef *e = enum_def->values->pdata[k];
                      if (eval_enum_value (c, e))
                        g_hash_table_add (enum_values, &e->const_value);
                    }
                }
              if (!g_hash_table_contains (enum_values, &x))
                {
                  ok = idl_error (c, &v->loc, _ ("case %s is not a value of enum '%s'"),
                                  v->ident != NULL ? v->ident
                                                   : idl_printf (c, "%" G_GINT64_FORMAT, x),
                                  enum_def->name);
                  continue;
                }
            }
          else if (ds->kind == IDL_SPEC_BOOL && x != 0 && x != 1)
            {
              ok = idl_error (c, &v->loc, _ ("case %" PRId64 " is not a bool (TRUE or FALSE)"), x);
              continue;
            }
          else if (ds->kind == IDL_SPEC_INT && (x < G_MININT32 || x > G_MAXINT32))
            {
              ok = idl_error (c, &v->loc, _ ("case %" PRId64 " is out of range for int"), x);
              continue;
            }
          else if (ds->kind == IDL_SPEC_UINT && (x < 0 || x > G_MAXUINT32))
            {
              ok = idl_error (c, &v->loc, _ ("case %" PRId64 " is out of range for unsigned int"),
                              x);
              continue;
            }
          prev = g_hash_table_lookup (seen_values, &v->value);
          if (prev != NULL)
            {
              ok = idl_error (c, &v->loc, _ ("duplicate case value %" PRId64 " (first at line %u)"),
                              x, prev->loc.line);
              continue;
            }
          g_hash_table_insert (seen_values, &v->value, v);
          /* Unsigned discriminants travel as their bit pattern. */
          stored = (gint32)(guint32)(x & 0xffffffff);
          g_array_append_val (arm->values, stored);
        }
    }
  return ok;
}

static gboolean
check_enum (IdlCompiler *c, IdlDef *def)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  gboolean ok = TRUE;

  for (guint i = 0; i < def->values->len; i++)
    {
      IdlDef *v = def->values->pdata[i];
      IdlDef *prev;

      if (!eval_enum_value (c, v))
        {
          ok = FALSE;
          continue;
        }
      if (v->const_value < G_MININT32 || v->const_value > G_MAXINT32)
        {
          ok = idl_error (c, &v->loc, _ ("enum value %" PRId64 " of '%s' is out of range (%s)"),
                          v->const_value, v->name, "-2147483648..2147483647");
          continue;
        }
      prev = g_hash_table_lookup (seen, &v->const_value);
      if (prev != NULL)
        {
          ok = idl_error (c, &v->loc,
                          _ ("'%s' has the value %" PRId64 " of '%s': enum values must be "
                             "distinct"),
                          v->name, v->const_value, prev->name);
          continue;
        }
      g_hash_table_insert (seen, &v->const_value, v);
    }
  return ok;
}

static gboolean
check_def (IdlCompiler *c, IdlDef *def)
{
  IdlFile *f = def->file;
  gboolean ok = TRUE;

  switch (def->kind)
    {
      case IDL_DEF_CONST:
        return eval_const (c, def);
      case IDL_DEF_ENUM:
        return check_enum (c, def);
      case IDL_DEF_TYPEDEF:
        return resolve_decl (c, f, def->decl);
      case IDL_DEF_STRUCT:
        {
          g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint i = 0; i < def->fields->len; i++)
            {
              IdlDecl *d = def->fields->pdata[i];
              if (!resolve_decl (c, f, d) || !check_unique (c, seen, d, _ ("member")))
                ok = FALSE;
              if (idl_too_many_errors (c))
                return FALSE;
            }
          return ok;
        }
      case IDL_DEF_UNION:
        return check_union (c, def);
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        return TRUE;
    }
}

/* ------------------------------------------------------------------------- */
/* Interfaces */

static gboolean
check_base_cycles (IdlCompiler *c, IdlDef *def, guint depth)
{
  gboolean ok = TRUE;

  if (def->state == STATE_DONE)
    return TRUE;
  if (def->state == STATE_ACTIVE)
    return idl_error (c, &def->loc, _ ("interface '%s' inherits from itself"), def->qname);
  if (depth > IDL_MAX_DEPTH)
    return idl_error (c, &def->loc, _ ("interfaces inherit more than %d deep"), IDL_MAX_DEPTH);
  def->state = STATE_ACTIVE;
  for (guint i = 0; def->bases != NULL && i < def->bases->len && ok; i++)
    ok = check_base_cycles (c, def->bases->pdata[i], depth + 1);
  def->state = STATE_DONE;
  return ok;
}

static gboolean
check_params_c_names (IdlCompiler *c, IdlMethod *m)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *params = m->args->fields;

  for (guint i = 0; i < params->len; i++)
    {
      IdlDecl *d = params->pdata[i];
      const gchar *names[2] = { d->c_name, NULL };
      g_autofree gchar *len_name = NULL, *val_name = NULL;

      if (in_list (stub_words, d->c_name))
        d->c_name = idl_printf (c, "%s_", d->c_name);
      names[0] = d->c_name;
      if (idl_decl_pass (d) == IDL_PASS_VAR)
        {
          len_name = g_strdup_printf ("%s_len", d->c_name);
          val_name = g_strdup_printf ("%s_val", d->c_name);
          names[0] = len_name;
          names[1] = val_name;
        }
      for (guint k = 0; k < 2 && names[k] != NULL; k++)
        {
          IdlDecl *other = g_hash_table_lookup (seen, names[k]);
          if (other != NULL)
            return idl_error (c, &d->loc,
                              _ ("parameter '%s' of '%s' becomes the C parameter '%s', which "
                                 "parameter '%s' already uses"),
                              d->name, m->name, names[k], other->name);
          g_hash_table_insert (seen, (gpointer)idl_strdup (c, names[k]), d);
        }
    }
  return TRUE;
}

static gboolean
check_interface (IdlCompiler *c, IdlDef *def)
{
  IdlFile *f = def->file;
  gboolean ok = TRUE;
  g_autoptr (GHashTable) method_names = g_hash_table_new (g_str_hash, g_str_equal);

  def->version = 1;
  if (def->version_value != NULL)
    {
      if (!eval_value (c, f, def->version_value))
        ok = FALSE;
      else if (def->version_value->value < 1 || def->version_value->value > G_MAXUINT32)
        ok = idl_error (c, &def->version_value->loc,
                        _ ("an interface version must be between 1 and %u, not %" PRId64),
                        G_MAXUINT32, def->version_value->value);
      else
        def->version = (guint32)def->version_value->value;
    }

  def->bases = idl_ptr_array (c);
  for (guint i = 0; i < def->base_refs->len; i++)
    {
      IdlSpec *ref = def->base_refs->pdata[i];
      IdlDef *base = lookup (c, f, ref->ref, &ref->loc, FALSE);

      if (base == NULL)
        {
          ok = FALSE;
          continue;
        }
      if (base->kind != IDL_DEF_INTERFACE)
        {
          ok = idl_error (c, &ref->loc, _ ("base '%s' is %s, not an interface"), ref->ref,
                          kind_name (base));
          continue;
        }
      if (g_ptr_array_find (def->bases, base, NULL))
        {
          ok = idl_error (c, &ref->loc, _ ("'%s' is listed twice as a base"), base->qname);
          continue;
        }
      g_ptr_array_add (def->bases, base);
    }

  def->allomorphic = idl_ptr_array (c);
  for (guint i = 0; def->annotations != NULL && i < def->annotations->len; i++)
    {
      IdlAnnotation *a = def->annotations->pdata[i];
      IdlDef *target;
      const gchar *name;
      gchar *entry;

      if (!g_str_equal (a->name, "allomorphic"))
        continue;
      if (a->version < 1 || a->version > G_MAXUINT32)
        {
          ok = idl_error (c, &a->target_loc,
                          _ ("an interface version must be between 1 and %u, not %" PRId64),
                          G_MAXUINT32, a->version);
          continue;
        }
      /* A visible interface is named by its qualified name; another is
       * taken as written (it need not be known to this file). */
      target = lookup (c, f, a->target, &a->target_loc, TRUE);
      if (target != NULL && target->kind != IDL_DEF_INTERFACE)
        {
          ok = idl_error (c, &a->target_loc, _ ("'%s' is %s, not an interface"), a->target,
                          kind_name (target));
          continue;
        }
      name = target != NULL ? target->qname : a->target;
      if (target == def && (guint32)a->version == def->version)
        {
          ok = idl_error (c, &a->target_loc,
                          _ ("interface '%s' cannot be declared allomorphic to itself"),
                          def->qname);
          continue;
        }
      entry = idl_printf (c, "%s;%" G_GINT64_FORMAT, name, a->version);
      for (guint j = 0; j < def->allomorphic->len; j++)
        if (g_str_equal (def->allomorphic->pdata[j], entry))
          {
            ok = idl_error (c, &a->loc, _ ("duplicate allomorphic(%s)"), entry);
            entry = NULL;
            break;
          }
      if (entry != NULL)
        g_ptr_array_add (def->allomorphic, entry);
    }

  for (guint i = 0; i < def->methods->len; i++)
    {
      IdlMethod *m = def->methods->pdata[i];
      IdlMethod *other = g_hash_table_lookup (method_names, m->name);
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (other != NULL)
        {
          ok = idl_error (c, &m->loc, _ ("duplicate method '%s' (first at line %u)"), m->name,
                          other->loc.line);
          continue;
        }
      g_hash_table_insert (method_names, m->name, m);
      if (!resolve_spec (c, f, m->result->spec))
        {
          ok = FALSE;
          continue;
        }
      m->result->c_name = idl_strdup (c, "result");
      if (m->oneway && m->result->spec->kind != IDL_SPEC_VOID)
        {
          ok = idl_error (c, &m->result->loc,
                          _ ("oneway method '%s' must return void: its sender gets no reply"),
                          m->name);
          continue;
        }
      for (guint j = 0; j < m->args->fields->len; j++)
        {
          IdlDecl *d = m->args->fields->pdata[j];
          if (!resolve_decl (c, f, d) || !check_unique (c, seen, d, _ ("parameter")))
            ok = FALSE;
        }
    }
  return ok;
}

/* ------------------------------------------------------------------------- */
/* Order of the C definitions */

/* What @def needs defined before its own C definition: types it contains by
 * value, and typedefs and enums it names at all (C has no forward
 * declaration of those). Structs and unions behind a pointer need only
 * their forward typedef. Only definitions of @def's own file count. */
static void
needs_of_decl (IdlDef *def, const IdlDecl *d, GPtrArray *out)
{
  IdlDef *t;

  if (d == NULL || d->kind == IDL_DECL_VOID || d->spec == NULL || d->spec->def == NULL)
    return;
  t = d->spec->def;
  if (t->file != def->file && !t->is_inline)
    return;
  if (d->kind == IDL_DECL_PLAIN || d->kind == IDL_DECL_FIXED || t->kind == IDL_DEF_TYPEDEF
      || t->kind == IDL_DEF_ENUM)
    g_ptr_array_add (out, t);
}

static void
needs_of (IdlDef *def, GPtrArray *out)
{
  switch (def->kind)
    {
      case IDL_DEF_TYPEDEF:
        needs_of_decl (def, def->decl, out);
        break;
      case IDL_DEF_STRUCT:
        for (guint i = 0; i < def->fields->len; i++)
          needs_of_decl (def, def->fields->pdata[i], out);
        break;
      case IDL_DEF_UNION:
        needs_of_decl (def, def->disc, out);
        for (guint i = 0; i < def->arms->len; i++)
          needs_of_decl (def, ((IdlArm *)def->arms->pdata[i])->decl, out);
        if (def->default_arm != NULL)
          needs_of_decl (def, def->default_arm->decl, out);
        break;
      case IDL_DEF_ENUM:
      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        break;
    }
}

/* Depth-first, with an explicit stack: a long chain of typedefs must not
 * exhaust the C stack. */
static gboolean
sort_types (IdlCompiler *c, IdlDef *root)
{
  typedef struct
  {
    IdlDef *def;
    GPtrArray *needs;
    guint next;
  } Frame;
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  gboolean ok = TRUE;

  if (root->sort_state == STATE_DONE)
    return TRUE;
  {
    Frame fr = { root, g_ptr_array_new (), 0 };
    needs_of (root, fr.needs);
    root->sort_state = STATE_ACTIVE;
    g_array_append_val (stack, fr);
  }
  while (stack->len > 0)
    {
      Frame *top = &g_array_index (stack, Frame, stack->len - 1);

      if (top->next < top->needs->len && ok)
        {
          IdlDef *n = top->needs->pdata[top->next++];
          Frame fr;

          if (n->sort_state == STATE_DONE)
            continue;
          if (n->sort_state == STATE_ACTIVE)
            {
              ok = idl_error (c, &n->loc,
                              _ ("type '%s' contains itself: a recursive type needs optional data "
                                 "(T *name) or a variable-length array in a struct or union"),
                              n->qname != NULL ? n->qname : n->name);
              continue;
            }
          fr.def = n;
          fr.needs = g_ptr_array_new ();
          fr.next = 0;
          needs_of (n, fr.needs);
          n->sort_state = STATE_ACTIVE;
          g_array_append_val (stack, fr);
          continue;
        }
      top->def->sort_state = STATE_DONE;
      g_ptr_array_add (c->type_order, top->def);
      g_ptr_array_unref (top->needs);
      g_array_set_size (stack, stack->len - 1);
    }
  return ok;
}

static void
collect_types (IdlDef *def, GPtrArray *out)
{
  if (!idl_is_type_def (def))
    return;
  g_ptr_array_add (out, def);
  for (guint i = 0; i < def->inlines->len; i++)
    collect_types (def->inlines->pdata[i], out);
}

/* ------------------------------------------------------------------------- */
/* Memory ownership: what needs a clear function */

gboolean
idl_spec_owns_memory (const IdlSpec *spec)
{
  switch (spec->kind)
    {
      case IDL_SPEC_STRING:
      case IDL_SPEC_OPAQUE:
        return TRUE;
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
        return spec->def != NULL && idl_def_owns_memory (spec->def);
      case IDL_SPEC_VOID:
      case IDL_SPEC_INT:
      case IDL_SPEC_UINT:
      case IDL_SPEC_HYPER:
      case IDL_SPEC_UHYPER:
      case IDL_SPEC_FLOAT:
      case IDL_SPEC_DOUBLE:
      case IDL_SPEC_QUADRUPLE:
      case IDL_SPEC_BOOL:
      case IDL_SPEC_OBJECT_ID:
      default:
        return FALSE;
    }
}

gboolean
idl_decl_owns_memory (const IdlDecl *d)
{
  switch (d->kind)
    {
      case IDL_DECL_VAR:
      case IDL_DECL_OPTIONAL:
        return TRUE;
      case IDL_DECL_PLAIN:
        return idl_spec_owns_memory (d->spec);
      case IDL_DECL_FIXED:
        return d->spec->kind != IDL_SPEC_OPAQUE && idl_spec_owns_memory (d->spec);
      case IDL_DECL_VOID:
      default:
        return FALSE;
    }
}

/* Memoized; computed in type_order, so the recursion is one level deep. */
gboolean
idl_def_owns_memory (IdlDef *def)
{
  gboolean owns = FALSE;

  if (def->owns_state != 0)
    return def->owns_state == 2;
  def->owns_state = 1; /* a cycle only goes through pointers, which own */
  switch (def->kind)
    {
      case IDL_DEF_TYPEDEF:
        owns = idl_decl_owns_memory (def->decl);
        break;
      case IDL_DEF_STRUCT:
        for (guint i = 0; i < def->fields->len && !owns; i++)
          owns = idl_decl_owns_memory (def->fields->pdata[i]);
        break;
      case IDL_DEF_UNION:
        for (guint i = 0; i < def->arms->len && !owns; i++)
          owns = idl_decl_owns_memory (((IdlArm *)def->arms->pdata[i])->decl);
        if (!owns && def->default_arm != NULL)
          owns = idl_decl_owns_memory (def->default_arm->decl);
        break;
      case IDL_DEF_ENUM:
      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        break;
    }
  def->owns_state = owns ? 2 : 1;
  return owns;
}

/* ------------------------------------------------------------------------- */
/* C names of everything a header declares */

static void
claim_type (IdlCompiler *c, IdlDef *def)
{
  claim_c_name (c, def->c_type, def, &def->loc, _ ("the type"));
  if (def->is_inline)
    return;
  claim_c_name (c, idl_printf (c, "%s_desc", def->c_func), def, &def->loc, _ ("the descriptor"));
  if (def->is_args)
    return;
  claim_c_name (c, idl_printf (c, "%s_clear", def->c_func), def, &def->loc,
                _ ("the clear function"));
  claim_c_name (c, idl_printf (c, "%s_free", def->c_func), def, &def->loc, _ ("the free function"));
  claim_c_name (c, idl_printf (c, "%s_copy", def->c_func), def, &def->loc, _ ("the copy function"));
}

static void
claim_interface (IdlCompiler *c, IdlDef *def)
{
  claim_c_name (c, idl_printf (c, "%sIface", def->c_type), def, &def->loc, _ ("the vtable"));
  claim_c_name (c, idl_printf (c, "%s_interface", def->c_func), def, &def->loc,
                _ ("the descriptor"));
  claim_c_name (c, idl_printf (c, "%s_methods", def->c_func), def, &def->loc,
                _ ("the method table"));
  claim_c_name (c, idl_printf (c, "%s_N_METHODS", def->c_upper), def, &def->loc,
                _ ("the method count"));
  for (guint i = 0; i < def->methods->len; i++)
    {
      IdlMethod *m = def->methods->pdata[i];
      const gchar *what = idl_printf (c, _ ("method '%s'"), m->name);

      claim_c_name (c, idl_printf (c, "%s_METHOD_%s", def->c_upper, m->c_upper), def, &m->loc,
                    what);
      claim_c_name (c, m->c_func, def, &m->loc, what);
      if (!m->oneway)
        {
          claim_c_name (c, idl_printf (c, "%s_async", m->c_func), def, &m->loc, what);
          claim_c_name (c, idl_printf (c, "%s_finish", m->c_func), def, &m->loc, what);
          claim_c_name (c, idl_printf (c, "%s_oneway", m->c_func), def, &m->loc, what);
        }
    }
}

/* ------------------------------------------------------------------------- */

gboolean
idl_check (IdlCompiler *c)
{
  guint errors_before = c->n_errors;
  g_autoptr (GPtrArray) all_types = g_ptr_array_new ();

  c->type_order = idl_ptr_array (c);
  for (guint i = 0; i < c->files->len; i++)
    declare_file (c, c->files->pdata[i]);
  if (c->n_errors > errors_before)
    return FALSE;

  for (guint i = 0; i < c->files->len && !idl_too_many_errors (c); i++)
    {
      IdlFile *f = c->files->pdata[i];

      for (guint j = 0; j < f->defs->len && !idl_too_many_errors (c); j++)
        {
          IdlDef *def = f->defs->pdata[j];
          if (def->kind == IDL_DEF_INTERFACE)
            check_interface (c, def);
          else
            check_def (c, def);
        }
    }
  if (c->n_errors > errors_before)
    return FALSE;

  /* Imported files first, so that what a definition needs is always
   * settled before it. */
  for (guint i = 0; i < c->file_order->len; i++)
    {
      IdlFile *f = c->file_order->pdata[i];
      for (guint j = 0; j < f->defs->len; j++)
        {
          IdlDef *def = f->defs->pdata[j];
          if (def->kind == IDL_DEF_INTERFACE)
            {
              check_base_cycles (c, def, 0);
              for (guint k = 0; k < def->methods->len; k++)
                {
                  IdlMethod *m = def->methods->pdata[k];
                  /* with an inline result type among the inlines */
                  collect_types (m->args, all_types);
                }
            }
          else
            collect_types (def, all_types);
        }
    }
  for (guint i = 0; i < all_types->len && !idl_too_many_errors (c); i++)
    sort_types (c, all_types->pdata[i]);
  if (c->n_errors > errors_before)
    return FALSE;
  for (guint i = 0; i < c->type_order->len; i++)
    {
      set_shape (c->type_order->pdata[i]);
      idl_def_owns_memory (c->type_order->pdata[i]);
    }

  /* What needs the types resolved and ordered: union discriminants and
   * labels, the C names of parameters. */
  for (guint i = 0; i < all_types->len && !idl_too_many_errors (c); i++)
    {
      IdlDef *def = all_types->pdata[i];
      if (def->kind == IDL_DEF_UNION)
        check_union_labels (c, def);
    }
  for (guint i = 0; i < c->files->len && !idl_too_many_errors (c); i++)
    {
      IdlFile *f = c->files->pdata[i];
      for (guint j = 0; j < f->defs->len; j++)
        {
          IdlDef *def = f->defs->pdata[j];
          if (def->kind != IDL_DEF_INTERFACE)
            continue;
          for (guint k = 0; k < def->methods->len; k++)
            check_params_c_names (c, def->methods->pdata[k]);
        }
    }
  if (c->n_errors > errors_before)
    return FALSE;

  /* GVariant types of method parameters and results (the introspection). */
  for (guint i = 0; i < c->files->len && !idl_too_many_errors (c); i++)
    {
      IdlFile *f = c->files->pdata[i];
      for (guint j = 0; j < f->defs->len; j++)
        {
          IdlDef *def = f->defs->pdata[j];
          if (def->kind != IDL_DEF_INTERFACE)
            continue;
          for (guint k = 0; k < def->methods->len; k++)
            {
              IdlMethod *m = def->methods->pdata[k];
              GPtrArray *params = m->args->fields;

              for (guint p = 0; p <= params->len; p++)
                {
                  IdlDecl *d = p < params->len ? params->pdata[p] : m->result;
                  gchar *v = idl_decl_variant_type (d, p < params->len ? 1 : 0);
                  if (v == NULL)
                    idl_error (c, &d->loc,
                               _ ("the GVariant type of '%s' is longer than %d characters"),
                               d->name, IDL_MAX_VARIANT_TYPE);
                  d->variant = idl_take (c, v);
                }
            }
        }
    }
  if (c->n_errors > errors_before)
    return FALSE;

  for (guint i = 0; i < c->files->len && !idl_too_many_errors (c); i++)
    {
      IdlFile *f = c->files->pdata[i];
      for (guint j = 0; j < f->defs->len; j++)
        {
          IdlDef *def = f->defs->pdata[j];
          if (def->kind == IDL_DEF_CONST)
            claim_c_name (c, def->c_upper, def, &def->loc, _ ("the constant"));
          else if (def->kind == IDL_DEF_INTERFACE)
            claim_interface (c, def);
        }
    }
  for (guint i = 0; i < all_types->len && !idl_too_many_errors (c); i++)
    {
      IdlDef *def = all_types->pdata[i];
      claim_type (c, def);
      if (def->kind == IDL_DEF_ENUM)
        for (guint k = 0; k < def->values->len; k++)
          {
            IdlDef *v = def->values->pdata[k];
            claim_c_name (c, v->c_upper, v, &v->loc, _ ("the enum symbol"));
          }
    }
  return c->n_errors == errors_before;
}
