# Crash consistency (issue 5): kill -9 at random moments of a stream of
# grants, config pushes and credential patches, CRASH_ROUNDS times (200).
# After each kill the database is whole, every relay pulse has its row,
# and each push is on disk whole or not at all, and is there if the gate
# said it was applied.  At the end every row has reached the broker.

. "$SRCDIR/tests/integration/lib_mqtt.sh"
. "$SRCDIR/tests/integration/lib_crash.sh"

CRASH_ROUNDS=${CRASH_ROUNDS:-200}
# A kill comes 0 to this many ms after the start: the daemon answers after
# about 100 ms and grants every 125 ms or so from then on, so the range
# covers start-up, grants and the pushes that arrive meanwhile.
CRASH_MAX_DELAY_MS=${CRASH_MAX_DELAY_MS:-450}
# What IT sends for the whole test: a config push and a patch, with
# versions that only go up, each signed with the admin key by qrgatectl
# push (lib_mqtt.sh's signed_file), as fast as that goes, give or take a
# pause of 20 ms (a load, not a wait).  Each envelope is one line for a
# mosquitto_pub -l to publish (fds 7 and 8).
crash_pusher() {
	local n=0
	while :; do
		n=$((n + 1))
		crash_config_doc "$n" >"$T/config.body"
		crash_patch_doc "$n" >"$T/patch.body"
		signed_file "$TOPIC/config/set" "$T/config.body" >&7
		signed_file "$TOPIC/credentials/patch" "$T/patch.body" >&8
		sleep 0.02
	done
}

# crash_publisher TOPIC FIFO: one client publishing each line of FIFO,
# until its writer closes it.
CRASH_PUBLISHERS=""
crash_publisher() {
	mkfifo "$2"
	mosquitto_pub -h "$MQTT_HOST" -p "$BROKER_PORT" -q 1 -t "$1" -l <"$2" \
		2>>"$T/pusher.err" &
	MQTT_PIDS="$MQTT_PIDS $!"
	CRASH_PUBLISHERS="$CRASH_PUBLISHERS $!"
}

crash_publishers_done() {
	local pid
	for pid in $CRASH_PUBLISHERS; do
		! kill -0 "$pid" 2>/dev/null || return 1
	done
}

# Relay pulses (0 -> 1 changes) per way in the sim log: "ENTRY EXIT".
crash_pulses() {
	awk '($2 == "entry_relay" || $2 == "exit_relay") && $3 == 1 && last[$2] != 1 { n[$2]++ }
		{ last[$2] = $3 }
		END { printf "%d %d\n", n["entry_relay"], n["exit_relay"] }' "$T/gpio.log"
}

# The highest versions the gate said it applied in the subscriber's lines
# FROM to TO: "CONFIG PATCH" (0 when none).  awk, not jq: this runs after
# every kill, and starting jq takes longer than the rest of the round.
crash_acked() {
	sed -n "$1,$2p" "$T/all.sub" | awk -v c="$TOPIC/config/result" \
		-v p="$TOPIC/credentials/result" '
		($1 == c || $1 == p) && index($0, "\"ok\":true") &&
		    match($0, /"version":[0-9]+/) {
			v = substr($0, RSTART + 10, RLENGTH - 10) + 0
			if (v > max[$1]) max[$1] = v
		}
		END { printf "%d %d\n", max[c], max[p] }'
}

# Messages the broker should have and the subscriber has not, after a
# kill: each row's decision (rev 0) and written passage (rev 1) whose
# outbox entry is gone.  An entry goes only once the broker acknowledged
# its message, so after the probe the subscriber holds that message.
crash_unsent() {
	sql "SELECT event_id || ':0' FROM events
		WHERE seq NOT IN (SELECT seq FROM outbox WHERE rev = 0);
	    SELECT event_id || ':1' FROM events WHERE passage NOT IN ('none', 'pending')
		AND seq NOT IN (SELECT seq FROM outbox WHERE rev = 1);" >"$T/sent.keys"
	awk -v t="$TOPIC/events" 'NR == FNR { want[$1] = 1; next }
		$1 == t && match($0, /"event_id":"[0-9a-f]+"/) {
			id = substr($0, RSTART + 12, RLENGTH - 13)
			if (match($0, /"rev":[0-9]+/))
				delete want[id ":" substr($0, RSTART + 6, RLENGTH - 6)]
		}
		END { for (k in want) print k }' "$T/sent.keys" "$T/all.sub"
}

# The broker has passed on every message it took before the probe of
# round R (one client's messages reach a subscriber in order).  Polled
# every 10 ms, 10 s at most.
crash_probe() {
	local i
	printf 'round %d\n' "$1" >&9
	for ((i = 0; i < 1000; i++)); do
		grep -qx "probe/all 0 round $1" "$T/all.sub" && return 0
		sleep 0.01
	done
	echo "    timed out waiting for the probe of round $1"
	return 1
}

test_crash_consistency_kill9_grants_and_pushes() {
	local pusher round ms pid st want got line=1 last acked c i
	local integrity fk depth granted cfg_v cfg_doc creds
	local g_prev p_prev g p d w
	local unpulsed=0 no_grant=0 cfg_moved=0 cred_moved=0 cfg_last=0 cred_last=0
	local cfg_prev cred_prev unacked=0 rc seed=${CRASH_SEED:-$RANDOM$RANDOM}
	# The kill times come from RANDOM: CRASH_SEED=N replays a run's draws.
	RANDOM=$seed
	echo "seed $seed"
	gate_config crash_consistency badge-W0001.png blank.png
	set_option camera.loop true
	set_option camera.fps 16
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	set_option gpio.passage_sensor ""
	# Lane-busy denials of the looping code must not slow it down.
	set_option policy.deny_code_max 0
	set_option policy.deny_lane_max 0
	set_option policy.antipassback off
	{
		echo "id,kind,subject,name,valid_from,valid_until,status,lanes"
		for ((i = 1; i <= CRASH_PATCH_ROWS; i++)); do
			printf 'CP-%02d,badge,CP-%02d,initial,,,active,*\n' "$i" "$i"
		done
	} >"$T/cp.csv"
	qrgatectl cred import "$T/cp.csv" >/dev/null
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	# One clean start first: the daemon's own tables exist from here on.
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	stop_gate
	mapfile -t st < <(crash_store_state)
	read -r -a g_prev <<<"${st[3]}"
	read -r -a p_prev <<<"$(crash_pulses)"
	expect_eq "granted rows and pulses after a clean stop" "${g_prev[*]}" "${p_prev[*]}"

	crash_publisher "$TOPIC/config/set" "$T/config.fifo"
	crash_publisher "$TOPIC/credentials/patch" "$T/patch.fifo"
	crash_publisher probe/all "$T/probe.fifo"
	crash_pusher 7>"$T/config.fifo" 8>"$T/patch.fifo" &
	MQTT_PIDS="$MQTT_PIDS $!"
	pusher=$!
	exec 9>"$T/probe.fifo"

	for ((round = 1; round <= CRASH_ROUNDS; round++)); do
		"$BUILD/qrgated" -c "$CONF" 2>>"$T/qrgated.log" 9>&- &
		pid=$! GATE_PID=$!	# for the cleanup, if the test stops here
		ms=$((RANDOM % (CRASH_MAX_DELAY_MS + 1)))
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		kill -9 "$pid"
		# Killed, not ended on its own (a daemon that cannot start on
		# what the last one left would be a failure).
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		GATE_PID=""
		if [ "$rc" != 137 ]; then
			echo "    round $round: qrgated ended with status $rc before the kill at $ms ms"
			return 1
		fi

		mapfile -t st < <(crash_store_state)
		integrity=${st[0]} fk=${st[1]} depth=${st[2]} granted=${st[3]}
		cfg_v=${st[4]} cfg_doc=${st[5]} creds=${st[6]}
		expect_eq "integrity after kill $round ($ms ms)" "$integrity" ok
		expect_eq "broken references after kill $round" "$fk" 0
		expect_eq "outbox depth minus rows after kill $round" "$depth" 0

		# Each pulse has its row.  Per way and per kill: pulses added
		# <= granted rows added <= pulses added + 1.  A grant commits
		# its row before it drives the relay, and a grant while the
		# way is released is denied lane-busy, so every pulse follows
		# a row of its own; only the one grant a kill cuts between its
		# commit and its relay has a row and no pulse.
		read -r -a g <<<"$granted"
		read -r -a p <<<"$(crash_pulses)"
		for w in 0 1; do
			d=$(((g[w] - g_prev[w]) - (p[w] - p_prev[w])))
			if [ "$d" -lt 0 ] || [ "$d" -gt 1 ]; then
				echo "    kill $round ($ms ms), way $w: $((g[w] - g_prev[w])) granted rows, $((p[w] - p_prev[w])) pulses"
				return 1
			fi
			unpulsed=$((unpulsed + d))
		done
		[ "${g[0]}" != "${g_prev[0]}" ] || no_grant=$((no_grant + 1))
		g_prev=("${g[@]}") p_prev=("${p[@]}")

		# The config push kept is one whole version.
		if [ "$cfg_v" != 0 ] && ! crash_config_whole "$cfg_v" "$cfg_doc"; then
			echo "    config push kept after kill $round ($ms ms) is not version $cfg_v whole"
			return 1
		fi
		# So is the credential set: every CP row of its version, its
		# P row and none of a later one.
		read -r -a c <<<"$creds"
		if [ "${c[0]}" = 0 ]; then want="0 $CRASH_PATCH_ROWS 0 0"; else want="${c[0]} $CRASH_PATCH_ROWS 1 0"; fi
		expect_eq "credential set after kill $round ($ms ms)" "$creds" "$want"
		[ "$cfg_v" = "$cfg_last" ] || cfg_moved=$((cfg_moved + 1))
		[ "${c[0]}" = "$cred_last" ] || cred_moved=$((cred_moved + 1))
		cfg_prev=$cfg_last cred_prev=$cred_last
		cfg_last=$cfg_v cred_last=${c[0]}

		# What the gate announced as applied is on disk.
		crash_probe "$round"
		last=$(wc -l <"$T/all.sub")
		read -r -a acked <<<"$(crash_acked "$line" "$last")"
		line=$((last + 1))
		if [ "${acked[0]}" -gt "$cfg_v" ] || [ "${acked[1]}" -gt "${c[0]}" ]; then
			echo "    kill $round ($ms ms): config push ${acked[0]} and patch ${acked[1]} acknowledged, $cfg_v and ${c[0]} kept"
			return 1
		fi
		# Nothing left the outbox without reaching the broker.
		got=$(crash_unsent)
		if [ -n "$got" ]; then
			echo "    kill $round ($ms ms): out of the outbox, not at the subscriber: $got"
			return 1
		fi
		# (Kept but never acknowledged: killed between the commit and
		# the result.  Counted, to show the kills reach that far.)
		[ "$cfg_v" -le "$cfg_prev" ] || [ "$cfg_v" -le "${acked[0]}" ] || unacked=$((unacked + 1))
		[ "${c[0]}" -le "$cred_prev" ] || [ "${c[0]}" -le "${acked[1]}" ] || unacked=$((unacked + 1))
	done
	# The publishers drain what the pusher wrote, and end.
	kill "$pusher"
	wait "$pusher" 2>/dev/null || true
	exec 9>&-
	mqtt_wait "the publishers to end" 10 crash_publishers_done

	# Once more, with nothing to grant, until the outbox is empty.
	set_option camera.source "$SRCDIR/images/blank.png"
	set_option camera.loop false
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	mqtt_wait "the outbox to drain" 60 outbox_empty
	wait_for "the pushes restored" status_is ".config_version == $cfg_last and .cred_version == $cred_last"
	stop_gate
	expect_eq "integrity at the end" "$(sql 'PRAGMA integrity_check;')" ok
	# A way released when a kill came has no reading to come: the next
	# start closes it as unsensed, and announces it.
	expect_eq "passages left pending" "$(sql "SELECT count(*) FROM events WHERE passage = 'pending';")" 0
	read -r -a p <<<"$(crash_pulses)"
	expect_eq "pulses of the last run" "${p[*]}" "${p_prev[*]}"
	mqtt_wait "every event at the subscriber" 15 all_events_received all || {
		echo "    $(missing_events) of $(wc -l <"$T/want.ids") events missing"; return 1; }
	# Nothing reached the broker that the log does not hold.
	expect_eq "events published but not in the log" \
		"$(sort "$T/want.ids" | comm -13 - "$T/got.ids" | wc -l)" 0
	# Nor any passage update that was written.
	sql "SELECT event_id FROM events WHERE passage NOT IN ('none', 'pending');" | sort >"$T/want.passages"
	payloads all events | jq -r 'select(.rev == 1) | .event_id' | sort -u >"$T/got.passages"
	expect_eq "passage updates not published" "$(comm -23 "$T/want.passages" "$T/got.passages" | wc -l)" 0
	# The test did what it says: grants, and pushes of both kinds kept.
	if [ "${g[0]}" -eq 0 ] || [ "$cfg_last" -eq 0 ] || [ "$cred_last" -eq 0 ]; then
		echo "    ${g[0]} grants, config push $cfg_last and patch $cred_last kept"
		return 1
	fi
	# Every patch the gate acknowledged is in the set.
	sed -n "s|^$TOPIC/credentials/result 0 ||p" "$T/all.sub" |
		jq -r 'select(.ok == true) | "P-\(.version)"' | sort -u >"$T/acked.ids"
	sql "SELECT id FROM credentials WHERE id GLOB 'P-*';" | sort >"$T/kept.ids"
	expect_eq "acknowledged patches missing" "$(comm -23 "$T/acked.ids" "$T/kept.ids" | tr '\n' ' ')" ""
	echo "seed $seed, $CRASH_ROUNDS kills: ${g[0]} grants, ${p[0]} pulses, $unpulsed rows" \
		"without a pulse, $no_grant kills with no new grant;" \
		"config push moved in $cfg_moved rounds (last $cfg_last), patch in" \
		"$cred_moved (last $cred_last); $unacked pushes kept but never acknowledged;" \
		"$(wc -l <"$T/acked.ids") patches acknowledged," \
		"$(sort -u "$T/want.ids" | wc -l) events"
}
