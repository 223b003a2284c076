/* SPDX-License-Identifier: Apache-2.0 */
/* What fetch and compare --cache/--fetch share: the cache directory, --base-url, the progress line. */
#ifndef MS_COLLATERAL_CLI_H
#define MS_COLLATERAL_CLI_H

#include "../compare/collateral.h"

/* $XDG_CACHE_HOME/measure, else $HOME/.cache/measure (newly allocated); NULL with a message when neither is set. */
char *cli_default_cache_dir(const char *verb);

/* --base-url amd=URL or intel=URL (intel serves both Intel hosts); 0, or 2 with a usage message. */
int cli_base_url(const char *verb, struct ms_fetch_options *o, const char *arg);

/*
 * The HTTP progress callback: one line on stderr, redrawn, only when stderr is a terminal.
 * Also takes the proxy from https_proxy / HTTPS_PROXY and no_proxy / NO_PROXY.
 */
struct cli_fetch_progress {
	bool enabled, shown;
};
void cli_fetch_init(struct cli_fetch_progress *p, struct ms_fetch_options *o);
void cli_fetch_progress_end(struct cli_fetch_progress *p);

#endif
