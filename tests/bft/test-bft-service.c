/* A BFT service on four real synodd daemons: ReplicaServer and Coordinator
 * objects created from configuration files, requests through every
 * coordinator, faulty replicas of each kind, a killed primary, a restart of
 * every daemon, retries at another coordinator and state transfer. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "bft-cluster.h"
#include "synod-key-value.h"

static gint64
counter_value (const SynodBftResult *r)
{
  g_autoptr (GBytes) b = g_bytes_new (r->value.val, r->value.len);
  SynodKeyValueCounterResult cr = { 0 };

  g_assert_true (synod_counter_result_parse (b, &cr, NULL));
  g_assert_false (cr.refused);
  return cr.value;
}

/* add(delta) through @coordinator; returns the counter after it. */
static gint64
add (BftCluster *c, guint coordinator, guint64 client, guint64 number, gint64 delta)
{
  g_autoptr (GBytes) op = synod_counter_op_add (delta);
  g_auto (SynodBftResult) r = { 0 };
  g_autoptr (GError) error = NULL;

  if (!bft_cluster_issue (c, coordinator, client, number, op, FALSE, &r, &error))
    g_error ("add through coordinator %u, request %" G_GUINT64_FORMAT ": %s", coordinator, number,
             error->message);
  g_assert_cmpuint (r.proof.signatures.len, >=, c->options.f + 1);
  return counter_value (&r);
}

static gint64
get (BftCluster *c, guint coordinator, guint64 client, guint64 number)
{
  g_autoptr (GBytes) op = synod_counter_op_get ();
  g_auto (SynodBftResult) r = { 0 };
  g_autoptr (GError) error = NULL;

  if (!bft_cluster_issue (c, coordinator, client, number, op, TRUE, &r, &error))
    g_error ("get through coordinator %u: %s", coordinator, error->message);
  return counter_value (&r);
}

static BftCluster *
start (const gchar *fault, guint faulty)
{
  BftClusterOptions o;
  g_autoptr (GError) error = NULL;
  BftCluster *c;

  bft_cluster_options_init (&o);
  if (fault)
    o.faults[faulty] = fault;
  c = bft_cluster_start (&o, &error);
  g_assert_no_error (error);
  return c;
}

static void
test_normal_case (void)
{
  g_autoptr (BftCluster) c = start (NULL, 0);
  gint64 last = 0;

  g_test_summary ("Requests through each of the four coordinators commit, in one order, and "
                  "come back with a proof of f+1 replica signatures that checks against the "
                  "service's public keys.");
  for (guint round = 0; round < 3; round++)
    for (guint j = 0; j < c->n; j++)
      {
        gint64 v = add (c, j, 100 + j, round + 1, 1);

        g_assert_cmpint (v, ==, last + 1);
        last = v;
      }
  g_assert_cmpint (get (c, 2, 200, 1), ==, last);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/service/normal-case", test_normal_case);
  return g_test_run ();
}
