# Visitor passes at a real gate with no broker (so the pass's own
# signature, times and lanes are all the gate has to go on): a fresh pass
# is granted with no credential row, and an expired, forged, wrong-lane,
# cancelled, over-long pass, a pass on an untrusted clock and one at a
# gate without the desk's key are denied, each for its reason.  Uses
# policy_frames and policy_slow_camera (test_policy.sh).

# visitor_pass ID PNG [qrgatectl visitor-pass options...]
visitor_pass() {
	local id=$1 png=$2
	shift 2
	qrgatectl visitor-pass "$id" --key "$T/desk.key" --png "$png" "$@" >/dev/null
}

test_visitor_pass_offline_gate() {
	gate_config visitor_pass_offline_gate blank.png
	policy_slow_camera
	qrgatectl keygen "$T/desk.key" >/dev/null
	qrgatectl keygen "$T/other.key" >/dev/null
	set_option security.visitor_key "$(cat "$T/desk.key.pub")"
	local now
	now=$(date +%s)
	visitor_pass V-20261207-0001 "$T/fresh.png" --lanes 1
	visitor_pass V-20261207-0002 "$T/expired.png" --from $((now - 7200)) --until $((now - 60))
	qrgatectl visitor-pass V-20261207-0003 --key "$T/other.key" --png "$T/forged.png" >/dev/null
	visitor_pass V-20261207-0004 "$T/lane2.png" --lanes 2:entry
	visitor_pass V-20261207-0005 "$T/cancelled.png"
	visitor_pass V-20261207-0006 "$T/long.png" --until $((now + 2 * 86400))
	# The desk cancels pass 5 while the gate is reachable: a row of its id.
	qrgatectl cred add V-20261207-0005 visitor V-20261207-0005 --status revoked --role visitor
	policy_frames "$T/fresh.png" "$T/expired.png" "$T/forged.png" "$T/lane2.png" \
		"$T/cancelled.png" "$T/long.png"
	run_gate
	expect_eq "rows" "$(rows "kind||':'||credential_id||':'||subject||':'||reason")" \
		"visitor:V-20261207-0001:V-20261207-0001:granted visitor:V-20261207-0002:V-20261207-0002:expired visitor:V-20261207-0003:V-20261207-0003:bad-signature visitor:V-20261207-0004:V-20261207-0004:wrong-lane visitor:V-20261207-0005:V-20261207-0005:revoked visitor:V-20261207-0006:V-20261207-0006:expired"
	expect_eq "relay" "$(output_values entry_relay)" "0 1 0"
	# The same fresh pass on a clock the gate does not trust.
	set_option policy.clock unsynced
	policy_frames "$T/fresh.png"
	run_gate
	expect_eq "unsynced" "$(sql "SELECT reason FROM events ORDER BY seq DESC LIMIT 1;")" clock-unsynced
	# A gate without the desk's key takes no passes at all.
	set_option policy.clock synced
	set_option security.visitor_key ""
	policy_frames "$T/fresh.png"
	run_gate
	expect_eq "no key" "$(sql "SELECT reason FROM events ORDER BY seq DESC LIMIT 1;")" kind-disabled
}
