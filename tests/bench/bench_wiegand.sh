#!/usr/bin/env bash
# A Wiegand card to the relay, in the real daemon, beside the camera's
# (decode_gate.sh) and the scanner's (bench_scanner.sh): figures, never
# pass or fail.  qrgated with a reader on sim lines (gpio.wiegand_d0/d1),
# the durable log on, the output to a controller on (wiegand.out grant);
# $QRGATE_BENCH_CARDS (100) grants of one H10301 card, each pulse stamped
# 2 ms after the one before as the kernel stamps a reader's.  For each
# grant the daemon's line gives, to 0.1 ms, the time from the card's last
# pulse to the relay driven: the reader's frame ends on silence, so it
# holds wiegand.gap_ms (25) by design, printed apart.  Then the output:
# each card sent on is read back from the sim log, and the widths and
# intervals of its pulses are printed against the 80 us and 2 ms set.
# Usage: tests/bench/bench_wiegand.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
N=${QRGATE_BENCH_CARDS:-100}
WORK=$(mktemp -d)
export BUILD SRCDIR WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/bench/lib_figures.sh"
. "$SRCDIR/tests/integration/test_wiegand.sh"
trap 'stop_gate; rm -rf "$WORK"' EXIT

if ! command -v sqlite3 >/dev/null; then
	echo "wiegand: skipped: sqlite3 is needed"
	exit 0
fi
wiegand_gate bench_wiegand
set_option lane.pulse_ms 100
set_option gpio.wiegand_out_d0 20
set_option gpio.wiegand_out_d1 21
set_option wiegand.out grant
start_gate
wait_for "the gate" status_is '.camera.state == "running"' || exit 0
bits=$(h10301_bits 12 3456)
for i in $(seq 1 "$N"); do
	wiegand_send "$bits"
	# The next card once this one's way has locked and it was sent on.
	wait_for "grant $i" status_is ".counters.grants == $i and .ways.entry == \"locked\" and .wiegand.sent == $i" || break
done
stop_gate
n=$(relay_times "$T/qrgated.log" "$T/relay.txt")
if [ "$n" -eq 0 ]; then
	echo "wiegand: no grant logged: no figures"
	exit 0
fi
gap=$(sed -n 's/^gap_ms = //p' "$T/qrgate.conf" | tail -1)
printf 'wiegand: H10301 on sim lines, %d grants: last pulse to relay p50 %.1f ms, p99 %.1f ms, max %.1f ms (of which the %s ms gap that ends a frame)\n' "$n" \
	"$(pct "$T/relay.txt" 50)" "$(pct "$T/relay.txt" 99)" "$(pct "$T/relay.txt" 100)" "${gap:-25}"
wiegand_sent >/dev/null
for what in width interval; do
	awk -v w="$what" '$1 == w && (w == "width" || $2 < 20000) { print $2 }' "$T/out.times" | sort -n >"$T/$what.txt"
	m=$(wc -l <"$T/$what.txt")
	[ "$m" -gt 0 ] || continue
	printf 'wiegand out: %d pulses: %s p50 %d us, p99 %d us, max %d us (set: %s)\n' "$m" "$what" \
		"$(pct "$T/$what.txt" 50)" "$(pct "$T/$what.txt" 99)" "$(pct "$T/$what.txt" 100)" \
		"$([ "$what" = width ] && echo 80 || echo 2000)"
done
