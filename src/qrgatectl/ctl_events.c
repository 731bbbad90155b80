/*
 * qrgatectl events [--since T] [--json|--csv] [--trace]: the entry/exit
 * log, read from the database the daemon writes, without disturbing it
 * (read-only, WAL lets both proceed).  --trace adds the full subjects kept
 * while store.trace_full is on, for contact tracing; without it they are
 * never shown.
 */
#include "ctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_table.h"
#include "sitetime.h"
#include "store.h"
#include "timefmt.h"

enum events_format { EVENTS_TABLE, EVENTS_JSON, EVENTS_CSV };

#define EVENTS_COLS	13

/* The last column, the full subject, only with --trace. */
static const char *const events_heads[EVENTS_COLS] = {
	"TIME", "SEQ", "DIR", "TYPE", "RESULT", "REASON", "KIND", "SUBJECT",
	"CRED", "PASSAGE", "DECODE_MS", "LATENCY_MS", "FULL_SUBJECT",
};
/* Numbers line up on the right. */
static const bool events_right[EVENTS_COLS] = {
	[1] = true, [10] = true, [11] = true,
};

_Static_assert(EVENTS_COLS <= CTL_TABLE_COLS, "events table too wide");

/*
 * The table is printed in two passes over the log, the first to measure
 * the columns, so a long listing needs no memory; rows appended between
 * the passes are left for the next run.
 */
struct events_table {
	struct ctl_table tab;
	int64_t last_seq;
	bool measuring;
};

/* What the JSON and CSV callbacks are told. */
struct events_out {
	bool trace;
	int failed;
};

static void
events_usage(void)
{
	fprintf(stderr, "usage: qrgatectl events [--since T] [--json|--csv] "
	    "[--trace]\n"
	    "  T is YYYY-MM-DD[THH:MM[:SS]] in site.timezone, or with Z or an "
	    "offset\n  (+07:00), milliseconds since the epoch, or -30s, -15m, "
	    "-2h, -7d (default -24h)\n");
}

static void
events_ms(int64_t us, char *buf, size_t len)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", (double)us / 1000.0);
}

static int
events_table_cb(const struct event *ev, void *arg)
{
	struct events_table *t = arg;
	char ts[TIMEFMT_LEN], seq[24], decode[32], latency[32];
	const char *cell[EVENTS_COLS];

	if (!t->measuring && ev->seq > t->last_seq)
		return 1;
	sitetime_format(ev->ts_ms, ts, sizeof(ts));
	snprintf(seq, sizeof(seq), "%lld", (long long)ev->seq);
	events_ms(ev->decode_us, decode, sizeof(decode));
	events_ms(ev->latency_us, latency, sizeof(latency));
	cell[0] = ts;
	cell[1] = seq;
	cell[2] = direction_name(ev->direction);
	cell[3] = event_type_name(ev->type);
	cell[4] = result_name(ev->result);
	cell[5] = reason_name(ev->reason);
	cell[6] = cred_kind_name(ev->kind);
	cell[7] = ev->subject[0] != '\0' ? ev->subject : "-";
	cell[8] = ev->credential_id[0] != '\0' ? ev->credential_id : "-";
	cell[9] = passage_name(ev->passage);
	cell[10] = decode;
	cell[11] = latency;
	cell[12] = ev->subject_full[0] != '\0' ? ev->subject_full : "-";
	if (t->measuring) {
		ctl_table_measure(&t->tab, cell);
		t->last_seq = ev->seq;
	} else
		ctl_table_row(&t->tab, cell);
	return 0;
}

static int
events_table(struct store *st, int64_t since, bool trace)
{
	struct events_table t;
	int ncols = trace ? EVENTS_COLS : EVENTS_COLS - 1;

	/*
	 * Control characters (a QR code may carry escape sequences) show
	 * as '?'.
	 */
	ctl_table_init(&t.tab, ncols, events_heads, events_right, '?');
	t.last_seq = 0;
	t.measuring = true;
	if (store_event_foreach(st, since, events_table_cb, &t) == -1)
		return -1;
	ctl_table_row(&t.tab, events_heads);
	t.measuring = false;
	return store_event_foreach(st, since, events_table_cb, &t);
}

static int
events_json_cb(const struct event *ev, void *arg)
{
	json_t *o = json_object();
	struct events_out *out = arg;

	/* Every column of the events table, under its own name; the full
	 * subject only when asked for. */
	if (o == NULL ||
	    json_object_set_new(o, "seq", json_integer(ev->seq)) == -1 ||
	    json_object_set_new(o, "event_id",
	    ctl_json_text(ev->event_id)) == -1 ||
	    json_object_set_new(o, "ts_ms", json_integer(ev->ts_ms)) == -1 ||
	    json_object_set_new(o, "gate", ctl_json_text(ev->gate)) == -1 ||
	    json_object_set_new(o, "lane", ctl_json_text(ev->lane)) == -1 ||
	    json_object_set_new(o, "direction",
	    json_string(direction_name(ev->direction))) == -1 ||
	    json_object_set_new(o, "type",
	    json_string(event_type_name(ev->type))) == -1 ||
	    json_object_set_new(o, "kind",
	    json_string(cred_kind_name(ev->kind))) == -1 ||
	    json_object_set_new(o, "credential_id",
	    ctl_json_text(ev->credential_id)) == -1 ||
	    json_object_set_new(o, "subject",
	    ctl_json_text(ev->subject)) == -1 ||
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
	    ctl_json_text(ev->payload_hash)) == -1 ||
	    json_object_set_new(o, "source", ctl_json_text(ev->source)) == -1 ||
	    (out->trace && json_object_set_new(o, "subject_full",
	    ctl_json_text(ev->subject_full)) == -1) ||
	    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == -1) {
		fprintf(stderr, "qrgatectl: cannot write event %lld as JSON\n",
		    (long long)ev->seq);
		json_decref(o);
		out->failed = 1;
		return 1;
	}
	putchar('\n');
	json_decref(o);
	return 0;
}

static void
events_csv_int(int64_t v, bool last)
{
	printf("%lld%s", (long long)v, last ? "\r\n" : ",");
}

static int
events_csv_cb(const struct event *ev, void *arg)
{
	const struct events_out *out = arg;

	events_csv_int(ev->seq, false);
	ctl_csv_field(ev->event_id, false);
	events_csv_int(ev->ts_ms, false);
	ctl_csv_field(ev->gate, false);
	ctl_csv_field(ev->lane, false);
	ctl_csv_field(direction_name(ev->direction), false);
	ctl_csv_field(event_type_name(ev->type), false);
	ctl_csv_field(cred_kind_name(ev->kind), false);
	ctl_csv_field(ev->credential_id, false);
	ctl_csv_field(ev->subject, false);
	ctl_csv_field(result_name(ev->result), false);
	ctl_csv_field(reason_name(ev->reason), false);
	ctl_csv_field(passage_name(ev->passage), false);
	events_csv_int(ev->decode_us, false);
	events_csv_int(ev->latency_us, false);
	ctl_csv_field(ev->payload_hash, false);
	ctl_csv_field(ev->source, !out->trace);
	if (out->trace)
		ctl_csv_field(ev->subject_full, true);
	return 0;
}

static int
events_print(struct store *st, int64_t since, enum events_format fmt,
    bool trace)
{
	struct events_out out = { trace, 0 };

	switch (fmt) {
	case EVENTS_TABLE:
		return events_table(st, since, trace);
	case EVENTS_JSON:
		if (store_event_foreach(st, since, events_json_cb,
		    &out) == -1)
			return -1;
		return out.failed ? -1 : 0;
	case EVENTS_CSV:
		fputs("seq,event_id,ts_ms,gate,lane,direction,type,kind,"
		    "credential_id,subject,result,reason,passage,decode_us,"
		    "latency_us,payload_hash,source", stdout);
		fputs(trace ? ",subject_full\r\n" : "\r\n", stdout);
		return store_event_foreach(st, since, events_csv_cb, &out);
	}
	return -1;
}

int
ctl_events(struct ctl *c, int argc, char **argv)
{
	enum events_format fmt = EVENTS_TABLE;
	const char *since_text = "-24h", *path = c->cfg.store.path;
	char msg[200];
	int64_t since;
	struct store *st;
	bool trace = false;
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
		else if (strcmp(a, "--trace") == 0)
			trace = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			events_usage();
			return 0;
		} else {
			events_usage();
			return 2;
		}
	}
	if (sitetime_parse_since(since_text, clock_utc_ms(), &since, msg,
	    sizeof(msg)) == -1) {
		fprintf(stderr, "qrgatectl: events: --since: %s\n", msg);
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
	ret = events_print(st, since, fmt, trace);
	store_close(st);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "qrgatectl: events: %s\n", strerror(errno));
		return 1;
	}
	return ret == -1 ? 1 : 0;
}
