/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: 'measure snp --batch FILE' on the input as FILE (the line splitter, the option parser
 * per line, the input cache and the engine). The first byte chooses --json. Lines name files
 * relative to the repository (make fuzz runs there: the seeds use fixtures/snp); inputs naming
 * /dev, /proc or /sys are skipped, since a device can be read for as long as the size limits allow.
 * The Makefile runs it with -close_fd_mask=3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../measure/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char path[] = "/tmp/fuzz_snp_batch.XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[5] = { (char *)"snp", (char *)"--batch", path, NULL, NULL };
	FILE *f;

	if (!size || memmem(data, size, "/dev", 4) || memmem(data, size, "/proc", 5) || memmem(data, size, "/sys", 4))
		return 0;
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
		abort();
	fclose(f);
	if (data[0] & 1)
		argv[3] = (char *)"--json";
	cmd_snp(argv[3] ? 4 : 3, argv);
	return 0;
}
