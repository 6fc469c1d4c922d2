/* time: sleep releases the GIL and can be interrupted; the clocks read the
 * world's clock. */
#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <math.h>

static int f_sleep(lua_State *L) {
  tl_thread *self = tl__self;
  double s;
  uint64_t ns;
  int r = 0;
  if (lua_type(L, 1) != LUA_TNUMBER) return tl_arg_error(L, "time.sleep", "secs", "a number", 1);
  s = tl_check_timeout(L, 1, "time.sleep", "secs");
  if (!(s >= 0) || isinf(s))
    return tl_raise(L, "ValueError", "sleep length must be non-negative");
  ns = (uint64_t)(s * 1e9);
  tl_emit(TL_EV_SLEEP, 0, 0, ns);
  tl_mutex_lock(&tl_W->mu);
  TL_ALLOW_THREADS_BEGIN(self);
  {
    uint64_t deadline = tl_deadline_in(s);
    while (r == 0) r = tl__wait(self, TL_WAIT_SLEEP, NULL, deadline);
  }
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  tl_emit(TL_EV_SLEEP_END, 0, 0, 0);
  tl_check_cancel(L);
  return 0;
}

/* Under the virtual clock time.time() starts at a fixed date, so that two
 * runs with the same seed print the same times. */
#define TL__VIRTUAL_EPOCH_NS 1767225600000000000ull /* 2026-01-01 00:00 UTC */

static uint64_t tl__time_ns(void) {
  return TL_VIRTUAL() ? TL__VIRTUAL_EPOCH_NS + tl_clock_now() : tl_wall_ns();
}

static int f_time(lua_State *L) {
  lua_pushnumber(L, (double)tl__time_ns() / 1e9);
  return 1;
}

static int f_perf_counter(lua_State *L) {
  lua_pushnumber(L, (double)(TL_VIRTUAL() ? tl_clock_now() : tl_now_ns()) / 1e9);
  return 1;
}

static int f_time_ns(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)tl__time_ns());
  return 1;
}

int luaopen_tl_time(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "sleep",        f_sleep        },
    { "time",         f_time         },
    { "time_ns",      f_time_ns      },
    { "perf_counter", f_perf_counter },
    { "monotonic",    f_perf_counter },
    { NULL,           NULL           }
  };
  luaL_newlib(L, lib);
  return 1;
}
