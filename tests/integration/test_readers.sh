# A serial scanner beside the camera (reader.backend tty), on a pty fed
# by build/ptyfeed: its codes are decided exactly as the camera's, the
# rows saying source scanner.

# scanner_gate NAME [SECTION.KEY VALUE]...: a gate on code-free frames
# with a tty reader on a pty; `scan CODE` sends a code as the scanner
# does, CR LF after it.
scanner_gate() {
	scanner_config "$@"
	start_gate
	wait_for "the reader" status_is '.readers[0].state == "running"'
}

# scanner_config NAME [SECTION.KEY VALUE]...: such a gate, not started.
scanner_config() {
	local i
	gate_config "$1" blank.png
	shift
	set_option camera.loop true
	mkfifo "$T/scan.in"
	"$BUILD/ptyfeed" "$T/scanner" <"$T/scan.in" &
	FEED_PID=$!
	# Gone with the test, whatever becomes of it.
	trap 'stop_gate; kill $FEED_PID 2>/dev/null' EXIT
	# Held open until the test ends (qrgated inherits it too, so the
	# scanner is unplugged by killing ptyfeed, not by closing this).
	exec 3>"$T/scan.in"
	for i in $(seq 1 200); do [ -L "$T/scanner" ] && break; sleep 0.05; done
	set_option reader.backend tty
	set_option reader.device "$T/scanner"
	while [ $# -ge 2 ]; do set_option "$1" "$2"; shift 2; done
}

scan() { printf '%s\r\n' "$1" >&3; }

test_readers_serial_scanner_grants_and_refuses() {
	scanner_gate readers_serial_scanner_grants_and_refuses \
		decoder.max_payload 16
	# Twice in one breath, as a scanner held over a badge sends it: the
	# hold-off makes it one decision, as for the camera.
	scan W-0001
	scan W-0001
	wait_for "the grant" rows_are "source||' '||result" "scanner granted"
	wait_for "the relay to drop" last_value_is entry_relay 0
	scan W-9999
	scan "W-0001-and-then-far-too-long"
	scan W-0002
	wait_for "the denials" rows_are "result" "granted denied denied denied"
	expect_eq "rows" "$(rows "type||' '||source||' '||kind||' '||result||' '||reason")" \
		"scan scanner badge granted granted scan scanner badge denied unknown scan scanner none denied too-long scan scanner badge denied suspended"
	expect_eq "credential" "$(rows credential_id | awk '{ print $1 }')" "W-0001"
	status_is '.readers[0].codes == 5 and .readers[0].backend == "tty" and .counters.grants == 1 and .counters.denials == 3'
	qrgatectl status | grep -q "^reader    reader: tty $T/scanner, running, 5 codes read (codes open the entry way)$"
	expect_eq "events --json" "$(qrgatectl events --json | jq -r .source | sort -u)" "scanner"
	expect_eq "events --csv" "$(qrgatectl events --csv | sed -n '1s/.*,//p; 2s/.*,//p' | tr -d '\r' | tr '\n' ' ')" "source scanner "
	stop_gate
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
	expect_grep "GRANTED entry badge" "$T/qrgated.log"
}

# The reader's way is its own: a scanner at the exit of a gate whose
# camera faces the entry opens the exit.
test_readers_scanner_opens_its_own_way() {
	scanner_gate readers_scanner_opens_its_own_way lane.exit true \
		reader.direction exit
	scan W-0001
	wait_for "the grant" rows_are "direction||' '||source||' '||result" "exit scanner granted"
	wait_for "the exit relay to drop" last_value_is exit_relay 0
	stop_gate
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1 0"
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
}

# Unplugged, the reader is retried while the camera goes on; plugged in
# again, its codes are decided again.
test_readers_scanner_unplugged_and_back() {
	scanner_gate readers_scanner_unplugged_and_back
	kill "$FEED_PID"
	wait_for "the reader to fail" status_is '.readers[0].state == "failed" and .camera.state == "running"'
	"$BUILD/ptyfeed" "$T/scanner" <"$T/scan.in" &
	FEED_PID=$!
	wait_for "the reader back" status_is '.readers[0].state == "running"'
	scan W-0001
	wait_for "the grant" rows_are "source||' '||result" "scanner granted"
	stop_gate
	expect_grep "reader: $T/scanner: back" "$T/qrgated.log"
}

# The unplugged scanner is the "reader" alarm on MQTT until it is back:
# the guard sees it, not only the log.
test_readers_scanner_lost_is_an_alarm() {
	scanner_config readers_scanner_lost_is_an_alarm
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the reader and the broker" status_is '.readers[0].state == "running" and .mqtt.state == "connected"'
	kill "$FEED_PID"
	wait_for "the reader to fail" status_is '.readers[0].state == "failed"'
	"$BUILD/ptyfeed" "$T/scanner" <"$T/scan.in" &
	FEED_PID=$!
	wait_for "the reader back" status_is '.readers[0].state == "running"'
	mqtt_wait "two alarm messages" 10 sh -c "[ \$(grep -c '^$TOPIC/alarm ' '$T/all.sub') -ge 2 ]"
	payloads all alarm >"$T/alarms.json"
	expect_eq "alarms" "$(jq -r '"\(.alarm) \(.active) \(.detail)"' "$T/alarms.json" | tr '\n' ',')" \
		"reader true lost,reader false back,"
	stop_gate
	kill "$FEED_PID" 2>/dev/null
	expect_grep "ALARM reader: lost" "$T/qrgated.log"
}

# A code on the camera, the same on the USB or serial scanner and a card
# on the Wiegand reader: each granted, logged and published the same way,
# the rows and the MQTT events differing only in how the code was read.
test_readers_camera_scanner_wiegand_alike() {
	scanner_config readers_camera_scanner_wiegand_alike \
		camera.source "$SRCDIR/images/badge-W0001.png" \
		camera.loop false decoder.holdoff_ms 0 \
		gpio.wiegand_d0 "17 active-low" gpio.wiegand_d1 "18 active-low"
	qrgatectl cred add C-1 card h10301:12:3456 --name "Thẻ Một" >/dev/null
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the camera's grant" rows_are "source||' '||result" "camera granted"
	wait_for "the relay to drop" last_value_is entry_relay 0
	scan W-0001
	wait_for "the scanner's grant" rows_are "source||' '||result" "camera granted scanner granted"
	wait_for "the relay to drop" last_value_is entry_relay 0
	wiegand_send "$(h10301_bits 12 3456)"
	wait_for "the card's grant" rows_are "source||' '||result" "camera granted scanner granted wiegand granted"
	mqtt_wait "the third event" 10 grep -q '"seq":3,"rev":0' "$T/all.sub"
	expect_eq "published" "$(payloads all events | jq -r 'select(.type == "scan" and .rev == 0) | "\(.source) \(.kind) \(.credential_id) \(.result) \(.reason) \(.direction)"' | tr '\n' ',')" \
		"camera badge W-0001 granted granted entry,scanner badge W-0001 granted granted entry,wiegand card C-1 granted granted entry,"
	# The same keys in every event, whatever read the code.
	expect_eq "keys" "$(payloads all events | jq -c 'select(.type == "scan") | keys' | sort -u | wc -l)" 1
	stop_gate
	kill "$FEED_PID" 2>/dev/null
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0 1 0 1 0"
}

# A camera code is logged as the camera's.
test_readers_camera_rows_say_camera() {
	gate_config readers_camera_rows_say_camera badge-W0001.png
	start_gate
	wait_idle
	# No reader configured: none in the status.
	status_is '.readers == []'
	stop_gate
	expect_eq "rows" "$(rows "source||' '||result")" "camera granted"
}

# A reload with other reader settings reopens the reader with them: here
# another scanner (a second pty) whose way is the exit; the count goes on.
test_readers_reload_reopens_with_new_settings() {
	local i
	scanner_gate readers_reload_reopens_with_new_settings lane.exit true
	scan W-0001
	wait_for "the entry grant" rows_are "direction||' '||result" "entry granted"
	mkfifo "$T/scan2.in"
	"$BUILD/ptyfeed" "$T/scanner2" <"$T/scan2.in" &
	trap 'stop_gate; kill $FEED_PID $! 2>/dev/null' EXIT
	exec 4>"$T/scan2.in"
	for i in $(seq 1 200); do [ -L "$T/scanner2" ] && break; sleep 0.05; done
	set_option reader.device "$T/scanner2"
	set_option reader.direction exit
	kill -HUP "$GATE_PID"
	wait_for "the reload" status_is ".readers[0].device == \"$T/scanner2\" and .readers[0].state == \"running\""
	printf 'W-0004\r\n' >&4
	wait_for "the exit row" rows_are "direction||' '||result" "entry granted exit denied"
	status_is '.readers[0].codes == 2 and .readers[0].direction == "exit"'
	stop_gate
	expect_eq "reason" "$(rows reason)" "granted wrong-direction"
	expect_grep "reader: tty $T/scanner2, codes open the exit way" "$T/qrgated.log"
}
