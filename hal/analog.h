/*
 * Analog inputs: a value read from an ADC, for an end-of-line supervised
 * loop (the fire panel's contact, the cabinet's tamper switch wired with
 * a resistor at the far end, so that a voltage tells a cut or shorted
 * wire from a contact that changed).  A digital GPIO line cannot tell
 * those apart; an ADC can.
 *
 * A backend is a const struct analog_ops over an opaque private pointer,
 * as gpio.h's.  The values an ADC gives through Linux's IIO sysfs files
 * cannot be poll()ed, so there is no fd: the daemon samples each input on
 * a timer of its loop.  A read never blocks for long (a sysfs read is one
 * conversion, tens of microseconds on an SPI ADC) and never logs: the
 * caller is sampling ten times a second and logs a failure once, when the
 * input's state changes, with the why read() gave.
 */
#ifndef QRGATE_HAL_ANALOG_H
#define QRGATE_HAL_ANALOG_H

#include <stddef.h>
#include <stdint.h>

struct analog_ops {
	const char *name;	/* "iio" */

	/*
	 * Prepares reading the input at path (iio: a file such as
	 * /sys/bus/iio/devices/iio:device0/in_voltage2_raw).  Nothing is
	 * opened yet: an ADC whose driver is not loaded yet is a reading
	 * error later, not a failure here.  Returns private state, or NULL
	 * with errno set (out of memory, a path too long).
	 */
	void *(*open)(const char *path);

	/*
	 * Takes one sample: the raw value, in the ADC's own units (its
	 * counts, before in_voltage_scale).  Returns 0 with *raw set, or -1
	 * with why (at least 128 bytes) saying what went wrong: the file
	 * gone, unreadable, or not a number.
	 */
	int (*read)(void *priv, int32_t *raw, char *why, size_t whylen);

	/* Frees everything; priv may be NULL. */
	void (*close)(void *priv);
};

/* Linux IIO through sysfs (hal/analog_iio.c): the kernel's mcp320x
 * driver for an MCP3008 or MCP3208 HAT, or any other IIO ADC. */
extern const struct analog_ops analog_iio_ops;

#endif
