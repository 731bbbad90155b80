/*
 * XLSX to CSV (agg_xlsx.h): libzip opens the workbook, libxml2 parses
 * its parts.  Every size is bounded before it is trusted (a zip bomb's
 * entries claim little and unpack to much), no DTD is taken (entity
 * expansion), and nothing reaches the network.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "agg_xlsx.h"

struct xlsx {
	zip_t		*zip;
	char		**shared;	/* the shared strings */
	size_t		 nshared;
	char		*out;		/* the CSV text */
	size_t		 len, size;
	char		*err;
	size_t		 errlen;
};

bool
agg_xlsx_is(const void *buf, size_t len)
{
	return len >= 4 && memcmp(buf, "PK\3\4", 4) == 0;
}

static int
xlsx_fail(struct xlsx *x, const char *what)
{
	snprintf(x->err, x->errlen, "not a workbook that can be read: %s",
	    what);
	return -1;
}

/* The part name unpacked, NULL if it is not there; -1 on a bad one. */
static int
xlsx_part(struct xlsx *x, const char *name, xmlDoc **doc)
{
	zip_stat_t st;
	zip_file_t *zf;
	zip_int64_t n;
	char *buf;

	*doc = NULL;
	if (zip_stat(x->zip, name, 0, &st) == -1)
		return 0;
	if (!(st.valid & ZIP_STAT_SIZE) || st.size > AGG_XLSX_MAX_BYTES)
		return xlsx_fail(x, "a part too large");
	if ((buf = malloc(st.size + 1)) == NULL)
		return xlsx_fail(x, "out of memory");
	if ((zf = zip_fopen(x->zip, name, 0)) == NULL) {
		free(buf);
		return xlsx_fail(x, "a part that cannot be opened");
	}
	/* One byte more than it claims: the size is the file's word. */
	n = zip_fread(zf, buf, st.size + 1);
	zip_fclose(zf);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		free(buf);
		return xlsx_fail(x, "a damaged part");
	}
	*doc = xmlReadMemory(buf, (int)n, name, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(buf);
	if (*doc == NULL || (*doc)->intSubset != NULL ||
	    xmlDocGetRootElement(*doc) == NULL) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return xlsx_fail(x, "a part that is not XML");
	}
	return 1;
}

static bool
xlsx_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
xlsx_child(const xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (xlsx_is(n, name))
			return (xmlNode *)n;
	return NULL;
}

/* The text of the <t> elements under n, phonetic runs left out. */
static int
xlsx_text(const xmlNode *n, char **s)
{
	xmlBuffer *b = xmlBufferCreate();
	const xmlNode *k, *t;

	if (b == NULL)
		return -1;
	for (k = n->children; k != NULL; k = k->next) {
		if (xlsx_is(k, "t"))
			xmlNodeBufGetContent(b, k);
		else if (xlsx_is(k, "r") && (t = xlsx_child(k, "t")) != NULL)
			xmlNodeBufGetContent(b, t);
	}
	*s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return *s != NULL ? 0 : -1;
}

static int
xlsx_shared(struct xlsx *x)
{
	xmlDoc *doc;
	xmlNode *n;
	size_t i = 0;
	int rc;

	if ((rc = xlsx_part(x, "xl/sharedStrings.xml", &doc)) != 1)
		return rc;
	n = xmlDocGetRootElement(doc);
	for (n = n->children; n != NULL; n = n->next)
		if (xlsx_is(n, "si"))
			x->nshared++;
	if ((x->shared = calloc(x->nshared + 1, sizeof(char *))) == NULL)
		goto fail;
	for (n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next)
		if (xlsx_is(n, "si") && xlsx_text(n, &x->shared[i++]) == -1)
			goto fail;
	xmlFreeDoc(doc);
	return 0;
fail:
	xmlFreeDoc(doc);
	return xlsx_fail(x, "out of memory");
}

/* The first sheet's part: the workbook names it through its rels. */
static int
xlsx_first_sheet(struct xlsx *x, char *path, size_t size)
{
	xmlDoc *wb = NULL, *rels = NULL;
	xmlNode *n;
	xmlChar *id = NULL, *target = NULL;
	int rc;

	snprintf(path, size, "xl/worksheets/sheet1.xml");
	if ((rc = xlsx_part(x, "xl/workbook.xml", &wb)) != 1 ||
	    (rc = xlsx_part(x, "xl/_rels/workbook.xml.rels", &rels)) != 1) {
		xmlFreeDoc(wb);
		return rc;
	}
	n = xlsx_child(xlsx_child(xmlDocGetRootElement(wb), "sheets"),
	    "sheet");
	if (n != NULL)
		id = xmlGetNsProp(n, (const xmlChar *)"id", (const xmlChar *)
		    "http://schemas.openxmlformats.org/officeDocument/2006/"
		    "relationships");
	for (n = xmlDocGetRootElement(rels)->children; id != NULL &&
	    n != NULL; n = n->next) {
		xmlChar *nid = xlsx_is(n, "Relationship") ?
		    xmlGetProp(n, (const xmlChar *)"Id") : NULL;

		if (nid != NULL && xmlStrEqual(nid, id))
			target = xmlGetProp(n, (const xmlChar *)"Target");
		xmlFree(nid);
		if (target != NULL)
			break;
	}
	if (target != NULL && target[0] == '/')
		snprintf(path, size, "%s", (const char *)target + 1);
	else if (target != NULL)
		snprintf(path, size, "xl/%s", (const char *)target);
	xmlFree(id);
	xmlFree(target);
	xmlFreeDoc(wb);
	xmlFreeDoc(rels);
	return 0;
}

static int
xlsx_put(struct xlsx *x, const char *s, size_t n)
{
	char *p;

	if (x->len + n + 1 > x->size) {
		size_t size = x->size ? x->size : 4096;

		while (size < x->len + n + 1)
			size *= 2;
		if (size > AGG_XLSX_MAX_BYTES ||
		    (p = realloc(x->out, size)) == NULL)
			return xlsx_fail(x, "the sheet is too large");
		x->out = p;
		x->size = size;
	}
	memcpy(x->out + x->len, s, n);
	x->len += n;
	x->out[x->len] = '\0';
	return 0;
}

/* A cell as a CSV field, quoted when it must be. */
static int
xlsx_field(struct xlsx *x, const char *s, long row)
{
	const char *p;

	if (strpbrk(s, "\r\n") != NULL) {
		snprintf(x->err, x->errlen, "sheet row %ld: a cell holds a "
		    "line break", row);
		return -1;
	}
	if (strpbrk(s, ",\"") == NULL)
		return xlsx_put(x, s, strlen(s));
	if (xlsx_put(x, "\"", 1) == -1)
		return -1;
	for (p = s; *p != '\0'; p++)
		if (xlsx_put(x, p, 1) == -1 ||
		    (*p == '"' && xlsx_put(x, "\"", 1) == -1))
			return -1;
	return xlsx_put(x, "\"", 1);
}

/* The column of a reference ("C7": 2), or -1. */
static long
xlsx_col(const char *ref)
{
	long col = 0;

	if (*ref < 'A' || *ref > 'Z')
		return -1;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++)
		if ((col = col * 26 + (*ref - 'A' + 1)) > AGG_XLSX_MAX_COLS)
			return -1;
	return col - 1;
}

/* A cell's value as text (freed by the caller), or NULL. */
static char *
xlsx_value(struct xlsx *x, xmlNode *c)
{
	xmlChar *t = xmlGetProp(c, (const xmlChar *)"t"), *v;
	xmlNode *is;
	char *s = NULL, *end;
	unsigned long i;

	if (t != NULL && xmlStrEqual(t, (const xmlChar *)"inlineStr")) {
		is = xlsx_child(c, "is");
		if (is == NULL || xlsx_text(is, &s) == -1)
			s = strdup("");
	} else {
		v = xlsx_child(c, "v") != NULL ?
		    xmlNodeGetContent(xlsx_child(c, "v")) : NULL;
		if (t != NULL && xmlStrEqual(t, (const xmlChar *)"s")) {
			i = v != NULL ? strtoul((char *)v, &end, 10) : 0;
			if (v != NULL && *end == '\0' && end != (char *)v &&
			    i < x->nshared)
				s = strdup(x->shared[i]);
		} else
			s = strdup(v != NULL ? (const char *)v : "");
		xmlFree(v);
	}
	xmlFree(t);
	return s;
}

/* One <row> as a CSV line, ncols fields at least. */
static int
xlsx_row(struct xlsx *x, xmlNode *row, long r, long *ncols)
{
	char *cell[AGG_XLSX_MAX_COLS] = { 0 };
	xmlNode *c;
	xmlChar *ref;
	long col = -1, last = -1, i;
	int rc = -1;

	for (c = row->children; c != NULL; c = c->next) {
		if (!xlsx_is(c, "c"))
			continue;
		ref = xmlGetProp(c, (const xmlChar *)"r");
		col = ref != NULL ? xlsx_col((const char *)ref) : col + 1;
		xmlFree(ref);
		if (col < 0 || col >= AGG_XLSX_MAX_COLS) {
			snprintf(x->err, x->errlen, "sheet row %ld: a cell "
			    "beyond column %d", r, AGG_XLSX_MAX_COLS);
			goto out;
		}
		free(cell[col]);
		if ((cell[col] = xlsx_value(x, c)) == NULL) {
			snprintf(x->err, x->errlen, "sheet row %ld: a shared "
			    "string that is not there", r);
			goto out;
		}
		if (cell[col][0] != '\0' && col > last)
			last = col;
	}
	if (*ncols == -1)
		*ncols = last + 1;
	if (last >= 0 && last + 1 < *ncols)
		last = *ncols - 1;
	for (i = 0; i <= last; i++)
		if ((i > 0 && xlsx_put(x, ",", 1) == -1) ||
		    xlsx_field(x, cell[i] != NULL ? cell[i] : "", r) == -1)
			goto out;
	rc = xlsx_put(x, "\n", 1);
out:
	for (i = 0; i < AGG_XLSX_MAX_COLS; i++)
		free(cell[i]);
	return rc;
}

static int
xlsx_sheet(struct xlsx *x, const char *path)
{
	xmlDoc *doc;
	xmlNode *n;
	xmlChar *ref;
	long r = 0, next, ncols = -1;
	char *end;
	int rc;

	if ((rc = xlsx_part(x, path, &doc)) != 1)
		return rc == 0 ? xlsx_fail(x, "no worksheet") : -1;
	n = xlsx_child(xmlDocGetRootElement(doc), "sheetData");
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next) {
		if (!xlsx_is(n, "row"))
			continue;
		next = r + 1;
		if ((ref = xmlGetProp(n, (const xmlChar *)"r")) != NULL) {
			next = strtol((const char *)ref, &end, 10);
			if (*end != '\0' || end == (char *)ref)
				next = -1;
		}
		xmlFree(ref);
		if (next <= r || next > AGG_XLSX_MAX_ROWS) {
			xmlFreeDoc(doc);
			snprintf(x->err, x->errlen, "sheet row %ld: rows out "
			    "of order, or beyond row %d", next > 0 ? next : r + 1,
			    AGG_XLSX_MAX_ROWS);
			return -1;
		}
		/* A row left out is a blank line: line N stays row N. */
		for (; r + 1 < next; r++)
			if (xlsx_put(x, "\n", 1) == -1)
				goto fail;
		r = next;
		if (xlsx_row(x, n, r, &ncols) == -1)
			goto fail;
	}
	xmlFreeDoc(doc);
	return 0;
fail:
	xmlFreeDoc(doc);
	return -1;
}

int
agg_xlsx_csv(const void *buf, size_t len, char **csv, size_t *csvlen,
    char *err, size_t errlen)
{
	struct xlsx x = { .err = err, .errlen = errlen };
	zip_source_t *src;
	zip_error_t ze;
	char path[256];
	size_t i;
	int rc = -1;

	*csv = NULL;
	*csvlen = 0;
	zip_error_init(&ze);
	if (len > AGG_XLSX_MAX_BYTES)
		return xlsx_fail(&x, "the file is too large");
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL ||
	    (x.zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		zip_source_free(src);
		zip_error_fini(&ze);
		return xlsx_fail(&x, "a damaged zip");
	}
	zip_error_fini(&ze);
	if (xlsx_shared(&x) != -1 &&
	    xlsx_first_sheet(&x, path, sizeof(path)) != -1 &&
	    xlsx_sheet(&x, path) != -1 && xlsx_put(&x, "", 0) != -1)
		rc = 0;
	zip_discard(x.zip);
	for (i = 0; x.shared != NULL && i < x.nshared; i++)
		free(x.shared[i]);
	free(x.shared);
	if (rc == -1) {
		free(x.out);
		return -1;
	}
	*csv = x.out;
	*csvlen = x.len;
	return 0;
}
