/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TDX_PUBLISHED_H
#define MS_TDX_PUBLISHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"

/*
 * dstack's measurement.tdx.cbor (TdxOsImageMeasurement, version 3):
 *   { version: 3,
 *     image: { cmdline_sha384, kernel_authenticode, initrd_sha384 },   48-byte byte strings
 *     tdvf:  { ovmf: "pre202505", mrtd: { single_pass, two_pass }, td_hob } }
 * or the same map as JSON with hex strings (other top-level JSON members are
 * annotations and are not read; in the CBOR an unknown field is refused).
 *
 * cmdline_sha384 is the RTMR2 event of the command line as OVMF hands it to
 * the kernel: the image's cmdline, " initrd=initrd", UTF-16LE, with its NUL.
 * kernel_authenticode is the kernel's Authenticode SHA-384 after the setup
 * header edits QEMU before 10.2 makes for a guest of 2 GiB, or of 0xB0000000
 * bytes or more (below that the edits depend on the memory size).
 * td_hob is dstack's compact witness of the TD HOB, not the HOB itself.
 */
struct ms_tdx_published {
	uint8_t cmdline_sha384[MS_SHA384_LEN], kernel_authenticode[MS_SHA384_LEN], initrd_sha384[MS_SHA384_LEN];
	uint8_t mrtd_single_pass[MS_SHA384_LEN], mrtd_two_pass[MS_SHA384_LEN];
	char ovmf_variant[32];
	uint8_t td_hob[256];
	size_t td_hob_len;
};

/* The memory sizes for which dstack's published kernel_authenticode holds (see above). */
bool ms_tdx_published_kernel_memory_ok(uint64_t memory);

enum ms_status ms_tdx_published_parse(const uint8_t *buf, size_t len, const char *what, struct ms_tdx_published *out,
				      struct ms_err *err);

#endif
