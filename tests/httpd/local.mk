# Tests of httpd (included from tests/local.mk).

HTTPD_TESTS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/httpd -I$(top_srcdir)/tests/httpd \
	-I$(top_srcdir)/tests/common
HTTPD_TESTS_LDADD = httpd/libsynod-httpd.la orb/libsynod-1.la $(GLIB_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/httpd/test-http-parser
TESTS += tests/httpd/test-http-parser
tests_httpd_test_http_parser_SOURCES = tests/httpd/test-http-parser.c tests/httpd/hostile-requests.h
tests_httpd_test_http_parser_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS)
tests_httpd_test_http_parser_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_http_parser_LDADD = $(HTTPD_TESTS_LDADD)

# The fuzz target's body, replaying the seed corpus in every build.
check_PROGRAMS += tests/httpd/test-fuzz-http-parser-corpus
TESTS += tests/httpd/test-fuzz-http-parser-corpus
tests_httpd_test_fuzz_http_parser_corpus_SOURCES = tests/httpd/fuzz-http-parser.c \
	tests/common/synod-fuzz-replay.c tests/common/synod-fuzz-replay.h
tests_httpd_test_fuzz_http_parser_corpus_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS)
tests_httpd_test_fuzz_http_parser_corpus_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_fuzz_http_parser_corpus_LDADD = $(HTTPD_TESTS_LDADD)
EXTRA_DIST += tests/httpd/corpus

if ENABLE_FUZZING
noinst_PROGRAMS += tests/httpd/fuzz-http-parser
FUZZ_TARGETS += tests/httpd/fuzz-http-parser
tests_httpd_fuzz_http_parser_SOURCES = tests/httpd/fuzz-http-parser.c tests/common/synod-fuzz-replay.h
tests_httpd_fuzz_http_parser_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS) -DSYNOD_FUZZING=1
tests_httpd_fuzz_http_parser_CFLAGS = $(TESTS_CFLAGS) -fsanitize=fuzzer
tests_httpd_fuzz_http_parser_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_httpd_fuzz_http_parser_LDADD = httpd/libsynod-httpd-fuzz.la orb/libsynod-1.la $(GLIB_LIBS)
endif

# synod-httpd over raw loopback sockets.
check_PROGRAMS += tests/httpd/test-httpd-raw
TESTS += tests/httpd/test-httpd-raw
tests_httpd_test_httpd_raw_SOURCES = tests/httpd/test-httpd-raw.c tests/httpd/httpd-test-util.c \
	tests/httpd/httpd-test-util.h tests/httpd/hostile-requests.h
tests_httpd_test_httpd_raw_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS)
tests_httpd_test_httpd_raw_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_httpd_raw_LDADD = $(GLIB_LIBS) $(ZLIB_LIBS)
EXTRA_tests_httpd_test_httpd_raw_DEPENDENCIES = httpd/synod-httpd
# ...and against synod-httpd --engine-only.
dist_check_SCRIPTS += tests/httpd/test-httpd-raw-engine.sh
TESTS += tests/httpd/test-httpd-raw-engine.sh

# The engine in process: directory, paths, utilities, async handlers, cache, SSI.
check_PROGRAMS += tests/httpd/test-httpd-engine
TESTS += tests/httpd/test-httpd-engine
tests_httpd_test_httpd_engine_SOURCES = tests/httpd/test-httpd-engine.c tests/httpd/httpd-test-util.c \
	tests/httpd/httpd-test-util.h
tests_httpd_test_httpd_engine_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS)
tests_httpd_test_httpd_engine_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_httpd_engine_LDADD = $(HTTPD_TESTS_LDADD)

# Side by side with nginx and lighttpd on the hostile table (run by hand).
EXTRA_DIST += tests/httpd/compare-peers.sh

# The server as objects on brokers, in process (and a second broker over
# loopback for the remote handoff).
SYNOD_IDL_FILES += tests/httpd/httpd-test.idl
check_PROGRAMS += tests/httpd/test-httpd-objects
TESTS += tests/httpd/test-httpd-objects
tests_httpd_test_httpd_objects_SOURCES = tests/httpd/test-httpd-objects.c \
	tests/httpd/httpd-test-util.c tests/httpd/httpd-test-util.h
nodist_tests_httpd_test_httpd_objects_SOURCES = tests/httpd/httpd-test.c tests/httpd/httpd-test.h
tests_httpd_test_httpd_objects_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS) -I$(top_builddir)/idl \
	-I$(top_builddir)/tests/httpd
tests_httpd_test_httpd_objects_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_httpd_objects_LDADD = httpd/libsynod-httpd.la $(TESTS_LDADD) $(ZLIB_LIBS)
# /httpd/objects/synodd-site runs synodd, which loads the classes' plugin.
EXTRA_tests_httpd_test_httpd_objects_DEPENDENCIES = services/synodd httpd/standard-httpdaemon-1.la

# synod-httpd over HTTPS: curl and an OpenSSL client, hostile TLS input,
# bad certificates (certificates made at test time with the openssl command).
check_PROGRAMS += tests/httpd/test-httpd-tls
TESTS += tests/httpd/test-httpd-tls
tests_httpd_test_httpd_tls_SOURCES = tests/httpd/test-httpd-tls.c tests/httpd/httpd-test-util.c \
	tests/httpd/httpd-test-util.h
tests_httpd_test_httpd_tls_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS)
tests_httpd_test_httpd_tls_CFLAGS = $(TESTS_CFLAGS) $(OPENSSL_CFLAGS)
tests_httpd_test_httpd_tls_LDADD = $(GLIB_LIBS) $(OPENSSL_LIBS)
EXTRA_tests_httpd_test_httpd_tls_DEPENDENCIES = httpd/synod-httpd
# ...and against synod-httpd --engine-only.
dist_check_SCRIPTS += tests/httpd/test-httpd-tls-engine.sh
TESTS += tests/httpd/test-httpd-tls-engine.sh
# SIGHUP to synodd reloads its HTTPS sites' certificates (openssl s_client).
dist_check_SCRIPTS += tests/httpd/test-synodd-reload.sh
TESTS += tests/httpd/test-synodd-reload.sh

# Web users: Basic authentication, principals, access control per user
# (in process, on a broker; curl over HTTPS with certificates made by the
# openssl command).
check_PROGRAMS += tests/httpd/test-httpd-auth
TESTS += tests/httpd/test-httpd-auth
tests_httpd_test_httpd_auth_SOURCES = tests/httpd/test-httpd-auth.c \
	tests/httpd/httpd-test-util.c tests/httpd/httpd-test-util.h
tests_httpd_test_httpd_auth_CPPFLAGS = $(HTTPD_TESTS_CPPFLAGS) -I$(top_builddir)/idl
tests_httpd_test_httpd_auth_CFLAGS = $(TESTS_CFLAGS)
tests_httpd_test_httpd_auth_LDADD = httpd/libsynod-httpd.la $(TESTS_LDADD) $(ZLIB_LIBS)
