# Tests of httpd (included from tests/local.mk).
