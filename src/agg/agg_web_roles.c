/*
 * Who may do what: the one table of the console's API and the one table
 * of its page files, each one line per entry.  A what that no line names
 * is 404 and a role no line gives is 403, before any handler runs, so a
 * handler never checks a role.  A new part of the console adds its lines
 * here and nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include "agg_web_private.h"
#include "util.h"

#define GUARD		AGG_ROLE_GUARD
#define HR		AGG_ROLE_HR
#define SECURITY	AGG_ROLE_SECURITY
#define IT		AGG_ROLE_IT
#define TRACER		AGG_ROLE_TRACER
#define ADMIN		AGG_ROLE_ADMIN
#define ANYONE		AGG_ROLES_ALL

struct web_route {
	const char *method;
	const char *what;
	unsigned roles;
};

/* /api/WHAT.  Every POST also needs the session's CSRF token. */
static const struct web_route web_routes[] = {
	{ "GET", "session", ANYONE },	/* the web side answers it */
	{ "GET", "site", ANYONE },
	{ "GET", "gates", GUARD | SECURITY | IT },
	{ "GET", "alarms", GUARD | SECURITY | IT },
	{ "GET", "headcount", GUARD | SECURITY },
	{ "GET", "recent", GUARD | SECURITY },
	{ "GET", "inside", GUARD | SECURITY | TRACER },
	{ "GET", "events", SECURITY | TRACER },
	{ "GET", "daily", SECURITY | IT },
	{ "GET", "gaps", SECURITY | IT },
	{ "GET", "stats", SECURITY | IT | ADMIN },
	{ "GET", "trace", TRACER },
	{ "GET", "audit", ADMIN | SECURITY },
	{ "GET", "users", ADMIN },
	{ "POST", "user-add", ADMIN },
	{ "POST", "user-roles", ADMIN },
	{ "POST", "user-passwd", ADMIN },
	{ "POST", "user-disable", ADMIN },
	{ "POST", "user-del", ADMIN },
	/* The visitor desk (agg_visitor_api.c): documents whole to the
	 * tracer only, in the register for the authorities. */
	{ "GET", "visitors", GUARD | SECURITY | TRACER },
	{ "POST", "visitor-add", GUARD },
	{ "GET", "visitor-pass", GUARD },
	{ "POST", "visitor-cancel", GUARD },
	{ "GET", "visitor-export", GUARD | SECURITY | TRACER },
	/* People and badges (HR); what each gate holds (HR, IT); the
	 * muster list (guard, security, HR). */
	{ "GET", "people", HR },
	{ "GET", "people-versions", HR | IT },
	{ "GET", "people-badges", HR },
	{ "POST", "people-add", HR },
	{ "POST", "people-edit", HR },
	{ "POST", "people-status", HR },
	{ "POST", "people-import", HR },
	{ "POST", "people-badge", HR },
	{ "GET", "muster", GUARD | SECURITY | HR },
	{ "GET", "muster-pdf", GUARD | SECURITY | HR },
	/* Attendance: HR's, and admin's to look (agg_attendance_api.c). */
	{ "GET", "attendance", HR | ADMIN },
	{ "GET", "attendance-shifts", HR | ADMIN },
	{ "POST", "attendance-correct", HR },
	{ "GET", "config-pushes", IT },
	{ "POST", "config-check", IT },
	{ "POST", "config-push", IT },
	{ "POST", "config-upload", IT },
};

/*
 * The files under web_root, served at "/" + name.  title: the page's name
 * in the navigation (NULL: not a page of its own).  roles 0: served
 * without a session (the login page and what it needs).  "/" is the live
 * page for those who may see it, else the first page a user may see, else
 * home.html.
 */
const struct web_page agg_web_pages[] = {
	{ "index.html", "Live", GUARD | SECURITY },
	{ "app.js", NULL, GUARD | SECURITY },
	{ "users.html", "Users", ADMIN },
	{ "users.js", NULL, ADMIN },
	{ "people.html", "People", HR },
	{ "people.js", NULL, HR },
	{ "muster.html", "Muster", GUARD | SECURITY | HR },
	{ "muster.js", NULL, GUARD | SECURITY | HR },
	{ "attendance.html", "Attendance", HR | ADMIN },
	{ "attendance.js", NULL, HR | ADMIN },
	{ "audit.html", "Audit", ADMIN | SECURITY },
	{ "audit.js", NULL, ADMIN | SECURITY },
	{ "visitor.html", "Visitors", GUARD },
	{ "visitor.js", NULL, GUARD },
	{ "visitor.css", NULL, GUARD },
	{ "confpush.html", "Config pushes", IT },
	{ "confpush.js", NULL, IT },
	{ "home.html", NULL, ANYONE },	/* for roles without a page */
	{ "login.html", NULL, 0 },
	{ "login.js", NULL, 0 },
	{ "common.js", NULL, 0 },
	{ "style.css", NULL, 0 },
};
const size_t agg_web_n_pages = nitems(agg_web_pages);

/* The live stream: the live page's, and IT's for the gates' states (without
 * names: agg_web_publish()). */
const unsigned agg_web_live_roles = GUARD | SECURITY | IT;

static const char *const web_role_names[] = {
	"guard", "hr", "security", "it", "tracer", "admin",
};

unsigned
agg_web_roles_of(const char *method, const char *what)
{
	for (size_t i = 0; i < nitems(web_routes); i++)
		if (strcmp(web_routes[i].method, method) == 0 &&
		    strcmp(web_routes[i].what, what) == 0)
			return web_routes[i].roles;
	return 0;
}

int
agg_web_roles_parse(const char *s, unsigned *roles)
{
	size_t n, i;

	*roles = 0;
	while (*s != '\0') {
		n = strcspn(s, ",");
		for (i = 0; i < nitems(web_role_names); i++)
			if (strlen(web_role_names[i]) == n &&
			    strncmp(web_role_names[i], s, n) == 0)
				break;
		if (i == nitems(web_role_names))
			return -1;
		*roles |= 1u << i;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

void
agg_web_roles_format(unsigned roles, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nitems(web_role_names); i++)
		if (roles & (1u << i) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? "," : "", web_role_names[i]);
}

json_t *
agg_web_roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < nitems(web_role_names); i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(web_role_names[i]));
	return a;
}
