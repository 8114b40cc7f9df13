/* Seeded simulation runs of the PBFT core: random faults, checked runs. */
#include "config.h"

#include <stdlib.h>

#include "pbft-sim.h"

static gboolean
run_one (const SimParams *p, GString *report)
{
  g_autoptr (Sim) sim = sim_new (p);
  gboolean ok;

  sim_run (sim);
  ok = sim_check (sim, report);
  if (g_test_verbose ())
    g_test_message ("done %u failed %u view %" G_GUINT64_FORMAT " transfers %" G_GUINT64_FORMAT
                    " messages %" G_GUINT64_FORMAT " sim time %.1f s",
                    sim_completed (sim), sim_failed_requests (sim), sim_max_view (sim),
                    sim_total_state_transfers (sim), sim_messages_delivered (sim),
                    sim_now (sim) / 1e6);
  return ok;
}

static void
test_calm (void)
{
  SimParams p;
  g_autoptr (GString) report = g_string_new (NULL);

  g_test_summary ("Four replicas, no faults: every request completes and checks pass");
  sim_params_init (&p, 1, 1);
  g_assert_true (run_one (&p, report));
  sim_params_clear (&p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/sim/calm", test_calm);
  return g_test_run ();
}
