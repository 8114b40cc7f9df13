# Rules of idl/ (included from the top Makefile.am): synod-idl, the IDL
# compiler, and the make rules every other fragment uses to generate C from
# .idl files.

bin_PROGRAMS += idl/synod-idl

# The compiler proper; the fuzz target (tests/idl/local.mk) builds it too.
idl_compiler_sources = \
	idl/idl-compiler.h \
	idl/idl-parser.c \
	idl/idl-driver.c \
	idl/idl-check.c \
	idl/idl-gen-c.c \
	idl/idl-gen-xml.c

# synod-idl needs GLib only: it must build before, and without, libsynod.
idl_synod_idl_SOURCES = $(idl_compiler_sources) idl/synod-idl.c
idl_synod_idl_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"synod-idl\"
idl_synod_idl_CFLAGS = $(AM_CFLAGS) $(IDLC_GLIB_CFLAGS)
idl_synod_idl_LDADD = $(IDLC_GLIB_LIBS) $(LIBINTL)

EXTRA_DIST += idl/README.md

# ---------------------------------------------------------------------------
# Generating C from .idl files, for every fragment.
#
# Add an .idl file (path from the top of the source tree) to
# SYNOD_IDL_FILES; its FOO.h and FOO.c are then generated in the build
# tree at the same relative place, before anything is compiled (they are
# BUILT_SOURCES), cleaned by `make clean`, and the .idl is distributed:
#
#   SYNOD_IDL_FILES += shop/cart.idl
#   nodist_shop_libshop_la_SOURCES = shop/cart.c shop/cart.h
#
# Code including "cart.h" needs -I$(top_builddir)/shop (or includes
# "shop/cart.h"). An import is looked for next to the importing file, then
# in each -I of SYNOD_IDL_FLAGS (idl/, where the system's own interfaces
# live, by default). synod-idl writes a depfile per .idl (FOO.idl.d, read at
# the end of Makefile.am), so a change to an imported file, or to synod-idl
# itself, regenerates what depends on it.
#
# Any other rule can run the compiler the same way with $(SYNOD_IDL_GEN),
# which expects $< to be the .idl file and writes into $(@D).
SYNOD_IDL_FILES =
SYNOD_IDL = $(top_builddir)/idl/synod-idl$(EXEEXT)
SYNOD_IDL_FLAGS = -I $(top_srcdir)/idl
SYNOD_IDL_GEN = $(AM_V_GEN)$(SYNOD_IDL) $(SYNOD_IDL_FLAGS) -o $(@D) --depfile $(@D)/$(*F).idl.d $<

%.h %.c: %.idl idl/synod-idl$(EXEEXT)
	$(SYNOD_IDL_GEN)

BUILT_SOURCES += $(SYNOD_IDL_FILES:.idl=.h) $(SYNOD_IDL_FILES:.idl=.c)
CLEANFILES += \
	$(SYNOD_IDL_FILES:.idl=.h) \
	$(SYNOD_IDL_FILES:.idl=.c) \
	$(SYNOD_IDL_FILES:.idl=.idl.d)
EXTRA_DIST += $(SYNOD_IDL_FILES)
