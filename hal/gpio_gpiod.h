/*
 * Private to the libgpiod backend: what gpio_gpiod.c, the part both
 * libgpiod APIs share, and gpio_gpiod_v1.c or gpio_gpiod_v2.c, the library
 * calls of one API, know of each other.  The Makefile builds exactly one of
 * the two, the one QRGATE_GPIOD_API names.
 */
#ifndef QRGATE_HAL_GPIO_GPIOD_H
#define QRGATE_HAL_GPIO_GPIOD_H

#include <stdbool.h>
#include <stdint.h>

#ifndef QRGATE_GPIOD_API
#error "QRGATE_GPIOD_API must be 1 or 2: the major version of libgpiod"
#elif QRGATE_GPIOD_API >= 2
#define GPIO_GPIOD_V2	1
#else
#define GPIO_GPIOD_V2	0
#endif

#include <gpiod.h>

#include "gpio.h"

struct gpio_gpiod_pump;

#define GPIO_GPIOD_CONSUMER	"qrgated"
#define GPIO_GPIOD_PATH_MAX	96


struct gpio_gpiod_chip {
	char path[GPIO_GPIOD_PATH_MAX];
	struct gpiod_chip *chip;
#if GPIO_GPIOD_V2
	struct gpiod_line_request *out_req;
	struct gpiod_line_request *in_req;
#endif
};

struct gpio_gpiod_line {
	bool used;
	int chip;		/* index into gpio_gpiod.chips */
	unsigned int offset;
	bool active_low;
	enum gpio_bias bias;
	int debounce_us;
	bool active_edge;	/* its active edges only (gpio_role_pulse_input) */
	int value;		/* outputs: as driven; inputs: as reported */
#if !GPIO_GPIOD_V2
	struct gpiod_line *line;
	bool requested;
	int64_t edge_ns;	/* when the value last reported began */
	int64_t recheck_ns;	/* 0, or when to sample the settled level */
#endif
};

struct gpio_gpiod {
	struct gpio_gpiod_chip chips[GPIO_ROLE_COUNT];
	int nchips;
	struct gpio_gpiod_line lines[GPIO_ROLE_COUNT];
	int epfd;		/* -1 when no input is used */
#if !GPIO_GPIOD_V2
	int tfd;		/* software debounce timer, or -1 */
	struct gpio_gpiod_pump *pump;	/* the pulse inputs' reader, or NULL */
#else
	struct gpiod_edge_event_buffer *evbuf;
#endif
};

/* In gpio_gpiod.c, for either API. */
int64_t		gpio_gpiod_now_ns(void);
int64_t		gpio_gpiod_event_ts(int64_t);
const char	*gpio_gpiod_chip_path_of(struct gpio_gpiod *, enum gpio_role);
int		gpio_gpiod_epoll_add(struct gpio_gpiod *, int, uint32_t,
		    const char *);
int		gpio_gpiod_edge(struct gpio_gpiod *, enum gpio_role, int,
		    int64_t, struct gpio_event *);

/*
 * In gpio_gpiod_v1.c or gpio_gpiod_v2.c.  Those returning int return -1
 * on failure: lines_request(), sources_add() and source_read() log it, the
 * others leave that to their caller.  source_read() returns 1 with *ev
 * filled, 0 when there is nothing to report.
 */
const char	*gpio_gpiod_lib_version(void);
bool		gpio_gpiod_chip_label_is(struct gpiod_chip *, const char *);
int		gpio_gpiod_chip_num_lines(struct gpiod_chip *);
int		gpio_gpiod_offset_from_name(struct gpiod_chip *, const char *);
int		gpio_gpiod_lines_request(struct gpio_gpiod *);
int		gpio_gpiod_sources_add(struct gpio_gpiod *);
int		gpio_gpiod_line_set(struct gpio_gpiod *, enum gpio_role, int);
int		gpio_gpiod_line_get(struct gpio_gpiod *, enum gpio_role);
int		gpio_gpiod_source_read(struct gpio_gpiod *, uint32_t,
		    struct gpio_event *);
void		gpio_gpiod_lines_release(struct gpio_gpiod *);

#endif /* QRGATE_HAL_GPIO_GPIOD_H */
