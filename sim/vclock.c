/* The virtual clock: a deterministic scheduler over real pthreads.
 *
 * Exactly one thread executes at a time: it holds the baton. Every other
 * thread is parked on its own condvar until the scheduler grants it the
 * baton. Lua instructions cost virtual time (counted by a count hook),
 * waits with a timeout become timers, and when nobody is ready the clock
 * jumps to the next timer. Every choice between ready threads comes from
 * one seeded generator, so the same seed and program give the same run,
 * event for event. When nothing is ready and no timer is pending, nothing
 * can ever run again: that is a hang, and MainThread is told why. */
#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Instructions between two accounting ticks: the clock's resolution for
 * CPU work (10 us at the default 10 ns an instruction). A burst shorter
 * than this between two waits costs nothing, so five threads that each
 * sleep 60 s after a few statements end at exactly 60 s. */
#define TL__QUANTUM 1000
#define TL__PY2_ODDS 16     /* py2: a waiter wins one contested tick in 16 */

int (*tl__describe_obj)(int wait_kind, const void *obj, char *buf, size_t n, int hang);

static uint64_t tl__vnow(void) { return atomic_load_explicit(&tl_W->v.now, memory_order_relaxed); }
static void tl__vset(uint64_t t) { atomic_store_explicit(&tl_W->v.now, t, memory_order_relaxed); }

/* splitmix64: small, fast, and the same everywhere. */
uint64_t tl__v_rand(uint64_t n) {
  uint64_t z = (tl_W->v.rng += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return n ? z % n : z;
}

void tl__v_init(tl_world *w) {
  w->v.rng = w->cfg.seed * 0x2545f4914f6cdd1du + 0x1234567u; /* as tl_v_reseed */
  w->v.wall0 = tl_now_ns();
  tl_cond_init(&w->v.pace);
}

static void tl__grant(tl_thread *t) {
  t->vs = TL_VS_RUN;
  tl_W->v.running = t;
  tl_cond_signal(&t->cv);
}

static void tl__make_ready(tl_thread *t, uint64_t since) {
  t->vs = TL_VS_READY;
  t->vready_since = since;
}

/* Ready threads in the live list's order, which is deterministic. */
static tl_thread *tl__pick(const tl_thread *exclude) {
  tl_thread *t;
  uint64_t n = 0, k;
  for (t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_READY && t != exclude) n++;
  if (!n) return NULL;
  k = tl__v_rand(n);
  for (t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_READY && t != exclude && k-- == 0) return t;
  return NULL;
}

static int tl__nready(const tl_thread *exclude) {
  int n = 0;
  for (tl_thread *t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_READY && t != exclude) n++;
  return n;
}

static void tl__fire_timers(void) {
  uint64_t now = tl__vnow();
  for (tl_thread *t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_BLOCKED && t->vdeadline && t->vdeadline <= now) {
      t->vtimedout = 1;
      tl__make_ready(t, t->vdeadline);
    }
}

/* The waits that look now and then (every virtual millisecond) for what
 * another process may do look now: a child ended (turn 2), or every
 * process of the run is stuck (turn 3: those waits are hangs, but for a
 * wait for a child, which ends as its hung child does). */
static void tl__poke_pollers(int turn) {
  for (tl_thread *t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_BLOCKED && t->vpoll && t->vdeadline) {
      if (turn == 3 && t->vpoll != 1) continue;
      t->vhang = turn == 3;
      t->vtimedout = 1;
      tl__make_ready(t, tl__vnow());
    }
}

/* The next timer; stuck: every timer is a look for what another process
 * may do (no timeout, no sleep). */
static uint64_t tl__next_deadline_stuck(int *stuck) {
  uint64_t next = 0;
  *stuck = 1;
  for (tl_thread *t = tl_W->live; t; t = t->next)
    if (t->vs == TL_VS_BLOCKED && t->vdeadline) {
      if (!next || t->vdeadline < next) next = t->vdeadline;
      if (!t->vpoll) *stuck = 0;
    }
  return next;
}

/* With the world mutex held: sleeps (the mutex released) until the wall
 * clock catches up with virtual time vt at the chosen speed. Returns 1 when
 * woken early: the caller looks at the world again. */
static int tl__pace_locked(uint64_t vt) {
  double speed = tl_W->cfg.speed;
  uint64_t target;
  if (speed <= 0) return 0;
  target = tl_W->v.wall0 + (uint64_t)((double)vt / speed);
  if (tl_now_ns() >= target) return 0;
  if (tl_vp_on()) {
    /* it holds the run's token meanwhile: it looks every 10 ms whether
     * another process can go first (the REPL's user gave it work) */
    uint64_t look = tl_now_ns() + 10000000u;
    tl_cond_wait_until(&tl_W->v.pace, &tl_W->mu, look < target ? look : target);
    return tl_vp_someone_before(vt) || tl_now_ns() < target;
  }
  tl_cond_wait_until(&tl_W->v.pace, &tl_W->mu, target);
  return tl_now_ns() < target;
}

static const char *tl__wait_words(int kind) {
  switch (kind) {
    case TL_WAIT_LOCK: return "waits for";
    case TL_WAIT_JOIN: return "joins";
    case TL_WAIT_SLEEP: return "sleeps";
    case TL_WAIT_START: return "starts";
    case TL_WAIT_GIL: return "waits for the GIL";
    case TL_WAIT_INPUT: return "waits for input";
    case TL_WAIT_COMPUTE: return "computes";
    case TL_WAIT_IO: return "waits for I/O";
    default: return "waits";
  }
}

char *tl__describe_waits(int hang) {
  size_t cap = 256, len = 0;
  char *out = malloc(cap), buf[160];
  if (!out) return NULL;
  out[0] = '\0';
  for (tl_thread *t = tl_W->live; t; t = t->next) {
    const char *what = "";
    int n;
    if (t->wait_kind == TL_WAIT_NONE) continue;
    if (t->wait_kind == TL_WAIT_JOIN && t->wait_obj) {
      what = ((const tl_thread *)t->wait_obj)->name;
    } else if (tl__describe_obj && t->wait_obj &&
               tl__describe_obj(t->wait_kind, t->wait_obj, buf, sizeof buf, hang) > 0) {
      what = buf;
    } else if (t->wait_kind == TL_WAIT_LOCK) {
      what = "a lock";
    } else if (t->wait_kind == TL_WAIT_JOIN) {
      what = "every non-daemon thread";
    } else if (t->wait_obj) {
      what = "an object";
    }
    n = snprintf(NULL, 0, "%s%s %s%s%s", len ? "; " : "", t->name,
                 tl__wait_words(t->wait_kind), *what ? " " : "", what);
    if (len + (size_t)n + 1 > cap) {
      char *grown;
      while (len + (size_t)n + 1 > cap) cap *= 2;
      if (!(grown = realloc(out, cap))) break;
      out = grown;
    }
    snprintf(out + len, cap - len, "%s%s %s%s%s", len ? "; " : "", t->name,
             tl__wait_words(t->wait_kind), *what ? " " : "", what);
    len += (size_t)n;
  }
  return out;
}

/* Nothing is ready and no timer is pending: nothing can ever run again. */
static void tl__hang(void) {
  char *why = tl__describe_waits(1);
  char msg[1024];
  snprintf(msg, sizeof msg, "hang: %s", why ? why : "no thread can ever run again");
  free(why);
  /* reason 3: a hang, not a cycle (the views draw it as one) */
  tl_emit_as(tl_W->main, TL_EV_DEADLOCK, 3, 0, tl_trace_str(tl_trace_global, msg, strlen(msg)));
  tl__deadlock_report_hang(msg);
}

void tl__v_schedule(void) {
  tl_world *w = tl_W;
  w->v.running = NULL;
  if (w->v.scheduling) {
    tl_cond_broadcast(&w->v.pace); /* the loop already running looks again */
    return;
  }
  w->v.scheduling = 1;
  for (;;) {
    tl_thread *t;
    uint64_t next;
    int stuck;
    if (w->v.paused) break; /* :resume kicks */
    if (w->cfg.sched == TL_SCHED_MANUAL) {
      /* A cancelled thread (:reset, exit) runs until it has unwound: it
       * must not wait for the user to pick it. */
      for (t = w->live; t; t = t->next)
        if (t->vs == TL_VS_READY && t->cancel == TL_CANCEL_KILL && t != w->main) break;
      if (t) {
        t->vbudget = 1 << 30;
        tl__grant(t);
        break;
      }
      /* The user chooses (:run, :step) while at the prompt; while
       * MainThread waits in the world (start, join), it goes first when it
       * can, and otherwise the others go one statement at a time. */
      if (w->main->vs == TL_VS_OUTSIDE) {
        tl_cond_broadcast(&w->v.pace);
        break;
      }
      if (w->main->vs == TL_VS_READY) {
        tl__grant(w->main);
        break;
      }
      for (t = w->live; t; t = t->next)
        if (t->vs == TL_VS_READY && !t->started) break; /* being started */
      if (t || (t = tl__pick(NULL))) {
        t->vbudget = t->started; /* a new thread stops before its first line */
        tl__grant(t);
        break;
      }
    } else if ((t = tl__pick(NULL))) {
      /* another process may go first; this one's world may change meanwhile */
      int turn = tl_vp_turn(1, tl__vnow(), 0);
      if (turn >= 2) tl__poke_pollers(turn);
      if (turn) continue;
      tl__grant(t);
      break;
    }
    if ((next = tl__next_deadline_stuck(&stuck))) {
      int turn = tl_vp_turn(0, next, stuck);
      if (turn >= 2) tl__poke_pollers(turn);
      if (turn) continue;
      if (tl__pace_locked(next)) continue;
      if (next > tl__vnow()) tl__vset(next);
      tl__fire_timers();
      continue;
    }
    if (w->main->vs == TL_VS_OUTSIDE || w->main->ended) {
      tl_vp_idle(); /* the REPL idles; other processes go on */
      break;
    }
    tl__hang();
    if (!tl__nready(NULL)) {
      tl_vp_idle();
      break;
    }
  }
  w->v.scheduling = 0;
}

void tl__v_take(tl_thread *t) {
  tl_gil *g = &tl_W->gil;
  if (t->vs != TL_VS_RUN) {
    if (t->vs != TL_VS_READY) tl__make_ready(t, tl__vnow());
    if (!tl_W->v.running && t == tl_W->main && tl_W->cfg.sched == TL_SCHED_MANUAL)
      tl__grant(t); /* the user, back from the prompt, goes first */
    else if (!tl_W->v.running)
      tl__v_schedule();
    if (t->vs != TL_VS_RUN) {
      /* A new thread's pthread gets here whenever the OS starts it: it
       * must leave no mark that depends on when that is. */
      if (t->started) tl_emit(TL_EV_GIL_REQUEST, 0, g->holder ? g->holder->id : 0, 0);
      t->wait_kind = TL_WAIT_GIL;
      while (t->vs != TL_VS_RUN) tl_cond_wait(&t->cv, &tl_W->mu);
      t->wait_kind = TL_WAIT_NONE;
    }
  }
  g->locked = 1;
  atomic_store(&g->held_hint, 1);
  g->holder = t;
  g->switch_number++;
  atomic_store(&t->holds_gil, 1);
  tl_emit(TL_EV_GIL_ACQUIRE, 0, g->last_holder, 0);
}

void tl__v_release(tl_thread *t, int reason) {
  tl_gil *g = &tl_W->gil;
  if (g->holder == t) {
    g->locked = 0;
    atomic_store(&g->held_hint, 0);
    g->holder = NULL;
    g->last_holder = t->id;
    atomic_store(&t->holds_gil, 0);
    tl_emit(TL_EV_GIL_RELEASE, (uint16_t)reason, 0, 0);
  }
  if (reason == TL_GIL_EXIT) {
    t->vs = TL_VS_DONE;
    tl__v_schedule();
  }
}

int tl__v_wait(tl_thread *t, int kind, const void *obj, uint64_t deadline) {
  if (t->cancel) return ECANCELED;
  if (t->vs == TL_VS_OUTSIDE) {
    /* Not in the world (the REPL cleaning up): a plain wait, polled. */
    tl_cond_wait_until(&t->cv, &tl_W->mu, tl_now_ns() + 100000000u);
    return t->cancel ? ECANCELED : 0;
  }
  if (deadline && deadline <= tl__vnow()) return ETIMEDOUT;
  t->wait_kind = kind;
  t->wait_obj = obj;
  t->vdeadline = deadline;
  t->vtimedout = 0;
  t->vs = TL_VS_BLOCKED;
  /* The burst that led here was shorter than a quantum: below resolution. */
  t->vdebt = 0;
  {
    lua_State *L = atomic_load(&t->cur_L);
    if (L) tl__v_base_hook(t, L);
  }
  tl__v_schedule();
  while (t->vs != TL_VS_RUN) tl_cond_wait(&t->cv, &tl_W->mu);
  t->wait_kind = TL_WAIT_NONE;
  t->wait_obj = NULL;
  t->vdeadline = 0;
  return t->cancel ? ECANCELED : t->vtimedout ? ETIMEDOUT : 0;
}

void tl__v_wake(tl_thread *t) {
  if (t->vs == TL_VS_BLOCKED) {
    tl__make_ready(t, tl__vnow());
    if (!tl_W->v.running) tl__v_schedule();
  } else {
    tl_cond_signal(&t->cv); /* a real wait, outside the world */
  }
}

/* Gives the baton to another ready thread and waits to get it back. */
static void tl__switch(tl_thread *t, int reason) {
  tl_thread *r = tl__pick(t);
  if (!r) return;
  tl__v_release(t, reason);
  tl__make_ready(t, tl__vnow());
  tl__grant(r);
  while (t->vs != TL_VS_RUN) tl_cond_wait(&t->cv, &tl_W->mu);
  tl__v_take(t);
}

/* The base hook under the virtual clock: a count hook for accounting, plus
 * a line hook while a statement-level switch waits or in manual mode. */
static void tl__v_set_hook(tl_thread *t, lua_State *L, int count, int lines);

void tl__v_base_hook(tl_thread *t, lua_State *L) {
  t->vlines = 0;
  tl__v_set_hook(t, L, 0, t->vswitch && tl_W->cfg.switch_points == TL_SWITCH_STATEMENT);
}

/* Costs are charged at the next accounting tick, with the instructions
 * (see TL__QUANTUM). */
void tl_v_charge(uint64_t ns) {
  if (tl__self && tl_W->v.running == tl__self) tl__self->vdebt += ns;
}

/* The instructions run since the last hook, as virtual ns (outside the
 * world mutex: only t touches them). */
static uint64_t tl__v_charge(tl_thread *t, int is_line) {
  uint64_t ns;
  if (is_line) return 0;
  ns = (uint64_t)t->vcount * tl_W->cfg.instr_ns + t->vdebt;
  t->vdebt = 0;
  t->vticks += t->vcount;
  return ns;
}

/* Moves the clock on by what t ran (world mutex held), fires the timers
 * due, and waits while time is paused. */
static void tl__v_advance(tl_thread *t, uint64_t ns) {
  tl_world *w = tl_W;
  if (w->cfg.policy == TL_POLICY_NONE && ns) {
    /* No GIL: the ready threads take turns with this one, on as many
     * cores as there are, so a round of quanta takes share/cores quanta. */
    int share = 1 + tl__nready(t);
    ns /= (uint64_t)(share < w->cfg.cores ? share : w->cfg.cores);
  }
  if (ns && tl_vp_on()) {
    /* more processes computing than virtual cores: each goes slower */
    int computing = tl_vp_computing();
    if (computing > w->cfg.cores) ns = ns * (uint64_t)computing / (uint64_t)w->cfg.cores;
  }
  tl__vset(tl__vnow() + ns);
  tl__fire_timers();
  tl_vp_tick(tl__vnow());
  while (w->v.paused && !t->cancel) tl_cond_wait(&w->v.pace, &w->mu);
}

/* Manual scheduling: t's step is over; it waits until it is given the
 * next, which begins with the move's marker and time (world mutex held). */
static void tl__v_manual_stop(tl_thread *t) {
  tl__v_release(t, TL_GIL_YIELD);
  tl__make_ready(t, tl__vnow());
  tl__v_schedule();
  while (t->vs != TL_VS_RUN) tl_cond_wait(&t->cv, &tl_W->mu);
  tl__v_take(t);
  if (t->vstep_mark) tl_emit_as(t, TL_EV_MARK, 0, 0, t->vstep_mark);
  if (t->vstep_ns) {
    tl__vset(tl__vnow() + t->vstep_ns);
    tl__fire_timers();
  }
  t->vstep_mark = t->vstep_ns = 0;
}

/* Manual scheduling: each statement of the user's code spends one of the
 * statements t was given; with none left it stops before this one until
 * it is given more (the grant sets vbudget). */
static void tl__v_manual_step(tl_thread *t, lua_State *L, lua_Debug *ar, int is_line) {
  /* Statements of threadlab's own Lua (Thread:run ...) are not the user's
   * to step through. */
  size_t n;
  if (!is_line || !lua_getinfo(L, "S", ar)) return;
  /* (embedded as "=sync.lua", "=threading.lua": a Condition's wait is one
   * step of the user's, as a C call is) */
  n = strlen(ar->source);
  if (ar->source[0] == '=' && n > 4 && strcmp(ar->source + n - 4, ".lua") == 0) return;
  if (t->vbudget <= 0) tl__v_manual_stop(t);
  t->vbudget--;
}

void tl_v_pause_after_access(tl_thread *t) {
  tl_mutex_lock(&tl_W->mu);
  if (TL_VIRTUAL() && tl_W->cfg.sched == TL_SCHED_MANUAL && t != tl_W->main && t->vstep_access &&
      !t->cancel) {
    t->vstep_access = 0;
    tl__v_manual_stop(t);
  }
  tl_mutex_unlock(&tl_W->mu);
}

/* Whether a random preemption falls here (lab.explore's preempt). */
static int tl__v_preempt_now(int is_line) {
  double p = tl_W->cfg.preempt;
  return p > 0 && !is_line && (double)tl__v_rand(1000000) < p * 1e6;
}

/* What the GIL policy decides at this hook (world mutex held): 0, or the
 * reason to switch now (a GIL release reason). A decision to switch at
 * the next switch point is left in t->vswitch. */
static int tl__v_decide(tl_thread *t, lua_State *L, lua_Debug *ar, int is_line) {
  tl_world *w = tl_W;
  if (t->cancel) {
    t->vswitch = 0;
  } else if (w->cfg.sched == TL_SCHED_MANUAL && t != w->main) {
    tl__v_manual_step(t, L, ar, is_line);
  } else if (t->vswitch) {
    int at_point = w->cfg.switch_points == TL_SWITCH_STATEMENT ? is_line && t->primed : !is_line;
    if (is_line) t->primed = 1;
    if (at_point) return t->vswitch;
  } else if (w->cfg.policy == TL_POLICY_PY3) {
    tl_thread *r;
    for (r = w->live; r; r = r->next)
      if (r->vs == TL_VS_READY && r != t &&
          r->vready_since + w->cfg.switch_interval_ns <= tl__vnow())
        break;
    if (!r && tl__v_preempt_now(is_line))
      r = tl__pick(t); /* exploring: a switch at a random moment */
    if (r) {
      tl_emit_as(r, TL_EV_GIL_DROP_REQUEST, 0, t->id, 0);
      t->vswitch = TL_GIL_FORCED;
    }
  } else if (w->cfg.policy == TL_POLICY_PY2) {
    if (t->vticks >= w->cfg.check_interval || tl__v_preempt_now(is_line)) {
      t->vticks = 0;
      if (tl__nready(t)) t->vswitch = TL_GIL_YIELD;
    }
  } else if (tl__nready(t)) {
    return TL_GIL_YIELD; /* no GIL: take turns every quantum */
  }
  return 0;
}

/* Switches away now, for reason (world mutex held). */
static void tl__v_switch_now(tl_thread *t, int reason) {
  t->vswitch = 0;
  if (reason == TL_GIL_YIELD && tl_W->cfg.policy == TL_POLICY_PY2 &&
      tl__v_rand(TL__PY2_ODDS) != 0) {
    /* The old GIL on a multicore: the releaser takes it back before the
     * woken waiter gets to run. */
    tl_thread *r = tl__pick(t);
    tl_emit(TL_EV_GIL_RELEASE, TL_GIL_YIELD, 0, 0);
    tl_emit(TL_EV_GIL_ACQUIRE, 0, t->id, 0);
    if (r) tl_emit_as(r, TL_EV_GIL_FAILED_WAKEUP, 0, t->id, 0);
  } else {
    tl__switch(t, reason);
  }
}

/* With --speed: lets the wall clock catch up with virtual time, in short
 * naps so Ctrl-C is quick. */
static void tl__v_pace(tl_thread *t) {
  tl_world *w = tl_W;
  uint64_t target;
  if (w->cfg.speed <= 0) return;
  target = w->v.wall0 + (uint64_t)((double)tl__vnow() / w->cfg.speed);
  for (;;) {
    uint64_t now = tl_now_ns(), left;
    int cancelled;
    struct timespec ts = { 0, 0 };
    tl_mutex_lock(&w->mu);
    cancelled = t->cancel;
    tl_mutex_unlock(&w->mu);
    if (now >= target || cancelled) break;
    left = target - now;
    ts.tv_nsec = (long)(left < 20000000u ? left : 20000000u);
    nanosleep(&ts, NULL);
  }
}

/* The virtual clock's hook: charge what t ran, decide per policy, switch,
 * pace. */
void tl__v_hook(tl_thread *t, lua_State *L, lua_Debug *ar) {
  int is_line = ar->event == LUA_HOOKLINE, reason;
  tl_world *w = tl_W;
  uint64_t ns = tl__v_charge(t, is_line);
  tl_mutex_lock(&w->mu);
  tl__v_advance(t, ns);
  reason = tl__v_decide(t, L, ar, is_line);
  if (reason) tl__v_switch_now(t, reason);
  tl__v_set_hook(t, L, 0, t->vswitch && w->cfg.switch_points == TL_SWITCH_STATEMENT);
  tl_mutex_unlock(&w->mu);
  tl__v_pace(t);
}

static void tl__v_set_hook(tl_thread *t, lua_State *L, int count, int lines) {
  int mask = LUA_MASKCOUNT;
  if (!count) {
    if (t->vswitch && tl_W->cfg.switch_points == TL_SWITCH_INSTRUCTION)
      count = 1 + (int)tl__v_rand(7); /* anywhere within a statement */
    else
      count = TL__QUANTUM;
  }
  if (lines || tl_W->cfg.sched == TL_SCHED_MANUAL || t->trace_lines) mask |= LUA_MASKLINE;
  /* A line hook just set can first fire mid-statement (see gil.c). */
  if ((mask & LUA_MASKLINE) && !t->vlines) t->primed = 0;
  t->vlines = (mask & LUA_MASKLINE) != 0;
  t->vcount = count;
  t->in_hook = 1;
  lua_sethook(L, tl__hook, mask, count);
  t->in_hook = 0;
}

void tl_v_burn(uint64_t ns) {
  tl_mutex_lock(&tl_W->mu);
  if (tl_W->v.running == tl__self) {
    tl__vset(tl__vnow() + ns);
    tl__fire_timers();
  }
  tl_mutex_unlock(&tl_W->mu);
}

void tl_v_set_paused(int paused) {
  tl_world *w = tl_W;
  tl_mutex_lock(&w->mu);
  if (paused && !w->v.paused) {
    w->v.paused = 1;
    w->v.paused_at = tl_now_ns();
  } else if (!paused && w->v.paused) {
    w->v.paused = 0;
    w->v.wall0 += tl_now_ns() - w->v.paused_at; /* pacing resumes from here */
    tl_cond_broadcast(&w->v.pace);
    if (!w->v.running) tl__v_schedule();
  }
  tl_mutex_unlock(&w->mu);
}

static int tl__v_run(tl_thread *self, tl_thread *t, int statements, uint64_t mark, uint64_t ns,
                     int access, char *err, size_t errlen);

int tl_v_run(tl_thread *self, tl_thread *t, int statements, char *err, size_t errlen) {
  return tl__v_run(self, t, statements, 0, 0, 0, err, errlen);
}

/* A move by access runs t up to its next read or write of a shared global
 * (tl_v_pause_after_access), whatever lines that takes. */
int tl_v_move(tl_thread *self, tl_thread *t, const char *label, uint64_t ns, int access,
              char *err, size_t errlen) {
  uint64_t mark = tl_trace_global ? tl_trace_str(tl_trace_global, label, strlen(label)) : 0;
  return tl__v_run(self, t, access ? 1 << 30 : 1, mark, ns, access, err, errlen);
}

static int tl__v_run(tl_thread *self, tl_thread *t, int statements, uint64_t mark, uint64_t ns,
                     int access, char *err, size_t errlen) {
  tl_world *w = tl_W;
  int rc = 0;
  tl_mutex_lock(&w->mu);
  if (!TL_VIRTUAL()) {
    snprintf(err, errlen, "only the virtual clock can be stepped (:clock virtual)");
    rc = -1;
  } else if (!t) {
    t = tl__pick(self);
    if (!t) snprintf(err, errlen, "no thread is ready to run"), rc = -1;
  } else if (t == self) {
    snprintf(err, errlen, "%s is you: type the statement", t->name);
    rc = -1;
  } else if (t->vs != TL_VS_READY) {
    char *why = tl__describe_waits(0);
    snprintf(err, errlen, "%s cannot run now (%s)", t->name,
             t->ended ? "it has ended" : why && *why ? why : "it waits");
    free(why);
    rc = -1;
  }
  if (rc == 0) {
    tl__v_release(self, TL_GIL_BLOCKING);
    self->vs = TL_VS_OUTSIDE;
    self->wait_kind = TL_WAIT_INPUT;
    t->vbudget = statements;
    t->vstep_mark = mark;
    t->vstep_ns = ns;
    t->vstep_access = access;
    tl__grant(t);
    while (w->v.running && !self->cancel)
      tl_cond_wait_until(&w->v.pace, &w->mu, tl_now_ns() + 50000000u);
    self->wait_kind = TL_WAIT_NONE;
    tl__make_ready(self, tl__vnow());
    tl__v_take(self);
  }
  tl_mutex_unlock(&w->mu);
  return rc;
}

int tl_v_set_clock(int clock, char *err, size_t errlen) {
  tl_world *w = tl_W;
  tl_thread *self = tl__self;
  uint64_t now;
  int rc = 0;
  tl_mutex_lock(&w->mu);
  if (w->cfg.clock == clock) {
    /* nothing to do */
  } else if (w->nlive > 1) {
    snprintf(err, errlen, "the clock can change only while MainThread is alone (%d threads alive; :reset)",
             w->nlive);
    rc = -1;
  } else if (tl_proc_count() > 0) {
    /* one scheduler runs the processes of a virtual run: they would wait
     * for it for ever */
    snprintf(err, errlen, "the clock can change only while no other process of the run is alive "
             "(%d alive or not yet reaped; join them, or :reset)", tl_proc_count());
    rc = -1;
  } else if (clock == TL_CLOCK_VIRTUAL) {
    tl__vset(tl_now_ns() - w->t0); /* the trace's time goes on from here */
    w->cfg.clock = clock;
    w->v.wall0 = tl_now_ns() - (uint64_t)((double)tl__vnow() / (w->cfg.speed > 0 ? w->cfg.speed : 1));
    self->vs = TL_VS_RUN;
    w->v.running = self;
  } else {
    now = tl__vnow();
    w->cfg.clock = clock;
    w->t0 = tl_now_ns() - now;
    w->v.running = NULL;
  }
  tl_mutex_unlock(&w->mu);
  if (rc == 0) tl__spin_clock(clock);
  if (rc == 0) tl_gil_set_base_hook(self, atomic_load(&self->cur_L));
  return rc;
}

void tl_v_reseed(uint64_t seed) {
  tl_mutex_lock(&tl_W->mu);
  tl_W->cfg.seed = seed;
  tl_W->v.rng = seed * 0x2545f4914f6cdd1du + 0x1234567u;
  tl_mutex_unlock(&tl_W->mu);
}

void tl_v_set_speed(double speed) {
  tl_world *w = tl_W;
  tl_mutex_lock(&w->mu);
  w->cfg.speed = speed;
  if (speed > 0) w->v.wall0 = tl_now_ns() - (uint64_t)((double)tl__vnow() / speed);
  tl_cond_broadcast(&w->v.pace);
  tl_mutex_unlock(&w->mu);
}
