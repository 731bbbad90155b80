# The site aggregator (src/agg/): qrgate-aggregator, built from src/agg/*.c
# and the gate's library (loop, log, timefmt), with libpq, libmicrohttpd,
# libxlsxwriter (the visitor register for the authorities), cairo
# (badge cards, the muster list), and libzip with libxml2 (HR's XLSX
# people list: a zip of XML) besides the gate's own libraries.  Built
# when pkg-config finds them all (a cross build for the Pi usually does
# not: the aggregator runs on a site server).  Its test tier is
# tests/agg/run.sh; `make bench`
# adds tests/bench/bench_agg.sh.

AGG := $(BUILD)/qrgate-aggregator
AGG_LOAD := $(BUILD)/bench/agg_load
AGG_SRCS := $(wildcard src/agg/*.c)
AGG_OBJS := $(call obj,$(BUILD),$(AGG_SRCS))
AGG_PC := libpq libmicrohttpd xlsxwriter cairo libzip libxml-2.0

# cairo draws badge cards and the muster list (PDF, PNG) in DejaVu Sans;
# the tests render the PDFs with poppler's pdftoppm and pdftotext.
DEB_PACKAGES += libpq-dev libmicrohttpd-dev postgresql libxlsxwriter-dev \
	libcairo2-dev fonts-dejavu-core poppler-utils libzip-dev libxml2-dev libminizip-dev

ifeq ($(call have,libpq)$(call have,libmicrohttpd)$(call have,xlsxwriter)$(call have,cairo)$(call have,libzip)$(call have,libxml-2.0),yesyesyesyesyesyes)
all: $(AGG)
BENCH_BUILD += $(AGG_LOAD)
install: install-aggregator
BACKENDS += aggregator
else
all: aggregator-skipped
endif

# The attendance computation is pure C over libc (src/agg/attendance.c):
# its unit test links it beside the gate's library, whether or not the
# aggregator's own libraries are here.
$(BUILD)/unit/test_attendance: $(BUILD)/src/agg/attendance.o
$(SAN)/unit/test_attendance: $(SAN)/src/agg/attendance.o

# AGG_RUN: what runs a cross-built aggregator here (qemu-user), for the
# example config `make install` has it write (debian/rules sets it).
AGG_RUN ?=

.PHONY: aggregator-skipped bench-agg install-aggregator
aggregator-skipped:
	@echo "qrgate: qrgate-aggregator not built: pkg-config finds no $(AGG_PC) (make deps)"

# Where `make install` puts the page, so the default web_root finds it.
# The XLSX reader alone sees libzip's and libxml2's flags, the others
# every other library's: Debian 13's xlsxwriter.pc adds
# -I/usr/include/minizip, whose zip.h would hide libzip's.
AGG_XLSX_PC := libzip libxml-2.0
AGG_XLSX_OBJ := $(BUILD)/src/agg/agg_xlsx.o
$(filter-out $(AGG_XLSX_OBJ),$(AGG_OBJS)): QG_CPPFLAGS += \
	$(shell $(PKG_CONFIG) --cflags $(filter-out $(AGG_XLSX_PC),$(AGG_PC)) 2>/dev/null) \
	-DQRGATE_WEBROOT=\"$(PREFIX)/share/qrgate/web\"
$(AGG_XLSX_OBJ): QG_CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(AGG_XLSX_PC) 2>/dev/null)

$(AGG): $(AGG_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs $(AGG_PC) 2>/dev/null)

# The load generator of the benchmark: simulated gates publishing events.
$(AGG_LOAD): tests/bench/agg_load.c
	@mkdir -p $(dir $@)
	$(CC) $(QG_CPPFLAGS) $(CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs libmosquitto) -lpthread

bench-agg: $(AGG) $(AGG_LOAD)
	tests/bench/bench_agg.sh $(BUILD)

install-aggregator: $(AGG)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(AGG) $(DESTDIR)$(PREFIX)/sbin/qrgate-aggregator
	install -m 644 src/agg/qrgate-aggregator.8 $(DESTDIR)$(MANDIR)/man8/qrgate-aggregator.8
	$(AGG_RUN) $(AGG) -E >$(DESTDIR)$(SYSCONFDIR)/aggregator.conf.example
	install -d $(DESTDIR)/lib/systemd/system
	sed 's|/usr/local|$(PREFIX)|g; s|/etc/qrgate|$(SYSCONFDIR)|g' systemd/qrgate-aggregator.service \
		>$(DESTDIR)/lib/systemd/system/qrgate-aggregator.service
	chmod 644 $(DESTDIR)/lib/systemd/system/qrgate-aggregator.service
	install -d $(DESTDIR)/usr/lib/sysusers.d
	install -m 644 systemd/qrgate-aggregator.sysusers $(DESTDIR)/usr/lib/sysusers.d/qrgate-aggregator.conf
