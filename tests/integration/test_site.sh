# qrgatectl site: a site made by the command alone (no openssl command, no
# hand-written config) runs: the broker with the generated config and ACL,
# the gates with their generated configs, the back office's signed push
# with its generated config; keys 0600 and never overwritten; a broker
# addressed by a name its certificate lacks, and a client of another
# site's CA, are refused; a client certificate near its end raises
# "cert-expiring" on the status and the alarm topic, and renew ends it.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

# site_broker_config DIR: the generated broker config, with only what a
# test must change: the loopback address, and what Debian's mosquitto.conf
# would set (who runs it, its persistence directory, where it logs).  The
# listener takes the name localhost, which binds each of its addresses
# (Debian 13's glibc gives ::1 before 127.0.0.1).
site_broker_config() {
	grep -q "^listener $BROKER_PORT$" "$1/broker/qrgate-site.conf"
	if grep -q "^persistence_location" "$1/broker/qrgate-site.conf"; then
		echo "the broker config sets what Debian's mosquitto.conf sets"; return 1
	fi
	sed -e "s|^listener $BROKER_PORT$|listener $BROKER_PORT localhost|" \
	    "$1/broker/qrgate-site.conf" >"$T/site-broker.conf"
	printf 'user %s\npersistence_location %s/\nlog_dest file %s\nlog_type all\n' \
		"$(id -un)" "$T" "$T/mosquitto.log" >>"$T/site-broker.conf"
}

# site_gate NAME: the gate's config is the test's (file camera, simulated
# GPIO, its own database and socket) and then the generated one whole.
site_gate() {
	cp "$T/base.conf" "$CONF"
	cat "$S/gates/$1/qrgate.conf" >>"$CONF"
	TOPIC=qg/hanoi/$1
}

# site_agg_granted AGGREGATOR-OPTIONS...: the aggregator stored a grant.
site_agg_granted() {
	"$BUILD/qrgate-aggregator" "$@" events --gate gate-a --json | grep -q granted
}

# site_agg_alarm AGGREGATOR-OPTIONS...: gate B's cert-expiring is open
# at the aggregator.
site_agg_alarm() {
	"$BUILD/qrgate-aggregator" "$@" alarms --json |
		jq -e 'any(.[]; .gate == "gate-b" and .alarm == "cert-expiring")' >/dev/null
}

test_site_provisioned_tls_acl_push_and_cert_alarm() {
	local S out k ops a b agg aggo agg_pid other
	gate_config site_provisioned badge-W0001.png
	mqtt_setup
	S=$T/site
	# The gates publish their status every 5 s (the test's [mqtt] lines).
	set_option mqtt.heartbeat_s 5

	out=$(qrgatectl site init "$S" --site hanoi --prefix qg \
		--broker-name localhost --broker-ip 192.0.2.1 \
		--port "$BROKER_PORT" --broker-dir "$S/broker" --days 30)
	grep -q '^broker/broker.crt: CN=localhost, 30 days, until ' <<<"$out"
	grep -q '^ca/ca.crt: CN=qrgate CA hanoi, 3650 days' <<<"$out"
	qrgatectl site add-gate "$S" gate-a --conf-dir "$S/gates/gate-a" >/dev/null
	out=$(qrgatectl site add-gate "$S" gate-b --days 2 --conf-dir "$S/gates/gate-b")
	grep -q '^gates/gate-b/mqtt.crt: CN=gate-b, 2 days, until ' <<<"$out"
	qrgatectl site add-aggregator "$S" agg1 --conf-dir "$S/aggregators/agg1" >/dev/null

	# Keys 0600 (the broker's 0640 when it went to group mosquitto),
	# certificates 0644.
	for k in ca/ca.key ops/ops.key gates/gate-a/mqtt.key \
	    gates/gate-b/mqtt.key aggregators/agg1/mqtt.key; do
		expect_eq "mode of $k" 600 "$(stat -c %a "$S/$k")" || return 1
	done
	expect_eq "mode of ops/admin.sk" 600 "$(stat -c %a "$S/ops/admin.sk")" || return 1
	case $(stat -c %a:%G "$S/broker/broker.key") in
	600:*|640:mosquitto) ;;
	*) echo "broker.key: $(stat -c %a:%G "$S/broker/broker.key")"; return 1 ;;
	esac
	expect_eq "mode of a certificate" 644 "$(stat -c %a "$S/gates/gate-a/mqtt.crt")" || return 1
	# The names and uses a TLS peer checks.
	openssl x509 -in "$S/broker/broker.crt" -noout -ext subjectAltName,extendedKeyUsage >"$T/broker.ext"
	expect_grep 'DNS:localhost, IP Address:192.0.2.1' "$T/broker.ext"
	expect_grep 'TLS Web Server Authentication' "$T/broker.ext"
	openssl x509 -in "$S/gates/gate-a/mqtt.crt" -noout -subject -ext extendedKeyUsage >"$T/gate-a.ext"
	expect_grep 'CN *= *gate-a' "$T/gate-a.ext"
	expect_grep 'TLS Web Client Authentication' "$T/gate-a.ext"

	# Nothing is overwritten without --force.
	k=$(sha256sum <"$S/gates/gate-a/mqtt.key")
	if qrgatectl site add-gate "$S" gate-a 2>"$T/again.err"; then
		echo "add-gate made gate-a twice"; return 1
	fi
	expect_grep 'is there already (--force' "$T/again.err"
	if qrgatectl site init "$S" --site x --broker-name localhost 2>/dev/null; then
		echo "init made the site twice"; return 1
	fi
	expect_eq "gate-a's key" "$k" "$(sha256sum <"$S/gates/gate-a/mqtt.key")" || return 1
	# A gate may not take a name the ACL gives a meaning.
	if qrgatectl site add-gate "$S" all 2>/dev/null; then
		echo "a gate named all was made"; return 1
	fi

	site_broker_config "$S"
	cp "$CONF" "$T/base.conf"
	MQTT_HOST=localhost
	ops=(--cafile "$S/ops/mqtt-ca.crt" --cert "$S/ops/ops.crt" --key "$S/ops/ops.key")
	a=(--cafile "$S/ops/mqtt-ca.crt" --cert "$S/gates/gate-a/mqtt.crt" --key "$S/gates/gate-a/mqtt.key")
	b=(--cafile "$S/ops/mqtt-ca.crt" --cert "$S/gates/gate-b/mqtt.crt" --key "$S/gates/gate-b/mqtt.key")
	agg=(--cafile "$S/ops/mqtt-ca.crt" --cert "$S/aggregators/agg1/mqtt.crt" --key "$S/aggregators/agg1/mqtt.key")
	broker_start "$T/site-broker.conf"
	SUB_PROBE=qg/probe/ops
	sub_start ops 'qg/#' "${ops[@]}"

	# The aggregator, with its generated config (its database and web
	# side the test's): it subscribes over TLS, as agg1.
	aggo=(-c "$S/aggregators/agg1/aggregator.conf" -o "aggregator.db=$T/agg.db" -o web.enabled=false)
	"$BUILD/qrgate-aggregator" "${aggo[@]}" 2>>"$T/agg.log" &
	agg_pid=$!
	MQTT_PIDS="$MQTT_PIDS $agg_pid"
	mqtt_wait "the aggregator to subscribe" 10 grep -q 'mqtt: subscribed' "$T/agg.log" ||
		{ tail -5 "$T/agg.log"; return 1; }
	expect_grep "as agg1 .*u'agg1'" "$T/mosquitto.log"

	# Gate A, with its generated config: TLS, its certificate, the
	# broker's name checked; its grant reaches the back office.
	site_gate gate-a
	start_gate
	wait_for "the TLS connection" status_is '.mqtt.state == "connected"'
	wait_idle
	mqtt_wait "gate A's grant at the back office" 10 sh -c \
		"grep '^$TOPIC/events ' '$T/ops.sub' | grep -q '\"reason\":\"granted\"'"
	expect_grep "New client connected .* as gate-a .*u'gate-a'" "$T/mosquitto.log"
	# The aggregator stored the grant.
	mqtt_wait "the grant at the aggregator" 10 site_agg_granted "${aggo[@]}"
	# A year's certificate: its end in the status, no alarm.
	status_is '.mqtt.cert.days_left >= 364 and (.mqtt.cert.expiring | not)' ||
		{ echo "gate A's certificate in the status: $(gate_status | jq -c .mqtt.cert)"; return 1; }

	# Gate B cannot read gate A's topics, only its own.
	SUB_PROBE=qg/hanoi/gate-b/cmd
	SUB_PROBE_ARGS=("${ops[@]}")
	sub_start b 'qg/hanoi/gate-a/#' -t qg/hanoi/gate-b/cmd "${b[@]}"
	pub qg/hanoi/gate-a/cmd '{"note":"for-a"}' "${ops[@]}"
	pub qg/hanoi/gate-b/cmd '{"note":"for-b"}' "${ops[@]}"
	mqtt_wait "gate B's own command" 10 grep -q for-b "$T/b.sub"
	if grep -q 'for-a\|gate-a/status\|gate-a/events' "$T/b.sub"; then
		echo "gate B read gate A's topics"; return 1
	fi
	# ... nor write them, nor may the aggregator, which reads them.
	pub qg/hanoi/gate-a/events '{"forged":"b"}' "${b[@]}"
	pub qg/hanoi/gate-a/events '{"forged":"agg"}' "${agg[@]}"
	pub qg/hanoi/gate-b/events '{"marker":"b"}' "${b[@]}"
	mqtt_wait "gate B's own event" 10 grep -q '"marker":"b"' "$T/ops.sub"
	if grep -q forged "$T/ops.sub"; then echo "a forgery got through"; return 1; fi
	# The aggregator writes the site's credential list (its people list,
	# signed with its own key) and the gates' config pushes, nothing else.
	expect_eq "aggregator writes" "$(sed -n '/^user agg1$/,/^$/p' "$S/broker/qrgate-site.acl" | grep '^topic write' | tr '\n' ' ')" \
		"topic write qg/hanoi/all/credentials/set topic write qg/hanoi/+/config/set "
	retained qg/hanoi/gate-a/status "${agg[@]}" | grep -q '"state":"online"'
	# Gate A itself, with its own certificate, writes its own topics only.
	pub qg/hanoi/gate-b/status '{"forged":"a"}' "${a[@]}"

	# The back office's signed push, from its generated config and key.
	out=$("$BUILD/qrgatectl" -c "$S/ops/ops.conf" push cmd lockdown \
		--gate gate-a --key "$S/ops/admin.sk" --wait-result)
	json_is '.ok and .cmd == "lockdown"' "$out"
	wait_for "the lockdown" status_is '.lockdown == true'
	# A credential list from a CSV, site-wide: the generated ACL lets the
	# gate read the site's credential topic (gate B has no status yet).
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nS-1,badge,S-1,n,,,active,*\n' >"$T/site.csv"
	out=$("$BUILD/qrgatectl" -c "$S/ops/ops.conf" push site-credentials --csv "$T/site.csv" \
		--version 3 --key "$S/ops/admin.sk" --wait-result 2>/dev/null) || { echo "the site's list: $out"; return 1; }
	json_is '.gate == "gate-a" and .ok and .applied == 1' "$out" || { echo "the site's list: $out"; return 1; }
	if grep -q forged "$T/ops.sub"; then echo "gate A wrote gate B's topics"; return 1; fi
	stop_gate

	# Gate B's certificate ends within 2 days: the alarm, with the days.
	site_gate gate-b
	start_gate
	wait_for "gate B's connection" status_is '.mqtt.state == "connected"'
	# (2 within the second the certificate was made: days left round down.)
	status_is '(.mqtt.cert.days_left == 1 or .mqtt.cert.days_left == 2) and .mqtt.cert.expiring' ||
		{ echo "gate B's certificate in the status: $(gate_status | jq -c .mqtt.cert)"; return 1; }
	mqtt_wait "the cert-expiring alarm" 10 sh -c "grep '^qg/hanoi/gate-b/alarm ' '$T/ops.sub' | grep -q '\"alarm\":\"cert-expiring\"'"
	json_is '.active and (.detail | test("^client certificate expires in [12] days, 20"))' \
		"$(sed -n 's|^qg/hanoi/gate-b/alarm [01] ||p' "$T/ops.sub" | grep cert-expiring | tail -1)"
	expect_grep 'ALARM cert-expiring: client certificate expires in [12] days' "$T/qrgated.log"
	mqtt_wait "the alarm at the aggregator" 10 site_agg_alarm "${aggo[@]}"
	qrgatectl status >"$T/status.txt"
	expect_grep '^cert .* days left: ALARM cert-expiring, renew it$' "$T/status.txt"
	stop_gate

	# Renewed with the same key, for 400 days: the next run has no alarm.
	k=$(sha256sum <"$S/gates/gate-b/mqtt.key")
	out=$(qrgatectl site renew "$S" gate-b --days 400)
	grep -q '^gates/gate-b/mqtt.crt: CN=gate-b, 400 days, until ' <<<"$out"
	expect_eq "gate-b's key after renew" "$k" "$(sha256sum <"$S/gates/gate-b/mqtt.key")" || return 1
	start_gate
	wait_for "gate B's connection" status_is '.mqtt.state == "connected"'
	status_is '.mqtt.cert.days_left >= 399 and .mqtt.cert.days_left <= 400 and (.mqtt.cert.expiring | not)' ||
		{ echo "the renewed certificate in the status: $(gate_status | jq -c .mqtt.cert)"; return 1; }
	stop_gate

	# The broker's certificate names localhost and 192.0.2.1: addressed
	# as 127.0.0.1, the gate refuses it.
	expect_broker_name_refused || return 1
	# ... and so does the aggregator.
	"$BUILD/qrgate-aggregator" "${aggo[@]}" -o broker.host=127.0.0.1 \
		-o broker.client_id=agg-by-address 2>"$T/agg-name.log" &
	p=$!
	mqtt_wait "the aggregator's refusal" 10 grep -q "could not connect to 127.0.0.1 port $BROKER_PORT: the broker's certificate does not name 127.0.0.1;" "$T/agg-name.log" ||
		{ kill "$p"; tail -3 "$T/agg-name.log"; return 1; }
	kill "$p"
	wait "$p" || true

	# A client of another site's CA is refused by this site's broker.
	other=$T/other
	qrgatectl site init "$other" --site hanoi --prefix qg --broker-name localhost >/dev/null
	if mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$S/ops/mqtt-ca.crt" \
	    --cert "$other/ops/ops.crt" --key "$other/ops/ops.key" \
	    -t 'qg/#' -C 1 -W 3 >"$T/other.out" 2>&1; then
		echo "another site's client was let in"; return 1
	fi
	if grep -q '^{' "$T/other.out"; then echo "another site's client read a message"; return 1; fi
}
