/* The unpickler treats its bytes as hostile (they come from another
 * process, or a pipe anyone may write): any input loads or is refused with
 * a reason, and what loads pickles again. Needs only Lua and pickle.c. */
#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>

#include "pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int tl__fuzz_one(lua_State *L) {
  const char *s = lua_touserdata(L, 1);
  size_t n = (size_t)lua_tointeger(L, 2);
  char err[600];
  lua_settop(L, 0);
  if (tl_pickle_loads(L, s, n, err, sizeof err) == 0) {
    if (tl_pickle_dumps(L, 1, "obj", err, sizeof err) == 0) {
      size_t m;
      const char *again = lua_tolstring(L, -1, &m);
      /* what it pickled to loads again */
      if (tl_pickle_loads(L, again, m, err, sizeof err) != 0) abort();
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static lua_State *L;
  if (!L) {
    L = luaL_newstate();
    luaL_openlibs(L);
    /* a global function and a global "class", as names inputs may use */
    if (luaL_dostring(L, "function work(x) return x end Point = {} Point.__index = Point") != LUA_OK)
      abort();
  }
  lua_pushcfunction(L, tl__fuzz_one);
  lua_pushlightuserdata(L, (void *)data);
  lua_pushinteger(L, (lua_Integer)size);
  lua_pcall(L, 2, 0, 0); /* a memory error is an answer too */
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}
