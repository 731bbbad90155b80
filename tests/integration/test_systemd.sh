# The systemd unit: hardened, and systemd's own analyser agrees.

test_systemd_unit_hardened() {
	local unit="$SRCDIR/systemd/qrgated.service" out score
	command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing"; return 1; }
	out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for qrgated.service: \([0-9.]*\).*/\1/p' <<<"$out")
	[ -n "$score" ] || { echo "no score in: $out" | tail -3; return 1; }
	echo "    exposure $score"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || { echo "exposure $score > 2.5"; return 1; }
	for want in "Type=notify" "WatchdogSec=" "Restart=on-failure" "User=qrgate" \
		"DevicePolicy=closed" "ProtectSystem=strict" "NoNewPrivileges=yes" \
		"CapabilityBoundingSet=$" "SystemCallFilter=@system-service" "RestrictAddressFamilies="; do
		grep -q "^$want" "$unit" || { echo "unit lacks $want"; return 1; }
	done
}

test_systemd_aggregator_unit_hardened() {
	local unit="$SRCDIR/systemd/qrgate-aggregator.service" out score
	out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for qrgate-aggregator.service: \([0-9.]*\).*/\1/p' <<<"$out")
	[ -n "$score" ] || { echo "no score in: $out" | tail -3; return 1; }
	echo "    exposure $score"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || { echo "exposure $score > 2.5"; return 1; }
}
