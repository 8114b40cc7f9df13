#!/bin/sh
# Every translation in po/ is complete and current. For each po/LL.po:
#   - msgfmt --check accepts it (header, plural forms, format strings whose
#     specifiers match the English ones in number, type and order);
#   - nothing in it is fuzzy or untranslated;
#   - every message the sources now mark for translation (a template made
#     afresh with xgettext from po/POTFILES.in and po/Makevars's options)
#     has a translation in it. A new or changed English message without one
#     fails: docs/translating.md says how to update the catalogs.
# Messages of the catalog that the sources no longer have are only reported
# (`make -C _build/po update-po` drops them). po/LINGUAS must list exactly
# the po/*.po files, or a catalog would be silently left out of the build.
# Prints TAP.
set -u
top=${SYNOD_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

for tool in msgfmt msgcmp xgettext; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool (GNU gettext) is not installed"
    exit 0
  fi
done

pos=$(cd "$top/po" && ls -- *.po 2>/dev/null | sort)
count=$(printf '%s\n' "$pos" | grep -c .)
echo "1..$((2 + 3 * count))"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 40 | sed 's/^/#   /'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synod-po.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

linguas=$(sed -e 's/#.*//' "$top/po/LINGUAS" | tr -s ' \t' '\n\n' | grep . | sort)
files=$(printf '%s\n' "$pos" | sed 's/\.po$//' | grep . | sort)
if [ "$linguas" = "$files" ]; then
  ok "po/LINGUAS lists exactly the po/*.po catalogs ($(echo $files))"
else
  not_ok "po/LINGUAS lists exactly the po/*.po catalogs" "LINGUAS: $(echo $linguas); files: $(echo $files)"
fi

# The template, made the way po/Makefile makes po/synod.pot, into $tmp.
opts=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' "$top/po/Makevars")
# shellcheck disable=SC2086
if ! (cd "$top" && xgettext --default-domain=synod --language=C $opts \
        --files-from=po/POTFILES.in -o "$tmp/synod.pot") 2>"$tmp/xgettext.err"; then
  echo "Bail out! xgettext cannot extract the messages: $(head -n 5 "$tmp/xgettext.err")"
  exit 1
fi
echo "# $(($(grep -c '^msgid ' "$tmp/synod.pot") - 1)) messages in the sources' template"
# A message with a GLib format macro inside _() (G_GUINT64_FORMAT...) reaches
# the template cut at the macro, so it can never be translated: the sources
# use <inttypes.h>'s PRIu64 and friends instead (docs/translating.md).
cut=$(awk '/^msgid / {m = substr($0, 8); more = 1; next}
           more && /^"/ {sub(/"$/, "", m); m = m substr($0, 2); next}
           more {more = 0; if (m ~ /(^|[^%])%[-#0-9.]*"$/) print substr(m, 1, length(m) - 1)}' "$tmp/synod.pot")
if [ -n "$cut" ]; then
  not_ok "no message is cut at a GLib format macro inside _()" "$cut"
else
  ok "no message is cut at a GLib format macro inside _()"
fi

for po in $pos; do
  lang=${po%.po}
  if stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$top/po/$po" 2>&1); then
    ok "$lang: msgfmt --check accepts po/$po ($stats)"
  else
    not_ok "$lang: msgfmt --check accepts po/$po" "$stats"
  fi
  case $stats in
    *fuzzy* | *untranslated*) not_ok "$lang: nothing is fuzzy or untranslated" "$stats" ;;
    *" translated message"*) ok "$lang: nothing is fuzzy or untranslated" ;;
    *) not_ok "$lang: nothing is fuzzy or untranslated (no statistics)" "$stats" ;;
  esac
  # msgcmp DEF REF: every message of REF (the sources) has a translation in
  # DEF (fuzzy and untranslated entries count as missing).
  if missing=$(LC_ALL=C msgcmp "$top/po/$po" "$tmp/synod.pot" 2>&1); then
    ok "$lang: every message in the sources is translated"
  else
    # Name each message: msgcmp gives its line in the template.
    lines=$(printf '%s\n' "$missing" | sed -n 's/^.*synod\.pot:\([0-9]*\): this message is used but not defined.*$/\1/p')
    names=$(for l in $lines; do
              awk -v l="$l" '/^msgid / {m = $0; more = 1; next}
                            more && /^"/ {sub(/"$/, "", m); m = m substr($0, 2); next}
                            {more = 0}
                            NR >= l && m != "" {print m; exit}' "$tmp/synod.pot"
            done)
    not_ok "$lang: every message in the sources is translated (update po/$po: docs/translating.md)" \
      "${names:-$missing}"
  fi
  if stale=$(LC_ALL=C msgcmp --use-untranslated --use-fuzzy "$tmp/synod.pot" "$top/po/$po" 2>&1); then
    :
  else
    echo "# warning: po/$po has $(printf '%s\n' "$stale" | grep -c 'not defined') messages the sources no longer use"
  fi
done
exit $failed
