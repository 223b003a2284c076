/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FMSPC reader on PCK-like certificates made with openssl (fixtures/compare/README.md),
 * and what an evidence type needs.
 */
#include "../helpers.h"

#include <openssl/x509.h>

#include "../../compare/collateral.h"
#include "../../compare/tcb.h"

static X509 *load_cert(const char *rel)
{
	size_t len = 0;
	uint8_t *der = load_fixture(rel, &len);
	const unsigned char *p = der;
	X509 *c = d2i_X509(NULL, &p, (long)len);

	assert_non_null(c);
	free(der);
	return c;
}

static void fmspc(void **state)
{
	static const char *const bad[] = { "compare/synthetic-pck-fmspc-7bytes.der", "compare/synthetic-pck-fmspc-twice.der",
					   "compare/synthetic-pck-no-fmspc.der" };
	static const uint8_t want[6] = { 0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00 };
	uint8_t got[6];
	struct ms_err err = { 0 };
	X509 *c = load_cert("compare/synthetic-pck-fmspc.der");

	(void)state;
	assert_int_equal(ms_pck_fmspc(c, got, &err), MS_OK);
	assert_memory_equal(got, want, 6);
	{
		/* the rest of the extension as tests/make_pck_fixtures.sh wrote it with openssl */
		struct ms_sgx_ext ext;

		assert_int_equal(ms_sgx_ext_from_cert(c, &ext, &err), MS_OK);
		assert_memory_equal(ext.fmspc, want, 6);
		assert_int_equal(ext.pcesvn, 13);
		for (int i = 0; i < 16; i++)
			assert_int_equal(ext.comp_svn[i], i + 1);
		assert_int_equal(ext.sgx_type, 0);
	}
	X509_free(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ms_sgx_ext ext;
		struct ms_err tcb_err = { 0 };

		c = load_cert(bad[i]);
		if (ms_pck_fmspc(c, got, &err) != MS_BAD_INPUT)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(strstr(err.msg, "FMSPC"));
		/* fetching and the TCB evaluation read the extension alike: the same refusal */
		assert_int_equal(ms_sgx_ext_from_cert(c, &ext, &tcb_err), MS_BAD_INPUT);
		assert_string_equal(err.msg, tcb_err.msg);
		X509_free(c);
	}
	/* a certificate with no SGX extension at all */
	c = load_cert("compare/synthetic-pck-fmspc.der");
	{
		ASN1_OBJECT *sgx = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
		int at = X509_get_ext_by_OBJ(c, sgx, -1);

		assert_true(at >= 0);
		X509_EXTENSION_free(X509_delete_ext(c, at));
		ASN1_OBJECT_free(sgx);
	}
	assert_int_equal(ms_pck_fmspc(c, got, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "no SGX extension"));
	X509_free(c);
}

static void nitro_needs_nothing(void **state)
{
	struct ms_collateral_need need;
	struct ms_err err = { 0 };

	(void)state;
	assert_int_equal(ms_collateral_need((const uint8_t *)"", 0, MS_EVIDENCE_NITRO, MS_SNP_PRODUCT_UNKNOWN, &need, &err),
			 MS_OK);
	assert_int_equal(need.n, 0);
	assert_int_equal(ms_collateral_need((const uint8_t *)"x", 1, MS_EVIDENCE_SNP, MS_SNP_PRODUCT_MILAN, &need, &err),
			 MS_BAD_INPUT);
	assert_int_equal(ms_collateral_need((const uint8_t *)"x", 1, MS_EVIDENCE_TDX, MS_SNP_PRODUCT_UNKNOWN, &need, &err),
			 MS_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmspc),
		cmocka_unit_test(nitro_needs_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
