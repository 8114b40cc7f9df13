/* bench-http-peer — the objects of the HTTP benchmark (bench/bench-httpd.sh).
 *
 *   bench-http-peer --site ROOT [--workers N]
 *       a site made through Standard.HTTPdaemon, with a Bench.Hello object
 *       of the same broker mounted at /hello/ (a URI served by a local
 *       object); prints "listening 127.0.0.1 PORT"
 *       (--inline: with inline-objects, the object answers on the site's
 *       worker threads)
 *   bench-http-peer --handler
 *       a peer holding a Bench.Hello object, for another process's site
 *       to mount (a URI served by an object on another peer); prints
 *       "network ADDRESS" and "object ID"
 *   bench-http-peer --objects N
 *       creates and deletes N objects and prints the cost of one: what a
 *       broker object per connection (the paper's HTTPfastReceive) costs
 *
 * Runs until SIGTERM or SIGINT (but --objects, which measures and exits).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "http.h"
#include "synod-http-objects.h"

#define HELLO "hello from a Synod object\n"

static gboolean
hello_handle (gpointer self, SynodCall *call, const StandardHTTPRequest *req,
              StandardHTTPResponse *ret, GError **error)
{
  ret->status = 200;
  ret->fields.len = 1;
  ret->fields.val = g_new0 (StandardHTTPField, 1);
  ret->fields.val[0].name = g_strdup ("Content-Type");
  ret->fields.val[0].value = g_strdup ("text/plain");
  ret->body.len = sizeof HELLO - 1;
  ret->body.val = g_memdup2 (HELLO, sizeof HELLO - 1);
  return TRUE;
}

static const StandardHTTPHandlerIface hello_vtable = { .handle = hello_handle };

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
die (const GError *error)
{
  g_printerr ("bench-http-peer: %s\n", error->message);
  exit (1);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *site = NULL;
  gboolean handler = FALSE;
  gboolean inline_objects = FALSE;
  gint workers = 1, objects = 0;
  const GOptionEntry entries[] = {
    { "site", 0, 0, G_OPTION_ARG_FILENAME, &site, "Serve this root, /hello/ by an object", "DIR" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &workers, "Worker threads of the site", "N" },
    { "inline", 0, 0, G_OPTION_ARG_NONE, &inline_objects,
      "The site's local objects answer on its workers (inline-objects)", NULL },
    { "handler", 0, 0, G_OPTION_ARG_NONE, &handler, "Hold a Bench.Hello for another peer", NULL },
    { "objects", 0, 0, G_OPTION_ARG_INT, &objects, "Measure creating and deleting N objects", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) oc = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SynodBroker) broker = NULL;
  g_autoptr (SynodClass) klass = synod_class_new ("Bench.Hello", 1, 1, SYNOD_CLASS_CONCURRENT);
  g_autoptr (SynodObject) hello = NULL;
  g_autoptr (SynodObject) daemon = NULL;
  g_autoptr (SynodNetwork) network = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree gchar *hello_id = NULL;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    die (error);
  broker = synod_broker_new (NULL, &error);
  if (broker == NULL || !synod_http_register_classes (broker, &error))
    die (error);
  synod_class_add_interface (klass, &standard_http_handler_interface, &hello_vtable);
  if (!synod_broker_register_class (broker, klass, &error))
    die (error);

  if (objects > 0)
    {
      g_autoptr (GPtrArray) made = g_ptr_array_new_full ((guint)objects, NULL);
      gint64 t0 = g_get_monotonic_time (), t1, t2;

      for (gint i = 0; i < objects; i++)
        {
          SynodObject *o = synod_broker_create_object_of_class (broker, klass, NULL, &error);

          if (o == NULL)
            die (error);
          g_ptr_array_add (made, o);
        }
      t1 = g_get_monotonic_time ();
      for (guint i = 0; i < made->len; i++)
        {
          synod_object_delete (made->pdata[i], NULL);
          synod_object_unref (made->pdata[i]);
        }
      t2 = g_get_monotonic_time ();
      printf ("objects %d create %.3f us delete %.3f us\n", objects, (double)(t1 - t0) / objects,
              (double)(t2 - t1) / objects);
      return 0;
    }

  hello = synod_broker_create_object_of_class (broker, klass, NULL, &error);
  if (hello == NULL)
    die (error);
  hello_id = synod_object_id_to_string (synod_object_get_id (hello));
  g_unix_signal_add (SIGINT, quit, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  if (handler)
    {
      SynodNetworkOptions no;

      synod_network_options_init (&no);
      no.listen = "127.0.0.1:0";
      network = synod_network_new (broker, &no, &error);
      if (network == NULL || !synod_broker_register_service (broker, "bench.hello", hello, &error))
        die (error);
      printf ("network %s\nobject %s\n", synod_network_get_listen_address (network), hello_id);
    }
  else if (site != NULL)
    {
      g_autofree gchar *text
          = g_strdup_printf ("{'listen': <'127.0.0.1:0'>, 'root': <'%s'>, 'workers': <uint32 %d>, "
                             "'mounts': <{'/hello/': '%s'}>, 'inline-objects': <%s>}",
                             site, workers, hello_id, inline_objects ? "true" : "false");
      g_autoptr (SynodRef) ref = NULL;
      guint32 port = 0;

      daemon = synod_broker_create_object (broker, "Standard.HTTPdaemon", 1,
                                           g_variant_new_parsed (text), &error);
      if (daemon == NULL)
        die (error);
      ref = synod_ref_new_for_object (daemon);
      if (!standard_http_daemon_port (ref, &port, &error))
        die (error);
      printf ("listening 127.0.0.1 %u\n", port);
    }
  else
    {
      g_printerr ("bench-http-peer: give --site DIR, --handler or --objects N\n");
      return 2;
    }
  fflush (stdout);
  g_main_loop_run (loop);
  if (daemon != NULL)
    synod_object_delete (daemon, NULL);
  return 0;
}
