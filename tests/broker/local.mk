# Tests of broker (included from tests/local.mk).
