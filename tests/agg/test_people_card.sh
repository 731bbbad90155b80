# People with a card credential (issue 18): added from the CLI with lower-
# case hex (normalised), a send_as and a PIN (kept only as its hash, shown
# as whether there is one), imported from HR's CSV, masked in the list as
# subjects are, and sent to a real qrgated whose store then holds the card,
# its send_as and its PIN's hash.

test_people_card() {
	agg_setup people_card
	local at=$T gt out
	"$BUILD/qrgatectl" keygen "$T/creds.key" >/dev/null
	agg_option people.credentials_key_file "$T/creds.key"
	aq people add K-0001 --name "Phạm Thẻ" --kind card --subject raw:32:0a1b2c3d \
		--send-as h10301:12:3456 --department "Kho"
	echo 482916 | aq people add K-0002 --name "Võ Pin" --kind card --subject h10301:68:41551 --pin -
	if out=$(aq people add K-0003 --name X --kind card --subject 12:3456 2>&1); then
		echo "a bad card was taken"; return 1; fi
	expect_grep "a card subject is h10301:FACILITY:NUMBER" <(echo "$out")
	if out=$(aq people add K-0003 --name X --kind card --subject H10301:68:41551 2>&1); then
		echo "the same card twice"; return 1; fi
	expect_eq "same card" "$out" "qrgate-aggregator people add: the same card as K-0002"
	if aq people add K-0003 --name X --kind card --subject h10301:1:1 --pin 1234 2>/dev/null; then
		echo "a PIN on the command line"; return 1; fi
	cat >"$T/cards.csv" <<'CSV'
id,kind,subject,name,valid_from,valid_until,status,lanes,role,serial,pubkey,check_hash,send_as,pin_hash
K-0004,card,h10306:300:4000,Đỗ Bốn,,,active,*,,,,,raw:26:3ffffff,
CSV
	aq people import "$T/cards.csv"
	expect_eq "masked" "$(people_json '[.[] | "\(.id) \(.kind) \(.subject) \(.send_as) \(.pin)"] | join(",")')" \
		"K-0001 card ***********2C3D **********3456 false,K-0002 card ***********1551  true,K-0004 card ***********4000 **********FFFF false"
	expect_eq "full" "$(aq people list --full --json | jq -r '[.[] | "\(.subject) \(.send_as)"] | join(",")')" \
		"raw:32:0A1B2C3D h10301:12:3456,h10301:68:41551 ,h10306:300:4000 raw:26:3FFFFFF"
	# An edit keeps the PIN unless it says otherwise.
	aq people edit K-0002 --department "Bảo vệ"
	expect_eq "PIN kept" "$(people_json '.[1].pin')" "true"
	# The list at a real gate.
	agg_start
	gate_config "people_card-$BACKEND/gate" blank.png
	gt=$T
	T=$at
	set_option security.credentials_key "$(cat "$T/creds.key.pub")"
	gate_mqtt_section
	T=$gt start_gate
	mqtt_wait "the gate in the aggregator" 10 agg_gate_state "it-site online false"
	aq people activate K-0001
	mqtt_wait "the gate to take the list" 10 agg_gate_sent_current
	expect_eq "gate's list" "$(sqlite3 -batch -noheader "$gt/qrgate.db" \
		"SELECT id || ' ' || kind || ' ' || subject || ' ' || send_as || ' ' || substr(pin_hash, 1, 10) FROM credentials ORDER BY id" | tr '\n' ',')" \
		"K-0001 card raw:32:0A1B2C3D h10301:12:3456 ,K-0002 card h10301:68:41551  \$argon2id\$,K-0004 card h10306:300:4000 raw:26:3FFFFFF ,"
	expect_eq "no PIN at the gate" "$(sqlite3 "$gt/qrgate.db" .dump | grep -c 482916)" "0"
	expect_eq "no PIN at the aggregator" "$(grep -c 482916 "$T/agg.log" || true)" "0"
	T=$gt stop_gate
}
