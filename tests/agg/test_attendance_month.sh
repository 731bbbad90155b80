# Attendance over a month (issue 20): 200 workers in four departments on
# three shifts (day 08:00-17:00, swing 14:00-22:00, night 22:00-06:00
# across midnight) and three contractors without one, November 2026 and
# the shift days either side of it, made up from a fixed seed by
# attendance_month.py: late arrivals, early leaves, missing out- and
# in-punches, double in-punches, lunch breaks, absences, denied passages
# and ways released but not taken (neither counts), overtime on days
# off, passages on the windows' edges, HR's corrections (some twice).
# Three gates publish their events through the real broker into the
# aggregator; departments come in with the credential lists.  The
# report is checked row by row against attendance_month.py's second
# implementation of the documented rules, against what the generator
# meant each day to be, and the XLSX cell by cell against the CSV.

ATT_SEED=${ATT_SEED:-20261208}

# gate_pub GATE FILE: the gate's events, one message a line, on one
# connection with QoS 1 and many in flight, as a gate drains its outbox
# (a message a process would take minutes: 14,000 messages).
gate_pub() {
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -i "gate-$1" \
		-t "qrgate/${SITE:-s1}/$1/events" -l <"$2"
}

outcomes_known() { [ "$(db_sql "SELECT count(*) FROM events WHERE passage = 'pending'")" = 0 ]; }

test_attendance_month() {
	agg_setup attendance_month
	agg_start
	local g="$T/gen" n dept name start end brk grace days kind target shift
	mkdir "$g"
	python3 "$SRCDIR/tests/agg/attendance_month.py" gen "$g" "$ATT_SEED"

	# The credential lists, one a department.
	while IFS=$'\t' read -r n dept; do
		aq people import "$g/people-$n.csv" --department "$dept" 2>/dev/null
	done <"$g/departments"
	expect_eq "people" "$(db_sql 'SELECT count(*) FROM people')" 203
	while IFS=$'\t' read -r name start end brk grace days; do
		aq attendance shift "$name" --start "$start" --end "$end" \
			--break "$brk" --grace "$grace" --days "$days"
	done <"$g/shifts"
	while IFS=$'\t' read -r kind target shift; do
		aq attendance assign "$shift" "--$kind" "$target"
	done <"$g/assign"

	# The three gates at once.
	local total=0 gate count pids=()
	while IFS=$'\t' read -r gate count; do
		total=$((total + count))
		gate_pub "$gate" "$g/gate-$gate.jsonl" &
		pids+=($!)
	done <"$g/gates"
	for n in "${pids[@]}"; do wait "$n"; done
	mqtt_wait "$total events stored" 120 events_stored "$total"
	mqtt_wait "every outcome" 30 outcomes_known
	expect_eq "no gap" "$(db_sql 'SELECT count(*) FROM gaps')" 0

	# HR's corrections, in the order they were made.
	local who day field value why
	while IFS=$'\t' read -r who day field value why; do
		case $field in
		excused) aq attendance correct "$who" "$day" --excused --why "$why" ;;
		*) aq attendance correct "$who" "$day" "--${field/_/-}" "$value" --why "$why" ;;
		esac
	done <"$g/fixes"
	expect_eq "events untouched" "$(db_sql 'SELECT count(*) FROM events')" "$total"

	python3 "$SRCDIR/tests/agg/attendance_month.py" expect "$g" 2026-11-01 2026-11-30 >"$T/expected.tsv"
	aq attendance --from 2026-11-01 --to 2026-11-30 --format csv --out "$T/month.csv"
	csv_cells "$T/month.csv" >"$T/csv.tsv"
	expect_eq "rows" "$(wc -l <"$T/csv.tsv")" $((200 * 30 + 1))
	if ! diff "$T/expected.tsv" "$T/csv.tsv" >"$T/report.diff"; then
		echo "    the report differs from the independent computation ($(grep -c '^<' "$T/report.diff") rows):"
		head -10 "$T/report.diff"
		return 1
	fi

	# What the generator meant each day to be, where no correction
	# changed it: a third opinion, one that needs no rule at all.
	awk -F'\t' '
	NR == FNR { if (FNR > 1) row[$2, $1] = $0; next }
	{
		split(row[$1, $2], r, "\t")
		if ($3 == "absent") ok = r[12] == 1
		else if ($3 == "late") ok = r[9] == $4
		else if ($3 == "early") ok = r[10] == $4
		else ok = index(r[11], $4) > 0
		if (!ok) { print "    " $1 " " $2 ": meant " $3 " " $4 ", got " row[$1, $2]; bad++ }
		n[$3]++
	}
	END {
		if (n["absent"] < 100 || n["late"] < 1000 || n["missing"] < 100) {
			print "    too few cases made"; bad++
		}
		exit bad > 0
	}' "$T/csv.tsv" "$g/intent"
	# Some of each, so that a generator that made none cannot pass.
	expect_eq "some of each" "$(awk -F'\t' 'NR > 1 {
		l += $9 > 0; e += $10 > 0; a += $12; c += $13
		mi += $11 ~ /in/; mo += $11 ~ /out/; s[$5]++ }
		END { print (l > 300), (e > 200), (a > 100), c, (mi > 50), (mo > 100), (s["day"] > 0), (s["swing"] > 0), (s["night"] > 0) }' "$T/csv.tsv")" \
		"1 1 1 $(cut -f1,2 "$g/fixes" | sort -u | wc -l) 1 1 1 1 1"
	expect_eq "contractors have no rows" "$(grep -c 'C-00' "$T/csv.tsv")" 0

	# The workbook, cell by cell the CSV's.
	aq attendance --from 2026-11-01 --to 2026-11-30 --format xlsx --out "$T/month.xlsx"
	xlsx_cells "$T/month.xlsx" >"$T/xlsx.tsv"
	if ! diff "$T/csv.tsv" "$T/xlsx.tsv" >"$T/xlsx.diff"; then
		echo "    the workbook differs from the CSV:"
		head -10 "$T/xlsx.diff"
		return 1
	fi
}

# The index attendance reads (events_cred_att, agg_db.c) takes the place
# of events_cred in a database made before it, when the daemon starts.
test_attendance_index_replaces_the_old() {
	agg_setup attendance_index
	agg_start
	agg_stop
	db_sql "DROP INDEX IF EXISTS events_cred_att" >/dev/null
	db_sql "CREATE INDEX IF NOT EXISTS events_cred ON events (credential_id, ts_ms)" >/dev/null
	agg_start
	local q="SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_cred%'"
	[ "$BACKEND" = pg ] && q="SELECT indexname FROM pg_indexes WHERE indexname LIKE 'events_cred%'"
	expect_eq "indexes" "$(db_sql "$q")" events_cred_att
}
