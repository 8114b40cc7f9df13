/* synod-test-certs.c — see synod-test-certs.h. */
#include "config.h"

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "synod-test-certs.h"

/* "DIR/NAME.SUFFIX" ("pem" for the certificate, "key" for its key). */
gchar *
synod_test_cert_path (const gchar *dir, const gchar *name, const gchar *suffix)
{
  g_autofree gchar *base = g_strdup_printf ("%s.%s", name, suffix);

  return g_build_filename (dir, base, NULL);
}

static gboolean
fail (GError **error, const gchar *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "making a test certificate: %s", what);
  return FALSE;
}

static gboolean
add_extension (X509 *cert, X509 *issuer, int nid, const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx (&ctx, issuer, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return FALSE;
  ok = X509_add_ext (cert, ext, -1) == 1;
  X509_EXTENSION_free (ext);
  return ok;
}

static gboolean
write_pem (const gchar *dir, const gchar *name, X509 *cert, EVP_PKEY *key, GError **error)
{
  g_autofree gchar *cert_path = synod_test_cert_path (dir, name, "pem");
  g_autofree gchar *key_path = synod_test_cert_path (dir, name, "key");
  FILE *f;
  gboolean ok;

  f = fopen (cert_path, "w");
  if (f == NULL)
    return fail (error, cert_path);
  ok = PEM_write_X509 (f, cert) == 1;
  ok = fclose (f) == 0 && ok;
  if (!ok)
    return fail (error, cert_path);
  f = fopen (key_path, "w");
  if (f == NULL)
    return fail (error, key_path);
  ok = PEM_write_PrivateKey (f, key, NULL, NULL, 0, NULL, NULL) == 1;
  ok = fclose (f) == 0 && ok;
  if (!ok)
    return fail (error, key_path);
  return TRUE;
}

static EVP_PKEY *
read_key (const gchar *dir, const gchar *name)
{
  g_autofree gchar *path = synod_test_cert_path (dir, name, "key");
  FILE *f = fopen (path, "r");
  EVP_PKEY *key;

  if (f == NULL)
    return NULL;
  key = PEM_read_PrivateKey (f, NULL, NULL, NULL);
  fclose (f);
  return key;
}

static X509 *
read_cert (const gchar *dir, const gchar *name)
{
  g_autofree gchar *path = synod_test_cert_path (dir, name, "pem");
  FILE *f = fopen (path, "r");
  X509 *cert;

  if (f == NULL)
    return NULL;
  cert = PEM_read_X509 (f, NULL, NULL, NULL);
  fclose (f);
  return cert;
}

/* A certificate for @common_name valid from now + @not_before_s to now +
 * @not_after_s, signed by @issuer_key (self-signed when @issuer is NULL). */
static gboolean
make (const gchar *dir, const gchar *name, const gchar *common_name, X509 *issuer,
      EVP_PKEY *issuer_key, gint64 not_before_s, gint64 not_after_s, GError **error)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *cert = X509_new ();
  X509_NAME *subject;
  gboolean ok = FALSE;

  if (key == NULL || cert == NULL)
    {
      fail (error, "out of memory");
      goto out;
    }
  subject = X509_get_subject_name (cert);
  if (X509_set_version (cert, 2) != 1
      || ASN1_INTEGER_set (X509_get_serialNumber (cert), (long)g_random_int_range (1, G_MAXINT32))
             != 1
      || X509_gmtime_adj (X509_getm_notBefore (cert), (long)not_before_s) == NULL
      || X509_gmtime_adj (X509_getm_notAfter (cert), (long)not_after_s) == NULL
      || X509_set_pubkey (cert, key) != 1
      || X509_NAME_add_entry_by_txt (subject, "CN", MBSTRING_UTF8,
                                     (const unsigned char *)common_name, -1, -1, 0)
             != 1
      || X509_NAME_add_entry_by_txt (subject, "O", MBSTRING_UTF8,
                                     (const unsigned char *)"Synod tests", -1, -1, 0)
             != 1
      || X509_set_issuer_name (cert, issuer ? X509_get_subject_name (issuer) : subject) != 1
      || !add_extension (cert, issuer ? issuer : cert, NID_basic_constraints,
                         issuer ? "critical,CA:FALSE" : "critical,CA:TRUE")
      || !add_extension (cert, issuer ? issuer : cert, NID_key_usage,
                         issuer ? "critical,digitalSignature" : "critical,keyCertSign,cRLSign")
      || !add_extension (cert, issuer ? issuer : cert, NID_subject_key_identifier, "hash")
      || X509_sign (cert, issuer ? issuer_key : key, EVP_sha256 ()) == 0)
    {
      fail (error, common_name);
      goto out;
    }
  ok = write_pem (dir, name, cert, key, error);
out:
  X509_free (cert);
  EVP_PKEY_free (key);
  return ok;
}

/**
 * synod_test_make_ca:
 * @dir: where to write NAME.pem and NAME.key
 * @name: file name stem
 * @common_name: the CA's CN
 * @error: return location for an error
 *
 * A self-signed CA valid for a day.
 */
gboolean
synod_test_make_ca (const gchar *dir, const gchar *name, const gchar *common_name, GError **error)
{
  return make (dir, name, common_name, NULL, NULL, -3600, 24 * 3600, error);
}

/**
 * synod_test_make_cert:
 * @dir: where the CA's files are and NAME.pem and NAME.key go
 * @name: file name stem
 * @common_name: the certificate's CN (the principal is "cert:" and it)
 * @ca_name: the stem of the CA's files
 * @not_before_s: validity start, seconds from now
 * @not_after_s: validity end, seconds from now (negative: expired)
 * @error: return location for an error
 */
gboolean
synod_test_make_cert (const gchar *dir, const gchar *name, const gchar *common_name,
                      const gchar *ca_name, gint64 not_before_s, gint64 not_after_s, GError **error)
{
  X509 *ca = read_cert (dir, ca_name);
  EVP_PKEY *ca_key = read_key (dir, ca_name);
  gboolean ok;

  if (ca == NULL || ca_key == NULL)
    ok = fail (error, ca_name);
  else
    ok = make (dir, name, common_name, ca, ca_key, not_before_s, not_after_s, error);
  X509_free (ca);
  EVP_PKEY_free (ca_key);
  return ok;
}
