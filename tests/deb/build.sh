#!/usr/bin/env bash
# Builds qrgate's Debian packages (debian/) from a copy of the tree, so
# that dpkg-buildpackage, which writes beside the source directory and
# cleans it, touches neither the tree nor its build/.
#
#   tests/deb/build.sh OUTDIR [--arch ARCH] [--root ROOT] [--version VERSION]
#   tests/deb/build.sh --tree-hash
#
# The .debs, .changes and .buildinfo land in OUTDIR/ARCH/ (the host's
# architecture when no --arch).  --version rewrites the first changelog
# entry's version in the copy: tests/deb/run.sh builds a "previous"
# release that way, to upgrade from.  --arch cross-builds
# (dpkg-buildpackage -a ARCH); its build-dependencies for ARCH cannot be
# installed beside this machine's own (libpq-dev, libzbar-dev), so
# --root names a root that holds them (tests/deb/root.sh, entered with
# tests/trixie/enter.sh, which needs root); OUTDIR must then lie in the
# tree, which the root sees at the same path.
#
# OUTDIR/ARCH/tree.sha256 keeps the hash of the tree the packages were
# built from, which --tree-hash prints for the tree as it is now: the
# deb-vm tier boots the deb tier's packages when the two are the same
# rather than build them again.
set -eu
usage() { echo "usage: $0 OUTDIR [--arch ARCH] [--root ROOT] [--version VERSION] | --tree-hash" >&2; exit 2; }
[ $# -ge 1 ] || usage
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# Every file git knows or would add (edits not yet committed included),
# NUL-separated; outside git, nothing (then the tree is copied whole).
tree_files() {
	git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || return 0
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done)
}
# The names, modes and contents of those files, as one hash.
tree_hash() {
	(cd "$SRC" && tree_files | LC_ALL=C sort -z | xargs -0 stat -c '%a %n' &&
		tree_files | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
if [ "$1" = --tree-hash ]; then
	[ $# -eq 1 ] || usage
	tree_hash
	exit 0
fi
OUT=$(realpath -m "$1")
shift
arch='' root='' version=''
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
	--root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	--version) [ $# -ge 2 ] || usage; version=$2; shift 2 ;;
	*) usage ;;
	esac
done
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
	hash=$(tree_hash)
	(cd "$SRC" && tree_files | tar --null -T - -cf -) | tar -xf - -C "$work/qrgate-$upstream"
else
	tar -C "$SRC" --exclude=./build --exclude=./.git -cf - . |
		tar -xf - -C "$work/qrgate-$upstream"
fi
sed -i "1s/(.*)/($version)/" "$work/qrgate-$upstream/debian/changelog"

opts="-us -uc -b -J$(nproc)"
[ "$arch" = "$host" ] || opts="$opts -a $arch"
enter=
[ -z "$root" ] || enter="$SRC/tests/trixie/enter.sh $root"
echo "deb: building qrgate $version for $arch in $work${root:+ (in $root)}"
t0=$SECONDS
$enter /bin/sh -c "cd '$work/qrgate-$upstream' && exec dpkg-buildpackage $opts" >"$work/build.log" 2>&1 || {
	tail -n 15 "$work/build.log" >&2
	echo "deb: dpkg-buildpackage failed (whole log: $work/build.log)" >&2
	exit 1
}
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work/build.log" "$OUT/$arch/"
[ -z "${hash:-}" ] || printf '%s\n' "$hash" >"$OUT/$arch/tree.sha256"
# The copy goes: its objects' .d files would be read by the Makefile,
# which includes every .d under build/.
rm -rf "$work"
echo "deb: built in $((SECONDS - t0)) s:"
ls -1 "$OUT/$arch/"*_"$version"_*.deb
