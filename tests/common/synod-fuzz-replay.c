/* synod-fuzz-replay — a fuzz target's seed corpus replayed as a test. */
#include "config.h"

#include <stdio.h>

#include "synod-fuzz-replay.h"

int
synod_fuzz_replay_main (int argc, char **argv, const gchar *default_corpus)
{
  const gchar *dir_name = argc > 1 ? argv[1] : NULL;
  g_autofree gchar *default_dir = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *name;
  guint n = 0;

  if (dir_name == NULL)
    {
      const gchar *top = g_getenv ("SYNOD_TOP_SRCDIR");

      default_dir = g_build_filename (top != NULL ? top : ".", default_corpus, NULL);
      dir_name = default_dir;
    }
  dir = g_dir_open (dir_name, 0, &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_name, name, NULL);
      g_autofree gchar *contents = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const guint8 *)contents, len);
      n++;
      printf ("ok %u - %s\n", n, name);
    }
  printf ("1..%u\n", n);
  return n > 0 ? 0 : 1;
}
