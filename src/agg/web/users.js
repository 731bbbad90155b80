// The Users page (admin): every user with its roles, each changed in
// place (roles, a new password, disable or enable, delete), and a form
// to add one.  Every change is a POST the aggregator audits.
'use strict';

const ROLES = ['guard', 'hr', 'security', 'it', 'tracer', 'admin'];

function roleBoxes(checked, prefix) {
	const span = qgEl('span', 'roles');
	for (const r of ROLES) {
		const l = qgEl('label');
		const c = qgEl('input');
		c.type = 'checkbox';
		c.value = r;
		c.name = prefix + '-' + r;
		c.checked = checked.includes(r);
		l.append(c, ' ' + r);
		span.append(l);
	}
	return span;
}

function boxesOf(el) {
	return [...el.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
}

const say = qgSay;

// A POST, what came of it said, and the page loaded again.
function act(what, body, done) {
	return qgAct(what, body, done).then(load);
}

async function load() {
	const users = await api('GET', 'users');
	const tbody = document.getElementById('users');
	tbody.replaceChildren();
	for (const u of users) {
		const tr = qgEl('tr');
		tr.dataset.user = u.name;
		const roles = roleBoxes(u.roles, u.name);
		const save = qgEl('button', 'save-roles', 'Save roles');
		save.type = 'button';
		save.addEventListener('click', () => act('user-roles', { name: u.name, roles: boxesOf(roles) }, 'Roles of ' + u.name + ' saved.'));
		const tdRoles = qgEl('td');
		tdRoles.append(roles, save);
		const acts = qgEl('td', 'actions');
		const pw = qgEl('button', 'passwd', 'New password');
		pw.type = 'button';
		pw.addEventListener('click', () => {
			const p = prompt('New password for ' + u.name);
			if (p) act('user-passwd', { name: u.name, password: p }, 'Password of ' + u.name + ' changed.');
		});
		const dis = qgEl('button', 'disable', u.disabled ? 'Enable' : 'Disable');
		dis.type = 'button';
		dis.addEventListener('click', () => act('user-disable', { name: u.name, disabled: !u.disabled },
			u.name + (u.disabled ? ' enabled.' : ' disabled.')));
		const del = qgEl('button', 'delete', 'Delete');
		del.type = 'button';
		del.addEventListener('click', () => {
			if (confirm('Delete ' + u.name + '?')) act('user-del', { name: u.name }, u.name + ' deleted.');
		});
		acts.append(pw, dis, del);
		tr.append(qgEl('td', 'name', u.name), tdRoles, qgEl('td', 'state', u.disabled ? 'disabled' : 'enabled'),
			qgEl('td', 'since', String(u.created || '').slice(0, 10)), acts);
		tbody.append(tr);
	}
	document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

qg.ready.then(() => {
	document.getElementById('add-roles').append(roleBoxes([], 'add'));
	document.getElementById('add').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const name = document.getElementById('add-name').value;
		act('user-add', { name, password: document.getElementById('add-password').value,
			roles: boxesOf(document.getElementById('add-roles')) }, name + ' added.');
		ev.target.reset();
	});
	return load();
}).catch((err) => say(err.message, true));
