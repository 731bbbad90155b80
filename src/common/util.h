/*
 * util.h: the two macros every part of the tree shares (libubox list.h,
 * OpenBSD sys/param.h).
 *
 * container_of: the struct that embeds a loop_fd or loop_timer, from the
 * pointer the loop hands back; the loop allocates nothing, so a callback
 * finds its owner this way and never through a cast written by hand.
 * nitems: the number of elements of an array (not of a pointer).
 */
#ifndef QRGATE_UTIL_H
#define QRGATE_UTIL_H

#include <stddef.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif
