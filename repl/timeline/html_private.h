/* What html.c and html_levels.c share. Not for painters: see html.h. */
#ifndef TL_HTML_PRIVATE_H
#define TL_HTML_PRIVATE_H

#include <stddef.h>

#include "display.h"
#include "layout.h"

/* The page draws a run's picture at a few widths, 4 times wider each: a
 * level shows the same time f times as wide, so zooming in past f swaps it
 * in, and what was narrower than a pixel in the one before is drawn there
 * as itself. Each is the SVG painter's output of a display list built by
 * tl_display_build, as every other picture is. A wider one comes in tiles
 * (TL_HTML_TILE times level 0's width), each deflated by zlib and in
 * base64: the page inflates only the tiles near the view, so a picture of
 * a quarter of a million states stays small and pans smoothly. */
#define TL_HTML_LEVELS 7             /* at most: 1x to 4096x */
#define TL_HTML_BUDGET 4500000       /* bytes the levels may take in the page */
#define TL_HTML_ALL_EVENTS 200000    /* up to this many events: until every
                                      * one is drawn as itself; beyond, */
#define TL_HTML_FINEST_NS 10000.0    /* down to about 10 us a pixel (at
                                      * most a quarter more) */
#define TL_HTML_TILE 2               /* a tile: twice level 0's width */

typedef struct tl_html_level {
  char *svg;              /* the <svg> element, or its tiles (malloc'd) */
  size_t n;
  int f;                  /* how many times wider than level 0 */
  float px0, px1, lane_y; /* its plot's span, its first lane's top */
  double ns_px;           /* ns a pixel */
  unsigned long long merged; /* things drawn merged into one item */
  size_t summaries;       /* items that stand for several */
} tl_html_level;

/* Fills lv[0..n) from d (level 0, drawn with o) and wider ones while the
 * one before merged anything (and, past TL_HTML_ALL_EVENTS events, is
 * coarser than TL_HTML_FINEST_NS: the last one is as wide as it takes to
 * show about that much a pixel), each one's summaries stand for fewer
 * things than the one before's (things at one time never part) and the
 * whole fits TL_HTML_BUDGET; *why says why it stopped ("" when nothing
 * was merged any more). Returns n (>= 1), or -1 when out of memory. */
int tl_html_levels(const tl_layout *l, const tl_display *d, const tl_display_opts *o,
                   tl_html_level *lv, const char **why);
void tl_html_levels_free(tl_html_level *lv, int n);

#endif
