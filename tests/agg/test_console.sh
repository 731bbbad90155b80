# The console's accounts on the real aggregator, on both databases: the
# user commands; each role signed in sees exactly its pages and gets 403
# from the others' questions; a POST without the CSRF token is refused;
# a session cookie of another aggregator (another database) is refused;
# and the audit table holds every write made here and nothing else.

# The roles table's answer for each role, as a test reads it: the code
# of GET /api/WHAT for a user holding that one role.
console_expect() {
	local role=$1 what=$2
	case "$role:$what" in
	guard:gates|guard:alarms|guard:headcount|guard:recent|guard:inside) echo 200 ;;
	security:gates|security:alarms|security:headcount|security:recent) echo 200 ;;
	security:inside|security:events|security:daily|security:gaps) echo 200 ;;
	security:stats|security:audit) echo 200 ;;
	it:gates|it:alarms|it:daily|it:gaps|it:stats) echo 200 ;;
	tracer:inside|tracer:events|tracer:trace) echo 200 ;;
	admin:stats|admin:audit|admin:users) echo 200 ;;
	guard:visitors|security:visitors|tracer:visitors) echo 200 ;;
	hr:people|hr:muster|guard:muster|security:muster) echo 200 ;;
	*) echo 403 ;;
	esac
}

test_console_roles_csrf_and_audit() {
	agg_setup console
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	local role base what got want pages urls
	local questions="gates alarms headcount recent inside events daily gaps stats audit users visitors people muster trace"
	for role in guard hr security it tracer admin; do
		agg_user "$role-1" "$role"
	done
	# The commands: a name taken, roles unknown, no password.
	echo pw | aq user add guard-1 --roles guard 2>"$T/err" && { echo "added twice"; return 1; }
	grep -q 'guard-1 exists' "$T/err"
	set +e
	echo pw | aq user add x --roles guard,janitor 2>/dev/null; expect_eq "bad role" $? 2 || return 1
	aq user add y --roles guard </dev/null 2>/dev/null; expect_eq "no password" $? 2 || return 1
	set -e
	expect_eq "list" "$(aq user list --json | jq -r '[.[] | .name + "=" + (.roles | join(","))] | join(" ")')" \
		"admin-1=admin guard-1=guard hr-1=hr it-1=it security-1=security tracer-1=tracer"
	agg_start
	base="http://127.0.0.1:$(agg_web_port)"
	for role in guard hr security it tracer admin; do
		login "$base" "$role-1" "$role-1-pw"
		pages=$(as "$role-1" "$base/api/session" | jq -r '[.pages[].title] | join(",")')
		case $role in
		guard) want=Live,Muster,Visitors ;; security) want=Live,Muster,Audit ;; admin) want=Users,Attendance,Audit ;;
		hr) want=People,Muster,Attendance ;; it) want="Config pushes" ;; *) want="" ;;
		esac
		expect_eq "$role's pages" "$pages" "$want"
		# One curl for the whole row of the table (-o for each URL): its
		# codes, in order.
		urls=() want=""
		for what in $questions; do
			urls+=(-o /dev/null)
			if [ "$what" = trace ]; then urls+=("$base/api/trace?subject=x"); else urls+=("$base/api/$what"); fi
			want="$want $what=$(console_expect "$role" "$what")"
		done
		got=$(as "$role-1" -w '%{http_code}\n' "${urls[@]}" |
			paste -d= <(printf '%s\n' $questions) - |
			tr '\n' ' ')
		expect_eq "$role's questions" "$got" "${want# } "
		expect_eq "$role users.html" "$(as_status "$role-1" "$base/users.html")" \
			"$([ $role = admin ] && echo 200 || echo 403)"
		expect_eq "$role POST user-add" "$(as_status "$role-1" -d '{"name":"z","password":"z","roles":"guard"}' \
			"$base/api/user-add")" "$([ $role = admin ] && echo 200 || echo 403)"
	done
	# Without the CSRF token: refused, nothing done, nothing audited.
	expect_eq "no token" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-admin-1" \
		-d '{"name":"w","password":"w","roles":"hr"}' "$base/api/user-add")" 403
	expect_eq "w not added" "$(db_sql "SELECT count(*) FROM users WHERE name = 'w'")" 0
	# Refused by the handler (400, 404): rolled back, not audited.
	expect_eq "bad roles" "$(as_status admin-1 -d '{"name":"v","password":"v","roles":"cook"}' "$base/api/user-add")" 400
	expect_eq "no such user" "$(as_status admin-1 -d '{"name":"nobody","roles":"hr"}' "$base/api/user-roles")" 404
	expect_eq "not yourself" "$(as_status admin-1 -d '{"name":"admin-1"}' "$base/api/user-del")" 400
	# Roles changed take effect at the next request; disabled ends sessions.
	expect_eq "hr roles" "$(as_status admin-1 -d '{"name":"hr-1","roles":["hr","guard"]}' "$base/api/user-roles")" 200
	expect_eq "hr now guard" "$(as_status hr-1 "$base/api/gates")" 200
	expect_eq "disable it-1" "$(as_status admin-1 -d '{"name":"it-1","disabled":true}' "$base/api/user-disable")" 200
	expect_eq "it-1 out" "$(as_status it-1 "$base/api/gates")" 401
	# A new password from the command line ends that user's sessions.
	echo 'new pw' | aq user passwd tracer-1
	expect_eq "tracer-1 out" "$(as_status tracer-1 "$base/api/events")" 401
	# Another site: a second aggregator on its own database, where
	# guard-1 exists too.  Neither takes the other's cookie.
	local T1=$T db1=$DB
	mkdir -p "$T/b"
	T=$T/b
	db_new t_console_b
	sed -e "s|^db = .*|db = $DB|" -e "s|^client_id = .*|client_id = agg-console-b|" "$T1/aggregator.conf" >"$T/aggregator.conf"
	echo guard-1-pw | "$BUILD/qrgate-aggregator" -c "$T/aggregator.conf" user add guard-1 --roles guard --db "$DB"
	"$BUILD/qrgate-aggregator" -c "$T/aggregator.conf" 2>"$T/agg.log" &
	local pid_b=$!
	mqtt_wait "the second aggregator's console" 10 grep -q 'web: serving on' "$T/agg.log"
	local base_b="http://127.0.0.1:$(agg_web_port)"
	login "$base_b" guard-1 guard-1-pw
	expect_eq "B's own" "$(as_status guard-1 "$base_b/api/gates")" 200
	expect_eq "A's cookie at B" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T1/jar-guard-1" "$base_b/api/gates")" 401
	expect_eq "B's cookie at A" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-guard-1" "$base/api/gates")" 401
	kill "$pid_b"
	wait "$pid_b" || true
	T=$T1 DB=$db1
	# Every write made here, in order, and nothing else: the commands'
	# (user "cli") and the admin's POSTs that were done.
	db_sql "SELECT user_name || '|' || what || '|' || detail FROM audit ORDER BY id" >"$T/audit"
	cat >"$T/want" <<'AUDIT'
cli|user|added user guard-1 (guard)
cli|user|added user hr-1 (hr)
cli|user|added user security-1 (security)
cli|user|added user it-1 (it)
cli|user|added user tracer-1 (tracer)
cli|user|added user admin-1 (admin)
admin-1|user-add|added user z (guard)
admin-1|user-roles|roles of hr-1: guard,hr
admin-1|user-disable|disabled user it-1
cli|user|new password for tracer-1
AUDIT
	diff "$T/want" "$T/audit"
	# The command reads it too, newest first.
	expect_eq "cli audit" "$(aq audit --limit 1 --json | jq -r '.[0].detail')" "new password for tracer-1"
	aq audit --csv | grep -q '^id,ts_ms,user,what,detail,time$'
	# And the admin reads it from the API, newest first.
	expect_eq "api audit" "$(as admin-1 "$base/api/audit?limit=2" | jq -r '[.[] | .detail] | join(";")')" \
		"new password for tracer-1;disabled user it-1"
}

# Full subjects (aggregator.tracing) only to the tracer, and each view of
# them an audit row that names what was asked, masked.
test_console_full_subjects_audited() {
	agg_setup console_full
	agg_option aggregator.tracing true
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_user tr-1 tracer
	agg_user sec-1 security
	agg_start
	local base
	base="http://127.0.0.1:$(agg_web_port)"
	login "$base" tr-1 tr-1-pw
	login "$base" sec-1 sec-1-pw
	as sec-1 -N --max-time 20 "$base/events/live" >"$T/sse" 2>/dev/null &
	local spid=$!
	mqtt_wait "the stream" 10 grep -q '^retry: ' "$T/sse"
	pub_ev g1 "$(ev 1 $((T0 + 1000)) '**4711' W-4711 entry granted | jq -c '.subject_full = "FULL-SUBJ-004711"')"
	pub_ev g1 "$(ev 2 $((T0 + 2000)) '**0815' W-0815 entry granted | jq -c '.subject_full = "FULL-SUBJ-000815"')"
	wait_events 2
	mqtt_wait "the events on the stream" 10 grep -q '"seq":2' "$T/sse"
	kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
	# Never on the live stream, whoever watches it.
	if grep -q 'FULL-SUBJ' "$T/sse"; then echo "a full subject on the stream"; return 1; fi
	local from=2026-11-27T00:00:00Z
	# Security: the events, masked; nothing to audit.
	expect_eq "security" "$(as sec-1 "$base/api/events?from=$from" | jq -r '[.[] | .subject_full // "none"] | join(",")')" "none,none"
	expect_eq "no audit yet" "$(db_sql 'SELECT count(*) FROM audit')" 2
	# The tracer: the full subjects, each view audited.
	expect_eq "tracer" "$(as tr-1 "$base/api/events?from=$from" | jq -r '[.[] | .subject_full] | join(",")')" \
		"FULL-SUBJ-004711,FULL-SUBJ-000815"
	as tr-1 "$base/api/trace?subject=FULL-SUBJ-004711&from=$from" | jq -e '.passages | length == 1' >/dev/null
	# A question that finds no full subject is no view of one.
	as tr-1 "$base/api/trace?subject=**9999&from=$from" >/dev/null
	db_sql "SELECT user_name || '|' || what || '|' || detail FROM audit WHERE user_name <> 'cli' ORDER BY id" >"$T/audit"
	printf '%s\n' "tr-1|events|viewed full subjects: events" \
		"tr-1|trace|viewed full subjects: trace ************4711" >"$T/want"
	diff "$T/want" "$T/audit"
}
