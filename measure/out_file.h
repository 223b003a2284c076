/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_CLI_OUT_FILE_H
#define MS_CLI_OUT_FILE_H

#include <stdbool.h>

/*
 * An -o FILE written all or nothing: the data goes to an unnamed file
 * (O_TMPFILE) in FILE's directory, linked into place only by
 * out_file_commit. Where the file system has no O_TMPFILE, a named
 * FILE.measure-XXXXXX beside it is renamed instead (a killed run can leave
 * that one behind). Until the commit FILE is untouched, so an input given
 * again as -o is never truncated, and a killed run leaves no partial FILE.
 */
struct out_file {
	int fd;
	const char *path;
	char *temp_path; /* the named fallback, NULL with O_TMPFILE */
};

/*
 * Refuses (message, exit 2) an output that is one of the inputs (the same
 * device and inode), or lies inside one of the first n_dirs inputs when that
 * is a directory (an image layout, a bootstrap directory). inputs: n paths,
 * NULL entries skipped. Returns 0 or the exit code.
 */
int out_file_check_inputs(const char *verb, const char *path, const char *const *inputs, unsigned n,
			  unsigned n_dirs);

/* Opens the temporary file for path (read-write); returns 0 or the exit code (message printed). */
int out_file_open(const char *verb, const char *path, struct out_file *o);
/* fsyncs and puts the file at its path (replacing what was there); returns 0 or the exit code. */
int out_file_commit(const char *verb, struct out_file *o);
/* Drops the temporary file (safe after a commit and on a zeroed struct with fd -1). */
void out_file_abort(struct out_file *o);

#endif
