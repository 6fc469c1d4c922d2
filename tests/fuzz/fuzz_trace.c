/* The trace loader (--view, --dump-trace) treats a file as hostile: any
 * bytes load or are refused with a reason, and what loads can be dumped,
 * laid out and drawn. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "display.h"
#include "layout.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[] = "/tmp/threadlab-fuzz-trace-XXXXXX", err[512];
  int fd = mkstemp(path);
  tl_trace *tr;
  if (fd < 0) return 0;
  if (write(fd, data, size) != (ssize_t)size) {
    close(fd);
    unlink(path);
    return 0;
  }
  close(fd);
  tr = tl_trace_load(path, err, sizeof err);
  unlink(path);
  if (tr) {
    FILE *null = fopen("/dev/null", "w");
    tl_layout *l;
    if (null) {
      tl_trace_dump(tr, null);
      fclose(null);
    }
    if ((l = tl_layout_build(tr))) {
      tl_display_opts o;
      tl_display *d;
      tl_display_opts_default(&o);
      o.waitfor = 1;
      if ((d = tl_display_build(l, &o))) tl_display_free(d);
      tl_layout_free(l);
    }
    tl_trace_destroy(tr);
  }
  return 0;
}
