# Helpers for the MQTT tests: a real mosquitto started by the test on a
# free loopback port with its own config file in the test's directory, and
# real subscribers (mosquitto_sub) writing what they receive to files, one
# message a line: "TOPIC RETAINED PAYLOAD".  Never the system's broker.
# Sourced by tests/integration/run.sh after lib.sh.

BROKER_PID=""
BROKER_PORT=""
MQTT_HOST=127.0.0.1
MQTT_PIDS=""		# subscribers and other helpers to stop at the end

# A TCP port no socket uses, below the kernel's ephemeral range (where a
# client's connection could take it between this check and the bind).
free_port() {
	local p low
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	for _ in $(seq 1 100); do
		p=$((10000 + RANDOM % (low - 10000)))
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] &&
		    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# mqtt_wait WHAT SECONDS COMMAND...: polls COMMAND, whether or not a gate
# runs (lib.sh's wait_for gives up when the daemon is not running).
mqtt_wait() {
	local what=$1 secs=$2 i
	shift 2
	for i in $(seq 1 $((secs * 20))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "    timed out waiting for $what"
	return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The gate, told to reach the broker as 127.0.0.1, a name the broker's
# certificate does not carry, refuses it and says why (whichever side of
# the handshake the name was checked on).
expect_broker_name_refused() {
	set_option mqtt.host 127.0.0.1
	start_gate
	wait_for "the refusal" grep -q "could not connect to 127.0.0.1 " "$T/qrgated.log" ||
		{ grep 'mqtt' "$T/qrgated.log" | tail -5; return 1; }
	# Every attempt says why, the first one too (it once said "Protocol
	# error" when the certificate came after the connect call).
	if grep "could not connect to 127.0.0.1 " "$T/qrgated.log" |
	    grep -v -q "could not connect to 127.0.0.1 port [0-9]*: the broker's certificate does not name 127.0.0.1;"; then
		grep 'could not connect' "$T/qrgated.log" | tail -3; return 1
	fi
	status_is '.mqtt.state != "connected"'
	stop_gate
}

# Stops everything the test started.  run.sh's trap only knows the gate.
mqtt_cleanup() {
	local p
	stop_gate
	for p in $MQTT_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $MQTT_PIDS; do wait "$p" 2>/dev/null || true; done
	MQTT_PIDS=""
	broker_stop
}

# gate_mqtt_section: the gate's [mqtt] block for the broker on
# $BROKER_PORT, appended to $CONF.
gate_mqtt_section() {
	cat >>"$CONF" <<CONF
[mqtt]
enabled = true
host = 127.0.0.1
port = $BROKER_PORT
keepalive_s = 5
heartbeat_s = 5
CONF
}

# mqtt_setup: a plain broker config (anonymous, persistent, so that the
# subscribers' sessions survive its restarts) and the gate's [mqtt] block.
# Extra broker lines can be appended to $T/mosquitto.conf before start.
mqtt_setup() {
	trap mqtt_cleanup EXIT
	BROKER_PORT=$(free_port)
	cat >"$T/mosquitto.conf" <<CONF
user $(id -un)
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $T/
autosave_interval 1
max_queued_messages 1000000
log_dest file $T/mosquitto.log
log_type all
CONF
	gate_mqtt_section
	admin_key_setup
}

# admin_key_setup: the test's own admin key pair ($ADMIN_SK, and
# $ADMIN_SK.pub), made with qrgatectl keygen; the gate trusts its public
# key, so every push the test means to be taken is signed with it.
ADMIN_SK=""
admin_key_setup() {
	ADMIN_SK=$T/admin.key
	rm -f "$ADMIN_SK" "$ADMIN_SK.pub"
	qrgatectl keygen "$ADMIN_SK" >/dev/null
	set_option security.admin_key "$(cat "$ADMIN_SK.pub")"
}

# signed_file TOPIC FILE [KEY]: the body in FILE in an envelope signed for
# TOPIC with KEY (default $ADMIN_SK), as qrgatectl push sends it, on
# stdout.  The topic says what the push is, as for the gate.
signed_file() {
	local topic=$1 file=$2 key=${3:-$ADMIN_SK} prefix site gate rest kind
	prefix=${topic%%/*} rest=${topic#*/}
	site=${rest%%/*} rest=${rest#*/}
	gate=${rest%%/*} rest=${rest#*/}
	case $rest in
	config/set) kind=config ;;
	credentials/set) kind=credentials ;;
	credentials/patch) kind=patch ;;
	cmd) kind=cmd ;;
	*) echo "signed_file: $topic takes no pushes" >&2; return 1 ;;
	esac
	if [ "$gate" = all ]; then set -- --all; else set -- --gate "$gate"; fi
	qrgatectl push "$kind" --key "$key" --prefix "$prefix" --site "$site" \
		"$@" --body "$file" --print
}

# signed TOPIC BODY [KEY]: the same, of BODY.
signed() {
	printf '%s' "$2" >"$T/body.tmp"
	signed_file "$1" "$T/body.tmp" "${3:-$ADMIN_SK}"
}

# spub TOPIC BODY [mosquitto_pub options...]: publishes BODY signed for
# TOPIC; spubf TOPIC FILE [options...]: the body in FILE.
spub() {
	local topic=$1 body=$2
	shift 2
	signed "$topic" "$body" >"$T/signed.json" &&
		mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$topic" -f "$T/signed.json" "$@"
}

spubf() {
	local topic=$1 file=$2
	shift 2
	signed_file "$topic" "$file" >"$T/signed.json" &&
		mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$topic" -f "$T/signed.json" "$@"
}

broker_start() {
	mosquitto -c "${1:-$T/mosquitto.conf}" >>"$T/mosquitto.out" 2>&1 &
	BROKER_PID=$!
	mqtt_wait "the broker on port $BROKER_PORT" 10 port_open "$BROKER_PORT"
}

broker_stop() {
	if [ -n "$BROKER_PID" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
		kill -TERM "$BROKER_PID"
		wait "$BROKER_PID" 2>/dev/null || true
	fi
	BROKER_PID=""
}

# sub_start NAME TOPIC [mosquitto_sub options...]: a subscriber with a
# persistent session (QoS 1), writing to $T/NAME.sub; returns once it is
# subscribed: a probe published on probe/NAME came back.  Under an ACL,
# SUB_PROBE names a topic TOPIC covers and SUB_PROBE_ARGS the options of a
# client allowed to publish there.
SUB_PROBE=""
SUB_PROBE_ARGS=()
sub_start() {
	local name=$1 topic=$2 probe=${SUB_PROBE:-probe/$1} extra=()
	shift 2
	[ -n "$SUB_PROBE" ] || extra=(-t "$probe")
	mosquitto_sub -h "$MQTT_HOST" -p "$BROKER_PORT" -i "it-$name" -c -q 1 \
		-t "$topic" "${extra[@]}" -F '%t %r %p' "$@" >>"$T/$name.sub" 2>>"$T/$name.err" &
	MQTT_PIDS="$MQTT_PIDS $!"
	if [ ${#SUB_PROBE_ARGS[@]} -eq 0 ]; then
		mqtt_wait "subscriber $name" 10 sub_probe "$name" "$probe" "$@"
	else
		mqtt_wait "subscriber $name" 10 sub_probe "$name" "$probe" "${SUB_PROBE_ARGS[@]}"
	fi
}

sub_probe() {
	local name=$1 probe=$2
	shift 2
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$probe" -m probe "$@" &&
		grep -q "^$probe " "$T/$name.sub"
}

# pub TOPIC MESSAGE [options...]
pub() {
	local topic=$1 msg=$2
	shift 2
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$topic" -m "$msg" "$@"
}

# retained TOPIC [options...]: what a subscriber arriving now gets first.
retained() {
	local topic=$1
	shift
	mosquitto_sub -h "$MQTT_HOST" -p "$BROKER_PORT" -t "$topic" -C 1 -W 5 "$@"
}

TOPIC=qrgate/it-site/it-gate

# payloads NAME SUFFIX: the payloads a subscriber got on $TOPIC/SUFFIX.
payloads() { sed -n "s|^$TOPIC/$2 [01] ||p" "$T/$1.sub"; }

outbox_rows() { sql 'SELECT count(*) FROM outbox;'; }
outbox_empty() { [ "$(outbox_rows)" = 0 ]; }

# Every event_id of the log was received (duplicates allowed), and the
# decisions, by their first arrival, came in seq order.
all_events_received() {
	local name=$1
	sql 'SELECT event_id FROM events ORDER BY seq;' >"$T/want.ids"
	payloads "$name" events | jq -r .event_id | sort -u >"$T/got.ids"
	[ -s "$T/want.ids" ] && [ -z "$(sort "$T/want.ids" | comm -23 - "$T/got.ids")" ]
}

missing_events() {
	sort "$T/want.ids" | comm -23 - "$T/got.ids" | wc -l
}

decisions_in_order() {
	payloads "$1" events | jq -r 'select(.rev == 0) | .seq' | awk '
		!seen[$1]++ { if ($1 <= last) { print "seq " $1 " after " last; bad = 1 } last = $1 }
		END { exit bad }'
}

# gate_frames NAME COUNT IMAGE: a config whose camera shows IMAGE COUNT
# times, for a burst of decisions.
gate_frames() {
	local name=$1 n=$2 img=$3 list=()
	for _ in $(seq 1 "$n"); do list+=("$img"); done
	gate_config "$name" "${list[@]}"
}
