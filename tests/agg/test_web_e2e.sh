#!/usr/bin/env bash
# The console end to end: a real qrgated publishing to a real mosquitto,
# the real qrgate-aggregator serving the pages, headless Chromium showing
# them.
# A decision at the gate appears on the open page (live, not by a reload),
# a fire alarm appears and clears, and the gate killed turns offline; IT
# pushes a config from its page and sees the gate's answers.  HR adds a
# worker and revokes the badge on the People page; the gate takes each
# list, grants then denies the badge, and the page shows the gate's
# version moving.  And the visitor desk: a guard registers a visitor on
# the page whose pass is then granted at a real qrgated
# (test_e2e_visitor_desk).  HR's month of attendance, a day corrected in
# its form (test_e2e_attendance_month).
# Prints "web: N passed, M failed"; exits 77 outside CI when Chromium, the
# aggregator or mosquitto is missing.
# Usage: tests/agg/test_web_e2e.sh [BUILD_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRCDIR"

skip() {
	if [ "${CI:-}" = true ]; then
		echo "web: e2e: $1 in CI"
		echo "web: 0 passed, 1 failed"
		exit 1
	fi
	echo "web: e2e skipped: $1"
	exit 77
}
. tests/agg/lib_web.sh
have_chromium || skip "chromium and chromium-driver are not installed (make deps)"
for f in qrgate-aggregator qrgated qrgatectl; do
	[ -x "$BUILD/$f" ] || skip "no $BUILD/$f"
done
for tool in mosquitto jq sqlite3 python3; do
	command -v "$tool" >/dev/null || skip "no $tool"
done

WORK=$(mktemp -d /tmp/qrgate-webe2e.XXXXXX)
export BUILD SRCDIR WORK
# The gate's helpers (lib.sh), the broker's (lib_mqtt.sh), the
# aggregator's (agg/lib.sh); the WebDriver ones are lib_web.sh's.
. tests/integration/lib.sh
. tests/integration/lib_mqtt.sh
. tests/agg/lib.sh
BACKEND=sqlite
AGG_T=""

# a COMMAND...: an aggregator helper, which finds its files in $T.
a() { local T=$AGG_T; "$@"; }

page_port() { sed -n 's/.*web: serving on .* port \([0-9]*\).*/\1/p' "$AGG_T/agg.log" | tail -1; }

gate_row() { echo "document.querySelector('#gates li[data-gate=\"it-site/it-gate\"]')"; }

test_e2e_decision_alarm_offline() {
	# The aggregator, its broker, and the page served on a free port.
	agg_setup web_e2e
	AGG_T=$T
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_user guard guard,security
	agg_start
	PORT=$(page_port)
	[ -n "$PORT" ] || { echo "no web port in the aggregator's log"; return 1; }
	login "$(url '')" guard guard-pw
	# A gate on that broker, idle on a blank frame, with a fire alarm input.
	gate_config web_e2e_gate blank.png
	set_option camera.loop true
	set_option gpio.fire_alarm "6 pull-up"
	gate_mqtt_section
	start_gate
	wait_for "the gate's connection" status_is '.mqtt.state == "connected"'

	browser_login guard guard-pw
	page_wait "the gate online" "$(gate_row) && $(gate_row).dataset.state == 'online'"
	page_wait "the stream" "document.getElementById('conn').classList.contains('up')"
	local loads
	loads=$(js "return document.body.dataset.loaded")

	# A decision: the gate's camera now shows an unknown badge.
	set_option camera.source "$SRCDIR/images/badge-W9999.png"
	set_option camera.loop false
	kill -HUP "$GATE_PID"
	page_wait "the denial" "document.querySelector('#events tr[data-result=denied]')"
	expect_eq "row" "$(js "return [...document.querySelector('#events tr[data-result=denied]').cells].map(c => c.textContent).slice(1).join('|')")" \
		"it-gate · it-site|→ in|DENIED|unknown|**9999"
	# It came by the stream, not by a reload of the page's state.
	expect_eq "loads" "$(js "return document.body.dataset.loaded")" "$loads"
	expect_eq "stored" "$(a db_sql "SELECT result || ' ' || reason FROM events WHERE type = 'scan'")" "denied unknown"
	# Its time as the site's clocks show it (site.timezone, by default
	# Asia/Ho_Chi_Minh), whatever the browser's zone, and the zone named.
	local ts
	ts=$(a db_sql "SELECT ts_ms FROM events WHERE type = 'scan' AND result = 'denied'")
	expect_eq "time in the site's zone" "$(js "return document.querySelector('#events tr[data-result=denied]').cells[0].textContent")" \
		"$(TZ=Asia/Ho_Chi_Minh date -d "@$((ts / 1000))" +%H:%M:%S)"
	expect_eq "zone named" "$(js "return document.getElementById('time-head').textContent")" "Time (Asia/Ho_Chi_Minh)"
	# The header's clock in that zone too.
	js "return document.getElementById('clock').textContent" | grep -q '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] GMT+7$' ||
		{ echo "the page's clock: $(js "return document.getElementById('clock').textContent")"; return 1; }

	# The fire alarm: on, then off.
	input fire_alarm 1
	page_wait "the fire alarm" "document.querySelector('#alarms li[data-alarm=\"it-site/it-gate/fire-alarm\"]')"
	page_is "document.getElementById('no-alarms').hidden"
	input fire_alarm 0
	page_wait "the fire alarm to clear" "document.querySelectorAll('#alarms li').length == 0 && !document.getElementById('no-alarms').hidden"

	# The gate dies: the broker publishes its will; the page shows it.
	kill -9 "$GATE_PID"
	wait "$GATE_PID" 2>/dev/null || true
	GATE_PID=""
	page_wait "the gate offline" "$(gate_row).dataset.state == 'offline'"
	expect_eq "badge" "$(js "return $(gate_row).querySelector('.badge').textContent")" offline
	# An offline gate is an alarm for a guard: in the alarm bar too.
	page_wait "the offline alarm" "document.querySelector('#alarms li[data-alarm=\"it-site/it-gate/gate-offline\"]')"
	# And the aggregator's API, which a reload would read, agrees.
	expect_eq "api" "$(a as guard "$(url /api/gates)" | jq -r '.[] | select(.gate == "it-gate") | .state')" offline
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then screenshot "$QRGATE_WEB_SHOTS/e2e.png"; fi
}

VISITOR_CCCD='001099012345|123456789|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021'

# el CSS: the WebDriver id of the page's element.
el() {
	wd POST "/session/$SESSION/element" "$(jq -nc --arg v "$1" '{using: "css selector", value: $v}')" |
		jq -r '.value | to_entries[0].value'
}

# type_into CSS TEXT: keystrokes into the element, as a keyboard (or a
# USB scanner, which is one) sends them.
type_into() {
	wd POST "/session/$SESSION/element/$(el "$1")/value" "$(jq -nc --arg t "$2" '{text: $t}')" >/dev/null
}

# The visitor desk: a guard scans a CCCD into the form as a USB scanner
# does (keystrokes, then Enter), registers the visitor, and the pass the
# page shows is granted at a real qrgated that has no broker; the guard
# cancels it on the page; the register is exported masked for the guard
# and whole for the tracer (audited); HR gets 403.
test_e2e_visitor_desk() {
	trap 'stop_gate; agg_cleanup' EXIT
	agg_setup web_visitor
	AGG_T=$T
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	"$BUILD/qrgatectl" keygen "$T/desk.key" >/dev/null
	agg_option visitor.key_file "$T/desk.key"
	agg_user guard guard
	agg_user tracer tracer
	agg_user hr hr
	agg_start
	PORT=$(page_port)
	[ -n "$PORT" ] || { echo "no web port in the aggregator's log"; return 1; }
	a login "$(url '')" guard guard-pw
	a login "$(url '')" tracer tracer-pw
	a login "$(url '')" hr hr-pw

	browser_login guard guard-pw
	browse "$(url /visitor.html)"
	page_wait "the desk" "document.body.dataset.loaded == '1'"
	# The scanner types the card's QR text and Enter into the scan field.
	type_into '#v-scan' "$VISITOR_CCCD"$'\uE007'
	page_wait "the card read" "document.getElementById('v-name').value == 'Nguyễn Văn An' &&
	    document.getElementById('v-doc').value == '001099012345' &&
	    document.getElementById('v-scan').value == ''"
	type_into '#v-host' 'Trần Bình'
	type_into '#v-purpose' 'audit'
	js "document.getElementById('v-submit').click(); return true;" >/dev/null
	page_wait "the pass" "!document.getElementById('pass').hidden &&
	    document.getElementById('pass-qr').complete && document.getElementById('pass-qr').naturalWidth > 0"
	local id day
	day=$(TZ=Asia/Ho_Chi_Minh date +%Y%m%d)
	id=$(js "return document.getElementById('pass-id').textContent")
	expect_eq "id" "$id" "V-$day-0001"
	# The list shows the document masked to the guard.
	page_wait "the list" "document.querySelector('#visitors tr[data-id=\"$id\"]')"
	expect_eq "row" "$(js "return [...document.querySelector('#visitors tr[data-id=\"$id\"]').cells].slice(0, 4).map(c => c.textContent).join('|')")" \
		"$id|Nguyễn Văn An|********2345|Trần Bình"
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then screenshot "$QRGATE_WEB_SHOTS/visitor.png"; fi

	# The pass as the page shows it, taken from the page.
	wd POST "/session/$SESSION/execute/async" "$(jq -nc '{args: [], script: "
	    const done = arguments[arguments.length - 1];
	    fetch(document.getElementById(\"pass-qr\").src).then((r) => r.arrayBuffer()).then((b) => {
	        let s = \"\"; for (const c of new Uint8Array(b)) s += String.fromCharCode(c);
	        done(btoa(s)); });"}')" | jq -r .value | base64 -d >"$T/pass.png"
	expect_grep '^  QG1:' <("$BUILD/qrgatectl" scan "$T/pass.png")

	# A real gate with no broker, the desk's public key, the pass shown.
	gate_config web_visitor_gate blank.png
	set_option camera.source "$AGG_T/pass.png"
	set_option security.visitor_key "$(cat "$AGG_T/desk.key.pub")"
	start_gate
	wait_idle
	stop_gate
	expect_eq "granted" "$(sql "SELECT kind || ' ' || credential_id || ' ' || reason FROM events")" \
		"visitor $id granted"

	# Cancelled on the page: the pass is no longer shown.
	js "window.confirm = () => true;
	    document.querySelector('#visitors tr[data-id=\"$id\"] .cancel').click(); return true;" >/dev/null
	page_wait "the cancellation" "document.querySelector('#visitors tr[data-id=\"$id\"]').dataset.status == 'cancelled'"
	expect_eq "pass refused" "$(a as_status guard "$(url "/api/visitor-pass?id=$id")")" 404

	# The register: masked for the guard, whole for the tracer (audited).
	a as guard "$(url /api/visitor-export?format=csv)" >"$AGG_T/guard.csv"
	expect_eq "guard csv" "$(sed -n 2p "$AGG_T/guard.csv" | cut -d, -f1-6)" \
		"$id,Nguyễn Văn An,cccd,********2345,Trần Bình,audit"
	a as tracer "$(url /api/visitor-export?format=xlsx)" >"$AGG_T/tracer.xlsx"
	expect_eq "tracer xlsx" "$(a xlsx_rows "$AGG_T/tracer.xlsx" ABDL | sed -n 2p)" \
		"$id|Nguyễn Văn An|001099012345|$(sed -n 2p "$AGG_T/guard.csv" | cut -d, -f12)"
	# HR has no desk.
	expect_eq "hr list" "$(a as_status hr "$(url /api/visitors)")" 403
	expect_eq "hr add" "$(a as_status hr -X POST -H 'Content-Type: application/json' --data '{}' "$(url /api/visitor-add)")" 403
	expect_eq "hr page" "$(a as_status hr "$(url /visitor.html)")" 403
	# The audit table: the add and the cancel by the guard, the tracer's
	# export whole; never the number.
	expect_eq "audit" "$(a db_sql "SELECT user_name || ' ' || what || ': ' || detail FROM audit WHERE what LIKE 'visitor%' ORDER BY id" | tr '\n' ';')" \
		"guard visitor-add: visitor add $id;guard visitor-cancel: visitor cancel $id;tracer visitor-export: exported the visitor register with documents whole (xlsx, 1);"
	[ "$(a db_sql "SELECT count(*) FROM audit WHERE detail LIKE '%001099012345%'")" = 0 ]
}

# IT pushes a config from its page (docs/console.md), the aggregator
# holding the admin key: a push refused with its problem at its line and
# nothing kept; to the whole site, applied by the gate; then refused by
# the gate itself, with its reason.
answer_of() { echo "document.querySelector('#pushes tr[data-version=\"$1\"] li[data-gate=\"it-gate\"]')"; }

# page_type ID TEXT: sets a field as a person types it.
page_type() { js "document.getElementById('$1').value = $(jq -n --arg v "$2" '$v'); return true;" >/dev/null; }
page_click() { js "document.getElementById('$1').click(); return true;" >/dev/null; }

test_e2e_confpush_page() {
	agg_setup web_confpush
	AGG_T=$T
	qrgatectl keygen "$T/admin.key" >/dev/null
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_option config_push.admin_key_file "$T/admin.key"
	agg_user it it
	agg_start
	PORT=$(agg_web_port)
	[ -n "$PORT" ] || { echo "no web port in the aggregator's log"; return 1; }
	gate_config web_confpush_gate blank.png
	set_option camera.loop true
	set_option security.admin_key "$(cat "$AGG_T/admin.key.pub")"
	gate_mqtt_section
	start_gate
	wait_for "the gate's connection" status_is '.mqtt.state == "connected"'

	browser_login it it-pw
	browse "$(url /confpush.html)"
	page_wait "the page" "document.body.dataset.loaded == '1'"
	page_wait "the gate" "document.querySelector('#gates input[value=\"it-gate\"]')"
	expect_eq "signed here" "$(js "return document.getElementById('send').hidden")" false

	# A problem: refused, with its line; nothing sent.
	page_type text $'[lane]\ndeny_ms = 250\npulse_ms = 0\n'
	page_click send
	page_wait "the problem" "document.querySelector('#errors li[data-line=\"3\"]')"
	expect_eq "problem" "$(js "return document.querySelector('#errors li').textContent")" \
		"config:3: lane.pulse_ms: 0 is out of range 100..60000"
	expect_eq "nothing kept" "$(db_sql 'SELECT count(*) FROM config_pushes')" 0

	# To the whole site: the gate applies it.
	page_type text $'[lane]\ndeny_ms = 250\n'
	page_click send
	page_wait "the gate's answer" "$(answer_of 1) && $(answer_of 1).dataset.answer == 'applied'"
	expect_eq "applied" "$(js "return $(answer_of 1).textContent")" "it-gate: applied"
	expect_eq "at the gate" "$(gate_status | jq -r '.config.site_version')" 1

	# What only the gate can refuse: its answer and reason on the page.
	page_type text $'[lane]\nentry = false\nexit = false\n'
	page_click send
	page_wait "the refusal" "$(answer_of 2) && $(answer_of 2).dataset.answer == 'refused'"
	expect_eq "refused" "$(js "return $(answer_of 2).textContent")" \
		"it-gate: refused (invalid): push: lane.entry and lane.exit are both false: the lane runs no way"
	# docs/console.md's screenshot: the pushes and the gate's answers.
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then
		js "document.querySelector('section[aria-label=\"Pushes and answers\"]').scrollIntoView(); return true;" >/dev/null
		screenshot "$QRGATE_WEB_SHOTS/confpush.png"
	fi
	stop_gate
}

# HR on the People page, as a person would: adds a worker, whose badge is
# then granted at a real qrgated, and revokes it; the list goes to the
# gate each time and the page shows the gate's version moving.
people_row() { echo "document.querySelector('#people tr[data-id=\"W-0100\"]')"; }
gate_version() { echo "document.querySelector('#gate-versions li[data-gate=\"it-site/it-gate\"]')"; }
people_gate_current() {
	echo "$(gate_version) && $(gate_version).classList.contains('current') && $(gate_version).dataset.version == document.body.dataset.version && document.body.dataset.version != '$1'"
}
gate_last_reason() { sqlite3 -batch -noheader "$GATE_T/qrgate.db" "SELECT reason FROM events WHERE type = 'scan' ORDER BY seq DESC LIMIT 1"; }

test_e2e_people_hr() {
	local v0 v1 v2 ms
	agg_setup web_people
	AGG_T=$T
	"$BUILD/qrgatectl" keygen "$T/issuer.key" >/dev/null
	"$BUILD/qrgatectl" keygen "$T/creds.key" >/dev/null
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_option people.issuer_key_file "$T/issuer.key"
	agg_option people.credentials_key_file "$T/creds.key"
	agg_option site.timezone Asia/Ho_Chi_Minh
	agg_user hr hr
	agg_start
	PORT=$(page_port)
	[ -n "$PORT" ] || { echo "no web port in the aggregator's log"; return 1; }
	gate_config web_people_gate blank.png
	GATE_T=$T
	set_option security.credentials_key "$(cat "$AGG_T/creds.key.pub")"
	set_option security.issuer_key "$(cat "$AGG_T/issuer.key.pub")"
	set_option gpio.passage_sensor ""
	set_option decoder.holdoff_ms 0
	gate_mqtt_section
	start_gate
	wait_for "the gate's connection" status_is '.mqtt.state == "connected"'

	browser_login hr hr-pw
	browse "$(url /people.html)"
	page_wait "the gate on the people page" "$(gate_version)"
	v0=$(js "return document.body.dataset.version")
	# A worker added in the form.
	js "document.getElementById('add-id').value = 'W-0100';
	    document.getElementById('add-name').value = 'Phạm Minh Tuấn';
	    document.getElementById('add-department').value = 'Kho vận';
	    document.querySelector('#add button[type=submit]').click(); return true;" >/dev/null
	page_wait "the worker listed" "$(people_row) && $(people_row).dataset.status == 'active'"
	page_wait "the gate to hold the new list" "$(people_gate_current "$v0")"
	v1=$(js "return document.body.dataset.version")
	expect_eq "at the gate" "$(sqlite3 -batch -noheader "$GATE_T/qrgate.db" "SELECT name || ' ' || status FROM credentials WHERE id = 'W-0100'")" \
		"Phạm Minh Tuấn active"
	# Its badge opens the gate.
	a aq people badge W-0100 --png "$AGG_T" >/dev/null
	set_option camera.source "$AGG_T/W-0100.png"
	kill -HUP "$GATE_PID"
	wait_for "the grant" sh -c "[ \"\$(sqlite3 -batch -noheader '$GATE_T/qrgate.db' \"SELECT count(*) FROM events WHERE type = 'scan'\")\" = 1 ]"
	expect_eq "granted" "$(gate_last_reason)" granted
	# docs/console.md's screenshot of the People page.
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then screenshot "$QRGATE_WEB_SHOTS/people.png"; fi
	# The muster list: the worker inside, since when in the site's zone.
	browse "$(url /muster.html)"
	page_wait "the muster list" "document.querySelector('#groups tr[data-id=\"W-0100\"]')"
	expect_eq "zone" "$(js "return document.getElementById('zone').textContent")" "Entry times in Asia/Ho_Chi_Minh"
	ms=$(a aq_jq inside '.inside[0].since_ms')
	expect_eq "since" "$(js "return document.querySelector('#groups tr[data-id=\"W-0100\"] .since').textContent")" \
		"$(TZ=Asia/Ho_Chi_Minh date -d "@$((ms / 1000))" '+%d/%m, %H:%M')"
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then screenshot "$QRGATE_WEB_SHOTS/muster.png"; fi
	browse "$(url /people.html)"
	page_wait "the worker listed again" "$(people_row)"
	# Revoked on the page: the gate takes the list, the badge is denied.
	js "window.confirm = () => true; $(people_row).querySelector('button.revoke').click(); return true;" >/dev/null
	page_wait "the worker revoked" "$(people_row) && $(people_row).dataset.status == 'revoked'"
	page_wait "the gate to hold the next list" "$(people_gate_current "$v1")"
	v2=$(js "return document.body.dataset.version")
	[ "$v2" -gt "$v1" ] || { echo "version $v1 then $v2"; return 1; }
	expect_eq "revoked at the gate" "$(sqlite3 -batch -noheader "$GATE_T/qrgate.db" "SELECT status FROM credentials WHERE id = 'W-0100'")" revoked
	# The same badge again (a source of another name: the camera starts anew).
	cp "$AGG_T/W-0100.png" "$AGG_T/W-0100-again.png"
	set_option camera.source "$AGG_T/W-0100-again.png"
	kill -HUP "$GATE_PID"
	wait_for "the denial" sh -c "[ \"\$(sqlite3 -batch -noheader '$GATE_T/qrgate.db' \"SELECT count(*) FROM events WHERE type = 'scan'\")\" = 2 ]"
	expect_eq "denied" "$(gate_last_reason)" revoked
	# A card added in the form, its hex typed in lower case, with a PIN:
	# the gate holds the card as its text and the PIN as its hash.
	js "document.getElementById('add-kind').value = 'card';
	    document.getElementById('add-kind').dispatchEvent(new Event('change'));
	    document.getElementById('add-id').value = 'K-0100';
	    document.getElementById('add-name').value = 'Vũ Thẻ';
	    document.getElementById('add-card').value = 'raw:32:0a1b2c3d';
	    document.getElementById('add-pin').value = '482916';
	    document.getElementById('add-send-as').value = 'h10301:12:3456';
	    document.querySelector('#add button[type=submit]').click(); return true;" >/dev/null
	page_wait "the card listed" "document.querySelector('#people tr[data-id=\"K-0100\"]')"
	expect_eq "card row" "$(js "const r = document.querySelector('#people tr[data-id=\"K-0100\"]'); return r.querySelector('.kind').textContent + ' ' + r.querySelector('.subject').textContent + ' ' + r.querySelector('.card-extra').textContent")" \
		"card ***********2C3D **********3456, PIN"
	page_wait "the gate to hold the card" "$(people_gate_current "$v2")"
	expect_eq "card at the gate" "$(sqlite3 -batch -noheader "$GATE_T/qrgate.db" "SELECT kind || ' ' || subject || ' ' || send_as || ' ' || substr(pin_hash, 1, 10) FROM credentials WHERE id = 'K-0100'")" \
		"card raw:32:0A1B2C3D h10301:12:3456 \$argon2id\$"
	# The test's user made at the command line, then HR's three writes, and
	# nothing else (the badge printed at the command line is no change).
	expect_eq "audit" "$(a db_sql "SELECT user_name || ' ' || what || ': ' || detail FROM audit ORDER BY id" | tr '\n' ',')" \
		"cli user: added user hr (hr),hr people-add: added W-0100 (Phạm Minh Tuấn),hr people-status: revoked W-0100,hr people-add: added K-0100 (Vũ Thẻ),"
}

# HR's month of attendance (issue 20): a worker's Monday through the
# broker, the November grid on the Attendance page (hours worked, the
# working days absent, the weekends off), and a day excused in the
# page's form, after which the grid shows it corrected and audited.
att_cell() { echo "document.querySelector('#grid td.day[data-person=\"W-1\"][data-day=\"$1\"]')"; }

test_e2e_attendance_month() {
	agg_setup web_attendance
	AGG_T=$T
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_option site.timezone Asia/Ho_Chi_Minh
	agg_user hr hr
	agg_start
	PORT=$(page_port)
	[ -n "$PORT" ] || { echo "no web port in the aggregator's log"; return 1; }
	aq people add W-1 --name "Nguyễn Thị Hồng" --department Kho
	aq attendance shift day --start 08:00 --end 17:00 --break 60 --grace 5 --days 12345
	aq attendance assign day --group Kho
	pub_ev g1 "$(ev 1 "$(TZ=Asia/Ho_Chi_Minh date -d '2026-11-23 07:55' +%s)000" '**1' W-1 entry granted)"
	pub_ev g1 "$(ev 2 "$(TZ=Asia/Ho_Chi_Minh date -d '2026-11-23 17:03' +%s)000" '**1' W-1 exit granted)"
	wait_events 2

	browser_login hr hr-pw
	browse "$(url /attendance.html)"
	page_wait "the page loaded" "document.body.dataset.loaded"
	js "document.getElementById('month').value = '2026-11';
	    document.querySelector('#pick button[type=submit]').click(); return true;" >/dev/null
	page_wait "November" "$(att_cell 2026-11-23)"
	# 07:55 to 17:03 less an hour: 488 minutes, 8.1 hours.
	expect_eq "Monday" "$(js "return $(att_cell 2026-11-23).textContent")" "8.1"
	expect_eq "Tuesday" "$(js "return $(att_cell 2026-11-24).textContent + ' ' + $(att_cell 2026-11-24).className")" "A day absent"
	expect_eq "Saturday" "$(js "return $(att_cell 2026-11-28).className")" "day off"
	# November 2026 has 21 working days: 20 absent.
	expect_eq "totals" "$(js "return [...document.querySelectorAll('#grid tr[data-person=\"W-1\"] td.sum')].map((e) => e.textContent).join(' ')")" \
		"8.1 0 20"
	if [ -n "${QRGATE_WEB_SHOTS:-}" ]; then screenshot "$QRGATE_WEB_SHOTS/attendance.png"; fi
	# Tuesday excused in the form, the day picked by a click on its cell.
	js "$(att_cell 2026-11-24).click();
	    document.getElementById('c-field').value = 'excused';
	    document.getElementById('c-why').value = 'annual leave';
	    document.querySelector('#correct button[type=submit]').click(); return true;" >/dev/null
	page_wait "Tuesday excused" "$(att_cell 2026-11-24).textContent == '*'"
	expect_eq "absent now" "$(js "return [...document.querySelectorAll('#grid tr[data-person=\"W-1\"] td.sum')].map((e) => e.textContent).join(' ')")" \
		"8.1 0 19"
	expect_eq "audit" "$(a db_sql "SELECT user_name || ' ' || what || ': ' || detail FROM audit WHERE what = 'attendance-correct'")" \
		"hr attendance-correct: attendance correct W-1 2026-11-24 excused: annual leave"
	expect_eq "events untouched" "$(a db_sql 'SELECT count(*) FROM events')" 2
}

echo "web: the live page, the config pushes, people, the visitor desk and attendance end to end (qrgated, mosquitto, qrgate-aggregator, Chromium)"
passed=0 failed=0
# The logs stay for a failed run.
trap 'driver_stop; [ "$failed" -eq 0 ] && rm -rf "$WORK"' EXIT
driver_start || { echo "web: 0 passed, 1 failed"; exit 1; }
for t in $(declare -F | awk '$3 ~ /^test_e2e/ {print $3}'); do
	( set -e; trap agg_cleanup EXIT; "$t" ) >"$WORK/$t.out" 2>&1
	if [ $? -eq 0 ]; then
		passed=$((passed + 1))
		echo "  ok   $t"
	else
		failed=$((failed + 1))
		echo "  FAIL $t"
		sed 's/^/    /' "$WORK/$t.out" | tail -20
		for f in "$WORK"/web_e2e-sqlite/agg.log "$WORK"/web_e2e_gate/qrgated.log \
		    "$WORK"/web_people-sqlite/agg.log "$WORK"/web_people_gate/qrgated.log \
		    "$WORK"/web_confpush-sqlite/agg.log "$WORK"/web_confpush_gate/qrgated.log \
		    "$WORK"/web_visitor-sqlite/agg.log "$WORK"/web_visitor_gate/qrgated.log \
		    "$WORK"/web_attendance-sqlite/agg.log; do
			[ -f "$f" ] && { echo "    --- $f"; tail -10 "$f" | sed 's/^/    /'; }
		done
	fi
done
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
