# Papercuts an admin met setting up a site (issue 16): help, a missing
# config file, qrgated -n, badge times, long config lines, the README's
# synopsis, the demo's last words, a credential added while its code is
# held in view.

# --help and -h: the usage on stdout, nothing on stderr, exit 0.
test_papercuts_help_on_every_program() {
	T="$WORK/papercuts_help"
	mkdir -p "$T"
	local p o
	for p in qrgated qrgatectl qrgate-aggregator; do
		for o in --help -h; do
			"$BUILD/$p" $o >"$T/out" 2>"$T/err" || { echo "    $p $o: exit $?"; return 1; }
			expect_eq "$p $o: first line" "$(head -1 "$T/out" | cut -d' ' -f1-2)" "usage: $p"
			expect_eq "$p $o: stderr" "$(cat "$T/err")" ""
		done
	done
	# A mistake still gets the usage on stderr and exit 2.
	if "$BUILD/qrgated" --nonsense >/dev/null 2>"$T/err"; then echo "    --nonsense accepted"; return 1; fi
	expect_grep "^usage: qrgated" "$T/err"
	# qrgatectl help, help COMMAND and COMMAND --help need no config.
	"$BUILD/qrgatectl" -c "$T/none.conf" help >"$T/out"
	expect_grep "^  push config|site-config" "$T/out"
	"$BUILD/qrgatectl" -c "$T/none.conf" help badge >"$T/out"
	expect_grep "badge ID --key F" "$T/out"
	"$BUILD/qrgatectl" -c "$T/none.conf" events --help >"$T/out"
	expect_grep "events \[--since T\]" "$T/out"
	# A subcommand's --help: every form of its command, with options.
	"$BUILD/qrgatectl" -c "$T/none.conf" cred add --help >"$T/out" 2>"$T/err"
	expect_grep "^usage: qrgatectl cred add ID KIND SUBJECT \[--name N\]" "$T/out"
	expect_grep "^       qrgatectl cred enroll-cccd ID --scan IMAGE" "$T/out"
	[ ! -s "$T/err" ] || { echo "    cred add --help wrote to stderr: $(head -1 "$T/err")"; return 1; }
	"$BUILD/qrgatectl" -c "$T/none.conf" site add-gate -h >"$T/out"
	expect_grep "^       qrgatectl site add-gate DIR NAME \[--days N\]" "$T/out"
	"$BUILD/qrgatectl" -c "$T/none.conf" help cred >"$T/out"
	expect_grep "^       qrgatectl cred import FILE.csv" "$T/out"
}

# Without a config file: scan runs on the defaults and -o; the commands
# that need the gate's store say which file is missing and how to name
# another.
test_papercuts_ctl_without_config() {
	T="$WORK/papercuts_ctl_without_config"
	mkdir -p "$T"
	"$BUILD/qrgatectl" -c "$T/none.conf" -o decoder.max_payload=64 \
		scan "$SRCDIR/images/badge-W0001.png" >"$T/out"
	expect_grep "W-0001" "$T/out"
	# The option was applied, not ignored: a too-low value is refused.
	if "$BUILD/qrgatectl" -c "$T/none.conf" -o decoder.max_payload=1 \
		scan "$SRCDIR/images/badge-W0001.png" >/dev/null 2>"$T/err"; then
		echo "    -o ignored without a config file"; return 1
	fi
	if "$BUILD/qrgatectl" -c "$T/none.conf" events >/dev/null 2>"$T/err"; then
		echo "    events ran without a config"; return 1
	fi
	expect_grep "$T/none.conf: No such file or directory; events reads the gate's store" "$T/err"
	expect_grep "check the path given to -c" "$T/err"
	# The default file: only where this machine has none.
	if [ ! -e /etc/qrgate/qrgate.conf ]; then
		if "$BUILD/qrgatectl" cred list >/dev/null 2>"$T/err"; then
			echo "    cred list ran without a config"; return 1
		fi
		expect_grep "/etc/qrgate/qrgate.conf: No such file or directory; cred reads" "$T/err"
		expect_grep "name another with -c FILE" "$T/err"
		if grep -q "cannot open" "$T/err"; then echo "    still 'cannot open'"; return 1; fi
	fi
}

# qrgated -n: what the config names must be there; what it cannot check
# is said.
test_papercuts_check_names_what_is_missing() {
	gate_config papercuts_check_names_what_is_missing blank.png
	qrgated -n -c "$CONF" >"$T/out"
	expect_eq "OK" "$(head -1 "$T/out")" "configuration OK"
	expect_grep "^not checked: the broker is reachable" "$T/out"
	# A list ending in a comma, with its line.
	printf '[camera]\nsource = %s,\n' "$SRCDIR/images/blank.png" >>"$CONF"
	local line
	line=$(grep -c '' "$CONF")
	if qrgated -n -c "$CONF" >/dev/null 2>"$T/err"; then echo "    trailing comma accepted"; return 1; fi
	expect_grep "^$CONF:$line: camera.source: an empty name in the list" "$T/err"
	sed -i '$d' "$CONF"; sed -i '$d' "$CONF"
	# A missing image, a missing store directory, a missing key file.
	if qrgated -n -c "$CONF" -o "camera.source=$SRCDIR/images/blank.png,$T/gone.png" \
		-o "store.path=$T/nodir/qrgate.db" -o "security.cccd_key_file=$T/cccd.key" \
		>/dev/null 2>"$T/err"; then
		echo "    missing files accepted"; return 1
	fi
	expect_grep "^camera.source: $T/gone.png: No such file or directory" "$T/err"
	expect_grep "^store.path: its directory: $T/nodir: No such file or directory" "$T/err"
	expect_grep "^security.cccd_key_file: $T/cccd.key: No such file or directory" "$T/err"
	# A directory of images for the file camera is fine; one missing is not.
	qrgated -n -c "$CONF" -o "camera.source=$SRCDIR/images" >/dev/null
	if qrgated -n -c "$CONF" -o "camera.source=$T/nodir" >/dev/null 2>"$T/err"; then
		echo "    missing directory accepted"; return 1
	fi
	# At start, the lock says the directory is missing.
	if "$BUILD/qrgated" -c "$CONF" -o "store.path=$T/nodir/qrgate.db" 2>"$T/err"; then
		echo "    started without a store directory"; return 1
	fi
	expect_grep "lock $T/nodir/qrgate.db.lock: No such file or directory: the directory of store.path is missing" "$T/err"
}

# badge --expires: seconds within 32 bits or a date; milliseconds and a
# time already past are refused.
test_papercuts_badge_expires() {
	T="$WORK/papercuts_badge_expires"
	mkdir -p "$T"
	local b=("$BUILD/qrgatectl" -c "$T/none.conf" badge W-0001 --key "$T/issuer.key" --serial 1)
	"$BUILD/qrgatectl" -c "$T/none.conf" keygen "$T/issuer.key" >/dev/null
	local t rc
	for t in 4294967296 1790000000000 2020-13-01 -5; do
		rc=0; "${b[@]}" --expires "$t" >"$T/out" 2>"$T/err" || rc=$?
		expect_eq "--expires $t: exit" "$rc" "2"
		expect_eq "--expires $t: no badge" "$(cat "$T/out")" ""
		expect_grep "bad time '$t': expected seconds since 1970 (0..4294967295, not milliseconds)" "$T/err"
	done
	rc=0; "${b[@]}" --expires 2020-01-01 >"$T/out" 2>"$T/err" || rc=$?
	expect_eq "past: exit" "$rc" "2"
	expect_eq "past: no badge" "$(cat "$T/out")" ""
	expect_grep "expires 2020-01-01 is in the past: every gate would deny this badge" "$T/err"
	"${b[@]}" --expires 2020-01-01 --allow-expired >"$T/out"
	expect_grep "^QG1:" "$T/out"
	"${b[@]}" --expires $(( $(date +%s) + 86400 )) >"$T/out"
	expect_grep "^QG1:" "$T/out"
	"${b[@]}" --expires 2100-01-01T00:00:00Z >"$T/out"
	expect_grep "^QG1:" "$T/out"
}

# A line as long as camera.source may be (1023): a 1000-character path to
# a real image, read whole, and the gate grants its badge.
test_papercuts_long_config_line() {
	gate_config papercuts_long_config_line blank.png
	local dir="$T" src
	while [ ${#dir} -lt 960 ]; do
		dir="$dir/$(printf 'd%.0s' $(seq 1 $(( 960 - ${#dir} > 200 ? 200 : 960 - ${#dir} ))))"
	done
	mkdir -p "$dir"
	src="$dir/$(printf 'f%.0s' $(seq 1 $(( 1000 - ${#dir} - 5 )))).png"
	cp "$SRCDIR/images/badge-W0001.png" "$src"
	expect_eq "length" "${#src}" "1000"
	printf '[camera]\nsource = %s\n' "$src" >>"$CONF"
	qrgated -n -c "$CONF" >"$T/out"
	start_gate
	wait_idle
	stop_gate
	expect_eq "decision" "$(rows credential_id,result)" "W-0001|granted"
}

# Every qrgatectl command is in the README's synopsis.
test_papercuts_readme_synopsis_every_command() {
	T="$WORK/papercuts_readme_synopsis"
	mkdir -p "$T"
	"$BUILD/qrgatectl" help >"$T/help"
	local cmd n=0
	for cmd in $(awk 'NR > 1 { print $1 }' "$T/help"); do
		n=$((n + 1))
		grep -Eq "^    qrgatectl ([a-z-]+\|)*$cmd([| ]|$)" "$SRCDIR/README.md" ||
			{ echo "    $cmd missing from the README's synopsis"; return 1; }
	done
	[ "$n" -ge 13 ] || { echo "    only $n commands in qrgatectl help"; return 1; }
}

# make demo: the whole site on loopback, in a copy of what it reads, since
# config/demo.conf names build/demo.  Two gates publish through the demo's
# broker, the aggregator holds every event, answers inside and trace, its
# page is shot; nothing is left running; the demo ends by saying how to go
# on, and what it says works.
test_papercuts_demo_whole_site() {
	T="$WORK/papercuts_demo"
	mkdir -p "$T/tree/build" "$T/tree/tests" "$T/tree/config"
	cp "$SRCDIR/tests/demo.sh" "$T/tree/tests/"
	cp "$SRCDIR/config/demo.conf" "$SRCDIR/config/demo-aggregator.conf" \
		"$SRCDIR/config/demo-credentials.csv" "$T/tree/config/"
	ln -s "$SRCDIR/images" "$SRCDIR/src" "$T/tree/"
	ln -s "$BUILD/qrgated" "$BUILD/qrgatectl" "$BUILD/qrgate-aggregator" "$T/tree/build/"
	(cd "$T/tree" && tests/demo.sh build) >"$T/demo.out" 2>&1 ||
		{ tail -5 "$T/demo.out"; return 1; }
	if pgrep -f -- "$T/tree|-c config/demo" >/dev/null; then
		echo "    the demo left running: $(pgrep -af -- "$T/tree|-c config/demo")"; return 1
	fi
	# Both gates' events at the aggregator, the exit's passage seen.
	expect_grep "^== at the aggregator: all 10 events of both gates" "$T/demo.out"
	expect_grep "demo-gate-2  2  .* exit .* W-0001 .* granted  granted  passed" "$T/demo.out"
	# Inside: the visitor, whose entry passed; not W-0001, who left.
	sed -n '/^== qrgate-aggregator inside/,/^$/p' "$T/demo.out" >"$T/inside"
	expect_grep "demo-gate  1  .*V-0001" "$T/inside"
	if grep -q "W-0001" "$T/inside"; then echo "    W-0001 left but is inside"; return 1; fi
	# Trace: W-0001 met the visitor at the entry.
	sed -n '/^== qrgate-aggregator trace W-0001/,/^$/p' "$T/demo.out" >"$T/trace"
	expect_grep " entry .*W-0001 .*V-0001 .* entry " "$T/trace"
	expect_grep "^== the live page: http://127.0.0.1:[0-9]*/ (sign in as demo, password demo)$" "$T/demo.out"
	# The entry gate's screens, where the build draws them.
	if "$BUILD/qrgatectl" screen idle --png /dev/null 2>/dev/null; then
		expect_grep "^  build/demo/screens/000001-idle.png$" "$T/demo.out"
		expect_grep "^  build/demo/screens/[0-9]*-granted.png$" "$T/demo.out"
		expect_grep "^  build/demo/screens/[0-9]*-denied.png$" "$T/demo.out"
	fi
	# Its voice: the prompts played as WAVs where the build speaks, else
	# those it would have played; a grant's and a denial's either way.
	if "$BUILD/qrgatectl" prompt way-entry --bench >/dev/null 2>&1; then
		expect_grep '^  build/demo/sound/000001-way-entry.wav  "Mời vào"$' "$T/demo.out"
		expect_grep '^  build/demo/sound/[0-9]*-reason-expired.wav  "Thẻ hết hạn"$' "$T/demo.out"
	else
		expect_grep '^  way-entry  "Mời vào"$' "$T/demo.out"
		expect_grep '^  reason-expired  "Thẻ hết hạn"$' "$T/demo.out"
	fi
	# The screenshot where `make deps` installed Chromium (the Debian 13
	# root of the trixie tier has none: there the demo must say so).
	if command -v chromedriver >/dev/null; then
		expect_grep "a screenshot of it: build/demo/live.png" "$T/demo.out"
		[ "$(head -c 8 "$T/tree/build/demo/live.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] ||
			{ echo "    live.png is not a PNG"; return 1; }
	else
		expect_grep "(no screenshot: chromium and chromium-driver are not installed)" "$T/demo.out"
	fi
	expect_grep "^== to keep exploring" "$T/demo.out"
	expect_grep "^  build/qrgatectl -c config/demo.conf events --json" "$T/demo.out"
	expect_grep "^  build/qrgated -c config/demo.conf " "$T/demo.out"
	# The commands as printed, from where the demo ran.
	(cd "$T/tree" && build/qrgatectl -c config/demo.conf events --json) >"$T/ev"
	json_is 'select(.seq == 1) | .result == "granted" and .passage == "passed"' "$(head -1 "$T/ev")"
	(cd "$T/tree" && build/qrgatectl -c config/demo.conf cred list) | grep -q W-0001
	(cd "$T/tree" && build/qrgate-aggregator -c config/demo-aggregator.conf inside --json) >"$T/in.json"
	json_is '[.inside[] | .credential_id] == ["V-0001"] and .total == 1' "$(cat "$T/in.json")"
}

# A credential added while its code is held in view: the code is decided
# again once the list changed (written by qrgatectl, with the daemon
# running), not held undecided for as long as it stays in view.
test_papercuts_credential_added_while_held() {
	gate_config papercuts_credential_added_while_held badge-W9999.png
	set_option camera.loop true
	start_gate
	wait_for "the denial" eval '[ "$(sql "SELECT count(*) FROM events WHERE reason = '\''unknown'\'';")" -ge 1 ]'
	qrgatectl cred add W-9999 badge W-9999 --name "Late Worker" >/dev/null
	wait_for "the grant" eval '[ "$(sql "SELECT count(*) FROM events WHERE result = '\''granted'\'';")" -ge 1 ]'
	# Held in view still: one grant, not one each window.
	sleep 1
	stop_gate
	expect_eq "grants" "$(sql "SELECT count(*) FROM events WHERE result = 'granted';")" "1"
	expect_eq "denials" "$(sql "SELECT count(*) FROM events WHERE result = 'denied';")" "1"
}
