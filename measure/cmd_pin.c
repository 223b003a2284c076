/* SPDX-License-Identifier: Apache-2.0 */
/* measure pin add|check|update|show|list|destroy|export: first-use pins held against recomputed values. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../common/digest.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../common/text.h"
#include "../common/x509.h"
#include "../pin/policy.h"
#include "../pin/sign.h"
#include "cli.h"
#include "cmd_pin.h"
#include "verify_opts.h"

#define MAX_MANIFEST (1u << 20)
#define MAX_KEY (64u << 10)
#define MAX_REASON 4096

static const char pin_help[] =
	"Usage: measure pin add DEPLOY --expected MANIFEST --evidence FILE [options]\n"
	"       measure pin check DEPLOY --evidence FILE [options]\n"
	"       measure pin update DEPLOY --expected NEW --evidence FILE --reason TEXT [--signed-by KEY]\n"
	"       measure pin show DEPLOY [--json]\n"
	"       measure pin list [--json]\n"
	"       measure pin destroy DEPLOY [--reason TEXT]\n"
	"       measure pin export DEPLOY --format env|json [--env-prefix PREFIX]\n"
	"       measure pin policy DEPLOY|--store-wide [--require-signed-updates|--allow-unsigned-updates\n"
	"                          --operator-key PUB.pem ... [--signed-by KEY] [--reason TEXT]]\n"
	"       measure pin log verify|checkpoint|prove|check-proof|export ...\n"
	"\n"
	"First-use pins that must match values recomputed from the artifacts. Each verb is one\n"
	"transaction on the store; every add, check, update and destroy is an entry of a\n"
	"transparency log (RFC 9162 Merkle tree) that 'measure pin log' verifies and proves.\n"
	"'measure pin VERB --help' describes a verb.\n"
	"\n"
	"Store: --store PATH, sqlite:PATH or postgresql://...; by default\n"
	"$XDG_STATE_HOME/measure/pins.db (else ~/.local/state/measure/pins.db).\n"
	"\n"
	"Exit codes: 0 ok, 1 drift, mismatch or refused (already pinned, destroyed, an update or\n"
	"policy the policy in force does not allow, log not intact), 2 usage, bad input or store unavailable, 3 signature or chain,\n"
	"4 collateral missing, 5 unsupported (also a store of a newer schema version).\n";

static const char add_help[] =
	"Usage: measure pin add DEPLOY --expected MANIFEST --evidence FILE [options]\n"
	"\n"
	"Verifies the evidence exactly as 'measure compare' does and pins the deployment only when\n"
	"it matches MANIFEST (from 'measure eif|snp|tdx --json'). A deployment is pinned once:\n"
	"a second add is refused (exit 1); use 'pin update' for an authorized change.\n"
	"\n"
	"Options:\n"
	"      --store URI           the pin store (see 'measure pin --help')\n"
	"      --expected FILE       the measure/v1 manifest of recomputed values\n"
	"      --evidence FILE       the attestation (Nitro document, SNP report, TDX quote)\n"
	"Signed updates are required by 'measure pin policy', a log entry.\n";

static const char check_help[] =
	"Usage: measure pin check DEPLOY --evidence FILE [options]\n"
	"\n"
	"Verifies the evidence as 'measure compare' does and compares it with the pin. Equal: a\n"
	"'verified' entry, exit 0. Genuine but different: a 'drift' entry, the deployment is marked\n"
	"drifted, the differing values are shown, exit 1. Evidence that fails verification (or a\n"
	"nonce or debug check): a 'rejected' entry and compare's exit code.\n"
	"\n"
	"Options:\n"
	"      --store URI           the pin store\n"
	"      --evidence FILE       the attestation\n";

static const char update_help[] =
	"Usage: measure pin update DEPLOY --expected NEW --evidence FILE --reason TEXT [--signed-by KEY]\n"
	"\n"
	"The authorized change of a pin (a new image): the evidence must verify and match NEW. The\n"
	"old pin stays in the log. --signed-by KEY (an Ed25519 or P-256 private key, PEM) signs the\n"
	"canonical update entry, which names the deployment, the new manifest's and the evidence's\n"
	"SHA-256, the pin it replaces and the root of the log it is appended to (previous_root), so\n"
	"the signature fits nowhere else. Under a policy ('measure pin policy') that requires signed\n"
	"updates, an unsigned update, or one signed by a key the policy does not list, is refused\n"
	"(exit 1) before anything is written, and 'pin log verify' fails on one written behind\n"
	"measure's back.\n"
	"\n"
	"Options:\n"
	"      --store URI           the pin store\n"
	"      --expected FILE       the new manifest\n"
	"      --evidence FILE       evidence of the updated deployment\n"
	"      --reason TEXT         why (recorded in the log; required)\n"
	"      --signed-by KEY       the operator's private key (PEM)\n";

static const char policy_help[] =
	"Usage: measure pin policy DEPLOY|--store-wide [--store URI] [--json]\n"
	"       measure pin policy DEPLOY|--store-wide --require-signed-updates --operator-key PUB.pem ...\n"
	"                          [--signed-by KEY] [--reason TEXT]\n"
	"       measure pin policy DEPLOY|--store-wide --allow-unsigned-updates [--operator-key PUB.pem ...]\n"
	"                          [--signed-by KEY] [--reason TEXT]\n"
	"\n"
	"Without a rule option, prints the update policy in force. With one, appends a 'policy' entry\n"
	"to the log that states the whole policy of the store (--store-wide) or of one deployment:\n"
	"whether updates must be signed and by which operator keys (Ed25519 or P-256 public keys,\n"
	"PEM). The store-wide policy is a floor under a deployment's own: an update or destroy must\n"
	"be signed when either requires it, by a key both accept (a policy listing no key accepts\n"
	"any). Loosening or tightening is itself an entry: while a policy requires signed updates, a\n"
	"new policy of its scope must be signed (--signed-by) by one of its operator keys (a\n"
	"deployment's policy by a store-wide key when the store-wide policy requires signatures,\n"
	"which lets its operators replace it); a policy that requires\n"
	"signed updates must be signed by one of its own keys too. 'pin log verify' replays every\n"
	"policy: an update or policy entry the policy in force did not allow fails the log.\n"
	"\n"
	"Options:\n"
	"      --store URI           the pin store\n"
	"      --store-wide          the policy of every deployment without its own\n"
	"      --require-signed-updates  updates (and later policies) must be signed by an operator key\n"
	"      --allow-unsigned-updates  updates may be unsigned; signed ones still need a listed key\n"
	"      --operator-key FILE   an operator's public key (PEM); repeat for more (at most 32)\n"
	"      --signed-by KEY       the private key (PEM) that signs this policy entry\n"
	"      --reason TEXT         why (recorded in the log)\n"
	"      --restate-legacy      convert an older store's signed-update settings row into the first\n"
	"                            store-wide policy (the operator runs it; refused without it)\n";

static const char show_help[] =
	"Usage: measure pin show DEPLOY [--store URI] [--json]\n"
	"\n"
	"The deployment, its platform and state (pinned, drifted, destroyed), each pinned value and\n"
	"when it was first pinned, counts of verified, mismatched and rejected checks, the last\n"
	"check and the timeline of log entries.\n";

static const char list_help[] =
	"Usage: measure pin list [--store URI] [--json]\n\nEvery deployment with its platform, state and last change.\n";

static const char destroy_help[] =
	"Usage: measure pin destroy DEPLOY [--store URI] [--reason TEXT] [--signed-by KEY]\n"
	"\n"
	"Writes a final 'destroy' entry; later checks, updates and exports are refused (exit 1).\n"
	"A destroy stands under the update policy like an update: when the store-wide or the\n"
	"deployment's policy requires signed updates it must be signed (--signed-by) by a key\n"
	"both accept, or it is refused (exit 1).\n";

static const char export_help[] =
	"Usage: measure pin export DEPLOY --format env|json [--env-prefix PREFIX] [--store URI]\n"
	"\n"
	"--format env prints the pinned values as KEY=VALUE lines (PREFIX defaults to\n"
	"EPHEMERALML_EXPECTED_: EPHEMERALML_EXPECTED_PCR0=...); --format json prints the pinned\n"
	"manifest.\n";

enum {
	A_STORE = 1 << 0, A_EXPECTED = 1 << 1, A_EVIDENCE = 1 << 2, A_REASON = 1 << 3, A_SIGNED = 1 << 4,
	A_FORMAT = 1 << 5, A_PREFIX = 1 << 6, A_REQUIRE = 1 << 7, A_VERIFY = 1 << 8, A_JSON = 1 << 9,
	A_POLICY = 1 << 10, /* --store-wide, --operator-key, --allow-unsigned-updates, --restate-legacy */
};

#define MAX_OPERATOR_KEYS 32

struct pin_args {
	const char *verb;  /* "pin add" */
	const char *deploy, *store, *expected, *evidence, *reason, *signed_by, *format, *prefix;
	bool json, quiet, require_signed, allow_unsigned, store_wide, restate_legacy;
	const char *operator_keys[MAX_OPERATOR_KEYS];
	size_t noperator_keys;
	struct verify_opts v;
};

static void now_rfc3339(char out[32])
{
	ms_format_time((int64_t)time(NULL), out);
}

int pin_store_fail(const char *verb, const struct ms_err *err)
{
	fprintf(stderr, "measure: %s: %s\n", verb, err->msg);
	return ms_exit_code(err->status);
}

/* mkdir -p of the directory part of path. */
static int make_parent(const char *verb, const char *path)
{
	char *dir = strdup(path);
	int rc = 0;

	if (!dir)
		return 2;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			fprintf(stderr, "measure: %s: cannot create %s: %s\n", verb, dir, strerror(errno));
			rc = 2;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

int pin_store_open(const char *verb, const char *uri, bool create, struct ms_store **s)
{
	struct ms_err err = { 0 };
	char *path = NULL;
	int rc;

	if (!uri) {
		const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

		if (state && *state == '/')
			rc = asprintf(&path, "%s/measure/pins.db", state);
		else if (home && *home)
			rc = asprintf(&path, "%s/.local/state/measure/pins.db", home);
		else
			return cli_usage(verb, "no --store, and neither XDG_STATE_HOME nor HOME is set");
		if (rc < 0)
			return 2;
		if (create && (rc = make_parent(verb, path))) {
			free(path);
			return rc;
		}
		uri = path;
	}
	rc = ms_store_open(uri, create, s, &err) ? pin_store_fail(verb, &err) : 0;
	free(path);
	return rc;
}

/* want_deploy: 0 no DEPLOY, 1 DEPLOY required, 2 DEPLOY or --store-wide (pin policy) */
static int parse_args(const char *verb, unsigned allowed, int want_deploy, const char *help, int argc, char **argv,
		      struct pin_args *a)
{
	enum { O_STORE = 300, O_EXPECTED, O_EVIDENCE, O_REASON, O_SIGNED, O_FORMAT, O_PREFIX, O_REQUIRE, O_STORE_WIDE,
	       O_OPERATOR_KEY, O_ALLOW_UNSIGNED, O_RESTATE_LEGACY };
	static const struct option options[] = {
		{ "store", required_argument, NULL, O_STORE },
		{ "expected", required_argument, NULL, O_EXPECTED },
		{ "evidence", required_argument, NULL, O_EVIDENCE },
		{ "reason", required_argument, NULL, O_REASON },
		{ "signed-by", required_argument, NULL, O_SIGNED },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "env-prefix", required_argument, NULL, O_PREFIX },
		{ "require-signed-updates", no_argument, NULL, O_REQUIRE },
		{ "allow-unsigned-updates", no_argument, NULL, O_ALLOW_UNSIGNED },
		{ "store-wide", no_argument, NULL, O_STORE_WIDE },
		{ "restate-legacy", no_argument, NULL, O_RESTATE_LEGACY },
		{ "operator-key", required_argument, NULL, O_OPERATOR_KEY },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		VERIFY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int opt;
		unsigned bit;
		const char *name;
	} bits[] = {
		{ O_STORE, A_STORE, "--store" },	  { O_EXPECTED, A_EXPECTED, "--expected" },
		{ O_EVIDENCE, A_EVIDENCE, "--evidence" }, { O_REASON, A_REASON, "--reason" },
		{ O_SIGNED, A_SIGNED, "--signed-by" },	  { O_FORMAT, A_FORMAT, "--format" },
		{ O_PREFIX, A_PREFIX, "--env-prefix" },	  { O_REQUIRE, A_REQUIRE, "--require-signed-updates" },
		{ 'j', A_JSON, "--json" },		  { O_STORE_WIDE, A_POLICY, "--store-wide" },
		{ O_OPERATOR_KEY, A_POLICY, "--operator-key" }, { O_ALLOW_UNSIGNED, A_POLICY, "--allow-unsigned-updates" },
		{ O_RESTATE_LEGACY, A_POLICY, "--restate-legacy" },
	};
	int opt, rc;

	memset(a, 0, sizeof(*a));
	a->verb = verb;
	verify_opts_init(&a->v, verb);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		if (opt == O_REQUIRE && !(allowed & A_REQUIRE))
			return cli_usage(verb, "--require-signed-updates is a log entry now: 'measure pin policy DEPLOY|--store-wide "
					       "--require-signed-updates --operator-key PUB.pem --signed-by KEY'");
		for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (bits[i].opt == opt && !(allowed & bits[i].bit))
				return cli_usage(verb, "%s does not apply here", bits[i].name);
		if (opt >= VOPT_TYPE && opt <= VOPT_REQUIRE_TCB && !(allowed & A_VERIFY))
			return cli_usage(verb, "'%s' does not apply here", argv[optind - 1]);
		switch (opt) {
		case O_STORE: a->store = optarg; break;
		case O_EXPECTED: a->expected = optarg; break;
		case O_EVIDENCE: a->evidence = optarg; break;
		case O_REASON: a->reason = optarg; break;
		case O_SIGNED: a->signed_by = optarg; break;
		case O_FORMAT: a->format = optarg; break;
		case O_PREFIX: a->prefix = optarg; break;
		case O_REQUIRE: a->require_signed = true; break;
		case O_ALLOW_UNSIGNED: a->allow_unsigned = true; break;
		case O_STORE_WIDE: a->store_wide = true; break;
		case O_RESTATE_LEGACY: a->restate_legacy = true; break;
		case O_OPERATOR_KEY:
			if (a->noperator_keys == MAX_OPERATOR_KEYS)
				return cli_usage(verb, "at most %d --operator-key", MAX_OPERATOR_KEYS);
			a->operator_keys[a->noperator_keys++] = optarg;
			break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'h':
			fputs(help, stdout);
			if (allowed & A_VERIFY) /* the options compare takes, shared in verify_opts.c */
				fputs(verify_opts_help, stdout);
			return -1;
		default:
			if ((rc = verify_opts_parse(&a->v, opt, optarg)) >= 0) {
				if (rc)
					return rc;
				break;
			}
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (want_deploy == 2 && a->store_wide) {
		want_deploy = 0;
	} else if (want_deploy) {
		if (optind >= argc)
			return cli_usage(verb, want_deploy == 2 ? "give the deployment name or --store-wide"
								: "give the deployment name");
		a->deploy = argv[optind++];
		if (!ms_pin_name_valid(a->deploy))
			return cli_usage(verb, "deployment name '%.64s': 1 to %d printable ASCII characters, no space, '/' or "
					       "'\\', not starting with '-', not digits only", a->deploy, MS_PIN_NAME_MAX);
	}
	if (optind < argc)
		return cli_usage(verb, "unexpected argument '%.64s'", argv[optind]);
	if (a->reason && (strlen(a->reason) > MAX_REASON || !*a->reason))
		return cli_usage(verb, "--reason: 1 to %d bytes", MAX_REASON);
	for (const char *r = a->reason; r && *r; r++)
		if ((unsigned char)*r < 0x20 || *r == 0x7f) /* a newline or an escape would forge lines of 'pin show' */
			return cli_usage(verb, "--reason: no control characters (newlines, escapes)");
	return 0;
}

/* --- manifests and evidence ---------------------------------------------------------------------- */

struct manifest {
	struct ms_expected x;
	cJSON *json;           /* as parsed (strict) */
	uint8_t sha256[32];    /* of the file as given */
};

static int load_manifest(const struct pin_args *a, const char *path, struct manifest *m)
{
	struct ms_err err = { 0 };
	uint8_t *buf = NULL;
	size_t len;
	int rc = 2;

	memset(m, 0, sizeof(*m));
	if (ms_file_load(path, MAX_MANIFEST, &buf, &len, &err) ||
	    ms_expected_parse((const char *)buf, len, &m->x, &err)) {
		rc = cli_fail(a->verb, path, &err);
		goto out;
	}
	if (m->x.source != MS_EXPECTED_MANIFEST) {
		fprintf(stderr, "measure: %s: %s: a pin needs a measure/v1 manifest ('measure eif|snp|tdx --json')\n", a->verb,
			path);
		goto out;
	}
	if (m->x.observed) {
		fprintf(stderr, "measure: %s: %s: an observed allow-list (\"observed\": true) is not recomputed values: a pin "
				"needs a manifest from 'measure eif|snp|tdx --json'\n", a->verb, path);
		goto out;
	}
	if (ms_expected_require_launch(&m->x, a->v.mo.allow_partial, &err)) {
		fprintf(stderr, "measure: %s: %s: %s (--allow-partial)\n", a->verb, path, err.msg);
		goto out;
	}
	if (ms_json_parse_strict((const char *)buf, len, "manifest", &m->json, &err)) {
		rc = cli_fail(a->verb, path, &err);
		goto out;
	}
	ms_sha256(buf, len, m->sha256);
	rc = 0;
out:
	free(buf);
	return rc;
}

static int load_evidence_file(const struct pin_args *a, struct verify_result *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = evidence_load(a->verb, a->evidence, a->v.forced, &r->e)))
		return rc;
	return verify_opts_fit(&a->v, a->evidence, r->e.type);
}

static const char *verdict_name(const struct verify_result *r)
{
	if (!r->verified)
		return "not verified";
	return r->status == MS_OK ? "match" : r->status == MS_MISMATCH ? "mismatch" : "not compared";
}

/* What the evidence said and how it was judged, into an entry. */
static void add_result(cJSON *e, const struct pin_args *a, const struct verify_result *r)
{
	cJSON *res = cJSON_AddObjectToObject(e, "result"), *diff, *m, *rc;
	uint8_t sha[32];
	char when[32];

	ms_sha256(r->e.data, r->e.len, sha);
	ms_json_add_hex(e, "evidence_sha256", sha, 32);
	cJSON_AddStringToObject(e, "evidence_type", ms_evidence_type_name(r->e.type));
	cJSON_AddStringToObject(res, "verdict", verdict_name(r));
	cJSON_AddNumberToObject(res, "exit_code", ms_exit_code(r->status));
	if (r->err.msg[0])
		cJSON_AddStringToObject(res, "error", r->err.msg);
	diff = cJSON_AddArrayToObject(res, "differs");
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct ms_check *k = &r->checks.v[i];
		cJSON *d;

		if (k->state != MS_CHECK_FAIL)
			continue;
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "what", k->what);
		cJSON_AddStringToObject(d, "expected", k->expected);
		cJSON_AddStringToObject(d, "found", k->found);
		cJSON_AddItemToArray(diff, d);
	}
	if (!r->verified)
		return;
	m = cJSON_AddObjectToObject(e, "measurements");
	for (unsigned i = 0; i < r->ev.nm; i++)
		ms_json_add_hex(m, r->ev.m[i].name, r->ev.m[i].value, r->ev.m[i].len);
	rc = cJSON_AddObjectToObject(e, "receipt");
	ms_format_time(r->ev.checked_at ? r->ev.checked_at : a->v.vo.at, when);
	cJSON_AddStringToObject(rc, "certificates_checked_at", when);
	cJSON_AddStringToObject(rc, "signed_by", r->ev.signed_by);
	if (r->ev.has_timestamp) {
		ms_format_time(r->ev.timestamp, when);
		cJSON_AddStringToObject(rc, "signed_at", when);
	}
	cJSON_AddBoolToObject(rc, "root_override", a->v.root_path != NULL);
}

static cJSON *entry_new(uint64_t seq, const char *when, const char *deploy, const char *kind, const char *platform)
{
	cJSON *e = cJSON_CreateObject();

	if (!e)
		return NULL;
	cJSON_AddStringToObject(e, "schema", MS_PIN_ENTRY_SCHEMA);
	cJSON_AddNumberToObject(e, "seq", (double)seq);
	cJSON_AddStringToObject(e, "time", when);
	cJSON_AddStringToObject(e, "deployment", deploy);
	cJSON_AddStringToObject(e, "kind", kind);
	cJSON_AddStringToObject(e, "platform", platform);
	return e;
}

static void add_manifest(cJSON *e, const struct manifest *m)
{
	const cJSON *meas = cJSON_GetObjectItemCaseSensitive(m->json, "measurements");

	cJSON_AddItemToObject(e, "manifest", cJSON_Duplicate(m->json, true));
	ms_json_add_hex(e, "manifest_sha256", m->sha256, 32);
	cJSON_AddItemToObject(e, "pinned", cJSON_Duplicate(meas, true));
}

/*
 * Appends entry j (canonicalized here) and writes the deployment row d (NULL:
 * none) that replaying the log gives. On success root is set.
 */
static int append(const struct pin_args *a, struct ms_store *s, cJSON *j, struct ms_deployment *d, uint8_t root[32])
{
	struct ms_entry e = { 0 };
	struct ms_err err = { 0 };
	char *text = ms_json_canonical(j);
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(j, "seq");
	int rc;

	if (!text) {
		fprintf(stderr, "measure: %s: out of memory\n", a->verb);
		return 2;
	}
	e.seq = (uint64_t)seq->valuedouble;
	snprintf(e.deployment, sizeof(e.deployment), "%s", cJSON_GetObjectItemCaseSensitive(j, "deployment")->valuestring);
	snprintf(e.kind, sizeof(e.kind), "%s", cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring);
	snprintf(e.time, sizeof(e.time), "%s", cJSON_GetObjectItemCaseSensitive(j, "time")->valuestring);
	e.json = text;
	if (d) /* a policy entry leaves the deployment row as it is */
		snprintf(d->updated, sizeof(d->updated), "%s", e.time);
	rc = ms_store_append(s, &e, root, &err) || (d && ms_store_deployment_put(s, d, &err)) ? pin_store_fail(a->verb, &err)
											    : 0;
	free(text);
	return rc;
}

/*
 * Opens the store (create: it may be made) and begins a transaction: a write
 * one also reads the size and root of the log the next entry is appended to.
 * Every verb ends with store_end, which rolls back whatever was not committed.
 */
static int store_begin(const struct pin_args *a, bool create, bool write, struct ms_store **s, uint64_t *seq,
		       uint8_t root[32])
{
	struct ms_err err = { 0 };
	int rc;

	if ((rc = pin_store_open(a->verb, a->store, create, s)))
		return rc;
	if (ms_store_begin(*s, write, &err) || (write && ms_store_size(*s, seq, root, &err)))
		return pin_store_fail(a->verb, &err);
	return 0;
}

static void store_end(struct ms_store *s)
{
	if (s)
		ms_store_rollback(s);
	ms_store_close(s);
}

/*
 * The gate of an update, destroy or policy entry j (scope: deployment, or the
 * store when deployment is NULL), before anything is written: j gets the root
 * of the log it is appended to (previous_root) and, with --signed-by, the
 * signature over all of it; then it must stand under the policies in force
 * exactly as 'pin log verify' will replay it (pin/policy.h). Before signing,
 * prev_root is recomputed from the entries in this transaction, so a tree
 * head row pointed at a fork is never signed. Exit 1 when refused.
 */
static int policy_gate(const struct pin_args *a, struct ms_store *s, const char *deployment, cJSON *j,
		       uint64_t seq, const uint8_t prev_root[32], const uint8_t *key, size_t key_len)
{
	struct ms_pin_policy store_wide, own;
	struct ms_err err = { 0 };
	char *legacy = NULL, *text = NULL;
	cJSON *sig = NULL;
	int rc = 2;

	if (ms_store_policies(s, deployment, &store_wide, &own, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (!store_wide.set && ms_store_setting_get(s, "require_signed_updates", &legacy, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	/*
	 * A store from before policies were logged may carry the rule as a settings
	 * row, which no one can audit and which never named the operators' keys:
	 * everything waits until the operator restates the rule as a store-wide
	 * policy entry (--restate-legacy: whoever runs it names the operator keys),
	 * and that entry may not loosen it.
	 */
	if (legacy && !strcmp(legacy, "1") && !store_wide.set) {
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "require_signed_updates");
		const char *restate = "restate it first, as the operator, with 'measure pin policy --store-wide "
				      "--require-signed-updates --operator-key PUB.pem --signed-by KEY --restate-legacy'";

		if (strcmp(cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring, "policy") || deployment ||
		    !cJSON_IsTrue(req)) {
			fprintf(stderr, "measure: %s: this store requires signed updates by a settings row from an older measure, "
					"which names no operator key: %s\n", a->verb, restate);
			rc = 1;
			goto out;
		}
		if (!a->restate_legacy) {
			fprintf(stderr, "measure: %s: refused: this store requires signed updates by a settings row from an older "
					"measure, which names no operator key; the first store-wide policy names them, so only "
					"the operator may write it: %s\n", a->verb, restate);
			rc = 1;
			goto out;
		}
	} else if (a->restate_legacy) {
		rc = cli_usage(a->verb, "--restate-legacy applies only to a store whose signed-update rule is still a "
				 "settings row from an older measure");
		goto out;
	}
	ms_json_add_hex(j, "previous_root", prev_root, 32);
	if (key) {
		uint8_t replayed[32];
		uint64_t size;

		if (ms_store_log_verify(s, 0, NULL, &size, replayed, &err)) {
			fprintf(stderr, "measure: %s: refused to sign: the log is not intact: %s\n", a->verb, err.msg);
			rc = err.status == MS_MISMATCH ? 1 : ms_exit_code(err.status);
			goto out;
		}
		if (size != seq || memcmp(replayed, prev_root, 32)) {
			fprintf(stderr, "measure: %s: refused to sign: the latest tree head (size %" PRIu64 ") is not the root "
					"the entries give (size %" PRIu64 "): the store was edited (run 'measure pin log "
					"verify')\n", a->verb, seq, size);
			rc = 1;
			goto out;
		}
		if (!(text = ms_json_canonical(j))) {
			fprintf(stderr, "measure: %s: out of memory\n", a->verb);
			goto out;
		}
		if (ms_pin_sign(text, strlen(text), key, key_len, &sig, &err)) {
			rc = cli_fail(a->verb, a->signed_by, &err);
			goto out;
		}
		cJSON_AddItemToObject(j, "signature", sig);
	}
	if (ms_pin_policy_check_entry(&store_wide, deployment ? &own : NULL, j, prev_root, &err)) {
		fprintf(stderr, "measure: %s: refused: %s\n", a->verb, err.msg);
		rc = err.status == MS_MISMATCH ? 1 : ms_exit_code(err.status);
		goto out;
	}
	rc = 0;
out:
	free(legacy);
	free(text);
	return rc;
}

static int commit(const struct pin_args *a, struct ms_store *s)
{
	struct ms_err err = { 0 };

	return ms_store_commit(s, &err) ? pin_store_fail(a->verb, &err) : 0;
}

/* The deployment, which must exist (2 otherwise) and, unless allow_destroyed, not be destroyed (1). */
static int get_deployment(const struct pin_args *a, struct ms_store *s, struct ms_deployment *d, bool allow_destroyed)
{
	struct ms_err err = { 0 };
	bool found;

	if (ms_store_deployment_get(s, a->deploy, d, &found, &err))
		return pin_store_fail(a->verb, &err);
	if (!found) {
		fprintf(stderr, "measure: %s: no deployment '%s' in the store (pin it with 'measure pin add')\n", a->verb,
			a->deploy);
		return 2;
	}
	if (!allow_destroyed && !strcmp(d->state, "destroyed")) {
		fprintf(stderr, "measure: %s: deployment '%s' was destroyed at %s: refused\n", a->verb, a->deploy,
			d->updated);
		return 1;
	}
	return 0;
}

/* The manifest of the pin entry: taken from the log, whose leaf hash must still match its text. */
static int pinned_manifest(const struct pin_args *a, struct ms_store *s, const struct ms_deployment *d,
			   struct manifest *m)
{
	struct ms_entry e;
	struct ms_err err = { 0 };
	uint8_t leaf[32];
	cJSON *j = NULL;
	const cJSON *mj, *sha;
	char *text = NULL;
	bool found;
	int rc = 2;

	memset(m, 0, sizeof(*m));
	if (ms_store_entry_get(s, d->pin_seq, &e, &found, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (found)
		ms_tlog_leaf_hash(e.json, strlen(e.json), leaf);
	/* the entry must be this deployment's add or update: deployments.pin_seq is not trusted to say so */
	if (!found || memcmp(leaf, e.leaf, 32) || strcmp(e.deployment, d->name) ||
	    (strcmp(e.kind, "add") && strcmp(e.kind, "update")) || !(j = cJSON_Parse(e.json)) ||
	    !(mj = cJSON_GetObjectItemCaseSensitive(j, "manifest")) || !(text = cJSON_PrintUnformatted(mj)) ||
	    ms_expected_parse(text, strlen(text), &m->x, &err) || !(m->json = cJSON_Duplicate(mj, true)) ||
	    !cJSON_IsString(sha = cJSON_GetObjectItemCaseSensitive(j, "manifest_sha256")) ||
	    ms_hex_decode(sha->valuestring, m->sha256, 32, "manifest_sha256", NULL)) {
		fprintf(stderr, "measure: %s: the pin entry %" PRIu64 " of '%s' is missing or damaged (run 'measure pin log "
				"verify')\n", a->verb, d->pin_seq, a->deploy);
		rc = 2;
		goto out;
	}
	rc = 0;
out:
	if (found)
		free((char *)e.json);
	cJSON_Delete(j);
	free(text);
	return rc;
}

static void print_check(FILE *f, const struct ms_check *k)
{
	if (k->state == MS_CHECK_FAIL) {
		fprintf(f, "  FAIL %s\n", k->what);
		fprintf(f, "         pinned   %s\n", k->expected);
		fprintf(f, "         found    %s\n", k->found);
	}
}

static int print_entry_json(const struct pin_args *a, const cJSON *j, uint64_t seq, const uint8_t root[32], int rc)
{
	cJSON *o = cJSON_CreateObject();
	int wrc;

	cJSON_AddStringToObject(o, "deployment", a->deploy);
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	cJSON_AddStringToObject(o, "kind", cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring);
	cJSON_AddNumberToObject(o, "exit_code", rc);
	cJSON_AddNumberToObject(o, "tree_size", (double)(seq + 1));
	ms_json_add_hex(o, "root", root, 32);
	cJSON_AddItemToObject(o, "entry", cJSON_Duplicate(j, true));
	wrc = cli_write_json(a->verb, o);
	cJSON_Delete(o);
	return wrc ? wrc : rc;
}

/* --- add, check, update ---------------------------------------------------------------------------- */

/* Only the pinned measurements (or the platform) differ: the evidence is genuine but another launch. */
static bool only_measurements_differ(const struct verify_result *r, const struct ms_expected *x)
{
	size_t failed = 0;

	for (size_t i = 0; i < r->checks.n; i++) {
		const struct ms_check *k = &r->checks.v[i];
		bool pinned = !strcmp(k->what, "platform");

		if (k->state != MS_CHECK_FAIL)
			continue;
		failed++;
		for (size_t m = 0; m < x->n && !pinned; m++)
			pinned = !strcmp(k->what, x->m[m].name);
		if (!pinned)
			return false;
	}
	return failed > 0;
}

static int pin_add_or_update(struct pin_args *a, bool update)
{
	struct ms_store *s = NULL;
	struct manifest m = { 0 };
	struct verify_result r = { 0 };
	struct ms_deployment d = { 0 };
	struct ms_err err = { 0 };
	uint8_t root[32], prev_root[32], *key = NULL;
	size_t key_len = 0;
	char when[32];
	cJSON *j = NULL;
	uint64_t seq;
	int rc;

	if (!a->expected || !a->evidence) {
		rc = cli_usage(a->verb, "give --expected MANIFEST and --evidence FILE");
		goto out;
	}
	if (update && !a->reason) {
		rc = cli_usage(a->verb, "give --reason TEXT: an update says why");
		goto out;
	}
	if ((rc = verify_opts_load(&a->v)) || (rc = load_manifest(a, a->expected, &m)) || (rc = load_evidence_file(a, &r)))
		goto out;
	if (a->signed_by && ms_file_load(a->signed_by, MAX_KEY, &key, &key_len, &err)) {
		rc = cli_fail(a->verb, a->signed_by, &err);
		goto out;
	}
	verify_and_match_one(&a->v, &m.x, &r);
	if (r.status) {
		if (!a->quiet) {
			if (r.status == MS_MISMATCH) {
				fprintf(stderr, "measure: %s: %s does not match %s: not pinned\n", a->verb, a->evidence, a->expected);
				for (size_t i = 0; i < r.checks.n; i++)
					print_check(stderr, &r.checks.v[i]);
			} else {
				fprintf(stderr, "measure: %s: %s: %s: not pinned\n", a->verb, a->evidence, r.err.msg);
			}
		}
		rc = ms_exit_code(r.status);
		goto out;
	}
	if ((rc = store_begin(a, true, true, &s, &seq, prev_root)))
		goto out;
	now_rfc3339(when);
	if (update) {
		if ((rc = get_deployment(a, s, &d, false)))
			goto out;
	} else {
		bool found;

		if (ms_store_deployment_get(s, a->deploy, &d, &found, &err)) {
			rc = pin_store_fail(a->verb, &err);
			goto out;
		}
		if (found) {
			fprintf(stderr, "measure: %s: '%s' is already pinned (%s since %s): use 'measure pin update'\n", a->verb,
				a->deploy, d.state, d.created);
			rc = 1;
			goto out;
		}
		snprintf(d.name, sizeof(d.name), "%s", a->deploy);
		snprintf(d.created, sizeof(d.created), "%s", when);
	}
	if (!(j = entry_new(seq, when, a->deploy, update ? "update" : "add", m.x.platform))) {
		rc = 2;
		goto out;
	}
	add_manifest(j, &m);
	add_result(j, a, &r);
	if (update) {
		cJSON_AddStringToObject(j, "reason", a->reason);
		cJSON_AddNumberToObject(j, "previous_pin_seq", (double)d.pin_seq);
		if ((rc = policy_gate(a, s, a->deploy, j, seq, prev_root, key, key_len)))
			goto out;
	} else if (key) {
		rc = cli_usage(a->verb, "--signed-by applies to updates and policies");
		goto out;
	}
	snprintf(d.platform, sizeof(d.platform), "%s", m.x.platform);
	snprintf(d.state, sizeof(d.state), "pinned");
	d.pin_seq = seq;
	if ((rc = append(a, s, j, &d, root)) || (rc = commit(a, s)))
		goto out;
	if (a->json) {
		rc = print_entry_json(a, j, seq, root, 0);
	} else if (!a->quiet) {
		printf("%s %s: %s pinned at entry %" PRIu64 "\n", update ? "updated" : "pinned", a->deploy, m.x.platform, seq);
		for (size_t i = 0; i < m.x.n; i++) {
			char *hex = ms_hex_alloc(m.x.m[i].value, m.x.m[i].len);

			printf("  %-12s %s\n", m.x.m[i].name, hex ? hex : "?");
			free(hex);
		}
		rc = fflush(stdout) ? 2 : 0;
	}
out:
	store_end(s);
	verify_result_free(&r);
	cJSON_Delete(m.json);
	cJSON_Delete(j);
	free(key);
	return rc;
}

static int pin_check(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct manifest m = { 0 };
	struct verify_result r = { 0 };
	struct ms_deployment d = { 0 };
	uint8_t root[32];
	char when[32];
	const char *kind;
	cJSON *j = NULL;
	uint64_t seq;
	int rc;

	if (!a->evidence) {
		rc = cli_usage(a->verb, "give --evidence FILE");
		goto out;
	}
	if ((rc = verify_opts_load(&a->v)) || (rc = load_evidence_file(a, &r)))
		goto out;
	/* one transaction: the pin read, the verdict and the entry belong together */
	if ((rc = store_begin(a, false, true, &s, &seq, root)) ||
	    (rc = get_deployment(a, s, &d, false)) || (rc = pinned_manifest(a, s, &d, &m)))
		goto out;
	verify_and_match_one(&a->v, &m.x, &r);
	if (r.status == MS_OK)
		kind = "verified", rc = 0;
	else if (r.status == MS_MISMATCH && only_measurements_differ(&r, &m.x))
		kind = "drift", rc = 1;
	else
		kind = "rejected", rc = ms_exit_code(r.status);
	now_rfc3339(when);
	if (!(j = entry_new(seq, when, a->deploy, kind, d.platform))) {
		rc = 2;
		goto out;
	}
	cJSON_AddNumberToObject(j, "pin_seq", (double)d.pin_seq);
	ms_json_add_hex(j, "manifest_sha256", m.sha256, 32);
	cJSON_AddItemToObject(j, "pinned", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(m.json, "measurements"), true));
	add_result(j, a, &r);
	if (!strcmp(kind, "drift"))
		snprintf(d.state, sizeof(d.state), "drifted");
	{
		int arc = append(a, s, j, &d, root);

		if (arc || (arc = commit(a, s))) {
			rc = arc;
			goto out;
		}
	}
	if (a->json) {
		rc = print_entry_json(a, j, seq, root, rc);
		goto out;
	}
	if (rc == 0 && !a->quiet) {
		printf("verified %s: the evidence matches the pin (entry %" PRIu64 ")\n", a->deploy, seq);
	} else if (!strcmp(kind, "drift") && !a->quiet) {
		printf("DRIFT %s: genuine evidence that differs from the pin (entry %" PRIu64 "); marked drifted\n", a->deploy,
		       seq);
		for (size_t i = 0; i < r.checks.n; i++)
			print_check(stdout, &r.checks.v[i]);
	} else if (!a->quiet) {
		printf("REJECTED %s: the evidence did not pass (entry %" PRIu64 ")\n", a->deploy, seq);
		for (size_t i = 0; i < r.checks.n; i++)
			print_check(stdout, &r.checks.v[i]);
		if (r.err.msg[0])
			fprintf(stderr, "measure: %s: %s: %s\n", a->verb, a->evidence, r.err.msg);
		else
			fprintf(stderr, "measure: %s: %s: a check other than a pinned value failed\n", a->verb, a->evidence);
	}
	if (fflush(stdout))
		rc = 2;
out:
	store_end(s);
	verify_result_free(&r);
	cJSON_Delete(m.json);
	cJSON_Delete(j);
	return rc;
}

static int pin_destroy(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_deployment d = { 0 };
	struct ms_err err = { 0 };
	uint8_t root[32], prev_root[32], *key = NULL;
	size_t key_len = 0;
	char when[32];
	cJSON *j = NULL;
	uint64_t seq;
	int rc;

	if (a->signed_by && ms_file_load(a->signed_by, MAX_KEY, &key, &key_len, &err)) {
		rc = cli_fail(a->verb, a->signed_by, &err);
		goto out;
	}
	if ((rc = store_begin(a, false, true, &s, &seq, prev_root)) ||
	    (rc = get_deployment(a, s, &d, false)))
		goto out;
	now_rfc3339(when);
	if (!(j = entry_new(seq, when, a->deploy, "destroy", d.platform))) {
		rc = 2;
		goto out;
	}
	cJSON_AddNumberToObject(j, "pin_seq", (double)d.pin_seq);
	if (a->reason)
		cJSON_AddStringToObject(j, "reason", a->reason);
	if ((rc = policy_gate(a, s, a->deploy, j, seq, prev_root, key, key_len)))
		goto out;
	snprintf(d.state, sizeof(d.state), "destroyed");
	if ((rc = append(a, s, j, &d, root)) || (rc = commit(a, s)))
		goto out;
	if (a->json)
		rc = print_entry_json(a, j, seq, root, 0);
	else if (!a->quiet)
		printf("destroyed %s (entry %" PRIu64 "); later checks are refused\n", a->deploy, seq);
out:
	store_end(s);
	cJSON_Delete(j);
	free(key);
	return rc;
}

/* --- policy ------------------------------------------------------------------------------------------ */

static int key_cmp(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;

	return strcmp(cJSON_GetObjectItemCaseSensitive(a, "key_sha256")->valuestring,
		      cJSON_GetObjectItemCaseSensitive(b, "key_sha256")->valuestring);
}

/* The operator keys of --operator-key, as key objects sorted by key_sha256, into array keys. */
static int load_operator_keys(const struct pin_args *a, cJSON *keys)
{
	cJSON *k[MAX_OPERATOR_KEYS] = { 0 };
	struct ms_err err = { 0 };
	uint8_t *pem = NULL;
	size_t len, n = 0;
	int rc = 0;

	for (; n < a->noperator_keys; n++) {
		if (ms_file_load(a->operator_keys[n], MAX_KEY, &pem, &len, &err) || ms_pin_public_key(pem, len, &k[n], &err)) {
			rc = cli_fail(a->verb, a->operator_keys[n], &err);
			goto out;
		}
		free(pem);
		pem = NULL;
	}
	qsort(k, n, sizeof(k[0]), key_cmp);
	for (size_t i = 1; i < n; i++)
		if (!key_cmp(&k[i - 1], &k[i])) {
			rc = cli_usage(a->verb, "--operator-key: the same key given twice");
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(keys, k[i]);
		k[i] = NULL;
	}
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(k[i]);
	free(pem);
	return rc;
}

static const char *policy_scope(const struct ms_pin_policy *p, const struct ms_pin_policy *own)
{
	return !p->set ? "none" : own->set ? "deployment" : "store-wide";
}

/* Prints the policy in force for a->deploy (or the store), read from the log. */
static int policy_print(const struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_pin_policy store_wide, own, *p;
	struct ms_deployment d;
	struct ms_err err = { 0 };
	cJSON *o = NULL, *keys;
	int rc;

	if ((rc = store_begin(a, false, false, &s, NULL, NULL)))
		goto out;
	if (a->deploy && (rc = get_deployment(a, s, &d, true)))
		goto out;
	if (ms_store_policies(s, a->deploy, &store_wide, &own, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	p = own.set ? &own : &store_wide;
	if (a->json) {
		o = cJSON_CreateObject();
		if (a->deploy)
			cJSON_AddStringToObject(o, "deployment", a->deploy);
		cJSON_AddStringToObject(o, "in_force", policy_scope(p, &own));
		if (p->set)
			cJSON_AddNumberToObject(o, "seq", (double)p->seq);
		cJSON_AddBoolToObject(o, "require_signed_updates", p->require_signed);
		keys = cJSON_AddArrayToObject(o, "operator_keys");
		for (size_t i = 0; i < p->nkeys; i++)
			cJSON_AddItemToArray(keys, cJSON_CreateString(p->keys[i]));
		if (own.set && store_wide.set) { /* the floor under the deployment's own policy */
			cJSON *f = cJSON_AddObjectToObject(o, "store_wide");

			cJSON_AddNumberToObject(f, "seq", (double)store_wide.seq);
			cJSON_AddBoolToObject(f, "require_signed_updates", store_wide.require_signed);
			keys = cJSON_AddArrayToObject(f, "operator_keys");
			for (size_t i = 0; i < store_wide.nkeys; i++)
				cJSON_AddItemToArray(keys, cJSON_CreateString(store_wide.keys[i]));
		}
		rc = cli_write_json(a->verb, o);
		goto out;
	}
	if (!a->quiet) {
		if (p->set)
			printf("policy of %s: the %s policy of entry %" PRIu64 "\n", a->deploy ? a->deploy : "the store",
			       policy_scope(p, &own), p->seq);
		else
			printf("policy of %s: none (updates need no signature)\n", a->deploy ? a->deploy : "the store");
		printf("  signed updates  %s\n", p->require_signed ? "required" : "not required");
		for (size_t i = 0; i < p->nkeys; i++)
			printf("  operator key    %s\n", p->keys[i]);
		if (own.set && store_wide.set) {
			printf("and under it, as a floor, the store-wide policy of entry %" PRIu64 "\n", store_wide.seq);
			printf("  signed updates  %s\n", store_wide.require_signed ? "required" : "not required");
			for (size_t i = 0; i < store_wide.nkeys; i++)
				printf("  operator key    %s\n", store_wide.keys[i]);
		}
		rc = fflush(stdout) ? 2 : 0;
	}
out:
	store_end(s);
	cJSON_Delete(o);
	return rc;
}

static int pin_policy(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_deployment d;
	struct ms_err err = { 0 };
	uint8_t root[32], prev_root[32], *key = NULL;
	size_t key_len = 0;
	char when[32];
	cJSON *j = NULL, *keys;
	uint64_t seq;
	int rc;

	if (!a->require_signed && !a->allow_unsigned && !a->noperator_keys) {
		if (a->signed_by || a->reason)
			return cli_usage(a->verb, "give the new policy: --require-signed-updates or --allow-unsigned-updates, "
					 "and its --operator-key files");
		return policy_print(a);
	}
	if (a->require_signed == a->allow_unsigned)
		return cli_usage(a->verb, "give one of --require-signed-updates and --allow-unsigned-updates: a policy "
				 "entry states the whole policy");
	if (a->require_signed && !a->noperator_keys)
		return cli_usage(a->verb, "--require-signed-updates needs at least one --operator-key PUB.pem");
	if (!(j = cJSON_CreateObject()) || !(keys = cJSON_CreateArray())) {
		cJSON_Delete(j);
		return 2;
	}
	cJSON_AddItemToObject(j, "operator_keys", keys);
	if ((rc = load_operator_keys(a, keys)))
		goto out;
	if (a->signed_by && ms_file_load(a->signed_by, MAX_KEY, &key, &key_len, &err)) {
		rc = cli_fail(a->verb, a->signed_by, &err);
		goto out;
	}
	if ((rc = store_begin(a, a->store_wide, true, &s, &seq, prev_root)))
		goto out;
	if (a->deploy && (rc = get_deployment(a, s, &d, false)))
		goto out;
	now_rfc3339(when);
	cJSON_AddStringToObject(j, "schema", MS_PIN_ENTRY_SCHEMA);
	cJSON_AddNumberToObject(j, "seq", (double)seq);
	cJSON_AddStringToObject(j, "time", when);
	cJSON_AddStringToObject(j, "deployment", a->deploy ? a->deploy : "");
	cJSON_AddStringToObject(j, "kind", "policy");
	cJSON_AddStringToObject(j, "scope", a->deploy ? "deployment" : "store-wide");
	cJSON_AddBoolToObject(j, "require_signed_updates", a->require_signed);
	if (a->reason)
		cJSON_AddStringToObject(j, "reason", a->reason);
	if ((rc = policy_gate(a, s, a->store_wide ? NULL : a->deploy, j, seq, prev_root, key, key_len)))
		goto out;
	if (ms_store_require_version2(s, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if ((rc = append(a, s, j, NULL, root)) || (rc = commit(a, s)))
		goto out;
	if (a->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "deployment", a->deploy ? a->deploy : "");
		cJSON_AddNumberToObject(o, "seq", (double)seq);
		cJSON_AddStringToObject(o, "kind", "policy");
		cJSON_AddNumberToObject(o, "tree_size", (double)(seq + 1));
		ms_json_add_hex(o, "root", root, 32);
		cJSON_AddItemToObject(o, "entry", cJSON_Duplicate(j, true));
		rc = cli_write_json(a->verb, o);
		cJSON_Delete(o);
	} else if (!a->quiet) {
		printf("policy of %s (entry %" PRIu64 "): signed updates %s, %d operator key%s%s\n",
		       a->deploy ? a->deploy : "the store", seq, a->require_signed ? "required" : "not required",
		       cJSON_GetArraySize(keys), cJSON_GetArraySize(keys) == 1 ? "" : "s",
		       cJSON_GetObjectItemCaseSensitive(j, "signature") ? " (signed)" : "");
		rc = fflush(stdout) ? 2 : 0;
	}
out:
	store_end(s);
	cJSON_Delete(j);
	free(key);
	return rc;
}

/* --- show, list, export ---------------------------------------------------------------------------- */

struct show {
	cJSON *timeline, *since; /* since: key -> {value, since, since_seq} */
	unsigned verified, mismatched, rejected;
	cJSON *last_check;
};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int show_entry(void *ctx, const struct ms_entry *e)
{
	struct show *sh = ctx;
	cJSON *j = cJSON_Parse(e->json), *t = cJSON_CreateObject();
	const cJSON *res = j ? cJSON_GetObjectItemCaseSensitive(j, "result") : NULL;
	char detail[600] = "";

	if (!t) {
		cJSON_Delete(j);
		return MS_NO_MEMORY;
	}
	cJSON_AddNumberToObject(t, "seq", (double)e->seq);
	cJSON_AddStringToObject(t, "time", e->time);
	cJSON_AddStringToObject(t, "kind", e->kind);
	if (!strcmp(e->kind, "add") || !strcmp(e->kind, "update")) {
		const cJSON *meas = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "manifest"),
								     "measurements");
		const cJSON *v;

		cJSON_ArrayForEach(v, meas)
		{
			cJSON *cur = cJSON_GetObjectItemCaseSensitive(sh->since, v->string);

			if (!cJSON_IsString(v))
				continue;
			if (cur && jstr(cur, "value") && !strcmp(jstr(cur, "value"), v->valuestring))
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(sh->since, v->string);
			cur = cJSON_AddObjectToObject(sh->since, v->string);
			cJSON_AddStringToObject(cur, "value", v->valuestring);
			cJSON_AddStringToObject(cur, "since", e->time);
			cJSON_AddNumberToObject(cur, "since_seq", (double)e->seq);
		}
		if (jstr(j, "reason"))
			snprintf(detail, sizeof(detail), "reason: %s%s", jstr(j, "reason"),
				 cJSON_GetObjectItemCaseSensitive(j, "signature") ? " (signed)" : " (unsigned)");
		else
			snprintf(detail, sizeof(detail), "manifest %.16s...", jstr(j, "manifest_sha256") ? jstr(j, "manifest_sha256") : "?");
	} else if (!strcmp(e->kind, "verified") || !strcmp(e->kind, "drift") || !strcmp(e->kind, "rejected")) {
		cJSON_Delete(sh->last_check);
		sh->last_check = cJSON_Duplicate(t, true);
		if (!strcmp(e->kind, "verified"))
			sh->verified++;
		else if (!strcmp(e->kind, "drift"))
			sh->mismatched++;
		else
			sh->rejected++;
		if (jstr(res, "error")) {
			snprintf(detail, sizeof(detail), "%s", jstr(res, "error"));
		} else {
			const cJSON *d;
			size_t used = 0;

			cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(res, "differs"))
			{
				if (used < sizeof(detail))
					used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s", used ? ", " : "differs: ",
								 jstr(d, "what") ? jstr(d, "what") : "?");
			}
			if (!used)
				snprintf(detail, sizeof(detail), "evidence %.16s...",
					 jstr(j, "evidence_sha256") ? jstr(j, "evidence_sha256") : "?");
		}
	} else if (!strcmp(e->kind, "policy")) {
		const cJSON *keys = cJSON_GetObjectItemCaseSensitive(j, "operator_keys");

		snprintf(detail, sizeof(detail), "signed updates %s, %d operator key%s%s%s%s",
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "require_signed_updates")) ? "required" : "not required",
			 cJSON_GetArraySize(keys), cJSON_GetArraySize(keys) == 1 ? "" : "s",
			 cJSON_GetObjectItemCaseSensitive(j, "signature") ? " (signed)" : " (unsigned)",
			 jstr(j, "reason") ? "; reason: " : "", jstr(j, "reason") ? jstr(j, "reason") : "");
	} else if (jstr(j, "reason")) {
		snprintf(detail, sizeof(detail), "reason: %s", jstr(j, "reason"));
	}
	/* a reason or an error text is whatever a writer of the store put there: no control bytes reach the terminal */
	ms_text_escape_inplace(detail, sizeof(detail));
	cJSON_AddStringToObject(t, "detail", detail);
	cJSON_AddItemToArray(sh->timeline, t);
	cJSON_Delete(j);
	return MS_OK;
}

static int pin_show(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_deployment d = { 0 };
	struct manifest m = { 0 };
	struct show sh = { cJSON_CreateArray(), cJSON_CreateObject(), 0, 0, 0, NULL };
	struct ms_err err = { 0 };
	cJSON *o = NULL, *pinned, *counts;
	const cJSON *v;
	int rc;

	if ((rc = store_begin(a, false, false, &s, NULL, NULL)))
		goto out;
	if ((rc = get_deployment(a, s, &d, true)) || (rc = pinned_manifest(a, s, &d, &m)))
		goto out;
	if (ms_store_entry_each(s, a->deploy, show_entry, &sh, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "deployment", d.name);
	cJSON_AddStringToObject(o, "platform", d.platform);
	cJSON_AddStringToObject(o, "state", d.state);
	cJSON_AddStringToObject(o, "created", d.created);
	cJSON_AddNumberToObject(o, "pin_seq", (double)d.pin_seq);
	pinned = cJSON_AddObjectToObject(o, "pinned");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m.json, "measurements"))
	{
		const cJSON *since = cJSON_GetObjectItemCaseSensitive(sh.since, v->string);

		if (since)
			cJSON_AddItemToObject(pinned, v->string, cJSON_Duplicate(since, true));
	}
	counts = cJSON_AddObjectToObject(o, "checks");
	cJSON_AddNumberToObject(counts, "verified", sh.verified);
	cJSON_AddNumberToObject(counts, "mismatched", sh.mismatched);
	cJSON_AddNumberToObject(counts, "rejected", sh.rejected);
	if (sh.last_check)
		cJSON_AddItemToObject(o, "last_check", cJSON_Duplicate(sh.last_check, true));
	else
		cJSON_AddNullToObject(o, "last_check");
	cJSON_AddItemToObject(o, "timeline", cJSON_Duplicate(sh.timeline, true));
	if (a->json) {
		rc = cli_write_json(a->verb, o);
		goto out;
	}
	printf("deployment  %s\nplatform    %s\nstate       %s\ncreated     %s\npinned      (entry %" PRIu64 ")\n", d.name,
	       d.platform, d.state, d.created, d.pin_seq);
	cJSON_ArrayForEach(v, pinned)
	printf("  %-10s %s  since %s (entry %.0f)\n", v->string, jstr(v, "value"), jstr(v, "since"),
	       cJSON_GetObjectItemCaseSensitive(v, "since_seq")->valuedouble);
	printf("checks      %u verified, %u mismatched, %u rejected\n", sh.verified, sh.mismatched, sh.rejected);
	if (sh.last_check)
		printf("last check  %s %s (entry %.0f)\n", jstr(sh.last_check, "time"), jstr(sh.last_check, "kind"),
		       cJSON_GetObjectItemCaseSensitive(sh.last_check, "seq")->valuedouble);
	else
		printf("last check  never\n");
	printf("timeline\n");
	cJSON_ArrayForEach(v, sh.timeline)
	printf("  %6.0f  %s  %-8s  %s\n", cJSON_GetObjectItemCaseSensitive(v, "seq")->valuedouble, jstr(v, "time"),
	       jstr(v, "kind"), jstr(v, "detail"));
	rc = fflush(stdout) ? 2 : 0;
out:
	store_end(s);
	cJSON_Delete(o);
	cJSON_Delete(sh.timeline);
	cJSON_Delete(sh.since);
	cJSON_Delete(sh.last_check);
	cJSON_Delete(m.json);
	return rc;
}

static int list_one(void *ctx, const struct ms_deployment *d)
{
	cJSON *arr = ctx, *o = cJSON_CreateObject();

	if (!o)
		return MS_NO_MEMORY;
	cJSON_AddStringToObject(o, "deployment", d->name);
	cJSON_AddStringToObject(o, "platform", d->platform);
	cJSON_AddStringToObject(o, "state", d->state);
	cJSON_AddNumberToObject(o, "pin_seq", (double)d->pin_seq);
	cJSON_AddStringToObject(o, "created", d->created);
	cJSON_AddStringToObject(o, "updated", d->updated);
	cJSON_AddItemToArray(arr, o);
	return MS_OK;
}

static int pin_list(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };
	cJSON *arr = cJSON_CreateArray();
	const cJSON *v;
	int rc;

	if ((rc = store_begin(a, false, false, &s, NULL, NULL)))
		goto out;
	if (ms_store_deployment_each(s, list_one, arr, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (a->json) {
		rc = cli_write_json(a->verb, arr);
		goto out;
	}
	cJSON_ArrayForEach(v, arr)
	printf("%-24s %-10s %-10s %s\n", jstr(v, "deployment"), jstr(v, "platform"), jstr(v, "state"), jstr(v, "updated"));
	rc = fflush(stdout) ? 2 : 0;
out:
	store_end(s);
	cJSON_Delete(arr);
	return rc;
}

static int pin_export(struct pin_args *a)
{
	struct ms_store *s = NULL;
	struct ms_deployment d = { 0 };
	struct manifest m = { 0 };
	const char *prefix = a->prefix ? a->prefix : "EPHEMERALML_EXPECTED_";
	bool env;
	int rc;

	if (!a->format || (strcmp(a->format, "env") && strcmp(a->format, "json"))) {
		rc = cli_usage(a->verb, "--format env or --format json");
		goto out;
	}
	env = !strcmp(a->format, "env");
	if (a->prefix && !env) {
		rc = cli_usage(a->verb, "--env-prefix goes with --format env");
		goto out;
	}
	for (const char *p = prefix; *p; p++)
		if (!(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_') || (p == prefix && isdigit((unsigned char)*p))) {
			rc = cli_usage(a->verb, "--env-prefix: upper-case letters, digits and '_', not starting with a digit");
			goto out;
		}
	if ((rc = store_begin(a, false, false, &s, NULL, NULL)))
		goto out;
	if ((rc = get_deployment(a, s, &d, false)) || (rc = pinned_manifest(a, s, &d, &m)))
		goto out;
	if (!env) {
		rc = cli_write_json(a->verb, m.json);
		goto out;
	}
	for (size_t i = 0; i < m.x.n; i++) {
		char *hex = ms_hex_alloc(m.x.m[i].value, m.x.m[i].len);

		printf("%s", prefix);
		for (const char *p = m.x.m[i].name; *p; p++)
			putchar(toupper((unsigned char)*p));
		printf("=%s\n", hex ? hex : "");
		free(hex);
	}
	rc = fflush(stdout) ? 2 : 0;
out:
	store_end(s);
	cJSON_Delete(m.json);
	return rc;
}

int cmd_pin(int argc, char **argv)
{
	static const struct {
		const char *name, *verb, *help;
		unsigned allowed;
		int deploy; /* as parse_args' want_deploy */
	} verbs[] = {
		{ "add", "pin add", add_help, A_STORE | A_EXPECTED | A_EVIDENCE | A_VERIFY | A_JSON, 1 },
		{ "check", "pin check", check_help, A_STORE | A_EVIDENCE | A_VERIFY | A_JSON, 1 },
		{ "update", "pin update", update_help,
		  A_STORE | A_EXPECTED | A_EVIDENCE | A_REASON | A_SIGNED | A_VERIFY | A_JSON, 1 },
		{ "show", "pin show", show_help, A_STORE | A_JSON, 1 },
		{ "list", "pin list", list_help, A_STORE | A_JSON, 0 },
		{ "destroy", "pin destroy", destroy_help, A_STORE | A_REASON | A_SIGNED | A_JSON, 1 },
		{ "export", "pin export", export_help, A_STORE | A_FORMAT | A_PREFIX, 1 },
		{ "policy", "pin policy", policy_help, A_STORE | A_REASON | A_SIGNED | A_REQUIRE | A_POLICY | A_JSON, 2 },
	};
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct pin_args a;
	int rc;

	if (!verb) {
		fprintf(stderr, "measure: pin: give a verb: add, check, update, show, list, destroy, export, policy or log "
				"(see 'measure pin --help')\n");
		return 2;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		fputs(pin_help, stdout);
		return 0;
	}
	if (!strcmp(verb, "log"))
		return cmd_pin_log(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verb, verbs[i].name))
			continue;
		rc = parse_args(verbs[i].verb, verbs[i].allowed, verbs[i].deploy, verbs[i].help, argc - 1, argv + 1, &a);
		if (rc) {
			verify_opts_free(&a.v);
			return rc < 0 ? 0 : rc;
		}
		switch (i) {
		case 0: rc = pin_add_or_update(&a, false); break;
		case 1: rc = pin_check(&a); break;
		case 2: rc = pin_add_or_update(&a, true); break;
		case 3: rc = pin_show(&a); break;
		case 4: rc = pin_list(&a); break;
		case 5: rc = pin_destroy(&a); break;
		case 6: rc = pin_export(&a); break;
		default: rc = pin_policy(&a); break;
		}
		verify_opts_free(&a.v);
		return rc;
	}
	fprintf(stderr, "measure: pin: unknown verb '%.64s' (see 'measure pin --help')\n", verb);
	return 2;
}
