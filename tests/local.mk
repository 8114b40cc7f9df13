# Test programs' shared set-up. Each area keeps its tests in tests/AREA/ with
# a fragment of its own; GTest binaries print TAP, run by tap-driver.sh.

TESTS_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
TESTS_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)

check_PROGRAMS += tests/orb/test-object-id
TESTS += tests/orb/test-object-id
tests_orb_test_object_id_SOURCES = tests/orb/test-object-id.c
tests_orb_test_object_id_CFLAGS = $(TESTS_CFLAGS)
tests_orb_test_object_id_LDADD = $(TESTS_LDADD)

include $(top_srcdir)/tests/idl/local.mk
include $(top_srcdir)/tests/codec/local.mk
include $(top_srcdir)/tests/broker/local.mk
include $(top_srcdir)/tests/remote/local.mk
include $(top_srcdir)/tests/httpd/local.mk
include $(top_srcdir)/tests/bft/local.mk
include $(top_srcdir)/tests/bft/http.mk
include $(top_srcdir)/tests/i18n/local.mk
