/* bft-cluster.h — a BFT service on four (3f+1) real synodd daemons on
 * loopback, each with its ReplicaServer and Coordinator from a
 * configuration file, and a client side (a broker and network in the test
 * process) that calls the Coordinators and checks proofs.
 *
 * The daemons are those of tests/common/synod-test-daemon.h (kernel-chosen
 * port, readiness on --ready-fd, dying with the test, log in the state
 * directory); what this adds is the BFT part: keys, configuration files,
 * waiting for the objects and talking to them. */
#pragma once

#include <synod.h>

#include "synod-bft.h"
#include "synod-test-daemon.h"
#include "synod-bft.h"

G_BEGIN_DECLS

#define BFT_CLUSTER_MAX 16

typedef struct
{
  guint f;
  const gchar *service;
  const gchar *state_variable;
  const gchar *faults[BFT_CLUSTER_MAX]; /* per replica, NULL: none */
  guint checkpoint_interval;
  gboolean sync;
  guint view_change_timeout_ms;
  guint request_timeout_ms;
  gboolean no_sign_replies;
  guint max_batch; /* 0: the default */
  /* Adds to replica @replica's synodd configuration (a web site...). */
  void (*configure) (GKeyFile *config, guint replica, gpointer data);
  gpointer configure_data;
} BftClusterOptions;

typedef struct
{
  BftClusterOptions options;
  guint n;
  gchar *dir;
  gchar *keys_dir;
  SynodBftKeys *public_keys;
  SynodTestDaemon *daemons[BFT_CLUSTER_MAX];
  SynodBroker *broker;
  SynodNetwork *network;
} BftCluster;

void bft_cluster_options_init (BftClusterOptions *options);
BftCluster *bft_cluster_start (const BftClusterOptions *options, GError **error);
gchar *bft_cluster_write_unreplicated_config (BftCluster *cluster, GError **error);
const gchar *bft_cluster_plugin_path (void);
void bft_cluster_free (BftCluster *cluster);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BftCluster, bft_cluster_free)

gboolean bft_cluster_wait_ready (BftCluster *cluster, guint timeout_ms, GError **error);
SynodRef *bft_cluster_coordinator (BftCluster *cluster, guint client);
SynodRef *bft_cluster_replica (BftCluster *cluster, guint replica);
gboolean bft_cluster_status (BftCluster *cluster, guint replica, SynodBftReplicaStatus *ret,
                             GError **error);
gboolean bft_cluster_issue (BftCluster *cluster, guint coordinator, guint64 client, guint64 number,
                            GBytes *op, gboolean read_only, SynodBftResult *ret_result,
                            GError **error);
gboolean bft_cluster_kill (BftCluster *cluster, guint replica, int signal_number);
gboolean bft_cluster_restart (BftCluster *cluster, guint replica, GError **error);

G_END_DECLS
