#!/usr/bin/env bash
# The Debian 12 root both package tiers start from, made once (cached by
# tests/deb/root.sh in BUILD/deb/sysroot-bookworm): systemd, the kernel
# and its initramfs for the deb-vm tier's guest, and the dependencies of
# the two packages, so that apt installs from the .debs alone.  The deb
# tier installs and purges in a copy; the deb-vm tier boots a copy.
#
#   tests/deb/base-root.sh BUILD DEB_DIR VERSION
set -eu
BUILD=$1 DEBS=$2 VERSION=$3
cd "$(dirname "$0")/../.."
ARCH=$(dpkg --print-architecture)
deps=$(for p in qrgate qrgate-aggregator; do dpkg-deb -f "$DEBS/${p}_${VERSION}_$ARCH.deb" Depends; done |
	tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$' | sort -u)
# shellcheck disable=SC2086 # one package per word
exec tests/deb/root.sh "$BUILD/deb/sysroot-bookworm" bookworm "$ARCH" systemd systemd-sysv \
	udev procps linux-image-amd64 initramfs-tools $deps
