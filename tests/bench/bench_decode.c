/*
 * bench_decode: every decoding baseline and qrgated's own path, in one
 * process, on the same frames.
 *
 *   bench_decode FRAMES_DIR [CORPUS_DIR|-] BACKEND...
 *
 * FRAMES_DIR holds bench_frames' output; CORPUS_DIR the real photos
 * (DIR/x/N.png beside N.txt), or "-" to skip them.  Each BACKEND is a
 * decoder.backend value, run exactly as qrgatectl scan runs it: frames
 * loaded with image_load(), one decoder opened per set of frames and fed
 * every frame in order through decoder_find(BACKEND)->scan().
 *
 * Baselines: zbar with every symbology as zbarcam sets it up (text
 * mode, every symbol it returns counted as a code); zbar QR-only (the
 * zbar backend); zxing-cpp QR-only, fast (the zxing backend) and with
 * tryHarder.  Figures: codes found and byte-exact, false codes (a code on
 * a frame without one, or bytes not those encoded), mean and p99
 * milliseconds a frame, the same for code-free frames, and for each
 * approach sequence the frame of the first read; then each of the first
 * BACKEND's figures as a ratio to each baseline.  It never passes or
 * fails: the figures are for a human.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zbar.h>

#include "decoder.h"
#include "image.h"

#define MAX_DECODERS	8

/* zbar as zbarcam sets it up: the scanner's defaults, every symbology. */
struct zall {
	zbar_image_scanner_t *sc;
	zbar_image_t *img;
	char *buf;
	size_t cap;
};

static void *
zall_open(void)
{
	struct zall *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->sc = zbar_image_scanner_create();
	z->img = zbar_image_create();
	zbar_image_scanner_set_config(z->sc, 0, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(z->img, zbar_fourcc('Y', '8', '0', '0'));
	return z;
}

static int
zall_scan(void *priv, const struct frame *f, struct decode_result *out)
{
	struct zall *z = priv;
	const zbar_symbol_t *s;
	size_t off = 0, total = 0;

	out->count = 0;
	zbar_image_set_size(z->img, (unsigned)f->width, (unsigned)f->height);
	zbar_image_set_data(z->img, f->y, (unsigned long)f->width * f->height,
	    NULL);
	if (zbar_scan_image(z->sc, z->img) < 0)
		return -1;
	for (s = zbar_image_first_symbol(z->img); s; s = zbar_symbol_next(s))
		total += zbar_symbol_get_data_length(s) + 1;
	if (total > z->cap) {
		free(z->buf);
		z->cap = total;
		if ((z->buf = malloc(total)) == NULL)
			return -1;
	}
	for (s = zbar_image_first_symbol(z->img); s && out->count <
	    DECODE_MAX_CODES; s = zbar_symbol_next(s)) {
		size_t n = zbar_symbol_get_data_length(s);

		memcpy(z->buf + off, zbar_symbol_get_data(s), n);
		out->codes[out->count].data = (uint8_t *)z->buf + off;
		out->codes[out->count++].len = n;
		off += n + 1;
	}
	zbar_image_scanner_recycle_image(z->sc, z->img);
	zbar_image_set_data(z->img, NULL, 0, NULL);
	return out->count;
}

static void
zall_close(void *priv)
{
	struct zall *z = priv;

	zbar_image_destroy(z->img);
	zbar_image_scanner_destroy(z->sc);
	free(z->buf);
	free(z);
}

static const struct decoder_ops zall_ops = {
	.name = "zbar-all", .open = zall_open, .scan = zall_scan,
	.close = zall_close,
};

struct item {
	char *path;
	char *set;		/* cam640, cam720, seqNN, photos */
	uint8_t *want;		/* NULL: no code */
	size_t want_len;
	bool other_ok;		/* a non-UTF-8 reading of a non-ASCII text */
};

struct tally {
	int frames, with_code, found, exact, false_codes;
	double *ms;		/* per frame */
	double *free_ms;	/* per code-free frame */
	int n_free;
	int first_sum, never, seqs;
};

struct dec {
	const struct decoder_ops *ops;
	char label[48];
	struct tally t[3];	/* camera-like, sequences, photos */
};

static struct item *items;
static int n_items;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint8_t *
unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2;
	uint8_t *b = malloc(n + 1);

	for (size_t i = 0; b != NULL && i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &b[i]);
	*len = n;
	return b;
}

static void
item_add(const char *path, const char *set, uint8_t *want, size_t len,
    bool other_ok)
{
	items = realloc(items, sizeof(*items) * (n_items + 1));
	if (items == NULL)
		exit(1);
	items[n_items++] = (struct item){ strdup(path), strdup(set), want,
	    len, other_ok };
}

static void
load_frames(const char *dir)
{
	char path[4096], name[256], set[64], hex[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/frames.txt", dir);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "bench_decode: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fscanf(f, "%255s %63s %4095s%*[^\n]", name, set, hex) == 3) {
		uint8_t *want = NULL;
		size_t len = 0;

		if (strcmp(hex, "-") != 0)
			want = unhex(hex, &len);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		item_add(path, set, want, len, false);
	}
	fclose(f);
}

static bool
is_ascii(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] >= 0x80)
			return false;
	return true;
}

static bool
is_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int k = s[i] < 0x80 ? 0 : (s[i] & 0xe0) == 0xc0 ? 1 :
		    (s[i] & 0xf0) == 0xe0 ? 2 : (s[i] & 0xf8) == 0xf0 ? 3 : -1;

		if (k < 0 || i + k >= n + (k == 0))
			return false;
		for (int j = 1; j <= k; j++)
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_corpus(const char *dir)
{
	struct dirent *e, *g;
	DIR *d, *sub;
	char path[2048], txt[4096];
	char *names[512];
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < 512) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((sub = opendir(path)) == NULL)
			continue;
		while ((g = readdir(sub)) != NULL && n < 512) {
			size_t l = strlen(g->d_name);

			if (l > 4 && strcmp(g->d_name + l - 4, ".png") == 0) {
				snprintf(txt, sizeof(txt), "%s/%s", path, g->d_name);
				names[n++] = strdup(txt);
			}
		}
		closedir(sub);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (int i = 0; i < n; i++) {
		FILE *f;
		uint8_t *want = malloc(65536);
		size_t len;

		snprintf(txt, sizeof(txt), "%.*s.txt", (int)strlen(names[i]) - 4,
		    names[i]);
		if (want == NULL || (f = fopen(txt, "rb")) == NULL) {
			free(want);
			free(names[i]);
			continue;
		}
		len = fread(want, 1, 65536, f);
		fclose(f);
		item_add(names[i], "photos", want, len, !is_ascii(want, len));
		free(names[i]);
	}
}

static int
group_of(const char *set)
{
	if (strncmp(set, "cam", 3) == 0)
		return 0;
	if (strncmp(set, "seq", 3) == 0)
		return 1;
	return 2;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
mean(const double *v, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return n ? s / n : 0;
}

static double
p99(double *v, int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static void
run(struct dec *d)
{
	const char *cur = "";
	void *priv = NULL;
	int seq_first = -1, seq_idx = 0;

	for (int g = 0; g < 3; g++) {
		d->t[g].ms = calloc(n_items, sizeof(double));
		d->t[g].free_ms = calloc(n_items, sizeof(double));
	}
	for (int i = 0; i < n_items; i++) {
		struct item *it = &items[i];
		struct tally *t = &d->t[group_of(it->set)];
		struct image img;
		struct frame f;
		struct decode_result r;
		char err[256];
		double t0, ms;
		bool found = false, exact = false;
		int falses = 0;

		if (strcmp(cur, it->set) != 0) {
			/* A new set: a fresh decoder, as a new run of qrgatectl. */
			if (priv != NULL)
				d->ops->close(priv);
			if ((priv = d->ops->open()) == NULL)
				exit(1);
			if (strncmp(cur, "seq", 3) == 0) {
				struct tally *s = &d->t[1];

				s->seqs++;
				if (seq_first < 0)
					s->never++;
				else
					s->first_sum += seq_first;
			}
			cur = it->set;
			seq_first = -1;
			seq_idx = 0;
		}
		if (image_load(it->path, &img, err, sizeof(err)) == -1) {
			fprintf(stderr, "bench_decode: %s\n", err);
			continue;
		}
		f = (struct frame){ .y = img.y, .width = img.width,
		    .height = img.height, .stride = img.width, .seq = i };
		t0 = now_ms();
		if (d->ops->scan(priv, &f, &r) < 0)
			r.count = 0;
		ms = now_ms() - t0;
		image_free(&img);
		for (int k = 0; k < r.count; k++) {
			const struct decoded_code *c = &r.codes[k];

			if (it->want != NULL && c->len == it->want_len &&
			    memcmp(c->data, it->want, c->len) == 0)
				exact = found = true;
			else if (it->want != NULL && it->other_ok &&
			    !is_utf8(c->data, c->len))
				found = true;
			else
				falses++;
		}
		t->frames++;
		t->ms[t->frames - 1] = ms;
		if (it->want == NULL)
			t->free_ms[t->n_free++] = ms;
		else
			t->with_code++;
		t->found += found;
		t->exact += exact;
		t->false_codes += falses;
		if (found && seq_first < 0)
			seq_first = seq_idx;
		seq_idx++;
	}
	if (strncmp(cur, "seq", 3) == 0) {
		d->t[1].seqs++;
		if (seq_first < 0)
			d->t[1].never++;
		else
			d->t[1].first_sum += seq_first;
	}
	if (priv != NULL)
		d->ops->close(priv);
}

/* The frame of the first read, on average; a sequence never read counts
 * as frame 30, one past the last. */
static double
first_read(const struct tally *t)
{
	return t->seqs ? (double)(t->first_sum + 30 * t->never) / t->seqs : 0;
}

static void
report(struct dec *d, int n, int own)
{
	static const char *names[] = { "camera-like frames (640x480, 1280x720)",
	    "approach sequences (30 frames at 30 fps)", "qr-photos" };

	for (int g = 0; g < 3; g++) {
		if (d[0].t[g].frames == 0)
			continue;
		printf("-- %s: %d frames, %d with a code\n", names[g],
		    d[0].t[g].frames, d[0].t[g].with_code);
		printf("   %-22s %6s %6s %6s %8s %8s %9s%s\n", "decoder", "found",
		    "exact", "false", "mean ms", "p99 ms", "free ms",
		    g == 1 ? "  first read (never)" : "");
		for (int i = 0; i < n; i++) {
			struct tally *t = &d[i].t[g];
			double m = mean(t->ms, t->frames);
			double fm = mean(t->free_ms, t->n_free);

			printf("   %-22s %6d %6d %6d %8.2f %8.2f %9.2f", d[i].label,
			    t->found, t->exact, t->false_codes, m,
			    p99(t->ms, t->frames), fm);
			if (g == 1)
				printf("  %5.1f (%d of %d)", first_read(t), t->never,
				    t->seqs);
			printf("\n");
		}
		for (int i = own; i < n; i++) {
			struct tally *o = &d[i].t[g];

			for (int b = 0; b < own; b++) {
				struct tally *t = &d[b].t[g];
				double bm = mean(t->ms, t->frames);
				double bf = mean(t->free_ms, t->n_free);

				printf("   %s vs %-12s found %+.1f pp (%.2fx), "
				    "exact %.2fx, mean time %.3fx, code-free time %.3fx",
				    d[i].label, d[b].label,
				    100.0 * (o->found - t->found) / (t->with_code ?
				    t->with_code : 1),
				    t->found ? (double)o->found / t->found : 0,
				    t->exact ? (double)o->exact / t->exact : 0,
				    bm > 0 ? mean(o->ms, o->frames) / bm : 0,
				    bf > 0 ? mean(o->free_ms, o->n_free) / bf : 0);
				if (g == 1)
					printf(", first read %+.1f frames",
					    first_read(o) - first_read(t));
				printf("\n");
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct dec d[MAX_DECODERS];
	int n = 0, own;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_decode FRAMES_DIR CORPUS_DIR|- "
		    "BACKEND...\n");
		return 2;
	}
	load_frames(argv[1]);
	if (strcmp(argv[2], "-") != 0)
		load_corpus(argv[2]);

	memset(d, 0, sizeof(d));
	if (getenv("BENCH_DECODE_QUICK") == NULL) {
		d[n].ops = &zall_ops;
		snprintf(d[n++].label, sizeof(d[0].label), "zbar every symbology");
		d[n].ops = &decoder_zbar_ops;
		snprintf(d[n++].label, sizeof(d[0].label), "zbar QR-only");
	}
#ifdef CONFIG_DECODER_ZXING
	d[n].ops = &decoder_zxing_ops;
	snprintf(d[n++].label, sizeof(d[0].label), "zxing-cpp fast");
	d[n].ops = &decoder_zxing_harder_ops;
	snprintf(d[n++].label, sizeof(d[0].label), "zxing-cpp try-harder");
#else
	printf("bench_decode: zxing-cpp not built in: no zxing baselines\n");
#endif
	own = n;
	for (int i = 3; i < argc && n < MAX_DECODERS; i++) {
		if ((d[n].ops = decoder_find(argv[i])) == NULL) {
			printf("bench_decode: no backend %s in this build\n",
			    argv[i]);
			continue;
		}
		snprintf(d[n++].label, sizeof(d[0].label), "qrgated %s", argv[i]);
	}
	for (int i = 0; i < n; i++)
		run(&d[i]);
	report(d, n, own);
	return 0;
}
