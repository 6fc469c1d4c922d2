/* lab: what threadlab adds for teaching (marks in the timeline, the GIL's
 * settings). */
#include "engine.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static int f_mark(lua_State *L) {
  size_t len;
  const char *s = tl_check_str(L, 1, "lab.mark", "text");
  len = lua_rawlen(L, 1);
  tl_emit_text(TL_EV_MARK, 0, s, len);
  return 0;
}

/* lab.narrate(text): text for the window's narration panel, as is, until
 * the lesson says something else (nil or "" empties it). It is an event:
 * a saved trace keeps it, and every view reads it there. */
static int f_narrate(lua_State *L) {
  size_t len = 0;
  const char *s = luaL_optlstring(L, 1, "", &len);
  if (tl_trace_global)
    tl_emit(TL_EV_LESSON_STEP, TL_LESSON_NARRATE, 0, tl_trace_str(tl_trace_global, s, len));
  return 0;
}

static const char *const tl__policies[] = { "py3", "py2", NULL };
static const char *const tl__points[] = { "instruction", "statement", NULL };

/* lab.gil{policy=, switch_interval=ms, switch_points=, check_interval=}
 * sets what is given and returns the settings as a table. */
static int f_gil(lua_State *L) {
  tl_config cfg = tl_W->cfg;
  static const char *const kw[] = { "policy", "switch_points", "switch_interval",
                                     "check_interval", NULL };
  if (!lua_isnoneornil(L, 1)) {
    if (!lua_istable(L, 1)) return tl_arg_error(L, "lab.gil", "settings", "a table", 1);
    tl_check_kwargs(L, 1, "lab.gil", kw);
    if (lua_getfield(L, 1, "policy") != LUA_TNIL)
      cfg.policy = tl_check_option(L, -1, "lab.gil", "policy", tl__policies);
    if (lua_getfield(L, 1, "switch_points") != LUA_TNIL)
      cfg.switch_points = tl_check_option(L, -1, "lab.gil", "switch_points", tl__points);
    if (lua_getfield(L, 1, "switch_interval") != LUA_TNIL) {
      double ms = tl_check_number(L, -1, "lab.gil", "switch_interval");
      if (!(ms > 0) || ms > 60000)
        return tl_raise(L, "ValueError", "switch_interval must be in (0, 60000] ms");
      cfg.switch_interval_ns = (uint64_t)(ms * 1e6);
    }
    if (lua_getfield(L, 1, "check_interval") != LUA_TNIL) {
      lua_Integer n = tl_check_whole(L, -1, "lab.gil", "check_interval");
      if (n < 1 || n > 1000000000)
        return tl_raise(L, "ValueError", "check_interval must be a positive integer");
      cfg.check_interval = (int)n;
    }
    lua_pop(L, 4);
    tl_gil_configure(&cfg);
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, tl__policies[cfg.policy]);
  lua_setfield(L, -2, "policy");
  lua_pushstring(L, tl__points[cfg.switch_points]);
  lua_setfield(L, -2, "switch_points");
  lua_pushnumber(L, (double)cfg.switch_interval_ns / 1e6);
  lua_setfield(L, -2, "switch_interval");
  lua_pushinteger(L, cfg.check_interval);
  lua_setfield(L, -2, "check_interval");
  return 1;
}

/* lab.trace_stats() -> events appended, lost (the log was full, STOP
 * mode), dropped (overwritten in the ring by newer ones) */
static int f_trace_stats(lua_State *L) {
  tl_trace *tr = tl_trace_global;
  lua_pushinteger(L, tr ? (lua_Integer)tl_trace_total(tr) : 0);
  lua_pushinteger(L, tr ? (lua_Integer)tl_trace_lost(tr) : 0);
  lua_pushinteger(L, tr ? (lua_Integer)tl_trace_dropped(tr) : 0);
  return 3;
}

/* lab.count(kind) -> how many events of that kind were appended, those
 * the ring has dropped since included */
static int f_count(lua_State *L) {
  const char *kind = tl_check_str(L, 1, "lab.count", "kind");
  unsigned k;
  for (k = 1; k < TL_EV__COUNT; k++)
    if (strcmp(tl_event_kind_name(k), kind) == 0) break;
  if (k == TL_EV__COUNT) return tl_raise(L, "ValueError", "no event kind '%s'", kind);
  lua_pushinteger(L, tl_trace_global ? (lua_Integer)tl_trace_kind_count(tl_trace_global, k) : 0);
  return 1;
}

static const char *const tl__clocks[] = { "real", "virtual", NULL };
static const char *const tl__scheds[] = { "auto", "manual", NULL };

/* lab.clock{clock=, seed=, speed=, sched=, cores=, instr_ns=} sets what is
 * given and returns the settings. */
static int f_clock(lua_State *L) {
  char err[256];
  static const char *const kw[] = { "clock", "seed", "speed", "sched", "cores", "preempt",
                                     "instr_ns", NULL };
  if (!lua_isnoneornil(L, 1)) {
    if (!lua_istable(L, 1)) return tl_arg_error(L, "lab.clock", "settings", "a table", 1);
    tl_check_kwargs(L, 1, "lab.clock", kw);
    if (lua_getfield(L, 1, "clock") != LUA_TNIL &&
        tl_v_set_clock(tl_check_option(L, -1, "lab.clock", "clock", tl__clocks), err,
                       sizeof err) != 0)
      return tl_raise(L, "RuntimeError", "%s", err);
    if (lua_getfield(L, 1, "seed") != LUA_TNIL) {
      lua_Integer seed = tl_check_whole(L, -1, "lab.clock", "seed");
      if (seed < 0) return tl_raise(L, "ValueError", "seed must be >= 0");
      tl_v_reseed((uint64_t)seed);
    }
    if (lua_getfield(L, 1, "speed") != LUA_TNIL) {
      double speed = tl_check_number(L, -1, "lab.clock", "speed");
      if (!(speed >= 0) || speed > 1e9) return tl_raise(L, "ValueError", "speed must be >= 0");
      tl_v_set_speed(speed);
    }
    if (lua_getfield(L, 1, "sched") != LUA_TNIL) {
      int sched = tl_check_option(L, -1, "lab.clock", "sched", tl__scheds);
      if (sched == TL_SCHED_MANUAL && !TL_VIRTUAL())
        return tl_raise(L, "RuntimeError", "manual scheduling needs the virtual clock");
      tl_mutex_lock(&tl_W->mu);
      tl_W->cfg.sched = sched;
      if (!tl_W->v.running && TL_VIRTUAL()) tl__v_schedule();
      tl_mutex_unlock(&tl_W->mu);
    }
    if (lua_getfield(L, 1, "cores") != LUA_TNIL) {
      lua_Integer k = tl_check_whole(L, -1, "lab.clock", "cores");
      if (k < 1 || k > 1024) return tl_raise(L, "ValueError", "cores must be in 1..1024");
      tl_mutex_lock(&tl_W->mu);
      tl_W->cfg.cores = (int)k;
      tl_mutex_unlock(&tl_W->mu);
    }
    if (lua_getfield(L, 1, "preempt") != LUA_TNIL) {
      double p = tl_check_number(L, -1, "lab.clock", "preempt");
      if (!(p >= 0 && p <= 1)) return tl_raise(L, "ValueError", "preempt is a chance in [0, 1]");
      tl_mutex_lock(&tl_W->mu);
      tl_W->cfg.preempt = p;
      tl_mutex_unlock(&tl_W->mu);
    }
    if (lua_getfield(L, 1, "instr_ns") != LUA_TNIL) {
      lua_Integer ns = tl_check_whole(L, -1, "lab.clock", "instr_ns");
      if (ns < 1 || ns > 1000000) return tl_raise(L, "ValueError", "instr_ns must be in 1..1000000");
      tl_mutex_lock(&tl_W->mu);
      tl_W->cfg.instr_ns = (uint64_t)ns;
      tl_mutex_unlock(&tl_W->mu);
    }
    lua_settop(L, 1);
  }
  lua_createtable(L, 0, 6);
  lua_pushstring(L, tl__clocks[tl_W->cfg.clock]);
  lua_setfield(L, -2, "clock");
  lua_pushinteger(L, (lua_Integer)tl_W->cfg.seed);
  lua_setfield(L, -2, "seed");
  lua_pushnumber(L, tl_W->cfg.speed);
  lua_setfield(L, -2, "speed");
  lua_pushstring(L, tl__scheds[tl_W->cfg.sched]);
  lua_setfield(L, -2, "sched");
  lua_pushinteger(L, tl_W->cfg.cores);
  lua_setfield(L, -2, "cores");
  lua_pushinteger(L, (lua_Integer)tl_W->cfg.instr_ns);
  lua_setfield(L, -2, "instr_ns");
  lua_pushboolean(L, tl_W->v.paused);
  lua_setfield(L, -2, "paused");
  lua_pushnumber(L, tl_W->cfg.preempt);
  lua_setfield(L, -2, "preempt");
  return 1;
}

static int f_pause(lua_State *L) {
  tl_v_set_paused(lua_isnoneornil(L, 1) ? 1 : lua_toboolean(L, 1));
  return 0;
}

static int f_resume(lua_State *L) {
  tl_v_set_paused(0);
  return 0;
}

/* A thread by its Thread object, name, or trace id (2 for T2). */
static tl_thread *tl__find_thread(lua_State *L, int idx) {
  tl_thread *t, *found = NULL;
  lua_Integer id = 0;
  const char *name = NULL;
  if (lua_istable(L, idx)) {
    lua_getfield(L, idx, "name");
    name = lua_tostring(L, -1);
    lua_pop(L, 1);
  } else if (lua_isinteger(L, idx)) {
    id = lua_tointeger(L, idx);
  } else {
    name = tl_check_str(L, idx, "lab.run", "thread");
    if ((name[0] == 'T' || name[0] == 't') && name[1] >= '0' && name[1] <= '9')
      id = strtol(name + 1, NULL, 10), name = NULL;
  }
  tl_mutex_lock(&tl_W->mu);
  for (t = tl_W->live; t && !found; t = t->next)
    if ((id && t->id == (uint32_t)id) || (name && strcmp(t->name, name) == 0)) found = t;
  tl_mutex_unlock(&tl_W->mu);
  if (!found) tl_raise(L, "ValueError", "no live thread %s", lua_tostring(L, idx) ? lua_tostring(L, idx) : "like that");
  return found;
}

/* lab.run(thread, n): manual scheduling, n statements (default 1). */
static int f_run(lua_State *L) {
  char err[512];
  tl_thread *t = lua_isnoneornil(L, 1) ? NULL : tl__find_thread(L, 1);
  lua_Integer n = lua_isnoneornil(L, 2) ? 1 : tl_check_whole(L, 2, "lab.run", "n");
  if (n < 1 || n > 1000000000)
    return tl_raise(L, "ValueError", "lab.run(): the number of statements must be in 1..1e9");
  if (tl_v_run(tl__self, t, (int)n, err, sizeof err) != 0) return tl_raise(L, "RuntimeError", "%s", err);
  tl_check_cancel(L);
  return 0;
}

/* lab._move(thread, label, access): a challenge's move, one statement
 * (or with access, up to its next lab._pause) drawn with the marker
 * `label` on the thread's row and 1 ms of virtual time, so that a
 * recording shows every move apart (a statement takes ns). */
static int f_move(lua_State *L) {
  char err[512];
  tl_thread *t = tl__find_thread(L, 1);
  const char *label = tl_check_str(L, 2, "lab._move", "label");
  if (tl_v_move(tl__self, t, label, 1000000, lua_toboolean(L, 3), err, sizeof err) != 0)
    return tl_raise(L, "RuntimeError", "%s", err);
  tl_check_cancel(L);
  return 0;
}

/* lab._pause(): the caller has just read or written a shared global: a
 * move by access ends here (see tl_v_pause_after_access). */
static int f_pause_access(lua_State *L) {
  tl_v_pause_after_access(tl__self);
  tl_check_cancel(L);
  return 0;
}

/* lab.compute(ms, {gil=true}): CPU work done in C. With gil=false it runs
 * without the GIL, as numpy or hashlib do, so other threads run meanwhile. */
static int f_compute(lua_State *L) {
  tl_thread *self = tl__self;
  static const char *const kw[] = { "gil", NULL };
  double ms = tl_check_number(L, 1, "lab.compute", "ms");
  int gil = 1, r = 0;
  if (!(ms >= 0) || ms > 3.6e6)
    return tl_raise(L, "ValueError", "lab.compute(): ms must be in [0, 3600000]");
  if (!lua_isnoneornil(L, 2) && !lua_istable(L, 2))
    return tl_arg_error(L, "lab.compute", "opts", "a table", 2);
  if (lua_istable(L, 2)) tl_check_kwargs(L, 2, "lab.compute", kw);
  if (lua_istable(L, 2) && lua_getfield(L, 2, "gil") != LUA_TNIL) gil = lua_toboolean(L, -1);
  /* Work without the GIL is running, not waiting: the views draw it so. */
  if (!gil) tl_emit(TL_EV_COMPUTE, 1, 0, (uint64_t)(ms * 1e6));
  if (TL_VIRTUAL()) {
    if (gil) {
      tl_v_burn((uint64_t)(ms * 1e6)); /* the GIL is held all along */
    } else {
      uint64_t deadline;
      tl_mutex_lock(&tl_W->mu);
      TL_ALLOW_THREADS_BEGIN(self);
      deadline = tl_deadline_in(ms / 1e3);
      while (r == 0) r = tl__wait(self, TL_WAIT_COMPUTE, NULL, deadline);
      TL_ALLOW_THREADS_END(self);
      tl_mutex_unlock(&tl_W->mu);
    }
  } else {
    uint64_t end = tl_now_ns() + (uint64_t)(ms * 1e6);
    volatile uint64_t spin = 0;
    if (!gil) tl_gil_release(self, TL_GIL_BLOCKING);
    while (tl_now_ns() < end && !self->cancel)
      for (int i = 0; i < 10000; i++) spin += (uint64_t)i;
    if (!gil) tl_gil_take(self);
  }
  if (!gil) tl_emit(TL_EV_COMPUTE_END, 0, 0, 0);
  tl_check_cancel(L);
  return 0;
}

/* lab._cancel_others(): ends every thread but the caller (lab.explore
 * between runs: a run that deadlocked leaves its threads blocked). */
static int f_cancel_others(lua_State *L) {
  tl_leave_world(tl__self);
  tl_world_cancel_all(tl_W);
  tl_enter_world(tl__self);
  (void)L;
  return 0;
}

/* lab._trace_lines(on): the calling thread traces each line it starts (the
 * lesson player turns it on, so the window can show the running line). */
static int f_trace_lines(lua_State *L) {
  tl_thread *self = tl__self;
  self->trace_lines = lua_toboolean(L, 1);
  self->traced_line = 0;
  tl_gil_set_base_hook(self, atomic_load(&self->cur_L));
  return 0;
}

int luaopen_tl_lab(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "mark",           f_mark            },
    { "narrate",        f_narrate         },
    { "gil",            f_gil             },
    { "trace_stats",    f_trace_stats     },
    { "count",          f_count           },
    { "clock",          f_clock           },
    { "pause",          f_pause           },
    { "resume",         f_resume          },
    { "run",            f_run             },
    { "_move",          f_move            },
    { "_pause",         f_pause_access    },
    { "compute",        f_compute         },
    { "_cancel_others", f_cancel_others   },
    { "_trace_lines",   f_trace_lines     },
    { NULL,             NULL              }
  };
  luaL_newlib(L, lib);
  return 1;
}
