/* synod-test-library-domain.c — a program that uses libsynod but binds no
 * message domain of its own: it sets the locale, parses its argument as an
 * object Id and prints the error. The message is in the user's language only
 * if libsynod bound its "synod" domain itself (orb/synod-i18n.c).
 * Run by tests/i18n/test-i18n.sh; exit status 1 when the text is refused.
 */
#include "config.h"

#include <locale.h>

#include "synod-object-id.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  SynodObjectId id;

  setlocale (LC_ALL, "");
  if (argc != 2)
    return 2;
  if (synod_object_id_parse (argv[1], &id, &error))
    return 0;
  g_print ("%s\n", error->message);
  return 1;
}
