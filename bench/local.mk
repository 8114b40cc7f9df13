# Rules of bench/ (included from the top Makefile.am).

# HTTP: Synod's server against Debian's nginx (wrk, loopback). Not part of check.
EXTRA_DIST += bench/bench-httpd.sh
bench-httpd: httpd/synod-httpd
	$(SHELL) $(top_srcdir)/bench/bench-httpd.sh $(abs_top_builddir)
.PHONY: bench-httpd
