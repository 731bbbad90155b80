// The People page (HR): the site's people list, each person suspended,
// revoked, made active again or given a new badge serial (a lost badge)
// in place; a form to add a person (a signed badge, or a card read by a
// Wiegand reader, with an optional PIN the aggregator hashes at once), HR's CSV or XLSX to import, badges of the
// ticked people as a PDF sheet, and the list version each gate holds
// ("it-gate holds version 41"), polled.  Every change is a POST the
// aggregator audits and sends to every gate within a second.
'use strict';

const say = qgSay;

// A POST, what came of it said, and the page loaded again.
function act(what, body, done) {
	return qgAct(what, body, done).then(load);
}

function button(cls, text, fn) {
	const b = qgEl('button', cls, text);
	b.type = 'button';
	b.addEventListener('click', fn);
	return b;
}

function showVersions(v) {
	document.getElementById('version').textContent = 'List version ' + v.version +
		(v.pending ? ' (a change is being sent)' : '');
	const ul = document.getElementById('gate-versions');
	ul.replaceChildren();
	for (const g of v.gates) {
		const li = qgEl('li', g.current ? 'current' : 'behind',
			g.gate + ' holds version ' + (g.version === null ? 'none' : g.version) +
			(g.state !== 'online' ? ' (' + g.state + ')' : ''));
		li.dataset.gate = g.site + '/' + g.gate;
		li.dataset.version = g.version === null ? '' : String(g.version);
		ul.append(li);
	}
	document.body.dataset.version = String(v.version);
}

async function load() {
	const d = await api('GET', 'people');
	const tbody = document.getElementById('people');
	tbody.replaceChildren();
	for (const p of d.people) {
		const tr = qgEl('tr');
		tr.dataset.id = p.id;
		tr.dataset.status = p.status;
		const tick = qgEl('input');
		tick.type = 'checkbox';
		tick.className = 'tick';
		tick.value = p.id;
		const td0 = qgEl('td');
		td0.append(tick);
		const acts = qgEl('td', 'actions');
		if (p.status !== 'active')
			acts.append(button('activate', 'Activate', () => act('people-status', { id: p.id, status: 'active' }, p.id + ' is active.')));
		if (p.status === 'active')
			acts.append(button('suspend', 'Suspend', () => act('people-status', { id: p.id, status: 'suspended' }, p.id + ' suspended.')));
		if (p.status !== 'revoked')
			acts.append(button('revoke', 'Revoke', () => {
				if (confirm('Revoke ' + p.id + ' (' + p.name + ')?'))
					act('people-status', { id: p.id, status: 'revoked' }, p.id + ' revoked.');
			}));
		if (p.kind === 'signed')
			acts.append(button('new-serial', 'New badge (lost)', () => {
				if (confirm('A new badge for ' + p.name + '? The old one stops at every gate.'))
					act('people-badge', { ids: [p.id], new_serial: true }, p.id + ': a new badge serial.');
			}));
		tr.append(td0, qgEl('td', 'id', p.id), qgEl('td', 'name', p.name), qgEl('td', 'department', p.department),
			qgEl('td', 'kind', p.kind), qgEl('td', 'subject', p.subject),
			qgEl('td', 'card-extra', [p.send_as, p.pin ? 'PIN' : ''].filter((x) => x).join(', ')),
			qgEl('td', 'status', p.status),
			qgEl('td', 'serial', p.serial), acts);
		tbody.append(tr);
	}
	showVersions(d.versions);
	document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

async function poll() {
	try {
		showVersions(await api('GET', 'people-versions'));
	} catch (err) { /* shown at the next load */ }
}

// The card's fields only for a card.
function showKind() {
	const card = document.getElementById('add-kind').value === 'card';
	for (const l of document.querySelectorAll('#add .card-only'))
		l.hidden = !card;
	document.getElementById('add-card').required = card;
}

qg.ready.then(() => {
	document.getElementById('add-kind').addEventListener('change', showKind);
	document.getElementById('add').addEventListener('reset', () => setTimeout(showKind));
	document.getElementById('add').addEventListener('submit', (e) => {
		e.preventDefault();
		const v = (id) => document.getElementById(id).value.trim();
		const body = { id: v('add-id'), name: v('add-name'), department: v('add-department'),
			lanes: v('add-lanes') || '*', kind: v('add-kind') };
		if (v('add-until')) body.valid_until = v('add-until');
		if (body.kind === 'card') {
			body.subject = v('add-card');
			if (v('add-pin')) body.pin = v('add-pin');
		}
		if (v('add-send-as')) body.send_as = v('add-send-as');
		act('people-add', body, body.id + ' added.').then(() => {
			if (!document.getElementById('msg').classList.contains('error'))
				document.getElementById('add').reset();
		});
	});
	document.getElementById('import').addEventListener('submit', async (e) => {
		e.preventDefault();
		const f = document.getElementById('import-file').files[0];
		if (!f) return;
		try {
			// The file's bytes as they are: a CSV, or an XLSX (a zip).
			const r = await api('POST', 'people-import', f);
			say(r.rows + ' people imported.', false);
		} catch (err) {
			say(err.message, true);
		}
		await load();
	});
	document.getElementById('print').addEventListener('click', async () => {
		const ids = [...document.querySelectorAll('#people input.tick:checked')].map((c) => c.value);
		if (ids.length === 0) {
			say('Tick the people whose badges to print.', true);
			return;
		}
		try {
			qgSave(await api('GET', 'people-badges?ids=' + encodeURIComponent(ids.join(','))), 'badges.pdf');
		} catch (err) {
			say(err.message, true);
		}
	});
	load().catch((err) => say(err.message, true));
	setInterval(poll, 2000);
});
