/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: MAA tokens. The first byte picks: a compact JWS parsed and
 * inspected, a JWKS searched for kid "k", a token verified against a fixed
 * JWKS (an RSA-2048 test key made for this harness) at a fixed time, or
 * base64url alone; the rest is its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "../../compare/evidence.h"
#include "../../compare/maa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks[] =
	"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"alg\":\"RS256\",\"use\":\"sig\",\"e\":\"AQAB\",\"n\":"
	"\"tgachH4VY3th_hNN6j2DhUH5TuSX97aQTmcv-LgVP2jYgGYxettmsSgKzOXFsbk3U3IYEAwi_wWl-AI8QUMvQpHByiS6PcGyIimS"
	"ImJ6qFjK42iOH4HhaLBG4m1EVgFVyt1psZAfYkBH3Ulfz3YU8OTb3jgNLm6FIRR8ly4_tiX6CF617xAcwLsgqf3yq-aSq2L4BjSX"
	"yjGelEjD_6nEgGyiMzH5dVKeremud-IHyVBkIniZwJsdhx0Y2wfu3vqBuWhIhS1uq2aEfn3fdA2Rbz0la1yU4apqzx_Uwo8rX1QZ"
	"J1jmQ1QwzeqoApol6E62pbFoi-LkWegheVhE7wjPyw\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_verify_options vo = { .at = 2000000100, .jwks = (const uint8_t *)jwks, .jwks_len = sizeof(jwks) - 1 };
	struct ms_checks checks = { 0 };
	struct ms_evidence *ev;
	struct ms_err err;
	EVP_PKEY *key = NULL;
	uint8_t *dec = NULL;
	size_t n;
	cJSON *json = NULL;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		if (ms_maa_inspect(data + 1, size - 1, &json, &err) == MS_OK) {
			char *text = ms_json_format(json);

			free(text);
		}
		cJSON_Delete(json);
		break;
	case 1:
		if (ms_jwks_key((const char *)data + 1, size - 1, "k", &key, &err) == MS_OK)
			EVP_PKEY_free(key);
		break;
	case 2:
		if (!(ev = calloc(1, sizeof(*ev))))
			return 0;
		ms_maa_verify(data + 1, size - 1, &vo, ev, &checks, &err);
		ms_checks_free(&checks);
		free(ev);
		break;
	default:
		if (ms_base64url_decode((const char *)data + 1, size - 1, &dec, &n, "fuzz", &err) == MS_OK && n > size)
			abort();
		free(dec);
	}
	return 0;
}
