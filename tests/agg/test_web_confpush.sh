#!/usr/bin/env bash
# IT pushes a config from the page: a real qrgated on a real mosquitto,
# the real qrgate-aggregator holding the admin key, headless Chromium.
# IT signs in, sees a push refused with its problems at their lines,
# then pushes to the whole site and sees the gate's answer: applied, then
# refused with the gate's own reason.
# Prints "web: N passed, M failed"; exits 77 outside CI when Chromium, the
# aggregator or mosquitto is missing.
# Usage: tests/agg/test_web_confpush.sh [BUILD_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRCDIR"

skip() {
	if [ "${CI:-}" = true ]; then
		echo "web: confpush: $1 in CI"
		echo "web: 0 passed, 1 failed"
		exit 1
	fi
	echo "web: confpush skipped: $1"
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

WORK=$(mktemp -d /tmp/qrgate-webconfpush.XXXXXX)
export BUILD SRCDIR WORK
. tests/integration/lib.sh
. tests/integration/lib_mqtt.sh
. tests/agg/lib.sh
BACKEND=sqlite
AGG_T=""

answer_of() { echo "document.querySelector('#pushes tr[data-version=\"$1\"] li[data-gate=\"it-gate\"]')"; }

# page_type ID TEXT: sets a field as a person types it.
page_type() { js "document.getElementById('$1').value = $(jq -n --arg v "$2" '$v'); return true;" >/dev/null; }
page_click() { js "document.getElementById('$1').click(); return true;" >/dev/null; }

test_confpush_page() {
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

echo "web: config pushes from the page (qrgated, mosquitto, qrgate-aggregator, Chromium)"
passed=0 failed=0
trap 'driver_stop; [ "$failed" -eq 0 ] && rm -rf "$WORK"' EXIT
driver_start || { echo "web: 0 passed, 1 failed"; exit 1; }
for t in test_confpush_page; do
	( set -e; trap agg_cleanup EXIT; "$t" ) >"$WORK/$t.out" 2>&1
	if [ $? -eq 0 ]; then
		passed=$((passed + 1))
		echo "  ok   $t"
	else
		failed=$((failed + 1))
		echo "  FAIL $t"
		sed 's/^/    /' "$WORK/$t.out" | tail -20
		for f in "$WORK"/web_confpush-sqlite/agg.log "$WORK"/web_confpush_gate/qrgated.log; do
			[ -f "$f" ] && { echo "    --- $f"; tail -10 "$f" | sed 's/^/    /'; }
		done
	fi
done
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
