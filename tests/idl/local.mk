# Tests of idl (included from tests/local.mk).
