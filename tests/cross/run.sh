#!/usr/bin/env bash
# The unit tests cross-built for the Pi, run under qemu-user: arm64 (64-bit
# Pi OS, against Debian's multiarch packages) or armhf (32-bit Pi OS,
# against a sysroot of Debian's armhf packages).
# Usage: tests/cross/run.sh BUILD_DIR [arm64|armhf] [SYSROOT]
set -u
BUILD=${1:-build/arm64}
ARCH=${2:-arm64}
case $ARCH in
arm64)	QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
	MACHINE=aarch64 LIBC=/usr/aarch64-linux-gnu LIBPATH= ;;
armhf)	QEMU=$(command -v qemu-arm-static || command -v qemu-arm || true)
	MACHINE=ARM, LIBC=/usr/arm-linux-gnueabihf
	SYSROOT=${3:-}
	LIBPATH=$SYSROOT/usr/lib/arm-linux-gnueabihf:$SYSROOT/lib/arm-linux-gnueabihf ;;
*)	echo "usage: $0 BUILD_DIR [arm64|armhf] [SYSROOT]" >&2; exit 2 ;;
esac
if [ -z "$QEMU" ] || ! ls "$BUILD"/unit/test_* >/dev/null 2>&1; then
	echo "$ARCH: SKIPPED: no qemu-user for $ARCH or no $ARCH build in $BUILD (make check builds both)"
	exit 77
fi
passed=0 failed=0
for bin in "$BUILD"/unit/test_*; do
	case $bin in *.d) continue ;; esac
	file -b "$bin" | grep -q "$MACHINE" || { echo "$bin is not an $ARCH program"; failed=$((failed + 1)); continue; }
	# QRGATE_QEMU_USER tells a test what it cannot check here (a seccomp
	# filter: qemu-user does not emulate one).
	if [ -n "$LIBPATH" ]; then
		out=$(timeout 600 "$QEMU" -L "$LIBC" -E QRGATE_QEMU_USER=1 -E LD_LIBRARY_PATH="$LIBPATH" "$bin" 2>&1)
	else
		out=$(timeout 600 "$QEMU" -L "$LIBC" -E QRGATE_QEMU_USER=1 "$bin" 2>&1)
	fi
	rc=$?
	ok=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	bad=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	ok=${ok:-0} bad=${bad:-0}
	[ $rc -ne 0 ] && [ "$bad" = 0 ] && bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
	printf '%-44s %3d passed, %d failed (%s, qemu-user)\n' "$bin" "$ok" "$bad" "$ARCH"
	[ "$bad" = 0 ] || printf '%s\n' "$out" | tail -20
done
echo "$ARCH: $passed passed, $failed failed"
[ $failed -eq 0 ]
