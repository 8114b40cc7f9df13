/* test-idl-generated.c — the C that synod-idl generates from the corpus.
 *
 * Checks the descriptors against the C types they describe (sizes, offsets,
 * bounds, names, enum values, union arms, method flags, interfaces), runs
 * values of the generated types through the real codec, calls invoker
 * thunks through a vtable, and calls the client stubs against recording
 * doubles of synod_invoke_sync/_async/_finish/_oneway defined here: an
 * executable's definitions take precedence over a shared library's, so the
 * stubs reach these whatever libsynod holds.
 */
#include "config.h"

#include <string.h>
#include <synod.h>

#include "base.h"
#include "ifaces.h"
#include "names.h"
#include "plain.h"
#include "types.h"

/* ------------------------------------------------------------------------- */
/* Recording doubles of the broker's four sends */

typedef struct
{
  const gchar *form; /* "sync", "async", "oneway" */
  SynodRef *target;
  const SynodMethodDesc *method;
  gpointer args; /* a deep copy, of method->args */
  guint calls;
} Recorded;

static Recorded recorded;
/* What the doubles put into ret: a value of the method's result type. */
static gconstpointer canned_result;

static void
recorded_reset (void)
{
  if (recorded.args != NULL)
    synod_value_free (recorded.method->args, recorded.args);
  memset (&recorded, 0, sizeof recorded);
  canned_result = NULL;
}

static void
record (const gchar *form, SynodRef *target, const SynodMethodDesc *method, gconstpointer args)
{
  if (recorded.args != NULL)
    synod_value_free (recorded.method->args, recorded.args);
  recorded.form = form;
  recorded.target = target;
  recorded.method = method;
  recorded.args = synod_value_new (method->args);
  synod_value_copy (method->args, args, recorded.args);
  recorded.calls++;
}

static void
fill_result (const SynodMethodDesc *method, gpointer ret)
{
  if (method->result->kind == SYNOD_TYPE_VOID)
    {
      g_assert_null (ret);
      return;
    }
  g_assert_nonnull (ret);
  g_assert_nonnull (canned_result);
  synod_value_copy (method->result, canned_result, ret);
}

gboolean
synod_invoke_sync (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                   gpointer ret, GError **error)
{
  record ("sync", target, method, args);
  fill_result (method, ret);
  return TRUE;
}

void
synod_invoke_async (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  record ("async", target, method, args);
  g_task_set_task_data (task, (gpointer)method, NULL);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
synod_invoke_finish (SynodRef *target, GAsyncResult *result, gpointer ret, GError **error)
{
  const SynodMethodDesc *method = g_task_get_task_data (G_TASK (result));

  g_assert_true (target == recorded.target);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  fill_result (method, ret);
  return TRUE;
}

gboolean
synod_invoke_oneway (SynodRef *target, const SynodMethodDesc *method, gconstpointer args,
                     GError **error)
{
  record ("oneway", target, method, args);
  return TRUE;
}

/* A SynodRef is opaque to stubs: any distinct pointer will do. */
static gchar target_storage;
#define TARGET ((SynodRef *)&target_storage)

/* ------------------------------------------------------------------------- */
/* Descriptors against C types */

#define CHECK_FIELD(desc, i, T, member, field_type)                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_assert_cmpstr ((desc)->fields[i].name, ==, #member);                                         \
    g_assert_cmpuint ((desc)->fields[i].offset, ==, G_STRUCT_OFFSET (T, member));                  \
    if ((field_type) != NULL)                                                                      \
      g_assert_true ((desc)->fields[i].type == (field_type));                                      \
    g_assert_cmpuint ((desc)->fields[i].type->c_size, ==, sizeof (((T *)0)->member));              \
  }                                                                                                \
  G_STMT_END

#define CHECK_TYPE(desc, k, n, T)                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_assert_cmpint ((desc)->kind, ==, (k));                                                       \
    g_assert_cmpstr ((desc)->name, ==, (n));                                                       \
    g_assert_cmpuint ((desc)->c_size, ==, sizeof (T));                                             \
    g_assert_cmpuint ((desc)->c_align, ==, G_ALIGNOF (T));                                         \
  }                                                                                                \
  G_STMT_END

static void
test_scalars (void)
{
  const SynodTypeDesc *d = &corpus_types_scalars_desc;

  CHECK_TYPE (d, SYNOD_TYPE_STRUCT, "Corpus.Types.scalars", CorpusTypesScalars);
  g_assert_cmpuint (d->n_fields, ==, 10);
  CHECK_FIELD (d, 0, CorpusTypesScalars, i, &synod_type_int);
  CHECK_FIELD (d, 1, CorpusTypesScalars, u, &synod_type_uint);
  CHECK_FIELD (d, 2, CorpusTypesScalars, h, &synod_type_hyper);
  CHECK_FIELD (d, 3, CorpusTypesScalars, uh, &synod_type_uhyper);
  CHECK_FIELD (d, 4, CorpusTypesScalars, f, &synod_type_float);
  CHECK_FIELD (d, 5, CorpusTypesScalars, d, &synod_type_double);
  CHECK_FIELD (d, 6, CorpusTypesScalars, q, &synod_type_quadruple);
  CHECK_FIELD (d, 7, CorpusTypesScalars, b, &synod_type_bool);
  CHECK_FIELD (d, 8, CorpusTypesScalars, c, &corpus_types_color_desc);
  CHECK_FIELD (d, 9, CorpusTypesScalars, id, &synod_type_object_id);
  /* the C mapping's scalar types */
  G_STATIC_ASSERT (sizeof (((CorpusTypesScalars *)0)->h) == sizeof (gint64));
  G_STATIC_ASSERT (sizeof (((CorpusTypesScalars *)0)->q) == 16);
  G_STATIC_ASSERT (sizeof (CorpusTypesColor) == sizeof (gint32));
}

static void
check_anon (const SynodTypeDesc *d, SynodTypeKind kind, guint32 bound, const SynodTypeDesc *element)
{
  g_assert_cmpint (d->kind, ==, kind);
  g_assert_null (d->name);
  g_assert_cmpuint (d->bound, ==, bound);
  g_assert_true (d->element == element);
}

static void
test_arrays (void)
{
  const SynodTypeDesc *d = &corpus_types_arrays_desc;
  const SynodFieldDesc *f = d->fields;

  g_test_summary ("Fixed, variable and unbounded arrays, opaque and strings; optional data; "
                  "named array typedefs as members.");
  CHECK_TYPE (d, SYNOD_TYPE_STRUCT, "Corpus.Types.arrays", CorpusTypesArrays);
  g_assert_cmpuint (d->n_fields, ==, 16);
  CHECK_FIELD (d, 0, CorpusTypesArrays, fixed, NULL);
  check_anon (f[0].type, SYNOD_TYPE_ARRAY_FIXED, 3, &synod_type_int);
  g_assert_cmpuint (f[0].type->c_size, ==, 3 * sizeof (gint32));
  CHECK_FIELD (d, 1, CorpusTypesArrays, var, NULL);
  check_anon (f[1].type, SYNOD_TYPE_ARRAY_VAR, 5, &synod_type_int);
  g_assert_cmpuint (f[1].type->c_size, ==, sizeof (SynodArray));
  g_assert_cmpuint (f[1].type->c_align, ==, G_ALIGNOF (SynodArray));
  CHECK_FIELD (d, 2, CorpusTypesArrays, unbounded, NULL);
  check_anon (f[2].type, SYNOD_TYPE_ARRAY_VAR, SYNOD_TYPE_UNBOUNDED, &synod_type_int);
  CHECK_FIELD (d, 3, CorpusTypesArrays, sku, NULL);
  check_anon (f[3].type, SYNOD_TYPE_OPAQUE_FIXED, 8, NULL);
  g_assert_cmpuint (f[3].type->c_size, ==, 8);
  CHECK_FIELD (d, 4, CorpusTypesArrays, data, NULL);
  check_anon (f[4].type, SYNOD_TYPE_OPAQUE_VAR, 16, NULL);
  /* unbounded opaque and strings share the library's descriptors */
  CHECK_FIELD (d, 5, CorpusTypesArrays, any, &synod_type_opaque);
  CHECK_FIELD (d, 6, CorpusTypesArrays, label, NULL);
  check_anon (f[6].type, SYNOD_TYPE_STRING, 20, NULL);
  g_assert_cmpuint (f[6].type->c_size, ==, sizeof (gchar *));
  CHECK_FIELD (d, 7, CorpusTypesArrays, free_text, &synod_type_string);
  CHECK_FIELD (d, 8, CorpusTypesArrays, tags, NULL);
  check_anon (f[8].type, SYNOD_TYPE_ARRAY_VAR, 4, &corpus_types_name_desc);
  CHECK_FIELD (d, 9, CorpusTypesArrays, items, NULL);
  check_anon (f[9].type, SYNOD_TYPE_ARRAY_VAR, 2, &corpus_types_scalars_desc);
  CHECK_FIELD (d, 10, CorpusTypesArrays, pair, NULL);
  check_anon (f[10].type, SYNOD_TYPE_ARRAY_FIXED, 2, &corpus_types_scalars_desc);
  g_assert_cmpuint (f[10].type->c_size, ==, 2 * sizeof (CorpusTypesScalars));
  g_assert_cmpuint (f[10].type->c_align, ==, G_ALIGNOF (CorpusTypesScalars));
  CHECK_FIELD (d, 11, CorpusTypesArrays, maybe_color, NULL);
  check_anon (f[11].type, SYNOD_TYPE_OPTIONAL, 0, &corpus_types_color_desc);
  g_assert_cmpuint (f[11].type->c_size, ==, sizeof (gpointer));
  CHECK_FIELD (d, 12, CorpusTypesArrays, maybe, NULL);
  check_anon (f[12].type, SYNOD_TYPE_OPTIONAL, 0, &corpus_types_scalars_desc);
  CHECK_FIELD (d, 13, CorpusTypesArrays, k, &corpus_types_key_desc);
  CHECK_FIELD (d, 14, CorpusTypesArrays, nested, &corpus_types_names_desc);
  CHECK_FIELD (d, 15, CorpusTypesArrays, triple, &corpus_types_name_triple_desc);
}

static void
test_typedefs (void)
{
  g_test_summary ("Every typedef form, and aliases that describe the same shape under their "
                  "own name.");
  CHECK_TYPE (&corpus_types_ints_desc, SYNOD_TYPE_ARRAY_VAR, "Corpus.Types.ints", CorpusTypesInts);
  g_assert_cmpuint (corpus_types_ints_desc.bound, ==, SYNOD_TYPE_UNBOUNDED);
  g_assert_true (corpus_types_ints_desc.element == &synod_type_int);
  CHECK_TYPE (&corpus_types_int_pair_desc, SYNOD_TYPE_ARRAY_FIXED, "Corpus.Types.int_pair",
              CorpusTypesIntPair);
  g_assert_cmpuint (corpus_types_int_pair_desc.bound, ==, 2);
  CHECK_TYPE (&corpus_types_counters_desc, SYNOD_TYPE_ARRAY_VAR, "Corpus.Types.counters",
              CorpusTypesCounters);
  g_assert_cmpuint (corpus_types_counters_desc.bound, ==, CORPUS_TYPES_SMALL);
  g_assert_true (corpus_types_counters_desc.element == &synod_type_uhyper);
  CHECK_TYPE (&corpus_types_key_desc, SYNOD_TYPE_OPAQUE_FIXED, "Corpus.Types.key", CorpusTypesKey);
  g_assert_cmpuint (corpus_types_key_desc.bound, ==, 32);
  g_assert_cmpuint (sizeof (CorpusTypesKey), ==, 32);
  CHECK_TYPE (&corpus_types_blob_desc, SYNOD_TYPE_OPAQUE_VAR, "Corpus.Types.blob", CorpusTypesBlob);
  g_assert_cmpuint (corpus_types_blob_desc.bound, ==, 1024);
  CHECK_TYPE (&corpus_types_anyblob_desc, SYNOD_TYPE_OPAQUE_VAR, "Corpus.Types.anyblob",
              CorpusTypesAnyblob);
  g_assert_cmpuint (corpus_types_anyblob_desc.bound, ==, SYNOD_TYPE_UNBOUNDED);
  CHECK_TYPE (&corpus_types_name_desc, SYNOD_TYPE_STRING, "Corpus.Types.name", CorpusTypesName);
  g_assert_cmpuint (corpus_types_name_desc.bound, ==, 64);
  CHECK_TYPE (&corpus_types_text_desc, SYNOD_TYPE_STRING, "Corpus.Types.text", CorpusTypesText);
  g_assert_cmpuint (corpus_types_text_desc.bound, ==, SYNOD_TYPE_UNBOUNDED);
  CHECK_TYPE (&corpus_types_colors_desc, SYNOD_TYPE_ARRAY_FIXED, "Corpus.Types.colors",
              CorpusTypesColors);
  g_assert_true (corpus_types_colors_desc.element == &corpus_types_color_desc);
  CHECK_TYPE (&corpus_types_names_desc, SYNOD_TYPE_ARRAY_VAR, "Corpus.Types.names",
              CorpusTypesNames);
  g_assert_true (corpus_types_names_desc.element == &corpus_types_name_desc);
  CHECK_TYPE (&corpus_types_name_triple_desc, SYNOD_TYPE_ARRAY_FIXED, "Corpus.Types.name_triple",
              CorpusTypesNameTriple);
  g_assert_cmpuint (sizeof (CorpusTypesNameTriple), ==, 3 * sizeof (gchar *));
  CHECK_TYPE (&corpus_types_flags_desc, SYNOD_TYPE_ARRAY_VAR, "Corpus.Types.flags",
              CorpusTypesFlags);
  g_assert_true (corpus_types_flags_desc.element == &synod_type_bool);
  CHECK_TYPE (&corpus_types_list_desc, SYNOD_TYPE_OPTIONAL, "Corpus.Types.list", CorpusTypesList);
  g_assert_true (corpus_types_list_desc.element == &corpus_types_node_desc);

  /* aliases */
  CHECK_TYPE (&corpus_types_scalars_alias_desc, SYNOD_TYPE_STRUCT, "Corpus.Types.scalars_alias",
              CorpusTypesScalarsAlias);
  g_assert_cmpuint (corpus_types_scalars_alias_desc.n_fields, ==, 10);
  CHECK_FIELD (&corpus_types_scalars_alias_desc, 9, CorpusTypesScalarsAlias, id,
               &synod_type_object_id);
  CHECK_TYPE (&corpus_types_union_alias_desc, SYNOD_TYPE_UNION, "Corpus.Types.union_alias",
              CorpusTypesUnionAlias);
  g_assert_cmpuint (corpus_types_union_alias_desc.n_arms, ==, 3);
  g_assert_nonnull (corpus_types_union_alias_desc.default_arm);
  CHECK_TYPE (&corpus_types_color_alias_desc, SYNOD_TYPE_ENUM, "Corpus.Types.color_alias",
              CorpusTypesColorAlias);
  g_assert_cmpuint (corpus_types_color_alias_desc.n_values, ==, 3);
  g_assert_cmpstr (corpus_types_color_alias_desc.values[2].name, ==, "BLUE");
  CHECK_TYPE (&corpus_types_name_alias_desc, SYNOD_TYPE_STRING, "Corpus.Types.name_alias",
              CorpusTypesNameAlias);
  g_assert_cmpuint (corpus_types_name_alias_desc.bound, ==, 64);
  CHECK_TYPE (&corpus_types_inline_alias_desc, SYNOD_TYPE_STRUCT, "Corpus.Types.inline_alias",
              CorpusTypesInlineAlias);
  g_assert_cmpuint (corpus_types_inline_alias_desc.n_fields, ==, 5);
  g_assert_cmpint (corpus_types_inline_alias_desc.fields[0].type->kind, ==, SYNOD_TYPE_STRUCT);
}

static void
test_constants (void)
{
  g_assert_cmpint (CORPUS_TYPES_SMALL, ==, 4);
  g_assert_cmpint (CORPUS_TYPES_NEG, ==, -7);
  g_assert_cmpint (CORPUS_TYPES_HEX, ==, 31);
  g_assert_cmpint (CORPUS_TYPES_OCT, ==, 15);
  g_assert_cmpint (CORPUS_TYPES_BIG, ==, G_GINT64_CONSTANT (0x100000000));
  g_assert_cmpint (CORPUS_TYPES_HUGE_NEG, ==, G_MININT64);
  g_assert_cmpint (CORPUS_TYPES_ALIAS, ==, 4);
  g_assert_cmpint (CORPUS_TYPES_FROM_ENUM, ==, 2);
  g_assert_cmpint (CORPUS_MAX, ==, 8);
  /* without a namespace, as rpcgen writes them */
  g_assert_cmpint (MAXUSERNAME, ==, 32);
  g_assert_cmpint (MAXFILELEN, ==, 65535);
  g_assert_cmpint (TEXT, ==, 0);
  g_assert_cmpint (EXEC, ==, 2);
}

static void
test_enums (void)
{
  const SynodTypeDesc *d = &corpus_types_color_desc;
  const SynodTypeDesc *s = &corpus_types_signs_desc;
  const SynodTypeDesc *i = &corpus_types_implicit_desc;

  CHECK_TYPE (d, SYNOD_TYPE_ENUM, "Corpus.Types.color", CorpusTypesColor);
  g_assert_cmpuint (d->n_values, ==, 3);
  g_assert_cmpstr (d->values[0].name, ==, "RED");
  g_assert_cmpint (d->values[0].value, ==, CORPUS_TYPES_RED);
  g_assert_cmpstr (d->values[1].name, ==, "GREEN");
  g_assert_cmpint (d->values[1].value, ==, CORPUS_TYPES_GREEN);
  g_assert_cmpstr (d->values[2].name, ==, "BLUE");
  g_assert_cmpint (d->values[2].value, ==, 2);

  g_assert_cmpuint (i->n_values, ==, 4);
  g_assert_cmpint (i->values[0].value, ==, 0);
  g_assert_cmpint (i->values[1].value, ==, 1);
  g_assert_cmpint (i->values[2].value, ==, 5);
  g_assert_cmpint (i->values[3].value, ==, 6);
  g_assert_cmpint (CORPUS_TYPES_SIX, ==, 6);

  g_assert_cmpuint (s->c_size, ==, sizeof (gint32));
  g_assert_cmpint (s->values[0].value, ==, -2);
  g_assert_cmpint (s->values[2].value, ==, G_MAXINT32);
  g_assert_cmpint (s->values[3].value, ==, G_MININT32);
  g_assert_cmpint (CORPUS_TYPES_LEAST, ==, G_MININT32);

  /* without a namespace */
  CHECK_TYPE (&filekind_desc, SYNOD_TYPE_ENUM, "filekind", filekind);
}

static void
check_arm (const SynodUnionArmDesc *arm, const gint32 *cases, guint n_cases, const gchar *name,
           SynodTypeKind kind)
{
  g_assert_cmpuint (arm->n_cases, ==, n_cases);
  for (guint i = 0; i < n_cases; i++)
    g_assert_cmpint (arm->cases[i], ==, cases[i]);
  g_assert_cmpstr (arm->name, ==, name);
  g_assert_cmpint (arm->type->kind, ==, kind);
}

static void
test_unions (void)
{
  const SynodTypeDesc *d = &corpus_types_by_int_desc;
  static const gint32 one_two[] = { 1, 2 }, three[] = { 3 }, minus_one[] = { -1 };
  static const gint32 zero[] = { 0 }, max_uint[] = { -1 }, red[] = { 0 }, green[] = { 1 },
                      blue[] = { 2 }, true_[] = { 1 }, false_[] = { 0 };

  g_test_summary ("Union arms, shared case labels, void arms, default arms, and each kind of "
                  "discriminant.");
  CHECK_TYPE (d, SYNOD_TYPE_UNION, "Corpus.Types.by_int", CorpusTypesByInt);
  g_assert_true (d->discriminant == &synod_type_int);
  g_assert_cmpstr (d->discriminant_name, ==, "kind");
  g_assert_cmpuint (G_STRUCT_OFFSET (CorpusTypesByInt, kind), ==, 0);
  g_assert_cmpuint (d->union_offset, ==, G_STRUCT_OFFSET (CorpusTypesByInt, u));
  g_assert_cmpuint (d->n_arms, ==, 3);
  check_arm (&d->arms[0], one_two, 2, "small", SYNOD_TYPE_INT);
  check_arm (&d->arms[1], three, 1, "text", SYNOD_TYPE_STRING);
  g_assert_cmpuint (d->arms[1].type->bound, ==, 10);
  g_assert_cmpuint (d->arms[1].type->c_size, ==, sizeof (((CorpusTypesByInt *)0)->u.text));
  check_arm (&d->arms[2], minus_one, 1, NULL, SYNOD_TYPE_VOID);
  g_assert_true (d->arms[2].type == &synod_type_void);
  g_assert_nonnull (d->default_arm);
  check_arm (d->default_arm, NULL, 0, "other", SYNOD_TYPE_HYPER);

  d = &corpus_types_by_uint_desc;
  g_assert_true (d->discriminant == &synod_type_uint);
  check_arm (&d->arms[0], zero, 1, NULL, SYNOD_TYPE_VOID);
  /* unsigned case values travel as their bit pattern */
  check_arm (&d->arms[1], max_uint, 1, "raw", SYNOD_TYPE_OPAQUE_VAR);
  g_assert_null (d->default_arm);

  d = &corpus_types_by_enum_desc;
  g_assert_true (d->discriminant == &corpus_types_color_desc);
  check_arm (&d->arms[0], red, 1, "r", SYNOD_TYPE_INT);
  check_arm (&d->arms[1], green, 1, "g", SYNOD_TYPE_DOUBLE);
  check_arm (&d->arms[2], blue, 1, NULL, SYNOD_TYPE_VOID);

  d = &corpus_types_by_bool_desc;
  g_assert_true (d->discriminant == &synod_type_bool);
  check_arm (&d->arms[0], true_, 1, "value", SYNOD_TYPE_STRUCT);
  g_assert_true (d->arms[0].type == &corpus_types_scalars_desc);
  check_arm (&d->arms[1], false_, 1, NULL, SYNOD_TYPE_VOID);

  d = &corpus_types_all_void_desc;
  g_assert_cmpuint (d->n_arms, ==, 1);
  check_arm (d->default_arm, NULL, 0, NULL, SYNOD_TYPE_VOID);

  /* a discriminant typedef'd further down */
  d = &corpus_types_forward_disc_desc;
  g_assert_true (d->discriminant == &corpus_types_later_int_desc);
  g_assert_cmpint (d->discriminant->kind, ==, SYNOD_TYPE_INT);
  g_assert_cmpstr (d->discriminant->name, ==, "Corpus.Types.later_int");
  G_STATIC_ASSERT (sizeof (CorpusTypesLaterInt) == sizeof (gint32));

  /* the RFC 4506 example, without a namespace */
  d = &filetype_desc;
  CHECK_TYPE (d, SYNOD_TYPE_UNION, "filetype", filetype);
  g_assert_true (d->discriminant == &filekind_desc);
  g_assert_cmpuint (d->arms[1].type->bound, ==, MAXNAMELEN);
}

static void
test_inline (void)
{
  const SynodTypeDesc *d = &corpus_types_with_inline_desc;
  const SynodFieldDesc *f = d->fields;

  g_test_summary ("Inline struct, enum and union type specifiers get C types of their own.");
  CHECK_TYPE (d, SYNOD_TYPE_STRUCT, "Corpus.Types.with_inline", CorpusTypesWithInline);
  CHECK_FIELD (d, 0, CorpusTypesWithInline, point, NULL);
  CHECK_TYPE (f[0].type, SYNOD_TYPE_STRUCT, NULL, CorpusTypesWithInlinePoint);
  CHECK_FIELD (f[0].type, 1, CorpusTypesWithInlinePoint, y, &synod_type_int);
  CHECK_FIELD (d, 1, CorpusTypesWithInline, direction, NULL);
  CHECK_TYPE (f[1].type, SYNOD_TYPE_ENUM, NULL, CorpusTypesWithInlineDirection);
  g_assert_cmpstr (f[1].type->values[1].name, ==, "SOUTH");
  g_assert_cmpint (f[1].type->values[1].value, ==, CORPUS_TYPES_SOUTH);
  g_assert_cmpint (CORPUS_TYPES_NORTH, ==, 10);
  CHECK_FIELD (d, 2, CorpusTypesWithInline, maybe_text, NULL);
  CHECK_TYPE (f[2].type, SYNOD_TYPE_UNION, NULL, CorpusTypesWithInlineMaybeText);
  g_assert_true (f[2].type->discriminant == &synod_type_bool);
  CHECK_FIELD (d, 3, CorpusTypesWithInline, inline_array, NULL);
  check_anon (f[3].type, SYNOD_TYPE_ARRAY_FIXED, 2, f[3].type->element);
  CHECK_TYPE (f[3].type->element, SYNOD_TYPE_STRUCT, NULL, CorpusTypesWithInlineInlineArray);
  CHECK_FIELD (d, 4, CorpusTypesWithInline, inline_var, NULL);
  g_assert_cmpint (f[4].type->kind, ==, SYNOD_TYPE_ARRAY_VAR);
  g_assert_cmpuint (f[4].type->bound, ==, 3);
  CHECK_TYPE (f[4].type->element, SYNOD_TYPE_STRUCT, NULL, CorpusTypesWithInlineInlineVar);

  CHECK_TYPE (&corpus_types_typedef_struct_desc, SYNOD_TYPE_STRUCT, "Corpus.Types.typedef_struct",
              CorpusTypesTypedefStruct);
  CHECK_TYPE (&corpus_types_typedef_union_desc, SYNOD_TYPE_UNION, "Corpus.Types.typedef_union",
              CorpusTypesTypedefUnion);
  CHECK_TYPE (&corpus_types_typedef_enum_desc, SYNOD_TYPE_ENUM, "Corpus.Types.typedef_enum",
              CorpusTypesTypedefEnum);
  g_assert_cmpint (CORPUS_TYPES_DOWN, ==, 2);
}

static void
test_recursive (void)
{
  CHECK_TYPE (&corpus_types_node_desc, SYNOD_TYPE_STRUCT, "Corpus.Types.node", CorpusTypesNode);
  CHECK_FIELD (&corpus_types_node_desc, 1, CorpusTypesNode, next, NULL);
  g_assert_cmpint (corpus_types_node_desc.fields[1].type->kind, ==, SYNOD_TYPE_OPTIONAL);
  g_assert_true (corpus_types_node_desc.fields[1].type->element == &corpus_types_node_desc);
  g_assert_true (corpus_types_tree_desc.arms[1].type->element == &corpus_types_tree_desc);
  /* written the C way (struct node *head) */
  g_assert_true (corpus_types_c_style_desc.fields[0].type->element == &corpus_types_node_desc);
  g_assert_true (corpus_types_c_style_desc.fields[1].type == &corpus_types_color_desc);
  g_assert_true (entry_desc.fields[1].type->element == &entry_desc);
}

static void
test_names (void)
{
  G_GNUC_UNUSED StandardURLDirectoryIface url;
  G_GNUC_UNUSED StandardHTTPFastReceiveIface http;
  G_GNUC_UNUSED StandardIoChannel channel = { 3 };
  G_GNUC_UNUSED StandardLookupResult r = { .getCount = 1 };
  G_GNUC_UNUSED keywords kw = { .long_ = 1, .char_ = 2, .static_ = 3 };
  G_GNUC_UNUSED CorpusRenamedIface weird = { .register_ = NULL, .switch_ = NULL };
  G_GNUC_UNUSED CorpusRenamedRegisterArgs reg
      = { .long_ = 1, .error_ = 2, .target_ = 3, .call_ = 4, .user_data_ = 5 };

  g_test_summary ("IDL names become C names as idl/README.md says (this test compiles only "
                  "if they do).");
  g_assert_cmpstr (standard_url_directory_interface.name, ==, "Standard.URLdirectory");
  g_assert_cmpstr (standard_http_fast_receive_interface.name, ==, "Standard.HTTPfastReceive");
  g_assert_cmpstr (standard_io_channel_desc.name, ==, "Standard.IOChannel");
  g_assert_cmpstr (corpus_renamed_interface.name, ==, "Corpus.Weird");
  g_assert_true (STANDARD_URL_DIRECTORY_METHOD_REGISTER == &standard_url_directory_methods[1]);
  g_assert_cmpuint (STANDARD_URL_DIRECTORY_METHOD_REGISTER->vtable_offset, ==,
                    G_STRUCT_OFFSET (StandardURLDirectoryIface, register_));
  g_assert_cmpstr (corpus_renamed_register_args_desc.fields[2].name, ==, "target");
  g_assert_cmpuint (corpus_renamed_register_args_desc.fields[2].offset, ==,
                    G_STRUCT_OFFSET (CorpusRenamedRegisterArgs, target_));
  g_assert_cmpstr (keywords_desc.fields[0].name, ==, "long");
  g_assert_cmpuint (keywords_desc.fields[2].offset, ==, G_STRUCT_OFFSET (keywords, static_));
}

/* ------------------------------------------------------------------------- */
/* Interfaces */

typedef struct
{
  const gchar *name;
  const SynodTypeDesc *result;
  SynodMethodFlags flags;
  gsize vtable_offset;
} MethodExpect;

static void
test_interfaces (void)
{
  const SynodInterfaceDesc *e = &corpus_everything_interface;
  const MethodExpect expect[] = {
    { "by_value", &synod_type_int, 0, G_STRUCT_OFFSET (CorpusEverythingIface, by_value) },
    { "strings", &synod_type_string, 0, G_STRUCT_OFFSET (CorpusEverythingIface, strings) },
    { "pointers", &corpus_types_scalars_desc, 0,
      G_STRUCT_OFFSET (CorpusEverythingIface, pointers) },
    { "arrays", &synod_type_opaque, 0, G_STRUCT_OFFSET (CorpusEverythingIface, arrays) },
    { "optionals", &corpus_point_desc, 0, G_STRUCT_OFFSET (CorpusEverythingIface, optionals) },
    { "fixed_result", &corpus_types_key_desc, 0,
      G_STRUCT_OFFSET (CorpusEverythingIface, fixed_result) },
    { "object_id", &synod_type_object_id, 0, G_STRUCT_OFFSET (CorpusEverythingIface, object_id) },
    { "list_result", &corpus_types_node_desc, 0,
      G_STRUCT_OFFSET (CorpusEverythingIface, list_result) },
    { "inline_result", NULL, 0, G_STRUCT_OFFSET (CorpusEverythingIface, inline_result) },
    { "old", &synod_type_void, SYNOD_METHOD_DEPRECATED,
      G_STRUCT_OFFSET (CorpusEverythingIface, old) },
    { "parallel", &synod_type_void, SYNOD_METHOD_CONCURRENT,
      G_STRUCT_OFFSET (CorpusEverythingIface, parallel) },
    { "fire", &synod_type_void, SYNOD_METHOD_ONEWAY,
      G_STRUCT_OFFSET (CorpusEverythingIface, fire) },
    { "nothing", &synod_type_void, 0, G_STRUCT_OFFSET (CorpusEverythingIface, nothing) },
  };

  g_test_summary ("Interface and method descriptors: versions, bases, allomorphism, flags, "
                  "argument structs and vtable slots.");
  g_assert_cmpstr (e->name, ==, "Corpus.Everything");
  g_assert_cmpuint (e->version, ==, 3);
  g_assert_cmpuint (e->n_bases, ==, 2);
  g_assert_true (e->bases[0] == &corpus_base_named_interface);
  g_assert_true (e->bases[1] == &corpus_base_marker_interface);
  g_assert_cmpuint (e->n_allomorphic, ==, 2);
  g_assert_cmpstr (e->allomorphic[0], ==, "Other.Thing;2");
  g_assert_cmpstr (e->allomorphic[1], ==, "Corpus.Base.Root;1");
  g_assert_cmpint (e->flags, ==, SYNOD_INTERFACE_NONE);
  g_assert_cmpuint (e->vtable_size, ==, sizeof (CorpusEverythingIface));
  g_assert_true (g_str_has_prefix (e->introspection_xml, "<interface name=\"Corpus.Everything\">"));
  g_assert_cmpuint (e->n_methods, ==, CORPUS_EVERYTHING_N_METHODS);
  g_assert_cmpuint (e->n_methods, ==, G_N_ELEMENTS (expect));
  g_assert_true (e->methods == corpus_everything_methods);
  for (guint i = 0; i < e->n_methods; i++)
    {
      const SynodMethodDesc *m = &e->methods[i];

      g_assert_cmpstr (m->name, ==, expect[i].name);
      g_assert_true (m->interface == e);
      g_assert_cmpuint (m->index, ==, i);
      g_assert_cmpint (m->args->kind, ==, SYNOD_TYPE_STRUCT);
      g_assert_nonnull (m->invoke);
      if (expect[i].result != NULL)
        g_assert_true (m->result == expect[i].result);
      g_assert_cmpint (m->flags, ==, expect[i].flags);
      g_assert_cmpuint (m->vtable_offset, ==, expect[i].vtable_offset);
    }
  g_assert_true (CORPUS_EVERYTHING_METHOD_FIRE == &e->methods[11]);

  /* argument structs */
  CHECK_TYPE (&corpus_everything_by_value_args_desc, SYNOD_TYPE_STRUCT,
              "Corpus.Everything.by_value", CorpusEverythingByValueArgs);
  g_assert_cmpuint (corpus_everything_by_value_args_desc.n_fields, ==, 9);
  CHECK_FIELD (&corpus_everything_by_value_args_desc, 8, CorpusEverythingByValueArgs, c,
               &corpus_types_color_desc);
  CHECK_FIELD (&corpus_everything_arrays_args_desc, 4, CorpusEverythingArraysArgs, pts, NULL);
  g_assert_true (corpus_everything_arrays_args_desc.fields[4].type->element == &corpus_point_desc);
  g_assert_cmpuint (corpus_everything_arrays_args_desc.fields[2].type->bound, ==, CORPUS_MAX);
  g_assert_cmpuint (corpus_everything_nothing_args_desc.n_fields, ==, 0);
  g_assert_true (CORPUS_EVERYTHING_METHOD_INLINE_RESULT->result->kind == SYNOD_TYPE_STRUCT);
  g_assert_cmpuint (CORPUS_EVERYTHING_METHOD_INLINE_RESULT->result->c_size, ==,
                    sizeof (CorpusEverythingInlineResultResult));

  /* bases, versions, flags of the others */
  g_assert_cmpuint (corpus_base_named_interface.version, ==, 2);
  g_assert_cmpuint (corpus_base_named_interface.n_bases, ==, 1);
  g_assert_true (corpus_base_named_interface.bases[0] == &corpus_base_root_interface);
  g_assert_cmpuint (corpus_base_root_interface.version, ==, 1);
  g_assert_cmpuint (corpus_base_root_interface.n_bases, ==, 0);
  g_assert_cmpuint (corpus_base_marker_interface.n_methods, ==, 0);
  g_assert_null (corpus_base_marker_interface.methods);
  g_assert_cmpuint (corpus_renamed_interface.version, ==, 7);
  g_assert_cmpint (corpus_renamed_interface.flags, ==,
                   SYNOD_INTERFACE_CONCURRENT | SYNOD_INTERFACE_DEPRECATED);
  g_assert_true (corpus_renamed_interface.bases[0] == e);
  /* a concurrent interface makes every method concurrent */
  g_assert_cmpint (CORPUS_RENAMED_METHOD_REGISTER->flags, ==, SYNOD_METHOD_CONCURRENT);
  g_assert_cmpint (CORPUS_RENAMED_METHOD_SWITCH->flags, ==,
                   SYNOD_METHOD_CONCURRENT | SYNOD_METHOD_ONEWAY);
  g_assert_cmpint (STANDARD_URL_DIRECTORY_METHOD_FORGET->flags, ==, SYNOD_METHOD_ONEWAY);
}

/* The introspection XML's types are the codec's GVariant forms of the
 * method's arguments and result. */
static void
check_xml_types (const SynodInterfaceDesc *iface)
{
  for (guint i = 0; i < iface->n_methods; i++)
    {
      const SynodMethodDesc *m = &iface->methods[i];
      g_autofree gchar *head = g_strdup_printf ("<method name=\"%s\">", m->name);
      const gchar *p = strstr (iface->introspection_xml, head);
      const gchar *end;
      GString *in = g_string_new ("(");
      g_autofree gchar *out = NULL, *args_type = NULL, *result_type = NULL;

      g_assert_nonnull (p);
      end = strstr (p, "</method>");
      g_assert_nonnull (end);
      while ((p = strstr (p, "<arg ")) != NULL && p < end)
        {
          const gchar *t = strstr (p, "type=\"") + 6;
          g_autofree gchar *type = g_strndup (t, strchr (t, '"') - t);

          if (strstr (p, "direction=\"out\"") != NULL && strstr (p, "direction=\"out\"") < end
              && strchr (p, '>') > strstr (p, "direction=\"out\""))
            out = g_steal_pointer (&type);
          else
            g_string_append (in, type);
          p++;
        }
      g_string_append_c (in, ')');
      args_type = g_variant_type_dup_string (synod_type_get_variant_type (m->args));
      g_assert_cmpstr (in->str, ==, args_type);
      if (m->result->kind == SYNOD_TYPE_VOID)
        g_assert_null (out);
      else
        {
          result_type = g_variant_type_dup_string (synod_type_get_variant_type (m->result));
          g_assert_cmpstr (out, ==, result_type);
        }
      g_string_free (in, TRUE);
    }
}

static void
test_xml_types (void)
{
  g_test_summary ("The GVariant types in the introspection XML are those the codec uses.");
  check_xml_types (&corpus_everything_interface);
  check_xml_types (&corpus_renamed_interface);
  check_xml_types (&corpus_base_root_interface);
  check_xml_types (&standard_url_directory_interface);
  g_assert_nonnull (
      strstr (corpus_everything_interface.introspection_xml,
              "<annotation name=\"org.synod.Allomorphic\" value=\"Other.Thing;2\"/>"));
  g_assert_nonnull (
      strstr (corpus_renamed_interface.introspection_xml,
              "<annotation name=\"org.synod.Inherits\" value=\"Corpus.Everything;3\"/>"));
}

/* ------------------------------------------------------------------------- */
/* The codec over generated types */

static void
test_codec_roundtrip (void)
{
  g_auto (CorpusTypesArrays) a = { 0 };
  g_auto (CorpusTypesArrays) back = { 0 };
  g_auto (CorpusTypesArrays) copy = { 0 };
  g_autoptr (CorpusTypesNode) head = g_new0 (CorpusTypesNode, 1);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  gint32 var[] = { 5, -6 };
  CorpusTypesColor blue = CORPUS_TYPES_BLUE;
  gchar *tags[] = { (gchar *)"x", (gchar *)"yz" };

  g_test_summary ("Values of generated types go through libsynod's codec: encode, decode, copy, "
                  "compare and clear, with the generated clear/copy/free and g_auto cleanups.");
  a.fixed[0] = 1;
  a.fixed[2] = 3;
  a.var.len = 2;
  a.var.val = g_memdup2 (var, sizeof var);
  memcpy (a.sku, "ABCDEFGH", 8);
  a.data.len = 3;
  a.data.val = (guint8 *)g_strdup ("xyz");
  a.label = g_strdup ("label");
  a.tags.len = 2;
  a.tags.val = g_new0 (CorpusTypesName, 2);
  a.tags.val[0] = g_strdup (tags[0]);
  a.tags.val[1] = g_strdup (tags[1]);
  a.pair[1].h = G_MININT64;
  a.pair[1].id.peer = 42;
  a.maybe_color = g_memdup2 (&blue, sizeof blue);
  a.k[31] = 0xff;
  a.triple[2] = g_strdup ("third");

  bytes = synod_value_encode (&corpus_types_arrays_desc, &a, &error);
  g_assert_no_error (error);
  g_assert_true (synod_value_decode (&corpus_types_arrays_desc, g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes), &back, &error));
  g_assert_no_error (error);
  g_assert_true (synod_value_equal (&corpus_types_arrays_desc, &a, &back));
  g_assert_cmpstr (back.tags.val[1], ==, "yz");
  g_assert_cmpint (*back.maybe_color, ==, CORPUS_TYPES_BLUE);
  g_assert_cmpint (back.pair[1].h, ==, G_MININT64);
  g_assert_cmpstr (back.triple[2], ==, "third");

  corpus_types_arrays_copy (&a, &copy);
  g_assert_true (synod_value_equal (&corpus_types_arrays_desc, &a, &copy));
  g_assert_true (copy.label != a.label);
  corpus_types_arrays_clear (&copy);
  g_assert_null (copy.label);
  g_assert_cmpuint (copy.var.len, ==, 0);

  /* a linked list of three, freed by g_autoptr */
  head->value = 1;
  head->next = g_new0 (CorpusTypesNode, 1);
  head->next->value = 2;
  head->next->next = g_new0 (CorpusTypesNode, 1);
  head->next->next->value = 3;
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = synod_value_encode (&corpus_types_node_desc, head, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 3 * 8);
}

static void
test_codec_unions (void)
{
  CorpusTypesByInt u = { 0 }, back = { 0 };
  CorpusTypesWithInline w = { 0 }, wback = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  u.kind = 3;
  u.u.text = g_strdup ("0123456789");
  bytes = synod_value_encode (&corpus_types_by_int_desc, &u, &error);
  g_assert_no_error (error);
  g_assert_true (synod_value_decode (&corpus_types_by_int_desc, g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes), &back, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back.u.text, ==, "0123456789");
  corpus_types_by_int_clear (&back);
  /* the bound of string text<10> is enforced */
  g_free (u.u.text);
  u.u.text = g_strdup ("01234567890");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = synod_value_encode (&corpus_types_by_int_desc, &u, &error);
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_ENCODE);
  g_assert_null (bytes);
  g_clear_error (&error);
  corpus_types_by_int_clear (&u);

  w.point.x = 7;
  w.direction = CORPUS_TYPES_SOUTH;
  w.maybe_text.has = TRUE;
  w.maybe_text.u.s = g_strdup ("inline");
  w.inline_var.len = 1;
  w.inline_var.val = g_new0 (CorpusTypesWithInlineInlineVar, 1);
  w.inline_var.val[0].s = g_strdup ("in");
  bytes = synod_value_encode (&corpus_types_with_inline_desc, &w, &error);
  g_assert_no_error (error);
  g_assert_true (synod_value_decode (&corpus_types_with_inline_desc, g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes), &wback, &error));
  g_assert_true (synod_value_equal (&corpus_types_with_inline_desc, &w, &wback));
  g_assert_cmpstr (wback.inline_var.val[0].s, ==, "in");
  corpus_types_with_inline_clear (&w);
  corpus_types_with_inline_clear (&wback);
}

/* ------------------------------------------------------------------------- */
/* Invokers: the skeleton side */

typedef struct
{
  guint calls;
  gpointer self;
  SynodCall *call;
  gint32 i;
  guint32 u;
  gint64 h;
  guint64 uh;
  gdouble d;
  SynodQuadruple q;
  gboolean b;
  CorpusTypesColor c;
  gchar *s, *any, *n;
  const CorpusTypesScalars *scalars;
  const SynodObjectId *id;
  const CorpusTypesInts *v;
  const CorpusTypesKey *k;
  const CorpusTypesList *l;
  const CorpusTypesByInt *byint;
  gint32 fixed[3];
  guint8 sku[8];
  guint32 var_len, data_len, pts_len, names_len;
  const gint32 *var_val;
  const guint8 *data_val;
  const CorpusPoint *pts_val;
  const CorpusTypesName *names_val;
  const CorpusPoint *p;
  const gint32 *ip;
  gint32 inline_x;
  CorpusEverythingInlineResultSide side;
} Impl;

static gboolean
impl_by_value (gpointer self, SynodCall *call, gint32 i, guint32 u, gint64 h, guint64 uh, gfloat f,
               gdouble d, SynodQuadruple q, gboolean b, CorpusTypesColor c, gint32 *ret_result,
               GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->self = self;
  impl->call = call;
  impl->i = i;
  impl->u = u;
  impl->h = h;
  impl->uh = uh;
  impl->d = d + f;
  impl->q = q;
  impl->b = b;
  impl->c = c;
  *ret_result = i * 2;
  return TRUE;
}

static gboolean
impl_strings (gpointer self, SynodCall *call, const gchar *s, const gchar *any, const gchar *n,
              gchar **ret_result, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->s = g_strdup (s);
  impl->any = g_strdup (any);
  impl->n = g_strdup (n);
  *ret_result = g_strconcat (s, n, NULL);
  return TRUE;
}

static gboolean
impl_pointers (gpointer self, SynodCall *call, const CorpusTypesScalars *s, const SynodObjectId *id,
               const CorpusTypesInts *v, const CorpusTypesKey *k, const CorpusTypesList *l,
               const CorpusTypesByInt *u, CorpusTypesScalars *ret_result, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->scalars = s;
  impl->id = id;
  impl->v = v;
  impl->k = k;
  impl->l = l;
  impl->byint = u;
  *ret_result = *s;
  ret_result->i++;
  return TRUE;
}

static gboolean
impl_arrays (gpointer self, SynodCall *call, const gint32 *fixed, const guint8 *sku,
             guint32 var_len, const gint32 *var_val, guint32 data_len, const guint8 *data_val,
             guint32 pts_len, const CorpusPoint *pts_val, guint32 names_len,
             const CorpusTypesName *names_val, SynodArray *ret_result, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  memcpy (impl->fixed, fixed, sizeof impl->fixed);
  memcpy (impl->sku, sku, sizeof impl->sku);
  impl->var_len = var_len;
  impl->var_val = var_val;
  impl->data_len = data_len;
  impl->data_val = data_val;
  impl->pts_len = pts_len;
  impl->pts_val = pts_val;
  impl->names_len = names_len;
  impl->names_val = names_val;
  ret_result->len = 2;
  ret_result->val = g_strdup ("ok");
  return TRUE;
}

static gboolean
impl_optionals (gpointer self, SynodCall *call, const CorpusPoint *p, const gint32 *i,
                CorpusPoint *ret_result, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->p = p;
  impl->ip = i;
  if (p == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no point");
      return FALSE;
    }
  *ret_result = *p;
  return TRUE;
}

static gboolean
impl_inline_result (gpointer self, SynodCall *call, const CorpusEverythingInlineResultP *p,
                    CorpusEverythingInlineResultSide side,
                    CorpusEverythingInlineResultResult *ret_result, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->inline_x = p->x;
  impl->side = side;
  ret_result->a = p->x + 1;
  ret_result->b = g_strdup ("b");
  return TRUE;
}

static gboolean
impl_fire (gpointer self, SynodCall *call, const gchar *event, gint32 count, GError **error)
{
  Impl *impl = self;

  impl->calls++;
  impl->s = g_strdup (event);
  impl->i = count;
  return TRUE;
}

static const CorpusEverythingIface impl_vtable = {
  .by_value = impl_by_value,
  .strings = impl_strings,
  .pointers = impl_pointers,
  .arrays = impl_arrays,
  .optionals = impl_optionals,
  .inline_result = impl_inline_result,
  .fire = impl_fire,
  /* the others are left unimplemented */
};

static void
impl_clear (Impl *impl)
{
  g_free (impl->s);
  g_free (impl->any);
  g_free (impl->n);
  memset (impl, 0, sizeof *impl);
}

static void
test_invoker_values (void)
{
  Impl impl = { 0 };
  CorpusEverythingByValueArgs args = { 0 };
  CorpusEverythingStringsArgs sargs = { .s = (gchar *)"a", .any = NULL, .n = (gchar *)"c" };
  gint32 ret = 0;
  g_autofree gchar *sret = NULL;
  g_autoptr (GError) error = NULL;
  SynodCall *call = (SynodCall *)&target_storage;

  g_test_summary ("The invoker thunk unpacks an argument struct into the vtable slot's "
                  "parameters and hands back the result.");
  args.i = -5;
  args.u = G_MAXUINT32;
  args.h = G_MININT64;
  args.uh = G_MAXUINT64;
  args.f = 0.5f;
  args.d = 2.0;
  args.q.bytes[15] = 9;
  args.b = TRUE;
  args.c = CORPUS_TYPES_GREEN;
  g_assert_true (
      CORPUS_EVERYTHING_METHOD_BY_VALUE->invoke (&impl_vtable, &impl, call, &args, &ret, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (impl.calls, ==, 1);
  g_assert_true (impl.self == &impl);
  g_assert_true (impl.call == call);
  g_assert_cmpint (impl.i, ==, -5);
  g_assert_cmpuint (impl.u, ==, G_MAXUINT32);
  g_assert_cmpint (impl.h, ==, G_MININT64);
  g_assert_cmpuint (impl.uh, ==, G_MAXUINT64);
  g_assert_cmpfloat (impl.d, ==, 2.5);
  g_assert_cmpuint (impl.q.bytes[15], ==, 9);
  g_assert_true (impl.b);
  g_assert_cmpint (impl.c, ==, CORPUS_TYPES_GREEN);
  g_assert_cmpint (ret, ==, -10);

  g_assert_true (
      CORPUS_EVERYTHING_METHOD_STRINGS->invoke (&impl_vtable, &impl, call, &sargs, &sret, &error));
  g_assert_cmpstr (impl.s, ==, "a");
  g_assert_null (impl.any);
  g_assert_cmpstr (impl.n, ==, "c");
  g_assert_cmpstr (sret, ==, "ac");

  /* oneway methods have an invoker too, and no result */
  {
    CorpusEverythingFireArgs fargs = { .event = (gchar *)"boom", .count = 3 };
    impl_clear (&impl);
    g_assert_true (
        CORPUS_EVERYTHING_METHOD_FIRE->invoke (&impl_vtable, &impl, call, &fargs, NULL, &error));
    g_assert_cmpstr (impl.s, ==, "boom");
    g_assert_cmpint (impl.i, ==, 3);
  }
  impl_clear (&impl);
}

static void
test_invoker_pointers (void)
{
  Impl impl = { 0 };
  CorpusEverythingPointersArgs pargs = { 0 };
  CorpusEverythingArraysArgs aargs = { 0 };
  CorpusEverythingOptionalsArgs oargs = { 0 };
  CorpusEverythingInlineResultArgs iargs = { 0 };
  CorpusTypesScalars sret = { 0 };
  SynodArray oret = { 0 };
  CorpusPoint pret = { 0 };
  CorpusEverythingInlineResultResult iret = { 0 };
  gint32 var[] = { 1, 2, 3 };
  CorpusPoint pts[] = { { 1, 2 }, { 3, 4 } };
  CorpusTypesName names[] = { (gchar *)"n" };
  g_autoptr (GError) error = NULL;

  /* named structs, unions, arrays and optional typedefs come by pointer,
   * into the argument struct itself */
  pargs.s.i = 41;
  g_assert_true (
      CORPUS_EVERYTHING_METHOD_POINTERS->invoke (&impl_vtable, &impl, NULL, &pargs, &sret, &error));
  g_assert_true (impl.scalars == &pargs.s);
  g_assert_true (impl.id == &pargs.id);
  g_assert_true (impl.v == &pargs.v);
  g_assert_true (impl.k == &pargs.k);
  g_assert_true (impl.l == &pargs.l);
  g_assert_true (impl.byint == &pargs.u);
  g_assert_cmpint (sret.i, ==, 42);

  /* anonymous arrays: fixed ones as a pointer, variable ones as len + val */
  aargs.fixed[2] = 7;
  memcpy (aargs.sku, "12345678", 8);
  aargs.var.len = 3;
  aargs.var.val = var;
  aargs.pts.len = 2;
  aargs.pts.val = pts;
  aargs.names.len = 1;
  aargs.names.val = names;
  g_assert_true (
      CORPUS_EVERYTHING_METHOD_ARRAYS->invoke (&impl_vtable, &impl, NULL, &aargs, &oret, &error));
  g_assert_cmpint (impl.fixed[2], ==, 7);
  g_assert_cmpmem (impl.sku, 8, "12345678", 8);
  g_assert_cmpuint (impl.var_len, ==, 3);
  g_assert_true (impl.var_val == var);
  g_assert_cmpuint (impl.data_len, ==, 0);
  g_assert_cmpuint (impl.pts_len, ==, 2);
  g_assert_true (impl.pts_val == pts);
  g_assert_cmpuint (impl.names_len, ==, 1);
  g_assert_cmpstr (impl.names_val[0], ==, "n");
  g_assert_cmpuint (oret.len, ==, 2);
  synod_value_clear (&synod_type_opaque, &oret);

  /* anonymous optional data: NULL when absent */
  g_assert_false (CORPUS_EVERYTHING_METHOD_OPTIONALS->invoke (&impl_vtable, &impl, NULL, &oargs,
                                                              &pret, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  oargs.p = &pts[1];
  g_assert_true (CORPUS_EVERYTHING_METHOD_OPTIONALS->invoke (&impl_vtable, &impl, NULL, &oargs,
                                                             &pret, &error));
  g_assert_true (impl.p == &pts[1]);
  g_assert_null (impl.ip);
  g_assert_cmpint (pret.y, ==, 4);

  /* inline parameter and result types */
  iargs.p.x = 9;
  iargs.side = CORPUS_RIGHT;
  g_assert_true (CORPUS_EVERYTHING_METHOD_INLINE_RESULT->invoke (&impl_vtable, &impl, NULL, &iargs,
                                                                 &iret, &error));
  g_assert_cmpint (impl.inline_x, ==, 9);
  g_assert_cmpint (impl.side, ==, CORPUS_RIGHT);
  g_assert_cmpint (iret.a, ==, 10);
  synod_value_clear (CORPUS_EVERYTHING_METHOD_INLINE_RESULT->result, &iret);
  g_assert_null (iret.b);
  impl_clear (&impl);
}

static void
test_invoker_unimplemented (void)
{
  Impl impl = { 0 };
  CorpusEverythingNothingArgs args = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_false (
      CORPUS_EVERYTHING_METHOD_NOTHING->invoke (&impl_vtable, &impl, NULL, &args, NULL, &error));
  g_assert_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD);
  g_assert_nonnull (strstr (error->message, "Corpus.Everything.nothing"));
  g_assert_cmpuint (impl.calls, ==, 0);
}

/* ------------------------------------------------------------------------- */
/* Stubs: the client side */

static void
test_stub_sync (void)
{
  const CorpusEverythingByValueArgs *args;
  const CorpusEverythingStringsArgs *sargs;
  gint32 ret = 0, canned = 77;
  SynodQuadruple q = { { 1 } };
  const gchar *canned_str = "result";
  g_autofree gchar *sret = NULL;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A sync stub packs its parameters into the method's argument struct and calls "
                  "synod_invoke_sync with the method's descriptor; the result comes back.");
  canned_result = &canned;
  g_assert_true (corpus_everything_by_value (TARGET, -1, 2, -3, 4, 0.25f, 0.5, q, TRUE,
                                             CORPUS_TYPES_BLUE, &ret, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (recorded.form, ==, "sync");
  g_assert_true (recorded.target == TARGET);
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_BY_VALUE);
  args = recorded.args;
  g_assert_cmpint (args->i, ==, -1);
  g_assert_cmpuint (args->u, ==, 2);
  g_assert_cmpint (args->h, ==, -3);
  g_assert_cmpuint (args->uh, ==, 4);
  g_assert_cmpfloat (args->f, ==, 0.25f);
  g_assert_cmpfloat (args->d, ==, 0.5);
  g_assert_cmpuint (args->q.bytes[0], ==, 1);
  g_assert_true (args->b);
  g_assert_cmpint (args->c, ==, CORPUS_TYPES_BLUE);
  g_assert_cmpint (ret, ==, 77);

  /* a NULL ret_result: the stub takes the result and frees it */
  recorded_reset ();
  canned_result = &canned_str;
  g_assert_true (corpus_everything_strings (TARGET, "s", NULL, "n", NULL, &error));
  sargs = recorded.args;
  g_assert_cmpstr (sargs->s, ==, "s");
  g_assert_null (sargs->any);
  g_assert_cmpstr (sargs->n, ==, "n");
  g_assert_true (corpus_everything_strings (TARGET, "s", "a", "n", &sret, &error));
  g_assert_cmpstr (sret, ==, "result");

  /* void methods pass no result storage */
  recorded_reset ();
  g_assert_true (corpus_everything_nothing (TARGET, &error));
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_NOTHING);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (corpus_everything_old (TARGET, &error));
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_OLD);
  recorded_reset ();
}

static void
test_stub_pointers (void)
{
  const CorpusEverythingPointersArgs *pargs;
  const CorpusEverythingArraysArgs *aargs;
  const CorpusEverythingOptionalsArgs *oargs;
  CorpusTypesScalars s = { .i = 5, .c = CORPUS_TYPES_GREEN };
  SynodObjectId id = { 1, 2 };
  gint32 ints[] = { 10, 20 };
  CorpusTypesInts v = { 2, ints };
  CorpusTypesKey k = { 0 };
  CorpusTypesNode node = { 99, NULL };
  CorpusTypesList l = &node;
  CorpusTypesByInt u = { .kind = 1, .u.small = 8 };
  CorpusTypesScalars sret = { 0 };
  gint32 fixed[3] = { 1, 2, 3 };
  gint32 var[] = { 4, 5 };
  CorpusPoint pts[] = { { 6, 7 } };
  const gchar *names[] = { "a", "b" };
  CorpusPoint p = { 8, 9 }, pret = { 0 };
  gint32 i = 11;
  const SynodArray canned_opaque = { 1, (gpointer) "z" };
  SynodArray oret = { 0 };
  g_autoptr (GError) error = NULL;

  k[0] = 0xaa;
  k[31] = 0x55;
  canned_result = &s;
  g_assert_true (corpus_everything_pointers (TARGET, &s, &id, &v, &k, &l, &u, &sret, &error));
  pargs = recorded.args;
  g_assert_cmpint (pargs->s.i, ==, 5);
  g_assert_cmpint (pargs->s.c, ==, CORPUS_TYPES_GREEN);
  g_assert_cmpuint (pargs->id.serial, ==, 2);
  g_assert_cmpuint (pargs->v.len, ==, 2);
  g_assert_cmpint (pargs->v.val[1], ==, 20);
  g_assert_cmpuint (pargs->k[0], ==, 0xaa);
  g_assert_cmpuint (pargs->k[31], ==, 0x55);
  g_assert_cmpint (pargs->l->value, ==, 99);
  g_assert_cmpint (pargs->u.u.small, ==, 8);
  g_assert_cmpint (sret.c, ==, CORPUS_TYPES_GREEN);

  canned_result = &canned_opaque;
  g_assert_true (corpus_everything_arrays (TARGET, fixed, (const guint8 *)"ABCDEFGH",
                                           G_N_ELEMENTS (var), var, 3, (const guint8 *)"xyz",
                                           G_N_ELEMENTS (pts), pts, G_N_ELEMENTS (names),
                                           (const CorpusTypesName *)names, &oret, &error));
  aargs = recorded.args;
  g_assert_cmpint (aargs->fixed[2], ==, 3);
  g_assert_cmpmem (aargs->sku, 8, "ABCDEFGH", 8);
  g_assert_cmpuint (aargs->var.len, ==, 2);
  g_assert_cmpint (aargs->var.val[1], ==, 5);
  g_assert_cmpmem (aargs->data.val, aargs->data.len, "xyz", 3);
  g_assert_cmpint (aargs->pts.val[0].y, ==, 7);
  g_assert_cmpuint (aargs->names.len, ==, 2);
  g_assert_cmpstr (aargs->names.val[1], ==, "b");
  g_assert_cmpmem (oret.val, oret.len, "z", 1);
  synod_value_clear (&synod_type_opaque, &oret);

  canned_result = &p;
  g_assert_true (corpus_everything_optionals (TARGET, &p, NULL, &pret, &error));
  oargs = recorded.args;
  g_assert_nonnull (oargs->p);
  g_assert_cmpint (oargs->p->y, ==, 9);
  g_assert_null (oargs->i);
  g_assert_true (corpus_everything_optionals (TARGET, NULL, &i, &pret, &error));
  oargs = recorded.args;
  g_assert_null (oargs->p);
  g_assert_cmpint (*oargs->i, ==, 11);
  g_assert_cmpint (pret.x, ==, 8);
  recorded_reset ();
}

static void
test_stub_oneway (void)
{
  const CorpusEverythingFireArgs *fargs;
  const CorpusEverythingByValueArgs *bargs;
  SynodQuadruple q = { { 0 } };
  g_autoptr (GError) error = NULL;

  g_test_summary ("A oneway method's stub, and the _oneway form of any other method, call "
                  "synod_invoke_oneway.");
  g_assert_true (corpus_everything_fire (TARGET, "evt", 3, &error));
  g_assert_cmpstr (recorded.form, ==, "oneway");
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_FIRE);
  fargs = recorded.args;
  g_assert_cmpstr (fargs->event, ==, "evt");
  g_assert_cmpint (fargs->count, ==, 3);

  g_assert_true (corpus_everything_by_value_oneway (TARGET, 12, 0, 0, 0, 0, 0, q, FALSE,
                                                    CORPUS_TYPES_RED, &error));
  g_assert_cmpstr (recorded.form, ==, "oneway");
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_BY_VALUE);
  bargs = recorded.args;
  g_assert_cmpint (bargs->i, ==, 12);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (corpus_renamed_switch (TARGET, &error));
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (recorded.method == CORPUS_RENAMED_METHOD_SWITCH);
  recorded_reset ();
}

typedef struct
{
  GMainLoop *loop;
  gchar *result;
  gboolean ok;
  GError *error;
} AsyncData;

static void
strings_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncData *data = user_data;

  data->ok = corpus_everything_strings_finish (TARGET, res, &data->result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_stub_async (void)
{
  AsyncData data = { 0 };
  const CorpusEverythingStringsArgs *sargs;
  const gchar *canned_str = "async result";

  g_test_summary ("An async stub packs its arguments for synod_invoke_async; the _finish stub "
                  "takes the result from synod_invoke_finish.");
  canned_result = &canned_str;
  data.loop = g_main_loop_new (NULL, FALSE);
  corpus_everything_strings_async (TARGET, "one", "two", "three", NULL, strings_done, &data);
  g_assert_cmpstr (recorded.form, ==, "async");
  g_assert_true (recorded.method == CORPUS_EVERYTHING_METHOD_STRINGS);
  sargs = recorded.args;
  g_assert_cmpstr (sargs->any, ==, "two");
  g_main_loop_run (data.loop);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpstr (data.result, ==, "async result");
  g_free (data.result);
  g_main_loop_unref (data.loop);
  recorded_reset ();
}

static void
test_auto_cleanup (void)
{
  g_autoptr (CorpusTypesArrays) heap = g_new0 (CorpusTypesArrays, 1);
  g_auto (CorpusTypesName) name = g_strdup ("auto");
  g_autoptr (CorpusTypesNames) names = g_new0 (CorpusTypesNames, 1);
  g_auto (CorpusTypesNameTriple) triple = { g_strdup ("1"), NULL, g_strdup ("3") };
  g_auto (file) f = { 0 };

  g_test_summary ("g_auto and g_autoptr work on every owning type, arrays included (a leak or "
                  "a double free shows under the sanitizers).");
  heap->label = g_strdup ("heap");
  heap->items.len = 1;
  heap->items.val = g_new0 (CorpusTypesScalars, 1);
  names->len = 1;
  names->val = g_new0 (CorpusTypesName, 1);
  names->val[0] = g_strdup ("x");
  f.filename = g_strdup ("f");
  f.type.kind = DATA;
  f.type.u.creator = g_strdup ("c");
  g_assert_cmpstr (name, ==, "auto");
  g_assert_cmpstr (triple[2], ==, "3");
  corpus_types_name_triple_clear (&triple);
  g_assert_null (triple[0]);
  g_assert_null (triple[2]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/idl/generated/scalars", test_scalars);
  g_test_add_func ("/idl/generated/arrays", test_arrays);
  g_test_add_func ("/idl/generated/typedefs", test_typedefs);
  g_test_add_func ("/idl/generated/constants", test_constants);
  g_test_add_func ("/idl/generated/enums", test_enums);
  g_test_add_func ("/idl/generated/unions", test_unions);
  g_test_add_func ("/idl/generated/inline", test_inline);
  g_test_add_func ("/idl/generated/recursive", test_recursive);
  g_test_add_func ("/idl/generated/names", test_names);
  g_test_add_func ("/idl/generated/interfaces", test_interfaces);
  g_test_add_func ("/idl/generated/xml-types", test_xml_types);
  g_test_add_func ("/idl/generated/codec-roundtrip", test_codec_roundtrip);
  g_test_add_func ("/idl/generated/codec-unions", test_codec_unions);
  g_test_add_func ("/idl/generated/invoker-values", test_invoker_values);
  g_test_add_func ("/idl/generated/invoker-pointers", test_invoker_pointers);
  g_test_add_func ("/idl/generated/invoker-unimplemented", test_invoker_unimplemented);
  g_test_add_func ("/idl/generated/stub-sync", test_stub_sync);
  g_test_add_func ("/idl/generated/stub-pointers", test_stub_pointers);
  g_test_add_func ("/idl/generated/stub-oneway", test_stub_oneway);
  g_test_add_func ("/idl/generated/stub-async", test_stub_async);
  g_test_add_func ("/idl/generated/auto-cleanup", test_auto_cleanup);
  return g_test_run ();
}
