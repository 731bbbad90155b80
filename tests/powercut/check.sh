#!/usr/bin/env bash
# Judges the power-cut tier's write logs (run.sh made them): each is
# replayed onto a copy of its disk as it was before the guest, up to each
# cut point, and the disk there is what a power cut would have left.
#
#   tests/powercut/check.sh BUILD_DIR WORK_DIR VARIANTS
#
# At a cut of the full variant's gate: the journal replayed as a mount
# would (e2fsck -E journal_only), then e2fsck -fn clean; the database's
# integrity_check ok and no broken reference; the outbox's count whole;
# every relay pulse before the cut (a pN mark) with its granted row; the
# config push and the credential set each one whole version, and no older
# than one the gate had announced as applied before the cut; every event
# the broker had passed on before the cut still in the log; every row out
# of the outbox received by the broker at some point; and the gate starts
# on it and numbers its next event after the last, reusing none.  At a cut
# of the aggregator's: e2fsck clean, integrity ok, each event once and the
# gate's own, every missing seq in an open gap.  The normal and relayfirst
# variants are judged at their pulses only, and must lose rows there.
#
# One "ok"/"not ok" line per check (a check covers every cut point of a
# kind), then "powercut: N passed, M failed", N counting every cut point
# judged.
set -u
BUILD=$1 WORK=$2 VARIANTS=$3
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$WORK/share/out
DMLOG=$BUILD/powercut/dmlog
CUTS=${POWERCUT_CUTS:-240}
# The aggregator's log: a quarter as many (it takes a few writes per event).
if [ "$CUTS" = all ]; then AGG_CUTS=all; else AGG_CUTS=$(( (CUTS + 3) / 4 )); fi
CUT=$WORK/cut		# the files of the disk at the cut being judged

. "$SRCDIR/tests/integration/lib_crash.sh"
. "$SRCDIR/tests/vm/judge.sh"

sql() { sqlite3 -batch -noheader "$CUT/gate/qrgate.db" "$1" 2>&1; }

# ---- replaying ----

# replay_start DISK: a replayer of DISK's log onto a copy of the disk as
# the guest found it, answering "at N" once entries 0..N are applied.
replay_start() {
	cp --sparse=always "$WORK/$1-orig.img" "$WORK/$1-work.img"
	coproc REPLAY { "$DMLOG" replay "$WORK/$1-log.img" "$WORK/$1-work.img"; }
}
replay_to() {
	local line
	echo "$1" >&"${REPLAY[1]}"
	read -r line <&"${REPLAY[0]}" && [ "$line" = "at $1" ]
}
replay_stop() {
	local pid=$REPLAY_PID
	exec {REPLAY[1]}>&-
	wait "$pid"
}

# cut_disk DISK DIR: the replayed disk as a mount after the cut would
# find it, its DIR copied out to $CUT/DIR; FSCK is e2fsck -fn's verdict.
cut_disk() {
	cp --sparse=always "$WORK/$1-work.img" "$WORK/cut.img"
	e2fsck -E journal_only -p "$WORK/cut.img" >"$WORK/journal.out" 2>&1
	if e2fsck -fn "$WORK/cut.img" >"$WORK/fsck.out" 2>&1; then FSCK=clean
	else FSCK="e2fsck -fn: $(grep -v '^Pass\|^e2fsck [0-9]' "$WORK/fsck.out" | head -3 | tr '\n' ' ')"; fi
	rm -rf "$CUT"
	mkdir -p "$CUT"
	debugfs -R "rdump /$2 $CUT" "$WORK/cut.img" >/dev/null 2>&1
}

# cut_points LIST N: N of LIST's entry numbers, evenly spaced, always
# with its last (every one when N is "all" or LIST has no more).
cut_points() {
	awk -v n="$2" '{ e[NR] = $1 } END {
		if (n == "all" || NR <= n) { for (i = 1; i <= NR; i++) print e[i]; exit }
		for (k = 1; k <= n; k++) print e[int(k * NR / n)] }' "$1" | sort -n -u
}

# The marks of a log: "ENTRY NAME" a line.
marks() { awk '$2 ~ /M/ { print $1, $5 }' "$WORK/$1.entries"; }

# context ENTRIES_FILE: for each entry number on stdin, "ENTRY P S": the
# pulse marks and the last subscriber line marked at or before it.
context() {
	awk 'NR == FNR { if ($2 ~ /M/) { m[$1] = $5 }; next }
		{ want[$1] = 1; order[++n] = $1 }
		END {
			p = 0; s = 0; k = 1
			for (i = 0; k <= n; i++) {
				if (i in m) {
					if (m[i] ~ /^p[0-9]+$/) p = substr(m[i], 2) + 0
					else if (m[i] ~ /^s[0-9]+$/) s = substr(m[i], 2) + 0
				}
				while (k <= n && order[k] == i) { print i, p, s; k++ }
			}
		}' "$1" -
}

# ---- the gate at a cut ----

# What the broker had passed on by subscriber line S: event keys
# (EVENT_ID:REV) and the highest config and patch versions the gate
# announced as applied, "CONFIG PATCH".
published_by() {
	awk -v s="$1" '$1 <= s && $2 ~ /\/events$/ && match($0, /"event_id":"[0-9a-f]+"/) {
		id = substr($0, RSTART + 12, RLENGTH - 13)
		if (match($0, /"rev":[0-9]+/)) print id ":" substr($0, RSTART + 6, RLENGTH - 6) }' "$LINES"
}
acked_by() {
	awk -v s="$1" '$1 <= s && ($2 ~ /\/config\/result$/ || $2 ~ /\/credentials\/result$/) &&
		index($0, "\"ok\":true") && match($0, /"version":[0-9]+/) {
			v = substr($0, RSTART + 10, RLENGTH - 10) + 0
			k = ($2 ~ /config/) ? "c" : "p"
			if (v > max[k]) max[k] = v
		}
		END { printf "%d %d\n", max["c"], max["p"] }' "$LINES"
}

# The gate, started on the disk of the cut, takes one decision and stops.
# Its rows up to the cut keep their seqs; its new ones follow on, none
# reused and none skipped.  Prints what is wrong, nothing when all is well.
gate_restart() {
	local t=$CUT/run before after last pid i
	mkdir -p "$t"
	cat >"$t/qrgate.conf" <<CONF
[gate]
id = pc-full
site = vm-site
lane = 1
[camera]
backend = file
source = $SRCDIR/images/badge-W0001.png
fps = 20
loop = false
[decoder]
holdoff_ms = 0
[lane]
entry = true
exit = false
pulse_ms = 100
[policy]
badge = true
clock = synced
antipassback = off
[gpio]
backend = sim
sim_log = $t/gpio.log
sim_input = $t/gpio.in
[store]
path = $CUT/gate/qrgate.db
[control]
socket = $t/control.sock
CONF
	last=0 before=""
	if [ "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'events';")" = 1 ]; then
		last=$(sql "SELECT coalesce(max(seq), 0) FROM events;")
		before=$(sql "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events ORDER BY seq);")
	fi
	"$BUILD/qrgated" -c "$t/qrgate.conf" 2>"$t/qrgated.log" &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		"$BUILD/qrgatectl" -c "$t/qrgate.conf" status --json 2>/dev/null |
			grep -q '"codes":[1-9]' && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "the gate did not start: $(tail -2 "$t/qrgated.log" | tr '\n' ' ')"
		wait "$pid"
		return
	fi
	kill -TERM "$pid"
	wait "$pid" || echo "the gate ended with status $?"
	[ "$i" -lt 200 ] || echo "no decision in 10 s: $(tail -2 "$t/qrgated.log" | tr '\n' ' ')"
	after=$(sql "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events WHERE seq <= $last ORDER BY seq);")
	[ "$after" = "$before" ] || echo "rows up to seq $last changed"
	read -r i after <<<"$(sql "SELECT count(*) || ' ' || (coalesce(max(seq), 0) - $last) FROM events WHERE seq > $last;")"
	[ "$i" -ge 1 ] && [ "$after" = "$i" ] && [ "$(sql "SELECT min(seq) FROM events WHERE seq > $last;")" = $((last + 1)) ] ||
		echo "after seq $last: $i new rows, up to $((last + after)): $(tail -3 "$t/qrgated.log" | tr '\n' ' ')"
}

daemon_tables() {
	[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name IN
	    ('outbox_meta', 'sync_state', 'sync_pushes');")" = 3 ]
}

# judge_gate_cut ENTRY PULSES LINE: every check of a full-variant gate cut;
# prints the first fault, nothing when it passes.
judge_gate_cut() {
	local e=$1 pulses=$2 s=$3 st integrity fk depth granted cfg_v cfg_doc creds c want acked missing
	[ "$FSCK" = clean ] || { echo "$FSCK"; return; }
	if [ ! -f "$CUT/gate/qrgate.db" ]; then
		[ "$pulses" = 0 ] || echo "no database, $pulses pulses"
		return
	fi
	# Before the daemon's first start had made all its tables (qrgatectl's
	# import made the database; the daemon adds its own, a transaction
	# each): whole, and the gate starts on it.
	if ! daemon_tables; then
		integrity=$(sql "PRAGMA integrity_check;")
		[ "$integrity" = ok ] || { echo "integrity_check: $integrity"; return; }
		[ "$pulses" = 0 ] || { echo "$pulses pulses before the daemon's tables"; return; }
		gate_restart
		return
	fi
	mapfile -t st < <(crash_store_state)
	[ "${#st[@]}" -ge 7 ] || { echo "the store's state: ${st[*]}"; return; }
	integrity=${st[0]} fk=${st[1]} depth=${st[2]} granted=${st[3]%% *}
	cfg_v=${st[4]} cfg_doc=${st[5]} creds=${st[6]}
	[ "$integrity" = ok ] || { echo "integrity_check: $integrity"; return; }
	[ "$fk" = 0 ] || { echo "$fk broken references"; return; }
	[ "$depth" = 0 ] || { echo "outbox depth off its rows by $depth"; return; }
	[ "$granted" -ge "$pulses" ] || { echo "$pulses pulses, $granted granted rows"; return; }
	if [ "$cfg_v" != 0 ] && ! crash_config_whole "$cfg_v" "$cfg_doc" >/dev/null; then
		echo "config push $cfg_v not whole: $cfg_doc"; return
	fi
	read -r -a c <<<"$creds"
	if [ "${c[0]}" = 0 ]; then want="0 $CRASH_PATCH_ROWS 0 0"; else want="${c[0]} $CRASH_PATCH_ROWS 1 0"; fi
	[ "$creds" = "$want" ] || { echo "credential set $creds, want $want"; return; }
	read -r -a acked <<<"$(acked_by "$s")"
	[ "${acked[0]}" -le "$cfg_v" ] && [ "${acked[1]}" -le "${c[0]}" ] ||
		{ echo "config ${acked[0]} and patch ${acked[1]} announced, $cfg_v and ${c[0]} kept"; return; }
	# Every event the broker had: still in the log, its passage too.
	sql "SELECT event_id || ':0' FROM events;
	    SELECT event_id || ':1' FROM events WHERE passage NOT IN ('none', 'pending');" |
		sort >"$WORK/kept.keys"
	missing=$(published_by "$s" | sort -u | comm -23 - "$WORK/kept.keys" | head -3 | tr '\n' ' ')
	[ -z "$missing" ] || { echo "published before the cut, not in the log: $missing"; return; }
	# Out of the outbox only what the broker took.
	sql "SELECT event_id || ':0' FROM events WHERE seq NOT IN (SELECT seq FROM outbox WHERE rev = 0);
	    SELECT event_id || ':1' FROM events WHERE passage NOT IN ('none', 'pending')
		AND seq NOT IN (SELECT seq FROM outbox WHERE rev = 1);" | sort >"$WORK/sent.keys"
	missing=$(comm -23 "$WORK/sent.keys" "$ALL_PUBLISHED" | head -3 | tr '\n' ' ')
	[ -z "$missing" ] || { echo "out of the outbox, never at the broker: $missing"; return; }
	gate_restart
}

# judge_cuts DISK DIR CUTS JUDGE: DISK's log replayed to each cut of the
# file CUTS ("ENTRY PULSES LINE" a line), DIR taken off the disk there,
# and JUDGE ENTRY PULSES LINE run on it, which prints what is wrong.  Sets
# N (cuts judged), BAD (judged wrong), FIRST (the first fault), HAVE
# (cuts with a database in DIR) and EARLY (cuts of the gate before its
# first start had made its tables).
judge_cuts() {
	local e p s why f
	N=0 BAD=0 FIRST="" EARLY=0 HAVE=0
	replay_start "$1"
	while read -r e p s; do
		if ! replay_to "$e"; then
			BAD=$((BAD + 1)) FIRST="the replay to entry $e failed"
			break
		fi
		cut_disk "$1" "$2"
		why=$("$4" "$e" "$p" "$s")
		N=$((N + 1))
		for f in "$CUT/$2"/*.db; do [ -f "$f" ] && HAVE=$((HAVE + 1)); break; done
		[ "$2" != gate ] || { [ -f "$CUT/gate/qrgate.db" ] && daemon_tables; } ||
			EARLY=$((EARLY + 1))
		if [ -n "$why" ]; then
			BAD=$((BAD + 1))
			[ -n "$FIRST" ] || FIRST="entry $e ($p pulses, line $s): $why"
		fi
	done <"$3"
	replay_stop
}

# check_gate_full: the full variant's gate log at POWERCUT_CUTS points.
check_gate_full() {
	LINES=$OUT/full.lines
	ALL_PUBLISHED=$WORK/all.published
	published_by 999999999 | sort -u >"$ALL_PUBLISHED"
	# Candidates: every flush, every FUA write and every mark.
	awk '$2 ~ /[FUM]/ { print $1 }' "$WORK/full.entries" >"$WORK/full.candidates"
	cut_points "$WORK/full.candidates" "$CUTS" | context "$WORK/full.entries" >"$WORK/full.cuts"
	judge_cuts full gate "$WORK/full.cuts" judge_gate_cut
	if [ "$HAVE" -ge 1 ] && [ "$BAD" = 0 ]; then
		ok "full: the gate's disk whole at $N cut points ($HAVE with its database, $EARLY before the daemon's first start; $(wc -l \
		    <"$WORK/full.candidates") candidates, $(marks full | grep -c ' p[0-9]') pulses)" "$N"
	else
		not_ok "full: $BAD of $N cut points failed, $HAVE with its database" "$FIRST"
	fi
}

# judge_pulse_kept ENTRY PULSES LINE: the pulses' granted rows are there.
judge_pulse_kept() {
	local granted=0
	[ -f "$CUT/gate/qrgate.db" ] &&
		granted=$(sql "SELECT count(*) FROM events WHERE result = 'granted' AND direction = 'entry';")
	[ "$granted" -ge "$2" ] || echo "at pulse $2: $granted granted rows"
}

# check_gate_loses VARIANT: at each pulse of VARIANT, the granted rows;
# passes when some pulse has lost its row, as that variant must.
check_gate_loses() {
	local v=$1
	marks "$v" | awk '$2 ~ /^p[0-9]+$/ { print $1 }' | context "$WORK/$v.entries" >"$WORK/$v.cuts"
	judge_cuts "$v" gate "$WORK/$v.cuts" judge_pulse_kept
	if [ "$N" -ge 1 ] && [ "$BAD" -ge 1 ] && [ "${FIRST#the replay}" = "$FIRST" ]; then
		ok "$v: seen to fail: $BAD of $N pulses without their row after a cut (first: ${FIRST#*: })"
	else
		not_ok "$v: no pulse of $N lost its row after a cut: the tier cannot tell this variant from the real gate" "$FIRST"
	fi
}

# ---- the aggregator at a cut ----

# judge_agg_cut: prints the first fault, nothing when it passes.
judge_agg_cut() {
	local db=$CUT/agg/agg.db r
	[ "$FSCK" = clean ] || { echo "$FSCK"; return; }
	[ -f "$db" ] || return 0
	r=$(sqlite3 -batch -noheader "$db" "PRAGMA integrity_check;" 2>&1)
	[ "$r" = ok ] || { echo "integrity_check: $r"; return; }
	# Its schema is one transaction: all of it, or none yet.
	r=$(sqlite3 -batch -noheader "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table';")
	[ "$r" = 0 ] && return
	[ "$r" = "$AGG_TABLES" ] || { echo "$r tables of $AGG_TABLES: a schema made in part"; return; }
	r=$(sqlite3 -batch -noheader "$db" "ATTACH '$WORK/final/gate/qrgate.db' AS g;
		SELECT 'twice: ' || count(*) FROM (SELECT 1 FROM main.events GROUP BY site, gate, seq HAVING count(*) > 1) HAVING count(*) > 0;
		SELECT 'not the gate''s: ' || count(*) FROM main.events e WHERE NOT EXISTS
		    (SELECT 1 FROM g.events ge WHERE ge.event_id = e.event_id AND ge.seq = e.seq) HAVING count(*) > 0;
		SELECT 'max_seq below its events: ' || gate FROM gates t WHERE max_seq <
		    (SELECT coalesce(max(seq), 0) FROM main.events e WHERE e.site = t.site AND e.gate = t.gate);
		SELECT 'received in an open gap: ' || count(*) FROM gaps p JOIN main.events e ON e.site = p.site
		    AND e.gate = p.gate AND e.seq BETWEEN p.first_seq AND p.last_seq
		    WHERE p.closed_ms IS NULL HAVING count(*) > 0;
		WITH RECURSIVE top(seq) AS (SELECT coalesce(max(max_seq), 0) FROM gates WHERE gate = 'pc-full'),
		    n(seq) AS (SELECT 1 FROM top WHERE top.seq >= 1
			UNION ALL SELECT n.seq + 1 FROM n, top WHERE n.seq < top.seq)
		SELECT 'missing and in no gap: seq ' || min(seq) FROM n WHERE
		    seq NOT IN (SELECT seq FROM main.events WHERE gate = 'pc-full') AND NOT EXISTS
		    (SELECT 1 FROM gaps p WHERE p.gate = 'pc-full' AND p.closed_ms IS NULL
			AND n.seq BETWEEN p.first_seq AND p.last_seq) HAVING count(*) > 0;" 2>&1)
	[ -z "$r" ] || { echo "$r" | head -2 | tr '\n' ' '; return; }
	"$BUILD/qrgate-aggregator" gaps --all --db "$db" >/dev/null 2>"$WORK/aggcli.err" ||
		echo "qrgate-aggregator cannot read it: $(head -1 "$WORK/aggcli.err")"
}

check_agg() {
	# The tables of its whole schema, as the final disk has them.
	AGG_TABLES=$(sqlite3 -batch -noheader "$WORK/final/agg/agg.db" \
	    "SELECT count(*) FROM sqlite_master WHERE type = 'table';")
	awk '$2 ~ /[FUM]/ { print $1 }' "$WORK/agg.entries" >"$WORK/agg.candidates"
	cut_points "$WORK/agg.candidates" "$AGG_CUTS" | context "$WORK/agg.entries" >"$WORK/agg.cuts"
	judge_cuts agg agg "$WORK/agg.cuts" judge_agg_cut
	if [ "$HAVE" -ge 1 ] && [ "$BAD" = 0 ]; then
		ok "aggregator: its disk whole at $N cut points ($HAVE with its database; $(wc -l <"$WORK/agg.candidates") candidates)" "$N"
	else
		not_ok "aggregator: $BAD of $N cut points failed, $HAVE with its database" "$FIRST"
	fi
}

# final DISK DIR: the whole log replayed, DIR copied to $WORK/final/DIR.
final() {
	local last=$(( $(wc -l <"$WORK/$1.entries") - 1 ))
	replay_start "$1"
	replay_to "$last"
	replay_stop
	cut_disk "$1" "$2"
	rm -rf "$WORK/final/$2"
	mkdir -p "$WORK/final"
	cp -a "$CUT/$2" "$WORK/final/"
}

# bytes VARIANT: the bytes written to its disk per decision between the
# marks begin and end, with the decisions the status counted there.
bytes() {
	local d0 d1 w
	d0=$(jq '.counters.grants + .counters.denials' "$OUT/$1-begin.json" 2>/dev/null)
	d1=$(jq '.counters.grants + .counters.denials' "$OUT/$1-end.json" 2>/dev/null)
	read -r -a w <<<"$("$DMLOG" bytes "$WORK/$1-log.img" begin end)"
	if [ -n "$d0" ] && [ -n "$d1" ] && [ "$((d1 - d0))" -gt 0 ]; then
		printf -v "BYTES_$1" %d $(( w[3] / (d1 - d0) ))
		echo "powercut: $1: $((d1 - d0)) decisions, ${w[1]} writes, ${w[3]} bytes, ${w[5]} flushes," \
		    "${w[7]} FUA: $(( w[3] / (d1 - d0) )) bytes and $(( (w[5] + w[7]) * 100 / (d1 - d0) ))/100 flushes a decision"
	else
		echo "powercut: $1: no decisions counted between the marks"
	fi
}

# Only the bytes (make bench): the streams ran; no cut is judged.
if [ "$CUTS" = 0 ]; then
	for v in $VARIANTS; do
		"$DMLOG" list "$WORK/$v-log.img" >/dev/null 2>&1 && [ "$(fact "$v.pcmark")" = 0 ] &&
			ok "$v: the guest ran the stream" || not_ok "$v: the guest ran the stream"
		bytes "$v"
	done
	if [ -n "${BYTES_full:-}" ] && [ -n "${BYTES_normal:-}" ]; then
		echo "powercut: bytes a decision, normal/full: $(( BYTES_normal * 100 / BYTES_full ))/100"
	fi
	echo "powercut: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi

for v in $VARIANTS; do
	if ! "$DMLOG" list "$WORK/$v-log.img" >"$WORK/$v.entries" 2>"$WORK/$v.dmlog.err"; then
		not_ok "$v: a write log to judge" "$(cat "$WORK/$v.dmlog.err")"
		continue
	fi
	case $(fact "$v.pcmark") in
	0)	ok "$v: the guest ran the stream ($(fact "$v.pushes") pushes; $(cat "$OUT/$v.pcmark.err" 2>/dev/null))" ;;
	*)	not_ok "$v: the guest ran the stream" "pcmark: $(fact "$v.pcmark"), started: $(fact "$v.started")"; continue ;;
	esac
	case $v in
	full)
		final full gate
		check_gate_full
		if "$DMLOG" list "$WORK/agg-log.img" >"$WORK/agg.entries" 2>"$WORK/agg.dmlog.err"; then
			final agg agg
			check_agg
		else
			not_ok "aggregator: a write log to judge" "$(cat "$WORK/agg.dmlog.err")"
		fi ;;
	*)	check_gate_loses "$v" ;;
	esac
	[ "${POWERCUT_BYTES:-}" = 1 ] && bytes "$v"
done
echo "powercut: $passed passed, $failed failed"
[ "$failed" = 0 ]
