# Rules of services/: synodd (the peer daemon) and synod (the command-line
# tool). Included from the top Makefile.am.

bin_PROGRAMS += services/synodd
services_synodd_SOURCES = \
	services/synodd.c \
	services/synodd-config.c \
	services/synodd-config.h
services_synodd_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"synodd\"
services_synodd_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
services_synodd_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(LIBINTL)

EXTRA_DIST += docs/synodd.md

bin_PROGRAMS += services/synod
services_synod_SOURCES = services/synod.c
services_synod_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"synod\"
services_synod_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS)
services_synod_LDADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(LIBINTL)

EXTRA_DIST += docs/synod.md
