/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure compare --batch FILE: one comparison per line of FILE, in one
 * process, so that the pinned roots are parsed once, --root and --crl files
 * are loaded once, and a certificate path verified for one line is not
 * verified again for the next under the same conditions (common/chain.h).
 * Each line is exactly a 'measure compare' command line without the verb:
 * the options given beside --batch, then the line's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/json.h"
#include "../common/text.h"
#include "../compare/match.h"
#include "cli.h"
#include "compare_batch.h"

#define MAX_LINE (64u << 10)
#define MAX_WORDS 256

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int compare_batch_split(const char *line, char **buf, char **words, int max_words, int *nwords, char *why, size_t why_len)
{
	size_t n = strlen(line);
	char *out = malloc(n + 1), *w = out;
	const char *p = line;
	int count = 0;

	*buf = out;
	*nwords = 0;
	if (!out)
		return snprintf(why, why_len, "out of memory"), -1;
	for (;;) {
		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (count == max_words)
			return snprintf(why, why_len, "more than %d words", max_words), -1;
		words[count++] = w;
		while (*p && !blank(*p)) {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (!end)
					return snprintf(why, why_len, "column %zu: a ' that is not closed", (size_t)(p - line) + 1), -1;
				memcpy(w, p + 1, (size_t)(end - p - 1));
				w += end - p - 1;
				p = end + 1;
			} else if (*p == '"') {
				const char *open = p++;

				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					*w++ = *p++;
				}
				if (!*p)
					return snprintf(why, why_len, "column %zu: a \" that is not closed", (size_t)(open - line) + 1),
					       -1;
				p++;
			} else if (*p == '\\') {
				if (!p[1])
					return snprintf(why, why_len, "a \\ at the end of the line escapes nothing"), -1;
				*w++ = p[1];
				p += 2;
			} else {
				*w++ = *p++;
			}
		}
		*w++ = '\0';
	}
	*nwords = count;
	return 0;
}

/* The first line of what compare_run wrote on standard error, without "measure: compare: ". */
static void first_error_line(const char *text, char *out, size_t cap)
{
	static const char prefix[] = "measure: compare: ";
	size_t n;

	if (!text || !*text) {
		snprintf(out, cap, "bad input");
		return;
	}
	if (!strncmp(text, prefix, sizeof(prefix) - 1))
		text += sizeof(prefix) - 1;
	n = strcspn(text, "\n");
	snprintf(out, cap, "%.*s", (int)n, text);
}

/* Options that take a value, to tell a misplaced file from an option's value beside --batch. */
static bool takes_value(const char *opt)
{
	static const char *const names[] = { "--type", "--at", "--nonce", "--root", "--crl", "--vcek", "--certs",
					     "--tcb-info", "--qe-identity", "--tcb-issuer-chain", "--accept-tcb",
					     "--min-tcb-date", "--policy", "--cache", "--base-url", "--ca-file" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(opt, names[i]))
			return true;
	return false;
}

/* A word of a line that has no place there: standard input, or what only the command line decides. */
static const char *misplaced(char *const *words, int n)
{
	static const char *const refused[] = { "-", "--batch", "--json", "-j", "--quiet", "-q", "--help", "-h" };

	bool after_dashes = false;

	/* after "--" every word is a file, and "-" still reads standard input */
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
			if ((!after_dashes || k == 0) &&
			    (!strcmp(words[i], refused[k]) || (!strncmp(words[i], "--batch=", 8) && k == 1)))
				return refused[k];
		if (!strcmp(words[i], "--"))
			after_dashes = true;
	}
	return NULL;
}

struct tally {
	unsigned long lines, by_code[6];
	enum ms_status worst;
};

static void count(struct tally *t, int rc)
{
	static const enum ms_status status_of[] = { MS_OK, MS_MISMATCH, MS_BAD_INPUT, MS_BAD_SIGNATURE, MS_NO_COLLATERAL,
						    MS_UNSUPPORTED };

	if (rc < 0 || rc > 5)
		rc = 2;
	t->lines++;
	t->by_code[rc]++;
	t->worst = ms_status_worst(t->worst, status_of[rc]);
}

/* Prints a line's error (exit 2) as its result. */
static void print_line_error(bool json, unsigned long number, const char *msg)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();
		char *text;

		cJSON_AddNumberToObject(o, "line", (double)number);
		cJSON_AddNumberToObject(o, "exit_code", 2);
		cJSON_AddStringToObject(o, "verdict", "bad input");
		cJSON_AddStringToObject(o, "error", msg);
		text = cJSON_PrintUnformatted(o);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(o);
	} else {
		char *shown = ms_text_escape_dup(msg);

		printf("line %lu: bad input (exit 2): %s\n", number, shown ? shown : "(out of memory)");
		free(shown);
	}
}

static void print_summary(bool json, const struct tally *t, int rc, const struct ms_chain_cache *cache)
{
	uint64_t hits, full;

	ms_chain_cache_stats(cache, &hits, &full);
	if (json) {
		cJSON *o = cJSON_CreateObject(), *s = cJSON_AddObjectToObject(o, "summary");
		char *text;

		cJSON_AddNumberToObject(s, "comparisons", (double)t->lines);
		cJSON_AddNumberToObject(s, "match", (double)t->by_code[0]);
		cJSON_AddNumberToObject(s, "mismatch", (double)t->by_code[1]);
		cJSON_AddNumberToObject(s, "bad_input", (double)t->by_code[2]);
		cJSON_AddNumberToObject(s, "not_verified", (double)t->by_code[3]);
		cJSON_AddNumberToObject(s, "collateral_missing", (double)t->by_code[4]);
		cJSON_AddNumberToObject(s, "unsupported", (double)t->by_code[5]);
		cJSON_AddNumberToObject(s, "exit_code", rc);
		cJSON_AddNumberToObject(s, "chains_verified_in_full", (double)full);
		cJSON_AddNumberToObject(s, "chains_from_cache", (double)hits);
		text = cJSON_PrintUnformatted(o);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(o);
		return;
	}
	printf("summary: %lu comparisons: %lu match, %lu mismatch, %lu bad input, %lu not verified, %lu collateral missing, "
	       "%lu unsupported; exit %d (certificate chains: %llu verified in full, %llu from the cache)\n",
	       t->lines, t->by_code[0], t->by_code[1], t->by_code[2], t->by_code[3], t->by_code[4], t->by_code[5], rc,
	       (unsigned long long)full, (unsigned long long)hits);
}

/*
 * Reads one line into buf (at most MAX_LINE bytes, without its newline or a
 * CR before it). 1: a line; 0: end of file; -1: a line too long (consumed)
 * or holding a NUL byte.
 */
static int read_line(FILE *f, char *buf, bool *too_long, bool *has_nul)
{
	size_t n = 0;
	int ch = EOF;

	*too_long = *has_nul = false;
	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (ch == '\0')
			*has_nul = true;
		if (n < MAX_LINE)
			buf[n++] = (char)ch;
		else
			*too_long = true;
	}
	if (ch == EOF && n == 0 && !*too_long)
		return 0;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return *too_long || *has_nul ? -1 : 1;
}

/* One line: split, run as 'measure compare GLOBAL WORDS', its result printed. */
static void run_line(struct compare_batch_line *line, char **global, int nglobal, const char *text, bool quiet,
		     struct tally *t)
{
	char *words[MAX_WORDS], *split = NULL, why[256], msg[1024], *errtext = NULL;
	char **argv = NULL;
	size_t errlen = 0;
	const char *bad;
	FILE *real_stderr, *captured;
	int nwords, rc;

	if (compare_batch_split(text, &split, words, MAX_WORDS, &nwords, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "%s", why);
		goto line_error;
	}
	if (!nwords)
		goto out; /* blank, or a comment */
	if ((bad = misplaced(words, nwords))) {
		snprintf(msg, sizeof(msg), "'%s' has no place in a batch line%s", bad,
			 !strcmp(bad, "-") ? " (standard input is not a file of the batch)" : ": give it beside --batch");
		goto line_error;
	}
	if (!(argv = calloc((size_t)(1 + nglobal + nwords + 1), sizeof(*argv)))) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto line_error;
	}
	argv[0] = "compare";
	memcpy(argv + 1, global, (size_t)nglobal * sizeof(*argv));
	memcpy(argv + 1 + nglobal, words, (size_t)nwords * sizeof(*argv));
	/*
	 * compare_run tells bad input by one line on standard error, as the plain
	 * command does; here that line becomes the result of this line alone.
	 */
	fflush(stderr);
	if (!(captured = open_memstream(&errtext, &errlen))) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto line_error;
	}
	real_stderr = stderr;
	stderr = captured;
	line->result = NULL;
	rc = compare_run(1 + nglobal + nwords, argv, line);
	stderr = real_stderr;
	fclose(captured);
	if (rc == 2 || !line->result) {
		first_error_line(errtext, msg, sizeof(msg));
		goto line_error;
	}
	count(t, rc);
	if (!quiet && line->json) {
		printf("%s\n", line->result);
	} else if (!quiet) { /* the paths and messages in it come from the line and the evidence */
		char *shown = ms_text_escape_dup(line->result);

		printf("%s\n", shown ? shown : "(out of memory)");
		free(shown);
	}
	goto out;
line_error:
	count(t, 2);
	if (!quiet)
		print_line_error(line->json, line->number, msg);
out:
	free(line->result);
	line->result = NULL;
	free(errtext);
	free(argv);
	free(split);
}

int cmd_compare_batch(int argc, char **argv)
{
	struct compare_batch_line line = { 0 };
	struct verify_memo memo = { 0 };
	struct tally t = { 0 };
	struct ms_err err = { 0 };
	const char *path = NULL;
	char **global = calloc((size_t)argc + 1, sizeof(*global)), *buf = malloc(MAX_LINE + 1);
	int nglobal = 0, rc = 2;
	bool quiet = false, after_dashes = false;
	FILE *f = NULL;
	struct stat st, in;

	if (!global || !buf) {
		fprintf(stderr, "measure: compare: out of memory\n");
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!after_dashes && !strcmp(a, "--batch")) {
			if (path || i + 1 == argc) {
				rc = cli_usage("compare", path ? "one --batch" : "--batch needs a FILE");
				goto out;
			}
			path = argv[++i];
		} else if (!after_dashes && !strncmp(a, "--batch=", 8)) {
			if (path) {
				rc = cli_usage("compare", "one --batch");
				goto out;
			}
			path = a + 8;
		} else if (!after_dashes && (!strcmp(a, "--json") || !strcmp(a, "-j"))) {
			line.json = true;
		} else if (!after_dashes && (!strcmp(a, "--quiet") || !strcmp(a, "-q"))) {
			quiet = true;
		} else if (!after_dashes && a[0] == '-' && a[1]) {
			if (!strcmp(a, "--")) {
				after_dashes = true;
				continue;
			}
			global[nglobal++] = argv[i];
			if (takes_value(a) && i + 1 < argc)
				global[nglobal++] = argv[++i];
		} else {
			rc = cli_usage("compare", "with --batch, EXPECTED and EVIDENCE go in the lines of %s, not on the command "
						  "line ('%s')", path ? path : "FILE", a);
			goto out;
		}
	}
	if (!path) {
		rc = cli_usage("compare", "--batch needs a FILE");
		goto out;
	}
	if (!strcmp(path, "-") || (!stat(path, &st) && !fstat(0, &in) && st.st_dev == in.st_dev && st.st_ino == in.st_ino)) {
		f = stdin;
		line.batch_on_stdin = true;
		if (!fstat(0, &in)) {
			line.stdin_dev = in.st_dev;
			line.stdin_ino = in.st_ino;
		}
	} else if (!(f = fopen(path, "r"))) {
		ms_fail(&err, MS_BAD_INPUT, "cannot be read: %m");
		rc = cli_fail("compare", path, &err);
		goto out;
	}
	if (ms_chain_cache_new(&line.cache, &err)) {
		rc = cli_fail("compare", path, &err);
		goto out;
	}
	line.memo = &memo;
	for (;;) {
		bool too_long, has_nul;
		int got = read_line(f, buf, &too_long, &has_nul);

		if (got == 0)
			break;
		line.number++;
		if (got < 0) {
			count(&t, 2);
			if (!quiet) {
				char msg[128];

				snprintf(msg, sizeof(msg), too_long ? "the line is longer than %u bytes" : "the line holds a NUL byte",
					 MAX_LINE);
				print_line_error(line.json, line.number, msg);
			}
			continue;
		}
		run_line(&line, global, nglobal, buf, quiet, &t);
	}
	if (ferror(f)) {
		ms_fail(&err, MS_BAD_INPUT, "read error after line %lu", line.number);
		rc = cli_fail("compare", path, &err);
		goto out;
	}
	rc = ms_exit_code(t.worst);
	if (!t.lines) {
		if (!quiet)
			fprintf(stderr, "measure: compare: %s: no comparison in it (only blank lines and comments)\n", path);
		rc = 2;
	}
	if (!quiet)
		print_summary(line.json, &t, rc, line.cache);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "measure: compare: cannot write the output\n");
		/* a line that failed verification still decides: 3 beats the 2 of the write failure */
		rc = ms_exit_code(ms_status_worst(t.worst, MS_BAD_INPUT));
	}
out:
	if (f && f != stdin)
		fclose(f);
	ms_chain_cache_free(line.cache);
	verify_memo_free(&memo);
	free(global);
	free(buf);
	return rc;
}
