/* hostile-requests.h — requests a strict server must refuse, with the answer.
 *
 * Shared by the parser's unit test (which checks the error code) and the
 * raw-socket test (which sends each to a live server and checks the status
 * line and that the connection is closed). Sizes of the generated entries
 * follow the default limits of synod-http-parser.h.
 */
#pragma once

#include <glib.h>

typedef struct
{
  const gchar *name;
  const gchar *bytes;
  gsize len; /* 0: strlen (bytes) */
  guint status;
  gboolean close;
} HostileRequest;

#define H(n, b, s)                                                                                 \
  {                                                                                                \
    n, b, sizeof (b) - 1, s, TRUE                                                                  \
  }

static const HostileRequest hostile_requests[] = {
  H ("cl-and-te",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0\r\n\r\n",
     400),
  H ("te-and-cl",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: "
     "5\r\n\r\n0\r\n\r\n",
     400),
  H ("duplicate-cl-same",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
  H ("duplicate-cl-differ",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
  H ("cl-list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
  H ("cl-negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
  H ("cl-plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
  H ("cl-hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc", 400),
  H ("cl-overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
     400),
  H ("cl-empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
  H ("te-not-final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
  H ("te-chunked-twice",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0\r\n\r\n",
     400),
  H ("te-unknown",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
  H ("te-only-unknown", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400),
  H ("te-in-http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
  H ("te-empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", 400),
  H ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
  H ("ws-before-first-field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
  H ("ws-before-colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
  H ("tab-before-colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400),
  H ("cl-ws-before-colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\n\r\nabc", 400),
  H ("bare-cr-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400),
  H ("bare-cr-line-end", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
  H ("bare-cr-request-line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("nul-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400),
  H ("nul-in-name", "GET / HTTP/1.1\r\nHost: a\r\nX\0A: b\r\n\r\n", 400),
  H ("nul-in-target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("ctl-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n", 400),
  H ("del-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x7f\r\n\r\n", 400),
  H ("empty-field-name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
  H ("no-colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A b\r\n\r\n", 400),
  H ("bad-name-char", "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400),
  H ("missing-host-11", "GET / HTTP/1.1\r\n\r\n", 400),
  H ("two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
  H ("bad-host", "GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400),
  H ("host-with-slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
  H ("http-2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
  H ("http-0", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
  H ("http-09-simple", "GET /\r\n\r\n", 400),
  H ("lower-version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
  H ("version-garbage", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400),
  H ("two-spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("tab-separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("no-target", "GET HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("relative-target", "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("fragment-in-target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("non-ascii-target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("asterisk-get", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("bad-method-char", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("userinfo-authority", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
  H ("chunk-size-garbage",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400),
  H ("chunk-size-empty",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n", 400),
  H ("chunk-size-negative",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n", 400),
  H ("chunk-size-0x",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n",
     400),
  H ("chunk-size-many-digits",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n00000000000000000003\r\nabc\r\n0\r\n\r\n",
     400),
  H ("chunk-size-huge",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", 413),
  H ("chunk-size-bare-lf",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 400),
  H ("chunk-data-too-long",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400),
  H ("chunk-data-bare-lf",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", 400),
  H ("chunk-ext-ctl",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\x01\r\nabc\r\n0\r\n\r\n",
     400),
  H ("trailer-obs-fold",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n",
     400),
  H ("trailer-no-colon",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nAb\r\n\r\n", 400),
  H ("body-cl-too-large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413),
  H ("chunked-too-large",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413),
  H ("expect-unknown",
     "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 3\r\n\r\nabc", 417),
};

#undef H
