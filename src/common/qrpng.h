/*
 * A text as a QR code, for people: a PNG file to print or send, or half
 * block characters on a terminal to scan from the screen.  The code is in
 * alphanumeric mode when every character allows it (a token's text
 * always does), else in 8-bit mode with the bytes as given, at error
 * correction level M.
 */
#ifndef QRGATE_QRPNG_H
#define QRGATE_QRPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Modules of light margin around the code, as the QR standard asks. */
#define QRPNG_QUIET	4
#define QRPNG_SCALE_MAX	64

/*
 * Writes text's code to path as an 8-bit grey PNG, scale (1 to
 * QRPNG_SCALE_MAX) pixels a module, with the quiet zone.  Returns 0, or
 * -1 with a message in err (the file is then removed).
 */
int qrpng_write(const char *path, const char *text, int scale, char *err,
    size_t errlen);

/*
 * As qrpng_write(), into a malloc'd buffer (*png, *len): the PNG a web
 * page shows.  Returns 0, or -1 with a message in err.
 */
int qrpng_write_mem(const char *text, int scale, char **png, size_t *len,
    char *err, size_t errlen);

/*
 * Draws text's code on f for a terminal: two module rows a line with
 * Unicode half blocks, black on white set with ANSI colours (so a dark
 * terminal does not invert it), with the quiet zone.  Returns 0, or -1
 * with a message in err.
 */
int qrpng_draw(FILE *f, const char *text, char *err, size_t errlen);

/*
 * The code's modules for a drawing of one's own (badge cards): *width
 * rows of *width bytes, 1 dark, without the quiet zone (QRPNG_QUIET
 * modules, which the drawing leaves light).  malloc'd; NULL with a
 * message in err.
 */
uint8_t *qrpng_modules(const char *text, int *width, char *err,
    size_t errlen);

#endif
