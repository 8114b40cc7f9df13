#!/bin/bash
# Discovery across several hosts: four network namespaces on a bridge, each
# with its own D-Bus system bus, avahi-daemon and synodd (default listen
# address, no --peer). Every peer sees all others by mDNS; a host whose link
# goes down turns "unreachable" in the others' tables and comes back
# "connected" when the link returns (with no new mDNS announcement needed);
# an avahi-daemon restarting on one host costs it no place in any table; a
# synodd that stops leaves every table. Prints TAP.
#
# Needs root and `ip netns`; skips with the reason otherwise. Network safety:
# a private subnet whose route goes to a bridge in the root namespace (given
# its address before anything else runs), avahi-daemons limited to their
# namespace's veth (no IPv6, no wide area), every loop bounded in time, and
# everything torn down by the names and PIDs this script created, even when
# it fails or is interrupted. SYNOD_TEST_KEEP=1 keeps the logs.
set -u

build=${SYNOD_TOP_BUILDDIR:-.}
synodd="$build/services/synodd"
query="$build/tests/remote/synod-test-query"
tool=${SYNOD_TOOL:-$build/services/synod}
n_hosts=4
port=8275
probe_ms=${SYNOD_TEST_PROBE_MS:-1000}
converge_s=30

skip_all() {
  echo "1..0 # SKIP $*"
  exit 0
}

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, a bridge, one avahi-daemon per namespace)"
for needed in ip dbus-daemon dbus-send avahi-daemon setpriv awk; do
  command -v "$needed" >/dev/null 2>&1 || skip_all "$needed is not installed"
done
[ -x "$synodd" ] && [ -x "$query" ] || skip_all "build synodd and tests/remote/synod-test-query first"
ip netns list >/dev/null 2>&1 || skip_all "ip netns is not available"

# Names of this run's own (the PID keeps parallel runs apart; IFNAMSIZ is 16).
tag=$$
br="synbr$tag"

# What a run killed before its teardown (SIGKILL) left behind: namespaces
# and bridges named after a process that no longer exists.
for ns in $(ip netns list 2>/dev/null | sed -n 's/^\(synod-[0-9]*-h[0-9]*\).*/\1/p'); do
  pid=${ns#synod-}
  pid=${pid%%-*}
  [ -d "/proc/$pid" ] || ip netns del "$ns" 2>/dev/null
done
for b in $(ip -o link show type bridge 2>/dev/null | sed -n 's/^[0-9]*: \(synbr[0-9]*\)[:@].*/\1/p'); do
  [ -d "/proc/${b#synbr}" ] || ip link del "$b" 2>/dev/null
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synod-hosts-XXXXXX") || exit 1
created_ns=()
pids=()
bridge_made=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }

teardown() {
  local pid ns i
  # Processes first (a namespace lives as long as a process in it).
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deleting a namespace deletes its end of the veth pair, and so the pair.
  for ns in "${created_ns[@]}"; do ip netns del "$ns" 2>/dev/null; done
  [ $bridge_made = 1 ] && ip link del "$br" 2>/dev/null
  if [ -n "${SYNOD_TEST_KEEP:-}" ]; then
    echo "# logs kept in $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

# A /24 in 10.213.0.0/16 that nothing on this machine routes yet.
subnet=""
for try in $(seq 0 49); do
  octet=$(((tag + try) % 200 + 20))
  if [ -z "$(ip -4 route show to match "10.213.$octet.1" | grep -v '^default')" ] &&
    ! ip -4 addr show | grep -q "inet 10\.213\.$octet\."; then
    subnet="10.213.$octet"
    break
  fi
done
[ -n "$subnet" ] || skip_all "no free 10.213.X.0/24 subnet"

# The bridge, with its address (so, a connected route for the subnet) before
# any namespace exists: no packet for the subnet can take the default route.
err=$(ip link add "$br" type bridge 2>&1) || skip_all "cannot create a bridge here: $err"
bridge_made=1
sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1" 2>/dev/null
ip addr add "$subnet.254/24" dev "$br" || exit 1
ip link set "$br" up || exit 1
if ! ip -4 route get "$subnet.1" | grep -q "dev $br "; then
  echo "1..0 # SKIP the route to $subnet.0/24 does not go to $br"
  exit 0
fi

ns_of() { echo "synod-$tag-h$1"; }
veth_of() { echo "syv${tag}h$1"; }
ip_of() { echo "$subnet.$1"; }
dir_of() { echo "$tmp/h$1"; }

bus_conf() { # ADDRESS
  cat <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>$1</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
EOF
}

avahi_conf() { # HOST-NAME
  cat <<EOF
[server]
host-name=$1
use-ipv4=yes
use-ipv6=no
allow-interfaces=synod0
enable-dbus=yes
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-aaaa-on-ipv4=no
publish-workstation=no
publish-hinfo=no
[reflector]
enable-reflector=no
EOF
}

# Starts a command in a host's namespace, in the background, dying with this
# script (parent-death signal); records its PID.
spawn_in() { # HOST LOG COMMAND...
  local h=$1 log=$2
  shift 2
  DBUS_SYSTEM_BUS_ADDRESS="unix:path=$(dir_of "$h")/bus" \
    ip netns exec "$(ns_of "$h")" setpriv --pdeathsig TERM "$@" >>"$log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
}

wait_until() { # SECONDS COMMAND... (polled every 0.2 s)
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -ge $deadline ] && return 1
    sleep 0.2
  done
}

avahi_running() { # HOST
  DBUS_SYSTEM_BUS_ADDRESS="unix:path=$(dir_of "$1")/bus" timeout 5 dbus-send --system \
    --print-reply --dest=org.freedesktop.Avahi / org.freedesktop.Avahi.Server.GetState \
    2>/dev/null | grep -q "int32 2"
}

start_avahi() { # HOST
  local d
  d=$(dir_of "$1")
  spawn_in "$1" "$d/avahi.log" sh -c "mount -t tmpfs tmpfs /run/avahi-daemon && \
    exec avahi-daemon -f '$d/avahi-daemon.conf' --no-chroot --no-drop-root --no-rlimits"
  eval "avahi_pid_$1=$last_pid"
  wait_until 15 avahi_running "$1"
}

stop_pid() { # PID: SIGTERM, wait (bounded)
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null
}

setup_host() { # HOST
  local h=$1 ns veth d
  ns=$(ns_of "$h")
  veth=$(veth_of "$h")
  d=$(dir_of "$h")
  mkdir -p "$d" /run/avahi-daemon
  ip netns add "$ns" || return 1
  created_ns+=("$ns")
  ip link add "$veth" type veth peer name synod0 netns "$ns" || return 1
  sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1" 2>/dev/null
  ip link set "$veth" master "$br" up || return 1
  ip -n "$ns" link set lo up || return 1
  ip -n "$ns" addr add "$(ip_of "$h")/24" dev synod0 || return 1
  ip -n "$ns" link set synod0 up || return 1

  bus_conf "unix:path=$d/bus" >"$d/bus.conf"
  avahi_conf "synodmh${tag}h$h" >"$d/avahi-daemon.conf"
  printf '[synodd]\ncluster=hosts\nprobe-interval-ms=%s\n' "$probe_ms" >"$d/synodd.conf"

  spawn_in "$h" "$d/dbus.log" dbus-daemon "--config-file=$d/bus.conf" --nofork --nopidfile
  wait_until 10 test -S "$d/bus" || return 1
  start_avahi "$h" || return 1
  spawn_in "$h" "$d/synodd.log" "$synodd" --config "$d/synodd.conf" --state-dir "$d/state" \
    --no-rpcbind --verbose --ready-fd 3 3>"$d/ready"
  eval "synodd_pid_$h=$last_pid"
  wait_until 15 grep -q '^READY ' "$d/ready" || return 1
  awk '{print $2}' "$d/ready" >"$d/id"
}

id_of() { cat "$(dir_of "$1")/id"; }

# What `synod peers` (the command-line tool) prints on HOST, if it is built.
tool_peers() { # HOST
  ip netns exec "$(ns_of "$1")" "$tool" --peer "127.0.0.1:$port" peers 2>&1
}

# Whether the tool's output has a line naming OTHER with all the WORDS.
tool_shows() { # OUTPUT OTHER WORDS...
  local out=$1 line w
  line=$(echo "$out" | grep -F "$(id_of "$2")") || return 1
  shift 2
  for w in "$@"; do
    case $line in *"$w"*) ;; *) return 1 ;; esac
  done
}

tool_ok=0
tool_note="synod peers shows the others as found by mDNS, and host 4 unreachable"
if [ ! -x "$tool" ]; then
  tool_ok=1
  tool_note="$tool_note (the tool $tool is missing)"
fi

# The host's peer table, asked from inside its namespace over loopback.
peers_of() { # HOST
  local t0 status
  t0=$(now_ms)
  ip netns exec "$(ns_of "$1")" "$query" "127.0.0.1:$port" peers 2>&1
  status=$?
  [ $(($(now_ms) - t0)) -gt 2000 ] && echo "# SLOW query of host $1: $(($(now_ms) - t0)) ms at $(date +%T.%3N)" >&2
  return $status
}

# Whether the TABLE (peers_of's output) has OTHER in STATE, found by mDNS,
# at its address.
table_has() { # TABLE OTHER STATE
  echo "$1" | awk -v id="$(id_of "$2")" -v addr="$(ip_of "$2"):$port" -v state="$3" \
    '$1 == id && $2 ~ /mdns/ && $3 == state && $4 == addr { found = 1 } END { exit !found }'
}

table_lacks() { # TABLE OTHER
  ! echo "$1" | awk -v id="$(id_of "$2")" '$1 == id { found = 1 } END { exit !found }'
}

# Whether every host of the list sees every other of the list connected.
all_connected() { # HOSTS...
  local h o table
  for h in "$@"; do
    table=$(peers_of "$h") || return 1
    for o in "$@"; do
      [ "$h" = "$o" ] && continue
      table_has "$table" "$o" connected || return 1
    done
  done
}

others_see() { # HOST STATE: every other host has HOST in STATE
  local o table
  for o in $(seq 1 $n_hosts); do
    [ "$o" = "$1" ] && continue
    table=$(peers_of "$o") || return 1
    table_has "$table" "$1" "$2" || return 1
  done
}

sees_others() { # HOST STATE: HOST has every other host in STATE
  local o table
  table=$(peers_of "$1") || return 1
  for o in $(seq 1 $n_hosts); do
    [ "$o" = "$1" ] && continue
    table_has "$table" "$o" "$2" || return 1
  done
}

nobody_lists() { # HOST
  local o table
  for o in $(seq 1 $n_hosts); do
    [ "$o" = "$1" ] && continue
    table=$(peers_of "$o") || return 1
    table_lacks "$table" "$1" || return 1
  done
}

show_tables() {
  local h
  for h in $(seq 1 $n_hosts); do
    echo "#   host $h ($(ip_of "$h"), $(id_of "$h" 2>/dev/null)):"
    peers_of "$h" | sed 's/^/#     /'
  done
}

n=0
failed=0
result() { # OK(0|1) DESCRIPTION [TIMING]
  n=$((n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $n - $2"
  else
    failed=1
    echo "not ok $n - $2"
    show_tables
  fi
}

elapsed() { # START-MS
  local ms=$(($(now_ms) - $1))
  printf '%d.%01d s' $((ms / 1000)) $((ms % 1000 / 100))
}

echo "1..7"
for h in $(seq 1 $n_hosts); do
  if ! setup_host "$h"; then
    echo "# host $h did not start; its logs:"
    tail -n 20 "$(dir_of "$h")"/*.log 2>/dev/null | sed 's/^/#   /'
    for i in $(seq 1 7); do echo "not ok $i - set-up failed"; done
    exit 1
  fi
done

# 1. Everyone sees everyone, by mDNS, connected, at its subnet address.
start=$(now_ms)
hosts=$(seq 1 $n_hosts)
# shellcheck disable=SC2086
wait_until $converge_s all_connected $hosts
result $? "$n_hosts hosts see each other by mDNS with no --peer"
echo "# converged in $(elapsed "$start") (probe interval $probe_ms ms)"
if [ -x "$tool" ]; then
  out=$(tool_peers 1)
  for o in 2 3 4; do
    tool_shows "$out" "$o" mdns connected "$(ip_of "$o"):$port" || tool_ok=1
  done
  [ $tool_ok = 0 ] || echo "$out" | sed 's/^/#   synod peers: /'
fi

# 2. Host 4's cable is pulled (its bridge port goes down): the others mark it
# unreachable (it stays listed: mDNS caches still announce it), and it marks
# them unreachable.
start=$(now_ms)
echo "# host 4's link down at $(date +%T.%3N)"
ip link set "$(veth_of 4)" down
wait_until $converge_s others_see 4 unreachable && wait_until $converge_s sees_others 4 unreachable
result $? "a host whose link is down is unreachable in every table, and sees the others so"
echo "# link down -> unreachable everywhere in $(elapsed "$start")"
if [ -x "$tool" ]; then
  out=$(tool_peers 1)
  tool_shows "$out" 4 mdns unreachable || {
    tool_ok=1
    echo "$out" | sed 's/^/#   synod peers: /'
  }
fi

# By hand: SYNOD_TEST_WATCH_DOWN_S=N keeps the link down N seconds more and
# reports when (if ever) the others' mDNS forgets host 4.
if [ -n "${SYNOD_TEST_WATCH_DOWN_S:-}" ]; then
  watch_end=$(($(now_ms) + SYNOD_TEST_WATCH_DOWN_S * 1000))
  while [ "$(now_ms)" -lt $watch_end ]; do
    if nobody_lists 4; then
      echo "# host 4 left every table $(elapsed "$start") after its link went down"
      break
    fi
    sleep 5
  done
  nobody_lists 4 || echo "# host 4 still listed (unreachable) $(elapsed "$start") after its link went down"
fi

# 3. The link comes back: connected again, from the retries alone.
start=$(now_ms)
echo "# host 4's link up at $(date +%T.%3N)"
ip link set "$(veth_of 4)" up
# shellcheck disable=SC2086
wait_until $converge_s all_connected $hosts
result $? "when its link returns, it is connected again in every table"
echo "# link up -> connected everywhere in $(elapsed "$start")"

# 4. avahi-daemon restarts on host 2: its records are withdrawn (goodbye
# packets), but its connections are up, so nobody drops it.
start=$(now_ms)
eval "stop_pid \$avahi_pid_2"
ok=1
if start_avahi 2; then
  # shellcheck disable=SC2086
  wait_until $converge_s all_connected $hosts &&
    ! grep -q "dropped from the table" "$(dir_of 1)/synodd.log" "$(dir_of 3)/synodd.log" \
      "$(dir_of 4)/synodd.log" && ok=0
fi
result $ok "an avahi-daemon restart on one host drops it from no table"
echo "# avahi-daemon restart -> all connected again in $(elapsed "$start")"
grep -h "mDNS withdrew peer" "$(dir_of 1)/synodd.log" | sed 's/^/# host 1: /'

# 5. synodd stops on host 3: it leaves every table.
start=$(now_ms)
eval "stop_pid \$synodd_pid_3"
wait_until $converge_s nobody_lists 3
result $? "a synodd that stops leaves every other table"
echo "# gone from every table in $(elapsed "$start")"

# 6. The three left still form a mesh.
wait_until $converge_s all_connected 1 2 4
result $? "the hosts left still see each other"

# 7. What an operator sees with `synod peers` (checked at steps 1 and 2).
result $tool_ok "$tool_note"

if [ $failed = 1 ]; then
  for h in $(seq 1 $n_hosts); do
    echo "# host $h synodd log (tail):"
    grep -v "synod-rpc" "$(dir_of "$h")/synodd.log" | tail -n 15 | sed 's/^/#   /'
  done
fi
exit 0
