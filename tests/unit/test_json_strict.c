/* SPDX-License-Identifier: Apache-2.0 */
/* ms_json_parse_strict and ms_json_u64: every class of input the lenient cJSON parser lets through. */
#include "../helpers.h"

#include "../../common/json_strict.h"

static enum ms_status parse_n(const char *text, size_t len, cJSON **out, struct ms_err *err)
{
	memset(err, 0, sizeof(*err));
	return ms_json_parse_strict(text, len, "policy", out, err);
}

static enum ms_status parse(const char *text, cJSON **out, struct ms_err *err)
{
	return parse_n(text, strlen(text), out, err);
}

/* text is refused with a message containing want (and no tree comes back). */
static void refused_n(const char *text, size_t len, const char *want)
{
	struct ms_err err;
	cJSON *j = (cJSON *)1;

	assert_int_equal(parse_n(text, len, &j, &err), MS_BAD_INPUT);
	assert_null(j);
	assert_int_equal(err.status, MS_BAD_INPUT);
	assert_int_equal(err.input, MS_INPUT_UNKNOWN); /* left for the caller */
	if (!strstr(err.msg, want))
		fail_msg("\"%s\" not in \"%s\"", want, err.msg);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(strncmp(err.msg, "policy: ", 8), 0);
}

static void refused(const char *text, const char *want)
{
	refused_n(text, strlen(text), want);
}

static void accepted(const char *text)
{
	struct ms_err err;
	cJSON *j = NULL;

	if (parse(text, &j, &err) != MS_OK)
		fail_msg("refused %s: %s", text, err.msg);
	assert_non_null(j);
	cJSON_Delete(j);
}

static void duplicate_keys(void **state)
{
	(void)state;
	refused("{\"vmpl\":1,\"measurement\":\"a\",\"measurement\":\"b\"}",
		"policy: duplicate key \"measurement\" at offset 0x1c");
	refused("{\"a\":{\"b\":1,\"c\":2,\"b\":3}}", "duplicate key \"b\" at offset 0x12");
	refused("[{\"a\":1},{\"x\":1,\"x\":1}]", "duplicate key \"x\" at offset 0x10");
	refused("{\"p\":[[{\"k\":[],\"k\":{}}]]}", "duplicate key \"k\"");
	/* the same key after unescaping is the same key */
	refused("{\"vmpl\":1,\"\\u0076mpl\":2}", "duplicate key \"vmpl\"");
	refused("{\"a\\nb\":1,\"a\\nb\":2}", "duplicate key \"a?b\"");
	/* the same key in sibling objects is fine */
	accepted("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"c\":[{\"k\":1},{\"k\":2}]}");
	accepted("{\"K\":1,\"k\":2}");
}

static void trailing_text(void **state)
{
	(void)state;
	refused("{} {}", "trailing text after the JSON value at offset 0x3");
	refused("{\"a\":1}x", "trailing text");
	refused("{\"a\":1}}", "trailing text after the JSON value at offset 0x7");
	refused("1 2", "trailing text");
	accepted(" \t\r\n{\"a\":1} \n\t\r ");
	refused("{\"a\":1}\v", "trailing text");
	refused("\xef\xbb\xbf{}", "unexpected character at offset 0x0"); /* RFC 8259: no byte order mark */
}

static void nul_bytes(void **state)
{
	(void)state;
	refused_n("{\"a\":\"x\0y\"}", 11, "NUL byte at offset 0x7");
	refused_n("{\"a\":1}\0", 8, "NUL byte at offset 0x7");
	refused_n("{\"a\":1\0}", 8, "NUL byte at offset 0x6");
	refused_n("\0", 1, "NUL byte at offset 0x0");
	refused("{\"a\":\"x\\u0000y\"}", "\\u0000 (NUL) in a string at offset 0x7");
	refused("{\"a\\u0000\":1}", "NUL");
}

static void bad_escapes(void **state)
{
	(void)state;
	refused("[\"\\x41\"]", "invalid escape in a string at offset 0x2");
	refused("[\"\\'\"]", "invalid escape");
	refused("[\"\\u12\"]", "invalid \\u escape");
	refused("[\"\\u12g4\"]", "invalid \\u escape");
	refused("[\"\\", "unterminated string");
	refused("[\"abc", "unterminated string at offset 0x1");
	refused("[\"a\tb\"]", "unescaped control character in a string at offset 0x3");
	refused("[\"a\nb\"]", "unescaped control character");
	refused("[\"\x1f\"]", "unescaped control character");
	accepted("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\"]");
}

static void surrogates(void **state)
{
	struct ms_err err;
	cJSON *j = NULL;

	(void)state;
	refused("[\"\\ud800\"]", "lone high surrogate in a string at offset 0x2");
	refused("[\"\\ud800x\"]", "lone high surrogate");
	refused("[\"\\ud800\\u0041\"]", "lone high surrogate");
	refused("[\"\\ud800\\ud800\"]", "lone high surrogate");
	refused("[\"\\udc00\"]", "lone low surrogate");
	refused("[\"\\udfff\\ud800\"]", "lone low surrogate");
	/* a pair is one code point: U+1F600 */
	assert_int_equal(parse("[\"\\ud83d\\ude00\"]", &j, &err), MS_OK);
	assert_string_equal(j->child->valuestring, "\xf0\x9f\x98\x80");
	cJSON_Delete(j);
}

static void invalid_utf8(void **state)
{
	(void)state;
	refused("[\"\x80\"]", "invalid UTF-8 in a string at offset 0x2");
	refused("[\"\xc0\xaf\"]", "invalid UTF-8");         /* overlong '/' */
	refused("[\"\xe0\x80\xaf\"]", "invalid UTF-8");     /* overlong */
	refused("[\"\xed\xa0\x80\"]", "invalid UTF-8");     /* encoded surrogate */
	refused("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8"); /* past U+10FFFF */
	refused("[\"\xf5\x80\x80\x80\"]", "invalid UTF-8");
	refused("[\"\xc3\"]", "invalid UTF-8"); /* truncated */
	refused("[\"\xe2\x82\"]", "invalid UTF-8");
	refused("[\"\xff\"]", "invalid UTF-8");
	refused("[\xc3\xa9]", "unexpected character"); /* outside a string */
	accepted("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]");
}

static void numbers(void **state)
{
	struct ms_err err;
	cJSON *j = NULL;

	(void)state;
	refused("[01]", "number with a leading zero at offset 0x1");
	refused("[-01]", "leading zero");
	refused("[00]", "leading zero");
	refused("[+1]", "unexpected character");
	refused("[.5]", "unexpected character");
	refused("[1.]", "no digit after '.'");
	refused("[1e]", "no digit in the exponent");
	refused("[1e+]", "no digit in the exponent");
	refused("[-]", "invalid number");
	refused("[0x10]", "expected ',' or ']'");
	refused("[NaN]", "unexpected character");
	refused("[Infinity]", "unexpected character");
	refused("[1e400]", "number out of range at offset 0x1");
	refused("[-1e99999999999999999999]", "number out of range");
	accepted("[0, -0, 0.5, -0.0, 1e5, 1E+5, 1e-5, 1e-400, 10]");
	/* -0 is JSON, but not an unsigned integer */
	assert_int_equal(parse("-0", &j, &err), MS_OK);
	assert_true(cJSON_IsNumber(j));
	assert_string_equal(j->valuestring, "-0");
	{
		uint64_t v;

		assert_false(ms_json_u64(j, true, UINT64_MAX, &v));
	}
	cJSON_Delete(j);
}

static void deep_nesting(void **state)
{
	char buf[512]; /* 65 times {"a": is 390 bytes */
	struct ms_err err;
	cJSON *j = NULL;

	(void)state;
	/* 64 levels: accepted */
	memset(buf, '[', 64);
	memset(buf + 64, ']', 64);
	buf[128] = '\0';
	accepted(buf);
	/* 65: refused at the 65th bracket */
	memset(buf, '[', 65);
	memset(buf + 65, ']', 65);
	buf[130] = '\0';
	refused(buf, "nesting deeper than 64 at offset 0x40");
	/* objects count too */
	buf[0] = '\0';
	for (int i = 0; i < 65; i++)
		strcat(buf, "{\"a\":");
	refused(buf, "nesting deeper than 64");
	/* a very deep document does not exhaust the stack */
	{
		size_t n = 1 << 20;
		char *deep = malloc(n);

		assert_non_null(deep);
		memset(deep, '[', n);
		assert_int_equal(parse_n(deep, n, &j, &err), MS_BAD_INPUT);
		assert_null(j);
		free(deep);
	}
}

static void big_integers(void **state)
{
	struct ms_err err;
	cJSON *j = NULL;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse("{\"minimum_tcb\":15352208179752599555,\"max\":18446744073709551615,"
			       "\"over\":18446744073709551616,\"s\":\"9007199254740993\",\"small\":3}",
			       &j, &err),
			 MS_OK);
	assert_true(ms_json_u64(cJSON_GetObjectItem(j, "minimum_tcb"), false, UINT64_MAX, &v));
	assert_true(v == 15352208179752599555ULL);
	assert_string_equal(cJSON_GetObjectItem(j, "minimum_tcb")->valuestring, "15352208179752599555");
	assert_true(ms_json_u64(cJSON_GetObjectItem(j, "max"), false, UINT64_MAX, &v));
	assert_true(v == UINT64_MAX);
	assert_false(ms_json_u64(cJSON_GetObjectItem(j, "over"), false, UINT64_MAX, &v));
	/* strings only when allowed */
	assert_false(ms_json_u64(cJSON_GetObjectItem(j, "s"), false, UINT64_MAX, &v));
	assert_true(ms_json_u64(cJSON_GetObjectItem(j, "s"), true, UINT64_MAX, &v));
	assert_true(v == 9007199254740993ULL);
	assert_true(ms_json_u64(cJSON_GetObjectItem(j, "small"), false, 3, &v));
	assert_int_equal(v, 3);
	assert_false(ms_json_u64(cJSON_GetObjectItem(j, "small"), false, 2, &v));
	assert_int_equal(cJSON_GetObjectItem(j, "small")->valuedouble, 3);
	cJSON_Delete(j);
}

static void u64_literals(void **state)
{
	static const char *const no[] = { "1.0", "1e2", "-1", "-0", "0.5", "1E0", "\"-1\"", "\"+1\"", "\"1.0\"",
					   "\"\"", "\" 1\"", "\"1 \"", "\"0x10\"", "\"1e2\"", "true", "null",
					   "[1]", "{}", "\"18446744073709551616\"", "99999999999999999999999" };
	struct ms_err err;
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		cJSON *j = NULL;

		assert_int_equal(parse(no[i], &j, &err), MS_OK);
		if (ms_json_u64(j, true, UINT64_MAX, &v))
			fail_msg("%s accepted as an unsigned integer", no[i]);
		cJSON_Delete(j);
	}
	{
		cJSON *j = NULL;

		assert_int_equal(parse("0", &j, &err), MS_OK);
		assert_true(ms_json_u64(j, false, 0, &v));
		assert_int_equal(v, 0);
		cJSON_Delete(j);
		assert_int_equal(parse("\"007\"", &j, &err), MS_OK);
		assert_true(ms_json_u64(j, true, 255, &v));
		assert_int_equal(v, 7);
		cJSON_Delete(j);
		/* a tree from cJSON_Parse has no literal: exact small integers only */
		j = cJSON_Parse("[5, 5.5, -1, 1e300]");
		assert_non_null(j);
		assert_true(ms_json_u64(cJSON_GetArrayItem(j, 0), false, 9, &v));
		assert_int_equal(v, 5);
		assert_false(ms_json_u64(cJSON_GetArrayItem(j, 1), false, 9, &v));
		assert_false(ms_json_u64(cJSON_GetArrayItem(j, 2), false, 9, &v));
		assert_false(ms_json_u64(cJSON_GetArrayItem(j, 3), false, UINT64_MAX, &v));
		cJSON_Delete(j);
		assert_false(ms_json_u64(NULL, true, UINT64_MAX, &v));
	}
}

static void empty_and_truncated(void **state)
{
	(void)state;
	refused("", "empty input at offset 0x0");
	refused_n(NULL, 0, "empty input");
	refused("   ", "unexpected end of input at offset 0x3");
	refused("{", "unterminated object");
	refused("{\"a\"", "expected ':'");
	refused("{\"a\":", "unexpected end of input");
	refused("{\"a\":1", "unterminated object");
	refused("{\"a\":1,}", "expected a string key at offset 0x7");
	refused("[1,]", "unexpected character at offset 0x3");
	refused("[1", "unterminated array");
	refused("{a:1}", "expected a string key");
	refused("tru", "unexpected character");
	refused("nul", "unexpected character");
	refused("/* c */ {}", "unexpected character");
	/* a length shorter than the text: only len bytes count */
	refused_n("{\"a\":1}", 6, "unterminated object");
}

static void tree_shape(void **state)
{
	struct ms_err err;
	cJSON *j = NULL, *a;

	(void)state;
	assert_int_equal(parse("{\"s\":\"x\",\"n\":-1.5e1,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,{}],\"o\":{}}", &j,
			       &err),
			 MS_OK);
	assert_true(cJSON_IsObject(j));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "s")->valuestring, "x");
	assert_true(cJSON_GetObjectItemCaseSensitive(j, "n")->valuedouble == -15.0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "n")->valuestring, "-1.5e1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "t")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "f")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "z")));
	a = cJSON_GetObjectItemCaseSensitive(j, "a");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	assert_true(cJSON_IsObject(cJSON_GetArrayItem(a, 1)));
	assert_int_equal(cJSON_GetArraySize(j), 7);
	/* the tree round-trips through cJSON's own functions */
	{
		cJSON *d = cJSON_Duplicate(j, 1);

		assert_non_null(d);
		assert_true(cJSON_Compare(j, d, 1));
		cJSON_Delete(d);
	}
	cJSON_Delete(j);
	/* scalars at the top level are values too */
	accepted("\"x\"");
	accepted("true");
	accepted("null");
	accepted("[]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duplicate_keys), cmocka_unit_test(trailing_text),	 cmocka_unit_test(nul_bytes),
		cmocka_unit_test(bad_escapes),	  cmocka_unit_test(surrogates),	 cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(numbers),	  cmocka_unit_test(deep_nesting),	 cmocka_unit_test(big_integers),
		cmocka_unit_test(u64_literals),	  cmocka_unit_test(empty_and_truncated), cmocka_unit_test(tree_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
