# A Wiegand card reader on gpio.wiegand_d0/d1 (sim lines, each pulse
# stamped 2 ms after the one before, as a reader sends them): a card is
# decided as a code is, on the same rules, row and relay; a misread card
# is a denial; noise is logged, never a row; card and PIN.

. "$SRCDIR/tests/integration/wiegand_enc.sh"

# What qrgated sent on wiegand_out_d0/d1, read from the sim log: its
# bits, every card's one after the other; and in $T/out.times each
# pulse's width and the interval from the pulse before, in us.
wiegand_sent() {
	awk '$2 ~ /^wiegand_out_d[01]$/ {
		line = substr($2, length($2))
		if ($3 == 1) {
			if (start != "") printf "interval %d\n", ($1 - start) / 1000 >"/dev/stderr"
			bits = bits line; start = $1
		} else if (start != "") printf "width %d\n", ($1 - start) / 1000 >"/dev/stderr"
	}
	END { print bits }' "$T/gpio.log" 2>"$T/out.times"
}

# The sim input lines of a frame: a 80 us pulse on D0 or D1 per bit, 2 ms
# apart; its first pulse stamped when read, or AFTER microseconds after
# the last pulse before (a keypad's keys, written at once).
wiegand_frame() {	# wiegand_frame BITS [AFTER]
	local bits=$1 i b
	for ((i = 0; i < ${#bits}; i++)); do
		b=${bits:i:1}
		if [ "$i" = 0 ]; then
			printf 'wiegand_d%s 1%s\n' "$b" "${2:+ +$2}"
		else
			printf 'wiegand_d%s 1 +1920\n' "$b"
		fi
		printf 'wiegand_d%s 0 +80\n' "$b"
	done
}
wiegand_send() { wiegand_frame "$1" >"$T/gpio.in"; }
# A card, then keys typed on the reader's keypad, 300 ms apart.
wiegand_card_keys() {	# wiegand_card_keys CARD_BITS KEY...
	local card=$1 k
	shift
	{
		wiegand_frame "$card"
		for k in "$@"; do wiegand_frame "$(key_bits "$k")" 300000; done
	} >"$T/gpio.in"
}
# A keypad's key as an 8-bit burst: the complement of its 4 bits, then them.
key_bits() { local k=$1 i s=""; for ((i = 3; i >= 0; i--)); do s+=$(( 1 - ((k >> i) & 1) )); done
	for ((i = 3; i >= 0; i--)); do s+=$(( (k >> i) & 1 )); done; printf '%s' "$s"; }

wiegand_gate() {
	gate_config "$1" blank.png
	set_option camera.loop true
	set_option gpio.wiegand_d0 "17 active-low"
	set_option gpio.wiegand_d1 "18 active-low"
	set_option decoder.holdoff_ms 0
	qrgatectl cred add C-1 card h10301:12:3456 --name "Thẻ Một" >/dev/null
	qrgatectl cred add C-2 card h10301:12:3457 --name "Thẻ Hai" --status revoked >/dev/null
}

test_wiegand_card_granted_refused_misread_noise() {
	wiegand_gate wiegand_card_granted_refused_misread_noise
	start_gate
	wait_for "the gate" status_is '.camera.state == "running"'
	wiegand_send "$(h10301_bits 12 3456)"
	wait_for "the grant" rows_are "result" "granted"
	# Revoked, unknown: denied as any code would be.
	wiegand_send "$(h10301_bits 12 3457)"
	wait_for "the revoked card" rows_are "result" "granted denied"
	wiegand_send "$(h10301_bits 99 1)"
	wait_for "the unknown card" rows_are "result" "granted denied denied"
	# One bit flipped: its parity fails; a malformed card, never a grant.
	bits=$(h10301_bits 12 3456)
	wiegand_send "${bits:0:5}$(( 1 - ${bits:5:1} ))${bits:6}"
	wait_for "the misread" rows_are "result" "granted denied denied denied"
	# Three bits: noise, logged, no row.
	wiegand_send 101
	wait_for "the noise logged" grep -q "wiegand: noise, not a card: 3 edges (a short burst)" "$T/qrgated.log"
	expect_grep "reader    wiegand: cards open the entry way; 1 frames of noise" <(qrgatectl status)
	wait_for "the relay to drop" last_value_is entry_relay 0
	stop_gate
	expect_eq "rows" "$(rows "source||' '||kind||' '||credential_id||' '||subject||' '||result||' '||reason")" \
		"wiegand card C-1 **********3456 granted granted wiegand card C-2 **********3457 denied revoked wiegand card  *******99:1 denied unknown wiegand card   denied malformed"
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
	expect_grep "GRANTED entry card .*3456 (T. M.)" "$T/qrgated.log"
}

# Noise on the wires for about 3.5 s (a bad cable, someone toggling D0),
# stamped as it comes: no camera frame is decoded while a card may be
# coming in, but no longer than the longest card takes (1 s) from a
# frame's start, so many of the camera's frames meanwhile are still
# decoded.  Judged by proportion, not by time.
test_wiegand_noise_does_not_blind_the_camera() {
	local f0 u0 f1 u1 i
	wiegand_gate wiegand_noise_does_not_blind_the_camera
	# The longest gap: on a loaded machine this shell's 10 ms sleeps
	# can last past a shorter one, ending the burst as short ones.
	set_option wiegand.gap_ms 1000
	start_gate
	wait_for "the gate" status_is '.camera.state == "running"'
	f0=$(gate_status | jq .counters.frames)
	u0=$(gate_status | jq .wiegand.frames_undecoded)
	for i in $(seq 1 250); do
		printf 'wiegand_d0 1\nwiegand_d0 0\n'
		sleep 0.01
	done >"$T/gpio.in"
	wait_for "the burst ended as noise" status_is '.wiegand.noise >= 1'
	f1=$(gate_status | jq .counters.frames)
	u1=$(gate_status | jq .wiegand.frames_undecoded)
	echo "    $((f1 - f0)) frames during the burst, $((u1 - u0)) of them not decoded"
	# The assembler ends a frame at 128 bits' time (2.56 s), and the
	# next one holds the camera for its first second too: about half the
	# frames of a 3.5 s burst are decoded; every one of them without the
	# bound.
	[ $(( (u1 - u0) * 4 )) -lt $(( (f1 - f0) * 3 )) ] ||
		{ echo "    nearly every frame went undecoded during the noise"; return 1; }
	expect_grep "wiegand: noise, not a card: [0-9]* edges (a long burst)" "$T/qrgated.log"
}

# Card and PIN: the card waits for its PIN (# is key 11); the right one
# opens, a wrong one or none in policy.pin_window_s is pin-required; the
# digits are in no log line and no row.
test_wiegand_card_and_pin() {
	wiegand_gate wiegand_card_and_pin
	set_option policy.pin_window_s 2
	echo 4829 | qrgatectl cred add C-3 card h10301:12:3458 --pin - >/dev/null
	start_gate
	wait_for "the gate" status_is '.camera.state == "running"'
	wiegand_card_keys "$(h10301_bits 12 3458)" 4 8 2 9 11
	wait_for "the grant" rows_are "result||':'||reason" "granted:granted"
	wiegand_card_keys "$(h10301_bits 12 3458)" 1 1 1 1 11
	wait_for "the wrong PIN" rows_are "result||':'||reason" "granted:granted denied:pin-required"
	wiegand_send "$(h10301_bits 12 3458)"
	wait_for "no PIN in the window" rows_are "result||':'||reason" "granted:granted denied:pin-required denied:pin-required"
	# A card with no PIN needs none.
	wiegand_send "$(h10301_bits 12 3456)"
	wait_for "the card alone" rows_are "result" "granted denied denied granted"
	# Keys with no card waiting go nowhere.
	wiegand_send "$(key_bits 5)"
	wait_for "the stray key" grep -q "a key with no card waiting for a PIN: ignored" "$T/qrgated.log"
	stop_gate
	expect_eq "PIN in the log" "$(grep -c 4829 "$T/qrgated.log")" "0"
	expect_eq "PIN in the rows" "$(sqlite3 "$T/qrgate.db" 'SELECT * FROM events;' | grep -c 4829)" "0"
	expect_grep "wiegand: card \*\{10\}3458: its PIN within 2 s" "$T/qrgated.log"
	expect_eq "the card's number in the log" "$(grep -c 'h10301:12:3458' "$T/qrgated.log")" "0"
}

# Wiegand out: after a grant the card goes on to a door controller, as
# its own format or re-encoded; a refusal sends nothing; pulses at least
# as wide, and intervals at least as long, as the interface needs (make
# bench measures the timing).
test_wiegand_out_after_grant() {
	wiegand_gate wiegand_out_after_grant
	set_option gpio.wiegand_out_d0 20
	set_option gpio.wiegand_out_d1 21
	set_option wiegand.out grant
	start_gate
	wait_for "the gate" status_is '.camera.state == "running"'
	wiegand_send "$(h10301_bits 12 3456)"
	wait_for "the card sent on" sh -c "[ \$(grep -c '^[0-9]* wiegand_out_d[01] 0' '$T/gpio.log') -ge 28 ]"
	wiegand_send "$(h10301_bits 12 3457)"
	wait_for "the refusal" rows_are "result" "granted denied"
	# Re-encoded for a controller that reads H10304.
	set_option wiegand.out_format h10304
	kill -HUP "$GATE_PID"
	wait_for "the reload" grep -q "reload: new config applied" "$T/qrgated.log"
	# The first grant's way must have locked again, or the card is
	# lane-busy (seen when the reload came within its 300 ms).
	wait_for "the relay to drop" last_value_is entry_relay 0
	wiegand_send "$(h10301_bits 12 3456)"
	wait_for "the second card sent on" sh -c "[ \$(grep -c '^[0-9]* wiegand_out_d[01] 0' '$T/gpio.log') -ge 65 ]"
	wait_for "the count" status_is '.wiegand.sent == 2 and .wiegand.dropped == 0'
	expect_grep "wiegand   out: 2 cards sent, 0 dropped" <(qrgatectl status)
	stop_gate
	expect_eq "sent" "$(wiegand_sent)" "$(h10301_bits 12 3456)$(h10304_bits 12 3456)"
	awk '$1 == "width" && $2 < 80 { print "    a pulse of " $2 " us"; bad = 1 }
	    $1 == "interval" && $2 < 200 { print "    an interval of " $2 " us"; bad = 1 }
	    END { exit bad }' "$T/out.times"
}
