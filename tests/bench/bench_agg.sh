#!/usr/bin/env bash
# `make bench`, the site aggregator: sustained ingest from simulated gates
# (1,000 at one event a second each, for AGG_BENCH_S seconds) against one
# qrgate-aggregator on SQLite and on PostgreSQL, with its lag behind the
# broker; then the time of a trace query (and of inside and daily) over
# AGG_BENCH_EVENTS (ten million) events written with SQL directly.
# Figures only, never pass or fail.  Usage: tests/bench/bench_agg.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD SRCDIR
GATES=${AGG_BENCH_GATES:-1000}
SECS=${AGG_BENCH_S:-60}
NEVENTS=${AGG_BENCH_EVENTS:-10000000}
PG_FSYNC=on	# durable commits, as in production
WORK=$(mktemp -d /tmp/qrgate-bench-agg.XXXXXX)
export WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_mqtt.sh"
. "$SRCDIR/tests/agg/lib.sh"

for f in qrgate-aggregator bench/agg_load; do
	[ -x "$BUILD/$f" ] || { echo "agg bench: skipped: no $BUILD/$f"; exit 0; }
done
backends=sqlite
if [ -z "$(pg_missing)" ] && pg_start; then
	backends="sqlite pg"
else
	echo "agg bench: PostgreSQL: $(pg_missing)"
fi
AGG_TRAP='agg_cleanup; pg_stop; rm -rf "$WORK"'
trap "$AGG_TRAP" EXIT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
ms_now() { date +%s%3N; }

# Percentiles of the numbers on stdin: "p50 p99 max".
pcts() {
	sort -n | awk 'function at(q,  k) { k = int(NR * q) + 1; return v[k > NR ? NR : k] }
		{ v[NR] = $1 }
		END { if (NR == 0) print "- - -"; else print at(0.5), at(0.99), v[NR] }'
}

# ingest GATES SECONDS
ingest() {
	local GATES=$1 SECS=$2
	local want=$((GATES * SECS)) c0 t_end t_done got p50 p99 max cpu
	agg_setup "ingest-$GATES" >/dev/null
	agg_start
	c0=$(cpu_ticks "$AGG_PID")
	"$BUILD/bench/agg_load" 127.0.0.1 "$BROKER_PORT" "$GATES" "$SECS" >"$T/load.out"
	t_end=$(ms_now)
	for _ in $(seq 1 1200); do
		got=$(db_sql 'SELECT count(*) FROM events')
		[ "$got" -ge "$want" ] && break
		sleep 0.1
	done
	t_done=$(ms_now)
	cpu=$(( $(cpu_ticks "$AGG_PID") - c0 ))
	read -r p50 p99 max < <(db_sql 'SELECT received_ms - ts_ms FROM events' | pcts)
	echo "agg ingest $BACKEND: $(cat "$T/load.out")"
	printf 'agg ingest %s, %d gates: stored %d of %d (%.0f events/s sustained), lag behind the broker p50 %s ms, p99 %s ms, max %s ms; last stored %d ms after the last publish\n' \
		"$BACKEND" "$GATES" "$got" "$want" "$(echo "$got / $SECS" | bc -l)" "$p50" "$p99" "$max" $((t_done - t_end))
	printf 'agg ingest %s: aggregator CPU %.0f%% of one core, peak RSS %s MB, gaps %s, duplicates in the log: %s\n' \
		"$BACKEND" "$(echo "$cpu * 100 / $(getconf CLK_TCK) / $SECS" | bc -l)" "$(rss_mb "$AGG_PID")" \
		"$(db_sql 'SELECT count(*) FROM gaps')" "$(db_sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')"
	agg_cleanup
}

# Ten million events over the last 30 days: 1,000 gates, 50,000 people,
# each passing every 3.6 hours at a gate that changes each time, one scan
# in twenty denied; and each holder's presence, which the daemon keeps as
# it stores events.  PostgreSQL is vacuumed after, as autovacuum would do
# anyway: otherwise the queries are timed while it works through the new
# rows.
generate() {
	local t0=$(( $(ms_now) - 30 * 86400000 )) step=$((30 * 86400000 / NEVENTS)) g0 g1
	agg_setup "trace" >/dev/null
	agg_start
	agg_stop
	# Without the secondary indexes while writing; the aggregator's own
	# schema makes them again when it next starts.
	db_sql "DROP INDEX events_gate_ts; DROP INDEX events_subject; DROP INDEX events_cred_att; DROP INDEX events_ts" >/dev/null
	g0=$(ms_now)
	if [ "$BACKEND" = pg ]; then
		psql -X -q "$DB" -c "INSERT INTO events SELECT lpad(to_hex(i), 32, '0'), 'bench',
			'gate-' || lpad(((i * 7 + i / 50000) % 1000)::text, 4, '0'), '1', i, 0, $t0 + i * $step,
			CASE WHEN (i / 50000 + (i * 7919) % 50000) % 2 = 0 THEN 'entry' ELSE 'exit' END, 'scan', 'badge',
			'**' || lpad((((i * 7919) % 50000) % 10000)::text, 4, '0'),
			'W-' || lpad(((i * 7919) % 50000)::text, 5, '0'), NULL,
			CASE WHEN i % 20 = 0 THEN 'denied' ELSE 'granted' END,
			CASE WHEN i % 20 = 0 THEN 'expired' ELSE 'granted' END,
			CASE WHEN i % 20 = 0 THEN 'none' ELSE 'passed' END, 4000, 4200, $t0 + i * $step
			FROM generate_series(1::bigint, $NEVENTS) AS i" \
			-c "INSERT INTO presence SELECT DISTINCT ON (site, credential_id, subject) site,
			credential_id, subject, subject_full, gate, lane, direction, ts_ms, event_id FROM events
			WHERE type = 'scan' AND result = 'granted' AND passage <> 'not-passed'
			ORDER BY site, credential_id, subject, ts_ms DESC, event_id DESC"
	else
		sqlite3 "$DB" "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NEVENTS)
			INSERT INTO events SELECT printf('%032x', i), 'bench',
			printf('gate-%04d', (i * 7 + i / 50000) % 1000), '1', i, 0, $t0 + i * $step,
			CASE WHEN (i / 50000 + (i * 7919) % 50000) % 2 = 0 THEN 'entry' ELSE 'exit' END, 'scan', 'badge',
			printf('**%04d', ((i * 7919) % 50000) % 10000), printf('W-%05d', (i * 7919) % 50000), NULL,
			CASE WHEN i % 20 = 0 THEN 'denied' ELSE 'granted' END,
			CASE WHEN i % 20 = 0 THEN 'expired' ELSE 'granted' END,
			CASE WHEN i % 20 = 0 THEN 'none' ELSE 'passed' END, 4000, 4200, $t0 + i * $step FROM n;
			INSERT INTO presence SELECT site, credential_id, subject, subject_full, gate, lane,
			direction, max(ts_ms), event_id FROM events WHERE type = 'scan' AND result = 'granted'
			AND passage <> 'not-passed' GROUP BY site, credential_id, subject;
			PRAGMA journal_mode=WAL;" >/dev/null
	fi
	AGG_START_WAIT=1800 agg_start
	agg_stop
	[ "$BACKEND" = pg ] && db_sql "VACUUM ANALYZE" >/dev/null
	[ "$BACKEND" = sqlite ] && db_sql "ANALYZE" >/dev/null
	g1=$(ms_now)
	echo "agg trace $BACKEND: $(db_sql 'SELECT count(*) FROM events') events written and indexed in $(( (g1 - g0) / 1000 )) s"
}

# timed LABEL COMMAND...: the command five times; "min median" in ms.
timed() {
	local label=$1 t a b out
	shift
	t=""
	for _ in 1 2 3 4 5; do
		a=$(date +%s%N)
		out=$("$@")
		b=$(date +%s%N)
		t="$t $(( (b - a) / 1000000 ))"
	done
	read -r a b <<<"$(echo $t | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[1], v[3] }')"
	echo "agg trace $BACKEND: $label: min $a ms, median $b ms (the CLI: process, connection, query, JSON)"
	LAST_OUT=$out
}

queries() {
	timed "trace W-00123 over 30 days, window 15m" aq trace W-00123 --from -31d --to -0s --window 15m --json
	echo "agg trace $BACKEND:   $(jq -r '"\(.passages | length) passages, \([.passages[].contacts | length] | add) contacts"' <<<"$LAST_OUT")"
	timed "trace **0123 (masked: 5 people) over 7 days" aq trace '**0123' --from -7d --to -0s --window 15m --json
	echo "agg trace $BACKEND:   $(jq -r '"\(.passages | length) passages, \([.passages[].contacts | length] | add) contacts"' <<<"$LAST_OUT")"
	timed "inside (the last 24 h)" aq inside --json
	echo "agg trace $BACKEND:   $(jq -r '"headcount \(.total)"' <<<"$LAST_OUT")"
	timed "daily (one day, $((NEVENTS / 30)) events)" aq daily --date "$(date -u -d yesterday +%F)" --json
	timed "events of one gate over one hour" aq events --gate gate-0042 --from -2h --to -1h --json
}

echo "== site aggregator: $GATES gates at 1 event/s for $SECS s; trace over $NEVENTS events"
# AGG_BENCH_BACKENDS=pg (or sqlite) runs one; AGG_BENCH_S=0 skips ingest.
for BACKEND in ${AGG_BENCH_BACKENDS:-$backends}; do
	if [ "$SECS" -gt 0 ]; then
		ingest "$GATES" "$SECS"
		# Where the limit lies: four times the load.
		ingest $((GATES * 4)) $((SECS / 3 > 5 ? SECS / 3 : 5))
	fi
	generate
	queries
	agg_cleanup
done
