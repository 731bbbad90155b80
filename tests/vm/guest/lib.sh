# Helpers for the guest's test phases (busybox sh).  A phase asserts
# nothing itself: it drives the system, waits (always with a limit) for
# what should happen, and writes down what it saw as facts, one
# "NAME VALUE..." line each in $OUT/facts, plus snapshots (status JSON,
# gpioinfo, the databases, the kernel's GPIO trace) in $OUT.  The host
# judges them (tests/vm/check.sh), so a guest that stops early shows as
# missing facts, never as passing checks.

OUT=/host/out
SIMCFG=/sys/kernel/config/gpio-sim/qrgate
TRACE=/sys/kernel/tracing

# The gpio-sim lines, in offset order, as named on the chip: the lane's,
# then a Wiegand reader's two wires and the two to a door controller.
LINES="RELAY_ENTRY RELAY_EXIT LED_GREEN LED_RED BUZZER PASSAGE FIRE EXIT_BTN
WG_D0 WG_D1 WG_OUT_D0 WG_OUT_D1"

say() {
	local up
	read -r up _ </proc/uptime
	echo "guest: [$up] $*" >/dev/console
	echo "== [$up] $*"
}

fact() { printf '%s\n' "$*" >>"$OUT/facts"; }

# Hundredths of a second since boot (busybox's date has no %N).
now_cs() {
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

# wait_until SECONDS COMMAND... : polls COMMAND until it succeeds; 1 when
# the time runs out first.
wait_until() {
	local limit
	limit=$(( $(now_cs) + $1 * 100 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(now_cs)" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

# waited NAME SECONDS COMMAND... : wait_until, with the outcome and the
# time it took written down as the fact "NAME ok|timeout CENTISECONDS".
waited() {
	local name=$1 t0 r=ok
	shift
	t0=$(now_cs)
	wait_until "$@" || r=timeout
	fact "$name $r $(( $(now_cs) - t0 ))"
	[ "$r" = ok ]
}

# net_up FACT: qemu's user network (the host's 127.0.0.1 is 10.0.2.2);
# FACT says when the link came up.
net_up() {
	modprobe virtio_net
	ip link set lo up
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
	waited "$1" 10 grep -q up /sys/class/net/eth0/operstate
}

# ---- gpio-sim ----

SIM=""		# /sys/devices/platform/<dev>/<chip>, once the chip is live
SIMCHIP=""	# gpiochipN

# gpio_info CHIP: gpioinfo's report of CHIP's lines.  libgpiod 2's
# gpioinfo takes the chip with -c (a bare word is a line name to it) and
# writes its own format; tests/vm/check.sh reads either.
gpio_info() {
	case $(gpioinfo --version 2>/dev/null | head -1) in
	*" v1."*)	gpioinfo "$1";;
	*)		gpioinfo -c "$1";;
	esac
}

# line_offset NAME: the offset of a named line.
line_offset() {
	local i=0 n
	for n in $LINES; do
		[ "$n" = "$1" ] && { echo $i; return 0; }
		i=$((i + 1))
	done
	return 1
}

# val NAME: the line's level as gpio-sim has it (what a consumer drives,
# or the simulated pull on an input).
val() { cat "$SIM/sim_gpio$(line_offset "$1")/value"; }
val_is() { [ "$(val "$1")" = "$2" ]; }

# drive NAME up|down: the simulated outside world pulls an input line.
drive() { echo "pull-$2" >"$SIM/sim_gpio$(line_offset "$1")/pull"; }

# relays_are XY: the entry relay's level is X and the exit relay's Y.
relays_are() { [ "$(val RELAY_ENTRY)$(val RELAY_EXIT)" = "$1" ]; }

# Every output's level: "RELAY_ENTRY=0 RELAY_EXIT=0 ...".
outputs() {
	local n s=""
	for n in RELAY_ENTRY RELAY_EXIT LED_GREEN LED_RED BUZZER; do
		s="$s${s:+ }$n=$(val $n)"
	done
	echo "$s"
}

# ---- qrgated ----

T=""		# the current gate's directory (on tmpfs)
CONF=""
GATE_PID=""

# qrgatectl waits for the daemon's answer without a limit of its own.
ctl() { timeout 10 qrgatectl -c "$CONF" "$@"; }
status() { ctl status --json; }
status_has() { status | grep -q "$1"; }

# snapshot NAME: the gate's status, as JSON, into $OUT/NAME.json.
snapshot() { status >"$OUT/$1.json" 2>&1; }

# frames: the gate's frame counter, or nothing.
frames() { status | sed -n 's/.*"frames":\([0-9]*\).*/\1/p'; }
frames_above() { local n; n=$(frames); [ -n "$n" ] && [ "$n" -gt "$1" ]; }

# gate_new NAME: a fresh directory and a config with what every phase
# shares; the phase appends its own sections.
gate_new() {
	T=/tmp/$1
	rm -rf "$T"
	mkdir -p "$T"
	CONF=$T/qrgate.conf
	# The trace of GPIO values starts afresh for each gate.
	[ -f "$TRACE/trace" ] && : >"$TRACE/trace"
	cat >"$CONF" <<CONF
[gate]
id = vm-gate
site = vm-site
lane = 1
[decoder]
holdoff_ms = 1000
[policy]
badge = true
[store]
path = $T/qrgate.db
[control]
socket = $T/control.sock
[log]
level = debug
CONF
}

# gpio_conf: every role on the gpio-sim chip.  The default chip is given
# by its label; most lines by name, the exit relay by chip name and
# offset, the fire alarm by chip path and name.
gpio_conf() {
	cat >>"$CONF" <<CONF
[gpio]
backend = gpiod
chip = qrgate-sim
entry_relay = RELAY_ENTRY
exit_relay = $SIMCHIP:$(line_offset RELAY_EXIT)
green_led = LED_GREEN
red_led = LED_RED
buzzer = BUZZER
passage_sensor = PASSAGE active-low pull-up
fire_alarm = /dev/$SIMCHIP:FIRE pull-down
exit_button = EXIT_BTN active-low pull-up debounce=20000
CONF
}

gate_alive() { [ -n "$GATE_PID" ] && kill -0 "$GATE_PID" 2>/dev/null; }
gate_gone() { ! gate_alive; }

# gate_start NAME: starts qrgated; 0 once its control socket answers.
# GATE_CPUS, when set: the CPUs every thread of it runs on.
GATE_CPUS=""
gate_start() {
	ctl cred import /vm/data/demo-credentials.csv >"$T/import.log" 2>&1
	${GATE_CPUS:+taskset -c "$GATE_CPUS"} qrgated -c "$CONF" 2>"$T/qrgated.log" &
	GATE_PID=$!
	waited "$1.started" 30 status_has '"gate":"vm-gate"'
}

# gate_stop NAME: SIGTERM, then the exit status as the fact NAME.exit.
gate_stop() {
	local rc
	if ! gate_alive; then
		fact "$1.exit gone"
	else
		kill -TERM "$GATE_PID"
		if wait_until 15 gate_gone; then
			wait "$GATE_PID"
			rc=$?
			fact "$1.exit $rc"
		else
			kill -KILL "$GATE_PID"
			fact "$1.exit hung"
		fi
	fi
	GATE_PID=""
	gate_collect "$1"
}

# gate_collect NAME: the database, the log and the GPIO trace since
# gate_new, for the host to read.
gate_collect() {
	local f
	[ -f "$TRACE/trace" ] && cat "$TRACE/trace" >"$OUT/gpio-trace-$1.txt"
	for f in qrgate.db qrgate.db-wal qrgate.db-shm qrgated.log; do
		[ -f "$T/$f" ] && cp "$T/$f" "$OUT/$1.${f#qrgate.}"
	done
	return 0
}
