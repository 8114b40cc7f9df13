/* linearizability.h — a linearizability checker for histories of the
 * key-value state variable (GET, PUT, DELETE, CAS on single keys).
 *
 * Linearizability is local (Herlihy and Wing): a history is linearizable
 * iff its restriction to each key is, so the checker splits by key and
 * searches each key's history with the Wing-Gong-Lowe algorithm (depth
 * first over "minimal" operations, memoizing visited (set, state) pairs).
 * Operations that never completed (the client gave up, or the run ended)
 * may take effect at any point after their invocation, or not at all. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LIN_GET,
  LIN_PUT,
  LIN_DELETE,
  LIN_CAS,
} LinOpKind;

/* A value is a string, or NULL for "absent". */
typedef struct
{
  LinOpKind kind;
  gchar *key;
  gchar *value;    /* PUT, CAS: the value written */
  gchar *expected; /* CAS: expected value (NULL: must be absent) */
  gint64 invoke;
  gint64 response; /* G_MAXINT64 while incomplete */
  /* The observed result, when complete: */
  gboolean ok;   /* PUT/DELETE/CAS succeeded (DELETE: key existed) */
  gchar *result; /* GET: value read; PUT/DELETE: previous value; CAS: value after */
} LinOp;

typedef struct _LinHistory LinHistory;

LinHistory *lin_history_new (void);
void lin_history_free (LinHistory *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LinHistory, lin_history_free)

/* Adds an operation (copied); returns its index for lin_history_complete(). */
guint lin_history_invoke (LinHistory *h, LinOpKind kind, const gchar *key, const gchar *value,
                          const gchar *expected, gint64 invoke);
void lin_history_complete (LinHistory *h, guint index, gint64 response, gboolean ok,
                           const gchar *result);
guint lin_history_size (LinHistory *h);

/* Returns TRUE when linearizable; otherwise @ret_key names a key whose
 * history is not. Gives up (returns TRUE, *ret_gave_up set) beyond
 * @max_states explored states of one key. */
gboolean lin_history_check (LinHistory *h, guint max_states, gchar **ret_key,
                            gboolean *ret_gave_up);

G_END_DECLS
