# What the crash tests share (the kill -9 test of the integration tier and
# the power-cut tier, tests/powercut): the config pushes and credential
# patches they stream, each version telling whether what is on disk is
# one whole version, and the query of the store's state after a crash.
# Needs sql (a query on the gate's database) from the caller.

# Credentials every patch updates, so a patch is many rows.
CRASH_PATCH_ROWS=20

# The settings of config push version N, into CRASH_KV as KEY:VALUE:
# six at once, each a function of N, so that a stored document shows
# whether it is one whole version.
crash_config_settings() {
	local n=$1
	CRASH_KV=("lane.pulse_ms:$((100 + n % 20))" "lane.deny_ms:$((n % 500))"
		"lane.buzzer_ms:$((n % 300))" "lane.held_open_s:$((1 + n % 60))"
		"policy.deny_window_s:$((1 + n % 600))" "policy.deny_slow_s:$((n % 60))")
}

crash_config_doc() {
	local kv sep=""
	crash_config_settings "$1"
	printf '{"version":%d,"settings":{' "$1"
	for kv in "${CRASH_KV[@]}"; do
		printf '%s"%s":%s' "$sep" "${kv%%:*}" "${kv#*:}"
		sep=,
	done
	printf '}}'
}

# The credential patch of version N: renames CP-01.. to "vN" and adds P-N,
# all in one patch.
crash_patch_doc() {
	local n=$1 i sep=""
	printf '{"version":%d,"add":[{"id":"P-%d","kind":"badge","subject":"P-%d","name":"added by %d","status":"active"}],"update":[' \
		"$n" "$n" "$n" "$n"
	for ((i = 1; i <= CRASH_PATCH_ROWS; i++)); do
		printf '%s{"id":"CP-%02d","kind":"badge","subject":"CP-%02d","name":"v%d","status":"active"}' \
			"$sep" "$i" "$i" "$n"
		sep=,
	done
	printf ']}'
}

# The state of the store after a crash, one item a line: integrity, foreign
# keys broken, outbox depth minus its rows, granted rows per way, the
# config push kept (version, document), and the credential set (version,
# CP rows of that version, its P row, P rows of later versions).
crash_store_state() {
	sql "PRAGMA integrity_check;
		SELECT count(*) FROM pragma_foreign_key_check;
		SELECT (SELECT depth FROM outbox_meta) - (SELECT count(*) FROM outbox);
		SELECT (SELECT count(*) FROM events WHERE result = 'granted' AND direction = 'entry')
		    || ' ' || (SELECT count(*) FROM events WHERE result = 'granted' AND direction = 'exit');
		SELECT coalesce((SELECT version FROM sync_pushes WHERE scope = 'gate'), 0);
		SELECT coalesce((SELECT document FROM sync_pushes WHERE scope = 'gate'), '{}');
		SELECT s.cred_version
		    || ' ' || (SELECT count(*) FROM credentials WHERE id LIKE 'CP-%' AND
			name = CASE s.cred_version WHEN 0 THEN 'initial' ELSE 'v' || s.cred_version END)
		    || ' ' || (SELECT count(*) FROM credentials WHERE id = 'P-' || s.cred_version)
		    || ' ' || (SELECT count(*) FROM credentials WHERE id GLOB 'P-*' AND
			CAST(substr(id, 3) AS INTEGER) > s.cred_version)
		    FROM sync_state s;"
}

# crash_config_whole N DOCUMENT: DOCUMENT is config push version N with
# every setting of it.  Bash patterns: this runs after every kill, and
# starting jq would take longer than the rest of the round.
crash_config_whole() {
	local kv
	[[ $2 == *'"version":'"$1"[,'}']* ]] || { echo "    no version $1 in $2"; return 1; }
	crash_config_settings "$1"
	for kv in "${CRASH_KV[@]}"; do
		[[ $2 == *"\"${kv%%:*}\":${kv#*:}"[,'}']* ]] ||
			{ echo "    no $kv in $2"; return 1; }
	done
}

