/* SPDX-License-Identifier: Apache-2.0 */
/* ms_policy_parse / ms_policy_apply on forged policies against forged, decoded reports and quotes. */
#include "../helpers.h"

#include "../fuzz/policy_evidence.h"

enum ev_kind { SNP_MILAN, SNP_TURIN, TDX, TDX_ONE_CRL, TDX_CRLS, SNP_CRLS };

struct fixture {
	uint8_t report[MS_SNP_REPORT_LEN], quote[PE_TDX_LEN];
};
static struct fixture fx;

/* base64 of 48 bytes of one value (the forged report and quote fill fields so) */
static const char *b48(uint8_t fill)
{
	static char out[8][80];
	static int next;
	uint8_t b[48];
	char *o = out[next++ & 7];

	memset(b, fill, sizeof(b));
	ms_base64_encode(b, sizeof(b), o);
	return o;
}

static enum ms_status run(const char *text, enum ev_kind kind, struct ms_checks *checks, struct ms_err *err)
{
	struct ms_evidence ev;
	cJSON *policy = NULL;
	enum ms_status st;

	memset(err, 0, sizeof(*err));
	if (kind == TDX || kind == TDX_ONE_CRL || kind == TDX_CRLS)
		assert_int_equal(pe_tdx_evidence(fx.quote, sizeof(fx.quote), &ev), MS_OK);
	else
		assert_int_equal(pe_snp_evidence(fx.report, kind == SNP_TURIN ? MS_SNP_PRODUCT_TURIN : MS_SNP_PRODUCT_MILAN,
						 &ev),
				 MS_OK);
	if (kind == TDX_ONE_CRL)
		ev.crls_applied = 1; /* but not every certificate covered */
	if (kind == TDX_CRLS || kind == SNP_CRLS)
		ev.crls_applied = 2, ev.revocation_checked = true;
	st = ms_policy_parse(text, strlen(text), &policy, err);
	if (st)
		return st;
	st = ms_policy_apply(policy, &ev, checks, err);
	cJSON_Delete(policy);
	return st;
}

struct tcase {
	enum ev_kind kind;
	const char *policy;
	enum ms_status want;
	const char *words; /* in the message (or, for MS_MISMATCH, in a failed check's found) */
};

static void expect_all(const struct tcase *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ms_checks checks = { 0 };
		struct ms_err err;
		enum ms_status st = run(t[i].policy, t[i].kind, &checks, &err);

		if (st != t[i].want)
			fail_msg("%s: want %d, got %d: %s", t[i].policy, t[i].want, st, err.msg);
		if (st) {
			assert_int_equal(err.input, MS_INPUT_POLICY);
			assert_null(strchr(err.msg, '\n'));
		}
		if (st == MS_BAD_INPUT || st == MS_UNSUPPORTED)
			if (checks.n) /* refused before any rule was judged: no partial verdict */
				fail_msg("%s: %zu checks recorded before the refusal", t[i].policy, checks.n);
		if (t[i].words && !strstr(err.msg, t[i].words)) {
			bool found = false;

			for (size_t k = 0; k < checks.n; k++)
				found |= !checks.v[k].ok && strstr(checks.v[k].found, t[i].words);
			if (!found)
				fail_msg("%s: \"%s\" not in \"%s\"", t[i].policy, t[i].words, err.msg);
		}
		ms_checks_free(&checks);
	}
}

/* A container of the wrong type anywhere: refused (exit 2), never walked. */
static void containers_type_checked(void **state)
{
	static const struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":[]}", MS_BAD_INPUT, "policy is not an object" },
		{ SNP_MILAN, "{\"policy\":\"x\"}", MS_BAD_INPUT, "policy is not an object" },
		{ SNP_MILAN, "{\"policy\":[{\"vmpl\":1}]}", MS_BAD_INPUT, "policy is not an object" },
		{ SNP_MILAN, "{\"policy\":{\"product\":[]}}", MS_BAD_INPUT, "policy.product is not an object" },
		{ SNP_MILAN, "{\"policy\":{\"product\":\"Milan\"}}", MS_BAD_INPUT, "policy.product is not an object" },
		{ SNP_MILAN, "{\"policy\":{\"product\":[{\"name\":1}]}}", MS_BAD_INPUT, "policy.product is not an object" },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":[1]}", MS_BAD_INPUT, "root_of_trust is not an object" },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":\"x\"}", MS_BAD_INPUT, "root_of_trust is not an object" },
		{ SNP_MILAN, "{\"policy\":{},\"pcr_values\":[]}", MS_BAD_INPUT, "pcr_values is not an object" },
		{ SNP_MILAN, "{\"policy\":{},\"pcr_values\":{\"sha256\":[]}}", MS_BAD_INPUT, "pcr_values.sha256 is not an object" },
		{ SNP_MILAN, "[]", MS_BAD_INPUT, "not a JSON policy object" },
		{ TDX, "{\"header\":[]}", MS_BAD_INPUT, "header is not an object" },
		{ TDX, "{\"td_quote_body\":\"x\"}", MS_BAD_INPUT, "td_quote_body is not an object" },
		{ TDX, "{\"policy\":[]}", MS_BAD_INPUT, "policy is not an object" },
		{ TDX, "{\"policy\":{\"header\":[{\"a\":1}]}}", MS_BAD_INPUT, "policy.header is not an object" },
		{ TDX, "{\"policy\":{\"td_quote_body\":[]}}", MS_BAD_INPUT, "policy.td_quote_body is not an object" },
		{ TDX, "{\"root_of_trust\":null}", MS_BAD_INPUT, "root_of_trust is not an object" },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

/* A tree that did not come from ms_policy_parse (cJSON_Parse): the same checks hold. */
static void lenient_tree_still_checked(void **state)
{
	static const char *const bad[] = { "{\"policy\":[1,2]}", "{\"policy\":{\"product\":[1]}}",
					   "{\"policy\":{\"vmpl\":1.5}}", "{\"policy\":{\"vmpl\":-1}}" };
	struct ms_evidence ev;

	(void)state;
	assert_int_equal(pe_snp_evidence(fx.report, MS_SNP_PRODUCT_MILAN, &ev), MS_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *p = cJSON_Parse(bad[i]);
		struct ms_checks checks = { 0 };
		struct ms_err err = { 0 };

		assert_non_null(p);
		assert_int_equal(ms_policy_apply(p, &ev, &checks, &err), MS_BAD_INPUT);
		cJSON_Delete(p);
		ms_checks_free(&checks);
	}
}

static void field_types_and_ranges(void **state)
{
	char m47[128], rt3[400], l[600];
	uint8_t b[48] = { 0 };
	struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":4}}", MS_BAD_INPUT, "policy.vmpl is not an integer 0-3" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":-1}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1.0}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1e0}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":true}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":\"-1\"}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":\"+1\"}}", MS_BAD_INPUT, "policy.vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":\"1\"}}", MS_OK, NULL }, /* protojson: a string of digits */
		{ SNP_MILAN, "{\"policy\":{\"minimum_build\":256}}", MS_BAD_INPUT, "policy.minimum_build is not an integer 0-255" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_guest_svn\":4294967296}}", MS_BAD_INPUT, "policy.minimum_guest_svn" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":18446744073709551616}}", MS_BAD_INPUT, "policy.minimum_tcb" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":\"1.5\"}}", MS_BAD_INPUT, "policy.minimum_tcb" },
		{ SNP_MILAN, "{\"policy\":{\"policy\":-196608}}", MS_BAD_INPUT, "policy.policy" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1\"}}", MS_BAD_INPUT, "policy.minimum_version is not \"MAJOR.MINOR\"" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1.2.3\"}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"256.0\"}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1.x\"}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\" 1.2\"}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1.\"}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":1.52}}", MS_BAD_INPUT, "policy.minimum_version" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1.52\"}}", MS_OK, NULL },
		{ SNP_MILAN, m47, MS_BAD_INPUT, "policy.measurement is not base64 of exactly 48 bytes" },
		{ SNP_MILAN, "{\"policy\":{\"measurement\":\"\"}}", MS_BAD_INPUT, "policy.measurement" },
		{ SNP_MILAN, "{\"policy\":{\"measurement\":5}}", MS_BAD_INPUT, "policy.measurement" },
		{ SNP_MILAN, "{\"policy\":{\"host_data\":\"not*base64\"}}", MS_BAD_INPUT, "policy.host_data" },
		{ SNP_MILAN, "{\"policy\":{\"require_author_key\":\"true\"}}", MS_BAD_INPUT, "policy.require_author_key is not true or false" },
		{ SNP_MILAN, "{\"policy\":{\"require_id_block\":1}}", MS_BAD_INPUT, "policy.require_id_block" },
		{ SNP_MILAN, "{\"policy\":{\"trusted_id_key_hashes\":\"x\"}}", MS_BAD_INPUT, "policy.trusted_id_key_hashes is not a list" },
		{ SNP_MILAN, "{\"policy\":{\"trusted_id_key_hashes\":[5]}}", MS_BAD_INPUT, "policy.trusted_id_key_hashes[0]" },
		{ SNP_MILAN, "{\"policy\":{\"trusted_author_key_hashes\":[\"AAAA\"]}}", MS_BAD_INPUT, "policy.trusted_author_key_hashes[0]" },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":4}}}", MS_BAD_INPUT, "policy.product.name" },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":0}}}", MS_BAD_INPUT, "policy.product.name" },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":\"MILAN\"}}}", MS_BAD_INPUT, "policy.product.name" },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":{\"check_crl\":\"yes\"}}", MS_BAD_INPUT, "root_of_trust.check_crl" },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":{\"product_line\":1}}", MS_BAD_INPUT, "root_of_trust.product_line is not a string" },
		{ SNP_MILAN, "{\"policy\":{},\"pcr_values\":{\"sha256\":{\"0\":\"00\"}}}", MS_BAD_INPUT, "pcr_values.sha256.0" },
		{ SNP_MILAN, "{\"policy\":{},\"pcr_values\":{\"sha256\":{\"24\":\"00\"}}}", MS_BAD_INPUT, "not a PCR index" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1,\"Vmpl\":1}}", MS_UNSUPPORTED, "Vmpl" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_build\":1,\"minimumBuild\":1}}", MS_BAD_INPUT, "given twice" },
		{ TDX, "{\"header\":{\"minimum_qe_svn\":65536}}", MS_BAD_INPUT, "header.minimum_qe_svn is not an integer 0-65535" },
		{ TDX, "{\"header\":{\"minimum_pce_svn\":\"x\"}}", MS_BAD_INPUT, "header.minimum_pce_svn" },
		{ TDX, "{\"header\":{\"qe_vendor_id\":\"AAAA\"}}", MS_BAD_INPUT, "header.qe_vendor_id is not base64 of exactly 16 bytes" },
		{ TDX, rt3, MS_BAD_INPUT, "td_quote_body.rtmrs has 3 entries, not 4" },
		{ TDX, "{\"td_quote_body\":{\"any_mr_td\":[\"AAAA\"]}}", MS_BAD_INPUT, "td_quote_body.any_mr_td[0]" },
		{ TDX, "{\"td_quote_body\":{\"any_mr_td\":{}}}", MS_BAD_INPUT, "td_quote_body.any_mr_td is not a list" },
		{ TDX, "{\"td_quote_body\":{\"minimum_tee_tcb_svn\":\"AAAA\"}}", MS_BAD_INPUT, "td_quote_body.minimum_tee_tcb_svn" },
		{ TDX, "{\"td_quote_body\":{\"tdattributes_debug\":0}}", MS_BAD_INPUT, "td_quote_body.tdattributes_debug" },
		{ TDX, "{\"root_of_trust\":{\"check_crl\":1}}", MS_BAD_INPUT, "root_of_trust.check_crl" },
		{ TDX, "{\"policy\":{\"td_quote_body\":{\"xfam\":\"AAAA\"}}}", MS_BAD_INPUT, "policy.td_quote_body.xfam" },
		{ TDX, "{\"header\":{},\"header_policy\":{}}", MS_BAD_INPUT, "given twice" },
	};

	(void)state;
	ms_base64_encode(b, 47, l);
	snprintf(m47, sizeof(m47), "{\"policy\":{\"measurement\":\"%.70s\"}}", l);
	snprintf(rt3, sizeof(rt3), "{\"td_quote_body\":{\"rtmrs\":[\"%s\",\"%s\",\"%s\"]}}", b48(0xa0), b48(0xa1), b48(0xa2));
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

/* Unknown fields anywhere: exit 5 before any rule is judged (expect_all checks no check was added). */
static void unknown_fields(void **state)
{
	static const struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0},\"extra\":1}", MS_UNSUPPORTED, "field \"extra\" is not supported (at extra)" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0,\"require_sev_snp_debug\":true}}", MS_UNSUPPORTED, "policy.require_sev_snp_debug" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0},\"root_of_trust\":{\"x\":1}}", MS_UNSUPPORTED, "root_of_trust.x" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0,\"product\":{\"name\":1,\"x\":1}}}", MS_UNSUPPORTED, "policy.product.x" },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":1,\"machine_stepping\":1}}}", MS_UNSUPPORTED, "policy.product.machine_stepping" },
		{ SNP_MILAN, "{\"policy\":{\"trusted_id_keys\":[\"AAAA\"]}}", MS_UNSUPPORTED, "policy.trusted_id_keys" },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":{\"cabundles\":[\"x\"]}}", MS_UNSUPPORTED, "root_of_trust.cabundles" },
		{ SNP_MILAN, "{\"policy\":{},\"pcr_values\":{\"sm3\":{}}}", MS_UNSUPPORTED, "pcr_values.sm3" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0},\"header\":{}}", MS_UNSUPPORTED, "header" },
		{ TDX, "{\"header\":{\"x\":1}}", MS_UNSUPPORTED, "header.x" },
		{ TDX, "{\"td_quote_body\":{\"mr_service_td\":\"AAAA\"}}", MS_UNSUPPORTED, "td_quote_body.mr_service_td" },
		{ TDX, "{\"td_quote_body\":{\"x\":1}}", MS_UNSUPPORTED, "td_quote_body.x" },
		{ TDX, "{\"root_of_trust\":{\"x\":1}}", MS_UNSUPPORTED, "root_of_trust.x" },
		{ TDX, "{\"rootOfTrust\":{\"get_collateral\":true}}", MS_UNSUPPORTED, "rootOfTrust.get_collateral" },
		{ TDX, "{\"policy\":{\"header\":{},\"x\":{}}}", MS_UNSUPPORTED, "policy.x" },
		{ TDX, "{\"measurement\":\"AAAA\"}", MS_UNSUPPORTED, "measurement" },
		/* the empty value of a refused field says nothing: accepted (protojson emits it for unset fields) */
		{ SNP_MILAN, "{\"policy\":{\"trusted_id_keys\":[]},\"root_of_trust\":{\"cabundles\":[]}}", MS_OK, NULL },
		{ TDX, "{\"root_of_trust\":{\"get_collateral\":false}}", MS_OK, NULL },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void trailing_text_and_duplicates(void **state)
{
	static const struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1}} {\"policy\":{}}", MS_BAD_INPUT, "trailing text" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1}}x", MS_BAD_INPUT, "trailing text after the JSON value at offset 0x15" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1,\"vmpl\":3}}", MS_BAD_INPUT, "duplicate key \"vmpl\" at offset 0x14" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1},\"policy\":{\"vmpl\":3}}", MS_BAD_INPUT, "duplicate key \"policy\"" },
		{ TDX, "{\"td_quote_body\":{\"rtmrs\":[],\"rtmrs\":[]}}", MS_BAD_INPUT, "duplicate key \"rtmrs\"" },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":01}}", MS_BAD_INPUT, "leading zero" },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void root_of_trust_crl(void **state)
{
	static const struct tcase t[] = {
		{ TDX, "{\"root_of_trust\":{\"check_crl\":true}}", MS_NO_COLLATERAL, "no CRL was applied" },
		{ TDX, "{\"rootOfTrust\":{\"checkCrl\":true}}", MS_NO_COLLATERAL, "no CRL was applied" },
		{ TDX, "{\"policy\":{\"header\":{}},\"root_of_trust\":{\"check_crl\":true}}", MS_NO_COLLATERAL, "check_crl" },
		{ TDX_ONE_CRL, "{\"root_of_trust\":{\"check_crl\":true}}", MS_NO_COLLATERAL, "do not cover every certificate" },
		{ TDX_CRLS, "{\"root_of_trust\":{\"check_crl\":true}}", MS_OK, NULL },
		{ TDX, "{\"root_of_trust\":{\"check_crl\":false}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":{\"check_crl\":true}}", MS_NO_COLLATERAL, "check_crl is set" },
		{ SNP_CRLS, "{\"policy\":{},\"root_of_trust\":{\"check_crl\":true}}", MS_OK, NULL },
		/* a failed rule is a definite no, whatever the revocation status */
		{ TDX, "{\"header\":{\"minimum_qe_svn\":4},\"root_of_trust\":{\"check_crl\":true}}", MS_MISMATCH, "QE SVN" },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void wrapper_mixed_with_rules(void **state)
{
	static const struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1},\"measurement\":\"AAAA\"}", MS_BAD_INPUT, "beside the \"policy\" object" },
		{ SNP_MILAN, "{\"policy\":{},\"minimumTcb\":1}", MS_BAD_INPUT, "beside" },
		{ SNP_MILAN, "{\"measurement\":\"AAAA\"}", MS_BAD_INPUT, "top level" },
		{ SNP_MILAN, "{\"root_of_trust\":{}}", MS_BAD_INPUT, "no \"policy\" object" },
		{ TDX, "{\"policy\":{\"header\":{}},\"td_quote_body\":{}}", MS_BAD_INPUT, "td_quote_body stands beside" },
		{ TDX, "{\"policy\":{},\"header\":{}}", MS_BAD_INPUT, "header stands beside" },
		{ TDX, "{\"policy\":{},\"tdQuoteBodyPolicy\":{}}", MS_BAD_INPUT, "beside" },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void pcr_values_without_vtpm(void **state)
{
	static const struct tcase t[] = {
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":1},\"pcr_values\":{}}", MS_MISMATCH, "no vTPM quote to check pcr_values against" },
		{ SNP_MILAN,
		  "{\"policy\":{},\"pcr_values\":{\"sha256\":{\"0\":\"71e0cc99e4609fdbc44698cceeda9e5ecb2f74fe07bd10710d5330e0eb6bd32b\"}}}",
		  MS_MISMATCH, "no vTPM quote to check pcr_values against" },
		{ TDX, "{\"header\":{},\"pcr_values\":{}}", MS_MISMATCH, "no vTPM quote to check pcr_values against" },
	};

	(void)state;
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void snp_rules(void **state)
{
	char ok[512], bad[512], idok[200], idbad[200], authok[200];
	/* PE_TCB is bl 3 tee 0 snp 8 ucode 0x73 on Milan; on Turin the same bytes read fmc 3 bl 0 tee 0 snp 0 ucode 0x73 */
	struct tcase t[] = {
		{ SNP_MILAN, ok, MS_OK, NULL },
		{ SNP_MILAN, bad, MS_MISMATCH, NULL },
		/* minimum_tcb bounds REPORTED_TCB per component: a smaller integer with one larger part fails */
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":4}}", MS_MISMATCH, "found 7308000000000003" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":\"8288875114175397891\"}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":8288875114175397892}}", MS_MISMATCH, NULL }, /* past 2^53, exact */
		{ SNP_MILAN, "{\"policy\":{\"minimum_launch_tcb\":8361432708213325827}}", MS_MISMATCH, NULL }, /* ucode 0x74 */
		/* snp 9 (byte 6) on Milan fails; on Turin byte 6 is reserved and passes */
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":2533274790395904}}", MS_MISMATCH, NULL },
		{ SNP_TURIN, "{\"policy\":{\"minimum_tcb\":2533274790395904}}", MS_OK, NULL },
		/* fmc 4 (byte 0 on Turin) fails; on Milan byte 0 is the boot loader 3 < 4, also a failure */
		{ SNP_TURIN, "{\"policy\":{\"minimum_tcb\":4}}", MS_MISMATCH, NULL },
		/* byte 3 is 1: the Turin SNP SPL (0 here) fails; on Milan byte 3 is reserved */
		{ SNP_TURIN, "{\"policy\":{\"minimum_tcb\":16777216}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, "{\"policy\":{\"minimum_tcb\":16777216}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"minimum_version\":\"1.53\"}}", MS_MISMATCH, "1.52" },
		{ SNP_MILAN, "{\"policy\":{\"minimum_build\":5}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, "{\"policy\":{\"vmpl\":0}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, "{\"policy\":{\"minimum_guest_svn\":8}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, "{\"policy\":{\"policy\":196608}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"policy\":131072}}", MS_MISMATCH, NULL },   /* SMT not allowed */
		{ SNP_MILAN, "{\"policy\":{\"policy\":1245184}}", MS_MISMATCH, NULL },  /* SINGLE_SOCKET required */
		{ SNP_MILAN, "{\"policy\":{\"policy\":196609}}", MS_MISMATCH, NULL },   /* ABI 0.1 required */
		{ SNP_MILAN, "{\"policy\":{\"platform_info\":1}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"platform_info\":0}}", MS_MISMATCH, NULL }, /* SMT enabled, not allowed */
		{ SNP_MILAN, "{\"policy\":{\"platform_info\":9}}", MS_MISMATCH, NULL }, /* RAPL_DIS required */
		{ SNP_MILAN, "{\"policy\":{\"permit_provisional_firmware\":false}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"permitProvisionalFirmware\":true}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":1}},\"root_of_trust\":{\"product_line\":\"Milan\"}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"product\":{\"name\":\"SEV_PRODUCT_GENOA\"}}}", MS_MISMATCH, "Milan" },
		{ SNP_TURIN, "{\"policy\":{\"product\":{\"name\":3}},\"rootOfTrust\":{\"productLine\":\"Turin\"}}", MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{},\"root_of_trust\":{\"product\":\"Genoa\"}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, idok, MS_OK, NULL },
		{ SNP_MILAN, idbad, MS_MISMATCH, NULL },
		{ SNP_MILAN, authok, MS_OK, NULL },
		{ SNP_MILAN, "{\"policy\":{\"require_author_key\":true}}", MS_MISMATCH, NULL }, /* no trusted hash */
		{ SNP_MILAN, "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[]}}", MS_MISMATCH, NULL },
		{ SNP_MILAN, "{\"policy\":{\"require_id_block\":false,\"trusted_id_key_hashes\":[]}}", MS_OK, NULL },
	};

	(void)state;
	snprintf(ok, sizeof(ok),
		 "{\"policy\":{\"measurement\":\"%s\",\"chipId\":\"%s%s\",\"familyId\":\"EREREREREREREREREREREQ==\","
		 "\"image_id\":\"IiIiIiIiIiIiIiIiIiIiIg\",\"vmpl\":\"1\",\"minimum_guest_svn\":7,\"minimum_build\":4,"
		 "\"minimum_version\":\"1.52\",\"minimum_launch_tcb\":8288875114175397891}}",
		 b48(0x90), "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg", "==");
	snprintf(bad, sizeof(bad), "{\"policy\":{\"measurement\":\"%s\"}}", b48(0x91));
	snprintf(idok, sizeof(idok), "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[\"%s\",\"%s\"]}}",
		 b48(0), b48(0x1d));
	snprintf(idbad, sizeof(idbad), "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[\"%s\"]}}", b48(0));
	snprintf(authok, sizeof(authok),
		 "{\"policy\":{\"require_author_key\":true,\"trusted_author_key_hashes\":[\"%s\"]}}", b48(0xa7));
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

static void tdx_rules(void **state)
{
	char rt[512], rtbad[512], any[200], anybad[200], body[400];
	struct tcase t[] = {
		/* go-tdx-guest: QeSvn is header bytes 10-11 (3 here), PceSvn bytes 8-9 (13 here) */
		{ TDX, "{\"header\":{\"minimum_qe_svn\":3,\"minimum_pce_svn\":13}}", MS_OK, NULL },
		{ TDX, "{\"header\":{\"minimum_qe_svn\":4}}", MS_MISMATCH, "3 (header bytes 10-11)" },
		{ TDX, "{\"header\":{\"minimum_pce_svn\":14}}", MS_MISMATCH, "13 (header bytes 8-9)" },
		{ TDX, "{\"header\":{\"minimumQeSvn\":\"3\",\"qeVendorId\":\"k5pyM/ecTKmUCg2zlX8GBw==\"}}", MS_OK, NULL },
		{ TDX, "{\"header\":{\"qe_vendor_id\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}}", MS_MISMATCH, NULL },
		{ TDX, rt, MS_OK, NULL },
		{ TDX, rtbad, MS_MISMATCH, NULL },
		{ TDX, any, MS_OK, NULL },
		{ TDX, anybad, MS_MISMATCH, NULL },
		{ TDX, "{\"td_quote_body\":{\"any_mr_td\":[]}}", MS_MISMATCH, NULL }, /* an empty allow-list allows nothing */
		{ TDX, body, MS_OK, NULL },
		/* component-wise: 01 02 .. 10 in the quote */
		{ TDX, "{\"td_quote_body\":{\"minimum_tee_tcb_svn\":\"AQIDBAUGBwgJCgsMDQ4PEA==\"}}", MS_OK, NULL },
		{ TDX, "{\"td_quote_body\":{\"minimum_tee_tcb_svn\":\"AgAAAAAAAAAAAAAAAAAAAA==\"}}", MS_MISMATCH, NULL },
		{ TDX, "{\"td_quote_body\":{\"minimum_tee_tcb_svn\":\"AAAAAAAAAAAAAAAAAAAAEQ==\"}}", MS_MISMATCH, NULL },
		{ TDX, "{\"td_quote_body\":{\"tdattributes_debug\":false}}", MS_OK, NULL },
		{ TDX, "{\"td_quote_body\":{\"tdattributes_debug\":true}}", MS_MISMATCH, NULL },
		{ TDX, "{\"td_quote_body\":{\"td_attributes\":\"AAAAEAAAAAA=\",\"xfam\":\"5xoGAAAAAAA=\"}}", MS_OK, NULL },
		{ TDX, "{\"td_quote_body\":{\"td_attributes\":\"AAAAAAAAAAA=\"}}", MS_MISMATCH, NULL },
		{ TDX, "{\"policy\":{\"header_policy\":{\"minimum_qe_svn\":3},\"tdQuoteBodyPolicy\":{\"tdattributesDebug\":false}}}", MS_OK, NULL },
		{ TDX, "{\"policy\":{\"header\":{\"minimum_qe_svn\":9}}}", MS_MISMATCH, NULL },
		/* a policy for the other platform is refused, not half-applied */
		{ TDX, "{\"policy\":{\"measurement\":\"AAAA\"}}", MS_UNSUPPORTED, "policy.measurement" },
		{ SNP_MILAN, "{\"td_quote_body\":{}}", MS_UNSUPPORTED, "td_quote_body" },
	};

	(void)state;
	snprintf(rt, sizeof(rt), "{\"td_quote_body\":{\"rtmrs\":[\"%s\",\"%s\",\"%s\",\"%s\"]}}", b48(0xa0), b48(0xa1),
		 b48(0xa2), b48(0xa3));
	snprintf(rtbad, sizeof(rtbad), "{\"td_quote_body\":{\"rtmrs\":[\"%s\",\"%s\",\"%s\",\"%s\"]}}", b48(0xa0),
		 b48(0xa1), b48(0xa3), b48(0xa2));
	snprintf(any, sizeof(any), "{\"td_quote_body\":{\"any_mr_td\":[\"%s\",\"%s\"]}}", b48(0), b48(0x36));
	snprintf(anybad, sizeof(anybad), "{\"td_quote_body\":{\"any_mr_td\":[\"%s\"]}}", b48(0x37));
	snprintf(body, sizeof(body), "{\"td_quote_body\":{\"mr_td\":\"%s\",\"mrSeam\":\"%s\",\"mr_owner\":\"%s\"}}", b48(0x36),
		 b48(0x16), b48(0xe8));
	expect_all(t, sizeof(t) / sizeof(t[0]));
}

/* Evidence whose report was not decoded, or that policies do not cover: refused, never a pass. */
static void undecoded_evidence(void **state)
{
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };
	cJSON *p = NULL;

	(void)state;
	assert_int_equal(ms_policy_parse("{\"policy\":{}}", 13, &p, &err), MS_OK);
	memset(&ev, 0, sizeof(ev));
	ev.type = MS_EVIDENCE_SNP;
	assert_int_equal(ms_policy_apply(p, &ev, &checks, &err), MS_UNSUPPORTED);
	ev.type = MS_EVIDENCE_TDX;
	assert_int_equal(ms_policy_apply(p, &ev, &checks, &err), MS_UNSUPPORTED);
	ev.type = MS_EVIDENCE_NITRO;
	assert_int_equal(ms_policy_apply(p, &ev, &checks, &err), MS_UNSUPPORTED);
	assert_int_equal(err.input, MS_INPUT_POLICY);
	assert_int_equal(checks.n, 0);
	cJSON_Delete(p);
}

/* The Cocos example against a forged Milan report: fails (pcr_values, values), never crashes or passes. */
static void cocos_example(void **state)
{
	char *path = test_path("MEASURE_VECTORS", "../shared/vectors", "snp/cocos/attestation_policy_sev-snp.json");
	uint8_t *text = NULL;
	size_t len;
	struct ms_err err = { 0 };
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	cJSON *p = NULL;

	(void)state;
	if (ms_file_load(path, 1 << 20, &text, &len, &err)) {
		free(path);
		skip();
	}
	assert_int_equal(ms_policy_parse((const char *)text, len, &p, &err), MS_OK);
	assert_int_equal(pe_snp_evidence(fx.report, MS_SNP_PRODUCT_MILAN, &ev), MS_OK);
	assert_int_equal(ms_policy_apply(p, &ev, &checks, &err), MS_MISMATCH);
	cJSON_Delete(p);
	ms_checks_free(&checks);
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(containers_type_checked), cmocka_unit_test(lenient_tree_still_checked),
		cmocka_unit_test(field_types_and_ranges),  cmocka_unit_test(unknown_fields),
		cmocka_unit_test(trailing_text_and_duplicates), cmocka_unit_test(root_of_trust_crl),
		cmocka_unit_test(wrapper_mixed_with_rules), cmocka_unit_test(pcr_values_without_vtpm),
		cmocka_unit_test(snp_rules),		   cmocka_unit_test(tdx_rules),
		cmocka_unit_test(undecoded_evidence),	   cmocka_unit_test(cocos_example),
	};

	pe_snp_bytes(fx.report);
	pe_tdx_bytes(fx.quote);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
