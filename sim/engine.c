/* The world: its threads, its clock, waiting and cancellation. */
#include "engine.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lualib.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

tl_world *tl_W;
_Thread_local tl_thread *tl__self;

uint64_t tl_clock_now(void) {
  if (TL_VIRTUAL()) return atomic_load_explicit(&tl_W->v.now, memory_order_relaxed);
  return tl_now_ns() - tl_W->t0;
}

void tl_emit(uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg) {
  tl_emit_as(tl__self, kind, reason, obj, arg);
  if (TL_VIRTUAL()) tl_v_charge(TL_BUILTIN_NS);
}

_Thread_local tl__green_pend tl__pend;

void tl__green_flush(void) {
  tl__pend.on = 0;
  if (tl_trace_global)
    tl_trace_emit(tl_trace_global, tl__pend.t, tl_W->pid, tl__pend.tid, TL_EV_GREEN_SWITCH, 0,
                  tl__pend.to, tl__pend.from);
}

void tl_emit_as(const tl_thread *t, uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg) {
  if (tl__pend.on) tl__green_flush();
  if (!tl_trace_global) return;
  tl_trace_emit(tl_trace_global, tl_clock_now(), tl_W->pid, t ? t->id : 0, kind,
                reason, obj, arg);
}

void tl_emit_real(uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg) {
  if (tl__pend.on) tl__green_flush();
  if (!tl_trace_global) return;
  tl_trace_emit(tl_trace_global, tl_now_ns() - tl_W->t0, tl_W->pid, tl__self ? tl__self->id : 0,
                kind, reason, obj, arg);
}

void tl_emit_text(uint16_t kind, uint32_t obj, const char *s, size_t len) {
  if (!tl_trace_global) return;
  tl_emit(kind, 0, obj, tl_trace_str(tl_trace_global, s, len));
}

uint64_t tl_deadline_in(double seconds) {
  uint64_t d;
  if (seconds < 0) return 0;
  if (seconds > 1e9) seconds = 1e9; /* ~31 years: forever, without overflow */
  d = tl_clock_now() + (uint64_t)(seconds * 1e9);
  return d ? d : 1;
}

/* Threads spinning now. One spinner is the thread likely to run next;
 * more only burn the CPU the running thread needs: with thousands of
 * threads woken at once (Event.set) every one of them spinning made waking
 * N threads cost N^2. */
static _Atomic int tl__spinners;

/* Whether some CPU has nothing to run: the kernel's count of runnable
 * tasks (/proc/loadavg's "running/total", this spinner among them) is at
 * most the number of CPUs. Read at most every TL__CPU_LOOK_NS. Spinning
 * pays only then: with every CPU wanted, the spinner takes the one its
 * GIL holder (or a thread of another program) would run on. */
#define TL__CPU_LOOK_NS 2000000u
static _Atomic uint64_t tl__cpu_looked;
static _Atomic int tl__cpu_free = 1;
/* The clock in use, readable without the world mutex (tl__spin_clock). */
static _Atomic int tl__spin_virtual;

void tl__spin_clock(int clock) {
  atomic_store_explicit(&tl__spin_virtual, clock == TL_CLOCK_VIRTUAL, memory_order_relaxed);
}

static int tl__some_cpu_free(void) {
  uint64_t now = tl_now_ns(), last = atomic_load_explicit(&tl__cpu_looked, memory_order_relaxed);
  if (now - last > TL__CPU_LOOK_NS &&
      atomic_compare_exchange_strong(&tl__cpu_looked, &last, now)) {
    static _Atomic long ncpu;
    char buf[128];
    int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC), running = 0;
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    if (!atomic_load_explicit(&ncpu, memory_order_relaxed))
      atomic_store_explicit(&ncpu, sysconf(_SC_NPROCESSORS_ONLN), memory_order_relaxed);
    if (n > 0) {
      buf[n] = 0;
      /* "0.51 1.35 2.59 3/345 12345" */
      if (sscanf(buf, "%*s %*s %*s %d/", &running) == 1)
        atomic_store_explicit(&tl__cpu_free, running <= atomic_load_explicit(&ncpu, memory_order_relaxed),
                              memory_order_relaxed);
    }
  }
  return atomic_load_explicit(&tl__cpu_free, memory_order_relaxed);
}

/* Counts a spinner in and says for how long it may spin (0: not at all). */
static uint64_t tl__spin_begin(uint64_t busy_ns) {
  uint64_t ns = TL_SPIN_NS;
  /* (Not on the virtual clock: with it there, lesson 72 recorded twice
   * drew two pictures (which accepted socket a worker got). Some part of
   * a virtual run still hangs on real timing; until it is found, the
   * virtual clock keeps the spin it replays with.) */
  if (!atomic_load_explicit(&tl__spin_virtual, memory_order_relaxed) && !tl__some_cpu_free()) {
    if (!busy_ns) return 0;
    ns = busy_ns;
  }
  if (atomic_fetch_add(&tl__spinners, 1) >= TL_MAX_SPINNERS) {
    atomic_fetch_sub(&tl__spinners, 1);
    return 0;
  }
  return ns;
}

int tl__spin_while(const _Atomic uint32_t *flag, uint32_t unwanted, uint64_t busy_ns) {
  uint64_t end, ns = tl__spin_begin(busy_ns);
  int i = 0, changed = 1;
  if (!ns) return atomic_load_explicit(flag, memory_order_acquire) != unwanted;
  end = tl_now_ns() + ns;
  while (atomic_load_explicit(flag, memory_order_acquire) == unwanted) {
    if ((++i & 63) == 0 && tl_now_ns() > end) {
      changed = 0;
      break;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  atomic_fetch_sub(&tl__spinners, 1);
  return changed;
}

int tl__spin_until(int (*ready)(void *arg, int slice_ms), void *arg) {
  uint64_t end, ns = tl__spin_begin(0);
  int r = 0;
  if (!ns) return -1;
  end = tl_now_ns() + ns;
  /* (yielding: a peer that shares this CPU, runnable, runs meanwhile
   * instead of waiting out the spin) */
  while (!(r = ready(arg, 0)) && tl_now_ns() < end) sched_yield();
  atomic_fetch_sub(&tl__spinners, 1);
  return r;
}

/* Whether a descriptor's wait spins is learnt from the waits themselves,
 * as KVM's halt polling does: a wait that ends within TL_SPIN_WORTH_NS
 * (the peer answers soon; once both sides spin, within a spin) keeps the
 * spin on; each longer one doubles the count of waits that sleep at once,
 * up to 63 of 64, so a server waiting a millisecond between messages
 * burns almost nothing. (A backoff on failed spins alone never recovers:
 * while one side sleeps the other's spin fails too.) One thread's waits,
 * Pipe's and os.read's alike, teach it. */
static _Thread_local uint8_t tl__spin_misses, tl__spin_skip;
#define TL__SPIN_MISSES_MAX 6

int tl__spin_learnt(int (*ready)(void *arg, int slice_ms), void *arg) {
  if (tl__spin_skip) {
    tl__spin_skip--;
    return -1;
  }
  return tl__spin_until(ready, arg);
}

void tl__spin_learn(uint64_t waited_ns) {
  if (waited_ns < TL_SPIN_WORTH_NS) {
    tl__spin_misses = tl__spin_skip = 0;
  } else {
    if (tl__spin_misses < TL__SPIN_MISSES_MAX) tl__spin_misses++;
    tl__spin_skip = (uint8_t)((1u << tl__spin_misses) - 1);
  }
}

/* A forked child has only the forking thread: a spinner of the parent's
 * counted at the fork never leaves the count there. */
void tl__spin_after_fork(void) { atomic_store(&tl__spinners, 0); }

int tl__wait(tl_thread *self, int kind, const void *obj, uint64_t deadline) {
  int r = 0;
  uint32_t wakes;
  if (TL_VIRTUAL()) return tl__v_wait(self, kind, obj, deadline);
  if (self->cancel) return ECANCELED;
  self->wait_kind = kind;
  self->in_wait = 1; /* a wake-up may wait its turn (tl__wake) */
  self->wait_obj = obj;
  /* A short wait (a thread starting, a lock held for a moment) often ends
   * within microseconds: spin a little before sleeping. Wakers hold the
   * world mutex, so nothing is missed between the spin and the sleep. */
  wakes = atomic_load(&self->wakes);
  if (kind != TL_WAIT_SLEEP) { /* a sleep ends at its deadline: no one wakes it */
    tl_mutex_unlock(&tl_W->mu);
    tl__spin_while(&self->wakes, wakes, 0);
    tl_mutex_lock(&tl_W->mu);
  }
  /* Going to sleep with the GIL free: pass the turn on to a thread woken
   * while it was held (see tl__wake), or no one would wake it. */
  if (!tl_W->gil.locked) tl__wake_deferred();
  if (atomic_load(&self->wakes) != wakes || self->cancel)
    r = 0;
  else if (!deadline)
    tl_cond_wait(&self->cv, &tl_W->mu);
  else if (tl_clock_now() >= deadline)
    r = ETIMEDOUT;
  else
    r = tl_cond_wait_until(&self->cv, &tl_W->mu, tl_W->t0 + deadline);
  self->wait_kind = TL_WAIT_NONE;
  self->wait_obj = NULL;
  self->in_wait = 0;
  tl__deferred_unlink(self);
  return self->cancel ? ECANCELED : r;
}

/* Threads woken while the waker held the GIL, FIFO (world mutex). A
 * woken thread needs the GIL before it can do anything, so waking its
 * pthread at once only makes it queue for the world mutex and the GIL:
 * with thousands woken together (Event.set, notify_all) that herd made
 * waking N threads cost N^2. Instead each GIL release wakes the next one. */
static tl_thread *tl__deferred_head, *tl__deferred_tail;

void tl__deferred_unlink(tl_thread *t) {
  if (!t->deferred) return;
  if (t->dprev) t->dprev->dnext = t->dnext;
  else tl__deferred_head = t->dnext;
  if (t->dnext) t->dnext->dprev = t->dprev;
  else tl__deferred_tail = t->dprev;
  t->dnext = t->dprev = NULL;
  t->deferred = 0;
}

void tl__wake_deferred(void) {
  tl_thread *t = tl__deferred_head;
  if (!t) return;
  tl__deferred_unlink(t);
  tl_cond_signal(&t->cv);
}

void tl__wake(tl_thread *t) {
  tl_thread *self = tl__self;
  atomic_fetch_add_explicit(&t->wakes, 1, memory_order_release);
  if (TL_VIRTUAL()) {
    tl__v_wake(t);
  } else if (self && t != self && t->in_wait && tl_W->gil.holder == self &&
             (tl__deferred_head || tl_W->gil.nwaiters > 0 || tl_W->gil.woke_one)) {
    /* Someone already asks the holder for the GIL (the one woken first
     * does, as a Python thread would): the rest wait their turn. */
    if (t->deferred) return;
    t->deferred = 1;
    t->dnext = NULL;
    t->dprev = tl__deferred_tail;
    if (tl__deferred_tail) tl__deferred_tail->dnext = t;
    else tl__deferred_head = t;
    tl__deferred_tail = t;
  } else {
    if (self && tl_W->gil.holder == self) tl_W->gil.woke_one = 1;
    tl_cond_signal(&t->cv);
  }
}

void tl_leave_world(tl_thread *self) {
  tl_mutex_lock(&tl_W->mu);
  tl__gil_release_locked(self, TL_GIL_BLOCKING);
  self->wait_kind = TL_WAIT_INPUT;
  if (TL_VIRTUAL()) {
    self->vs = TL_VS_OUTSIDE;
    if (tl_W->v.running == self || !tl_W->v.running) tl__v_schedule();
  }
  tl_mutex_unlock(&tl_W->mu);
}

void tl_enter_world(tl_thread *self) {
  tl_mutex_lock(&tl_W->mu);
  self->wait_kind = TL_WAIT_NONE;
  if (TL_VIRTUAL()) self->vs = TL_VS_READY;
  tl__gil_take_locked(self);
  tl_mutex_unlock(&tl_W->mu);
}

void tl__cancel(tl_thread *t, int how) {
  if (t->cancel >= how || t->ended) return;
  t->cancel = how;
  atomic_fetch_add(&t->wakes, 1);
  if (TL_VIRTUAL()) tl__v_wake(t);
  else tl_cond_signal(&t->cv); /* at once: a cancel never waits its turn */
  if (tl_W->gil.holder == t) tl__gil_poke(t);
}

void tl_check_cancel(lua_State *L) {
  tl_thread *self = tl__self;
  int how;
  if (!self) return;
  tl_mutex_lock(&tl_W->mu);
  how = self->cancel;
  if (how == TL_CANCEL_INTERRUPT) self->cancel = TL_CANCEL_NONE;
  tl_mutex_unlock(&tl_W->mu);
  if (how == TL_CANCEL_INTERRUPT) {
    tl_emit_text(TL_EV_INTERRUPT, 0, "KeyboardInterrupt", 17);
    tl_raise(L, "KeyboardInterrupt", "");
  } else if (how == TL_CANCEL_DEADLOCK) {
    tl_deadlock_after_wait(L); /* raises the DeadlockError deadlock.c words */
  } else if (how == TL_CANCEL_KILL) {
    tl_raise(L, "SystemExit", "thread %s cancelled", self->name);
  }
}

/* Lua's allocator with a ceiling, so a memory bomb ends in a MemoryError
 * and not in the kernel's OOM killer. Lua allocates only with the GIL
 * held, so the count needs no lock. */
_Thread_local int tl__mem_grace;
#define TL__MEM_GRACE ((size_t)1 << 20)

static void *tl__alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  tl_world *w = ud;
  if (!ptr) osize = 0;
  if (nsize == 0) {
    free(ptr);
    w->mem_used -= osize;
    return NULL;
  }
  if (nsize > osize &&
      w->mem_used + (nsize - osize) > w->cfg.memory_limit + (tl__mem_grace ? TL__MEM_GRACE : 0))
    return NULL;
  ptr = realloc(ptr, nsize);
  if (ptr) w->mem_used += nsize - osize;
  return ptr;
}

tl_world *tl_world_create(const tl_config *cfg) {
  tl_world *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  tl_mutex_init(&w->mu);
  tl_gil_init(&w->gil);
  w->cfg = *cfg;
  tl__spin_clock(cfg->clock);
  w->t0 = tl_now_ns();
  w->pid = tl_proc_self_pid();
  w->next_tid = 1;
  w->main_pthread = pthread_self();
  if (w->cfg.cores < 1) w->cfg.cores = 1;
  if (!w->cfg.instr_ns) w->cfg.instr_ns = 10;
  tl__v_init(w);
  tl_spawn_world_begins(w); /* a spawned child goes on from its parent's clocks */
  tl_W = w;
  if (!w->cfg.memory_limit) w->cfg.memory_limit = (size_t)4 << 30;
  w->L = lua_newstate(tl__alloc, w);
  if (!w->L) {
    free(w);
    tl_W = NULL;
    return NULL;
  }
  w->main = tl__thread_new("MainThread", 0);
  w->main->L = w->L;
  w->main->cur_L = w->L;
  w->main->pthread = pthread_self();
  w->main->os_tid = tl_gettid();
  w->main->started = 1;
  w->main->vs = TL_VS_RUN;
  w->v.running = w->main;
  tl__self = w->main;
  tl_mutex_lock(&w->mu);
  w->main->next = NULL;
  w->live = w->main;
  w->nlive = 1;
  tl_spawn_first_turn();
  tl_mutex_unlock(&w->mu);
  {
    uint32_t vparent;
    const char *title = tl_proc_title(&vparent);
    tl_emit_text(TL_EV_PROC_NAME, vparent, title, strlen(title));
  }
  tl_emit_text(TL_EV_THREAD_NEW, w->main->id, "MainThread", 10);
  tl_emit(TL_EV_THREAD_START, 0, w->main->id, 0);
  tl_gil_take(w->main);
  tl_gil_set_base_hook(w->main, w->L);
  return w;
}

static int tl__others_alive(tl_world *w, int only_non_daemon) {
  tl_thread *t;
  for (t = w->live; t; t = t->next)
    if (t != w->main && !(only_non_daemon && t->daemon)) return 1;
  return 0;
}

void tl_world_cancel_all(tl_world *w) {
  tl_thread *t, *self = tl__self;
  tl_mutex_lock(&w->mu);
  for (t = w->live; t; t = t->next)
    if (t != self) tl__cancel(t, TL_CANCEL_KILL);
  /* Under manual scheduling the threads stopped between statements wait
   * for the baton, and nobody would hand it out: the scheduler gives it to
   * the cancelled first. */
  if (w->cfg.clock == TL_CLOCK_VIRTUAL && !w->v.running) tl__v_schedule();
  /* Cancelled threads end promptly: every wait is interruptible and running
   * Lua code raises at its next instruction. The GIL must be free for them
   * to unwind, so the caller never holds it here. */
  while (tl__others_alive(w, 0)) {
    int saved = self->cancel;
    self->cancel = TL_CANCEL_NONE;
    w->njoin_any++;
    tl__wait(self, TL_WAIT_JOIN, NULL, tl_deadline_in(0.1));
    w->njoin_any--;
    if (saved > self->cancel) self->cancel = saved;
  }
  tl_mutex_unlock(&w->mu);
  tl__hosts_reap(1);
}

int tl_world_wait_non_daemon(tl_world *w) {
  tl_thread *self = w->main;
  int rc = 0;
  tl_mutex_lock(&w->mu);
  TL_ALLOW_THREADS_BEGIN(self);
  w->njoin_any++;
  while (tl__others_alive(w, 1)) {
    if (tl__wait(self, TL_WAIT_JOIN, NULL, 0) == ECANCELED) {
      rc = 130;
      break;
    }
  }
  w->njoin_any--;
  if (self->cancel == TL_CANCEL_DEADLOCK) {
    /* Nothing can run again: say why, exit non-zero. */
    const char *why = tl__deadlock_main_msg();
    if (strncmp(why, "hang: ", 6) == 0) fprintf(stderr, "HangError: %s\n", why + 6);
    else fprintf(stderr, "DeadlockError: %s\n", why);
    rc = 1;
  }
  /* A deadlock that MainThread never heard of (it slept or ran on while
   * others deadlocked): the run failed. One it caught was its business. */
  for (tl_thread *t = w->live; t && rc == 0 && !tl__deadlock_main_told(); t = t->next)
    if (t->frozen) rc = 1;
  self->cancel = TL_CANCEL_NONE;
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&w->mu);
  return rc;
}

void tl_world_destroy(tl_world *w) {
  /* Cancel before stepping out: under the virtual clock, stepping out with
   * only sleepers left would first move the clock to their wake-up. */
  tl_mutex_lock(&w->mu);
  for (tl_thread *t = w->live; t; t = t->next)
    if (t != w->main) tl__cancel(t, TL_CANCEL_KILL);
  tl_mutex_unlock(&w->mu);
  tl_leave_world(w->main);
  tl_world_cancel_all(w);
  tl_emit(TL_EV_THREAD_END, 0, w->main->id, 0);
  lua_close(w->L);
  w->L = NULL;
  tl_io_close_all(); /* every pipe and socket the program opened */
  tl__hosts_reap(1);
  tl__thread_unref(w->main);
  tl_cond_destroy(&w->gil.cond);
  tl_cond_destroy(&w->gil.switch_cond);
  tl_cond_destroy(&w->v.pace);
  tl_mutex_destroy(&w->mu);
  if (tl_W == w) tl_W = NULL;
  tl__self = NULL;
  free(w);
}
