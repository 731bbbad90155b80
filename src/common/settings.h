/*
 * The settings engine shared by the gate and the aggregator.  A program
 * keeps one table of settings over its own config struct, one line per
 * setting (hostap's idea): section, key, type, where the field is
 * (offsetof), range or choices, default and meaning.  From that table the
 * engine fills the defaults, sets one value from its text, loads an INI
 * file with `-o section.key=value` overrides, reporting each problem as
 * "FILE:LINE: section.key: message", and writes the annotated example
 * config.  Spellings (booleans, integers, choices), error texts and the
 * quoting of values in them are the same for every program.
 */
#ifndef QRGATE_SETTINGS_H
#define QRGATE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum setting_type {
	SETTING_STRING,		/* char[size] */
	SETTING_INT,		/* int in min..max */
	SETTING_BOOL,		/* bool */
	SETTING_ENUM,		/* int, or char[size] keeping the name */
	SETTING_CUSTOM,		/* the program's own type: ops */
	SETTING_TYPE_COUNT
};

struct setting_choice {
	const char *name;
	int value;
};

struct setting;

/* A type of the program's own (a GPIO line spec, a list of sites). */
struct setting_ops {
	/*
	 * Sets the setting in the config at base from v.  Returns 0, or -1
	 * with a message in msg, without the setting's name.
	 */
	int (*set)(const struct setting *s, void *base, const char *v,
	    char *msg, size_t msglen);
	/* Writes the "# ..." lines that say the type in the example. */
	void (*describe)(const struct setting *s, FILE *f);
};

struct setting {
	const char *section;
	const char *key;
	enum setting_type type;
	size_t offset;		/* of the field in the program's config */
	size_t size;		/* string, or an enum kept as its name: the
				 * field's size; 0 for an enum kept as an int */
	bool nonempty;		/* string: "" is refused */
	/* string: refuses what the type alone allows, with a message in msg
	 * as ops->set gives one, or NULL */
	int (*check)(const char *v, char *msg, size_t msglen);
	int min, max;		/* int */
	const struct setting_choice *choices;	/* enum; NULL name ends it */
	const struct setting_ops *ops;	/* custom */
	int arg;		/* custom: the ops' own (a GPIO role) */
	const char *def;	/* the default, as it is written in a file */
	const char *meaning;
};

struct setting_section {
	const char *name;
	const char *meaning;
};

/*
 * A setting a release no longer reads.  A file that still sets it (an
 * admin's edited conffile kept across a package upgrade) loads with a
 * warning naming the line and why, rather than failing: a daemon must
 * not stop at the upgrade that retired one of its keys.
 */
struct setting_retired {
	const char *section;
	const char *key;
	const char *why;	/* what replaces it */
};

/* One program's settings: its sections, in the example's order, and its
 * table of settings; the keys it no longer reads, if any. */
struct settings {
	const struct setting_section *sections;
	size_t nsections;
	const struct setting *settings;
	size_t nsettings;
	const struct setting_retired *retired;
	size_t nretired;
};

#define SETTINGS_MAX_ERRORS 32

/* Every problem found in one load, each "FILE:LINE: message". */
struct settings_errors {
	int count;			/* may exceed SETTINGS_MAX_ERRORS */
	char msg[SETTINGS_MAX_ERRORS][320];
};

/*
 * Copies text into out for an error message: at most max bytes, control
 * bytes shown as '?', "..." when cut.
 */
void settings_quote(const char *s, size_t max, char *out, size_t outlen);

/*
 * Sets one setting of the config at base from its text form.  Returns 0,
 * or -1 with "unknown section [s]", "unknown key s.k" or "s.k: message"
 * in err.
 */
int settings_set(const struct settings *t, void *base, const char *section,
    const char *key, const char *value, char *err, size_t errlen);

/* Fills the config at base (zeroed first) with every default; a default
 * the table cannot read is a bug there, and fatal. */
void settings_defaults(const struct settings *t, void *base, size_t size);

/*
 * Reads path (NULL: none) over the config at base, then each override
 * "section.key=value" in order.  Every problem goes to errs (cleared
 * first), in line order.  Returns their number: 0 when all was read.
 */
int settings_load(const struct settings *t, void *base, const char *path,
    const char *const *overrides, int n_overrides,
    struct settings_errors *errs);

/*
 * What settings_read() tells of each setting it took, after the table
 * took its value: took() returns 0, or -1 with a message in msg (without
 * the setting's name) to report it as a problem of its line.
 */
struct settings_visit {
	int (*took)(void *arg, const char *section, const char *key,
	    const char *value, char *msg, size_t msglen);
	void *arg;
};

/*
 * As settings_load() for the INI text of f, named name in messages (an
 * upload has no path), without overrides; visit (or NULL) sees each
 * setting taken.  Returns the number of problems.
 */
int settings_read(const struct settings *t, void *base, FILE *f,
    const char *name, const struct settings_visit *visit,
    struct settings_errors *errs);

/* Adds one message to errs, for a program's checks between settings. */
void settings_error_add(struct settings_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes errs to f, one a line, and how many did not fit. */
void settings_errors_print(const struct settings_errors *errs, FILE *f);

/* Writes text as "# " comment lines of at most 76 columns. */
void settings_comment_write(FILE *f, const char *text);

/* Writes every section and setting, each at its default with its meaning
 * and type, as an INI file: the body of the annotated example. */
void settings_example_write(const struct settings *t, FILE *f);

#endif
