/* codec-test-util.c — random values of described types, byte comparison. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "codec-test-util.h"

static const gchar *const pieces[] = {
  "a", "b", "z", "Q", "0", "9", " ", "-", "_", ".", "é", "€", "ß", "日", "\t", "~",
};

static gchar *
random_text (GRand *rand, guint32 bound)
{
  guint32 want = MIN (bound, 24);
  guint32 len = (guint32)g_rand_int_range (rand, 0, (gint32)want + 1);
  GString *text = g_string_new (NULL);

  while (text->len < len)
    {
      const gchar *piece = pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))];

      if (text->len + strlen (piece) > len)
        piece = "x";
      g_string_append (text, piece);
    }
  return g_string_free (text, FALSE);
}

static gfloat
random_float (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 12))
    {
      case 0:
        return 0.0f;
      case 1:
        return -0.0f;
      case 2:
        return INFINITY;
      case 3:
        return -FLT_MAX;
      default:
        return (gfloat)g_rand_double_range (rand, -1e6, 1e6);
    }
}

static gdouble
random_double (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 12))
    {
      case 0:
        return 0.0;
      case 1:
        return -0.0;
      case 2:
        return -INFINITY;
      case 3:
        return DBL_MIN;
      default:
        return g_rand_double_range (rand, -1e12, 1e12);
    }
}

static guint32
random_length (GRand *rand, guint32 bound, guint32 most)
{
  return (guint32)g_rand_int_range (rand, 0, (gint32)MIN (bound, most) + 1);
}

void
codec_test_random_value (const SynodTypeDesc *type, gpointer out, GRand *rand, guint budget)
{
  guint8 *p = out;

  switch (type->kind)
    {
      case SYNOD_TYPE_VOID:
        break;
      case SYNOD_TYPE_INT:
      case SYNOD_TYPE_UINT:
        *(guint32 *)(gpointer)p = g_rand_int (rand);
        break;
      case SYNOD_TYPE_HYPER:
      case SYNOD_TYPE_UHYPER:
        *(guint64 *)(gpointer)p = ((guint64)g_rand_int (rand) << 32) | g_rand_int (rand);
        break;
      case SYNOD_TYPE_FLOAT:
        *(gfloat *)(gpointer)p = random_float (rand);
        break;
      case SYNOD_TYPE_DOUBLE:
        *(gdouble *)(gpointer)p = random_double (rand);
        break;
      case SYNOD_TYPE_QUADRUPLE:
      case SYNOD_TYPE_OPAQUE_FIXED:
        for (gsize i = 0; i < (type->kind == SYNOD_TYPE_QUADRUPLE ? 16 : type->bound); i++)
          p[i] = (guint8)g_rand_int (rand);
        break;
      case SYNOD_TYPE_BOOL:
        *(gboolean *)(gpointer)p = g_rand_boolean (rand);
        break;
      case SYNOD_TYPE_ENUM:
        *(gint32 *)(gpointer)p = type->values[g_rand_int_range (rand, 0, (gint32)type->n_values)].value;
        break;
      case SYNOD_TYPE_STRING:
        *(gchar **)(gpointer)p = random_text (rand, type->bound);
        break;
      case SYNOD_TYPE_OBJECT_ID:
        {
          SynodObjectId *id = (SynodObjectId *)(gpointer)p;

          id->peer = ((guint64)g_rand_int (rand) << 32) | g_rand_int (rand);
          id->serial = g_rand_int (rand);
        }
        break;
      case SYNOD_TYPE_OPAQUE_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)p;

          array->len = random_length (rand, type->bound, 11);
          array->val = array->len > 0 ? g_malloc (array->len) : NULL;
          for (guint32 i = 0; i < array->len; i++)
            ((guint8 *)array->val)[i] = (guint8)g_rand_int (rand);
        }
        break;
      case SYNOD_TYPE_ARRAY_FIXED:
        for (guint32 i = 0; i < type->bound; i++)
          codec_test_random_value (type->element, p + (gsize)i * type->element->c_size, rand,
                                   budget);
        break;
      case SYNOD_TYPE_ARRAY_VAR:
        {
          SynodArray *array = (SynodArray *)(gpointer)p;

          array->len = budget > 0 ? random_length (rand, type->bound, 5) : 0;
          array->val = array->len > 0 ? g_malloc0_n (array->len, type->element->c_size) : NULL;
          for (guint32 i = 0; i < array->len; i++)
            codec_test_random_value (type->element,
                                     (guint8 *)array->val + (gsize)i * type->element->c_size, rand,
                                     budget - 1);
        }
        break;
      case SYNOD_TYPE_OPTIONAL:
        if (budget > 0 && g_rand_int_range (rand, 0, 3) > 0)
          {
            gpointer target = g_malloc0 (MAX (type->element->c_size, 1));

            codec_test_random_value (type->element, target, rand, budget - 1);
            *(gpointer *)(gpointer)p = target;
          }
        break;
      case SYNOD_TYPE_STRUCT:
        for (guint i = 0; i < type->n_fields; i++)
          codec_test_random_value (type->fields[i].type, p + type->fields[i].offset, rand, budget);
        break;
      case SYNOD_TYPE_UNION:
        {
          guint n = type->n_arms + (type->default_arm != NULL ? 1 : 0);
          guint pick = (guint)g_rand_int_range (rand, 0, (gint32)n);
          const SynodUnionArmDesc *arm;
          gint32 d;

          if (pick < type->n_arms)
            {
              arm = &type->arms[pick];
              d = arm->cases[g_rand_int_range (rand, 0, (gint32)arm->n_cases)];
            }
          else
            {
              /* A discriminant no case names. */
              const SynodUnionArmDesc *chosen;

              arm = type->default_arm;
              do
                {
                  if (type->discriminant->kind == SYNOD_TYPE_ENUM)
                    d = type->discriminant
                            ->values[g_rand_int_range (rand, 0,
                                                       (gint32)type->discriminant->n_values)]
                            .value;
                  else
                    d = (gint32)g_rand_int_range (rand, -1000, 1000);
                  chosen = NULL;
                  for (guint i = 0; i < type->n_arms && chosen == NULL; i++)
                    for (guint j = 0; j < type->arms[i].n_cases; j++)
                      if (type->arms[i].cases[j] == d)
                        chosen = &type->arms[i];
                }
              while (chosen != NULL);
            }
          *(gint32 *)(gpointer)p = d;
          codec_test_random_value (arm->type, p + type->union_offset, rand,
                                   budget > 0 ? budget - 1 : 0);
        }
        break;
      default:
        g_assert_not_reached ();
    }
}

gchar *
codec_test_hex (gconstpointer data, gsize len)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (text, "%s%02x", i == 0 ? "" : (i % 4 == 0 ? " | " : " "),
                            ((const guint8 *)data)[i]);
  return g_string_free (text, FALSE);
}

void
codec_test_assert_bytes_equal (const char *file, int line, const char *aname, gconstpointer a,
                               gsize alen, const char *bname, gconstpointer b, gsize blen)
{
  g_autofree gchar *ha = NULL;
  g_autofree gchar *hb = NULL;
  g_autofree gchar *msg = NULL;

  if (alen == blen && (alen == 0 || memcmp (a, b, alen) == 0))
    return;
  ha = codec_test_hex (a, alen);
  hb = codec_test_hex (b, blen);
  msg = g_strdup_printf ("bytes differ:\n  %s (%" G_GSIZE_FORMAT "): %s\n  %s (%" G_GSIZE_FORMAT
                         "): %s",
                         aname, alen, ha, bname, blen, hb);
  g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
}
