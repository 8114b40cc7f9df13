#!/bin/sh
# synodd@.service and the sysusers.d entry of its user, as make builds them:
#   1. systemd-analyze verify accepts the unit without a word (its
#      ExecStart pointed at this build's synodd);
#   2. systemd-sysusers, in a scratch root, makes the synod user from the
#      entry;
#   3. the unit's command line runs: synodd with exactly the unit's
#      options, %i = test, its configuration and state paths moved under a
#      scratch directory, is ready within 20 s and stops on SIGTERM.
# Prints TAP.
set -u
build=${SYNOD_TOP_BUILDDIR:-.}
unit=$build/data/synodd@.service
sysusers=$build/data/sysusers/synod.conf
synodd=$build/services/synodd
echo "1..3"
work=$(mktemp -d "${TMPDIR:-/tmp}/synod-unit.XXXXXX") || exit 1
pid=""
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
failed=0
not_ok() { echo "not ok $1 - $2"; [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'; failed=1; }

for f in "$unit" "$sysusers" "$synodd"; do
  [ -e "$f" ] || { echo "Bail out! $f was not made (make check makes it)"; exit 1; }
done
exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
case $exec_line in
  /*/synodd\ *) ;;
  *) echo "Bail out! unexpected ExecStart: $exec_line"; exit 1 ;;
esac
installed=${exec_line%% *}
args=${exec_line#* }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "ok 1 # SKIP systemd-analyze is not installed"
else
  mkdir "$work/units"
  sed "s|^ExecStart=$installed |ExecStart=$(cd "$build" && pwd)/services/synodd |" "$unit" \
    > "$work/units/synodd@.service"
  out=$(cd "$work/units" && timeout 60 systemd-analyze verify "$work/units/synodd@test.service" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then
    echo "ok 1 - systemd-analyze verify accepts synodd@.service"
  else
    not_ok 1 "systemd-analyze verify synodd@.service (exit $rc)" "$out"
  fi
fi

if ! command -v systemd-sysusers >/dev/null 2>&1; then
  echo "ok 2 # SKIP systemd-sysusers is not installed"
else
  mkdir -p "$work/root/etc"
  out=$(timeout 30 systemd-sysusers --root="$work/root" "$sysusers" 2>&1)
  if grep -q '^synod:x:[0-9]*:[0-9]*:Synod peer:/var/lib/synod:' "$work/root/etc/passwd" 2>/dev/null; then
    echo "ok 2 - systemd-sysusers makes the synod user"
  else
    not_ok 2 "systemd-sysusers with sysusers.d/synod.conf" "$out"
  fi
fi

# The unit's options, with %i and the system paths moved into $work.
sysconf=$(printf '%s\n' "$args" | sed -n 's|.*--config=\(.*\)/synod/%i\.conf.*|\1|p')
mkdir -p "$work/etc/synod" "$work/state"
cat > "$work/etc/synod/test.conf" <<CONF
[synodd]
listen=127.0.0.1:0
discovery=false
rpcbind=false
CONF
run_args=$(printf '%s\n' "$args" | sed -e "s|%i|test|g" -e "s|$sysconf/synod/|$work/etc/synod/|" \
  -e "s|/var/lib/synod/|$work/state/|")
# shellcheck disable=SC2086
"$synodd" $run_args --ready-fd 3 3>"$work/ready" 2>"$work/log" &
pid=$!
t=0
while [ ! -s "$work/ready" ] && kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do
  sleep 0.1; t=$((t + 1))
done
if grep -q '^READY ' "$work/ready" && [ -d "$work/state/test" ]; then
  kill -TERM "$pid"
  t=0
  while kill -0 "$pid" 2>/dev/null && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    not_ok 3 "synodd did not stop within 10 s of SIGTERM" "$(tail -n 20 "$work/log")"
  else
    echo "ok 3 - the unit's command line ($args) starts a peer and SIGTERM stops it"
  fi
else
  not_ok 3 "the unit's command line did not start a peer: $run_args" "$(tail -n 20 "$work/log")"
fi
pid=""
exit $failed
