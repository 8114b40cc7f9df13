#!/bin/sh
# The quick start's main job: a short tour of synod-idl, the IDL compiler, on
# the example interface in data/examples/. Argument: the build directory.
set -eu

build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
examples=$top/data/examples
idlc=$build/idl/synod-idl
work=$(mktemp -d "${TMPDIR:-/tmp}/synod-tour.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { sed 's/^/    /'; }
# The prototype of function $1 in header $2.
proto() { awk -v name="$1" '$0 ~ "^(gboolean|void) " name " [(]" { p = 1 } p { print } p && /;$/ { p = 0 }' "$2"; }

step "1. An interface in Synod's IDL: XDR (RFC 4506) plus namespaces, imports and interfaces"
show < "$examples/shop.idl"
echo "  (it imports catalog.idl, which defines Example.item and the base interface Catalog)"

step "2. Compile it: synod-idl -o OUTDIR --xml shop.xml --depfile shop.idl.d shop.idl"
(cd "$work" &&
  "$idlc" -o gen "$examples/catalog.idl" &&
  "$idlc" -o gen --xml shop.xml --depfile shop.idl.d "$examples/shop.idl")
ls -l "$work/gen" | sed '1d' | awk '{ printf "    %-12s %6d bytes\n", $NF, $5 }'
echo "  and the depfile (what make rebuilds shop.h/shop.c from):"
sed "s|$examples/||g" "$work/shop.idl.d" | show

step "3. The C types, laid out as orb/synod-type.h fixes them"
sed -n '/^typedef struct { guint32 len; ExampleItem \*val; } ExampleItems;/p
        /^struct _ExampleLookupResult$/,/^};/p' "$work/gen/shop.h" | show
echo "  with a descriptor per type, and clear/free/copy and g_auto cleanups for those owning memory:"
grep -E '^(extern const SynodTypeDesc example_lookup_result_desc|void example_lookup_result_(clear|copy)|G_DEFINE_AUTOPTR_CLEANUP_FUNC \(ExampleLookupResult)' "$work/gen/shop.h" | show

step "4. The skeleton: the vtable a class fills in to implement Example.Cart"
sed -n '/^struct _ExampleCartIface$/,/^};/p' "$work/gen/shop.h" | sed -n '1,12p' | show
echo "    ..."

step "5. Client stubs: sync, async + finish, oneway (and a oneway method's one stub)"
for f in example_cart_add example_cart_add_async example_cart_add_finish example_cart_add_oneway \
         example_cart_touch; do
  proto "$f" "$work/gen/shop.h" | show
done

step "6. Descriptors of the interface and its methods, for the broker"
grep -E '^(extern const Synod(Interface|Method)Desc|#define EXAMPLE_CART_)' "$work/gen/shop.h" | show

step "7. The introspection XML (D-Bus format; types are GVariant type strings)"
sed -n '1,24p' "$work/shop.xml" | show
echo "    ..."
if command -v xmllint >/dev/null 2>&1 && [ -f /usr/share/xml/dbus-1/introspect.dtd ]; then
  xmllint --noout --dtdvalid /usr/share/xml/dbus-1/introspect.dtd "$work/shop.xml" &&
    echo "  valid against the D-Bus introspection DTD (xmllint --dtdvalid)"
fi

step "8. Errors name file, line and column, and nothing is written"
printf 'namespace Example;\nstruct point { int x; int y };\n' > "$work/broken.idl"
printf 'namespace Example;\nunion shape switch (bool round) {\ncase TRUE: double radius;\ncase 2: void;\n};\n' > "$work/bad-case.idl"
for f in broken bad-case; do
  (cd "$work" && "$idlc" "$f.idl" 2>&1 || true) | show
done

step "9. The generated C compiles warning-free; a call goes stub -> broker -> ONC RPC -> object"
echo "  (data/examples/cart-demo.c: a class filling the vtable on one peer, a client on another"
echo "   peer calling the stubs by service name; both peers talk over loopback)"
cflags="-std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter $(pkg-config --cflags glib-2.0 gio-2.0 libtirpc)"
libs="$(pkg-config --libs glib-2.0 gio-2.0 libtirpc)"
# shellcheck disable=SC2086
${CC:-cc} $cflags -I"$work/gen" -I"$top/orb" -I"$build/orb" -I"$build/idl" \
  "$work/gen/catalog.c" "$work/gen/shop.c" "$examples/cart-demo.c" \
  "$build/orb/.libs/libsynod-1.so" -Wl,-rpath,"$build/orb/.libs" $libs -o "$work/cart-demo"
echo "  cc -Wall -Wextra -Werror catalog.c shop.c cart-demo.c -lsynod-1: ok; running it:"
echo
"$work/cart-demo"

step "Done"
echo "  The language and the C mapping: idl/README.md. Compile your own: $idlc --help"
