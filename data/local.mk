# Rules of data/ (included from the top Makefile.am).
EXTRA_DIST += \
	data/demo.sh \
	data/examples/catalog.idl \
	data/examples/shop.idl \
	data/examples/cart-demo.c \
	data/bft-site.sh \
	data/site/index.html \
	data/site/cart.html \
	data/site/style.css \
	data/site/shop.js \
	data/site/synod-proof.js \
	data/site/catalog.txt \
	data/site/proof-vectors.json \
	data/site/proof-test.html
