# Rules of data/ (included from the top Makefile.am).
EXTRA_DIST += data/demo.sh
