/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdatomic.h>
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

/*
 * The thread pool: a fixed number of threads take jobs (a run of firmware
 * pages, or one boot input) from a shared counter until none is left; the
 * caller's thread takes them too.
 */
#define CHUNK_PAGES 64
#define THREADED_MIN_BYTES (256u << 10) /* less work than this is not worth a thread */
#define MAX_THREADS 16

struct job {
	const uint8_t *data;
	size_t len;   /* pages for a run of pages, bytes for a boot input */
	bool pages;
	uint8_t *out; /* a SHA-384 per page, or one SHA-256 */
};

struct pool {
	struct job *jobs;
	size_t njobs, cap;
	uint64_t bytes;
	atomic_size_t next;
	atomic_bool failed;
	pthread_t threads[MAX_THREADS];
	unsigned nthreads;
};

static bool pool_add(struct pool *p, const uint8_t *data, size_t len, bool pages, uint8_t *out)
{
	if (p->njobs == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct job *jobs = realloc(p->jobs, cap * sizeof(*jobs));

		if (!jobs)
			return false;
		p->jobs = jobs;
		p->cap = cap;
	}
	p->jobs[p->njobs++] = (struct job){ data, len, pages, out };
	p->bytes += pages ? (uint64_t)len * MS_PAGE_SIZE : len;
	return true;
}

/* Hashes of every page of a region, in runs of CHUNK_PAGES. */
static bool pool_add_pages(struct pool *p, const uint8_t *data, size_t pages, uint8_t (*contents)[MS_SHA384_LEN])
{
	for (size_t first = 0; first < pages; first += CHUNK_PAGES) {
		size_t n = pages - first < CHUNK_PAGES ? pages - first : CHUNK_PAGES;

		if (!pool_add(p, data + first * MS_PAGE_SIZE, n, true, contents[first]))
			return false;
	}
	return true;
}

static void run_job(struct pool *p, const struct job *j)
{
	struct ms_hash h;

	if (ms_hash_init(&h, j->pages ? MS_SHA384 : MS_SHA256)) {
		atomic_store(&p->failed, true);
		return;
	}
	if (j->pages) {
		for (size_t i = 0; i < j->len; i++) {
			ms_hash_update(&h, j->data + i * MS_PAGE_SIZE, MS_PAGE_SIZE);
			ms_hash_final(&h, j->out + i * MS_SHA384_LEN);
		}
	} else {
		ms_hash_update(&h, j->data, j->len);
		ms_hash_final(&h, j->out);
	}
	ms_hash_free(&h);
}

static void *pool_work(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->njobs)
		run_job(p, &p->jobs[i]);
	return NULL;
}

/* Starts up to threads - 1 helpers (none for little work); a helper that cannot start is not needed. */
static void pool_start(struct pool *p, unsigned threads)
{
	size_t want = threads > 1 ? threads - 1 : 0;

	if (want > MAX_THREADS)
		want = MAX_THREADS;
	if (want > p->njobs)
		want = p->njobs;
	if (p->bytes < THREADED_MIN_BYTES)
		want = 0;
	while (p->nthreads < want && pthread_create(&p->threads[p->nthreads], NULL, pool_work, p) == 0)
		p->nthreads++;
}

/* The caller's thread takes what is left, then waits; false if a hash could not be set up. */
static bool pool_finish(struct pool *p)
{
	pool_work(p);
	while (p->nthreads)
		pthread_join(p->threads[--p->nthreads], NULL);
	return !atomic_load(&p->failed);
}

/* What an engine keeps. Each list is searched linearly: a run holds few distinct inputs. */
#define CACHE_MAX 4096

struct region_entry { /* the digest after a region of pages, from a starting digest */
	const uint8_t *data;
	size_t size;
	uint64_t gpa;
	uint8_t start[MS_SHA384_LEN], ld[MS_SHA384_LEN];
};

struct blob_entry {
	const uint8_t *data;
	size_t len;
	uint8_t sha256[MS_SHA256_LEN];
};

/* Everything the digest after the metadata sections depends on (memset before filling: compared whole). */
struct prefix_key {
	uint8_t start[MS_SHA384_LEN];
	unsigned nsections;
	struct ms_sev_section sections[MS_SEV_MAX_SECTIONS];
	bool has_hashes_table, kernel;
	uint32_t hashes_table_gpa;
	enum ms_vmm vmm;
	uint8_t kernel_sha256[MS_SHA256_LEN], initrd_sha256[MS_SHA256_LEN], append_sha256[MS_SHA256_LEN];
};

struct prefix_entry {
	struct prefix_key key;
	uint8_t ld[MS_SHA384_LEN];
};

struct stream_entry { /* SEV, SEV-ES: the SHA-256 state after the firmware */
	const uint8_t *data;
	size_t size;
	struct ms_hash h;
};

struct ms_sev_engine {
	unsigned threads;
	struct region_entry *regions;
	struct blob_entry *blobs;
	struct prefix_entry *prefixes;
	struct stream_entry *streams;
	size_t nregions, nblobs, nprefixes, nstreams;
	size_t cap_regions, cap_blobs, cap_prefixes, cap_streams;
};

struct ms_sev_engine *ms_sev_engine_new(unsigned threads)
{
	struct ms_sev_engine *e = calloc(1, sizeof(*e));

	if (e)
		e->threads = threads ? threads : 1;
	return e;
}

void ms_sev_engine_free(struct ms_sev_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nstreams; i++)
		ms_hash_free(&e->streams[i].h);
	free(e->regions);
	free(e->blobs);
	free(e->prefixes);
	free(e->streams);
	free(e);
}

/* A free slot at the end of a list, or NULL (full or out of memory: the entry is simply not kept). */
static void *cache_slot(void **list, size_t *n, size_t *cap, size_t size)
{
	if (*n == CACHE_MAX)
		return NULL;
	if (*n == *cap) {
		size_t grown = *cap ? 2 * *cap : 8;
		void *p = realloc(*list, grown * size);

		if (!p)
			return NULL;
		*list = p;
		*cap = grown;
	}
	return (char *)*list + (*n)++ * size;
}

#define CACHE_SLOT(e, name) cache_slot((void **)&(e)->name, &(e)->n##name, &(e)->cap_##name, sizeof(*(e)->name))

static const struct region_entry *find_region(const struct ms_sev_engine *e, const uint8_t *data, size_t size,
					      uint64_t gpa, const uint8_t start[MS_SHA384_LEN])
{
	for (size_t i = 0; e && i < e->nregions; i++) {
		const struct region_entry *r = &e->regions[i];

		if (r->data == data && r->size == size && r->gpa == gpa && !memcmp(r->start, start, MS_SHA384_LEN))
			return r;
	}
	return NULL;
}

static const struct blob_entry *find_blob(const struct ms_sev_engine *e, const uint8_t *data, size_t len)
{
	for (size_t i = 0; e && i < e->nblobs; i++)
		if (e->blobs[i].data == data && e->blobs[i].len == len)
			return &e->blobs[i];
	return NULL;
}

static const struct prefix_entry *find_prefix(const struct ms_sev_engine *e, const struct prefix_key *key)
{
	for (size_t i = 0; e && i < e->nprefixes; i++)
		if (!memcmp(&e->prefixes[i].key, key, sizeof(*key)))
			return &e->prefixes[i];
	return NULL;
}

static const struct stream_entry *find_stream(const struct ms_sev_engine *e, const uint8_t *data, size_t size)
{
	for (size_t i = 0; e && i < e->nstreams; i++)
		if (e->streams[i].data == data && e->streams[i].size == size)
			return &e->streams[i];
	return NULL;
}

/* A region of firmware pages: its digest from the cache, or its page hashes planned on the pool. */
struct region {
	const char *what;
	const uint8_t *data;
	size_t size;
	uint64_t gpa;
	const struct region_entry *cached;
	uint8_t (*contents)[MS_SHA384_LEN];
};

static enum ms_status region_plan(struct ms_sev_engine *e, struct pool *p, struct region *r,
				  const uint8_t *start, bool use_cache, struct ms_err *err)
{
	if (r->size % MS_PAGE_SIZE)
		return ms_fail(err, MS_BAD_INPUT, "%s size 0x%zx is not a multiple of 4096", r->what, r->size);
	if (use_cache && start && (r->cached = find_region(e, r->data, r->size, r->gpa, start)))
		return MS_OK;
	r->contents = malloc(r->size / MS_PAGE_SIZE * MS_SHA384_LEN + 1);
	if (!r->contents || !pool_add_pages(p, r->data, r->size / MS_PAGE_SIZE, r->contents))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	return MS_OK;
}

/* Extends g by the region's pages (hashed by the pool, or from the cache) and keeps the result. */
static void region_chain(struct ms_sev_engine *e, struct gctx *g, const struct region *r, bool use_cache)
{
	uint8_t start[MS_SHA384_LEN];
	uint64_t pages = r->size / MS_PAGE_SIZE;
	struct region_entry *slot;

	if (r->cached) {
		memcpy(g->ld, r->cached->ld, MS_SHA384_LEN);
		gctx_event(g, r->what, MS_SNP_PAGE_NORMAL, r->gpa, pages);
		return;
	}
	memcpy(start, g->ld, MS_SHA384_LEN);
	for (uint64_t i = 0; i < pages; i++)
		gctx_update(g, MS_SNP_PAGE_NORMAL, r->gpa + i * MS_PAGE_SIZE, r->contents[i]);
	gctx_event(g, r->what, MS_SNP_PAGE_NORMAL, r->gpa, pages);
	if (use_cache && (slot = CACHE_SLOT(e, regions))) {
		*slot = (struct region_entry){ .data = r->data, .size = r->size, .gpa = r->gpa };
		memcpy(slot->start, start, MS_SHA384_LEN);
		memcpy(slot->ld, g->ld, MS_SHA384_LEN);
	}
}

/* The boot inputs given as bytes: their SHA-256 from the cache, or planned on the pool. */
struct boot_plan {
	uint8_t sha256[3][MS_SHA256_LEN];
	bool hashed[3]; /* by the pool, to be kept */
};

static bool boot_plan(struct ms_sev_engine *e, struct pool *p, const struct ms_sev_config *cfg,
		      const struct ms_sev_boot_bytes *boot, struct boot_plan *bp)
{
	const uint8_t *given[3] = { cfg->kernel_sha256, cfg->initrd_sha256, cfg->append_sha256 };

	for (int i = 0; i < 3; i++) {
		const struct blob_entry *b;

		bp->hashed[i] = false;
		if (!cfg->kernel || !boot || !boot->data[i]) {
			memcpy(bp->sha256[i], given[i], MS_SHA256_LEN);
		} else if ((b = find_blob(e, boot->data[i], boot->len[i]))) {
			memcpy(bp->sha256[i], b->sha256, MS_SHA256_LEN);
		} else {
			if (!pool_add(p, boot->data[i], boot->len[i], false, bp->sha256[i]))
				return false;
			bp->hashed[i] = true;
		}
	}
	return true;
}

static void boot_keep(struct ms_sev_engine *e, const struct ms_sev_boot_bytes *boot, const struct boot_plan *bp,
		      struct ms_sev_config *run, struct ms_sev_result *res)
{
	for (int i = 0; i < 3; i++) {
		struct blob_entry *slot;

		if (e && bp->hashed[i] && (slot = CACHE_SLOT(e, blobs))) {
			slot->data = boot->data[i];
			slot->len = boot->len[i];
			memcpy(slot->sha256, bp->sha256[i], MS_SHA256_LEN);
		}
	}
	memcpy(run->kernel_sha256, bp->sha256[0], MS_SHA256_LEN);
	memcpy(run->initrd_sha256, bp->sha256[1], MS_SHA256_LEN);
	memcpy(run->append_sha256, bp->sha256[2], MS_SHA256_LEN);
	memcpy(res->kernel_sha256, bp->sha256[0], MS_SHA256_LEN);
	memcpy(res->initrd_sha256, bp->sha256[1], MS_SHA256_LEN);
	memcpy(res->append_sha256, bp->sha256[2], MS_SHA256_LEN);
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

/* The metadata sections from the cache when these inputs were seen, else computed and kept. */
static enum ms_status sections_cached(struct ms_sev_engine *e, struct gctx *g, const struct ms_ovmf *o,
				      bool kernel, bool use_cache, struct ms_err *err)
{
	const struct ms_sev_config *cfg = g->cfg;
	struct prefix_key key;
	const struct prefix_entry *hit;
	struct prefix_entry *slot;
	enum ms_status st;

	if (!use_cache)
		return metadata_sections(g, o, kernel, err);
	memset(&key, 0, sizeof(key));
	memcpy(key.start, g->ld, MS_SHA384_LEN);
	key.nsections = o->nsections;
	memcpy(key.sections, o->sections, o->nsections * sizeof(o->sections[0]));
	key.has_hashes_table = o->has_hashes_table;
	key.hashes_table_gpa = o->hashes_table_gpa;
	key.kernel = kernel;
	key.vmm = cfg->vmm;
	if (kernel) {
		memcpy(key.kernel_sha256, cfg->kernel_sha256, MS_SHA256_LEN);
		memcpy(key.initrd_sha256, cfg->initrd_sha256, MS_SHA256_LEN);
		memcpy(key.append_sha256, cfg->append_sha256, MS_SHA256_LEN);
	}
	if ((hit = find_prefix(e, &key))) {
		memcpy(g->ld, hit->ld, MS_SHA384_LEN);
		return MS_OK;
	}
	if ((st = metadata_sections(g, o, kernel, err)))
		return st;
	if ((slot = CACHE_SLOT(e, prefixes))) {
		slot->key = key;
		memcpy(slot->ld, g->ld, MS_SHA384_LEN);
	}
	return MS_OK;
}

/* The two VMSA pages: the BSP's and the APs'. */
static enum ms_status vmsa_pages(const struct ms_sev_config *cfg, const struct ms_ovmf *o,
				 uint8_t page[2][MS_PAGE_SIZE], struct ms_err *err)
{
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		uint64_t svsm_base = FOUR_GIB - o->size - cfg->vars_size - cfg->svsm->size;

		svsm_vmsa(cfg, svsm_base + cfg->svsm->svsm_info_offset, page[0]);
		memcpy(page[1], page[0], MS_PAGE_SIZE);
		return MS_OK;
	}
	if (!o->has_reset_eip)
		return ms_fail(err, MS_BAD_INPUT,
			       "the firmware has no SEV-ES reset block, so its APs cannot start under %s",
			       ms_sev_mode_name(cfg->mode));
	ms_sev_vmsa(cfg, true, BSP_EIP, page[0]);
	ms_sev_vmsa(cfg, false, o->reset_eip, page[1]);
	return MS_OK;
}

/*
 * The VMSAs of vcpus vCPUs: into the SHA-256 stream (SEV-ES) or the SNP chain.
 * by_vcpus, when given, receives the SNP digest after each vCPU.
 */
static enum ms_status vmsas(struct gctx *g, struct ms_hash *sha256, const struct ms_ovmf *o, unsigned vcpus,
			    uint8_t (*by_vcpus)[MS_SHA384_LEN], struct ms_err *err)
{
	const struct ms_sev_config *cfg = g->cfg;
	uint8_t page[2][MS_PAGE_SIZE], contents[2][MS_SHA384_LEN];
	enum ms_status st;

	if ((st = vmsa_pages(cfg, o, page, err)))
		return st;
	if (!sha256)
		for (int i = 0; i < 2; i++) {
			ms_hash_update(&g->h, page[i], MS_PAGE_SIZE);
			ms_hash_final(&g->h, contents[i]);
		}
	for (unsigned v = 0; v < vcpus; v++) {
		const uint8_t *p = page[v ? 1 : 0];

		if (cfg->vmsa && cfg->vmsa(cfg->arg, v, p))
			return ms_fail(err, MS_BAD_INPUT, "cannot write the VMSA of vCPU %u", v);
		if (sha256) {
			ms_hash_update(sha256, p, MS_PAGE_SIZE);
			continue;
		}
		gctx_update(g, MS_SNP_PAGE_VMSA, VMSA_GPA, contents[v ? 1 : 0]);
		if (by_vcpus)
			memcpy(by_vcpus[v], g->ld, MS_SHA384_LEN);
	}
	if (cfg->event) {
		struct ms_sev_event ev = { "VMSA (vCPU 0 BSP, then APs)", MS_SNP_PAGE_VMSA, VMSA_GPA,
					   vcpus, sha256 ? NULL : g->ld, sha256 ? 0 : MS_SHA384_LEN };

		cfg->event(cfg->arg, &ev);
	}
	return MS_OK;
}

static unsigned engine_threads(const struct ms_sev_engine *e)
{
	return e ? e->threads : 2;
}

/* SEV and SEV-ES: one SHA-256 over firmware, hashes table and (SEV-ES) VMSAs. */
static enum ms_status sev_es_measure(struct ms_sev_engine *e, const struct ms_ovmf *o,
				     const struct ms_sev_config *cfg, const struct ms_sev_boot_bytes *boot,
				     struct ms_sev_result *res, struct ms_err *err)
{
	struct ms_sev_config run = *cfg;
	struct gctx g = { .cfg = &run };
	struct pool pool = { 0 };
	struct boot_plan bp;
	const struct stream_entry *cached = cfg->event ? NULL : find_stream(e, o->data, o->size);
	struct stream_entry *slot;
	struct ms_hash h = { 0 };
	bool pooled = false;
	enum ms_status st = MS_OK;

	res->len = MS_SHA256_LEN;
	if (!boot_plan(e, &pool, cfg, boot, &bp)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	pool_start(&pool, engine_threads(e));
	pooled = true;
	if (cached ? ms_hash_copy(&h, &cached->h) : ms_hash_init(&h, MS_SHA256)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (!cached) {
		ms_hash_update(&h, o->data, o->size);
		if (e && !cfg->event && (slot = CACHE_SLOT(e, streams))) {
			slot->data = o->data;
			slot->size = o->size;
			if (ms_hash_copy(&slot->h, &h))
				e->nstreams--;
		}
	}
	if (cfg->event) {
		struct ms_sev_event ev = { "firmware (SHA-256 stream)", 0, FOUR_GIB - o->size,
					   o->size / MS_PAGE_SIZE, NULL, 0 };

		cfg->event(cfg->arg, &ev);
	}
	pooled = false;
	if (!pool_finish(&pool)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	boot_keep(e, boot, &bp, &run, res);
	if (cfg->kernel) {
		uint8_t table[MS_SEV_HASHES_TABLE_LEN];

		if (!o->has_hashes_table || o->hashes_table_gpa == 0) {
			st = ms_fail(err, MS_BAD_INPUT,
				     "a kernel was given, but the firmware has no SEV hashes table (%s)",
				     o->has_hashes_table ? "its entry says GPA 0" : "no table entry");
			goto out;
		}
		ms_sev_hashes_table(run.kernel_sha256, run.initrd_sha256, run.append_sha256, table);
		ms_hash_update(&h, table, sizeof(table));
	}
	if (cfg->mode == MS_MODE_SEV_ES && (st = vmsas(&g, &h, o, cfg->vcpus, NULL, err)))
		goto out;
	ms_hash_final(&h, res->digest);
	res->has_launch_digest = true;
	checkpoint(cfg, "launch digest", res->digest, MS_SHA256_LEN);
out:
	if (pooled)
		pool_finish(&pool);
	ms_hash_free(&h);
	free(pool.jobs);
	return st;
}

/* The SNP modes; by_vcpus: the digests for 1 to max_vcpus vCPUs instead of cfg->vcpus. */
static enum ms_status snp_measure(struct ms_sev_engine *e, const struct ms_ovmf *o, const struct ms_sev_config *cfg,
				  const struct ms_sev_boot_bytes *boot, unsigned max_vcpus,
				  uint8_t (*by_vcpus)[MS_SHA384_LEN], struct ms_sev_result *res, struct ms_err *err)
{
	static const uint8_t zero[MS_SHA384_LEN];
	struct ms_sev_config run = *cfg;
	struct gctx g = { .cfg = &run };
	struct pool pool = { 0 };
	struct boot_plan bp;
	struct region fw = { "firmware", o->data, o->size, FOUR_GIB - o->size, NULL, NULL };
	struct region svsm = { "SVSM image", NULL, 0, 0, NULL, NULL };
	bool use_cache = e && !cfg->event, given = cfg->ovmf_hash && cfg->mode != MS_MODE_SNP_OVMF_HASH;
	bool launch = by_vcpus || cfg->mode != MS_MODE_SNP_OVMF_HASH || cfg->vcpus;
	enum ms_status st = MS_OK;

	res->len = MS_SHA384_LEN;
	if (ms_hash_init(&g.h, MS_SHA384))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		const struct ms_ovmf *s = cfg->svsm;

		if (!s->has_svsm_info) {
			st = ms_fail(err, MS_BAD_INPUT, "the SVSM image has no SVSM info entry in its footer table");
			goto out;
		}
		if (o->size + cfg->vars_size + s->size > FOUR_GIB / 2) {
			st = ms_fail(err, MS_BAD_INPUT, "OVMF, VARS and SVSM do not fit below 4 GiB");
			goto out;
		}
		svsm = (struct region){ "SVSM image", s->data, s->size, FOUR_GIB - o->size - cfg->vars_size - s->size,
					NULL, NULL };
	}
	if (given) {
		memcpy(g.ld, cfg->ovmf_hash_value, MS_SHA384_LEN);
	} else if ((st = region_plan(e, &pool, &fw, zero, use_cache, err))) {
		goto out;
	}
	if (svsm.data && (st = region_plan(e, &pool, &svsm, given ? g.ld : fw.cached ? fw.cached->ld : NULL,
					   use_cache, err)))
		goto out;
	if (launch && !boot_plan(e, &pool, cfg, boot, &bp)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	pool_start(&pool, engine_threads(e));
	if (!pool_finish(&pool)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (given)
		checkpoint(cfg, "firmware digest given, not computed", g.ld, MS_SHA384_LEN);
	else
		region_chain(e, &g, &fw, use_cache);
	res->has_firmware_digest = true;
	memcpy(res->firmware_digest, g.ld, MS_SHA384_LEN);
	if (!launch) {
		memcpy(res->digest, g.ld, MS_SHA384_LEN);
		goto out;
	}
	boot_keep(e, boot, &bp, &run, res);
	if (svsm.data)
		region_chain(e, &g, &svsm, use_cache);
	checkpoint(cfg, "digest after the firmware", g.ld, MS_SHA384_LEN);
	if ((st = sections_cached(e, &g, svsm.data ? cfg->svsm : o, svsm.data ? false : cfg->kernel, use_cache,
				  err)))
		goto out;
	checkpoint(cfg, "digest after the metadata sections", g.ld, MS_SHA384_LEN);
	if ((st = vmsas(&g, NULL, o, by_vcpus ? max_vcpus : cfg->vcpus, by_vcpus, err)))
		goto out;
	checkpoint(cfg, "launch digest (after the VMSAs)", g.ld, MS_SHA384_LEN);
	memcpy(res->digest, g.ld, MS_SHA384_LEN);
	res->has_launch_digest = true;
out:
	free(fw.contents);
	free(svsm.contents);
	free(pool.jobs);
	ms_hash_free(&g.h);
	return st;
}

static enum ms_status check_config(const struct ms_ovmf *o, const struct ms_sev_config *cfg, struct ms_err *err)
{
	bool counted = cfg->mode != MS_MODE_SEV && (cfg->mode != MS_MODE_SNP_OVMF_HASH || cfg->vcpus);

	if (counted && (cfg->vcpus == 0 || cfg->vcpus > MS_SNP_MAX_VCPUS))
		return ms_fail(err, MS_USAGE, "vcpus must be 1 to %d, not %u", MS_SNP_MAX_VCPUS, cfg->vcpus);
	if (o->size > FOUR_GIB / 2)
		return ms_fail(err, MS_BAD_INPUT, "firmware of 0x%zx bytes cannot map below 4 GiB", o->size);
	if (cfg->mode == MS_MODE_SNP_SVSM && !cfg->svsm)
		return ms_fail(err, MS_USAGE, "snp:svsm needs the SVSM image");
	return MS_OK;
}

enum ms_status ms_sev_measure(struct ms_sev_engine *e, const struct ms_ovmf *o, const struct ms_sev_config *cfg,
			      const struct ms_sev_boot_bytes *boot, struct ms_sev_result *res, struct ms_err *err)
{
	enum ms_status st;

	memset(res, 0, sizeof(*res));
	if ((st = check_config(o, cfg, err)))
		return st;
	if (cfg->mode == MS_MODE_SEV || cfg->mode == MS_MODE_SEV_ES)
		return sev_es_measure(e, o, cfg, boot, res, err);
	return snp_measure(e, o, cfg, boot, 0, NULL, res, err);
}

enum ms_status ms_snp_digests_by_vcpus(struct ms_sev_engine *e, const struct ms_ovmf *o,
				       const struct ms_sev_config *cfg, const struct ms_sev_boot_bytes *boot,
				       unsigned max_vcpus, uint8_t (*out)[MS_SHA384_LEN], struct ms_err *err)
{
	struct ms_sev_config run = *cfg;
	struct ms_sev_result res;
	enum ms_status st;

	if (cfg->mode != MS_MODE_SNP)
		return ms_fail(err, MS_USAGE, "digests by vCPU count are computed in mode snp only");
	run.vcpus = max_vcpus;
	run.vmsa = NULL;
	if ((st = check_config(o, &run, err)))
		return st;
	return snp_measure(e, o, &run, boot, max_vcpus, out, &res, err);
}

enum ms_status ms_sev_launch_digest(const struct ms_ovmf *o, const struct ms_sev_config *cfg,
				    uint8_t out[MS_SHA384_LEN], size_t *len, struct ms_err *err)
{
	struct ms_sev_result res;
	enum ms_status st = ms_sev_measure(NULL, o, cfg, NULL, &res, err);

	if (!st) {
		/* snp:ovmf-hash: the firmware digest, with or without vCPUs */
		memcpy(out, cfg->mode == MS_MODE_SNP_OVMF_HASH ? res.firmware_digest : res.digest, res.len);
		*len = res.len;
	}
	return st;
}
