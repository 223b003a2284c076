/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_size.h"

#define MIB (1ull << 20)

static uint64_t suffix_mul(char c)
{
	switch (c) {
	case 'B': case 'b': return 1;
	case 'K': case 'k': return 1ull << 10;
	case 'M': case 'm': return 1ull << 20;
	case 'G': case 'g': return 1ull << 30;
	case 'T': case 't': return 1ull << 40;
	case 'P': case 'p': return 1ull << 50;
	case 'E': case 'e': return 1ull << 60;
	}
	return 0;
}

static enum ms_status bad(struct ms_err *err, const char *text, const char *why)
{
	return ms_fail(err, MS_USAGE, "'%s' is not a memory size as QEMU's -m takes it (%s)", text, why);
}

enum ms_status ms_qemu_memory_parse(const char *text, uint64_t *out, struct ms_err *err)
{
	const char *p = text, *end;
	uint64_t val = 0, valf = 0, mul;
	unsigned __int128 total;
	size_t len = strlen(text);

	if (!len || len > 64)
		return bad(err, text, "empty or too long");
	if (!isdigit((unsigned char)*p) && *p != '.')
		return bad(err, text, "a size starts with a digit");
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		char *e;

		/* strtoull would also take blanks, a sign or a second 0x, which QEMU refuses */
		if (!isxdigit((unsigned char)p[2]) || (p[2] == '0' && (p[3] == 'x' || p[3] == 'X')))
			return bad(err, text, "hexadecimal needs hex digits after 0x");
		errno = 0;
		val = strtoull(p + 2, &e, 16);
		if (e == p + 2 || errno || *e)
			return bad(err, text, "hexadecimal takes no suffix or fraction");
		end = e;
	} else {
		for (; isdigit((unsigned char)*p); p++) {
			if (val > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
				return bad(err, text, "too large");
			val = val * 10 + (uint64_t)(*p - '0');
		}
		if (p == text && *p != '.')
			return bad(err, text, "no number");
		if (*p == '.') {
			/* the fraction as QEMU reads it: strtod on the digits after the point, as 64-bit fixed point */
			char frac[70] = "0";
			const char *q = p + 1;
			size_t n = 1;
			double f;

			while (isdigit((unsigned char)*q) && n < sizeof(frac) - 2)
				q++, n++;
			if (isdigit((unsigned char)*q))
				return bad(err, text, "too many fraction digits");
			if (p == text && n == 1)
				return bad(err, text, "no number");
			memcpy(frac + 1, p, (size_t)(q - p));
			frac[1 + (q - p)] = 0;
			f = strtod(frac, NULL);
			if (f >= 1.0) {
				if (val == UINT64_MAX)
					return bad(err, text, "too large");
				val++;
			} else {
				valf = (uint64_t)ldexp(f, 64);
			}
			p = q;
		}
		end = p;
	}
	mul = suffix_mul(*end);
	if (mul) {
		if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
			return bad(err, text, "hexadecimal takes no suffix");
		end++;
	} else {
		mul = 1;
	}
	if (*end)
		return bad(err, text, *end == 'i' || *end == 'I' || *end == 'B' || *end == 'b'
					      ? "one suffix letter: 2G, not 2GB or 2GiB"
					      : "unexpected characters after the number");
	if (mul == 1 && valf)
		return bad(err, text, "a fraction needs a suffix such as G");
	total = (unsigned __int128)val * mul + (((unsigned __int128)valf * mul + (1ull << 63)) >> 64);
	/* the legacy form: a size ending in a digit is in MiB */
	if (isdigit((unsigned char)text[len - 1]))
		total *= MIB;
	if (total == 0)
		return bad(err, text, "zero: QEMU would use the machine's default");
	total = (total + 8191) / 8192 * 8192;
	if (total > UINT64_MAX)
		return bad(err, text, "too large");
	*out = (uint64_t)total;
	return MS_OK;
}
