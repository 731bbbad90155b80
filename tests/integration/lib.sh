# Helpers for the integration tests: each test starts the real qrgated with
# the file camera and the sim GPIO in a directory of its own, drives its
# inputs through the sim FIFO, and checks the sim log and the real SQLite
# log.  Sourced by tests/integration/run.sh.

# The directory of the current test, its config and the daemon's pid.
T=""
CONF=""
GATE_PID=""

qrgated() { "$BUILD/qrgated" "$@"; }
qrgatectl() { "$BUILD/qrgatectl" -c "$CONF" "$@"; }
sql() { sqlite3 -batch -noheader "$T/qrgate.db" "$@"; }

# gate_config NAME IMAGE... : a config for one test, with its own files.
# Extra settings can be appended to $CONF afterwards ([section] blocks).
gate_config() {
	local name=$1 src="" img
	shift
	# One file a line: an indented line continues the value above it.
	for img in "$@"; do src="$src${src:+,
	}$SRCDIR/images/$img"; done
	T="$WORK/$name"
	rm -rf "$T"
	mkdir -p "$T"
	CONF="$T/qrgate.conf"
	cat >"$CONF" <<CONF
[gate]
id = it-gate
site = it-site
lane = 1
[camera]
backend = file
source = $src
fps = 20
loop = false
[decoder]
holdoff_ms = 3000
[lane]
entry = true
exit = false
pulse_ms = 300
deny_ms = 100
buzzer_ms = 50
[policy]
badge = true
# The test machine's clock counts as synchronised (a VM's often is not, by
# adjtimex), so no test meets the clock alarm unless it asks for it.
clock = synced
[gpio]
backend = sim
sim_log = $T/gpio.log
sim_input = $T/gpio.in
[store]
path = $T/qrgate.db
[control]
socket = $T/control.sock
CONF
	qrgatectl cred import "$SRCDIR/config/demo-credentials.csv" >/dev/null
}

# set_option SECTION.KEY VALUE : appends an override to the config file.
set_option() {
	local sec=${1%%.*} key=${1#*.}
	printf '[%s]\n%s = %s\n' "$sec" "$key" "$2" >>"$CONF"
}

# GATE_ENV: space-separated NAME=VALUE words for the daemon's environment
# only (e.g. a libfaketime LD_PRELOAD, test_clock.sh); qrgatectl and the
# test itself keep the real clock.
GATE_ENV=""

start_gate() {
	# The binary itself, not the wrapper function: $! must be the daemon's
	# pid, for the signals the tests send (env execs it, keeping the pid).
	# shellcheck disable=SC2086
	env $GATE_ENV "$BUILD/qrgated" -c "$CONF" "$@" 2>>"$T/qrgated.log" &
	GATE_PID=$!
	# The daemon answering, not the socket file: a daemon killed with -9
	# leaves its socket file behind.
	wait_for "the daemon to answer" status_is '.gate != null'
}

# SIGTERM, and the daemon must be gone within 10 s (a test never hangs).
stop_gate() {
	local pid=$GATE_PID
	GATE_PID=""
	stop_daemon "$pid"
}

# stop_daemon PID: SIGTERM, then 10 s for it to exit (SIGKILL and a
# failure after that).  Nothing to do for an empty or gone PID.
stop_daemon() {
	local i pid=$1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid"
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.05
	done
	echo "    qrgated did not stop within 10 s of SIGTERM"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	return 1
}

# wait_for WHAT COMMAND... : polls COMMAND until it succeeds (10 s at most).
wait_for() {
	local what=$1 i
	shift
	for i in $(seq 1 200); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$GATE_PID" 2>/dev/null || { echo "    qrgated died waiting for $what"; tail -5 "$T/qrgated.log"; return 1; }
		sleep 0.05
	done
	echo "    timed out waiting for $what"
	return 1
}

gate_status() { qrgatectl status --json; }

# json_is JQ_EXPR TEXT: TEXT is a JSON document satisfying JQ_EXPR.
json_is() { [ -n "$2" ] && jq -e "$1" <<<"$2" >/dev/null; }

# status_is JQ_EXPR: the daemon answers, and its status satisfies JQ_EXPR.
# (jq -e on empty input succeeds, so an unanswered request must fail here.)
status_is() {
	local st
	st=$(gate_status) && [ -n "$st" ] && jq -e "$1" <<<"$st" >/dev/null
}

# The camera has shown every frame and every released way has locked again.
gate_idle() {
	status_is '.camera.state == "ended" and ([.ways[] | select(. != "locked")] | length == 0)'
}

wait_idle() { wait_for "the gate to finish its frames" gate_idle; }

# input ROLE 0|1 : drives a sim input line.
input() { printf '%s %s\n' "$1" "$2" >"$T/gpio.in"; }

# Values an output took, in order, e.g. "0 1 0".
output_values() { awk -v r="$1" '$2 == r { printf "%s%s", sep, $3; sep = " " }' "$T/gpio.log"; }

# Milliseconds each 1 of ROLE lasted, one per line.
pulse_ms() {
	awk -v r="$1" '$2 == r && $3 == 1 { on = $1 } $2 == r && $3 == 0 && on { printf "%d\n", ($1 - on) / 1000000; on = 0 }' "$T/gpio.log"
}

rows() { sql "SELECT $1 FROM events ORDER BY seq;" | tr '\n' ' ' | sed 's/ $//'; }

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "    $1: got '$2', want '$3'"
		return 1
	fi
}

expect_grep() {
	if ! grep -q -- "$1" "$2"; then
		echo "    '$1' not found in $2"
		return 1
	fi
}

# Predicates for wait_for.
last_value_is() { [ "$(output_values "$1" | awk '{ print $NF }')" = "$2" ]; }
rows_are() { [ "$(rows "$1")" = "$2" ]; }

# skip_test REASON: ends the test as skipped, with REASON printed by run.sh.
# Only outside CI: in CI (CI set) a test that cannot run fails.
skip_test() {
	if [ -n "${CI:-}" ]; then
		echo "    cannot run in CI: $1"
		exit 1
	fi
	echo "$1"
	exit 77
}
