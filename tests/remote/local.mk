# Tests of remote invocation (included from tests/local.mk).

check_PROGRAMS += tests/remote/test-rpc
TESTS += tests/remote/test-rpc
tests_remote_test_rpc_SOURCES = tests/remote/test-rpc.c
tests_remote_test_rpc_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_rpc_LDADD = $(TESTS_LDADD)

# A private dbus-daemon + avahi-daemon on loopback, for discovery tests.
check_LTLIBRARIES += tests/common/libsynod-test-mdns.la
tests_common_libsynod_test_mdns_la_SOURCES = tests/common/synod-test-mdns.c tests/common/synod-test-mdns.h
tests_common_libsynod_test_mdns_la_CFLAGS = $(TESTS_CFLAGS)
tests_common_libsynod_test_mdns_la_LIBADD = $(GLIB_LIBS)

check_PROGRAMS += tests/remote/test-discovery
TESTS += tests/remote/test-discovery
tests_remote_test_discovery_SOURCES = tests/remote/test-discovery.c
tests_remote_test_discovery_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_discovery_LDADD = tests/common/libsynod-test-mdns.la $(TESTS_LDADD)

# Remote invocation between brokers over loopback.
SYNOD_IDL_FILES += tests/remote/remote-test.idl
check_PROGRAMS += tests/remote/test-network
TESTS += tests/remote/test-network
tests_remote_test_network_SOURCES = tests/remote/test-network.c
nodist_tests_remote_test_network_SOURCES = tests/remote/remote-test.c tests/remote/remote-test.h
tests_remote_test_network_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/remote -I$(top_builddir)/idl
tests_remote_test_network_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_network_LDADD = $(TESTS_LDADD)
