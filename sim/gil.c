/* The GIL, as CPython has it.
 *
 * py3 (CPython 3.2+): a waiter waits one switch interval; if no switch
 * happened meanwhile it sets a drop request; the holder drops at its next
 * switch point and, forced, waits until another thread has taken the GIL.
 * py2 (the old GIL): every check_interval instructions the holder releases
 * and at once re-acquires, with no handoff guarantee; a waiter woken to find
 * the GIL taken again counts a failed wake-up.
 *
 * A thread alone runs with no hook at all. A switch request reaches the
 * holder as lua.c's Ctrl-C does: a signal sent to the holder's pthread,
 * whose handler (on the holder itself, so never racing with its VM) sets a
 * hook on the running state: count=1 for instruction switch points, a line
 * hook for statement switch points. The hook does the switch and removes
 * itself. */
#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TL__SIGPOKE SIGUSR2

#if defined(__SANITIZE_THREAD__)
#define TL__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TL__TSAN 1
#endif
#endif


void tl_gil_init(tl_gil *g) {
  memset(g, 0, sizeof *g);
  tl_cond_init(&g->cond);
  tl_cond_init(&g->switch_cond);
}

int tl__next_rand(tl_thread *t, int n) {
  t->rng = t->rng * 6364136223846793005u + 1442695040888963407u;
  return (int)((t->rng >> 33) % (uint64_t)n);
}

/* A Python 2 tick was one bytecode of its interpreter, about 10 ns of work
 * (the virtual clock's cost of a Lua instruction models the same); Lua 5.4
 * runs an instruction in about 1.5 ns (scripts/bench/README.md), so in
 * the real clock a check interval of N ticks is 10 N Lua instructions:
 * the same work between two releases as Python 2 did, not 7 times less. */
#define TL__PY2_TICK_INSTRS 10

/* py2 ticks: Python 2 did not count every opcode, so its check fell
 * unevenly on a statement; a tick of exactly N instructions would always
 * land on the same instruction of a loop body. */
static int tl__py2_ticks(tl_thread *t) {
  long long ticks = (long long)tl_W->cfg.check_interval * TL__PY2_TICK_INSTRS;
  int n = ticks > (1 << 30) ? 1 << 30 : (int)ticks;
  return n > 8 ? n - 3 + tl__next_rand(t, 7) : n;
}

/* The hook a holder runs with when nobody asks it anything. */
static void tl__base_hook(tl_thread *t, lua_State *L) {
  int mask = 0, count = 0;
  if (TL_VIRTUAL()) {
    tl__v_base_hook(t, L);
    return;
  }
#ifdef TL__TSAN
  /* TSan defers asynchronous signals until the thread next enters its
   * runtime, which a pure Lua loop never does; sanitizer builds poll. */
  mask = LUA_MASKCOUNT;
  count = tl_W->cfg.policy == TL_POLICY_PY2 ? tl__py2_ticks(t) : 1000;
#else
  /* py2 counts ticks only while a thread waits for the GIL: Python 2's
   * ticker cost next to nothing, but any Lua count hook sends every
   * instruction down the VM's slow path (about 1.8x here), so a lone
   * thread runs with none, and a new waiter pokes the holder. */
  if (tl_W->cfg.policy == TL_POLICY_PY2 &&
      atomic_load_explicit(&tl_W->gil.nwaiters, memory_order_relaxed) > 0) {
    mask = LUA_MASKCOUNT;
    count = tl__py2_ticks(t);
  }
#endif
  atomic_store_explicit(&t->ticking, (mask & LUA_MASKCOUNT) != 0, memory_order_relaxed);
  if (t->trace_lines) mask |= LUA_MASKLINE;
  lua_sethook(L, mask ? tl__hook : NULL, mask, count);
}

/* The hook that delivers a request at the next switch point. */
void tl__switch_hook(tl_thread *t, lua_State *L) {
  t->primed = 0;
  if (tl_W->cfg.switch_points == TL_SWITCH_STATEMENT)
    lua_sethook(L, tl__hook, LUA_MASKLINE, 0);
  else
    lua_sethook(L, tl__hook, LUA_MASKCOUNT, 1);
}

void tl_gil_set_base_hook(tl_thread *t, lua_State *L) {
  t->in_hook = 1;
  tl__base_hook(t, L);
  t->in_hook = 0;
  if (atomic_load(&t->hook_wanted)) tl__switch_hook(t, L);
}

static void tl__on_poke(int sig) {
  tl_thread *t = tl__self;
  int saved = errno;
  (void)sig;
  /* Only a holder may touch its state: a thread without the GIL may have
   * its call stack walked by the holder's garbage collector. */
  if (t && atomic_load(&t->holds_gil) && !t->in_hook) {
    lua_State *L = atomic_load(&t->cur_L);
    if (L) tl__switch_hook(t, L);
  }
  errno = saved;
}

void tl_gil_install_signal(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = tl__on_poke;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(TL__SIGPOKE, &sa, NULL);
}

void tl__gil_poke(tl_thread *holder) {
  atomic_store(&holder->hook_wanted, 1);
  if (TL_VIRTUAL()) return; /* its count hook looks at every tick */
  if (pthread_equal(holder->pthread, pthread_self())) {
    lua_State *L = atomic_load(&holder->cur_L);
    if (L && !holder->in_hook) tl__switch_hook(holder, L);
  } else {
    pthread_kill(holder->pthread, TL__SIGPOKE);
  }
}

/* py2 waiters sleep on held_hint itself, as Python 2's waiters slept on the
 * GIL's semaphore: woken, a waiter looks at it without the world mutex and,
 * finding it taken again, goes back to sleep (a failed wake-up) without
 * disturbing the holder. Only a GIL that looks free sends it for the mutex. */
static void tl__py2_sleep(tl_thread *t) {
  tl_gil *g = &tl_W->gil;
  atomic_fetch_add(&g->py2_sleepers, 1);
  tl_mutex_unlock(&tl_W->mu);
  while (atomic_load(&g->held_hint) == 1) {
    long r = syscall(SYS_futex, &g->held_hint, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    if (r == 0 && atomic_load(&g->held_hint) == 1)
      tl_emit_as(t, TL_EV_GIL_FAILED_WAKEUP, 0, atomic_load(&g->holder_id), 0);
  }
  atomic_fetch_sub(&g->py2_sleepers, 1);
  tl_mutex_lock(&tl_W->mu);
}

/* How long a py3 GIL waiter spins even when no CPU is free, if the holder
 * makes socket calls: such a holder lets the GIL go around each of them,
 * every few microseconds, and a waiter asleep on the condition variable
 * misses those gaps: it wakes tens of microseconds later (on this virtual
 * machine) to find the GIL taken again. A few microseconds cost the CPU
 * little; the 30 us of TL_SPIN_NS did, and so does any spin for a holder
 * that computes or waits on locks (gil-handoff: 1.8x slower with a 5 us
 * spin for every waiter; scripts/bench/README.md). */
#define TL__GIL_SPIN_BUSY_NS 5000

/* unsaid while its release is being written */
#define TL__GIL_SAYING ((tl_thread *)1)

/* Writes a quiet release into the trace, unless another thread is at it
 * (then waits until it is written: it must come before what follows).
 * 1 if this call wrote it. */
static int tl__say_unsaid(tl_gil *g, tl_thread *only) {
  for (;;) {
    tl_thread *u = atomic_load_explicit(&g->unsaid, memory_order_acquire);
    if (!u || (only && u != only && u != TL__GIL_SAYING)) return 0;
    if (u == TL__GIL_SAYING) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      continue;
    }
    if (atomic_compare_exchange_weak_explicit(&g->unsaid, &u, TL__GIL_SAYING,
                                              memory_order_acquire, memory_order_relaxed)) {
      if (tl_trace_global)
        tl_trace_emit(tl_trace_global, g->unsaid_t, tl_W->pid, g->unsaid_id, TL_EV_GIL_RELEASE,
                      TL_GIL_BLOCKING, 0, 0);
      atomic_store_explicit(&g->unsaid, NULL, memory_order_release);
      return 1;
    }
  }
}

/* The caller of a quiet release is about to wait: its release is written,
 * and a GIL waiter woken now (the release did not wake one). */
void tl_gil_say_release(tl_thread *t) {
  if (tl__say_unsaid(&tl_W->gil, t)) tl_cond_signal(&tl_W->gil.cond);
}

/* The GIL is t's: its state, and its take in the trace if say. */
static void tl__gil_hold(tl_gil *g, tl_thread *t, int say) {
  g->locked = 1;
  atomic_store(&g->held_hint, 1);
  g->holder = t;
  atomic_store(&g->holder_id, t->id);
  g->switch_number++;
  g->drop_request = 0;
  g->woke_one = 0;
  atomic_store(&t->holds_gil, 1);
  tl_cond_broadcast(&g->switch_cond);
  if (say) tl_emit(TL_EV_GIL_ACQUIRE, 0, g->last_holder, 0);
}

void tl__gil_take_quiet_locked(tl_thread *t) {
  tl_gil *g = &tl_W->gil;
  tl_thread *u = t;
  if (!TL_VIRTUAL() && !g->locked &&
      atomic_compare_exchange_strong_explicit(&g->unsaid, &u, NULL, memory_order_acquire,
                                              memory_order_relaxed)) {
    tl__gil_hold(g, t, 0); /* nobody had it meanwhile */
    return;
  }
  tl__gil_take_locked(t);
}

void tl__gil_take_locked(tl_thread *t) {
  tl_gil *g = &tl_W->gil;
  if (TL_VIRTUAL()) {
    tl__v_take(t);
    return;
  }
  if (g->locked) {
    tl_emit(TL_EV_GIL_REQUEST, 0, g->holder ? g->holder->id : 0, 0);
    g->nwaiters++;
    t->wait_kind = TL_WAIT_GIL;
    while (g->locked) {
      if (tl_W->cfg.policy == TL_POLICY_PY3) {
        uint64_t sn = g->switch_number;
        int r;
        /* Spin a moment first (see tl__spin_while). Not under py2, whose
         * point is that a woken waiter comes too late. */
        uint64_t busy = g->holder && g->holder->sock_io ? TL__GIL_SPIN_BUSY_NS : 0;
        /* ...unless it was just made to give the GIL up: the thread that
         * asked waited a whole interval and keeps it a while, and what it
         * lets go of in between (around an os.write that does not block)
         * is its own to take back, as in CPython, whose dropped thread
         * sleeps on the condition variable. Spinning, lesson 77's
         * computing thread took the GIL at every os.write of the I/O
         * thread: a convoy at each, two drop requests a round trip. */
        int spin = !t->gil_forced;
        t->gil_forced = 0;
        tl_mutex_unlock(&tl_W->mu);
        if (spin) tl__spin_while(&g->held_hint, 1, busy);
        tl_mutex_lock(&tl_W->mu);
        if (!g->locked) break;
        r = tl_cond_wait_until(&g->cond, &tl_W->mu,
                               tl_now_ns() + tl_W->cfg.switch_interval_ns);
        if (r == ETIMEDOUT && g->locked && sn == g->switch_number) {
          if (!g->drop_request) {
            g->drop_request = 1;
            tl_emit(TL_EV_GIL_DROP_REQUEST, 0, g->holder->id, 0);
          }
          tl__gil_poke(g->holder); /* again, each interval, until it drops */
        }
      } else {
        /* The holder may run with no tick hook (nobody waited): have it
         * start counting ticks; once it does, a waiter's wake-ups cost it
         * no signal. */
        if (g->holder && !atomic_load(&g->holder->ticking) &&
            !atomic_load(&g->holder->hook_wanted))
          tl__gil_poke(g->holder);
        tl__py2_sleep(t);
      }
    }
    t->wait_kind = TL_WAIT_NONE;
    g->nwaiters--;
  }
  tl__say_unsaid(g, NULL); /* a quiet release came before this take */
  tl__gil_hold(g, t, 1);
}

static void tl__gil_release(tl_thread *t, int reason, int quiet) {
  tl_gil *g = &tl_W->gil;
  if (TL_VIRTUAL()) {
    tl__v_release(t, reason);
    return;
  }
  if (!g->locked || g->holder != t) return;
  atomic_store(&t->holds_gil, 0);
  atomic_store(&t->hook_wanted, 0);
  g->locked = 0;
  atomic_store(&g->held_hint, 0);
  g->holder = NULL;
  g->last_holder = t->id;
  g->release_gen++;
  if (quiet) {
    g->unsaid_id = t->id;
    g->unsaid_t = tl_clock_now();
    atomic_store_explicit(&g->unsaid, t, memory_order_release);
  } else {
    tl_emit(TL_EV_GIL_RELEASE, (uint16_t)reason, 0, 0);
  }
  /* (A quiet release wakes no waiter: its call seldom blocks, and the
   * caller is back for the GIL within microseconds. CPython's release does
   * wake one, which mostly loses that race to the caller; woken here, one
   * once won it at every os.write of lesson 77 (under load: a convoy at
   * each, 20 drop requests in 10 round trips, where the lesson expects
   * 10). If the call must wait, tl_gil_say_release wakes one.) */
  if (!quiet) tl_cond_signal(&g->cond);
  if (atomic_load(&g->py2_sleepers) > 0) /* one, as Python 2's semaphore post */
    syscall(SYS_futex, &g->held_hint, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  tl__wake_deferred();
  if (reason == TL_GIL_FORCED) {
    /* Forced switching: do not race the waiter for the GIL just dropped. */
    uint64_t sn = g->switch_number;
    t->gil_forced = 1;
    t->wait_kind = TL_WAIT_GIL; /* (ready again at once: :threads says so) */
    while (sn == g->switch_number && g->nwaiters > 0)
      tl_cond_wait(&g->switch_cond, &tl_W->mu);
    t->wait_kind = TL_WAIT_NONE;
  }
}

void tl__gil_release_locked(tl_thread *t, int reason) { tl__gil_release(t, reason, 0); }

/* (py2: a waiter woken by the release counts a failed wake-up when the
 * GIL is taken again; a release left out of the trace would make it one
 * without a release, so py2's are all written) */
void tl__gil_release_quiet_locked(tl_thread *t) {
  tl__gil_release(t, TL_GIL_BLOCKING, tl_W->cfg.policy == TL_POLICY_PY3);
}

void tl_gil_take(tl_thread *t) {
  tl_mutex_lock(&tl_W->mu);
  tl__gil_take_locked(t);
  tl_mutex_unlock(&tl_W->mu);
}

void tl_gil_release(tl_thread *t, int reason) {
  tl_mutex_lock(&tl_W->mu);
  tl__gil_release_locked(t, reason);
  tl_mutex_unlock(&tl_W->mu);
}

void tl_gil_configure(const tl_config *cfg) {
  tl_thread *self = tl__self;
  tl_mutex_lock(&tl_W->mu);
  tl_W->cfg = *cfg;
  tl__spin_clock(cfg->clock);
  tl_mutex_unlock(&tl_W->mu);
  if (self) tl_gil_set_base_hook(self, atomic_load(&self->cur_L));
}

/* A lesson's MainThread: the window shows the line it is on. Only the
 * lesson file's own lines (a file chunk, not threadlab's Lua). Returns
 * whether the hook has more to do (a switch waiting for this line). */
static int tl__trace_line(tl_thread *t, lua_State *L, lua_Debug *ar) {
  if (ar->currentline != t->traced_line && lua_getinfo(L, "S", ar) && ar->source[0] == '@') {
    t->traced_line = ar->currentline;
    tl_emit_as(t, TL_EV_LESSON_STEP, TL_LESSON_LINE, (uint32_t)ar->currentline, 0);
  }
  return TL_VIRTUAL() ? t->vswitch || tl_W->cfg.sched == TL_SCHED_MANUAL
                      : atomic_load(&t->hook_wanted);
}

/* The real clock's hook: a switch request delivered (py3), or a py2 tick. */
static void tl__real_hook(tl_thread *t, lua_State *L, int is_line) {
  tl_gil *g = &tl_W->gil;
  int is_tick = 0;
  if (atomic_load(&t->hook_wanted)) {
    /* The VM notices an asynchronously set hook only at a backward jump or a
     * call, that is, at a statement boundary. For statement switch points
     * a request waits for a line event, and the first line event after the
     * hook is set can be stale, so the next one is the real boundary. For
     * instruction switch points the switch is put off by a few
     * instructions, so it can fall anywhere in a statement, between the read
     * and the write of g = g + 1, as in CPython up to 3.9. */
    int statement = tl_W->cfg.switch_points == TL_SWITCH_STATEMENT;
    if (statement && !is_line) {
      t->in_hook = 1;
      tl__switch_hook(t, L); /* came through a count hook: wait for a line */
      t->in_hook = 0;
      return;
    }
    if (!t->primed) {
      t->primed = 1;
      if (!statement) {
        t->in_hook = 1;
        lua_sethook(L, tl__hook, LUA_MASKCOUNT, 1 + tl__next_rand(t, 7));
        t->in_hook = 0;
      }
      return;
    }
  }
  t->in_hook = 1;
  t->primed = 0; /* the next request starts over */
  if (!atomic_exchange(&t->hook_wanted, 0) && !is_line) {
    /* A plain count tick: the py2 check interval, or the TSan poll. */
    is_tick = tl_W->cfg.policy == TL_POLICY_PY2;
    if (is_tick && !t->cancel &&
        atomic_load_explicit(&g->nwaiters, memory_order_relaxed) == 0) {
      /* Python 2 released and re-took the GIL here, which with nobody
       * waiting changes nothing: no world mutex, no line-hook detour, and
       * the tick hook goes (tl__base_hook) until a waiter pokes again. */
      tl__base_hook(t, L);
      t->in_hook = 0;
      if (atomic_load(&t->hook_wanted)) tl__switch_hook(t, L);
      return;
    }
    if (is_tick && tl_W->cfg.switch_points == TL_SWITCH_STATEMENT) {
      /* py2 ticks count instructions, but switches wait for a statement. */
      t->py2_tick = 1;
      atomic_store(&t->hook_wanted, 1);
      tl__switch_hook(t, L);
      t->in_hook = 0;
      return;
    }
  }
  /* A line after a py2 tick is its switch point. A poke from a new waiter
   * only starts the ticks: the first release comes a check interval later,
   * as in Python 2, whose waiter was asleep by then, not on its way. */
  if (is_line && t->py2_tick && !t->cancel) is_tick = tl_W->cfg.policy == TL_POLICY_PY2;
  t->py2_tick = 0;
  tl__base_hook(t, L);
  tl_mutex_lock(&tl_W->mu);
  if (!t->cancel) {
    if (is_tick) {
      if (g->nwaiters > 0) {
        /* Release, waking one waiter, and at once re-acquire, as Python 2
         * did: its holder took the GIL back within nanoseconds, and the
         * woken thread, microseconds away on another core, usually found it
         * taken again (a failed wake-up) and slept again on the GIL alone
         * (tl__py2_sleep), never on the world mutex: so it neither delays
         * the holder nor costs it more than the wake-up. Only a waiter
         * already awake at this very moment can win the GIL in the gap. */
        tl__gil_release_locked(t, TL_GIL_YIELD);
        tl_mutex_unlock(&tl_W->mu);
        tl_mutex_lock(&tl_W->mu);
        tl__gil_take_locked(t);
      }
    } else if (g->drop_request && g->nwaiters > 0 && g->holder == t &&
               (is_line || tl_W->cfg.switch_points == TL_SWITCH_INSTRUCTION)) {
      /* (A plain tick under statement switch points is no switch point:
       * the request waits for the line hook the poke sets.) */
      tl__gil_release_locked(t, TL_GIL_FORCED);
      tl__gil_take_locked(t);
    }
  }
  tl_mutex_unlock(&tl_W->mu);
  t->in_hook = 0;
  if (atomic_load(&t->hook_wanted)) tl__switch_hook(t, L);
  tl_check_cancel(L);
}

void tl__hook(lua_State *L, lua_Debug *ar) {
  tl_thread *t = tl__self;
  int is_line = ar->event == LUA_HOOKLINE;
  if (!t) return;
  if (is_line && t->trace_lines && !tl__trace_line(t, L, ar))
    return; /* only a line to trace, no switch waiting for it */
  if (!TL_VIRTUAL()) {
    tl__real_hook(t, L, is_line);
    return;
  }
  if (is_line && !t->primed) {
    t->primed = 1; /* see tl__real_hook: the first line event can be stale */
    return;
  }
  tl__v_hook(t, L, ar);
  tl_check_cancel(L);
}
