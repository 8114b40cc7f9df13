# Tests of codec (included from tests/local.mk).
