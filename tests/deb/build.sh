#!/usr/bin/env bash
# Builds qrgate's Debian packages (debian/) from a copy of the tree, so
# that dpkg-buildpackage, which writes beside the source directory and
# cleans it, touches neither the tree nor its build/.
#
#   tests/deb/build.sh OUTDIR [--arch ARCH] [--version VERSION]
#
# The .debs, .changes and .buildinfo land in OUTDIR/ARCH/ (the host's
# architecture when no --arch).  --version rewrites the first changelog
# entry's version in the copy: tests/deb/run.sh builds a "previous"
# release that way, to upgrade from.  --arch cross-builds (the Makefile's
# CROSS_COMPILE route): the build-dependencies are not checked (-d), as
# Debian 12's libzbar-dev cannot be installed for a second architecture;
# the Makefile links the target's libzbar0 instead.  For armhf, whose
# libraries come from a sysroot (tests/cross/sysroot.sh), SYSROOT must
# name it in the environment.
set -eu
usage() { echo "usage: $0 OUTDIR [--arch ARCH] [--version VERSION]" >&2; exit 2; }
[ $# -ge 1 ] || usage
OUT=$(realpath -m "$1")
shift
arch= version=
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
	--version) [ $# -ge 2 ] || usage; version=$2; shift 2 ;;
	*) usage ;;
	esac
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
host=$(dpkg --print-architecture)
[ -n "$arch" ] || arch=$host
[ -n "$version" ] || version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
upstream=${version%-*}

# The copy: every file git knows or would add (edits not yet committed
# included), or, outside git, the tree without build/ and .git.
work=$OUT/$arch/src
rm -rf "$work"
mkdir -p "$work/qrgate-$upstream"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$work/qrgate-$upstream"
else
	tar -C "$SRC" --exclude=./build --exclude=./.git -cf - . |
		tar -xf - -C "$work/qrgate-$upstream"
fi
sed -i "1s/(.*)/($version)/" "$work/qrgate-$upstream/debian/changelog"

opts="-us -uc -b"
[ "$arch" = "$host" ] || opts="$opts -a $arch -d"
echo "deb: building qrgate $version for $arch in $work"
t0=$SECONDS
(cd "$work/qrgate-$upstream" && dpkg-buildpackage $opts) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "deb: dpkg-buildpackage failed (whole log: $work/build.log)" >&2
	exit 1
}
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$OUT/$arch/"
echo "deb: built in $((SECONDS - t0)) s:"
ls -1 "$OUT/$arch/"*_"$version"_*.deb
