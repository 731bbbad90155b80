# The reader phases' figures, from what the guest wrote down: sourced by
# tests/vm/check.sh (which judges order and framing, and prints these as
# figures) and by tests/vm/run.sh under VM_FIGURES=1 (make bench).  Under
# emulation the times are the emulator's, many times a Pi's: figures to
# compare within one run, never limits.

# wiegand_out_read TRACE BASE D0 D1: what a door controller would have read
# on the lines BASE+D0 and BASE+D1, decoded from the kernel's GPIO trace
# (each "gpio_value: N set V" with its timestamp), apart from qrgated's
# codec.  The wires rest high (raw 1) and a bit is a pulse low, on D0 for
# a 0 and on D1 for a 1.  Prints "bits B" (every frame's bits in order,
# frames separated by a space where the lines rested 50 ms or more),
# then a "width US" line for each pulse and, within a frame, a "gap US"
# (from a pulse's end to the next one's start) and an "interval US" line
# (start to start).
wiegand_out_read() {
	awk -v d0=$(( $2 + $3 )) -v d1=$(( $2 + $4 )) '
	$0 ~ /gpio_value:/ && $(NF-1) == "set" && ($(NF-2) == d0 || $(NF-2) == d1) {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) t = substr($i, 1, length($i) - 1) * 1000000
		line = $(NF-2) == d1
		if ($NF == 0 && !low[line]) {
			low[line] = 1
			if (started && t - last_end >= 50000)
				bits = bits " "
			else if (started)
				printf "gap %d\ninterval %d\n", t - last_end, t - last_start
			bits = bits line; start[line] = t; last_start = t; started = 1
		} else if ($NF == 1 && low[line]) {
			low[line] = 0; last_end = t
			printf "width %d\n", t - start[line]
		}
	}
	END { printf "bits %s\n", bits }' "$1"
}

# stat_of FILE WORD: "p50 X, max Y" of the values on FILE's WORD lines.
stat_of() {
	awk -v w="$2" '$1 == w { print $2 }' "$1" | sort -n >"$1.$2"
	printf 'p50 %s, max %s' "$(pct "$1.$2" 50)" "$(pct "$1.$2" 100)"
}

# reader_figures OUT BASE: one line for each figure.
reader_figures() {
	local out=$1 n
	n=$(relay_times "$out/e.qrgated.log" "$out/e.relay")
	if [ "$n" -gt 0 ]; then
		printf 'USB scanner (uinput, evdev reader, in the guest): %d grants: Enter key to relay p50 %s ms, p99 %s ms, max %s ms\n' \
		    "$n" "$(pct "$out/e.relay" 50)" "$(pct "$out/e.relay" 99)" "$(pct "$out/e.relay" 100)"
	fi
	n=$(relay_times "$out/w.qrgated.log" "$out/w.relay")
	if [ "$n" -gt 0 ]; then
		printf 'Wiegand card (gpio-sim, in the guest): %d grants: last pulse to relay p50 %s ms, max %s ms (the frame gap, 250 ms here, is in it)\n' \
		    "$n" "$(pct "$out/w.relay" 50)" "$(pct "$out/w.relay" 100)"
	fi
	screen_shown "$out/s.qrgated.log" 2>/dev/null >"$out/s.shown"
	n=$(wc -l <"$out/s.shown")
	if [ "$n" -gt 0 ]; then
		printf 'Screen on KMS (bochs-display, in the guest): %d decisions: request (after the relay) to the display p50 %s ms, max %s ms\n' \
		    "$n" "$(pct "$out/s.shown" 50)" "$(pct "$out/s.shown" 100)"
	fi
	if [ -n "$2" ] && [ -f "$out/gpio-trace-w.txt" ]; then
		wiegand_out_read "$out/gpio-trace-w.txt" "$2" 10 11 >"$out/w-out.txt"
		printf 'Wiegand out (in the guest, from the GPIO trace): widths %s us; gaps %s us; intervals %s us\n' \
		    "$(stat_of "$out/w-out.txt" width)" "$(stat_of "$out/w-out.txt" gap)" \
		    "$(stat_of "$out/w-out.txt" interval)"
	fi
}
