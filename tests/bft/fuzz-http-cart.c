/* libFuzzer target for the shopping cart's HTTP adapter: from an HTTP
 * request (method, target, fields, body) to a shopping cart call.
 *
 * Input: the method, the target and then one field per line ("name:
 * value"), an empty line, and the body (the rest). Besides "never crash",
 * it checks on every input: a refusal is one of the 4xx the adapter
 * documents, with an error; an accepted change has a client id outside the
 * reserved range and a number from 1 to 2^53-1; and every accepted call
 * that names an operation builds one that the state variable's decoder
 * reads back. Built without libFuzzer, a small main() replays the seeds
 * (tests/fuzz/corpus/fuzz-http-cart/), so every build runs them as a test.
 */
#include "config.h"

#include <string.h>

#include "bft-http-cart-private.h"
#include "synod-shopping-cart.h"
#include "synod-fuzz-replay.h"

static const guint refusals[] = { 400, 404, 405, 413, 415, 428 };

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  StandardHTTPRequest req = { 0 };
  BftHttpCall call = { 0 };
  GError *error = NULL;
  const gchar *p = (const gchar *)data, *end = p + size;
  GPtrArray *fields = g_ptr_array_new ();
  guint status, line = 0;

  /* Lines up to the empty one; what follows is the body. */
  while (p < end)
    {
      const gchar *nl = memchr (p, '\n', (gsize)(end - p));
      gsize len = nl ? (gsize)(nl - p) : (gsize)(end - p);
      gchar *text = g_strndup (p, len);

      p = nl ? nl + 1 : end;
      if (!g_utf8_validate (text, -1, NULL))
        g_strdelimit (text,
                      "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
                      "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
                      "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
                      "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf"
                      "\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf"
                      "\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf"
                      "\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef"
                      "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff",
                      '?');
      if (line == 0)
        req.method = text;
      else if (line == 1)
        req.path = text;
      else if (len == 0)
        {
          g_free (text);
          break;
        }
      else
        g_ptr_array_add (fields, text);
      line++;
    }
  if (req.method == NULL)
    req.method = g_strdup ("GET");
  if (req.path == NULL)
    req.path = g_strdup ("/cart/");
  req.target = g_strdup (req.path);
  req.query = g_strdup ("");
  req.prefix = g_strdup ("/cart");
  req.host = g_strdup ("");
  req.peer = g_strdup ("127.0.0.1");
  req.version = 11;
  req.body.len = (guint32)(end - p);
  req.body.val = g_memdup2 (p, req.body.len);
  req.fields.len = fields->len;
  req.fields.val = g_new0 (StandardHTTPField, MAX (fields->len, 1));
  for (guint i = 0; i < fields->len; i++)
    {
      gchar *f = g_ptr_array_index (fields, i);
      gchar *colon = strchr (f, ':');

      req.fields.val[i].name = g_ascii_strdown (f, colon ? colon - f : -1);
      req.fields.val[i].value = g_strstrip (g_strdup (colon ? colon + 1 : ""));
      g_free (f);
    }
  g_ptr_array_unref (fields);

  status = bft_http_cart_parse (&req, &call, &error);
  g_assert_true ((status != 0) == (error != NULL));
  if (status != 0)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
        known |= status == refusals[i];
      g_assert_true (known);
    }
  else
    {
      GBytes *op;

      if (call.number != 0)
        {
          g_assert_cmpuint (call.number, <=, BFT_HTTP_MAX_NUMBER);
          g_assert_cmpuint (call.client, !=, 0);
        }
      g_assert_cmpuint (call.client, <, BFT_HTTP_RESERVED_CLIENTS);
      if (call.client == 0)
        call.client = 1;
      op = bft_http_call_build_op (&call);
      if (op != NULL)
        {
          SynodShoppingCartOp decoded = { 0 };

          g_assert_true (synod_value_decode (&synod_shopping_cart_op_desc,
                                             g_bytes_get_data (op, NULL), g_bytes_get_size (op),
                                             &decoded, NULL));
          synod_shopping_cart_op_clear (&decoded);
          g_bytes_unref (op);
        }
      else
        g_assert_true (call.route == BFT_HTTP_ROUTE_SERVICE
                       || call.route == BFT_HTTP_ROUTE_PREFLIGHT
                       || call.route == BFT_HTTP_ROUTE_SLASH);
    }
  g_clear_error (&error);
  bft_http_call_clear (&call);
  standard_http_request_clear (&req);
  return 0;
}

/* Without libFuzzer: replays the seeds, as a test (TAP). */
SYNOD_FUZZ_REPLAY_MAIN ("tests/fuzz/corpus/fuzz-http-cart")
