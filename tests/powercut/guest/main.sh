# The power-cut tier's guest run, started by /init (tests/vm/guest/init)
# with its output in /host/out/guest.log.  For each variant the host asks
# for, the gate's database lives on ext4 over a dm-log-writes target (the
# variant's "-data" disk, its write log on the "-log" disk), the gate
# grants a looping badge on gpio-sim while signed config pushes and
# credential patches arrive over MQTT, and pcmark marks the log at every
# relay rise and every message the broker passes on.  Nothing is judged
# here: the host replays the logs (tests/powercut/check.sh).
#
# Variants: full (the gate as shipped, with the aggregator's database on
# its own logged disk too), normal (store.synchronous = normal) and
# relayfirst (qrgated-relay-first, which drives the relay before its
# commit).
export PATH=/usr/bin:/usr/sbin
. /vm/guest/lib.sh
. /vm/guest/gpio.sh
. /host/in/params

: >"$OUT/facts"
fact "guest.kernel $(uname -r)"

# disk SERIAL: the virtio disk the host gave that serial (vdX).
disk() {
	local d
	for d in /sys/block/vd*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# logged NAME SERIAL DIR: a dm-log-writes target NAME over the disks
# SERIAL-data and SERIAL-log, its ext4 mounted on DIR.
logged() {
	local data log
	data=$(disk "$2-data") && log=$(disk "$2-log") || { say "no disks for $2"; return 1; }
	dmsetup create "$1" --noudevsync \
	    --table "0 $(blockdev --getsz "/dev/$data") log-writes /dev/$data /dev/$log" || return 1
	dmsetup mknodes "$1"
	mkdir -p "$3"
	mount -t ext4 "/dev/mapper/$1" "$3"
}

unlogged() {
	umount "$2" && dmsetup remove "$1"
	fact "$1.removed $?"
}

mqtt_connected() { status_has '"state":"connected"'; }
lines_at_least() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

# The aggregator of the full variant, on its own logged disk.
AGG_PID=""
agg_start() {
	logged pcagg agg /agg || return 1
	mkdir -p /agg/agg
	cat >/tmp/agg.conf <<CONF
[broker]
host = 10.0.2.2
port = $MQTT_PORT
client_id = pc-agg
keepalive_s = 5
[aggregator]
db = /agg/agg/agg.db
sites = *
heartbeat_s = 30
[web]
enabled = false
CONF
	qrgate-aggregator -c /tmp/agg.conf 2>/tmp/agg.log &
	AGG_PID=$!
	waited agg.subscribed 30 grep -q 'mqtt: subscribed' /tmp/agg.log
}

agg_stop() {
	[ -n "$AGG_PID" ] || return 0
	kill -TERM "$AGG_PID"
	wait_until 15 eval '! kill -0 $AGG_PID'
	fact "agg.exit $?"
	cp /tmp/agg.log "$OUT/agg.log"
	unlogged pcagg /agg
	AGG_PID=""
}

# run_variant NAME: one gate's stream of grants and pushes on a logged
# disk, DURATION_S seconds of it between the marks "begin" and "end".
run_variant() {
	local v=$1 dm=pc-$1 daemon=qrgated sync=full gate=pc-$1 n=0 t_end sub_pid mark_pid
	case $v in
	normal) sync=normal ;;
	relayfirst) daemon=qrgated-relay-first ;;
	esac
	say "$v: $daemon, store.synchronous = $sync"
	logged "$dm" "$v" /data || { fact "$v.disk failed"; return 1; }
	fact "$v.disk ok"
	mkdir -p /data/gate
	T=/tmp/$v
	mkdir -p "$T"
	CONF=$T/qrgate.conf
	cat >"$CONF" <<CONF
[gate]
id = $gate
site = vm-site
lane = 1
[camera]
backend = file
source = /vm/images/badge-W0001.png,
	/vm/images/blank.png
fps = $FPS
loop = true
[decoder]
holdoff_ms = 0
[lane]
entry = true
exit = false
pulse_ms = 100
deny_ms = 50
buzzer_ms = 20
[policy]
badge = true
clock = synced
antipassback = off
deny_code_max = 0
deny_lane_max = 0
[gpio]
backend = gpiod
chip = qrgate-sim
entry_relay = RELAY_ENTRY
exit_relay = RELAY_EXIT
fire_alarm = FIRE pull-down
exit_button = EXIT_BTN active-low pull-up
passage_sensor =
green_led = LED_GREEN
red_led = LED_RED
buzzer = BUZZER
[store]
path = /data/gate/qrgate.db
synchronous = $sync
[control]
socket = $T/control.sock
[mqtt]
enabled = true
host = 10.0.2.2
port = $MQTT_PORT
keepalive_s = 5
heartbeat_s = 5
[security]
admin_key = $ADMIN_PUB
[log]
level = info
CONF
	ctl cred import /host/in/credentials.csv >"$T/import.log" 2>&1
	fact "$v.import $?"
	[ "$v" = full ] && agg_start

	# The marker, fed by a subscriber to everything of this gate; a probe
	# message shows the subscription is in place before the gate starts.
	mkfifo "$T/sub.fifo"
	mosquitto_sub -h 10.0.2.2 -p "$MQTT_PORT" -q 1 -v -i "pcsub-$v" \
	    -t "qrgate/vm-site/$gate/#" -t "pcprobe/$v" >"$T/sub.fifo" 2>"$T/sub.err" &
	sub_pid=$!
	pcmark "$dm" "$RELAY_GPIO" "$T/lines" <"$T/sub.fifo" >"$T/pcmark.out" 2>"$T/pcmark.err" &
	mark_pid=$!
	wait_until 10 grep -q ready "$T/pcmark.out"
	for n in 1 2 3 4 5 6 7 8 9 10; do
		mosquitto_pub -h 10.0.2.2 -p "$MQTT_PORT" -q 1 -t "pcprobe/$v" -m probe
		wait_until 1 lines_at_least "$T/lines" 1 && break
	done
	waited "$v.subscribed" 1 lines_at_least "$T/lines" 1

	"$daemon" -c "$CONF" 2>"$T/qrgated.log" &
	GATE_PID=$!
	waited "$v.started" 60 status_has "\"gate\":\"$gate\""
	waited "$v.connected" 30 mqtt_connected
	dmsetup message "$dm" 0 mark begin
	snapshot "$v-begin"

	# Pushes while it grants: a config push and a credential patch, each
	# a new version, every PUSH_GAP_CS hundredths of a second.
	t_end=$(( $(now_cs) + DURATION_S * 100 ))
	n=0
	while [ "$(now_cs)" -lt "$t_end" ]; do
		if [ -f "/host/in/$v/config.$((n + 1))" ]; then
			n=$((n + 1))
			mosquitto_pub -h 10.0.2.2 -p "$MQTT_PORT" -q 1 \
			    -t "qrgate/vm-site/$gate/config/set" -f "/host/in/$v/config.$n"
			mosquitto_pub -h 10.0.2.2 -p "$MQTT_PORT" -q 1 \
			    -t "qrgate/vm-site/$gate/credentials/patch" -f "/host/in/$v/patch.$n"
		fi
		sleep "$PUSH_GAP"
	done
	fact "$v.pushes $n"
	snapshot "$v-end"
	dmsetup message "$dm" 0 mark end
	gate_stop "$v"
	agg_stop
	kill -TERM "$sub_pid"
	kill -TERM "$mark_pid"
	wait "$mark_pid"
	fact "$v.pcmark $?"
	cp "$T/lines" "$OUT/$v.lines"
	cp "$T/pcmark.err" "$OUT/$v.pcmark.err"
	cp "$T/qrgated.log" "$OUT/$v.qrgated.log"
	dmsetup status "$dm" >"$OUT/$v.dmstatus" 2>&1
	unlogged "$dm" /data
}

net_up net.link
for m in virtio_blk dm-log-writes ext4; do modprobe "$m" || say "modprobe $m failed"; done
if gpio_sim_setup; then
	# Only the entry relay's values, and pcmark reads them as they come:
	# its pipe takes them out of the trace.
	RELAY_GPIO=$(( $(sed -n 's/^sim.base //p' "$OUT/facts") + $(line_offset RELAY_ENTRY) ))
	fact "relay.gpio $RELAY_GPIO"
	echo 0 >"$TRACE/events/gpio/gpio_direction/enable"
	echo "gpio == $RELAY_GPIO" >"$TRACE/events/gpio/gpio_value/filter"
	for v in $VARIANTS; do run_variant "$v"; done
else
	say "gpio-sim could not be set up"
fi
fact "guest.done $(now_cs)"
say "done"
