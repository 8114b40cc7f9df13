#!/bin/sh
# shellcheck shell=bash
# The bash completion of synod (data/synod.bash-completion): sourced in a
# plain bash (no bash-completion package), fed COMP_WORDS/COMP_CWORD/
# COMP_LINE as bash would set them, it must offer the commands, the options
# `synod [COMMAND] --help` lists, nothing where a value is expected, and
# — from one synodd on loopback — service names, object Ids, peer ids and
# INTERFACE.METHOD names. Prints TAP.
if [ -z "${BASH_VERSION:-}" ]; then
  if ! command -v bash >/dev/null 2>&1; then
    echo "1..0 # SKIP bash is not installed: the completion is for bash"
    exit 0
  fi
  exec bash "$0" "$@"
fi
set -u

top=${SYNOD_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SYNOD_TOP_BUILDDIR:-$PWD}
synod=$build/services/synod
synodd=$build/services/synodd
plugin_dir=$build/tests/remote/.libs
# The look-ups' own bound; the whole test is bounded by the daemon's start
# (below) and this per completion.
export SYNOD_COMPLETION_TIMEOUT=3
unset SYNOD_PEER

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# shellcheck source=/dev/null
. "$top/data/synod.bash-completion"
if complete -p synod 2>/dev/null | grep -q -- '-F _synod synod'; then
  ok "sourcing registers _synod for synod"
else
  not_ok "sourcing registers _synod for synod"
fi

# Completes LINE (the cursor at its end) as bash would: COMP_WORDS split at
# blanks and at ':' and '=' (of COMP_WORDBREAKS, the ones a synod command
# line holds). Sets REPLY to the sorted candidates, one line each. With
# NO_LINE=1, leaves COMP_LINE/COMP_POINT unset, as some callers do.
complete_line () {
  local line=$1 w head
  local -a raw

  COMP_WORDS=()
  read -ra raw <<<"$line"
  for w in "${raw[@]}"; do
    while [[ $w == *[:=]* ]]; do
      head=${w%%[:=]*}
      [[ -n $head ]] && COMP_WORDS+=("$head")
      COMP_WORDS+=("${w:${#head}:1}")
      w=${w:${#head}+1}
    done
    [[ -n $w ]] && COMP_WORDS+=("$w")
  done
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  if [[ ${NO_LINE:-0} == 1 ]]; then
    unset COMP_LINE COMP_POINT
  else
    COMP_LINE=$line
    COMP_POINT=${#line}
  fi
  COMPREPLY=()
  _synod "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
  REPLY=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

# check NAME LINE EXPECTED: the candidates are exactly EXPECTED (words).
check () {
  local name=$1 line=$2 expected
  local -a want
  read -r -d "" -a want <<<"$3"
  expected=$(printf '%s\n' "${want[@]}" | LC_ALL=C sort)
  complete_line "$line"
  if [[ $REPLY == "$expected" ]]; then
    ok "$name"
  else
    not_ok "$name"
    echo "#   line:     $line"
    echo "#   expected: ${expected//$'\n'/ }"
    echo "#   got:      ${REPLY//$'\n'/ }"
  fi
}

# check_has NAME LINE WORD...: the candidates include each WORD.
check_has () {
  local name=$1 line=$2 word missing=""
  shift 2
  complete_line "$line"
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$REPLY" || missing="$missing $word"
  done
  if [[ -z $missing ]]; then
    ok "$name"
  else
    not_ok "$name"
    echo "#   line:    $line"
    echo "#   missing:$missing"
    echo "#   got:     ${REPLY//$'\n'/ }"
  fi
}

# The long options `synod [COMMAND] --help` lists.
help_options () {
  "$synod" "$@" --help 2>/dev/null | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'
}

# ---- Without any peer ----

check "commands" "$synod " "peers services objects introspect call ping monitor help"
check "a command by its start" "$synod pe" "peers"
check "global long options are those of synod --help" "$synod --" "$(help_options)"
for cmd in peers services objects introspect call ping monitor; do
  check "options of $cmd are those of synod $cmd --help" "$synod $cmd --" "$(help_options "$cmd")"
done
check "an option of call" "$synod call --h" "--help"
check "call: no option of another command" "$synod call --r" ""
check "ping: options after TARGET too" "$synod ping some.service --co" "--count"
check "call: after TARGET, -words are arguments" "$synod call some.service -" ""
check "nothing for the value of --peer" "$synod --peer " ""
check "nothing for the value of --timeout" "$synod -t " ""
check "nothing for the value of ping --count" "$synod ping --count " ""
check "the command after --peer HOST:PORT" "$synod --peer 127.0.0.1:8275 ca" "call"
check "the command after --peer=HOST:PORT" "$synod --peer=127.0.0.1:8275 --timeout 2 in" "introspect"
check "the command after --" "$synod -- " "peers services objects introspect call ping monitor help"
check "nothing inside HOST:PORT" "$synod --peer 127.0.0.1:82" ""
NO_LINE=1 check "without COMP_LINE" "$synod --timeout 1 mo" "monitor"

# Port 1 of loopback (only root could listen there, and nothing does): the
# look-ups fail quietly and soon.
closed=127.0.0.1:1
start=$SECONDS
check "no peer: no target, no error" "$synod --peer $closed call " ""
if ((SECONDS - start <= 3 * SYNOD_COMPLETION_TIMEOUT + 3)); then
  ok "no peer: the look-up gives up in time"
else
  not_ok "no peer: the look-up gives up in time ($((SECONDS - start)) s)"
fi

# ---- Against one synodd on loopback ----

work=$(mktemp -d "${TMPDIR:-/tmp}/synod-completion.XXXXXX")
daemon=""
cleanup () {
  if [[ -n $daemon ]]; then
    kill -TERM "$daemon" 2>/dev/null
    wait "$daemon" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir "$work/state"
cat >"$work/synodd.conf" <<EOF
[synodd]
class-path=$plugin_dir

[object counter]
class=ClusterTest.Counter;1
services=completion.counter;completion.all
aliases=00000000c0ffee00-0000000000000001
EOF
"$synodd" --config "$work/synodd.conf" --listen 127.0.0.1:0 --no-discovery --no-rpcbind \
  --state-dir "$work/state" --ready-fd 3 3>"$work/ready" 2>"$work/synodd.log" &
daemon=$!
for _ in $(seq 100); do
  [[ -s $work/ready ]] && break
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
read -r ready peer address <"$work/ready" 2>/dev/null
if [[ ${ready:-} != READY ]]; then
  not_ok "synodd started"
  sed 's/^/#   /' "$work/synodd.log"
  echo "1..$n"
  exit 1
fi
ok "synodd started ($peer at $address)"

check "call TARGET: the service names" "$synod --peer $address call " \
  "completion.all completion.counter synod.peer"
check "introspect TARGET, --peer=HOST:PORT" "$synod --peer=$address introspect completion.c" \
  "completion.counter"
SYNOD_PEER=$address check "ping TARGET, the peer from \$SYNOD_PEER" "$synod ping -c 2 sy" "synod.peer"
check "an object Id from its peer half" "$synod -p $address call $peer-" \
  "$peer-0000000000000001 $peer-0000000000000002"
check "an alias" "$synod -p $address call 00000000c0" "00000000c0ffee00-0000000000000001"
check "INTERFACE.METHOD from the target's introspection" \
  "$synod -p $address call completion.counter ClusterTest.Counter.re" \
  "ClusterTest.Counter.relay ClusterTest.Counter.relayGroup"
check_has "every interface's methods" "$synod -p $address call 00000000c0ffee00-0000000000000001 " \
  Standard.Object.ping Standard.Introspectable.introspect ClusterTest.Counter.add \
  ClusterTest.Counter.bump
check "no METHOD of a target nobody provides" "$synod -p $address call completion.nobody " ""
check "nothing for a method's arguments" \
  "$synod -p $address call completion.counter ClusterTest.Counter.add " ""
check "objects PEER: the peer ids" "$synod -p $address objects " "$peer"
check "monitor PEER" "$synod -p $address monitor ${peer:0:4}" "$peer"

echo "1..$n"
[[ $failed == 0 ]]
