/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/export.h"
#include "cli.h"
#include "output_opts.h"

void output_init(struct output_opts *o, const char *verb, const char *help, const char *const *own)
{
	memset(o, 0, sizeof(*o));
	o->verb = verb;
	o->help = help;
	o->own = own;
	o->format = "text";
}

static bool own_format(const struct output_opts *o, const char *name)
{
	for (const char *const *f = o->own; f && *f; f++)
		if (!strcmp(*f, name))
			return true;
	return false;
}

int output_option(struct output_opts *o, int opt, const char *arg, int *rc)
{
	switch (opt) {
	case 'j':
		o->format = "json";
		return 1;
	case OUTPUT_OPT_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json") && !ms_export_known(arg) && !own_format(o, arg)) {
			char own[128] = "";

			for (const char *const *f = o->own; f && *f; f++)
				snprintf(own + strlen(own), sizeof(own) - strlen(own), ", %s", *f);
			*rc = cli_usage(o->verb, "unknown format '%s' (text, json%s, %s)", arg, own, MS_EXPORT_FORMATS);
			return -1;
		}
		o->format = arg;
		return 1;
	case OUTPUT_OPT_ENV_PREFIX:
		o->env_prefix = arg;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'h':
		fputs(o->help, stdout);
		*rc = 0;
		return -1;
	default:
		return 0;
	}
}

int output_check(const struct output_opts *o)
{
	if (o->env_prefix && strcmp(o->format, "env"))
		return cli_usage(o->verb, "--env-prefix goes with --format env");
	/* the prefix starts shell variable names: [A-Za-z_][A-Za-z0-9_]* */
	for (const char *p = o->env_prefix; p && *p; p++)
		if (!(isalpha((unsigned char)*p) || *p == '_' || (p != o->env_prefix && isdigit((unsigned char)*p))))
			return cli_usage(o->verb, "--env-prefix \"%.40s\" is not letters, digits and _ (not starting with a digit)",
					 o->env_prefix);
	return 0;
}

bool output_is(const struct output_opts *o, const char *format)
{
	return !strcmp(o->format, format);
}

bool output_wants_manifest(const struct output_opts *o)
{
	return output_is(o, "json") || ms_export_known(o->format);
}

int output_manifest(const struct output_opts *o, const cJSON *manifest)
{
	struct ms_err err = { 0 };
	char *text = NULL;
	int rc;

	if (!manifest) {
		fprintf(stderr, "measure: %s: out of memory\n", o->verb);
		return 2;
	}
	if (output_is(o, "json"))
		return cli_write_json(o->verb, manifest);
	if (ms_export(manifest, o->format, o->env_prefix, &text, &err)) {
		fprintf(stderr, "measure: %s: --format %s: %s\n", o->verb, o->format, err.msg);
		return ms_exit_code(err.status);
	}
	rc = cli_write(o->verb, text);
	free(text);
	return rc;
}
