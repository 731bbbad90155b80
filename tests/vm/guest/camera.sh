# The camera phase: qrgated's V4L2 backend on vivid.  Frames flow; a QR
# frame written to vivid's video output comes back on its capture (the
# loop_video control) and is granted, with the relay on gpio-sim; the
# device goes away (the driver unbound, as when a USB camera is pulled)
# and comes back (bound again), and the gate follows; and at the full 60
# frames a second, faster than zbar decodes under TCG, the gate must still
# answer its control socket and end a relay pulse on time.

CAP=/dev/video0		# vivid's capture, what qrgated reads
VOUT=/dev/video1	# vivid's output, where the test plays a frame
VIVID=/sys/bus/platform/drivers/vivid

# vivid's HDMI capture runs at the 59.94 Hz of its timings whatever
# VIDIOC_S_PARM asks.  Dropping 90% of the buffers gives about 6 frames a
# second, which qrgated decodes as they come; phase_camera_fast lifts it.
SLOW_DROP=90

# The pixel format of the capture, as the driver reports it (e.g. GREY).
cap_format() {
	v4l2-ctl -d "$CAP" --get-fmt-video 2>/dev/null |
		sed -n "s/.*Pixel Format *: *'\([A-Z0-9]*\)'.*/\1/p"
}

# frames_grow NAME: the frame counter now and two seconds later.
frames_grow() {
	local f1 f2
	f1=$(frames)
	sleep 2
	f2=$(frames)
	fact "$1 ${f1:-none} ${f2:-none}"
}

# play_frame NAME FORMAT: vivid's output plays /vm/frames/NAME.FORMAT (the
# capture's format) until play_stop.  play_badge FORMAT: the badge.
PLAY_PID=""
play_frame() {
	local name=$1 fmt=$2
	[ -f "/vm/frames/$name.$fmt" ] || return 1
	v4l2-ctl -d "$VOUT" \
	    --set-fmt-video-out=width=640,height=480,pixelformat="$fmt" \
	    --stream-out-mmap=3 --stream-from="/vm/frames/$name.$fmt" \
	    --stream-loop >>"$OUT/c-output.log" 2>&1 &
	PLAY_PID=$!
}
play_badge() { play_frame badge-W0001 "$1"; }
play_stop() {
	[ -n "$PLAY_PID" ] || return 0
	kill "$PLAY_PID" 2>/dev/null
	wait "$PLAY_PID" 2>/dev/null
	PLAY_PID=""
}

phase_camera() {
	local fmt
	say "camera: vivid"
	# One instance: a capture node with one HDMI input and an output
	# node with one HDMI output, so the output can loop to the capture.
	if ! modprobe vivid n_devs=1 node_types=0x101 num_inputs=1 \
	    input_types=0x3 num_outputs=1 output_types=0x1 vid_cap_nr=0 \
	    vid_out_nr=1; then
		fact "c.vivid failed"
		return
	fi
	wait_until 10 test -c "$VOUT"
	# The loop copies only between equal sizes, formats and fields:
	# both ends on 640x480p59.94 (the first CTA-861 timing), the capture's
	# on-screen text off so the frame comes back as it was written.
	v4l2-ctl -d "$CAP" --set-dv-bt-timings index=0 >/dev/null &&
		v4l2-ctl -d "$VOUT" --set-dv-bt-timings index=0 >/dev/null &&
		v4l2-ctl -d "$CAP" -c loop_video=1 -c osd_text_mode=2 \
		    -c percentage_of_dropped_buffers=$SLOW_DROP &&
		fact "c.vivid ready"

	gate_new c
	cat >>"$CONF" <<CONF
[camera]
backend = v4l2
source = $CAP
width = 640
height = 480
fps = 15
[lane]
entry = true
exit = true
pulse_ms = 1500
deny_ms = 300
buzzer_ms = 100
CONF
	gpio_conf
	gate_start c || { gate_stop c; return; }
	waited c.running 20 status_has '"state":"running"'
	waited c.frames_flow 20 frames_above 3
	frames_grow c.frames
	snapshot c-running
	fmt=$(cap_format)
	fact "c.format ${fmt:-none}"

	# The badge, played on the output until the gate has granted it.
	if play_badge "$fmt"; then
		waited c.relay_up 30 val_is RELAY_ENTRY 1
		play_stop
		waited c.relay_down 10 val_is RELAY_ENTRY 0
	fi
	snapshot c-granted

	phase_camera_fast
	phase_camera_frozen "$fmt"

	# The camera goes away: qrgated must notice, hold the lanes locked
	# and retry until it is back.
	echo vivid.0 >"$VIVID/unbind"
	waited c.failed 15 status_has '"state":"failed"'
	snapshot c-failed
	fact "c.relay_while_failed $(val RELAY_ENTRY)"
	echo vivid.0 >"$VIVID/bind"
	# A new device, with every control at its default: slow it again
	# before qrgated's retry (every 2 s) starts it.
	wait_until 10 test -c "$CAP"
	v4l2-ctl -d "$CAP" -c percentage_of_dropped_buffers=$SLOW_DROP
	waited c.back 20 status_has '"state":"running"'
	frames_grow c.frames_back
	snapshot c-back
	gate_stop c
}

# Every frame vivid makes, about 60 a second: more than zbar decodes under
# TCG.  The daemon must still serve its control socket and its timers (a
# relay pulse ends on time) while frames wait; frames may be dropped.
phase_camera_fast() {
	v4l2-ctl -d "$CAP" -c percentage_of_dropped_buffers=0
	sleep 1
	waited c.fast_status 10 status_has '"state":"running"'
	snapshot c-fast
	ctl open entry >"$T/open-fast.log" 2>&1
	waited c.fast_open_up 10 val_is RELAY_ENTRY 1
	waited c.fast_open_down 10 val_is RELAY_ENTRY 0
	# Back to a rate qrgated keeps up with, whatever happened above, so
	# that the rest of the phase does not depend on it.
	v4l2-ctl -d "$CAP" -c percentage_of_dropped_buffers=$SLOW_DROP
	wait_until 20 status_has '"state":"running"'
	wait_until 20 status_has '"entry":"locked"'
}

# A camera that freezes without going away.  Without a picture on its
# output, vivid's looped capture shows noise, as a live sensor does; a
# still frame played on the output is the same picture over and over, and
# then every buffer dropped is no frame at all.  Either way qrgated must
# say frozen and keep every way locked, reopen the stalled device, and run
# again as soon as frames differ.
phase_camera_frozen() {
	if play_frame still "$1"; then
		waited c.frozen 30 status_has '"state":"frozen"'
		snapshot c-frozen
		play_stop
		waited c.live_again 20 status_has '"state":"running"'
	fi

	v4l2-ctl -d "$CAP" -c percentage_of_dropped_buffers=100
	waited c.stalled 20 status_has '"state":"frozen"'
	# Long enough for a reopen or two.
	sleep 4
	snapshot c-stalled
	v4l2-ctl -d "$CAP" -c percentage_of_dropped_buffers=$SLOW_DROP
	waited c.unstalled 20 status_has '"state":"running"'
	fact "c.reopened $(grep -c 'no frame for .* reopening' "$T/qrgated.log" 2>/dev/null)"
	fact "c.frozen_logged $(grep -c 'camera: frozen: .* identical frames' "$T/qrgated.log" 2>/dev/null)"
}
