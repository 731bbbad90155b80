// The live page: state from /api/* on load and on every (re)connection,
// then changes from the server-sent events at /events/live.  Text goes in
// with textContent only: what the gates send is never parsed as HTML.
'use strict';

const MAX_EVENTS = 200;
const state = {
	gates: new Map(),	// "site/gate" -> gate
	alarms: new Map(),	// "site/gate/alarm" -> alarm
	headcount: new Map(),	// site -> number inside
	events: new Map(),	// event key -> { data, row }
	// Whether the alarms are known: until then the page may not say
	// "No open alarms", which a guard would believe.
	alarmsLoaded: false,
	shown: new Map(),	// alarm key -> alarm in the bar, gates' too
};
let source = null;

function $(id) { return document.getElementById(id); }

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined && text !== null) e.textContent = String(text);
	return e;
}

function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }

// Milliseconds since the epoch of a record: ts_ms, else its ISO time.
function when(o, ...keys) {
	for (const k of keys) {
		if (num(o[k]) !== null) return o[k];
		if (typeof o[k] === 'string') {
			const t = Date.parse(o[k]);
			if (!isNaN(t)) return t;
		}
	}
	return null;
}

function pad(n) { return String(n).padStart(2, '0'); }

// Times show as the site's clocks show them (site.timezone, from
// /api/site), wherever the browser is; until the zone is known, or when
// the browser does not know it, in the browser's own zone, which the
// page then names as the browser's.
const zone = { fmt: null, name: null, site: false };

function zoneUse(tz, site) {
	try {
		zone.fmt = new Intl.DateTimeFormat('en-GB', {
			timeZone: tz || undefined, hourCycle: 'h23',
			hour: '2-digit', minute: '2-digit', second: '2-digit',
			timeZoneName: 'shortOffset',
		});
	} catch (err) {
		if (site) return zoneUse(null, false);
		zone.fmt = null;
	}
	// The site's own spelling: ICU may give an alias (Asia/Saigon).
	zone.name = site ? tz : zone.fmt ? zone.fmt.resolvedOptions().timeZone : null;
	zone.site = site;
	for (const v of state.events.values()) {
		const cell = v.row.querySelector('.time');
		if (cell) cell.textContent = clock(when(v.data, 'ts_ms', 'time'));
	}
	// The header's clock too, not a second later in the old zone.
	const now = $('clock');
	if (now) now.textContent = clockParts(Date.now()).join(' ');
	const head = $('time-head');
	if (head) {
		head.textContent = 'Time' + (zone.name ? ' (' + zone.name + (site ? '' : ', this browser') + ')' : '');
		head.dataset.zone = zone.name || '';
	}
	return zone.fmt !== null;
}

// "HH:MM:SS", and the offset apart ("GMT+7"), in the zone in use.
function clockParts(ms) {
	if (zone.fmt) {
		const p = {};
		for (const x of zone.fmt.formatToParts(new Date(ms))) p[x.type] = x.value;
		return [p.hour + ':' + p.minute + ':' + p.second, p.timeZoneName || ''];
	}
	const d = new Date(ms);
	return [pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()), ''];
}

function clock(ms) {
	if (ms === null) return '—';
	return clockParts(ms)[0];
}

function ago(ms) {
	if (ms === null) return 'never';
	const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
	if (s < 60) return s + ' s ago';
	if (s < 3600) return Math.floor(s / 60) + ' min ago';
	if (s < 86400) return Math.floor(s / 3600) + ' h ago';
	return Math.floor(s / 86400) + ' d ago';
}

function words(s) { return String(s || '').replace(/[-_]/g, ' '); }

function gateName(o) { return (o.gate || '?') + (o.site ? ' · ' + o.site : ''); }

// A list from an API answer: an array, or an object holding one.
function list(j, key) {
	if (Array.isArray(j)) return j;
	if (j && Array.isArray(j[key])) return j[key];
	return [];
}

/* Gates */

function gateKey(g) { return (g.site || '') + '/' + (g.gate || ''); }

function gateSeen(g) { return when(g, 'last_heartbeat_ms', 'last_seen_ms', 'heartbeat_ms', 'ts_ms', 'last_seen', 'time'); }

// The aggregator may say "stale" as a state or as a flag on "online".
function gateState(g) {
	if (g.state === 'offline') return 'offline';
	if (g.stale === true || g.stale === 1 || g.state === 'stale') return 'stale';
	return g.state === 'online' ? 'online' : 'unknown';
}

// An offline gate is an alarm for a guard: nobody passes it, and nothing
// it sees reaches the page.  (A stale gate shows in the gate list only:
// its heartbeat is late, it may still be working.)
function gateAlarms() {
	const out = [];
	for (const g of state.gates.values())
		if (gateState(g) === 'offline')
			out.push({ site: g.site, gate: g.gate, alarm: 'gate-offline',
				began_ms: when(g, 'changed_ms', 'offline_ms', 'last_seen_ms', 'heartbeat_ms'),
				detail: 'last heartbeat ' + ago(gateSeen(g)), gateOffline: true });
	return out;
}

function renderGates() {
	const ul = $('gates');
	// Trouble first: a guard reads the top of the list.
	const rank = { offline: 0, stale: 1, unknown: 2, online: 3 };
	const gates = [...state.gates.values()].sort((a, b) =>
		rank[gateState(a)] - rank[gateState(b)] || gateKey(a).localeCompare(gateKey(b)));
	ul.replaceChildren(...gates.map((g) => {
		const st = gateState(g);
		const li = el('li', 'gate ' + st);
		li.dataset.gate = gateKey(g);
		li.dataset.state = st;
		li.append(el('span', 'gate-name', gateName(g)),
			el('span', 'badge', st),
			el('span', 'seen', 'heartbeat ' + ago(gateSeen(g))));
		return li;
	}));
	renderAlarms();
}

function tickGates() {
	for (const li of $('gates').children) {
		const g = state.gates.get(li.dataset.gate);
		if (g) li.querySelector('.seen').textContent = 'heartbeat ' + ago(gateSeen(g));
	}
	for (const li of $('alarms').children) {
		const a = state.shown.get(li.dataset.alarm);
		if (!a) continue;
		li.querySelector('.since').textContent = alarmSinceText(a);
		if (a.gateOffline) {
			const g = state.gates.get(gateKey(a));
			if (g) li.querySelector('.detail').textContent = 'last heartbeat ' + ago(gateSeen(g));
		}
	}
	$('clock').textContent = clockParts(Date.now()).join(' ');
}

/* Alarms */

function alarmKey(a) { return gateKey(a) + '/' + (a.alarm || a.reason || '?'); }

function alarmSince(a) { return when(a, 'since_ms', 'began_ms', 'begin_ms', 'ts_ms', 'since', 'time'); }

function alarmSinceText(a) {
	const t = alarmSince(a);
	return t === null ? 'since —' : 'since ' + clock(t) + ' (' + ago(t) + ')';
}

// What an alarm is about, beyond its name: its detail, unless that only
// repeats the name (a gate's alarm of an event says its reason, which is
// its name); else its lane and code.
function alarmDetail(a) {
	const name = a.alarm || a.reason || '';
	if (a.detail && a.detail !== name && a.detail !== a.reason) return a.detail;
	const parts = [];
	if (a.lane) parts.push('lane ' + a.lane);
	if (a.subject) parts.push('code ' + a.subject);
	return parts.join(', ');
}

function renderAlarms() {
	const alarms = [...state.alarms.values(), ...gateAlarms()]
		.sort((a, b) => (alarmSince(a) || 0) - (alarmSince(b) || 0));
	state.shown.clear();
	$('alarms').replaceChildren(...alarms.map((a) => {
		const li = el('li', 'alarm' + (a.alarm === 'fire-alarm' ? ' fire' : ''));
		li.dataset.alarm = alarmKey(a);
		state.shown.set(li.dataset.alarm, a);
		li.append(el('span', 'alarm-name', words(a.alarm || a.reason)),
			el('span', 'alarm-gate', gateName(a)),
			el('span', 'since', alarmSinceText(a)));
		const detail = alarmDetail(a);
		if (detail) li.append(el('span', 'detail', detail));
		return li;
	}));
	const none = $('no-alarms');
	none.hidden = alarms.length > 0;
	none.className = state.alarmsLoaded ? 'calm' : 'pending';
	none.textContent = state.alarmsLoaded ? 'No open alarms' : 'Loading alarms…';
	document.body.classList.toggle('alarmed', alarms.length > 0);
}

function onAlarm(a) {
	if (a.active === false || a.state === 'ended' || a.ended_ms)
		state.alarms.delete(alarmKey(a));
	else
		state.alarms.set(alarmKey(a), a);
	renderAlarms();
}

/* Headcount */

// The aggregator's answer is {headcount: {site: n}, total: n}, every site
// with someone inside: a snapshot.  One site's {site, inside} and a list
// of them are taken too.
function setHeadcount(j) {
	let rows = null;
	if (j && j.headcount && typeof j.headcount === 'object' && !Array.isArray(j.headcount)) {
		state.headcount.clear();
		rows = Object.entries(j.headcount).map(([site, inside]) => ({ site, inside }));
	} else if (Array.isArray(j) || (j && Array.isArray(j.sites))) {
		state.headcount.clear();
		rows = list(j, 'sites');
	} else if (j && typeof j.site === 'string') {
		rows = [j];
	} else {
		rows = [];
	}
	for (const r of rows) {
		const n = num(r.inside) ?? num(r.count) ?? num(r.headcount);
		if (r.site && n !== null) state.headcount.set(r.site, n);
	}
	renderHeadcount();
}

// Every site with a gate shows, at 0 when nobody is inside.
// Who is inside, by name where the people list has them (the aggregator
// adds names to /api/inside; a user who may not see names gets none).
async function loadInside() {
	let j;
	try {
		j = await getJSON('inside');
	} catch (err) {
		return;
	}
	$('inside-names').replaceChildren(...list(j, 'inside').map((p) => {
		const li = el('li', 'person', p.name || p.credential_id || p.subject || '');
		li.dataset.id = p.credential_id || '';
		if (p.department) li.append(el('span', 'dept', ' ' + p.department));
		return li;
	}));
}

function renderHeadcount() {
	const sites = new Set(state.headcount.keys());
	for (const g of state.gates.values()) if (g.site) sites.add(g.site);
	$('headcount').replaceChildren(...[...sites].sort().map((s) => {
		const li = el('li', 'site');
		li.dataset.site = s;
		li.append(el('span', 'count', state.headcount.get(s) ?? 0), el('span', 'site-name', s));
		return li;
	}));
}

/* Events */

function eventKey(e) {
	return e.event_id || [e.site, e.gate, e.lane, e.seq, when(e, 'ts_ms', 'time')].join('/');
}

function eventRow(e) {
	const result = String(e.result || e.type || '');
	const cls = result === 'granted' ? 'granted' : result === 'denied' ? 'denied' : 'other';
	const tr = el('tr', cls);
	tr.dataset.result = result;
	let way = e.direction === 'entry' ? '→ in' : e.direction === 'exit' ? '← out' : words(e.direction);
	if (result === 'alarm') way = '';
	tr.append(el('td', 'time', clock(when(e, 'ts_ms', 'time'))),
		el('td', 'gate', gateName(e)),
		el('td', 'way', way),
		el('td', 'result', result.toUpperCase()),
		el('td', 'reason', result === 'granted' && e.reason === 'granted' ? '' : words(e.reason)),
		el('td', 'subject', e.name ? e.name + ' · ' + (e.subject || '') : e.subject || ''));
	return tr;
}

function addEvent(e, fresh) {
	const key = eventKey(e);
	const old = state.events.get(key);
	const row = eventRow(e);
	row.dataset.key = key;
	if (old) {
		// A later revision (the passage) of an event shown: in place.
		old.row.replaceWith(row);
		old.data = e;
		old.row = row;
		return;
	}
	if (fresh) row.classList.add('fresh');
	state.events.set(key, { data: e, row });
	const tbody = $('events');
	const t = when(e, 'ts_ms', 'time') || 0;
	let before = tbody.firstChild;
	while (before && (when(state.events.get(before.dataset.key).data, 'ts_ms', 'time') || 0) > t)
		before = before.nextSibling;
	tbody.insertBefore(row, before);
	while (tbody.children.length > MAX_EVENTS) {
		const last = tbody.lastChild;
		state.events.delete(last.dataset.key);
		last.remove();
	}
	$('no-events').hidden = true;
}

/* Loading and the stream */

// common.js's api(): a session that ended goes to the login page.
function getJSON(what) { return api('GET', what); }

async function reload() {
	// The zone first: every time rendered below is shown in it.
	try {
		const site = await getJSON('site');
		if (site && typeof site.timezone === 'string' && site.timezone !== zone.name) zoneUse(site.timezone, true);
	} catch (err) { /* an older aggregator: the browser's zone, named */ }
	const parts = await Promise.allSettled(['gates', 'alarms', 'headcount', 'recent'].map(getJSON));
	const [gates, alarms, headcount, recent] = parts.map((p) => p.status === 'fulfilled' ? p.value : null);
	if (gates) {
		state.gates.clear();
		for (const g of list(gates, 'gates')) state.gates.set(gateKey(g), g);
		renderGates();
		renderHeadcount();
	}
	if (alarms) {
		state.alarms.clear();
		for (const a of list(alarms, 'alarms')) if (a.active !== false) state.alarms.set(alarmKey(a), a);
		state.alarmsLoaded = true;
		renderAlarms();
	}
	if (headcount) setHeadcount(headcount);
	loadInside();
	if (recent) for (const e of list(recent, 'events')) addEvent(e, false);
	document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

function setConn(up, text) {
	const c = $('conn');
	c.className = 'conn ' + (up ? 'up' : 'down');
	c.textContent = text;
}

function connect() {
	if (source) source.close();
	source = new EventSource('/events/live');
	source.onopen = () => {
		setConn(true, 'live');
		// Whatever happened while the page was away: fetch it all again.
		reload().catch(() => {});
	};
	source.onerror = () => {
		setConn(false, 'reconnecting…');
		// EventSource retries by itself unless the server refused it;
		// refused, the session may have ended (api() then signs in).
		if (source.readyState === EventSource.CLOSED)
			api('GET', 'session').then(() => setTimeout(connect, 5000), () => {});
	};
	const on = (type, fn) => source.addEventListener(type, (m) => {
		let d;
		try { d = JSON.parse(m.data); } catch (err) { return; }
		fn(d);
	});
	on('event', (e) => addEvent(e, true));
	on('gate', (g) => {
		const k = gateKey(g);
		const old = state.gates.get(k);
		const m = Object.assign({}, old, g);
		// Since when, for an offline gate's alarm, from an aggregator
		// that does not say.
		if (g.state && num(g.changed_ms) === null && (!old || gateState(old) !== gateState(m)))
			m.changed_ms = Date.now();
		// A gate coming online was heard from just now.  (A "gate" event
		// may also be about a gap in its sequence, with no state.)
		if (g.state && gateSeen(g) === null && gateState(m) === 'online') m.last_seen_ms = Date.now();
		state.gates.set(k, m);
		renderGates();
		renderHeadcount();
	});
	on('alarm', onAlarm);
	on('headcount', (j) => {
		setHeadcount(j);
		loadInside();
	});
}

qg.ready.then(() => {
	zoneUse(null, false);
	tickGates();
	setInterval(tickGates, 1000);
	connect();
}).catch(() => {});
