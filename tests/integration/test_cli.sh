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
	# The table's times say their zone (site.timezone, +07 by default);
	# --since reads a local time, or one with an offset.
	expect_eq "table times with their offset" \
		"$(qrgatectl events | tail -n +2 | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \+07 ')" "2"
	expect_eq "local --since" "$(qrgatectl events --since "$(TZ=Asia/Ho_Chi_Minh date -d '-1 hour' +%Y-%m-%dT%H:%M)" --json | wc -l)" "2"
	expect_eq "local --since ahead" "$(qrgatectl events --since "$(TZ=Asia/Ho_Chi_Minh date -d '+1 hour' +%Y-%m-%dT%H:%M)" --json | wc -l)" "0"
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
	# The status says where the log now starts (an aggregator that first
	# hears of this gate counts only what follows as missing).
	status_is '.seq_first == 2' || { echo "    seq_first: $(gate_status | jq .seq_first)"; return 1; }
	stop_gate
	expect_eq "kept" "$(rows event_id)" "new0000000000000000000000000000b"
}

# site.timezone: a time typed without a zone is the site's local time, one
# with Z or an offset is that instant; what is stored stays UTC ms, and the
# tables show it back with its offset.  2027-01-01T00:00:00 at the default
# Asia/Ho_Chi_Minh (+07) is 2026-12-31T17:00:00Z, 1798736400000 ms.
test_cli_times_in_site_zone() {
	gate_config cli_times_in_site_zone blank.png
	qrgatectl cred add TZ-1 badge TZ-1 --from 2027-01-01T00:00:00 \
		--until 2027-01-01T00:00:00-05:00 >/dev/null
	expect_eq "local --from stored as UTC" \
		"$(sql "SELECT valid_from FROM credentials WHERE id = 'TZ-1';")" 1798736400000
	expect_eq "offset --until stored as UTC" \
		"$(sql "SELECT valid_until FROM credentials WHERE id = 'TZ-1';")" 1798779600000
	qrgatectl cred list >"$T/list"
	expect_grep "^TZ-1 .* 2027-01-01 00:00:00 +07  2027-01-01 12:00:00 +07 " "$T/list"
	# JSON stays machine time.
	json_is 'select(.id == "TZ-1") | .valid_from == 1798736400000' \
		"$(qrgatectl cred list --json | grep TZ-1)"
	# The CSV import reads its validity columns the same way.
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nTZ-2,badge,TZ-2,A,2027-01-01,2027-01-01 07:00:00Z,active,*\n' >"$T/tz.csv"
	qrgatectl cred import "$T/tz.csv" >/dev/null
	expect_eq "CSV local date" \
		"$(sql "SELECT valid_from || ' ' || valid_until FROM credentials WHERE id = 'TZ-2';")" \
		"1798736400000 1798786800000"
	# Another site's zone, with summer time: a skipped local time is
	# refused and asks for an offset; the table shows the offset of the day.
	if qrgatectl -o site.timezone=Europe/Berlin cred add TZ-3 badge TZ-3 \
		--from 2026-03-29T02:30 2>"$T/err"; then
		echo "    a time in the spring gap accepted"; return 1
	fi
	expect_grep "does not exist in Europe/Berlin (the clocks skip it); write it with its offset" "$T/err"
	qrgatectl -o site.timezone=Europe/Berlin cred list >"$T/list"
	expect_grep "^TZ-1 .* 2026-12-31 18:00:00 +01 " "$T/list"
	# badge --expires, token --at and floor --set read the same way.
	qrgatectl keygen "$T/k.key" >/dev/null
	expect_eq "badge --expires local" \
		"$(qrgatectl badge B-1 --key "$T/k.key" --serial 1 --expires 2027-01-01T07:00:00)" \
		"$(qrgatectl badge B-1 --key "$T/k.key" --serial 1 --expires 1798761600)"
	expect_eq "token --at with an offset" \
		"$(qrgatectl token B-1 --key "$T/k.key" --at "2027-01-01 09:00 +09:00")" \
		"$(qrgatectl token B-1 --key "$T/k.key" --at 1798761600)"
	qrgatectl floor --set 2027-01-01T07:00 >/dev/null
	expect_eq "floor --set local" \
		"$(sql "SELECT value FROM gate_meta WHERE key = 'time_floor_ms';")" 1798761600000
	# A zone the system does not know is a config error with its line.
	printf '[site]\ntimezone = Asia/Hanoi\n' >>"$CONF"
	if qrgatectl cred list >/dev/null 2>"$T/err"; then
		echo "    unknown zone accepted"; return 1
	fi
	expect_grep "qrgate.conf:$(grep -c '' "$CONF"): site.timezone: \"Asia/Hanoi\" is not a time zone in the zoneinfo" "$T/err"
	if qrgated -n -c "$CONF" >/dev/null 2>"$T/err"; then
		echo "    qrgated -n took an unknown zone"; return 1
	fi
	expect_grep "site.timezone: \"Asia/Hanoi\"" "$T/err"
}
