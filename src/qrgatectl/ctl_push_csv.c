/*
 * qrgatectl push credentials --csv: the CSV people keep (`cred import`'s)
 * as the snapshot chunks the gates take.  Everything is checked before
 * anything is sent: a row the gate would refuse would make it drop the
 * whole version after some chunks were staged, and a site-wide push
 * would do so at every gate.  So each row is read by the import's own
 * reader (cred_csv_read()), and ids and cards said twice, which the
 * gate's table refuses, are found here, each problem as FILE:LINE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_push.h"
#include "ctl_table.h"
#include "keyfile.h"
#include "store.h"

/* One row as the gate reads it (inbound_creds_row.h), and its line. */
struct csv_row {
	char *text;
	size_t size;		/* its bytes in the sealed envelope */
	int line;
	char id[64];
	int kind;
	char subject[64];
};

struct csv_rows {
	struct csv_row *row;
	size_t n, cap;
};

/* The envelope's own bytes: its members, the signature, the chunk's head. */
#define PUSH_ENVELOPE_SLACK	1024

/* Its length once escaped inside the envelope's body string. */
static size_t
csv_escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '"' || *s == '\\' ? 2 :
		    (unsigned char)*s < 0x20 ? 6 : 1;
	return n;
}

static int
csv_row_add(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen)
{
	struct csv_rows *rows = arg;
	struct csv_row *r, *p;
	json_t *o;

	if (rows->n == rows->cap) {
		rows->cap = rows->cap == 0 ? 1024 : rows->cap * 2;
		if ((p = realloc(rows->row, rows->cap * sizeof(*p))) == NULL) {
			snprintf(msg, msglen, "out of memory");
			return -1;
		}
		rows->row = p;
	}
	r = &rows->row[rows->n];
	if ((o = credential_json(c)) == NULL ||
	    (r->text = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	json_decref(o);
	r->size = csv_escaped_len(r->text) + 1;
	r->line = line;
	r->kind = c->kind;
	memcpy(r->id, c->id, sizeof(r->id));
	memcpy(r->subject, c->subject, sizeof(r->subject));
	rows->n++;
	return 0;
}

static int
csv_cmp_id(const void *a, const void *b)
{
	const struct csv_row *x = *(struct csv_row *const *)a;
	const struct csv_row *y = *(struct csv_row *const *)b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static int
csv_cmp_card(const void *a, const void *b)
{
	const struct csv_row *x = *(struct csv_row *const *)a;
	const struct csv_row *y = *(struct csv_row *const *)b;
	int c = x->kind != y->kind ? (x->kind > y->kind) - (x->kind < y->kind) :
	    strcmp(x->subject, y->subject);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * An id or a card (kind and subject) on two rows: the gate's table takes
 * each once.  The later row is told, with the earlier one's line; a
 * card's subject is not printed, as a CCCD's is a citizen number.
 */
static int
csv_dups(const struct csv_rows *rows, const char *path)
{
	struct csv_row **by;
	int bad = 0;

	if (rows->n < 2)
		return 0;
	if ((by = calloc(rows->n, sizeof(*by))) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < rows->n; i++)
		by[i] = &rows->row[i];
	qsort(by, rows->n, sizeof(*by), csv_cmp_id);
	for (size_t i = 1; i < rows->n && !bad; i++)
		if (strcmp(by[i]->id, by[i - 1]->id) == 0) {
			fprintf(stderr, "qrgatectl: %s:%d: id %s is on line %d "
			    "too\n", path, by[i]->line, by[i]->id,
			    by[i - 1]->line);
			bad = 1;
		}
	qsort(by, rows->n, sizeof(*by), csv_cmp_card);
	for (size_t i = 1; i < rows->n && !bad; i++)
		if (by[i]->kind == by[i - 1]->kind &&
		    strcmp(by[i]->subject, by[i - 1]->subject) == 0) {
			fprintf(stderr, "qrgatectl: %s:%d: the same %s card as "
			    "line %d (credential %s)\n", path, by[i]->line,
			    cred_kind_name(by[i]->kind), by[i - 1]->line,
			    by[i - 1]->id);
			bad = 1;
		}
	free(by);
	return bad ? -1 : 0;
}

/* One chunk's text, rows [from, to). */
static char *
csv_chunk_text(const struct csv_rows *rows, size_t from, size_t to,
    int64_t version, int chunk, int chunks, size_t *len)
{
	char *text = NULL;
	size_t cap = 0;
	FILE *f;

	if ((f = open_memstream(&text, &cap)) == NULL)
		return NULL;
	fprintf(f, "{\"version\":%lld,\"chunk\":%d,\"chunks\":%d,"
	    "\"credentials\":[", (long long)version, chunk, chunks);
	for (size_t i = from; i < to; i++)
		fprintf(f, "%s%s", i > from ? "," : "", rows->row[i].text);
	fputs("]}", f);
	if (fclose(f) == EOF) {
		free(text);
		return NULL;
	}
	*len = cap;
	return text;
}

/* Where each chunk starts: at most max_rows rows and max_bytes of them. */
static int
csv_cut(const struct csv_rows *rows, size_t max_rows, size_t max_bytes,
    size_t *starts)
{
	size_t in = 0, bytes = 0;
	int n = 0;

	starts[n++] = 0;
	for (size_t i = 0; i < rows->n; i++) {
		if (in > 0 && (in == max_rows ||
		    bytes + rows->row[i].size > max_bytes)) {
			starts[n++] = i;
			in = bytes = 0;
		}
		in++;
		bytes += rows->row[i].size;
	}
	return n;
}

int
push_csv_chunks(const char *path, int64_t version, size_t max_rows,
    struct push_chunks *out)
{
	struct csv_rows rows = { 0 };
	char err[512];
	size_t *starts = NULL, to;
	int ret = -1, n;
	FILE *f;

	memset(out, 0, sizeof(*out));
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgatectl: cannot open %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (cred_csv_read(f, path, csv_row_add, &rows, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		goto done;
	}
	if (rows.n == 0) {
		/* An empty snapshot removes every credential of the gate: not
		 * what a file that lost its rows should do to a site. */
		fprintf(stderr, "qrgatectl: %s: no credentials; an empty list "
		    "would remove every credential of the gate\n", path);
		goto done;
	}
	if (csv_dups(&rows, path) == -1)
		goto done;
	if ((starts = calloc(rows.n, sizeof(*starts))) == NULL ||
	    (n = csv_cut(&rows, max_rows, PUSH_ENVELOPE_MAX -
	    PUSH_ENVELOPE_SLACK, starts)) < 1 ||
	    (out->body = calloc((size_t)n, sizeof(*out->body))) == NULL ||
	    (out->len = calloc((size_t)n, sizeof(*out->len))) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		goto done;
	}
	for (int i = 0; i < n; i++) {
		to = i + 1 < n ? starts[i + 1] : rows.n;
		if ((out->body[i] = csv_chunk_text(&rows, starts[i], to, version,
		    i, n, &out->len[i])) == NULL) {
			fprintf(stderr, "qrgatectl: out of memory\n");
			goto done;
		}
		out->n = i + 1;
	}
	out->rows = rows.n;
	ret = 0;
done:
	fclose(f);
	for (size_t i = 0; i < rows.n; i++)
		free(rows.row[i].text);
	free(rows.row);
	free(starts);
	if (ret == -1)
		push_chunks_free(out);
	return ret;
}

void
push_chunks_free(struct push_chunks *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->body[i]);
	free(c->body);
	free(c->len);
	memset(c, 0, sizeof(*c));
}
