/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin/checkpoint.c: checkpoints, signed notes and the proof JSON. Known answers
 * come from golang.org/x/mod/sumdb/note's published example (copied as facts)
 * and from the notes in fixtures/tlog/, made by tests/make_tlog_fixtures.py with the
 * openssl CLI (tests/cli/test_tlog.sh remakes them and compares).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../helpers.h"

#include "../../pin/checkpoint.h"

/* The example of golang.org/x/mod/sumdb/note (note.go, note_test.go). */
#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_SKEY_B64 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" /* 0x01 || Ed25519 seed */
#define GO_TEXT "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
#define GO_NOTE GO_TEXT "\n\xe2\x80\x94 PeterNeumann " \
	"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
/* Other verifier keys of the same tests and of transparency-dev/formats (its base64 holds a '+'). */
#define ENOCH_VKEY "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define PLUS_VKEY "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"

static char *load_text(const char *rel, size_t *len)
{
	char *t = (char *)load_fixture(rel, len);

	t = realloc(t, *len + 1);
	assert_non_null(t);
	t[*len] = '\0';
	return t;
}

/* The Go example's private key as a PKCS#8 PEM: the fixed Ed25519 prefix, then the seed. */
static char *go_private_pem(void)
{
	static const uint8_t prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					    0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	uint8_t *skey = NULL, der[48];
	size_t skey_len = 0;
	struct ms_err err = { 0 };
	char b64[80], *pem;

	assert_int_equal(ms_base64_decode(GO_SKEY_B64, strlen(GO_SKEY_B64), &skey, &skey_len, "skey", &err), MS_OK);
	assert_int_equal(skey_len, 33);
	assert_int_equal(skey[0], 0x01);
	memcpy(der, prefix, 16);
	memcpy(der + 16, skey + 1, 32);
	free(skey);
	ms_base64_encode(der, sizeof(der), b64);
	assert_true(asprintf(&pem, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64) > 0);
	return pem;
}

static void go_known_answer(void **state)
{
	struct ms_note_verifier v, from_pem;
	struct ms_err err = { 0 };
	size_t text_len = 0, len = 0;
	char *pem = go_private_pem(), *note = NULL, *vkey = NULL;

	(void)state;
	assert_int_equal(ms_note_verifier_parse(GO_VKEY, strlen(GO_VKEY), &v, &err), MS_OK);
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.key_id, 0xc74f20a3);
	assert_int_equal(ms_note_verify(GO_NOTE, strlen(GO_NOTE), &v, &text_len, &err), MS_OK);
	assert_int_equal(text_len, strlen(GO_TEXT));
	/* Signing with the same key reproduces Go's note byte for byte (Ed25519 is deterministic). */
	assert_int_equal(ms_note_sign(GO_TEXT, strlen(GO_TEXT), "PeterNeumann", pem, strlen(pem), &note, &len, &err),
			 MS_OK);
	assert_int_equal(len, strlen(GO_NOTE));
	assert_string_equal(note, GO_NOTE);
	/* The verifier made from the private key is the published one. */
	assert_int_equal(ms_note_verifier_from_pem("PeterNeumann", pem, strlen(pem), &from_pem, &err), MS_OK);
	assert_int_equal(ms_note_verifier_format(&from_pem, &vkey, &err), MS_OK);
	assert_string_equal(vkey, GO_VKEY);
	/* One changed letter in the text. */
	{
		char bad[] = GO_NOTE;

		bad[10] = 'C';
		assert_int_equal(ms_note_verify(bad, strlen(bad), &v, &text_len, &err), MS_BAD_SIGNATURE);
	}
	free(vkey);
	free(note);
	free(pem);
}

static void verifier_keys(void **state)
{
	static const char *const good[] = { GO_VKEY, ENOCH_VKEY, PLUS_VKEY };
	struct ms_note_verifier v;
	struct ms_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *back = NULL;

		if (ms_note_verifier_parse(good[i], strlen(good[i]), &v, &err) != MS_OK)
			fail_msg("%s: %s", good[i], err.msg);
		assert_int_equal(ms_note_verifier_format(&v, &back, &err), MS_OK);
		assert_string_equal(back, good[i]);
		free(back);
	}
	/* Every proper substring, and every single byte changed, is refused (as Go's tests do). */
	{
		const char *k = GO_VKEY;
		size_t n = strlen(k);
		char buf[128];

		for (size_t i = 0; i <= n; i++)
			for (size_t j = i + 1; j <= n; j++) {
				if (i == 0 && j == n)
					continue;
				memcpy(buf, k + i, j - i);
				if (ms_note_verifier_parse(buf, j - i, &v, &err) == MS_OK)
					fail_msg("accepted substring [%zu, %zu)", i, j);
			}
		for (size_t i = 0; i < n; i++) {
			memcpy(buf, k, n);
			buf[i]++;
			if (ms_note_verifier_parse(buf, n, &v, &err) == MS_OK)
				fail_msg("accepted a change at %zu", i);
		}
	}
	/* Another signature type. */
	{
		static const char type4[] = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";

		assert_int_equal(ms_note_verifier_parse(type4, strlen(type4), &v, &err), MS_UNSUPPORTED);
	}
}

static void fixture_notes(void **state)
{
	struct ms_note_verifier v, vp;
	struct ms_checkpoint cp, plain;
	struct ms_err err = { 0 };
	size_t vkey_len, pub_len, key_len, note_len, text_len, len = 0;
	char *vkey = load_text("tlog/note.vkey", &vkey_len);
	char *pub = load_text("tlog/note-pub.pem", &pub_len);
	char *key = load_text("tlog/note-key.pem", &key_len);
	char *note = load_text("tlog/checkpoint.note", &note_len);
	char *text = load_text("tlog/checkpoint.txt", &text_len);
	char *mine = NULL, *formatted = NULL;

	(void)state;
	assert_true(vkey_len > 0 && vkey[vkey_len - 1] == '\n');
	assert_int_equal(ms_note_verifier_parse(vkey, vkey_len - 1, &v, &err), MS_OK);
	assert_int_equal(ms_note_verifier_from_pem("measure.example/test-log", pub, pub_len, &vp, &err), MS_OK);
	assert_memory_equal(&v, &vp, sizeof(v));
	assert_int_equal(ms_checkpoint_open(note, note_len, &v, &cp, &err), MS_OK);
	assert_string_equal(cp.origin, "measure.example/test-log");
	assert_int_equal(cp.size, 70);
	assert_string_equal(cp.extensions, "");
	assert_int_equal(ms_checkpoint_parse(text, text_len, &plain, &err), MS_OK);
	assert_memory_equal(&cp, &plain, sizeof(cp));
	assert_int_equal(ms_checkpoint_format(&cp, &formatted, &len, &err), MS_OK);
	assert_int_equal(len, text_len);
	assert_memory_equal(formatted, text, len);
	/* Our signer over the same text gives the note the openssl CLI made. */
	assert_int_equal(ms_note_sign(text, text_len, "measure.example/test-log", key, key_len, &mine, &len, &err),
			 MS_OK);
	assert_int_equal(len, note_len);
	assert_memory_equal(mine, note, len);
	/* A public key cannot sign. */
	free(mine);
	assert_int_equal(ms_note_sign(text, text_len, "measure.example/test-log", pub, pub_len, &mine, &len, &err),
			 MS_BAD_INPUT);
	assert_null(mine);
	{
		size_t l;
		char *co = load_text("tlog/checkpoint-cosigned.note", &l);
		char *wit = load_text("tlog/checkpoint-witness-only.note", &l);
		char *ext = load_text("tlog/checkpoint-ext.note", &l);

		assert_int_equal(ms_checkpoint_open(co, strlen(co), &v, &cp, &err), MS_OK);
		assert_int_equal(cp.size, 70);
		assert_int_equal(ms_checkpoint_open(wit, strlen(wit), &v, &cp, &err), MS_BAD_SIGNATURE);
		assert_non_null(strstr(err.msg, "no signature by measure.example/test-log"));
		assert_int_equal(ms_checkpoint_open(ext, strlen(ext), &v, &cp, &err), MS_OK);
		assert_string_equal(cp.extensions, "timestamp 1764547200\n");
		free(co);
		free(wit);
		free(ext);
	}
	free(formatted);
	free(vkey);
	free(pub);
	free(key);
	free(note);
	free(text);
}

/* Replaces the first occurrence of from by to in a copy of s. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(at - s));
	strcpy(out + (at - s), to);
	strcat(out, at + strlen(from));
	return out;
}

static void tampered_and_malformed_notes(void **state)
{
	struct ms_note_verifier v, other;
	struct ms_err err = { 0 };
	size_t vkey_len, note_len, text_len;
	char *vkey = load_text("tlog/note.vkey", &vkey_len);
	char *note = load_text("tlog/checkpoint.note", &note_len);
	const char *sig = strstr(note, "\xe2\x80\x94 ");
	char *b64 = strrchr(note, ' ') + 1;

	(void)state;
	assert_int_equal(ms_note_verifier_parse(vkey, vkey_len - 1, &v, &err), MS_OK);
	assert_non_null(sig);
	/* Tampered body, signature, key name; a verifier of another name. */
	{
		char *t = replace(note, "\n70\n", "\n71\n");

		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_SIGNATURE);
		free(t);
	}
	for (size_t i = 6; i < 86; i += 7) { /* past the key id: the signature bytes */
		char *t = strdup(note);

		t[b64 - note + (long)i] = t[b64 - note + (long)i] == 'A' ? 'B' : 'A';
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_SIGNATURE);
		free(t);
	}
	{
		char *t = replace(note, "\xe2\x80\x94 measure.example/test-log ", "\xe2\x80\x94 measure.example/test-lot ");

		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_SIGNATURE);
		free(t);
	}
	other = v;
	strcpy(other.name, "measure.example/other");
	assert_int_equal(ms_note_verify(note, note_len, &other, &text_len, &err), MS_BAD_SIGNATURE);
	/* A signature with our name and key id that is not 64 bytes is a failed signature, not ignored. */
	{
		char *t = replace(note, b64, "qffgZgAAAAA=\n");

		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_SIGNATURE);
		free(t);
	}
	/* Malformed. */
	{
		static const char *const bad[][2] = {
			{ "\n70\n", "\n7\x01\n" },                      /* control character */
			{ "\n70\n", "\n7\xc3\n" },                      /* truncated UTF-8 */
			{ "\n70\n", "\n7\xc0\xaf\n" },                  /* overlong UTF-8 */
			{ "\n70\n", "\n70\r\n" },                       /* CR */
			{ "\xe2\x80\x94 ", "- " },                      /* hyphen for the em dash */
			{ "\xe2\x80\x94 ", "\xe2\x80\x94" },            /* no space after it */
			{ "\xe2\x80\x94 measure.example/test-log ", "\xe2\x80\x94  " },  /* empty name */
			{ "measure.example/test-log q", "measure+example q" },            /* '+' in the name */
			{ "measure.example/test-log q", "measure\xc2\xa0" "example q" },  /* a Unicode space */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *t = replace(note, bad[i][0], bad[i][1]);

			if (ms_note_verify(t, strlen(t), &v, &text_len, &err) != MS_BAD_INPUT)
				fail_msg("malformed note %zu: %s", i, err.msg);
			free(t);
		}
	}
	{
		char *t = strndup(note, note_len - 1); /* no final newline */

		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
		t = replace(note, "=\n\n", "=\n"); /* no empty line */
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
		t = replace(note, b64, "qffgZg==\n"); /* a key id and no signature */
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
		t = replace(note, b64, "qffgZjZDrQxIV/51C1AlCBpiNke/e92+cRjkwSV8tEBZULPmLmI82s3RNvfOSLNYnjReQvLkBZxB9QN7S/+EvkLV/Qw\n");
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT); /* unpadded */
		free(t);
		t = replace(note, b64, "qffgZjZD rQxIV\n");
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
		/* The text ends at the LAST empty line: one more makes it another text. */
		t = replace(note, "=\n\n\xe2", "=\n\n\n\xe2");
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_SIGNATURE);
		free(t);
		/* An empty line after the signatures: then nothing follows the last one. */
		t = malloc(note_len + 2);
		memcpy(t, note, note_len);
		strcpy(t + note_len, "\n");
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
		assert_int_equal(ms_note_verify("", 0, &v, &text_len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_verify("\n\n", 2, &v, &text_len, &err), MS_BAD_INPUT);
	}
	/* More signatures than the limit; a huge note. */
	{
		size_t line = note_len - (size_t)(sig - note), n = (size_t)(sig - note);
		char *t = malloc(n + line * (MS_NOTE_MAX_SIGS + 1) + 1);

		memcpy(t, note, n);
		for (int i = 0; i <= MS_NOTE_MAX_SIGS; i++)
			memcpy(t + n + (size_t)i * line, sig, line);
		t[n + line * (MS_NOTE_MAX_SIGS + 1)] = '\0';
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_BAD_INPUT);
		/* Exactly the limit, all by our key: fine. */
		t[n + line * MS_NOTE_MAX_SIGS] = '\0';
		assert_int_equal(ms_note_verify(t, strlen(t), &v, &text_len, &err), MS_OK);
		free(t);
		t = calloc(1, MS_NOTE_MAX_LEN + 2);
		memset(t, 'a', MS_NOTE_MAX_LEN + 1);
		assert_int_equal(ms_note_verify(t, MS_NOTE_MAX_LEN + 1, &v, &text_len, &err), MS_BAD_INPUT);
		free(t);
	}
	/* The spec bans only characters below U+0020 (newline aside): DEL and non-ASCII text are fine. */
	{
		static const char text[] = "del \x7f, caf\xc3\xa9, \xe2\x80\x94 dash\n";
		size_t key_len, len = 0, tl = 0;
		char *key = load_text("tlog/note-key.pem", &key_len), *signed_note = NULL;

		assert_int_equal(ms_note_sign(text, strlen(text), v.name, key, key_len, &signed_note, &len, &err), MS_OK);
		assert_int_equal(ms_note_verify(signed_note, len, &v, &tl, &err), MS_OK);
		assert_int_equal(tl, strlen(text));
		free(signed_note);
		free(key);
	}
	/* Signing refuses what it could not sign into a valid note. */
	{
		char *out = NULL;
		size_t len, key_len;
		char *key = load_text("tlog/note-key.pem", &key_len);

		assert_int_equal(ms_note_sign("no newline", 10, "a", key, key_len, &out, &len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_sign("tab\there\n", 9, "a", key, key_len, &out, &len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_sign("x\n", 2, "a b", key, key_len, &out, &len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_sign("x\n", 2, "a+b", key, key_len, &out, &len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_sign("x\n", 2, "", key, key_len, &out, &len, &err), MS_BAD_INPUT);
		assert_int_equal(ms_note_sign("x\n", 2, "a", "garbage", 7, &out, &len, &err), MS_BAD_INPUT);
		assert_null(out);
		free(key);
	}
	free(vkey);
	free(note);
}

static void not_ed25519(void **state)
{
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	struct ms_note_verifier v;
	struct ms_err err = { 0 };
	char *data, *out = NULL;
	size_t len;
	long n;

	(void)state;
	assert_non_null(p256);
	assert_int_equal(PEM_write_bio_PrivateKey(bio, p256, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(ms_note_verifier_from_pem("a", data, (size_t)n, &v, &err), MS_UNSUPPORTED);
	assert_int_equal(ms_note_sign("x\n", 2, "a", data, (size_t)n, &out, &len, &err), MS_UNSUPPORTED);
	assert_null(out);
	BIO_free(bio);
	EVP_PKEY_free(p256);
}

static void checkpoint_strict(void **state)
{
	static const char *const good[] = {
		"o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"example.com/log42\n18446744073709551615\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"caf\xc3\xa9 log with spaces\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nx\ny z\n",
	};
	static const char *const bad[] = {
		"",
		"o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",          /* no final newline */
		"\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",         /* empty origin */
		"o\n00\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",       /* leading zero */
		"o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n+1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n 1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n1 \n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n0x10\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", /* 2^64 */
		"o\n99999999999999999999\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",          /* unpadded */
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n",         /* stray bits */
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n",         /* 31 bytes */
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA\n",         /* 33 bytes */
		"o\n1\n47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n",         /* base64url */
		"o\n1\n 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n1\n",                                                         /* no root */
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",       /* empty extension line */
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nx",        /* unterminated extension */
		"o\r\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",      /* CR */
		"o\xff\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",    /* not UTF-8 */
	};
	struct ms_checkpoint cp;
	struct ms_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *back = NULL;
		size_t len;

		if (ms_checkpoint_parse(good[i], strlen(good[i]), &cp, &err) != MS_OK)
			fail_msg("refused %zu: %s", i, err.msg);
		assert_int_equal(ms_checkpoint_format(&cp, &back, &len, &err), MS_OK);
		assert_string_equal(back, good[i]);
		free(back);
	}
	assert_int_equal(ms_checkpoint_parse(good[1], strlen(good[1]), &cp, &err), MS_OK);
	assert_true(cp.size == UINT64_MAX);
	assert_hex_equal(cp.root, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ms_checkpoint_parse(bad[i], strlen(bad[i]), &cp, &err) != MS_BAD_INPUT)
			fail_msg("accepted bad checkpoint %zu", i);
	/* Limits: origin of 256 bytes fine, 257 not; 16 extension lines fine, 17 not. */
	{
		char text[4096];
		const char *tail = "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";

		memset(text, 'o', 256);
		strcpy(text + 256, tail);
		assert_int_equal(ms_checkpoint_parse(text, strlen(text), &cp, &err), MS_OK);
		memset(text, 'o', 257);
		strcpy(text + 257, tail);
		assert_int_equal(ms_checkpoint_parse(text, strlen(text), &cp, &err), MS_BAD_INPUT);
		strcpy(text, "o");
		strcat(text, tail);
		for (int i = 0; i < 16; i++)
			strcat(text, "ext\n");
		assert_int_equal(ms_checkpoint_parse(text, strlen(text), &cp, &err), MS_OK);
		strcat(text, "ext\n");
		assert_int_equal(ms_checkpoint_parse(text, strlen(text), &cp, &err), MS_BAD_INPUT);
	}
	/* Formatting refuses what parsing would refuse. */
	memset(&cp, 0, sizeof(cp));
	{
		char *out = NULL;

		assert_int_equal(ms_checkpoint_format(&cp, &out, NULL, &err), MS_BAD_INPUT); /* empty origin */
		strcpy(cp.origin, "o\nx");
		assert_int_equal(ms_checkpoint_format(&cp, &out, NULL, &err), MS_BAD_INPUT);
		strcpy(cp.origin, "o");
		strcpy(cp.extensions, "no newline");
		assert_int_equal(ms_checkpoint_format(&cp, &out, NULL, &err), MS_BAD_INPUT);
		assert_null(out);
	}
}

static void proof_json(void **state)
{
	struct ms_tlog_proof p, q;
	struct ms_note_verifier v;
	struct ms_checkpoint cp;
	struct ms_err err = { 0 };
	size_t len, vkey_len;
	char *json = load_text("tlog/proof.json", &len);
	char *vkey = load_text("tlog/note.vkey", &vkey_len);
	char *out = NULL;

	(void)state;
	assert_int_equal(ms_note_verifier_parse(vkey, vkey_len - 1, &v, &err), MS_OK);
	assert_int_equal(ms_tlog_proof_parse(json, len, &p, &err), MS_OK);
	assert_int_equal(p.leaf_index, 9);
	assert_int_equal(p.tree_size, 70);
	assert_string_equal(p.entry, "measure tlog vector 9");
	assert_int_equal(ms_tlog_proof_check(&p, &v, &cp, &err), MS_OK);
	assert_int_equal(cp.size, 70);
	assert_int_equal(ms_tlog_proof_check(&p, NULL, &cp, &err), MS_OK);
	/* Our writer's output reads back to the same proof, and verifies. */
	assert_int_equal(ms_tlog_proof_format(&p, &out, &err), MS_OK);
	assert_int_equal(ms_tlog_proof_parse(out, strlen(out), &q, &err), MS_OK);
	assert_int_equal(q.path_len, p.path_len);
	assert_memory_equal(q.path, p.path, sizeof(p.path));
	assert_string_equal(q.checkpoint, p.checkpoint);
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_OK);
	ms_tlog_proof_free(&q);
	free(out);
	/* Tampered: index, size, entry, a path hash, the leaf hash, the checkpoint's signature. */
	q = p;
	q.leaf_index = 8;
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	q = p;
	q.tree_size = 69;
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	q = p;
	q.entry = "measure tlog vector 8";
	q.entry_len = strlen(q.entry);
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	q = p;
	q.entry = NULL;
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_OK); /* the leaf hash alone still proves */
	for (size_t k = 0; k < p.path_len; k++) {
		q = p;
		q.path[k][5] ^= 0x40;
		assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	}
	q = p;
	q.path_len--;
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	q = p;
	q.leaf_hash[0] ^= 1;
	q.entry = NULL;
	assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_MISMATCH);
	{
		char *t = replace(p.checkpoint, "\n70\n", "\n71\n");

		q = p;
		q.checkpoint = t;
		q.checkpoint_len = strlen(t);
		assert_int_equal(ms_tlog_proof_check(&q, &v, NULL, &err), MS_BAD_SIGNATURE);
		/* Without a key the text is taken as it is: the size no longer matches the proof. */
		assert_int_equal(ms_tlog_proof_check(&q, NULL, NULL, &err), MS_MISMATCH);
		free(t);
	}
	ms_tlog_proof_free(&p);

	/* Strict parsing. */
	{
		static const char *const bad[][2] = {
			{ "\"leaf_index\": 9", "\"leaf_index\": 9, \"leaf_index\": 9" },
			{ "\"leaf_index\": 9", "\"leaf_index\": 9, \"extra\": 1" },
			{ "\"leaf_index\": 9,", "" },
			{ "\"leaf_index\": 9", "\"leaf_index\": \"9\"" },
			{ "\"leaf_index\": 9", "\"leaf_index\": -9" },
			{ "\"leaf_index\": 9", "\"leaf_index\": 9.0" },
			{ "\"leaf_index\": 9", "\"leaf_index\": 9e0" },
			{ "\"leaf_index\": 9", "\"leaf_index\": 70" },
			{ "\"leaf_index\": 9", "\"leaf_index\": 18446744073709551616" },
			{ "\"tree_size\": 70", "\"tree_size\": null" },
			{ "\"leaf_hash\": \"0e", "\"leaf_hash\": \"0x" },
			{ "\"leaf_hash\": \"0e", "\"leaf_hash\": \"e" },
			{ "\"inclusion_path\": [", "\"inclusion_path\": [1, " },
			{ "\"inclusion_path\": [", "\"inclusion_path\": {\"a\": [" },
			{ "\"entry\": \"", "\"entry\": 5, \"x\": \"" },
			{ "\"checkpoint\": \"", "\"checkpoint\": [\"" },
			{ "\n}\n", "\n}\n{}" },
		};
		char *base = load_text("tlog/proof.json", &len);

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *t = replace(base, bad[i][0], bad[i][1]);

			if (ms_tlog_proof_parse(t, strlen(t), &p, &err) != MS_BAD_INPUT)
				fail_msg("accepted bad proof %zu (%s)", i, err.msg);
			assert_null(p.checkpoint);
			free(t);
		}
		{
			char *t = replace(base, "measure/tlog-proof/v1", "measure/tlog-proof/v2");

			assert_int_equal(ms_tlog_proof_parse(t, strlen(t), &p, &err), MS_UNSUPPORTED);
			free(t);
		}
		{
			/* 65 path hashes. */
			char *list = malloc(65 * 69 + 1), *t;

			list[0] = '\0';
			for (int i = 0; i < 65; i++)
				strcat(list, "\"0000000000000000000000000000000000000000000000000000000000000000\", ");
			{
				char *pre = malloc(strlen(list) + 32);

				sprintf(pre, "\"inclusion_path\": [%s", list);
				t = replace(base, "\"inclusion_path\": [", pre);
				free(pre);
			}
			assert_int_equal(ms_tlog_proof_parse(t, strlen(t), &p, &err), MS_BAD_INPUT);
			free(t);
			free(list);
		}
		assert_int_equal(ms_tlog_proof_parse("[]", 2, &p, &err), MS_BAD_INPUT);
		assert_int_equal(ms_tlog_proof_parse("", 0, &p, &err), MS_BAD_INPUT);
		free(base);
	}
	free(json);
	free(vkey);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(go_known_answer),
		cmocka_unit_test(verifier_keys),
		cmocka_unit_test(fixture_notes),
		cmocka_unit_test(tampered_and_malformed_notes),
		cmocka_unit_test(not_ed25519),
		cmocka_unit_test(checkpoint_strict),
		cmocka_unit_test(proof_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
