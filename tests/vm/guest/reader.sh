# The reader phases: a Wiegand card reader on two gpio-sim input lines,
# driven by build/wiegand_pulses as a reader's wires would be, with the
# grant sent on to a door controller on two gpio-sim output lines (read
# back from the kernel's GPIO trace on the host); and a USB keyboard-wedge
# scanner, a uinput keyboard made by build/uinput_keys, typing a CCCD's
# code and a signed token to qrgated's evdev reader.  Frames and codes
# come from the host (params): WG_GRANT, WG_REVOKED, CCCD_ASCII.

# wiegand_send BITS NAME: the frame on WG_D0/WG_D1, 100 us pulses 2 ms
# apart, each held until the kernel counted its interrupt; what the
# sender saw (its bits, pulses started late, the latest start in us,
# pulses never counted) goes to $OUT/NAME.txt.
wiegand_send() {
	wiegand_pulses "$SIM/sim_gpio$(line_offset WG_D0)/pull" \
	    "$SIM/sim_gpio$(line_offset WG_D1)/pull" "$1" 100 2000 \
	    "$(line_offset WG_D0)" "$(line_offset WG_D1)" >"$OUT/$2.txt" 2>&1
}

# reader_lane_conf PULSE_MS [IMAGE FPS]: a camera that only has to run
# (small-blank.png at 2 fps), and the entry way.
reader_lane_conf() {
	cat >>"$CONF" <<CONF
[camera]
backend = file
source = /vm/images/${2:-small-blank.png}
fps = ${3:-2}
loop = true
[lane]
entry = true
pulse_ms = $1
deny_ms = 300
CONF
}

# wiegand_gate_start NAME: qrgated on CPU 0 too, with the reader and the
# interrupts.  An emulated CPU on a loaded host stalls for tens of ms:
# with qrgated on the other one, the reader went on sending while the
# backend's edge reader stood still, and the kernel's 16 edges a wire
# overflowed (cards read as 24 and 25 bits in CI).  On one CPU they
# stall together.  A Pi's CPUs do not stall; this is the guest's.
wiegand_gate_start() {
	echo 1 >/proc/irq/default_smp_affinity
	GATE_CPUS=0
	gate_start "$1"
	local rc=$?
	GATE_CPUS=""
	return $rc
}

phase_wiegand() {
	local i
	say "reader: a Wiegand card in, the grant out to a controller"
	gate_new w
	reader_lane_conf 1000
	cat >>"$CONF" <<CONF
[wiegand]
gap_ms = 250
out = grant
CONF
	gpio_conf
	# A reader's wires rest high and pulse low; so does the
	# controller's side, which the gate drives.
	cat >>"$CONF" <<CONF
wiegand_d0 = WG_D0 active-low pull-up
wiegand_d1 = WG_D1 active-low pull-up
wiegand_out_d0 = WG_OUT_D0 active-low
wiegand_out_d1 = WG_OUT_D1 active-low
CONF
	drive WG_D0 up
	drive WG_D1 up
	# The interrupts of the lines qrgated asks for from now on, and
	# their threads, on CPU 0, where wiegand_pulses runs (it says why).
	echo 1 >/proc/irq/default_smp_affinity
	ctl cred add C-1 card h10301:12:3456 --name "The Mot" >"$T/cred.log" 2>&1
	ctl cred add C-2 card h10301:12:3457 --name "The Hai" --status revoked \
	    >>"$T/cred.log" 2>&1
	wiegand_gate_start w || { gate_stop w; return; }
	waited w.running 20 status_has '"state":"running"'
	gpio_info "$SIMCHIP" >"$OUT/gpioinfo-w.txt" 2>&1
	snapshot w-start
	wiegand_send "$WG_GRANT" w-grant
	waited w.relay_up 20 val_is RELAY_ENTRY 1
	waited w.sent 20 status_has '"out":true,"sent":1,'
	waited w.relay_down 20 val_is RELAY_ENTRY 0
	wiegand_send "$WG_REVOKED" w-revoked
	waited w.denied 20 status_has '"denials":1,'
	# Three bits: noise, never a row.
	wiegand_send 101 w-noise
	waited w.noise 20 status_has '"noise":1,'
	# SCANS more grants, for the figures, each once the way has locked
	# and the hold-off (1 s) has passed.
	for i in $(seq 1 "${SCANS:-3}"); do
		wait_until 10 val_is RELAY_ENTRY 0
		sleep 1.1
		wiegand_send "$WG_GRANT" w-grant-$i
		wait_until 20 status_has "\"grants\":$((i + 1)),"
	done
	waited w.cards 20 status_has "\"out\":true,\"sent\":$((${SCANS:-3} + 1)),"
	snapshot w-end
	gate_stop w
}

# A card while the loop is busy: a large frame takes the loop much
# longer to decode (last_decode_us says how long) than a card takes to
# come in, so cards arrive while qrgated is in a decode.  Under libgpiod
# 1.6 the kernel keeps 16 edges a wire for the loop, fewer than an H10301
# card of C-1 puts on D0: the backend's edge reader must take them as
# they come (hal/gpio_gpiod_pump.c).  The longest gap the gate allows
# (1 s): an emulated guest on a loaded host can stall a card's sender
# for a quarter of a second, which is not what this phase is about.
phase_wiegand_busy() {
	local i
	say "reader: Wiegand cards while the loop decodes a large frame"
	gate_new wb
	reader_lane_conf 300 large-blank.png 10
	cat >>"$CONF" <<CONF
[wiegand]
gap_ms = 1000
CONF
	gpio_conf
	cat >>"$CONF" <<CONF
wiegand_d0 = WG_D0 active-low pull-up
wiegand_d1 = WG_D1 active-low pull-up
CONF
	drive WG_D0 up
	drive WG_D1 up
	ctl cred add C-1 card h10301:12:3456 --name "The Mot" >"$T/cred.log" 2>&1
	wiegand_gate_start wb || { gate_stop wb; return; }
	waited wb.decoding 30 frames_above 1
	for i in 1 2 3; do
		wait_until 10 val_is RELAY_ENTRY 0
		sleep 1.1
		wiegand_send "$WG_GRANT" wb-grant-$i
		wait_until 20 status_has "\"grants\":$i,"
	done
	waited wb.cards 10 status_has '"grants":3,'
	snapshot wb-end
	gate_stop wb
}

# The scanner phase.  SCANS (from the host; 3 here, more for make bench)
# badges after the CCCD and the token, each once the way has locked
# again and the hold-off has passed.
# scanner_start NAME: a uinput keyboard typing what is written to fd 4,
# its device node in the fact NAME.device and the reader config for it
# appended to $CONF.
scanner_start() {
	local dev
	modprobe evdev
	modprobe uinput
	mkfifo "$T/keys.in"
	uinput_keys "qrgate-vm scanner" 1000 <"$T/keys.in" >"$T/keys.dev" \
	    2>"$T/keys.err" &
	KEYS_PID=$!
	exec 4>"$T/keys.in"
	waited "$1.uinput" 10 test -s "$T/keys.dev"
	cp "$T/keys.err" "$OUT/$1-keys.err"
	dev=$(cat "$T/keys.dev")
	fact "$1.device ${dev:-none}"
	# A code ends with its Enter; the silence that ends one without
	# is a second here: an emulated guest on a loaded host stalls the
	# typing past the 100 ms default (a token read as two codes).
	cat >>"$CONF" <<CONF
[reader]
backend = evdev
device = $dev
timeout_ms = 1000
CONF
}

# scanner_stop NAME: the end of its input ends the scanner, which removes
# its device; its exit status is the fact NAME.uinput_exit.  Call it once
# qrgated has stopped: started after the FIFO was opened, it held it too.
scanner_stop() {
	exec 4>&-
	wait_until 10 sh -c "! kill -0 $KEYS_PID" || kill "$KEYS_PID"
	wait "$KEYS_PID"
	fact "$1.uinput_exit $?"
}

phase_scanner() {
	local i tok
	say "reader: a USB scanner (uinput) types a CCCD's code and a token"
	gate_new e
	scanner_start e
	reader_lane_conf 400
	gpio_conf
	# The guest has no NTP: the token's time is trusted as the host
	# gave it to the guest's clock.
	sed -i 's/^\[policy\]$/[policy]\nclock = synced/' "$CONF"
	ctl keygen "$T/w.key" >"$T/keygen.log" 2>&1
	ctl cred add D-0101 dynamic W-0101 --name "Nguyen Van An" \
	    --pubkey "$(cat "$T/w.key.pub")" >"$T/cred.log" 2>&1
	gate_start e || { gate_stop e; scanner_stop e; return; }
	waited e.reader 20 status_has '"backend":"evdev"'
	snapshot e-start
	echo "$CCCD_ASCII" >&4
	waited e.cccd 20 status_has '"grants":1,'
	tok=$(ctl token W-0101 --key "$T/w.key" 2>"$T/token.log")
	fact "e.token_chars ${#tok}"
	wait_until 10 val_is RELAY_ENTRY 0
	echo "$tok" >&4
	waited e.token 20 status_has '"grants":2,'
	for i in $(seq 1 "${SCANS:-3}"); do
		wait_until 10 val_is RELAY_ENTRY 0
		# The hold-off (1 s) would take a badge shown again as the
		# same showing.
		sleep 1.1
		echo W-0001 >&4
		wait_until 20 status_has "\"grants\":$((i + 2)),"
	done
	waited e.badges 10 status_has "\"grants\":$((${SCANS:-3} + 2)),"
	snapshot e-end
	gate_stop e
	scanner_stop e
}
