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

# systemd: synodd@NAME runs a peer from SYSCONFDIR/synod/NAME.conf as the
# synod user, whom systemd-sysusers makes from sysusers.d/synod.conf
# (docs/synodd.md, "Under systemd"). The unit is made in every build (its
# test checks it); it is installed unless configure had
# --with-systemdsystemunitdir=no.
EXTRA_DIST += data/synodd@.service.in data/synod.sysusers
CLEANFILES += data/synodd@.service data/sysusers/synod.conf
check_DATA = data/synodd@.service data/sysusers/synod.conf
if ENABLE_SYSTEMD
systemdsystemunit_DATA = data/synodd@.service
sysusers_DATA = data/sysusers/synod.conf
endif
data/synodd@.service: data/synodd@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/data/synodd@.service.in > $@.tmp && mv $@.tmp $@
data/sysusers/synod.conf: data/synod.sysusers
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(srcdir)/data/synod.sysusers $@
