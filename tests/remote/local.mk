# Tests of remote invocation (included from tests/local.mk).

check_PROGRAMS += tests/remote/test-rpc
TESTS += tests/remote/test-rpc
tests_remote_test_rpc_SOURCES = tests/remote/test-rpc.c
tests_remote_test_rpc_CFLAGS = $(TESTS_CFLAGS)
tests_remote_test_rpc_LDADD = $(TESTS_LDADD)
