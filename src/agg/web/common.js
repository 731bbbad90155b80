// What every page of the console shares: the session (who, roles, the
// CSRF token, the pages these roles may open), the navigation built from
// it, api() that sends the CSRF token with every POST, signing out, and
// the masking helpers.  A page script waits for qg.ready, which resolves
// with the session once the navigation is shown; without a session the
// browser goes to the login page.  Text goes in with textContent only.
'use strict';

const qg = {
	session: null,
	ready: null,
};

function qgEl(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined && text !== null) e.textContent = String(text);
	return e;
}

function qgLogin() {
	location.replace('/login.html');
}

// api('GET', 'gates') or api('POST', 'user-add', {...}): the answer's
// JSON, or a Blob for a file; throws an Error with the server's message
// and .status.  A 401 (the session ended) goes to the login page.
async function api(method, what, body) {
	const opt = { method, cache: 'no-store', credentials: 'same-origin', headers: {} };
	if (method === 'POST') {
		opt.headers['X-CSRF-Token'] = qg.session ? qg.session.csrf : '';
		if (body instanceof Blob || typeof body === 'string') {
			opt.body = body;
		} else {
			opt.headers['Content-Type'] = 'application/json';
			opt.body = JSON.stringify(body === undefined ? {} : body);
		}
	}
	// From the origin: fetch() refuses a URL relative to a page opened
	// as http://user:password@host/.
	const r = await fetch(location.origin + '/api/' + what, opt);
	if (r.status === 401) {
		qgLogin();
		throw Object.assign(new Error('signed out'), { status: 401 });
	}
	const type = r.headers.get('Content-Type') || '';
	if (!r.ok) {
		let msg = r.status + ' ' + r.statusText;
		if (type.startsWith('application/json')) {
			try { msg = (await r.json()).error || msg; } catch (err) { /* as is */ }
		}
		throw Object.assign(new Error(msg), { status: r.status });
	}
	return type.startsWith('application/json') ? r.json() : r.blob();
}

// Says text in the page's #msg, as an error when bad.
function qgSay(text, bad) {
	const m = document.getElementById('msg');
	m.textContent = text;
	m.className = 'msg' + (bad ? ' error' : '');
}

// POSTs body to what and says done, or the error; true when it went.
async function qgAct(what, body, done) {
	try {
		await api('POST', what, body);
		qgSay(done, false);
		return true;
	} catch (err) {
		qgSay(err.message, true);
		return false;
	}
}

// Has the browser save blob as name (a download from api()).
function qgSave(blob, name) {
	const a = qgEl('a');
	a.href = URL.createObjectURL(blob);
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// "********1234": all but the last keep characters hidden.
function qgMask(s, keep = 4) {
	s = String(s || '');
	return s.length <= keep ? s : '*'.repeat(s.length - keep) + s.slice(-keep);
}

function qgHasRole(...roles) {
	return !!qg.session && roles.some((r) => qg.session.roles.includes(r));
}

async function qgSignOut() {
	try {
		await fetch(location.origin + '/logout', { method: 'POST', credentials: 'same-origin',
			headers: { 'X-CSRF-Token': qg.session ? qg.session.csrf : '' } });
	} finally {
		qgLogin();
	}
}

function qgNav(s) {
	let nav = document.getElementById('nav');
	if (!nav) {
		nav = qgEl('nav');
		nav.id = 'nav';
		(document.querySelector('header') || document.body).append(nav);
	}
	nav.replaceChildren();
	const here = location.pathname;
	for (const p of s.pages) {
		const a = qgEl('a', p.href === here ? 'here' : '', p.title);
		a.href = p.href;
		nav.append(a);
	}
	const who = qgEl('span', 'who', s.user);
	who.id = 'who';
	who.title = s.roles.join(', ');
	const out = qgEl('button', 'signout', 'Sign out');
	out.id = 'signout';
	out.type = 'button';
	out.addEventListener('click', qgSignOut);
	nav.append(who, out);
}

qg.ready = (async () => {
	const s = await api('GET', 'session');
	qg.session = s;
	if (document.readyState === 'loading')
		await new Promise((ok) => document.addEventListener('DOMContentLoaded', ok));
	qgNav(s);
	document.body.dataset.user = s.user;
	// An open page is a session in use: without this, a guard's live
	// page would be signed out at session_idle_min.
	setInterval(() => api('GET', 'session').catch(() => {}), 5 * 60 * 1000);
	return s;
})();
