/* Building the display list from a layout. See display.h.
 *
 * Vertically: an optional heading, a band for labels of whole-process
 * markers, the deadlock banner if there is one, then per process its GIL
 * row and one row per lane, the time axis, the legend and, in recordings
 * of a deadlock, its wait-for graph. Each state has its own bar height
 * (running tallest, finished threads a hairline), so the picture reads
 * without colour too. */
#include "display_private.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t tl__thread_rgb[] = TL_THEME_THREAD_COLOURS;

uint32_t tl__rgba(uint32_t rgb) { return rgb << 8 | 0xFFu; }

uint32_t tl_display_state_colour(int state) {
  static const uint32_t rgb[TL_STATE__COUNT] = {
      TL_THEME_BACKGROUND, TL_THEME_RUNNING, TL_THEME_READY, TL_THEME_BLOCKED,
      TL_THEME_SLEEPING,   TL_THEME_JOINING, TL_THEME_IDLE,  TL_THEME_DONE,
      TL_THEME_WAITING,    TL_THEME_EVENT,   TL_THEME_NOGIL,   TL_THEME_ZOMBIE, TL_THEME_IO,
      TL_THEME_SUSPENDED};
  return tl__rgba(state >= 0 && state < TL_STATE__COUNT ? rgb[state] : TL_THEME_IDLE);
}

uint32_t tl_display_thread_colour(int lane) {
  size_t n = sizeof tl__thread_rgb / sizeof *tl__thread_rgb;
  return tl__rgba(tl__thread_rgb[(size_t)(lane < 0 ? 0 : lane) % n]);
}

/* Black or white, whichever reads better on `rgba`. */
uint32_t tl__ink_on(uint32_t rgba) {
  double r = (rgba >> 24 & 255) / 255.0, g = (rgba >> 16 & 255) / 255.0,
         b = (rgba >> 8 & 255) / 255.0;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? tl__rgba(0x1A1A1A) : tl__rgba(0xFFFFFF);
}

/* ---- geometry -------------------------------------------------------- */

int tl__wants_tip(const tl__geo *g, float x0, float x1) {
  float x = g->o->tips_near;
  if (x < 0) return 1;
  if (x1 < x0) { float t = x0; x0 = x1; x1 = t; }
  return x >= x0 - 8 && x <= x1 + 8;
}

float tl__x(const tl__geo *g, double t) {
  return g->d->plot_x0 + (float)((t - g->from) * g->scale);
}

float tl__lane_cy(const tl__geo *g, int lane) {
  return g->lane_y[lane] + g->lane_h * 0.62f;
}

/* Half the bar height of a state: the busier, the taller. */
float tl__bar_half(const tl__geo *g, int state) {
  static const float frac[TL_STATE__COUNT] = {0, .25f, .17f, .17f, .17f, .17f, .11f, .05f,
                                              .17f, .17f, .25f, .11f, .17f, .08f};
  return g->lane_h * frac[state >= 0 && state < TL_STATE__COUNT ? state : TL_STATE_IDLE];
}

const char *tl__lane_name(const tl__geo *g, int lane) {
  return lane >= 0 && (size_t)lane < g->l->nlanes ? g->l->lanes[lane].name : "?";
}

static float tl__legend_h(const tl__geo *g, float width) {
  tl__geo measure = *g;
  measure.d = NULL;
  return tl__legend(&measure, width, 0) + 20; /* room for a marker row */
}

/* The last deadlock inside the window, for the banner; -1 if none. */
static int tl__banner_pick(const tl__geo *g) {
  size_t i = g->l->ndeadlocks;
  while (i--) {
    double t = (double)g->l->deadlocks[i].t;
    if (t >= g->from && t <= g->to) return (int)i;
  }
  return -1;
}

/* Decides every row's y; lanes shrink when a fixed height is asked. */
static int tl__plan(tl__geo *g, const tl_display_opts *o) {
  const tl_layout *l = g->l;
  size_t p, k, i;
  float y = 8, fixed, *row_y;
  int dl = tl__banner_pick(g);
  for (i = 0; i < l->nglobals && !g->has_global; i++)
    g->has_global = l->markers[l->globals[i]].kind != TL_EV_DEADLOCK;
  /* A second plan (a wider name column) starts from nothing again. */
  free(g->lane_y);
  free(g->gil_y);
  free(g->proc_y1);
  free(g->band_at), free(g->band_row), free(g->band_anchor), free(g->band_room);
  g->band_at = g->band_room = NULL, g->band_row = g->band_anchor = NULL;
  g->band_rows = 0;
  g->lane_y = malloc((l->nlanes + 1) * sizeof *g->lane_y);
  g->gil_y = malloc((l->nprocs + 1) * sizeof *g->gil_y);
  g->proc_y1 = malloc((l->nprocs + 1) * sizeof *g->proc_y1);
  if (!g->lane_y || !g->gil_y || !g->proc_y1 || tl__rows_plan(g) != 0) return -1;
  if (o->title) { g->title_y = y + 18; y += 30; }
  if (dl >= 0) {
    g->banner_dl = (size_t)dl;
    g->banner_lines = tl__banner_wrap(g);
    g->banner_y = y;
    y += (float)g->banner_lines * TL__BANNER_LINE + 14;
  }
  if (g->has_global && (g->band_rows = tl__band_plan(g)) < 0) return -1;
  if (g->band_rows > 0) {
    g->band_y = y + 10;
    y += (float)g->band_rows * TL__BAND_ROW + 1;
  }
  g->lane_h = TL__LANE_H;
  g->gil_h = TL__GIL_H;
  fixed = y + (float)l->nprocs * (TL__GIL_H + TL__PROC_GAP) + 40 +
          (o->legend ? tl__legend_h(g, g->d->width) : 0);
  if (o->height > 0 && g->nrows) {
    float most = o->max_lane_h > TL__LANE_H ? o->max_lane_h : TL__LANE_H;
    g->lane_h = (o->height - fixed) / (float)g->nrows;
    if (g->lane_h > most) g->lane_h = most;
    if (g->lane_h < 6) g->lane_h = 6;
    if (g->lane_h > TL__LANE_H) { /* GIL rows grow a third as much */
      g->gil_h = TL__GIL_H + (g->lane_h - TL__LANE_H) / 3;
      g->lane_h -= (float)l->nprocs * (g->gil_h - TL__GIL_H) / (float)g->nrows;
    }
  }
  g->rows_y0 = y;
  if (!(row_y = malloc(((size_t)g->nrows + 1) * sizeof *row_y))) return -1;
  for (p = 0; p < l->nprocs; p++) {
    if (p) y += TL__PROC_GAP;
    g->gil_y[p] = y;
    y += g->gil_h;
    for (k = 0; k < l->procs[p].nlanes; k++) {
      int lane = l->procs[p].lanes[k], r = g->lane_row[lane];
      if (r >= 0 && g->row_lane[r] == lane) {
        row_y[r] = y;
        y += g->lane_h;
      }
    }
    g->proc_y1[p] = y;
  }
  for (i = 0; i < l->nlanes; i++) /* no row: far above the picture */
    g->lane_y[i] = g->lane_row[i] >= 0 ? row_y[g->lane_row[i]] : -1e4f;
  free(row_y);
  g->rows_y1 = y;
  return 0;
}

/* A GIL row is its process's header: its name and its number in order of
 * appearance (not its OS pid, so a recording is the same file every time;
 * the tooltip has the pid). One process with no name: just the GIL. */
static void tl__gil_label(const tl_layout *l, size_t p, char *buf, size_t n) {
  const char *name = l->procs[p].name ? tl_layout_text(l, l->procs[p].name) : "";
  if (l->nprocs == 1) snprintf(buf, n, "GIL");
  else if (!*name) snprintf(buf, n, "GIL, process %zu", p + 1);
  else snprintf(buf, n, "%s (process %zu) · GIL", name, p + 1);
}

/* The most threads one group row holds, 0 if there is none. */
static int tl__most_grouped(const tl__geo *g) {
  int r, most = 0;
  for (r = 0; r < g->nrows; r++)
    if (g->row_group[r] && g->row_count[r] > most) most = g->row_count[r];
  return most;
}

/* The name column: as wide as the longest name, within reason; groups:
 * the most threads a group row holds (0: none). */
static float tl__label_width(const tl_layout *l, float width, int groups) {
  float w = 90, cap = width * 0.28f;
  size_t i;
  char buf[96];
  snprintf(buf, sizeof buf, "%d short threads", groups);
  if (groups) w = tl__text_px(buf, TL__FONT) + 34;
  for (i = 0; i < l->nlanes; i++) {
    float t = tl__text_px(l->lanes[i].name, TL__FONT) + 34;
    if (t > w) w = t;
  }
  for (i = 0; i < l->nprocs; i++) {
    tl__gil_label(l, i, buf, sizeof buf);
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
    for (k = 0; k < l->procs[p].nlanes; k++) {
      int lane = l->procs[p].lanes[k], r = g->lane_row[lane];
      float y = g->lane_y[lane];
      if (r < 0)
        continue;
      else if (lane == g->focus)
        tl__rect(d, TL_ROLE_CHROME, 0, y, d->width, y + g->lane_h, tl__rgba(TL_THEME_FOCUS));
      else if (g->row_lane[r] != lane)
        continue;
      else if ((r - g->lane_row[l->procs[p].lanes[0]]) % 2) /* (MainThread has a row) */
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
    char buf[96];
    tl_dl_item *it;
    tl__gil_label(l, p, buf, sizeof buf);
    it = tl__text(d, TL_ROLE_LABEL, 8, g->gil_y[p] + g->gil_h / 2 + 4,
                  tl__str(d, buf, 11, g->label_w - 10, 0), 11, TL_ANCHOR_START,
                  tl__rgba(TL_THEME_TEXT_MUTED));
    it->bold = 1;
    it->title = tl__strf(d, "%s: its threads below; this row: who holds its GIL", buf);
  }
  for (i = 0; i < l->nlanes; i++) {
    float cy = tl__lane_cy(g, (int)i), s = g->lane_h < 20 ? g->lane_h * 0.4f : 10;
    float fs = g->lane_h < 20 ? g->lane_h * 0.6f : TL__FONT;
    int r = g->lane_row[i], group;
    char buf[48];
    tl_dl_item *it;
    if (r < 0 || g->row_lane[r] != (int)i) continue; /* the row's first thread names it */
    group = tl__row_is_group(g, r);
    it = tl__rect(d, TL_ROLE_LABEL, 8, cy - s / 2, 8 + s, cy + s / 2,
                  group ? tl__rgba(TL_THEME_DONE) : tl_display_thread_colour((int)i));
    it->size = 2;
    it->lane = (int32_t)i;
    snprintf(buf, sizeof buf, "%d short threads", g->row_count[r]);
    it = tl__text(d, TL_ROLE_LABEL, 14 + s, cy + fs * 0.36f,
                  tl__str(d, group ? buf : l->lanes[i].name, fs, g->label_w - s - 20, 0), fs,
                  TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT));
    it->lane = (int32_t)i;
    it->bold = (int)i == g->focus;
    if (group)
      it->title = tl__strf(d, "%d threads, each too short to see at this scale, share this row "
                              "(the first: %s; zoom in to see them one by one)",
                           g->row_count[r], l->lanes[i].name);
    else if (g->row_count[r] > 1)
      it->title = tl__strf(d, "%s: %d threads of this name, one after another, in process %d",
                           l->lanes[i].name, g->row_count[r], (int)l->lanes[i].proc + 1);
    else if (l->lanes[i].host >= 0)
      it->title = tl__strf(d, "%s: a coroutine run by %s, process %d (click: show what it touches)",
                           l->lanes[i].name, l->lanes[(size_t)l->lanes[i].host].name,
                           (int)l->lanes[i].proc + 1);
    else
      it->title = tl__strf(d, "%s: thread %u of process %d (click: show what it touches)",
                           l->lanes[i].name, l->lanes[i].tid, (int)l->lanes[i].proc + 1);
  }
}

/* ---- segments -------------------------------------------------------- */

/* ", held by A, then B" after what a lock wait's bar says: whoever held
 * the lock over the wait, in order; one of another process (an mp lock)
 * with its process's name ("Child/MainThread"). */
static void tl__holders(tl__geo *g, int lane, const tl_lock_wait *w, char *what, size_t n) {
  uint32_t i;
  size_t at = strlen(what);
  for (i = 0; w && i < w->nholders && i < TL_WAIT_HOLDERS && at < n; i++) {
    const tl_lane *h = &g->l->lanes[w->holder[i]];
    const char *proc = "";
    if (h->proc != g->l->lanes[lane].proc && g->l->procs[h->proc].name)
      proc = tl_layout_text(g->l, g->l->procs[h->proc].name);
    at += (size_t)snprintf(what + at, n - at, "%s%s%s%s", i ? ", then " : ", held by ", proc,
                           *proc ? "/" : "", tl__lane_name(g, w->holder[i]));
  }
  if (w && w->nholders > TL_WAIT_HOLDERS && at < n)
    snprintf(what + at, n - at, ", then %u more", w->nholders - TL_WAIT_HOLDERS);
}

/* lane < 0: a GIL row's holding, by the thread of lane `holder`. */
static void tl__segment_title(tl__geo *g, tl_dl_item *it, int lane, int holder,
                              const tl_segment *s, int live) {
  char dur[32], t0[32], t1[32], what[200] = "", obj[160], held[200] = "";
  tl_format_ns(dur, sizeof dur, (double)(s->t1 - s->t0));
  tl_format_ns(t0, sizeof t0, (double)s->t0);
  tl_format_ns(t1, sizeof t1, (double)s->t1);
  if (it->count > 1) {
    it->title = tl__strf(g->d, "%s: %u short states here (longest: %s)",
                         lane >= 0 ? tl__lane_name(g, lane) : "GIL", it->count,
                         lane >= 0 ? tl_state_name(s->state) : tl__lane_name(g, holder));
    return;
  }
  if (lane < 0) {
    it->title = tl__strf(g->d, "GIL held by %s for %s%s (%s – %s)", tl__lane_name(g, holder),
                         live ? "at least " : "", dur, t0, live ? "now" : t1);
    return;
  }
  if (s->state == TL_STATE_BLOCKED || s->state == TL_STATE_WAITING || s->state == TL_STATE_EVENT) {
    tl__obj_label(g->l, s->obj, obj, sizeof obj);
    snprintf(what, sizeof what, " on %s", obj);
    tl__holders(g, lane, tl_layout_lock_wait(g->l, lane, s), held, sizeof held);
  } else if (s->state == TL_STATE_JOINING) {
    int jl = tl_layout_find_lane(g->l, g->l->lanes[lane].pid, s->obj);
    snprintf(what, sizeof what, " %s", jl >= 0 ? tl__lane_name(g, jl) : "a thread");
  } else if (s->state == TL_STATE_IO) {
    snprintf(what, sizeof what, " on %s", tl_layout_text(g->l, s->obj));
  }
  /* (who held the lock comes last: "blocked on Lock L for 20 ms (...),
   * held by A, then B" leaves no doubt what the 20 ms is) */
  it->title = tl__strf(g->d, "%s: %s%s for %s%s (%s – %s)%s", tl__lane_name(g, lane),
                       tl_state_name(s->state), what, live ? "at least " : "", dur, t0,
                       live ? "now" : t1, held);
}

/* A word inside a wide bar: which lock, whom it joins, that it sleeps. */
static void tl__segment_label(tl__geo *g, int lane, const tl_segment *s, float xa, float xb,
                              float cy, uint32_t fill) {
  char buf[160];
  uint32_t text;
  if (g->lane_h < 24 || xb - xa < 24) return;
  if (s->state == TL_STATE_BLOCKED) {
    const char *lk = tl_layout_lock_name(g->l, s->obj);
    if (lk) snprintf(buf, sizeof buf, "lock %s", lk);
    else snprintf(buf, sizeof buf, "lock #%u", s->obj);
  } else if (s->state == TL_STATE_WAITING || s->state == TL_STATE_EVENT) {
    tl__obj_label(g->l, s->obj, buf, sizeof buf);
  } else if (s->state == TL_STATE_SLEEPING) {
    snprintf(buf, sizeof buf, "sleep");
  } else if (s->state == TL_STATE_IO) {
    snprintf(buf, sizeof buf, "I/O %s", tl_layout_text(g->l, s->obj));
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
                             uint32_t count, int live) {
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
  if (tl__wants_tip(g, xa, xb)) tl__segment_title(g, it, lane, holder, s, live);
  if (count > 1) return;
  if (lane >= 0) {
    tl__segment_label(g, lane, s, xa, xb, cy, fill);
  } else if (xb - xa >= 30) {
    uint32_t text = tl__str(g->d, tl__lane_name(g, holder), TL__SMALL, xb - xa - 6, 0);
    if (text) tl__text(g->d, TL_ROLE_LABEL, xa + 3, cy + 3.5f, text, TL__SMALL,
                       TL_ANCHOR_START, tl__ink_on(fill))->lane = holder;
  }
}

/* The first segment of seg[i, n) with t1 > t: galloping from i, so the
 * walk along a row touches memory near where it is. */
/* A time in ns as a double back to an integer, clamped: a hostile trace's
 * times near 2^64 must not overflow the conversion. */
static uint64_t tl__ns(double t) {
  if (!(t > 0)) return 0;
  if (t >= 18446744073709551615.0) return UINT64_MAX;
  return (uint64_t)t;
}

static size_t tl__seg_gallop(const tl_segment *seg, size_t i, size_t n, uint64_t t) {
  size_t step = 1, lo = i, hi;
  while (lo + step < n && seg[lo + step].t1 <= t) {
    lo += step;
    step *= 2;
  }
  hi = lo + step < n ? lo + step + 1 : n;
  return lo + tl_segment_search(seg + lo, hi - lo, t);
}

/* Everything that ends within the pixel column where a segment begins is
 * one item, counting them; it is found by a galloping search, so a
 * zoomed-out window costs per pixel, not per event. The item takes the
 * look of the longest segment in it (of a sample, when there are very
 * many). */
static void tl__row_segments(tl__geo *g, int lane, const tl_segment *seg, size_t n,
                             const tl_lod_row *lod) {
  size_t i = tl_segment_search(seg, n, (uint64_t)g->from), j, k, best;
  while (i < n && (double)seg[i].t0 < g->to) {
    const tl_segment *s = &seg[i];
    double a = (double)s->t0 < g->from ? g->from : (double)s->t0;
    double e = (double)s->t1 > g->to ? g->to : (double)s->t1;
    float xa = tl__x(g, a), xb = tl__x(g, e);
    if (xb - xa >= 1.0f) {
      tl__segment_item(g, lane, s, xa, xb, 1, 0);
      i++;
      continue;
    }
    j = tl__seg_gallop(seg, i, n, tl__ns(a + 1.0 / g->scale));
    if (j <= i) j = i + 1;
    best = i;
    if (j - i <= 8) {
      for (k = i + 1; k < j; k++)
        if (seg[k].t1 - seg[k].t0 > seg[best].t1 - seg[best].t0) best = k;
    } else {
      /* the look of what fills most of the pixel, from the summaries */
      best = tl_lod_pick(lod, seg, i, j, lane < 0);
    }
    e = (double)seg[j - 1].t1 > g->to ? g->to : (double)seg[j - 1].t1;
    xb = tl__x(g, e);
    if (xb < xa + 1) xb = xa + 1;
    if (xb > g->d->plot_x1) { xa -= xb - g->d->plot_x1; xb = g->d->plot_x1; }
    tl__segment_item(g, lane, &seg[best], xa, xb, (uint32_t)(j - i), 0);
    i = j;
  }
}

/* A row whose last state is still going on: in a live view it runs on to
 * live_to, past the last event. */
static void tl__row(tl__geo *g, int lane, const tl_segment *seg, size_t n, int open,
                    const tl_lod_row *lod) {
  tl_segment last;
  double a, e;
  if (!n || !open || g->o->live_to <= seg[n - 1].t1 || seg[n - 1].state == TL_STATE_DONE) {
    tl__row_segments(g, lane, seg, n, lod);
    return;
  }
  tl__row_segments(g, lane, seg, n - 1, lod);
  last = seg[n - 1];
  last.t1 = g->o->live_to;
  a = (double)last.t0 < g->from ? g->from : (double)last.t0;
  e = (double)last.t1 > g->to ? g->to : (double)last.t1;
  if (e <= a || a >= g->to) return;
  tl__segment_item(g, lane, &last, tl__x(g, a), tl__x(g, e) < tl__x(g, a) + 1 ? tl__x(g, a) + 1
                                                                          : tl__x(g, e), 1, 1);
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
  int dec, anchor;
  float half;
  float y = g->rows_y1 + 4;
  /* The unit of the numbers shown ("4.5 ms", not "4500 µs"), unless that
   * would take more than three decimals. */
  static const double units[] = {1, 1e3, 1e6, 1e9};
  static const char *const names[] = {"ns", "µs", "ms", "s"};
  int u = g->to >= 1e9 ? 3 : g->to >= 1e6 ? 2 : g->to >= 1e3 ? 1 : 0;
  while (u > 0 && step / units[u] < 1e-3 * (1 - 1e-9)) u--;
  unit = units[u];
  uname = names[u];
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
    /* centred under its tick, unless that would cross the picture's edge */
    half = tl__text_px(buf, 11) / 2;
    anchor = x + half > d->width - 2 ? TL_ANCHOR_END : x - half < 2 ? TL_ANCHOR_START
                                                                   : TL_ANCHOR_MIDDLE;
    tl__text(d, TL_ROLE_CHROME,
             anchor == TL_ANCHOR_END ? d->width - 2 : anchor == TL_ANCHOR_START ? 2 : x, y + 17,
             tl__str(d, buf, 11, 200, 0), 11, anchor, tl__rgba(TL_THEME_TEXT_MUTED));
  }
}

/* ---- focus ----------------------------------------------------------- */

/* Halfway to white, and fainter: what the focused lane does not touch. */
static uint32_t tl__fade(uint32_t rgba) {
  uint32_t r = rgba >> 24 & 255, g = rgba >> 16 & 255, b = rgba >> 8 & 255, a = rgba & 255;
  r += (255 - r) * 3 / 4;
  g += (255 - g) * 3 / 4;
  b += (255 - b) * 3 / 4;
  return r << 24 | g << 16 | b << 8 | a;
}

static void tl__apply_focus(tl__geo *g) {
  size_t i;
  for (i = 0; i < g->d->n; i++) {
    tl_dl_item *it = &g->d->items[i];
    if (it->role != TL_ROLE_SEGMENT && it->role != TL_ROLE_GIL && it->role != TL_ROLE_ARROW &&
        it->role != TL_ROLE_MARKER && !(it->role == TL_ROLE_LABEL && it->x0 >= g->d->plot_x0))
      continue;
    if (it->lane < 0 || it->lane == g->focus || it->lane2 == g->focus) continue;
    it->fill = tl__fade(it->fill);
    it->stroke = tl__fade(it->stroke);
  }
}

/* ---- the whole picture ----------------------------------------------- */

void tl_display_opts_default(tl_display_opts *o) {
  memset(o, 0, sizeof *o);
  o->width = 1200;
  o->legend = 1;
  o->focus_lane = -1;
  o->tips_near = -1;
}

/* The whole trace, from 0 unless the trace really starts late (a run
 * after :reset keeps its clock). */
static void tl__window(tl__geo *g, const tl_display_opts *o) {
  const tl_layout *l = g->l;
  uint64_t end = l->t_end > o->live_to ? l->t_end : o->live_to;
  if (o->t_from || o->t_to) {
    g->from = (double)o->t_from;
    g->to = (double)o->t_to;
  } else {
    g->from = l->t_begin <= (end - l->t_begin) / 10 ? 0 : (double)l->t_begin;
    g->to = (double)end;
    /* A run that ends in a deadlock: room after it to show it lasts. */
    if (l->ndeadlocks && !o->live_to && l->deadlocks[l->ndeadlocks - 1].t + (end - l->t_begin) / 50 >= end)
      g->to += (g->to - g->from) * 0.15 + 1e6;
  }
  if (g->to <= g->from) g->to = g->from + 1000;
}

/* Below the legend: who waited for whom at the last deadlock. */
static float tl__waitfor_below(tl__geo *g, float y) {
  const tl_deadlock *dl = &g->l->deadlocks[g->l->ndeadlocks - 1];
  char at[32], head[96];
  float w = g->d->width - 24, h = 70 + 36 * (float)(dl->nedges < 6 ? dl->nedges : 6);
  if (w > 760) w = 760;
  if (h < 190) h = 190;
  tl_format_ns(at, sizeof at, (double)dl->t);
  snprintf(head, sizeof head, "Who waits for whom at the %s (%s)", dl->hang ? "hang" : "deadlock", at);
  tl__waitfor_panel(g->d, g->l, dl->edges, dl->nedges, 12, y + 6, w, h, head);
  return h + 14;
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
  if (o->title) tl__panel(d, "title", 0, 0, d->width, g->title_y + 8);
  for (i = 0; i < l->nprocs; i++)
    tl__panel(d, "process", 0, g->gil_y[i], d->width, g->proc_y1[i]);
  if (g->band_rows > 0)
    tl__panel(d, "band", d->plot_x0, g->band_y - 10, d->plot_x1,
              g->band_y - 10 + (float)g->band_rows * TL__BAND_ROW + 1);
  tl__panel(d, "names", 0, g->rows_y0, d->plot_x0, g->rows_y1);
  tl__panel(d, "plot", d->plot_x0, g->rows_y0, d->plot_x1, g->rows_y1);
  tl__panel(d, "axis", 0, g->rows_y1, d->width, g->rows_y1 + 30);
  tl__row_backgrounds(g);
  if (l->nlanes) tl__ticks(g, 0);
  for (i = 0; i < l->nprocs; i++)
    tl__row(g, -(int)i - 1, l->procs[i].gil, l->procs[i].ngil, l->procs[i].holder >= 0,
            &l->procs[i].gillod);
  for (i = 0; i < l->nlanes; i++)
    tl__row(g, (int)i, l->lanes[i].seg, l->lanes[i].nseg, l->lanes[i].sm.open,
            &l->lanes[i].lod);
  if (g->has_group) tl__group_ticks(g);
  tl__row_labels(g);
  tl__stuck(g);
  tl__arrows(g);
  tl__deadlocks(g);
  tl__markers(g);
  if (g->banner_lines) tl__banner(g);
  if (g->focus >= 0) tl__apply_focus(g);
  if (!l->nlanes)
    tl__text(d, TL_ROLE_CHROME, d->width / 2, g->rows_y0 + 24,
             tl__str(d, "(no thread activity recorded)", TL__FONT, d->width, 0), TL__FONT,
             TL_ANCHOR_MIDDLE, tl__rgba(TL_THEME_TEXT_MUTED));
  else
    tl__ticks(g, 1);
  y = g->rows_y1 + (l->nlanes ? 30 : 40);
  if (o->legend) {
    float h = tl__legend(g, d->width, y);
    tl__panel(d, "legend", 0, y, d->width, y + h);
    y += h;
  }
  if (l->lost) {
    tl__panel(d, "notes", 0, y, d->width, y + 20);
    char buf[120];
    snprintf(buf, sizeof buf, "%llu events were lost: the trace was full",
             (unsigned long long)l->lost);
    tl__text(d, TL_ROLE_CHROME, 12, y + 12, tl__str(d, buf, 11, d->width, 0), 11,
             TL_ANCHOR_START, tl__rgba(TL_THEME_MARK_DEADLOCK))->bold = 1;
    y += 20;
  }
  if (o->waitfor && l->ndeadlocks && o->height <= 0) y += tl__waitfor_below(g, y);
  if (o->height <= 0) d->height = y + 6;
}

tl_display *tl__display_new(float width, float height) {
  tl_display *d = calloc(1, sizeof *d);
  if (!d || !(d->strings = calloc(1, 4096))) { free(d); return NULL; }
  d->capstr = 4096;
  d->nstr = 1; /* offset 0 is "" */
  d->width = width;
  d->height = height;
  d->background = tl__rgba(TL_THEME_BACKGROUND);
  d->font_family = TL_THEME_FONT_FAMILY;
  return d;
}

tl_display *tl_display_build(const tl_layout *l, const tl_display_opts *o) {
  tl_display_opts def;
  tl_display *d;
  tl__geo g;
  int pass, planned = -1;
  if (!o) { tl_display_opts_default(&def); o = &def; }
  if (!(d = tl__display_new(o->width > 100 ? o->width : 100, o->height))) return NULL;
  memset(&g, 0, sizeof g);
  g.l = l;
  g.d = d;
  g.o = o;
  g.focus = o->focus_lane >= 0 && (size_t)o->focus_lane < l->nlanes ? o->focus_lane : -1;
  tl__window(&g, o);
  d->t_from = tl__ns(g.from);
  d->t_to = tl__ns(g.to);
  for (pass = 0; pass < 2; pass++) {
    /* A group row's name may need a wider name column: then once more. */
    float w = tl__label_width(l, d->width, pass ? tl__most_grouped(&g) : 0);
    if (pass && (!g.has_group || w <= g.label_w)) break;
    g.label_w = w;
    d->plot_x0 = g.label_w;
    d->plot_x1 = d->width - 16 > d->plot_x0 + 40 ? d->width - 16 : d->plot_x0 + 40;
    g.scale = (d->plot_x1 - d->plot_x0) / (g.to - g.from);
    if ((planned = tl__plan(&g, o)) != 0) break;
  }
  if (planned == 0) {
    tl__rect(d, TL_ROLE_CHROME, 0, 0, d->width, d->height, d->background);
    tl__draw(&g, o);
    if (d->n) d->items[0].y1 = d->height; /* known only now, when natural */
  } else {
    d->oom = 1;
  }
  d->lane_top = g.lane_y; /* kept: the window finds lanes by it */
  d->nlanes = l->nlanes;
  d->lane_h = g.lane_h;
  free(g.gil_y);
  free(g.proc_y1);
  free(g.band_at);
  free(g.band_row);
  free(g.band_anchor);
  free(g.band_room);
  free(g.lane_row);
  free(g.row_lane);
  free(g.row_count);
  free(g.row_group);
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
  free(d->lane_top);
  free(d);
}

double tl_display_x_of(const tl_display *d, uint64_t t) {
  double span = (double)(d->t_to - d->t_from);
  if (t <= d->t_from || span <= 0) return d->plot_x0;
  return d->plot_x0 + (double)(t - d->t_from) * (d->plot_x1 - d->plot_x0) / span;
}

uint64_t tl_display_time_at(const tl_display *d, float x) {
  double span = (double)(d->t_to - d->t_from), w = d->plot_x1 - d->plot_x0;
  double t = (double)d->t_from + (x - d->plot_x0) * span / (w > 0 ? w : 1);
  return t < 0 ? 0 : (uint64_t)t;
}
