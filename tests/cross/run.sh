#!/usr/bin/env bash
# The unit tests cross-built for the Pi (aarch64), run under qemu-user.
# Usage: tests/cross/run.sh BUILD_DIR   (the arm64 build: BUILD_DIR/unit/test_*)
set -u
BUILD=${1:-build/arm64}
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
SYSROOT=/usr/aarch64-linux-gnu
if [ -z "$QEMU" ] || ! ls "$BUILD"/unit/test_* >/dev/null 2>&1; then
	echo "arm64: SKIPPED: no qemu-aarch64 or no arm64 build in $BUILD (make check builds both)"
	exit 77
fi
passed=0 failed=0
for bin in "$BUILD"/unit/test_*; do
	case $bin in *.d) continue ;; esac
	file -b "$bin" | grep -q aarch64 || { echo "$bin is not an aarch64 program"; failed=$((failed + 1)); continue; }
	out=$(timeout 600 "$QEMU" -L "$SYSROOT" "$bin" 2>&1)
	rc=$?
	ok=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	bad=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	ok=${ok:-0} bad=${bad:-0}
	[ $rc -ne 0 ] && [ "$bad" = 0 ] && bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
	printf '%-44s %3d passed, %d failed (aarch64, qemu-user)\n' "$bin" "$ok" "$bad"
	[ "$bad" = 0 ] || printf '%s\n' "$out" | tail -20
done
echo "arm64: $passed passed, $failed failed"
[ $failed -eq 0 ]
