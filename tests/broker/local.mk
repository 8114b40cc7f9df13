# Tests of the broker (included from tests/local.mk).

check_PROGRAMS += tests/broker/test-broker
TESTS += tests/broker/test-broker
tests_broker_test_broker_SOURCES = \
	tests/broker/test-broker.c \
	tests/broker/test-counter.c \
	tests/broker/test-counter.h \
	tests/broker/test-iface.c \
	tests/broker/test-iface.h \
	tests/broker/codec-interim.c
tests_broker_test_broker_CFLAGS = $(TESTS_CFLAGS)
tests_broker_test_broker_LDADD = $(TESTS_LDADD)
