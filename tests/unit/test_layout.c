/* The layout step on small synthetic traces: lanes, segments, arrows and
 * markers, out-of-order events, and incremental updates. */
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "trace.h"

#include "check.h"

#define P 100 /* the pid of most tests */

static tl_trace *tr;

static void ev(uint64_t t, uint32_t tid, unsigned kind, unsigned reason, uint32_t obj,
               uint64_t arg) {
  tl_trace_emit(tr, t, P, tid, (uint16_t)kind, (uint16_t)reason, obj, arg);
}

static void evp(int32_t pid, uint64_t t, uint32_t tid, unsigned kind, unsigned reason,
                uint32_t obj, uint64_t arg) {
  tl_trace_emit(tr, t, pid, tid, (uint16_t)kind, (uint16_t)reason, obj, arg);
}

static uint64_t str(const char *s) { return tl_trace_str(tr, s, strlen(s)); }

static void fresh(void) {
  if (tr) tl_trace_destroy(tr);
  tr = tl_trace_create(4096, 1 << 16);
}

/* Whether lane `lane` is in `state` (with obj) over exactly [t0, t1). */
static int has_seg(const tl_layout *l, int lane, int state, uint64_t t0, uint64_t t1,
                   uint32_t obj) {
  size_t i;
  for (i = 0; i < l->lanes[lane].nseg; i++) {
    const tl_segment *s = &l->lanes[lane].seg[i];
    if (s->state == state && s->t0 == t0 && s->t1 == t1 && s->obj == obj) return 1;
  }
  printf("  lane %d (%s) segments:", lane, l->lanes[lane].name);
  for (i = 0; i < l->lanes[lane].nseg; i++) {
    const tl_segment *s = &l->lanes[lane].seg[i];
    printf(" %s[%llu,%llu)", tl_state_name(s->state), (unsigned long long)s->t0,
           (unsigned long long)s->t1);
  }
  printf("\n");
  return 0;
}

static int same_seg(const tl_segment *a, const tl_segment *b) {
  return a->t0 == b->t0 && a->t1 == b->t1 && a->obj == b->obj && a->state == b->state;
}

/* Every lane's segments are in order, non-empty and never overlap. */
static int well_ordered(const tl_layout *l) {
  size_t k, i;
  for (k = 0; k < l->nlanes; k++) {
    const tl_lane *ln = &l->lanes[k];
    for (i = 0; i < ln->nseg; i++) {
      if (ln->seg[i].t1 < ln->seg[i].t0) return 0;
      if (i + 1 < ln->nseg && ln->seg[i].t1 > ln->seg[i + 1].t0) return 0;
      if (i + 1 < ln->nseg && ln->seg[i].t1 == ln->seg[i].t0) return 0;
    }
  }
  for (k = 0; k < l->nprocs; k++)
    for (i = 0; i + 1 < l->procs[k].ngil; i++)
      if (l->procs[k].gil[i].t1 > l->procs[k].gil[i + 1].t0) return 0;
  for (k = 0; k < l->narrows; k++)
    if (l->arrows[k].t1 < l->arrows[k].t0) return 0;
  return 1;
}

/* Main starts "worker"; they trade the GIL, once forced, once blocking. */
static void test_gil_handoff(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  ev(0, 1, TL_EV_THREAD_START, 0, 1, 0);
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(10, 1, TL_EV_THREAD_NEW, 0, 2, str("worker"));
  ev(20, 2, TL_EV_THREAD_START, 0, 2, 0);
  ev(20, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  ev(25, 2, TL_EV_GIL_DROP_REQUEST, 0, 1, 0);
  ev(30, 1, TL_EV_GIL_RELEASE, TL_GIL_FORCED, 0, 0);
  ev(31, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(31, 1, TL_EV_GIL_REQUEST, 0, 2, 0);
  ev(50, 2, TL_EV_GIL_RELEASE, TL_GIL_EXIT, 0, 0);
  ev(50, 2, TL_EV_THREAD_END, 0, 2, 0);
  ev(52, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(60, 1, TL_EV_MARK, 0, 0, str("end"));
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(l->nlanes == 2 && l->nprocs == 1);
  CHECK(strcmp(l->lanes[0].name, "MainThread") == 0);
  CHECK(strcmp(l->lanes[1].name, "worker") == 0);
  CHECK(l->procs[0].nlanes == 2 && l->procs[0].lanes[0] == 0 && l->procs[0].lanes[1] == 1);
  CHECK(l->t_begin == 0 && l->t_end == 60);
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 0, 30, 0));
  CHECK(has_seg(l, 0, TL_STATE_READY, 30, 52, 0));
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 52, 60, 0));
  CHECK(has_seg(l, 1, TL_STATE_READY, 20, 31, 0));
  CHECK(has_seg(l, 1, TL_STATE_RUNNING, 31, 50, 0));
  CHECK(has_seg(l, 1, TL_STATE_DONE, 50, 60, 0));
  CHECK(l->lanes[1].seg[0].t0 == 20); /* nothing drawn before it started */
  CHECK(l->narrows == 2);
  if (l->narrows == 2) {
    CHECK(l->arrows[0].kind == TL_ARROW_GIL_FORCED && l->arrows[0].from == 0 &&
          l->arrows[0].to == 1 && l->arrows[0].t0 == 30 && l->arrows[0].t1 == 31);
    CHECK(l->arrows[1].kind == TL_ARROW_GIL && l->arrows[1].from == 1 &&
          l->arrows[1].to == 0 && l->arrows[1].reason == TL_GIL_EXIT);
  }
  /* The GIL row names its holders in turn. */
  CHECK(l->procs[0].ngil == 3);
  if (l->procs[0].ngil == 3) {
    CHECK(l->procs[0].gil[0].obj == 1 && l->procs[0].gil[0].t1 == 30);
    CHECK(l->procs[0].gil[1].obj == 2 && tl_layout_find_lane(l, P, 2) == 1 &&
          l->procs[0].gil[1].t0 == 31 && l->procs[0].gil[1].t1 == 50);
    CHECK(l->procs[0].gil[2].obj == 1 && l->procs[0].gil[2].t1 == 60);
  }
  CHECK(l->nmarkers == 2);
  if (l->nmarkers == 2) {
    CHECK(l->markers[0].kind == TL_EV_GIL_DROP_REQUEST && l->markers[0].lane == 1);
    CHECK(l->markers[1].kind == TL_EV_MARK &&
          strcmp(tl_layout_text(l, l->markers[1].text), "end") == 0);
  }
  tl_layout_free(l);
}

/* Lock "A": held by T1; T2 waits and gets it by handoff; T3 comes later
 * and takes it uncontended (no arrow); T3 also times out on lock B. */
static void test_lock_handoff(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_LOCK_NEW, 0, 7, str("A"));
  ev(0, 1, TL_EV_LOCK_NEW, 0, 8, str("B"));
  ev(1, 1, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(2, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(10, 2, TL_EV_LOCK_REQUEST, 0, 7, 0);
  ev(11, 2, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(20, 1, TL_EV_LOCK_RELEASE, 0, 7, 0);
  ev(25, 2, TL_EV_LOCK_ACQUIRE, 0, 7, 1);
  ev(30, 2, TL_EV_LOCK_RELEASE, 0, 7, 0);
  ev(40, 3, TL_EV_LOCK_REQUEST, 0, 7, 0);
  ev(41, 3, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(50, 3, TL_EV_LOCK_REQUEST, 0, 8, 0);
  ev(60, 3, TL_EV_LOCK_TIMEOUT, 0, 8, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(l->nlanes == 3);
  CHECK(strcmp(l->lanes[1].name, "T2") == 0); /* no THREAD_NEW: named by id */
  CHECK(has_seg(l, 1, TL_STATE_BLOCKED, 10, 25, 7));
  CHECK(has_seg(l, 2, TL_STATE_BLOCKED, 40, 41, 7));
  CHECK(has_seg(l, 2, TL_STATE_BLOCKED, 50, 60, 8));
  CHECK(l->narrows == 1);
  if (l->narrows == 1)
    CHECK(l->arrows[0].kind == TL_ARROW_LOCK && l->arrows[0].from == 0 &&
          l->arrows[0].to == 1 && l->arrows[0].obj == 7 && l->arrows[0].t0 == 20 &&
          l->arrows[0].t1 == 25);
  CHECK(tl_layout_lock_name(l, 7) && strcmp(tl_layout_lock_name(l, 7), "A") == 0);
  CHECK(tl_layout_lock_name(l, 99) == NULL);
  tl_layout_free(l);
}

/* A blocked bar's wait remembers who held the lock over it, after it is
 * over: T1 holds A; T2, then T3, wait; T3 gets it first, then T2. */
static void test_lock_wait_holders(void) {
  tl_layout *l;
  const tl_lock_wait *w;
  tl_segment s2 = {10, 31, 7, TL_STATE_BLOCKED}, s3 = {12, 21, 7, TL_STATE_BLOCKED};
  tl_segment free2 = {40, 41, 7, TL_STATE_BLOCKED};
  fresh();
  ev(0, 1, TL_EV_LOCK_NEW, 0, 7, str("A"));
  ev(1, 1, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(10, 2, TL_EV_LOCK_REQUEST, 0, 7, 0);
  ev(12, 3, TL_EV_LOCK_REQUEST, 0, 7, 0);
  ev(20, 1, TL_EV_LOCK_RELEASE, 0, 7, 0);
  ev(21, 3, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(30, 3, TL_EV_LOCK_RELEASE, 0, 7, 0);
  ev(31, 2, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(35, 2, TL_EV_LOCK_RELEASE, 0, 7, 0);
  ev(40, 2, TL_EV_LOCK_REQUEST, 0, 7, 0); /* free: nobody to name */
  ev(41, 2, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(has_seg(l, 1, TL_STATE_BLOCKED, 10, 31, 7));
  w = tl_layout_lock_wait(l, 1, &s2);
  CHECK(w && w->nholders == 2 && w->holder[0] == 0 && w->holder[1] == 2 && w->t1 == 31);
  w = tl_layout_lock_wait(l, 2, &s3);
  CHECK(w && w->nholders == 1 && w->holder[0] == 0);
  CHECK(tl_layout_lock_wait(l, 1, &free2) == NULL);
  tl_layout_free(l);
}

/* Sleep, join, waiting for input (idle), and the newest wait winning. */
static void test_waits(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(10, 1, TL_EV_SLEEP, 0, 0, 1000);
  ev(10, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(20, 1, TL_EV_GIL_REQUEST, 0, 2, 0); /* woke up: now it wants the GIL */
  ev(25, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(25, 1, TL_EV_SLEEP_END, 0, 0, 0);
  ev(30, 1, TL_EV_JOIN, 0, 2, 0);
  ev(31, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(40, 1, TL_EV_JOIN_END, 0, 2, 0);
  ev(50, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(60, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0); /* e.g. reads input */
  ev(80, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(90, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 0, 10, 0));
  CHECK(has_seg(l, 0, TL_STATE_SLEEPING, 10, 20, 0));
  CHECK(has_seg(l, 0, TL_STATE_READY, 20, 25, 0));
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 25, 30, 0));
  CHECK(has_seg(l, 0, TL_STATE_JOINING, 30, 40, 2));
  CHECK(has_seg(l, 0, TL_STATE_IDLE, 40, 50, 0)); /* joined, GIL not yet asked */
  CHECK(has_seg(l, 0, TL_STATE_IDLE, 60, 80, 0));
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 80, 90, 0));
  tl_layout_free(l);
}

/* The order sim/ really emits in: LOCK_REQUEST while still holding the
 * GIL, LOCK_ACQUIRE before taking the GIL back, THREAD_START after the
 * first GIL take, THREAD_END before the exit release. */
static void test_sim_order(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  ev(0, 1, TL_EV_THREAD_START, 0, 1, 0);
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(1, 1, TL_EV_LOCK_ACQUIRE, 0, 9, 0);
  ev(2, 1, TL_EV_THREAD_NEW, 0, 2, str("T"));
  ev(3, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  ev(4, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0); /* start() waits */
  ev(4, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(4, 2, TL_EV_THREAD_START, 0, 2, 0);
  ev(5, 1, TL_EV_GIL_REQUEST, 0, 2, 0);
  ev(6, 2, TL_EV_LOCK_REQUEST, 0, 9, 1);
  ev(6, 2, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(7, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(8, 1, TL_EV_LOCK_RELEASE, 0, 9, 0);
  ev(9, 2, TL_EV_LOCK_ACQUIRE, 0, 9, 1);
  ev(9, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  ev(12, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(12, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(15, 2, TL_EV_THREAD_END, 0, 2, 0);
  ev(15, 2, TL_EV_GIL_RELEASE, TL_GIL_EXIT, 0, 0);
  ev(16, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(has_seg(l, 1, TL_STATE_READY, 3, 4, 0));
  CHECK(has_seg(l, 1, TL_STATE_RUNNING, 4, 6, 0));
  CHECK(has_seg(l, 1, TL_STATE_BLOCKED, 6, 9, 9));
  CHECK(has_seg(l, 1, TL_STATE_READY, 9, 12, 0)); /* no idle sliver between */
  CHECK(has_seg(l, 1, TL_STATE_RUNNING, 12, 15, 0));
  CHECK(has_seg(l, 1, TL_STATE_DONE, 15, 16, 0));
  CHECK(l->lanes[1].nseg == 6);
  CHECK(has_seg(l, 0, TL_STATE_IDLE, 4, 5, 0));
  CHECK(l->narrows == 5); /* 1->2, 2->1, lock 1->2, 1->2, 2->1 (exit) */
  if (l->narrows == 5) {
    CHECK(l->arrows[2].kind == TL_ARROW_LOCK && l->arrows[2].from == 0 && l->arrows[2].to == 1);
    CHECK(l->arrows[4].kind == TL_ARROW_GIL && l->arrows[4].reason == TL_GIL_EXIT);
  }
  tl_layout_free(l);
}

/* Events appended out of time order are laid out in (t, seq) order. */
static void test_out_of_order(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(12, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);  /* appended before the release */
  ev(10, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(5, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(l->nlanes == 2);
  CHECK(has_seg(l, 0, TL_STATE_RUNNING, 0, 10, 0));
  CHECK(has_seg(l, 1, TL_STATE_READY, 5, 12, 0));
  CHECK(l->narrows == 1 && l->arrows[0].t0 == 10 && l->arrows[0].t1 == 12);
  CHECK(l->procs[0].ngil == 2);
  tl_layout_free(l);
}

/* Laying out in many batches gives what one pass gives. */
static void test_incremental(void) {
  tl_layout *inc = tl_layout_new(), *whole;
  int i;
  size_t k, j;
  fresh();
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  for (i = 0; i < 200; i++) {
    uint32_t a = 1 + (uint32_t)(i % 2), b = 2 - (uint32_t)(i % 2);
    ev((uint64_t)i * 10, a, TL_EV_GIL_ACQUIRE, 0, 0, 0);
    ev((uint64_t)i * 10 + 2, b, TL_EV_GIL_REQUEST, 0, a, 0);
    if (i % 7 == 0) ev((uint64_t)i * 10 + 3, a, TL_EV_PRINT, 0, 0, str("tick"));
    ev((uint64_t)i * 10 + 9, a, TL_EV_GIL_RELEASE, TL_GIL_FORCED, 0, 0);
    if (i % 13 == 0) CHECK(tl_layout_update(inc, tr) >= 0);
  }
  CHECK(tl_layout_update(inc, tr) >= 0);
  CHECK(tl_layout_update(inc, tr) == 0);
  whole = tl_layout_build(tr);
  CHECK(whole != NULL);
  if (!whole) return;
  CHECK(inc->nlanes == whole->nlanes && inc->narrows == whole->narrows &&
        inc->nmarkers == whole->nmarkers && inc->t_end == whole->t_end);
  CHECK(inc->narrows == 199);
  for (k = 0; k < whole->nlanes && k < inc->nlanes; k++) {
    CHECK(inc->lanes[k].nseg == whole->lanes[k].nseg);
    for (j = 0; j < whole->lanes[k].nseg && j < inc->lanes[k].nseg; j++)
      if (!same_seg(&inc->lanes[k].seg[j], &whole->lanes[k].seg[j])) break;
    CHECK(j == whole->lanes[k].nseg);
  }
  CHECK(inc->procs[0].ngil == whole->procs[0].ngil && whole->procs[0].ngil == 200);
  CHECK(well_ordered(whole));
  /* Searching a lane's segments for a window start. */
  {
    const tl_lane *ln = &whole->lanes[0];
    size_t s = tl_segment_search(ln->seg, ln->nseg, 995);
    CHECK(s < ln->nseg && ln->seg[s].t0 <= 995 && ln->seg[s].t1 > 995);
    CHECK(tl_segment_search(ln->seg, ln->nseg, whole->t_end) == ln->nseg);
    CHECK(tl_segment_search(ln->seg, ln->nseg, 0) == 0);
  }
  /* A cleared trace starts the layout over. */
  tl_trace_clear(tr);
  ev(0, 5, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  CHECK(tl_layout_update(inc, tr) == 1);
  CHECK(inc->nlanes == 1 && inc->lanes[0].tid == 5 && inc->narrows == 0);
  /* ... even when it refilled past the old count before we looked. */
  tl_trace_clear(tr);
  for (i = 0; i < 3; i++) ev((uint64_t)i, 6, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  CHECK(tl_layout_update(inc, tr) == 3);
  CHECK(inc->nlanes == 1 && inc->lanes[0].tid == 6);
  tl_layout_free(inc);
  tl_layout_free(whole);
}

/* Threads racing to append: times jitter backwards across batch edges. */
static void test_jitter(void) {
  tl_layout *inc = tl_layout_new(), *whole;
  unsigned seed = 12345, i;
  uint64_t t = 1000;
  fresh();
  for (i = 0; i < 3000; i++) {
    uint32_t tid = 1 + (seed >> 16) % 3;
    unsigned kind = (unsigned[]){TL_EV_GIL_REQUEST, TL_EV_GIL_ACQUIRE, TL_EV_GIL_RELEASE,
                                 TL_EV_SLEEP, TL_EV_SLEEP_END, TL_EV_LOCK_REQUEST,
                                 TL_EV_LOCK_ACQUIRE, TL_EV_LOCK_RELEASE}[(seed >> 8) % 8];
    seed = seed * 1103515245u + 12345u;
    t += (seed >> 16) % 50;
    ev(t - (seed >> 20) % 40, tid, kind, TL_GIL_FORCED, 3, 0); /* up to 40 ns early */
    if ((seed >> 4) % 17 == 0) CHECK(tl_layout_update(inc, tr) >= 0);
  }
  CHECK(tl_layout_update(inc, tr) >= 0);
  whole = tl_layout_build(tr);
  CHECK(whole && well_ordered(whole) && whole->lanes[0].nseg > 100 && whole->narrows > 100);
  CHECK(well_ordered(inc));
  CHECK(whole && inc->nlanes == whole->nlanes && inc->t_end == whole->t_end);
  tl_layout_free(inc);
  tl_layout_free(whole);
}

/* Processes group their lanes; a global marker has no lane; py2 flicker
 * (release and retake at the same instant) does not split a segment. */
static void test_processes(void) {
  tl_layout *l;
  fresh();
  evp(7, 0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  evp(9, 1, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  evp(7, 2, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  evp(9, 3, 2, TL_EV_GIL_REQUEST, 0, 1, 0);
  evp(7, 5, 1, TL_EV_GIL_RELEASE, TL_GIL_YIELD, 0, 0);
  evp(7, 5, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  evp(7, 6, 2, TL_EV_GIL_FAILED_WAKEUP, 0, 1, 0);
  evp(9, 8, 0, TL_EV_DEADLOCK, 0, 0, str("T1 waits for A held by T2"));
  evp(9, 9, 2, TL_EV_PRINT, 0, 0, str("<&\"中文\">"));
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(l->nprocs == 2 && l->nlanes == 4);
  CHECK(l->procs[0].pid == 7 && l->procs[1].pid == 9);
  CHECK(l->procs[0].lanes[1] == 2 && l->procs[1].lanes[0] == 1);
  CHECK(tl_layout_find_lane(l, 9, 2) == 3 && tl_layout_find_lane(l, 9, 5) == -1);
  CHECK(l->lanes[0].nseg == 1 && has_seg(l, 0, TL_STATE_RUNNING, 0, 9, 0));
  CHECK(l->procs[0].ngil == 1);
  CHECK(l->narrows == 0);
  CHECK(l->nmarkers == 3);
  if (l->nmarkers == 3) {
    CHECK(l->markers[0].kind == TL_EV_GIL_FAILED_WAKEUP && l->markers[0].lane == 2);
    CHECK(l->markers[1].kind == TL_EV_DEADLOCK && l->markers[1].lane == -1 &&
          l->markers[1].proc == 1);
    CHECK(strcmp(tl_layout_text(l, l->markers[2].text), "<&\"中文\">") == 0);
  }
  tl_layout_free(l);
}

/* No events, and a trace that filled up. */
static void test_edges(void) {
  tl_layout *l;
  int i;
  fresh();
  l = tl_layout_build(tr);
  CHECK(l && l->nlanes == 0 && l->narrows == 0 && l->t_end == 0);
  tl_layout_free(l);
  tl_trace_destroy(tr);
  tr = tl_trace_create(4, 64);
  tl_trace_set_mode(tr, TL_TRACE_STOP);
  for (i = 0; i < 6; i++) ev((uint64_t)i, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  l = tl_layout_build(tr);
  CHECK(l && l->nmarkers == 1 && l->markers[0].kind == TL_EV_TRACE_FULL);
  CHECK(l && l->lost == 2);
  tl_layout_free(l);
  /* A ring: the oldest make room, a DROPPED marker says how many, before
   * the first event still there; pinned names stay. */
  tl_trace_destroy(tr);
  tr = tl_trace_create(4, 64);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, 0);
  for (i = 1; i < 10; i++) ev((uint64_t)i * 10, 1, i % 2 ? TL_EV_GIL_ACQUIRE : TL_EV_GIL_RELEASE, 0, 0, 0);
  l = tl_layout_build(tr);
  CHECK(l && l->nlanes == 1 && l->dropped == 5);
  CHECK(l && l->nmarkers == 1 && l->markers[0].kind == TL_EV_DROPPED && l->markers[0].arg == 5 &&
        l->markers[0].t == 60);
  tl_layout_free(l);
  /* After the gap, a lane whose state came from before it is not drawn on
   * as if it were still so: MainThread made Thread-2 (pinned events) and
   * then did what was dropped. */
  tl_trace_destroy(tr);
  tr = tl_trace_create(4, 256);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  ev(1, 1, TL_EV_THREAD_NEW, 0, 2, str("Thread-2"));
  for (i = 1; i <= 10; i++) ev((uint64_t)i * 10, 2, i % 2 ? TL_EV_GIL_ACQUIRE : TL_EV_GIL_RELEASE, 0, 0, 0);
  l = tl_layout_build(tr);
  CHECK(l && l->nlanes == 2);
  if (l) {
    const tl_lane *m = &l->lanes[tl_layout_find_lane(l, P, 1)];
    CHECK(m->nseg == 0 || m->seg[m->nseg - 1].t1 <= 70); /* nothing after the gap */
    CHECK(!m->sm.open);
  }
  tl_layout_free(l);
}

/* A join that returns because the thread ended gets an exit -> join arrow,
 * from where the joined lane turns done; a timed-out join gets none. */
static void test_exit_to_join(void) {
  tl_layout *l;
  size_t i, exits = 0;
  fresh();
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  ev(1, 1, TL_EV_THREAD_NEW, 0, 2, str("worker"));
  ev(2, 2, TL_EV_THREAD_START, 0, 2, 0);
  ev(3, 1, TL_EV_JOIN, 0, 2, 0);
  ev(4, 1, TL_EV_JOIN_END, 1, 2, 0);   /* join(timeout) ran out */
  ev(5, 1, TL_EV_JOIN, 0, 2, 0);
  ev(10, 2, TL_EV_THREAD_END, 0, 2, 0);
  ev(12, 1, TL_EV_JOIN_END, 0, 2, 0);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  for (i = 0; l && i < l->narrows; i++)
    if (l->arrows[i].kind == TL_ARROW_EXIT) {
      exits++;
      CHECK(l->arrows[i].t0 == 10 && l->arrows[i].t1 == 12);
      CHECK(l->arrows[i].from == 1 && l->arrows[i].to == 0);
    }
  CHECK(exits == 1);
  tl_layout_free(l);
}

/* Level-of-detail summaries: built as events arrive (a second update adds
 * blocks, keeps the first ones), and a pixel over thousands of segments
 * takes the look of what fills most of its time, not of a sample. */
static void test_lod(void) {
  tl_layout *l;
  const tl_lane *ln;
  tl_lod first;
  size_t n0, k, wrong = 0;
  uint64_t t = 0;
  int i;
  if (tr) tl_trace_destroy(tr);
  tr = tl_trace_create(1 << 20, 1 << 16);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  /* running 90 ns, then 10 ns asleep (not holding the GIL), again and again */
  for (i = 0; i < 100000; i++, t += 100) {
    ev(t, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
    ev(t + 90, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
    ev(t + 90, 1, TL_EV_SLEEP, 0, 0, 10);
    ev(t + 100, 1, TL_EV_SLEEP_END, 0, 0, 0);
  }
  l = tl_layout_build(tr);
  CHECK(l && l->nlanes == 1);
  if (!l) return;
  ln = &l->lanes[0];
  CHECK(ln->nseg > 150000 && ln->lod.n[0] > 2000 && ln->lod.n[1] > 30);
  n0 = ln->lod.n[0];
  first = ln->lod.lv[0][0];
  CHECK(ln->seg[first.top].state == TL_STATE_RUNNING && first.top_ns > 0);
  /* every pixel-sized range, at every zoom, is running */
  for (k = 0; k + 3000 < ln->nseg; k += 997)
    if (ln->seg[tl_lod_pick(&ln->lod, ln->seg, k, k + 3000, 0)].state != TL_STATE_RUNNING) wrong++;
  for (k = 0; k + 300 < ln->nseg; k += 991)
    if (ln->seg[tl_lod_pick(&ln->lod, ln->seg, k, k + 300, 0)].state != TL_STATE_RUNNING) wrong++;
  CHECK(wrong == 0);
  CHECK(ln->seg[tl_lod_pick(&ln->lod, ln->seg, 0, ln->nseg, 0)].state == TL_STATE_RUNNING);
  /* the GIL row's summary is by holder */
  CHECK(l->procs[0].gillod.n[0] > 0);
  /* more events: more blocks, the old ones as they were */
  for (i = 0; i < 1000; i++, t += 100) {
    ev(t, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
    ev(t + 90, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  }
  CHECK(tl_layout_update(l, tr) == 2000);
  ln = &l->lanes[0];
  CHECK(ln->lod.n[0] > n0);
  CHECK(memcmp(&ln->lod.lv[0][0], &first, sizeof first) == 0);
  tl_layout_free(l);
  tl_trace_destroy(tr);
  tr = NULL;
  fresh();
}

/* A live layout that keeps up with a ring: what the ring lets go of, the
 * layout lets go of too (memory follows what the trace holds), and a
 * marker says so where what is left begins. */
static void test_trim_to_ring(void) {
  tl_layout *l;
  uint64_t t = 0;
  size_t k, drops = 0;
  int round, i;
  if (tr) tl_trace_destroy(tr);
  tr = tl_trace_create(1 << 17, 1 << 16);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  l = tl_layout_new();
  for (round = 0; round < 12; round++) {
    for (i = 0; i < 50000; i++, t += 100) {
      ev(t, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
      ev(t + 60, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
    }
    CHECK(tl_layout_update(l, tr) == (round ? 100000 : 100001));
  }
  CHECK(l->dropped == 0);                  /* the reader never fell behind */
  CHECK(l->nlanes == 1 && strcmp(l->lanes[0].name, "MainThread") == 0);
  CHECK(l->lanes[0].nseg < (1 << 17) * 2); /* not the 1.2 M segments seen */
  CHECK(l->t_begin > 0 && l->trimmed > 0);
  for (k = 0; k < l->nmarkers; k++)
    if (l->markers[k].kind == TL_EV_DROPPED && l->markers[k].arg > 0) drops++;
  CHECK(drops >= 1);
  tl_layout_free(l);
  tl_trace_destroy(tr);
  tr = NULL;
  fresh();
}

/* A generator's send as one event (TL_GREEN_ROUND: in at t, back after
 * arg >> 32 ns) lays out as the two switches it stands for: the same
 * segments on every lane and the same arrows, with another thread's events
 * between the two times and a round trip at the end of a batch. */
static tl_layout *green_run(int round) {
  uint64_t t = 10;
  int i;
  fresh();
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(1, 1, TL_EV_GREEN_NEW, TL_GREEN_GENERATOR, 7, str("acc"));
  for (i = 0; i < 3; i++, t += 10) {
    if (round) {
      ev(t, 1, TL_EV_GREEN_SWITCH, TL_GREEN_ROUND, 7, 0 | (uint64_t)4 << 32);
    } else {
      ev(t, 1, TL_EV_GREEN_SWITCH, 0, 7, 0);
      ev(t + 4, 1, TL_EV_GREEN_SWITCH, 0, 0, 7);
    }
    if (i == 1) ev(t + 2, 2, TL_EV_GIL_REQUEST, 0, 1, 0); /* during the round trip */
  }
  /* equal times: the switch back still comes after the switch in */
  if (round) {
    ev(t, 1, TL_EV_GREEN_SWITCH, TL_GREEN_ROUND, 7, 0);
  } else {
    ev(t, 1, TL_EV_GREEN_SWITCH, 0, 7, 0);
    ev(t, 1, TL_EV_GREEN_SWITCH, 0, 0, 7);
  }
  ev(t + 5, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  return tl_layout_build(tr);
}

static void test_green_round(void) {
  tl_layout *two = green_run(0), *one = green_run(1);
  size_t k, i;
  CHECK(two && one);
  if (!two || !one) goto out;
  CHECK(one->nlanes == two->nlanes && one->nlanes == 3);
  CHECK(one->narrows == two->narrows && one->narrows == 8);
  CHECK(one->consumed == two->consumed);
  for (k = 0; k < one->nlanes && k < two->nlanes; k++) {
    CHECK(one->lanes[k].nseg == two->lanes[k].nseg);
    for (i = 0; i < one->lanes[k].nseg && i < two->lanes[k].nseg; i++)
      CHECK(same_seg(&one->lanes[k].seg[i], &two->lanes[k].seg[i]));
  }
  for (k = 0; k < one->narrows && k < two->narrows; k++)
    CHECK(one->arrows[k].t0 == two->arrows[k].t0 && one->arrows[k].from == two->arrows[k].from &&
          one->arrows[k].to == two->arrows[k].to && one->arrows[k].kind == two->arrows[k].kind);
  k = (size_t)tl_layout_find_lane(one, P, 0x80000007u);
  CHECK(has_seg(one, (int)k, TL_STATE_RUNNING, 20, 24, 0));
  CHECK(has_seg(one, (int)k, TL_STATE_SUSPENDED, 24, 30, 0));
  CHECK(well_ordered(one));
out:
  tl_layout_free(two);
  tl_layout_free(one);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_trim_to_ring),
      TL_TEST(test_lod),
      TL_TEST(test_exit_to_join),
      TL_TEST(test_gil_handoff),
      TL_TEST(test_lock_handoff),
      TL_TEST(test_lock_wait_holders),
      TL_TEST(test_waits),
      TL_TEST(test_sim_order),
      TL_TEST(test_out_of_order),
      TL_TEST(test_green_round),
      TL_TEST(test_incremental),
      TL_TEST(test_jitter),
      TL_TEST(test_processes),
      TL_TEST(test_edges),
      {NULL, NULL}};
  int rc = tl_test_main(tests, argc, argv);
  tl_trace_destroy(tr);
  return rc;
}
