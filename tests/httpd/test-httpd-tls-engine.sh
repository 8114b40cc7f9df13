#!/bin/sh
# The HTTPS tests again, against synod-httpd --engine-only (the engine's
# C modules without the broker objects).
SYNOD_HTTPD_ENGINE_ONLY=1
export SYNOD_HTTPD_ENGINE_ONLY
exec "${SYNOD_TOP_BUILDDIR:-.}/tests/httpd/test-httpd-tls" "$@"
