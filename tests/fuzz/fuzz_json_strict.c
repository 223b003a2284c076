/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the strict JSON parser as policies and manifests use it. Parsing
 * alone (the manifest use: nothing else is called after it), then reading
 * every number as an unsigned integer, printing and freeing the tree.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../common/json_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const cJSON *item)
{
	uint64_t v;

	for (; item; item = item->next) {
		if (cJSON_IsNumber(item) && !item->valuestring)
			abort(); /* every number keeps its literal */
		(void)ms_json_u64(item, true, UINT64_MAX, &v);
		(void)ms_json_u64(item, false, 255, &v);
		walk(item->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err;
	cJSON *j = NULL;
	char *s;

	/* the manifest use: parse, then nothing else */
	if (ms_json_parse_strict((const char *)data, size, "manifest", &j, &err) == MS_OK)
		cJSON_Delete(j);
	else if (j)
		abort(); /* a refusal hands back no tree */
	j = NULL;
	if (ms_json_parse_strict((const char *)data, size, "policy", &j, &err) != MS_OK)
		return 0;
	walk(j);
	s = cJSON_PrintUnformatted(j);
	free(s);
	cJSON_Delete(j);
	return 0;
}
