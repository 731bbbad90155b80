#include <string.h>

#include "gpio.h"

/* Names used in the config file, the sim log and the sim input FIFO. */
static const char *const gpio_role_names[GPIO_ROLE_COUNT] = {
	"entry_relay", "exit_relay", "green_led", "red_led", "buzzer",
	"passage_sensor", "fire_alarm", "exit_button", "tamper",
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
	return role <= GPIO_BUZZER;
}
