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
