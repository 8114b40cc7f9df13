#!/bin/sh
# bench-httpd.sh — Synod's HTTP server side by side with Debian's nginx.
#
# Three parts, each in the same run against the same peers, wrk on loopback,
# keep-alive unless said, no access logs, the same number of worker threads
# (Synod) and worker processes (nginx):
#
# 1. Documents (a 1 KiB file, a 64 KiB file, an SSI page): nginx, Synod's
#    bare engine (synod-httpd --engine-only) and Synod's site made of broker
#    objects (synod-httpd: an HTTPdaemon, its URLdirectory, URLfileLoader
#    and HTTPdocument objects).
# 2. A URI served by an object: nginx answering a fixed text itself
#    (`return 200`), a Synod object of the same process (the broker's
#    dispatch path; the gateway path forced with SYNOD_HTTP_GATEWAY_ALL; and
#    a site with inline-objects, where the object answers on the site's
#    worker);
#    then nginx proxying to an upstream nginx (keep-alive upstream), against
#    a Synod object on another peer (another process, reached over the
#    broker's ONC RPC connection).
# 3. One request per connection (Connection: close) for the 1 KiB file:
#    nginx, Synod, and Synod with an HTTPfastReceive object per connection.
# 4. HTTPS against HTTP: Synod's site (objects) and nginx, each over plain
#    HTTP and over TLS (a P-256 certificate made for the run, TLS 1.3 as wrk
#    negotiates it), keep-alive for the 1 KiB and 64 KiB files, and one
#    request per connection (a handshake each) for the 1 KiB file.
#
# Prints requests/s, latency percentiles, server CPU time per request (all
# the processes serving it), and ratios.
#
#   bench/bench-httpd.sh [BUILD_DIR]
#
# Environment: WORKERS (server threads/processes, default 1), THREADS (wrk
# threads, default 1), CONNECTIONS (default 50), DURATION (seconds, default
# 10), PARTS (default "1 2 3").
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
PARTS=${PARTS:-1 2 3 4}
synod_httpd=$build/httpd/synod-httpd
http_peer=$build/bench/bench-http-peer

for p in "$synod_httpd" "$http_peer"; do
  if [ ! -x "$p" ]; then
    echo "bench-httpd: build first ($p is missing: make bench/bench-http-peer)" >&2
    exit 1
  fi
done
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
[ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v python3 >/dev/null 2>&1 || need="$need python3-minimal"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
if [ -n "$need" ]; then
  echo "bench-httpd: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $need >/dev/null
fi

work=$(mktemp -d /tmp/synod-bench-httpd.XXXXXX)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

chmod 755 "$work"  # nginx workers run as www-data
root=$work/root
mkdir -p "$root"
head -c 1024 /dev/urandom >"$root/1k.bin"
head -c 65536 /dev/urandom >"$root/64k.bin"
cat >"$root/page.shtml" <<'HTML'
<!DOCTYPE html>
<html><head><title>SSI</title></head><body>
<!--#set var="greeting" value="hello" -->
<p><!--#echo var="greeting" --> from <!--#echo var="DOCUMENT_URI" --></p>
<!--#include virtual="/part.html" -->
<!--#if expr="$greeting = hello" --><p>yes</p><!--#else --><p>no</p><!--#endif -->
</body></html>
HTML
printf '<p>an included part</p>\n' >"$root/part.html"
# A certificate for 127.0.0.1 (self-signed: wrk does not verify).
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null
chmod 644 "$work/tls/key.pem"  # nginx workers run as www-data
hello='hello from a Synod object\n'

# Ports the kernel just had free, for nginx (Synod asks the kernel itself).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

nginx_port=$(free_port)
upstream_port=$(free_port)
nginx_tls_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF2
worker_processes $WORKERS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream backend { server 127.0.0.1:$upstream_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    root $root;
    ssi on;
    location /hello/ { default_type text/plain; return 200 "$hello"; }
    location /remote/ {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
  server {
    listen 127.0.0.1:$nginx_tls_port ssl reuseport;
    ssl_certificate $work/tls/cert.pem;
    ssl_certificate_key $work/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $root;
  }
  server {
    listen 127.0.0.1:$upstream_port reuseport;
    location / { default_type text/plain; return 200 "$hello"; }
  }
}
EOF2
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
pids="$pids $nginx_pid"

# Starts a Synod process whose stdout announces its ports; sets $pid.
start() { # NAME COMMAND...
  name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids="$pids $pid"
  i=0
  until grep -q '^listening\|^object' "$work/$name.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "bench-httpd: $name did not start" >&2
      cat "$work/$name.err" >&2
      exit 1
    fi
    sleep 0.05
  done
}
port_of() { awk '/^listening/ {print $3; exit}' "$work/$1.out"; }

start engine "$synod_httpd" --engine-only --root "$root" --workers "$WORKERS" --port 0
engine_pid=$pid
start objects "$synod_httpd" --root "$root" --workers "$WORKERS" --port 0
objects_pid=$pid
start local "$http_peer" --site "$root" --workers "$WORKERS"
local_pid=$pid
start gateway env SYNOD_HTTP_GATEWAY_ALL=1 "$http_peer" --site "$root" --workers "$WORKERS"
gateway_pid=$pid
start inline "$http_peer" --site "$root" --workers "$WORKERS" --inline
inline_pid=$pid
start handler "$http_peer" --handler
handler_pid=$pid
handler_net=$(awk '/^network/ {print $2}' "$work/handler.out")
handler_id=$(awk '/^object/ {print $2}' "$work/handler.out")
start remote "$synod_httpd" --root "$root" --workers "$WORKERS" --port 0 \
  --network 127.0.0.1:0 --peer "$handler_net" --mount "/remote/=$handler_id"
remote_pid=$pid
start perconn "$synod_httpd" --root "$root" --workers "$WORKERS" --port 0 --connection-objects
perconn_pid=$pid
start tls "$synod_httpd" --root "$root" --workers "$WORKERS" --port 0 \
  --tls-cert "$work/tls/cert.pem" --tls-key "$work/tls/key.pem"
tls_pid=$pid

# Readiness of nginx: it answers (bounded wait, no fixed sleep).
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/1k.bin"; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then echo "bench-httpd: nginx never answered" >&2; exit 1; fi
  sleep 0.05
done

# Same bytes from every server?
same() { # URL_A URL_B
  a=$(curl -sf --cacert "$work/tls/cert.pem" "$1" | sha256sum)
  b=$(curl -sf --cacert "$work/tls/cert.pem" "$2" | sha256sum)
  if [ "$a" != "$b" ]; then echo "bench-httpd: $1 and $2 differ" >&2; exit 1; fi
}
for name in engine objects local perconn remote; do
  same "http://127.0.0.1:$nginx_port/1k.bin" "http://127.0.0.1:$(port_of $name)/1k.bin"
done
same "http://127.0.0.1:$nginx_port/1k.bin" "https://127.0.0.1:$(port_of tls)/1k.bin"
same "https://127.0.0.1:$nginx_tls_port/64k.bin" "https://127.0.0.1:$(port_of tls)/64k.bin"
same "http://127.0.0.1:$nginx_port/hello/x" "http://127.0.0.1:$(port_of local)/hello/x"
same "http://127.0.0.1:$nginx_port/hello/x" "http://127.0.0.1:$(port_of gateway)/hello/x"
same "http://127.0.0.1:$nginx_port/hello/x" "http://127.0.0.1:$(port_of inline)/hello/x"
same "http://127.0.0.1:$nginx_port/remote/x" "http://127.0.0.1:$(port_of remote)/remote/x"

# CPU time (user + system, clock ticks) of processes and their children
# (nginx: master and workers; Synod: all its threads).
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

# Load is noisy on a shared machine; CPU per request is the steadier figure.
run() { # URL "PIDS" [wrk args] -> "rps p50 p90 p99 non2xx cpu_us_per_request"
  url=$1
  procs=$2
  shift 2
  # shellcheck disable=SC2086
  before=$(cpu_ticks $procs)
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$@" "$url" >"$work/wrk.out" 2>&1
  # shellcheck disable=SC2086
  after=$(cpu_ticks $procs)
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {n=$1}
     /Requests\/sec/ {rps=$2}
     /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
     /Non-2xx/ {bad=$NF}
     END {printf "%s %s %s %s %s %.1f\n", rps, p50, p90, p99, (bad==""?0:bad), (n>0 ? ticks*1e6/hz/n : 0)}' "$work/wrk.out"
}

row() { # LABEL SERVER URL "PIDS" [wrk args] ; sets rps, cpu
  label=$1 server=$2 url=$3 procs=$4
  shift 4
  set -- $(run "$url" "$procs" "$@")
  rps=$1 cpu=$6
  printf '%-14s %-16s %10s %9s %9s %9s %6s %10s\n' "$label" "$server" "$1" "$2" "$3" "$4" "$5" "$6"
}
ratio() { # LABEL WHAT A_RPS B_RPS A_CPU B_CPU
  awk -v l="$1" -v w="$2" -v a="$3" -v b="$4" -v ac="$5" -v bc="$6" \
    'BEGIN {printf "%-14s %-16s %9.2fx %40s\n", l, w, (b > 0 ? a / b : 0), sprintf("%.2fx less CPU", (ac > 0 ? bc / ac : 0))}'
}
header() {
  printf '%-14s %-16s %10s %9s %9s %9s %6s %10s\n' what server req/s p50 p90 p99 non2xx cpu-us/req
}

echo "bench-httpd: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)," \
  "$WORKERS worker(s) each, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, loopback"
n=http://127.0.0.1:$nginx_port
for part in $PARTS; do
  case $part in
  1)
    echo "-- documents (keep-alive)"
    header
    for f in 1k.bin 64k.bin page.shtml; do
      row "$f" nginx "$n/$f" "$nginx_pid"; n_rps=$rps n_cpu=$cpu
      row "$f" synod-engine "http://127.0.0.1:$(port_of engine)/$f" "$engine_pid"; e_rps=$rps e_cpu=$cpu
      row "$f" synod-objects "http://127.0.0.1:$(port_of objects)/$f" "$objects_pid"; o_rps=$rps o_cpu=$cpu
      ratio "$f" "objects/nginx" "$o_rps" "$n_rps" "$o_cpu" "$n_cpu"
      ratio "$f" "objects/engine" "$o_rps" "$e_rps" "$o_cpu" "$e_cpu"
    done
    ;;
  2)
    echo "-- a URI served by an object (keep-alive)"
    header
    row hello nginx-return "$n/hello/x" "$nginx_pid"; n_rps=$rps n_cpu=$cpu
    row hello synod-local "http://127.0.0.1:$(port_of local)/hello/x" "$local_pid"; l_rps=$rps l_cpu=$cpu
    row hello synod-gateway "http://127.0.0.1:$(port_of gateway)/hello/x" "$gateway_pid"; g_rps=$rps g_cpu=$cpu
    row hello synod-inline "http://127.0.0.1:$(port_of inline)/hello/x" "$inline_pid"; i_rps=$rps i_cpu=$cpu
    ratio hello "local/nginx" "$l_rps" "$n_rps" "$l_cpu" "$n_cpu"
    ratio hello "local/gateway" "$l_rps" "$g_rps" "$l_cpu" "$g_cpu"
    ratio hello "inline/nginx" "$i_rps" "$n_rps" "$i_cpu" "$n_cpu"
    row remote nginx-proxy "$n/remote/x" "$nginx_pid"; p_rps=$rps p_cpu=$cpu
    row remote synod-peer "http://127.0.0.1:$(port_of remote)/remote/x" "$remote_pid $handler_pid"; r_rps=$rps r_cpu=$cpu
    ratio remote "peer/proxy" "$r_rps" "$p_rps" "$r_cpu" "$p_cpu"
    ;;
  3)
    echo "-- one request per connection (Connection: close), 1k.bin"
    header
    row close nginx "$n/1k.bin" "$nginx_pid" -H "Connection: close"; n_rps=$rps n_cpu=$cpu
    row close synod-objects "http://127.0.0.1:$(port_of objects)/1k.bin" "$objects_pid" -H "Connection: close"; o_rps=$rps o_cpu=$cpu
    row close synod-perconn "http://127.0.0.1:$(port_of perconn)/1k.bin" "$perconn_pid" -H "Connection: close"; c_rps=$rps c_cpu=$cpu
    ratio close "objects/nginx" "$o_rps" "$n_rps" "$o_cpu" "$n_cpu"
    ratio close "perconn/objects" "$c_rps" "$o_rps" "$c_cpu" "$o_cpu"
    ;;
  4)
    echo "-- HTTPS against HTTP (keep-alive, then one request per connection)"
    header
    s=http://127.0.0.1:$(port_of objects)
    st=https://127.0.0.1:$(port_of tls)
    nt=https://127.0.0.1:$nginx_tls_port
    for f in 1k.bin 64k.bin; do
      row "$f" nginx "$n/$f" "$nginx_pid"; n_rps=$rps n_cpu=$cpu
      row "$f" nginx-https "$nt/$f" "$nginx_pid"; nt_rps=$rps nt_cpu=$cpu
      row "$f" synod "$s/$f" "$objects_pid"; s_rps=$rps s_cpu=$cpu
      row "$f" synod-https "$st/$f" "$tls_pid"; st_rps=$rps st_cpu=$cpu
      ratio "$f" "synod https/http" "$st_rps" "$s_rps" "$st_cpu" "$s_cpu"
      ratio "$f" "nginx https/http" "$nt_rps" "$n_rps" "$nt_cpu" "$n_cpu"
      ratio "$f" "https synod/nginx" "$st_rps" "$nt_rps" "$st_cpu" "$nt_cpu"
    done
    row close nginx-https "$nt/1k.bin" "$nginx_pid" -H "Connection: close"; nt_rps=$rps nt_cpu=$cpu
    row close synod "$s/1k.bin" "$objects_pid" -H "Connection: close"; s_rps=$rps s_cpu=$cpu
    row close synod-https "$st/1k.bin" "$tls_pid" -H "Connection: close"; st_rps=$rps st_cpu=$cpu
    ratio close "synod https/http" "$st_rps" "$s_rps" "$st_cpu" "$s_cpu"
    ratio close "https synod/nginx" "$st_rps" "$nt_rps" "$st_cpu" "$nt_cpu"
    ;;
  esac
done
