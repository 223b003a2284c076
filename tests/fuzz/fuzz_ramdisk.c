/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the input is one image layer (a tar, possibly gzip) flattened
 * into a customer ramdisk as measure eif ramdisk does: the layer is wrapped
 * in a one-entry outer tar in memory, the ramdisk written to a memory file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../common/digest.h"
#include "../../image/ramdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_all(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

/* A ustar header for a regular file "layer" of size bytes. */
static void ustar_header(uint8_t h[512], size_t size)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	memcpy(h, "layer", 5);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char config[] = "{\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"A=1\"]}}";
	static const uint8_t zero[1024];
	struct ms_image_layer layer = { .size = size, .path = (char *)"layer" };
	struct ms_image img = { .layer_count = 1, .layers = &layer, .config = (char *)config,
				.config_len = sizeof(config) - 1 };
	struct ms_image_source src = { .dirfd = -1 };
	struct ms_ramdisk_info info;
	struct ms_err err;
	uint8_t h[512];
	int tar = memfd_create("tar", 0), out = memfd_create("out", 0);

	if (tar < 0 || out < 0)
		goto out;
	ms_sha256(data, size, layer.digest);
	ustar_header(h, size);
	if (write_all(tar, h, 512) || write_all(tar, data, size) || write_all(tar, zero, (512 - size % 512) % 512) ||
	    write_all(tar, zero, 1024))
		goto out;
	src.tarfd = tar;
	ms_ramdisk_customer(&src, &img, out, 64u << 20, 256u << 20, &info, &err);
out:
	if (tar >= 0)
		close(tar);
	if (out >= 0)
		close(out);
	return 0;
}
