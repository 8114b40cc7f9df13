/* pbft-sim.h — a deterministic simulator for the PBFT core.
 *
 * One seed is one reproducible run: n = 3f+1 replicas and a few clients
 * exchange real encoded, authenticated messages over a simulated network
 * that delays, reorders, duplicates and drops them, cuts and heals
 * partitions; replicas crash and restart on their stores (memory or LMDB in
 * a temporary directory); up to f replicas follow scripted Byzantine
 * behaviours. Time is simulated (microseconds), so a run of minutes of
 * protocol time takes milliseconds. After the run, sim_check() verifies
 * agreement, that no client accepted a wrong or unproven result, at-most-once
 * execution, linearizability of the key-value history, and liveness after
 * the network stabilised. */
#pragma once

#include "pbft-private.h"
#include "synod-pbft.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_HONEST = 0,
  SIM_SILENT,        /* sends nothing at all */
  SIM_LIAR,          /* replies with wrong results (validly signed) */
  SIM_WRONG_DIGESTS, /* wrong digests in PREPARE, COMMIT and CHECKPOINT */
  SIM_EQUIVOCATOR,   /* as primary, different pre-prepares to different backups */
  SIM_REPLAYER,      /* resends old messages it received, to others */
  SIM_FORGER,        /* sends messages claiming to come from other replicas */
  SIM_CORRUPTER,     /* corrupts its own state variable now and then */
  SIM_VC_LIAR,       /* claims, in its view changes, to have prepared batches nobody proposed */
  SIM_N_BEHAVIOURS,
} SimBehaviour;

const gchar *sim_behaviour_name (SimBehaviour b);

typedef enum
{
  SIM_EVENT_CRASH,      /* replica crashes ... */
  SIM_EVENT_RESTART,    /* ... and restarts on its store */
  SIM_EVENT_ISOLATE,    /* cut every link of a node (replica or client) */
  SIM_EVENT_HEAL,       /* restore every link */
  SIM_EVENT_CRASH_ALL,  /* every replica crashes (restart with RESTART events) */
  SIM_EVENT_WIPE_STORE, /* a crashed replica's store is lost */
} SimEventKind;

typedef struct
{
  gint64 time;
  SimEventKind kind;
  guint node;
} SimEvent;

typedef enum
{
  SIM_WORKLOAD_KV,
  SIM_WORKLOAD_COUNTER,
} SimWorkload;

typedef struct
{
  guint64 seed;
  guint f;
  guint n_clients;
  guint ops_per_client;
  SimWorkload workload;
  guint n_keys;
  gdouble read_only_ratio;
  /* network, during the chaos phase (before stable_at) */
  gint64 min_delay;
  gint64 max_delay;
  gdouble drop_rate;
  gdouble dup_rate;
  /* after stable_at: no drops, no partitions, every replica up */
  gint64 stable_at;
  gint64 deadline;
  /* scripted faults */
  SimBehaviour behaviour[SYNOD_PBFT_MAX_REPLICAS];
  GArray *events;         /* of SimEvent */
  gboolean random_faults; /* random crashes and partitions before stable_at */
  gboolean lmdb;          /* stores in LMDB under a temporary directory */
  SynodPbftConfig config;
  gboolean trace;
} SimParams;

void sim_params_init (SimParams *p, guint64 seed, guint f);
/* Draws a random scenario (faults, network, Byzantine behaviours) from
 * the seed: what the seed sets of `make check` and the soak run. */
void sim_params_randomize (SimParams *p, guint64 seed, guint f);
void sim_params_clear (SimParams *p);
void sim_params_add_event (SimParams *p, gint64 time, SimEventKind kind, guint node);
gchar *sim_params_describe (const SimParams *p);

typedef struct _Sim Sim;

Sim *sim_new (const SimParams *params);
void sim_free (Sim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sim, sim_free)

/* Runs until every client finished its workload (or the deadline). */
void sim_run (Sim *sim);
/* Runs the checks; on failure appends what failed to @report. */
gboolean sim_check (Sim *sim, GString *report);

guint sim_completed (Sim *sim);
guint sim_failed_requests (Sim *sim);
gint64 sim_now (Sim *sim);
SynodPbftReplica *sim_replica (Sim *sim, guint id); /* NULL while crashed */
SynodStateVariable *sim_state (Sim *sim, guint id);
guint64 sim_max_view (Sim *sim);
guint64 sim_total_state_transfers (Sim *sim);
guint64 sim_messages_delivered (Sim *sim);

G_END_DECLS
