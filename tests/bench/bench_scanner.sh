#!/usr/bin/env bash
# A serial scanner's code to the relay, in the real daemon, beside the
# camera's figures (decode_gate.sh): figures, never pass or fail.
# qrgated with a tty reader on a pty (build/ptyfeed), the sim GPIO and the
# durable log on; $QRGATE_BENCH_SCANS (200) grants of W-0001, one every
# pulse, the hold-off off.  For each grant the daemon's line says, to
# 0.1 ms, the time from the code complete at the reader (its end of line
# read by the daemon: the scanner's own decoding and the serial line's
# time are before that) to the relay driven.  A USB (evdev) scanner is
# the same path after the kernel's key timestamps; measuring it needs a
# uinput device, which the system tier has.
# Usage: tests/bench/bench_scanner.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
N=${QRGATE_BENCH_SCANS:-200}
WORK=$(mktemp -d)
export BUILD SRCDIR WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/bench/lib_figures.sh"
FEED_PID=""
trap 'stop_gate; [ -z "$FEED_PID" ] || kill "$FEED_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

if [ ! -x "$BUILD/ptyfeed" ] || ! command -v sqlite3 >/dev/null; then
	echo "scanner: skipped: build/ptyfeed and sqlite3 are needed"
	exit 0
fi
gate_config bench_scanner blank.png
set_option camera.loop true
set_option camera.fps 5
set_option decoder.holdoff_ms 0
set_option lane.pulse_ms 100
mkfifo "$T/scan.in"
"$BUILD/ptyfeed" "$T/scanner" <"$T/scan.in" &
FEED_PID=$!
exec 3>"$T/scan.in"
for i in $(seq 1 200); do [ -L "$T/scanner" ] && break; sleep 0.05; done
set_option reader.backend tty
set_option reader.device "$T/scanner"
# And the lane's screen as PNGs, beside the relay: each decision's
# screen from its request (right after the relay) to its file written.
if "$BUILD/qrgatectl" screen idle --png /dev/null 2>/dev/null; then
	mkdir -p "$T/screens"
	set_option screen.backend file
	set_option screen.directory "$T/screens"
	set_option log.level debug
fi
start_gate
wait_for "the reader" status_is '.readers[0].state == "running"' || exit 0
for i in $(seq 1 "$N"); do
	printf 'W-0001\r\n' >&3
	# The next code once this one's way has locked again.
	wait_for "grant $i" status_is ".counters.grants == $i and .ways.entry == \"locked\"" || break
done
stop_gate
n=$(relay_times "$T/qrgated.log" "$T/relay.txt")
if [ "$n" -eq 0 ]; then
	echo "scanner: no grant logged: no figures"
	exit 0
fi
printf 'scanner: tty on a pty, %d grants: code complete to relay p50 %.1f ms, p99 %.1f ms, max %.1f ms\n' "$n" \
	"$(pct "$T/relay.txt" 50)" "$(pct "$T/relay.txt" 99)" "$(pct "$T/relay.txt" 100)"
screen_shown "$T/qrgated.log" >"$T/screen.txt"
n=$(wc -l <"$T/screen.txt")
[ "$n" -eq 0 ] ||
	printf 'scanner: the screen (file backend, PNG written) of %d decisions: request (after the relay) to shown p50 %.1f ms, p99 %.1f ms, max %.1f ms\n' "$n" \
		"$(pct "$T/screen.txt" 50)" "$(pct "$T/screen.txt" 99)" "$(pct "$T/screen.txt" 100)"
