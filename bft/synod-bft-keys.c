/* synod-bft-keys.c — provisioning and loading a BFT service's keys (the
 * formats are in synod-bft-keys.h and docs/bft.md). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "synod-bft-error.h"
#include "synod-bft-keys.h"

#define MAX_NAME_LEN 64
#define MAX_CLIENTS 256
#define SERVICE_FILE "service.conf"
#define PUBLIC_FILE "public-keys.pem"
#define PRIVATE_FILE "node.key"
#define MAC_FILE "node.mac"
#define JSON_FILE "service.json"

typedef guint8 Key32[32];
/* Anything larger than this is not one of our files. */
#define MAX_FILE_SIZE (1 << 20)

struct _SynodBftKeys
{
  gatomicrefcount ref;
  gchar *name;
  guint64 service_id;
  guint f;
  guint n_clients;
  guint checkpoint_interval;
  guint window;
  gboolean sign_replies;
  gboolean sign_requests;
  gboolean random_seed;
  guint32 node;
  guint n_nodes;
  guint8 (*public_keys)[32];
  gboolean has_seed;
  guint8 seed[32];
  GHashTable *mac_keys; /* node -> guint8[32] */
};

static void
secret_free (gpointer data)
{
  OPENSSL_cleanse (data, 32);
  g_free (data);
}

static gboolean
name_is_valid (const gchar *name)
{
  gsize len = name ? strlen (name) : 0;

  if (len == 0 || len > MAX_NAME_LEN)
    return FALSE;
  for (const gchar *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

void
synod_bft_keygen_options_init (SynodBftKeygenOptions *options)
{
  *options = (SynodBftKeygenOptions){
    .f = 1,
    .n_clients = 0,
    .sign_replies = TRUE,
    .sign_requests = FALSE,
    .random_seed = TRUE,
  };
}

/* ---- writing ---- */

static gboolean
write_file (const gchar *dir, const gchar *file, const gchar *contents, gsize len, int mode,
            GError **error)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);

  if (!g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, error))
    return FALSE;
  /* set_contents applies the mode to a new file; an old one keeps its own. */
  if (g_chmod (path, mode) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("Cannot set the mode of %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gchar *
bio_to_string (BIO *bio)
{
  char *data;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len);
}

static EVP_PKEY *
key_from_seed (const guint8 seed[32])
{
  return EVP_PKEY_new_raw_private_key_ex (NULL, "ED25519", NULL, seed, 32);
}

static gchar *
private_pem (const guint8 seed[32], GError **error)
{
  EVP_PKEY *key = key_from_seed (seed);
  BIO *bio = BIO_new (BIO_s_mem ());
  gchar *text = NULL;

  if (key && bio && PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL))
    text = bio_to_string (bio);
  else
    g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                 _ ("Could not encode an Ed25519 private key"));
  BIO_free (bio);
  EVP_PKEY_free (key);
  return text;
}

static gboolean
append_public_pem (GString *out, const guint8 pub[32], GError **error)
{
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key_ex (NULL, "ED25519", NULL, pub, 32);
  BIO *bio = BIO_new (BIO_s_mem ());
  gboolean ok = key && bio && PEM_write_bio_PUBKEY (bio, key);

  if (ok)
    {
      g_autofree gchar *text = bio_to_string (bio);

      g_string_append (out, text);
    }
  else
    g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                 _ ("Could not encode an Ed25519 public key"));
  BIO_free (bio);
  EVP_PKEY_free (key);
  return ok;
}

static gchar *
service_conf (const SynodBftKeygenOptions *o, guint64 id, guint n_clients, guint32 node, guint n)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *id_text = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", id);

  g_key_file_set_string (kf, "service", "name", o->name);
  g_key_file_set_string (kf, "service", "id", id_text);
  g_key_file_set_integer (kf, "service", "f", o->f);
  g_key_file_set_integer (kf, "service", "clients", n_clients);
  if (o->checkpoint_interval)
    g_key_file_set_integer (kf, "service", "checkpoint-interval", o->checkpoint_interval);
  if (o->window)
    g_key_file_set_integer (kf, "service", "window", o->window);
  g_key_file_set_boolean (kf, "service", "sign-replies", o->sign_replies);
  g_key_file_set_boolean (kf, "service", "sign-requests", o->sign_requests);
  g_key_file_set_boolean (kf, "service", "random-seed", o->random_seed);
  if (node != SYNOD_BFT_NO_NODE)
    {
      g_key_file_set_integer (kf, "node", "id", node);
      g_key_file_set_string (kf, "node", "role", node < n ? "replica" : "client");
    }
  return g_key_file_to_data (kf, NULL, NULL);
}

static gchar *
service_json (const SynodBftKeygenOptions *o, guint64 id, guint n, guint n_clients,
              guint8 (*pub)[32])
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s,
                          "{\n  \"name\": \"%s\",\n  \"service\": \"%016" G_GINT64_MODIFIER
                          "x\",\n  \"f\": %u,\n  \"n\": %u,\n  \"signReplies\": %s,\n"
                          "  \"replicaKeys\": [",
                          o->name, id, o->f, n, o->sign_replies ? "true" : "false");
  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *b64 = g_base64_encode (pub[i], 32);

      g_string_append_printf (s, "%s\n    \"%s\"", i ? "," : "", b64);
    }
  g_string_append (s, "\n  ],\n  \"keyFormat\": \"Ed25519 raw public keys, base64\"\n}\n");
  (void)n_clients;
  return g_string_free (s, FALSE);
}

static gboolean
make_dir (const gchar *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) != 0 || g_chmod (path, mode) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("Cannot create the directory %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
dir_is_empty (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);

  return dir == NULL || g_dir_read_name (dir) == NULL;
}

/**
 * synod_bft_keygen:
 * @options: the service
 * @out_dir: where to write (created; must be empty unless @force)
 * @force: overwrite the files of an existing directory
 * @error: return location for an error
 *
 * Draws fresh keys for every node of a service (Ed25519 key pairs and
 * pairwise HMAC-SHA256 keys between each replica and every other node)
 * with OpenSSL's random generator and writes the node directories and the
 * public directory described in synod-bft-keys.h.
 *
 * Returns: %TRUE on success
 */
gboolean
synod_bft_keygen (const SynodBftKeygenOptions *options, const gchar *out_dir, gboolean force,
                  GError **error)
{
  SynodBftKeygenOptions o = *options;
  guint n = 3 * o.f + 1, n_clients = o.n_clients ? o.n_clients : n, n_nodes;
  g_autofree guint8 (*seeds)[32] = NULL;
  g_autofree guint8 (*pub)[32] = NULL;
  g_autofree guint8 (*macs)[32] = NULL; /* macs[i * n_nodes + j], i < j */
  g_autoptr (GString) public_pem = g_string_new (NULL);
  g_autofree gchar *public_dir = NULL;
  guint64 id = o.service_id;
  gboolean ok = FALSE;

  if (!name_is_valid (o.name))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("A service name is 1 to %u letters, digits, “-” or “_”"), MAX_NAME_LEN);
      return FALSE;
    }
  if (o.f < 1 || n > 64 || n_clients > MAX_CLIENTS)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("f must be between 1 and 21 and there may be at most %u client nodes"),
                   MAX_CLIENTS);
      return FALSE;
    }
  if (o.checkpoint_interval || o.window)
    {
      SynodPbftConfig c;

      synod_pbft_config_init (&c, 1, o.f);
      if (o.checkpoint_interval)
        c.checkpoint_interval = o.checkpoint_interval;
      c.window = o.window ? o.window : 2 * c.checkpoint_interval;
      if (!synod_pbft_config_validate (&c, error))
        return FALSE;
      o.window = c.window;
    }
  if (!force && g_file_test (out_dir, G_FILE_TEST_EXISTS) && !dir_is_empty (out_dir))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   _ ("%s exists and is not empty (use --force to overwrite)"), out_dir);
      return FALSE;
    }
  if (!make_dir (out_dir, 0755, error))
    return FALSE;

  n_nodes = n + n_clients;
  seeds = g_new0 (Key32, n_nodes);
  pub = g_new0 (Key32, n_nodes);
  macs = g_new0 (Key32, (gsize)n_nodes * n_nodes);
  while (id == 0)
    if (RAND_bytes ((guint8 *)&id, sizeof id) != 1)
      goto rand_failed;
  if (RAND_bytes ((guint8 *)seeds, 32 * n_nodes) != 1
      || RAND_bytes ((guint8 *)macs, 32 * n_nodes * n_nodes) != 1)
    goto rand_failed;
  for (guint i = 0; i < n_nodes; i++)
    {
      EVP_PKEY *key = key_from_seed (seeds[i]);
      gsize len = 32;
      gboolean got = key && EVP_PKEY_get_raw_public_key (key, pub[i], &len) && len == 32;

      EVP_PKEY_free (key);
      if (!got)
        {
          g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                       _ ("Could not derive an Ed25519 public key"));
          goto out;
        }
      g_string_append_printf (public_pem, "# node %u: %s %u\n", i, i < n ? "replica" : "client",
                              i < n ? i : i - n);
      if (!append_public_pem (public_pem, pub[i], error))
        goto out;
    }

  for (guint i = 0; i < n_nodes; i++)
    {
      g_autofree gchar *dir = i < n ? g_strdup_printf ("%s/replica-%u", out_dir, i)
                                    : g_strdup_printf ("%s/client-%u", out_dir, i - n);
      g_autofree gchar *conf = service_conf (&o, id, n_clients, i, n);
      g_autofree gchar *key_pem = NULL;
      g_autoptr (GKeyFile) mac_kf = g_key_file_new ();
      g_autofree gchar *mac_text = NULL;

      if (!make_dir (dir, 0700, error))
        goto out;
      key_pem = private_pem (seeds[i], error);
      if (key_pem == NULL)
        goto out;
      /* Pairwise keys: a replica with every node, a client with every
       * replica (clients never exchange MACs with each other). */
      for (guint j = 0; j < n_nodes; j++)
        if (j != i && (i < n || j < n))
          {
            g_autofree gchar *hex = NULL;
            g_autofree gchar *label = g_strdup_printf ("%u", j);
            const guint8 *k = macs[(gsize)MIN (i, j) * n_nodes + MAX (i, j)];
            GString *h = g_string_sized_new (64);

            for (guint b = 0; b < 32; b++)
              g_string_append_printf (h, "%02x", k[b]);
            hex = g_string_free (h, FALSE);
            g_key_file_set_string (mac_kf, "mac-keys", label, hex);
            OPENSSL_cleanse (hex, 64);
          }
      mac_text = g_key_file_to_data (mac_kf, NULL, NULL);
      ok = write_file (dir, SERVICE_FILE, conf, strlen (conf), 0644, error)
           && write_file (dir, PUBLIC_FILE, public_pem->str, public_pem->len, 0644, error)
           && write_file (dir, PRIVATE_FILE, key_pem, strlen (key_pem), 0600, error)
           && write_file (dir, MAC_FILE, mac_text, strlen (mac_text), 0600, error);
      OPENSSL_cleanse (key_pem, strlen (key_pem));
      OPENSSL_cleanse (mac_text, strlen (mac_text));
      if (!ok)
        goto out;
      ok = FALSE;
    }

  public_dir = g_build_filename (out_dir, "public", NULL);
  {
    g_autofree gchar *conf = service_conf (&o, id, n_clients, SYNOD_BFT_NO_NODE, n);
    g_autofree gchar *json = service_json (&o, id, n, n_clients, pub);

    ok = make_dir (public_dir, 0755, error)
         && write_file (public_dir, SERVICE_FILE, conf, strlen (conf), 0644, error)
         && write_file (public_dir, PUBLIC_FILE, public_pem->str, public_pem->len, 0644, error)
         && write_file (public_dir, JSON_FILE, json, strlen (json), 0644, error);
  }
  goto out;

rand_failed:
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
               _ ("OpenSSL's random generator failed"));
out:
  if (seeds)
    OPENSSL_cleanse (seeds, 32 * n_nodes);
  if (macs)
    OPENSSL_cleanse (macs, (gsize)32 * n_nodes * n_nodes);
  return ok;
}

/* ---- loading ---- */

static gboolean
read_file (const gchar *dir, const gchar *file, gboolean secret, gchar **ret_text, gsize *ret_len,
           GError **error)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _ ("Cannot read %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_FILE_SIZE)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG,
                   _ ("%s is not a key file (not a regular file, or over %u bytes)"), path,
                   MAX_FILE_SIZE);
      return FALSE;
    }
  if (secret && (st.st_mode & 077) != 0)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("%s holds secret keys but others may read it (mode %03o): run chmod 600 "
                      "on it"),
                   path, (guint)(st.st_mode & 0777));
      return FALSE;
    }
  return g_file_get_contents (path, ret_text, ret_len, error);
}

static gboolean
parse_hex32 (const gchar *text, guint8 out[32])
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 32; i++)
    {
      gint hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8)(hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
bad_conf (const gchar *dir, const gchar *what, GError **error)
{
  g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_INVALID_CONFIG, _ ("%s/%s: %s"), dir,
               SERVICE_FILE, what);
  return FALSE;
}

static gboolean
load_conf (SynodBftKeys *k, const gchar *dir, GError **error)
{
  g_autofree gchar *text = NULL, *id_text = NULL, *role = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  gsize len;
  gint64 f, clients, node;
  gchar *end;

  if (!read_file (dir, SERVICE_FILE, FALSE, &text, &len, error))
    return FALSE;
  if (!g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &local))
    return bad_conf (dir, local->message, error);
  k->name = g_key_file_get_string (kf, "service", "name", NULL);
  if (!name_is_valid (k->name))
    return bad_conf (dir, _ ("the service name is missing or invalid"), error);
  id_text = g_key_file_get_string (kf, "service", "id", NULL);
  k->service_id = id_text ? g_ascii_strtoull (id_text, &end, 16) : 0;
  if (id_text == NULL || *end != '\0' || k->service_id == 0 || strlen (id_text) > 16)
    return bad_conf (dir, _ ("the service id is missing or not 1 to 16 hex digits"), error);
  f = g_key_file_get_int64 (kf, "service", "f", NULL);
  clients = g_key_file_get_int64 (kf, "service", "clients", NULL);
  if (f < 1 || 3 * f + 1 > 64 || clients < 1 || clients > MAX_CLIENTS)
    return bad_conf (dir, _ ("f or the number of clients is missing or out of range"), error);
  k->f = f;
  k->n_clients = clients;
  k->n_nodes = 3 * f + 1 + clients;
  k->checkpoint_interval = g_key_file_get_integer (kf, "service", "checkpoint-interval", NULL);
  k->window = g_key_file_get_integer (kf, "service", "window", NULL);
  k->sign_replies = !g_key_file_has_key (kf, "service", "sign-replies", NULL)
                    || g_key_file_get_boolean (kf, "service", "sign-replies", NULL);
  k->sign_requests = g_key_file_get_boolean (kf, "service", "sign-requests", NULL);
  k->random_seed = !g_key_file_has_key (kf, "service", "random-seed", NULL)
                   || g_key_file_get_boolean (kf, "service", "random-seed", NULL);
  k->node = SYNOD_BFT_NO_NODE;
  if (g_key_file_has_group (kf, "node"))
    {
      node = g_key_file_get_int64 (kf, "node", "id", &local);
      if (local != NULL || node < 0 || node >= k->n_nodes)
        return bad_conf (dir, _ ("[node] id is missing or not a node of the service"), error);
      k->node = node;
      role = g_key_file_get_string (kf, "node", "role", NULL);
      if (role && strcmp (role, k->node < 3 * f + 1 ? "replica" : "client") != 0)
        return bad_conf (dir, _ ("[node] role does not match the node id"), error);
    }
  return TRUE;
}

static gboolean
load_public_keys (SynodBftKeys *k, const gchar *dir, GError **error)
{
  g_autofree gchar *text = NULL;
  gsize len;
  BIO *bio;
  guint count = 0;
  gboolean ok = TRUE;

  if (!read_file (dir, PUBLIC_FILE, FALSE, &text, &len, error))
    return FALSE;
  k->public_keys = g_new0 (Key32, k->n_nodes);
  bio = BIO_new_mem_buf (text, (int)len);
  for (;;)
    {
      EVP_PKEY *key = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
      gsize klen = 32;

      if (key == NULL)
        break;
      if (count >= k->n_nodes || !EVP_PKEY_is_a (key, "ED25519")
          || !EVP_PKEY_get_raw_public_key (key, k->public_keys[count], &klen) || klen != 32)
        ok = FALSE;
      EVP_PKEY_free (key);
      count++;
      if (!ok)
        break;
    }
  BIO_free (bio);
  if (!ok || count != k->n_nodes)
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("%s/%s must hold %u Ed25519 public keys (PEM), one per node in order"), dir,
                   PUBLIC_FILE, k->n_nodes);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_private (SynodBftKeys *k, const gchar *dir, GError **error)
{
  g_autofree gchar *text = NULL, *mac_text = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_auto (GStrv) peers = NULL;
  gsize len, seed_len = 32, pub_len = 32;
  guint8 pub[32];
  EVP_PKEY *key;
  BIO *bio;
  guint n = 3 * k->f + 1;

  if (!read_file (dir, PRIVATE_FILE, TRUE, &text, &len, error))
    return FALSE;
  bio = BIO_new_mem_buf (text, (int)len);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  OPENSSL_cleanse (text, len);
  if (key == NULL || !EVP_PKEY_is_a (key, "ED25519")
      || !EVP_PKEY_get_raw_private_key (key, k->seed, &seed_len) || seed_len != 32
      || !EVP_PKEY_get_raw_public_key (key, pub, &pub_len)
      || memcmp (pub, k->public_keys[k->node], 32) != 0)
    {
      EVP_PKEY_free (key);
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("%s/%s is not the Ed25519 private key (PEM) of node %u"), dir, PRIVATE_FILE,
                   k->node);
      return FALSE;
    }
  EVP_PKEY_free (key);
  k->has_seed = TRUE;

  if (!read_file (dir, MAC_FILE, TRUE, &mac_text, &len, error))
    return FALSE;
  if (!g_key_file_load_from_data (kf, mac_text, len, G_KEY_FILE_NONE, NULL))
    peers = NULL;
  else
    peers = g_key_file_get_keys (kf, "mac-keys", NULL, NULL);
  OPENSSL_cleanse (mac_text, len);
  for (guint i = 0; peers && peers[i]; i++)
    {
      g_autofree gchar *hex = g_key_file_get_string (kf, "mac-keys", peers[i], NULL);
      guint64 peer;
      guint8 *key32 = g_malloc (32);

      if (!g_ascii_string_to_unsigned (peers[i], 10, 0, k->n_nodes - 1, &peer, NULL)
          || peer == k->node || !parse_hex32 (hex, key32))
        {
          secret_free (key32);
          break;
        }
      g_hash_table_replace (k->mac_keys, GUINT_TO_POINTER ((guint32)peer), key32);
      if (hex)
        OPENSSL_cleanse (hex, strlen (hex));
    }
  /* A replica shares a key with every other node, a client with every
   * replica. */
  if (g_hash_table_size (k->mac_keys) != (k->node < n ? k->n_nodes - 1 : n))
    {
      g_set_error (error, SYNOD_BFT_ERROR, SYNOD_BFT_ERROR_AUTH,
                   _ ("%s/%s must hold one 64-hex-digit key per peer node of node %u"), dir,
                   MAC_FILE, k->node);
      return FALSE;
    }
  return TRUE;
}

/**
 * synod_bft_keys_load:
 * @dir: a node's directory, or the public directory
 * @error: return location for an error naming the file at fault
 *
 * Loads a service's description and keys: a node directory gives the
 * node's own keys too (its private files must not be readable by others),
 * the public directory only what checking proofs needs.
 *
 * Returns: (transfer full): the keys, or %NULL
 */
SynodBftKeys *
synod_bft_keys_load (const gchar *dir, GError **error)
{
  g_autoptr (SynodBftKeys) k = g_new0 (SynodBftKeys, 1);

  g_atomic_ref_count_init (&k->ref);
  k->mac_keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, secret_free);
  if (!load_conf (k, dir, error) || !load_public_keys (k, dir, error))
    return NULL;
  if (k->node != SYNOD_BFT_NO_NODE && !load_private (k, dir, error))
    return NULL;
  return g_steal_pointer (&k);
}

SynodBftKeys *
synod_bft_keys_ref (SynodBftKeys *keys)
{
  g_atomic_ref_count_inc (&keys->ref);
  return keys;
}

void
synod_bft_keys_unref (SynodBftKeys *keys)
{
  if (keys == NULL || !g_atomic_ref_count_dec (&keys->ref))
    return;
  OPENSSL_cleanse (keys->seed, sizeof keys->seed);
  g_hash_table_unref (keys->mac_keys);
  g_free (keys->public_keys);
  g_free (keys->name);
  g_free (keys);
}

const gchar *
synod_bft_keys_get_name (SynodBftKeys *keys)
{
  return keys->name;
}

guint64
synod_bft_keys_get_service_id (SynodBftKeys *keys)
{
  return keys->service_id;
}

guint
synod_bft_keys_get_f (SynodBftKeys *keys)
{
  return keys->f;
}

guint
synod_bft_keys_get_n_clients (SynodBftKeys *keys)
{
  return keys->n_clients;
}

/* Returns: the node these keys belong to, or %SYNOD_BFT_NO_NODE (public). */
guint32
synod_bft_keys_get_node (SynodBftKeys *keys)
{
  return keys->node;
}

gboolean
synod_bft_keys_get_public_key (SynodBftKeys *keys, guint32 node,
                               guint8 ret_key[SYNOD_PBFT_KEY_SIZE])
{
  if (node >= keys->n_nodes)
    return FALSE;
  memcpy (ret_key, keys->public_keys[node], 32);
  return TRUE;
}

/**
 * synod_bft_keys_init_config:
 * @keys: the service's keys
 * @config: (out caller-allocates): filled with the defaults and the
 *   service's agreed parameters
 */
void
synod_bft_keys_init_config (SynodBftKeys *keys, SynodPbftConfig *config)
{
  synod_pbft_config_init (config, keys->service_id, keys->f);
  if (keys->checkpoint_interval)
    config->checkpoint_interval = keys->checkpoint_interval;
  if (keys->window)
    config->window = keys->window;
  else if (keys->checkpoint_interval)
    config->window = 2 * keys->checkpoint_interval;
  config->sign_replies = keys->sign_replies;
  config->sign_requests = keys->sign_requests;
  config->random_seed = keys->random_seed;
}

/**
 * synod_bft_keys_new_keyring:
 * @keys: the service's keys
 *
 * A keyring for the node (or, from the public directory, a verifier's
 * keyring holding only public keys). Keyrings are used by one thread at a
 * time: make one per user.
 *
 * Returns: (transfer full): the keyring, or %NULL
 */
SynodPbftKeyring *
synod_bft_keys_new_keyring (SynodBftKeys *keys, GError **error)
{
  g_autoptr (SynodPbftKeyring) ring = synod_pbft_keyring_new (keys->node);
  GHashTableIter iter;
  gpointer peer, key;

  for (guint i = 0; i < keys->n_nodes; i++)
    if (!synod_pbft_keyring_set_public_key (ring, i, keys->public_keys[i], error))
      return NULL;
  if (keys->has_seed && !synod_pbft_keyring_set_private_key (ring, keys->seed, error))
    return NULL;
  g_hash_table_iter_init (&iter, keys->mac_keys);
  while (g_hash_table_iter_next (&iter, &peer, &key))
    if (!synod_pbft_keyring_set_mac_key (ring, GPOINTER_TO_UINT (peer), key, error))
      return NULL;
  return g_steal_pointer (&ring);
}
