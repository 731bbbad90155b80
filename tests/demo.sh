#!/usr/bin/env bash
# `make demo`: runs the gate on images/ with simulated GPIO and shows each
# decision as it happens, then the log.  Usage: tests/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
CONF=config/demo.conf
DEMO=$BUILD/demo
ctl() { "$BUILD/qrgatectl" -c "$CONF" "$@"; }

rm -rf "$DEMO"
mkdir -p "$DEMO"
echo "== credentials (config/demo-credentials.csv)"
ctl cred import config/demo-credentials.csv
# The visitor's card enrolled again from its own code, with the site's
# check key: a code made up from the number alone no longer opens.
ctl keygen --secret "$DEMO/cccd.key"
ctl cred enroll-cccd V-0001 --scan images/cccd-nhung.png --role visitor
ctl cred list
echo
echo "== qrgated on images/ (file camera, simulated GPIO in $DEMO/gpio.log)"
"$BUILD/qrgated" -c "$CONF" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
# Wait for the camera to run out of frames and every way to lock again.
for i in $(seq 1 600); do
	st=$(ctl status --json 2>/dev/null) && [ -n "$st" ] &&
	    jq -e '.camera.state == "ended" and
	    ([.ways[] | select(. == "released")] | length == 0)' <<<"$st" >/dev/null && break
	sleep 0.1
done
ctl status
kill -TERM $pid
wait $pid || true
trap - EXIT
echo
echo "== the relay as the GPIO saw it ($DEMO/gpio.log: monotonic ns, line, value)"
grep relay "$DEMO/gpio.log"
echo
echo "== qrgatectl events"
ctl events
echo
# The demo's database stays: say how to go on from here.
echo "== to keep exploring (from $(pwd)):"
echo "  $BUILD/qrgatectl -c $CONF events --json     the log above, one JSON a line"
echo "  $BUILD/qrgatectl -c $CONF cred list         the credentials"
echo "  $BUILD/qrgated -c $CONF                     the gate again (Ctrl-C stops it), and meanwhile:"
echo "  $BUILD/qrgatectl -c $CONF status|open entry|lockdown|normal"
echo "  $BUILD/qrgatectl help; man ./src/qrgatectl/qrgatectl.1"
