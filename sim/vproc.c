/* The virtual clock across processes: one scheduler for every process of
 * the run.
 *
 * Each process keeps its own virtual clock and its own scheduler of
 * threads (vclock.c); this file decides which process may run. Exactly one
 * process runs at a time: it holds the token. The others wait, each on
 * a futex of its own, in a mapping every process of the run shares (made
 * before the first fork). Each process says when it can next do something: now
 * (ready, at its own clock) or at its next timer (waiting), or never
 * (idle, the REPL at its prompt); the token goes to the process that can
 * go earliest, ties broken by the run's seeded generator. A process that
 * has run a quantum past another that is ready hands the token over, so
 * processes interleave as on one CPU, and their instructions cost more
 * when more are ready than there are virtual cores: on --cores K, K
 * processes compute side by side in virtual time. As only one process
 * runs at a time and every choice comes from the seed, a run with
 * processes replays byte for byte, as one with threads does. */
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TL__VP_SLOTS 4096
#define TL__VP_QUANTUM 1000000ull /* 1 ms: how far a process runs past a ready one */
#define TL__VP_NONE UINT64_MAX

enum { TL__VP_FREE, TL__VP_RUN, TL__VP_READY, TL__VP_WAIT, TL__VP_IDLE, TL__VP_ENDED };

typedef struct {
  _Atomic uint32_t wake; /* a futex: bumped when the token is granted to it */
  int32_t pid;   /* -1: reserved by a fork under way */
  int state;
  int poked;     /* a child of it ended: its waits look again */
  int stuck;     /* waiting: only looks for what another process may do */
  uint64_t at;   /* READY: its clock; WAIT: its next timer */
} tl__vp_slot;

/* A robust mutex (a process killed inside it does not block the others)
 * and a futex per slot instead of a shared condvar: glibc's condvar can
 * block every later signaller when a waiting process is killed. */
typedef struct {
  pthread_mutex_t mu;
  int running;   /* the slot holding the token, -1: none */
  int hi;        /* slots in use are below */
  _Atomic int nproc;
  uint64_t rng;
  uint64_t stuck_since; /* every process stuck since then (0: not so) */
  int hang_gen;         /* bumped when every process stayed stuck: a hang */
  tl__vp_slot s[TL__VP_SLOTS];
} tl__vp;

static tl__vp *tl__P;
static int tl__P_fd = -1;
static int tl__vp_me = -1;  /* this process's slot */
static int tl__vp_hang_seen; /* the last hang this process has been told of */
static _Atomic int tl__vp_have; /* this process holds the token */

static uint64_t tl__vp_rand(uint64_t n) {
  uint64_t z = (tl__P->rng += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return n ? z % n : z;
}

static void tl__vp_lock(void) {
  int e = pthread_mutex_lock(&tl__P->mu);
  if (e == EOWNERDEAD) pthread_mutex_consistent(&tl__P->mu); /* its holder was killed */
  else if (e) abort();
}

static void tl__vp_unlock(void) { pthread_mutex_unlock(&tl__P->mu); }

int tl_vp_init(void) {
  if (tl__P) return 0;
  /* a spawned threadlab (exec'd, not forked) maps it too */
  if (!(tl__P = tl_shared_map("threadlab-sched", sizeof *tl__P, &tl__P_fd))) return -1;
  tl_shared_mutex_init(&tl__P->mu);
  tl__P->s[0].pid = (int32_t)getpid();
  tl__P->s[0].state = TL__VP_RUN;
  tl__P->hi = 1;
  atomic_store(&tl__P->nproc, 1);
  tl__P->running = 0;
  tl__vp_me = 0;
  tl__vp_have = 1;
  return 0;
}

int tl_vp_fd(void) { return tl__P_fd; }

/* A spawned threadlab joins the scheduler of its parent's run (its slot
 * comes with its first turn: tl_vp_child). */
int tl_vp_attach(int fd) {
  tl__P = mmap(NULL, sizeof *tl__P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (tl__P == MAP_FAILED) {
    tl__P = NULL;
    return -1;
  }
  tl__P_fd = fd;
  return 0;
}

/* Whether the scheduler across processes is at work here: the virtual
 * clock, with another process of the run alive. */
int tl_vp_on(void) {
  return tl__P && tl__vp_me >= 0 && TL_VIRTUAL() && atomic_load(&tl__P->nproc) > 1;
}

/* The time from which slot i can go on, or TL__VP_NONE. */
static uint64_t tl__vp_start(int i) {
  int st = tl__P->s[i].state;
  return st == TL__VP_READY || st == TL__VP_WAIT ? tl__P->s[i].at : TL__VP_NONE;
}

/* The earliest time another process can go from (lock held). */
static uint64_t tl__vp_earliest_other(void) {
  uint64_t other = TL__VP_NONE;
  for (int i = 0; i < tl__P->hi; i++)
    if (i != tl__vp_me && tl__vp_start(i) < other) other = tl__vp_start(i);
  return other;
}

/* A hang across processes (lock held, this process just said it waits):
 * every live process waits, and only looks now and then (every virtual
 * millisecond) for what another may send or do. Once each has looked
 * again after all became so (2 ms on), nothing can ever come: a hang,
 * which each is told of at its next turn. */
static void tl__vp_check_hang(void) {
  uint64_t first = TL__VP_NONE;
  for (int i = 0; i < tl__P->hi; i++) {
    int st = tl__P->s[i].state;
    if (st == TL__VP_FREE || st == TL__VP_ENDED) continue;
    if (st != TL__VP_WAIT || !tl__P->s[i].stuck) {
      tl__P->stuck_since = 0;
      return;
    }
    if (tl__P->s[i].at < first) first = tl__P->s[i].at;
  }
  if (first == TL__VP_NONE) return;
  if (!tl__P->stuck_since) {
    tl__P->stuck_since = first;
  } else if (first >= tl__P->stuck_since + 2000000u) {
    tl__P->stuck_since = 0;
    tl__P->hang_gen++;
  }
}

/* A look found what it waited for (a message, data, a child's end): the
 * run is not stuck. */
void tl_vp_progress(void) {
  if (!tl_vp_on()) return;
  tl__vp_lock();
  tl__P->stuck_since = 0;
  tl__vp_unlock();
}

/* The process that can go earliest (lock held), but not `except`. */
static int tl__vp_pick(int except) {
  uint64_t best = TL__VP_NONE;
  int n = 0, k;
  for (int i = 0; i < tl__P->hi; i++) {
    uint64_t a = i == except ? TL__VP_NONE : tl__vp_start(i);
    if (a < best) best = a, n = 1;
    else if (a == best && a != TL__VP_NONE) n++;
  }
  if (!n) return -1;
  k = (int)tl__vp_rand((uint64_t)n);
  for (int i = 0; i < tl__P->hi; i++)
    if (i != except && tl__vp_start(i) == best && k-- == 0) return i;
  return -1;
}

static void tl__vp_grant(int i) {
  tl__P->running = i;
  if (i < 0) return;
  tl__P->s[i].state = TL__VP_RUN;
  atomic_fetch_add(&tl__P->s[i].wake, 1);
  syscall(SYS_futex, &tl__P->s[i].wake, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static void tl__vp_free(int i) {
  tl__P->s[i].pid = 0;
  tl__P->s[i].state = TL__VP_FREE;
  atomic_fetch_sub(&tl__P->nproc, 1);
  while (tl__P->hi > 1 && tl__P->s[tl__P->hi - 1].state == TL__VP_FREE) tl__P->hi--;
}

/* Whether the process in slot i is gone (killed, or a zombie now). */
static int tl__vp_gone(int i) {
  int32_t pid = tl__P->s[i].pid;
  char st;
  if (pid <= 0) return 0;
  st = tl_proc_state(pid);
  return st == 0 || st == 'Z' || st == 'X';
}

/* Waits for the token (lock held; the world mutex, held by the caller, is
 * let go meanwhile and taken again after the lock is let go, never while
 * it is held). A holder that died without handing it on (a kill) is
 * found within 20 ms and passed over. */
static void tl__vp_await(void) {
  tl_mutex_unlock(&tl_W->mu);
  while (tl__P->running != tl__vp_me) {
    struct timespec ts = {0, 20000000};
    int r = tl__P->running;
    uint32_t seen = atomic_load(&tl__P->s[tl__vp_me].wake);
    long e;
    if (r < 0) {
      tl__vp_grant(tl__vp_pick(-1)); /* nobody decides: this process does */
      continue;
    }
    tl__vp_unlock();
    e = syscall(SYS_futex, &tl__P->s[tl__vp_me].wake, FUTEX_WAIT, seen, &ts, NULL, 0);
    tl__vp_lock();
    if (e != 0 && errno == ETIMEDOUT && tl__P->running == r && r != tl__vp_me && tl__vp_gone(r)) {
      tl__vp_free(r);
      tl__vp_grant(tl__vp_pick(-1));
    }
  }
  tl__vp_have = 1;
  tl__vp_unlock();
  tl_mutex_lock(&tl_W->mu);
}

/* This process can go on from `at` (ready: its clock; waiting: its next
 * timer). Hands the token to the process that can go earliest and waits
 * until it comes back (world mutex held, let go meanwhile). Returns 1 if
 * it waited (the caller looks at its world again), 2 if besides a child
 * of it ended (its clock is then at the child's end, and its waits for
 * children look again now), 3 if every process of the run is stuck (its
 * looking waits are hangs), 0 if it goes on at once. stuck: it waits only
 * looking for what another process may do (see tl__vp_check_hang). */
int tl_vp_turn(int ready, uint64_t at, int stuck) {
  int waited = 0;
  if (!tl_vp_on()) return 0;
  tl__vp_lock();
  tl__P->s[tl__vp_me].state = ready ? TL__VP_READY : TL__VP_WAIT;
  tl__P->s[tl__vp_me].at = at;
  tl__P->s[tl__vp_me].stuck = !ready && stuck;
  if (!ready) tl__vp_check_hang();
  if (tl__vp_have) {
    uint64_t other = tl__vp_earliest_other();
    /* a ready process keeps the token within a quantum of the others (it
     * would hand it over at its next tick anyway); a waiting one while no
     * other can go before its timer */
    if (other == TL__VP_NONE || (ready ? other + TL__VP_QUANTUM >= at : other >= at)) {
      tl__P->s[tl__vp_me].state = TL__VP_RUN;
      goto told;
    }
    tl__vp_have = 0;
    tl__vp_grant(tl__vp_pick(tl__vp_me));
  } else if (tl__P->running < 0) {
    tl__vp_grant(tl__vp_pick(-1));
  }
  if (tl__P->running != tl__vp_me) {
    waited = 1;
    tl__vp_await(); /* (the lock is let go there, and taken again) */
    tl__vp_lock();
  } else {
    tl__vp_have = 1;
  }
  /* (a process given the token for its timer moves its clock there itself,
   * once the wall clock has caught up at the run's pace) */
  if (waited && tl__P->s[tl__vp_me].poked) {
    tl__P->s[tl__vp_me].poked = 0;
    if (atomic_load(&tl_W->v.now) < tl__P->s[tl__vp_me].at)
      atomic_store(&tl_W->v.now, tl__P->s[tl__vp_me].at); /* the child's end */
    waited = 2;
  }
told:
  if (tl__vp_hang_seen != tl__P->hang_gen) {
    tl__vp_hang_seen = tl__P->hang_gen;
    waited = 3;
  }
  tl__vp_unlock();
  return waited;
}

/* Whether another process can go before t (one the REPL's user gave
 * work while this one waits for the wall clock to catch up with t). */
int tl_vp_someone_before(uint64_t t) {
  uint64_t other;
  if (!tl_vp_on()) return 0;
  tl__vp_lock();
  other = tl__vp_earliest_other();
  tl__vp_unlock();
  return other < t;
}

/* Nothing of this process can run until something outside it (the REPL's
 * user) brings it work: the token goes on to the others. */
void tl_vp_idle(void) {
  if (!tl_vp_on() || !tl__vp_have) return;
  tl__vp_lock();
  tl__P->s[tl__vp_me].state = TL__VP_IDLE;
  tl__vp_have = 0;
  tl__vp_grant(tl__vp_pick(-1));
  tl__vp_unlock();
}

/* At each accounting tick of the running thread (world mutex held): a
 * process that has run a quantum past the time another can go from lets
 * it go. */
void tl_vp_tick(uint64_t now) {
  uint64_t other;
  if (!tl_vp_on() || !tl__vp_have) return;
  tl__vp_lock();
  other = tl__vp_earliest_other();
  if (other != TL__VP_NONE && other + TL__VP_QUANTUM < now) {
    tl__P->s[tl__vp_me].state = TL__VP_READY;
    tl__P->s[tl__vp_me].at = now;
    tl__vp_have = 0;
    tl__vp_grant(tl__vp_pick(-1));
    tl__vp_await();
  } else {
    tl__vp_unlock();
  }
}

/* A switch point between processes (an access to shared memory): now and
 * then, as the seed says, another ready process runs first. */
void tl_vp_switch_point(void) {
  int n = 0, k;
  if (!tl_vp_on() || !tl__vp_have) return;
  tl__vp_lock();
  for (int i = 0; i < tl__P->hi; i++)
    if (i != tl__vp_me && tl__P->s[i].state == TL__VP_READY) n++;
  if (!n || tl__vp_rand(16) != 0) {
    tl__vp_unlock();
    return;
  }
  k = (int)tl__vp_rand((uint64_t)n);
  for (int i = 0; i < tl__P->hi; i++) {
    if (i == tl__vp_me || tl__P->s[i].state != TL__VP_READY || k-- != 0) continue;
    tl__P->s[tl__vp_me].state = TL__VP_READY;
    tl__P->s[tl__vp_me].at = atomic_load(&tl_W->v.now);
    tl__vp_have = 0;
    tl__vp_grant(i);
    tl__vp_await();
    return;
  }
  tl__vp_unlock();
}

/* How many processes compute now (ready or running): on fewer virtual
 * cores than that, each goes slower. */
int tl_vp_computing(void) {
  int n = 0;
  if (!tl_vp_on()) return 1;
  tl__vp_lock();
  for (int i = 0; i < tl__P->hi; i++)
    n += tl__P->s[i].state == TL__VP_RUN || tl__P->s[i].state == TL__VP_READY;
  tl__vp_unlock();
  return n ? n : 1;
}

/* ---- births and deaths --------------------------------------------------- */

/* Before a fork: a slot for the child, ready from the parent's clock, so
 * it is in the run before either side goes on. -1 when there is none. */
int tl_vp_reserve(void) {
  int i;
  if (!tl__P || tl__vp_me < 0) return -1;
  tl__vp_lock();
  for (i = 0; i < TL__VP_SLOTS && tl__P->s[i].state != TL__VP_FREE; i++) {}
  if (i < TL__VP_SLOTS) {
    /* the first child: the choices between processes start from the seed */
    if (atomic_load(&tl__P->nproc) == 1) tl__P->rng = tl_W->cfg.seed * 0x9e3779b97f4a7c15u + 0x5bd1e995u;
    tl__P->s[i].pid = -1;
    tl__P->s[i].state = TL__VP_READY;
    tl__P->s[i].at = atomic_load(&tl_W->v.now);
    if (i >= tl__P->hi) tl__P->hi = i + 1;
    atomic_fetch_add(&tl__P->nproc, 1);
  } else {
    i = -1;
  }
  tl__vp_unlock();
  return i;
}

/* After the fork, in the parent: the child's pid, or the fork failed. */
void tl_vp_forked(int slot, int32_t pid) {
  if (slot < 0) return;
  tl__vp_lock();
  if (pid > 0) tl__P->s[slot].pid = pid;
  else tl__vp_free(slot);
  tl__vp_unlock();
}

/* In the child: it takes its slot and waits for its first turn (the
 * world mutex held). */
void tl_vp_child(int slot) {
  tl__vp_me = slot;
  tl__vp_have = 0;
  if (slot < 0 || !tl__P) return;
  tl__vp_lock();
  tl__P->s[slot].pid = (int32_t)getpid();
  if (!TL_VIRTUAL()) {
    tl__vp_unlock();
    return;
  }
  tl__vp_await();
  if (atomic_load(&tl_W->v.now) < tl__P->s[slot].at) atomic_store(&tl_W->v.now, tl__P->s[slot].at);
}

/* This process ends: it says so (a parent's wait may now reap it without
 * waiting on the kernel), has its parent look at once if it waits, and
 * hands the token on. */
void tl_vp_exit(void) {
  int32_t parent = (int32_t)getppid();
  uint64_t now = tl_W ? atomic_load(&tl_W->v.now) : 0;
  if (!tl__P || tl__vp_me < 0) return;
  tl__vp_lock();
  tl__P->s[tl__vp_me].state = TL__VP_ENDED;
  for (int i = 0; i < tl__P->hi; i++)
    if (tl__P->s[i].pid == parent && tl__P->s[i].state == TL__VP_WAIT && tl__P->s[i].at > now) {
      tl__P->s[i].at = now;
      tl__P->s[i].poked = 1;
    }
  if (tl__vp_have || tl__P->running == tl__vp_me) tl__vp_grant(tl__vp_pick(-1));
  tl__vp_have = 0;
  tl__vp_unlock();
}

/* Whether process pid (a child) has ended, by the scheduler's book: -1
 * when the scheduler does not know it. */
int tl_vp_ended(int32_t pid) {
  int r = -1;
  if (!tl__P) return -1;
  tl__vp_lock();
  for (int i = 0; i < tl__P->hi; i++)
    if (tl__P->s[i].pid == pid && tl__P->s[i].state != TL__VP_FREE)
      r = tl__P->s[i].state == TL__VP_ENDED;
  tl__vp_unlock();
  return r;
}

/* pid was killed, and is dead now: it has ended. */
void tl_vp_mark_ended(int32_t pid) {
  if (!tl__P || pid <= 0) return;
  tl__vp_lock();
  for (int i = 0; i < tl__P->hi; i++)
    if (tl__P->s[i].pid == pid && tl__P->s[i].state != TL__VP_FREE && i != tl__vp_me) {
      if (tl__P->running == i) tl__vp_grant(-1);
      tl__P->s[i].state = TL__VP_ENDED;
    }
  tl__vp_unlock();
}

/* pid was reaped, or killed while it waited for its turn (it never runs
 * again): its slot is free. */
void tl_vp_forget(int32_t pid) {
  if (!tl__P || pid <= 0) return;
  tl__vp_lock();
  for (int i = 0; i < tl__P->hi; i++) {
    if (tl__P->s[i].pid != pid || tl__P->s[i].state == TL__VP_FREE || i == tl__vp_me) continue;
    if (tl__P->running == i) tl__vp_grant(-1);
    tl__vp_free(i);
  }
  tl__vp_unlock();
}

/* :reset, the run's end: every other process is gone; this one (the top
 * one) holds the token again. */
void tl_vp_reset(void) {
  if (!tl__P || tl__vp_me != 0) return;
  tl__vp_lock();
  for (int i = 1; i < tl__P->hi; i++)
    if (tl__P->s[i].state != TL__VP_FREE) tl__vp_free(i);
  tl__P->s[0].state = TL__VP_RUN;
  tl__P->running = 0;
  tl__vp_have = 1;
  atomic_fetch_add(&tl__P->s[0].wake, 1);
  syscall(SYS_futex, &tl__P->s[0].wake, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
  tl__vp_unlock();
}
