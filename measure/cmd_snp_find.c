/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure snp --find DIGEST: which of the settings people get wrong give
 * DIGEST with the inputs given. The chain is shared up to the VMSAs (the
 * engine keeps it), and the VMSAs extend it one vCPU at a time, so each
 * setting costs one hash per vCPU count.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../common/hex.h"
#include "cli.h"
#include "snp_cli.h"

/* SEV_FEATURES bits searched on top of SNPActive (bit 0): the ones guests and hosts commonly set. */
static const unsigned feature_bits[] = {
	1, /* vTOM */
	2, /* ReflectVC */
	3, /* RestrictedInjection */
	4, /* AlternateInjection */
	5, /* DebugSwap */
	6, /* PreventHostIBS */
	7, /* BTBIsolation */
	9, /* SecureTSC */
};
#define NFEATURES (1u << (sizeof(feature_bits) / sizeof(feature_bits[0])))

struct setting {
	enum ms_vmm vmm;
	uint32_t sig;
	uint64_t features, ec2_rdx;
	bool init2;
};

struct search {
	struct snp_cli *c;
	struct snp_files *files;
	struct snp_prepared *p;
	uint8_t target[MS_SHA384_LEN];
	struct setting *settings;
	size_t nsettings;
	unsigned first_vcpus, last_vcpus;
	uint8_t (*digests)[MS_SHA384_LEN];
	cJSON *matches;
	unsigned long long searched, found;
};

static uint64_t feature_value(unsigned i)
{
	uint64_t v = 1;

	for (unsigned b = 0; b < sizeof(feature_bits) / sizeof(feature_bits[0]); b++)
		if (i & (1u << b))
			v |= 1ull << feature_bits[b];
	return v;
}

/* The distinct CPUID signatures of the known vCPU types, in the order of the names. */
static size_t known_signatures(uint32_t *sigs, size_t max)
{
	size_t n = 0;

	for (int i = 0; ms_vcpu_type_names[i]; i++) {
		uint32_t sig = ms_vcpu_type_signature(ms_vcpu_type_names[i]);
		size_t j;

		for (j = 0; j < n && sigs[j] != sig; j++)
			;
		if (j == n && n < max)
			sigs[n++] = sig;
	}
	return n;
}

static bool add_setting(struct search *s, struct setting set)
{
	struct setting *v = realloc(s->settings, (s->nsettings + 1) * sizeof(*v));

	if (!v)
		return false;
	s->settings = v;
	s->settings[s->nsettings++] = set;
	return true;
}

/* Every setting to try: the ones fixed on the command line stay fixed. */
static bool plan(struct search *s)
{
	const struct snp_cli *c = s->c;
	uint32_t sigs[32];
	size_t nsigs = c->have_sig ? 1 : known_signatures(sigs, 32);

	if (c->have_sig)
		sigs[0] = c->cfg.vcpu_sig;
	for (int vmm = MS_VMM_QEMU; vmm <= MS_VMM_GCE; vmm++) {
		if (c->have_vmm && (enum ms_vmm)vmm != c->cfg.vmm)
			continue;
		for (unsigned f = 0; f < (c->have_features ? 1 : NFEATURES); f++) {
			struct setting set = { .vmm = (enum ms_vmm)vmm, .sig = c->cfg.vcpu_sig,
					       .features = c->have_features ? c->cfg.guest_features : feature_value(f),
					       .ec2_rdx = c->cfg.ec2_rdx, .init2 = c->cfg.init2 };

			if (vmm == MS_VMM_QEMU) {
				for (size_t g = 0; g < nsigs; g++)
					for (int on = 1; on >= (c->have_init2 ? 1 : 0); on--) {
						set.sig = sigs[g];
						set.init2 = c->have_init2 ? c->cfg.init2 : on;
						if (!add_setting(s, set))
							return false;
					}
			} else if (vmm == MS_VMM_EC2) {
				/* the RDX of EC2 VMSAs does not carry the CPU signature */
				for (int i = 0; i < (c->have_rdx ? 1 : 2); i++) {
					set.ec2_rdx = c->have_rdx ? c->cfg.ec2_rdx : i ? 0 : 0x600;
					if (!add_setting(s, set))
						return false;
				}
			} else if (!add_setting(s, set)) {
				return false;
			}
		}
	}
	return true;
}

static const char *type_name(const struct snp_cli *c, uint32_t sig)
{
	if (c->vcpu_type && ms_vcpu_type_signature(c->vcpu_type) == sig)
		return c->vcpu_type;
	for (int i = 0; ms_vcpu_type_names[i]; i++)
		if (ms_vcpu_type_signature(ms_vcpu_type_names[i]) == sig)
			return ms_vcpu_type_names[i];
	return NULL;
}

/* The option line that reproduces a match (usable on a --batch line with the fixed inputs). */
static void option_line(const struct snp_cli *c, const struct setting *set, unsigned vcpus, char *out, size_t len)
{
	int n = snprintf(out, len, "--vcpus %u --vmm-type %s", vcpus, ms_vmm_name(set->vmm));
	const char *name = type_name(c, set->sig);

	if (set->vmm == MS_VMM_QEMU) {
		if (name)
			n += snprintf(out + n, len - (size_t)n, " --vcpu-type %s", name);
		else
			n += snprintf(out + n, len - (size_t)n, " --vcpu-sig 0x%x", set->sig);
	}
	n += snprintf(out + n, len - (size_t)n, " --guest-features 0x%llx", (unsigned long long)set->features);
	if (set->vmm == MS_VMM_QEMU)
		snprintf(out + n, len - (size_t)n, " --kvm-init2 %s", set->init2 ? "on" : "off");
	else if (set->vmm == MS_VMM_EC2)
		snprintf(out + n, len - (size_t)n, " --ec2-rdx 0x%llx", (unsigned long long)set->ec2_rdx);
}

static cJSON *match_json(const struct snp_cli *c, const struct setting *set, unsigned vcpus, const char *line)
{
	cJSON *m = cJSON_CreateObject(), *types;
	char num[32];

	if (!m)
		return NULL;
	cJSON_AddNumberToObject(m, "vcpus", vcpus);
	cJSON_AddStringToObject(m, "vmm_type", ms_vmm_name(set->vmm));
	if (set->vmm == MS_VMM_QEMU) {
		snprintf(num, sizeof(num), "0x%x", set->sig);
		cJSON_AddStringToObject(m, "vcpu_sig", num);
		types = cJSON_AddArrayToObject(m, "vcpu_types");
		for (int i = 0; types && ms_vcpu_type_names[i]; i++)
			if (ms_vcpu_type_signature(ms_vcpu_type_names[i]) == set->sig)
				cJSON_AddItemToArray(types, cJSON_CreateString(ms_vcpu_type_names[i]));
		cJSON_AddStringToObject(m, "kvm_init2", set->init2 ? "on" : "off");
	}
	snprintf(num, sizeof(num), "0x%llx", (unsigned long long)set->features);
	cJSON_AddStringToObject(m, "guest_features", num);
	if (set->vmm == MS_VMM_EC2) {
		snprintf(num, sizeof(num), "0x%llx", (unsigned long long)set->ec2_rdx);
		cJSON_AddStringToObject(m, "ec2_rdx", num);
	}
	cJSON_AddStringToObject(m, "options", line);
	(void)c;
	return m;
}

static void progress(const struct search *s, size_t done, bool *shown)
{
	if (!isatty(STDERR_FILENO) || s->c->quiet)
		return;
	if (done == s->nsettings) {
		if (*shown)
			fprintf(stderr, "\r\033[K");
		return;
	}
	if (done % 64)
		return;
	fprintf(stderr, "\rmeasure: snp: --find: %zu of %zu settings (%u vCPU counts each)", done, s->nsettings,
		s->last_vcpus - s->first_vcpus + 1);
	*shown = true;
}

/* Runs every setting with cfg (kernel or not); 0, or the exit code of a failure (c->fail). */
static int search_all(struct search *s, struct ms_sev_config cfg, bool record)
{
	struct ms_err err = { 0 };
	bool shown = false;
	char line[256];

	for (size_t i = 0; i < s->nsettings; i++) {
		const struct setting *set = &s->settings[i];

		progress(s, i, &shown);
		cfg.vmm = set->vmm;
		cfg.vcpu_sig = set->sig;
		cfg.guest_features = set->features;
		cfg.ec2_rdx = set->ec2_rdx;
		cfg.init2 = set->init2;
		if (ms_snp_digests_by_vcpus(s->files->engine, s->p->ovmf, &cfg, &s->p->boot, s->last_vcpus,
					    s->digests, &err)) {
			progress(s, s->nsettings, &shown);
			return snp_file_fail(s->c, s->c->ovmf ? s->c->ovmf : s->c->published ? s->c->published
											      : s->c->metadata,
					     &err);
		}
		for (unsigned n = s->first_vcpus; n <= s->last_vcpus; n++) {
			if (record)
				s->searched++;
			if (memcmp(s->digests[n - 1], s->target, MS_SHA384_LEN))
				continue;
			s->found++;
			option_line(s->c, set, n, line, sizeof(line));
			if (record && !s->c->quiet && !s->c->json)
				printf("%s\n", line);
			if (s->matches)
				cJSON_AddItemToArray(s->matches, match_json(s->c, set, n, line));
		}
	}
	progress(s, s->nsettings, &shown);
	return 0;
}

static bool parse_target(struct snp_cli *c, uint8_t target[MS_SHA384_LEN])
{
	const char *t = c->find;
	size_t hex = 0;
	struct ms_err err = { 0 };
	uint8_t *b64 = NULL;
	size_t b64_len = 0;

	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
		t += 2;
	while (t[hex] && strchr("0123456789abcdefABCDEF", t[hex]))
		hex++;
	if (!t[hex] && hex == 2 * MS_SHA256_LEN)
		return snp_usage(c, "--find: a 32-byte digest is SEV or SEV-ES (SHA-256); --find searches SEV-SNP launch digests (48 bytes)");
	if (!t[hex])
		return ms_hex_decode(c->find, target, MS_SHA384_LEN, "--find", &err) ? snp_usage(c, "%s", err.msg)
										      : true;
	if (ms_base64_decode(c->find, strlen(c->find), &b64, &b64_len, "--find", &err) || b64_len != MS_SHA384_LEN) {
		free(b64);
		return snp_usage(c, "--find: '%s' is not a 48-byte digest in hex or base64", c->find);
	}
	memcpy(target, b64, MS_SHA384_LEN);
	free(b64);
	return true;
}

static bool has_kernel_hashes(const struct ms_ovmf *o)
{
	for (unsigned i = 0; i < o->nsections; i++)
		if (o->sections[i].type == MS_SEV_KERNEL_HASHES)
			return true;
	return false;
}

/* Why nothing matched, as far as it can be told: what was searched, and the nearer causes. */
static int explain_none(struct search *s, cJSON *json)
{
	struct snp_cli *c = s->c;
	struct ms_sev_config cfg = c->cfg;
	struct ms_sev_result fw;
	struct ms_err err = { 0 };
	char text[1024], hint[512] = "";
	unsigned long long without = 0;

	snprintf(text, sizeof(text),
		 "no combination matched; searched %llu configurations over vCPUs %u-%u, vCPU types %s, VMM types %s, "
		 "guest features %s, kvm-init2 %s, ec2-rdx %s%s",
		 s->searched, s->first_vcpus, s->last_vcpus,
		 c->have_sig ? "(as given)" : "EPYC, EPYC-Rome, EPYC-Milan, EPYC-Genoa, EPYC-Turin (and their versions)",
		 c->have_vmm ? ms_vmm_name(c->cfg.vmm) : "QEMU, ec2, gce",
		 c->have_features ? "(as given)" : "0x1 with any of bits 1-7 and 9",
		 c->have_init2 ? (c->cfg.init2 ? "on" : "off") : "on/off",
		 c->have_rdx ? "(as given)" : "0x600/0",
		 c->cfg.kernel ? ", with the kernel, initrd and cmdline given" : ", without a kernel");
	cfg.mode = MS_MODE_SNP_OVMF_HASH;
	cfg.vcpus = 0;
	if (!ms_sev_measure(s->files->engine, s->p->ovmf, &cfg, NULL, &fw, &err) &&
	    !memcmp(fw.firmware_digest, s->target, MS_SHA384_LEN)) {
		snprintf(hint, sizeof(hint), "the digest is the firmware's own (mode snp:ovmf-hash), not a launch digest");
	} else if (c->cfg.kernel) {
		uint64_t found = s->found;
		cJSON *matches = s->matches;

		cfg = c->cfg;
		cfg.kernel = false;
		s->matches = NULL;
		if (search_all(s, cfg, false))
			return c->fail.rc;
		s->matches = matches;
		without = s->found - found;
		if (without)
			snprintf(hint, sizeof(hint),
				 "it matches %llu setting%s without measured direct boot: the guest did not measure the kernel (QEMU kernel-hashes=off), or the kernel options differ",
				 without, without == 1 ? "" : "s");
	} else if (has_kernel_hashes(s->p->ovmf)) {
		snprintf(hint, sizeof(hint),
			 "this firmware can measure a kernel: if the guest was started with -kernel and kernel-hashes=on, add --kernel, --initrd and --append");
	}
	if (json) {
		cJSON_AddStringToObject(json, "explanation", text);
		if (*hint)
			cJSON_AddStringToObject(json, "hint", hint);
	} else if (!c->quiet) {
		printf("%s\n", text);
		if (*hint)
			printf("%s\n", hint);
	}
	return 0;
}

int snp_find(struct snp_cli *c, struct snp_files *files)
{
	struct snp_prepared p;
	struct search s = { .c = c, .files = files, .p = &p, .first_vcpus = 1, .last_vcpus = MS_SNP_MAX_VCPUS };
	cJSON *json = NULL;
	bool matched;
	int rc = 2;

	memset(&p, 0, sizeof(p));
	if (!parse_target(c, s.target))
		goto out;
	if ((rc = snp_prepare(c, files, &p)))
		goto out;
	rc = 2;
	if (c->have_vcpus)
		s.first_vcpus = s.last_vcpus = c->cfg.vcpus;
	if (!plan(&s) || !(s.digests = malloc(MS_SNP_MAX_VCPUS * sizeof(*s.digests)))) {
		snp_usage(c, "out of memory");
		goto out;
	}
	if (c->json && (!(json = cJSON_CreateObject()) || !(s.matches = cJSON_AddArrayToObject(json, "matches")))) {
		snp_usage(c, "out of memory");
		goto out;
	}
	if ((rc = search_all(&s, c->cfg, true)))
		goto out;
	if (json)
		cJSON_AddNumberToObject(json, "searched", (double)s.searched);
	matched = s.found > 0;
	if (!matched && (rc = explain_none(&s, json)))
		goto out;
	rc = matched ? 0 : 1;
	if (json && cli_write_json("snp", json))
		rc = 2;
	else if (!json && fflush(stdout) == EOF)
		rc = 2;
out:
	cJSON_Delete(json);
	free(s.settings);
	free(s.digests);
	snp_prepared_free(&p);
	return rc;
}
