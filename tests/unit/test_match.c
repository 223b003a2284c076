/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verdict (compare/match.c) through the library: expected-value parsing, the match rules
 * and the exit ranking. Expected values come from the vector READMEs (nitro/eif/expected-pcrs.json,
 * the Cocos policy's base64 decoded by python3's base64 module), never from this code.
 */
#include "../helpers.h"

#include "../../compare/match.h"

#define PCR0_TINY "e7cd3d5d2eb903e70661b7ec0bcdb535ea11b8ea70cae71779fe39820177292079c400bee3a0f90d702f092ccaebb6dd"
#define PCR1_TINY "8b194a026b64c2edd0d77aadf0ff3885abd2f84f3ffe819ca9194ae38b5befc23884eac049d077472d537650873bba58"
#define PCR2_TINY "eedcc5d43dacc59fd7cbc53e7476859316403a592a5eb2333c2584c86d8e42ca9172746790aa2eb65f5463ce1b64e75c"
#define COCOS_MEASUREMENT \
	"a03628e1ef7c0dad85cbbde70d5666c625a2cfee609f169eecd311b5d7e7c296c1b95619b08d26ca7cf77e97def98217"

static enum ms_status parse(const char *text, struct ms_expected *x, struct ms_err *err)
{
	memset(err, 0, sizeof(*err));
	return ms_expected_parse(text, strlen(text), x, err);
}

static void refused(const char *text, enum ms_status want, const char *words)
{
	struct ms_expected x;
	struct ms_err err;
	enum ms_status st = parse(text, &x, &err);

	if (st != want || !strstr(err.msg, words) || err.input != MS_INPUT_EXPECTED)
		fail_msg("%s: status %d (want %d), input %d, message '%s' lacks '%s'", text, st, want, err.input, err.msg,
			 words);
}

static void manifest_strict(void **state)
{
	struct ms_expected x;
	struct ms_err err;
	char nul[256];

	(void)state;
	assert_int_equal(parse("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"algorithm\":\"sha384\","
			       "\"measurements\":{\"pcr0\":\"0x" PCR0_TINY "\",\"pcr1\":\"" PCR1_TINY "\"}}", &x, &err), MS_OK);
	assert_string_equal(x.platform, "aws-nitro");
	assert_int_equal(x.n, 2);
	assert_string_equal(x.m[0].name, "pcr0");
	assert_int_equal(x.m[0].len, 48);
	assert_int_equal(x.m[0].value[0], 0xe7);
	assert_int_equal(x.m[1].value[47], 0x58);
	/* upper case, and 0X */
	assert_int_equal(parse("{\"schema\":\"measure/v1\",\"platform\":\"sev\",\"measurements\":{\"measurement\":"
			       "\"0XABCDEF0000000000000000000000000000000000000000000000000000000001\"}}", &x, &err), MS_OK);
	assert_int_equal(x.m[0].len, 32);
	assert_int_equal(x.m[0].value[0], 0xab);

	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"platform\":\"tdx\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "duplicate key");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\",\"pcr0\":\"" PCR1_TINY "\"}}",
		MS_BAD_INPUT, "duplicate key");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}} {}",
		MS_BAD_INPUT, "expected values");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}x",
		MS_BAD_INPUT, "expected values");
	snprintf(nul, sizeof(nul), "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{}}");
	nul[20] = '\0'; /* a NUL inside: the length says there is more */
	memset(&err, 0, sizeof(err));
	assert_int_equal(ms_expected_parse(nul, strlen(nul + 21) + 21, &x, &err), MS_BAD_INPUT);
	assert_int_equal(err.input, MS_INPUT_EXPECTED);
	refused("{\"schema\":\"measure/v1\",\"platform\":\"sgx\",\"measurements\":{\"mrenclave\":\"00\"}}", MS_BAD_INPUT,
		"platform \"sgx\" is unknown");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\",\"pcr1\":\"zz\"}}",
		MS_BAD_INPUT, "measurements.pcr1 is not 48 bytes of hex");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"g" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.pcr0 is not 48 bytes");
	/* wrong length for the platform and key: sha384 registers are 48 bytes, sev is 32, docker 32 */
	refused("{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"" PCR0_TINY "00\"}}",
		MS_BAD_INPUT, "measurements.mrtd is not 48 bytes");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"sev-es\",\"measurements\":{\"measurement\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.measurement is not 32 bytes");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"sev-snp\",\"measurements\":{\"measurement\":\"abcd\"}}",
		MS_BAD_INPUT, "measurements.measurement is not 48 bytes");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"docker\",\"measurements\":{\"config_digest\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.config_digest is not 32 bytes");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":48}}", MS_BAD_INPUT,
		"measurements.pcr0 is not 48 bytes");
	/* unknown keys for the platform */
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr32\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.pcr32 is not a aws-nitro measurement");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr00\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.pcr00 is not");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "measurements.pcr0 is not a tdx measurement");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{}}", MS_BAD_INPUT, "empty");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"algorithm\":\"sha256\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "algorithm of aws-nitro is \"sha384\"");
	refused("{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"extra\":1,\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}",
		MS_BAD_INPUT, "unknown field \"extra\"");
	refused("{\"schema\":\"measure/v2\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"" PCR0_TINY "\"}}",
		MS_UNSUPPORTED, "schema \"measure/v2\" is not supported");
	refused("[1,2]", MS_BAD_INPUT, "not a measure/v1 manifest");
	refused("hello", MS_BAD_INPUT, "not a measure/v1 manifest");
	refused("{\"a\":1}", MS_BAD_INPUT, "not a measure/v1 manifest");
}

/* 40 keys: the parser stops at the first unknown one and never overflows its table. */
static void manifest_many_keys(void **state)
{
	char *text = malloc(8192);
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text + n, "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{");
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(text + n, "%s\"pcr%d\":\"%s\"", i ? "," : "", i, PCR0_TINY);
	sprintf(text + n, "}}");
	refused(text, MS_BAD_INPUT, "measurements.pcr32 is not a aws-nitro measurement");
	free(text);
}

static void other_forms(void **state)
{
	char *path = test_path("MEASURE_FIXTURES", "fixtures", "../tests/cli/golden/tiny-signed.nitro-cli.json");
	char *cocos = test_path("MEASURE_VECTORS", "../shared/vectors", "snp/cocos/attestation_policy_sev-snp.json");
	char *eif = test_path("MEASURE_FIXTURES", "fixtures", "eif/tiny.eif");
	uint8_t *buf = NULL, rep[1184] = { 2 };
	size_t len;
	struct ms_expected x;
	struct ms_err err = { 0 };
	char hex[97];

	(void)state;
	/* nitro-cli describe-eif JSON */
	assert_int_equal(ms_file_load(path, 1 << 20, &buf, &len, &err), MS_OK);
	assert_int_equal(ms_expected_parse((const char *)buf, len, &x, &err), MS_OK);
	assert_int_equal(x.source, MS_EXPECTED_NITRO_CLI);
	assert_string_equal(x.platform, "aws-nitro");
	assert_int_equal(x.n, 4);
	assert_string_equal(x.m[0].name, "pcr0");
	ms_hex_encode(x.m[0].value, 48, hex);
	assert_string_equal(hex, PCR0_TINY);
	assert_string_equal(x.m[3].name, "pcr8");
	free(buf);
	buf = NULL;
	refused("{\"Measurements\":{\"HashAlgorithm\":\"Sha256 { ... }\",\"PCR0\":\"" PCR0_TINY "\"}}", MS_BAD_INPUT,
		"HashAlgorithm is not Sha384");
	refused("{\"Measurements\":{\"HashAlgorithm\":\"Sha384 { ... }\",\"PCR0\":\"" PCR0_TINY "\",\"PCRX\":\"00\"}}",
		MS_BAD_INPUT, "Measurements.PCRX is not a PCR");
	refused("{\"Measurements\":{\"HashAlgorithm\":\"Sha384 { ... }\",\"PCR0\":\"abc\"}}", MS_BAD_INPUT,
		"Measurements.PCR0 is not 48 bytes");
	/* a Cocos policy: policy.measurement */
	if (ms_file_load(cocos, 1 << 20, &buf, &len, &err) == MS_OK) {
		assert_int_equal(ms_expected_parse((const char *)buf, len, &x, &err), MS_OK);
		assert_int_equal(x.source, MS_EXPECTED_COCOS);
		assert_string_equal(x.platform, "sev-snp");
		assert_int_equal(x.n, 1);
		assert_string_equal(x.m[0].name, "measurement");
		ms_hex_encode(x.m[0].value, 48, hex);
		assert_string_equal(hex, COCOS_MEASUREMENT);
		free(buf);
		buf = NULL;
	}
	refused("{\"policy\":{\"vmpl\":0}}", MS_BAD_INPUT, "without policy.measurement");
	refused("{\"policy\":{\"measurement\":\"AAAA\"}}", MS_BAD_INPUT, "not base64 of 48 bytes");
	/* files in the wrong role */
	assert_int_equal(ms_file_load(eif, 1 << 20, &buf, &len, &err), MS_OK);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ms_expected_parse((const char *)buf, len, &x, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "looks like an EIF"));
	free(buf);
	rep[0x34] = 1; /* version 2, signature algorithm 1: an SNP report */
	memset(&err, 0, sizeof(err));
	assert_int_equal(ms_expected_parse((const char *)rep, sizeof(rep), &x, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "looks like an SNP attestation report (evidence)"));
	assert_non_null(strstr(err.msg, "EXPECTED comes first"));
	assert_string_equal(ms_input_kind((const uint8_t *)"{\"schema\":\"measure/v1\"}", 23), "a measure/v1 manifest");
	assert_null(ms_input_kind((const uint8_t *)"hello", 5));
	free(path);
	free(cocos);
	free(eif);
}

static void add_hex(struct ms_evidence *ev, const char *name, const char *hex)
{
	uint8_t v[64];
	size_t n = strlen(hex) / 2;

	assert_int_equal(ms_hex_decode(hex, v, n, name, NULL), MS_OK);
	ms_evidence_add(ev, name, v, n);
}

static void nitro_evidence(struct ms_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_NITRO;
	ev->platform = "aws-nitro";
	add_hex(ev, "pcr0", PCR0_TINY);
	add_hex(ev, "pcr1", PCR1_TINY);
	add_hex(ev, "pcr2", PCR2_TINY);
}

static const struct ms_check *find(const struct ms_checks *c, const char *what)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].what, what))
			return &c->v[i];
	return NULL;
}

static enum ms_status match(const char *manifest, const struct ms_evidence *ev, const struct ms_match_options *o,
			    struct ms_checks *c, struct ms_err *err)
{
	struct ms_expected x;

	ms_checks_free(c);
	memset(err, 0, sizeof(*err));
	assert_int_equal(parse(manifest, &x, err), MS_OK);
	return ms_match(&x, ev, o, c, err);
}

#define NITRO(m) "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{" m "}}"

static void match_values(void **state)
{
	struct ms_evidence ev;
	struct ms_checks c = { 0 };
	struct ms_err err;
	struct ms_match_options o = { 0 };
	const struct ms_check *k;
	char other[97];

	(void)state;
	nitro_evidence(&ev);
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\",\"pcr1\":\"" PCR1_TINY "\""), &ev, &o, &c, &err), MS_OK);
	k = find(&c, "pcr2");
	assert_non_null(k);
	assert_int_equal(k->state, MS_CHECK_NOT_CHECKED);
	assert_false(k->ok);
	assert_string_equal(k->found, PCR2_TINY);
	assert_int_equal(find(&c, "pcr0")->state, MS_CHECK_PASS);

	/* a mismatch keeps both full values and the first differing byte */
	snprintf(other, sizeof(other), "%s", PCR0_TINY);
	other[60] = other[60] == '0' ? '1' : '0';
	{
		char m[256];

		snprintf(m, sizeof(m), NITRO("\"pcr0\":\"%s\""), other);
		assert_int_equal(match(m, &ev, &o, &c, &err), MS_MISMATCH);
	}
	k = find(&c, "pcr0");
	assert_int_equal(k->state, MS_CHECK_FAIL);
	assert_string_equal(k->expected, other);
	assert_string_equal(k->found, PCR0_TINY);
	assert_int_equal(k->first_diff, 30);
	assert_int_equal(find(&c, "pcr1")->state, MS_CHECK_NOT_CHECKED);

	/* absent from the evidence */
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\",\"pcr8\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_MISMATCH);
	assert_string_equal(find(&c, "pcr8")->found, "absent from the evidence");

	/* another platform's manifest */
	assert_int_equal(match("{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"" PCR0_TINY "\"}}",
			       &ev, &o, &c, &err), MS_MISMATCH);
	assert_false(find(&c, "platform")->ok);
	/* a platform no evidence has */
	assert_int_equal(match("{\"schema\":\"measure/v1\",\"platform\":\"docker\",\"measurements\":{\"config_digest\":"
			       "\"0000000000000000000000000000000000000000000000000000000000000001\"}}", &ev, &o, &c, &err),
			 MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "no attestation evidence carries docker measurements"));
	ms_checks_free(&c);
}

static void match_partial(void **state)
{
	struct ms_evidence ev;
	struct ms_checks c = { 0 };
	struct ms_err err;
	struct ms_match_options o = { 0 };

	(void)state;
	nitro_evidence(&ev);
	assert_int_equal(match(NITRO("\"pcr1\":\"" PCR1_TINY "\""), &ev, &o, &c, &err), MS_BAD_INPUT);
	assert_int_equal(err.input, MS_INPUT_EXPECTED);
	assert_non_null(strstr(err.msg, "pins no pcr0"));
	o.allow_partial = true;
	assert_int_equal(match(NITRO("\"pcr1\":\"" PCR1_TINY "\""), &ev, &o, &c, &err), MS_OK);
	assert_int_equal(find(&c, "pcr0")->state, MS_CHECK_NOT_CHECKED);
	assert_int_equal(find(&c, "pcr2")->state, MS_CHECK_NOT_CHECKED);
	assert_int_equal(find(&c, "pcr1")->state, MS_CHECK_PASS);
	ms_checks_free(&c);
}

static void match_debug_and_nonce(void **state)
{
	struct ms_evidence ev;
	struct ms_checks c = { 0 };
	struct ms_err err;
	struct ms_match_options o = { .allow_debug = true };
	uint8_t nonce[64] = { 1, 2, 3 };
	const char *snp = "{\"schema\":\"measure/v1\",\"platform\":\"sev-snp\",\"measurements\":{\"measurement\":\"" PCR0_TINY "\"}}";

	(void)state;
	/* a debug Nitro enclave never matches, even with allow_debug */
	nitro_evidence(&ev);
	ev.debug = true;
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_MISMATCH);
	assert_false(find(&c, "debug")->ok);

	/* the whole Nitro nonce: a prefix is not enough */
	ev.debug = false;
	memcpy(ev.freshness, nonce, 3);
	ev.freshness_len = 3;
	o.nonce = nonce;
	o.nonce_len = 3;
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_OK);
	o.nonce_len = 2;
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_MISMATCH);
	ev.freshness_len = 1024; /* the largest nonce a document carries */
	memset(ev.freshness, 0xaa, 1024);
	{
		uint8_t big[1024];

		memset(big, 0xaa, sizeof(big));
		o.nonce = big;
		o.nonce_len = 1024;
		assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_OK);
		big[1023] = 0xab;
		assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_MISMATCH);
		assert_int_equal(find(&c, "nonce")->first_diff, 1023);
	}

	/* SNP: debug only when allowed; all 64 bytes of REPORT_DATA, a prefix >= 16 only when asked */
	memset(&ev, 0, sizeof(ev));
	ev.type = MS_EVIDENCE_SNP;
	ev.platform = "sev-snp";
	add_hex(&ev, "measurement", PCR0_TINY);
	memcpy(ev.freshness, nonce, 64);
	ev.freshness_len = 64;
	ev.debug = true;
	o = (struct ms_match_options){ 0 };
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_MISMATCH);
	o.allow_debug = true;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_OK);
	o.nonce = nonce;
	o.nonce_len = 64;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_OK);
	o.nonce_len = 3;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_USAGE);
	o.report_data_prefix = true;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_USAGE); /* shorter than 16 */
	o.nonce_len = 16;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_OK);
	o.report_data_prefix = false;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_USAGE);
	o.nonce_len = 65;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_USAGE);
	ev.freshness[63] = 9;
	o.nonce_len = 64;
	assert_int_equal(match(snp, &ev, &o, &c, &err), MS_MISMATCH);
	ms_checks_free(&c);
}

static void match_policy(void **state)
{
	struct ms_evidence ev;
	struct ms_checks c = { 0 };
	struct ms_err err = { 0 };
	struct ms_match_options o = { 0 };
	cJSON *policy = cJSON_Parse("{\"policy\":{\"vmpl\":0}}");

	(void)state;
	nitro_evidence(&ev);
	o.policy = policy;
	/* a policy on Nitro evidence is refused, not skipped */
	assert_int_equal(match(NITRO("\"pcr0\":\"" PCR0_TINY "\""), &ev, &o, &c, &err), MS_UNSUPPORTED);
	assert_int_equal(err.input, MS_INPUT_POLICY);
	/* nothing to compare */
	o.policy = NULL;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ms_match(NULL, &ev, &o, &c, &err), MS_USAGE);
	cJSON_Delete(policy);
	ms_checks_free(&c);
}

static const enum ms_status all[] = { MS_OK, MS_MISMATCH, MS_BAD_INPUT, MS_USAGE, MS_NO_MEMORY,
				      MS_BAD_SIGNATURE, MS_NO_COLLATERAL, MS_UNSUPPORTED };
#define NALL (sizeof(all) / sizeof(all[0]))

static void permute(enum ms_status *v, size_t k, size_t n, enum ms_status want, unsigned *count)
{
	if (k == n) {
		enum ms_status w = MS_OK;

		for (size_t i = 0; i < n; i++)
			w = ms_status_worst(w, v[i]);
		assert_int_equal(w, want);
		(*count)++;
		return;
	}
	for (size_t i = k; i < n; i++) {
		enum ms_status t = v[k];

		v[k] = v[i];
		v[i] = t;
		permute(v, k + 1, n, want, count);
		v[i] = v[k];
		v[k] = t;
	}
}

static void exit_ranking(void **state)
{
	/* the documented order of exit codes: 3 > 4 > 5 > 2 > 1 > 0 */
	static const int order[] = { 3, 4, 5, 2, 1, 0 };
	unsigned count = 0;

	(void)state;
	for (size_t a = 0; a < NALL; a++)
		for (size_t b = 0; b < NALL; b++) {
			int ea = ms_exit_code(all[a]), eb = ms_exit_code(all[b]), ew = ms_exit_code(ms_status_worst(all[a], all[b]));
			size_t ia = 0, ib = 0;

			while (order[ia] != ea)
				ia++;
			while (order[ib] != eb)
				ib++;
			assert_int_equal(ew, ia <= ib ? ea : eb);
			assert_int_equal(ms_status_worst(all[a], all[b]), ms_status_worst(all[b], all[a]));
		}
	/* every order of every status: one result (40320 orders) */
	{
		enum ms_status v[NALL];

		memcpy(v, all, sizeof(v));
		permute(v, 0, NALL, MS_BAD_SIGNATURE, &count);
		assert_int_equal(count, 40320);
	}
	/* every order of the statuses below 3: collateral missing wins */
	{
		enum ms_status v[] = { MS_OK, MS_MISMATCH, MS_BAD_INPUT, MS_NO_COLLATERAL, MS_UNSUPPORTED };

		count = 0;
		permute(v, 0, 5, MS_NO_COLLATERAL, &count);
		assert_int_equal(count, 120);
	}
	{
		enum ms_status v[] = { MS_OK, MS_MISMATCH, MS_BAD_INPUT, MS_UNSUPPORTED };

		count = 0;
		permute(v, 0, 4, MS_UNSUPPORTED, &count);
	}
	{
		enum ms_status v[] = { MS_OK, MS_MISMATCH, MS_USAGE, MS_MISMATCH };

		count = 0;
		permute(v, 0, 4, MS_USAGE, &count);
	}
	{
		enum ms_status v[] = { MS_OK, MS_MISMATCH, MS_OK };

		count = 0;
		permute(v, 0, 3, MS_MISMATCH, &count);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manifest_strict),  cmocka_unit_test(manifest_many_keys),
		cmocka_unit_test(other_forms),      cmocka_unit_test(match_values),
		cmocka_unit_test(match_partial),    cmocka_unit_test(match_debug_and_nonce),
		cmocka_unit_test(match_policy),     cmocka_unit_test(exit_ranking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
