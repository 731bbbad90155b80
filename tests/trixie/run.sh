#!/usr/bin/env bash
# The tiers that run again in the Debian 13 (trixie) root, on today's
# Raspberry Pi OS libraries (libgpiod 2, libcamera 0.4, zxing-cpp 2):
#
#   tests/trixie/run.sh BUILD_DIR trixie        the unit and integration
#                                               tiers, built in the root
#   tests/trixie/run.sh BUILD_DIR trixie-arm64  the unit tests cross-built
#                                               against trixie's arm64
#                                               libraries, under qemu-user
#
# The root is BUILD_DIR/sysroot-trixie/root (make deps-trixie), the builds
# BUILD_DIR/trixie and BUILD_DIR/trixie/arm64 (make trixie-build).
# BUILD_DIR must lie inside the source tree: the root sees only the tree.
# Prints "NAME: N passed, M failed"; without the root or the build it
# exits 77 (skipped), which tests/run.sh counts as a failure in CI.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(realpath -m "${1:-build}")
NAME=${2:-trixie}
ROOT=$BUILD/sysroot-trixie/root
REL=$(realpath -m --relative-to="$SRC" "$BUILD")
case $REL in
../*|/*) echo "$NAME: $BUILD is outside $SRC, where the root cannot see it"
	echo "$NAME: 0 passed, 1 failed"; exit 1 ;;
esac
case $NAME in
trixie)		OUT=$REL/trixie; WANT=$OUT/unit ;;
trixie-arm64)	OUT=$REL/trixie/arm64; WANT=$OUT/unit ;;
*)		echo "usage: $0 BUILD_DIR trixie|trixie-arm64" >&2; exit 2 ;;
esac
if [ ! -x "$ROOT/usr/bin/make" ] || ! ls "$SRC/$WANT"/test_* >/dev/null 2>&1; then
	echo "$NAME: skipped: no Debian 13 root in $ROOT or no build in $OUT" \
	    "(make deps-trixie trixie-build)"
	exit 77
fi
# The versions the build used: the arm64 ones for the cross build.
PCDIR=
[ "$NAME" = trixie-arm64 ] && PCDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
echo "$NAME: Debian $(cat "$ROOT/etc/debian_version");" \
    "$("$SRC/tests/trixie/enter.sh" "$ROOT" env ${PCDIR:+PKG_CONFIG_LIBDIR=$PCDIR} sh -c \
	'for p in libgpiod libcamera zxing libmosquitto; do printf "%s %s " $p "$(pkg-config --modversion $p 2>/dev/null || echo -)"; done')"

case $NAME in
trixie)
	out=$("$SRC/tests/trixie/enter.sh" "$ROOT" tests/run.sh "$OUT" unit integration 2>&1)
	rc=$? ;;
trixie-arm64)
	out=$("$SRC/tests/trixie/enter.sh" "$ROOT" tests/cross/run.sh "$OUT" arm64 2>&1)
	rc=$? ;;
esac
printf '%s\n' "$out"
# The last line inside is "N passed, M failed" (tests/run.sh) or
# "arm64: N passed, M failed" (tests/cross/run.sh).
p=$(printf '%s\n' "$out" | sed -n 's/^\(.*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed.*$/\2/p' | tail -1)
f=$(printf '%s\n' "$out" | sed -n 's/^\(.*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed.*$/\3/p' | tail -1)
p=${p:-0} f=${f:-0}
[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
echo "$NAME: $p passed, $f failed"
[ "$f" = 0 ]
