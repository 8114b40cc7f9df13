/* pbft-config.c — defaults and validation of a service's configuration. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pbft-config.h"
#include "pbft.h"
#include "synod-bft-error.h"

/**
 * synod_pbft_config_init:
 * @service: the service id
 * @f: faults to tolerate (n = 3f+1)
 *
 * Fills @config with defaults suited to a LAN: checkpoints every 128
 * batches, a window of 256, batches of up to 64 requests, a 1 s view-change
 * timeout, status every 250 ms.
 */
void
synod_pbft_config_init (SynodPbftConfig *config, guint64 service, guint f)
{
  *config = (SynodPbftConfig){
    .service = service,
    .f = f,
    .checkpoint_interval = 128,
    .window = 256,
    .max_batch = 64,
    .max_batch_bytes = 1 << 20,
    .max_inflight = 4,
    .max_pending = 16384,
    .max_deferred_reads = 1024,
    .max_clients = 65536,
    .max_message_size = 64 << 20,
    .view_change_timeout = 1 * G_USEC_PER_SEC,
    .max_view_change_timeout = 60 * G_USEC_PER_SEC,
    .status_interval = G_USEC_PER_SEC / 4,
    .max_clock_skew = 30 * G_USEC_PER_SEC,
    .client_timeout = G_USEC_PER_SEC / 2,
    .client_read_only_timeout = G_USEC_PER_SEC / 4,
    .client_max_attempts = 8,
    .sign_requests = FALSE,
    .sign_replies = TRUE,
    .random_seed = TRUE,
  };
}

gboolean
synod_pbft_config_validate (const SynodPbftConfig *config, GError **error)
{
  const gchar *problem = NULL;

  if (config->f < 1 || 3 * config->f + 1 > SYNOD_PBFT_MAX_REPLICAS)
    problem = _ ("f must be between 1 and 21");
  else if (config->checkpoint_interval < 1)
    problem = _ ("the checkpoint interval must be positive");
  else if (config->window < 2 * config->checkpoint_interval
           || config->window % config->checkpoint_interval != 0
           || config->window > SYNOD_PBFT_MAX_LOG_ENTRIES / SYNOD_PBFT_MAX_QSET)
    problem = _ ("the window must be a multiple of the checkpoint interval, at least twice it, "
                 "and at most 4096");
  else if (config->max_batch < 1 || config->max_batch > SYNOD_PBFT_MAX_BATCH)
    problem = _ ("the batch size must be between 1 and 1024");
  else if (config->max_inflight < 1 || config->max_inflight > config->window)
    problem = _ ("the in-flight limit must be between 1 and the window");
  else if (config->max_pending < 1 || config->max_deferred_reads < 1)
    problem = _ ("the pending and deferred-read limits must be positive");
  else if (config->max_clients < 1 || config->max_clients > SYNOD_PBFT_MAX_CLIENT_RECORDS)
    problem = _ ("the number of client records must be between 1 and 1048576");
  else if (config->max_message_size < 4096)
    problem = _ ("the message size limit must be at least 4096 bytes");
  else if (config->view_change_timeout <= 0
           || config->max_view_change_timeout < config->view_change_timeout
           || config->status_interval <= 0 || config->client_timeout <= 0
           || config->client_read_only_timeout <= 0 || config->max_clock_skew <= 0)
    problem = _ ("timeouts and intervals must be positive");
  else if (config->client_max_attempts < 1)
    problem = _ ("a client must try at least once");
  if (problem == NULL)
    return TRUE;
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
               _ ("Invalid PBFT configuration: %s"), problem);
  return FALSE;
}
