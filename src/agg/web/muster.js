// The Muster page (guard): who is inside now, by site and department,
// with names, for an evacuation; reloaded every 5 s, and printable as the
// aggregator's PDF.
'use strict';

// Entry times as the site's clocks show them (site.timezone, from
// /api/site), named in the heading; in the browser's zone, named as such,
// when the site's is not known.
let since = null;

async function sinceFormat() {
	let tz = null;
	try {
		tz = (await api('GET', 'site')).timezone || null;
	} catch (err) { /* the browser's zone, named below */ }
	let fmt;
	try {
		fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz || undefined, hourCycle: 'h23',
			day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
	} catch (err) {
		tz = null;
		fmt = new Intl.DateTimeFormat('en-GB', { hourCycle: 'h23',
			day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
	}
	const name = tz || fmt.resolvedOptions().timeZone + ', this browser';
	document.getElementById('zone').textContent = 'Entry times in ' + name;
	return (ms) => typeof ms === 'number' ? fmt.format(new Date(ms)) : '—';
}

async function load() {
	if (since === null) since = await sinceFormat();
	const d = await api('GET', 'muster');
	document.getElementById('total').textContent = String(d.total);
	const groups = document.getElementById('groups');
	groups.replaceChildren();
	let table = null, last = null;
	for (const p of d.inside) {
		const g = p.site + ' / ' + (p.department || '(no department)');
		if (g !== last) {
			const h = qgEl('h3', 'group', g);
			table = qgEl('table');
			table.dataset.group = g;
			groups.append(h, table);
			last = g;
		}
		const tr = qgEl('tr');
		tr.dataset.id = p.credential_id;
		tr.append(qgEl('td', 'name', p.name || '(not in the people list)'), qgEl('td', 'id', p.credential_id),
			qgEl('td', 'where', p.gate + ' ' + p.lane), qgEl('td', 'since', since(p.since_ms)));
		table.append(tr);
	}
	document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

qg.ready.then(() => {
	document.getElementById('print').addEventListener('click', async () => {
		try {
			qgSave(await api('GET', 'muster-pdf'), 'muster.pdf');
		} catch (err) {
			document.getElementById('msg').textContent = err.message;
		}
	});
	load().catch((err) => { document.getElementById('msg').textContent = err.message; });
	setInterval(() => load().catch(() => {}), 5000);
});
