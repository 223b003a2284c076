/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/digest.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../image/image.h"
#include "../image/ramdisk.h"
#include "cli.h"
#include "out_file.h"

static const char ramdisk_help[] =
	"Usage: measure eif ramdisk --image IMAGE -o FILE [--platform OS/ARCH[/VARIANT]]\n"
	"       measure eif ramdisk --bootstrap DIR -o FILE\n"
	"\n"
	"Writes a ramdisk as nitro-cli's build-enclave does (linuxkit's uncompressed cpio\n"
	"newc), without docker. --image: the customer ramdisk of an OCI image layout\n"
	"(directory or tar) or docker-archive tar: the layers flattened (whiteouts and\n"
	"opaque directories honoured), docker's init layer added, `docker export` order,\n"
	"linuxkit's edits, under rootfs/, then the files cmd and env. --bootstrap: the\n"
	"bootstrap ramdisk from DIR/init and DIR/nsm.ko. Prints the size and SHA-384.\n"
	"\n"
	"Options:\n"
	"      --image PATH        the container image\n"
	"      --platform P        the image to use from a multi-platform index\n"
	"      --bootstrap DIR     a directory holding init and nsm.ko\n"
	"      --max-size SIZE     refuse an image whose files add up to more (default 8G;\n"
	"                          checked before anything is written, sparse files count in full)\n"
	"      --max-unpacked SIZE the budget for decompressed data: all gzip layers (and any\n"
	"                          other compressed entry of a tar image) together, files later\n"
	"                          whited out or replaced included (default twice --max-size,\n"
	"                          at least 64M);\n"
	"                          reading stops at the byte that passes it (gzip bombs)\n"
	"  -o, --output FILE       the ramdisk (a regular file, put in place only when complete;\n"
	"                          never one of the inputs or inside the image layout)\n"
	"  -q, --quiet             print nothing\n"
	"  -h, --help              show this help\n"
	"\n"
	"Nothing but FILE is written; the image is read twice (structure, then contents)\n"
	"and every layer's digest is checked on both reads. Refused with exit 2: paths\n"
	"with .. or absolute, entries below a symlink, relative symlinks that climb out of\n"
	"the root, hard links to a missing file, sockets, names over 1023 bytes, more than\n"
	"1000 layers or 1,000,000 paths, layers decompressing past --max-unpacked, files\n"
	"adding up past --max-size, a whiteout naming no file, a FIFO in the layout. Not verified\n"
	"against nitro-cli: see docs/nitro-ramdisk.md. Exit codes: 0 written, 2 bad input\n"
	"or usage, 5 libarchive missing or an unsupported layer compression.\n";

/* Opens path as an image source and reads its index, manifest, config and layers (verified). */
static int open_image(const char *verb, const char *path, const char *platform, uint64_t max_unpacked,
		      struct ms_image_source *src, struct ms_image *img)
{
	struct ms_err err = { 0 };
	struct stat sb;
	int fd;

	src->dirfd = src->tarfd = -1;
	if (!strcmp(path, "-"))
		return cli_usage(verb, "the image is read twice, so it must be a file or a directory, not -");
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if ((src->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			goto sys;
		if (ms_image_read_dir(src->dirfd, platform, max_unpacked, img, &err))
			goto fail;
		return 0;
	}
	if ((fd = ms_open_regular_at(AT_FDCWD, path, 0)) < 0) {
		if (errno == MS_ENOTREG)
			ms_fail(&err, MS_BAD_INPUT, "not a regular file or a directory (the image is read twice)");
		else
			goto sys;
		goto fail;
	}
	src->tarfd = fd;
	if (ms_image_read_tar(fd, platform, max_unpacked, img, &err))
		goto fail;
	return 0;
sys:
	ms_fail(&err, MS_BAD_INPUT, "cannot open: %s", strerror(errno));
fail:
	return cli_fail(verb, path, &err);
}

static void close_image(struct ms_image_source *src, struct ms_image *img)
{
	if (src->dirfd >= 0)
		close(src->dirfd);
	if (src->tarfd >= 0)
		close(src->tarfd);
	src->dirfd = src->tarfd = -1;
	ms_image_free(img);
}

int cli_ramdisk_image(const char *verb, const char *image, const char *platform, uint64_t max_size,
		      uint64_t max_unpacked, int out_fd, struct ms_ramdisk_info *info)
{
	struct ms_image_source src = { -1, -1 };
	struct ms_image img = { 0 };
	struct ms_err err = { 0 };
	int rc;

	if ((rc = open_image(verb, image, platform, max_unpacked, &src, &img)))
		goto out;
	if (ms_ramdisk_customer(&src, &img, out_fd, max_size, max_unpacked, info, &err))
		rc = cli_fail(verb, image, &err);
out:
	close_image(&src, &img);
	return rc;
}

int cli_ramdisk_bootstrap(const char *verb, const char *dir, int out_fd, struct ms_ramdisk_info *info)
{
	struct ms_err err = { 0 };
	char path[4096];
	int dfd, init_fd = -1, nsm_fd = -1, rc = 2;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ms_fail(&err, MS_BAD_INPUT, "cannot open the directory: %s", strerror(errno));
		return cli_fail(verb, dir, &err);
	}
	if ((init_fd = ms_open_regular_at(dfd, "init", 0)) < 0 || (nsm_fd = ms_open_regular_at(dfd, "nsm.ko", 0)) < 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, init_fd < 0 ? "init" : "nsm.ko");
		ms_fail(&err, MS_BAD_INPUT, "cannot open: %s", ms_open_error(errno));
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	if (ms_ramdisk_bootstrap(init_fd, nsm_fd, out_fd, info, &err)) {
		rc = cli_fail(verb, dir, &err);
		goto out;
	}
	rc = 0;
out:
	if (init_fd >= 0)
		close(init_fd);
	if (nsm_fd >= 0)
		close(nsm_fd);
	close(dfd);
	return rc;
}

static int sha384_fd(int fd, uint8_t out[MS_SHA384_LEN])
{
	struct ms_hash h = { 0 };
	uint8_t *buf = malloc(1 << 16);
	off_t at = 0;
	int rc = -1;

	if (!buf || ms_hash_init(&h, MS_SHA384))
		goto out;
	for (;;) {
		ssize_t got = pread(fd, buf, 1 << 16, at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (!got)
			break;
		ms_hash_update(&h, buf, (size_t)got);
		at += got;
	}
	ms_hash_final(&h, out);
	rc = 0;
out:
	ms_hash_free(&h);
	free(buf);
	return rc;
}

int cmd_eif_ramdisk(int argc, char **argv)
{
	static const struct option options[] = {
		{ "image", required_argument, NULL, 'i' },    { "platform", required_argument, NULL, 'p' },
		{ "bootstrap", required_argument, NULL, 'b' }, { "output", required_argument, NULL, 'o' },
		CLI_RAMDISK_LIMIT_OPTIONS, { "quiet", no_argument, NULL, 'q' },          { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = "eif ramdisk", *image = NULL, *platform = NULL, *bootstrap = NULL, *output = NULL;
	struct ms_ramdisk_info info;
	uint8_t digest[MS_SHA384_LEN];
	char hex[2 * MS_SHA384_LEN + 1];
	bool quiet = false;
	struct stat sb;
	struct out_file out = { .fd = -1 };
	uint64_t max_size = MS_RAMDISK_DEFAULT_MAX_SIZE, max_unpacked = 0;
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
		if ((rc = cli_ramdisk_limit_option(verb, opt, optarg, &max_size, &max_unpacked)) < 0)
			return 2;
		if (rc)
			continue;
		switch (opt) {
		case 'i': image = optarg; break;
		case 'p': platform = optarg; break;
		case 'b': bootstrap = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			fputs(ramdisk_help, stdout);
			return 0;
		default:
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage(verb, "unexpected argument '%s'", argv[optind]);
	cli_ramdisk_limits_done(max_size, &max_unpacked);
	if (!image == !bootstrap)
		return cli_usage(verb, "one of --image and --bootstrap is required");
	if (platform && !image)
		return cli_usage(verb, "--platform goes with --image");
	if (!output || !strcmp(output, "-"))
		return cli_usage(verb, "-o FILE is required (a regular file)");
	if (lstat(output, &sb) == 0 && !S_ISREG(sb.st_mode))
		return cli_usage(verb, "%s exists and is not a regular file", output);
	{
		const char *inputs[4] = { image, bootstrap, NULL, NULL };
		char *init_path = NULL, *nsm_path = NULL;

		if (bootstrap && (asprintf(&init_path, "%s/init", bootstrap) < 0 ||
				  asprintf(&nsm_path, "%s/nsm.ko", bootstrap) < 0)) {
			fprintf(stderr, "measure: %s: out of memory\n", verb);
			return 2;
		}
		inputs[2] = init_path;
		inputs[3] = nsm_path;
		rc = out_file_check_inputs(verb, output, inputs, 4, 2);
		free(init_path);
		free(nsm_path);
		if (rc)
			return rc;
	}
	if ((rc = out_file_open(verb, output, &out)))
		return rc;
	rc = image ? cli_ramdisk_image(verb, image, platform, max_size, max_unpacked, out.fd, &info)
		   : cli_ramdisk_bootstrap(verb, bootstrap, out.fd, &info);
	if (!rc && sha384_fd(out.fd, digest) != 0) {
		fprintf(stderr, "measure: %s: %s: cannot read back (%s)\n", verb, output, strerror(errno));
		rc = 2;
	}
	if (!rc)
		rc = out_file_commit(verb, &out);
	if (rc) {
		out_file_abort(&out); /* never a partial ramdisk, and what was at FILE stays */
		return rc;
	}
	if (info.implicit_dirs)
		fprintf(stderr, "measure: %s: warning: %llu director%s without a header in any layer: docker would "
			"give them the time of extraction, so nitro-cli's PCR2 is not reproducible for this image\n",
			verb, (unsigned long long)info.implicit_dirs, info.implicit_dirs == 1 ? "y" : "ies");
	if (quiet)
		return 0;
	ms_hex_encode(digest, MS_SHA384_LEN, hex);
	printf("wrote      %s (%llu bytes, %llu entries%s)\n", output, (unsigned long long)info.size,
	       (unsigned long long)info.entries, info.hardlinks ? ", hard links as symlinks" : "");
	printf("sha384     %s\n", hex);
	return cli_write(verb, "");
}
