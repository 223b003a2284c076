/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: dstack's JSON event log, replayed with the run-time digests recomputed. */
#include <stdint.h>
#include <stdlib.h>

#include "../../tdx/dstack_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum ms_status count(void *arg, const struct ms_tdx_event *e, struct ms_err *err)
{
	(void)err;
	*(size_t *)arg += e->rtmr;
	return MS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ccel c;
	struct ms_err err;
	size_t n = 0;

	ms_dstack_log_walk(data, size, &c, count, &n, &err);
	return 0;
}
