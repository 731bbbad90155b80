# The visitor desk from the shell (qrgate-aggregator visitor): the
# register on each database, masking, cancelling, the CSV and XLSX exports
# for the authorities, hostile input, and a pass it makes granted at a
# real qrgated that has no broker (its own signature, times and lanes are
# all the gate knows).

# visitor_setup NAME: the test's directory, database and config, with a
# desk key; no broker, no daemon: the command works on the database.
visitor_setup() {
	T="$WORK/$1-$BACKEND"
	rm -rf "$T"
	mkdir -p "$T"
	AGG_CONF="$T/aggregator.conf"
	db_new "t_$1"
	"$BUILD/qrgatectl" keygen "$T/desk.key" >/dev/null
	cat >"$AGG_CONF" <<CONF
[aggregator]
db = $DB
[site]
timezone = Asia/Ho_Chi_Minh
[visitor]
key_file = $T/desk.key
CONF
}

VISITOR_CCCD='001099012345|123456789|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021'

test_visitor_register() {
	visitor_setup visitor_register
	local day id1 id2 out
	day=$(TZ=Asia/Ho_Chi_Minh date +%Y%m%d)
	# The scanner types the card's QR text and Enter.
	out=$(printf '%s\r\n' "$VISITOR_CCCD" | aq visitor add --cccd - --host "Trần Bình" --purpose audit)
	id1=$(sed -n 1p <<<"$out")
	expect_eq "id" "$id1" "V-$day-0001"
	expect_grep '^QG1:' <(sed -n 2p <<<"$out")
	id2=$(aq visitor add --name "John Smith" --document-kind other --document P1234567 \
		--host Ops --lanes 1:entry --until "$(date -d '+2 hours' +%s)000" | head -1)
	expect_eq "second id" "$id2" "V-$day-0002"
	# Masked unless asked for whole; newest first.
	expect_eq "list" "$(aq_jq visitor list '[.[] | "\(.id) \(.status) \(.name) \(.document_kind) \(.document) \(.lanes)"] | join(",")')" \
		"$id2 valid John Smith other ****4567 1:entry,$id1 valid Nguyễn Văn An cccd ********2345 *"
	expect_eq "full" "$(aq_jq visitor list --full '.[1].document')" 001099012345
	expect_eq "audited" "$(db_sql "SELECT user_name || '|' || what || '|' || detail FROM audit")" \
		"cli|visitors|viewed the visitor register with documents whole (2)"
	expect_eq "registered by" "$(aq_jq visitor list '.[0].registered_by')" "cli:$(id -un)"
	# The default end: the next midnight in the site's zone.
	expect_eq "until" "$(aq_jq visitor list '.[1].until_ms')" \
		"$(( $(TZ=Asia/Ho_Chi_Minh date -d 'tomorrow 00:00' +%s) * 1000 ))"
	# Cancel once; the second time, and its pass, are refused.
	aq visitor cancel "$id2"
	expect_eq "cancelled" "$(aq_jq visitor list '.[0] | "\(.status) \(.cancelled_by)"')" "cancelled cli:$(id -un)"
	local rc=0
	aq visitor cancel "$id2" 2>/dev/null || rc=$?
	expect_eq "again" "$rc" 3
	rc=0
	aq visitor pass "$id2" 2>/dev/null || rc=$?
	expect_eq "no pass" "$rc" 3
	# The pass is the same text every time it is shown.
	expect_eq "pass" "$(aq visitor pass "$id1")" "$(sed -n 2p <<<"$out")"

	# CSV: masked, times in the site's zone, a heading row.
	aq visitor export --csv >"$T/reg.csv"
	expect_eq "csv head" "$(head -1 "$T/reg.csv" | tr -d '\r')" \
		"id,name,document_kind,document,host,purpose,lanes,from,until,registered_by,registered,cancelled,cancelled_by"
	expect_eq "csv rows" "$(tail -n +2 "$T/reg.csv" | tr -d '\r' | cut -d, -f1,2,4,5,6,7 | tr '\n' ';')" \
		"$id2,John Smith,****4567,Ops,,1:entry;$id1,Nguyễn Văn An,********2345,Trần Bình,audit,*;"
	expect_grep ' +07$' <(tail -n 1 "$T/reg.csv" | tr -d '\r' | cut -d, -f9)
	[ "$(grep -cE '[0-9]{12}' "$T/reg.csv")" = 0 ]
	# XLSX: the sheet's strings, read from the zip; --full for the
	# tracer's copy.
	aq visitor export --xlsx "$T/reg.xlsx" --full
	xlsx_rows "$T/reg.xlsx" ABCDEFG >"$T/xlsx.txt"
	expect_eq "xlsx" "$(tr '\n' ';' <"$T/xlsx.txt")" \
		"id|name|document_kind|document|host|purpose|lanes;$id2|John Smith|other|P1234567|Ops||1:entry;$id1|Nguyễn Văn An|cccd|001099012345|Trần Bình|audit|*;"
}

test_visitor_hostile_input() {
	visitor_setup visitor_hostile
	local rc bad
	for bad in "--cccd 12345|x|y" "--cccd 001099012345|123" "--name A --document 123 --host H" \
	    "--name A --document-kind passport --document X --host H" \
	    "--name A --document 001099012345 --host H --lanes A,Ä" \
	    "--name A --document 001099012345 --host H --until 2000-01-01" \
	    "--name A --document 001099012345 --host H --until $(( $(date +%s) + 3 * 86400 ))000"; do
		rc=0
		# shellcheck disable=SC2086
		aq visitor add $bad 2>"$T/err" >/dev/null || rc=$?
		expect_eq "refused: $bad" "$rc" 2
	done
	rc=0
	aq visitor add --name "$(printf 'A\tB')" --document 001099012345 --host H 2>/dev/null >/dev/null || rc=$?
	expect_eq "control character" "$rc" 2
	rc=0
	aq visitor add --name "A" --document 001099012345 --host H --lanes "A B" 2>/dev/null >/dev/null || rc=$?
	expect_eq "blank in lanes" "$rc" 2
	# The error never repeats a citizen number.
	[ "$(grep -cE '[0-9]{12}' "$T/err")" = 0 ]
	# SQL in a name is a name.
	aq visitor add --name "x'); DROP TABLE visitors;--" --document 001099012345 --host H >/dev/null
	expect_eq "stored" "$(aq_jq visitor list '.[0].name')" "x'); DROP TABLE visitors;--"
	expect_eq "nothing else" "$(aq_jq visitor list length)" 1
}

# A pass from the desk (its times read back from each database), granted
# at a real gate with no broker and no credential row.
test_visitor_pass_at_real_gate() {
	visitor_setup visitor_gate
	local at=$T id
	id=$(aq visitor add --name "Lê C" --document 001099012345 --host H --lanes 1 \
		--png "$T/pass.png" | head -1)
	gate_config "visitor_gate-$BACKEND/gate" blank.png
	T=$at
	cat >>"$CONF" <<CONF
[camera]
source = $T/pass.png
[security]
visitor_key = $(cat "$T/desk.key.pub")
CONF
	start_gate
	wait_idle
	stop_gate
	expect_eq "granted" "$(sqlite3 -batch -noheader "$T/gate/qrgate.db" \
		"SELECT kind || ' ' || credential_id || ' ' || reason FROM events")" "visitor $id granted"
}
