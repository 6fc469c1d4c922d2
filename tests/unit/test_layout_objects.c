/* The layout of objects and processes: when a GIL release is a handoff,
 * lock owners and the wait-for graph, deadlock cycles (found by the layout,
 * reported by the engine, both), condition/event/queue waits and their
 * wake-up arrows, fork and exit arrows, and the per-lane and per-kind
 * indexes the display walks. */
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "trace.h"

#include "check.h"

#define P 100
enum { LOCK_A = 50, LOCK_B = 51, COND = 60, EVENT = 61, QUEUE = 62 };

static tl_trace *tr;

static void ev(uint64_t t, uint32_t tid, unsigned kind, unsigned reason, uint32_t obj,
               uint64_t arg) {
  tl_trace_emit(tr, t, P, tid, (uint16_t)kind, (uint16_t)reason, obj, arg);
}

static uint64_t str(const char *s) { return tl_trace_str(tr, s, strlen(s)); }

static void fresh(void) {
  if (tr) tl_trace_destroy(tr);
  tr = tl_trace_create(4096, 1 << 16);
}

static size_t count_kind(const tl_layout *l, int kind) {
  size_t i, n = 0;
  for (i = 0; i < l->narrows; i++) n += l->arrows[i].kind == kind;
  return n;
}

/* A GIL that lay free while the taker slept is no handoff. */
static void test_handoff_rule(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(10, 2, TL_EV_SLEEP, 0, 0, 1000000);
  ev(100, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);    /* T1 goes to sleep too */
  ev(2000000, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);              /* T2 wakes much later */
  ev(2000100, 1, TL_EV_GIL_REQUEST, 0, 2, 0);              /* T1 waits for it ... */
  ev(2000200, 2, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(2000300, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);              /* ... and gets it: handoff */
  ev(2000400, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(2000450, 2, TL_EV_GIL_ACQUIRE, 0, 0, 0);              /* at once: a handoff too */
  l = tl_layout_build(tr);
  CHECK(l && l->narrows == 2);
  if (l && l->narrows == 2) {
    CHECK(l->arrows[0].from == 1 && l->arrows[0].to == 0 && l->arrows[0].t1 == 2000300);
    CHECK(l->arrows[1].from == 0 && l->arrows[1].to == 1 && l->arrows[1].t1 == 2000450);
    CHECK(l->narrows_of[TL_ARROW_GIL] == 2 && l->arrows_of[TL_ARROW_GIL][1] == 1);
  }
  tl_layout_free(l);
}

/* The notes' deadlock: T2 holds A and wants B, T3 holds B and wants A. */
static void deadlock_prefix(void) {
  ev(0, 1, TL_EV_LOCK_NEW, 1, LOCK_A, str("lockA"));
  ev(0, 1, TL_EV_LOCK_NEW, 1, LOCK_B, str("lockB"));
  ev(1, 2, TL_EV_LOCK_ACQUIRE, 0, LOCK_A, 0);
  ev(2, 3, TL_EV_LOCK_ACQUIRE, 0, LOCK_B, 0);
  ev(10, 2, TL_EV_LOCK_REQUEST, 0, LOCK_B, 3);
}

static int find_edge(const tl_wait_edge *e, size_t n, int waiter, uint32_t obj, int holder) {
  size_t i;
  for (i = 0; i < n; i++)
    if (e[i].waiter == waiter && e[i].obj == obj && e[i].holder == holder) return e[i].cycle;
  return -1;
}

static void test_cycle_found(void) {
  tl_layout *l;
  tl_wait_edge e[8];
  size_t n;
  fresh();
  deadlock_prefix();
  l = tl_layout_new();
  CHECK(tl_layout_update(l, tr) > 0 && l->ndeadlocks == 0);
  /* lanes: T1 0 (it named the locks), T2 1, T3 2 */
  CHECK(tl_layout_lock_owner(l, LOCK_A) == 1 && tl_layout_lock_owner(l, LOCK_B) == 2);
  n = tl_layout_wait_edges(l, -1, e, 8);
  CHECK(n == 1 && find_edge(e, n, 1, LOCK_B, 2) == 0); /* a wait, no cycle yet */
  ev(11, 3, TL_EV_LOCK_REQUEST, 0, LOCK_A, 2);
  CHECK(tl_layout_update(l, tr) == 1);
  CHECK(l->ndeadlocks == 1);
  if (l->ndeadlocks == 1) {
    const tl_deadlock *d = &l->deadlocks[0];
    CHECK(d->t == 11 && !d->reported && d->text == 0 && d->nedges == 2);
    CHECK(find_edge(d->edges, d->nedges, 1, LOCK_B, 2) == 1);
    CHECK(find_edge(d->edges, d->nedges, 2, LOCK_A, 1) == 1);
  }
  n = tl_layout_wait_edges(l, -1, e, 8);
  CHECK(n == 2 && e[0].cycle && e[1].cycle);
  CHECK(strcmp(tl_layout_obj_type(l, LOCK_A), "Lock") == 0);
  /* The engine says so too: the same record, now with its words. */
  ev(12, 1, TL_EV_DEADLOCK, 0, 0, str("deadlock: T2 and T3 wait for each other"));
  ev(12, 2, TL_EV_DEADLOCK, 1, LOCK_B, 0);
  ev(12, 3, TL_EV_DEADLOCK, 1, LOCK_A, 0);
  CHECK(tl_layout_update(l, tr) == 3);
  CHECK(l->ndeadlocks == 1);
  if (l->ndeadlocks == 1) {
    CHECK(l->deadlocks[0].reported && l->deadlocks[0].nedges == 2);
    CHECK(strcmp(tl_layout_text(l, l->deadlocks[0].text), "deadlock: T2 and T3 wait for each other") == 0);
  }
  CHECK(l->nglobals == 1 && l->markers[l->globals[0]].kind == TL_EV_DEADLOCK);
  tl_layout_free(l);
}

/* The engine reports before the closing request is seen: one record. */
static void test_reported_first(void) {
  tl_layout *l;
  fresh();
  deadlock_prefix();
  ev(11, 1, TL_EV_DEADLOCK, 0, 0, str("deadlock"));
  ev(11, 2, TL_EV_DEADLOCK, 1, LOCK_B, 0);
  ev(11, 3, TL_EV_DEADLOCK, 1, LOCK_A, 0);
  ev(12, 3, TL_EV_LOCK_REQUEST, 0, LOCK_A, 2);
  l = tl_layout_build(tr);
  CHECK(l && l->ndeadlocks == 1);
  if (l && l->ndeadlocks == 1) {
    CHECK(l->deadlocks[0].reported && l->deadlocks[0].nedges == 2);
    CHECK(find_edge(l->deadlocks[0].edges, 2, 2, LOCK_A, 1) == 1);
  }
  tl_layout_free(l);
}

/* Events seen out of order made a cycle that was not: when a thread in it
 * gets its lock, the layout forgets it. A reported one stays. */
static void test_transient_cycle(void) {
  tl_layout *l;
  fresh();
  deadlock_prefix();
  ev(11, 3, TL_EV_LOCK_REQUEST, 0, LOCK_A, 2);
  ev(12, 2, TL_EV_LOCK_RELEASE, 0, LOCK_A, 0);
  ev(13, 3, TL_EV_LOCK_ACQUIRE, 0, LOCK_A, 2);
  l = tl_layout_build(tr);
  CHECK(l && l->ndeadlocks == 0);
  CHECK(l && tl_layout_lock_owner(l, LOCK_A) == 2);
  tl_layout_free(l);
  /* Broken by a timeout: it was real, it stays. */
  fresh();
  deadlock_prefix();
  ev(11, 3, TL_EV_LOCK_REQUEST, 0, LOCK_A, 2);
  ev(20, 3, TL_EV_LOCK_TIMEOUT, 0, LOCK_A, 0);
  l = tl_layout_build(tr);
  CHECK(l && l->ndeadlocks == 1);
  tl_layout_free(l);
}

/* A join closes a cycle too: main joins T2, which waits for main's lock. */
static void test_join_cycle(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_LOCK_ACQUIRE, 0, LOCK_A, 0);
  ev(1, 2, TL_EV_THREAD_START, 0, 2, 0);
  ev(2, 2, TL_EV_LOCK_REQUEST, 0, LOCK_A, 1);
  ev(3, 1, TL_EV_JOIN, 0, 2, 0);
  l = tl_layout_build(tr);
  CHECK(l && l->ndeadlocks == 1);
  if (l && l->ndeadlocks == 1) {
    const tl_deadlock *d = &l->deadlocks[0];
    size_t i;
    int joins = 0;
    for (i = 0; i < d->nedges; i++) joins += d->edges[i].join && d->edges[i].cycle;
    CHECK(d->nedges == 2 && joins == 1);
  }
  tl_layout_free(l);
}

/* Condition notify -> wake, event set -> wake, put -> get; the waits. */
static void test_wakeups(void) {
  tl_layout *l;
  fresh();
  ev(0, 1, TL_EV_LOCK_NEW, 3, COND, str("cv"));
  ev(0, 1, TL_EV_LOCK_NEW, 6, EVENT, str("go"));
  ev(0, 1, TL_EV_LOCK_NEW, 8, QUEUE, str("q"));
  ev(10, 2, TL_EV_COND_WAIT, 0, COND, 0);
  ev(20, 1, TL_EV_COND_NOTIFY, 0, COND, 1);
  ev(25, 2, TL_EV_COND_WAKE, 0, COND, 1);
  ev(30, 3, TL_EV_EVENT_WAIT, 0, EVENT, 0);
  ev(40, 1, TL_EV_EVENT_SET, 0, EVENT, 1);
  ev(42, 3, TL_EV_EVENT_WAKE, 0, EVENT, 1);
  ev(50, 2, TL_EV_QUEUE_BLOCK, 0, QUEUE, 0);
  ev(60, 1, TL_EV_QUEUE_PUT, 0, QUEUE, 1 | (uint64_t)7 << 32);
  ev(61, 2, TL_EV_QUEUE_GET, 0, QUEUE, 1 | (uint64_t)7 << 32);
  ev(70, 3, TL_EV_COND_WAIT, 0, COND, 0);
  ev(80, 3, TL_EV_COND_WAKE, 1, COND, 0); /* timed out: no arrow */
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(count_kind(l, TL_ARROW_NOTIFY) == 1 && count_kind(l, TL_ARROW_SET) == 1 &&
        count_kind(l, TL_ARROW_PUT) == 1 && l->narrows == 3);
  CHECK(l->arrows[0].kind == TL_ARROW_NOTIFY && l->arrows[0].t0 == 20 && l->arrows[0].t1 == 25 &&
        l->arrows[0].from == 0 && l->arrows[0].to == 1);
  CHECK(l->arrows[2].kind == TL_ARROW_PUT && l->arrows[2].t0 == 60 && l->arrows[2].t1 == 61);
  CHECK(strcmp(tl_layout_obj_type(l, COND), "Condition") == 0 &&
        strcmp(tl_layout_obj_type(l, EVENT), "Event") == 0 &&
        strcmp(tl_layout_obj_type(l, QUEUE), "Queue") == 0);
  {
    const tl_lane *t2 = &l->lanes[1], *t3 = &l->lanes[2];
    size_t i;
    int waited = 0, queued = 0, evented = 0;
    for (i = 0; i < t2->nseg; i++) {
      waited |= t2->seg[i].state == TL_STATE_WAITING && t2->seg[i].obj == COND &&
                t2->seg[i].t0 == 10 && t2->seg[i].t1 == 25;
      queued |= t2->seg[i].state == TL_STATE_WAITING && t2->seg[i].obj == QUEUE &&
                t2->seg[i].t0 == 50 && t2->seg[i].t1 == 61;
    }
    for (i = 0; i < t3->nseg; i++)
      evented |= t3->seg[i].state == TL_STATE_EVENT && t3->seg[i].t0 == 30 && t3->seg[i].t1 == 42;
    CHECK(waited && queued && evented);
  }
  CHECK(l->state_kinds & 1u << TL_STATE_WAITING && l->state_kinds & 1u << TL_STATE_EVENT);
  tl_layout_free(l);
}

/* fork -> the child's first thread; the child's exit -> the parent's wait. */
static void test_fork_exit(void) {
  tl_layout *l;
  fresh();
  tl_trace_emit(tr, 0, 7, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  tl_trace_emit(tr, 10, 7, 1, TL_EV_FORK, 0, 9, 0);
  tl_trace_emit(tr, 12, 9, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  tl_trace_emit(tr, 20, 9, 1, TL_EV_PRINT, 0, 0, str("child"));
  tl_trace_emit(tr, 30, 9, 1, TL_EV_EXIT, 0, 0, 0);
  tl_trace_emit(tr, 35, 7, 1, TL_EV_REAP, 0, 9, 0);
  tl_trace_emit(tr, 40, 7, 1, TL_EV_MARK, 0, 0, str("reaped"));
  l = tl_layout_build(tr);
  CHECK(l && l->nprocs == 2 && l->nlanes == 2);
  if (!l || l->nlanes != 2) return;
  CHECK(count_kind(l, TL_ARROW_FORK) == 1 && count_kind(l, TL_ARROW_EXIT) == 1);
  CHECK(l->arrows[0].kind == TL_ARROW_FORK && l->arrows[0].from == 0 && l->arrows[0].to == 1 &&
        l->arrows[0].t0 == 10 && l->arrows[0].t1 == 12 && l->arrows[0].obj == 9);
  CHECK(l->procs[1].exited && l->lanes[1].seg[l->lanes[1].nseg - 1].state == TL_STATE_DONE);
  /* per-lane markers, in order */
  CHECK(l->lanes[1].nmarks == 1 && l->markers[l->lanes[1].marks[0]].kind == TL_EV_PRINT);
  CHECK(l->lanes[0].nmarks == 1 && l->markers[l->lanes[0].marks[0]].kind == TL_EV_MARK);
  CHECK(l->marker_kinds & (uint64_t)1 << TL_EV_PRINT);
  tl_layout_free(l);
}

/* I/O: a lane waits for I/O between IO_WAIT and IO_READY (naming the
 * descriptors); the write on the channel during the wait is an arrow from
 * the writer; only a select/poll/epoll return (0x8000) is a marker. */
static void test_io(void) {
  tl_layout *l;
  uint64_t what;
  fresh();
  what = str("fd 5 (pipe read end)");
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(5, 2, TL_EV_IO_WRITE, 0, 77, 3);       /* before the wait: no arrow from it */
  ev(10, 1, TL_EV_IO_WAIT, 0, 77, what);
  ev(20, 2, TL_EV_IO_WRITE, 0, 77, 5);
  ev(25, 1, TL_EV_IO_READY, 1, 77, str("fd 5 (pipe read end)"));
  ev(30, 1, TL_EV_IO_WAIT, 1, 0, what);     /* a select */
  ev(40, 3, TL_EV_IO_WRITE, 0, 78, 1);
  ev(45, 1, TL_EV_IO_READY, 0x8000 | 1, 78, str("fd 9"));
  ev(50, 1, TL_EV_IO_WAIT, 1, 0, what);
  ev(60, 1, TL_EV_IO_READY, 0x8000, 0, str("")); /* timed out: no arrow */
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  CHECK(count_kind(l, TL_ARROW_IO) == 2);
  CHECK(l->narrows_of[TL_ARROW_IO] == 2);
  if (l->narrows_of[TL_ARROW_IO] == 2) {
    const tl_arrow *a = &l->arrows[l->arrows_of[TL_ARROW_IO][0]];
    const tl_arrow *b = &l->arrows[l->arrows_of[TL_ARROW_IO][1]];
    CHECK(a->t0 == 20 && a->t1 == 25 && a->from == tl_layout_find_lane(l, P, 2) &&
          a->to == tl_layout_find_lane(l, P, 1));
    CHECK(b->t0 == 40 && b->t1 == 45 && b->from == tl_layout_find_lane(l, P, 3));
  }
  {
    const tl_lane *t1 = &l->lanes[tl_layout_find_lane(l, P, 1)];
    size_t i;
    int io = 0, marks = 0;
    for (i = 0; i < t1->nseg; i++)
      io += t1->seg[i].state == TL_STATE_IO && t1->seg[i].obj == (uint32_t)what;
    for (i = 0; i < t1->nmarks; i++) marks += l->markers[t1->marks[i]].kind == TL_EV_IO_READY;
    CHECK(io == 3);
    CHECK(marks == 1); /* the timed-out select has nothing to show */
    CHECK(strcmp(tl_layout_text(l, t1->seg[1].obj), "fd 5 (pipe read end)") == 0);
  }
  CHECK(l->state_kinds & 1u << TL_STATE_IO);
  CHECK(strcmp(tl_state_name(TL_STATE_IO), "io-wait") == 0);
  tl_layout_free(l);
}

/* Two waits on one descriptor back to back (ready, read, wait again in the
 * same instant, as on the virtual clock) are two segments: each wake-up is
 * drawn, though the two name the same descriptor with the same text. */
static void test_io_back_to_back(void) {
  tl_layout *l;
  uint64_t what;
  fresh();
  what = str("fd 5 (pipe read end)");
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(10, 1, TL_EV_IO_WAIT, 0, 77, what);
  ev(20, 1, TL_EV_IO_READY, 1, 77, what);
  ev(20, 1, TL_EV_IO_READ, 0, 77, 1);
  ev(20, 1, TL_EV_IO_WAIT, 0, 77, what);
  ev(30, 1, TL_EV_IO_READY, 1, 77, what);
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  {
    const tl_lane *t1 = &l->lanes[tl_layout_find_lane(l, P, 1)];
    size_t i;
    int io = 0;
    for (i = 0; i < t1->nseg; i++) io += t1->seg[i].state == TL_STATE_IO;
    CHECK_EQ(io, 2);
  }
  tl_layout_free(l);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_handoff_rule),
      TL_TEST(test_cycle_found),
      TL_TEST(test_reported_first),
      TL_TEST(test_transient_cycle),
      TL_TEST(test_join_cycle),
      TL_TEST(test_wakeups),
      TL_TEST(test_fork_exit),
      TL_TEST(test_io),
      TL_TEST(test_io_back_to_back),
      {NULL, NULL}};
  int rc = tl_test_main(tests, argc, argv);
  tl_trace_destroy(tr);
  return rc;
}
