/* The legend of the display list: what each colour, arrow and marker
 * means, the states and three handoffs always, the rest when the trace
 * has them. */
#include "display_private.h"

#include <stdio.h>
#include <string.h>

/* ---- legend ---------------------------------------------------------- */

static const char *const tl__legend_state[TL_STATE__COUNT] = {
    NULL,       "running (holds the GIL)", "ready (wants the GIL)", "blocked on a lock",
    "sleeping", "joining",                 "other wait (e.g. input)", "done",
    "waiting (condition, queue, semaphore)", "waiting for an event",
    "running without the GIL (C code)"};
static const char *const tl__legend_arrow[TL_ARROW__COUNT] = {
    "GIL handoff", "forced GIL switch", "lock handoff", "notify → wake",
    "set → wake",  "put → get",         "fork",         "exit → join"};
static const unsigned tl__legend_marks[] = {
    TL_EV_PRINT, TL_EV_MARK, TL_EV_GIL_DROP_REQUEST, TL_EV_GIL_FAILED_WAKEUP,
    TL_EV_INTERRUPT, TL_EV_LOST_UPDATE, TL_EV_DEADLOCK, TL__LOOK_HANG, TL_EV_TRACE_FULL,
    TL_EV_DROPPED, TL_EV_LESSON_STEP};
#define TL__NMARKS (sizeof tl__legend_marks / sizeof *tl__legend_marks)

#define TL__LEGEND_ROW 20.0f
#define TL__LEGEND_FONT 11.0f

/* Whether the trace has a deadlock (hang 0) or a hang (hang 1). */
static int tl__has_stuck(const tl_layout *l, int hang) {
  size_t i;
  for (i = 0; i < l->ndeadlocks; i++)
    if (l->deadlocks[i].hang == hang) return 1;
  return 0;
}

/* Whether entry e (states, then arrows, then markers) is shown: the usual
 * states and the three GIL/lock arrows always, the rest when present. */
static int tl__legend_has(const tl__geo *g, int e) {
  int st = e + 1, ak = e - (TL_STATE__COUNT - 1), mk = ak - TL_ARROW__COUNT;
  if (st < TL_STATE__COUNT)
    return st <= TL_STATE_DONE || (g && g->l->state_kinds & 1u << st);
  if (ak < TL_ARROW__COUNT) return ak <= TL_ARROW_LOCK || (g && g->l->narrows_of[ak]);
  if (!g) return 0;
  if (tl__legend_marks[mk] == TL_EV_DEADLOCK) return tl__has_stuck(g->l, 0);
  if (tl__legend_marks[mk] == TL__LOOK_HANG) return tl__has_stuck(g->l, 1);
  return (g->l->marker_kinds & (uint64_t)1 << tl__legend_marks[mk]) != 0;
}

static void tl__legend_sample(tl__geo *g, int e, float x, float cy, float sample) {
  tl_display *d = g->d;
  int st = e + 1, ak = e - (TL_STATE__COUNT - 1), mk = ak - TL_ARROW__COUNT;
  if (st < TL_STATE__COUNT) {
    float h = g->lane_h ? tl__bar_half(g, st) * TL__LANE_H / g->lane_h : 4;
    tl__rect(d, TL_ROLE_CHROME, x, cy - h, x + sample, cy + h, tl_display_state_colour(st));
  } else if (ak < TL_ARROW__COUNT) {
    tl__line(d, TL_DL_ARROW, TL_ROLE_CHROME, x, cy + 4, x + sample, cy - 4,
             tl__rgba(tl__arrow_rgb[ak]), tl__arrow_width[ak], tl__arrow_dash[ak]);
  } else {
    unsigned kind = tl__legend_marks[mk];
    tl__marker_look k = tl__look(kind);
    if (kind == TL_EV_DEADLOCK || kind == TL__LOOK_HANG || kind == TL_EV_TRACE_FULL ||
        kind == TL_EV_DROPPED ||
        kind == TL_EV_LESSON_STEP) {
      tl__line(d, TL_DL_LINE, TL_ROLE_CHROME, x + 6, cy - 7, x + 6, cy + 7, tl__rgba(k.rgb),
               kind == TL_EV_DEADLOCK ? 2 : 1, tl__global_dash(kind));
    } else {
      tl_dl_item *it = tl__item(d, TL_DL_GLYPH, TL_ROLE_CHROME);
      it->x0 = x + 6; it->y0 = cy; it->size = 4.5f; it->shape = k.shape;
      it->fill = tl__rgba(k.rgb);
      it->stroke = k.shape == TL_SHAPE_CROSS ? it->fill : tl__rgba(TL_THEME_BACKGROUND);
    }
  }
}

float tl__legend(tl__geo *g, float width, float y0) {
  tl_display *d = g ? g->d : NULL;
  float x = 12, y = y0 + 12;
  int e, n = TL_STATE__COUNT - 1 + TL_ARROW__COUNT + (int)TL__NMARKS;
  for (e = 0; e < n; e++) {
    int st = e + 1, ak = e - (TL_STATE__COUNT - 1), mk = ak - TL_ARROW__COUNT;
    const char *label;
    float sample = 24, w;
    if (!tl__legend_has(g, e)) continue;
    if (st < TL_STATE__COUNT) label = tl__legend_state[st];
    else if (ak < TL_ARROW__COUNT) { label = tl__legend_arrow[ak]; sample = 30; }
    else {
      label = tl__legend_marks[mk] == TL_EV_DEADLOCK  ? "deadlock (the cycle in red)"
              : tl__legend_marks[mk] == TL__LOOK_HANG ? "hang (nothing can run again, no cycle)"
              : tl__legend_marks[mk] == TL_EV_DROPPED ? "older events dropped"
                                                      : tl__look(tl__legend_marks[mk]).what;
      sample = 12;
    }
    w = sample + 5 + tl__text_px(label, TL__LEGEND_FONT) + 18;
    if (x + w > width - 12 && x > 12) { x = 12; y += TL__LEGEND_ROW; }
    if (d) {
      tl__legend_sample(g, e, x, y - 4, sample);
      tl__text(d, TL_ROLE_CHROME, x + sample + 5, y, tl__str(d, label, TL__LEGEND_FONT, 1e6f, 0),
               TL__LEGEND_FONT, TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT));
    }
    x += w;
  }
  return y - y0 + 10;
}
