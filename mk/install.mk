# make install / make uninstall, with the usual PREFIX, DESTDIR, BINDIR,
# LIBDIR, MANDIR and DOCDIR.  Included by the top Makefile.
#
#   make install                 thpscan, the crash extension of ARCH, man pages, docs
#   make install-thpscan         thpscan only (needs libkdumpfile, libdw)
#   make install-ext             the crash extension only (needs crash's defs.h)
#   make DESTDIR=/tmp/root install   a staged install (packages)
#
# crash finds a bare "extend thpcheck.so" in $CRASH_EXTENSIONS, then
# /usr/lib64/crash/extensions (64-bit crash), /usr/lib/crash/extensions,
# ./extensions (in_extensions_library() in crash's extensions.c, 8.0.6):
# with PREFIX=/usr (as packages install) CRASH_EXTDIR is crash's own
# directory; elsewhere install says how to point crash at it.

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
MANDIR       ?= $(PREFIX)/share/man
DOCDIR       ?= $(PREFIX)/share/doc/thpcheck
CRASH_EXTDIR ?= $(LIBDIR)/crash/extensions
INSTALL      ?= install

MAN_PAGES := build/man/thpcheck.1 build/man/thpscan.1
INSTALL_DOCS := README.md docs/thpcheck.md docs/thpscan.md docs/signatures.md

.PHONY: man install install-thpscan install-ext uninstall

# the man pages with the version and date of debian/changelog's top entry
man: $(MAN_PAGES)
build/man/%.1: docs/%.1 debian/changelog
	@mkdir -p $(@D)
	sed -e '1s/^\(\.TH [A-Z]* 1\) "[^"]*" "thpcheck [^"]*"/\1 "$(RELEASE_DATE)" "thpcheck $(VERSION)"/' \
	    -e 's/^thpcheck [0-9][0-9.]*:/thpcheck $(VERSION):/' $< > $@

install: install-thpscan install-ext

install-thpscan: build/thpscan build/man/thpscan.1
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 755 build/thpscan $(DESTDIR)$(BINDIR)/thpscan
	$(INSTALL) -m 644 build/man/thpscan.1 $(DESTDIR)$(MANDIR)/man1/thpscan.1
	$(INSTALL) -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/

install-ext: $(EXT_SO) build/man/thpcheck.1
	$(INSTALL) -d $(DESTDIR)$(CRASH_EXTDIR) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 $(EXT_SO) $(DESTDIR)$(CRASH_EXTDIR)/thpcheck.so
	$(INSTALL) -m 644 build/man/thpcheck.1 $(DESTDIR)$(MANDIR)/man1/thpcheck.1
	@case "$(CRASH_EXTDIR)" in /usr/lib/crash/extensions|/usr/lib64/crash/extensions) ;; \
	 *) echo "note: crash does not search $(CRASH_EXTDIR): export" \
	         "CRASH_EXTENSIONS=$(CRASH_EXTDIR), or install with PREFIX=/usr" >&2 ;; esac

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/thpscan $(DESTDIR)$(CRASH_EXTDIR)/thpcheck.so \
	      $(DESTDIR)$(MANDIR)/man1/thpscan.1 $(DESTDIR)$(MANDIR)/man1/thpcheck.1
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
