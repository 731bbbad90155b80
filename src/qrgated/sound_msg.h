/*
 * Every prompt the lane speaks (issue 19), in one table with both
 * languages, keyed by the same enums as the screen's words (screen_msg.h):
 * a reason, a way, a lane state.  A prompt is shorter than the screen's
 * words: it is heard once, in a queue, over site noise, so it says the
 * one thing to do or the one thing wrong ("Thẻ hết hạn", "Sai làn").
 *
 * A sibling table rather than a column of screen_msg.c's: the screen's
 * tables hold plain strings per language, and a prompt beside each
 * would change their type and every line of them.  Totality is kept the
 * same way: designated initialisers, a value without a prompt stays
 * NULL, and test_sound_msg walks every enum.
 *
 * Prompts are numbered (enum-free ids below) so that the synthesised
 * clips sit in one array: reasons first, then lane states, then ways.
 */
#ifndef QRGATE_SOUND_MSG_H
#define QRGATE_SOUND_MSG_H

#include <stddef.h>

#include "screen_msg.h"
#include "types.h"

#define SOUND_PROMPT_COUNT (REASON_COUNT + SCREEN_STATE_COUNT + DIR_COUNT)

/* A prompt's id, 0 .. SOUND_PROMPT_COUNT - 1; -1 out of range. */
int sound_prompt_reason(enum reason r);
int sound_prompt_state(enum screen_state s);
int sound_prompt_way(enum direction d);

/* What prompt id says in lang, or NULL out of range (or without words:
 * the totality test looks for that). */
const char *sound_prompt_text(int id, enum screen_lang lang);

/*
 * A prompt's name, ASCII, for logs and the file backend's WAVs:
 * "reason-expired", "state-fire-alarm", "way-entry"; "?" out of range.
 */
const char *sound_prompt_name(int id, char *buf, size_t len);

#endif
