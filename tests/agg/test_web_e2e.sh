#!/usr/bin/env bash
# The console end to end: a real qrgated publishing to a real mosquitto,
# the real qrgate-aggregator serving the pages, headless Chromium showing
# them.
# A decision at the gate appears on the open page (live, not by a reload),
# a fire alarm appears and clears, and the gate killed turns offline; IT
# pushes a config from its page and sees the gate's answers.
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
for tool in mosquitto jq sqlite3; do
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

echo "web: the live page end to end (qrgated, mosquitto, qrgate-aggregator, Chromium)"
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
		    "$WORK"/web_confpush-sqlite/agg.log "$WORK"/web_confpush_gate/qrgated.log; do
			[ -f "$f" ] && { echo "    --- $f"; tail -10 "$f" | sed 's/^/    /'; }
		done
	fi
done
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
