/*
 * The screen's words.  Each table is indexed by the gate's own enum with
 * designated initialisers: a value without words stays NULL, which
 * test_screen_msg finds by walking the enum, so nothing here can fall
 * behind types.h unnoticed.
 *
 * Why these words: a worker reads them in a second, in a queue, often
 * without glasses.  A denial says what is wrong with the code or the
 * lane in words a worker can act on (go to the right lane, ask for a new
 * badge, wait), never the log's name for it.  Reasons that are not
 * denials (the exit button, the fire alarm, tamper ...) have words too:
 * they are events the lane may show, and every reason has words in both
 * languages, as the issue asks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "screen_msg.h"

static const char *const lang_names[SCREEN_LANG_COUNT] = { "vi", "en" };

static const char *const state_names[SCREEN_STATE_COUNT] = {
	[SCREEN_IDLE] = "idle",
	[SCREEN_GRANTED] = "granted",
	[SCREEN_DENIED] = "denied",
	[SCREEN_FIRE_ALARM] = "fire-alarm",
	[SCREEN_LOCKED_DOWN] = "locked-down",
	[SCREEN_CAMERA_FAULT] = "camera-fault",
	[SCREEN_OFFLINE] = "offline",
};

static const struct screen_words state_words[SCREEN_STATE_COUNT][SCREEN_LANG_COUNT] = {
	[SCREEN_IDLE] = {
		{ "Đưa mã QR vào khung", "Giữ yên mã trong khung" },
		{ "Hold your QR code to the frame", "Keep the code still in the frame" },
	},
	[SCREEN_GRANTED] = {
		{ "Hợp lệ", "Mỗi lần một người" },
		{ "Accepted", "One person at a time" },
	},
	[SCREEN_DENIED] = {
		{ "Không được qua", "Cần giúp đỡ, hãy gặp bảo vệ" },
		{ "Not allowed", "Need help? See the guard" },
	},
	[SCREEN_FIRE_ALARM] = {
		{ "BÁO CHÁY", "Mọi lối đã mở. Hãy bình tĩnh sơ tán theo lối thoát hiểm" },
		{ "FIRE ALARM", "Every way is open. Leave calmly by the nearest exit" },
	},
	[SCREEN_LOCKED_DOWN] = {
		{ "Cổng đang khóa", "Vui lòng chờ hướng dẫn của bảo vệ" },
		{ "Gate locked", "Please wait for the guard's instructions" },
	},
	[SCREEN_CAMERA_FAULT] = {
		{ "Máy quét mã đang hỏng", "Vui lòng dùng cổng khác hoặc gặp bảo vệ" },
		{ "Code scanner out of order", "Please use another gate or see the guard" },
	},
	[SCREEN_OFFLINE] = {
		{ "Mất kết nối máy chủ", "Cổng vẫn kiểm tra mã như thường" },
		{ "No connection to the server", "The gate still checks codes" },
	},
};

static const char *const reason_words[REASON_COUNT][SCREEN_LANG_COUNT] = {
	[REASON_GRANTED] = { "Hợp lệ", "Accepted" },
	[REASON_UNKNOWN] = { "Mã chưa được đăng ký", "Code not registered" },
	[REASON_EXPIRED] = { "Thẻ đã hết hạn", "Badge has expired" },
	[REASON_NOT_YET_VALID] = { "Thẻ chưa đến ngày sử dụng", "Badge not valid yet" },
	[REASON_SUSPENDED] = { "Thẻ đang bị tạm khóa", "Badge suspended" },
	[REASON_REVOKED] = { "Thẻ đã bị thu hồi", "Badge withdrawn" },
	[REASON_WRONG_DIRECTION] = { "Sai chiều đi", "Wrong way" },
	[REASON_WRONG_LANE] = { "Sai làn", "Wrong lane" },
	[REASON_MALFORMED] = { "Mã bị lỗi", "Damaged code" },
	[REASON_TOO_LONG] = { "Mã quá dài", "Code too long" },
	[REASON_UNKNOWN_FORMAT] = { "Không phải mã ra vào", "Not a gate code" },
	[REASON_KIND_DISABLED] = { "Cổng này không nhận loại mã này",
	    "This gate does not take this kind of code" },
	[REASON_LANE_LOCKED] = { "Cổng đang khóa", "Gate locked" },
	[REASON_LANE_BUSY] = { "Chờ người trước đi qua", "Wait for the person ahead" },
	[REASON_STORE_ERROR] = { "Lỗi hệ thống, hãy gặp bảo vệ",
	    "System fault, see the guard" },
	[REASON_EXIT_BUTTON] = { "Mở bằng nút bấm", "Opened by the exit button" },
	[REASON_REMOTE_OPEN] = { "Bảo vệ đã mở cổng", "Opened by the guard" },
	[REASON_FIRE_ALARM_ON] = { "Báo cháy", "Fire alarm" },
	[REASON_FIRE_ALARM_OFF] = { "Hết báo cháy", "Fire alarm over" },
	[REASON_FORCED] = { "Đi qua khi chưa được phép", "Passed without permission" },
	[REASON_HELD_OPEN] = { "Cổng bị giữ mở quá lâu", "Gate held open too long" },
	[REASON_BAD_SIGNATURE] = { "Mã không do công trường cấp",
	    "Code not issued by this site" },
	[REASON_SERIAL_REVOKED] = { "Thẻ cũ đã được thay, hãy dùng thẻ mới",
	    "Old badge replaced, use the new one" },
	[REASON_REPLAYED] = { "Mã đã được dùng", "Code already used" },
	[REASON_CLOCK_UNSYNCED] = { "Đồng hồ chưa đồng bộ", "Clock not synchronised" },
	[REASON_ANTI_PASSBACK] = { "Đã vào mà chưa ra", "Already in, never went out" },
	[REASON_VISITORS_ONLY] = { "Loại mã này chỉ dành cho khách",
	    "This kind of code is for visitors only" },
	[REASON_SLOWED] = { "Thử quá nhiều lần, hãy chờ một lát",
	    "Too many tries, please wait a moment" },
	[REASON_REPEATED_DENIALS] = { "Bị từ chối nhiều lần", "Refused many times" },
	[REASON_TAMPER_ON] = { "Tủ điều khiển bị mở", "Control box opened" },
	[REASON_TAMPER_OFF] = { "Tủ điều khiển đã đóng", "Control box closed" },
	[REASON_PIN_REQUIRED] = { "Cần nhập mã PIN", "PIN needed" },
	[REASON_FIRE_LOOP_FAULT] = { "Lỗi mạch báo cháy, lối ra đã mở",
	    "Fire alarm wiring fault, the exit is open" },
	[REASON_FIRE_LOOP_OK] = { "Mạch báo cháy đã bình thường",
	    "Fire alarm wiring back to normal" },
	[REASON_TAMPER_LOOP_FAULT] = { "Lỗi mạch chống phá tủ",
	    "Control box tamper wiring fault" },
	[REASON_TAMPER_LOOP_OK] = { "Mạch chống phá tủ đã bình thường",
	    "Control box tamper wiring back to normal" },
	[REASON_OUTSIDE_SCHEDULE] = { "Ngoài giờ được phép vào",
	    "Outside your hours" },
	[REASON_OPEN_SCHEDULE_ON] = { "Cổng mở theo giờ đổi ca",
	    "Gate open for the shift change" },
	[REASON_OPEN_SCHEDULE_OFF] = { "Hết giờ mở cổng đổi ca",
	    "Shift-change opening over" },
};

static const char *const way_words[DIR_COUNT][SCREEN_LANG_COUNT] = {
	[DIR_ENTRY] = { "Mời vào", "Please go in" },
	[DIR_EXIT] = { "Mời ra", "Please go out" },
};

const char *
screen_lang_name(enum screen_lang lang)
{
	return (int)lang >= 0 && lang < SCREEN_LANG_COUNT ? lang_names[lang] : "?";
}

int
screen_lang_from_name(const char *name)
{
	for (int i = 0; i < SCREEN_LANG_COUNT; i++)
		if (name != NULL && strcmp(lang_names[i], name) == 0)
			return i;
	return -1;
}

const char *
screen_state_name(enum screen_state s)
{
	return (int)s >= 0 && s < SCREEN_STATE_COUNT && state_names[s] != NULL ?
	    state_names[s] : "?";
}

int
screen_state_from_name(const char *name)
{
	for (int i = 0; i < SCREEN_STATE_COUNT; i++)
		if (name != NULL && strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

static bool
screen_lang_valid(enum screen_lang lang)
{
	return (int)lang >= 0 && lang < SCREEN_LANG_COUNT;
}

struct screen_words
screen_msg_state(enum screen_state s, enum screen_lang lang)
{
	struct screen_words none = { NULL, NULL };

	if ((int)s < 0 || s >= SCREEN_STATE_COUNT || !screen_lang_valid(lang))
		return none;
	return state_words[s][lang];
}

const char *
screen_msg_reason(enum reason r, enum screen_lang lang)
{
	if ((int)r < 0 || r >= REASON_COUNT || !screen_lang_valid(lang))
		return NULL;
	return reason_words[r][lang];
}

const char *
screen_msg_way(enum direction d, enum screen_lang lang)
{
	if ((int)d < 0 || d >= DIR_COUNT || !screen_lang_valid(lang))
		return NULL;
	return way_words[d][lang];
}
