/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "hex.h"

void ms_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

char *ms_hex_alloc(const uint8_t *in, size_t len)
{
	char *out = malloc(2 * len + 1);

	if (out)
		ms_hex_encode(in, len, out);
	return out;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum ms_status ms_hex_decode(const char *in, uint8_t *out, size_t want, const char *what,
			     struct ms_err *err)
{
	size_t len;

	if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
		in += 2;
	len = strlen(in);
	if (len != 2 * want)
		return ms_fail(err, MS_BAD_INPUT, "%s: expected %zu hex digits, got %zu", what,
			       2 * want, len);
	for (size_t i = 0; i < want; i++) {
		int hi = hex_value(in[2 * i]), lo = hex_value(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ms_fail(err, MS_BAD_INPUT, "%s: not a hex digit at position %zu", what,
				       hi < 0 ? 2 * i : 2 * i + 1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return MS_OK;
}
