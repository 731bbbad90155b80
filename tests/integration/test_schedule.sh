# Schedules at the gate (schedule.h, decide.h rule 17b), with the real
# daemon offline (no broker) and its clock moved with libfaketime
# (test_clock.sh's clock_need and clock_shift) to chosen local times in
# the default zone, Asia/Ho_Chi_Minh: a day-shift worker is refused before
# the shift and admitted in it, by their own profile and by their group's;
# a holiday closes the shift; an exit is never refused; and an untrusted
# clock refuses every entry of a scheduled worker while one without a
# schedule walks in.  The reasons are read from the log.

# schedule_at LOCAL: the daemon's next starts see the site's local time
# LOCAL ("2027-01-05 02:00", +07 all year), moving on from there.
schedule_at() {
	local target
	target=$(date -u -d "$1 +07:00" +%s)
	clock_shift "$(printf '%+d' $((target - $(date +%s))))"
}

test_schedule_day_shift_offline() {
	local r
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config schedule_day_shift_offline blank.png
	policy_slow_camera
	qrgatectl schedule add day "mon-fri 07:00-16:00; grace 15"
	# W-0001 by its own profile, W-0002 by its group's; W-0004 has none
	# (and both ways, for the exits below).
	qrgatectl cred add W-0001 badge W-0001 --schedule day
	qrgatectl cred add W-0004 badge W-0004
	qrgatectl cred add W-0002 badge W-0002 --group Welding
	qrgatectl schedule group Welding day
	qrgatectl schedule holiday add 2027-01-06 "a holiday for the test"
	local w1="$SRCDIR/images/badge-W0001.png" w2="$SRCDIR/images/badge-W0002.png"
	local w4="$SRCDIR/images/badge-W0004.png"
	policy_frames "$w1" "$w2" "$w4"

	# Tuesday 02:00, the night before the shift: refused, both ways of
	# assignment; the worker without a schedule is not concerned.
	schedule_at "2027-01-05 02:00"
	run_gate
	expect_eq "before the shift" "$(rows "credential_id||':'||reason")" \
		"W-0001:outside-schedule W-0002:outside-schedule W-0004:granted"
	# Tuesday 09:00, in the shift: admitted.
	sql "DELETE FROM events;"
	schedule_at "2027-01-05 09:00"
	run_gate
	expect_eq "in the shift" "$(rows "credential_id||':'||reason")" \
		"W-0001:granted W-0002:granted W-0004:granted"
	# Wednesday 09:00 is a holiday: the shift does not start.
	sql "DELETE FROM events;"
	schedule_at "2027-01-06 09:00"
	run_gate
	expect_eq "a holiday" "$(rows "credential_id||':'||reason")" \
		"W-0001:outside-schedule W-0002:outside-schedule W-0004:granted"
	# Thursday 02:00, going out: an exit is never refused.
	sql "DELETE FROM events;"
	set_option lane.exit true
	set_option camera.direction exit
	schedule_at "2027-01-07 02:00"
	run_gate
	expect_eq "exits" "$(rows "credential_id||':'||direction||':'||reason")" \
		"W-0001:exit:granted W-0002:exit:granted W-0004:exit:granted"
	# Thursday 09:00 on a clock not trusted: in the shift by that clock,
	# and refused all the same; W-0004 has no schedule and enters.
	sql "DELETE FROM events;"
	set_option camera.direction entry
	set_option policy.clock unsynced
	schedule_at "2027-01-07 09:00"
	run_gate
	expect_eq "untrusted clock" "$(rows "credential_id||':'||reason")" \
		"W-0001:clock-unsynced W-0002:clock-unsynced W-0004:granted"
	# No broker was ever named: every decision above was the gate's own.
	expect_eq "mqtt" "$(grep -c '^\[mqtt\]' "$CONF")" 0
}

# Visitors have hours too (policy.visitor_schedule): a pass valid from
# 05:00 to 19:00 is refused at 06:00, outside 08:00-17:00, and admitted
# at 10:00.  No HR attendance concerns a visitor: that is the
# aggregator's, for the people its shifts are assigned to.
test_schedule_visitor_pass() {
	local r t0
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config schedule_visitor_pass blank.png
	policy_slow_camera
	qrgatectl keygen "$T/desk.key" >/dev/null
	set_option security.visitor_key "$(cat "$T/desk.key.pub")"
	qrgatectl schedule add visitors "mon-fri 08:00-17:00"
	set_option policy.visitor_schedule visitors
	t0=$(date -u -d "2027-01-05 05:00 +07:00" +%s)
	qrgatectl visitor-pass V-20270105-0001 --key "$T/desk.key" \
		--png "$T/pass.png" --from "$t0" --until $((t0 + 14 * 3600)) >/dev/null
	policy_frames "$T/pass.png"
	schedule_at "2027-01-05 06:00"
	run_gate
	expect_eq "before the hours" "$(rows "credential_id||':'||reason")" \
		"V-20270105-0001:outside-schedule"
	sql "DELETE FROM events;"
	schedule_at "2027-01-05 10:00"
	run_gate
	expect_eq "in the hours" "$(rows "credential_id||':'||reason")" \
		"V-20270105-0001:granted"
}

# A profile named on a credential but not on the gate closes; the
# daemon says which.  And the CLI's errors name the file and line.
test_schedule_missing_profile_and_bad_files() {
	local r rc
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config schedule_missing_profile_and_bad_files blank.png
	policy_slow_camera
	qrgatectl cred add W-0001 badge W-0001 --schedule nowhere
	policy_frames "$SRCDIR/images/badge-W0001.png"
	schedule_at "2027-01-05 09:00"
	run_gate
	expect_eq "missing profile" "$(rows "credential_id||':'||reason")" \
		"W-0001:outside-schedule"
	expect_grep "schedule nowhere is not on this gate" "$T/qrgated.log"

	printf 'day mon-fri 07:00-16:00\n# fine so far\nnight mon-fri 22:00-6:00\n' >"$T/s.txt"
	if qrgatectl schedule import "$T/s.txt" 2>"$T/err"; then
		echo "    a bad schedule file imported"; return 1
	fi
	expect_grep "s.txt:3: '22:00-6:00' is not an interval" "$T/err"
	# Nothing of it was written, not even its good first line.
	expect_eq "none imported" "$(sql "SELECT count(*) FROM schedules;")" 0
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270205\r\nDTEND;VALUE=DATE:20270209\r\nSUMMARY:Tet\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20270301T080000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$T/h.ics"
	if qrgatectl schedule holiday import "$T/h.ics" 2>"$T/err"; then
		echo "    an event with a time of day imported"; return 1
	fi
	expect_grep "h.ics:8: DTSTART has a time of day" "$T/err"
	expect_eq "no holidays" "$(sql "SELECT count(*) FROM holidays;")" 0
	# Hostile calendars: a clear error with its line, exit 1, no crash.
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$T/daily.ics"
	qrgatectl schedule holiday import "$T/daily.ics" 2>"$T/err" && rc=0 || rc=$?
	expect_eq "daily rule" "$rc" 1
	expect_grep "daily.ics:2: a repeating holiday repeats yearly" "$T/err"
	printf 'BEGIN:VCALENDAR\r\n\000\377\001' >"$T/nul.ics"
	qrgatectl schedule holiday import "$T/nul.ics" 2>"$T/err" && rc=0 || rc=$?
	expect_eq "NUL" "$rc" 1
	expect_grep "nul.ics: a NUL byte" "$T/err"
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2027\r\nEND:VEVENT\r\n' >"$T/cut.ics"
	qrgatectl schedule holiday import "$T/cut.ics" 2>"$T/err" && rc=0 || rc=$?
	expect_eq "cut short" "$rc" 1
	printf '2027-02-30 not a day\n' >"$T/days.txt"
	qrgatectl schedule holiday import "$T/days.txt" 2>"$T/err" && rc=0 || rc=$?
	expect_eq "bad date" "$rc" 1
	expect_grep "days.txt:1: '2027-02-30' is not a date" "$T/err"
	expect_eq "still no holidays" "$(sql "SELECT count(*) FROM holidays;")" 0
	# The good part alone: Tet's four days.
	sed -i '8,10d' "$T/h.ics"
	qrgatectl schedule holiday import "$T/h.ics" >/dev/null
	expect_eq "Tet" "$(sql "SELECT group_concat(day, ' ') FROM holidays;")" \
		"2027-02-05 2027-02-06 2027-02-07 2027-02-08"
}

# Schedules travel like credentials: prepared in a staging database,
# exported, and pushed signed over MQTT to the gate, which takes the whole
# document or nothing; a replay or an older version is refused and
# logged, and changes nothing, also after a restart.
test_schedule_mqtt_push_versions_only_go_up() {
	local stage out rc
	gate_config schedule_mqtt_push_versions_only_go_up blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	stage="qrgatectl -o store.path=$T/staging.db"
	$stage schedule add day "mon-fri 07:00-16:00; grace 15"
	$stage schedule group Welding day
	$stage schedule holiday add 2027-02-06 "Tết"
	$stage schedule export --version 5 >"$T/v5.json"
	$stage schedule export --version 4 >"$T/v4.json"
	push_expect ok schedules --key "$ADMIN_SK" "$T/v5.json"
	expect_eq "taken" "$(sql "SELECT name || ' ' || text FROM schedules;") $(sql "SELECT grp || ' ' || schedule FROM schedule_groups;") $(sql "SELECT day FROM holidays;")" \
		"day mon-fri 07:00-16:00; grace 15 Welding day 2027-02-06"
	expect_eq "version" "$(sql "SELECT value FROM gate_meta WHERE key = 'schedules_version';")" 5
	status_is '.schedules.version == 5 and (.schedules.open_period | not)' ||
		{ echo "    status: $(gate_status | jq -c .schedules)"; return 1; }
	push_expect replayed schedules --key "$ADMIN_SK" "$T/v5.json"
	push_expect rolled-back schedules --key "$ADMIN_SK" "$T/v4.json"
	expect_grep "schedules: version 4 refused: version 5 is in use" "$T/qrgated.log"
	# A newer version with one bad profile: nothing of it is taken.
	printf '{"version":6,"schedules":{"day":"daily 06:00-18:00","night":"mon-fri 22:00-6:00"}}' >"$T/v6.json"
	out=$(qrgatectl push schedules --key "$ADMIN_SK" "$T/v6.json" --wait-result --timeout 10) && rc=0 || rc=$?
	expect_eq "refused" "$rc" 1
	json_is '(.ok | not) and (.errors[0] | contains("night: '"'"'22:00-6:00'"'"' is not an interval"))' "$out" ||
		{ echo "    result: $out"; return 1; }
	expect_eq "unchanged" "$(sql "SELECT text FROM schedules;") $(sql "SELECT value FROM gate_meta WHERE key = 'schedules_version';")" \
		"mon-fri 07:00-16:00; grace 15 5"
	# A restart remembers the version.
	stop_gate
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	push_expect replayed schedules --key "$ADMIN_SK" "$T/v5.json"
	status_is '.schedules.version == 5' ||
		{ echo "    status after the restart: $(gate_status | jq -c .schedules)"; return 1; }
	stop_gate
}

# A normally-open period (lane.open_schedule): the lane is held free
# while it lasts and locks again at its end, each logged; on a clock not
# trusted it never opens, and says why.
test_schedule_open_period() {
	local r
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config schedule_open_period blank.png
	set_option camera.loop true
	qrgatectl schedule add change "daily 06:45-07:15"
	set_option lane.open_schedule change
	# Three seconds before its end: it opens at once, then locks.
	schedule_at "2027-01-05 07:14:57"
	start_gate
	wait_for "the period's end" rows_are "reason" "open-schedule-on open-schedule-off"
	stop_gate
	# The relay: driven 0 at the start, held 1, then 0.
	expect_eq "relay" "$(output_values entry_relay)" "0 1 0"
	expect_grep "lane.open_schedule change: every way held free" "$T/qrgated.log"
	# Inside it again, on a clock not trusted: nothing opens.
	sql "DELETE FROM events;"
	: >"$T/gpio.log"
	set_option policy.clock unsynced
	schedule_at "2027-01-06 07:00"
	start_gate
	wait_for "the refusal" grep -q "change would open, but the clock is not trusted" "$T/qrgated.log"
	stop_gate
	expect_eq "no rows" "$(rows "reason")" ""
	expect_eq "relay never driven 1" "$(output_values entry_relay)" "0"
}

# A normally-open period is a grant to whoever comes: none while the log
# cannot take its row.  The database goes a few seconds before the
# period starts; when it starts the lane stays locked, and says why.
test_schedule_open_period_not_unlogged() {
	local r
	clock_need || { r=$?; [ $r = 2 ] && return 0; return 1; }
	gate_config schedule_open_period_not_unlogged blank.png
	set_option camera.loop true
	qrgatectl schedule add change "daily 06:45-07:15"
	set_option lane.open_schedule change
	schedule_at "2027-01-05 06:44:54"
	start_gate
	rm "$T/qrgate.db" "$T/qrgate.db-wal" "$T/qrgate.db-shm"
	wait_for "the database alarm" grep -q "store: the database file: deleted or moved" "$T/qrgated.log"
	wait_for "the period's refusal" grep -q "change would open, but the log cannot be written" "$T/qrgated.log"
	stop_gate
	expect_eq "relay never driven 1" "$(output_values entry_relay)" "0"
}
