/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_HTTP_H
#define MS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/*
 * HTTPS GET for vendor collateral (libcurl). The whole body is returned in
 * memory or nothing is: a body over the size limit, a transfer cut short of
 * its Content-Length, a timeout or an HTTP error never yields data.
 *
 * URL rule: https:// always; http:// only to a loopback host given literally
 * (127.0.0.1, [::1] or localhost), for tests and a local mirror; anything
 * else is refused before a connection is made. Certificates are verified
 * (peer and host name) against the system store, or against ca_file only
 * when it is given. Redirects are not followed.
 *
 * Retries: 429 and 503 are retried up to max_attempts in all, waiting what
 * Retry-After says (seconds or an HTTP date) or else 1 s, 2 s, 4 s ...;
 * a Retry-After longer than max_retry_wait is not waited for: the error says
 * how long the service asked for.
 *
 * Statuses: MS_USAGE for a refused URL; MS_NO_COLLATERAL for a network error,
 * timeout, truncated body or HTTP error (404 named as not found);
 * MS_BAD_INPUT for a body over max_body.
 */
struct ms_http_options {
	long connect_timeout_s;   /* 0: 10 */
	long total_timeout_s;     /* per attempt; 0: 60 */
	size_t max_body;          /* 0: 16 MiB */
	unsigned max_attempts;    /* 0: 3 */
	unsigned max_retry_wait;  /* seconds; 0: 30 */
	const char *ca_file;      /* PEM bundle that replaces the system trust store, or NULL */
	/*
	 * An HTTPS proxy (CONNECT; TLS stays end to end) and hosts it is not used
	 * for, as curl reads them; NULL: none. libcurl's own reading of the
	 * environment is switched off: the caller decides.
	 */
	const char *proxy, *no_proxy;
	const char *want_header;  /* a response header to return (case-insensitive), or NULL */
	/* called as the body arrives (total 0 when unknown) and once more with done == total at the end */
	void (*progress)(void *arg, const char *url, uint64_t done, uint64_t total);
	void *progress_arg;
};

struct ms_http_response {
	long status;      /* the last HTTP status seen */
	uint8_t *body;    /* NUL-terminated (not counted) */
	size_t len;
	char *header;     /* the value of want_header (trimmed), or NULL when absent */
};

/* MS_OK when url may be fetched under the rule above, MS_USAGE with a reason otherwise. */
enum ms_status ms_http_url_check(const char *url, struct ms_err *err);

/* GET url; on failure r is empty (ms_http_response_free is safe either way). */
enum ms_status ms_http_get(const char *url, const struct ms_http_options *o, struct ms_http_response *r,
			   struct ms_err *err);
void ms_http_response_free(struct ms_http_response *r);

/*
 * A Retry-After value (RFC 9110 10.2.3): delta-seconds or an IMF-fixdate,
 * turned into seconds from now (a date in the past is 0). -1 when malformed.
 */
int64_t ms_http_retry_after(const char *value, size_t len, int64_t now);

/*
 * Percent-decodes a header value (as Intel PCS sends its issuer chains);
 * '+' stays '+'. MS_BAD_INPUT for a '%' not followed by two hex digits or
 * an encoded NUL. *out is NUL-terminated, *out_len excludes it.
 */
enum ms_status ms_url_decode(const char *in, size_t len, char **out, size_t *out_len, struct ms_err *err);

#endif
