# Test programs shared set-up. Each area's tests live in tests/AREA/ and are
# listed here; GTest binaries print TAP, run by tap-driver.sh.

TESTS_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
TESTS_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS)

check_PROGRAMS += tests/orb/test-object-id
TESTS += tests/orb/test-object-id
tests_orb_test_object_id_SOURCES = tests/orb/test-object-id.c
tests_orb_test_object_id_CFLAGS = $(TESTS_CFLAGS)
tests_orb_test_object_id_LDADD = $(TESTS_LDADD)
