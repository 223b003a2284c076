/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "base64.h"

static const char alphabet_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ms_base64_decoded_max(size_t len)
{
	return len / 4 * 3 + len % 4 * 3 / 4;
}

int ms_base64_value(char c, enum ms_b64_alphabet alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (alphabet == MS_B64_URL ? '-' : '+'))
		return 62;
	if (c == (alphabet == MS_B64_URL ? '_' : '/'))
		return 63;
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static bool length_refused(size_t len, const struct ms_b64_rules *r)
{
	if (r->skip_space)
		return false; /* the length that counts is known only after the scan */
	if (r->padding == MS_B64_PAD_REQUIRED)
		return len % 4 != 0;
	return r->padding == MS_B64_PAD_NONE && len % 4 == 1;
}

enum ms_b64_fault ms_base64_decode_into(const char *in, size_t len, const struct ms_b64_rules *r, uint8_t *out,
					size_t max, size_t *out_len, size_t *at)
{
	uint32_t acc = 0;
	size_t o = 0, digits = 0, pad = 0, tail;

	*out_len = 0;
	*at = 0;
	if (length_refused(len, r))
		return MS_B64_BAD_LENGTH;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int v;

		if (r->skip_space && is_space(c))
			continue;
		if (c == '=' && r->padding != MS_B64_PAD_NONE) {
			pad++;
			continue;
		}
		v = ms_base64_value(c, r->alphabet);
		if (v < 0 || pad) {
			*at = i;
			return MS_B64_BAD_CHAR;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++digits % 4 == 0) {
			if (max - o < 3)
				return MS_B64_TOO_LONG;
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
		}
	}
	tail = digits % 4;
	if (tail == 1)
		return MS_B64_BAD_LENGTH;
	if (pad > 2 || (pad && (digits + pad) % 4) || (r->padding == MS_B64_PAD_REQUIRED && tail && !pad))
		return MS_B64_BAD_PADDING;
	if (r->canonical && (acc & (tail == 2 ? 0xfu : tail == 3 ? 0x3u : 0)))
		return MS_B64_STRAY_BITS;
	if (tail && max - o < tail - 1)
		return MS_B64_TOO_LONG;
	if (tail == 2) {
		out[o++] = (uint8_t)(acc >> 4);
	} else if (tail == 3) {
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	*out_len = o;
	return MS_B64_OK;
}

size_t ms_base64_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

void ms_base64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet_std[v >> 18];
		out[o++] = alphabet_std[(v >> 12) & 63];
		out[o++] = alphabet_std[(v >> 6) & 63];
		out[o++] = alphabet_std[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = alphabet_std[v >> 18];
		out[o++] = alphabet_std[(v >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet_std[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

enum ms_status ms_base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
				const char *what, struct ms_err *err)
{
	static const struct ms_b64_rules lenient = { MS_B64_STD, MS_B64_PAD_OPTIONAL, true, false };
	size_t max = ms_base64_decoded_max(in_len), n, at;
	uint8_t *buf = malloc(max + 1);
	enum ms_status st = MS_OK;

	if (!buf)
		return ms_fail(err, MS_NO_MEMORY, "%s: out of memory", what);
	switch (ms_base64_decode_into(in, in_len, &lenient, buf, max, &n, &at)) {
	case MS_B64_OK:
		break;
	case MS_B64_BAD_CHAR:
		st = ms_fail(err, MS_BAD_INPUT, "%s: not base64 at offset %zu", what, at);
		break;
	case MS_B64_BAD_LENGTH:
		st = ms_fail(err, MS_BAD_INPUT, "%s: base64 length is not valid", what);
		break;
	default:
		st = ms_fail(err, MS_BAD_INPUT, "%s: bad base64 padding", what);
		break;
	}
	if (st) {
		free(buf);
		return st;
	}
	*out = buf;
	*out_len = n;
	return MS_OK;
}

enum ms_status ms_base64url_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, const char *what,
				   struct ms_err *err)
{
	static const struct ms_b64_rules strict_url = { MS_B64_URL, MS_B64_PAD_NONE, false, true };
	size_t max = ms_base64_decoded_max(len), n, at;
	uint8_t *buf;
	enum ms_status st = MS_OK;

	*out = NULL;
	*out_len = 0;
	if (length_refused(len, &strict_url))
		return ms_fail(err, MS_BAD_INPUT, "%s: %zu base64url characters is not a whole number of bytes", what, len);
	if (!(buf = malloc(max + 1)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	switch (ms_base64_decode_into(s, len, &strict_url, buf, max, &n, &at)) {
	case MS_B64_OK:
		break;
	case MS_B64_BAD_CHAR:
		st = ms_fail(err, MS_BAD_INPUT, "%s: character 0x%02x at offset %zu is not base64url (no padding)", what,
			     (unsigned char)s[at], at);
		break;
	default:
		st = ms_fail(err, MS_BAD_INPUT, "%s: the last base64url character has bits set past the data", what);
		break;
	}
	if (st) {
		free(buf);
		return st;
	}
	*out = buf;
	*out_len = n;
	return MS_OK;
}
