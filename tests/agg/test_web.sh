#!/usr/bin/env bash
# The aggregator's HTTP side with curl, against the stub aggregator: only
# the page's files and the API are served, only GET and HEAD, the security
# headers, the password, the refusal to serve beyond loopback without one,
# and a live page that does not read being dropped with memory bounded.
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
	curl -s -D "$T/h" -o "$T/index" "$(url /)"
	grep -q '^HTTP/1.1 200' "$T/h"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
	grep -qi '^Content-Type: text/html' "$T/h"
	cmp -s "$T/index" src/agg/web/index.html
	curl -s -D "$T/h" -o "$T/js" "$(url /app.js)"
	grep -qi '^Content-Type: text/javascript' "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
	cmp -s "$T/js" src/agg/web/app.js
	curl -s -D "$T/h" -o "$T/css" "$(url /style.css)"
	grep -qi '^Content-Type: text/css' "$T/h"
	cmp -s "$T/css" src/agg/web/style.css
	# The page's requests share a connection (keep-alive).
	curl -sv -o /dev/null -o /dev/null "$(url /)" "$(url /app.js)" 2>"$T/v"
	grep -q 'Re-using existing connection' "$T/v"
	# HEAD: the headers, no body.
	expect_eq "HEAD /" "$(curl -s -I -o /dev/null -w '%{http_code}' "$(url /)")" 200
	expect_eq "HEAD body" "$(curl -s --head "$(url /)" | sed '1,/^\r$/d' | wc -c)" 0
}

test_api_through_source() {
	stub_start
	curl -s -D "$T/h" -o "$T/gates" "$(url /api/gates)"
	grep -q '^HTTP/1.1 200' "$T/h"
	grep -qi '^Content-Type: application/json' "$T/h"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h"
	jq -e 'length == 4 and .[0].gate == "north-1"' "$T/gates" >/dev/null
	jq -e '.headcount.hq == 127' <(curl -s "$(url /api/headcount)") >/dev/null
	# The source's statuses pass through: 404 unknown, 400 bad, NULL 500.
	expect_eq "unknown what" "$(status /api/nothing)" 404
	expect_eq "bad limit" "$(status '/api/recent?limit=abc')" 400
	jq -e '.error | test("limit")' <(curl -s "$(url '/api/recent?limit=abc')") >/dev/null
	expect_eq "good limit" "$(status '/api/recent?limit=5')" 200
	expect_eq "source failed" "$(status /api/fail)" 500
	# More parameters than struct agg_web_query holds: 400, not a crash.
	local q="" i
	for i in $(seq 1 20); do q="$q&p$i=$i"; done
	expect_eq "too many parameters" "$(status "/api/recent?${q#&}")" 400
	# What is not [a-z]+ never reaches the source.
	expect_eq "what with a digit" "$(status /api/gates1)" 404
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

test_only_get_and_head() {
	stub_start
	local m p
	for m in POST PUT DELETE PATCH OPTIONS; do
		for p in / /app.js /api/gates /events/live /nope; do
			expect_eq "$m $p" "$(status -X "$m" "$p")" 405
		done
	done
	curl -s -D "$T/h" -o /dev/null -X POST -d 'x=1' "$(url /api/gates)"
	grep -qi '^Allow: GET, HEAD' "$T/h"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
}

test_live_stream_publishes() {
	stub_start
	curl -sN --max-time 20 "$(url /events/live)" >"$T/sse" 2>/dev/null &
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
	curl -s -D "$T/h" -o /dev/null --max-time 2 "$(url /events/live)" || true
	grep -qi '^Content-Type: text/event-stream' "$T/h"
}

# A page that goes away is the normal end of a live stream: no warning
# (libmicrohttpd's "Failed to send the chunked response body" was logged
# for every browser disconnect), and the page is forgotten.
test_live_page_gone_quietly() {
	stub_start
	local i cpid
	for i in 1 2 3; do
		curl -sN --max-time 20 "$(url /events/live)" >"$T/sse$i" 2>/dev/null &
		cpid=$!
		wait_until "stream $i to open" 10 grep -q '^retry: ' "$T/sse$i"
		kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true
		# Written to the closed socket until the write fails.
		stub_send "event {\"site\":\"hq\",\"gate\":\"north-1\",\"seq\":$i}"
		stub_send "event {\"site\":\"hq\",\"gate\":\"north-1\",\"seq\":$i}"
	done
	# A page that reads gets the next event: the stub went on.
	curl -sN --max-time 20 "$(url /events/live)" >"$T/last" 2>/dev/null &
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

test_password_required() {
	local hash
	hash=$(echo 'correct horse' | "$STUB" --hash-password)
	[[ $hash == '$argon2id$'* ]]
	stub_start --password-hash "$hash"
	curl -s -D "$T/h" -o /dev/null "$(url /)"
	grep -q '^HTTP/1.1 401' "$T/h"
	grep -qi '^WWW-Authenticate: Basic realm="qrgate aggregator"' "$T/h"
	local p
	for p in / /app.js /api/gates /events/live /nope; do
		expect_eq "no password $p" "$(status "$p")" 401
	done
	expect_eq "wrong password" "$(status -u guard:wrong /)" 401
	expect_eq "empty password" "$(status -u guard: /)" 401
	# Full checks of wrong passwords are rationed: retry until the right
	# one is actually checked.
	wait_until "the right password to pass" 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -u 'guard:correct horse' '$(url /)')\" = 200 ]"
	expect_eq "api" "$(status -u 'guard:correct horse' /api/gates)" 200
	expect_eq "unknown, authenticated" "$(status -u 'guard:correct horse' /nope)" 404
	expect_eq "wrong again" "$(status -u 'guard:correct horsf' /)" 401
	curl -sN --max-time 3 -u 'guard:correct horse' "$(url /events/live)" >"$T/sse" || true
	grep -q '^retry: ' "$T/sse"
	grep -q 'wrong password from 127.0.0.1' "$T/stub.err"
}

test_refuses_wide_bind_without_password() {
	local addr
	for addr in 0.0.0.0 :: 192.0.2.1; do
		: >"$T/stub.err"
		fails "$STUB" --bind "$addr" --web-root src/agg/web 2>"$T/stub.err" </dev/null
		grep -q "refusing to serve on $addr without a password" "$T/stub.err"
	done
	# Loopback in either family needs none.
	stub_start --bind ::1
	expect_eq "::1" "$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/")" 200
	stub_stop
	stub_start --bind 127.0.0.2
	expect_eq "127.0.0.2" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.2:$PORT/")" 200
	stub_stop
	# With a password, 0.0.0.0 is served (and asks for it).
	stub_start --bind 0.0.0.0 --password-hash "$(echo pw | "$STUB" --hash-password)"
	expect_eq "0.0.0.0 with a password" "$(status /)" 401
	stub_stop
	# Nonsense is refused: a hash that is not one, a name, a missing root.
	fails "$STUB" --password-hash 'plaintext' --web-root src/agg/web 2>"$T/stub.err" </dev/null
	grep -q 'not one crypto_pwhash_str() makes' "$T/stub.err"
	fails "$STUB" --bind localhost --web-root src/agg/web 2>"$T/stub.err" </dev/null
	grep -q 'not a numeric' "$T/stub.err"
	fails "$STUB" --web-root "$T/nothing" 2>"$T/stub.err" </dev/null
	grep -q 'index.html' "$T/stub.err"
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
	printf 'GET /events/live HTTP/1.1\r\nHost: x\r\n\r\n' >&3
	curl -sN --max-time 60 "$(url /events/live)" >"$T/fast" 2>/dev/null &
	local cpid=$! before peak
	wait_until "the reading page" 10 grep -q '^retry: ' "$T/fast"
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
	run_test "$t"
done
# Again under ASan and UBSan when that build is there (make units), with
# ASan's quarantine small enough for the memory bound to be seen.
if [ -x "$BUILD/san/agg/web-stub" ]; then
	STUB=$BUILD/san/agg/web-stub
	export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=1}
	for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
		run_test "$t" .san
	done
fi
echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
