# Rules of idl/ (included from the top Makefile.am).
