#include <string.h>

#include "gpio.h"

/* Names used in the config file, the sim log and the sim input FIFO. */
static const char *const gpio_role_names[GPIO_ROLE_COUNT] = {
	"entry_relay", "exit_relay", "green_led", "red_led", "buzzer",
	"passage_sensor", "fire_alarm", "exit_button", "tamper",
	"wiegand_d0", "wiegand_d1", "wiegand_out_d0", "wiegand_out_d1",
};

const char *
gpio_role_name(enum gpio_role role)
{
	return (role >= 0 && role < GPIO_ROLE_COUNT) ? gpio_role_names[role] : "?";
}

int
gpio_role_from_name(const char *name)
{
	for (int i = 0; i < GPIO_ROLE_COUNT; i++)
		if (strcmp(gpio_role_names[i], name) == 0)
			return i;
	return -1;
}

bool
gpio_role_is_output(enum gpio_role role)
{
	switch (role) {
	case GPIO_ENTRY_RELAY:
	case GPIO_EXIT_RELAY:
	case GPIO_GREEN_LED:
	case GPIO_RED_LED:
	case GPIO_BUZZER:
	case GPIO_WIEGAND_OUT_D0:
	case GPIO_WIEGAND_OUT_D1:
		return true;
	default:
		return false;
	}
}

bool
gpio_role_pulse_input(enum gpio_role role)
{
	return role == GPIO_WIEGAND_D0 || role == GPIO_WIEGAND_D1;
}
