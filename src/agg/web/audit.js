// The audit page (admin, security): every write through the console or
// the user commands, and every view of full subjects, newest first.
'use strict';

qg.ready.then(async () => {
	const rows = await api('GET', 'audit?limit=500');
	const tbody = document.getElementById('audit');
	for (const a of rows) {
		const tr = qgEl('tr');
		tr.dataset.id = a.id;
		tr.append(qgEl('td', 'time', a.time), qgEl('td', 'user', a.user), qgEl('td', 'what', a.what),
			qgEl('td', 'detail', a.detail));
		tbody.append(tr);
	}
	document.body.dataset.loaded = '1';
}).catch((err) => { document.getElementById('msg').textContent = err.message; });
