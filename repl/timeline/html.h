/* The HTML painter: one self-contained page a class opens offline. The
 * timeline is the SVG painter's output inline (the same display list as
 * every other picture), with a small inline script for zoom at the pointer,
 * drag to pan, tooltips, lane focus and the lesson's steps with their
 * narration. The page fetches nothing: no src, href, url() or @import. */
#ifndef TL_HTML_H
#define TL_HTML_H

#include <stddef.h>

#include "display.h"
#include "layout.h"

/* Writes d (built from l with o), wider pictures of it for deep zoom, and
 * l's lesson steps to path. 0, or -1 with the path and the reason in err,
 * leaving no partial file behind. */
int tl_html_write(const tl_layout *l, const tl_display *d, const tl_display_opts *o,
                  const char *path, char *err, size_t errlen);

#endif
