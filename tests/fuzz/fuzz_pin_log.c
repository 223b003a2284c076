/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: pin log verification over entries it did not write. Each input
 * line becomes a log entry (appended through the store, so leaves, nodes and
 * heads agree), deployment rows are left as they are (none), and the whole
 * log is verified: entry JSON, canonical form, seq and column checks, the
 * replay of deployments and operator signatures. All in one transaction that
 * is rolled back, on one SQLite file reused across inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../pin/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ms_store *store;

static struct ms_store *get_store(void)
{
	struct ms_err err = { 0 };
	char path[64];

	if (store)
		return store;
	snprintf(path, sizeof(path), "/tmp/fuzz_pin_log.%d.db", (int)getpid());
	remove(path);
	if (ms_store_open(path, true, &store, &err))
		abort();
	return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_store *s = get_store();
	struct ms_err err = { 0 };
	uint8_t root[32];
	uint64_t seq = 0, verified;
	char *text;
	size_t start = 0;

	if (size > 1 << 16 || memchr(data, '\0', size))
		return 0;
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ms_store_begin(s, true, &err))
		abort();
	for (size_t i = 0; i <= size && seq < 64; i++) {
		struct ms_entry e = { .seq = seq, .deployment = "d", .kind = "add", .time = "t" };

		if (i < size && text[i] != '\n')
			continue;
		text[i] = '\0';
		e.json = text + start;
		/* the columns as the CLI would write them, so that verification gets past them */
		{
			cJSON *j = cJSON_Parse(e.json);
			const cJSON *v;

			if ((v = cJSON_GetObjectItemCaseSensitive(j, "kind")) && cJSON_IsString(v))
				snprintf(e.kind, sizeof(e.kind), "%s", v->valuestring);
			if ((v = cJSON_GetObjectItemCaseSensitive(j, "deployment")) && cJSON_IsString(v))
				snprintf(e.deployment, sizeof(e.deployment), "%s", v->valuestring);
			if ((v = cJSON_GetObjectItemCaseSensitive(j, "time")) && cJSON_IsString(v))
				snprintf(e.time, sizeof(e.time), "%s", v->valuestring);
			cJSON_Delete(j);
		}
		start = i + 1;
		if (ms_store_append(s, &e, root, &err) == MS_OK)
			seq++;
	}
	(void)ms_store_log_verify(s, seq > 1 ? 1 : 0, root, &verified, root, &err);
	ms_store_rollback(s);
	free(text);
	return 0;
}
