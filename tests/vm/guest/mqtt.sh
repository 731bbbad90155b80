# The network phase: the guest publishes to the Mosquitto broker that the
# host started on a loopback port, through qemu's user network (the host's
# 127.0.0.1 is 10.0.2.2 here).  The path the daemon's MQTT will take.

phase_mqtt() {
	say "mqtt: publish to the host's broker"
	net_up m.link
	mosquitto_pub -h 10.0.2.2 -p "$MQTT_PORT" -i qrgate-vm -q 1 \
	    -t "$MQTT_TOPIC" -m "$MQTT_MESSAGE" >"$OUT/mqtt-pub.log" 2>&1
	fact "m.pub $?"
}
