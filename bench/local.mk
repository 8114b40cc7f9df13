# Rules of bench/ (included from the top Makefile.am).

# The XDR codec against rpcgen's routines for the same message (the types
# of tests/codec/interop.x). Not part of `make check`: `make bench-xdr`.
noinst_PROGRAMS += bench/bench-xdr
bench_bench_xdr_SOURCES = bench/bench-xdr.c
bench_bench_xdr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/codec -I$(top_srcdir)/tests/codec
bench_bench_xdr_CFLAGS = $(TESTS_CFLAGS)
bench_bench_xdr_LDADD = tests/codec/libcodec-test.la tests/codec/librpcgen-interop.la $(TESTS_LDADD) -lm
EXTRA_DIST += bench/RESULTS.md

BENCH_XDR_ARGS ?= 2000 7
bench-xdr: bench/bench-xdr$(EXEEXT)
	$(AM_V_at)./bench/bench-xdr $(BENCH_XDR_ARGS)

# Instruction counts (repeatable where wall time is not): the inclusive
# cost of run_synod and run_rpcgen in one callgrind run.
bench-xdr-callgrind: bench/bench-xdr$(EXEEXT)
	$(AM_V_at)$(LIBTOOL) --mode=execute valgrind --tool=callgrind \
	  --callgrind-out-file=bench-xdr.callgrind ./bench/bench-xdr 200 1 >/dev/null
	$(AM_V_at)callgrind_annotate --inclusive=yes --threshold=100 bench-xdr.callgrind 2>/dev/null \
	  | $(AWK) '/\[/ && match($$0, /:run_[a-z_]+/) { n = substr($$0, RSTART + 1, RLENGTH - 1); \
	      gsub(/,/, "", $$1); ir[n] = $$1 / 200; \
	      printf "%-20s %10.0f instructions/message\n", n, ir[n] } \
	    END { printf "ratio synod/rpcgen: encode+decode %.2f, encode %.2f, decode %.2f\n", \
	      ir["run_synod"] / ir["run_rpcgen"], ir["run_synod_encode"] / ir["run_rpcgen_encode"], \
	      ir["run_synod_decode"] / ir["run_rpcgen_decode"] }'
CLEANFILES += bench-xdr.callgrind
.PHONY: bench-xdr bench-xdr-callgrind

# The ONC RPC transport side by side with libtirpc: `make bench-rpc`.
noinst_PROGRAMS += bench/bench-rpc
bench_bench_rpc_SOURCES = bench/bench-rpc.c bench/bench-tirpc.c bench/bench-tirpc.h
bench_bench_rpc_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) -Wno-cast-function-type
bench_bench_rpc_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)
bench-rpc: bench/bench-rpc
	$(builddir)/bench/bench-rpc $(BENCH_SECONDS)
.PHONY: bench-rpc

# The PBFT core (4 in-process replicas, no network delay) against the same
# workload on the state variable alone: `make bench-pbft`.
noinst_PROGRAMS += bench/bench-pbft
bench_bench_pbft_SOURCES = bench/bench-pbft.c
bench_bench_pbft_CPPFLAGS = $(BFT_CPPFLAGS)
bench_bench_pbft_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) $(LMDB_CFLAGS)
bench_bench_pbft_LDADD = $(BFT_LIBS)
BENCH_PBFT_ARGS ?= 20000
bench-pbft: bench/bench-pbft$(EXEEXT)
	$(AM_V_at)./bench/bench-pbft $(BENCH_PBFT_ARGS)
.PHONY: bench-pbft

# Local invocations through the broker, side by side with a bare GThreadPool
# and GDBus peer-to-peer: `make bench-invoke`.
noinst_PROGRAMS += bench/bench-invoke
bench_bench_invoke_SOURCES = bench/bench-invoke.c
nodist_bench_bench_invoke_SOURCES = $(broker_test_generated)
bench_bench_invoke_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) \
	-I$(top_builddir)/tests/broker -I$(top_builddir)/idl
bench_bench_invoke_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)
bench-invoke: bench/bench-invoke
	$(builddir)/bench/bench-invoke $(BENCH_INVOKE_N)
.PHONY: bench-invoke

# HTTP: Synod's server against Debian's nginx (wrk, loopback). Not part of check.
EXTRA_DIST += bench/bench-httpd.sh
bench-httpd: httpd/synod-httpd bench/bench-http-peer
	$(SHELL) $(top_srcdir)/bench/bench-httpd.sh $(abs_top_builddir)
.PHONY: bench-httpd

# What a web login costs per request (HTTPS, Basic, the verification cache),
# beside nginx's auth_basic. Not part of check.
EXTRA_DIST += bench/bench-httpd-auth.sh
bench-httpd-auth: httpd/synod-httpd
	$(SHELL) $(top_srcdir)/bench/bench-httpd-auth.sh $(abs_top_builddir)
.PHONY: bench-httpd-auth

# A remote invocation through the whole Synod path (stub, broker, network,
# the other peer's broker, the method, back) side by side with plain
# libtirpc doing the same call: `make bench-remote`.
noinst_PROGRAMS += bench/bench-remote
bench_bench_remote_SOURCES = bench/bench-remote.c bench/bench-tirpc.c bench/bench-tirpc.h \
	tests/common/synod-test-certs.c tests/common/synod-test-certs.h
nodist_bench_bench_remote_SOURCES = $(cluster_test_generated)
bench_bench_remote_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) \
	-Wno-cast-function-type -I$(top_builddir)/tests/remote -I$(top_builddir)/idl \
	-I$(top_srcdir)/tests/common
bench_bench_remote_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(OPENSSL_LIBS)
BENCH_REMOTE_ARGS ?= 3 5
bench-remote: bench/bench-remote
	$(builddir)/bench/bench-remote $(BENCH_REMOTE_ARGS)
.PHONY: bench-remote

# The objects of the HTTP benchmark: a site with a local handler object, a
# peer holding a handler object, and the cost of an object per connection.
noinst_PROGRAMS += bench/bench-http-peer
bench_bench_http_peer_SOURCES = bench/bench-http-peer.c
bench_bench_http_peer_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/httpd -I$(top_builddir)/idl
bench_bench_http_peer_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
bench_bench_http_peer_LDADD = httpd/libsynod-httpd.la orb/libsynod-1.la $(GLIB_LIBS) $(ZLIB_LIBS)

# A BFT service on four synodd daemons against the same state variable
# served unreplicated by a fifth, all over loopback: `make bench-bft-service`.
noinst_PROGRAMS += bench/bench-bft-service
bench_bench_bft_service_SOURCES = bench/bench-bft-service.c bench/bench-bft-common.c \
	bench/bench-bft-common.h
bench_bench_bft_service_CPPFLAGS = $(BFT_TESTS_CPPFLAGS)
bench_bench_bft_service_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) \
	$(LMDB_CFLAGS)
bench_bench_bft_service_LDADD = tests/bft/libbft-cluster.la $(BFT_LIBS)
BENCH_BFT_SERVICE_ARGS ?=
bench-bft-service: bench/bench-bft-service$(EXEEXT) bft/synod-bft.la services/synodd$(EXEEXT)
	$(AM_V_at)./bench/bench-bft-service $(BENCH_BFT_SERVICE_ARGS)
.PHONY: bench-bft-service
