#!/bin/sh
# The quick start: a shopping-cart web site served by four synodd replicas
# of one BFT service (f = 1) on 127.0.0.1, for a plain web browser.
#
#   data/bft-site.sh [BUILD_DIR]        (./dev.sh demo builds, then runs this)
#
# It provisions the service's keys (synod-bft-keygen), writes one synodd
# configuration per replica (a ReplicaServer, a Coordinator, the HTTPcart
# adapter at /cart/ and an HTTPdaemon serving data/site/), starts the four
# daemons with static peers (no mDNS), waits until the service answers,
# prints the URLs and how to kill a replica, and stops everything on Ctrl-C.
#
# Environment: SITE_PORT (first web port, default 8080: replicas on
# 8080-8083), PEER_PORT (first broker port, default 8270), SYNOD_SITE_DIR
# (where keys, configurations, stores and logs go; default a new directory
# under /tmp, removed at the end unless SYNOD_SITE_KEEP=1), SYNOD_SITE_WAIT
# (seconds to wait for readiness, default 60), SYNOD_SITE_ONCE=1 (start,
# check and stop: what the quick start's test does).
#
# HTTPS (opt-in, for a browser on another machine of the LAN: WebCrypto,
# which checks the proofs, needs a secure context, and only a page from
# localhost is one over plain http): SYNOD_SITE_TLS=1 makes, with the
# openssl command, a certificate authority of its own (kept and reused in
# SYNOD_SITE_TLS_DIR, default ~/.local/share/synod/site-tls) and a server
# certificate for this host's name, localhost, 127.0.0.1 and the host's
# addresses, serves the four sites over https only, and prints the CA file
# to import into the browser. SYNOD_SITE_LISTEN (default 127.0.0.1; 0.0.0.0
# for the LAN) is the address the sites listen on, SYNOD_SITE_HOST (default
# the listening address, or the host's name when listening on all) the
# name in the sites' URLs.
#
# Web users (opt-in, with SYNOD_SITE_TLS=1): SYNOD_SITE_USERS=1 makes two
# users, alice and bob, with fresh random passwords (printed; the hashes,
# made with openssl passwd -6, go to the sites' user file). The sites then
# ask for a login (HTTP Basic, over HTTPS only), and a signed-in user's cart
# is that user's at every replica's site and in every browser.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build}" && pwd)
site_port=${SITE_PORT:-8080}
peer_port=${PEER_PORT:-8270}
wait_s=${SYNOD_SITE_WAIT:-60}
n=4
tls=${SYNOD_SITE_TLS:-0}
web_users=${SYNOD_SITE_USERS:-0}
listen=${SYNOD_SITE_LISTEN:-127.0.0.1}
case $listen in
  0.0.0.0 | ::) host_default=$(hostname 2>/dev/null || echo 127.0.0.1); check_host=127.0.0.1 ;;
  *) host_default=$listen; check_host=$listen ;;
esac
host=${SYNOD_SITE_HOST:-$host_default}
scheme=http
[ "$tls" = 1 ] && scheme=https
synodd=$build/services/synodd
keygen=$build/bft/synod-bft-keygen
plugin=$build/bft/.libs/synod-bft.so
classes=$build/httpd/.libs

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
die() { echo "bft-site: $*" >&2; exit 1; }

for f in "$synodd" "$keygen" "$plugin" "$classes/standard-httpdaemon-1.so"; do
  [ -e "$f" ] || die "$f is missing: build first (./dev.sh build)"
done
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"
if [ "$tls" = 1 ]; then
  command -v openssl >/dev/null 2>&1 || die "SYNOD_SITE_TLS=1 needs openssl (apt-get install openssl)"
fi
if [ "$web_users" = 1 ] && [ "$tls" != 1 ]; then
  die "SYNOD_SITE_USERS=1 needs SYNOD_SITE_TLS=1: the sites take passwords over HTTPS only"
fi

# A port is free when nothing accepts on it.
port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null || [ $? -ne 7 ]; }
i=0
while [ $i -lt $n ]; do
  for p in $((site_port + i)) $((peer_port + i)); do
    if port_busy $p; then
      die "127.0.0.1:$p is in use: set SITE_PORT/PEER_PORT to free ports"
    fi
  done
  i=$((i + 1))
done

if [ -n "${SYNOD_SITE_DIR:-}" ]; then
  work=$SYNOD_SITE_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/synod-site.XXXXXX")
fi
pids=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$pids" ]; then
    echo
    bold "Stopping the replicas"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    t=0
    while [ $t -lt 50 ]; do
      alive=""
      for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.1; t=$((t + 1))
    done
    # shellcheck disable=SC2086
    [ -n "$alive" ] && kill -KILL $alive 2>/dev/null || true
  fi
  if [ "${SYNOD_SITE_KEEP:-0}" = 1 ] || [ -n "${SYNOD_SITE_DIR:-}" ]; then
    echo "Kept $work (keys, configurations, stores, logs)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# HTTPS: a CA of this machine (made once and reused: the browser imports
# it once) and a server certificate for the names and addresses of this host.
is_ip4() { case $1 in *[!0-9.]* | '') return 1 ;; *) return 0 ;; esac; }
make_tls() {
  tls_dir=${SYNOD_SITE_TLS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/synod/site-tls}
  mkdir -p "$tls_dir"
  chmod 700 "$tls_dir"
  ca=$tls_dir/ca.pem
  if [ ! -s "$ca" ] || [ ! -s "$tls_dir/ca.key" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
      -keyout "$tls_dir/ca.key" -out "$ca" \
      -subj "/CN=Synod shop CA ($(hostname 2>/dev/null || echo host))" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      2>/dev/null || die "openssl could not make the CA in $tls_dir"
    chmod 600 "$tls_dir/ca.key"
  fi
  sans="DNS:localhost,IP:127.0.0.1"
  names="$host $check_host $(hostname 2>/dev/null || true) $(hostname -f 2>/dev/null || true)"
  names="$names $(hostname -I 2>/dev/null || true)"
  for a in $names; do
    case ",$sans," in *",DNS:$a,"* | *",IP:$a,"*) continue ;; esac
    case $a in
      *:*) sans="$sans,IP:$a" ;;
      *) if is_ip4 "$a"; then sans="$sans,IP:$a"; else sans="$sans,DNS:$a"; fi ;;
    esac
  done
  mkdir -p "$work/tls"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$sans" >"$work/tls/ext.cnf"
  if ! openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls/key.pem" \
      -out "$work/tls/server.csr" -subj "/CN=$host" 2>/dev/null ||
    ! openssl x509 -req -in "$work/tls/server.csr" -CA "$ca" -CAkey "$tls_dir/ca.key" \
      -CAcreateserial -CAserial "$work/tls/ca.srl" -days 365 -extfile "$work/tls/ext.cnf" \
      -out "$work/tls/cert.pem" 2>/dev/null; then
    die "openssl could not make the server certificate"
  fi
  chmod 600 "$work/tls/key.pem"
  echo "    CA $ca; server certificate for $sans"
}
curl_tls=""
tls_params=""
if [ "$tls" = 1 ]; then
  bold "0. HTTPS certificates"
  make_tls
  curl_tls="--cacert $ca"
  tls_params=", 'tls-cert': <'$work/tls/cert.pem'>, 'tls-key': <'$work/tls/key.pem'>"
fi

curl_auth=""
users_params=""
if [ "$web_users" = 1 ]; then
  bold "0. Web users"
  : > "$work/users"
  chmod 600 "$work/users"
  for u in alice bob; do
    pw=$(openssl rand -hex 8)
    printf '%s:%s\n' "$u" "$(openssl passwd -6 "$pw")" >> "$work/users"
    eval "password_$u=\$pw"
    echo "    $u, password $pw"
  done
  curl_auth="-u alice:$password_alice"
  users_params=", 'users': <'$work/users'>, 'realm': <'Synod shop'>"
fi

bold "1. Keys of the service \"shop\": 4 replicas (f = 1), one coordinator per replica"
"$keygen" --service shop --replicas $n --out "$work/keys" | sed 's/^/    /'
# What the page shows as the keys' fingerprint: SHA-256 of the replicas'
# raw public keys in order, first 16 hex digits.
fingerprint=$(sed -n 's/^ *"\([A-Za-z0-9+/=]\{44\}\)",\{0,1\}$/\1/p' "$work/keys/public/service.json" |
  while read -r k; do printf '%s' "$k" | base64 -d; done | sha256sum | cut -c1-16)

sites=""
i=0
while [ $i -lt $n ]; do
  sites="$sites${sites:+, }'$scheme://$host:$((site_port + i))'"
  i=$((i + 1))
done

bold "2. One synodd configuration per replica (in $work)"
i=0
while [ $i -lt $n ]; do
  peers=""
  j=0
  while [ $j -lt $n ]; do
    [ $j -ne $i ] && peers="$peers${peers:+;}127.0.0.1:$((peer_port + j))"
    j=$((j + 1))
  done
  cat > "$work/replica-$i.conf" <<EOF
[synodd]
listen=127.0.0.1:$((peer_port + i))
peers=$peers
cluster=synod-shop-demo
discovery=false
rpcbind=false
state-dir=$work/state-$i
class-path=$classes
plugins=$plugin

[object replica]
class=Synod.Bft.ReplicaServer;1
params={'replica': <uint32 $i>, 'keys': <'$work/keys/replica-$i'>, 'state-variable': <'Synod.ShoppingCart'>, 'view-change-timeout-ms': <uint32 1000>}

[object coordinator]
class=Synod.Bft.Coordinator;1
params={'keys': <'$work/keys/client-$i'>, 'request-timeout-ms': <uint32 8000>}

[object cart]
class=Synod.Bft.HTTPcart;1
params={'service': <'shop'>, 'replica': <uint32 $i>, 'catalog': <'$top/data/site/catalog.txt'>, 'sites': <[$sites]>}
services=shop.web

[object www]
class=Standard.HTTPdaemon;1
params={'listen': <'$listen:$((site_port + i))'>, 'root': <'$top/data/site'>, 'mounts': <{'/cart': 'shop.web'}>, 'workers': <uint32 1>$tls_params$users_params}
services=shop.site
EOF
  echo "    replica-$i.conf: broker 127.0.0.1:$((peer_port + i)), web site $scheme://$host:$((site_port + i))/"
  i=$((i + 1))
done

bold "3. Starting the four replicas"
i=0
while [ $i -lt $n ]; do
  mkdir -p "$work/state-$i"
  "$synodd" --config "$work/replica-$i.conf" >"$work/replica-$i.log" 2>&1 &
  pid=$!
  pids="$pids $pid"
  eval "pid_$i=$pid"
  echo "    replica $i: pid $pid, log $work/replica-$i.log"
  i=$((i + 1))
done

# Ready when every site answers and the service has put its catalog on sale
# (the first read of the catalog does it, through all four replicas).
deadline=$(( $(date +%s) + wait_s ))
i=0
while [ $i -lt $n ]; do
  url="$scheme://$check_host:$((site_port + i))/cart/api/items"
  # shellcheck disable=SC2086
  until [ "$(curl -s $curl_tls $curl_auth -o /dev/null -w '%{http_code}' --max-time 10 "$url" 2>/dev/null)" = 200 ]; do
    eval "pid=\$pid_$i"
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$work/replica-$i.log" >&2
      die "replica $i exited (log above)"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "replica $i's site did not answer within ${wait_s} s (logs in $work)"
    sleep 0.2
  done
  i=$((i + 1))
done

bold "4. The shop is open"
cat <<EOF

    $scheme://$host:$site_port/         the shop (its script checks every answer's proof)
    $scheme://$host:$site_port/cart/    the same shop without JavaScript (plain forms)

  The same shop at every replica:
EOF
i=0
while [ $i -lt $n ]; do
  eval "pid=\$pid_$i"
  echo "    replica $i: $scheme://$host:$((site_port + i))/   (synodd pid $pid)"
  i=$((i + 1))
done
cat <<EOF

  Every answer carries a Synod-Proof header: the signatures of f+1 = 2 replicas
  (3 for a read). The page checks them in your browser against the replicas'
  public keys and shows "verified by replicas ...". The keys' fingerprint,
  which the page shows too: $fingerprint (keys in $work/keys/public)

  Kill one replica and keep shopping, at its site's neighbours:
      kill -9 $pid_2          # replica 2 stops; the other three still agree
  (kill -9 $pid_0 kills the primary: the others change view in about a second.)
  Try the API with curl:
      curl -si $curl_tls $curl_auth $scheme://$check_host:$site_port/cart/api/items
      curl -si $curl_tls $curl_auth -H 'Synod-Client: 00000001deadbeef' -H "Synod-Request: \$(date +%s)" \\
           -H 'Content-Type: application/json' -d '{"item": "tea", "quantity": 2}' \\
           $scheme://$check_host:$((site_port + 1))/cart/api/add

  Press Ctrl-C to stop everything.
EOF
if [ "$tls" = 1 ]; then
  cat <<EOF

  HTTPS: import this certificate authority into the browser once, trusted
  to identify web sites (Firefox: Settings, Privacy & Security,
  Certificates, View Certificates, Authorities, Import; Chromium: Settings,
  Privacy and security, Security, Manage certificates, Authorities, Import):
      CA file: $ca
  Later runs reuse it. Its key ($tls_dir/ca.key) could vouch for any
  name: keep it on this machine.
EOF
fi

if [ "$web_users" = 1 ]; then
  cat <<EOF

  Web users: the sites ask for a login. Sign in as
      alice   password $password_alice
      bob     password $password_bob
  A user's cart is that user's at every replica's site and in every browser;
  each site is its own origin, so the browser asks once per site. Users are
  in $work/users (crypt hashes; add more with openssl passwd -6).
EOF
fi

if [ "${SYNOD_SITE_ONCE:-0}" = 1 ]; then
  exit 0
fi
# shellcheck disable=SC2086
while :; do
  alive=0
  for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  [ $alive -gt 0 ] || { echo "bft-site: every replica has exited"; exit 1; }
  sleep 1
done
