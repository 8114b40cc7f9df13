# Tests of bft (included from tests/local.mk).

BFT_TESTS_CPPFLAGS = $(BFT_CPPFLAGS) -I$(top_srcdir)/tests/bft -I$(top_srcdir)/tests/common
BFT_TESTS_CFLAGS = $(TESTS_CFLAGS) $(OPENSSL_CFLAGS) $(LMDB_CFLAGS)

# The simulator and the linearizability checker, shared by the tests, the
# soak run and the benchmark.
check_LTLIBRARIES += tests/bft/libpbft-sim.la
tests_bft_libpbft_sim_la_SOURCES = \
	tests/bft/pbft-sim.c tests/bft/pbft-sim.h \
	tests/bft/linearizability.c tests/bft/linearizability.h \
	tests/bft/pbft-harness.c tests/bft/pbft-harness.h
tests_bft_libpbft_sim_la_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_libpbft_sim_la_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_libpbft_sim_la_LIBADD = $(BFT_LIBS)

BFT_TESTS_LDADD = tests/bft/libpbft-sim.la $(BFT_LIBS)

bft_tests = \
	tests/bft/test-pbft-fuzz \
	tests/bft/test-pbft-replica \
	tests/bft/test-pbft-state \
	tests/bft/test-pbft-store \
	tests/bft/test-pbft-wire \
	tests/bft/test-pbft-sim

check_PROGRAMS += $(bft_tests)
TESTS += $(bft_tests)

tests_bft_test_pbft_sim_SOURCES = tests/bft/test-pbft-sim.c
tests_bft_test_pbft_sim_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_sim_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_sim_LDADD = $(BFT_TESTS_LDADD)

tests_bft_test_pbft_replica_SOURCES = tests/bft/test-pbft-replica.c
tests_bft_test_pbft_replica_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_replica_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_replica_LDADD = $(BFT_TESTS_LDADD)

tests_bft_test_pbft_store_SOURCES = tests/bft/test-pbft-store.c
tests_bft_test_pbft_store_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_store_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_store_LDADD = $(BFT_TESTS_LDADD)

tests_bft_test_pbft_wire_SOURCES = tests/bft/test-pbft-wire.c
tests_bft_test_pbft_wire_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_wire_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_wire_LDADD = $(BFT_TESTS_LDADD)

tests_bft_test_pbft_state_SOURCES = tests/bft/test-pbft-state.c
tests_bft_test_pbft_state_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_state_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_state_LDADD = $(BFT_TESTS_LDADD)

tests_bft_test_pbft_fuzz_SOURCES = tests/bft/test-pbft-fuzz.c tests/bft/fuzz-pbft.c \
	tests/bft/fuzz-pbft.h
tests_bft_test_pbft_fuzz_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_pbft_fuzz_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_pbft_fuzz_LDADD = $(BFT_TESTS_LDADD)

# Its seeds: real messages (regenerate with test-pbft-fuzz --write-corpus).
EXTRA_DIST += tests/bft/corpus

# The same harness as a libFuzzer target; the PBFT core is compiled into it
# so that libFuzzer's coverage sees the protocol's branches.
if ENABLE_FUZZING
FUZZ_TARGETS += tests/bft/fuzz-pbft
noinst_PROGRAMS += tests/bft/fuzz-pbft
tests_bft_fuzz_pbft_SOURCES = tests/bft/fuzz-pbft.c tests/bft/fuzz-pbft.h \
	$(bft_libsynod_pbft_la_SOURCES)
nodist_tests_bft_fuzz_pbft_SOURCES = $(nodist_bft_libsynod_pbft_la_SOURCES)
tests_bft_fuzz_pbft_CPPFLAGS = $(BFT_TESTS_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-bft\" \
	-DSYNOD_FUZZ_LIBFUZZER
tests_bft_fuzz_pbft_CFLAGS = $(BFT_TESTS_CFLAGS) -fsanitize=fuzzer
tests_bft_fuzz_pbft_LDFLAGS = -fsanitize=fuzzer
tests_bft_fuzz_pbft_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(OPENSSL_LIBS) \
	$(LMDB_LIBS) $(LTLIBINTL)
endif

# The long soak: thousands of simulated scenarios; each failing seed is
# printed with the command that replays it.
SOAK_SEEDS ?= 3000
SOAK_FIRST ?= 1
soak-bft: tests/bft/test-pbft-sim$(EXEEXT)
	SYNOD_SIM_SOAK=$(SOAK_SEEDS) SYNOD_SIM_FIRST=$(SOAK_FIRST) \
	  $(top_builddir)/tests/bft/test-pbft-sim -p /bft/sim/soak
.PHONY: soak-bft

# The BFT service on real synodd daemons (ReplicaServer and Coordinator
# from the synod-bft plugin), started by the shared daemon helper
# (tests/common/synod-test-daemon.h); the benchmark links it too.
check_LTLIBRARIES += tests/bft/libbft-cluster.la
tests_bft_libbft_cluster_la_SOURCES = tests/bft/bft-cluster.c tests/bft/bft-cluster.h
tests_bft_libbft_cluster_la_CPPFLAGS = $(BFT_TESTS_CPPFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\"
tests_bft_libbft_cluster_la_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_libbft_cluster_la_LIBADD = tests/common/libsynod-test-daemon.la $(BFT_LIBS)

check_PROGRAMS += tests/bft/test-bft-service
TESTS += tests/bft/test-bft-service
tests_bft_test_bft_service_SOURCES = tests/bft/test-bft-service.c
tests_bft_test_bft_service_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_bft_service_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_bft_service_LDADD = tests/bft/libbft-cluster.la $(BFT_LIBS)
EXTRA_tests_bft_test_bft_service_DEPENDENCIES = bft/synod-bft.la services/synodd$(EXEEXT)

# The BFT service's pieces on their own: shopping cart, keys, proofs, faults.
bft_service_unit_tests = tests/bft/test-bft-cart tests/bft/test-bft-keys
check_PROGRAMS += $(bft_service_unit_tests)
TESTS += $(bft_service_unit_tests)
tests_bft_test_bft_cart_SOURCES = tests/bft/test-bft-cart.c
tests_bft_test_bft_cart_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_bft_cart_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_bft_cart_LDADD = $(BFT_LIBS)
tests_bft_test_bft_keys_SOURCES = tests/bft/test-bft-keys.c
tests_bft_test_bft_keys_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
tests_bft_test_bft_keys_CFLAGS = $(BFT_TESTS_CFLAGS)
tests_bft_test_bft_keys_LDADD = tests/bft/libbft-cluster.la $(BFT_LIBS)
