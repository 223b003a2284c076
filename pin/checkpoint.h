/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_CHECKPOINT_H
#define MS_CHECKPOINT_H

/*
 * Checkpoints (C2SP tlog-checkpoint), signed notes (C2SP signed-note, Ed25519)
 * and the inclusion-proof JSON that `measure pin log prove` prints and
 * `measure pin log check-proof` reads. All parsers are strict: anything not
 * exactly as described is MS_BAD_INPUT with the field and byte offset.
 *
 * Checkpoint text (the body of a note), every line ending in '\n':
 *     <origin>                 1..256 bytes of UTF-8, no control characters
 *     <tree size>              decimal, no sign, no leading zero (except "0"), < 2^64
 *     <root hash>              standard base64 with padding of exactly 32 bytes
 *     [<extension line>]...    optional, each non-empty, at most 16, at most 1024 bytes together
 *
 * Signed note: the text, an empty line, then one or more lines
 *     "\u2014 <key name> <base64(4-byte big-endian key id || 64-byte Ed25519 signature)>\n"
 * The signature covers the text including its final newline. Key id =
 * SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[0..4). A key name is
 * 1..256 bytes of UTF-8 with no Unicode space and no '+'. Whole note: valid
 * UTF-8, no control character but '\n', at most MS_NOTE_MAX_LEN bytes and
 * MS_NOTE_MAX_SIGS signatures.
 *
 * Inclusion-proof JSON (one object, written with the keys in this order;
 * parsing takes them in any order but refuses unknown, missing or duplicate
 * keys, wrong types and trailing data; hashes are 64 hex digits, either case):
 *     {
 *       "schema": "measure/tlog-proof/v1",
 *       "leaf_index": 5,                 integer, < tree_size
 *       "tree_size": 9,                  integer, equal to the checkpoint's size
 *       "leaf_hash": "<64 lowercase hex>",
 *       "inclusion_path": ["<64 hex>", ...],   RFC 9162 order, leaf side first, at most 64
 *       "entry": "<the logged entry text>",   optional; if present leaf_hash = SHA-256(0x00 || entry)
 *       "checkpoint": "<the checkpoint note text, signed or not>"
 *     }
 * Integers are JSON numbers written without sign, fraction or exponent.
 *
 * Consistency-proof JSON (the same rules), that the tree of old_size leaves is
 * a prefix of the checkpoint's tree:
 *     {
 *       "schema": "measure/tlog-consistency/v1",
 *       "old_size": 3,                   integer, 1 .. tree_size
 *       "tree_size": 9,                  integer, equal to the checkpoint's size
 *       "consistency_path": ["<64 hex>", ...],  RFC 9162 2.1.4 order, at most 64
 *       "checkpoint": "<the checkpoint note of tree_size>"
 *     }
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"
#include "tlog.h"

#define MS_CHECKPOINT_MAX_ORIGIN 256
#define MS_CHECKPOINT_MAX_EXTENSIONS 16
#define MS_CHECKPOINT_MAX_EXTENSION_BYTES 1024
#define MS_NOTE_MAX_NAME 256
#define MS_NOTE_MAX_LEN 65536
#define MS_NOTE_MAX_SIGS 32
#define MS_ED25519_KEY_LEN 32
#define MS_ED25519_SIG_LEN 64
#define MS_TLOG_PROOF_SCHEMA "measure/tlog-proof/v1"
#define MS_TLOG_CONSISTENCY_SCHEMA "measure/tlog-consistency/v1"
/* The largest proof JSON ms_tlog_proof_parse accepts. */
#define MS_TLOG_PROOF_MAX_LEN (4 * 1024 * 1024)

struct ms_checkpoint {
	char origin[MS_CHECKPOINT_MAX_ORIGIN + 1];      /* NUL-terminated */
	uint64_t size;
	uint8_t root[MS_TLOG_HASH_LEN];
	/* Extension lines, each with its '\n', concatenated; "" when none. */
	char extensions[MS_CHECKPOINT_MAX_EXTENSION_BYTES + 1];
};

/* Formats cp as checkpoint text into a new NUL-terminated string (*len excludes the NUL); free() it. */
int ms_checkpoint_format(const struct ms_checkpoint *cp, char **out, size_t *len, struct ms_err *err);
/* Parses checkpoint text (a note's text, no signatures) strictly. */
int ms_checkpoint_parse(const char *text, size_t len, struct ms_checkpoint *cp, struct ms_err *err);

/* A public key that notes are verified against. */
struct ms_note_verifier {
	char name[MS_NOTE_MAX_NAME + 1];                /* NUL-terminated key name */
	uint32_t key_id;
	uint8_t public_key[MS_ED25519_KEY_LEN];
};

/*
 * Builds a verifier for key `name` from a PEM Ed25519 key: a PUBLIC KEY, or a
 * PRIVATE KEY whose public half is taken. MS_BAD_INPUT for a bad name or PEM,
 * MS_UNSUPPORTED for a key that is not Ed25519.
 */
int ms_note_verifier_from_pem(const char *name, const void *pem, size_t pem_len,
			      struct ms_note_verifier *v, struct ms_err *err);
/* Parses a C2SP verifier key "<name>+<8 hex key id>+<base64(0x01 || 32-byte key)>"; the key id must match. */
int ms_note_verifier_parse(const char *vkey, size_t len, struct ms_note_verifier *v, struct ms_err *err);
/* Formats v as a verifier key string (new NUL-terminated string; free() it). */
int ms_note_verifier_format(const struct ms_note_verifier *v, char **out, struct ms_err *err);

/*
 * Signs note text (non-empty, ending in '\n', no control characters but '\n',
 * valid UTF-8) with a PEM Ed25519 PRIVATE KEY under key `name`: *out receives
 * the text, the empty line and one signature line (new NUL-terminated string,
 * *out_len excludes the NUL; free() it).
 */
int ms_note_sign(const char *text, size_t text_len, const char *name, const void *key_pem, size_t key_pem_len,
		 char **out, size_t *out_len, struct ms_err *err);

/*
 * Verifies a signed note against v. Signatures by other keys (another name or
 * another key id) are ignored; a signature whose name and key id are v's must
 * verify, and at least one must. On MS_OK *text_len is the length of the note
 * text (note[0..*text_len), final newline included). MS_BAD_INPUT for a
 * malformed note, MS_BAD_SIGNATURE when no signature by v verifies or one fails.
 */
int ms_note_verify(const char *note, size_t len, const struct ms_note_verifier *v, size_t *text_len,
		   struct ms_err *err);

/*
 * Splits a note into text and signature lines WITHOUT verifying anything, and
 * checks it is well formed; *text_len as above. For showing a note, or for a
 * caller that compares the text with a checkpoint it already trusts.
 */
int ms_note_split(const char *note, size_t len, size_t *text_len, struct ms_err *err);

/* ms_note_verify, then ms_checkpoint_parse of the text. */
int ms_checkpoint_open(const char *note, size_t len, const struct ms_note_verifier *v, struct ms_checkpoint *cp,
		       struct ms_err *err);

/* One inclusion proof, or with consistency set one consistency proof, as in the JSON above. */
struct ms_tlog_proof {
	bool consistency;       /* a consistency proof: old_size, tree_size, path, checkpoint */
	uint64_t old_size;
	uint64_t leaf_index;
	uint64_t tree_size;
	uint8_t leaf_hash[MS_TLOG_HASH_LEN];
	uint8_t path[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN];
	size_t path_len;
	char *entry;            /* NULL when absent; owned */
	size_t entry_len;
	char *checkpoint;       /* the checkpoint note, NUL-terminated; owned */
	size_t checkpoint_len;
};

/* Serializes p as the JSON above (new NUL-terminated string ending in '\n'; free() it). */
int ms_tlog_proof_format(const struct ms_tlog_proof *p, char **out, struct ms_err *err);
/* Parses the JSON above strictly into *p (zeroed first); release with ms_tlog_proof_free. */
int ms_tlog_proof_parse(const char *text, size_t len, struct ms_tlog_proof *p, struct ms_err *err);
void ms_tlog_proof_free(struct ms_tlog_proof *p);

/*
 * Checks a consistency proof offline: the embedded checkpoint is opened as by
 * ms_tlog_proof_check (with v its signature must verify), its size must be
 * tree_size, old (a checkpoint the caller trusts) must be of old_size and the
 * same origin, and the path must prove old's root a prefix of the embedded
 * checkpoint's (RFC 9162 2.1.4.2). *cp (may be NULL) receives the embedded
 * checkpoint. Errors as ms_tlog_proof_check.
 */
int ms_tlog_consistency_check(const struct ms_tlog_proof *p, const struct ms_note_verifier *v,
			      const struct ms_checkpoint *old, struct ms_checkpoint *cp, struct ms_err *err);
/*
 * Checks a proof offline. With v, the checkpoint note must verify against v
 * (ms_checkpoint_open); with v NULL its text is only parsed (a note's
 * signature lines must be well formed but are not checked; plain checkpoint
 * text is taken too) and the caller must compare *cp with a checkpoint it trusts. Then: tree_size equals the
 * checkpoint's size, the entry (if present) hashes to leaf_hash, and the
 * inclusion path leads to the checkpoint's root (RFC 9162 2.1.3.2).
 * *cp (may be NULL) receives the checkpoint. MS_BAD_INPUT malformed,
 * MS_BAD_SIGNATURE checkpoint signature, MS_MISMATCH the proof does not hold.
 */
int ms_tlog_proof_check(const struct ms_tlog_proof *p, const struct ms_note_verifier *v, struct ms_checkpoint *cp,
			struct ms_err *err);

#endif
