/* httpd-test-util.h — a synod-httpd process and raw sockets, for tests.
 *
 * The server runs as a child on ports the kernel picks; tests wait for its
 * "listening" lines (never a fixed sleep), talk to it over loopback with
 * bounded reads, and stop it with SIGTERM.
 */
#pragma once

#include <gio/gio.h>

typedef struct
{
  GSubprocess *proc;
  guint16 ports[4];
  guint n_ports;
  gchar *root;
} TestServer;

typedef struct
{
  guint status;
  gchar *status_line;
  GHashTable *headers; /* lowercased name -> value (last wins) */
  GPtrArray *header_list;
  GBytes *body;
} TestResponse;

gchar *test_make_root (void);
void test_write_file (const gchar *root, const gchar *rel, const gchar *data, gssize len);
void test_remove_tree (const gchar *path);

TestServer *test_server_start (const gchar *root, const gchar *const *extra_args);
void test_server_stop (TestServer *server);

gint test_connect (guint16 port);
void test_send (gint fd, const gchar *bytes, gsize len);
void test_send_str (gint fd, const gchar *str);
TestResponse *test_read_response (gint fd, gboolean head_request);
gboolean test_wait_closed (gint fd, guint timeout_ms);
void test_response_free (TestResponse *r);
const gchar *test_response_header (TestResponse *r, const gchar *name);
TestResponse *test_request (guint16 port, const gchar *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_free)

void test_close (gint fd);
void test_make_pki (const gchar *dir);
void test_renew_certificate (const gchar *dir, const gchar *out);
