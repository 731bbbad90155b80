/*
 * qrgatectl events [--since T] [--json|--csv]: the entry/exit log, read
 * from the database the daemon writes, without disturbing it (read-only,
 * WAL lets both proceed).
 */
#include "ctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "store.h"
#include "timefmt.h"

enum events_format { EVENTS_TABLE, EVENTS_JSON, EVENTS_CSV };

#define EVENTS_COLS	12
#define EVENTS_CELL	72

static const char *const events_heads[EVENTS_COLS] = {
	"TIME", "SEQ", "DIR", "TYPE", "RESULT", "REASON", "KIND", "SUBJECT",
	"CRED", "PASSAGE", "DECODE_MS", "LATENCY_MS",
};
/* Numbers line up on the right. */
static const bool events_right[EVENTS_COLS] = {
	[1] = true, [10] = true, [11] = true,
};

/*
 * The table is printed in two passes over the log, the first to measure
 * the columns, so a long listing needs no memory; rows appended between
 * the passes are left for the next run.
 */
struct events_table {
	int width[EVENTS_COLS];
	int64_t last_seq;
	bool measuring;
};

static void
events_usage(void)
{
	fprintf(stderr, "usage: qrgatectl events [--since T] [--json|--csv]\n"
	    "  T is YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, \"YYYY-MM-DD HH:MM:SS\" "
	    "(UTC),\n  milliseconds since the epoch, or -30s, -15m, -2h, -7d "
	    "(default -24h)\n");
}

/*
 * Copies text for a terminal: control characters (a QR code may carry
 * escape sequences) become '?'.  Returns the width in characters.
 */
static int
events_cell_clean(char *dst, const char *src, size_t size)
{
	size_t i;
	int width = 0;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if ((c & 0xc0) != 0x80)
			width++;
	}
	dst[i] = '\0';
	return width;
}

static void
events_ms(int64_t us, char *buf, size_t len)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", (double)us / 1000.0);
}

static void
events_cells(const struct event *ev, char cell[EVENTS_COLS][EVENTS_CELL],
    int width[EVENTS_COLS])
{
	char raw[EVENTS_COLS][EVENTS_CELL];

	timefmt_format_sec(ev->ts_ms, raw[0], sizeof(raw[0]));
	snprintf(raw[1], sizeof(raw[1]), "%lld", (long long)ev->seq);
	snprintf(raw[2], sizeof(raw[2]), "%s", direction_name(ev->direction));
	snprintf(raw[3], sizeof(raw[3]), "%s", event_type_name(ev->type));
	snprintf(raw[4], sizeof(raw[4]), "%s", result_name(ev->result));
	snprintf(raw[5], sizeof(raw[5]), "%s", reason_name(ev->reason));
	snprintf(raw[6], sizeof(raw[6]), "%s", cred_kind_name(ev->kind));
	snprintf(raw[7], sizeof(raw[7]), "%s", ev->subject[0] != '\0' ?
	    ev->subject : "-");
	snprintf(raw[8], sizeof(raw[8]), "%s", ev->credential_id[0] != '\0' ?
	    ev->credential_id : "-");
	snprintf(raw[9], sizeof(raw[9]), "%s", passage_name(ev->passage));
	events_ms(ev->decode_us, raw[10], sizeof(raw[10]));
	events_ms(ev->latency_us, raw[11], sizeof(raw[11]));
	for (int i = 0; i < EVENTS_COLS; i++)
		width[i] = events_cell_clean(cell[i], raw[i], sizeof(cell[i]));
}

static void
events_row_print(char cell[EVENTS_COLS][EVENTS_CELL],
    const int cw[EVENTS_COLS], const int width[EVENTS_COLS])
{
	for (int i = 0; i < EVENTS_COLS; i++) {
		int pad = width[i] - cw[i];

		if (events_right[i])
			printf("%*s%s", pad, "", cell[i]);
		else if (i < EVENTS_COLS - 1)
			printf("%s%*s", cell[i], pad, "");
		else
			printf("%s", cell[i]);
		printf(i < EVENTS_COLS - 1 ? "  " : "\n");
	}
}

static int
events_table_cb(const struct event *ev, void *arg)
{
	struct events_table *t = arg;
	char cell[EVENTS_COLS][EVENTS_CELL];
	int cw[EVENTS_COLS];

	if (!t->measuring && ev->seq > t->last_seq)
		return 1;
	events_cells(ev, cell, cw);
	if (t->measuring) {
		for (int i = 0; i < EVENTS_COLS; i++)
			if (cw[i] > t->width[i])
				t->width[i] = cw[i];
		t->last_seq = ev->seq;
	} else
		events_row_print(cell, cw, t->width);
	return 0;
}

static int
events_table(struct store *st, int64_t since)
{
	struct events_table t;
	char head[EVENTS_COLS][EVENTS_CELL];
	int hw[EVENTS_COLS];

	memset(&t, 0, sizeof(t));
	for (int i = 0; i < EVENTS_COLS; i++) {
		hw[i] = events_cell_clean(head[i], events_heads[i],
		    sizeof(head[i]));
		t.width[i] = hw[i];
	}
	t.measuring = true;
	if (store_event_foreach(st, since, events_table_cb, &t) == -1)
		return -1;
	events_row_print(head, hw, t.width);
	t.measuring = false;
	return store_event_foreach(st, since, events_table_cb, &t);
}

/* Text for JSON: jansson refuses invalid UTF-8, so such bytes become '?'. */
static json_t *
events_json_text(const char *s)
{
	char clean[EVENTS_CELL * 2];
	json_t *j;
	size_t i;

	if ((j = json_string(s)) != NULL)
		return j;
	for (i = 0; i + 1 < sizeof(clean) && s[i] != '\0'; i++)
		clean[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	clean[i] = '\0';
	return json_string(clean);
}

static int
events_json_cb(const struct event *ev, void *arg)
{
	json_t *o = json_object();
	int *failed = arg;

	/* Every column of the events table, under its own name. */
	if (o == NULL ||
	    json_object_set_new(o, "seq", json_integer(ev->seq)) == -1 ||
	    json_object_set_new(o, "event_id",
	    events_json_text(ev->event_id)) == -1 ||
	    json_object_set_new(o, "ts_ms", json_integer(ev->ts_ms)) == -1 ||
	    json_object_set_new(o, "gate", events_json_text(ev->gate)) == -1 ||
	    json_object_set_new(o, "lane", events_json_text(ev->lane)) == -1 ||
	    json_object_set_new(o, "direction",
	    json_string(direction_name(ev->direction))) == -1 ||
	    json_object_set_new(o, "type",
	    json_string(event_type_name(ev->type))) == -1 ||
	    json_object_set_new(o, "kind",
	    json_string(cred_kind_name(ev->kind))) == -1 ||
	    json_object_set_new(o, "credential_id",
	    events_json_text(ev->credential_id)) == -1 ||
	    json_object_set_new(o, "subject",
	    events_json_text(ev->subject)) == -1 ||
	    json_object_set_new(o, "result",
	    json_string(result_name(ev->result))) == -1 ||
	    json_object_set_new(o, "reason",
	    json_string(reason_name(ev->reason))) == -1 ||
	    json_object_set_new(o, "passage",
	    json_string(passage_name(ev->passage))) == -1 ||
	    json_object_set_new(o, "decode_us",
	    json_integer(ev->decode_us)) == -1 ||
	    json_object_set_new(o, "latency_us",
	    json_integer(ev->latency_us)) == -1 ||
	    json_object_set_new(o, "payload_hash",
	    events_json_text(ev->payload_hash)) == -1 ||
	    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == -1) {
		fprintf(stderr, "qrgatectl: cannot write event %lld as JSON\n",
		    (long long)ev->seq);
		json_decref(o);
		*failed = 1;
		return 1;
	}
	putchar('\n');
	json_decref(o);
	return 0;
}

/* RFC 4180: quoted when it holds a separator, a quote or a line break. */
static void
events_csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		fputs(s, stdout);
	else {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void
events_csv_int(int64_t v, bool last)
{
	printf("%lld%s", (long long)v, last ? "\r\n" : ",");
}

static int
events_csv_cb(const struct event *ev, void *arg)
{
	(void)arg;
	events_csv_int(ev->seq, false);
	events_csv_field(ev->event_id, false);
	events_csv_int(ev->ts_ms, false);
	events_csv_field(ev->gate, false);
	events_csv_field(ev->lane, false);
	events_csv_field(direction_name(ev->direction), false);
	events_csv_field(event_type_name(ev->type), false);
	events_csv_field(cred_kind_name(ev->kind), false);
	events_csv_field(ev->credential_id, false);
	events_csv_field(ev->subject, false);
	events_csv_field(result_name(ev->result), false);
	events_csv_field(reason_name(ev->reason), false);
	events_csv_field(passage_name(ev->passage), false);
	events_csv_int(ev->decode_us, false);
	events_csv_int(ev->latency_us, false);
	events_csv_field(ev->payload_hash, true);
	return 0;
}

static int
events_print(struct store *st, int64_t since, enum events_format fmt)
{
	int failed = 0;

	switch (fmt) {
	case EVENTS_TABLE:
		return events_table(st, since);
	case EVENTS_JSON:
		if (store_event_foreach(st, since, events_json_cb,
		    &failed) == -1)
			return -1;
		return failed ? -1 : 0;
	case EVENTS_CSV:
		fputs("seq,event_id,ts_ms,gate,lane,direction,type,kind,"
		    "credential_id,subject,result,reason,passage,decode_us,"
		    "latency_us,payload_hash\r\n", stdout);
		return store_event_foreach(st, since, events_csv_cb, NULL);
	}
	return -1;
}

int
ctl_events(struct ctl *c, int argc, char **argv)
{
	enum events_format fmt = EVENTS_TABLE;
	const char *since_text = "-24h", *path = c->cfg.store.path;
	int64_t since;
	struct store *st;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--since") == 0 && i + 1 < argc)
			since_text = argv[++i];
		else if (strncmp(a, "--since=", 8) == 0)
			since_text = a + 8;
		else if (strcmp(a, "--json") == 0 || strcmp(a, "--csv") == 0) {
			enum events_format f = a[2] == 'j' ? EVENTS_JSON :
			    EVENTS_CSV;

			if (fmt != EVENTS_TABLE && fmt != f) {
				fprintf(stderr, "qrgatectl: events: --json "
				    "and --csv exclude each other\n");
				return 2;
			}
			fmt = f;
		}
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			events_usage();
			return 0;
		} else {
			events_usage();
			return 2;
		}
	}
	if (timefmt_parse_since(since_text, clock_utc_ms(), &since) == -1) {
		fprintf(stderr, "qrgatectl: events: bad time '%s'\n",
		    since_text);
		events_usage();
		return 2;
	}

	/* The usual failure, said plainly before SQLite says it its way. */
	if (access(path, R_OK) == -1) {
		fprintf(stderr, "qrgatectl: cannot open %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if ((st = store_open(path, c->cfg.store.synchronous, true)) == NULL)
		return 1;
	ret = events_print(st, since, fmt);
	store_close(st);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "qrgatectl: events: %s\n", strerror(errno));
		return 1;
	}
	return ret == -1 ? 1 : 0;
}
