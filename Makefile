# qrgate: turnstile gateway controller.
#
#   make            build qrgated and qrgatectl (build/)
#   make demo       install missing packages, build, run the gate on images/
#   make check      the same, then every test tier (tests/README.md)
#   make check-unit the unit tier alone; likewise check-integration,
#                   check-agg, check-fuzz, check-cross, check-vm,
#                   check-powercut, check-corpus, check-trixie, check-deb
#                   (ONLY=name: one test)
#   make bench      benchmarks (figures and ratios, never pass/fail)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        Debian packages in build/deb (debian/, tests/deb)
#
# Cross-build with CROSS_COMPILE=aarch64-linux-gnu- (pkg-config then looks in
# the target's multiarch directory).  A backend is built only when
# pkg-config finds its library; the build says which ones were.

CROSS_COMPILE ?=
SYSROOT ?=
comma := ,
CC  := $(CROSS_COMPILE)gcc
CXX := $(CROSS_COMPILE)g++
AR  := $(CROSS_COMPILE)ar
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build

ifneq ($(CROSS_COMPILE),)
TRIPLET := $(patsubst %-,%,$(CROSS_COMPILE))
# SYSROOT=DIR: the target's packages unpacked in DIR (tests/cross/sysroot.sh)
# rather than installed through multiarch, for a target whose packages
# cannot be installed beside the host's.
ifneq ($(SYSROOT),)
override SYSROOT := $(abspath $(SYSROOT))
PKG_CONFIG ?= env PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(TRIPLET)/pkgconfig:$(SYSROOT)/usr/share/pkgconfig pkg-config
SYSROOT_LIBDIRS := $(SYSROOT)/usr/lib/$(TRIPLET) $(SYSROOT)/lib/$(TRIPLET)
QG_CFLAGS += -I$(SYSROOT)/usr/include/$(TRIPLET) -idirafter $(SYSROOT)/usr/include
LDFLAGS += $(addprefix -L,$(SYSROOT_LIBDIRS)) $(addprefix -Wl$(comma)-rpath-link$(comma),$(SYSROOT_LIBDIRS))
endif
PKG_CONFIG ?= env PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
else
PKG_CONFIG ?= pkg-config
endif

# CI builds with -Werror; a user's build only warns.
ifeq ($(CI),true)
WERROR := -Werror
endif

CFLAGS ?= -O2 -g
QRGATE_VERSION := 0.1.0
SYSCONFDIR ?= /etc/qrgate
QG_CFLAGS += -DQRGATE_VERSION=\"$(QRGATE_VERSION)\" -DQRGATE_SYSCONFDIR=\"$(SYSCONFDIR)\"
# 64-bit file offsets and inode numbers on 32-bit targets too (armhf):
# without them readdir() and stat() fail with EOVERFLOW on large file
# systems.  time_t stays as the target's libraries were built (32-bit on
# Debian 12 armhf), so time arithmetic avoids time_t (timefmt.c).
QG_CFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra $(WERROR) -MMD -MP
CXXFLAGS ?= -O2 -g
QG_CXXFLAGS += -std=c++17 -Wall -Wextra $(WERROR) -MMD -MP

# Libraries every build needs.
REQUIRED_PC := zbar sqlite3 jansson inih libsodium libpng libjpeg libmosquitto openssl libqrencode
# Debian packages `make deps` installs when missing (build, tests, demo).
DEB_PACKAGES := build-essential pkg-config libzbar-dev zbar-tools \
	libsqlite3-dev sqlite3 libjansson-dev libinih-dev libsodium-dev \
	libpng-dev libjpeg-dev libssl-dev libgpiod-dev gpiod libevdev-dev libcmocka-dev \
	libqrencode-dev qrencode mosquitto mosquitto-clients libmosquitto-dev \
	libsystemd-dev jq file mandoc g++ libcamera-dev libzxing-dev \
	faketime tzdata curl iproute2 \
	libcairo2-dev libpango1.0-dev fonts-noto-core libdrm-dev \
	libespeak-ng-dev espeak-ng-data libasound2-dev libical-dev

have = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo yes)

# Debian's libzbar-dev cannot be installed for two architectures at once (it
# needs ImageMagick's -dev packages, which are not multi-arch), so a cross
# build uses the shared zbar.h and links the target's runtime libzbar0.
ifneq ($(CROSS_COMPILE),)
ifneq ($(call have,zbar),yes)
REQUIRED_PC := $(filter-out zbar,$(REQUIRED_PC))
CROSS_ZBAR := $(BUILD)/cross-lib/libzbar.so
EXTRA_LIBS += -L$(BUILD)/cross-lib -lzbar
endif
endif

PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(REQUIRED_PC) 2>/dev/null)
PC_LIBS   := $(shell $(PKG_CONFIG) --libs $(REQUIRED_PC) 2>/dev/null)

# Holidays from iCalendar files (qrgatectl schedule holiday import
# FILE.ics).  Debian's libical-dev cannot be installed for two
# architectures at once (its libdb-dev is not multi-arch): the arm64
# cross build goes without, and its qrgatectl says so and reads holidays
# from text files only.  `make deps` installs it for every native build.
ifeq ($(call have,libical),yes)
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags libical)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libical)
else
CTL_NO_ICAL := src/qrgatectl/ctl_ics.c
endif

CORE_SRCS := $(wildcard src/common/*.c) $(filter-out src/qrgated/qrgated.c, $(wildcard src/qrgated/*.c))
HAL_SRCS  := $(filter-out hal/gpio_gpiod%.c hal/reader_evdev.c, $(wildcard hal/*.c))
BACKENDS  := camera:file camera:v4l2 gpio:sim decoder:zbar reader:tty

# libgpiod: 1.6 (Debian 12) and 2.x (newer) have different APIs; the version
# pkg-config reports picks the code path.
ifeq ($(call have,libgpiod),yes)
GPIOD_MAJOR := $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion libgpiod)))
HAL_SRCS  += hal/gpio_gpiod.c hal/gpio_gpiod_v$(GPIOD_MAJOR).c \
	$(if $(filter 1,$(GPIOD_MAJOR)),hal/gpio_gpiod_pump.c)
QG_CFLAGS += -DCONFIG_GPIO_GPIOD -DQRGATE_GPIOD_API=$(GPIOD_MAJOR)
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags libgpiod)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libgpiod)
BACKENDS  += gpio:gpiod(libgpiod-$(GPIOD_MAJOR))
endif

# libevdev: keyboard-wedge (USB HID) scanners, grabbed for the gate alone.
ifeq ($(call have,libevdev),yes)
HAL_SRCS  += hal/reader_evdev.c
QG_CFLAGS += -DCONFIG_READER_EVDEV
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags libevdev)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libevdev)
BACKENDS  += reader:evdev
endif

# libsystemd: READY=1, STATUS= and the watchdog when run by systemd.
ifeq ($(call have,libsystemd),yes)
QG_CFLAGS += -DCONFIG_SYSTEMD
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags libsystemd)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libsystemd)
BACKENDS  += notify:systemd
endif

# libcamera: a C++ shim (hal/camera_libcamera.cpp; zxing below is the other)
# behind the C camera ops; built when pkg-config finds libcamera and there
# is a C++ compiler for the target.  Its version macros pick the API.  A
# cross build takes it only with CROSS_LIBCAMERA=yes: the cross-built unit
# tests run under qemu-user, where libcamera's tracing library (lttng-ust)
# hangs as it loads.
ifeq ($(CROSS_COMPILE),)
CROSS_LIBCAMERA := yes
endif
ifeq ($(CROSS_LIBCAMERA)$(call have,libcamera),yesyes)
ifneq ($(shell command -v $(CXX) 2>/dev/null),)
LIBCAMERA_VERSION := $(shell $(PKG_CONFIG) --modversion libcamera)
HAL_SRCS  += hal/camera_libcamera.cpp
QG_CFLAGS += -DCONFIG_CAMERA_LIBCAMERA
LIBCAMERA_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcamera)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libcamera) -lstdc++
BACKENDS  += camera:libcamera(libcamera-$(LIBCAMERA_VERSION))
endif
endif

# zxing-cpp: a second QR decoder (decoder_zxing.cpp, a C++ shim behind
# the C decoder ops) and the cascade of both; built when pkg-config finds
# zxing and there is a C++ compiler for the target; 1.x (Debian 12) and 2.x
# (Debian 13) by the major version pkg-config reports.  Debian's libzxing-dev
# is multi-arch, so a cross build takes the target's when it is installed.
ifeq ($(call have,zxing),yes)
ifneq ($(shell command -v $(CXX) 2>/dev/null),)
ZXING_VERSION := $(shell $(PKG_CONFIG) --modversion zxing)
ZXING_MAJOR := $(firstword $(subst ., ,$(ZXING_VERSION)))
CORE_SRCS += src/qrgated/decoder_zxing.cpp
QG_CFLAGS += -DCONFIG_DECODER_ZXING -DQRGATE_ZXING_API=$(ZXING_MAJOR)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs zxing) -lstdc++
BACKENDS  += decoder:zxing(zxing-$(ZXING_VERSION)) decoder:cascade
$(BUILD)/src/qrgated/decoder_zxing.o $(BUILD)/san/src/qrgated/decoder_zxing.o: \
	QG_CXXFLAGS += $(shell $(PKG_CONFIG) --cflags zxing) -DQRGATE_ZXING_API=$(ZXING_MAJOR)
endif
endif

# cairo and pango: the lane's screen (issue 19), drawn by screen_draw.c and
# written as PNGs by hal/screen_file.c; without them the gate has only the
# "none" screen.  Debian's fonts-noto-core is the font it asks for.
# libdrm adds the KMS backend (hal/screen_drm.c) to a build that draws.
SCREEN_SRCS := src/qrgated/screen_draw.c hal/screen_file.c hal/screen_drm.c
ifeq ($(call have,pangocairo)$(call have,cairo)$(call have,fontconfig),yesyesyes)
QG_CFLAGS += -DCONFIG_SCREEN
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags pangocairo cairo fontconfig)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs pangocairo cairo fontconfig)
BACKENDS  += screen:file(pangocairo-$(shell $(PKG_CONFIG) --modversion pangocairo))
ifeq ($(call have,libdrm),yes)
QG_CFLAGS += -DCONFIG_SCREEN_DRM
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags libdrm)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs libdrm)
BACKENDS  += screen:drm(libdrm-$(shell $(PKG_CONFIG) --modversion libdrm))
else
HAL_SRCS  := $(filter-out hal/screen_drm.c,$(HAL_SRCS))
endif
else
CORE_SRCS := $(filter-out $(SCREEN_SRCS),$(CORE_SRCS))
HAL_SRCS  := $(filter-out $(SCREEN_SRCS),$(HAL_SRCS))
# Its unit test is not built either (the cross builds for the Pi: their
# sysroots have no pango): a test with nothing to test is not a pass.
UNIT_LEFT_OUT += tests/unit/test_screen_draw.c
endif

# espeak-ng and ALSA: the lane's voice (issue 19), prompts synthesised by
# sound_synth.c and played by hal/sound_alsa.c or written as WAVs by
# hal/sound_file.c; without both the gate has only the "none" sound.
# Debian's espeak-ng-data holds the voices ("vi" among them).
SOUND_SRCS := src/qrgated/sound_synth.c hal/sound_file.c hal/sound_alsa.c
ifeq ($(call have,espeak-ng)$(call have,alsa),yesyes)
QG_CFLAGS += -DCONFIG_SOUND
PC_CFLAGS += $(shell $(PKG_CONFIG) --cflags espeak-ng alsa)
PC_LIBS   += $(shell $(PKG_CONFIG) --libs espeak-ng alsa)
BACKENDS  += sound:file(espeak-ng-$(shell $(PKG_CONFIG) --modversion espeak-ng)) \
	sound:alsa(alsa-$(shell $(PKG_CONFIG) --modversion alsa))
else
CORE_SRCS := $(filter-out $(SOUND_SRCS),$(CORE_SRCS))
HAL_SRCS  := $(filter-out $(SOUND_SRCS),$(HAL_SRCS))
UNIT_LEFT_OUT += tests/unit/test_sound_synth.c
endif

LIB_SRCS := $(CORE_SRCS) $(HAL_SRCS)
DAEMON_SRCS := src/qrgated/qrgated.c
CTL_SRCS := $(filter-out $(if $(CTL_NO_ICAL),$(CTL_NO_ICAL),src/qrgatectl/ctl_ics_none.c), \
	$(wildcard src/qrgatectl/*.c))

LDLIBS := $(PC_LIBS) $(EXTRA_LIBS) -lm
QG_CPPFLAGS := $(PC_CFLAGS)

obj = $(patsubst %.cpp,$(1)/%.o,$(patsubst %.c,$(1)/%.o,$(2)))

# Include paths by folder, from here only (no "../" in a source): the
# shared library sees itself; the HAL, the shared library and its own
# headers; the daemon's modules, the HAL's ops too; the CLI borrows the
# daemon's modules (as OpenBSD's bgpctl borrows bgpd's); the aggregator
# sees only the shared library.  Tests see every folder.
INC_COMMON := -Isrc/common
INC_HAL := $(INC_COMMON) -Ihal
INC_QRGATED := $(INC_HAL) -Isrc/qrgated
INC_QRGATECTL := $(INC_QRGATED) -Isrc/qrgatectl
INC_AGG := $(INC_COMMON) -Isrc/agg
INC_TESTS := $(INC_QRGATECTL) -Isrc/agg
inc = $(strip $(if $(filter hal/%,$(1)),$(INC_HAL),$(if $(filter src/common/%,$(1)),$(INC_COMMON),\
	$(if $(filter src/agg/%,$(1)),$(INC_AGG),$(if $(filter src/qrgatectl/%,$(1)),$(INC_QRGATECTL),\
	$(if $(filter src/qrgated/%,$(1)),$(INC_QRGATED),$(INC_TESTS)))))))

LIB_OBJS := $(call obj,$(BUILD),$(LIB_SRCS))
LIB := $(BUILD)/libqrgate.a
QRGATED := $(BUILD)/qrgated
QRGATECTL := $(BUILD)/qrgatectl
QRFRAME := $(BUILD)/qrframe

# Unit tests: each tests/unit/test_*.c is one cmocka program, built twice:
# plainly and with AddressSanitizer + UndefinedBehaviorSanitizer.
UNIT_SRCS := $(filter-out $(UNIT_LEFT_OUT),$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
SAN := $(BUILD)/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LIB_OBJS := $(call obj,$(SAN),$(LIB_SRCS))
SAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN)/unit/%,$(UNIT_SRCS))
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
TEST_CPPFLAGS := $(INC_TESTS) $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)

.PHONY: all deps demo check check-unit check-integration check-agg check-fuzz \
	check-cross check-vm check-corpus bench install clean images backends

all: $(QRGATED) $(QRGATECTL) $(QRFRAME) backends

backends:
	@echo "qrgate: backends built: $(BACKENDS)"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(call inc,$<) $(QG_CPPFLAGS) $(CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) -c $< -o $@

$(SAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(call inc,$<) $(QG_CPPFLAGS) $(CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(call inc,$<) $(QG_CPPFLAGS) $(LIBCAMERA_CFLAGS) $(CPPFLAGS) $(QG_CXXFLAGS) $(CXXFLAGS) -c $< -o $@

$(SAN)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(call inc,$<) $(QG_CPPFLAGS) $(LIBCAMERA_CFLAGS) $(CPPFLAGS) $(QG_CXXFLAGS) $(CXXFLAGS) $(SANFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS) | $(CROSS_ZBAR)
	$(AR) rcs $@ $(LIB_OBJS)

$(BUILD)/cross-lib/libzbar.so:
	@mkdir -p $(dir $@)
	ln -sf $(SYSROOT)/usr/lib/$(TRIPLET)/libzbar.so.0 $@

$(SAN)/libqrgate.a: $(SAN_LIB_OBJS)
	$(AR) rcs $@ $^

$(QRGATED): $(call obj,$(BUILD),$(DAEMON_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(QRGATECTL): $(call obj,$(BUILD),$(CTL_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The frame maker for images/ (libqrencode + libpng); not installed.
$(QRFRAME): images/qrframe.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(INC_COMMON) $(QG_CPPFLAGS) $(CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags libqrencode) \
		$(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) $(shell $(PKG_CONFIG) --libs libqrencode)

$(BUILD)/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(QG_CPPFLAGS) $(CPPFLAGS) $(TEST_CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) $(TEST_LIBS)

$(SAN)/unit/%: tests/unit/%.c $(SAN)/libqrgate.a
	@mkdir -p $(dir $@)
	$(CC) $(QG_CPPFLAGS) $(CPPFLAGS) $(TEST_CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) $(TEST_LIBS)

# Installs the Debian packages that are missing (with sudo when not root),
# waiting up to 10 minutes for another apt or dpkg to let go of its lock.
# A package named without an architecture must be the native one's (or
# arch all): another architecture's copy does not build natively.
# $(1): the packages; $(2): a foreign architecture to enable first, if any.
define apt_install
	@missing=""; native=$$(dpkg --print-architecture); \
	for p in $(1); do \
		case $$p in *:*) arch='[^ ]*';; *) arch="($$native|all)";; esac; \
		dpkg-query -W -f='$${Status} $${Architecture}\n' $$p 2>/dev/null | \
			grep -Eq "ok installed $$arch$$" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "qrgate: every needed package is installed"; exit 0; fi; \
	echo "qrgate: installing:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "qrgate: missing packages:$$missing; run as root or install sudo" >&2; exit 1; fi; \
	if [ -n "$(2)" ] && ! dpkg --print-foreign-architectures | grep -qx "$(2)"; then \
		$$SUDO dpkg --add-architecture $(2); fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq || \
		echo "qrgate: apt-get update had errors; trying the install anyway"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing
endef

deps:
	$(call apt_install,$(DEB_PACKAGES))

# The Pi's 64-bit userland: a cross compiler, the target's libraries and
# qemu-user to run the unit tests built for it.
ARM64_LIBS := libzbar0 libsqlite3-dev libjansson-dev libinih-dev libsodium-dev \
	libpng-dev libjpeg-dev libgpiod-dev libevdev-dev libcmocka-dev libqrencode-dev libmosquitto-dev \
	libcamera-dev libssl-dev libsystemd-dev libzxing-dev
CROSS_PACKAGES := gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static \
	$(addsuffix :arm64,$(ARM64_LIBS))

deps-cross:
	$(call apt_install,$(CROSS_PACKAGES),arm64)
	$(call apt_install,$(ARMHF_PACKAGES))
	tests/cross/sysroot.sh armhf $(ARMHF_SYSROOT) $(ARMHF_LIBS)

# The 32-bit Pi userland (armhf) builds against a sysroot of Debian's armhf
# packages (tests/cross/sysroot.sh says why not multiarch).
ARMHF_LIBS := $(filter-out libcamera-dev,$(ARM64_LIBS))
ARMHF_PACKAGES := gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-armhf-cross \
	qemu-user-static
ARMHF_SYSROOT := $(BUILD)/sysroot-armhf

# The system-test tier boots Debian's own kernel in qemu and builds gpio-sim
# and vimc for it from Debian's kernel source.  Image and headers must be of
# the one ABI the kernel metapackage points at today.
VM_PACKAGES := qemu-system-x86 linux-source-6.1 busybox-static cpio kmod \
	xz-utils v4l-utils libcamera-dev libcamera-tools libcamera-ipa gcc make \
	alsa-utils
KERNEL_ABI_PACKAGES = $$(apt-cache depends linux-image-amd64 2>/dev/null | \
	sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$$/linux-image-\1-amd64 linux-headers-\1-amd64/p')

deps-vm:
	$(call apt_install,$(VM_PACKAGES) $(KERNEL_ABI_PACKAGES))

# Debian 13 (trixie), today's Raspberry Pi OS userland (libgpiod 2,
# libcamera 0.4, zxing-cpp 2): a root made with mmdebstrap from the mirror
# apt uses here (tests/trixie/root.sh; kept while this list is the same),
# where the project is built with -Werror and its unit, integration and
# system tiers run again, and cross-built for arm64 against trixie's arm64
# libraries.  The root sees only the source tree, so BUILD must lie in it.
# Debian 13's xlsxwriter.pc requires minizip's, which its -dev package
# does not depend on (12's bundles minizip): libminizip-dev by name.
TRIXIE_DIR := $(BUILD)/sysroot-trixie
TRIXIE_PACKAGES := $(DEB_PACKAGES) libpq-dev libmicrohttpd-dev libxlsxwriter-dev libminizip-dev \
	libcairo2-dev libzip-dev libxml2-dev fonts-dejavu-core poppler-utils openssl procps \
	iproute2 libcamera-ipa libcamera-tools v4l-utils alsa-utils \
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user \
	$(addsuffix :arm64,$(filter-out libcamera-dev,$(ARM64_LIBS)))
IN_TRIXIE := tests/trixie/enter.sh $(TRIXIE_DIR)/root
NPROC := $(shell nproc 2>/dev/null || echo 1)

deps-trixie:
	$(call apt_install,mmdebstrap)
	tests/trixie/root.sh $(TRIXIE_DIR) $(TRIXIE_PACKAGES)

trixie-build:
	$(IN_TRIXIE) make -j$(NPROC) CI=$(CI) BUILD=$(BUILD)/trixie all units
	$(IN_TRIXIE) make -j$(NPROC) CI=$(CI) CROSS_COMPILE=aarch64-linux-gnu- \
		BUILD=$(BUILD)/trixie/arm64 all units-plain

images: $(QRFRAME)
	images/make-images.sh $(QRFRAME)

demo: deps
	$(MAKE) all
	tests/demo.sh $(BUILD)

# Every tier.  The unit tier runs first, on what `deps` installs alone;
# the cross toolchains and the kernel packages come after it.  Its counts
# are carried over (--tally) so that the last line counts every tier, and
# a failed unit test does not stop the other tiers, as in one run.
# The package installs run one after another: apt takes one lock.  The
# tiers after the unit tier run in two lanes at once (tests/run.sh
# --lanes); LANES= runs them one after another.
LANES ?= --lanes
check: deps
	$(MAKE) all units
	@rm -f $(BUILD)/check.tally
	-tests/run.sh --tally $(BUILD)/check.tally $(BUILD) unit
	$(MAKE) deps-cross
	$(MAKE) deps-vm
	$(MAKE) deps-trixie
	$(MAKE) powercut-build cross-build trixie-build
	tests/run.sh --tally $(BUILD)/check.tally $(LANES) $(BUILD) \
		integration agg fuzz arm64 armhf vm powercut corpus \
		trixie trixie-arm64 vm-trixie deb deb-vm

# One tier, with only what it needs installed and built first.
# ONLY=substring picks the unit programs, integration or agg tests whose
# names contain it: make check-integration ONLY=test_cli
RUN_TIER = ONLY='$(ONLY)' tests/run.sh $(BUILD)

check-unit: deps
	$(MAKE) units
	$(RUN_TIER) unit

check-integration: deps
	$(MAKE) all
	$(RUN_TIER) integration

check-agg: deps
	$(MAKE) all agg-build
	$(RUN_TIER) agg

# tests/fuzz/run.sh builds the targets itself (make fuzz-build).
check-fuzz: deps
	$(RUN_TIER) fuzz

check-cross: deps
	$(MAKE) deps-cross
	$(MAKE) cross-build
	$(RUN_TIER) arm64 armhf

check-vm: deps
	$(MAKE) deps-vm
	$(MAKE) all
	$(RUN_TIER) vm

check-corpus: deps
	$(MAKE) $(QRGATECTL)
	$(RUN_TIER) corpus

# The Debian 13 tiers: unit and integration in the root, arm64 against
# its arm64 libraries, and the system tier with its programs in the guest.
check-trixie: deps
	$(MAKE) deps-vm
	$(MAKE) deps-trixie
	$(MAKE) all trixie-build
	$(RUN_TIER) trixie trixie-arm64 vm-trixie

.PHONY: units units-plain deps-cross deps-vm cross-build agg-build \
	deps-trixie trixie-build check-trixie
units: $(UNIT_BINS) $(SAN_UNIT_BINS)
units-plain: $(UNIT_BINS)

# The daemon, the CLI and the unit tests for the Pi's two userlands.
cross-build:
	$(MAKE) CROSS_COMPILE=aarch64-linux-gnu- BUILD=$(BUILD)/arm64 all units-plain
	$(MAKE) CROSS_COMPILE=arm-linux-gnueabihf- SYSROOT=$(ARMHF_SYSROOT)/root \
		BUILD=$(BUILD)/armhf all units-plain

# What the aggregator's tier runs besides `all`: fragments add to it
# (tests/agg/web.mk: the web stub under the sanitizers).
agg-build: all

BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/bench_*.c))

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(QG_CPPFLAGS) $(CPPFLAGS) $(TEST_CPPFLAGS) $(QG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

# Fragments add the programs their benchmarks need to BENCH_BUILD;
# tests/bench/run.sh runs every tests/bench/bench_*.sh.
bench: deps
	$(MAKE) all $(BENCH_BINS) $(BENCH_BUILD)
	$(MAKE) deps-trixie
	$(IN_TRIXIE) make -j$(NPROC) BUILD=$(BUILD)/trixie $(BUILD)/trixie/bench/bench_decode
	tests/bench/run.sh $(BUILD)

MANDIR ?= $(PREFIX)/share/man

install: $(QRGATED) $(QRGATECTL)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)/lib/systemd/system \
		$(DESTDIR)/usr/lib/sysusers.d $(DESTDIR)/usr/lib/udev/rules.d \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(QRGATED) $(DESTDIR)$(PREFIX)/sbin/qrgated
	install -m 755 $(QRGATECTL) $(DESTDIR)$(PREFIX)/bin/qrgatectl
	install -m 644 config/qrgate.conf $(DESTDIR)$(SYSCONFDIR)/qrgate.conf.example
	sed 's|/usr/local|$(PREFIX)|g; s|/etc/qrgate|$(SYSCONFDIR)|g' systemd/qrgated.service \
		>$(DESTDIR)/lib/systemd/system/qrgated.service
	chmod 644 $(DESTDIR)/lib/systemd/system/qrgated.service
	install -m 644 systemd/qrgate.sysusers $(DESTDIR)/usr/lib/sysusers.d/qrgate.conf
	install -m 644 systemd/60-qrgate-gpio.rules $(DESTDIR)/usr/lib/udev/rules.d/60-qrgate-gpio.rules
	install -m 644 src/qrgatectl/qrgatectl.1 $(DESTDIR)$(MANDIR)/man1/qrgatectl.1
	install -m 644 src/qrgated/qrgate.conf.5 $(DESTDIR)$(MANDIR)/man5/qrgate.conf.5
	install -m 644 src/qrgated/qrgated.8 $(DESTDIR)$(MANDIR)/man8/qrgated.8
	@echo "qrgate: installed; then: systemd-sysusers, udevadm trigger, and"
	@echo "  cp $(SYSCONFDIR)/qrgate.conf.example $(SYSCONFDIR)/qrgate.conf; systemctl enable --now qrgated"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path '*/sysroot-*' -prune -o -name '*.d' -type f -print 2>/dev/null)

# The annotated example config is generated from the settings table; a unit
# test fails when the committed copy falls behind.
config/qrgate.conf: $(QRGATED)
	$(QRGATED) -E >$@

# Parts that keep their own rules beside their code (fuzzing, the site
# aggregator): each adds its targets and tiers here.
-include $(sort $(wildcard src/*.mk tests/*/*.mk))
