/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: an image tarball (OCI layout or docker-archive) read as
 * measure image reads it, with and without a --platform choice.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_image img;
	struct ms_err err;

	if (ms_image_read_tar_memory(data, size, NULL, &img, &err) == MS_OK)
		ms_image_free(&img);
	if (ms_image_read_tar_memory(data, size, "linux/arm64", &img, &err) == MS_OK)
		ms_image_free(&img);
	return 0;
}
