/*
 * The Users page's API, for the admin role: GET users, and POST
 * user-add, user-roles, user-passwd, user-disable, user-del, each a JSON
 * object naming the user.  An admin cannot take the admin role from
 * itself, nor disable or delete itself: the site would lose its last
 * way in from the page.
 */
#include <stdio.h>
#include <string.h>

#include "agg_api.h"
#include "agg_users.h"

/* "roles": ["guard", "hr"] or "guard,hr". */
static int
users_roles_of(json_t *v, unsigned *roles)
{
	char buf[128] = "";
	size_t i, off = 0;
	json_t *e;

	if (json_is_string(v))
		return agg_web_roles_parse(json_string_value(v), roles);
	if (!json_is_array(v))
		return -1;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || off + json_string_length(e) + 2 >
		    sizeof(buf))
			return -1;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    off > 0 ? "," : "", json_string_value(e));
	}
	return agg_web_roles_parse(buf, roles);
}

/* The result of an agg_user_* call as the reply. */
static int
users_result(struct agg_web_reply *r, int rc, const char *name)
{
	switch (rc) {
	case 0:
		r->json = json_pack("{s:s}", "name", name);
		return r->json != NULL ? 0 : -1;
	case AGG_USER_EXISTS:
		r->status = 409;
		r->json = json_pack("{s:s}", "error", "that name is taken");
		return r->json != NULL ? 0 : -1;
	case AGG_USER_NONE:
		r->status = 404;
		r->json = json_pack("{s:s}", "error", "no such user");
		return r->json != NULL ? 0 : -1;
	case AGG_USER_BAD:
		return agg_api_bad(r, "a name of letters, digits and ._@- "
		    "and a password are needed");
	default:
		return -1;
	}
}

int
agg_users_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	const char *name, *pass;
	char rs[128];
	unsigned roles = 0;
	json_t *b;
	bool self;
	int rc;

	if (strcmp(c->what, "users") == 0) {
		r->json = agg_user_list(a->db);
		return r->json != NULL ? 0 : -1;
	}
	if ((b = agg_api_body(c, r)) == NULL)
		return 0;
	name = json_string_value(json_object_get(b, "name"));
	pass = json_string_value(json_object_get(b, "password"));
	if (name == NULL || !agg_user_name_ok(name)) {
		json_decref(b);
		return agg_api_bad(r, "no valid \"name\"");
	}
	self = strcmp(name, c->who->name) == 0;
	if ((strcmp(c->what, "user-add") == 0 ||
	    strcmp(c->what, "user-roles") == 0) &&
	    users_roles_of(json_object_get(b, "roles"), &roles) == -1) {
		json_decref(b);
		return agg_api_bad(r, "\"roles\": guard, hr, security, it, "
		    "tracer, admin");
	}
	agg_web_roles_format(roles, rs, sizeof(rs));
	if (strcmp(c->what, "user-add") == 0) {
		rc = agg_user_add(a->db, name, roles, pass != NULL ? pass : "");
		snprintf(r->audit, sizeof(r->audit), "added user %s (%s)", name,
		    rs);
	} else if (strcmp(c->what, "user-roles") == 0) {
		if (self && (roles & AGG_ROLE_ADMIN) == 0) {
			json_decref(b);
			return agg_api_bad(r, "you cannot take admin from "
			    "yourself");
		}
		rc = agg_user_roles(a->db, name, roles);
		snprintf(r->audit, sizeof(r->audit), "roles of %s: %s", name,
		    rs[0] != '\0' ? rs : "none");
	} else if (strcmp(c->what, "user-passwd") == 0) {
		rc = agg_user_passwd(a->db, name, pass != NULL ? pass : "");
		snprintf(r->audit, sizeof(r->audit), "new password for %s",
		    name);
	} else if (strcmp(c->what, "user-disable") == 0 ||
	    strcmp(c->what, "user-del") == 0) {
		bool del = strcmp(c->what, "user-del") == 0;
		bool off = del || !json_is_false(json_object_get(b,
		    "disabled"));

		if (self && off) {
			json_decref(b);
			return agg_api_bad(r, "you cannot disable or delete "
			    "yourself");
		}
		rc = del ? agg_user_del(a->db, name) :
		    agg_user_disable(a->db, name, off);
		snprintf(r->audit, sizeof(r->audit), "%s user %s", del ?
		    "deleted" : off ? "disabled" : "enabled", name);
	} else {
		json_decref(b);
		r->status = 404;
		r->json = json_pack("{s:s}", "error", "no such question");
		return r->json != NULL ? 0 : -1;
	}
	rc = users_result(r, rc, name);
	json_decref(b);
	return rc;
}
