# Durability: kill -9 in the middle of a burst of grants never loses the row
# of a pulse, and never corrupts the database; SIGTERM de-energises.

test_kill9_during_grants_keeps_a_row_per_pulse() {
	local round pulses granted
	for round in 1 2 3 4 5; do
		gate_config "kill9_round$round" badge-W0001.png blank.png blank.png
		set_option camera.loop true
		set_option camera.fps 30
		set_option decoder.holdoff_ms 0
		set_option lane.pulse_ms 100
		start_gate
		wait_for "some grants" sh -c "[ \$(grep -c 'entry_relay 1' '$T/gpio.log') -ge $((round * 2)) ]"
		kill -9 "$GATE_PID"
		wait "$GATE_PID" 2>/dev/null || true
		GATE_PID=""
		expect_eq "integrity (round $round)" "$(sql 'PRAGMA integrity_check;')" "ok"
		pulses=$(grep -c 'entry_relay 1' "$T/gpio.log")
		granted=$(sql "SELECT count(*) FROM events WHERE result = 'granted';")
		# Every pulse has its row; at most one row is committed whose
		# pulse the kill prevented.
		if [ "$granted" -lt "$pulses" ] || [ "$granted" -gt $((pulses + 1)) ]; then
			echo "round $round: $pulses pulses, $granted granted rows"
			return 1
		fi
		# Restarting on the same database works and keeps counting.
		start_gate
		stop_gate
		expect_eq "seq continues (round $round)" \
			"$(sql 'SELECT max(seq) >= count(*) FROM events;')" "1"
	done
}

test_sigterm_during_pulse_deenergises() {
	gate_config sigterm_during_pulse_deenergises badge-W0001.png
	set_option lane.pulse_ms 10000
	start_gate
	wait_for "the relay" last_value_is entry_relay 1
	stop_gate
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
	expect_eq "green lamp" "$(output_values green_led)" "0 1 0"
	expect_grep "relays de-energised" "$T/qrgated.log"
}
