# Hostile payloads: denied, logged without their bytes, nothing broken.

test_hostile_payloads_denied_and_logged() {
	gate_config hostile_payloads_denied_and_logged hostile-sql.png hostile-shell.png \
		hostile-nul.png hostile-utf8.png hostile-long.png
	start_gate
	wait_idle
	status_is '.counters.denials == 5 and .counters.grants == 0'
	stop_gate
	expect_eq "reasons" "$(rows reason)" \
		"unknown-format unknown-format unknown-format unknown-format too-long"
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
	# Logged by fingerprint, never by content.
	expect_eq "subjects" "$(sql "SELECT count(*) FROM events WHERE subject != '' OR length(payload_hash) != 16;")" "0"
	expect_eq "distinct hashes" "$(sql "SELECT count(DISTINCT payload_hash) FROM events;")" "5"
	expect_eq "integrity" "$(sql 'PRAGMA integrity_check;')" "ok"
	expect_eq "tables" "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name);")" "cmd_done credentials events gate_meta holidays outbox outbox_meta schedule_groups schedules sync_chunks sync_pushes sync_state token_steps"
	expect_eq "credentials" "$(sql 'SELECT count(*) FROM credentials;')" "7"
	# Nothing the shell payload asked for happened.
	[ ! -e /tmp/qrgate-pwned ]
}

test_long_payload_reaches_parser_when_allowed() {
	gate_config long_payload_reaches_parser_when_allowed hostile-long.png
	set_option decoder.max_payload 2953
	start_gate
	wait_idle
	stop_gate
	expect_eq "reason" "$(rows reason)" "unknown-format"
}
