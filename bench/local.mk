# Rules of bench/ (included from the top Makefile.am).
