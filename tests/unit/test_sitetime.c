/*
 * Times as people write and read them (sitetime.c): UTC with Z, explicit
 * offsets, local times in the site's zone, the gap and the overlap of a
 * zone with summer time (Europe/Berlin, America/New_York), the zone names
 * the system's zoneinfo knows, and the tables' format with its offset.
 * The expected instants are written in UTC and read by timefmt_parse(),
 * the machine parser, which must itself still refuse what is not UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sitetime.h"
#include "timefmt.h"

static void
zone(const char *name)
{
	char msg[200] = "";

	if (sitetime_zone_use(name, msg, sizeof(msg)) == -1)
		print_message("%s\n", msg);
	assert_int_equal(sitetime_zone_use(name, msg, sizeof(msg)), 0);
	assert_string_equal(sitetime_zone(), name);
}

static int64_t
utc(const char *s)
{
	int64_t ms;

	assert_int_equal(timefmt_parse(s, &ms), 0);
	return ms;
}

static int64_t
local(const char *s)
{
	char msg[200] = "";
	int64_t ms = -1;
	int rc = sitetime_parse(s, &ms, msg, sizeof(msg));

	if (rc != 0)
		print_message("%s: %s\n", s, msg);
	assert_int_equal(rc, 0);
	return ms;
}

/* Asserts that s is refused with a message that contains want. */
static void
refused(const char *s, const char *want)
{
	char msg[200] = "";
	int64_t ms = 42;

	assert_int_equal(sitetime_parse(s, &ms, msg, sizeof(msg)), -1);
	assert_int_equal(ms, 42);
	if (strstr(msg, want) == NULL)
		print_message("%s: '%s' lacks '%s'\n", s, msg, want);
	assert_non_null(strstr(msg, want));
}

static void
test_utc_and_offsets(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	assert_int_equal(local("2027-01-01T00:00:00Z"),
	    utc("2027-01-01T00:00:00Z"));
	assert_int_equal(local("2027-01-01T00:00:00.250Z"),
	    utc("2027-01-01T00:00:00.250Z"));
	assert_int_equal(local("2027-01-01T00:00:00+07:00"),
	    utc("2026-12-31T17:00:00Z"));
	assert_int_equal(local("2027-01-01T00:00:00-05:00"),
	    utc("2027-01-01T05:00:00Z"));
	assert_int_equal(local("2027-01-01T00:00:00+0530"),
	    utc("2026-12-31T18:30:00Z"));
	assert_int_equal(local("2027-01-01 07:00:00 +07"),
	    utc("2027-01-01T00:00:00Z"));
	assert_int_equal(local("2027-01-01 00:00 Z"),
	    utc("2027-01-01T00:00:00Z"));
	/* An offset says the instant whatever the site's zone. */
	zone("America/New_York");
	assert_int_equal(local("2027-01-01T00:00:00+07:00"),
	    utc("2026-12-31T17:00:00Z"));
	/* Milliseconds since the epoch, as the machines write them. */
	assert_int_equal(local("1798761600000"), INT64_C(1798761600000));

	refused("2027-01-01T00:00:00+15:00", "bad time");
	refused("2027-01-01T00:00:00+07:60", "bad time");
	refused("2027-01-01T00:00:00+7", "bad time");
	refused("2027-01-01T00:00:00z", "bad time");
	refused("2027-01-01T00:00:00  Z", "bad time");
	refused("2027-01-01T24:00:00Z", "bad time");
	refused("2027-02-29T00:00", "bad time");
	refused("2027-01-01T00", "bad time");
	refused("", "empty time");
	refused("next tuesday", "bad time");
}

static void
test_local_ho_chi_minh(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	/* The issue's own example: typed at the site, meant at the site. */
	assert_int_equal(local("2027-01-01T00:00:00"),
	    utc("2026-12-31T17:00:00Z"));
	assert_int_equal(local("2027-01-01 00:00:00"),
	    utc("2026-12-31T17:00:00Z"));
	assert_int_equal(local("2027-01-01T08:30"),
	    utc("2027-01-01T01:30:00Z"));
	/* A date alone is the start of that day at the site. */
	assert_int_equal(local("2027-01-01"), utc("2026-12-31T17:00:00Z"));
	assert_int_equal(local("2099-12-31T23:59:59.999"),
	    utc("2099-12-31T16:59:59.999Z"));
	/* 1975: Saigon was at +08 then; the zoneinfo knows, not a table. */
	assert_int_equal(local("1975-01-01T08:00:00"),
	    utc("1975-01-01T00:00:00Z"));
	refused("1970-01-01T06:59:59", "before 1970-01-01 UTC");
}

static void
test_gap_and_overlap(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_int_equal(local("2026-01-15T12:00:00"),
	    utc("2026-01-15T11:00:00Z"));
	assert_int_equal(local("2026-07-15T12:00:00"),
	    utc("2026-07-15T10:00:00Z"));
	/* Summer time starts 2026-03-29: 02:00 to 02:59 never happen. */
	assert_int_equal(local("2026-03-29T01:59:59"),
	    utc("2026-03-29T00:59:59Z"));
	refused("2026-03-29T02:00:00", "does not exist in Europe/Berlin "
	    "(the clocks skip it); write it with its offset");
	refused("2026-03-29T02:30", "does not exist");
	assert_int_equal(local("2026-03-29T03:00:00"),
	    utc("2026-03-29T01:00:00Z"));
	/* It ends 2026-10-25: 02:00 to 02:59 happen twice. */
	assert_int_equal(local("2026-10-25T01:59:59"),
	    utc("2026-10-24T23:59:59Z"));
	refused("2026-10-25T02:30:00", "happens twice in Europe/Berlin (at "
	    "+02 and at +01); write it with its offset");
	assert_int_equal(local("2026-10-25T02:30:00+02:00"),
	    utc("2026-10-25T00:30:00Z"));
	assert_int_equal(local("2026-10-25T02:30:00+01:00"),
	    utc("2026-10-25T01:30:00Z"));
	assert_int_equal(local("2026-10-25T03:00:00"),
	    utc("2026-10-25T02:00:00Z"));
	/* Past 2038 the zone's yearly rule still applies (2099-03-29 is
	 * a Sunday, the last of its March). */
	refused("2099-03-29T02:30", "does not exist");
	assert_int_equal(local("2099-07-01T12:00"),
	    utc("2099-07-01T10:00:00Z"));

	zone("America/New_York");
	refused("2026-03-08T02:30", "does not exist in America/New_York");
	assert_int_equal(local("2026-03-08T03:00"),
	    utc("2026-03-08T07:00:00Z"));
	refused("2026-11-01T01:30", "happens twice in America/New_York (at "
	    "-04 and at -05)");
	assert_int_equal(local("2026-11-01T01:30-05:00"),
	    utc("2026-11-01T06:30:00Z"));
	/* A date is midnight, which no US change touches. */
	assert_int_equal(local("2026-03-08"), utc("2026-03-08T05:00:00Z"));
}

static void
test_since(void **state)
{
	int64_t now = utc("2027-01-01T00:00:00Z"), ms;
	char msg[200];

	(void)state;
	zone("Asia/Ho_Chi_Minh");
	assert_int_equal(sitetime_parse_since("-2h", now, &ms, msg,
	    sizeof(msg)), 0);
	assert_int_equal(ms, now - 2 * 3600 * 1000);
	assert_int_equal(sitetime_parse_since("2027-01-01T07:00", now, &ms,
	    msg, sizeof(msg)), 0);
	assert_int_equal(ms, now);
	assert_int_equal(sitetime_parse_since("-2x", now, &ms, msg,
	    sizeof(msg)), -1);
	assert_non_null(strstr(msg, "bad time '-2x'"));
}

static void
test_format(void **state)
{
	char buf[TIMEFMT_LEN];
	int64_t ms = utc("2027-01-01T00:00:00.900Z");

	(void)state;
	zone("Asia/Ho_Chi_Minh");
	assert_string_equal(sitetime_format(ms, buf, sizeof(buf)),
	    "2027-01-01 07:00:00 +07");
	/* What a table shows reads back as the same second. */
	assert_int_equal(local(buf), ms - 900);
	zone("Europe/Berlin");
	assert_string_equal(sitetime_format(ms, buf, sizeof(buf)),
	    "2027-01-01 01:00:00 +01");
	assert_string_equal(sitetime_format(utc("2026-10-25T00:30:00Z"), buf,
	    sizeof(buf)), "2026-10-25 02:30:00 +02");
	assert_int_equal(local(buf), utc("2026-10-25T00:30:00Z"));
	assert_string_equal(sitetime_format(utc("2026-10-25T01:30:00Z"), buf,
	    sizeof(buf)), "2026-10-25 02:30:00 +01");
	assert_int_equal(local(buf), utc("2026-10-25T01:30:00Z"));
	zone("America/New_York");
	assert_string_equal(sitetime_format(ms, buf, sizeof(buf)),
	    "2026-12-31 19:00:00 -05");
	zone("Asia/Kolkata");
	assert_string_equal(sitetime_format(ms, buf, sizeof(buf)),
	    "2027-01-01 05:30:00 +05:30");
	zone("UTC");
	assert_string_equal(sitetime_format(ms, buf, sizeof(buf)),
	    "2027-01-01 00:00:00 +00");
	/* A local date outside 1970..9999 stays UTC, which reads back. */
	zone("America/New_York");
	assert_string_equal(sitetime_format(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00.000Z");
	zone("Europe/Berlin");
	assert_string_equal(sitetime_format(utc("9999-12-31T23:30:00Z"), buf,
	    sizeof(buf)), "9999-12-31T23:30:00.000Z");
}

/*
 * What a table shows reads back as the same second, across a year of
 * each zone in steps that land in and around every change of offset.
 */
static void
test_format_reads_back(void **state)
{
	static const char *const zones[] = { "Asia/Ho_Chi_Minh",
	    "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	    "Asia/Kolkata", "UTC" };
	int64_t from = utc("2026-01-01T00:00:00Z"), step = 7 * 60 * 1000 + 1;
	char buf[TIMEFMT_LEN], msg[200];

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		zone(zones[z]);
		for (int64_t ms = from; ms < from + 366 * 86400000LL;
		    ms += step) {
			int64_t back = -1;

			sitetime_format(ms, buf, sizeof(buf));
			if (sitetime_parse(buf, &back, msg, sizeof(msg)) != 0 ||
			    back != ms - ms % 1000)
				fail_msg("%s: %lld -> '%s' -> %lld (%s)",
				    zones[z], (long long)ms, buf,
				    (long long)back, msg);
		}
	}
}

static void
test_zone_names(void **state)
{
	char msg[200];

	(void)state;
	assert_int_equal(sitetime_zone_check("Asia/Ho_Chi_Minh", msg,
	    sizeof(msg)), 0);
	assert_int_equal(sitetime_zone_check("Etc/GMT-7", msg, sizeof(msg)),
	    0);
	assert_int_equal(sitetime_zone_check("America/Argentina/Buenos_Aires",
	    msg, sizeof(msg)), 0);
	assert_int_equal(sitetime_zone_check("Asia/Hanoi", msg, sizeof(msg)),
	    -1);
	assert_non_null(strstr(msg, "\"Asia/Hanoi\" is not a time zone in "
	    "the zoneinfo"));
	assert_int_equal(sitetime_zone_check("+07:00", msg, sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("ICT-7", msg, sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("/etc/localtime", msg,
	    sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("Asia/../../../etc/passwd", msg,
	    sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("Asia/", msg, sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("Asia", msg, sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("zone.tab", msg, sizeof(msg)),
	    -1);
	assert_non_null(strstr(msg, "is not a zoneinfo file"));
	assert_int_equal(sitetime_zone_check("", msg, sizeof(msg)), -1);
	assert_int_equal(sitetime_zone_check("Asia/Ho Chi Minh", msg,
	    sizeof(msg)), -1);
	/* A refused name leaves the zone in use as it was. */
	zone("Europe/Berlin");
	assert_int_equal(sitetime_zone_use("Mars/Olympus_Mons", msg,
	    sizeof(msg)), -1);
	assert_string_equal(sitetime_zone(), "Europe/Berlin");
	assert_int_equal(local("2026-07-15T12:00:00"),
	    utc("2026-07-15T10:00:00Z"));
}

/* The machine parser keeps its UTC-only grammar: what MQTT, the signed
 * lists and the database carry does not change. */
static void
test_machine_form_unchanged(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(timefmt_parse("2027-01-01T00:00:00", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01T00:00:00+07:00", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01 00:00:00 Z", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01 00:00:00Z", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01T00:00Z", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01 00:00", &ms), -1);
	assert_int_equal(timefmt_parse("2027-01-01 00:00:00", &ms), 0);
	assert_int_equal(ms, utc("2027-01-01T00:00:00Z"));
	assert_int_equal(timefmt_parse("2027-01-01", &ms), 0);
	assert_int_equal(ms, utc("2027-01-01T00:00:00Z"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_and_offsets),
		cmocka_unit_test(test_local_ho_chi_minh),
		cmocka_unit_test(test_gap_and_overlap),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_reads_back),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_machine_form_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
