# The screen phase: qrgated's KMS backend on qemu's bochs-display (the
# kernel's bochs driver), a USB scanner (uinput) giving it a grant and a
# denial.  The host dumps the display through QMP when asked (a file
# NAME.dump-req in $OUT; it answers NAME.dump-done, the display in
# NAME.ppm), and compares each dump with a PNG of the same screen drawn
# by `qrgatectl screen` in the guest, with the same fonts and settings.
# The screens show the minute, so the PNG is drawn just before and just
# after each dump: the display must equal one of the two.

# screen_dump NAME STATE [ARG...]: the display as NAME.ppm, between two
# PNGs of STATE (qrgatectl screen STATE ARG...) as NAME-ref1.png and
# NAME-ref2.png.
screen_dump() {
	local name=$1
	shift
	ctl screen "$@" --png "$OUT/$name-ref1.png" >>"$T/refs.log" 2>&1
	: >"$OUT/$name.dump-req"
	waited "$name.dumped" 20 test -e "$OUT/$name.dump-done"
	ctl screen "$@" --png "$OUT/$name-ref2.png" >>"$T/refs.log" 2>&1
}

# shown: how many screens the gate has drawn (the clock's minute redraws
# the screen too); showing STATE AFTER: STATE is on the screen, drawn
# after the AFTER-th.
shown() { status | sed -n 's/.*"shown":\([0-9]*\).*/\1/p'; }
showing() {
	local n
	n=$(shown)
	status_has "\"showing\":\"$1\"" && [ -n "$n" ] && [ "$n" -gt "$2" ]
}

phase_screen() {
	local i n
	say "screen: the lane's screen on a KMS device (bochs-display)"
	modprobe bochs
	waited s.card 20 test -c /dev/dri/card0
	gate_new s
	scanner_start s
	reader_lane_conf 400
	cat >>"$CONF" <<CONF
[screen]
backend = drm
device = /dev/dri/card0
width = 800
height = 480
language = vi
hold_ms = 60000
CONF
	gpio_conf
	gate_start s || { gate_stop s; scanner_stop s; return; }
	waited s.idle 60 showing idle 0
	screen_dump s-idle idle
	n=$(shown)
	echo W-0001 >&4
	waited s.granted 30 showing granted "$n"
	screen_dump s-granted granted --way entry --name "Nguyễn Văn An"
	# Suspended: a denial, in the denied screen's words.
	n=$(shown)
	echo W-0002 >&4
	waited s.denied 30 showing denied "$n"
	screen_dump s-denied denied --reason suspended
	# SCANS more grants, for the figures (make bench).
	for i in $(seq 1 "${SCANS:-3}"); do
		wait_until 10 val_is RELAY_ENTRY 0
		sleep 1.1
		n=$(shown)
		echo W-0001 >&4
		wait_until 20 showing granted "$n"
	done
	snapshot s-end
	gate_stop s
	scanner_stop s
	cp "$T/refs.log" "$OUT/s-refs.log"
}
