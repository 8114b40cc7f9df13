#!/bin/sh
# Synod's programs speak German when asked to: each program below runs with
# LANGUAGE=de under a UTF-8 locale and must print the German text of the
# po/de.po catalog, from the program's own domain binding (_ in programs) and
# from libsynod's (dgettext in the library, also in a program that binds no
# domain itself), in UTF-8; the same run in C.UTF-8 must print English.
#
# The catalogs are the built po/LL.gmo files, laid out as
# LOCALEDIR/LL/LC_MESSAGES/synod.mo in a temporary directory; an uninstalled
# program looks in the configured LOCALEDIR, so the test preloads
# tests/i18n/libsynod-test-localedir.so, which redirects the "synod" domain
# to $SYNOD_TEST_LOCALEDIR (see localedir-shim.c).
#
# glibc ignores LANGUAGE when the locale is C or C.UTF-8, so the test needs
# another UTF-8 locale generated (de_DE.UTF-8 by ./dev.sh deps); without
# one it is skipped, saying so. Prints TAP.
set -u
top=${SYNOD_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SYNOD_TOP_BUILDDIR:-.}

# A generated UTF-8 locale other than C/POSIX, German preferred.
pick_locale() {
  all=$(locale -a 2>/dev/null) || return 1
  for want in de_DE.utf8 en_US.utf8 en_GB.utf8; do
    if printf '%s\n' "$all" | grep -qx "$want"; then
      echo "$want"; return 0
    fi
  done
  printf '%s\n' "$all" | grep -i 'utf-\{0,1\}8$' | grep -v -i '^c\.' | head -n 1
}
loc=$(pick_locale)
if [ -z "$loc" ] || [ "$(LC_ALL=$loc locale charmap 2>/dev/null)" != UTF-8 ]; then
  echo "1..0 # SKIP no UTF-8 locale other than C is generated (glibc ignores LANGUAGE under C): generate de_DE.UTF-8 (./dev.sh deps does)"
  exit 0
fi

shim="$build/tests/i18n/.libs/libsynod-test-localedir.so"
gmo="$top/po/de.gmo"
[ -f "$gmo" ] || gmo="$build/po/de.gmo"

echo "1..11"
echo "# locale $loc"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 15 | sed 's/^/#   /'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synod-i18n.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/locale/de/LC_MESSAGES" "$tmp/empty"
if [ -f "$shim" ] && cp "$gmo" "$tmp/locale/de/LC_MESSAGES/synod.mo" 2>/dev/null; then
  ok "the built catalog po/de.gmo and the localedir shim exist"
else
  not_ok "the built catalog po/de.gmo ($gmo) and the localedir shim ($shim) exist"
  echo "Bail out! nothing to run the programs with"
  exit 1
fi

# run LOCALEDIR LANGUAGE PROGRAM ARGS... — combined stdout and stderr in $out,
# the exit status in $status. An empty LANGUAGE runs in C.UTF-8, the
# untranslated English (under $loc, gettext would follow the locale's name).
run() {
  dir=$1 lang=$2; shift 2
  run_locale=$loc
  [ -n "$lang" ] || run_locale=C.UTF-8
  out=$(env LC_ALL="$run_locale" LANGUAGE="$lang" SYNOD_TEST_LOCALEDIR="$dir" \
          LD_PRELOAD="$shim${LD_PRELOAD:+ $LD_PRELOAD}" \
          ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
          SYNOD_PEER= timeout 30 "$@" 2>&1)
  status=$?
}

# expect DESCRIPTION STATUS GERMAN ENGLISH PROGRAM ARGS... — in German the
# output holds GERMAN, in English (C.UTF-8) it holds ENGLISH, and both
# runs end with STATUS.
expect() {
  what=$1 want_status=$2 german=$3 english=$4; shift 4
  run "$tmp/locale" de "$@"
  de_out=$out de_status=$status
  run "$tmp/locale" "" "$@"
  case $de_out in
    *"$german"*)
      case $out in
        *"$english"*)
          if [ "$de_status" = "$want_status" ] && [ "$status" = "$want_status" ]; then
            ok "$what"
          else
            not_ok "$what: exit status $de_status (German), $status (English), not $want_status" "$de_out"
          fi ;;
        *) not_ok "$what: the English run lacks “$english”" "$out" ;;
      esac ;;
    *) not_ok "$what: the German run lacks “$german”" "$de_out" ;;
  esac
}

expect "synod --help is German" 0 \
  "Erkundet die Objekte eines Synod-Clusters und ruft sie auf." \
  "Explores and calls the objects of a Synod cluster." \
  "$build/services/synod" --help
expect "synod's own options are described in German" 0 \
  "Einen Aufruf nach SEKUNDEN aufgeben (Vorgabe 25)" \
  "Give up on a call after SECONDS (default 25)" \
  "$build/services/synod" --help
expect "synod: an unknown command is refused in German (exit status 2)" 2 \
  "synod: unbekannter Befehl „kein-befehl“ (siehe synod --help)" \
  "synod: unknown command “kein-befehl” (see synod --help)" \
  "$build/services/synod" kein-befehl
expect "a libsynod error (dgettext in the library) reaches synod's output in German" 1 \
  "Der Peer unter bogus ist nicht erreichbar: „bogus“ ist keine Peer-Adresse (HOST:PORT)" \
  "Cannot reach the peer at bogus: “bogus” is not a peer address (HOST:PORT)" \
  "$build/services/synod" --peer bogus peers
expect "synodd --help is German" 0 \
  "Betreibt einen Synod-Peer." \
  "Runs one Synod peer." \
  "$build/services/synodd" --help
expect "synod-idl refuses a missing file in German" 2 \
  "synod-idl: genau eine .idl-Datei erwartet (siehe --help)" \
  "synod-idl: expected exactly one .idl file (see --help)" \
  "$build/idl/synod-idl"
expect "synod-bft-keygen refuses missing options in German" 2 \
  "synod-bft-keygen: --service und --out sind erforderlich (siehe --help)" \
  "synod-bft-keygen: --service and --out are required (see --help)" \
  "$build/bft/synod-bft-keygen"
expect "synod-httpd refuses a missing document root in German" 2 \
  "synod-httpd: geben Sie mindestens ein --root DIR an" \
  "synod-httpd: give at least one --root DIR" \
  "$build/httpd/synod-httpd"
expect "libsynod binds its own domain: a program that binds none gets German errors" 1 \
  "„kein-objekt“ ist keine Objekt-ID (erwartet: 16 Hexadezimalziffern, „-“, 16 Hexadezimalziffern)" \
  "“kein-objekt” is not an object Id (expected 16 hex digits, “-”, 16 hex digits)" \
  "$build/tests/i18n/synod-test-library-domain" kein-objekt

# Without the catalog, LANGUAGE=de changes nothing: the German above came
# from po/de.gmo, not from anywhere else.
run "$tmp/empty" de "$build/services/synod" --help
case $out in
  *"Explores and calls the objects of a Synod cluster."*) ok "without a catalog the programs stay English" ;;
  *) not_ok "without a catalog the programs stay English" "$out" ;;
esac
exit $failed
