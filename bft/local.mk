# Rules of bft/ (included from the top Makefile.am).
