/* bench-bft-site — the shop's add-to-cart over HTTP: the BFT site (four
 * synodd replicas, each with its HTTPcart adapter and web site) side by
 * side with the same site on one synodd serving the cart Unreplicated.
 *
 * Each client thread holds one keep-alive HTTP/1.1 connection to a site
 * (the BFT clients spread over the four replicas' sites, as browsers
 * would) and POSTs /cart/api/add with its own client id and increasing
 * request numbers, one after the other. For each number of client threads
 * the run prints requests per second, latency (median, 99th percentile),
 * CPU time per request summed over every daemon and this process, and the
 * ratios BFT / unreplicated.
 *
 *   bench-bft-site [--seconds S] [--clients 1,16,64]
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench-bft-common.h"
#include "http.h"

#define MAX_REQUESTS_PER_CLIENT 1000000

static gint
connect_to (guint16 port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct timeval tv = { .tv_sec = 30 };
  int one = 1;
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *)&a, sizeof a) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* One response on a keep-alive connection: its status, or 0. */
static guint
read_response (gint fd, GByteArray *buf)
{
  gchar *end;
  const gchar *cl;
  gsize head, need;
  guint status;
  guint8 chunk[8192];

  for (;;)
    {
      end = buf->len ? g_strstr_len ((const gchar *)buf->data, buf->len, "\r\n\r\n") : NULL;
      if (end)
        break;
      gssize n = recv (fd, chunk, sizeof chunk, 0);
      if (n <= 0)
        return 0;
      g_byte_array_append (buf, chunk, (guint)n);
    }
  head = (gsize)(end - (gchar *)buf->data) + 4;
  if (buf->len < 12 || memcmp (buf->data, "HTTP/1.1 ", 9) != 0)
    return 0;
  status = (guint)g_ascii_strtoull ((const gchar *)buf->data + 9, NULL, 10);
  cl = g_strstr_len ((const gchar *)buf->data, (gssize)head, "\r\nContent-Length: ");
  need = head + (cl ? g_ascii_strtoull (cl + 18, NULL, 10) : 0);
  while (buf->len < need)
    {
      gssize n = recv (fd, chunk, sizeof chunk, 0);
      if (n <= 0)
        return 0;
      g_byte_array_append (buf, chunk, (guint)n);
    }
  g_byte_array_remove_range (buf, 0, (guint)need);
  return status;
}

static gpointer
worker_run (gpointer data)
{
  BenchBftWorker *w = data;
  guint16 port = (guint16)GPOINTER_TO_UINT (w->target);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  static const gchar body[] = "{\"item\": \"tea\", \"quantity\": 1}";
  guint64 number = (guint64)g_get_real_time ();
  gint fd = -1;

  for (guint k = 0; k < MAX_REQUESTS_PER_CLIENT && g_get_monotonic_time () < w->deadline; k++)
    {
      g_autofree gchar *req = NULL;
      gint64 t0, dt;
      guint status;

      if (fd < 0 && (fd = connect_to (port)) < 0)
        {
          bench_bft_worker_fail (w, "cannot connect");
          g_usleep (10000);
          continue;
        }
      req = g_strdup_printf ("POST /cart/api/add HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                             "Synod-Client: %016" G_GINT64_MODIFIER "x\r\n"
                             "Synod-Request: %" G_GUINT64_FORMAT "\r\n\r\n%s",
                             strlen (body), w->client, ++number, body);
      t0 = g_get_monotonic_time ();
      if (send (fd, req, strlen (req), MSG_NOSIGNAL) != (gssize)strlen (req)
          || (status = read_response (fd, buf)) == 0)
        {
          bench_bft_worker_fail (w, "connection lost");
          close (fd);
          fd = -1;
          g_byte_array_set_size (buf, 0);
          continue;
        }
      dt = g_get_monotonic_time () - t0;
      if (status != 200)
        {
          g_autofree gchar *why = g_strdup_printf ("status %u", status);

          bench_bft_worker_fail (w, why);
          continue;
        }
      g_array_append_val (w->latencies, dt);
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

/* Every client's id has 0x5157 in its high half. */
static const BenchBftLoad load = {
  .worker_run = worker_run,
  .client_base = G_GUINT64_CONSTANT (0x5157) << 32,
};

/* The adapter and a site on a peer, the adapter issuing through
 * @coordinator; the site registers as @site_name. */
static void
add_site (GKeyFile *kf, const gchar *coordinator, const gchar *site_name)
{
  g_autofree gchar *classes = g_build_filename (SYNOD_TEST_BUILDDIR, "httpd", ".libs", NULL);
  g_autofree gchar *root = g_build_filename (SYNOD_TEST_SRCDIR, "data", "site", NULL);
  g_autofree gchar *cart = NULL, *www = NULL;

  cart = g_strdup_printf ("{'service': <'shop'>, 'catalog': <'%s/catalog.txt'>%s%s%s}", root,
                          coordinator ? ", 'coordinator': <'" : "", coordinator ? coordinator : "",
                          coordinator ? "'>" : "");
  www = g_strdup_printf ("{'listen': <'127.0.0.1:0'>, 'root': <'%s'>, "
                         "'mounts': <{'/cart': 'shop.web'}>}",
                         root);
  g_key_file_set_string (kf, "synodd", "class-path", classes);
  g_key_file_set_string (kf, "object cart", "class", "Synod.Bft.HTTPcart;1");
  g_key_file_set_string (kf, "object cart", "params", cart);
  g_key_file_set_string (kf, "object cart", "services", "shop.web");
  g_key_file_set_string (kf, "object www", "class", "Standard.HTTPdaemon;1");
  g_key_file_set_string (kf, "object www", "params", www);
  g_key_file_set_string (kf, "object www", "services", site_name);
}

static void
configure_replica (GKeyFile *kf, guint replica, gpointer data)
{
  g_autofree gchar *name = g_strdup_printf ("bft.shop.site.%u", replica);

  add_site (kf, NULL, name);
}

static gboolean
site_port (BftCluster *cluster, const gchar *name, guint16 *ret, GError **error)
{
  g_autoptr (SynodRef) ref = synod_ref_new_for_name (cluster->broker, name);
  guint32 port = 0;

  if (!standard_http_daemon_port (ref, &port, error))
    return FALSE;
  *ret = (guint16)port;
  return TRUE;
}

/* One request through each site first: the catalog goes on sale, and
 * connections and names are made. */
static gboolean
warm (const BenchBftSide *side)
{
  for (guint i = 0; i < side->n_targets; i++)
    {
      BenchBftSide one = { side->label, &side->targets[i], 1, NULL, 0 };
      BenchBftFigures f = bench_bft_run (&load, &one, 1, 0.2, FALSE);

      if (f.requests == 0)
        return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— the BFT shop vs unreplicated");
  g_autoptr (GError) error = NULL;
  g_autoptr (BftCluster) cluster = NULL;
  g_autoptr (SynodTestDaemon) single = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *single_conf = NULL, *clients_text = NULL;
  g_auto (GStrv) client_list = NULL;
  gdouble seconds = 5;
  BftClusterOptions o;
  guint16 port = 0;
  gconstpointer bft_ports[BFT_CLUSTER_MAX], single_port;
  GPid bft_pids[BFT_CLUSTER_MAX], single_pid;
  BenchBftSide bft = { "bft", bft_ports, 0, bft_pids, 0 };
  BenchBftSide unrep = { "unreplicated", &single_port, 1, &single_pid, 1 };
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per measurement (5)", "S" },
    { "clients", 'c', 0, G_OPTION_ARG_STRING, &clients_text,
      "Client connections, comma-separated (1,16,64)", "LIST" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-bft-site: %s\n", error->message);
      return 2;
    }
  client_list = g_strsplit (clients_text ? clients_text : "1,16,64", ",", 0);
  synod_bft_error_quark ();

  bft_cluster_options_init (&o);
  o.state_variable = "Synod.ShoppingCart";
  o.checkpoint_interval = 128;
  o.view_change_timeout_ms = 2000;
  o.configure = configure_replica;
  cluster = bft_cluster_start (&o, &error);
  if (cluster == NULL)
    {
      g_printerr ("bench-bft-site: %s\n", error->message);
      return 1;
    }
  bft.n_targets = bft.n_pids = cluster->n;
  for (guint i = 0; i < cluster->n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("bft.shop.site.%u", i);

      if (!site_port (cluster, name, &port, &error))
        {
          g_printerr ("bench-bft-site: site %u: %s\n", i, error->message);
          return 1;
        }
      bft_ports[i] = GUINT_TO_POINTER (port);
      bft_pids[i] = synod_test_daemon_get_pid (cluster->daemons[i]);
    }

  /* The fifth daemon: the same adapter and site over one Unreplicated
   * object of the same state variable. */
  single_conf = bft_cluster_write_unreplicated_config (cluster, &error);
  if (single_conf == NULL || !g_key_file_load_from_file (kf, single_conf, G_KEY_FILE_NONE, &error))
    {
      g_printerr ("bench-bft-site: %s\n", error->message);
      return 1;
    }
  add_site (kf, "bft.shop.unreplicated", "bft.shop.site.single");
  if (!g_key_file_save_to_file (kf, single_conf, &error))
    {
      g_printerr ("bench-bft-site: %s\n", error->message);
      return 1;
    }
  single = bench_bft_start_unreplicated (cluster, single_conf, &error);
  if (single == NULL || !site_port (cluster, "bft.shop.site.single", &port, &error))
    {
      g_printerr ("bench-bft-site: the unreplicated peer: %s\n",
                  error ? error->message : "did not connect");
      return 1;
    }
  single_port = GUINT_TO_POINTER (port);
  single_pid = synod_test_daemon_get_pid (single);
  if (!warm (&bft) || !warm (&unrep))
    {
      g_printerr ("bench-bft-site: a site does not answer add-to-cart\n");
      return 1;
    }

  g_print ("bench-bft-site: POST /cart/api/add over keep-alive HTTP/1.1; the BFT site on %u "
           "synodd replicas (f=%u, Ed25519-signed replies, LMDB without fsync; clients spread "
           "over the %u sites) vs the same site on 1 synodd serving the cart Unreplicated; "
           "%.0f s per row; %u cores\n",
           cluster->n, o.f, cluster->n, seconds, g_get_num_processors ());
  bench_bft_compare (&load, &bft, &unrep, (const gchar *const *)client_list, seconds, "site");
  return 0;
}
