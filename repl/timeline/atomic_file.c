#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tl_write_file_atomic(const char *path, const char *suffix, tl_file_writer *write, void *arg,
                         char *err, size_t errlen) {
  size_t n = strlen(path) + 32;
  char *tmp = malloc(n);
  FILE *f;
  int rc, saved = 0;
  if (!tmp) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  snprintf(tmp, n, "%s.tmp%ld%s", path, (long)getpid(), suffix ? suffix : "");
  if (!(f = fopen(tmp, "w"))) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(tmp);
    return -1;
  }
  err[0] = '\0';
  errno = 0;
  rc = write(f, tmp, arg, err, errlen);
  if (rc) saved = errno;
  if (fclose(f) != 0 && rc == 0) rc = -1, saved = errno;
  if (rc == 0 && rename(tmp, path) != 0) rc = -1, saved = errno;
  if (rc) {
    char why[256];
    snprintf(why, sizeof why, "%s", err[0] ? err : strerror(saved ? saved : EIO));
    snprintf(err, errlen, "cannot write %s: %s", path, why);
    remove(tmp);
  }
  free(tmp);
  return rc;
}
