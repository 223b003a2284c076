/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict RFC 8259 parser that builds cJSON trees. cJSON's own parser
 * accepts duplicate keys, trailing text after a NUL, lone surrogates and
 * invalid UTF-8, and rounds every number to a double; inputs that decide a
 * verdict (policies, manifests) must not be read that leniently.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"

struct parser {
	const char *s;
	size_t len, pos;
	const char *what;
	struct ms_err *err;
	enum ms_status st;
};

static void bad(struct parser *p, size_t at, const char *problem)
{
	if (!p->st)
		p->st = ms_fail(p->err, MS_BAD_INPUT, "%s: %s at offset 0x%zx", p->what, problem, at);
}

static void ws(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

/* Length of the valid UTF-8 sequence at s[0..n) (1-4), or 0 (RFC 3629: no overlong form, surrogate or > U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at p->pos (the opening quote); returns it unescaped (malloc'd, NUL-terminated) or NULL. */
static char *string(struct parser *p)
{
	size_t start = p->pos, o = 0, end;
	char *out = NULL, *ret = NULL;

	/* the unescaped text is never longer than the escaped text */
	for (end = start + 1; end < p->len && p->s[end] != '"'; end++)
		if (p->s[end] == '\\')
			end++;
	out = malloc(end - start + 1);
	if (!out) {
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
		goto out;
	}
	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			bad(p, start, "unterminated string");
			goto out;
		}
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c == 0) {
			bad(p, p->pos, "NUL byte in a string");
			goto out;
		}
		if (c < 0x20) {
			bad(p, p->pos, "unescaped control character in a string");
			goto out;
		}
		if (c == '\\') {
			size_t at = p->pos;
			char e;
			int cp;

			if (p->pos + 1 >= p->len) {
				bad(p, at, "unterminated string");
				goto out;
			}
			e = p->s[p->pos + 1];
			p->pos += 2;
			switch (e) {
			case '"': out[o++] = '"'; continue;
			case '\\': out[o++] = '\\'; continue;
			case '/': out[o++] = '/'; continue;
			case 'b': out[o++] = '\b'; continue;
			case 'f': out[o++] = '\f'; continue;
			case 'n': out[o++] = '\n'; continue;
			case 'r': out[o++] = '\r'; continue;
			case 't': out[o++] = '\t'; continue;
			case 'u': break;
			default:
				bad(p, at, "invalid escape in a string");
				goto out;
			}
			if (p->len - p->pos < 4 || (cp = hex4(p->s + p->pos)) < 0) {
				bad(p, at, "invalid \\u escape in a string");
				goto out;
			}
			p->pos += 4;
			if (cp == 0) {
				bad(p, at, "\\u0000 (NUL) in a string");
				goto out;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				bad(p, at, "lone low surrogate in a string");
				goto out;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo;

				if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
				    (lo = hex4(p->s + p->pos + 2)) < 0xdc00 || lo > 0xdfff) {
					bad(p, at, "lone high surrogate in a string");
					goto out;
				}
				p->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(out + o, (unsigned)cp);
			continue;
		}
		{
			size_t n = utf8_len((const unsigned char *)p->s + p->pos, p->len - p->pos);

			if (!n) {
				bad(p, p->pos, "invalid UTF-8 in a string");
				goto out;
			}
			memcpy(out + o, p->s + p->pos, n);
			o += n;
			p->pos += n;
		}
	}
	out[o] = '\0';
	ret = out;
	out = NULL;
out:
	free(out);
	return ret;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static cJSON *number(struct parser *p)
{
	size_t start = p->pos, n;
	const char *s = p->s;
	char *lit = NULL;
	cJSON *item = NULL, *ret = NULL;
	double v;

	if (p->pos < p->len && s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || !digit(s[p->pos])) {
		bad(p, start, "invalid number");
		goto out;
	}
	if (s[p->pos] == '0' && p->pos + 1 < p->len && digit(s[p->pos + 1])) {
		bad(p, start, "number with a leading zero");
		goto out;
	}
	while (p->pos < p->len && digit(s[p->pos]))
		p->pos++;
	if (p->pos < p->len && s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || !digit(s[p->pos])) {
			bad(p, start, "invalid number (no digit after '.')");
			goto out;
		}
		while (p->pos < p->len && digit(s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || !digit(s[p->pos])) {
			bad(p, start, "invalid number (no digit in the exponent)");
			goto out;
		}
		while (p->pos < p->len && digit(s[p->pos]))
			p->pos++;
	}
	n = p->pos - start;
	lit = malloc(n + 1);
	if (!lit) {
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
		goto out;
	}
	memcpy(lit, s + start, n);
	lit[n] = '\0';
	v = strtod(lit, NULL); /* the grammar above is a subset of strtod's, in any locale with '.' */
	if (!isfinite(v)) {
		bad(p, start, "number out of range");
		goto out;
	}
	item = cJSON_CreateNumber(v);
	if (!item) {
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
		goto out;
	}
	item->valuestring = lit;
	lit = NULL;
	ret = item;
	item = NULL;
out:
	free(lit);
	cJSON_Delete(item);
	return ret;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

/* A printable rendering of a key for a one-line message. */
static void key_label(const char *key, char *out, size_t cap)
{
	size_t o = 0;

	for (; *key && o + 4 < cap; key++)
		out[o++] = (unsigned char)*key >= 0x20 && (unsigned char)*key < 0x7f && *key != '"' ? *key : '?';
	if (*key) {
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

static cJSON *value(struct parser *p, int depth);

static cJSON *object(struct parser *p, int depth)
{
	cJSON *obj = NULL, *ret = NULL, *v = NULL;
	char *key = NULL;

	obj = cJSON_CreateObject();
	if (!obj) {
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
		goto out;
	}
	p->pos++; /* { */
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		goto done;
	}
	for (;;) {
		size_t key_at;

		ws(p);
		key_at = p->pos;
		if (p->pos >= p->len || p->s[p->pos] != '"') {
			bad(p, p->pos, p->pos >= p->len ? "unterminated object" : "expected a string key");
			goto out;
		}
		key = string(p);
		if (!key)
			goto out;
		for (const cJSON *c = obj->child; c; c = c->next)
			if (!strcmp(c->string, key)) {
				char label[48], msg[96];

				key_label(key, label, sizeof(label));
				snprintf(msg, sizeof(msg), "duplicate key \"%s\"", label);
				bad(p, key_at, msg);
				goto out;
			}
		ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			bad(p, p->pos, "expected ':' after an object key");
			goto out;
		}
		p->pos++;
		v = value(p, depth);
		if (!v)
			goto out;
		/* the key is handed over; cJSON_AddItemToObject would copy it */
		v->string = key;
		key = NULL;
		if (!cJSON_AddItemToArray(obj, v)) {
			p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
			goto out;
		}
		v = NULL;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		bad(p, p->pos, p->pos >= p->len ? "unterminated object" : "expected ',' or '}' in an object");
		goto out;
	}
done:
	ret = obj;
	obj = NULL;
out:
	free(key);
	cJSON_Delete(v);
	cJSON_Delete(obj);
	return ret;
}

static cJSON *array(struct parser *p, int depth)
{
	cJSON *arr = NULL, *ret = NULL, *v = NULL;

	arr = cJSON_CreateArray();
	if (!arr) {
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
		goto out;
	}
	p->pos++; /* [ */
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		goto done;
	}
	for (;;) {
		v = value(p, depth);
		if (!v)
			goto out;
		if (!cJSON_AddItemToArray(arr, v)) {
			p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
			goto out;
		}
		v = NULL;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == ']') {
			p->pos++;
			break;
		}
		bad(p, p->pos, p->pos >= p->len ? "unterminated array" : "expected ',' or ']' in an array");
		goto out;
	}
done:
	ret = arr;
	arr = NULL;
out:
	cJSON_Delete(v);
	cJSON_Delete(arr);
	return ret;
}

/* One value after optional whitespace; depth counts the containers around it. */
static cJSON *value(struct parser *p, int depth)
{
	cJSON *item = NULL;
	size_t at;
	char c;

	ws(p);
	at = p->pos;
	if (p->pos >= p->len) {
		bad(p, at, "unexpected end of input");
		return NULL;
	}
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		if (depth >= MS_JSON_MAX_DEPTH) {
			bad(p, at, "nesting deeper than 64");
			return NULL;
		}
		return c == '{' ? object(p, depth + 1) : array(p, depth + 1);
	}
	if (c == '"') {
		char *s = string(p);

		if (!s)
			return NULL;
		item = cJSON_CreateString(s);
		free(s);
	} else if (c == '-' || digit(c)) {
		return number(p);
	} else if (literal(p, "true")) {
		item = cJSON_CreateTrue();
	} else if (literal(p, "false")) {
		item = cJSON_CreateFalse();
	} else if (literal(p, "null")) {
		item = cJSON_CreateNull();
	} else {
		bad(p, at, c == '\0' ? "NUL byte" : "unexpected character");
		return NULL;
	}
	if (!item)
		p->st = ms_fail(p->err, MS_NO_MEMORY, "%s: out of memory", p->what);
	return item;
}

enum ms_status ms_json_parse_strict(const char *text, size_t len, const char *what, cJSON **out, struct ms_err *err)
{
	struct parser p = { text, len, 0, what ? what : "JSON", err, MS_OK };
	cJSON *root = NULL;

	*out = NULL;
	if (!text || len == 0) {
		bad(&p, 0, "empty input");
		goto out;
	}
	if (memchr(text, '\0', len)) {
		bad(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL byte");
		goto out;
	}
	root = value(&p, 0);
	if (!root)
		goto out;
	ws(&p);
	if (p.pos != len) {
		bad(&p, p.pos, "trailing text after the JSON value");
		goto out;
	}
	*out = root;
	root = NULL;
out:
	cJSON_Delete(root);
	return p.st;
}

bool ms_json_u64(const cJSON *item, bool allow_string, uint64_t max, uint64_t *out)
{
	const char *s;
	uint64_t v = 0;

	if (cJSON_IsNumber(item)) {
		s = item->valuestring;
		if (!s) { /* not from ms_json_parse_strict: only an exact small double will do */
			double d = item->valuedouble;

			if (!(d >= 0 && d <= 9007199254740992.0) || d != floor(d) || (uint64_t)d > max)
				return false;
			*out = (uint64_t)d;
			return true;
		}
	} else if (allow_string && cJSON_IsString(item)) {
		s = item->valuestring;
	} else {
		return false;
	}
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (!digit(*s) || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}
