// The Muster page (guard): who is inside now, by site and department,
// with names, for an evacuation; reloaded every 5 s, and printable as the
// aggregator's PDF.
'use strict';

async function load() {
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
			qgEl('td', 'where', p.gate + ' ' + p.lane), qgEl('td', 'since', p.since));
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
