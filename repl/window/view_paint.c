/* Painting the window's view: the timeline, the wait-for graph panel, the
 * narration box, the status bar, and the tooltip of what is under the
 * pointer. See view.h. */
#include "view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sdl_paint.h"
#include "theme.h"

static uint32_t tl__rgb(uint32_t rgb) { return rgb << 8 | 0xFFu; }

/* ---- what is under the pointer ---------------------------------------- */

static float tl__seg_dist(float px, float py, float x0, float y0, float x1, float y1) {
  float dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy, t;
  if (l2 < 1e-6f) return hypotf(px - x0, py - y0);
  t = ((px - x0) * dx + (py - y0) * dy) / l2;
  if (t < 0) t = 0;
  if (t > 1) t = 1;
  return hypotf(px - (x0 + t * dx), py - (y0 + t * dy));
}

static int tl__hit(const tl_display *d, const tl_dl_item *it, float x, float y) {
  float w;
  switch (it->kind) {
    case TL_DL_RECT:
      return x >= it->x0 - 0.5f && x <= (it->x1 - it->x0 < 2 ? it->x0 + 2 : it->x1) + 0.5f &&
             y >= it->y0 - 1 && y <= it->y1 + 1;
    case TL_DL_GLYPH:
      return hypotf(x - it->x0, y - it->y0) <= it->size + 2.5f;
    case TL_DL_LINE: case TL_DL_ARROW:
      return tl__seg_dist(x, y, it->x0, it->y0, it->x1, it->y1) <= 3.5f;
    case TL_DL_TEXT:
      w = (float)strlen(tl_display_str(d, it->text)) * it->size * 0.55f; /* roughly */
      return y <= it->y0 + 3 && y >= it->y0 - it->size &&
             (it->anchor == TL_ANCHOR_END ? x >= it->x0 - w && x <= it->x0
                                          : x >= it->x0 && x <= it->x0 + w);
    default:
      return 0;
  }
}

/* The title of the topmost item under (x, y) in d (at origin ox, oy). */
static const char *tl__title_at(const tl_display *d, float x, float y) {
  size_t i = d ? d->n : 0;
  while (i--) {
    const tl_dl_item *it = &d->items[i];
    if (it->title && tl__hit(d, it, x, y)) return tl_display_str(d, it->title);
  }
  return NULL;
}

/* The tooltip, in window pixels (u: the view's scale). */
static void tl__tooltip(tl_view *v, SDL_Renderer *r, tl_text *tx, const char *text) {
  char lines[8][400];
  int n = 0, i;
  float u = v->ui, fs = 12 * u, w = 0, h, x, y, W = v->width * u, H = v->height * u;
  const char *p = text;
  while (*p && n < 8) {
    size_t k = strcspn(p, "\n");
    snprintf(lines[n], sizeof lines[n], "%.*s", (int)(k < 399 ? k : 399), p);
    if (tl_text_width(tx, lines[n], fs, n == 0) > w) w = tl_text_width(tx, lines[n], fs, n == 0);
    n++;
    p += k + (p[k] == '\n');
  }
  if (!n) return;
  if (w > W - 20 * u) w = W - 20 * u;
  h = ((float)n * 17 + 10) * u;
  x = v->mx * u + 14 * u;
  y = v->my * u + 18 * u;
  if (x + w + 16 * u > W) x = W - w - 18 * u;
  if (x < 2) x = 2;
  if (y + h > H - 2) y = v->my * u - h - 8 * u;
  tl_sdl_round_rect(r, x, y, x + w + 16 * u, y + h, 5 * u,
                    (tl__rgb(TL_THEME_TOOLTIP) & ~0xFFu) | 0xF0u, 0, 0);
  for (i = 0; i < n; i++)
    tl_text_draw(tx, lines[i], fs, i == 0, tl__rgb(0xFFFFFF), x + 8 * u,
                 y + (18 + 17 * (float)i) * u, 0);
}

/* ---- panels ------------------------------------------------------------ */

static void tl__narration(tl_view *v, SDL_Renderer *r, tl_text *tx) {
  char buf[4200], *line, *save = NULL;
  float u = v->ui, h = tl__view_narration_h(v), y0 = v->height - TL_VIEW_STATUS_H - h, y;
  if (h <= 0) return;
  tl__view_wrap(v, buf, sizeof buf);
  tl_sdl_fill_rect(r, 0, y0 * u, v->width * u, (y0 + h) * u, tl__rgb(0xFFFBEA));
  tl_sdl_fill_rect(r, 0, y0 * u, v->width * u, y0 * u + 1, tl__rgb(TL_THEME_PANEL_EDGE));
  tl_sdl_fill_rect(r, 0, y0 * u + 1, 6 * u, (y0 + h) * u, tl__rgb(0xE0A800));
  y = y0 + 10 + 17;
  for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    tl_text_draw(tx, line, 17 * u, 0, tl__rgb(TL_THEME_TEXT), 20 * u, y * u, 0);
    y += 24;
  }
  if (tl__view_running_line(v, buf, sizeof buf)) {
    /* The line of the lesson MainThread runs now, highlighted. */
    tl_sdl_fill_rect(r, 14 * u, (y - 18) * u, (v->width - 14) * u, (y + 6) * u,
                     tl__rgb(0xFFE58A));
    tl_text_draw(tx, buf, 17 * u, 1, tl__rgb(TL_THEME_TEXT), 20 * u, y * u, 0);
  }
}

static void tl__status(tl_view *v, SDL_Renderer *r, tl_text *tx) {
  float u = v->ui, y0 = v->height - TL_VIEW_STATUS_H, x = 10, base = (y0 + 16.5f) * u;
  char buf[400], span[32];
  const tl_layout *l = v->layout;
  double s = v->timeline ? (double)(v->timeline->t_to - v->timeline->t_from) : 0;
  int saved = l && l->trace && tl_trace_loaded(l->trace);
  const char *state = saved ? "SAVED TRACE" : v->paused ? "PAUSED (space)"
                      : v->follow ? "LIVE" : "not following (f)";
  uint32_t dot = saved ? 0x1F5FA8 : v->paused ? 0xCC3311 : v->follow ? TL_THEME_RUNNING : 0x999999;
  tl_sdl_fill_rect(r, 0, y0 * u, v->width * u, v->height * u, tl__rgb(0xEEF0F3));
  tl_sdl_fill_rect(r, 0, y0 * u, v->width * u, y0 * u + 1, tl__rgb(TL_THEME_PANEL_EDGE));
  tl_sdl_circle(r, (x + 5) * u, (y0 + 12) * u, 5 * u, tl__rgb(dot));
  tl_text_draw(tx, state, 12 * u, v->paused || v->follow,
               tl__rgb(v->paused ? 0xCC3311 : v->follow ? 0x00704F : TL_THEME_TEXT_MUTED),
               (x + 14) * u, base, 0);
  x += 14 + 14 + tl_text_width(tx, state, 12 * u, 1) / u;
  tl_format_ns(span, sizeof span, s);
  snprintf(buf, sizeof buf, "%s shown · %zu events%s%s", span, l ? l->consumed : 0,
           v->status[0] ? " · " : "", v->status);
  tl_text_draw(tx, buf, 12 * u, 0, tl__rgb(TL_THEME_TEXT), x * u, base, 0);
  x += 16 + tl_text_width(tx, buf, 12 * u, 0) / u;
  snprintf(buf, sizeof buf, "%s",
           "wheel: zoom · drag: pan · click: a lane · f: follow · space: pause · "
           "g: wait-for graph · 0: fit");
  if (tl_text_width(tx, buf, 11 * u, 0) / u > v->width - 10 - x)
    snprintf(buf, sizeof buf, "%s", "wheel · drag · click · f · space · g · 0");
  tl_text_draw(tx, buf, 11 * u, 0, tl__rgb(TL_THEME_TEXT_MUTED), (v->width - 10) * u, base, 2);
}

void tl_view_paint(tl_view *v, tl_canvas *c) {
  SDL_Renderer *r = c->r;
  tl_text *tx = c->tx;
  const char *tip = NULL;
  float gx = v->timeline ? v->timeline->width : v->width, u = v->ui;
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
  SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
  SDL_RenderClear(r);
  if (v->timeline) tl_sdl_paint(c, v->timeline, 0, 0, u);
  if (v->graph) {
    tl_sdl_paint(c, v->graph, gx * u, 0, u);
    tl_sdl_fill_rect(r, gx * u, 0, gx * u + 1, v->graph->height * u, tl__rgb(TL_THEME_PANEL_EDGE));
  }
  tl__narration(v, r, tx);
  tl__status(v, r, tx);
  if (v->hover && !v->dragging) {
    if (v->timeline && v->mx < gx && v->my < v->timeline->height)
      tip = tl__title_at(v->timeline, v->mx, v->my);
    else if (v->graph && v->mx >= gx && v->my < v->graph->height)
      tip = tl__title_at(v->graph, v->mx - gx, v->my);
    if (tip && *tip) tl__tooltip(v, r, tx, tip);
  }
}
