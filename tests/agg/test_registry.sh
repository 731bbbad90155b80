# The gate registry and the alarms: online and offline from the retained
# status and the last will, stale after three silent heartbeat intervals,
# alarms kept with their begin and end.

status_doc() {	# status_doc GATE STATE [CLEAN]
	if [ "$2" = online ]; then
		printf '{"gate":"%s","site":"s1","lane":"1","version":"0.1.0","state":"online","time":"t","ts_ms":%s}' "$1" "$(date +%s%3N)"
	else
		printf '{"gate":"%s","site":"s1","lane":"1","state":"offline","clean":%s,"version":"0.1.0"}' "$1" "${3:-false}"
	fi
}

gate_is() {	# gate_is GATE "STATE STALE"
	[ "$(aq_jq gates ".[] | select(.gate == \"$1\") | \"\(.state) \(.stale)\"")" = "$2" ]
}

test_gate_online_offline_stale() {
	agg_setup gate_online_offline_stale
	agg_option aggregator.heartbeat_s 1
	# Retained, as the gates publish it, before the aggregator starts.
	pub qrgate/s1/g1/status "$(status_doc g1 online)" -r
	agg_start
	mqtt_wait "g1 online" 10 gate_is g1 "online false"
	# The last will: offline, not clean.
	pub qrgate/s1/g1/status "$(status_doc g1 offline false)" -r
	mqtt_wait "g1 offline" 10 gate_is g1 "offline false"
	expect_eq "clean" "$(aq_jq gates '.[0].clean')" false
	expect_grep "s1/g1: offline (last will)" "$T/agg.log"
	# Back, then silent: stale after three intervals, fresh again with
	# the next heartbeat.
	pub qrgate/s1/g1/status "$(status_doc g1 online)" -r
	mqtt_wait "g1 online again" 10 gate_is g1 "online false"
	mqtt_wait "g1 stale" 10 gate_is g1 "online true"
	mqtt_wait "the daemon to mark it" 10 grep -q "s1/g1: stale: no heartbeat for 3 s" "$T/agg.log"
	pub qrgate/s1/g1/status "$(status_doc g1 online)" -r
	mqtt_wait "g1 fresh" 10 gate_is g1 "online false"
	# A clean stop.
	pub qrgate/s1/g1/status "$(status_doc g1 offline true)" -r
	mqtt_wait "g1 stopped" 10 gate_is g1 "offline false"
	expect_eq "clean" "$(aq_jq gates '.[0].clean')" true
	# After a restart the retained offline status is read again.
	agg_stop
	agg_start
	expect_eq "still offline" "$(aq_jq gates '.[] | "\(.gate) \(.state)"')" "g1 offline"
}

alarm_doc() {	# alarm_doc NAME ACTIVE TS [EVENT_ID] [DETAIL]
	printf '{"time":"t","ts_ms":%s,"gate":"g1","site":"s1","lane":"1","alarm":"%s","active":%s' "$3" "$1" "$2"
	[ -n "${4:-}" ] && printf ',"event_id":"%s","seq":1,"reason":"%s"' "$4" "$1"
	[ -n "${5:-}" ] && printf ',"detail":"%s"' "$5"
	printf '}'
}

# A gate's alarm of an event (repeated denials of one code) names the
# event, not the code: the aggregator gives the page its lane and the
# event row's masked subject, in the API and on the live stream (the
# page said "repeated-denials" only).
test_alarm_of_event_names_code() {
	agg_setup alarm_of_event
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_start
	local port id=dddddddddddddddddddddddddddddddd cpid
	port=$(agg_web_port)
	agg_login guard guard
	as guard -N --max-time 20 "http://127.0.0.1:$port/events/live" >"$T/sse" 2>/dev/null &
	cpid=$!
	mqtt_wait "the stream" 10 grep -q '^retry: ' "$T/sse"
	pub_ev g1 "$(ev 1 $((T0 + 1000)) '**4711' W-4711 entry alarm repeated-denials g1 | jq -c '.type = "alarm" | .lane = "2" | .passage = "none"')"
	wait_events 1
	pub qrgate/s1/g1/alarm "$(alarm_doc repeated-denials true $((T0 + 1000)) "$(printf '%s-%s' g1 1 | md5sum | cut -c1-32)" | jq -c '.lane = "2"')"
	mqtt_wait "the alarm" 10 sh -c "grep -q '\"alarm\":\"repeated-denials\"' '$T/sse'"
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
	expect_eq "api" "$(aq_jq alarms '.[] | "\(.alarm) \(.lane) \(.subject)"')" "repeated-denials 2 **4711"
	expect_eq "stream" "$(sed -n '/^event: alarm$/{n;p}' "$T/sse" | sed 's/^data: //' | jq -r '"\(.lane) \(.subject)"')" "2 **4711"
	# A lane-wide alarm, or one whose event never came: no subject.
	pub qrgate/s1/g1/alarm "$(alarm_doc forced true $((T0 + 2000)) "$id")"
	mqtt_wait "the forced alarm" 10 open_alarms_are "forced,repeated-denials"
	expect_eq "no event" "$(aq_jq alarms '.[] | select(.alarm == "forced") | .subject')" null
}

open_alarms() { aq_jq alarms '[.[] | .alarm] | sort | join(",")'; }
open_alarms_are() { [ "$(open_alarms)" = "$1" ]; }

test_alarm_begin_end() {
	agg_setup alarm_begin_end
	agg_option aggregator.alarm_hold_s 2
	agg_start
	pub qrgate/s1/g1/alarm "$(alarm_doc camera true $((T0 + 1000)) '' lost)"
	pub qrgate/s1/g1/alarm "$(alarm_doc camera true $((T0 + 1500)) '' lost)"
	pub qrgate/s1/g1/alarm "$(alarm_doc fire-alarm true $((T0 + 2000)) aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)"
	mqtt_wait "two open alarms" 10 open_alarms_are "camera,fire-alarm"
	# Sent twice: still one.
	pub qrgate/s1/g1/alarm "$(alarm_doc fire-alarm true $((T0 + 2000)) aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)"
	pub qrgate/s1/g1/alarm "$(alarm_doc camera false $((T0 + 5000)) '' back)"
	mqtt_wait "the camera alarm to end" 10 open_alarms_are "fire-alarm"
	expect_eq "camera" "$(aq_jq alarms --all '.[] | select(.alarm == "camera") | "\(.began_ms - '$T0') \(.ended_ms - '$T0') \(.detail)"')" "1000 5000 lost"
	pub qrgate/s1/g1/alarm "$(alarm_doc fire-alarm false $((T0 + 9000)) bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb)"
	mqtt_wait "the fire alarm to end" 10 open_alarms_are ""
	expect_eq "fire" "$(aq_jq alarms --all '.[] | select(.alarm == "fire-alarm") | "\(.began_ms - '$T0') \(.ended_ms - '$T0')"')" "2000 9000"
	# A forced passage never ends by itself: it stays open alarm_hold_s.
	# An open cabinet is a state, as the fire alarm: it stays past that;
	# so do a supervised loop's faults.
	pub qrgate/s1/g1/alarm "$(alarm_doc forced true $((T0 + 10000)) cccccccccccccccccccccccccccccccc)"
	pub qrgate/s1/g1/alarm "$(alarm_doc tamper true $((T0 + 10000)) dddddddddddddddddddddddddddddddd)"
	pub qrgate/s1/g1/alarm "$(alarm_doc fire-loop true $((T0 + 10000)) 11111111111111111111111111111111)"
	pub qrgate/s1/g1/alarm "$(alarm_doc tamper-loop true $((T0 + 10000)) 22222222222222222222222222222222)"
	mqtt_wait "the forced, tamper and loop alarms" 10 open_alarms_are "fire-loop,forced,tamper,tamper-loop"
	mqtt_wait "the forced alarm to end" 10 open_alarms_are "fire-loop,tamper,tamper-loop"
	pub qrgate/s1/g1/alarm "$(alarm_doc tamper false $((T0 + 20000)) eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee)"
	pub qrgate/s1/g1/alarm "$(alarm_doc fire-loop false $((T0 + 20000)) 33333333333333333333333333333333)"
	pub qrgate/s1/g1/alarm "$(alarm_doc tamper-loop false $((T0 + 20000)) 44444444444444444444444444444444)"
	mqtt_wait "the tamper and loop alarms to end" 10 open_alarms_are ""
	expect_eq "rows" "$(aq_jq alarms --all length)" 6
	expect_grep "s1/g1: alarm camera: lost" "$T/agg.log"
	expect_grep "s1/g1: alarm camera ended" "$T/agg.log"
}
