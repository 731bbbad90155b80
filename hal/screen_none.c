/*
 * The "none" screen: a gate without a panel.  It takes every picture and
 * shows it nowhere, so the daemon has one path whether a panel is wired
 * or not (hostap's driver_none).  The daemon draws nothing for it.
 */
#include <stddef.h>

#include "screen.h"

/* Any non-NULL pointer: none has no state, and NULL means failure. */
static char none_state;

static void *
none_open(const struct screen_config *cfg)
{
	(void)cfg;
	return &none_state;
}

static int
none_show(void *priv, const struct screen_image *img)
{
	(void)priv;
	(void)img;
	return 0;
}

static void
none_close(void *priv)
{
	(void)priv;
}

const struct screen_ops screen_none_ops = {
	.name = "none",
	.open = none_open,
	.show = none_show,
	.close = none_close,
};
