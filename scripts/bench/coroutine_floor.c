/* The yardstick for generator-switch-1M: one million coroutine round
 * trips (coroutine.wrap, resume and yield) in a stock Lua 5.4 host, no
 * threadlab at all: what a Lua coroutine switch costs on this machine.
 * Built and run by scripts/bench.sh:
 *   cc -O2 $(pkg-config --cflags lua5.4) coroutine_floor.c $(pkg-config --libs lua5.4) */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>

static const char chunk[] =
    "local co = coroutine.wrap(function(x) while true do x = coroutine.yield(x + 1) end end)\n"
    "local t = os.clock()\n"
    "for i = 1, 1000000 do co(i) end\n"
    "print(('stock-lua=%.3f'):format(os.clock() - t))\n";

int main(void) {
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  if (luaL_dostring(L, chunk) != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_close(L);
  return 0;
}
