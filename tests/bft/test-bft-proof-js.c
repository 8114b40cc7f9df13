/* The browser's proof check (data/site/synod-proof.js) against the C one
 * (synod_bft_proof_verify): the same vectors — real keys, real Ed25519
 * signatures over real ReplyStatements, good proofs and each way a proof
 * can be wrong — must get the same verdict from both, and the script must
 * decode the proven shopping cart results as the codec encoded them.
 *
 * The vectors are made afresh by each run. The script runs under Node.js
 * when it is installed (tests/bft/proof-vectors.js); without it, only the C
 * side runs and that test says so. The copy in data/site/proof-vectors.json
 * (for the browser page data/site/proof-test.html) is checked in C here
 * too, so that it cannot go stale; `test-bft-proof-js --write-vectors FILE`
 * regenerates it. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pbft-wire.h"
#include "synod-bft.h"
#include "synod-shopping-cart.h"

#define F 1
#define N (3 * F + 1)

typedef struct
{
  gchar *dir;
  SynodBftKeys *public_keys;
  SynodPbftKeyring *signers[N];
  guint64 service;
} Keys;

static void
keys_free (Keys *k)
{
  for (guint i = 0; i < N; i++)
    g_clear_pointer (&k->signers[i], synod_pbft_keyring_unref);
  g_clear_pointer (&k->public_keys, synod_bft_keys_unref);
  if (k->dir)
    {
      g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", k->dir);

      g_assert_cmpint (system (cmd), ==, 0);
    }
  g_free (k->dir);
  g_free (k);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Keys, keys_free)

static Keys *
keys_new (void)
{
  g_autoptr (GError) error = NULL;
  Keys *k = g_new0 (Keys, 1);
  SynodBftKeygenOptions o;
  g_autofree gchar *out = NULL, *pub = NULL;

  k->dir = g_dir_make_tmp ("synod-proof-js-XXXXXX", &error);
  g_assert_no_error (error);
  out = g_build_filename (k->dir, "keys", NULL);
  synod_bft_keygen_options_init (&o);
  o.name = "shop";
  o.f = F;
  g_assert_true (synod_bft_keygen (&o, out, FALSE, &error));
  g_assert_no_error (error);
  pub = g_build_filename (out, "public", NULL);
  k->public_keys = synod_bft_keys_load (pub, &error);
  g_assert_no_error (error);
  k->service = synod_bft_keys_get_service_id (k->public_keys);
  for (guint i = 0; i < N; i++)
    {
      g_autofree gchar *dir = g_strdup_printf ("%s/replica-%u", out, i);
      g_autoptr (SynodBftKeys) rk = synod_bft_keys_load (dir, &error);

      g_assert_no_error (error);
      k->signers[i] = synod_bft_keys_new_keyring (rk, &error);
      g_assert_no_error (error);
    }
  return k;
}

/* ---- results the vectors carry ---- */

static GBytes *
cart_value (void)
{
  SynodShoppingCartLine lines[] = {
    { .item = (gchar *)"apple", .quantity = 3, .price = 45 },
    { .item = (gchar *)"umbrella", .quantity = 1, .price = 1400 },
  };
  SynodShoppingCartCart cart = { .user = (gchar *)"00000001deadbeef", .total = 3 * 45 + 1400 };
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK, .cart = &cart };

  cart.lines.len = G_N_ELEMENTS (lines);
  cart.lines.val = lines;
  return synod_value_encode (&synod_shopping_cart_result_desc, &r, NULL);
}

static GBytes *
order_value (void)
{
  SynodShoppingCartLine lines[] = { { .item = (gchar *)"tea", .quantity = 2, .price = 360 } };
  SynodShoppingCartOrder order = {
    .number = (gchar *)"20261127-000042-9fa0",
    .user = (gchar *)"00000001deadbeef",
    .total = 720,
    .timestamp = G_GUINT64_CONSTANT (1795795222308000),
  };
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK, .order = &order };

  order.lines.len = 1;
  order.lines.val = lines;
  return synod_value_encode (&synod_shopping_cart_result_desc, &r, NULL);
}

static GBytes *
catalog_value (void)
{
  SynodShoppingCartCatalogItem items[] = {
    { .item = (gchar *)"bread", .price = 280, .description = (gchar *)"Sourdough, “fresh”" },
    { .item = (gchar *)"tea", .price = 360, .description = (gchar *)"Green tea" },
  };
  SynodShoppingCartResult r = { .status = SYNOD_SHOPPING_CART_CART_OK };

  r.catalog.len = G_N_ELEMENTS (items);
  r.catalog.val = items;
  return synod_value_encode (&synod_shopping_cart_result_desc, &r, NULL);
}

static GBytes *
status_value (SynodShoppingCartStatus status)
{
  SynodShoppingCartResult r = { .status = status };

  return synod_value_encode (&synod_shopping_cart_result_desc, &r, NULL);
}

/* ---- vectors ---- */

typedef struct
{
  const gchar *name;
  guint64 client;
  guint64 number;
  GBytes *value;     /* what the client holds */
  gchar *proof;      /* header text */
  gboolean valid;    /* the verdict */
  GArray *signers;   /* guint: the replicas that count, when valid */
  gchar *statement;  /* hex of replica 0's statement, for one vector */
  const gchar *kind; /* cart, order, catalog, status */
} Vector;

static void
vector_free (gpointer data)
{
  Vector *v = data;

  g_bytes_unref (v->value);
  g_free (v->proof);
  g_array_unref (v->signers);
  g_free (v->statement);
  g_free (v);
}

typedef struct
{
  guint replica;    /* who the proof says signed */
  guint key;        /* whose key signed (G_MAXUINT: the same) */
  gboolean corrupt; /* flip a bit of the signature */
} Sig;

/* Signs the statement of (service, client, number, read_only, value) by
 * each of @sigs into a proof's header text. */
static gchar *
make_proof (Keys *k, guint64 service, guint64 client, guint64 number, gboolean read_only,
            GBytes *value, const Sig *sigs, guint n_sigs, gchar **ret_statement)
{
  SynodBftProof proof = {
    .service = service,
    .client = client,
    .number = number,
    .read_only = read_only,
  };
  gchar *text;

  synod_pbft_sha256 (g_bytes_get_data (value, NULL), g_bytes_get_size (value), proof.result_digest);
  proof.signatures.len = n_sigs;
  proof.signatures.val = g_new0 (SynodBftReplySignature, MAX (n_sigs, 1));
  for (guint i = 0; i < n_sigs; i++)
    {
      SynodPbftReplyStatement st = {
        .service = service,
        .replica = sigs[i].replica,
        .client = client,
        .number = number,
        .read_only = read_only,
      };
      g_autoptr (GBytes) bytes = NULL;
      guint key = sigs[i].key == G_MAXUINT ? sigs[i].replica : sigs[i].key;

      memcpy (st.result_digest, proof.result_digest, 32);
      bytes = pbft_encode (&synod_pbft_reply_statement_desc, &st, NULL);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, 64);
      if (ret_statement && i == 0)
        {
          GString *hex = g_string_new (NULL);
          const guint8 *b = g_bytes_get_data (bytes, NULL);

          for (gsize j = 0; j < g_bytes_get_size (bytes); j++)
            g_string_append_printf (hex, "%02x", b[j]);
          *ret_statement = g_string_free (hex, FALSE);
        }
      proof.signatures.val[i].replica = sigs[i].replica;
      proof.signatures.val[i].evidence.scheme = SYNOD_BFT_PROOF_REPLY_SIGNATURE;
      g_assert_true (synod_pbft_keyring_sign (k->signers[key % N], g_bytes_get_data (bytes, NULL),
                                              g_bytes_get_size (bytes),
                                              proof.signatures.val[i].signature));
      if (sigs[i].corrupt)
        proof.signatures.val[i].signature[17] ^= 0x04;
    }
  text = synod_bft_proof_to_header (&proof);
  synod_bft_proof_clear (&proof);
  return text;
}

#define S(r)                                                                                       \
  {                                                                                                \
    r, G_MAXUINT, FALSE                                                                            \
  }

static GPtrArray *
make_vectors (Keys *k)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (vector_free);
  const guint64 client = G_GUINT64_CONSTANT (0x00000001deadbeef);
  const guint64 number = G_GUINT64_CONSTANT (1795795222308000);
  g_autoptr (GBytes) cart = cart_value ();
  g_autoptr (GBytes) order = order_value ();
  g_autoptr (GBytes) catalog = catalog_value ();
  g_autoptr (GBytes) unknown = status_value (SYNOD_SHOPPING_CART_CART_UNKNOWN_ITEM);
  g_autoptr (GBytes) other = NULL;

  {
    g_autoptr (GBytes) c2 = cart_value ();
    gsize len;
    guint8 *d = g_bytes_unref_to_data (g_steal_pointer (&c2), &len);

    d[len - 9] ^= 1; /* another total */
    other = g_bytes_new_take (d, len);
  }

#define ADD(NAME, CLIENT, NUMBER, VALUE, KIND, VALID, PROOF_EXPR, ...)                             \
  do                                                                                               \
    {                                                                                              \
      Vector *v = g_new0 (Vector, 1);                                                              \
      guint s_[] = { __VA_ARGS__ };                                                                \
                                                                                                   \
      v->name = NAME;                                                                              \
      v->client = CLIENT;                                                                          \
      v->number = NUMBER;                                                                          \
      v->value = g_bytes_ref (VALUE);                                                              \
      v->kind = KIND;                                                                              \
      v->valid = VALID;                                                                            \
      v->proof = PROOF_EXPR;                                                                       \
      v->signers = g_array_new (FALSE, FALSE, sizeof (guint));                                     \
      for (guint i_ = 0; i_ < G_N_ELEMENTS (s_); i_++)                                             \
        if (s_[i_] != G_MAXUINT)                                                                   \
          g_array_append_val (v->signers, s_[i_]);                                                 \
      g_ptr_array_add (out, v);                                                                    \
    }                                                                                              \
  while (0)
#define NONE G_MAXUINT

  {
    Sig s[] = { S (0), S (2) };
    Vector *first;

    ADD ("write proven by f+1 replicas", client, number, cart, "cart", TRUE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), 0, 2);
    first = g_ptr_array_index (out, out->len - 1);
    g_free (make_proof (k, k->service, client, number, FALSE, cart, s, 1, &first->statement));
  }
  {
    Sig s[] = { S (3), S (1), S (2) };

    ADD ("read proven by 2f+1 replicas", client, number + 1, cart, "cart", TRUE,
         make_proof (k, k->service, client, number + 1, TRUE, cart, s, 3, NULL), 1, 2, 3);
  }
  {
    Sig s[] = { S (1), S (2) };

    ADD ("read with only f+1 signatures", client, number + 2, cart, "cart", FALSE,
         make_proof (k, k->service, client, number + 2, TRUE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { { 0, G_MAXUINT, TRUE }, S (2) };

    ADD ("one of f+1 signatures tampered", client, number, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (2), S (2) };

    ADD ("one replica counted twice", client, number, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (0), S (2) };

    ADD ("proof of another result", client, number, other, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (0), S (2) };

    ADD ("proof of another request number", client, number + 7, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (0), S (2) };

    ADD ("proof of another client", client + 1, number, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (0), S (2) };

    ADD ("proof of another service", client, number, cart, "cart", FALSE,
         make_proof (k, k->service ^ 1, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { { 1, 0, FALSE }, S (2) };

    ADD ("a signature under another replica's name", client, number, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { { 0, G_MAXUINT, TRUE }, S (3), S (1) };

    ADD ("a bad signature among f+1 good ones", client, number, cart, "cart", TRUE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 3, NULL), 1, 3);
  }
  {
    Sig s[] = { { 7, 3, FALSE }, S (0) };

    ADD ("a replica number out of range", client, number, cart, "cart", FALSE,
         make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL), NONE);
  }
  {
    Sig s[] = { S (2), S (3) };

    ADD ("an order", client, number + 3, order, "order", TRUE,
         make_proof (k, k->service, client, number + 3, FALSE, order, s, 2, NULL), 2, 3);
  }
  {
    Sig s[] = { S (0), S (1), S (3) };

    ADD ("the catalog", client, number + 4, catalog, "catalog", TRUE,
         make_proof (k, k->service, client, number + 4, TRUE, catalog, s, 3, NULL), 0, 1, 3);
  }
  {
    Sig s[] = { S (1), S (0) };

    ADD ("an unknown item, proven", client, number + 5, unknown, "status", TRUE,
         make_proof (k, k->service, client, number + 5, FALSE, unknown, s, 2, NULL), 0, 1);
  }
  ADD ("a proof that is not base64", client, number, cart, "cart", FALSE, g_strdup ("not*base64!"),
       NONE);
  {
    Sig s[] = { S (0), S (2) };
    gchar *text = make_proof (k, k->service, client, number, FALSE, cart, s, 2, NULL);

    text[strlen (text) - 12] = '\0'; /* truncated, still base64 */
    text[strlen (text) - (strlen (text) % 4)] = '\0';
    ADD ("a truncated proof", client, number, cart, "cart", FALSE, text, NONE);
  }
#undef ADD
#undef NONE
  return out;
}

static gchar *
vectors_to_json (Keys *k, GPtrArray *vectors)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) g = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *service = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", k->service);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "shop");
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, service);
  json_builder_set_member_name (b, "f");
  json_builder_add_int_value (b, F);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, N);
  json_builder_set_member_name (b, "replicaKeys");
  json_builder_begin_array (b);
  for (guint i = 0; i < N; i++)
    {
      guint8 key[32];
      g_autofree gchar *b64 = NULL;

      g_assert_true (synod_bft_keys_get_public_key (k->public_keys, i, key));
      b64 = g_base64_encode (key, 32);
      json_builder_add_string_value (b, b64);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "vectors");
  json_builder_begin_array (b);
  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (vectors, i);
      g_autofree gchar *client = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", v->client);
      g_autofree gchar *number = g_strdup_printf ("%" G_GUINT64_FORMAT, v->number);
      g_autofree gchar *value
          = g_base64_encode (g_bytes_get_data (v->value, NULL), g_bytes_get_size (v->value));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, v->name);
      json_builder_set_member_name (b, "client");
      json_builder_add_string_value (b, client);
      json_builder_set_member_name (b, "number");
      json_builder_add_string_value (b, number);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, value);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, v->kind);
      json_builder_set_member_name (b, "proof");
      json_builder_add_string_value (b, v->proof);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, v->valid);
      json_builder_set_member_name (b, "signers");
      json_builder_begin_array (b);
      for (guint j = 0; j < v->signers->len; j++)
        json_builder_add_int_value (b, g_array_index (v->signers, guint, j));
      json_builder_end_array (b);
      if (v->statement)
        {
          json_builder_set_member_name (b, "statement");
          json_builder_add_string_value (b, v->statement);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  json_generator_set_pretty (g, TRUE);
  return json_generator_to_data (g, NULL);
}

/* The C verdict: decodes the header, then synod_bft_proof_verify. */
static gboolean
c_verdict (SynodBftKeys *keys, const gchar *proof_text, guint64 client, guint64 number,
           GBytes *value)
{
  g_auto (SynodBftProof) proof = { 0 };
  g_autoptr (GError) error = NULL;

  if (!synod_bft_proof_from_header (proof_text, &proof, &error))
    return FALSE;
  return synod_bft_proof_verify (keys, &proof, client, number, g_bytes_get_data (value, NULL),
                                 g_bytes_get_size (value), &error);
}

static void
test_c_verdicts (void)
{
  g_autoptr (Keys) k = keys_new ();
  g_autoptr (GPtrArray) vectors = make_vectors (k);

  g_test_summary ("Each vector's verdict, as the C checker gives it: the good proofs hold, "
                  "and each kind of bad proof (too few signatures for a read, a tampered or "
                  "repeated signature, another result, request, client or service, a "
                  "signature under another replica's name, an index out of range, bad "
                  "base64, truncation) fails.");
  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (vectors, i);

      g_test_message ("%s", v->name);
      g_assert_cmpint (c_verdict (k->public_keys, v->proof, v->client, v->number, v->value), ==,
                       v->valid);
    }
}

static gboolean
node_has_ed25519 (const gchar *node)
{
  const gchar *argv[] = {
    node,
    "-e",
    "const c = globalThis.crypto || require('node:crypto').webcrypto;"
    "c.subtle.generateKey({name: 'Ed25519'}, false, ['sign', 'verify'])"
    ".then(() => process.exit(0), () => process.exit(3));",
    NULL,
  };
  gint status = -1;

  if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static const gchar *
top_srcdir (void)
{
  const gchar *top = g_getenv ("SYNOD_TOP_SRCDIR");

  return top ? top : "..";
}

static void
expect_decoded (JsonObject *got, const Vector *v)
{
  const gchar *status = json_object_get_string_member (got, "status");

  g_assert_cmpstr (status, ==, strcmp (v->kind, "status") == 0 ? "unknown-item" : "ok");
  if (strcmp (v->kind, "cart") == 0 && v->valid)
    g_assert_cmpstr (json_object_get_string_member (got, "summary"), ==,
                     "00000001deadbeef: apple x3 @45, umbrella x1 @1400 = 1535");
  else if (strcmp (v->kind, "order") == 0)
    g_assert_cmpstr (json_object_get_string_member (got, "summary"), ==,
                     "order 20261127-000042-9fa0 of 00000001deadbeef at 1795795222308000: "
                     "tea x2 @360 = 720");
  else if (strcmp (v->kind, "catalog") == 0)
    g_assert_cmpstr (json_object_get_string_member (got, "summary"), ==,
                     "bread 280 Sourdough, “fresh”; tea 360 Green tea");
}

static void
test_script_verdicts (void)
{
  g_autoptr (Keys) k = keys_new ();
  g_autoptr (GPtrArray) vectors = make_vectors (k);
  g_autofree gchar *node = g_find_program_in_path ("node");
  g_autofree gchar *json = NULL, *file = NULL, *out = NULL, *err = NULL;
  g_autofree gchar *script
      = g_build_filename (top_srcdir (), "data", "site", "synod-proof.js", NULL);
  g_autofree gchar *runner
      = g_build_filename (top_srcdir (), "tests", "bft", "proof-vectors.js", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *results;
  gint status = -1;

  g_test_summary ("The browser's checker (synod-proof.js, run by Node.js with the WebCrypto "
                  "API browsers have) gives every vector the C checker's verdict, counts the "
                  "same replicas, rebuilds replica statements byte for byte, and decodes the "
                  "proven results as the codec encoded them.");
  if (node == NULL || !node_has_ed25519 (node))
    {
      g_test_skip ("Node.js with WebCrypto Ed25519 is not installed: the same vectors were "
                   "checked in C only (apt-get install nodejs)");
      return;
    }
  json = vectors_to_json (k, vectors);
  file = g_build_filename (k->dir, "vectors.json", NULL);
  g_assert_true (g_file_set_contents (file, json, -1, &error));
  {
    const gchar *argv[] = { node, runner, script, file, NULL };

    g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("node %s failed: %s", runner, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  results = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (results), ==, vectors->len);
  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (vectors, i);
      JsonObject *r = json_array_get_object_element (results, i);
      gboolean ok = json_object_get_boolean_member (r, "ok");

      g_test_message (
          "%s: script %s (%s)", v->name, ok ? "valid" : "invalid",
          json_object_has_member (r, "reason") ? json_object_get_string_member (r, "reason") : "");
      g_assert_cmpstr (json_object_get_string_member (r, "name"), ==, v->name);
      g_assert_cmpint (ok, ==, v->valid);
      if (ok)
        {
          JsonArray *s = json_object_get_array_member (r, "signers");

          g_assert_cmpuint (json_array_get_length (s), ==, v->signers->len);
          for (guint j = 0; j < v->signers->len; j++)
            g_assert_cmpint (json_array_get_int_element (s, j), ==,
                             g_array_index (v->signers, guint, j));
        }
      if (v->statement)
        g_assert_cmpstr (json_object_get_string_member (r, "statement"), ==, v->statement);
      if (json_object_has_member (r, "decoded"))
        expect_decoded (json_object_get_object_member (r, "decoded"), v);
      else
        g_assert_true (strcmp (v->kind, "cart") == 0 && g_bytes_get_size (v->value) > 0
                       && !v->valid);
    }
}

/* The copy the browser page uses: its verdicts still hold. */
static void
test_committed_vectors (void)
{
  g_autofree gchar *path
      = g_build_filename (top_srcdir (), "data", "site", "proof-vectors.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = NULL, *conf = NULL, *keys_pem = NULL;
  g_autoptr (SynodBftKeys) keys = NULL;
  JsonObject *root, *service;
  JsonArray *vectors, *replica_keys;
  GString *pem = g_string_new (NULL);

  g_test_summary ("The vectors committed for the browser test page "
                  "(data/site/proof-vectors.json) still get their recorded verdicts from the C "
                  "checker.");
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  service = json_object_get_object_member (root, "service");
  vectors = json_object_get_array_member (root, "vectors");
  replica_keys = json_object_get_array_member (service, "replicaKeys");

  /* A public key directory as synod-bft-keygen writes one. */
  dir = g_dir_make_tmp ("synod-proof-js-XXXXXX", &error);
  g_assert_no_error (error);
  conf = g_build_filename (dir, "service.conf", NULL);
  keys_pem = g_build_filename (dir, "public-keys.pem", NULL);
  {
    g_autofree gchar *text = g_strdup_printf ("[service]\nname=shop\nid=%s\nf=%d\nclients=1\n",
                                              json_object_get_string_member (service, "service"),
                                              (gint)json_object_get_int_member (service, "f"));

    g_assert_true (g_file_set_contents (conf, text, -1, &error));
  }
  for (guint i = 0; i < json_array_get_length (replica_keys); i++)
    {
      /* SubjectPublicKeyInfo of an Ed25519 key: a 12-byte prefix + the key. */
      static const guint8 prefix[]
          = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
      gsize len = 0;
      g_autofree guchar *raw
          = g_base64_decode (json_array_get_string_element (replica_keys, i), &len);
      guint8 spki[44];
      g_autofree gchar *b64 = NULL;

      g_assert_cmpuint (len, ==, 32);
      memcpy (spki, prefix, 12);
      memcpy (spki + 12, raw, 32);
      b64 = g_base64_encode (spki, 44);
      g_string_append_printf (pem, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
                              b64);
    }
  /* The file holds every node's key, clients' too: one client node, which
   * no vector involves, gets a copy of replica 0's. */
  {
    const gchar *first = strstr (pem->str, "-----END PUBLIC KEY-----\n");
    g_autofree gchar *copy = g_strndup (pem->str, (gsize)(first - pem->str) + 25);

    g_string_append (pem, copy);
  }
  g_assert_true (g_file_set_contents (keys_pem, pem->str, -1, &error));
  g_string_free (pem, TRUE);
  keys = synod_bft_keys_load (dir, &error);
  if (keys == NULL)
    g_test_message ("%s", error->message);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      gsize len = 0;
      g_autofree guchar *value = g_base64_decode (json_object_get_string_member (v, "value"), &len);
      g_autoptr (GBytes) b = g_bytes_new (value, len);
      guint64 client = g_ascii_strtoull (json_object_get_string_member (v, "client"), NULL, 16);
      guint64 number = g_ascii_strtoull (json_object_get_string_member (v, "number"), NULL, 10);

      g_test_message ("%s", json_object_get_string_member (v, "name"));
      g_assert_cmpint (
          c_verdict (keys, json_object_get_string_member (v, "proof"), client, number, b), ==,
          json_object_get_boolean_member (v, "valid"));
    }
  g_remove (conf);
  g_remove (keys_pem);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--write-vectors") == 0)
    {
      g_autoptr (Keys) k = keys_new ();
      g_autoptr (GPtrArray) vectors = make_vectors (k);
      g_autofree gchar *json = vectors_to_json (k, vectors);
      g_autoptr (GError) error = NULL;

      if (!g_file_set_contents (argv[2], json, -1, &error))
        g_error ("%s", error->message);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bft/proof-js/c-verdicts", test_c_verdicts);
  g_test_add_func ("/bft/proof-js/script-verdicts", test_script_verdicts);
  g_test_add_func ("/bft/proof-js/committed-vectors", test_committed_vectors);
  return g_test_run ();
}
