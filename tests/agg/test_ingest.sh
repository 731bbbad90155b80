# Ingest: each event stored once whatever arrives twice, across a restart
# of the aggregator; the passage update; sequence gaps reported and filled.

seq3_passed() { [ "$(db_sql "SELECT rev || passage FROM events WHERE seq = 3")" = 1passed ]; }

# Every event published twice, the aggregator stopped mid-stream (the
# broker queues for its session meanwhile), some published again after:
# each stored once, and nothing reported missing.
test_exactly_once() {
	agg_setup exactly_once
	agg_start
	for s in $(seq 1 10); do
		d=$(ev "$s" $((T0 + s * 1000)) "**000$s" "W-$s" entry granted)
		pub_ev g1 "$d"
		pub_ev g1 "$d"
	done
	wait_events 10
	agg_stop
	# Published while it is down: queued by the broker.
	for s in $(seq 11 20); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	# The gate's outbox sending again what it sent before.
	for s in $(seq 5 15); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	agg_start
	wait_events 20
	for s in 1 2 3; do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**000$s" "W-$s" entry granted)"
	done
	# The passage update (rev 1) of seq 3, twice: one update.
	d=$(ev 3 $((T0 + 3000)) "**0003" "W-3" entry granted "" g1 1 passed)
	pub_ev g1 "$d"
	pub_ev g1 "$d"
	mqtt_wait "the passage update" 10 seq3_passed
	# An older rev after the newer one changes nothing.
	pub_ev g1 "$(ev 3 $((T0 + 3000)) "**0003" "W-3" entry granted "" g1 0 pending)"
	pub_ev g1 "$(ev 21 $((T0 + 21000)) "**0021" "W-21" entry granted)"
	wait_events 21
	agg_stop
	expect_eq "rows" "$(db_sql 'SELECT count(*), count(DISTINCT event_id), min(seq), max(seq) FROM events')" "21|21|1|21"
	expect_eq "seq 3" "$(db_sql "SELECT rev || ' ' || passage FROM events WHERE seq = 3")" "1 passed"
	expect_eq "gaps" "$(db_sql 'SELECT count(*) FROM gaps')" 0
	expect_eq "the CLI's count" "$(aq_jq events length)" 21
	# The daemon's own counts, run by run: each copy, each resend, the
	# second rev 1 and the stale rev 0 were duplicates.
	expect_grep "10 events stored, 0 updated, 10 duplicates" "$T/agg.log"
	expect_grep "11 events stored, 1 updated, 16 duplicates" "$T/agg.log"
}

# Killed with -9: what it had committed stays, the rest comes again from
# the broker's queue and the gate's resends, once.
test_kill9_restart() {
	agg_setup kill9_restart
	agg_start
	for s in $(seq 1 30); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	wait_events 30
	agg_stop KILL
	for s in $(seq 25 40); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	agg_start
	wait_events 40
	expect_eq "rows" "$(db_sql 'SELECT count(DISTINCT event_id), count(*) FROM events')" "40|40"
	expect_eq "gaps" "$(db_sql 'SELECT count(*) FROM gaps')" 0
}

# seq 1, 2, 6: 3-5 missing, reported; 4, then 3 and 5 arrive: closed.
test_gap_reported_then_filled() {
	agg_setup gap_reported_then_filled
	agg_start
	for s in 1 2 6; do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**000$s" "W-$s" entry granted)"
	done
	wait_events 3
	expect_eq "open gap" "$(aq_jq gaps '.[] | "\(.gate) \(.first_seq)-\(.last_seq) \(.closed)"')" "g1 3-5 null"
	expect_eq "on the gate" "$(aq_jq gates '.[] | "\(.gate) \(.max_seq) \(.gaps_open) \(.missing)"')" "g1 6 1 3"
	expect_grep "g1: gap: seq 3 to 5 missing" "$T/agg.log"
	# The middle one first: the gap splits.
	pub_ev g1 "$(ev 4 $((T0 + 4000)) "**0004" "W-4" entry granted)"
	wait_events 4
	expect_eq "split" "$(aq_jq gaps '[.[] | "\(.first_seq)-\(.last_seq)"] | sort | join(",")')" "3-3,5-5"
	expect_eq "still missing" "$(aq_jq gates '.[0].missing')" 2
	pub_ev g1 "$(ev 3 $((T0 + 3000)) "**0003" "W-3" entry granted)"
	pub_ev g1 "$(ev 5 $((T0 + 5000)) "**0005" "W-5" entry granted)"
	wait_events 6
	expect_eq "no open gap" "$(aq_jq gaps length)" 0
	expect_eq "both closed" "$(aq_jq gaps --all '[.[] | select(.closed != null)] | length')" 2
	expect_eq "gate" "$(aq_jq gates '.[0] | "\(.gaps_open) \(.missing)"')" "0 0"
	# Another gate's seqs are its own: g1's closed gaps stay closed, and
	# g2's first seen, 100, has its own gap before it.
	pub_ev g2 "$(ev 100 $((T0 + 7000)) "**0007" "W-7" entry granted "" g2)"
	pub_ev g2 "$(ev 101 $((T0 + 8000)) "**0008" "W-8" entry granted "" g2)"
	wait_events 8
	expect_eq "g1's" "$(aq_jq gaps --all '[.[] | select(.gate == "g1" and .closed == null)] | length')" 0
	expect_eq "g2's" "$(aq_jq gaps '[.[] | "\(.gate) \(.first_seq)-\(.last_seq)"] | join(",")')" "g2 1-99"
}

# The aggregator started after the gates: the seqs before the first it
# saw of a gate are a gap (they were silently missed), from 1, or from
# where the gate's status says its log starts; the gate's outbox sending
# them again closes it.
test_gap_before_first_seen() {
	agg_setup gap_before_first_seen
	# g2 and g3 known by their retained status before any event; g2's
	# log starts at 40.
	pub qrgate/s1/g2/status '{"gate":"g2","site":"s1","lane":"1","version":"0.1.0","state":"online","seq_first":40}' -r
	pub qrgate/s1/g3/status '{"gate":"g3","site":"s1","lane":"1","version":"0.1.0","state":"online"}' -r
	agg_start
	mqtt_wait "the two gates" 10 sh -c "[ \"\$('$BUILD/qrgate-aggregator' -c '$AGG_CONF' gates --db '$DB' --json | jq length)\" = 2 ]"
	pub_ev g1 "$(ev 5 $((T0 + 5000)) '**0005' W-5 entry granted)"
	pub_ev g2 "$(ev 42 $((T0 + 6000)) '**0042' W-42 entry granted '' g2)"
	pub_ev g3 "$(ev 1 $((T0 + 7000)) '**0001' W-1 entry granted '' g3)"
	pub_ev g3 "$(ev 3 $((T0 + 8000)) '**0003' W-3 entry granted '' g3)"
	wait_events 4
	expect_eq "gaps" "$(aq_jq gaps '[.[] | "\(.gate) \(.first_seq)-\(.last_seq) \(.missing)"] | sort | join(",")')" \
		"g1 1-4 4,g2 40-41 2,g3 2-2 1"
	expect_grep "s1/g1: first event seen has seq 5: seqs before it are missing" "$T/agg.log"
	expect_grep "s1/g1: gap: seq 1 to 4 missing" "$T/agg.log"
	expect_eq "on the gate" "$(aq_jq gates '.[] | select(.gate == "g1") | "\(.max_seq) \(.gaps_open) \(.missing)"')" "5 1 4"
	# g1's outbox sends them again: the gap closes.
	for s in 4 1 3 2; do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**000$s" "W-$s" entry granted)"
	done
	wait_events 8
	expect_eq "closed" "$(aq_jq gaps '[.[] | .gate] | sort | join(",")')" "g2,g3"
	expect_eq "g1" "$(aq_jq gates '.[] | select(.gate == "g1") | "\(.gaps_open) \(.missing)"')" "0 0"
}

# What a gate cannot have sent is dropped, and does not stop the rest.
test_hostile_messages() {
	agg_setup hostile_messages
	agg_start
	pub "qrgate/s1/g1/events" 'not json'
	pub "qrgate/s1/g1/events" '[1,2]'
	pub "qrgate/s1/g1/events" '{"event_id":"x","seq":1}'
	# Names another gate than its topic.
	pub "qrgate/s1/g1/events" "$(ev 1 "$T0" '**0001' W-1 entry granted '' g2)"
	pub "qrgate/s1/g1/events" "$(ev 2 "$T0" "$(head -c 300 /dev/zero | tr '\0' x)" W-1 entry granted)"
	pub "qrgate/s1/g1/status" '{"state":"sideways"}'
	pub "qrgate/s1/g1/alarm" '{"alarm":"camera"}'
	pub "qrgate/s1/g1/events" "$(ev 3 "$T0" '**0003' W-3 entry granted)"
	wait_events 1
	mqtt_wait "the rejections" 10 sh -c "[ \$(grep -c 'dropped\|not a JSON object' '$T/agg.log') -ge 7 ]"
	expect_eq "stored" "$(db_sql 'SELECT seq FROM events')" 3
	expect_eq "no gate from a status" "$(db_sql "SELECT count(*) FROM gates WHERE state <> 'unknown'")" 0
}

# An event id is bound to the gate whose topic it first came on (issue
# 12, row 12): the same id with rev 1 on gate g2's topic, naming g2 as its
# gate, once rewrote g1's row and took its holder out of "inside".
test_event_id_bound_to_its_gate() {
	agg_setup event_id_bound_to_its_gate
	agg_option aggregator.inside_hours 720
	agg_start
	local t=$(($(date +%s%3N) - 60000)) d
	d=$(ev 1 "$t" '**000A' W-A entry granted)
	pub_ev g1 "$d"
	wait_events 1
	expect_eq "inside" "$(aq_jq inside '[.inside[] | "\(.gate) \(.credential_id)"] | join(",")')" "g1 W-A"
	# The same id, rev 1 not-passed, then rev 0 denied, as gate g2.
	pub_ev g2 "$(ev 1 "$t" '**000A' W-A entry granted '' g1 1 not-passed | jq -c '.gate = "g2"')"
	pub_ev g2 "$(jq -c '.gate = "g2" | .result = "denied" | .reason = "unknown" | .passage = "none"' <<<"$d")"
	# g2's own event, published after both: once it is stored, both
	# copies have been handled.
	pub_ev g2 "$(ev 7 $((t + 1000)) '**000B' W-B entry denied unknown g2)"
	wait_events 2
	expect_eq "g1's row" "$(db_sql "SELECT gate || ' ' || rev || ' ' || result || ' ' || passage FROM events WHERE seq = 1")" "g1 0 granted pending"
	expect_eq "still inside" "$(aq_jq inside '[.inside[] | "\(.gate) \(.credential_id)"] | join(",")')" "g1 W-A"
	expect_eq "headcount" "$(aq_jq inside '.total')" 1
	expect_eq "refusals logged" "$(grep -c "s1/g2: event $(jq -r .event_id <<<"$d") belongs to another gate: refused" "$T/agg.log")" 2
	# Its own gate still updates it.
	pub_ev g1 "$(ev 1 "$t" '**000A' W-A entry granted '' g1 1 passed)"
	mqtt_wait "g1's passage update" 10 seq1_passed
	agg_stop
	expect_grep "2 events stored, 1 updated, 0 duplicates, 2 rejected" "$T/agg.log"
}

seq1_passed() { [ "$(db_sql "SELECT rev || passage FROM events WHERE seq = 1 AND gate = 'g1'")" = 1passed ]; }

pg_halt() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null; }
pg_resume() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" \
		start >/dev/null
}

# The database server stops mid-stream: what arrives meanwhile waits (in
# the aggregator and at the broker) and is stored once it is back.
test_pg_server_outage() {
	agg_setup pg_server_outage
	agg_start
	for s in $(seq 1 10); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	wait_events 10
	pg_halt
	for s in $(seq 11 30); do
		pub_ev g1 "$(ev "$s" $((T0 + s * 1000)) "**00$s" "W-$s" entry granted)"
	done
	mqtt_wait "the failure noticed" 10 grep -q "messages not stored" "$T/agg.log"
	pg_resume
	wait_events 30
	expect_grep "db: postgresql: connected again" "$T/agg.log"
	expect_eq "rows" "$(db_sql 'SELECT count(DISTINCT event_id), count(*), max(seq) FROM events')" "30|30|30"
	expect_eq "gaps" "$(db_sql 'SELECT count(*) FROM gaps')" 0
}

# The broker's name has two addresses, the first (::1) where nothing
# listens, as localhost on Debian 13: the aggregator goes on to the next
# (127.0.0.1), where the broker is.  libmosquitto alone tried the first
# only, for ever.  (Its own /etc/hosts, in a mount namespace.)
test_broker_name_every_address() {
	agg_setup broker_name_every_address
	printf '::1 qrgate-broker\n127.0.0.1 qrgate-broker\n' >"$T/hosts"
	agg_option broker.host qrgate-broker
	unshare --mount sh -c 'mount --bind "$1" /etc/hosts && exec "$2" -c "$3"' \
		sh "$T/hosts" "$BUILD/qrgate-aggregator" "$AGG_CONF" 2>>"$T/agg.log" &
	AGG_PID=$!
	mqtt_wait "the aggregator to subscribe" 10 agg_subscribed 1 ||
		{ tail -5 "$T/agg.log"; return 1; }
	expect_grep "mqtt: connected to qrgate-broker port $BROKER_PORT" "$T/agg.log"
	pub_ev g1 "$(ev 1 "$T0" '**0001' W-1 entry granted)"
	wait_events 1
}
