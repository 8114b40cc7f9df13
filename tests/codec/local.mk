# Tests of codec (included from tests/local.mk).
#
# interop.x goes through rpcgen at build time; its routines are the reference
# the codec's bytes are compared with (tests) and timed against (bench/).

codec_rpcgen_built = tests/codec/interop.h tests/codec/interop_xdr.c
BUILT_SOURCES += tests/codec/interop.h
CLEANFILES += $(codec_rpcgen_built)
EXTRA_DIST += tests/codec/interop.x tests/codec/corpus

tests/codec/interop.h: $(srcdir)/tests/codec/interop.x
	$(AM_V_GEN)$(MKDIR_P) tests/codec && \
	$(RPCGEN) -h $(srcdir)/tests/codec/interop.x > $@-t && mv $@-t $@

# rpcgen names the header by the path it was given; the build tree has it
# next to the routines.
tests/codec/interop_xdr.c: $(srcdir)/tests/codec/interop.x tests/codec/interop.h
	$(AM_V_GEN)$(MKDIR_P) tests/codec && \
	$(RPCGEN) -c $(srcdir)/tests/codec/interop.x \
	  | $(SED) 's|^#include ".*interop\.h"|#include "interop.h"|' > $@-t && mv $@-t $@

# rpcgen's output is not ours to make warning-free.
check_LTLIBRARIES += tests/codec/librpcgen-interop.la
nodist_tests_codec_librpcgen_interop_la_SOURCES = $(codec_rpcgen_built)
tests_codec_librpcgen_interop_la_CPPFLAGS = -I$(top_builddir)/tests/codec
tests_codec_librpcgen_interop_la_CFLAGS = $(SYNOD_SAN_CFLAGS) $(TIRPC_CFLAGS) -w

# The same types for Synod, compiled by synod-idl from interop-types.idl,
# so the comparison with rpcgen covers the generated descriptors too; plus
# random values and byte comparison.
SYNOD_IDL_FILES += tests/codec/interop-types.idl
check_LTLIBRARIES += tests/codec/libcodec-test.la
tests_codec_libcodec_test_la_SOURCES = \
	tests/codec/codec-test-util.c \
	tests/codec/codec-test-util.h
nodist_tests_codec_libcodec_test_la_SOURCES = \
	tests/codec/interop-types.c \
	tests/codec/interop-types.h
tests_codec_libcodec_test_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/codec
tests_codec_libcodec_test_la_CFLAGS = $(TESTS_CFLAGS)

CODEC_TESTS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/codec -I$(top_srcdir)/tests/codec
CODEC_TESTS_LDADD = tests/codec/libcodec-test.la tests/codec/librpcgen-interop.la $(TESTS_LDADD) -lm

check_PROGRAMS += \
	tests/codec/test-codec \
	tests/codec/test-codec-interop \
	tests/codec/test-codec-variant \
	tests/codec/test-fuzz-xdr-decode
TESTS += \
	tests/codec/test-codec \
	tests/codec/test-codec-interop \
	tests/codec/test-codec-variant \
	tests/codec/test-fuzz-xdr-decode

tests_codec_test_codec_SOURCES = tests/codec/test-codec.c
tests_codec_test_codec_CPPFLAGS = $(CODEC_TESTS_CPPFLAGS)
tests_codec_test_codec_CFLAGS = $(TESTS_CFLAGS)
tests_codec_test_codec_LDADD = $(CODEC_TESTS_LDADD)

tests_codec_test_codec_interop_SOURCES = tests/codec/test-codec-interop.c
tests_codec_test_codec_interop_CPPFLAGS = $(CODEC_TESTS_CPPFLAGS)
tests_codec_test_codec_interop_CFLAGS = $(TESTS_CFLAGS)
tests_codec_test_codec_interop_LDADD = $(CODEC_TESTS_LDADD)

tests_codec_test_codec_variant_SOURCES = tests/codec/test-codec-variant.c
tests_codec_test_codec_variant_CPPFLAGS = $(CODEC_TESTS_CPPFLAGS)
tests_codec_test_codec_variant_CFLAGS = $(TESTS_CFLAGS)
tests_codec_test_codec_variant_LDADD = $(CODEC_TESTS_LDADD)

# The decoder's fuzz harness, run over the seed corpus (and seeded random
# inputs) as a plain test in every build...
tests_codec_test_fuzz_xdr_decode_SOURCES = \
	tests/codec/fuzz-xdr-decode.c \
	tests/codec/fuzz-xdr-decode.h \
	tests/codec/fuzz-replay.c
tests_codec_test_fuzz_xdr_decode_CPPFLAGS = $(CODEC_TESTS_CPPFLAGS)
tests_codec_test_fuzz_xdr_decode_CFLAGS = $(TESTS_CFLAGS)
tests_codec_test_fuzz_xdr_decode_LDADD = $(CODEC_TESTS_LDADD)

# ...and as a libFuzzer binary with --enable-fuzzing. The codec is compiled
# into it so that libFuzzer's coverage sees the decoder's branches.
if ENABLE_FUZZING
FUZZ_TARGETS += tests/codec/fuzz-xdr-decode
noinst_PROGRAMS += tests/codec/fuzz-xdr-decode
tests_codec_fuzz_xdr_decode_SOURCES = \
	tests/codec/fuzz-xdr-decode.c \
	tests/codec/fuzz-xdr-decode.h \
	$(orb_base_sources) \
	$(orb_codec_sources)
tests_codec_fuzz_xdr_decode_CPPFLAGS = $(CODEC_TESTS_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-orb\" \
	-DSYNOD_FUZZ_LIBFUZZER
tests_codec_fuzz_xdr_decode_CFLAGS = $(TESTS_CFLAGS) -fsanitize=fuzzer
tests_codec_fuzz_xdr_decode_LDFLAGS = -fsanitize=fuzzer
tests_codec_fuzz_xdr_decode_LDADD = tests/codec/libcodec-test.la $(GLIB_LIBS) $(TIRPC_LIBS) $(LTLIBINTL) -lm
endif
