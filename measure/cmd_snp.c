/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
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
#include "snp_cli.h"

#define BATCH_MAX_LINE 65536
#define MAX_THREADS 8

static const char snp_help[] =
	"Usage: measure snp --ovmf FILE [--mode MODE] [--vcpus N --vcpu-type NAME] [options]\n"
	"       measure snp --published FILE [--vcpus N --vcpu-type NAME] [options]\n"
	"       measure snp --snp-ovmf-hash HEX --ovmf-metadata FILE --kernel-sha256 HEX ... [options]\n"
	"       measure snp --batch FILE [--json]\n"
	"       measure snp --find DIGEST --ovmf FILE [--kernel FILE ...] [fixed settings]\n"
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
	"Many configurations:\n"
	"      --batch FILE           one line of the options above per configuration ('-':\n"
	"                             stdin; quoted as in a shell, paths relative to the current\n"
	"                             directory); prints one line per line: the digest, or\n"
	"                             'error: MESSAGE' for that line alone (--json: JSON Lines).\n"
	"                             Inputs are read once and what configurations share is\n"
	"                             computed once. Blank and '#' lines print an empty line\n"
	"      --find DIGEST          search vCPU counts 1-512, vCPU types, VMM types, common\n"
	"                             guest features, --kvm-init2 and --ec2-rdx for the settings\n"
	"                             that give DIGEST with these inputs, and print each as an\n"
	"                             option line; settings given on the command line are fixed\n"
	"Output:\n"
	"      --output-format FMT    hex (default) or base64\n"
	"      --explain              list every measured region and the digest after each stage\n"
	"      --dump-vmsa DIR        write each vCPU's VMSA page to DIR/vmsaN.bin\n"
	"  -v, --verbose              label the digest\n"
	OUTPUT_HELP
	"\n"
	"Exit codes: 0 ok, 1 --find matched nothing, 2 bad option or malformed input (--batch: the\n"
	"first failing line's code), 5 unsupported metadata version.\n";

enum opt {
	OPT_OVMF = 256, OPT_MODE, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING, OPT_VMM, OPT_FEATURES, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_KERNEL_SHA, OPT_INITRD_SHA,
	OPT_APPEND_SHA, OPT_OVMF_HASH, OPT_SVSM, OPT_VARS_SIZE, OPT_VARS_FILE, OPT_INIT2, OPT_EC2_RDX, OPT_OUTPUT,
	OPT_EXPLAIN, OPT_DUMP, OPT_PUBLISHED, OPT_METADATA, OPT_BATCH, OPT_FIND,
};

bool snp_usage(struct snp_cli *c, const char *fmt, ...)
{
	va_list ap;

	c->fail.rc = 2;
	c->fail.usage = true;
	va_start(ap, fmt);
	vsnprintf(c->fail.msg, sizeof(c->fail.msg), fmt, ap);
	va_end(ap);
	return false;
}

int snp_file_fail(struct snp_cli *c, const char *file, const struct ms_err *err)
{
	c->fail.rc = ms_exit_code(err->status);
	c->fail.usage = false;
	if (file)
		snprintf(c->fail.msg, sizeof(c->fail.msg), "%s: %s", file, err->msg);
	else
		snprintf(c->fail.msg, sizeof(c->fail.msg), "%s", err->msg);
	return c->fail.rc;
}

void snp_report(const struct snp_cli *c)
{
	if (!c->fail.msg[0]) /* printed already, by the shared output options */
		return;
	if (c->fail.usage)
		cli_usage("snp", "%s", c->fail.msg);
	else
		fprintf(stderr, "measure: snp: %s\n", c->fail.msg);
}

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

static bool parse_hash(struct snp_cli *c, const char *opt, const char *text, uint8_t *out, size_t len)
{
	struct ms_err err = { 0 };

	if (ms_hex_decode(text, out, len, opt, &err))
		return snp_usage(c, "%s", err.msg);
	return true;
}

static bool parse_u64(struct snp_cli *c, const char *option, const char *text, uint64_t max, uint64_t *out)
{
	if (cli_u64(option, text, max, out, c->fail.msg, sizeof(c->fail.msg)))
		return true;
	c->fail.rc = 2;
	c->fail.usage = true;
	return false;
}

static bool bad_option(struct snp_cli *c, int opt, char **argv)
{
	if (opt == ':')
		return snp_usage(c, "option '%s' needs a value", argv[optind - 1]);
	if (optopt)
		return snp_usage(c, "unknown option '-%c'", optopt);
	return snp_usage(c, "unknown option '%s'", argv[optind - 1]);
}

/* Options that act on the run, not on one configuration (refused on a --batch line): their names, else NULL. */
static const char *run_option(int opt)
{
	switch (opt) {
	case OPT_BATCH:
		return "--batch";
	case OPT_FIND:
		return "--find";
	case OPT_EXPLAIN:
		return "--explain";
	case OPT_DUMP:
		return "--dump-vmsa";
	case 'j':
		return "--json";
	case 'q':
		return "--quiet";
	case 'h':
		return "--help";
	case OUTPUT_OPT_FORMAT:
		return "--format";
	case OUTPUT_OPT_ENV_PREFIX:
		return "--env-prefix";
	}
	return NULL;
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
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "find", required_argument, NULL, OPT_FIND },
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
		int out_rc, handled;

		if (c->in_batch && run_option(opt))
			return snp_usage(c, "'%s' acts on the whole run: give it on the command line, not on a --batch line",
					 run_option(opt));
		if (opt != OPT_BATCH && opt != 'j')
			c->config_options++;
		if ((handled = output_option(&c->out, opt, optarg, &out_rc)) < 0) {
			if (out_rc == 0)
				exit(0);
			c->fail.rc = out_rc;
			c->fail.msg[0] = '\0';
			return false;
		}
		c->json = output_wants_manifest(&c->out);
		c->quiet = c->out.quiet;
		if (handled)
			continue;
		switch (opt) {
		case OPT_OVMF:
			c->ovmf = optarg;
			break;
		case OPT_MODE:
			c->have_mode = true;
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
				return snp_usage(c, "unknown mode '%s' (snp, snp:ovmf-hash, snp:svsm, seves, sev)", optarg);
			break;
		case OPT_VCPUS:
			if (!parse_u64(c, "--vcpus", optarg, UINT32_MAX, &v))
				return false;
			cfg->vcpus = (unsigned)v;
			c->have_vcpus = true;
			break;
		case OPT_VCPU_TYPE:
			c->vcpu_type = optarg;
			break;
		case OPT_VCPU_SIG:
			if (!parse_u64(c, "--vcpu-sig", optarg, UINT32_MAX, &v))
				return false;
			cfg->vcpu_sig = (uint32_t)v;
			c->have_sig = true;
			break;
		case OPT_VCPU_FAMILY:
		case OPT_VCPU_MODEL:
		case OPT_VCPU_STEPPING: {
			int i = opt - OPT_VCPU_FAMILY;
			static const char *const names[] = { "--vcpu-family", "--vcpu-model", "--vcpu-stepping" };

			if (!parse_u64(c, names[i], optarg, 255, &c->family[i]))
				return false;
			c->have_family[i] = true;
			break;
		}
		case OPT_VMM:
			c->have_vmm = true;
			if (!strcasecmp(optarg, "qemu"))
				cfg->vmm = MS_VMM_QEMU;
			else if (!strcasecmp(optarg, "ec2"))
				cfg->vmm = MS_VMM_EC2;
			else if (!strcasecmp(optarg, "gce"))
				cfg->vmm = MS_VMM_GCE;
			else
				return snp_usage(c, "unknown VMM type '%s' (QEMU, ec2, gce)", optarg);
			break;
		case OPT_FEATURES:
			if (!parse_u64(c, "--guest-features", optarg, UINT64_MAX, &cfg->guest_features))
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
			if (!parse_hash(c, "--snp-ovmf-hash", optarg, cfg->ovmf_hash_value, MS_SHA384_LEN))
				return false;
			cfg->ovmf_hash = true;
			break;
		case OPT_SVSM:
			c->svsm = optarg;
			break;
		case OPT_VARS_SIZE:
			if (!parse_u64(c, "--vars-size", optarg, UINT32_MAX, &c->vars_size))
				return false;
			c->have_vars_size = true;
			break;
		case OPT_VARS_FILE:
			c->vars_file = optarg;
			break;
		case OPT_INIT2:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return snp_usage(c, "--kvm-init2 takes on or off, not '%s'", optarg);
			cfg->init2 = !strcmp(optarg, "on");
			c->have_init2 = true;
			break;
		case OPT_EC2_RDX:
			if (!parse_u64(c, "--ec2-rdx", optarg, UINT64_MAX, &cfg->ec2_rdx))
				return false;
			c->have_rdx = true;
			break;
		case OPT_OUTPUT:
			if (strcmp(optarg, "hex") && strcmp(optarg, "base64"))
				return snp_usage(c, "unknown output format '%s' (hex, base64)", optarg);
			c->base64 = !strcmp(optarg, "base64");
			break;
		case OPT_EXPLAIN:
			c->explain = true;
			break;
		case OPT_DUMP:
			c->dump_dir = optarg;
			break;
		case OPT_BATCH:
			c->batch = optarg;
			break;
		case OPT_FIND:
			c->find = optarg;
			break;
		case 'v':
			c->verbose = true;
			break;
		default:
			return bad_option(c, opt, argv);
		}
	}
	if (optind != argc)
		return snp_usage(c, "unexpected argument '%s'", argv[optind]);
	if (output_check(&c->out)) {
		c->fail.rc = 2;
		c->fail.msg[0] = '\0';
		return false;
	}
	return true;
}

/* The rules sev-snp-measure applies to the command line, and a few more. --find leaves the searched ones open. */
static bool check_options(struct snp_cli *c)
{
	struct ms_sev_config *cfg = &c->cfg;
	bool needs_vcpus = cfg->mode != MS_MODE_SEV && cfg->mode != MS_MODE_SNP_OVMF_HASH && !c->find;
	int families = c->have_family[0] + c->have_family[1] + c->have_family[2];

	if (c->ovmf && (c->published || c->metadata))
		return snp_usage(c, "--published and --ovmf-metadata stand for the firmware: give them or --ovmf");
	if (!c->ovmf && !c->published && !c->metadata)
		return snp_usage(c, "--ovmf FILE (or --published FILE) is required");
	if ((c->published || c->metadata) && cfg->mode != MS_MODE_SNP)
		return snp_usage(c, "--published and --ovmf-metadata compute mode snp only");
	if (c->metadata && !c->published && !cfg->ovmf_hash)
		return snp_usage(c, "--ovmf-metadata needs --snp-ovmf-hash (the firmware's digest)");
	if (c->metadata && !c->published && !c->kernel_sha && !c->kernel)
		return snp_usage(c, "--ovmf-metadata needs the kernel (--kernel or --kernel-sha256)");
	if ((c->initrd || c->initrd_sha) && !(c->kernel || c->kernel_sha))
		return snp_usage(c, "--kernel is required when using --initrd");
	if ((c->append || c->append_sha) && !(c->kernel || c->kernel_sha))
		return snp_usage(c, "--kernel is required when using --append");
	if ((c->kernel && c->kernel_sha) || (c->initrd && c->initrd_sha) || (c->append && c->append_sha))
		return snp_usage(c, "give a file or its --*-sha256, not both");
	if (needs_vcpus && !c->have_vcpus)
		return snp_usage(c, "--vcpus N is required in mode '%s'", ms_sev_mode_name(cfg->mode));
	if (c->have_vcpus && (cfg->vcpus == 0 || cfg->vcpus > MS_SNP_MAX_VCPUS))
		return snp_usage(c, "--vcpus %u: a guest has 1 to %d vCPUs", cfg->vcpus, MS_SNP_MAX_VCPUS);
	if (families && families != 3)
		return snp_usage(c, "--vcpu-family, --vcpu-model and --vcpu-stepping go together");
	if (families) {
		cfg->vcpu_sig = ms_cpu_signature((unsigned)c->family[0], (unsigned)c->family[1],
						 (unsigned)c->family[2]);
		c->have_sig = true;
	} else if (c->have_sig) {
		/* as given */
	} else if (c->vcpu_type) {
		cfg->vcpu_sig = ms_vcpu_type_signature(c->vcpu_type);
		if (!cfg->vcpu_sig)
			return snp_usage(c, "unknown --vcpu-type '%s'", c->vcpu_type);
		c->have_sig = true;
	} else if (needs_vcpus && cfg->vmm == MS_VMM_QEMU) {
		return snp_usage(c, "--vcpu-type, --vcpu-sig or --vcpu-family is required in mode '%s'",
				 ms_sev_mode_name(cfg->mode));
	}
	if (cfg->mode == MS_MODE_SEV)
		cfg->vcpu_sig = 0;
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		if (!c->svsm)
			return snp_usage(c, "snp:svsm mode requires --svsm FILE");
		if (!!c->vars_file + c->have_vars_size != 1)
			return snp_usage(c, "snp:svsm mode requires one of --vars-size or --vars-file");
		if (cfg->vmm != MS_VMM_QEMU)
			return snp_usage(c, "snp:svsm mode is defined for QEMU only");
		if (c->kernel || c->kernel_sha)
			return snp_usage(c, "snp:svsm mode does not take a kernel");
	} else if (c->svsm || c->vars_file || c->have_vars_size) {
		return snp_usage(c, "--svsm, --vars-size and --vars-file belong to snp:svsm mode");
	}
	if (c->dump_dir && cfg->mode != MS_MODE_SNP && cfg->mode != MS_MODE_SEV_ES &&
	    cfg->mode != MS_MODE_SNP_SVSM)
		return snp_usage(c, "--dump-vmsa needs mode snp, seves or snp:svsm");
	if (c->find && c->json && !output_is(&c->out, "json"))
		return snp_usage(c, "--find prints text or --json, not an export");
	if (c->find && (cfg->mode != MS_MODE_SNP || c->dump_dir || c->explain || c->batch))
		return snp_usage(c, "--find searches mode snp, without --batch, --explain or --dump-vmsa");
	if (c->batch && (c->find || c->explain || c->dump_dir))
		return snp_usage(c, "--batch takes --json only");
	return true;
}

/*
 * The published document (or the metadata file) stands for the firmware;
 * what options did not give is taken from it. The hex strings handed to
 * the boot inputs live in p, beside the parse.
 */
static int apply_published(struct snp_cli *c, struct snp_prepared *p)
{
	struct ms_sev_config *cfg = &c->cfg;
	struct ms_err err = { 0 };

	if (c->published) {
		if (ms_file_load(c->published, MS_PUBDOC_MAX_LEN, &p->pub_data, &p->pub_len, &err) ||
		    ms_snp_published_parse(p->pub_data, p->pub_len, "published", &p->doc, &err))
			return snp_file_fail(c, c->published, &err);
		ms_sha256(p->pub_data, p->pub_len, p->pub_sha256);
		p->published_ovmf = p->doc.ovmf;
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
		if (!c->have_features && p->doc.has_guest_features) {
			cfg->guest_features = p->doc.guest_features;
			c->have_features = true;
		}
	}
	if (c->metadata) {
		struct ms_ovmf meta;

		if (ms_file_load(c->metadata, MS_PUBDOC_MAX_LEN, &p->meta, &p->meta_len, &err) ||
		    ms_snp_sections_parse(p->meta, p->meta_len, "OVMF metadata", &meta, &err))
			return snp_file_fail(c, c->metadata, &err);
		ms_sha256(p->meta, p->meta_len, p->meta_sha256);
		/* the file's sections replace the published ones; its footer values too, where it has them */
		p->published_ovmf.nsections = meta.nsections;
		memcpy(p->published_ovmf.sections, meta.sections, sizeof(meta.sections));
		p->published_ovmf.has_table = true;
		if (meta.has_reset_eip)
			p->published_ovmf.has_reset_eip = true, p->published_ovmf.reset_eip = meta.reset_eip;
		if (meta.has_hashes_table)
			p->published_ovmf.has_hashes_table = true,
			p->published_ovmf.hashes_table_gpa = meta.hashes_table_gpa,
			p->published_ovmf.hashes_table_size = meta.hashes_table_size;
	}
	return 0;
}

static bool regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The input at path, mapped once per run; firmware images parsed once too. */
static struct snp_file *file_get(struct snp_cli *c, struct snp_files *files, const char *path, uint64_t max,
				 bool firmware, int *rc)
{
	struct snp_file *f = NULL;
	struct ms_err err = { 0 };

	for (size_t i = 0; i < files->n; i++)
		if (files->v[i]->max == max && !strcmp(files->v[i]->path, path)) {
			f = files->v[i];
			break;
		}
	if (!f) {
		if (files->n == files->cap) {
			size_t cap = files->cap ? 2 * files->cap : 8;
			struct snp_file **v = realloc(files->v, cap * sizeof(*v));

			if (!v)
				goto no_memory;
			files->v = v;
			files->cap = cap;
		}
		if (!(f = calloc(1, sizeof(*f))) || !(f->path = strdup(path))) {
			free(f);
			goto no_memory;
		}
		if (!firmware && !regular_file(path)) {
			if (ms_file_digest(path, MS_SHA256, max, f->sha256, &f->size, &err)) {
				free(f->path);
				free(f);
				*rc = snp_file_fail(c, path, &err);
				return NULL;
			}
			f->streamed = f->have_sha256 = true;
		} else if (ms_file_map(path, max, &f->map, &err)) {
			free(f->path);
			free(f);
			*rc = snp_file_fail(c, path, &err);
			return NULL;
		} else {
			f->size = f->map.len;
		}
		f->max = max;
		files->v[files->n++] = f;
	}
	if (firmware && !f->parsed) {
		if (ms_ovmf_parse(f->map.data, f->map.len, &f->ovmf, &err)) {
			*rc = snp_file_fail(c, path, &err);
			return NULL;
		}
		f->parsed = true;
	}
	return f;
no_memory:
	ms_fail(&err, MS_NO_MEMORY, "out of memory");
	*rc = snp_file_fail(c, path, &err);
	return NULL;
}

static void files_free(struct snp_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		ms_file_unmap(&files->v[i]->map);
		free(files->v[i]->path);
		free(files->v[i]);
	}
	free(files->v);
	ms_sev_engine_free(files->engine);
}

static const uint8_t *file_sha256(struct snp_file *f)
{
	if (!f->have_sha256) {
		ms_sha256(f->map.data, f->map.len, f->sha256);
		f->have_sha256 = true;
	}
	return f->sha256;
}

void snp_prepared_free(struct snp_prepared *p)
{
	free(p->pub_data);
	free(p->meta);
}

/* A kernel or initrd file: its bytes for the engine to hash, or the digest taken as it streamed. */
static void boot_input(const struct snp_file *f, struct ms_sev_boot_bytes *boot, int i, uint8_t sha256[MS_SHA256_LEN])
{
	if (f->streamed) {
		memcpy(sha256, f->sha256, MS_SHA256_LEN);
		return;
	}
	boot->data[i] = f->map.data ? f->map.data : (const uint8_t *)"";
	boot->len[i] = f->map.len;
}

int snp_prepare(struct snp_cli *c, struct snp_files *files, struct snp_prepared *p)
{
	struct ms_sev_config *cfg = &c->cfg;
	struct ms_err err = { 0 };
	int rc = 2;

	if (!c->ovmf && (c->published || c->metadata) && (rc = apply_published(c, p)))
		return rc;
	if (!check_options(c))
		return 2;
	if (!c->ovmf) {
		p->ovmf = &p->published_ovmf;
		if (!p->ovmf->has_reset_eip || !p->ovmf->has_hashes_table) {
			ms_fail(&err, MS_BAD_INPUT, "no %s: the metadata file must give it (object form)",
				!p->ovmf->has_reset_eip ? "reset_eip" : "hashes_table_gpa");
			return snp_file_fail(c, c->metadata, &err);
		}
	} else {
		if (!(p->fw = file_get(c, files, c->ovmf, CLI_MAX_FIRMWARE, true, &rc)))
			return rc;
		p->ovmf = &p->fw->ovmf;
	}
	if (cfg->mode == MS_MODE_SNP_SVSM) {
		if (!(p->svsm = file_get(c, files, c->svsm, CLI_MAX_FIRMWARE, true, &rc)))
			return rc;
		cfg->svsm = &p->svsm->ovmf;
		if (c->vars_file) {
			struct stat st;

			errno = 0;
			if (stat(c->vars_file, &st) < 0 || !S_ISREG(st.st_mode)) {
				ms_fail(&err, MS_BAD_INPUT, "%s", errno ? strerror(errno) : "not a regular file");
				return snp_file_fail(c, c->vars_file, &err);
			}
			c->vars_size = (uint64_t)st.st_size;
		}
		cfg->vars_size = c->vars_size;
	}
	if (c->kernel || c->kernel_sha) {
		cfg->kernel = true;
		if (c->kernel) {
			if (!(p->kernel = file_get(c, files, c->kernel, CLI_MAX_KERNEL, false, &rc)))
				return rc;
			boot_input(p->kernel, &p->boot, 0, cfg->kernel_sha256);
		} else if (!parse_hash(c, "--kernel-sha256", c->kernel_sha, cfg->kernel_sha256, MS_SHA256_LEN)) {
			return 2;
		}
		if (c->initrd) {
			if (!(p->initrd = file_get(c, files, c->initrd, CLI_MAX_INITRD, false, &rc)))
				return rc;
			boot_input(p->initrd, &p->boot, 1, cfg->initrd_sha256);
		} else if (c->initrd_sha) {
			if (!parse_hash(c, "--initrd-sha256", c->initrd_sha, cfg->initrd_sha256, MS_SHA256_LEN))
				return 2;
		} else {
			ms_sha256("", 0, cfg->initrd_sha256);
		}
		if (c->append_sha) {
			if (!parse_hash(c, "--append-sha256", c->append_sha, cfg->append_sha256, MS_SHA256_LEN))
				return 2;
		} else {
			/* the cmdline is hashed with its NUL; no (or an empty) cmdline hashes a lone NUL */
			const char *a = c->append ? c->append : "";

			ms_sha256(a, strlen(a) + 1, cfg->append_sha256);
		}
	}
	return 0;
}

static const char *platform_of(enum ms_sev_mode mode)
{
	return mode == MS_MODE_SEV ? "sev" : mode == MS_MODE_SEV_ES ? "sev-es" : "sev-snp";
}

static void add_input(cJSON *m, const char *role, struct snp_file *f, const uint8_t sha[MS_SHA256_LEN])
{
	if (f) {
		ms_manifest_input(m, role, ms_basename(f->path), f->size, sha);
	} else {
		cJSON *in = cJSON_CreateObject();

		cJSON_AddStringToObject(in, "role", role);
		ms_json_add_hex(in, "sha256", sha, MS_SHA256_LEN);
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(m, "inputs"), in);
	}
}

static cJSON *manifest(const struct snp_cli *c, struct snp_prepared *p, const struct ms_sev_result *res)
{
	const struct ms_sev_config *cfg = &c->cfg;
	cJSON *m = ms_manifest_new(platform_of(cfg->mode), res->len == MS_SHA256_LEN ? "sha256" : "sha384");
	cJSON *params = ms_manifest_parameters(m);
	bool launch = res->has_launch_digest;
	char num[32];

	if (launch)
		ms_manifest_measurement(m, "measurement", res->digest, res->len);
	if (cfg->mode == MS_MODE_SNP_OVMF_HASH)
		ms_manifest_measurement(m, "ovmf_hash", res->firmware_digest, MS_SHA384_LEN);
	cJSON_AddStringToObject(params, "mode", ms_sev_mode_name(cfg->mode));
	if (cfg->mode != MS_MODE_SEV && (cfg->mode != MS_MODE_SNP_OVMF_HASH || launch)) {
		cJSON_AddStringToObject(params, "vmm_type", ms_vmm_name(cfg->vmm));
		cJSON_AddNumberToObject(params, "vcpus", cfg->vcpus);
		snprintf(num, sizeof(num), "0x%x", cfg->vcpu_sig);
		cJSON_AddStringToObject(params, "vcpu_sig", num);
		if (cfg->mode != MS_MODE_SEV_ES) {
			snprintf(num, sizeof(num), "0x%llx", (unsigned long long)cfg->guest_features);
			cJSON_AddStringToObject(params, "guest_features", num);
		}
		if (cfg->vmm == MS_VMM_QEMU)
			cJSON_AddStringToObject(params, "kvm_init2", cfg->init2 ? "on" : "off");
		if (cfg->vmm == MS_VMM_EC2) {
			snprintf(num, sizeof(num), "0x%llx", (unsigned long long)cfg->ec2_rdx);
			cJSON_AddStringToObject(params, "ec2_rdx", num);
		}
	}
	if (cfg->kernel) {
		cJSON_AddBoolToObject(params, "kernel_hashes", true);
		if (c->append)
			cJSON_AddStringToObject(params, "append", c->append);
	}
	if (cfg->ovmf_hash && cfg->mode != MS_MODE_SNP_OVMF_HASH)
		ms_json_add_hex(params, "snp_ovmf_hash", cfg->ovmf_hash_value, MS_SHA384_LEN);
	if (cfg->mode == MS_MODE_SNP_SVSM)
		cJSON_AddNumberToObject(params, "vars_size", (double)cfg->vars_size);
	cJSON_AddStringToObject(params, "profile", "sev-snp-measure 0.0.13");
	if (p->fw)
		ms_manifest_input(m, "ovmf", ms_basename(p->fw->path), p->fw->map.len, file_sha256(p->fw));
	if (p->pub_data)
		ms_manifest_input(m, "published", ms_basename(c->published), p->pub_len, p->pub_sha256);
	if (p->meta)
		ms_manifest_input(m, "ovmf-metadata", ms_basename(c->metadata), p->meta_len, p->meta_sha256);
	if (p->svsm)
		ms_manifest_input(m, "svsm", ms_basename(p->svsm->path), p->svsm->map.len, file_sha256(p->svsm));
	if (cfg->kernel) {
		add_input(m, "kernel", p->kernel, res->kernel_sha256);
		if (c->initrd || c->initrd_sha)
			add_input(m, "initrd", p->initrd, res->initrd_sha256);
		if (c->append_sha)
			add_input(m, "append", NULL, res->append_sha256);
	}
	return m;
}

/* The digest line: hex or base64, labelled with -v. */
static void digest_text(const struct snp_cli *c, const uint8_t *d, size_t len, char *text, size_t text_len)
{
	char enc[2 * MS_SHA384_LEN + 1];
	static const char *const labels[] = { "SEV", "SEV_ES", "SEV_SNP", "SEV_SNP", "SEV_SNP_SVSM" };

	if (c->base64)
		ms_base64_encode(d, len, enc);
	else
		ms_hex_encode(d, len, enc);
	if (c->verbose)
		snprintf(text, text_len, "Calculated %s guest measurement: %s", labels[c->cfg.mode], enc);
	else
		snprintf(text, text_len, "%s", enc);
}

/*
 * One parsed configuration: the digest (or manifest) in *out, a
 * malloc'd text without its final newline; 0 or the exit code (c->fail).
 */
static int run_config(struct snp_cli *c, struct snp_files *files, bool json_line, char **out, cJSON **manifest_out)
{
	struct snp_prepared p;
	struct ms_sev_result res;
	struct ms_err err = { 0 };
	cJSON *json = NULL;
	char text[2 * MS_SHA384_LEN + 80];
	int rc = 2;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if ((rc = snp_prepare(c, files, &p)))
		goto out;
	rc = 2;
	if (c->explain) {
		c->explain_out = c->json ? stderr : stdout;
		c->cfg.event = explain_event;
	}
	if (c->dump_dir)
		c->cfg.vmsa = dump_vmsa;
	c->cfg.arg = c;
	if (ms_sev_measure(files->engine, p.ovmf, &c->cfg, &p.boot, &res, &err)) {
		const char *name = c->ovmf ? c->ovmf : c->published ? c->published : c->metadata;

		rc = snp_file_fail(c, c->dump_dir && strstr(err.msg, "cannot write the VMSA") ? c->dump_dir : name, &err);
		goto out;
	}
	if (c->json && manifest_out) {
		if (!(*manifest_out = manifest(c, &p, &res))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = snp_file_fail(c, NULL, &err);
			goto out;
		}
	} else if (c->json || json_line) {
		if (!(json = manifest(c, &p, &res)) ||
		    !(*out = json_line ? cJSON_PrintUnformatted(json) : ms_json_format(json))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = snp_file_fail(c, NULL, &err);
			goto out;
		}
	} else {
		if (res.has_launch_digest)
			digest_text(c, res.digest, res.len, text, sizeof(text));
		else
			digest_text(c, res.firmware_digest, MS_SHA384_LEN, text, sizeof(text));
		if (!(*out = strdup(text))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = snp_file_fail(c, NULL, &err);
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(json);
	snp_prepared_free(&p);
	return rc;
}

static struct snp_cli default_cli(void)
{
	return (struct snp_cli){ .cfg = { .mode = MS_MODE_SNP, .vmm = MS_VMM_QEMU, .guest_features = 1,
					  .init2 = true, .ec2_rdx = 0x600 } };
}

/*
 * Splits a --batch line into words as a POSIX shell would for the quoting
 * people use in option lines: blanks separate, '...' is literal, "..."
 * keeps \" \\ \$ \` escapes, a backslash outside quotes escapes the next
 * character, and # starts a comment where a word may start. NULL with msg
 * set on an unterminated quote.
 */
static char **split_line(const char *line, int *argc, char *msg, size_t msg_len)
{
	size_t cap = 8, n = 1, len = strlen(line);
	char **argv = calloc(cap, sizeof(char *)), *word = malloc(len + 1);
	const char *s = line;

	if (!argv || !word)
		goto no_memory;
	argv[0] = strdup("snp");
	if (!argv[0])
		goto no_memory;
	for (;;) {
		size_t w = 0;
		bool any = false;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
			any = true;
			if (*s == '\'') {
				const char *q = strchr(s + 1, '\'');

				if (!q) {
					snprintf(msg, msg_len, "unterminated ' quote");
					goto fail;
				}
				memcpy(word + w, s + 1, (size_t)(q - s - 1));
				w += (size_t)(q - s - 1);
				s = q + 1;
			} else if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (!*s) {
						snprintf(msg, msg_len, "unterminated \" quote");
						goto fail;
					}
					if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
						s++;
					word[w++] = *s;
				}
				s++;
			} else if (*s == '\\' && s[1]) {
				word[w++] = s[1];
				s += 2;
			} else {
				word[w++] = *s++;
			}
		}
		if (!any)
			continue;
		word[w] = '\0';
		if (n + 2 > cap) {
			char **grown = realloc(argv, 2 * cap * sizeof(char *));

			if (!grown)
				goto no_memory;
			argv = grown;
			memset(argv + cap, 0, cap * sizeof(char *));
			cap *= 2;
		}
		if (!(argv[n++] = strdup(word)))
			goto no_memory;
	}
	free(word);
	*argc = (int)n;
	return argv;
no_memory:
	snprintf(msg, msg_len, "out of memory");
fail:
	for (size_t i = 0; argv && i < n; i++)
		free(argv[i]);
	free(argv);
	free(word);
	return NULL;
}

static void free_words(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

static bool blank_line(const char *line)
{
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return !*line || *line == '#';
}

/* One output line: the text, or the failure as "error: ..." (JSON: {"error": ...}). */
static int batch_print(bool json, const char *text, const char *error)
{
	char *line = NULL;
	int rc;

	if (error && json) {
		cJSON *o = cJSON_CreateObject();

		if (o && cJSON_AddStringToObject(o, "error", error))
			line = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!line) {
			fprintf(stderr, "measure: snp: out of memory\n");
			return 2;
		}
		rc = printf("%s\n", line) < 0 ? 2 : 0;
		free(line);
	} else if (error) {
		rc = printf("error: %s\n", error) < 0 ? 2 : 0;
	} else {
		rc = printf("%s\n", text) < 0 ? 2 : 0;
	}
	if (rc)
		fprintf(stderr, "measure: snp: cannot write to standard output\n");
	return rc;
}

/* --batch FILE: every line a configuration; the exit code of the first line that failed, or 0. */
static int run_batch(const struct snp_cli *top, struct snp_files *files)
{
	FILE *in = strcmp(top->batch, "-") ? fopen(top->batch, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int first_rc = 0, rc = 0;

	if (!in) {
		fprintf(stderr, "measure: snp: %s: %s\n", top->batch, strerror(errno));
		return 2;
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		struct snp_cli c = default_cli();
		char **argv = NULL, *text = NULL, msg[128];
		int argc = 0, line_rc = 0;

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		c.in_batch = true;
		if ((size_t)len != strlen(line)) {
			line_rc = 2;
			snp_usage(&c, "the line holds a NUL byte");
		} else if (len > BATCH_MAX_LINE) {
			line_rc = 2;
			snp_usage(&c, "the line is longer than %d bytes", BATCH_MAX_LINE);
		} else if (blank_line(line)) {
			if (printf(top->json ? "null\n" : "\n") < 0) {
				rc = 2;
				break;
			}
			continue;
		} else if (!(argv = split_line(line, &argc, msg, sizeof(msg)))) {
			line_rc = 2;
			snp_usage(&c, "%s", msg);
		} else if (!parse_options(argc, argv, &c)) {
			line_rc = 2;
		} else {
			line_rc = run_config(&c, files, top->json, &text, NULL);
		}
		if (line_rc && !first_rc)
			first_rc = line_rc;
		rc = batch_print(top->json, text, line_rc ? c.fail.msg : NULL);
		free(text);
		free_words(argv, argc);
		if (rc)
			break;
	}
	if (!rc && ferror(in)) {
		fprintf(stderr, "measure: snp: %s: %s\n", top->batch, strerror(errno));
		rc = 2;
	}
	if (!rc && fflush(stdout) == EOF) {
		fprintf(stderr, "measure: snp: cannot write to standard output\n");
		rc = 2;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return rc ? rc : first_rc;
}

static unsigned thread_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

int cmd_snp(int argc, char **argv)
{
	struct snp_cli c = default_cli();
	struct snp_files files = { 0 };
	cJSON *manifest = NULL;
	char *text = NULL;
	int rc = 2;

	if (argc > 1 && !strcmp(argv[1], "id-block"))
		return cmd_snp_id_block(argc - 1, argv + 1);
	if (!(files.engine = ms_sev_engine_new(thread_count()))) {
		fprintf(stderr, "measure: snp: out of memory\n");
		return 2;
	}
	if (!parse_options(argc, argv, &c)) {
		snp_report(&c);
		goto out;
	}
	if (c.batch) {
		if (c.config_options) {
			snp_usage(&c, "--batch takes --json only: every other option belongs on the lines of FILE");
			snp_report(&c);
			goto out;
		}
		rc = run_batch(&c, &files);
		goto out;
	}
	if (c.find) {
		if ((rc = snp_find(&c, &files)) >= 2)
			snp_report(&c);
		goto out;
	}
	if ((rc = run_config(&c, &files, false, &text, &manifest))) {
		snp_report(&c);
		goto out;
	}
	if (!c.quiet)
		rc = manifest ? output_manifest(&c.out, manifest) : (cli_write("snp", text) || cli_write("snp", "\n") ? 2 : 0);
out:
	cJSON_Delete(manifest);
	free(text);
	files_free(&files);
	return rc;
}
