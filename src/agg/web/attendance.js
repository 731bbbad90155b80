// The Attendance page (HR; admin may look): a month per person from
// GET /api/attendance, one cell a day, the month's totals at the end of
// each row; the month as CSV or XLSX; and HR's correction of a day
// (POST attendance-correct), after which the month is shown again.
'use strict';

// The first and last date of "YYYY-MM" and its number of days.
function monthRange(m) {
	const [y, mo] = m.split('-').map(Number);
	const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
	return { from: m + '-01', to: m + '-' + String(days).padStart(2, '0'), days };
}

function question(format) {
	const r = monthRange(document.getElementById('month').value);
	const g = document.getElementById('group').value.trim();
	let q = 'attendance?from=' + r.from + '&to=' + r.to;
	if (g) q += '&group=' + encodeURIComponent(g);
	if (format) q += '&format=' + format;
	return q;
}

// A day's cell: its text, and classes for what it holds.
function dayCell(d) {
	const td = qgEl('td', 'day');
	let text = '';
	if (d.absent) { text = 'A'; td.classList.add('absent'); }
	else if (d.first_in || d.last_out) text = (d.worked_min / 60).toFixed(1);
	if (d.missing) { text += '?'; td.classList.add('missing'); }
	if (d.late_min || d.early_min) { text += 'L'; td.classList.add('late'); }
	if (d.corrected) text += '*';
	if (!d.working) td.classList.add('off');
	td.textContent = text;
	td.dataset.person = d.person;
	td.dataset.day = d.day;
	td.title = d.day + ': in ' + (d.first_in || '—') + ', out ' + (d.last_out || '—') +
		(d.late_min ? ', ' + d.late_min + ' min late' : '') +
		(d.early_min ? ', left ' + d.early_min + ' min early' : '') +
		(d.missing ? ', missing ' + d.missing : '') + (d.corrected ? ', corrected' : '');
	td.addEventListener('click', () => {
		document.getElementById('detail').textContent = d.name + ' (' + d.person + '), ' + td.title;
		document.getElementById('c-person').value = d.person;
		document.getElementById('c-day').value = d.day;
	});
	return td;
}

async function load() {
	const r = monthRange(document.getElementById('month').value);
	const d = await api('GET', question());
	const grid = document.getElementById('grid');
	const head = qgEl('tr');
	head.append(qgEl('th', '', 'Name'), qgEl('th', '', 'Id'), qgEl('th', '', 'Department'),
		qgEl('th', '', 'Shift'));
	for (let i = 1; i <= r.days; i++) head.append(qgEl('th', 'day', i));
	head.append(qgEl('th', '', 'Hours'), qgEl('th', '', 'Late min'), qgEl('th', '', 'Absent'));
	const rows = [qgEl('thead'), qgEl('tbody')];
	rows[0].append(head);
	let tr = null, last = null, worked = 0, late = 0, absent = 0;
	const close = () => {
		if (tr) tr.append(qgEl('td', 'sum', (worked / 60).toFixed(1)), qgEl('td', 'sum', late),
			qgEl('td', 'sum', absent));
	};
	for (const day of d.rows) {
		if (day.person !== last) {
			close();
			tr = qgEl('tr');
			tr.dataset.person = day.person;
			tr.append(qgEl('td', 'name', day.name), qgEl('td', 'id', day.person),
				qgEl('td', '', day.department), qgEl('td', '', day.shift));
			rows[1].append(tr);
			last = day.person;
			worked = late = absent = 0;
		}
		tr.append(dayCell(day));
		worked += day.worked_min;
		late += day.late_min;
		absent += day.absent;
	}
	close();
	if (!d.rows.length) {
		const empty = qgEl('tr');
		empty.append(qgEl('td', 'empty', 'No one works a shift here (qrgate-aggregator attendance assign).'));
		rows[1].append(empty);
	}
	grid.replaceChildren(...rows);
	document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

function say(err) { qgSay(err.message, true); }

qg.ready.then(() => {
	const now = new Date();
	document.getElementById('month').value = now.getFullYear() + '-' +
		String(now.getMonth() + 1).padStart(2, '0');
	if (!qgHasRole('hr')) document.getElementById('correct-section').hidden = true;
	document.getElementById('pick').addEventListener('submit', (ev) => {
		ev.preventDefault();
		load().catch(say);
	});
	for (const f of ['csv', 'xlsx']) {
		document.getElementById(f).addEventListener('click', async () => {
			try {
				const r = monthRange(document.getElementById('month').value);
				qgSave(await api('GET', question(f)), 'attendance-' + r.from.slice(0, 7) + '.' + f);
			} catch (err) { say(err); }
		});
	}
	document.getElementById('correct').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = {
			person: document.getElementById('c-person').value.trim(),
			day: document.getElementById('c-day').value,
			field: document.getElementById('c-field').value,
			value: document.getElementById('c-value').value.trim(),
			why: document.getElementById('c-why').value.trim(),
		};
		if (await qgAct('attendance-correct', body, 'Correction recorded for ' + body.person + ', ' + body.day))
			load().catch(say);
	});
	load().catch(say);
});
