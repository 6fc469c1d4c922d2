/* Arrows, markers, deadlocks and the legend of the display list.
 *
 * Arrows and markers are walked per pixel bucket: from the first one in a
 * bucket, a binary search finds the first one past it, and the bucket
 * becomes one item counting them all. A zoomed-out view of a million
 * events costs per pixel column, not per event, and nothing is dropped:
 * every merged item says how many it stands for. */
#include <stddef.h>
#include "display_private.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint32_t tl__arrow_rgb[TL_ARROW__COUNT] = {
    TL_THEME_ARROW_GIL, TL_THEME_ARROW_GIL_FORCED, TL_THEME_ARROW_LOCK, TL_THEME_ARROW_NOTIFY,
    TL_THEME_ARROW_SET, TL_THEME_ARROW_PUT,        TL_THEME_ARROW_FORK, TL_THEME_ARROW_EXIT,
    TL_THEME_ARROW_IO, TL_THEME_ARROW_SWITCH};
const float tl__arrow_width[TL_ARROW__COUNT] = {1.2f, 1.4f, 1.8f, 1.5f, 1.5f, 1.5f, 1.3f, 1.3f, 1.5f, 1.2f};
const int tl__arrow_dash[TL_ARROW__COUNT] = {TL_DASH_SOLID,  TL_DASH_DASHED, TL_DASH_SOLID,
                                             TL_DASH_SOLID,  TL_DASH_SOLID,  TL_DASH_DOTTED,
                                             TL_DASH_DASHED, TL_DASH_DOTTED, TL_DASH_SOLID,
                                             TL_DASH_SOLID};

/* The time under x + dx px (where a bucket that begins at x ends). */
static double tl__t_after(const tl__geo *g, float x, float dx) {
  return g->from + (double)(x + dx - g->d->plot_x0) / g->scale;
}

/* ---- arrows ---------------------------------------------------------- */

static void tl__arrow_title(tl__geo *g, tl_dl_item *it, const tl_arrow *a) {
  char at[32], obj[160];
  const char *from = tl__lane_name(g, a->from), *to = tl__lane_name(g, a->to);
  tl_format_ns(at, sizeof at, (double)a->t1);
  switch (a->kind) {
    case TL_ARROW_LOCK: {
      const char *lk = tl_layout_lock_name(g->l, a->obj);
      it->title = tl__strf(g->d, "lock %s handed from %s to %s at %s", lk ? lk : "?", from, to, at);
      break;
    }
    case TL_ARROW_NOTIFY: case TL_ARROW_SET: case TL_ARROW_PUT:
      tl__obj_label(g->l, a->obj, obj, sizeof obj);
      it->title = tl__strf(g->d, "%s %s %s: %s %s at %s", from,
                           a->kind == TL_ARROW_NOTIFY ? "notified" : a->kind == TL_ARROW_SET ? "set"
                                                                                          : "put an item on",
                           obj, to, a->kind == TL_ARROW_PUT ? "got it" : "woke up", at);
      break;
    case TL_ARROW_FORK:
      it->title = tl__strf(g->d, "%s forked process %u (%s) at %s", from, a->obj, to, at);
      break;
    case TL_ARROW_SWITCH:
      it->title = tl__strf(g->d, "switch from %s to %s at %s", from, to, at);
      break;
    case TL_ARROW_EXIT:
      if (g->l->lanes[a->from].pid == g->l->lanes[a->to].pid) /* a thread's end */
        it->title = tl__strf(g->d, "%s ended; %s's join returned at %s", from, to, at);
      else
        it->title = tl__strf(g->d, "process %u exited; %s joined it at %s", a->obj, to, at);
      break;
    case TL_ARROW_IO:
      it->title = tl__strf(g->d, "%s wrote; %s, waiting for I/O, could read at %s", from, to, at);
      break;
    default:
      it->title = tl__strf(g->d, "GIL %s from %s to %s at %s",
                           a->kind == TL_ARROW_GIL_FORCED ? "forced over"
                           : a->reason == TL_GIL_EXIT     ? "left at thread exit"
                           : a->reason == TL_GIL_YIELD    ? "yielded"
                                                          : "handed over",
                           from, to, at);
  }
}

/* First k in idx[lo, n) whose item's time comes at or (strictly) after t,
 * galloping from lo. Items are records of `stride` bytes from `base`, each
 * with its uint64_t time `at` bytes in (arrows by acquire time, markers). */
static size_t tl__gallop(const void *base, size_t stride, size_t at, const uint32_t *idx,
                         size_t lo, size_t n, double t, int strictly_after) {
  size_t hi = n, step = 1;
#define TL__TIME(k) ((double)*(const uint64_t *)((const char *)base + idx[k] * stride + at))
#define TL__BEFORE(k) (strictly_after ? TL__TIME(k) <= t : TL__TIME(k) < t)
  while (lo + step < n && TL__BEFORE(lo + step)) {
    lo += step;
    step *= 2;
  }
  if (lo + step < n) hi = lo + step + 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (TL__BEFORE(mid)) lo = mid + 1;
    else hi = mid;
  }
#undef TL__BEFORE
#undef TL__TIME
  return lo;
}

static size_t tl__arrow_search(const tl_layout *l, const uint32_t *idx, size_t lo, size_t n,
                               double t, int strictly_after) {
  return tl__gallop(l->arrows, sizeof l->arrows[0], offsetof(tl_arrow, t1), idx, lo, n, t,
                    strictly_after);
}

/* From the edge of one bar to the edge of the other; per kind, arrows
 * closer than six pixels to the one drawn are counted into it. */
void tl__arrows(tl__geo *g) {
  const tl_layout *l = g->l;
  tl_display *d = g->d;
  float run = tl__bar_half(g, TL_STATE_RUNNING) + 1;
  int k;
  for (k = 0; k < TL_ARROW__COUNT; k++) {
    const uint32_t *idx = l->arrows_of[k];
    size_t n = l->narrows_of[k], i = tl__arrow_search(l, idx, 0, n, g->from, 0), j;
    while (i < n && (double)l->arrows[idx[i]].t1 <= g->to) {
      const tl_arrow *a = &l->arrows[idx[i]];
      float x0 = tl__x(g, (double)a->t0 < g->from ? g->from : (double)a->t0);
      float x1 = tl__x(g, (double)a->t1), y0 = tl__lane_cy(g, a->from), y1 = tl__lane_cy(g, a->to);
      tl_dl_item *it;
      j = tl__arrow_search(l, idx, i + 1, n, tl__t_after(g, x1, 6), 1);
      if (tl__lane_hidden(g, a->from) || tl__lane_hidden(g, a->to)) { /* from out of view */
        i = j;
        continue;
      }
      if (y1 > y0) { y0 += run; y1 -= run; }
      else { y0 -= run; y1 += run; }
      it = tl__line(d, TL_DL_ARROW, TL_ROLE_ARROW, x0, y0, x1, y1, tl__rgba(tl__arrow_rgb[k]),
                    tl__arrow_width[k], tl__arrow_dash[k]);
      it->lane = a->to;
      it->lane2 = a->from;
      it->ref = k;
      it->count = (uint32_t)(j - i);
      if (it->count > 1) it->stroke = (it->stroke & ~0xFFu) | 0x99u; /* a dense comb reads lighter */
      if (tl__wants_tip(g, x0, x1)) tl__arrow_title(g, it, a);
      i = j;
    }
  }
}

/* ---- markers --------------------------------------------------------- */

tl__marker_look tl__look(unsigned kind) {
  tl__marker_look k = {TL_THEME_MARK_MARK, TL_SHAPE_DIAMOND, "mark"};
  switch (kind) {
    case TL_EV_PRINT: k.rgb = TL_THEME_MARK_PRINT; k.shape = TL_SHAPE_CIRCLE; k.what = "print"; break;
    case TL_EV_GIL_DROP_REQUEST: k.rgb = TL_THEME_MARK_DROP_REQUEST;
      k.shape = TL_SHAPE_TRIANGLE_DOWN; k.what = "GIL drop request"; break;
    case TL_EV_GIL_FAILED_WAKEUP: k.rgb = TL_THEME_MARK_FAILED_WAKEUP;
      k.shape = TL_SHAPE_CROSS; k.what = "failed wake-up"; break;
    case TL_EV_INTERRUPT: k.rgb = TL_THEME_MARK_INTERRUPT; k.shape = TL_SHAPE_SQUARE;
      k.what = "interrupt"; break;
    case TL_EV_DEADLOCK: k.rgb = TL_THEME_DEADLOCK; k.what = "deadlock"; break;
    case TL__LOOK_HANG: k.rgb = TL_THEME_HANG; k.what = "hang"; break;
    case TL_EV_TRACE_FULL: k.rgb = TL_THEME_MARK_TRACE_FULL; k.what = "trace full"; break;
    case TL_EV_DROPPED: k.rgb = TL_THEME_MARK_TRACE_FULL; k.what = "dropped"; break;
    case TL_EV_LOST_UPDATE: k.rgb = TL_THEME_MARK_LOST_UPDATE; k.shape = TL_SHAPE_CROSS;
      k.what = "lost update"; break;
    case TL_EV_LESSON_STEP: k.rgb = TL_THEME_MARK_STEP; k.what = "lesson step"; break;
    case TL_EV_KILL: k.rgb = TL_THEME_MARK_KILL; k.shape = TL_SHAPE_CROSS; k.what = "signal"; break;
    case TL_EV_REPARENT: k.rgb = TL_THEME_MARK_REPARENT; k.shape = TL_SHAPE_SQUARE;
      k.what = "re-parented orphan"; break;
    case TL_EV_IO_READY: k.rgb = TL_THEME_MARK_IO_READY; k.shape = TL_SHAPE_TRIANGLE_DOWN;
      k.what = "select/poll/epoll ready set"; break;
    default: break;
  }
  return k;
}

/* Where a label of width w fits beside a marker at x, between left and
 * right: to its right, else to its left; the roomier side if neither.
 * Returns the anchor and sets *at and *room; room < 24 means nowhere. */
static int tl__label_side(float x, float r, float w, float left, float right, float *at,
                          float *room) {
  float rr = x + r + 2 >= left ? right - (x + r + 2) : -1, lr = (x - r - 2) - left;
  if (w <= rr || (w > lr && rr >= lr)) {
    *at = x + r + 2;
    *room = rr;
    return TL_ANCHOR_START;
  }
  *at = x - r - 2;
  *room = lr;
  return TL_ANCHOR_END;
}

int tl__global_dash(unsigned kind) {
  return kind == TL_EV_TRACE_FULL || kind == TL_EV_DROPPED ? TL_DASH_DASHED
         : kind == TL_EV_LESSON_STEP ? TL_DASH_DOTTED
                                     : TL_DASH_SOLID;
}

/* A vertical line through a process (deadlock) or every row; its label in
 * the band above the rows (a deadlock's goes in the banner). */
static void tl__global_marker(tl__geo *g, size_t gi, const tl_marker *m, float x) {
  tl__marker_look k = tl__look(m->hang ? TL__LOOK_HANG : m->kind);
  char said[200];
  const char *text = tl_layout_marker_label(g->l, m, said, sizeof said);
  const char *note = tl_layout_marker_note(g->l, m);
  int whole = m->kind != TL_EV_DEADLOCK || m->proc < 0 || (size_t)m->proc >= g->l->nprocs;
  float y0 = whole ? g->rows_y0 : g->gil_y[m->proc];
  float y1 = whole ? g->rows_y1 : g->proc_y1[m->proc];
  char buf[200];
  uint32_t label;
  tl_dl_item *it = tl__line(g->d, TL_DL_LINE, TL_ROLE_MARKER, x, y0, x, y1, tl__rgba(k.rgb),
                            m->kind == TL_EV_DEADLOCK ? 2 : 1, tl__global_dash(m->kind));
  it->ref = m->kind;
  /* a hang's text says "hang: ..." itself; a step's tooltip is what the
   * teacher said before it (in an SVG, its <title>): a recorded diagram
   * keeps the narration */
  it->title = m->kind == TL_EV_DROPPED ? tl__strf(g->d, "%s\n%s", text, note)
              : m->hang && *text       ? tl__strf(g->d, "%s", text)
                                       : tl__strf(g->d, "%s%s%s%s%s", k.what, *text ? ": " : "",
                                                  text, *note ? "\n\n" : "", note);
  if (m->kind == TL_EV_DEADLOCK || g->band_rows <= 0) return;
  tl__global_text(g, m, buf, sizeof buf);
  if (g->band_room[gi] < 24 || !(label = tl__str(g->d, buf, TL__SMALL, g->band_room[gi], 0)))
    return;
  it = tl__text(g->d, TL_ROLE_MARKER, g->band_at[gi],
                g->band_y + TL__BAND_ROW * (float)g->band_row[gi], label, TL__SMALL,
                g->band_anchor[gi], tl__rgba(k.rgb));
  it->ref = m->kind;
}

/* The label of a print/mark/interrupt, beside it, clear of the labels
 * before it and of the next marker of its lane (at next_x). */
static void tl__marker_label(tl__geo *g, const tl_marker *m, float x, float y, float r,
                             float next_x, float *label_end) {
  char said[200];
  const char *s = tl_layout_marker_label(g->l, m, said, sizeof said);
  float right = x + 240, at, room;
  int anchor;
  uint32_t text;
  if (g->lane_h < 24 || !*s) return;
  if (m->kind != TL_EV_PRINT && m->kind != TL_EV_MARK && m->kind != TL_EV_INTERRUPT &&
      m->kind != TL_EV_LOST_UPDATE)
    return;
  if (next_x - r - 4 < right) right = next_x - r - 4;
  if (right > g->d->plot_x1) right = g->d->plot_x1;
  anchor = tl__label_side(x, r, tl__text_px(s, TL__SMALL),
                          *label_end + 4 > g->d->plot_x0 ? *label_end + 4 : g->d->plot_x0,
                          right, &at, &room);
  if (room < 24 || !(text = tl__str(g->d, s, TL__SMALL, room, 0))) return;
  tl__text(g->d, TL_ROLE_MARKER, at, y + 3.5f, text, TL__SMALL, anchor,
           tl__rgba(m->kind == TL_EV_PRINT ? TL_THEME_TEXT : tl__look(m->kind).rgb))
      ->lane = m->lane;
  if (anchor == TL_ANCHOR_START)
    *label_end = at + tl__text_px(tl_display_str(g->d, text), TL__SMALL);
}

static size_t tl__mark_search(const tl_layout *l, const uint32_t *idx, size_t lo, size_t n,
                              double t, int strictly_after) {
  return tl__gallop(l->markers, sizeof l->markers[0], offsetof(tl_marker, t), idx, lo, n, t,
                    strictly_after);
}

/* qsort has no context argument; the display is built on one thread at a
 * time per layout, and this is only read during the sort. */
static _Thread_local const tl_marker *tl__sort_marks;

static int tl__mark_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  uint64_t tx = tl__sort_marks[x].t, ty = tl__sort_marks[y].t;
  return tx < ty ? -1 : tx > ty ? 1 : x < y ? -1 : x > y;
}

static void tl__marker_title(tl__geo *g, tl_dl_item *it, const tl_marker *m) {
  tl__marker_look k = tl__look(m->kind);
  char first[700];
  if (m->kind == TL_EV_GIL_DROP_REQUEST || m->kind == TL_EV_GIL_FAILED_WAKEUP) {
    int hl = tl_layout_find_lane(g->l, g->l->lanes[m->lane].pid, m->obj);
    snprintf(first, sizeof first,
             m->kind == TL_EV_GIL_DROP_REQUEST ? "%s: %s asks %s to drop the GIL"
                                               : "%s: %s woke up, but %s had taken the GIL again",
             k.what, tl__lane_name(g, m->lane), hl >= 0 ? tl__lane_name(g, hl) : "?");
  } else if (m->kind == TL_EV_LOST_UPDATE) {
    char said[200];
    snprintf(first, sizeof first, "%s by %s\n%s",
             tl_layout_marker_label(g->l, m, said, sizeof said), tl__lane_name(g, m->lane),
             tl_layout_marker_note(g->l, m));
  } else {
    snprintf(first, sizeof first, "%s by %s: %s", k.what, tl__lane_name(g, m->lane),
             tl_layout_text(g->l, m->text));
  }
  it->title = it->count > 1 ? tl__strf(g->d, "%u events here; the first: %s", it->count, first)
                            : tl__strf(g->d, "%s", first);
}

/* The markers marks[0..n) (in time order) of the threads of one row, or
 * a thread's drop requests (its gilmarks, drawn on the GIL row and grouped
 * apart so that neither hides the other). */
static void tl__row_markers(tl__geo *g, const uint32_t *marks, size_t n, float r) {
  const tl_layout *l = g->l;
  size_t i = tl__mark_search(l, marks, 0, n, g->from, 0), j;
  float label_end = -1e9f;
  while (i < n && (double)l->markers[marks[i]].t <= g->to) {
    const tl_marker *m = &l->markers[marks[i]];
    int lane = m->lane;
    tl__marker_look k = tl__look(m->kind);
    float x = tl__x(g, (double)m->t), y;
    tl_dl_item *it;
    j = tl__mark_search(l, marks, i + 1, n, tl__t_after(g, x, 2 * r + 1), 1);
    /* A drop request is drawn on the GIL row, on the holding it ends, so
     * it does not hide the forced-switch arrow that follows at once. */
    if (m->kind == TL_EV_GIL_DROP_REQUEST && m->proc >= 0 && (size_t)m->proc < l->nprocs)
      y = g->gil_y[m->proc] + 5;
    else
      y = tl__lane_cy(g, lane) - tl__bar_half(g, TL_STATE_RUNNING) - r + 0.5f; /* a pin */
    it = tl__item(g->d, TL_DL_GLYPH, TL_ROLE_MARKER);
    it->x0 = x;
    it->y0 = y;
    it->size = r;
    it->shape = k.shape;
    it->fill = tl__rgba(k.rgb);
    it->stroke = k.shape == TL_SHAPE_CROSS ? tl__rgba(k.rgb) : tl__rgba(TL_THEME_BACKGROUND);
    it->lane = lane;
    it->ref = m->kind;
    it->count = (uint32_t)(j - i);
    if (tl__wants_tip(g, x, x)) tl__marker_title(g, it, m);
    if (j == i + 1)
      tl__marker_label(g, m, x, y, r,
                       j < n ? tl__x(g, (double)l->markers[marks[j]].t) : g->d->plot_x1 + 1e6f,
                       &label_end);
    if (label_end < x + r) label_end = x + r;
    i = j;
  }
}

void tl__markers(tl__geo *g) {
  const tl_layout *l = g->l;
  float r = g->lane_h < 24 ? 3 : 4.5f;
  size_t i;
  for (i = 0; i < l->nglobals; i++) {
    const tl_marker *m = &l->markers[l->globals[i]];
    if ((double)m->t < g->from || (double)m->t > g->to) continue;
    tl__global_marker(g, i, m, tl__x(g, (double)m->t));
  }
  for (i = 0; i < l->nlanes; i++)
    tl__row_markers(g, l->lanes[i].gilmarks, l->lanes[i].ngilmarks, r);
  for (i = 0; i < l->nlanes; i++) {
    const tl_lane *ln = &l->lanes[i];
    int row = g->lane_row[i];
    uint32_t *all;
    size_t n = 0, k;
    if (row < 0) continue;
    if (g->row_count[row] == 1) {
      tl__row_markers(g, ln->marks, ln->nmarks, r);
      continue;
    }
    if (g->row_lane[row] != (int)i) continue;
    /* Threads sharing a row: their markers as one row's, so that their
     * labels keep clear of each other. */
    for (k = i; k < l->nlanes; k++)
      if (g->lane_row[k] == row) n += l->lanes[k].nmarks;
    if (!(all = malloc((n ? n : 1) * sizeof *all))) { g->d->oom = 1; return; }
    for (k = i, n = 0; k < l->nlanes; k++)
      if (g->lane_row[k] == row && l->lanes[k].nmarks) {
        memcpy(all + n, l->lanes[k].marks, l->lanes[k].nmarks * sizeof *all);
        n += l->lanes[k].nmarks;
      }
    tl__sort_marks = l->markers;
    qsort(all, n, sizeof *all, tl__mark_cmp);
    tl__row_markers(g, all, n, r);
    free(all);
  }
}

/* ---- deadlocks --------------------------------------------------------- */

/* "Thread-1 waits for Lock B held by Thread-2; ...", the cycle first. */
static void tl__describe(const tl_layout *l, const tl_deadlock *dl, char *buf, size_t n) {
  size_t i, len = 0;
  int pass, cross = tl_layout_edges_cross(l, dl->edges, dl->nedges);
  char obj[160], wbuf[160], hbuf[160];
  buf[0] = '\0';
  for (pass = 1; pass >= 0; pass--)
    for (i = 0; i < dl->nedges && len + 1 < n; i++) {
      const tl_wait_edge *e = &dl->edges[i];
      const char *who = tl_layout_lane_label(l, e->waiter, cross, wbuf, sizeof wbuf);
      const char *holder =
          e->holder >= 0 ? tl_layout_lane_label(l, e->holder, cross, hbuf, sizeof hbuf) : NULL;
      if (e->cycle != pass) continue;
      if (e->join) {
        len += (size_t)snprintf(buf + len, n - len, "%s%s joins %s", len ? "; " : "", who,
                                holder ? holder : "a thread");
      } else if (e->on) {
        tl__obj_label(l, e->obj, obj, sizeof obj);
        len += (size_t)snprintf(buf + len, n - len, "%s%s waits on %s", len ? "; " : "", who, obj);
      } else {
        tl__obj_label(l, e->obj, obj, sizeof obj);
        len += (size_t)snprintf(buf + len, n - len, "%s%s waits for %s%s%s", len ? "; " : "",
                                who, obj, holder ? " held by " : "", holder ? holder : "");
      }
    }
}

void tl__banner_text(const tl_layout *l, size_t i, char *a, size_t na, char *b, size_t nb) {
  const tl_deadlock *dl = &l->deadlocks[i];
  const char *said = tl_layout_text(l, dl->text);
  char mine[600];
  tl__describe(l, dl, mine, sizeof mine);
  if (*said) {
    /* The detector's headline, then the cycle in one line: its own lines
     * after the headline say the same as `mine`, which fits the banner. */
    const char *nl = strchr(said, '\n');
    int len = nl ? (int)(nl - said) : (int)strlen(said);
    if (nl && len > 0 && said[len - 1] == ':') len--;
    if (dl->hang && strncmp(said, "hang: ", 6) == 0) said += 6, len -= 6; /* HANG heads it */
    snprintf(a, na, "%.*s", len, said);
    /* The layout's own words only if they add something: never the same
     * waits twice (a hang's headline already lists every wait). */
    snprintf(b, nb, "%s", strcmp(mine, a) && !dl->hang ? mine : "");
  } else {
    snprintf(a, na, "%s", *mine ? mine : "no thread can go on");
    if (nb) b[0] = '\0';
  }
}

/* Appends text to the lines, breaking at spaces to fit width px. */
static int tl__wrap_into(char lines[][320], int n, int max, const char *text, float width) {
  const char *p = text;
  while (*p && n < max) {
    size_t len = strlen(p), cut = len, k;
    char buf[320];
    if (len > sizeof buf - 1) len = cut = sizeof buf - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    while (tl__text_px(buf, 12.6f) > width) { /* bold is a little wider */
      for (k = cut - 1; k > 0 && buf[k] != ' '; k--) {}
      if (k == 0) break; /* one long word: the painter's ellipsis cuts it */
      cut = k;
      buf[cut] = '\0';
    }
    snprintf(lines[n++], 320, "%s", buf);
    p += cut;
    while (*p == ' ') p++;
  }
  return n;
}

int tl__banner_wrap(tl__geo *g) {
  char a[600], b[600], at[32], first[700];
  float width = g->d->plot_x1 - 8 - 20;
  int n;
  tl__banner_text(g->l, g->banner_dl, a, sizeof a, b, sizeof b);
  tl_format_ns(at, sizeof at, (double)g->l->deadlocks[g->banner_dl].t);
  snprintf(first, sizeof first, "%s at %s: %s",
           g->l->deadlocks[g->banner_dl].hang ? "HANG" : "DEADLOCK", at, a);
  n = tl__wrap_into(g->banner, 0, 4, first, width);
  if (*b) n = tl__wrap_into(g->banner, n, 4, b, width);
  return n;
}

/* A red box over the rows: what the deadlock is, in words (a hang's is
 * amber: nothing can run again, but no thread holds what another wants). */
void tl__banner(tl__geo *g) {
  tl_display *d = g->d;
  char a[600], b[600];
  float x0 = 8, x1 = d->plot_x1, y = g->banner_y, h = (float)g->banner_lines * TL__BANNER_LINE + 8;
  tl_dl_item *it;
  int i, hang = g->l->deadlocks[g->banner_dl].hang;
  uint32_t ink = tl__rgba(hang ? TL_THEME_HANG : TL_THEME_DEADLOCK);
  tl__banner_text(g->l, g->banner_dl, a, sizeof a, b, sizeof b);
  tl__panel(d, "banner", x0, y, x1, y + h);
  it = tl__rect(d, TL_ROLE_MARKER, x0, y, x1, y + h,
                tl__rgba(hang ? TL_THEME_HANG_BG : TL_THEME_DEADLOCK_BG));
  it->stroke = ink;
  it->size = 4;
  it->ref = TL_EV_DEADLOCK;
  it->title = tl__strf(d, "%s%s%s", a, *b ? "\n" : "", b);
  for (i = 0; i < g->banner_lines; i++) {
    it = tl__text(d, TL_ROLE_MARKER, x0 + 10, y + 17 + TL__BANNER_LINE * (float)i,
                  tl__str(d, g->banner[i], 12, x1 - x0 - 20, 0), 12, TL_ANCHOR_START, ink);
    it->bold = i == 0 || !*b;
    it->ref = TL_EV_DEADLOCK;
  }
}

/* At each deadlock in view, red arrows from every waiting thread to the
 * thread it waits for, named by the lock: the cycle, drawn in the rows. */
void tl__deadlocks(tl__geo *g) {
  const tl_layout *l = g->l;
  size_t i, k, m;
  char obj[160];
  for (i = 0; i < l->ndeadlocks; i++) {
    const tl_deadlock *dl = &l->deadlocks[i];
    float x = tl__x(g, (double)dl->t), run = tl__bar_half(g, TL_STATE_BLOCKED) + 2;
    if ((double)dl->t < g->from || (double)dl->t > g->to) continue;
    for (k = 0, m = 0; k < dl->nedges; k++) m += dl->edges[k].holder >= 0;
    for (k = 0, m = m ? m : 1; k < dl->nedges; k++) {
      const tl_wait_edge *e = &dl->edges[k];
      float dx = ((float)k - (float)(m - 1) / 2) * 14, y0, y1, ym;
      tl_dl_item *it;
      uint32_t text;
      int left;
      if (e->holder < 0 || (size_t)e->waiter >= l->nlanes || (size_t)e->holder >= l->nlanes) continue;
      /* waiting for a Lock it holds itself: no arrow to draw, the bar says which lock */
      if (e->holder == e->waiter) continue;
      y0 = tl__lane_cy(g, e->waiter);
      y1 = tl__lane_cy(g, e->holder);
      /* Each label on its own arrow's side of the bundle: the two arrows of
       * a two-thread cycle share a midpoint. */
      left = dx < 0 || (dx == 0 && m > 1) || x > g->d->plot_x1 - 120;
      if (y1 > y0) { y0 += run; y1 -= run; }
      else { y0 -= run; y1 += run; }
      it = tl__line(g->d, TL_DL_ARROW, TL_ROLE_MARKER, x + dx, y0, x + dx, y1,
                    tl__rgba(dl->hang ? TL_THEME_HANG : e->cycle ? TL_THEME_DEADLOCK : 0xE08080),
                    e->cycle ? 2.2f : 1.4f,
                    e->cycle ? TL_DASH_SOLID : TL_DASH_DASHED);
      it->lane = e->holder;
      it->lane2 = e->waiter;
      it->ref = TL_EV_DEADLOCK;
      if (e->join) snprintf(obj, sizeof obj, "joins %s", tl__lane_name(g, e->holder));
      else tl__obj_label(l, e->obj, obj, sizeof obj);
      it->title = tl__strf(g->d, "%s %s%s%s%s%s", tl__lane_name(g, e->waiter),
                           e->join ? "" : "waits for ", obj, e->join ? "" : ", held by ",
                           e->join ? "" : tl__lane_name(g, e->holder),
                           e->cycle ? " (in the cycle)" : "");
      /* Between the two rows when they are neighbours; with rows between
       * them, right next to the waiter's row (the middle would sit on a
       * row the arrow only crosses, and seem to speak of it). */
      if (fabsf(tl__lane_cy(g, e->holder) - tl__lane_cy(g, e->waiter)) > g->lane_h * 1.5f)
        ym = tl__lane_cy(g, e->waiter) + (y1 > y0 ? g->lane_h / 2 : -g->lane_h / 2) + 4;
      else
        ym = (y0 + y1) / 2 + 4;
      text = tl__str(g->d, obj, 11, 160, 0);
      if (text) {
        /* Beside the whole bundle of arrows, so no label covers another. */
        float side = (float)(m - 1) * 7 + 6;
        it = tl__text(g->d, TL_ROLE_MARKER, x + (left ? -side : side), ym, text, 11,
                      left ? TL_ANCHOR_END : TL_ANCHOR_START,
                      tl__rgba(dl->hang ? TL_THEME_HANG : TL_THEME_DEADLOCK));
        it->bold = 1;
        it->lane = e->waiter;
        it->ref = TL_EV_DEADLOCK;
      }
    }
  }
}

void tl__stuck(tl__geo *g) {
  const tl_layout *l = g->l;
  const tl_deadlock *dl;
  size_t k;
  char obj[160];
  if (!l->ndeadlocks || g->o->live_to) return;
  dl = &l->deadlocks[l->ndeadlocks - 1];
  if ((double)dl->t > g->to || (double)l->t_end >= g->to) return;
  for (k = 0; k < dl->nedges; k++) {
    const tl_wait_edge *e = &dl->edges[k];
    const tl_lane *ln = &l->lanes[e->waiter];
    int st = e->join ? TL_STATE_JOINING
             : e->on ? (e->on == 2 ? TL_STATE_EVENT : TL_STATE_WAITING)
                     : TL_STATE_BLOCKED;
    float cy = tl__lane_cy(g, e->waiter), h = tl__bar_half(g, st);
    float x0 = tl__x(g, (double)dl->t > g->from ? (double)dl->t : g->from), x1 = g->d->plot_x1;
    tl_dl_item *it;
    uint32_t text;
    if (ln->nseg && (double)ln->seg[ln->nseg - 1].t1 > (double)dl->t + 1000) continue;
    if (x1 - x0 < 2) continue;
    it = tl__rect(g->d, TL_ROLE_SEGMENT, x0, cy - h, x1, cy + h, tl_display_state_colour(st));
    it->lane = e->waiter;
    it->ref = st;
    if (e->join) snprintf(obj, sizeof obj, "join %s", tl__lane_name(g, e->holder));
    else tl__obj_label(l, e->obj, obj, sizeof obj);
    it->title = tl__strf(g->d, "%s: %s %s for ever (%s; the run ended here)", ln->name,
                         e->on ? "waits on" : "blocked on", obj,
                         dl->hang ? "a hang: nothing can run again" : "deadlocked");
    text = tl__str(g->d, obj, TL__SMALL, x1 - x0 - 40, 0);
    if (text && g->lane_h >= 24)
      tl__text(g->d, TL_ROLE_LABEL, x1 - 4, cy + 3.5f, text, TL__SMALL, TL_ANCHOR_END,
               tl__ink_on(it->fill))->lane = e->waiter;
  }
}
