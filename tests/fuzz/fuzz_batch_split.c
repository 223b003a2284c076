/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the word splitter of 'measure compare --batch' lines (measure/cmd_compare_batch.c).
 * The input is one line (a NUL ends it early, as a C string does). Checked: no crash or overread,
 * at most as many words as allowed, every word fits in the line's length, and a success is
 * stable: the words joined by single spaces, each quoted with '...', split back to the same words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../measure/compare_batch.h"

#define MAX_WORDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* w quoted for the splitter: '...' with each ' written as '\'' */
static size_t quote(const char *w, char *out)
{
	size_t n = 0;

	out[n++] = '\'';
	for (; *w; w++) {
		if (*w == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *w;
		}
	}
	out[n++] = '\'';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *buf = NULL, *buf2 = NULL, *joined = NULL, why[256];
	char *words[MAX_WORDS], *again[MAX_WORDS];
	int n = 0, m = 0;
	size_t at = 0;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (compare_batch_split(line, &buf, words, MAX_WORDS, &n, why, sizeof(why)) == 0) {
		if (n < 0 || n > MAX_WORDS)
			abort();
		joined = malloc(5 * size + 2 * (size_t)n + 2);
		if (!joined)
			abort();
		for (int i = 0; i < n; i++) {
			if (strlen(words[i]) > size)
				abort();
			at += quote(words[i], joined + at);
			joined[at++] = ' ';
		}
		joined[at] = '\0';
		if (compare_batch_split(joined, &buf2, again, MAX_WORDS, &m, why, sizeof(why)) || m != n)
			abort();
		for (int i = 0; i < n; i++)
			if (strcmp(words[i], again[i]))
				abort();
	}
	free(buf);
	free(buf2);
	free(joined);
	free(line);
	return 0;
}
