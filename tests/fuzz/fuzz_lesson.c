/* The lesson forms: any text is checked for being a lesson (the player's
 * scan of its first statement) and split into steps; any constructor the
 * text makes is given to expect{}, say{} and lesson{} as a lesson would.
 * A bad form is a typed error, never a crash. */
#include "fuzz.h"

#include <lauxlib.h>

#include "app.h"

static const char tl__driver[] =
  "local text = ...\n"
  "pcall(lesson._parse, text)\n"
  "local f = load('return ' .. text, '=form', 't', {})\n"
  "if not f then return end\n"
  /* a form is data: a loop in it is cut short */
  "debug.sethook(function() error('too long') end, '', 100000)\n"
  "local ok, t = pcall(f)\n"
  "debug.sethook()\n"
  "lesson._begin{ auto = true, lang = 'en' }\n"
  "if ok and t ~= nil then\n"
  "  pcall(expect, t)\n"
  "  pcall(lesson.say, t)\n"
  "  pcall(lesson, t)\n"
  "end\n"
  "lesson._finish()\n"
  "lab._trace_lines(false)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L = tl_fuzz_world();
  tl_source_is_lesson((const char *)data, size);
  if (!L) return 0;
  if (luaL_loadbuffer(L, tl__driver, sizeof tl__driver - 1, "=fuzz_lesson") == LUA_OK) {
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  return 0;
}
