/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/pubdoc.h"
#include "../tdx/events.h"
#include "../tdx/machine.h"
#include "../tdx/published.h"
#include "../tdx/tdvf.h"
#include "cli.h"
#include "output_opts.h"

#define MAX_BOOT_ENTRIES 64

static const char tdx_help[] =
	"Usage: measure tdx --firmware FILE [options]\n"
	"       measure tdx --published measurement.tdx.cbor [options]\n"
	"       measure tdx eventlog FILE [options]   (see 'measure tdx eventlog --help')\n"
	"\n"
	"Computes what a TDX guest's quote will carry in MRTD and RTMR0-3 for QEMU direct\n"
	"boot with a TDVF/OVMF firmware. Missing inputs are not guessed: the events they\n"
	"determine are listed as not computed and their registers are left out.\n"
	"\n"
	"Published inputs (when the image publisher released hashes, not the files):\n"
	"      --published FILE         dstack's measurement.tdx.cbor (or its JSON form): MRTD\n"
	"                               (single-pass and two-pass), kernel Authenticode, cmdline\n"
	"                               and initrd SHA-384. Options below override its values\n"
	"      --mrtd HEX               the MRTD as given, when the firmware is not at hand\n"
	"      --kernel-authenticode HEX   RTMR1's kernel event: the Authenticode SHA-384 of the\n"
	"                               kernel as the guest measured it (QEMU before 10.2 edits\n"
	"                               its setup header first)\n"
	"      --cmdline-sha384 HEX     RTMR2's command-line event: SHA-384 of the UTF-16LE\n"
	"                               LoadOptions with their NUL (cmdline + \" initrd=initrd\")\n"
	"      --initrd-sha384 HEX      RTMR2's initrd event: SHA-384 of the initrd file\n"
	"Firmware (MRTD):\n"
	"      --firmware FILE          the TDVF image given to QEMU (-bios), e.g. OVMF.fd\n"
	"      --vars FILE              the VARS image, when FILE is the CODE part alone\n"
	"      --page-add-order ORDER   single-pass (QEMU 9 and later, default) or two-pass\n"
	"                               (QEMU 8.x TDX trees; the default with --qemu-version 8)\n"
	"Guest (RTMR0):\n"
	"      --memory SIZE            guest RAM as QEMU's -m takes it: 2G, 2048M, 2048 (MiB)\n"
	"      --acpi-loader FILE --acpi-rsdp FILE --acpi-tables FILE\n"
	"                               QEMU's fw_cfg etc/table-loader, etc/acpi/rsdp and\n"
	"                               etc/acpi/tables, dumped from the VMM\n"
	"      --boot-order FILE        BootOrder's data; with one --boot-entry FILE per entry\n"
	"                               (default: OVMF's BootOrder 0000 and Boot0000 UiApp)\n"
	"      --secure-boot on|off     SecureBoot's value, needed when the VARS hold keys\n"
	"Direct boot (RTMR1, RTMR2):\n"
	"      --kernel FILE            the bzImage (-kernel)\n"
	"      --initrd FILE            the initrd (-initrd)\n"
	"      --cmdline TEXT           the command line (-append); OVMF adds \" initrd=initrd\"\n"
	"      --qemu-version X.Y       QEMU before 10.2 edits the kernel's setup header, 10.2 and\n"
	"                               later do not (qemu/qemu a7542a38f399)\n"
	"Output:\n"
	"      --transcript             print every event: register, type, description, digest\n"
	"                               (with --json, as JSON for 'measure tdx eventlog --against')\n"
	OUTPUT_HELP;

struct input {
	const char *path;
	uint8_t *data;
	size_t len;
};

struct tdx_cli {
	const char *firmware, *vars, *kernel_path, *initrd_path, *cmdline, *boot_order_path, *published;
	const char *mrtd_hex, *kernel_auth_hex, *cmdline_sha_hex, *initrd_sha_hex;
	const char *boot_entry_paths[MAX_BOOT_ENTRIES];
	unsigned nboot;
	struct input acpi[3];
	uint64_t memory;
	int qemu_major, qemu_minor, secure_boot;
	int order; /* -1: from the QEMU version */
	bool json, transcript, quiet;
	struct output_opts out; /* --json, --format, --env-prefix, -q, -h: json and quiet follow it */
};

static int load(const char *path, size_t max, struct input *in)
{
	struct ms_err err = { 0 };

	in->path = path;
	if (ms_file_load(path, max, &in->data, &in->len, &err))
		return cli_fail("tdx", path, &err);
	return 0;
}

static bool parse_version(const char *text, int *major, int *minor)
{
	char *end;
	long a = strtol(text, &end, 10), b = 0;

	if (end == text || a < 1 || a > 99)
		return false;
	if (*end == '.') {
		const char *p = end + 1;

		b = strtol(p, &end, 10);
		if (end == p || b < 0 || b > 99)
			return false;
		if (*end == '.') /* a micro version does not matter */
			for (end++; *end >= '0' && *end <= '9'; end++)
				;
	}
	if (*end)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

static bool parse_digest(const char *opt, const char *text, uint8_t out[MS_SHA384_LEN])
{
	struct ms_err err = { 0 };

	if (ms_hex_decode(text, out, MS_SHA384_LEN, opt, &err)) {
		cli_usage("tdx", "%s", err.msg);
		return false;
	}
	return true;
}

static void add_input(cJSON *m, const char *role, const struct input *in)
{
	uint8_t sha[MS_SHA256_LEN];

	if (!in->data)
		return;
	ms_sha256(in->data, in->len, sha);
	ms_manifest_input(m, role, ms_basename(in->path), in->len, sha);
}

/* An event's description; a missing input is named by the option that gives it (--NAME). */
const char *tdx_event_text(const struct ms_tdx_event *e, char *buf, size_t cap)
{
	const char *needs = ms_tdx_input_name(e->needs);

	if (e->computed || !needs)
		return e->description;
	snprintf(buf, cap, "%s (needs --%s%s%s)", e->description, needs, e->why[0] ? ": " : "", e->why);
	return buf;
}

static char *transcript_text(const struct ms_tdx_log *log)
{
	char text_buf[320];
	char *text = NULL, hex[2 * MS_SHA384_LEN + 1];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	for (size_t i = 0; i < log->n; i++) {
		const struct ms_tdx_event *e = &log->events[i];

		if (e->computed)
			ms_hex_encode(e->digest, MS_SHA384_LEN, hex);
		else
			snprintf(hex, sizeof(hex), "%-96s", "(not computed)");
		fprintf(out, "RTMR%u  %-34s %s  %s\n", e->rtmr, ms_tcg_event_type_name(e->type), hex,
			tdx_event_text(e, text_buf, sizeof(text_buf)));
	}
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

static bool parse_options(int argc, char **argv, struct tdx_cli *c)
{
	enum { OPT_FIRMWARE = 256, OPT_VARS, OPT_ORDER, OPT_MEMORY, OPT_LOADER, OPT_RSDP, OPT_TABLES,
	       OPT_BOOT_ORDER, OPT_BOOT_ENTRY, OPT_SECURE_BOOT, OPT_KERNEL, OPT_INITRD, OPT_CMDLINE,
	       OPT_QEMU, OPT_TRANSCRIPT, OPT_PUBLISHED, OPT_MRTD, OPT_KERNEL_AUTH, OPT_CMDLINE_SHA, OPT_INITRD_SHA };
	static const struct option options[] = {
		{ "firmware", required_argument, NULL, OPT_FIRMWARE },
		{ "vars", required_argument, NULL, OPT_VARS },
		{ "page-add-order", required_argument, NULL, OPT_ORDER },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "acpi-loader", required_argument, NULL, OPT_LOADER },
		{ "acpi-rsdp", required_argument, NULL, OPT_RSDP },
		{ "acpi-tables", required_argument, NULL, OPT_TABLES },
		{ "boot-order", required_argument, NULL, OPT_BOOT_ORDER },
		{ "boot-entry", required_argument, NULL, OPT_BOOT_ENTRY },
		{ "secure-boot", required_argument, NULL, OPT_SECURE_BOOT },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "qemu-version", required_argument, NULL, OPT_QEMU },
		{ "transcript", no_argument, NULL, OPT_TRANSCRIPT },
		{ "published", required_argument, NULL, OPT_PUBLISHED },
		{ "mrtd", required_argument, NULL, OPT_MRTD },
		{ "kernel-authenticode", required_argument, NULL, OPT_KERNEL_AUTH },
		{ "cmdline-sha384", required_argument, NULL, OPT_CMDLINE_SHA },
		{ "initrd-sha384", required_argument, NULL, OPT_INITRD_SHA },
		OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	output_init(&c->out, "tdx", tdx_help, NULL);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
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
		case OPT_FIRMWARE: c->firmware = optarg; break;
		case OPT_VARS: c->vars = optarg; break;
		case OPT_ORDER:
			if (!strcmp(optarg, "single-pass"))
				c->order = MS_SINGLE_PASS;
			else if (!strcmp(optarg, "two-pass"))
				c->order = MS_TWO_PASS;
			else
				return cli_usage("tdx", "--page-add-order is single-pass or two-pass, not '%s'", optarg), false;
			break;
		case OPT_MEMORY:
			if (!cli_parse_qemu_memory("tdx", "--memory", optarg, &c->memory))
				return false;
			break;
		case OPT_LOADER: c->acpi[0].path = optarg; break;
		case OPT_RSDP: c->acpi[1].path = optarg; break;
		case OPT_TABLES: c->acpi[2].path = optarg; break;
		case OPT_BOOT_ORDER: c->boot_order_path = optarg; break;
		case OPT_BOOT_ENTRY:
			if (c->nboot == MAX_BOOT_ENTRIES)
				return cli_usage("tdx", "more than %d --boot-entry files", MAX_BOOT_ENTRIES), false;
			c->boot_entry_paths[c->nboot++] = optarg;
			break;
		case OPT_SECURE_BOOT:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return cli_usage("tdx", "--secure-boot takes on or off, not '%s'", optarg), false;
			c->secure_boot = !strcmp(optarg, "on");
			break;
		case OPT_KERNEL: c->kernel_path = optarg; break;
		case OPT_INITRD: c->initrd_path = optarg; break;
		case OPT_CMDLINE: c->cmdline = optarg; break;
		case OPT_QEMU:
			if (!parse_version(optarg, &c->qemu_major, &c->qemu_minor))
				return cli_usage("tdx", "--qemu-version: '%s' is not a version such as 9.2 or 10.1", optarg),
				       false;
			break;
		case OPT_TRANSCRIPT: c->transcript = true; break;
		case OPT_PUBLISHED: c->published = optarg; break;
		case OPT_MRTD: c->mrtd_hex = optarg; break;
		case OPT_KERNEL_AUTH: c->kernel_auth_hex = optarg; break;
		case OPT_CMDLINE_SHA: c->cmdline_sha_hex = optarg; break;
		case OPT_INITRD_SHA: c->initrd_sha_hex = optarg; break;
		default:
			return cli_bad_option("tdx", opt, argv), false;
		}
	}
	if (optind != argc)
		return cli_usage("tdx", "unexpected argument '%s'", argv[optind]), false;
	if (!c->firmware && !c->mrtd_hex && !c->published)
		return cli_usage("tdx", "--firmware FILE (or --mrtd HEX, or --published FILE) is required"), false;
	if (c->firmware && c->mrtd_hex)
		return cli_usage("tdx", "give --firmware or --mrtd, not both"), false;
	if ((c->kernel_path && c->kernel_auth_hex) || (c->cmdline && c->cmdline_sha_hex) ||
	    (c->initrd_path && c->initrd_sha_hex))
		return cli_usage("tdx", "give a file (or text) or its digest, not both"), false;
	if ((c->initrd_path || c->cmdline || c->initrd_sha_hex || c->cmdline_sha_hex) && !c->kernel_path &&
	    !c->kernel_auth_hex && !c->published)
		return cli_usage("tdx", "--initrd and --cmdline (or their digests) need --kernel or --kernel-authenticode"),
		       false;
	if (!c->firmware && (c->vars || c->acpi[0].path || c->acpi[1].path || c->acpi[2].path || c->boot_order_path))
		return cli_usage("tdx", "--vars, --acpi-* and --boot-order describe the firmware: they need --firmware"),
		       false;
	if (c->nboot && !c->boot_order_path)
		return cli_usage("tdx", "--boot-entry needs --boot-order"), false;
	if (c->transcript && c->json && !output_is(&c->out, "json"))
		return cli_usage("tdx", "--transcript prints JSON or text, not --format %s", c->out.format), false;
	return output_check(&c->out) == 0;
}

int cmd_tdx(int argc, char **argv)
{
	struct tdx_cli c = { .order = -1, .secure_boot = -1 };
	struct input fw = { 0 }, vars = { 0 }, kernel = { 0 }, boot_order = { 0 }, entries[MAX_BOOT_ENTRIES];
	const uint8_t *entry_data[MAX_BOOT_ENTRIES];
	size_t entry_lens[MAX_BOOT_ENTRIES];
	uint8_t rtmr[4][MS_SHA384_LEN];
	bool known[4], kernel_computed = false;
	struct ms_mapping kernel_map = { 0 }, fw_map = { 0 }, initrd_map = { 0 };
	struct ms_tdx_machine machine;
	struct ms_tdx_result res = { 0 };
	enum ms_page_add_order order;
	struct ms_err err = { 0 };
	cJSON *json = NULL;
	char *text = NULL;
	struct input published = { 0 };
	struct ms_tdx_published pub;
	uint8_t given_mrtd[MS_SHA384_LEN], kernel_auth[MS_SHA384_LEN], cmdline_sha[MS_SHA384_LEN],
		initrd_sha[MS_SHA384_LEN];
	const char *mrtd_source = NULL, *kernel_auth_source = NULL;
	bool have_mrtd = false, have_kernel_auth = false, have_cmdline_sha = false, have_initrd_sha = false;
	int rc = 2;

	if (argc > 1 && !strcmp(argv[1], "eventlog"))
		return cmd_tdx_eventlog(argc - 1, argv + 1);
	memset(entries, 0, sizeof(entries));
	memset(&pub, 0, sizeof(pub));
	if (!parse_options(argc, argv, &c))
		return 2;
	order = c.order >= 0 ? (enum ms_page_add_order)c.order : ms_tdx_default_order(c.qemu_major);
	if (c.published) {
		if ((rc = load(c.published, MS_PUBDOC_MAX_LEN, &published)))
			goto out;
		rc = 2;
		if (ms_tdx_published_parse(published.data, published.len, "published", &pub, &err)) {
			rc = cli_fail("tdx", c.published, &err);
			goto out;
		}
	}
	/* each boot input: the option, else the published value */
	if (c.mrtd_hex) {
		if (!parse_digest("--mrtd", c.mrtd_hex, given_mrtd))
			goto out;
		have_mrtd = true, mrtd_source = "given (--mrtd)";
	} else if (c.published && !c.firmware) {
		memcpy(given_mrtd, order == MS_TWO_PASS ? pub.mrtd_two_pass : pub.mrtd_single_pass, MS_SHA384_LEN);
		have_mrtd = true, mrtd_source = order == MS_TWO_PASS ? "published two_pass" : "published single_pass";
	}
	if (c.kernel_auth_hex) {
		if (!parse_digest("--kernel-authenticode", c.kernel_auth_hex, kernel_auth))
			goto out;
		have_kernel_auth = true, kernel_auth_source = "given (--kernel-authenticode)";
	} else if (c.published && !c.kernel_path) {
		/* dstack publishes the digest of the kernel as QEMU before 10.2 edits it, for some memory sizes only */
		if (c.qemu_major && !ms_qemu_patches_tdx_kernel(c.qemu_major, c.qemu_minor)) {
			ms_fail(&err, MS_UNSUPPORTED,
				"image.kernel_authenticode is of the kernel as QEMU before 10.2 edits its setup header; QEMU %d.%d measures the file unedited (qemu/qemu a7542a38f399): give --kernel or --kernel-authenticode",
				c.qemu_major, c.qemu_minor);
			rc = cli_fail("tdx", c.published, &err);
			goto out;
		}
		if (c.memory && !ms_tdx_published_kernel_memory_ok(c.memory)) {
			ms_fail(&err, MS_UNSUPPORTED,
				"image.kernel_authenticode holds for 2 GiB or at least 2816 MiB of guest memory; with %llu MiB QEMU's edits differ: give --kernel",
				(unsigned long long)(c.memory >> 20));
			rc = cli_fail("tdx", c.published, &err);
			goto out;
		}
		memcpy(kernel_auth, pub.kernel_authenticode, MS_SHA384_LEN);
		have_kernel_auth = true, kernel_auth_source = "published (setup header as QEMU before 10.2 edits it)";
	}
	if (c.cmdline_sha_hex) {
		if (!parse_digest("--cmdline-sha384", c.cmdline_sha_hex, cmdline_sha))
			goto out;
		have_cmdline_sha = true;
	} else if (c.published && !c.cmdline) {
		memcpy(cmdline_sha, pub.cmdline_sha384, MS_SHA384_LEN);
		have_cmdline_sha = true;
	}
	if (c.initrd_sha_hex) {
		if (!parse_digest("--initrd-sha384", c.initrd_sha_hex, initrd_sha))
			goto out;
		have_initrd_sha = true;
	} else if (c.published && !c.initrd_path) {
		memcpy(initrd_sha, pub.initrd_sha384, MS_SHA384_LEN);
		have_initrd_sha = true;
	}
	/* the inputs, each read once; ms_tdx_measure joins VARS and CODE and computes everything */
	if (c.firmware) {
		if (ms_file_map(c.firmware, CLI_MAX_FIRMWARE, &fw_map, &err)) {
			rc = cli_fail("tdx", c.firmware, &err);
			goto out;
		}
		fw.path = c.firmware;
		fw.data = (uint8_t *)fw_map.data; /* read only */
		fw.len = fw_map.len;
		if (c.vars && (rc = load(c.vars, CLI_MAX_FIRMWARE, &vars)))
			goto out;
	}
	if (c.initrd_path) {
		struct ms_file f;

		if (ms_file_open(&f, c.initrd_path, &err)) {
			rc = cli_fail("tdx", c.initrd_path, &err);
			goto out;
		}
		ms_file_close(&f);
		if (!f.regular) {
			ms_fail(&err, MS_BAD_INPUT, "not a regular file (its size must be known)");
			rc = cli_fail("tdx", c.initrd_path, &err);
			goto out;
		}
		if (ms_file_map(c.initrd_path, CLI_MAX_INITRD, &initrd_map, &err)) {
			rc = cli_fail("tdx", c.initrd_path, &err);
			goto out;
		}
	}
	for (int i = 0; i < 3; i++)
		if (c.acpi[i].path && (rc = load(c.acpi[i].path, CLI_MAX_ACPI, &c.acpi[i])))
			goto out;
	if (c.boot_order_path && (rc = load(c.boot_order_path, CLI_MAX_BOOT_ORDER, &boot_order)))
		goto out;
	for (unsigned i = 0; i < c.nboot; i++) {
		if ((rc = load(c.boot_entry_paths[i], CLI_MAX_BOOT_ENTRY, &entries[i])))
			goto out;
		entry_data[i] = entries[i].data;
		entry_lens[i] = entries[i].len;
	}
	if (c.kernel_path) {
		if (ms_file_map(c.kernel_path, CLI_MAX_KERNEL, &kernel_map, &err)) {
			rc = cli_fail("tdx", c.kernel_path, &err);
			goto out;
		}
		kernel.path = c.kernel_path;
		kernel.data = (uint8_t *)kernel_map.data; /* read only: the library does not write it */
		kernel.len = kernel_map.len;
	}
	rc = 2;
	machine = (struct ms_tdx_machine){
		.firmware = fw.data, .firmware_len = fw.len,
		.vars = c.vars ? vars.data : NULL, .vars_len = vars.len,
		.order_given = c.order >= 0, .order = order,
		.mrtd = have_mrtd ? given_mrtd : NULL,
		.initrd_data = c.initrd_path ? (initrd_map.data ? initrd_map.data : (const uint8_t *)"") : NULL,
		.initrd_len = initrd_map.len,
		.kernel_authenticode = have_kernel_auth ? kernel_auth : NULL,
		.boot = {
			.memory = c.memory,
			.acpi_loader = c.acpi[0].data, .acpi_loader_len = c.acpi[0].len,
			.acpi_rsdp = c.acpi[1].data, .acpi_rsdp_len = c.acpi[1].len,
			.acpi_tables = c.acpi[2].data, .acpi_tables_len = c.acpi[2].len,
			.boot_order = boot_order.data, .boot_order_len = boot_order.len,
			.boot_entries = entry_data, .boot_entry_lens = entry_lens, .nboot_entries = c.nboot,
			.secure_boot = c.secure_boot, .kernel = kernel.data, .kernel_len = kernel.len,
			.qemu_major = c.qemu_major, .qemu_minor = c.qemu_minor, .cmdline = c.cmdline,
			.initrd = have_initrd_sha, .cmdline_sha384 = have_cmdline_sha ? cmdline_sha : NULL,
		},
	};
	if (have_initrd_sha)
		memcpy(machine.boot.initrd_sha384, initrd_sha, MS_SHA384_LEN);
	if (ms_tdx_measure(&machine, &res, &err)) {
		switch (res.failed) {
		case MS_TDX_PART_FIRMWARE:
			rc = cli_fail("tdx", c.vars ? c.vars : c.firmware, &err);
			if (c.vars)
				fprintf(stderr, "measure: tdx: (the image checked is %s followed by %s)\n", c.vars,
					c.firmware);
			break;
		case MS_TDX_PART_KERNEL:
			rc = cli_fail("tdx", c.kernel_path, &err);
			break;
		case MS_TDX_PART_INITRD:
			rc = cli_fail("tdx", c.initrd_path, &err);
			break;
		case MS_TDX_PART_EVENTS:
			rc = cli_fail("tdx", c.kernel_path && strstr(err.msg, "PE") ? c.kernel_path
				      : c.firmware ? c.firmware : c.published, &err);
			break;
		default:
			rc = cli_fail("tdx", NULL, &err);
			break;
		}
		goto out;
	}
	kernel_computed = res.kernel_computed;
	memcpy(rtmr, res.rtmr, sizeof(rtmr));
	memcpy(known, res.known, sizeof(known));
	/* a published image (dstack) extends RTMR3 at run time: its value comes from the event log, not from here */
	if (c.published)
		known[3] = false;
	if (c.quiet) {
		rc = 0;
		goto out;
	}
	if (c.transcript && c.json) {
		json = ms_tdx_log_json(&res.log);
		rc = json ? cli_write_json("tdx", json) : 2;
	} else if (c.transcript) {
		text = transcript_text(&res.log);
		rc = text ? cli_write("tdx", text) : 2;
	} else if (c.json) {
		cJSON *p;
		char ver[16];

		json = ms_manifest_new("tdx", "sha384");
		ms_manifest_measurement(json, "mrtd", res.mrtd, MS_SHA384_LEN);
		for (int i = 0; i < 4; i++) {
			char key[8];

			snprintf(key, sizeof(key), "rtmr%d", i);
			if (known[i])
				ms_manifest_measurement(json, key, rtmr[i], MS_SHA384_LEN);
		}
		p = ms_manifest_parameters(json);
		cJSON_AddStringToObject(p, "page_add_order", res.order == MS_TWO_PASS ? "two-pass" : "single-pass");
		if (mrtd_source)
			cJSON_AddStringToObject(p, "mrtd", mrtd_source);
		if (kernel_auth_source && !kernel_computed)
			cJSON_AddStringToObject(p, "kernel_authenticode", kernel_auth_source);
		if (have_cmdline_sha)
			ms_json_add_hex(p, "cmdline_sha384", cmdline_sha, MS_SHA384_LEN);
		if (have_initrd_sha)
			ms_json_add_hex(p, "initrd_sha384", initrd_sha, MS_SHA384_LEN);
		if (c.published)
			cJSON_AddStringToObject(p, "ovmf_variant", pub.ovmf_variant);
		if (c.memory)
			cJSON_AddNumberToObject(p, "memory", (double)c.memory);
		if (c.qemu_major) {
			snprintf(ver, sizeof(ver), "%d.%d", c.qemu_major, c.qemu_minor);
			cJSON_AddStringToObject(p, "qemu_version", ver);
		}
		if (c.cmdline)
			cJSON_AddStringToObject(p, "cmdline", c.cmdline);
		if (c.secure_boot >= 0)
			cJSON_AddStringToObject(p, "secure_boot", c.secure_boot ? "on" : "off");
		if (c.firmware && !c.boot_order_path)
			cJSON_AddStringToObject(p, "boot_variables", "OVMF default (BootOrder 0000, Boot0000 UiApp)");
		add_input(json, "published", &published);
		add_input(json, "firmware", &fw);
		add_input(json, "vars", &vars);
		add_input(json, "acpi-loader", &c.acpi[0]);
		add_input(json, "acpi-rsdp", &c.acpi[1]);
		add_input(json, "acpi-tables", &c.acpi[2]);
		add_input(json, "boot-order", &boot_order);
		for (unsigned i = 0; i < c.nboot; i++)
			add_input(json, "boot-entry", &entries[i]);
		add_input(json, "kernel", &kernel);
		if (c.initrd_path) {
			uint8_t sha[MS_SHA256_LEN];

			ms_sha256(initrd_map.data, initrd_map.len, sha);
			ms_manifest_input(json, "initrd", ms_basename(c.initrd_path), initrd_map.len, sha);
		}
		rc = output_manifest(&c.out, json);
	} else {
		char hex[2 * MS_SHA384_LEN + 1], line[256];
		size_t missing = 0;

		for (size_t i = 0; i < res.log.n; i++)
			missing += !res.log.events[i].computed;
		text = malloc(2048);
		if (!text)
			goto out;
		ms_hex_encode(res.mrtd, MS_SHA384_LEN, hex);
		snprintf(text, 2048, "MRTD   %s  (%s)\n", hex,
			 mrtd_source ? mrtd_source : res.order == MS_TWO_PASS ? "two-pass" : "single-pass");
		for (int i = 0; i < 4; i++) {
			if (known[i])
				ms_hex_encode(rtmr[i], MS_SHA384_LEN, hex);
			snprintf(line, sizeof(line), "RTMR%d  %s\n", i,
				 known[i] ? hex
				 : i == 3 && c.published
					 ? "not computed: run-time events (replay the guest's event log: measure tdx eventlog)"
					 : "not computed: an input is missing (see --transcript)");
			strncat(text, line, 2048 - strlen(text) - 1);
		}
		if (missing) {
			snprintf(line, sizeof(line), "(%zu event%s could not be computed; --transcript lists them)\n",
				 missing, missing == 1 ? "" : "s");
			strncat(text, line, 2048 - strlen(text) - 1);
		}
		rc = cli_write("tdx", text);
	}
out:
	cJSON_Delete(json);
	free(text);
	ms_tdx_result_free(&res);
	ms_file_unmap(&initrd_map);
	free(published.data);
	ms_file_unmap(&fw_map);
	free(vars.data);
	ms_file_unmap(&kernel_map);
	free(boot_order.data);
	for (int i = 0; i < 3; i++)
		free(c.acpi[i].data);
	for (unsigned i = 0; i < c.nboot; i++)
		free(entries[i].data);
	return rc;
}
