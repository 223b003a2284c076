/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/json.h"
#include "../common/qemu_size.h"
#include "../common/text.h"
#include "cli.h"

#define PROGRESS_MIN_SIZE (256ull << 20)
#define PROGRESS_STEP (64ull << 20)

int cli_fail(const char *verb, const char *file, const struct ms_err *err)
{
	char *shown = file ? ms_text_escape_dup(file) : NULL, msg[sizeof(err->msg) * 4];

	ms_text_escape(msg, sizeof(msg), err->msg, strlen(err->msg));
	if (file)
		fprintf(stderr, "measure: %s: %s: %s\n", verb, shown ? shown : "(a file)", msg);
	else
		fprintf(stderr, "measure: %s: %s\n", verb, msg);
	free(shown);
	return ms_exit_code(err->status);
}

int cli_usage(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "measure: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'measure %s --help')\n", verb);
	return 2;
}

int cli_bad_option(const char *verb, int opt, char **argv)
{
	extern int optind, optopt;

	if (opt == ':')
		return cli_usage(verb, "option '%s' needs a value", argv[optind - 1]);
	if (optopt)
		return cli_usage(verb, "unknown option '-%c'", optopt);
	return cli_usage(verb, "unknown option '%s'", argv[optind - 1]);
}

bool cli_u64(const char *option, const char *text, uint64_t max, uint64_t *out, char *msg, size_t msg_len)
{
	char *end;
	unsigned long long v;
	int base = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 16 : 10;

	errno = 0;
	v = strtoull(base == 16 ? text + 2 : text, &end, base);
	if (!*text || *end || errno || text[0] == '-' || text[0] == '+' || isspace((unsigned char)text[0]) ||
	    (base == 16 && !text[2])) {
		snprintf(msg, msg_len, "%s: '%s' is not a number", option, text);
		return false;
	}
	if (v > max) {
		snprintf(msg, msg_len, "%s: %s is larger than %llu", option, text, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_u64(const char *verb, const char *option, const char *text, uint64_t max,
		   uint64_t *out)
{
	char msg[512];

	if (!cli_u64(option, text, max, out, msg, sizeof(msg))) {
		cli_usage(verb, "%s", msg);
		return false;
	}
	return true;
}

bool cli_parse_size(const char *verb, const char *option, const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || errno || text[0] == '-') {
		cli_usage(verb, "%s: '%s' is not a size", option, text);
		return false;
	}
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || (shift && v > (~0ull >> shift))) {
		cli_usage(verb, "%s: '%s' is not a size (such as 2G or 2048M)", option, text);
		return false;
	}
	*out = (uint64_t)v << shift;
	return true;
}

bool cli_parse_qemu_memory(const char *verb, const char *option, const char *text, uint64_t *out)
{
	struct ms_err err = { 0 };

	if (ms_qemu_memory_parse(text, out, &err)) {
		cli_usage(verb, "%s: %s", option, err.msg);
		return false;
	}
	return true;
}

int cli_write(const char *verb, const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "measure: %s: cannot write to standard output\n", verb);
		return 2;
	}
	return 0;
}

int cli_write_json(const char *verb, const cJSON *json)
{
	char *text = ms_json_format(json);
	int rc;

	if (!text) {
		fprintf(stderr, "measure: %s: out of memory\n", verb);
		return 2;
	}
	rc = cli_write(verb, text);
	free(text);
	return rc;
}

void cli_progress_init(struct cli_progress *p, const char *verb, const char *file,
		       unsigned long long size)
{
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->file = file;
	p->enabled = size >= PROGRESS_MIN_SIZE && isatty(STDERR_FILENO);
}

void cli_progress_update(uint64_t done, uint64_t total, void *arg)
{
	struct cli_progress *p = arg;
	unsigned step = (unsigned)(done / PROGRESS_STEP);

	if (!p->enabled || step == p->last_step || !total)
		return;
	p->last_step = step;
	p->shown = true;
	fprintf(stderr, "\rmeasure: %s: %s: %llu of %llu MiB", p->verb, p->file, (unsigned long long)done >> 20,
		(unsigned long long)total >> 20);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
}

int cli_ramdisk_limit_option(const char *verb, int opt, const char *arg, uint64_t *max_size, uint64_t *max_unpacked)
{
	const char *name = opt == CLI_OPT_MAX_SIZE ? "--max-size" : "--max-unpacked";
	uint64_t *to = opt == CLI_OPT_MAX_SIZE ? max_size : max_unpacked;

	if (opt != CLI_OPT_MAX_SIZE && opt != CLI_OPT_MAX_UNPACKED)
		return 0;
	if (!cli_parse_size(verb, name, arg, to))
		return -1;
	if (!*to) {
		cli_usage(verb, "%s must be more than 0", name);
		return -1;
	}
	return 1;
}

void cli_ramdisk_limits_done(uint64_t max_size, uint64_t *max_unpacked)
{
	if (!*max_unpacked)
		*max_unpacked = max_size > UINT64_MAX / 2 ? UINT64_MAX : max_size < (32ull << 20) ? 64ull << 20 : 2 * max_size;
}
