# Signing in to the console from a test: one cookie jar and CSRF token
# per user, in $T.  Sourced by tests/agg/lib.sh (the real aggregator)
# and tests/agg/lib_web.sh (the stub).

# login BASE_URL NAME PASSWORD: signs in, waiting out the login's
# rationing (429); the cookie goes to $T/jar-NAME, the CSRF token to
# $T/csrf-NAME.
login() {
	local base=$1 name=$2 pass=$3 code=""
	for _ in $(seq 1 100); do
		code=$(curl -sk -c "$T/jar-$name" -o "$T/login-$name" -w '%{http_code}' \
			-H 'Content-Type: application/json' \
			--data "$(jq -nc --arg n "$name" --arg p "$pass" '{name: $n, password: $p}')" \
			"$base/login")
		[ "$code" = 429 ] || break
		sleep 0.2
	done
	[ "$code" = 200 ] || { echo "login $name: $code $(cat "$T/login-$name")"; return 1; }
	jq -r .csrf "$T/login-$name" >"$T/csrf-$name"
}

# as NAME CURL_ARGS...: curl with NAME's session cookie and CSRF token.
as() {
	local name=$1
	shift
	curl -sk --max-time 10 -b "$T/jar-$name" -H "X-CSRF-Token: $(<"$T/csrf-$name")" "$@"
}

# as_status NAME [CURL_ARGS...] URL: the HTTP status of NAME's request.
as_status() {
	local name=$1
	shift
	as "$name" -o /dev/null -w '%{http_code}' "$@"
}
