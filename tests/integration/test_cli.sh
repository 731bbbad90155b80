# qrgatectl against real databases and images, and the daemon's retention.

test_cli_credentials_add_list_delete_import() {
	gate_config cli_credentials_add_list_delete_import blank.png
	qrgatectl cred add V-0100 badge V-0100 --name "Khách Một" --until 2030-01-01 --lanes "1:entry" >/dev/null
	json_is 'select(.id == "V-0100") | .kind == "badge" and .name == "Khách Một" and .lanes == "1:entry" and .status == "active"' \
		"$(qrgatectl cred list --json | grep V-0100)"
	expect_eq "count" "$(sql 'SELECT count(*) FROM credentials;')" "8"
	# A CCCD number must be 12 digits.
	if qrgatectl cred add C-1 cccd 12345 2>"$T/err"; then echo "short CCCD accepted"; return 1; fi
	qrgatectl cred del V-0100 >/dev/null
	if qrgatectl cred del V-0100 2>/dev/null; then echo "deleted twice"; return 1; fi
	# A bad row anywhere rejects the whole file, with its line.
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nX-1,badge,X-1,A,,,active,*\nX-2,card,X-2,B,,,active,*\n' >"$T/bad.csv"
	if qrgatectl cred import "$T/bad.csv" 2>"$T/err"; then echo "bad CSV imported"; return 1; fi
	expect_grep "bad.csv:3:" "$T/err"
	expect_eq "count after a bad import" "$(sql 'SELECT count(*) FROM credentials;')" "7"
}

test_cli_events_json_csv_since() {
	gate_config cli_events_json_csv_since badge-W0001.png blank.png badge-W9999.png
	start_gate
	wait_idle
	stop_gate
	local js
	js=$(qrgatectl events --json)
	expect_eq "json lines" "$(printf '%s\n' "$js" | wc -l)" "2"
	json_is 'select(.seq == 1) | .reason == "granted" and .credential_id == "W-0001" and .subject == "**0001"' \
		"$(printf '%s\n' "$js" | head -1)"
	json_is 'select(.seq == 2) | .reason == "unknown" and .result == "denied"' "$(printf '%s\n' "$js" | tail -1)"
	qrgatectl events --csv >"$T/ev.csv"
	expect_eq "csv header" "$(head -1 "$T/ev.csv" | cut -d, -f1-3)" "seq,event_id,ts_ms"
	expect_eq "csv rows" "$(wc -l <"$T/ev.csv")" "3"
	expect_eq "nothing in the future" "$(qrgatectl events --since 2099-01-01 --json | wc -l)" "0"
	qrgatectl events | grep -q "granted"
}

test_cli_scan_json_exact_bytes() {
	gate_config cli_scan_json_exact_bytes blank.png
	local out
	out=$(qrgatectl scan --json "$SRCDIR/images/badge-W0001.png" "$SRCDIR/images/hostile-nul.png" "$SRCDIR/images/blank.png")
	json_is '.codes[0].text == "W-0001" and .codes[0].hex == "572d30303031" and .decode_us > 0' "$(sed -n 1p <<<"$out")"
	json_is '.codes[0].hex == "572d303030310061646d696e"' "$(sed -n 2p <<<"$out")"
	json_is '.codes == []' "$(sed -n 3p <<<"$out")"
	# A file that is no image is an error, and the others are still read.
	echo "not an image" >"$T/junk.png"
	if out=$(qrgatectl scan --json "$T/junk.png" "$SRCDIR/images/badge-W0001.png"); then
		echo "junk accepted"; return 1
	fi
	json_is '.error != null' "$(sed -n 1p <<<"$out")"
	json_is '.codes[0].text == "W-0001"' "$(sed -n 2p <<<"$out")"
}

test_retention_purges_old_rows_at_start() {
	gate_config retention_purges_old_rows_at_start blank.png
	set_option store.retention_days 30
	start_gate
	stop_gate
	local old new
	# The 30 days count back from the newest row (5 days old), so the
	# row 40 days old goes.
	old=$(( $(date +%s) * 1000 - 40 * 86400000 ))
	new=$(( $(date +%s) * 1000 - 5 * 86400000 ))
	sql "INSERT INTO events (event_id, ts_ms, gate, lane, direction, type, kind, credential_id, subject, result, reason, passage, decode_us, latency_us, payload_hash) VALUES
		('old0000000000000000000000000000a', $old, 'g', '1', 'entry', 'scan', 'badge', '', '', 'denied', 'unknown', 'none', 1, 1, ''),
		('new0000000000000000000000000000b', $new, 'g', '1', 'entry', 'scan', 'badge', '', '', 'denied', 'unknown', 'none', 1, 1, '');"
	start_gate
	wait_for "the purge" grep -q "purged 1 events" "$T/qrgated.log"
	stop_gate
	expect_eq "kept" "$(rows event_id)" "new0000000000000000000000000000b"
}
