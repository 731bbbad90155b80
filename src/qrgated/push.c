/*
 * Config pushes merged over the file's config, key by key, through the
 * same table of settings as the file (config_set()), then checked as a
 * whole as config_load() checks a file.
 */
#include "push.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confpush.h"
#include "gpio.h"
#include "util.h"

json_t *
inbound_json_string(const char *s)
{
	json_t *j;
	char *copy;

	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void
inbound_error_add(json_t *errors, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(errors, inbound_json_string(msg));
}

/*
 * Copies at most max bytes of text that came from outside into out, for a
 * message: control bytes become '?', so a key cannot put escapes in a log.
 */
static void
push_quote(const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0' && i < max && n + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[n] = '\0';
	if (strlen(s) > max && n + 4 <= outlen)
		strcat(out, "...");
}

/*
 * The text form of a JSON value, as it would be written in the file, into
 * buf (or, for a string, the string itself).  NULL for a type that has
 * none: null, an array or an object.
 */
static const char *
push_value_text(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return buf;
	case JSON_REAL:
		/* 5000.0 reads as the integer 5000; 2.5 is refused by an
		 * integer setting as it would be in the file. */
		snprintf(buf, len, "%.17g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

static const char *
push_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_NULL:
		return "null";
	default:
		return "this value";
	}
}

int
push_settings_apply(struct config *c, const json_t *settings, json_t *errors)
{
	const char *name, *text, *why;
	json_t *v;
	char section[64], q[80], num[48], err[320];
	const char *dot;
	size_t n;
	int problems = 0;

	json_object_foreach((json_t *)settings, name, v) {
		push_quote(name, 64, q, sizeof(q));
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : 0;
		if (dot == NULL || n == 0 || n >= sizeof(section) ||
		    dot[1] == '\0') {
			inbound_error_add(errors, "%s: a setting is named "
			    "section.key", q);
			problems++;
			continue;
		}
		memcpy(section, name, n);
		section[n] = '\0';
		if ((text = push_value_text(v, num, sizeof(num))) == NULL) {
			inbound_error_add(errors, "%s: %s is not a setting's "
			    "value (a string, number or boolean)", q,
			    push_type_name(v));
			problems++;
			continue;
		}
		if (config_set(c, section, dot + 1, text, err,
		    sizeof(err)) == -1) {
			inbound_error_add(errors, "%s", err);
			problems++;
			continue;
		}
		if ((why = confpush_refused(section, dot + 1)) != NULL) {
			inbound_error_add(errors, "%s %s: set it in the config "
			    "file, not in a push", q, why);
			problems++;
		}
	}
	return problems;
}

/* The checks between settings, as config_load() makes them on a file. */
int
push_config_check(const struct config *c, json_t *errors)
{
	struct config_errors errs;
	int n = config_check(c, "push", &errs);

	for (int i = 0; i < n && i < CONFIG_MAX_ERRORS; i++)
		inbound_error_add(errors, "%s", errs.msg[i]);
	return n;
}

int
push_merge(const struct config *base, const json_t *site, const json_t *gate,
    struct config *out, json_t *errors)
{
	int problems = 0;

	*out = *base;
	if (site != NULL)
		problems += push_settings_apply(out, site, errors);
	if (gate != NULL)
		problems += push_settings_apply(out, gate, errors);
	/* As in config_load(): checks between settings only on a config
	 * whose every value was taken. */
	if (problems == 0)
		problems = push_config_check(out, errors);
	return problems;
}
