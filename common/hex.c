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

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ms_base64_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

void ms_base64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;

	return p ? (int)(p - b64_alphabet) : -1;
}

enum ms_status ms_base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
				const char *what, struct ms_err *err)
{
	uint8_t *buf = malloc(in_len / 4 * 3 + 3);
	uint32_t acc = 0;
	size_t n = 0, digits = 0, pad = 0;

	if (!buf)
		return ms_fail(err, MS_NO_MEMORY, "%s: out of memory", what);
	for (size_t i = 0; i < in_len; i++) {
		char c = in[i];
		int v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad) {
			free(buf);
			return ms_fail(err, MS_BAD_INPUT, "%s: not base64 at offset %zu", what, i);
		}
		acc = acc << 6 | (uint32_t)v;
		if (++digits % 4 == 0) {
			buf[n++] = (uint8_t)(acc >> 16);
			buf[n++] = (uint8_t)(acc >> 8);
			buf[n++] = (uint8_t)acc;
		}
	}
	switch (digits % 4) {
	case 0:
		break;
	case 2:
		buf[n++] = (uint8_t)(acc >> 4);
		break;
	case 3:
		buf[n++] = (uint8_t)(acc >> 10);
		buf[n++] = (uint8_t)(acc >> 2);
		break;
	default:
		free(buf);
		return ms_fail(err, MS_BAD_INPUT, "%s: base64 length is not valid", what);
	}
	if (pad > 2 || (pad && (digits + pad) % 4)) {
		free(buf);
		return ms_fail(err, MS_BAD_INPUT, "%s: bad base64 padding", what);
	}
	*out = buf;
	*out_len = n;
	return MS_OK;
}
