/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The length of the well-formed UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t want;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		want = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		want = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		want = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < want)
		return 0;
	for (size_t i = 1; i < want; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((want == 3 && cp < 0x800) || (want == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act as controls on some terminals */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return want;
}

size_t ms_text_escape(char *out, size_t cap, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t w = 0, i = 0;

	if (!cap)
		return 0;
	while (i < len) {
		size_t n = p[i] >= 0x20 && p[i] != 0x7f ? utf8_len(p + i, len - i) : 0;

		if (n) {
			if (w + n >= cap)
				break;
			memcpy(out + w, p + i, n);
			w += n;
			i += n;
			continue;
		}
		if (w + 4 >= cap)
			break;
		snprintf(out + w, 5, "\\x%02x", p[i]);
		w += 4;
		i++;
	}
	out[w] = '\0';
	return w;
}

void ms_text_escape_inplace(char *s, size_t cap)
{
	char *copy = strdup(s);

	if (!copy) { /* no memory: blank what cannot be shown safely */
		for (unsigned char *p = (unsigned char *)s; *p; p++)
			if (*p < 0x20 || *p >= 0x7f)
				*p = '?';
		return;
	}
	ms_text_escape(s, cap, copy, strlen(copy));
	free(copy);
}

char *ms_text_escape_dup(const char *s)
{
	size_t n = strlen(s), cap = 4 * n + 1;
	char *out = malloc(cap);

	if (out)
		ms_text_escape(out, cap, s, n);
	return out;
}
