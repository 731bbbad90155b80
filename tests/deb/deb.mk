# Debian packages (debian/): qrgate and qrgate-aggregator, built from a
# copy of the tree by dpkg-buildpackage (tests/deb/build.sh) into
# build/deb/ARCH.  check-deb builds them, runs lintian, and installs,
# upgrades and purges them in a Debian 12 root (tests/deb/run.sh).

DEB_PACKAGES += debhelper lintian
DEB_OUT := $(BUILD)/deb

.PHONY: deb check-deb
deb: deps
	tests/deb/build.sh $(DEB_OUT)
