# The decision policy with the real daemon: anti-passback in its three
# modes, visitors-only, repeated denials, and the signed credentials
# (dynamic tokens on an unsynchronised clock, replays across a restart,
# signed badges and their serials), with frames made by qrgatectl.

# policy_frames FILE... : the camera shows these frames (absolute paths),
# one a line.
policy_frames() {
	local src="" f
	for f in "$@"; do src="$src${src:+,
	}$f"; done
	set_option camera.source "$src"
}

# One frame every 500 ms and a way released for 300 ms without a passage
# sensor ("unsensed", which counts as a passage): every frame is decided
# once the way before it has locked again.
policy_slow_camera() {
	set_option decoder.holdoff_ms 0
	set_option camera.fps 2
	set_option gpio.passage_sensor ""
}

# run_gate : starts the gate, lets it show every frame, stops it.
run_gate() {
	start_gate
	wait_idle
	stop_gate
}

IMG_W1="$SRCDIR/images/badge-W0001.png"

test_policy_antipassback_hard() {
	gate_config policy_antipassback_hard blank.png
	policy_slow_camera
	set_option policy.antipassback hard
	policy_frames "$IMG_W1" "$IMG_W1"
	run_gate
	expect_eq "entries" "$(rows "direction||':'||reason")" \
		"entry:granted entry:anti-passback"
	expect_eq "relay" "$(output_values entry_relay)" "0 1 0"
	# An exit is never refused, then the entry is free again, and the
	# log remembers across restarts.
	set_option lane.exit true
	set_option camera.direction exit
	policy_frames "$IMG_W1" "$IMG_W1"
	run_gate
	set_option camera.direction entry
	policy_frames "$IMG_W1" "$IMG_W1"
	run_gate
	expect_eq "all" "$(rows "direction||':'||reason")" \
		"entry:granted entry:anti-passback exit:granted exit:granted entry:granted entry:anti-passback"
	# The alarm-free modes write no alarm rows.
	expect_eq "alarms" "$(sql "SELECT count(*) FROM events WHERE type = 'alarm';")" 0
}

test_policy_antipassback_not_passed_does_not_count() {
	gate_config policy_antipassback_not_passed_does_not_count blank.png
	policy_slow_camera
	# With a passage sensor nobody crosses: each way ends not-passed.
	set_option gpio.passage_sensor "5 active-low pull-up"
	set_option lane.pulse_ms 100
	set_option policy.antipassback hard
	policy_frames "$IMG_W1" "$IMG_W1"
	run_gate
	expect_eq "rows" "$(rows "reason||':'||passage")" \
		"granted:not-passed granted:not-passed"
}

test_policy_antipassback_soft() {
	gate_config policy_antipassback_soft blank.png
	policy_slow_camera
	set_option policy.antipassback soft
	policy_frames "$IMG_W1" "$IMG_W1"
	run_gate
	# Granted both times, and the alarm row right after the second grant.
	expect_eq "rows" "$(rows "type||':'||result||':'||reason")" \
		"scan:granted:granted scan:granted:granted alarm:alarm:anti-passback"
	expect_eq "alarm's credential" "$(sql "SELECT credential_id||' '||subject FROM events WHERE type = 'alarm';")" \
		"W-0001 **0001"
	expect_eq "relay" "$(output_values entry_relay)" "0 1 0 1 0"
	expect_grep "ALARM anti-passback" "$T/qrgated.log"
}

test_policy_antipassback_timed() {
	gate_config policy_antipassback_timed blank.png
	set_option decoder.holdoff_ms 0
	set_option gpio.passage_sensor ""
	set_option camera.fps 4
	set_option lane.pulse_ms 100
	set_option policy.antipassback timed
	set_option policy.antipassback_s 2
	# 250 ms apart, then 3.5 s after the first: the camera can show the
	# frames later than that, never sooner.
	local b="$SRCDIR/images/blank.png" frames=("$IMG_W1" "$IMG_W1") i
	for i in $(seq 1 12); do frames+=("$b"); done
	frames+=("$IMG_W1")
	policy_frames "${frames[@]}"
	run_gate
	expect_eq "rows" "$(rows reason)" "granted anti-passback granted"
}

test_policy_visitors_only() {
	gate_config policy_visitors_only blank.png
	policy_slow_camera
	set_option policy.badge visitors
	qrgatectl cred add W-0004 badge W-0004 --role visitor --lanes 1:entry
	policy_frames "$IMG_W1" "$SRCDIR/images/badge-W0004.png"
	run_gate
	expect_eq "rows" "$(rows "credential_id||':'||reason")" \
		"W-0001:visitors-only W-0004:granted"
	expect_eq "role" "$(qrgatectl cred list --json | jq -r 'select(.id == "W-0004") | .role')" visitor
}

test_policy_repeated_denials_alarm_and_slow() {
	gate_config policy_repeated_denials_alarm_and_slow blank.png
	set_option decoder.holdoff_ms 0
	set_option policy.deny_code_max 3
	set_option policy.deny_lane_max 4
	set_option policy.deny_slow_s 3600
	local u="$SRCDIR/images/badge-W9999.png"
	policy_frames "$u" "$u" "$u" "$u" "$u"
	run_gate
	# The third denial raises the code's alarm and slows it; the fourth
	# (slowed, still logged) reaches the lane's.
	expect_eq "rows" "$(rows "type||':'||reason")" \
		"scan:unknown scan:unknown scan:unknown alarm:repeated-denials scan:slowed alarm:repeated-denials scan:slowed"
	expect_eq "code alarm" "$(sql "SELECT payload_hash FROM events WHERE seq = 4;")" \
		"$(sql "SELECT payload_hash FROM events WHERE seq = 1;")"
	expect_eq "lane alarm" "$(sql "SELECT payload_hash||kind FROM events WHERE seq = 6;")" "none"
	# A slowed code is not looked up: no credential, but its kind.
	expect_eq "slowed" "$(sql "SELECT kind||':'||credential_id FROM events WHERE seq = 5;")" "badge:"
	expect_eq "relay" "$(output_values entry_relay)" "0"
	[ "$(grep -c 'ALARM repeated-denials' "$T/qrgated.log")" = 2 ]
}

# A worker's key pair and a dynamic credential W-0101 holding its public
# key; $T/w.key signs tokens.
policy_worker() {
	qrgatectl keygen "$T/w.key" >/dev/null
	qrgatectl cred add D-0101 dynamic W-0101 --name "Nguyễn Văn An" \
		--pubkey "$(cat "$T/w.key.pub")"
}

test_policy_unsynced_clock_denies_dynamic() {
	gate_config policy_unsynced_clock_denies_dynamic blank.png
	policy_slow_camera
	set_option policy.clock unsynced
	policy_worker
	qrgatectl token W-0101 --key "$T/w.key" --png "$T/tok.png" >/dev/null
	policy_frames "$T/tok.png" "$IMG_W1"
	run_gate
	expect_eq "rows" "$(rows "kind||':'||credential_id||':'||reason")" \
		"dynamic:D-0101:clock-unsynced badge:W-0001:granted"
	expect_grep "clock not synchronised" "$T/qrgated.log"
	# The journal shows the holder by initials only.
	expect_grep "dynamic \*\*0101 (N. V. A.)" "$T/qrgated.log"
	[ "$(grep -c "Nguyễn Văn An" "$T/qrgated.log")" = 0 ]
	# Unless the site accepts them so.
	set_option policy.unsynced_dynamic true
	policy_frames "$T/tok.png"
	run_gate
	expect_eq "last" "$(sql "SELECT reason FROM events ORDER BY seq DESC LIMIT 1;")" granted
}

test_policy_dynamic_token_used_once() {
	gate_config policy_dynamic_token_used_once blank.png
	policy_slow_camera
	set_option policy.clock synced
	set_option store.trace_full true
	policy_worker
	qrgatectl token W-0101 --key "$T/w.key" --png "$T/tok.png" >/dev/null
	# Another worker's key: the signature does not verify.
	qrgatectl keygen "$T/x.key" >/dev/null
	qrgatectl token W-0101 --key "$T/x.key" --png "$T/forged.png" >/dev/null
	# A token from an hour ago.
	qrgatectl token W-0101 --key "$T/w.key" --at "$(( $(date +%s) - 3600 ))" \
		--png "$T/old.png" >/dev/null
	# A token from an hour ahead.
	qrgatectl token W-0101 --key "$T/w.key" --at "$(( $(date +%s) + 3600 ))" \
		--png "$T/future.png" >/dev/null
	# One character of a good token changed (to a smaller base45 value, so
	# the text still decodes): the signature no longer verifies.
	local text pos c
	text=$(qrgatectl token W-0101 --key "$T/w.key" --at "$(( $(date +%s) + 30 ))")
	pos=$(( ${#text} - 5 ))
	c=0; [ "${text:$pos:1}" = 0 ] && c=1
	qrencode -l M -o "$T/flipped.png" "${text:0:$pos}$c${text:$((pos + 1))}"
	policy_frames "$T/tok.png" "$T/tok.png" "$T/forged.png" "$T/old.png" \
		"$T/future.png" "$T/flipped.png"
	run_gate
	expect_eq "rows" "$(rows reason)" \
		"granted replayed bad-signature expired not-yet-valid bad-signature"
	# A restart does not make it new again.
	policy_frames "$T/tok.png"
	run_gate
	expect_eq "after restart" "$(sql "SELECT reason FROM events ORDER BY seq DESC LIMIT 1;")" replayed
	[ "$(sql "SELECT count(*) FROM token_steps WHERE credential_id = 'D-0101';")" = 1 ]
	# trace_full keeps the full subject, shown only with --trace.
	expect_eq "trace" "$(qrgatectl events --json --trace | jq -r .subject_full | sort -u)" "W-0101"
	[ "$(qrgatectl events --json | jq -r 'has("subject_full")' | sort -u)" = false ]
	qrgatectl events --trace | grep -q "FULL_SUBJECT"
}

test_policy_signed_badges() {
	gate_config policy_signed_badges blank.png
	policy_slow_camera
	qrgatectl keygen "$T/issuer.key" >/dev/null
	set_option security.issuer_key "$(cat "$T/issuer.key.pub")"
	qrgatectl cred add S-0201 signed W-0201 --serial 2
	local exp=$(( $(date +%s) + 86400 ))
	qrgatectl badge W-0201 --key "$T/issuer.key" --serial 2 --expires "$exp" --png "$T/s2.png" >/dev/null
	qrgatectl badge W-0201 --key "$T/issuer.key" --serial 1 --expires "$exp" --png "$T/s1.png" >/dev/null
	qrgatectl badge W-0201 --key "$T/issuer.key" --serial 2 --allow-expired --expires "$(( $(date +%s) - 60 ))" \
		--png "$T/gone.png" >/dev/null
	policy_frames "$T/s2.png" "$T/s1.png" "$T/gone.png"
	run_gate
	expect_eq "rows" "$(rows reason)" "granted serial-revoked expired"
	# Without an issuer key no signed badge is trusted.
	set_option security.issuer_key ""
	policy_frames "$T/s2.png"
	run_gate
	expect_eq "no key" "$(sql "SELECT reason FROM events ORDER BY seq DESC LIMIT 1;")" bad-signature
}
