# Tests of bft (included from tests/local.mk).
