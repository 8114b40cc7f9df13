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

#include "bft-cluster.h"
#include "http.h"

#define MAX_REQUESTS_PER_CLIENT 1000000

typedef struct
{
  guint16 port;
  guint64 client;
  gint64 deadline;
  GArray *latencies; /* gint64 µs */
  guint failures;
  gchar *first_failure;
} Worker;

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

static void
fail (Worker *w, const gchar *why)
{
  if (w->failures++ == 0)
    w->first_failure = g_strdup (why);
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  static const gchar body[] = "{\"item\": \"tea\", \"quantity\": 1}";
  guint64 number = (guint64)g_get_real_time ();
  gint fd = -1;

  for (guint k = 0; k < MAX_REQUESTS_PER_CLIENT && g_get_monotonic_time () < w->deadline; k++)
    {
      g_autofree gchar *req = NULL;
      gint64 t0, dt;
      guint status;

      if (fd < 0 && (fd = connect_to (w->port)) < 0)
        {
          fail (w, "cannot connect");
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
          fail (w, "connection lost");
          close (fd);
          fd = -1;
          g_byte_array_set_size (buf, 0);
          continue;
        }
      dt = g_get_monotonic_time () - t0;
      if (status != 200)
        {
          g_autofree gchar *why = g_strdup_printf ("status %u", status);

          fail (w, why);
          continue;
        }
      g_array_append_val (w->latencies, dt);
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

static gdouble
proc_cpu_seconds (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) fields = NULL;
  const gchar *end;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  end = strrchr (text, ')');
  if (end == NULL)
    return 0;
  fields = g_strsplit (end + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

static gdouble
self_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  gdouble rate;
  gdouble p50_ms;
  gdouble p99_ms;
  gdouble cpu_ms;
  guint64 requests;
  guint failures;
} Figures;

static Figures
run (const guint16 *ports, guint n_ports, guint clients, gdouble seconds, const GPid *pids,
     guint n_pids)
{
  g_autofree Worker *workers = g_new0 (Worker, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  gdouble cpu0 = self_cpu_seconds (), cpu1;
  gint64 t0 = g_get_monotonic_time (), t1;
  Figures f = { 0 };
  static guint64 next_client = 1;

  for (guint i = 0; i < n_pids; i++)
    cpu0 += proc_cpu_seconds (pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      workers[i].port = ports[i % n_ports];
      workers[i].client = (G_GUINT64_CONSTANT (0x5157) << 32) + next_client++;
      workers[i].deadline = t0 + (gint64)(seconds * G_USEC_PER_SEC);
      workers[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("bench", worker_run, &workers[i]);
    }
  for (guint i = 0; i < clients; i++)
    g_thread_join (threads[i]);
  t1 = g_get_monotonic_time ();
  cpu1 = self_cpu_seconds ();
  for (guint i = 0; i < n_pids; i++)
    cpu1 += proc_cpu_seconds (pids[i]);
  for (guint i = 0; i < clients; i++)
    {
      g_array_append_vals (all, workers[i].latencies->data, workers[i].latencies->len);
      f.failures += workers[i].failures;
      if (workers[i].first_failure)
        g_printerr ("  (client %u: %u failures, first: %s)\n", i, workers[i].failures,
                    workers[i].first_failure);
      g_free (workers[i].first_failure);
      g_array_unref (workers[i].latencies);
    }
  g_array_sort (all, cmp_i64);
  f.requests = all->len;
  if (all->len > 0)
    {
      f.rate = all->len / ((t1 - t0) / 1e6);
      f.p50_ms = g_array_index (all, gint64, all->len / 2) / 1000.0;
      f.p99_ms = g_array_index (all, gint64, MIN (all->len - 1, all->len * 99 / 100)) / 1000.0;
      f.cpu_ms = (cpu1 - cpu0) * 1000.0 / all->len;
    }
  return f;
}

static void
print_row (guint clients, const gchar *what, const Figures *f)
{
  g_print ("%7u  %-13s %9.0f %9.2f %9.2f %11.3f %8" G_GUINT64_FORMAT "%s\n", clients, what, f->rate,
           f->p50_ms, f->p99_ms, f->cpu_ms, f->requests, f->failures ? "  (failures)" : "");
}

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
warm (const guint16 *ports, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      Figures f = run (&ports[i], 1, 1, 0.2, NULL, 0);

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
  g_autofree gchar *single_conf = NULL, *single_state = NULL, *clients_text = NULL;
  g_auto (GStrv) client_list = NULL;
  gdouble seconds = 5;
  BftClusterOptions o;
  guint16 bft_ports[BFT_CLUSTER_MAX], single_port = 0;
  GPid bft_pids[BFT_CLUSTER_MAX], single_pid;
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
  for (guint i = 0; i < cluster->n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("bft.shop.site.%u", i);

      if (!site_port (cluster, name, &bft_ports[i], &error))
        {
          g_printerr ("bench-bft-site: site %u: %s\n", i, error->message);
          return 1;
        }
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
  single_state = g_strdup_printf ("%s/peer-unreplicated", cluster->dir);
  if (g_mkdir_with_parents (single_state, 0700) == 0)
    {
      SynodTestDaemonOptions dopt;

      synod_test_daemon_options_init (&dopt);
      dopt.state_dir = single_state;
      dopt.config_file = single_conf;
      single = synod_test_daemon_start (&dopt, &error);
    }
  if (single == NULL
      || !synod_network_add_peer (cluster->network, synod_test_daemon_get_address (single), &error)
      || !synod_network_wait_peers (cluster->network, cluster->n + 1, 10000)
      || !site_port (cluster, "bft.shop.site.single", &single_port, &error))
    {
      g_printerr ("bench-bft-site: the unreplicated peer: %s\n",
                  error ? error->message : "did not connect");
      return 1;
    }
  single_pid = synod_test_daemon_get_pid (single);
  if (!warm (bft_ports, cluster->n) || !warm (&single_port, 1))
    {
      g_printerr ("bench-bft-site: a site does not answer add-to-cart\n");
      return 1;
    }

  g_print ("bench-bft-site: POST /cart/api/add over keep-alive HTTP/1.1; the BFT site on %u "
           "synodd replicas (f=%u, Ed25519-signed replies, LMDB without fsync; clients spread "
           "over the %u sites) vs the same site on 1 synodd serving the cart Unreplicated; "
           "%.0f s per row; %u cores\n",
           cluster->n, o.f, cluster->n, seconds, g_get_num_processors ());
  g_print ("%7s  %-13s %9s %9s %9s %11s %8s\n", "clients", "site", "req/s", "p50 ms", "p99 ms",
           "CPU ms/req", "requests");
  for (guint k = 0; client_list[k]; k++)
    {
      guint64 clients;
      Figures b, u;

      if (!g_ascii_string_to_unsigned (client_list[k], 10, 1, 1024, &clients, NULL))
        continue;
      run (bft_ports, cluster->n, clients, 0.3, NULL, 0);
      b = run (bft_ports, cluster->n, clients, seconds, bft_pids, cluster->n);
      run (&single_port, 1, clients, 0.3, NULL, 0);
      u = run (&single_port, 1, clients, seconds, &single_pid, 1);
      print_row (clients, "bft", &b);
      print_row (clients, "unreplicated", &u);
      if (u.rate > 0 && b.rate > 0)
        g_print ("%7s  ratio bft/unreplicated: throughput %.2f, p50 latency %.2fx, CPU per "
                 "request %.2fx\n",
                 "", b.rate / u.rate, b.p50_ms / u.p50_ms, b.cpu_ms / u.cpu_ms);
    }
  return 0;
}
