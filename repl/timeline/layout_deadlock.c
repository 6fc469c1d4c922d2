/* Wait-for edges and deadlocks in the layout. See layout.h.
 *
 * Every thread waits for at most one thing, so the wait-for graph is a set
 * of chains: a thread waiting for a lock points at the lock's owner, a
 * joining thread at the joined one. A chain that comes back to where it
 * began is a deadlock. The layout finds such cycles itself when a wait
 * closes one, and merges them with what the engine reports (DEADLOCK
 * events: reason 0 the finding and its text; reason 1 and 2 one event per
 * edge, from the waiting thread, about the lock or the joined thread;
 * reason 3 a hang: nothing can run again, the waits as they stand). */
#include "layout_private.h"

#include <stdlib.h>
#include <string.h>

/* What lane waits for now: 1 with the edge filled in, 0 if it waits for
 * no lock, no thread and no condition-like object. */
static int tl__waits_for(const tl_layout *l, int32_t lane, tl_wait_edge *e) {
  const tl_lane *ln = &l->lanes[lane];
  const struct tl__lane_sm *s = &ln->sm;
  memset(e, 0, sizeof *e);
  e->waiter = lane;
  e->holder = -1;
  if (s->ended) return 0;
  /* the newest of the waits, as the state machine decides */
  if (s->waiting && (!s->locking || s->stamp_wait > s->stamp_lock) &&
      (!s->joining || s->stamp_wait > s->stamp_join)) {
    e->obj = s->wait_obj;
    e->on = s->waiting;
    return 1;
  }
  if (s->locking && (!s->joining || s->stamp_lock > s->stamp_join)) {
    e->obj = s->lock_obj;
    e->holder = tl_layout_lock_owner(l, s->lock_obj);
    return 1;
  }
  if (s->joining) {
    e->obj = s->join_obj;
    e->join = 1;
    e->holder = tl_layout_find_lane(l, ln->pid, s->join_obj);
    return 1;
  }
  return 0;
}

/* Marks the edges on cycles (each lane has at most one edge). */
static void tl__mark_cycles(tl_wait_edge *e, size_t n) {
  size_t i, j, steps;
  for (i = 0; i < n; i++) {
    int32_t cur = e[i].holder;
    for (steps = 0; cur >= 0 && cur != e[i].waiter && steps <= n; steps++) {
      for (j = 0; j < n && e[j].waiter != cur; j++) {}
      cur = j < n ? e[j].holder : -1;
    }
    e[i].cycle = cur >= 0 && cur == e[i].waiter;
  }
}

size_t tl_layout_wait_edges(const tl_layout *l, int proc, tl_wait_edge *out, size_t max) {
  size_t i, n = 0;
  tl_wait_edge e;
  for (i = 0; i < l->nlanes; i++) {
    if (proc >= 0 && l->lanes[i].proc != proc) continue;
    if (!tl__waits_for(l, (int32_t)i, &e)) continue;
    if (n < max) out[n] = e;
    n++;
  }
  tl__mark_cycles(out, n < max ? n : max);
  return n;
}

/* ---- records ---------------------------------------------------------- */

static tl_deadlock *tl__last(tl_layout *l, int32_t proc) {
  size_t i = l->ndeadlocks;
  while (i--)
    if (l->deadlocks[i].proc == proc) return &l->deadlocks[i];
  return NULL;
}

static tl_deadlock *tl__new_record(tl_layout *l, int32_t proc, uint64_t t) {
  tl_deadlock *d;
  if (tl__grow(&l->deadlocks, &l->capdeadlocks, l->ndeadlocks + 1, sizeof *l->deadlocks))
    return NULL;
  d = &l->deadlocks[l->ndeadlocks++];
  memset(d, 0, sizeof *d);
  d->t = t;
  d->proc = proc;
  return d;
}

/* Adds e to d, or marks the edge d already has for the same waiter. */
static int tl__add_edge(tl_deadlock *d, const tl_wait_edge *e) {
  size_t i;
  for (i = 0; i < d->nedges; i++)
    if (d->edges[i].waiter == e->waiter) {
      if (d->edges[i].obj == e->obj && d->edges[i].join == e->join && d->edges[i].on == e->on) {
        d->edges[i].cycle |= e->cycle;
        if (d->edges[i].holder < 0) d->edges[i].holder = e->holder;
        return 0;
      }
    }
  if (tl__grow(&d->edges, &d->capedges, d->nedges + 1, sizeof *d->edges)) return -1;
  d->edges[d->nedges++] = *e;
  return 0;
}

/* Whether the cycle through edge e passes a lane of proc. */
static int tl__cycle_meets(const tl_layout *l, const tl_wait_edge *e, size_t n, size_t at,
                           int32_t proc) {
  int32_t cur = e[at].waiter;
  size_t steps, j;
  for (steps = 0; steps <= n; steps++) {
    if (cur < 0) return 0;
    if (l->lanes[cur].proc == proc) return 1;
    for (j = 0; j < n && e[j].waiter != cur; j++) {}
    if (j == n) return 0;
    cur = e[j].holder;
    if (cur == e[at].waiter) return 0;
  }
  return 0;
}

/* The proc's wait-for edges now, and those of any cycle through it that
 * other processes close (locks of multiprocessing), added to d. */
static int tl__snapshot(tl_layout *l, tl_deadlock *d) {
  tl_wait_edge buf[256];
  size_t n = tl_layout_wait_edges(l, -1, buf, 256), i;
  if (n > 256) n = 256;
  for (i = 0; i < n; i++) {
    if (l->lanes[buf[i].waiter].proc != d->proc &&
        !(buf[i].cycle && tl__cycle_meets(l, buf, n, i, d->proc)))
      continue;
    if (tl__add_edge(d, &buf[i])) return -1;
  }
  return 0;
}

/* The record the engine's finding with this text began (its edges come
 * from the waiting threads' own processes). */
static tl_deadlock *tl__by_text(tl_layout *l, uint64_t text) {
  size_t i = l->ndeadlocks;
  while (text && i--)
    if (l->deadlocks[i].reported && l->deadlocks[i].text == text) return &l->deadlocks[i];
  return NULL;
}

/* Whether every cycle edge of d still stands (nobody got what it wanted). */
static int tl__still_stuck(const tl_layout *l, const tl_deadlock *d) {
  size_t i;
  tl_wait_edge now;
  for (i = 0; i < d->nedges; i++) {
    if (!d->edges[i].cycle) continue;
    if (!tl__waits_for(l, d->edges[i].waiter, &now) || now.obj != d->edges[i].obj ||
        now.join != d->edges[i].join || now.on != d->edges[i].on)
      return 0;
  }
  return 1;
}

static int tl__has_waiter(const tl_deadlock *d, int32_t lane, int cycle_only) {
  size_t i;
  for (i = 0; i < d->nedges; i++)
    if (d->edges[i].waiter == lane && (!cycle_only || d->edges[i].cycle)) return 1;
  return 0;
}

int tl__check_cycle(tl_layout *l, int32_t proc, int32_t lane, uint64_t t) {
  tl_wait_edge e;
  int32_t cur = lane;
  int steps;
  tl_deadlock *d;
  for (steps = 0; steps < 256; steps++) {
    if (!tl__waits_for(l, cur, &e) || e.holder < 0) return 0;
    cur = e.holder;
    /* A thread waiting for a plain Lock it holds itself is no cycle: any
     * thread may release a Lock. The engine reports it as a hang when
     * nothing else can run, and that report is the only record. */
    if (cur == lane && steps == 0) return 0;
    if (cur == lane) break;
  }
  if (cur != lane) return 0;
  /* The engine may have reported this one a moment ago. */
  d = tl__last(l, proc);
  if (!d || !(tl__has_waiter(d, lane, 0) || d->reported) || !tl__still_stuck(l, d) ||
      (d->t < t && t - d->t > 1000000000ull)) {
    if (!(d = tl__new_record(l, proc, t))) return -1;
  }
  return tl__snapshot(l, d);
}

void tl__cycle_resolved(tl_layout *l, int32_t lane) {
  tl_deadlock *d = tl__last(l, l->lanes[lane].proc);
  size_t at;
  if (!d || d->reported || !tl__has_waiter(d, lane, 1)) return;
  at = (size_t)(d - l->deadlocks);
  free(d->edges);
  memmove(d, d + 1, (l->ndeadlocks - at - 1) * sizeof *d);
  l->ndeadlocks--;
}

int tl__on_deadlock(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl_deadlock *d = tl__last(l, proc);
  tl_wait_edge edge;
  if (e->reason == 1 || e->reason == 2) {
    /* One edge of the cycle the engine found, from its waiting thread. */
    if (lane < 0) return 0;
    if (tl__by_text(l, e->arg)) {
      d = tl__by_text(l, e->arg);
    } else if (!d || !d->reported) {
      if (!(d = d && !d->reported && tl__still_stuck(l, d) ? d : tl__new_record(l, proc, e->t)))
        return -1;
      d->reported = 1;
      if (!d->text) d->text = e->arg;
    }
    memset(&edge, 0, sizeof edge);
    edge.waiter = lane;
    edge.obj = e->obj;
    edge.join = e->reason == 2;
    edge.holder = edge.join ? tl_layout_find_lane(l, l->procs[proc].pid, e->obj)
                            : tl_layout_lock_owner(l, e->obj);
    edge.cycle = 1;
    return tl__add_edge(d, &edge);
  }
  /* The finding: a marker, and the record (the layout's own, if it saw the
   * same cycle close, else a new one with the waits as they stand). */
  if (tl__marker(l, e, proc, -1)) return -1;
  if (!d || d->reported || !tl__still_stuck(l, d) || e->reason == 3) {
    if (!(d = tl__new_record(l, proc, e->t))) return -1;
  }
  d->reported = 1;
  d->hang = e->reason == 3;
  d->text = e->arg;
  return tl__snapshot(l, d);
}

void tl__deadlocks_free(tl_layout *l) {
  size_t i;
  for (i = 0; i < l->ndeadlocks; i++) free(l->deadlocks[i].edges);
  free(l->deadlocks);
}
