/* The layout of events about objects: locks (owners, handoffs), conditions,
 * events, semaphores, barriers and queues (waits and wake-up arrows), and
 * processes (fork and exit arrows). See layout.h. */
#include "layout_private.h"

#include <stdlib.h>
#include <string.h>

tl__obj *tl__obj_get(tl_layout *l, uint32_t id) {
  struct tl__layout_private *pv = l->priv;
  int32_t i = tl__map_get(&pv->objs, id);
  tl__obj *k;
  if (i >= 0) return &pv->obj[i];
  if (tl__grow(&pv->obj, &pv->capobj, pv->nobj + 1, sizeof *pv->obj) ||
      tl__map_put(&pv->objs, id, (int32_t)pv->nobj))
    return NULL;
  k = &pv->obj[pv->nobj++];
  memset(k, 0, sizeof *k);
  k->id = id;
  k->owner = k->rel_lane = k->sig_lane = -1;
  return k;
}

const tl__obj *tl__obj_find(const tl_layout *l, uint32_t id) {
  int32_t i = tl__map_get(&l->priv->objs, id);
  return i >= 0 ? &l->priv->obj[i] : NULL;
}

void tl__objects_free(tl_layout *l) {
  struct tl__layout_private *pv = l->priv;
  size_t i;
  for (i = 0; i < pv->nobj; i++) free(pv->obj[i].name);
  free(pv->obj);
  free(pv->pend);
  tl__map_free(&pv->objs);
  tl__map_free(&pv->puts);
  tl__map_free(&pv->forks);
  tl__map_free(&pv->exits);
}

const char *tl_layout_lock_name(const tl_layout *l, uint32_t id) {
  const tl__obj *k = tl__obj_find(l, id);
  return k ? k->name : NULL;
}

const char *tl_layout_obj_type(const tl_layout *l, uint32_t id) {
  /* The LOCK_NEW reason says what the object is; an unnamed one is a Lock. */
  const tl__obj *k = tl__obj_find(l, id);
  const char *name = k ? tl_obj_type_name(k->type) : NULL;
  return name ? name : "Lock";
}

int tl_layout_lock_owner(const tl_layout *l, uint32_t id) {
  const tl__obj *k = tl__obj_find(l, id);
  return k ? k->owner : -1;
}

/* Remembers (lane, t) under key in map m. */
static int tl__pend(tl_layout *l, tl__map *m, uint64_t key, int32_t lane, uint64_t t) {
  struct tl__layout_private *pv = l->priv;
  if (tl__grow(&pv->pend, &pv->cappend, pv->npend + 1, sizeof *pv->pend) ||
      tl__map_put(m, key, (int32_t)pv->npend))
    return -1;
  pv->pend[pv->npend].lane = lane;
  pv->pend[pv->npend].t = t;
  pv->npend++;
  return 0;
}

static const tl__pending *tl__pending_get(const tl_layout *l, const tl__map *m, uint64_t key) {
  int32_t i = tl__map_get(m, key);
  return i >= 0 ? &l->priv->pend[i] : NULL;
}

/* ---- locks ------------------------------------------------------------ */

/* Lane `lane`, waiting for a lock, saw `holder` hold it: its wait's note
 * (made at the first holder) names it, unless it named it last. */
static int tl__wait_held(tl_layout *l, int32_t lane, int32_t holder) {
  tl_lane *ln = &l->lanes[lane];
  tl_lock_wait *w;
  if (!ln->sm.wait_noted) {
    if (tl__grow(&ln->waits, &ln->capwaits, ln->nwaits + 1, sizeof *ln->waits)) return -1;
    w = &ln->waits[ln->nwaits++];
    memset(w, 0, sizeof *w);
    w->t0 = ln->sm.lock_t;
    w->t1 = UINT64_MAX;
    w->obj = ln->sm.lock_obj;
    ln->sm.wait_noted = 1;
  }
  w = &ln->waits[ln->nwaits - 1];
  if (w->nholders && w->last == holder) return 0;
  if (w->nholders < TL_WAIT_HOLDERS) w->holder[w->nholders] = holder;
  w->nholders++;
  w->last = holder;
  return 0;
}

/* Lane `lane` stopped waiting for its lock at t (got it, or gave up). */
static void tl__wait_over(tl_layout *l, int32_t lane, tl__obj *k, uint64_t t) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  if (k->waiting) k->waiting--;
  if (s->wait_noted) l->lanes[lane].waits[l->lanes[lane].nwaits - 1].t1 = t;
  s->wait_noted = 0;
  s->locking = 0;
}

const tl_lock_wait *tl_layout_lock_wait(const tl_layout *l, int lane, const tl_segment *s) {
  const tl_lane *ln;
  size_t lo = 0, hi;
  if (lane < 0 || (size_t)lane >= l->nlanes || s->state != TL_STATE_BLOCKED) return NULL;
  ln = &l->lanes[lane];
  hi = ln->nwaits;
  while (lo < hi) { /* the first wait that began after the bar did */
    size_t mid = (lo + hi) / 2;
    if (ln->waits[mid].t0 <= s->t0) lo = mid + 1;
    else hi = mid;
  }
  if (!lo || ln->waits[lo - 1].obj != s->obj || s->t0 >= ln->waits[lo - 1].t1) return NULL;
  return &ln->waits[lo - 1];
}

int tl__on_lock_new(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl__obj *k = tl__obj_get(l, e->obj);
  const char *name = tl_trace_strat(l->trace, e->arg);
  if (!k) return -1;
  k->type = (uint8_t)e->reason;
  if (*name) {
    char *copy = strdup(name);
    if (!copy) return -1;
    free(k->name);
    k->name = copy;
  }
  return 0;
}

int tl__on_lock_request(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  tl__obj *k = tl__obj_get(l, e->obj);
  if (!k) return -1;
  /* The request names the owner: a help when its acquire was not seen. */
  if (k->owner < 0 && e->arg) k->owner = tl_layout_find_lane(l, l->procs[proc].pid, (uint32_t)e->arg);
  s->locking = 1;
  s->lock_obj = e->obj;
  s->lock_t = e->t;
  s->stamp_lock = l->stamp;
  s->wait_noted = 0;
  k->waiting++;
  if (k->owner >= 0 && tl__wait_held(l, lane, k->owner)) return -1;
  if (tl__refresh(l, lane, e->t)) return -1;
  return tl__check_cycle(l, proc, lane, e->t);
}

int tl__on_lock_acquire(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  tl__obj *k = tl__obj_get(l, e->obj);
  int waited = s->locking && s->lock_obj == e->obj;
  if (!k) return -1;
  /* A handoff only if this thread was already waiting when it was freed. */
  if (waited && k->rel_lane >= 0 && k->rel_stamp > s->stamp_lock &&
      tl__arrow(l, TL_ARROW_LOCK, k->rel_lane, lane, k->rel_t, e->t, e->obj, 0))
    return -1;
  k->rel_lane = -1;
  if (k->owner == lane) k->depth++;
  else k->owner = lane, k->depth = 1;
  if (waited) tl__wait_over(l, lane, k, e->t);
  s->locking = 0;
  /* whoever still waits for it saw this lane take it */
  if (k->waiting) {
    size_t i;
    for (i = 0; i < l->nlanes; i++)
      if ((int32_t)i != lane && l->lanes[i].sm.locking && l->lanes[i].sm.lock_obj == e->obj &&
          tl__wait_held(l, (int32_t)i, lane))
        return -1;
  }
  if (waited) tl__cycle_resolved(l, lane);
  return tl__refresh(l, lane, e->t);
}

int tl__on_lock_release(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl__obj *k = tl__obj_get(l, e->obj);
  if (!k) return -1;
  k->rel_lane = lane;
  k->rel_t = e->t;
  k->rel_stamp = l->stamp;
  if (k->owner == lane && k->depth > 1) k->depth--;
  else k->owner = -1, k->depth = 0;
  return 0;
}

int tl__on_lock_timeout(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  tl__obj *k = s->locking ? tl__obj_get(l, s->lock_obj) : NULL;
  if (k) tl__wait_over(l, lane, k, e->t);
  s->locking = 0;
  return tl__refresh(l, lane, e->t);
}

/* ---- conditions, events, queues, barriers ----------------------------- */

/* How the wait is drawn: on an event, or on a condition-like object. */
int tl__on_wait_begin(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->waiting = e->kind == TL_EV_EVENT_WAIT ? 2 : 1;
  s->wait_obj = e->obj;
  s->stamp_wait = l->stamp;
  return tl__refresh(l, lane, e->t);
}

int tl__on_wait_end(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  if (s->waiting && s->wait_obj == e->obj) s->waiting = 0;
  return tl__refresh(l, lane, e->t);
}

/* A wake-up (COND_WAKE, EVENT_WAKE) whose arg names the waker: an arrow
 * from the waker's notify/set (if seen) to the waiter. */
int tl__on_wake(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  uint8_t kind = e->kind == TL_EV_COND_WAKE ? TL_ARROW_NOTIFY : TL_ARROW_SET;
  const tl__obj *k;
  int32_t from;
  if (tl__on_wait_end(l, proc, lane, e)) return -1;
  if (!e->arg || e->reason) return 0; /* timed out, or the waker is unknown */
  from = tl_layout_find_lane(l, l->procs[proc].pid, (uint32_t)e->arg);
  k = tl__obj_find(l, e->obj);
  if (from < 0) return 0;
  return tl__arrow(l, kind, from, lane, k && k->sig_lane == from && k->sig_t <= e->t ? k->sig_t : e->t,
                   e->t, e->obj, 0);
}

int tl__on_signal(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl__obj *k = tl__obj_get(l, e->obj);
  if (!k) return -1;
  k->sig_lane = lane;
  k->sig_t = e->t;
  return 0;
}

/* QUEUE_PUT's arg: size after | serial << 32; QUEUE_GET's: putter | serial << 32. */
static uint64_t tl__item_key(const tl_event *e) {
  return (uint64_t)e->obj << 32 | (e->arg >> 32);
}

int tl__on_queue_put(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  if (tl__on_wait_end(l, proc, lane, e)) return -1;
  return e->arg >> 32 ? tl__pend(l, &l->priv->puts, tl__item_key(e), lane, e->t) : 0;
}

int tl__on_queue_get(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  const tl__pending *p;
  if (tl__on_wait_end(l, proc, lane, e)) return -1;
  if (!(e->arg >> 32) || !(p = tl__pending_get(l, &l->priv->puts, tl__item_key(e)))) return 0;
  return tl__arrow(l, TL_ARROW_PUT, p->lane, lane, p->t, e->t, e->obj, 0);
}

/* ---- processes -------------------------------------------------------- */

int tl__lane_born(tl_layout *l, int32_t proc, int32_t lane, uint64_t t) {
  const tl__pending *p = tl__pending_get(l, &l->priv->forks, (uint32_t)l->procs[proc].pid);
  if (p) l->procs[proc].forked = 1;
  return p ? tl__arrow(l, TL_ARROW_FORK, p->lane, lane, p->t, t, (uint32_t)l->procs[proc].pid, 0)
           : 0;
}

int tl__on_fork(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  /* the child's group is placed now, so processes are drawn in the order
   * they were forked, whichever first ran */
  if (tl__proc(l, (int32_t)e->obj) < 0) return -1;
  return tl__pend(l, &l->priv->forks, e->obj, lane, e->t);
}

int tl__on_exit(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl_proc *p = &l->procs[proc];
  size_t i;
  if (p->exited) return 0;
  if (lane < 0) lane = p->nlanes ? p->lanes[0] : -1; /* said by its reaper: it was killed */
  if (lane < 0) return 0;
  p->exited = 1;
  if (tl__pend(l, &l->priv->exits, (uint32_t)p->pid, lane, e->t)) return -1;
  for (i = 0; i < p->nlanes; i++) {
    l->lanes[p->lanes[i]].sm.ended = 1;
    if (tl__refresh(l, p->lanes[i], e->t)) return -1;
  }
  return 0;
}

/* The process of pid, or -1 when the trace has not shown it. */
static int32_t tl__proc_of(const tl_layout *l, uint32_t pid) {
  for (size_t i = 0; i < l->nprocs; i++)
    if ((uint32_t)l->procs[i].pid == pid) return (int32_t)i;
  return -1;
}

int tl__on_reap(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  const tl__pending *p = tl__pending_get(l, &l->priv->exits, e->obj);
  int32_t child = tl__proc_of(l, e->obj);
  if (child >= 0) { /* the zombie is gone */
    tl_proc *c = &l->procs[child];
    c->reaped = 1;
    for (size_t i = 0; i < c->nlanes; i++)
      if (tl__refresh(l, c->lanes[i], e->t)) return -1;
  }
  return p ? tl__arrow(l, TL_ARROW_EXIT, p->lane, lane, p->t, e->t, e->obj, 0) : 0;
}

/* terminate/kill: a marker on the victim's first lane. */
int tl__on_kill(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  int32_t victim = tl__proc_of(l, e->obj);
  if (victim < 0 || !l->procs[victim].nlanes) return tl__marker(l, e, proc, lane);
  return tl__marker(l, e, victim, l->procs[victim].lanes[0]);
}

/* An orphan given to threadlab's top process: a marker on it. */
int tl__on_reparent(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl_proc *p = &l->procs[proc];
  if (!p->nlanes) {
    /* an orphan that has not run yet (the virtual clock runs one process
     * at a time): its marker waits for its first lane */
    p->reparent_due = 1;
    p->reparent_to = e->obj;
    p->reparent_t = e->t;
    return 0;
  }
  return tl__marker(l, e, proc, p->lanes[0]);
}

/* A child names itself as it starts, with its parent's pid: the fork
 * arrow comes from the parent's lane of the same thread (the forking
 * thread is the child's first), whichever of the two events came first. */
int tl__on_proc_name(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl_proc *p = &l->procs[proc];
  int32_t from;
  p->name = e->arg;
  if (p->reparent_due && lane >= 0) {
    tl_event re = *e;
    re.kind = TL_EV_REPARENT;
    re.t = p->reparent_t;
    re.obj = p->reparent_to;
    re.arg = 0;
    p->reparent_due = 0;
    if (tl__marker(l, &re, proc, lane)) return -1;
  }
  if (!e->obj || p->forked || lane < 0) return 0;
  from = tl_layout_find_lane(l, (int32_t)e->obj, e->tid);
  if (from < 0) return 0;
  p->forked = 1;
  return tl__arrow(l, TL_ARROW_FORK, from, lane, e->t, e->t, (uint32_t)p->pid, 0);
}
