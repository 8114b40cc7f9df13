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

# Real synodd processes in tests: starting them, asking their synod.peer.
check_LTLIBRARIES += tests/common/libsynod-test-daemon.la
tests_common_libsynod_test_daemon_la_SOURCES = \
	tests/common/synod-test-daemon.c \
	tests/common/synod-test-daemon.h
tests_common_libsynod_test_daemon_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\"
tests_common_libsynod_test_daemon_la_CFLAGS = $(TESTS_CFLAGS)
tests_common_libsynod_test_daemon_la_LIBADD = $(TESTS_LDADD)

# The class plugin those daemons load: Test.Locator (who answers a name).
SYNOD_IDL_FILES += tests/remote/mdns-test.idl
check_LTLIBRARIES += tests/remote/test-locator-1.la
tests_remote_test_locator_1_la_SOURCES = tests/remote/plugin-locator.c
nodist_tests_remote_test_locator_1_la_SOURCES = tests/remote/mdns-test.c tests/remote/mdns-test.h
tests_remote_test_locator_1_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/remote \
	-I$(top_builddir)/idl
tests_remote_test_locator_1_la_CFLAGS = $(TESTS_CFLAGS) -fvisibility=hidden
tests_remote_test_locator_1_la_LDFLAGS = -module -avoid-version -rpath /nowhere -no-undefined
tests_remote_test_locator_1_la_LIBADD = $(TESTS_LDADD)

mdns_daemon_test_ldadd = tests/common/libsynod-test-daemon.la \
	tests/common/libsynod-test-mdns.la $(TESTS_LDADD)
mdns_daemon_test_deps = tests/remote/test-locator-1.la services/synodd$(EXEEXT)

# Discovery between synodd processes on one machine (private avahi-daemon).
check_PROGRAMS += tests/remote/test-mdns-daemons
TESTS += tests/remote/test-mdns-daemons
tests_remote_test_mdns_daemons_SOURCES = tests/remote/test-mdns-daemons.c
tests_remote_test_mdns_daemons_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_mdns_daemons_LDADD = $(mdns_daemon_test_ldadd)
EXTRA_tests_remote_test_mdns_daemons_DEPENDENCIES = $(mdns_daemon_test_deps)

# Asks a synodd for its peer table from a shell test.
check_PROGRAMS += tests/remote/synod-test-query
tests_remote_synod_test_query_SOURCES = tests/remote/synod-test-query.c
tests_remote_synod_test_query_CFLAGS = $(TESTS_CFLAGS)
tests_remote_synod_test_query_LDADD = tests/common/libsynod-test-daemon.la $(TESTS_LDADD)

# synodd with no avahi-daemon, then with one that starts late and restarts.
check_PROGRAMS += tests/remote/test-mdns-absent
TESTS += tests/remote/test-mdns-absent
tests_remote_test_mdns_absent_SOURCES = tests/remote/test-mdns-absent.c
tests_remote_test_mdns_absent_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_mdns_absent_LDADD = $(mdns_daemon_test_ldadd)
EXTRA_tests_remote_test_mdns_absent_DEPENDENCIES = $(mdns_daemon_test_deps)

# Discovery across four network namespaces on a bridge (root only).
dist_check_SCRIPTS += tests/remote/test-mdns-hosts.sh
TESTS += tests/remote/test-mdns-hosts.sh
