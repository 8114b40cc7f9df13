# Rules of bench/ (included from the top Makefile.am).

# The ONC RPC transport side by side with libtirpc: `make bench-rpc`.
noinst_PROGRAMS += bench/bench-rpc
bench_bench_rpc_SOURCES = bench/bench-rpc.c
bench_bench_rpc_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) -Wno-cast-function-type
bench_bench_rpc_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)
bench-rpc: bench/bench-rpc
	$(builddir)/bench/bench-rpc $(BENCH_SECONDS)
.PHONY: bench-rpc
