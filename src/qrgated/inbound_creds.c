/*
 * Credential lists over MQTT: snapshots, possibly in chunks that arrive in
 * any order, and patches.  Each chunk is checked whole and staged in its
 * own short transaction; the last one swaps the complete set in at once
 * (store_sync.c), so gate decisions keep flowing between chunks and never
 * see half a list.  Row problems are reported as objects naming the chunk
 * (or the patch's list) and the row's index, so IT can find the row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "inbound_creds_row.h"
#include "log.h"
#include "mask.h"
#include "push.h"
#include "store_sync.h"
#include "util.h"

/*
 * Bounds on one message.  jansson holds a whole document in memory, many
 * times its size, so a snapshot of 100,000 credentials (about 15 MB of
 * JSON) comes in chunks; 10,000 credentials are about 1.5 MB.
 */
#define CREDS_MAX_PAYLOAD	(4 * 1024 * 1024)
#define CREDS_MAX_ROWS		20000
#define CREDS_MAX_CHUNKS	10000
/* After a swap, the old set is dropped this much later. */
#define CREDS_CLEANUP_MS	200
/* Errors listed in one result; error_count tells how many there were. */
#define CREDS_MAX_ERRORS	100

struct creds_errors {
	json_t *list;
	int count;
	int chunk;		/* the snapshot chunk, or -1 */
	/* The rows a callback from the store refers to, per list. */
	const struct credential *rows[3];
	const char *const *ids;
};

static const char *const sync_op_names[] = {
	[SYNC_ADD] = "add", [SYNC_UPDATE] = "update", [SYNC_REMOVE] = "remove",
};

/*
 * Adds one problem: op (a patch's list) or NULL, index of the row or -1,
 * the row's id or NULL.
 */
static void
creds_error(struct creds_errors *e, const char *op, long index,
    const char *id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
creds_error(struct creds_errors *e, const char *op, long index,
    const char *id, const char *fmt, ...)
{
	char msg[320];
	json_t *o;
	va_list ap;

	if (e->count++ >= CREDS_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((o = json_object()) == NULL)
		return;
	if (e->chunk >= 0 && index >= 0)
		json_object_set_new(o, "chunk", json_integer(e->chunk));
	if (op != NULL)
		json_object_set_new(o, "op", json_string(op));
	if (index >= 0)
		json_object_set_new(o, "index", json_integer(index));
	/* An id refused for the citizen number it holds is not sent back
	 * with the refusal: the index finds the row. */
	if (id != NULL && !mask_has_citizen_number(id)) {
		char q[sizeof(((struct credential *)0)->id)];

		snprintf(q, sizeof(q), "%s", id);
		json_object_set_new(o, "id", inbound_json_string(q));
	}
	json_object_set_new(o, "error", inbound_json_string(msg));
	json_array_append_new(e->list, o);
}

/* A row the store refused. */
static void
creds_store_error(void *arg, enum sync_op op, size_t index, const char *msg)
{
	struct creds_errors *e = arg;
	const char *id = op == SYNC_REMOVE ? e->ids[index] :
	    e->rows[op][index].id;

	creds_error(e, e->chunk >= 0 ? NULL : sync_op_names[op], (long)index,
	    id, "%s", msg);
}

/* The id of a row, for an error, even when the row is not valid. */
static const char *
creds_row_id(const json_t *o)
{
	return json_string_value(json_object_get(o, "id"));
}

/*
 * Reads the rows of list into a new array, each error told.  Returns the
 * array (NULL for an empty list, which is fine) and *n; e->count says
 * whether all was well.
 */
static struct credential *
creds_rows(const json_t *list, const char *op, struct creds_errors *e,
    size_t *n)
{
	struct credential *c;
	char err[256];
	size_t i;
	json_t *o;

	*n = json_array_size(list);
	if (*n == 0)
		return NULL;
	if ((c = calloc(*n, sizeof(*c))) == NULL) {
		creds_error(e, op, -1, NULL, "out of memory");
		return NULL;
	}
	json_array_foreach(list, i, o) {
		if (inbound_cred_row(o, &c[i], err, sizeof(err)) == -1)
			creds_error(e, op, (long)i, creds_row_id(o), "%s", err);
	}
	return c;
}

/* An integer member in [min, max], or -1 (told). */
static int64_t
creds_int(const json_t *doc, const char *name, int64_t min, int64_t max,
    struct creds_errors *e)
{
	json_t *v = json_object_get(doc, name);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		creds_error(e, NULL, -1, NULL, "%s: an integer %lld..%lld is "
		    "needed", name, (long long)min, (long long)max);
		return -1;
	}
	return json_integer_value(v);
}

static void
creds_unknown_members(const json_t *doc, const char *const *known,
    struct creds_errors *e)
{
	const char *name;
	json_t *v;
	int i;

	json_object_foreach((json_t *)doc, name, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(name, known[i]) == 0)
				break;
		if (known[i] == NULL)
			creds_error(e, NULL, -1, NULL, "%.64s: unknown member",
			    name);
	}
}

/* Parses payload as a JSON object; NULL with the reason told. */
static json_t *
creds_doc(const uint8_t *payload, size_t len, struct creds_errors *e)
{
	json_error_t jerr;
	json_t *doc;

	if (len > CREDS_MAX_PAYLOAD) {
		creds_error(e, NULL, -1, NULL, "a message of %zu bytes is over "
		    "the limit of %d: send more chunks", len, CREDS_MAX_PAYLOAD);
		return NULL;
	}
	doc = json_loadb((const char *)payload, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (doc == NULL) {
		creds_error(e, NULL, -1, NULL, "not JSON: %s (line %d, column "
		    "%d)", jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		creds_error(e, NULL, -1, NULL, "a JSON object is needed");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static json_t *
creds_rejected(int64_t version, int chunk, struct creds_errors *e)
{
	json_t *res = json_pack("{s:b, s:o, s:o, s:i}", "ok", 0,
	    "version", version > 0 ? json_integer(version) : json_null(),
	    "errors", e->list, "error_count", e->count);

	if (res != NULL && chunk >= 0)
		json_object_set_new(res, "chunk", json_integer(chunk));
	return res;
}

static json_t *
creds_ignored(int64_t version, int chunk, const char *why, int64_t current)
{
	json_t *res = json_pack("{s:b, s:s, s:I}", "ok", 0, "ignored", why,
	    "version", (json_int_t)version);

	if (res == NULL)
		return NULL;
	if (chunk >= 0)
		json_object_set_new(res, "chunk", json_integer(chunk));
	if (current >= 0)
		json_object_set_new(res, "current", json_integer(current));
	return res;
}

static void
creds_cleanup(struct loop *l, struct loop_timer *t)
{
	struct inbound_state *is = container_of(t, struct inbound_state, cleanup);
	int64_t t0 = clock_mono_ns();

	(void)l;
	if (store_sync_cleanup(is->g->store) == 0)
		log_debug("credentials: the replaced set dropped in %.1f ms",
		    (clock_mono_ns() - t0) / 1e6);
}

/*
 * The set a swap replaced is dropped a moment later, from the loop, so
 * that decisions waiting meanwhile go first.  Without a loop (a tool),
 * at once.
 */
static void
creds_cleanup_later(struct gate *g)
{
	struct inbound_state *is;

	if (g->loop == NULL || (is = inbound_state_get(g)) == NULL) {
		store_sync_cleanup(g->store);
		return;
	}
	is->cleanup.cb = creds_cleanup;
	loop_timer_set(g->loop, &is->cleanup, CREDS_CLEANUP_MS);
}

/* Swaps in the complete snapshot version.  The result, or NULL if the
 * store failed (logged). */
static json_t *
creds_swap(struct gate *g, int64_t version, int chunk, int staged)
{
	int64_t rows, lock_us;

	if (store_sync_swap(g->store, version, &rows, &lock_us) == -1)
		return NULL;
	g->cred_version = version;
	creds_cleanup_later(g);
	log_info("credentials: snapshot version %lld in use: %lld credentials "
	    "(the swap held the database %.1f ms)", (long long)version,
	    (long long)rows, lock_us / 1000.0);
	return json_pack("{s:b, s:I, s:i, s:i, s:I}", "ok", 1,
	    "version", (json_int_t)version, "chunk", chunk, "staged", staged,
	    "applied", (json_int_t)rows);
}

json_t *
inbound_credentials_set(struct gate *g, const uint8_t *payload, size_t len)
{
	static const char *const known[] = {
		"version", "chunk", "chunks", "credentials", NULL,
	};
	struct creds_errors e = { .chunk = -1 };
	struct sync_state st;
	struct credential *rows = NULL;
	json_t *doc, *list, *res = NULL;
	int64_t version;
	int chunk, chunks, r;
	size_t n = 0;

	if ((e.list = json_array()) == NULL)
		return NULL;
	if ((doc = creds_doc(payload, len, &e)) == NULL)
		return creds_rejected(0, -1, &e);
	if ((version = creds_int(doc, "version", 1, INT64_MAX, &e)) == -1) {
		json_decref(doc);
		return creds_rejected(0, -1, &e);
	}
	if (store_sync_state(g->store, &st) == -1) {
		creds_error(&e, NULL, -1, NULL, "the store could not be read");
		goto fail;
	}
	chunks = (int)creds_int(doc, "chunks", 1, CREDS_MAX_CHUNKS, &e);
	chunk = (int)creds_int(doc, "chunk", 0, chunks > 0 ? chunks - 1 :
	    CREDS_MAX_CHUNKS - 1, &e);
	e.chunk = chunk;

	/* Replays and late chunks of lists already dealt with. */
	if (version <= st.cred_version) {
		res = creds_ignored(version, chunk, "stale", st.cred_version);
		goto done;
	}
	if (version == st.rejected_version) {
		res = creds_ignored(version, chunk, "rejected", -1);
		goto done;
	}
	if (version < st.staging_version) {
		res = creds_ignored(version, chunk, "superseded",
		    st.staging_version);
		goto done;
	}

	creds_unknown_members(doc, known, &e);
	list = json_object_get(doc, "credentials");
	if (!json_is_array(list))
		creds_error(&e, NULL, -1, NULL, "credentials: an array is needed");
	else if (json_array_size(list) > CREDS_MAX_ROWS)
		creds_error(&e, NULL, -1, NULL, "credentials: at most %d in one "
		    "chunk", CREDS_MAX_ROWS);
	if (e.count == 0 && version == st.staging_version &&
	    chunks != st.staging_chunks)
		creds_error(&e, NULL, -1, NULL, "chunks: %d, but earlier chunks "
		    "of this version said %d", chunks, st.staging_chunks);
	if (e.count > 0)
		goto reject;
	if (version == st.staging_version) {
		if ((r = store_sync_chunk_staged(g->store, chunk)) == -1) {
			creds_error(&e, NULL, -1, NULL, "the store could not be "
			    "read");
			goto fail;
		}
		if (r == 1) {
			/* Redelivered; if a swap failed, try it again. */
			if (st.staged == st.staging_chunks &&
			    (res = creds_swap(g, version, chunk, 0)) != NULL)
				goto done;
			res = creds_ignored(version, chunk, "duplicate", -1);
			goto done;
		}
	}

	rows = creds_rows(list, NULL, &e, &n);
	if (e.count > 0)
		goto reject;
	e.rows[SYNC_ADD] = rows;
	if (store_sync_chunk_put(g->store, version, chunks, chunk, rows, n,
	    creds_store_error, &e) == -1) {
		if (e.count > 0)
			goto reject;
		creds_error(&e, NULL, -1, NULL, "the store could not be written; "
		    "send the chunk again");
		goto fail;
	}
	if (store_sync_state(g->store, &st) == -1) {
		creds_error(&e, NULL, -1, NULL, "the store could not be read");
		goto fail;
	}
	if (st.staged < chunks) {
		res = json_pack("{s:b, s:I, s:i, s:I}", "ok", 1,
		    "version", (json_int_t)version, "chunk", chunk,
		    "staged", (json_int_t)n);
		goto done;
	}
	if ((res = creds_swap(g, version, chunk, (int)n)) == NULL) {
		creds_error(&e, NULL, -1, NULL, "the snapshot could not be "
		    "swapped in; the old set stays in use");
		goto fail;
	}
	goto done;

reject:
	/* One bad chunk makes the whole version useless: the rest of it
	 * must not be staged, nor leave a half list behind. */
	if (store_sync_staging_discard(g->store, version) == -1)
		log_warnx("credentials: the staging of version %lld could not "
		    "be discarded", (long long)version);
	log_warnx("credentials: snapshot version %lld rejected (%d problems)",
	    (long long)version, e.count);
fail:
	res = creds_rejected(version, e.chunk, &e);
	e.list = NULL;
done:
	json_decref(e.list);
	free(rows);
	json_decref(doc);
	return res;
}

/* Reads the ids of the remove list; each problem told. */
static const char **
creds_remove_ids(const json_t *list, struct creds_errors *e, size_t *n)
{
	const char **ids;
	size_t i;
	json_t *v;

	*n = json_array_size(list);
	if (*n == 0)
		return NULL;
	if ((ids = calloc(*n, sizeof(*ids))) == NULL) {
		creds_error(e, "remove", -1, NULL, "out of memory");
		return NULL;
	}
	json_array_foreach(list, i, v) {
		ids[i] = json_string_value(v);
		if (ids[i] == NULL || ids[i][0] == '\0' ||
		    json_string_length(v) >= sizeof(((struct credential *)0)->id)) {
			creds_error(e, "remove", (long)i, NULL, "an id is a "
			    "string of 1 to 63 bytes");
			ids[i] = "";
		}
	}
	return ids;
}

struct creds_ref {
	const char *id;
	const char *op;
	size_t index;
	size_t seq;		/* its place in the patch */
};

static int
creds_ref_cmp(const void *a, const void *b)
{
	const struct creds_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	/* The later mention is the one reported. */
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every id named twice in one patch is an error: its order of
 * operations would be a guess. */
static void
creds_patch_dups(const struct sync_patch *p, struct creds_errors *e)
{
	size_t n = p->n_add + p->n_update + p->n_remove, k = 0;
	struct creds_ref *refs;

	if (n < 2)
		return;
	if ((refs = calloc(n, sizeof(*refs))) == NULL) {
		creds_error(e, NULL, -1, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < p->n_remove; i++) {
		refs[k] = (struct creds_ref){ p->remove[i], "remove", i, k };
		k++;
	}
	for (size_t i = 0; i < p->n_update; i++) {
		refs[k] = (struct creds_ref){ p->update[i].id, "update", i, k };
		k++;
	}
	for (size_t i = 0; i < p->n_add; i++) {
		refs[k] = (struct creds_ref){ p->add[i].id, "add", i, k };
		k++;
	}
	qsort(refs, n, sizeof(*refs), creds_ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(refs[i].id, refs[i - 1].id) == 0)
			creds_error(e, refs[i].op, (long)refs[i].index, refs[i].id,
			    "the id is named twice in this patch");
	free(refs);
}

static json_t *
creds_ids(const struct credential *c, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, inbound_json_string(c[i].id));
	return a;
}

json_t *
inbound_credentials_patch(struct gate *g, const uint8_t *payload, size_t len)
{
	static const char *const known[] = {
		"version", "add", "update", "remove", NULL,
	};
	static const char *const lists[] = { "add", "update", "remove" };
	struct creds_errors e = { .chunk = -1 };
	struct sync_patch p = { 0 };
	struct sync_state st;
	struct credential *add = NULL, *update = NULL;
	const char **remove = NULL;
	json_t *doc, *res = NULL, *removed;
	int64_t version;

	if ((e.list = json_array()) == NULL)
		return NULL;
	if ((doc = creds_doc(payload, len, &e)) == NULL)
		return creds_rejected(0, -1, &e);
	if ((version = creds_int(doc, "version", 1, INT64_MAX, &e)) == -1) {
		json_decref(doc);
		return creds_rejected(0, -1, &e);
	}
	if (store_sync_state(g->store, &st) == -1) {
		creds_error(&e, NULL, -1, NULL, "the store could not be read");
		goto reject;
	}
	if (version <= st.cred_version) {
		res = creds_ignored(version, -1, "stale", st.cred_version);
		goto done;
	}
	creds_unknown_members(doc, known, &e);
	for (size_t i = 0; i < 3; i++) {
		json_t *l = json_object_get(doc, lists[i]);

		if (l != NULL && !json_is_array(l))
			creds_error(&e, NULL, -1, NULL, "%s: an array is needed",
			    lists[i]);
		else if (json_array_size(l) > CREDS_MAX_ROWS)
			creds_error(&e, NULL, -1, NULL, "%s: at most %d in one "
			    "patch", lists[i], CREDS_MAX_ROWS);
	}
	if (e.count > 0)
		goto reject;
	add = creds_rows(json_object_get(doc, "add"), "add", &e, &p.n_add);
	update = creds_rows(json_object_get(doc, "update"), "update", &e,
	    &p.n_update);
	remove = creds_remove_ids(json_object_get(doc, "remove"), &e,
	    &p.n_remove);
	p.version = version;
	p.add = add;
	p.update = update;
	p.remove = remove;
	if (e.count == 0)
		creds_patch_dups(&p, &e);
	if (e.count > 0)
		goto reject;
	e.rows[SYNC_ADD] = add;
	e.rows[SYNC_UPDATE] = update;
	e.ids = remove;
	if (store_sync_patch(g->store, &p, creds_store_error, &e) == -1) {
		if (e.count == 0)
			creds_error(&e, NULL, -1, NULL, "the store could not be "
			    "written");
		goto reject;
	}
	g->cred_version = version;
	log_info("credentials: patch version %lld: %zu added, %zu updated, "
	    "%zu removed", (long long)version, p.n_add, p.n_update, p.n_remove);
	removed = json_array();
	for (size_t i = 0; i < p.n_remove; i++)
		json_array_append_new(removed, inbound_json_string(remove[i]));
	res = json_pack("{s:b, s:I, s:o, s:o, s:o}", "ok", 1,
	    "version", (json_int_t)version, "added", creds_ids(add, p.n_add),
	    "updated", creds_ids(update, p.n_update), "removed", removed);
	goto done;
reject:
	log_warnx("credentials: patch version %lld rejected (%d problems)",
	    (long long)version, e.count);
	res = creds_rejected(version, -1, &e);
	e.list = NULL;
done:
	json_decref(e.list);
	free(add);
	free(update);
	free(remove);
	json_decref(doc);
	return res;
}
