# The site's people at the aggregator (issue 17): the CLI and its storage
# on both databases; then a real qrgated that takes the people list from
# the aggregator (signed with the aggregator's credentials key, which the
# gate takes for credential lists only), badge cards printed as a PDF,
# rendered with pdftoppm, every code on them read by qrgatectl scan and
# granted at the gate; names in the events, in "inside" and on the muster
# list's PDF; a lost badge's new serial and a revocation pushed, the
# gate's credential version moving, and the old cards denied.

people_json() { aq people list --json | jq -r "$1"; }

test_people_cli() {
	agg_setup people_cli
	local out
	aq people add W-0001 --name "Nguyễn Thị Hồng" --department "Kho vận" \
		--until 2030-01-01
	aq people add C-0002 --name "Trần Văn An" --kind cccd --subject 079123456789 \
		--department "Bảo vệ"
	expect_eq "listed" "$(people_json '[.[] | "\(.id) \(.kind) \(.subject) \(.status) \(.department)"] | join(",")')" \
		"C-0002 cccd ********6789 active Bảo vệ,W-0001 signed **0001 active Kho vận"
	expect_eq "full" "$(aq people list --full --json | jq -r '.[0].subject')" 079123456789
	expect_eq "until" "$(people_json '.[1].valid_until')" "2029-12-31T17:00:00.000Z"
	# The same card twice, an id again, a bad row: refused, nothing kept.
	if out=$(aq people add C-0003 --name X --kind cccd --subject 079123456789 2>&1); then
		echo "the same card twice was taken"; return 1; fi
	expect_eq "same card" "$out" "qrgate-aggregator people add: the same cccd card as C-0002"
	if aq people add W-0001 --name Y 2>/dev/null; then echo "an id again was taken"; return 1; fi
	if out=$(aq people add 'A-079123456789' --name Z 2>&1); then
		echo "an id holding a citizen number was taken"; return 1; fi
	expect_grep "citizen number" <(echo "$out")
	aq people edit W-0001 --department "Văn phòng"
	aq people suspend W-0001
	aq people revoke C-0002
	expect_eq "edited" "$(people_json '[.[] | "\(.id) \(.status) \(.department) \(.name)"] | join(",")')" \
		"C-0002 revoked Bảo vệ Trần Văn An,W-0001 suspended Văn phòng Nguyễn Thị Hồng"
	aq people activate W-0001
	# The HR CSV qrgatectl push --csv reads: every row or none.
	cat >"$T/hr.csv" <<'CSV'
id,kind,subject,name,valid_from,valid_until,status,lanes
W-0003,signed,W-0003,Lê Thị Mai,2026-01-01,,active,*
W-0001,signed,W-0001,Nguyễn Thị Hồng,,,active,"1,2"
CSV
	cat >"$T/bad.csv" <<'CSV'
id,kind,subject,name,valid_from,valid_until,status,lanes
W-0004,signed,W-0004,Ok,,,active,*
W-0005,signed,W-0005,Bad,,,sometimes,*
CSV
	if out=$(aq people import "$T/bad.csv" 2>&1); then echo "a bad CSV was taken"; return 1; fi
	expect_eq "bad csv" "$out" "qrgate-aggregator people import: $T/bad.csv:3: status 'sometimes' is not active, suspended or revoked"
	expect_eq "nothing of it" "$(people_json length)" 2
	aq people import "$T/hr.csv" --department Kho
	expect_eq "imported" "$(people_json '[.[] | "\(.id) \(.lanes) \(.department)"] | join(",")')" \
		"C-0002 * Bảo vệ,W-0001 1,2 Kho,W-0003 * Kho"
	expect_eq "csv" "$(aq people list --csv --department Kho | head -2 | tail -1)" \
		"W-0001,signed,**0001,Nguyễn Thị Hồng,Kho,active,0,\"1,2\","
	# Each change one edit; none sent (no daemon, no key).
	expect_eq "edits" "$(aq people versions --json | jq -r '"\(.edits) \(.pending) \(.version)"')" "7 true 0"
	# A badge needs the issuer key, and a signed credential.
	if aq people badge W-0001 2>/dev/null; then echo "a badge without a key"; return 1; fi
	"$BUILD/qrgatectl" keygen "$T/issuer.key" >/dev/null
	agg_option people.issuer_key_file "$T/issuer.key"
	if out=$(aq people badge C-0002 2>&1); then echo "a badge of a cccd"; return 1; fi
	expect_eq "cccd badge" "$out" "qrgate-aggregator people badge: C-0002 is a cccd credential: a badge is a signed one"
	expect_eq "serial" "$(aq people badge W-0001 --new-serial --json | jq -r '.[0].serial')" 1
	expect_eq "stored serial" "$(people_json '.[1].serial')" 1
	# A gate's credential list (its group column) is a people list:
	# the group is the department, --department still wins.
	cat >"$T/groups.csv" <<'CSV'
id,kind,subject,name,valid_from,valid_until,status,lanes,role,serial,pubkey,check_hash,send_as,pin_hash,group,schedule
W-0007,signed,W-0007,Phạm Văn Bảy,,,active,*,,,,,,,Xưởng May,day
CSV
	aq people import "$T/groups.csv"
	expect_eq "group" "$(people_json '[.[] | select(.id == "W-0007") | .department] | join(",")')" "Xưởng May"
	aq people import "$T/groups.csv" --department Kho
	expect_eq "--department" "$(people_json '[.[] | select(.id == "W-0007") | .department] | join(",")')" "Kho"
}

# pdf_card_crops PDF OUT N: the first N cards of the sheet as PNGs at
# 150 dpi, OUT-1.png ..., cut where agg_print.h places them.
pdf_card_crops() {
	local pdf=$1 out=$2 n=$3 i x y
	for i in $(seq 0 $((n - 1))); do
		x=$(awk -v c=$((i % 2)) 'BEGIN { printf "%d", (49 + c * 242.6) * 150 / 72 }')
		y=$(awk -v r=$((i / 2)) 'BEGIN { printf "%d", (38 + r * 153) * 150 / 72 }')
		pdftoppm -r 150 -png -singlefile -x "$x" -y "$y" -W 505 -H 318 "$pdf" "$out-$((i + 1))"
	done
}

agg_gate_current() {
	[ "$(aq people versions --json | jq -r '.gates[] | select(.gate == "it-gate") | "\(.version) \(.current)"')" = "$1 true" ]
}
# The list sent (nothing pending) is the one the gate holds.
agg_gate_sent_current() {
	local v
	v=$(aq people versions --json | jq -r 'select(.pending == false) | .version')
	[ -n "$v" ] && agg_gate_current "$v"
}
gate_reasons() { sqlite3 -batch -noheader "$1/qrgate.db" "SELECT reason FROM events WHERE type = 'scan' ORDER BY seq" | tr '\n' ' ' | sed 's/ $//'; }

test_people_gate() {
	command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || {
		echo "no pdftoppm/pdftotext (poppler-utils: make deps)"; return 1; }
	agg_setup people_gate
	local at=$T gt v1 v2 i tokens crops="" vid
	"$BUILD/qrgatectl" keygen "$T/issuer.key" >/dev/null
	"$BUILD/qrgatectl" keygen "$T/desk.key" >/dev/null
	"$BUILD/qrgatectl" keygen "$T/creds.key" >/dev/null
	"$BUILD/qrgatectl" keygen "$T/admin.key" >/dev/null
	agg_option people.issuer_key_file "$T/issuer.key"
	agg_option people.credentials_key_file "$T/creds.key"
	agg_option visitor.key_file "$T/desk.key"
	agg_start
	gate_config "people_gate-$BACKEND/gate" blank.png
	gt=$T
	T=$at
	set_option security.issuer_key "$(cat "$T/issuer.key.pub")"
	set_option security.admin_key "$(cat "$T/admin.key.pub")"
	set_option security.credentials_key "$(cat "$T/creds.key.pub")"
	set_option security.visitor_key "$(cat "$T/desk.key.pub")"
	set_option gpio.passage_sensor ""
	set_option decoder.holdoff_ms 0
	set_option camera.fps 2
	gate_mqtt_section
	T=$gt start_gate
	mqtt_wait "the gate in the aggregator" 10 agg_gate_state "it-site online false"
	aq people add W-0001 --name "Nguyễn Thị Hồng" --department "Kho vận"
	aq people add W-0002 --name "Trần Văn An" --department "Bảo vệ"
	aq people add W-0003 --name "Lê Thị Mai" --department "Kho vận"
	mqtt_wait "the gate to take the list" 10 agg_gate_sent_current
	v1=$(aq people versions --json | jq -r .version)
	[ "$v1" -ge 1 ]
	expect_eq "gate's list" "$(sqlite3 -batch -noheader "$gt/qrgate.db" "SELECT id || ' ' || kind || ' ' || subject FROM credentials ORDER BY id" | tr '\n' ',')" \
		"W-0001 signed W-0001,W-0002 signed W-0002,W-0003 signed W-0003,"
	# Each holder's department is their group there (schedules).
	expect_eq "gate's groups" "$(sqlite3 -batch -noheader "$gt/qrgate.db" "SELECT id || ' ' || grp FROM credentials ORDER BY id" | tr '\n' ',')" \
		"W-0001 Kho vận,W-0002 Bảo vệ,W-0003 Kho vận,"
	T=$gt stop_gate
	# The sheet: every code on it read back, and granted.
	tokens=$(aq people badge W-0001 W-0002 W-0003 --pdf "$T/cards.pdf" --png "$T" --json | jq -r '.[].token')
	pdf_card_crops "$T/cards.pdf" "$T/card" 3
	for i in 1 2 3; do
		expect_eq "card $i" "$("$BUILD/qrgatectl" scan --json "$T/card-$i.png" | jq -r '.codes[0].text')" \
			"$(sed -n "${i}p" <<<"$tokens")"
		crops="$crops${crops:+,}$T/card-$i.png"
	done
	expect_eq "png card" "$("$BUILD/qrgatectl" scan --json "$T/W-0002.png" | jq -r '.codes[0].text')" \
		"$(sed -n 2p <<<"$tokens")"
	CONF=$gt/qrgate.conf set_option camera.source "$crops"
	T=$gt start_gate
	T=$gt wait_idle
	expect_eq "granted" "$(gate_reasons "$gt")" "granted granted granted"
	mqtt_wait "the passages in the aggregator" 10 agg_inside_count 3
	expect_eq "names" "$(aq_jq events --gate it-gate '[.[] | select(.type == "scan") | "\(.name)/\(.department)"] | join(",")')" \
		"Nguyễn Thị Hồng/Kho vận,Trần Văn An/Bảo vệ,Lê Thị Mai/Kho vận"
	expect_eq "inside" "$(aq_jq inside '[.inside[] | .name] | join(",")')" \
		"Nguyễn Thị Hồng,Trần Văn An,Lê Thị Mai"
	expect_eq "muster" "$(aq muster --csv | cut -d, -f1-4 | tr '\n' ' ')" \
		"site,department,name,credential_id it-site,Bảo vệ,Trần Văn An,W-0002 it-site,Kho vận,Lê Thị Mai,W-0003 it-site,Kho vận,Nguyễn Thị Hồng,W-0001 "
	aq muster --pdf "$T/muster.pdf"
	pdftotext -layout "$T/muster.pdf" "$T/muster.txt"
	expect_grep "3 inside" "$T/muster.txt"
	expect_grep "it-site / Kho vận" "$T/muster.txt"
	expect_grep "Nguyễn Thị Hồng *W-0001" "$T/muster.txt"
	pdftoppm -r 50 -png -singlefile "$T/muster.pdf" "$T/muster" && [ -s "$T/muster.png" ]
	# A lost badge (a new serial), a revocation and a visitor's pass
	# cancelled at the desk: the gate's version moves, and the list
	# carries the pass as a revoked row of kind visitor.
	vid=$(aq visitor add --name "Lê C" --document 001099012345 --host H --png "$T/pass.png" | head -1)
	aq people badge W-0001 --new-serial >/dev/null
	aq people revoke W-0002
	aq visitor cancel "$vid"
	mqtt_wait "the gate to take the new list" 10 agg_gate_sent_current
	v2=$(aq people versions --json | jq -r .version)
	[ "$v2" -gt "$v1" ]
	expect_eq "the pass at the gate" "$(sqlite3 -batch -noheader "$gt/qrgate.db" \
		"SELECT kind || ' ' || subject || ' ' || status FROM credentials WHERE id = '$vid'")" "visitor $vid revoked"
	T=$gt stop_gate
	CONF=$gt/qrgate.conf set_option camera.source "$crops,$T/pass.png"
	T=$gt start_gate
	T=$gt wait_idle
	T=$gt stop_gate
	expect_eq "after" "$(gate_reasons "$gt")" \
		"granted granted granted serial-revoked revoked granted revoked"
	expect_grep "people: list version $v2 (3 people, 1 passes cancelled, 1 chunks) sent to the gates of it-site" "$T/agg.log"
}

agg_inside_count() { [ "$(aq_jq inside .total)" = "$1" ]; }

# The People and Muster pages' API on the real aggregator: HR's writes
# go through (each one audit row, in the dispatcher's transaction: a bad
# CSV leaves nothing), a guard's are refused; badges and the muster list
# come as PDFs.
test_people_api() {
	agg_setup people_api
	"$BUILD/qrgatectl" keygen "$T/issuer.key" >/dev/null
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	agg_option people.issuer_key_file "$T/issuer.key"
	agg_start
	agg_login hr1 hr
	agg_login guard1 guard
	local u="http://127.0.0.1:$(agg_web_port)/api"
	expect_eq "add" "$(as hr1 -d '{"id":"W-0200","name":"Đỗ Thu Hà","department":"Kho"}' "$u/people-add" | jq -c .)" \
		'{"ok":true,"id":"W-0200"}'
	expect_eq "guard add" "$(as_status guard1 -d '{"id":"W-0201","name":"x"}' "$u/people-add")" 403
	expect_eq "guard list" "$(as_status guard1 "$u/people")" 403
	expect_eq "bad kind" "$(as hr1 -d '{"id":"W-0202","name":"x","kind":"nfc"}' "$u/people-add" | jq -r .error)" \
		"kind: badge, cccd, signed, dynamic, visitor or card"
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nW-0203,signed,W-0203,Ok,,,active,*\nW-0204,signed,W-0204,Bad,,,maybe,*\n' >"$T/bad.csv"
	expect_eq "bad csv" "$(as hr1 --data-binary @"$T/bad.csv" "$u/people-import" | jq -r .error)" \
		"the CSV:3: status 'maybe' is not active, suspended or revoked"
	expect_eq "edit" "$(as hr1 -d '{"id":"W-0200","department":"Bảo vệ"}' "$u/people-edit" | jq -r .ok)" true
	expect_eq "suspend" "$(as hr1 -d '{"id":"W-0200","status":"suspended"}' "$u/people-status" | jq -r .ok)" true
	expect_eq "listed" "$(as hr1 "$u/people" | jq -r '[.people[] | "\(.id) \(.name) \(.department) \(.status)"] | join(",")')" \
		"W-0200 Đỗ Thu Hà Bảo vệ suspended"
	expect_eq "new serial" "$(as hr1 -d '{"ids":["W-0200"],"new_serial":true}' "$u/people-badge" | jq -r '.badges[0].serial')" 1
	as hr1 -o "$T/badges.pdf" "$u/people-badges?ids=W-0200"
	expect_eq "badges pdf" "$(head -c 5 "$T/badges.pdf")" "%PDF-"
	as guard1 -o "$T/muster.pdf" "$u/muster-pdf"
	expect_eq "muster pdf" "$(head -c 5 "$T/muster.pdf")" "%PDF-"
	expect_eq "muster" "$(as guard1 "$u/muster" | jq -r .total)" 0
	expect_eq "audit" "$(db_sql "SELECT user_name || ' ' || what || ': ' || detail FROM audit WHERE user_name = 'hr1' ORDER BY id" | tr '\n' ',')" \
		"hr1 people-add: added W-0200 (Đỗ Thu Hà),hr1 people-edit: changed W-0200 (Đỗ Thu Hà),hr1 people-status: suspended W-0200,hr1 people-badge: badge with a new serial for W-0200,"
	expect_eq "edits" "$(aq people versions --json | jq -r .edits)" 4
}

# xlsx_make OUT SHEETDATA [BIG]: a minimal workbook written by hand (no
# spreadsheet program here): its first sheet at a name only the
# workbook's rels give, the header and two values as shared strings (one
# of them rich text in two runs), SHEETDATA the <row>s after the header.
# BIG: a shared strings part that unpacks past the bound (a zip bomb).
xlsx_make() {
	python3 - "$@" <<'PY'
import sys, zipfile
out, rows = sys.argv[1], sys.argv[2]
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
heads = "id kind subject name valid_from valid_until status lanes".split()
sst = "".join("<si><t>%s</t></si>" % h for h in heads + ["signed", "active"])
sst += "<si><r><t>Phạm </t></r><r><t>Văn Đức</t></r></si>"
if len(sys.argv) > 3:
    sst += "<si><t>" + " " * (17 << 20) + "</t></si>"
head = "".join('<c r="%s1" t="s"><v>%d</v></c>' % ("ABCDEFGH"[i], i) for i in range(8))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook %s xmlns:r="%s"><sheets><sheet name="HR" sheetId="1" r:id="rId7"/></sheets></workbook>' % (ns, rel))
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="x" Target="sharedStrings.xml"/><Relationship Id="rId7" Type="%s/worksheet" Target="worksheets/people.xml"/></Relationships>' % rel)
    z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst %s>%s</sst>' % (ns, sst))
    z.writestr("xl/worksheets/people.xml", '<?xml version="1.0"?><worksheet %s><sheetData><row r="1">%s</row>%s</sheetData></worksheet>' % (ns, head, rows))
PY
}

# HR's XLSX, by the CLI and by the People page's API: shared strings,
# inline strings, a number, an empty cell (E) and a row left out keep
# every value in its column; a bad row is named by its sheet row; a
# truncated zip and a zip bomb are refused; none of them changes a thing.
test_people_xlsx() {
	agg_setup people_xlsx
	agg_option web.enabled true
	agg_option web.port 0
	agg_option web.web_root "$SRCDIR/src/agg/web"
	local out is='t="inlineStr"'
	# Row 2: W-0301, no valid_from, valid_until as inline text; row 3
	# left out; row 4: W-0302, lanes the number 3.
	xlsx_make "$T/hr.xlsx" "<row r=\"2\"><c r=\"A2\" $is><is><t>W-0301</t></is></c><c r=\"B2\" t=\"s\"><v>8</v></c><c r=\"C2\" $is><is><t>W-0301</t></is></c><c r=\"D2\" t=\"s\"><v>10</v></c><c r=\"F2\" $is><is><t>2030-01-01</t></is></c><c r=\"G2\" t=\"s\"><v>9</v></c><c r=\"H2\" $is><is><t>1,2</t></is></c></row><row r=\"4\"><c r=\"A4\" $is><is><t>W-0302</t></is></c><c r=\"B4\" t=\"s\"><v>8</v></c><c r=\"C4\" $is><is><t>W-0302</t></is></c><c r=\"D4\" $is><is><t>Nguyễn Thị Ánh</t></is></c><c r=\"G4\" t=\"s\"><v>9</v></c><c r=\"H4\"><v>3</v></c></row>"
	xlsx_make "$T/bad.xlsx" "<row r=\"2\"><c r=\"A2\" $is><is><t>W-0303</t></is></c><c r=\"B2\" t=\"s\"><v>8</v></c><c r=\"C2\" $is><is><t>W-0303</t></is></c><c r=\"D2\" $is><is><t>Ok</t></is></c><c r=\"G2\" t=\"s\"><v>9</v></c><c r=\"H2\" $is><is><t>*</t></is></c></row><row r=\"3\"><c r=\"A3\" $is><is><t>W-0304</t></is></c><c r=\"B3\" t=\"s\"><v>8</v></c><c r=\"C3\" $is><is><t>W-0304</t></is></c><c r=\"D3\" $is><is><t>Bad</t></is></c><c r=\"G3\" $is><is><t>maybe</t></is></c><c r=\"H3\" $is><is><t>*</t></is></c></row>"
	xlsx_make "$T/bomb.xlsx" "" big
	head -c 300 "$T/hr.xlsx" >"$T/cut.xlsx"
	if out=$(aq people import "$T/bad.xlsx" 2>&1); then echo "a bad XLSX was taken"; return 1; fi
	expect_eq "bad xlsx" "$out" "qrgate-aggregator people import: $T/bad.xlsx: sheet row 3: status 'maybe' is not active, suspended or revoked"
	if out=$(aq people import "$T/cut.xlsx" 2>&1); then echo "a truncated XLSX was taken"; return 1; fi
	expect_eq "cut xlsx" "$out" "qrgate-aggregator people import: $T/cut.xlsx: not a workbook that can be read: a damaged zip"
	if out=$(aq people import "$T/bomb.xlsx" 2>&1); then echo "a zip bomb was taken"; return 1; fi
	expect_eq "bomb" "$out" "qrgate-aggregator people import: $T/bomb.xlsx: not a workbook that can be read: a part too large"
	expect_eq "nothing of them" "$(people_json length) $(aq people versions --json | jq -r .edits)" "0 0"
	# By content, not by name.
	cp "$T/hr.xlsx" "$T/hr.csv"
	aq people import "$T/hr.csv" --department Kho
	expect_eq "imported" "$(people_json '[.[] | "\(.id)|\(.name)|\(.valid_from)|\(.valid_until)|\(.status)|\(.lanes)|\(.department)"] | join(",")')" \
		"W-0301|Phạm Văn Đức||2029-12-31T17:00:00.000Z|active|1,2|Kho,W-0302|Nguyễn Thị Ánh|||active|3|Kho"
	agg_start
	agg_login hr1 hr
	local u="http://127.0.0.1:$(agg_web_port)/api"
	expect_eq "api bad xlsx" "$(as hr1 --data-binary @"$T/bad.xlsx" "$u/people-import" | jq -r .error)" \
		"the workbook: sheet row 3: status 'maybe' is not active, suspended or revoked"
	expect_eq "api cut xlsx" "$(as hr1 --data-binary @"$T/cut.xlsx" "$u/people-import" | jq -r .error)" \
		"the workbook: not a workbook that can be read: a damaged zip"
	aq people revoke W-0302
	expect_eq "api xlsx" "$(as hr1 --data-binary @"$T/hr.xlsx" "$u/people-import" | jq -c .)" '{"ok":true,"rows":2}'
	expect_eq "api imported" "$(as hr1 "$u/people" | jq -r '[.people[] | "\(.id) \(.name) \(.status) \(.lanes) \(.department)"] | join(",")')" \
		"W-0301 Phạm Văn Đức active 1,2 Kho,W-0302 Nguyễn Thị Ánh active 3 Kho"
	expect_eq "audit" "$(db_sql "SELECT what || ': ' || detail FROM audit WHERE user_name = 'hr1' ORDER BY id" | tr '\n' ',')" \
		"people-import: imported 2 people from an XLSX,"
}
