/* libFuzzer target for the request parser and body decoder.
 *
 * Besides "never crash", it checks properties on every input: a head parsed
 * from a buffer fed in two pieces (split where the first input byte says) is
 * the one parsed all at once, every slice of a parsed head lies inside the
 * buffer, and the normalized path has no empty, "." or ".." segment. Built without libFuzzer, the
 * same function is driven by a small main() that replays the seed corpus (tests/httpd/corpus/), so
 * every build runs the seeds as a test.
 */
#include "config.h"

#include <string.h>

#include "synod-http-exchange-private.h"
#include "synod-http-parser.h"
#include "synod-fuzz-replay.h"

static void
check_slice (SynodHttpSlice s, const gchar *buf, gsize len)
{
  if (s.len == 0)
    return;
  g_assert_true (s.ptr >= buf && s.ptr + s.len <= buf + len);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static SynodHttpRequestHead whole, part; /* large: keep them off the stack */
  SynodHttpLimits limits;
  SynodHttpParser parser;
  SynodHttpParseResult r1, r2;
  const gchar *buf;
  gsize len, split;
  GError *error = NULL;

  if (size < 1)
    return 0;
  synod_http_limits_init_default (&limits);
  limits.max_body = 4096;
  split = data[0];
  buf = (const gchar *)data + 1;
  len = size - 1;
  split = len == 0 ? 0 : split % (len + 1);

  synod_http_parser_reset (&parser);
  r1 = synod_http_parser_parse_head (&parser, &limits, buf, len, &whole, &error);
  g_assert_true ((r1 == SYNOD_HTTP_PARSE_ERROR) == (error != NULL));
  g_clear_error (&error);

  synod_http_parser_reset (&parser);
  r2 = synod_http_parser_parse_head (&parser, &limits, buf, split, &part, &error);
  if (r2 == SYNOD_HTTP_PARSE_AGAIN)
    r2 = synod_http_parser_parse_head (&parser, &limits, buf, len, &part, &error);
  g_clear_error (&error);
  /* A head complete within the first piece may end before a later error. */
  if (r2 == SYNOD_HTTP_PARSE_DONE && r1 == SYNOD_HTTP_PARSE_DONE)
    g_assert_cmpuint (part.head_len, ==, whole.head_len);
  else if (r2 != SYNOD_HTTP_PARSE_DONE || part.head_len > split)
    g_assert_cmpint (r1, ==, r2);

  if (r1 == SYNOD_HTTP_PARSE_DONE)
    {
      SynodHttpBodyDecoder dec;
      GByteArray *out = g_byte_array_new ();
      gsize consumed = 0;
      gboolean done = FALSE;

      g_assert_cmpuint (whole.head_len, <=, len);
      check_slice (whole.method_name, buf, len);
      check_slice (whole.target, buf, len);
      check_slice (whole.query, buf, len);
      check_slice (whole.host, buf, len);
      for (guint i = 0; i < whole.n_headers; i++)
        {
          check_slice (whole.headers[i].name, buf, len);
          check_slice (whole.headers[i].value, buf, len);
        }
      /* The normalized path never climbs: no empty, "." or ".." segment. */
      {
        GString *norm = g_string_new (NULL);

        if (synod_http_normalize_path (whole.path.ptr, whole.path.len, norm, NULL))
          {
            gchar **segs;

            g_assert_true (norm->str[0] == '/');
            segs = g_strsplit (norm->str + 1, "/", -1);
            for (guint i = 0; segs[i] != NULL; i++)
              {
                gboolean last = segs[i + 1] == NULL;

                g_assert_true (segs[i][0] != '\0' || last);
                g_assert_cmpstr (segs[i], !=, ".");
                g_assert_cmpstr (segs[i], !=, "..");
              }
            g_strfreev (segs);
          }
        g_string_free (norm, TRUE);
      }
      synod_http_body_decoder_init (&dec, &whole, &limits);
      if (synod_http_body_decoder_feed (&dec, (const guint8 *)buf + whole.head_len,
                                        len - whole.head_len, out, &consumed, &done, &error))
        {
          g_assert_cmpuint (consumed, <=, len - whole.head_len);
          g_assert_cmpuint (out->len, <=, limits.max_body);
          g_assert_cmpuint (out->len, <=, consumed);
        }
      g_clear_error (&error);
      g_byte_array_unref (out);
    }
  return 0;
}

/* Without libFuzzer: replays the seeds, as a test (TAP). */
SYNOD_FUZZ_REPLAY_MAIN ("tests/httpd/corpus")
