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
  {
    FILE *null = fopen("/dev/null", "w");
    if (null) {
      tl_trace_dump_file(path, null, err, sizeof err);
      fclose(null);
    }
  }
  tr = tl_trace_load(path, 1 << 16, 0, 0, err, sizeof err);
  if (!tr) tr = tl_trace_load(path, 64, 1000, 1000000, err, sizeof err); /* a window */
  unlink(path);
  if (tr) {
    tl_layout *l;
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
