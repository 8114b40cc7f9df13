#!/bin/sh
# The quick start (data/bft-site.sh, what `./dev.sh demo` runs): it starts
# four replicas with the shop on four ports, the pages and the API answer
# with proofs, a replica killed with SIGKILL leaves the shop working at the
# others, and SIGTERM to the script stops every daemon. Prints TAP.
# With SYNOD_SITE_TLS=1 (test-bft-site-script-tls.sh) the same over HTTPS:
# the script's own CA, curl trusting only it, the sites listed as https,
# and plain http refused on the sites' ports. With SYNOD_SITE_USERS=1 as
# well (test-bft-site-script-users.sh) the sites ask for a login: the same
# as alice, and alice's cart follows her to another site and client id,
# bob's is his own, and her order is not his to read.
set -u
top=${SYNOD_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SYNOD_TOP_BUILDDIR:-.}

tls=${SYNOD_SITE_TLS:-0}
web_users=${SYNOD_SITE_USERS:-0}
name=data/bft-site.sh
[ "$tls" = 1 ] && name="data/bft-site.sh over HTTPS"
[ "$web_users" = 1 ] && name="$name with web users"
echo "1..1"
if ! command -v curl >/dev/null 2>&1; then
  echo "ok 1 # SKIP curl is not installed"
  exit 0
fi
if [ "$tls" = 1 ] && ! command -v openssl >/dev/null 2>&1; then
  echo "ok 1 # SKIP openssl is not installed"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/synod-site-test.XXXXXX")
scheme=http
if [ "$tls" = 1 ]; then
  scheme=https
  # The script's CA goes here; curl trusts it and nothing else.
  export SYNOD_SITE_TLS=1 SYNOD_SITE_TLS_DIR="$work/ca" CURL_CA_BUNDLE="$work/ca/ca.pem"
fi
out=$work/out
pid=""
fail() {
  echo "# $*"
  sed 's/^/# | /' "$out" 2>/dev/null | tail -n 40
  for f in "$work"/site/replica-*.log; do
    [ -f "$f" ] && { echo "# $f:"; tail -n 10 "$f" | sed 's/^/# | /'; }
  done
  echo "not ok 1 - $name"
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  sleep 2
  rm -rf "$work"
  exit 1
}

# curl with the arguments after the first two; fails saying $2 unless the
# answer's body matches the case pattern $1.
expect_body() {
  pattern=$1 what=$2
  shift 2
  body=$(curl -s --max-time 30 "$@")
  # shellcheck disable=SC2254
  case $body in
    $pattern) ;;
    *) fail "$what: $body" ;;
  esac
}

# Four free web ports and four free broker ports, away from the defaults
# and below the kernel's ephemeral range (32768 and up), so that no
# outgoing connection takes one between the check and the daemons' bind.
attempt=0
while :; do
  attempt=$((attempt + 1))
  base=$(( 20000 + ($$ * 7 + attempt * 131) % 12000 ))
  rm -rf "$work/site"
  SITE_PORT=$base PEER_PORT=$((base + 10)) SYNOD_SITE_DIR=$work/site SYNOD_SITE_WAIT=60 \
    "$top/data/bft-site.sh" "$build" >"$out" 2>&1 &
  pid=$!
  t=0
  until grep -q "The shop is open\|in use\|bft-site:" "$out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || break
    [ $t -lt 900 ] || fail "no readiness within 90 s"
    sleep 0.1; t=$((t + 1))
  done
  if grep -q "is in use\|exited" "$out" && [ $attempt -lt 5 ]; then
    wait "$pid" 2>/dev/null
    continue
  fi
  break
done
grep -q "The shop is open" "$out" || fail "the shop did not open"

site=$scheme://127.0.0.1
if [ "$web_users" = 1 ]; then
  alice=$(sed -n 's/^ *alice, password \([0-9a-f]*\)$/\1/p' "$out")
  bob=$(sed -n 's/^ *bob, password \([0-9a-f]*\)$/\1/p' "$out")
  [ -n "$alice" ] && [ -n "$bob" ] || fail "the script does not print the users' passwords"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$site:$base/cart/api/items")
  [ "$code" = 401 ] || fail "a request without a login got $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "alice:$bob" "$site:$base/")
  [ "$code" = 401 ] || fail "alice with bob's password got $code"
  # Every request below is alice's (curl reads its options from CURL_HOME/.curlrc).
  mkdir -p "$work/curl"
  printf 'user = "alice:%s"\n' "$alice" > "$work/curl/.curlrc"
  export CURL_HOME="$work/curl"
  honey='*"user":"web:alice"*"item":"honey"*'
  expect_body "$honey" "alice's add" -H 'Synod-Client: 00000000000a11ce' \
    -H "Synod-Request: $(date +%s)" -H 'Content-Type: application/json' -d '{"item": "honey"}' \
    "$site:$base/cart/api/add"
  expect_body "$honey" "alice's cart at another site with another client id" \
    -H 'Synod-Client: 0000000000000b0b' "$site:$((base + 3))/cart/api/cart"
  body=$(curl -s --max-time 30 -H 'Synod-Client: 00000000000a11ce' -H "Synod-Request: $(($(date +%s) + 1))" \
    -X POST "$site:$((base + 1))/cart/api/checkout")
  order=$(printf '%s' "$body" | sed -n 's/.*"order":{"number":"\([^"]*\)".*/\1/p')
  [ -n "$order" ] || fail "alice's checkout: $body"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$site:$((base + 2))/cart/api/order/$order")
  [ "$code" = 200 ] || fail "alice reading her order got $code"
  expect_body '*"user":"web:bob","lines":\[\]*' "bob's cart" -u "bob:$bob" \
    "$site:$((base + 2))/cart/api/cart"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -u "bob:$bob" "$site:$((base + 2))/cart/api/order/$order")
  [ "$code" = 404 ] || fail "bob reading alice's order got $code"
fi
if [ "$tls" = 1 ]; then
  [ -s "$work/ca/ca.pem" ] || fail "no CA file"
  grep -q "CA file: $work/ca/ca.pem" "$out" || fail "the script does not print the CA file"
  info=$(curl -s --max-time 20 "$site:$((base + 2))/cart/api/service")
  case $info in
    *"\"https://127.0.0.1:$base\""*"\"https://127.0.0.1:$((base + 3))\""*) ;;
    *) fail "the service does not list the https sites: $info" ;;
  esac
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$base/")
  [ "$code" = 000 ] || fail "plain http on the https port answered $code"
fi
code=$(curl -s -o "$work/index" -w '%{http_code}' --max-time 10 "$site:$base/")
[ "$code" = 200 ] && grep -q synod-proof.js "$work/index" || fail "the shop's page: $code"
proof=$(curl -s -D - -o /dev/null --max-time 20 "$site:$((base + 3))/cart/api/items" | tr -d '\r' |
  sed -n 's/^[Ss]ynod-[Pp]roof: //p')
[ -n "$proof" ] || fail "no Synod-Proof on the catalog"
code=$(curl -s -o "$work/page" -w '%{http_code}' --max-time 20 "$site:$((base + 1))/cart/")
[ "$code" = 200 ] && grep -q 'name="n"' "$work/page" || fail "the page without JavaScript: $code"

# Kill replica 2 as the script says, and shop at replica 1's site.
victim=$(sed -n 's/^ *kill -9 \([0-9]*\) *# replica 2 stops.*/\1/p' "$out")
[ -n "$victim" ] || fail "the script does not say how to kill replica 2"
kill -KILL "$victim" || fail "kill -9 $victim"
number=$(date +%s)000000
expect_body '*"status":"ok"*"quantity":2*' "add after the kill" -H 'Synod-Client: 0000000012345678' \
  -H "Synod-Request: $number" -H 'Content-Type: application/json' \
  -d '{"item": "tea", "quantity": 2}' "$site:$((base + 1))/cart/api/add"
expect_body '*"item":"tea","quantity":2*' "the cart at replica 3" \
  -H 'Synod-Client: 0000000012345678' "$site:$((base + 3))/cart/api/cart"

# SIGTERM to the script stops every daemon it started.
pids=$(sed -n 's/^ *replica [0-9]: pid \([0-9]*\),.*/\1/p' "$out")
kill -TERM "$pid"
t=0
while kill -0 "$pid" 2>/dev/null; do
  [ $t -lt 150 ] || fail "the script did not stop within 15 s"
  sleep 0.1; t=$((t + 1))
done
for p in $pids; do
  kill -0 "$p" 2>/dev/null && fail "synodd $p still runs after the script stopped"
done
pid=""
rm -rf "$work"
echo "ok 1 - $name"
