/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_RFC3339_H
#define MS_RFC3339_H

#include <stdint.h>

/* The range of times accepted: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
#define MS_TIME_MIN 0
#define MS_TIME_MAX INT64_C(253402300799)

/*
 * Parses an RFC 3339 date-time ("2022-10-13T09:38:02Z", "2022-10-13t11:38:02.5+02:00")
 * or "@SECONDS" (decimal, no sign other than a leading '-', which is then out of range)
 * into unix seconds. Every field has exactly its digits; the date must exist (no
 * 2025-02-31), hours 00-23, minutes and seconds 00-59 (a leap second is refused: it
 * has no unix time), an optional fraction of at least one digit (truncated), then 'Z',
 * 'z' or an offset +-HH:MM within +-23:59. The result lies in [MS_TIME_MIN, MS_TIME_MAX].
 * Returns 0, or -1 with *out untouched.
 */
int ms_time_parse(const char *text, int64_t *out);

#endif
