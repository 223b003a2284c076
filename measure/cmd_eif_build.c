/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/file.h"
#include "../common/json.h"
#include "../common/hex.h"
#include "../eif/eif.h"
#include "../image/ramdisk.h"
#include "cli.h"
#include "out_file.h"

#define MAX_RAMDISKS 28

static const char build_help[] =
	"Usage: measure eif build --kernel FILE --cmdline TEXT --ramdisk FILE [--ramdisk FILE...]\n"
	"                         -o OUTPUT [options]\n"
	"       measure eif build --kernel FILE --cmdline TEXT --bootstrap DIR --image IMAGE\n"
	"                         -o OUTPUT [options]\n"
	"\n"
	"Writes a deterministic EIF (version 4) and prints the PCRs of what it wrote.\n"
	"Sections are laid out as nitro-cli does: kernel, cmdline, metadata, ramdisks.\n"
	"The first ramdisk is the bootstrap one (PCR1), the others the application (PCR2).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE        the EIF to write (a regular file)\n"
	"      --kernel FILE        the kernel image\n"
	"      --cmdline TEXT       the kernel command line, written as given\n"
	"      --ramdisk FILE       a ramdisk; repeat for each, in order\n"
	"      --bootstrap DIR      first ramdisk: the bootstrap one built from DIR/init and\n"
	"                           DIR/nsm.ko (as 'measure eif ramdisk --bootstrap')\n"
	"      --image IMAGE        last ramdisk: the customer one built from a container image\n"
	"                           (as 'measure eif ramdisk --image'): nitro-cli build-enclave\n"
	"                           without docker; the ramdisks are unnamed files in OUTPUT's\n"
	"                           directory, gone when the command ends\n"
	"      --platform P         the image's platform in a multi-platform index\n"
	"      --max-size SIZE      with --image: refuse an image whose files add up to more\n"
	"                           (default 8G), before anything is written\n"
	"      --max-unpacked SIZE  with --image: refuse an image whose layers decompress to\n"
	"                           more (default twice --max-size, at least 64M), at the\n"
	"                           byte that passes it\n"
	"      --arch NAME          x86_64 (default) or aarch64\n"
	"      --metadata FILE      write FILE's bytes as the metadata section\n"
	"      --no-metadata        write no metadata section\n"
	"      --name TEXT          ImageName in the metadata (default: the kernel's file name)\n"
	"      --image-version TEXT ImageVersion in the metadata (default 1.0)\n"
	"      --build-time TEXT    BuildTime (default: SOURCE_DATE_EPOCH, else\n"
	"                           1970-01-01T00:00:00+00:00)\n"
	"      --compat eif_build   write the metadata as eif_build 0.3.1 does (BuildTool\n"
	"                           eif_build, OperatingSystem OS, KernelVersion kernel, and\n"
	"                           its quirk: --name also sets ImageVersion unless\n"
	"                           --image-version is given); same inputs, same bytes\n"
	"      --build-tool, --build-tool-version, --img-os, --img-kernel TEXT\n"
	"                           override those metadata fields (as eif_build's options)\n"
	"      --sign-cert PEM, --sign-key PEM\n"
	"                           sign PCR0 (COSE_Sign1, ES256/384/512 by the key's\n"
	"                           curve): a signature section, and so PCR8\n"
	"  -q, --quiet              print nothing\n"
	"  -h, --help               show this help\n"
	"\n"
	"The metadata is not measured: PCRs do not depend on it. Without --build-time the\n"
	"output is byte-for-byte reproducible.\n";

/* The BuildMetadata fields of one writer. */
struct build_info {
	const char *tool, *tool_version, *os, *kernel;
};

/* eif_build 0.3.1 (aws-nitro-enclaves-image-format): its fixed defaults. */
static const struct build_info eif_build_info = { "eif_build", "0.3.1", "OS", "kernel" };
static const struct build_info measure_info = { "measure", MS_VERSION, "", "" };

static char *default_metadata(const char *name, const char *version, const char *build_time,
			      const struct build_info *info)
{
	cJSON *m = cJSON_CreateObject(), *b;
	char *text;

	if (!m)
		return NULL;
	cJSON_AddStringToObject(m, "ImageName", name);
	cJSON_AddStringToObject(m, "ImageVersion", version);
	b = cJSON_AddObjectToObject(m, "BuildMetadata");
	cJSON_AddStringToObject(b, "BuildTime", build_time);
	cJSON_AddStringToObject(b, "BuildTool", info->tool);
	cJSON_AddStringToObject(b, "BuildToolVersion", info->tool_version);
	cJSON_AddStringToObject(b, "OperatingSystem", info->os);
	cJSON_AddStringToObject(b, "KernelVersion", info->kernel);
	cJSON_AddNullToObject(m, "DockerInfo");
	cJSON_AddNullToObject(m, "CustomMetadata");
	text = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	return text;
}

static int build_time_default(char *out, size_t len)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	time_t t = 0;
	struct tm tm;

	if (sde && *sde) {
		long long v = strtoll(sde, &end, 10);

		if (*end || v < 0)
			return -1;
		t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return 0;
}

int cmd_eif_build(int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },   { "kernel", required_argument, NULL, 'k' },
		{ "cmdline", required_argument, NULL, 'c' },  { "ramdisk", required_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'a' },     { "metadata", required_argument, NULL, 'm' },
		{ "no-metadata", no_argument, NULL, 'M' },    { "name", required_argument, NULL, 'n' },
		{ "image-version", required_argument, NULL, 'v' },
		{ "build-time", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },           { "compat", required_argument, NULL, 'C' },
		{ "build-tool", required_argument, NULL, 'T' }, { "build-tool-version", required_argument, NULL, 'V' },
		{ "img-os", required_argument, NULL, 'O' },   { "img-kernel", required_argument, NULL, 'K' },
		{ "sign-cert", required_argument, NULL, 'S' }, { "sign-key", required_argument, NULL, 'P' },
		{ "bootstrap", required_argument, NULL, 'B' }, { "image", required_argument, NULL, 'I' },
		{ "platform", required_argument, NULL, 'L' }, CLI_RAMDISK_LIMIT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *sign_cert = NULL, *sign_key = NULL, *final_output = NULL;
	char *unsigned_path = NULL;
	struct build_info info = measure_info;
	const char *over_tool = NULL, *over_version = NULL, *over_os = NULL, *over_kernel = NULL;
	bool compat = false, version_given = false;
	const char *verb = "eif build", *output = NULL, *kernel = NULL, *metadata_file = NULL;
	const char *name = NULL, *image_version = NULL, *build_time = NULL, *ramdisks[MAX_RAMDISKS];
	struct ms_eif_build b = { .kernel_fd = -1, .default_mem = 1073741824, .default_cpus = 2 };
	struct ms_file kernel_file = { .fd = -1 }, rd_files[MAX_RAMDISKS];
	int rd_fds[MAX_RAMDISKS + 2], out_fd = -1, opt, rc = 2, boot_fd = -1, image_fd = -1;
	const char *bootstrap = NULL, *image = NULL, *platform = NULL;
	struct ms_ramdisk_info rd_info;
	uint64_t max_size = MS_RAMDISK_DEFAULT_MAX_SIZE, max_unpacked = 0;
	unsigned nfds = 0;
	unsigned nrd = 0, opened = 0;
	bool no_metadata = false, quiet = false;
	uint8_t *metadata = NULL;
	size_t metadata_len = 0;
	char *generated = NULL, time_text[40];
	struct ms_eif eif;
	struct ms_err err = { 0 };
	struct out_file out = { .fd = -1 };

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
		int limit = cli_ramdisk_limit_option(verb, opt, optarg, &max_size, &max_unpacked);

		if (limit < 0)
			return 2;
		if (limit)
			continue;
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'c':
			b.cmdline = optarg;
			break;
		case 'r':
			if (nrd == MAX_RAMDISKS)
				return cli_usage(verb, "more than %d ramdisks", MAX_RAMDISKS);
			ramdisks[nrd++] = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "x86_64") && strcmp(optarg, "aarch64"))
				return cli_usage(verb, "unknown architecture '%s' (x86_64, aarch64)", optarg);
			b.aarch64 = !strcmp(optarg, "aarch64");
			break;
		case 'm':
			metadata_file = optarg;
			break;
		case 'M':
			no_metadata = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			image_version = optarg;
			version_given = true;
			break;
		case 'C':
			if (strcmp(optarg, "eif_build"))
				return cli_usage(verb, "unknown --compat '%s' (eif_build)", optarg);
			compat = true;
			break;
		case 'T':
			over_tool = optarg;
			break;
		case 'V':
			over_version = optarg;
			break;
		case 'O':
			over_os = optarg;
			break;
		case 'K':
			over_kernel = optarg;
			break;
		case 'S':
			sign_cert = optarg;
			break;
		case 'P':
			sign_key = optarg;
			break;
		case 'B':
			bootstrap = optarg;
			break;
		case 'I':
			image = optarg;
			break;
		case 'L':
			platform = optarg;
			break;
		case 't':
			build_time = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(build_help, stdout);
			return 0;
		default:
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage(verb, "unexpected argument '%s'", argv[optind]);
	if (platform && !image)
		return cli_usage(verb, "--platform goes with --image");
	if (!image && (max_size != MS_RAMDISK_DEFAULT_MAX_SIZE || max_unpacked))
		return cli_usage(verb, "--max-size and --max-unpacked go with --image");
	cli_ramdisk_limits_done(max_size, &max_unpacked);
	if (!output || !kernel || !b.cmdline || !(nrd || bootstrap || image))
		return cli_usage(verb, "%s is required",
				 !output ? "-o OUTPUT" : !kernel ? "--kernel" : !b.cmdline ? "--cmdline" : "--ramdisk");
	if (metadata_file && no_metadata)
		return cli_usage(verb, "--metadata and --no-metadata exclude each other");
	if (!sign_cert != !sign_key)
		return cli_usage(verb, "--sign-cert and --sign-key go together");
	if ((metadata_file || no_metadata) && (compat || over_tool || over_version || over_os || over_kernel ||
					       build_time || name || version_given))
		return cli_usage(verb, "--metadata and --no-metadata leave no metadata fields to set");
	{
		const char *inputs[MAX_RAMDISKS + 8] = { image, bootstrap, kernel, metadata_file, sign_cert, sign_key };
		unsigned n = 6;
		char *boot_files[2] = { NULL, NULL };

		for (unsigned i = 0; i < nrd; i++)
			inputs[n++] = ramdisks[i];
		if (bootstrap && (asprintf(&boot_files[0], "%s/init", bootstrap) < 0 ||
				  asprintf(&boot_files[1], "%s/nsm.ko", bootstrap) < 0)) {
			fprintf(stderr, "measure: %s: out of memory\n", verb);
			return 2;
		}
		inputs[n++] = boot_files[0];
		inputs[n++] = boot_files[1];
		rc = out_file_check_inputs(verb, output, inputs, n, 2);
		free(boot_files[0]);
		free(boot_files[1]);
		if (rc)
			return rc;
		rc = 2;
	}
	if (compat) {
		info = eif_build_info;
		if (!version_given && name)
			image_version = name; /* eif_build 0.3.1 reads --name for ImageVersion too */
	}
	if (!image_version)
		image_version = "1.0";
	info.tool = over_tool ? over_tool : info.tool;
	info.tool_version = over_version ? over_version : info.tool_version;
	info.os = over_os ? over_os : info.os;
	info.kernel = over_kernel ? over_kernel : info.kernel;

	if (ms_file_open(&kernel_file, kernel, &err)) {
		rc = cli_fail(verb, kernel, &err);
		goto out;
	}
	b.kernel_fd = kernel_file.fd;
	for (; opened < nrd; opened++) {
		if (ms_file_open(&rd_files[opened], ramdisks[opened], &err)) {
			rc = cli_fail(verb, ramdisks[opened], &err);
			goto out;
		}
	}
	if (bootstrap || image) {
		char *dir = strdup(output), *slash = dir ? strrchr(dir, '/') : NULL;
		const char *where = !dir ? NULL : !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);

		/* unnamed files beside the output: nothing else is written, and nothing stays behind */
		if (where && bootstrap)
			boot_fd = open(where, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (where && image)
			image_fd = open(where, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		free(dir);
		if ((bootstrap && boot_fd < 0) || (image && image_fd < 0)) {
			ms_fail(&err, MS_BAD_INPUT, "cannot create an unnamed file in its directory for the ramdisks: %m");
			rc = cli_fail(verb, output, &err);
			goto out;
		}
		if ((bootstrap && (rc = cli_ramdisk_bootstrap(verb, bootstrap, boot_fd, &rd_info))) ||
		    (image && (rc = cli_ramdisk_image(verb, image, platform, max_size, max_unpacked, image_fd, &rd_info))))
			goto out;
		rc = 2;
	}
	if (boot_fd >= 0)
		rd_fds[nfds++] = boot_fd;
	for (unsigned i = 0; i < nrd; i++)
		rd_fds[nfds++] = rd_files[i].fd;
	if (image_fd >= 0)
		rd_fds[nfds++] = image_fd;
	nrd = nfds;
	b.ramdisk_fds = rd_fds;
	b.ramdisks = nrd;
	if (metadata_file) {
		if (ms_file_load(metadata_file, MS_EIF_MAX_METADATA_LEN, &metadata, &metadata_len, &err)) {
			rc = cli_fail(verb, metadata_file, &err);
			goto out;
		}
		b.metadata = metadata;
		b.metadata_len = metadata_len;
	} else if (!no_metadata) {
		if (!build_time) {
			if (build_time_default(time_text, sizeof(time_text)) < 0) {
				rc = cli_usage(verb, "SOURCE_DATE_EPOCH is not a number of seconds");
				goto out;
			}
			build_time = time_text;
		}
		generated = default_metadata(name ? name : ms_basename(kernel), image_version, build_time, &info);
		if (!generated) {
			fprintf(stderr, "measure: %s: out of memory\n", verb);
			goto out;
		}
		b.metadata = (const uint8_t *)generated;
		b.metadata_len = strlen(generated);
	}

	if (sign_cert) { /* the unsigned EIF beside the output, then signed into it */
		final_output = output;
		if (asprintf(&unsigned_path, "%s.unsigned-XXXXXX", output) < 0) {
			unsigned_path = NULL;
			fprintf(stderr, "measure: %s: out of memory\n", verb);
			goto out;
		}
		out_fd = mkstemp(unsigned_path);
		output = unsigned_path;
		if (out_fd < 0) {
			ms_fail(&err, MS_BAD_INPUT, "cannot create: %m");
			rc = cli_fail(verb, output, &err);
			goto out;
		}
		if (ms_eif_write(out_fd, &b, &eif, &err) || fsync(out_fd) < 0 || close(out_fd) < 0) {
			if (!err.msg[0])
				ms_fail(&err, MS_BAD_INPUT, "cannot write: %m");
			out_fd = -1;
			rc = cli_fail(verb, output, &err); /* unsigned_path is removed below */
			goto out;
		}
		out_fd = -1;
	} else {
		/* put in place only when complete: -o never truncates an input, a killed run leaves nothing */
		if ((rc = out_file_open(verb, output, &out)))
			goto out;
		if (ms_eif_write(out.fd, &b, &eif, &err)) {
			rc = cli_fail(verb, output, &err);
			goto out;
		}
		if ((rc = out_file_commit(verb, &out)))
			goto out;
	}
	rc = 0;
	if (final_output) {
		rc = cli_eif_sign_file(verb, unsigned_path, sign_cert, sign_key, final_output, quiet);
		goto out;
	}
	if (!quiet) {
		printf("wrote      %s (%llu bytes, %u ramdisk%s)\n", output,
		       (unsigned long long)eif.file_size, nrd, nrd == 1 ? "" : "s");
		cli_print_eif_pcrs(&eif);
		rc = cli_write(verb, "");
	}
out:
	if (out_fd >= 0)
		close(out_fd);
	out_file_abort(&out);
	if (boot_fd >= 0)
		close(boot_fd);
	if (image_fd >= 0)
		close(image_fd);
	if (unsigned_path)
		unlink(unsigned_path);
	free(unsigned_path);
	ms_file_close(&kernel_file);
	for (unsigned i = 0; i < opened; i++)
		ms_file_close(&rd_files[i]);
	free(metadata);
	cJSON_free(generated);
	return rc;
}
