# libFuzzer targets for every parser of outside bytes (tests/fuzz/README.md).
#
#   make fuzz-build          build every target into $(BUILD)/fuzz/
#   make fuzz                run each for FUZZ_SECONDS (default 600)
#   make fuzz FUZZ_TARGETS=fuzz_payload FUZZ_SECONDS=60
#
# The library is built once more with clang, instrumented for coverage
# (-fsanitize=fuzzer-no-link) and under ASan and UBSan; each
# tests/fuzz/fuzz_<name>.c is linked with libFuzzer's main.  `make check`
# runs each target briefly (tests/fuzz/run.sh, which calls fuzz-build).

FUZZ_CC ?= clang
FUZZ := $(BUILD)/fuzz
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 2
FUZZ_CFLAGS ?= -O1 -gline-tables-only
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# The C++ shims (libcamera, zxing-cpp) are left out, and with them their
# entries in the backend tables: they parse no outside bytes of their own,
# and their libraries would only slow the fuzzers down.
FUZZ_CXX_CONFIGS := -DCONFIG_CAMERA_LIBCAMERA -DCONFIG_DECODER_ZXING
FUZZ_LIB_SRCS = $(filter %.c,$(LIB_SRCS))
FUZZ_LIB_OBJS = $(call obj,$(FUZZ),$(FUZZ_LIB_SRCS))
FUZZ_QG_CFLAGS = $(filter-out $(FUZZ_CXX_CONFIGS),$(QG_CFLAGS))
# --as-needed: the libraries of the shims left out are not loaded.
FUZZ_LDLIBS = -Wl,--as-needed $(LDLIBS)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(FUZZ_SRCS))
FUZZ_TARGETS ?= $(notdir $(FUZZ_BINS))

# libFuzzer and the sanitizers' runtimes are in libclang-rt-N-dev, of the
# version the clang package points at (14 on Debian 12).
FUZZ_RT_PACKAGE = $$(apt-cache depends clang 2>/dev/null | \
	sed -n 's/^ *Depends: clang-\([0-9]*\)$$/libclang-rt-\1-dev/p')
DEB_PACKAGES += clang $(FUZZ_RT_PACKAGE)

# The site aggregator's ingest (src/agg/), built as the aggregator is:
# with its libraries (src/aggregator.mk's AGG_PC, read before this file),
# only where pkg-config finds them all.
FUZZ_AGG_PC := $(AGG_PC)
ifeq ($(foreach p,$(FUZZ_AGG_PC),$(call have,$(p))),$(foreach p,$(FUZZ_AGG_PC),yes))
FUZZ_AGG_OBJS = $(call obj,$(FUZZ),$(filter-out src/agg/agg_main.c,$(wildcard src/agg/*.c)))
# The flags src/aggregator.mk gives its objects.
$(filter-out $(FUZZ)/src/agg/agg_xlsx.o,$(FUZZ_AGG_OBJS)): QG_CPPFLAGS += \
	$(shell $(PKG_CONFIG) --cflags $(filter-out $(AGG_XLSX_PC),$(FUZZ_AGG_PC))) \
	-DQRGATE_WEBROOT=\"$(PREFIX)/share/qrgate/web\"
$(FUZZ)/src/agg/agg_xlsx.o: QG_CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(AGG_XLSX_PC))
$(FUZZ_AGG_OBJS): tests/fuzz/fuzz.mk
$(FUZZ)/libagg.a: $(FUZZ_AGG_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
$(FUZZ)/fuzz_agg_ingest: $(FUZZ)/libagg.a
$(FUZZ)/fuzz_agg_ingest: FUZZ_EXTRA_A = $(FUZZ)/libagg.a
$(FUZZ)/fuzz_agg_ingest: FUZZ_EXTRA_LIBS = $(shell $(PKG_CONFIG) --libs $(FUZZ_AGG_PC))
else
FUZZ_BINS := $(filter-out $(FUZZ)/fuzz_agg_ingest,$(FUZZ_BINS))
endif

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

$(FUZZ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(call inc,$<) $(QG_CPPFLAGS) $(CPPFLAGS) $(FUZZ_QG_CFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

# A change of flags here rebuilds everything.
$(FUZZ_LIB_OBJS): tests/fuzz/fuzz.mk

$(FUZZ)/libqrgate.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# A target may ask the linker for more in a "// fuzz-ldflags: ..." line
# (the MQTT handlers' targets pin the clock and fence open() in with
# --wrap).
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ)/libqrgate.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(QG_CPPFLAGS) $(CPPFLAGS) $(INC_TESTS) \
		-DFUZZ_SRCDIR=\"$(CURDIR)\" $(FUZZ_QG_CFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_EXTRA_A) \
		$(FUZZ)/libqrgate.a $$(sed -n 's|^// fuzz-ldflags: ||p' $<) \
		$(FUZZ_EXTRA_LIBS) $(FUZZ_LDLIBS)

# Each target over a copy of its seeds, so what it finds stays out of the
# tree; crashes land in $(FUZZ)/crash/<target>/.
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
		tests/fuzz/run.sh --long $(BUILD) $(FUZZ_TARGETS)
