# Rules of bench/ (included from the top Makefile.am).

# The ONC RPC transport side by side with libtirpc: `make bench-rpc`.
noinst_PROGRAMS += bench/bench-rpc
bench_bench_rpc_SOURCES = bench/bench-rpc.c
bench_bench_rpc_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) -Wno-cast-function-type
bench_bench_rpc_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)
bench-rpc: bench/bench-rpc
	$(builddir)/bench/bench-rpc $(BENCH_SECONDS)
.PHONY: bench-rpc

# Local invocations through the broker, side by side with a bare GThreadPool
# and GDBus peer-to-peer: `make bench-invoke`.
noinst_PROGRAMS += bench/bench-invoke
bench_bench_invoke_SOURCES = bench/bench-invoke.c tests/broker/test-iface.c \
	tests/broker/test-iface.h
bench_bench_invoke_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
bench_bench_invoke_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)
bench-invoke: bench/bench-invoke
	$(builddir)/bench/bench-invoke $(BENCH_INVOKE_N)
.PHONY: bench-invoke
