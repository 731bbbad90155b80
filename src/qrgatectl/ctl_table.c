/*
 * Output helpers for qrgatectl's listings: the aligned text table both
 * `cred list` and `events` print, JSON text and CSV fields.
 */
#include "ctl_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ctl_table_init(struct ctl_table *t, int ncols, const char *const *heads,
    const bool *right, char ctrl)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = right;
	t->ctrl = ctrl;
	for (int i = 0; i < ncols; i++)
		t->width[i] = ctl_table_cell(heads[i]);
}

int
ctl_table_cell(const char *s)
{
	int width = 0;

	/* Only a UTF-8 continuation byte adds no character. */
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			width++;
	return width;
}

void
ctl_table_measure(struct ctl_table *t, const char *const *cells)
{
	for (int i = 0; i < t->ncols; i++) {
		int w = ctl_table_cell(cells[i]);

		if (w > t->width[i])
			t->width[i] = w;
	}
}

/*
 * Text from the database may hold control characters (a QR code may
 * carry escape sequences, a name a line break), which would move the
 * terminal's cursor or break the row.
 */
static void
ctl_table_put(const char *s, char ctrl)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		putchar(ch < 0x20 || ch == 0x7f ? ctrl : (char)ch);
	}
}

void
ctl_table_row(const struct ctl_table *t, const char *const *cells)
{
	for (int i = 0; i < t->ncols; i++) {
		int pad = t->width[i] - ctl_table_cell(cells[i]);
		bool last = i == t->ncols - 1;

		if (t->right != NULL && t->right[i]) {
			printf("%*s", pad, "");
			ctl_table_put(cells[i], t->ctrl);
		} else {
			ctl_table_put(cells[i], t->ctrl);
			if (!last)
				printf("%*s", pad, "");
		}
		fputs(last ? "\n" : "  ", stdout);
	}
}

json_t *
ctl_json_text(const char *s)
{
	json_t *j;
	char *clean;

	/* Imports check UTF-8; this covers a database edited by hand. */
	if ((j = json_string(s)) != NULL)
		return j;
	if ((clean = strdup(s)) == NULL)
		return NULL;
	for (char *p = clean; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(clean);
	free(clean);
	return j;
}

void
ctl_csv_field(const char *s, bool last)
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
