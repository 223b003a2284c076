/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/pubdoc.h"
#include "../ovmf/published.h"
#include "../ovmf/sev.h"
#include "cli.h"
#include "output_opts.h"


static const char snp_help[] =
	"Usage: measure snp --ovmf FILE [--mode MODE] [--vcpus N --vcpu-type NAME] [options]\n"
	"       measure snp --published FILE [--vcpus N --vcpu-type NAME] [options]\n"
	"       measure snp --snp-ovmf-hash HEX --ovmf-metadata FILE --kernel-sha256 HEX ... [options]\n"
	"       measure snp id-block --measurement VALUE --id-key PEM --author-key PEM\n"
	"\n"
	"Computes the launch digest an AMD SEV-family guest will report, bit for bit as\n"
	"virtee/sev-snp-measure 0.0.13 does (same option names).\n"
	"\n"
	"Guest:\n"
	"      --ovmf FILE            the OVMF firmware image (or the two forms below)\n"
	"      --published FILE       what the image publisher released instead: dstack's\n"
	"                             measurement.snp.cbor, or its JSON form (firmware digest,\n"
	"                             OVMF sections, reset EIP, hashes-table GPA, kernel and\n"
	"                             initrd SHA-256, cmdline; the JSON may add vcpus,\n"
	"                             vcpu_type, guest_features). Options override its values\n"
	"      --ovmf-metadata FILE   the OVMF SEV metadata as JSON, with --snp-ovmf-hash and\n"
	"                             without the firmware: [{\"gpa\",\"size\",\"type\"}, ...] or\n"
	"                             {\"ovmf_sections\": [...], \"reset_eip\": N, \"hashes_table_gpa\": N}\n"
	"      --mode MODE            snp (default), snp:ovmf-hash, snp:svsm, seves or sev\n"
	"      --vcpus N              number of vCPUs, 1 to 512 (not needed for sev)\n"
	"      --vcpu-type NAME       QEMU CPU model: EPYC, EPYC-v1..v4, EPYC-IBPB, EPYC-Rome[-v1..3],\n"
	"                             EPYC-Milan[-v1,-v2], EPYC-Genoa[-v1], EPYC-Turin\n"
	"      --vcpu-sig VALUE       or the CPUID 1 EAX signature itself\n"
	"      --vcpu-family N --vcpu-model N --vcpu-stepping N   or its parts\n"
	"      --vmm-type NAME        QEMU (default), ec2 or gce (any case)\n"
	"      --guest-features HEX   SEV_FEATURES of the VMSAs (default 0x1)\n"
	"Measured direct boot (QEMU kernel-hashes=on):\n"
	"      --kernel FILE          --kernel-sha256 HEX    the kernel, or its SHA-256\n"
	"      --initrd FILE          --initrd-sha256 HEX    the initrd, or its SHA-256\n"
	"      --append TEXT          --append-sha256 HEX    the command line, or the SHA-256\n"
	"                                                    of its bytes and a NUL\n"
	"Firmware digest and SVSM:\n"
	"      --snp-ovmf-hash HEX    start from this firmware digest (see --mode snp:ovmf-hash)\n"
	"      --svsm FILE            the COCONUT-SVSM image (snp:svsm)\n"
	"      --vars-size N | --vars-file FILE   the OVMF VARS size (snp:svsm)\n"
	"Host profile (defaults are sev-snp-measure 0.0.13's):\n"
	"      --kvm-init2 on|off     QEMU on a KVM_SEV_INIT2 host (Linux 6.10+) sets MXCSR and\n"
	"                             FCW in the VMSA (default on; off for older hosts)\n"
	"      --ec2-rdx VALUE        RDX of EC2 VMSAs: 0x600 (default, current) or 0 (older hosts)\n"
	"Output:\n"
	"      --output-format FMT    hex (default) or base64\n"
	"      --explain              list every measured region and the digest after each stage\n"
	"      --dump-vmsa DIR        write each vCPU's VMSA page to DIR/vmsaN.bin\n"
	"  -v, --verbose              label the digest\n"
	OUTPUT_HELP
	"\n"
	"Exit codes: 0 ok, 2 bad option or malformed input, 5 unsupported metadata version.\n";

enum opt {
	OPT_OVMF = 256, OPT_MODE, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING, OPT_VMM, OPT_FEATURES, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_KERNEL_SHA, OPT_INITRD_SHA,
	OPT_APPEND_SHA, OPT_OVMF_HASH, OPT_SVSM, OPT_VARS_SIZE, OPT_VARS_FILE, OPT_INIT2, OPT_EC2_RDX, OPT_OUTPUT,
	OPT_EXPLAIN, OPT_DUMP, OPT_PUBLISHED, OPT_METADATA,
};

struct snp_cli {
	const char *ovmf, *svsm, *vars_file, *dump_dir, *vcpu_type, *published, *metadata;
	const char *kernel, *initrd, *append;
	const char *kernel_sha, *initrd_sha, *append_sha;
	bool have_vcpus, have_sig, have_family[3], have_vars_size, have_features, base64, json, explain, verbose, quiet;
	struct output_opts out; /* --json, --format, --env-prefix, -q, -h: json and quiet follow it */
	uint64_t family[3], vars_size;
	struct ms_sev_config cfg;
	FILE *explain_out;
	int dump_failed;
};

static const char *page_type_name(int type)
{
	switch (type) {
	case MS_SNP_PAGE_NORMAL:
		return "NORMAL";
	case MS_SNP_PAGE_VMSA:
		return "VMSA";
	case MS_SNP_PAGE_ZERO:
		return "ZERO";
	case MS_SNP_PAGE_UNMEASURED:
		return "UNMEASURED";
	case MS_SNP_PAGE_SECRETS:
		return "SECRETS";
	case MS_SNP_PAGE_CPUID:
		return "CPUID";
	}
	return "-";
}

static void explain_event(void *arg, const struct ms_sev_event *ev)
{
	struct snp_cli *c = arg;
	char hex[2 * MS_SHA384_LEN + 1] = "";

	if (ev->digest)
		ms_hex_encode(ev->digest, ev->digest_len, hex);
	if (!ev->page_type && ev->digest) {
		fprintf(c->explain_out, "%-44s %s\n", ev->what, hex);
		return;
	}
	if (ev->pages == 0) {
		fprintf(c->explain_out, "%-44s (no pages)\n", ev->what);
		return;
	}
	fprintf(c->explain_out, "%-44s %-10s gpa 0x%012llx..0x%012llx %6llu page%s\n", ev->what,
		page_type_name(ev->page_type), (unsigned long long)ev->gpa,
		(unsigned long long)(ev->page_type == MS_SNP_PAGE_VMSA ? ev->gpa + 0xfff
								       : ev->gpa + ev->pages * MS_PAGE_SIZE - 1),
		(unsigned long long)ev->pages, ev->pages == 1 ? "" : "s");
}

static int dump_vmsa(void *arg, unsigned vcpu, const uint8_t page[MS_PAGE_SIZE])
{
	struct snp_cli *c = arg;
	char path[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/vmsa%u.bin", c->dump_dir, vcpu);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	n = write(fd, page, MS_PAGE_SIZE);
	if (close(fd) < 0 || n != MS_PAGE_SIZE)
		return -1;
	return 0;
}

static bool parse_hash(const char *opt, const char *text, uint8_t *out, size_t len)
{
	struct ms_err err = { 0 };

	if (ms_hex_decode(text, out, len, opt, &err)) {
		cli_usage("snp", "%s", err.msg);
		return false;
	}
	return true;
}

static bool parse_options(int argc, char **argv, struct snp_cli *c)
{
	static const struct option options[] = {
		{ "ovmf", required_argument, NULL, OPT_OVMF },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
		{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
		{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
		{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
		{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
		{ "vmm-type", required_argument, NULL, OPT_VMM },
		{ "guest-features", required_argument, NULL, OPT_FEATURES },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "kernel-sha256", required_argument, NULL, OPT_KERNEL_SHA },
		{ "initrd-sha256", required_argument, NULL, OPT_INITRD_SHA },
		{ "append-sha256", required_argument, NULL, OPT_APPEND_SHA },
		{ "snp-ovmf-hash", required_argument, NULL, OPT_OVMF_HASH },
		{ "svsm", required_argument, NULL, OPT_SVSM },
		{ "vars-size", required_argument, NULL, OPT_VARS_SIZE },
		{ "vars-file", required_argument, NULL, OPT_VARS_FILE },
		{ "kvm-init2", required_argument, NULL, OPT_INIT2 },
		{ "ec2-rdx", required_argument, NULL, OPT_EC2_RDX },
		{ "output-format", required_argument, NULL, OPT_OUTPUT },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "dump-vmsa", required_argument, NULL, OPT_DUMP },
		{ "published", required_argument, NULL, OPT_PUBLISHED },
		{ "ovmf-metadata", required_argument, NULL, OPT_METADATA },
		{ "verbose", no_argument, NULL, 'v' },
		OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ms_sev_config *cfg = &c->cfg;
	uint64_t v;
	int opt;

	output_init(&c->out, "snp", snp_help, NULL);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jvqh", options, NULL)) != -1) {
		int rc, handled = output_option(&c->out, opt, optarg, &rc);

		if (handled < 0 && rc == 0)
			exit(0);
		if (handled < 0)
			return false;
		c->json = output_wants_manifest(&c->out);
		c->quiet = c->out.quiet;
		if (handled)
			continue;
		switch (opt) {
		case OPT_OVMF:
			c->ovmf = optarg;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "snp"))
				cfg->mode = MS_MODE_SNP;
			else if (!strcmp(optarg, "snp:ovmf-hash"))
				cfg->mode = MS_MODE_SNP_OVMF_HASH;
			else if (!strcmp(optarg, "snp:svsm"))
				cfg->mode = MS_MODE_SNP_SVSM;
			else if (!strcmp(optarg, "seves"))
				cfg->mode = MS_MODE_SEV_ES;
			else if (!strcmp(optarg, "sev"))
				cfg->mode = MS_MODE_SEV;
			else
				return cli_usage("snp", "unknown mode '%s' (snp, snp:ovmf-hash, snp:svsm, seves, sev)",
						 optarg), false;
			break;
		case OPT_VCPUS:
			if (!cli_parse_u64("snp", "--vcpus", optarg, UINT32_MAX, &v))
				return false;
			cfg->vcpus = (unsigned)v;
			c->have_vcpus = true;
			break;
		case OPT_VCPU_TYPE:
			c->vcpu_type = optarg;
			break;
		case OPT_VCPU_SIG:
			if (!cli_parse_u64("snp", "--vcpu-sig", optarg, UINT32_MAX, &v))
				return false;
			cfg->vcpu_sig = (uint32_t)v;
			c->have_sig = true;
			break;
		case OPT_VCPU_FAMILY:
		case OPT_VCPU_MODEL:
		case OPT_VCPU_STEPPING: {
			int i = opt - OPT_VCPU_FAMILY;
			static const char *const names[] = { "--vcpu-family", "--vcpu-model", "--vcpu-stepping" };

			if (!cli_parse_u64("snp", names[i], optarg, 255, &c->family[i]))
				return false;
			c->have_family[i] = true;
			break;
		}
		case OPT_VMM:
			if (!strcasecmp(optarg, "qemu"))
				cfg->vmm = MS_VMM_QEMU;
			else if (!strcasecmp(optarg, "ec2"))
				cfg->vmm = MS_VMM_EC2;
			else if (!strcasecmp(optarg, "gce"))
				cfg->vmm = MS_VMM_GCE;
			else
				return cli_usage("snp", "unknown VMM type '%s' (QEMU, ec2, gce)", optarg), false;
			break;
		case OPT_FEATURES:
			if (!cli_parse_u64("snp", "--guest-features", optarg, UINT64_MAX, &cfg->guest_features))
				return false;
			c->have_features = true;
			break;
		case OPT_PUBLISHED:
			c->published = optarg;
			break;
		case OPT_METADATA:
			c->metadata = optarg;
			break;
		case OPT_KERNEL:
			c->kernel = optarg;
			break;
		case OPT_INITRD:
			c->initrd = optarg;
			break;
		case OPT_APPEND:
			c->append = optarg;
			break;
		case OPT_KERNEL_SHA:
			c->kernel_sha = optarg;
			break;
		case OPT_INITRD_SHA:
			c->initrd_sha = optarg;
			break;
		case OPT_APPEND_SHA:
			c->append_sha = optarg;
			break;
		case OPT_OVMF_HASH:
			if (!parse_hash("--snp-ovmf-hash", optarg, cfg->ovmf_hash_value, MS_SHA384_LEN))
				return false;
			cfg->ovmf_hash = true;
			break;
		case OPT_SVSM:
			c->svsm = optarg;
			break;
		case OPT_VARS_SIZE:
			if (!cli_parse_u64("snp", "--vars-size", optarg, UINT32_MAX, &c->vars_size))
				return false;
			c->have_vars_size = true;
			break;
		case OPT_VARS_FILE:
			c->vars_file = optarg;
			break;
		case OPT_INIT2:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return cli_usage("snp", "--kvm-init2 takes on or off, not '%s'", optarg), false;
			cfg->init2 = !strcmp(optarg, "on");
			break;
		case OPT_EC2_RDX:
			if (!cli_parse_u64("snp", "--ec2-rdx", optarg, UINT64_MAX, &cfg->ec2_rdx))
				return false;
			break;
		case OPT_OUTPUT:
			if (strcmp(optarg, "hex") && strcmp(optarg, "base64"))
				return cli_usage("snp", "unknown output format '%s' (hex, base64)", optarg), false;
			c->base64 = !strcmp(optarg, "base64");
			break;
		case OPT_EXPLAIN:
			c->explain = true;
			break;
		case OPT_DUMP:
			c->dump_dir = optarg;
			break;
		case 'v':
			c->verbose = true;
			break;
		default:
			return cli_bad_option("snp", opt, argv), false;
		}
	}
	if (optind != argc)
		return cli_usage("snp", "unexpected argument '%s'", argv[optind]), false;
	return output_check(&c->out) == 0;
}

/* The rules sev-snp-measure applies to the command line, and a few more. */
static bool check_options(struct snp_cli *c)
{
	struct ms_sev_config *cfg = &c->cfg;
	bool needs_vcpus = cfg->mode != MS_MODE_SEV && cfg->mode != MS_MODE_SNP_OVMF_HASH;
	int families = c->have_family[0] + c->have_family[1] + c->have_family[2];

	if (c->ovmf && (c->published || c->metadata))
		return cli_usage("snp", "--published and --ovmf-metadata stand for the firmware: give them or --ovmf"),
		       false;
	if (!c->ovmf && !c->published && !c->metadata)
		return cli_usage("snp", "--ovmf FILE (or --published FILE) is required"), false;
	if ((c->published || c->metadata) && cfg->mode != MS_MODE_SNP)
		return cli_usage("snp", "--published and --ovmf-metadata compute mode snp only"), false;
	if (c->metadata && !c->published && !cfg->ovmf_hash)
		return cli_usage("snp", "--ovmf-metadata needs --snp-ovmf-hash (the firmware's digest)"), false;
	if (c->metadata && !c->published && !c->kernel_sha && !c->kernel)
		return cli_usage("snp", "--ovmf-metadata needs the kernel (--kernel or --kernel-sha256)"), false;
	if ((c->initrd || c->initrd_sha) && !(c->kernel || c->kernel_sha))
		return cli_usage("snp", "--kernel is required when using --initrd"), false;
	if ((c->append || c->append_sha) && !(c->kernel || c->kernel_sha))
		return cli_usage("snp", "--kernel is required when using --append"), false;
	if ((c->kernel && c->kernel_sha) || (c->initrd && c->initrd_sha) || (c->append && c->append_sha))
		return cli_usage("snp", "give a file or its --*-sha256, not both"), false;
	if (needs_vcpus && !c->have_vcpus)
		return cli_usage("snp", "--vcpus N is required in mode '%s'", ms_sev_mode_name(cfg->mode)), false;
	if (c->have_vcpus && (cfg->vcpus == 0 || cfg->vcpus > MS_SNP_MAX_VCPUS))
		return cli_usage("snp", "--vcpus %u: a guest has 1 to %d vCPUs", cfg->vcpus, MS_SNP_MAX_VCPUS), false;
	if (families && families != 3)
		return cli_usage("snp", "--vcpu-family, --vcpu-model and --vcpu-stepping go together"), false;
	if (families) {
		cfg->vcpu_sig = ms_cpu_signature((unsigned)c->family[0], (unsigned)c->family[1],
						 (unsigned)c->family[2]);
	} else if (c->have_sig) {
		/* as given */
	} else if (c->vcpu_type) {
		cfg->vcpu_sig = ms_vcpu_type_signature(c->vcpu_type);
		if (!cfg->vcpu_sig)
			return cli_usage("snp", "unknown --vcpu-type '%s'", c->vcpu_type), false;
	} else if (needs_vcpus && cfg->vmm == MS_VMM_QEMU) {
		return cli_usage("snp", "--vcpu-type, --vcpu-sig or --vcpu-family is required in mode '%s'",
				 ms_sev_mode_name(cfg->mode)), false;
	}
	if (cfg->mode == MS_MODE_SEV)
		cfg->vcpu_sig = 0;
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		if (!c->svsm)
			return cli_usage("snp", "snp:svsm mode requires --svsm FILE"), false;
		if (!!c->vars_file + c->have_vars_size != 1)
			return cli_usage("snp", "snp:svsm mode requires one of --vars-size or --vars-file"), false;
		if (cfg->vmm != MS_VMM_QEMU)
			return cli_usage("snp", "snp:svsm mode is defined for QEMU only"), false;
		if (c->kernel || c->kernel_sha)
			return cli_usage("snp", "snp:svsm mode does not take a kernel"), false;
	} else if (c->svsm || c->vars_file || c->have_vars_size) {
		return cli_usage("snp", "--svsm, --vars-size and --vars-file belong to snp:svsm mode"), false;
	}
	if (c->dump_dir && cfg->mode != MS_MODE_SNP && cfg->mode != MS_MODE_SEV_ES &&
	    cfg->mode != MS_MODE_SNP_SVSM)
		return cli_usage("snp", "--dump-vmsa needs mode snp, seves or snp:svsm"), false;
	return true;
}

/*
 * The published document (or the metadata file) stands for the firmware;
 * what options did not give is taken from it. Kept in one place so that the
 * hex strings handed to the boot inputs outlive the parse.
 */
struct published {
	struct ms_snp_published doc;
	struct ms_ovmf ovmf;
	uint8_t *data;
	size_t len;
	uint8_t sha256[MS_SHA256_LEN];
	uint8_t *meta;
	size_t meta_len;
	uint8_t meta_sha256[MS_SHA256_LEN];
	char kernel_hex[2 * MS_SHA256_LEN + 1], initrd_hex[2 * MS_SHA256_LEN + 1];
};

static int apply_published(struct snp_cli *c, struct published *p)
{
	struct ms_sev_config *cfg = &c->cfg;
	struct ms_err err = { 0 };

	if (c->published) {
		if (ms_file_load(c->published, MS_PUBDOC_MAX_LEN, &p->data, &p->len, &err) ||
		    ms_snp_published_parse(p->data, p->len, "published", &p->doc, &err))
			return cli_fail("snp", c->published, &err);
		ms_sha256(p->data, p->len, p->sha256);
		p->ovmf = p->doc.ovmf;
		if (!cfg->ovmf_hash) {
			cfg->ovmf_hash = true;
			memcpy(cfg->ovmf_hash_value, p->doc.ovmf_hash, MS_SHA384_LEN);
		}
		if (!c->kernel && !c->kernel_sha) {
			ms_hex_encode(p->doc.kernel_sha256, MS_SHA256_LEN, p->kernel_hex);
			c->kernel_sha = p->kernel_hex;
		}
		if (!c->initrd && !c->initrd_sha) {
			ms_hex_encode(p->doc.initrd_sha256, MS_SHA256_LEN, p->initrd_hex);
			c->initrd_sha = p->initrd_hex;
		}
		if (!c->append && !c->append_sha)
			c->append = p->doc.cmdline;
		if (!c->have_vcpus && p->doc.has_vcpus) {
			cfg->vcpus = p->doc.vcpus;
			c->have_vcpus = true;
		}
		if (!c->vcpu_type && !c->have_sig && !c->have_family[0] && !c->have_family[1] && !c->have_family[2] &&
		    p->doc.has_vcpu_type)
			c->vcpu_type = p->doc.vcpu_type;
		if (!c->have_features && p->doc.has_guest_features)
			cfg->guest_features = p->doc.guest_features;
	}
	if (c->metadata) {
		struct ms_ovmf meta;

		if (ms_file_load(c->metadata, MS_PUBDOC_MAX_LEN, &p->meta, &p->meta_len, &err) ||
		    ms_snp_sections_parse(p->meta, p->meta_len, "OVMF metadata", &meta, &err))
			return cli_fail("snp", c->metadata, &err);
		ms_sha256(p->meta, p->meta_len, p->meta_sha256);
		/* the file's sections replace the published ones; its footer values too, where it has them */
		p->ovmf.nsections = meta.nsections;
		memcpy(p->ovmf.sections, meta.sections, sizeof(meta.sections));
		p->ovmf.has_table = true;
		if (meta.has_reset_eip)
			p->ovmf.has_reset_eip = true, p->ovmf.reset_eip = meta.reset_eip;
		if (meta.has_hashes_table)
			p->ovmf.has_hashes_table = true, p->ovmf.hashes_table_gpa = meta.hashes_table_gpa,
			p->ovmf.hashes_table_size = meta.hashes_table_size;
	}
	return 0;
}

struct loaded {
	const char *path;
	struct ms_mapping map;
	const uint8_t *data;
	size_t len;
	uint8_t sha256[MS_SHA256_LEN];
};

/* The image's SHA-256 is only needed for the manifest. */
static enum ms_status load_image(const char *path, bool digest, struct loaded *l, struct ms_err *err)
{
	enum ms_status st = ms_file_map(path, CLI_MAX_FIRMWARE, &l->map, err);

	l->path = path;
	l->data = l->map.data;
	l->len = l->map.len;
	if (!st && digest)
		ms_sha256(l->data, l->len, l->sha256);
	return st;
}

/*
 * A boot input given as a file or as its SHA-256; absent inputs hash
 * "empty". Files are hashed on their own thread while the firmware is.
 */
struct boot_input {
	const char *role, *file, *sha_hex;
	uint64_t max, size;
	uint8_t sha256[MS_SHA256_LEN];
	pthread_t thread;
	bool started;
	enum ms_status status;
	struct ms_err err;
};

static void *digest_file(void *arg)
{
	struct boot_input *in = arg;

	in->status = ms_file_digest(in->file, MS_SHA256, in->max, in->sha256, &in->size, &in->err);
	return NULL;
}

static int boot_input_start(struct boot_input *in, const uint8_t *absent, size_t absent_len)
{
	if (in->file) {
		in->started = pthread_create(&in->thread, NULL, digest_file, in) == 0;
		if (!in->started)
			digest_file(in);
	} else if (in->sha_hex) {
		if (!parse_hash(in->role, in->sha_hex, in->sha256, MS_SHA256_LEN))
			return 2;
	} else {
		ms_sha256(absent, absent_len, in->sha256);
	}
	return 0;
}

/* Waits for the input's thread; the exit code of its failure, or 0. */
static int boot_input_finish(struct boot_input *in)
{
	if (in->started) {
		pthread_join(in->thread, NULL);
		in->started = false;
	}
	return in->file && in->status ? cli_fail("snp", in->file, &in->err) : 0;
}

static const char *platform_of(enum ms_sev_mode mode)
{
	return mode == MS_MODE_SEV ? "sev" : mode == MS_MODE_SEV_ES ? "sev-es" : "sev-snp";
}

static void add_input(cJSON *m, const char *role, const char *path, uint64_t size,
		      const uint8_t sha[MS_SHA256_LEN])
{
	if (path) {
		ms_manifest_input(m, role, ms_basename(path), size, sha);
	} else {
		cJSON *in = cJSON_CreateObject();

		cJSON_AddStringToObject(in, "role", role);
		ms_json_add_hex(in, "sha256", sha, MS_SHA256_LEN);
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(m, "inputs"), in);
	}
}

static cJSON *manifest(const struct snp_cli *c, const struct loaded *fw, const struct loaded *svsm,
		       const struct published *pub, struct boot_input *bi, const uint8_t *digest, size_t len,
		       const uint8_t *ovmf_hash)
{
	const struct ms_sev_config *cfg = &c->cfg;
	cJSON *m = ms_manifest_new(platform_of(cfg->mode), len == MS_SHA256_LEN ? "sha256" : "sha384");
	cJSON *p = ms_manifest_parameters(m);
	char num[32];

	if (digest)
		ms_manifest_measurement(m, "measurement", digest, len);
	if (ovmf_hash)
		ms_manifest_measurement(m, "ovmf_hash", ovmf_hash, MS_SHA384_LEN);
	cJSON_AddStringToObject(p, "mode", ms_sev_mode_name(cfg->mode));
	if (cfg->mode != MS_MODE_SEV && (cfg->mode != MS_MODE_SNP_OVMF_HASH || digest)) {
		cJSON_AddStringToObject(p, "vmm_type", ms_vmm_name(cfg->vmm));
		cJSON_AddNumberToObject(p, "vcpus", cfg->vcpus);
		snprintf(num, sizeof(num), "0x%x", cfg->vcpu_sig);
		cJSON_AddStringToObject(p, "vcpu_sig", num);
		if (cfg->mode != MS_MODE_SEV_ES) {
			snprintf(num, sizeof(num), "0x%llx", (unsigned long long)cfg->guest_features);
			cJSON_AddStringToObject(p, "guest_features", num);
		}
		if (cfg->vmm == MS_VMM_QEMU)
			cJSON_AddStringToObject(p, "kvm_init2", cfg->init2 ? "on" : "off");
		if (cfg->vmm == MS_VMM_EC2) {
			snprintf(num, sizeof(num), "0x%llx", (unsigned long long)cfg->ec2_rdx);
			cJSON_AddStringToObject(p, "ec2_rdx", num);
		}
	}
	if (cfg->kernel) {
		cJSON_AddBoolToObject(p, "kernel_hashes", true);
		if (c->append)
			cJSON_AddStringToObject(p, "append", c->append);
	}
	if (cfg->ovmf_hash && cfg->mode != MS_MODE_SNP_OVMF_HASH)
		ms_json_add_hex(p, "snp_ovmf_hash", cfg->ovmf_hash_value, MS_SHA384_LEN);
	if (cfg->mode == MS_MODE_SNP_SVSM)
		cJSON_AddNumberToObject(p, "vars_size", (double)cfg->vars_size);
	cJSON_AddStringToObject(p, "profile", "sev-snp-measure 0.0.13");
	if (fw->path)
		ms_manifest_input(m, "ovmf", ms_basename(fw->path), fw->len, fw->sha256);
	if (pub->data)
		ms_manifest_input(m, "published", ms_basename(c->published), pub->len, pub->sha256);
	if (pub->meta)
		ms_manifest_input(m, "ovmf-metadata", ms_basename(c->metadata), pub->meta_len, pub->meta_sha256);
	if (svsm->data)
		ms_manifest_input(m, "svsm", ms_basename(svsm->path), svsm->len, svsm->sha256);
	if (cfg->kernel) {
		add_input(m, "kernel", bi[0].file, bi[0].size, bi[0].sha256);
		if (bi[1].file || bi[1].sha_hex)
			add_input(m, "initrd", bi[1].file, bi[1].size, bi[1].sha256);
		if (bi[2].sha_hex)
			add_input(m, "append", NULL, 0, bi[2].sha256);
	}
	return m;
}

static int print_digest(const struct snp_cli *c, const uint8_t *d, size_t len)
{
	char text[2 * MS_SHA384_LEN + 80], enc[2 * MS_SHA384_LEN + 1];
	static const char *const labels[] = { "SEV", "SEV_ES", "SEV_SNP", "SEV_SNP", "SEV_SNP_SVSM" };

	if (c->base64)
		ms_base64_encode(d, len, enc);
	else
		ms_hex_encode(d, len, enc);
	if (c->verbose)
		snprintf(text, sizeof(text), "Calculated %s guest measurement: %s\n", labels[c->cfg.mode], enc);
	else
		snprintf(text, sizeof(text), "%s\n", enc);
	return cli_write("snp", text);
}

int cmd_snp(int argc, char **argv)
{
	struct snp_cli c = { .cfg = { .mode = MS_MODE_SNP, .vmm = MS_VMM_QEMU, .guest_features = 1,
				      .init2 = true, .ec2_rdx = 0x600 } };
	struct loaded fw = { 0 }, svsm_img = { 0 };
	struct published pub;
	const char *firmware_name;
	struct ms_ovmf ovmf, svsm;
	struct boot_input bi[3] = { { .role = "--kernel-sha256", .max = CLI_MAX_KERNEL },
				    { .role = "--initrd-sha256", .max = CLI_MAX_INITRD },
				    { .role = "--append-sha256" } };
	struct ms_err err = { 0 };
	struct ms_sev_config run;
	uint8_t digest[MS_SHA384_LEN], ovmf_hash[MS_SHA384_LEN];
	size_t len = 0;
	bool full = true, have_ovmf_hash = false;
	cJSON *json = NULL;
	char *append_nul = NULL;
	int rc = 2;

	if (argc > 1 && !strcmp(argv[1], "id-block"))
		return cmd_snp_id_block(argc - 1, argv + 1);
	memset(&pub, 0, sizeof(pub));
	if (!parse_options(argc, argv, &c))
		return 2;
	if (!c.ovmf && (c.published || c.metadata) && (rc = apply_published(&c, &pub)))
		goto out;
	rc = 2;
	if (!check_options(&c))
		goto out;
	firmware_name = c.ovmf ? c.ovmf : c.published ? c.published : c.metadata;
	if (!c.ovmf) {
		ovmf = pub.ovmf;
		if (!ovmf.has_reset_eip || !ovmf.has_hashes_table) {
			ms_fail(&err, MS_BAD_INPUT, "no %s: the metadata file must give it (object form)",
				!ovmf.has_reset_eip ? "reset_eip" : "hashes_table_gpa");
			rc = cli_fail("snp", c.metadata, &err);
			goto out;
		}
	} else if (load_image(c.ovmf, c.json, &fw, &err) || ms_ovmf_parse(fw.data, fw.len, &ovmf, &err)) {
		rc = cli_fail("snp", c.ovmf, &err);
		goto out;
	}
	if (c.cfg.mode == MS_MODE_SNP_SVSM) {
		if (load_image(c.svsm, c.json, &svsm_img, &err) || ms_ovmf_parse(svsm_img.data, svsm_img.len, &svsm, &err)) {
			rc = cli_fail("snp", c.svsm, &err);
			goto out;
		}
		c.cfg.svsm = &svsm;
		if (c.vars_file) {
			struct stat st;

			if (stat(c.vars_file, &st) < 0 || !S_ISREG(st.st_mode)) {
				ms_fail(&err, MS_BAD_INPUT, "%s", errno ? strerror(errno) : "not a regular file");
				rc = cli_fail("snp", c.vars_file, &err);
				goto out;
			}
			c.vars_size = (uint64_t)st.st_size;
		}
		c.cfg.vars_size = c.vars_size;
	}
	if (c.kernel || c.kernel_sha) {
		size_t n = c.append ? strlen(c.append) : 0;

		c.cfg.kernel = true;
		bi[0].file = c.kernel, bi[0].sha_hex = c.kernel_sha;
		bi[1].file = c.initrd, bi[1].sha_hex = c.initrd_sha;
		bi[2].sha_hex = c.append_sha;
		/* the cmdline is hashed with its NUL; no (or an empty) cmdline hashes a lone NUL */
		append_nul = calloc(1, n + 1);
		if (!append_nul)
			goto out;
		memcpy(append_nul, c.append ? c.append : "", n);
		if ((rc = boot_input_start(&bi[0], NULL, 0)) ||
		    (rc = boot_input_start(&bi[1], (const uint8_t *)"", 0)) ||
		    (rc = boot_input_start(&bi[2], (const uint8_t *)append_nul, n + 1)))
			goto out;
		rc = 2;
	}
	if (c.explain) {
		c.explain_out = c.json ? stderr : stdout;
		c.cfg.event = explain_event;
	}
	if (c.dump_dir)
		c.cfg.vmsa = dump_vmsa;
	c.cfg.arg = &c;

	run = c.cfg;
	if (c.cfg.mode == MS_MODE_SNP_OVMF_HASH ||
	    (c.cfg.mode == MS_MODE_SNP && !c.cfg.ovmf_hash && !c.explain)) {
		/* the firmware pages first, while the boot inputs hash; then continue from that digest */
		struct ms_sev_config pages = c.cfg;

		pages.mode = MS_MODE_SNP_OVMF_HASH;
		if (ms_sev_launch_digest(&ovmf, &pages, ovmf_hash, &len, &err)) {
			rc = cli_fail("snp", firmware_name, &err);
			goto out;
		}
		have_ovmf_hash = true;
		run.ovmf_hash = true;
		memcpy(run.ovmf_hash_value, ovmf_hash, MS_SHA384_LEN);
		run.event = NULL;
	}
	for (int i = 0; i < 3; i++)
		if ((rc = boot_input_finish(&bi[i])))
			goto out;
	rc = 2;
	memcpy(run.kernel_sha256, bi[0].sha256, MS_SHA256_LEN);
	memcpy(run.initrd_sha256, bi[1].sha256, MS_SHA256_LEN);
	memcpy(run.append_sha256, bi[2].sha256, MS_SHA256_LEN);
	if (c.cfg.mode == MS_MODE_SNP_OVMF_HASH) {
		full = c.have_vcpus;
		run.mode = MS_MODE_SNP;
	}
	if (full && ms_sev_launch_digest(&ovmf, &run, digest, &len, &err)) {
		rc = cli_fail("snp", c.dump_dir && strstr(err.msg, "cannot write the VMSA") ? c.dump_dir : firmware_name,
			      &err);
		goto out;
	}
	if (c.cfg.mode != MS_MODE_SNP_OVMF_HASH)
		have_ovmf_hash = false; /* an internal step, not part of the output */
	if (c.quiet) {
		rc = 0;
		goto out;
	}
	if (c.json) {
		json = manifest(&c, &fw, &svsm_img, &pub, bi, full ? digest : NULL, len,
				have_ovmf_hash ? ovmf_hash : NULL);
		rc = output_manifest(&c.out, json);
		goto out;
	}
	rc = full ? print_digest(&c, digest, len) : print_digest(&c, ovmf_hash, MS_SHA384_LEN);
out:
	for (int i = 0; i < 3; i++)
		if (bi[i].started)
			pthread_join(bi[i].thread, NULL);
	cJSON_Delete(json);
	ms_file_unmap(&fw.map);
	ms_file_unmap(&svsm_img.map);
	free(append_nul);
	free(pub.data);
	free(pub.meta);
	return rc;
}
