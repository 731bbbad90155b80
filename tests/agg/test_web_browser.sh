#!/usr/bin/env bash
# The live page in headless Chromium (chromedriver's WebDriver API through
# curl and jq), against the stub aggregator: gates and headcount on load,
# an event published appears, an alarm appears and clears, a gate's state
# change shows, the page reloads its state when the stream comes back,
# what a gate sends is shown as text, and signing in and out in a browser.
# Screenshots go to $QRGATE_WEB_SHOTS when it is set (docs/aggregator.md's), else
# to a scratch directory where they are only checked to be PNG images.
# Prints "web: N passed, M failed"; exits 77 without Chromium (not in CI).
# Usage: tests/agg/test_web_browser.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
SRCDIR=$PWD
case $BUILD in /*) ;; *) BUILD=$SRCDIR/$BUILD ;; esac
. tests/agg/lib_web.sh

if ! have_chromium; then
	if [ "${CI:-}" = true ]; then
		echo "web: chromium or chromedriver missing in CI"
		echo "web: 0 passed, 1 failed"
		exit 1
	fi
	echo "web: skipped: chromium and chromium-driver are not installed (make deps)"
	exit 77
fi
if [ ! -x "$BUILD/agg/web-stub" ]; then
	echo "web: $BUILD/agg/web-stub is not built (make web-stub)"
	echo "web: 0 passed, 1 failed"
	exit 1
fi
WORK=$(mktemp -d /tmp/qrgate-webui.XXXXXX)
SHOTS=${QRGATE_WEB_SHOTS:-$WORK/shots}
mkdir -p "$SHOTS"
trap 'stub_stop; driver_stop; rm -rf "$WORK"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# event SEQ RESULT REASON SUBJECT GATE [DIRECTION [AGO_S]]: one decision
# as a gate publishes it.
event() {
	local ts=$(($(now_ms) - ${7:-0} * 1000)) site=hq
	case $5 in east-*) site=depot ;; esac
	jq -nc --argjson seq "$1" --arg result "$2" --arg reason "$3" --arg subject "$4" \
		--arg gate "$5" --arg site "$site" --arg dir "${6:-entry}" --argjson ts "$ts" --arg id "$(printf '%032x' "$1")" '{
		event_id: $id, seq: $seq, rev: 0, ts_ms: $ts, time: ($ts / 1000 | floor | todate),
		gate: $gate, site: $site, lane: "1", direction: $dir, type: "scan", kind: "badge",
		subject: $subject, credential_id: "", result: $result, reason: $reason,
		passage: "pending", decode_us: 2100, latency_us: 8400}'
}

open_page() {
	browser_login guard guard-pw
	page_wait "the gates" "document.querySelectorAll('#gates li').length >= 4"
	page_wait "the stream" "document.getElementById('conn').classList.contains('up')"
}

test_gates_and_headcount_on_load() {
	stub_start
	open_page
	expect_eq "gates" "$(js "return [...document.querySelectorAll('#gates li')].map(l => l.dataset.gate + '=' + l.dataset.state).join(' ')")" \
		"hq/dock-1=stale depot/east-1=online hq/north-1=online hq/north-2=online"
	expect_eq "headcount" "$(js "return [...document.querySelectorAll('#headcount li')].map(l => l.dataset.site + '=' + l.querySelector('.count').textContent).join(' ')")" \
		"depot=18 hq=127"
	page_is "document.querySelector('#gates li .seen').textContent.startsWith('heartbeat ')"
	page_is "!document.getElementById('no-alarms').hidden"
	page_is "document.querySelectorAll('#alarms li').length == 0"
}

test_event_appears() {
	stub_start
	open_page
	stub_send "event $(event 41 denied expired '**4711' north-1)"
	page_wait "the denial" "document.querySelector('#events tr[data-result=denied]')"
	expect_eq "row" "$(js "return [...document.querySelector('#events tr').cells].map(c => c.textContent).slice(1).join('|')")" \
		"north-1 · hq|→ in|DENIED|expired|**4711"
	page_is "getComputedStyle(document.querySelector('#events tr.denied')).backgroundColor != 'rgba(0, 0, 0, 0)'"
	stub_send "event $(event 42 granted granted '**0001' north-2 exit)"
	page_wait "the grant on top" "document.querySelector('#events tr').dataset.result == 'granted'"
	expect_eq "rows" "$(js "return document.querySelectorAll('#events tr').length")" 2
	expect_eq "grant" "$(js "return document.querySelector('#events tr .way').textContent + ' ' + document.querySelector('#events tr .subject').textContent")" \
		"← out **0001"
	page_is "document.getElementById('no-events').hidden"
	# The passage update of the same event replaces its row.
	stub_send "event $(event 42 granted granted '**0001' north-2 exit | jq -c '.rev = 1 | .passage = "passed"')"
	stub_send 'headcount {"headcount":{"hq":126},"total":126}'
	page_wait "the headcount" "document.querySelector('#headcount li[data-site=hq] .count').textContent == '126'"
	# A site nobody is inside any more shows 0.
	expect_eq "depot" "$(js "return document.querySelector('#headcount li[data-site=depot] .count').textContent")" 0
	expect_eq "rows after the update" "$(js "return document.querySelectorAll('#events tr').length")" 2
}

test_alarm_appears_and_clears() {
	stub_start
	open_page
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"fire-alarm\",\"active\":true,\"detail\":\"\",\"ts_ms\":$(now_ms)}"
	page_wait "the alarm" "document.querySelector('#alarms li[data-alarm=\"hq/north-1/fire-alarm\"]')"
	expect_eq "alarm" "$(js "return document.querySelector('#alarms li .alarm-name').textContent + ' at ' + document.querySelector('#alarms li .alarm-gate').textContent")" \
		"fire alarm at north-1 · hq"
	page_is "document.getElementById('no-alarms').hidden && document.body.classList.contains('alarmed')"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"dock-1\",\"alarm\":\"held-open\",\"active\":true,\"detail\":\"lane 1\",\"ts_ms\":$(now_ms)}"
	page_wait "two alarms" "document.querySelectorAll('#alarms li').length == 2"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"fire-alarm\",\"active\":false,\"ts_ms\":$(now_ms)}"
	page_wait "the fire alarm to clear" "document.querySelectorAll('#alarms li').length == 1"
	expect_eq "left" "$(js "return document.querySelector('#alarms li').dataset.alarm")" "hq/dock-1/held-open"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"dock-1\",\"alarm\":\"held-open\",\"active\":false,\"ts_ms\":$(now_ms)}"
	page_wait "no alarm" "document.querySelectorAll('#alarms li').length == 0 && !document.getElementById('no-alarms').hidden"
	page_is "!document.body.classList.contains('alarmed')"
}

# Until the alarms are known the page does not say "No open alarms" in
# green (it did, from the page's HTML, while its data loaded or when
# /api/alarms failed): it says it is loading, in grey.
test_alarms_loading_not_calm() {
	stub_start
	stub_send 'fail alarms'
	open_page
	page_wait "a load" "Number(document.body.dataset.loaded) >= 1"
	expect_eq "text" "$(js "return document.getElementById('no-alarms').textContent")" "Loading alarms…"
	page_is "!document.getElementById('no-alarms').hidden && document.getElementById('no-alarms').className == 'pending'"
	page_is "getComputedStyle(document.getElementById('no-alarms')).color != getComputedStyle(document.querySelector('li.gate.online .badge')).color"
	# An alarm from the stream still shows; when it ends, loading again.
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"forced\",\"active\":true,\"ts_ms\":$(now_ms)}"
	page_wait "the alarm" "document.querySelectorAll('#alarms li').length == 1 && document.getElementById('no-alarms').hidden"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"forced\",\"active\":false,\"ts_ms\":$(now_ms)}"
	page_wait "no alarm" "document.querySelectorAll('#alarms li').length == 0"
	expect_eq "still loading" "$(js "return document.getElementById('no-alarms').textContent")" "Loading alarms…"
	# Loaded: calm.
	stub_send 'fail none'
	browse "$(url /)"
	page_wait "the calm" "document.getElementById('no-alarms').textContent == 'No open alarms' && document.getElementById('no-alarms').className == 'calm'"
}

# An offline gate is an alarm: in the bar, with since when; gone when it
# is back (it showed in the gate list only).  A stale gate is not.
test_offline_gate_in_alarm_bar() {
	stub_start
	open_page
	page_is "document.querySelectorAll('#alarms li').length == 0"
	stub_send "gate {\"site\":\"hq\",\"gate\":\"north-2\",\"state\":\"offline\",\"stale\":false,\"clean\":false,\"changed_ms\":$(($(now_ms) - 120000))}"
	page_wait "the offline alarm" "document.querySelector('#alarms li[data-alarm=\"hq/north-2/gate-offline\"]')"
	expect_eq "alarm" "$(js "return document.querySelector('#alarms li .alarm-name').textContent + ' at ' + document.querySelector('#alarms li .alarm-gate').textContent")" \
		"gate offline at north-2 · hq"
	page_is "document.querySelector('#alarms li .since').textContent.endsWith('(2 min ago)')"
	page_is "document.getElementById('no-alarms').hidden && document.body.classList.contains('alarmed')"
	# After a reload too, from /api/gates.
	browse "$(url /)"
	page_wait "the offline alarm on load" "document.querySelector('#alarms li[data-alarm=\"hq/north-2/gate-offline\"]')"
	page_wait "the stream" "document.getElementById('conn').classList.contains('up')"
	stub_send 'gate {"site":"hq","gate":"north-2","state":"online","stale":false}'
	page_wait "no alarm" "document.querySelectorAll('#alarms li').length == 0 && !document.getElementById('no-alarms').hidden"
}

# A repeated-denials alarm says which lane and which code (its detail was
# the reason again: "REPEATED DENIALS ... repeated-denials").
test_alarm_says_lane_and_code() {
	stub_start
	open_page
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"repeated-denials\",\"active\":true,\"lane\":\"2\",\"detail\":\"repeated-denials\",\"subject\":\"**4711\",\"event_id\":\"e1\",\"ts_ms\":$(now_ms)}"
	page_wait "the alarm" "document.querySelector('#alarms li .detail')"
	expect_eq "detail" "$(js "return document.querySelector('#alarms li .detail').textContent")" "lane 2, code **4711"
	# Lane-wide: the lane alone.  A detail of its own is shown as it is.
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-2\",\"alarm\":\"repeated-denials\",\"active\":true,\"lane\":\"1\",\"detail\":\"repeated-denials\",\"subject\":null,\"ts_ms\":$(now_ms)}"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"dock-1\",\"alarm\":\"held-open\",\"active\":true,\"lane\":\"1\",\"detail\":\"lane 1 open for 45 s\",\"ts_ms\":$(now_ms)}"
	page_wait "three alarms" "document.querySelectorAll('#alarms li').length == 3"
	expect_eq "lane-wide" "$(js "return document.querySelector('#alarms li[data-alarm=\"hq/north-2/repeated-denials\"] .detail').textContent")" "lane 1"
	expect_eq "own detail" "$(js "return document.querySelector('#alarms li[data-alarm=\"hq/dock-1/held-open\"] .detail').textContent")" "lane 1 open for 45 s"
}

test_gate_state_change_shows() {
	stub_start
	open_page
	stub_send 'gate {"site":"hq","gate":"north-2","state":"offline","stale":false,"clean":false}'
	page_wait "north-2 offline" "document.querySelector('#gates li[data-gate=\"hq/north-2\"]').dataset.state == 'offline'"
	# Trouble sorts first.
	expect_eq "first" "$(js "return document.querySelector('#gates li').dataset.gate")" "hq/north-2"
	expect_eq "badge" "$(js "return document.querySelector('#gates li[data-gate=\"hq/north-2\"] .badge').textContent")" offline
	stub_send 'gate {"site":"hq","gate":"north-2","state":"online","stale":false}'
	page_wait "north-2 online" "document.querySelector('#gates li[data-gate=\"hq/north-2\"]').dataset.state == 'online'"
	page_is "document.querySelector('#gates li[data-gate=\"hq/north-2\"] .seen').textContent.match(/^heartbeat [0-9]+ s ago$/) != null"
	stub_send 'gate {"site":"hq","gate":"north-1","state":"online","stale":true}'
	page_wait "north-1 stale" "document.querySelector('#gates li[data-gate=\"hq/north-1\"]').dataset.state == 'stale'"
	stub_send 'gate {"site":"depot","gate":"east-2","state":"online","stale":false}'
	page_wait "a new gate" "document.querySelector('#gates li[data-gate=\"depot/east-2\"]')"
}

# The stream drops (the aggregator restarts): the page says so, reconnects
# by itself and shows the state of the new one, not what it had.
test_reconnects_and_reloads() {
	stub_start
	open_page
	local port=$PORT loads
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"forced\",\"active\":true,\"ts_ms\":$(now_ms)}"
	page_wait "the alarm" "document.querySelectorAll('#alarms li').length == 1"
	loads=$(js "return document.body.dataset.loaded")
	stub_stop
	page_wait "the lost stream" "document.getElementById('conn').classList.contains('down')"
	stub_start --port "$port"
	wait_until "the page to reconnect and reload" 20 page_is "document.body.dataset.loaded > $loads && document.getElementById('conn').classList.contains('up')"
	page_wait "the alarm the new aggregator does not have to go" "document.querySelectorAll('#alarms li').length == 0"
	# And it is live again.
	stub_send 'gate {"site":"hq","gate":"north-1","state":"offline"}'
	page_wait "the change" "document.querySelector('#gates li[data-gate=\"hq/north-1\"]').dataset.state == 'offline'"
}

test_gate_data_is_text_not_html() {
	stub_start
	open_page
	stub_send "event $(event 7 denied unknown '<img src=x id=pwn onerror=document.title=1>' 'n<b>1</b>')"
	page_wait "the row" "document.querySelectorAll('#events tr').length == 1"
	page_is "document.getElementById('pwn') === null && document.querySelectorAll('#events b').length == 0"
	expect_eq "subject" "$(js "return document.querySelector('#events tr .subject').textContent")" \
		"<img src=x id=pwn onerror=document.title=1>"
}

# The login page in the browser: a wrong password is said so, the right
# one opens the live page with the navigation of the user's roles, and
# signing out ends the session.
test_login_in_browser() {
	stub_start --user "admin:admin:admin pw"
	browse "$(url /)"
	page_wait "the login page" "location.pathname == '/login.html' && document.getElementById('name')"
	js "document.getElementById('name').value = 'guard'; document.getElementById('password').value = 'nope';
	    document.getElementById('submit').click(); return true;" >/dev/null
	page_wait "the error" "!document.getElementById('error').hidden"
	expect_eq "error" "$(js "return document.getElementById('error').textContent")" "Wrong name or password."
	browser_login guard guard-pw
	page_wait "the gates" "document.querySelectorAll('#gates li').length == 4"
	expect_eq "nav" "$(js "return [...document.querySelectorAll('#nav a')].map(a => a.textContent).join(',')")" "Live,Muster,Audit,Visitors"
	expect_eq "who" "$(js "return document.getElementById('who').textContent")" guard
	# The cookie is HttpOnly: no script sees it.
	expect_eq "cookie" "$(js "return document.cookie")" ""
	stub_send "event $(event 9 granted granted '**0042' north-1)"
	page_wait "the event" "document.querySelectorAll('#events tr').length == 1"
	js "document.getElementById('signout').click(); return true;" >/dev/null
	page_wait "the login page again" "location.pathname == '/login.html'"
	browse "$(url /)"
	page_wait "still signed out" "location.pathname == '/login.html'"
	# The admin: the Users page, no live page.
	browser_login admin "admin pw"
	page_wait "the users page" "location.pathname == '/users.html'"
	expect_eq "admin nav" "$(js "return [...document.querySelectorAll('#nav a')].map(a => a.textContent).join(',')")" "Users,Attendance,Audit"
}

# docs/aggregator.md's screenshots: a busy morning at the site.
test_screenshots() {
	stub_start
	open_page
	local i=0 s
	while read -r res reason subj gate dir ago; do
		i=$((i + 1))
		stub_send "event $(event $((100 + i)) "$res" "$reason" "$subj" "$gate" "$dir" "$ago")"
	done <<'EVENTS'
granted granted **0117 north-1 entry 300
granted granted **2231 north-2 entry 260
denied expired **0945 north-1 entry 220
granted granted **3310 east-1 entry 190
granted granted **0117 north-1 exit 150
denied unknown **9999 north-2 entry 120
granted granted **5521 east-1 entry 90
denied wrong-direction **2231 north-2 exit 60
granted granted **7302 north-1 entry 30
granted granted **0412 east-1 entry 5
EVENTS
	page_wait "ten events" "document.querySelectorAll('#events tr').length == 10"
	js "return document.querySelectorAll('#events tr.fresh').forEach(r => r.classList.remove('fresh'))" >/dev/null
	screenshot "$SHOTS/live.png"
	stub_send 'gate {"site":"hq","gate":"north-2","state":"offline","stale":false,"clean":false}'
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"dock-1\",\"alarm\":\"held-open\",\"active\":true,\"detail\":\"lane 1 open for 45 s\",\"ts_ms\":$(($(now_ms) - 75000))}"
	stub_send "alarm {\"site\":\"hq\",\"gate\":\"north-1\",\"alarm\":\"fire-alarm\",\"active\":true,\"detail\":\"\",\"ts_ms\":$(now_ms)}"
	stub_send "event $(event 111 denied revoked '**6650' north-1)"
	page_wait "the alarms" "document.querySelectorAll('#alarms li').length == 3 && document.querySelectorAll('#events tr').length == 11"
	screenshot "$SHOTS/alarm.png"
	for s in live alarm; do
		[ "$(head -c 8 "$SHOTS/$s.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
			{ echo "$s.png is not a PNG"; return 1; }
	done
}

# Each role signs in and sees exactly its pages in the navigation.  A
# part of the console that adds a page adds its title here.
test_each_role_its_pages() {
	local role want
	stub_start --user "g:guard:pw" --user "h:hr:pw" --user "s:security:pw" \
		--user "i:it:pw" --user "t:tracer:pw" --user "a:admin:pw"
	for role in g:Live,Muster,Visitors h:People,Muster,Attendance s:Live,Muster,Audit "i:Config pushes" t: a:Users,Attendance,Audit; do
		want=${role#*:}
		browser_login "${role%%:*}" pw
		expect_eq "${role%%:*}'s pages" "$(js "return [...document.querySelectorAll('#nav a')].map(a => a.textContent).join(',')")" "$want"
		# Without a page of its own: the page that says so.
		[ -n "$want" ] || page_is "location.pathname == '/home.html' && document.getElementById('none')"
		js "document.getElementById('signout').click(); return true;" >/dev/null
		page_wait "signed out" "location.pathname == '/login.html'"
	done
}

# docs/console.md's screenshots: the login page and the admin's Users page.
test_console_screenshots() {
	stub_start --user "admin:admin:admin pw"
	browse "$(url /login.html)"
	page_wait "the login form" "document.getElementById('name')"
	screenshot "$SHOTS/login.png"
	browser_login admin "admin pw"
	page_wait "the users" "document.querySelectorAll('#users tr').length == 3"
	expect_eq "users" "$(js "return [...document.querySelectorAll('#users tr')].map(r => r.dataset.user + '=' + r.querySelector('.state').textContent).join(' ')")" \
		"admin=enabled an.nguyen=enabled binh.tran=disabled"
	page_is "document.querySelector('#users tr[data-user=\"an.nguyen\"] input[value=security]').checked"
	screenshot "$SHOTS/users.png"
	for s in login users; do
		[ "$(head -c 8 "$SHOTS/$s.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
			{ echo "$s.png is not a PNG"; return 1; }
	done
}

echo "web: the live page in headless Chromium (stub aggregator)"
driver_start || { echo "web: 0 passed, 1 failed"; exit 1; }
for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
	[ -n "${WEB_ONLY:-}" ] && [[ $t != *$WEB_ONLY* ]] && continue
	run_test "$t"
done
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
