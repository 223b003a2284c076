/* SPDX-License-Identifier: Apache-2.0 */
/* measure pin log verify|checkpoint|prove|check-proof|export: the transparency log of the pin store. */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../pin/checkpoint.h"
#include "cli.h"
#include "cmd_pin.h"

#define DEFAULT_ORIGIN "measure/pin"
#define MAX_KEY (64u << 10)

static const char log_help[] =
	"Usage: measure pin log checkpoint [--store URI] [--key KEY] [--origin NAME]\n"
	"       measure pin log verify [--store URI] [--checkpoint OLD [--key PUB]] [--json]\n"
	"       measure pin log prove DEPLOY|SEQ [--store URI] [--key KEY] [--origin NAME]\n"
	"       measure pin log prove --old-size N [--size M] [--store URI] [--key KEY] [--origin NAME]\n"
	"       measure pin log check-proof PROOF --checkpoint CP [--key PUB]\n"
	"       measure pin log check-proof PROOF --old-checkpoint OLD [--checkpoint CP] [--key PUB]\n"
	"       measure pin log export [--store URI]\n"
	"\n"
	"Every pin entry is a leaf of an RFC 9162 Merkle tree: SHA-256(0x00 || canonical JSON).\n"
	"  checkpoint   prints the current checkpoint (C2SP tlog-checkpoint: origin, size, base64\n"
	"               root), as a C2SP signed note when --key gives an Ed25519 private key (PEM)\n"
	"  verify       recomputes the whole tree from the stored entries and checks every leaf\n"
	"               hash, node, tree head and deployment row; with --checkpoint, proves the log\n"
	"               is an append-only extension of it (consistency proof). Exit 0 only if intact\n"
	"  prove        an inclusion proof (JSON, with the entry and a checkpoint) of entry SEQ, or\n"
	"               of the latest entry of DEPLOY (a name of digits only is taken as SEQ); with\n"
	"               --old-size N, an RFC 9162 consistency proof that the log of N entries is a\n"
	"               prefix of the log of M (--size, default: now), with the checkpoint of M\n"
	"  check-proof  checks a proof offline, without the store, against a trusted checkpoint\n"
	"               (its signature too with --key, an Ed25519 public or private key); a\n"
	"               consistency proof against --old-checkpoint and --checkpoint NEW or --key\n"
	"               (one of them is required: something trusted must cover the new tree)\n"
	"  export       every entry as JSON Lines: seq, leaf hash, entry\n"
	"\n"
	"Options:\n"
	"      --store URI       the pin store (see 'measure pin --help')\n"
	"      --key FILE        Ed25519 key (PEM): private to sign, public or private to verify\n"
	"      --key-name NAME   the signed-note key name (default: the origin)\n"
	"      --origin NAME     the checkpoint origin (default: " DEFAULT_ORIGIN "); the first one given\n"
	"                        is kept in the store, so its checkpoints stay the same text\n"
	"      --old-size N      prove: a consistency proof from the log of N entries\n"
	"      --size M          prove: ... to the log of M entries (default: all)\n"
	"      --old-checkpoint FILE  check-proof: the older checkpoint of a consistency proof\n"
	"      --checkpoint FILE a checkpoint saved earlier (signed note or plain text)\n"
	"  -j, --json            verify: print the result as JSON\n"
	"\n"
	"Exit codes: 0 intact / proven, 1 not intact (an edited, missing, reordered or added entry,\n"
	"a forked log) or a proof that does not hold, 2 usage or bad input, 3 a checkpoint signature.\n";

struct log_args {
	const char *verb, *store, *key, *key_name, *origin, *checkpoint, *old_checkpoint, *arg;
	const char *old_size, *size; /* prove: a consistency proof between these sizes */
	bool json;
	char stored_origin[MS_CHECKPOINT_MAX_ORIGIN + 1];
};

static int parse(const char *verb, int argc, char **argv, bool want_arg, struct log_args *a)
{
	enum { O_STORE = 300, O_KEY, O_KEY_NAME, O_ORIGIN, O_CHECKPOINT, O_OLD_CHECKPOINT, O_OLD_SIZE, O_SIZE };
	static const struct option options[] = {
		{ "store", required_argument, NULL, O_STORE },	 { "key", required_argument, NULL, O_KEY },
		{ "key-name", required_argument, NULL, O_KEY_NAME }, { "origin", required_argument, NULL, O_ORIGIN },
		{ "checkpoint", required_argument, NULL, O_CHECKPOINT },
		{ "old-checkpoint", required_argument, NULL, O_OLD_CHECKPOINT },
		{ "old-size", required_argument, NULL, O_OLD_SIZE }, { "size", required_argument, NULL, O_SIZE },
		{ "json", no_argument, NULL, 'j' },		 { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(a, 0, sizeof(*a));
	a->verb = verb;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case O_STORE: a->store = optarg; break;
		case O_KEY: a->key = optarg; break;
		case O_KEY_NAME: a->key_name = optarg; break;
		case O_ORIGIN: a->origin = optarg; break;
		case O_CHECKPOINT: a->checkpoint = optarg; break;
		case O_OLD_CHECKPOINT: a->old_checkpoint = optarg; break;
		case O_OLD_SIZE: a->old_size = optarg; break;
		case O_SIZE: a->size = optarg; break;
		case 'j': a->json = true; break;
		case 'h': fputs(log_help, stdout); return -1;
		default: return cli_bad_option(verb, opt, argv);
		}
	}
	if ((a->old_size || a->size) && strcmp(verb, "pin log prove"))
		return cli_usage(verb, "--old-size and --size apply to 'pin log prove'");
	if (a->old_checkpoint && strcmp(verb, "pin log check-proof"))
		return cli_usage(verb, "--old-checkpoint applies to 'pin log check-proof'");
	if (a->size && !a->old_size)
		return cli_usage(verb, "--size goes with --old-size (a consistency proof)");
	if (want_arg && !a->old_size) {
		if (optind >= argc)
			return cli_usage(verb, "give the argument");
		a->arg = argv[optind++];
	}
	if (optind < argc)
		return cli_usage(verb, "unexpected argument '%.64s'", argv[optind]);
	return 0;
}

/* The current size and root, the root recomputed from the stored nodes and held against the stored head. */
static int current_head(const struct log_args *a, struct ms_store *s, uint64_t *size, uint8_t root[32])
{
	struct ms_tlog_reader r = ms_store_reader(s);
	struct ms_err err = { 0 };
	uint8_t from_nodes[32];

	if (ms_store_size(s, size, root, &err))
		return pin_store_fail(a->verb, &err);
	if (*size && (ms_tlog_root(&r, *size, from_nodes, &err) || memcmp(from_nodes, root, 32))) {
		fprintf(stderr, "measure: %s: the stored tree head of size %" PRIu64 " disagrees with the stored nodes: run "
				"'measure pin log verify'\n", a->verb, *size);
		return 1;
	}
	return 0;
}

/*
 * The store's checkpoint origin, so that its checkpoints stay the same text:
 * the first --origin given is kept in the store (settings, checkpoint_origin);
 * later checkpoints and proofs use it, and another --origin is a usage error.
 * Leaves a read transaction open on success.
 */
static int resolve_origin(struct log_args *a, struct ms_store *s)
{
	struct ms_err err = { 0 };
	char *stored = NULL;
	int rc = 0;

	if (a->origin && (!*a->origin || strlen(a->origin) > MS_CHECKPOINT_MAX_ORIGIN))
		return cli_usage(a->verb, "--origin: 1 to %d bytes", MS_CHECKPOINT_MAX_ORIGIN);
	if (ms_store_begin(s, a->origin != NULL, &err) || ms_store_setting_get(s, "checkpoint_origin", &stored, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (stored && a->origin && strcmp(stored, a->origin)) {
		rc = cli_usage(a->verb, "--origin '%.64s': this store's checkpoints are of '%.64s' (set by the first "
			       "--origin)", a->origin, stored);
		goto out;
	}
	if (!stored && a->origin && (ms_store_setting_set(s, "checkpoint_origin", a->origin, &err) ||
				     ms_store_commit(s, &err))) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	snprintf(a->stored_origin, sizeof(a->stored_origin), "%s", stored ? stored : a->origin ? a->origin : "");
	if (a->origin && !stored && ms_store_begin(s, false, &err))
		rc = pin_store_fail(a->verb, &err);
out:
	free(stored);
	return rc;
}

/* Opens the store and reads the current head (size and root) under its checkpoint origin. */
static int open_head(struct log_args *a, struct ms_store **s, uint64_t *size, uint8_t root[32])
{
	int rc;

	if ((rc = pin_store_open(a->verb, a->store, false, s)) || (rc = resolve_origin(a, *s)))
		return rc;
	return current_head(a, *s, size, root);
}

/* The checkpoint note of size/root: signed with --key, else plain. *out: free(). */
static int make_checkpoint(const struct log_args *a, uint64_t size, const uint8_t root[32], char **out)
{
	struct ms_checkpoint cp = { 0 };
	struct ms_err err = { 0 };
	uint8_t *key = NULL;
	size_t key_len, len, note_len;
	char *text = NULL;
	int rc = 0;

	*out = NULL;
	snprintf(cp.origin, sizeof(cp.origin), "%s",
		 a->origin ? a->origin : a->stored_origin[0] ? a->stored_origin : DEFAULT_ORIGIN);
	if (a->origin && strlen(a->origin) > MS_CHECKPOINT_MAX_ORIGIN)
		return cli_usage(a->verb, "--origin: at most %d bytes", MS_CHECKPOINT_MAX_ORIGIN);
	cp.size = size;
	memcpy(cp.root, root, 32);
	if (ms_checkpoint_format(&cp, &text, &len, &err)) {
		rc = cli_fail(a->verb, "--origin", &err);
		goto out;
	}
	if (!a->key) {
		*out = text;
		text = NULL;
		goto out;
	}
	if (ms_file_load(a->key, MAX_KEY, &key, &key_len, &err) ||
	    ms_note_sign(text, len, a->key_name ? a->key_name : cp.origin, key, key_len, out, &note_len, &err)) {
		rc = cli_fail(a->verb, a->key, &err);
		goto out;
	}
out:
	free(text);
	free(key);
	return rc;
}

/* The verifier of --key (a PEM Ed25519 key), named --key-name or else name. */
static int load_verifier(const struct log_args *a, const char *name, struct ms_note_verifier *v)
{
	struct ms_err err = { 0 };
	uint8_t *key = NULL;
	size_t key_len;
	int rc = 0;

	if (ms_file_load(a->key, MAX_KEY, &key, &key_len, &err) ||
	    ms_note_verifier_from_pem(a->key_name ? a->key_name : name, key, key_len, v, &err))
		rc = cli_fail(a->verb, a->key, &err);
	free(key);
	return rc;
}

/*
 * Reads a checkpoint file: with --key its signature must verify (key name: --key-name or
 * the checkpoint's origin); without, its text is parsed and the signatures left unchecked.
 */
static int read_checkpoint(const struct log_args *a, const char *path, struct ms_checkpoint *cp, bool *signed_ok)
{
	struct ms_note_verifier v;
	struct ms_err err = { 0 };
	uint8_t *note = NULL;
	size_t len, text_len;
	int rc = 0;

	*signed_ok = false;
	if (ms_file_load(path, MS_NOTE_MAX_LEN, &note, &len, &err)) {
		rc = cli_fail(a->verb, path, &err);
		goto out;
	}
	/* a plain checkpoint is a note without signatures: its text is the whole file */
	if (ms_note_split((const char *)note, len, &text_len, &err))
		text_len = len;
	if (ms_checkpoint_parse((const char *)note, text_len, cp, &err)) {
		rc = cli_fail(a->verb, path, &err);
		goto out;
	}
	if (!a->key)
		goto out;
	if ((rc = load_verifier(a, cp->origin, &v)))
		goto out;
	if (ms_checkpoint_open((const char *)note, len, &v, cp, &err)) {
		rc = cli_fail(a->verb, path, &err);
		goto out;
	}
	*signed_ok = true;
out:
	free(note);
	return rc;
}

static int log_checkpoint(struct log_args *a)
{
	struct ms_store *s = NULL;
	uint8_t root[32];
	uint64_t size;
	char *note = NULL;
	int rc;

	if ((rc = open_head(a, &s, &size, root)) || (rc = make_checkpoint(a, size, root, &note)))
		goto out;
	rc = cli_write(a->verb, note);
out:
	ms_store_close(s);
	free(note);
	return rc;
}

static int log_verify(struct log_args *a)
{
	struct ms_store *s = NULL;
	struct ms_checkpoint cp = { 0 };
	struct ms_err err = { 0 };
	uint8_t root[32];
	uint64_t size = 0;
	bool signed_ok = false;
	char hex[65];
	int rc;

	if (a->key && !a->checkpoint)
		return cli_usage(a->verb, "--key checks the signature of --checkpoint: give one");
	if (a->checkpoint && (rc = read_checkpoint(a, a->checkpoint, &cp, &signed_ok)))
		return rc;
	if ((rc = pin_store_open(a->verb, a->store, false, &s)))
		goto out;
	if (ms_store_begin(s, false, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (a->checkpoint) {
		char *stored = NULL;
		uint8_t empty[32];
		struct ms_tlog_compact none;
		bool other_origin;

		if (ms_store_setting_get(s, "checkpoint_origin", &stored, &err)) {
			rc = pin_store_fail(a->verb, &err);
			goto out;
		}
		other_origin = strcmp(cp.origin, stored ? stored : DEFAULT_ORIGIN) != 0;
		if (other_origin) {
			fprintf(stderr, "measure: %s: %s: the checkpoint is of '%.64s', this store's are of '%.64s'\n", a->verb,
				a->checkpoint, cp.origin, stored ? stored : DEFAULT_ORIGIN);
			free(stored);
			rc = 1;
			goto out;
		}
		free(stored);
		/* the empty tree is extended by any log, but only a checkpoint with its root is one of it */
		ms_tlog_compact_init(&none);
		ms_tlog_compact_root(&none, empty);
		if (cp.size == 0 && memcmp(cp.root, empty, 32)) {
			fprintf(stderr, "measure: %s: %s: a checkpoint of size 0 whose root is not the empty tree's\n", a->verb,
				a->checkpoint);
			rc = 1;
			goto out;
		}
	}
	if (ms_store_log_verify(s, cp.size, cp.root, &size, root, &err)) {
		rc = pin_store_fail(a->verb, &err);
		if (err.status == MS_MISMATCH && !a->json)
			printf("log NOT intact\n");
		goto out;
	}
	ms_hex_encode(root, 32, hex);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddBoolToObject(o, "intact", true);
		cJSON_AddNumberToObject(o, "tree_size", (double)size);
		cJSON_AddStringToObject(o, "root", hex);
		if (a->checkpoint) {
			cJSON_AddNumberToObject(o, "checkpoint_size", (double)cp.size);
			cJSON_AddBoolToObject(o, "checkpoint_signature_checked", signed_ok);
		}
		rc = cli_write_json(a->verb, o);
		cJSON_Delete(o);
		goto out;
	}
	printf("log intact: %" PRIu64 " entries, root %s\n", size, hex);
	if (a->checkpoint)
		printf("append-only since the checkpoint of size %" PRIu64 " (%s)\n", cp.size,
		       signed_ok ? "signature verified" : "signature not checked: no --key");
	rc = fflush(stdout) ? 2 : 0;
out:
	ms_store_close(s);
	return rc;
}

struct last_seq {
	uint64_t seq;
	bool found;
};

static int last_entry(void *ctx, const struct ms_entry *e)
{
	struct last_seq *l = ctx;

	l->seq = e->seq;
	l->found = true;
	return MS_OK;
}

/* measure pin log prove --old-size N [--size M]: that the tree of N entries is a prefix of the tree of M. */
static int log_prove_consistency(struct log_args *a, struct ms_store *s, uint64_t size)
{
	struct ms_tlog_proof p = { 0 };
	struct ms_tlog_reader r = ms_store_reader(s);
	struct ms_err err = { 0 };
	uint8_t root[32];
	char *text = NULL, *note = NULL, *end;
	unsigned long long old_size, to = size;
	int rc;

	old_size = strtoull(a->old_size, &end, 10);
	if (!isdigit((unsigned char)*a->old_size) || *end || (a->size && (to = strtoull(a->size, &end, 10),
									 !isdigit((unsigned char)*a->size) || *end)))
		return cli_usage(a->verb, "--old-size and --size are entry counts");
	if (old_size == 0 || old_size > to || to > size)
		return cli_usage(a->verb, "a consistency proof needs 1 <= --old-size (%llu) <= --size (%llu) <= the log's "
				 "%" PRIu64 " entries", old_size, to, size);
	p.consistency = true;
	p.old_size = old_size;
	p.tree_size = to;
	if (ms_tlog_root(&r, to, root, &err) ||
	    ms_tlog_consistency_proof(&r, old_size, to, p.path, MS_TLOG_MAX_PROOF, &p.path_len, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if ((rc = make_checkpoint(a, to, root, &note)))
		goto out;
	p.checkpoint = note;
	p.checkpoint_len = strlen(note);
	if (ms_tlog_proof_format(&p, &text, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	rc = cli_write(a->verb, text);
out:
	free(note);
	free(text);
	return rc;
}

static int log_prove(struct log_args *a)
{
	struct ms_store *s = NULL;
	struct ms_tlog_proof p = { 0 };
	struct ms_tlog_reader r;
	struct ms_entry e = { 0 };
	struct ms_err err = { 0 };
	struct last_seq last = { 0, false };
	uint8_t root[32], leaf[32];
	uint64_t size;
	char *text = NULL, *note = NULL;
	bool digits, found = false;
	int rc;

	if (a->old_size) {
		if (a->arg)
			return cli_usage(a->verb, "give DEPLOY|SEQ (an inclusion proof) or --old-size (a consistency proof)");
		if ((rc = open_head(a, &s, &size, root)))
			goto out;
		rc = log_prove_consistency(a, s, size);
		goto out;
	}
	digits = *a->arg != '\0';
	for (const char *c = a->arg; *c; c++)
		digits &= isdigit((unsigned char)*c) != 0;
	if (!digits && !ms_pin_name_valid(a->arg))
		return cli_usage(a->verb, "'%.64s' is neither an entry number nor a deployment name", a->arg);
	if (digits && (strlen(a->arg) > 19 || (a->arg[0] == '0' && a->arg[1])))
		return cli_usage(a->verb, "'%.64s' is not an entry number", a->arg);
	if ((rc = open_head(a, &s, &size, root)))
		goto out;
	if (digits) {
		last.seq = strtoull(a->arg, NULL, 10);
		last.found = last.seq < size;
	} else if (ms_store_entry_each(s, a->arg, last_entry, &last, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (!last.found || last.seq >= size) {
		fprintf(stderr, "measure: %s: no entry %s in the log of %" PRIu64 " entries\n", a->verb, a->arg, size);
		rc = 2;
		goto out;
	}
	if (ms_store_entry_get(s, last.seq, &e, &found, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if (found)
		ms_tlog_leaf_hash(e.json, strlen(e.json), leaf);
	if (!found || memcmp(leaf, e.leaf, 32)) {
		fprintf(stderr, "measure: %s: entry %" PRIu64 " is missing or does not hash to its leaf: run 'measure pin log "
				"verify'\n", a->verb, last.seq);
		rc = 1;
		goto out;
	}
	r = ms_store_reader(s);
	p.leaf_index = last.seq;
	p.tree_size = size;
	memcpy(p.leaf_hash, leaf, 32);
	if (ms_tlog_inclusion_proof(&r, last.seq, size, p.path, MS_TLOG_MAX_PROOF, &p.path_len, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	if ((rc = make_checkpoint(a, size, root, &note)))
		goto out;
	p.entry = (char *)e.json;
	p.entry_len = strlen(e.json);
	p.checkpoint = note;
	p.checkpoint_len = strlen(note);
	if (ms_tlog_proof_format(&p, &text, &err)) {
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	rc = cli_write(a->verb, text);
out:
	ms_store_close(s);
	free((char *)e.json);
	free(note);
	free(text);
	return rc;
}

/* check-proof of a consistency proof: against --old-checkpoint, and --checkpoint when given. */
static int check_consistency(struct log_args *a, const struct ms_tlog_proof *p)
{
	struct ms_checkpoint old = { 0 }, trusted = { 0 }, in_proof = { 0 };
	struct ms_note_verifier v;
	struct ms_err err = { 0 };
	bool old_signed = false, new_signed = false;
	int rc;

	if (!a->old_checkpoint) {
		rc = cli_usage(a->verb, "a consistency proof is checked against --old-checkpoint OLD, a checkpoint you trust");
		goto out;
	}
	/* the new tree head must be covered by something trusted too, or a fabricated one "extends" anything */
	if (!a->key && !a->checkpoint) {
		rc = cli_usage(a->verb, "a consistency proof needs --key PUB.pem (the checkpoints' signatures) or --checkpoint "
				 "NEW (a newer checkpoint you trust): nothing else covers its new tree");
		goto out;
	}
	if ((rc = read_checkpoint(a, a->old_checkpoint, &old, &old_signed)) ||
	    (a->checkpoint && (rc = read_checkpoint(a, a->checkpoint, &trusted, &new_signed))))
		goto out;
	if (a->key && (rc = load_verifier(a, old.origin, &v)))
		goto out;
	if (ms_tlog_consistency_check(p, a->key ? &v : NULL, &old, &in_proof, &err)) {
		rc = cli_fail(a->verb, a->arg, &err);
		goto out;
	}
	if (a->checkpoint && (strcmp(in_proof.origin, trusted.origin) || in_proof.size != trusted.size ||
			      memcmp(in_proof.root, trusted.root, 32))) {
		fprintf(stderr, "measure: %s: %s: the proof is for the tree of size %" PRIu64 " of '%s', not the trusted "
				"checkpoint (size %" PRIu64 ")\n", a->verb, a->arg, in_proof.size, in_proof.origin, trusted.size);
		rc = 1;
		goto out;
	}
	printf("the log of %" PRIu64 " entries extends the checkpoint of %" PRIu64 " entries, append-only (%s)\n",
	       p->tree_size, p->old_size, a->key ? "checkpoint signatures verified" : "checkpoint signatures not checked: no --key");
	rc = fflush(stdout) ? 2 : 0;
out:
	return rc;
}

static int log_check_proof(struct log_args *a)
{
	struct ms_tlog_proof p = { 0 };
	struct ms_checkpoint trusted = { 0 }, in_proof = { 0 };
	struct ms_note_verifier v;
	struct ms_err err = { 0 };
	uint8_t *buf = NULL;
	size_t len;
	bool signed_ok;
	cJSON *entry = NULL;
	int rc;

	if (ms_file_load(a->arg, MS_TLOG_PROOF_MAX_LEN, &buf, &len, &err) ||
	    ms_tlog_proof_parse((const char *)buf, len, &p, &err)) {
		rc = cli_fail(a->verb, a->arg, &err);
		goto out;
	}
	if (p.consistency) {
		rc = check_consistency(a, &p);
		goto out;
	}
	if (a->old_checkpoint) {
		rc = cli_usage(a->verb, "--old-checkpoint is for consistency proofs; this is an inclusion proof");
		goto out;
	}
	if (!a->checkpoint) {
		rc = cli_usage(a->verb, "give --checkpoint CP: a proof is checked against a checkpoint you trust");
		goto out;
	}
	if ((rc = read_checkpoint(a, a->checkpoint, &trusted, &signed_ok)))
		goto out;
	if (a->key && (rc = load_verifier(a, trusted.origin, &v)))
		goto out;
	if (ms_tlog_proof_check(&p, a->key ? &v : NULL, &in_proof, &err)) {
		rc = cli_fail(a->verb, a->arg, &err);
		goto out;
	}
	if (strcmp(in_proof.origin, trusted.origin) || in_proof.size != trusted.size ||
	    memcmp(in_proof.root, trusted.root, 32)) {
		fprintf(stderr, "measure: %s: %s: the proof is for the tree of size %" PRIu64 " of '%s', not the trusted "
				"checkpoint (size %" PRIu64 ")\n", a->verb, a->arg, in_proof.size, in_proof.origin, trusted.size);
		rc = 1;
		goto out;
	}
	/* the entry is printed only as log verify would read it: strict JSON, no duplicate keys */
	if (p.entry && ms_json_parse_strict(p.entry, strlen(p.entry), "entry", &entry, &err)) {
		rc = cli_fail(a->verb, a->arg, &err);
		goto out;
	}
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(entry, "deployment"),
			    *k = cJSON_GetObjectItemCaseSensitive(entry, "kind");

		printf("entry %" PRIu64 "%s%s%s%s%s is in the log of %" PRIu64 " entries (%s)\n", p.leaf_index,
		       cJSON_IsString(k) ? " (" : "", cJSON_IsString(k) ? k->valuestring : "", cJSON_IsString(d) ? " of " : "",
		       cJSON_IsString(d) ? d->valuestring : "", cJSON_IsString(k) ? ")" : "", p.tree_size,
		       signed_ok ? "checkpoint signature verified" : "checkpoint signature not checked: no --key");
	}
	rc = fflush(stdout) ? 2 : 0;
out:
	cJSON_Delete(entry);
	ms_tlog_proof_free(&p);
	free(buf);
	return rc;
}

static int export_entry(void *ctx, const struct ms_entry *e)
{
	cJSON *o = cJSON_CreateObject(), *j = cJSON_Parse(e->json);
	char *line = NULL;
	int st = MS_OK;

	(void)ctx;
	if (!o || !j) {
		st = MS_BAD_INPUT;
		goto out;
	}
	cJSON_AddNumberToObject(o, "seq", (double)e->seq);
	ms_json_add_hex(o, "leaf_hash", e->leaf, 32);
	cJSON_AddItemToObject(o, "entry", j);
	j = NULL;
	if (!(line = cJSON_PrintUnformatted(o)) || printf("%s\n", line) < 0)
		st = MS_BAD_INPUT;
out:
	free(line);
	cJSON_Delete(o);
	cJSON_Delete(j);
	return st;
}

static int log_export(struct log_args *a)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };
	int rc;

	if ((rc = pin_store_open(a->verb, a->store, false, &s)))
		goto out;
	if (ms_store_begin(s, false, &err) || ms_store_entry_each(s, NULL, export_entry, NULL, &err)) {
		if (!err.msg[0])
			ms_fail(&err, MS_BAD_INPUT, "an entry is not JSON, or writing failed");
		rc = pin_store_fail(a->verb, &err);
		goto out;
	}
	rc = fflush(stdout) ? 2 : 0;
out:
	ms_store_close(s);
	return rc;
}

int cmd_pin_log(int argc, char **argv)
{
	static const struct {
		const char *name, *verb;
		bool arg;
		int (*run)(struct log_args *a);
	} verbs[] = {
		{ "checkpoint", "pin log checkpoint", false, log_checkpoint },
		{ "verify", "pin log verify", false, log_verify },
		{ "prove", "pin log prove", true, log_prove },
		{ "check-proof", "pin log check-proof", true, log_check_proof },
		{ "export", "pin log export", false, log_export },
	};
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct log_args a;
	int rc;

	if (!verb) {
		fprintf(stderr, "measure: pin log: give verify, checkpoint, prove, check-proof or export (see 'measure pin log "
				"--help')\n");
		return 2;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		fputs(log_help, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verb, verbs[i].name))
			continue;
		if ((rc = parse(verbs[i].verb, argc - 1, argv + 1, verbs[i].arg, &a)))
			return rc < 0 ? 0 : rc;
		return verbs[i].run(&a);
	}
	fprintf(stderr, "measure: pin log: unknown verb '%.64s' (see 'measure pin log --help')\n", verb);
	return 2;
}
