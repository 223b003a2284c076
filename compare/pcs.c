/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel PCS collateral: TCB Info v3 and QE Identity v2 bodies, read strictly, and
 * their signatures. Intel signs the bytes of the "tcbInfo" / "enclaveIdentity"
 * value exactly as the body carries them, so the value's span is located in the
 * body rather than serialised again.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "../common/chain.h"
#include "../common/digest.h"
#include "../common/ecdsa.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../common/rfc3339.h"
#include "../common/x509.h"
#include "tcb.h"

static const char *const status_names[MS_TCB_STATUS_COUNT] = {
	"UpToDate",  "SWHardeningNeeded",	    "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
	"OutOfDate", "OutOfDateConfigurationNeeded", "Revoked",
};

const char *ms_tcb_status_name(enum ms_tcb_status s)
{
	return (unsigned)s < MS_TCB_STATUS_COUNT ? status_names[s] : "unknown";
}

int ms_tcb_status_parse(const char *text, enum ms_tcb_status *out)
{
	for (unsigned i = 0; i < MS_TCB_STATUS_COUNT; i++)
		if (!strcmp(text, status_names[i])) {
			*out = (enum ms_tcb_status)i;
			return 0;
		}
	return -1;
}

/* One document being read: its name for messages and where errors go. */
struct reader {
	const char *what;
	struct ms_err *err;
};

static enum ms_status bad(const struct reader *r, const char *path, const char *problem)
{
	return ms_fail(r->err, MS_BAD_INPUT, "%s: %s: %s", r->what, path, problem);
}

/* Refuses a member not in names (NULL-terminated): a field this code does not read is never silently dropped. */
static enum ms_status only_keys(const struct reader *r, const cJSON *obj, const char *path, const char *const *names)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj) {
		const char *const *n = names;

		while (*n && strcmp(*n, m->string))
			n++;
		if (!*n)
			return ms_fail(r->err, MS_BAD_INPUT, "%s: %s: unknown field \"%.40s\"", r->what, path, m->string);
	}
	return MS_OK;
}

static const cJSON *member(const struct reader *r, const cJSON *obj, const char *path, const char *key, int type,
			   bool required, enum ms_status *st)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
	char full[128];

	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (!m) {
		if (required)
			*st = bad(r, full, "missing");
		return NULL;
	}
	if (!(m->type & type)) {
		*st = bad(r, full, type == cJSON_String ? "not a string" : type == cJSON_Number ? "not a number"
				   : type == cJSON_Object ? "not an object" : "not an array");
		return NULL;
	}
	return m;
}

static enum ms_status get_uint(const struct reader *r, const cJSON *obj, const char *path, const char *key,
			       uint64_t max, uint64_t *out)
{
	enum ms_status st = MS_OK;
	const cJSON *m = member(r, obj, path, key, cJSON_Number, true, &st);
	char full[128];

	if (!m)
		return st;
	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (!ms_json_u64(m, false, max, out)) {
		char problem[64];

		snprintf(problem, sizeof(problem), "not an integer from 0 to %llu", (unsigned long long)max);
		return bad(r, full, problem);
	}
	return MS_OK;
}

static enum ms_status get_hex(const struct reader *r, const cJSON *obj, const char *path, const char *key,
			      uint8_t *out, size_t n)
{
	enum ms_status st = MS_OK;
	const cJSON *m = member(r, obj, path, key, cJSON_String, true, &st);
	char full[128];

	if (!m)
		return st;
	snprintf(full, sizeof(full), "%s: %s.%s", r->what, path, key);
	/* no 0x here: PCS writes bare hex */
	if (!strncmp(m->valuestring, "0x", 2) || !strncmp(m->valuestring, "0X", 2))
		return ms_fail(r->err, MS_BAD_INPUT, "%s: not bare hex", full);
	return ms_hex_decode(m->valuestring, out, n, full, r->err);
}

static enum ms_status get_date(const struct reader *r, const cJSON *obj, const char *path, const char *key,
			       int64_t *out, char text[32])
{
	enum ms_status st = MS_OK;
	const cJSON *m = member(r, obj, path, key, cJSON_String, true, &st);
	char full[128];

	if (!m)
		return st;
	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (strlen(m->valuestring) >= 32 || ms_time_parse(m->valuestring, out) || m->valuestring[0] == '@')
		return bad(r, full, "not an RFC 3339 date-time");
	snprintf(text, 32, "%s", m->valuestring);
	return MS_OK;
}

static enum ms_status get_status(const struct reader *r, const cJSON *obj, const char *path,
				 enum ms_tcb_status *out)
{
	enum ms_status st = MS_OK;
	const cJSON *m = member(r, obj, path, "tcbStatus", cJSON_String, true, &st);
	char full[128];

	if (!m)
		return st;
	snprintf(full, sizeof(full), "%s.tcbStatus", path);
	if (ms_tcb_status_parse(m->valuestring, out))
		return ms_fail(r->err, MS_BAD_INPUT, "%s: %s: \"%.40s\" is not a TCB status Intel defines", r->what, full,
			       m->valuestring);
	return MS_OK;
}

/* tcbDate, tcbStatus and advisoryIDs of a level. */
static enum ms_status get_verdict(const struct reader *r, const cJSON *lvl, const char *path,
				  struct ms_tcb_verdict_level *v)
{
	enum ms_status st = MS_OK;
	const cJSON *adv, *a;
	char full[128];
	unsigned i = 0;

	if ((st = get_date(r, lvl, path, "tcbDate", &v->tcb_date, v->tcb_date_text)) ||
	    (st = get_status(r, lvl, path, &v->status)))
		return st;
	adv = member(r, lvl, path, "advisoryIDs", cJSON_Array, false, &st);
	if (st || !adv)
		return st;
	snprintf(full, sizeof(full), "%s.advisoryIDs", path);
	v->nadv = (unsigned)cJSON_GetArraySize(adv);
	if (v->nadv > MS_TCB_MAX_ADVISORIES)
		return bad(r, full, "more advisories than this reader takes (128)");
	if (v->nadv && !(v->adv = calloc(v->nadv, sizeof(*v->adv))))
		return ms_fail(r->err, MS_NO_MEMORY, "out of memory");
	cJSON_ArrayForEach(a, adv) {
		if (!cJSON_IsString(a) || !a->valuestring[0] || strlen(a->valuestring) >= MS_TCB_ADVISORY_LEN)
			return bad(r, full, "an advisory ID that is not a string of 1 to 31 characters");
		snprintf(v->adv[i++], MS_TCB_ADVISORY_LEN, "%s", a->valuestring);
	}
	return MS_OK;
}

/* A list of {tcb: {isvsvn}, tcbDate, tcbStatus, advisoryIDs} levels (QE identity, TDX module identities). */
static enum ms_status get_isv_levels(const struct reader *r, const cJSON *obj, const char *path,
				     struct ms_isv_level **out, unsigned *n)
{
	static const char *const level_keys[] = { "tcb", "tcbDate", "tcbStatus", "advisoryIDs", NULL };
	static const char *const tcb_keys[] = { "isvsvn", NULL };
	enum ms_status st = MS_OK;
	const cJSON *arr = member(r, obj, path, "tcbLevels", cJSON_Array, true, &st), *lvl;
	unsigned i = 0;

	if (!arr)
		return st;
	*n = (unsigned)cJSON_GetArraySize(arr);
	if (!*n || *n > MS_TCB_MAX_LEVELS)
		return ms_fail(r->err, MS_BAD_INPUT, "%s: %s.tcbLevels: %u levels (1 to %d)", r->what, path, *n,
			       MS_TCB_MAX_LEVELS);
	if (!(*out = calloc(*n, sizeof(**out))))
		return ms_fail(r->err, MS_NO_MEMORY, "out of memory");
	cJSON_ArrayForEach(lvl, arr) {
		char lp[96];
		const cJSON *tcb;
		uint64_t v;

		snprintf(lp, sizeof(lp), "%s.tcbLevels[%u]", path, i);
		if (!cJSON_IsObject(lvl))
			return bad(r, lp, "not an object");
		if ((st = only_keys(r, lvl, lp, level_keys)) || !(tcb = member(r, lvl, lp, "tcb", cJSON_Object, true, &st)))
			return st;
		{
			char tp[112];

			snprintf(tp, sizeof(tp), "%s.tcb", lp);
			if ((st = only_keys(r, tcb, tp, tcb_keys)) || (st = get_uint(r, tcb, tp, "isvsvn", 0xffff, &v)))
				return st;
		}
		(*out)[i].isvsvn = (uint16_t)v;
		if ((st = get_verdict(r, lvl, lp, &(*out)[i].v)))
			return st;
		i++;
	}
	return MS_OK;
}

static void free_isv_levels(struct ms_isv_level *l, unsigned n)
{
	for (unsigned i = 0; l && i < n; i++)
		free(l[i].v.adv);
	free(l);
}

/* 16 {svn, category?, type?} components. */
static enum ms_status get_components(const struct reader *r, const cJSON *tcb, const char *path, const char *key,
				     uint8_t out[16])
{
	static const char *const comp_keys[] = { "svn", "category", "type", NULL };
	enum ms_status st = MS_OK;
	const cJSON *arr = member(r, tcb, path, key, cJSON_Array, true, &st), *c;
	char full[128];
	unsigned i = 0;

	if (!arr)
		return st;
	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (cJSON_GetArraySize(arr) != 16)
		return bad(r, full, "not 16 components");
	cJSON_ArrayForEach(c, arr) {
		char cp[144];
		uint64_t v;
		const cJSON *s;

		snprintf(cp, sizeof(cp), "%s[%u]", full, i);
		if (!cJSON_IsObject(c))
			return bad(r, cp, "not an object");
		if ((st = only_keys(r, c, cp, comp_keys)) || (st = get_uint(r, c, cp, "svn", 255, &v)))
			return st;
		/* descriptive only, but typed */
		if ((s = cJSON_GetObjectItemCaseSensitive(c, "category")) && !cJSON_IsString(s))
			return bad(r, cp, "category is not a string");
		if ((s = cJSON_GetObjectItemCaseSensitive(c, "type")) && !cJSON_IsString(s))
			return bad(r, cp, "type is not a string");
		out[i++] = (uint8_t)v;
	}
	return MS_OK;
}

/*
 * The byte span of the top-level member `key` in a body the strict parser has already
 * accepted (so the grammar is known good): the value as Intel signed it.
 */
static bool value_span(const uint8_t *s, size_t len, const char *key, size_t *off, size_t *vlen)
{
	size_t i = 0, klen = strlen(key);

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i == len || s[i++] != '{')
		return false;
	for (;;) {
		size_t kstart, kend, vstart;
		int depth = 0;
		bool match;

		while (i < len && s[i] != '"')
			i++;
		if (i == len)
			return false;
		kstart = ++i;
		while (i < len && s[i] != '"')
			i += s[i] == '\\' ? 2 : 1;
		if (i >= len)
			return false;
		kend = i++;
		match = kend - kstart == klen && !memcmp(s + kstart, key, klen);
		while (i < len && s[i] != ':')
			i++;
		i++;
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		vstart = i;
		/* the value: strings skipped whole, brackets counted, ends at a ',' or '}' at depth 0 */
		for (; i < len; i++) {
			if (s[i] == '"') {
				for (i++; i < len && s[i] != '"'; i++)
					if (s[i] == '\\')
						i++;
			} else if (s[i] == '{' || s[i] == '[') {
				depth++;
			} else if (s[i] == '}' || s[i] == ']') {
				if (!depth)
					break;
				depth--;
			} else if (s[i] == ',' && !depth) {
				break;
			}
		}
		if (i >= len)
			return false;
		if (match) {
			size_t e = i;

			while (e > vstart && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
				e--;
			*off = vstart;
			*vlen = e - vstart;
			return true;
		}
		if (s[i] == '}')
			return false;
		i++;
	}
}

/* The envelope: {"<inner>": {...}, "signature": "<128 hex>"} and nothing else. */
static enum ms_status open_body(const struct reader *r, const uint8_t *body, size_t len, const char *inner,
				cJSON **root, const cJSON **obj, struct ms_collateral_common *c)
{
	const char *const keys[] = { inner, "signature", NULL };
	enum ms_status st;
	const cJSON *sig;

	if (len > MS_COLLATERAL_MAX_BYTES)
		return ms_fail(r->err, MS_BAD_INPUT, "%s: %zu bytes: larger than any PCS collateral (at most %u)", r->what,
			       len, MS_COLLATERAL_MAX_BYTES);
	if ((st = ms_json_parse_strict((const char *)body, len, r->what, root, r->err)))
		return st;
	if (!cJSON_IsObject(*root))
		return bad(r, "top level", "not a JSON object");
	if ((st = only_keys(r, *root, "top level", keys)))
		return st;
	if (!(*obj = member(r, *root, "top level", inner, cJSON_Object, true, &st)))
		return st;
	if (!(sig = member(r, *root, "top level", "signature", cJSON_String, true, &st)))
		return st;
	if (ms_hex_decode(sig->valuestring, c->signature, 64, "signature", NULL) || sig->valuestring[1] == 'x' ||
	    sig->valuestring[1] == 'X')
		return bad(r, "signature", "not 128 hex digits (r || s)");
	if (!value_span(body, len, inner, &c->signed_off, &c->signed_len))
		return bad(r, inner, "its bytes could not be located in the body");
	ms_sha256(body, len, c->sha256);
	return MS_OK;
}

/* id, version, issueDate, nextUpdate, tcbEvaluationDataNumber. */
static enum ms_status get_common(const struct reader *r, const cJSON *obj, const char *path, unsigned want_version,
				 const char *const *ids, struct ms_collateral_common *c)
{
	enum ms_status st = MS_OK;
	const cJSON *id = member(r, obj, path, "id", cJSON_String, true, &st);
	uint64_t v;
	char full[128];

	if (!id)
		return st;
	while (*ids && strcmp(*ids, id->valuestring))
		ids++;
	snprintf(full, sizeof(full), "%s.id", path);
	if (!*ids)
		return ms_fail(r->err, MS_UNSUPPORTED, "%s: %s: \"%.20s\" is not a kind this reader knows", r->what, full,
			       id->valuestring);
	snprintf(c->id, sizeof(c->id), "%s", id->valuestring);
	if ((st = get_uint(r, obj, path, "version", 1000, &v)))
		return st;
	if (v != want_version)
		return ms_fail(r->err, MS_UNSUPPORTED, "%s: %s.version: %llu is not supported (version %u is)", r->what, path,
			       (unsigned long long)v, want_version);
	c->version = (unsigned)v;
	if ((st = get_date(r, obj, path, "issueDate", &c->issue_date, c->issue_text)) ||
	    (st = get_date(r, obj, path, "nextUpdate", &c->next_update, c->next_text)) ||
	    (st = get_uint(r, obj, path, "tcbEvaluationDataNumber", UINT32_MAX, &c->eval_number)))
		return st;
	if (c->next_update < c->issue_date)
		return bad(r, path, "nextUpdate is before issueDate");
	return MS_OK;
}

static enum ms_status get_module_identities(const struct reader *r, const cJSON *obj, struct ms_tcb_info *t)
{
	static const char *const keys[] = { "id", "mrsigner", "attributes", "attributesMask", "tcbLevels", NULL };
	enum ms_status st = MS_OK;
	const cJSON *arr = member(r, obj, "tcbInfo", "tdxModuleIdentities", cJSON_Array, false, &st), *m;
	unsigned i = 0;

	if (!arr)
		return st;
	t->nmodules = (unsigned)cJSON_GetArraySize(arr);
	if (t->nmodules > MS_TCB_MAX_MODULES)
		return bad(r, "tcbInfo.tdxModuleIdentities", "more identities than this reader takes (32)");
	if (t->nmodules && !(t->modules = calloc(t->nmodules, sizeof(*t->modules))))
		return ms_fail(r->err, MS_NO_MEMORY, "out of memory");
	cJSON_ArrayForEach(m, arr) {
		struct ms_tdx_module_identity *d = &t->modules[i];
		char p[64];
		const cJSON *id;

		snprintf(p, sizeof(p), "tcbInfo.tdxModuleIdentities[%u]", i++);
		if (!cJSON_IsObject(m))
			return bad(r, p, "not an object");
		if ((st = only_keys(r, m, p, keys)) || !(id = member(r, m, p, "id", cJSON_String, true, &st)))
			return st;
		if (strlen(id->valuestring) >= sizeof(d->id))
			return bad(r, p, "id is too long");
		snprintf(d->id, sizeof(d->id), "%s", id->valuestring);
		if ((st = get_hex(r, m, p, "mrsigner", d->mrsigner, 48)) ||
		    (st = get_hex(r, m, p, "attributes", d->attributes, 8)) ||
		    (st = get_hex(r, m, p, "attributesMask", d->attributes_mask, 8)) ||
		    (st = get_isv_levels(r, m, p, &d->levels, &d->nlevels)))
			return st;
	}
	return MS_OK;
}

static enum ms_status get_tcb_levels(const struct reader *r, const cJSON *obj, struct ms_tcb_info *t, bool tdx)
{
	static const char *const level_keys[] = { "tcb", "tcbDate", "tcbStatus", "advisoryIDs", NULL };
	static const char *const tcb_keys[] = { "sgxtcbcomponents", "pcesvn", "tdxtcbcomponents", NULL };
	enum ms_status st = MS_OK;
	const cJSON *arr = member(r, obj, "tcbInfo", "tcbLevels", cJSON_Array, true, &st), *lvl;
	unsigned i = 0;

	if (!arr)
		return st;
	t->nlevels = (unsigned)cJSON_GetArraySize(arr);
	if (!t->nlevels || t->nlevels > MS_TCB_MAX_LEVELS)
		return ms_fail(r->err, MS_BAD_INPUT, "%s: tcbInfo.tcbLevels: %u levels (1 to %d)", r->what, t->nlevels,
			       MS_TCB_MAX_LEVELS);
	if (!(t->levels = calloc(t->nlevels, sizeof(*t->levels))))
		return ms_fail(r->err, MS_NO_MEMORY, "out of memory");
	cJSON_ArrayForEach(lvl, arr) {
		struct ms_tcb_level *l = &t->levels[i];
		char lp[48], tp[64];
		const cJSON *tcb;
		uint64_t v;

		snprintf(lp, sizeof(lp), "tcbInfo.tcbLevels[%u]", i++);
		snprintf(tp, sizeof(tp), "%s.tcb", lp);
		if (!cJSON_IsObject(lvl))
			return bad(r, lp, "not an object");
		if ((st = only_keys(r, lvl, lp, level_keys)) || !(tcb = member(r, lvl, lp, "tcb", cJSON_Object, true, &st)))
			return st;
		if ((st = only_keys(r, tcb, tp, tcb_keys)) || (st = get_components(r, tcb, tp, "sgxtcbcomponents", l->sgx_svn)) ||
		    (st = get_uint(r, tcb, tp, "pcesvn", 0xffff, &v)))
			return st;
		l->pcesvn = (uint16_t)v;
		if (tdx) {
			if ((st = get_components(r, tcb, tp, "tdxtcbcomponents", l->tdx_svn)))
				return st;
			l->has_tdx = true;
		} else if (cJSON_GetObjectItemCaseSensitive(tcb, "tdxtcbcomponents")) {
			return bad(r, tp, "tdxtcbcomponents in an SGX TCB info");
		}
		if ((st = get_verdict(r, lvl, lp, &l->v)))
			return st;
	}
	return MS_OK;
}

enum ms_status ms_tcb_info_parse(const uint8_t *body, size_t len, const char *what, struct ms_tcb_info **out,
				 struct ms_err *err)
{
	static const char *const ids[] = { "TDX", "SGX", NULL };
	static const char *const keys[] = { "id", "version", "issueDate", "nextUpdate", "fmspc", "pceId", "tcbType",
					    "tcbEvaluationDataNumber", "tdxModule", "tdxModuleIdentities", "tcbLevels", NULL };
	static const char *const module_keys[] = { "mrsigner", "attributes", "attributesMask", NULL };
	struct reader r = { what, err };
	struct ms_tcb_info *t = calloc(1, sizeof(*t));
	cJSON *root = NULL;
	const cJSON *obj, *mod;
	enum ms_status st;
	uint64_t v;
	bool tdx;

	*out = NULL;
	if (!t)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if ((st = open_body(&r, body, len, "tcbInfo", &root, &obj, &t->c)) || (st = only_keys(&r, obj, "tcbInfo", keys)) ||
	    (st = get_common(&r, obj, "tcbInfo", 3, ids, &t->c)))
		goto out;
	tdx = !strcmp(t->c.id, "TDX");
	if ((st = get_hex(&r, obj, "tcbInfo", "fmspc", t->fmspc, 6)) || (st = get_hex(&r, obj, "tcbInfo", "pceId", t->pce_id, 2)) ||
	    (st = get_uint(&r, obj, "tcbInfo", "tcbType", 1000, &v)))
		goto out;
	/* type 0 is the only comparison Intel defines: component by component */
	t->tcb_type = (unsigned)v;
	if (v != 0) {
		st = ms_fail(err, MS_UNSUPPORTED, "%s: tcbInfo.tcbType: %llu is not supported (0 is)", what, (unsigned long long)v);
		goto out;
	}
	if ((mod = member(&r, obj, "tcbInfo", "tdxModule", cJSON_Object, false, &st))) {
		if ((st = only_keys(&r, mod, "tcbInfo.tdxModule", module_keys)) ||
		    (st = get_hex(&r, mod, "tcbInfo.tdxModule", "mrsigner", t->module_mrsigner, 48)) ||
		    (st = get_hex(&r, mod, "tcbInfo.tdxModule", "attributes", t->module_attributes, 8)) ||
		    (st = get_hex(&r, mod, "tcbInfo.tdxModule", "attributesMask", t->module_attributes_mask, 8)))
			goto out;
		t->has_module = true;
	}
	if (st || (st = get_module_identities(&r, obj, t)))
		goto out;
	if (!tdx && (t->has_module || t->nmodules)) {
		st = bad(&r, "tcbInfo", "TDX module fields in an SGX TCB info");
		goto out;
	}
	if (tdx && !t->has_module) {
		st = bad(&r, "tcbInfo.tdxModule", "missing (a TDX TCB info names its module)");
		goto out;
	}
	st = get_tcb_levels(&r, obj, t, tdx);
out:
	cJSON_Delete(root);
	if (st)
		ms_tcb_info_free(t);
	else
		*out = t;
	return st;
}

void ms_tcb_info_free(struct ms_tcb_info *t)
{
	if (!t)
		return;
	for (unsigned i = 0; t->levels && i < t->nlevels; i++)
		free(t->levels[i].v.adv);
	free(t->levels);
	for (unsigned i = 0; t->modules && i < t->nmodules; i++)
		free_isv_levels(t->modules[i].levels, t->modules[i].nlevels);
	free(t->modules);
	free(t);
}

enum ms_status ms_qe_identity_parse(const uint8_t *body, size_t len, const char *what, struct ms_qe_identity **out,
				    struct ms_err *err)
{
	static const char *const ids[] = { "TD_QE", "QE", NULL };
	static const char *const keys[] = { "id", "version", "issueDate", "nextUpdate", "tcbEvaluationDataNumber",
					    "miscselect", "miscselectMask", "attributes", "attributesMask", "mrsigner",
					    "isvprodid", "tcbLevels", NULL };
	struct reader r = { what, err };
	struct ms_qe_identity *q = calloc(1, sizeof(*q));
	cJSON *root = NULL;
	const cJSON *obj;
	enum ms_status st;
	uint8_t be[4];
	uint64_t v;

	*out = NULL;
	if (!q)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if ((st = open_body(&r, body, len, "enclaveIdentity", &root, &obj, &q->c)) ||
	    (st = only_keys(&r, obj, "enclaveIdentity", keys)) || (st = get_common(&r, obj, "enclaveIdentity", 2, ids, &q->c)))
		goto out;
	/* MISCSELECT is written as the big-endian hex of the 32-bit value */
	if ((st = get_hex(&r, obj, "enclaveIdentity", "miscselect", be, 4)))
		goto out;
	q->miscselect = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
	if ((st = get_hex(&r, obj, "enclaveIdentity", "miscselectMask", be, 4)))
		goto out;
	q->miscselect_mask = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
	if ((st = get_hex(&r, obj, "enclaveIdentity", "attributes", q->attributes, 16)) ||
	    (st = get_hex(&r, obj, "enclaveIdentity", "attributesMask", q->attributes_mask, 16)) ||
	    (st = get_hex(&r, obj, "enclaveIdentity", "mrsigner", q->mrsigner, 32)) ||
	    (st = get_uint(&r, obj, "enclaveIdentity", "isvprodid", 0xffff, &v)))
		goto out;
	q->isvprodid = (uint16_t)v;
	st = get_isv_levels(&r, obj, "enclaveIdentity", &q->levels, &q->nlevels);
out:
	cJSON_Delete(root);
	if (st)
		ms_qe_identity_free(q);
	else
		*out = q;
	return st;
}

void ms_qe_identity_free(struct ms_qe_identity *q)
{
	if (!q)
		return;
	free_isv_levels(q->levels, q->nlevels);
	free(q);
}

static int hexval(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

enum ms_status ms_issuer_chain_parse(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) **out,
				     struct ms_err *err)
{
	uint8_t *dec;
	size_t n = 0;
	enum ms_status st;

	*out = NULL;
	if (len > MS_COLLATERAL_MAX_BYTES)
		return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes: too large for an issuer chain", what, len);
	if (!(dec = malloc(len + 1)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	/* URL-encoded (as in the HTTP header) or plain PEM, which holds no '%' */
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '%') {
			dec[n++] = buf[i];
			continue;
		}
		if (i + 2 >= len || hexval(buf[i + 1]) < 0 || hexval(buf[i + 2]) < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: a '%%' at offset 0x%zx is not followed by two hex digits", what, i);
			goto out;
		}
		dec[n++] = (uint8_t)(hexval(buf[i + 1]) << 4 | hexval(buf[i + 2]));
		i += 2;
	}
	st = ms_x509_parse_bundle(dec, n, what, out, err);
	if (!st && sk_X509_num(*out) < 1)
		st = ms_fail(err, MS_BAD_INPUT, "%s: no certificate", what);
out:
	free(dec);
	return st;
}

enum ms_status ms_collateral_verify(const struct ms_collateral_common *c, const uint8_t *body, STACK_OF(X509) *chain,
				    X509 *root, STACK_OF(X509_CRL) *crls, int64_t at, const char *what,
				    uint32_t *crls_used_mask, struct ms_err *err)
{
	struct ms_chain_result path = { 0 };
	X509 *leaf = sk_X509_value(chain, 0);
	char cn[128] = "";
	enum ms_status st;
	struct ms_chain_params cp = {
		.root = root, .untrusted = chain, .leaf = leaf, .crls = crls, .at = at, .what = "TCB signing chain",
	};

	*crls_used_mask = 0;
	if (!leaf)
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: the issuer chain holds no certificate", what);
	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof(cn));
	/* a PCK certificate chains to the same root: only the TCB signing key may sign collateral */
	if (strcmp(cn, "Intel SGX TCB Signing")) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "%s: the issuer chain's first certificate is \"%.60s\", not Intel SGX TCB Signing",
			     what, cn);
		goto out;
	}
	if ((st = ms_chain_verify(&cp, &path, err))) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		ms_fail(err, st, "%s: %s", what, msg);
		goto out;
	}
	*crls_used_mask = path.crls_used_mask;
	if (ms_ecdsa_verify_raw(X509_get0_pubkey(leaf), "SHA256", body + c->signed_off, c->signed_len, c->signature,
				c->signature + 32, 32, MS_ECDSA_BIG_ENDIAN)) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "%s: the signature does not verify with the Intel SGX TCB Signing key", what);
		goto out;
	}
	if (at > c->next_update) {
		char when[32];

		ms_format_time(at, when);
		st = ms_fail(err, MS_NO_COLLATERAL, "%s: stale: nextUpdate %s has passed at %s; newer collateral is needed",
			     what, c->next_text, when);
		goto out;
	}
out:
	ms_chain_result_free(&path);
	return st;
}

static void add_verdict(cJSON *o, const struct ms_tcb_verdict_level *v)
{
	cJSON *adv;

	cJSON_AddStringToObject(o, "tcb_date", v->tcb_date_text);
	cJSON_AddStringToObject(o, "tcb_status", ms_tcb_status_name(v->status));
	adv = cJSON_AddArrayToObject(o, "advisory_ids");
	for (unsigned i = 0; i < v->nadv; i++)
		cJSON_AddItemToArray(adv, cJSON_CreateString(v->adv[i]));
}

static void add_common(cJSON *o, const char *type, const struct ms_collateral_common *c)
{
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddNumberToObject(o, "version", c->version);
	cJSON_AddStringToObject(o, "issue_date", c->issue_text);
	cJSON_AddStringToObject(o, "next_update", c->next_text);
	cJSON_AddNumberToObject(o, "tcb_evaluation_data_number", (double)c->eval_number);
	ms_json_add_hex(o, "signature", c->signature, 64);
	cJSON_AddNumberToObject(o, "signed_offset", (double)c->signed_off);
	cJSON_AddNumberToObject(o, "signed_length", (double)c->signed_len);
	ms_json_add_hex(o, "sha256", c->sha256, 32);
}

static cJSON *isv_levels_json(const struct ms_isv_level *l, unsigned n)
{
	cJSON *arr = cJSON_CreateArray();

	for (unsigned i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "isvsvn", l[i].isvsvn);
		add_verdict(o, &l[i].v);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *ms_tcb_info_json(const struct ms_tcb_info *t)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	add_common(o, "intel tcb info", &t->c);
	ms_json_add_hex(o, "fmspc", t->fmspc, 6);
	ms_json_add_hex(o, "pce_id", t->pce_id, 2);
	cJSON_AddNumberToObject(o, "tcb_type", t->tcb_type);
	if (t->has_module) {
		cJSON *m = cJSON_AddObjectToObject(o, "tdx_module");

		ms_json_add_hex(m, "mrsigner", t->module_mrsigner, 48);
		ms_json_add_hex(m, "attributes", t->module_attributes, 8);
		ms_json_add_hex(m, "attributes_mask", t->module_attributes_mask, 8);
	}
	arr = cJSON_AddArrayToObject(o, "tdx_module_identities");
	for (unsigned i = 0; i < t->nmodules; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "id", t->modules[i].id);
		ms_json_add_hex(m, "mrsigner", t->modules[i].mrsigner, 48);
		ms_json_add_hex(m, "attributes", t->modules[i].attributes, 8);
		ms_json_add_hex(m, "attributes_mask", t->modules[i].attributes_mask, 8);
		cJSON_AddItemToObject(m, "tcb_levels", isv_levels_json(t->modules[i].levels, t->modules[i].nlevels));
		cJSON_AddItemToArray(arr, m);
	}
	arr = cJSON_AddArrayToObject(o, "tcb_levels");
	for (unsigned i = 0; i < t->nlevels; i++) {
		cJSON *l = cJSON_CreateObject();

		ms_json_add_hex(l, "sgx_svns", t->levels[i].sgx_svn, 16);
		cJSON_AddNumberToObject(l, "pcesvn", t->levels[i].pcesvn);
		if (t->levels[i].has_tdx)
			ms_json_add_hex(l, "tdx_svns", t->levels[i].tdx_svn, 16);
		add_verdict(l, &t->levels[i].v);
		cJSON_AddItemToArray(arr, l);
	}
	return o;
}

cJSON *ms_qe_identity_json(const struct ms_qe_identity *q)
{
	cJSON *o = cJSON_CreateObject();
	char hex[9];

	add_common(o, "intel qe identity", &q->c);
	snprintf(hex, sizeof(hex), "%08x", q->miscselect);
	cJSON_AddStringToObject(o, "miscselect", hex);
	snprintf(hex, sizeof(hex), "%08x", q->miscselect_mask);
	cJSON_AddStringToObject(o, "miscselect_mask", hex);
	ms_json_add_hex(o, "attributes", q->attributes, 16);
	ms_json_add_hex(o, "attributes_mask", q->attributes_mask, 16);
	ms_json_add_hex(o, "mrsigner", q->mrsigner, 32);
	cJSON_AddNumberToObject(o, "isvprodid", q->isvprodid);
	cJSON_AddItemToObject(o, "tcb_levels", isv_levels_json(q->levels, q->nlevels));
	return o;
}
