# Attendance (issue 20): a week of made-up passages of three workers on
# a day shift and a night shift, published by "gate g1" through the real
# broker into the aggregator; shifts, assignments and HR's corrections
# through the CLI; the report as CSV checked against a second
# implementation of the rules written here in awk (attendance.h's rules,
# not its code), as XLSX read back from its zip cell by cell against the
# CSV, and under /api/attendance for HR (a guard refused).

# PERSON DATE TIME DIRECTION RESULT [PASSAGE]: local times of the site
# (Asia/Ho_Chi_Minh, the default zone), the week of Monday 2026-11-23.
att_week() {
	cat <<'WEEK'
W-1 2026-11-23 07:55:00 entry granted
W-1 2026-11-23 17:03:00 exit granted
W-1 2026-11-24 08:09:00 entry granted
W-1 2026-11-24 16:50:00 exit granted
W-1 2026-11-25 07:58:00 entry granted
W-1 2026-11-25 08:02:00 entry granted
W-1 2026-11-25 12:00:00 exit denied
W-1 2026-11-25 17:00:00 exit granted
W-1 2026-11-27 08:00:00 entry granted
W-1 2026-11-28 00:20:00 exit granted
W-1 2026-11-28 00:30:00 entry granted
W-1 2026-11-28 09:00:00 entry granted
W-1 2026-11-28 12:00:00 exit granted
W-2 2026-11-23 21:50:00 entry granted
W-2 2026-11-24 06:05:00 exit granted
W-2 2026-11-24 22:15:00 entry granted
W-2 2026-11-26 21:58:00 entry granted not-passed
W-2 2026-11-26 22:00:00 entry granted
W-2 2026-11-27 05:45:00 exit granted
W-2 2026-11-28 06:00:00 exit granted
W-3 2026-11-23 08:00:00 entry granted
W-3 2026-11-24 08:30:00 entry granted
W-3 2026-11-24 17:30:30 exit granted
W-3 2026-11-25 08:00:00 entry denied
W-4 2026-11-24 08:00:00 entry granted
WEEK
}

# The expected report, from $T/passages (PERSON EPOCH DIRECTION RESULT
# PASSAGE), $T/staff (PERSON NAME DEPT SHIFT START END BREAK GRACE DAYS,
# minutes, tab-separated) and $T/fixes (PERSON DAY FIELD EPOCH): each
# day's window reaches halfway to the neighbouring shifts (no DST here,
# so +7 h and 86400 s a day hold).
att_expected() {
	awk -F'\t' -v base="$1" -v ndays="$2" '
	function loc(t) { return strftime("%Y-%m-%d %H:%M:%S", t + 25200, 1) }
	FILENAME ~ /passages$/ {
		split($0, f, " ")
		if (f[4] != "granted" || f[5] == "not-passed") next
		n = ++np[f[1]]; pt[f[1], n] = f[2]; pd[f[1], n] = f[3]; next
	}
	FILENAME ~ /fixes$/ {
		split($0, f, " ")
		nf = ++nfix[f[1], f[2]]; ff[f[1], f[2], nf] = f[3]
		fv[f[1], f[2], nf] = f[4]; next
	}
	{
		p = $1
		for (i = 0; i < ndays; i++) {
			d0 = base + i * 86400
			day = strftime("%Y-%m-%d", d0 + 25200, 1)
			s = d0 + $5 * 60; e = d0 + $6 * 60
			if ($6 <= $5) e += 86400
			half = (86400 - (e - s)) / 2
			lo = s - half; hi = e + half
			fi = -1; lo_out = -1; cnt = 0; ft = -1; lt = -1
			for (k = 1; k <= np[p]; k++) {
				t = pt[p, k]
				if (t < lo || t >= hi) continue
				cnt++
				if (ft == -1 || t < ft) { ft = t; fd = pd[p, k] }
				if (lt == -1 || t >= lt) { lt = t; ld = pd[p, k] }
				if (pd[p, k] == "entry" && (fi == -1 || t < fi)) fi = t
				if (pd[p, k] == "exit" && t > lo_out) lo_out = t
			}
			mi = (cnt > 0 && fd == "exit"); mo = (cnt > 0 && ld == "entry")
			corr = 0
			for (k = 1; k <= nfix[p, day]; k++) {
				corr = 1
				if (ff[p, day, k] == "first_in") { fi = fv[p, day, k]; mi = 0 }
				if (ff[p, day, k] == "last_out") { lo_out = fv[p, day, k]; mo = 0 }
				if (ff[p, day, k] == "excused") { mi = 0; mo = 0 }
			}
			working = index($9, i % 7 + 1) > 0
			worked = 0
			if (fi != -1 && lo_out > fi) {
				worked = int((lo_out - fi) / 60) - $7
				if (worked < 0) worked = 0
			}
			late = 0; early = 0
			if (working && fi != -1 && int((fi - s) / 60) > $8) late = int((fi - s) / 60)
			if (working && lo_out != -1 && int((e - lo_out) / 60) > $8) early = int((e - lo_out) / 60)
			miss = mi && mo ? "in,out" : mi ? "in" : mo ? "out" : ""
			absent = working && cnt == 0 && !corr
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%d\t%d\n", day, p, $2, $3, $4,
			    fi == -1 ? "" : loc(fi), lo_out == -1 ? "" : loc(lo_out),
			    worked, late, early, miss, absent, corr
		}
	}' "$T/passages" "$T/fixes" "$T/staff"
}

test_attendance_week() {
	agg_setup attendance_week
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_start
	aq people add W-1 --name "Nguyễn Thị Hồng" --department Kho
	aq people add W-2 --name "=Hoa, Lê" --department Kho
	aq people add W-3 --name "Trần Văn An" --department Kho
	aq people add W-4 --name "Phạm Bình" --department "Xưởng"
	aq attendance shift day --start 08:00 --end 17:00 --break 60 --grace 5 --days 12345
	aq attendance shift night --start 22:00 --end 06:00 --break 30 --grace 10 --days 123456
	aq attendance assign day --group Kho
	aq attendance assign night --person W-2
	# Refused: no such shift, no such person, a break as long as the
	# shift, a correction without a reason.
	if aq attendance assign evening --group Kho 2>/dev/null ||
	    aq attendance assign day --person W-9 2>/dev/null ||
	    aq attendance shift bad --start 08:00 --end 09:00 --break 60 2>/dev/null ||
	    aq attendance correct W-3 2026-11-23 --excused 2>/dev/null; then
		echo "    a bad shift, assignment or correction was taken"; return 1
	fi
	expect_eq "shifts" "$(aq attendance shifts --json | jq -r '[.[] | "\(.name) \(.start)-\(.end) \(.break_min) \(.grace_min) \(.days)"] | join(",")')" \
		"day 08:00-17:00 60 5 12345,night 22:00-06:00 30 10 123456"

	local seq=0 p d t dir res pass ts
	: >"$T/passages"
	while read -r p d t dir res pass; do
		seq=$((seq + 1))
		ts=$(TZ=Asia/Ho_Chi_Minh date -d "$d $t" +%s)
		echo "$p $ts $dir $res ${pass:-pending}" >>"$T/passages"
		pub_ev g1 "$(ev "$seq" "${ts}000" "**${p#W-}" "$p" "$dir" "$res" '' g1 0 "$pass")"
	done < <(att_week)
	wait_events "$seq"

	# HR's corrections: W-3's forgotten out on Monday, W-2's Saturday
	# excused.  The events stay as they are.
	aq attendance correct W-3 2026-11-23 --last-out "2026-11-23 17:00" --why "badge forgotten"
	aq attendance correct W-2 2026-11-28 --excused --why "leave"
	printf 'W-3 2026-11-23 last_out %s\nW-2 2026-11-28 excused 0\n' \
		"$(TZ=Asia/Ho_Chi_Minh date -d '2026-11-23 17:00' +%s)" >"$T/fixes"
	expect_eq "events untouched" "$(db_sql 'SELECT count(*) FROM events')" "$seq"
	expect_eq "audited" "$(aq audit --json | jq -r '[.[] | select(.what == "attendance") | .detail] | .[0:2] | join(",")')" \
		"correct W-2 2026-11-28 excused: leave,correct W-3 2026-11-23 last_out 2026-11-23 17:00: badge forgotten"

	printf 'W-1\tNguyễn Thị Hồng\tKho\tday\t480\t1020\t60\t5\t12345\n' >"$T/staff"
	printf 'W-2\t=Hoa, Lê\tKho\tnight\t1320\t360\t30\t10\t123456\n' >>"$T/staff"
	printf 'W-3\tTrần Văn An\tKho\tday\t480\t1020\t60\t5\t12345\n' >>"$T/staff"
	{
		printf 'day\tperson\tname\tdepartment\tshift\tfirst_in\tlast_out\tworked_min\tlate_min\tearly_min\tmissing\tabsent\tcorrected\n'
		att_expected "$(TZ=Asia/Ho_Chi_Minh date -d 2026-11-23 +%s)" 7
	} >"$T/expected.tsv"
	aq attendance --from 2026-11-23 --to 2026-11-29 --format csv --out "$T/week.csv"
	# The name that starts with "=" carries the CSV's formula guard.
	csv_cells "$T/week.csv" | sed "s/\t'=Hoa/\t=Hoa/" >"$T/csv.tsv"
	if ! diff "$T/expected.tsv" "$T/csv.tsv"; then
		echo "    the report differs from the independent computation"; return 1
	fi
	expect_grep "'=Hoa, Lê" "$T/week.csv"
	# A few figures by hand, so that the awk cannot agree by mistake.
	expect_eq "W-1 Tuesday" "$(awk -F'\t' '$1 == "2026-11-24" && $2 == "W-1" { print $8, $9, $10 }' "$T/csv.tsv")" "461 9 10"
	expect_eq "W-1 Friday's overtime" "$(awk -F'\t' '$1 == "2026-11-27" && $2 == "W-1" { print $7, $8 }' "$T/csv.tsv")" "2026-11-28 00:20:00 920"
	expect_eq "W-2 Monday night" "$(awk -F'\t' '$1 == "2026-11-23" && $2 == "W-2" { print $6, $7, $8 }' "$T/csv.tsv")" \
		"2026-11-23 21:50:00 2026-11-24 06:05:00 465"
	expect_eq "W-2 missing" "$(awk -F'\t' '$2 == "W-2" && $11 != "" { print $1 ":" $11 }' "$T/csv.tsv" | tr '\n' ' ')" \
		"2026-11-24:out 2026-11-27:in "
	expect_eq "W-3 corrected" "$(awk -F'\t' '$1 == "2026-11-23" && $2 == "W-3" { print $8, $11, $13 }' "$T/csv.tsv")" "480  1"
	expect_eq "absent" "$(awk -F'\t' '$12 == 1 { print $2 ":" $1 }' "$T/csv.tsv" | tr '\n' ' ')" \
		"W-1:2026-11-26 W-2:2026-11-25 W-3:2026-11-25 W-3:2026-11-26 W-3:2026-11-27 "
	expect_eq "no shift, no rows" "$(grep -c W-4 "$T/csv.tsv")" 0

	# The workbook: cell by cell the CSV's, no formula, the header frozen.
	aq attendance --from 2026-11-23 --to 2026-11-29 --format xlsx --out "$T/week.xlsx"
	xlsx_cells "$T/week.xlsx" >"$T/xlsx.tsv"
	if ! diff "$T/csv.tsv" "$T/xlsx.tsv"; then
		echo "    the workbook differs from the CSV"; return 1
	fi
	unzip -p "$T/week.xlsx" xl/worksheets/sheet1.xml >"$T/sheet1.xml"
	expect_grep 'ySplit="1"' "$T/sheet1.xml"
	expect_grep 'state="frozen"' "$T/sheet1.xml"
	# The day and the times are dates (a serial number in a date style),
	# not text: W-1 Monday, 2026-11-23 (46349) and 07:55 that day.
	expect_grep '<c r="A2" s="[0-9]*"><v>46349</v></c>' "$T/sheet1.xml"
	expect_grep '<c r="F2" s="[0-9]*"><v>46349.32986' "$T/sheet1.xml"
	# Minutes are numbers, not text: W-1 Monday's 488 is a <v> of its own.
	expect_grep '<c r="H2" s="[0-9]*"><v>488</v></c>\|<c r="H2"><v>488</v></c>' "$T/sheet1.xml"

	# One department, one person.
	expect_eq "--person" "$(aq attendance --from 2026-11-23 --to 2026-11-23 --person W-2 --format csv | tr -d '\r' | sed 1d | cut -d, -f2)" "W-2"
	expect_eq "--group" "$(aq attendance --from 2026-11-23 --to 2026-11-23 --group Xưởng --format csv | tr -d '\r' | wc -l)" 1

	# The API: HR and admin read it, a guard does not; HR corrects.
	agg_login hr1 hr
	agg_login guard1 guard
	agg_login admin1 admin
	local u="http://127.0.0.1:$(agg_web_port)/api"
	as hr1 "$u/attendance?from=2026-11-23&to=2026-11-29" >"$T/api.json"
	jq -r '.rows[] | [.day, .person, .name, .department, .shift, .first_in, .last_out, .worked_min, .late_min, .early_min, .missing, .absent, .corrected] | map(tostring) | join("\t")' \
		"$T/api.json" >"$T/api.tsv"
	if ! diff <(sed 1d "$T/csv.tsv") "$T/api.tsv"; then
		echo "    the API differs from the CSV"; return 1
	fi
	expect_eq "admin" "$(as_status admin1 "$u/attendance?from=2026-11-23&to=2026-11-23")" 200
	expect_eq "guard" "$(as_status guard1 "$u/attendance?from=2026-11-23&to=2026-11-23")" 403
	expect_eq "bad range" "$(as hr1 "$u/attendance?from=2026-11-23&to=x" | jq -r .error)" "from and to are dates YYYY-MM-DD"
	expect_eq "api csv" "$(as hr1 "$u/attendance?from=2026-11-23&to=2026-11-29&format=csv" | md5sum)" "$(md5sum <"$T/week.csv")"
	expect_eq "correct" "$(as hr1 -d '{"person":"W-2","day":"2026-11-24","field":"last_out","value":"2026-11-25 06:00","why":"gate down"}' \
		"$u/attendance-correct" | jq -c .)" '{"ok":true}'
	expect_eq "corrected by" "$(db_sql "SELECT who || ' ' || why FROM attendance_corrections WHERE person = 'W-2' AND day = '2026-11-24'")" "hr1 gate down"
	expect_eq "after it" "$(as hr1 "$u/attendance?from=2026-11-24&to=2026-11-24&person=W-2" | jq -r '.rows[0] | "\(.last_out) \(.worked_min) \(.late_min) \(.missing) \(.corrected)"')" \
		"2026-11-25 06:00:00 435 15  1"
	# The month page: HR's and admin's, not a guard's.
	local base="http://127.0.0.1:$(agg_web_port)"
	expect_eq "page hr" "$(as_status hr1 "$base/attendance.html") $(as_status hr1 "$base/attendance.js")" "200 200"
	expect_eq "page admin" "$(as_status admin1 "$base/attendance.html")" 200
	expect_eq "page guard" "$(as_status guard1 "$base/attendance.html")" 403
	expect_eq "guard corrects" "$(as_status guard1 -d '{"person":"W-2","day":"2026-11-24","field":"excused","why":"x"}' "$u/attendance-correct")" 403
	expect_eq "audit of it" "$(db_sql "SELECT user_name || ' ' || detail FROM audit WHERE what = 'attendance-correct'")" \
		"hr1 attendance correct W-2 2026-11-24 last_out: gate down"
}

# att_gate_at LOCAL: the gate's next start sees the site's local time
# LOCAL (+07), moving on from there (libfaketime, as the integration
# tier's clock tests do; the aggregator keeps the real clock).
att_gate_at() {
	local fl=${FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
	local target
	target=$(date -u -d "$1 +07:00" +%s)
	GATE_ENV="LD_PRELOAD=$fl FAKETIME=$(printf '%+d' $((target - $(date +%s)))) FAKETIME_DONT_FAKE_MONOTONIC=1"
}

# att_day_is PERSON DAY WANT: the day's row, as "first_in last_out late
# early missing absent" with the times to the minute.
att_day_is() {
	[ "$(aq attendance --from "$2" --to "$2" --person "$1" --format csv | tr -d '\r' | sed 1d |
		awk -F, '{ print substr($6, 12, 5), substr($7, 12, 5), $9, $10, "[" $11 "]", $12 }')" = "$3" ]
}

# The whole way with a real gate: qrgated, its clock moved to the
# morning and then the evening of Wednesday 2026-12-09 (ahead of the
# build, so the gate trusts its clock), reads W-0001's badge on its entry
# camera at 07:58 and on its exit camera at 17:04, and publishes through
# the broker; the aggregator's attendance has the day, on time both ways.
test_attendance_real_gate() {
	local at gt
	local fl=${FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
	[ -r "$fl" ] || { echo "    no $fl (Debian package faketime: make deps)"; return 1; }
	agg_setup attendance_real_gate
	agg_start
	aq people add W-0001 --name "Nguyễn Văn An" --department Kho
	aq attendance shift day --start 08:00 --end 17:00 --break 60 --grace 5 --days 1234567
	aq attendance assign day --group Kho
	at=$T
	gate_config "attendance_real_gate-$BACKEND/gate" badge-W0001.png
	gt=$T
	T=$at
	set_option lane.exit true
	# No passage sensor: a release counts as taken ("unsensed").
	set_option gpio.passage_sensor ""
	gate_mqtt_section
	att_gate_at "2026-12-09 07:58"
	T=$gt start_gate
	T=$gt wait_idle
	mqtt_wait "the entry at the aggregator" 20 att_day_is W-0001 2026-12-09 "07:58  0 0 [out] 0"
	T=$gt stop_gate
	set_option camera.direction exit
	att_gate_at "2026-12-09 17:04"
	T=$gt start_gate
	T=$gt wait_idle
	mqtt_wait "the exit at the aggregator" 20 att_day_is W-0001 2026-12-09 "07:58 17:04 0 0 [] 0"
	T=$gt stop_gate
	GATE_ENV=""
}
