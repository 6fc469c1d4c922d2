/* The levels of detail of a recording's page. See html_private.h. */
#include "html_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

static int tl__level(const tl_display *d, tl_html_level *lv, int f, const char *id) {
  FILE *m;
  size_t i;
  memset(lv, 0, sizeof *lv);
  if (!(m = open_memstream(&lv->svg, &lv->n))) return -1;
  if (tl_svg_paint_element(d, m, id) != 0) {
    fclose(m);
    return -1;
  }
  if (fclose(m) != 0) return -1;
  lv->f = f;
  lv->px0 = d->plot_x0;
  lv->px1 = d->plot_x1;
  for (i = 0; i < d->nlanes && d->lane_top; i++)
    if (d->lane_top[i] >= 0 && (!lv->lane_y || d->lane_top[i] < lv->lane_y))
      lv->lane_y = d->lane_top[i];
  lv->ns_px = (double)(d->t_to - d->t_from) / (d->plot_x1 > d->plot_x0 ? d->plot_x1 - d->plot_x0 : 1);
  for (i = 0; i < d->n; i++)
    if (d->items[i].count > 1 && d->items[i].role != TL_ROLE_CHROME) {
      lv->merged += d->items[i].count;
      lv->summaries++;
    }
  return 0;
}

int tl_html_levels(const tl_layout *l, const tl_display *d, const tl_display_opts *o,
                   tl_html_level *lv, const char **why) {
  size_t total;
  int n = 1;
  *why = "";
  if (tl__level(d, &lv[0], 1, "tl")) return -1;
  total = lv[0].n;
  while (lv[n - 1].merged) {
    tl_display_opts wide = *o;
    tl_display *dk;
    char id[8];
    if (n == TL_HTML_LEVELS) {
      *why = "levels";
      break;
    }
    if (l->consumed > TL_HTML_ALL_EVENTS && lv[n - 1].ns_px <= TL_HTML_FINEST_NS) {
      *why = "finest";
      break;
    }
    wide.width = d->width * (float)(lv[n - 1].f * 4);
    wide.t_from = d->t_from;
    wide.t_to = d->t_to;
    snprintf(id, sizeof id, "tl%d", n);
    if (!(dk = tl_display_build(l, &wide)) || tl__level(dk, &lv[n], lv[n - 1].f * 4, id)) {
      tl_display_free(dk);
      tl_html_levels_free(lv, n);
      return -1;
    }
    tl_display_free(dk);
    /* A summary that stands for as many things as before: they are at one
     * time and never part; a wider picture would only be larger. */
    if (lv[n].merged * 10 * lv[n - 1].summaries >= lv[n - 1].merged * 9 * lv[n].summaries) {
      free(lv[n].svg);
      break;
    }
    if (total + lv[n].n > TL_HTML_BUDGET) {
      free(lv[n].svg);
      *why = "budget";
      break;
    }
    total += lv[n++].n;
  }
  return n;
}

void tl_html_levels_free(tl_html_level *lv, int n) {
  int i;
  for (i = 0; i < n; i++) free(lv[i].svg);
}
