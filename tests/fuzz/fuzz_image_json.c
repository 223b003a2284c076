/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the image documents on their own. The first byte picks the
 * kind (index, manifest, config, docker-archive manifest.json), the rest is
 * the document.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "index", "manifest", "config", "docker-manifest" };
	struct ms_err err;

	if (size < 1)
		return 0;
	ms_image_check_json(kinds[data[0] & 3], data + 1, size - 1, &err);
	return 0;
}
