/*
 * Is the camera still watching?  A lost camera says so itself
 * (CAMERA_ERROR); a frozen one does not.  It either stops delivering
 * frames (a stall: a driver or pipeline stuck, a USB camera hung without
 * going away) or keeps delivering the same picture (a buffer re-sent, an
 * ISP stuck).  Both leave a gate that looks alive but reads nothing, or
 * worse, reads an old picture.  The checks are pure: the caller passes the
 * frames it takes and the time, so they test without a camera or a clock.
 */
#ifndef QRGATE_CAMERA_HEALTH_H
#define QRGATE_CAMERA_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "camera.h"

enum camera_fault {
	CAMERA_OK,
	CAMERA_FROZEN,		/* the same picture, frame after frame */
	CAMERA_STALLED,		/* no frame at all */
};

/* Defaults; see camera_health.c for why these numbers. */
#define CAMERA_HEALTH_STALL_MS		3000
#define CAMERA_HEALTH_SAME_FRAMES	30

/* Rows sampled for the fingerprint: every this many. */
#define CAMERA_HEALTH_ROW_STEP		16

/* A sample whose pixels span no more than this many levels is flat. */
#define CAMERA_HEALTH_FLAT		4

#define CAMERA_HEALTH_PRINT_BYTES	16

/* Embedded by the caller; all private. */
struct camera_health {
	int64_t stall_ns;	/* 0: no stall check */
	int same_frames;	/* 0: no identical-frame check */

	bool clock_started;
	int64_t clock_ns;	/* last frame seen at a tick, start or stall */
	int64_t tick_ns;	/* the last tick */
	bool fresh;		/* a frame came since the last tick */
	bool stalled;

	bool have_print;
	uint8_t print[CAMERA_HEALTH_PRINT_BYTES];
	int same;		/* frames in a row with this print, up to
				 * same_frames; 0 for a flat picture */
	bool frozen;
};

/*
 * Starts with no fault.  stall_ms <= 0 turns the stall check off;
 * same_frames <= 0 turns the identical-frame check off (for the file
 * camera, which replays a picture: camera_ops.live false), and 1 counts as
 * 2, the fewest frames that can be identical.
 */
void camera_health_init(struct camera_health *h, int stall_ms,
    int same_frames);

/* How often to call camera_health_tick(): a quarter of stall_ms; 0 if off. */
int camera_health_period_ms(const struct camera_health *h);

/*
 * The camera was (re)opened at now_ns (CLOCK_MONOTONIC): the stall clock
 * starts again.  A fault stays until a frame clears it, so that lanes
 * locked by a stall stay locked until the reopened camera delivers.
 */
void camera_health_start(struct camera_health *h, int64_t now_ns);

/*
 * Takes note of a frame the caller took.  Returns CAMERA_FROZEN on the
 * frame that makes same_frames identical (non-flat) frames in a row, and
 * CAMERA_OK otherwise, including for the frames after it: the return
 * reports a new fault, camera_health_faulty() one that persists.  Any
 * frame clears a stall; a frame that differs from the last clears a
 * freeze.
 */
enum camera_fault camera_health_frame(struct camera_health *h,
    const struct frame *f);

/*
 * The stall check, from a timer that fires more often than every
 * stall_ms / 2: every camera_health_period_ms().  Returns CAMERA_STALLED
 * when stall_ms have passed without a frame since the last frame, start
 * or CAMERA_STALLED, so while the camera stays silent it says so once per
 * stall_ms: a caller that reopens the camera on it retries at that pace.
 * Frames are timed by the ticks that see them, on the caller's clock,
 * whatever clock the backend stamps them with; a stall is therefore found
 * between stall_ms and stall_ms plus one tick after the last frame.  A
 * tick more than stall_ms / 2 after the previous one means the caller's
 * loop was held up, which says nothing about the camera: the clock starts
 * again.  Returns CAMERA_OK otherwise.
 */
enum camera_fault camera_health_tick(struct camera_health *h, int64_t now_ns);

/* The fault in force: CAMERA_STALLED before CAMERA_FROZEN. */
enum camera_fault camera_health_fault(const struct camera_health *h);

bool camera_health_faulty(const struct camera_health *h);

#endif
