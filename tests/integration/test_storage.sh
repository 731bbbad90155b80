# Storage faults under a running gate: a full disk (a 1 MiB tmpfs) and a
# database deleted while it runs.  Nobody is held in by the store: the exit
# opens whatever it says, and the row it refused is written once it
# answers again; a database that vanished is noticed (the "database"
# alarm, the watchdog no longer fed) and no code opens the entry.

# A gate on the exit button and passage sensor, its database on a 1 MiB
# tmpfs at $T/disk (unmounted when the test ends).  Root only: outside CI
# a user run skips, saying why; in CI it fails.
disk_gate() {
	gate_config "$1" blank.png
	if [ "$(id -u)" -ne 0 ]; then
		skip_test "not root: a tmpfs cannot be mounted"
	fi
	mkdir "$T/disk"
	mount -t tmpfs -o size=1m qrgate-it "$T/disk"
	trap 'stop_gate; umount -l "$T/disk"' EXIT
	rm -f "$T"/qrgate.db*
	# sql and rows read $T/qrgate.db: SQLite follows the link, and finds
	# the -wal beside the file it leads to.
	ln -s disk/qrgate.db "$T/qrgate.db"
	set_option store.path "$T/disk/qrgate.db"
	set_option camera.loop true
	set_option lane.exit true
	# Time for the checks below before the person passes.
	set_option lane.pulse_ms 5000
	set_option gpio.passage_sensor "5 active-low pull-up"
	set_option gpio.exit_button "13 active-low pull-up"
	start_gate
}

# Fills $T/disk: dd stops at ENOSPC.
disk_fill() {
	dd if=/dev/zero of="$T/disk/fill" bs=4k 2>/dev/null || true
	[ "$(df --output=avail "$T/disk" | tail -1 | tr -d ' ')" -eq 0 ]
}

test_storage_full_disk_exit_button_opens() {
	disk_gate storage_full_disk_exit_button_opens
	wait_for "the camera" status_is '.camera.state == "running"'
	disk_fill
	input exit_button 1
	input exit_button 0
	# The way opens although its row cannot be written...
	wait_for "the exit relay" last_value_is exit_relay 1
	status_is '.counters.store_errors > 0 and .store.alarm and .store.kept == 1'
	expect_grep 'row kept until the database takes it: .*"reason":"exit-button"' "$T/qrgated.log"
	input passage_sensor 1
	input passage_sensor 0
	wait_for "the exit relay to drop" last_value_is exit_relay 0
	expect_eq "rows while full" "$(rows "count(*)")" "0"
	# ...and is in the log, with its passage, once there is room.
	rm "$T/disk/fill"
	wait_for "the kept row" rows_are "type||' '||direction||' '||result||' '||reason||' '||passage" \
		"button exit granted exit-button passed"
	wait_for "the alarm to clear" status_is '(.store.alarm | not) and .store.kept == 0'
	stop_gate
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1 0"
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
}

# The badge once a second: a decision each time (hold-off 300 ms).
badge_gate() {
	gate_config "$1" badge-W0001.png blank.png blank.png blank.png blank.png \
		blank.png blank.png blank.png blank.png blank.png
	set_option camera.loop true
	set_option camera.fps 10
	set_option decoder.holdoff_ms 300
	set_option lane.exit true
	# The watchdog as systemd would ask for it (no notify socket: the
	# daemon says in its log when it stops feeding it).
	WATCHDOG_USEC=2000000 start_gate
}

entry_pulses() { grep -c "entry_relay 1" "$T/gpio.log" || true; }
# store_errors_at_least N: N codes or more were denied store-error.
store_errors_at_least() {
	[ "$(grep -c "DENIED  entry .*store-error" "$T/qrgated.log")" -ge "$1" ]
}

test_storage_database_deleted_is_noticed() {
	local n
	badge_gate storage_database_deleted_is_noticed
	wait_for "a grant" grep -q "GRANTED entry" "$T/qrgated.log"
	rm "$T/qrgate.db" "$T/qrgate.db-wal" "$T/qrgate.db-shm"
	wait_for "the database alarm" grep -q "store: the database file: deleted or moved" "$T/qrgated.log"
	wait_for "the watchdog to starve" grep -q "watchdog: not fed: the database does not answer" "$T/qrgated.log"
	status_is '.store.alarm and .counters.store_errors > 0'
	# Codes are denied store-error, and no relay moves for them.
	wait_for "a store-error denial" store_errors_at_least 1
	n=$(entry_pulses)
	wait_for "a second store-error denial" store_errors_at_least 2
	expect_eq "entry pulses since" "$(entry_pulses)" "$n"
	# The exit still opens.
	qrgatectl open exit >/dev/null
	wait_for "the exit relay" grep -q "exit_relay 1" "$T/gpio.log"
	expect_grep 'row kept until the database takes it: .*"reason":"store-error"' "$T/qrgated.log"
	[ ! -e "$T/qrgate.db" ]
	stop_gate
	# What a restart finds: no database, so an empty one, with no
	# credential: the badge is unknown, the exit still opens.
	start_gate
	wait_for "the badge denied unknown" grep -q "DENIED  entry .*: unknown" "$T/qrgated.log"
	status_is '(.store.alarm | not)'
	qrgatectl open exit >/dev/null
	stop_gate
	expect_eq "rows after the restart" \
		"$(sql "SELECT count(*) FROM events WHERE reason = 'remote-open'")" "1"
}

# The md5 of a file, alone.
md5_of() { md5sum "$1" | awk '{ print $1 }'; }

test_storage_unreadable_database_set_aside() {
	local sum aside
	gate_config storage_unreadable_database_set_aside badge-W0001.png blank.png
	set_option camera.loop true
	set_option lane.exit true
	set_option gpio.exit_button "13 active-low pull-up"
	# The database the CLI just filled, overwritten with garbage: SQLite
	# reads "file is not a database".
	[ "$(sql "SELECT count(*) FROM credentials")" -gt 0 ]
	rm -f "$T/qrgate.db-wal" "$T/qrgate.db-shm"
	head -c 65536 /dev/urandom >"$T/qrgate.db"
	sum=$(md5_of "$T/qrgate.db")
	# qrgated -n says so, and moves nothing.
	if qrgated -n -c "$CONF" >"$T/n.out" 2>"$T/n.err"; then
		echo "    qrgated -n accepted an unreadable database"; return 1
	fi
	expect_grep "store.path: not a readable database: .*/qrgate.db: file is not a database" "$T/n.err"
	expect_eq "-n output" "$(cat "$T/n.out")" ""
	expect_eq "the file after -n" "$(md5_of "$T/qrgate.db")" "$sum"
	expect_eq "files set aside by -n" "$(ls "$T" | grep -c unreadable || true)" "0"
	# The gate starts, on an empty database, the alarm up.
	start_gate
	wait_for "the database alarm" grep -q "ALARM database: unreadable at start, now empty: kept as qrgate.db.unreadable-" "$T/qrgated.log"
	status_is '.store.alarm and (.store.set_aside | test("/qrgate\\.db\\.unreadable-[0-9]{8}T[0-9]{6}Z$"))'
	aside=$(gate_status | jq -r .store.set_aside)
	# The old file is kept, unchanged, under its new name.
	expect_eq "the file set aside" "$(md5_of "$aside")" "$sum"
	expect_eq "credentials in the new database" "$(sql "SELECT count(*) FROM credentials")" "0"
	# No credentials: the badge is unknown, the entry stays locked.
	wait_for "the badge denied unknown" grep -q "DENIED  entry .*: unknown" "$T/qrgated.log"
	# The exit opens.
	input exit_button 1
	input exit_button 0
	wait_for "the exit relay" last_value_is exit_relay 1
	wait_for "the button's row" grep -q "button exit granted exit-button" <(rows "type||' '||direction||' '||result||' '||reason")
	# The alarm stays up: no credential list has arrived; a restart
	# does not hide it.
	status_is '.store.alarm'
	stop_gate
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
	start_gate
	wait_for "the alarm after a restart" status_is ".store.alarm and .store.set_aside == \"$aside\""
	# A list imported with qrgatectl ends it.
	qrgatectl cred import "$SRCDIR/config/demo-credentials.csv" >/dev/null
	wait_for "the alarm to clear" status_is '(.store.alarm | not) and .store.set_aside == null'
	expect_grep "credentials in use again; .*qrgate.db.unreadable-.* stays where it is" "$T/qrgated.log"
	stop_gate
	expect_eq "the file set aside, at the end" "$(md5_of "$aside")" "$sum"
}

# A store.path the daemon cannot open (no such directory; a directory
# where the file should be) is a fault of the install, not of the file:
# exit 1, saying why, and nothing is set aside or made.
test_storage_install_fault_is_not_set_aside() {
	gate_config storage_install_fault_is_not_set_aside blank.png
	if qrgated -c "$CONF" -o store.path="$T/nowhere/qrgate.db" 2>"$T/qrgated.log"; then
		echo "    qrgated started without its directory"; return 1
	fi
	expect_grep "nowhere/qrgate.db.lock: No such file or directory" "$T/qrgated.log"
	[ ! -e "$T/nowhere" ]
	mkdir "$T/dir.db"
	if qrgated -c "$CONF" -o store.path="$T/dir.db" 2>>"$T/qrgated.log"; then
		echo "    qrgated started on a directory"; return 1
	fi
	expect_grep "store: .*/dir.db: not a regular file" "$T/qrgated.log"
	[ -d "$T/dir.db" ]
	expect_eq "files set aside" "$(ls "$T" | grep -c unreadable || true)" "0"
}
