# Rules of data/ (included from the top Makefile.am).
EXTRA_DIST += \
	data/demo.sh \
	data/examples/catalog.idl \
	data/examples/shop.idl \
	data/examples/cart-demo.c
