/* Recording: the diagram format follows the file's extension. */
#include <string.h>
#include <stdio.h>

#include "app.h"
#include "svg.h"

static int tl__has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && strcasecmp(path + n - e, ext) == 0;
}

int tl_record(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  if (tl__has_ext(path, ".svg")) return tl_svg_write(tr, path, err, errlen);
  snprintf(err, errlen, "unknown diagram format (use a .svg file name)");
  return -1;
}
