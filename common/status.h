/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_STATUS_H
#define MS_STATUS_H

#include <stdarg.h>

/*
 * Every library function returns one of these; measure/ maps it to an exit
 * code exactly once (ms_exit_code). The numbering is not the exit code.
 */
enum ms_status {
	MS_OK = 0,
	MS_MISMATCH,        /* a measurement or policy differs (exit 1) */
	MS_BAD_INPUT,       /* malformed, truncated or unreadable input (exit 2) */
	MS_USAGE,           /* bad command line (exit 2) */
	MS_NO_MEMORY,       /* allocation failed (exit 2) */
	MS_BAD_SIGNATURE,   /* signature or certificate chain (exit 3) */
	MS_NO_COLLATERAL,   /* certificate or CRL not available offline (exit 4) */
	MS_UNSUPPORTED,     /* platform, format version or profile (exit 5) */
};

/*
 * Which input an error is about, so that the CLI can name the file it came
 * from without reading the message, and the library never names a flag.
 */
enum ms_input {
	MS_INPUT_UNKNOWN = 0,
	MS_INPUT_EVIDENCE,   /* the attestation document, report or quote */
	MS_INPUT_EXPECTED,   /* the manifest (or what stands for one) */
	MS_INPUT_POLICY,
	MS_INPUT_VCEK,       /* the VCEK/VLEK (or AMD's bundle) given for SNP */
	MS_INPUT_CERTS,      /* an extended report's certificate table */
	MS_INPUT_CRL,
	MS_INPUT_ROOT,       /* a root that overrides the pinned one */
	MS_INPUT_COLLATERAL, /* vendor collateral not given (a missing VCEK, CRL) */
};

/* One error: a status, the input it concerns, and a one-line message naming field and offset. */
struct ms_err {
	enum ms_status status;
	enum ms_input input;
	char msg[512];
};

/* Sets err->input (when err is not NULL); returns status unchanged. */
enum ms_status ms_err_input(struct ms_err *err, enum ms_input input, enum ms_status status);

int ms_exit_code(enum ms_status status);

/* Records status and a printf-style message in err (if not NULL); returns status. */
enum ms_status ms_fail(struct ms_err *err, enum ms_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum ms_status ms_vfail(struct ms_err *err, enum ms_status status, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
