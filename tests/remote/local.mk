# Tests of remote (included from tests/local.mk).
