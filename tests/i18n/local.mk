# Tests of the translations (included from tests/local.mk).
#
# test-po.sh checks every po/*.po: msgfmt --check passes, nothing is fuzzy or
# untranslated, and its messages are those of the sources' current template.
# test-i18n.sh runs the programs in German, reading the built catalogs
# through a preloaded shim (localedir-shim.c) since an uninstalled build's
# programs look in the configured LOCALEDIR.

check_LTLIBRARIES += tests/i18n/libsynod-test-localedir.la
tests_i18n_libsynod_test_localedir_la_SOURCES = tests/i18n/localedir-shim.c
# No sanitizer flags: the shim is preloaded into /bin/sh (libtool's wrapper
# scripts) as well, which has no sanitizer runtime.
tests_i18n_libsynod_test_localedir_la_CFLAGS = $(SYNOD_WARN_CFLAGS)
tests_i18n_libsynod_test_localedir_la_LDFLAGS = -module -avoid-version -rpath /nowhere -no-undefined

dist_check_SCRIPTS += tests/i18n/test-i18n.sh tests/i18n/test-po.sh
TESTS += tests/i18n/test-i18n.sh tests/i18n/test-po.sh

# A program that binds no domain: libsynod's messages must still translate.
check_PROGRAMS += tests/i18n/synod-test-library-domain
tests_i18n_synod_test_library_domain_SOURCES = tests/i18n/synod-test-library-domain.c
tests_i18n_synod_test_library_domain_CFLAGS = $(TESTS_CFLAGS)
tests_i18n_synod_test_library_domain_LDADD = $(TESTS_LDADD)
