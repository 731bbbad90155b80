# Debian packages (debian/): qrgate and qrgate-aggregator, built from a
# copy of the tree by dpkg-buildpackage (tests/deb/build.sh) into
# build/deb/ARCH; deb-arm64 and deb-armhf cross-build them in a Debian 12
# root holding the target's libraries (tests/deb/cross.sh).  check-deb
# builds them, runs lintian, and installs, upgrades and purges them in a
# Debian 12 root (tests/deb/run.sh), then boots them with systemd in qemu
# (tests/deb/boot.sh; the deb-vm tier: ~3 min, ~4 min more to make its root).

DEB_PACKAGES += debhelper lintian mmdebstrap
DEB_OUT := $(BUILD)/deb

.PHONY: deb deb-arm64 deb-armhf check-deb
deb: deps
	tests/deb/build.sh $(DEB_OUT)

deb-arm64 deb-armhf: deb-%: deps
	tests/deb/cross.sh $(BUILD) $*

check-deb: deps
	$(MAKE) deps-vm
	tests/run.sh $(BUILD) deb deb-vm
