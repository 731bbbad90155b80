#!/usr/bin/env bash
# `make demo`: a whole site on loopback.  A mosquitto broker, the SQLite
# aggregator with its live page, and two gates with file cameras and
# simulated GPIO: the entry gate of lane 1 replays images/ (badges, a CCCD
# card, hostile codes), then the exit gate of lane 2 lets the first worker
# out.  Each person let through is seen passing by the (simulated) passage
# sensor.  The demo ends by asking the aggregator who is inside and whom
# the worker met, and stops everything it started.
# Usage: tests/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
CONF=config/demo.conf
AGG_CONF=config/demo-aggregator.conf
DEMO=$BUILD/demo
PIDS=""

stop_all() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	PIDS=""
}
trap stop_all EXIT

# A free loopback port for the broker (a mosquitto of the machine's own
# may hold 1883).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# wait_until SECONDS COMMAND...: polls every 0.1 s.
wait_until() {
	local n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

rm -rf "$DEMO"
mkdir -p "$DEMO"
PORT=$(free_port)
# Both gates: the demo's broker, and the second one's own files and lane.
MQTT=(-o mqtt.enabled=true -o mqtt.host=127.0.0.1 -o "mqtt.port=$PORT")
GATE2=(-o gate.id=demo-gate-2 -o gate.lane=2 -o camera.source=images/badge-W0001.png
	-o camera.direction=exit -o lane.entry=false -o lane.exit=true
	-o "store.path=$DEMO/gate2.db" -o "control.socket=$DEMO/gate2.sock"
	-o "gpio.sim_log=$DEMO/gate2-gpio.log" -o "gpio.sim_input=$DEMO/gate2-gpio.in")
# The entry gate's screen as PNGs, in builds that draw it (cairo, pango).
SCREEN=()
if "$BUILD/qrgatectl" screen idle --png /dev/null 2>/dev/null; then
	mkdir -p "$DEMO/screens"
	SCREEN=(-o screen.backend=file -o "screen.directory=$DEMO/screens")
fi
# Its voice as WAVs, in builds that speak (espeak-ng, alsa).
SOUND=()
if "$BUILD/qrgatectl" prompt way-entry --bench >/dev/null 2>&1; then
	rm -rf "$DEMO/sound"
	mkdir -p "$DEMO/sound"
	SOUND=(-o sound.backend=file -o "sound.directory=$DEMO/sound")
fi
ctl() { "$BUILD/qrgatectl" -c "$CONF" "$@"; }
ctl2() { "$BUILD/qrgatectl" -c "$CONF" "${GATE2[@]}" "$@"; }
agg() { "$BUILD/qrgate-aggregator" -c "$AGG_CONF" -o "broker.port=$PORT" "$@"; }

echo "== credentials (config/demo-credentials.csv), on both gates"
ctl cred import config/demo-credentials.csv
ctl2 cred import config/demo-credentials.csv >/dev/null
# The visitor's card enrolled again from its own code, with the site's
# check key: a code made up from the number alone no longer opens.
ctl keygen --secret "$DEMO/cccd.key"
ctl cred enroll-cccd V-0001 --scan images/cccd-nhung.png --role visitor
ctl2 cred enroll-cccd V-0001 --scan images/cccd-nhung.png --role visitor >/dev/null
ctl cred list
echo

echo "== the site: mosquitto on 127.0.0.1 port $PORT, qrgate-aggregator ($AGG_CONF)"
cat >"$DEMO/mosquitto.conf" <<EOF
user $(id -un)
listener $PORT 127.0.0.1
allow_anonymous true
log_dest file $(pwd)/$DEMO/mosquitto.log
EOF
mosquitto -c "$DEMO/mosquitto.conf" 2>>"$DEMO/mosquitto.log" &
PIDS="$PIDS $!"
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" ||
	{ echo "demo: mosquitto did not start" >&2; exit 1; }
# The console's user for the demo (already there from an earlier run:
# kept).
agg user list | grep -q '^demo ' ||
	echo demo | agg user add demo --roles guard,security,tracer,admin >/dev/null
"$BUILD/qrgate-aggregator" -c "$AGG_CONF" -o "broker.port=$PORT" 2>"$DEMO/aggregator.log" &
PIDS="$PIDS $!"
# Subscribed before the gates publish: the broker keeps nothing for a
# client it has not seen.
wait_until 10 grep -q 'mqtt: subscribed' "$DEMO/aggregator.log" ||
	{ tail -5 "$DEMO/aggregator.log" >&2; exit 1; }
web=$(sed -n 's/.*web: serving on \([^ ]*\) port \([0-9]*\).*/http:\/\/\1:\2\//p' "$DEMO/aggregator.log" | head -1)
echo

# wd METHOD PATH [JSON]: one WebDriver call to chromedriver.
wd() {
	curl -s --max-time 60 -X "$1" -H 'Content-Type: application/json' \
		${3:+-d "$3"} "http://127.0.0.1:$DRIVER_PORT$2"
}

# screenshot URL FILE: the live page once it has loaded the site's state,
# by headless Chromium through chromedriver (a plain --screenshot would
# take it before the page's requests are answered).  Says why when there
# is none.
screenshot() {
	local bin sid caps driver ok=1
	if ! bin=$(command -v chromium || command -v chromium-browser) ||
	    ! command -v chromedriver >/dev/null; then
		echo "   (no screenshot: chromium and chromium-driver are not installed)"
		return 1
	fi
	DRIVER_PORT=$(free_port)
	chromedriver --port="$DRIVER_PORT" >"$DEMO/chromedriver.log" 2>&1 &
	driver=$!
	PIDS="$PIDS $driver"
	wait_until 20 curl -sf "http://127.0.0.1:$DRIVER_PORT/status" &&
	# Root needs --no-sandbox.
	caps=$(jq -nc --arg bin "$bin" --arg dir "$(pwd)/$DEMO/chromium" '{capabilities:
		{alwaysMatch: {browserName: "chrome", "goog:chromeOptions": {binary: $bin,
		args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--window-size=1280,900", "--user-data-dir=" + $dir, "--no-first-run"]}}}}') &&
	sid=$(wd POST /session "$caps" | jq -r '.value.sessionId // empty') && [ -n "$sid" ] &&
	wd POST "/session/$sid/url" "$(jq -nc --arg u "${1}login.html" '{url: $u}')" >/dev/null &&
	wait_until 20 sh -c "curl -s -X POST -H 'Content-Type: application/json' \
		-d '{\"script\": \"return !!document.getElementById(\\\"submit\\\")\", \"args\": []}' \
		http://127.0.0.1:$DRIVER_PORT/session/$sid/execute/sync | jq -e '.value'" &&
	wd POST "/session/$sid/execute/sync" '{"script": "document.getElementById(\"name\").value = \"demo\"; document.getElementById(\"password\").value = \"demo\"; document.getElementById(\"submit\").click(); return true;", "args": []}' >/dev/null &&
	wait_until 20 sh -c "curl -s -X POST -H 'Content-Type: application/json' \
		-d '{\"script\": \"return document.body.dataset.loaded || \\\"0\\\"\", \"args\": []}' \
		http://127.0.0.1:$DRIVER_PORT/session/$sid/execute/sync | jq -e '.value | tonumber >= 1'" &&
	wd GET "/session/$sid/screenshot" | jq -r .value | base64 -d >"$2" && [ -s "$2" ] && ok=0
	[ -n "${sid:-}" ] && wd DELETE "/session/$sid" >/dev/null
	kill "$driver" 2>/dev/null || true
	wait "$driver" 2>/dev/null || true
	[ $ok -eq 0 ] || echo "   (no screenshot: Chromium failed, see $DEMO/chromedriver.log)"
	return $ok
}

# passages GPIO_LOG GPIO_IN RELAY: for every pulse of RELAY so far that
# has not had one, someone walks through (the passage sensor on, off).
passages() {
	local n
	n=$(grep -c " $3 1$" "$1" 2>/dev/null || true)
	while [ "${n:-0}" -gt "$(cat "$1.walked" 2>/dev/null || echo 0)" ]; do
		printf 'passage_sensor 1\npassage_sensor 0\n' >"$2"
		echo $(($(cat "$1.walked" 2>/dev/null || echo 0) + 1)) >"$1.walked"
	done
}

# run_gate GPIO_LOG GPIO_IN RELAY [OPTION...]: the gate until its
# camera has shown every image, every way is locked again and its log has
# gone to the broker.
run_gate() {
	local log=$1 in=$2 relay=$3 pid st i
	shift 3
	"$BUILD/qrgated" -c "$CONF" "${MQTT[@]}" "$@" &
	pid=$!
	PIDS="$PIDS $pid"
	for i in $(seq 1 300); do
		passages "$log" "$in" "$relay"
		st=$(ctl "$@" status --json 2>/dev/null) && [ -n "$st" ] &&
		    jq -e '.camera.state == "ended" and .mqtt.outbox == 0 and .mqtt.inflight == 0 and
		    ([.ways[] | select(. == "released")] | length == 0)' <<<"$st" >/dev/null && break
		sleep 0.1
	done
	ctl "$@" status
	kill -TERM "$pid"
	wait "$pid" || true
}

echo "== demo-gate, lane 1 entry, on images/ (simulated GPIO in $DEMO/gpio.log)"
run_gate "$DEMO/gpio.log" "$DEMO/gpio.in" entry_relay "${SCREEN[@]}" "${SOUND[@]}"
echo
echo "== its relay as the GPIO saw it (monotonic ns, line, value)"
grep 'relay\|passage' "$DEMO/gpio.log"
echo
echo "== its log: qrgatectl events"
ctl events
echo
if [ ${#SCREEN[@]} -gt 0 ]; then
	# A decision replaced before its screen was drawn is not drawn.
	echo "== its screen, in the order shown (screen.backend file, in Vietnamese)"
	ls "$DEMO/screens" | sed "s|^|  $DEMO/screens/|"
	echo
fi
if [ ${#SOUND[@]} -gt 0 ]; then
	# A prompt replaced before it was played is not played.
	echo "== its voice, the prompts it played in order (sound.backend file, espeak-ng)"
	for f in "$DEMO/sound"/*.wav; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .wav)
		name=${name#*-}
		printf '  %s  "%s"\n' "$f" "$(ctl prompt "$name" | sed 's/^[^ ]* *//')"
	done
	echo
else
	# The prompt of each decision, as the gate picks it (a grant's way,
	# a denial's reason), from its log.
	echo "== its voice: this build has no espeak-ng and alsa; it would have played"
	ctl events --json | jq -r 'select(.type == "scan") |
		if .result == "granted" then "way-" + .direction else "reason-" + .reason end' |
	while read -r name; do
		printf '  %s  "%s"\n' "$name" "$(ctl prompt "$name" | sed 's/^[^ ]* *//')"
	done
	echo
fi
echo "== demo-gate-2, lane 2 exit: W-0001 leaves"
run_gate "$DEMO/gate2-gpio.log" "$DEMO/gate2-gpio.in" exit_relay "${GATE2[@]}"
echo

# Every event of both gates at the aggregator (a grant and its passage
# are one event there, as in the gates' logs).
sent=$(( $(ctl events --json | wc -l) + $(ctl2 events --json | wc -l) ))
held() { agg events --limit 1000 --json | jq length; }
all_held() { [ "$(held)" -eq "$sent" ]; }
if ! wait_until 10 all_held; then
	echo "demo: the aggregator holds $(held) of the gates' $sent events" >&2
	exit 1
fi
echo "== at the aggregator: all $sent events of both gates; qrgate-aggregator gates"
agg gates
echo
echo "== qrgate-aggregator events --gate demo-gate-2"
agg events --gate demo-gate-2
echo
echo "== qrgate-aggregator inside: who came in and has not left"
agg inside
echo
echo "== qrgate-aggregator trace W-0001: who was here at the same time"
agg trace W-0001 --from -1h
echo
echo "== the live page: $web (sign in as demo, password demo)"
if screenshot "$web" "$DEMO/live.png"; then
	echo "   a screenshot of it: $DEMO/live.png"
fi
stop_all
trap - EXIT
echo

# The demo's databases stay: say how to go on from here.
echo "== to keep exploring (from $(pwd)):"
echo "  $BUILD/qrgatectl -c $CONF events --json     the entry gate's log, one JSON a line"
echo "  $BUILD/qrgatectl -c $CONF cred list         the credentials"
echo "  $BUILD/qrgated -c $CONF                     the gate again (Ctrl-C stops it), and meanwhile:"
echo "  $BUILD/qrgatectl -c $CONF status|open entry|lockdown|normal"
echo "  $BUILD/qrgate-aggregator -c $AGG_CONF events|inside|daily|gates   the site's record"
echo "  $BUILD/qrgate-aggregator -c $AGG_CONF -o broker.port=$PORT    the page again (with a broker there)"
echo "  $BUILD/qrgatectl help; man ./src/qrgatectl/qrgatectl.1"
