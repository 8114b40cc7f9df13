# Rules of httpd/ (included from the top Makefile.am): the HTTP/1.1 server.
#
# libsynod-httpd is a convenience library (linked into the programs that
# serve web sites: synod-httpd, synodd, the tests and benchmarks) of two
# layers: the engine, clean C modules (parser, connection engine, URL
# directory, document cache, SSI), and the broker classes HTTPdaemon,
# URLdirectory, URLfileLoader and HTTPdocument that make it a set of
# objects (synod_http_register_classes()). It is not installed: other
# programs reach the web server through the broker, and a class that
# serves URIs needs only idl/http.idl (installed) to answer
# Standard.HTTPhandler. See docs/httpd.md.

noinst_LTLIBRARIES += httpd/libsynod-httpd.la

# The interfaces (Standard.HTTPhandler, URLdirectory, URLfileLoader,
# HTTPdocument, HTTPdaemon), installed next to standard.idl.
SYNOD_IDL_FILES += idl/http.idl
dist_idl_DATA += idl/http.idl

httpd_engine_sources = \
	httpd/synod-http-error.c \
	httpd/synod-http-error.h \
	httpd/synod-http-parser.c \
	httpd/synod-http-parser.h \
	httpd/synod-http-handler.h \
	httpd/synod-http-exchange-private.h \
	httpd/synod-http-exchange.c \
	httpd/synod-url-directory.c \
	httpd/synod-url-directory.h \
	httpd/synod-http-server.c \
	httpd/synod-http-server.h \
	httpd/synod-http-static.c \
	httpd/synod-http-static.h \
	httpd/synod-http-util.c \
	httpd/synod-http-util.h \
	httpd/synod-ssi.c \
	httpd/synod-ssi.h

httpd_object_sources = \
	httpd/synod-http-objects.h \
	httpd/synod-http-objects-private.h \
	httpd/synod-http-gateway.c \
	httpd/synod-url-directory-class.c \
	httpd/synod-http-daemon-class.c

httpd_libsynod_httpd_la_SOURCES = $(httpd_engine_sources) $(httpd_object_sources)
nodist_httpd_libsynod_httpd_la_SOURCES = idl/http.c idl/http.h
httpd_libsynod_httpd_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/httpd -I$(top_builddir)/idl \
	-DG_LOG_DOMAIN=\"synod-httpd\"
httpd_libsynod_httpd_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(ZLIB_CFLAGS) \
	$(OPENSSL_CFLAGS)
httpd_libsynod_httpd_la_LIBADD = orb/libsynod-1.la $(GLIB_LIBS) $(ZLIB_LIBS) $(OPENSSL_LIBS) \
	$(LTLIBINTL)

# The same parser, instrumented for libFuzzer (built only with --enable-fuzzing).
if ENABLE_FUZZING
noinst_LTLIBRARIES += httpd/libsynod-httpd-fuzz.la
httpd_libsynod_httpd_fuzz_la_SOURCES = \
	httpd/synod-http-error.c \
	httpd/synod-http-parser.c \
	httpd/synod-http-exchange.c
httpd_libsynod_httpd_fuzz_la_CPPFLAGS = $(httpd_libsynod_httpd_la_CPPFLAGS)
httpd_libsynod_httpd_fuzz_la_CFLAGS = $(httpd_libsynod_httpd_la_CFLAGS) -fsanitize=fuzzer-no-link
httpd_libsynod_httpd_fuzz_la_LIBADD = orb/libsynod-1.la $(GLIB_LIBS) $(LTLIBINTL)
endif

# The server as a program: tests, the benchmark and people run it.
bin_PROGRAMS += httpd/synod-httpd
httpd_synod_httpd_SOURCES = httpd/synod-httpd.c
httpd_synod_httpd_CPPFLAGS = $(httpd_libsynod_httpd_la_CPPFLAGS)
httpd_synod_httpd_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
httpd_synod_httpd_LDADD = httpd/libsynod-httpd.la orb/libsynod-1.la $(GLIB_LIBS) $(ZLIB_LIBS) \
	$(LTLIBINTL)

# The classes as a plugin on the class path (see docs/httpd.md): synodd
# creates "Standard.HTTPdaemon;1" objects from its configuration and loads
# this file when it meets the class.
classdir = $(libdir)/synod-$(SYNOD_API_VERSION)/classes
class_LTLIBRARIES = httpd/standard-httpdaemon-1.la
httpd_standard_httpdaemon_1_la_SOURCES = httpd/synod-http-plugin.c
httpd_standard_httpdaemon_1_la_CPPFLAGS = $(httpd_libsynod_httpd_la_CPPFLAGS)
httpd_standard_httpdaemon_1_la_CFLAGS = $(httpd_libsynod_httpd_la_CFLAGS)
httpd_standard_httpdaemon_1_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined
httpd_standard_httpdaemon_1_la_LIBADD = httpd/libsynod-httpd.la orb/libsynod-1.la $(GLIB_LIBS) \
	$(ZLIB_LIBS) $(LTLIBINTL)
