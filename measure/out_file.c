/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_file.h"

/* The directory part of path ("." when there is none); NULL when out of memory. */
static char *dir_of(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

	if (!dir)
		return NULL;
	if (!slash) {
		free(dir);
		return strdup(".");
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/* Whether the directory dir_fd is below (or is) the directory inside: walks up with "..". */
static bool dir_within(int dir_fd, const struct stat *inside)
{
	int cur = dup(dir_fd);
	bool found = false;

	for (unsigned depth = 0; cur >= 0 && depth < 4096; depth++) {
		struct stat sb, up_sb;
		int up;

		if (fstat(cur, &sb) < 0)
			break;
		if (sb.st_dev == inside->st_dev && sb.st_ino == inside->st_ino) {
			found = true;
			break;
		}
		if ((up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			break;
		if (fstat(up, &up_sb) < 0 || (up_sb.st_dev == sb.st_dev && up_sb.st_ino == sb.st_ino)) {
			close(up); /* the root */
			break;
		}
		close(cur);
		cur = up;
	}
	if (cur >= 0)
		close(cur);
	return found;
}

int out_file_check_inputs(const char *verb, const char *path, const char *const *inputs, unsigned n,
			  unsigned n_dirs)
{
	struct stat out_sb;
	bool out_exists = stat(path, &out_sb) == 0;
	char *dir = dir_of(path);
	int dir_fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1, rc = 0;

	for (unsigned i = 0; i < n && !rc; i++) {
		struct stat in_sb;

		if (!inputs[i] || !strcmp(inputs[i], "-") || stat(inputs[i], &in_sb) < 0)
			continue;
		if (out_exists && out_sb.st_dev == in_sb.st_dev && out_sb.st_ino == in_sb.st_ino) {
			fprintf(stderr, "measure: %s: %s: the output is the input %s: refused (it would be replaced)\n",
				verb, path, inputs[i]);
			rc = 2;
		} else if (i < n_dirs && S_ISDIR(in_sb.st_mode) && dir_fd >= 0 && dir_within(dir_fd, &in_sb)) {
			fprintf(stderr, "measure: %s: %s: the output is inside the input directory %s: refused\n", verb,
				path, inputs[i]);
			rc = 2;
		}
	}
	if (dir_fd >= 0)
		close(dir_fd);
	free(dir);
	return rc;
}

static mode_t default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int out_file_open(const char *verb, const char *path, struct out_file *o)
{
	char *dir = dir_of(path);
	int e = ENOMEM;

	o->fd = -1;
	o->path = path;
	o->temp_path = NULL;
	if (!dir)
		goto fail;
	o->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	e = errno;
	free(dir);
	if (o->fd < 0 && (e == EOPNOTSUPP || e == EISDIR || e == EINVAL)) {
		if (asprintf(&o->temp_path, "%s.measure-XXXXXX", path) < 0) {
			o->temp_path = NULL;
			e = ENOMEM;
			goto fail;
		}
		o->fd = mkostemp(o->temp_path, O_CLOEXEC);
		e = errno;
	}
	if (o->fd < 0 || fchmod(o->fd, default_mode()) < 0) {
		e = o->fd < 0 ? e : errno;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "measure: %s: %s: cannot create a temporary file beside it (%s)\n", verb, path, strerror(e));
	out_file_abort(o);
	return 2;
}

/* Links the unnamed file o->fd at a fresh name beside path; that name in *out. */
static int link_unnamed(struct out_file *o, char **out)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	for (int tries = 0; tries < 16; tries++) {
		uint32_t r = 0;
		char *name;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r) || asprintf(&name, "%s.measure-%08x", o->path, r) < 0)
			return -1;
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
			*out = name;
			return 0;
		}
		free(name);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int out_file_commit(const char *verb, struct out_file *o)
{
	char *linked = NULL;

	if (fsync(o->fd) < 0)
		goto fail;
	if (!o->temp_path) {
		if (link_unnamed(o, &linked) < 0)
			goto fail;
		o->temp_path = linked;
	}
	if (rename(o->temp_path, o->path) < 0)
		goto fail;
	free(o->temp_path);
	o->temp_path = NULL;
	close(o->fd);
	o->fd = -1;
	return 0;
fail:
	fprintf(stderr, "measure: %s: %s: cannot put the file in place (%s)\n", verb, o->path, strerror(errno));
	out_file_abort(o);
	return 2;
}

void out_file_abort(struct out_file *o)
{
	if (o->temp_path) {
		unlink(o->temp_path);
		free(o->temp_path);
		o->temp_path = NULL;
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}
