# Dynamic tokens across a site (issue 12, row 6): two real qrgated, gate A
# ("it-gate") and gate B ("gate-b"), on one real mosquitto.  A token
# granted at A is refused "replayed" at B, because A publishes the step it
# granted and B records it; B refuses hostile steps and stays up.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

B_CONF=""
B_PID=""
bctl() { "$BUILD/qrgatectl" -c "$B_CONF" "$@"; }
bsql() { sqlite3 -batch -noheader "$T/b/qrgate.db" "$@"; }
b_status_is() { local st; st=$(bctl status --json) && [ -n "$st" ] && jq -e "$1" <<<"$st" >/dev/null; }

b_stop() {
	local pid=$B_PID
	B_PID=""
	stop_daemon "$pid"
}

# site_gate_b: gate B's config, a copy of A's with its own id, files and
# database (the worker's credential only), its camera on a blank frame.
site_gate_b() {
	mkdir -p "$T/b"
	B_CONF=$T/b/qrgate.conf
	sed -e "s|$T/|$T/b/|g" "$CONF" >"$B_CONF"
	printf '[gate]\nid = gate-b\n[camera]\nsource = %s\n' \
		"$SRCDIR/images/blank.png" >>"$B_CONF"
	bctl cred add D-0101 dynamic W-0101 --pubkey "$(cat "$T/w.key.pub")" >/dev/null
}

# gate_show CONF PID LOG IMAGE: a running gate's camera shows IMAGE once.
gate_show() {
	printf '[camera]\nsource = %s\n' "$4" >>"$1"
	kill -HUP "$2"
	mqtt_wait "the reload" 10 grep -q "new config applied" "$3"
}

b_idle() { b_status_is '.camera.state == "ended" and ([.ways[] | select(. != "locked")] | length == 0)'; }
b_has_step() { [ -n "$(bsql "SELECT step FROM token_steps WHERE credential_id = 'D-0101';")" ]; }

test_site_steps_token_granted_at_a_is_replayed_at_b() {
	gate_config site_steps_token_granted_at_a_is_replayed_at_b blank.png
	set_option policy.clock synced
	mqtt_setup
	trap 'b_stop; mqtt_cleanup' EXIT
	qrgatectl keygen "$T/w.key" >/dev/null
	qrgatectl cred add D-0101 dynamic W-0101 --pubkey "$(cat "$T/w.key.pub")" >/dev/null
	qrgatectl token W-0101 --key "$T/w.key" --png "$T/tok.png" >/dev/null
	site_gate_b
	broker_start
	sub_start all 'qrgate/#'

	"$BUILD/qrgated" -c "$B_CONF" 2>>"$T/b/qrgated.log" &
	B_PID=$!
	mqtt_wait "gate B connected" 10 b_status_is '.mqtt.state == "connected"'
	start_gate
	wait_for "gate A connected" status_is '.mqtt.state == "connected"'

	# A grants the token ...
	gate_show "$CONF" "$GATE_PID" "$T/qrgated.log" "$T/tok.png"
	wait_for "A's grant" rows_are "kind||':'||reason" "dynamic:granted"
	# ... and B learns of it.  (The test goes on either way: the
	# decision at B below is what it is about.)
	mqtt_wait "the step at gate B" 10 b_has_step || true
	gate_show "$B_CONF" "$B_PID" "$T/b/qrgated.log" "$T/tok.png"
	mqtt_wait "B's decision" 10 sh -c "[ -n \"\$(sqlite3 '$T/b/qrgate.db' \"SELECT 1 FROM events WHERE type = 'scan';\")\" ]"
	mqtt_wait "gate B idle" 10 b_idle
	expect_eq "at B" "$(bsql "SELECT kind||':'||credential_id||':'||result||':'||reason FROM events WHERE type = 'scan';")" \
		"dynamic:D-0101:denied:replayed"
	expect_eq "B's relay" "$(awk '$2 == "entry_relay" && $3 == 1' "$T/b/gpio.log" | wc -l)" 0
	expect_eq "step at B" "$(bsql "SELECT step FROM token_steps WHERE credential_id = 'D-0101';")" \
		"$(sql "SELECT step FROM token_steps WHERE credential_id = 'D-0101';")"
	b_status_is '.mqtt.steps.taken == 1 and .mqtt.steps.refused == 0'
	status_is '.mqtt.steps.sent == 1 and .mqtt.steps.lost == 0'

	# What A published: the two members, QoS 1, not retained, on its
	# own topic; nothing of the holder but IT's credential id.
	expect_eq "published" "$(sed -n 's|^qrgate/it-site/it-gate/steps 0 ||p' "$T/all.sub" | jq -c 'keys')" \
		'["credential_id","step"]'
	expect_eq "retained" "$(grep -c '^qrgate/it-site/[^ ]*/steps 1 ' "$T/all.sub")" 0
	expect_eq "its step" "$(sed -n 's|^qrgate/it-site/it-gate/steps 0 ||p' "$T/all.sub" | jq -r '"\(.credential_id) \(.step)"')" \
		"D-0101 $(sql "SELECT step FROM token_steps;")"

	# Hostile steps: malformed, far ahead (it would lock the worker out
	# for ever), oversized, out of range.  Each refused; B keeps deciding.
	local s t=qrgate/it-site/gate-x/steps
	s=$(bsql "SELECT step FROM token_steps;")
	pub "$t" '{"credential_id":"D-0101","step":"x"}'
	pub "$t" "{\"credential_id\":\"D-0101\",\"step\":$((s + 1000))}"
	pub "$t" "{\"credential_id\":\"D-0101\",\"step\":$s,\"pad\":\"$(head -c 300 /dev/zero | tr '\0' x)\"}"
	pub "$t" '{"credential_id":"D-0101","step":4294967296}'
	mqtt_wait "B's refusals" 10 b_status_is '.mqtt.steps.refused == 4'
	expect_eq "step at B after" "$(bsql "SELECT step FROM token_steps;")" "$s"
	expect_grep "ahead of this gate's clock" "$T/b/qrgated.log"
	kill -0 "$B_PID"
	# A retained step reaches a gate that subscribes later with the
	# retain flag (a live subscriber gets it without): refused.
	pub "$t" "{\"credential_id\":\"D-0101\",\"step\":$s}" -r
	b_stop
	printf '[camera]\nsource = %s\n' "$SRCDIR/images/blank.png" >>"$B_CONF"
	"$BUILD/qrgated" -c "$B_CONF" 2>>"$T/b/qrgated.log" &
	B_PID=$!
	mqtt_wait "B's refusal of the retained step" 10 b_status_is '.mqtt.steps.refused == 1'
	expect_grep "a retained step from gate-x: refused" "$T/b/qrgated.log"
	pub "$t" '' -r
	b_stop
	stop_gate
}

# How long a copied dynamic token stays usable at a gate that hears no
# steps (offline, or its broker down): the gate takes the token's own step
# and one either side (policy.token_step_s, 30 s).  The token is made for
# the first second of its step; the gate's clock (libfaketime, the
# daemon only) reads that second plus OFFSET, a fresh log each time.
# Taken from 30 s before the step to 60 s after its start: a token shown
# at the start of its step can be copied and used for 60 s, one shown at
# its end for 30 s; once at each gate that has not heard of it.
site_faketime_lib() {
	local f
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# offline_try BASE OFFSET: the reason the gate gave, its clock at
# BASE + OFFSET s.
offline_try() {
	local base=$1 off=$2 lib at
	lib=$(site_faketime_lib)
	set_option store.path "$T/db$off.db"
	qrgatectl cred add D-0101 dynamic W-0101 --pubkey "$(cat "$T/w.key.pub")" >/dev/null
	at=$(date -u -d "@$((base + off))" '+%Y-%m-%d %H:%M:%S')
	LD_PRELOAD=$lib FAKETIME="@$at" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$BUILD/qrgated" -c "$CONF" 2>>"$T/qrgated.log" &
	GATE_PID=$!
	wait_for "the daemon to answer" status_is '.gate != null' >&2
	wait_idle >&2
	stop_gate >&2
	sqlite3 -batch -noheader "$T/db$off.db" "SELECT reason FROM events WHERE type = 'scan';"
}

test_site_steps_offline_window() {
	gate_config site_steps_offline_window blank.png
	if ! site_faketime_lib >/dev/null; then
		[ -z "${CI:-}" ] || { echo "no libfaketime (apt-get install faketime)"; return 1; }
		echo "skipped outside CI: no libfaketime (apt-get install faketime)"
		return 0
	fi
	set_option policy.clock synced
	qrgatectl keygen "$T/w.key" >/dev/null
	local base=$(( $(date +%s) / 30 * 30 )) off got table=""
	qrgatectl token W-0101 --key "$T/w.key" --at "$base" --png "$T/tok.png" >/dev/null
	set_option camera.source "$T/tok.png"
	# Two seconds of margin each side of each edge, for the start.
	for off in -33 -28 0 30 57 62 90; do
		got=$(offline_try "$base" "$off")
		table="$table $off:$got"
	done
	echo "offsets:$table"
	expect_eq "window" "${table# }" \
		"-33:not-yet-valid -28:granted 0:granted 30:granted 57:granted 62:expired 90:expired"
}

# The site broker's ACL (config/mosquitto-site.acl) with certificates: a
# gate publishes steps on its own topic only, and reads every gate's.
test_site_steps_acl() {
	local b ops now
	gate_config site_steps_acl blank.png
	set_option gate.site site1
	mqtt_setup
	tls_broker_config
	tls_gate_options gate-a
	ops=(--cafile "$T/ca.crt" --cert "$T/ops.crt" --key "$T/ops.key")
	b=(--cafile "$T/ca.crt" --cert "$T/gate-b.crt" --key "$T/gate-b.key")
	qrgatectl keygen "$T/w.key" >/dev/null
	qrgatectl cred add D-0101 dynamic W-0101 --pubkey "$(cat "$T/w.key.pub")" >/dev/null
	broker_start "$T/site.conf"
	SUB_PROBE=qrgate/probe/ops
	sub_start ops 'qrgate/#' "${ops[@]}"
	start_gate
	wait_for "the TLS connection" status_is '.mqtt.state == "connected"'
	now=$(( $(date +%s) / 30 ))
	# Gate B on gate A's topic: dropped by the broker.
	pub qrgate/site1/it-gate/steps "{\"credential_id\":\"D-0101\",\"step\":$((now - 1))}" "${b[@]}"
	# Gate B on its own: A takes it.
	pub qrgate/site1/gate-b/steps "{\"credential_id\":\"D-0101\",\"step\":$now}" "${b[@]}"
	wait_for "A takes B's step" status_is '.mqtt.steps.taken == 1'
	expect_eq "A's record" "$(sql "SELECT step FROM token_steps WHERE credential_id = 'D-0101';")" "$now"
	mqtt_wait "B's step at the back office" 10 grep -q "^qrgate/site1/gate-b/steps " "$T/ops.sub"
	expect_eq "forged on A's topic" "$(grep -c '^qrgate/site1/it-gate/steps ' "$T/ops.sub")" 0
	stop_gate
}
