/* SPDX-License-Identifier: Apache-2.0 */
/* measure compare --batch: many comparisons in one process, one line of FILE each. */
#ifndef MS_COMPARE_BATCH_H
#define MS_COMPARE_BATCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/chain.h"
#include "verify_opts.h"

/* One line of the batch, as compare_run sees it. */
struct compare_batch_line {
	unsigned long number;         /* in FILE, from 1 */
	struct ms_chain_cache *cache; /* the run's verified chains and parsed certificates */
	struct verify_memo *memo;     /* the run's --root and --crl files */
	bool json;
	bool batch_on_stdin;          /* the batch is read from standard input: no line may read it */
	dev_t stdin_dev;              /* standard input's file, to refuse /dev/stdin and the like */
	ino_t stdin_ino;
	char *result;                 /* set by compare_run unless the exit code is 2: text, or one JSON object */
};

/* measure compare's work for one command line; line NULL: the plain command, printing as it does. */
int compare_run(int argc, char **argv, struct compare_batch_line *line);
int cmd_compare_batch(int argc, char **argv);

/*
 * Splits one batch line into words as a POSIX shell would for plain words:
 * blanks separate; '...' is literal; "..." is literal but for \" \\ \$ \`;
 * a backslash outside quotes takes the next character literally; '#' at the
 * start of a word begins a comment. No expansion of any kind. The words
 * point into *buf (the caller frees it). 0, or -1 with a reason in why.
 */
int compare_batch_split(const char *line, char **buf, char **words, int max_words, int *nwords, char *why,
			size_t why_len);

#endif
