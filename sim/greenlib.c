/* The C half of the coroutine modules (generators, greenlet, gevent,
 * asyncio): they run on Lua coroutines inside one thread, and each resume
 * is a switch between two green lanes of that thread. This writes those
 * lanes and switches into the trace, so the views can nest them under the
 * thread that runs them. */
#include "engine.h"
#include "io.h"

#include <errno.h>
#include <lauxlib.h>
#include <poll.h>
#include <string.h>

static const char *const tl__green_kinds[] = {
#define TL__GREEN_TEXT(name, text) text,
    TL_GREEN_KINDS(TL__GREEN_TEXT)
#undef TL__GREEN_TEXT
    NULL};

/* _green.new(kind, name) -> id: a green lane of the calling thread. */
static int f_new(lua_State *L) {
  size_t len;
  int kind = luaL_checkoption(L, 1, NULL, tl__green_kinds) + 1;
  const char *name = luaL_checklstring(L, 2, &len);
  uint32_t id = tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0;
  if (tl_trace_global)
    tl_emit(TL_EV_GREEN_NEW, (uint16_t)kind, id, tl_trace_str(tl_trace_global, name, len));
  lua_pushinteger(L, id);
  return 1;
}

/* In the virtual clock a switch costs what a greenlet switch costs in
 * CPython (a few hundred ns), so a picture of switches has width. */
#define TL__SWITCH_NS 500

/* _green.switch(to, from): the lane `to` runs now (0 is the thread's own). */
static int f_switch(lua_State *L) {
  lua_Integer to = luaL_checkinteger(L, 1), from = luaL_checkinteger(L, 2);
  tl_emit(TL_EV_GREEN_SWITCH, 0, (uint32_t)to, (uint64_t)from);
  if (TL_VIRTUAL()) tl_v_burn(TL__SWITCH_NS);
  return 0;
}

/* _green.sleeping(id, on): the lane's thread sleeps for it (the hub or
 * the event loop waiting for its next timer), so the lane is drawn asleep. */
static int f_sleeping(lua_State *L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  tl_emit(TL_EV_GREEN_SWITCH, lua_toboolean(L, 2) ? 1 : 2, (uint32_t)id, (uint64_t)id);
  return 0;
}

/* _green.io(id, fd, on): the lane waits for fd (on) or no longer does; the
 * hub or loop waits for it on the lane's behalf, so the thread shows the
 * hub's wait and the lane shows its own. */
static int f_io(lua_State *L) {
  lua_Integer id = luaL_checkinteger(L, 1), fd = luaL_checkinteger(L, 2);
  int on = lua_toboolean(L, 3);
  tl_emit(TL_EV_GREEN_SWITCH, on ? 3 : 4, (uint32_t)id, on ? tl_io_said((int)fd) : 0);
  return 0;
}

/* _green.ready(fd, mode) -> whether fd is readable ("r") or writable
 * ("w") now, without waiting: gevent's patched calls try first, as
 * gevent's sockets do, and wait in the hub only when the call would block.
 * (In the virtual clock a send has landed before it returns, so what this
 * sees does not depend on the machine's load.) */
static int f_ready(lua_State *L) {
  struct pollfd p;
  int r;
  p.fd = (int)luaL_checkinteger(L, 1);
  p.events = *luaL_checkstring(L, 2) == 'w' ? POLLOUT : POLLIN;
  p.revents = 0;
  while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR) {}
  lua_pushboolean(L, r > 0);
  return 1;
}

/* An entry's descriptor: an integer, or what its fileno() returns. */
static int tl__entry_fd(lua_State *L, int entry) {
  int fd;
  lua_getfield(L, entry, "fd");
  if (!lua_isinteger(L, -1)) {
    lua_getfield(L, -1, "fileno");
    lua_insert(L, -2);
    lua_call(L, 1, 1);
  }
  fd = (int)luaL_checkinteger(L, -1);
  lua_pop(L, 1);
  return fd;
}

/* _green.poll_io(io, timeout) -> io: the hub's or the event loop's wait
 * for the descriptors its green lanes wait on; io lists entries {fd=,
 * mode="r"|"w", wake=}. Waits as select(reads, writes, {}, timeout) does
 * (the same trace: the thread's I/O wait and its ready set), at most
 * timeout (nil: no limit; < 0: none), calls wake(true) of each ready entry
 * and leaves in io, in order, the entries still waiting. */
#define TL__POLL_STACK 64
static int f_poll_io(lua_State *L) {
  struct pollfd small[TL__POLL_STACK], *fds = small;
  int slot_small[TL__POLL_STACK], *slot = slot_small; /* io index - 1 -> fds index */
  lua_Integer n = luaL_len(L, 1), i, kept = 0;
  double timeout = lua_isnoneornil(L, 2) ? -1 : luaL_checknumber(L, 2);
  lua_Integer lane = luaL_optinteger(L, 3, 0); /* the hub's or loop's lane */
  int k = 0, pass;
  if (timeout < 0 && !lua_isnoneornil(L, 2)) timeout = 0;
  if (n > TL__POLL_STACK) {
    fds = lua_newuserdatauv(L, (size_t)n * (sizeof *fds + sizeof *slot), 0);
    slot = (int *)(fds + n);
  }
  for (pass = 0; pass < 2; pass++) /* the reads, then the writes */
    for (i = 1; i <= n; i++) {
      int entry = lua_gettop(L) + 1, w;
      lua_geti(L, 1, i);
      lua_getfield(L, entry, "mode");
      w = lua_isstring(L, -1) && *lua_tostring(L, -1) == 'w';
      lua_pop(L, 1);
      if (w == pass) {
        fds[k].fd = tl__entry_fd(L, entry);
        fds[k].events = w ? POLLOUT : POLLIN;
        fds[k].revents = 0;
        slot[i - 1] = k++;
      }
      lua_settop(L, entry - 1);
    }
  /* the loop's own lane waits too (not runs) while its thread waits */
  if (lane && k) tl_emit(TL_EV_GREEN_SWITCH, 3, (uint32_t)lane, tl_io_say_set(fds, k));
  tl_io_wait(L, fds, k, timeout, TL_IO_MARK);
  if (lane && k) tl_emit(TL_EV_GREEN_SWITCH, 4, (uint32_t)lane, 0);
  for (i = 0; i < k; i++)
    if (fds[i].revents & POLLNVAL) return tl_io_raise_errno(L, EBADF);
  for (i = 1; i <= n; i++) {
    struct pollfd *p = &fds[slot[i - 1]];
    short want = p->events == POLLOUT ? POLLOUT | POLLERR : POLLIN | POLLHUP | POLLERR;
    int ready = (p->revents & want) != 0;
    lua_geti(L, 1, i);
    if (ready) {
      lua_getfield(L, -1, "wake");
      lua_pushboolean(L, 1);
      lua_call(L, 1, 0);
      lua_pop(L, 1);
    } else {
      lua_seti(L, 1, ++kept);
    }
  }
  for (i = kept + 1; i <= n; i++) {
    lua_pushnil(L);
    lua_seti(L, 1, i);
  }
  lua_settop(L, 1);
  return 1;
}

/* _green.finish(id): the lane's function returned or raised. */
static int f_finish(lua_State *L) {
  tl_emit(TL_EV_GREEN_END, 0, (uint32_t)luaL_checkinteger(L, 1), 0);
  return 0;
}

/* co becomes the thread's running state while it runs: the GIL's switch
 * requests and the virtual clock's accounting hook go to the state that
 * runs, so a long loop inside a generator or a task still lets the other
 * threads in. Returns the state to give back to (tl__leave_green).
 * (cur_L is read across threads only under the GIL, and by this thread's
 * own poke handler: a release store is enough.) */
static inline __attribute__((always_inline)) void tl__hand_hooks(tl_thread *self, lua_State *from,
                                                                lua_State *to) {
  atomic_store_explicit(&self->cur_L, to, memory_order_release);
  /* Neither state hooked and no switch asked for: the base hook is none
   * (the virtual clock and --trace-lines always hook, a poke before the
   * store above hooked `from` or raised hook_wanted, one after it hooks
   * `to`), so there is nothing to hand over. */
  if (lua_gethook(from) == NULL && lua_gethook(to) == NULL &&
      !atomic_load_explicit(&self->hook_wanted, memory_order_relaxed))
    return;
  tl_gil_set_base_hook(self, to);
}

static lua_State *tl__enter_green(lua_State *co) {
  tl_thread *self = tl__self;
  lua_State *prev = self ? atomic_load_explicit(&self->cur_L, memory_order_relaxed) : NULL;
  if (prev) tl__hand_hooks(self, prev, co);
  return prev;
}

static void tl__leave_green(lua_State *co, lua_State *prev) {
  if (prev) tl__hand_hooks(tl__self, co, prev);
}

/* Lua's resume of co with the top narg values of L, run as above: the
 * results moved onto L (how many), or -1 with the error on top (lua_resume
 * itself refuses a dead or a running coroutine). */
static int tl__resume(lua_State *L, lua_State *co, int narg) {
  int status, nres;
  lua_State *prev;
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, narg);
  prev = tl__enter_green(co);
  status = lua_resume(co, L, narg, &nres);
  tl__leave_green(co, prev);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      lua_pushliteral(L, "too many results to resume");
      return -1;
    }
    lua_xmove(co, L, nres);
    return nres;
  }
  lua_xmove(co, L, 1); /* the error object */
  return -1;
}

/* coroutine.resume(co, ...), as Lua's. */
static int f_co_resume(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  int n;
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  n = tl__resume(L, co, lua_gettop(L) - 1);
  lua_pushboolean(L, n >= 0);
  lua_insert(L, n >= 0 ? -(n + 1) : -2);
  return n >= 0 ? n + 1 : 2;
}

/* A function coroutine.wrap made: resumes its coroutine (the upvalue); an
 * error ends the coroutine (its pending to-be-closed variables closed)
 * and goes on to the caller as it was raised. */
static int f_wrapped(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int n = tl__resume(L, co, lua_gettop(L));
  if (n >= 0) return n;
  if (lua_status(co) != LUA_OK && lua_status(co) != LUA_YIELD) lua_resetthread(co);
  return lua_error(L);
}

/* coroutine.wrap(f), as Lua's, on the resume above. */
static int f_co_wrap(lua_State *L) {
  lua_State *co;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, f_wrapped, 1);
  return 1;
}

/* A coroutine's lane is kept in its extra space (LUA_EXTRASPACE, a pointer
 * wide), so a switch finds both lanes without a table lookup: the high
 * half is a mark, since a new coroutine copies the main thread's bytes,
 * which nobody set. No mark: lane 0, the thread's own. */
#define TL__LANE_MARK 0x6c616e65u
_Static_assert(LUA_EXTRASPACE >= sizeof(uint64_t), "a lane fits in a coroutine's extra space");

static uint32_t tl__lane(lua_State *co) {
  uint64_t v;
  memcpy(&v, lua_getextraspace(co), sizeof v);
  return (uint32_t)(v >> 32) == TL__LANE_MARK ? (uint32_t)v : 0;
}

/* _green.set_lane(co, id): co's body runs in lane id. */
static int f_set_lane(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  uint64_t v = ((uint64_t)TL__LANE_MARK << 32) | (uint32_t)luaL_checkinteger(L, 2);
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  memcpy(lua_getextraspace(co), &v, sizeof v);
  return 0;
}

/* A round trip longer than this is written as two events: a view that
 * plays the run up to a time sees the switch back at its own time. */
#define TL__ROUND_MAX_NS 1000000u

/* tl_clock_now with the clock in use already looked up (a send reads it
 * twice). */
static inline uint64_t tl__stamp(int virt) {
  return virt ? tl_clock_now() : tl_now_ns() - tl_W->t0;
}

/* One switch into lane `to` and back to `from`: resumes co with the
 * values above `keep` on L's stack, then leaves on it, above `keep`, how
 * (1 yielded, 2 returned, 3 raised) and the yielded or returned values or
 * the error. Both switches are traced, and the end of `to` if co ended:
 * the switch in waits (tl__pend) for the switch back, and when nothing
 * else was written between them, both are one event (reason 5). */
static int tl__step(lua_State *L, lua_State *co, uint32_t to, uint32_t from, int keep) {
  int nargs = lua_gettop(L) - keep, nres = 0, status, virt = TL_VIRTUAL();
  lua_State *prev;
  if (!lua_checkstack(co, nargs)) return luaL_error(L, "too many arguments to resume");
  if (tl__pend.on) tl__green_flush(); /* a send from inside a send */
  tl__pend.t = tl__stamp(virt);
  tl__pend.to = to;
  tl__pend.from = from;
  tl__pend.tid = tl__self ? tl__self->id : 0;
  tl__pend.on = tl_trace_global != NULL;
  /* (what tl_emit and the switch cost in the virtual clock, as before) */
  if (virt) tl_v_charge(TL_BUILTIN_NS), tl_v_burn(TL__SWITCH_NS);
  lua_xmove(L, co, nargs);
  prev = tl__enter_green(co);
  status = lua_resume(co, L, nargs, &nres);
  tl__leave_green(co, prev);
  /* (a C function has LUA_MINSTACK free slots above its arguments) */
  if ((status == LUA_OK || status == LUA_YIELD) && nres >= LUA_MINSTACK - 1 &&
      !lua_checkstack(L, nres + 1)) {
    /* (told as the body's error, so the switch back is still drawn and
     * the generator ends cleanly) */
    lua_pop(co, nres);
    lua_pushliteral(co, "too many results to resume");
    status = LUA_ERRRUN;
  }
  if (status == LUA_OK || status == LUA_YIELD) {
    lua_pushinteger(L, status == LUA_YIELD ? 1 : 2);
    lua_xmove(co, L, nres);
  } else {
    lua_pushinteger(L, 3);
    lua_xmove(co, L, 1); /* the error object */
  }
  /* (the body may have changed the clock: then two events, as before) */
  if (tl__pend.on && status == LUA_YIELD && TL_VIRTUAL() == virt) {
    uint64_t now = tl__stamp(virt), dur = now - tl__pend.t;
    tl__pend.on = 0;
    if (dur <= TL__ROUND_MAX_NS) {
      tl_trace_emit(tl_trace_global, tl__pend.t, tl_W->pid, tl__pend.tid, TL_EV_GREEN_SWITCH,
                    TL_GREEN_ROUND, to, (uint64_t)from | dur << 32);
      if (virt) tl_v_charge(TL_BUILTIN_NS), tl_v_burn(TL__SWITCH_NS);
      return 1;
    }
    tl_trace_emit(tl_trace_global, tl__pend.t, tl_W->pid, tl__pend.tid, TL_EV_GREEN_SWITCH, 0,
                  to, from);
  }
  if (status != LUA_YIELD) tl_emit(TL_EV_GREEN_END, 0, to, 0);
  tl_emit(TL_EV_GREEN_SWITCH, 0, from, to);
  if (TL_VIRTUAL()) tl_v_burn(TL__SWITCH_NS);
  return status == LUA_YIELD ? 1 : status == LUA_OK ? 2 : 3;
}

/* _green.step(co, to, from, ...) -> how, ...: a generator's send, next or
 * throw in one call, as tl__step. */
static int f_step(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  lua_Integer to = luaL_checkinteger(L, 2), from = luaL_checkinteger(L, 3);
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  if (lua_status(co) == LUA_OK && lua_gettop(co) == 0)
    return luaL_error(L, "cannot resume dead coroutine");
  lua_rotate(L, 1, -3);
  lua_pop(L, 3);
  tl__step(L, co, (uint32_t)to, (uint32_t)from, 0);
  return lua_gettop(L);
}

/* _green.sender(slow, finish) -> send(g, ...): a generator's send and next
 * (the hot path of every generator). g[1] is g's coroutine while g is
 * open; a suspended one is resumed here, from the lane of the caller;
 * what it yields comes straight back, and an end goes to finish(g, how,
 * ...) (StopIteration or the body's error). Anything else (not started,
 * running, closed, not a generator) is the Lua method slow(g, ...). */
static int f_sent(lua_State *L) {
  lua_State *co = NULL;
  if (lua_type(L, 1) == LUA_TTABLE) {
    if (lua_rawgeti(L, 1, 1) == LUA_TTHREAD) co = lua_tothread(L, -1);
    lua_pop(L, 1);
  }
  if (co == NULL || lua_status(co) != LUA_YIELD) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
  }
  if (tl__step(L, co, tl__lane(co), tl__lane(L), 1) == 1) return lua_gettop(L) - 2;
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int f_sender(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  lua_pushcclosure(L, f_sent, 2);
  return 1;
}

/* yield(...) as a generator's body calls it: gives the values to whoever
 * resumed and returns what they send. (throw, error) sent in, throw being
 * the upvalue, raises error here, at the suspension point (throw, close). */
static int f_yielded(lua_State *L, int status, lua_KContext ctx) {
  (void)status, (void)ctx;
  /* (the sentinel is a table: most sends pass none, and skip the compare) */
  if (lua_type(L, 1) == LUA_TTABLE && lua_rawequal(L, 1, lua_upvalueindex(1))) {
    lua_settop(L, 2);
    return lua_error(L);
  }
  return lua_gettop(L);
}

static int f_yield(lua_State *L) {
  return lua_yieldk(L, lua_gettop(L), 0, f_yielded);
}

/* _green.yielder(throw) -> yield */
static int f_yielder(lua_State *L) {
  lua_settop(L, 1);
  lua_pushcclosure(L, f_yield, 1);
  return 1;
}

int luaopen_tl_green(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "new",      f_new      },
    { "switch",   f_switch   },
    { "step",     f_step     },
    { "sender",   f_sender   },
    { "yielder",  f_yielder  },
    { "set_lane", f_set_lane },
    { "finish",   f_finish   },
    { "io",       f_io       },
    { "ready",    f_ready    },
    { "poll_io",  f_poll_io  },
    { "sleeping", f_sleeping },
    { NULL,       NULL       }
  };
  lua_getglobal(L, "coroutine");
  lua_pushcfunction(L, f_co_resume);
  lua_setfield(L, -2, "resume");
  lua_pushcfunction(L, f_co_wrap);
  lua_setfield(L, -2, "wrap");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
