#!/bin/sh
# The quick start over HTTPS with web users (SYNOD_SITE_TLS=1
# SYNOD_SITE_USERS=1): see test-bft-site-script.sh.
SYNOD_SITE_TLS=1 SYNOD_SITE_USERS=1 exec sh "$(dirname "$0")/test-bft-site-script.sh" "$@"
