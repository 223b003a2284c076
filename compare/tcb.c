/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PCK certificate's SGX extension, read with OpenSSL's ASN.1 decoder, and the
 * TCB-status evaluation of a TDX quote against Intel's collateral, in the order and
 * with the status merging of Intel's Quote Verification Library.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../common/hex.h"
#include "../common/x509.h"
#include "tcb.h"
#include "evidence.h"

#define SGX_EXT_OID "1.2.840.113741.1.13.1"

/* A SEQUENCE decoded into its elements; every byte of der must belong to it. */
static STACK_OF(ASN1_TYPE) *sequence(const uint8_t *der, long len)
{
	const unsigned char *p = der;
	STACK_OF(ASN1_TYPE) *sk;

	if (len <= 0)
		return NULL;
	sk = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
	if (sk && p != der + len) {
		sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
		return NULL;
	}
	return sk;
}

/*
 * One {OID, value} pair: the OID's last arc under `parent` (the OID must be parent.N)
 * and the value. NULL when the element is not such a pair.
 */
static STACK_OF(ASN1_TYPE) *pair(const ASN1_TYPE *t, const char *parent, long *arc)
{
	STACK_OF(ASN1_TYPE) *kv;
	const ASN1_TYPE *k;
	char oid[80], *end;
	size_t plen = strlen(parent);

	if (t->type != V_ASN1_SEQUENCE || !(kv = sequence(t->value.sequence->data, t->value.sequence->length)))
		return NULL;
	k = sk_ASN1_TYPE_value(kv, 0);
	if (sk_ASN1_TYPE_num(kv) != 2 || k->type != V_ASN1_OBJECT ||
	    OBJ_obj2txt(oid, sizeof(oid), k->value.object, 1) <= 0 || strncmp(oid, parent, plen) || oid[plen] != '.' ||
	    oid[plen + 1] < '1' || oid[plen + 1] > '9') {
		sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
		return NULL;
	}
	*arc = strtol(oid + plen + 1, &end, 10);
	if (*end || *arc > 64) {
		sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
		return NULL;
	}
	return kv;
}

static bool get_int(const ASN1_TYPE *v, uint64_t max, uint64_t *out)
{
	return v->type == V_ASN1_INTEGER && ASN1_INTEGER_get_uint64(out, v->value.integer) == 1 && *out <= max;
}

static bool get_octets(const ASN1_TYPE *v, uint8_t *out, int n)
{
	if (v->type != V_ASN1_OCTET_STRING || v->value.octet_string->length != n)
		return false;
	memcpy(out, v->value.octet_string->data, (size_t)n);
	return true;
}

/* The TCB SEQUENCE: 16 component SVNs (.2.1-.2.16), PCESVN (.2.17), CPUSVN (.2.18). */
static enum ms_status tcb_seq(const ASN1_TYPE *v, struct ms_sgx_ext *out, struct ms_err *err)
{
	STACK_OF(ASN1_TYPE) *sk = NULL;
	uint32_t seen = 0;
	enum ms_status st = MS_OK;

	if (v->type != V_ASN1_SEQUENCE || !(sk = sequence(v->value.sequence->data, v->value.sequence->length))) {
		st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID ".2 (TCB) is not a SEQUENCE");
		goto out;
	}
	for (int i = 0; i < sk_ASN1_TYPE_num(sk); i++) {
		long arc;
		STACK_OF(ASN1_TYPE) *kv = pair(sk_ASN1_TYPE_value(sk, i), SGX_EXT_OID ".2", &arc);
		const ASN1_TYPE *val;
		uint64_t n;
		bool ok;

		if (!kv) {
			st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension TCB element %d is not an {OID " SGX_EXT_OID
						      ".2.N, value} pair", i);
			goto out;
		}
		val = sk_ASN1_TYPE_value(kv, 1);
		if (arc < 1 || arc > 18 || seen >> arc & 1) {
			ok = false;
		} else if (arc <= 16) {
			ok = get_int(val, 255, &n);
			out->comp_svn[arc - 1] = (uint8_t)n;
		} else if (arc == 17) {
			ok = get_int(val, 0xffff, &n);
			out->pcesvn = (uint16_t)n;
		} else {
			ok = get_octets(val, out->cpusvn, 16);
		}
		sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
		if (!ok) {
			st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID ".2.%ld: %s", arc,
				     arc < 1 || arc > 18 ? "not a TCB field" : seen >> arc & 1 ? "given twice"
				     : arc <= 16 ? "not an INTEGER 0-255" : arc == 17 ? "not an INTEGER 0-65535"
				     : "not a 16-byte OCTET STRING");
			goto out;
		}
		seen |= UINT32_C(1) << arc;
	}
	if (seen != 0x7fffe)
		st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID ".2 (TCB) lacks some of its 18 fields");
out:
	sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
	return st;
}

enum ms_status ms_sgx_ext_parse(const uint8_t *der, size_t len, struct ms_sgx_ext *out, struct ms_err *err)
{
	STACK_OF(ASN1_TYPE) *sk = NULL;
	uint32_t seen = 0;
	enum ms_status st = MS_OK;

	memset(out, 0, sizeof(*out));
	if (len > 1 << 16 || !(sk = sequence(der, (long)len))) {
		st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID " is not one DER SEQUENCE");
		goto out;
	}
	for (int i = 0; i < sk_ASN1_TYPE_num(sk); i++) {
		long arc;
		STACK_OF(ASN1_TYPE) *kv = pair(sk_ASN1_TYPE_value(sk, i), SGX_EXT_OID, &arc);
		const ASN1_TYPE *val;
		uint64_t n = 0;
		bool ok = true;

		if (!kv) {
			st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension element %d is not an {OID " SGX_EXT_OID
						      ".N, value} pair", i);
			goto out;
		}
		val = sk_ASN1_TYPE_value(kv, 1);
		if (arc <= 31 && seen >> arc & 1) {
			sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
			st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID ".%ld%s given twice", arc,
				     arc == 1 ? " (PPID)" : arc == 2 ? " (TCB)" : arc == 3 ? " (PCE-ID)" : arc == 4 ? " (FMSPC)"
				     : arc == 5 ? " (SGX Type)" : "");
			goto out;
		}
		switch (arc) {
		case 1: ok = get_octets(val, out->ppid, 16); break;
		case 2: st = tcb_seq(val, out, err); break;
		case 3: ok = get_octets(val, out->pce_id, 2); break;
		case 4: ok = get_octets(val, out->fmspc, 6); break;
		case 5:
			ok = val->type == V_ASN1_ENUMERATED && ASN1_ENUMERATED_get_int64((int64_t *)&n, val->value.enumerated) == 1 &&
			     n <= 2;
			out->sgx_type = (int)n;
			break;
		case 6: ok = get_octets(val, (uint8_t[16]){ 0 }, 16); break; /* platform instance ID: not evaluated */
		case 7: ok = val->type == V_ASN1_SEQUENCE; break;          /* platform configuration: not evaluated */
		default: break; /* a field Intel may add: it takes no part in the evaluation */
		}
		sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
		if (st)
			goto out;
		if (!ok) {
			st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension " SGX_EXT_OID ".%ld (%s) is malformed", arc,
				     arc == 1 ? "PPID, 16 bytes" : arc == 3 ? "PCE-ID, 2 bytes" : arc == 4 ? "FMSPC, 6 bytes"
				     : arc == 5 ? "SGX Type, ENUMERATED 0-2" : arc == 6 ? "Platform Instance ID, 16 bytes"
				     : "Configuration, a SEQUENCE");
			goto out;
		}
		if (arc <= 31)
			seen |= UINT32_C(1) << arc;
	}
	if ((seen & 0x3e) != 0x3e)
		st = ms_fail(err, MS_BAD_INPUT, "PCK certificate: SGX extension lacks %s",
			     !(seen & 2) ? "the PPID (.1)" : !(seen & 4) ? "the TCB (.2)" : !(seen & 8) ? "the PCE-ID (.3)"
			     : !(seen & 16) ? "the FMSPC (.4)" : "the SGX Type (.5)");
out:
	sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
	return st;
}

enum ms_status ms_sgx_ext_from_cert(X509 *cert, struct ms_sgx_ext *out, struct ms_err *err)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(SGX_EXT_OID, 1);
	int at, again;
	const ASN1_OCTET_STRING *v;
	enum ms_status st;

	if (!oid)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	at = X509_get_ext_by_OBJ(cert, oid, -1);
	again = at < 0 ? -1 : X509_get_ext_by_OBJ(cert, oid, at);
	ASN1_OBJECT_free(oid);
	if (at < 0)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate: no SGX extension (" SGX_EXT_OID ")");
	if (again >= 0)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate: the SGX extension (" SGX_EXT_OID ") appears twice");
	v = X509_EXTENSION_get_data(X509_get_ext(cert, at));
	st = ms_sgx_ext_parse(v->data, (size_t)v->length, out, err);
	return st;
}

/* The QVL's merge of a TCB level's status with a lesser component's (TDX module, QE). */
static enum ms_tcb_status converge(enum ms_tcb_status level, enum ms_tcb_status part)
{
	if (part == MS_TCB_OUT_OF_DATE) {
		if (level == MS_TCB_UP_TO_DATE || level == MS_TCB_SW_HARDENING_NEEDED)
			return MS_TCB_OUT_OF_DATE;
		if (level == MS_TCB_CONFIGURATION_NEEDED || level == MS_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
			return MS_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	}
	if (part == MS_TCB_REVOKED)
		return MS_TCB_REVOKED;
	return level;
}

static void take_level(struct ms_tcb_result *r, const struct ms_tcb_verdict_level *v)
{
	if (!r->tcb_date_text[0] || v->tcb_date < r->tcb_date) {
		r->tcb_date = v->tcb_date;
		snprintf(r->tcb_date_text, sizeof(r->tcb_date_text), "%s", v->tcb_date_text);
	}
	for (unsigned i = 0; i < v->nadv; i++) {
		unsigned k = 0;

		while (k < r->nadv && strcmp(r->adv[k], v->adv[i]))
			k++;
		if (k == r->nadv && r->nadv < MS_TCB_MAX_ADVISORIES)
			memcpy(r->adv[r->nadv++], v->adv[i], MS_TCB_ADVISORY_LEN);
	}
}

static bool sgx_reached(const struct ms_tcb_level *l, const struct ms_sgx_ext *pck)
{
	for (int k = 0; k < 16; k++)
		if (pck->comp_svn[k] < l->sgx_svn[k])
			return false;
	return pck->pcesvn >= l->pcesvn;
}

static bool tdx_reached(const struct ms_tcb_level *l, const uint8_t tee_tcb_svn[16])
{
	/* with a TDX module version (byte 1), bytes 0 and 1 are judged by the module identity instead */
	for (int k = tee_tcb_svn[1] > 0 ? 2 : 0; k < 16; k++)
		if (tee_tcb_svn[k] < l->tdx_svn[k])
			return false;
	return true;
}

/* >0 when level a sorts before b in the QVL's order (best first): SGX SVNs, PCESVN, TDX SVNs, compared lexicographically */
static int level_cmp(const struct ms_tcb_level *a, const struct ms_tcb_level *b)
{
	int c = memcmp(a->sgx_svn, b->sgx_svn, 16);

	if (c)
		return c;
	if (a->pcesvn != b->pcesvn)
		return a->pcesvn > b->pcesvn ? 1 : -1;
	return memcmp(a->tdx_svn, b->tdx_svn, 16);
}

/* The level indexes best first; a stable insertion sort, so equal levels keep their listed order. */
static void level_order(const struct ms_tcb_info *ti, unsigned order[MS_TCB_MAX_LEVELS])
{
	for (unsigned i = 0; i < ti->nlevels; i++) {
		unsigned k = i;

		while (k > 0 && level_cmp(&ti->levels[i], &ti->levels[order[k - 1]]) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
}

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	ms_hex_encode(b, n, out);
}

static enum ms_status tdx_module(const struct ms_tcb_info *ti, const struct ms_tdx_quote *q, struct ms_tcb_result *r,
				 struct ms_err *err)
{
	const uint8_t *mrsigner = ti->module_mrsigner, *attr = ti->module_attributes, *mask = ti->module_attributes_mask;
	const struct ms_tdx_module_identity *m = NULL;
	char want[16], a[97], b[97];

	r->module_status = MS_TCB_UP_TO_DATE;
	if (q->tee_tcb_svn[1] > 0) {
		snprintf(want, sizeof(want), "TDX_%02X", q->tee_tcb_svn[1]);
		for (unsigned i = 0; i < ti->nmodules && !m; i++)
			if (!strcasecmp(ti->modules[i].id, want))
				m = &ti->modules[i];
		if (!m)
			return ms_fail(err, MS_MISMATCH, "the TCB info has no TDX module identity %s (TEE_TCB_SVN[1] = %u)", want,
				       q->tee_tcb_svn[1]);
		mrsigner = m->mrsigner;
		attr = m->attributes;
		mask = m->attributes_mask;
	}
	if (memcmp(q->mr_signer_seam, mrsigner, 48)) {
		hex_of(mrsigner, 48, a);
		hex_of(q->mr_signer_seam, 48, b);
		return ms_fail(err, MS_BAD_SIGNATURE, "the TDX module is not the one the TCB info names: MRSIGNERSEAM %s, expected %s",
			       b, a);
	}
	for (int k = 0; k < 8; k++)
		if ((q->seam_attributes[k] & mask[k]) != attr[k]) {
			hex_of(q->seam_attributes, 8, a);
			return ms_fail(err, MS_BAD_SIGNATURE, "the TDX module's SEAMATTRIBUTES %s differ from the TCB info's under its mask", a);
		}
	if (!m)
		return MS_OK;
	r->module_checked = true;
	for (unsigned i = 0; i < m->nlevels; i++)
		if (q->tee_tcb_svn[0] >= m->levels[i].isvsvn) {
			enum ms_tcb_status s = m->levels[i].v.status;

			/* Intel's QVL takes only these three for a module level and fails on any other */
			if (s != MS_TCB_UP_TO_DATE && s != MS_TCB_OUT_OF_DATE && s != MS_TCB_REVOKED)
				return ms_fail(err, MS_UNSUPPORTED, "TDX module identity %s: tcbLevels[%u].tcbStatus %s is not a module status",
					       m->id, i, ms_tcb_status_name(s));
			r->module_status = s;
			take_level(r, &m->levels[i].v);
			return MS_OK;
		}
	return ms_fail(err, MS_MISMATCH, "no TCB level of TDX module identity %s covers its SVN %u (Intel: TCB not supported)",
		       m->id, q->tee_tcb_svn[0]);
}

static enum ms_status qe_identity(const struct ms_qe_identity *qi, const struct ms_sgx_report_body *qe, struct ms_tcb_result *r,
				  struct ms_err *err)
{
	char a[65], b[65];

	if (memcmp(qe->mr_signer, qi->mrsigner, 32)) {
		hex_of(qi->mrsigner, 32, a);
		hex_of(qe->mr_signer, 32, b);
		return ms_fail(err, MS_BAD_SIGNATURE, "the QE's MRSIGNER %s is not the QE identity's %s", b, a);
	}
	if (qe->isv_prod_id != qi->isvprodid)
		return ms_fail(err, MS_BAD_SIGNATURE, "the QE's ISVPRODID %u is not the QE identity's %u", qe->isv_prod_id,
			       qi->isvprodid);
	if ((qe->misc_select & qi->miscselect_mask) != qi->miscselect)
		return ms_fail(err, MS_BAD_SIGNATURE, "the QE's MISCSELECT 0x%08x under mask 0x%08x is not the QE identity's 0x%08x",
			       qe->misc_select, qi->miscselect_mask, qi->miscselect);
	for (int k = 0; k < 16; k++)
		if ((qe->attributes[k] & qi->attributes_mask[k]) != qi->attributes[k]) {
			hex_of(qe->attributes, 16, a);
			hex_of(qi->attributes, 16, b);
			return ms_fail(err, MS_BAD_SIGNATURE, "the QE's ATTRIBUTES %s under the mask are not the QE identity's %s", a, b);
		}
	for (unsigned i = 0; i < qi->nlevels; i++)
		if (qe->isv_svn >= qi->levels[i].isvsvn) {
			enum ms_tcb_status s = qi->levels[i].v.status;

			/* an enclave identity level is UpToDate, OutOfDate or Revoked */
			if (s != MS_TCB_UP_TO_DATE && s != MS_TCB_OUT_OF_DATE && s != MS_TCB_REVOKED)
				return ms_fail(err, MS_UNSUPPORTED, "QE identity: tcbLevels[%u].tcbStatus %s is not a QE status", i,
					       ms_tcb_status_name(s));
			r->qe_status = s;
			r->qe_level = i;
			take_level(r, &qi->levels[i].v);
			return MS_OK;
		}
	return ms_fail(err, MS_MISMATCH, "no level of the QE identity covers the QE's ISVSVN %u (Intel: TCB not supported)",
		       qe->isv_svn);
}

enum ms_status ms_tcb_evaluate_tdx(const struct ms_tcb_info *ti, const struct ms_qe_identity *qi,
				   const struct ms_tdx_quote *q, X509 *pck, struct ms_tcb_result *r, struct ms_err *err)
{
	enum ms_status st;
	unsigned i = 0, k, order[MS_TCB_MAX_LEVELS];
	bool have_sgx = false;
	char a[16], b[16];

	memset(r, 0, sizeof(*r));
	if (strcmp(ti->c.id, "TDX"))
		return ms_fail(err, MS_NO_COLLATERAL, "the TCB info is for %s: a TDX quote needs Intel's TDX TCB info", ti->c.id);
	if (strcmp(qi->c.id, "TD_QE"))
		return ms_fail(err, MS_NO_COLLATERAL, "the QE identity is for %s: a TDX quote needs the TD_QE identity", qi->c.id);
	if ((st = ms_sgx_ext_from_cert(pck, &r->pck, err)))
		return st;
	if (memcmp(r->pck.fmspc, ti->fmspc, 6)) {
		hex_of(ti->fmspc, 6, a);
		hex_of(r->pck.fmspc, 6, b);
		return ms_fail(err, MS_NO_COLLATERAL, "the TCB info is for FMSPC %s, the PCK certificate's is %s: the TCB info for %s is needed",
			       a, b, b);
	}
	if (memcmp(r->pck.pce_id, ti->pce_id, 2)) {
		hex_of(ti->pce_id, 2, a);
		hex_of(r->pck.pce_id, 2, b);
		return ms_fail(err, MS_NO_COLLATERAL, "the TCB info is for PCE ID %s, the PCK certificate's is %s", a, b);
	}
	/*
	 * the first level the platform reaches, in the QVL's order (a std::set sorted best first by
	 * SGX SVNs, then PCESVN, then TDX SVNs), not as listed; of equal levels the first listed
	 */
	level_order(ti, order);
	for (k = 0; k < ti->nlevels; k++) {
		i = order[k];
		if (!sgx_reached(&ti->levels[i], &r->pck))
			continue;
		if (!have_sgx) {
			have_sgx = true;
			r->sgx_level = i;
			r->platform_status = ti->levels[i].v.status;
		}
		if (tdx_reached(&ti->levels[i], q->tee_tcb_svn))
			break;
	}
	if (!have_sgx)
		return ms_fail(err, MS_MISMATCH, "no TCB level covers the PCK's SGX TCB (PCESVN %u; Intel: TCB not supported)",
			       r->pck.pcesvn);
	if (k == ti->nlevels)
		return ms_fail(err, MS_MISMATCH, "no TCB level covers the quote's TEE_TCB_SVN (Intel: TCB not supported)");
	r->tdx_level = i;
	take_level(r, &ti->levels[i].v);
	if ((st = tdx_module(ti, q, r, err)))
		return st;
	r->status = converge(ti->levels[i].v.status, r->module_status);
	if ((st = qe_identity(qi, &q->qe, r, err)))
		return st;
	r->status = converge(r->status, r->qe_status);
	return MS_OK;
}

enum ms_status ms_tcb_policy_apply(const struct ms_evidence *ev, const struct ms_tcb_policy *p, struct ms_checks *checks,
				   struct ms_err *err)
{
	uint32_t accept = p->accept_mask ? p->accept_mask : 1u << MS_TCB_UP_TO_DATE;
	char want[256] = "", found[MS_TCB_MAX_ADVISORIES * MS_TCB_ADVISORY_LEN + 128];
	bool ok;
	enum ms_status st = MS_OK;

	if (ev->type != MS_EVIDENCE_TDX) {
		if (!p->requested)
			return MS_OK;
		return ms_fail(err, MS_UNSUPPORTED, "a TCB status check from Intel collateral applies to TDX quotes, not %s",
			       ev->platform);
	}
	if (ev->tcb_state == MS_TCB_NOT_EVALUATED) {
		if (!p->requested)
			return MS_OK;
		return ms_err_input(err, MS_INPUT_COLLATERAL,
				    ms_fail(err, MS_NO_COLLATERAL, "a TCB check was asked for, and no TCB info and QE identity were given"));
	}
	for (unsigned i = 0; i < MS_TCB_STATUS_COUNT; i++)
		if (accept >> i & 1)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", want[0] ? " or " : "",
				 ms_tcb_status_name((enum ms_tcb_status)i));
	if (ev->tcb_state == MS_TCB_NO_LEVEL) {
		ms_check_add(checks, false, "TCB status", want, ev->tcb_why);
		return ms_fail(err, MS_MISMATCH, "TCB status: %s", ev->tcb_why);
	}
	ok = accept >> ev->tcb.status & 1;
	snprintf(found, sizeof(found), "%s (tcbDate %s", ms_tcb_status_name(ev->tcb.status), ev->tcb.tcb_date_text);
	for (unsigned i = 0; i < ev->tcb.nadv; i++)
		snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s%s", i ? " " : "; advisories ", ev->tcb.adv[i]);
	snprintf(found + strlen(found), sizeof(found) - strlen(found), ")");
	ms_check_add(checks, ok, "TCB status", want, found);
	if (!ok)
		st = ms_fail(err, MS_MISMATCH, "TCB status %s is not accepted", ms_tcb_status_name(ev->tcb.status));
	if (p->has_min_date) {
		char w[32];

		ms_format_time(p->min_date, w);
		snprintf(want, sizeof(want), "tcbDate at or after %s", w);
		ok = ev->tcb.tcb_date >= p->min_date;
		ms_check_add(checks, ok, "TCB date", want, ev->tcb.tcb_date_text);
		if (!ok && !st)
			st = ms_fail(err, MS_MISMATCH, "tcbDate %s is older than %s", ev->tcb.tcb_date_text, w);
	}
	return st;
}
