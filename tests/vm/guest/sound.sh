# The sound phase: qrgated's ALSA backend playing its prompts to the
# kernel's loopback card (snd-aloop), whose capture side arecord records
# in the guest; the host measures the recordings (build/vm/wavstat).  A
# grant's prompt must arrive; during quiet hours nothing may.

# record NAME SECONDS: the loopback's capture side into $OUT/NAME.wav, in
# the background (RECORD_PID).  plughw on both sides: whichever opens the
# loopback first sets its format, and the other side converts.
record() {
	arecord -q -D plughw:Loopback,1,0 -f S16_LE -r 22050 -c 1 -d "$2" \
	    "$OUT/$1.wav" 2>"$OUT/$1.arecord.log" &
	RECORD_PID=$!
}

phase_sound() {
	local from to
	say "sound: a prompt through ALSA to snd-aloop, recorded in the guest"
	modprobe snd-aloop
	waited a.card 10 test -e /proc/asound/Loopback
	gate_new a
	scanner_start a
	reader_lane_conf 400
	cat >>"$CONF" <<CONF
[sound]
backend = alsa
device = plughw:Loopback,0,0
volume = 100
CONF
	gpio_conf
	gate_start a || { gate_stop a; scanner_stop a; return; }
	waited a.ready 120 status_has '"ready":true'
	record a-grant 6
	sleep 0.5
	echo W-0001 >&4
	waited a.granted 20 status_has '"grants":1,'
	waited a.played 20 status_has '"played":1,'
	wait "$RECORD_PID"
	fact "a.grant_recorded $?"
	# A suspended badge: the denial's prompt.
	wait_until 10 val_is RELAY_ENTRY 0
	record a-deny 6
	sleep 0.5
	echo W-0002 >&4
	waited a.denied 20 status_has '"denials":1,'
	waited a.played_deny 20 status_has '"played":2,'
	wait "$RECORD_PID"
	fact "a.deny_recorded $?"
	# Quiet hours from a minute ago to half an hour from now, in the
	# site's time (site.timezone's default zone, which the guest has).
	from=$(TZ=:Asia/Ho_Chi_Minh date -d "@$(( $(date +%s) - 60 ))" +%H:%M)
	to=$(TZ=:Asia/Ho_Chi_Minh date -d "@$(( $(date +%s) + 1800 ))" +%H:%M)
	fact "a.quiet_hours $from-$to"
	sed -i "s/^volume = 100$/volume = 100\nquiet_hours = $from-$to/" "$CONF"
	kill -HUP "$GATE_PID"
	waited a.reloaded 20 grep -q "reload: new config applied" "$T/qrgated.log"
	wait_until 10 val_is RELAY_ENTRY 0
	sleep 1.1
	record a-quiet 4
	sleep 0.5
	echo W-0001 >&4
	waited a.granted_quiet 20 status_has '"grants":2,'
	waited a.skipped 20 status_has '"quiet":1}'
	wait "$RECORD_PID"
	fact "a.quiet_recorded $?"
	snapshot a-end
	gate_stop a
	scanner_stop a
}
