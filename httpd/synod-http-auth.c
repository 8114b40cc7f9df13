/* synod-http-auth.c — HTTP Basic authentication against a crypt(3) user file.
 *
 * The user file is read once, when the daemon is created. Passwords are
 * verified with libcrypt's crypt_rn() (yescrypt, SHA-512 crypt, bcrypt...:
 * whatever the hash says) and the result compared in constant time; an
 * unknown user costs the same hashing as a known one. Hashing takes
 * milliseconds on purpose, so a verified Authorization value is
 * remembered (by its SHA-256, bounded count, short lifetime) and a
 * keep-alive browser, which sends the same value with every request, is
 * hashed once per lifetime. Failed verifications are counted per client
 * address; past the limit, credentials that are not in the cache get 429
 * without any hashing until the minute is over.
 *
 * Principals are interned strings ("web:NAME"), so exchanges carry them
 * without owning them; the set is bounded by the user file.
 */
#include "config.h"

#include <crypt.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>

#include "synod-http-auth.h"
#include "synod-http-error.h"
#include "synod-http-exchange-private.h"
#include "synod-http-util.h"

typedef struct
{
  const gchar *principal; /* interned */
  gchar *hash;
} User;

typedef struct
{
  const gchar *principal;
  gint64 expires;
} CacheEntry;

typedef struct
{
  guint count;
  gint64 window_end;
} Failures;

struct _SynodHttpAuth
{
  gchar *challenge; /* Basic realm="...", charset="UTF-8" */
  gchar **protect;
  gboolean allow_plain_http;
  gint64 cache_ttl_us;
  guint max_failures;
  GHashTable *users; /* name -> User */
  gchar *dummy_hash; /* an unknown user is hashed against this */

  GMutex lock;          /* the cache and the failure counts */
  GHashTable *cache;    /* SHA-256 hex of the field value -> CacheEntry */
  GHashTable *failures; /* client address -> Failures */

  guint64 verifications, cache_hits, n_failures, limited; /* atomics */
};

static void
user_free (gpointer data)
{
  User *u = data;

  if (u->hash != NULL)
    explicit_bzero (u->hash, strlen (u->hash));
  g_free (u->hash);
  g_free (u);
}

void
synod_http_auth_config_init (SynodHttpAuthConfig *config)
{
  memset (config, 0, sizeof *config);
  config->max_failures = SYNOD_HTTP_AUTH_DEFAULT_MAX_FAILURES;
}

/**
 * synod_http_auth_is_valid_user_name:
 *
 * A user name is 1 to 64 bytes of UTF-8 without controls, spaces, ':'
 * (the user file's and Basic's separator), glob characters ('*', '?',
 * '[', ']', which access-control rules match with), '\\', '/' or '"', and
 * is not "anonymous" (the principal of requests without credentials).
 */
gboolean
synod_http_auth_is_valid_user_name (const gchar *name, gsize len)
{
  const gchar *end = name + len;

  if (len == 0 || len > SYNOD_HTTP_AUTH_MAX_NAME || !g_utf8_validate (name, (gssize)len, NULL))
    return FALSE;
  if (len == strlen ("anonymous") && memcmp (name, "anonymous", len) == 0)
    return FALSE;
  for (const gchar *p = name; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x21 || c == 0x7f || (c >= 0x80 && c < 0xa0) || g_unichar_isspace (c)
          || strchr (":*?[]\\/\"", (gint)c) != NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
line_error (GError **error, const gchar *file, guint line, const gchar *why)
{
  g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG, _ ("%s, line %u: %s"), file, line,
               why);
  return FALSE;
}

static gboolean
load_users (SynodHttpAuth *auth, const gchar *file, GError **error)
{
  g_autofree gchar *text = NULL;
  gsize len = 0;
  GStatBuf st;
  g_auto (GStrv) lines = NULL;

  if (g_stat (file, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("user file %s: not a readable regular file"), file);
      return FALSE;
    }
  if (st.st_size > SYNOD_HTTP_AUTH_MAX_FILE)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("user file %s: larger than %u bytes"), file, SYNOD_HTTP_AUTH_MAX_FILE);
      return FALSE;
    }
  {
    g_autoptr (GError) local = NULL;

    if (!g_file_get_contents (file, &text, &len, &local))
      {
        g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG, _ ("user file %s: %s"), file,
                     local->message);
        return FALSE;
      }
  }
  if (len > SYNOD_HTTP_AUTH_MAX_FILE || memchr (text, '\0', len) != NULL)
    return line_error (error, file, 0, _ ("not a text file"));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gchar *line = lines[i];
      gsize n = strlen (line);
      const gchar *colon;
      const gchar *hash;
      g_autofree gchar *name = NULL;
      User *u;

      if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
      if (n == 0 || line[0] == '#')
        continue;
      colon = strchr (line, ':');
      if (colon == NULL)
        return line_error (error, file, i + 1, _ ("expected NAME:HASH"));
      if (!synod_http_auth_is_valid_user_name (line, (gsize)(colon - line)))
        return line_error (error, file, i + 1,
                           _ ("invalid user name (1 to 64 bytes of UTF-8, no spaces, controls, "
                              "':', '*', '?', '[', ']', '\\', '/', '\"'; not \"anonymous\")"));
      hash = colon + 1;
      if (strchr (hash, ':') != NULL)
        return line_error (error, file, i + 1, _ ("a user name may not contain ':'"));
      if (hash[0] != '$' || crypt_checksalt (hash) != CRYPT_SALT_OK)
        return line_error (error, file, i + 1,
                           _ ("not a crypt(3) hash of a supported, non-legacy method (make one "
                              "with 'openssl passwd -6' or 'mkpasswd')"));
      name = g_strndup (line, (gsize)(colon - line));
      if (g_hash_table_contains (auth->users, name))
        return line_error (error, file, i + 1, _ ("the user is listed twice"));
      if (g_hash_table_size (auth->users) >= SYNOD_HTTP_AUTH_MAX_USERS)
        return line_error (error, file, i + 1, _ ("too many users"));
      u = g_new0 (User, 1);
      {
        g_autofree gchar *principal = g_strconcat (SYNOD_HTTP_WEB_PRINCIPAL_PREFIX, name, NULL);

        u->principal = g_intern_string (principal);
      }
      u->hash = g_strdup (hash);
      if (auth->dummy_hash == NULL)
        auth->dummy_hash = g_strdup (hash);
      g_hash_table_insert (auth->users, g_steal_pointer (&name), u);
      explicit_bzero (line, n);
    }
  explicit_bzero (text, len);
  if (g_hash_table_size (auth->users) == 0)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG, _ ("user file %s: no users"),
                   file);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_realm (const gchar *realm)
{
  if (*realm == '\0' || strlen (realm) > 128)
    return FALSE;
  for (const gchar *p = realm; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || (guchar)*p >= 0x80)
      return FALSE;
  return TRUE;
}

/**
 * synod_http_auth_new:
 *
 * Reads the user file. Returns: %NULL with a SYNOD_HTTP_ERROR_CONFIG
 *   naming the file and line when a line is not NAME:HASH with a valid
 *   name and a supported crypt(3) hash, a name is listed twice, or the
 *   file is unreadable, too large or empty; or naming the realm or prefix
 *   that is not valid
 */
SynodHttpAuth *
synod_http_auth_new (const SynodHttpAuthConfig *config, GError **error)
{
  g_autoptr (SynodHttpAuth) auth = g_new0 (SynodHttpAuth, 1);
  const gchar *realm = config->realm != NULL ? config->realm : "Synod";

  g_mutex_init (&auth->lock);
  auth->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, user_free);
  auth->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  auth->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  auth->allow_plain_http = config->allow_plain_http;
  auth->max_failures = config->max_failures;
  auth->cache_ttl_us = (gint64)(config->cache_ttl_ms != 0 ? config->cache_ttl_ms
                                                          : SYNOD_HTTP_AUTH_DEFAULT_CACHE_TTL_MS)
                       * 1000;
  if (!is_valid_realm (realm))
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                   _ ("realm: 1 to 128 printable ASCII characters without '\"' or '\\'"));
      return NULL;
    }
  auth->challenge = g_strdup_printf ("Basic realm=\"%s\", charset=\"UTF-8\"", realm);
  if (config->protect == NULL)
    auth->protect = g_new0 (gchar *, 2), auth->protect[0] = g_strdup ("/");
  else
    {
      for (guint i = 0; config->protect[i] != NULL; i++)
        if (config->protect[i][0] != '/')
          {
            g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG,
                         _ ("protect: %s does not start with '/'"), config->protect[i]);
            return NULL;
          }
      auth->protect = g_strdupv ((gchar **)config->protect);
    }
  if (config->users_file == NULL)
    {
      g_set_error (error, SYNOD_HTTP_ERROR, SYNOD_HTTP_ERROR_CONFIG, _ ("no user file"));
      return NULL;
    }
  if (!load_users (auth, config->users_file, error))
    return NULL;
  return g_steal_pointer (&auth);
}

void
synod_http_auth_free (SynodHttpAuth *auth)
{
  if (auth == NULL)
    return;
  g_hash_table_unref (auth->users);
  g_hash_table_unref (auth->cache);
  g_hash_table_unref (auth->failures);
  g_mutex_clear (&auth->lock);
  g_free (auth->challenge);
  g_strfreev (auth->protect);
  g_free (auth->dummy_hash);
  g_free (auth);
}

void
synod_http_auth_get_stats (SynodHttpAuth *auth, SynodHttpAuthStats *s)
{
  s->verifications = __atomic_load_n (&auth->verifications, __ATOMIC_RELAXED);
  s->cache_hits = __atomic_load_n (&auth->cache_hits, __ATOMIC_RELAXED);
  s->failures = __atomic_load_n (&auth->n_failures, __ATOMIC_RELAXED);
  s->limited = __atomic_load_n (&auth->limited, __ATOMIC_RELAXED);
}

/* A prefix covers the path itself and what is below it: "/admin" and
 * "/admin/" both cover "/admin/x"; "/admin" does not cover "/administer". */
static gboolean
is_protected (SynodHttpAuth *auth, const gchar *path)
{
  for (guint i = 0; auth->protect[i] != NULL; i++)
    {
      const gchar *p = auth->protect[i];
      gsize n = strlen (p);

      if (strncmp (path, p, n) == 0 && (p[n - 1] == '/' || path[n] == '\0' || path[n] == '/'))
        return TRUE;
    }
  return FALSE;
}

/* ---- the Authorization field ---- */

/* Strict base64 (RFC 4648 §4, padded): g_base64_decode skips what it does
 * not know, so the text is checked first. */
static gboolean
is_base64 (const gchar *s, gsize len)
{
  gsize pad = 0;

  if (len == 0 || len % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      gchar c = s[i];

      if (c == '=')
        {
          pad++;
          continue;
        }
      if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  return pad <= 2;
}

/* Splits "Basic TOKEN68" into user and password. FALSE for anything else:
 * another scheme, bad base64, no colon, NUL, controls or non-UTF-8. */
static gboolean
parse_basic (const SynodHttpSlice *value, gchar **ret_user, gchar **ret_password)
{
  const gchar *p = value->ptr, *end = value->ptr + value->len;
  g_autofree gchar *b64 = NULL;
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  const gchar *colon;

  if (value->len > SYNOD_HTTP_AUTH_MAX_FIELD || value->len < 6
      || g_ascii_strncasecmp (p, "Basic", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
    return FALSE;
  p += 5;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (!is_base64 (p, (gsize)(end - p)))
    return FALSE;
  b64 = g_strndup (p, (gsize)(end - p));
  raw = g_base64_decode (b64, &raw_len);
  if (raw == NULL || raw_len == 0 || memchr (raw, '\0', raw_len) != NULL
      || !g_utf8_validate ((const gchar *)raw, (gssize)raw_len, NULL))
    {
      if (raw != NULL)
        explicit_bzero (raw, raw_len);
      return FALSE;
    }
  colon = memchr (raw, ':', raw_len);
  if (colon == NULL)
    {
      explicit_bzero (raw, raw_len);
      return FALSE;
    }
  for (gsize i = 0; i < raw_len; i++)
    if (raw[i] < 0x20 || raw[i] == 0x7f)
      {
        explicit_bzero (raw, raw_len);
        return FALSE;
      }
  *ret_user = g_strndup ((const gchar *)raw, (gsize)(colon - (const gchar *)raw));
  *ret_password = g_strndup (colon + 1, raw_len - (gsize)(colon + 1 - (const gchar *)raw));
  explicit_bzero (raw, raw_len);
  return TRUE;
}

/* Hashes @password with @hash's setting and compares in constant time.
 * crypt_rn, not crypt_r: it fails with NULL rather than a "*0" token, and
 * AddressSanitizer intercepts crypt_r with a pointer resolved when the
 * program starts, which is NULL when libcrypt came with a class plugin
 * (synodd loads the HTTP classes with dlopen). */
static gboolean
verify (SynodHttpAuth *auth, const gchar *password, const gchar *hash)
{
  struct crypt_data *data = g_new0 (struct crypt_data, 1);
  const gchar *out;
  gboolean ok = FALSE;
  gsize n = strlen (hash);

  __atomic_fetch_add (&auth->verifications, 1, __ATOMIC_RELAXED);
  out = crypt_rn (password, hash, data, (int)sizeof *data);
  if (out != NULL && out[0] != '*' && strlen (out) == n)
    ok = CRYPTO_memcmp (out, hash, n) == 0;
  explicit_bzero (data, sizeof *data);
  g_free (data);
  return ok;
}

static gchar *
cache_key (const SynodHttpSlice *value)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)value->ptr, value->len);
}

static const gchar *
cache_lookup (SynodHttpAuth *auth, const gchar *key, gint64 now)
{
  const gchar *principal = NULL;
  CacheEntry *e;

  g_mutex_lock (&auth->lock);
  e = g_hash_table_lookup (auth->cache, key);
  if (e != NULL && e->expires > now)
    principal = e->principal;
  else if (e != NULL)
    g_hash_table_remove (auth->cache, key);
  g_mutex_unlock (&auth->lock);
  return principal;
}

static gboolean
remove_expired_entry (gpointer key, gpointer value, gpointer now)
{
  return ((CacheEntry *)value)->expires <= *(gint64 *)now;
}

static void
cache_store (SynodHttpAuth *auth, gchar *key, const gchar *principal, gint64 now)
{
  CacheEntry *e = g_new (CacheEntry, 1);

  e->principal = principal;
  e->expires = now + auth->cache_ttl_us;
  g_mutex_lock (&auth->lock);
  if (g_hash_table_size (auth->cache) >= SYNOD_HTTP_AUTH_CACHE_MAX)
    {
      g_hash_table_foreach_remove (auth->cache, remove_expired_entry, &now);
      /* Still full of live entries: start over (a bound, not a policy). */
      if (g_hash_table_size (auth->cache) >= SYNOD_HTTP_AUTH_CACHE_MAX)
        g_hash_table_remove_all (auth->cache);
    }
  g_hash_table_replace (auth->cache, key, e);
  g_mutex_unlock (&auth->lock);
}

static gboolean
remove_expired_failures (gpointer key, gpointer value, gpointer now)
{
  return ((Failures *)value)->window_end <= *(gint64 *)now;
}

/* Whether @address has used up its failures for this window. */
static gboolean
is_limited (SynodHttpAuth *auth, const gchar *address, gint64 now)
{
  Failures *f;
  gboolean limited = FALSE;

  if (auth->max_failures == 0)
    return FALSE;
  g_mutex_lock (&auth->lock);
  f = g_hash_table_lookup (auth->failures, address);
  if (f != NULL && f->window_end > now && f->count >= auth->max_failures)
    limited = TRUE;
  g_mutex_unlock (&auth->lock);
  return limited;
}

static void
count_failure (SynodHttpAuth *auth, const gchar *address, gint64 now)
{
  Failures *f;

  if (auth->max_failures == 0)
    return;
  g_mutex_lock (&auth->lock);
  f = g_hash_table_lookup (auth->failures, address);
  if (f == NULL)
    {
      if (g_hash_table_size (auth->failures) >= SYNOD_HTTP_AUTH_MAX_ADDRESSES)
        {
          g_hash_table_foreach_remove (auth->failures, remove_expired_failures, &now);
          if (g_hash_table_size (auth->failures) >= SYNOD_HTTP_AUTH_MAX_ADDRESSES)
            g_hash_table_remove_all (auth->failures);
        }
      f = g_new0 (Failures, 1);
      g_hash_table_insert (auth->failures, g_strdup (address), f);
    }
  if (f->window_end <= now)
    {
      f->count = 0;
      f->window_end = now + (gint64)SYNOD_HTTP_AUTH_FAILURE_WINDOW_MS * 1000;
    }
  f->count++;
  g_mutex_unlock (&auth->lock);
}

/* Sub-requests (SSI includes) of a request: an anonymous one may not
 * include a protected path. */
static gboolean
subrequest_guard (gpointer data, const gchar *principal, const gchar *path)
{
  SynodHttpAuth *auth = data;

  return !is_protected (auth, path)
         || (principal != NULL && strcmp (principal, SYNOD_HTTP_ANONYMOUS_PRINCIPAL) != 0);
}

static void
challenge (SynodHttpAuth *auth, SynodHttpExchange *ex, const gchar *why)
{
  __atomic_fetch_add (&auth->n_failures, 1, __ATOMIC_RELAXED);
  synod_http_exchange_respond_error (ex, 401, why);
  synod_http_exchange_add_header (ex, "WWW-Authenticate", auth->challenge);
}

/**
 * synod_http_auth_check:
 * @exchange: a request about to be dispatched
 * @secure: whether it came over HTTPS
 *
 * Authenticates @exchange. Returns: %TRUE when it may be dispatched, its
 *   principal set ("web:NAME" or "web:anonymous"); %FALSE when the
 *   response is made (401 with the challenge, 403 for credentials or a
 *   protected prefix over plain HTTP, 429 past the failure limit)
 */
gboolean
synod_http_auth_check (SynodHttpAuth *auth, SynodHttpExchange *ex, gboolean secure)
{
  const SynodHttpRequestHead *h = &ex->head;
  const SynodHttpSlice *value = NULL;
  guint n_fields = 0;
  gboolean protect = is_protected (auth, ex->path->str);
  g_autofree gchar *key = NULL;
  g_autofree gchar *user = NULL;
  g_autofree gchar *password = NULL;
  const gchar *principal;
  gint64 now;
  User *u;
  gboolean ok;

  ex->principal = NULL;
  ex->guard = subrequest_guard;
  ex->guard_data = auth;
  for (guint i = 0; i < h->n_headers; i++)
    if (synod_http_slice_equal_ci (h->headers[i].name, "authorization"))
      {
        value = &h->headers[i].value;
        n_fields++;
      }
  if (!secure && !auth->allow_plain_http)
    {
      if (value != NULL || protect)
        {
          synod_http_exchange_respond_error (
              ex, 403,
              value != NULL ? _ ("Credentials are not accepted over plain HTTP: use HTTPS.")
                            : _ ("This resource requires authentication over HTTPS."));
          return FALSE;
        }
      ex->principal = SYNOD_HTTP_ANONYMOUS_PRINCIPAL;
      return TRUE;
    }
  if (value == NULL)
    {
      if (protect)
        {
          synod_http_exchange_respond_error (ex, 401, _ ("This resource requires a login."));
          synod_http_exchange_add_header (ex, "WWW-Authenticate", auth->challenge);
          return FALSE;
        }
      ex->principal = SYNOD_HTTP_ANONYMOUS_PRINCIPAL;
      return TRUE;
    }
  if (n_fields > 1)
    {
      challenge (auth, ex, _ ("Invalid credentials."));
      return FALSE;
    }
  now = g_get_monotonic_time ();
  if (value->len <= SYNOD_HTTP_AUTH_MAX_FIELD)
    {
      key = cache_key (value);
      principal = cache_lookup (auth, key, now);
      if (principal != NULL)
        {
          __atomic_fetch_add (&auth->cache_hits, 1, __ATOMIC_RELAXED);
          ex->principal = principal;
          return TRUE;
        }
    }
  if (!parse_basic (value, &user, &password))
    {
      challenge (auth, ex, _ ("Invalid credentials."));
      return FALSE;
    }
  if (is_limited (auth, ex->remote, now))
    {
      __atomic_fetch_add (&auth->limited, 1, __ATOMIC_RELAXED);
      synod_http_exchange_respond_error (ex, 429, _ ("Too many failed logins: try again later."));
      synod_http_exchange_add_header_printf (ex, "Retry-After", "%u",
                                             SYNOD_HTTP_AUTH_FAILURE_WINDOW_MS / 1000);
      explicit_bzero (password, strlen (password));
      return FALSE;
    }
  u = g_hash_table_lookup (auth->users, user);
  /* An unknown user costs the same hashing as a wrong password. */
  ok = verify (auth, password, u != NULL ? u->hash : auth->dummy_hash) && u != NULL;
  explicit_bzero (password, strlen (password));
  if (!ok)
    {
      count_failure (auth, ex->remote, now);
      g_info ("%s: failed login for a user name of %zu bytes", ex->remote, strlen (user));
      challenge (auth, ex, _ ("Invalid credentials."));
      return FALSE;
    }
  cache_store (auth, g_steal_pointer (&key), u->principal, now);
  ex->principal = u->principal;
  return TRUE;
}

/**
 * synod_http_exchange_get_principal:
 *
 * Returns: (nullable): the principal the request runs under ("web:NAME",
 *   "web:anonymous"), or %NULL on a daemon without users (handlers are
 *   then invoked under the broker's local principal)
 */
const gchar *
synod_http_exchange_get_principal (SynodHttpExchange *ex)
{
  return ex->principal;
}
