/*
 * Schedules in the store (store_schedule.h).  Rarely written and read
 * only for a credential that has a schedule, so the statements are
 * prepared where they are used, like gate_meta's (store_meta.c).  Every
 * value is bound, never formatted into SQL.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_private.h"
#include "store_schedule.h"

/* The most text arguments a statement here takes. */
#define SCHED_SQL_ARGS	2

/*
 * Runs sql with the text arguments args (NULL-terminated, at most
 * SCHED_SQL_ARGS), calling row for each row until it returns non-zero.
 * Returns the rows seen, the changes made for a statement without rows,
 * or -1 after logging SQLite's message.
 */
static int
sched_sql(struct store *st, const char *sql, const char *const *args,
    int (*row)(sqlite3_stmt *s, void *arg), void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc, n = 0;

	if (store_prepare(db, sql, &s) == -1)
		return -1;
	for (int i = 0; args != NULL && i < SCHED_SQL_ARGS && args[i] != NULL;
	    i++)
		if (sqlite3_bind_text(s, i + 1, args[i], -1,
		    SQLITE_STATIC) != SQLITE_OK) {
			log_warnx("%s: %s", store_db_name(db),
			    sqlite3_errmsg(db));
			sqlite3_finalize(s);
			return -1;
		}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if (row != NULL && row(s, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s", store_db_name(db), sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	if (sqlite3_column_count(s) == 0)
		n = sqlite3_changes(db);
	sqlite3_finalize(s);
	return n;
}

int
store_schedule_put(struct store *st, const char *name, const char *text,
    char *err, size_t errlen)
{
	const char *args[] = { name, text, NULL };
	struct schedule s;

	if (schedule_parse(name, text, &s, err, errlen) == -1)
		return -1;
	if (sched_sql(st, "INSERT INTO schedules (name, text) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO UPDATE SET text = ?2", args, NULL,
	    NULL) == -1) {
		snprintf(err, errlen, "the store: %s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	return 0;
}

int
store_schedule_delete(struct store *st, const char *name)
{
	const char *args[] = { name, NULL };
	int n = sched_sql(st, "DELETE FROM schedules WHERE name = ?1", args,
	    NULL, NULL);

	return n == -1 ? -1 : n > 0;
}

struct sched_get {
	const char *name;
	struct schedule *s;
	int rc;
};

static int
sched_get_row(sqlite3_stmt *s, void *arg)
{
	struct sched_get *g = arg;
	const char *text = (const char *)sqlite3_column_text(s, 0);
	char msg[200];

	g->rc = 1;
	if (schedule_parse(g->name, text != NULL ? text : "", g->s, msg,
	    sizeof(msg)) == -1) {
		log_warnx("schedule %s as stored: %s", g->name, msg);
		g->rc = -1;
	}
	return 1;
}

int
store_schedule_get(struct store *st, const char *name, struct schedule *s)
{
	const char *args[] = { name, NULL };
	struct sched_get g = { name, s, 0 };

	if (sched_sql(st, "SELECT text FROM schedules WHERE name = ?1", args,
	    sched_get_row, &g) == -1)
		return -1;
	return g.rc;
}

/* A callback over two text columns, for the listings. */
struct sched_pairs {
	int (*cb)(const char *a, const char *b, void *arg);
	void *arg;
};

static int
sched_pairs_row(sqlite3_stmt *s, void *arg)
{
	struct sched_pairs *p = arg;
	const char *a = (const char *)sqlite3_column_text(s, 0);
	const char *b = (const char *)sqlite3_column_text(s, 1);

	return p->cb(a != NULL ? a : "", b != NULL ? b : "", p->arg);
}

static int
sched_pairs(struct store *st, const char *sql,
    int (*cb)(const char *a, const char *b, void *arg), void *arg)
{
	struct sched_pairs p = { cb, arg };

	return sched_sql(st, sql, NULL, sched_pairs_row, &p) == -1 ? -1 : 0;
}

int
store_schedule_foreach(struct store *st,
    int (*cb)(const char *name, const char *text, void *arg), void *arg)
{
	return sched_pairs(st, "SELECT name, text FROM schedules ORDER BY name",
	    cb, arg);
}

int
store_schedule_group_set(struct store *st, const char *group,
    const char *name, char *err, size_t errlen)
{
	const char *args[] = { group, name[0] != '\0' ? name : NULL, NULL };

	if (group == NULL || group[0] == '\0' || strlen(group) >= 64) {
		snprintf(err, errlen, "a group is 1 to 63 bytes");
		return -1;
	}
	if (name[0] != '\0' && !schedule_name_valid(name)) {
		snprintf(err, errlen, "'%.40s' is not a schedule name", name);
		return -1;
	}
	if (sched_sql(st, name[0] == '\0' ?
	    "DELETE FROM schedule_groups WHERE grp = ?1" :
	    "INSERT INTO schedule_groups (grp, schedule) VALUES (?1, ?2)"
	    " ON CONFLICT (grp) DO UPDATE SET schedule = ?2",
	    args, NULL, NULL) == -1) {
		snprintf(err, errlen, "the store: %s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	return 0;
}

int
store_schedule_group_foreach(struct store *st,
    int (*cb)(const char *group, const char *name, void *arg), void *arg)
{
	return sched_pairs(st, "SELECT grp, schedule FROM schedule_groups"
	    " ORDER BY grp", cb, arg);
}

int
store_holiday_add(struct store *st, const char *day, const char *name,
    char *err, size_t errlen)
{
	const char *args[] = { day, name != NULL ? name : "", NULL };
	struct sched_holidays one = { 0 };

	/* The same check as the calendar's own, on a calendar of one. */
	if (schedule_holiday_add(&one, day, err, errlen) == -1)
		return -1;
	if (strlen(args[1]) > 127 || strpbrk(args[1], "\r\n") != NULL) {
		snprintf(err, errlen, "a holiday's name is one line of at "
		    "most 127 bytes");
		return -1;
	}
	if (sched_sql(st, "INSERT INTO holidays (day, name) VALUES (?1, ?2)"
	    " ON CONFLICT (day) DO UPDATE SET name = ?2", args, NULL,
	    NULL) == -1) {
		snprintf(err, errlen, "the store: %s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	return 0;
}

int
store_holiday_delete(struct store *st, const char *day)
{
	const char *args[] = { day, NULL };
	int n = sched_sql(st, "DELETE FROM holidays WHERE day = ?1", args,
	    NULL, NULL);

	return n == -1 ? -1 : n > 0;
}

int
store_holiday_foreach(struct store *st,
    int (*cb)(const char *day, const char *name, void *arg), void *arg)
{
	return sched_pairs(st, "SELECT day, name FROM holidays ORDER BY day",
	    cb, arg);
}

static int
sched_holiday_row(sqlite3_stmt *s, void *arg)
{
	struct sched_holidays *h = arg;
	const char *day = (const char *)sqlite3_column_text(s, 0);
	char msg[200];

	/* Every stored day was checked on the way in: one that no longer
	 * reads, or a calendar full, is an error, never a day skipped. */
	if (schedule_holiday_add(h, day != NULL ? day : "", msg,
	    sizeof(msg)) == -1) {
		log_warnx("holidays: %s", msg);
		h->n = SCHED_HOLIDAYS_MAX + 1;
		return 1;
	}
	return 0;
}

int
store_holidays_load(struct store *st, struct sched_holidays *h)
{
	h->n = 0;
	if (sched_sql(st, "SELECT day FROM holidays ORDER BY day", NULL,
	    sched_holiday_row, h) == -1 || h->n > SCHED_HOLIDAYS_MAX)
		return -1;
	return 0;
}

struct sched_group {
	char name[SCHED_NAME_LEN];
};

static int
sched_group_row(sqlite3_stmt *s, void *arg)
{
	struct sched_group *g = arg;

	COLUMN_COPY(s, 0, g->name);
	return 1;
}

int
store_credential_schedule(struct store *st, const struct credential *c,
    struct schedule *s)
{
	struct sched_group g = { "" };
	const char *args[] = { c->group, NULL };
	int r;

	if (c->schedule[0] != '\0')
		snprintf(g.name, sizeof(g.name), "%s", c->schedule);
	else if (c->group[0] != '\0' && sched_sql(st, "SELECT schedule FROM"
	    " schedule_groups WHERE grp = ?1", args, sched_group_row,
	    &g) == -1)
		return -1;
	if (g.name[0] == '\0')
		return 0;
	if ((r = store_schedule_get(st, g.name, s)) == 0) {
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", g.name);
		return 2;
	}
	return r;
}

/* Each pair of list as (?1, ?2) of sql.  0 or -1. */
static int
sched_pairs_insert(struct store *st, const char *sql,
    const struct sched_pair *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *args[] = { list[i].key, list[i].value, NULL };

		if (sched_sql(st, sql, args, NULL, NULL) == -1)
			return -1;
	}
	return 0;
}

int
store_schedule_replace(struct store *st, int64_t version,
    const struct sched_pair *schedules, size_t nschedules,
    const struct sched_pair *groups, size_t ngroups,
    const struct sched_pair *holidays, size_t nholidays,
    char *err, size_t errlen)
{
	if (store_begin(st) == -1) {
		snprintf(err, errlen, "the store: %s", store_errmsg(st));
		return -1;
	}
	if (sched_sql(st, "DELETE FROM schedules", NULL, NULL, NULL) == -1 ||
	    sched_sql(st, "DELETE FROM schedule_groups", NULL, NULL,
	    NULL) == -1 ||
	    sched_sql(st, "DELETE FROM holidays", NULL, NULL, NULL) == -1 ||
	    sched_pairs_insert(st, "INSERT INTO schedules (name, text)"
	    " VALUES (?1, ?2)", schedules, nschedules) == -1 ||
	    sched_pairs_insert(st, "INSERT INTO schedule_groups (grp, schedule)"
	    " VALUES (?1, ?2)", groups, ngroups) == -1 ||
	    sched_pairs_insert(st, "INSERT INTO holidays (day, name)"
	    " VALUES (?1, ?2)", holidays, nholidays) == -1 ||
	    store_meta_set(st, STORE_SCHEDULES_VERSION, version) == -1) {
		snprintf(err, errlen, "the store: %s",
		    sqlite3_errmsg(store_db(st)));
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) == -1) {
		snprintf(err, errlen, "the store: %s", store_errmsg(st));
		store_rollback(st);
		return -1;
	}
	return 0;
}
