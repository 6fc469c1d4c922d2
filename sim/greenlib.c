/* The C half of the coroutine modules (generators, greenlet, gevent,
 * asyncio): they run on Lua coroutines inside one thread, and each resume
 * is a switch between two green lanes of that thread. This writes those
 * lanes and switches into the trace, so the views can nest them under the
 * thread that runs them. */
#include "engine.h"
#include "io.h"

#include <lauxlib.h>
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

/* _green.finish(id): the lane's function returned or raised. */
static int f_finish(lua_State *L) {
  tl_emit(TL_EV_GREEN_END, 0, (uint32_t)luaL_checkinteger(L, 1), 0);
  return 0;
}

/* co becomes the thread's running state while it runs: the GIL's switch
 * requests and the virtual clock's accounting hook go to the state that
 * runs, so a long loop inside a generator or a task still lets the other
 * threads in. Returns the state to give back to (tl__leave_green). */
static lua_State *tl__enter_green(lua_State *co) {
  tl_thread *self = tl__self;
  lua_State *prev = self ? atomic_load(&self->cur_L) : NULL;
  if (prev) {
    atomic_store(&self->cur_L, co);
    tl_gil_set_base_hook(self, co);
  }
  return prev;
}

static void tl__leave_green(lua_State *prev) {
  if (prev) {
    atomic_store(&tl__self->cur_L, prev);
    tl_gil_set_base_hook(tl__self, prev);
  }
}

/* coroutine.resume(co, ...), as Lua's (its upvalue), run as above. */
static int f_co_resume(lua_State *L) {
  lua_State *co = lua_tothread(L, 1), *prev;
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  prev = tl__enter_green(co);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET); /* returns false, err: never raises */
  tl__leave_green(prev);
  return lua_gettop(L);
}

/* _green.step(co, to, from, ...) -> how, ...: a generator's send, next or
 * throw in one call (its hot path): switches to lane `to`, resumes co with
 * the arguments, and switches back to `from` (ending `to` first if co
 * ended). how is 1 (yielded) with the yielded values, 2 (returned) with
 * the returned ones, or 3 (raised) with the error. */
static int f_step(lua_State *L) {
  lua_State *co = lua_tothread(L, 1), *prev;
  lua_Integer to = luaL_checkinteger(L, 2), from = luaL_checkinteger(L, 3);
  int nargs = lua_gettop(L) - 3, nres = 0, status;
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  if (lua_status(co) == LUA_OK && lua_gettop(co) == 0)
    return luaL_error(L, "cannot resume dead coroutine");
  if (!lua_checkstack(co, nargs)) return luaL_error(L, "too many arguments to resume");
  tl_emit(TL_EV_GREEN_SWITCH, 0, (uint32_t)to, (uint64_t)from);
  if (TL_VIRTUAL()) tl_v_burn(TL__SWITCH_NS);
  lua_xmove(L, co, nargs);
  prev = tl__enter_green(co);
  status = lua_resume(co, L, nargs, &nres);
  tl__leave_green(prev);
  lua_settop(L, 0);
  if ((status == LUA_OK || status == LUA_YIELD) && !lua_checkstack(L, nres + 1)) {
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
  if (status != LUA_YIELD) tl_emit(TL_EV_GREEN_END, 0, (uint32_t)to, 0);
  tl_emit(TL_EV_GREEN_SWITCH, 0, (uint32_t)from, (uint64_t)to);
  if (TL_VIRTUAL()) tl_v_burn(TL__SWITCH_NS);
  return lua_gettop(L);
}

int luaopen_tl_green(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "new",      f_new      },
    { "switch",   f_switch   },
    { "step",     f_step     },
    { "finish",   f_finish   },
    { "io",       f_io       },
    { "sleeping", f_sleeping },
    { NULL,       NULL       }
  };
  lua_getglobal(L, "coroutine");
  lua_getfield(L, -1, "resume");
  lua_pushcclosure(L, f_co_resume, 1);
  lua_setfield(L, -2, "resume");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
