/*
 * The lane's prompts spoken: every prompt of both languages synthesised
 * by espeak-ng into 16-bit mono clips at 22050 Hz, each as long as a
 * short prompt takes and not silent; volume scales the samples; the file
 * backend writes each clip as a WAV, numbered in the order played, that
 * reads back as it was given; the ALSA backend refuses a PCM that does
 * not exist.  Prints the time a prompt takes to synthesise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "sound.h"
#include "sound_msg.h"
#include "sound_synth.h"

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
peak(const struct sound_pcm *p)
{
	int m = 0;

	for (size_t i = 0; i < p->frames; i++) {
		int v = p->samples[i] < 0 ? -p->samples[i] : p->samples[i];

		if (v > m)
			m = v;
	}
	return m;
}

/* Every prompt, both languages: a clip of 0.2 to 4 s, not silent. */
static void
test_every_prompt_spoken(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++) {
		int64_t t0, t1;

		assert_int_equal(sound_synth_open(screen_lang_name(l)), 0);
		t0 = now_ns();
		for (int id = 0; id < SOUND_PROMPT_COUNT; id++) {
			struct sound_pcm p;
			char name[64];
			double ms;

			assert_int_equal(sound_synth_say(sound_prompt_text(id,
			    (enum screen_lang)l), 100, &p), 0);
			ms = p.frames * 1000.0 / p.rate;
			if (p.rate != 22050 || ms < 200 || ms > 4000 ||
			    peak(&p) < 1000)
				fail_msg("%s in %s: %d Hz, %.0f ms, peak %d",
				    sound_prompt_name(id, name, sizeof(name)),
				    screen_lang_name(l), p.rate, ms, peak(&p));
			free(p.samples);
		}
		t1 = now_ns();
		sound_synth_close();
		printf("test_sound_synth: %d prompts in %s in %.1f ms, "
		    "%.2f ms a prompt\n", SOUND_PROMPT_COUNT,
		    screen_lang_name(l), (t1 - t0) / 1e6,
		    (t1 - t0) / 1e6 / SOUND_PROMPT_COUNT);
	}
}

/* The volume scales each sample, toward zero; 0 is silence. */
static void
test_volume_scales(void **state)
{
	int16_t v[5] = { 32767, -32768, 1001, -3, 0 };
	struct sound_pcm p = { v, 5, 22050 }, none;

	(void)state;
	sound_synth_scale(&p, 100);
	assert_int_equal(v[0], 32767);
	sound_synth_scale(&p, 50);
	assert_int_equal(v[0], 16383);
	assert_int_equal(v[1], -16384);
	assert_int_equal(v[2], 500);
	assert_int_equal(v[3], -1);
	assert_int_equal(v[4], 0);
	assert_int_equal(sound_synth_open("vi"), 0);
	assert_int_equal(sound_synth_say("Mời vào", 0, &none), 0);
	sound_synth_close();
	assert_true(none.frames > 0);
	assert_int_equal(peak(&none), 0);
	free(none.samples);
}

static void
test_unknown_voice(void **state)
{
	(void)state;
	assert_int_equal(sound_synth_open("no-such-voice"), -1);
}

static uint32_t
le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static char tmpdir[64];

/* Two clips: two WAVs, numbered in order, that read back as given. */
static void
test_file_backend(void **state)
{
	const struct sound_ops *ops = sound_find("file");
	int16_t a[1000], b[500];
	struct sound_clip ca = { a, 1000, 22050, "way-entry" };
	struct sound_clip cb = { b, 500, 22050, "reason-expired" };
	struct sound_config cfg = { tmpdir };
	uint8_t buf[44 + 2000];
	char path[256];
	void *priv;
	FILE *f;

	(void)state;
	for (int i = 0; i < 1000; i++)
		a[i] = (int16_t)(i * 31 - 15000);
	for (int i = 0; i < 500; i++)
		b[i] = (int16_t)-i;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_sound_synth.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	assert_non_null(ops);
	assert_non_null(priv = ops->open(&cfg));
	assert_int_equal(ops->play(priv, &ca, NULL, NULL), 0);
	assert_int_equal(ops->play(priv, &cb, NULL, NULL), 0);
	ops->close(priv);

	snprintf(path, sizeof(path), "%s/000001-way-entry.wav", tmpdir);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 44 + 2000);
	fclose(f);
	assert_memory_equal(buf, "RIFF", 4);
	assert_int_equal(le32(buf + 4), 36 + 2000);
	assert_memory_equal(buf + 8, "WAVEfmt ", 8);
	assert_int_equal(buf[20] | buf[21] << 8, 1);	/* PCM */
	assert_int_equal(buf[22] | buf[23] << 8, 1);	/* mono */
	assert_int_equal(le32(buf + 24), 22050);
	assert_int_equal(le32(buf + 28), 44100);
	assert_int_equal(buf[34] | buf[35] << 8, 16);
	assert_memory_equal(buf + 36, "data", 4);
	assert_int_equal(le32(buf + 40), 2000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal((int16_t)(buf[44 + 2 * i] |
		    buf[45 + 2 * i] << 8), a[i]);
	snprintf(path, sizeof(path), "%s/000002-reason-expired.wav", tmpdir);
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/000001-way-entry.wav", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

static void
test_file_backend_refuses(void **state)
{
	const struct sound_ops *ops = sound_find("file");
	struct sound_config none = { "" }, missing = { "/nonexistent/dir" };

	(void)state;
	assert_null(ops->open(&none));
	assert_null(ops->open(&missing));
}

static void
test_alsa_refuses(void **state)
{
	const struct sound_ops *ops = sound_find("alsa");
	struct sound_config cfg = { "no-such-pcm-qrgate" };

	(void)state;
	assert_non_null(ops);
	assert_null(ops->open(&cfg));
	assert_non_null(sound_find("none"));
	assert_null(sound_find("pulse"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_prompt_spoken),
		cmocka_unit_test(test_volume_scales),
		cmocka_unit_test(test_unknown_voice),
		cmocka_unit_test(test_file_backend),
		cmocka_unit_test(test_file_backend_refuses),
		cmocka_unit_test(test_alsa_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
