/* synod-test-certs.h — certificates made at run time for the TLS tests and
 * benchmarks, with OpenSSL's API: a CA, certificates it signs (valid now,
 * or expired), written as PEM files into a directory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean synod_test_make_ca (const gchar *dir, const gchar *name, const gchar *common_name,
                             GError **error);
gboolean synod_test_make_cert (const gchar *dir, const gchar *name, const gchar *common_name,
                               const gchar *ca_name, gint64 not_before_s, gint64 not_after_s,
                               GError **error);
gchar *synod_test_cert_path (const gchar *dir, const gchar *name, const gchar *suffix);

G_END_DECLS
