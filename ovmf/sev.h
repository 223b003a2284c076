/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_SEV_H
#define MS_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "ovmf.h"

#define MS_SEV_HASHES_TABLE_LEN 176 /* 168 bytes, padded to 16 */
#define MS_SNP_MAX_VCPUS 512

enum ms_sev_mode { MS_MODE_SEV, MS_MODE_SEV_ES, MS_MODE_SNP, MS_MODE_SNP_OVMF_HASH, MS_MODE_SNP_SVSM };
enum ms_vmm { MS_VMM_QEMU, MS_VMM_EC2, MS_VMM_GCE };

/* SNP PAGE_INFO page types. */
enum ms_snp_page {
	MS_SNP_PAGE_NORMAL = 1,
	MS_SNP_PAGE_VMSA = 2,
	MS_SNP_PAGE_ZERO = 3,
	MS_SNP_PAGE_UNMEASURED = 4,
	MS_SNP_PAGE_SECRETS = 5,
	MS_SNP_PAGE_CPUID = 6,
};

/* One step of the computation, for --explain. */
struct ms_sev_event {
	const char *what;      /* "firmware", a section name, "VMSA", "digest after ..." */
	int page_type;         /* 0 for a digest checkpoint */
	uint64_t gpa, pages;
	const uint8_t *digest; /* the digest after this step (checkpoints) */
	size_t digest_len;
};
typedef void ms_sev_event_fn(void *arg, const struct ms_sev_event *ev);
/* Called with each vCPU's VMSA page, for --dump-vmsa; non-zero aborts. */
typedef int ms_sev_vmsa_fn(void *arg, unsigned vcpu, const uint8_t page[MS_PAGE_SIZE]);

struct ms_sev_config {
	enum ms_sev_mode mode;
	enum ms_vmm vmm;
	unsigned vcpus;
	uint32_t vcpu_sig;
	uint64_t guest_features;
	/* measured direct boot: SHA-256 of kernel, initrd (or of nothing), cmdline+NUL (or of "\0") */
	bool kernel;
	uint8_t kernel_sha256[MS_SHA256_LEN], initrd_sha256[MS_SHA256_LEN], append_sha256[MS_SHA256_LEN];
	/* SNP: start from a precomputed firmware digest instead of hashing the firmware */
	bool ovmf_hash;
	uint8_t ovmf_hash_value[MS_SHA384_LEN];
	/* snp:svsm */
	const struct ms_ovmf *svsm;
	uint64_t vars_size;
	/* VMSA profile knobs (sev-snp-measure 0.0.13 defaults: init2 on, ec2_rdx 0x600) */
	bool init2;
	uint64_t ec2_rdx;
	ms_sev_event_fn *event;
	ms_sev_vmsa_fn *vmsa;
	void *arg;
};

/*
 * The launch digest: SHA-384 for the SNP modes (for snp:ovmf-hash, the
 * digest after the firmware pages), SHA-256 for SEV and SEV-ES. *len is set
 * to the digest's length.
 */
enum ms_status ms_sev_launch_digest(const struct ms_ovmf *ovmf, const struct ms_sev_config *cfg,
				    uint8_t out[MS_SHA384_LEN], size_t *len, struct ms_err *err);

/* QEMU's SEV hashes table (kernel-hashes=on), padded to 176 bytes. */
void ms_sev_hashes_table(const uint8_t kernel[MS_SHA256_LEN], const uint8_t initrd[MS_SHA256_LEN],
			 const uint8_t append[MS_SHA256_LEN], uint8_t out[MS_SEV_HASHES_TABLE_LEN]);

/* The VMSA page of one vCPU under cfg (eip: the reset address). */
void ms_sev_vmsa(const struct ms_sev_config *cfg, bool bsp, uint32_t eip,
		 uint8_t page[MS_PAGE_SIZE]);

/* CPUID Fn0000_0001_EAX from family, model, stepping. */
uint32_t ms_cpu_signature(unsigned family, unsigned model, unsigned stepping);

/* QEMU CPU model name (EPYC, EPYC-v4, EPYC-Milan, ...) to signature; 0 if unknown. */
uint32_t ms_vcpu_type_signature(const char *name);
/* The known model names, NULL-terminated. */
extern const char *const ms_vcpu_type_names[];

const char *ms_sev_mode_name(enum ms_sev_mode mode);
const char *ms_vmm_name(enum ms_vmm vmm);

#endif
