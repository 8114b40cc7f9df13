/* pbft-store-private.h — the interface store implementations fill in.
 * Values here are raw (framed with their check bytes by pbft-store.c). */
#pragma once

#include "pbft-store.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean (*put) (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes *value,
                   GError **error);
  gboolean (*get) (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GBytes **ret_value,
                   GError **error);
  gboolean (*delete) (SynodPbftStore *store, SynodPbftTable table, GBytes *key, GError **error);
  gboolean (*delete_below) (SynodPbftStore *store, SynodPbftTable table, GBytes *limit,
                            GError **error);
  gboolean (*foreach) (SynodPbftStore *store, SynodPbftTable table, SynodPbftStoreFunc func,
                       gpointer user_data, GError **error);
  gboolean (*commit) (SynodPbftStore *store, GError **error);
  void (*abort) (SynodPbftStore *store);
  void (*finalize) (SynodPbftStore *store);
} SynodPbftStoreClass;

struct _SynodPbftStore
{
  const SynodPbftStoreClass *klass;
  gatomicrefcount ref;
};

G_END_DECLS
