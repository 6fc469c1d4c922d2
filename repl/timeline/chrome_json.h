/* Chrome Trace Event JSON, for Perfetto (ui.perfetto.dev) and
 * chrome://tracing: a layout written as processes and threads with names
 * (metadata events), their states as complete slices ("X"), the GIL of
 * each process as a thread of its own, prints, marks and drop requests as
 * instant events, and handoffs and wake-ups as flow arrows ("s"/"f" pairs
 * with the same id). Times are in microseconds. */
#ifndef TL_CHROME_JSON_H
#define TL_CHROME_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layout.h"

/* Writes the window [from, to) ns of the layout (both 0: all of it) to
 * path. 0 on success; -1 with the path and the reason in err. */
int tl_json_write(const tl_layout *l, const char *path, uint64_t from, uint64_t to, char *err,
                  size_t errlen);
/* The same into an open stream; 0 unless a write failed. */
int tl_json_emit(const tl_layout *l, FILE *out, uint64_t from, uint64_t to);

#endif
