# Credential lists from a CSV (qrgatectl push credentials --csv), end to
# end through a real mosquitto to real gates: two qrgated, "it-gate" and
# "gate-b", for what goes site-wide.  A list reaches both on the site's
# credential topic and each says which version it holds (its status, its
# MQTT status, --wait-result's line per gate); a big list goes in chunks;
# a bad file is refused with FILE:LINE and nothing is sent; a gate that
# does not answer makes --wait-result fail; the status shows the gate's
# own and the site-wide config versions apart.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

CP_B_CONF=""
CP_B_PID=""
cp_bctl() { "$BUILD/qrgatectl" -c "$CP_B_CONF" "$@"; }
cp_bsql() { sqlite3 -batch -noheader "$T/b/qrgate.db" "$@"; }
cp_b_status_is() { local st; st=$(cp_bctl status --json) && [ -n "$st" ] && jq -e "$1" <<<"$st" >/dev/null; }

# cp_want WHO JQ: gate A's (a) or B's (b) status satisfies JQ, or what it
# says of its pushes is printed.
cp_want() {
	local st
	if [ "$1" = a ]; then st=$(gate_status); else st=$(cp_bctl status --json); fi
	json_is "$2" "$st" && return 0
	echo "    gate $1: want $2"
	echo "    got $(jq -c '{config, credentials, config_version, cred_version}' <<<"$st")"
	return 1
}

cp_json() { json_is "$1" "$2" || { echo "    want $1"; echo "    got $2"; return 1; }; }

cp_b_start() {
	"$BUILD/qrgated" -c "$CP_B_CONF" 2>>"$T/b/qrgated.log" &
	CP_B_PID=$!
	mqtt_wait "gate B connected" 10 cp_b_status_is '.mqtt.state == "connected"'
}

cp_b_stop() {
	local pid=$CP_B_PID
	CP_B_PID=""
	stop_daemon "$pid"
}

# cp_gates NAME [b]: gate A on a broker, subscribed to everything in
# all.sub; with "b", gate B too: a copy of A's config with its own id,
# files and (empty) database.
cp_gates() {
	gate_config "$1" blank.png
	set_option camera.loop true
	mqtt_setup
	trap 'cp_b_stop; mqtt_cleanup' EXIT
	broker_start
	sub_start all 'qrgate/#'
	if [ "${2:-}" = b ]; then
		mkdir -p "$T/b"
		CP_B_CONF=$T/b/qrgate.conf
		sed -e "s|$T/|$T/b/|g" "$CONF" >"$CP_B_CONF"
		printf '[gate]\nid = gate-b\n' >>"$CP_B_CONF"
		cp_b_start
	fi
	start_gate
	wait_for "gate A connected" status_is '.mqtt.state == "connected"'
}

# cp_csv FILE N [PREFIX]: a list of N badges in the CSV of cred import.
cp_csv() {
	{
		echo 'id,kind,subject,name,valid_from,valid_until,status,lanes'
		awk -v n="$2" -v p="${3:-C}" 'BEGIN {
			for (i = 1; i <= n; i++)
				printf "%s-%05d,badge,%s-%05d,Worker %d,,2030-01-01,active,*\n", p, i, p, i, i
		}'
	} >"$1"
}

cp_push() { qrgatectl push "$@" --key "$ADMIN_SK"; }

# cp_lines OUT: --wait-result's lines, as "GATE OK RESULT-OR-REASON".
cp_lines() { jq -r '"\(.gate) \(.ok) \(.applied // .reason)"' <<<"$1" | tr '\n' ',' | sed 's/,$//'; }

# cp_sets TOPIC: the chunks published on TOPIC, as "chunk/chunks:rows".
cp_sets() {
	sed -n "s|^$1 0 ||p" "$T/all.sub" | jq -r '.body | fromjson | "\(.chunk)/\(.chunks):\(.credentials | length)"' |
		tr '\n' ' ' | sed 's/ $//'
}

cp_ids_of() { sqlite3 -batch -noheader "$1" 'SELECT id FROM credentials ORDER BY id;' | md5sum; }
cp_csv_ids() { tail -n +2 "$1" | cut -d, -f1 | sort | md5sum; }

test_cred_push_site_csv_reaches_two_gates() {
	local out rc
	cp_gates cred_push_site_csv_reaches_two_gates b
	cp_csv "$T/list.csv" 50
	out=$(cp_push site-credentials --csv "$T/list.csv" --version 5 --wait-result --timeout 10 2>"$T/push.err") ||
		{ echo "exit $?: $out"; cat "$T/push.err"; return 1; }
	expect_eq "answers" "$(cp_lines "$out")" "gate-b true 50,it-gate true 50"
	expect_grep "50 credentials of $T/list.csv, version 5, in 1 chunk to it-site/all/credentials/set" "$T/push.err"
	expect_eq "A's list" "$(cp_ids_of "$T/qrgate.db")" "$(cp_csv_ids "$T/list.csv")"
	expect_eq "B's list" "$(cp_ids_of "$T/b/qrgate.db")" "$(cp_csv_ids "$T/list.csv")"
	expect_eq "one message, site-wide" "$(cp_sets qrgate/it-site/all/credentials/set)" "0/1:50"
	# Each gate says which list it holds and what the push came to: in
	# its status, its text status, and its MQTT status (retained).
	cp_want a '.credentials.version == 5 and .cred_version == 5 and .credentials.last.scope == "site" and .credentials.last.result == "applied" and .credentials.last.version == 5'
	cp_want b '.credentials.version == 5 and .credentials.last.result == "applied"'
	qrgatectl status >"$T/status.txt"
	expect_grep "^creds     list version 5; last push: site version 5 applied at " "$T/status.txt"
	cp_json '.credentials.version == 5 and .credentials.last.result == "applied"' \
		"$(retained qrgate/it-site/gate-b/status)"
	# The same list again: each gate says it has it already, and
	# --wait-result fails.
	out=$(cp_push site-credentials --csv "$T/list.csv" --version 5 --wait-result --timeout 10) && rc=0 || rc=$?
	expect_eq "replayed, exit" "$rc" 1
	expect_eq "replayed" "$(cp_lines "$out")" "gate-b false replayed,it-gate false replayed"
	cp_want a '.credentials.version == 5 and .credentials.last.result == "ignored" and .credentials.last.reason == "replayed"'
	# "credentials --all" is the same push; a gate's own list replaces
	# the site's at that gate only.
	cp_csv "$T/list2.csv" 7 D
	cp_push credentials --all --csv "$T/list2.csv" --version 6 2>/dev/null
	mqtt_wait "version 6 at B" 10 cp_b_status_is '.credentials.version == 6'
	wait_for "version 6 at A" status_is '.credentials.version == 6'
	out=$(cp_push credentials --csv "$T/list.csv" --version 7 --wait-result 2>/dev/null) || { echo "exit $?: $out"; return 1; }
	cp_json '.ok and .applied == 50 and .version == 7' "$out"
	cp_want a '.credentials.version == 7 and .credentials.last.scope == "gate"'
	cp_want b '.credentials.version == 6 and .credentials.last.scope == "site"'
	expect_eq "B's list" "$(cp_ids_of "$T/b/qrgate.db")" "$(cp_csv_ids "$T/list2.csv")"
	cp_b_stop
	stop_gate
}

# 25,000 rows: three chunks of at most 10,000 by default, each checked
# and staged by the gate, the last one swapping the whole list in; with
# long names, chunks cut at the 4 MiB a message may have.
test_cred_push_chunks_a_big_csv() {
	local out max
	cp_gates cred_push_chunks_a_big_csv
	cp_csv "$T/big.csv" 25000
	out=$(cp_push credentials --csv "$T/big.csv" --version 10 --wait-result --timeout 60 2>"$T/push.err") ||
		{ echo "exit $?: $out"; cat "$T/push.err"; return 1; }
	cp_json '.ok and .applied == 25000 and .version == 10' "$out" || { echo "$out"; return 1; }
	expect_grep "25000 credentials of $T/big.csv, version 10, in 3 chunks" "$T/push.err"
	expect_eq "chunks" "$(cp_sets qrgate/it-site/it-gate/credentials/set)" "0/3:10000 1/3:10000 2/3:5000"
	expect_eq "the list" "$(cp_ids_of "$T/qrgate.db")" "$(cp_csv_ids "$T/big.csv")"
	cp_want a '.credentials.version == 10 and .credentials.last.result == "applied"'
	# --chunk-rows, and names of about 110 bytes: 20,000 rows do not fit in
	# one message of 4 MiB, so they are cut there.
	: >"$T/all.sub"
	cp_csv "$T/long.csv" 20000
	sed -i "2,\$s/,Worker \([0-9]*\),/,Worker \1 $(head -c 100 /dev/zero | tr '\0' x),/" "$T/long.csv"
	out=$(cp_push credentials --csv "$T/long.csv" --version 11 --chunk-rows 20000 --wait-result --timeout 60 2>"$T/push.err") ||
		{ echo "exit $?: $out"; cat "$T/push.err"; return 1; }
	cp_json '.ok and .applied == 20000' "$out" || { echo "$out"; return 1; }
	expect_eq "cut by size" "$(cp_sets qrgate/it-site/it-gate/credentials/set | wc -w)" 2
	max=$(sed -n 's|^qrgate/it-site/it-gate/credentials/set 0 ||p' "$T/all.sub" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
	[ "$max" -le 4194304 ] || { echo "a message of $max bytes"; return 1; }
	stop_gate
}

# A bad file: the first problem with FILE:LINE, exit 1, and nothing on
# the broker.
test_cred_push_bad_csv_sends_nothing() {
	local rc
	cp_gates cred_push_bad_csv_sends_nothing
	cp_csv "$T/ok.csv" 5
	cp_bad() {
		local want=$1
		shift
		cp_push "$@" 2>"$T/err" >/dev/null && rc=0 || rc=$?
		expect_eq "exit of $*" "$rc" 1
		expect_grep "$want" "$T/err"
	}
	{ cat "$T/ok.csv"; echo 'X-1,badge,X-1,n,,,bogus,*'; } >"$T/status.csv"
	cp_bad "status.csv:7: status 'bogus' is not active, suspended or revoked" credentials --csv "$T/status.csv"
	{ cat "$T/ok.csv"; echo 'C-00002,badge,Z-9,n,,,active,*'; } >"$T/dupid.csv"
	cp_bad "dupid.csv:7: id C-00002 is on line 3 too" site-credentials --csv "$T/dupid.csv"
	{ cat "$T/ok.csv"; echo 'Z-1,badge,C-00004,n,,,active,*'; } >"$T/dupcard.csv"
	cp_bad "dupcard.csv:7: the same badge card as line 5 (credential C-00004)" credentials --all --csv "$T/dupcard.csv"
	{ cat "$T/ok.csv"; echo 'Z-2,badge,Z-2,n,2031-01-01,2030-01-01,active,*'; } >"$T/dates.csv"
	cp_bad "dates.csv:7: " credentials --csv "$T/dates.csv"
	sed '1s/lanes/lane/' "$T/ok.csv" >"$T/head.csv"
	cp_bad "head.csv:1: the first line must be" credentials --csv "$T/head.csv"
	head -1 "$T/ok.csv" >"$T/empty.csv"
	cp_bad "empty.csv: no credentials" credentials --csv "$T/empty.csv"
	cp_bad "no.csv: No such file" credentials --csv "$T/no.csv"
	cp_push config --csv "$T/ok.csv" 2>"$T/err" && rc=0 || rc=$?
	expect_eq "exit of config --csv" "$rc" 2
	expect_grep "csv is for credentials" "$T/err"
	# Nothing was published: a probe sent after every try arrives, and
	# no list before it.
	mqtt_wait "the probe" 10 sub_probe all probe/all
	expect_eq "published" "$(grep -c '/credentials/set ' "$T/all.sub")" 0
	cp_want a '.credentials.version == 0 and .credentials.last == null'
	# The good file goes.
	cp_push credentials --csv "$T/ok.csv" --version 3 --wait-result >/dev/null 2>&1
	cp_want a '.credentials.version == 3'
	stop_gate
}

# --wait-result on a site-wide push, config or credentials, prints one
# line per gate of the site and fails when one does not answer; the
# status shows the gate's own and the site-wide config versions apart.
test_cred_push_wait_result_every_gate() {
	local out rc
	cp_gates cred_push_wait_result_every_gate b
	printf '{"version":3,"settings":{"lane.pulse_ms":4000}}' >"$T/g3"
	printf '{"version":1,"settings":{"lane.deny_ms":200}}' >"$T/s1"
	printf '{"version":2,"settings":{"lane.deny_ms":250}}' >"$T/s2"
	out=$(cp_push config "$T/g3" --wait-result) || { echo "exit $?: $out"; return 1; }
	cp_json '.ok and .scope == "gate"' "$out"
	out=$(cp_push site-config "$T/s1" --wait-result) || { echo "exit $?: $out"; return 1; }
	expect_eq "site config answers" "$(jq -r '"\(.gate) \(.ok) \(.scope) \(.version)"' <<<"$out" | tr '\n' ,)" \
		"gate-b true site 1,it-gate true site 1,"
	cp_want a '.config.gate_version == 3 and .config.site_version == 1 and .config_version == 4 and .config.last.scope == "site" and .config.last.result == "applied"'
	cp_want b '.config.gate_version == 0 and .config.site_version == 1 and .config_version == 1'
	qrgatectl status >"$T/status.txt"
	expect_grep "^config    gate push version 3, site push version 1; last push: site version 1 applied" "$T/status.txt"
	# Gate B stops (its retained status says offline): it gives no
	# answer, which is a failure, and said as such.
	cp_b_stop
	mqtt_wait "B offline" 10 sh -c "mosquitto_sub -h $MQTT_HOST -p $BROKER_PORT -t qrgate/it-site/gate-b/status -C 1 -W 2 | grep -q '\"state\":\"offline\"'"
	out=$(cp_push site-config "$T/s2" --wait-result --timeout 3) && rc=0 || rc=$?
	expect_eq "exit without B" "$rc" 1
	expect_eq "without B" "$(jq -r '"\(.gate) \(.ok) \(.reason // .scope)"' <<<"$out" | tr '\n' ,)" \
		"gate-b false no-answer,it-gate true site,"
	expect_eq "why" "$(jq -r 'select(.gate == "gate-b") | .error' <<<"$out")" "no answer within 3 s (the gate is offline)"
	cp_csv "$T/list.csv" 4
	out=$(cp_push site-credentials --csv "$T/list.csv" --version 4 --wait-result --timeout 3 2>/dev/null) && rc=0 || rc=$?
	expect_eq "exit of creds without B" "$rc" 1
	expect_eq "creds without B" "$(cp_lines "$out")" "gate-b false no-answer,it-gate true 4"
	stop_gate
}

# A list published retained (a gate started later takes it) comes again
# at each reconnect, and is ignored as held already: the status still
# says what the push itself came to.
test_cred_push_retained_replay_keeps_last() {
	cp_gates cred_push_retained_replay_keeps_last
	printf '{"version":2,"chunk":0,"chunks":1,"credentials":[{"id":"R-1","kind":"badge","subject":"R-1","status":"active"}]}' >"$T/r2"
	spubf qrgate/it-site/all/credentials/set "$T/r2" -r
	wait_for "version 2" status_is '.credentials.version == 2'
	cp_want a '.credentials.last.result == "applied" and .credentials.last.scope == "site"'
	broker_stop
	broker_start
	wait_for "the reconnection" status_is '.mqtt.connects == 2 and .mqtt.state == "connected"'
	mqtt_wait "the replay's answer" 10 sh -c "grep '^$TOPIC/credentials/result ' '$T/all.sub' | grep -q replayed"
	cp_want a '.credentials.version == 2 and .credentials.last.result == "applied"'
	stop_gate
}
