#!/usr/bin/env bash
# The package tier: builds qrgate's Debian packages from this tree, runs
# lintian on them, then in a fresh Debian 12 root (mmdebstrap, cached
# under BUILD/deb) installs the previous release, upgrades to this one and
# purges (tests/deb/inside.sh says what each step checks).  The previous
# release is this tree built with a lower version (0.0.1-1 below any real
# one), as an upgrade from a site's installed packages would go.
#
#   tests/deb/run.sh BUILD [vm]
#
# With "vm" (the deb-vm tier) it boots this release with systemd in qemu
# instead (tests/deb/boot.sh): the deb tier's packages when they are of
# this very tree, else a build of its own.
#
# Ends on "deb: N passed, M failed".  A step that cannot run (not root,
# no mmdebstrap, no mirror, no qemu) skips with exit 77 outside CI and
# fails in CI.
set -u
BUILD=${1:-build}
MODE=${2:-}
cd "$(dirname "$0")/../.." || exit 2
OUT=$(realpath -m "$BUILD/deb/tier")
PREV_V=0.0.1-1
CUR_V=$(dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
passed=0 failed=0
t0=$SECONDS

cannot() {	# cannot REASON: skip outside CI, fail in it
	if [ "${CI:-}" = true ]; then
		echo "deb: cannot run ($1): in CI that is a failure"
		echo "deb${MODE:+-$MODE}: $passed passed, $((failed + 1)) failed"
		exit 1
	fi
	echo "deb: SKIPPED: $1"
	exit 77
}
step() {	# step WHAT COMMAND...
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "FAIL - $what"
		printf '%s\n' "$out" | tail -n 25 | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}
finish() {
	echo "deb${MODE:+-$MODE}: $passed passed, $failed failed ($((SECONDS - t0)) s)"
	[ $failed -eq 0 ]
	exit
}

[ "$(id -u)" = 0 ] || cannot "the Debian 12 root needs root"
for t in dpkg-buildpackage dh lintian mmdebstrap unshare; do
	command -v $t >/dev/null || cannot "$t is not installed (make deps)"
done

if [ "$MODE" = vm ]; then
	command -v qemu-system-x86_64 >/dev/null || cannot "qemu-system-x86_64 is not installed (make deps-vm)"
	[ "$ARCH" = amd64 ] || cannot "the guest is amd64 and this machine $ARCH"
	# The deb tier's packages of this very tree, when it has just built
	# them (make check runs it first); else a build of its own.
	DEB=$(realpath -m "$BUILD/deb/tier/cur")
	OUT=$(realpath -m "$BUILD/deb/tier-vm")
	rm -rf "$OUT"
	if [ -f "$DEB/$ARCH/qrgate_${CUR_V}_$ARCH.deb" ] && [ -f "$DEB/$ARCH/tree.sha256" ] &&
	   [ "$(cat "$DEB/$ARCH/tree.sha256")" = "$(tests/deb/build.sh --tree-hash)" ]; then
		echo "deb-vm: the deb tier's packages of this tree ($DEB/$ARCH)"
		OUT=$DEB
	else
		step "build $CUR_V (dpkg-buildpackage)" tests/deb/build.sh "$OUT"
		[ $failed -eq 0 ] || finish
	fi
	out=$(tests/deb/boot.sh "$BUILD" "$OUT/$ARCH" "$CUR_V" 2>&1)
	printf '%s\n' "$out"
	passed=$((passed + $(printf '%s\n' "$out" | grep -c '^ok - ')))
	failed=$((failed + $(printf '%s\n' "$out" | grep -c '^FAIL - ')))
	printf '%s\n' "$out" | grep -q '^ok - the guest powered off' || [ $failed -gt 0 ] || failed=$((failed + 1))
	finish
fi

rm -rf "$OUT"
step "build $CUR_V (dpkg-buildpackage)" tests/deb/build.sh "$OUT/cur"
step "build $PREV_V from the same tree" tests/deb/build.sh "$OUT/prev" --version "$PREV_V"
[ $failed -eq 0 ] || finish
step "lintian clean (errors and warnings; overrides in debian/)" \
	lintian --fail-on error,warning "$OUT/cur/$ARCH/qrgate_${CUR_V}_$ARCH.changes"

# The root (tests/deb/base-root.sh): made once, copied for each run (the
# run installs and purges in it).  Roots are named sysroot-*: the Makefile
# looks for .d files in build/ but not in those.
tests/deb/base-root.sh "$BUILD" "$OUT/cur/$ARCH" "$CUR_V" ||
	cannot "mmdebstrap could not make the Debian 12 root"
ROOT=$BUILD/deb/sysroot-run
rm -rf "$ROOT"
cp -a "$BUILD/deb/sysroot-bookworm/root" "$ROOT"
out=$(tests/trixie/enter.sh "$ROOT" tests/deb/inside.sh \
	"$OUT/prev/$ARCH" "$PREV_V" "$OUT/cur/$ARCH" "$CUR_V" 2>&1)
printf '%s\n' "$out"
passed=$((passed + $(printf '%s\n' "$out" | grep -c '^ok - ')))
failed=$((failed + $(printf '%s\n' "$out" | grep -c '^FAIL - ')))
printf '%s\n' "$out" | grep -q '^inside: 0 failed$' || [ $failed -gt 0 ] || failed=$((failed + 1))
rm -rf "$ROOT"
finish
