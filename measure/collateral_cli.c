/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "collateral_cli.h"

char *cli_default_cache_dir(const char *verb)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = NULL;

	/* the XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/') {
		if (asprintf(&dir, "%s/measure", xdg) < 0)
			dir = NULL;
	} else if (home && home[0] == '/') {
		if (asprintf(&dir, "%s/.cache/measure", home) < 0)
			dir = NULL;
	} else {
		fprintf(stderr, "measure: %s: neither XDG_CACHE_HOME nor HOME is an absolute path: give --cache DIR\n", verb);
		return NULL;
	}
	if (!dir)
		fprintf(stderr, "measure: %s: out of memory\n", verb);
	return dir;
}

int cli_base_url(const char *verb, struct ms_fetch_options *o, const char *arg)
{
	const char *url;
	struct ms_err err = { 0 };

	if (!strncmp(arg, "amd=", 4)) {
		url = arg + 4;
		o->base[MS_SERVICE_AMD_KDS] = url;
	} else if (!strncmp(arg, "intel=", 6)) {
		url = arg + 6;
		o->base[MS_SERVICE_INTEL_PCS] = url;
		o->base[MS_SERVICE_INTEL_CERTS] = url;
	} else {
		return cli_usage(verb, "--base-url is amd=URL or intel=URL, not '%.64s'", arg);
	}
	if (ms_http_url_check(url, &err))
		return cli_usage(verb, "--base-url: %s", err.msg);
	return 0;
}

static void progress(void *arg, const char *url, uint64_t done, uint64_t total)
{
	struct cli_fetch_progress *p = arg;

	if (!p->enabled)
		return;
	if (total)
		fprintf(stderr, "\r\033[Kmeasure: fetching %.60s: %llu of %llu bytes", url, (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "\r\033[Kmeasure: fetching %.60s: %llu bytes", url, (unsigned long long)done);
	p->shown = true;
}

void cli_fetch_init(struct cli_fetch_progress *p, struct ms_fetch_options *o)
{
	/* the usual proxy variables, for https:// only (plain http goes to a loopback address) */
	o->http.proxy = getenv("https_proxy") ? getenv("https_proxy") : getenv("HTTPS_PROXY");
	o->http.no_proxy = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
	p->enabled = isatty(STDERR_FILENO);
	p->shown = false;
	o->http.progress = progress;
	o->http.progress_arg = p;
}

void cli_fetch_progress_end(struct cli_fetch_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}
