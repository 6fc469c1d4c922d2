/* The levels of detail of a recording's page. See html_private.h. */
#include "html_private.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "svg.h"

static void tl__base64(FILE *f, const unsigned char *p, size_t n) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;
  for (i = 0; i + 2 < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
    fputc(abc[v >> 18], f), fputc(abc[v >> 12 & 63], f), fputc(abc[v >> 6 & 63], f);
    fputc(abc[v & 63], f);
  }
  if (i < n) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
    fputc(abc[v >> 18], f), fputc(abc[v >> 12 & 63], f);
    fputc(i + 1 < n ? abc[v >> 6 & 63] : '=', f);
    fputc('=', f);
  }
}

/* One tile: its own <svg> viewport over [x0, x1) of the picture (it clips
 * what reaches beyond, so an item drawn in two tiles is seen once), its
 * items (d's items idx[0..n)) deflated by zlib and in base64 for the page
 * to inflate. */
static int tl__tile(const tl_display *d, FILE *m, const uint32_t *idx, size_t n, float x0,
                    float x1) {
  char *raw = NULL;
  size_t len = 0, i;
  uLongf zn;
  unsigned char *z;
  FILE *t = open_memstream(&raw, &len);
  int rc = -1;
  if (!t) return -1;
  for (i = 0; i < n; i++) tl_svg_paint_item(d, t, idx[i]);
  if (fclose(t) != 0) return -1;
  zn = compressBound((uLong)len);
  if ((z = malloc(zn)) && compress2(z, &zn, (const Bytef *)raw, (uLong)len, 9) == Z_OK) {
    fprintf(m, "<svg class=\"tile\" x=\"%.0f\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"%.0f 0 %.0f %.0f\" data-z=\"", x0, x1 - x0, d->height, x0, x1 - x0,
            d->height);
    tl__base64(m, z, zn);
    fputs("\"></svg>\n", m);
    rc = 0;
  }
  free(z);
  free(raw);
  return rc;
}

/* A wide picture: what lies under everything (the first items, each
 * about as wide as the picture: the background, the lanes' stripes) drawn
 * once, then tiles `tile` px wide, each holding the items that reach into
 * it, in painting order. Each tile but the last reaches a pixel into the
 * next, under it: two clipped edges that only meet would let a seam
 * through a bar (and a background drawn again in each tile would show
 * through the next one's edge). Items are sorted into tiles in one pass. */
static int tl__tiles(const tl_display *d, FILE *m, float tile) {
  size_t nt = (size_t)ceilf(d->width / tile), under = 0, i, k, total = 0, *at = NULL;
  uint32_t *idx = NULL, (*span)[2] = NULL;
  int rc = -1;
  if (!(span = malloc((d->n + 1) * sizeof *span)) || !(at = calloc(nt + 1, sizeof *at))) goto out;
  for (i = 0; i < d->n; i++) {
    float a, b;
    tl_svg_item_span(d, i, &a, &b);
    if (i == under && b - a >= d->width * 0.9f) under++;
    a = floorf((a - 1) / tile); /* a pixel back: the tile before reaches it */
    b = floorf(b / tile);
    span[i][0] = a < 0 ? 0 : a >= (float)nt ? (uint32_t)nt : (uint32_t)a;
    span[i][1] = b < 0 ? 0 : b >= (float)nt ? (uint32_t)nt - 1 : (uint32_t)b;
    if (i < under || span[i][0] > span[i][1]) continue;
    for (k = span[i][0]; k <= span[i][1]; k++) at[k + 1]++;
  }
  for (k = 0; k < nt; k++) at[k + 1] += at[k];
  total = at[nt];
  if (!(idx = malloc((total + 1) * sizeof *idx))) goto out;
  for (i = under; i < d->n; i++)
    for (k = span[i][0]; k <= span[i][1] && span[i][0] <= span[i][1]; k++) idx[at[k]++] = (uint32_t)i;
  /* at[k] is now where tile k+1 starts */
  for (i = 0; i < under; i++) tl_svg_paint_item(d, m, i);
  for (k = 0, rc = 0; k < nt && !rc; k++) {
    float x0 = (float)k * tile, x1 = x0 + tile + 1 < d->width ? x0 + tile + 1 : d->width;
    size_t from = k ? at[k - 1] : 0;
    rc = tl__tile(d, m, idx + from, at[k] - from, x0, x1);
  }
out:
  free(span);
  free(at);
  free(idx);
  return rc;
}

static int tl__level(const tl_display *d, tl_html_level *lv, int f, const char *id, float tile) {
  FILE *m;
  size_t i;
  int rc = 0;
  memset(lv, 0, sizeof *lv);
  if (!(m = open_memstream(&lv->svg, &lv->n))) return -1;
  if (f == 1) {
    rc = tl_svg_paint_element(d, m, id);
  } else {
    tl_svg_paint_open(d, m, id);
    rc = tl__tiles(d, m, tile);
    fputs("</svg>\n", m);
  }
  if (fclose(m) != 0 || rc) return -1;
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
  int n = 1, finest = 0;
  *why = "";
  if (tl__level(d, &lv[0], 1, "tl", 0)) return -1;
  total = lv[0].n;
  /* Past TL_HTML_ALL_EVENTS, the widest picture is the one at about
   * TL_HTML_FINEST_NS a pixel: its plot that many pixels, plus the margins. */
  if (l->consumed > TL_HTML_ALL_EVENTS) {
    double margins = d->width - (d->plot_x1 - d->plot_x0);
    finest = (int)ceil(((double)(d->t_to - d->t_from) / TL_HTML_FINEST_NS + margins) / d->width);
  }
  while (lv[n - 1].merged) {
    tl_display_opts wide = *o;
    tl_display *dk;
    char id[8];
    int f = lv[n - 1].f * 4;
    if (n == TL_HTML_LEVELS) {
      *why = "levels";
      break;
    }
    if (finest && (lv[n - 1].f >= finest || lv[n - 1].ns_px <= TL_HTML_FINEST_NS * 1.25)) {
      *why = "finest";
      break;
    }
    if (finest && f > finest) f = finest;
    wide.width = d->width * (float)f;
    wide.t_from = d->t_from;
    wide.t_to = d->t_to;
    snprintf(id, sizeof id, "tl%d", n);
    if (!(dk = tl_display_build(l, &wide)) ||
        tl__level(dk, &lv[n], f, id, d->width * TL_HTML_TILE)) {
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
