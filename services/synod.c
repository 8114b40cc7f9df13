/* synod — the command-line tool: explore and call the objects of a Synod
 * cluster, as busctl and gdbus do for D-Bus.
 *
 * The tool is a peer of its own: a broker with an in-memory peer id and a
 * SynodNetwork without a listener and without mDNS (unless asked), so it
 * never publishes itself. It connects to one peer (--peer) and reaches the
 * others through it; every subcommand is made of dynamic calls (names and
 * GVariant values) to the "synod.peer" object of each peer, or to the
 * target object itself, typed from the target's introspection XML. For
 * `monitor`, the tool's broker holds a Standard.MonitorSink object that the
 * peers feed over the tool's own connection. See docs/synod.md.
 *
 * Exit status: 0 success; 1 the operation failed (a peer unreachable, no
 * such object, service, interface or method, the method's own error, a
 * timeout); 2 the command line is wrong (unknown option or command, wrong
 * number of arguments, an argument that does not parse as its type).
 */
#include "config.h"

#include <inttypes.h>

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include <synod.h>

#include "peer.h"

#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

#define DEFAULT_PEER "127.0.0.1:8275"
#define DEFAULT_TIMEOUT_S 25.0
#define MAX_CONNECT_TIMEOUT_MS 5000
/* The tool connects to peers when a command needs them, never in the
 * background. */
#define TOOL_PROBE_INTERVAL_MS (3600 * 1000)

/* Errors of the command line itself (exit status 2). */
#define TOOL_USAGE_ERROR (g_quark_from_static_string ("synod-tool-usage-error"))

typedef struct
{
  gchar *peer_address;
  gdouble timeout;
  gchar *cluster;
  gboolean discovery;
  SynodTlsMode tls_mode;
  gchar *tls_cert;
  gchar *tls_key;
  gchar *tls_ca;

  SynodBroker *broker;
  SynodNetwork *network;
  guint64 self;
  guint64 home;
} Tool;

/* A peer of the cluster as the peer we talk to knows it. */
typedef struct
{
  guint64 id;
  gchar *address;
} ClusterPeer;

static void
cluster_peer_free (gpointer data)
{
  ClusterPeer *cp = data;

  g_free (cp->address);
  g_free (cp);
}

static gchar *
peer_text (guint64 id)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", id);
}

static void usage_error (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
usage_error (GError **error, const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *message = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, TOOL_USAGE_ERROR, 0, message);
}

/* ------------------------------------------------------------------------ */
/* Connecting */

static gboolean
tool_connect (Tool *t, GError **error)
{
  SynodNetworkOptions options;
  guint timeout_ms = (guint)(t->timeout * 1000);

  t->broker = synod_broker_new (NULL, error);
  if (t->broker == NULL)
    return FALSE;
  t->self = synod_broker_get_peer_id (t->broker);
  synod_network_options_init (&options);
  options.listen = NULL;
  options.discovery = t->discovery;
  /* Without --cluster, join whichever cluster the peer belongs to (an
   * empty cluster name is accepted by every peer); mDNS needs a name. */
  options.cluster = t->cluster ? t->cluster : t->discovery ? SYNOD_NETWORK_DEFAULT_CLUSTER : "";
  options.call_timeout_ms = MAX (timeout_ms, 1);
  options.connect_timeout_ms = CLAMP (timeout_ms, 1, MAX_CONNECT_TIMEOUT_MS);
  options.probe_interval_ms
      = t->discovery ? SYNOD_NETWORK_DEFAULT_PROBE_INTERVAL_MS : TOOL_PROBE_INTERVAL_MS;
  options.tls_mode = t->tls_mode;
  options.tls_cert = t->tls_cert;
  options.tls_key = t->tls_key;
  options.tls_ca = t->tls_ca;
  options.tls_handshake_timeout_ms = options.connect_timeout_ms;
  t->network = synod_network_new (t->broker, &options, error);
  if (t->network == NULL)
    return FALSE;
  if (!synod_network_connect_peer (t->network, t->peer_address, &t->home, error))
    {
      g_prefix_error (error, _ ("Cannot reach the peer at %s: "), t->peer_address);
      return FALSE;
    }
  return TRUE;
}

static void
tool_clear (Tool *t)
{
  g_clear_pointer (&t->network, synod_network_free);
  g_clear_pointer (&t->broker, synod_broker_unref);
  g_free (t->peer_address);
  g_free (t->cluster);
  g_free (t->tls_cert);
  g_free (t->tls_key);
  g_free (t->tls_ca);
}

/* A dynamic call to @target on @peer; @args may be floating or NULL for "()". */
static GVariant *
tool_call (Tool *t, guint64 peer, const gchar *target, const gchar *interface_name,
           const gchar *method_name, GVariant *args, GError **error)
{
  if (args == NULL)
    args = g_variant_new_tuple (NULL, 0);
  return synod_network_invoke_dynamic (t->network, peer, target, interface_name, method_name, args,
                                       error);
}

static GVariant *
peer_call (Tool *t, guint64 peer, const gchar *method_name, GVariant *args, GError **error)
{
  GVariant *result
      = tool_call (t, peer, SYNOD_PEER_SERVICE, "Standard.Peer", method_name, args, error);

  if (result == NULL)
    {
      g_autofree gchar *who = peer_text (peer);

      g_prefix_error (error, _ ("Peer %s: "), who);
    }
  return result;
}

/* Adds to @list the peers @peer's table shows connected (clients such as
 * other tools aside) that are not in it yet. */
static gboolean
add_connected_peers (Tool *t, guint64 peer, GPtrArray *list, GError **error)
{
  g_autoptr (GVariant) peers = peer_call (t, peer, "peers", NULL, error);
  g_autoptr (GVariant) table = NULL;
  GVariantIter iter;

  if (peers == NULL)
    return FALSE;
  table = g_variant_get_child_value (peers, 0);
  g_variant_iter_init (&iter, table);
  for (;;)
    {
      guint64 id;
      const gchar *sources, *state, *address;
      g_autoptr (GVariant) entry = g_variant_iter_next_value (&iter);
      gboolean known = FALSE;

      if (entry == NULL)
        break;
      g_variant_get (entry, "(t&s&s&s@as&s&s)", &id, &sources, &state, &address, NULL, NULL, NULL);
      if (id == 0 || id == t->self || strcmp (state, "connected") != 0
          || strcmp (sources, "client") == 0)
        continue;
      for (guint i = 0; i < list->len && !known; i++)
        known = ((ClusterPeer *)list->pdata[i])->id == id;
      if (!known)
        {
          ClusterPeer *cp = g_new0 (ClusterPeer, 1);

          cp->id = id;
          cp->address = g_strdup (address);
          g_ptr_array_add (list, cp);
        }
    }
  return TRUE;
}

/* The peers to ask for cluster-wide listings: the peer we talk to, then
 * every peer connected to it, to those, and so on (a peer may not have
 * heard of every other yet). */
static GPtrArray *
cluster_peers (Tool *t, GError **error)
{
  g_autoptr (GVariant) info = peer_call (t, t->home, "info", NULL, error);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (cluster_peer_free);
  ClusterPeer *home;

  if (info == NULL)
    return NULL;
  home = g_new0 (ClusterPeer, 1);
  home->id = t->home;
  {
    const gchar *listen = NULL;

    g_variant_get (info, "((t&s&s&sub))", NULL, NULL, NULL, &listen, NULL, NULL);
    home->address = g_strdup (listen && *listen ? listen : t->peer_address);
  }
  g_ptr_array_add (list, home);
  if (!add_connected_peers (t, t->home, list, error))
    return NULL;
  for (guint i = 1; i < list->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      ClusterPeer *cp = list->pdata[i];

      if (!add_connected_peers (t, cp->id, list, &local_error))
        g_debug ("%s", local_error->message);
    }
  return g_steal_pointer (&list);
}

/* ------------------------------------------------------------------------ */
/* Targets: an object Id (or alias), or a service name */

static gboolean
resolve_target (Tool *t, const gchar *text, guint64 *ret_peer, gchar **ret_target, GError **error)
{
  if (synod_object_id_is_valid_text (text))
    {
      SynodObjectId id;

      if (!synod_object_id_parse (text, &id, error))
        return FALSE;
      if (!synod_network_locate (t->network, &id, ret_peer, error))
        return FALSE;
      *ret_target = g_strdup (text);
      return TRUE;
    }
  if (synod_broker_is_valid_service_name (text))
    {
      g_autoptr (GPtrArray) peers = NULL;
      g_autoptr (GError) local_error = NULL;

      /* The peer we talk to first (a local provider is preferred, as for a
       * send made there), then the others. */
      peers = cluster_peers (t, error);
      if (peers == NULL)
        return FALSE;
      for (guint i = 0; i < peers->len; i++)
        {
          ClusterPeer *cp = peers->pdata[i];
          g_autoptr (GArray) providers = NULL;

          providers = synod_network_resolve_on (t->network, cp->id, text,
                                                local_error ? NULL : &local_error);
          if (providers && providers->len > 0)
            {
              SynodProvider *pr = &g_array_index (providers, SynodProvider, 0);

              *ret_peer = pr->peer;
              *ret_target = synod_object_id_to_string (&pr->id);
              return TRUE;
            }
        }
      if (local_error)
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                     _ ("No peer that answered provides the service “%s” (%s)"), text,
                     local_error->message);
      else
        g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_OBJECT,
                     _ ("No peer provides the service “%s”"), text);
      return FALSE;
    }
  usage_error (error,
               _ ("“%s” is neither an object Id (PEER-SERIAL, 16 hex digits each) nor a "
                  "service name"),
               text);
  return FALSE;
}

static gchar *
introspect (Tool *t, guint64 peer, const gchar *target, GError **error)
{
  g_autoptr (GVariant) result
      = tool_call (t, peer, target, "Standard.Introspectable", "introspect", NULL, error);
  gchar *xml = NULL;

  if (result == NULL)
    return NULL;
  g_variant_get (result, "(s)", &xml);
  return xml;
}

static GDBusNodeInfo *
introspect_node (Tool *t, guint64 peer, const gchar *target, GError **error)
{
  g_autofree gchar *xml = introspect (t, peer, target, error);
  GDBusNodeInfo *node;

  if (xml == NULL)
    return NULL;
  node = g_dbus_node_info_new_for_xml (xml, error);
  if (node == NULL)
    g_prefix_error (error, _ ("The introspection data of %s does not parse: "), target);
  return node;
}

static const gchar *
annotation (GDBusAnnotationInfo **annotations, const gchar *name)
{
  return g_dbus_annotation_info_lookup (annotations, name);
}

static guint32
interface_version (GDBusInterfaceInfo *iface)
{
  const gchar *v = annotation (iface->annotations, "org.synod.Version");

  return v ? (guint32)g_ascii_strtoull (v, NULL, 10) : 0;
}

static gboolean
method_is_oneway (GDBusMethodInfo *method)
{
  return g_strcmp0 (annotation (method->annotations, "org.freedesktop.DBus.Method.NoReply"), "true")
         == 0;
}

/* "(u n, s label) -> (u result)" */
static gchar *
method_signature (GDBusInterfaceInfo *iface, GDBusMethodInfo *method)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s.%s (", iface->name, method->name);
  for (guint i = 0; method->in_args && method->in_args[i]; i++)
    g_string_append_printf (s, "%s%s %s", i ? ", " : "", method->in_args[i]->signature,
                            method->in_args[i]->name);
  g_string_append (s, ")");
  if (method_is_oneway (method))
    g_string_append (s, _ (" oneway"));
  else if (method->out_args && method->out_args[0])
    {
      g_string_append (s, " -> (");
      for (guint i = 0; method->out_args[i]; i++)
        g_string_append_printf (s, "%s%s", i ? ", " : "", method->out_args[i]->signature);
      g_string_append (s, ")");
    }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Output helpers */

static gboolean
use_unicode (void)
{
  return g_get_charset (NULL);
}

/* Prints @rows (GStrv each) as columns under @header. */
static void
print_table (const gchar *const *header, GPtrArray *rows)
{
  guint n = g_strv_length ((gchar **)header);
  g_autofree gsize *width = g_new0 (gsize, n);

  for (guint c = 0; c < n; c++)
    width[c] = g_utf8_strlen (header[c], -1);
  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < n; c++)
      width[c] = MAX (width[c], (gsize)g_utf8_strlen (((gchar **)rows->pdata[r])[c], -1));
  for (guint r = 0; r <= rows->len; r++)
    {
      const gchar *const *row = r == 0 ? header : (const gchar *const *)rows->pdata[r - 1];
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < n; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < n)
            for (gsize k = g_utf8_strlen (row[c], -1); k < width[c] + 2; k++)
              g_string_append_c (line, ' ');
        }
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_print ("%s\n", line->str);
      g_string_free (line, TRUE);
    }
}

static gchar *
join_strv_variant (GVariant *as, const gchar *empty)
{
  g_autofree const gchar **strv = g_variant_get_strv (as, NULL);

  if (strv[0] == NULL)
    return g_strdup (empty);
  return g_strjoinv (", ", (gchar **)strv);
}

/* ------------------------------------------------------------------------ */
/* Subcommands */

typedef struct _Command Command;
typedef gint (*CommandFunc) (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error);

struct _Command
{
  const gchar *name;
  const gchar *args;
  const gchar *summary;
  CommandFunc func;
};

/* Parses a subcommand's own options; @argv[0] is the command name. With
 * @strict, parsing stops at the first argument that is not an option (so
 * that "-5" after a method name is an argument, not an option). */
static gboolean
parse_command_options (const Command *cmd, GOptionEntry *entries, gboolean strict, gint *argc,
                       gchar ***argv, GError **error)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autofree gchar *parameter = g_strdup_printf ("%s %s", cmd->name, _ (cmd->args));
  g_autoptr (GError) local_error = NULL;

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, _ (cmd->summary));
  g_option_context_set_strict_posix (context, strict);
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &local_error))
    {
      usage_error (error, "%s", local_error->message);
      return FALSE;
    }
  /* A "--" that ended the options is not an argument. */
  if (*argc > 1 && strcmp ((*argv)[1], "--") == 0)
    {
      memmove (&(*argv)[1], &(*argv)[2], (*argc - 1) * sizeof (gchar *));
      (*argc)--;
    }
  return TRUE;
}

static gint
cmd_peers (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  g_autoptr (GVariant) info = NULL;
  g_autoptr (GVariant) peers = NULL;
  g_autoptr (GVariant) table = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  const gchar *header[] = { _ ("PEER"),    _ ("FOUND"),   _ ("STATE"),
                            _ ("ADDRESS"), _ ("CLUSTER"), _ ("OTHER ADDRESSES / LAST ERROR"),
                            NULL };
  GVariantIter iter;

  if (!parse_command_options (cmd, NULL, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  if (argc > 1)
    {
      usage_error (error, _ ("“%s” takes no arguments"), cmd->name);
      return EXIT_USAGE;
    }
  if (!tool_connect (t, error))
    return EXIT_FAILED;
  if ((info = peer_call (t, t->home, "info", NULL, error)) == NULL
      || (peers = peer_call (t, t->home, "peers", NULL, error)) == NULL)
    return EXIT_FAILED;
  {
    guint64 id;
    const gchar *version, *cluster, *listen;
    guint32 objects;
    gboolean discovery;

    g_variant_get (info, "((t&s&s&sub))", &id, &version, &cluster, &listen, &objects, &discovery);
    g_print (_ ("Peer %016" PRIx64 " at %s, cluster “%s”, Synod %s, %u objects, "
                "mDNS %s\n"),
             id, *listen ? listen : t->peer_address, cluster, version, objects,
             discovery ? _ ("on") : _ ("off"));
  }
  table = g_variant_get_child_value (peers, 0);
  g_variant_iter_init (&iter, table);
  for (;;)
    {
      guint64 id;
      const gchar *sources, *state, *address, *cluster, *last_error;
      g_autoptr (GVariant) addresses = NULL;
      g_autoptr (GVariant) entry = g_variant_iter_next_value (&iter);
      g_autofree gchar *others = NULL;
      gchar **row;

      if (entry == NULL)
        break;
      g_variant_get (entry, "(t&s&s&s@as&s&s)", &id, &sources, &state, &address, &addresses,
                     &cluster, &last_error);
      if (id == t->self)
        continue;
      {
        g_autofree const gchar **all = g_variant_get_strv (addresses, NULL);
        g_autoptr (GPtrArray) rest = g_ptr_array_new ();

        for (guint i = 0; all[i]; i++)
          if (strcmp (all[i], address) != 0)
            g_ptr_array_add (rest, (gpointer)all[i]);
        g_ptr_array_add (rest, NULL);
        others = g_strjoinv (", ", (gchar **)rest->pdata);
      }
      if (*last_error && strcmp (state, "connected") != 0)
        {
          gchar *with_error
              = *others ? g_strdup_printf ("%s; %s", others, last_error) : g_strdup (last_error);

          g_free (others);
          others = with_error;
        }
      row = g_new0 (gchar *, 7);
      row[0] = id ? peer_text (id) : g_strdup ("?");
      row[1] = g_strdup (sources);
      row[2] = g_strdup (state);
      row[3] = g_strdup (*address ? address : "-");
      row[4] = g_strdup (*cluster ? cluster : "-");
      row[5] = g_steal_pointer (&others);
      g_ptr_array_add (rows, row);
    }
  if (rows->len == 0)
    g_print (_ ("It knows no other peer.\n"));
  else
    print_table (header, rows);
  return EXIT_OK;
}

typedef struct
{
  gchar *name;
  gchar *provider;
  guint64 peer;
} ServiceRow;

static gint
compare_service_rows (gconstpointer a, gconstpointer b)
{
  const ServiceRow *x = *(ServiceRow *const *)a, *y = *(ServiceRow *const *)b;
  gint c = strcmp (x->name, y->name);

  if (c != 0)
    return c;
  return x->peer < y->peer ? -1 : x->peer > y->peer;
}

static void
service_row_free (gpointer data)
{
  ServiceRow *r = data;

  g_free (r->name);
  g_free (r->provider);
  g_free (r);
}

static gint
cmd_services (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  g_autoptr (GPtrArray) peers = NULL;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (service_row_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  const gchar *header[] = { _ ("SERVICE"), _ ("PROVIDER"), _ ("PEER"), NULL };
  gint status = EXIT_OK;

  if (!parse_command_options (cmd, NULL, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  if (argc > 1)
    {
      usage_error (error, _ ("“%s” takes no arguments"), cmd->name);
      return EXIT_USAGE;
    }
  if (!tool_connect (t, error))
    return EXIT_FAILED;
  peers = cluster_peers (t, error);
  if (peers == NULL)
    return EXIT_FAILED;
  for (guint i = 0; i < peers->len; i++)
    {
      ClusterPeer *cp = peers->pdata[i];
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GVariant) list = peer_call (t, cp->id, "services", NULL, &local_error);
      g_autoptr (GVariant) array = NULL;
      GVariantIter iter;
      const gchar *name, *provider;

      if (list == NULL)
        {
          g_printerr ("synod: %s\n", local_error->message);
          status = EXIT_FAILED;
          continue;
        }
      array = g_variant_get_child_value (list, 0);
      g_variant_iter_init (&iter, array);
      while (g_variant_iter_next (&iter, "(&s&s)", &name, &provider))
        {
          ServiceRow *r = g_new0 (ServiceRow, 1);

          r->name = g_strdup (name);
          r->provider = g_strdup (provider);
          r->peer = cp->id;
          g_ptr_array_add (found, r);
        }
    }
  g_ptr_array_sort (found, compare_service_rows);
  for (guint i = 0; i < found->len; i++)
    {
      ServiceRow *r = found->pdata[i];
      gchar **row = g_new0 (gchar *, 4);

      row[0] = g_strdup (r->name);
      row[1] = g_strdup (r->provider);
      row[2] = peer_text (r->peer);
      g_ptr_array_add (rows, row);
    }
  print_table (header, rows);
  return status;
}

static gboolean
is_peer_id_text (const gchar *text)
{
  if (strlen (text) != 16)
    return FALSE;
  for (const gchar *c = text; *c; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

static gint
cmd_objects (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  g_autoptr (GPtrArray) peers = NULL;
  gboolean unicode = use_unicode ();
  const gchar *branch = unicode ? "├─ " : "|- ";
  const gchar *last_branch = unicode ? "└─ " : "`- ";
  const gchar *trunk = unicode ? "│  " : "|  ";
  gint status = EXIT_OK;
  guint shown = 0;

  if (!parse_command_options (cmd, NULL, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  for (gint i = 1; i < argc; i++)
    if (!is_peer_id_text (argv[i]))
      {
        usage_error (error, _ ("“%s” is not a peer id (16 hex digits)"), argv[i]);
        return EXIT_USAGE;
      }
  if (!tool_connect (t, error))
    return EXIT_FAILED;
  peers = cluster_peers (t, error);
  if (peers == NULL)
    return EXIT_FAILED;
  for (guint p = 0; p < peers->len; p++)
    {
      ClusterPeer *cp = peers->pdata[p];
      g_autofree gchar *who = peer_text (cp->id);
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GVariant) list = NULL;
      g_autoptr (GVariant) array = NULL;
      gboolean wanted = argc <= 1;
      gsize n;

      for (gint i = 1; i < argc; i++)
        if (g_ascii_strcasecmp (argv[i], who) == 0)
          wanted = TRUE;
      if (!wanted)
        continue;
      list = peer_call (t, cp->id, "objects", NULL, &local_error);
      if (list == NULL)
        {
          g_printerr ("synod: %s\n", local_error->message);
          status = EXIT_FAILED;
          continue;
        }
      if (shown++ > 0)
        g_print ("\n");
      g_print (_ ("Peer %s (%s)\n"), who, cp->address ? cp->address : "?");
      array = g_variant_get_child_value (list, 0);
      n = g_variant_n_children (array);
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr (GVariant) entry = g_variant_get_child_value (array, i);
          g_autoptr (GVariant) ifaces = NULL, aliases = NULL, services = NULL;
          const gchar *id, *class_name;
          guint32 queued;
          const gchar *indent = i + 1 < n ? trunk : "   ";
          g_autofree gchar *iface_text = NULL, *alias_text = NULL, *service_text = NULL;

          g_variant_get (entry, "(&s&s@as@as@asu)", &id, &class_name, &ifaces, &aliases, &services,
                         &queued);
          iface_text = join_strv_variant (ifaces, "-");
          alias_text = join_strv_variant (aliases, "");
          service_text = join_strv_variant (services, "");
          g_print ("%s%s  %s\n", i + 1 < n ? branch : last_branch, id, class_name);
          g_print (_ ("%s   interfaces: %s\n"), indent, iface_text);
          if (*alias_text)
            g_print (_ ("%s   aliases:    %s\n"), indent, alias_text);
          if (*service_text)
            g_print (_ ("%s   services:   %s\n"), indent, service_text);
          if (queued > 0)
            g_print (_ ("%s   queued:     %u\n"), indent, queued);
        }
    }
  for (gint i = 1; i < argc; i++)
    {
      gboolean known = FALSE;

      for (guint p = 0; p < peers->len; p++)
        {
          g_autofree gchar *who = peer_text (((ClusterPeer *)peers->pdata[p])->id);

          known |= g_ascii_strcasecmp (argv[i], who) == 0;
        }
      if (!known)
        {
          g_printerr (_ ("synod: peer %s is not connected to the peer at %s\n"), argv[i],
                      t->peer_address);
          status = EXIT_FAILED;
        }
    }
  return status;
}

/* The IDL type of an argument when it says more than its GVariant type (a
 * named type such as ObjectId or Shop.Item); NULL for plain types. */
static const gchar *
named_type (GDBusArgInfo *arg)
{
  const gchar *xdr = annotation (arg->annotations, "org.synod.Xdr");

  if (xdr == NULL || g_str_has_prefix (xdr, "unsigned ") || strcmp (xdr, "int") == 0
      || strcmp (xdr, "hyper") == 0 || strcmp (xdr, "bool") == 0 || strcmp (xdr, "float") == 0
      || strcmp (xdr, "double") == 0 || g_str_has_prefix (xdr, "string"))
    return NULL;
  return xdr;
}

static void
print_readable (GDBusNodeInfo *node)
{
  g_print ("node %s {\n", node->path ? node->path : "");
  for (guint i = 0; node->interfaces && node->interfaces[i]; i++)
    {
      GDBusInterfaceInfo *iface = node->interfaces[i];
      gboolean concurrent
          = g_strcmp0 (annotation (iface->annotations, "org.synod.Concurrent"), "true") == 0;

      g_print ("  interface %s;%u {%s\n", iface->name, interface_version (iface),
               concurrent ? "  /* concurrent */" : "");
      if (iface->methods && iface->methods[0])
        g_print ("    methods:\n");
      for (guint m = 0; iface->methods && iface->methods[m]; m++)
        {
          GDBusMethodInfo *method = iface->methods[m];
          GString *line = g_string_new (NULL);
          gboolean first = TRUE;

          g_string_append_printf (line, "      %s%s(", method_is_oneway (method) ? "oneway " : "",
                                  method->name);
          for (guint a = 0; method->in_args && method->in_args[a]; a++, first = FALSE)
            {
              const gchar *xdr = named_type (method->in_args[a]);

              g_string_append_printf (line, "%sin %s %s", first ? "" : ", ",
                                      method->in_args[a]->signature, method->in_args[a]->name);
              if (xdr)
                g_string_append_printf (line, " /* %s */", xdr);
            }
          for (guint a = 0; method->out_args && method->out_args[a]; a++, first = FALSE)
            {
              const gchar *xdr = named_type (method->out_args[a]);

              g_string_append_printf (line, "%sout %s %s", first ? "" : ", ",
                                      method->out_args[a]->signature, method->out_args[a]->name);
              if (xdr)
                g_string_append_printf (line, " /* %s */", xdr);
            }
          g_string_append (line, ");");
          g_print ("%s\n", line->str);
          g_string_free (line, TRUE);
        }
      g_print ("  };\n");
    }
  g_print ("};\n");
}

static gint
cmd_introspect (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  gboolean readable = FALSE;
  GOptionEntry entries[] = {
    { "readable", 'r', 0, G_OPTION_ARG_NONE, &readable,
      N_ ("Print a readable listing instead of the XML"), NULL },
    { NULL },
  };
  g_autofree gchar *target = NULL;
  g_autofree gchar *xml = NULL;
  guint64 peer;

  if (!parse_command_options (cmd, entries, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  if (argc != 2)
    {
      usage_error (error, _ ("“%s” takes one TARGET (an object Id or a service name)"), cmd->name);
      return EXIT_USAGE;
    }
  if (!synod_object_id_is_valid_text (argv[1]) && !synod_broker_is_valid_service_name (argv[1]))
    {
      resolve_target (t, argv[1], &peer, &target, error);
      return EXIT_USAGE;
    }
  if (!tool_connect (t, error) || !resolve_target (t, argv[1], &peer, &target, error)
      || (xml = introspect (t, peer, target, error)) == NULL)
    return EXIT_FAILED;
  if (!readable)
    {
      g_print ("%s", xml);
      return EXIT_OK;
    }
  {
    g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, error);

    if (node == NULL)
      {
        g_prefix_error (error, _ ("The introspection data of %s does not parse: "), target);
        return EXIT_FAILED;
      }
    print_readable (node);
  }
  return EXIT_OK;
}

/* Finds "INTERFACE.METHOD" (INTERFACE may end in ";VERSION") in @node. */
static gboolean
find_method (GDBusNodeInfo *node, const gchar *target, const gchar *member,
             GDBusInterfaceInfo **ret_iface, GDBusMethodInfo **ret_method, GError **error)
{
  const gchar *dot = strrchr (member, '.');
  g_autofree gchar *iface_text = NULL;
  g_autofree gchar *iface_name = NULL;
  guint32 version = 0;
  GDBusInterfaceInfo *iface = NULL;
  GString *names;

  iface_text = g_strndup (member, dot - member);
  if (strchr (iface_text, ';'))
    {
      if (!synod_class_parse_full_name (iface_text, &iface_name, &version, error))
        return FALSE;
    }
  else
    iface_name = g_strdup (iface_text);
  for (guint i = 0; node->interfaces && node->interfaces[i]; i++)
    if (strcmp (node->interfaces[i]->name, iface_name) == 0
        && (version == 0 || interface_version (node->interfaces[i]) == version)
        && (iface == NULL || interface_version (node->interfaces[i]) > interface_version (iface)))
      iface = node->interfaces[i];
  if (iface == NULL)
    {
      names = g_string_new (NULL);
      for (guint i = 0; node->interfaces && node->interfaces[i]; i++)
        g_string_append_printf (names, "%s%s;%u", i ? ", " : "", node->interfaces[i]->name,
                                interface_version (node->interfaces[i]));
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_INTERFACE,
                   _ ("%s has no interface %s (it has %s)"), target, iface_text, names->str);
      g_string_free (names, TRUE);
      return FALSE;
    }
  *ret_method = g_dbus_interface_info_lookup_method (iface, dot + 1);
  if (*ret_method == NULL)
    {
      names = g_string_new (NULL);
      for (guint i = 0; iface->methods && iface->methods[i]; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", iface->methods[i]->name);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_NO_SUCH_METHOD,
                   _ ("Interface %s;%u has no method “%s” (its methods: %s)"), iface->name,
                   interface_version (iface), dot + 1, names->str);
      g_string_free (names, TRUE);
      return FALSE;
    }
  *ret_iface = iface;
  return TRUE;
}

/* Parses one argument as gdbus call does: GVariant text syntax of the
 * expected type; for a string, text that does not parse is the string. */
static GVariant *
parse_argument (const gchar *text, const gchar *type_string, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  GVariant *value;

  if (!g_variant_type_string_is_valid (type_string))
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_PROTOCOL,
                   _ ("The introspection data gives the invalid type “%s”"), type_string);
      return NULL;
    }
  value = g_variant_parse (G_VARIANT_TYPE (type_string), text, NULL, NULL, &parse_error);
  if (value != NULL)
    return value;
  if (strcmp (type_string, "s") == 0 && g_utf8_validate (text, -1, NULL))
    return g_variant_new_string (text);
  {
    g_autofree gchar *context = g_variant_parse_error_print_context (parse_error, text);

    usage_error (error, "%s", context);
  }
  return NULL;
}

static gint
cmd_call (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  g_autofree gchar *target = NULL;
  g_autoptr (GDBusNodeInfo) node = NULL;
  g_autoptr (GVariant) result = NULL;
  g_autofree gchar *iface_full = NULL;
  g_autofree gchar *printed = NULL;
  GDBusInterfaceInfo *iface;
  GDBusMethodInfo *method;
  GPtrArray *values;
  guint n_in = 0;
  guint64 peer;

  if (!parse_command_options (cmd, NULL, TRUE, &argc, &argv, error))
    return EXIT_USAGE;
  if (argc < 3)
    {
      usage_error (error, _ ("“%s” needs a TARGET and an INTERFACE.METHOD"), cmd->name);
      return EXIT_USAGE;
    }
  if (strrchr (argv[2], '.') == NULL || strrchr (argv[2], '.') == argv[2]
      || strrchr (argv[2], '.')[1] == '\0')
    {
      usage_error (error, _ ("“%s” is not INTERFACE.METHOD (for example Standard.Object.ping)"),
                   argv[2]);
      return EXIT_USAGE;
    }
  if (!synod_object_id_is_valid_text (argv[1]) && !synod_broker_is_valid_service_name (argv[1]))
    {
      resolve_target (t, argv[1], &peer, &target, error);
      return EXIT_USAGE;
    }
  if (!tool_connect (t, error) || !resolve_target (t, argv[1], &peer, &target, error)
      || (node = introspect_node (t, peer, target, error)) == NULL)
    return EXIT_FAILED;
  if (!find_method (node, argv[1], argv[2], &iface, &method, error))
    return g_error_matches (*error, TOOL_USAGE_ERROR, 0)
                   || g_error_matches (*error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS)
               ? EXIT_USAGE
               : EXIT_FAILED;
  while (method->in_args && method->in_args[n_in])
    n_in++;
  if ((guint)(argc - 3) != n_in)
    {
      g_autofree gchar *signature = method_signature (iface, method);

      usage_error (error,
                   g_dngettext (GETTEXT_PACKAGE, "%s takes %u argument, %d given: %s",
                                "%s takes %u arguments, %d given: %s", n_in),
                   method->name, n_in, argc - 3, signature);
      return EXIT_USAGE;
    }
  values = g_ptr_array_new ();
  for (guint i = 0; i < n_in; i++)
    {
      g_autoptr (GError) arg_error = NULL;
      GVariant *value = parse_argument (argv[3 + i], method->in_args[i]->signature, &arg_error);

      if (value == NULL)
        {
          g_autofree gchar *signature = method_signature (iface, method);

          usage_error (error, _ ("Argument %u (%s) must be of type %s:\n%s\nExpected: %s"), i + 1,
                       method->in_args[i]->name, method->in_args[i]->signature, arg_error->message,
                       signature);
          for (guint j = 0; j < values->len; j++)
            g_variant_unref (g_variant_ref_sink (values->pdata[j]));
          g_ptr_array_unref (values);
          return EXIT_USAGE;
        }
      g_ptr_array_add (values, value);
    }
  iface_full = g_strdup_printf ("%s;%u", iface->name, interface_version (iface));
  result = tool_call (t, peer, target, iface_full, method->name,
                      g_variant_new_tuple ((GVariant *const *)values->pdata, values->len), error);
  g_ptr_array_unref (values);
  /* Arguments the peer could not take as the method's (a value out of its
   * type's range, an unknown enum symbol, a string over its bound) are the
   * command line's fault, as a badly typed one is. */
  if (result == NULL)
    return g_error_matches (*error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_TYPE_MISMATCH)
                   || g_error_matches (*error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_INVALID_ARGS)
                   || g_error_matches (*error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_ENCODE)
               ? EXIT_USAGE
               : EXIT_FAILED;
  printed = g_variant_print (result, TRUE);
  g_print ("%s\n", printed);
  return EXIT_OK;
}

static gint
cmd_ping (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  gint count = 1;
  gdouble interval = 1.0;
  GOptionEntry entries[] = {
    { "count", 'c', 0, G_OPTION_ARG_INT, &count, N_ ("Ping COUNT times (default 1)"),
      N_ ("COUNT") },
    { "interval", 'i', 0, G_OPTION_ARG_DOUBLE, &interval,
      N_ ("Wait SECONDS between pings (default 1)"), N_ ("SECONDS") },
    { NULL },
  };
  g_autofree gchar *target = NULL;
  g_autofree gchar *who = NULL;
  guint64 peer;
  gint failed = 0;
  gdouble best = G_MAXDOUBLE, worst = 0, sum = 0;

  if (!parse_command_options (cmd, entries, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  if (argc != 2 || count < 1 || interval < 0)
    {
      usage_error (error,
                   _ ("“%s” takes one TARGET, a COUNT of 1 or more and a positive "
                      "interval"),
                   cmd->name);
      return EXIT_USAGE;
    }
  if (!synod_object_id_is_valid_text (argv[1]) && !synod_broker_is_valid_service_name (argv[1]))
    {
      resolve_target (t, argv[1], &peer, &target, error);
      return EXIT_USAGE;
    }
  if (!tool_connect (t, error) || !resolve_target (t, argv[1], &peer, &target, error))
    return EXIT_FAILED;
  who = peer_text (peer);
  for (gint i = 0; i < count; i++)
    {
      g_autoptr (GError) ping_error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr (GVariant) result
          = tool_call (t, peer, target, "Standard.Object", "ping", NULL, &ping_error);
      gdouble ms = (g_get_monotonic_time () - start) / 1000.0;

      if (result == NULL)
        {
          g_printerr (_ ("synod: no pong from %s on peer %s: %s\n"), target, who,
                      ping_error->message);
          failed++;
        }
      else
        {
          g_print (_ ("pong from %s on peer %s: time=%.3f ms\n"), target, who, ms);
          best = MIN (best, ms);
          worst = MAX (worst, ms);
          sum += ms;
        }
      if (i + 1 < count && interval > 0)
        g_usleep ((gulong)(interval * G_USEC_PER_SEC));
    }
  if (count > 1)
    g_print (_ ("%d pings, %d answered; round trip min/avg/max = %.3f/%.3f/%.3f ms\n"), count,
             count - failed, failed < count ? best : 0, failed < count ? sum / (count - failed) : 0,
             worst);
  if (failed > 0)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   g_dngettext (GETTEXT_PACKAGE, "%d ping went unanswered",
                                "%d pings went unanswered", failed),
                   failed);
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

/* ---- monitor ---- */

static GMutex print_lock;

static gboolean
sink_event (gpointer self, SynodCall *call, const StandardMonitorEvent *event, GError **error)
{
  g_autoptr (GDateTime) seconds = g_date_time_new_from_unix_local (event->time / G_USEC_PER_SEC);
  g_autoptr (GDateTime) when
      = seconds ? g_date_time_add (seconds, event->time % G_USEC_PER_SEC) : NULL;
  g_autofree gchar *stamp = when ? g_date_time_format (when, "%H:%M:%S.%f") : g_strdup ("?");
  g_autofree gchar *target = synod_object_id_to_string (&event->target);
  g_autofree gchar *iface = g_strdup (event->interface);
  gchar *semicolon = strchr (iface, ';');

  /* "Ns.Iface;1" reads better as "Ns.Iface" before ".method". */
  if (semicolon)
    *semicolon = '\0';
  g_mutex_lock (&print_lock);
  g_print ("%s %016" G_GINT64_MODIFIER "x %s %s.%s %s %s\n", stamp, event->peer,
           event->oneway ? "oneway" : "call", iface, event->method, target, event->principal);
  fflush (stdout);
  g_mutex_unlock (&print_lock);
  return TRUE;
}

static const StandardMonitorSinkIface sink_vtable = { .event = sink_event };

typedef struct
{
  Tool *tool;
  GMainLoop *loop;
  GArray *peers; /* guint64 */
  gboolean lost;
} Monitor;

/* Stays attached: the sources are removed together once the loop ends. */
static gboolean
monitor_stop (gpointer data)
{
  Monitor *m = data;

  g_main_loop_quit (m->loop);
  return G_SOURCE_CONTINUE;
}

/* Once a second: stop when no monitored peer is left. */
static gboolean
monitor_check (gpointer data)
{
  Monitor *m = data;
  g_autoptr (GPtrArray) table = synod_network_list_peers (m->tool->network);

  for (guint i = 0; i < m->peers->len; i++)
    {
      guint64 id = g_array_index (m->peers, guint64, i);
      gboolean up = FALSE;

      for (guint j = 0; j < table->len; j++)
        {
          SynodPeerInfo *info = table->pdata[j];

          if (info->peer_id == id && info->state == SYNOD_PEER_STATE_CONNECTED)
            up = TRUE;
        }
      if (!up)
        {
          g_autofree gchar *who = peer_text (id);

          g_printerr (_ ("synod: peer %s went away\n"), who);
          g_array_remove_index (m->peers, i--);
        }
    }
  if (m->peers->len == 0)
    {
      m->lost = TRUE;
      g_main_loop_quit (m->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gint
cmd_monitor (Tool *t, const Command *cmd, gint argc, gchar **argv, GError **error)
{
  g_autoptr (SynodClass) klass = NULL;
  g_autoptr (SynodObject) sink = NULL;
  g_autoptr (GPtrArray) peers = NULL;
  g_autoptr (GArray) watched = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree gchar *sink_id = NULL;
  GString *names = g_string_new (NULL);
  Monitor m = { 0 };
  guint sources[3];

  if (!parse_command_options (cmd, NULL, FALSE, &argc, &argv, error))
    return EXIT_USAGE;
  for (gint i = 1; i < argc; i++)
    if (!is_peer_id_text (argv[i]))
      {
        usage_error (error, _ ("“%s” is not a peer id (16 hex digits)"), argv[i]);
        g_string_free (names, TRUE);
        return EXIT_USAGE;
      }
  if (!tool_connect (t, error) || (peers = cluster_peers (t, error)) == NULL)
    {
      g_string_free (names, TRUE);
      return EXIT_FAILED;
    }
  klass = synod_class_new ("Synod.MonitorSink", 1, 0, SYNOD_CLASS_NONE);
  synod_class_add_interface (klass, &standard_monitor_sink_interface, &sink_vtable);
  if (!synod_broker_register_class (t->broker, klass, error)
      || (sink = synod_broker_create_object_of_class (t->broker, klass, NULL, error)) == NULL)
    {
      g_string_free (names, TRUE);
      return EXIT_FAILED;
    }
  sink_id = synod_object_id_to_string (synod_object_get_id (sink));
  for (guint p = 0; p < peers->len; p++)
    {
      ClusterPeer *cp = peers->pdata[p];
      g_autofree gchar *who = peer_text (cp->id);
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GVariant) reply = NULL;
      gboolean wanted = argc <= 1;

      for (gint i = 1; i < argc; i++)
        if (g_ascii_strcasecmp (argv[i], who) == 0)
          wanted = TRUE;
      if (!wanted)
        continue;
      reply = peer_call (t, cp->id, "monitor", g_variant_new ("(s)", sink_id), &local_error);
      if (reply == NULL)
        {
          g_printerr ("synod: %s\n", local_error->message);
          continue;
        }
      g_array_append_val (watched, cp->id);
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", who);
    }
  if (watched->len == 0)
    {
      g_string_free (names, TRUE);
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_UNREACHABLE,
                   argc > 1 ? _ ("None of the peers named is connected to the peer at %s")
                            : _ ("No peer accepted the monitor"),
                   t->peer_address);
      return EXIT_FAILED;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "Monitoring %u peer (%s); interrupt to stop.\n",
                        "Monitoring %u peers (%s); interrupt to stop.\n", watched->len),
           watched->len, names->str);
  fflush (stdout);
  g_string_free (names, TRUE);

  loop = g_main_loop_new (NULL, FALSE);
  m.tool = t;
  m.loop = loop;
  m.peers = watched;
  sources[0] = g_unix_signal_add (SIGINT, monitor_stop, &m);
  sources[1] = g_unix_signal_add (SIGTERM, monitor_stop, &m);
  sources[2] = g_timeout_add_seconds (1, monitor_check, &m);
  g_main_loop_run (loop);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (!m.lost || i != 2)
      g_source_remove (sources[i]);
  /* Best effort: a peer that went away has forgotten the sink anyway. */
  for (guint i = 0; i < watched->len; i++)
    {
      GVariant *reply = peer_call (t, g_array_index (watched, guint64, i), "unmonitor",
                                   g_variant_new ("(s)", sink_id), NULL);

      if (reply)
        g_variant_unref (reply);
    }
  synod_object_delete (sink, NULL);
  if (m.lost)
    {
      g_set_error (error, SYNOD_ORB_ERROR, SYNOD_ORB_ERROR_DISCONNECTED,
                   _ ("Every monitored peer went away"));
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

static const Command commands[] = {
  { "peers", "",
    N_ ("Lists the peers the peer knows: how each was found, its state and "
        "addresses."),
    cmd_peers },
  { "services", "", N_ ("Lists every service name and its providers across the cluster."),
    cmd_services },
  { "objects", N_ ("[PEER…]"),
    N_ ("Shows the objects of each peer (or of the peers named): Id, class;version, "
        "interfaces, aliases and services."),
    cmd_objects },
  { "introspect", N_ ("TARGET"),
    N_ ("Prints the D-Bus introspection XML of an object (TARGET is an object Id or a service "
        "name), or a readable listing."),
    cmd_introspect },
  { "call", N_ ("TARGET INTERFACE.METHOD [ARGUMENT…]"),
    N_ ("Calls a method; arguments and results are in GVariant text syntax, typed from the "
        "target's introspection data (a string may be given bare)."),
    cmd_call },
  { "ping", N_ ("TARGET"), N_ ("Pings an object (Standard.Object.ping) and shows the round trip."),
    cmd_ping },
  { "monitor", N_ ("[PEER…]"),
    N_ ("Prints one line per invocation run on the peers (all of them, or those named) until "
        "interrupted."),
    cmd_monitor },
};

static gchar *
commands_description (void)
{
  GString *s = g_string_new (_ ("Commands:\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (s, "  %s %s\n      %s\n", commands[i].name, _ (commands[i].args),
                            _ (commands[i].summary));
  g_string_append (s, _ ("\nTARGET is an object Id (or alias) or a service name. Run "
                         "“synod COMMAND --help” for a command's options.\n"
                         "Exit status: 0 success, 1 the operation failed, 2 the command line "
                         "is wrong.\n"));
  return g_string_free (s, FALSE);
}

/* The tool reports what went wrong itself; the library's notices for a
 * daemon's log ("Cannot use the peer at ...") would only say it twice.
 * G_MESSAGES_DEBUG still shows them. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) != 0
      && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autofree gchar *description = NULL;
  g_autofree gchar *peer = NULL;
  g_autofree gchar *cluster = NULL;
  g_autofree gchar *tls = NULL, *tls_cert = NULL, *tls_key = NULL, *tls_ca = NULL;
  gdouble timeout = DEFAULT_TIMEOUT_S;
  gboolean discovery = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "peer", 'p', 0, G_OPTION_ARG_STRING, &peer,
      N_ ("Talk to the peer at HOST:PORT (default $SYNOD_PEER, else 127.0.0.1:8275)"),
      N_ ("HOST:PORT") },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout,
      N_ ("Give up on a call after SECONDS (default 25)"), N_ ("SECONDS") },
    { "cluster", 0, 0, G_OPTION_ARG_STRING, &cluster,
      N_ ("Talk only to peers of cluster NAME (default: the peer's own)"), N_ ("NAME") },
    { "discovery", 0, 0, G_OPTION_ARG_NONE, &discovery,
      N_ ("Also find peers with mDNS (browsing only: the tool never publishes itself)"), NULL },
    { "tls", 0, 0, G_OPTION_ARG_STRING, &tls,
      N_ ("RPC-with-TLS: auto (required with a certificate, else off), off, preferred or "
          "required"),
      N_ ("MODE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_ ("Client certificate chain (PEM); its CN is the tool's principal"), N_ ("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_ ("The certificate's private key (PEM)"),
      N_ ("FILE") },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca,
      N_ ("CA certificates that the peer's certificate must chain to (PEM)"), N_ ("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { NULL },
  };
  Tool tool = { 0 };
  const Command *cmd = NULL;
  gint status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new (_ ("COMMAND [ARGUMENT…]"));
  g_option_context_set_summary (context, _ ("Explores and calls the objects of a Synod cluster."));
  description = commands_description ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("synod: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (version)
    {
      g_print ("synod %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (argc < 2)
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return EXIT_USAGE;
    }
  if (timeout <= 0 || timeout > 24 * 3600)
    {
      g_printerr (_ ("synod: --timeout takes a number of seconds above 0\n"));
      return EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      cmd = &commands[i];
  if (cmd == NULL && strcmp (argv[1], "help") == 0)
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      return EXIT_OK;
    }
  if (cmd == NULL)
    {
      g_printerr (_ ("synod: unknown command “%s” (see synod --help)\n"), argv[1]);
      return EXIT_USAGE;
    }

  tool.peer_address = g_strdup (peer                      ? peer
                                : g_getenv ("SYNOD_PEER") ? g_getenv ("SYNOD_PEER")
                                                          : DEFAULT_PEER);
  tool.timeout = timeout;
  tool.cluster = g_steal_pointer (&cluster);
  if (tls && !synod_tls_mode_parse (tls, &tool.tls_mode, &error))
    {
      g_printerr ("synod: %s\n", error->message);
      tool_clear (&tool);
      return EXIT_USAGE;
    }
  tool.tls_cert = g_steal_pointer (&tls_cert);
  tool.tls_key = g_steal_pointer (&tls_key);
  tool.tls_ca = g_steal_pointer (&tls_ca);
  tool.discovery = discovery;
  status = cmd->func (&tool, cmd, argc - 1, argv + 1, &error);
  if (error)
    {
      g_printerr ("synod: %s\n", error->message);
      if (status == EXIT_OK)
        status = EXIT_FAILED;
    }
  tool_clear (&tool);
  return status;
}
