#!/bin/sh
# bench-httpd.sh — Synod's HTTP server side by side with Debian's nginx.
#
# Both serve the same document root (a 1 KiB file, a 64 KiB file and an SSI
# page) on loopback with the same number of worker threads/processes,
# keep-alive, no access log, in the same run; wrk loads each in turn. Prints
# requests/s, latency percentiles, server CPU time per request, and the
# Synod/nginx ratios (requests/s, and CPU efficiency: nginx CPU / Synod CPU).
#
#   bench/bench-httpd.sh [BUILD_DIR]
#
# Environment: WORKERS (server threads/processes, default 1), THREADS (wrk
# threads, default 1), CONNECTIONS (default 50), DURATION (seconds, default 10).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
synod_httpd=$build/httpd/synod-httpd

if [ ! -x "$synod_httpd" ]; then
  echo "bench-httpd: build first ($synod_httpd is missing)" >&2
  exit 1
fi
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
[ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v python3 >/dev/null 2>&1 || need="$need python3-minimal"
if [ -n "$need" ]; then
  echo "bench-httpd: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $need >/dev/null
fi

work=$(mktemp -d /tmp/synod-bench-httpd.XXXXXX)
synod_pid=""
nginx_pid=""
cleanup() {
  [ -n "$synod_pid" ] && kill "$synod_pid" 2>/dev/null && wait "$synod_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
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

# A port the kernel just had free, for nginx (Synod asks the kernel itself).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

nginx_port=$(free_port)
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
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    root $root;
    ssi on;
  }
}
EOF2
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!

"$synod_httpd" --root "$root" --workers "$WORKERS" --port 0 >"$work/synod.out" 2>"$work/synod.err" &
synod_pid=$!

# Readiness: both answer a request (bounded wait, no fixed sleep).
wait_ready() { # URL
  i=0
  until curl -sf -o /dev/null "$1"; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "bench-httpd: $1 never answered" >&2; exit 1; fi
    sleep 0.05
  done
}
i=0
until [ -s "$work/synod.out" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && { echo "bench-httpd: synod-httpd did not start" >&2; cat "$work/synod.err" >&2; exit 1; }
  sleep 0.05
done
synod_port=$(awk 'NR==1 {print $3}' "$work/synod.out")
wait_ready "http://127.0.0.1:$nginx_port/1k.bin"
wait_ready "http://127.0.0.1:$synod_port/1k.bin"

# Same bytes from both?
for f in 1k.bin 64k.bin page.shtml; do
  a=$(curl -s "http://127.0.0.1:$nginx_port/$f" | sha256sum)
  b=$(curl -s "http://127.0.0.1:$synod_port/$f" | sha256sum)
  if [ "$f" != page.shtml ] && [ "$a" != "$b" ]; then
    echo "bench-httpd: $f differs between the servers" >&2; exit 1
  fi
done

# CPU time (user + system, clock ticks) of a process and its children
# (nginx: master and workers; Synod: all its threads).
cpu_ticks() { # PID
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  t=0
  for p in $pids; do
    set -- $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)
    [ $# -ge 13 ] && t=$((t + ${12} + ${13}))
  done
  echo "$t"
}

# Load is noisy on a shared machine; CPU per request is the steadier figure.
run() { # URL PID -> "rps p50 p90 p99 non2xx cpu_us_per_request"
  before=$(cpu_ticks "$2")
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$1" >"$work/wrk.out" 2>&1
  after=$(cpu_ticks "$2")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {n=$1}
     /Requests\/sec/ {rps=$2}
     /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
     /Non-2xx/ {bad=$NF}
     END {printf "%s %s %s %s %s %.1f\n", rps, p50, p90, p99, (bad==""?0:bad), (n>0 ? ticks*1e6/hz/n : 0)}' "$work/wrk.out"
}

echo "bench-httpd: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)," \
  "$WORKERS worker(s) each, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, keep-alive, loopback"
printf '%-12s %-6s %12s %9s %9s %9s %6s %10s\n' document server req/s p50 p90 p99 non2xx cpu-us/req
for f in 1k.bin 64k.bin page.shtml; do
  set -- $(run "http://127.0.0.1:$nginx_port/$f" "$nginx_pid")
  n_rps=$1 n_cpu=$6
  printf '%-12s %-6s %12s %9s %9s %9s %6s %10s\n' "$f" nginx "$1" "$2" "$3" "$4" "$5" "$6"
  set -- $(run "http://127.0.0.1:$synod_port/$f" "$synod_pid")
  s_rps=$1 s_cpu=$6
  printf '%-12s %-6s %12s %9s %9s %9s %6s %10s\n' "$f" synod "$1" "$2" "$3" "$4" "$5" "$6"
  awk -v s="$s_rps" -v n="$n_rps" -v sc="$s_cpu" -v nc="$n_cpu" -v f="$f" \
    'BEGIN {printf "%-12s ratio  %11.2fx %49s\n", f, (n > 0 ? s / n : 0), sprintf("%.2fx", (sc > 0 ? nc / sc : 0))}'
done
