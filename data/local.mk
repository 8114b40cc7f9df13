# Rules of data/ (included from the top Makefile.am).
EXTRA_DIST += \
	data/demo.sh \
	data/examples/catalog.idl \
	data/examples/shop.idl \
	data/examples/cart-demo.c \
	data/bft-site.sh \
	data/site/index.html \
	data/site/cart.html \
	data/site/style.css \
	data/site/shop.js \
	data/site/synod-proof.js \
	data/site/catalog.txt \
	data/site/proof-vectors.json \
	data/site/proof-test.html

# The bash completion of synod, installed under the command's name (bash
# loads a completion on demand from COMPLETIONSDIR/COMMAND). Its directory
# comes from configure (--with-bash-completion-dir); distcheck installs it
# under its own prefix like everything else.
EXTRA_DIST += data/synod.bash-completion
if ENABLE_BASH_COMPLETION
bashcompletiondir = $(BASH_COMPLETION_DIR)
bashcompletion_DATA = data/bash-completion/synod
CLEANFILES += data/bash-completion/synod
endif
data/bash-completion/synod: data/synod.bash-completion
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(srcdir)/data/synod.bash-completion $@
AM_DISTCHECK_CONFIGURE_FLAGS += --with-bash-completion-dir='$${datadir}/bash-completion/completions'
