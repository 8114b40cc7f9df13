/* httpd-test-util.c — see httpd-test-util.h. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "httpd-test-util.h"

#define READ_TIMEOUT_MS 5000

gchar *
test_make_root (void)
{
  g_autoptr (GError) error = NULL;
  gchar *dir = g_dir_make_tmp ("synod-httpd-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_write_file (const gchar *root, const gchar *rel, const gchar *data, gssize len)
{
  g_autofree gchar *path = g_build_filename (root, rel, NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

void
test_remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          test_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TestServer *
test_server_start (const gchar *root, const gchar *const *extra_args)
{
  const gchar *build = g_getenv ("SYNOD_TOP_BUILDDIR");
  g_autofree gchar *program
      = g_build_filename (build != NULL ? build : ".", "httpd", "synod-httpd", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  TestServer *s = g_new0 (TestServer, 1);
  guint expected = 1;

  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, (gpointer) "--root");
  g_ptr_array_add (argv, (gpointer)root);
  g_ptr_array_add (argv, (gpointer) "--workers");
  g_ptr_array_add (argv, (gpointer) "2");
  /* The same tests run against the sites made of broker objects (the
   * default) and against the bare engine (SYNOD_HTTPD_ENGINE_ONLY=1). */
  if (g_strcmp0 (g_getenv ("SYNOD_HTTPD_ENGINE_ONLY"), "1") == 0)
    g_ptr_array_add (argv, (gpointer) "--engine-only");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer)extra_args[i]);
      if (strcmp (extra_args[i], "--root") == 0)
        expected++;
    }
  g_ptr_array_add (argv, NULL);
  s->root = g_strdup (root);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* The server goes when the test goes, even when the test aborts. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  /* Readiness: one "listening ADDRESS PORT" line per daemon. */
  while (s->n_ports < expected)
    {
      g_autofree gchar *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_auto (GStrv) words = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (line); /* the server died before it listened */
      words = g_strsplit (line, " ", 3);
      g_assert_cmpstr (words[0], ==, "listening");
      s->ports[s->n_ports++] = (guint16)g_ascii_strtoull (words[2], NULL, 10);
    }
  return s;
}

void
test_server_stop (TestServer *s)
{
  g_autoptr (GError) error = NULL;

  if (s == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGTERM);
  g_subprocess_wait (s->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
  g_object_unref (s->proc);
  g_free (s->root);
  g_free (s);
}

gint
test_connect (guint16 port)
{
  struct sockaddr_in sa = { 0 };
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  return fd;
}

void
test_send (gint fd, const gchar *bytes, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize r = send (fd, bytes + done, len - done, MSG_NOSIGNAL);

      if (r < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (r, >, 0);
      done += (gsize)r;
    }
}

void
test_send_str (gint fd, const gchar *str)
{
  test_send (fd, str, strlen (str));
}

/* One read, waiting at most READ_TIMEOUT_MS. Returns bytes, 0 on EOF, -1 on timeout. */
static gssize
read_some (gint fd, gchar *buf, gsize len, guint timeout_ms)
{
  struct pollfd p = { fd, POLLIN, 0 };
  gint r;

  do
    r = poll (&p, 1, (gint)timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return -1;
  {
    gssize n = recv (fd, buf, len, 0);

    if (n < 0 && errno == ECONNRESET)
      return 0;
    return n;
  }
}

/* Per-connection read-ahead, so pipelined responses can be read one by one. */
static GHashTable *pending; /* fd -> GByteArray */

static GByteArray *
buffer_for (gint fd)
{
  GByteArray *b;

  if (pending == NULL)
    pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_byte_array_unref);
  b = g_hash_table_lookup (pending, GINT_TO_POINTER (fd));
  if (b == NULL)
    {
      b = g_byte_array_new ();
      g_hash_table_insert (pending, GINT_TO_POINTER (fd), b);
    }
  return b;
}

static gboolean
fill (gint fd, GByteArray *b)
{
  gchar chunk[16384];
  gssize n = read_some (fd, chunk, sizeof chunk, READ_TIMEOUT_MS);

  if (n <= 0)
    return FALSE;
  g_byte_array_append (b, (const guint8 *)chunk, (guint)n);
  return TRUE;
}

/**
 * test_read_response: reads one response (1xx ones too); NULL if the
 * connection closed or went silent first.
 */
TestResponse *
test_read_response (gint fd, gboolean head_request)
{
  GByteArray *b = buffer_for (fd);
  TestResponse *r;
  gchar *end = NULL;
  gsize head_len;
  g_auto (GStrv) lines = NULL;
  const gchar *cl;
  gsize body_len = 0;

  while (b->len == 0
         || (end = g_strstr_len ((const gchar *)b->data, (gssize)b->len, "\r\n\r\n")) == NULL)
    if (!fill (fd, b))
      return NULL;
  head_len = (gsize)(end - (gchar *)b->data) + 4;
  r = g_new0 (TestResponse, 1);
  r->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->header_list = g_ptr_array_new_with_free_func (g_free);
  {
    g_autofree gchar *head = g_strndup ((const gchar *)b->data, head_len - 4);

    lines = g_strsplit (head, "\r\n", -1);
  }
  r->status_line = g_strdup (lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], "HTTP/1.1 "));
  r->status = (guint)g_ascii_strtoull (lines[0] + 9, NULL, 10);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const gchar *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      g_ptr_array_add (r->header_list, g_strdup (lines[i]));
      g_hash_table_replace (r->headers, g_ascii_strdown (lines[i], colon - lines[i]),
                            g_strstrip (g_strdup (colon + 1)));
    }
  g_byte_array_remove_range (b, 0, (guint)head_len);
  cl = g_hash_table_lookup (r->headers, "content-length");
  if (!head_request && r->status >= 200 && r->status != 204 && r->status != 304 && cl != NULL)
    body_len = (gsize)g_ascii_strtoull (cl, NULL, 10);
  while (b->len < body_len)
    if (!fill (fd, b))
      {
        test_response_free (r);
        return NULL;
      }
  r->body = g_bytes_new (b->data, body_len);
  g_byte_array_remove_range (b, 0, (guint)body_len);
  return r;
}

/* TRUE when the server closes the connection (EOF or reset) within the time. */
gboolean
test_wait_closed (gint fd, guint timeout_ms)
{
  gint64 until = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (;;)
    {
      gchar buf[4096];
      gint64 left = (until - g_get_monotonic_time ()) / 1000;
      gssize n;

      if (left <= 0)
        return FALSE;
      n = read_some (fd, buf, sizeof buf, (guint)left);
      if (n == 0)
        {
          if (pending != NULL)
            g_hash_table_remove (pending, GINT_TO_POINTER (fd));
          return TRUE;
        }
      if (n < 0)
        return FALSE;
    }
}

void
test_response_free (TestResponse *r)
{
  if (r == NULL)
    return;
  g_free (r->status_line);
  g_hash_table_unref (r->headers);
  g_ptr_array_unref (r->header_list);
  if (r->body != NULL)
    g_bytes_unref (r->body);
  g_free (r);
}

const gchar *
test_response_header (TestResponse *r, const gchar *name)
{
  return g_hash_table_lookup (r->headers, name);
}

/* Sends one request on a fresh connection and reads its response. */
TestResponse *
test_request (guint16 port, const gchar *request)
{
  gint fd = test_connect (port);
  TestResponse *r;

  test_send_str (fd, request);
  r = test_read_response (fd, g_str_has_prefix (request, "HEAD "));
  if (pending != NULL)
    g_hash_table_remove (pending, GINT_TO_POINTER (fd));
  close (fd);
  return r;
}

void
test_close (gint fd)
{
  if (pending != NULL)
    g_hash_table_remove (pending, GINT_TO_POINTER (fd));
  close (fd);
}

/* ---- certificates ---- */

static void
run_in (const gchar *dir, const gchar *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;

  g_spawn_sync (dir, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

/* Makes, in @dir, with the openssl command: a CA (ca.pem, ca.key), a server
 * certificate for 127.0.0.1 and localhost signed by it (cert.pem, key.pem),
 * and a key that belongs to neither (other.key). */
void
test_make_pki (const gchar *dir)
{
  const gchar *ca[] = { "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-keyout",
                        "ca.key",
                        "-out",
                        "ca.pem",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=Synod test CA",
                        NULL };
  const gchar *req[]
      = { "openssl",       "req",     "-newkey", "ec",   "-pkeyopt",   "ec_paramgen_curve:P-256",
          "-nodes",        "-keyout", "key.pem", "-out", "server.csr", "-subj",
          "/CN=127.0.0.1", NULL };
  const gchar *sign[] = { "openssl", "x509",     "-req",   "-in",    "server.csr",
                          "-CA",     "ca.pem",   "-CAkey", "ca.key", "-CAcreateserial",
                          "-out",    "cert.pem", "-days",  "2",      "-extfile",
                          "ext.cnf", NULL };
  const gchar *other[]
      = { "openssl", "genpkey",   "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out",    "other.key", NULL };

  test_write_file (dir, "ext.cnf",
                   "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "extendedKeyUsage=serverAuth\n",
                   -1);
  run_in (dir, ca);
  run_in (dir, req);
  run_in (dir, sign);
  run_in (dir, other);
}

/* In @dir made by test_make_pki(): the server's certificate signed again
 * (same key and names, a new serial and validity), written to @out: what
 * a renewal gives. */
void
test_renew_certificate (const gchar *dir, const gchar *out)
{
  const gchar *sign[] = { "openssl", "x509",   "-req",   "-in",    "server.csr",
                          "-CA",     "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                          "-out",    out,      "-days",  "2",      "-extfile",
                          "ext.cnf", NULL };

  run_in (dir, sign);
}
