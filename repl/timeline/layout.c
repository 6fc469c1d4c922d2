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

/* ---- names ------------------------------------------------------------ */

static const char *const tl__state_names[TL_STATE__COUNT] = {
    "none", "running", "ready", "blocked", "sleeping", "joining", "idle", "done",
    "waiting", "event-wait", "running-nogil", "zombie", "io-wait", "suspended"};

const char *tl_state_name(int state) {
  return state >= 0 && state < TL_STATE__COUNT ? tl__state_names[state] : "?";
}

const char *tl_arrow_kind_name(int kind) {
  static const char *const names[TL_ARROW__COUNT] = {
      "gil-handoff", "gil-forced", "lock-handoff", "notify-wake",
      "set-wake",    "put-get",    "fork",         "exit-join", "write-read",
      "switch"};
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
    free(l->lanes[i].lod.lv[0]);
    free(l->lanes[i].lod.lv[1]);
    free(l->lanes[i].marks);
    free(l->lanes[i].gilmarks);
    free(l->lanes[i].waits);
  }
  for (i = 0; i < l->nprocs; i++) {
    free(l->procs[i].lanes);
    free(l->procs[i].gil);
    free(l->procs[i].gillod.lv[0]);
    free(l->procs[i].gillod.lv[1]);
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
  tl__map_free(&pv->greens);
  free(pv->green);
  free(pv->batch);
  for (i = 1; i < l->nnotes; i++) free(l->notes[i]);
  free(l->notes);
  free(l->says);
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

int32_t tl__proc(tl_layout *l, int32_t pid) {
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
  ln->host = -1;
  ln->proc = proc;
  l->nlanes++;
  p->lanes[p->nlanes++] = i;
  return p->nlanes == 1 && tl__lane_born(l, proc, i, l->priv->now) ? -1 : i;
}

const char *tl_layout_text(const tl_layout *l, uint64_t off) {
  return l->trace && off ? tl_trace_strat(l->trace, off) : "";
}

const char *tl_layout_proc_label(const tl_layout *l, size_t proc, char *buf, size_t n) {
  const tl_proc *p = &l->procs[proc];
  const char *name = p->name ? tl_layout_text(l, p->name) : "";
  if (*name) snprintf(buf, n, "%s (pid %d)", name, (int)p->pid);
  else snprintf(buf, n, "process %d", (int)p->pid);
  return buf;
}

int tl_layout_edges_cross(const tl_layout *l, const tl_wait_edge *e, size_t n) {
  size_t i;
  int32_t proc = -1;
  for (i = 0; i < n; i++) {
    int32_t who[2] = {e[i].waiter, e[i].holder};
    for (int k = 0; k < 2; k++) {
      if (who[k] < 0 || (size_t)who[k] >= l->nlanes) continue;
      if (proc >= 0 && l->lanes[who[k]].proc != proc) return 1;
      proc = l->lanes[who[k]].proc;
    }
  }
  return 0;
}

const char *tl_layout_lane_label(const tl_layout *l, int32_t lane, int cross, char *buf, size_t n) {
  const tl_lane *ln;
  const char *pname;
  if (lane < 0 || (size_t)lane >= l->nlanes) return "?";
  ln = &l->lanes[lane];
  pname = ln->proc >= 0 && (size_t)ln->proc < l->nprocs && l->procs[ln->proc].name
              ? tl_layout_text(l, l->procs[ln->proc].name) : "";
  if (!cross) return ln->name;
  if (*pname) snprintf(buf, n, "%s/%s", pname, ln->name);
  else snprintf(buf, n, "%d/%s", (int)ln->pid, ln->name);
  return buf;
}

const char *tl_layout_marker_label(const tl_layout *l, const tl_marker *m, char *buf, size_t n) {
  const char *text = tl_layout_text(l, m->text), *nl;
  if (m->kind == TL_EV_KILL) {
    snprintf(buf, n, "%s", m->arg == 15 ? "terminate (SIGTERM)" : m->arg == 9 ? "kill (SIGKILL)"
                          : m->arg == 2 ? "SIGINT" : "signal");
    return buf;
  }
  if (m->kind == TL_EV_REPARENT) {
    snprintf(buf, n, "orphan: re-parented to %u", m->obj);
    return buf;
  }
  if (m->kind == TL_EV_DROPPED) {
    snprintf(buf, n, "%llu older events dropped", (unsigned long long)m->arg);
    return buf;
  }
  if (m->kind == TL_EV_LOST_UPDATE && (nl = strchr(text, '\n'))) {
    snprintf(buf, n, "%.*s", (int)(nl - text), text);
    return buf;
  }
  return text;
}

const char *tl_layout_marker_note(const tl_layout *l, const tl_marker *m) {
  if (m->kind == TL_EV_DROPPED)
    return "the trace keeps the newest events while live (a ring); --trace FILE keeps them all";
  if (m->kind == TL_EV_LOST_UPDATE) {
    const char *nl = strchr(tl_layout_text(l, m->text), '\n');
    return nl ? nl + 1 : "";
  }
  return m->note && m->note < l->nnotes ? l->notes[m->note] : "";
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
                        uint8_t state, uint32_t obj, int join) {
  tl_segment *s;
  if (*n && join) {
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
  if (s->ended) return p->exited && !p->reaped ? TL_STATE_ZOMBIE : TL_STATE_DONE;
#define TL__PICK(cond, stamp, state, o) \
  if ((cond) && (st == TL_STATE_NONE || (stamp) > best)) { st = (state); best = (stamp); *obj = (o); }
  TL__PICK(s->holds, s->stamp_gil, TL_STATE_RUNNING, 0)
  TL__PICK(s->wants, s->stamp_want, TL_STATE_READY, 0)
  TL__PICK(s->locking, s->stamp_lock, TL_STATE_BLOCKED, s->lock_obj)
  TL__PICK(s->sleeping, s->stamp_sleep, TL_STATE_SLEEPING, 0)
  TL__PICK(s->computing, s->stamp_compute, TL_STATE_NOGIL, 0)
  TL__PICK(s->joining, s->stamp_join, TL_STATE_JOINING, s->join_obj)
  TL__PICK(s->waiting, s->stamp_wait, s->waiting == 2 ? TL_STATE_EVENT : TL_STATE_WAITING,
           s->wait_obj)
  TL__PICK(s->io, s->stamp_io, TL_STATE_IO, s->io_text)
#undef TL__PICK
  if (st != TL_STATE_NONE || !s->started) return st;
  if (s->green) return TL_STATE_SUSPENDED;
  if (!p->has_gil) return TL_STATE_RUNNING; /* free-threaded: alive is running */
  if (s->last_release == TL_GIL_FORCED || s->last_release == TL_GIL_YIELD)
    return TL_STATE_READY;                  /* dropped it, wants it back */
  return TL_STATE_IDLE;
}

int tl__refresh(tl_layout *l, int32_t lane, uint64_t t) {
  tl_lane *ln = &l->lanes[lane];
  uint32_t obj;
  uint8_t st = tl__state_of(&l->procs[ln->proc], &ln->sm, &obj);
  struct tl__lane_sm *s = &ln->sm;
  if (s->unknown) { /* after a gap: drawn again once something says what it does */
    if (s->holds || s->wants || s->locking || s->sleeping || s->joining || s->waiting || s->io ||
        s->last_release || s->ended)
      s->unknown = 0;
    else
      st = TL_STATE_NONE, obj = 0;
  }
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
  /* (Waits on one descriptor, back to back, are each drawn: each is a
   * wake-up of its own.) */
  if (tl__seg_open(&ln->seg, &ln->nseg, &ln->capseg, t, st, obj, !(st == TL_STATE_IO && s->io_new)))
    return -1;
  if (st == TL_STATE_IO) s->io_new = 0;
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
  if (lane >= 0 && e->kind == TL_EV_GIL_DROP_REQUEST) {
    tl_lane *ln = &l->lanes[lane];
    if (tl__grow(&ln->gilmarks, &ln->capgilmarks, ln->ngilmarks + 1, sizeof *ln->gilmarks))
      return -1;
    ln->gilmarks[ln->ngilmarks++] = (uint32_t)l->nmarkers;
  } else if (lane >= 0) {
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
  m->text = tl_event_has_text(e) ? e->arg : 0;
  m->arg = tl_event_has_text(e) ? 0 : e->arg;
  m->lane = lane;
  m->proc = proc;
  m->obj = e->obj;
  m->kind = e->kind;
  m->hang = e->kind == TL_EV_DEADLOCK && e->reason == 3;
  m->note = 0;
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
  if (tl__seg_open(&p->gil, &p->ngil, &p->capgil, t, TL_STATE_RUNNING, ln->tid, 1)) return -1;
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

/* Events were dropped before this one: what each thread was doing is no
 * longer known (a bar running on through the gap would be a guess), so
 * every lane and GIL row stops here until an event says again. */
static int tl__on_dropped(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  size_t i;
  for (i = 0; i < l->nlanes; i++) {
    struct tl__lane_sm *s = &l->lanes[i].sm;
    if (s->ended) continue;
    s->holds = s->wants = s->locking = s->sleeping = s->joining = s->waiting = s->io = 0;
    s->last_release = 0;
    s->unknown = 1;
    if (tl__refresh(l, (int32_t)i, e->t)) return -1;
  }
  for (i = 0; i < l->nprocs; i++) {
    tl_proc *p = &l->procs[i];
    if (p->holder >= 0) tl__seg_close(p->gil, &p->ngil, e->t);
    p->holder = p->rel_lane = -1;
  }
  return tl__marker(l, e, proc, -1);
}

/* A marker across the process, not on the emitting thread's lane. */
static int tl__on_process_marker(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  return tl__marker(l, e, proc, -1);
}

/* A lesson's text: only a step is a marker; the rest is for the narration
 * panel (which also shows the running line of the step's code), and what
 * was said before a step becomes the step's note. */
static int tl__on_lesson(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  const char *text = tl_layout_text(l, e->arg);
  switch (e->reason) {
    case TL_LESSON_CODE:
      l->lesson_code = e->arg;
      l->lesson_first = e->obj;
      return 0;
    case TL_LESSON_LINE:
      l->lesson_line = e->obj;
      return 0;
    case TL_LESSON_TITLE:
      l->narr_head = e->arg;
      l->narr_text = "";
      break;
    case TL_LESSON_SAY: {
      size_t a = l->says ? strlen(l->says) : 0, b = strlen(text);
      char *s = realloc(l->says, a + b + 2);
      if (!s) return -1;
      if (a) s[a++] = '\n';
      memcpy(s + a, text, b + 1);
      l->says = s;
      l->narr_text = text; /* the panel shows what was said last */
      break;
    }
    case TL_LESSON_NARRATE:
      l->narr_head = 0;
      l->narr_text = text;
      break;
    case TL_LESSON_STEP:
      if (tl__marker(l, e, proc, -1)) return -1;
      l->narr_head = e->arg;
      l->narr_text = "";
      if (l->says) { /* what led to this step is its note */
        if (tl__grow(&l->notes, &l->capnotes, l->nnotes ? l->nnotes + 1 : 2, sizeof *l->notes))
          return -1;
        if (!l->nnotes) l->notes[l->nnotes++] = NULL;
        l->markers[l->nmarkers - 1].note = (uint32_t)l->nnotes;
        l->notes[l->nnotes++] = l->says;
        l->narr_text = l->says;
        l->says = NULL;
      }
      break;
    default:
      return 0;
  }
  l->narr_gen++;
  return 0;
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

static int tl__on_compute(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->computing = e->kind == TL_EV_COMPUTE;
  if (s->computing) s->stamp_compute = l->stamp;
  return tl__refresh(l, lane, e->t);
}

static int tl__on_join(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->joining = 1;
  s->join_obj = e->obj;
  s->stamp_join = l->stamp;
  if (tl__refresh(l, lane, e->t)) return -1;
  if (e->reason == 2) return 0; /* waits for a child process (obj: its pid) */
  return tl__check_cycle(l, proc, lane, e->t);
}

static int tl__exit_to_join(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e);

static int tl__on_join_end(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  if (s->joining && !e->reason) tl__cycle_resolved(l, lane);
  if (e->reason == 2) { /* a child process waited for: its REAP draws the arrow */
    s->joining = 0;
    return tl__refresh(l, lane, e->t);
  }
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
    [TL_EV_COMPUTE] = {tl__on_compute, TL__LANE},
    [TL_EV_COMPUTE_END] = {tl__on_compute, TL__LANE},
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
    [TL_EV_EXIT] = {tl__on_exit, TL__ANY},
    [TL_EV_REAP] = {tl__on_reap, TL__LANE},
    [TL_EV_KILL] = {tl__on_kill, TL__ANY},
    [TL_EV_REPARENT] = {tl__on_reparent, TL__ANY},
    [TL_EV_PROC_NAME] = {tl__on_proc_name, TL__ANY},
    [TL_EV_DEADLOCK] = {tl__on_deadlock, TL__ANY},
    [TL_EV_LESSON_STEP] = {tl__on_lesson, TL__ANY},
    [TL_EV_TRACE_FULL] = {tl__on_process_marker, TL__ANY},
    [TL_EV_DROPPED] = {tl__on_dropped, TL__ANY},
    [TL_EV_LOST_UPDATE] = {tl__on_marker, TL__LANE},
    [TL_EV_IO_WAIT] = {tl__on_io_wait, TL__LANE},
    [TL_EV_IO_READY] = {tl__on_io_ready, TL__LANE},
    [TL_EV_IO_WRITE] = {tl__on_io_write, TL__LANE},
    [TL_EV_GREEN_NEW] = {tl__on_green_new, TL__LANE},
    [TL_EV_GREEN_SWITCH] = {tl__on_green_switch, TL__LANE},
    [TL_EV_GREEN_END] = {tl__on_green_end, TL__LANE},
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
  const tl_event *x = a, *y = b;
  uint64_t sx = (uint64_t)x->seq | (uint64_t)x->aux << 32, sy = (uint64_t)y->seq | (uint64_t)y->aux << 32;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return sx < sy ? -1 : sx > sy;
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

/* ---- level of detail --------------------------------------------------- */

/* Time per key over a few dozen entries: a small table, linear search. */
typedef struct tl__tally {
  uint32_t key[2 << TL_LOD_SHIFT], at[2 << TL_LOD_SHIFT];
  uint64_t ns[2 << TL_LOD_SHIFT];
  int n, last;
} tl__tally;

static void tl__tally_add(tl__tally *y, uint32_t key, uint64_t ns, uint32_t at) {
  int k;
  if (y->n && y->key[y->last] == key) { /* runs of one key are the common case */
    y->ns[y->last] += ns;
    return;
  }
  for (k = 0; k < y->n && y->key[k] != key; k++) {}
  y->last = k;
  if (k == y->n) {
    if (y->n == 2 << TL_LOD_SHIFT) {
      y->last = 0;
      return;
    }
    y->key[k] = key;
    y->ns[k] = 0;
    y->at[k] = at;
    y->n++;
  }
  y->ns[k] += ns;
}

static int tl__tally_top(const tl__tally *y) {
  int k, best = 0;
  for (k = 1; k < y->n; k++)
    if (y->ns[k] > y->ns[best]) best = k;
  return best;
}

static uint32_t tl__key(const tl_segment *s, int by_obj) { return by_obj ? s->obj : s->state; }

static void tl__tally_init(tl__tally *y) {
  y->n = y->last = 0;
  y->at[0] = 0;
  y->ns[0] = 0;
}

/* Summary b of level lv: the top key of its B entries (level 0: segments,
 * level 1: level-0 summaries, each counted as its top key's time). */
static int tl__lod_block(tl_lod_row *r, int lv, const tl_segment *seg, int by_obj) {
  const size_t B = (size_t)1 << TL_LOD_SHIFT, b = r->n[lv];
  size_t i;
  tl__tally y;
  tl_lod *o;
  int top;
  tl__tally_init(&y);
  if (tl__grow(&r->lv[lv], &r->cap[lv], b + 1, sizeof *r->lv[lv])) return -1;
  for (i = b * B; i < (b + 1) * B; i++) {
    const tl_lod *c = lv ? &r->lv[0][i] : NULL;
    uint32_t at = c ? c->top : (uint32_t)i;
    tl__tally_add(&y, tl__key(&seg[at], by_obj), c ? c->top_ns : seg[i].t1 - seg[i].t0, at);
  }
  top = tl__tally_top(&y);
  o = &r->lv[lv][b];
  o->t0 = lv ? r->lv[0][b * B].t0 : seg[b * B].t0;
  o->t1 = lv ? r->lv[0][(b + 1) * B - 1].t1 : seg[(b + 1) * B - 1].t1;
  o->top = y.at[top];
  o->top_ns = y.ns[top];
  r->n[lv]++;
  return 0;
}

/* Summarises the blocks that are final: a block's segments can no longer
 * change once two more follow it (only a row's last segment or two do). */
static int tl__lod_grow(tl_lod_row *r, const tl_segment *seg, size_t nseg, int by_obj) {
  const size_t B = (size_t)1 << TL_LOD_SHIFT;
  while ((r->n[0] + 1) * B + 2 <= nseg)
    if (tl__lod_block(r, 0, seg, by_obj)) return -1;
  while ((r->n[1] + 1) * B <= r->n[0])
    if (tl__lod_block(r, 1, seg, by_obj)) return -1;
  return 0;
}

size_t tl_lod_pick(const tl_lod_row *r, const tl_segment *seg, size_t i, size_t j, int by_obj) {
  const size_t B = (size_t)1 << TL_LOD_SHIFT;
  tl__tally y;
  size_t k, b0, b1, span;
  int lv;
  tl__tally_init(&y);
  if (j <= i + 1) return i;
  /* Few segments: themselves. More: the blocks that overlap them, at the
   * level that makes a handful (16 at most, and a block either side that
   * also reaches into the next pixel: the price of a summary). */
  lv = j - i <= B ? -1 : j - i < 16 * B ? 0 : 1;
  if (lv == 1 && r->n[1] * B * B <= i) lv = 0;
  if (lv >= 0 && r->n[0] * B <= i) lv = -1; /* the live end: not summarised yet */
  if (lv < 0) {
    for (k = i; k < j; k += (j - i) > 2 * B ? (j - i) / B : 1)
      tl__tally_add(&y, tl__key(&seg[k], by_obj), seg[k].t1 - seg[k].t0, (uint32_t)k);
    return y.at[tl__tally_top(&y)];
  }
  span = lv ? B * B : B;
  b0 = i / span;
  b1 = (j + span - 1) / span;
  if (b1 > r->n[lv]) b1 = r->n[lv];
  for (k = b0; k < b1; k++)
    tl__tally_add(&y, tl__key(&seg[r->lv[lv][k].top], by_obj), r->lv[lv][k].top_ns,
                  r->lv[lv][k].top);
  /* past the summaries (the live end): a sample of the rest */
  for (k = b1 * span; k < j; k += (j - k) > 2 * B ? (j - k) / 8 : 1)
    tl__tally_add(&y, tl__key(&seg[k], by_obj), seg[k].t1 - seg[k].t0, (uint32_t)k);
  return y.at[tl__tally_top(&y)];
}

/* ---- trimming ------------------------------------------------------------ */

/* Whether a marker outlives a trim: what the trace pins (its meaning). */
static int tl__marker_pinned(const tl_marker *m) {
  return m->kind == TL_EV_DROPPED || m->kind == TL_EV_DEADLOCK || m->kind == TL_EV_TRACE_FULL ||
         m->kind == TL_EV_MARK || m->kind == TL_EV_LESSON_STEP;
}

static void tl__trim_rows(tl_segment *seg, size_t *n, tl_lod_row *lod, uint64_t cut) {
  size_t k = tl_segment_search(seg, *n, cut);
  if (k + 1 >= *n) k = *n ? *n - 1 : 0; /* a row keeps its last state */
  if (!k) return;
  memmove(seg, seg + k, (*n - k) * sizeof *seg);
  *n -= k;
  lod->n[0] = lod->n[1] = 0; /* rebuilt from the segments left */
}

static size_t tl__remap(uint32_t *idx, size_t n, const uint32_t *map) {
  size_t i, o = 0;
  for (i = 0; i < n; i++)
    if (map[idx[i]] != UINT32_MAX) idx[o++] = map[idx[i]];
  return o;
}

/* The ring dropped what came before `cut`: so does the layout (but for
 * what the trace pins), so that a live session's memory follows the
 * events the trace holds. Worth it only when much goes. */
static int tl__trim(tl_layout *l, uint64_t cut) {
  size_t i, k, o, old = 0, gone = 0;
  uint32_t *map;
  for (i = 0; i < l->nlanes; i++) {
    old += l->lanes[i].nseg;
    gone += tl_segment_search(l->lanes[i].seg, l->lanes[i].nseg, cut);
  }
  for (i = 0; i < l->narrows && l->arrows[i].t1 < cut; i++) {}
  old += l->narrows;
  gone += i;
  if (gone < 65536 || gone * 8 < old) return 0;
  for (i = 0; i < l->nlanes; i++)
    tl__trim_rows(l->lanes[i].seg, &l->lanes[i].nseg, &l->lanes[i].lod, cut);
  for (i = 0; i < l->nprocs; i++)
    tl__trim_rows(l->procs[i].gil, &l->procs[i].ngil, &l->procs[i].gillod, cut);
  for (i = 0; i < l->nlanes; i++) { /* lock waits over before the cut */
    tl_lane *ln = &l->lanes[i];
    for (k = 0; k < ln->nwaits && ln->waits[k].t1 < cut; k++) {}
    if (!k) continue;
    memmove(ln->waits, ln->waits + k, (ln->nwaits - k) * sizeof *ln->waits);
    ln->nwaits -= k;
  }
  /* arrows (in order of their end) and the per-kind lists into them */
  map = malloc((l->narrows > l->nmarkers ? l->narrows : l->nmarkers) * sizeof *map + 1);
  if (!map) return -1;
  for (i = 0, o = 0; i < l->narrows; i++) {
    map[i] = l->arrows[i].t1 < cut ? UINT32_MAX : (uint32_t)o;
    if (map[i] != UINT32_MAX) l->arrows[o++] = l->arrows[i];
  }
  l->narrows = o;
  for (k = 0; k < TL_ARROW__COUNT; k++)
    l->narrows_of[k] = tl__remap(l->arrows_of[k], l->narrows_of[k], map);
  /* markers, and every list of them */
  for (i = 0, o = 0; i < l->nmarkers; i++) {
    tl_marker *m = &l->markers[i];
    map[i] = m->t < cut && !tl__marker_pinned(m) ? UINT32_MAX : (uint32_t)o;
    if (map[i] != UINT32_MAX) l->markers[o++] = *m;
  }
  l->nmarkers = o;
  l->nglobals = tl__remap(l->globals, l->nglobals, map);
  for (i = 0; i < l->nlanes; i++) {
    tl_lane *ln = &l->lanes[i];
    ln->nmarks = tl__remap(ln->marks, ln->nmarks, map);
    ln->ngilmarks = tl__remap(ln->gilmarks, ln->ngilmarks, map);
  }
  free(map);
  if (l->t_begin < cut) l->t_begin = cut;
  l->trimmed += gone;
  return 0;
}

/* What the ring has let go of, the layout lets go of too; the first time
 * it says so with a marker where what is left begins (a reader that kept
 * up saw no gap, yet the events are gone from the trace). */
static int tl__trim_to_ring(tl_layout *l, const tl_trace *tr) {
  tl_event first;
  uint64_t gone = tl_trace_dropped(tr), cut;
  if (!gone || !tl_trace_oldest(tr, &first)) return 0;
  cut = first.t;
  if (l->drop_t > cut) cut = l->drop_t;
  if (cut <= l->t_begin) return 0;
  if (tl__trim(l, cut) != 0) return -1;
  if (l->t_begin == cut && gone > l->drop_said && l->drop_t < cut) {
    tl_event d;
    memset(&d, 0, sizeof d);
    d.t = cut;
    d.pid = first.pid;
    d.kind = TL_EV_DROPPED;
    d.arg = gone - l->drop_said;
    l->drop_said = gone;
    l->drop_t = cut;
    /* only the marker: what the lanes do now is known (no gap was read) */
    if (tl__marker(l, &d, tl__proc(l, d.pid), -1)) return -1;
  }
  return 0;
}

/* Reads up to a batch of events (128 K: a whole small trace laid out exact,
 * a huge one in bounded memory, 5 MB), in (t, seq) order; -1 out of memory. */
#define TL__BATCH (1u << 17)

long tl_layout_update(tl_layout *l, const tl_trace *tr) {
  return tl_layout_update_until(l, tr, UINT64_MAX);
}

long tl_layout_update_until(tl_layout *l, const tl_trace *tr, uint64_t until) {
  struct tl__layout_private *pv = l->priv;
  tl_trace_reader before;
  long total = 0;
  int rc = 0, got;
  if (tr != l->trace || pv->reader.gen != tl_trace_generation(tr)) {
    tl_layout_reset(l);
    l->trace = tr;
    tl_trace_reader_init(&pv->reader, tr);
  }
  l->lost = tl_trace_lost(tr);
  do {
    size_t n = 0, i;
    int sorted = 1;
    if (!pv->batch) {
      pv->capbatch = 4096;
      if (!(pv->batch = malloc(pv->capbatch * sizeof *pv->batch))) return -1;
    }
    while (n < TL__BATCH && (before = pv->reader, got = tl_trace_read(tr, &pv->reader,
                                                                   &pv->batch[n])) == 1) {
      tl_event *e = &pv->batch[n];
      if (e->t > until) { /* for a later call: read again then */
        pv->reader = before;
        got = 0;
        break;
      }
      if (pv->reader.last_drop) {
        /* the gap's marker goes in just before the event after it */
        tl_event keep = *e;
        if (tl__grow(&pv->batch, &pv->capbatch, n + 2, sizeof *pv->batch)) return -1;
        e = &pv->batch[n];
        memset(e, 0, sizeof *e);
        e->t = keep.t;
        e->pid = keep.pid;
        e->kind = TL_EV_DROPPED;
        e->arg = pv->reader.last_drop;
        e->seq = keep.seq ? keep.seq - 1 : 0;
        e->aux = keep.aux;
        pv->batch[++n] = keep;
        l->dropped += pv->reader.last_drop;
        l->drop_t = keep.t;
        l->drop_said += pv->reader.last_drop;
      }
      if (n && pv->batch[n].t < pv->batch[n - 1].t) sorted = 0;
      n++;
      if (n == pv->capbatch && tl__grow(&pv->batch, &pv->capbatch, n + 1, sizeof *pv->batch))
        return -1;
      if (tl__green_split(&pv->batch[n - 1], &pv->batch[n])) n++;
      if (n == pv->capbatch && tl__grow(&pv->batch, &pv->capbatch, n + 1, sizeof *pv->batch))
        return -1;
    }
    if (got < 0) { /* cleared under us: start over next time */
      tl_trace_reader_init(&pv->reader, tr);
      pv->reader.gen--;
      break;
    }
    if (!sorted) qsort(pv->batch, n, sizeof *pv->batch, tl__order_cmp);
    for (i = 0; i < n && rc == 0; i++) rc = tl__consume(l, &pv->batch[i]);
    l->consumed += n;
    total += (long)n;
    if (!n) break;
  } while (rc == 0);
  if (pv->capbatch > TL__BATCH / 8) { /* a big first read: give it back */
    free(pv->batch);
    pv->batch = NULL;
    pv->capbatch = 0;
  }
  if (total) {
    size_t k;
    tl__extend_open(l);
    if (rc == 0) rc = tl__trim_to_ring(l, tr);
    for (k = 0; k < l->nlanes && rc == 0; k++)
      rc = tl__lod_grow(&l->lanes[k].lod, l->lanes[k].seg, l->lanes[k].nseg, 0);
    for (k = 0; k < l->nprocs && rc == 0; k++)
      rc = tl__lod_grow(&l->procs[k].gillod, l->procs[k].gil, l->procs[k].ngil, 1);
  }
  return rc ? -1 : total;
}

tl_layout *tl_layout_build(const tl_trace *tr) {
  tl_layout *l = tl_layout_new();
  if (l && tl_layout_update(l, tr) < 0) {
    tl_layout_free(l);
    return NULL;
  }
  return l;
}
