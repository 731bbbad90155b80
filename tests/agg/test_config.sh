# The aggregator's config: read by the gate's settings engine, so `-n`
# reports every error as FILE:LINE like `qrgated -n`, booleans take the
# gate's spellings, values are quoted the same way, and `-E` prints an
# annotated example that loads back.

agg_conf_dir() {
	T="$WORK/$1-$BACKEND"
	rm -rf "$T"
	mkdir -p "$T"
}

test_config_check_and_example() {
	agg_conf_dir config_check_and_example
	"$BUILD/qrgate-aggregator" -E >"$T/example.conf"
	expect_grep '^\[broker\]$' "$T/example.conf"
	expect_grep '^# boolean: true/false (or yes/no, on/off, 1/0)$' "$T/example.conf"
	expect_grep '^tracing = false$' "$T/example.conf"
	"$BUILD/qrgate-aggregator" -n -c "$T/example.conf" >"$T/out"
	expect_eq "example" "$(cat "$T/out")" "configuration OK"
	# The gate's spellings of a boolean, in any case.
	cat >"$T/ok.conf" <<OK
[broker]
tls = off
[aggregator]
tracing = On
sites = a, b
[web]
enabled = NO
OK
	"$BUILD/qrgate-aggregator" -n -c "$T/ok.conf" >"$T/out"
	expect_eq "spellings" "$(cat "$T/out")" "configuration OK"
}

# An admin's conffile from 0.16 (kept by the package upgrade) still sets
# the page's old password: it loads, the line ignored with a warning that
# names it, rather than the aggregator stopping at the upgrade.
test_config_retired_password_hash() {
	agg_conf_dir config_retired_password_hash
	printf '[broker]\nhost = broker.site\n[web]\npassword_hash = $argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA\n' >"$T/old.conf"
	"$BUILD/qrgate-aggregator" -n -c "$T/old.conf" >"$T/out" 2>"$T/err"
	expect_eq "loads" "$(cat "$T/out")" "configuration OK"
	expect_grep "old.conf:4: web.password_hash is no longer read, and is ignored: the console signs in users" "$T/err"
	# Set on the command line it is still a mistake.
	if "$BUILD/qrgate-aggregator" -n -c "$T/old.conf" -o web.password_hash=x >/dev/null 2>&1; then
		echo "-o web.password_hash accepted"
		return 1
	fi
}

# An unknown key and a bad boolean, among others, each with its file and
# line, all of them reported.
test_config_errors_with_lines() {
	agg_conf_dir config_errors_with_lines
	cat >"$T/bad.conf" <<BAD
[broker]
hostt = typo
port = 80x
[aggregator]
tracing = maybe
sites = a/b
[nosuch]
x = 1
BAD
	if "$BUILD/qrgate-aggregator" -n -c "$T/bad.conf" >"$T/out" 2>"$T/err"; then
		echo "bad config accepted"
		return 1
	fi
	cat >"$T/want" <<WANT
$T/bad.conf:2: unknown key broker.hostt
$T/bad.conf:3: broker.port: "80x" is not an integer
$T/bad.conf:5: aggregator.tracing: "maybe" is not a boolean (true/false/yes/no/on/off/1/0)
$T/bad.conf:6: aggregator.sites: "a/b" is not a site: one topic level, or * alone
$T/bad.conf:7: unknown section [nosuch]
WANT
	diff -u "$T/want" "$T/err"
	[ ! -s "$T/out" ]
	# A daemon with a bad config never starts.
	if "$BUILD/qrgate-aggregator" -c "$T/bad.conf" 2>/dev/null; then
		echo "started with a bad config"
		return 1
	fi
}

# -o sets one setting over the file, as qrgated's does: applied after the
# file, checked like a line of it, an error named by its -o.
test_config_overrides() {
	agg_conf_dir config_overrides
	printf '[web]\nenabled = true\n' >"$T/web.conf"
	"$BUILD/qrgate-aggregator" -n -c "$T/web.conf" -o web.enabled=off \
		-o aggregator.sites=a,b >"$T/out"
	expect_eq "overrides taken" "$(cat "$T/out")" "configuration OK"
	if "$BUILD/qrgate-aggregator" -n -c "$T/web.conf" -o web.enabled=maybe \
		-o broker.hostt=x >"$T/out" 2>"$T/err"; then
		echo "bad overrides accepted"
		return 1
	fi
	cat >"$T/want" <<WANT
-o web.enabled=maybe: web.enabled: "maybe" is not a boolean (true/false/yes/no/on/off/1/0)
-o broker.hostt=x: unknown key broker.hostt
WANT
	diff -u "$T/want" "$T/err"
}
