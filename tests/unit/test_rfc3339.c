/* SPDX-License-Identifier: Apache-2.0 */
/* --at TIME: RFC 3339 and @SECONDS. Expected values from GNU date(1) (date -u -d TIME +%s). */
#include "../helpers.h"

#include "../../common/rfc3339.h"

static void accepted(void **state)
{
	static const struct { const char *text; int64_t t; } ok[] = {
		{ "2022-10-13T09:38:02Z", 1665653882 },
		{ "2022-10-13t09:38:02z", 1665653882 },
		{ "2022-10-13T11:38:02+02:00", 1665653882 },
		{ "2022-10-13T09:38:02.999999999Z", 1665653882 },
		{ "2022-10-13T11:38:02.5+02:00", 1665653882 },
		{ "2024-02-29T23:59:59Z", 1709251199 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
		{ "2000-03-01T00:30:00-23:59", 951956940 },
		{ "@0", 0 },
		{ "@1665653882", 1665653882 },
		{ "@253402300799", INT64_C(253402300799) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t t = -42;

		if (ms_time_parse(ok[i].text, &t) != 0)
			fail_msg("refused: %s", ok[i].text);
		if (t != ok[i].t)
			fail_msg("%s: %lld, want %lld", ok[i].text, (long long)t, (long long)ok[i].t);
	}
}

static void rejected(void **state)
{
	static const char *const bad[] = {
		"", "yesterday", "now", "evidence",
		"2025-02-31T00:00:00Z",      /* no such day */
		"2023-02-29T00:00:00Z",      /* not a leap year */
		"1900-02-29T00:00:00Z",      /* century, not a leap year */
		"2025-04-31T00:00:00Z", "2025-00-10T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-00T00:00:00Z",
		"2025-01-01T24:00:00Z",      /* hour 24 */
		"2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z", /* minute 60, leap second */
		"2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00-24:00", "2025-01-01T00:00:00+23:60",
		"2025-01-01T00:00:00+0100", "2025-01-01T00:00:00+1:00", "2025-01-01T00:00:00+01",
		"2025-1-01T00:00:00Z", "2025-01-1T00:00:00Z", "25-01-01T00:00:00Z", "02025-01-01T00:00:00Z",
		"2025-01-01T0:00:00Z", "2025-01-01T00:0:00Z", "2025-01-01T00:00:0Z", "2025-01-01T00:00Z",
		"2025-01-01 00:00:00Z", "2025-01-01", "2025-01-01T00:00:00", "2025-01-01T00:00:00ZZ",
		"2025-01-01T00:00:00Z ", " 2025-01-01T00:00:00Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00,5Z",
		"2025-01-01T00:00:00UTC", "2025-01-01T00:00:00+01:00x", "+2025-01-01T00:00:00Z",
		"1969-12-31T23:59:59Z",      /* before the range */
		"1970-01-01T00:00:00+00:01", /* that is 1969 */
		"@", "@-1", "@+1", "@ 1", "@1x", "@0x10", "@1.5", "@253402300800",
		"@9223372036854775807", "@9223372036854775808", "@99999999999999999999999",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = -42;

		if (ms_time_parse(bad[i], &t) == 0)
			fail_msg("accepted: '%s' as %lld", bad[i], (long long)t);
		assert_int_equal(t, -42);
	}
	assert_int_equal(ms_time_parse(NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted),
		cmocka_unit_test(rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
