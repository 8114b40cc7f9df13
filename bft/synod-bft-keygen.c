/* synod-bft-keygen — provisions the keys of a BFT service.
 *
 *   synod-bft-keygen --service shop --replicas 4 --out DIR
 *
 * writes DIR/replica-I and DIR/client-J (one directory per node: copy
 * replica-I and client-I to the peer that runs replica I and its
 * Coordinator) and DIR/public (what browsers and `synod` need to check
 * proofs). See synod-bft-keys.h and docs/bft.md for the formats. */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "synod-bft-keys.h"

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *service = NULL, *out = NULL, *id_text = NULL;
  gint replicas = 0, f = 0, clients = 0, checkpoint = 0, window = 0;
  gboolean force = FALSE, no_sign_replies = FALSE, sign_requests = FALSE, no_seed = FALSE;
  SynodBftKeygenOptions options;
  GOptionEntry entries[] = {
    { "service", 's', 0, G_OPTION_ARG_STRING, &service, N_ ("The service name"), N_ ("NAME") },
    { "replicas", 'n', 0, G_OPTION_ARG_INT, &replicas, N_ ("Replicas (3f+1; default 4)"),
      N_ ("N") },
    { "faults", 'f', 0, G_OPTION_ARG_INT, &f, N_ ("Faults tolerated (instead of --replicas)"),
      N_ ("F") },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &clients,
      N_ ("Client nodes (default: one per replica, for the Coordinators)"), N_ ("N") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_ ("Where to write the key directories"),
      N_ ("DIR") },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id_text,
      N_ ("The 64-bit service id in hex (default: random)"), N_ ("HEX") },
    { "checkpoint-interval", 0, 0, G_OPTION_ARG_INT, &checkpoint,
      N_ ("A checkpoint every N batches (default 128)"), N_ ("N") },
    { "window", 0, 0, G_OPTION_ARG_INT, &window,
      N_ ("Sequence numbers in flight past the last stable checkpoint (default 2N)"), N_ ("L") },
    { "no-sign-replies", 0, 0, G_OPTION_ARG_NONE, &no_sign_replies,
      N_ ("Replies carry MACs only: no proofs for browsers"), NULL },
    { "sign-requests", 0, 0, G_OPTION_ARG_NONE, &sign_requests,
      N_ ("Clients sign requests with Ed25519 instead of MACs"), NULL },
    { "no-random-seed", 0, 0, G_OPTION_ARG_NONE, &no_seed,
      N_ ("Batches carry no agreed random seed"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_ ("Overwrite an existing directory"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_ ("— provision the keys of a BFT service"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("synod-bft-keygen: %s\n", error->message);
      return 2;
    }
  if (service == NULL || out == NULL || argc > 1)
    {
      g_printerr (_ ("synod-bft-keygen: --service and --out are required (see --help)\n"));
      return 2;
    }
  if (replicas && f)
    {
      g_printerr (_ ("synod-bft-keygen: give --replicas or --faults, not both\n"));
      return 2;
    }
  if (replicas && (replicas < 4 || (replicas - 1) % 3 != 0))
    {
      g_printerr (_ ("synod-bft-keygen: --replicas must be 3f+1 (4, 7, 10...)\n"));
      return 2;
    }
  if (f < 0 || clients < 0 || checkpoint < 0 || window < 0)
    {
      g_printerr (_ ("synod-bft-keygen: numbers must not be negative\n"));
      return 2;
    }

  synod_bft_keygen_options_init (&options);
  options.name = service;
  options.f = f ? (guint)f : replicas ? (guint)(replicas - 1) / 3 : 1;
  options.n_clients = clients;
  options.checkpoint_interval = checkpoint;
  options.window = window;
  options.sign_replies = !no_sign_replies;
  options.sign_requests = sign_requests;
  options.random_seed = !no_seed;
  if (id_text)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned (id_text, 16, 1, G_MAXUINT64, &id, &error))
        {
          g_printerr ("synod-bft-keygen: --id: %s\n", error->message);
          return 2;
        }
      options.service_id = id;
    }
  if (!synod_bft_keygen (&options, out, force, &error))
    {
      g_printerr ("synod-bft-keygen: %s\n", error->message);
      return 1;
    }
  g_print (_ ("Keys of service “%s” (f=%u, %u replicas) written to %s\n"), service, options.f,
           3 * options.f + 1, out);
  return 0;
}
