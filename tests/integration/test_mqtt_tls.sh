# The site broker of config/mosquitto-site.conf and its ACL, with
# certificates made here: the gate connects with its certificate and
# checks the broker's name; a client without a certificate is refused; a
# gate can neither write another gate's topics nor read its commands; the
# back office's signed command gets through.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

# tls_cert NAME CN [EXT]: a key and a certificate signed by the test CA.
tls_cert() {
	local name=$1 cn=$2 ext=${3:-}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/$name.key" -out "$T/$name.csr" -subj "/CN=$cn" 2>/dev/null
	if [ -n "$ext" ]; then
		printf '%s\n' "$ext" >"$T/$name.ext"
		openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
			-CAcreateserial -days 2 -out "$T/$name.crt" -extfile "$T/$name.ext" 2>/dev/null
	else
		openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
			-CAcreateserial -days 2 -out "$T/$name.crt" 2>/dev/null
	fi
}

# tls_gate_options NAME: the gate talks TLS to the site broker on
# localhost, with the certificate tls_broker_config made for NAME.
tls_gate_options() {
	set_option mqtt.host localhost
	set_option mqtt.tls true
	set_option mqtt.ca_file "$T/ca.crt"
	set_option mqtt.cert_file "$T/$1.crt"
	set_option mqtt.key_file "$T/$1.key"
	MQTT_HOST=localhost
}

# The example config with only its paths and its port changed.
tls_broker_config() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/ca.key" -out "$T/ca.crt" -days 2 -subj "/CN=qrgate test CA" 2>/dev/null
	tls_cert broker localhost "subjectAltName=DNS:localhost"
	tls_cert gate-a it-gate
	tls_cert gate-b gate-b
	tls_cert ops ops
	cp "$SRCDIR/config/mosquitto-site.acl" "$T/site.acl"
	sed -e "s|^listener 8883$|listener $BROKER_PORT 127.0.0.1|" \
	    -e "s|/etc/mosquitto/ca_certificates/qrgate-ca.crt|$T/ca.crt|" \
	    -e "s|/etc/mosquitto/certs/qrgate-broker.crt|$T/broker.crt|" \
	    -e "s|/etc/mosquitto/certs/qrgate-broker.key|$T/broker.key|" \
	    -e "s|/etc/mosquitto/conf.d/qrgate-site.acl|$T/site.acl|" \
	    "$SRCDIR/config/mosquitto-site.conf" >"$T/site.conf"
	# Not the example's business (Debian's mosquitto.conf sets them):
	# who runs it, where it keeps its queues and where it logs.
	printf 'user %s\npersistence_location %s/\nlog_dest file %s\nlog_type all\n' \
		"$(id -un)" "$T" "$T/mosquitto.log" >>"$T/site.conf"
	grep -q "^listener $BROKER_PORT 127.0.0.1$" "$T/site.conf"
}

test_mqtt_tls_site_broker_certificates_and_acl() {
	local ops b
	gate_config mqtt_tls_site_broker_certificates_and_acl badge-W0001.png
	set_option gate.site site1
	mqtt_setup
	tls_broker_config
	tls_gate_options gate-a
	TOPIC=qrgate/site1/it-gate
	ops=(--cafile "$T/ca.crt" --cert "$T/ops.crt" --key "$T/ops.key")
	b=(--cafile "$T/ca.crt" --cert "$T/gate-b.crt" --key "$T/gate-b.key")
	broker_start "$T/site.conf"
	SUB_PROBE=qrgate/probe/ops
	sub_start ops 'qrgate/#' "${ops[@]}"

	# The gate, by its certificate, with the broker's name checked.
	start_gate
	wait_for "the TLS connection" status_is '.mqtt.state == "connected"'
	wait_idle
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "the grant at the back office" 10 sh -c \
		"grep '^$TOPIC/events ' '$T/ops.sub' | grep -q '\"reason\":\"granted\"'"
	expect_grep "New client connected .* as it-gate .*u'it-gate'" "$T/mosquitto.log"

	# Without a certificate: refused, nothing received.
	if mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$T/ca.crt" \
	    -t 'qrgate/#' -C 1 -W 3 >"$T/nocert.out" 2>&1; then
		echo "a client without a certificate was let in"; return 1
	fi
	[ -z "$(grep '^{' "$T/nocert.out")" ]

	# Gate B cannot write gate A's topics: its forgery never arrives,
	# while what it writes on its own topics does.
	pub "$TOPIC/events" '{"forged":true}' "${b[@]}"
	pub "$TOPIC/status" '{"state":"forged"}' -r "${b[@]}"
	pub "qrgate/site1/gate-b/events" '{"marker":"b"}' "${b[@]}"
	mqtt_wait "gate B's own event" 10 grep -q '"marker":"b"' "$T/ops.sub"
	if grep -q forged "$T/ops.sub"; then echo "gate B wrote gate A's topics"; return 1; fi
	retained "$TOPIC/status" "${ops[@]}" | grep -q '"state":"online"'

	# Gate B cannot read gate A's commands, only its own.
	SUB_PROBE=qrgate/site1/gate-b/cmd
	SUB_PROBE_ARGS=("${ops[@]}")
	sub_start b "$TOPIC/cmd" -t qrgate/site1/gate-b/cmd "${b[@]}"
	pub "$TOPIC/cmd" '{"note":"for-a"}' "${ops[@]}"
	pub "qrgate/site1/gate-b/cmd" '{"note":"for-b"}' "${ops[@]}"
	mqtt_wait "gate B's own command" 10 grep -q for-b "$T/b.sub"
	if grep -q for-a "$T/b.sub"; then echo "gate B read gate A's command"; return 1; fi
	# Gate A did get its command, and answered it: refused, unsigned.
	mqtt_wait "gate A's answer" 10 grep -q "^$TOPIC/cmd/result " "$T/ops.sub"
	json_is '(.ok | not) and .reason == "unsigned"' "$(payloads ops cmd/result | head -1)"
	# The back office's signed command, sent over TLS with its
	# certificate by qrgatectl push, is taken and answered.
	local out
	out=$(qrgatectl push cmd lockdown --site site1 --gate it-gate \
		--host localhost --port "$BROKER_PORT" --cafile "$T/ca.crt" \
		--cert "$T/ops.crt" --keyfile "$T/ops.key" --key "$ADMIN_SK" --wait-result)
	json_is '.ok and .cmd == "lockdown"' "$out"
	wait_for "the lockdown" status_is '.lockdown == true'
	stop_gate

	# Addressed by a name the broker's certificate does not carry (it
	# names localhost only), the gate refuses the broker.
	expect_broker_name_refused || return 1
}
