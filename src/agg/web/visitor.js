// The visitor desk (guard): register a visitor from the CCCD's QR code
// read by a USB scanner (a keyboard: its text arrives in the scan field,
// then Enter) or typed, show the pass as a QR code to scan from the screen
// or print, and cancel a pass.  The server checks everything again; text
// goes in with textContent only.
'use strict';

let vZone = null;	// site.timezone, from /api/site

function vEl(tag, text) { return qgEl(tag, '', text); }

function vId(id) { return document.getElementById(id); }

// "2026-12-07T17:00:00.000Z" as the site's clocks show it.
function vTime(iso) {
	if (!iso) return '';
	const t = Date.parse(iso);
	if (isNaN(t)) return iso;
	const tz = vZone || undefined;
	try {
		return new Intl.DateTimeFormat('en-GB', { timeZone: tz,
		    dateStyle: 'short', timeStyle: 'short' }).format(t);
	} catch (err) {
		return new Date(t).toLocaleString();
	}
}

// The CCCD's QR text: ID12|oldID|name|DDMMYYYY|sex|address|DDMMYYYY.
// Only the number and the name are kept; the raw text is cleared.
function vScan() {
	const f = vId('v-scan'), note = vId('v-scan-note');
	const parts = f.value.trim().split('|');

	f.value = '';
	if (parts.length < 3 || !/^[0-9]{12}$/.test(parts[0]) || !parts[2]) {
		note.textContent = 'Not a CCCD code: type the name and number.';
		return;
	}
	vId('v-kind').value = 'cccd';
	vId('v-doc').value = parts[0];
	vId('v-name').value = parts[2];
	note.textContent = 'Card read: ' + parts[2];
	vId('v-host').focus();
}

function vShowPass(v) {
	vId('pass-qr').src = '/api/visitor-pass?id=' + encodeURIComponent(v.id) +
	    '&t=' + Date.now();
	vId('pass-name').textContent = v.name;
	vId('pass-id').textContent = v.id;
	vId('pass-host').textContent = 'Visiting ' + v.host;
	vId('pass-until').textContent = 'Valid until ' + vTime(v.until);
	vId('pass-lanes').textContent = 'Lanes ' + v.lanes;
	vId('pass').hidden = false;
}

async function vSubmit(ev) {
	ev.preventDefault();
	const err = vId('v-error');
	const body = {
		name: vId('v-name').value.trim(),
		document_kind: vId('v-kind').value,
		document: vId('v-doc').value.trim(),
		host: vId('v-host').value.trim(),
		purpose: vId('v-purpose').value.trim(),
		lanes: vId('v-lanes').value.trim(),
		until: vId('v-until').value,
	};

	err.textContent = '';
	vId('v-submit').disabled = true;
	try {
		const r = await api('POST', 'visitor-add', body);
		vShowPass(r.visitor);
		vId('visitor-form').reset();
		vId('v-scan-note').textContent = '';
		await vLoad();
	} catch (e) {
		err.textContent = e.message || String(e);
	} finally {
		vId('v-submit').disabled = false;
	}
}

async function vCancel(id) {
	if (!window.confirm('Cancel the pass of ' + id + '?')) return;
	try {
		await api('POST', 'visitor-cancel', { id: id });
		await vLoad();
	} catch (e) {
		vId('v-error').textContent = e.message || String(e);
	}
}

async function vLoad() {
	const rows = await api('GET', 'visitors');
	const tb = vId('visitors');

	tb.replaceChildren();
	for (const v of rows) {
		const tr = vEl('tr');
		tr.dataset.id = v.id;
		tr.dataset.status = v.status;
		for (const t of [v.id, v.name, v.document, v.host,
		    vTime(v.until), v.status])
			tr.append(vEl('td', t));
		const td = vEl('td');
		if (v.status === 'valid' || v.status === 'upcoming') {
			const show = vEl('button', 'Pass');
			show.type = 'button';
			show.className = 'show-pass';
			show.addEventListener('click', () => vShowPass(v));
			const cancel = vEl('button', 'Cancel');
			cancel.type = 'button';
			cancel.className = 'cancel';
			cancel.addEventListener('click', () => vCancel(v.id));
			td.append(show, cancel);
		}
		tr.append(td);
		tb.append(tr);
	}
	vId('no-visitors').hidden = rows.length > 0;
}

qg.ready.then(async () => {
	vId('v-scan').addEventListener('keydown', (ev) => {
		// The scanner's Enter ends the code: it must not submit.
		if (ev.key === 'Enter') {
			ev.preventDefault();
			vScan();
		}
	});
	vId('visitor-form').addEventListener('submit', vSubmit);
	vId('pass-print').addEventListener('click', () => window.print());
	vId('pass-done').addEventListener('click', () => {
		vId('pass').hidden = true;
		vId('v-scan').focus();
	});
	try {
		vZone = (await api('GET', 'site')).timezone;
	} catch (e) { /* the browser's zone, then */ }
	await vLoad().catch((e) => { vId('v-error').textContent = e.message; });
	document.body.dataset.loaded = '1';
});
