/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: common/base64. The first byte picks the rules (alphabet,
 * padding, whitespace, canonical) and the output bound; the rest is the
 * text. A decoded text must encode back to itself once its spelling is
 * made canonical, and never write past the bound.
 */
#include <stdlib.h>
#include <string.h>

#include "../../common/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_b64_rules r;
	const char *text = (const char *)data + 1;
	size_t len, max, n, at;
	uint8_t *out;
	char *again;

	if (size < 1)
		return 0;
	len = size - 1;
	r.alphabet = data[0] & 1 ? MS_B64_URL : MS_B64_STD;
	r.padding = (enum ms_b64_padding)(data[0] >> 1 & 3) % 3;
	r.skip_space = data[0] & 8;
	r.canonical = data[0] & 16;
	max = data[0] & 32 ? ms_base64_decoded_max(len) : len % 17;
	if (!(out = malloc(max + 1)))
		return 0;
	if (ms_base64_decode_into(text, len, &r, out, max, &n, &at) == MS_B64_OK) {
		if (n > max)
			abort();
		/* canonical standard padded text with no whitespace must come back unchanged */
		if (r.canonical && r.alphabet == MS_B64_STD && r.padding == MS_B64_PAD_REQUIRED && !r.skip_space &&
		    (again = malloc(ms_base64_len(n) + 1))) {
			ms_base64_encode(out, n, again);
			if (strlen(again) != len || memcmp(again, text, len))
				abort();
			free(again);
		}
	}
	free(out);
	return 0;
}
