#include "tl_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tl__die(const char *what, int err) {
  fprintf(stderr, "threadlab: fatal: %s: %s\n", what, strerror(err));
  abort();
}

void tl_mutex_init(tl_mutex *m) {
  pthread_mutexattr_t a;
  int err;
  pthread_mutexattr_init(&a);
#ifndef NDEBUG
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
#endif
  if ((err = pthread_mutex_init(m, &a))) tl__die("pthread_mutex_init", err);
  pthread_mutexattr_destroy(&a);
}

void tl_mutex_destroy(tl_mutex *m) {
  int err = pthread_mutex_destroy(m);
  if (err) tl__die("pthread_mutex_destroy", err);
}

void tl_mutex_lock(tl_mutex *m) {
  int err = pthread_mutex_lock(m);
  if (err) tl__die("pthread_mutex_lock", err);
}

void tl_mutex_unlock(tl_mutex *m) {
  int err = pthread_mutex_unlock(m);
  if (err) tl__die("pthread_mutex_unlock", err);
}

void tl_cond_init(tl_cond *c) {
  pthread_condattr_t a;
  int err;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  if ((err = pthread_cond_init(c, &a))) tl__die("pthread_cond_init", err);
  pthread_condattr_destroy(&a);
}

void tl_cond_destroy(tl_cond *c) {
  int err = pthread_cond_destroy(c);
  if (err) tl__die("pthread_cond_destroy", err);
}

void tl_cond_wait(tl_cond *c, tl_mutex *m) {
  int err = pthread_cond_wait(c, m);
  if (err) tl__die("pthread_cond_wait", err);
}

int tl_cond_wait_until(tl_cond *c, tl_mutex *m, uint64_t deadline_ns) {
  struct timespec ts;
  int err;
  ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
  ts.tv_nsec = (long)(deadline_ns % 1000000000u);
  err = pthread_cond_timedwait(c, m, &ts);
  if (err && err != ETIMEDOUT) tl__die("pthread_cond_timedwait", err);
  return err;
}

void tl_cond_signal(tl_cond *c) {
  int err = pthread_cond_signal(c);
  if (err) tl__die("pthread_cond_signal", err);
}

void tl_cond_broadcast(tl_cond *c) {
  int err = pthread_cond_broadcast(c);
  if (err) tl__die("pthread_cond_broadcast", err);
}

static uint64_t tl__clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The monotonic clock is read for every trace event, two per generator
 * round trip, and clock_gettime costs 25-35 ns on a virtual machine (the
 * vDSO orders its TSC read with a fence). Where the kernel itself counts
 * time with the TSC (its clocksource is "tsc": invariant, synchronized
 * across CPUs), a bare rdtsc (10-15 ns) scaled to ns gives the same clock:
 * each thread anchors (tsc, CLOCK_MONOTONIC) pairs at most TL__ANCHOR_NS
 * apart and interpolates between them at the rate measured since the
 * process's first anchor, so it never strays from CLOCK_MONOTONIC by more
 * than that rate's error over one span (tens of ns), and a thread's
 * readings never go back. Elsewhere, clock_gettime. */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TL__TSC 1
#else
#define TL__TSC 0
#endif

#if TL__TSC
#include <stdatomic.h>

#define TL__ANCHOR_NS 1000000u /* a span between anchors */
#define TL__PAIR_TICKS 3000u   /* an anchor's two TSC reads this close (~1 us), or again */

static _Atomic int tl__tsc_state;              /* 0 not looked, 1 use it, 2 not */
static _Atomic uint64_t tl__base_tsc, tl__base_ns; /* the process's first anchor */
static pthread_mutex_t tl__base_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct {
  uint64_t tsc, ns, mult, span, last; /* mult: ns per tick << 32; span: ticks */
} tl__tc;

static int tl__tsc_usable(void) {
  int st = atomic_load_explicit(&tl__tsc_state, memory_order_relaxed);
  if (st == 0) {
    char buf[16] = "";
    FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (f) {
      if (!fgets(buf, sizeof buf, f)) buf[0] = '\0';
      fclose(f);
    }
    st = strcmp(buf, "tsc\n") == 0 ? 1 : 2;
    atomic_store_explicit(&tl__tsc_state, st, memory_order_relaxed);
  }
  return st == 1;
}

/* A new anchor for this thread: CLOCK_MONOTONIC now, and the rate. */
static uint64_t tl__tsc_anchor(void) {
  uint64_t c = 0, m = 0, c2, bt, bn;
  int tries;
  for (tries = 0; tries < 4; tries++) {
    c = __rdtsc();
    m = tl__clock(CLOCK_MONOTONIC);
    c2 = __rdtsc();
    if (c2 - c < TL__PAIR_TICKS) {
      c += (c2 - c) / 2;
      break;
    }
    c = 0; /* interrupted between the reads: not a pair */
  }
  if (!c) return m > tl__tc.last ? (tl__tc.last = m) : tl__tc.last;
  bt = atomic_load_explicit(&tl__base_tsc, memory_order_acquire);
  if (!bt) {
    /* the first anchor of the process: one thread sets both halves (two
     * threads each storing its own would pair one's tsc with the other's ns) */
    pthread_mutex_lock(&tl__base_mu);
    bt = atomic_load_explicit(&tl__base_tsc, memory_order_relaxed);
    if (!bt) {
      atomic_store_explicit(&tl__base_ns, m, memory_order_relaxed);
      atomic_store_explicit(&tl__base_tsc, bt = c, memory_order_release);
    }
    pthread_mutex_unlock(&tl__base_mu);
  }
  bn = atomic_load_explicit(&tl__base_ns, memory_order_relaxed);
  tl__tc.span = 0;
  if (c > bt && m > bn && m - bn >= TL__ANCHOR_NS) {
    tl__tc.mult = (uint64_t)(((unsigned __int128)(m - bn) << 32) / (c - bt));
    if (tl__tc.mult) tl__tc.span = ((uint64_t)TL__ANCHOR_NS << 32) / tl__tc.mult;
  }
  tl__tc.tsc = c;
  tl__tc.ns = m;
  return m > tl__tc.last ? (tl__tc.last = m) : tl__tc.last;
}

uint64_t tl_now_ns(void) {
  uint64_t d, v;
  if (!tl__tsc_usable()) return tl__clock(CLOCK_MONOTONIC);
  d = __rdtsc() - tl__tc.tsc;
  if (d >= tl__tc.span) return tl__tsc_anchor();
  v = tl__tc.ns + (d * tl__tc.mult >> 32);
  return v > tl__tc.last ? (tl__tc.last = v) : tl__tc.last;
}
#else
uint64_t tl_now_ns(void) { return tl__clock(CLOCK_MONOTONIC); }
#endif
uint64_t tl_wall_ns(void) { return tl__clock(CLOCK_REALTIME); }
