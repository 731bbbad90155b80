#!/usr/bin/env bash
# Runs every test tier and ends with one line "N passed, N failed".
#   unit         cmocka programs, plain and under ASan/UBSan
#   integration  the real daemon on images/ with sim GPIO and real SQLite
#   agg          qrgate-aggregator, a real broker, SQLite and PostgreSQL
#   fuzz         each libFuzzer target briefly under ASan/UBSan (tests/fuzz)
#   arm64        the unit tests cross-built for the 64-bit Pi, under qemu-user
#   armhf        the same for the 32-bit Pi (a sysroot of Debian's armhf)
#   vm           the real daemon on Debian's kernel in qemu: gpio-sim, vivid
#   powercut     its disk cut at every flush and mark (dm-log-writes)
#   corpus       qrgatectl scan on ../shared/corpus/qr-photos
# A tier may skip only outside CI, and then says why; in CI a skip fails.
# Usage: tests/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.."
export QRGATE_SRCDIR=$PWD
passed=0 failed=0 skipped=0

tally() {	# tally PASSED FAILED
	passed=$((passed + $1))
	failed=$((failed + $2))
}

echo "== unit tests (plain and ASan/UBSan)"
for bin in "$BUILD"/unit/test_* "$BUILD"/san/unit/test_*; do
	[ -x "$bin" ] || continue
	out=$("$bin" 2>&1)
	rc=$?
	ok=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	bad=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	ok=${ok:-0} bad=${bad:-0}
	if [ $rc -ne 0 ] && [ "$bad" = 0 ]; then bad=1; fi	# crashed, or a sanitizer stopped it
	tally "$ok" "$bad"
	printf '%-48s %3d passed, %d failed\n' "$bin" "$ok" "$bad"
	[ "$bad" = 0 ] || printf '%s\n' "$out" | grep -v '^\[ *\(RUN\|OK\) ' | tail -30
done

tier() {	# tier NAME SCRIPT...
	local name=$1 out rc p f
	shift
	echo "== $name"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if [ $rc -eq 77 ]; then
		if [ "${CI:-}" = true ]; then
			echo "$name: skipped in CI: that is a failure"
			tally 0 1
		else
			skipped=$((skipped + 1))
		fi
		return
	fi
	p=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\2/p' | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	tally "$p" "$f"
}

tier "integration tests" tests/integration/run.sh "$BUILD"
tier "site aggregator: real broker, SQLite and PostgreSQL" tests/agg/run.sh "$BUILD"
tier "fuzz: each target briefly under ASan/UBSan" tests/fuzz/run.sh "$BUILD"
tier "arm64 unit tests under qemu-user" tests/cross/run.sh "$BUILD/arm64" arm64
tier "armhf unit tests under qemu-user" tests/cross/run.sh "$BUILD/armhf" armhf "$BUILD/sysroot-armhf/root"
tier "system tests: Debian's kernel in qemu (gpio-sim, vivid, vimc)" tests/vm/run.sh "$BUILD"
tier "power cuts: dm-log-writes in qemu, the log replayed to each cut point" tests/powercut/run.sh "$BUILD"
tier "corpus: qrgatectl scan on real photos" tests/corpus/run.sh "$BUILD"

echo
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
