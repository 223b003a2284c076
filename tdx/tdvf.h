/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TDVF_H
#define MS_TDVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"

#define MS_TDVF_MAX_SECTIONS 32
/*
 * The TDVF sections may describe this much guest memory in all (MemorySize
 * summed). The MRTD costs time in proportion to it (a 128-byte PAGE.ADD
 * record per page, 6 KiB of MR.EXTEND records per extended page, zero-filled
 * past RawDataSize: 0.8 s at the limit); Debian's OVMF describes 2.2 MiB.
 */
#define MS_TDVF_MAX_MEMORY (256ull << 20)

enum ms_tdvf_type {
	MS_TDVF_BFV = 0,
	MS_TDVF_CFV = 1,
	MS_TDVF_TD_HOB = 2,
	MS_TDVF_TEMP_MEM = 3,
	MS_TDVF_PERM_MEM = 4,
	MS_TDVF_PAYLOAD = 5,
	MS_TDVF_PAYLOAD_PARAM = 6,
};

#define MS_TDVF_MR_EXTEND 0x1u
#define MS_TDVF_PAGE_AUG 0x2u

struct ms_tdvf_section {
	uint32_t data_offset, raw_size;
	uint64_t address, memory_size;
	uint32_t type, attributes;
};

/* The TDVF metadata of a firmware image (offsets are into the whole image). */
struct ms_tdvf {
	const uint8_t *image;
	size_t size;
	uint32_t descriptor_offset;
	unsigned nsections;
	struct ms_tdvf_section sections[MS_TDVF_MAX_SECTIONS];
};

/*
 * Finds the TDVF descriptor through the OVMF footer table and validates every
 * section: alignment, sizes, data inside the image, no overlapping memory, one
 * TD HOB, at most MS_TDVF_MAX_MEMORY described in all. A split CODE image
 * whose offsets assume the VARS in front is recognised and named as such (its
 * caller should prepend the VARS).
 */
enum ms_status ms_tdvf_parse(const uint8_t *image, size_t size, struct ms_tdvf *out,
			     struct ms_err *err);

const char *ms_tdvf_type_name(uint32_t type);

enum ms_page_add_order { MS_SINGLE_PASS, MS_TWO_PASS };

/* MRTD: one SHA-384 stream over the TDH.MEM.PAGE.ADD and TDH.MR.EXTEND operations. */
enum ms_status ms_tdx_mrtd(const struct ms_tdvf *t, enum ms_page_add_order order, uint8_t out[MS_SHA384_LEN],
			   struct ms_err *err);

/* The TD HOB QEMU writes for a guest of memory_size bytes (the TDVF TD_HOB section). */
enum ms_status ms_tdx_td_hob(const struct ms_tdvf *t, uint64_t memory_size, uint8_t **hob,
			     size_t *len, struct ms_err *err);

#endif
