/* Coroutines (generators, greenlets, gevent and asyncio tasks, the hub and
 * the event loop) as green lanes: each a lane of its own, nested right
 * under the lane of the thread that runs it, running while switched in,
 * idle while suspended, done when it ended; every switch an arrow from the
 * lane left to the lane entered. A green lane's tid is its id with the top
 * bit set, so it never meets a thread's. */
#include "layout_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__GREEN_TID(id) (0x80000000u | (id))

int tl__on_green_new(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__layout_private *pv = l->priv;
  struct tl__green *g;
  (void)proc;
  if (tl__map_get(&pv->greens, e->obj) >= 0) return 0;
  if (tl__grow(&pv->green, &pv->capgreen, pv->ngreen + 1, sizeof *pv->green) ||
      tl__map_put(&pv->greens, e->obj, (int32_t)pv->ngreen))
    return -1;
  g = &pv->green[pv->ngreen++];
  g->name = e->arg;
  g->host = lane;
  g->lane = -1;
  g->kind = (uint8_t)e->reason;
  return 0;
}

/* Moves the last lane of proc to just after its host's group. */
static void tl__nest(tl_layout *l, int32_t proc, int32_t host) {
  tl_proc *p = &l->procs[proc];
  size_t i, at = p->nlanes - 1;
  int32_t me = p->lanes[p->nlanes - 1];
  for (i = 0; i + 1 < p->nlanes; i++)
    if (p->lanes[i] == host) break;
  if (i + 1 >= p->nlanes) return;
  at = i + 1;
  while (at + 1 < p->nlanes && l->lanes[p->lanes[at]].host == host) at++;
  memmove(&p->lanes[at + 1], &p->lanes[at], (p->nlanes - 1 - at) * sizeof *p->lanes);
  p->lanes[at] = me;
}

/* The lane of green id (0: the thread's own lane), made on first use. */
static int32_t tl__green_lane(tl_layout *l, int32_t proc, int32_t lane, uint32_t id) {
  struct tl__layout_private *pv = l->priv;
  int32_t gi, gl;
  struct tl__green *g;
  const char *name;
  char *full;
  size_t n;
  if (!id) return lane;
  gi = tl__map_get(&pv->greens, id);
  if (gi < 0) return -2; /* named before a gap in the trace: not drawn */
  g = &pv->green[gi];
  if (g->lane >= 0) return g->lane;
  if ((gl = tl__lane(l, proc, TL__GREEN_TID(id))) < 0) return -1;
  g = &pv->green[gi]; /* tl__lane may not move it, but stay honest */
  name = tl_trace_strat(l->trace, g->name);
  n = strlen(name) + 8;
  if (!(full = malloc(n))) return -1;
  /* "↳" says "runs inside the row above" at a glance */
  snprintf(full, n, "\xe2\x86\xb3 %s", *name ? name : "coroutine");
  free(l->lanes[gl].name);
  l->lanes[gl].name = full;
  l->lanes[gl].sm.named = 1;
  l->lanes[gl].sm.green = 1;
  l->lanes[gl].host = g->host >= 0 ? g->host : lane;
  tl__nest(l, proc, l->lanes[gl].host);
  g->lane = gl;
  return gl;
}

/* A lane's own state, not a switch: the hub or loop sleeps (1) or wakes
 * (2) on its thread; a lane starts (3) or ends (4) a wait for I/O that the
 * hub or loop does for it. */
static int tl__green_state(tl_layout *l, int32_t to, const tl_event *e) {
  struct tl__lane_sm *s;
  if (to < 0 || !l->lanes[to].sm.green) return 0;
  s = &l->lanes[to].sm;
  if (e->reason <= 2) {
    s->sleeping = e->reason == 1;
    s->stamp_sleep = l->stamp;
  } else {
    s->io = e->reason == 3;
    s->io_new = s->io;
    if (s->io) s->io_text = (uint32_t)e->arg;
    s->stamp_io = l->stamp;
  }
  return tl__refresh(l, to, e->t);
}

int tl__on_green_switch(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  int32_t to = tl__green_lane(l, proc, lane, e->obj), from;
  if (to == -1) return -1;
  if (e->reason) return tl__green_state(l, to, e);
  from = tl__green_lane(l, proc, lane, (uint32_t)e->arg);
  if (from == -1) return -1;
  if (from >= 0 && l->lanes[from].sm.green && !l->lanes[from].sm.ended) {
    l->lanes[from].sm.holds = 0;
    if (tl__refresh(l, from, e->t)) return -1;
  }
  if (to >= 0 && l->lanes[to].sm.green && !l->lanes[to].sm.ended) {
    struct tl__lane_sm *s = &l->lanes[to].sm;
    s->holds = 1;
    s->started = 1;
    s->unknown = 0;
    s->stamp_gil = l->stamp;
    if (tl__refresh(l, to, e->t)) return -1;
  }
  if (from >= 0 && to >= 0) return tl__arrow(l, TL_ARROW_SWITCH, from, to, e->t, e->t, 0, 0);
  return 0;
}

int tl__green_split(tl_event *e, tl_event *back) {
  if (e->kind != TL_EV_GREEN_SWITCH || e->reason != TL_GREEN_ROUND) return 0;
  *back = *e;
  back->t = e->t + (e->arg >> 32);
  back->obj = (uint32_t)e->arg;
  back->arg = e->obj;
  back->reason = 0;
  back->aux |= 0x80000000u; /* (t, seq) order: after whatever else is at its time */
  e->arg = (uint32_t)e->arg;
  e->reason = 0;
  return 1;
}

int tl__on_green_end(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  int32_t gl = tl__green_lane(l, proc, lane, e->obj);
  if (gl == -1) return -1;
  if (gl < 0 || !l->lanes[gl].sm.green) return 0;
  l->lanes[gl].sm.holds = 0;
  l->lanes[gl].sm.ended = 1;
  return tl__refresh(l, gl, e->t);
}
