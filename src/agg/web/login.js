// The login page: the name and password go to POST /login as JSON (the
// page's CSP allows no form submission); on success the session cookie
// is set and the browser goes to its first page.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
	const form = document.getElementById('login');
	const error = document.getElementById('error');
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		error.hidden = true;
		const body = JSON.stringify({
			name: document.getElementById('name').value,
			password: document.getElementById('password').value,
		});
		let r;
		try {
			r = await fetch(location.origin + '/login', { method: 'POST', credentials: 'same-origin',
				headers: { 'Content-Type': 'application/json' }, body });
		} catch (err) {
			r = null;
		}
		if (r && r.ok) {
			location.replace('/');
			return;
		}
		let msg = 'The aggregator did not answer.';
		if (r && r.status === 401) msg = 'Wrong name or password.';
		else if (r && r.status === 429) msg = 'Too many attempts: wait a few seconds and try again.';
		else if (r) msg = 'Refused (' + r.status + ').';
		error.textContent = msg;
		error.hidden = false;
		document.getElementById('password').select();
	});
});
