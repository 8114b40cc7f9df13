# Tests of the BFT shopping cart's web face (included from tests/local.mk
# after tests/bft/local.mk).

BFT_HTTP_TESTS_CPPFLAGS = $(BFT_TESTS_CPPFLAGS) -I$(top_builddir)/idl
BFT_HTTP_TESTS_CFLAGS = $(BFT_TESTS_CFLAGS) $(JSON_GLIB_CFLAGS)

# The adapter on its own: request mapping, hostile requests, the handler
# over an unreplicated service.
check_PROGRAMS += tests/bft/test-bft-http-cart
TESTS += tests/bft/test-bft-http-cart
tests_bft_test_bft_http_cart_SOURCES = tests/bft/test-bft-http-cart.c
tests_bft_test_bft_http_cart_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS)
tests_bft_test_bft_http_cart_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS)
tests_bft_test_bft_http_cart_LDADD = $(BFT_HTTP_LIBS)

# The site end to end: four synodd replicas with the adapter and a web site
# each, over HTTP.
check_PROGRAMS += tests/bft/test-bft-site
TESTS += tests/bft/test-bft-site
tests_bft_test_bft_site_SOURCES = tests/bft/test-bft-site.c
tests_bft_test_bft_site_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\" -DSYNOD_TEST_SRCDIR=\"$(abs_top_srcdir)\"
tests_bft_test_bft_site_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS)
tests_bft_test_bft_site_LDADD = tests/bft/libbft-cluster.la $(BFT_HTTP_LIBS)
EXTRA_tests_bft_test_bft_site_DEPENDENCIES = bft/synod-bft.la services/synodd$(EXEEXT) \
	httpd/standard-httpdaemon-1.la

# The browser's proof checker (data/site/synod-proof.js, under Node.js when
# it is installed) against the C one, on the same vectors.
check_PROGRAMS += tests/bft/test-bft-proof-js
TESTS += tests/bft/test-bft-proof-js
tests_bft_test_bft_proof_js_SOURCES = tests/bft/test-bft-proof-js.c
tests_bft_test_bft_proof_js_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS)
tests_bft_test_bft_proof_js_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS)
tests_bft_test_bft_proof_js_LDADD = $(BFT_HTTP_LIBS)
EXTRA_DIST += tests/bft/proof-vectors.js tests/bft/browser-shop.js

# The quick start's script (data/bft-site.sh) on free ports.
dist_check_SCRIPTS += tests/bft/test-bft-site-script.sh
TESTS += tests/bft/test-bft-site-script.sh
# ...and over HTTPS (SYNOD_SITE_TLS=1).
dist_check_SCRIPTS += tests/bft/test-bft-site-script-tls.sh
TESTS += tests/bft/test-bft-site-script-tls.sh
# ...and with web users signing in (SYNOD_SITE_USERS=1).
dist_check_SCRIPTS += tests/bft/test-bft-site-script-users.sh
TESTS += tests/bft/test-bft-site-script-users.sh

# The adapter's request parsing as a libFuzzer target; its seeds replay in
# every build.
check_PROGRAMS += tests/bft/test-fuzz-http-cart-corpus
TESTS += tests/bft/test-fuzz-http-cart-corpus
tests_bft_test_fuzz_http_cart_corpus_SOURCES = tests/bft/fuzz-http-cart.c \
	tests/common/synod-fuzz-replay.c tests/common/synod-fuzz-replay.h
tests_bft_test_fuzz_http_cart_corpus_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS)
tests_bft_test_fuzz_http_cart_corpus_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS)
tests_bft_test_fuzz_http_cart_corpus_LDADD = $(BFT_HTTP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/fuzz-http-cart

if ENABLE_FUZZING
noinst_PROGRAMS += tests/bft/fuzz-http-cart
FUZZ_TARGETS += tests/bft/fuzz-http-cart
tests_bft_fuzz_http_cart_SOURCES = tests/bft/fuzz-http-cart.c tests/common/synod-fuzz-replay.h
tests_bft_fuzz_http_cart_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS) -DSYNOD_FUZZING=1
tests_bft_fuzz_http_cart_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS) -fsanitize=fuzzer
tests_bft_fuzz_http_cart_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_bft_fuzz_http_cart_LDADD = $(BFT_HTTP_LIBS)
endif
