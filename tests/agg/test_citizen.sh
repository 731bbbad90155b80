# No citizen number leaves the gate (issue 12, row 5): a real qrgated
# with the demo's CCCD credentials decides granted and denied CCCD scans,
# publishing to a real broker and aggregator.  Every message on the broker
# (topic and payload, captured from '#') and every column of every
# aggregator table is searched for the full number of each CCCD credential
# the gate stores.  The masked subject may go out; the number may not, in
# a credential id or anywhere else.

# Every row of every table of the aggregator's database, one a line.
agg_db_dump() {
	local t
	if [ "$BACKEND" = pg ]; then
		for t in $(db_sql "SELECT table_name FROM information_schema.tables
		    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"); do
			db_sql "SELECT '$t ' || x::text FROM \"$t\" x"
		done
	else
		for t in $(db_sql "SELECT name FROM sqlite_master WHERE type = 'table'"); do
			sqlite3 -batch -noheader -separator '|' "$DB" \
				"SELECT '$t', * FROM \"$t\""
		done
	fi
}

agg_gate_events() { [ "$(db_sql "SELECT count(*) FROM events WHERE gate = 'it-gate'")" = "$1" ]; }

test_no_citizen_number_published() {
	agg_setup no_citizen
	local at=$T gt subjects s bad=0 n
	sub_start all '#'
	agg_start
	# The demo's credentials (gate_config imports them): a card that is
	# granted, one not yet valid, a damaged card, an unknown badge, and a
	# code made up from the first card's number (granted: its credential
	# was not enrolled from the card).
	gate_config "no_citizen-$BACKEND/gate" cccd-nhung.png cccd-2024.png \
		cccd-bad-date.png badge-W9999.png cccd-forged.png
	gt=$T
	T=$at
	set_option gpio.passage_sensor ""
	# The way locked again before the second grant, four frames later.
	set_option lane.pulse_ms 100
	gate_mqtt_section
	subjects=$(sqlite3 -batch -noheader "$gt/qrgate.db" \
		"SELECT subject FROM credentials WHERE kind = 'cccd' ORDER BY subject")
	expect_eq "stored CCCD subjects" "$(echo $subjects)" "001201009876 079190001234"
	"$BUILD/qrgated" -c "$CONF" 2>>"$gt/qrgated.log" &
	GATE_PID=$!
	T=$gt
	wait_for "the daemon to answer" status_is '.gate != null'
	wait_idle
	T=$at
	mqtt_wait "the gate's events in the aggregator" 15 agg_gate_events 5
	stop_gate
	mqtt_wait "the gate offline" 10 sh -c "grep -q '\"clean\":true' '$T/all.sub'"

	# What was decided, as the aggregator has it: both results, CCCD
	# rows with their masked subjects.
	expect_eq "decisions" "$(db_sql "SELECT kind || ' ' || result || ' ' || reason || ' ' || subject FROM events WHERE gate = 'it-gate' ORDER BY seq" | tr '\n' ',')" \
		"cccd granted granted ********1234,cccd denied not-yet-valid ********9876,cccd denied malformed ,badge denied unknown **9999,cccd granted granted ********1234,"
	# The capture and the dump are real: they hold the events.
	n=$(grep -c "^qrgate/it-site/it-gate/events " "$T/all.sub" || true)
	[ "$n" -ge 5 ] || { echo "    only $n event messages captured"; return 1; }
	agg_db_dump >"$T/agg.dump"
	grep -q '\*\*\*\*\*\*\*\*1234' "$T/agg.dump" || { echo "    the dump has no event rows"; return 1; }

	for s in $subjects; do
		if grep -F "$s" "$T/all.sub"; then
			echo "    ^ citizen number $s published on the broker"
			bad=1
		fi
		if grep -F "$s" "$T/agg.dump"; then
			echo "    ^ citizen number $s stored by the aggregator"
			bad=1
		fi
	done
	return $bad
}
