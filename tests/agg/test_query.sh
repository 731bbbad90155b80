# The questions: trace with its window, inside and the headcount, events
# with filters, daily counts; on made-up events of known times.

# A at gate g1 at 09:00; B 14:59 later (inside the 15 min window), C
# 15:01 later (outside), D at another gate at the same time, E denied at
# g1 a minute later, F whose way was released but not used; A again at
# 12:00 with G 5 minutes before.
trace_events() {
	local t=$((T0 + 3600000))
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted)"
	pub_ev g1 "$(ev 2 $((t + 899000)) '**000B' W-B entry granted)"
	pub_ev g1 "$(ev 3 $((t + 901000)) '**000C' W-C entry granted)"
	pub_ev g2 "$(ev 1 "$t" '**000D' W-D entry granted '' g2)"
	pub_ev g1 "$(ev 4 $((t + 60000)) '**000E' W-E entry denied expired)"
	pub_ev g1 "$(ev 5 $((t + 120000)) '**000F' W-F entry granted '' g1 1 not-passed)"
	pub_ev g1 "$(ev 6 $((t + 3 * 3600000 - 300000)) '**000G' W-G exit granted)"
	pub_ev g1 "$(ev 7 $((t + 3 * 3600000)) '**000A' W-A exit granted)"
	wait_events 8
}

test_trace_window() {
	agg_setup trace_window
	agg_start
	trace_events
	aq trace W-A --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --window 15m --json >"$T/trace.json"
	expect_eq "passages" "$(jq -r '[.passages[] | "\(.time) \(.direction)"] | join(",")' "$T/trace.json")" \
		"2026-11-27T09:00:00.000Z entry,2026-11-27T12:00:00.000Z exit"
	expect_eq "contacts of the first" "$(jq -r '[.passages[0].contacts[] | "\(.credential_id) \(.delta_s)"] | join(",")' "$T/trace.json")" "W-B 899"
	expect_eq "contacts of the second" "$(jq -r '[.passages[1].contacts[] | "\(.credential_id) \(.subject) \(.delta_s)"] | join(",")' "$T/trace.json")" "W-G **000G -300"
	expect_eq "window" "$(jq -r .window_s "$T/trace.json")" 900
	# By the masked subject too; a wider window takes C.
	expect_eq "by subject, 16m" "$(aq_jq trace '**000A' --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --window 16m \
		'[.passages[0].contacts[] | .credential_id] | join(",")')" "W-B,W-C"
	# The range bounds the subject's passages.
	expect_eq "before noon" "$(aq_jq trace W-A --from 2026-11-27T00:00:00Z --to '2026-11-27 10:00:00Z' '.passages | length')" 1
	# CSV: a header and one row per contact.
	aq trace W-A --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --window 15m --csv >"$T/trace.csv"
	expect_eq "csv header" "$(head -1 "$T/trace.csv")" \
		"time,ts_ms,site,gate,direction,subject,credential_id,contact_subject,contact_credential_id,contact_time,contact_ts_ms,contact_direction,delta_s"
	expect_eq "csv rows" "$(sed 1d "$T/trace.csv" | cut -d, -f1,7,9 | tr '\n' ' ')" \
		"2026-11-27T09:00:00.000Z,W-A,W-B 2026-11-27T12:00:00.000Z,W-A,W-G "
	# Nobody: said, and exit 3 (it printed nothing and exited 0); the
	# JSON is still the empty report.
	local rc=0
	aq trace W-Z --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z >"$T/nobody.out" 2>"$T/nobody.err" || rc=$?
	expect_eq "nobody: exit" "$rc" 3
	expect_eq "nobody: stdout" "$(cat "$T/nobody.out")" ""
	expect_eq "nobody: said" "$(cat "$T/nobody.err")" \
		"qrgate-aggregator trace: W-Z has no passage between 2026-11-27 07:00:00 +07 and 2026-11-28 07:00:00 +07"
	rc=0
	aq trace W-Z --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --json >"$T/nobody.json" 2>/dev/null || rc=$?
	expect_eq "nobody: json exit" "$rc" 3
	expect_eq "nobody: json" "$(jq -c '[.passages, .people]' "$T/nobody.json")" "[[],[]]"
	# Bad input is refused.
	! aq trace W-A --window 15x 2>/dev/null
	! aq events --people 2>/dev/null
	! aq trace 2>/dev/null
}

# --people: one row per person met, each contact passage counted once
# though it falls in the windows of two of the subject's passages (trace
# listed every contact passage, B twice per passage).
test_trace_people() {
	agg_setup trace_people
	agg_start
	local t=$((T0 + 3600000))
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted)"
	pub_ev g1 "$(ev 2 $((t + 60000)) '**000B' W-B entry granted)"
	pub_ev g1 "$(ev 3 $((t + 120000)) '**000A' W-A exit granted)"
	pub_ev g1 "$(ev 4 $((t + 180000)) '**000B' W-B exit granted)"
	pub_ev g2 "$(ev 1 $((t + 7200000)) '**000A' W-A entry granted '' g2)"
	pub_ev g2 "$(ev 2 $((t + 7260000)) '**000C' W-C entry granted '' g2)"
	pub_ev g2 "$(ev 3 $((t + 7270000)) '**000B' W-B entry granted '' g2)"
	wait_events 7
	local range=(--from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z)
	expect_eq "json" "$(aq_jq trace W-A "${range[@]}" '[.people[] | "\(.credential_id) \(.contacts) \(.first_contact) \(.last_contact) \(.gates)"] | join(",")')" \
		"W-B 3 2026-11-27T09:01:00.000Z 2026-11-27T11:01:10.000Z g1 g2,W-C 1 2026-11-27T11:01:00.000Z 2026-11-27T11:01:00.000Z g2"
	aq trace W-A "${range[@]}" --people --csv >"$T/people.csv"
	expect_eq "csv header" "$(head -1 "$T/people.csv")" \
		"subject,credential_id,first_contact,first_contact_ms,last_contact,last_contact_ms,contacts,gates"
	expect_eq "csv rows" "$(sed 1d "$T/people.csv" | cut -d, -f2,7,8 | tr '\n' ' ')" "W-B,3,g1 g2 W-C,1,g2 "
	aq trace W-A "${range[@]}" --people >"$T/people.txt"
	expect_eq "table rows" "$(sed 1d "$T/people.txt" | wc -l)" 2
	expect_grep "^\*\*000B  *W-B  *2026-11-27 16:01:00 +07  *2026-11-27 18:01:10 +07  *3  *g1 g2" "$T/people.txt"
	# The passages' table is unchanged: B's passages each twice.
	expect_eq "passages table" "$(aq trace W-A "${range[@]}" --csv | sed 1d | wc -l)" 6
}

# Full identities: never shown without the tracing role.
test_trace_masking() {
	agg_setup trace_masking
	agg_start
	d=$(ev 1 "$T0" '**0001' W-1 entry granted | jq -c '. + {subject_full: "079123450001"}')
	pub_ev g1 "$d"
	wait_events 1
	expect_eq "not kept" "$(db_sql 'SELECT count(*) FROM events WHERE subject_full IS NOT NULL')" 0
	! aq events --json | grep -q 079123450001
	agg_stop
	agg_option aggregator.tracing true
	agg_start
	pub_ev g1 "$(ev 2 $((T0 + 1000)) '**0002' W-2 entry granted | jq -c '. + {subject_full: "079123450002"}')"
	wait_events 2
	expect_eq "kept" "$(aq_jq events '[.[] | .subject_full // "-"] | join(",")')" "-,079123450002"
	expect_eq "traced by it" "$(aq_jq trace 079123450002 --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z '.passages[0].contacts[0].subject')" "**0001"
}

test_inside_and_headcount() {
	agg_setup inside_and_headcount
	agg_option aggregator.inside_hours 720
	agg_start
	local t=$(($(date +%s%3N) - 3600000))
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted)"
	pub_ev g1 "$(ev 2 $((t + 1000)) '**000B' W-B entry granted)"
	pub_ev g1 "$(ev 3 $((t + 2000)) '**000A' W-A exit granted)"
	# A denied entry and an unused grant do not put anyone inside.
	pub_ev g1 "$(ev 4 $((t + 3000)) '**000X' W-X entry denied unknown)"
	pub_ev g1 "$(ev 5 $((t + 4000)) '**000Y' W-Y entry granted '' g1 1 not-passed)"
	SITE=s2 pub_ev g9 "$(SITE=s2 ev 1 $((t + 5000)) '**000C' W-C entry granted '' g9)"
	# D in and out and in again.
	pub_ev g1 "$(ev 6 $((t + 6000)) '**000D' W-D entry granted)"
	pub_ev g1 "$(ev 7 $((t + 7000)) '**000D' W-D exit granted)"
	pub_ev g1 "$(ev 8 $((t + 8000)) '**000D' W-D entry granted)"
	wait_events 9
	expect_eq "inside" "$(aq_jq inside '[.inside[] | "\(.site) \(.credential_id)"] | join(",")')" "s1 W-B,s1 W-D,s2 W-C"
	expect_eq "headcount" "$(aq_jq inside '"\(.headcount.s1) \(.headcount.s2) \(.total)"')" "2 1 3"
	expect_eq "one site" "$(aq_jq inside --site s2 '[.inside[] | .credential_id] | join(",")')" "W-C"
	aq inside >"$T/inside.txt"
	expect_grep "headcount s1 2" "$T/inside.txt"
	expect_grep "total 3" "$T/inside.txt"
	# B leaves.
	pub_ev g1 "$(ev 9 $((t + 9000)) '**000B' W-B exit granted)"
	wait_events 10
	expect_eq "after B left" "$(aq_jq inside '.headcount.s1')" 1
	# D's last entry turns out unused: D is back to the exit before it.
	pub_ev g1 "$(ev 8 $((t + 8000)) '**000D' W-D entry granted '' g1 1 not-passed)"
	mqtt_wait "D's entry undone" 10 sh -c "[ \"\$('$BUILD/qrgate-aggregator' -c '$AGG_CONF' inside --db '$DB' --json | jq -c '[.inside[] | .credential_id]')\" = '[\"W-C\"]' ]"
	expect_eq "headcount" "$(aq_jq inside '"\(.headcount.s1) \(.total)"')" "null 1"
}

test_events_filters_and_daily() {
	agg_setup events_filters_and_daily
	agg_start
	local t=$((T0 + 3600000))
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted)"
	pub_ev g1 "$(ev 2 $((t + 1000)) '**000B' W-B entry denied expired)"
	pub_ev g1 "$(ev 3 $((t + 2000)) '**000C' W-C entry denied expired)"
	pub_ev g1 "$(ev 4 $((t + 3000)) '' '' entry denied unknown-format)"
	pub_ev g2 "$(ev 1 $((t + 4000)) '**000A' W-A exit granted '' g2)"
	pub_ev g2 "$(ev 2 $((t + 5000)) '**000D' W-D exit denied revoked g2)"
	# The next day.
	pub_ev g2 "$(ev 3 $((t + 86400000)) '**000A' W-A entry granted '' g2)"
	wait_events 7
	expect_eq "all" "$(aq_jq events length)" 7
	expect_eq "gate" "$(aq_jq events --gate g2 length)" 3
	expect_eq "subject" "$(aq_jq events --subject W-A '[.[] | .gate] | join(",")')" "g1,g2,g2"
	expect_eq "result" "$(aq_jq events --result denied '[.[] | .reason] | join(",")')" "expired,expired,unknown-format,revoked"
	expect_eq "range" "$(aq_jq events --from '2026-11-27 09:00:01Z' --to '2026-11-27 09:00:04Z' '[.[] | .seq] | join(",")')" "2,3,4"
	expect_eq "gate and result" "$(aq_jq events --gate g1 --result granted '[.[] | .credential_id] | join(",")')" "W-A"
	# --limit keeps the newest, still oldest first (it kept the oldest).
	expect_eq "limit" "$(aq_jq events --limit 3 '[.[] | "\(.gate):\(.seq)"] | join(",")')" "g2:1,g2:2,g2:3"
	expect_eq "limit, range" "$(aq_jq events --to '2026-11-27 09:00:04Z' --limit 2 '[.[] | .seq] | join(",")')" "3,4"
	expect_eq "limit, csv" "$(aq events --limit 1 --csv | sed 1d | cut -d, -f1 | wc -l)" 1
	aq events --csv >"$T/events.csv"
	expect_eq "csv rows" "$(wc -l <"$T/events.csv")" 8
	expect_eq "daily" "$(aq_jq daily --date 2026-11-27 '[.gates[] | "\(.gate) \(.scans) \(.grants) \(.denials)"] | join(",")')" "g1 4 1 3,g2 2 1 1"
	expect_eq "by reason" "$(aq_jq daily --date 2026-11-27 '.gates[0].denials_by_reason | to_entries | map("\(.key)=\(.value)") | join(",")')" "expired=2,unknown-format=1"
	expect_eq "next day" "$(aq_jq daily --date 2026-11-28 '[.gates[] | "\(.gate) \(.scans)"] | join(",")')" "g2 1"
	aq daily --date 2026-11-27 >"$T/daily.txt"
	expect_grep "expired=2 unknown-format=1" "$T/daily.txt"
	! aq daily --date 2026-13-01 2>/dev/null
	! aq events --from yesterday 2>/dev/null
}

# site.timezone: the commands read --from and --to without a zone in the
# site's zone (Asia/Ho_Chi_Minh, +07, by default), and their tables show
# times in it with the offset; JSON and CSV stay UTC.
test_times_in_site_zone() {
	agg_setup times_in_site_zone
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_start
	local t=$((T0 + 3600000))
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted)"
	pub_ev g1 "$(ev 2 $((t + 1000)) '**000B' W-B entry granted)"
	pub_ev g1 "$(ev 3 $((t + 2000)) '**000C' W-C entry granted)"
	wait_events 3
	# 16:00:01 at +07 is 09:00:01Z.
	expect_eq "local range" "$(aq_jq events --from '2026-11-27 16:00:01' --to 2026-11-27T16:00:02.500 '[.[] | .seq] | join(",")')" "2,3"
	expect_eq "offset range" "$(aq_jq events --from '2026-11-27T10:00:01+01:00' '[.[] | .seq] | join(",")')" "2,3"
	aq events >"$T/table"
	expect_grep " 2026-11-27 16:00:00 +07  entry " "$T/table"
	aq -o site.timezone=Europe/Berlin events >"$T/table"
	expect_grep " 2026-11-27 10:00:00 +01  entry " "$T/table"
	expect_eq "JSON stays UTC" "$(aq_jq events '.[0].time')" "2026-11-27T09:00:00.000Z"
	aq events --csv >"$T/events.csv"
	expect_grep ",2026-11-27T09:00:00.000Z," "$T/events.csv"
	# The live page asks the site's zone, to show its times in it.
	local port
	port=$(agg_web_port)
	agg_login guard guard
	expect_eq "api/site" "$(as guard "http://127.0.0.1:$port/api/site" | jq -r .timezone)" "Asia/Ho_Chi_Minh"
	# Its address is logged once (main said it again after agg_web_start).
	expect_eq "serving on, once" "$(grep -c "port $port" "$T/agg.log")" 1
	# A zone the system does not know: an error of the file, with its line.
	printf '[site]\ntimezone = Asia/Hanoi\n' >"$T/badtz.conf"
	if "$BUILD/qrgate-aggregator" -n -c "$T/badtz.conf" >/dev/null 2>"$T/err"; then
		echo "    unknown zone accepted"; return 1
	fi
	expect_grep "badtz.conf:2: site.timezone: \"Asia/Hanoi\" is not a time zone in the zoneinfo" "$T/err"
	! aq events --from 2026-11-27T25:00 2>/dev/null
}
