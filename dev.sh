#!/bin/sh
# dev.sh — install what is missing, build, and run Synod (see README.md).
#
#   ./dev.sh demo     install, build, run the quick start: the BFT shop on
#                     four replicas (data/bft-site.sh; `site` is the same)
#   ./dev.sh idl-tour install, build, tour the IDL compiler (data/demo.sh)
#   ./dev.sh check    install, build, run the whole test suite (CI runs this)
#   ./dev.sh deps     only install the Debian packages Synod needs
#   ./dev.sh build    only install and build (in _build/)
#
# Environment: JOBS (parallel make jobs), SYNOD_SKIP_SANITIZERS=1 and
# SYNOD_SKIP_DISTCHECK=1 shorten `check` during development.
set -eu

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages: build, then run/test.
BUILD_PKGS="build-essential autoconf automake libtool autoconf-archive pkg-config gettext autopoint
libglib2.0-dev libtirpc-dev libssl-dev libavahi-client-dev libavahi-glib-dev liblmdb-dev
zlib1g-dev rpcsvc-proto libjson-glib-dev libcrypt-dev"
TEST_PKGS="clang libclang-rt-14-dev avahi-daemon avahi-utils dbus rpcbind curl openssl libxml2-utils
libdbus-1-dev iproute2 procps tshark nodejs chromium locales systemd"

START=$(date +%s)
log() { printf '\033[1m== [%4ss] %s\033[0m\n' "$(( $(date +%s) - START ))" "$*"; }

deps() {
  missing=""
  for p in $BUILD_PKGS $TEST_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    log "installing:$missing"
    if [ "$(id -u)" != 0 ]; then
      echo "dev.sh: these packages are missing and installing them needs root:$missing" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
  fi
  locale_de
}

# tests/i18n/test-i18n.sh runs the programs in German; glibc ignores LANGUAGE
# under the C locale, so it needs a UTF-8 locale other than C (it is skipped,
# saying so, without one). Generates de_DE.UTF-8 once.
locale_de() {
  locale -a 2>/dev/null | grep -qx 'de_DE.utf8' && return 0
  if [ "$(id -u)" != 0 ]; then
    log "de_DE.UTF-8 is not generated and that needs root: the German test will be skipped"
    return 0
  fi
  log "generating the de_DE.UTF-8 locale"
  if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null 2>&1; then
    grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
  else
    localedef -i de_DE -f UTF-8 de_DE.UTF-8
  fi
}

configure_in() { # DIR [configure args...]
  dir=$1; shift
  if [ ! -x configure ] || [ configure.ac -nt configure ] || [ ! -f build-aux/tap-driver.sh ]; then
    log "autogen"
    ./autogen.sh >/dev/null 2>&1 || ./autogen.sh
  fi
  mkdir -p "$dir"
  if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/config.status" ]; then
    log "configure $dir $*"
    (cd "$dir" && "$top/configure" --enable-werror "$@" >/dev/null)
  fi
}

build() {
  deps
  configure_in _build
  log "make"
  if ! make -C _build -j"$JOBS" >_build/make.log 2>&1; then
    grep -E -B2 -A6 'error|Error' _build/make.log | head -60
    echo "dev.sh: the build failed (full log: _build/make.log)" >&2
    return 1
  fi
}

# Prints "PASS FAIL SKIP" counted from a test-suite.log.
count_log() {
  awk '/^# PASS:/ {p=$3} /^# FAIL:/ {f+=$3} /^# XPASS:/ {f+=$3} /^# ERROR:/ {f+=$3} /^# SKIP:/ {s=$3}
       END {printf "%d %d %d\n", p, f, s}' "$1"
}

PASSED=0; FAILED=0; SKIPPED=0
tally() { # DIR LABEL
  if [ -f "$1/test-suite.log" ]; then
    set -- $(count_log "$1/test-suite.log") "$2"
    PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); SKIPPED=$((SKIPPED + $3))
    log "$4: $1 passed, $2 failed, $3 skipped"
  else
    FAILED=$((FAILED + 1)); log "$2: no test log (build failed?)"
  fi
}

check() {
  if ! build; then
    echo "0 passed, 1 failed"
    exit 1
  fi
  status=0
  log "make check"
  make -C _build -j"$JOBS" check >/dev/null 2>&1 || status=1
  tally _build "tests"
  [ $status = 0 ] || sed -n '/^FAIL\|^ERROR/p' _build/test-suite.log | head -20

  if [ "${SYNOD_SKIP_SANITIZERS:-0}" != 1 ]; then
    # One run of the suite under ASan+UBSan, with clang, which also builds the
    # libFuzzer targets; each fuzzer then runs briefly.
    configure_in _build-asan CC=clang --enable-sanitizers --enable-fuzzing
    log "make check (ASan+UBSan, clang)"
    if make -C _build-asan -j"$JOBS" >/dev/null 2>&1; then
      make -C _build-asan -j"$JOBS" check >/dev/null 2>&1 || true
      tally _build-asan "tests under sanitizers"
      log "fuzz (${FUZZ_SECONDS:-15} s per target)"
      if make -C _build-asan fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-15}"; then
        PASSED=$((PASSED + 1))
      else
        FAILED=$((FAILED + 1)); log "fuzzing found a crash (see above)"
      fi
    else
      FAILED=$((FAILED + 1)); log "sanitizer build failed"
      make -C _build-asan 2>&1 | grep -E 'error|Error' | head -20
    fi
  fi

  if [ "${SYNOD_SKIP_DISTCHECK:-0}" != 1 ]; then
    # The tarball is built, unpacked, configured out of tree, built,
    # installed and cleaned; the full suite already ran twice above, so
    # inside distcheck a few tests show the unpacked build works.
    log "make distcheck"
    if make -C _build -j"$JOBS" distcheck \
         TESTS="tests/orb/test-object-id tests/idl/test-demo.sh tests/remote/test-network tests/i18n/test-po.sh tests/i18n/test-i18n.sh" \
         >_build/distcheck.log 2>&1; then
      PASSED=$((PASSED + 1))
    else
      FAILED=$((FAILED + 1)); tail -n 30 _build/distcheck.log
    fi
  fi

  if [ "$SKIPPED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  else
    echo "$PASSED passed, $FAILED failed"
  fi
  [ "$FAILED" = 0 ]
}

demo() {
  build
  exec "$top/data/bft-site.sh" "$top/_build"
}

idl_tour() {
  build
  exec "$top/data/demo.sh" "$top/_build"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  check) check ;;
  demo|site) demo ;;
  idl-tour) idl_tour ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
