/*
 * The lane's spoken prompts.  Each table is indexed by the gate's own
 * enum with designated initialisers, as screen_msg.c's are, so a reason
 * appended to types.h without a prompt stays NULL here and fails
 * test_sound_msg by its name.
 *
 * Why these words: a prompt is heard, not read, once and over the noise
 * of a site, so each is two to six syllables where it can be: what is
 * wrong ("Thẻ hết hạn") or what to do ("Mời vào", "Gặp bảo vệ").
 * Reasons that are not denials (the exit button, the fire alarm, the
 * cabinet ...) have prompts too: every reason has one in both languages,
 * as the issue asks, even where the gate says nothing today.
 */
#include <stdio.h>

#include "sound_msg.h"

static const char *const reason_prompts[REASON_COUNT][SCREEN_LANG_COUNT] = {
	[REASON_GRANTED] = { "Hợp lệ", "Accepted" },
	[REASON_UNKNOWN] = { "Mã chưa đăng ký", "Code not registered" },
	[REASON_EXPIRED] = { "Thẻ hết hạn", "Badge expired" },
	[REASON_NOT_YET_VALID] = { "Thẻ chưa đến ngày dùng", "Badge not valid yet" },
	[REASON_SUSPENDED] = { "Thẻ bị tạm khóa", "Badge suspended" },
	[REASON_REVOKED] = { "Thẻ đã bị thu hồi", "Badge withdrawn" },
	[REASON_WRONG_DIRECTION] = { "Sai chiều", "Wrong way" },
	[REASON_WRONG_LANE] = { "Sai làn", "Wrong lane" },
	[REASON_MALFORMED] = { "Mã bị lỗi", "Damaged code" },
	[REASON_TOO_LONG] = { "Mã quá dài", "Code too long" },
	[REASON_UNKNOWN_FORMAT] = { "Không phải mã ra vào", "Not a gate code" },
	[REASON_KIND_DISABLED] = { "Cổng không nhận loại mã này",
	    "Code not taken here" },
	[REASON_LANE_LOCKED] = { "Cổng đang khóa", "Gate locked" },
	[REASON_LANE_BUSY] = { "Chờ người trước", "Wait for the person ahead" },
	[REASON_STORE_ERROR] = { "Lỗi hệ thống, gặp bảo vệ",
	    "System fault, see the guard" },
	[REASON_EXIT_BUTTON] = { "Mời ra", "Please go out" },
	[REASON_REMOTE_OPEN] = { "Cổng đã mở", "Gate open" },
	[REASON_FIRE_ALARM_ON] = { "Có cháy, mời ra ngoài", "Fire, please leave" },
	[REASON_FIRE_ALARM_OFF] = { "Hết báo cháy", "Fire alarm over" },
	[REASON_FORCED] = { "Chưa được phép qua", "Not allowed through" },
	[REASON_HELD_OPEN] = { "Xin đóng cổng", "Please close the gate" },
	[REASON_BAD_SIGNATURE] = { "Mã không hợp lệ", "Code not valid" },
	[REASON_SERIAL_REVOKED] = { "Hãy dùng thẻ mới", "Use your new badge" },
	[REASON_REPLAYED] = { "Mã đã được dùng", "Code already used" },
	[REASON_CLOCK_UNSYNCED] = { "Đồng hồ chưa đồng bộ", "Clock not synchronised" },
	[REASON_ANTI_PASSBACK] = { "Đã vào mà chưa ra", "Already inside" },
	[REASON_VISITORS_ONLY] = { "Mã chỉ dành cho khách", "Visitors only" },
	[REASON_SLOWED] = { "Chờ một lát", "Please wait a moment" },
	[REASON_REPEATED_DENIALS] = { "Gặp bảo vệ", "Please see the guard" },
	[REASON_TAMPER_ON] = { "Tủ điều khiển bị mở", "Control box open" },
	[REASON_TAMPER_OFF] = { "Tủ điều khiển đã đóng", "Control box closed" },
	[REASON_PIN_REQUIRED] = { "Mời nhập mã PIN", "Enter your PIN" },
	[REASON_FIRE_LOOP_FAULT] = { "Lỗi mạch báo cháy", "Fire alarm wiring fault" },
	[REASON_FIRE_LOOP_OK] = { "Mạch báo cháy bình thường",
	    "Fire alarm wiring normal" },
	[REASON_TAMPER_LOOP_FAULT] = { "Lỗi mạch chống phá tủ",
	    "Tamper wiring fault" },
	[REASON_TAMPER_LOOP_OK] = { "Mạch chống phá tủ bình thường",
	    "Tamper wiring normal" },
	[REASON_OUTSIDE_SCHEDULE] = { "Ngoài giờ làm việc", "Outside your hours" },
	[REASON_OPEN_SCHEDULE_ON] = { "Cổng mở đổi ca", "Gate open for the shift change" },
	[REASON_OPEN_SCHEDULE_OFF] = { "Hết giờ mở cổng", "Gate open time over" },
};

static const char *const state_prompts[SCREEN_STATE_COUNT][SCREEN_LANG_COUNT] = {
	[SCREEN_IDLE] = { "Mời đưa mã QR", "Show your QR code" },
	[SCREEN_GRANTED] = { "Mời qua", "Please go through" },
	[SCREEN_DENIED] = { "Không được qua", "Not allowed" },
	[SCREEN_FIRE_ALARM] = { "Có cháy, mời ra ngoài", "Fire, please leave" },
	[SCREEN_LOCKED_DOWN] = { "Cổng đang khóa", "Gate locked" },
	[SCREEN_CAMERA_FAULT] = { "Máy quét hỏng, dùng cổng khác",
	    "Scanner out of order, use another gate" },
	[SCREEN_OFFLINE] = { "Mất kết nối máy chủ", "No connection to the server" },
};

static const char *const way_prompts[DIR_COUNT][SCREEN_LANG_COUNT] = {
	[DIR_ENTRY] = { "Mời vào", "Please go in" },
	[DIR_EXIT] = { "Mời ra", "Please go out" },
};

int
sound_prompt_reason(enum reason r)
{
	return (int)r >= 0 && r < REASON_COUNT ? (int)r : -1;
}

int
sound_prompt_state(enum screen_state s)
{
	return (int)s >= 0 && s < SCREEN_STATE_COUNT ? REASON_COUNT + (int)s : -1;
}

int
sound_prompt_way(enum direction d)
{
	return (int)d >= 0 && d < DIR_COUNT ?
	    REASON_COUNT + SCREEN_STATE_COUNT + (int)d : -1;
}

const char *
sound_prompt_text(int id, enum screen_lang lang)
{
	if ((int)lang < 0 || lang >= SCREEN_LANG_COUNT || id < 0)
		return NULL;
	if (id < REASON_COUNT)
		return reason_prompts[id][lang];
	id -= REASON_COUNT;
	if (id < SCREEN_STATE_COUNT)
		return state_prompts[id][lang];
	id -= SCREEN_STATE_COUNT;
	if (id < DIR_COUNT)
		return way_prompts[id][lang];
	return NULL;
}

const char *
sound_prompt_name(int id, char *buf, size_t len)
{
	if (id >= 0 && id < REASON_COUNT)
		snprintf(buf, len, "reason-%s", reason_name((enum reason)id));
	else if (id >= REASON_COUNT && id < REASON_COUNT + SCREEN_STATE_COUNT)
		snprintf(buf, len, "state-%s",
		    screen_state_name((enum screen_state)(id - REASON_COUNT)));
	else if (id >= REASON_COUNT + SCREEN_STATE_COUNT &&
	    id < SOUND_PROMPT_COUNT)
		snprintf(buf, len, "way-%s", direction_name((enum direction)(id -
		    REASON_COUNT - SCREEN_STATE_COUNT)));
	else
		snprintf(buf, len, "?");
	return buf;
}
