# Rules of httpd/ (included from the top Makefile.am).
