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

# Real synodd processes: starting, readiness, teardown on every exit path.
# Reusable by any test that runs daemons (tests/common/synod-test-daemon.h).
check_LTLIBRARIES += tests/common/libsynod-test-daemon.la
tests_common_libsynod_test_daemon_la_SOURCES = \
	tests/common/synod-test-daemon.c \
	tests/common/synod-test-daemon.h
tests_common_libsynod_test_daemon_la_CFLAGS = $(TESTS_CFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\"
tests_common_libsynod_test_daemon_la_LIBADD = $(GLIB_LIBS)

# The class the daemons of the multi-process tests run: a plugin named as
# the class path wants it (clustertest-counter-1.so).
SYNOD_IDL_FILES += tests/remote/cluster-test.idl
cluster_test_generated = tests/remote/cluster-test.c tests/remote/cluster-test.h
cluster_test_cflags = $(TESTS_CFLAGS) -I$(top_builddir)/tests/remote -I$(top_builddir)/idl \
	-I$(top_srcdir)/tests/common \
	-DSYNOD_TEST_PLUGIN_DIR=\"$(abs_top_builddir)/tests/remote/.libs\"
check_LTLIBRARIES += tests/remote/clustertest-counter-1.la
tests_remote_clustertest_counter_1_la_SOURCES = tests/remote/plugin-cluster.c
nodist_tests_remote_clustertest_counter_1_la_SOURCES = $(cluster_test_generated)
tests_remote_clustertest_counter_1_la_CFLAGS = $(cluster_test_cflags) -fvisibility=hidden
tests_remote_clustertest_counter_1_la_LDFLAGS = -module -avoid-version -rpath /nowhere -no-undefined
tests_remote_clustertest_counter_1_la_LIBADD = $(TESTS_LDADD)

cluster_common_sources = tests/remote/cluster-common.c tests/remote/cluster-common.h
cluster_test_ldadd = tests/common/libsynod-test-daemon.la $(TESTS_LDADD)
cluster_test_deps = tests/remote/clustertest-counter-1.la services/synodd$(EXEEXT) \
	services/synod$(EXEEXT)

# Daemons calling each other, failures, restarts, configuration errors,
# hostile input on raw sockets.
check_PROGRAMS += tests/remote/test-cluster
TESTS += tests/remote/test-cluster
tests_remote_test_cluster_SOURCES = tests/remote/test-cluster.c $(cluster_common_sources)
nodist_tests_remote_test_cluster_SOURCES = $(cluster_test_generated)
tests_remote_test_cluster_CFLAGS = $(cluster_test_cflags)
tests_remote_test_cluster_LDADD = $(cluster_test_ldadd)
EXTRA_tests_remote_test_cluster_DEPENDENCIES = $(cluster_test_deps)

# The command-line tool end to end against a three-daemon cluster.
check_PROGRAMS += tests/remote/test-cli
TESTS += tests/remote/test-cli
tests_remote_test_cli_SOURCES = tests/remote/test-cli.c $(cluster_common_sources)
nodist_tests_remote_test_cli_SOURCES = $(cluster_test_generated)
tests_remote_test_cli_CFLAGS = $(cluster_test_cflags)
tests_remote_test_cli_LDADD = $(cluster_test_ldadd)
EXTRA_tests_remote_test_cli_DEPENDENCIES = $(cluster_test_deps)

# rpcbind/rpcinfo interoperability in a private network namespace (root).
check_PROGRAMS += tests/remote/test-rpcbind
TESTS += tests/remote/test-rpcbind
tests_remote_test_rpcbind_SOURCES = tests/remote/test-rpcbind.c
tests_remote_test_rpcbind_CFLAGS = $(cluster_test_cflags)
tests_remote_test_rpcbind_LDADD = $(cluster_test_ldadd)
EXTRA_tests_remote_test_rpcbind_DEPENDENCIES = $(cluster_test_deps)

# Daemons configured for the discovery tests, and a client asking their
# synod.peer object (tests/common/synod-test-peers.h).
check_LTLIBRARIES += tests/common/libsynod-test-peers.la
tests_common_libsynod_test_peers_la_SOURCES = \
	tests/common/synod-test-peers.c \
	tests/common/synod-test-peers.h
tests_common_libsynod_test_peers_la_CFLAGS = $(TESTS_CFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\"
tests_common_libsynod_test_peers_la_LIBADD = tests/common/libsynod-test-daemon.la $(TESTS_LDADD)

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

mdns_daemon_test_ldadd = tests/common/libsynod-test-peers.la \
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
tests_remote_synod_test_query_LDADD = tests/common/libsynod-test-peers.la $(TESTS_LDADD)

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

# The bash completion of synod (data/synod.bash-completion), in a plain bash,
# against one synodd on loopback.
dist_check_SCRIPTS += tests/remote/test-completion.sh
TESTS += tests/remote/test-completion.sh

# synodd's readiness and stop notices to a service manager (sd_notify).
check_PROGRAMS += tests/remote/test-synodd-notify
TESTS += tests/remote/test-synodd-notify
tests_remote_test_synodd_notify_SOURCES = tests/remote/test-synodd-notify.c
tests_remote_test_synodd_notify_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_synodd_notify_LDADD = tests/common/libsynod-test-daemon.la $(TESTS_LDADD)
EXTRA_tests_remote_test_synodd_notify_DEPENDENCIES = services/synodd$(EXEEXT)

# synodd@.service (data/local.mk) as systemd and synodd read it.
dist_check_SCRIPTS += tests/remote/test-systemd-unit.sh
TESTS += tests/remote/test-systemd-unit.sh

# RPC-with-TLS (RFC 9289) on the transport: probe, handshake, modes,
# refused certificates, hostile bytes. Certificates are made at run time.
tls_test_certs_sources = tests/common/synod-test-certs.c tests/common/synod-test-certs.h
check_PROGRAMS += tests/remote/test-rpc-tls
TESTS += tests/remote/test-rpc-tls
tests_remote_test_rpc_tls_SOURCES = tests/remote/test-rpc-tls.c $(tls_test_certs_sources)
tests_remote_test_rpc_tls_CFLAGS = $(TESTS_CFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/tests/common
tests_remote_test_rpc_tls_LDADD = $(TESTS_LDADD) $(OPENSSL_LIBS)

# RPC-with-TLS between synodd processes: certificate principals in ACLs,
# refused peers, the tool's client certificate, a capture of the wire.
check_PROGRAMS += tests/remote/test-tls
TESTS += tests/remote/test-tls
tests_remote_test_tls_SOURCES = tests/remote/test-tls.c $(cluster_common_sources) \
	$(tls_test_certs_sources)
nodist_tests_remote_test_tls_SOURCES = $(cluster_test_generated)
tests_remote_test_tls_CFLAGS = $(cluster_test_cflags) $(OPENSSL_CFLAGS)
tests_remote_test_tls_LDADD = $(cluster_test_ldadd) $(OPENSSL_LIBS)
EXTRA_tests_remote_test_tls_DEPENDENCIES = $(cluster_test_deps)
