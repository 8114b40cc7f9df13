# Rules of services/ (included from the top Makefile.am).
