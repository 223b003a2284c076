/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: what fetching parses from a server or a user: Retry-After
 * values, percent-encoded issuer-chain headers, URLs (the https/loopback
 * rule), cache keys, and the FMSPC in a PCK certificate's SGX extension.
 * The first byte picks the parser; the rest is its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "../../common/cache.h"
#include "../../common/http.h"
#include "../../compare/collateral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err;
	char *text, *out = NULL;
	size_t out_len = 0;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0: {
		int64_t s = ms_http_retry_after(text, size - 1, 1700000000);

		if (s < -1)
			abort();
		break;
	}
	case 1:
		if (ms_url_decode(text, size - 1, &out, &out_len, &err) == MS_OK) {
			if (out_len > size - 1 || out[out_len] != '\0' || strlen(out) != out_len)
				abort(); /* decoding never grows, and an encoded NUL is refused */
		} else if (out) {
			abort();
		}
		free(out);
		break;
	case 2:
		if (ms_http_url_check(text, &err) == MS_OK && strncmp(text, "https://", 8) &&
		    strncmp(text, "http://", 7))
			abort();
		break;
	case 3:
		if (ms_cache_key_check(text, &err) == MS_OK && (text[0] == '/' || strstr(text, "..") == text ||
								 strstr(text, "/..") || strstr(text, "//")))
			abort();
		break;
	case 4: {
		const unsigned char *p = data + 1;
		X509 *cert = d2i_X509(NULL, &p, (long)(size - 1));
		uint8_t fmspc[6];

		if (cert)
			(void)ms_pck_fmspc(cert, fmspc, &err);
		X509_free(cert);
		break;
	}
	}
	free(text);
	return 0;
}
