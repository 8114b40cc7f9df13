/* localedir-shim.c — a test-only preload that redirects Synod's message
 * catalog to the directory named by $SYNOD_TEST_LOCALEDIR.
 *
 * Synod's programs bind the "synod" domain to the LOCALEDIR they were
 * configured with, which for an uninstalled build does not hold the
 * catalogs yet.  tests/i18n/test-i18n.sh lays the built .gmo files out
 * as LOCALEDIR/LL/LC_MESSAGES/synod.mo in a temporary directory and
 * preloads this library, so the unmodified programs read them from there.
 * Every other domain, and every call when the variable is unset, goes to
 * the C library untouched.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*BindFunc) (const char *domain, const char *dirname);

char *bindtextdomain (const char *domain, const char *dirname);

char *
bindtextdomain (const char *domain, const char *dirname)
{
  BindFunc real = (BindFunc)dlsym (RTLD_NEXT, "bindtextdomain");
  const char *dir = getenv ("SYNOD_TEST_LOCALEDIR");

  if (real == NULL)
    abort ();
  if (dir != NULL && *dir != '\0' && domain != NULL && dirname != NULL
      && strcmp (domain, GETTEXT_PACKAGE) == 0)
    dirname = dir;
  return real (domain, dirname);
}
