# Helpers for the web tests: the stub aggregator (build/agg/web-stub) with
# a FIFO for its commands, a bounded poll, a tally, and a WebDriver client
# (chromedriver's W3C HTTP API through curl and jq) for headless Chromium.
# Sourced by tests/agg/test_web*.sh, which set BUILD and WORK.

. "$(dirname "${BASH_SOURCE[0]}")/lib_login.sh"

# The stub's users unless a test gives its own (STUB_USERS): a guard.
STUB_GUARD="guard:guard,security:guard-pw"

passed=0 failed=0
STUB_PID="" PORT="" T=""
DRIVER_PID="" DRIVER_PORT="" SESSION=""

# run_test NAME [TAG]: runs the function NAME in a subshell; tallies it.
run_test() {
	local name=$1 tag=${2:-} out rc
	T="$WORK/$name$tag"
	mkdir -p "$T"
	out=$( (set -e; trap stub_stop EXIT; "$name") 2>&1)
	rc=$?
	# A sanitizer build of the stub reports on stderr, at exit too.
	if [ -f "$T/stub.err" ] && grep -q 'Sanitizer\|runtime error:' "$T/stub.err"; then
		rc=1
		out="$out
the stub's sanitizer reported an error"
	fi
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "  ok   $name$tag"
	else
		failed=$((failed + 1))
		echo "  FAIL $name$tag"
		printf '%s\n' "$out" | sed 's/^/    /' | tail -30
		[ -f "$T/stub.err" ] && sed 's/^/    stub: /' "$T/stub.err" | tail -15
	fi
}

# wait_until WHAT SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_until() {
	local what=$1 secs=$2 i
	shift 2
	for i in $(seq 1 $((secs * 20))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "timed out after $secs s waiting for $what"
	return 1
}

# fails COMMAND...: COMMAND must fail (a bare "! cmd" never stops set -e).
fails() {
	if "$@"; then
		echo "should have failed: $*"
		return 1
	fi
	return 0
}

expect_eq() {	# expect_eq WHAT GOT WANT
	[ "$2" = "$3" ] && return 0
	echo "$1: got \"$2\", want \"$3\""
	return 1
}

# A TCP port no socket uses, below the kernel's ephemeral range.
free_port() {
	local p low
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	for _ in $(seq 1 100); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# stub_start [web-stub options...]: starts it in $T with the user guard
# (password guard-pw; roles guard and security) signed in, its cookie in
# $T/jar-guard; sets STUB_PID, PORT.
stub_start() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	: >"$T/stub.out"
	"${STUB:-$BUILD/agg/web-stub}" --web-root "$SRCDIR/src/agg/web" --fifo "$T/fifo" \
		--user "$STUB_GUARD" --sessions "$T/sessions" "$@" >"$T/stub.out" 2>>"$T/stub.err" &
	STUB_PID=$!
	wait_until "the stub to serve" 10 grep -q '^port ' "$T/stub.out" || return 1
	PORT=$(sed -n 's/^port //p' "$T/stub.out")
	login "$(url '')" guard guard-pw
}

stub_send() { printf '%s\n' "$*" >"$T/fifo"; }

stub_stop() {
	local pid=$STUB_PID
	STUB_PID=""
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	stub_send quit
	wait_until "the stub to stop" 10 sh -c "! kill -0 $pid 2>/dev/null" ||
		kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

url() { echo "${STUB_SCHEME:-http}://${STUB_HOST:-127.0.0.1}:$PORT$1"; }

# gcurl CURL_ARGS...: curl as the signed-in guard.
gcurl() { curl -b "$T/jar-guard" "$@"; }

# status [curl options...] PATH: the HTTP status of one request, as the
# guard; anon_status: without a session.
status() {
	local path=${*: -1}
	gcurl -s -o /dev/null -w '%{http_code}' --max-time 10 "${@:1:$#-1}" "$(url "$path")"
}
anon_status() {
	local path=${*: -1}
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${@:1:$#-1}" "$(url "$path")"
}

# WebDriver: chromedriver on a free port, one headless Chromium session.
have_chromium() {
	command -v chromedriver >/dev/null 2>&1 &&
		{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
}

wd() {	# wd METHOD PATH [JSON]: one WebDriver call; prints the answer
	local method=$1 path=$2 body=${3:-}
	if [ -n "$body" ]; then
		curl -s --max-time 60 -X "$method" -H 'Content-Type: application/json' \
			-d "$body" "http://127.0.0.1:$DRIVER_PORT$path"
	else
		curl -s --max-time 60 -X "$method" "http://127.0.0.1:$DRIVER_PORT$path"
	fi
}

driver_start() {
	local caps bin
	bin=$(command -v chromium || command -v chromium-browser)
	DRIVER_PORT=$(free_port)
	chromedriver --port="$DRIVER_PORT" >"$WORK/chromedriver.log" 2>&1 &
	DRIVER_PID=$!
	wait_until "chromedriver" 20 curl -sf "http://127.0.0.1:$DRIVER_PORT/status" || return 1
	# Root needs --no-sandbox; a fixed window makes the screenshots alike.
	caps=$(jq -nc --arg bin "$bin" --arg dir "$WORK/chromium-profile" '{capabilities: {alwaysMatch: {
		browserName: "chrome", "goog:chromeOptions": {binary: $bin, args: ["--headless=new",
		"--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
		"--user-data-dir=" + $dir, "--no-first-run", "--lang=en-GB"]}}}}')
	SESSION=$(wd POST /session "$caps" | jq -r '.value.sessionId // empty')
	[ -n "$SESSION" ] || { echo "no WebDriver session"; tail -5 "$WORK/chromedriver.log"; return 1; }
}

driver_stop() {
	[ -n "$SESSION" ] && wd DELETE "/session/$SESSION" >/dev/null
	SESSION=""
	if [ -n "$DRIVER_PID" ]; then
		kill "$DRIVER_PID" 2>/dev/null
		wait "$DRIVER_PID" 2>/dev/null
	fi
	DRIVER_PID=""
	# Chromium writes its profile as it exits: the caller removes it next.
	wait_until "Chromium to exit" 10 sh -c "! pgrep -f -- '[-]-user-data-dir=$WORK/chromium-profile'"
}

browse() {	# browse URL
	wd POST "/session/$SESSION/url" "$(jq -nc --arg u "$1" '{url: $u}')" >/dev/null
}

# js SCRIPT: runs SCRIPT (a function body) in the page; prints its value.
js() {
	wd POST "/session/$SESSION/execute/sync" \
		"$(jq -nc --arg s "$1" '{script: $s, args: []}')" | jq -r '.value'
}

# page_is JS_EXPRESSION: true when the expression is true in the page.
page_is() { [ "$(js "return Boolean($1);")" = true ]; }

# page_wait WHAT JS_EXPRESSION: polls for it, 10 s at most.
page_wait() {
	local what=$1
	shift
	wait_until "the page to show $what" 10 page_is "$1"
}

# browser_login NAME PASSWORD: signs in on the login page, as a person
# would, and waits for the page it leads to.
browser_login() {
	browse "$(url /login.html)"
	page_wait "the login form" "document.getElementById('name')"
	js "document.getElementById('name').value = $(jq -n --arg v "$1" '$v');
	    document.getElementById('password').value = $(jq -n --arg v "$2" '$v');
	    document.getElementById('submit').click(); return true;" >/dev/null
	page_wait "the signed-in page" "document.body.dataset.user == $(jq -n --arg v "$1" '$v')"
}

screenshot() {	# screenshot FILE.png
	wd GET "/session/$SESSION/screenshot" | jq -r .value | base64 -d >"$1"
}
