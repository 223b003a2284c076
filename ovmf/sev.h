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
 * The measured direct-boot inputs as bytes, for ms_sev_measure to hash on its
 * threads while it hashes the firmware pages. data NULL: the SHA-256 in the
 * config is used as given. The cmdline is hashed as given: pass its bytes and
 * the NUL QEMU adds.
 */
struct ms_sev_boot_bytes {
	const uint8_t *data[3]; /* kernel, initrd, cmdline (with its NUL) */
	size_t len[3];
};

struct ms_sev_result {
	uint8_t digest[MS_SHA384_LEN];
	size_t len;                          /* 48 (SNP), 32 (SEV, SEV-ES) */
	bool has_launch_digest;              /* false: snp:ovmf-hash without vCPUs */
	bool has_firmware_digest;            /* SNP modes: the digest after the firmware pages */
	uint8_t firmware_digest[MS_SHA384_LEN];
	/* the SHA-256 of kernel, initrd and cmdline the digest used */
	uint8_t kernel_sha256[MS_SHA256_LEN], initrd_sha256[MS_SHA256_LEN], append_sha256[MS_SHA256_LEN];
};

/*
 * An engine computes launch digests with a fixed pool of threads and keeps
 * what configurations share: the digest after the firmware pages (per image
 * buffer), the SHA-256 of each boot-input buffer, and the digest after the
 * SEV metadata sections (per firmware digest, sections, VMM type and
 * kernel-hashes table). Buffers handed to an engine must stay mapped and
 * unchanged until it is freed. threads: how many may hash at once (1: only
 * the caller's).
 */
struct ms_sev_engine;
struct ms_sev_engine *ms_sev_engine_new(unsigned threads);
void ms_sev_engine_free(struct ms_sev_engine *e);

/*
 * The launch digest of cfg: SHA-384 for the SNP modes, SHA-256 for SEV and
 * SEV-ES. In snp:ovmf-hash mode the firmware digest always, and the launch
 * digest too when cfg->vcpus is not 0. boot may be NULL. e may be NULL (two
 * threads, nothing kept).
 */
enum ms_status ms_sev_measure(struct ms_sev_engine *e, const struct ms_ovmf *ovmf,
			      const struct ms_sev_config *cfg, const struct ms_sev_boot_bytes *boot,
			      struct ms_sev_result *res, struct ms_err *err);

/*
 * SNP (mode snp) launch digests for 1 to max_vcpus vCPUs at once: out[n - 1]
 * is the digest with n vCPUs (cfg->vcpus is ignored). The VMSA pages extend
 * the chain one per vCPU, so this costs one PAGE_INFO hash per count.
 */
enum ms_status ms_snp_digests_by_vcpus(struct ms_sev_engine *e, const struct ms_ovmf *ovmf,
				       const struct ms_sev_config *cfg, const struct ms_sev_boot_bytes *boot,
				       unsigned max_vcpus, uint8_t (*out)[MS_SHA384_LEN], struct ms_err *err);

/* ms_sev_measure's digest alone (the SHA-256 of the boot inputs taken from cfg). */
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
