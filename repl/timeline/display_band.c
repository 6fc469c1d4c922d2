/* The band above the lanes: the labels of global markers (lesson steps,
 * marks of the whole run), each in full beside its line, in as many rows
 * as they need (see tl__band_plan). */
#include "display_private.h"

#include <stdio.h>
#include <stdlib.h>

/* What a global marker's label says: a step its title, a drop what was
 * dropped, others what they are and their text. */
void tl__global_text(const tl__geo *g, const tl_marker *m, char *buf, size_t n) {
  char said[200];
  const char *text = tl_layout_marker_label(g->l, m, said, sizeof said);
  int bare = m->kind == TL_EV_LESSON_STEP || m->kind == TL_EV_DROPPED; /* says it all */
  snprintf(buf, n, "%s%s%s", bare ? "" : tl__look(m->kind).what, *text && !bare ? ": " : "",
           text);
}

#define TL__BAND_MAX 6

int tl__band_plan(tl__geo *g) {
  const tl_layout *l = g->l;
  float end[TL__BAND_MAX], x0 = g->d->plot_x0, x1 = g->d->plot_x1, left;
  int rows = 0, k, j;
  size_t i, n = l->nglobals ? l->nglobals : 1;
  char buf[200];
  g->band_at = calloc(n, sizeof *g->band_at);
  g->band_row = calloc(n, 1);
  g->band_anchor = calloc(n, 1);
  g->band_room = calloc(n, sizeof *g->band_room);
  if (!g->band_at || !g->band_row || !g->band_anchor || !g->band_room) return -1;
  for (i = 0; i < l->nglobals; i++) {
    const tl_marker *m = &l->markers[l->globals[i]];
    float x = tl__x(g, (double)m->t), w;
    int placed = 0;
    if (m->kind == TL_EV_DEADLOCK || (double)m->t < g->from || (double)m->t > g->to) continue;
    tl__global_text(g, m, buf, sizeof buf);
    w = tl__text_px(buf, TL__SMALL);
    /* The first row with room: right of the line, else left of it. */
    for (k = 0; k < rows + 1 && k < TL__BAND_MAX && !placed; k++) {
      float after = k < rows ? end[k] + 8 : -1e9f;
      if (x + 3 >= after && x + 3 + w <= x1) {
        g->band_at[i] = x + 3, g->band_anchor[i] = TL_ANCHOR_START, end[k] = x + 3 + w;
      } else if (x - 3 - w >= (after > x0 ? after : x0)) {
        g->band_at[i] = x - 3, g->band_anchor[i] = TL_ANCHOR_END, end[k] = x;
      } else {
        continue;
      }
      g->band_row[i] = (uint8_t)k;
      g->band_room[i] = w + 1;
      if (k == rows) rows++;
      placed = 1;
    }
    if (placed) continue;
    /* No row has room for all of it: a new row while one may be added,
     * else the row that ends first; the roomier side of the line, cut. */
    if (rows < TL__BAND_MAX) {
      k = rows++;
      end[k] = -1e9f;
    } else {
      for (k = 0, j = 1; j < rows; j++)
        if (end[j] < end[k]) k = j;
    }
    left = end[k] + 8 > x0 ? end[k] + 8 : x0;
    if (x + 3 >= left && x1 - (x + 3) >= (x - 3) - left) {
      g->band_at[i] = x + 3, g->band_anchor[i] = TL_ANCHOR_START, g->band_room[i] = x1 - x - 3;
      end[k] = x1;
    } else {
      g->band_at[i] = x - 3, g->band_anchor[i] = TL_ANCHOR_END, g->band_room[i] = x - 3 - left;
      end[k] = x;
    }
    g->band_row[i] = (uint8_t)k;
  }
  return rows;
}
