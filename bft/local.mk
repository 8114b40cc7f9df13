# Rules of bft/ (included from the top Makefile.am).
#
# The PBFT core is a libtool convenience library: the ReplicaServer and
# Coordinator objects, the HTTP adapter and the synod tool link it into
# whatever hosts them. It has no installed API of its own yet; its public
# face will be the broker objects (docs/pbft.md).

noinst_LTLIBRARIES += bft/libsynod-pbft.la

# The messages and store records (pbft.idl), and the demo state variables'
# operations (keyvalue.idl), compiled by synod-idl.
SYNOD_IDL_FILES += bft/pbft.idl bft/keyvalue.idl bft/shoppingcart.idl bft/bft.idl
nodist_bft_libsynod_pbft_la_SOURCES = \
	bft/pbft.c bft/pbft.h \
	bft/keyvalue.c bft/keyvalue.h \
	bft/shoppingcart.c bft/shoppingcart.h \
	bft/bft.c bft/bft.h

bft_libsynod_pbft_la_SOURCES = \
	bft/synod-pbft.h \
	bft/synod-bft-error.c bft/synod-bft-error.h \
	bft/pbft-config.c bft/pbft-config.h \
	bft/pbft-keyring.c bft/pbft-keyring.h \
	bft/pbft-wire.c bft/pbft-wire.h \
	bft/pbft-private.h \
	bft/pbft-proofs.c \
	bft/pbft-decide.c \
	bft/pbft-store.c bft/pbft-store.h bft/pbft-store-private.h \
	bft/pbft-store-lmdb.c \
	bft/synod-state-variable.c bft/synod-state-variable.h \
	bft/synod-key-value.c bft/synod-key-value.h \
	bft/pbft-replica.c bft/pbft-replica.h \
	bft/pbft-client.c bft/pbft-client.h \
	bft/pbft-faults.c bft/pbft-faults.h \
	bft/synod-shopping-cart.c bft/synod-shopping-cart.h \
	bft/synod-bft-keys.c bft/synod-bft-keys.h \
	bft/synod-bft-proof.c bft/synod-bft-proof.h \
	bft/synod-bft.h \
	bft/bft-classes.h \
	bft/bft-common.c \
	bft/bft-link.c bft/bft-link.h \
	bft/bft-loop.c bft/bft-loop.h \
	bft/bft-replica-server.c \
	bft/bft-coordinator.c \
	bft/bft-unreplicated.c

BFT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/bft -I$(top_srcdir)/bft
bft_libsynod_pbft_la_CPPFLAGS = $(BFT_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-bft\"
bft_libsynod_pbft_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) \
	$(LMDB_CFLAGS)
bft_libsynod_pbft_la_LIBADD = orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(OPENSSL_LIBS) \
	$(LMDB_LIBS)

# What links the PBFT core (tests, benchmark).
BFT_LIBS = bft/libsynod-pbft.la orb/libsynod-1.la $(GLIB_LIBS) $(TIRPC_LIBS) $(OPENSSL_LIBS) \
	$(LMDB_LIBS)

EXTRA_DIST += docs/bft.md docs/pbft.md

# synod-bft-keygen: provisions a service's keys (docs/bft.md).
bin_PROGRAMS += bft/synod-bft-keygen
bft_synod_bft_keygen_SOURCES = bft/synod-bft-keygen.c
bft_synod_bft_keygen_CPPFLAGS = $(BFT_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-bft\"
bft_synod_bft_keygen_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS)
bft_synod_bft_keygen_LDADD = $(BFT_LIBS) $(LIBINTL)

# The BFT classes (ReplicaServer, Coordinator, Unreplicated) as a class
# plugin for synodd: `plugins=$(bftclassesdir)/synod-bft.so`.
bftclassesdir = $(libdir)/synod-$(SYNOD_API_VERSION)/classes
bftclasses_LTLIBRARIES = bft/synod-bft.la
bft_synod_bft_la_SOURCES = bft/bft-plugin.c
bft_synod_bft_la_CPPFLAGS = $(BFT_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-bft\"
bft_synod_bft_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) -fvisibility=hidden
bft_synod_bft_la_LDFLAGS = -module -avoid-version -no-undefined
bft_synod_bft_la_LIBADD = $(BFT_LIBS) $(LTLIBINTL)
