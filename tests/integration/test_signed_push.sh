# Signed pushes end to end, through qrgatectl push and a real broker: a
# signed push applies; the same one again, an older one (also after a
# restart), one signed with another key, an unsigned one, one moved to
# another gate's topic, and an expired command are all refused with their
# reason, and change nothing.  A gate without an admin key takes nothing,
# unless unsigned pushes are on (a lab bench).

. "$SRCDIR/tests/integration/lib_mqtt.sh"

# push_expect REASON KIND [ARGS...]: qrgatectl push KIND ARGS with the
# test's key, waiting for the gate's result; REASON "ok" wants it taken,
# anything else wants it refused for that reason.
push_expect() {
	local want=$1 out rc
	shift
	out=$(qrgatectl push "$@" --wait-result --timeout 10) && rc=0 || rc=$?
	if [ "$want" = ok ]; then
		[ "$rc" = 0 ] && json_is '.ok' "$out" && return 0
	else
		[ "$rc" = 1 ] && json_is "(.ok | not) and .reason == \"$want\"" "$out" && return 0
	fi
	echo "    push $*: want $want, got exit $rc: $out"
	return 1
}

# body FILE JSON: a push document in a file.
body() { printf '%s' "$2" >"$T/$1"; }

# nth_result SUFFIX N: the Nth result the subscriber got on $TOPIC/SUFFIX.
nth_result() { payloads all "$1" | sed -n "${2}p"; }
results_are() { [ "$(payloads all "$1" | wc -l)" -ge "$2" ]; }

# What must not have changed: the pushes in effect and the credentials.
state() {
	gate_status | jq -c '[.config_version, .cred_version]'
	sql "SELECT scope, version, document FROM sync_pushes ORDER BY scope;"
	sql "SELECT id, status FROM credentials ORDER BY id;"
}

test_signed_push_replay_rollback_and_restart() {
	local before
	gate_config signed_push_replay_rollback_and_restart blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	body v3 '{"version":3,"settings":{"lane.pulse_ms":4000}}'
	body v2 '{"version":2,"settings":{"lane.pulse_ms":9000}}'
	body p5 '{"version":5,"add":[{"id":"N-1","kind":"badge","subject":"N-1","status":"active"}]}'
	body p4 '{"version":4,"remove":["W-0001"]}'
	push_expect ok config --key "$ADMIN_SK" "$T/v3"
	push_expect ok patch --key "$ADMIN_SK" "$T/p5"
	wait_for "the versions" status_is '.config_version == 3 and .cred_version == 5'
	before=$(state)
	# The same messages again (Ed25519 signs deterministically: these are
	# byte for byte the ones sent), and older ones.
	push_expect replayed config --key "$ADMIN_SK" "$T/v3"
	push_expect rolled-back config --key "$ADMIN_SK" "$T/v2"
	push_expect replayed patch --key "$ADMIN_SK" "$T/p5"
	push_expect rolled-back patch --key "$ADMIN_SK" "$T/p4"
	expect_eq "after the replays" "$(state)" "$before"
	expect_grep "older than version 3; refused (rolled-back)" "$T/qrgated.log"
	push_expect ok cmd normal --id keep-1 --expires-in 300 --key "$ADMIN_SK"
	# A restart forgets nothing: not the versions, not the command ids.
	stop_gate
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect replayed cmd normal --id keep-1 --expires-in 300 --key "$ADMIN_SK"
	push_expect rolled-back config --key "$ADMIN_SK" "$T/v2"
	push_expect replayed config --key "$ADMIN_SK" "$T/v3"
	push_expect rolled-back patch --key "$ADMIN_SK" "$T/p4"
	expect_eq "after the restart" "$(state)" "$before"
	# And a newer one is taken.
	body v4 '{"version":4,"settings":{"lane.pulse_ms":4500}}'
	push_expect ok config --key "$ADMIN_SK" "$T/v4"
	wait_for "version 4" status_is '.config_version == 4'
	stop_gate
}

test_signed_push_forged_moved_unsigned_expired() {
	local before now
	gate_config signed_push_forged_moved_unsigned_expired blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	before=$(state)
	body v1 '{"version":1,"settings":{"lane.pulse_ms":4000}}'
	# Signed with another key.
	qrgatectl keygen "$T/other.key" >/dev/null
	push_expect bad-signature config --key "$T/other.key" "$T/v1"
	push_expect bad-signature cmd lockdown --key "$T/other.key"
	# Unsigned, as anyone who can write to the broker could send it.
	pub "$TOPIC/config/set" "$(cat "$T/v1")"
	mqtt_wait "the refusal" 10 results_are config/result 2
	json_is '(.ok | not) and .reason == "unsigned"' "$(nth_result config/result 2)"
	# Signed for another gate of the site, or for the site-wide topic,
	# and sent to this gate's topic; this gate's, sent site-wide.
	signed_file qrgate/it-site/other-gate/config/set "$T/v1" >"$T/moved.json"
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$TOPIC/config/set" -f "$T/moved.json"
	signed_file qrgate/it-site/all/config/set "$T/v1" >"$T/moved.json"
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$TOPIC/config/set" -f "$T/moved.json"
	signed_file "$TOPIC/config/set" "$T/v1" >"$T/moved.json"
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t qrgate/it-site/all/config/set -f "$T/moved.json"
	# A command moved to the config topic.
	signed_file "$TOPIC/cmd" "$T/v1" >"$T/moved.json"
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$TOPIC/config/set" -f "$T/moved.json"
	mqtt_wait "four refusals" 10 results_are config/result 6
	for n in 3 4 5 6; do
		json_is '(.ok | not) and .reason == "bad-signature"' "$(nth_result config/result $n)" ||
			{ echo "result $n: $(nth_result config/result $n)"; return 1; }
	done
	# A signed command whose expiry has passed.
	now=$(( $(date +%s) * 1000 ))
	body late "{\"id\":\"late-1\",\"cmd\":\"lockdown\",\"expires\":$((now - 1000))}"
	push_expect expired cmd --key "$ADMIN_SK" --body "$T/late"
	status_is '.lockdown == false'
	expect_eq "after the refusals" "$(state)" "$before"
	expect_grep "refused (bad-signature)" "$T/qrgated.log"
	expect_grep "refused (unsigned)" "$T/qrgated.log"
	# The genuine ones are taken.
	push_expect ok config --key "$ADMIN_SK" "$T/v1"
	push_expect ok cmd lockdown --key "$ADMIN_SK" --expires-in 60
	wait_for "the lockdown" status_is '.lockdown == true and .config_version == 1'
	stop_gate
}

test_signed_push_without_admin_key() {
	local before
	gate_config signed_push_without_admin_key blank.png
	set_option camera.loop true
	mqtt_setup
	set_option security.admin_key ""
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	before=$(state)
	body v1 '{"version":1,"settings":{"lane.pulse_ms":4000}}'
	push_expect no-admin-key config --key "$ADMIN_SK" "$T/v1"
	pub "$TOPIC/config/set" "$(cat "$T/v1")"
	mqtt_wait "the refusal" 10 results_are config/result 2
	json_is '(.ok | not) and .reason == "no-admin-key"' "$(nth_result config/result 2)"
	expect_eq "refused" "$(state)" "$before"
	# A lab bench: unsigned pushes taken, and nothing a push can undo.
	stop_gate
	set_option security.unsigned_pushes true
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	pub "$TOPIC/config/set" "$(cat "$T/v1")"
	wait_for "the unsigned push" status_is '.config_version == 1'
	pub "$TOPIC/config/set" '{"version":2,"settings":{"security.unsigned_pushes":false}}'
	mqtt_wait "its refusal" 10 results_are config/result 4
	json_is '(.ok | not) and (.errors[0] | contains("security.unsigned_pushes"))' "$(nth_result config/result 4)"
	status_is '.config_version == 1'
	stop_gate
}
