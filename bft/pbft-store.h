/* pbft-store.h — a replica's durable store.
 *
 * Four tables of byte keys and values: META (view, stable checkpoint
 * proof, last new-view), ENTRY (per sequence number: what was
 * pre-prepared, prepared, committed), BATCH (the batches themselves, by
 * sequence number and digest) and CHECKPOINT (the replica's own
 * checkpoints with their state snapshots). Writes made while a replica
 * handles one input form one transaction, committed before any output of
 * that input leaves the replica: a message that says "I prepared" is never
 * sent before the fact is durable. Each value carries a truncated SHA-256 of
 * its key and payload, so a damaged record is detected when read.
 *
 * Two implementations: LMDB (durable across kill -9, and across power loss
 * unless opened without sync) and memory (for simulations and benchmarks:
 * it survives a replica object being destroyed and recreated, which is how
 * the simulator models a crash). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SYNOD_PBFT_TABLE_META,
  SYNOD_PBFT_TABLE_ENTRY,
  SYNOD_PBFT_TABLE_BATCH,
  SYNOD_PBFT_TABLE_CHECKPOINT,
  SYNOD_PBFT_N_TABLES,
} SynodPbftTable;

typedef struct _SynodPbftStore SynodPbftStore;

/* Called for each record in key order; return FALSE to stop. */
typedef gboolean (*SynodPbftStoreFunc) (GBytes *key, GBytes *value, gpointer user_data);

SynodPbftStore *synod_pbft_store_new_memory (void);
SynodPbftStore *synod_pbft_store_open_lmdb (const gchar *path, gsize map_size, gboolean sync,
                                            GError **error);
SynodPbftStore *synod_pbft_store_open_lmdb_or_reset (const gchar *path, gsize map_size,
                                                     gboolean sync, gboolean *ret_was_reset,
                                                     GError **error);
SynodPbftStore *synod_pbft_store_ref (SynodPbftStore *store);
void synod_pbft_store_unref (SynodPbftStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodPbftStore, synod_pbft_store_unref)

gboolean synod_pbft_store_put (SynodPbftStore *store, SynodPbftTable table, GBytes *key,
                               GBytes *value, GError **error);
/* Returns FALSE with no error when the key is absent. */
gboolean synod_pbft_store_get (SynodPbftStore *store, SynodPbftTable table, GBytes *key,
                               GBytes **ret_value, GError **error);
gboolean synod_pbft_store_delete (SynodPbftStore *store, SynodPbftTable table, GBytes *key,
                                  GError **error);
/* Deletes every key that sorts before @limit. */
gboolean synod_pbft_store_delete_below (SynodPbftStore *store, SynodPbftTable table, GBytes *limit,
                                        GError **error);
gboolean synod_pbft_store_foreach (SynodPbftStore *store, SynodPbftTable table,
                                   SynodPbftStoreFunc func, gpointer user_data, GError **error);
/* Deletes everything (a store found damaged is wiped and refilled by state
 * transfer). */
gboolean synod_pbft_store_wipe (SynodPbftStore *store, GError **error);
gboolean synod_pbft_store_commit (SynodPbftStore *store, GError **error);
void synod_pbft_store_abort (SynodPbftStore *store);

G_END_DECLS
