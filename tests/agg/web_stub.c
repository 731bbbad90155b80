/*
 * A stand-in aggregator for the web side's tests: agg_web on our loop with
 * fixed data behind struct agg_web_source, and a FIFO through which a test
 * changes that data and has it published, one command a line:
 *
 *	event|gate|alarm|headcount JSON	apply to the data, then publish
 *	flood N BYTES			publish N events of about BYTES each
 *	fail WHAT			answer /api/WHAT with 500 (none: stop)
 *	age SECONDS			make every session that much older
 *	quit				stop
 *
 * Its users are given as --user NAME:ROLES:PASSWORD (roles as
 * "guard,security"), kept in memory with their sessions.  Beyond the
 * live page's questions it answers GET users with three users, POST
 * user-add with what it received
 * ({"len", "body"}) and GET daily with a CSV download, to test bodies
 * and files.  --login-rate-ms slows the login's rationing for a test
 * that must see it refuse on a loaded machine.  With --sessions FILE the sessions are read from FILE at
 * start and written to it at exit.  It prints "port N" once it serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <sodium.h>

#include "agg_web.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define FLOOD_ROUND 10

/*
 * The accounts, in memory: users from --user NAME:ROLES:PASSWORD, and
 * their sessions, as the aggregator keeps them in its database.
 */
#define STUB_USERS 8
#define STUB_SESSIONS 64

struct stub_user {
	struct agg_web_user u;
	char hash[crypto_pwhash_STRBYTES];
};

struct stub_session {
	char id[80];
	int64_t user_id;
	char csrf[65];
	int64_t created_ms, seen_ms;
};

struct stub_accounts {
	struct stub_user user[STUB_USERS];
	int n_users;
	struct stub_session session[STUB_SESSIONS];
};

static int
stub_user_add(struct stub_accounts *ac, const char *spec)
{
	char buf[256], *roles, *pw;
	struct stub_user *u;

	if (ac->n_users == STUB_USERS || snprintf(buf, sizeof(buf), "%s",
	    spec) >= (int)sizeof(buf) || (roles = strchr(buf, ':')) == NULL ||
	    (pw = strchr(roles + 1, ':')) == NULL)
		return -1;
	*roles++ = '\0';
	*pw++ = '\0';
	u = &ac->user[ac->n_users];
	u->u.id = ac->n_users + 1;
	snprintf(u->u.name, sizeof(u->u.name), "%.63s", buf);
	if (agg_web_roles_parse(roles, &u->u.roles) == -1 ||
	    sodium_init() == -1 || crypto_pwhash_str(u->hash, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	ac->n_users++;
	return 0;
}

static struct stub_user *
stub_user_by_id(struct stub_accounts *ac, int64_t id)
{
	for (int i = 0; i < ac->n_users; i++)
		if (ac->user[i].u.id == id)
			return &ac->user[i];
	return NULL;
}

static struct stub_session *
stub_session_by_id(struct stub_accounts *ac, const char *id)
{
	for (int i = 0; i < STUB_SESSIONS; i++)
		if (strcmp(ac->session[i].id, id) == 0 && id[0] != '\0')
			return &ac->session[i];
	return NULL;
}

static int
stub_user_find(void *arg, const char *name, struct agg_web_user *u,
    char *hash, size_t hash_len)
{
	struct stub_accounts *ac = arg;

	for (int i = 0; i < ac->n_users; i++)
		if (strcmp(ac->user[i].u.name, name) == 0) {
			*u = ac->user[i].u;
			snprintf(hash, hash_len, "%s", ac->user[i].hash);
			return 1;
		}
	return 0;
}

static int
stub_users_count(void *arg, int64_t *n)
{
	*n = ((struct stub_accounts *)arg)->n_users;
	return 0;
}

static int
stub_session_add(void *arg, const char *id, int64_t user_id,
    const char *csrf, int64_t now_ms)
{
	struct stub_accounts *ac = arg;

	for (int i = 0; i < STUB_SESSIONS; i++)
		if (ac->session[i].id[0] == '\0') {
			snprintf(ac->session[i].id, sizeof(ac->session[i].id),
			    "%s", id);
			snprintf(ac->session[i].csrf,
			    sizeof(ac->session[i].csrf), "%s", csrf);
			ac->session[i].user_id = user_id;
			ac->session[i].created_ms = ac->session[i].seen_ms =
			    now_ms;
			return 0;
		}
	log_warnx("stub: no room for one more session");
	return -1;
}

static int
stub_session_find(void *arg, const char *id, struct agg_web_session *s)
{
	struct stub_session *ss = stub_session_by_id(arg, id);
	struct stub_user *u;

	if (ss == NULL || (u = stub_user_by_id(arg, ss->user_id)) == NULL)
		return 0;
	s->user = u->u;
	snprintf(s->csrf, sizeof(s->csrf), "%s", ss->csrf);
	s->created_ms = ss->created_ms;
	s->seen_ms = ss->seen_ms;
	return 1;
}

static int
stub_session_seen(void *arg, const char *id, int64_t now_ms)
{
	struct stub_session *ss = stub_session_by_id(arg, id);

	if (ss != NULL)
		ss->seen_ms = now_ms;
	return 0;
}

static int
stub_session_del(void *arg, const char *id)
{
	struct stub_session *ss = stub_session_by_id(arg, id);

	if (ss != NULL)
		memset(ss, 0, sizeof(*ss));
	return 0;
}

static int
stub_session_purge(void *arg, int64_t created_ms, int64_t seen_ms)
{
	struct stub_accounts *ac = arg;

	for (int i = 0; i < STUB_SESSIONS; i++)
		if (ac->session[i].id[0] != '\0' &&
		    (ac->session[i].created_ms < created_ms ||
		    ac->session[i].seen_ms < seen_ms))
			memset(&ac->session[i], 0, sizeof(ac->session[i]));
	return 0;
}

/* --sessions FILE: the sessions outlive the stub, as they outlive the
 * aggregator in its database (a restarted page keeps its session). */
static void
stub_sessions_load(struct stub_accounts *ac, const char *path)
{
	FILE *f = fopen(path, "r");
	struct stub_session *ss;
	long long uid, created, seen;
	int i = 0;

	if (f == NULL)
		return;
	while (i < STUB_SESSIONS) {
		ss = &ac->session[i];
		if (fscanf(f, "%79s %lld %64s %lld %lld", ss->id, &uid,
		    ss->csrf, &created, &seen) != 5)
			break;
		ss->user_id = uid;
		ss->created_ms = created;
		ss->seen_ms = seen;
		i++;
	}
	memset(&ac->session[i], 0, sizeof(ac->session[i]));
	fclose(f);
}

static void
stub_sessions_save(struct stub_accounts *ac, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		log_warn("stub: %s", path);
		return;
	}
	for (int i = 0; i < STUB_SESSIONS; i++)
		if (ac->session[i].id[0] != '\0')
			fprintf(f, "%s %lld %s %lld %lld\n", ac->session[i].id,
			    (long long)ac->session[i].user_id,
			    ac->session[i].csrf,
			    (long long)ac->session[i].created_ms,
			    (long long)ac->session[i].seen_ms);
	fclose(f);
}

/* "age SECONDS": every session began and was last used that much
 * earlier, for the expiry tests. */
static void
stub_sessions_age(struct stub_accounts *ac, int64_t s)
{
	for (int i = 0; i < STUB_SESSIONS; i++) {
		ac->session[i].created_ms -= s * 1000;
		ac->session[i].seen_ms -= s * 1000;
	}
}


struct stub {
	struct loop loop;
	struct agg_web *web;
	struct loop_fd fifo;
	char line[65536];
	size_t n;
	json_t *gates, *alarms, *headcount, *recent;
	/* A flood goes out FLOOD_ROUND events a loop round, as a busy
	 * broker's messages would. */
	struct loop_timer flood;
	int flood_left, flood_sent;
	char *flood_pad;
	char failing[32];	/* the question answered 500 */
	struct stub_accounts ac;
};

/* The shapes are qrgate-aggregator's (src/agg/agg_query.c). */
static json_t *
stub_gate(const char *gate, const char *site, bool stale, int64_t ago_s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:I, s:i, s:i}",
	    "site", site, "gate", gate, "lane", "1", "state", "online",
	    "clean", 0, "stale", stale, "version", "0.1.0",
	    "heartbeat_ms", (json_int_t)(clock_utc_ms() - ago_s * 1000),
	    "gaps_open", 0, "missing", 0);
}

static void
stub_data(struct stub *s)
{
	s->gates = json_pack("[o, o, o, o]",
	    stub_gate("north-1", "hq", false, 2),
	    stub_gate("north-2", "hq", false, 4),
	    stub_gate("dock-1", "hq", true, 95),
	    stub_gate("east-1", "depot", false, 1));
	s->alarms = json_array();
	s->headcount = json_pack("{s:{s:i, s:i}, s:i}", "headcount",
	    "hq", 127, "depot", 18, "total", 145);
	s->recent = json_array();
}

/* Index of the element of arr with o's site, gate and key; -1 if none. */
static int
stub_find(json_t *arr, json_t *o, const char *key)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_equal(json_object_get(e, "site"), json_object_get(o, "site")) &&
		    json_equal(json_object_get(e, "gate"), json_object_get(o, "gate")) &&
		    json_equal(json_object_get(e, key), json_object_get(o, key)))
			return (int)i;
	return -1;
}

static void
stub_apply(struct stub *s, const char *type, json_t *o)
{
	int i;

	if (strcmp(type, "event") == 0) {
		json_array_insert(s->recent, 0, o);
		if (json_array_size(s->recent) > 50)
			json_array_remove(s->recent, 50);
	} else if (strcmp(type, "gate") == 0) {
		if ((i = stub_find(s->gates, o, "gate")) >= 0)
			json_object_update(json_array_get(s->gates, (size_t)i), o);
		else
			json_array_append(s->gates, o);
	} else if (strcmp(type, "alarm") == 0) {
		i = stub_find(s->alarms, o, "alarm");
		if (json_is_true(json_object_get(o, "active"))) {
			json_t *a = json_deep_copy(o);

			json_object_set(a, "began_ms", json_object_get(o, "ts_ms"));
			if (i >= 0)
				json_array_set_new(s->alarms, (size_t)i, a);
			else
				json_array_append_new(s->alarms, a);
		} else if (i >= 0)
			json_array_remove(s->alarms, (size_t)i);
	} else if (strcmp(type, "headcount") == 0) {
		json_decref(s->headcount);
		s->headcount = json_incref(o);
	}
}

static void
stub_flood_cb(struct loop *l, struct loop_timer *t)
{
	struct stub *s = container_of(t, struct stub, flood);
	json_t *o;

	for (int i = 0; i < FLOOD_ROUND && s->flood_left > 0; i++) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "gate",
		    "flood", "site", "hq", "result", "denied", "reason",
		    "unknown", "direction", "entry", "subject", s->flood_pad,
		    "seq", s->flood_sent++);
		agg_web_publish(s->web, "event", o);
		json_decref(o);
		s->flood_left--;
	}
	if (s->flood_left > 0) {
		loop_timer_set(l, t, 0);
		return;
	}
	free(s->flood_pad);
	s->flood_pad = NULL;
	log_info("stub: flooded %d events", s->flood_sent);
}

static void
stub_flood(struct stub *s, int n, int bytes)
{
	if (s->flood_pad != NULL || (s->flood_pad = malloc((size_t)bytes + 1)) == NULL)
		return;
	memset(s->flood_pad, 'x', (size_t)bytes);
	s->flood_pad[bytes] = '\0';
	s->flood_left = n;
	s->flood_sent = 0;
	s->flood.cb = stub_flood_cb;
	loop_timer_set(&s->loop, &s->flood, 0);
}

static void
stub_command(struct stub *s, char *line)
{
	char *sp = strchr(line, ' ');
	json_error_t err;
	json_t *o;
	int n, bytes;

	if (strcmp(line, "quit") == 0) {
		loop_stop(&s->loop);
		return;
	}
	if (sscanf(line, "age %d", &n) == 1) {
		stub_sessions_age(&s->ac, n);
		log_info("stub: sessions aged %d s", n);
		return;
	}
	if (sscanf(line, "flood %d %d", &n, &bytes) == 2 && n > 0 &&
	    bytes > 0 && bytes < 100000) {
		stub_flood(s, n, bytes);
		return;
	}
	if (sp == NULL) {
		log_warnx("stub: bad command \"%s\"", line);
		return;
	}
	*sp = '\0';
	/* "fail WHAT": the API answers 500 for WHAT ("none": for nothing). */
	if (strcmp(line, "fail") == 0) {
		snprintf(s->failing, sizeof(s->failing), "%s", sp + 1);
		log_info("stub: failing %s", s->failing);
		return;
	}
	if ((o = json_loads(sp + 1, 0, &err)) == NULL) {
		log_warnx("stub: %s: %s", line, err.text);
		return;
	}
	stub_apply(s, line, o);
	agg_web_publish(s->web, line, o);
	json_decref(o);
	log_info("stub: published %s", line);
}

static void
stub_fifo_cb(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct stub *s = container_of(f, struct stub, fifo);
	ssize_t r;
	char *nl;

	(void)l;
	(void)events;
	r = read(f->fd, s->line + s->n, sizeof(s->line) - 1 - s->n);
	if (r <= 0)
		return;
	s->n += (size_t)r;
	s->line[s->n] = '\0';
	while ((nl = strchr(s->line, '\n')) != NULL) {
		*nl = '\0';
		stub_command(s, s->line);
		s->n -= (size_t)(nl + 1 - s->line);
		memmove(s->line, nl + 1, s->n + 1);
	}
	if (s->n == sizeof(s->line) - 1)
		s->n = 0;	/* a line too long: dropped */
}

static int
stub_api(void *arg, const struct agg_web_call *c, struct agg_web_reply *r)
{
	struct stub *s = arg;
	const char *limit = agg_web_query_get(c->q, "limit");
	const char *what = c->what;

	if (strcmp(what, s->failing) == 0 || strcmp(what, "fail") == 0)
		return -1;
	if (strcmp(what, "gates") == 0)
		r->json = json_incref(s->gates);
	else if (strcmp(what, "alarms") == 0)
		r->json = json_incref(s->alarms);
	else if (strcmp(what, "headcount") == 0)
		r->json = json_incref(s->headcount);
	else if (strcmp(what, "recent") == 0) {
		if (limit != NULL && strspn(limit, "0123456789") != strlen(limit)) {
			r->status = 400;
			r->json = json_pack("{s:s}", "error",
			    "limit: not a number");
		} else
			r->json = json_incref(s->recent);
	} else if (strcmp(what, "users") == 0)
		r->json = json_pack("[{s:i, s:s, s:[s], s:b, s:s}, "
		    "{s:i, s:s, s:[s, s], s:b, s:s}, {s:i, s:s, s:[s], s:b, s:s}]",
		    "id", 1, "name", "admin", "roles", "admin", "disabled", 0,
		    "created", "2026-12-01T08:00:00.000Z",
		    "id", 2, "name", "an.nguyen", "roles", "guard", "security",
		    "disabled", 0, "created", "2026-12-01T08:05:00.000Z",
		    "id", 3, "name", "binh.tran", "roles", "hr", "disabled", 1,
		    "created", "2026-12-02T09:30:00.000Z");
	else if (strcmp(what, "user-add") == 0)
		r->json = json_pack("{s:I, s:s%}", "len",
		    (json_int_t)c->body_len, "body", c->body, c->body_len);
	else if (strcmp(what, "daily") == 0) {
		if ((r->data = strdup("gate,scans\nnorth-1,12\n")) == NULL)
			return -1;
		r->len = strlen(r->data);
		snprintf(r->type, sizeof(r->type), "text/csv; charset=utf-8");
		snprintf(r->filename, sizeof(r->filename), "daily.csv");
	} else {
		r->status = 404;
		r->json = json_pack("{s:s}", "error", "unknown query");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "plain-http", no_argument, NULL, 'L' },
		{ "sessions", required_argument, NULL, 'S' },
		{ "login-rate-ms", required_argument, NULL, 'R' },
		{ "web-root", required_argument, NULL, 'w' },
		{ "fifo", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct agg_web_config cfg = { .bind = "127.0.0.1", .port = 0,
	    .web_root = "src/agg/web", .session_idle_min = 30,
	    .session_hours = 12 };
	struct agg_web_source src = { .api = stub_api };
	struct stub *s;
	const char *fifo = NULL, *sessions = NULL;
	int c, rc = 0;

	log_init("web_stub", LOG_LVL_INFO);
	if ((s = calloc(1, sizeof(*s))) == NULL || loop_init(&s->loop) == -1)
		return 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			snprintf(cfg.bind, sizeof(cfg.bind), "%s", optarg);
			break;
		case 'p':
			cfg.port = atoi(optarg);
			break;
		case 'u':
			if (stub_user_add(&s->ac, optarg) == -1) {
				fprintf(stderr, "web_stub: --user "
				    "NAME:ROLES:PASSWORD\n");
				return 2;
			}
			break;
		case 'C':
			snprintf(cfg.cert_file, sizeof(cfg.cert_file), "%s",
			    optarg);
			break;
		case 'K':
			snprintf(cfg.key_file, sizeof(cfg.key_file), "%s",
			    optarg);
			break;
		case 'L':
			cfg.plain_http = true;
			break;
		case 'S':
			sessions = optarg;
			break;
		case 'R':
			cfg.login_rate_ms = atoi(optarg);
			break;
		case 'w':
			snprintf(cfg.web_root, sizeof(cfg.web_root), "%s", optarg);
			break;
		case 'f':
			fifo = optarg;
			break;
		default:
			return 2;
		}
	}
	stub_data(s);
	if (sessions != NULL)
		stub_sessions_load(&s->ac, sessions);
	src.arg = s;
	src.user_find = stub_user_find;
	src.users_count = stub_users_count;
	src.session_add = stub_session_add;
	src.session_find = stub_session_find;
	src.session_seen = stub_session_seen;
	src.session_del = stub_session_del;
	src.session_purge = stub_session_purge;
	src.accounts_arg = &s->ac;
	s->fifo.fd = -1;
	/* Read and write, so the FIFO never reads end-of-file between the
	 * test's writers. */
	if (fifo != NULL) {
		s->fifo.fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		s->fifo.cb = stub_fifo_cb;
		if (s->fifo.fd == -1 || loop_fd_add(&s->loop, &s->fifo, EPOLLIN) == -1) {
			log_warn("stub: %s", fifo);
			return 1;
		}
	}
	if ((s->web = agg_web_start(&s->loop, &cfg, &src)) == NULL) {
		rc = 1;
		goto done;
	}
	printf("port %d\n", agg_web_port(s->web));
	fflush(stdout);
	if (loop_run(&s->loop) == -1)
		rc = 1;
	agg_web_stop(s->web);
	if (sessions != NULL)
		stub_sessions_save(&s->ac, sessions);
	loop_timer_cancel(&s->loop, &s->flood);
	free(s->flood_pad);
done:
	if (s->fifo.fd != -1)
		close(s->fifo.fd);
	json_decref(s->gates);
	json_decref(s->alarms);
	json_decref(s->headcount);
	json_decref(s->recent);
	loop_done(&s->loop);
	free(s);
	return rc;
}
