# Rules of the BFT shopping cart's web face (included from the top
# Makefile.am after bft/local.mk): the HTTPcart class, an HTTP handler that
# issues shopping cart operations through a Coordinator. It is linked into
# the synod-bft plugin, which registers it with the BFT classes; it carries
# its own copy of Standard.HTTPhandler (idl/http.idl), as any class serving
# URIs does. See docs/bft-site.md.

noinst_LTLIBRARIES += bft/libsynod-bft-http.la
bft_libsynod_bft_http_la_SOURCES = \
	bft/synod-bft-http.h \
	bft/bft-http-cart-private.h \
	bft/bft-http-cart-parse.c \
	bft/bft-http-cart-render.c \
	bft/bft-http-cart.c
nodist_bft_libsynod_bft_http_la_SOURCES = idl/http.c idl/http.h
BFT_HTTP_CPPFLAGS = $(BFT_CPPFLAGS) -I$(top_builddir)/idl
bft_libsynod_bft_http_la_CPPFLAGS = $(BFT_HTTP_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-bft\"
bft_libsynod_bft_http_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JSON_GLIB_CFLAGS)
bft_libsynod_bft_http_la_LIBADD = $(JSON_GLIB_LIBS) $(OPENSSL_LIBS)

# What links the adapter (its tests, the benchmark): it needs the BFT core.
BFT_HTTP_LIBS = bft/libsynod-bft-http.la $(BFT_LIBS) $(JSON_GLIB_LIBS)

bft_synod_bft_la_CPPFLAGS += -I$(top_builddir)/idl
bft_synod_bft_la_LIBADD += bft/libsynod-bft-http.la $(JSON_GLIB_LIBS)
