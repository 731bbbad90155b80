# The guest's test run, started by /init with its output in
# /host/out/guest.log.  Each phase writes facts; the host judges them.
export PATH=/usr/bin:/usr/sbin
. /vm/guest/lib.sh
. /vm/guest/gpio.sh
. /vm/guest/camera.sh
. /vm/guest/mqtt.sh
. /vm/guest/libcamera.sh
. /vm/guest/reader.sh
. /vm/guest/screen.sh
. /vm/guest/sound.sh
. /host/in/params

: >"$OUT/facts"
fact "guest.kernel $(uname -r)"
fact "guest.gpioinfo $(gpioinfo --version 2>/dev/null | head -1)"
# PHASES (from the host, for debugging) may name a subset.
PHASES=${PHASES:-gpio camera reader screen sound mqtt libcamera}
has_phase() { case " $PHASES " in *" $1 "*) return 0;; esac; return 1; }
if gpio_sim_setup; then
	has_phase gpio && { phase_gpio_grant; phase_gpio_inputs; }
	has_phase camera && phase_camera
	has_phase reader && { phase_wiegand; phase_wiegand_busy; phase_scanner; }
	has_phase screen && phase_screen
	has_phase sound && phase_sound
else
	say "gpio-sim could not be set up"
fi
has_phase mqtt && phase_mqtt
has_phase libcamera && phase_libcamera
fact "guest.done $(now_cs)"
say "done"
