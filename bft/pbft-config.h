/* pbft-config.h — the parameters of one replicated service.
 *
 * Every replica and every client of a service must use the same values for
 * the fields marked (agreed); the others are local tuning. Times are in
 * microseconds of the clock the driver passes in (`now`). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SynodPbftConfig:
 * @service: (agreed) the service id; messages of another service are dropped
 * @f: (agreed) faults tolerated; n = 3f+1 replicas with ids 0..n-1, and
 *   client nodes have ids >= n
 * @checkpoint_interval: (agreed) K: a checkpoint every K sequence numbers
 * @window: (agreed) L: sequence numbers in (h, h+L] may be pre-prepared,
 *   h the last stable checkpoint; a multiple of K, at least 2K
 * @max_batch: requests per pre-prepare (agreed: backups reject larger)
 * @max_batch_bytes: operation bytes per pre-prepare (local, primary only)
 * @max_inflight: batches the primary has pre-prepared and not yet executed
 * @max_pending: client requests a replica keeps waiting for execution
 * @max_deferred_reads: read-only requests waiting for execution to catch up
 * @max_clients: (agreed) last replies kept in the replicated state; the
 *   oldest are forgotten at checkpoints beyond this
 * @max_message_size: bytes of one encoded message
 * @view_change_timeout: first timeout before a backup suspects the primary;
 *   doubles with every view that fails to make progress
 * @max_view_change_timeout: the doubling stops here
 * @status_interval: period of STATUS messages and retransmissions
 * @max_clock_skew: (agreed) backups reject pre-prepares whose timestamp is
 *   further than this from their own clock
 * @client_timeout: a client's first retransmission timeout (doubles)
 * @client_read_only_timeout: wait for 2f+1 read-only replies before the
 *   ordered fallback
 * @client_max_attempts: transmissions of one request before it fails
 * @sign_requests: (agreed) clients sign requests with Ed25519 instead of
 *   MAC authenticators
 * @sign_replies: (agreed) replicas sign every reply (the proofs browsers check)
 * @random_seed: (agreed) the primary proposes a verifiable random seed
 */
typedef struct
{
  guint64 service;
  guint f;
  guint checkpoint_interval;
  guint window;
  guint max_batch;
  gsize max_batch_bytes;
  guint max_inflight;
  guint max_pending;
  guint max_deferred_reads;
  guint max_clients;
  gsize max_message_size;
  gint64 view_change_timeout;
  gint64 max_view_change_timeout;
  gint64 status_interval;
  gint64 max_clock_skew;
  gint64 client_timeout;
  gint64 client_read_only_timeout;
  guint client_max_attempts;
  gboolean sign_requests;
  gboolean sign_replies;
  gboolean random_seed;
} SynodPbftConfig;

void synod_pbft_config_init (SynodPbftConfig *config, guint64 service, guint f);
gboolean synod_pbft_config_validate (const SynodPbftConfig *config, GError **error);

static inline guint
synod_pbft_config_n (const SynodPbftConfig *config)
{
  return 3 * config->f + 1;
}

G_END_DECLS
