/* synod-test-query — asks one synodd what it knows, for shell tests.
 *
 *   synod-test-query ADDRESS peers        one line per peer of its table:
 *                                         ID SOURCES STATE ADDRESS CLUSTER
 *   synod-test-query ADDRESS info         ID CLUSTER LISTEN DISCOVERY(0|1)
 *   synod-test-query ADDRESS ask SERVICE  the id of the peer providing
 *                                         SERVICE, asked through the daemon's
 *                                         Test.Locator object "test.locator"
 *
 * Fields are separated by tabs; an empty field is "-". Exit status 0 on
 * success, 1 when the daemon cannot be asked, 2 on bad usage.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <synod.h>

#include "tests/common/synod-test-peers.h"

static const gchar *
field (const gchar *text)
{
  return text && text[0] ? text : "-";
}

static gboolean
print_peers (const gchar *address, GError **error)
{
  g_autoptr (GPtrArray) entries = synod_test_query_peers (address, NULL, error);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      SynodTestPeerEntry *e = entries->pdata[i];

      g_print ("%016" G_GINT64_MODIFIER "x\t%s\t%s\t%s\t%s\n", e->id, field (e->sources),
               field (e->state), field (e->address), field (e->cluster));
    }
  return TRUE;
}

static gboolean
print_info (const gchar *address, GError **error)
{
  g_autoptr (GVariant) info = synod_test_query_info (address, error);
  guint64 id;
  const gchar *cluster, *listen;
  gboolean discovery;

  if (info == NULL)
    return FALSE;
  g_variant_get (info, "((t&s&s&sub))", &id, NULL, &cluster, &listen, NULL, &discovery);
  g_print ("%016" G_GINT64_MODIFIER "x\t%s\t%s\t%d\n", id, field (cluster), field (listen),
           discovery ? 1 : 0);
  return TRUE;
}

static gboolean
print_ask (const gchar *address, const gchar *service, GError **error)
{
  g_autofree gchar *answer = synod_test_query_ask (address, service, error);

  if (answer == NULL)
    return FALSE;
  g_print ("%s\n", answer);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  setlocale (LC_ALL, "");
  if (argc == 3 && strcmp (argv[2], "peers") == 0)
    ok = print_peers (argv[1], &error);
  else if (argc == 3 && strcmp (argv[2], "info") == 0)
    ok = print_info (argv[1], &error);
  else if (argc == 4 && strcmp (argv[2], "ask") == 0)
    ok = print_ask (argv[1], argv[3], &error);
  else
    {
      g_printerr ("usage: synod-test-query ADDRESS peers|info|ask SERVICE\n");
      return 2;
    }
  if (!ok)
    {
      g_printerr ("synod-test-query: %s: %s\n", argv[1], error->message);
      return 1;
    }
  return 0;
}
