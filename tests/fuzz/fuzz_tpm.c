/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the TPM 2.0 structures of 'measure tpm quote'. The first byte
 * picks the parser (TPMS_ATTEST, TPMT_SIGNATURE, AK, PCR values, a whole
 * quote check, a PC Client event log replayed with its transcript, or an init-data TOML's digest); the rest is its input. Decoded structures are formatted as
 * JSON, as the CLI does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "../../compare/tpm.h"
#include "../../tdx/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void format(cJSON *json)
{
	char *text = json ? ms_json_format(json) : NULL;

	free(text);
	cJSON_Delete(json);
}

/* A quote check: [u16 msg length][msg][u16 sig length][sig][u16 ak length][ak][pcrs]. */
static void whole(const uint8_t *p, size_t n)
{
	const uint8_t *part[3];
	size_t len[3];
	struct ms_tpm_pcrs *pcrs = calloc(1, sizeof(*pcrs));
	struct ms_tpm_verdict v;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ak = NULL;
	struct ms_err err;

	for (int i = 0; i < 3; i++) {
		if (n < 2 || (size_t)(p[0] | p[1] << 8) > n - 2)
			goto out;
		len[i] = (size_t)(p[0] | p[1] << 8);
		part[i] = p + 2;
		p += 2 + len[i], n -= 2 + len[i];
	}
	if (!pcrs || ms_tpm_signature_parse(part[1], len[1], &sig, &err) || ms_tpm_ak_load(part[2], len[2], &ak, NULL, &err) ||
	    ms_tpm_pcrs_parse(p, n, pcrs, &err))
		goto out;
	ms_tpm_quote_verify(part[0], len[0], &sig, ak, part[0], len[0] > 8 ? 8 : len[0], pcrs, &v, &err);
out:
	EVP_PKEY_free(ak);
	free(pcrs);
}

static enum ms_status describe(void *arg, const struct ms_tcg_record *r, const char *description, struct ms_err *err)
{
	(void)arg;
	(void)err;
	(void)description;
	if (r->index >= MS_PCR_LOG_PCRS || r->number == 0)
		abort(); /* only events into PCR0-23 extend, and the header is never one */
	return MS_OK;
}

static void replay(const uint8_t *p, size_t n)
{
	struct ms_pcr_log *log = malloc(sizeof(*log));
	struct ms_err err;

	if (log && ms_pcr_log_replay(p, n, log, describe, NULL, &err) == MS_OK && log->h.end > n)
		abort();
	free(log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_tpm_pcrs *pcrs;
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ak = NULL;
	struct ms_err err;

	if (size < 1)
		return 0;
	switch (data[0] % 7) {
	case 0:
		if (ms_tpm_attest_parse(data + 1, size - 1, &attest, &err) == MS_OK)
			format(ms_tpm_attest_json(&attest));
		break;
	case 1:
		if (ms_tpm_signature_parse(data + 1, size - 1, &sig, &err) == MS_OK)
			format(ms_tpm_signature_json(&sig));
		break;
	case 2:
		if (ms_tpm_ak_load(data + 1, size - 1, &ak, NULL, &err) == MS_OK)
			EVP_PKEY_free(ak);
		break;
	case 3:
		if (!(pcrs = calloc(1, sizeof(*pcrs))))
			return 0;
		if (ms_tpm_pcrs_parse(data + 1, size - 1, pcrs, &err) == MS_OK) {
			TPML_PCR_SELECTION sel = { .count = 1 };

			sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
			sel.pcrSelections[0].sizeofSelect = 3;
			memset(sel.pcrSelections[0].pcrSelect, 0xff, 3);
			format(ms_tpm_pcrs_json(pcrs, &sel));
		}
		free(pcrs);
		break;
	case 4:
		whole(data + 1, size - 1);
		break;
	case 6: {
		uint8_t digest[32];

		ms_init_data_digest(data + 1, size - 1, digest, &err);
		break;
	}
	default:
		replay(data + 1, size - 1);
	}
	return 0;
}
