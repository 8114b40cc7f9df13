#!/bin/sh
# The quick start over HTTPS (SYNOD_SITE_TLS=1): see test-bft-site-script.sh.
SYNOD_SITE_TLS=1 exec sh "$(dirname "$0")/test-bft-site-script.sh" "$@"
