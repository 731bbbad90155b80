# The libcamera phase: vimc (built out of tree) seen through libcamera,
# first by libcamera's own tools (`cam -l` lists vimc's sensor, `cam`
# captures from it), then by qrgated's libcamera backend: frames flow, the
# camera goes away (the vimc driver unbound) and the gate says so and
# locks, and it comes back (bound again) and the gate follows.
#
# libcamera hears of a camera that goes away only for USB cameras; for
# vimc, as for the Pi's cameras, the backend's own watchdog must see that
# its device nodes have gone.

VIMC=/sys/bus/platform/drivers/vimc

# vimc_media: vimc's media device (vivid has one too), or nothing.
vimc_media() {
	local m
	for m in /dev/media*; do
		[ -c "$m" ] || continue
		media-ctl -d "$m" -p 2>/dev/null | grep -q 'driver *vimc' && { echo "$m"; return 0; }
	done
	return 1
}

# vimc_sensor_format MEDIA: the sensor's format, which the pipeline needs
# before it can stream.
vimc_sensor_format() {
	media-ctl -d "$1" -V '"Sensor A":0[fmt:SBGGR8_1X8/640x480]' >>"$OUT/l-media-ctl.log" 2>&1
}

# udev_mark_all: libcamera 0.0.3 lists only the devices that udev has
# marked initialised; there is no udev here, so its database says so by
# hand.
udev_mark_all() {
	local d
	mkdir -p /run/udev/data
	for d in /sys/bus/media/devices/* /sys/class/video4linux/*; do
		echo "I:1" >"/run/udev/data/c$(cat "$d/dev")"
	done
}

phase_libcamera() {
	local md
	say "libcamera: vimc"
	if ! modprobe vimc; then
		fact "l.vimc failed"
		return
	fi
	wait_until 10 vimc_media
	md=$(vimc_media)
	fact "l.media ${md:-none}"
	[ -n "$md" ] || return
	vimc_sensor_format "$md"
	udev_mark_all
	timeout 60 cam -l >"$OUT/l-cam-list.txt" 2>&1
	fact "l.list $?"
	timeout 60 cam -c 1 -C3 >"$OUT/l-cam-capture.txt" 2>&1
	fact "l.capture $?"
	phase_libcamera_gate
}

# libcamera_gate NAME ID: a new gate on the camera ID, started.
libcamera_gate() {
	gate_new "$1"
	cat >>"$CONF" <<CONF
[camera]
backend = libcamera
source = $2
width = 640
height = 480
fps = 15
[gpio]
backend = sim
sim_log = $T/gpio.log
CONF
	gate_start "$1"
}

# qrgated on vimc through libcamera, the camera chosen by its id.
phase_libcamera_gate() {
	local id md
	id=$(sed -n "s/^1: .*(\(.*\))$/\1/p" "$OUT/l-cam-list.txt" | head -1)
	fact "l.id ${id:-none}"
	[ -n "$id" ] || return

	libcamera_gate l "$id" || { gate_stop l; return; }
	waited l.running 30 status_has '"state":"running"'
	waited l.frames_flow 30 frames_above 3
	frames_grow l.frames
	snapshot l-running

	# The camera goes away: the gate says so, locks, and keeps answering.
	echo vimc.0 >"$VIMC/unbind"
	waited l.failed 20 status_has '"state":"failed"'
	snapshot l-failed
	# How the backend noticed: its device nodes gone, libcamera's
	# disconnected signal, or no frame for too long.
	fact "l.lost_by $(grep -oE 'camera libcamera: .*: (its device is gone|disconnected|no frame for [0-9]+ ms|request cancelled)$' "$T/qrgated.log" | head -1 | sed 's/.*: //')"
	# Two retries later it still answers, still failed.
	sleep 4
	snapshot l-failed-later

	# It comes back.  libcamera cannot open again, in the same process,
	# a platform camera that went away while it streamed (the backend
	# explains why); under systemd the watchdog, not fed while the camera
	# is lost, restarts qrgated.  Here the test does what systemd would.
	echo vimc.0 >"$VIMC/bind"
	wait_until 10 vimc_media
	md=$(vimc_media)
	[ -n "$md" ] && vimc_sensor_format "$md"
	udev_mark_all
	gate_stop l
	libcamera_gate l2 "$id" || { gate_stop l2; return; }
	waited l2.running 30 status_has '"state":"running"'
	frames_grow l2.frames
	snapshot l2-running
	gate_stop l2
}
