#!/usr/bin/env bash
# The aggregator's HTTP side with curl, against the stub aggregator: only
# the page's files and the API are served, only GET, HEAD and POST, the
# security headers, signing in and its rationing, sessions and their
# cookie, the roles table, CSRF tokens and origins, POST bodies and file
# replies, HTTPS, the refusal to serve beyond loopback without a user or
# HTTPS, and a live page that does not read being dropped with memory
# bounded.
# Prints "web: N passed, M failed".
# Usage: tests/agg/test_web.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
SRCDIR=$PWD
case $BUILD in /*) ;; *) BUILD=$SRCDIR/$BUILD ;; esac
. tests/agg/lib_web.sh
WORK=$(mktemp -d /tmp/qrgate-web.XXXXXX)
trap 'stub_stop; rm -rf "$WORK"' EXIT

if [ ! -x "$BUILD/agg/web-stub" ]; then
	echo "web: $BUILD/agg/web-stub is not built (make web-stub)"
	echo "web: 0 passed, 1 failed"
	exit 1
fi

test_page_files_and_headers() {
	stub_start
	gcurl -s -D "$T/h" -o "$T/index" "$(url /)"
	grep -q '^HTTP/1.1 200' "$T/h"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
	grep -qi '^Content-Type: text/html' "$T/h"
	cmp -s "$T/index" src/agg/web/index.html
	gcurl -s -D "$T/h" -o "$T/js" "$(url /app.js)"
	grep -qi '^Content-Type: text/javascript' "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
	cmp -s "$T/js" src/agg/web/app.js
	gcurl -s -D "$T/h" -o "$T/css" "$(url /style.css)"
	grep -qi '^Content-Type: text/css' "$T/h"
	cmp -s "$T/css" src/agg/web/style.css
	# The page's requests share a connection (keep-alive).
	gcurl -sv -o /dev/null -o /dev/null "$(url /)" "$(url /app.js)" 2>"$T/v"
	grep -q 'Re-using existing connection' "$T/v"
	# HEAD: the headers, no body.
	expect_eq "HEAD /" "$(gcurl -s -I -o /dev/null -w '%{http_code}' "$(url /)")" 200
	expect_eq "HEAD body" "$(gcurl -s --head "$(url /)" | sed '1,/^\r$/d' | wc -c)" 0
}

test_api_through_source() {
	stub_start
	gcurl -s -D "$T/h" -o "$T/gates" "$(url /api/gates)"
	grep -q '^HTTP/1.1 200' "$T/h"
	grep -qi '^Content-Type: application/json' "$T/h"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h"
	jq -e 'length == 4 and .[0].gate == "north-1"' "$T/gates" >/dev/null
	jq -e '.headcount.hq == 127' <(gcurl -s "$(url /api/headcount)") >/dev/null
	# The source's statuses pass through: 404 unknown, 400 bad, NULL 500.
	expect_eq "unknown what" "$(status /api/nothing)" 404
	expect_eq "bad limit" "$(status '/api/recent?limit=abc')" 400
	jq -e '.error | test("limit")' <(gcurl -s "$(url '/api/recent?limit=abc')") >/dev/null
	expect_eq "good limit" "$(status '/api/recent?limit=5')" 200
	stub_send "fail alarms"
	wait_until "the stub to fail alarms" 10 grep -q 'failing alarms' "$T/stub.err"
	expect_eq "source failed" "$(status /api/alarms)" 500
	# More parameters than struct agg_web_query holds: 400, not a crash.
	local q="" i
	for i in $(seq 1 20); do q="$q&p$i=$i"; done
	expect_eq "too many parameters" "$(status "/api/recent?${q#&}")" 400
	# What is not [a-z0-9-]+, or no line of the roles table, never
	# reaches the source.
	expect_eq "what no line names" "$(status /api/gates1)" 404
	expect_eq "what with a capital" "$(status /api/Gates)" 404
	expect_eq "empty what" "$(status /api/)" 404
	expect_eq "nested what" "$(status /api/gates/x)" 404
}

test_unknown_paths_and_traversal_404() {
	stub_start
	local p
	for p in /nope /index.html /web/app.js /src/agg/web/app.js /events \
	    /events/live/x /app.js/ /style.css.bak /.git/config /favicon.ico \
	    /../../../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /app.js/../../../etc/passwd \
	    /api/../../etc/passwd /..%2f..%2fetc%2fpasswd //etc/passwd /%00 \
	    '/app.js%00.html' /agg_web.h /../agg_web.h; do
		expect_eq "GET $p" "$(status --path-as-is "$p")" 404
		fails grep -q 'root:' <(curl -s --path-as-is "$(url "$p")")
	done
	# Through a raw socket too, where no client tidies the path.
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET ../../etc/passwd HTTP/1.0\r\n\r\n' >&3
	fails grep -q 'root:' <&3
	exec 3<&-
}

test_only_get_head_and_post() {
	stub_start
	local m p
	for m in PUT DELETE PATCH OPTIONS; do
		for p in / /app.js /api/gates /events/live /nope /login; do
			expect_eq "$m $p" "$(status -X "$m" "$p")" 405
		done
	done
	for p in / /app.js /events/live /nope /login.html; do
		expect_eq "POST $p" "$(status -X POST "$p")" 405
	done
	curl -s -D "$T/h" -o /dev/null -X PUT -d 'x=1' "$(url /api/gates)"
	grep -qi '^Allow: GET, HEAD, POST' "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
	# A POST of a what the roles table has only for GET: not found.
	expect_eq "POST gates" "$(as_status guard -X POST -d '{}' "$(url /api/gates)")" 404
}

test_live_stream_publishes() {
	stub_start
	gcurl -sN --max-time 20 "$(url /events/live)" >"$T/sse" 2>/dev/null &
	local cpid=$!
	wait_until "the stream to open" 10 grep -q '^retry: ' "$T/sse"
	stub_send 'alarm {"site":"hq","gate":"north-1","alarm":"fire-alarm","active":true,"ts_ms":1}'
	stub_send 'event {"site":"hq","gate":"north-1","result":"denied","note":"line\nbreak"}'
	wait_until "two events" 10 grep -q '^event: event' "$T/sse"
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
	grep -q '^event: alarm$' "$T/sse"
	expect_eq "alarm data" "$(sed -n '/^event: alarm$/{n;p}' "$T/sse" | sed 's/^data: //' | jq -r .alarm)" fire-alarm
	# A line break in the data stays escaped inside the one data line.
	expect_eq "event data" "$(sed -n '/^event: event$/{n;p}' "$T/sse" | sed 's/^data: //' | jq -r .note)" "line
break"
	gcurl -s -D "$T/h" -o /dev/null --max-time 2 "$(url /events/live)" || true
	grep -qi '^Content-Type: text/event-stream' "$T/h"
}

# A page whose user holds no role that may see names (IT) gets the live
# stream without them; the guard's has them.
test_live_stream_names_by_role() {
	stub_start --user "it:it:it-pw" --user "hr:hr:hr-pw"
	login "$(url '')" it it-pw
	login "$(url '')" hr hr-pw
	expect_eq "hr: no stream" "$(as_status hr "$(url /events/live)")" 403
	as guard -N --max-time 20 "$(url /events/live)" >"$T/guard.sse" 2>/dev/null &
	local gpid=$!
	as it -N --max-time 20 "$(url /events/live)" >"$T/it.sse" 2>/dev/null &
	local ipid=$!
	wait_until "both streams" 10 sh -c "grep -q '^retry: ' '$T/guard.sse' && grep -q '^retry: ' '$T/it.sse'"
	stub_send 'event {"site":"hq","gate":"north-1","subject":"**0042","name":"Nguyễn Văn An","seq":1}'
	stub_send 'event {"site":"hq","gate":"north-1","subject":"**0043","seq":2}'
	wait_until "the events" 10 sh -c "grep -q '\"seq\":2' '$T/guard.sse' && grep -q '\"seq\":2' '$T/it.sse'"
	kill "$gpid" "$ipid" 2>/dev/null; wait "$gpid" "$ipid" 2>/dev/null || true
	expect_eq "guard" "$(sed -n 's/^data: //p' "$T/guard.sse" | jq -r 'select(.seq == 1) | "\(.subject) \(.name)"')" "**0042 Nguyễn Văn An"
	expect_eq "it" "$(sed -n 's/^data: //p' "$T/it.sse" | jq -r 'select(.seq == 1) | "\(.subject) \(.name // "none")"')" "**0042 none"
	expect_eq "it, no name anywhere" "$(grep -c 'Nguy' "$T/it.sse")" 0
}

# A page that goes away is the normal end of a live stream: no warning
# (libmicrohttpd's "Failed to send the chunked response body" was logged
# for every browser disconnect), and the page is forgotten.
test_live_page_gone_quietly() {
	stub_start
	local i cpid
	for i in 1 2 3; do
		gcurl -sN --max-time 20 "$(url /events/live)" >"$T/sse$i" 2>/dev/null &
		cpid=$!
		wait_until "stream $i to open" 10 grep -q '^retry: ' "$T/sse$i"
		kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
		# Written to the closed socket until the write fails.
		stub_send "event {\"site\":\"hq\",\"gate\":\"north-1\",\"seq\":$i}"
		stub_send "event {\"site\":\"hq\",\"gate\":\"north-1\",\"seq\":$i}"
	done
	# A page that reads gets the next event: the stub went on.
	gcurl -sN --max-time 20 "$(url /events/live)" >"$T/last" 2>/dev/null &
	cpid=$!
	wait_until "the last stream" 10 grep -q '^retry: ' "$T/last"
	stub_send 'event {"site":"hq","gate":"north-1","seq":9}'
	wait_until "the event" 10 grep -q '"seq":9' "$T/last"
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
	stub_send 'event {"site":"hq","gate":"north-1","seq":10}'
	stub_send 'event {"site":"hq","gate":"north-1","seq":11}'
	stub_send 'quit'
	wait_until "the stub to stop" 10 sh -c "! kill -0 $STUB_PID"
	if grep -i 'failed\|warn\|error' "$T/stub.err"; then
		echo "a page going away was logged"; return 1
	fi
}

# Without a session: the login page and what it needs, nothing else.
test_login_required() {
	stub_start
	local p
	curl -s -D "$T/h" -o /dev/null "$(url /)"
	grep -q '^HTTP/1.1 303' "$T/h"
	grep -qi '^Location: /login.html' "$T/h"
	for p in /login.html /login.js /common.js /style.css; do
		expect_eq "anon $p" "$(anon_status "$p")" 200
	done
	for p in /app.js /api/gates /api/session /events/live /users.js; do
		expect_eq "anon $p" "$(anon_status "$p")" 401
	done
	expect_eq "anon users.html" "$(anon_status /users.html)" 303
	# A cookie of the right shape that is no session: still nobody.
	expect_eq "forged cookie" "$(anon_status -b "qrgate_session=$(printf '%064d' 7)" /api/gates)" 401
	# With the guard's session: its page and its API.
	expect_eq "guard /" "$(status /)" 200
	expect_eq "guard gates" "$(status /api/gates)" 200
}

test_login_cookie_and_session() {
	stub_start
	curl -s -D "$T/h" -o "$T/body" -c "$T/jar" -H 'Content-Type: application/json' \
		--data '{"name":"guard","password":"guard-pw"}' "$(url /login)"
	grep -q '^HTTP/1.1 200' "$T/h"
	grep -qiE '^Set-Cookie: qrgate_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200' "$T/h"
	fails grep -qi 'Secure' "$T/h"
	as guard "$(url /api/session)" >"$T/s"
	expect_eq "user" "$(jq -r .user "$T/s")" guard
	expect_eq "roles" "$(jq -r '.roles | join(",")' "$T/s")" "guard,security"
	expect_eq "csrf" "$(jq -r '.csrf | test("^[0-9a-f]{64}$")' "$T/s")" true
	expect_eq "pages" "$(jq -r '[.pages[] | .href + "=" + .title] | join(" ")' "$T/s")" "/=Live /muster.html=Muster /audit.html=Audit /visitor.html=Visitors"
	# Wrong passwords, unknown names, bodies that are not a login.
	expect_eq "wrong" "$(anon_status -H 'Content-Type: application/json' --data '{"name":"guard","password":"nope"}' /login)" 401
	expect_eq "nobody" "$(anon_status --data '{"name":"nobody","password":"guard-pw"}' /login)" 401
	expect_eq "not json" "$(anon_status --data 'name=guard&password=guard-pw' /login)" 400
	expect_eq "no body" "$(anon_status -X POST /login)" 400
	grep -q 'wrong name or password from 127.0.0.1' "$T/stub.err"
	grep -q 'guard signed in from 127.0.0.1' "$T/stub.err"
	# Signing out: needs the token; then the session is gone.
	expect_eq "logout without token" "$(status -X POST /logout)" 403
	expect_eq "logout" "$(as_status guard -X POST "$(url /logout)")" 200
	expect_eq "after logout" "$(status /api/gates)" 401
	# Unused for session_idle_min (30): ended.
	login "$(url '')" guard guard-pw
	expect_eq "fresh" "$(status /api/gates)" 200
	stub_send "age 1801"
	wait_until "the stub to age the sessions" 10 grep -q 'sessions aged' "$T/stub.err"
	expect_eq "idle" "$(status /api/gates)" 401
}

# The roles table: a what no line names is 404, a role no line gives 403;
# every POST needs the session's CSRF token and, with an Origin, this
# server's.
test_roles_csrf_and_origin() {
	stub_start --user "admin:admin:admin-pw" --user "hr:hr:hr-pw"
	login "$(url '')" admin admin-pw
	login "$(url '')" hr hr-pw
	expect_eq "hr gates" "$(as_status hr "$(url /api/gates)")" 403
	expect_eq "hr live" "$(as_status hr "$(url /events/live)")" 403
	# HR's first page is People, not the live page.
	expect_eq "hr /" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$T/jar-hr" "$(url /)")" \
		"303 $(url /people.html)"
	expect_eq "hr people-add, guard" "$(as_status guard -X POST -d '{}' "$(url /api/people-add)")" 403
	expect_eq "hr muster.html" "$(as_status hr "$(url /muster.html)")" 200
	expect_eq "guard people.html" "$(status /people.html)" 403
	expect_eq "hr home" "$(as_status hr "$(url /home.html)")" 200
	expect_eq "anon home" "$(anon_status /home.html)" 303
	expect_eq "hr app.js" "$(as_status hr "$(url /app.js)")" 403
	expect_eq "guard users" "$(status /api/users)" 403
	expect_eq "guard users.html" "$(status /users.html)" 403
	expect_eq "guard user-add" "$(as_status guard -X POST -d '{}' "$(url /api/user-add)")" 403
	expect_eq "no such what" "$(as_status admin "$(url /api/nothing-here)")" 404
	expect_eq "admin /" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$T/jar-admin" "$(url /)")" \
		"303 $(url /users.html)"
	local body='{"name":"x","roles":["hr"]}'
	expect_eq "with token" "$(as admin -H 'Content-Type: application/json' -d "$body" "$(url /api/user-add)" | jq -r .body)" "$body"
	expect_eq "no token" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-admin" -d "$body" "$(url /api/user-add)")" 403
	expect_eq "another's token" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-admin" \
		-H "X-CSRF-Token: $(cat "$T/csrf-hr")" -d "$body" "$(url /api/user-add)")" 403
	expect_eq "token, no cookie" "$(curl -s -o /dev/null -w '%{http_code}' \
		-H "X-CSRF-Token: $(cat "$T/csrf-admin")" -d "$body" "$(url /api/user-add)")" 401
	expect_eq "other origin" "$(as_status admin -H 'Origin: http://evil.example' -d "$body" "$(url /api/user-add)")" 403
	expect_eq "null origin" "$(as_status admin -H 'Origin: null' -d "$body" "$(url /api/user-add)")" 403
	expect_eq "own origin" "$(as_status admin -H "Origin: $(url '')" -d "$body" "$(url /api/user-add)")" 200
	expect_eq "login from elsewhere" "$(anon_status -H 'Origin: http://evil.example' \
		--data '{"name":"guard","password":"guard-pw"}' /login)" 403
}

# A POST's body reaches the handler whole up to its bound; a file reply
# is a download.
test_bodies_and_files() {
	stub_start --user "admin:admin:admin-pw"
	login "$(url '')" admin admin-pw
	head -c 300000 /dev/urandom | base64 -w0 | jq -Rc '{blob: .}' >"$T/big.json"
	expect_eq "300 kB body" "$(as admin -H 'Content-Type: application/json' --data-binary "@$T/big.json" \
		"$(url /api/user-add)" | jq -r .len)" "$(stat -c %s "$T/big.json")"
	head -c $((4 * 1024 * 1024 + 1)) /dev/zero >"$T/huge"
	expect_eq "over 4 MB" "$(as_status admin --data-binary "@$T/huge" "$(url /api/user-add)")" 413
	expect_eq "after" "$(as_status admin -d '{}' "$(url /api/user-add)")" 200
	gcurl -s -D "$T/h" -o "$T/daily.csv" "$(url /api/daily)"
	grep -qi '^Content-Type: text/csv' "$T/h"
	grep -qi '^Content-Disposition: attachment; filename="daily.csv"' "$T/h"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h"
	expect_eq "csv" "$(head -1 "$T/daily.csv")" "gate,scans"
}

# Full password checks are rationed: past a burst, an address whose
# checks failed waits, and so does everyone once the loop's share is
# used (a check costs tens of milliseconds of the one loop).
test_login_rate_limited() {
	# Everyone's checks come back at one each 3 s, not 1 s: on a loaded
	# machine a check can take most of a second.
	stub_start --login-rate-ms 3000
	local i codes=""
	for i in 1 2 3 4 5 6; do
		codes="$codes $(anon_status --data '{"name":"guard","password":"guess'$i'"}' /login)"
	done
	expect_eq "one address" "$codes" " 401 401 401 401 401 429"
	# Even the right password, from that address, for now.
	expect_eq "right, too soon" "$(anon_status --data '{"name":"guard","password":"guard-pw"}' /login)" 429
	grep -q 'too many sign-ins; refused 127.0.0.1 unchecked' "$T/stub.err"
	# Twelve other addresses at once, each with its own allowance whole:
	# the loop's share (a burst of ten, then one each 3 s) refuses some.
	local pids=()
	for i in $(seq 2 13); do
		curl -s -o "$T/r$i" -w '%{http_code}' --interface "127.0.0.$i" \
			--data '{"name":"guard","password":"nope"}' "$(url /login)" >"$T/c$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$T"/c[0-9]* | grep -q 429 || { echo "no address was refused: $(cat "$T"/c[0-9]*)"; return 1; }
	# It comes back: an address gets in.
	wait_until "127.0.0.20 to be let in" 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.20 \
		--data '{\"name\":\"guard\",\"password\":\"guard-pw\"}' '$(url /login)')\" = 200 ]"
}

test_refuses_wide_bind() {
	local addr
	for addr in 0.0.0.0 :: 192.0.2.1; do
		: >"$T/stub.err"
		fails "$STUB" --bind "$addr" --web-root src/agg/web 2>"$T/stub.err" </dev/null
		grep -q "refusing to serve on $addr without a user" "$T/stub.err"
		fails "$STUB" --bind "$addr" --user "$STUB_GUARD" --web-root src/agg/web 2>"$T/stub.err" </dev/null
		grep -q "refusing to serve on $addr without HTTPS" "$T/stub.err"
	done
	# Loopback in either family needs neither.
	STUB_HOST="[::1]" stub_start --bind ::1
	expect_eq "::1" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-guard" "http://[::1]:$PORT/")" 200
	stub_stop
	STUB_HOST=127.0.0.2 stub_start --bind 127.0.0.2
	expect_eq "127.0.0.2" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-guard" "http://127.0.0.2:$PORT/")" 200
	stub_stop
	# Told plain HTTP is wanted (a TLS proxy in front), 0.0.0.0 is served.
	stub_start --bind 0.0.0.0 --plain-http
	expect_eq "0.0.0.0 plain" "$(status /)" 200
	expect_eq "0.0.0.0 anon" "$(anon_status /api/gates)" 401
	stub_stop
	# Nonsense is refused: half a certificate, a name, a missing root.
	fails "$STUB" --cert /etc/hostname --web-root src/agg/web 2>"$T/stub.err" </dev/null
	grep -q 'needs both web.cert_file and web.key_file' "$T/stub.err"
	fails "$STUB" --bind localhost --web-root src/agg/web 2>"$T/stub.err" </dev/null
	grep -q 'not a numeric' "$T/stub.err"
	fails "$STUB" --web-root "$T/nothing" 2>"$T/stub.err" </dev/null
	grep -q 'index.html' "$T/stub.err"
}

# HTTPS with libmicrohttpd's TLS (Debian's is built with GnuTLS): the
# console served only over it, beyond loopback too, its cookie Secure.
test_https() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
	STUB_SCHEME=https stub_start --bind 0.0.0.0 --cert "$T/cert.pem" --key "$T/key.pem"
	grep -q "serving on 0.0.0.0 port $PORT, HTTPS" "$T/stub.err"
	expect_eq "https, verified" "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" \
		-b "$T/jar-guard" "https://127.0.0.1:$PORT/api/gates")" 200
	curl -sk -D "$T/h" -o /dev/null --data '{"name":"guard","password":"guard-pw"}' "https://127.0.0.1:$PORT/login"
	grep -qiE '^Set-Cookie: qrgate_session=[0-9a-f]{64}; .*; Secure' "$T/h"
	# Plain HTTP on that port is no answer.
	fails curl -s -o /dev/null --max-time 5 -f "http://127.0.0.1:$PORT/"
}

test_port_taken_refused() {
	stub_start
	fails "$STUB" --port "$PORT" --web-root src/agg/web 2>"$T/taken.err" </dev/null
	grep -q "port $PORT" "$T/taken.err"
}

rss_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$STUB_PID/status"; }

# A page that stops reading while 40 MB of events go out: it is dropped,
# the stub's memory stays bounded, and a page that reads gets them all.
test_slow_client_dropped_memory_bounded() {
	stub_start
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /events/live HTTP/1.1\r\nHost: x\r\nCookie: qrgate_session=%s\r\n\r\n' \
		"$(awk '$6 == "qrgate_session" { print $7 }' "$T/jar-guard")" >&3
	gcurl -sN --max-time 60 "$(url /events/live)" >"$T/fast" 2>/dev/null &
	local cpid=$! before peak
	wait_until "the reading page" 10 grep -q '^retry: ' "$T/fast"
	# The peak from here: signing in (crypto_pwhash's 64 MB, freed) is
	# not the stream's.
	echo 5 >"/proc/$STUB_PID/clear_refs"
	before=$(rss_kb VmRSS)
	stub_send flood 40000 1000
	wait_until "the flood" 60 grep -q 'flooded 40000 events' "$T/stub.err"
	wait_until "the last event at the reading page" 30 grep -q '"seq":39999' "$T/fast"
	peak=$(rss_kb VmHWM)
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
	exec 3<&-
	grep -q 'dropped a live page' "$T/stub.err"
	expect_eq "dropped pages" "$(grep -c 'dropped a live page' "$T/stub.err")" 1
	expect_eq "events at the reading page" "$(grep -c '^event: event$' "$T/fast")" 40000
	echo "rss before ${before} kB, peak ${peak} kB"
	# Unbounded, the silent page would hold tens of MB.
	[ $((peak - before)) -lt 8192 ] || { echo "memory grew by $((peak - before)) kB"; return 1; }
	# The stub still serves.
	expect_eq "after" "$(status /api/gates)" 200
}

echo "web: HTTP side (curl, stub aggregator)"
STUB=$BUILD/agg/web-stub
for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
	[ -n "${WEB_ONLY:-}" ] && [[ $t != *$WEB_ONLY* ]] && continue
	run_test "$t"
done
# Again under ASan and UBSan when that build is there (make units), with
# ASan's quarantine small enough for the memory bound to be seen.
if [ -x "$BUILD/san/agg/web-stub" ]; then
	STUB=$BUILD/san/agg/web-stub
	export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=1}
	for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
		[ -n "${WEB_ONLY:-}" ] && [[ $t != *$WEB_ONLY* ]] && continue
		run_test "$t" .san
	done
fi
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
