/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "json.h"
#include "rfc3339.h"

#define DEFAULT_CONNECT_TIMEOUT 10
#define DEFAULT_TOTAL_TIMEOUT 60
#define DEFAULT_MAX_BODY ((size_t)16 << 20)
#define DEFAULT_MAX_ATTEMPTS 3
#define DEFAULT_MAX_RETRY_WAIT 30
#define MAX_HEADER_VALUE (64u << 10) /* an issuer chain is about 2 KiB of PEM, 4 KiB encoded */

static bool loopback_authority(const char *host, size_t len)
{
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (len < n || strncasecmp(host, names[i], n))
			continue;
		if (len == n)
			return true;
		if (host[n] != ':' || len == n + 1 || len > n + 6)
			return false;
		for (size_t k = n + 1; k < len; k++)
			if (!isdigit((unsigned char)host[k]))
				return false;
		return true;
	}
	return false;
}

enum ms_status ms_http_url_check(const char *url, struct ms_err *err)
{
	const char *authority;
	size_t len;

	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return ms_fail(err, MS_USAGE, "URL '%.128s': character 0x%02x at offset %zu", url,
				       (unsigned char)*p, (size_t)(p - url));
	if (!strncmp(url, "https://", 8))
		authority = url + 8;
	else if (!strncmp(url, "http://", 7))
		authority = url + 7;
	else
		return ms_fail(err, MS_USAGE, "URL '%.128s': only https:// is fetched", url);
	len = strcspn(authority, "/?#");
	if (len == 0)
		return ms_fail(err, MS_USAGE, "URL '%.128s' names no host", url);
	if (memchr(authority, '@', len))
		return ms_fail(err, MS_USAGE, "URL '%.128s': user information in a URL is refused", url);
	if (authority == url + 7 && !loopback_authority(authority, len))
		return ms_fail(err, MS_USAGE,
			       "URL '%.128s': plain http:// is refused except to 127.0.0.1, [::1] or localhost "
			       "(tests, a local mirror); use https://", url);
	return MS_OK;
}

int64_t ms_http_retry_after(const char *value, size_t len, int64_t now)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const days = "Mon,Tue,Wed,Thu,Fri,Sat,Sun,";
	char text[32];
	int64_t t, v = 0;
	int month = -1;

	while (len && (value[0] == ' ' || value[0] == '\t'))
		value++, len--;
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
		       value[len - 1] == '\n'))
		len--;
	if (len == 0)
		return -1;
	if (isdigit((unsigned char)value[0])) {
		for (size_t i = 0; i < len; i++) {
			if (!isdigit((unsigned char)value[i]))
				return -1;
			if (v > (INT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (value[i] - '0');
		}
		return v;
	}
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT", exactly 29 characters */
	if (len != 29 || value[3] != ',' || value[4] != ' ' || value[7] != ' ' || value[11] != ' ' ||
	    value[16] != ' ' || memcmp(value + 25, " GMT", 4))
		return -1;
	for (const char *d = days; *d; d += 4)
		if (!memcmp(d, value, 3))
			month = 0;
	if (month < 0)
		return -1;
	month = -1;
	for (int i = 0; i < 12; i++)
		if (!memcmp(months[i], value + 8, 3))
			month = i + 1;
	if (month < 0)
		return -1;
	/* the rest is checked by the RFC 3339 parser: digits, ranges, the date exists */
	snprintf(text, sizeof(text), "%.4s-%02d-%.2sT%.8sZ", value + 12, month, value + 5, value + 17);
	if (ms_time_parse(text, &t))
		return -1;
	return t > now ? t - now : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum ms_status ms_url_decode(const char *in, size_t len, char **out, size_t *out_len, struct ms_err *err)
{
	char *s = malloc(len + 1);
	size_t n = 0;

	*out = NULL;
	*out_len = 0;
	if (!s)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			if (in[i] == '\0') {
				free(s);
				return ms_fail(err, MS_BAD_INPUT, "NUL byte at offset %zu", i);
			}
			s[n++] = in[i];
			continue;
		}
		int hi = i + 2 < len ? hex_digit(in[i + 1]) : -1, lo = i + 2 < len ? hex_digit(in[i + 2]) : -1;

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(s);
			return ms_fail(err, MS_BAD_INPUT, "'%%' at offset %zu is not followed by two hex digits (not NUL)", i);
		}
		s[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	s[n] = '\0';
	*out = s;
	*out_len = n;
	return MS_OK;
}

struct transfer {
	const struct ms_http_options *o;
	const char *url;
	uint8_t *body;
	size_t len, cap, max;
	bool too_large;
	char *header;       /* want_header of the last response */
	char *retry_after;  /* Retry-After of the last response */
	bool header_too_large;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (n > t->max - t->len) {
		t->too_large = true;
		return 0; /* aborts the transfer */
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16384;
		uint8_t *b;

		while (cap < t->len + n + 1)
			cap *= 2;
		if (cap > t->max + 1)
			cap = t->max + 1;
		b = realloc(t->body, cap);
		if (!b)
			return 0;
		t->body = b;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

/* Keeps name's value from a header line "Name: value\r\n" (the last one wins; a new status line clears). */
static void keep_header(char **slot, const char *name, const char *line, size_t n, bool *too_large)
{
	size_t k = strlen(name);
	const char *v;
	size_t vlen;

	if (n < k + 1 || strncasecmp(line, name, k) || line[k] != ':')
		return;
	v = line + k + 1;
	vlen = n - k - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen > MAX_HEADER_VALUE) {
		*too_large = true;
		return;
	}
	free(*slot);
	*slot = strndup(v, vlen);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		free(t->header);
		free(t->retry_after);
		t->header = t->retry_after = NULL;
		return n;
	}
	if (t->o->want_header)
		keep_header(&t->header, t->o->want_header, line, n, &t->header_too_large);
	keep_header(&t->retry_after, "Retry-After", line, n, &t->header_too_large);
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = arg;

	(void)ultotal;
	(void)ulnow;
	if (dltotal > 0 && (uint64_t)dltotal > t->max) {
		t->too_large = true;
		return 1; /* a Content-Length over the limit: stop before the body */
	}
	if (t->o->progress && dlnow > 0)
		t->o->progress(t->o->progress_arg, t->url, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0);
	return 0;
}

static void transfer_reset(struct transfer *t)
{
	free(t->body);
	free(t->header);
	free(t->retry_after);
	t->body = NULL;
	t->header = t->retry_after = NULL;
	t->len = t->cap = 0;
	t->too_large = t->header_too_large = false;
}

static void sleep_seconds(unsigned s)
{
	struct timespec ts = { .tv_sec = s };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static const char *http_reason(long status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 429: return "too many requests";
	case 500: return "internal server error";
	case 502: return "bad gateway";
	case 503: return "service unavailable";
	case 504: return "gateway timeout";
	default: return "error";
	}
}

/*
 * libcurl is loaded on the first fetch, not linked: with its TLS, HTTP/2,
 * IDN, SSH, LDAP and Kerberos dependencies it is some thirty shared libraries
 * the dynamic loader would map and relocate at every start of every measure
 * command, although only `measure fetch` and `--fetch` ever use it.
 * (The prototypes still come from curl.h, so the calls stay type-checked.)
 */
static struct {
	bool loaded;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
} cu;

#define CURL_SONAME "libcurl.so.4"

static enum ms_status load_libcurl(const char *url, struct ms_err *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
		{ "curl_global_init", offsetof(__typeof__(cu), global_init) },
		{ "curl_easy_init", offsetof(__typeof__(cu), easy_init) },
		{ "curl_easy_reset", offsetof(__typeof__(cu), easy_reset) },
		{ "curl_easy_setopt", offsetof(__typeof__(cu), easy_setopt) },
		{ "curl_easy_getinfo", offsetof(__typeof__(cu), easy_getinfo) },
		{ "curl_easy_perform", offsetof(__typeof__(cu), easy_perform) },
		{ "curl_easy_strerror", offsetof(__typeof__(cu), easy_strerror) },
		{ "curl_easy_cleanup", offsetof(__typeof__(cu), easy_cleanup) },
	};
	void *lib;

	if (cu.loaded)
		return MS_OK;
	if (!(lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return ms_fail(err, MS_UNSUPPORTED, "%s: fetching needs libcurl, and " CURL_SONAME " cannot be loaded "
			       "(Debian: apt-get install libcurl4): %s", url, dlerror());
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (!f) {
			dlclose(lib);
			return ms_fail(err, MS_UNSUPPORTED, "%s: the libcurl loaded (" CURL_SONAME ") lacks %s", url,
				       syms[i].name);
		}
		memcpy((char *)&cu + syms[i].offset, &f, sizeof(f));
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT)) {
		dlclose(lib);
		return ms_fail(err, MS_UNSUPPORTED, "%s: libcurl could not be initialised", url);
	}
	cu.loaded = true;
	return MS_OK;
}

enum ms_status ms_http_get(const char *url, const struct ms_http_options *o, struct ms_http_response *r,
			   struct ms_err *err)
{
	struct transfer t = { .o = o, .url = url };
	unsigned attempts = o->max_attempts ? o->max_attempts : DEFAULT_MAX_ATTEMPTS;
	unsigned max_wait = o->max_retry_wait ? o->max_retry_wait : DEFAULT_MAX_RETRY_WAIT;
	unsigned backoff = 1;
	CURL *curl = NULL;
	enum ms_status st;
	char curl_error[CURL_ERROR_SIZE];
	bool plain = !strncmp(url, "http://", 7);

	memset(r, 0, sizeof(*r));
	t.max = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	if ((st = ms_http_url_check(url, err)))
		return st;
	if ((st = load_libcurl(url, err)))
		return st;
	curl = cu.easy_init();
	if (!curl)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (unsigned attempt = 1;; attempt++) {
		CURLcode rc;
		curl_off_t content_length = -1;
		int64_t wait;

		transfer_reset(&t);
		curl_error[0] = '\0';
		cu.easy_reset(curl);
		cu.easy_setopt(curl, CURLOPT_URL, url);
		cu.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
		cu.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
		cu.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
		cu.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
		if (o->ca_file)
			cu.easy_setopt(curl, CURLOPT_CAINFO, o->ca_file);
		/* "" overrides the proxy variables libcurl would otherwise read from the environment */
		cu.easy_setopt(curl, CURLOPT_PROXY, o->proxy && !plain ? o->proxy : "");
		if (o->no_proxy)
			cu.easy_setopt(curl, CURLOPT_NOPROXY, o->no_proxy);
		cu.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s ? o->connect_timeout_s
										       : DEFAULT_CONNECT_TIMEOUT);
		cu.easy_setopt(curl, CURLOPT_TIMEOUT, o->total_timeout_s ? o->total_timeout_s : DEFAULT_TOTAL_TIMEOUT);
		cu.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		cu.easy_setopt(curl, CURLOPT_USERAGENT, "measure/" MS_VERSION);
		cu.easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
		cu.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
		cu.easy_setopt(curl, CURLOPT_WRITEDATA, &t);
		cu.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
		cu.easy_setopt(curl, CURLOPT_HEADERDATA, &t);
		cu.easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		cu.easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
		cu.easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
		/* no transparent decompression: the limit is on the bytes received */
		cu.easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, NULL);
		rc = cu.easy_perform(curl);
		cu.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
		if (t.too_large) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: the response is larger than the %zu-byte limit", url, t.max);
			goto out;
		}
		if (t.header_too_large) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: a response header is longer than %u bytes", url,
				     MAX_HEADER_VALUE);
			goto out;
		}
		if (rc == CURLE_OPERATION_TIMEDOUT) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: timed out (%s)", url,
				     curl_error[0] ? curl_error : cu.easy_strerror(rc));
			goto out;
		}
		if (rc == CURLE_PARTIAL_FILE) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: the response was cut short of its Content-Length (%s)",
				     url, curl_error[0] ? curl_error : cu.easy_strerror(rc));
			goto out;
		}
		if (rc != CURLE_OK) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: %s", url, curl_error[0] ? curl_error : cu.easy_strerror(rc));
			goto out;
		}
		if (r->status == 200) {
			/* libcurl checks this too; a second look costs nothing */
			cu.easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
			if (content_length >= 0 && (uint64_t)content_length != t.len) {
				st = ms_fail(err, MS_NO_COLLATERAL, "%s: %zu bytes received, Content-Length says %lld", url, t.len,
					     (long long)content_length);
				goto out;
			}
			break;
		}
		if (r->status == 404) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: not found (HTTP 404)", url);
			goto out;
		}
		if ((r->status != 429 && r->status != 503) || attempt >= attempts) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: HTTP %ld (%s)%s", url, r->status, http_reason(r->status),
				     attempt > 1 ? ", after retrying" : "");
			goto out;
		}
		wait = backoff;
		if (t.retry_after) {
			wait = ms_http_retry_after(t.retry_after, strlen(t.retry_after), (int64_t)time(NULL));
			if (wait < 0) {
				st = ms_fail(err, MS_NO_COLLATERAL, "%s: HTTP %ld with a malformed Retry-After '%.64s'", url,
					     r->status, t.retry_after);
				goto out;
			}
		}
		if (wait > max_wait) {
			st = ms_fail(err, MS_NO_COLLATERAL, "%s: HTTP %ld (%s); the service asks to retry after %lld s, "
							    "longer than the %u s this waits",
				     url, r->status, http_reason(r->status), (long long)wait, max_wait);
			goto out;
		}
		sleep_seconds((unsigned)wait);
		backoff *= 2;
	}
	if (o->progress)
		o->progress(o->progress_arg, url, t.len, t.len);
	if (!t.body) {
		t.body = calloc(1, 1);
		if (!t.body) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
	r->body = t.body;
	r->len = t.len;
	r->header = t.header;
	t.body = NULL;
	t.header = NULL;
	st = MS_OK;
out:
	transfer_reset(&t);
	cu.easy_cleanup(curl);
	return st;
}

void ms_http_response_free(struct ms_http_response *r)
{
	free(r->body);
	free(r->header);
	memset(r, 0, sizeof(*r));
}
