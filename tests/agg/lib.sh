# Helpers for the aggregator's tests: a real mosquitto per test (from
# tests/integration/lib_mqtt.sh), one real PostgreSQL server for the whole
# tier (its own cluster in a temporary directory, on a loopback port, a
# fresh database per test), qrgate-aggregator started and stopped per
# test, and gate messages made here.  Sourced by tests/agg/run.sh.

. "$SRCDIR/tests/agg/lib_login.sh"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=""
PG_PORT=""
PG_USER=""
AGG_PID=""
AGG_CONF=""
DB=""		# the current test's connection string
BACKEND=""	# sqlite or pg
# What agg_setup has run on exit: a script that calls it in its own shell
# (the benchmark) adds its own cleanup here.
AGG_TRAP=${AGG_TRAP:-agg_cleanup}

# Why PostgreSQL cannot run here, or nothing.
pg_missing() {
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || {
		echo "no $PG_BIN/initdb (apt-get install postgresql)"; return; }
	command -v psql >/dev/null || { echo "no psql"; return; }
	if [ "$(id -u)" = 0 ] && ! id nobody >/dev/null 2>&1; then
		echo "no user nobody to run the server as"; return
	fi
}

# initdb refuses root: the cluster then belongs to nobody.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_USER=nobody
	PG_DIR=$(mktemp -d /tmp/qrgate-agg-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_DIR"
	PG_PORT=$(free_port)
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres \
		--no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	# fsync off: the tests check what is stored, not durability across
	# power cuts, and the tier must stay quick.  The benchmark keeps it on.
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" \
		start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=""
}

psql_admin() { psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }

# db_new NAME: a fresh database for the test, in $DB.
db_new() {
	local name=$1
	if [ "$BACKEND" = pg ]; then
		name=$(echo "$name" | tr -c 'a-z0-9_\n' '_')
		psql_admin -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
		DB="postgresql://postgres@127.0.0.1:$PG_PORT/$name"
	else
		DB="$T/agg.db"
	fi
}

# db_sql QUERY: one query on the test's database, rows as a|b|c.
db_sql() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -At "$DB" -c "$1"
	else
		sqlite3 -batch -noheader "$DB" "$1"
	fi
}

aq() { "$BUILD/qrgate-aggregator" -c "$AGG_CONF" "$@" --db "$DB"; }
# aq_json COMMAND [options] JQ: the command's JSON through jq -r.
aq_jq() {
	local filter=${*: -1}
	aq "${@:1:$#-1}" --json | jq -r "$filter"
}

# agg_setup NAME: the test's directory, database, broker and config.
# Extra settings can be appended to $AGG_CONF before agg_start.
agg_setup() {
	T="$WORK/$1-$BACKEND"
	rm -rf "$T"
	mkdir -p "$T"
	CONF="$T/qrgate.conf"	# the gate's, when a test starts one
	AGG_CONF="$T/aggregator.conf"
	db_new "t_$1"
	trap "$AGG_TRAP" EXIT
	BROKER_PORT=$(free_port)
	cat >"$T/mosquitto.conf" <<CONF
user $(id -un)
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $T/
autosave_interval 1
max_queued_messages 1000000
log_dest file $T/mosquitto.log
CONF
	broker_start
	cat >"$AGG_CONF" <<CONF
[broker]
host = 127.0.0.1
port = $BROKER_PORT
client_id = agg-$1
keepalive_s = 5
[aggregator]
db = $DB
sites = *
heartbeat_s = 30
[web]
enabled = false
CONF
}

agg_cleanup() {
	agg_stop
	mqtt_cleanup
}

# agg_option SECTION.KEY VALUE
agg_option() { printf '[%s]\n%s = %s\n' "${1%%.*}" "${1#*.}" "$2" >>"$AGG_CONF"; }

# agg_user NAME ROLES: a console user, its password "NAME-pw".
agg_user() { echo "$1-pw" | aq user add "$1" --roles "$2" >/dev/null; }

# The port the running aggregator's console serves on, from its log.
agg_web_port() { sed -n 's/.*web: serving on .* port \([0-9]*\).*/\1/p' "$T/agg.log" | tail -1; }

# agg_login NAME ROLES: that user made and signed in at the running
# aggregator (lib_login.sh: then "as NAME curl-args... URL").
agg_login() {
	agg_user "$1" "$2"
	login "http://127.0.0.1:$(agg_web_port)" "$1" "$1-pw"
}

agg_subscribed() { [ "$(grep -c 'mqtt: subscribed' "$T/agg.log")" -ge "$1" ]; }

# Starts the daemon, and returns once its subscriptions are in place.
agg_start() {
	local n
	n=$(grep -c 'mqtt: subscribed' "$T/agg.log" 2>/dev/null || true)
	"$BUILD/qrgate-aggregator" -c "$AGG_CONF" 2>>"$T/agg.log" &
	AGG_PID=$!
	mqtt_wait "the aggregator to subscribe" "${AGG_START_WAIT:-10}" agg_subscribed $((${n:-0} + 1)) || {
		tail -5 "$T/agg.log"; return 1; }
}

agg_stop() {
	local pid=$AGG_PID
	AGG_PID=""
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -"${1:-TERM}" "$pid"
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.05
	done
	echo "    qrgate-aggregator did not stop within 10 s"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	return 1
}

# The time base of the made-up events: a fixed day, 2026-11-27 08:00 UTC.
T0=1795766400000

# ev SEQ TS_MS SUBJECT CRED DIRECTION RESULT [REASON] [GATE] [REV] [PASSAGE]:
# an event document as a gate publishes it; its event_id follows from
# gate and seq.
ev() {
	local seq=$1 ts=$2 subj=$3 cred=$4 dir=$5 res=$6 reason=${7:-} gate=${8:-g1}
	local rev=${9:-0} passage=${10:-}
	[ -n "$reason" ] || reason=$res
	[ -n "$passage" ] || { [ "$res" = granted ] && passage=pending || passage=none; }
	local id
	id=$(printf '%s-%s' "$gate" "$seq" | md5sum | cut -c1-32)
	printf '{"event_id":"%s","seq":%d,"rev":%d,"time":"t","ts_ms":%s,"gate":"%s","site":"%s","lane":"1","direction":"%s","type":"scan","kind":"badge","subject":"%s","credential_id":"%s","result":"%s","reason":"%s","passage":"%s","decode_us":4000,"latency_us":4100}' \
		"$id" "$seq" "$rev" "$ts" "$gate" "${SITE:-s1}" "$dir" "$subj" "$cred" "$res" "$reason" "$passage"
}

# pub_ev GATE DOC: published on that gate's events topic.
pub_ev() { pub "qrgate/${SITE:-s1}/$1/events" "$2"; }

events_stored() { [ "$(db_sql 'SELECT count(*) FROM events')" = "$1" ]; }
wait_events() { mqtt_wait "$1 events stored" 10 events_stored "$1"; }

# xlsx_rows FILE COLUMNS: the first sheet's rows of an XLSX workbook, read
# from its zip (shared strings only, as the visitor register writes
# them), the cells of COLUMNS ("ABD") joined with "|", one row a line.
xlsx_rows() {
	python3 - "$1" "$2" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = [re.sub(r'<[^>]+>', '', s) for s in
    re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode())]
sheet = z.read('xl/worksheets/sheet1.xml').decode()
for row in re.findall(r'<row [^>]*>(.*?)</row>', sheet):
    # An empty cell is not written: its column is missing.
    cells = dict(re.findall(r'<c r="([A-Z]+)\d+"[^>]*t="s"[^>]*><v>(\d+)</v></c>', row))
    print('|'.join(strings[int(cells[c])] if c in cells else '' for c in sys.argv[2]))
PY
}

# A CSV file as tab-separated cells (quotes undone, the formula guard
# kept: it is part of the cell's text).
csv_cells() {
	python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    print("\t".join(row))' "$1"
}

# The first sheet of an XLSX as tab-separated cells: shared strings as
# text, numbers as written, and the cells whose style is a date format
# as the date and time they hold; "F" when a cell holds a formula.
xlsx_cells() {
	python3 - "$1" <<'PY'
import datetime, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = [re.sub(r'<[^>]+>', '', s) for s in
    re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode(), re.S)]
styles = z.read('xl/styles.xml').decode()
fmts = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
xfs = re.findall(r'<xf [^>]*numFmtId="(\d+)"', re.search(r'<cellXfs[^>]*>(.*?)</cellXfs>', styles, re.S).group(1))
sheet = z.read('xl/worksheets/sheet1.xml').decode()
def col(ref):
    n = 0
    for ch in re.match(r'[A-Z]+', ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1
# As wide as the header row, whose every cell is written.
width = 0
for row in re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S):
    width = width or len(re.findall(r'<c ', row))
    cells = [''] * width
    for attrs, body in re.findall(r'<c ([^>]*?)(?:/>|>(.*?)</c>)', row, re.S):
        ref = re.search(r'r="([A-Z]+)\d+"', attrs).group(1)
        v = re.search(r'<v>(.*?)</v>', body or '')
        if '<f>' in (body or ''):
            text = 'F'
        elif 't="s"' in attrs:
            text = strings[int(v.group(1))]
        elif v is None:
            text = ''
        else:
            s = re.search(r's="(\d+)"', attrs)
            code = fmts.get(xfs[int(s.group(1))], '') if s else ''
            x = float(v.group(1))
            if 'yy' in code:
                t = datetime.datetime(1899, 12, 30) + datetime.timedelta(seconds=round(x * 86400))
                text = t.strftime('%Y-%m-%d %H:%M:%S' if 'hh' in code else '%Y-%m-%d')
            else:
                text = str(int(x)) if x == int(x) else str(x)
        cells[col(ref)] = text
    print('\t'.join(cells))
PY
}
