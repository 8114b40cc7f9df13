# Tests of the broker (included from tests/local.mk).

check_PROGRAMS += tests/broker/test-broker
TESTS += tests/broker/test-broker
SYNOD_IDL_FILES += tests/broker/broker-test.idl
broker_test_generated = tests/broker/broker-test.c tests/broker/broker-test.h
broker_test_cflags = $(TESTS_CFLAGS) -I$(top_builddir)/tests/broker -I$(top_builddir)/idl

tests_broker_test_broker_SOURCES = \
	tests/broker/test-broker.c \
	tests/broker/test-counter.c \
	tests/broker/test-counter.h
nodist_tests_broker_test_broker_SOURCES = $(broker_test_generated)
tests_broker_test_broker_CFLAGS = $(broker_test_cflags)
tests_broker_test_broker_LDADD = $(TESTS_LDADD)

# Class plugins for test-plugin: one source, several builds.
check_PROGRAMS += tests/broker/test-plugin
TESTS += tests/broker/test-plugin
tests_broker_test_plugin_SOURCES = tests/broker/test-plugin.c
nodist_tests_broker_test_plugin_SOURCES = $(broker_test_generated)
tests_broker_test_plugin_CFLAGS = $(broker_test_cflags)
tests_broker_test_plugin_LDADD = $(TESTS_LDADD)
EXTRA_tests_broker_test_plugin_DEPENDENCIES = $(broker_test_plugins)

broker_test_plugins = \
	tests/broker/test-plugged-1.la \
	tests/broker/test-plugged-2.la \
	tests/broker/test-clash-1.la \
	tests/broker/test-noentry-1.la
check_LTLIBRARIES += $(broker_test_plugins)
broker_plugin_cflags = $(broker_test_cflags) -fvisibility=hidden
broker_plugin_ldflags = -module -avoid-version -rpath /nowhere -no-undefined
broker_plugin_sources = tests/broker/plugin-counter.c

tests_broker_test_plugged_1_la_SOURCES = $(broker_plugin_sources)
nodist_tests_broker_test_plugged_1_la_SOURCES = $(broker_test_generated)
tests_broker_test_plugged_1_la_CFLAGS = $(broker_plugin_cflags) -DPLUGIN_VERSION=1
tests_broker_test_plugged_1_la_LDFLAGS = $(broker_plugin_ldflags)
tests_broker_test_plugged_1_la_LIBADD = $(TESTS_LDADD)

tests_broker_test_plugged_2_la_SOURCES = $(broker_plugin_sources)
nodist_tests_broker_test_plugged_2_la_SOURCES = $(broker_test_generated)
tests_broker_test_plugged_2_la_CFLAGS = $(broker_plugin_cflags) -DPLUGIN_VERSION=2
tests_broker_test_plugged_2_la_LDFLAGS = $(broker_plugin_ldflags)
tests_broker_test_plugged_2_la_LIBADD = $(TESTS_LDADD)

tests_broker_test_clash_1_la_SOURCES = $(broker_plugin_sources)
nodist_tests_broker_test_clash_1_la_SOURCES = $(broker_test_generated)
tests_broker_test_clash_1_la_CFLAGS = $(broker_plugin_cflags) -DPLUGIN_VERSION=1
tests_broker_test_clash_1_la_LDFLAGS = $(broker_plugin_ldflags)
tests_broker_test_clash_1_la_LIBADD = $(TESTS_LDADD)

tests_broker_test_noentry_1_la_SOURCES = $(broker_plugin_sources)
nodist_tests_broker_test_noentry_1_la_SOURCES = $(broker_test_generated)
tests_broker_test_noentry_1_la_CFLAGS = $(broker_plugin_cflags) -DPLUGIN_VERSION=1 -DPLUGIN_NO_ENTRY
tests_broker_test_noentry_1_la_LDFLAGS = $(broker_plugin_ldflags)
tests_broker_test_noentry_1_la_LIBADD = $(TESTS_LDADD)

# Methods waiting for events other invocations signal.
check_PROGRAMS += tests/broker/test-call-wait
TESTS += tests/broker/test-call-wait
tests_broker_test_call_wait_SOURCES = tests/broker/test-call-wait.c
nodist_tests_broker_test_call_wait_SOURCES = $(broker_test_generated)
tests_broker_test_call_wait_CFLAGS = $(broker_test_cflags)
tests_broker_test_call_wait_LDADD = $(TESTS_LDADD)
