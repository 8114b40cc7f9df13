#!/bin/sh
# bench-httpd-auth.sh — what a web login costs per request, Synod beside nginx.
#
# One 1 KiB file over HTTPS (keep-alive, wrk on loopback), in the same run:
# Synod's site (synod-httpd, broker objects) with --users and --protect
# /private/, anonymous (/public/1k.bin) against authenticated
# (/private/1k.bin, an Authorization: Basic field with every request), and
# authenticated with the verification cache off (--auth-cache-ms 1: a
# crypt_r per request, what the cache saves); nginx with auth_basic on
# /private/ (it hashes every request: nginx has no cache) the same two
# ways. The user's hash is SHA-512 crypt (openssl passwd -6, 5000 rounds).
#
# Prints requests/s, latency percentiles, server CPU per request and the
# ratios authenticated/anonymous.
#
#   bench/bench-httpd-auth.sh [BUILD_DIR]
#
# Environment: WORKERS (default 1), THREADS (default 1), CONNECTIONS
# (default 50), DURATION (seconds, default 10), ROUNDS (alternations of
# Synod's anonymous and authenticated runs, medians compared; default 3).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
synod_httpd=$build/httpd/synod-httpd

if [ ! -x "$synod_httpd" ]; then
  echo "bench-httpd-auth: build first ($synod_httpd is missing)" >&2
  exit 1
fi
for tool in wrk openssl curl python3; do
  command -v $tool >/dev/null 2>&1 || { echo "bench-httpd-auth: $tool is needed" >&2; exit 1; }
done
[ -x /usr/sbin/nginx ] || { echo "bench-httpd-auth: nginx is needed (nginx-light)" >&2; exit 1; }

work=$(mktemp -d /tmp/synod-bench-auth.XXXXXX)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

chmod 755 "$work" # nginx workers run as www-data
root=$work/root
mkdir -p "$root/public" "$root/private" "$work/tls" "$work/nginx"
head -c 1024 /dev/urandom >"$root/public/1k.bin"
cp "$root/public/1k.bin" "$root/private/1k.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null
chmod 644 "$work/tls/key.pem"
printf 'alice:%s\n' "$(printf 'wonderland' | openssl passwd -6 -stdin)" >"$work/users"
chmod 644 "$work/users"
auth="Authorization: Basic $(printf 'alice:wonderland' | base64)"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
nginx_port=$(free_port)
cat >"$work/nginx/nginx.conf" <<EOF2
worker_processes $WORKERS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port ssl reuseport;
    ssl_certificate $work/tls/cert.pem;
    ssl_certificate_key $work/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $root;
    location /private/ { auth_basic "Synod"; auth_basic_user_file $work/users; }
  }
}
EOF2
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
pids="$pids $nginx_pid"

start() { # NAME COMMAND...
  name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids="$pids $pid"
  i=0
  until grep -q '^listening' "$work/$name.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "bench-httpd-auth: $name did not start" >&2
      cat "$work/$name.err" >&2
      exit 1
    fi
    sleep 0.05
  done
}
port_of() { awk '/^listening/ {print $3; exit}' "$work/$1.out"; }

common="--root $root --workers $WORKERS --port 0 --tls-cert $work/tls/cert.pem --tls-key $work/tls/key.pem --users $work/users --protect /private/"
# shellcheck disable=SC2086
start synod "$synod_httpd" $common
synod_pid=$pid
# shellcheck disable=SC2086
start nocache "$synod_httpd" $common --auth-cache-ms 1
nocache_pid=$pid
s=https://127.0.0.1:$(port_of synod)
sn=https://127.0.0.1:$(port_of nocache)
n=https://127.0.0.1:$nginx_port

i=0
until curl -sk -o /dev/null "$n/public/1k.bin" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "bench-httpd-auth: nginx did not start" >&2; exit 1; }
  sleep 0.05
done
# Every server answers as expected before anything is measured.
check() { # URL EXPECTED [curl args]
  url=$1 want=$2
  shift 2
  got=$(curl -sk -o /dev/null -w '%{http_code}' "$@" "$url")
  [ "$got" = "$want" ] || { echo "bench-httpd-auth: $url gave $got, not $want" >&2; exit 1; }
}
for base in "$s" "$sn" "$n"; do
  check "$base/public/1k.bin" 200
  check "$base/private/1k.bin" 401
  check "$base/private/1k.bin" 200 -H "$auth"
done

cpu_ticks() { # PID...
  t=0
  for top_pid in "$@"; do
    for p in $top_pid $(pgrep -P "$top_pid" | tr '\n' ' '); do
      set -- $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)
      [ $# -ge 13 ] && t=$((t + ${12} + ${13}))
    done
  done
  echo "$t"
}
run() { # URL PID [wrk args] -> "rps p50 p90 p99 non2xx cpu_us_per_request"
  url=$1 proc=$2
  shift 2
  before=$(cpu_ticks "$proc")
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$@" "$url" >"$work/wrk.out" 2>&1
  after=$(cpu_ticks "$proc")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {n=$1}
     /Requests\/sec/ {rps=$2}
     /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
     /Non-2xx/ {bad=$NF}
     END {printf "%s %s %s %s %s %.1f\n", rps, p50, p90, p99, (bad==""?0:bad), (n>0 ? ticks*1e6/hz/n : 0)}' "$work/wrk.out"
}
row() { # LABEL SERVER URL PID [wrk args]; sets rps, cpu
  label=$1 server=$2 url=$3 proc=$4
  shift 4
  set -- $(run "$url" "$proc" "$@")
  rps=$1 cpu=$6
  printf '%-22s %-14s %10s %9s %9s %9s %6s %10s\n' "$label" "$server" "$1" "$2" "$3" "$4" "$5" "$6"
}
ratio() { # WHAT A_RPS B_RPS A_CPU B_CPU
  awk -v w="$1" -v a="$2" -v b="$3" -v ac="$4" -v bc="$5" \
    'BEGIN {printf "%-37s %9.2fx req/s %9.2fx CPU per request\n", w, (b > 0 ? a / b : 0), (bc > 0 ? ac / bc : 0)}'
}

echo "bench-httpd-auth: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)," \
  "$WORKERS worker(s) each, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, HTTPS keep-alive, 1 KiB file"
printf '%-22s %-14s %10s %9s %9s %9s %6s %10s\n' what server req/s p50 p90 p99 non2xx cpu-us/req
# The machine is shared and noisy: anonymous and authenticated alternate,
# ROUNDS times, and the medians are compared.
a_rps="" a_cpu="" b_rps="" b_cpu=""
r=0
while [ $r -lt "$ROUNDS" ]; do
  r=$((r + 1))
  row anonymous synod "$s/public/1k.bin" "$synod_pid"
  a_rps="$a_rps $rps" a_cpu="$a_cpu $cpu"
  row authenticated synod "$s/private/1k.bin" "$synod_pid" -H "$auth"
  b_rps="$b_rps $rps" b_cpu="$b_cpu $cpu"
done
median() { echo "$@" | tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
s_anon=$(median $a_rps) s_anon_cpu=$(median $a_cpu)
s_auth=$(median $b_rps) s_auth_cpu=$(median $b_cpu)
printf '%-22s %-14s %10s %39s %10s\n' "anonymous, median" synod "$s_anon" "" "$s_anon_cpu"
printf '%-22s %-14s %10s %39s %10s\n' "authenticated, median" synod "$s_auth" "" "$s_auth_cpu"
row "authenticated, no cache" synod "$sn/private/1k.bin" "$nocache_pid" -H "$auth"
s_nc=$rps s_nc_cpu=$cpu
row anonymous nginx "$n/public/1k.bin" "$nginx_pid"
n_anon=$rps n_anon_cpu=$cpu
row authenticated nginx "$n/private/1k.bin" "$nginx_pid" -H "$auth"
n_auth=$rps n_auth_cpu=$cpu
echo
ratio "synod authenticated / anonymous" "$s_auth" "$s_anon" "$s_auth_cpu" "$s_anon_cpu"
ratio "synod no cache / anonymous" "$s_nc" "$s_anon" "$s_nc_cpu" "$s_anon_cpu"
ratio "nginx authenticated / anonymous" "$n_auth" "$n_anon" "$n_auth_cpu" "$n_anon_cpu"
ratio "synod / nginx, authenticated" "$s_auth" "$n_auth" "$s_auth_cpu" "$n_auth_cpu"
