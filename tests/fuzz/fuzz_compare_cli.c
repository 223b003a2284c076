/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the whole 'measure compare' command line with its files, as wireguard-tools fuzzes
 * its command parser. The input is split at each "\xff\xfe": every part but the last is the
 * content of a file (f0, f1, ... in a private directory); the last is the arguments, separated
 * by NUL bytes, where "@N" stands for the path of file N. The Makefile runs it with
 * -close_fd_mask=3: libFuzzer closes the target's stdout and stderr and keeps its own reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../measure/cli.h"

#define MAX_FILES 8
#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[] = "/tmp/fuzz_compare_cli.XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	return 0;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char paths[MAX_FILES][64], *argv[MAX_ARGS + 2], *text;
	const uint8_t *p = data, *end = data + size;
	size_t nfiles = 0, argc = 0;

	for (;;) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\xff\xfe", 2);

		if (!sep || nfiles == MAX_FILES)
			break;
		snprintf(paths[nfiles], sizeof(paths[0]), "%s/f%zu", dir, nfiles);
		write_file(paths[nfiles], p, (size_t)(sep - p));
		nfiles++;
		p = sep + 2;
	}
	text = malloc((size_t)(end - p) + 1);
	if (!text)
		return 0;
	memcpy(text, p, (size_t)(end - p));
	text[end - p] = '\0';
	argv[argc++] = (char *)"compare";
	for (char *a = text; a < text + (end - p) + 1 && argc < MAX_ARGS + 1; a += strlen(a) + 1) {
		if (a[0] == '@' && a[1] >= '0' && a[1] < '0' + (int)nfiles && !a[2])
			argv[argc++] = paths[a[1] - '0'];
		else if (!strncmp(a, "--f", 3)) /* --fetch (or any abbreviation): the network is not the fuzzer's */
			goto out;
		else if (strcmp(a, "-")) /* stdin is not the fuzzer's to give */
			argv[argc++] = a;
	}
	argv[argc] = NULL;
	cmd_compare((int)argc, argv);
out:
	free(text);
	for (size_t i = 0; i < nfiles; i++)
		unlink(paths[i]);
	return 0;
}
