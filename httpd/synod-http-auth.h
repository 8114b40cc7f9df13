/* synod-http-auth.h — web users as principals: HTTP Basic authentication.
 *
 * A daemon given a user file authenticates the Authorization: Basic field
 * of every request (RFC 7617) against crypt(3) hashes, and gives the
 * request a principal: "web:NAME" for an authenticated user,
 * "web:anonymous" for a request without credentials on a prefix that does
 * not require them. Handler objects are invoked under that principal, so
 * their access control decides per web user. See docs/httpd.md "Web users".
 */
#pragma once

#include "synod-http-handler.h"

G_BEGIN_DECLS

/* The prefix of every web principal; peers and certificates use others. */
#define SYNOD_HTTP_WEB_PRINCIPAL_PREFIX "web:"
/* The principal of a request without credentials on a daemon with users. */
#define SYNOD_HTTP_ANONYMOUS_PRINCIPAL "web:anonymous"

/* The request field that tells a handler object the web principal (the
 * gateway removes any the client sent). */
#define SYNOD_HTTP_PRINCIPAL_FIELD "synod-principal"

/* Limits. */
#define SYNOD_HTTP_AUTH_MAX_USERS 10000
#define SYNOD_HTTP_AUTH_MAX_FILE (4 * 1024 * 1024)
#define SYNOD_HTTP_AUTH_MAX_NAME 64
#define SYNOD_HTTP_AUTH_MAX_FIELD 1024 /* the Authorization value, in bytes */
#define SYNOD_HTTP_AUTH_CACHE_MAX 4096
#define SYNOD_HTTP_AUTH_DEFAULT_CACHE_TTL_MS 60000
#define SYNOD_HTTP_AUTH_DEFAULT_MAX_FAILURES 20 /* per client address and minute */
#define SYNOD_HTTP_AUTH_FAILURE_WINDOW_MS 60000
#define SYNOD_HTTP_AUTH_MAX_ADDRESSES 10000

typedef struct _SynodHttpAuth SynodHttpAuth;

/**
 * SynodHttpAuthConfig:
 * @users_file: lines "NAME:HASH" (crypt(3) format), '#' comments
 * @realm: (nullable): the realm of the challenge ("Synod" when %NULL)
 * @protect: (nullable): URL prefixes that require authentication; %NULL
 *   means every URL ("/")
 * @allow_plain_http: accept credentials over plain HTTP (loopback tests)
 * @cache_ttl_ms: how long a verified Authorization value is trusted
 *   without hashing again (0: the default, 60 s)
 * @max_failures: failed verifications per client address and minute
 *   before further ones are answered 429 without hashing (0: no limit)
 */
typedef struct
{
  const gchar *users_file;
  const gchar *realm;
  const gchar *const *protect;
  gboolean allow_plain_http;
  guint cache_ttl_ms;
  guint max_failures;
} SynodHttpAuthConfig;

/**
 * SynodHttpAuthStats:
 * @verifications: passwords hashed (crypt_r calls)
 * @cache_hits: requests authenticated from the cache
 * @failures: requests answered 401 for wrong or malformed credentials
 * @limited: requests answered 429 by the failure limit
 */
typedef struct
{
  guint64 verifications;
  guint64 cache_hits;
  guint64 failures;
  guint64 limited;
} SynodHttpAuthStats;

void synod_http_auth_config_init (SynodHttpAuthConfig *config);
SynodHttpAuth *synod_http_auth_new (const SynodHttpAuthConfig *config, GError **error);
void synod_http_auth_free (SynodHttpAuth *auth);
gboolean synod_http_auth_check (SynodHttpAuth *auth, SynodHttpExchange *exchange, gboolean secure);
void synod_http_auth_get_stats (SynodHttpAuth *auth, SynodHttpAuthStats *ret_stats);
gboolean synod_http_auth_is_valid_user_name (const gchar *name, gsize len);

const gchar *synod_http_exchange_get_principal (SynodHttpExchange *exchange);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodHttpAuth, synod_http_auth_free)

G_END_DECLS
