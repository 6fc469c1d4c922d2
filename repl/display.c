/* Building the display list from a layout. See display.h.
 *
 * Vertically: an optional heading, a band for labels of whole-process
 * markers, then per process its GIL row and one row per lane, the time axis
 * and the legend. Each state has its own bar height (running tallest,
 * finished threads a hairline), so the picture reads without colour too. */
#include "display.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define TL__LANE_H 36.0f
#define TL__GIL_H 24.0f
#define TL__PROC_GAP 10.0f
#define TL__FONT 12.0f
#define TL__SMALL 10.0f

static const uint32_t tl__thread_rgb[] = TL_THEME_THREAD_COLOURS;

static uint32_t tl__rgba(uint32_t rgb) { return rgb << 8 | 0xFFu; }

uint32_t tl_display_state_colour(int state) {
  static const uint32_t rgb[TL_STATE__COUNT] = {
      TL_THEME_BACKGROUND, TL_THEME_RUNNING, TL_THEME_READY,  TL_THEME_BLOCKED,
      TL_THEME_SLEEPING,   TL_THEME_JOINING, TL_THEME_IDLE,   TL_THEME_DONE};
  return tl__rgba(state >= 0 && state < TL_STATE__COUNT ? rgb[state] : TL_THEME_IDLE);
}

uint32_t tl_display_thread_colour(int lane) {
  size_t n = sizeof tl__thread_rgb / sizeof *tl__thread_rgb;
  return tl__rgba(tl__thread_rgb[(size_t)(lane < 0 ? 0 : lane) % n]);
}

/* Black or white, whichever reads better on `rgba`. */
static uint32_t tl__ink_on(uint32_t rgba) {
  double r = (rgba >> 24 & 255) / 255.0, g = (rgba >> 16 & 255) / 255.0,
         b = (rgba >> 8 & 255) / 255.0;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? tl__rgba(0x1A1A1A) : tl__rgba(0xFFFFFF);
}

/* ---- items and strings ---------------------------------------------- */

static tl_dl_item *tl__item(tl_display *d, int kind, int role) {
  static tl_dl_item scratch; /* absorbs writes once memory ran out */
  tl_dl_item *it;
  if (d->n == d->cap) {
    size_t c = d->cap ? d->cap * 2 : 256;
    void *p = realloc(d->items, c * sizeof *d->items);
    if (!p) {
      d->oom = 1;
      return memset(&scratch, 0, sizeof scratch);
    }
    d->items = p;
    d->cap = c;
  }
  it = &d->items[d->n++];
  memset(it, 0, sizeof *it);
  it->kind = (uint8_t)kind;
  it->role = (uint8_t)role;
  it->count = 1;
  it->lane = -1;
  return it;
}

/* Decodes one UTF-8 code point; a malformed byte is U+FFFD, so hostile
 * text can never make an ill-formed string (or SVG) out of the display. */
static uint32_t tl__utf8_next(const unsigned char **ps) {
  const unsigned char *s = *ps;
  uint32_t c = s[0], min;
  int n, i;
  if (c < 0x80) { *ps = s + 1; return c; }
  if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
  else { *ps = s + 1; return 0xFFFD; }
  for (i = 1; i <= n; i++) {
    if ((s[i] & 0xC0) != 0x80) { *ps = s + 1; return 0xFFFD; }
    c = c << 6 | (s[i] & 0x3F);
  }
  *ps = s + n + 1;
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0xFFFD;
  return c;
}

static size_t tl__utf8_put(char *out, uint32_t c) {
  if (c < 0x80) { out[0] = (char)c; return 1; }
  if (c < 0x800) { out[0] = (char)(0xC0 | c >> 6); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | c >> 12); out[1] = (char)(0x80 | (c >> 6 & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | c >> 18); out[1] = (char)(0x80 | (c >> 12 & 0x3F));
  out[2] = (char)(0x80 | (c >> 6 & 0x3F)); out[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* No font metrics here (painters differ); CJK is about one em wide, the
 * rest of DejaVu Sans about 0.6 em. Overestimating only drops a label. */
static float tl__glyph_px(uint32_t c, float size) {
  return (c >= 0x2E80 && c <= 0xFFEF) || c >= 0x20000 ? size : size * 0.6f;
}

static float tl__text_px(const char *s, float size) {
  const unsigned char *p = (const unsigned char *)s;
  float w = 0;
  while (*p) w += tl__glyph_px(tl__utf8_next(&p), size);
  return w;
}

/* Copies s into the pool, cleaned (valid UTF-8, controls as spaces unless a
 * newline is kept) and cut with an ellipsis to max_px. 0 if nothing fits. */
static uint32_t tl__str(tl_display *d, const char *s, float size, float max_px, int keep_nl) {
  const unsigned char *p = (const unsigned char *)s;
  size_t need = strlen(s) * 3 + 8, off = d->nstr, len = 0;
  float w = 0, ell = tl__glyph_px(0x2026, size);
  if (!*s || max_px < ell * 2) return 0;
  if (d->nstr + need > d->capstr) {
    size_t c = d->capstr ? d->capstr : 4096;
    char *q;
    while (c < d->nstr + need) c *= 2;
    if (!(q = realloc(d->strings, c))) { d->oom = 1; return 0; }
    d->strings = q;
    d->capstr = c;
  }
  while (*p) {
    const unsigned char *at = p;
    uint32_t c = tl__utf8_next(&p);
    float cw = tl__glyph_px(c, size);
    if (c < 0x20 || c == 0x7F) c = (c == '\n' && keep_nl) ? '\n' : ' ';
    if (w + cw > max_px - (*p ? ell : 0)) {
      if (at == (const unsigned char *)s) return 0;
      len += tl__utf8_put(d->strings + off + len, 0x2026);
      break;
    }
    w += cw;
    len += tl__utf8_put(d->strings + off + len, c);
  }
  d->strings[off + len] = '\0';
  d->nstr += len + 1;
  return (uint32_t)off;
}

static uint32_t tl__strf(tl_display *d, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return tl__str(d, buf, 1, 1e9f, 1);
}

const char *tl_display_str(const tl_display *d, uint32_t off) {
  return off && off < d->nstr ? d->strings + off : "";
}

/* "532 ns", "12.3 µs", "4.56 ms", "1.234 s". */
static void tl__fmt_time(char *buf, size_t n, double ns) {
  if (ns < 1e3) snprintf(buf, n, "%.0f ns", ns);
  else if (ns < 1e6) snprintf(buf, n, "%.3g µs", ns / 1e3);
  else if (ns < 1e9) snprintf(buf, n, "%.3g ms", ns / 1e6);
  else snprintf(buf, n, "%.4g s", ns / 1e9);
}

/* ---- primitive helpers ----------------------------------------------- */

static tl_dl_item *tl__rect(tl_display *d, int role, float x0, float y0, float x1, float y1,
                            uint32_t fill) {
  tl_dl_item *it = tl__item(d, TL_DL_RECT, role);
  it->x0 = x0; it->y0 = y0; it->x1 = x1; it->y1 = y1;
  it->fill = fill;
  return it;
}

static tl_dl_item *tl__line(tl_display *d, int kind, int role, float x0, float y0, float x1,
                            float y1, uint32_t stroke, float width, int dash) {
  tl_dl_item *it = tl__item(d, kind, role);
  it->x0 = x0; it->y0 = y0; it->x1 = x1; it->y1 = y1;
  it->stroke = stroke;
  it->size = width;
  it->dash = (uint8_t)dash;
  return it;
}

static tl_dl_item *tl__text(tl_display *d, int role, float x, float y, uint32_t text,
                            float size, int anchor, uint32_t fill) {
  tl_dl_item *it = tl__item(d, TL_DL_TEXT, role);
  it->x0 = x; it->y0 = y;
  it->text = text;
  it->size = size;
  it->anchor = (uint8_t)anchor;
  it->fill = fill;
  return it;
}

/* ---- geometry -------------------------------------------------------- */

typedef struct tl__geo {
  const tl_layout *l;
  tl_display *d;
  double from, to, scale; /* scale: px per ns */
  float lane_h, gil_h, label_w;
  float *lane_y;          /* per lane: top of its row */
  float *gil_y, *proc_y1; /* per process: GIL row top, block bottom */
  float title_y, band_y, rows_y0, rows_y1;
  int has_global;
  uint64_t marker_kinds;  /* bit per event kind drawn as a marker */
} tl__geo;

static float tl__x(const tl__geo *g, double t) {
  return g->d->plot_x0 + (float)((t - g->from) * g->scale);
}

static float tl__lane_cy(const tl__geo *g, int lane) {
  return g->lane_y[lane] + g->lane_h * 0.62f;
}

/* Half the bar height of a state: the busier, the taller. */
static float tl__bar_half(const tl__geo *g, int state) {
  static const float frac[TL_STATE__COUNT] = {0, .25f, .17f, .17f, .17f, .17f, .11f, .05f};
  return g->lane_h * frac[state < TL_STATE__COUNT ? state : TL_STATE_IDLE];
}

static const char *tl__lane_name(const tl__geo *g, int lane) {
  return lane >= 0 && (size_t)lane < g->l->nlanes ? g->l->lanes[lane].name : "?";
}

static float tl__legend_h(float width);

/* Decides every row's y; lanes shrink when a fixed height is asked. */
static int tl__plan(tl__geo *g, const tl_display_opts *o) {
  const tl_layout *l = g->l;
  size_t p, k, i;
  float y = 8, fixed;
  for (i = 0; i < l->nmarkers && !g->has_global; i++) g->has_global = l->markers[i].lane < 0;
  g->lane_y = malloc((l->nlanes + 1) * sizeof *g->lane_y);
  g->gil_y = malloc((l->nprocs + 1) * sizeof *g->gil_y);
  g->proc_y1 = malloc((l->nprocs + 1) * sizeof *g->proc_y1);
  if (!g->lane_y || !g->gil_y || !g->proc_y1) return -1;
  if (o->title) { g->title_y = y + 18; y += 30; }
  if (g->has_global) { g->band_y = y + 10; y += 14; }
  g->lane_h = TL__LANE_H;
  g->gil_h = TL__GIL_H;
  fixed = y + (float)l->nprocs * (TL__GIL_H + TL__PROC_GAP) + 40 +
          (o->legend ? tl__legend_h(g->d->width) : 0);
  if (o->height > 0 && l->nlanes) {
    g->lane_h = (o->height - fixed) / (float)l->nlanes;
    if (g->lane_h > TL__LANE_H) g->lane_h = TL__LANE_H;
    if (g->lane_h < 6) g->lane_h = 6;
  }
  g->rows_y0 = y;
  for (p = 0; p < l->nprocs; p++) {
    if (p) y += TL__PROC_GAP;
    g->gil_y[p] = y;
    y += g->gil_h;
    for (k = 0; k < l->procs[p].nlanes; k++) {
      g->lane_y[l->procs[p].lanes[k]] = y;
      y += g->lane_h;
    }
    g->proc_y1[p] = y;
  }
  g->rows_y1 = y;
  return 0;
}

/* The name column: as wide as the longest name, within reason. */
static float tl__label_width(const tl_layout *l, float width) {
  float w = 90, cap = width * 0.28f;
  size_t i;
  char buf[48];
  for (i = 0; i < l->nlanes; i++) {
    float t = tl__text_px(l->lanes[i].name, TL__FONT) + 34;
    if (t > w) w = t;
  }
  for (i = 0; i < l->nprocs; i++) {
    snprintf(buf, sizeof buf, "GIL (pid %d)", (int)l->procs[i].pid);
    if (tl__text_px(buf, 11) * 1.1f + 20 > w) w = tl__text_px(buf, 11) * 1.1f + 20;
  }
  if (cap > 260) cap = 260;
  return w > cap ? cap : w;
}

/* ---- rows ------------------------------------------------------------ */

static void tl__row_backgrounds(tl__geo *g) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  size_t p, k;
  for (p = 0; p < l->nprocs; p++) {
    tl__rect(d, TL_ROLE_CHROME, d->plot_x0, g->gil_y[p] + 2, d->plot_x1, g->gil_y[p] + g->gil_h - 2,
             tl__rgba(TL_THEME_GIL_ROW));
    for (k = 1; k < l->procs[p].nlanes; k += 2) {
      float y = g->lane_y[l->procs[p].lanes[k]];
      tl__rect(d, TL_ROLE_CHROME, 0, y, d->width, y + g->lane_h, tl__rgba(TL_THEME_ZEBRA));
    }
    if (p)
      tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, 0, g->gil_y[p] - TL__PROC_GAP / 2, d->width,
               g->gil_y[p] - TL__PROC_GAP / 2, tl__rgba(TL_THEME_SEPARATOR), 1, TL_DASH_SOLID);
  }
}

static void tl__row_labels(tl__geo *g) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  size_t p, i;
  for (p = 0; p < l->nprocs; p++) {
    char buf[48];
    tl_dl_item *it;
    snprintf(buf, sizeof buf, "GIL (pid %d)", (int)l->procs[p].pid);
    it = tl__text(d, TL_ROLE_LABEL, 8, g->gil_y[p] + g->gil_h / 2 + 4,
                  tl__str(d, buf, 11, g->label_w - 10, 0), 11, TL_ANCHOR_START,
                  tl__rgba(TL_THEME_TEXT_MUTED));
    it->bold = 1;
    it->title = tl__strf(d, "Who holds the GIL of process %d", (int)l->procs[p].pid);
  }
  for (i = 0; i < l->nlanes; i++) {
    float cy = tl__lane_cy(g, (int)i), s = g->lane_h < 20 ? g->lane_h * 0.4f : 10;
    float fs = g->lane_h < 20 ? g->lane_h * 0.6f : TL__FONT;
    tl_dl_item *it = tl__rect(d, TL_ROLE_LABEL, 8, cy - s / 2, 8 + s, cy + s / 2,
                              tl_display_thread_colour((int)i));
    it->size = 2;
    it->lane = (int32_t)i;
    it = tl__text(d, TL_ROLE_LABEL, 14 + s, cy + fs * 0.36f,
                  tl__str(d, l->lanes[i].name, fs, g->label_w - s - 20, 0), fs,
                  TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT));
    it->lane = (int32_t)i;
    it->title = tl__strf(d, "%s: thread %u of process %d", l->lanes[i].name,
                         l->lanes[i].tid, (int)l->lanes[i].pid);
  }
}

/* ---- segments -------------------------------------------------------- */

/* lane < 0: a GIL row's holding, by the thread of lane `holder`. */
static void tl__segment_title(tl__geo *g, tl_dl_item *it, int lane, int holder,
                              const tl_segment *s) {
  char dur[32], t0[32], t1[32], what[160] = "";
  const char *lk;
  tl__fmt_time(dur, sizeof dur, (double)(s->t1 - s->t0));
  tl__fmt_time(t0, sizeof t0, (double)s->t0);
  tl__fmt_time(t1, sizeof t1, (double)s->t1);
  if (it->count > 1) {
    it->title = tl__strf(g->d, "%s: %u short states here (longest: %s)",
                         lane >= 0 ? tl__lane_name(g, lane) : "GIL", it->count,
                         lane >= 0 ? tl_state_name(s->state) : tl__lane_name(g, holder));
    return;
  }
  if (lane < 0) {
    it->title = tl__strf(g->d, "GIL held by %s for %s (%s – %s)", tl__lane_name(g, holder),
                         dur, t0, t1);
    return;
  }
  if (s->state == TL_STATE_BLOCKED) {
    lk = tl_layout_lock_name(g->l, s->obj);
    if (lk) snprintf(what, sizeof what, " on lock %s", lk);
    else snprintf(what, sizeof what, " on lock #%u", s->obj);
  } else if (s->state == TL_STATE_JOINING) {
    int jl = tl_layout_find_lane(g->l, g->l->lanes[lane].pid, s->obj);
    snprintf(what, sizeof what, " %s", jl >= 0 ? tl__lane_name(g, jl) : "a thread");
  }
  it->title = tl__strf(g->d, "%s: %s%s for %s (%s – %s)", tl__lane_name(g, lane),
                       tl_state_name(s->state), what, dur, t0, t1);
}

/* A word inside a wide bar: which lock, whom it joins, that it sleeps. */
static void tl__segment_label(tl__geo *g, int lane, const tl_segment *s, float xa, float xb,
                              float cy, uint32_t fill) {
  char buf[160];
  const char *lk;
  uint32_t text;
  if (g->lane_h < 24 || xb - xa < 24) return;
  if (s->state == TL_STATE_BLOCKED) {
    lk = tl_layout_lock_name(g->l, s->obj);
    if (lk) snprintf(buf, sizeof buf, "lock %s", lk);
    else snprintf(buf, sizeof buf, "lock #%u", s->obj);
  } else if (s->state == TL_STATE_SLEEPING) {
    snprintf(buf, sizeof buf, "sleep");
  } else if (s->state == TL_STATE_JOINING) {
    int jl = tl_layout_find_lane(g->l, g->l->lanes[lane].pid, s->obj);
    snprintf(buf, sizeof buf, "join %s", jl >= 0 ? tl__lane_name(g, jl) : "");
  } else {
    return;
  }
  text = tl__str(g->d, buf, TL__SMALL, xb - xa - 6, 0);
  if (text)
    tl__text(g->d, TL_ROLE_LABEL, xa + 3, cy + 3.5f, text, TL__SMALL, TL_ANCHOR_START,
             tl__ink_on(fill))->lane = lane;
}

/* lane >= 0: a lane's state bar; lane < 0: process -lane-1's GIL row. */
static void tl__segment_item(tl__geo *g, int lane, const tl_segment *s, float xa, float xb,
                             uint32_t count) {
  tl_dl_item *it;
  float y0, y1, cy;
  uint32_t fill;
  int holder = -1;
  if (lane >= 0) {
    cy = tl__lane_cy(g, lane);
    y0 = cy - tl__bar_half(g, s->state);
    y1 = cy + tl__bar_half(g, s->state);
    fill = tl_display_state_colour(s->state);
  } else {
    y0 = g->gil_y[-lane - 1] + 5;
    y1 = g->gil_y[-lane - 1] + g->gil_h - 5;
    cy = (y0 + y1) / 2;
    holder = tl_layout_find_lane(g->l, g->l->procs[-lane - 1].pid, s->obj);
    fill = tl_display_thread_colour(holder);
  }
  it = tl__rect(g->d, lane >= 0 ? TL_ROLE_SEGMENT : TL_ROLE_GIL, xa, y0, xb, y1, fill);
  it->count = count;
  it->lane = lane >= 0 ? lane : holder;
  it->ref = lane >= 0 ? s->state : holder;
  tl__segment_title(g, it, lane, holder, s);
  if (count > 1) return;
  if (lane >= 0) {
    tl__segment_label(g, lane, s, xa, xb, cy, fill);
  } else if (xb - xa >= 30) {
    uint32_t text = tl__str(g->d, tl__lane_name(g, holder), TL__SMALL, xb - xa - 6, 0);
    if (text) tl__text(g->d, TL_ROLE_LABEL, xa + 3, cy + 3.5f, text, TL__SMALL,
                       TL_ANCHOR_START, tl__ink_on(fill))->lane = holder;
  }
}

/* Everything that ends within the pixel column where a segment begins is
 * one item, counting them; it is found by binary search, so a zoomed-out
 * window costs per pixel, not per event. The item takes the look of the
 * longest segment in it (of a sample, when there are very many). */
static void tl__row_segments(tl__geo *g, int lane, const tl_segment *seg, size_t n) {
  size_t i = tl_segment_search(seg, n, (uint64_t)g->from), j, k, best;
  while (i < n && (double)seg[i].t0 < g->to) {
    const tl_segment *s = &seg[i];
    double a = (double)s->t0 < g->from ? g->from : (double)s->t0;
    double e = (double)s->t1 > g->to ? g->to : (double)s->t1;
    float xa = tl__x(g, a), xb = tl__x(g, e);
    if (xb - xa >= 1.0f) {
      tl__segment_item(g, lane, s, xa, xb, 1);
      i++;
      continue;
    }
    j = i + tl_segment_search(seg + i, n - i, (uint64_t)(a + 1.0 / g->scale));
    if (j <= i) j = i + 1;
    best = i;
    if (j - i <= 64) {
      for (k = i + 1; k < j; k++)
        if (seg[k].t1 - seg[k].t0 > seg[best].t1 - seg[best].t0) best = k;
    } else {
      best = i + (j - i) / 2;
    }
    e = (double)seg[j - 1].t1 > g->to ? g->to : (double)seg[j - 1].t1;
    xb = tl__x(g, e);
    if (xb < xa + 1) xb = xa + 1;
    if (xb > g->d->plot_x1) { xa -= xb - g->d->plot_x1; xb = g->d->plot_x1; }
    tl__segment_item(g, lane, &seg[best], xa, xb, (uint32_t)(j - i));
    i = j;
  }
}

/* ---- arrows ---------------------------------------------------------- */

static const uint32_t tl__arrow_rgb[TL_ARROW__COUNT] = {
    TL_THEME_ARROW_GIL, TL_THEME_ARROW_GIL_FORCED, TL_THEME_ARROW_LOCK};
static const float tl__arrow_width[TL_ARROW__COUNT] = {1.2f, 1.4f, 1.8f};
static const int tl__arrow_dash[TL_ARROW__COUNT] = {TL_DASH_SOLID, TL_DASH_DASHED,
                                                    TL_DASH_SOLID};

static void tl__arrow_title(tl__geo *g, tl_dl_item *it, const tl_arrow *a) {
  char at[32];
  const char *lk;
  tl__fmt_time(at, sizeof at, (double)a->t1);
  if (a->kind == TL_ARROW_LOCK) {
    lk = tl_layout_lock_name(g->l, a->obj);
    it->title = tl__strf(g->d, "lock %s handed from %s to %s at %s", lk ? lk : "?",
                         tl__lane_name(g, a->from), tl__lane_name(g, a->to), at);
  } else {
    it->title = tl__strf(g->d, "GIL %s from %s to %s at %s",
                         a->kind == TL_ARROW_GIL_FORCED ? "forced over"
                         : a->reason == TL_GIL_EXIT     ? "left at thread exit"
                         : a->reason == TL_GIL_YIELD    ? "yielded"
                                                        : "handed over",
                         tl__lane_name(g, a->from), tl__lane_name(g, a->to), at);
  }
}

/* From the edge of one bar to the edge of the other. Arrows closer than
 * six pixels to the last one of their kind are counted into it. */
static void tl__arrows(tl__geo *g) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  size_t lo = 0, hi = l->narrows, i;
  size_t last[TL_ARROW__COUNT];
  float run = tl__bar_half(g, TL_STATE_RUNNING) + 1;
  for (i = 0; i < TL_ARROW__COUNT; i++) last[i] = (size_t)-1;
  while (lo < hi) { /* arrows are in acquire order */
    size_t mid = lo + (hi - lo) / 2;
    if ((double)l->arrows[mid].t1 < g->from) lo = mid + 1;
    else hi = mid;
  }
  for (i = lo; i < l->narrows; i++) {
    const tl_arrow *a = &l->arrows[i];
    float x0, x1, y0, y1;
    tl_dl_item *it;
    if ((double)a->t1 > g->to) break;
    if (a->kind >= TL_ARROW__COUNT || a->from == a->to) continue;
    x0 = tl__x(g, (double)a->t0 < g->from ? g->from : (double)a->t0);
    x1 = tl__x(g, (double)a->t1);
    if (last[a->kind] != (size_t)-1 && x1 - d->items[last[a->kind]].x1 < 6) {
      tl_dl_item *prev = &d->items[last[a->kind]];
      prev->count++;
      prev->stroke = (prev->stroke & ~0xFFu) | 0x99u; /* a dense comb reads lighter */
      continue;
    }
    y0 = tl__lane_cy(g, a->from);
    y1 = tl__lane_cy(g, a->to);
    if (y1 > y0) { y0 += run; y1 -= run; }
    else { y0 -= run; y1 += run; }
    it = tl__line(d, TL_DL_ARROW, TL_ROLE_ARROW, x0, y0, x1, y1,
                  tl__rgba(tl__arrow_rgb[a->kind]), tl__arrow_width[a->kind],
                  tl__arrow_dash[a->kind]);
    it->lane = a->to;
    it->ref = a->kind;
    tl__arrow_title(g, it, a);
    if (!d->oom) last[a->kind] = d->n - 1;
  }
}

/* ---- markers --------------------------------------------------------- */

typedef struct tl__marker_look {
  uint32_t rgb;
  uint8_t shape;
  const char *what;
} tl__marker_look;

static tl__marker_look tl__look(unsigned kind) {
  tl__marker_look k = {TL_THEME_MARK_MARK, TL_SHAPE_DIAMOND, "mark"};
  switch (kind) {
    case TL_EV_PRINT: k.rgb = TL_THEME_MARK_PRINT; k.shape = TL_SHAPE_CIRCLE; k.what = "print"; break;
    case TL_EV_GIL_DROP_REQUEST: k.rgb = TL_THEME_MARK_DROP_REQUEST;
      k.shape = TL_SHAPE_TRIANGLE_DOWN; k.what = "GIL drop request"; break;
    case TL_EV_GIL_FAILED_WAKEUP: k.rgb = TL_THEME_MARK_FAILED_WAKEUP;
      k.shape = TL_SHAPE_CROSS; k.what = "failed wake-up"; break;
    case TL_EV_INTERRUPT: k.rgb = TL_THEME_MARK_INTERRUPT; k.shape = TL_SHAPE_SQUARE;
      k.what = "interrupt"; break;
    case TL_EV_DEADLOCK: k.rgb = TL_THEME_MARK_DEADLOCK; k.what = "deadlock"; break;
    case TL_EV_TRACE_FULL: k.rgb = TL_THEME_MARK_TRACE_FULL; k.what = "trace full"; break;
    case TL_EV_LESSON_STEP: k.rgb = TL_THEME_MARK_STEP; k.what = "lesson step"; break;
    default: break;
  }
  return k;
}

/* Where a label of width w fits beside a marker at x: to its right up to
 * `right`, else to its left down to `left`; the roomier side if neither.
 * Returns the anchor and sets *at and *room; room < 24 means nowhere. */
static int tl__label_side(float x, float r, float w, float left, float right, float *at,
                          float *room) {
  float rr = right - (x + r + 2), lr = (x - r - 2) - left;
  if (w <= rr || (w > lr && rr >= lr)) {
    *at = x + r + 2;
    *room = rr;
    return TL_ANCHOR_START;
  }
  *at = x - r - 2;
  *room = lr;
  return TL_ANCHOR_END;
}

static int tl__global_dash(unsigned kind) {
  return kind == TL_EV_TRACE_FULL    ? TL_DASH_DASHED
         : kind == TL_EV_LESSON_STEP ? TL_DASH_DOTTED
                                     : TL_DASH_SOLID;
}

/* A vertical line through a process (deadlock) or every row. */
static void tl__global_marker(tl__geo *g, const tl_marker *m, float x, float *band_end) {
  tl__marker_look k = tl__look(m->kind);
  const char *text = tl_layout_text(g->l, m->text);
  int whole = m->kind != TL_EV_DEADLOCK || m->proc < 0 || (size_t)m->proc >= g->l->nprocs;
  float y0 = whole ? g->rows_y0 : g->gil_y[m->proc];
  float y1 = whole ? g->rows_y1 : g->proc_y1[m->proc];
  char buf[200];
  float at, room;
  int anchor;
  uint32_t label;
  tl_dl_item *it = tl__line(g->d, TL_DL_LINE, TL_ROLE_MARKER, x, y0, x, y1, tl__rgba(k.rgb),
                            m->kind == TL_EV_DEADLOCK ? 2 : 1, tl__global_dash(m->kind));
  it->ref = m->kind;
  it->title = tl__strf(g->d, "%s%s%s", k.what, *text ? ": " : "", text);
  snprintf(buf, sizeof buf, "%s%s%s", m->kind == TL_EV_LESSON_STEP ? "" : k.what,
           *text && m->kind != TL_EV_LESSON_STEP ? ": " : "", text);
  anchor = tl__label_side(x, 1, tl__text_px(buf, TL__SMALL), *band_end + 6, g->d->plot_x1, &at,
                          &room);
  if (room < 24 || !(label = tl__str(g->d, buf, TL__SMALL, room, 0))) return;
  it = tl__text(g->d, TL_ROLE_MARKER, at, g->band_y, label, TL__SMALL, anchor, tl__rgba(k.rgb));
  it->bold = m->kind == TL_EV_DEADLOCK;
  *band_end = anchor == TL_ANCHOR_START ? at + tl__text_px(tl_display_str(g->d, label), TL__SMALL)
                                        : x + 1;
}

/* The label of a print/mark/interrupt, beside it, clear of the labels and
 * markers before and after it in its lane. */
static void tl__marker_label(tl__geo *g, size_t i, float x, float y, float r, float *label_end) {
  const tl_layout *l = g->l;
  const tl_marker *m = &l->markers[i];
  const char *s = tl_layout_text(l, m->text);
  float right = x + 240, at, room;
  size_t j;
  int anchor;
  uint32_t text;
  if (g->lane_h < 24 || !*s) return;
  if (m->kind != TL_EV_PRINT && m->kind != TL_EV_MARK && m->kind != TL_EV_INTERRUPT) return;
  for (j = i + 1; j < l->nmarkers && j < i + 64; j++)
    if (l->markers[j].lane == m->lane) {
      float nx = tl__x(g, (double)l->markers[j].t) - r - 4;
      if (nx < right) right = nx;
      break;
    }
  if (right > g->d->plot_x1) right = g->d->plot_x1;
  anchor = tl__label_side(x, r, tl__text_px(s, TL__SMALL), label_end[m->lane] + 4, right, &at,
                          &room);
  if (room < 24 || !(text = tl__str(g->d, s, TL__SMALL, room, 0))) return;
  tl__text(g->d, TL_ROLE_MARKER, at, y + 3.5f, text, TL__SMALL, anchor,
           tl__rgba(m->kind == TL_EV_PRINT ? TL_THEME_TEXT : tl__look(m->kind).rgb))
      ->lane = m->lane;
  if (anchor == TL_ANCHOR_START)
    label_end[m->lane] = at + tl__text_px(tl_display_str(g->d, text), TL__SMALL);
}

static void tl__markers(tl__geo *g) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  size_t lo = 0, hi = l->nmarkers, i;
  float *label_end = calloc(l->nlanes + 1, sizeof *label_end), band_end = -1e9f;
  size_t *last = malloc((l->nlanes + 1) * sizeof *last);
  float r = g->lane_h < 24 ? 3 : 4.5f;
  if (!label_end || !last) { d->oom = 1; free(label_end); free(last); return; }
  for (i = 0; i < l->nlanes; i++) { last[i] = (size_t)-1; label_end[i] = -1e9f; }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if ((double)l->markers[mid].t < g->from) lo = mid + 1;
    else hi = mid;
  }
  for (i = lo; i < l->nmarkers && (double)l->markers[i].t <= g->to; i++) {
    const tl_marker *m = &l->markers[i];
    tl__marker_look k = tl__look(m->kind);
    float x = tl__x(g, (double)m->t), y;
    tl_dl_item *it;
    const char *text;
    g->marker_kinds |= (uint64_t)1 << (m->kind & 63);
    if (m->lane < 0) { tl__global_marker(g, m, x, &band_end); continue; }
    if ((size_t)m->lane >= l->nlanes) continue;
    if (last[m->lane] != (size_t)-1 && d->items[last[m->lane]].ref == m->kind &&
        x - d->items[last[m->lane]].x0 < 2 * r + 1) { /* glyphs must not overlap */
      d->items[last[m->lane]].count++;
      continue;
    }
    /* A drop request is drawn on the GIL row, on the holding it ends, so
     * it does not hide the forced-switch arrow that follows at once. */
    if (m->kind == TL_EV_GIL_DROP_REQUEST && m->proc >= 0 && (size_t)m->proc < l->nprocs)
      y = g->gil_y[m->proc] + 5;
    else
      y = tl__lane_cy(g, m->lane) - tl__bar_half(g, TL_STATE_RUNNING) - r + 0.5f; /* a pin */
    it = tl__item(d, TL_DL_GLYPH, TL_ROLE_MARKER);
    it->x0 = x;
    it->y0 = y;
    it->size = r;
    it->shape = k.shape;
    it->fill = tl__rgba(k.rgb);
    it->stroke = k.shape == TL_SHAPE_CROSS ? tl__rgba(k.rgb) : tl__rgba(TL_THEME_BACKGROUND);
    it->lane = m->lane;
    it->ref = m->kind;
    text = tl_layout_text(l, m->text);
    if (m->kind == TL_EV_GIL_DROP_REQUEST || m->kind == TL_EV_GIL_FAILED_WAKEUP) {
      int hl = tl_layout_find_lane(l, l->lanes[m->lane].pid, m->obj);
      it->title = tl__strf(d, m->kind == TL_EV_GIL_DROP_REQUEST
                                  ? "%s: %s asks %s to drop the GIL"
                                  : "%s: %s woke up, but %s had taken the GIL again",
                           k.what, tl__lane_name(g, m->lane),
                           hl >= 0 ? tl__lane_name(g, hl) : "?");
    } else {
      it->title = tl__strf(d, "%s by %s: %s", k.what, tl__lane_name(g, m->lane), text);
    }
    if (!d->oom) last[m->lane] = d->n - 1;
    tl__marker_label(g, i, x, y, r, label_end);
    if (label_end[m->lane] < x + r) label_end[m->lane] = x + r;
  }
  free(label_end);
  free(last);
}

/* Merged arrows and markers say how many they stand for. */
static void tl__count_titles(tl_display *d) {
  size_t i;
  for (i = 0; i < d->n; i++) {
    tl_dl_item *it = &d->items[i];
    if (it->count > 1 && (it->role == TL_ROLE_ARROW || it->role == TL_ROLE_MARKER)) {
      char first[900];
      snprintf(first, sizeof first, "%s", tl_display_str(d, it->title));
      it->title = tl__strf(d, "%u events here; the first: %s", it->count, first);
    }
  }
}

/* ---- time axis ------------------------------------------------------- */

/* A step of 1, 2 or 5 times a power of ten, about every 110 px. */
static double tl__tick_step(double span, float px) {
  double raw = span / (px / 110 > 2 ? px / 110 : 2), mag = pow(10, floor(log10(raw)));
  if (raw <= mag) return mag;
  if (raw <= 2 * mag) return 2 * mag;
  if (raw <= 5 * mag) return 5 * mag;
  return 10 * mag;
}

/* axis: draw the axis with labels; else the grid through the rows. */
static void tl__ticks(tl__geo *g, int axis) {
  tl_display *d = g->d;
  double step = tl__tick_step(g->to - g->from, d->plot_x1 - d->plot_x0), unit = 1, k;
  const char *uname = "ns";
  int dec;
  float y = g->rows_y1 + 4;
  if (step >= 1e9) { unit = 1e9; uname = "s"; }
  else if (step >= 1e6) { unit = 1e6; uname = "ms"; }
  else if (step >= 1e3) { unit = 1e3; uname = "µs"; }
  dec = step / unit >= 1 ? 0 : (int)ceil(-log10(step / unit) - 1e-9);
  if (axis)
    tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, d->plot_x0, y, d->plot_x1, y,
             tl__rgba(TL_THEME_AXIS), 1, TL_DASH_SOLID);
  for (k = ceil(g->from / step); k * step <= g->to + step * 1e-9; k++) {
    float x = tl__x(g, k * step);
    char buf[48];
    if (!axis) {
      tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, x, g->rows_y0, x, g->rows_y1,
               tl__rgba(TL_THEME_GRID), 1, TL_DASH_SOLID);
      continue;
    }
    tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, x, y, x, y + 5, tl__rgba(TL_THEME_AXIS), 1,
             TL_DASH_SOLID);
    snprintf(buf, sizeof buf, "%.*f %s", dec, k * step / unit, uname);
    tl__text(d, TL_ROLE_CHROME, x, y + 17, tl__str(d, buf, 11, 200, 0), 11, TL_ANCHOR_MIDDLE,
             tl__rgba(TL_THEME_TEXT_MUTED));
  }
}

/* ---- legend ---------------------------------------------------------- */

static const char *const tl__legend_state[TL_STATE__COUNT] = {
    NULL, "running (holds the GIL)", "ready (wants the GIL)", "blocked on a lock",
    "sleeping", "joining", "other wait (e.g. input)", "done"};
static const char *const tl__legend_arrow[TL_ARROW__COUNT] = {
    "GIL handoff", "forced GIL switch", "lock handoff"};
static const unsigned tl__legend_marks[] = {
    TL_EV_PRINT, TL_EV_MARK, TL_EV_GIL_DROP_REQUEST, TL_EV_GIL_FAILED_WAKEUP,
    TL_EV_INTERRUPT, TL_EV_DEADLOCK, TL_EV_TRACE_FULL, TL_EV_LESSON_STEP};

#define TL__LEGEND_ROW 20.0f
#define TL__LEGEND_FONT 11.0f

/* Walks the legend's entries, flowing them into rows; draws them when g is
 * given, and returns the height used. Entry e: states, arrows, markers. */
static float tl__legend(tl__geo *g, float width, float y0) {
  tl_display *d = g ? g->d : NULL;
  float x = 12, y = y0 + 12;
  int e, n = TL_STATE__COUNT - 1 + TL_ARROW__COUNT + 8;
  for (e = 0; e < n; e++) {
    int st = e + 1, ak = e - (TL_STATE__COUNT - 1), mk = ak - TL_ARROW__COUNT;
    const char *label;
    float sample = 24, w;
    if (st < TL_STATE__COUNT) label = tl__legend_state[st];
    else if (ak < TL_ARROW__COUNT) { label = tl__legend_arrow[ak]; sample = 30; }
    else {
      if (!g || !(g->marker_kinds & (uint64_t)1 << tl__legend_marks[mk])) continue;
      label = tl__look(tl__legend_marks[mk]).what;
      sample = 12;
    }
    w = sample + 5 + tl__text_px(label, TL__LEGEND_FONT) + 18;
    if (x + w > width - 12 && x > 12) { x = 12; y += TL__LEGEND_ROW; }
    if (d) {
      float cy = y - 4;
      if (st < TL_STATE__COUNT) {
        float h = g->lane_h ? tl__bar_half(g, st) * TL__LANE_H / g->lane_h : 4;
        tl__rect(d, TL_ROLE_CHROME, x, cy - h, x + sample, cy + h, tl_display_state_colour(st));
      } else if (ak < TL_ARROW__COUNT) {
        tl__line(d, TL_DL_ARROW, TL_ROLE_CHROME, x, cy + 4, x + sample, cy - 4,
                 tl__rgba(tl__arrow_rgb[ak]), tl__arrow_width[ak], tl__arrow_dash[ak]);
      } else {
        unsigned kind = tl__legend_marks[mk];
        tl__marker_look k = tl__look(kind);
        if (kind == TL_EV_DEADLOCK || kind == TL_EV_TRACE_FULL || kind == TL_EV_LESSON_STEP) {
          tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, x + 6, cy - 7, x + 6, cy + 7, tl__rgba(k.rgb),
                   kind == TL_EV_DEADLOCK ? 2 : 1, tl__global_dash(kind));
        } else {
          tl_dl_item *it = tl__item(d, TL_DL_GLYPH, TL_ROLE_CHROME);
          it->x0 = x + 6; it->y0 = cy; it->size = 4.5f; it->shape = k.shape;
          it->fill = tl__rgba(k.rgb);
          it->stroke = k.shape == TL_SHAPE_CROSS ? it->fill : tl__rgba(TL_THEME_BACKGROUND);
        }
      }
      tl__text(d, TL_ROLE_CHROME, x + sample + 5, y, tl__str(d, label, TL__LEGEND_FONT, 1e6f, 0),
               TL__LEGEND_FONT, TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT));
    }
    x += w;
  }
  return y - y0 + 10;
}

static float tl__legend_h(float width) {
  return tl__legend(NULL, width, 0) + TL__LEGEND_ROW; /* room for a marker row */
}

/* ---- the whole picture ----------------------------------------------- */

void tl_display_opts_default(tl_display_opts *o) {
  memset(o, 0, sizeof *o);
  o->width = 1200;
  o->legend = 1;
}

/* The whole trace, from 0 unless the trace really starts late (a run
 * after :reset keeps its clock). */
static void tl__window(tl__geo *g, const tl_display_opts *o) {
  const tl_layout *l = g->l;
  if (o->t_from || o->t_to) {
    g->from = (double)o->t_from;
    g->to = (double)o->t_to;
  } else {
    g->from = l->t_begin <= (l->t_end - l->t_begin) / 10 ? 0 : (double)l->t_begin;
    g->to = (double)l->t_end;
  }
  if (g->to <= g->from) g->to = g->from + 1000;
}

static void tl__draw(tl__geo *g, const tl_display_opts *o) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  size_t i;
  float y;
  if (o->title) {
    tl_dl_item *it = tl__text(d, TL_ROLE_CHROME, 12, g->title_y,
                              tl__str(d, o->title, 16, d->width - 24, 0), 16, TL_ANCHOR_START,
                              tl__rgba(TL_THEME_TEXT));
    it->bold = 1;
  }
  tl__row_backgrounds(g);
  if (l->nlanes) tl__ticks(g, 0);
  for (i = 0; i < l->nprocs; i++) tl__row_segments(g, -(int)i - 1, l->procs[i].gil, l->procs[i].ngil);
  for (i = 0; i < l->nlanes; i++) tl__row_segments(g, (int)i, l->lanes[i].seg, l->lanes[i].nseg);
  tl__row_labels(g);
  tl__arrows(g);
  tl__markers(g);
  tl__count_titles(d);
  if (!l->nlanes)
    tl__text(d, TL_ROLE_CHROME, d->width / 2, g->rows_y0 + 24,
             tl__str(d, "(no thread activity recorded)", TL__FONT, d->width, 0), TL__FONT,
             TL_ANCHOR_MIDDLE, tl__rgba(TL_THEME_TEXT_MUTED));
  else
    tl__ticks(g, 1);
  y = g->rows_y1 + (l->nlanes ? 30 : 40);
  if (o->legend) y += tl__legend(g, d->width, y);
  if (l->lost) {
    char buf[120];
    snprintf(buf, sizeof buf, "%llu events were lost: the trace was full",
             (unsigned long long)l->lost);
    tl__text(d, TL_ROLE_CHROME, 12, y + 12, tl__str(d, buf, 11, d->width, 0), 11,
             TL_ANCHOR_START, tl__rgba(TL_THEME_MARK_DEADLOCK))->bold = 1;
    y += 20;
  }
  if (o->height <= 0) d->height = y + 6;
}

tl_display *tl_display_build(const tl_layout *l, const tl_display_opts *o) {
  tl_display_opts def;
  tl_display *d = calloc(1, sizeof *d);
  tl__geo g;
  if (!o) { tl_display_opts_default(&def); o = &def; }
  if (!d || !(d->strings = calloc(1, 4096))) { free(d); return NULL; }
  d->capstr = 4096;
  d->nstr = 1; /* offset 0 is "" */
  memset(&g, 0, sizeof g);
  g.l = l;
  g.d = d;
  d->width = o->width > 100 ? o->width : 100;
  d->height = o->height;
  d->background = tl__rgba(TL_THEME_BACKGROUND);
  d->font_family = TL_THEME_FONT_FAMILY;
  tl__window(&g, o);
  d->t_from = (uint64_t)g.from;
  d->t_to = (uint64_t)g.to;
  g.label_w = tl__label_width(l, d->width);
  d->plot_x0 = g.label_w;
  d->plot_x1 = d->width - 16 > d->plot_x0 + 40 ? d->width - 16 : d->plot_x0 + 40;
  g.scale = (d->plot_x1 - d->plot_x0) / (g.to - g.from);
  if (tl__plan(&g, o) == 0) {
    tl__rect(d, TL_ROLE_CHROME, 0, 0, d->width, d->height, d->background);
    tl__draw(&g, o);
    if (d->n) d->items[0].y1 = d->height; /* known only now, when natural */
  } else {
    d->oom = 1;
  }
  free(g.lane_y);
  free(g.gil_y);
  free(g.proc_y1);
  if (d->oom) {
    tl_display_free(d);
    return NULL;
  }
  return d;
}

void tl_display_free(tl_display *d) {
  if (!d) return;
  free(d->items);
  free(d->strings);
  free(d);
}

uint64_t tl_display_time_at(const tl_display *d, float x) {
  double span = (double)(d->t_to - d->t_from), w = d->plot_x1 - d->plot_x0;
  double t = (double)d->t_from + (x - d->plot_x0) * span / (w > 0 ? w : 1);
  return t < 0 ? 0 : (uint64_t)t;
}
