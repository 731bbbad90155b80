#!/usr/bin/env bash
# `make bench`, attendance (issue 20): `qrgate-aggregator attendance` for
# QRGATE_BENCH_ATT_PEOPLE workers (10,000) over a month (November 2026)
# from QRGATE_BENCH_ATT_EVENTS stored events (ten million), on SQLite and
# on PostgreSQL: the CSV to /dev/null, and the XLSX.  Baselines of the
# same run: a plain count of the events (one scan of them all) and the
# same report for one department, a tenth of the workers.  The events
# are written with SQL directly, not through the broker (see
# tests/bench/bench_agg.sh for ingest).  Figures only, never pass or
# fail.  Usage: tests/bench/bench_attendance.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD SRCDIR
NEVENTS=${QRGATE_BENCH_ATT_EVENTS:-10000000}
PEOPLE=${QRGATE_BENCH_ATT_PEOPLE:-10000}
PG_FSYNC=on	# as in production
WORK=$(mktemp -d /tmp/qrgate-bench-att.XXXXXX)
export WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_mqtt.sh"
. "$SRCDIR/tests/agg/lib.sh"

[ -x "$BUILD/qrgate-aggregator" ] || { echo "attendance bench: skipped: no $BUILD/qrgate-aggregator"; exit 0; }
if [ $((PEOPLE % 10)) -ne 0 ] || [ "$NEVENTS" -lt $((PEOPLE * 60)) ]; then
	echo "attendance bench: QRGATE_BENCH_ATT_PEOPLE a multiple of 10, QRGATE_BENCH_ATT_EVENTS at least 60 a worker"
	exit 2
fi
backends=sqlite
if [ -z "$(pg_missing)" ] && pg_start; then
	backends="sqlite pg"
else
	echo "attendance bench: PostgreSQL: $(pg_missing)"
fi
AGG_TRAP='agg_cleanup; pg_stop; rm -rf "$WORK"'
trap "$AGG_TRAP" EXIT
ms_now() { date +%s%3N; }

# Local midnight of 2026-11-01 at the site (Asia/Ho_Chi_Minh, +07:00).
BASE=$(( $(TZ=Asia/Ho_Chi_Minh date -d 2026-11-01 +%s) * 1000 ))

# The month's events: worker w (of PEOPLE) in department D(w % 10), on
# the day shift (D0-D3, 08:00-17:00), swing (D4-D6, 14:00-22:00) or
# night (D7-D9, 22:00-06:00, across midnight).  Event i is worker
# i % PEOPLE's (i / PEOPLE)-th: on day k % 30 of the month, its slot
# k / 30 of the shift, entries and exits in turn from ten minutes before
# the shift to ten after, each up to 20 minutes later; one scan of a
# worker's twenty denied.  The SQL is written once; the two databases'
# spellings of padding and of a series are put in.
#   $1 the series of i (0 .. NEVENTS-1), as a FROM item with column i
#   $2 the same of 0 .. PEOPLE-1
#   $3 x's text zero-padded to 8, x written @
events_sql() {
	local k="(i / $PEOPLE)" w="(i % $PEOPLE)" slots=$(( (NEVENTS / PEOPLE + 29) / 30 ))
	local start="CASE WHEN $w % 10 < 4 THEN 480 WHEN $w % 10 < 7 THEN 840 ELSE 1320 END"
	local len="CASE WHEN $w % 10 < 4 THEN 540 ELSE 480 END"
	local pad=$3
	cat <<SQL
INSERT INTO events (event_id, site, gate, lane, seq, rev, ts_ms, direction,
	type, kind, subject, credential_id, result, reason, passage, decode_us,
	latency_us, received_ms)
SELECT ${pad//@/i}, 'bench', 'gate-' || ($w % 10), '1', i + 1, 1,
	$BASE + ($k % 30) * 86400000 + ($start - 10) * 60000
	    + ($k / 30) * ($len + 20) * 60000 / $slots + (i * 7919) % 1200000,
	CASE WHEN ($k / 30) % 2 = 0 THEN 'entry' ELSE 'exit' END, 'scan', 'badge',
	'**' || ($w % 10000), 'W-' || ${pad//@/$w},
	CASE WHEN ($k + i) % 20 = 7 THEN 'denied' ELSE 'granted' END,
	CASE WHEN ($k + i) % 20 = 7 THEN 'expired' ELSE 'granted' END,
	CASE WHEN ($k + i) % 20 = 7 THEN 'none' ELSE 'passed' END, 4000, 4200, 0
FROM $1;
INSERT INTO people (id, kind, subject, name, department)
SELECT 'W-' || ${pad//@/i}, 'signed', 'W-' || ${pad//@/i}, 'Worker ' || i, 'D' || (i % 10)
FROM $2;
SQL
}

# sqlite_series N: 0 .. N-1 as a FROM item with column i.
sqlite_series() {
	echo "(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $(($1 - 1))) SELECT i FROM n)"
}

# The database of BACKEND: the schema from the daemon, its secondary
# indexes dropped while writing (the daemon makes them again when it
# next starts, as bench_agg.sh does), shifts and departments through the
# CLI.
generate() {
	local g0 g1
	agg_setup "attendance" >/dev/null
	agg_start
	agg_stop
	db_sql "DROP INDEX events_gate_ts; DROP INDEX events_subject; DROP INDEX events_cred_att; DROP INDEX events_ts" >/dev/null
	g0=$(ms_now)
	if [ "$BACKEND" = pg ]; then
 		events_sql "generate_series(0::bigint, $((NEVENTS - 1))) AS s(i)" \
			"generate_series(0::bigint, $((PEOPLE - 1))) AS s(i)" "lpad((@)::text, 8, '0')" | psql -X -q -v ON_ERROR_STOP=1 "$DB"
	else
		{
			echo "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;"
			events_sql "$(sqlite_series "$NEVENTS")" "$(sqlite_series "$PEOPLE")" "printf('%08d', @)"
			echo "PRAGMA journal_mode=WAL;"
		} | sqlite3 -bail "$DB" >/dev/null
	fi
	AGG_START_WAIT=1800 agg_start
	agg_stop
	[ "$BACKEND" = pg ] && db_sql "VACUUM ANALYZE" >/dev/null
	[ "$BACKEND" = sqlite ] && db_sql "ANALYZE" >/dev/null
	aq attendance shift day --start 08:00 --end 17:00 --break 60 --grace 5 --days 123456
	aq attendance shift swing --start 14:00 --end 22:00 --break 30 --grace 5 --days 12345
	aq attendance shift night --start 22:00 --end 06:00 --break 30 --grace 10 --days 123456
	for d in 0 1 2 3; do aq attendance assign day --group "D$d"; done
	for d in 4 5 6; do aq attendance assign swing --group "D$d"; done
	for d in 7 8 9; do aq attendance assign night --group "D$d"; done
	g1=$(ms_now)
	echo "attendance $BACKEND: $(db_sql 'SELECT count(*) FROM events') events of $(db_sql 'SELECT count(*) FROM people') workers written and indexed in $(( (g1 - g0) / 1000 )) s"
}

# timed LABEL COMMAND...: once (a run of the full report is long, and
# the machine shared); prints and keeps in LAST_MS the wall time, and
# the peak RSS of the command.
timed() {
	local label=$1 a b
	shift
	a=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$T/rss" "$@" >"$T/out" || echo "attendance $BACKEND: $label: failed"
	b=$(date +%s%N)
	LAST_MS=$(( (b - a) / 1000000 ))
	echo "attendance $BACKEND: $label: $LAST_MS ms, peak RSS $(( $(tail -1 "$T/rss") / 1024 )) MB"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }'; }

reports() {
	local scan part csv att=("$BUILD/qrgate-aggregator" -c "$AGG_CONF" attendance --db "$DB")
	local count="SELECT count(*) FROM events WHERE result = 'granted' AND passage <> 'not-passed'"
	# Baseline 1: a scan of every event, counted by the database.
	if [ "$BACKEND" = pg ]; then
		timed "baseline: count(*) of the events (one scan)" psql -X -q -At "$DB" -c "$count"
	else
		timed "baseline: count(*) of the events (one scan)" sqlite3 "$DB" "$count"
	fi
	scan=$LAST_MS
	# Baseline 2: one department, a tenth of the workers.
	timed "baseline: the month of D0 ($((PEOPLE / 10)) workers), CSV" \
		"${att[@]}" --from 2026-11-01 --to 2026-11-30 --group D0 --format csv --out /dev/null
	part=$LAST_MS
	timed "the month of $PEOPLE workers, CSV to /dev/null" \
		"${att[@]}" --from 2026-11-01 --to 2026-11-30 --format csv --out /dev/null
	csv=$LAST_MS
	echo "attendance $BACKEND: the full month is $(ratio "$csv" "$scan") times the scan, $(ratio "$csv" "$part") times the tenth"
	timed "the month of $PEOPLE workers, XLSX" \
		"${att[@]}" --from 2026-11-01 --to 2026-11-30 --format xlsx --out "$T/month.xlsx"
	echo "attendance $BACKEND: the XLSX is $(ratio "$LAST_MS" "$csv") times the CSV, $(( $(stat -c %s "$T/month.xlsx") / 1048576 )) MB"
	aq attendance --from 2026-11-01 --to 2026-11-30 --format csv --out "$T/month.csv"
	echo "attendance $BACKEND: $(csv_cells "$T/month.csv" | awk -F'\t' 'NR > 1 { n++; a += $12; m += $11 != ""; l += $9 > 0 }
		END { print n " rows: " a " absent, " m " missing a punch, " l " late" }')"
}

echo "== attendance: $PEOPLE workers over a month from $NEVENTS stored events (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for BACKEND in ${QRGATE_BENCH_ATT_BACKENDS:-$backends}; do
	generate
	reports
	agg_cleanup
	rm -rf "$T"
done
