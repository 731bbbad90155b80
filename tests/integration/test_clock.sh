# The gate's time (gatetime.h) against a clock moved with libfaketime,
# preloaded into the daemon only (lib.sh's GATE_ENV): a clock set back
# after a run at the real time revives no expired credential, badge token
# or command; a clock set forward makes retention delete nothing within
# the window of the newest row, nothing undelivered, and nothing at all
# while the clock is not trusted.  qrgatectl, sqlite3 and the test keep
# the real clock.  The monotonic clock is left alone, so the loop's timers
# keep their pace.

# Debian's multiarch path, the first found (or set FAKETIME_LIB).
if [ -z "${FAKETIME_LIB:-}" ]; then
	FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
	for _fl in /usr/lib/*/faketime/libfaketime.so.1; do
		[ -r "$_fl" ] && { FAKETIME_LIB=$_fl; break; }
	done
fi

# Said once, as run.sh reads the tests (a test's own output is shown only
# when it fails).
if [ ! -r "$FAKETIME_LIB" ] && [ "${CI:-}" != true ]; then
	echo "integration: test_clock_* skip: no $FAKETIME_LIB (Debian package faketime)"
fi

# clock_need: libfaketime is there, or the test cannot run: it fails under
# CI=true, and is skipped elsewhere (returns 2; said above).
clock_need() {
	[ -r "$FAKETIME_LIB" ] && return 0
	echo "    $FAKETIME_LIB is missing (Debian package faketime)"
	[ "${CI:-}" = true ] && return 1
	return 2
}

# clock_shift OFFSET: the daemon's next starts see the wall clock moved by
# OFFSET (libfaketime's "-200d", "+40d", "+20m"); no OFFSET: the real one.
clock_shift() {
	if [ -z "${1:-}" ]; then
		GATE_ENV=""
		return
	fi
	GATE_ENV="LD_PRELOAD=$FAKETIME_LIB FAKETIME=$1 FAKETIME_DONT_FAKE_MONOTONIC=1"
}

# utc SECONDS: the time as qrgatectl cred takes it.
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# The floor written down, in ms ('' when none).
floor_saved() { sql "SELECT value FROM gate_meta WHERE key = 'time_floor_ms';"; }

test_clock_set_back_revives_no_expired_credential() {
	local now r st floor
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config clock_set_back_revives_no_expired_credential blank.png
	policy_slow_camera
	qrgatectl keygen "$T/issuer.key" >/dev/null
	set_option security.issuer_key "$(cat "$T/issuer.key.pub")"
	qrgatectl cred add S-0201 signed W-0201 --serial 2
	now=$(date +%s)
	# Both ended ten days ago: 200 days back they were still good.
	qrgatectl cred add W-0001 badge W-0001 --until "$(utc $((now - 10 * 86400)))"
	qrgatectl badge W-0201 --key "$T/issuer.key" --serial 2 \
		--allow-expired --expires $((now - 10 * 86400)) --png "$T/gone.png" >/dev/null
	# One run at the real time, showing nothing: the floor is written.
	run_gate
	floor=$(floor_saved)
	# Then a start 200 days behind (a Pi without a real-time clock after
	# a power cut), the clock counted as synchronised all the same.
	clock_shift -200d
	policy_frames "$T/gone.png" "$IMG_W1"
	start_gate
	wait_idle
	st=$(gate_status)
	stop_gate
	expect_eq "rows" "$(rows "credential_id||':'||reason")" \
		"S-0201:expired W-0001:expired"
	# Each start drives the relay to 0; it never went to 1.
	expect_eq "relay" "$(output_values entry_relay)" "0 0"
	# The daemon did see the clock moved back, and says so.
	json_is '.clock.behind_floor and (.clock.trusted | not)' "$st" ||
		{ echo "    status: $(jq -c .clock <<<"$st")"; return 1; }
	expect_grep "clock behind the time floor" "$T/qrgated.log"
	# The first run wrote the floor down.
	[ -n "$floor" ] && [ "$floor" -ge $((now * 1000)) ] ||
		{ echo "    no time floor written: '$floor'"; return 1; }
	# Rows are stamped with the gate's time: not 200 days back.
	[ "$(sql "SELECT min(ts_ms) FROM events;")" -ge $((now * 1000)) ]
}

# retention_rows: seq:in-outbox for every row, oldest first.
retention_rows() {
	sql "SELECT seq||':'||(seq IN (SELECT seq FROM outbox)) FROM events ORDER BY seq;" |
		tr '\n' ' ' | sed 's/ $//'
}

test_clock_forward_retention_keeps_window_and_undelivered() {
	local cols r st
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config clock_forward_retention_keeps_window_and_undelivered blank.png
	policy_slow_camera
	set_option store.retention_days 30
	# MQTT on, towards a port nobody listens on: every row waits in the
	# outbox, undelivered.
	cat >>"$CONF" <<CONF
[mqtt]
enabled = true
host = 127.0.0.1
port = $(free_port)
CONF
	policy_frames "$IMG_W1" "$SRCDIR/images/badge-W0004.png"
	run_gate
	# Row 1 delivered (its outbox entry gone), row 2 not; rows 3 and 4
	# copies of them 31 days older, 3 delivered, 4 not.
	cols=$(sql "SELECT group_concat(name, ',') FROM pragma_table_info('events') WHERE name NOT IN ('seq', 'event_id', 'ts_ms');")
	sql "DELETE FROM outbox WHERE seq = 1;
		INSERT INTO events (event_id, ts_ms, $cols) SELECT 'old-delivered', ts_ms - 31 * 86400000, $cols FROM events WHERE seq = 1;
		INSERT INTO events (event_id, ts_ms, $cols) SELECT 'old-undelivered', ts_ms - 31 * 86400000, $cols FROM events WHERE seq = 2;
		INSERT INTO outbox (seq) VALUES (4);"
	expect_eq "before" "$(retention_rows)" "1:0 2:1 3:0 4:1"
	policy_frames "$SRCDIR/images/blank.png"
	# 40 days ahead, not synchronised: retention waits, deletes nothing.
	clock_shift +40d
	set_option policy.clock unsynced
	start_gate
	wait_for "retention" grep -qE "retention skipped|store: purged" "$T/qrgated.log"
	st=$(gate_status)
	stop_gate
	expect_eq "untrusted" "$(retention_rows)" "1:0 2:1 3:0 4:1"
	expect_grep "retention skipped: the clock is not synchronised" "$T/qrgated.log"
	# The daemon did see the clock 40 days ahead.
	json_is '.clock.synced == false and .clock.now_ms > (now * 1000 + 39 * 86400000)' "$st" ||
		{ echo "    status: $(jq -c .clock <<<"$st")"; return 1; }
	# 40 days ahead and trusted (a lying time server): only the delivered
	# row older than 30 days before the newest row goes.
	set_option policy.clock synced
	: >"$T/qrgated.log"
	start_gate
	wait_for "retention" grep -qE "retention kept|store: purged" "$T/qrgated.log"
	stop_gate
	expect_eq "trusted" "$(retention_rows)" "1:0 2:1 4:1"
	expect_grep "store: purged 1 events from before" "$T/qrgated.log"
	expect_grep "retention kept 1 events from before .*: not yet delivered" "$T/qrgated.log"
}

# clock_cmd_setup: a gate on a real broker, the admin key, and the first
# command (id first-1, expiring in five minutes of the real time) taken at
# the real time; $T/first holds it, to be sent again byte for byte.
clock_cmd_setup() {
	gate_config "$1" blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	body first "{\"id\":\"first-1\",\"cmd\":\"normal\",\"expires\":$(( ($(date +%s) + 300) * 1000 ))}"
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect ok cmd --key "$ADMIN_SK" --body "$T/first"
	stop_gate
}

# clock_cmd_later: with the clock 20 minutes ahead, a second command
# (valid by that clock) is taken.
clock_cmd_later() {
	clock_shift +20m
	body later "{\"id\":\"later-1\",\"cmd\":\"normal\",\"expires\":$(( ($(date +%s) + 1500) * 1000 ))}"
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect ok cmd --key "$ADMIN_SK" --body "$T/later"
	stop_gate
	clock_shift
}

test_clock_command_replay_after_trusted_step() {
	local r st
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	clock_cmd_setup clock_command_replay_after_trusted_step
	# The step ahead is trusted (policy.clock = synced): the floor follows
	# it, and first-1 is forgotten as long expired by then.
	clock_cmd_later
	# The clock back at the real time: below the floor, so the gate's
	# now stays there and first-1 is expired, never new again.
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect expired cmd --key "$ADMIN_SK" --body "$T/first"
	st=$(gate_status)
	stop_gate
	expect_eq "executed" "$(grep -c 'command normal (id first-1)' "$T/qrgated.log")" 1
	json_is '.clock.behind_floor' "$st" || { echo "    status: $(jq -c .clock <<<"$st")"; return 1; }
}

test_clock_command_replay_after_untrusted_step() {
	local r
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	clock_cmd_setup clock_command_replay_after_untrusted_step
	# The step ahead is not trusted: the floor stays, and so does first-1.
	set_option policy.clock unsynced
	clock_cmd_later
	set_option policy.clock synced
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect replayed cmd --key "$ADMIN_SK" --body "$T/first"
	stop_gate
	expect_eq "executed" "$(grep -c 'command normal (id first-1)' "$T/qrgated.log")" 1
}

# An untrusted clock is an alarm by itself, checked every second, not only
# when a dynamic token meets it: on the status, in qrgatectl status, and
# on MQTT; it clears once the clock is synchronised again (here by a
# reload that takes it as such).
test_clock_unsynced_alarm_on_status_and_mqtt() {
	gate_config clock_unsynced_alarm_on_status_and_mqtt blank.png
	set_option camera.loop true
	set_option policy.clock unsynced
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	mqtt_wait "the clock alarm" 10 sh -c "grep -q '^$TOPIC/alarm .*\"clock\"' '$T/all.sub'"
	# A new database and a clock never trusted: no floor yet.
	status_is '.clock.synced == false and .clock.trusted == false and .clock.floor_ms == 0'
	qrgatectl status | grep -q "^clock  *not synchronised; time floor none"
	set_option policy.clock synced
	kill -HUP "$GATE_PID"
	mqtt_wait "the end of the clock alarm" 10 sh -c "[ \$(grep -c '^$TOPIC/alarm .*\"clock\"' '$T/all.sub') -ge 2 ]"
	status_is '.clock.synced and .clock.trusted and .clock.floor_ms > 0'
	qrgatectl status | grep -q "^clock  *synchronised; time floor 20"
	stop_gate
	expect_eq "alarms" "$(payloads all alarm | jq -r 'select(.alarm == "clock") | "\(.active) \(.detail)"' | tr '\n' ',')" \
		"true not synchronised,false synchronised again,"
}

# A clock stepped a year ahead while trusted carries the floor with it, and
# a badge valid for another month is then denied expired by the real
# clock: until `qrgatectl floor --set now`, with the daemon stopped, puts
# the floor back.  The rows stamped a year ahead do not lift it again.
test_clock_floor_set_back_by_the_operator() {
	local r now st
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config clock_floor_set_back_by_the_operator blank.png
	policy_slow_camera
	now=$(date +%s)
	qrgatectl cred add W-0001 badge W-0001 --until "$(utc $((now + 30 * 86400)))"
	clock_shift +365d
	policy_frames "$SRCDIR/images/badge-W0004.png"
	run_gate
	clock_shift
	[ "$(floor_saved)" -gt $(((now + 364 * 86400) * 1000)) ] ||
		{ echo "    floor not a year ahead: $(floor_saved)"; return 1; }
	policy_frames "$IMG_W1"
	run_gate
	expect_eq "a year ahead" "$(rows "credential_id||':'||reason" | tr ' ' '\n' | tail -1)" "W-0001:expired"
	# Not under a running daemon, which would write its own floor back.
	start_gate
	wait_idle
	if qrgatectl floor --set now >"$T/floor.out" 2>&1; then
		echo "    floor --set taken under a running daemon"; return 1
	fi
	expect_grep "stop it first" "$T/floor.out"
	stop_gate
	[ "$(floor_saved)" -gt $(((now + 364 * 86400) * 1000)) ] ||
		{ echo "    floor changed under the daemon: $(floor_saved)"; return 1; }
	qrgatectl floor --set now >"$T/floor.out" 2>&1
	expect_grep "^time floor" "$T/floor.out"
	expect_grep "set back" "$T/floor.out"
	[ "$(floor_saved)" -le $((($(date +%s) + 1) * 1000)) ] ||
		{ echo "    floor not set back: $(floor_saved)"; return 1; }
	start_gate
	wait_idle
	st=$(gate_status)
	stop_gate
	expect_eq "floor set back" "$(rows "credential_id||':'||reason" | tr ' ' '\n' | tail -1)" "W-0001:granted"
	# The rows stamped a year ahead lift the new floor by a minute at
	# most (gatetime_floor_start()).
	json_is ".clock.floor_ms < $(( ($(date +%s) + 120) * 1000 ))" "$st" ||
		{ echo "    status: $(jq -c .clock <<<"$st")"; return 1; }
}
