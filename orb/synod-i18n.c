/* synod-i18n.c — libsynod binds its message catalog when it is loaded.
 *
 * Every library message goes through _() from glib/gi18n-lib.h, which looks
 * it up with dgettext (GETTEXT_PACKAGE, ...).  A program that uses libsynod
 * without binding the "synod" domain itself (any program but Synod's own)
 * would otherwise look in the C library's default directory, not in the
 * directory Synod installs its catalogs into, and would get catalogs in the
 * locale's charset rather than the UTF-8 GLib expects of GError messages.
 * Synod's programs bind the same domain to the same directory again in
 * main(), which is harmless: the binding is per process and idempotent.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

__attribute__ ((constructor)) static void
synod_i18n_bind (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
