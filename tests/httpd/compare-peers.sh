#!/bin/sh
# compare-peers.sh — the hostile-request table against Synod, nginx and lighttpd.
#
# Where the expected answer to a malformed request is in doubt, this shows
# what Debian's nginx and lighttpd answer to the same bytes, side by side
# with synod-httpd (not part of `make check`; installs what is missing).
# Loopback only; every server is started here and stopped at exit.
#
#   tests/httpd/compare-peers.sh [BUILD_DIR]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/_build}
need=""
[ -x /usr/sbin/nginx ] || need="$need nginx-light"
[ -x /usr/sbin/lighttpd ] || need="$need lighttpd"
command -v python3 >/dev/null 2>&1 || need="$need python3-minimal"
if [ -n "$need" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $need >/dev/null
fi

work=$(mktemp -d /tmp/synod-compare.XXXXXX)
chmod 755 "$work"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$work/root"
echo hello >"$work/root/index.html"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF2
worker_processes 1; daemon off; pid $work/nginx/pid; error_log $work/nginx/error.log crit;
events {}
http { access_log off; client_body_temp_path $work/nginx/body;
  server { listen 127.0.0.1:$nginx_port; root $work/root; } }
EOF2
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids="$pids $!"

lighttpd_port=$(free_port)
cat >"$work/lighttpd.conf" <<EOF2
server.document-root = "$work/root"
server.port = $lighttpd_port
server.bind = "127.0.0.1"
server.errorlog = "$work/lighttpd.log"
server.pid-file = "$work/lighttpd.pid"
EOF2
/usr/sbin/lighttpd -D -f "$work/lighttpd.conf" &
pids="$pids $!"

"$build/httpd/synod-httpd" --root "$work/root" --workers 1 >"$work/synod.out" 2>/dev/null &
pids="$pids $!"
i=0
until [ -s "$work/synod.out" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && { echo "synod-httpd did not start" >&2; exit 1; }
  sleep 0.05
done
synod_port=$(awk 'NR==1 {print $3}' "$work/synod.out")

python3 - "$top/tests/httpd/hostile-requests.h" "$synod_port" "$nginx_port" "$lighttpd_port" <<'PY'
import ast, re, socket, sys, time

src = open(sys.argv[1]).read()
ports = [int(p) for p in sys.argv[2:]]
entries = re.findall(r'H \("([^"]+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*(\d+)\)', src)

def c_string(lits):
    out = b""
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', lits):
        i = 0
        while i < len(lit):
            c = lit[i]
            if c == "\\":
                n = lit[i + 1]
                if n == "x":
                    m = re.match(r"[0-9a-fA-F]+", lit[i + 2:])
                    out += bytes([int(m.group(0), 16)]); i += 2 + len(m.group(0)); continue
                if n in "01234567":
                    m = re.match(r"[0-7]{1,3}", lit[i + 1:])
                    out += bytes([int(m.group(0), 8)]); i += 1 + len(m.group(0)); continue
                out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\", '"': b'"'}[n]; i += 2; continue
            out += c.encode("latin-1"); i += 1
    return out

def ask(port, data):
    # Waits for the servers' readiness by retrying the connection (bounded).
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            break
        except OSError:
            time.sleep(0.05)
    else:
        return "down"
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        head = s.recv(4096)
        if not head:
            return "closed"
        if not head.startswith(b"HTTP/"):
            return "no-head"  # an HTTP/0.9-style answer: the body alone
        return head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
    except OSError:
        return "reset"
    finally:
        s.close()

print("%-24s %8s %8s %8s %8s" % ("request", "expected", "synod", "nginx", "lighttpd"))
for name, lits, status in entries:
    data = c_string(lits)
    got = [ask(p, data) for p in ports]
    print("%-24s %8s %8s %8s %8s" % (name, status, *got))
PY
