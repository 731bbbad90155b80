/*
 * What a recording holds, for the system tier's sound phase: a WAV file
 * of 16-bit PCM (as arecord writes it from the loopback card), read
 * apart from qrgated's own code.  Prints one line:
 *
 *   RATE Hz, CHANNELS ch, DURATION ms, sound ms, peak P, rms R
 *
 * where "sound ms" counts the 10 ms windows whose RMS is above 1/100 of
 * full scale (-40 dBFS): a prompt's length, whatever silence the
 * recording has around it.  Exits 1 on a file that is not such a WAV.
 * A test tool, not part of the gate.
 *
 *   wavstat FILE.wav
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int
main(int argc, char **argv)
{
	uint8_t hdr[12], ck[8], fmt[16];
	unsigned rate = 0, ch = 0, bits = 0;
	long frames = 0, window, in_win = 0, loud_windows = 0;
	double sum = 0, win_sum = 0;
	int peak = 0;
	int16_t s;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: wavstat FILE.wav\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) != 0 ||
	    memcmp(hdr + 8, "WAVE", 4) != 0)
		goto bad;
	/* The chunks up to "data"; arecord may give a data size of 0 or
	 * too large when stopped, so the data is read to the end. */
	for (;;) {
		if (fread(ck, 1, 8, f) != 8)
			goto bad;
		if (memcmp(ck, "fmt ", 4) == 0) {
			if (le32(ck + 4) < 16 || fread(fmt, 1, 16, f) != 16 ||
			    fseek(f, le32(ck + 4) - 16, SEEK_CUR) != 0)
				goto bad;
			ch = le16(fmt + 2);
			rate = le32(fmt + 4);
			bits = le16(fmt + 14);
		} else if (memcmp(ck, "data", 4) == 0) {
			break;
		} else if (fseek(f, le32(ck + 4), SEEK_CUR) != 0) {
			goto bad;
		}
	}
	if (le16(fmt) != 1 || bits != 16 || ch < 1 || rate < 1000)
		goto bad;
	window = (long)rate / 100;
	/* Each frame's first channel. */
	while (fread(&s, 2, 1, f) == 1) {
		for (unsigned c = 1; c < ch; c++) {
			int16_t skip;

			if (fread(&skip, 2, 1, f) != 1)
				break;
		}
		frames++;
		sum += (double)s * s;
		win_sum += (double)s * s;
		peak = abs(s) > peak ? abs(s) : peak;
		if (++in_win == window) {
			if (sqrt(win_sum / window) > 327.68)
				loud_windows++;
			in_win = 0;
			win_sum = 0;
		}
	}
	fclose(f);
	printf("%u Hz, %u ch, %ld ms, sound %ld ms, peak %d, rms %.0f\n",
	    rate, ch, frames * 1000 / rate, loud_windows * 10, peak,
	    frames > 0 ? sqrt(sum / frames) : 0.0);
	return 0;
bad:
	fprintf(stderr, "%s: not a 16-bit PCM WAV file\n", argv[1]);
	fclose(f);
	return 1;
}
