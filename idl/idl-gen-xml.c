/* idl-gen-xml.c — introspection XML and GVariant type strings.
 *
 * Each interface is described as a D-Bus <interface> element, valid against
 * the D-Bus introspection DTD. Argument types are GVariant type strings in
 * the form orb/synod-type.h fixes for each XDR type; what GVariant cannot
 * say (the interface version, bases, allomorphism, the XDR declaration of
 * each argument) travels in annotations.
 */
#include "config.h"

#include <string.h>

#include "idl-compiler.h"

/* The type strings follow the codec's own rule (orb/synod-codec-variant.c)
 * so that introspection and the dynamic API agree: a struct descriptor met
 * again inside itself is "v"; a union is "(Dv)" whatever its arms; past 120
 * levels of nesting the rest is boxed in a "v". A struct descriptor is
 * identified here by the definition that names it: a struct, an inline
 * struct, or a typedef that aliases a struct (which has a descriptor of its
 * own). */
#define VARIANT_MAX_NESTING 120

static gboolean spec_variant (GString *out, const IdlSpec *spec, GPtrArray *stack, guint nesting);

static gboolean
decl_variant (GString *out, const IdlDecl *d, GPtrArray *stack, guint nesting)
{
  if (nesting > VARIANT_MAX_NESTING)
    {
      g_string_append_c (out, 'v');
      return TRUE;
    }
  switch (d->kind)
    {
      case IDL_DECL_VOID:
        g_string_append (out, "()");
        return TRUE;
      case IDL_DECL_FIXED:
      case IDL_DECL_VAR:
        if (d->spec->kind == IDL_SPEC_OPAQUE)
          {
            g_string_append (out, "ay");
            return TRUE;
          }
        if (d->spec->kind == IDL_SPEC_STRING)
          {
            g_string_append_c (out, 's');
            return TRUE;
          }
        g_string_append_c (out, 'a');
        return spec_variant (out, d->spec, stack, nesting + 1);
      case IDL_DECL_OPTIONAL:
        g_string_append_c (out, 'm');
        return spec_variant (out, d->spec, stack, nesting + 1);
      case IDL_DECL_PLAIN:
      default:
        return spec_variant (out, d->spec, stack, nesting);
    }
}

static gboolean
def_variant (GString *out, IdlDef *def, GPtrArray *stack, guint nesting)
{
  IdlDef *shape = idl_resolve_typedef (def);
  gboolean ok = TRUE;

  if (nesting > VARIANT_MAX_NESTING)
    {
      g_string_append_c (out, 'v');
      return TRUE;
    }
  switch (shape->kind)
    {
      case IDL_DEF_TYPEDEF:
        /* an array, string, opaque or optional typedef */
        return decl_variant (out, shape->decl, stack, nesting);
      case IDL_DEF_ENUM:
        g_string_append_c (out, 's');
        return TRUE;
      case IDL_DEF_UNION:
        {
          g_autoptr (GPtrArray) fresh = g_ptr_array_new ();
          g_string_append_c (out, '(');
          ok = decl_variant (out, shape->disc, fresh, nesting + 1);
          g_string_append (out, "v)");
          return ok;
        }
      case IDL_DEF_STRUCT:
        if (g_ptr_array_find (stack, def, NULL))
          {
            g_string_append_c (out, 'v');
            return TRUE;
          }
        g_ptr_array_add (stack, def);
        g_string_append_c (out, '(');
        for (guint i = 0; i < shape->fields->len && ok; i++)
          ok = decl_variant (out, shape->fields->pdata[i], stack, nesting + 1);
        g_string_append_c (out, ')');
        g_ptr_array_remove_index (stack, stack->len - 1);
        return ok && out->len <= IDL_MAX_VARIANT_TYPE;
      case IDL_DEF_CONST:
      case IDL_DEF_ENUM_VALUE:
      case IDL_DEF_INTERFACE:
      default:
        g_string_append_c (out, 'v');
        return TRUE;
    }
}

static gboolean
spec_variant (GString *out, const IdlSpec *spec, GPtrArray *stack, guint nesting)
{
  if (nesting > VARIANT_MAX_NESTING)
    {
      g_string_append_c (out, 'v');
      return TRUE;
    }
  switch (spec->kind)
    {
      case IDL_SPEC_VOID:
        g_string_append (out, "()");
        break;
      case IDL_SPEC_INT:
        g_string_append_c (out, 'i');
        break;
      case IDL_SPEC_UINT:
        g_string_append_c (out, 'u');
        break;
      case IDL_SPEC_HYPER:
        g_string_append_c (out, 'x');
        break;
      case IDL_SPEC_UHYPER:
        g_string_append_c (out, 't');
        break;
      case IDL_SPEC_FLOAT:
      case IDL_SPEC_DOUBLE:
        g_string_append_c (out, 'd');
        break;
      case IDL_SPEC_QUADRUPLE:
      case IDL_SPEC_OPAQUE:
        g_string_append (out, "ay");
        break;
      case IDL_SPEC_BOOL:
        g_string_append_c (out, 'b');
        break;
      case IDL_SPEC_STRING:
      case IDL_SPEC_OBJECT_ID:
        g_string_append_c (out, 's');
        break;
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
      default:
        return def_variant (out, spec->def, stack, nesting);
    }
  return out->len <= IDL_MAX_VARIANT_TYPE;
}

static gchar *
finish_variant (GString *out, gboolean ok)
{
  if (!ok || out->len > IDL_MAX_VARIANT_TYPE)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  if (!g_variant_type_string_is_valid (out->str))
    g_string_assign (out, "v");
  return g_string_free (out, FALSE);
}

/* @nesting: 1 for a parameter (a field of the method's argument struct), 0
 * for a result.
 *
 * Returns: (transfer full) (nullable): NULL when the type string would be
 * longer than IDL_MAX_VARIANT_TYPE. */
gchar *
idl_decl_variant_type (const IdlDecl *decl, guint nesting)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  gboolean ok = decl_variant (out, decl, stack, nesting);

  return finish_variant (out, ok);
}

const gchar *
idl_spec_keyword (IdlSpecKind kind)
{
  switch (kind)
    {
      case IDL_SPEC_VOID:
        return "void";
      case IDL_SPEC_INT:
        return "int";
      case IDL_SPEC_UINT:
        return "unsigned int";
      case IDL_SPEC_HYPER:
        return "hyper";
      case IDL_SPEC_UHYPER:
        return "unsigned hyper";
      case IDL_SPEC_FLOAT:
        return "float";
      case IDL_SPEC_DOUBLE:
        return "double";
      case IDL_SPEC_QUADRUPLE:
        return "quadruple";
      case IDL_SPEC_BOOL:
        return "bool";
      case IDL_SPEC_STRING:
        return "string";
      case IDL_SPEC_OPAQUE:
        return "opaque";
      case IDL_SPEC_OBJECT_ID:
        return "ObjectId";
      case IDL_SPEC_NAMED:
      case IDL_SPEC_INLINE:
      default:
        return NULL;
    }
}

/* The XDR declaration of a parameter or result, without its name:
 * "string<64>", "unsigned int", "Shop.item<100>", "opaque[8]", "Shop.node *". */
gchar *
idl_decl_xdr_text (const IdlDecl *d)
{
  const gchar *spec = idl_spec_keyword (d->spec->kind);

  if (spec == NULL)
    {
      if (d->spec->kind == IDL_SPEC_NAMED)
        spec = d->spec->def->qname;
      else
        spec = d->spec->def->kind == IDL_DEF_STRUCT  ? "struct"
               : d->spec->def->kind == IDL_DEF_UNION ? "union"
                                                     : "enum";
    }
  switch (d->kind)
    {
      case IDL_DECL_FIXED:
        return g_strdup_printf ("%s[%u]", spec, d->bound_value);
      case IDL_DECL_VAR:
        if (d->bound == NULL)
          return g_strdup_printf ("%s<>", spec);
        return g_strdup_printf ("%s<%u>", spec, d->bound_value);
      case IDL_DECL_OPTIONAL:
        return g_strdup_printf ("%s *", spec);
      case IDL_DECL_PLAIN:
      case IDL_DECL_VOID:
      default:
        return g_strdup (spec);
    }
}

static void
annotation (GString *out, const gchar *indent, const gchar *name, const gchar *value)
{
  g_autofree gchar *v = g_markup_escape_text (value, -1);
  g_string_append_printf (out, "%s<annotation name=\"%s\" value=\"%s\"/>\n", indent, name, v);
}

static void
arg (GString *out, const gchar *indent, const IdlDecl *d, const gchar *name, const gchar *direction)
{
  g_autofree gchar *xdr = idl_decl_xdr_text (d);
  g_autofree gchar *n = g_markup_escape_text (name, -1);
  g_autofree gchar *t = g_markup_escape_text (d->variant, -1);
  g_autofree gchar *inner = g_strdup_printf ("%s  ", indent);

  g_string_append_printf (out, "%s<arg name=\"%s\" type=\"%s\" direction=\"%s\">\n", indent, n, t,
                          direction);
  annotation (out, inner, "org.synod.Xdr", xdr);
  g_string_append_printf (out, "%s</arg>\n", indent);
}

/* The <interface> element of @iface, each line prefixed with @indent. */
gchar *
idl_interface_xml (IdlCompiler *c, IdlDef *iface, const gchar *indent)
{
  GString *out = g_string_new (NULL);
  g_autofree gchar *i1 = g_strdup_printf ("%s  ", indent);
  g_autofree gchar *i2 = g_strdup_printf ("%s    ", indent);
  g_autofree gchar *version = g_strdup_printf ("%u", iface->version);

  (void)c;
  g_string_append_printf (out, "%s<interface name=\"%s\">\n", indent, iface->qname);
  annotation (out, i1, "org.synod.Version", version);
  for (guint i = 0; i < iface->bases->len; i++)
    {
      IdlDef *base = iface->bases->pdata[i];
      g_autofree gchar *v = g_strdup_printf ("%s;%u", base->qname, base->version);
      annotation (out, i1, "org.synod.Inherits", v);
    }
  for (guint i = 0; i < iface->allomorphic->len; i++)
    annotation (out, i1, "org.synod.Allomorphic", iface->allomorphic->pdata[i]);
  if (iface->concurrent)
    annotation (out, i1, "org.synod.Concurrent", "true");
  if (iface->deprecated)
    annotation (out, i1, "org.freedesktop.DBus.Deprecated", "true");
  for (guint i = 0; i < iface->methods->len; i++)
    {
      IdlMethod *m = iface->methods->pdata[i];
      GPtrArray *params = m->args->fields;

      g_string_append_printf (out, "%s<method name=\"%s\">\n", i1, m->name);
      if (m->concurrent)
        annotation (out, i2, "org.synod.Concurrent", "true");
      if (m->deprecated)
        annotation (out, i2, "org.freedesktop.DBus.Deprecated", "true");
      if (m->oneway)
        annotation (out, i2, "org.freedesktop.DBus.Method.NoReply", "true");
      for (guint j = 0; j < params->len; j++)
        {
          IdlDecl *d = params->pdata[j];
          arg (out, i2, d, d->name, "in");
        }
      if (m->result->spec->kind != IDL_SPEC_VOID)
        arg (out, i2, m->result, "result", "out");
      g_string_append_printf (out, "%s</method>\n", i1);
    }
  g_string_append_printf (out, "%s</interface>\n", indent);
  return g_string_free (out, FALSE);
}

/* A <node> document with every interface the main file defines. */
void
idl_generate_xml (IdlCompiler *c, GString *out)
{
  g_string_append (
      out, "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
           "<node>\n");
  for (guint i = 0; i < c->main->defs->len; i++)
    {
      IdlDef *def = c->main->defs->pdata[i];
      if (def->kind == IDL_DEF_INTERFACE)
        {
          g_autofree gchar *x = idl_interface_xml (c, def, "  ");
          g_string_append (out, x);
        }
    }
  g_string_append (out, "</node>\n");
}
