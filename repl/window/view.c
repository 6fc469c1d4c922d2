/* The window's view: its state, its display lists, and input. See view.h. */
#include "view.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define TL__MIN_SPAN 1000.0        /* 1 µs */
#define TL__MAX_SPAN 1e13          /* ~3 hours */
#define TL__NARRATION_PX 17.0f

void tl_view_init(tl_view *v, float width, float height, float ui) {
  memset(v, 0, sizeof *v);
  v->ui = ui > 0 ? ui : 1;
  tl_view_resize(v, width, height);
  v->follow = v->fit = 1;
  v->focus = -1;
  v->layout = tl_layout_new();
}

void tl_view_free(tl_view *v) {
  tl_display_free(v->timeline);
  tl_display_free(v->graph);
  tl_layout_free(v->layout);
  memset(v, 0, sizeof *v);
}

void tl_view_resize(tl_view *v, float width, float height) {
  v->width = (width < 320 ? 320 : width) / v->ui;
  v->height = (height < 240 ? 240 : height) / v->ui;
}

void tl_view_set_ui(tl_view *v, float ui) {
  float w = v->width * v->ui, h = v->height * v->ui;
  v->ui = ui < 0.75f ? 0.75f : ui > 2.5f ? 2.5f : ui;
  tl_view_resize(v, w, h);
}

/* The narration box says what the trace's lesson events say. */
static void tl__narration_from(tl_view *v) {
  const tl_layout *l = v->layout;
  const char *head = l->narr_head ? tl_layout_text(l, l->narr_head) : "";
  const char *text = l->narr_text ? l->narr_text : "";
  if (v->narr_gen == l->narr_gen) return;
  v->narr_gen = l->narr_gen;
  if (*head) snprintf(v->narration, sizeof v->narration, "%s\n%s", head, text);
  else snprintf(v->narration, sizeof v->narration, "%s", text);
}

int tl_view_update(tl_view *v, const tl_trace *tr, uint64_t end) {
  long n = 0;
  uint64_t old_end = v->live_end;
  if (!v->layout) return 0;
  if (!v->paused) {
    size_t before = v->layout->consumed;
    n = tl_layout_update(v->layout, tr);
    if (n < 0) { /* out of memory: start over next time */
      tl_layout_reset(v->layout);
      n = 0;
    }
    if (v->layout->consumed < before) v->live_end = 0; /* a new trace */
    if (end < v->layout->t_end) end = v->layout->t_end;
    if (end > v->live_end || v->layout->consumed < before) v->live_end = end;
    tl__narration_from(v);
    if (v->layout->ndeadlocks > v->seen_deadlocks && !v->graph_chosen) v->graph_shown = 1;
    v->seen_deadlocks = v->layout->ndeadlocks;
  }
  return n > 0 || v->live_end != old_end;
}

/* ---- geometry of the window -------------------------------------------- */

/* The narration box's text, wrapped by an estimate of glyph widths (CJK
 * one em, the rest about 0.58 em): at most 6 lines, "\n" between them. */
static int tl__wrap(const char *s, float width, float px, char *out, size_t n) {
  size_t o = 0, line_start = 0, last_space = 0;
  float w = 0, at_space = 0;
  int lines = 1;
  const unsigned char *p = (const unsigned char *)s;
  if (!*s) return 0;
  while (*p && o + 5 < n) {
    unsigned c = *p;
    const unsigned char *next = p;
    int len;
    float cw;
    tl_utf8_next(&next);
    len = (int)(next - p);
    cw = len >= 3 ? px : px * 0.58f;
    int i;
    if (c == '\n') {
      out[o++] = '\n';
      line_start = o;
      last_space = 0;
      w = 0;
      p++;
      if (++lines > 6) break;
      continue;
    }
    if (w + cw > width && o > line_start) {
      if (last_space > line_start && len < 3) { /* break at the last space */
        out[last_space] = '\n';
        w -= at_space;
        line_start = last_space + 1;
      } else {
        out[o++] = '\n';
        line_start = o;
        w = 0;
      }
      last_space = 0;
      if (++lines > 6) { o = line_start ? line_start - 1 : 0; break; }
    }
    if (c == ' ') { last_space = o; at_space = w + cw; }
    for (i = 0; i < len && p[i]; i++) out[o++] = (char)p[i];
    p += i;
    w += cw;
  }
  out[o] = '\0';
  return lines > 6 ? 6 : lines;
}

/* The lesson line MainThread runs, "▶ 30 │ lockB:acquire()", from the step's
 * code in the trace; 0 when no lesson plays. */
int tl__view_running_line(const tl_view *v, char *out, size_t n) {
  const tl_layout *l = v->layout;
  const char *code, *p;
  char key[16];
  size_t klen;
  if (!l || !l->lesson_code || !l->lesson_line || !l->trace) return 0;
  code = tl_layout_text(l, l->lesson_code);
  klen = (size_t)snprintf(key, sizeof key, "%u\xe2\x94\x82", l->lesson_line); /* "NN│" */
  for (p = code; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncmp(p, key, klen) == 0) {
      const char *end = strchr(p, '\n');
      int len = end ? (int)(end - p - (int)klen) : (int)strlen(p + klen);
      snprintf(out, n, "\xe2\x96\xb6 %u \xe2\x94\x82 %.*s", l->lesson_line, len, p + klen);
      return 1;
    }
  }
  return 0;
}

static float tl__narration_h(const tl_view *v) {
  char buf[4200];
  int lines = tl__wrap(v->narration, v->width - 40, TL__NARRATION_PX, buf, sizeof buf);
  lines += tl__view_running_line(v, buf, sizeof buf);
  return lines ? (float)lines * (TL__NARRATION_PX + 7) + 20 : 0;
}

static float tl__timeline_w(const tl_view *v) {
  return v->graph_shown && v->width > TL_VIEW_GRAPH_W + 400 ? v->width - TL_VIEW_GRAPH_W
                                                            : v->width;
}

static float tl__timeline_h(const tl_view *v) {
  return v->height - TL_VIEW_STATUS_H - tl__narration_h(v);
}

/* ---- building ---------------------------------------------------------- */

static int tl__has_cycle_now(const tl_layout *l) {
  tl_wait_edge e[64];
  size_t n = tl_layout_wait_edges(l, -1, e, 64), i;
  for (i = 0; i < n && i < 64; i++)
    if (e[i].cycle) return 1;
  return 0;
}

int tl_view_build(tl_view *v) {
  const tl_layout *l = v->layout;
  tl_display_opts o;
  tl_display *t, *g = NULL;
  float tw = tl__timeline_w(v), th = tl__timeline_h(v);
  uint64_t end = v->live_end > l->t_end ? v->live_end : l->t_end;
  tl_display_opts_default(&o);
  o.width = tw;
  o.height = th;
  o.legend = 1;
  o.max_lane_h = 64;
  o.focus_lane = v->focus;
  o.live_to = v->live_end > l->t_end ? v->live_end : 0;
  /* Tooltips only where the pointer is: formatting every one costs. */
  o.tips_near = v->hover && v->mx < tw ? v->mx : 1e9f;
  if (!v->fit) {
    uint64_t span = v->to > v->from ? v->to - v->from : 1000000;
    if (v->follow) {
      v->to = end;
      v->from = end > span ? end - span : 0;
      v->to = v->from + span;
    }
    o.t_from = v->from;
    o.t_to = v->to;
  }
  if (!(t = tl_display_build(l, &o))) return -1;
  if (v->fit) {
    v->from = t->t_from;
    v->to = t->t_to;
  }
  if (tw < v->width) {
    int which = l->ndeadlocks && !tl__has_cycle_now(l) ? (int)l->ndeadlocks - 1 : -1;
    if (!(g = tl_display_waitfor_build(l, which, v->width - tw, th))) {
      tl_display_free(t);
      return -1;
    }
  }
  tl_display_free(v->timeline);
  tl_display_free(v->graph);
  v->timeline = t;
  v->graph = g;
  return 0;
}

/* ---- input ------------------------------------------------------------- */

static int tl__in_timeline(const tl_view *v, float x, float y) {
  return v->timeline && x < v->timeline->width && y < v->timeline->height;
}

void tl_view_zoom(tl_view *v, float x, float factor) {
  const tl_display *d = v->timeline;
  double span, nspan, t, frac;
  if (!d) return;
  if (x < d->plot_x0 || x > d->plot_x1) x = (d->plot_x0 + d->plot_x1) / 2;
  span = (double)(d->t_to - d->t_from);
  nspan = span * factor;
  if (nspan < TL__MIN_SPAN) nspan = TL__MIN_SPAN;
  if (nspan > TL__MAX_SPAN) nspan = TL__MAX_SPAN;
  t = (double)tl_display_time_at(d, x);
  frac = (x - d->plot_x0) / (d->plot_x1 - d->plot_x0);
  v->from = t - frac * nspan < 0 ? 0 : (uint64_t)(t - frac * nspan);
  v->to = v->from + (uint64_t)nspan;
  v->fit = 0;
  /* Zooming in away from the live end stops following it. */
  if (v->follow && (double)v->to < (double)v->live_end - nspan * 0.05) v->follow = 0;
}

void tl_view_pan_px(tl_view *v, float dx) {
  const tl_display *d = v->timeline;
  double span, dt;
  if (!d) return;
  span = (double)(v->to - v->from);
  dt = -(double)dx / (d->plot_x1 - d->plot_x0) * span;
  if ((double)v->from + dt < 0) dt = -(double)v->from;
  v->from = (uint64_t)((double)v->from + dt);
  v->to = (uint64_t)((double)v->to + dt);
  v->fit = 0;
  v->follow = v->to >= v->live_end; /* dragged to the end: live again */
}

void tl_view_press(tl_view *v, float x, float y) {
  v->mx = x;
  v->my = y;
  if (!tl__in_timeline(v, x, y)) return;
  v->dragging = 1;
  v->drag_x = x;
  v->drag_from = v->from;
  v->drag_to = v->to;
  if (v->fit) { /* a drag starts from what is shown */
    v->drag_from = v->timeline->t_from;
    v->drag_to = v->timeline->t_to;
  }
}

void tl_view_motion(tl_view *v, float x, float y) {
  v->mx = x;
  v->my = y;
  v->hover = 1;
  if (v->dragging && (x - v->drag_x > 2 || v->drag_x - x > 2)) {
    v->from = v->drag_from;
    v->to = v->drag_to;
    v->fit = 0;
    tl_view_pan_px(v, x - v->drag_x);
  }
}

/* The lane whose row holds y, -1. */
static int tl__lane_at(const tl_view *v, float y) {
  const tl_display *d = v->timeline;
  size_t i;
  if (!d || !d->lane_top) return -1;
  for (i = 0; i < d->nlanes; i++)
    if (y >= d->lane_top[i] && y < d->lane_top[i] + d->lane_h) return (int)i;
  return -1;
}

void tl_view_release(tl_view *v, float x, float y) {
  int was = v->dragging;
  v->dragging = 0;
  if (!was || x - v->drag_x > 3 || v->drag_x - x > 3) return;
  /* A click: a lane's connections stand out; again, or elsewhere, not. */
  {
    int lane = tl__lane_at(v, y);
    v->focus = lane == v->focus ? -1 : lane;
  }
}

uint32_t tl_view_thread_at(const tl_view *v, float y) {
  int lane = tl__lane_at(v, y);
  const tl_lane *l;
  if (lane < 0 || !v->layout || (size_t)lane >= v->layout->nlanes) return 0;
  l = &v->layout->lanes[lane];
  return l->host >= 0 ? 0 : l->tid; /* a green lane is no thread to run */
}

void tl_view_fit(tl_view *v) {
  v->fit = v->follow = 1;
}

void tl_view_toggle_follow(tl_view *v) {
  v->follow = !v->follow;
  if (v->follow && v->fit) return;
  if (!v->follow) v->fit = 0;
}

void tl_view_toggle_pause(tl_view *v) { v->paused = !v->paused; }

void tl_view_toggle_graph(tl_view *v) {
  v->graph_shown = !v->graph_shown;
  v->graph_chosen = 1;
}

uint32_t tl_view_lane_tid(const tl_view *v, int n) {
  const tl_layout *l = v->layout;
  if (!l || !l->nprocs || n < 1 || (size_t)n > l->procs[0].nlanes) return 0;
  return l->lanes[l->procs[0].lanes[n - 1]].tid;
}

/* ---- for the painter ---------------------------------------------------- */

/* Exposed to view_paint.c through these two. */
float tl__view_narration_h(const tl_view *v) { return tl__narration_h(v); }
int tl__view_wrap(const tl_view *v, char *out, size_t n) {
  return tl__wrap(v->narration, v->width - 40, TL__NARRATION_PX, out, n);
}
