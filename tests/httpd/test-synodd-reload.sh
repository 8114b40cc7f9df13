#!/bin/sh
# SIGHUP to synodd (systemctl reload synodd@NAME) makes the HTTPS sites of
# its configuration read their certificate and key again: a new connection
# gets the renewed certificate, a broken file keeps the last good one, and
# the peer keeps running through both. Prints TAP.
set -u
build=${SYNOD_TOP_BUILDDIR:-.}
synodd=$build/services/synodd
classes=$(cd "$build/httpd/.libs" 2>/dev/null && pwd)
# The log is read for English words.
export LC_ALL=C LANGUAGE=
echo "1..1"
command -v openssl >/dev/null 2>&1 || { echo "ok 1 # SKIP openssl is not installed"; exit 0; }
[ -n "$classes" ] && [ -e "$classes/standard-httpdaemon-1.so" ] ||
  { echo "Bail out! the HTTP classes are not built"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/synod-reload.XXXXXX") || exit 1
pid=""
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
fail() {
  echo "# $*"
  [ -f "$work/log" ] && tail -n 20 "$work/log" | sed 's/^/# | /'
  echo "not ok 1 - SIGHUP reloads synodd's HTTPS certificates"
  exit 1
}

# A CA and a certificate for 127.0.0.1, then the same signed again.
cd "$work" || exit 1
mkdir site && echo hello > site/hello.txt
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 2 -subj "/CN=Synod reload test CA" 2>/dev/null || fail "openssl: the CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out server.csr \
  -subj /CN=127.0.0.1 2>/dev/null || fail "openssl: the key"
sign() {
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1" -days 2 \
    -extfile ext.cnf 2>/dev/null || fail "openssl: signing"
}
sign cert.pem
sign renewed.pem
# The serial of the certificate a new connection gets, verified against the CA.
serial() {
  openssl s_client -connect "127.0.0.1:$port" -CAfile ca.pem -verify_return_error </dev/null \
    2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}

# A free port below the ephemeral range; another try if it was taken.
attempt=0
while :; do
  attempt=$((attempt + 1))
  port=$(( 20000 + ($$ * 13 + attempt * 197) % 12000 ))
  cat > peer.conf <<CONF
[synodd]
listen=127.0.0.1:0
discovery=false
rpcbind=false
class-path=$classes

[object www]
class=Standard.HTTPdaemon;1
params={'listen': <'127.0.0.1:$port'>, 'root': <'$work/site'>, 'tls-cert': <'$work/cert.pem'>, 'tls-key': <'$work/key.pem'>}
CONF
  rm -f ready
  "$synodd" --config peer.conf --state-dir "$work/state" --ready-fd 3 3>ready >log 2>&1 &
  pid=$!
  t=0
  while [ ! -s ready ] && kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do
    sleep 0.1; t=$((t + 1))
  done
  grep -q '^READY ' ready && break
  wait "$pid" 2>/dev/null
  pid=""
  [ $attempt -lt 5 ] && grep -qi "in use" log && continue
  fail "synodd did not start"
done

first=$(serial)
[ -n "$first" ] || fail "no certificate from the site"
cp renewed.pem cert.pem
kill -HUP "$pid"
t=0
now=$first
while [ "$now" = "$first" ] && [ $t -lt 50 ]; do
  sleep 0.1; t=$((t + 1))
  now=$(serial)
done
[ -n "$now" ] && [ "$now" != "$first" ] || fail "after SIGHUP the site still gives $first (now: $now)"
kill -0 "$pid" 2>/dev/null || fail "synodd ended on SIGHUP"
grep -q "certificate and key read again" log || fail "the log does not say the certificate was read again"

echo "not a certificate" > cert.pem
kill -HUP "$pid"
t=0
until grep -q "kept its certificate" log || [ $t -ge 50 ]; do sleep 0.1; t=$((t + 1)); done
grep -q "kept its certificate" log || fail "a failed reload is not logged"
[ "$(serial)" = "$now" ] || fail "a broken file changed the certificate"
kill -0 "$pid" 2>/dev/null || fail "synodd ended on a failed reload"
kill -TERM "$pid"
wait "$pid"
status=$?
pid=""
[ $status -eq 0 ] || fail "synodd exited with $status"
echo "ok 1 - SIGHUP reloads synodd's HTTPS certificates"
