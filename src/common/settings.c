/*
 * The settings engine: one value from text, the INI loader with -o
 * overrides, and the annotated example, all driven by a program's table
 * (settings.h).  Nothing here knows a program's settings; the gate
 * (config.c) and the aggregator (agg/agg_config.c) each keep theirs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "util.h"
#include "log.h"
#include "settings.h"


/*
 * A hostile value can neither flood a message nor put terminal escapes in
 * the log.
 */
void
settings_quote(const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = 0, i;

	for (i = 0; s[i] != '\0' && i < max && n + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	out[n] = '\0';
	if (s[i] != '\0' && n + 4 <= outlen)
		strcat(out, "...");
}

static int
setting_set_string(const struct setting *s, void *field, const char *v,
    char *msg, size_t len)
{
	size_t n = strlen(v);
	char q[48];

	settings_quote(v, 40, q, sizeof(q));
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < 0x20 || ch == 0x7f) {
			snprintf(msg, len, "\"%s\" contains a control "
			    "character", q);
			return -1;
		}
	}
	if (s->nonempty && n == 0) {
		snprintf(msg, len, "must not be empty");
		return -1;
	}
	if (n >= s->size) {
		snprintf(msg, len, "\"%s\" is too long (%zu characters, at "
		    "most %zu)", q, n, s->size - 1);
		return -1;
	}
	memcpy(field, v, n + 1);
	return 0;
}

static int
setting_set_int(const struct setting *s, void *field, const char *v,
    char *msg, size_t len)
{
	char q[48], *end;
	long n;

	settings_quote(v, 40, q, sizeof(q));
	/* strtol would also take blanks and a '+' before the digits. */
	if (!(isdigit((unsigned char)v[0]) ||
	    (v[0] == '-' && isdigit((unsigned char)v[1])))) {
		snprintf(msg, len, "\"%s\" is not an integer", q);
		return -1;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end != '\0') {
		snprintf(msg, len, "\"%s\" is not an integer", q);
		return -1;
	}
	if (errno == ERANGE || n < s->min || n > s->max) {
		snprintf(msg, len, "%s is out of range %d..%d", q, s->min,
		    s->max);
		return -1;
	}
	*(int *)field = (int)n;
	return 0;
}

static int
setting_set_bool(const struct setting *s, void *field, const char *v,
    char *msg, size_t len)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char q[48];

	(void)s;
	for (size_t i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*(bool *)field = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*(bool *)field = false;
			return 0;
		}
	}
	settings_quote(v, 40, q, sizeof(q));
	snprintf(msg, len, "\"%s\" is not a boolean "
	    "(true/false/yes/no/on/off/1/0)", q);
	return -1;
}

/* Writes "a, b, c": the names of an enum's choices. */
static void
setting_choices_list(const struct setting *s, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; s->choices[i].name != NULL; i++) {
		int w = snprintf(out + n, outlen - n, "%s%s", i > 0 ? ", " : "",
		    s->choices[i].name);

		if (w < 0 || (size_t)w >= outlen - n)
			break;
		n += w;
	}
}

static int
setting_set_enum(const struct setting *s, void *field, const char *v,
    char *msg, size_t len)
{
	char q[48], list[128];

	for (int i = 0; s->choices[i].name != NULL; i++) {
		if (strcmp(v, s->choices[i].name) != 0)
			continue;
		if (s->size > 0)
			snprintf(field, s->size, "%s", s->choices[i].name);
		else
			memcpy(field, &s->choices[i].value, sizeof(int));
		return 0;
	}
	settings_quote(v, 40, q, sizeof(q));
	setting_choices_list(s, list, sizeof(list));
	snprintf(msg, len, "\"%s\" is not one of %s", q, list);
	return -1;
}

static int
setting_set(const struct setting *s, void *base, const char *v, char *msg,
    size_t len)
{
	void *field = (char *)base + s->offset;

	switch (s->type) {
	case SETTING_STRING:
		if (s->check != NULL && s->check(v, msg, len) == -1)
			return -1;
		return setting_set_string(s, field, v, msg, len);
	case SETTING_INT:
		return setting_set_int(s, field, v, msg, len);
	case SETTING_BOOL:
		return setting_set_bool(s, field, v, msg, len);
	case SETTING_ENUM:
		return setting_set_enum(s, field, v, msg, len);
	case SETTING_CUSTOM:
		return s->ops->set(s, base, v, msg, len);
	case SETTING_TYPE_COUNT:
		break;
	}
	snprintf(msg, len, "no such type");
	return -1;
}

static bool
settings_section_known(const struct settings *t, const char *section)
{
	for (size_t i = 0; i < t->nsections; i++)
		if (strcmp(t->sections[i].name, section) == 0)
			return true;
	return false;
}

static const struct setting *
settings_find(const struct settings *t, const char *section, const char *key)
{
	for (size_t i = 0; i < t->nsettings; i++)
		if (strcmp(t->settings[i].section, section) == 0 &&
		    strcmp(t->settings[i].key, key) == 0)
			return &t->settings[i];
	return NULL;
}

int
settings_set(const struct settings *t, void *base, const char *section,
    const char *key, const char *value, char *err, size_t errlen)
{
	const struct setting *s;
	char qs[72], qk[72], msg[256];

	s = settings_find(t, section, key);
	if (s == NULL) {
		settings_quote(section, 64, qs, sizeof(qs));
		settings_quote(key, 64, qk, sizeof(qk));
		if (!settings_section_known(t, section))
			snprintf(err, errlen, "unknown section [%s]", qs);
		else
			snprintf(err, errlen, "unknown key %s.%s", qs, qk);
		return -1;
	}
	if (setting_set(s, base, value, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "%s.%s: %s", s->section, s->key, msg);
		return -1;
	}
	return 0;
}

void
settings_defaults(const struct settings *t, void *base, size_t size)
{
	char err[320];

	memset(base, 0, size);
	for (size_t i = 0; i < t->nsettings; i++) {
		const struct setting *s = &t->settings[i];

		/* A bad default is a bug in the program's table. */
		if (settings_set(t, base, s->section, s->key, s->def, err,
		    sizeof(err)) == -1)
			fatalx("config: bad default: %s", err);
	}
}

/*
 * The longest line read: the longest key and value (p_value) with room for
 * the blanks around them.  inih's own buffer is smaller (200, built into
 * the system's library), so a longer line is handed to it shortened
 * (loader_long_line).
 */
#define LOADER_LINE_MAX	1280

/* The state of one load: the config being read and every error so far. */
struct settings_loader {
	const struct settings *t;
	void *base;
	const struct settings_visit *visit;	/* or NULL */
	struct settings_errors *errs;
	int err_line[SETTINGS_MAX_ERRORS];	/* for sorting by line */
	const char *fname;
	FILE *f;
	bool read_failed;

	/* What the reader knows about the line inih is working on. */
	int lineno;
	char line[LOADER_LINE_MAX + 1];
	bool long_value;	/* the value is long_text, not inih's */
	char long_text[LOADER_LINE_MAX + 1];
	bool indented;		/* it starts with blank space */
	int section_line;	/* the last line that starts with '[' */
	int section_reported;	/* section_line of the last unknown one */

	/*
	 * The setting being read.  It is applied only when the next setting
	 * begins (or the file ends), since inih hands an indented line that
	 * follows it over as a piece more of its value.
	 */
	bool pending;
	bool continued;
	bool overflow;
	bool bracket_since;	/* a '[' line came after it */
	char p_section[64];
	char p_key[64];
	char p_value[1024];
	int p_line;
	int p_section_line;
};

static void
settings_error_vadd(struct settings_errors *e, int *lines, int line,
    const char *fmt, va_list ap)
{
	if (e->count < SETTINGS_MAX_ERRORS) {
		vsnprintf(e->msg[e->count], sizeof(e->msg[0]), fmt, ap);
		if (lines != NULL)
			lines[e->count] = line;
	}
	e->count++;
}

void
settings_error_add(struct settings_errors *errs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	settings_error_vadd(errs, NULL, 0, fmt, ap);
	va_end(ap);
}

static void loader_error_add(struct settings_loader *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
loader_error_add(struct settings_loader *l, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	settings_error_vadd(l->errs, l->err_line, line, fmt, ap);
	va_end(ap);
}

void
settings_errors_print(const struct settings_errors *errs, FILE *f)
{
	for (int i = 0; i < errs->count && i < SETTINGS_MAX_ERRORS; i++)
		fprintf(f, "%s\n", errs->msg[i]);
	if (errs->count > SETTINGS_MAX_ERRORS)
		fprintf(f, "... and %d more errors\n",
		    errs->count - SETTINGS_MAX_ERRORS);
}

static bool
loader_error_at(struct settings_loader *l, int line)
{
	int n = l->errs->count < SETTINGS_MAX_ERRORS ? l->errs->count :
	    SETTINGS_MAX_ERRORS;

	for (int i = 0; i < n; i++)
		if (l->err_line[i] == line)
			return true;
	return false;
}

/*
 * Puts the messages kept so far in line order: a pending setting is
 * checked after the lines that follow it were read, and inih tells its
 * syntax error only at the end.  Stable, so one line's messages keep
 * their order.
 */
static void
loader_errors_sort(struct settings_loader *l)
{
	int n = l->errs->count < SETTINGS_MAX_ERRORS ? l->errs->count :
	    SETTINGS_MAX_ERRORS;
	char tmp[sizeof(l->errs->msg[0])];

	for (int i = 1; i < n; i++) {
		int line = l->err_line[i], j = i;

		memcpy(tmp, l->errs->msg[i], sizeof(tmp));
		while (j > 0 && l->err_line[j - 1] > line) {
			memcpy(l->errs->msg[j], l->errs->msg[j - 1], sizeof(tmp));
			l->err_line[j] = l->err_line[j - 1];
			j--;
		}
		memcpy(l->errs->msg[j], tmp, sizeof(tmp));
		l->err_line[j] = line;
	}
}

/* Whether s[i] starts an inline comment, as inih reads one: a ';' after a
 * blank. */
static bool
loader_comment_at(const char *s, size_t i)
{
	return s[i] == ';' && i > 0 && isspace((unsigned char)s[i - 1]);
}

/*
 * A line longer than inih's buffer of num: the value is read here as inih
 * would read it (after the first '=' or ':' of a setting, or the whole of
 * an indented line that continues one; blanks around it and an inline
 * comment dropped) into long_text, and inih is handed the line with "x"
 * for its value, which the handler replaces.  -1 for a line that is not
 * a setting.
 */
static int
loader_long_line(struct settings_loader *l, char *str, int num)
{
	const char *p = l->line, *v;
	size_t k, n;

	if (l->lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	v = p + strspn(p, " \t\r\f\v");
	if (*v == ';' || *v == '#' || *v == '\0') {
		strcpy(str, "\n");	/* a comment or blanks: inih skips them */
		return 0;
	}
	if (*v == '[')
		return -1;
	if (v > p) {
		/* An indented line: all of it continues the value above. */
		k = 0;
		strcpy(str, " x\n");
	} else {
		for (k = 0; v[k] != '\0' && v[k] != '=' && v[k] != ':' &&
		    !loader_comment_at(v, k); k++)
			;
		if (v[k] != '=' && v[k] != ':')
			return -1;
		k++;
		if ((size_t)(v - l->line) + k + 3 > (size_t)num - 1)
			return -1;
		memcpy(str, l->line, (size_t)(v - l->line) + k);
		strcpy(str + (v - l->line) + k, "x\n");
	}
	v += k;
	v += strspn(v, " \t\r\f\v");
	for (n = 0; v[n] != '\0' && !loader_comment_at(v, n); n++)
		;
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	memcpy(l->long_text, v, n);
	l->long_text[n] = '\0';
	l->long_value = true;
	return 0;
}

/*
 * inih's reader: one line per call, counted, so that the handler knows
 * where its setting was written.  It reads with getc rather than fgets
 * because a NUL byte would hide the real length of what fgets read.  A
 * line too long for inih's buffer is shortened (loader_long_line); one
 * longer than LOADER_LINE_MAX, or with a NUL byte, is reported here and
 * handed on as an empty line, so inih never sees half a line.
 */
static char *
loader_ini_read(char *str, int num, void *stream)
{
	struct settings_loader *l = stream;
	int ch, n = 0;
	bool nul = false, long_line = false;
	const char *p;

	l->long_value = false;
	if (num < 4)
		return NULL;
	ch = getc(l->f);
	if (ch == EOF) {
		if (ferror(l->f) && !l->read_failed) {
			l->read_failed = true;
			loader_error_add(l, l->lineno + 1, "%s: read error: %s",
			    l->fname, strerror(errno));
		}
		return NULL;
	}
	l->lineno++;
	for (; ch != EOF && ch != '\n'; ch = getc(l->f)) {
		if (ch == '\0')
			nul = true;
		else if (n < LOADER_LINE_MAX)
			l->line[n++] = (char)ch;
		else
			long_line = true;
	}
	l->line[n] = '\0';
	if (!nul && !long_line && n > num - 2) {
		if (loader_long_line(l, str, num) == -1) {
			loader_error_add(l, l->lineno, "%s:%d: syntax error",
			    l->fname, l->lineno);
			strcpy(str, "\n");
		}
	} else if (!nul && !long_line) {
		memcpy(str, l->line, (size_t)n);
		str[n++] = '\n';
		str[n] = '\0';
	}
	if (nul || long_line) {
		if (nul)
			loader_error_add(l, l->lineno, "%s:%d: NUL byte in line",
			    l->fname, l->lineno);
		else
			loader_error_add(l, l->lineno, "%s:%d: line longer "
			    "than %d characters (indented lines that follow a "
			    "setting continue its value)", l->fname, l->lineno,
			    LOADER_LINE_MAX);
		strcpy(str, "\n");
	}

	p = str;
	if (l->lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* inih skips a UTF-8 byte order mark */
	l->indented = isspace((unsigned char)*p) && *p != '\n';
	while (isspace((unsigned char)*p) && *p != '\n')
		p++;
	if (*p == '[') {
		l->section_line = l->lineno;
		l->bracket_since = true;
	}
	return str;
}

/* Applies the pending setting, reporting what is wrong with it. */
static void
loader_pending_apply(struct settings_loader *l)
{
	char err[300], qk[72];

	if (!l->pending)
		return;
	l->pending = false;
	if (l->p_section[0] == '\0') {
		settings_quote(l->p_key, 64, qk, sizeof(qk));
		loader_error_add(l, l->p_line, "%s:%d: %s is outside any "
		    "[section]", l->fname, l->p_line, qk);
		return;
	}
	if (!settings_section_known(l->t, l->p_section)) {
		/* Once for the section, not once for each of its keys. */
		if (l->p_section_line == l->section_reported)
			return;
		l->section_reported = l->p_section_line;
		settings_quote(l->p_section, 64, qk, sizeof(qk));
		loader_error_add(l, l->p_section_line, "%s:%d: unknown section "
		    "[%s]", l->fname, l->p_section_line, qk);
		return;
	}
	if (l->overflow) {
		settings_quote(l->p_key, 64, qk, sizeof(qk));
		loader_error_add(l, l->p_line, "%s:%d: %s.%s: value longer "
		    "than %zu characters", l->fname, l->p_line, l->p_section,
		    qk, sizeof(l->p_value) - 1);
		return;
	}
	for (size_t i = 0; i < l->t->nretired; i++)
		if (strcmp(l->t->retired[i].section, l->p_section) == 0 &&
		    strcmp(l->t->retired[i].key, l->p_key) == 0) {
			log_warnx("%s:%d: %s.%s is no longer read, and is "
			    "ignored: %s", l->fname, l->p_line, l->p_section,
			    l->p_key, l->t->retired[i].why);
			return;
		}
	if (settings_set(l->t, l->base, l->p_section, l->p_key, l->p_value,
	    err, sizeof(err)) == -1)
		loader_error_add(l, l->p_line, "%s:%d: %s%s", l->fname,
		    l->p_line, err, l->continued ? " (an indented line "
		    "continues the value above it)" : "");
	else if (l->visit != NULL && l->visit->took(l->visit->arg,
	    l->p_section, l->p_key, l->p_value, err, sizeof(err)) == -1) {
		settings_quote(l->p_key, 64, qk, sizeof(qk));
		loader_error_add(l, l->p_line, "%s:%d: %s.%s: %s", l->fname,
		    l->p_line, l->p_section, qk, err);
	}
}

/*
 * inih's handler.  It always says the line was fine: errors are kept here
 * with their line, so that what inih returns is its own first syntax error.
 */
static int
loader_ini_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct settings_loader *l = user;
	size_t have, add;

	if (value == NULL)
		value = "";
	if (l->long_value)
		value = l->long_text;
	if (l->pending && l->indented && !l->bracket_since &&
	    strcmp(section, l->p_section) == 0 &&
	    strcmp(name, l->p_key) == 0) {
		/* A long value's next piece: joined as it is. */
		have = strlen(l->p_value);
		add = strlen(value);
		if (have + add >= sizeof(l->p_value))
			l->overflow = true;
		else
			memcpy(l->p_value + have, value, add + 1);
		l->continued = true;
		return 1;
	}
	loader_pending_apply(l);
	l->pending = true;
	l->continued = false;
	l->bracket_since = false;
	l->overflow = false;
	snprintf(l->p_section, sizeof(l->p_section), "%s", section);
	snprintf(l->p_key, sizeof(l->p_key), "%s", name);
	if (strlen(value) >= sizeof(l->p_value))
		l->overflow = true;
	else
		snprintf(l->p_value, sizeof(l->p_value), "%s", value);
	l->p_line = l->lineno;
	l->p_section_line = l->section_line > 0 ? l->section_line : l->lineno;
	return 1;
}

/* Reads the INI text of f, named path in messages. */
static void
loader_stream(struct settings_loader *l, FILE *f, const char *path)
{
	int r;

	l->fname = path;
	l->f = f;
	r = ini_parse_stream(loader_ini_read, l, loader_ini_handler, l);
	loader_pending_apply(l);
	l->f = NULL;
	/* inih tells only the first line it could not make sense of. */
	if (r > 0 && !loader_error_at(l, r))
		loader_error_add(l, r, "%s:%d: syntax error", path, r);
	else if (r < 0)
		loader_error_add(l, 0, "%s: cannot parse (inih error %d)", path,
		    r);
	loader_errors_sort(l);
}

static void
loader_file(struct settings_loader *l, const char *path)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		loader_error_add(l, 0, "%s: cannot open: %s", path,
		    strerror(errno));
		return;
	}
	loader_stream(l, f, path);
	fclose(f);
}

static void
loader_override(struct settings_loader *l, const char *o)
{
	char name[160], err[300], q[112];
	const char *eq = strchr(o, '=');
	char *dot;
	size_t n;

	settings_quote(o, 100, q, sizeof(q));
	n = eq != NULL ? (size_t)(eq - o) : 0;
	if (eq == NULL || n >= sizeof(name)) {
		loader_error_add(l, 0, "-o %s: expected section.key=value", q);
		return;
	}
	memcpy(name, o, n);
	name[n] = '\0';
	dot = strchr(name, '.');
	if (dot == NULL) {
		loader_error_add(l, 0, "-o %s: expected section.key=value", q);
		return;
	}
	*dot = '\0';
	if (settings_set(l->t, l->base, name, dot + 1, eq + 1, err,
	    sizeof(err)) == -1)
		loader_error_add(l, 0, "-o %s: %s", q, err);
}

/* A loader for t over base, reporting to errs (cleared); NULL when out
 * of memory, told in errs.  The loader is large (a value buffer and the
 * error lines). */
static struct settings_loader *
loader_new(const struct settings *t, void *base, const char *name,
    struct settings_errors *errs)
{
	struct settings_loader *l;

	memset(errs, 0, sizeof(*errs));
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		settings_error_add(errs, "%s: out of memory", name);
		return NULL;
	}
	l->t = t;
	l->base = base;
	l->errs = errs;
	return l;
}

int
settings_load(const struct settings *t, void *base, const char *path,
    const char *const *overrides, int n_overrides,
    struct settings_errors *errs)
{
	struct settings_loader *l;

	if ((l = loader_new(t, base, path != NULL ? path : "config",
	    errs)) == NULL)
		return errs->count;
	if (path != NULL)
		loader_file(l, path);
	for (int i = 0; i < n_overrides; i++)
		loader_override(l, overrides[i]);
	free(l);
	return errs->count;
}

int
settings_read(const struct settings *t, void *base, FILE *f,
    const char *name, const struct settings_visit *visit,
    struct settings_errors *errs)
{
	struct settings_loader *l;

	if ((l = loader_new(t, base, name, errs)) == NULL)
		return errs->count;
	l->visit = visit;
	loader_stream(l, f, name);
	free(l);
	return errs->count;
}

void
settings_comment_write(FILE *f, const char *text)
{
	const size_t width = 76 - 2;
	const char *p = text;

	while (*p != '\0') {
		size_t len = strlen(p), cut = len;

		if (len > width) {
			/* Break at the last space that fits, else the first. */
			for (cut = width; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		fprintf(f, "# %.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void
setting_type_write(FILE *f, const struct setting *s)
{
	char list[128];

	switch (s->type) {
	case SETTING_STRING:
		if (s->nonempty)
			fprintf(f, "# text, 1 to %zu characters\n", s->size - 1);
		else
			fprintf(f, "# text, at most %zu characters, may be "
			    "empty\n", s->size - 1);
		break;
	case SETTING_INT:
		fprintf(f, "# integer, %d..%d\n", s->min, s->max);
		break;
	case SETTING_BOOL:
		fprintf(f, "# boolean: true/false (or yes/no, on/off, 1/0)\n");
		break;
	case SETTING_ENUM:
		setting_choices_list(s, list, sizeof(list));
		fprintf(f, "# one of: %s\n", list);
		break;
	case SETTING_CUSTOM:
		s->ops->describe(s, f);
		break;
	case SETTING_TYPE_COUNT:
		break;
	}
}

void
settings_example_write(const struct settings *t, FILE *f)
{
	for (size_t i = 0; i < t->nsections; i++) {
		fprintf(f, "\n");
		settings_comment_write(f, t->sections[i].meaning);
		fprintf(f, "[%s]\n", t->sections[i].name);
		for (size_t j = 0; j < t->nsettings; j++) {
			const struct setting *s = &t->settings[j];

			if (strcmp(s->section, t->sections[i].name) != 0)
				continue;
			fprintf(f, "\n");
			settings_comment_write(f, s->meaning);
			setting_type_write(f, s);
			if (s->def[0] == '\0')
				fprintf(f, "%s =\n", s->key);
			else
				fprintf(f, "%s = %s\n", s->key, s->def);
		}
	}
}
