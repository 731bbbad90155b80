#!/usr/bin/env bash
# MQTT figures, never pass or fail, against a real mosquitto on a loopback
# port (tests/integration/lib_mqtt.sh):
#   burst  decisions made by the daemon (a looping camera, no hold-off)
#          to their receipt by a subscriber: rate and latency;
#   drain  an outbox of $QRGATE_BENCH_DRAIN (200,000) events, filled
#          through the store API (bench_outbox), sent by the real daemon
#          after an "outage", against the baseline of mosquitto_pub -l
#          publishing as many messages of the same size at QoS 1 with the
#          same window (20 in flight) to the same broker and subscriber.
# Usage: tests/bench/bench_mqtt.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=""		# each part makes its own
N=${QRGATE_BENCH_DRAIN:-200000}
export BUILD SRCDIR WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_mqtt.sh"

bench_done() {
	mqtt_cleanup
	rm -rf "$WORK"
}

now() { date +%s.%N; }

# A broker that logs only what the bench waits for: logging every
# message would slow it down.
bench_broker() {
	sed -i 's/^log_type all$/log_type error\nlog_type warning\nlog_type subscribe/' \
		"$T/mosquitto.conf"
	broker_start
}

# bench_sub ID TOPIC [mosquitto_sub options]: a subscriber writing
# "RECEIVED_AT PAYLOAD" lines to $T/ID.txt; returns once subscribed.
bench_sub() {
	local id=$1 topic=$2
	shift 2
	mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -i "$id" -q 1 -t "$topic" \
		-F '%U %p' "$@" >"$T/$id.txt" 2>/dev/null &
	SUB_PID=$!
	MQTT_PIDS="$MQTT_PIDS $SUB_PID"
	mqtt_wait "subscriber $id" 10 grep -q " $id 1 $topic" "$T/mosquitto.log"
}

# p50 and p99 of numbers, one a line.
percentiles() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "p50 %.1f ms, p99 %.1f ms", v[int(NR / 2) + 1], v[int(NR * 0.99) + 1] }'
}

# burst FPS: five seconds of decisions on every frame, FPS a second.
burst() {
	local secs=5 fps=$1
	WORK=$(mktemp -d /tmp/qrgate-bench-mqtt.XXXXXX)
	gate_config burst badge-W0001.png badge-W9999.png
	set_option camera.loop true
	set_option camera.fps "$fps"
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	set_option log.level warn
	mqtt_setup
	trap bench_done EXIT
	bench_broker
	bench_sub burst "$TOPIC/events"
	start_gate
	sleep "$secs"
	set_option camera.source "$SRCDIR/images/blank.png"
	set_option camera.loop false
	kill -HUP "$GATE_PID"
	wait_idle
	wait_for "the outbox to drain" outbox_empty
	stop_gate
	# Decisions (rev 0): made at ts_ms, received at %U.
	awk '{ if (match($0, /"rev":0/) && match($0, /"ts_ms":[0-9]+/)) {
		ts = substr($0, RSTART + 8, RLENGTH - 8); t = $1 * 1000
		print ts, t - ts } }' "$T/burst.txt" >"$T/burst.lat"
	awk -v fps="$fps" '{ n++; if (!first || $1 < first) first = $1; last = $1 + $2 }
	    END { if (n) printf "mqtt burst at %d frames/s: %d decisions, first decision to last receipt %.2f s: %.0f events/s\n",
		fps, n, (last - first) / 1000, n / ((last - first) / 1000) }' "$T/burst.lat"
	printf 'mqtt burst at %d frames/s: decision to subscriber %s\n' "$fps" \
	    "$(cut -d' ' -f2 "$T/burst.lat" | percentiles)"
	bench_done
	trap - EXIT
}

drain() {
	local t0 t1 b0 b1 line hwm f
	WORK=$(mktemp -d /tmp/qrgate-bench-mqtt.XXXXXX)
	gate_config drain blank.png
	set_option log.level warn
	mqtt_setup
	trap bench_done EXIT
	"$BUILD/bench/bench_outbox" "$T/qrgate.db" "$N" | sed 's/^/mqtt drain: /'
	bench_broker
	bench_sub drain "$TOPIC/events" -C "$N"
	t0=$(now)
	start_gate
	hwm=0
	while kill -0 "$SUB_PID" 2>/dev/null; do
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$GATE_PID/status" 2>/dev/null || echo "$hwm")
		sleep 0.2
	done
	t1=$(now)
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$GATE_PID/status" 2>/dev/null || echo "$hwm")
	stop_gate
	# The baseline: the same number of messages of the same size, in runs
	# of 50,000: mosquitto_pub -l (2.0.11) stops early once its message
	# ids wrap round at 65,535.
	line=$(head -1 "$T/drain.txt" | cut -d' ' -f2-)
	yes "$line" | head -n "$N" | split -l 50000 - "$T/lines."
	bench_sub baseline bench/baseline -C "$N"
	b0=$(now)
	for f in "$T"/lines.*; do
		mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -M 20 \
			-t bench/baseline -l <"$f"
	done
	wait "$SUB_PID" 2>/dev/null
	b1=$(now)
	awk -v n="$N" -v d="$(echo "$t1 - $t0" | bc)" -v b="$(echo "$b1 - $b0" | bc)" \
	    -v got="$(wc -l <"$T/drain.txt")" -v len="${#line}" -v hwm="$hwm" 'BEGIN {
		printf "mqtt drain: %d events (%d received, %d bytes each) sent by the daemon in %.1f s: %.0f events/s; peak RSS %.1f MB\n", n, got, len, d, n / d, hwm / 1024
		printf "mqtt drain: baseline mosquitto_pub -l, QoS 1, 20 in flight: %.1f s: %.0f messages/s; the daemon takes %.2fx the baseline time\n", b, n / b, d / b }'
	bench_done
	trap - EXIT
}

# Within what the camera path sustains, then beyond it (decoding and the
# synchronous commit take the loop; MQTT waits its turn).
burst 30
burst 120
drain
