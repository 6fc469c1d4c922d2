/* The one way the views write a file (SVG, PNG, JSON): into a temporary
 * file beside it, renamed over it only when complete, so a failed export
 * never leaves a truncated picture where a good one was. */
#ifndef TL_ATOMIC_FILE_H
#define TL_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the content to f, or to the file named tmp (for writers that take
 * a path; f is then left alone). Returns 0, or -1 with errno set or the
 * reason (a few words) written into err. */
typedef int tl_file_writer(FILE *f, const char *tmp, void *arg, char *err, size_t errlen);

/* Writes path through write(f, tmp, arg, ...); suffix ends the temporary
 * file's name (".png" for writers that go by it) or is NULL. 0, or -1 with
 * "cannot write PATH: why" in err. */
int tl_write_file_atomic(const char *path, const char *suffix, tl_file_writer *write, void *arg,
                         char *err, size_t errlen);

#endif
