#!/usr/bin/env bash
# Runs the test tiers and ends with one line "N passed, N failed".
#   unit         cmocka programs, plain and under ASan/UBSan
#   integration  the real daemon on images/ with sim GPIO and real SQLite
#   agg          qrgate-aggregator, a real broker, SQLite and PostgreSQL
#   fuzz         each libFuzzer target briefly under ASan/UBSan (tests/fuzz)
#   arm64        the unit tests cross-built for the 64-bit Pi, under qemu-user
#   armhf        the same for the 32-bit Pi (a sysroot of Debian's armhf)
#   vm           the real daemon on Debian's kernel in qemu: gpio-sim, vivid
#   powercut     its disk cut at every flush and mark (dm-log-writes)
#   corpus       qrgatectl scan on ../shared/corpus/qr-photos
#   trixie       the unit and integration tiers again, built in a Debian 13
#                root (today's Raspberry Pi OS: libgpiod 2, libcamera 0.4,
#                zxing-cpp 2; tests/trixie)
#   trixie-arm64 the unit tests cross-built against Debian 13's arm64
#                libraries, under qemu-user
#   vm-trixie    the vm tier with the Debian 13 build and userland
#   deb          the Debian packages: built, lintian, installed, upgraded
#                and purged in a Debian 12 root (tests/deb)
#   deb-vm       the package installed in a Debian 12 disk booted with
#                systemd in qemu: active, through a reboot, stops
#                fail-secure (tests/deb/boot.sh)
# A tier may skip only outside CI, and then says why; in CI a skip fails.
# tests/README.md says what each tier needs and how to run one test alone.
#
# Usage: tests/run.sh [--tally FILE] [--lanes] BUILD_DIR [TIER...]
#   TIER...      the tiers to run, in the order above (default: all;
#                "cross" is arm64 and armhf).  ONLY=substring, in the
#                environment, picks the unit programs and the integration
#                and agg tests whose names contain it.
#   --tally FILE adds the counts FILE holds to this run's, writes the sums
#                back, and the last line says the sums: make check runs
#                the unit tier before it installs the cross toolchains and
#                kernel packages, the other tiers after, and still ends on
#                one line that counts them all.
#   --lanes      runs the tiers in two lanes at once (make check does):
#                the qemu lane (QEMU_TIERS below) spends its time in one
#                qemu process or in apt and dpkg, the host lane in the
#                daemon's tests, a core or less each, so that two cores
#                finish both in about the time of the longer.  Each lane
#                is this script again, its output in BUILD_DIR/lane-*.log
#                (to follow a run), printed whole when both have ended.
set -u
TIERS="unit integration agg fuzz arm64 armhf vm powercut corpus trixie trixie-arm64 vm-trixie deb deb-vm"
# deb rides with the qemu tiers: deb-vm boots the packages it builds.
QEMU_TIERS="arm64 armhf vm powercut trixie-arm64 vm-trixie deb deb-vm"
usage() {
	echo "usage: $0 [--tally FILE] [--lanes] BUILD_DIR [TIER...]" >&2
	echo "tiers: $TIERS cross" >&2
	exit 2
}
tallyfile=
if [ "${1:-}" = --tally ]; then
	[ $# -ge 2 ] || usage
	tallyfile=$(realpath -m "$2")
	shift 2
fi
lanes=false
if [ "${1:-}" = --lanes ]; then
	lanes=true
	shift
fi
BUILD=${1:-build}
[ $# -gt 0 ] && shift
case " $TIERS cross " in
*" $BUILD "*) echo "$0: '$BUILD' is a tier; the build directory comes first" >&2; usage ;;
esac
want=" "
for t in "$@"; do
	case " $TIERS " in
	*" $t "*) want="$want$t " ;;
	*) [ "$t" = cross ] && { want="${want}arm64 armhf "; continue; }
	   echo "$0: no tier '$t'" >&2; usage ;;
	esac
done
[ "$want" = " " ] && want=" $TIERS "
cd "$(dirname "$0")/.." || exit 2
export QRGATE_SRCDIR=$PWD
passed=0 failed=0 skipped=0
if [ -n "$tallyfile" ] && [ -s "$tallyfile" ]; then
	read -r passed failed skipped <"$tallyfile"
fi

tally() {	# tally PASSED FAILED
	passed=$((passed + $1))
	failed=$((failed + $2))
}

wanted() {	# wanted TIER: named on the command line, or none was
	[[ $want == *" $1 "* ]]
}

# A tier that cannot run here: outside CI it is skipped, having said why;
# in CI that is a failure.
skip() {	# skip NAME
	if [ "${CI:-}" = true ]; then
		echo "$1: skipped in CI: that is a failure"
		tally 0 1
	else
		skipped=$((skipped + 1))
	fi
}

unit() {
	local bin out rc ok bad n=0
	echo "== unit tests (plain and ASan/UBSan)"
	for bin in "$BUILD"/unit/test_* "$BUILD"/san/unit/test_*; do
		[ -x "$bin" ] || continue
		[ -n "${ONLY:-}" ] && [[ ${bin##*/} != *$ONLY* ]] && continue
		n=$((n + 1))
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
	if [ $n -eq 0 ]; then
		echo "unit: skipped: no test program in $BUILD/unit${ONLY:+ matching '$ONLY'} (make units)"
		skip unit
	fi
}

tier() {	# tier NAME SCRIPT...
	local name=$1 out rc p f t0=$SECONDS
	shift
	echo "== $name"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "== $name: $((SECONDS - t0)) s"
	if [ $rc -eq 77 ]; then
		skip "$name"
		return
	fi
	p=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\2/p' | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	tally "$p" "$f"
}

# lane NAME TIER...: this script on those tiers, to BUILD/lane-NAME.log,
# its counts to BUILD/lane-NAME.tally ("1 failed" if it wrote none).
lane() {
	local name=$1
	shift
	rm -f "$BUILD/lane-$name.tally"
	[ $# -gt 0 ] || { echo "0 0 0" >"$BUILD/lane-$name.tally"; return; }
	tests/run.sh --tally "$BUILD/lane-$name.tally" "$BUILD" "$@" >"$BUILD/lane-$name.log" 2>&1
	[ -s "$BUILD/lane-$name.tally" ] || echo "0 1 0" >"$BUILD/lane-$name.tally"
}

if $lanes; then
	host=() qemu=()
	for t in $TIERS; do
		[ "$t" != unit ] && wanted "$t" || continue
		case " $QEMU_TIERS " in
		*" $t "*) qemu+=("$t") ;;
		*) host+=("$t") ;;
		esac
	done
	wanted unit && unit
	t0=$SECONDS
	echo "== two lanes at once: host (${host[*]}), qemu (${qemu[*]})"
	echo "   their output as they run: $BUILD/lane-host.log, $BUILD/lane-qemu.log"
	lane host "${host[@]}" &
	hostpid=$!
	lane qemu "${qemu[@]}"
	wait "$hostpid"
	for name in host qemu; do
		[ -f "$BUILD/lane-$name.log" ] && cat "$BUILD/lane-$name.log"
		read -r p f s <"$BUILD/lane-$name.tally"
		tally "$p" "$f"
		skipped=$((skipped + s))
	done
	echo "== both lanes: $((SECONDS - t0)) s"
	want=" "	# every tier has run
fi

wanted unit && unit
wanted integration && tier "integration tests" tests/integration/run.sh "$BUILD"
wanted agg && tier "site aggregator: real broker, SQLite and PostgreSQL" tests/agg/run.sh "$BUILD"
wanted fuzz && tier "fuzz: each target briefly under ASan/UBSan" tests/fuzz/run.sh "$BUILD"
wanted arm64 && tier "arm64 unit tests under qemu-user" tests/cross/run.sh "$BUILD/arm64" arm64
wanted armhf && tier "armhf unit tests under qemu-user" tests/cross/run.sh "$BUILD/armhf" armhf "$BUILD/sysroot-armhf/root"
wanted vm && tier "system tests: Debian's kernel in qemu (gpio-sim, vivid, vimc)" tests/vm/run.sh "$BUILD"
wanted powercut && tier "power cuts: dm-log-writes in qemu, the log replayed to each cut point" tests/powercut/run.sh "$BUILD"
wanted corpus && tier "corpus: qrgatectl scan on real photos" tests/corpus/run.sh "$BUILD"
wanted trixie && tier "Debian 13: unit and integration tiers in its root" tests/trixie/run.sh "$BUILD" trixie
wanted trixie-arm64 && tier "Debian 13: arm64 unit tests under qemu-user" tests/trixie/run.sh "$BUILD" trixie-arm64
wanted vm-trixie && tier "Debian 13: system tests, its programs and libraries in the guest" \
	env VM_USERLAND="$BUILD/sysroot-trixie/root" tests/vm/run.sh "$BUILD" "$BUILD/trixie"
wanted deb && tier "Debian packages: lintian, install, upgrade, purge in a Debian 12 root" \
	tests/deb/run.sh "$BUILD"
wanted deb-vm && tier "Debian packages: booted with systemd in qemu" tests/deb/run.sh "$BUILD" vm

[ -n "$tallyfile" ] && echo "$passed $failed $skipped" >"$tallyfile"
echo
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
