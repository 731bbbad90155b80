# The power-cut tier (tests/powercut/run.sh): the gate's and the
# aggregator's databases on ext4 over dm-log-writes in the qemu guest, the
# write log replayed on the host to every cut point.
#
#   make powercut-build   the tier's programs, into $(BUILD)/powercut/
#   make check-powercut   the tier alone (POWERCUT_CUTS cut points, 240),
#                         deps and deps-vm installed first
#   make powercut-all     every cut point of the log, not a sample
#
# Its programs: dmlog (list and replay a write log), pcmark (marks the log
# in the guest at each relay pulse and each broker message) and
# qrgated-relay-first, a daemon deliberately broken (relay before commit)
# that the tier must catch.

PC := $(BUILD)/powercut
DEB_PACKAGES += libdevmapper-dev dmsetup e2fsprogs

.PHONY: powercut-build check-powercut powercut-all
powercut-build: $(PC)/dmlog $(PC)/pcmark $(PC)/qrgated-relay-first

$(PC)/dmlog: tests/powercut/dmlog.c
	@mkdir -p $(dir $@)
	$(CC) $(QG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(PC)/pcmark: tests/powercut/pcmark.c
	@mkdir -p $(dir $@)
	$(CC) $(QG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs devmapper)

# The real daemon's objects, with its commit wrapped (relay_first.c).
$(PC)/qrgated-relay-first: tests/powercut/relay_first.c $(call obj,$(BUILD),$(DAEMON_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(INC_TESTS) $(QG_CPPFLAGS) $(CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Wl,--wrap=gate_event_commit_step -o $@ $(filter-out %.h,$^) $(LDLIBS)

check-powercut: deps
	$(MAKE) deps-vm
	$(MAKE) all powercut-build
	$(RUN_TIER) powercut

powercut-all: all powercut-build
	POWERCUT_CUTS=all tests/powercut/run.sh $(BUILD)
BENCH_BUILD += powercut-build
