#!/bin/sh
# The raw-request tests again, against synod-httpd --engine-only (the
# engine's C modules without the broker objects), so that both ways of
# building a site keep behaving the same.
SYNOD_HTTPD_ENGINE_ONLY=1
export SYNOD_HTTPD_ENGINE_ONLY
exec "${SYNOD_TOP_BUILDDIR:-.}/tests/httpd/test-httpd-raw" "$@"
