/* bft-replica-server.c — the ReplicaServer class: one replica of a BFT
 * service on one peer (the paper's transaction monitor).
 *
 * It owns a SynodPbftReplica, its LMDB store (under the peer's state
 * directory), its keys and its state variable, an in-process GObject (see
 * docs/bft.md for why). Everything that touches them runs on the object's
 * own thread (bft-loop.h): `deliver` only queues the envelope. What the
 * replica sends leaves through one link per destination (bft-link.h): to
 * the other replicas' ReplicaServers ("bft.SERVICE.replica.I") and, for
 * replies, to the Coordinator holding the request's origin node
 * ("bft.SERVICE.client.J"). An injected fault (pbft-faults.h) changes what
 * it sends or when it stops. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bft-classes.h"
#include "bft-link.h"
#include "bft-loop.h"
#include "pbft-replica.h"
#include "pbft-wire.h"
#include "synod-bft-error.h"

#define DEFAULT_MAP_SIZE_MB 1024

typedef struct
{
  SynodBroker *broker;
  SynodObjectId id;
  gchar *service;
  guint32 index;
  guint n;
  SynodPbftConfig config;
  SynodBftKeys *keys;
  SynodPbftKeyring *keyring;
  SynodPbftStore *store;
  gchar *store_path;
  gboolean store_was_reset;
  SynodStateVariable *state;
  SynodPbftReplica *replica;
  SynodBftFault fault;
  gchar *fault_text;
  BftLoop *loop;
  GSource *timers[SYNOD_PBFT_N_TIMERS];
  BftLink **links; /* by node id, made when first needed */
  guint n_links;
  /* loop thread only */
  gboolean processing;
  guint64 executions;
} ReplicaServer;

static const gchar *const known_params[] = {
  "service",
  "replica",
  "keys",
  "f",
  "state-variable",
  "checkpoint-interval",
  "window",
  "max-batch",
  "state-dir",
  "sync",
  "map-size-mb",
  "fault",
  "view-change-timeout-ms",
  "status-interval-ms",
  "max-inflight",
  NULL,
};

/* ---- sending ---- */

static BftLink *
link_for (ReplicaServer *self, guint32 node)
{
  if (node >= self->n_links || node == self->index)
    return NULL;
  if (self->links[node] == NULL)
    {
      g_autofree gchar *name = node < self->n
                                   ? synod_bft_replica_name (self->service, node)
                                   : synod_bft_client_name (self->service, node - self->n);
      gboolean to_replica = node < self->n;

      self->links[node] = bft_link_new (
          self->broker, name,
          to_replica ? synod_bft_replica_server_deliver : synod_bft_coordinator_deliver,
          to_replica ? synod_bft_replica_server_deliver_many : synod_bft_coordinator_deliver_many,
          self->fault.kind == SYNOD_BFT_FAULT_SLOW ? self->fault.delay_ms : 0);
    }
  return self->links[node];
}

static void
send_to (ReplicaServer *self, guint32 to, GBytes *data)
{
  BftLink *link;

  if (to != SYNOD_PBFT_TO_REPLICAS)
    {
      link = link_for (self, to);
      if (link)
        bft_link_send (link, data);
      return;
    }
  for (guint32 r = 0; r < self->n; r++)
    if ((link = link_for (self, r)) != NULL)
      bft_link_send (link, data);
}

/* Where the injected faults act on what the replica sends. */
static void
send_output (ReplicaServer *self, guint32 to, GBytes *data)
{
  switch (self->fault.kind)
    {
      case SYNOD_BFT_FAULT_SILENT:
        return;
      case SYNOD_BFT_FAULT_LYING:
        {
          g_autoptr (GBytes) lie = pbft_fault_lie (self->keyring, &self->config, data, to);

          send_to (self, to, lie ? lie : data);
          return;
        }
      case SYNOD_BFT_FAULT_EQUIVOCATING:
        if (to == SYNOD_PBFT_TO_REPLICAS)
          {
            g_autoptr (GBytes) other = pbft_fault_equivocate (self->keyring, &self->config, data);

            if (other != NULL)
              {
                /* Two valid pre-prepares for one sequence number, split so
                 * that neither can gather a prepared certificate. */
                for (guint32 r = 0; r < self->n; r++)
                  if (r != self->index)
                    send_to (self, r, r % 2 ? other : data);
                return;
              }
          }
        break;
      default:
        break;
    }
  send_to (self, to, data);
}

/* ---- the state machine ---- */

static gboolean on_timer (gpointer data);

typedef struct
{
  ReplicaServer *self;
  SynodPbftTimer timer;
} TimerData;

static void
arm_timer (ReplicaServer *self, SynodPbftTimer timer, gint64 deadline)
{
  TimerData *td;
  gint64 delay_ms;

  if (timer >= SYNOD_PBFT_N_TIMERS)
    return;
  if (self->timers[timer])
    {
      g_source_destroy (self->timers[timer]);
      g_clear_pointer (&self->timers[timer], g_source_unref);
    }
  if (deadline == 0 || !self->processing)
    return;
  delay_ms = MAX (0, (deadline - g_get_real_time () + 999) / 1000);
  td = g_new (TimerData, 1);
  td->self = self;
  td->timer = timer;
  self->timers[timer] = g_timeout_source_new ((guint)MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (self->timers[timer], on_timer, td, g_free);
  g_source_attach (self->timers[timer], bft_loop_get_context (self->loop));
}

static void
stop_processing (ReplicaServer *self)
{
  g_message (_ ("BFT service %s, replica %u: injected fault: stops after %" PRIu64 " executions"),
             self->service, self->index, self->executions);
  self->processing = FALSE;
  for (guint t = 0; t < SYNOD_PBFT_N_TIMERS; t++)
    arm_timer (self, t, 0);
}

static void
drain (ReplicaServer *self)
{
  SynodPbftOutput o;
  gboolean stop = FALSE;

  while (synod_pbft_replica_pop_output (self->replica, &o))
    {
      switch (o.kind)
        {
          case SYNOD_PBFT_OUTPUT_SEND:
            if (self->processing)
              send_output (self, o.to, o.data);
            break;
          case SYNOD_PBFT_OUTPUT_TIMER:
            arm_timer (self, o.timer, o.deadline);
            break;
          case SYNOD_PBFT_OUTPUT_EXECUTED:
            self->executions++;
            if (self->fault.kind == SYNOD_BFT_FAULT_CRASH_AFTER
                && self->executions >= self->fault.count)
              stop = TRUE;
            if (self->fault.kind == SYNOD_BFT_FAULT_CORRUPT_STATE
                && self->executions % self->fault.count == 0)
              pbft_fault_corrupt_state (self->state, NULL);
            break;
          case SYNOD_PBFT_OUTPUT_VIEW:
            g_info ("BFT service %s, replica %u: view %" G_GUINT64_FORMAT " is active (primary %u)",
                    self->service, self->index, o.view, (guint)(o.view % self->n));
            break;
          case SYNOD_PBFT_OUTPUT_STATE_TRANSFERRED:
            g_info ("BFT service %s, replica %u: state transferred up to %" G_GUINT64_FORMAT,
                    self->service, self->index, o.seq);
            break;
          default:
            break;
        }
      synod_pbft_output_clear (&o);
    }
  if (stop && self->processing)
    stop_processing (self);
}

static gboolean
on_timer (gpointer data)
{
  TimerData *td = data;
  ReplicaServer *self = td->self;
  SynodPbftTimer timer = td->timer;

  /* This source is done: forget it before the replica re-arms the timer. */
  g_clear_pointer (&self->timers[timer], g_source_unref);
  if (self->processing)
    {
      synod_pbft_replica_timer_expired (self->replica, g_get_real_time (), timer);
      drain (self);
    }
  return G_SOURCE_REMOVE;
}

static void
on_messages (gpointer owner, GQueue *messages)
{
  ReplicaServer *self = owner;

  if (!self->processing)
    return;
  for (GList *l = messages->head; l; l = l->next)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (l->data, &len);

      synod_pbft_replica_receive (self->replica, g_get_real_time (), data, len);
      drain (self);
      if (!self->processing)
        break;
    }
}

/* First thing on the replica's thread: wait until the broker has made the
 * object reachable, register its name, start the replica. */
static gboolean
begin (gpointer data)
{
  ReplicaServer *self = data;
  g_autofree gchar *name = synod_bft_replica_name (self->service, self->index);
  g_autoptr (SynodObject) object = NULL;
  g_autoptr (GError) error = NULL;

  object = bft_wait_for_object (self->broker, &self->id, 10000);
  if (object == NULL)
    return G_SOURCE_REMOVE; /* creation failed after our hook */
  if (!synod_broker_register_service (self->broker, name, object, &error))
    g_warning (_ ("BFT service %s, replica %u: %s"), self->service, self->index, error->message);
  g_message (_ ("BFT service %s: replica %u of %u (f=%u) ready, state in %s%s%s%s"), self->service,
             self->index, self->n, self->config.f, self->store_path,
             self->store_was_reset ? _ (" (a damaged store was moved aside)") : "",
             self->fault_text[0] ? _ (", injected fault: ") : "", self->fault_text);
  synod_pbft_replica_start (self->replica, g_get_real_time ());
  drain (self);
  return G_SOURCE_REMOVE;
}

/* ---- methods ---- */

static gboolean
rs_deliver (gpointer instance, SynodCall *call, guint32 envelope_len, const guint8 *envelope_val,
            GError **error)
{
  ReplicaServer *self = instance;

  return bft_loop_deliver (self->loop, self->config.max_message_size, envelope_len, envelope_val,
                           error);
}

static gboolean
rs_deliver_many (gpointer instance, SynodCall *call, guint32 envelopes_len,
                 const SynodBftEnvelope *envelopes_val, GError **error)
{
  ReplicaServer *self = instance;

  bft_loop_deliver_many (self->loop, self->config.max_message_size, envelopes_len, envelopes_val);
  return TRUE;
}

typedef struct
{
  ReplicaServer *self;
  SynodBftReplicaStatus status;
} StatusCall;

static void
status_call_clear (gpointer data)
{
  synod_bft_replica_status_clear (&((StatusCall *)data)->status);
}

static gboolean
fill_status (gpointer data)
{
  StatusCall *sc = data;
  ReplicaServer *self = sc->self;
  SynodBftReplicaStatus *s = &sc->status;
  const SynodPbftReplicaStats *stats = synod_pbft_replica_get_stats (self->replica);
  guint64 dropped_out = 0;

  s->service = g_strdup (self->service);
  s->replica = self->index;
  s->view = synod_pbft_replica_get_view (self->replica);
  s->view_active = synod_pbft_replica_is_view_active (self->replica);
  s->primary = s->view % self->n == self->index;
  s->last_executed = synod_pbft_replica_get_last_executed (self->replica);
  s->stable_seq = synod_pbft_replica_get_stable_seq (self->replica);
  synod_state_variable_digest (self->state, s->state_digest);
  s->fault = g_strdup (self->fault_text);
  s->processing = self->processing;
  s->executions = self->executions;
  s->messages = stats->messages;
  s->malformed = stats->malformed;
  s->auth_failures = stats->auth_failures;
  s->view_changes = stats->view_changes;
  s->state_transfers = stats->state_transfers;
  s->store_resets = stats->store_resets + (self->store_was_reset ? 1 : 0);
  s->dropped_inbound = bft_loop_get_dropped (self->loop);
  for (guint i = 0; i < self->n_links; i++)
    if (self->links[i])
      dropped_out += bft_link_get_dropped (self->links[i]);
  s->dropped_outbound = dropped_out;
  return G_SOURCE_REMOVE;
}

static gboolean
rs_status (gpointer instance, SynodCall *call, SynodBftReplicaStatus *ret_result, GError **error)
{
  ReplicaServer *self = instance;
  StatusCall *sc = g_rc_box_new0 (StatusCall);
  gboolean ok;

  sc->self = self;
  ok = bft_loop_call (self->loop, fill_status, sc, 5 * G_USEC_PER_SEC, error);
  if (ok)
    {
      *ret_result = sc->status;
      memset (&sc->status, 0, sizeof sc->status);
    }
  g_rc_box_release_full (sc, status_call_clear);
  return ok;
}

static const SynodBftReplicaServerIface replica_server_vtable = {
  .deliver = rs_deliver,
  .status = rs_status,
  .deliver_many = rs_deliver_many,
};

/* ---- life cycle ---- */

static void
rs_free_members (ReplicaServer *self)
{
  bft_loop_free (self->loop);
  self->loop = NULL;
  for (guint t = 0; t < SYNOD_PBFT_N_TIMERS; t++)
    if (self->timers[t])
      {
        g_source_destroy (self->timers[t]);
        g_clear_pointer (&self->timers[t], g_source_unref);
      }
  for (guint i = 0; i < self->n_links; i++)
    bft_link_free (self->links[i]);
  g_clear_pointer (&self->links, g_free);
  g_clear_pointer (&self->replica, synod_pbft_replica_free);
  g_clear_object (&self->state);
  g_clear_pointer (&self->store, synod_pbft_store_unref);
  g_clear_pointer (&self->keyring, synod_pbft_keyring_unref);
  g_clear_pointer (&self->keys, synod_bft_keys_unref);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->fault_text, g_free);
}

static gboolean
rs_create (SynodObject *object, gpointer instance, GVariant *params, gpointer class_data,
           GError **error)
{
  ReplicaServer *self = instance;
  g_autofree gchar *service = NULL, *keys_dir = NULL, *sv_name = NULL, *state_dir = NULL;
  g_autofree gchar *fault = NULL, *thread_name = NULL;
  guint64 replica = G_MAXUINT64, f = 0, ckpt = 0, window = 0, max_batch = 0;
  guint64 map_size_mb = DEFAULT_MAP_SIZE_MB, vc_ms = 0, status_ms = 0, max_inflight = 0;
  gboolean sync = TRUE;
  const gchar *base;

  if (!bft_params_check (params, SYNOD_BFT_REPLICA_SERVER_CLASS, known_params, error)
      || !bft_param_string (params, "keys", TRUE, &keys_dir, error)
      || !bft_param_uint (params, "replica", 0, SYNOD_PBFT_MAX_REPLICAS - 1, &replica, error)
      || !bft_param_string (params, "service", FALSE, &service, error)
      || !bft_param_uint (params, "f", 1, 21, &f, error)
      || !bft_param_string (params, "state-variable", FALSE, &sv_name, error)
      || !bft_param_uint (params, "checkpoint-interval", 1, 4096, &ckpt, error)
      || !bft_param_uint (params, "window", 2, 4096, &window, error)
      || !bft_param_uint (params, "max-batch", 1, SYNOD_PBFT_MAX_BATCH, &max_batch, error)
      || !bft_param_string (params, "state-dir", FALSE, &state_dir, error)
      || !bft_param_bool (params, "sync", &sync, error)
      || !bft_param_uint (params, "map-size-mb", 16, 1 << 20, &map_size_mb, error)
      || !bft_param_string (params, "fault", FALSE, &fault, error)
      || !bft_param_uint (params, "view-change-timeout-ms", 10, 3600 * 1000, &vc_ms, error)
      || !bft_param_uint (params, "status-interval-ms", 10, 60 * 1000, &status_ms, error)
      || !bft_param_uint (params, "max-inflight", 1, 4096, &max_inflight, error))
    goto fail;
  if (replica == G_MAXUINT64)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The parameter “%s” is required"), "replica");
      goto fail;
    }
  if (!synod_bft_fault_parse (fault ? fault : "none", &self->fault, error))
    goto fail;

  self->keys = synod_bft_keys_load (keys_dir, error);
  if (self->keys == NULL)
    goto fail;
  if (service && strcmp (service, synod_bft_keys_get_name (self->keys)) != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The keys in %s are those of service “%s”, not “%s”"), keys_dir,
                   synod_bft_keys_get_name (self->keys), service);
      goto fail;
    }
  if (synod_bft_keys_get_node (self->keys) != replica
      || (f && f != synod_bft_keys_get_f (self->keys)))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The keys in %s are not those of replica %u of a service with f=%u"),
                   keys_dir, (guint)replica, (guint)(f ? f : synod_bft_keys_get_f (self->keys)));
      goto fail;
    }
  self->broker = synod_object_get_broker (object);
  self->id = *synod_object_get_id (object);
  self->service = g_strdup (synod_bft_keys_get_name (self->keys));
  self->index = replica;
  synod_bft_keys_init_config (self->keys, &self->config);
  self->n = synod_pbft_config_n (&self->config);
  if (self->index >= self->n)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("Replica %u does not exist: the service has %u"), self->index, self->n);
      goto fail;
    }
  if (ckpt)
    {
      self->config.checkpoint_interval = ckpt;
      self->config.window = window ? window : 2 * ckpt;
    }
  else if (window)
    self->config.window = window;
  if (max_batch)
    self->config.max_batch = max_batch;
  if (max_inflight)
    self->config.max_inflight = max_inflight;
  if (vc_ms)
    self->config.view_change_timeout = vc_ms * 1000;
  if (status_ms)
    self->config.status_interval = status_ms * 1000;
  /* A state transfer moves the whole state in one message, which must fit
   * one broker invocation. */
  self->config.max_message_size = SYNOD_BFT_MAX_ENVELOPE;
  if (!synod_pbft_config_validate (&self->config, error))
    goto fail;

  base = state_dir ? state_dir : synod_broker_get_state_dir (self->broker);
  if (base == NULL)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("The peer has no state directory: give the replica a “state-dir”"));
      goto fail;
    }
  {
    g_autofree gchar *leaf = g_strdup_printf ("replica-%u", self->index);

    self->store_path = state_dir ? g_build_filename (base, leaf, NULL)
                                 : g_build_filename (base, "bft", self->service, leaf, NULL);
  }
  if (g_mkdir_with_parents (self->store_path, 0700) != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_STORE,
                   _ ("Cannot create the replica's directory %s"), self->store_path);
      goto fail;
    }
  self->store = synod_pbft_store_open_lmdb_or_reset (self->store_path, map_size_mb << 20, sync,
                                                     &self->store_was_reset, error);
  if (self->store == NULL)
    goto fail;
  self->state = synod_bft_state_variable_new (sv_name ? sv_name : "Synod.KeyValue", error);
  if (self->state == NULL)
    goto fail;
  self->keyring = synod_bft_keys_new_keyring (self->keys, error);
  if (self->keyring == NULL)
    goto fail;
  self->replica
      = synod_pbft_replica_new (&self->config, self->keyring, self->state, self->store, error);
  if (self->replica == NULL)
    goto fail;
  self->fault_text = synod_bft_fault_to_string (&self->fault);
  self->processing = TRUE;
  self->n_links = self->n + synod_bft_keys_get_n_clients (self->keys);
  self->links = g_new0 (BftLink *, self->n_links);
  thread_name = g_strdup_printf ("bft-replica-%u", self->index);
  self->loop = bft_loop_new (thread_name, on_messages, self);
  bft_loop_start (self->loop, begin, self);
  return TRUE;

fail:
  g_prefix_error (error, "%s: ", SYNOD_BFT_REPLICA_SERVER_CLASS);
  rs_free_members (self);
  return FALSE;
}

static void
rs_delete (SynodObject *object, gpointer instance, gpointer class_data)
{
  rs_free_members (instance);
}

gboolean
bft_replica_server_register (SynodBroker *broker, GError **error)
{
  g_autoptr (SynodClass) klass
      = synod_class_new (SYNOD_BFT_REPLICA_SERVER_CLASS, SYNOD_BFT_CLASS_VERSION,
                         sizeof (ReplicaServer), SYNOD_CLASS_NONE);

  synod_class_add_interface (klass, &synod_bft_replica_server_interface, &replica_server_vtable);
  synod_class_set_hooks (klass, rs_create, rs_delete, NULL, NULL);
  return synod_broker_register_class (broker, klass, error);
}
