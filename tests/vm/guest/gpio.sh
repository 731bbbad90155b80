# The GPIO phases: the real qrgated with the gpiod backend on a gpio-sim
# chip, the file camera on images/.  Outputs are read from gpio-sim's
# sysfs while qrgated holds them (a released line falls back to its pull),
# and every value the kernel set on a line is also in its GPIO trace,
# which tells what qrgated drove even after it has released the lines.

# gpio_sim_setup: one chip labelled qrgate-sim with the lines of $LINES,
# and the trace of every value set on a GPIO.
gpio_sim_setup() {
	local i=0 n dev
	modprobe configfs
	grep -q ' /sys/kernel/config ' /proc/mounts ||
		mount -t configfs none /sys/kernel/config
	modprobe gpio-sim || return 1
	mkdir "$SIMCFG" "$SIMCFG/bank0" || return 1
	set -- $LINES
	echo $# >"$SIMCFG/bank0/num_lines"
	echo qrgate-sim >"$SIMCFG/bank0/label"
	for n in $LINES; do
		mkdir "$SIMCFG/bank0/line$i"
		echo "$n" >"$SIMCFG/bank0/line$i/name"
		i=$((i + 1))
	done
	echo 1 >"$SIMCFG/live" || return 1
	dev=$(cat "$SIMCFG/dev_name")
	SIMCHIP=$(cat "$SIMCFG/bank0/chip_name")
	SIM=/sys/devices/platform/$dev/$SIMCHIP
	fact "sim.chip $SIMCHIP"
	# The trace names a line by its global number: the chip's base plus
	# the offset.  The legacy sysfs class shows the base by label.
	for i in /sys/class/gpio/gpiochip*; do
		[ "$(cat "$i/label" 2>/dev/null)" = qrgate-sim ] &&
			fact "sim.base $(cat "$i/base")"
	done
	gpio_info "$SIMCHIP" >"$OUT/gpioinfo-idle.txt" 2>&1
	mount -t tracefs nodev "$TRACE" 2>/dev/null
	echo 16384 >"$TRACE/buffer_size_kb"
	# One clock for every CPU: the default, each CPU's own, can set a
	# pulse's end before its start when the two moves were made on
	# different CPUs (a Wiegand pulse traced 80 us narrower than held).
	echo mono >"$TRACE/trace_clock"
	echo 1 >"$TRACE/events/gpio/gpio_value/enable" &&
		echo 1 >"$TRACE/events/gpio/gpio_direction/enable" &&
		fact "sim.trace on"
	return 0
}

# A badge shown to the file camera: the entry relay rises for the pulse,
# then falls by itself (nobody passes).
phase_gpio_grant() {
	local i
	say "gpio: grant on badge-W0001.png"
	gate_new g1
	# Blank frames first, so that the state before any decision can be
	# seen; then the badge, then blank frames again.  One file a line: an
	# indented line continues the value above it.
	{
		echo "[camera]"
		echo "backend = file"
		echo "fps = 4"
		echo "loop = false"
		echo "source = /vm/images/blank.png,"
		for i in $(seq 1 19); do
			echo "	/vm/images/blank.png,"
		done
		echo "	/vm/images/badge-W0001.png,"
		echo "	/vm/images/blank.png,"
		echo "	/vm/images/blank.png"
	} >>"$CONF"
	cat >>"$CONF" <<CONF
[lane]
entry = true
exit = true
pulse_ms = 1500
deny_ms = 300
buzzer_ms = 100
CONF
	gpio_conf
	gate_start g1 || { gate_stop g1; return; }
	fact "g1.start_outputs $(outputs)"
	snapshot g1-start
	gpio_info "$SIMCHIP" >"$OUT/gpioinfo-held.txt" 2>&1
	waited g1.relay_up 20 val_is RELAY_ENTRY 1
	fact "g1.green_during $(val LED_GREEN)"
	waited g1.relay_down 10 val_is RELAY_ENTRY 0
	waited g1.camera_ended 15 status_has '"state":"ended"'
	snapshot g1-end
	gate_stop g1
}

# The lane's inputs, on a gate whose camera sees only blank frames: the
# active-low passage sensor, the fire alarm, a passage during a remote
# release, the exit button, and SIGTERM in the middle of a release.
phase_gpio_inputs() {
	say "gpio: inputs, fire alarm, passage, SIGTERM during a pulse"
	gate_new g2
	cat >>"$CONF" <<CONF
[camera]
backend = file
source = /vm/images/blank.png
fps = 4
loop = true
[lane]
entry = true
exit = true
pulse_ms = 8000
deny_ms = 300
buzzer_ms = 100
CONF
	gpio_conf
	gate_start g2 || { gate_stop g2; return; }

	# PASSAGE is active-low with a pull-up: high at rest, and inactive.
	fact "g2.passage_rest $(val PASSAGE)"
	snapshot g2-rest
	drive PASSAGE down
	waited g2.passage_on 10 status_has '"passage_sensor":true'
	fact "g2.passage_active_level $(val PASSAGE)"
	snapshot g2-passage-active
	drive PASSAGE up
	waited g2.passage_off 10 status_has '"passage_sensor":false'

	# The fire alarm frees every way until it stops.
	drive FIRE up
	waited g2.fire_relays_up 10 relays_are 11
	snapshot g2-fire
	drive FIRE down
	waited g2.fire_relays_down 10 relays_are 00
	waited g2.fire_cleared 10 status_has '"fire_alarm":false'

	# A passage during a release closes the way at once, long before
	# the 8 s pulse would have.
	ctl open entry >"$T/open1.log" 2>&1
	waited g2.open_up 10 val_is RELAY_ENTRY 1
	drive PASSAGE down
	wait_until 5 status_has '"passage_sensor":true'
	drive PASSAGE up
	waited g2.open_down 5 val_is RELAY_ENTRY 0

	# The exit button (active-low, pull-up, debounced in software with
	# libgpiod 1.6, by the kernel with 2) releases the exit way until
	# someone has passed.
	drive EXIT_BTN down
	waited g2.button_up 10 val_is RELAY_EXIT 1
	drive EXIT_BTN up
	drive PASSAGE down
	wait_until 5 status_has '"passage_sensor":true'
	drive PASSAGE up
	waited g2.button_down 5 val_is RELAY_EXIT 0

	# SIGTERM while the relay is energised: qrgated must drive it to 0
	# before it lets go.  The value left in sysfs after the exit is the
	# pull's, so the trace is what tells.
	ctl open entry >"$T/open2.log" 2>&1
	waited g2.term_up 10 val_is RELAY_ENTRY 1
	fact "g2.term_level_before $(val RELAY_ENTRY)"
	gate_stop g2
	# For the record only: released lines show their pulls now.
	fact "g2.after_exit $(outputs)"
}
