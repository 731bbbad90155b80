#!/usr/bin/env bash
# Cross-builds qrgate's packages for the Pi (arm64, armhf) as Debian
# does, dpkg-buildpackage -a ARCH, in a Debian 12 root that holds
# debian/control's build-dependencies for ARCH beside the cross compiler
# (this machine cannot: libpq-dev and libzbar-dev are not Multi-Arch:
# same).  The root is made once and kept under BUILD/deb (tests/deb/root.sh).
#
#   tests/deb/cross.sh BUILD ARCH      (as root; packages in BUILD/deb/ARCH)
#
# Then lintian, and the programs run once under qemu-user.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BUILD ARCH" >&2; exit 2; }
BUILD=$1 ARCH=$2
cd "$(dirname "$0")/../.."
host=$(dpkg --print-architecture)
# The libraries of Build-Depends, for ARCH; the tools (debhelper,
# pkg-config) run on this machine.
libs=$(sed -n '/^Build-Depends:/,/^$/p' debian/control | sed '1s/^Build-Depends://' |
	tr ',' '\n' | sed 's/^ *//; s/ *(.*//' | grep '^lib' | sed "s/\$/:$ARCH/")
gnu=$(dpkg-architecture -a "$ARCH" -qDEB_HOST_GNU_CPU 2>/dev/null)
tests/deb/root.sh "$BUILD/deb/sysroot-cross-$ARCH" bookworm "$host,$ARCH" \
	build-essential "crossbuild-essential-$ARCH" debhelper pkg-config qemu-user-static $libs
[ -x "$BUILD/deb/sysroot-cross-$ARCH/root/usr/bin/qemu-$gnu-static" ] ||
	{ echo "deb: no qemu-$gnu-static in the root" >&2; exit 1; }
tests/deb/build.sh "$BUILD/deb" --arch "$ARCH" --root "$BUILD/deb/sysroot-cross-$ARCH/root"
v=$(dpkg-parsechangelog -S Version)
lintian --fail-on error,warning "$BUILD/deb/$ARCH/qrgate_${v}_$ARCH.changes"
echo "deb: $ARCH packages lintian clean"

# The programs of the packages run (under qemu-user, in the root, which
# holds the target's libraries) and say this version.
x=$BUILD/deb/$ARCH/unpacked
rm -rf "$x"
for p in qrgate qrgate-aggregator; do dpkg-deb -x "$BUILD/deb/$ARCH/${p}_${v}_$ARCH.deb" "$x"; done
q="tests/trixie/enter.sh $BUILD/deb/sysroot-cross-$ARCH/root timeout 60 qemu-$gnu-static"
$q "$x/usr/sbin/qrgated" -V | grep -qx "qrgated ${v%-*}"
$q "$x/usr/bin/qrgatectl" --help | grep -q usage
$q "$x/usr/sbin/qrgate-aggregator" --help | grep -q usage
rm -rf "$x"
echo "deb: $ARCH programs run under qemu-$gnu-static and say ${v%-*}"
