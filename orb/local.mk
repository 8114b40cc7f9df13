# libsynod: object ids, descriptors, the XDR codec, the broker, transport.

lib_LTLIBRARIES += orb/libsynod-1.la

synod_include_HEADERS += \
	orb/synod.h \
	orb/synod-type.h \
	orb/synod-error.h \
	orb/synod-object-id.h \
	orb/synod-codec.h \
	orb/synod-invoke.h \
	$(orb_broker_headers) \
	orb/synod-network.h

# The broker's public headers.
orb_broker_headers = \
	orb/synod-broker.h \
	orb/synod-call.h \
	orb/synod-class.h \
	orb/synod-dynamic.h \
	orb/synod-group.h \
	orb/synod-object.h \
	orb/synod-plugin.h \
	orb/synod-ref.h \
	orb/synod-remote.h \
	orb/synod-standard.h

# Sources by part; each part keeps its own list.
orb_base_sources = \
	orb/synod-type.c \
	orb/synod-error.c \
	orb/synod-i18n.c \
	orb/synod-object-id.c

# The XDR codec and GVariant conversion.
orb_codec_sources = \
	orb/synod-codec-private.h \
	orb/synod-codec.c \
	orb/synod-codec-variant.c \
	orb/synod-value.c
EXTRA_DIST += orb/README-codec.md

# The broker: objects, aliases, classes, invocation, named services.
orb_broker_sources = \
	orb/broker-private.h \
	orb/broker-scheduler-private.h \
	orb/broker-scheduler.c \
	orb/broker-invoke.c \
	orb/broker-standard.c \
	orb/synod-broker.c \
	orb/synod-call-wait.c \
	orb/synod-class.c \
	orb/synod-dynamic.c \
	orb/synod-group.c \
	orb/synod-object.c \
	orb/synod-plugin.c \
	orb/synod-ref.c

# Remote invocation: ONC RPC transport, peers, mDNS discovery.
orb_remote_sources = \
	orb/synod-batch.c \
	orb/synod-batch-private.h \
	orb/synod-peer-object.c \
	orb/synod-network-private.h \
	orb/synod-network.c \
	orb/synod-discovery.c \
	orb/synod-discovery.h \
	orb/synod-rpc.c \
	orb/synod-rpc-private.h \
	orb/synod-rpc-tls.c \
	orb/synod-rpc-tls-private.h
EXTRA_DIST += docs/security.md

# Generated from the system's own interfaces (idl/*.idl). <synod.h> includes
# the generated standard.h, so every user of it needs idl/ of the build tree.
# synod-wire.idl describes the messages of the broker's ONC RPC program.
AM_CPPFLAGS += -I$(top_builddir)/idl
SYNOD_IDL_FILES += idl/standard.idl idl/peer.idl idl/synod-wire.idl
nodist_orb_libsynod_1_la_SOURCES = idl/standard.c idl/standard.h idl/peer.c idl/peer.h \
	idl/synod-wire.c idl/synod-wire.h
nodist_synod_include_HEADERS += idl/standard.h idl/peer.h

orb_libsynod_1_la_SOURCES = \
	$(orb_base_sources) \
	$(orb_codec_sources) \
	$(orb_broker_sources) \
	$(orb_remote_sources)

orb_libsynod_1_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-orb\"
orb_libsynod_1_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(TIRPC_CFLAGS) $(OPENSSL_CFLAGS) \
	$(AVAHI_CFLAGS) $(LMDB_CFLAGS) $(ZLIB_CFLAGS)
orb_libsynod_1_la_LIBADD = $(GLIB_LIBS) $(TIRPC_LIBS) $(OPENSSL_LIBS) $(AVAHI_LIBS) \
	$(LMDB_LIBS) $(ZLIB_LIBS) $(LTLIBINTL)
orb_libsynod_1_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(SYNOD_LT_VERSION) -no-undefined

# The system's own interfaces, installed for other IDL files to import.
dist_idl_DATA += idl/standard.idl idl/peer.idl
