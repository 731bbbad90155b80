# The libcamera phase: vimc (built out of tree) as seen by libcamera's own
# tools, the way the later libcamera backend will see a camera.  qrgated
# has no libcamera backend yet, so this only shows that the guest can
# host one: `cam -l` lists vimc's sensor and `cam` captures from it.

phase_libcamera() {
	local m md="" d
	say "libcamera: vimc"
	if ! modprobe vimc; then
		fact "l.vimc failed"
		return
	fi
	# vivid has a media device too: vimc's is the one whose driver is
	# vimc.
	wait_until 10 sh -c 'ls /dev/media* >/dev/null 2>&1'
	for m in /dev/media*; do
		media-ctl -d "$m" -p 2>/dev/null | grep -q 'driver *vimc' && md=$m
	done
	fact "l.media ${md:-none}"
	[ -n "$md" ] || return
	# The sensor's format must be set before the pipeline can stream.
	media-ctl -d "$md" -V '"Sensor A":0[fmt:SBGGR8_1X8/640x480]' >"$OUT/l-media-ctl.log" 2>&1
	# libcamera 0.0.3 lists only devices that udev marked initialised;
	# there is no udev here, so its database says so by hand.
	mkdir -p /run/udev/data
	for d in /sys/bus/media/devices/* /sys/class/video4linux/*; do
		echo "I:1" >"/run/udev/data/c$(cat "$d/dev")"
	done
	timeout 60 cam -l >"$OUT/l-cam-list.txt" 2>&1
	fact "l.list $?"
	timeout 60 cam -c 1 -C3 >"$OUT/l-cam-capture.txt" 2>&1
	fact "l.capture $?"
}
