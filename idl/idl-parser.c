/* idl-parser.c — the lexer and the recursive-descent parser of synod-idl.
 *
 * The grammar is RFC 4506 section 6.3 plus Synod's additions (namespace,
 * import, interface, oneway, annotations); see idl/README.md. The lexer turns
 * the whole file into tokens first, so the parser can look ahead to tell the
 * contextual keywords (`oneway`, `version`...) from names. The parser stops
 * at the first syntax error: what follows a syntax error is rarely worth
 * reporting.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "idl-compiler.h"

typedef enum
{
  TOK_EOF,
  TOK_IDENT,
  TOK_NUMBER,
  TOK_STRING,
  TOK_PUNCT,
} TokKind;

typedef struct
{
  TokKind kind;
  IdlLoc loc;
  const gchar *start;
  gsize len;
  gint64 number;
} Token;

typedef struct
{
  IdlCompiler *c;
  IdlFile *file;
  GArray *toks; /* Token */
  guint pos;
  guint depth; /* nesting of inline types */
} Parser;

/* RFC 4506's keywords, reserved everywhere. */
static const gchar *const reserved_words[] = {
  "bool",    "case",  "const",    "default", "double", "quadruple", "enum",
  "float",   "hyper", "int",      "opaque",  "string", "struct",    "switch",
  "typedef", "union", "unsigned", "void",    "TRUE",   "FALSE",     NULL,
};

static gboolean
is_reserved (const gchar *s, gsize len)
{
  for (guint i = 0; reserved_words[i] != NULL; i++)
    if (strlen (reserved_words[i]) == len && memcmp (reserved_words[i], s, len) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------- */
/* Lexer */

static gboolean
lex (Parser *p, const gchar *text, gsize len)
{
  gsize i = 0;
  guint line = 1, col = 1;

#define ADVANCE()                                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (text[i] == '\n')                                                                           \
      {                                                                                            \
        line++;                                                                                    \
        col = 1;                                                                                   \
      }                                                                                            \
    else if (((guchar)text[i] & 0xc0) != 0x80)                                                     \
      col++;                                                                                       \
    i++;                                                                                           \
  }                                                                                                \
  G_STMT_END

  while (TRUE)
    {
      Token t = { 0 };

      /* Blanks and comments. */
      while (i < len)
        {
          if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'
              || text[i] == '\f' || text[i] == '\v')
            ADVANCE ();
          else if (text[i] == '/' && i + 1 < len && text[i + 1] == '*')
            {
              IdlLoc start = { p->file->path, line, col };
              ADVANCE ();
              ADVANCE ();
              while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'))
                ADVANCE ();
              if (i >= len)
                return idl_error (p->c, &start, _ ("unterminated comment"));
              ADVANCE ();
              ADVANCE ();
            }
          else if (text[i] == '/' && i + 1 < len && text[i + 1] == '/')
            {
              while (i < len && text[i] != '\n')
                ADVANCE ();
            }
          else
            break;
        }

      t.loc.file = p->file->path;
      t.loc.line = line;
      t.loc.column = col;
      t.start = text + i;

      if (i >= len)
        {
          t.kind = TOK_EOF;
          g_array_append_val (p->toks, t);
          return TRUE;
        }

      gchar ch = text[i];
      if (g_ascii_isalpha (ch))
        {
          gsize s = i;
          while (i < len && (g_ascii_isalnum (text[i]) || text[i] == '_'))
            ADVANCE ();
          t.kind = TOK_IDENT;
          t.len = i - s;
        }
      else if (g_ascii_isdigit (ch) || (ch == '-' && i + 1 < len && g_ascii_isdigit (text[i + 1])))
        {
          gsize s = i;
          gboolean negative = FALSE;
          guint base = 10;
          guint64 mag = 0;
          gboolean overflow = FALSE, digits = FALSE;

          if (ch == '-')
            {
              negative = TRUE;
              ADVANCE ();
            }
          if (text[i] == '0' && i + 1 < len && (text[i + 1] == 'x' || text[i + 1] == 'X'))
            {
              base = 16;
              ADVANCE ();
              ADVANCE ();
            }
          else if (text[i] == '0')
            base = 8;
          while (i < len && g_ascii_isxdigit (text[i]))
            {
              guint d = g_ascii_xdigit_value (text[i]);
              if (d >= base)
                break;
              if (mag > (G_MAXUINT64 - d) / base)
                overflow = TRUE;
              else
                mag = mag * base + d;
              digits = TRUE;
              ADVANCE ();
            }
          if (!digits || (i < len && (g_ascii_isalnum (text[i]) || text[i] == '_')))
            {
              while (i < len && (g_ascii_isalnum (text[i]) || text[i] == '_'))
                ADVANCE ();
              g_autofree gchar *bad = g_strndup (text + s, i - s);
              return idl_error (p->c, &t.loc, _ ("invalid number '%s'"), bad);
            }
          if (overflow || (!negative && mag > (guint64)G_MAXINT64)
              || (negative && mag > (guint64)G_MAXINT64 + 1))
            {
              g_autofree gchar *bad = g_strndup (text + s, i - s);
              return idl_error (p->c, &t.loc,
                                _ ("number '%s' is out of range (constants are 64-bit signed)"),
                                bad);
            }
          t.kind = TOK_NUMBER;
          t.len = i - s;
          if (negative)
            t.number = mag == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)mag;
          else
            t.number = (gint64)mag;
        }
      else if (ch == '"')
        {
          ADVANCE ();
          gsize s = i;
          while (i < len && text[i] != '"' && text[i] != '\n' && text[i] != '\\' && text[i] != '\0')
            ADVANCE ();
          if (i >= len || text[i] != '"')
            return idl_error (p->c, &t.loc,
                              _ ("unterminated or invalid string (no newlines or backslashes)"));
          t.kind = TOK_STRING;
          t.start = text + s;
          t.len = i - s;
          if (!g_utf8_validate (t.start, t.len, NULL))
            return idl_error (p->c, &t.loc, _ ("string is not valid UTF-8"));
          ADVANCE ();
        }
      else if (strchr ("{}()[]<>;,:=*.#", ch) != NULL && ch != '\0')
        {
          t.kind = TOK_PUNCT;
          t.len = 1;
          ADVANCE ();
        }
      else
        {
          if ((guchar)ch >= 0x20 && (guchar)ch < 0x7f)
            return idl_error (p->c, &t.loc, _ ("unexpected character '%c'"), ch);
          return idl_error (p->c, &t.loc, _ ("unexpected byte 0x%02x"), (guchar)ch);
        }
      g_array_append_val (p->toks, t);
    }
#undef ADVANCE
}

/* ------------------------------------------------------------------------- */
/* Token helpers */

static Token *
peek (Parser *p, guint ahead)
{
  guint i = MIN (p->pos + ahead, p->toks->len - 1);
  return &g_array_index (p->toks, Token, i);
}

static Token *
next (Parser *p)
{
  Token *t = peek (p, 0);
  if (t->kind != TOK_EOF)
    p->pos++;
  return t;
}

static gboolean
tok_is_punct (const Token *t, gchar ch)
{
  return t->kind == TOK_PUNCT && t->start[0] == ch;
}

static gboolean
tok_is_word (const Token *t, const gchar *word)
{
  return t->kind == TOK_IDENT && strlen (word) == t->len && memcmp (t->start, word, t->len) == 0;
}

static gboolean
at_punct (Parser *p, gchar ch)
{
  return tok_is_punct (peek (p, 0), ch);
}

static gboolean
at_word (Parser *p, const gchar *word)
{
  return tok_is_word (peek (p, 0), word);
}

/* A description of a token for error messages (owned by the compiler). */
static const gchar *
describe (Parser *p, const Token *t)
{
  switch (t->kind)
    {
      case TOK_EOF:
        return _ ("end of file");
      case TOK_STRING:
        return _ ("a string");
      case TOK_IDENT:
      case TOK_NUMBER:
      case TOK_PUNCT:
      default:
        return idl_printf (p->c, "'%.*s'", (int)MIN (t->len, 64), t->start);
    }
}

static gboolean
unexpected (Parser *p, const gchar *expected)
{
  Token *t = peek (p, 0);
  /* TRANSLATORS: "expected ';', found 'int'" */
  return idl_error (p->c, &t->loc, _ ("expected %s, found %s"), expected, describe (p, t));
}

static gboolean
expect_punct (Parser *p, gchar ch)
{
  if (!at_punct (p, ch))
    return unexpected (p, idl_printf (p->c, "'%c'", ch));
  next (p);
  return TRUE;
}

/* A name being defined (not a reference). */
static gchar *
expect_name (Parser *p, const gchar *what, IdlLoc *ret_loc)
{
  Token *t = peek (p, 0);

  if (t->kind != TOK_IDENT)
    {
      unexpected (p, what);
      return NULL;
    }
  if (is_reserved (t->start, t->len))
    {
      idl_error (p->c, &t->loc, _ ("'%.*s' is a reserved word and cannot be used as a name"),
                 (int)t->len, t->start);
      return NULL;
    }
  next (p);
  if (ret_loc != NULL)
    *ret_loc = t->loc;
  return idl_strndup (p->c, t->start, t->len);
}

/* A possibly qualified name: IDENT ('.' IDENT)* */
static gchar *
expect_qname (Parser *p, const gchar *what, IdlLoc *ret_loc)
{
  GString *s = g_string_new (NULL);
  IdlLoc loc;
  gchar *part = expect_name (p, what, &loc);

  if (part == NULL)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  g_string_append (s, part);
  while (at_punct (p, '.'))
    {
      next (p);
      part = expect_name (p, _ ("a name after '.'"), NULL);
      if (part == NULL)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_c (s, '.');
      g_string_append (s, part);
    }
  if (ret_loc != NULL)
    *ret_loc = loc;
  return idl_take (p->c, g_string_free (s, FALSE));
}

/* value: constant | identifier */
static IdlValue *
parse_value (Parser *p, const gchar *what)
{
  Token *t = peek (p, 0);
  IdlValue *v = idl_new0 (p->c, IdlValue);

  v->loc = t->loc;
  if (t->kind == TOK_NUMBER)
    {
      v->value = t->number;
      next (p);
      return v;
    }
  if (tok_is_word (t, "TRUE") || tok_is_word (t, "FALSE"))
    {
      v->value = tok_is_word (t, "TRUE") ? 1 : 0;
      next (p);
      return v;
    }
  if (t->kind != TOK_IDENT)
    {
      unexpected (p, what);
      return NULL;
    }
  v->ident = expect_qname (p, what, NULL);
  return v->ident != NULL ? v : NULL;
}

/* ------------------------------------------------------------------------- */
/* Annotations */

static gboolean
parse_annotations (Parser *p, GPtrArray **ret)
{
  *ret = NULL;
  if (!at_punct (p, '['))
    return TRUE;
  next (p);
  *ret = idl_ptr_array (p->c);
  while (TRUE)
    {
      IdlAnnotation *a = idl_new0 (p->c, IdlAnnotation);
      Token *t = peek (p, 0);

      if (t->kind != TOK_IDENT)
        return unexpected (p, _ ("an annotation name"));
      a->loc = t->loc;
      a->name = idl_strndup (p->c, t->start, t->len);
      next (p);
      if (g_str_equal (a->name, "concurrent") || g_str_equal (a->name, "deprecated"))
        {
          if (at_punct (p, '('))
            return idl_error (p->c, &peek (p, 0)->loc, _ ("annotation '%s' takes no arguments"),
                              a->name);
        }
      else if (g_str_equal (a->name, "allomorphic"))
        {
          if (!expect_punct (p, '('))
            return FALSE;
          a->target = expect_qname (p, _ ("an interface name"), &a->target_loc);
          if (a->target == NULL || !expect_punct (p, ';'))
            return FALSE;
          t = peek (p, 0);
          if (t->kind != TOK_NUMBER)
            return unexpected (p, _ ("an interface version number"));
          a->version = t->number;
          next (p);
          if (!expect_punct (p, ')'))
            return FALSE;
        }
      else if (g_str_equal (a->name, "c_name"))
        {
          if (!expect_punct (p, '('))
            return FALSE;
          t = peek (p, 0);
          if (t->kind != TOK_IDENT)
            return unexpected (p, _ ("a C name"));
          a->target = idl_strndup (p->c, t->start, t->len);
          a->target_loc = t->loc;
          next (p);
          if (!expect_punct (p, ')'))
            return FALSE;
        }
      else
        return idl_error (p->c, &a->loc,
                          _ ("unknown annotation '%s' (known: concurrent, deprecated, "
                             "allomorphic, c_name)"),
                          a->name);
      g_ptr_array_add (*ret, a);
      if (at_punct (p, ']'))
        {
          next (p);
          return TRUE;
        }
      if (!at_punct (p, ','))
        return unexpected (p, _ ("',' or ']'"));
      next (p);
    }
}

/* ------------------------------------------------------------------------- */
/* Types and declarations */

static IdlDecl *parse_decl (Parser *p, const gchar *context);
static gboolean parse_enum_body (Parser *p, IdlDef *def);
static gboolean parse_struct_body (Parser *p, IdlDef *def);
static gboolean parse_union_body (Parser *p, IdlDef *def);

static IdlDef *
new_def (Parser *p, IdlDefKind kind, const IdlLoc *loc)
{
  IdlDef *def = idl_new0 (p->c, IdlDef);

  def->kind = kind;
  def->loc = *loc;
  def->file = p->file;
  def->inlines = idl_ptr_array (p->c);
  return def;
}

static IdlSpec *
parse_inline (Parser *p, IdlDefKind kind, const IdlLoc *loc)
{
  IdlSpec *spec = idl_new0 (p->c, IdlSpec);
  IdlDef *def = new_def (p, kind, loc);
  gboolean ok;

  if (p->depth >= IDL_MAX_NESTING)
    {
      idl_error (p->c, loc, _ ("inline types nested more than %d deep"), IDL_MAX_NESTING);
      return NULL;
    }
  p->depth++;
  def->is_inline = TRUE;
  if (kind == IDL_DEF_ENUM)
    ok = parse_enum_body (p, def);
  else if (kind == IDL_DEF_STRUCT)
    ok = parse_struct_body (p, def);
  else
    ok = parse_union_body (p, def);
  p->depth--;
  if (!ok)
    return NULL;
  spec->kind = IDL_SPEC_INLINE;
  spec->loc = *loc;
  spec->def = def;
  return spec;
}

/* type-specifier. @allow_string_opaque: a method result (`string`, `opaque`). */
static IdlSpec *
parse_spec (Parser *p, gboolean allow_string_opaque)
{
  Token *t = peek (p, 0);
  IdlSpec *spec;
  static const struct
  {
    const gchar *word;
    IdlSpecKind kind;
  } simple[] = {
    { "int", IDL_SPEC_INT },       { "hyper", IDL_SPEC_HYPER },         { "float", IDL_SPEC_FLOAT },
    { "double", IDL_SPEC_DOUBLE }, { "quadruple", IDL_SPEC_QUADRUPLE }, { "bool", IDL_SPEC_BOOL },
  };

  if (t->kind != TOK_IDENT)
    {
      unexpected (p, _ ("a type"));
      return NULL;
    }
  spec = idl_new0 (p->c, IdlSpec);
  spec->loc = t->loc;
  spec->ref_tag = -1;

  if (tok_is_word (t, "unsigned"))
    {
      next (p);
      if (at_word (p, "int"))
        spec->kind = IDL_SPEC_UINT;
      else if (at_word (p, "hyper"))
        spec->kind = IDL_SPEC_UHYPER;
      else
        {
          unexpected (p, _ ("'int' or 'hyper' after 'unsigned'"));
          return NULL;
        }
      next (p);
      return spec;
    }
  for (guint i = 0; i < G_N_ELEMENTS (simple); i++)
    if (tok_is_word (t, simple[i].word))
      {
        spec->kind = simple[i].kind;
        next (p);
        return spec;
      }
  if (tok_is_word (t, "enum") || tok_is_word (t, "struct") || tok_is_word (t, "union"))
    {
      IdlDefKind kind = tok_is_word (t, "enum")     ? IDL_DEF_ENUM
                        : tok_is_word (t, "struct") ? IDL_DEF_STRUCT
                                                    : IDL_DEF_UNION;
      next (p);
      if (at_punct (p, '{') || (kind == IDL_DEF_UNION && at_word (p, "switch")))
        return parse_inline (p, kind, &t->loc);
      /* `struct item *next`: a reference written the C way, as rpcgen allows. */
      spec->kind = IDL_SPEC_NAMED;
      spec->ref_tag = kind;
      spec->ref = expect_qname (p, _ ("a type name or a body"), &spec->loc);
      return spec->ref != NULL ? spec : NULL;
    }
  if (tok_is_word (t, "string") || tok_is_word (t, "opaque"))
    {
      if (allow_string_opaque)
        {
          spec->kind = tok_is_word (t, "string") ? IDL_SPEC_STRING : IDL_SPEC_OPAQUE;
          next (p);
          return spec;
        }
      idl_error (p->c, &t->loc,
                 tok_is_word (t, "string")
                     ? _ ("'string' must be declared as string NAME<N> or string NAME<>")
                     : _ ("'opaque' must be declared as opaque NAME[N], opaque NAME<N> or "
                          "opaque NAME<>"));
      return NULL;
    }
  if (tok_is_word (t, "void"))
    {
      idl_error (p->c, &t->loc, _ ("'void' is not allowed here"));
      return NULL;
    }
  if (tok_is_word (t, "ObjectId"))
    {
      spec->kind = IDL_SPEC_OBJECT_ID;
      next (p);
      return spec;
    }
  spec->kind = IDL_SPEC_NAMED;
  spec->ref = expect_qname (p, _ ("a type"), &spec->loc);
  return spec->ref != NULL ? spec : NULL;
}

/* '<' [value] '>' or '[' value ']' after a declared name. */
static gboolean
parse_bounds (Parser *p, IdlDecl *d)
{
  if (at_punct (p, '['))
    {
      next (p);
      d->kind = IDL_DECL_FIXED;
      d->bound = parse_value (p, _ ("an array length"));
      return d->bound != NULL && expect_punct (p, ']');
    }
  if (at_punct (p, '<'))
    {
      next (p);
      d->kind = IDL_DECL_VAR;
      if (at_punct (p, '>'))
        {
          next (p);
          return TRUE;
        }
      d->bound = parse_value (p, _ ("a maximum length or '>'"));
      return d->bound != NULL && expect_punct (p, '>');
    }
  return TRUE;
}

static IdlDecl *
parse_decl (Parser *p, const gchar *context)
{
  IdlDecl *d = idl_new0 (p->c, IdlDecl);
  Token *t = peek (p, 0);

  d->loc = t->loc;
  if (tok_is_word (t, "void"))
    {
      next (p);
      d->kind = IDL_DECL_VOID;
      d->spec = idl_new0 (p->c, IdlSpec);
      d->spec->kind = IDL_SPEC_VOID;
      d->spec->loc = t->loc;
      return d;
    }
  if (tok_is_word (t, "opaque") || tok_is_word (t, "string"))
    {
      gboolean is_string = tok_is_word (t, "string");

      next (p);
      d->spec = idl_new0 (p->c, IdlSpec);
      d->spec->kind = is_string ? IDL_SPEC_STRING : IDL_SPEC_OPAQUE;
      d->spec->loc = t->loc;
      if (at_punct (p, '*'))
        {
          idl_error (p->c, &peek (p, 0)->loc,
                     _ ("optional data of a string or opaque needs a typedef "
                        "(typedef string name<N>; name *x;)"));
          return NULL;
        }
      d->name = expect_name (p, context, &d->loc);
      if (d->name == NULL)
        return NULL;
      if (is_string && at_punct (p, '['))
        {
          idl_error (p->c, &peek (p, 0)->loc,
                     _ ("a string takes a maximum length in <>, not a size in []; for an "
                        "array of strings use a typedef"));
          return NULL;
        }
      if (!at_punct (p, '<') && !at_punct (p, '['))
        {
          idl_error (p->c, &d->loc,
                     is_string
                         ? _ ("string '%s' needs a maximum length: string %s<N> or string %s<>")
                         : _ ("opaque '%s' needs a length: opaque %s[N], opaque %s<N> or opaque "
                              "%s<>"),
                     d->name, d->name, d->name, d->name);
          return NULL;
        }
      return parse_bounds (p, d) ? d : NULL;
    }
  d->spec = parse_spec (p, FALSE);
  if (d->spec == NULL)
    return NULL;
  if (at_punct (p, '*'))
    {
      next (p);
      d->kind = IDL_DECL_OPTIONAL;
      d->name = expect_name (p, context, &d->loc);
      return d->name != NULL ? d : NULL;
    }
  d->kind = IDL_DECL_PLAIN;
  d->name = expect_name (p, context, &d->loc);
  if (d->name == NULL)
    return NULL;
  return parse_bounds (p, d) ? d : NULL;
}

static gboolean
parse_enum_body (Parser *p, IdlDef *def)
{
  def->values = idl_ptr_array (p->c);
  if (!expect_punct (p, '{'))
    return FALSE;
  while (TRUE)
    {
      IdlLoc loc;
      gchar *name = expect_name (p, _ ("an enum symbol"), &loc);
      IdlDef *v;

      if (name == NULL)
        return FALSE;
      v = new_def (p, IDL_DEF_ENUM_VALUE, &loc);
      v->name = name;
      v->parent = def;
      if (at_punct (p, '='))
        {
          next (p);
          v->value = parse_value (p, _ ("an enum value"));
          if (v->value == NULL)
            return FALSE;
        }
      v->enum_index = def->values->len;
      g_ptr_array_add (def->values, v);
      if (at_punct (p, '}'))
        {
          next (p);
          return TRUE;
        }
      if (!at_punct (p, ','))
        return unexpected (p, _ ("',' or '}'"));
      next (p);
    }
}

static gboolean
parse_struct_body (Parser *p, IdlDef *def)
{
  def->fields = idl_ptr_array (p->c);
  if (!expect_punct (p, '{'))
    return FALSE;
  if (at_punct (p, '}'))
    return idl_error (p->c, &peek (p, 0)->loc, _ ("a struct needs at least one member"));
  while (!at_punct (p, '}'))
    {
      IdlDecl *d = parse_decl (p, _ ("a member name"));
      if (d == NULL)
        return FALSE;
      if (d->kind == IDL_DECL_VOID)
        return idl_error (p->c, &d->loc, _ ("'void' is not allowed as a struct member"));
      g_ptr_array_add (def->fields, d);
      if (!expect_punct (p, ';'))
        return FALSE;
    }
  next (p);
  return TRUE;
}

static gboolean
parse_union_body (Parser *p, IdlDef *def)
{
  def->arms = idl_ptr_array (p->c);
  if (!at_word (p, "switch"))
    return unexpected (p, _ ("'switch'"));
  next (p);
  if (!expect_punct (p, '('))
    return FALSE;
  def->disc = parse_decl (p, _ ("a discriminant name"));
  if (def->disc == NULL || !expect_punct (p, ')') || !expect_punct (p, '{'))
    return FALSE;
  if (!at_word (p, "case"))
    return unexpected (p, _ ("'case'"));
  while (at_word (p, "case"))
    {
      IdlArm *arm = idl_new0 (p->c, IdlArm);

      arm->loc = peek (p, 0)->loc;
      arm->labels = idl_ptr_array (p->c);
      while (at_word (p, "case"))
        {
          IdlValue *v;
          next (p);
          v = parse_value (p, _ ("a case value"));
          if (v == NULL || !expect_punct (p, ':'))
            return FALSE;
          g_ptr_array_add (arm->labels, v);
        }
      arm->decl = parse_decl (p, _ ("an arm name"));
      if (arm->decl == NULL || !expect_punct (p, ';'))
        return FALSE;
      g_ptr_array_add (def->arms, arm);
    }
  if (at_word (p, "default"))
    {
      IdlArm *arm = idl_new0 (p->c, IdlArm);

      arm->loc = peek (p, 0)->loc;
      arm->labels = idl_ptr_array (p->c);
      next (p);
      if (!expect_punct (p, ':'))
        return FALSE;
      arm->decl = parse_decl (p, _ ("an arm name"));
      if (arm->decl == NULL || !expect_punct (p, ';'))
        return FALSE;
      def->default_arm = arm;
    }
  if (at_word (p, "case"))
    return idl_error (p->c, &peek (p, 0)->loc, _ ("'case' after 'default': default comes last"));
  if (!at_punct (p, '}'))
    return unexpected (p, def->default_arm ? _ ("'}'") : _ ("'case', 'default' or '}'"));
  next (p);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Interfaces */

static gboolean
parse_method (Parser *p, IdlDef *iface)
{
  IdlMethod *m = idl_new0 (p->c, IdlMethod);
  Token *t;

  if (!parse_annotations (p, &m->annotations))
    return FALSE;
  t = peek (p, 0);
  /* `oneway` is a keyword unless it is the result type (`oneway f(...)`). */
  if (tok_is_word (t, "oneway")
      && !(peek (p, 1)->kind == TOK_IDENT && tok_is_punct (peek (p, 2), '(')))
    {
      m->oneway = TRUE;
      next (p);
      t = peek (p, 0);
    }
  m->result = idl_new0 (p->c, IdlDecl);
  m->result->kind = IDL_DECL_PLAIN;
  m->result->loc = t->loc;
  if (tok_is_word (t, "void"))
    {
      next (p);
      m->result->spec = idl_new0 (p->c, IdlSpec);
      m->result->spec->kind = IDL_SPEC_VOID;
      m->result->spec->loc = t->loc;
    }
  else
    {
      m->result->spec = parse_spec (p, TRUE);
      if (m->result->spec == NULL)
        return FALSE;
    }
  m->name = expect_name (p, _ ("a method name"), &m->loc);
  if (m->name == NULL)
    return FALSE;
  m->result->name = idl_strdup (p->c, "result");
  if (at_punct (p, '<') || at_punct (p, '['))
    return idl_error (p->c, &peek (p, 0)->loc,
                      _ ("a method result cannot be an array: declare a typedef "
                         "(typedef T name<N>;) and return it"));
  m->interface = iface;
  m->args = new_def (p, IDL_DEF_STRUCT, &m->loc);
  m->args->is_args = TRUE;
  m->args->method = m;
  m->args->fields = idl_ptr_array (p->c);
  if (!expect_punct (p, '('))
    return FALSE;
  if (at_word (p, "void") && tok_is_punct (peek (p, 1), ')'))
    next (p);
  else if (!at_punct (p, ')'))
    while (TRUE)
      {
        IdlDecl *d = parse_decl (p, _ ("a parameter name"));
        if (d == NULL)
          return FALSE;
        if (d->kind == IDL_DECL_VOID)
          return idl_error (p->c, &d->loc, _ ("'void' can only stand alone in a parameter list"));
        g_ptr_array_add (m->args->fields, d);
        if (at_punct (p, ')'))
          break;
        if (!at_punct (p, ','))
          return unexpected (p, _ ("',' or ')'"));
        next (p);
      }
  if (!expect_punct (p, ')') || !expect_punct (p, ';'))
    return FALSE;
  m->index = iface->methods->len;
  g_ptr_array_add (iface->methods, m);
  return TRUE;
}

static gboolean
parse_interface (Parser *p, IdlDef *def)
{
  def->base_refs = idl_ptr_array (p->c);
  def->methods = idl_ptr_array (p->c);
  if (at_word (p, "version"))
    {
      next (p);
      def->version_value = parse_value (p, _ ("an interface version"));
      if (def->version_value == NULL)
        return FALSE;
    }
  if (at_punct (p, ':'))
    {
      next (p);
      while (TRUE)
        {
          IdlSpec *ref = idl_new0 (p->c, IdlSpec);
          ref->kind = IDL_SPEC_NAMED;
          ref->ref = expect_qname (p, _ ("a base interface"), &ref->loc);
          if (ref->ref == NULL)
            return FALSE;
          g_ptr_array_add (def->base_refs, ref);
          if (!at_punct (p, ','))
            break;
          next (p);
        }
    }
  if (!at_punct (p, '{'))
    return unexpected (p, def->base_refs->len > 0 ? _ ("',' or '{'")
                          : def->version_value    ? _ ("':' or '{'")
                                                  : _ ("'version', ':' or '{'"));
  next (p);
  while (!at_punct (p, '}'))
    {
      if (peek (p, 0)->kind == TOK_EOF)
        return unexpected (p, _ ("a method or '}'"));
      if (!parse_method (p, def))
        return FALSE;
    }
  next (p);
  return expect_punct (p, ';');
}

/* ------------------------------------------------------------------------- */
/* Top level */

static gboolean
parse_import (Parser *p, const IdlLoc *loc, gboolean needs_semicolon)
{
  Token *t = peek (p, 0);
  IdlImport *imp;

  if (t->kind != TOK_STRING)
    return unexpected (p, _ ("a file name in double quotes"));
  if (t->len == 0)
    return idl_error (p->c, &t->loc, _ ("empty file name"));
  next (p);
  imp = idl_new0 (p->c, IdlImport);
  imp->loc = t->loc;
  imp->path = idl_strndup (p->c, t->start, t->len);
  g_ptr_array_add (p->file->imports, imp);
  (void)loc;
  if (needs_semicolon)
    return expect_punct (p, ';');
  if (at_punct (p, ';'))
    next (p);
  return TRUE;
}

static gboolean
parse_definition (Parser *p, GPtrArray *annotations)
{
  Token *t = peek (p, 0);
  IdlDef *def;
  IdlLoc loc;
  gchar *name;

  if (tok_is_word (t, "typedef"))
    {
      IdlDecl *d;
      next (p);
      d = parse_decl (p, _ ("a type name"));
      if (d == NULL)
        return FALSE;
      if (d->kind == IDL_DECL_VOID)
        return idl_error (p->c, &d->loc, _ ("'typedef void' declares nothing"));
      if (d->kind == IDL_DECL_PLAIN && d->spec->kind == IDL_SPEC_INLINE)
        {
          /* typedef struct {...} name; is struct name {...}; */
          def = d->spec->def;
          def->is_inline = FALSE;
          def->loc = d->loc;
        }
      else
        {
          def = new_def (p, IDL_DEF_TYPEDEF, &d->loc);
          def->decl = d;
        }
      def->name = d->name;
    }
  else if (tok_is_word (t, "const"))
    {
      next (p);
      name = expect_name (p, _ ("a constant name"), &loc);
      if (name == NULL || !expect_punct (p, '='))
        return FALSE;
      def = new_def (p, IDL_DEF_CONST, &loc);
      def->name = name;
      def->value = parse_value (p, _ ("a constant value"));
      if (def->value == NULL)
        return FALSE;
    }
  else if (tok_is_word (t, "enum") || tok_is_word (t, "struct") || tok_is_word (t, "union"))
    {
      IdlDefKind kind = tok_is_word (t, "enum")     ? IDL_DEF_ENUM
                        : tok_is_word (t, "struct") ? IDL_DEF_STRUCT
                                                    : IDL_DEF_UNION;
      gboolean ok;

      next (p);
      name = expect_name (p, _ ("a type name"), &loc);
      if (name == NULL)
        return FALSE;
      def = new_def (p, kind, &loc);
      def->name = name;
      p->depth = 1;
      ok = kind == IDL_DEF_ENUM     ? parse_enum_body (p, def)
           : kind == IDL_DEF_STRUCT ? parse_struct_body (p, def)
                                    : parse_union_body (p, def);
      p->depth = 0;
      if (!ok)
        return FALSE;
    }
  else if (tok_is_word (t, "interface"))
    {
      next (p);
      name = expect_name (p, _ ("an interface name"), &loc);
      if (name == NULL)
        return FALSE;
      def = new_def (p, IDL_DEF_INTERFACE, &loc);
      def->name = name;
      if (!parse_interface (p, def))
        return FALSE;
      def->annotations = annotations;
      g_ptr_array_add (p->file->defs, def);
      return TRUE;
    }
  else
    return unexpected (p, annotations != NULL
                              ? _ ("an interface or a type definition after annotations")
                              : _ ("a definition (const, typedef, enum, struct, union, interface), "
                                   "'namespace' or 'import'"));

  def->annotations = annotations;
  g_ptr_array_add (p->file->defs, def);
  return expect_punct (p, ';');
}

gboolean
idl_parse (IdlCompiler *c, IdlFile *file, const gchar *text, gsize len)
{
  Parser p = { 0 };
  g_autoptr (GArray) toks = g_array_new (FALSE, TRUE, sizeof (Token));
  gboolean seen_def = FALSE;

  p.c = c;
  p.file = file;
  p.toks = toks;
  if (!lex (&p, text, len))
    return FALSE;

  while (peek (&p, 0)->kind != TOK_EOF)
    {
      Token *t = peek (&p, 0);
      GPtrArray *annotations;

      if (tok_is_punct (t, '#'))
        {
          next (&p);
          if (!at_word (&p, "include"))
            return idl_error (c, &t->loc,
                              _ ("only '#include \"FILE\"' is supported among preprocessor "
                                 "directives"));
          next (&p);
          if (!parse_import (&p, &t->loc, FALSE))
            return FALSE;
          continue;
        }
      if (tok_is_word (t, "import") && peek (&p, 1)->kind == TOK_STRING)
        {
          next (&p);
          if (!parse_import (&p, &t->loc, TRUE))
            return FALSE;
          continue;
        }
      if (tok_is_word (t, "namespace") && peek (&p, 1)->kind == TOK_IDENT)
        {
          next (&p);
          if (file->ns != NULL)
            return idl_error (c, &t->loc, _ ("a file has at most one namespace (first at line %u)"),
                              file->ns_loc.line);
          if (seen_def)
            return idl_error (c, &t->loc, _ ("the namespace must come before any definition"));
          file->ns = expect_qname (&p, _ ("a namespace name"), &file->ns_loc);
          if (file->ns == NULL || !expect_punct (&p, ';'))
            return FALSE;
          continue;
        }
      if (!parse_annotations (&p, &annotations))
        return FALSE;
      if (!parse_definition (&p, annotations))
        return FALSE;
      seen_def = TRUE;
    }
  return TRUE;
}
