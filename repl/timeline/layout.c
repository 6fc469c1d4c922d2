/* The layout step: events in (t, seq) order through a per-thread state
 * machine, into segments, arrows and markers. See layout.h. */
#include "layout_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small containers ------------------------------------------------ */

/* Doubling keeps appends amortised O(1) even for the millions of segments
 * a long run makes. */
int tl__grow(void *pp, size_t *cap, size_t need, size_t elem) {
  void **p = pp;
  size_t n = *cap ? *cap : 8;
  void *q;
  if (need <= *cap) return 0;
  while (n < need) n *= 2;
  q = realloc(*p, n * elem);
  if (!q) return -1;
  *p = q;
  *cap = n;
  return 0;
}

/* val -1 marks an empty slot, so every key (even 0) is usable. */
static size_t tl__hash(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (size_t)k;
}

int32_t tl__map_get(const tl__map *m, uint64_t key) {
  size_t i;
  if (!m->cap) return -1;
  for (i = tl__hash(key) & (m->cap - 1); m->vals[i] >= 0; i = (i + 1) & (m->cap - 1))
    if (m->keys[i] == key) return m->vals[i];
  return -1;
}

int tl__map_put(tl__map *m, uint64_t key, int32_t val) {
  size_t i;
  if ((m->n + 1) * 2 > m->cap) {
    tl__map old = *m;
    size_t c = old.cap ? old.cap * 2 : 64;
    m->keys = malloc(c * sizeof *m->keys);
    m->vals = malloc(c * sizeof *m->vals);
    if (!m->keys || !m->vals) {
      free(m->keys);
      free(m->vals);
      *m = old;
      return -1;
    }
    memset(m->vals, 0xff, c * sizeof *m->vals);
    m->cap = c;
    m->n = 0;
    for (i = 0; i < old.cap; i++)
      if (old.vals[i] >= 0) tl__map_put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
  }
  for (i = tl__hash(key) & (m->cap - 1); m->vals[i] >= 0; i = (i + 1) & (m->cap - 1))
    if (m->keys[i] == key) break;
  if (m->vals[i] < 0) m->n++;
  m->keys[i] = key;
  m->vals[i] = val;
  return 0;
}

void tl__map_free(tl__map *m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

typedef struct tl__order {
  uint64_t t;
  size_t i;
} tl__order;

/* ---- names ------------------------------------------------------------ */

static const char *const tl__state_names[TL_STATE__COUNT] = {
    "none", "running", "ready", "blocked", "sleeping", "joining", "idle", "done",
    "waiting", "event-wait"};

const char *tl_state_name(int state) {
  return state >= 0 && state < TL_STATE__COUNT ? tl__state_names[state] : "?";
}

const char *tl_arrow_kind_name(int kind) {
  static const char *const names[TL_ARROW__COUNT] = {
      "gil-handoff", "gil-forced", "lock-handoff", "notify-wake",
      "set-wake",    "put-get",    "fork",         "exit-join"};
  return kind >= 0 && kind < TL_ARROW__COUNT ? names[kind] : "?";
}

/* ---- life cycle ------------------------------------------------------- */

tl_layout *tl_layout_new(void) {
  tl_layout *l = calloc(1, sizeof *l);
  if (!l) return NULL;
  l->priv = calloc(1, sizeof *l->priv);
  if (!l->priv) {
    free(l);
    return NULL;
  }
  return l;
}

void tl_layout_reset(tl_layout *l) {
  struct tl__layout_private *pv = l->priv;
  size_t i;
  for (i = 0; i < l->nlanes; i++) {
    free(l->lanes[i].name);
    free(l->lanes[i].seg);
    free(l->lanes[i].marks);
  }
  for (i = 0; i < l->nprocs; i++) {
    free(l->procs[i].lanes);
    free(l->procs[i].gil);
  }
  for (i = 0; i < TL_ARROW__COUNT; i++) free(l->arrows_of[i]);
  tl__objects_free(l);
  tl__deadlocks_free(l);
  free(l->lanes);
  free(l->procs);
  free(l->arrows);
  free(l->markers);
  free(l->globals);
  tl__map_free(&pv->lanes);
  tl__map_free(&pv->procs);
  memset(pv, 0, sizeof *pv);
  memset(l, 0, sizeof *l);
  l->priv = pv;
}

void tl_layout_free(tl_layout *l) {
  if (!l) return;
  tl_layout_reset(l);
  free(l->priv);
  free(l);
}

/* ---- lookups ---------------------------------------------------------- */

static uint64_t tl__lane_key(int32_t pid, uint32_t tid) {
  return (uint64_t)(uint32_t)pid << 32 | tid;
}

int tl_layout_find_lane(const tl_layout *l, int32_t pid, uint32_t tid) {
  return tl__map_get(&l->priv->lanes, tl__lane_key(pid, tid));
}

static int32_t tl__proc(tl_layout *l, int32_t pid) {
  int32_t i = tl__map_get(&l->priv->procs, (uint32_t)pid);
  tl_proc *p;
  if (i >= 0) return i;
  if (tl__grow(&l->procs, &l->capprocs, l->nprocs + 1, sizeof *l->procs)) return -1;
  i = (int32_t)l->nprocs;
  if (tl__map_put(&l->priv->procs, (uint32_t)pid, i)) return -1;
  p = &l->procs[l->nprocs++];
  memset(p, 0, sizeof *p);
  p->pid = pid;
  p->holder = -1;
  p->rel_lane = -1;
  return i;
}

/* The lane of (pid, tid), made on first sight; -1 when out of memory. */
int32_t tl__lane(tl_layout *l, int32_t proc, uint32_t tid) {
  tl_proc *p = &l->procs[proc];
  uint64_t key = tl__lane_key(p->pid, tid);
  int32_t i = tl__map_get(&l->priv->lanes, key);
  tl_lane *ln;
  char buf[32];
  if (i >= 0) return i;
  if (tl__grow(&l->lanes, &l->caplanes, l->nlanes + 1, sizeof *l->lanes) ||
      tl__grow(&p->lanes, &p->caplanes, p->nlanes + 1, sizeof *p->lanes))
    return -1;
  i = (int32_t)l->nlanes;
  /* Until its THREAD_NEW shows up (a child after fork has none) a lane is
   * named after its id, as Python names unnamed threads. */
  snprintf(buf, sizeof buf, "T%u", tid);
  ln = &l->lanes[i];
  memset(ln, 0, sizeof *ln);
  ln->name = strdup(buf);
  if (!ln->name || tl__map_put(&l->priv->lanes, key, i)) {
    free(ln->name);
    return -1;
  }
  ln->pid = p->pid;
  ln->tid = tid;
  ln->proc = proc;
  l->nlanes++;
  p->lanes[p->nlanes++] = i;
  return p->nlanes == 1 && tl__lane_born(l, proc, i, l->priv->now) ? -1 : i;
}

const char *tl_layout_text(const tl_layout *l, uint64_t off) {
  return l->trace && off ? tl_trace_strat(l->trace, off) : "";
}

size_t tl_segment_search(const tl_segment *seg, size_t n, uint64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (seg[mid].t1 > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* ---- segments --------------------------------------------------------- */

/* Ends the open segment at t. An empty one is dropped, and if that leaves
 * a neighbour of the state about to begin, the neighbour is reopened:
 * zero-length flickers (py2 release-and-retake) must not fragment a lane. */
static void tl__seg_close(tl_segment *seg, size_t *n, uint64_t t) {
  tl_segment *s = &seg[*n - 1];
  s->t1 = t < s->t0 ? s->t0 : t;
  if (s->t1 == s->t0) (*n)--;
}

static int tl__seg_open(tl_segment **seg, size_t *n, size_t *cap, uint64_t t,
                        uint8_t state, uint32_t obj) {
  tl_segment *s;
  if (*n) {
    s = &(*seg)[*n - 1];
    if (s->t1 == t && s->state == state && s->obj == obj) return 0;
  }
  if (tl__grow(seg, cap, *n + 1, sizeof **seg)) return -1;
  s = &(*seg)[(*n)++];
  s->t0 = s->t1 = t;
  s->state = state;
  s->obj = obj;
  return 0;
}

/* The state a thread is in: the most recent of its waits (a thread leaving
 * sleep first wants the GIL back, and must show as ready, not asleep). */
static uint8_t tl__state_of(const tl_proc *p, const struct tl__lane_sm *s, uint32_t *obj) {
  uint8_t st = TL_STATE_NONE;
  uint64_t best = 0;
  *obj = 0;
  if (s->ended) return TL_STATE_DONE;
#define TL__PICK(cond, stamp, state, o) \
  if ((cond) && (st == TL_STATE_NONE || (stamp) > best)) { st = (state); best = (stamp); *obj = (o); }
  TL__PICK(s->holds, s->stamp_gil, TL_STATE_RUNNING, 0)
  TL__PICK(s->wants, s->stamp_want, TL_STATE_READY, 0)
  TL__PICK(s->locking, s->stamp_lock, TL_STATE_BLOCKED, s->lock_obj)
  TL__PICK(s->sleeping, s->stamp_sleep, TL_STATE_SLEEPING, 0)
  TL__PICK(s->joining, s->stamp_join, TL_STATE_JOINING, s->join_obj)
  TL__PICK(s->waiting, s->stamp_wait, s->waiting == 2 ? TL_STATE_EVENT : TL_STATE_WAITING,
           s->wait_obj)
#undef TL__PICK
  if (st != TL_STATE_NONE || !s->started) return st;
  if (!p->has_gil) return TL_STATE_RUNNING; /* free-threaded: alive is running */
  if (s->last_release == TL_GIL_FORCED || s->last_release == TL_GIL_YIELD)
    return TL_STATE_READY;                  /* dropped it, wants it back */
  return TL_STATE_IDLE;
}

int tl__refresh(tl_layout *l, int32_t lane, uint64_t t) {
  tl_lane *ln = &l->lanes[lane];
  uint32_t obj;
  uint8_t st = tl__state_of(&l->procs[ln->proc], &ln->sm, &obj);
  if (ln->nseg) {
    tl_segment *last = &ln->seg[ln->nseg - 1];
    uint64_t floor = ln->sm.open ? last->t0 : last->t1;
    if (t < floor) t = floor; /* out of order across batches: never go back */
    if (ln->sm.open) {
      if (last->state == st && last->obj == obj) return 0;
      tl__seg_close(ln->seg, &ln->nseg, t);
    }
  }
  ln->sm.open = 0;
  if (st == TL_STATE_NONE) return 0;
  if (tl__seg_open(&ln->seg, &ln->nseg, &ln->capseg, t, st, obj)) return -1;
  ln->sm.open = 1;
  l->state_kinds |= 1u << st;
  return 0;
}

/* ---- arrows and markers ---------------------------------------------- */

int tl__arrow(tl_layout *l, uint8_t kind, int32_t from, int32_t to, uint64_t t0, uint64_t t1,
              uint32_t obj, uint8_t reason) {
  tl_arrow *a;
  if (kind >= TL_ARROW__COUNT || from < 0 || to < 0 || from == to) return 0;
  if (tl__grow(&l->arrows, &l->caparrows, l->narrows + 1, sizeof *l->arrows) ||
      tl__grow(&l->arrows_of[kind], &l->caparrows_of[kind], l->narrows_of[kind] + 1,
               sizeof *l->arrows_of[kind]))
    return -1;
  l->arrows_of[kind][l->narrows_of[kind]++] = (uint32_t)l->narrows;
  a = &l->arrows[l->narrows++];
  a->t0 = t0;
  a->t1 = t1 < t0 ? t0 : t1;
  a->from = from;
  a->to = to;
  a->obj = obj;
  a->kind = kind;
  a->reason = reason;
  return 0;
}

int tl__marker(tl_layout *l, const tl_event *e, int32_t proc, int32_t lane) {
  tl_marker *m;
  if (tl__grow(&l->markers, &l->capmarkers, l->nmarkers + 1, sizeof *l->markers)) return -1;
  if (lane >= 0) {
    tl_lane *ln = &l->lanes[lane];
    if (tl__grow(&ln->marks, &ln->capmarks, ln->nmarks + 1, sizeof *ln->marks)) return -1;
    ln->marks[ln->nmarks++] = (uint32_t)l->nmarkers;
  } else {
    if (tl__grow(&l->globals, &l->capglobals, l->nglobals + 1, sizeof *l->globals)) return -1;
    l->globals[l->nglobals++] = (uint32_t)l->nmarkers;
  }
  l->marker_kinds |= (uint64_t)1 << (e->kind & 63);
  m = &l->markers[l->nmarkers++];
  m->t = e->t;
  m->text = tl_event_kind_has_text(e->kind) ? e->arg : 0;
  m->lane = lane;
  m->proc = proc;
  m->obj = e->obj;
  m->kind = e->kind;
  return 0;
}

/* ---- the GIL ---------------------------------------------------------- */

/* A GIL "handoff" is drawn when the taker was waiting for it when it was
 * released, or took it at once: not when it lay free while the taker slept. */
#define TL__HANDOFF_GAP_NS 100000

static int tl__gil_acquire(tl_layout *l, int32_t proc, int32_t lane, uint64_t t) {
  tl_proc *p = &l->procs[proc];
  tl_lane *ln = &l->lanes[lane];
  int waited = ln->sm.wants && ln->sm.stamp_want < p->rel_stamp;
  p->has_gil = 1;
  if (p->holder >= 0 && p->holder != lane) {
    /* A release we never saw (lost in a full trace): end it here. */
    l->lanes[p->holder].sm.holds = 0;
    if (tl__refresh(l, p->holder, t)) return -1;
  }
  if (p->holder >= 0) tl__seg_close(p->gil, &p->ngil, t);
  if (p->ngil && t < p->gil[p->ngil - 1].t1) t = p->gil[p->ngil - 1].t1;
  p->holder = lane;
  if (tl__seg_open(&p->gil, &p->ngil, &p->capgil, t, TL_STATE_RUNNING, ln->tid)) return -1;
  if (p->rel_lane >= 0 && (waited || t - p->rel_t <= TL__HANDOFF_GAP_NS) &&
      tl__arrow(l, p->rel_reason == TL_GIL_FORCED ? TL_ARROW_GIL_FORCED : TL_ARROW_GIL,
                p->rel_lane, lane, p->rel_t, t, 0, p->rel_reason))
    return -1;
  p->rel_lane = -1;
  ln->sm.holds = 1;
  ln->sm.wants = 0;
  ln->sm.last_release = 0;
  ln->sm.stamp_gil = l->stamp;
  return 0;
}

static void tl__gil_release(tl_layout *l, int32_t proc, int32_t lane, uint64_t t,
                            uint8_t reason) {
  tl_proc *p = &l->procs[proc];
  tl_lane *ln = &l->lanes[lane];
  p->has_gil = 1;
  if (p->holder == lane) {
    tl__seg_close(p->gil, &p->ngil, t);
    p->holder = -1;
  }
  p->rel_lane = lane;
  p->rel_t = t;
  p->rel_stamp = l->stamp;
  p->rel_reason = reason;
  ln->sm.holds = 0;
  ln->sm.last_release = reason;
}

/* ---- one event ------------------------------------------------------- */

/* THREAD_NEW is emitted by the creator about the thread in obj. */
static int tl__on_thread_new(tl_layout *l, int32_t proc, int32_t creator, const tl_event *e) {
  uint32_t tid = e->obj ? e->obj : e->tid;
  int32_t lane = tl__lane(l, proc, tid);
  const char *name = tl_trace_strat(l->trace, e->arg);
  tl_lane *ln;
  if (lane < 0) return -1;
  ln = &l->lanes[lane];
  if (*name && !ln->sm.named) {
    char *copy = strdup(name);
    if (!copy) return -1;
    free(ln->name);
    ln->name = copy;
    ln->sm.named = 1;
  }
  if (tid == e->tid) ln->sm.started = 1;
  return tl__refresh(l, lane, e->t);
}

static int tl__on_thread(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  int32_t subject;
  if (!e->obj && lane < 0) return 0;
  subject = e->obj ? tl__lane(l, proc, e->obj) : lane;
  if (subject < 0) return -1;
  if (e->kind == TL_EV_THREAD_END) l->lanes[subject].sm.ended = 1;
  l->lanes[subject].sm.started = 1;
  return tl__refresh(l, subject, e->t);
}

static int tl__on_marker(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  return tl__marker(l, e, proc, lane);
}

/* A marker across the process, not on the emitting thread's lane. */
static int tl__on_process_marker(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  return tl__marker(l, e, proc, -1);
}

/* Narration, code and checks are for a narration panel, not markers; the
 * panel shows the running line of the step's code. */
static int tl__on_lesson(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  if (e->reason == TL_LESSON_CODE) {
    l->lesson_code = e->arg;
    l->lesson_first = e->obj;
  } else if (e->reason == TL_LESSON_LINE) {
    l->lesson_line = e->obj;
  }
  if (e->reason != TL_LESSON_STEP) return 0;
  return tl__marker(l, e, proc, -1);
}

static int tl__on_gil_request(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->wants = 1;
  s->stamp_want = l->stamp;
  l->procs[proc].has_gil = 1;
  return tl__refresh(l, lane, e->t);
}

static int tl__on_gil_acquire(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  if (tl__gil_acquire(l, proc, lane, e->t)) return -1;
  return tl__refresh(l, lane, e->t);
}

static int tl__on_gil_release(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl__gil_release(l, proc, lane, e->t, (uint8_t)e->reason);
  return tl__refresh(l, lane, e->t);
}

static int tl__on_sleep(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->sleeping = e->kind == TL_EV_SLEEP;
  if (s->sleeping) s->stamp_sleep = l->stamp;
  return tl__refresh(l, lane, e->t);
}

static int tl__on_join(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->joining = 1;
  s->join_obj = e->obj;
  s->stamp_join = l->stamp;
  if (tl__refresh(l, lane, e->t)) return -1;
  return tl__check_cycle(l, proc, lane, e->t);
}

static int tl__exit_to_join(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e);

static int tl__on_join_end(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  if (s->joining && !e->reason) tl__cycle_resolved(l, lane);
  s->joining = 0;
  if (!e->reason && tl__exit_to_join(l, proc, lane, e)) return -1;
  return tl__refresh(l, lane, e->t);
}

/* Each event kind's one handler (layout.c, layout_objects.c or
 * layout_deadlock.c), so an event takes one hop. TL__LANE: the event is
 * about the emitting thread and means nothing without one; TL__CREATOR:
 * the emitter's own lane is not made by the event (THREAD_NEW is about
 * another thread). A kind with no entry draws nothing. */
enum { TL__ANY = 0, TL__LANE = 1, TL__CREATOR = 2 };
static const struct {
  tl__handler *fn;
  uint8_t needs;
} tl__by_kind[TL_EV__COUNT] = {
    [TL_EV_THREAD_NEW] = {tl__on_thread_new, TL__CREATOR},
    [TL_EV_THREAD_START] = {tl__on_thread, TL__ANY},
    [TL_EV_THREAD_END] = {tl__on_thread, TL__ANY},
    [TL_EV_GIL_REQUEST] = {tl__on_gil_request, TL__LANE},
    [TL_EV_GIL_ACQUIRE] = {tl__on_gil_acquire, TL__LANE},
    [TL_EV_GIL_RELEASE] = {tl__on_gil_release, TL__LANE},
    [TL_EV_GIL_DROP_REQUEST] = {tl__on_marker, TL__ANY},
    [TL_EV_GIL_FAILED_WAKEUP] = {tl__on_marker, TL__ANY},
    [TL_EV_LOCK_NEW] = {tl__on_lock_new, TL__ANY},
    [TL_EV_LOCK_REQUEST] = {tl__on_lock_request, TL__LANE},
    [TL_EV_LOCK_ACQUIRE] = {tl__on_lock_acquire, TL__LANE},
    [TL_EV_LOCK_RELEASE] = {tl__on_lock_release, TL__LANE},
    [TL_EV_LOCK_TIMEOUT] = {tl__on_lock_timeout, TL__LANE},
    [TL_EV_SLEEP] = {tl__on_sleep, TL__LANE},
    [TL_EV_SLEEP_END] = {tl__on_sleep, TL__LANE},
    [TL_EV_JOIN] = {tl__on_join, TL__LANE},
    [TL_EV_JOIN_END] = {tl__on_join_end, TL__LANE},
    [TL_EV_PRINT] = {tl__on_marker, TL__ANY},
    [TL_EV_MARK] = {tl__on_marker, TL__ANY},
    [TL_EV_INTERRUPT] = {tl__on_marker, TL__ANY},
    [TL_EV_COND_WAIT] = {tl__on_wait_begin, TL__LANE},
    [TL_EV_COND_NOTIFY] = {tl__on_signal, TL__LANE},
    [TL_EV_COND_WAKE] = {tl__on_wake, TL__LANE},
    [TL_EV_EVENT_WAIT] = {tl__on_wait_begin, TL__LANE},
    [TL_EV_EVENT_SET] = {tl__on_signal, TL__LANE},
    [TL_EV_EVENT_WAKE] = {tl__on_wake, TL__LANE},
    [TL_EV_BARRIER_WAIT] = {tl__on_wait_begin, TL__LANE},
    [TL_EV_BARRIER_PASS] = {tl__on_wait_end, TL__LANE},
    [TL_EV_QUEUE_PUT] = {tl__on_queue_put, TL__LANE},
    [TL_EV_QUEUE_GET] = {tl__on_queue_get, TL__LANE},
    [TL_EV_QUEUE_BLOCK] = {tl__on_wait_begin, TL__LANE},
    [TL_EV_FORK] = {tl__on_fork, TL__LANE},
    [TL_EV_EXIT] = {tl__on_exit, TL__LANE},
    [TL_EV_REAP] = {tl__on_reap, TL__LANE},
    [TL_EV_DEADLOCK] = {tl__on_deadlock, TL__ANY},
    [TL_EV_LESSON_STEP] = {tl__on_lesson, TL__ANY},
    [TL_EV_TRACE_FULL] = {tl__on_process_marker, TL__ANY},
};

static int tl__consume(tl_layout *l, const tl_event *e) {
  int32_t proc = tl__proc(l, e->pid), lane = -1;
  unsigned needs = e->kind < TL_EV__COUNT ? tl__by_kind[e->kind].needs : TL__ANY;
  tl__handler *fn = e->kind < TL_EV__COUNT ? tl__by_kind[e->kind].fn : NULL;
  if (proc < 0) return -1;
  l->stamp++;
  l->priv->now = e->t;
  if (l->stamp == 1 || e->t < l->t_begin) l->t_begin = e->t;
  if (e->t > l->t_end) l->t_end = e->t;
  if (e->tid && needs != TL__CREATOR) {
    if ((lane = tl__lane(l, proc, e->tid)) < 0) return -1;
    l->lanes[lane].sm.started = 1; /* it emits, so it runs */
  }
  if (!fn || (needs == TL__LANE && lane < 0)) return 0;
  return fn(l, proc, lane, e) ? -1 : 0;
}

/* A join that returned because the thread ended: an arrow from that end
 * (where the joined lane turns done) to the join's return. */
static int tl__exit_to_join(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  int32_t from = tl_layout_find_lane(l, l->procs[proc].pid, e->obj);
  const tl_lane *ln;
  size_t k;
  if (from < 0 || !l->lanes[from].sm.ended) return 0;
  ln = &l->lanes[from];
  for (k = ln->nseg; k-- > 0;)
    if (ln->seg[k].state == TL_STATE_DONE)
      return tl__arrow(l, TL_ARROW_EXIT, from, lane, ln->seg[k].t0, e->t, e->obj, 0);
  return 0;
}

/* ---- batches ---------------------------------------------------------- */

static int tl__order_cmp(const void *a, const void *b) {
  const tl__order *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Open segments run to the newest time seen, so a live lane grows. */
static void tl__extend_open(tl_layout *l) {
  size_t i;
  for (i = 0; i < l->nlanes; i++) {
    tl_lane *ln = &l->lanes[i];
    if (ln->sm.open && ln->seg[ln->nseg - 1].t1 < l->t_end)
      ln->seg[ln->nseg - 1].t1 = l->t_end;
  }
  for (i = 0; i < l->nprocs; i++) {
    tl_proc *p = &l->procs[i];
    if (p->holder >= 0 && p->gil[p->ngil - 1].t1 < l->t_end) p->gil[p->ngil - 1].t1 = l->t_end;
  }
}

static int tl__same_event(const tl_event *a, const tl_event *b) {
  return a->t == b->t && a->arg == b->arg && a->seq == b->seq && a->pid == b->pid &&
         a->tid == b->tid && a->obj == b->obj && a->kind == b->kind && a->reason == b->reason;
}

long tl_layout_update(tl_layout *l, const tl_trace *tr) {
  size_t n = tl_trace_count(tr), k, i;
  tl__order *ord;
  int sorted = 1, rc = 0;
  /* A cleared trace may have refilled past where we were before we look
   * again: the last event we consumed is then a different one. */
  if (tr != l->trace || n < l->consumed ||
      (l->consumed && !tl__same_event(&l->priv->last, tl_trace_at(tr, l->consumed - 1)))) {
    tl_layout_reset(l);
    l->trace = tr;
  }
  l->lost = tl_trace_lost(tr);
  k = l->consumed;
  if (n == k) return 0;
  ord = malloc((n - k) * sizeof *ord);
  if (!ord) return -1;
  for (i = k; i < n; i++) {
    ord[i - k].t = tl_trace_at(tr, i)->t;
    ord[i - k].i = i;
    if (i > k && ord[i - k].t < ord[i - k - 1].t) sorted = 0;
  }
  if (!sorted) qsort(ord, n - k, sizeof *ord, tl__order_cmp);
  for (i = 0; i < n - k && rc == 0; i++) rc = tl__consume(l, tl_trace_at(tr, ord[i].i));
  free(ord);
  l->consumed = n;
  l->priv->last = *tl_trace_at(tr, n - 1);
  tl__extend_open(l);
  return rc ? -1 : (long)(n - k);
}

tl_layout *tl_layout_build(const tl_trace *tr) {
  tl_layout *l = tl_layout_new();
  if (l && tl_layout_update(l, tr) < 0) {
    tl_layout_free(l);
    return NULL;
  }
  return l;
}
