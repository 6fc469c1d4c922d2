/* Which lanes share a row of the picture (see tl__rows_plan).
 *
 * A row per thread, except that a thread reuses the row of a finished
 * thread of its process with the same name (a lesson that runs "A" and
 * "B" three times shows two rows, not six), and, where asked
 * (group_short), the threads of a process whose whole life is too short to
 * see share one row that says how many they are. */
#include "display_private.h"

#include <stdlib.h>
#include <string.h>

/* A thread whose life takes fewer pixels than this shows no more than a
 * tick: too little to give it a row of its own. */
#define TL__SHORT_PX 8.0f

/* When a lane's thread lived: its first state to the end of its last
 * state before "done". */
static void tl__life(const tl_lane *ln, uint64_t *t0, uint64_t *t1) {
  size_t n = ln->nseg;
  *t0 = n ? ln->seg[0].t0 : 0;
  while (n && ln->seg[n - 1].state == TL_STATE_DONE) n--;
  *t1 = n ? ln->seg[n - 1].t1 : *t0;
}

/* Pixels of bars a lane shows in the window, not counting "done". */
static float tl__shown_px(const tl__geo *g, const tl_lane *ln) {
  double px = 0;
  size_t i = tl_segment_search(ln->seg, ln->nseg, (uint64_t)g->from);
  for (; i < ln->nseg && (double)ln->seg[i].t0 < g->to && px < TL__SHORT_PX; i++) {
    const tl_segment *s = &ln->seg[i];
    double a = (double)s->t0 < g->from ? g->from : (double)s->t0;
    double e = (double)s->t1 > g->to ? g->to : (double)s->t1;
    if (s->state != TL_STATE_DONE && s->state != TL_STATE_NONE && e > a) px += (e - a) * g->scale;
  }
  return (float)px;
}

/* Whether a lane has a print, mark or interrupt in the window: its label
 * says what happened, and needs a row of its own. */
static int tl__has_words(const tl__geo *g, const tl_lane *ln) {
  size_t i;
  for (i = 0; i < ln->nmarks; i++) {
    const tl_marker *m = &g->l->markers[ln->marks[i]];
    if ((double)m->t < g->from || (double)m->t > g->to) continue;
    if (m->kind == TL_EV_PRINT || m->kind == TL_EV_MARK || m->kind == TL_EV_INTERRUPT) return 1;
  }
  return 0;
}

/* Whether a lane has nothing in the window: it began before (or after)
 * it, and shows there no state but "done" and no marker. */
static int tl__out_of_view(const tl__geo *g, const tl_lane *ln) {
  size_t i = tl_segment_search(ln->seg, ln->nseg, (uint64_t)g->from);
  /* one that began in the window is in view, however short; one whose
   * start the trace no longer holds, only by what it shows */
  if (ln->sm.started && ln->nseg && (double)ln->seg[0].t0 >= g->from &&
      (double)ln->seg[0].t0 <= g->to)
    return 0;
  for (; i < ln->nseg && (double)ln->seg[i].t0 <= g->to; i++)
    if (ln->seg[i].state != TL_STATE_DONE && ln->seg[i].state != TL_STATE_NONE) return 0;
  for (i = 0; i < ln->nmarks; i++) {
    double t = (double)g->l->markers[ln->marks[i]].t;
    if (t >= g->from && t <= g->to) return 0;
  }
  return 1;
}

int tl__lane_hidden(const tl__geo *g, int lane) {
  return g->lane_row && lane >= 0 && g->lane_row[lane] < 0;
}

/* Whether lane is in a deadlock's wait-for graph (it must stay in view). */
static int tl__in_deadlock(const tl_layout *l, int lane) {
  size_t i, k;
  for (i = 0; i < l->ndeadlocks; i++)
    for (k = 0; k < l->deadlocks[i].nedges; k++)
      if (l->deadlocks[i].edges[k].waiter == lane || l->deadlocks[i].edges[k].holder == lane)
        return 1;
  return 0;
}

/* The slot of `name` in a table of rows by name (open addressing, mask
 * + 1 slots, each a row + 1 or 0 for none): where its latest row of this
 * process (rows from `first` on) is, or the empty slot it would take. */
static size_t tl__name_slot(const tl__geo *g, const int *table, size_t mask, const char *name,
                            int first) {
  const unsigned char *c = (const unsigned char *)name;
  uint32_t h = 2166136261u;
  size_t i;
  while (*c) h = (h ^ *c++) * 16777619u;
  for (i = h & mask;; i = (i + 1) & mask) {
    int r = table[i] - 1;
    if (r < 0 || (r >= first && strcmp(g->l->lanes[g->row_lane[r]].name, name) == 0)) return i;
  }
}

int tl__rows_plan(tl__geo *g) {
  const tl_layout *l = g->l;
  size_t p, k, n = l->nlanes + 1, mask = 15, slot;
  int r;
  uint64_t *free_at;
  int *by_name;
  while (mask + 1 < 2 * n) mask = mask * 2 + 1;
  free(g->lane_row);
  free(g->row_lane);
  free(g->row_count);
  free(g->row_group);
  g->lane_row = calloc(n, sizeof *g->lane_row);
  g->row_lane = calloc(n, sizeof *g->row_lane);
  g->row_count = calloc(n, sizeof *g->row_count);
  g->row_group = calloc(n, 1);
  free_at = calloc(n, sizeof *free_at);
  by_name = calloc(mask + 1, sizeof *by_name);
  if (!g->lane_row || !g->row_lane || !g->row_count || !g->row_group || !free_at || !by_name) {
    free(free_at);
    free(by_name);
    return -1;
  }
  g->nrows = 0;
  g->has_group = 0;
  for (p = 0; p < l->nprocs; p++) {
    int first = g->nrows, group = -1;
    for (k = 0; k < l->procs[p].nlanes; k++) {
      int lane = l->procs[p].lanes[k];
      const tl_lane *ln = &l->lanes[lane];
      uint64_t t0, t1;
      tl__life(ln, &t0, &t1);
      r = -1;
      /* Nothing of it in the window (a recording of a part, or a start
       * the trace's ring let go): no row at all. */
      if (g->o->group_short && k > 0 && lane != g->focus && tl__out_of_view(g, ln) &&
          !tl__in_deadlock(l, lane)) {
        g->lane_row[lane] = -1;
        continue;
      }
      /* (a process's first thread, its MainThread, is never one of them) */
      if (g->o->group_short && k > 0 && ln->sm.ended && lane != g->focus &&
          !tl__has_words(g, ln) &&
          !tl__in_deadlock(l, lane) && tl__shown_px(g, ln) < TL__SHORT_PX &&
          (double)(t1 - t0) * g->scale < TL__SHORT_PX) {
        if (group < 0) {
          group = g->nrows++;
          g->row_lane[group] = lane;
        }
        r = group;
      } else {
        /* the latest row of this name, if its thread has ended by now */
        slot = tl__name_slot(g, by_name, mask, ln->name, first);
        if (by_name[slot] && free_at[by_name[slot] - 1] <= t0) r = by_name[slot] - 1;
        if (r < 0) {
          r = g->nrows++;
          g->row_lane[r] = lane;
          by_name[slot] = r + 1;
        }
        free_at[r] = ln->sm.ended ? t1 : UINT64_MAX;
      }
      g->lane_row[lane] = r;
      g->row_count[r]++;
    }
    /* One short thread alone is no group: it keeps its row and name. */
    if (group >= 0 && g->row_count[group] > 1) g->has_group = 1;
  }
  /* a reused row holds threads of one name; a group, of several */
  for (k = 0; k < l->nlanes; k++) {
    if ((r = g->lane_row[k]) < 0) continue;
    if (strcmp(l->lanes[k].name, l->lanes[g->row_lane[r]].name) != 0) g->row_group[r] = 1;
  }
  free(free_at);
  free(by_name);
  return 0;
}

int tl__row_is_group(const tl__geo *g, int row) {
  return g->row_group[row];
}

void tl__group_ticks(tl__geo *g) {
  const tl_layout *l = g->l;
  float *last = malloc(((size_t)g->nrows + 1) * sizeof *last);
  tl_dl_item **prev = calloc((size_t)g->nrows + 1, sizeof *prev);
  size_t i;
  int r;
  if (!last || !prev) {
    g->d->oom = 1;
  } else {
    for (r = 0; r < g->nrows; r++) last[r] = -1e9f;
    for (i = 0; i < l->nlanes; i++) {
      const tl_lane *ln = &l->lanes[i];
      uint64_t t0, t1;
      float x, cy, h = tl__bar_half(g, TL_STATE_RUNNING);
      r = g->lane_row[i];
      if (r < 0 || g->row_count[r] < 2 || !ln->nseg || !tl__row_is_group(g, r)) continue;
      tl__life(ln, &t0, &t1);
      if ((double)t0 < g->from || (double)t0 > g->to) continue;
      x = tl__x(g, (double)t0);
      if (x - last[r] < 3 && prev[r]) { /* one tick a few pixels wide counts them all */
        prev[r]->count++;
        continue;
      }
      cy = tl__lane_cy(g, (int)i);
      prev[r] = tl__rect(g->d, TL_ROLE_SEGMENT, x, cy - h, x + 3, cy + h,
                         tl_display_state_colour(TL_STATE_RUNNING));
      prev[r]->lane = (int32_t)i;
      prev[r]->ref = TL_STATE_RUNNING;
      prev[r]->title = tl__strf(g->d, "%s lived here, too short to see at this scale", ln->name);
      last[r] = x;
    }
  }
  free(last);
  free(prev);
}
