/* CSV cells (agg_csv.h). */
#include <stdbool.h>
#include <string.h>

#include "agg_csv.h"

void
agg_csv_cell(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', f);
	if (strchr("=+-@", s[0]) != NULL && s[0] != '\0' &&
	    !(s[0] == '-' && s[1] >= '0' && s[1] <= '9'))
		fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}
