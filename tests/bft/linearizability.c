/* linearizability.c — Wing-Gong-Lowe search per key (see the header). */
#include "config.h"

#include <string.h>

#include "linearizability.h"

struct _LinHistory
{
  GPtrArray *ops; /* of LinOp */
};

static void
lin_op_free (gpointer data)
{
  LinOp *op = data;

  g_free (op->key);
  g_free (op->value);
  g_free (op->expected);
  g_free (op->result);
  g_free (op);
}

LinHistory *
lin_history_new (void)
{
  LinHistory *h = g_new0 (LinHistory, 1);

  h->ops = g_ptr_array_new_with_free_func (lin_op_free);
  return h;
}

void
lin_history_free (LinHistory *h)
{
  if (h == NULL)
    return;
  g_ptr_array_unref (h->ops);
  g_free (h);
}

guint
lin_history_invoke (LinHistory *h, LinOpKind kind, const gchar *key, const gchar *value,
                    const gchar *expected, gint64 invoke)
{
  LinOp *op = g_new0 (LinOp, 1);

  op->kind = kind;
  op->key = g_strdup (key);
  op->value = g_strdup (value);
  op->expected = g_strdup (expected);
  op->invoke = invoke;
  op->response = G_MAXINT64;
  g_ptr_array_add (h->ops, op);
  return h->ops->len - 1;
}

void
lin_history_complete (LinHistory *h, guint index, gint64 response, gboolean ok, const gchar *result)
{
  LinOp *op = g_ptr_array_index (h->ops, index);

  op->response = response;
  op->ok = ok;
  g_free (op->result);
  op->result = g_strdup (result);
}

guint
lin_history_size (LinHistory *h)
{
  return h->ops->len;
}

/* Applies @op to @state (a value or NULL); returns FALSE when a complete
 * op's observed result contradicts the model. *next is the new state. */
static gboolean
apply (const LinOp *op, const gchar *state, const gchar **next)
{
  gboolean complete = op->response != G_MAXINT64;

  switch (op->kind)
    {
      case LIN_GET:
        *next = state;
        return !complete || g_strcmp0 (op->result, state) == 0;
      case LIN_PUT:
        *next = op->value;
        return !complete || g_strcmp0 (op->result, state) == 0;
      case LIN_DELETE:
        *next = NULL;
        return !complete || (op->ok == (state != NULL) && g_strcmp0 (op->result, state) == 0);
      case LIN_CAS:
        {
          gboolean match = g_strcmp0 (op->expected, state) == 0;

          *next = match ? op->value : state;
          return !complete || (op->ok == match && g_strcmp0 (op->result, *next) == 0);
        }
      default:
        return FALSE;
    }
}

typedef struct
{
  GPtrArray *ops; /* of LinOp *, this key's, sorted by invoke */
  guint n;
  guint8 *done;     /* bitset of linearized ops */
  GHashTable *seen; /* "bitset|state" strings */
  guint max_states;
  gboolean gave_up;
} Search;

static gchar *
memo_key (Search *s, const gchar *state)
{
  GString *k = g_string_new (NULL);

  for (guint i = 0; i < (s->n + 7) / 8; i++)
    g_string_append_printf (k, "%02x", s->done[i]);
  g_string_append_c (k, '|');
  if (state == NULL)
    g_string_append_c (k, '-');
  else
    {
      g_string_append_c (k, '=');
      g_string_append (k, state);
    }
  return g_string_free (k, FALSE);
}

static gboolean
is_done (Search *s, guint i)
{
  return (s->done[i / 8] >> (i % 8)) & 1;
}

static void
set_done (Search *s, guint i, gboolean v)
{
  if (v)
    s->done[i / 8] |= 1 << (i % 8);
  else
    s->done[i / 8] &= ~(1 << (i % 8));
}

static gboolean
search (Search *s, const gchar *state)
{
  gint64 min_response = G_MAXINT64;
  gboolean all_complete_done = TRUE;
  gchar *key;

  for (guint i = 0; i < s->n; i++)
    if (!is_done (s, i))
      {
        const LinOp *op = g_ptr_array_index (s->ops, i);

        if (op->response != G_MAXINT64)
          all_complete_done = FALSE;
        min_response = MIN (min_response, op->response);
      }
  /* Incomplete operations may simply not have happened. */
  if (all_complete_done)
    return TRUE;
  key = memo_key (s, state);
  if (g_hash_table_contains (s->seen, key))
    {
      g_free (key);
      return FALSE;
    }
  if (g_hash_table_size (s->seen) >= s->max_states)
    {
      g_free (key);
      s->gave_up = TRUE;
      return TRUE;
    }
  g_hash_table_add (s->seen, key);

  for (guint i = 0; i < s->n; i++)
    {
      const LinOp *op = g_ptr_array_index (s->ops, i);
      const gchar *next = NULL;

      if (is_done (s, i))
        continue;
      /* Only an op invoked before every pending op's response can be next. */
      if (op->invoke > min_response)
        break;
      if (!apply (op, state, &next))
        continue;
      set_done (s, i, TRUE);
      if (search (s, next))
        return TRUE;
      set_done (s, i, FALSE);
    }
  return FALSE;
}

static gint
by_invoke (gconstpointer a, gconstpointer b)
{
  const LinOp *x = *(const LinOp **)a, *y = *(const LinOp **)b;

  return x->invoke < y->invoke ? -1 : x->invoke > y->invoke;
}

gboolean
lin_history_check (LinHistory *h, guint max_states, gchar **ret_key, gboolean *ret_gave_up)
{
  g_autoptr (GHashTable) by_key
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
  GHashTableIter it;
  gpointer k, v;

  if (ret_gave_up)
    *ret_gave_up = FALSE;
  for (guint i = 0; i < h->ops->len; i++)
    {
      LinOp *op = g_ptr_array_index (h->ops, i);
      GPtrArray *list = g_hash_table_lookup (by_key, op->key);

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_key, op->key, list);
        }
      g_ptr_array_add (list, op);
    }
  g_hash_table_iter_init (&it, by_key);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      GPtrArray *list = v;
      Search s = { .ops = list, .n = list->len, .max_states = max_states };
      gboolean ok;

      g_ptr_array_sort (list, by_invoke);
      s.done = g_malloc0 ((s.n + 7) / 8 + 1);
      s.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      ok = search (&s, NULL);
      g_free (s.done);
      g_hash_table_unref (s.seen);
      if (s.gave_up && ret_gave_up)
        *ret_gave_up = TRUE;
      if (!ok)
        {
          if (ret_key)
            *ret_key = g_strdup (k);
          return FALSE;
        }
    }
  return TRUE;
}
