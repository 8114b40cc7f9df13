/* synod-ssi.c — server-side include processing.
 *
 * A page is scanned for "<!--#directive attr="value" ... -->". Text and
 * directive output go to one buffer; an include becomes a sub-request
 * dispatched through the site's URL directory, so an included URI can be
 * served by any handler (a document, another SSI page, an object). A
 * sub-request may finish later, on another thread: rendering is a resumable
 * loop, and an atomic hand-off decides which side continues it.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "synod-http-exchange-private.h"
#include "synod-http-util.h"
#include "synod-ssi.h"
#include "synod-url-directory.h"

#define DEFAULT_ERRMSG "[an error occurred while processing this directive]"
#define DEFAULT_TIMEFMT "%A, %d-%b-%Y %H:%M:%S %Z"
#define MAX_INCLUDES 256

typedef struct
{
  gboolean active;  /* this branch's text is output */
  gboolean taken;   /* some branch of this if was taken */
  gboolean outer;   /* the enclosing context was active */
  gboolean in_else; /* past else */
} Cond;

typedef struct
{
  SynodHttpExchange *ex;
  GBytes *source;
  const gchar *src;
  gsize src_len;
  gsize pos;
  SynodSsiContext ctx;
  gchar *doc_root;
  gchar *file_path;
  GString *out;
  GHashTable *vars;
  gchar *errmsg;
  gchar *timefmt;
  gboolean size_abbrev;
  Cond conds[SYNOD_SSI_MAX_NESTING];
  guint n_conds;
  guint n_includes;
  gint handoff; /* include dispatch: 0 dispatching, 1 finished inline, 2 returned */
  GError *error;
  SynodSsiDoneFunc done;
  gpointer user_data;
} Render;

typedef struct
{
  gchar *name;
  gchar *value;
} Attr;

static gboolean
active (Render *r)
{
  return r->n_conds == 0 || r->conds[r->n_conds - 1].active;
}

static void
emit_error (Render *r, const gchar *why)
{
  g_debug ("SSI %s: %s", r->file_path, why);
  g_string_append (r->out, r->errmsg);
}

static gchar *
format_time (Render *r, gint64 t, gboolean gmt)
{
  gchar buf[256];
  struct tm tm;
  time_t tt = (time_t)t;

  if (gmt)
    gmtime_r (&tt, &tm);
  else
    localtime_r (&tt, &tm);
    /* The format comes from the page (config timefmt); strftime takes any. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  if (strftime (buf, sizeof buf, r->timefmt, &tm) == 0)
    buf[0] = '\0';
#pragma GCC diagnostic pop
  return g_strdup (buf);
}

/* The value of a variable, or NULL when unset (times use the present timefmt). */
static gchar *
lookup_var (Render *r, const gchar *name)
{
  const gchar *v;

  if (strcmp (name, "DATE_LOCAL") == 0)
    return format_time (r, g_get_real_time () / G_USEC_PER_SEC, FALSE);
  if (strcmp (name, "DATE_GMT") == 0)
    return format_time (r, g_get_real_time () / G_USEC_PER_SEC, TRUE);
  if (strcmp (name, "LAST_MODIFIED") == 0)
    return format_time (r, r->ctx.last_modified, FALSE);
  v = g_hash_table_lookup (r->vars, name);
  return v != NULL ? g_strdup (v) : NULL;
}

/* Expands $NAME and ${NAME} (a backslash escapes '$'). */
static gchar *
substitute (Render *r, const gchar *s)
{
  GString *out = g_string_new (NULL);

  while (*s != '\0')
    {
      if (s[0] == '\\' && s[1] == '$')
        {
          g_string_append_c (out, '$');
          s += 2;
        }
      else if (s[0] == '$' && (s[1] == '{' || g_ascii_isalnum (s[1]) || s[1] == '_'))
        {
          const gchar *start = s + 1;
          const gchar *end;
          g_autofree gchar *name = NULL;
          g_autofree gchar *value = NULL;

          if (*start == '{')
            {
              end = strchr (start, '}');
              if (end == NULL)
                {
                  g_string_append (out, s);
                  break;
                }
              name = g_strndup (start + 1, (gsize)(end - start - 1));
              s = end + 1;
            }
          else
            {
              end = start;
              while (g_ascii_isalnum (*end) || *end == '_')
                end++;
              name = g_strndup (start, (gsize)(end - start));
              s = end;
            }
          value = lookup_var (r, name);
          if (value != NULL)
            g_string_append (out, value);
        }
      else
        g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

/* ---- conditional expressions (Apache's classic syntax) ---- */

typedef enum
{
  TOK_END,
  TOK_STRING,
  TOK_REGEX,
  TOK_EQ,
  TOK_NE,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE,
  TOK_AND,
  TOK_OR,
  TOK_NOT,
  TOK_LPAREN,
  TOK_RPAREN,
} TokKind;

typedef struct
{
  TokKind kind;
  gchar *text;
} Tok;

typedef struct
{
  Render *r;
  GPtrArray *toks;
  guint i;
  GError **error;
} Expr;

static void
tok_free (gpointer p)
{
  Tok *t = p;

  g_free (t->text);
  g_free (t);
}

static gboolean
tokenize (Render *r, const gchar *s, GPtrArray *toks, GError **error)
{
  while (*s != '\0')
    {
      Tok *t;

      if (g_ascii_isspace (*s))
        {
          s++;
          continue;
        }
      t = g_new0 (Tok, 1);
      g_ptr_array_add (toks, t);
      if (s[0] == '=' && s[1] == '=')
        t->kind = TOK_EQ, s += 2;
      else if (s[0] == '=')
        t->kind = TOK_EQ, s++;
      else if (s[0] == '!' && s[1] == '=')
        t->kind = TOK_NE, s += 2;
      else if (s[0] == '!')
        t->kind = TOK_NOT, s++;
      else if (s[0] == '<' && s[1] == '=')
        t->kind = TOK_LE, s += 2;
      else if (s[0] == '<')
        t->kind = TOK_LT, s++;
      else if (s[0] == '>' && s[1] == '=')
        t->kind = TOK_GE, s += 2;
      else if (s[0] == '>')
        t->kind = TOK_GT, s++;
      else if (s[0] == '&' && s[1] == '&')
        t->kind = TOK_AND, s += 2;
      else if (s[0] == '|' && s[1] == '|')
        t->kind = TOK_OR, s += 2;
      else if (s[0] == '(')
        t->kind = TOK_LPAREN, s++;
      else if (s[0] == ')')
        t->kind = TOK_RPAREN, s++;
      else if (s[0] == '/')
        {
          const gchar *e = s + 1;

          while (*e != '\0' && *e != '/')
            e += (e[0] == '\\' && e[1] != '\0') ? 2 : 1;
          if (*e != '/')
            return g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI,
                                        _ ("unterminated regular expression")),
                   FALSE;
          t->kind = TOK_REGEX;
          t->text = g_strndup (s + 1, (gsize)(e - s - 1));
          s = e + 1;
        }
      else
        {
          GString *word = g_string_new (NULL);
          g_autofree gchar *raw = NULL;

          if (*s == '\'' || *s == '"' || *s == '`')
            {
              gchar q = *s++;

              while (*s != '\0' && *s != q)
                {
                  if (s[0] == '\\' && s[1] == q)
                    s++;
                  g_string_append_c (word, *s++);
                }
              if (*s != q)
                {
                  g_string_free (word, TRUE);
                  return g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI,
                                              _ ("unterminated string in expression")),
                         FALSE;
                }
              s++;
            }
          else
            {
              /* An unquoted string runs to the next operator; its inner
               * spaces are kept as Apache does ("a b = c"). */
              while (*s != '\0' && strchr ("=!<>&|()", *s) == NULL)
                g_string_append_c (word, *s++);
              while (word->len > 0 && g_ascii_isspace (word->str[word->len - 1]))
                g_string_truncate (word, word->len - 1);
            }
          raw = g_string_free (word, FALSE);
          t->kind = TOK_STRING;
          t->text = substitute (r, raw);
          /* Adjacent strings concatenate with a space (Apache). */
          if (toks->len >= 2)
            {
              Tok *prev = g_ptr_array_index (toks, toks->len - 2);

              if (prev->kind == TOK_STRING)
                {
                  gchar *joined = g_strconcat (prev->text, " ", t->text, NULL);

                  g_free (prev->text);
                  prev->text = joined;
                  g_ptr_array_remove_index (toks, toks->len - 1);
                }
            }
        }
    }
  return TRUE;
}

static Tok *
peek (Expr *e)
{
  static Tok end = { TOK_END, NULL };

  return e->i < e->toks->len ? g_ptr_array_index (e->toks, e->i) : &end;
}

static gboolean parse_or (Expr *e, gboolean *ret);

static gboolean
expr_fail (Expr *e, const gchar *why)
{
  if (e->error != NULL && *e->error == NULL)
    g_set_error_literal (e->error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI, why);
  return FALSE;
}

static gboolean
parse_primary (Expr *e, gboolean *ret)
{
  Tok *t = peek (e);

  if (t->kind == TOK_NOT)
    {
      e->i++;
      if (!parse_primary (e, ret))
        return FALSE;
      *ret = !*ret;
      return TRUE;
    }
  if (t->kind == TOK_LPAREN)
    {
      e->i++;
      if (!parse_or (e, ret))
        return FALSE;
      if (peek (e)->kind != TOK_RPAREN)
        return expr_fail (e, _ ("missing ) in expression"));
      e->i++;
      return TRUE;
    }
  if (t->kind != TOK_STRING)
    return expr_fail (e, _ ("expected a string in expression"));
  e->i++;
  {
    Tok *op = peek (e);
    Tok *rhs;

    if (op->kind < TOK_EQ || op->kind > TOK_GE)
      {
        *ret = t->text[0] != '\0';
        return TRUE;
      }
    e->i++;
    rhs = peek (e);
    if (rhs->kind == TOK_REGEX && (op->kind == TOK_EQ || op->kind == TOK_NE))
      {
        g_autoptr (GRegex) re = g_regex_new (rhs->text, G_REGEX_OPTIMIZE, 0, e->error);

        if (re == NULL)
          return FALSE;
        e->i++;
        *ret = g_regex_match (re, t->text, 0, NULL) == (op->kind == TOK_EQ);
        return TRUE;
      }
    if (rhs->kind != TOK_STRING)
      return expr_fail (e, _ ("expected a string after a comparison"));
    e->i++;
    {
      gint c = strcmp (t->text, rhs->text);

      switch (op->kind)
        {
          case TOK_EQ:
            *ret = c == 0;
            break;
          case TOK_NE:
            *ret = c != 0;
            break;
          case TOK_LT:
            *ret = c < 0;
            break;
          case TOK_LE:
            *ret = c <= 0;
            break;
          case TOK_GT:
            *ret = c > 0;
            break;
          default:
            *ret = c >= 0;
            break;
        }
    }
    return TRUE;
  }
}

static gboolean
parse_and (Expr *e, gboolean *ret)
{
  if (!parse_primary (e, ret))
    return FALSE;
  while (peek (e)->kind == TOK_AND)
    {
      gboolean rhs;

      e->i++;
      if (!parse_primary (e, &rhs))
        return FALSE;
      *ret = *ret && rhs;
    }
  return TRUE;
}

static gboolean
parse_or (Expr *e, gboolean *ret)
{
  if (!parse_and (e, ret))
    return FALSE;
  while (peek (e)->kind == TOK_OR)
    {
      gboolean rhs;

      e->i++;
      if (!parse_and (e, &rhs))
        return FALSE;
      *ret = *ret || rhs;
    }
  return TRUE;
}

static gboolean
evaluate (Render *r, const gchar *text, gboolean *ret, GError **error)
{
  g_autoptr (GPtrArray) toks = g_ptr_array_new_with_free_func (tok_free);
  Expr e = { r, toks, 0, error };

  if (!tokenize (r, text, toks, error))
    return FALSE;
  if (toks->len == 0)
    {
      /* An empty expression is false, as an empty string is. */
      *ret = FALSE;
      return TRUE;
    }
  if (!parse_or (&e, ret))
    return FALSE;
  if (e.i != toks->len)
    return expr_fail (&e, _ ("trailing tokens in expression"));
  return TRUE;
}

/* ---- directives ---- */

static const gchar *
attr_get (GArray *attrs, const gchar *name)
{
  for (guint i = 0; i < attrs->len; i++)
    if (strcmp (g_array_index (attrs, Attr, i).name, name) == 0)
      return g_array_index (attrs, Attr, i).value;
  return NULL;
}

static void
attr_clear (gpointer p)
{
  Attr *a = p;

  g_free (a->name);
  g_free (a->value);
}

/* Splits 'name attr="v" attr2='w'' into the name and attributes. */
static gboolean
parse_directive (const gchar *s, gsize len, gchar **ret_name, GArray *attrs)
{
  const gchar *p = s, *end = s + len;
  const gchar *n;

  while (p < end && g_ascii_isalpha (*p))
    p++;
  if (p == s)
    return FALSE;
  *ret_name = g_ascii_strdown (s, p - s);
  for (;;)
    {
      Attr a;
      GString *v;
      gchar q;

      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p == end)
        return TRUE;
      n = p;
      while (p < end && (g_ascii_isalnum (*p) || *p == '_' || *p == '-'))
        p++;
      if (p == n)
        return FALSE;
      a.name = g_ascii_strdown (n, p - n);
      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p == end || *p != '=')
        {
          g_free (a.name);
          return FALSE;
        }
      p++;
      while (p < end && g_ascii_isspace (*p))
        p++;
      v = g_string_new (NULL);
      if (p < end && (*p == '"' || *p == '\'' || *p == '`'))
        {
          q = *p++;
          while (p < end && *p != q)
            {
              if (*p == '\\' && p + 1 < end && p[1] == q)
                p++;
              g_string_append_c (v, *p++);
            }
          if (p == end)
            {
              g_free (a.name);
              g_string_free (v, TRUE);
              return FALSE;
            }
          p++;
        }
      else
        while (p < end && !g_ascii_isspace (*p))
          g_string_append_c (v, *p++);
      a.value = g_string_free (v, FALSE);
      g_array_append_val (attrs, a);
    }
}

static void
echo_value (Render *r, const gchar *value, const gchar *encoding)
{
  if (encoding == NULL || strcmp (encoding, "entity") == 0)
    {
      g_autofree gchar *e = g_markup_escape_text (value, -1);

      g_string_append (r->out, e);
    }
  else if (strcmp (encoding, "url") == 0)
    {
      g_autofree gchar *e = g_uri_escape_string (value, NULL, FALSE);

      g_string_append (r->out, e);
    }
  else
    g_string_append (r->out, value);
}

/* The file named by a file= or virtual= attribute, inside the root. */
static gchar *
file_for (Render *r, GArray *attrs, GError **error)
{
  const gchar *file = attr_get (attrs, "file");
  const gchar *virt = attr_get (attrs, "virtual");
  g_autofree gchar *value = NULL;
  g_autoptr (GString) norm = g_string_new (NULL);

  if (file != NULL)
    {
      g_autofree gchar *dir = g_path_get_dirname (r->file_path);

      value = substitute (r, file);
      if (g_path_is_absolute (value) || strstr (value, "..") != NULL)
        return g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI,
                            _ ("file “%s” must be relative and stay below the page"), value),
               NULL;
      return g_build_filename (dir, value, NULL);
    }
  if (virt != NULL)
    {
      g_autofree gchar *abs = NULL;
      const gchar *doc_uri = synod_http_exchange_get_path (r->ex);

      value = substitute (r, virt);
      if (value[0] == '/')
        abs = g_strdup (value);
      else
        {
          const gchar *slash = strrchr (doc_uri, '/');

          abs = g_strdup_printf ("%.*s%s", (int)(slash - doc_uri + 1), doc_uri, value);
        }
      if (!synod_http_normalize_path (abs, strlen (abs), norm, error))
        return NULL;
      return g_build_filename (r->doc_root, norm->str, NULL);
    }
  g_set_error_literal (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI,
                       _ ("directive needs a file or virtual attribute"));
  return NULL;
}

static void render_continue (Render *r);

static void
include_finished (SynodHttpExchange *sub, gpointer user_data)
{
  Render *r = user_data;

  if (sub->status >= 200 && sub->status < 300)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) body = synod_http_exchange_collect_body (sub, r->ctx.max_output, &error);

      if (body != NULL)
        g_string_append_len (r->out, g_bytes_get_data (body, NULL),
                             (gssize)g_bytes_get_size (body));
      else
        emit_error (r, error->message);
    }
  else
    {
      g_autofree gchar *why
          = g_strdup_printf ("include of %s answered %u", sub->path->str, sub->status);

      emit_error (r, why);
    }
  synod_http_exchange_free (sub);
  /* Whoever comes second continues the page. */
  if (!g_atomic_int_compare_and_exchange (&r->handoff, 0, 1))
    render_continue (r);
}

/* Starts an include; returns TRUE when rendering must pause for it. */
static gboolean
start_include (Render *r, GArray *attrs)
{
  const gchar *virt = attr_get (attrs, "virtual");
  const gchar *file = attr_get (attrs, "file");
  SynodUrlDirectory *dir = synod_http_exchange_get_directory (r->ex);
  g_autofree gchar *uri = NULL;
  g_autoptr (GError) error = NULL;
  SynodHttpExchange *sub;
  SynodHttpHandler *h;

  if (++r->n_includes > MAX_INCLUDES)
    {
      emit_error (r, "too many includes");
      return FALSE;
    }
  if (virt != NULL)
    uri = substitute (r, virt);
  else if (file != NULL)
    {
      g_autofree gchar *value = substitute (r, file);

      if (value[0] == '/' || strstr (value, "..") != NULL)
        {
          emit_error (r, "include file must be relative and stay below the page");
          return FALSE;
        }
      uri = g_steal_pointer (&value);
    }
  else
    {
      emit_error (r, "include needs virtual or file");
      return FALSE;
    }
  if (dir == NULL)
    {
      emit_error (r, "no URL directory for includes");
      return FALSE;
    }
  sub = synod_http_exchange_new_subrequest (r->ex, uri, include_finished, r, &error);
  if (sub == NULL)
    {
      emit_error (r, error->message);
      return FALSE;
    }
  h = synod_url_directory_lookup (dir, sub->path->str, sub->path->len, &sub->mount_prefix);
  if (h == NULL)
    {
      emit_error (r, "included URI not found");
      synod_http_exchange_free (sub);
      return FALSE;
    }
  g_atomic_int_set (&r->handoff, 0);
  synod_http_exchange_dispatch (sub, h);
  synod_http_handler_unref (h);
  /* If the include already finished, go on here; else its callback will. */
  return g_atomic_int_compare_and_exchange (&r->handoff, 0, 2);
}

static gchar *
format_size (Render *r, goffset size)
{
  if (!r->size_abbrev)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)size);
  if (size < 1024)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)size);
  if (size < 1024 * 1024)
    return g_strdup_printf ("%.1fK", size / 1024.0);
  if (size < G_GINT64_CONSTANT (1024) * 1024 * 1024)
    return g_strdup_printf ("%.1fM", size / (1024.0 * 1024.0));
  return g_strdup_printf ("%.1fG", size / (1024.0 * 1024.0 * 1024.0));
}

/* Runs one directive. Returns TRUE when rendering must pause (include). */
static gboolean
run_directive (Render *r, const gchar *name, GArray *attrs)
{
  g_autoptr (GError) error = NULL;
  gboolean on = active (r);

  if (strcmp (name, "if") == 0 || strcmp (name, "elif") == 0)
    {
      const gchar *expr = attr_get (attrs, "expr");
      gboolean value = FALSE;
      gboolean is_if = name[0] == 'i';
      Cond *c;

      if (is_if)
        {
          if (r->n_conds >= SYNOD_SSI_MAX_NESTING)
            {
              emit_error (r, "if nested too deeply");
              return FALSE;
            }
          c = &r->conds[r->n_conds++];
          c->outer = on;
          c->taken = FALSE;
          c->in_else = FALSE;
        }
      else
        {
          if (r->n_conds == 0 || r->conds[r->n_conds - 1].in_else)
            {
              if (on)
                emit_error (r, "elif without if");
              return FALSE;
            }
          c = &r->conds[r->n_conds - 1];
        }
      c->active = FALSE;
      if (!c->outer || c->taken)
        return FALSE;
      if (expr == NULL || !evaluate (r, expr, &value, &error))
        {
          emit_error (r, error != NULL ? error->message : "if needs expr");
          return FALSE;
        }
      c->active = value;
      c->taken = value;
      return FALSE;
    }
  if (strcmp (name, "else") == 0)
    {
      Cond *c;

      if (r->n_conds == 0 || r->conds[r->n_conds - 1].in_else)
        {
          if (on)
            emit_error (r, "else without if");
          return FALSE;
        }
      c = &r->conds[r->n_conds - 1];
      c->in_else = TRUE;
      c->active = c->outer && !c->taken;
      c->taken = TRUE;
      return FALSE;
    }
  if (strcmp (name, "endif") == 0)
    {
      if (r->n_conds == 0)
        emit_error (r, "endif without if");
      else
        r->n_conds--;
      return FALSE;
    }
  if (!on)
    return FALSE;

  if (strcmp (name, "echo") == 0)
    {
      const gchar *encoding = NULL;

      /* Attributes apply in order: encoding= affects the var= after it. */
      for (guint i = 0; i < attrs->len; i++)
        {
          Attr *a = &g_array_index (attrs, Attr, i);

          if (strcmp (a->name, "encoding") == 0)
            {
              if (strcmp (a->value, "none") != 0 && strcmp (a->value, "url") != 0
                  && strcmp (a->value, "entity") != 0)
                {
                  emit_error (r, "unknown echo encoding");
                  return FALSE;
                }
              encoding = a->value;
            }
          else if (strcmp (a->name, "var") == 0)
            {
              g_autofree gchar *var = substitute (r, a->value);
              g_autofree gchar *value = lookup_var (r, var);

              echo_value (r, value != NULL ? value : "(none)", encoding);
            }
        }
    }
  else if (strcmp (name, "set") == 0)
    {
      const gchar *var = attr_get (attrs, "var");
      const gchar *value = attr_get (attrs, "value");

      if (var == NULL || value == NULL)
        emit_error (r, "set needs var and value");
      else
        g_hash_table_replace (r->vars, g_strdup (var), substitute (r, value));
    }
  else if (strcmp (name, "config") == 0)
    {
      for (guint i = 0; i < attrs->len; i++)
        {
          Attr *a = &g_array_index (attrs, Attr, i);

          if (strcmp (a->name, "errmsg") == 0)
            {
              g_free (r->errmsg);
              r->errmsg = g_strdup (a->value);
            }
          else if (strcmp (a->name, "timefmt") == 0)
            {
              g_free (r->timefmt);
              r->timefmt = g_strdup (a->value);
            }
          else if (strcmp (a->name, "sizefmt") == 0)
            {
              if (strcmp (a->value, "bytes") == 0)
                r->size_abbrev = FALSE;
              else if (strcmp (a->value, "abbrev") == 0)
                r->size_abbrev = TRUE;
              else
                emit_error (r, "sizefmt must be bytes or abbrev");
            }
          else if (strcmp (a->name, "echomsg") != 0)
            emit_error (r, "unknown config attribute");
        }
    }
  else if (strcmp (name, "fsize") == 0 || strcmp (name, "flastmod") == 0)
    {
      g_autofree gchar *path = file_for (r, attrs, &error);
      struct stat st;

      if (path == NULL)
        emit_error (r, error->message);
      else if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        emit_error (r, "no such file");
      else
        {
          g_autofree gchar *text = name[1] == 's' ? format_size (r, st.st_size)
                                                  : format_time (r, (gint64)st.st_mtime, FALSE);
          g_autofree gchar *e = g_markup_escape_text (text, -1);

          g_string_append (r->out, e);
        }
    }
  else if (strcmp (name, "include") == 0)
    return start_include (r, attrs);
  else if (strcmp (name, "printenv") == 0)
    {
      g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (r->vars), (GCompareFunc)strcmp);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree gchar *line
              = g_strdup_printf ("%s=%s\n", (const gchar *)l->data,
                                 (const gchar *)g_hash_table_lookup (r->vars, l->data));
          g_autofree gchar *e = g_markup_escape_text (line, -1);

          g_string_append (r->out, e);
        }
    }
  else if (strcmp (name, "exec") == 0)
    emit_error (r, "exec is not supported");
  else
    emit_error (r, "unknown directive");
  return FALSE;
}

static void
render_free (Render *r)
{
  g_bytes_unref (r->source);
  g_string_free (r->out, TRUE);
  g_hash_table_unref (r->vars);
  g_free (r->errmsg);
  g_free (r->timefmt);
  g_free (r->doc_root);
  g_free (r->file_path);
  g_free (r);
}

static void
render_end (Render *r)
{
  GError *error = r->error;
  GBytes *out = NULL;

  if (error == NULL)
    {
      gsize len = r->out->len;

      out = g_bytes_new_take (g_string_free (g_steal_pointer (&r->out), FALSE), len);
      r->out = g_string_new (NULL);
    }
  r->done (out, error, r->user_data);
  r->error = NULL;
  render_free (r);
}

/* Renders from r->pos until the end or an include that has not finished. */
static void
render_continue (Render *r)
{
  while (r->pos < r->src_len)
    {
      const gchar *start = r->src + r->pos;
      gsize left = r->src_len - r->pos;
      const gchar *open = g_strstr_len (start, (gssize)left, "<!--#");
      const gchar *close;
      g_autofree gchar *name = NULL;
      g_autoptr (GArray) attrs = NULL;
      gboolean pause;

      if (r->out->len > r->ctx.max_output)
        {
          g_set_error (&r->error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_LIMIT,
                       _ ("server-side include output larger than %zu bytes"), r->ctx.max_output);
          break;
        }
      if (open == NULL)
        {
          if (active (r))
            g_string_append_len (r->out, start, (gssize)left);
          r->pos = r->src_len;
          break;
        }
      if (active (r))
        g_string_append_len (r->out, start, open - start);
      close = g_strstr_len (
          open + 5, (gssize)MIN (r->src_len - (gsize)(open + 5 - r->src), SYNOD_SSI_MAX_DIRECTIVE),
          "-->");
      if (close == NULL)
        {
          /* Unterminated: report once, output the rest as text. */
          if (active (r))
            {
              emit_error (r, "unterminated or oversized directive");
              g_string_append_len (r->out, open, (gssize)(r->src_len - (gsize)(open - r->src)));
            }
          r->pos = r->src_len;
          break;
        }
      r->pos = (gsize)(close + 3 - r->src);
      attrs = g_array_new (FALSE, FALSE, sizeof (Attr));
      g_array_set_clear_func (attrs, attr_clear);
      {
        const gchar *d = open + 5;
        gsize dlen = (gsize)(close - d);

        while (dlen > 0 && g_ascii_isspace (d[dlen - 1]))
          dlen--;
        if (!parse_directive (d, dlen, &name, attrs))
          {
            if (active (r))
              emit_error (r, "malformed directive");
            continue;
          }
      }
      pause = run_directive (r, name, attrs);
      if (pause)
        return;
    }
  render_end (r);
}

static gchar *
unescape_query (const gchar *q)
{
  g_autofree gchar *plus = g_strdup (q);
  gchar *u;

  for (gchar *p = plus; *p != '\0'; p++)
    if (*p == '+')
      *p = ' ';
  u = g_uri_unescape_string (plus, NULL);
  return u != NULL ? u : g_strdup (q);
}

/**
 * synod_ssi_render:
 * @exchange: the request for the page (its path is DOCUMENT_URI; includes
 *   go through its URL directory)
 * @source: the template
 * @context: where the template lives and the limits
 * @done: called once with the output or an error (any thread)
 *
 * Renders @source; includes may make this finish later.
 */
void
synod_ssi_render (SynodHttpExchange *ex, GBytes *source, const SynodSsiContext *context,
                  SynodSsiDoneFunc done, gpointer user_data)
{
  Render *r = g_new0 (Render, 1);
  const SynodHttpRequestHead *h = synod_http_exchange_get_head (ex);
  const gchar *const copied[][2] = { { "host", "HTTP_HOST" },
                                     { "user-agent", "HTTP_USER_AGENT" },
                                     { "referer", "HTTP_REFERER" },
                                     { "accept", "HTTP_ACCEPT" },
                                     { "accept-language", "HTTP_ACCEPT_LANGUAGE" },
                                     { "cookie", "HTTP_COOKIE" } };

  r->ex = ex;
  r->source = g_bytes_ref (source);
  r->src = g_bytes_get_data (source, &r->src_len);
  r->ctx = *context;
  r->doc_root = g_strdup (context->doc_root);
  r->file_path = g_strdup (context->file_path);
  r->ctx.doc_root = r->doc_root;
  r->ctx.file_path = r->file_path;
  if (r->ctx.max_output == 0)
    r->ctx.max_output = SYNOD_SSI_DEFAULT_MAX_OUTPUT;
  r->out = g_string_sized_new (r->src_len + 256);
  r->errmsg = g_strdup (DEFAULT_ERRMSG);
  r->timefmt = g_strdup (DEFAULT_TIMEFMT);
  r->done = done;
  r->user_data = user_data;
  r->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* In includes, DOCUMENT_URI and DOCUMENT_NAME still name the page the
   * client asked for (as in Apache's mod_include). */
  if (ex->top_path != NULL)
    {
      g_hash_table_insert (r->vars, g_strdup ("DOCUMENT_URI"), g_strdup (ex->top_path));
      g_hash_table_insert (r->vars, g_strdup ("DOCUMENT_NAME"), g_path_get_basename (ex->top_path));
    }
  else
    {
      g_hash_table_insert (r->vars, g_strdup ("DOCUMENT_URI"),
                           g_strdup (synod_http_exchange_get_path (ex)));
      g_hash_table_insert (r->vars, g_strdup ("DOCUMENT_NAME"), g_path_get_basename (r->file_path));
    }
  g_hash_table_insert (r->vars, g_strdup ("DOCUMENT_ROOT"), g_strdup (r->doc_root));
  g_hash_table_insert (r->vars, g_strdup ("QUERY_STRING"),
                       g_strdup (synod_http_exchange_get_query (ex)));
  g_hash_table_insert (r->vars, g_strdup ("QUERY_STRING_UNESCAPED"),
                       unescape_query (synod_http_exchange_get_query (ex)));
  g_hash_table_insert (r->vars, g_strdup ("REQUEST_METHOD"), synod_http_slice_dup (h->method_name));
  g_hash_table_insert (r->vars, g_strdup ("REQUEST_URI"), synod_http_slice_dup (h->target));
  g_hash_table_insert (r->vars, g_strdup ("SERVER_PROTOCOL"),
                       g_strdup (h->version == 10 ? "HTTP/1.0" : "HTTP/1.1"));
  g_hash_table_insert (r->vars, g_strdup ("SERVER_SOFTWARE"), g_strdup ("Synod"));
  g_hash_table_insert (r->vars, g_strdup ("REMOTE_ADDR"),
                       g_strdup (synod_http_exchange_get_remote_address (ex)));
  for (gsize i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      const SynodHttpSlice *v = synod_http_exchange_get_header (ex, copied[i][0]);

      if (v != NULL)
        g_hash_table_insert (r->vars, g_strdup (copied[i][1]), synod_http_slice_dup (*v));
    }

  if (synod_http_exchange_get_depth (ex) > r->ctx.max_depth)
    {
      g_set_error (&r->error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_SSI,
                   _ ("server-side includes nested more than %u deep"), r->ctx.max_depth);
      render_end (r);
      return;
    }
  render_continue (r);
}
