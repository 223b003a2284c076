/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: Azure vTPM evidence. The first byte picks the parser: the HCL
 * report alone, trustee's JSON decoded and inspected, or the whole
 * verification (which stops at the hardware report's signature unless the
 * input carries a real one); the rest is its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "../../compare/azure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_hcl_report hcl;
	struct ms_azure_vtpm az;
	struct ms_verify_options vo = { .at = 1750000000 };
	struct ms_evidence *ev;
	struct ms_checks checks = { 0 };
	struct ms_err err;
	cJSON *json = NULL;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (ms_hcl_parse(data + 1, size - 1, &hcl, &err) == MS_OK &&
		    (hcl.var_data + hcl.var_size > data + size || hcl.hw_report + MS_HCL_HW_REPORT_LEN > data + size))
			abort(); /* a parsed report never points past its input */
		break;
	case 1:
		if (ms_azure_vtpm_inspect(data + 1, size - 1, &json, &err) == MS_OK) {
			char *text = ms_json_format(json);

			free(text);
		}
		cJSON_Delete(json);
		break;
	default:
		if (!(ev = calloc(1, sizeof(*ev))))
			return 0;
		memset(&az, 0, sizeof(az));
		ms_azure_vtpm_verify(data + 1, size - 1, &vo, &az, ev, &checks, &err);
		ms_azure_vtpm_free(&az);
		ms_checks_free(&checks);
		free(ev);
	}
	return 0;
}
