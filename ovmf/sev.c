/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/bytes.h"
#include "sev.h"

#define FOUR_GIB 0x100000000ull
#define BSP_EIP 0xfffffff0u
#define VMSA_GPA 0x0000fffffffff000ull /* (u64)-1, page-aligned, bits above 51 clear */
#define PAGE_INFO_LEN 0x70




uint32_t ms_cpu_signature(unsigned family, unsigned model, unsigned stepping)
{
	unsigned base_family = family > 0xf ? 0xf : family;
	unsigned ext_family = family > 0xf ? (family - 0xf) & 0xff : 0;

	return ext_family << 20 | ((model >> 4) & 0xf) << 16 | base_family << 8 | (model & 0xf) << 4 |
	       (stepping & 0xf);
}

const char *const ms_vcpu_type_names[] = {
	"EPYC",	      "EPYC-v1",       "EPYC-v2",      "EPYC-IBPB",	"EPYC-v3",
	"EPYC-v4",    "EPYC-Rome",     "EPYC-Rome-v1", "EPYC-Rome-v2",	"EPYC-Rome-v3",
	"EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2", "EPYC-Genoa",	"EPYC-Genoa-v1",
	"EPYC-Turin", NULL,
};

uint32_t ms_vcpu_type_signature(const char *name)
{
	static const struct {
		const char *prefix;
		unsigned family, model, stepping;
	} families[] = {
		/* QEMU's CPU models: family, model, stepping of each generation */
		{ "EPYC-Rome", 23, 49, 0 },
		{ "EPYC-Milan", 25, 1, 1 },
		{ "EPYC-Genoa", 25, 17, 0 },
		{ "EPYC-Turin", 26, 0, 0 },
		{ "EPYC", 23, 1, 2 },
	};

	for (int i = 0; ms_vcpu_type_names[i]; i++) {
		if (strcasecmp(name, ms_vcpu_type_names[i]))
			continue;
		for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
			if (!strncasecmp(name, families[f].prefix, strlen(families[f].prefix)))
				return ms_cpu_signature(families[f].family, families[f].model,
							families[f].stepping);
	}
	return 0;
}

const char *ms_sev_mode_name(enum ms_sev_mode mode)
{
	switch (mode) {
	case MS_MODE_SEV:
		return "sev";
	case MS_MODE_SEV_ES:
		return "seves";
	case MS_MODE_SNP:
		return "snp";
	case MS_MODE_SNP_OVMF_HASH:
		return "snp:ovmf-hash";
	case MS_MODE_SNP_SVSM:
		return "snp:svsm";
	}
	return "?";
}

const char *ms_vmm_name(enum ms_vmm vmm)
{
	switch (vmm) {
	case MS_VMM_QEMU:
		return "QEMU";
	case MS_VMM_EC2:
		return "ec2";
	case MS_VMM_GCE:
		return "gce";
	}
	return "?";
}

void ms_sev_hashes_table(const uint8_t kernel[MS_SHA256_LEN], const uint8_t initrd[MS_SHA256_LEN],
			 const uint8_t append[MS_SHA256_LEN], uint8_t out[MS_SEV_HASHES_TABLE_LEN])
{
	static const char *const guids[] = {
		"97d02dd8-bd20-4c94-aa78-e7714d36ab2a", /* cmdline */
		"44baf731-3a2f-4bd7-9af1-41e29169781d", /* initrd */
		"4de79437-abd2-427f-b835-d5b172d2045b", /* kernel */
	};
	const uint8_t *hashes[] = { append, initrd, kernel };
	struct ms_guid table = ms_guid_parse("9438d606-4f22-4cc9-b479-a793d411fd21");

	memset(out, 0, MS_SEV_HASHES_TABLE_LEN);
	memcpy(out, table.b, 16);
	ms_put_le16(out + 16, 168);
	for (int i = 0; i < 3; i++) {
		uint8_t *e = out + 18 + 50 * i;
		struct ms_guid g = ms_guid_parse(guids[i]);

		memcpy(e, g.b, 16);
		ms_put_le16(e + 16, 50);
		memcpy(e + 18, hashes[i], MS_SHA256_LEN);
	}
}

static void segment(uint8_t *p, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base)
{
	ms_put_le16(p, selector);
	ms_put_le16(p + 2, attrib);
	ms_put_le32(p + 4, limit);
	ms_put_le64(p + 8, base);
}

enum vmsa_offset {
	VMSA_ES = 0x00, VMSA_CS = 0x10, VMSA_SS = 0x20, VMSA_DS = 0x30, VMSA_FS = 0x40,
	VMSA_GS = 0x50, VMSA_GDTR = 0x60, VMSA_LDTR = 0x70, VMSA_IDTR = 0x80, VMSA_TR = 0x90,
	VMSA_EFER = 0xd0, VMSA_CR4 = 0x148, VMSA_CR0 = 0x158, VMSA_DR7 = 0x160, VMSA_DR6 = 0x168,
	VMSA_RFLAGS = 0x170, VMSA_RIP = 0x178, VMSA_G_PAT = 0x268, VMSA_RDX = 0x310,
	VMSA_SEV_FEATURES = 0x3b0, VMSA_XCR0 = 0x3e8, VMSA_MXCSR = 0x408, VMSA_X87_FCW = 0x410,
};

/* Fields common to every layout (reset state of a vCPU). */
static void vmsa_common(uint8_t *page, uint64_t sev_features)
{
	segment(page + VMSA_GDTR, 0, 0, 0xffff, 0);
	segment(page + VMSA_LDTR, 0, 0x82, 0xffff, 0);
	segment(page + VMSA_IDTR, 0, 0, 0xffff, 0);
	ms_put_le64(page + VMSA_EFER, 0x1000);
	ms_put_le64(page + VMSA_CR4, 0x40);
	ms_put_le64(page + VMSA_DR7, 0x400);
	ms_put_le64(page + VMSA_DR6, 0xffff0ff0);
	ms_put_le64(page + VMSA_RFLAGS, 0x2);
	ms_put_le64(page + VMSA_G_PAT, 0x0007040600070406ull);
	ms_put_le64(page + VMSA_SEV_FEATURES, sev_features);
	ms_put_le64(page + VMSA_XCR0, 0x1);
}

void ms_sev_vmsa(const struct ms_sev_config *cfg, bool bsp, uint32_t eip, uint8_t page[MS_PAGE_SIZE])
{
	bool ec2 = cfg->vmm == MS_VMM_EC2, gce = cfg->vmm == MS_VMM_GCE;
	uint64_t features = cfg->mode == MS_MODE_SEV_ES ? 0 : cfg->guest_features;

	memset(page, 0, MS_PAGE_SIZE);
	vmsa_common(page, features);
	segment(page + VMSA_ES, 0, 0x93, 0xffff, 0);
	segment(page + VMSA_CS, 0xf000, ec2 && bsp ? 0x9a : 0x9b, 0xffff, eip & 0xffff0000u);
	segment(page + VMSA_SS, 0, ec2 ? 0x92 : 0x93, 0xffff, 0);
	segment(page + VMSA_DS, 0, 0x93, 0xffff, 0);
	segment(page + VMSA_FS, 0, 0x93, 0xffff, 0);
	segment(page + VMSA_GS, 0, 0x93, 0xffff, 0);
	segment(page + VMSA_TR, 0, ec2 ? 0x83 : 0x8b, 0xffff, 0);
	ms_put_le64(page + VMSA_CR0, 0x10);
	ms_put_le64(page + VMSA_RIP, eip & 0xffff);
	if (gce)
		ms_put_le64(page + VMSA_G_PAT, 0x00070106);
	ms_put_le64(page + VMSA_RDX, ec2 ? cfg->ec2_rdx : gce ? 0x600 : cfg->vcpu_sig);
	if (cfg->vmm == MS_VMM_QEMU && cfg->init2) {
		ms_put_le32(page + VMSA_MXCSR, 0x1f80);
		ms_put_le16(page + VMSA_X87_FCW, 0x37f);
	}
}

/* The VMSA of every vCPU under COCONUT-SVSM: long mode, entering the SVSM. */
static void svsm_vmsa(const struct ms_sev_config *cfg, uint64_t rip, uint8_t page[MS_PAGE_SIZE])
{
	memset(page, 0, MS_PAGE_SIZE);
	vmsa_common(page, cfg->guest_features);
	segment(page + VMSA_ES, 0x10, 0xc93, 0xffffffff, 0);
	segment(page + VMSA_CS, 0x08, 0xc9b, 0xffffffff, 0);
	segment(page + VMSA_SS, 0x10, 0xc93, 0xffffffff, 0);
	segment(page + VMSA_DS, 0x10, 0xc93, 0xffffffff, 0);
	segment(page + VMSA_FS, 0x10, 0xc93, 0xffffffff, 0);
	segment(page + VMSA_GS, 0, 0x93, 0xffff, 0);
	segment(page + VMSA_TR, 0, 0x8b, 0xffff, 0);
	ms_put_le64(page + VMSA_CR0, 0x11);
	ms_put_le64(page + VMSA_RIP, rip);
	ms_put_le64(page + VMSA_RDX, cfg->vcpu_sig);
	/* sev-snp-measure 0.0.13 sets MXCSR here but, by a quirk, never X87_FCW */
	ms_put_le32(page + VMSA_MXCSR, 0x1f80);
}

/* The SNP launch digest: LD := SHA-384(PAGE_INFO) for every page. */
struct gctx {
	uint8_t ld[MS_SHA384_LEN];
	struct ms_hash h;
	const struct ms_sev_config *cfg;
};

static void gctx_update(struct gctx *g, int type, uint64_t gpa, const uint8_t *contents)
{
	uint8_t info[PAGE_INFO_LEN] = { 0 };

	memcpy(info, g->ld, MS_SHA384_LEN);
	if (contents)
		memcpy(info + 0x30, contents, MS_SHA384_LEN);
	ms_put_le16(info + 0x60, PAGE_INFO_LEN);
	info[0x62] = (uint8_t)type;
	ms_put_le64(info + 0x68, gpa);
	ms_hash_update(&g->h, info, sizeof(info));
	ms_hash_final(&g->h, g->ld);
}

/* SHA-384 of pages [first, last) of data into contents. */
struct page_hashes {
	const uint8_t *data;
	uint64_t first, last;
	uint8_t (*contents)[MS_SHA384_LEN];
	enum ms_status status;
};

static void *hash_pages(void *arg)
{
	struct page_hashes *job = arg;
	struct ms_hash h;

	if (ms_hash_init(&h, MS_SHA384)) {
		job->status = MS_NO_MEMORY;
		return NULL;
	}
	for (uint64_t i = job->first; i < job->last; i++) {
		ms_hash_update(&h, job->data + i * MS_PAGE_SIZE, MS_PAGE_SIZE);
		ms_hash_final(&h, job->contents[i]);
	}
	ms_hash_free(&h);
	return NULL;
}

/*
 * Every page's contents hash is independent of the chain: hash them on two
 * threads, then chain the PAGE_INFOs in order.
 */
static enum ms_status gctx_normal_pages(struct gctx *g, uint64_t gpa, uint64_t pages,
					const uint8_t *data)
{
	uint8_t(*contents)[MS_SHA384_LEN] = malloc(pages * MS_SHA384_LEN + 1);
	struct page_hashes jobs[2] = { { data, 0, pages / 2, contents, MS_OK },
				       { data, pages / 2, pages, contents, MS_OK } };
	pthread_t helper;
	bool threaded;

	if (!contents)
		return MS_NO_MEMORY;
	threaded = pages >= 64 && pthread_create(&helper, NULL, hash_pages, &jobs[1]) == 0;
	if (!threaded)
		jobs[0].last = pages;
	hash_pages(&jobs[0]);
	if (threaded)
		pthread_join(helper, NULL);
	if (jobs[0].status || jobs[1].status) {
		free(contents);
		return MS_NO_MEMORY;
	}
	for (uint64_t i = 0; i < pages; i++)
		gctx_update(g, MS_SNP_PAGE_NORMAL, gpa + i * MS_PAGE_SIZE, contents[i]);
	free(contents);
	return MS_OK;
}

static void gctx_event(struct gctx *g, const char *what, int type, uint64_t gpa, uint64_t pages)
{
	if (g->cfg->event) {
		struct ms_sev_event ev = { what, type, gpa, pages, g->ld, MS_SHA384_LEN };

		g->cfg->event(g->cfg->arg, &ev);
	}
}

/* Pages whose PAGE_INFO carries no contents hash (ZERO, SECRETS, CPUID, ...). */
static void gctx_pages(struct gctx *g, int type, uint64_t gpa, uint64_t len, const char *what)
{
	uint64_t pages = (len + MS_PAGE_SIZE - 1) / MS_PAGE_SIZE;

	for (uint64_t i = 0; i < pages; i++)
		gctx_update(g, type, gpa + i * MS_PAGE_SIZE, NULL);
	gctx_event(g, what, type, gpa, pages);
}

static void checkpoint(const struct ms_sev_config *cfg, const char *what, const uint8_t *digest,
		       size_t len)
{
	if (cfg->event) {
		struct ms_sev_event ev = { what, 0, 0, 0, digest, len };

		cfg->event(cfg->arg, &ev);
	}
}

static enum ms_status firmware_pages(struct gctx *g, const struct ms_ovmf *img, uint64_t base,
				     const char *what, struct ms_err *err)
{
	if (img->size % MS_PAGE_SIZE)
		return ms_fail(err, MS_BAD_INPUT, "%s size 0x%zx is not a multiple of 4096", what, img->size);
	if (gctx_normal_pages(g, base, img->size / MS_PAGE_SIZE, img->data))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	gctx_event(g, what, MS_SNP_PAGE_NORMAL, base, img->size / MS_PAGE_SIZE);
	return MS_OK;
}

/* The kernel-hashes page: zeros with the table at the table GPA's page offset. */
static enum ms_status hashes_page(const struct ms_ovmf *o, const struct ms_sev_config *cfg,
				  const struct ms_sev_section *s, uint8_t page[MS_PAGE_SIZE],
				  struct ms_err *err)
{
	size_t at;

	if (!o->has_hashes_table)
		return ms_fail(err, MS_BAD_INPUT,
			       "the firmware has an SNP_KERNEL_HASHES section but no SEV hashes table entry");
	if (s->size != MS_PAGE_SIZE)
		return ms_fail(err, MS_BAD_INPUT, "SNP_KERNEL_HASHES section at GPA 0x%x is 0x%x bytes, not 4096",
			       s->gpa, s->size);
	at = o->hashes_table_gpa & 0xfff;
	if (at + MS_SEV_HASHES_TABLE_LEN > MS_PAGE_SIZE)
		return ms_fail(err, MS_BAD_INPUT,
			       "SEV hashes table at GPA 0x%x does not fit in its page", o->hashes_table_gpa);
	memset(page, 0, MS_PAGE_SIZE);
	ms_sev_hashes_table(cfg->kernel_sha256, cfg->initrd_sha256, cfg->append_sha256, page + at);
	return MS_OK;
}

static enum ms_status metadata_sections(struct gctx *g, const struct ms_ovmf *o, bool kernel,
					struct ms_err *err)
{
	const struct ms_sev_config *cfg = g->cfg;
	bool has_hashes = false;
	uint8_t page[MS_PAGE_SIZE], contents[MS_SHA384_LEN];
	enum ms_status st;

	for (unsigned i = 0; i < o->nsections; i++) {
		const struct ms_sev_section *s = &o->sections[i];
		const char *name = ms_sev_section_name(s->type);

		switch (s->type) {
		case MS_SEV_SEC_MEM:
			gctx_pages(g, cfg->vmm == MS_VMM_GCE ? MS_SNP_PAGE_UNMEASURED : MS_SNP_PAGE_ZERO,
				   s->gpa, s->size, name);
			break;
		case MS_SEV_SECRETS:
			gctx_pages(g, MS_SNP_PAGE_SECRETS, s->gpa, MS_PAGE_SIZE, name);
			break;
		case MS_SEV_CPUID:
			if (cfg->vmm != MS_VMM_EC2)
				gctx_pages(g, MS_SNP_PAGE_CPUID, s->gpa, MS_PAGE_SIZE, name);
			break;
		case MS_SEV_SVSM_CAA:
			gctx_pages(g, MS_SNP_PAGE_ZERO, s->gpa, s->size, name);
			break;
		case MS_SEV_KERNEL_HASHES:
			has_hashes = true;
			if (!kernel) {
				gctx_pages(g, MS_SNP_PAGE_ZERO, s->gpa, s->size, name);
				break;
			}
			if ((st = hashes_page(o, cfg, s, page, err)))
				return st;
			ms_hash_update(&g->h, page, MS_PAGE_SIZE);
			ms_hash_final(&g->h, contents);
			gctx_update(g, MS_SNP_PAGE_NORMAL, s->gpa, contents);
			gctx_event(g, "SNP_KERNEL_HASHES (kernel, initrd, cmdline)", MS_SNP_PAGE_NORMAL,
				   s->gpa, 1);
			break;
		}
	}
	if (kernel && !has_hashes)
		return ms_fail(err, MS_BAD_INPUT,
			       "a kernel was given, but the firmware's SEV metadata has no SNP_KERNEL_HASHES section (it cannot do measured direct boot)");
	if (cfg->vmm == MS_VMM_EC2)
		for (unsigned i = 0; i < o->nsections; i++)
			if (o->sections[i].type == MS_SEV_CPUID)
				gctx_pages(g, MS_SNP_PAGE_CPUID, o->sections[i].gpa, MS_PAGE_SIZE,
					   "CPUID (ec2: after the other sections)");
	return MS_OK;
}

static enum ms_status vmsas(struct gctx *g, struct ms_hash *sha256, const struct ms_ovmf *o,
			    struct ms_err *err)
{
	const struct ms_sev_config *cfg = g->cfg;
	uint8_t page[2][MS_PAGE_SIZE], contents[2][MS_SHA384_LEN];
	uint64_t svsm_base = 0;

	if (cfg->mode == MS_MODE_SNP_SVSM) {
		svsm_base = FOUR_GIB - o->size - cfg->vars_size - cfg->svsm->size;
		svsm_vmsa(cfg, svsm_base + cfg->svsm->svsm_info_offset, page[0]);
		memcpy(page[1], page[0], MS_PAGE_SIZE);
	} else {
		if (!o->has_reset_eip)
			return ms_fail(err, MS_BAD_INPUT,
				       "the firmware has no SEV-ES reset block, so its APs cannot start under %s",
				       ms_sev_mode_name(cfg->mode));
		ms_sev_vmsa(cfg, true, BSP_EIP, page[0]);
		ms_sev_vmsa(cfg, false, o->reset_eip, page[1]);
	}
	if (!sha256)
		for (int i = 0; i < 2; i++) {
			ms_hash_update(&g->h, page[i], MS_PAGE_SIZE);
			ms_hash_final(&g->h, contents[i]);
		}
	for (unsigned v = 0; v < cfg->vcpus; v++) {
		const uint8_t *p = page[v ? 1 : 0];

		if (cfg->vmsa && cfg->vmsa(cfg->arg, v, p))
			return ms_fail(err, MS_BAD_INPUT, "cannot write the VMSA of vCPU %u", v);
		if (sha256)
			ms_hash_update(sha256, p, MS_PAGE_SIZE);
		else
			gctx_update(g, MS_SNP_PAGE_VMSA, VMSA_GPA, contents[v ? 1 : 0]);
	}
	if (cfg->event) {
		struct ms_sev_event ev = { "VMSA (vCPU 0 BSP, then APs)", MS_SNP_PAGE_VMSA, VMSA_GPA,
					   cfg->vcpus, sha256 ? NULL : g->ld, sha256 ? 0 : MS_SHA384_LEN };

		cfg->event(cfg->arg, &ev);
	}
	return MS_OK;
}

/* SEV and SEV-ES: one SHA-256 over firmware, hashes table and (SEV-ES) VMSAs. */
static enum ms_status sev_es_digest(const struct ms_ovmf *o, const struct ms_sev_config *cfg,
				    struct gctx *g, uint8_t *out, struct ms_err *err)
{
	struct ms_hash h;
	enum ms_status st = MS_OK;

	if (ms_hash_init(&h, MS_SHA256))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	ms_hash_update(&h, o->data, o->size);
	if (cfg->event) {
		struct ms_sev_event ev = { "firmware (SHA-256 stream)", 0, FOUR_GIB - o->size,
					   o->size / MS_PAGE_SIZE, NULL, 0 };

		cfg->event(cfg->arg, &ev);
	}
	if (cfg->kernel) {
		uint8_t table[MS_SEV_HASHES_TABLE_LEN];

		if (!o->has_hashes_table || o->hashes_table_gpa == 0) {
			st = ms_fail(err, MS_BAD_INPUT,
				     "a kernel was given, but the firmware has no SEV hashes table (%s)",
				     o->has_hashes_table ? "its entry says GPA 0" : "no table entry");
			goto out;
		}
		ms_sev_hashes_table(cfg->kernel_sha256, cfg->initrd_sha256, cfg->append_sha256, table);
		ms_hash_update(&h, table, sizeof(table));
	}
	if (cfg->mode == MS_MODE_SEV_ES && (st = vmsas(g, &h, o, err)))
		goto out;
	ms_hash_final(&h, out);
	checkpoint(cfg, "launch digest", out, MS_SHA256_LEN);
out:
	ms_hash_free(&h);
	return st;
}

enum ms_status ms_sev_launch_digest(const struct ms_ovmf *o, const struct ms_sev_config *cfg,
				    uint8_t out[MS_SHA384_LEN], size_t *len, struct ms_err *err)
{
	struct gctx g = { .cfg = cfg };
	enum ms_status st = MS_OK;

	if (cfg->mode != MS_MODE_SEV && cfg->mode != MS_MODE_SNP_OVMF_HASH &&
	    (cfg->vcpus == 0 || cfg->vcpus > MS_SNP_MAX_VCPUS))
		return ms_fail(err, MS_USAGE, "vcpus must be 1 to %d, not %u", MS_SNP_MAX_VCPUS, cfg->vcpus);
	if (o->size > FOUR_GIB / 2)
		return ms_fail(err, MS_BAD_INPUT, "firmware of 0x%zx bytes cannot map below 4 GiB", o->size);
	if (ms_hash_init(&g.h, MS_SHA384))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (cfg->mode == MS_MODE_SEV || cfg->mode == MS_MODE_SEV_ES) {
		*len = MS_SHA256_LEN;
		st = sev_es_digest(o, cfg, &g, out, err);
		goto out;
	}
	*len = MS_SHA384_LEN;
	if (cfg->ovmf_hash && cfg->mode != MS_MODE_SNP_OVMF_HASH) {
		memcpy(g.ld, cfg->ovmf_hash_value, MS_SHA384_LEN);
		checkpoint(cfg, "firmware digest given (--snp-ovmf-hash)", g.ld, MS_SHA384_LEN);
	} else {
		if ((st = firmware_pages(&g, o, FOUR_GIB - o->size, "firmware", err)))
			goto out;
	}
	if (cfg->mode == MS_MODE_SNP_OVMF_HASH) {
		memcpy(out, g.ld, MS_SHA384_LEN);
		goto out;
	}
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		const struct ms_ovmf *svsm = cfg->svsm;

		if (!svsm->has_svsm_info) {
			st = ms_fail(err, MS_BAD_INPUT, "the SVSM image has no SVSM info entry in its footer table");
			goto out;
		}
		if (o->size + cfg->vars_size + svsm->size > FOUR_GIB / 2) {
			st = ms_fail(err, MS_BAD_INPUT, "OVMF, VARS and SVSM do not fit below 4 GiB");
			goto out;
		}
		if ((st = firmware_pages(&g, svsm, FOUR_GIB - o->size - cfg->vars_size - svsm->size,
					 "SVSM image", err)))
			goto out;
		checkpoint(cfg, "digest after the firmware", g.ld, MS_SHA384_LEN);
		if ((st = metadata_sections(&g, svsm, false, err)))
			goto out;
	} else {
		checkpoint(cfg, "digest after the firmware", g.ld, MS_SHA384_LEN);
		if ((st = metadata_sections(&g, o, cfg->kernel, err)))
			goto out;
	}
	checkpoint(cfg, "digest after the metadata sections", g.ld, MS_SHA384_LEN);
	if ((st = vmsas(&g, NULL, o, err)))
		goto out;
	checkpoint(cfg, "launch digest (after the VMSAs)", g.ld, MS_SHA384_LEN);
	memcpy(out, g.ld, MS_SHA384_LEN);
out:
	ms_hash_free(&g.h);
	return st;
}
