/* pbft-harness.h — a hand-driven cluster for targeted tests: zero-delay
 * FIFO delivery, a filter that can drop or hold any message, and time
 * that moves only when the test says so. */
#pragma once

#include "pbft-private.h"
#include "synod-pbft.h"

G_BEGIN_DECLS

#define HARNESS_MAX_NODES 16

typedef struct
{
  guint from;
  guint to;
  SynodPbftMessageType type;
  GBytes *data;
} HMsg;

typedef struct _Harness Harness;
/* Return FALSE to drop the message. */
typedef gboolean (*HarnessFilter) (Harness *h, HMsg *msg, gpointer user_data);

struct _Harness
{
  SynodPbftConfig config;
  guint n, f, n_clients;
  gint64 now;
  SynodPbftKeyring *keys[HARNESS_MAX_NODES];
  SynodPbftReplica *replicas[HARNESS_MAX_NODES];
  SynodStateVariable *states[HARNESS_MAX_NODES];
  SynodPbftStore *stores[HARNESS_MAX_NODES];
  gint64 timers[HARNESS_MAX_NODES][SYNOD_PBFT_N_TIMERS];
  SynodPbftClient *clients[HARNESS_MAX_NODES];
  gint64 client_timers[HARNESS_MAX_NODES];
  gboolean down[HARNESS_MAX_NODES];
  GQueue queue; /* of HMsg * */
  HarnessFilter filter;
  gpointer filter_data;
  GPtrArray *done; /* of SynodPbftOutput *, DONE and FAILED of all clients */
  guint executed[HARNESS_MAX_NODES];
  guint64 last_exec_seq[HARNESS_MAX_NODES];
  gint64 clock_offset[HARNESS_MAX_NODES];
  guint batches[HARNESS_MAX_NODES];
  guint max_batch_seen;
  gchar *lmdb_dir; /* stores in LMDB under this directory when set */
  gboolean keep_dir;
  guint store_resets; /* damaged stores moved aside at boot */
};

/* The filter every new harness starts with (NULL: none). */
extern HarnessFilter harness_default_filter;

/* Config defaults for tests; @tweak may change it before replicas start. */
Harness *harness_new (guint f, guint n_clients, void (*tweak) (SynodPbftConfig *config));
Harness *harness_new_lmdb (guint f, guint n_clients, void (*tweak) (SynodPbftConfig *config));
/* Stores in @dir (kept when the harness is freed). */
Harness *harness_new_lmdb_at (const gchar *dir, guint f, guint n_clients,
                              void (*tweak) (SynodPbftConfig *config));
void harness_free (Harness *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Harness, harness_free)

guint harness_client_node (Harness *h, guint client);
void harness_boot (Harness *h, guint replica);
void harness_crash (Harness *h, guint replica);
void harness_pump (Harness *h);
void harness_advance (Harness *h, gint64 delta);
gboolean harness_run_until_done (Harness *h, guint n_done, gint64 max_time);
void harness_submit (Harness *h, guint client, guint64 client_id, guint64 number, GBytes *op,
                     gboolean read_only);
void harness_inject (Harness *h, guint to, GBytes *data);
SynodPbftOutput *harness_find_done (Harness *h, guint64 client_id, guint64 number);
void harness_remove_tree (const gchar *path);

G_END_DECLS
