#!/usr/bin/env bash
# The decoding path inside the real daemon: qrgated with the file camera,
# the sim GPIO and the durable log on (store.synchronous = full, the
# default).  Figures, never pass or fail:
#   - latency from a frame's capture to the entry relay's line change, p50
#     and p99, beside the decode time of the same frames;
#   - CPU use while the camera streams code-free frames at 30 fps, for
#     each backend;
#   - resident size over a long run at the file camera's top rate.
#
#   tests/bench/decode_gate.sh BUILD FRAMES_DIR [SOAK_SECONDS]
#
# FRAMES_DIR is bench_frames' output.  Latency: the file camera stamps a
# frame with CLOCK_MONOTONIC as it hands it out, and qrgated's line for a
# grant says, to 0.1 ms, the decode time and the time from that stamp to
# the relay driven (read on the same clock once the GPIO call returned, so
# never less than the line change).  The sim GPIO log checks it from
# outside: it holds the line's change in monotonic ns, and the capture is
# put at the event row's UTC time less its latency_us, with the clocks'
# offset read here (an upper bound, to the 1 ms of the row's timestamp).
set -u
BUILD=$(cd "$1" && pwd)
FRAMES=$(cd "$2" && pwd)
SOAK=${3:-120}
cd "$(dirname "$0")/../.."
SRC=$PWD
W=$(mktemp -d)
PID=""
trap 'stop_gate; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT

if ! command -v python3 >/dev/null || ! command -v sqlite3 >/dev/null; then
	echo "decode gate: skipped: python3 and sqlite3 are needed"
	exit 0
fi

# gate_conf BACKEND FPS LOOP SOURCE: a config in $W, a fresh database.
gate_conf() {
	rm -f "$W"/q.db* "$W"/gpio.log "$W"/c.sock "$W"/qrgated.log
	cat >"$W/q.conf" <<EOF
[gate]
id = bench
site = bench
lane = 1
[camera]
backend = file
source = $4
fps = $2
loop = $3
[decoder]
backend = $1
holdoff_ms = 0
[lane]
entry = true
exit = false
pulse_ms = 100
deny_ms = 0
buzzer_ms = 0
[policy]
badge = yes
[gpio]
backend = sim
sim_log = $W/gpio.log
sim_input = $W/gpio.in
[store]
path = $W/q.db
synchronous = ${SYNC:-full}
[control]
socket = $W/c.sock
EOF
	"$BUILD/qrgatectl" -c "$W/q.conf" cred import \
	    "$SRC/config/demo-credentials.csv" >/dev/null
}

status() { "$BUILD/qrgatectl" -c "$W/q.conf" status --json 2>/dev/null; }

# Polls every POLL seconds (0.05 unless set), 200 times unless told.
wait_status() {
	local expr=$1 tries=${2:-200} i st
	for ((i = 0; i < tries; i++)); do
		# jq -e on empty input succeeds: an unanswered request must not.
		st=$(status) && [ -n "$st" ] && jq -e "$expr" <<<"$st" >/dev/null 2>&1 &&
		    return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep "${POLL:-0.05}"
	done
	return 1
}

start_gate() {
	"$BUILD/qrgated" -c "$W/q.conf" 2>>"$W/qrgated.log" &
	PID=$!
	wait_status '.gate != null'
}

stop_gate() {
	local i
	[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null || { PID=""; return 0; }
	kill -TERM "$PID"
	for i in $(seq 1 200); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$PID" 2>/dev/null && kill -9 "$PID"
	wait "$PID" 2>/dev/null
	PID=""
}

# cpu_ticks: user + system clock ticks of the daemon so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }

# frame_dir NAME FILE...: a directory of links to the files, named so that
# the file camera (which sorts a directory's names) shows them in order.
frame_dir() {
	local dir=$W/$1 i=0 f
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "$@"; do
		ln -s "$f" "$dir/$(printf '%05d' $i).${f##*.}"
		i=$((i + 1))
	done
	echo "$dir"
}

# The camera-like frames of one set (code-free only with "-").
bench_frames() {
	awk -v d="$FRAMES" -v s="$1" -v free="${2:-}" \
	    '$2 == s && (free == "" || $3 == "-") { print d "/" $1 }' "$FRAMES/frames.txt"
}

pct() {	# pct P: the P-th percentile of the numbers on stdin
	sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR) { i = int(NR * p / 100) + 1; if (i > NR) i = NR; print v[i] } }'
}

# Grants measured per backend: 200, so that the p99 is not just the
# slowest one.
GRANTS=${LAT_GRANTS:-200}

latency() {
	local backend=$1 i grants
	# A badge, then 6 code-free camera-like frames, over and over: a
	# grant every 233 ms at 30 fps, after the 100 ms pulse has ended.
	local list=()
	mapfile -t list < <(bench_frames cam640 - | head -6)
	gate_conf "$backend" 30 true \
	    "$(frame_dir lat "$SRC/images/badge-W0001.png" "${list[@]}")"
	start_gate || { echo "decode gate: $backend: qrgated did not start"; tail -3 "$W/qrgated.log"; return; }
	# Polled once a second: a status request and jq 20 times a second
	# would load the machine the figures are taken on.
	POLL=1 wait_status ".counters.grants >= $GRANTS" $((GRANTS / 4 + 30))
	stop_gate
	local off
	off=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
	# The daemon may have granted more as it stopped: the first GRANTS.
	sqlite3 -batch -noheader -separator ' ' "$W/q.db" \
	    "SELECT ts_ms, latency_us, decode_us FROM events WHERE result = 'granted' ORDER BY seq LIMIT $GRANTS;" >"$W/ev"
	awk '$2 == "entry_relay" && $3 == 1 { print $1 }' "$W/gpio.log" | head -"$GRANTS" >"$W/relay"
	grants=$(wc -l <"$W/ev")
	if [ "$grants" -eq 0 ] || [ "$grants" -ne "$(wc -l <"$W/relay")" ]; then
		echo "decode gate: $backend: $grants grants, $(wc -l <"$W/relay") relay changes: no latency figures"
		return
	fi
	# From outside: p99 of the sim GPIO's line change after the capture.
	local outside
	outside=$(paste -d ' ' "$W/ev" "$W/relay" | awk -v off="$off" '{
		capture = $1 * 1000000 - off - $2 * 1000
		print ($4 - capture) / 1000
	}' | pct 99 | awk '{ print $1 / 1000 }')
	# qrgated's own figures, grant by grant: e2e, decode, the rest.
	awk '/GRANTED/ && match($0, /decode [0-9.]+ ms, latency [0-9.]+ ms, relay [0-9.]+ ms/) {
		split(substr($0, RSTART, RLENGTH), f, " ")
		print f[8], f[2], f[8] - f[2]
	}' "$W/qrgated.log" | head -"$GRANTS" >"$W/lat.txt"
	if [ "$(wc -l <"$W/lat.txt")" -ne "$grants" ]; then
		echo "decode gate: $backend: $grants grants, $(wc -l <"$W/lat.txt") logged: no latency figures"
		return
	fi
	printf 'decode gate: %-8s %s%d grants: capture to relay p50 %.1f ms, p99 %.1f ms (sim GPIO log: p99 %.1f ms); decode p50 %.1f ms, p99 %.1f ms; relay after decode p50 %.1f ms, p99 %.1f ms (target <= 5 ms)\n' \
	    "$backend" "${SYNC:+(store.synchronous = $SYNC) }" "$grants" \
	    "$(cut -d' ' -f1 "$W/lat.txt" | pct 50)" \
	    "$(cut -d' ' -f1 "$W/lat.txt" | pct 99)" "$outside" \
	    "$(cut -d' ' -f2 "$W/lat.txt" | pct 50)" \
	    "$(cut -d' ' -f2 "$W/lat.txt" | pct 99)" \
	    "$(cut -d' ' -f3 "$W/lat.txt" | pct 50)" \
	    "$(cut -d' ' -f3 "$W/lat.txt" | pct 99)"
}

cpu() {
	local backend=$1 size=$2 t0 t1 c0 c1 secs=10
	gate_conf "$backend" 30 true "$(frame_dir free $(bench_frames "$size" -))"
	start_gate || { echo "decode gate: $backend: qrgated did not start"; return; }
	sleep 1		# past start-up
	c0=$(cpu_ticks)
	t0=$(date +%s%N)
	sleep "$secs"	# the measurement's window, not a wait for a result
	c1=$(cpu_ticks)
	t1=$(date +%s%N)
	stop_gate
	awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v t=$((t1 - t0)) -v b="$backend" -v s="$size" \
	    'BEGIN { printf "decode gate: %-8s %s code-free at 30 fps: CPU %.1f%% of one core\n", b, s, 100 * c / hz / (t / 1e9) }'
}

soak() {
	local backend=$1 secs=$2 i n=6 f0 f1 r0 r1 rhalf=0 rs=""
	# Every camera-like 640x480 frame, codes and none, as fast as the
	# decoder takes them (the file camera replays up to 1000 fps): a
	# million frames in about 40 minutes here (QRGATE_SOAK_S=2400).
	gate_conf "$backend" 1000 true "$(frame_dir soak $(bench_frames cam640))"
	start_gate || { echo "decode gate: $backend: qrgated did not start"; return; }
	sleep 2
	f0=$(status | jq .counters.frames)
	r0=$(rss_kb)
	for ((i = 1; i <= n; i++)); do
		sleep $((secs / n))
		r1=$(rss_kb)
		rs="$rs $r1"
		[ "$i" -eq $((n / 2)) ] && rhalf=$r1
	done
	f1=$(status | jq .counters.frames)
	stop_gate
	# The first frames fill SQLite's page cache (2 MB): the second half
	# of the run is what says whether it keeps growing.
	awk -v f=$((f1 - f0)) -v r0="$r0" -v r1="$r1" -v rh="$rhalf" -v rs="$rs" -v b="$backend" -v s="$secs" 'BEGIN {
		printf "decode gate: %-8s resident size over %d frames (%d s at up to 1000 fps): %d kB at start, then%s kB; ", b, f, s, r0, rs
		printf "%+d kB over the run, %+d kB over its second half\n", r1 - r0, r1 - rh
	}'
}

echo "== decoding inside qrgated (file camera, sim GPIO, durable log on)"
for b in zbar zxing cascade; do
	latency "$b"
done
# The same without waiting for the disk: the share of the durable commit.
SYNC=normal latency cascade
for b in zbar zxing cascade; do
	cpu "$b" cam640
	cpu "$b" cam720
done
soak cascade "$SOAK"
