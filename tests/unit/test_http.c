/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of fetching that need no network: the URL rule, Retry-After
 * (RFC 9110 10.2.3; epoch seconds from GNU date -u -d), percent-decoding
 * (expected text from Python's urllib.parse.unquote).
 */
#include "../helpers.h"

#include "../../common/http.h"

static void url_rule(void **state)
{
	static const char *const good[] = {
		"https://kdsintf.amd.com/vcek/v1/Milan/cert_chain",
		"https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=50806f000000",
		"https://mirror.example:8443",
		"http://127.0.0.1:8080/x",
		"http://127.0.0.1/",
		"http://localhost:1/",
		"http://[::1]:65535/vcek",
		"http://LOCALHOST",
	};
	static const char *const bad[] = {
		"http://example.com/",
		"http://127.0.0.2/",
		"http://127.0.0.1.example.com/",
		"http://localhost.evil/",
		"http://127.0.0.1@evil.example/",
		"https://user@kdsintf.amd.com/",
		"http://127.0.0.1:/",
		"http://127.0.0.1:1234567/",
		"http://127.0.0.1:80a/",
		"ftp://127.0.0.1/",
		"file:///etc/passwd",
		"HTTPS://kdsintf.amd.com/",
		"https:///path",
		"https://host/a b",
		"https://host/\x7f",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ms_err err = { 0 };

		if (ms_http_url_check(good[i], &err))
			fail_msg("refused %s: %s", good[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ms_http_url_check(bad[i], NULL) != MS_USAGE)
			fail_msg("accepted '%s'", bad[i]);
}

static void retry_after(void **state)
{
	static const char *const bad[] = {
		"", " ", "-1", "+5", "1.5", "5s", "0x10", "99999999999999999999",
		"Sun, 06 Nov 1994 08:49:37 UTC",   /* GMT only */
		"Sunday, 06-Nov-94 08:49:37 GMT",  /* RFC 850: obsolete, not sent by PCS or KDS */
		"Sun Nov  6 08:49:37 1994",        /* asctime */
		"Sun, 31 Feb 2024 08:49:37 GMT",   /* no such day */
		"Sun, 06 Now 1994 08:49:37 GMT",
		"Xyz, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
	};

	(void)state;
	assert_int_equal(ms_http_retry_after("0", 1, 1000), 0);
	assert_int_equal(ms_http_retry_after("120", 3, 1000), 120);
	assert_int_equal(ms_http_retry_after(" 7\r\n", 4, 1000), 7);
	assert_int_equal(ms_http_retry_after("3600", 2, 1000), 36); /* only len bytes are read */
	/* a date: seconds from now, and 0 once it has passed */
	assert_int_equal(ms_http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111777 - 30), 30);
	assert_int_equal(ms_http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111777 + 30), 0);
	assert_int_equal(ms_http_retry_after("Thu, 29 Feb 2024 23:59:59 GMT", 29, 1709251199 - 1), 1);
	assert_int_equal(ms_http_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", 29, 0), INT64_C(253402300799));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ms_http_retry_after(bad[i], strlen(bad[i]), 0) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

static void url_decode(void **state)
{
	static const char *const bad[] = { "%", "%4", "%4g", "%g4", "abc%", "%00", "a%0", "%%41" };
	const char *in = "-----BEGIN%20CERTIFICATE-----%0AMIIC%2Bw%3D%3D%0A";
	char *out = NULL;
	size_t len = 0;
	struct ms_err err = { 0 };

	(void)state;
	assert_int_equal(ms_url_decode(in, strlen(in), &out, &len, &err), MS_OK);
	assert_string_equal(out, "-----BEGIN CERTIFICATE-----\nMIIC+w==\n");
	assert_int_equal(len, strlen(out));
	free(out);
	assert_int_equal(ms_url_decode("a+b%2b%2B", 9, &out, &len, &err), MS_OK);
	assert_string_equal(out, "a+b++");
	free(out);
	assert_int_equal(ms_url_decode("", 0, &out, &len, &err), MS_OK);
	assert_int_equal(len, 0);
	free(out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (char *)1;
		if (ms_url_decode(bad[i], strlen(bad[i]), &out, &len, &err) != MS_BAD_INPUT)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(out);
	}
	assert_int_equal(ms_url_decode("a\0b", 3, &out, &len, &err), MS_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_rule),
		cmocka_unit_test(retry_after),
		cmocka_unit_test(url_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
