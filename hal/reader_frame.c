/*
 * Cutting a reader's bytes into codes (reader_frame.h).
 */
#include <string.h>

#include "reader_frame.h"

void
reader_frame_init(struct reader_frame *f, size_t max, int gap_ms)
{
	memset(f, 0, sizeof(*f));
	f->max = max < READER_FRAME_MAX ? max : READER_FRAME_MAX;
	f->gap_ns = (int64_t)gap_ms * 1000000;
}

/* The open code becomes the one handed out, and a new one may begin. */
static bool
reader_frame_close(struct reader_frame *f)
{
	bool any = f->len > 0 || f->too_long;

	if (any) {
		memcpy(f->out, f->buf, f->len);
		f->out_len = f->len;
		f->out_too_long = f->too_long;
		f->out_ts_ns = f->last_ns;
	}
	f->len = 0;
	f->open = false;
	f->too_long = false;
	return any;
}

bool
reader_frame_add(struct reader_frame *f, uint8_t b, int64_t ts_ns)
{
	if (f->open && f->gap_ns > 0 && ts_ns - f->last_ns >= f->gap_ns &&
	    reader_frame_close(f))
		return true;
	f->open = true;
	f->last_ns = ts_ns;
	/* Past the bound the rest is counted as there, never kept: the
	 * code is refused whole, whatever its end says. */
	if (f->len == f->max)
		f->too_long = true;
	else
		f->buf[f->len++] = b;
	return false;
}

bool
reader_frame_end(struct reader_frame *f)
{
	return reader_frame_close(f);
}

bool
reader_frame_expire(struct reader_frame *f, int64_t now_ns)
{
	if (!f->open || f->gap_ns == 0 || now_ns - f->last_ns < f->gap_ns)
		return false;
	return reader_frame_close(f);
}

int64_t
reader_frame_deadline(const struct reader_frame *f)
{
	return f->open && f->gap_ns > 0 ? f->last_ns + f->gap_ns : 0;
}

void
reader_frame_drop(struct reader_frame *f)
{
	f->len = 0;
	f->open = false;
	f->too_long = false;
}

void
reader_frame_take(const struct reader_frame *f, struct reader_presentation *out)
{
	*out = (struct reader_presentation){
		.kind = READER_CODE,
		.data = f->out,
		.len = f->out_len,
		.too_long = f->out_too_long,
		.ts_ns = f->out_ts_ns,
	};
}
