# qrgatectl with card credentials (kind card, send_as, a PIN): the card's
# text is normalised on input, a bad one refused with its form, the PIN
# kept only as its hash, and the CSV carries all of it both ways.

test_cli_card_add_list_import() {
	gate_config cli_card_add_list_import blank.png
	# Lower-case hex is read and written back upper-case.
	qrgatectl cred add K-1 card raw:32:0a1b2c3d --name "Thẻ Một" --send-as H10301:12:3456 >/dev/null
	expect_eq "raw card normalised" "$(sql "SELECT subject || ' ' || send_as FROM credentials WHERE id = 'K-1';")" \
		"raw:32:0A1B2C3D h10301:12:3456"
	# A text that is no card is refused, saying the form expected.
	if qrgatectl cred add K-2 card 12:3456 2>"$T/err"; then echo "bad card accepted"; return 1; fi
	expect_grep "is not a card: expected h10301:FACILITY:NUMBER" "$T/err"
	if qrgatectl cred add K-2 card h10301:256:1 2>"$T/err"; then echo "facility 256 accepted in 8 bits"; return 1; fi
	if qrgatectl cred add K-2 badge B-2 --send-as raw:8:FFF 2>"$T/err"; then echo "bad send_as accepted"; return 1; fi
	expect_grep "send-as 'raw:8:FFF' is not a card" "$T/err"
	# One card is one credential.
	if qrgatectl cred add K-3 card RAW:32:0A1B2C3D 2>"$T/err"; then echo "a card twice"; return 1; fi
	expect_grep "card raw:32:0A1B2C3D already belongs to credential K-1" "$T/err"
	# The PIN comes from stdin only, and only its hash is kept.
	if qrgatectl cred add K-4 card h10301:1:2 --pin 482916 2>"$T/err"; then echo "PIN on the command line"; return 1; fi
	if echo 12 | qrgatectl cred add K-4 card h10301:1:2 --pin - 2>"$T/err"; then echo "short PIN"; return 1; fi
	if echo 482916 | qrgatectl cred add K-4 badge B-4 --pin - 2>"$T/err"; then echo "PIN on a badge"; return 1; fi
	expect_grep "only a card credential has a PIN" "$T/err"
	echo 482916 | qrgatectl cred add K-4 card h10301:1:2 --pin - >/dev/null
	expect_eq "PIN hash" "$(sql "SELECT substr(pin_hash, 1, 10) FROM credentials WHERE id = 'K-4';")" '$argon2id$'
	expect_eq "no PIN in the database" "$(sqlite3 "$T/qrgate.db" .dump | grep -c 482916)" "0"
	json_is '.kind == "card" and .subject == "h10301:1:2" and .pin == true and .send_as == "" and (has("pin_hash") | not)' \
		"$(qrgatectl cred list --json | grep '"K-4"')"
	qrgatectl cred list | grep '^K-4 ' | grep -q ' yes *$' || { echo "    PIN column"; return 1; }
	# list --csv reads back unchanged, PIN hash and send_as included.
	qrgatectl cred list --csv >"$T/all.csv"
	expect_eq "csv header" "$(head -1 "$T/all.csv" | tr -d '\r' | cut -d, -f12-14)" "check_hash,send_as,pin_hash"
	sql "DELETE FROM credentials;"
	expect_eq "imported" "$(qrgatectl cred import "$T/all.csv")" "imported 9 credentials"
	qrgatectl cred list --csv >"$T/again.csv"
	cmp "$T/all.csv" "$T/again.csv" || { echo "    csv round trip differs"; return 1; }
	# A list typed by people: lower-case hex, a 14-column header; a bad card
	# is refused with its line.
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes,role,serial,pubkey,check_hash,send_as,pin_hash\nK-5,card,h10306:300:4000,Ann,,,active,*,,,,,raw:26:3ffffff,\n' >"$T/cards.csv"
	qrgatectl cred import "$T/cards.csv" >/dev/null
	expect_eq "imported card" "$(sql "SELECT subject || ' ' || send_as FROM credentials WHERE id = 'K-5';")" \
		"h10306:300:4000 raw:26:3FFFFFF"
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nK-6,card,h10301:1:1,A,,,active,*\nK-7,card,h10301:01:1,B,,,active,*\n' >"$T/bad.csv"
	if qrgatectl cred import "$T/bad.csv" 2>"$T/err"; then echo "leading zero imported"; return 1; fi
	expect_grep "bad.csv:3: a card subject is h10301:FACILITY:NUMBER" "$T/err"
}
