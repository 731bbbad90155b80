# Config pushes from the aggregator's page (agg_confpush.c), through its
# API as IT: a push that does not check against the gate's table is
# refused with each problem at its line and nothing is published; with
# the admin key kept off the aggregator, a message signed offline with
# qrgatectl push config --sign-only is taken and applied at a real
# qrgated, whose answer the page then shows, while an unsigned message or
# one signed with another key is refused.

# cp_start: the aggregator with its page, and the user it (role it)
# signed in; $CP_URL is the page.
CP_URL=""
cp_start() {
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_start
	agg_login it it
	CP_URL="http://127.0.0.1:$(agg_web_port)"
}

# cp_post WHAT JSON: IT's POST; the answer in $T/answer, its status out.
cp_post() {
	as it -o "$T/answer" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data "$2" "$CP_URL/api/$1"
}

cp_answers() { as it "$CP_URL/api/config-pushes" | jq -r "$1"; }
cp_answers_are() { [ "$(cp_answers "$1")" = "$2" ]; }

# What reaches the gates' config topics, from now on, in $T/sub.out.
cp_listen() {
	mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -v -t 'qrgate/+/+/config/set' >"$T/sub.out" &
	CP_SUB=$!
	mqtt_wait "the listener" 10 cp_marker_seen start
}
cp_marker_seen() {
	pub qrgate/s1/marker/config/set "$1"
	grep -q "marker/config/set $1" "$T/sub.out"
}
# Every message of the config topics since cp_listen but the markers.
cp_heard() {
	mqtt_wait "the listener's end marker" 10 cp_marker_seen end
	kill "$CP_SUB"
	grep -v '^qrgate/s1/marker/' "$T/sub.out" || true
}

test_confpush_refused() {
	agg_setup confpush_refused
	qrgatectl keygen "$T/admin.key" >/dev/null
	agg_option config_push.admin_key_file "$T/admin.key"
	cp_start
	pub qrgate/s1/g1/status '{"state":"online","clean":false,"lane":"1","ts_ms":1}' -r
	mqtt_wait "the gate known" 10 agg_gate_state_is g1 online
	cp_listen
	local bad
	bad=$(jq -nc '{site: "s1", all: true, text: "[lane]\npulse_ms = 0\ndeny_ms = 200\n[camera]\nsource = /dev/video9\n[nosuch]\nx = 1\n"}')
	expect_eq "check" "$(cp_post config-check "$bad")" 400
	expect_eq "lines" "$(jq -c '[.errors[].line]' "$T/answer")" "[2,5,6]"
	expect_grep 'config:2: lane.pulse_ms: 0 is out of range 100..60000' "$T/answer"
	expect_grep 'config:5: camera.source: names a device or file of this gate' "$T/answer"
	expect_eq "push" "$(cp_post config-push "$bad")" 400
	expect_eq "the errors" "$(jq -r '.error' "$T/answer" | head -1)" "config:2: lane.pulse_ms: 0 is out of range 100..60000"
	# A gate the aggregator never heard of is no target either.
	expect_eq "unknown gate" "$(cp_post config-push '{"site":"s1","gates":["g9"],"text":"[lane]\ndeny_ms = 200\n"}')" 400
	# Another role: neither the pushes nor a push.
	agg_login guard-1 guard
	expect_eq "guard GET" "$(as_status guard-1 "$CP_URL/api/config-pushes")" 403
	expect_eq "guard POST" "$(as_status guard-1 -H 'Content-Type: application/json' \
		-d '{"site":"s1","all":true,"text":""}' "$CP_URL/api/config-push")" 403
	expect_eq "published" "$(cp_heard)" ""
	expect_eq "kept" "$(db_sql 'SELECT count(*) FROM config_pushes')" 0
	expect_eq "audited" "$(db_sql "SELECT count(*) FROM audit WHERE what LIKE 'config%'")" 0
	# The CLI's check: the same problems, as FILE:LINE.
	printf '[lane]\npulse_ms = 0\n' >"$T/push.ini"
	aq config-check --site s1 "$T/push.ini" >"$T/out" 2>"$T/err" && return 1
	expect_grep "^$T/push.ini:2: lane.pulse_ms: 0 is out of range" "$T/err"
	expect_eq "nothing printed" "$(cat "$T/out")" ""
}

agg_gate_state_is() { [ "$(aq_jq gates ".[] | select(.gate == \"$1\") | .state")" = "$2" ]; }

test_confpush_offline() {
	agg_setup confpush_offline
	local at=$T
	qrgatectl keygen "$T/admin.key" >/dev/null
	qrgatectl keygen "$T/other.key" >/dev/null
	# Only the public half here: the page cannot sign.
	agg_option config_push.admin_key "$(cat "$T/admin.key.pub")"
	cp_start
	gate_config "confpush_offline-$BACKEND/gate" blank.png
	T=$at
	set_option camera.loop true
	set_option security.admin_key "$(cat "$T/admin.key.pub")"
	gate_mqtt_section
	start_gate
	mqtt_wait "the gate online" 10 agg_gate_state_is it-gate online
	local text='{"site":"it-site","gates":["it-gate"],"text":"[lane]\ndeny_ms = 250\n"}'
	expect_eq "signed here" "$(cp_post config-push "$text")" 409
	expect_grep 'does not hold the admin key' "$T/answer"
	expect_eq "the page says so" "$(cp_answers .signs)" false
	expect_eq "check" "$(cp_post config-check "$text")" 200
	jq -r '.messages[0].message' "$T/answer" >"$T/msg.json"
	expect_eq "the message" "$(jq -c . "$T/msg.json")" \
		'{"topic":"it-site/it-gate/config/set","body":"{\"settings\":{\"lane.deny_ms\":\"250\"},\"version\":1}"}'
	# Unsigned, or signed with another key: refused, nothing sent.
	expect_eq "unsigned" "$(cp_post config-upload "$(jq -nc --rawfile s "$T/msg.json" '{site: "it-site", gate: "it-gate", signed: $s}')")" 400
	qrgatectl push config --sign-only "$T/msg.json" --key "$T/other.key" >"$T/other.json" 2>/dev/null
	expect_eq "another key" "$(cp_post config-upload "$(jq -nc --rawfile s "$T/other.json" '{site: "it-site", gate: "it-gate", signed: $s}')")" 400
	expect_grep "not the admin key's" "$T/answer"
	# Signed for the whole site, uploaded for one gate: refused.
	qrgatectl push config --sign-only "$T/msg.json" --key "$T/admin.key" >"$T/signed.json" 2>"$T/shown"
	expect_grep '  lane.deny_ms = "250"' "$T/shown"
	expect_eq "another topic" "$(cp_post config-upload "$(jq -nc --rawfile s "$T/signed.json" '{site: "it-site", all: true, signed: $s}')")" 400
	expect_eq "kept" "$(db_sql 'SELECT count(*) FROM config_pushes')" 0
	expect_eq "signed offline" "$(cp_post config-upload "$(jq -nc --rawfile s "$T/signed.json" '{site: "it-site", gate: "it-gate", signed: $s}')")" 200
	mqtt_wait "the gate's answer" 10 cp_answers_are '.pushes[0] | "\(.signed_by) \(.version) \(.gates[0].gate) \(.gates[0].answer)"' "offline 1 it-gate applied"
	expect_grep "config: gate push version 1 applied" "$T/qrgated.log"
	# A push the gate alone can refuse: its answer, with its reason.
	printf '[lane]\nentry = false\nexit = false\n' >"$T/both.ini"
	qrgatectl push config --sign-only <(aq config-check --site it-site --gate it-gate "$T/both.ini") --key "$T/admin.key" >"$T/both.json" 2>/dev/null
	expect_eq "upload" "$(cp_post config-upload "$(jq -nc --rawfile s "$T/both.json" '{site: "it-site", gate: "it-gate", signed: $s}')")" 200
	mqtt_wait "the refusal" 10 cp_answers_are '.pushes[0] | "\(.version) \(.gates[0].answer) \(.gates[0].reason)"' "2 refused invalid"
	expect_eq "why" "$(cp_answers '.pushes[0].gates[0].error')" "push: lane.entry and lane.exit are both false: the lane runs no way"
	expect_eq "the first still held" "$(cp_answers '.pushes[1].gates[0].answer')" applied
	expect_eq "audited" "$(db_sql "SELECT count(*) FROM audit WHERE what = 'config-upload'")" 2
	stop_gate
}
