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

/* Runs seeds [first, first+count) of random scenarios with @f; returns the
 * number of failures, each printed with its seed and scenario for replay. */
static guint
run_seeds (guint f, guint64 first, guint count)
{
  guint failures = 0;

  for (guint64 seed = first; seed < first + count; seed++)
    {
      SimParams p;
      g_autoptr (GString) report = g_string_new (NULL);

      sim_params_randomize (&p, seed, f);
      if (g_getenv ("SYNOD_SIM_TRACE"))
        p.trace = TRUE;
      if (!run_one (&p, report))
        {
          g_autofree gchar *desc = sim_params_describe (&p);

          failures++;
          g_printerr ("FAILED seed %" G_GUINT64_FORMAT " (f=%u): replay with "
                      "SYNOD_SIM_SEED=%" G_GUINT64_FORMAT
                      " SYNOD_SIM_F=%u tests/bft/test-pbft-sim -p /bft/sim/replay\n"
                      "  scenario: %s\n%s",
                      seed, f, seed, f, desc, report->str);
        }
      sim_params_clear (&p);
    }
  return failures;
}

static void
test_seeds_f1 (void)
{
  g_test_summary ("Random scenarios with f=1: faults, Byzantine replicas, crashes, partitions");
  g_assert_cmpuint (run_seeds (1, 1, 40), ==, 0);
}

static void
test_seeds_f2 (void)
{
  g_test_summary ("Random scenarios with f=2");
  g_assert_cmpuint (run_seeds (2, 1001, 15), ==, 0);
}

static void
test_replay (void)
{
  const gchar *seed = g_getenv ("SYNOD_SIM_SEED");
  const gchar *f = g_getenv ("SYNOD_SIM_F");

  if (seed == NULL)
    {
      g_test_skip ("set SYNOD_SIM_SEED (and SYNOD_SIM_F) to replay one seed");
      return;
    }
  g_assert_cmpuint (run_seeds (f ? atoi (f) : 1, g_ascii_strtoull (seed, NULL, 10), 1), ==, 0);
}

/* The long run behind `make soak-bft`: SYNOD_SIM_SOAK seeds from
 * SYNOD_SIM_FIRST, f=1 for two seeds in three and f=2 for the third;
 * every failing seed is printed with its replay command. */
static void
test_soak (void)
{
  const gchar *count_s = g_getenv ("SYNOD_SIM_SOAK");
  const gchar *first_s = g_getenv ("SYNOD_SIM_FIRST");
  guint64 first = first_s ? g_ascii_strtoull (first_s, NULL, 10) : 1;
  guint count = count_s ? atoi (count_s) : 0, failures = 0;
  gint64 start = g_get_monotonic_time ();

  if (count == 0)
    {
      g_test_skip ("set SYNOD_SIM_SOAK to a number of seeds (make soak-bft)");
      return;
    }
  for (guint i = 0; i < count; i++)
    {
      guint64 seed = first + i;

      failures += run_seeds (seed % 3 == 2 ? 2 : 1, seed, 1);
      if ((i + 1) % 100 == 0 || i + 1 == count)
        g_printerr ("soak: %u/%u seeds, %u failed, %.0f s\n", i + 1, count, failures,
                    (g_get_monotonic_time () - start) / 1e6);
    }
  g_assert_cmpuint (failures, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/sim/calm", test_calm);
  g_test_add_func ("/bft/sim/seeds-f1", test_seeds_f1);
  g_test_add_func ("/bft/sim/seeds-f2", test_seeds_f2);
  g_test_add_func ("/bft/sim/replay", test_replay);
  g_test_add_func ("/bft/sim/soak", test_soak);
  return g_test_run ();
}
