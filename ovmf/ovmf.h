/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_OVMF_H
#define MS_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/guid.h"
#include "../common/status.h"

#define MS_PAGE_SIZE 4096
/* More descriptors than any firmware has; a larger count is refused. */
#define MS_SEV_MAX_SECTIONS 64
/*
 * The SEV metadata sections may describe this much guest memory in all
 * (each section is measured page by page); Debian's and AMD's OVMF builds
 * describe under 1 MiB. Sections may not overlap.
 */
#define MS_SEV_MAX_SECTION_BYTES (256ull << 20)


enum ms_sev_section_type {
	MS_SEV_SEC_MEM = 1,
	MS_SEV_SECRETS = 2,
	MS_SEV_CPUID = 3,
	MS_SEV_SVSM_CAA = 4,
	MS_SEV_KERNEL_HASHES = 0x10,
};

struct ms_sev_section {
	uint32_t gpa, size, type;
};

/* What the footer GUID table of an OVMF (or SVSM) image says. */
struct ms_ovmf {
	const uint8_t *data;
	size_t size;
	bool has_table;
	bool has_reset_eip;
	uint32_t reset_eip;        /* SEV-ES reset block: the APs' entry point */
	bool has_hashes_table;
	uint32_t hashes_table_gpa, hashes_table_size;
	bool has_sev_metadata;
	uint32_t sev_metadata_offset; /* from the end of the image */
	bool has_tdx_metadata;
	uint32_t tdx_metadata_offset; /* from the end of the image */
	bool has_svsm_info;
	uint32_t svsm_info_offset;
	unsigned nsections;
	struct ms_sev_section sections[MS_SEV_MAX_SECTIONS];
};

/*
 * Parses the footer GUID table (ending 32 bytes before the end of the image)
 * and the SEV metadata it points to. An image without the footer GUID is
 * not an error: it has no table. Every offset is checked against the image;
 * SEV metadata sections that overlap, or that describe more than
 * MS_SEV_MAX_SECTION_BYTES in all, are refused.
 */
enum ms_status ms_ovmf_parse(const uint8_t *data, size_t size, struct ms_ovmf *out,
			     struct ms_err *err);

const char *ms_sev_section_name(uint32_t type);

#endif
