/*
 * The text form of one GPIO line, as the config file and `-o` write it (an
 * MQTT config push may not change a gate's lines: push.c):
 *
 *	""				the role is not wired
 *	[CHIP:]LINE [FLAG...]
 *
 * LINE is a decimal offset on the chip (0..65535) or a line name
 * ([A-Za-z_][A-Za-z0-9_.-]*); CHIP is a chip name or path without ':'
 * (none: gpio.chip).  Flags, separated by blanks, in any order:
 * active-low; and for inputs only pull-up, pull-down, bias-disable (at
 * most one of the three) and debounce=US (microseconds, 0..1000000).
 */
#ifndef QRGATE_GPIO_LINESPEC_H
#define QRGATE_GPIO_LINESPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "gpio.h"

#define GPIO_LINESPEC_MAX_OFFSET	65535
#define GPIO_LINESPEC_MAX_DEBOUNCE	1000000

/*
 * Parses spec into *out; input tells whether the line is an input, the only
 * kind that may carry a bias or a debounce.  Returns 0, or -1 with *out
 * untouched and a message (without the setting's name) in err.
 */
int gpio_linespec_parse(const char *spec, bool input,
    struct gpio_line_config *out, char *err, size_t errlen);

/*
 * Writes the text form of lc to buf, flags in a fixed order, so that
 * parsing it gives lc back ("" when the role is not wired).  Returns 0, or
 * -1 when buf is too small (buf then holds a truncated string).
 */
int gpio_linespec_format(const struct gpio_line_config *lc, char *buf,
    size_t len);

#endif
