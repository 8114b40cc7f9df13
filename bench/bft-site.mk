# The BFT shop's add-to-cart over HTTP, four replicas' sites against the
# same site over one Unreplicated service, all over loopback (included from
# the top Makefile.am): `make bench-bft-site`.
noinst_PROGRAMS += bench/bench-bft-site
bench_bench_bft_site_SOURCES = bench/bench-bft-site.c bench/bench-bft-common.c \
	bench/bench-bft-common.h
bench_bench_bft_site_CPPFLAGS = $(BFT_HTTP_TESTS_CPPFLAGS) \
	-DSYNOD_TEST_BUILDDIR=\"$(abs_top_builddir)\" -DSYNOD_TEST_SRCDIR=\"$(abs_top_srcdir)\"
bench_bench_bft_site_CFLAGS = $(BFT_HTTP_TESTS_CFLAGS)
bench_bench_bft_site_LDADD = tests/bft/libbft-cluster.la $(BFT_HTTP_LIBS)
BENCH_BFT_SITE_ARGS ?=
bench-bft-site: bench/bench-bft-site$(EXEEXT) bft/synod-bft.la services/synodd$(EXEEXT) \
		httpd/standard-httpdaemon-1.la
	$(AM_V_at)./bench/bench-bft-site $(BENCH_BFT_SITE_ARGS)
.PHONY: bench-bft-site
