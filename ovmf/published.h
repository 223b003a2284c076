/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_OVMF_PUBLISHED_H
#define MS_OVMF_PUBLISHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"
#include "ovmf.h"

/* The longest kernel command line read from a published document (Linux's COMMAND_LINE_SIZE is 2048 on x86). */
#define MS_SNP_PUBLISHED_MAX_CMDLINE 4096

/*
 * What dstack publishes for an SEV-SNP image, measurement.snp.cbor (version 3:
 * cmdline, ovmf_hash, kernel_hash, initrd_hash, hashes_table_gpa, reset_eip,
 * ovmf_sections [{gpa, size, type}]), or that map as JSON with the byte
 * strings in hex. The JSON form may also carry the deployment's vcpus,
 * vcpu_type and guest_features (dstack keeps them beside the file, in the VM
 * configuration); other JSON members are annotations and are not read. The
 * CBOR is read exactly: an unknown field is refused there.
 *
 * The result is an ms_ovmf with no image bytes (the firmware is represented
 * by ovmf_hash, the launch digest after its pages), usable with
 * ms_sev_launch_digest and cfg->ovmf_hash set.
 */
struct ms_snp_published {
	struct ms_ovmf ovmf;
	uint8_t ovmf_hash[MS_SHA384_LEN];
	uint8_t kernel_sha256[MS_SHA256_LEN], initrd_sha256[MS_SHA256_LEN];
	char cmdline[MS_SNP_PUBLISHED_MAX_CMDLINE + 1];
	bool cbor;
	bool has_vcpus, has_vcpu_type, has_guest_features;
	unsigned vcpus;
	char vcpu_type[64];
	uint64_t guest_features;
};

enum ms_status ms_snp_published_parse(const uint8_t *buf, size_t len, const char *what,
				      struct ms_snp_published *out, struct ms_err *err);

/*
 * OVMF SEV metadata sections as JSON, for users holding the values and not
 * the firmware: an array of {"gpa", "size", "type"} objects, or an object
 * with such an array as "ovmf_sections" (and, optionally, "reset_eip" and
 * "hashes_table_gpa", which are then required to build a launch digest).
 * Sections are checked as the firmware parser checks them: known types, below
 * 4 GiB, no overlap, bounded in all.
 */
enum ms_status ms_snp_sections_parse(const uint8_t *buf, size_t len, const char *what, struct ms_ovmf *out,
				     struct ms_err *err);

#endif
