// The config pushes page (IT): a piece of the gates' config file for a
// gate, several or the whole site, checked by the aggregator against the
// gate's own table of settings (each problem at its line), then signed
// and pushed here, or, where the admin key is kept off the aggregator,
// downloaded unsigned, signed offline and uploaded.  Below, the last
// pushes and each gate's answer, as the gates' statuses say it.
'use strict';

let keys = { signs: false, checks: false };
let gatesOf = {};	// site: [gate...]

function say(text, bad) {
	const m = document.getElementById('msg');
	m.textContent = text;
	m.className = 'msg' + (bad ? ' error' : '');
}

// The problems of a refused push, each "config:LINE: ...", in a list.
function showErrors(err) {
	const ol = document.getElementById('errors');
	ol.replaceChildren();
	if (!err) return;
	for (const line of String(err).split('\n')) {
		const li = qgEl('li', 'error', line);
		const m = /^config:(\d+):/.exec(line);
		if (m) li.dataset.line = m[1];
		ol.append(li);
	}
}

function target() {
	const site = document.getElementById('site').value;
	if (document.getElementById('scope-all').checked)
		return { site, all: true };
	const gates = [...document.querySelectorAll('#gates input:checked')].map((c) => c.value);
	return { site, gates };
}

async function post(what, extra) {
	showErrors(null);
	try {
		const r = await api('POST', what, Object.assign(target(), extra));
		return r;
	} catch (err) {
		say(err.status === 400 ? 'Refused: nothing was sent.' : err.message, true);
		if (err.status === 400) showErrors(err.message);
		return null;
	}
}

function text() { return document.getElementById('text').value; }

async function check() {
	const r = await post('config-check', { text: text() });
	if (r) say('It checks: ' + r.messages.map((m) => m.target + ' version ' + m.version).join(', ') + '.', false);
	return r;
}

async function send() {
	const r = await post('config-push', { text: text() });
	if (r) {
		say('Signed and sent: ' + r.pushes.map((p) => p.target + ' version ' + p.version).join(', ') +
			(r.error ? '; not sent: ' + r.error : '.'), !!r.error);
		await load();
	}
}

async function download() {
	const r = await check();
	if (!r) return;
	for (const m of r.messages)
		qgSave(new Blob([m.message + '\n'], { type: 'application/json' }),
			'push-' + m.target + '-' + m.version + '.json');
}

async function upload() {
	const f = document.getElementById('signed').files[0];
	if (!f) { say('Choose the signed message first.', true); return; }
	const t = target();
	if (!t.all && (!t.gates || t.gates.length !== 1)) {
		say('A signed message is for one gate or the whole site.', true);
		return;
	}
	const extra = { signed: await f.text() };
	const body = t.all ? { site: t.site, all: true } : { site: t.site, gate: t.gates[0] };
	showErrors(null);
	try {
		const r = await api('POST', 'config-upload', Object.assign(body, extra));
		say('Checked and sent: ' + r.pushes.map((p) => p.target + ' version ' + p.version).join(', ') + '.', false);
	} catch (err) {
		say(err.message, true);
		if (err.status === 400) showErrors(err.message);
	}
	await load();
}

function answerText(g) {
	let s = g.answer;
	if (g.reason) s += ' (' + g.reason + ')';
	if (g.error) s += ': ' + g.error;
	if (g.answer === 'waiting' && g.state !== 'online') s += ', gate ' + g.state;
	return s;
}

function pushRow(p) {
	const tr = qgEl('tr');
	tr.dataset.target = p.site + '/' + p.target;
	tr.dataset.version = p.version;
	tr.append(qgEl('td', '', new Date(p.sent_ms).toISOString().slice(0, 19).replace('T', ' ')),
		qgEl('td', '', p.site + '/' + p.target), qgEl('td', '', p.version),
		qgEl('td', '', p.signed_by === 'offline' ? 'offline' : 'here'),
		qgEl('td', '', p.who));
	const set = qgEl('td', 'settings');
	for (const [k, v] of Object.entries(p.settings || {}))
		set.append(qgEl('div', '', k + ' = ' + v));
	const ans = qgEl('td', 'answers');
	const ul = qgEl('ul');
	for (const g of p.gates) {
		const li = qgEl('li', 'answer-' + g.answer, g.gate + ': ' + answerText(g));
		li.dataset.gate = g.gate;
		li.dataset.answer = g.answer;
		ul.append(li);
	}
	if (p.gates.length === 0) ul.append(qgEl('li', '', 'no gate known at this site'));
	ans.append(ul);
	tr.append(set, ans);
	return tr;
}

async function load() {
	const r = await api('GET', 'config-pushes');
	keys = r;
	document.getElementById('send').hidden = !r.signs;
	document.getElementById('download').hidden = r.signs;
	document.getElementById('upload-box').hidden = !r.checks;
	document.getElementById('keynote').textContent = r.signs ?
		'The aggregator signs with the admin key.' :
		'The admin key is kept off the aggregator: download the unsigned message, sign it with qrgatectl push config --sign-only, and upload it.';
	const tbody = document.getElementById('pushes');
	tbody.replaceChildren(...r.pushes.map(pushRow));
}

function showGates() {
	const span = document.getElementById('gates');
	span.replaceChildren();
	for (const g of gatesOf[document.getElementById('site').value] || []) {
		const l = qgEl('label');
		const c = qgEl('input');
		c.type = 'checkbox';
		c.value = g;
		c.name = 'gate-' + g;
		c.addEventListener('change', () => { document.getElementById('scope-gates').checked = true; });
		l.append(c, ' ' + g);
		span.append(l);
	}
}

async function loadGates() {
	const gates = await api('GET', 'gates');
	gatesOf = {};
	for (const g of gates) (gatesOf[g.site] = gatesOf[g.site] || []).push(g.gate);
	const sel = document.getElementById('site');
	const was = sel.value;
	sel.replaceChildren(...Object.keys(gatesOf).sort().map((s) => qgEl('option', '', s)));
	if (was && gatesOf[was]) sel.value = was;
	showGates();
}

qg.ready.then(async () => {
	document.getElementById('site').addEventListener('change', showGates);
	document.getElementById('check').addEventListener('click', check);
	document.getElementById('send').addEventListener('click', send);
	document.getElementById('download').addEventListener('click', download);
	document.getElementById('upload').addEventListener('click', upload);
	document.getElementById('file').addEventListener('change', async (e) => {
		const f = e.target.files[0];
		if (f) document.getElementById('text').value = await f.text();
	});
	await loadGates();
	await load();
	document.body.dataset.loaded = '1';
	// The answers come as the gates publish their statuses.
	setInterval(() => load().catch(() => {}), 2000);
});
