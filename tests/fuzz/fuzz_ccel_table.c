/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the CCEL ACPI table (--ccel-table) and the log area it sizes.
 * The input is a table followed by a log; as measure tdx eventlog does, a
 * table whose log area is longer than what follows is refused, otherwise
 * that many bytes are walked, each event decoded and formatted as JSON.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../common/json.h"
#include "../../tdx/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum ms_status format_event(void *arg, const struct ms_tdx_event *e, struct ms_err *err)
{
	cJSON *item = ms_tdx_event_json(e);
	char *text = item ? ms_json_format_nested(item, 2) : NULL;

	(void)arg;
	cJSON_Delete(item);
	if (!text)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	free(text);
	return MS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ccel c;
	struct ms_err err;
	uint64_t laml, lasa;
	size_t table_len;

	if (ms_ccel_table_parse(data, size, &laml, &lasa, &err) != MS_OK)
		return 0;
	table_len = (size_t)data[4] | (size_t)data[5] << 8 | (size_t)data[6] << 16 | (size_t)data[7] << 24;
	if (laml > size - table_len)
		return 0;
	if (ms_ccel_walk(data + table_len, (size_t)laml, &c, format_event, NULL, &err) == MS_OK &&
	    c.nextends > c.nevents)
		abort(); /* every RTMR event is a record */
	return 0;
}
